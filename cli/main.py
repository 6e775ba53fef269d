"""The `brain` command line."""

from __future__ import annotations

import getpass
import json
import os
import sys

import typer
from rich.table import Table

from cli.render import approval_table, runs_table, show_event
from cli.session import console, with_brain
from runtime.approvals import ApprovalAnswer, CallAnswer, InvalidAnswer
from runtime.brain import Brain, RunOutcome
from runtime.router import RouteResult
from runtime.runs import Actor

app = typer.Typer(no_args_is_help=True, help="BizOSaaS Brain: business requests through agents, a policy gate and tools.")
runs_app = typer.Typer(no_args_is_help=True, help="List and inspect runs.")
app.add_typer(runs_app, name="runs")

TenantOpt = typer.Option("demo", "--tenant", help="tenant id")
RoleOpt = typer.Option("operator", "--role", help="viewer | operator | tenant_admin | super_admin")
UserOpt = typer.Option(None, "--user", help="user id (default: your login name)")


def _actor(tenant: str, role: str, user: str | None) -> Actor:
    return Actor(user=user or os.environ.get("USER") or getpass.getuser(), tenant=tenant, role=role)


async def _prompt_approval(brain: Brain, outcome: RunOutcome, actor: Actor) -> RunOutcome:
    while outcome.status == "waiting" and outcome.approval:
        console.print(approval_table(outcome.approval["calls"]))
        choice = typer.prompt("approve all (a), reject all (r), edit a call (e), or leave it waiting (w)?", default="a")
        answer: ApprovalAnswer
        if choice.startswith("a"):
            answer = ApprovalAnswer(all=CallAnswer(action="approve"))
        elif choice.startswith("r"):
            answer = ApprovalAnswer(all=CallAnswer(action="reject", reason=typer.prompt("reason", default="rejected")))
        elif choice.startswith("e"):
            call_id = typer.prompt("call id", default=outcome.approval["calls"][0]["call_id"])
            try:
                args = json.loads(typer.prompt("new arguments as JSON (only the ones to change)"))
            except json.JSONDecodeError as exc:
                console.print(f"[red]error:[/] args: not JSON ({exc})")
                continue
            answer = ApprovalAnswer(calls={call_id: CallAnswer(action="edit", args=args)}, all=CallAnswer(action="approve"))
        else:
            break
        try:
            outcome = await brain.answer_approval(outcome.run_id, actor, answer)
        except InvalidAnswer as exc:
            console.print(f"[red]error:[/] {exc}")
    return outcome


def _finish(outcome: RunOutcome) -> None:
    if outcome.status == "waiting":
        console.print(f"run [bold]{outcome.run_id}[/] waits for approval: "
                      f"`brain approve {outcome.run_id}` or `brain reject {outcome.run_id}`")
    else:
        console.print(f"run [bold]{outcome.run_id}[/] {outcome.status}")


@app.command()
def run(
    request: str = typer.Argument(..., help="what you want done, in plain words"),
    tenant: str = TenantOpt, role: str = RoleOpt, user: str | None = UserOpt,
    agent: str | None = typer.Option(None, "--agent", help="skip routing: hand the request to this agent"),
    yes: bool = typer.Option(False, "--yes", help="approve every call that asks (as this user)"),
    no_input: bool = typer.Option(False, "--no-input", help="never prompt; leave the run waiting"),
) -> None:
    """Run one request through the supervisor, an agent, the policy gate and the tools."""
    actor = _actor(tenant, role, user)

    async def work(brain: Brain) -> RunOutcome:
        outcome = await brain.submit(request, actor, agent_hint=agent)
        if outcome.status == "waiting" and yes:
            outcome = await brain.answer_approval(outcome.run_id, actor, ApprovalAnswer(all=CallAnswer(action="approve")))
        elif outcome.status == "waiting" and not no_input and sys.stdin.isatty():
            outcome = await _prompt_approval(brain, outcome, actor)
        return outcome

    _finish(with_brain(work))


