"""Planners turn (agent, request, results so far) into the next tool calls or a final answer."""

from runtime.planner.base import Plan, PlannedCall, PlanningContext

__all__ = ["Plan", "PlannedCall", "PlanningContext"]
