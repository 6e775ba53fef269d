"""The walking skeleton's task end to end: offline, with the scripted model, and approvals."""

from __future__ import annotations

import asyncio

import pytest

from runtime.approvals import ApprovalAnswer, CallAnswer, InvalidAnswer
from runtime.brain import Brain, PermissionDenied
from runtime.llm import use_model
from runtime.runs import Actor, RunNotFound, RunStateConflict
from runtime.testing.model import ScriptedModel, message_step, tool_step
from tests.runtime.helpers import ACTOR, APPROVE_ALL, REQUEST, ledger_kinds, products

CREATE_ARGS = {"name": "Red Mug", "price": 12.0, "product_type": "Default", "category": "Default"}


async def test_offline_task_waits_for_approval_then_creates_the_product(brain: Brain) -> None:
    out = await brain.submit(REQUEST, ACTOR)
    assert out.status == "waiting"
    assert out.route is not None and out.route["agent"] == "product_catalog_manager"
    assert out.approval is not None
    [call] = out.approval["calls"]
    assert (call["call_id"], call["tool"], call["args"], call["risk"]) == ("1.0", "saleor.product_create", CREATE_ARGS, "write")
    assert "HITL is on for product_sourcing" in call["reason"]
    assert "Red Mug" not in products(brain)
    assert (await brain.runs.get(out.run_id))["status"] == "waiting"

    done = await brain.answer_approval(out.run_id, ACTOR, APPROVE_ALL)

    assert done.status == "done"
    assert done.answer is not None and "Created product Red Mug" in done.answer
    mug = products(brain)["Red Mug"]
    assert (mug["price"], mug["published"]) == (12.0, False)
    assert await ledger_kinds(brain, out.run_id) == [
        ("1.0", "decision", "ask"), ("1.0", "approval", "approved"), ("1.0", "started", None), ("1.0", "result", "ok"),
    ]
    types = [e["type"] for e in await brain.events.history(out.run_id)]
    assert types == ["routed", "planned", "decision", "waiting", "tool_result", "answer", "done"]
    run = await brain.runs.get(out.run_id)
    assert (run["status"], run["agent"]) == ("done", "product_catalog_manager")


async def test_scripted_model_plans_the_same_task(brain: Brain) -> None:
    model = ScriptedModel([tool_step(("saleor.product_create", CREATE_ARGS)), message_step("Red Mug is in the store at $12.")])
    with use_model(model):
        out = await brain.submit(REQUEST, ACTOR)
        assert out.status == "waiting"
        done = await brain.answer_approval(out.run_id, ACTOR, APPROVE_ALL)
    model.assert_complete()
    assert done.answer == "Red Mug is in the store at $12."
    assert products(brain)["Red Mug"]["price"] == 12.0
    first = model.calls[0]
    assert first.messages[-1] == {"role": "user", "content": REQUEST}
    assert first.tools is not None
    assert {t["function"]["name"] for t in first.tools} == {
        "saleor__product_search", "saleor__product_create", "saleor__product_update", "saleor__collection_add_products",
    }
    # The second call carries the first call's result as a tool message.
    assert model.calls[1].messages[-1]["role"] == "tool"


async def test_rejected_call_is_never_executed(brain: Brain) -> None:
    out = await brain.submit(REQUEST, ACTOR)
    done = await brain.answer_approval(out.run_id, ACTOR, ApprovalAnswer(all=CallAnswer(action="reject", reason="wrong price")))
    assert done.status == "done"
    assert done.answer is not None and "rejected (wrong price)" in done.answer
    assert "Red Mug" not in products(brain)
    assert await ledger_kinds(brain, out.run_id) == [("1.0", "decision", "ask"), ("1.0", "approval", "rejected")]


async def test_edited_call_is_decided_again_and_runs_with_the_new_arguments(brain: Brain) -> None:
    out = await brain.submit(REQUEST, ACTOR)
    answer = ApprovalAnswer(calls={"1.0": CallAnswer(action="edit", args={"price": 15})})
    done = await brain.answer_approval(out.run_id, ACTOR, answer)
    assert done.status == "done"
    assert products(brain)["Red Mug"]["price"] == 15.0
    entries = {e["kind"]: e for e in await brain.ledger.for_run(out.run_id)}
    assert entries["approval"]["outcome"] == "edited"
    assert entries["approval"]["args"]["price"] == 15.0
    assert entries["redecision"]["outcome"] == "ask"  # the gate saw the edited call again
    assert entries["started"]["args_hash"] == entries["approval"]["args_hash"]


async def test_invalid_edited_arguments_are_refused_naming_the_field(brain: Brain) -> None:
    out = await brain.submit(REQUEST, ACTOR)
    with pytest.raises(InvalidAnswer, match=r"args\.price"):
        await brain.answer_approval(out.run_id, ACTOR, ApprovalAnswer(all=CallAnswer(action="edit", args={"price": "cheap"})))
    # Nothing half-written: still waiting, approval still open, nothing executed.
    assert (await brain.runs.get(out.run_id))["status"] == "waiting"
    assert await brain.runs.pending_approval(out.run_id) is not None
    assert await ledger_kinds(brain, out.run_id) == [("1.0", "decision", "ask")]


async def test_two_concurrent_approvals_execute_once(brain: Brain) -> None:
    out = await brain.submit(REQUEST, ACTOR)
    results = await asyncio.gather(
        brain.answer_approval(out.run_id, ACTOR, APPROVE_ALL),
        brain.answer_approval(out.run_id, ACTOR, APPROVE_ALL),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["RunOutcome", "RunStateConflict"]
    kinds = await ledger_kinds(brain, out.run_id)
    assert kinds.count(("1.0", "started", None)) == 1


async def test_approving_needs_the_tenant_and_the_role(brain: Brain) -> None:
    out = await brain.submit(REQUEST, ACTOR)
    with pytest.raises(RunNotFound):  # another tenant's run does not exist for it (row-level security)
        await brain.answer_approval(out.run_id, Actor("eve", "other", "tenant_admin"), APPROVE_ALL)
    with pytest.raises(PermissionDenied, match="operator role"):
        await brain.answer_approval(out.run_id, Actor("val", "demo", "viewer"), APPROVE_ALL)
    done = await brain.answer_approval(out.run_id, ACTOR, APPROVE_ALL)
    with pytest.raises(RunStateConflict):
        await brain.answer_approval(out.run_id, ACTOR, APPROVE_ALL)
    assert done.status == "done"


async def test_out_of_scope_request_is_declined_without_a_tool_call(brain: Brain) -> None:
    out = await brain.submit("what's the weather in Paris tomorrow?", ACTOR)
    assert out.status == "done"
    assert out.route is not None and out.route["decision"] == "decline"
    assert out.answer is not None and "outside what I can do" in out.answer
    assert await brain.ledger.for_run(out.run_id) == []


async def test_missing_required_argument_gets_a_question(brain: Brain) -> None:
    out = await brain.submit("rename the Blue Vase to", ACTOR, agent_hint="product_catalog_manager")
    assert out.status == "done"
    assert out.answer is not None
    assert await brain.ledger.for_run(out.run_id) == []
