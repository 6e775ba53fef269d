"""Liveness, readiness (database and, when configured, Redis) and Prometheus metrics. No auth."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel

from api.deps import PREFIX, api_state
from api.errors import ErrorBody, error_response

router = APIRouter(prefix=PREFIX, tags=["operations"])
CHECK_TIMEOUT = 3.0


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    checks: dict[str, str]


@router.get("/health", response_model=Health, summary="Liveness: the process answers")
async def health() -> Health:
    return Health(status="ok")


async def _check(name: str, probe: Any) -> tuple[str, str | None]:
    try:
        await asyncio.wait_for(probe, CHECK_TIMEOUT)
    except Exception as exc:  # any failure means not ready; the message says which part
        return name, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return name, None


async def _select_one(pool: Any) -> None:
    async with pool.connection() as conn:
        await conn.execute("SELECT 1")


@router.get("/ready", response_model=Ready, summary="Readiness: the embedding model is loaded, the database and (when "
            "configured) Redis answer",
            responses={503: {"model": ErrorBody, "description": "a dependency does not answer; `checks` says which"}})
async def ready(request: Request) -> Ready | JSONResponse:
    brain = api_state(request).brain
    if brain is None:
        return error_response(503, "the Brain is not open yet", code="not_ready", extra={"checks": {"brain": "not open"}})
    if not getattr(brain.router.embedder, "loaded", True):  # Brain.open loads it; never a first request's wait
        return error_response(503, "not ready: the embedding model is not loaded", code="not_ready",
                              extra={"checks": {"embedding_model": "not loaded"}})
    probes = [_check("database", _select_one(brain.pool))]
    if brain.redis is not None:
        probes.append(_check("redis", brain.redis.ping()))
    results = await asyncio.gather(*probes)
    checks = {name: error or "ok" for name, error in results}
    failed = [f"{name}: {error}" for name, error in results if error]
    if failed:
        return error_response(503, "not ready: " + "; ".join(failed), code="not_ready", extra={"checks": checks})
    return Ready(status="ready", checks=checks)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
async def metrics(request: Request) -> Response:
    return Response(api_state(request).metrics.render(), media_type=CONTENT_TYPE_LATEST)
