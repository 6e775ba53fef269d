"""The gamification tools end to end: handlers on the real service, their one-line summaries, and the
escalation checks that make a suspicious redemption or a public showcase entry wait for a person."""

from __future__ import annotations

from typing import Any

from runtime.approvals import ApprovalAnswer, CallAnswer
from runtime.brain import Brain
from runtime.llm import use_model
from runtime.testing.model import ScriptedModel, message_step, tool_step
from tests.runtime.helpers import ACTOR, APPROVE_ALL
from tools.context import ToolContext
from tools.registry import default_registry

REGISTRY = default_registry()
GAMIFICATION = [spec for spec in REGISTRY if spec.system == "gamification"]


def context(brain: Brain, tenant: str = "demo") -> ToolContext:
    return brain._tool_context(tenant, "dana", "not-a-run")


async def call(brain: Brain, tool: str, args: dict[str, Any]) -> tuple[dict[str, Any], str]:
    spec = REGISTRY.get(tool)
    assert spec.handler is not None
    result = await spec.handler(context(brain), spec.validate_args(args))
    return result, spec.describe_result(result)


def test_every_gamification_tool_has_a_handler_and_a_summary() -> None:
    assert len(GAMIFICATION) == 8
    assert all(spec.handler is not None and spec.summary for spec in GAMIFICATION)
    escalating = {spec.id for spec in GAMIFICATION if spec.escalate is not None}
    assert escalating == {"gamification.referral_redeem", "gamification.portfolio_entry_create"}


async def test_each_tool_does_its_work(brain: Brain) -> None:
    created, line = await call(brain, "gamification.referral_code_create",
                               {"referrer": "Beanbar", "platform": "bizoholic", "reward_tier": "gold"})
    assert line == f"Referral code {created['code']} for Beanbar (gold tier, active)."
    _, line = await call(brain, "gamification.referral_code_validate", {"code": "CASA-7K2"})
    assert line == "Code CASA-7K2: valid, 3 of 5 uses left."
    _, line = await call(brain, "gamification.referral_redeem",
                         {"code": "BEAN-4XQ", "referee": "jake@sunrisebakery.com", "reference": "1160"})
    assert line == "Redemption of BEAN-4XQ for jake@sunrisebakery.com: granted (fraud score 0)."
    _, line = await call(brain, "gamification.achievement_award", {"subject": "Beanbar", "achievement": "1,000 orders"})
    assert line == "1,000 Orders for Beanbar: awarded."
    listing, line = await call(brain, "gamification.achievement_list", {"subject": "Beanbar"})
    assert line.startswith("Beanbar: earned First 100 Orders, 1,000 Orders; closest ") and listing["earned_count"] == 2
    _, line = await call(brain, "gamification.leaderboard_visibility_set",
                         {"subject": "Beanbar", "visibility": "public", "board": "orders"})
    assert line == "Beanbar is public on orders."
    board, line = await call(brain, "gamification.leaderboard_query", {"board": "orders", "period": "all", "limit": 3})
    # Beanbar is public on this board now; the others never opted in.
    assert line == (f"orders leaderboard (all, 3 of 4): 1. Sol Foods (1000); 2. Beanbar (997); "
                    f"3. {board['entries'][2]['name']} (474).")
    assert board["entries"][2]["name"].startswith("Participant ")
    _, line = await call(brain, "gamification.portfolio_entry_create",
                         {"subject": "Beanbar", "title": "Beanbar: year one", "summary": "A good year."})
    assert line == "Portfolio entry 'Beanbar: year one' for Beanbar: draft."


