"""What a draft policy would have decided, before it is saved.

Over the tenant's last N runs: every gate decision the ledger holds is decided again, under the
current policy and under the draft (policies.decide, the gate's own pure function, with the facts the
ledger kept: tool, risk class, confidence, the agent's workflow, and whether the arguments came from
untrusted text). Over an eval suite: `evals/policy_sim.py` replays the suite's cases under both,
through a simulator the composition root hands in (`app.state.suite_simulator`; the API layer does not
import evals); without one the page says it is not available in this process.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from agents.registry import UnknownAgent
from policies.decide import decide
from policies.model import CallFacts, Policy, TenantOverrides
from policies.store import GLOBAL
from runtime.brain import Brain
from runtime.db import tenant_conn
from tools.registry import UnknownTool

OUTCOMES = ("auto", "ask", "deny")
# (brain, draft policy of the tenant, how many cases) -> {"current": {...}, "draft": {...}, "cases": n}
SuiteSimulator = Callable[[Brain, Policy, int], Awaitable[dict[str, Any]]]


@dataclass
class RunSimulation:
    runs: int = 0
    calls: int = 0
    current: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    draft: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    changed: list[dict[str, str]] = field(default_factory=list)
    skipped: int = 0  # decisions of an agent or tool no longer in the catalog


async def draft_policy(brain: Brain, scope: str, document: dict[str, Any], tenant: str) -> Policy:
    """The policy `tenant` would decide with, if `document` were saved as the newest version of `scope`."""
    if scope == GLOBAL:
        draft = Policy.model_validate(document)
        version, overrides = await brain.policies.current(tenant)
        if version == 0:
            return draft
        return draft.with_overrides(tenant, TenantOverrides.model_validate(overrides), version)
    _, global_document = await brain.policies.current(GLOBAL)
    return Policy.model_validate(global_document).with_overrides(tenant, TenantOverrides.model_validate(document), 0)


async def simulate_runs(brain: Brain, tenant: str, draft: Policy, last: int) -> RunSimulation:
    current = await brain.policies.effective(tenant)
    async with tenant_conn(brain.pool, tenant, "viewer") as conn:
        cur = await conn.execute(
            "WITH recent AS (SELECT id, agent FROM runs WHERE tenant_id = %s ORDER BY created_at DESC LIMIT %s) "
            "SELECT l.run_id::text AS run_id, l.tool, l.risk, l.confidence, l.reason, recent.agent FROM ledger l "
            "JOIN recent ON recent.id = l.run_id WHERE l.kind = 'decision' ORDER BY l.seq", (tenant, last))
        rows = await cur.fetchall()
        cur = await conn.execute("SELECT count(*) AS n FROM (SELECT 1 FROM runs WHERE tenant_id = %s LIMIT %s) AS r",
                                 (tenant, last))
        counted = await cur.fetchone()
    out = RunSimulation(runs=int(counted["n"]) if counted else 0)
    for row in rows:
        try:
            spec = brain.agents.get(row["agent"])
            risk = row["risk"] or brain.tools.get(row["tool"]).risk.value
        except (UnknownAgent, UnknownTool, KeyError):
            out.skipped += 1
            continue
        facts = CallFacts(tool=row["tool"], risk=risk, workflow=spec.workflow, tenant=tenant, agent=spec.id,
                          tainted=("arguments",) if "untrusted text" in (row["reason"] or "") else ())
        confidence = float(row["confidence"] if row["confidence"] is not None else 1.0)
        now, then = decide(facts, confidence, confidence, current), decide(facts, confidence, confidence, draft)
        out.calls += 1
        out.current[now.outcome.value] += 1
        out.draft[then.outcome.value] += 1
        if now.outcome != then.outcome and len(out.changed) < 20:
            out.changed.append({"run": row["run_id"], "tool": row["tool"], "from": now.outcome.value,
                                "to": then.outcome.value, "why": then.reason})
    return out


def change(current: dict[str, int], draft: dict[str, int]) -> dict[str, int]:
    return {k: draft.get(k, 0) - current.get(k, 0) for k in OUTCOMES}


def tally_outcomes(decisions: list[str]) -> dict[str, int]:
    counts = Counter(decisions)
    return {k: counts.get(k, 0) for k in OUTCOMES}
