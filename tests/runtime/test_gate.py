"""The gate's types: answers read strictly, requests merged strictly, state kept as the graph stores it."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from runtime.gate import (
    ApprovalAnswer,
    ApprovalRequest,
    AskedCall,
    Blocked,
    GatedCall,
    PendingCall,
    Verdict,
)

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                    max_leaves=8)


def _ask(call_id: str, role: str, minutes: int | None, on_timeout: str) -> AskedCall:
    return AskedCall(call_id, "saleor.product_create", {"name": "Teal Teapot"}, "write", "hitl on", role, minutes,
                     on_timeout)


def test_a_request_asks_the_strictest_approver_with_the_shortest_limit() -> None:
    request = ApprovalRequest.of([_ask("1.0", "operator", 60, "escalate"), _ask("1.1", "tenant_admin", 15, "reject"),
                                  _ask("1.2", "operator", None, "escalate")])
    assert (request.approver_role, request.timeout_minutes, request.on_timeout) == ("tenant_admin", 15, "reject")
    payload = request.as_payload()
    assert payload["kind"] == "approval" and [c["call_id"] for c in payload["calls"]] == ["1.0", "1.1", "1.2"]
    assert [AskedCall.from_payload(c) for c in payload["calls"]] == list(request.calls)


def test_escalation_only_when_every_call_escalates() -> None:
    assert ApprovalRequest.of([_ask("1.0", "operator", None, "escalate")]).on_timeout == "escalate"
    assert ApprovalRequest.of([_ask("1.0", "operator", None, "escalate"), _ask("1.1", "operator", None, "reject")]
                              ).on_timeout == "reject"


def test_answers_read_approve_edit_and_reject() -> None:
    answer = ApprovalAnswer.parse({"decided_by": "dana", "calls": {
        "1.0": {"action": "approve"}, "1.1": {"action": "edit", "args": {"price": 9}, "reason": "cheaper"},
        "1.2": {"action": "reject", "reason": "not now"}}})
    assert answer.decided_by == "dana"
    assert [(r.action, r.args, r.reason) for r in answer.replies.values()] == [
        ("approve", None, None), ("edit", {"price": 9}, "cheaper"), ("reject", None, "not now")]


@given(JSON)
def test_no_answer_of_any_shape_reads_as_consent_unless_it_says_approve_or_edit(payload: Any) -> None:
    answer = ApprovalAnswer.parse(payload)
    calls = payload.get("calls") if isinstance(payload, dict) else None
    for call_id, reply in answer.replies.items():
        raw = calls[call_id] if isinstance(calls, dict) else None
        said = raw.get("action") if isinstance(raw, dict) else None
        assert reply.action == (said if said in ("approve", "edit") else "reject")


def test_state_round_trips_as_the_graph_stores_it() -> None:
    pending = PendingCall("2.0", "crm.lead_create", {"email": "jo@harborcafe.example"}, ("email",))
    assert PendingCall.from_state(pending.as_state()) == pending
    blocked = GatedCall("2.0", "crm.lead_create", {}, Verdict.BLOCKED, "not now", Blocked.REJECTED, "write")
    assert blocked.as_state() == {"call_id": "2.0", "tool": "crm.lead_create", "args": {}, "outcome": "blocked",
                                  "reason": "not now", "status": "rejected", "risk": "write"}
