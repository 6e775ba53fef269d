"""`brain crew run GOAL`: several registry agents on one goal, as a CrewAI crew behind the policy gate."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

import typer
from rich.table import Table

from cli.render import approval_table
from cli.session import console, with_brain
from runtime.approvals import ApprovalAnswer, CallAnswer
from runtime.brain import Brain, RunOutcome
from runtime.crews import PROCESSES, CrewPlan, submit_crew
from runtime.runs import Actor

crew_app = typer.Typer(no_args_is_help=True, help="Crews: several agents on one goal, every tool call behind the gate.")


def crew_table(plan: CrewPlan, brain: Brain) -> Table:
    table = Table(title=f"the crew ({plan.process}, picked by the {plan.picked_by})")
    for name in ("agent", "task", "why"):
        table.add_column(name)
    for member in plan.members:
        table.add_row(f"{member.agent}\n[dim]{brain.agents.get(member.agent).name}[/]", member.task, member.why)
    return table


def show_step(event: dict[str, Any]) -> None:
    """A crew agent's turn, one line: which agent, and the tool it uses or that it answered."""
    if event["type"] != "crew_step":
        return
    data = event["data"]
    text = str(data["text"])
    if "Final Answer:" in text:
        what = "answers: " + text.split("Final Answer:", 1)[1].strip().splitlines()[0][:100]
    else:
        what = "uses " + next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Action:")), "?")
    console.print(f"[bold]{data['agent']}[/] {what}")


def register(app: typer.Typer) -> None:
    app.add_typer(crew_app, name="crew")


@crew_app.command("run")
def crew_run(
    goal: str = typer.Argument(..., help="what the crew should achieve, in plain words"),
    agents: str | None = typer.Option(None, "--agents", help="the crew's agent ids, comma-separated (default: the "
                                      "supervisor picks the crew and says why)"),
    process: str = typer.Option("sequential", "--process", help="sequential (agents in turn) or hierarchical (a "
                                "manager delegates)"),
    tenant: str = typer.Option("demo", "--tenant", help="tenant id"),
    role: str = typer.Option("operator", "--role", help="viewer | operator | tenant_admin | super_admin"),
    user: str | None = typer.Option(None, "--user", help="user id (default: your login name)"),
    yes: bool = typer.Option(False, "--yes", help="approve every call that asks (as this user)"),
    no_input: bool = typer.Option(False, "--no-input", help="never prompt; leave the crew waiting"),
) -> None:
    """Run a crew of registry agents on one goal; every call they make passes the policy gate."""
    if process not in PROCESSES:
        console.print(f"[red]error:[/] --process: must be one of {', '.join(PROCESSES)} (got {process!r})")
        raise typer.Exit(2)
    named = [a.strip() for a in agents.split(",") if a.strip()] if agents is not None else None
    actor = Actor(user=user or os.environ.get("USER") or getpass.getuser(), tenant=tenant, role=role)

    async def work(brain: Brain) -> RunOutcome | None:
        brain.events.listeners.append(show_step)
        submitted = await submit_crew(brain, goal, actor, agents=named, process=process, lease=True)
        plan = submitted.pick.plan
        if plan is None or submitted.run_id is None:
            console.print(f"[magenta]declined[/]: {submitted.pick.message}")
            return None
        console.print(crew_table(plan, brain))
        if plan.unserved:
            console.print(f"[yellow]no agent serves[/]: {'; '.join(plan.unserved)}")
        outcome = await brain.start(submitted.run_id)
        if outcome.status == "waiting" and yes:
            while outcome.status == "waiting":
                outcome = await brain.answer_approval(outcome.run_id, actor, ApprovalAnswer(all=CallAnswer(action="approve")))
        while outcome.status == "waiting" and outcome.approval and not no_input and sys.stdin.isatty():
            console.print(approval_table(outcome.approval["calls"]))
            choice = typer.prompt("approve (a), reject (r), or leave the crew waiting (w)?", default="a")
            if choice.startswith("w"):
                break
            reply = CallAnswer(action="approve") if choice.startswith("a") else \
                CallAnswer(action="reject", reason=typer.prompt("reason", default="rejected"))
            outcome = await brain.answer_approval(outcome.run_id, actor, ApprovalAnswer(all=reply))
        return outcome

    outcome = with_brain(work)
    if outcome is None:
        return
    if outcome.status == "waiting":
        console.print(f"run [bold]{outcome.run_id}[/] waits for approval: `brain approve {outcome.run_id}` or "
                      f"`brain reject {outcome.run_id}`")
    else:
        console.print(f"run [bold]{outcome.run_id}[/] {outcome.status}")
