"""The ASGI app: the part of Superset's REST API the adapter uses, over a SupersetStore.

Security like a live Superset: JWT login and refresh (`provider` db), every endpoint but login
and refresh needs a Bearer access token, and POSTs other than /api/v1/chart/data need the CSRF
token from /api/v1/security/csrf_token/ with the `session` cookie that call set.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qs

from sandbox.superset import auth, listing, querying, resources, sqllab
from sandbox.superset.answers import ApiError, message
from sandbox.superset.seeding import ADMIN_ID, State
from sandbox.superset.store import SupersetStore

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
NO_AUTH, ACCESS, REFRESH = "none", "access", "refresh"


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    cookies: dict[str, str]
    body: Any
    match: dict[str, str] = field(default_factory=dict)
    user_id: int = ADMIN_ID


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


@dataclass(frozen=True)
class SandboxSettings:
    username: str
    password: str
    access_ttl: float
    today: date | None

    def current_day(self) -> date:
        return self.today or date.today()


Handler = Callable[[State, Request, SandboxSettings], Reply]


def _found(table: dict[str, Any], ref: str, *keys: str) -> dict[str, Any]:
    row = table.get(ref) if ref.isdigit() else None
    row = row or next((r for r in table.values() if any(str(r.get(k)) == ref for k in keys)), None)
    if row is None:
        raise message(404, "Not found")
    return dict(row)


def _login(state: State, request: Request, settings: SandboxSettings) -> Reply:
    body = request.body
    if not isinstance(body, dict):
        raise message(400, "Request payload is not JSON")
    username, password, provider = body.get("username"), body.get("password"), body.get("provider")
    if not username or not password or not provider:
        raise message(400, "Missing required parameter")
    if provider not in ("db", "ldap"):
        raise message(400, f"Provider {provider} not supported")
    if provider != "db" or username != settings.username or password != settings.password:
        raise message(401, "Not authorized")
    answer = {"access_token": auth.issue(state["secret"], ADMIN_ID, "access", settings.access_ttl)}
    if body.get("refresh"):
        answer["refresh_token"] = auth.issue(state["secret"], ADMIN_ID, "refresh", auth.REFRESH_TTL)
    return Reply(200, answer)


def _refresh(state: State, request: Request, settings: SandboxSettings) -> Reply:
    return Reply(200, {"access_token": auth.issue(state["secret"], request.user_id, "access", settings.access_ttl)})


def _csrf(state: State, request: Request, settings: SandboxSettings) -> Reply:
    session_id = request.cookies.get("session") or auth.new_session_id()
    cookie = f"session={session_id}; HttpOnly; Path=/; SameSite=Lax".encode()
    return Reply(200, {"result": auth.csrf_token(state["secret"], session_id)}, [(b"set-cookie", cookie)])


def _lister(resource: str) -> Handler:
    def handler(state: State, request: Request, settings: SandboxSettings) -> Reply:
        return Reply(200, listing.list_objects(state, resource, request.params.get("q")))

    return handler


def _owners(state: State, request: Request, settings: SandboxSettings) -> Reply:
    return Reply(200, listing.related_owners(state, request.params.get("q")))


def _dashboard_charts(state: State, request: Request, settings: SandboxSettings) -> Reply:
    dash = _found(state["dashboards"], request.match["ref"], "slug")
    charts = [state["charts"][str(i)] for i in dash["chart_ids"] if str(i) in state["charts"]]
    return Reply(200, {"result": [resources.chart_entity(c) for c in charts]})


def _chart(state: State, request: Request, settings: SandboxSettings) -> Reply:
    chart = _found(state["charts"], request.match["ref"], "uuid")
    return Reply(200, {"result": resources.chart_detail(state, chart)})


def _chart_saved_data(state: State, request: Request, settings: SandboxSettings) -> Reply:
    chart = _found(state["charts"], request.match["pk"])
    if request.params.get("format", "json") != "json":
        raise message(400, "The sandbox answers chart data as JSON only")
    return Reply(200, querying.chart_data(state, querying.query_context(chart), today=settings.current_day()))


def _chart_data(state: State, request: Request, settings: SandboxSettings) -> Reply:
    return Reply(200, querying.chart_data(state, request.body, today=settings.current_day()))


def _dataset(state: State, request: Request, settings: SandboxSettings) -> Reply:
    dataset = _found(state["datasets"], request.match["ref"], "uuid")
    return Reply(200, {"id": dataset["id"], "result": resources.dataset_detail(state, dataset)})


def _execute(state: State, request: Request, settings: SandboxSettings) -> Reply:
    name = resources.full_name(state, request.user_id)
    return Reply(200, sqllab.execute(state, request.body, user_name=name, user_id=request.user_id))


# (method, path pattern, handler, token kind, CSRF needed, writes the state)
ROUTES: list[tuple[str, re.Pattern[str], Handler, str, bool, bool]] = [
    ("POST", re.compile(r"/api/v1/security/login"), _login, NO_AUTH, False, False),
    ("POST", re.compile(r"/api/v1/security/refresh"), _refresh, REFRESH, False, False),
    ("GET", re.compile(r"/api/v1/security/csrf_token/"), _csrf, ACCESS, False, False),
    ("GET", re.compile(r"/api/v1/dashboard/"), _lister("dashboard"), ACCESS, False, False),
    ("GET", re.compile(r"/api/v1/dashboard/related/owners"), _owners, ACCESS, False, False),
    ("GET", re.compile(r"/api/v1/dashboard/(?P<ref>[^/]+)/charts"), _dashboard_charts, ACCESS, False, False),
    ("GET", re.compile(r"/api/v1/chart/"), _lister("chart"), ACCESS, False, False),
    ("POST", re.compile(r"/api/v1/chart/data"), _chart_data, ACCESS, False, False),
    ("GET", re.compile(r"/api/v1/chart/(?P<pk>\d+)/data/"), _chart_saved_data, ACCESS, False, False),
    ("GET", re.compile(r"/api/v1/chart/(?P<ref>[^/]+)"), _chart, ACCESS, False, False),
    ("GET", re.compile(r"/api/v1/dataset/"), _lister("dataset"), ACCESS, False, False),
    ("GET", re.compile(r"/api/v1/dataset/(?P<ref>[^/]+)"), _dataset, ACCESS, False, False),
    ("GET", re.compile(r"/api/v1/database/"), _lister("database"), ACCESS, False, False),
    ("POST", re.compile(r"/api/v1/sqllab/execute/"), _execute, ACCESS, True, True),
]


def handle(store: SupersetStore, settings: SandboxSettings, request: Request) -> Reply:
    """Route, check CSRF and the token, and run the handler inside one store transaction."""
    allowed = [r for r in ROUTES if r[1].fullmatch(request.path)]
    if not allowed:
        return Reply(404, {"message": "Not found"})
    route = next((r for r in allowed if r[0] == request.method), None)
    if route is None:
        return Reply(405, {"message": "Method Not Allowed"})
    _, pattern, handler, token_kind, needs_csrf, writes = route
    match = pattern.fullmatch(request.path)
    request.match = match.groupdict() if match else {}
    try:
        with store.transaction() as tx:
            secret = tx.state["secret"]
            if needs_csrf:
                auth.check_csrf(secret, request.headers.get("x-csrftoken"), request.cookies.get("session"))
            if token_kind != NO_AUTH:
                request.user_id = auth.verify(secret, request.headers.get("authorization"), kind=token_kind)
            reply = handler(tx.state, request, settings)
            if writes:
                tx.touch()
            return reply
    except ApiError as exc:
        return Reply(exc.status, exc.body)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        chunk = await receive()
        chunks.append(chunk.get("body", b""))
        if not chunk.get("more_body"):
            return b"".join(chunks)


async def _respond(send: Send, reply: Reply) -> None:
    data = json.dumps(reply.body).encode()
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(data)).encode()),
               *reply.headers]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


def _cookies(header: str) -> dict[str, str]:
    pairs = (part.strip().partition("=") for part in header.split(";") if part.strip())
    return {name: value for name, _, value in pairs}


def create_app(
    store: SupersetStore,
    *,
    username: str = "admin",
    password: str = "sandbox",
    access_ttl: float = auth.ACCESS_TTL,
    today: date | None = None,
) -> ASGIApp:
    """An ASGI app serving Superset's REST API (the adapter's subset) under /api/v1/ over `store`.

    `today` fixes the day relative time ranges ("Last week") count from; unset, the real date.
    """
    settings = SandboxSettings(username=username, password=password, access_ttl=access_ttl, today=today)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                event = await receive()
                if event["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif event["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        raw = await _read_body(receive)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                await _respond(send, Reply(400, {"message": "Request is not JSON"}))
                return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        request = Request(
            method=scope["method"], path=scope["path"], params={k: v[0] for k, v in query.items()},
            headers=headers, cookies=_cookies(headers.get("cookie", "")), body=body,
        )
        await _respond(send, await asyncio.to_thread(handle, store, settings, request))

    return app
