"""Shared fixtures for adapter tests: the reference specs in the sibling `shared` directory."""

from __future__ import annotations

import os
from pathlib import Path

import graphql
import pytest


def shared_dir() -> Path:
    """`$BRAIN_SHARED_DIR`, else the repo root's sibling `shared`."""
    return Path(os.environ.get("BRAIN_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared"))


SALEOR_SCHEMA_PATH = shared_dir() / "specs" / "saleor" / "schema.graphql"


@pytest.fixture(scope="session")
def saleor_schema() -> graphql.GraphQLSchema:
    """Saleor's real schema, built once per test session (the SDL is about 1 MB)."""
    return graphql.build_schema(SALEOR_SCHEMA_PATH.read_text(encoding="utf-8"))


def saleor_validation_errors(schema: graphql.GraphQLSchema, document: str) -> list[str]:
    """Messages of every way `document` fails to parse or validate against the schema."""
    try:
        tree = graphql.parse(document)
    except graphql.GraphQLError as exc:
        return [exc.message]
    return [error.message for error in graphql.validate(schema, tree)]


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays the HTTP core's retries waited, instead of waiting them."""
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("adapters.http.asyncio.sleep", fake_sleep)
    return slept
