"""The `brain` command line."""

from __future__ import annotations

import asyncio
import getpass
import json
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table

from cli.render import approval_table, runs_table, show_event
from runtime.approvals import ApprovalAnswer, CallAnswer, InvalidAnswer
from runtime.brain import Brain, PermissionDenied, RunOutcome
from runtime.logging import configure_logging
from runtime.router import RouteResult
from runtime.runs import Actor, RunNotFound, RunStateConflict
from runtime.settings import load_settings

app = typer.Typer(no_args_is_help=True, help="BizOSaaS Brain: business requests through agents, a policy gate and tools.")
runs_app = typer.Typer(no_args_is_help=True, help="List and inspect runs.")
app.add_typer(runs_app, name="runs")
console = Console()
T = TypeVar("T")

TenantOpt = typer.Option("demo", "--tenant", help="tenant id")
RoleOpt = typer.Option("operator", "--role", help="viewer | operator | tenant_admin | super_admin")
UserOpt = typer.Option(None, "--user", help="user id (default: your login name)")


def _actor(tenant: str, role: str, user: str | None) -> Actor:
    return Actor(user=user or os.environ.get("USER") or getpass.getuser(), tenant=tenant, role=role)


def _with_brain(work: Callable[[Brain], Awaitable[T]], *, quiet: bool = False) -> T:
    settings = load_settings()
    configure_logging(settings.log_level)

    async def main() -> T:
        with console.status("starting the Brain (database, agents, router)..."):
            brain = await Brain.open(settings)
        if not quiet:
            brain.events.listeners.append(lambda event: show_event(console, event))
        try:
            return await work(brain)
        finally:
            await brain.close()

    try:
        return asyncio.run(main())
    except (RunNotFound, RunStateConflict, PermissionDenied, InvalidAnswer, ValueError) as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None


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

    _finish(_with_brain(work))


def _answer(run_id: str, actor: Actor, answer: ApprovalAnswer) -> None:
    async def work(brain: Brain) -> RunOutcome:
        return await brain.answer_approval(run_id, actor, answer)

    _finish(_with_brain(work))


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
def runs_pending(tenant: str | None = typer.Option(None, "--tenant", help="only this tenant")) -> None:
    """Runs waiting for a person, with the calls they wait on."""

    async def work(brain: Brain) -> None:
        rows = await brain.runs.list_runs(tenant=tenant, status="waiting")
        console.print(runs_table(rows, "runs waiting for approval"))
        for row in rows:
            approval = await brain.runs.pending_approval(str(row["id"]))
            if approval:
                console.print(f"[bold]{row['id']}[/]")
                console.print(approval_table(approval["calls"]))

    _with_brain(work)


@runs_app.command("list")
def runs_list(status: str | None = typer.Option(None, "--status"), tenant: str | None = typer.Option(None, "--tenant")) -> None:
    """Recent runs."""

    async def work(brain: Brain) -> None:
        console.print(runs_table(await brain.runs.list_runs(tenant=tenant, status=status), "runs"))

    _with_brain(work)


@runs_app.command("show")
def runs_show(run_ref: str = typer.Argument(..., metavar="RUN_ID"), as_json: bool = typer.Option(False, "--json")) -> None:
    """One run: its state, events and ledger."""

    async def work(brain: Brain) -> None:
        run = await brain.runs.get(run_ref)
        run_id = str(run["id"])
        events = await brain.events.history(run_id)
        ledger = await brain.ledger.for_run(run_id)
        if as_json:
            print(json.dumps({"run": run, "events": events, "ledger": ledger}, default=str, indent=2))
            return
        console.print(runs_table([run], "run"))
        for event in events:
            show_event(console, {"type": event["type"], "data": event["data"]})

    _with_brain(work)


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

    result = _with_brain(work, quiet=True)
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


def main() -> None:
    app()


