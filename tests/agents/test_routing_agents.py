"""Every agent is reached by at least one of its unseen phrasings (the routing suite was written
independently of the agents' own examples)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from runtime.brain import Brain

SUITE = Path(__file__).resolve().parents[2] / "evals" / "suites" / "dev" / "routing.jsonl"
BY_AGENT: dict[str, list[str]] = defaultdict(list)
for line in SUITE.read_text().splitlines():
    case = json.loads(line)
    agent = case["expect"].get("agent")
    if isinstance(agent, str):
        BY_AGENT[agent].append(case["request"])


@pytest.fixture(scope="module")
async def router(template_url: str, embedder: object) -> object:
    from runtime import db
    from runtime.brain import build_router, load_catalog
    from runtime.settings import Settings

    pool = db.open_pool(template_url)
    await pool.open()
    try:
        return await build_router(Settings(), pool, load_catalog()[1], embedder)  # type: ignore[arg-type]
    finally:
        await pool.close()


def test_the_suite_covers_every_agent(brain: Brain) -> None:
    assert sorted(BY_AGENT) == sorted(brain.agents.ids())


@pytest.mark.parametrize("agent", sorted(BY_AGENT))
def test_agent_is_reached_by_an_unseen_phrasing(router: object, agent: str) -> None:
    routed = [router.classify(text).agent for text in BY_AGENT[agent]]  # type: ignore[attr-defined]
    assert agent in routed, f"{agent}: none of {len(routed)} phrasings routed to it: {routed}"
