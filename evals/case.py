"""An eval case as data, in the format of shared/EVAL_FORMAT.md, and the JSONL suite loader.

The models are strict: an unknown key, a missing `id` or `request`, or a value of the wrong
type is an error that names the key and the line of the suite file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

Outcome = Literal["auto", "ask", "deny"]
Role = Literal["viewer", "operator", "tenant_admin", "super_admin"]
# The systems EVAL_FORMAT.md names for `setup` and `expect.state`.
SYSTEMS = ("saleor", "wagtail", "crm", "superset", "gamification", "scheduler", "memory")
# The splits of the shipped suites (evals/suites/<split>/*.jsonl): dev is tuned against, test is frozen.
SPLITS = ("dev", "test")
DEFAULT_TENANT = "demo"
DEFAULT_ROLE = "operator"

# Per system, a dict of collections, each a list of objects (`{"saleor": {"products": [{...}]}}`).
SystemData = dict[str, dict[str, list[dict[str, Any]]]]


class SuiteError(ValueError):
    """A suite file that does not fit the format; one message per problem, each naming its line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _check_systems(value: SystemData | None) -> SystemData | None:
    for system in value or {}:
        if system not in SYSTEMS:
            raise ValueError(f"unknown key {system!r}: the systems are {', '.join(SYSTEMS)}")
    return value


class ExpectedAction(_Strict):
    tool: str = Field(min_length=1)
    args: dict[str, Any] = Field(default_factory=dict)


class Expectation(_Strict):
    agent: str | list[str] | None = None
    actions: list[ExpectedAction] | None = None
    decision: Outcome | None = None
    state: SystemData | None = None
    refuse: bool | None = None

    @field_validator("agent")
    @classmethod
    def _some_agent(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and (not value or not all(value)):
            raise ValueError("a list of agent ids must hold at least one non-empty id")
        if isinstance(value, str) and not value:
            raise ValueError("an agent id must not be empty")
        return value

    _state_systems = field_validator("state")(_check_systems)

    @property
    def agents(self) -> list[str]:
        """The acceptable first agents (empty when the case does not say)."""
        if self.agent is None:
            return []
        return [self.agent] if isinstance(self.agent, str) else list(self.agent)


class Case(_Strict):
    id: str = Field(min_length=1)
    request: str = Field(min_length=1)
    tenant: str | None = Field(default=None, min_length=1)
    role: Role | None = None
    setup: SystemData | None = None
    expect: Expectation = Field(default_factory=Expectation)

    _setup_systems = field_validator("setup")(_check_systems)

    @field_validator("request")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class SuiteCase(BaseModel):
    """A case with where it came from."""

    model_config = ConfigDict(frozen=True)

    case: Case
    suite: str
    line: int

    @property
    def key(self) -> str:
        """Unique over the suites of one run: the suite's file name and the case id."""
        return f"{self.suite}:{self.case.id}"

    @property
    def split(self) -> str | None:
        """The split the suite belongs to (`dev/routing.jsonl` -> dev), None outside the splits."""
        head, sep, _ = self.suite.partition("/")
        return head if sep and head in SPLITS else None

    @property
    def tenant(self) -> str:
        return self.case.tenant or DEFAULT_TENANT

    @property
    def role(self) -> str:
        return self.case.role or DEFAULT_ROLE


def _where(loc: Iterable[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "case"


def describe_errors(exc: ValidationError, line: int) -> list[str]:
    """Pydantic's errors as one sentence per key, naming the key and the line."""
    messages: dict[str, list[str]] = {}
    for error in exc.errors():
        # A union's branches add their type to the location (`expect.agent.str`): drop it.
        loc = [p for p in error["loc"] if not (isinstance(p, str) and ("[" in p or p in ("str", "int", "bool")))]
        where = _where(loc)
        if error["type"] == "extra_forbidden":
            text = f"unknown key {where!r}"
        elif error["type"] == "missing":
            text = f"missing required key {where!r}"
        elif error["type"] == "value_error":
            text = f"{where}: {error['msg'].removeprefix('Value error, ')}"
        else:
            got = error.get("input")
            shown = json.dumps(got)[:60] if isinstance(got, str | int | float | bool | None) else type(got).__name__
            text = f"{where}: {error['msg'][0].lower()}{error['msg'][1:]} (got {shown})"
        key = where if error["type"] not in ("extra_forbidden", "missing") else text
        messages.setdefault(key, []).append(text)
    problems = []
    for texts in messages.values():
        if len(texts) == 1:
            problems.append(f"line {line}: {texts[0]}")
        else:  # the branches of a union: "should be a valid string or a valid list"
            head, _, tail = texts[0].partition(" (got ")
            extra = [t.split(": ", 1)[-1].partition(" (got ")[0].removeprefix("input should be ") for t in texts[1:]]
            problems.append(f"line {line}: {head} or {' or '.join(extra)} (got {tail}")
    return problems


def parse_case(raw: Any, line: int) -> Case:
    """One case from its decoded JSON; SuiteError names each problem and the line."""
    if not isinstance(raw, dict):
        raise SuiteError([f"line {line}: a case must be a JSON object, not {type(raw).__name__}"])
    try:
        return Case.model_validate(raw)
    except ValidationError as exc:
        raise SuiteError(describe_errors(exc, line)) from None


def parse_suite(text: str, name: str) -> list[SuiteCase]:
    """Every case of a JSONL text; blank lines are skipped; all problems are reported at once."""
    cases: list[SuiteCase] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        try:
            case = parse_case(raw, number)
        except SuiteError as exc:
            problems.extend(exc.problems)
            continue
        if case.id in seen:
            problems.append(f"line {number}: id {case.id!r} is already used on line {seen[case.id]}")
            continue
        seen[case.id] = number
        cases.append(SuiteCase(case=case, suite=name, line=number))
    if problems:
        raise SuiteError([f"{name}: {p}" for p in problems])
    if not cases:
        raise SuiteError([f"{name}: the suite holds no cases"])
    return cases


def suite_name(path: Path) -> str:
    """The name a suite file has in reports and floors: its file name, prefixed with its split when
    it lies in a split's folder (`evals/suites/test/routing.jsonl` -> `test/routing.jsonl`)."""
    return f"{path.parent.name}/{path.name}" if path.parent.name in SPLITS else path.name


def load_suite(path: Path) -> list[SuiteCase]:
    """A suite file; SuiteError when it cannot be read or does not fit the format."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SuiteError([f"{path}: cannot read the suite ({exc.strerror or exc})"]) from None
    return parse_suite(text, suite_name(path))


def load_suites(paths: Iterable[Path]) -> list[SuiteCase]:
    """Several suites in order; problems of every file are reported together."""
    cases: list[SuiteCase] = []
    problems: list[str] = []
    for path in paths:
        try:
            cases.extend(load_suite(path))
        except SuiteError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SuiteError(problems)
    return cases


def check_references(cases: Iterable[SuiteCase], agent_ids: Iterable[str], tool_ids: Iterable[str]) -> None:
    """Agents and tools a suite names must exist, or every such case would fail for a typo."""
    agents, tools = set(agent_ids), set(tool_ids)
    problems = []
    for item in cases:
        for agent in item.case.expect.agents:
            if agent not in agents:
                problems.append(f"{item.suite}: line {item.line}: expect.agent: unknown agent id {agent!r}")
        for n, action in enumerate(item.case.expect.actions or []):
            if action.tool not in tools:
                problems.append(f"{item.suite}: line {item.line}: expect.actions[{n}].tool: unknown tool id {action.tool!r}")
    if problems:
        raise SuiteError(problems)
