"""decide(): the default policy table, rule precedence, and properties over random inputs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.decide import decide
from policies.defaults import KNOWN_WORKFLOWS, default_policy
from policies.model import CallFacts, Outcome, Policy, Rule, WorkflowPolicy


def facts(tool: str = "saleor.product_update", risk: str = "write", workflow: str = "product_sourcing",
          tenant: str = "acme", agent: str = "product_catalog_manager") -> CallFacts:
    return CallFacts(tool=tool, risk=risk, workflow=workflow, tenant=tenant, agent=agent)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("workflow", "risk", "confidence", "expected"),
    [
        ("product_sourcing", "read", 0.1, Outcome.AUTO),
        ("product_sourcing", "write", 0.99, Outcome.ASK),        # hitl on 0.90
        ("lead_processing", "write", 0.99, Outcome.ASK),         # hitl on 0.85
        ("campaign_optimization", "write", 0.80, Outcome.AUTO),  # hitl off 0.75
        ("campaign_optimization", "write", 0.70, Outcome.ASK),
        ("content_generation", "write", 0.80, Outcome.AUTO),     # hitl off 0.80, boundary allows
        ("content_generation", "write", 0.79, Outcome.ASK),
        ("content_generation", "destructive", 0.99, Outcome.ASK),
        ("order_operations", "write", 0.99, Outcome.ASK),        # not in the plan: hitl on
        ("analytics_reporting", "read", 0.5, Outcome.AUTO),
        ("no_such_workflow", "read", 0.99, Outcome.ASK),         # unknown workflow asks
    ],
)
def test_default_policy_table(workflow: str, risk: str, confidence: float, expected: Outcome) -> None:
    decision = decide(facts(workflow=workflow, risk=risk), confidence, 1.0, default_policy())
    assert decision.outcome is expected
    assert decision.policy_version == 1
    assert decision.confidence == pytest.approx(confidence)
    assert decision.reason


def test_memory_write_is_allowed_by_the_global_rule() -> None:
    decision = decide(facts(tool="memory.write", workflow="product_sourcing"), 0.2, 0.2, default_policy())
    assert decision.outcome is Outcome.AUTO
    assert decision.rule_id == "global-memory-write"


def test_confidence_is_the_lower_of_route_and_plan() -> None:
    decision = decide(facts(workflow="campaign_optimization"), 0.95, 0.5, default_policy())
    assert decision.outcome is Outcome.ASK
    assert decision.confidence == 0.5


def test_most_specific_rule_wins_and_deny_beats_allow() -> None:
    policy = Policy(
        version=7,
        workflows={"product_sourcing": WorkflowPolicy(hitl=True)},
        rules=[
            Rule(id="tenant-allow", tenant="acme", workflow="product_sourcing", effect="allow"),
            Rule(id="tool-ask", tenant="acme", tool="saleor.product_update", effect="ask"),
        ],
    )
    decided = decide(facts(), 1.0, 1.0, policy)
    assert (decided.outcome, decided.rule_id, decided.policy_version) == (Outcome.ASK, "tool-ask", 7)
    assert decide(facts(tool="saleor.product_create"), 1.0, 1.0, policy).rule_id == "tenant-allow"
    policy.rules.append(Rule(id="global-deny", workflow="product_sourcing", effect="deny"))
    assert decide(facts(), 1.0, 1.0, policy).outcome is Outcome.DENY


def test_destructive_runs_alone_only_when_listed() -> None:
    policy = Policy(workflows={"order_operations": WorkflowPolicy(hitl=False, confidence_threshold=0.5,
                                                                  autonomous_destructive=["saleor.order_cancel"])})
    cancel = facts(tool="saleor.order_cancel", risk="destructive", workflow="order_operations")
    refund = facts(tool="saleor.order_refund", risk="destructive", workflow="order_operations")
    assert decide(cancel, 0.9, 0.9, policy).outcome is Outcome.AUTO
    assert decide(refund, 0.9, 0.9, policy).outcome is Outcome.ASK


def test_a_rule_must_narrow_something() -> None:
    with pytest.raises(ValueError, match="at least one"):
        Rule(id="bad", effect="allow")


rule_fields = st.fixed_dictionaries({
    "id": st.text("abc", min_size=1, max_size=3),
    "effect": st.sampled_from(["allow", "ask", "deny"]),
    "workflow": st.sampled_from([None, "product_sourcing", "lead_processing"]),
    "tenant": st.sampled_from([None, "acme", "beta"]),
    "tool": st.sampled_from([None, "saleor.product_update", "crm.lead_create"]),
    "risk": st.sampled_from([None, "read", "write", "destructive"]),
}).filter(lambda d: any(d[k] for k in ("workflow", "tenant", "tool", "risk")))
rules_strategy = st.lists(rule_fields.map(lambda d: Rule(**d)), max_size=6)


@given(
    rules=rules_strategy,
    risk=st.sampled_from(["read", "write", "destructive"]),
    workflow=st.sampled_from([*KNOWN_WORKFLOWS, "unknown"]),
    route=st.floats(0, 1),
    plan=st.floats(0, 1),
)
def test_properties(rules: list[Rule], risk: str, workflow: str, route: float, plan: float) -> None:
    policy = default_policy().model_copy(update={"rules": rules})
    call = facts(risk=risk, workflow=workflow)
    decision = decide(call, route, plan, policy)
    matching = [r for r in rules if r.matches(call)]
    if any(r.effect == "deny" for r in matching):
        assert decision.outcome is Outcome.DENY
    elif not matching and risk == "destructive" or not matching and workflow == "unknown":
        assert decision.outcome is Outcome.ASK
    elif not matching and risk == "read":
        assert decision.outcome is Outcome.AUTO
    assert 0.0 <= decision.confidence <= 1.0
    assert decide(call, route, plan, policy) == decision  # pure: same input, same answer
