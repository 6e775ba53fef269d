"""Cost of one task: the Brain's read-only task end to end against a bare LangGraph graph.

    .venv/bin/python -m bench.task_cost [--tasks 100] [--warmup 10]

In one process, on one embedded Postgres (pgserver) and one connection pool, alternately:
- **task**: `Brain.submit` of a read-only request (route, offline plan, policy gate, ledger,
  Postgres checkpoint, sandbox Saleor tool, events, the episode memory), the requests varied so
  that no embedding comes from a cache;
- **bare**: a LangGraph graph of four trivial nodes compiled with the same `AsyncPostgresSaver`
  on the same pool, invoked with a new thread id.

Prints p50/p99 of each and their ratio, the CPU time of this process per task (all its threads,
the episode memory written after the answer included; the steadier figure on a busy machine;
Postgres' own CPU is not in it), plus per task: SQL
statements, transactions and pool checkouts, counted at the client (`bench/counters.py`). Writes bench/results/task_cost-<date>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("DISABLE_AIOHTTP_TRANSPORT", "True")

from langgraph.graph import END, START, StateGraph
from rich.console import Console
from rich.table import Table

from bench.counters import SqlCounter
from runtime import db
from runtime.brain import Brain
from runtime.logging import configure_logging
from runtime.runs import Actor
from runtime.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
console = Console()

# Read-only requests of the sandbox store (order lookups and listings); the order numbers and
# phrasings vary so that each request text is new to the embedding cache.
ORDERS = ("1038", "1042", "1045", "1051", "1060", "1071", "1077", "1088", "1099", "1103")
PHRASES = (
    "Where is order {n}?",
    "What is the status of order {n}",
    "show me order {n} please",
    "look up order number {n}",
    "has order {n} shipped yet?",
    "check order {n} for me",
    "details of order {n}",
    "can you find order {n}",
)


def requests(count: int) -> list[str]:
    texts: list[str] = []
    suffixes = ("", " thanks", " now", " today", " quickly", " for the customer", " again", " please")
    for suffix in suffixes:
        for phrase in PHRASES:
            for number in ORDERS:
                texts.append(phrase.format(n=number) + suffix)
    while len(texts) < count:
        texts.extend(f"{t} ({len(texts)})" for t in list(texts))
    return texts[:count]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class BareState(TypedDict, total=False):
    request: str
    steps: int
    answer: str


def bare_graph(saver: Any) -> Any:
    """Four nodes that do what costs nothing: the checkpointer's own cost is what is left."""

    async def node(state: BareState) -> dict[str, Any]:
        return {"steps": state.get("steps", 0) + 1}

    async def last(state: BareState) -> dict[str, Any]:
        return {"steps": state.get("steps", 0) + 1, "answer": f"done: {state['request']}"}

    graph = StateGraph(BareState)
    for name in ("supervisor", "agent", "policy_gate"):
        graph.add_node(name, node)
    graph.add_node("executor", last)
    graph.add_edge(START, "supervisor")
    graph.add_edge("supervisor", "agent")
    graph.add_edge("agent", "policy_gate")
    graph.add_edge("policy_gate", "executor")
    graph.add_edge("executor", END)
    return graph.compile(checkpointer=saver)


async def measure(label: str, work: Callable[[], Awaitable[Any]], brain: Brain, counter: SqlCounter,
                  sample: dict[str, list[float]]) -> None:
    before = counter.snapshot(brain.pool)
    start, cpu = time.perf_counter(), time.process_time()
    await work()
    elapsed = (time.perf_counter() - start) * 1000
    await brain.episodes.drain()  # the episode written after the answer: not in the wall time, in the CPU time
    sample[f"{label}_cpu_ms"].append((time.process_time() - cpu) * 1000)
    after = counter.snapshot(brain.pool)
    sample[f"{label}_ms"].append(elapsed)
    for n, name in enumerate(("statements", "transactions", "checkouts")):
        sample[f"{label}_{name}"].append(after[n] - before[n])


