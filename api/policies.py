"""The HITL plan's policy routes: toggle HITL, set the confidence threshold, the autonomous
destructive tools, read the effective policy and its versions, restore a version.

Who may edit is the PolicyStore's rule (its PermissionError becomes a 403 with the reason):
a super_admin edits the global policy by default, or a tenant's overrides with `?tenant=`;
a tenant_admin edits its own tenant's overrides; nobody else edits anything. A tenant named with
`?tenant=` (or `scope=`) must exist: 404 naming it otherwise (`brain tenants add` creates one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import PREFIX, BrainDep, Caller
from api.errors import ERROR_RESPONSES, ApiError
from api.models import PlainText
from policies.model import WorkflowPolicy
from policies.store import GLOBAL, UnknownTenant, check_editor
from runtime.brain import Brain
from runtime.runs import Actor
from tools.registry import UnknownTool
from tools.spec import Risk

router = APIRouter(prefix=PREFIX, tags=["policies"], responses=ERROR_RESPONSES)

TenantQuery = Annotated[PlainText | None, Query(min_length=1, max_length=200, description=(
    "the tenant whose overrides to edit or read; default: the global policy for a super_admin, "
    "your own tenant otherwise"))]
WorkflowPath = Annotated[str, Path(max_length=100, description="a workflow of the policy, e.g. product_sourcing")]


def edit_scope(actor: Actor, tenant: str | None) -> str:
    """The scope an edit goes to; 403 with the reason when the actor may not edit it."""
    scope = tenant or (GLOBAL if actor.role == "super_admin" else actor.tenant)
    check_editor(scope, actor.tenant, actor.role)
    return scope


def read_tenant(actor: Actor, tenant: str | None) -> str:
    """The tenant whose policy the actor reads: its own, or any for a super_admin."""
    if tenant and tenant != actor.tenant and actor.role != "super_admin":
        raise PermissionError(f"only a super_admin reads another tenant's policy (you are {actor.role} of {actor.tenant!r})")
    return tenant or actor.tenant


async def known_tenant(brain: Brain, actor: Actor, tenant: str) -> str:
    """The tenant, when it exists (the caller's own always does); 404 naming it otherwise."""
    if tenant not in (GLOBAL, actor.tenant) and not await brain.policies.tenant_exists(tenant):
        raise ApiError(404, str(UnknownTenant(tenant)), field="tenant")
    return tenant


async def _settings(brain: Brain, scope: str, workflow: str) -> WorkflowPolicy:
    policy = await brain.policies.effective(scope)
    if workflow not in policy.workflows:
        known = ", ".join(sorted(policy.workflows))
        raise ApiError(404, f"workflow: no workflow {workflow!r} in the policy; known: {known}", field="workflow")
    return policy.workflows[workflow]


class WorkflowSettings(BaseModel):
    """A workflow's settings in one scope after an edit (global, or a tenant's effective settings)."""

    scope: str
    workflow: str
    version: int | None = Field(description="the policy version the edit made (null on reads)")
    settings: WorkflowPolicy


class ToggleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(description="HITL on (every write asks a person) or off (writes run above the threshold)")


class ThresholdBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"threshold": 0.85}]})

    threshold: float = Field(ge=0.0, le=1.0, description="with HITL off, writes below this confidence ask a person")


class AutonomousBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"tools": ["saleor.price_bulk_update"]}]})

    tools: list[Annotated[str, Field(max_length=100)]] = Field(
        max_length=100, description="destructive tool ids allowed to run without asking")


async def _edit(brain: Brain, actor: Actor, scope: str, workflow: str, changes: dict[str, Any], note: str) -> WorkflowSettings:
    try:
        version = await brain.policies.set_workflow(scope, workflow, changes, author=actor.user,
                                                    author_tenant=actor.tenant, author_role=actor.role, note=note)
    except UnknownTenant as exc:  # removed meanwhile: the same answer as the check before
        raise ApiError(404, str(exc), field="tenant") from exc
    return WorkflowSettings(scope=scope, workflow=workflow, version=version, settings=await _settings(brain, scope, workflow))


@router.put("/workflows/hitl/{workflow}/toggle", response_model=WorkflowSettings, summary="Turn HITL on or off",
            responses={404: {"description": "unknown workflow or tenant"}},
            description="With a body `{enabled}` sets HITL; without a body flips it. Needs tenant_admin (own tenant's "
                        "overrides) or super_admin (global, or a tenant with `?tenant=`).")
async def toggle_hitl(workflow: WorkflowPath, actor: Caller, brain: BrainDep, tenant: TenantQuery = None,
                      body: Annotated[ToggleBody | None, Body()] = None) -> WorkflowSettings:
    scope = await known_tenant(brain, actor, edit_scope(actor, tenant))
    current = await _settings(brain, scope, workflow)
    enabled = body.enabled if body is not None else not current.hitl
    return await _edit(brain, actor, scope, workflow, {"hitl": enabled}, f"HITL {'on' if enabled else 'off'} over the API")


@router.put("/workflows/confidence/{workflow}", response_model=WorkflowSettings, summary="Set the confidence threshold",
            responses={404: {"description": "unknown workflow or tenant"}},
            description="Needs tenant_admin (own tenant's overrides) or super_admin.")
