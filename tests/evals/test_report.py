"""Reports from hand-built results: the summary, JSON, HTML with a chart per score, and compare."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from rich.console import Console

from evals import compare, report
from evals.case import Case, SuiteCase
from evals.runner import CaseResult, EvalRun, Trial
from evals.scorers import SCORE_NAMES, RunRecord, Score


def result(case_id: str, domain: str, *trials: dict[str, str], expect: dict[str, Any] | None = None) -> CaseResult:
    item = SuiteCase(case=Case.model_validate({"id": case_id, "request": f"do {case_id}", "expect": expect or {}}),
                     suite="s.jsonl", line=1)
    made = []
    for statuses in trials:
        scores = {n: Score(statuses.get(n, "n/a"), f"{n} {statuses.get(n, 'n/a')}") for n in SCORE_NAMES}  # type: ignore[arg-type]
        made.append(Trial(RunRecord(run_id="r", status="done", routed_agent="a"), scores))
    return CaseResult(item, domain, made)


def run(*results: CaseResult, repeat: int = 1) -> EvalRun:
    return EvalRun(list(results), ["s.jsonl"], "offline", 1, repeat, 1.5)


OLD = run(
    result("a", "ecommerce_catalog", {"route@1": "pass", "action": "fail"}, expect={"agent": "x"}),
    result("b", "ecommerce_catalog", {"route@1": "fail", "decision": "pass"}, expect={"agent": "y"}),
    result("c", "out_of_scope", {"refusal": "pass"}, expect={"refuse": True}),
)
NEW = run(
    result("a", "ecommerce_catalog", {"route@1": "pass", "action": "pass"}, expect={"agent": "x"}),
    result("b", "ecommerce_catalog", {"route@1": "fail", "decision": "fail"}, expect={"agent": "y"}),
    result("d", "out_of_scope", {"refusal": "pass"}, expect={"refuse": True}),
)


def test_summary_counts_trials_per_score_and_cases_for_pass_k() -> None:
    twice = run(
        result("a", "crm_sales", {"route@1": "pass"}, {"route@1": "fail"}),
        result("b", "crm_sales", {"route@1": "pass"}, {"route@1": "pass"}),
        repeat=2,
    )
    data = report.summarize(twice)
    assert data["scores"]["route@1"] == {"passed": 3, "total": 4, "rate": 0.75}
    assert data["scores"]["pass^2"] == {"passed": 1, "total": 2, "rate": 0.5}
    assert data["scores"]["action"] == {"passed": 0, "total": 0, "rate": None}
    assert data["domains"]["crm_sales"]["pass^2"]["passed"] == 1
    assert [(w["key"], w["why"]) for w in data["worst"]] == [("s.jsonl:a", {"route@1": "route@1 fail"})]
    assert data["cases"][0]["scores"]["route@1"] == "fail"


def test_json_and_html_reports_are_written(tmp_path: Path) -> None:
    data = report.summarize(OLD)
    report.write_json(data, tmp_path / "out" / "r.json")
    assert json.loads((tmp_path / "out" / "r.json").read_text())["scores"]["route@1"]["rate"] == 0.5
    report.write_html(data, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text()
    judged = [n for n, cell in data["scores"].items() if cell["total"]]
    assert judged == ["route@1", "action", "decision", "refusal", "pass^1"]
    for name in judged:
        assert f'aria-label="{name}"' in page
    for domain in ("ecommerce_catalog", "out_of_scope"):
        assert f'aria-label="{domain}"' in page
    assert page.count("<svg") == len(judged) + 2
    assert not re.search(r"<script|<link|https?://(?!www\.w3\.org/2000/svg)", page)  # self-contained
    console = Console(record=True, width=160)
    report.render(data, console)
    text = console.export_text()
    assert "route@1" in text and "worst cases" in text and "s.jsonl:b" in text


def test_compare_says_what_got_better_and_worse(tmp_path: Path) -> None:
    old_path, new_path = tmp_path / "old.json", tmp_path / "new.json"
    report.write_json(report.summarize(OLD), old_path)
    report.write_json(report.summarize(NEW), new_path)
    result_ = compare.compare(compare.load_report(old_path), compare.load_report(new_path))
    assert [(c.key, c.better, c.worse) for c in result_.changes] == [
        ("s.jsonl:a", ["action"], []), ("s.jsonl:b", [], ["decision"])]
    assert result_.worse[0].why == {"decision": "decision fail"}
    assert (result_.added, result_.removed) == (["s.jsonl:d"], ["s.jsonl:c"])
    assert result_.scores["action"] == (0.0, 1.0)
    console = Console(record=True, width=160)
    compare.render(result_, console)
    text = console.export_text()
    assert "1 case(s) got worse" in text and "s.jsonl:b: decision (decision: decision fail)" in text
    assert "1 case(s) got better" in text and "+100.0 pt" in text


def test_a_file_that_is_not_a_report_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("[1]")
    try:
        compare.load_report(path)
    except compare.ReportError as exc:
        assert "not a report of `brain eval --json`" in str(exc)
    else:
        raise AssertionError("expected a ReportError")
