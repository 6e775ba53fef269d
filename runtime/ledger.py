"""The append-only ledger: decisions before a call, results after it (invariants 2 and 4)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from runtime.db import scoped

COLUMNS = (
    "run_id", "tenant_id", "call_id", "kind", "tool", "args", "args_hash", "outcome", "actor",
    "policy_version", "rule_id", "confidence", "reason", "result", "error", "precondition",
    "risk",
)


class Kind(StrEnum):
    """What an entry records: the policy's decision, a person's answer, the policy's decision on edited
    arguments, the start of a call, its result."""

    DECISION = "decision"
    APPROVAL = "approval"
    REDECISION = "redecision"
    STARTED = "started"
    RESULT = "result"


@dataclass(frozen=True)
class Entry:
    run_id: str
    tenant_id: str
    call_id: str
    kind: Kind
    tool: str
    args: dict[str, Any]
    args_hash: str
    actor: str
    outcome: str | None = None
    policy_version: int | None = None
    rule_id: str | None = None
    confidence: float | None = None
    reason: str | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    precondition: dict[str, Any] | None = None
    risk: str | None = None  # the risk class a decision used (the tool's, or destructive when escalated)
    seq: int | None = None  # set by the database: read back, never written
    created_at: datetime | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Entry:
        values: dict[str, Any] = {f.name: row.get(f.name) for f in fields(cls)}
        values["kind"] = Kind(row["kind"])
        values["run_id"] = str(row["run_id"])
        return cls(**values)


async def append(conn: Any, entry: Entry) -> bool:
    """Append an entry inside the caller's transaction; a replayed (run, call, kind) is ignored."""
    values = [getattr(entry, c) for c in COLUMNS]
    values = [Jsonb(v) if c in ("args", "result", "precondition") and v is not None else v for c, v in zip(COLUMNS, values, strict=True)]
    sql = (
        f"INSERT INTO ledger ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
        "ON CONFLICT (run_id, call_id, kind) DO NOTHING"
    )
    cur = await conn.execute(sql, values)
    written: bool = cur.rowcount == 1
    return written


class Ledger:
    def __init__(self, pool: AsyncConnectionPool[Any]):
        self.pool = pool

    async def record(self, entry: Entry, conn: Any = None) -> bool:
        """Append an entry; a replayed (run, call, kind) is ignored. True when written now.

        With `conn`, the entry is written in the caller's transaction (a node's writes together)."""
        if conn is not None:
            return await append(conn, entry)
        async with scoped(self.pool, entry.run_id) as own:
            return await append(own, entry)

    async def find(self, run_id: str, call_id: str, kind: Kind) -> Entry | None:
        async with scoped(self.pool, run_id) as conn:
            cur = await conn.execute(
                "SELECT * FROM ledger WHERE run_id = %s AND call_id = %s AND kind = %s", (run_id, call_id, Kind(kind).value)
            )
            row: dict[str, Any] | None = await cur.fetchone()
            return None if row is None else Entry.from_row(row)

    async def find_many(self, run_id: str, call_ids: list[str], kind: Kind) -> dict[str, Entry]:
        """The entries of one kind for several calls of a run, in one query: call id -> row."""
        if not call_ids:
            return {}
        async with scoped(self.pool, run_id) as conn:
            cur = await conn.execute(
                "SELECT * FROM ledger WHERE run_id = %s AND call_id = ANY(%s) AND kind = %s",
                (run_id, call_ids, Kind(kind).value),
            )
            return {row["call_id"]: Entry.from_row(row) for row in await cur.fetchall()}

    async def for_run(self, run_id: str) -> list[dict[str, Any]]:
        async with scoped(self.pool, run_id) as conn:
            cur = await conn.execute("SELECT * FROM ledger WHERE run_id = %s ORDER BY seq", (run_id,))
            return list(await cur.fetchall())
