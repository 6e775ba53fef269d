"""A node's ledger entries and events are written in one transaction, published after it commits,
and never twice when the node is replayed."""

from __future__ import annotations

from typing import Any

from runtime import db
from runtime.brain import Brain
from runtime.ledger import Entry, Kind
from runtime.node_writes import NodeWrites
from tests.runtime.helpers import ACTOR

ARGS = {"number": "1042"}


def _entry(run_id: str) -> Entry:
    return Entry(run_id=run_id, tenant_id=ACTOR.tenant, call_id="1.0", kind="decision", tool="saleor.order_get",
                 args=ARGS, args_hash="h", actor="policy", outcome="auto")


async def test_entries_and_events_commit_together_then_publish_once(brain: Brain) -> None:
    run_id, _ = await brain.create_run("Where is order 1042?", ACTOR)
    heard: list[dict[str, Any]] = []
    brain.events.listeners.append(heard.append)

    async def unused(type_: str, data: dict[str, Any], key: str | None) -> None:
        raise AssertionError("the EventSink is given: no one-by-one emit")

    with db.tenant_scope(ACTOR.tenant):
        for _ in range(2):  # the second pass is a replayed node: nothing new is written or published
            writes = NodeWrites(brain.ledger, brain.events, run_id, ACTOR.tenant, unused)
            writes.record(_entry(run_id))
            writes.emit("decision", {"call_id": "1.0", "outcome": "auto"}, "decision:1.0")
            writes.emit("note", {"text": "no key, always new"}, None)
            await writes.flush()
            await writes.flush()  # nothing left: no transaction at all
        kinds = [(e["call_id"], e["kind"], e["outcome"]) for e in await brain.ledger.for_run(run_id)]
        history = [e["type"] for e in await brain.events.history(run_id)]
        found = await brain.ledger.find_many(run_id, ["1.0", "2.0"], Kind.DECISION)
    assert kinds == [("1.0", "decision", "auto")]
    assert history == ["decision", "note", "note"]
    assert [e["type"] for e in heard] == ["decision", "note", "note"]
    assert [e["seq"] for e in heard] == sorted(e["seq"] for e in heard)
    assert set(found) == {"1.0"} and found["1.0"].args == ARGS


async def test_a_failing_write_leaves_nothing_half_written(brain: Brain) -> None:
    run_id, _ = await brain.create_run("Where is order 1042?", ACTOR)
    heard: list[dict[str, Any]] = []
    brain.events.listeners.append(heard.append)

    async def unused(type_: str, data: dict[str, Any], key: str | None) -> None:
        raise AssertionError("unused")

    writes = NodeWrites(brain.ledger, brain.events, run_id, ACTOR.tenant, unused)
    writes.emit("decision", {"call_id": "1.0"}, "decision:1.0")
    writes.record(Entry(run_id=run_id, tenant_id=ACTOR.tenant, call_id="1.0", kind="no-such-kind", tool="t",
                        args={}, args_hash="h", actor="policy"))
    with db.tenant_scope(ACTOR.tenant):
        try:
            await writes.flush()
        except Exception as exc:  # the ledger's CHECK on kind refuses the entry
            assert "kind" in str(exc)
        else:
            raise AssertionError("the bad entry was accepted")
        assert await brain.events.history(run_id) == []
    assert heard == []
