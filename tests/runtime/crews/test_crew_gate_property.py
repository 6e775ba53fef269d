"""Property: over random crews and policies (and random answers to what asks), every call a crew
agent got executed has an allowing decision for exactly its arguments, and ran once; the adapter saw
exactly those calls. Counted at the adapter boundary, the real Saleor client observed, not replaced."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.store import GLOBAL
from runtime.approvals import ApprovalAnswer, CallAnswer
from runtime.brain import Brain
from runtime.crews import submit_crew
from runtime.llm import ModelReply, use_model
from runtime.testing.model import ScriptedModel
from tests.runtime.helpers import ACTOR
from tests.runtime.test_gate_property import ADMIN, ALLOWING, CountingClient

# Agents holding Saleor product tools, with the workflow the policy keys them on.
AGENTS = {"product_catalog_manager": "Product catalog manager", "pricing_optimizer": "Pricing optimizer",
          "product_description_writer": "Product description writer"}
CALLS = st.one_of(
    st.builds(lambda p, price: ("saleor.product_update", {"product": p, "price": price}),
              st.sampled_from(["Blue Vase", "Yoga Mat"]), st.integers(1, 90)),
    st.builds(lambda n: ("saleor.product_create", {"name": n, "product_type": "Default", "category": "Default"}),
              st.sampled_from(["Herb Keeper", "Walnut Board"])),
    st.just(("saleor.product_search", {"query": "mug"})),
)
crews = st.lists(st.sampled_from(sorted(AGENTS)), min_size=1, max_size=3, unique=True)
scripts = st.lists(st.lists(CALLS, min_size=0, max_size=2), min_size=3, max_size=3)
workflow = st.fixed_dictionaries({"hitl": st.booleans(), "confidence_threshold": st.sampled_from([0.0, 0.5, 0.99])})
rules = st.lists(st.fixed_dictionaries({
    "id": st.sampled_from(["r1", "r2"]), "effect": st.sampled_from(["allow", "ask", "deny"]),
    "tool": st.sampled_from(["saleor.product_update", "saleor.product_create", "saleor.product_search"]),
}), max_size=2, unique_by=lambda r: r["id"])
replies = st.lists(st.sampled_from(["approve", "reject", "edit"]), min_size=8, max_size=8)
EDITS = {"saleor.product_update": {"price": 7}, "saleor.product_create": {"description": "edited"},
         "saleor.product_search": {"query": "vase"}}


def crew_model(crew: list[str], plans: list[list[tuple[str, dict[str, Any]]]]) -> ScriptedModel:
    """Each crew agent makes its scripted calls, one a turn, then answers (ReAct text, as CrewAI reads it)."""
    by_name = {AGENTS[a]: plan for a, plan in zip(crew, plans, strict=False)}

    def turn(messages: list[dict[str, Any]], _tools: Any) -> ModelReply:
        role = next(name for name in by_name if f"You are {name}." in str(messages[0]["content"]))
        done = sum(1 for m in messages if m["role"] == "assistant")
        plan = by_name[role]
        if done < len(plan):
            tool, args = plan[done]
            return ModelReply(text=f"Thought: next\nAction: {tool.replace('.', '_')}\nAction Input: {json.dumps(args)}")
        return ModelReply(text="Thought: I now know the final answer\nFinal Answer: done")

    return ScriptedModel([turn] * 200)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(crew=crews, plans=scripts, wf=workflow, extra_rules=rules, answers=replies)
async def test_every_executed_crew_call_has_an_allowing_decision(
    brain: Brain, crew: list[str], plans: list[list[tuple[str, dict[str, Any]]]], wf: dict[str, Any],
    extra_rules: list[dict[str, Any]], answers: list[str],
) -> None:
    _, document = await brain.policies.current(GLOBAL)
    for name in {brain.agents.get(a).workflow for a in AGENTS}:
        document["workflows"].setdefault(name, {}).update(wf)
    document["rules"] = [r for r in document["rules"] if r["id"] == "global-memory-write"] + extra_rules
    await brain.policies.save(GLOBAL, document, **ADMIN)
    real = brain.clients.client("saleor", "demo")
    counting = CountingClient(real.real if isinstance(real, CountingClient) else real)
    brain.clients._clients[("saleor", "demo", "")] = counting

    with use_model(crew_model(crew, plans)):
        submitted = await submit_crew(brain, "tidy up the store", ACTOR, agents=crew, lease=True)
        assert submitted.run_id is not None
        out = await brain.start(submitted.run_id)
        rounds = 0
        while out.status == "waiting" and out.approval is not None:
            assert len(out.approval["calls"]) == 1  # one approval per call
            call = out.approval["calls"][0]
            action = answers[rounds % len(answers)]
            reply = CallAnswer(action=action, args=EDITS[call["tool"]]) if action == "edit" else CallAnswer(action=action)
            out = await brain.answer_approval(out.run_id, ACTOR, ApprovalAnswer(calls={call["call_id"]: reply}))
            rounds += 1
    assert out.status == "done", out

    ledger = await brain.ledger.for_run(out.run_id)
    started = [e for e in ledger if e["kind"] == "started"]
    assert len({e["call_id"] for e in started}) == len(started)  # none ran twice
    for entry in started:
        entries = {e["kind"]: e for e in ledger if e["call_id"] == entry["call_id"]}
        allowing = entries.get("approval") or entries["decision"]
        assert (allowing["kind"], allowing["outcome"]) in ALLOWING, entries
        assert allowing["args_hash"] == entry["args_hash"]
        assert entries.get("redecision", {}).get("outcome") != "deny"
    writes = [e for e in started if e["tool"] != "saleor.product_search"]
    assert sum(counting.calls[m] for m in ("product_create", "product_update")) == len(writes)
    assert counting.calls["product_search"] == len(started) - len(writes)