async def test_escalation_checks(brain: Brain) -> None:
    redeem = REGISTRY.get("gamification.referral_redeem")
    portfolio = REGISTRY.get("gamification.portfolio_entry_create")
    assert redeem.escalate is not None and portfolio.escalate is not None
    ctx = context(brain)
    risky = await redeem.escalate(ctx, redeem.validate_args({"code": "CASA-7K2", "referee": "maria@casaverde.mx"}))
    assert risky is not None and risky.startswith("fraud score 60 (threshold 50): self_referral_domain +60")
    assert await redeem.escalate(ctx, redeem.validate_args({"code": "CASA-7K2", "referee": "x@peakfitness.co"})) is None
    public = portfolio.validate_args({"subject": "Sol Foods", "title": "Sol Foods", "summary": "s", "visibility": "public"})
    assert await portfolio.escalate(ctx, public) == "publishing the showcase entry 'Sol Foods' for Sol Foods makes it public"
    draft = portfolio.validate_args({"subject": "Sol Foods", "title": "Sol Foods", "summary": "s"})
    assert await portfolio.escalate(ctx, draft) is None


async def test_a_suspicious_redemption_is_held_as_destructive_until_a_person_approves(brain: Brain) -> None:
    out = await brain.submit("redeem CASA-7K2 for maria@casaverde.mx", ACTOR, agent_hint="referral_system")
    assert out.status == "waiting" and out.approval is not None
    [held] = out.approval["calls"]
    assert (held["tool"], held["args"], held["risk"]) == (
        "gamification.referral_redeem", {"code": "CASA-7K2", "referee": "maria@casaverde.mx"}, "destructive")
    assert held["reason"].startswith("held: fraud score 60 (threshold 50): self_referral_domain +60: the referee's "
                                     "domain casaverde.mx is the referrer's email domain")
    [decision] = [e for e in await brain.ledger.for_run(out.run_id) if e["kind"] == "decision"]
    assert (decision["risk"], decision["outcome"]) == ("destructive", "ask")
    assert not [r for r in (await brain.services["gamification"].dump("demo"))["redemptions"]
                if r["referee"] == "maria@casaverde.mx"]  # nothing booked while it waits
    done = await brain.answer_approval(out.run_id, ACTOR, APPROVE_ALL)
    assert done.status == "done"
    [result] = done.results
    assert result["status"] == "ok"
    booked = result["result"]
    assert (booked["status"], booked["approved_by"], booked["fraud_score"]) == ("granted", "dana", 60)
    assert booked["cleared"]["by"] == "dana" and len(booked["rewards"]) == 2
    assert "granted (fraud score 60)" in (done.answer or "")


async def test_a_rejected_redemption_books_nothing(brain: Brain) -> None:
    out = await brain.submit("redeem CASA-7K2 for jane@mailinator.com", ACTOR, agent_hint="referral_system")
    assert out.approval is not None and "disposable_email +50" in out.approval["calls"][0]["reason"]
    done = await brain.answer_approval(out.run_id, ACTOR, ApprovalAnswer(all=CallAnswer(action="reject",
                                                                                         reason="looks fake")))
    assert done.status == "done" and done.results[0]["status"] == "rejected"
    state = await brain.services["gamification"].dump("demo")
    assert not [r for r in state["redemptions"] if r["referee"] == "jane@mailinator.com"]


async def test_a_public_showcase_entry_is_published_only_after_approval(brain: Brain) -> None:
    args = {"subject": "Sol Foods", "title": "Sol Foods: 200% more orders", "summary": "Orders tripled.",
            "visibility": "public"}
    model = ScriptedModel([tool_step(("gamification.portfolio_entry_create", args)),
                           message_step("Sol Foods tripled its online orders."),  # the entry's text
                           message_step("Published after approval.")])
    with use_model(model):
        out = await brain.submit("make Sol Foods' case study public", ACTOR, agent_hint="showcase_portfolio")
        assert out.approval is not None
        [ask] = out.approval["calls"]
        assert ask["risk"] == "destructive" and "makes it public" in ask["reason"]
        done = await brain.answer_approval(out.run_id, ACTOR, APPROVE_ALL)
    model.assert_complete()
    entry = done.results[0]["result"]
    assert (entry["status"], entry["approved_by"], entry["body"], entry["text_source"]) == (
        "published", "dana", "Sol Foods tripled its online orders.", "model:scripted")