async def run(tasks: int, warmup: int, home: Path) -> dict[str, Any]:
    settings = load_settings(home=home, model=None, redis_url=None)
    configure_logging(settings.log_level)
    url = await asyncio.to_thread(db.resolve_url, settings.database_url, settings.pgdata)
    started = time.perf_counter()
    brain = await Brain.open(settings, url=url)
    open_s = time.perf_counter() - started
    counter = SqlCounter()
    bare = bare_graph(brain.saver)
    actor = Actor(tenant="bench", user="bench", role="operator")
    texts = requests(warmup + tasks)
    sample: dict[str, list[float]] = {f"{k}_{m}": [] for k in ("task", "bare") for m in ("ms", "cpu_ms", "statements", "transactions", "checkouts")}
    statuses: dict[str, int] = {}

    async def one_task(text: str) -> None:
        outcome = await brain.submit(text, actor)
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1

    async def one_bare(text: str) -> None:
        await bare.ainvoke({"request": text}, {"configurable": {"thread_id": str(uuid.uuid4())}})

    try:
        with counter.installed(), db.tenant_scope("bench"):
            for text in texts[:warmup]:
                await one_task(text)
                await one_bare(text)
            statuses.clear()
            for n, text in enumerate(texts[warmup:]):
                order = (("task", one_task), ("bare", one_bare)) if n % 2 == 0 else (("bare", one_bare), ("task", one_task))
                for label, fn in order:
                    await measure(label, lambda fn=fn, text=text: fn(text), brain, counter, sample)  # type: ignore[misc]
    finally:
        await brain.close()
    summary: dict[str, Any] = {"tasks": tasks, "warmup": warmup, "open_s": round(open_s, 2), "statuses": statuses,
                               "load_avg": os.getloadavg()}
    for label in ("task", "bare"):
        times = sample[f"{label}_ms"]
        summary[label] = {
            "p50_ms": round(statistics.median(times), 2), "p99_ms": round(percentile(times, 0.99), 2),
            "mean_ms": round(statistics.fmean(times), 2),
            "cpu_p50_ms": round(statistics.median(sample[f"{label}_cpu_ms"]), 2),
            "statements": round(statistics.fmean(sample[f"{label}_statements"]), 1),
            "transactions": round(statistics.fmean(sample[f"{label}_transactions"]), 1),
            "checkouts": round(statistics.fmean(sample[f"{label}_checkouts"]), 1),
        }
    summary["ratio_p50"] = round(summary["task"]["p50_ms"] / summary["bare"]["p50_ms"], 2)
    summary["ratio_p99"] = round(summary["task"]["p99_ms"] / summary["bare"]["p99_ms"], 2)
    summary["ratio_cpu_p50"] = round(summary["task"]["cpu_p50_ms"] / summary["bare"]["cpu_p50_ms"], 2)
    return summary


def show(summary: dict[str, Any]) -> None:
    table = Table(title=f"One read-only task vs a bare 4-node graph ({summary['tasks']} each, alternated)")
    for column in ("", "p50 ms", "p99 ms", "mean ms", "CPU p50 ms", "statements", "transactions", "pool checkouts"):
        table.add_column(column, justify="right" if column else "left")
    for label, name in (("task", "Brain task"), ("bare", "bare LangGraph")):
        row = summary[label]
        table.add_row(name, f"{row['p50_ms']:.1f}", f"{row['p99_ms']:.1f}", f"{row['mean_ms']:.1f}", f"{row['cpu_p50_ms']:.1f}",
                      f"{row['statements']:.1f}", f"{row['transactions']:.1f}", f"{row['checkouts']:.1f}")
    table.add_row("ratio", f"{summary['ratio_p50']:.2f}x", f"{summary['ratio_p99']:.2f}x", "",
                  f"{summary['ratio_cpu_p50']:.2f}x", "", "", "")
    console.print(table)
    console.print(f"statuses: {summary['statuses']}; Brain.open {summary['open_s']} s; load average {summary['load_avg']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=100, help="measured tasks (and as many bare runs)")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured tasks first")
    parser.add_argument("--home", type=Path, default=ROOT / ".brain" / "bench",
                        help="state folder (embedded Postgres; kept, so the routing model is trained once)")
    parser.add_argument("--out", type=Path, default=None, help="JSON path (default bench/results/task_cost-DATE.json)")
    args = parser.parse_args()
    summary = asyncio.run(run(args.tasks, args.warmup, args.home))
    show(summary)
    out = args.out or ROOT / "bench" / "results" / f"task_cost-{datetime.now(UTC).date().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    console.print(f"written: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main()
