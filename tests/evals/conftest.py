"""A Brain for eval tests: its own database cloned from the session's template, one per module."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import psycopg
import pytest

from bootstrap import open_brain
from memory.embeddings import MiniLMEmbedder
from runtime import db
from runtime.brain import Brain
from runtime.settings import Settings
from tests.conftest import SHARED, TEMPLATE


@asynccontextmanager
async def open_eval_brain(pg_url: str, embedder: MiniLMEmbedder, home: Path) -> AsyncIterator[Brain]:
    """A Brain on a fresh database cloned from the session's template, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
        await conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    url = db.with_database(pg_url, name)
    settings = Settings(home=home, database_url=url, specs_dir=SHARED / "specs", redis_url=None, model=None)
    try:
        brain = await open_brain(settings, embedder=embedder, url=url)
        try:
            yield brain
        finally:
            await brain.close()
    finally:
        async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
            await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
async def eval_brain(pg_url: str, template_url: str, embedder: MiniLMEmbedder,
                     tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Brain]:
    """One Brain for a module: every case runs in sandbox states of its own anyway."""
    async with open_eval_brain(pg_url, embedder, tmp_path_factory.mktemp("evals") / "brain") as brain:
        yield brain
