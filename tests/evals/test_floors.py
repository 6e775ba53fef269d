"""Per-suite floors: the TOML format, the check against a report, and `brain eval --floors` on a real run."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from evals import report
from evals.floors import FloorsError, Shortfall, check_floors, load_floors, load_moment, parse_floors
from runtime.brain import Brain
from tests.conftest import REPO, SHARED
from tests.evals.test_report import result, run

REFUSE = {"id": "weather", "request": "what's the weather in Paris tomorrow?", "expect": {"refuse": True}}
WRONG = {"id": "wrong", "request": "what's the weather in Paris tomorrow?", "expect": {"agent": "campaign_planner"}}


def test_floors_are_rates_per_suite_and_score() -> None:
    text = '[routing]\n"route@1" = 0.93\nrefusal = 1\n\n[actions]\n"pass^k" = 0.2\n'
    assert parse_floors(text, "f.toml") == {"routing": {"route@1": 0.93, "refusal": 1.0}, "actions": {"pass^k": 0.2}}


def test_every_problem_of_a_floors_file_is_named_at_once() -> None:
    text = 'stray = 0.5\n[routing]\nroute1 = 0.9\n"route@3" = 1.5\nrefusal = true\naction = "high"\n'
    with pytest.raises(FloorsError) as caught:
        parse_floors(text, "f.toml")
    assert str(caught.value).splitlines() == [
        "f.toml: 'stray' must be a table of floors for the suite stray.jsonl ([stray] followed by lines like \"route@1\" = 0.9)",
        "f.toml: [routing]: unknown score 'route1': the scores are route@1, route@3, action, decision, state, refusal, wrong_write, crew, pass^k",
        "f.toml: [routing] route@3: the floor must be a rate from 0 to 1, not 1.5",
        "f.toml: [routing] refusal: the floor must be a rate from 0 to 1, not True",
        "f.toml: [routing] action: the floor must be a rate from 0 to 1, not 'high'",
    ]
    with pytest.raises(FloorsError, match=r"^f.toml: not valid TOML \(Expected '=' after a key"):
        parse_floors("[routing]\nroute@1 = 0.9\n", "f.toml")
    with pytest.raises(FloorsError, match=r"nope.toml: cannot read the floors file \(No such file or directory\)"):
        load_floors(Path("nope.toml"))


def test_the_shipped_floors_file_loads() -> None:
    floors = load_floors(REPO / "evals" / "floors.toml")
    assert set(floors) == {f"{path.parent.name}/{path.stem}" for path in (REPO / "evals" / "suites").glob("*/*.jsonl")}


def test_each_suite_is_checked_against_its_own_floors() -> None:
    data = report.summarize(run(
        result("a", "crm_sales", {"route@1": "pass", "action": "fail"}),
        result("b", "crm_sales", {"route@1": "fail", "action": "fail"}),
    ))
    assert data["by_suite"]["s.jsonl"]["route@1"] == {"passed": 1, "total": 2, "rate": 0.5}
    check = check_floors(data, {"s": {"route@1": 0.6, "action": 0.0, "refusal": 0.5, "pass^k": 0.5}, "other": {"action": 1}})
    assert check.under == [Shortfall("s", "route@1", 0.5, 0.6), Shortfall("s", "pass^k", 0.0, 0.5)]
    assert [str(s) for s in check.under] == ["s: route@1 is 0.500, under its floor 0.600", "s: pass^k is 0.000, under its floor 0.500"]
    assert check.unmeasured == ["s: no case asks for refusal; its floor 0.500 was not checked"]
    assert not check.passed and check.unfloored == []
    assert check_floors(data, {"s": {"route@1": 0.5}}).passed
    assert check_floors(data, {}).unfloored == ["s"]


def eval_cli(brain: Brain, *args: str) -> Any:
    env = {"BRAIN_HOME": str(brain.settings.home), "BRAIN_DATABASE_URL": str(brain.settings.database_url),
           "BRAIN_SPECS_DIR": str(SHARED / "specs"), "COLUMNS": "200"}
    return CliRunner().invoke(app, ["eval", *args], env=env)


async def test_the_cli_exits_non_zero_when_a_suite_is_under_its_floor(eval_brain: Brain, tmp_path: Path) -> None:
    (tmp_path / "weather.jsonl").write_text(json.dumps(REFUSE) + "\n" + json.dumps(WRONG))  # refusal 1/1, route@1 0/1
    (tmp_path / "mixed.jsonl").write_text(json.dumps(REFUSE))  # refusal 1/1
    floors = tmp_path / "floors.toml"
    suites = [str(tmp_path / "weather.jsonl"), str(tmp_path / "mixed.jsonl")]

    floors.write_text('[weather]\n"route@1" = 0.5\nrefusal = 1.0\n\n[mixed]\nrefusal = 0.9\n"route@3" = 0.5\n\n[unused]\naction = 1\n')
    out = await asyncio.to_thread(eval_cli, eval_brain, *suites, "--floors", str(floors), "--json", str(tmp_path / "r.json"))
    assert out.exit_code == 1, out.output
    assert "under the floor: weather: route@1 is 0.000, under its floor 0.500" in out.output
    assert "mixed: no case asks for route@3; its floor 0.500 was not checked" in out.output
    assert out.output.count("under the floor") == 1
    by_suite = json.loads((tmp_path / "r.json").read_text())["by_suite"]
    assert {s: cells["refusal"]["rate"] for s, cells in by_suite.items()} == {"weather.jsonl": 1.0, "mixed.jsonl": 1.0}
    assert "per suite" in out.output

    floors.write_text('[weather]\n"route@1" = 0.0\nrefusal = 1.0\n')
    out = await asyncio.to_thread(eval_cli, eval_brain, *suites, "--floors", str(floors))
    assert out.exit_code == 0, out.output
    assert "under the floor" not in out.output and "no floors for mixed in the floors file" in out.output

    # The global options still hold the whole run to one floor, next to the file.
    out = await asyncio.to_thread(eval_cli, eval_brain, *suites, "--floors", str(floors), "--min-refusal", "1", "--min-route1", "0.5")
    assert out.exit_code == 1 and "under the floor: route@1 is 0.000, under its floor 0.500" in out.output

    floors.write_text('[weather]\nroute1 = 0.9\n')
    out = await asyncio.to_thread(eval_cli, eval_brain, *suites, "--floors", str(floors))
    assert out.exit_code == 2 and "[weather]: unknown score 'route1'" in out.output


def test_a_floors_file_may_name_the_moment_its_suites_were_written_for(tmp_path: Path) -> None:
    path = tmp_path / "floors.toml"
    path.write_text('now = 2026-11-25T12:00:00Z\n[routing]\n"route@1" = 0.9\n')
    assert load_floors(path) == {"routing": {"route@1": 0.9}}
    assert load_moment(path) == datetime(2026, 11, 25, 12, tzinfo=UTC)
    path.write_text('now = "2026-11-25"\n')
    assert load_moment(path) == datetime(2026, 11, 25, 9, tzinfo=UTC)
    path.write_text('[routing]\n"route@1" = 0.9\n')
    assert load_moment(path) is None
    for bad, why in (("2026-11-25T12:00:00", "must be a datetime with its UTC offset"), ('"soon"', "not an ISO 8601 date")):
        with pytest.raises(FloorsError, match=f"^f.toml: now: {why}"):
            parse_floors(f"now = {bad}\n", "f.toml")
    assert load_moment(REPO / "evals" / "floors.toml") is not None  # the shipped suites' dates hold at one moment