def _answer(run_id: str, actor: Actor, answer: ApprovalAnswer) -> None:
    async def work(brain: Brain) -> RunOutcome:
        return await brain.answer_approval(run_id, actor, answer)

    _finish(with_brain(work))


@app.command()
def approve(
    run_id: str,
    args: str | None = typer.Option(None, "--args", help="edited arguments as JSON (merged over the proposed ones)"),
    call: str | None = typer.Option(None, "--call", help="the call to answer (default: every waiting call)"),
    reason: str | None = typer.Option(None, "--reason"),
    tenant: str = TenantOpt, role: str = RoleOpt, user: str | None = UserOpt,
) -> None:
    """Approve the calls a run waits on (optionally with edited arguments) and resume it."""
    if args is not None:
        try:
            edited = json.loads(args)
        except json.JSONDecodeError as exc:
            console.print(f"[red]error:[/] --args: not valid JSON ({exc})")
            raise typer.Exit(2) from None
        if not isinstance(edited, dict):
            console.print("[red]error:[/] --args: must be a JSON object of argument names to values")
            raise typer.Exit(2)
        edit = CallAnswer(action="edit", args=edited, reason=reason)
        answer = ApprovalAnswer(calls={call: edit}, all=CallAnswer(action="approve")) if call else ApprovalAnswer(all=edit)
    else:
        yes = CallAnswer(action="approve", reason=reason)
        answer = ApprovalAnswer(calls={call: yes}) if call else ApprovalAnswer(all=yes)
    _answer(run_id, _actor(tenant, role, user), answer)


@app.command()
def reject(
    run_id: str, reason: str = typer.Option("rejected", "--reason"),
    call: str | None = typer.Option(None, "--call", help="the call to reject (default: every waiting call)"),
    tenant: str = TenantOpt, role: str = RoleOpt, user: str | None = UserOpt,
) -> None:
    """Reject the calls a run waits on; the agent hears the reason."""
    no = CallAnswer(action="reject", reason=reason)
    answer = ApprovalAnswer(calls={call: no}, all=CallAnswer(action="approve")) if call else ApprovalAnswer(all=no)
    _answer(run_id, _actor(tenant, role, user), answer)


@runs_app.command("pending")
def runs_pending(tenant: str = TenantOpt, role: str = RoleOpt, user: str | None = UserOpt) -> None:
    """Runs of a tenant waiting for a person, with the calls they wait on."""
    actor = _actor(tenant, role, user)

    async def work(brain: Brain) -> None:
        rows = await brain.list_runs(actor, status="waiting")
        console.print(runs_table(rows, f"runs of {tenant} waiting for approval"))
        for approval in await brain.pending_approvals(actor):
            console.print(f"[bold]{approval['run_id']}[/] needs {approval['approver_role']} or higher")
            console.print(approval_table(approval["calls"]))

    with_brain(work, quiet=True)


@runs_app.command("list")
def runs_list(status: str | None = typer.Option(None, "--status"), tenant: str = TenantOpt, role: str = RoleOpt,
              user: str | None = UserOpt) -> None:
    """Recent runs of a tenant."""
    actor = _actor(tenant, role, user)

    async def work(brain: Brain) -> None:
        console.print(runs_table(await brain.list_runs(actor, status=status), f"runs of {tenant}"))

    with_brain(work, quiet=True)


@runs_app.command("show")
def runs_show(run_ref: str = typer.Argument(..., metavar="RUN_ID"), as_json: bool = typer.Option(False, "--json"),
              tenant: str = TenantOpt, role: str = RoleOpt, user: str | None = UserOpt) -> None:
    """One run: its state, events and ledger."""
    actor = _actor(tenant, role, user)

    async def work(brain: Brain) -> None:
        run = await brain.get_run(run_ref, actor)
        run_id = str(run["id"])
        events = await brain.run_events(run_id, actor)
        ledger = await brain.ledger.for_run(run_id)
        if as_json:
            print(json.dumps({"run": run, "events": events, "ledger": ledger}, default=str, indent=2))
            return
        console.print(runs_table([run], "run"))
        for event in events:
            show_event(console, {"type": event["type"], "data": event["data"]})

    with_brain(work, quiet=True)


