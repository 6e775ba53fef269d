"""Console pages: the policy editor (simulation before saving, history with diffs, restore), the agents,
insights across the systems, and the eval reports `brain eval --html` wrote."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from pydantic import ValidationError

from api.console.session import BASE, ConsoleError, Visit, check_csrf, page, redirect, visit
from api.console.simulation import SuiteSimulator, change, draft_policy, simulate_runs
from api.insights import tenant_insights
from policies.model import Policy, Rule, TenantOverrides
from policies.store import GLOBAL, PolicyVersionNotFound, UnknownTenant, check_editor
from tools.registry import UnknownTool
from tools.spec import Risk

router = APIRouter(prefix=BASE, include_in_schema=False)
SIMULATED_RUNS = 50
SIMULATED_CASES = 12


def _scope(v: Visit, wanted: str | None) -> str:
    """The scope the page shows: the actor's tenant, or global / any tenant for a super_admin."""
    if not wanted or wanted == v.actor.tenant:
        return v.actor.tenant
    if v.actor.role != "super_admin":
        raise ConsoleError(403, f"only a super_admin reads another scope's policy (you are {v.actor.role} of "
                                f"{v.actor.tenant!r})")
    return wanted


def _may_edit(v: Visit, scope: str) -> str | None:
    try:
        check_editor(scope, v.actor.tenant, v.actor.role)
    except PermissionError as exc:
        return str(exc)
    return None


async def _policy_context(v: Visit, scope: str) -> dict[str, Any]:
    tenant = v.actor.tenant if scope == GLOBAL else scope
    effective = await v.brain.policies.effective(tenant if scope != GLOBAL else GLOBAL)
    version, document = await v.brain.policies.current(scope)
    history = await v.brain.policies.history(scope, 30)
    return {"scope": scope, "tenant": tenant, "effective": effective, "version": version,
            "rules_json": json.dumps(document.get("rules", []), indent=1), "history": history,
            "refusal": _may_edit(v, scope), "title": "Policy",
            "destructive": sorted(t.id for t in v.brain.tools if t.risk is Risk.DESTRUCTIVE),
            "is_super": v.actor.role == "super_admin"}


@router.get("/policies")
async def policies(request: Request, scope: str | None = None) -> Response:
    v = await visit(request)
    chosen = _scope(v, scope)
    if chosen not in (GLOBAL, v.actor.tenant) and not await v.brain.policies.tenant_exists(chosen):
        raise ConsoleError(404, str(UnknownTenant(chosen)))
    return page(v, "policies.html", {**await _policy_context(v, chosen), "simulation": None, "draft": None})


def _draft_document(v: Visit, document: dict[str, Any], scope: str, form: Any, workflows: set[str]) -> tuple[dict[str, Any], str]:
    """The scope's document with the form's changes, and a note saying what changed."""
    draft = json.loads(json.dumps(document))
    workflow = str(form.get("workflow") or "")
    if workflow:
        if workflow not in workflows:
            raise ConsoleError(422, f"workflow: no workflow {workflow!r}")
        try:
            threshold = float(str(form.get("confidence_threshold") or ""))
        except ValueError as exc:
            raise ConsoleError(422, "confidence_threshold: a number from 0 to 1") from exc
        if not 0.0 <= threshold <= 1.0:
            raise ConsoleError(422, "confidence_threshold: a number from 0 to 1")
        tools = [t.strip() for t in str(form.get("autonomous") or "").replace("\n", ",").split(",") if t.strip()]
        for tool in tools:
            try:
                if v.brain.tools.get(tool).risk is not Risk.DESTRUCTIVE:
                    raise ConsoleError(422, f"autonomous: {tool} is not a destructive tool")
            except UnknownTool as exc:
                raise ConsoleError(422, f"autonomous: unknown tool id {tool!r}") from exc
        settings = {"hitl": form.get("hitl") == "on", "confidence_threshold": threshold,
                    "autonomous_destructive": list(dict.fromkeys(tools))}
        draft.setdefault("workflows", {}).setdefault(workflow, {}).update(settings)
        note = (f"{workflow}: HITL {'on' if settings['hitl'] else 'off'}, threshold {threshold}, "
                f"autonomous {settings['autonomous_destructive']} (console)")
    else:
        try:
            rules = json.loads(str(form.get("rules") or "[]"))
            if not isinstance(rules, list):
                raise ValueError("a JSON list of rules")
            [Rule.model_validate(r) for r in rules]
        except (ValueError, ValidationError) as exc:
            raise ConsoleError(422, f"rules: {exc}") from exc
        draft["rules"] = rules
        note = f"rules: {len(rules)} (console)"
    try:
        (Policy if scope == GLOBAL else TenantOverrides).model_validate({k: w for k, w in draft.items() if k != "version"})
    except ValidationError as exc:
        raise ConsoleError(422, f"policy: {exc.errors()[0]['msg']}") from exc
    return draft, note


