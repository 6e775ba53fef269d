"""The runner against a real Brain, offline: a tiny suite end to end, workers, pass^k with a
scripted model, the LLM path against a respx-mocked endpoint, the policy simulation and the CLI."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import yaml
from typer.testing import CliRunner

from cli.main import app
from evals import policy_sim, report
from evals.case import SuiteCase, parse_suite
from evals.runner import EvalOptions, merge_setup, run_case, run_suite
from policies.defaults import default_policy
from policies.model import Rule
from runtime.brain import Brain
from runtime.llm import LiteLLMModel
from runtime.testing.model import ScriptedModel, message_step, tool_step
from tests.conftest import SHARED
from tests.runtime.helpers import products

MUG = "add a product called Red Mug priced 12 USD to the store"
CREATE = {"tool": "saleor.product_create", "args": {"name": "red mug", "price": "12"}}
CASES = [
    {"id": "mug", "request": MUG, "expect": {
        "agent": "product_catalog_manager", "actions": [CREATE], "decision": "ask",
        "state": {"saleor": {"products": [{"name": "Red Mug", "price": 12}]}}}},
    {"id": "weather", "request": "what's the weather in Paris tomorrow?", "expect": {"refuse": True}},
    {"id": "vase", "request": "rename the Blue Vase to Azure Vase",
     "setup": {"saleor": {"products": [{"name": "Blue Vase", "price": 20.0, "sku": "VASE-9"}]}},
     "expect": {"agent": "product_catalog_manager", "decision": "ask",
                "actions": [{"tool": "saleor.product_update", "args": {"product": "Blue Vase", "name": "Azure Vase"}}],
                "state": {"saleor": {"products": [{"name": "Azure Vase", "price": 20, "sku": "vase-9"}]}}}},
    {"id": "mug-auto", "request": MUG, "expect": {"decision": "auto", "agent": "pricing_optimizer"}},
]


def suite(*cases: dict[str, Any]) -> str:
    return "\n".join(json.dumps(c) for c in cases)


def statuses(run: Any) -> dict[str, dict[str, str]]:
    return {r.item.case.id: {n: r.status(n) for n in run.score_names if r.status(n) != "n/a"} for r in run.results}


async def test_a_tiny_suite_end_to_end_and_with_two_workers(eval_brain: Brain, tmp_path: Path) -> None:
    cases = parse_suite(suite(*CASES), "tiny.jsonl")
    one = await run_suite(eval_brain, cases, EvalOptions(workers=1))
    expected = {
        "mug": {"route@1": "pass", "route@3": "pass", "action": "pass", "decision": "pass", "state": "pass",
                "wrong_write": "pass"},
        "weather": {"refusal": "pass", "wrong_write": "pass"},
        "vase": {"route@1": "pass", "route@3": "pass", "action": "pass", "decision": "pass", "state": "pass",
                 "wrong_write": "pass"},
        "mug-auto": {"route@1": "fail", "route@3": "pass", "decision": "fail"},
    }
    assert statuses(one) == expected
    mug, weather, vase, auto = (r.trials[0] for r in one.results)
    assert (mug.record.approval_rounds, mug.record.executed, mug.record.status) == (1, ["1.0"], "done")
    assert [(c.tool, c.risk, c.decision, c.result) for c in mug.record.calls] == [("saleor.product_create", "write", "ask", "ok")]
    confidence = mug.record.calls[0].confidence  # the gate's, from the call's decision entry in the ledger
    assert confidence is not None and 0 < confidence <= 1
    assert one.tool_risks["saleor.product_create"] == "write" and one.tool_risks["memory.write"] == "write"
    assert (weather.record.route_decision, weather.record.calls, weather.record.executed) == ("decline", [], [])
    assert weather.record.run_id is None  # a declined refusal-only case is answered by routing, with no run
    assert auto.scores["decision"].why == "expected auto, the gate said ask for saleor.product_create (write)"
    assert [r.domain for r in one.results] == ["ecommerce_catalog", "out_of_scope", "ecommerce_catalog", "ecommerce_catalog"]
    # Every case ran in its own namespace: the tenant's own sandbox never saw the Red Mug, and nothing is left behind.
    assert "Red Mug" not in products(eval_brain)
    assert not any((eval_brain.settings.sandbox_dir / "namespaces").iterdir())

    two = await run_suite(eval_brain, cases, EvalOptions(workers=2))
    assert statuses(two) == expected

    data = report.summarize(one)
    assert data["scores"]["route@1"] == {"passed": 2, "total": 3, "rate": 2 / 3}
    assert data["scores"]["pass^1"] == {"passed": 3, "total": 4, "rate": 0.75}
    assert data["worst"][0]["key"] == "tiny.jsonl:mug-auto"
    report.write_json(data, tmp_path / "r.json")
    report.write_html(data, tmp_path / "r.html")
    assert json.loads((tmp_path / "r.json").read_text())["cases"][0]["trials"][0]["run"]["calls"][0]["tool"] == "saleor.product_create"
    page = (tmp_path / "r.html").read_text()
    assert all(f'aria-label="{n}"' in page for n in ("route@1", "route@3", "action", "decision", "state", "refusal"))


async def test_a_setup_the_sandboxes_cannot_take_is_the_cases_error(eval_brain: Brain) -> None:
    bad = parse_suite(suite(
        {"id": "typo", "request": MUG, "setup": {"saleor": {"prodcts": [{"name": "X"}]}}, "expect": {"agent": "x"}},
        {"id": "nameless", "request": MUG, "setup": {"saleor": {"products": [{"price": 3}]}}},
    ), "bad.jsonl")
    typo, nameless = [await run_case(eval_brain, item) for item in bad]
    assert typo.status == "error"
    assert typo.error is not None and typo.error.startswith("setup.saleor.prodcts: the saleor sandbox has no collection 'prodcts' (it has ")
    assert nameless.error == "setup.saleor: the saleor sandbox cannot seed it (KeyError: 'name')"


async def test_pass_k_needs_every_repetition_to_pass(eval_brain: Brain) -> None:
    args = {"name": "Red Mug", "product_type": "Default", "category": "Default"}
    model = ScriptedModel([
        tool_step(("saleor.product_create", {**args, "price": 12})), message_step("Added."),
        tool_step(("saleor.product_create", {**args, "price": 13})), message_step("Added."),
    ])
    cases = parse_suite(suite(CASES[0]), "k.jsonl")
    run = await run_suite(eval_brain, cases, EvalOptions(repeat=2, model=model, mode="scripted"))
    model.assert_complete()
    [result] = run.results
    assert [t.scores["action"].status for t in result.trials] == ["pass", "fail"]
    assert result.status("action") == "fail" and result.status("decision") == "pass"
    data = report.summarize(run)
    assert data["scores"]["action"] == {"passed": 1, "total": 2, "rate": 0.5}
    assert data["scores"]["pass^2"] == {"passed": 0, "total": 1, "rate": 0.0}


def completion(message: dict[str, Any]) -> dict[str, Any]:
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if message.get("tool_calls") else "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}


@pytest.mark.llm
async def test_the_llm_mode_against_a_mocked_openai_compatible_endpoint(eval_brain: Brain) -> None:
    args = {"name": "Red Mug", "price": "12", "product_type": "Default", "category": "Default"}
    seen: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body)
        if not body.get("tools"):  # the supervisor asking which agent
            return httpx.Response(200, json=completion({"role": "assistant", "content": '{"agent": "product_catalog_manager"}'}))
        if body["messages"][-1]["role"] == "tool":
            return httpx.Response(200, json=completion({"role": "assistant", "content": "Added Red Mug at $12."}))
        call = {"id": "call_a", "type": "function", "function": {"name": "saleor__product_create", "arguments": json.dumps(args)}}
        return httpx.Response(200, json=completion({"role": "assistant", "content": None, "tool_calls": [call]}))

    model = LiteLLMModel("openai/gpt-4o-mini", api_base="http://llm.test/v1", api_key="sk-test")
    cases = parse_suite(suite(CASES[0]), "llm.jsonl")
    with respx.mock(assert_all_called=True) as mock:
        mock.post("http://llm.test/v1/chat/completions").mock(side_effect=answer)
        run = await run_suite(eval_brain, cases, EvalOptions(model=model, mode="openai/gpt-4o-mini"))
    assert statuses(run)["mug"] == {"route@1": "pass", "route@3": "pass", "action": "pass", "decision": "pass", "state": "pass",
                                    "wrong_write": "pass"}
    assert sum(1 for body in seen if body.get("tools")) == 2
    assert report.summarize(run)["mode"] == "openai/gpt-4o-mini"


async def test_policy_simulation_counts_approvals_and_unexpected_calls(eval_brain: Brain, tmp_path: Path) -> None:
    draft = default_policy()
    draft.rules.append(Rule(id="draft-create", tool="saleor.product_create", effect="allow", reason="trust creates"))
    path = tmp_path / "draft.yaml"
    path.write_text(yaml.safe_dump(draft.model_dump(mode="json")))
    wrong = {"id": "mug-15", "request": MUG, "expect": {"actions": [{"tool": "saleor.product_create", "args": {"price": 15}}]}}
    cases = parse_suite(suite(CASES[0], wrong, CASES[1]), "p.jsonl")
    sim = await policy_sim.simulate(eval_brain, cases, policy_sim.load_policy(path), EvalOptions(workers=2),
                                    draft_path=str(path))
    now, then = sim.current_tally, sim.draft_tally
    assert (now.approvals, now.asked, now.auto, now.unexpected_auto) == (2, 2, 0, 0)
    assert (then.approvals, then.asked, then.auto, then.unexpected_auto) == (0, 0, 2, 1)
    assert then.unexpected_by_risk == {"write": 1} and then.examples == ["p.jsonl:mug-15: saleor.product_create (write)"]
    assert then.judged_cases == 3
    assert statuses(sim.draft)["mug"]["decision"] == "fail"  # the case expects the gate to ask
    assert (await eval_brain.policies.effective("demo")).rules == default_policy().rules  # nothing was saved
    with pytest.raises(policy_sim.PolicyFileError, match=r"workflows: Field required"):
        bad = tmp_path / "bad.yaml"
        bad.write_text("rules: []\n")
        policy_sim.load_policy(bad)


async def test_the_cli_exits_non_zero_under_a_floor(eval_brain: Brain, tmp_path: Path) -> None:
    path = tmp_path / "floor.jsonl"
    path.write_text(suite(CASES[1], {"id": "wrong", "request": "what's the weather in Paris tomorrow?",
                                     "expect": {"agent": "campaign_planner"}}))
    env = {"BRAIN_HOME": str(eval_brain.settings.home), "BRAIN_DATABASE_URL": str(eval_brain.settings.database_url),
           "BRAIN_SPECS_DIR": str(SHARED / "specs"), "COLUMNS": "200"}
    runner = CliRunner()
    out = await asyncio.to_thread(runner.invoke, app, [
        "eval", str(path), "--workers", "2", "--json", str(tmp_path / "r.json"), "--min-refusal", "1", "--min-route1", "0.5",
    ], env=env)
    assert out.exit_code == 1, out.output
    assert "under the floor: route@1 is 0.000, under its floor 0.500" in out.output
    assert "refusal" in out.output and "under its floor 1.000" not in out.output
    assert json.loads((tmp_path / "r.json").read_text())["scores"]["refusal"]["rate"] == 1.0

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "request": "x", "expct": {}}\n')
    refused = await asyncio.to_thread(runner.invoke, app, ["eval", str(bad)], env=env)
    assert refused.exit_code == 2 and "bad.jsonl: line 1: unknown key 'expct'" in refused.output
    compared = await asyncio.to_thread(runner.invoke, app, ["eval", "--compare", str(tmp_path / "r.json"), str(tmp_path / "r.json")])
    assert compared.exit_code == 0 and "0 case(s) got worse" in compared.output


def test_suite_case_keys_are_unique_across_suites() -> None:
    a = parse_suite(suite(CASES[1]), "a.jsonl")[0]
    b = parse_suite(suite(CASES[1]), "b.jsonl")[0]
    assert isinstance(a, SuiteCase) and a.key != b.key


def test_setup_objects_take_the_place_of_the_demo_objects_they_name() -> None:
    demo = {"pages": [{"title": "Home"}, {"title": "Blog", "body": "x"}, {"title": "Post", "parent": "/blog/"}],
            "categories": ["Default", "Kitchen"], "channels": [{"slug": "default-channel"}]}
    setup = {"pages": [{"title": " blog ", "status": "live"}, {"title": "New"}],
             "categories": [{"name": "kitchen", "description": "pots"}], "channels": [{"slug": "default-channel", "x": 1}]}
    assert merge_setup(demo, setup) == {
        "pages": [{"title": "Home"}, {"title": " blog ", "status": "live"}, {"title": "Post", "parent": "/blog/"}, {"title": "New"}],
        "categories": ["Default", {"name": "kitchen", "description": "pots"}],
        "channels": [{"slug": "default-channel", "x": 1}],
    }


def test_a_partial_setup_object_names_its_demo_object_by_any_identity_field() -> None:
    """A page given by title and slug replaces the demo page at that slug, in its place, so that a
    child the demo seeds later (and the setup's own children) find it by the setup's title."""
    demo = {"pages": [{"title": "Home"}, {"title": "Shop Index", "slug": "stalls"}, {"title": "Kiosk", "parent": "/stalls/"}]}
    setup = {"pages": [{"title": "Stalls", "slug": "stalls", "status": "live"},
                       {"title": "Kiosk", "parent": "Stalls", "fields": {"phone": "1"}}]}
    assert merge_setup(demo, setup) == {"pages": [
        {"title": "Home"}, {"title": "Stalls", "slug": "stalls", "status": "live"},
        {"title": "Kiosk", "parent": "Stalls", "fields": {"phone": "1"}}]}