policy_app = typer.Typer(no_args_is_help=True, help="Show and edit the HITL policy (versioned).")
app.add_typer(policy_app, name="policy")
approvals_app = typer.Typer(help="The approvals inbox.", invoke_without_command=True)
app.add_typer(approvals_app, name="approvals")
ScopeOpt = typer.Option("global", "--scope", help="'global' or a tenant id (that tenant's overrides)")


@policy_app.command("show")
def policy_show(tenant: str = typer.Option("demo", "--tenant", help="show the effective policy of this tenant"),
                as_json: bool = typer.Option(False, "--json")) -> None:
    """The effective policy of a tenant: workflows, thresholds, rules."""

    async def work(brain: Brain) -> None:
        policy = await brain.policies.effective(tenant)
        if as_json:
            print(policy.model_dump_json(indent=2))
            return
        table = Table(title=f"effective policy of {tenant} (version {policy.version})")
        for name in ("workflow", "hitl", "threshold", "approver", "time limit", "on timeout", "autonomous destructive"):
            table.add_column(name)
        for name, wf in sorted(policy.workflows.items()):
            table.add_row(name, "on" if wf.hitl else "off", f"{wf.confidence_threshold:.2f}", wf.approver_role,
                          f"{wf.approval_timeout_minutes} min" if wf.approval_timeout_minutes else "none", wf.on_timeout,
                          ", ".join(wf.autonomous_destructive))
        console.print(table)
        rules = Table(title="rules")
        for name in ("id", "effect", "workflow", "tenant", "agent", "tool", "risk", "reason"):
            rules.add_column(name)
        for r in policy.rules:
            rules.add_row(r.id, r.effect, r.workflow or "*", r.tenant or "*", r.agent or "*", r.tool or "*", r.risk or "*", r.reason)
        console.print(rules)

    with_brain(work, quiet=True)


@policy_app.command("set")
def policy_set(
    workflow: str = typer.Argument(..., help="e.g. lead_processing"),
    hitl: bool | None = typer.Option(None, "--hitl/--no-hitl", help="every write asks a person, or not"),
    threshold: float | None = typer.Option(None, "--threshold", help="confidence needed to act alone when HITL is off"),
    approver: str | None = typer.Option(None, "--approver", help="operator | tenant_admin | super_admin"),
    timeout: int | None = typer.Option(None, "--timeout", help="approval time limit in minutes"),
    on_timeout: str | None = typer.Option(None, "--on-timeout", help="reject | escalate"),
    untrusted_writes: str | None = typer.Option(
        None, "--untrusted-writes", help="ask | allow: writes whose arguments come from tool results or memories"),
    note: str | None = typer.Option(None, "--note"),
    scope: str = ScopeOpt, tenant: str = TenantOpt, role: str = typer.Option("super_admin", "--role"), user: str | None = UserOpt,
) -> None:
    """Change a workflow's HITL settings; every change is a new version with its author."""
    changes = {k: v for k, v in {"hitl": hitl, "confidence_threshold": threshold, "approver_role": approver,
                                 "approval_timeout_minutes": timeout, "on_timeout": on_timeout,
                                 "untrusted_writes": untrusted_writes}.items() if v is not None}
    if not changes:
        console.print("[red]error:[/] nothing to change: give --hitl/--no-hitl, --threshold, --approver, --timeout, "
                      "--on-timeout or --untrusted-writes")
        raise typer.Exit(2)
    actor = _actor(tenant, role, user)

    async def work(brain: Brain) -> int:
        return await brain.policies.set_workflow(scope, workflow, changes, author=actor.user, author_tenant=actor.tenant,
                                                 author_role=actor.role, note=note)

    console.print(f"policy version {with_brain(work, quiet=True)} saved ({scope}: {workflow} {changes})")


