"""Reports of an eval run: a summary dict (the JSON report), rich tables, a progress bar and an HTML page.

Scores are tallied over the whole run, per split (`by_split`: dev and test), per suite (`by_suite`,
what per-suite floors check) and per domain. A score whose lower rate is better (`wrong_write`)
counts the cases that fail it: its cell carries `"lower_is_better": true` and its rate is failed/total.
`calibration` holds the reliability table and ECE of the gate's confidence (`evals.calibration`).

Rates per score count trials (a case run k times counts k times); pass^k counts cases that pass
every score they ask for in all k trials.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from evals.calibration import calibration
from evals.report_cells import counted, ece_text, score_label
from evals.runner import CaseResult, EvalRun, Trial, TrialDone
from evals.scorers import LOWER_IS_BETTER, RunRecord

WORST = 10


def pass_k_name(repeat: int) -> str:
    return f"pass^{repeat}"


def _tally(results: list[CaseResult], names: tuple[str, ...], repeat: int) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for name in names:
        statuses = [t.scores[name].status for r in results for t in r.trials]
        passed, total = statuses.count("pass"), sum(1 for s in statuses if s != "n/a")
        if name in LOWER_IS_BETTER:
            failed = total - passed
            table[name] = {"passed": passed, "failed": failed, "total": total,
                           "rate": failed / total if total else None, "lower_is_better": True}
        else:
            table[name] = {"passed": passed, "total": total, "rate": passed / total if total else None}
    judged = [r for r in results if any(r.status(n) != "n/a" for n in names)]
    passed = sum(1 for r in judged if r.passed)
    table[pass_k_name(repeat)] = {"passed": passed, "total": len(judged), "rate": passed / len(judged) if judged else None}
    return table


def expected_text(result: CaseResult) -> str:
    expect = result.item.case.expect
    parts = []
    if expect.agents:
        parts.append(f"agent {' | '.join(expect.agents)}")
    if expect.actions is not None:
        parts.append("calls " + (", ".join(a.tool for a in expect.actions) or "none"))
    if expect.decision:
        parts.append(f"decision {expect.decision}")
    if expect.state:
        parts.append("state " + ", ".join(f"{s}.{c}" for s, cs in expect.state.items() for c in cs))
    if expect.refuse:
        parts.append("refuse")
    return "; ".join(parts) or "(nothing)"


def happened_text(record: RunRecord) -> str:
    if record.status == "error":
        return f"error: {record.error}"
    route = record.routed_agent or record.route_decision or "no route"
    calls = ", ".join(f"{c.tool}[{c.decision or c.result or '-'}]" for c in record.calls) or "no calls"
    return f"{route}; {calls}; {record.status}"


def _record_json(record: RunRecord) -> dict[str, Any]:
    data = asdict(record)
    data.pop("state")  # whole sandbox dumps: the state score's "why" says what differed
    data["seconds"] = round(record.seconds, 3)
    return data


def _case_json(result: CaseResult, names: tuple[str, ...]) -> dict[str, Any]:
    item = result.item
    return {
        "key": item.key, "id": item.case.id, "suite": item.suite, "line": item.line, "domain": result.domain,
        "request": item.case.request, "expect": item.case.expect.model_dump(exclude_none=True),
        "passed": result.passed, "scores": {n: result.status(n) for n in names},
        "trials": [{"scores": {n: {"status": s.status, "why": s.why} for n, s in t.scores.items()},
                    "run": _record_json(t.record)} for t in result.trials],
    }


def worst_cases(run: EvalRun, limit: int = WORST) -> list[CaseResult]:
    """The failing cases, most failed scores first (cases that could not run first among equals)."""
    failing = [r for r in run.results if not r.passed]
    return sorted(failing, key=lambda r: (-len(r.failed()), not any(t.record.status == "error" for t in r.trials)))[:limit]


def summarize(run: EvalRun) -> dict[str, Any]:
    """The full report, as written by --json (and read by --compare)."""
    names = run.score_names
    domains: dict[str, list[CaseResult]] = {}
    suites: dict[str, list[CaseResult]] = {}
    splits: dict[str, list[CaseResult]] = {}
    for result in run.results:
        domains.setdefault(result.domain, []).append(result)
        suites.setdefault(result.item.suite, []).append(result)
        if result.item.split is not None:
            splits.setdefault(result.item.split, []).append(result)
    return {
        "suites": run.suites, "mode": run.mode, "now": run.now, "workers": run.workers, "repeat": run.repeat,
        "seconds": round(run.seconds, 2), "policy": run.policy, "cases_total": len(run.results),
        "scores": _tally(run.results, names, run.repeat),
        "domains": {d: _tally(rs, names, run.repeat) for d, rs in sorted(domains.items())},
        "domain_cases": {d: len(rs) for d, rs in sorted(domains.items())},
        "by_suite": {name: _tally(rs, names, run.repeat) for name, rs in suites.items()},
        "suite_cases": {name: len(rs) for name, rs in suites.items()},
        "by_split": {name: _tally(rs, names, run.repeat) for name, rs in sorted(splits.items())},
        "split_cases": {name: len(rs) for name, rs in sorted(splits.items())},
        "calibration": calibration(run.results, run.tool_risks),
        "worst": [{"key": r.item.key, "request": r.item.case.request, "failed": r.failed(), "why": _whys(r),
                   "expected": expected_text(r), "happened": happened_text(_first_failing(r).record)}
                  for r in worst_cases(run)],
        "cases": [_case_json(r, names) for r in run.results],
    }


def _whys(result: CaseResult) -> dict[str, str]:
    """Per failed score, the "why" of the first trial it failed in."""
    return {name: next(t.scores[name].why for t in result.trials if t.scores[name].status == "fail")
            for name in result.failed()}


def _first_failing(result: CaseResult) -> Trial:
    return next((t for t in result.trials if any(s.status == "fail" for s in t.scores.values())), result.trials[0])


def _rate(cell: dict[str, Any]) -> str:
    return f"{cell['rate']:.1%}" if cell["total"] else "-"


def render(report: dict[str, Any], console: Console, *, worst: int = WORST) -> None:
    """The score table, the domain table and the worst cases."""
    scores = report["scores"]
    at = f", now pinned at {report['now']}" if report.get("now") else ""
    table = Table(title=f"scores ({report['cases_total']} cases, {report['mode']}{at}, {report['seconds']:.1f} s)")
    table.add_column("score")
    table.add_column("counted/total", justify="right")
    table.add_column("rate", justify="right")
    for name, cell in scores.items():
        if cell["total"]:
            table.add_row(score_label(name, cell), counted(cell), f"{cell['rate']:.1%}")
    console.print(table)
    shown = [n for n, c in scores.items() if c["total"]]
    if report.get("calibration"):
        console.print(_calibration_table(report["calibration"]))
    if report.get("by_split"):
        console.print(_breakdown("per split", "split", report["by_split"], report["split_cases"], shown))
    if len(report.get("by_suite") or {}) > 1:
        console.print(_breakdown("per suite", "suite", report["by_suite"], report["suite_cases"], shown))
    console.print(_breakdown("per domain", "domain", report["domains"], report["domain_cases"], shown))
    if report["worst"][:worst]:
        bad = Table(title="worst cases", show_lines=True)
        for name in ("case", "failed", "expected", "what happened", "why"):
            bad.add_column(name, overflow="fold")
        for row in report["worst"][:worst]:
            cells = (row["key"], ", ".join(row["failed"]), row["expected"], row["happened"], "\n".join(row["why"].values()))
            bad.add_row(*(Text(c) for c in cells))
        console.print(bad)


def _breakdown(title: str, label: str, rows: dict[str, dict[str, Any]], cases: dict[str, int], shown: list[str]) -> Table:
    table = Table(title=title)
    table.add_column(label)
    table.add_column("cases", justify="right")
    for name in shown:
        table.add_column(name, justify="right")
    for key, cells in rows.items():
        table.add_row(key, str(cases[key]), *(_rate(cells[n]) for n in shown))
    return table


def _calibration_table(cal: dict[str, Any]) -> Table:
    """ECE over the run and per split, with the judged calls' mean confidence and accuracy."""
    table = Table(title="calibration of the gate's confidence (judged calls; ECE over 10 bins)")
    for name in ("", "calls", "mean confidence", "accuracy", "ECE"):
        table.add_column(name, justify="left" if not name else "right")
    rows = [("all", cal), *((split, cells) for split, cells in (cal.get("by_split") or {}).items())]
    for label, cells in rows:
        pct = [("-" if cells[k] is None else f"{cells[k]:.1%}") for k in ("mean_confidence", "accuracy")]
        table.add_row(label, str(cells["calls"]), *pct, ece_text(cells))
    return table


@contextmanager
def progress_bar(console: Console, total: int) -> Iterator[TrialDone]:
    """A rich progress bar over the trials; yields the runner's per-trial callback."""
    columns = (TextColumn("[bold]eval[/]"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("", total=total)
        counts = {"done": 0, "passed": 0}

        def done(result: CaseResult, trial: Trial) -> None:
            counts["done"] += 1
            counts["passed"] += all(s.status != "fail" for s in trial.scores.values())
            progress.update(task, advance=1, description=f"{counts['passed']} of {counts['done']} passing")

        yield done


def write_json(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")


def write_html(report: dict[str, Any], path: Path) -> None:
    from evals.html import page

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page(report), encoding="utf-8")
