"""Runs eval cases through the Brain and records what happened.

Each trial of a case gets sandbox states of its own (`sandbox_namespace("eval-<uuid>")`):
every system starts from its demo data, and the case's `setup` is applied on top of it, an
object of the setup replacing the demo object of the same name (or number, email, title, slug)
in that collection. Systems the setup does not name start from the demo data on first use.
A case therefore describes only what it is about and can still refer to the demo store.

The request is submitted as Actor("eval", tenant, role). While the run waits for approval, the
decisions are recorded and every call is approved by a super_admin of the tenant, for at most
`max_approval_rounds` rounds (then the run is cancelled), so the state after the run can be compared.

A case that expects only an agent (no actions, decision, state or refusal, no setup) is answered
by the supervisor's routing alone: same router, same scores, no run. So is a case that expects
only a refusal, when the supervisor declines or asks (a run would stop there too); when it routes
the request to an agent, the case runs in full.
"""

from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from evals.case import SuiteCase
from evals.scorers import SCORE_NAMES, SCORERS, CallRecord, RunRecord, Score, Scorer, Status, score_run
from memory.embeddings import MiniLMEmbedder
from runtime import clock
from runtime.approvals import ApprovalAnswer, CallAnswer
from runtime.brain import Brain, RunOutcome
from runtime.crews import submit_crew
from runtime.llm import Model, use_model
from runtime.runs import Actor
from runtime.services import SandboxState
from runtime.wiring import sandbox_namespace

APPROVE_ALL = ApprovalAnswer(all=CallAnswer(action="approve", reason="approved by the eval runner"))
OUT_OF_SCOPE = "out_of_scope"
UNASSIGNED = "unassigned"
# Fields that name an object in a sandbox collection, in the order they are tried.
IDENTITY_FIELDS = ("name", "number", "email", "title", "slug", "code", "id")


class SetupError(Exception):
    """A case's setup cannot be applied to this Brain's sandboxes."""


@dataclass
class Trial:
    record: RunRecord
    scores: dict[str, Score]


@dataclass
class CaseResult:
    item: SuiteCase
    domain: str
    trials: list[Trial] = field(default_factory=list)

    def status(self, score: str) -> Status:
        """pass only when every trial passes (pass^k); n/a when the case does not ask for it."""
        statuses = {t.scores[score].status for t in self.trials}
        if statuses <= {"n/a"}:
            return "n/a"
        return "pass" if statuses == {"pass"} else "fail"

    def failed(self) -> list[str]:
        return [name for name in self.trials[0].scores if self.status(name) == "fail"]

    @property
    def passed(self) -> bool:
        """Every score the case asks for passed in every trial."""
        return not self.failed()


@dataclass
class EvalRun:
    results: list[CaseResult]
    suites: list[str]
    mode: str
    workers: int
    repeat: int
    seconds: float = 0.0
    policy: str | None = None
    score_names: tuple[str, ...] = SCORE_NAMES
    now: str | None = None  # the pinned moment of the run, if any
    tool_risks: dict[str, str] = field(default_factory=dict)  # tool id -> read | write | destructive


@dataclass(frozen=True)
class EvalOptions:
    workers: int = 1
    repeat: int = 1
    max_approval_rounds: int = 8
    mode: str = "offline"
    model: Model | None = None  # a model swapped in for the runs (tests: ScriptedModel)
    now: datetime | None = None  # the moment the cases' time words are read at; None: the wall clock
    scorers: tuple[Scorer, ...] = SCORERS


TrialDone = Callable[[CaseResult, Trial], None]


def case_domain(brain: Brain, item: SuiteCase) -> str:
    """The domain of the (first) expected agent; out_of_scope for refusals."""
    agents = item.case.expect.agents
    if agents and agents[0] in brain.agents:
        return str(brain.agents.get(agents[0]).domain)
    return OUT_OF_SCOPE if item.case.expect.refuse else UNASSIGNED


