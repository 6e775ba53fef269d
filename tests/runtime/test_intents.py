"""Tool intents: the offline planner's reading of requests no agent pattern fits, in any word order.

Each case is a request, the tools the agent may use, and the calls expected (tool and the arguments
that matter); the arguments are also validated against the tool's own args model.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from agents.registry import load_specs
from runtime.planner.base import PlanningContext
from runtime.planner.intents import INTENTS, clause, plan_intents, split_names
from runtime.planner.offline import OfflinePlanner, catches_all
from runtime.understanding.mentions import resolve_references
from runtime.understanding.slots import builtin_slots
from tools.registry import default_registry

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
TOOLS = default_registry()

CASES: list[tuple[str, list[str], list[tuple[str, dict[str, Any]]]]] = [
    ("customer on 1203 emailed to say she no longer wants it, please cancel",
     ["saleor.order_cancel"], [("saleor.order_cancel", {"order": "1203"})]),
    ("order #1088 is a fraud attempt, cancel it", ["saleor.order_cancel"], [("saleor.order_cancel", {"order": "1088"})]),
    ("give back 22.50 on #1219, one of the glasses came cracked",
     ["saleor.order_refund"], [("saleor.order_refund", {"order": "1219", "amount": "22.50"})]),
    ("1187 left the warehouse today, Blue Dart AWB 50213344871, mark it fulfilled",
     ["saleor.order_fulfill"], [("saleor.order_fulfill", {"order": "1187", "tracking_number": "50213344871"})]),
    ("refund order 3038 in full and cancel order 3039, same customer, both wrong",
     ["saleor.order_refund", "saleor.order_cancel"],
     [("saleor.order_refund", {"order": "3038"}), ("saleor.order_cancel", {"order": "3039"})]),
    ("cancel order 3050 (customer changed mind) and refund what they paid",
     ["saleor.order_refund", "saleor.order_cancel"],
     [("saleor.order_cancel", {"order": "3050"}), ("saleor.order_refund", {"order": "3050"})]),
    ("Add a new product: Glass Teapot 1L, product type Teaware, category Kitchen, price $34, SKU TEA-GL-1L",
     ["saleor.product_create", "saleor.product_update"],
     [("saleor.product_create", {"name": "Glass Teapot 1L", "product_type": "Teaware", "category": "Kitchen",
                                 "price": "34", "sku": "TEA-GL-1L"})]),
    ("import from the supplier: Bamboo Toothbrush 4-pack, cost $2.40, price at 2.5x cost, type Personal Care, category Bathroom",
     ["saleor.product_create"],
     [("saleor.product_create", {"name": "Bamboo Toothbrush 4-pack", "cost_price": "2.40", "price": "6"})]),
    ("red mug should be 13 dollars now, supplier went up", ["saleor.product_update"],
     [("saleor.product_update", {"product": "red mug", "price": "13"})]),
    ("rename Steel Bottle 750 to Steel Water Bottle 750ml pls", ["saleor.product_update"],
     [("saleor.product_update", {"product": "Steel Bottle 750", "name": "Steel Water Bottle 750ml"})]),
    ("cost price on MUG-RED-12 is 4.25 now", ["saleor.variant_upsert", "saleor.product_update"],
     [("saleor.variant_upsert", {"sku": "MUG-RED-12", "cost_price": "4.25"})]),
    ("we discontinued the blue vase, take it off the store", ["saleor.product_unpublish", "saleor.product_update"],
     [("saleor.product_unpublish", {"product": "blue vase"})]),
    ("phone order from orders@sunrisebakery.co: 36 x MUG-RED-12 and 36 x SAU-WHT-01, they get code TRADE15",
     ["saleor.draft_order_create"],
     [("saleor.draft_order_create", {"customer": "orders@sunrisebakery.co", "voucher_code": "TRADE15",
                                     "lines": [{"sku": "MUG-RED-12", "quantity": 36}, {"sku": "SAU-WHT-01", "quantity": 36}]})]),
    ("Summer Promo is over, pull that page from the site", ["wagtail.page_unpublish"],
     [("wagtail.page_unpublish", {"page": "Summer Promo"})]),
    ("set the SEO title of the About page to 'About Bizoholic | Austin Marketing Agency' and publish it",
     ["wagtail.page_update", "wagtail.page_publish", "wagtail.page_get"],
     [("wagtail.page_update", {"page": "About", "seo_title": "About Bizoholic | Austin Marketing Agency"}),
      ("wagtail.page_publish", {"page": "About"})]),
    ("change the slug of the Our Team page to just team", ["wagtail.page_update"],
     [("wagtail.page_update", {"page": "Our Team", "slug": "team"})]),
    ("score karen@wufamilydental.com 72 WARM", ["crm.lead_score_update", "crm.lead_search"],
     [("crm.lead_score_update", {"lead": "karen@wufamilydental.com", "score": 72, "rating": "WARM"})]),
    ("Karen Wu's lead should go to Marcus, he handles dental", ["crm.lead_assign"],
     [("crm.lead_assign", {"lead": "Karen Wu", "owner": "Marcus"})]),
    ("merge contact m.lopez@gmail.com into maria@casaverde.mx", ["crm.record_merge"],
     [("crm.record_merge", {"kind": "contact", "keep": "maria@casaverde.mx", "merge": ["m.lopez@gmail.com"]})]),
    ("aisha@solfoods.com asked us not to phone her, mark do not call", ["crm.contact_upsert"],
     [("crm.contact_upsert", {"email": "aisha@solfoods.com", "do_not_call": True})]),
    ("add account Peak Fitness, peakfitness.co, 45 employees, based in Denver", ["crm.account_upsert"],
     [("crm.account_upsert", {"name": "Peak Fitness", "employees": 45, "city": "Denver"})]),
    ("mark the Casa Verde SEO deal won at 30k", ["crm.opportunity_update"],
     [("crm.opportunity_update", {"opportunity": "Casa Verde SEO", "stage": "Closed Won", "amount": "30000"})]),
    ("convert daniel@greenline.io, deal is 12000", ["crm.lead_convert"],
     [("crm.lead_convert", {"lead": "daniel@greenline.io", "amount": "12000"})]),
    ("move the Call Beanbar task to 2026-12-04 and make it high priority", ["crm.task_update"],
     [("crm.task_update", {"task": "Call Beanbar", "due": "2026-12-04", "priority": "High"})]),
]

# Requests that must not become writes: questions, a GDPR access request, a change without its value.
NO_WRITE = [
    ("GDPR access request from lena@fischer-design.de: list what we store about her", ["crm.record_delete"]),
    ("what should I tackle first today? look at my tasks and reminders", ["scheduler.reminder_create"]),
    ("change the price of the red mug", ["saleor.product_update"]),
    ("show me orders I should cancel", ["saleor.order_cancel"]),
    ("refund order 1203", ["saleor.order_cancel", "wagtail.page_publish"]),  # a tool the agent lacks is never planned
    ("convert him into a deal worth 18k", ["crm.lead_convert"]),  # who "him" is, no word says: a question
]


def _subset(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _subset(v, actual[k]) for k, v in expected.items())
    return bool(expected == actual)


@pytest.mark.parametrize(("request_text", "tools", "expected"), CASES, ids=[c[0][:50] for c in CASES])
def test_an_intent_reads_the_call_in_any_word_order(request_text: str, tools: list[str],
                                                    expected: list[tuple[str, dict[str, Any]]]) -> None:
    calls = plan_intents(request_text, builtin_slots(request_text, now=NOW), tools)
    assert [tool for tool, _ in calls] == [tool for tool, _ in expected], calls
    for (tool, args), (_, want) in zip(calls, expected, strict=True):
        assert _subset(want, args), (tool, args)
        TOOLS.get(tool).validate_args(args)  # every planned call fits its tool's args model


@pytest.mark.parametrize(("request_text", "tools"), NO_WRITE, ids=[c[0][:50] for c in NO_WRITE])
def test_no_write_is_read_into_a_question_or_a_change_without_its_value(request_text: str, tools: list[str]) -> None:
    calls = plan_intents(request_text, builtin_slots(request_text, now=NOW), tools)
    assert [(tool, args) for tool, args in calls if _valid(tool, args)] == []


def _valid(tool: str, args: dict[str, Any]) -> bool:
    try:
        TOOLS.get(tool).validate_args(args)
    except ValidationError:
        return False
    return True


def test_every_intent_names_a_catalog_tool_that_writes() -> None:
    for intent in INTENTS:
        assert TOOLS.get(intent.tool).risk.value != "read", intent.tool


def test_each_call_reads_its_own_clause() -> None:
    request = "refund order 3038 in full and cancel order 3039"
    assert clause(request, 0, [0, 30]) == "refund order 3038 in full"
    assert clause(request, 30, [0, 30]) == "cancel order 3039"


def test_the_planner_prefers_an_intent_to_the_agents_catch_all_and_keeps_its_specific_patterns() -> None:
    planner = OfflinePlanner(TOOLS)
    agent = next(spec for spec in load_specs() if spec.id == "order_cancellation")
    assert any(catches_all(p) for p in agent.patterns)

    def plan(text: str) -> list[tuple[str, dict[str, Any]]]:
        result = planner.plan(PlanningContext(agent=agent, request=text, step=1, results=[]))
        return [(c.tool, c.args) for c in result.calls]

    calls = plan("order #1088 is a fraud attempt, cancel it")
    assert [(t, a["order"]) for t, a in calls] == [("saleor.order_cancel", "1088")]
    # Its own pattern still decides what it was written for, and its catch-all what no intent reads.
    assert plan("Can order 1077 still be cancelled? It hasn't shipped right?")[0][0] == "saleor.order_get"
    assert plan("anything stuck?")[0][0] == "saleor.order_list"


@pytest.mark.parametrize(("request_text", "field", "value"), [
    ("Tom Reed went with an in-house person, close his lead", "status", "closed"),
    ("Jenny Park isnt ready until next year, put her back into nurture", "status", "recycled"),
    ("discovery call with Daniel Okafor done - he's the decision maker and needs it live by feb.", "stage", "Qualified"),
])
def test_a_lead_change_is_a_status_or_a_pipeline_stage(request_text: str, field: str, value: str) -> None:
    calls = plan_intents(request_text, builtin_slots(request_text, now=NOW), ["crm.lead_update"])
    assert [(tool, args.get(field)) for tool, args in calls] == [("crm.lead_update", value)]
    TOOLS.get("crm.lead_update").validate_args(calls[0][1])


@pytest.mark.parametrize(("agent_id", "request_text", "field"), [
    ("order_cancellation", "please cancel the order, buyer doesn't want it anymore", "order"),
    ("lead_capture", "add a lead", "first name"),
    ("reminder_manager", "remind me", "at"),
])
def test_a_change_asked_for_without_its_object_becomes_a_question(agent_id: str, request_text: str, field: str) -> None:
    agent = next(spec for spec in load_specs() if spec.id == agent_id)
    plan = OfflinePlanner(TOOLS).plan(PlanningContext(agent=agent, request=request_text, step=1, results=[]))
    assert plan.calls == [] and plan.answer == f"To do that I need the {field}. Could you tell me?"


@pytest.mark.parametrize(("written", "items"), [
    ("Wool Scarf and the Puffer Vest", ["Wool Scarf", "Puffer Vest"]),
    ("Bamboo Cutlery Set, Beeswax Wraps and Steel Straws", ["Bamboo Cutlery Set", "Beeswax Wraps", "Steel Straws"]),
    ("Salt and Pepper Set", ["Salt and Pepper Set"]),  # one product whose name has an "and"
])
def test_a_list_of_names_written_in_words_becomes_its_items(written: str, items: list[str]) -> None:
    assert split_names(written) == items


def test_pattern_slots_lose_trailing_pleasantries_and_a_field_word_is_not_part_of_a_name() -> None:
    agent = next(spec for spec in load_specs() if spec.id == "product_catalog_manager")
    plan = OfflinePlanner(TOOLS).plan(PlanningContext(agent=agent, request="rename Steel Bottle 750 to Steel Water Bottle 750ml pls",
                                                      step=1, results=[]))
    assert [(c.tool, c.args.get("name")) for c in plan.calls] == [("saleor.product_update", "Steel Water Bottle 750ml")]
    request = "update the Linen Apron description to: Heavy washed linen apron with two front pockets."
    calls = plan_intents(request, builtin_slots(request, now=NOW), ["saleor.product_update"])
    assert calls == [("saleor.product_update", {"product": "Linen Apron",
                                                "description": "Heavy washed linen apron with two front pockets."})]


@pytest.mark.parametrize(("before", "later", "resolved"), [
    ("write a blog post titled 'Why We Switched to Glass Teapots'", "publish it straight away",
     "publish Why We Switched to Glass Teapots straight away"),
    ("add Omar Haddad (omar@haddadlaw.com, Haddad Law) as a lead", "assign him to Jake", "assign omar@haddadlaw.com to Jake"),
    ("merge the duplicate lead daniel.okafor@gmail.com into daniel@greenline.io", "give the lead to Jake",
     "give daniel@greenline.io to Jake"),
    ("change the SEO title of the About page to 'About Us | Bizoholic'", "publish it", "publish About"),
    ("write a new description for the Linen Apron", "set its SEO title to 'Linen Apron | Heavy Duty'",
     "set the SEO title of Linen Apron to 'Linen Apron | Heavy Duty'"),
    ("cancel order 3050", "refund what they paid", "refund what order 3050 paid"),
    ("score last week's leads", "send the hot ones a welcome email", "send the hot ones a welcome email"),
])
def test_a_later_part_of_a_request_names_what_the_earlier_part_acted_on(before: str, later: str, resolved: str) -> None:
    assert resolve_references(later, before) == resolved


@pytest.mark.parametrize(("request_text", "tool", "objects"), [
    ("winter's over, unpublish the Wool Scarf and the Puffer Vest", "saleor.product_unpublish", ["Wool Scarf", "Puffer Vest"]),
    ("publish the About, Pricing and Contact pages", "wagtail.page_publish", ["About", "Pricing", "Contact"]),
    ("publish the Salt and Pepper Set", "saleor.product_publish", ["Salt and Pepper Set"]),
])
def test_objects_listed_after_the_words_are_one_call_each(request_text: str, tool: str, objects: list[str]) -> None:
    key = "page" if tool.startswith("wagtail") else "product"
    calls = plan_intents(request_text, builtin_slots(request_text, now=NOW), [tool])
    assert [(t, args[key]) for t, args in calls] == [(tool, name) for name in objects]
