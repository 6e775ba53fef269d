"""Policy data: per-workflow HITL settings and rules narrowed by tenant, agent and tool."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Outcome(StrEnum):
    AUTO = "auto"
    ASK = "ask"
    DENY = "deny"


RiskName = Literal["read", "write", "destructive"]
Role = Literal["viewer", "operator", "tenant_admin", "super_admin"]
ROLE_RANK: dict[str, int] = {"viewer": 0, "operator": 1, "tenant_admin": 2, "super_admin": 3}


class WorkflowPolicy(BaseModel):
    """The HITL plan's settings for one workflow."""

    model_config = ConfigDict(extra="forbid")

    hitl: bool = True
    confidence_threshold: float = Field(default=0.9, ge=0.0, le=1.0)
    autonomous_destructive: list[str] = Field(default_factory=list, description="destructive tools allowed without asking")
    approver_role: Role = "operator"
    approval_timeout_minutes: int | None = Field(default=1440, ge=1, description="None: an approval waits forever")
    on_timeout: Literal["reject", "escalate"] = "reject"
    untrusted_writes: Literal["ask", "allow"] = Field(
        default="ask", description="a write whose arguments come from untrusted text (tool results, memories): "
                                   "ask a person whatever the confidence, or decide it as any other write")


class Rule(BaseModel):
    """An explicit outcome for the calls it matches. None on a key means 'any'."""

    model_config = ConfigDict(extra="forbid")

    id: str
    effect: Literal["allow", "ask", "deny"]
    workflow: str | None = None
    tenant: str | None = None
    agent: str | None = None
    tool: str | None = None
    risk: RiskName | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _narrowed(self) -> Rule:
        if not any((self.workflow, self.tenant, self.agent, self.tool, self.risk)):
            raise ValueError("a rule must name at least one of workflow, tenant, agent, tool, risk")
        return self

    def matches(self, call: CallFacts) -> bool:
        pairs = (
            (self.workflow, call.workflow),
            (self.tenant, call.tenant),
            (self.agent, call.agent),
            (self.tool, call.tool),
            (self.risk, call.risk),
        )
        return all(want is None or want == have for want, have in pairs)

    @property
    def specificity(self) -> int:
        # A tool or agent narrows more than a workflow; a tenant override beats a global rule.
        return (
            (8 if self.tool else 0)
            + (4 if self.agent else 0)
            + (2 if self.tenant else 0)
            + (1 if self.workflow or self.risk else 0)
        )


class WorkflowOverride(BaseModel):
    """A tenant's changes to one workflow's settings; unset fields keep the global value."""

    model_config = ConfigDict(extra="forbid")

    hitl: bool | None = None
    confidence_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    autonomous_destructive: list[str] | None = None
    approver_role: Role | None = None
    approval_timeout_minutes: int | None = Field(default=None, ge=1)
    on_timeout: Literal["reject", "escalate"] | None = None
    untrusted_writes: Literal["ask", "allow"] | None = None


class TenantOverrides(BaseModel):
    """What a tenant admin may change: its workflows' settings and rules narrowed to the tenant."""

    model_config = ConfigDict(extra="forbid")

    workflows: dict[str, WorkflowOverride] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)


class Policy(BaseModel):
    """One version of the whole policy."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    workflows: dict[str, WorkflowPolicy]
    rules: list[Rule] = Field(default_factory=list)

    def with_overrides(self, tenant: str, overrides: TenantOverrides, version: int) -> Policy:
        """The effective policy of one tenant: global settings, its overrides on top, its rules added."""
        workflows = dict(self.workflows)
        for name, change in overrides.workflows.items():
            base = workflows.get(name, WorkflowPolicy())
            workflows[name] = base.model_copy(update=change.model_dump(exclude_none=True))
        rules = [*self.rules, *(r.model_copy(update={"tenant": tenant}) for r in overrides.rules)]
        return Policy(version=version, workflows=workflows, rules=rules)


class CallFacts(BaseModel):
    """What the gate knows about one planned call."""

    model_config = ConfigDict(frozen=True)

    tool: str
    risk: RiskName
    workflow: str
    tenant: str
    agent: str
    # Argument paths taken from untrusted text (runtime/taint.py); empty: all from the request.
    tainted: tuple[str, ...] = ()


class Decision(BaseModel):
    """The gate's answer for one call."""

    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    reason: str
    rule_id: str | None
    policy_version: int
    confidence: float
    approver_role: str = "operator"
    approval_timeout_minutes: int | None = None
    on_timeout: str = "reject"
