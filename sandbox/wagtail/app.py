"""The ASGI app: Wagtail 8's API v2 (public reads) and API v3 preview (Bearer-token writes)."""

from __future__ import annotations

import asyncio
import hmac
import re
from collections.abc import Callable

from sandbox.wagtail import v2, v3
from sandbox.wagtail.asgi import (
    Answer,
    ASGIApp,
    HTTPError,
    Receive,
    Request,
    Scope,
    Send,
    lifespan,
    problem,
    read_request,
    send_answer,
    v2_error,
)
from sandbox.wagtail.site import Site
from sandbox.wagtail.store import WagtailStore

SANDBOX_TOKEN = "sandbox-wagtail-token"

Handler = Callable[[Site, Request, re.Match[str], bool], Answer]
_ROUTES: list[tuple[str, re.Pattern[str], bool, Handler]] = [
    # (method, path, needs a token, handler); reads with an optional token see drafts too.
    ("GET", re.compile(r"/api/v2/pages/"), False, lambda s, r, m, a: v2.list_pages(s, r)),
    ("GET", re.compile(r"/api/v2/pages/find/"), False, lambda s, r, m, a: v2.find_page(s, r)),
    ("GET", re.compile(r"/api/v2/pages/(\w+)/"), False, lambda s, r, m, a: v2.page_detail(s, r, m[1])),
    ("GET", re.compile(r"/api/v3/pages/"), False, lambda s, r, m, a: v3.list_pages(s, r, authenticated=a)),
    ("POST", re.compile(r"/api/v3/pages/"), True, lambda s, r, m, a: v3.create_page(s, r)),
    ("GET", re.compile(r"/api/v3/pages/(\w+)/"), False, lambda s, r, m, a: v3.page_detail(s, r, m[1], authenticated=a)),
    ("PATCH", re.compile(r"/api/v3/pages/(\w+)/"), True, lambda s, r, m, a: v3.update_page(s, r, m[1])),
    ("GET", re.compile(r"/api/v3/pages/(\w+)/revisions/"), True, lambda s, r, m, a: v3.revisions(s, r, m[1])),
    ("POST", re.compile(r"/api/v3/pages/(\w+)/actions/publish/"), True, lambda s, r, m, a: v3.publish(s, m[1])),
    ("POST", re.compile(r"/api/v3/pages/(\w+)/actions/unpublish/"), True, lambda s, r, m, a: v3.unpublish(s, r, m[1])),
    ("POST", re.compile(r"/api/v3/pages/(\w+)/actions/copy_for_translation/"), True,
     lambda s, r, m, a: v3.copy_for_translation(s, r, m[1])),
    ("GET", re.compile(r"/api/v3/images/"), False, lambda s, r, m, a: v3.list_images(s, r)),
    ("GET", re.compile(r"/api/v3/images/(\w+)/"), False, lambda s, r, m, a: v3.image_detail(s, m[1])),
    ("PATCH", re.compile(r"/api/v3/images/(\w+)/"), True, lambda s, r, m, a: v3.update_image(s, r, m[1])),
    ("GET", re.compile(r"/api/v3/documents/"), False, lambda s, r, m, a: v3.list_documents(s, r)),
]


def _authenticated(request: Request, token: str | None) -> bool | None:
    """True for the right Bearer token, False for a wrong one, None when none was sent."""
    header = request.headers.get("authorization", "")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token or "")


def _route(request: Request) -> tuple[re.Match[str], bool, Handler]:
    allowed = []
    for method, pattern, needs_token, handler in _ROUTES:
        match = pattern.fullmatch(request.path)
        if match is None:
            continue
        if method == request.method:
            return match, needs_token, handler
        allowed.append(method)
    if allowed:
        raise problem(405, "Method Not Allowed", f"{request.method} is not allowed here; use {', '.join(allowed)}")
    if request.path.startswith("/api/v3/"):
        raise problem(404, "Not Found", f"Not Found: {request.path}", kind="not-found")
    raise v2_error(404, f"Not found: {request.path}")


def handle(store: WagtailStore, token: str | None, request: Request) -> Answer:
    """Answer one request inside a store transaction (the file lock, when persisted)."""
    try:
        match, needs_token, handler = _route(request)
        auth = _authenticated(request, token)
        if needs_token and not auth:
            detail = "Authentication credentials were not provided." if auth is None else "Invalid token."
            raise problem(401, "Unauthorized", detail, kind="authentication-error")
        with store.transaction() as site:
            return handler(site, request, match, bool(auth))
    except HTTPError as error:
        return error.answer


def create_app(store: WagtailStore, *, token: str | None = SANDBOX_TOKEN) -> ASGIApp:
    """An ASGI app serving `/api/v2/` and `/api/v3/` of a Wagtail site over `store`.

    API v2 is public and serves live pages only; API v3 reads without a token see live pages
    only too, and with `Authorization: Bearer <token>` also drafts; v3 writes need the token.
    """

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request = await read_request(scope, receive)
        answer = await asyncio.to_thread(handle, store, token, request)
        await send_answer(send, answer)

    return app
