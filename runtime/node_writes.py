"""A node's ledger entries and run events, written together in one transaction.

A graph node collects what it records (`record`) and tells (`emit`) and `flush()`es once: before
it pauses for a person and when it returns. The events are published (Redis, listeners) only after
the transaction commits. Replays stay harmless: ledger entries are keyed by (run, call, kind) and
events by their key, so a resumed node writes nothing twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from runtime.db import scoped
from runtime.events import EventSink
from runtime.ledger import Entry, Ledger

Emit = Callable[[str, dict[str, Any], str | None], Awaitable[None]]


class NodeWrites:
    def __init__(self, ledger: Ledger, events: EventSink | None, run_id: str, tenant: str, fallback: Emit) -> None:
        self.ledger = ledger
        self.events = events
        self.run_id = run_id
        self.tenant = tenant
        self._fallback = fallback  # one emit at a time, when no EventSink is at hand
        self._entries: list[Entry] = []
        self._events: list[tuple[str, dict[str, Any], str | None]] = []

    def record(self, entry: Entry) -> None:
        self._entries.append(entry)

    def emit(self, type_: str, data: dict[str, Any], key: str | None) -> None:
        self._events.append((type_, data, key))

    async def flush(self) -> None:
        """Write everything collected so far in one transaction, then publish the new events."""
        entries, events = self._entries, self._events
        self._entries, self._events = [], []
        if not entries and not events:
            return
        if self.events is None:
            for entry in entries:
                await self.ledger.record(entry)
            for type_, data, key in events:
                await self._fallback(type_, data, key)
            return
        fresh: list[dict[str, Any]] = []
        async with scoped(self.ledger.pool, self.run_id) as conn:
            for entry in entries:
                await self.ledger.record(entry, conn)
            for type_, data, key in events:
                event = await self.events.insert(conn, self.run_id, self.tenant, type_, data, key)
                if event is not None:
                    fresh.append(event)
        for event in fresh:
            await self.events.publish(event)
