"""How runs look in the terminal (rich)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

STYLE = {"auto": "green", "ask": "yellow", "deny": "red"}


def show_event(console: Console, event: dict[str, Any]) -> None:
    kind, data = event["type"], event["data"]
    if kind == "routed":
        if data["decision"] == "route":
            console.print(f"[bold]routed[/] -> [cyan]{data['agent']}[/] (confidence {data['confidence']:.2f}, via {data['via']})")
            for step in data.get("steps") or []:
                console.print(f"  step: [cyan]{step['agent']}[/]: {step['request']}")
        else:
            console.print(f"[bold]routed[/] -> [magenta]{data['decision']}[/] (confidence {data['confidence']:.2f})")
    elif kind == "planned":
        for call in data["calls"]:
            console.print(f"[bold]planned[/] {call['call_id']} [cyan]{call['tool']}[/] {json.dumps(call['args'])}")
    elif kind == "decision":
        outcome = data["outcome"]
        console.print(f"[bold]policy[/] {data['call_id']} [{STYLE.get(outcome, 'white')}]{outcome}[/]: {data['reason']}")
    elif kind == "waiting":
        console.print(f"[bold yellow]waiting for approval[/] ({data['approver_role']} or higher)")
    elif kind == "tool_result":
        if data.get("status") == "ok":
            console.print(f"[bold]result[/] {data['call_id']} [green]ok[/] {data['tool']}")
        else:
            console.print(f"[bold]result[/] {data['call_id']} [red]{data.get('status')}[/] {data['tool']}: "
                          f"{data.get('error') or data.get('reason')}")
    elif kind == "answer":
        console.print(f"[bold]answer[/] {data['text']}")
    elif kind == "handoff":
        console.print(f"[bold]handoff[/] {data['from']} -> [cyan]{data['to']}[/]: {data['request']}")
    elif kind == "failed":
        console.print(f"[bold red]failed[/] {data['error']}")


def runs_table(rows: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title)
    table.add_column("run", no_wrap=True, min_width=36)
    for name in ("tenant", "status", "agent", "request", "created"):
        table.add_column(name)
    for row in rows:
        table.add_row(str(row["id"]), row["tenant_id"], row["status"], row.get("agent") or "", row["request"][:60],
                      row["created_at"].strftime("%Y-%m-%d %H:%M:%S"))
    return table


def approval_table(calls: list[dict[str, Any]]) -> Table:
    table = Table(title="calls waiting for approval")
    for name in ("call", "tool", "risk", "arguments", "why"):
        table.add_column(name)
    for call in calls:
        table.add_row(call["call_id"], call["tool"], call.get("risk", ""), json.dumps(call["args"]), call.get("reason", ""))
    return table