@router.post("/policies")
async def edit_policy(request: Request) -> Response:
    v = await visit(request)
    form = await request.form()
    check_csrf(request, v.state, form)
    scope = _scope(v, str(form.get("scope") or "") or None)
    intent = str(form.get("intent") or "simulate")
    _, document = await v.brain.policies.current(scope)
    workflows = set((await v.brain.policies.effective(v.actor.tenant if scope == GLOBAL else scope)).workflows)
    draft, note = _draft_document(v, document, scope, form, workflows)
    if intent == "save":
        refusal = _may_edit(v, scope)
        if refusal:
            raise ConsoleError(403, refusal)
        draft.pop("version", None)
        version = await v.brain.policies.save(scope, draft, author=v.actor.user, author_tenant=v.actor.tenant,
                                              author_role=v.actor.role, note=note)
        return redirect(v, f"{BASE}/policies?scope={scope}", notice=f"saved as version {version}")
    tenant = v.actor.tenant if scope == GLOBAL else scope
    draft.pop("version", None)
    policy = await draft_policy(v.brain, scope, draft, tenant)
    runs = await simulate_runs(v.brain, tenant, policy, SIMULATED_RUNS)
    simulator: SuiteSimulator | None = getattr(request.app.state, "suite_simulator", None)
    suite = await simulator(v.brain, policy, SIMULATED_CASES) if simulator is not None else None
    simulation = {"runs": runs, "runs_change": change(runs.current, runs.draft), "suite": suite,
                  "suite_change": change(suite["current"], suite["draft"]) if suite else None, "note": note,
                  "last": SIMULATED_RUNS}
    return page(v, "policies.html", {**await _policy_context(v, scope), "simulation": simulation,
                                     "draft": {"form": {k: str(form.get(k) or "") for k in form},
                                               "workflow": str(form.get("workflow") or "")}})


@router.post("/policies/restore/{version}")
async def restore(request: Request, version: int) -> Response:
    v = await visit(request)
    form = await request.form()
    check_csrf(request, v.state, form)
    try:
        new = await v.brain.policies.restore(version, author=v.actor.user, author_tenant=v.actor.tenant,
                                             author_role=v.actor.role)
    except PolicyVersionNotFound as exc:
        raise ConsoleError(404, str(exc)) from exc
    except PermissionError as exc:
        raise ConsoleError(403, str(exc)) from exc
    scope = str(form.get("scope") or v.actor.tenant)
    return redirect(v, f"{BASE}/policies?scope={scope}", notice=f"version {version} restored as version {new}")


# -- agents, insights, reports ---------------------------------------------------------------


def _reports_dir(v: Visit) -> Path:
    return Path(v.state.settings.eval_reports_dir)


def _last_report(folder: Path) -> tuple[str | None, dict[str, dict[str, int]]]:
    """Per agent, the cases that expected it and how many passed, from the newest eval JSON report."""
    reports = sorted((p for p in folder.glob("*.json") if p.is_file()), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in reports:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
            continue
        tally: dict[str, dict[str, int]] = {}
        for case in data["cases"]:
            agent = (case.get("expect") or {}).get("agent")
            if isinstance(agent, str):
                cell = tally.setdefault(agent, {"cases": 0, "passed": 0})
                cell["cases"] += 1
                cell["passed"] += bool(case.get("passed"))
        return path.name, tally
    return None, {}


@router.get("/agents")
async def agents(request: Request) -> Response:
    v = await visit(request)
    runs = await v.brain.list_runs(v.actor, limit=500)
    counts = Counter((r["agent"], r["status"]) for r in runs)
    report, accuracy = _last_report(_reports_dir(v))
    domains: dict[str, list[dict[str, Any]]] = {}
    for spec in sorted(v.brain.agents, key=lambda a: (a.domain, a.id)):
        acc = accuracy.get(spec.id)
        domains.setdefault(str(spec.domain), []).append({
            "id": spec.id, "name": spec.name, "workflow": spec.workflow, "tools": spec.tools,
            "runs": sum(n for (agent, _), n in counts.items() if agent == spec.id),
            "failed": counts[(spec.id, "failed")],
            "accuracy": f"{acc['passed'] / acc['cases']:.0%} of {acc['cases']}" if acc and acc["cases"] else None,
        })
    return page(v, "agents.html", {"domains": domains, "report": report, "total": sum(len(a) for a in domains.values()),
                                   "title": "Agents"})


@router.get("/insights")
async def insights(request: Request) -> Response:
    v = await visit(request)
    data = await tenant_insights(v.brain, v.actor, v.actor.tenant)
    peak = max([1, *(d.runs for d in data.days), *(d.auto + d.ask for d in data.days)])
    return page(v, "insights.html", {"data": data, "peak": peak, "title": "Insights"})


@router.get("/reports")
async def reports(request: Request) -> Response:
    v = await visit(request)
    folder = _reports_dir(v)
    files = sorted((p for p in folder.glob("*.html") if p.is_file()), key=lambda p: p.stat().st_mtime, reverse=True)
    return page(v, "reports.html", {"files": [{"name": p.name, "size": p.stat().st_size, "mtime": p.stat().st_mtime}
                                              for p in files], "folder": str(folder), "title": "Eval reports"})


@router.get("/reports/{name}")
async def report(request: Request, name: str) -> Response:
    v = await visit(request)
    folder = _reports_dir(v)
    known = {p.name: p for p in folder.glob("*.html") if p.is_file()}
    if name not in known:
        raise ConsoleError(404, f"no eval report {name!r} in {folder}")
    return FileResponse(known[name], media_type="text/html", headers={"Cache-Control": "no-store"})