async def set_confidence(workflow: WorkflowPath, body: ThresholdBody, actor: Caller, brain: BrainDep,
                         tenant: TenantQuery = None) -> WorkflowSettings:
    scope = await known_tenant(brain, actor, edit_scope(actor, tenant))
    await _settings(brain, scope, workflow)
    return await _edit(brain, actor, scope, workflow, {"confidence_threshold": body.threshold},
                       f"confidence threshold {body.threshold} over the API")


@router.get("/workflows/autonomous/{workflow}", response_model=WorkflowSettings,
            summary="The destructive tools a workflow runs without asking",
            responses={404: {"description": "unknown workflow"}})
async def get_autonomous(workflow: WorkflowPath, actor: Caller, brain: BrainDep, tenant: TenantQuery = None) -> WorkflowSettings:
    scope = GLOBAL if (tenant is None and actor.role == "super_admin") else read_tenant(actor, tenant)
    await known_tenant(brain, actor, scope)
    return WorkflowSettings(scope=scope, workflow=workflow, version=None, settings=await _settings(brain, scope, workflow))


@router.put("/workflows/autonomous/{workflow}", response_model=WorkflowSettings,
            summary="Set the destructive tools a workflow runs without asking",
            responses={404: {"description": "unknown workflow or tenant"}},
            description="Every id must be a destructive tool of the catalog. Needs tenant_admin or super_admin.")
async def set_autonomous(workflow: WorkflowPath, body: AutonomousBody, actor: Caller, brain: BrainDep,
                         tenant: TenantQuery = None) -> WorkflowSettings:
    scope = await known_tenant(brain, actor, edit_scope(actor, tenant))
    await _settings(brain, scope, workflow)
    for n, tool_id in enumerate(body.tools):
        try:
            spec = brain.tools.get(tool_id)
        except UnknownTool as exc:
            raise ApiError(422, f"tools.{n}: unknown tool id {tool_id!r}; GET /agents/status lists each agent's tools",
                           field=f"tools.{n}") from exc
        if spec.risk is not Risk.DESTRUCTIVE:
            raise ApiError(422, f"tools.{n}: {tool_id} is a {spec.risk.value} tool; only destructive tools belong here",
                           field=f"tools.{n}")
    tools = list(dict.fromkeys(body.tools))
    return await _edit(brain, actor, scope, workflow, {"autonomous_destructive": tools},
                       f"autonomous destructive tools {tools} over the API")


class PolicyDocument(BaseModel):
    version: int = Field(description="0 while the scope was never edited")
    document: dict[str, Any]


class PolicyView(BaseModel):
    tenant: str
    effective: dict[str, Any] = Field(description="what decisions in this tenant use: global settings with its overrides")
    overrides: PolicyDocument = Field(description="this tenant's own overrides")
    global_policy: PolicyDocument | None = Field(default=None, alias="global", description="the global document (super_admin only)")

    model_config = ConfigDict(populate_by_name=True)


@router.get("/policies", response_model=PolicyView, response_model_by_alias=True,
            summary="The effective policy of your tenant", responses={404: {"description": "unknown tenant"}})
async def get_policies(actor: Caller, brain: BrainDep, tenant: TenantQuery = None) -> PolicyView:
    name = await known_tenant(brain, actor, read_tenant(actor, tenant))
    effective = await brain.policies.effective(name)
    version, document = await brain.policies.current(name)
    view = PolicyView(tenant=name, effective=effective.model_dump(mode="json"),
                      overrides=PolicyDocument(version=version, document=document))
    if actor.role == "super_admin":
        gversion, gdocument = await brain.policies.current(GLOBAL)
        view.global_policy = PolicyDocument(version=gversion, document=gdocument)
    return view


class PolicyVersion(BaseModel):
    id: int
    scope: str
    author: str
    author_role: str
    note: str | None
    diff: list[dict[str, Any]]
    restored_from: int | None
    created_at: datetime


@router.get("/policies/versions", response_model=list[PolicyVersion], summary="Who changed the policy, newest first",
            responses={404: {"description": "unknown tenant"}},
            description="The global policy's versions and your tenant's, or one scope's with `scope` ('global' or a "
                        "tenant id: your own, or any for a super_admin).")
async def versions(actor: Caller, brain: BrainDep,
                   scope: Annotated[PlainText | None, Query(min_length=1, max_length=200,
                                                            description="'global' or a tenant id")] = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[PolicyVersion]:
    if scope is None:
        rows = await brain.policies.history(None, limit, tenant=actor.tenant)
    elif scope in (GLOBAL, actor.tenant) or actor.role == "super_admin":
        rows = await brain.policies.history(await known_tenant(brain, actor, scope), limit)
    else:
        raise PermissionError(f"only a super_admin reads another tenant's policy history (you are {actor.role} of "
                              f"{actor.tenant!r})")
    return [PolicyVersion.model_validate(row) for row in rows]


class Restored(BaseModel):
    version: int = Field(description="the new version, a copy of the restored one")
    restored_from: int


@router.post("/policies/restore/{version}", response_model=Restored, summary="Make an earlier policy version current",
             responses={404: {"description": "no such version"}},
             description="Saves a copy of that version as a new one. Needs the right to edit its scope.")
async def restore(version: Annotated[int, Path(ge=1, le=2**31 - 1)], actor: Caller, brain: BrainDep) -> Restored:
    new = await brain.policies.restore(version, author=actor.user, author_tenant=actor.tenant, author_role=actor.role)
    return Restored(version=new, restored_from=version)
