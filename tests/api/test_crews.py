"""POST /agents/orchestrate: a crew run recorded and run by the embedded worker, its approval answered
over the API; bad input named (unknown agents 422 naming them), a goal no agent serves declined."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.api.conftest import Auth, error_of, settle

GOAL = "launch the mug: add a product called Red Mug priced 12 USD to the store, then draft a blog post about the Red Mug"


async def test_a_crew_is_picked_recorded_paused_for_approval_and_finished(app: FastAPI, client: httpx.AsyncClient,
                                                                          auth: Auth) -> None:
    created = await client.post("/agents/orchestrate", json={"goal": GOAL}, headers=auth())
    assert created.status_code == 202, created.text
    body = created.json()
    assert body["status"] == "accepted" and body["crew"]["picked_by"] == "supervisor"
    assert [(m["agent"], m["task"]) for m in body["crew"]["members"]] == [
        ("product_catalog_manager", "add a product called Red Mug priced 12 USD to the store"),
        ("blog_post_writer", "draft a blog post about the Red Mug")]
    assert all(m["why"] for m in body["crew"]["members"])
    task_id = body["task"]["id"]

    await settle(app)
    waiting = (await client.get(f"/tasks/{task_id}", headers=auth())).json()
    assert waiting["status"] == "waiting"
    [call] = waiting["approval"]["calls"]
    assert (call["call_id"], call["tool"]) == ("product_catalog_manager.1", "saleor.product_create")
    inbox = (await client.get("/approvals", headers=auth())).json()
    assert task_id in str(inbox)

    answered = await client.post(f"/approvals/{task_id}", json={"all": {"action": "approve"}}, headers=auth())
    assert answered.status_code == 200, answered.text
    while answered.json()["status"] == "waiting":  # a later call of the crew may ask too
        answered = await client.post(f"/approvals/{task_id}", json={"all": {"action": "approve"}}, headers=auth())
    assert answered.json()["status"] == "done"
    events = (await client.get(f"/tasks/{task_id}/events", headers=auth())).text
    assert "event: crew_step" in events and "event: done" in events and '"agent": "blog_post_writer"' in events

    again = await client.post("/agents/orchestrate", json={"goal": GOAL, "idempotency_key": "k1"}, headers=auth())
    repeat = await client.post("/agents/orchestrate", json={"goal": GOAL}, headers={**auth(), "Idempotency-Key": "k1"})
    assert (again.status_code, repeat.status_code) == (202, 200)
    assert again.json()["task"]["id"] == repeat.json()["task"]["id"]
    await settle(app)


async def test_unknown_agents_are_a_422_naming_them(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.post("/agents/orchestrate", json={"goal": GOAL, "agents": ["blog_post_writer", "wizard"]},
                                 headers=auth())
    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == "agents" and "'wizard'" in error["message"] and "blog_post_writer" not in error["message"]
    bad = await client.post("/agents/orchestrate", json={"goal": GOAL, "process": "democratic"}, headers=auth())
    assert bad.status_code == 422 and error_of(bad)["field"] == "process"
    empty = await client.post("/agents/orchestrate", json={"goal": ""}, headers=auth())
    assert empty.status_code == 422 and error_of(empty)["field"] == "goal"
    assert (await client.get("/tasks", headers=auth())).json()["items"] == []


async def test_a_goal_no_agent_serves_is_declined_and_a_viewer_may_not_run_a_crew(client: httpx.AsyncClient,
                                                                                   auth: Auth) -> None:
    declined = await client.post("/agents/orchestrate", json={"goal": "who won the chess final, and will it rain?"},
                                 headers=auth())
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined" and declined.json()["task"] is None
    assert (await client.get("/tasks", headers=auth())).json()["items"] == []
    viewer = await client.post("/agents/orchestrate", json={"goal": GOAL}, headers=auth("viewer"))
    assert viewer.status_code == 403