@policy_app.command("history")
def policy_history(scope: str | None = typer.Option(None, "--scope"), as_json: bool = typer.Option(False, "--json"),
                   tenant: str = TenantOpt) -> None:
    """Who changed what, newest first."""

    async def work(brain: Brain) -> list[dict[str, object]]:
        return await brain.policies.history(scope, tenant=tenant)

    rows = with_brain(work, quiet=True)
    if as_json:
        print(json.dumps(rows, default=str, indent=2))
        return
    table = Table(title="policy history")
    for name in ("version", "scope", "author", "role", "when", "changes", "note"):
        table.add_column(name)
    for row in rows:
        changes = "; ".join(f"{d['path']}: {d['old']} -> {d['new']}" for d in row["diff"])  # type: ignore[attr-defined]
        table.add_row(str(row["id"]), str(row["scope"]), str(row["author"]), str(row["author_role"]),
                      f"{row['created_at']:%Y-%m-%d %H:%M}", changes or "(no change)", str(row["note"] or ""))
    console.print(table)


@policy_app.command("restore")
def policy_restore(version: int, tenant: str = TenantOpt, role: str = typer.Option("super_admin", "--role"),
                   user: str | None = UserOpt) -> None:
    """Make an earlier version current again (as a new version)."""
    actor = _actor(tenant, role, user)

    async def work(brain: Brain) -> int:
        return await brain.policies.restore(version, author=actor.user, author_tenant=actor.tenant, author_role=actor.role)

    console.print(f"restored version {version} as version {with_brain(work, quiet=True)}")


@approvals_app.callback()
def approvals_list(ctx: typer.Context, tenant: str = TenantOpt,
                   as_json: bool = typer.Option(False, "--json")) -> None:
    """What waits for a person: run, request, calls, who may approve, and until when."""
    if ctx.invoked_subcommand is not None:
        return

    async def work(brain: Brain) -> list[dict[str, object]]:
        return await brain.pending_approvals(_actor(tenant, "operator", None))

    rows = with_brain(work, quiet=True)
    if as_json:
        print(json.dumps(rows, default=str, indent=2))
        return
    for row in rows:
        until = f", until {row['expires_at']:%Y-%m-%d %H:%M}" if row["expires_at"] else ""
        console.print(f"[bold]{row['run_id']}[/] ({row['tenant_id']}) {row['request']!r} needs {row['approver_role']}{until}")
        console.print(approval_table(row["calls"]))  # type: ignore[arg-type]
    if not rows:
        console.print("nothing waits for approval")


@approvals_app.command("expire")
def approvals_expire() -> None:
    """Apply the time limit: reject or escalate every overdue approval (run it from cron or a worker)."""

    async def work(brain: Brain) -> list[dict[str, object]]:
        return await brain.expire_approvals()

    for item in with_brain(work):
        console.print(f"{item['run_id']}: {item['outcome']}")


memory_app = typer.Typer(no_args_is_help=True, help="The tenants' shared memory.")
app.add_typer(memory_app, name="memory")


@memory_app.command("search")
def memory_search(query: str, tenant: str = TenantOpt, user: str | None = UserOpt, kind: str | None = typer.Option(None, "--kind"),
                  limit: int = typer.Option(5, "--limit")) -> None:
    """Hybrid search (vector + full text) over one tenant's memory."""

    async def work(brain: Brain) -> list[dict[str, object]]:
        return await brain.memory.search(tenant, query, user=_actor(tenant, "operator", user).user, kind=kind, limit=limit)

    for hit in with_brain(work, quiet=True):
        console.print(f"[bold]{hit.get('ref') or hit.get('id')}[/] ({hit.get('kind')}) {hit.get('text')}")


