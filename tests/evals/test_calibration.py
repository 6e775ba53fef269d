"""Calibration of the gate's confidence, wrong_write and the dev/test splits in the reports and floors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from evals import report
from evals.calibration import CallPoint, judged_points, reliability
from evals.case import Case, SuiteCase, load_suite, suite_name
from evals.floors import FloorsError, Shortfall, check_floors, parse_floors
from evals.html import page
from evals.runner import CaseResult, EvalRun, Trial
from evals.scorers import CallRecord, RunRecord, score_run

RISKS = {"saleor.product_search": "read", "saleor.product_update": "write", "saleor.product_unpublish": "destructive",
         "superset.chart_list": "read"}


def call(call_id: str, tool: str, confidence: float | None, args: dict[str, Any] | None = None) -> CallRecord:
    return CallRecord(call_id, "agent", tool, args or {}, RISKS[tool], "ask", "ok", confidence=confidence)


def case(case_id: str = "c", **expect: Any) -> Case:
    return Case.model_validate({"id": case_id, "request": "r", "expect": expect})


UPDATE = {"tool": "saleor.product_update", "args": {"product": "Teal Jug", "price": 9}}


def test_the_judged_calls_of_a_trial() -> None:
    record = RunRecord(status="done", calls=[
        call("1.0", "saleor.product_search", 0.9),
        call("1.1", "saleor.product_update", 0.8, {"product": "teal jug", "price": 9.0}),
        call("1.2", "saleor.product_unpublish", 0.7, {"product": "Teal Jug"}),
        call("1.3", "saleor.product_update", None),  # never reached the gate
    ])
    # A write is expected: the read on the way is not judged; the unpublish is wrong.
    assert judged_points(case(actions=[UPDATE]), record, RISKS) == [CallPoint(0.8, True), CallPoint(0.7, False)]
    # Only reads are expected: every call is judged.
    reads = case(actions=[{"tool": "saleor.product_search"}])
    assert [p.matched for p in judged_points(reads, record, RISKS)] == [True, False, False]
    assert [p.matched for p in judged_points(case(refuse=True), record, RISKS)] == [False, False, False]
    assert judged_points(case(agent="x"), record, RISKS) == []  # the case names no calls
    assert judged_points(case(actions=[UPDATE]), RunRecord(status="error", error="setup"), RISKS) == []


def test_reliability_bins_and_expected_calibration_error() -> None:
    points = [CallPoint(0.95, True)] * 8 + [CallPoint(0.95, False)] * 2 + [CallPoint(0.55, True), CallPoint(0.55, False)]
    table = reliability(points)
    assert table["calls"] == 12
    assert [(b["low"], b["calls"], b["accuracy"]) for b in table["bins"] if b["calls"]] == [(0.5, 2, 0.5), (0.9, 10, 0.8)]
    # |0.5 - 0.55| * 2/12 + |0.8 - 0.95| * 10/12
    assert table["ece"] == pytest.approx(0.05 * 2 / 12 + 0.15 * 10 / 12, abs=1e-4)
    assert reliability([CallPoint(1.0, True)])["bins"][-1]["calls"] == 1  # 1.0 falls in the last bin
    empty = reliability([])
    assert (empty["calls"], empty["ece"], len(empty["bins"])) == (0, None, 10)


def _result(suite: str, case_id: str, expect: dict[str, Any], calls: list[CallRecord]) -> CaseResult:
    item = SuiteCase(case=case(case_id, **expect), suite=suite, line=1)
    record = RunRecord(run_id="r", status="done", routed_agent="product_catalog_manager", calls=calls)
    return CaseResult(item, "ecommerce_catalog", [Trial(record, score_run(item.case, record))])


def _run() -> EvalRun:
    right = call("1.0", "saleor.product_update", 0.9, {"product": "Teal Jug", "price": 9})
    wrong = call("1.0", "saleor.product_unpublish", 0.9, {"product": "Teal Jug"})
    results = [
        _result("dev/actions.jsonl", "a", {"actions": [UPDATE]}, [right]),
        _result("dev/actions.jsonl", "b", {"actions": [UPDATE]}, [wrong]),
        _result("test/actions.jsonl", "a", {"actions": [UPDATE]}, [right]),
        _result("test/routing.jsonl", "r", {"agent": "product_catalog_manager"}, []),
    ]
    return EvalRun(results, ["dev/actions.jsonl", "test/actions.jsonl", "test/routing.jsonl"], "offline", 1, 1, 1.0,
                   tool_risks=RISKS)


def test_reports_show_wrong_write_the_splits_and_the_calibration() -> None:
    data = report.summarize(_run())
    assert data["scores"]["wrong_write"] == {"passed": 2, "failed": 1, "total": 3, "rate": pytest.approx(1 / 3),
                                             "lower_is_better": True}
    assert data["by_split"]["dev"]["wrong_write"]["rate"] == 0.5
    assert data["by_split"]["test"]["wrong_write"]["rate"] == 0.0
    assert data["split_cases"] == {"dev": 2, "test": 2}
    cal = data["calibration"]
    assert (cal["calls"], cal["accuracy"], cal["ece"]) == (3, pytest.approx(2 / 3, abs=1e-4), pytest.approx(0.9 - 2 / 3, abs=1e-3))
    assert (cal["by_split"]["dev"]["ece"], cal["by_split"]["test"]["ece"]) == (pytest.approx(0.4), pytest.approx(0.1))
    console = Console(record=True, width=160)
    report.render(data, console)
    text = console.export_text()
    assert "wrong_write (lower is better)" in text and "1/3" in text
    assert "per split" in text and "calibration of the gate's confidence" in text and "0.233" in text
    html = page(data)
    assert "<h2>Per split</h2>" in html and "<h2>Calibration</h2>" in html
    assert "ECE 0.233 over 3 calls" in html and "split test: ECE 0.100 over 1 calls" in html
    assert all(f'aria-label="{t}"' in html for t in ("all judged calls", "split dev", "split test"))


def test_floors_per_split_and_a_ceiling_for_wrong_write() -> None:
    floors = parse_floors('now = 2026-11-25T12:00:00Z\n[dev.actions]\nwrong_write = 0.4\naction = 0.4\n'
                          '[test.actions]\nwrong_write = 0.0\n[loose]\n"route@1" = 0.5\n', "f.toml")
    assert floors == {"dev/actions": {"wrong_write": 0.4, "action": 0.4}, "test/actions": {"wrong_write": 0.0},
                      "loose": {"route@1": 0.5}}
    check = check_floors(report.summarize(_run()), floors)
    assert check.under == [Shortfall("dev/actions", "wrong_write", 0.5, 0.4)]
    assert str(check.under[0]) == "dev/actions: wrong_write is 0.500, over its ceiling 0.400"
    assert check.unfloored == ["test/routing"]
    with pytest.raises(FloorsError) as caught:
        parse_floors('[test.actions]\nwrong = 0.1\n[test]\nstray = 3\n', "f.toml")
    assert str(caught.value).startswith("f.toml: [test.actions]: unknown score 'wrong': the scores are route@1")
    assert "f.toml: 'test.stray' must be a table of floors for the suite test/stray.jsonl" in str(caught.value)


def test_a_suite_in_a_split_folder_is_named_with_its_split(tmp_path: Path) -> None:
    folder = tmp_path / "test"
    folder.mkdir()
    (folder / "routing.jsonl").write_text('{"id": "a", "request": "hi", "expect": {"agent": "x"}}\n')
    (tmp_path / "mine.jsonl").write_text('{"id": "a", "request": "hi"}\n')
    [item] = load_suite(folder / "routing.jsonl")
    assert (item.suite, item.key, item.split) == ("test/routing.jsonl", "test/routing.jsonl:a", "test")
    [other] = load_suite(tmp_path / "mine.jsonl")
    assert (other.suite, other.split) == ("mine.jsonl", None)
    assert suite_name(tmp_path / "dev" / "x.jsonl") == "dev/x.jsonl"


def test_which_cases_routing_alone_answers() -> None:
    from evals.runner import refusal_only, routing_only

    def item(**fields: Any) -> SuiteCase:
        return SuiteCase(case=Case.model_validate({"id": "c", "request": "r", **fields}), suite="s.jsonl", line=1)

    assert routing_only(item(expect={"agent": "x"})) and not refusal_only(item(expect={"agent": "x"}))
    assert refusal_only(item(expect={"refuse": True})) and not routing_only(item(expect={"refuse": True}))
    assert not refusal_only(item(expect={"refuse": True, "actions": []}))
    assert not refusal_only(item(expect={"refuse": True}, setup={"saleor": {"products": [{"name": "Teal Jug"}]}}))
    assert not refusal_only(item(expect={"refuse": False}))
