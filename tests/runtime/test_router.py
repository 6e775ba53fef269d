"""The supervisor's routing: decline, clarify, two-agent requests, and the LLM among the top-k."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime.brain import Brain
from runtime.llm import ModelReply
from runtime.testing.model import ScriptedModel
from tests.forkserver import ForkServer
from tests.runtime.helpers import ACTOR


@pytest.mark.parametrize("request_text", ["tell me a joke", "what's the weather in Paris tomorrow?", "book me a flight to Lisbon"])
async def test_requests_no_agent_serves_are_declined(brain: Brain, request_text: str) -> None:
    result = await brain.router.route(request_text)
    assert (result.decision, result.agent) == ("decline", None)
    assert result.message is not None and "outside what I can do" in result.message


async def test_clear_request_routes_with_high_confidence(brain: Brain) -> None:
    result = await brain.router.route("refund $15 on order 1038, the mug arrived chipped")
    assert (result.decision, result.agent) == ("route", "refund_processor")
    assert result.confidence > 0.8
    assert result.candidates[0].agent == "refund_processor" and len(result.candidates) == 5


async def test_close_candidates_get_a_clarifying_question(brain: Brain) -> None:
    router = brain.router
    router.clarify_confidence, router.clarify_margin = 1.0, 10.0  # everything counts as close
    result = await router.route("codes")
    assert result.decision == "clarify"
    assert result.message is not None and result.message.count(";") >= 1
    names = [brain.agents.get(c.agent).name for c in result.candidates[:2]]
    assert all(name in result.message for name in names)


async def test_two_jobs_are_split_into_steps_for_two_agents(brain: Brain) -> None:
    result = await brain.router.route("score last week's leads and send the hot ones a welcome email")
    assert result.via == "split"
    assert [s["agent"] for s in result.steps][0] == "lead_scoring"
    assert result.steps[1]["agent"] in {"lead_follow_up_writer", "email_campaign_writer"}
    assert result.steps[1]["request"] == "send the hot ones a welcome email"


async def test_two_step_run_hands_over_with_a_summary(brain: Brain) -> None:
    out = await brain.submit("score last week's leads and send the hot ones a welcome email", ACTOR)
    types = [e["type"] for e in await brain.events.history(out.run_id)]
    assert "handoff" in types
    assert out.answer is not None and len(out.answer.splitlines()) == 2  # one answer per agent


async def test_a_later_job_needing_a_tool_the_agent_lacks_goes_to_an_agent_that_holds_it(brain: Brain) -> None:
    result = await brain.router.route("refund order 3038 in full and cancel order 3039, same customer, both wrong")
    assert result.via in {"split", "tools"}
    steps = [(s["agent"], s["request"]) for s in result.steps]
    assert steps[0] == ("refund_processor", "refund order 3038 in full")
    assert "saleor.order_cancel" in brain.agents.get(steps[1][0]).tools and steps[1][1].startswith("cancel order 3039")


@pytest.mark.parametrize("request_text", [
    "kill order 1095, wrong address and they don't want it anymore",  # "kill" is also a voucher's word: the first job stays
    "rename the team headshots to each person's name and add alt text",
])
async def test_a_request_the_chosen_agent_can_do_whole_is_not_split(brain: Brain, request_text: str) -> None:
    result = await brain.router.route(request_text)
    assert result.steps == [] and result.decision == "route"


async def test_unsure_router_asks_the_model_among_the_top_k_only(brain: Brain) -> None:
    router = brain.router
    router.llm_threshold = 1.01  # always unsure
    model = ScriptedModel([ModelReply(text='{"agent": "promo_code_manager"}')])
    result = await router.route("kill the SUMMER20 code, it leaked", model=model)
    model.assert_complete()
    assert (result.agent, result.via) == ("promo_code_manager", "llm")
    prompt = model.calls[0].messages[0]["content"]
    assert prompt.count("\n- ") == router.top_k  # k agents in the prompt, not 93
    assert all(c.agent in prompt for c in result.candidates)


async def test_model_choice_outside_the_candidates_is_ignored(brain: Brain) -> None:
    brain.router.llm_threshold = 1.01
    model = ScriptedModel([ModelReply(text='{"agent": "lead_scoring"}')])
    result = await brain.router.route("refund $15 on order 1038", model=model)
    assert (result.agent, result.via) == ("refund_processor", "index")


@pytest.mark.slow
def test_route_command_prints_json(settings: object, brain: Brain, forkserver: ForkServer) -> None:
    env = {"BRAIN_HOME": str(settings.home), "BRAIN_DATABASE_URL": str(settings.database_url),  # type: ignore[attr-defined]
           "PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    out = forkserver.cli(env, ["route", "--json", "Where is order 1042?"])
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"agent", "confidence", "candidates", "decision"}
    assert (data["agent"], data["decision"]) == ("order_status_assistant", "route")
    assert {"agent", "score"} == set(data["candidates"][0])
