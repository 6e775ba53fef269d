"""OpenTelemetry traces: one trace per run, whichever process advances it.

A run's trace id is its UUID (both are 128 bits), so the API process that records it, the worker
that advances it, and the process that resumes it after an approval all add to the same trace
without carrying anything along. Each `advance` is a span (`run.advance`) under the run's root
context; inside it the graph adds `route`, `plan`, `gate.decision` (one per call) and `tool.call`
(one per call, naming the system its adapter talks to). The HTTP span FastAPI makes for the
request that submitted the run is linked from the run's `run.submitted` span.

Export: `BRAIN_OTEL=console` prints spans to stderr; `BRAIN_OTEL=otlp`, or any
`OTEL_EXPORTER_OTLP_ENDPOINT` set, sends them over OTLP/HTTP; otherwise (and in tests) tracing is
off and every span is a no-op. `capture(provider)` routes the Brain's spans to a provider of the
caller's (tests use an in-memory exporter).
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import structlog
from opentelemetry import trace
from opentelemetry.trace import Link, NonRecordingSpan, Span, SpanContext, TraceFlags

log = structlog.get_logger(__name__)

TRACER = "bizosaas.brain"
_override: ContextVar[trace.TracerProvider | None] = ContextVar("brain_tracer_provider", default=None)
_configured: list[str] = []  # the mode this process configured, once


def mode_of(setting: str | None) -> str:
    """console | otlp | off: the setting when given, else otlp when an OTLP endpoint is set."""
    if setting:
        return setting
    return "otlp" if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") else "off"


def configure(setting: str | None, service: str = "bizosaas-brain") -> str:
    """Install the process's tracer provider for the chosen export (once per process); the mode."""
    mode = mode_of(setting)
    if mode == "off" or _configured:
        return _configured[0] if _configured else mode
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

    exporter: SpanExporter
    if mode == "console":
        exporter = ConsoleSpanExporter(out=sys.stderr)  # stdout stays the CLI's (--json answers)
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()  # endpoint and headers from the OTEL_EXPORTER_OTLP_* variables
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _configured.append(mode)
    log.info("tracing on", mode=mode)
    return mode


def shutdown() -> None:
    """Flush spans still buffered (a process stopping)."""
    provider = trace.get_tracer_provider()
    flush = getattr(provider, "force_flush", None)
    if flush is not None:
        flush()


@contextmanager
def capture(provider: trace.TracerProvider) -> Iterator[None]:
    """The Brain's spans go to this provider inside the block (tests: an in-memory exporter)."""
    token = _override.set(provider)
    try:
        yield
    finally:
        _override.reset(token)


def tracer() -> trace.Tracer:
    provider = _override.get() or trace.get_tracer_provider()
    return provider.get_tracer(TRACER)


def run_context(run_id: str) -> Any:
    """The root context of a run's trace: trace id = the run's UUID, in any process."""
    number = uuid.UUID(str(run_id)).int
    root = SpanContext(trace_id=number, span_id=(number & 0xFFFF_FFFF_FFFF_FFFF) or 1, is_remote=True,
                       trace_flags=TraceFlags(TraceFlags.SAMPLED))
    return trace.set_span_in_context(NonRecordingSpan(root))


@contextmanager
def run_span(name: str, run_id: str, **attributes: Any) -> Iterator[Span]:
    """A span in the run's trace; the span current before it (an HTTP request's) is linked."""
    current = trace.get_current_span().get_span_context()
    links = [Link(current)] if current.is_valid and current.trace_id != uuid.UUID(str(run_id)).int else []
    with tracer().start_as_current_span(name, context=run_context(run_id), links=links,
                                        attributes=_clean({"brain.run_id": str(run_id), **attributes})) as span:
        yield span


@contextmanager
def span(name: str, **attributes: Any) -> Iterator[Span]:
    """A child of the current span (inside a run: of its `run.advance`)."""
    with tracer().start_as_current_span(name, attributes=_clean(attributes)) as current:
        yield current


def annotate(current: Span, **attributes: Any) -> None:
    if current.is_recording():
        current.set_attributes(_clean(attributes))


def _clean(attributes: dict[str, Any]) -> dict[str, Any]:
    """OpenTelemetry takes str, bool, int and float values; None is left out, anything else is a string."""
    out: dict[str, Any] = {}
    for key, value in attributes.items():
        if value is None:
            continue
        out[key if "." in key else f"brain.{key}"] = value if isinstance(value, str | bool | int | float) else str(value)
    return out
