"""Argument normalisation: the table of EVAL_FORMAT.md."""

from __future__ import annotations

from typing import Any

import pytest

from evals.normalize import first_mismatch, subset_match, values_match


@pytest.mark.parametrize(("expected", "actual"), [
    ("Red Mug", "red mug"),
    ("  Red   Mug ", "RED MUG"),
    ("12", 12),
    (12, 12.0),
    (12.0, "12"),
    ("12.50", 12.5),
    (0.1, "0.10"),
    ("2026-03-01", "2026-03-01"),
    ("2026-03-01T09:00:00Z", "2026-03-01T09:00:00+00:00"),
    ("2026-03-01T10:00:00+01:00", "2026-03-01T09:00:00Z"),
    ("2026-03-01", "2026-03-01T18:30:00+05:30"),
    ("2026-03-01T09:00", "2026-03-01T09:00:00+00:00"),
    (["Spring", "Blue Vase"], ["spring", "blue vase "]),
    ([12, "a"], ("12", "A")),
    ({"name": "Red Mug"}, {"name": "red mug", "price": 12.0}),
    ({"lines": [{"sku": "A", "quantity": 2}]}, {"lines": [{"sku": "a", "quantity": "2", "price": 1}], "x": 1}),
    (None, None),
    (True, True),
])
def test_equal_after_normalising(expected: Any, actual: Any) -> None:
    assert values_match(expected, actual)


@pytest.mark.parametrize(("expected", "actual"), [
    ("Red Mug", "Red Mugs"),
    ("12", 12.01),
    (12, "twelve"),
    ("12", "12.0"),  # two strings compare as text
    (True, 1),
    (1, True),
    (None, ""),
    ("", None),
    ("2026-03-01", "2026-03-02T00:00:00Z"),
    ("2026-03-01T09:00:00Z", "2026-03-01"),
    ("2026-03-01T09:00:00Z", "2026-03-01T09:00:01Z"),
    (["a", "b"], ["b", "a"]),
    (["a"], ["a", "b"]),
    (["a"], "a"),
    ({"name": "x"}, {"title": "x"}),
    ({"name": "x"}, "x"),
    ("x", {"name": "x"}),
])
def test_different_after_normalising(expected: Any, actual: Any) -> None:
    assert not values_match(expected, actual)


def test_subset_match_and_the_first_mismatch() -> None:
    actual = {"product": "Red Mug", "price": 12.0, "channel": "default"}
    assert subset_match({}, actual)
    assert subset_match({"price": "12"}, actual)
    assert not subset_match({"price": 13}, actual)
    assert first_mismatch({"product": "red mug", "price": 13}, actual) == "price is 12.0, not 13"
    assert first_mismatch({"sku": "X"}, actual) == "sku missing"
    assert first_mismatch({"price": 12}, actual) is None