async def run_suite(brain: Brain, cases: list[SuiteCase], options: EvalOptions | None = None,
                    on_trial: TrialDone | None = None, suites: list[str] | None = None) -> EvalRun:
    """Every case `repeat` times, at most `workers` at a time; results in the order of the cases."""
    options = options or EvalOptions()
    if options.workers < 1 or options.repeat < 1:
        raise ValueError("workers and repeat must be at least 1")
    results = [CaseResult(item, case_domain(brain, item)) for item in cases]
    slots: list[list[Trial | None]] = [[None] * options.repeat for _ in cases]
    gate = asyncio.Semaphore(options.workers)

    async def one(index: int, attempt: int) -> None:
        async with gate:
            if options.model is not None:
                with use_model(options.model):
                    record = await run_case(brain, cases[index], options.max_approval_rounds)
            else:
                record = await run_case(brain, cases[index], options.max_approval_rounds)
        trial = Trial(record, score_run(cases[index].case, record, options.scorers))
        slots[index][attempt] = trial
        if on_trial is not None:
            on_trial(results[index], trial)

    started = time.perf_counter()
    await _warm_up(brain, cases)
    with clock.pinned(options.now):
        await asyncio.gather(*(one(i, k) for i in range(len(cases)) for k in range(options.repeat)))
    for result, trials in zip(results, slots, strict=True):
        result.trials = [t for t in trials if t is not None]
    names = tuple(s.name for s in options.scorers)
    return EvalRun(results, suites or sorted({c.suite for c in cases}), options.mode, options.workers, options.repeat,
                   time.perf_counter() - started, score_names=names,
                   now=options.now.isoformat() if options.now else None,
                   tool_risks={t: brain.tools.get(t).risk.value for t in brain.tools.ids()})


async def _warm_up(brain: Brain, cases: list[SuiteCase]) -> None:
    """Embed every request in one batch when the router's embedder caches: the same vectors, far sooner.

    Routing then finds each request's vector in the cache instead of running the model once per case.
    """
    if isinstance(brain.router.embedder, MiniLMEmbedder):
        await asyncio.to_thread(brain.router.embedder.embed, [c.case.request for c in cases])


def crew_suite(item: SuiteCase) -> bool:
    """A suite whose file name says `crew`: each request is a goal for a crew of agents (`runtime/crews/`),
    picked by the supervisor, run as a crew run."""
    return "crew" in item.suite.rsplit("/", 1)[-1]


def routing_only(item: SuiteCase) -> bool:
    """A case that asks only which agent takes the request: the supervisor's routing answers it,
    with no run (the agent, the gate and the sandboxes are not involved)."""
    expect = item.case.expect
    return (expect.agent is not None and expect.actions is None and expect.decision is None and expect.state is None
            and expect.refuse is None and not item.case.setup)


def refusal_only(item: SuiteCase) -> bool:
    """A case that asks only that the request be declined (no agent, calls, decision or state; no setup)."""
    expect = item.case.expect
    return (expect.refuse is True and expect.agent is None and expect.actions is None and expect.decision is None
            and expect.state is None and not item.case.setup)


async def run_case(brain: Brain, item: SuiteCase, max_approval_rounds: int = 8) -> RunRecord:
    """One trial of a case in sandbox states of its own.

    A run that fails inside the graph and a setup the sandboxes cannot take are this case's
    failures; anything else (the database is gone, say) is the suite's and propagates.
    """
    started = time.perf_counter()
    if not crew_suite(item) and (routing_only(item) or refusal_only(item)):
        route = await brain.route(item.case.request)
        if routing_only(item) or route.decision != "route":
            record = RunRecord(status="done", route_decision=route.decision, routed_agent=route.agent,
                               candidates=[c.agent for c in route.candidates], answer=route.message)
            record.seconds = time.perf_counter() - started
            return record
    namespace = f"eval-{uuid.uuid4().hex}"
    try:
        with sandbox_namespace(namespace):
            prepare_sandboxes(brain, item)
            await prepare_services(brain, item)
            record = await _drive(brain, item, max_approval_rounds)
            _read_state(brain, item, record)
            await _read_service_state(brain, item, record)
    except SetupError as exc:
        record = RunRecord(status="error", error=str(exc))
    finally:
        await release_services(brain, item.tenant, namespace)
        await brain.clients.release(namespace)
        shutil.rmtree(brain.settings.sandbox_dir / "namespaces" / namespace, ignore_errors=True)
    record.seconds = time.perf_counter() - started
    return record


