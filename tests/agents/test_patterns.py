"""The agents' request patterns: the offline planner turns their own examples into the right tool calls."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from agents.registry import load_specs
from agents.spec import AgentSpec
from runtime.planner import offline
from runtime.planner.base import Plan, PlanningContext
from runtime.planner.offline import OfflinePlanner
from runtime.understanding.slots import builtin_slots
from tools.registry import default_registry
from tools.spec import Risk

NOW = datetime(2026, 11, 25, 8, 4, tzinfo=UTC)
TOOLS = default_registry()
SPECS = {spec.id: spec for spec in load_specs()}


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plans with dates in them are checked against a fixed day."""
    monkeypatch.setattr(offline, "builtin_slots", lambda request: builtin_slots(request, now=NOW))


def plan(agent: str, request: str) -> Plan:
    return OfflinePlanner(TOOLS).plan(PlanningContext(agent=SPECS[agent], request=request, step=1, results=[]))


def calls(agent: str, request: str) -> list[tuple[str, dict[str, Any]]]:
    return [(c.tool, c.args) for c in plan(agent, request).calls]


def call_of(agent: str, request: str, tool: str) -> dict[str, Any]:
    found = [args for name, args in calls(agent, request) if name == tool]
    assert found, f"{agent} made no {tool} call for {request!r}: {calls(agent, request)}"
    return found[0]


