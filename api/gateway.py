"""Gateway reads through the Brain: the tenant's products, leads, pages and dashboards, read by the
same adapters the agents use (the sandbox stand-ins on the embedded default). Viewer role or
higher, the caller's own tenant, paginated with `limit` and `offset`.

The adapters' typed errors become clear HTTP errors here, once (`adapter_errors`): a refused
credential is a 502 naming the system, a missing object 404, bad input 422 naming the field, a
rate limit 429 with Retry-After, an unreachable system 503.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from adapters.errors import (
    AdapterError,
    AuthError,
    Conflict,
    InvalidRequest,
    NotFound,
    RateLimited,
    Unavailable,
)
from api.auth import require_role
from api.deps import PREFIX, BrainDep, Caller
from api.errors import ERROR_RESPONSES, ApiError, ErrorBody
from api.models import PlainText
from runtime.wiring import SystemNotConfigured

router = APIRouter(prefix=PREFIX, tags=["gateway"], responses={
    **ERROR_RESPONSES,
    404: {"model": ErrorBody, "description": "the external system says the object does not exist"},
    409: {"model": ErrorBody, "description": "the external system reports a conflict"},
    502: {"model": ErrorBody, "description": "the external system refused the Brain's credentials "
                                                                  "or answered something unexpected"},
    503: {"model": ErrorBody, "description": "the external system is not configured or unreachable"},
})

# How deep `offset` may page: the adapters list at most this many items per read.
MAX_DEPTH = {"saleor": 100, "crm": 200, "wagtail": 200, "superset": 100}
Limit = Annotated[int, Query(ge=1, le=100, description="items per page")]
DEPTH_NOTE = "items to skip; the system is read up to this depth, so a search narrows a longer list"
Offset = Annotated[int, Query(ge=0, le=MAX_DEPTH["crm"] - 1, description=DEPTH_NOTE)]  # crm and wagtail: 200
ShallowOffset = Annotated[int, Query(ge=0, le=MAX_DEPTH["saleor"] - 1, description=DEPTH_NOTE)]  # saleor, superset
Search = Annotated[PlainText | None, Query(max_length=200, description="search words")]


@asynccontextmanager
async def adapter_errors(system: str) -> AsyncIterator[None]:
    """Map an adapter's typed error (and a system with neither endpoint nor stand-in) to an ApiError."""
    try:
        yield
    except SystemNotConfigured as exc:
        raise ApiError(503, f"{system} is not configured: {exc}", code="unavailable") from exc
    except AuthError as exc:
        raise ApiError(502, f"{system} refused the Brain's credentials ({exc.message}); fix them in the settings",
                       code="bad_gateway") from exc
    except NotFound as exc:
        raise ApiError(404, f"{system}: {exc.message}", field=exc.field) from exc
    except InvalidRequest as exc:
        raise ApiError(422, f"{exc.field + ': ' if exc.field else ''}{system} rejected it: {exc.message}",
                       field=exc.field) from exc
    except RateLimited as exc:
        retry = str(max(1, round(exc.retry_after))) if exc.retry_after else "30"
        raise ApiError(429, f"{system} asks the Brain to slow down; retry in {retry} s",
                       headers={"Retry-After": retry}) from exc
    except Conflict as exc:
        raise ApiError(409, f"{system}: {exc.message}", field=exc.field) from exc
    except Unavailable as exc:
        raise ApiError(503, f"{system} cannot be reached now ({exc.message}); try again later", code="unavailable") from exc
    except AdapterError as exc:
        raise ApiError(502, f"{system} answered an error: {exc.message}", code="bad_gateway") from exc


class Page(BaseModel):
    system: str
    items: list[dict[str, Any]]
    limit: int
    offset: int
    next_offset: int | None = Field(description="the offset of the next page; null: this was the last one")


async def page_of(system: str, limit: int, offset: int, read: Callable[[int], Awaitable[list[dict[str, Any]]]]) -> Page:
    """One page from a read that returns the first `n` items (n = offset + limit + 1, within the system's depth)."""
    depth = MAX_DEPTH[system]
    if offset >= depth:
        raise ApiError(422, f"offset: {system} is read up to {depth} items; use a search to narrow it", field="offset")
    async with adapter_errors(system):
        items = await read(min(offset + limit + 1, depth))
    page = items[offset:offset + limit]
    more = len(items) > offset + limit
    return Page(system=system, items=page, limit=limit, offset=offset, next_offset=offset + limit if more else None)


def _client(brain: Any, system: str, tenant: str) -> Any:
    try:
        return brain.clients.client(system, tenant)
    except KeyError as exc:
        raise ApiError(503, f"{system} is not part of this Brain", code="unavailable") from exc


@router.get("/saleor/products", response_model=Page, summary="Your store's products (Saleor)")
async def saleor_products(actor: Caller, brain: BrainDep, limit: Limit = 20, offset: ShallowOffset = 0, q: Search = None) -> Page:
    require_role(actor, "viewer", "reading products")
    async with adapter_errors("saleor"):
        client = _client(brain, "saleor", actor.tenant)
    return await page_of("saleor", limit, offset, lambda n: client.product_search(query=q, first=n))


@router.get("/django-crm/leads", response_model=Page, summary="Your CRM's open leads (Django CRM)")
async def crm_leads(actor: Caller, brain: BrainDep, limit: Limit = 20, offset: Offset = 0, q: Search = None,
                    status: Annotated[PlainText | None, Query(max_length=50, description="a lead status")] = None) -> Page:
    require_role(actor, "viewer", "reading leads")
    async with adapter_errors("crm"):
        client = _client(brain, "crm", actor.tenant)
    return await page_of("crm", limit, offset, lambda n: client.lead_search(query=q, status=status, limit=n))


@router.get("/wagtail/pages", response_model=Page, summary="Your site's pages (Wagtail)")
async def wagtail_pages(actor: Caller, brain: BrainDep, limit: Limit = 20, offset: Offset = 0, q: Search = None,
                        status: Annotated[str | None, Query(pattern="^(live|draft|any)$",
                                                            description="live | draft | any")] = None) -> Page:
    require_role(actor, "viewer", "reading pages")
    async with adapter_errors("wagtail"):
        client = _client(brain, "wagtail", actor.tenant)
    return await page_of("wagtail", limit, offset, lambda n: client.page_search(query=q, status=status, limit=n))


@router.get("/superset/dashboards", response_model=Page, summary="Your dashboards (Superset)")
async def superset_dashboards(actor: Caller, brain: BrainDep, limit: Limit = 20, offset: ShallowOffset = 0,
                              q: Search = None) -> Page:
    require_role(actor, "viewer", "reading dashboards")
    async with adapter_errors("superset"):
        client = _client(brain, "superset", actor.tenant)
    return await page_of("superset", limit, offset, lambda n: client.dashboard_list(query=q, limit=n))
