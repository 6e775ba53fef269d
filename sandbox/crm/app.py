"""The ASGI app: the part of django-crm 1.35's REST API that the CRM adapter uses.

Auth is a personal access token, `Authorization: Bearer <token>`, bound to the organisation;
like the real server, no token is a 401, a wrong one a 401, and a token without an
organisation a 403 "Organization context is required".
"""

from __future__ import annotations

import asyncio
import hmac
import re
from typing import Any

from sandbox.crm import common, leads, records, tasks
from sandbox.crm.asgi import (
    ASGIApp,
    HTTPError,
    Receive,
    Request,
    Scope,
    Send,
    lifespan,
    read_request,
    send_json,
)
from sandbox.crm.common import Handler
from sandbox.crm.store import CrmStore

SANDBOX_TOKEN = "bcrm_pat_sandbox"
ID = r"([0-9a-fA-F-]{32,36})"


def _comment_delete(kind: str) -> Handler:
    return lambda state, request, args, actor: common.delete_comment(state, kind, args[0])


def _delete(kind: str) -> Handler:
    return lambda state, request, args, actor: common.delete(state, kind, args[0])


_TABLE: list[tuple[str, str, Handler]] = [
    ("GET", "/api/leads/", leads.list_leads),
    ("POST", "/api/leads/", leads.create_lead),
    ("GET", "/api/leads/pipelines/", leads.pipelines),
    ("GET", f"/api/leads/pipelines/{ID}/", leads.pipeline_detail),
    ("DELETE", f"/api/leads/comment/{ID}/", _comment_delete("lead")),
    ("GET", f"/api/leads/{ID}/", leads.lead_detail),
    ("POST", f"/api/leads/{ID}/", leads.comment_lead),
    ("PATCH", f"/api/leads/{ID}/", leads.patch_lead),
    ("DELETE", f"/api/leads/{ID}/", leads.delete_lead),
    ("PATCH", f"/api/leads/{ID}/move/", leads.move_lead),
    ("POST", f"/api/leads/{ID}/merge/", leads.merge_lead),
    ("GET", "/api/contacts/", records.list_contacts),
    ("POST", "/api/contacts/", records.create_contact),
    ("DELETE", f"/api/contacts/comment/{ID}/", _comment_delete("contact")),
    ("GET", f"/api/contacts/{ID}/", records.contact_detail),
    ("POST", f"/api/contacts/{ID}/", records.comment_contact),
    ("PATCH", f"/api/contacts/{ID}/", records.patch_contact),
    ("DELETE", f"/api/contacts/{ID}/", _delete("contact")),
    ("POST", f"/api/contacts/{ID}/merge/", records.merge_contact),
    ("GET", "/api/accounts/", records.list_accounts),
    ("POST", "/api/accounts/", records.create_account),
    ("DELETE", f"/api/accounts/comment/{ID}/", _comment_delete("account")),
    ("GET", f"/api/accounts/{ID}/", records.account_detail),
    ("POST", f"/api/accounts/{ID}/", records.comment_account),
    ("PATCH", f"/api/accounts/{ID}/", records.patch_account),
    ("DELETE", f"/api/accounts/{ID}/", _delete("account")),
    ("POST", f"/api/accounts/{ID}/merge/", records.merge_account),
    ("GET", "/api/opportunities/", records.list_opportunities),
    ("POST", "/api/opportunities/", records.create_opportunity),
    ("GET", "/api/opportunities/pipelines/", tasks.deal_pipelines),
    ("DELETE", f"/api/opportunities/comment/{ID}/", _comment_delete("opportunity")),
    ("GET", f"/api/opportunities/{ID}/", records.opportunity_detail),
    ("POST", f"/api/opportunities/{ID}/", records.comment_opportunity),
    ("PATCH", f"/api/opportunities/{ID}/", records.patch_opportunity),
    ("DELETE", f"/api/opportunities/{ID}/", _delete("opportunity")),
    ("GET", "/api/tasks/", tasks.list_tasks),
    ("POST", "/api/tasks/", tasks.create_task),
    ("DELETE", f"/api/tasks/comment/{ID}/", _comment_delete("task")),
    ("GET", f"/api/tasks/{ID}/", tasks.task_detail),
    ("POST", f"/api/tasks/{ID}/", tasks.comment_task),
    ("PATCH", f"/api/tasks/{ID}/", tasks.patch_task),
    ("DELETE", f"/api/tasks/{ID}/", _delete("task")),
    ("GET", "/api/users/", tasks.list_users),
    ("GET", "/api/tags/", tasks.list_tags),
    ("POST", "/api/tags/", tasks.create_tag),
    ("GET", "/api/custom-fields/", tasks.list_custom_fields),
    ("POST", "/api/custom-fields/", tasks.create_custom_field),
]
ROUTES = [(method, re.compile(path), handler) for method, path, handler in _TABLE]


def _route(request: Request) -> tuple[Handler, list[str]]:
    allowed = []
    for method, pattern, handler in ROUTES:
        match = pattern.fullmatch(request.path)
        if match is None:
            continue
        if method == request.method:
            return handler, list(match.groups())
        allowed.append(method)
    if allowed:
        raise HTTPError(405, {"detail": f'Method "{request.method}" not allowed.'})
    raise tasks.not_found_route(request.path)


def _check_auth(request: Request, token: str | None, orgless_token: str | None) -> None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if not header:
        raise HTTPError(401, {"detail": "Authentication credentials were not provided."})
    value = value.strip()
    if scheme.lower() == "bearer" and orgless_token and hmac.compare_digest(value, orgless_token):
        raise HTTPError(403, {"detail": "Organization context is required"})
    if scheme.lower() != "bearer" or not token or not hmac.compare_digest(value, token):
        # django-crm 1.35 answers an unknown bearer token as a request without an organisation
        raise HTTPError(403, {"detail": "Organization context is required"})


def handle(store: CrmStore, token: str | None, orgless_token: str | None, request: Request) -> tuple[int, Any]:
    """Answer one request inside a store transaction (the file lock, when persisted)."""
    try:
        handler, args = _route(request)
        _check_auth(request, token, orgless_token)
        with store.transaction() as state:
            result = handler(state, request, args, state.admin())
        return result if isinstance(result, tuple) else (200, result)
    except HTTPError as error:
        return error.status, error.body


def create_app(store: CrmStore, *, token: str | None = SANDBOX_TOKEN, orgless_token: str | None = None) -> ASGIApp:
    """An ASGI app serving django-crm's `/api/` over `store` for the holder of `token`.

    `orgless_token` is a token whose user has no organisation (answered 403, like the server).
    """

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request = await read_request(scope, receive)
        status, body = await asyncio.to_thread(handle, store, token, orgless_token, request)
        await send_json(send, status, body)

    return app
