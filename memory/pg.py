"""Postgres plumbing of the memory store: numpy vectors as pgvector parameters, dict rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pgvector.psycopg.vector import VectorBinaryDumper, VectorDumper
from psycopg import AsyncConnection
from psycopg.rows import dict_row

from memory.errors import MemoryStoreError

Row = dict[str, Any]


async def fetch_rows(conn: AsyncConnection[Any], sql: str, params: Sequence[Any] = ()) -> list[Row]:
    """Run one statement and return its rows as dicts, whatever the connection's row factory."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(sql, params)
        return await cur.fetchall()


class VectorAdapters:
    """Sends numpy arrays as `vector` values, and knows the dimension of memories.embedding.

    The type's oid and the column's dimension are read once per store; registering the dumpers on
    a connection is then a local operation (no round trip), done each time one is checked out.
    """

    def __init__(self) -> None:
        self.column_dim: int | None = None
        self._dumpers: tuple[type[VectorDumper], type[VectorBinaryDumper]] | None = None

    async def prepare(self, conn: AsyncConnection[Any]) -> None:
        if self._dumpers is None:
            rows = await fetch_rows(
                conn,
                "SELECT a.atttypid::int AS oid, a.atttypmod AS dim FROM pg_attribute a"
                " WHERE a.attrelid = to_regclass('memories') AND a.attname = 'embedding'",
            )
            if not rows:
                raise MemoryStoreError(
                    "the memories table is missing: apply the migrations (runtime/migrations/003_memory.sql)"
                )
            oid = int(rows[0]["oid"])
            self.column_dim = int(rows[0]["dim"])
            self._dumpers = (
                type("MemoryVectorDumper", (VectorDumper,), {"oid": oid}),
                type("MemoryVectorBinaryDumper", (VectorBinaryDumper,), {"oid": oid}),
            )
        text_dumper, binary_dumper = self._dumpers
        conn.adapters.register_dumper(np.ndarray, text_dumper)
        conn.adapters.register_dumper(np.ndarray, binary_dumper)
