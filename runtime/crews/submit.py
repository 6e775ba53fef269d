"""Recording a crew run: pick the crew for the goal, then record the run with it (a worker runs it).

A goal no agent can serve is declined before anything is written; unknown agent ids are an error
naming each one. With an idempotency key already used, the run recorded then is returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from runtime.crews.plan import CrewPick, CrewPicker

if TYPE_CHECKING:
    from runtime.brain import Brain
    from runtime.runs import Actor


@dataclass(frozen=True)
class CrewSubmission:
    pick: CrewPick
    run_id: str | None = None  # None: declined, nothing recorded
    created: bool = False


async def submit_crew(brain: Brain, goal: str, actor: Actor, *, agents: list[str] | None = None,
                      process: str = "sequential", idempotency_key: str | None = None,
                      lease: bool = False) -> CrewSubmission:
    """Pick the crew and record its run (queued for any worker, or leased to this process with `lease`)."""
    pick = CrewPicker(brain.router, brain.agents).pick(goal, agents=agents, process=process)
    if pick.plan is None:
        return CrewSubmission(pick)
    run_id, created = await brain.create_run(goal, actor, idempotency_key=idempotency_key, lease=lease,
                                             crew=pick.plan.model_dump(mode="json"))
    return CrewSubmission(pick, run_id, created)
