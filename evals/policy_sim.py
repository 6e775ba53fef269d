"""Policy simulation: replay a suite under a draft policy and count what the gate would do.

The draft (YAML in the shape of `policies.model.Policy`) is used as the global policy document
of the replayed runs only, with each tenant's stored overrides on top, as the store would apply
them; nothing is saved. The suite runs twice, under the current policy and under the draft, and
the report says how many approvals each asks for and how many calls that match none of the
case's expected actions would have run without asking. Only cases that say what they expect
(`expect.actions`, or `refuse: true`, where every call is unexpected) are judged for that.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from rich.text import Text

from evals.case import SuiteCase
from evals.normalize import subset_match
from evals.runner import EvalOptions, EvalRun, TrialDone, run_suite
from evals.scorers import CallRecord
from policies.model import Policy, TenantOverrides
from runtime.brain import Brain
from runtime.graph import build_graph


class PolicyFileError(ValueError):
    """A draft policy file that cannot be read or does not fit the policy model."""


def load_policy(path: Path) -> Policy:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyFileError(f"{path}: cannot read the policy ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise PolicyFileError(f"{path}: not YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise PolicyFileError(f"{path}: a policy is a mapping with 'workflows' (and 'rules')")
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "policy"
        raise PolicyFileError(f"{path}: {where}: {first['msg']}") from None


def with_policy(brain: Brain, draft: Policy) -> Brain:
    """A view of the Brain whose runs use the draft as the global policy; everything else is shared."""

    async def effective(tenant: str) -> Policy:
        version, overrides = await brain.policies.current(tenant)
        if version == 0:
            return draft
        return draft.with_overrides(tenant, TenantOverrides.model_validate(overrides), max(draft.version, version))

    sim = copy.copy(brain)
    sim.graph = build_graph(replace(brain._deps(), policy=effective), brain.saver)
    return sim


@dataclass
class GateTally:
    """What the gate did over one replay of a suite."""

    approvals: int = 0  # approval requests the runs waited on
    asked: int = 0  # calls a person was asked about
    auto: int = 0  # calls that ran without asking
    denied: int = 0
    unexpected_auto: int = 0  # calls matching no expected action that ran without asking
    unexpected_by_risk: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    judged_cases: int = 0


def _expected(item: SuiteCase, call: CallRecord) -> bool:
    actions = item.case.expect.actions or []
    return any(a.tool == call.tool and subset_match(a.args, call.args) for a in actions)


def tally(run: EvalRun) -> GateTally:
    out = GateTally()
    for result in run.results:
        expect = result.item.case.expect
        judged = expect.actions is not None or expect.refuse is True
        out.judged_cases += judged
        for trial in result.trials:
            out.approvals += trial.record.approval_rounds
            for call in trial.record.calls:
                out.asked += call.decision == "ask"
                out.denied += call.decision == "deny"
                if call.decision != "auto":
                    continue
                out.auto += 1
                if judged and not _expected(result.item, call):
                    out.unexpected_auto += 1
                    risk = call.risk or "unknown"
                    out.unexpected_by_risk[risk] = out.unexpected_by_risk.get(risk, 0) + 1
                    if len(out.examples) < 10:
                        out.examples.append(f"{result.item.key}: {call.tool} ({risk})")
    return out


@dataclass
class PolicySimulation:
    draft_path: str
    current: EvalRun
    draft: EvalRun
    current_tally: GateTally
    draft_tally: GateTally

    def as_dict(self) -> dict[str, object]:
        return {"draft": self.draft_path, "current": asdict(self.current_tally), "with_draft": asdict(self.draft_tally)}


async def simulate(brain: Brain, cases: list[SuiteCase], draft: Policy, options: EvalOptions, *,
                   draft_path: str = "draft", on_trial: TrialDone | None = None) -> PolicySimulation:
    """Replay the cases under the current policy, then under the draft."""
    current = await run_suite(brain, cases, options, on_trial)
    proposed = await run_suite(with_policy(brain, draft), cases, options, on_trial)
    proposed.policy = draft_path
    return PolicySimulation(draft_path, current, proposed, tally(current), tally(proposed))


def render(sim: PolicySimulation, console: Console) -> None:
    table = Table(title=f"policy simulation: current policy -> {sim.draft_path}")
    for name in ("", "current", "draft", "change"):
        table.add_column(name, justify="left" if not name else "right")
    now, then = sim.current_tally, sim.draft_tally
    rows = (
        ("approvals asked for", now.approvals, then.approvals),
        ("calls asked about", now.asked, then.asked),
        ("calls run without asking", now.auto, then.auto),
        ("calls denied", now.denied, then.denied),
        ("unexpected calls run without asking", now.unexpected_auto, then.unexpected_auto),
        *((f"  of them {risk}", now.unexpected_by_risk.get(risk, 0), then.unexpected_by_risk.get(risk, 0))
          for risk in sorted(set(now.unexpected_by_risk) | set(then.unexpected_by_risk))),
    )
    for label, a, b in rows:
        table.add_row(label, str(a), str(b), f"{b - a:+d}")
    console.print(table)
    console.print(f"unexpected calls are judged in {then.judged_cases} case(s) that name their expected actions or a refusal")
    for example in then.examples:
        console.print(Text(f"  would run without asking: {example}"))
