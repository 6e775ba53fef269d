"""The console's eval-suite simulation, handed to the API app by `brain serve` (the API does not import evals).

A draft policy is replayed over cases spread over the dev policy suite with `evals/policy_sim.py`,
under the current policy and the draft. The cases run as a tenant of their own (SIM_TENANT), so the
replays never show among a real tenant's runs, and the draft decides them as it would the editor's
tenant (the simulation tenant has no overrides of its own).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evals import floors, policy_sim
from evals.case import load_suites
from evals.runner import EvalOptions
from policies.model import Policy
from runtime.brain import Brain

SIM_TENANT = "policy-simulation"
SUITE = Path("evals/suites/dev/policy.jsonl")
FLOORS = Path("evals/floors.toml")


def _counts(tally: policy_sim.GateTally) -> dict[str, int]:
    return {"auto": tally.auto, "ask": tally.asked, "deny": tally.denied, "unexpected_auto": tally.unexpected_auto}


def suite_simulator(suite: Path = SUITE) -> Any:
    """A SuiteSimulator (api/console/simulation.py) over `suite`, or None when the file is not here."""
    if not suite.is_file():
        return None
    moment = floors.load_moment(FLOORS) if FLOORS.is_file() else None

    async def simulate(brain: Brain, draft: Policy, cases: int) -> dict[str, Any]:
        every = load_suites([suite])
        sample = every[::max(1, len(every) // cases)][:cases]  # spread over the suite, not its first kind of case
        items = [item.model_copy(update={"case": item.case.model_copy(update={"tenant": SIM_TENANT})}) for item in sample]
        sim = await policy_sim.simulate(brain, items, draft, EvalOptions(workers=2, mode="offline", now=moment),
                                        draft_path="console draft")
        return {"suite": suite.name, "cases": len(items), "current": _counts(sim.current_tally),
                "draft": _counts(sim.draft_tally), "unexpected_auto": True}

    return simulate
