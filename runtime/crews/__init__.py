"""Crews: several registry agents on one goal, coordinated by CrewAI, every tool call behind the Brain's gate.

`CrewPicker` picks the crew (the supervisor's router, or the agents a caller names); the run is
recorded with it (`Brain.create_run(goal, actor, crew=plan)`) and advanced like any run; the
`crew` graph node (`crew_node`) runs it. CrewAI itself is imported only when a crew runs.
"""

from runtime.crews.node import crew_node, route_of
from runtime.crews.plan import PROCESSES, CrewMember, CrewPick, CrewPicker, CrewPlan, UnknownAgents
from runtime.crews.setup import CrewsUnavailable
from runtime.crews.submit import CrewSubmission, submit_crew

__all__ = ["PROCESSES", "CrewMember", "CrewPick", "CrewPicker", "CrewPlan", "CrewSubmission", "CrewsUnavailable",
           "UnknownAgents", "crew_node", "route_of", "submit_crew"]
