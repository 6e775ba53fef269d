"""The default policy from the platform's HITL plan."""

from __future__ import annotations

from policies.model import Policy, Rule, WorkflowPolicy

KNOWN_WORKFLOWS = (
    "lead_processing",
    "product_sourcing",
    "campaign_optimization",
    "content_generation",
    "order_operations",
    "analytics_reporting",
    "gamification",
    "personal_assistance",
    "platform_admin",
)


def default_policy() -> Policy:
    """Workflows the plan names get its settings; the others keep HITL on."""
    workflows = {name: WorkflowPolicy(hitl=True, confidence_threshold=0.9) for name in KNOWN_WORKFLOWS}
    workflows.update(
        lead_processing=WorkflowPolicy(hitl=True, confidence_threshold=0.85),
        product_sourcing=WorkflowPolicy(hitl=True, confidence_threshold=0.90),
        campaign_optimization=WorkflowPolicy(hitl=False, confidence_threshold=0.75),
        content_generation=WorkflowPolicy(hitl=False, confidence_threshold=0.80),
    )
    rules = [
        Rule(id="global-memory-write", tool="memory.write", effect="allow",
             reason="memory.write is allowed without asking by a global rule"),
    ]
    return Policy(version=1, workflows=workflows, rules=rules)
