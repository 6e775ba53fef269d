"""Does the gate's confidence mean something? Per planned call, the confidence the gate decided on
against whether the call was one the case expected, binned into a reliability table, and the
expected calibration error (ECE): the mean gap between confidence and accuracy, weighted by the
share of calls in each bin.

Which calls are judged:
- only cases that say which calls they expect (`expect.actions`, maybe empty, or `refuse: true`,
  where every call is unexpected);
- only calls that reached the gate (a call refused before it, an unknown tool say, has no confidence);
- in a case that expects a write or destructive call, only the calls that change something: the
  reads on the way (a search before an update) are neither right nor wrong there. In a case that
  expects only reads, every call is judged.
A judged call is right when it matches one of the expected actions (tool and argument subset, as
the action score matches them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from evals.case import Case
from evals.runner import CaseResult
from evals.scorers import RunRecord, changes_something, expected_call, judges_calls

BINS = 10


@dataclass(frozen=True)
class CallPoint:
    confidence: float
    matched: bool


def judged_points(case: Case, record: RunRecord, risks: Mapping[str, str]) -> list[CallPoint]:
    """The judged calls of one trial (see the module's docstring); `risks` maps tool ids to risk classes."""
    if not judges_calls(case) or record.status == "error":
        return []
    expects_change = any(risks.get(a.tool, "write") != "read" for a in case.expect.actions or [])
    points = []
    for call in record.calls:
        if call.confidence is None:
            continue
        if expects_change and not changes_something(call):
            continue
        points.append(CallPoint(call.confidence, expected_call(case, call)))
    return points


def reliability(points: Iterable[CallPoint], bins: int = BINS) -> dict[str, Any]:
    """The reliability table (equal-width confidence bins over 0..1) and the ECE of the points."""
    cells: list[list[CallPoint]] = [[] for _ in range(bins)]
    for point in points:
        cells[min(max(int(point.confidence * bins), 0), bins - 1)].append(point)
    total = sum(len(c) for c in cells)
    rows = []
    gap = 0.0
    for n, cell in enumerate(cells):
        confidence = sum(p.confidence for p in cell) / len(cell) if cell else None
        accuracy = sum(p.matched for p in cell) / len(cell) if cell else None
        if confidence is not None and accuracy is not None:
            gap += len(cell) / total * abs(accuracy - confidence)
        rows.append({"low": round(n / bins, 3), "high": round((n + 1) / bins, 3), "calls": len(cell),
                     "confidence": None if confidence is None else round(confidence, 4),
                     "accuracy": None if accuracy is None else round(accuracy, 4)})
    every = [p for cell in cells for p in cell]
    return {
        "calls": total,
        "ece": round(gap, 4) if total else None,
        "accuracy": round(sum(p.matched for p in every) / total, 4) if total else None,
        "mean_confidence": round(sum(p.confidence for p in every) / total, 4) if total else None,
        "bins": rows,
    }


def calibration(results: list[CaseResult], risks: Mapping[str, str], bins: int = BINS) -> dict[str, Any]:
    """Over the whole run, and per split (dev, test) when the cases come from the splits."""
    points: list[CallPoint] = []
    by_split: dict[str, list[CallPoint]] = {}
    for result in results:
        for trial in result.trials:
            found = judged_points(result.item.case, trial.record, risks)
            points += found
            if result.item.split is not None:
                by_split.setdefault(result.item.split, []).extend(found)
    return {**reliability(points, bins), "by_split": {s: reliability(p, bins) for s, p in sorted(by_split.items())}}