@memory_app.command("reembed")
def memory_reembed(tenant: str = TenantOpt, batch_size: int = typer.Option(256, "--batch-size")) -> None:
    """Re-embed a tenant's memories written with another embedding model than the current one."""

    async def work(brain: Brain) -> tuple[int, int]:
        stale = await brain.memory.stale_model_count(tenant)
        return stale, await brain.memory.reembed(tenant, batch_size)

    stale, done = with_brain(work, quiet=True)
    console.print(f"{stale} memories of {tenant} had another model; re-embedded {done}")


@memory_app.command("purge")
def memory_purge() -> None:
    """Delete expired memories of every tenant (run it periodically, e.g. from cron)."""

    async def work(brain: Brain) -> int:
        return await brain.memory.purge_expired()

    console.print(f"purged {with_brain(work, quiet=True)} expired memories")


agents_app = typer.Typer(help="The registered agents.", invoke_without_command=True)
app.add_typer(agents_app, name="agents")


@agents_app.callback()
def agents_list(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="print a JSON list of agents")) -> None:
    """List the agents by domain."""
    if ctx.invoked_subcommand is not None:
        return
    from agents.registry import load_registry
    from policies.defaults import KNOWN_WORKFLOWS
    from tools.registry import default_registry

    agents = load_registry(default_registry().ids(), KNOWN_WORKFLOWS)
    if as_json:
        print(json.dumps([a.model_dump() for a in agents], indent=2))
        return
    table = Table(title=f"{len(agents)} agents")
    for name in ("domain", "id", "workflow", "tools"):
        table.add_column(name)
    for spec in sorted(agents, key=lambda a: (a.domain, a.id)):
        table.add_row(spec.domain, spec.id, spec.workflow, ", ".join(spec.tools))
    console.print(table)


@agents_app.command("show")
def agents_show(agent_id: str) -> None:
    """One agent: purpose, tools, examples."""
    from agents.registry import UnknownAgent, load_registry
    from policies.defaults import KNOWN_WORKFLOWS
    from tools.registry import default_registry

    try:
        spec = load_registry(default_registry().ids(), KNOWN_WORKFLOWS).get(agent_id)
    except UnknownAgent as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    console.print(f"[bold]{spec.name}[/] ({spec.id}), {spec.domain}, workflow {spec.workflow}")
    console.print(spec.purpose)
    console.print(f"[bold]tools:[/] {', '.join(spec.tools)}")
    for example in spec.examples:
        console.print(f"  - {example}")


@app.command()
def route(request: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Which agent would take this request, with what confidence (no tool is called)."""

    async def work(brain: Brain) -> RouteResult:
        return await brain.router.route(request)

    result = with_brain(work, quiet=True)
    data = {"agent": result.agent, "confidence": round(result.confidence, 4),
            "candidates": result.as_dict()["candidates"], "decision": result.decision}
    if result.steps:
        data["steps"] = result.steps
    if as_json:
        print(json.dumps(data))
        return
    console.print(f"{result.decision} -> [cyan]{result.agent}[/] (confidence {result.confidence:.2f})")
    if result.message:
        console.print(result.message)
    for step in result.steps:
        console.print(f"  step: {step['agent']}: {step['request']}")
    for cand in data["candidates"]:
        console.print(f"  {cand['agent']}: {cand['score']}")


from cli.eval_commands import register as _register_eval  # noqa: E402

_register_eval(app)
from cli.api_commands import register as _register_api  # noqa: E402

_register_api(app)
from cli.scheduler_commands import register as _register_scheduler  # noqa: E402

_register_scheduler(app)
from cli.sandbox_commands import register as _register_sandbox  # noqa: E402

_register_sandbox(app)
from cli.telegram_commands import register as _register_telegram  # noqa: E402

_register_telegram(app)
from cli.tenant_commands import register as _register_tenants  # noqa: E402

_register_tenants(app)
from cli.user_commands import register as _register_users  # noqa: E402

_register_users(app)

from cli.worker_commands import register as _register_worker  # noqa: E402

_register_worker(app)
from cli.crew_commands import register as _register_crew  # noqa: E402

_register_crew(app)


def main() -> None:
    app()


