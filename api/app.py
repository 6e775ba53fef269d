"""The FastAPI app under /api/brain/: `create_app(brain or brain factory, settings)`.

Given a factory, the app opens the Brain when it starts and closes it when it stops. Given an
open Brain, the caller keeps owning it (tests, an embedding process). While the app runs, a
periodic task applies approval time limits (`brain.expire_approvals()`).

Submitting a task only records it. With `worker=True` (the default) an embedded lease worker
executes runs in this process: it takes each run submitted here at once, and while the app runs
it also claims due runs of the shared database (left by a dead process, or submitted elsewhere).
With `worker=False` the API never runs a graph for a submission: `brain worker` processes do.
With BRAIN_TEMPORAL_ADDRESS set the app starts each submitted run's workflow on Temporal (and,
with `worker=True`, runs a Temporal worker in this process too).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from api import (
    agents,
    approvals,
    auth_login,
    convenience,
    crews,
    gateway,
    health,
    insights,
    policies,
    tasks,
    telegram,
)
from api.auth import TokenVerifier
from api.background import Background
from api.console import install_console
from api.deps import PREFIX, ApiState
from api.errors import install_error_handlers
from api.limits import BodySizeLimit, RateLimiter
from api.metrics import ApiMetrics, RouteTimer
from api.settings import ApiSettings, load_api_settings
from runtime.brain import Brain
from runtime.engine import make_engine

log = structlog.get_logger(__name__)

SHUTDOWN_GRACE_SECONDS = 30.0
BrainFactory = Callable[[], Awaitable[Brain]]

DESCRIPTION = """\
Business requests in plain words, routed to one of the Brain's agents; every tool call passes the
human-in-the-loop policy gate. Authenticate with a bearer JWT (claims `sub`, `tenant`, `role`;
`brain token` mints one for development). Errors always look like
`{"error": {"code": ..., "message": ..., "field": ...}}`.
"""


async def expire_periodically(state: ApiState, interval: float) -> None:
    """Apply approval time limits every `interval` seconds, and purge expired memories, until cancelled."""
    while True:
        await asyncio.sleep(interval)
        if state.brain is None:
            continue
        try:
            done = await state.brain.expire_approvals()
            purged = await state.brain.memory.purge_expired()
        except Exception as exc:  # a failed round is logged; the next one tries again
            log.error("periodic maintenance failed", error=f"{type(exc).__name__}: {exc}")
            continue
        for item in done:
            log.info("approval time limit applied", **item)
        if purged:
            log.info("expired memories purged", count=purged)


def create_app(brain: Brain | BrainFactory, settings: ApiSettings | None = None, *, worker: bool = True) -> FastAPI:
    settings = settings or load_api_settings()
    state = ApiState(settings=settings, verifier=TokenVerifier(settings), limiter=RateLimiter(settings.rate_limit_per_minute),
                     metrics=ApiMetrics(), background=Background())
    factory: BrainFactory | None = None

    def embed(opened: Brain) -> None:
        state.brain = opened
        # Lease engine: the embedded worker, or none (`brain worker` processes claim the runs). Temporal:
        # this process starts each run's workflow, and executes them too unless worker=False.
        if worker or opened.settings.temporal_address:
            state.engine = make_engine(opened, run_worker=worker,
                                       spawn=lambda work, name: state.background.spawn(work, name=name))

    if isinstance(brain, Brain):
        embed(brain)
        state.metrics.attach(brain)
    else:
        factory = brain

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if factory is not None:
            embed(await factory())
        if state.brain is not None:
            state.metrics.attach(state.brain)  # once per Brain; counted until the app stops
        loops = []
        stop = asyncio.Event()
        if state.engine is not None:
            loops.append(asyncio.create_task(state.engine.serve(stop), name="run worker"))
        if settings.expire_interval_seconds > 0:
            loops.append(asyncio.create_task(expire_periodically(state, settings.expire_interval_seconds),
                                             name="expire approvals"))
        if settings.scheduler_interval_seconds > 0 and state.brain is not None and "scheduler" in state.brain.services:
            reminders = state.brain.services["scheduler"].worker()  # type: ignore[attr-defined]
            loops.append(asyncio.create_task(reminders.run(settings.scheduler_interval_seconds), name="deliver reminders"))
        try:
            yield
        finally:
            stop.set()  # the worker finishes the runs in hand (or hands them back) ...
            for loop in loops[1 if state.engine is not None else 0:]:
                loop.cancel()  # ... the periodic loops just stop
            await asyncio.gather(*loops, return_exceptions=True)
            await state.background.stop(SHUTDOWN_GRACE_SECONDS)
            if state.brain is not None:
                state.metrics.detach(state.brain)
                if factory is not None:  # the app opened it, so the app closes it
                    opened, state.brain = state.brain, None
                    await opened.close()

    app = FastAPI(
        title="BizOSaaS Brain API", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
        openapi_url=f"{PREFIX}/openapi.json", docs_url=f"{PREFIX}/docs", redoc_url=None,
    )
    app.state.api = state
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RouteTimer, metrics=state.metrics)
    for module in (tasks, approvals, policies, agents, crews, insights, gateway, auth_login, convenience, telegram,
                   health):
        app.include_router(module.router)
    install_console(app)
    return app
