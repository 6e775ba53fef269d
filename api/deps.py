"""What one app holds (settings, Brain, verifier, limiter, metrics, background runs) and the
dependencies routes take: the Brain, and the authenticated, rate-limited caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from api.auth import TokenVerifier, bearer, unauthorized
from api.background import Background
from api.errors import ApiError
from api.limits import RateLimiter
from api.metrics import ApiMetrics
from api.settings import ApiSettings
from runtime.brain import Brain
from runtime.engine import RunEngine
from runtime.runs import Actor

PREFIX = "/api/brain"


@dataclass
class ApiState:
    settings: ApiSettings
    verifier: TokenVerifier
    limiter: RateLimiter
    metrics: ApiMetrics
    background: Background
    brain: Brain | None = None
    engine: RunEngine | None = None  # executes submitted runs in this process; None: separate workers do


def api_state(request: Request) -> ApiState:
    return cast(ApiState, request.app.state.api)


def current_brain(request: Request) -> Brain:
    brain = api_state(request).brain
    if brain is None:
        raise ApiError(503, "the Brain is starting or stopping; try again in a few seconds", code="unavailable")
    return brain


async def caller(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Actor:
    """The caller from the bearer token (401 with the reason), within its tenant's rate limit (429)."""
    state = api_state(request)
    if credentials is None:
        raise unauthorized("missing bearer token: send `Authorization: Bearer <token>` (`brain token` mints one)")
    actor = await state.verifier.verify(credentials.credentials)
    redis = state.brain.redis if state.brain is not None else None
    retry_after = await state.limiter.hit(actor.tenant, redis)
    if retry_after is not None:
        limit = state.settings.rate_limit_per_minute
        raise ApiError(429, f"tenant {actor.tenant!r} made more than {limit} requests this minute; retry in {retry_after} s",
                       headers={"Retry-After": str(retry_after)})
    return actor


State = Annotated[ApiState, Depends(api_state)]
BrainDep = Annotated[Brain, Depends(current_brain)]
Caller = Annotated[Actor, Depends(caller)]
