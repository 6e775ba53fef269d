"""Property: over random policies, plans and answers, tools run exactly as often as decisions
allow, counted at the adapter boundary (the real Saleor client, observed, not replaced)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.store import GLOBAL
from runtime.approvals import ApprovalAnswer, CallAnswer
from runtime.brain import Brain
from runtime.llm import use_model
from runtime.testing.model import ScriptedModel, message_step, tool_step
from tests.runtime.helpers import ACTOR

ADMIN = {"author": "root", "author_tenant": "platform", "author_role": "super_admin"}
TOOL_METHODS = {"product_search", "product_create", "product_update"}
ALLOWING = {("decision", "auto"), ("approval", "approved"), ("approval", "edited")}


class CountingClient:
    """Passes every call to the real client and counts the tool-level ones."""

    def __init__(self, real: Any):
        self.real = real
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.real, name)
        if name not in TOOL_METHODS:
            return target

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return await target(*args, **kwargs)

        return counted


calls = st.lists(
    st.one_of(
        st.builds(lambda p, price: ("saleor.product_update", {"product": p, "price": price}),
                  st.sampled_from(["Blue Vase", "Yoga Mat", "Steel Water Bottle"]), st.integers(1, 90)),
        st.builds(lambda n: ("saleor.product_create", {"name": n, "product_type": "Default", "category": "Default"}),
                  st.sampled_from(["Herb Keeper", "Linen Apron", "Walnut Board"])),
        st.just(("saleor.product_search", {"query": "mug"})),
    ),
    min_size=1, max_size=3,
)
workflow = st.fixed_dictionaries({"hitl": st.booleans(), "confidence_threshold": st.sampled_from([0.0, 0.5, 0.99])})
rules = st.lists(st.fixed_dictionaries({
    "id": st.sampled_from(["r1", "r2", "r3"]), "effect": st.sampled_from(["allow", "ask", "deny"]),
    "tool": st.sampled_from(["saleor.product_update", "saleor.product_create", "saleor.product_search"]),
}), max_size=2, unique_by=lambda r: r["id"])
answers = st.lists(st.sampled_from(["approve", "reject", "edit"]), min_size=3, max_size=3)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=calls, wf=workflow, extra_rules=rules, replies=answers)
async def test_executions_equal_allowing_decisions(
    brain: Brain, plan: list[tuple[str, dict[str, Any]]], wf: dict[str, Any], extra_rules: list[dict[str, Any]], replies: list[str],
) -> None:
    _, document = await brain.policies.current(GLOBAL)
    document["workflows"]["product_sourcing"].update(wf)
    document["rules"] = [r for r in document["rules"] if r["id"] == "global-memory-write"] + extra_rules
    await brain.policies.save(GLOBAL, document, **ADMIN)
    real = brain.clients.client("saleor", "demo")
    counting = CountingClient(real.real if isinstance(real, CountingClient) else real)
    brain.clients._clients[("saleor", "demo", "")] = counting

    with use_model(ScriptedModel([tool_step(*plan), message_step("done")])):
        out = await brain.submit("do these store changes", ACTOR, agent_hint="product_catalog_manager")
        if out.status == "waiting" and out.approval is not None:
            reply = {}
            for call, action in zip(out.approval["calls"], replies, strict=False):
                edit = {"saleor.product_update": {"price": 7}, "saleor.product_create": {"description": "edited"},
                        "saleor.product_search": {"query": "vase"}}[call["tool"]]
                reply[call["call_id"]] = CallAnswer(action=action, args=edit if action == "edit" else None)
            out = await brain.answer_approval(out.run_id, ACTOR, ApprovalAnswer(calls=reply, all=CallAnswer(action="reject")))
    assert out.status == "done"

    entries = await brain.ledger.for_run(out.run_id)
    by_call: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_call.setdefault(entry["call_id"], []).append(entry)
    allowed = 0
    for call_entries in by_call.values():
        kinds = {(e["kind"], e["outcome"]) for e in call_entries}
        answer = next((e for e in call_entries if e["kind"] == "approval"), None)
        deciding = {(answer["kind"], answer["outcome"])} if answer else {(e["kind"], e["outcome"]) for e in call_entries if e["kind"] == "decision"}
        denied_after_edit = ("redecision", "deny") in kinds
        stale = ("result", "stale") in kinds  # its target changed after the proposal: decided again later
        is_allowed = bool(deciding & ALLOWING) and not denied_after_edit and not stale
        allowed += is_allowed
        started = any(e["kind"] == "started" for e in call_entries)
        assert started == is_allowed, call_entries  # no start without an allowing decision, and vice versa
    assert sum(counting.calls.values()) == allowed
