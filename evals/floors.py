"""Per-suite floors: the rate each suite's scores must keep, read from a TOML file.

One table per suite, named by the suite file's name without `.jsonl`; in it, a rate from 0 to 1
per score, the score named as the report names it (`route@1`, `route@3`, `action`, `decision`,
`state`, `refusal`, and `pass^k` for the share of cases passing everything they ask in all k runs):

    [routing]
    "route@1" = 0.93
    refusal = 0.86

`brain eval SUITES --floors evals/floors.toml` checks every suite it ran against its table;
tables of suites it did not run are left alone.

An optional top-level `now = 2026-11-25T12:00:00Z` is the moment the suites' time words were
written for ("tomorrow" in a request, "due": "2026-11-26" in its expectation): the scores, and so
the floors, hold at that moment, and `--floors` pins the run's clock to it unless `--now` says
otherwise.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from evals.report import pass_k_name
from evals.scorers import SCORE_NAMES
from runtime import clock

PASS_K = "pass^k"
NOW_KEY = "now"
FLOOR_NAMES: tuple[str, ...] = (*SCORE_NAMES, PASS_K)

# suite (file name without .jsonl) -> score -> lowest acceptable rate
Floors = dict[str, dict[str, float]]


class FloorsError(ValueError):
    """A floors file that cannot be read or does not fit the format; the message names the place."""


@dataclass(frozen=True)
class Shortfall:
    """A suite's score under its floor."""

    suite: str
    score: str
    rate: float
    floor: float

    def __str__(self) -> str:
        return f"{self.suite}: {self.score} is {self.rate:.3f}, under its floor {self.floor:.3f}"


@dataclass
class FloorCheck:
    under: list[Shortfall] = field(default_factory=list)
    unmeasured: list[str] = field(default_factory=list)  # floors set on a score no case of the suite asks for
    unfloored: list[str] = field(default_factory=list)  # suites that ran but have no table

    @property
    def passed(self) -> bool:
        return not self.under


def suite_key(suite_file: str) -> str:
    """The name a suite has in a floors file: `routing.jsonl` -> `routing`."""
    return suite_file.removesuffix(".jsonl")


def parse_floors(text: str, source: str) -> Floors:
    """Floors from TOML text; every problem is reported at once, each naming the suite and score."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FloorsError(f"{source}: not valid TOML ({exc})") from None
    floors: Floors = {}
    problems: list[str] = []
    for suite, table in raw.items():
        if suite == NOW_KEY:
            try:
                read_moment(table)
            except ValueError as exc:
                problems.append(f"{source}: now: {exc}")
            continue
        if not isinstance(table, dict):
            problems.append(f"{source}: {suite!r} must be a table of floors for the suite {suite}.jsonl "
                            f"([{suite}] followed by lines like \"route@1\" = 0.9)")
            continue
        floors[suite] = {}
        for score, value in table.items():
            if score not in FLOOR_NAMES:
                problems.append(f"{source}: [{suite}]: unknown score {score!r}: the scores are {', '.join(FLOOR_NAMES)}")
            elif isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                problems.append(f"{source}: [{suite}] {score}: the floor must be a rate from 0 to 1, not {value!r}")
            else:
                floors[suite][score] = float(value)
    if problems:
        raise FloorsError("\n".join(problems))
    return floors


def read_moment(value: Any) -> datetime:
    """The `now` key: a TOML datetime with its offset, or the same as an ISO 8601 string."""
    if isinstance(value, str):
        return clock.parse_moment(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    raise ValueError(f"must be a datetime with its UTC offset, like 2026-11-25T12:00:00Z, not {value!r}")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FloorsError(f"{path}: cannot read the floors file ({exc.strerror or exc})") from None


def load_floors(path: Path) -> Floors:
    return parse_floors(_read(path), str(path))


def load_moment(path: Path) -> datetime | None:
    """The floors file's `now`, or None when it has none (the file is checked by `load_floors` first)."""
    value = tomllib.loads(_read(path)).get(NOW_KEY)
    return None if value is None else read_moment(value)


def check_floors(report: dict[str, Any], floors: Floors) -> FloorCheck:
    """Each suite of a report (`report.summarize`) against its floors, in the order the suites ran."""
    check = FloorCheck()
    for suite_file, scores in report["by_suite"].items():
        suite = suite_key(suite_file)
        if suite not in floors:
            check.unfloored.append(suite)
            continue
        for score, floor in floors[suite].items():
            name = pass_k_name(report["repeat"]) if score == PASS_K else score
            rate = scores[name]["rate"]
            if rate is None:
                check.unmeasured.append(f"{suite}: no case asks for {score}; its floor {floor:.3f} was not checked")
            elif rate < floor:
                check.under.append(Shortfall(suite, score, rate, floor))
    return check

