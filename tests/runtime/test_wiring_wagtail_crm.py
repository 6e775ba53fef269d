"""Wagtail and CRM end to end: a scripted agent's call goes through the gate, an approval and
the executor to the real adapter, which talks to the tenant's sandbox over ASGI."""

from __future__ import annotations

from typing import Any

from runtime.brain import Brain
from runtime.llm import use_model
from runtime.testing.model import ScriptedModel, message_step, tool_step
from tests.runtime.helpers import ACTOR, APPROVE_ALL


def sandbox_rows(brain: Brain, system: str, collection: str, key: str) -> dict[str, dict[str, Any]]:
    return {str(row[key]): row for row in brain.clients.sandbox_store(system, ACTOR.tenant).dump()[collection]}


async def test_page_publisher_takes_a_page_offline_after_approval(brain: Brain) -> None:
    assert sandbox_rows(brain, "wagtail", "pages", "title")["Summer Promo"]["status"] == "live"
    model = ScriptedModel([tool_step(("wagtail.page_unpublish", {"page": "Summer Promo", "reason": "season over"})),
                           message_step("The Summer Promo page is offline.")])
    with use_model(model):
        out = await brain.submit("Take the summer promo page offline", ACTOR, agent_hint="page_publisher")
        assert out.status == "waiting" and out.approval is not None
        [call] = out.approval["calls"]
        assert (call["tool"], call["risk"]) == ("wagtail.page_unpublish", "destructive")
        assert sandbox_rows(brain, "wagtail", "pages", "title")["Summer Promo"]["status"] == "live"
        done = await brain.answer_approval(out.run_id, ACTOR, APPROVE_ALL)
    model.assert_complete()
    assert (done.status, done.answer) == ("done", "The Summer Promo page is offline.")
    [result] = done.results
    assert (result["status"], result["result"]["url_path"], result["result"]["reason"]) == (
        "ok", "/summer-promo/", "season over")
    page = sandbox_rows(brain, "wagtail", "pages", "title")["Summer Promo"]
    assert page["status"] == "draft"


async def test_lead_scoring_writes_the_score_to_the_crm(brain: Brain) -> None:
    args = {"lead": "omar@sunrisebakery.example", "score": 71, "rating": "WARM",
            "reasons": ["Owner-run bakery", "Asked for a quote"]}
    model = ScriptedModel([tool_step(("crm.lead_score_update", args)), message_step("Omar's lead is WARM (71).")])
    with use_model(model):
        out = await brain.submit("Score the new Sunrise Bakery lead", ACTOR, agent_hint="lead_scoring")
        assert out.status == "waiting" and out.approval is not None  # HITL is on for lead_processing
        assert [c["tool"] for c in out.approval["calls"]] == ["crm.lead_score_update"]
        assert sandbox_rows(brain, "crm", "leads", "email")["omar@sunrisebakery.example"]["score"] is None
        done = await brain.answer_approval(out.run_id, ACTOR, APPROVE_ALL)
    model.assert_complete()
    assert (done.status, done.answer) == ("done", "Omar's lead is WARM (71).")
    lead = sandbox_rows(brain, "crm", "leads", "email")["omar@sunrisebakery.example"]
    assert (lead["score"], lead["rating"], lead["score_reasons"]) == (71, "WARM", args["reasons"])
