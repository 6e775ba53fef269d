"""Portfolio showcase entries: the template offline, the model's text when one is configured, one
entry per (subject, title), and a public entry that waits for approval before it is published."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from runtime.llm import ModelError, ModelReply
from runtime.services.gamification import GamificationFactory
from runtime.testing.model import ScriptedModel, message_step
from tests.services.gamification_support import bind, open_factory


@pytest.fixture
async def factory(db_url: str) -> AsyncIterator[GamificationFactory]:
    async with open_factory(db_url) as opened:
        yield opened


async def test_a_draft_from_the_template_with_the_tenant_data(factory: GamificationFactory) -> None:
    service = bind(factory)
    out = await service.create_portfolio_entry(
        "Casa Verde", "Casa Verde: 3x lead growth", "How we tripled Casa Verde's leads with local SEO.",
        metrics={"leads_per_month": "40 -> 120"}, achievement="First Referral", testimonial="They just get it.")
    assert (out["status"], out["visibility"], out["text_source"], out["updated"]) == ("draft", "draft", "template", False)
    assert out["body"] == "\n".join([
        "Casa Verde: 3x lead growth", "==========================", "",
        "How we tripled Casa Verde's leads with local SEO.", "", "Results:", "- leads per month: 40 -> 120", "",
        "Recognition:", "Casa Verde earned the First Referral achievement (a first referred client signed up).",
        "Evidence: Bright Dental signed up with CASA-7K2.", "Referred 2 new client(s) to us.", "", "\u201cThey just get it.\u201d \u2014 Casa Verde",
    ])
    again = await service.create_portfolio_entry("casa verde", "CASA VERDE: 3x lead growth", "Shorter.",
                                                 visibility="private")
    assert (again["updated"], again["status"], again["summary"]) == (True, "private", "Shorter.")
    assert len((await factory.dump("acme"))["portfolio_entries"]) == 1


async def test_a_public_entry_waits_for_approval(factory: GamificationFactory) -> None:
    out = await bind(factory).create_portfolio_entry("Sol Foods", "Sol Foods: 200% more orders", "Orders tripled.",
                                                     visibility="public")
    assert (out["status"], out["visibility"], out["approved_by"]) == ("awaiting_approval", "public", None)
    assert "approves" in out["next"]


async def test_the_model_writes_the_text_when_there_is_one(db_url: str) -> None:
    model = ScriptedModel([message_step("Sol Foods grew online orders by 200%."), message_step("  ")])
    async with open_factory(db_url, model=lambda: model) as factory:
        service = bind(factory)
        out = await service.create_portfolio_entry("Sol Foods", "Orders", "Orders tripled.", metrics={"orders": "+200%"})
        assert (out["body"], out["text_source"]) == ("Sol Foods grew online orders by 200%.", "model:scripted")
        prompt = model.calls[0].messages
        assert prompt[0]["role"] == "system" and "Use only the facts given" in prompt[0]["content"]
        assert '"orders": "+200%"' in prompt[1]["content"]
        empty = await service.create_portfolio_entry("Sol Foods", "Orders", "Orders tripled.")
        assert empty["text_source"] == "template (the model returned no text)"
        model.assert_complete()


async def test_a_failing_model_falls_back_to_the_template(db_url: str) -> None:
    def broken(messages: object, tools: object) -> ModelReply:
        raise ModelError("model x failed: timeout")

    model = ScriptedModel([broken])
    async with open_factory(db_url, model=lambda: model) as factory:
        out = await bind(factory).create_portfolio_entry("Beanbar", "Beanbar: year one", "A good year.")
    assert out["text_source"] == "template (the model failed: model x failed: timeout)"
    assert out["body"].startswith("Beanbar: year one\n")
