"""The fault suite's machinery: real worker processes (forked by `zygote.py`), killed with SIGKILL
at random moments while they hold runs, and the checks afterwards, read from the database as its
owner (row-level security does not hide anything from the checks) and from the sandbox systems.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

REPO = Path(__file__).resolve().parents[2]

# The last event of a run (or its ledger) when its worker was killed -> the point of the kill.
PHASES = {None: "routing", "routed": "planning", "planned": "gating", "decision": "gating", "waiting": "waiting",
          "tool_result": "checkpointing", "answer": "finishing", "handoff": "planning"}

TARGETS = ("routing", "planning", "gating", "waiting", "executing", "checkpointing", "resuming", "finishing")

HOLDERS = """
SELECT r.id, r.status, split_part(r.lease_owner, ':', 2)::int AS pid,
       (SELECT e.type FROM run_events e WHERE e.run_id = r.id ORDER BY e.seq DESC LIMIT 1) AS last_event,
       EXISTS (SELECT 1 FROM ledger s WHERE s.run_id = r.id AND s.kind = 'started' AND NOT EXISTS (
               SELECT 1 FROM ledger x WHERE x.run_id = s.run_id AND x.call_id = s.call_id AND x.kind = 'result'))
           AS executing
  FROM runs r
 WHERE r.status IN ('running', 'resuming') AND r.lease_owner IS NOT NULL AND r.lease_expires_at > clock_timestamp()
"""


def phase(row: dict[str, Any]) -> str:
    if row["executing"]:
        return "executing"
    if row["status"] == "resuming" and row["last_event"] == "waiting":
        return "resuming"
    return PHASES.get(row["last_event"], str(row["last_event"]))


class Zygote:
    """The warm parent (`zygote.py`) that forks workers and API processes, one per session."""

    def __init__(self, folder: Path, env: dict[str, str]):
        self.folder = folder
        self.env = env
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        log = os.open(self.folder / "zygote.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.faults.zygote", cwd=REPO, env=self.env,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=log,
            )
        finally:
            os.close(log)
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout=600)
        assert line.strip() == b"ready", (self.folder / "zygote.log").read_text()

    async def fork(self, order: dict[str, Any]) -> int:
        assert self.process is not None and self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(order).encode() + b"\n")
        await self.process.stdin.drain()
        return int(await asyncio.wait_for(self.process.stdout.readline(), timeout=30))

    async def stop(self) -> None:
        if self.process is None:
            return
        if self.process.stdin is not None:
            self.process.stdin.close()
        with_retry_kill(self.process.pid)
        await self.process.wait()


@dataclass
class Fleet:
    """Worker processes forked from the warm parent; `kill_busy` SIGKILLs one that holds a run."""

    zygote: Zygote
    env: dict[str, str]
    folder: Path
    owner_url: str
    workers: set[int] = field(default_factory=set)
    kills: list[str] = field(default_factory=list)
    api_pid: int | None = None
    _conn: psycopg.AsyncConnection[Any] | None = None
    _count: int = 0

    async def start(self, workers: int) -> None:
        for _ in range(workers):
            await self.spawn()

    async def spawn(self) -> int:
        self._count += 1
        pid = await self.zygote.fork({"log": str(self.folder / f"worker-{self._count}.log"), "env": self.env})
        self.workers.add(pid)
        return pid

    async def spawn_api(self, port: int) -> int:
        self.api_pid = await self.zygote.fork({"log": str(self.folder / "api.log"), "env": self.env, "api": port})
        return self.api_pid

    def kill_api(self) -> None:
        assert self.api_pid is not None
        os.kill(self.api_pid, signal.SIGKILL)
        self.api_pid = None

    async def holders(self) -> list[dict[str, Any]]:
        """Runs leased to live workers of this fleet now, with where each one is."""
        for attempt in range(2):
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = await psycopg.AsyncConnection.connect(self.owner_url, row_factory=dict_row,
                                                                       autocommit=True)
                cur = await self._conn.execute(HOLDERS)
                return [r for r in await cur.fetchall() if r["pid"] in self.workers]
            except psycopg.OperationalError:  # Postgres restarting: reconnect once, else report nothing
                self._conn = None
                if attempt:
                    return []
                await asyncio.sleep(0.5)
        return []

    async def kill_busy(self, rng: random.Random, *, patience: float = 3.0) -> str | None:
        """SIGKILL a worker holding a run at a randomly chosen point (waiting up to `patience` for a
        run to be there, else any busy one); the point it died at, None when no worker is busy."""
        target = rng.choice(TARGETS)
        deadline = time.monotonic() + patience
        while True:
            held = await self.holders()
            if not held:
                return None
            there = [r for r in held if phase(r) == target]
            if there or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.01)
        row = rng.choice(there or held)
        with_retry_kill(row["pid"])
        self.workers.discard(row["pid"])
        self.kills.append(phase(row))
        await self.spawn()
        return phase(row)

    async def stop(self) -> None:
        for pid in list(self.workers) + ([self.api_pid] if self.api_pid else []):
            with_retry_kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(p) for p in self.workers):  # noqa: ASYNC110 - other processes
            await asyncio.sleep(0.2)
        for pid in self.workers:
            with_retry_kill(pid)
        if self.api_pid:
            with_retry_kill(self.api_pid)
        if self._conn is not None:
            await self._conn.close()


def with_retry_kill(pid: int, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def run_states(owner_url: str) -> Counter[str]:
    async with await psycopg.AsyncConnection.connect(owner_url, row_factory=dict_row) as conn:
        cur = await conn.execute("SELECT status, count(*) AS n FROM runs GROUP BY status")
        return Counter({r["status"]: r["n"] for r in await cur.fetchall()})


async def ledger_twice(owner_url: str) -> list[dict[str, Any]]:
    """Tool calls the ledger shows started more than once (the unique key forbids it; counted anyway)."""
    async with await psycopg.AsyncConnection.connect(owner_url, row_factory=dict_row) as conn:
        cur = await conn.execute("SELECT run_id, call_id, count(*) AS n FROM ledger WHERE kind = 'started' "
                                 "GROUP BY run_id, call_id HAVING count(*) > 1")
        return list(await cur.fetchall())


async def ledger_results(owner_url: str) -> list[dict[str, Any]]:
    async with await psycopg.AsyncConnection.connect(owner_url, row_factory=dict_row) as conn:
        cur = await conn.execute(
            "SELECT r.request, l.tool, l.args, l.outcome, l.error FROM ledger l JOIN runs r ON r.id = l.run_id "
            "WHERE l.kind = 'result'")
        return list(await cur.fetchall())


async def failed_runs(owner_url: str) -> list[str]:
    """Why each failed run failed (its recorded error)."""
    async with await psycopg.AsyncConnection.connect(owner_url, row_factory=dict_row) as conn:
        cur = await conn.execute("SELECT error FROM runs WHERE status = 'failed' ORDER BY updated_at")
        return [str(r["error"]) for r in await cur.fetchall()]
