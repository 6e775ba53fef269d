"""Prometheus metrics of one app: runs by status, decisions by outcome, tool latency, route latency.

Run facts come from the Brain's run events as they are emitted (a listener on
`brain.events.listeners`); tool latency is the time between the ledger's `started` and `result`
entries of the call; route latency is timed by an ASGI middleware. Each app has its own registry.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runtime.brain import Brain
from runtime.ledger import Kind

log = structlog.get_logger(__name__)

# Run event type -> the run status it reports.
STATUS_EVENTS = {"waiting": "waiting", "done": "done", "failed": "failed", "cancelled": "cancelled", "escalated": "escalated"}


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.tasks = Counter("brain_tasks_submitted", "Tasks accepted over the API", ["via"], registry=self.registry)
        self.runs = Counter("brain_runs", "Runs reaching a status (from run events)", ["status"], registry=self.registry)
        self.decisions = Counter("brain_decisions", "Policy gate decisions by outcome (auto, ask, deny)", ["outcome"],
                                 registry=self.registry)
        self.answers = Counter("brain_approval_answers", "Approval answers given over the API, per call", ["action"],
                               registry=self.registry)
        self.tool_seconds = Histogram("brain_tool_seconds", "Tool call latency, from the ledger's start to result",
                                      ["tool", "status"], registry=self.registry)
        self.route_seconds = Histogram("brain_http_request_seconds", "HTTP route latency", ["method", "route", "status"],
                                       registry=self.registry)
        self._listeners: dict[int, Any] = {}

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def attach(self, brain: Brain) -> None:
        """Start counting this Brain's run events (once per Brain)."""
        if id(brain) in self._listeners:
            return

        async def listener(event: dict[str, Any]) -> None:
            try:
                await self._observe(brain, event)
            except Exception as exc:  # metrics must never break a run
                log.warning("metrics listener failed", error=f"{type(exc).__name__}: {exc}")

        self._listeners[id(brain)] = listener
        brain.events.listeners.append(listener)

    def detach(self, brain: Brain) -> None:
        listener = self._listeners.pop(id(brain), None)
        if listener is not None and listener in brain.events.listeners:
            brain.events.listeners.remove(listener)

    async def _observe(self, brain: Brain, event: dict[str, Any]) -> None:
        kind, data = event.get("type"), event.get("data") or {}
        if kind in STATUS_EVENTS:
            self.runs.labels(STATUS_EVENTS[kind]).inc()
        elif kind == "decision":
            self.decisions.labels(str(data.get("outcome", "unknown"))).inc()
        elif kind == "tool_result" and data.get("status") in ("ok", "error"):
            run_id, call_id = str(event["run_id"]), str(data.get("call_id"))
            started = await brain.ledger.find(run_id, call_id, Kind.STARTED)
            finished = await brain.ledger.find(run_id, call_id, Kind.RESULT)
            if started and finished and started.created_at and finished.created_at:
                seconds = (finished.created_at - started.created_at).total_seconds()
                self.tool_seconds.labels(str(data.get("tool")), str(data["status"])).observe(max(seconds, 0.0))


class RouteTimer:
    """ASGI middleware: time every request under its route template (not its raw path)."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            self.metrics.route_seconds.labels(scope["method"], route_template(scope), str(status)).observe(
                time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """The matched route's path template (the router adds the /api/brain prefix to it)."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else "unmatched"
