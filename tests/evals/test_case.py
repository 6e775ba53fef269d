"""The case format: valid cases, and errors that name the key and the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.case import SuiteError, check_references, load_suite, load_suites, parse_suite

FULL = {
    "id": "catalog-017", "tenant": "acme", "role": "operator",
    "request": "put the red mug in the spring collection and make it 12 dollars",
    "setup": {"saleor": {"products": [{"name": "Red Mug", "price": 10.0}]}},
    "expect": {
        "agent": ["product_catalog_manager", "pricing_optimizer"],
        "actions": [
            {"tool": "saleor.product_update", "args": {"product": "Red Mug", "price": 12}},
            {"tool": "saleor.collection_add_products", "args": {"collection": "Spring"}},
        ],
        "decision": "ask",
        "state": {"saleor": {"products": [{"name": "Red Mug", "price": 12.0}]}},
        "refuse": False,
    },
}


def suite(*lines: object) -> str:
    return "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)


def problems(text: str) -> list[str]:
    with pytest.raises(SuiteError) as caught:
        parse_suite(text, "s.jsonl")
    return caught.value.problems


def test_the_format_example_parses_with_defaults_for_the_rest() -> None:
    [item] = parse_suite(suite(FULL), "s.jsonl")
    case = item.case
    assert (item.suite, item.line, item.key, item.tenant, item.role) == ("s.jsonl", 1, "s.jsonl:catalog-017", "acme", "operator")
    assert case.expect.agents == ["product_catalog_manager", "pricing_optimizer"]
    assert [a.tool for a in case.expect.actions or []] == ["saleor.product_update", "saleor.collection_add_products"]
    assert case.expect.state == {"saleor": {"products": [{"name": "Red Mug", "price": 12.0}]}}
    [minimal] = parse_suite(suite({"id": "a", "request": "hi"}), "s.jsonl")
    assert (minimal.tenant, minimal.role, minimal.case.expect.agents, minimal.case.setup) == ("demo", "operator", [], None)


def test_blank_lines_are_skipped_and_line_numbers_kept() -> None:
    items = parse_suite(suite({"id": "a", "request": "x"}, "", "  ", {"id": "b", "request": "y", "expect": {"agent": "x"}}), "s")
    assert [(i.case.id, i.line) for i in items] == [("a", 1), ("b", 4)]


@pytest.mark.parametrize(("case", "message"), [
    ({"id": "a", "request": "x", "expct": {}}, "line 2: unknown key 'expct'"),
    ({"id": "a", "request": "x", "expect": {"agnt": "x"}}, "line 2: unknown key 'expect.agnt'"),
    ({"id": "a", "request": "x", "expect": {"actions": [{"tool": "t", "arg": {}}]}}, "line 2: unknown key 'expect.actions[0].arg'"),
    ({"id": "a", "request": "x", "setup": {"shop": {}}}, "line 2: setup: unknown key 'shop'"),
    ({"id": "a"}, "line 2: missing required key 'request'"),
    ({"request": "x"}, "line 2: missing required key 'id'"),
    ({"id": "a", "request": ""}, "line 2: request: string should have at least 1 character"),
    ({"id": "a", "request": 5}, "line 2: request: input should be a valid string (got 5)"),
    ({"id": "a", "request": "x", "expect": {"refuse": "yes"}}, 'line 2: expect.refuse: input should be a valid boolean (got "yes")'),
    ({"id": "a", "request": "x", "expect": {"decision": "maybe"}}, "line 2: expect.decision: input should be 'auto', 'ask' or 'deny'"),
    ({"id": "a", "request": "x", "expect": {"agent": 5}}, "line 2: expect.agent: input should be a valid string or a valid list (got 5)"),
    ({"id": "a", "request": "x", "expect": {"agent": []}}, "line 2: expect.agent: a list of agent ids must hold at least one"),
    ({"id": "a", "request": "x", "role": "boss"}, "line 2: role: input should be 'viewer', 'operator', 'tenant_admin' or 'super_admin'"),
    ({"id": "a", "request": "x", "setup": {"saleor": {"products": [1]}}}, "line 2: setup.saleor.products[0]: input should be a valid dictionary"),
    ([1, 2], "line 2: a case must be a JSON object, not list"),
])
def test_a_bad_case_is_named_by_key_and_line(case: object, message: str) -> None:
    [problem] = problems(suite({"id": "ok", "request": "fine"}, case))
    assert problem.startswith(f"s.jsonl: {message}"), problem


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    found = problems(suite({"id": "a", "request": "x"}, "{not json", {"id": "a", "request": "y"}, {"id": "b"}))
    assert found == [
        "s.jsonl: line 2: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        "s.jsonl: line 3: id 'a' is already used on line 1",
        "s.jsonl: line 4: missing required key 'request'",
    ]
    assert problems("\n\n") == ["s.jsonl: the suite holds no cases"]


def test_suites_load_from_files_and_unknown_ids_are_reported(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(suite({"id": "a", "request": "x", "expect": {"agent": "nobody", "actions": [{"tool": "no.such"}]}}))
    bad = tmp_path / "bad.jsonl"
    bad.write_text(suite({"id": "a"}))
    with pytest.raises(SuiteError) as caught:
        load_suites([good, bad, tmp_path / "missing.jsonl"])
    assert caught.value.problems[0] == "bad.jsonl: line 1: missing required key 'request'"
    assert caught.value.problems[1].startswith(f"{tmp_path / 'missing.jsonl'}: cannot read the suite")
    with pytest.raises(SuiteError) as refs:
        check_references(load_suite(good), ["someone"], ["saleor.product_create"])
    assert refs.value.problems == [
        "good.jsonl: line 1: expect.agent: unknown agent id 'nobody'",
        "good.jsonl: line 1: expect.actions[0].tool: unknown tool id 'no.such'",
    ]


def test_the_shipped_routing_suite_fits_the_format() -> None:
    cases = load_suite(Path(__file__).resolve().parents[2] / "evals" / "suites" / "dev" / "routing.jsonl")
    assert len(cases) >= 600
    assert sum(1 for c in cases if c.case.expect.refuse) >= 60
