"""Per-suite floors: the rate each suite's scores must keep, read from a TOML file.

One table per suite, named by the suite file's name without `.jsonl`, under the table of its split
for the suites of `evals/suites/dev/` and `evals/suites/test/`; in it, a rate from 0 to 1 per score,
the score named as the report names it (`route@1`, `route@3`, `action`, `decision`, `state`,
`refusal`, `wrong_write`, and `pass^k` for the share of cases passing everything they ask in all k
runs). A score whose lower rate is better (`wrong_write`, the share of cases with an unexpected
write) has a ceiling there instead: the run fails when its rate is above it.

    [dev.routing]
    "route@1" = 0.93
    refusal = 0.86

    [test.actions]
    action = 0.40
    wrong_write = 0.06

A suite outside the splits (`brain eval my-suite.jsonl`) has a top-level table (`[my-suite]`).

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

from evals.case import SPLITS
from evals.report import pass_k_name
from evals.scorers import LOWER_IS_BETTER, SCORE_NAMES
from runtime import clock

PASS_K = "pass^k"
NOW_KEY = "now"
FLOOR_NAMES: tuple[str, ...] = (*SCORE_NAMES, PASS_K)

# suite (`dev/routing`, or a file name without .jsonl outside the splits) -> score -> lowest acceptable
# rate (highest, for the scores of LOWER_IS_BETTER)
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
        if self.score in LOWER_IS_BETTER:
            return f"{self.suite}: {self.score} is {self.rate:.3f}, over its ceiling {self.floor:.3f}"
        return f"{self.suite}: {self.score} is {self.rate:.3f}, under its floor {self.floor:.3f}"


@dataclass
class FloorCheck:
    under: list[Shortfall] = field(default_factory=list)  # under a floor, or over a ceiling
    unmeasured: list[str] = field(default_factory=list)  # floors set on a score no case of the suite asks for
    unfloored: list[str] = field(default_factory=list)  # suites that ran but have no table

    @property
    def passed(self) -> bool:
        return not self.under


def suite_key(suite_file: str) -> str:
    """The name a suite has in a floors file: `routing.jsonl` -> `routing`, `dev/routing.jsonl` -> `dev/routing`."""
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
        if suite in SPLITS and isinstance(table, dict):
            for name, inner in table.items():
                _suite_table(f"{suite}/{name}", inner, source, floors, problems)
            continue
        _suite_table(suite, table, source, floors, problems)
    if problems:
        raise FloorsError("\n".join(problems))
    return floors


def _suite_table(suite: str, table: Any, source: str, floors: Floors, problems: list[str]) -> None:
    where = suite.replace("/", ".")
    if not isinstance(table, dict):
        problems.append(f"{source}: {where!r} must be a table of floors for the suite {suite}.jsonl "
                        f"([{where}] followed by lines like \"route@1\" = 0.9)")
        return
    floors[suite] = {}
    for score, value in table.items():
        if score not in FLOOR_NAMES:
            problems.append(f"{source}: [{where}]: unknown score {score!r}: the scores are {', '.join(FLOOR_NAMES)}")
        elif isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            problems.append(f"{source}: [{where}] {score}: the floor must be a rate from 0 to 1, not {value!r}")
        else:
            floors[suite][score] = float(value)


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
            elif (rate > floor) if score in LOWER_IS_BETTER else (rate < floor):
                check.under.append(Shortfall(suite, score, rate, floor))
    return check

