"""Fuzzy matching of a phrase against known names: plurals, case, "&", trailing words, parts, typos."""

from __future__ import annotations

import pytest

from runtime.understanding.names import Link, NameIndex, choices_text, tokens

NAMES = ["Oak Board", "Oak Board Large", "Red Mug", "Blue Mug", "Hart & Sons", "Bamboo Cutlery Set", "Glass Jar"]


@pytest.mark.parametrize(("phrase", "found"), [
    ("oak boards", "Oak Board"),
    ("the Oak Board photos", "Oak Board"),
    ("Oak Board Large", "Oak Board Large"),
    ("oak board's", "Oak Board"),
    ("red mugs", "Red Mug"),
    ("Hart and Sons", "Hart & Sons"),
    ("hart & sons ltd", "Hart & Sons"),
    ("bamboo cutlery sett", "Bamboo Cutlery Set"),
    ("glass jars", "Glass Jar"),
])
def test_one_record_fits(phrase: str, found: str) -> None:
    link = NameIndex(NAMES).link(phrase)
    assert (link.found, link.ambiguous) == (found, False)
    assert 0.88 <= link.score <= 1.0


def test_a_part_of_several_names_is_ambiguous() -> None:
    link = NameIndex(NAMES).link("the mug")
    assert link == Link("the mug", found=None, choices=("Blue Mug", "Red Mug"), score=0.8)
    assert choices_text(link.choices) == "'Blue Mug' or 'Red Mug'"


def test_a_part_of_one_name_fits_with_a_lower_score() -> None:
    link = NameIndex(NAMES).link("cutlery")
    assert (link.found, link.score) == ("Bamboo Cutlery Set", 0.8)


@pytest.mark.parametrize("phrase", ["Walnut Tray", "", "the", "🙂🙂", "tablero de roble"])
def test_nothing_fits(phrase: str) -> None:
    assert NameIndex(NAMES).link(phrase) == Link(phrase)


def test_mentions_in_order() -> None:
    assert NameIndex(NAMES).mentions("move the red mugs and the oak boards to Gifts") == ["Red Mug", "Oak Board"]


def test_tokens_normalise_both_sides_alike() -> None:
    assert tokens("Hart & Sons' BOXES") == ["hart", "and", "son", "box"]
    assert tokens("glass") == ["glass"]
