"""The approvals inbox over HTTP: who may answer, one answer only, invalid edits named."""

from __future__ import annotations

import asyncio
import json

import httpx
from fastapi import FastAPI

from runtime.brain import Brain
from runtime.runs import Actor
from tests.api.conftest import Auth, error_of, settle, submit

APPROVE = {"all": {"action": "approve"}}


async def _waiting(app: FastAPI, client: httpx.AsyncClient, auth: Auth) -> str:
    task = await submit(client, auth())
    await settle(app)
    return str(task["id"])


async def test_inbox_lists_the_tenants_waits_and_refuses_the_wrong_role_or_tenant(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth
) -> None:
    run_id = await _waiting(app, client, auth)

    inbox = (await client.get("/approvals", headers=auth("viewer"))).json()
    [item] = inbox
    assert (item["run_id"], item["approver_role"], item["agent"], item["user"]) == (
        run_id, "operator", "product_catalog_manager", "dana")
    assert item["calls"][0]["call_id"] == "1.0" and item["expires_at"] is not None
    assert item["you_may_answer"] is False
    assert (await client.get("/approvals", headers=auth("tenant_admin", tenant="other"))).json() == []

    viewer = await client.post(f"/approvals/{run_id}", json=APPROVE, headers=auth("viewer"))
    assert viewer.status_code == 403
    assert error_of(viewer)["message"] == "approving needs the operator role or higher; you are viewer"
    stranger = await client.post(f"/approvals/{run_id}", json=APPROVE, headers=auth("tenant_admin", tenant="other"))
    # Under row-level security another tenant's run does not exist for the caller (404); before it, a 403.
    assert stranger.status_code in (403, 404)
    assert ("belongs to another tenant" if stranger.status_code == 403 else "no run") in error_of(stranger)["message"]

    rejected = await client.post(f"/approvals/{run_id}", json={"all": {"action": "reject", "reason": "wrong price"}},
                                 headers=auth("tenant_admin"))
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "done" and "rejected (wrong price)" in rejected.json()["answer"]
    assert (await client.get("/approvals", headers=auth())).json() == []


async def test_two_concurrent_approvals_one_wins_the_other_gets_409(
    brain: Brain, app: FastAPI, client: httpx.AsyncClient, auth: Auth
) -> None:
    run_id = await _waiting(app, client, auth)
    first, second = await asyncio.gather(
        client.post(f"/approvals/{run_id}", json=APPROVE, headers=auth()),
        client.post(f"/approvals/{run_id}", json=APPROVE, headers=auth(user="erin")),
    )
    assert sorted((first.status_code, second.status_code)) == [200, 409]
    loser, winner = (first, "dana") if first.status_code == 409 else (second, "erin")
    winner = "erin" if winner == "dana" else "dana"
    assert f"approval was already answered by {winner} at " in error_of(loser)["message"], error_of(loser)
    started = [e for e in await brain.ledger.for_run(run_id) if e["kind"] == "started"]
    assert len(started) == 1


async def test_invalid_answers_name_the_field_and_leave_the_run_waiting(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth
) -> None:
    run_id = await _waiting(app, client, auth)
    cases = [
        ({"all": {"action": "edit", "args": {"price": "cheap"}}}, "args.price"),
        ({"calls": {"9.9": {"action": "approve"}}}, "calls"),
        ({}, "calls"),
        ({"all": {"action": "maybe"}}, "all.action"),
        ({"all": {"action": "approve"}, "extra": 1}, "extra"),
        ({"all": {"action": "reject", "reason": "no\x00pe"}}, "all.reason"),
        ({"all": {"action": "reject", "reason": "lone \udfff"}}, "all.reason"),
        ({"all": {"action": "edit", "args": {"name": "Bad\u0000Nul"}}}, "args.name"),
        ({"all": {"action": "edit", "args": {"name": "\udfff"}}}, "args.name"),
        ({"all": {"action": "edit", "args": {"description": "d" * 30_000}}}, "args.description"),
        ({"all": {"action": "edit", "args": {"price": float("nan")}}}, "args.price"),
        ({"all": {"action": "edit", "args": {"price": float("inf")}}}, "args.price"),
        ({"calls": {"1.0": {"action": "approve", "reason": "r" * 2_001}}}, "calls.1.0.reason"),
    ]
    for body, field in cases:
        # as a client sends it: surrogates escaped, NaN and Infinity as the literals Python's json writes
        response = await client.post(f"/approvals/{run_id}", content=json.dumps(body).encode(),
                                     headers={**auth(), "Content-Type": "application/json"})
        assert response.status_code == 422, (body, response.text)
        assert error_of(response)["field"] == field, (body, response.json())
    assert (await client.get(f"/tasks/{run_id}", headers=auth())).json()["status"] == "waiting"

    edited = await client.post(f"/approvals/{run_id}", json={"calls": {"1.0": {"action": "edit", "args": {"price": 15}}}},
                               headers=auth())
    assert edited.status_code == 200 and edited.json()["results"][0]["args"]["price"] == 15.0
    missing = await client.post("/approvals/00000000-0000-0000-0000-000000000000", json=APPROVE, headers=auth())
    assert missing.status_code == 404


async def test_a_finished_run_has_its_done_event_and_no_lease(
    brain: Brain, app: FastAPI, client: httpx.AsyncClient, auth: Auth
) -> None:
    run_id = await _waiting(app, client, auth)
    answered = await client.post(f"/approvals/{run_id}", json=APPROVE, headers=auth())
    assert answered.status_code == 200 and answered.json()["status"] == "done"
    events = (await client.get(f"/tasks/{run_id}/events", headers=auth())).text
    assert events.count("event: done") == 1
    run = await brain.get_run(run_id, Actor("dana", "demo", "operator"))
    assert (run["status"], run["lease_owner"], run["lease_expires_at"]) == ("done", None, None)
    again = await client.post(f"/approvals/{run_id}", json=APPROVE, headers=auth(user="erin"))
    assert again.status_code == 409
    assert "approval was already answered by dana" in error_of(again)["message"] and "the run is done" in error_of(again)["message"]
