"""Tasks over HTTP: submit, wait for approval, approve, list, cancel, idempotency, tenants."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from api.app import create_app
from api.settings import ApiSettings
from bootstrap import open_brain
from runtime.brain import Brain
from runtime.engine import LeaseWorker
from runtime.runs import Actor
from runtime.settings import Settings
from tests.api.conftest import BASE, REQUEST, Auth, error_of, settle, state_of, submit


async def test_submitted_task_waits_for_approval_and_finishes_when_approved(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth
) -> None:
    created = await submit(client, auth())
    assert created["status"] in ("queued", "running")
    assert created["request"] == REQUEST and created["tenant"] == "demo" and created["user"] == "dana"
    assert created["links"]["events"] == f"/api/brain/tasks/{created['id']}/events"

    await settle(app)
    waiting = (await client.get(f"/tasks/{created['id']}", headers=auth())).json()
    assert (waiting["status"], waiting["agent"]) == ("waiting", "product_catalog_manager")
    [call] = waiting["approval"]["calls"]
    assert (call["tool"], call["args"]["name"], call["args"]["price"]) == ("saleor.product_create", "Red Mug", 12.0)
    assert waiting["approval"]["approver_role"] == "operator"

    answered = await client.post(f"/approvals/{created['id']}", json={"all": {"action": "approve"}}, headers=auth())
    assert answered.status_code == 200, answered.text
    outcome = answered.json()
    assert outcome["status"] == "done" and "Created product Red Mug" in outcome["answer"]
    assert [r["status"] for r in outcome["results"]] == ["ok"]

    done = (await client.get(f"/tasks/{created['id']}", headers=auth())).json()
    assert (done["status"], done["approval"]) == ("done", None)


async def test_one_idempotency_key_makes_one_task(app: FastAPI, client: httpx.AsyncClient, auth: Auth) -> None:
    first = await client.post("/tasks", json={"request": REQUEST, "idempotency_key": "order-7"}, headers=auth())
    again = await client.post("/tasks", json={"request": REQUEST}, headers={**auth(), "Idempotency-Key": "order-7"})
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.json()["id"] == again.json()["id"]

    other = await client.post("/tasks", json={"request": "rename the Blue Vase to Coastal Blue Vase"},
                              headers={**auth(), "Idempotency-Key": "order-7"})
    assert other.status_code == 409 and error_of(other)["field"] == "idempotency_key"
    mismatch = await client.post("/tasks", json={"request": REQUEST, "idempotency_key": "a"},
                                 headers={**auth(), "Idempotency-Key": "b"})
    assert mismatch.status_code == 409 and error_of(mismatch)["field"] == "idempotency_key"  # two keys that disagree

    await settle(app)
    page = (await client.get("/tasks", headers=auth())).json()
    assert [t["id"] for t in page["items"]] == [first.json()["id"]]


async def test_list_is_paged_newest_first_and_filters_by_status(brain: Brain, client: httpx.AsyncClient, auth: Auth) -> None:
    actor = Actor("dana", "demo", "operator")
    ids = [(await brain.create_run(f"score lead number {n}", actor))[0] for n in range(3)]
    await brain.cancel(ids[0], actor)

    first = (await client.get("/tasks", params={"limit": 2}, headers=auth())).json()
    assert [t["id"] for t in first["items"]] == [ids[2], ids[1]]
    assert (first["limit"], first["offset"], first["next_offset"]) == (2, 0, 2)
    last = (await client.get("/tasks", params={"limit": 2, "offset": 2}, headers=auth())).json()
    assert ([t["id"] for t in last["items"]], last["next_offset"]) == ([ids[0]], None)

    queued = (await client.get("/tasks", params={"status": "queued"}, headers=auth())).json()
    assert {t["id"] for t in queued["items"]} == {ids[1], ids[2]}
    bad = await client.get("/tasks", params={"status": "sleeping"}, headers=auth())
    assert bad.status_code == 422 and error_of(bad)["field"] == "status"
    too_many = await client.get("/tasks", params={"limit": 1000}, headers=auth())
    assert too_many.status_code == 422 and error_of(too_many)["field"] == "limit"


async def test_cancel_needs_an_operator_and_an_unfinished_task(brain: Brain, client: httpx.AsyncClient, auth: Auth) -> None:
    run_id, _ = await brain.create_run("score last week's leads", Actor("dana", "demo", "operator"))

    refused = await client.post(f"/tasks/{run_id}/cancel", headers=auth("viewer"))
    assert refused.status_code == 403
    assert error_of(refused)["message"] == "cancelling a task needs the operator role or higher; you are viewer"

    cancelled = await client.post(f"/tasks/{run_id}/cancel", headers=auth())
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = await client.post(f"/tasks/{run_id}/cancel", headers=auth())
    assert again.status_code == 409 and "can no longer be cancelled" in error_of(again)["message"]


async def test_unknown_and_other_tenants_tasks_are_not_found(brain: Brain, client: httpx.AsyncClient, auth: Auth) -> None:
    theirs, _ = await brain.create_run("score last week's leads", Actor("olga", "other", "operator"))
    for path in (f"/tasks/{uuid.uuid4()}", f"/tasks/{theirs}", "/tasks/not-a-task", f"/tasks/{theirs}/events"):
        response = await client.get(path, headers=auth())
        assert response.status_code == 404, path
        assert "no run" in error_of(response)["message"]
    cancel = await client.post(f"/tasks/{theirs}/cancel", headers=auth())
    assert cancel.status_code == 404
    assert (await client.get(f"/tasks/{theirs}", headers=auth(tenant="other"))).status_code == 200


async def test_bad_submissions_name_the_field(client: httpx.AsyncClient, auth: Auth) -> None:
    cases = [
        ({"request": REQUEST, "agent": "no_such_agent"}, auth(), 422, "agent", "unknown agent id 'no_such_agent'"),
        ({"request": "   "}, auth(), 422, "request", "must not be empty"),
        ({"request": ""}, auth(), 422, "request", "at least 1 character"),
        ({}, auth(), 422, "request", "Field required"),
        ({"request": "a\x00b"}, auth(), 422, "request", "NUL"),
        ({"request": REQUEST, "colour": "red"}, auth(), 422, "colour", "Extra inputs"),
        ({"request": REQUEST}, auth("viewer"), 403, None, "submitting a task needs the operator role or higher"),
    ]
    for body, headers, status, field, words in cases:
        response = await client.post("/tasks", json=body, headers=headers)
        assert response.status_code == status, (body, response.text)
        error = error_of(response)
        assert error.get("field") == field and words in error["message"], (body, error)
    not_json = await client.post("/tasks", content=b"{oops", headers={**auth(), "Content-Type": "application/json"})
    assert not_json.status_code == 422 and error_of(not_json)["code"] == "invalid"


async def test_without_an_embedded_worker_the_api_only_records_and_a_worker_executes(
    brain: Brain, settings: Settings, db_url: str, api_settings: ApiSettings, auth: Auth
) -> None:
    recorder = create_app(brain, api_settings, worker=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=recorder), base_url=BASE) as http:
        created = await submit(http, auth())
        await state_of(recorder).background.drain()
        assert (await http.get(f"/tasks/{created['id']}", headers=auth())).json()["status"] == "queued"
        assert await brain.run_events(created["id"], Actor("dana", "demo", "operator")) == []

        worker_brain = await open_brain(settings, embedder=brain.router.embedder, url=db_url)  # a worker process
        try:
            worker = LeaseWorker(worker_brain)
            assert await worker.drain() == 1
            waiting = (await http.get(f"/tasks/{created['id']}", headers=auth())).json()
            assert waiting["status"] == "waiting" and waiting["approval"]["calls"][0]["tool"] == "saleor.product_create"

            answered = await http.post(f"/approvals/{created['id']}", json={"all": {"action": "approve"}}, headers=auth())
            assert answered.status_code == 200 and answered.json()["status"] == "resuming"
            assert await worker.drain() == 1
        finally:
            await worker_brain.close()
        done = (await http.get(f"/tasks/{created['id']}", headers=auth())).json()
        assert done["status"] == "done" and "Created product Red Mug" in done["answer"]
