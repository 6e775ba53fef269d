"""Console pages: sign-in and out, the approvals inbox (live over SSE), runs and a run's timeline.

Everything a page shows comes from the same Brain calls the JSON API makes, under the signed-in
actor, so the same tenant and role checks apply; forms post back here with a CSRF token.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from fastapi.sse import format_sse_event

from api.auth_login import accounts, client_address, issue, local_sign_in, sign_in
from api.console import forms
from api.console.session import (
    ACCESS,
    BASE,
    REFRESH,
    ConsoleError,
    Visit,
    apply_cookies,
    check_csrf,
    page,
    redirect,
    render,
    session_cookies,
    visit,
)
from api.deps import api_state, current_brain
from api.errors import ApiError
from policies.model import ROLE_RANK
from runtime.approvals import ApprovalAnswer, CallAnswer, InvalidAnswer
from runtime.ledger import Kind
from runtime.runs import RunNotFound, RunStateConflict

router = APIRouter(prefix=BASE, include_in_schema=False)
RUN_STATUSES = ("queued", "running", "waiting", "resuming", "done", "failed", "cancelled")
INBOX_STREAM_SECONDS = 60.0


def _next(target: str | None) -> str:
    """Where to go after signing in: a console path only (no other site, no scheme-relative URL)."""
    if target and target.startswith(BASE) and not target.startswith("//") and "\\" not in target:
        return target
    return f"{BASE}/approvals"


@router.get("")
async def home() -> Response:
    return redirect(None, f"{BASE}/approvals")


@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> Response:
    state = api_state(request)
    return render(request, state, "login.html", {"next": _next(next), "error": None, "email": "",
                                                   "local": local_sign_in(state)})


@router.post("/login")
async def login(request: Request) -> Response:
    state = api_state(request)
    form = await request.form()
    check_csrf(request, state, form)
    email, password = str(form.get("email") or ""), str(form.get("password") or "")
    target = _next(str(form.get("next") or ""))
    try:
        brain = current_brain(request)
        found = accounts(request, brain)
        user = await sign_in(state, found, email, password, client_address(request), brain.redis)
    except ApiError as exc:
        return render(request, state, "login.html", {"next": target, "error": exc.message, "email": email,
                                                       "local": local_sign_in(state)}, status=exc.status)
    pair = await issue(state, found, user)
    response = redirect(None, target)
    return apply_cookies(response, request, state, session_cookies(state, pair))


@router.post("/logout")
async def logout(request: Request) -> Response:
    state = api_state(request)
    form = await request.form()
    check_csrf(request, state, form)
    refresh = request.cookies.get(REFRESH)
    if refresh:
        await accounts(request, current_brain(request)).users.revoke_session(refresh)
    response = redirect(None, f"{BASE}/login", notice="signed out")
    return apply_cookies(response, request, state, {ACCESS: ("", 0, "lax"), REFRESH: ("", 0, "strict")})


# -- approvals -------------------------------------------------------------------------------


async def _inbox(v: Visit) -> list[dict[str, Any]]:
    rows = await v.brain.pending_approvals(v.actor)
    items = []
    for row in rows:
        run_id = str(row["run_id"])
        calls = list(row["calls"] or [])
        decisions = await v.brain.ledger.find_many(run_id, [str(c["call_id"]) for c in calls], Kind.DECISION)
        for call in calls:
            found = decisions.get(str(call["call_id"]))
            call["confidence"] = found.confidence if found else None
        expires = row.get("expires_at")
        items.append({
            "run_id": run_id, "request": row["request"], "agent": row.get("agent"), "user": row["user_id"],
            "calls": calls, "approver_role": row["approver_role"], "requested_at": row["requested_at"],
            "expires_at": expires, "expires_iso": expires.isoformat() if expires else None,
            "on_timeout": row.get("on_timeout"),
            "may_answer": ROLE_RANK.get(v.actor.role, -1) >= ROLE_RANK.get(row["approver_role"], 1),
        })
    return items


@router.get("/approvals")
async def approvals(request: Request) -> Response:
    v = await visit(request)
    return page(v, "approvals.html", {"items": await _inbox(v), "title": "Approvals"})


@router.get("/approvals/fragment")
async def approvals_fragment(request: Request) -> Response:
    v = await visit(request)
    return page(v, "approvals_list.html", {"items": await _inbox(v)})


async def _inbox_events(v: Visit, poll: float) -> AsyncIterator[bytes]:
    yield format_sse_event(comment="approvals of your tenant", retry=1000)
    last: tuple[str, ...] | None = None
    until = time.monotonic() + INBOX_STREAM_SECONDS
    while time.monotonic() < until:
        rows = await v.brain.pending_approvals(v.actor)
        ids = tuple(sorted(str(r["id"]) for r in rows))
        if ids != last:
            yield format_sse_event(event="approvals", data_str=json.dumps({"waiting": len(ids)}))
            last = ids
        await asyncio.sleep(poll)


@router.get("/approvals/stream")
async def approvals_stream(request: Request) -> Response:
    v = await visit(request)
    poll = max(0.5, v.state.settings.sse_poll_seconds * 3)
    return StreamingResponse(_inbox_events(v, poll), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _answer(v: Visit, run_id: str, answer: ApprovalAnswer) -> Response:
    try:
        outcome = await v.brain.answer_approval(run_id, v.actor, answer, drive=v.state.engine is not None)
    except RunNotFound as exc:
        raise ConsoleError(404, str(exc)) from exc
    except RunStateConflict as exc:
        return redirect(v, f"{BASE}/approvals", notice=str(exc))
    except PermissionError as exc:
        raise ConsoleError(403, str(exc)) from exc
    return redirect(v, f"{BASE}/runs/{quote(outcome.run_id)}", notice=f"answered: the run is {outcome.status}")


@router.post("/approvals/{run_id}")
async def answer(request: Request, run_id: str) -> Response:
    v = await visit(request)
    form = await request.form()
    check_csrf(request, v.state, form)
    v.require("operator", "answering an approval")
    action = str(form.get("action") or "")
    reason = str(form.get("reason") or "").strip() or None
    if action not in ("approve", "reject"):
        raise ConsoleError(422, "action: approve or reject")
    if action == "reject" and not reason:
        return redirect(v, f"{BASE}/approvals", notice="a rejection needs a reason")
    try:
        reply = ApprovalAnswer(all=CallAnswer(action=action, reason=reason))
    except ValueError as exc:
        raise ConsoleError(422, str(exc)) from exc
    return await _answer(v, run_id, reply)


@router.post("/approvals-all")
async def approve_all(request: Request) -> Response:
    v = await visit(request)
    form = await request.form()
    check_csrf(request, v.state, form)
    v.require("operator", "answering approvals")
    done = 0
    for item in await _inbox(v):
        if not item["may_answer"]:
            continue
        try:
            await v.brain.answer_approval(item["run_id"], v.actor, ApprovalAnswer(all=CallAnswer(action="approve")),
                                          drive=v.state.engine is not None)
            done += 1
        except (RunStateConflict, RunNotFound):
            continue  # answered meanwhile by someone else
    return redirect(v, f"{BASE}/approvals", notice=f"approved {done} waiting run(s)")


async def _call_of(v: Visit, run_id: str, call_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    for item in await _inbox(v):
        if item["run_id"] == run_id:
            for call in item["calls"]:
                if str(call["call_id"]) == call_id:
                    return item, call
    raise ConsoleError(404, f"run {run_id} waits for no call {call_id!r} (answered already, or not in your tenant)")


@router.get("/approvals/{run_id}/edit/{call_id}")
async def edit_form(request: Request, run_id: str, call_id: str) -> Response:
    v = await visit(request)
    item, call = await _call_of(v, run_id, call_id)
    fields = forms.fields_for(v.brain.tools.get(call["tool"]).args_model, call.get("args") or {})
    return page(v, "edit.html", {"item": item, "call": call, "fields": fields, "error": None, "title": "Edit a call"})


@router.post("/approvals/{run_id}/edit/{call_id}")
async def edit(request: Request, run_id: str, call_id: str) -> Response:
    v = await visit(request)
    form = await request.form()
    check_csrf(request, v.state, form)
    v.require("operator", "answering an approval")
    item, call = await _call_of(v, run_id, call_id)
    model = v.brain.tools.get(call["tool"]).args_model
    try:
        args = forms.parse(model, call.get("args") or {}, form)
        reply = ApprovalAnswer(calls={call_id: CallAnswer(action="edit", args=args,
                                                          reason=str(form.get("reason") or "").strip() or None)},
                               all=CallAnswer(action="approve"))
        return await _answer(v, run_id, reply)
    except (forms.FormError, InvalidAnswer, ValueError) as exc:
        fields = forms.fields_for(model, call.get("args") or {}, form)
        return page(v, "edit.html", {"item": item, "call": call, "fields": fields, "error": str(exc),
                                     "title": "Edit a call"}, status=422)


# -- runs ------------------------------------------------------------------------------------


@router.get("/runs")
async def runs(request: Request, status: str | None = None, agent: str | None = None, q: str | None = None,
               offset: int = 0) -> Response:
    v = await visit(request)
    if status and status not in RUN_STATUSES:
        raise ConsoleError(422, f"status: one of {', '.join(RUN_STATUSES)}")
    offset = max(0, min(offset, 100_000))
    size = 50
    rows = await v.brain.list_runs(v.actor, status=status or None, limit=500 if (agent or q) else size + 1,
                                   offset=0 if (agent or q) else offset)
    if agent or q:
        rows = [r for r in rows if (not agent or r["agent"] == agent) and (not q or q.lower() in r["request"].lower())]
        rows = rows[offset:offset + size + 1]
    more = len(rows) > size
    agents = sorted(spec.id for spec in v.brain.agents)
    return page(v, "runs.html", {"rows": rows[:size], "status": status or "", "agent": agent or "", "q": q or "",
                                 "statuses": RUN_STATUSES, "agents": agents, "offset": offset,
                                 "next_offset": offset + size if more else None, "title": "Runs"})


def _timeline(run: dict[str, Any], events: list[dict[str, Any]], ledger: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The run's story in order: its events, and the ledger's approvals and results between them."""
    steps: list[dict[str, Any]] = [{"at": run["created_at"], "kind": "request", "title": "request",
                                    "data": {"request": run["request"], "user": run["user_id"]}}]
    for event in events:
        steps.append({"at": event.get("created_at"), "kind": str(event["type"]), "title": str(event["type"]),
                      "data": event.get("data") or {}})
    for entry in ledger:
        if entry["kind"] in ("approval", "redecision", "result"):
            steps.append({"at": entry["created_at"], "kind": f"ledger-{entry['kind']}", "title": f"ledger: {entry['kind']}",
                          "data": {k: entry[k] for k in ("call_id", "tool", "args", "outcome", "actor", "reason", "result",
                                                         "error") if entry.get(k) is not None}})
    first = datetime.min.replace(tzinfo=UTC)
    steps.sort(key=lambda s: s["at"] or first)
    return steps


@router.get("/runs/{run_id}")
async def run_page(request: Request, run_id: str) -> Response:
    v = await visit(request)
    try:
        run = await v.brain.get_run(run_id, v.actor)
    except RunNotFound as exc:
        raise ConsoleError(404, str(exc)) from exc
    events = await v.brain.run_events(str(run["id"]), v.actor)
    ledger = await v.brain.ledger.for_run(str(run["id"]))
    waiting = None
    if run["status"] == "waiting":
        waiting = next((i for i in await _inbox(v) if i["run_id"] == str(run["id"])), None)
    return page(v, "run.html", {"run": run, "steps": _timeline(run, events, ledger), "waiting": waiting,
                                "title": f"Run {str(run['id'])[:8]}"})
