"""The gate's decision as a pure function of the call, the confidences and the policy."""

from __future__ import annotations

from policies.model import CallFacts, Decision, Outcome, Policy, Rule


def decide(call: CallFacts, route_confidence: float, plan_confidence: float, policy: Policy) -> Decision:
    """auto | ask | deny for one call (semantics in shared/DESIGN.md, 'Policy semantics').

    Explicit rules first: any matching deny wins. A write whose arguments come from untrusted text
    asks a person next (unless its workflow sets `untrusted_writes: allow`), before any allowing
    rule. Otherwise the most specific matching rule, then the workflow's settings by risk class.
    An unknown workflow asks.
    """
    confidence = round(min(route_confidence, plan_confidence), 4)
    workflow = policy.workflows.get(call.workflow)

    def made(outcome: Outcome, reason: str, rule: Rule | None = None) -> Decision:
        return Decision(
            outcome=outcome, reason=reason, rule_id=rule.id if rule else None,
            policy_version=policy.version, confidence=confidence,
            approver_role=workflow.approver_role if workflow else "operator",
            approval_timeout_minutes=workflow.approval_timeout_minutes if workflow else 1440,
            on_timeout=workflow.on_timeout if workflow else "reject",
        )

    matching = [rule for rule in policy.rules if rule.matches(call)]
    denials = [rule for rule in matching if rule.effect == "deny"]
    if denials:
        rule = max(denials, key=lambda r: r.specificity)
        return made(Outcome.DENY, rule.reason or f"rule {rule.id} denies {call.tool}", rule)
    if call.tainted and call.risk != "read" and (workflow is None or workflow.untrusted_writes == "ask"):
        return made(Outcome.ASK, f"{call.tool} was planned from untrusted text (arguments "
                                 f"{', '.join(call.tainted)} come from tool results or memories, not the request): "
                                 "a person decides")
    if matching:
        top = max(rule.specificity for rule in matching)
        best = [rule for rule in matching if rule.specificity == top]
        # Among equally specific rules, asking beats allowing.
        rule = next((r for r in best if r.effect == "ask"), best[0])
        if rule.effect == "ask":
            return made(Outcome.ASK, rule.reason or f"rule {rule.id} asks a person for {call.tool}", rule)
        return made(Outcome.AUTO, rule.reason or f"rule {rule.id} allows {call.tool}", rule)

    if workflow is None:
        return made(Outcome.ASK, f"no policy for workflow {call.workflow!r}: a person decides")
    if call.risk == "read":
        return made(Outcome.AUTO, "read-only call")
    if call.risk == "destructive" and call.tool not in workflow.autonomous_destructive:
        return made(Outcome.ASK, f"{call.tool} is destructive: a person decides")
    if workflow.hitl:
        return made(Outcome.ASK, f"HITL is on for {call.workflow}: every write asks a person")
    if confidence >= workflow.confidence_threshold:
        return made(
            Outcome.AUTO,
            f"confidence {confidence:.2f} >= {workflow.confidence_threshold:.2f} threshold of {call.workflow}",
        )
    return made(
        Outcome.ASK,
        f"confidence {confidence:.2f} < {workflow.confidence_threshold:.2f} threshold of {call.workflow}",
    )
