"""Two JSON reports side by side: per score the change of rate, per case what got better and worse."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from evals.scorers import LOWER_IS_BETTER


class ReportError(ValueError):
    """A file that is not a JSON report of `brain eval --json`."""


@dataclass
class CaseChange:
    key: str
    better: list[str] = field(default_factory=list)  # scores that went from fail to pass
    worse: list[str] = field(default_factory=list)  # scores that went from pass to fail
    why: dict[str, str] = field(default_factory=dict)  # the new "why" of each worse score


@dataclass
class Comparison:
    scores: dict[str, tuple[float | None, float | None]]  # name -> (old rate, new rate)
    changes: list[CaseChange]
    added: list[str]
    removed: list[str]

    @property
    def better(self) -> list[CaseChange]:
        return [c for c in self.changes if c.better]

    @property
    def worse(self) -> list[CaseChange]:
        return [c for c in self.changes if c.worse]


def load_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReportError(f"{path}: cannot read the report ({exc.strerror or exc})") from None
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list) or not isinstance(data.get("scores"), dict):
        raise ReportError(f"{path}: not a report of `brain eval --json` (it needs 'scores' and 'cases')")
    return data


def compare(old: dict[str, Any], new: dict[str, Any]) -> Comparison:
    names = list(dict.fromkeys([*old["scores"], *new["scores"]]))
    scores = {n: (old["scores"].get(n, {}).get("rate"), new["scores"].get(n, {}).get("rate")) for n in names}
    before = {c["key"]: c for c in old["cases"]}
    after = {c["key"]: c for c in new["cases"]}
    changes = []
    for key, case in after.items():
        if key not in before:
            continue
        change = CaseChange(key)
        for name, status in case["scores"].items():
            was = before[key]["scores"].get(name)
            if was == "fail" and status == "pass":
                change.better.append(name)
            elif was == "pass" and status == "fail":
                change.worse.append(name)
                trial = next((t for t in case["trials"] if t["scores"][name]["status"] == "fail"), None)
                change.why[name] = trial["scores"][name]["why"] if trial else ""
        if change.better or change.worse:
            changes.append(change)
    return Comparison(scores, changes, [k for k in after if k not in before], [k for k in before if k not in after])


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def render(result: Comparison, console: Console, *, limit: int = 50) -> None:
    table = Table(title="scores: old -> new")
    for name in ("score", "old", "new", "change"):
        table.add_column(name, justify="left" if name == "score" else "right")
    for name, (was, now) in result.scores.items():
        if was is None and now is None:
            continue
        delta = "" if was is None or now is None else f"{(now - was) * 100:+.1f} pt"
        up, down = ("red", "green") if name in LOWER_IS_BETTER else ("green", "red")
        style = up if delta.startswith("+") and delta != "+0.0 pt" else down if delta.startswith("-") else ""
        table.add_row(name, _pct(was), _pct(now), f"[{style}]{delta}[/]" if style else delta)
    console.print(table)
    for title, items, colour in (("worse", result.worse, "red"), ("better", result.better, "green")):
        console.print(f"[bold {colour}]{len(items)} case(s) got {title}[/]")
        for change in items[:limit]:
            names = change.worse if title == "worse" else change.better
            why = "; ".join(f"{n}: {change.why[n]}" for n in names if change.why.get(n)) if title == "worse" else ""
            console.print(Text(f"  {change.key}: {', '.join(names)}" + (f" ({why})" if why else "")))
        if len(items) > limit:
            console.print(f"  ... and {len(items) - limit} more")
    if result.added or result.removed:
        console.print(f"{len(result.added)} case(s) only in the new report, {len(result.removed)} only in the old one")