# (agent, request, tool, the arguments that call must have)
REPRESENTATIVE = [
    # marketing & campaigns
    ("promo_code_manager", "Create code SPRING15 for 15% off orders over $50, valid until April 30", "saleor.voucher_create",
     {"code": "SPRING15", "discount_type": "percentage", "value": 15.0, "min_spend": 50.0, "ends_at": "2027-04-30T23:59:59Z"}),
    ("promo_code_manager", "Kill the SUMMER20 code, it leaked on a coupon site", "saleor.voucher_deactivate",
     {"code": "SUMMER20", "reason": "it leaked on a coupon site"}),
    ("sale_event_manager", "Run 20% off all Kitchen products from Friday to Monday", "saleor.discount_create",
     {"discount_type": "percentage", "value": 20.0, "categories": ["Kitchen"], "starts_at": "2026-11-27T00:00:00Z",
      "ends_at": "2026-11-30T23:59:59Z"}),
    ("announcement_broadcaster", "Broadcast to the team that the CRM is down Saturday from 10 to 12",
     "telegram.message_broadcast", {"audience": "team", "text": "CRM is down Saturday from 10 to 12"}),
    ("ad_copy_writer", "Write 5 Google ad headlines under 30 characters for the bamboo cutlery set", "saleor.product_search",
     {"query": "bamboo cutlery set"}),
    ("ad_copy_writer", "Give me two Meta ad variants for our free SEO audit offer", "text.compose",
     {"kind": "ad_copy", "context": "Platform: meta"}),
    # content & SEO
    ("page_publisher", "Take the summer promo page offline", "wagtail.page_unpublish", {"page": "summer promo"}),
    ("page_publisher", "Publish the launch post", "wagtail.page_publish", {"page": "launch"}),
    ("seo_metadata_optimizer", "change the slug of the web design page to web-design-austin", "wagtail.page_update",
     {"page": "web design", "slug": "web-design-austin"}),
    ("content_auditor", "Which pages haven't been updated in a year?", "wagtail.page_search", {"not_updated_days": 365}),
    ("image_alt_text_writer", "Update the alt text of the logo image to 'BizOSaaS logo'", "wagtail.image_update",
     {"image": "logo", "alt_text": "BizOSaaS logo"}),
    # e-commerce catalog
    ("pricing_optimizer", "Cut every product in the Clearance collection by 25% and round to the nearest 0.50",
     "saleor.price_bulk_update", {"collection": "Clearance", "change_percent": -25.0, "round_to": 0.5}),
    ("variant_manager", "Add a Green colour variant to the Ceramic Mug, SKU MUG-GRN-12, $12", "saleor.variant_upsert",
     {"sku": "MUG-GRN-12", "product": "Ceramic Mug", "attributes": {"Color": "Green"}, "price": 12.0}),
    ("stock_level_manager", "set SKU MUG-RED-12 to 200 at the main warehouse", "saleor.stock_update",
     {"sku": "MUG-RED-12", "warehouse": "main", "quantity": 200}),
    ("product_lifecycle_manager", "The Linen Apron is ready, publish it in the online channel", "saleor.product_publish",
     {"product": "Linen Apron", "channel": "online"}),
    # e-commerce orders
    ("refund_processor", "Refund $15 on order 1038, the mug arrived chipped", "saleor.order_refund",
     {"order": "1038", "amount": 15.0, "reason": "mug arrived chipped"}),
    ("order_fulfillment", "Ship order 1099 from Pune, tracking BD123456789IN", "saleor.order_fulfill",
     {"order": "1099", "warehouse": "Pune", "tracking_number": "BD123456789IN"}),
    ("order_cancellation", "Cancel order 1051, the customer changed their mind", "saleor.order_cancel",
     {"order": "1051", "reason": "customer changed their mind"}),
    ("manual_order_creator", "Confirm draft order D-88, they paid by bank transfer", "saleor.draft_order_complete",
     {"draft": "D-88"}),
    ("customer_profile_manager", "Remove the VIP tag from jon@example.com", "saleor.customer_update",
     {"customer": "jon@example.com", "remove_tags": ["VIP"]}),
    # CRM & sales
    ("lead_capture", "Add a lead: Maria Lopez, marketing head at Casa Verde, maria@casaverde.mx, met at the expo",
     "crm.lead_create", {"first_name": "Maria", "last_name": "Lopez", "email": "maria@casaverde.mx",
                         "company_name": "Casa Verde", "job_title": "marketing head", "source": "expo"}),
    ("deal_pipeline_manager", "Mark the Beanbar deal lost, they went with a cheaper agency", "crm.opportunity_update",
     {"opportunity": "Beanbar", "stage": "Closed Lost", "lost_reason": "they went with a cheaper agency"}),
    ("lead_conversion", "Convert the Casa Verde lead into a deal worth $24k closing at the end of the month",
     "crm.lead_convert", {"lead": "Casa Verde", "amount": 24000.0, "close_date": "2026-11-30"}),
    ("sales_task_manager", "Create a task for Jake: call Sol Foods by Thursday, high priority", "crm.task_create",
     {"title": "call Sol Foods", "due": "2026-11-26", "owner": "Jake", "priority": "High"}),
    ("contact_manager", "Add Tom Reed as CFO at Casa Verde, tom@casaverde.mx", "crm.contact_upsert",
     {"email": "tom@casaverde.mx", "first_name": "Tom", "last_name": "Reed", "title": "CFO", "account": "Casa Verde"}),
    ("meeting_notes_logger", "Log my lunch meeting with Tom Reed, he mentioned they're hiring a CMO", "crm.note_add",
     {"related_to": "contact:Tom Reed", "body": "he mentioned they're hiring a CMO"}),
    # analytics & BI
    ("kpi_snapshot_reporter", "Give me this month's KPIs against last month", "superset.chart_data",
     {"chart": "Revenue by week", "time_range": "2026-11-01 : 2026-12-01"}),
    ("dashboard_finder", "What charts are on the Executive dashboard?", "superset.chart_list", {"dashboard": "Executive"}),
    ("sql_data_analyst", "Which city has the most customers?", "superset.sql_query",
     {"database": "analytics",
      "sql": "SELECT city, COUNT(*) AS customers FROM customers GROUP BY city ORDER BY customers DESC LIMIT 10"}),
    ("tenant_usage_reporter", "How many runs did the Sol Foods tenant make in Q3?", "superset.sql_query",
     {"database": "analytics"}),
    # gamification
    ("referral_system", "Create a gold-tier referral code for Beanbar on bizoholic, expires Dec 31",
     "gamification.referral_code_create",
     {"referrer": "Beanbar", "platform": "bizoholic", "reward_tier": "gold", "expires_at": "2026-12-31"}),
    ("achievement_system", "Award Beanbar the First 100 Orders badge", "gamification.achievement_award",
     {"subject": "Beanbar", "achievement": "First 100 Orders"}),
    ("leaderboard", "Make Beanbar anonymous on the public leaderboards", "gamification.leaderboard_visibility_set",
     {"subject": "Beanbar", "visibility": "anonymous"}),
    # personal assistant
    ("reminder_manager", "Remind me every Monday at 9 to send invoices", "scheduler.reminder_create",
     {"text": "send invoices", "at": "2026-11-30T09:00:00Z", "recurrence": "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0"}),
    ("medication_reminder_manager", "Remind Mom to take metformin 500mg at 8am and 8pm every day",
     "scheduler.reminder_create", {"recipient": "Mom", "recurrence": "FREQ=DAILY;BYHOUR=8,20;BYMINUTE=0",
                                   "at": "2026-11-25T20:00:00Z", "category": "medication"}),
    ("family_update_notifier", "Let Aunt Rita know Mom's appointment moved to Thursday", "telegram.message_send",
     {"user": "Aunt Rita", "text": "Mom's appointment moved to Thursday"}),
    ("health_log_keeper", "Log Dad's blood pressure, 142 over 88 this morning", "memory.write",
     {"kind": "health_log", "subject": "Dad"}),
    # platform, operations & directory
    ("directory_listing_manager", "Add Beanbar Cafe to the directory under Coffee Shops, 12 High St, open 7 to 7",
     "wagtail.page_create_draft", {"parent": "/directory/", "page_type": "directory_listing", "title": "Beanbar Cafe",
                                   "fields": {"category": "Coffee Shops", "address": "12 High St", "hours": "7 to 7"}}),
    ("knowledge_base_curator", "Remember: our refund policy is 30 days, unused items only", "memory.write",
     {"kind": "policy", "text": "refund policy is 30 days, unused items only"}),
    ("privacy_request_handler", "Delete everything in the CRM for jake@sunrisebakery.com, the request is verified",
     "crm.record_delete", {"kind": "lead", "record": "jake@sunrisebakery.com"}),
]


