"""Crew runs end to end, offline, on the embedded default: the crew picked, one approval in the middle,
the crew going on after it, a rejected call heard by its agent, both processes, bad input, a bound on loops."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.approvals import ApprovalAnswer, CallAnswer
from runtime.brain import Brain
from runtime.crews import CrewPicker, UnknownAgents, submit_crew
from runtime.llm import use_model
from runtime.testing.model import ScriptedModel, message_step
from tests.runtime.helpers import ACTOR, APPROVE_ALL, ledger_kinds, products

GOAL = "launch the mug: add a product called Red Mug priced 12 USD to the store, then draft a blog post about the Red Mug"
CREW = ["product_catalog_manager", "blog_post_writer"]


def events_of(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e["data"] for e in events if e["type"] == kind]


async def approve_all(brain: Brain, run_id: str, rounds: int = 4) -> Any:
    """Approve what the crew waits on until it ends (the offline planner's confidence may make a later call ask too)."""
    out = await brain.answer_approval(run_id, ACTOR, APPROVE_ALL)
    while out.status == "waiting" and rounds > 1:
        out, rounds = await brain.answer_approval(run_id, ACTOR, APPROVE_ALL), rounds - 1
    return out


async def start(brain: Brain, goal: str = GOAL, **options: Any) -> Any:
    submitted = await submit_crew(brain, goal, ACTOR, lease=True, **options)
    assert submitted.run_id is not None, submitted.pick.message
    return submitted, await brain.start(submitted.run_id)


async def test_the_supervisor_picks_the_crew_across_the_goals_parts_and_says_why(brain: Brain) -> None:
    pick = CrewPicker(brain.router, brain.agents).pick(
        "open the autumn shop: a campaign brief, a blog post draft about the new range, "
        "a 'Harvest Picks' collection of our mugs, and a Telegram note to the team")
    assert pick.plan is not None
    assert pick.plan.agents == ["campaign_planner", "blog_post_writer", "collection_merchandiser",
                                "announcement_broadcaster"]
    tasks = {m.agent: m.task for m in pick.plan.members}
    assert tasks["collection_merchandiser"] == "create a 'Harvest Picks' collection of our mugs"
    assert tasks["announcement_broadcaster"] == "send a Telegram note to the team"
    assert all(m.why.startswith("'") and "confidence" in m.why for m in pick.plan.members[:3])
    assert pick.plan.picked_by == "supervisor" and pick.plan.process == "sequential"


async def test_a_crew_runs_end_to_end_with_one_approval_in_the_middle(brain: Brain) -> None:
    submitted, out = await start(brain)
    assert submitted.pick.plan.agents == CREW
    # the catalog manager's write asks: the whole crew waits, before the blog writer has done anything
    assert out.status == "waiting"
    assert [(c["call_id"], c["tool"]) for c in out.approval["calls"]] == [("product_catalog_manager.1",
                                                                           "saleor.product_create")]
    run_id = out.run_id
    events = await brain.run_events(run_id, ACTOR)
    assert {d["agent"] for d in events_of(events, "crew_step")} == {"product_catalog_manager"}
    assert "Red Mug" not in products(brain)
    pending = await brain.pending_approvals(ACTOR)
    assert [str(p["run_id"]) for p in pending] == [run_id]  # in the inbox like any run's approval

    done = await approve_all(brain, run_id)
    assert done.status == "done", done
    assert "Created product Red Mug" in (done.answer or "") and "Blog post writer:" in (done.answer or "")
    assert products(brain)["Red Mug"]["price"] == 12.0

    events = await brain.run_events(run_id, ACTOR)
    planned = [(d["agent"], c["call_id"], c["tool"]) for d in events_of(events, "planned") for c in d["calls"]]
    assert planned[0] == ("product_catalog_manager", "product_catalog_manager.1", "saleor.product_create")
    assert [p[0] for p in planned[1:]] == ["blog_post_writer"] * (len(planned) - 1)
    assert ("wagtail.page_create_draft" in [p[2] for p in planned])
    routed = events_of(events, "routed")[0]
    assert (routed["via"], [m["agent"] for m in routed["crew"]["members"]]) == ("crew", CREW)
    # the ledger: each call decided once and run once; the asked call approved by a person
    kinds = await ledger_kinds(brain, run_id)
    started = [call for call, kind, _ in kinds if kind == "started"]
    assert len(started) == len(set(started)) == len(planned)
    assert ("product_catalog_manager.1", "approval", "approved") in kinds
    run = await brain.get_run(run_id, ACTOR)
    assert (run["status"], run["agent"]) == ("done", "product_catalog_manager")
    await brain.episodes.drain()
    episodes = await brain.memory.search("demo", "launch the mug Red Mug blog post", kind="episode", user=ACTOR.user)
    mine = [e for e in episodes if "Crew: product_catalog_manager, blog_post_writer" in e["text"]]
    assert len(mine) == 1


async def test_a_rejected_call_is_reported_to_its_agent_and_the_crew_goes_on(brain: Brain) -> None:
    _, out = await start(brain)
    no = ApprovalAnswer(all=CallAnswer(action="reject", reason="we are not selling mugs this season"))
    done = await brain.answer_approval(out.run_id, ACTOR, no)
    done = await approve_all(brain, out.run_id) if done.status == "waiting" else done
    assert done.status == "done"
    assert "Red Mug" not in products(brain)
    steps = events_of(await brain.run_events(out.run_id, ACTOR), "crew_step")
    assert steps[-1]["agent"] == "blog_post_writer"  # the next agent still did its part
    result = next(r for r in done.results if r["call_id"] == "product_catalog_manager.1")
    assert (result["status"], result["reason"]) == ("rejected", "we are not selling mugs this season")
    assert "rejected (we are not selling mugs this season)" in (done.answer or "")


async def test_a_hierarchical_crew_of_named_agents_delegates_through_its_manager(brain: Brain) -> None:
    submitted, out = await start(brain, agents=list(reversed(CREW)), process="hierarchical")
    plan = submitted.pick.plan
    assert (plan.picked_by, plan.process, plan.agents) == ("caller", "hierarchical", list(reversed(CREW)))
    assert out.status == "waiting"
    done = await approve_all(brain, out.run_id)
    assert done.status == "done"
    steps = events_of(await brain.run_events(out.run_id, ACTOR), "crew_step")
    assert steps[0]["agent"] == "manager" and "Delegate work to coworker" in steps[0]["text"]
    assert products(brain)["Red Mug"]["price"] == 12.0
    kinds = await ledger_kinds(brain, out.run_id)
    created = [k[0] for k in kinds if k[1] == "started" and k[0].startswith("product_catalog_manager")]
    assert len(created) == 1 and (created[0], "approval", "approved") in kinds


async def test_unknown_agents_are_named_and_nothing_is_recorded(brain: Brain) -> None:
    with pytest.raises(UnknownAgents) as raised:
        await submit_crew(brain, GOAL, ACTOR, agents=["blog_post_writer", "chief_wizard", "tea_maker"])
    assert str(raised.value).startswith("agents: unknown agent ids 'chief_wizard', 'tea_maker'")
    assert await brain.list_runs(ACTOR) == []


async def test_a_goal_no_agent_can_serve_is_declined_without_a_crew(brain: Brain) -> None:
    submitted = await submit_crew(brain, "what will the weather be in Oslo tomorrow, and who won the chess final?", ACTOR)
    assert submitted.run_id is None and submitted.pick.plan is None
    assert "outside what I can do" in (submitted.pick.message or "")
    assert await brain.list_runs(ACTOR) == []


async def test_a_crew_that_loops_is_stopped_after_its_step_limit_with_what_it_did(brain: Brain) -> None:
    brain.settings.crew_max_steps = 5
    looping = 'Thought: look again\nAction: saleor_product_search\nAction Input: {"query": "mug"}'
    model = ScriptedModel([message_step(looping)] * 5)
    with use_model(model):
        _, out = await start(brain, "find our mugs", agents=["product_catalog_manager"])
    assert out.status == "done"
    assert (out.answer or "").startswith("Stopped after 5 steps, the limit of a crew. So far:")
    kinds = await ledger_kinds(brain, out.run_id)
    assert 1 <= len([k for k in kinds if k[1] == "started"]) <= 5
    model.assert_complete()  # the sixth turn was never asked for
