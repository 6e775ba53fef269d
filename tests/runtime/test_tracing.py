"""One OpenTelemetry trace per run: route, plan, gate decision and tool call spans under each advance,
the trace id being the run's UUID across the start and the resume after an approval."""

from __future__ import annotations

import uuid

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from runtime import tracing
from runtime.brain import Brain
from tests.runtime.helpers import ACTOR, APPROVE_ALL, REQUEST


def _tree(spans: list[ReadableSpan]) -> list[tuple[str, str | None]]:
    """(span name, parent span name) in the order the spans started."""
    names = {s.context.span_id: s.name for s in spans}
    ordered = sorted(spans, key=lambda s: s.start_time or 0)
    return [(s.name, names.get(s.parent.span_id) if s.parent else None) for s in ordered]


async def test_a_run_is_one_trace_with_route_plan_gate_and_tool_spans(brain: Brain) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with tracing.capture(provider):
        waiting = await brain.submit(REQUEST, ACTOR)
        done = await brain.answer_approval(waiting.run_id, ACTOR, APPROVE_ALL)
    assert (waiting.status, done.status) == ("waiting", "done")
    spans = list(exporter.get_finished_spans())
    assert {s.context.trace_id for s in spans} == {uuid.UUID(waiting.run_id).int}  # one trace, keyed by the run
    assert _tree(spans) == [
        ("run.submitted", None),
        ("run.advance", None), ("route", "run.advance"), ("plan", "run.advance"), ("gate.decision", "run.advance"),
        ("run.advance", None), ("gate.decision", "run.advance"), ("tool.call", "run.advance"), ("plan", "run.advance"),
    ]
    by_name = {s.name: s for s in spans}  # the last of each name
    route = next(s for s in spans if s.name == "route")
    assert route.attributes is not None and route.attributes["brain.agent"] == "product_catalog_manager"
    first_gate = next(s for s in spans if s.name == "gate.decision")
    assert first_gate.attributes is not None
    assert (first_gate.attributes["brain.tool"], first_gate.attributes["brain.outcome"]) == ("saleor.product_create", "ask")
    call = by_name["tool.call"].attributes
    assert call is not None and (call["brain.tool"], call["brain.system"], call["brain.status"]) == (
        "saleor.product_create", "saleor", "ok")
    advances = [s.attributes for s in spans if s.name == "run.advance"]
    assert [(a or {}).get("brain.status") for a in advances] == ["waiting", "done"]
    assert [(a or {}).get("brain.resumed") for a in advances] == [False, True]


async def test_tracing_is_off_unless_configured(monkeypatch: object) -> None:
    assert tracing.mode_of(None) in ("off", "otlp")
    assert tracing.mode_of("console") == "console"
    span = tracing.tracer().start_span("nothing")
    assert not span.is_recording()  # no provider installed in tests: every span is a no-op