@pytest.mark.parametrize(("agent", "request_text", "tool", "expected"), REPRESENTATIVE,
                         ids=[f"{case[0]}: {case[1]}" for case in REPRESENTATIVE])
def test_representative_examples_make_the_expected_call(
    agent: str, request_text: str, tool: str, expected: dict[str, Any]
) -> None:
    assert request_text in SPECS[agent].examples
    args = call_of(agent, request_text, tool)
    assert {key: args.get(key) for key in expected} == expected


def test_a_text_writer_composes_with_the_request() -> None:
    args = call_of("email_campaign_writer", "Write a 3-email welcome series for new store subscribers", "text.compose")
    assert args == {"kind": "email", "instructions": "Write a 3-email welcome series for new store subscribers"}


def test_analytics_sql_is_a_single_select_with_the_named_period() -> None:
    args = call_of("ecommerce_sales_reporter", "Revenue by category this year", "superset.sql_query")
    assert args["sql"].startswith("SELECT p.category")
    assert "BETWEEN '2026-01-01' AND '2026-12-31'" in args["sql"]


def test_an_unverified_erasure_only_looks_the_person_up() -> None:
    made = [tool for tool, _ in calls("privacy_request_handler", "Erase all CRM records for maria@casaverde.mx, she asked under GDPR")]
    assert "crm.record_delete" not in made
    assert {"crm.lead_search", "crm.contact_search", "saleor.customer_search"} <= set(made)


def test_a_missing_required_argument_becomes_a_question() -> None:
    answer = plan("deal_pipeline_manager", "Open an upsell deal on Casa Verde for social media management, $1,500").answer
    assert answer is not None and "close date" in answer


ALL_EXAMPLES = [(spec, text) for spec in SPECS.values() for text in spec.examples]


def test_at_least_three_quarters_of_all_examples_become_tool_calls() -> None:
    planner = OfflinePlanner(TOOLS)
    with_calls = sum(
        bool(planner.plan(PlanningContext(agent=spec, request=text, step=1, results=[])).calls)
        for spec, text in ALL_EXAMPLES
    )
    assert with_calls / len(ALL_EXAMPLES) >= 0.75, f"{with_calls}/{len(ALL_EXAMPLES)} examples made tool calls"


@pytest.mark.parametrize("spec", list(SPECS.values()), ids=list(SPECS))
def test_every_plan_is_calls_or_an_answer(spec: AgentSpec) -> None:
    planner = OfflinePlanner(TOOLS)
    for text in spec.examples:
        result = planner.plan(PlanningContext(agent=spec, request=text, step=1, results=[]))
        assert result.calls or result.answer, f"{spec.id} made an empty plan for {text!r}"


@pytest.mark.parametrize("spec", [s for s in SPECS.values() if s.patterns], ids=[s.id for s in SPECS.values() if s.patterns])
def test_a_catch_all_pattern_makes_no_destructive_call(spec: AgentSpec) -> None:
    for pattern in spec.patterns:
        if pattern.match in (".", "^", ".*"):
            risky = [call.tool for call in pattern.calls if TOOLS.get(call.tool).risk is Risk.DESTRUCTIVE]
            assert not risky, f"{spec.id}: its catch-all pattern calls {risky}"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_slot_names_in_templates_are_ones_the_planner_can_fill() -> None:
    """A template slot name is lower snake case without digits, or the planner leaves it as literal text."""
    bad = {
        (spec.id, name)
        for spec in SPECS.values()
        for pattern in spec.patterns
        for call in pattern.calls
        for text in _strings(call.args)
        for name in re.findall(r"\{([^{}|]+)(?:\|[^{}]*)?\}", text)
        if not re.fullmatch(r"[a-z_]+", name)
    }
    assert not bad


def test_a_long_pasted_request_costs_linear_time() -> None:
    """Patterns are anchored so a long paste (an email thread) costs about linear time, not quadratic.

    Measured as a ratio on the same machine in the same moment (4x the text: about 4x the time when
    linear, 16x when quadratic), so a busy machine does not decide it; speed itself is a benchmark's.
    """
    import time

    line = ("Hi team, following up on the proposal for order 1042 from a buyer at a food shop, we need "
            "the $1,200 invoice by Friday at 5pm, call +1 512 555 0199. ")
    planner = OfflinePlanner(TOOLS)

    def cost(request: str) -> float:
        best = float("inf")
        for _ in range(2):
            started = time.process_time()
            for spec in SPECS.values():
                planner.plan(PlanningContext(agent=spec, request=request, step=1, results=[]))
            best = min(best, time.process_time() - started)
        return best

    short, long = cost(line * 8), cost(line * 32)
    assert long < 10 * max(short, 1e-3), (short, long)