def _norm(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def _identities(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """The fields that name a setup object (name, number, email, title, slug, ...) with their values.
    A partial record may name its object by any of them: a page given as title 'Team' and slug
    'about' is the demo page at slug 'about' whatever the demo calls it."""
    return [(key, _norm(obj[key])) for key in IDENTITY_FIELDS if isinstance(obj.get(key), str | int)]


def _names(row: Any, ident: tuple[str, str]) -> bool:
    key, value = ident
    if isinstance(row, str):  # demo data may list plain names ("categories": ["Kitchen", ...])
        return key == "name" and _norm(row) == value
    return isinstance(row, dict) and isinstance(row.get(key), str | int) and _norm(row[key]) == value


def merge_setup(demo: dict[str, Any], setup: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The demo data with the setup's objects: a setup object takes the place of the demo object it
    names (so whatever the demo seeds after it, the children of a page say, still finds it); the
    others follow the demo's."""
    merged = dict(demo)
    for name, objects in setup.items():
        named = [(idents, obj) for obj in objects if (idents := _identities(obj))]
        placed: list[dict[str, Any]] = []
        rows: list[Any] = []
        for row in demo.get(name) or []:
            match = next((obj for idents, obj in named
                          if any(_names(row, ident) for ident in idents) and obj not in placed), None)
            rows.append(row if match is None else match)
            if match is not None:
                placed.append(match)
        rows += [obj for obj in objects if obj not in placed]
        merged[name] = rows
    return merged


def prepare_sandboxes(brain: Brain, item: SuiteCase) -> None:
    """Reset the systems the setup names to demo data plus the setup (inside the case's namespace)."""
    systems = [name for name in brain.clients.systems if brain.clients.has_stand_in(name)]
    for system, collections in (item.case.setup or {}).items():
        if system not in systems:
            if system in service_states(brain):
                continue
            known = sorted({*systems, *service_states(brain)})
            raise SetupError(f"setup.{system}: this Brain has no sandbox for {system} (it has {', '.join(known)})")
        store = brain.clients.sandbox_store(system, item.tenant, seed_demo=False)
        store.reset()
        try:
            store.seed(merge_setup(brain.clients.demo_data(system), collections))
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise SetupError(f"setup.{system}: the {system} sandbox cannot seed it ({type(exc).__name__}: {exc})") from None
        present = store.dump()
        for name in collections:
            if name not in present:
                raise SetupError(f"setup.{system}.{name}: the {system} sandbox has no collection {name!r} "
                                 f"(it has {', '.join(sorted(present))})")


async def _drive(brain: Brain, item: SuiteCase, max_rounds: int) -> RunRecord:
    actor = Actor("eval", item.tenant, item.role)
    approver = Actor("eval-approver", item.tenant, "super_admin")
    if crew_suite(item):
        submitted = await submit_crew(brain, item.case.request, actor)
        if submitted.run_id is None:  # declined: no crew, nothing recorded
            return RunRecord(status="done", route_decision="decline", answer=submitted.pick.message, crew_run=True)
        run_id = submitted.run_id
    else:
        run_id, _ = await brain.create_run(item.case.request, actor)
    record = RunRecord(run_id=run_id, crew_run=crew_suite(item))
    outcome: RunOutcome | None = None
    try:
        outcome = await brain.start(run_id)
        while outcome.status == "waiting":
            if record.approval_rounds >= max_rounds:
                await brain.cancel(run_id, approver)
                record.error = f"still waiting after {max_rounds} approval rounds: cancelled"
                outcome.status = "cancelled"
                break
            record.approval_rounds += 1
            outcome = await brain.answer_approval(run_id, approver, APPROVE_ALL)
        record.status, record.answer = outcome.status, outcome.answer
    except Exception as exc:  # the run failed inside the graph: score what it did before
        record.status, record.error = "failed", f"{type(exc).__name__}: {exc}"
    _read_events(brain, record, await brain.run_events(run_id, actor))
    ledger = await brain.ledger.for_run(run_id)
    record.executed = [e["call_id"] for e in ledger if e["kind"] == "started"]
    _read_confidences(record, ledger)
    return record


def _read_confidences(record: RunRecord, ledger: list[dict[str, Any]]) -> None:
    """Each call's confidence as the gate used it when the call was first proposed (its `decision` entry)."""
    first: dict[str, float] = {}
    for entry in ledger:
        if entry["kind"] == "decision" and entry.get("confidence") is not None:
            first.setdefault(entry["call_id"], float(entry["confidence"]))
    for call in record.calls:
        call.confidence = first.get(call.call_id)


def _read_events(brain: Brain, record: RunRecord, events: list[dict[str, Any]]) -> None:
    calls: dict[str, CallRecord] = {}
    for event in events:
        data = event["data"]
        if event["type"] == "routed":
            record.route_decision, record.routed_agent = data.get("decision"), data.get("agent")
            record.candidates = [c["agent"] for c in data.get("candidates") or []]
            record.crew = [m["agent"] for m in (data.get("crew") or {}).get("members") or []]
        elif event["type"] == "planned":
            for call in data["calls"]:
                risk = brain.tools.get(call["tool"]).risk.value if call["tool"] in brain.tools else None
                calls[call["call_id"]] = CallRecord(call["call_id"], data.get("agent"), call["tool"],
                                                    dict(call["args"]), risk)
        elif event["type"] == "decision" and data["call_id"] in calls:
            calls[data["call_id"]].decision = data["outcome"]
        elif event["type"] == "tool_result" and data["call_id"] in calls:
            calls[data["call_id"]].result = data.get("status")
            calls[data["call_id"]].reason = data.get("reason") or data.get("error")
    record.calls = list(calls.values())


def service_states(brain: Brain) -> dict[str, SandboxState]:
    """The Brain's internal services whose state an eval case can seed and check (scheduler, gamification)."""
    return {name: factory for name, factory in brain.services.items()
            if isinstance(factory, SandboxState) and name not in brain.clients.systems}


async def release_services(brain: Brain, tenant: str, namespace: str) -> None:
    """Drop what the case left in the services' tables (reminders due later must not fire)."""
    for factory in brain.services.values():
        release = getattr(factory, "release_space", None)
        if release is not None:
            await release(tenant, namespace)


async def prepare_services(brain: Brain, item: SuiteCase) -> None:
    """Reset each service the setup names and seed it (inside the case's namespace)."""
    states = service_states(brain)
    for name, collections in (item.case.setup or {}).items():
        if name not in states:
            continue
        await states[name].reset(item.tenant)
        try:
            await states[name].seed(item.tenant, collections)
        except (KeyError, ValueError, TypeError, LookupError) as exc:
            raise SetupError(f"setup.{name}: the {name} service cannot seed it ({type(exc).__name__}: {exc})") from None


async def _read_service_state(brain: Brain, item: SuiteCase, record: RunRecord) -> None:
    states = service_states(brain)
    for name in item.case.expect.state or {}:
        if name in states:
            record.state_errors.pop(name, None)
            record.state[name] = await states[name].dump(item.tenant)


def _read_state(brain: Brain, item: SuiteCase, record: RunRecord) -> None:
    for system in item.case.expect.state or {}:
        if system in service_states(brain):
            continue
        if system not in brain.clients.systems:
            record.state_errors[system] = f"this Brain has no sandbox for {system} (it has {', '.join(sorted(brain.clients.systems))})"
            continue
        record.state[system] = brain.clients.sandbox_store(system, item.tenant).dump()
