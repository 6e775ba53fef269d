"""MemoryStore on the real Postgres as brain_app, with real MiniLM embeddings."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import ANY

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from memory.embeddings import MiniLMEmbedder
from memory.errors import EmbeddingMismatch, InvalidMemory, MemoryNotFound
from memory.store import MemoryStore, NewMemory
from tests.memory.conftest import CountingEmbedder, HashingEmbedder
from tools.catalog.internal import MemorySearch
from tools.context import ContextError, ToolContext
from tools.registry import default_registry

Owner = psycopg.AsyncConnection[dict[str, Any]]

BRAND_VOICE = "ACME's brand voice is playful and irreverent: short punchy sentences, puns welcome, never corporate."
FACTS = [
    NewMemory(BRAND_VOICE, "brand_voice", subject="ACME"),
    NewMemory("Dana prefers the weekly sales report on Monday mornings.", "fact", subject="Dana"),
    NewMemory("Orders over $80 ship free within the EU; others pay a flat $6.", "policy", subject="shipping"),
    NewMemory("The spring campaign targets first-time plant owners aged 25-34.", "campaign_brief", subject="spring"),
]
REF = re.compile(r"^m:[0-9a-f]{8}$")


async def _texts(store: MemoryStore, tenant: str, query: str, **kwargs: Any) -> list[str]:
    return [hit["text"] for hit in await store.search(tenant, query, **kwargs)]


async def test_a_paraphrase_finds_the_fact_and_the_result_is_whole(store: MemoryStore) -> None:
    written = await store.write_many("acme", FACTS, user="ana", agent="brand_strategist")
    assert [w["status"] for w in written] == ["created"] * 4
    assert written[0] == {
        "id": ANY, "ref": ANY, "status": "created", "kind": "brand_voice", "subject": "ACME",
        "created_at": ANY, "replaced": [],
    }
    hits = await store.search("acme", "How should our marketing copy sound?", limit=3)
    assert hits[0] == {
        "id": written[0]["id"], "ref": written[0]["ref"], "kind": "brand_voice", "subject": "ACME",
        "text": BRAND_VOICE, "tags": [], "metadata": {}, "user": "ana", "agent": "brand_strategist",
        "source_run": None, "created_at": written[0]["created_at"], "expires_at": None,
        "score": ANY, "similarity": ANY, "text_rank": None,
    }
    assert REF.match(hits[0]["ref"]) and hits[0]["ref"] == "m:" + uuid.UUID(hits[0]["id"]).hex[:8]
    assert hits[0]["similarity"] > 0.3 and len(hits) == 3
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    vector_only = await store.search("acme", "tone of voice for ACME's ads", mode="vector", limit=1)
    assert vector_only[0]["id"] == written[0]["id"]


async def test_writing_the_same_thing_twice_is_idempotent(store: MemoryStore, owner: Owner) -> None:
    first = await store.write("acme", BRAND_VOICE, kind="brand_voice", subject="ACME")
    again = await store.write("acme", f"  {BRAND_VOICE} ", kind="brand_voice", subject="ACME ")
    assert again == {**first, "status": "unchanged"}
    # Concurrent identical writes serialise on the advisory lock: one row.
    results = await asyncio.gather(*(store.write("acme", "Dana likes tea.", kind="fact") for _ in range(4)))
    assert len({r["id"] for r in results}) == 1
    rows = await (await owner.execute("SELECT count(*) AS n FROM memories")).fetchone()
    assert rows == {"n": 2}


async def test_a_near_duplicate_replaces_the_older_entry(store: MemoryStore, owner: Owner) -> None:
    old = await store.write("acme", "ACME's brand voice is playful.", kind="brand_voice", subject="ACME")
    new = await store.write("acme", "The brand voice of ACME is playful.", kind="brand_voice", subject="ACME")
    assert new["status"] == "created"
    assert new["replaced"] == [{"id": old["id"], "ref": old["ref"], "reason": "near_duplicate", "similarity": ANY}]
    assert new["replaced"][0]["similarity"] >= store.dedupe_threshold
    # Not duplicates: another subject, another kind, or a different meaning.
    others = [
        await store.write("acme", "ACME's brand voice is playful.", kind="brand_voice", subject="ACME Kids"),
        await store.write("acme", "ACME's brand voice is playful.", kind="decision", subject="ACME"),
        await store.write("acme", "ACME's brand voice is serious.", kind="brand_voice", subject="ACME"),
    ]
    assert all(o["replaced"] == [] for o in others)
    found = await store.search("acme", "ACME brand voice", kind="brand_voice", subject="ACME", limit=10)
    assert {h["id"] for h in found} == {new["id"], others[2]["id"]}
    row = await (await owner.execute("SELECT superseded_by FROM memories WHERE id = %s", (old["id"],))).fetchone()
    assert row == {"superseded_by": uuid.UUID(new["id"])}


async def test_supersedes_replaces_the_named_entry(store: MemoryStore) -> None:
    old = await store.write("acme", "The spring sale ends on 30 April.", kind="decision", subject="spring sale")
    new = await store.write(
        "acme", "The spring sale is extended to 15 May.", kind="decision", subject="spring sale", supersedes=old["ref"]
    )
    assert new["replaced"] == [{"id": old["id"], "ref": old["ref"], "reason": "supersedes"}]
    assert await _texts(store, "acme", "when does the spring sale end?", kind="decision") == [
        "The spring sale is extended to 15 May."
    ]
    with pytest.raises(MemoryNotFound, match=f"already replaced by {new['ref']}"):
        await store.write("acme", "It ends in June.", kind="decision", supersedes=old["id"])
    with pytest.raises(MemoryNotFound, match="no memory"):
        await store.write("acme", "It ends in June.", kind="decision", supersedes=str(uuid.uuid4()))
    with pytest.raises(InvalidMemory, match="supersedes must be a memory ID"):
        await store.write("acme", "It ends in June.", kind="decision", supersedes="the old one")


async def test_expired_memories_are_never_returned_and_are_purged(store: MemoryStore, owner: Owner) -> None:
    soon = datetime.now(UTC) + timedelta(hours=1)
    first = await store.write("acme", "Flash sale code SPRING10 gives 10% off.", kind="fact", subject="promo")
    head = await store.write(
        "acme", "Flash sale code SPRING10 gives 10 percent off.", kind="fact", subject="promo", expires_at=soon
    )
    assert head["replaced"][0]["id"] == first["id"]
    kept = await store.write("acme", "Gift wrapping costs $3.", kind="fact", expires_at=soon + timedelta(days=1))
    assert await _texts(store, "acme", "SPRING10 discount code", limit=1) == [
        "Flash sale code SPRING10 gives 10 percent off."
    ]

    await owner.execute("UPDATE memories SET expires_at = now() - interval '1 minute' WHERE id = %s", (head["id"],))
    for mode in ("hybrid", "vector", "text"):
        hits = await store.search("acme", "SPRING10 discount code", mode=mode, limit=10)
        assert head["id"] not in {h["id"] for h in hits} and first["id"] not in {h["id"] for h in hits}
    assert "SPRING10" not in await store.context_for("acme", "What is the SPRING10 discount code?")

    assert await store.purge_expired() == 1  # the head; its superseded history goes with it
    left = await (await owner.execute("SELECT id::text FROM memories ORDER BY created_at")).fetchall()
    assert left == [{"id": kept["id"]}]
    assert await store.purge_expired() == 0


async def test_rewriting_an_expired_entry_makes_a_fresh_one(store: MemoryStore, owner: Owner) -> None:
    old = await store.write("acme", "Store closes at 6pm.", kind="fact", expires_at=datetime.now(UTC) + timedelta(1))
    await owner.execute("UPDATE memories SET expires_at = now() - interval '1 second'")
    fresh = await store.write("acme", "Store closes at 6pm.", kind="fact")
    assert fresh["status"] == "created" and fresh["id"] != old["id"]
    assert await _texts(store, "acme", "closing time") == ["Store closes at 6pm."]


async def test_filters_on_kind_subject_agent_author_and_time(store: MemoryStore) -> None:
    a = await store.write("acme", "Lead Jo from Bloom Co asked for a demo.", kind="fact", subject="Bloom Co",
                          user="ana", agent="lead_scorer")
    b = await store.write("acme", "Bloom Co's budget is $20k for the quarter.", kind="decision", subject="Bloom Co",
                          user="bob", agent="sales_assistant")
    c = await store.write("acme", "Bloom Co prefers email over calls.", kind="fact", subject="Bloom Co contact",
                          user="bob", agent="lead_scorer")
    query = "What do we know about Bloom Co?"

    async def ids(**filters: Any) -> set[str]:
        return {h["id"] for h in await store.search("acme", query, limit=10, **filters)}

    assert await ids() == {a["id"], b["id"], c["id"]}
    assert await ids(kind="fact") == {a["id"], c["id"]}
    assert await ids(kind=["fact", "decision"], subject="Bloom Co") == {a["id"], b["id"]}
    assert await ids(agent="lead_scorer") == {a["id"], c["id"]}
    assert await ids(written_by="bob") == {b["id"], c["id"]}
    assert await ids(since=datetime.fromisoformat(b["created_at"])) == {b["id"], c["id"]}
    assert await ids(until=datetime.fromisoformat(b["created_at"])) == {a["id"]}
    assert await ids(kind="fact", agent="sales_assistant") == set()
    for mode in ("vector", "text"):
        assert {h["id"] for h in await store.search("acme", "Bloom", mode=mode, agent="sales_assistant")} <= {b["id"]}
    with pytest.raises(InvalidMemory, match="timezone-aware"):
        await store.search("acme", query, since=datetime(2026, 1, 1))


async def test_hybrid_finds_a_rare_keyword_that_vector_search_ranks_low(store: MemoryStore) -> None:
    target = ("Supplier update: the spring restock of the glazed ceramic planters is delayed to late April because "
              "the kiln at the Porto factory failed; affected item PL-7731-Q.")
    lookalikes = ["PL-7713-Q", "Item PL-7731-O is discontinued.", "PL-7731-D ships in May.",
                  "Planter PL-7137-Q restocked.", "SKU PL-7732-Q: terracotta pot", "Order PL-7731-A arrived",
                  "PL-1773-Q sold out", "QL-7731-P backordered"]
    await store.write_many("acme", [NewMemory(t, "supplier_note") for t in [target, *lookalikes]])
    vector = await _texts(store, "acme", "PL-7731-Q", mode="vector", limit=10)
    hybrid = await store.search("acme", "PL-7731-Q", mode="hybrid", limit=10)
    assert vector.index(target) >= 3  # the SKU is one word in a long text: vectors see the lookalikes first
    assert hybrid[0]["text"] == target and hybrid[0]["text_rank"] is not None
    assert await _texts(store, "acme", "PL-7731-Q", mode="text") == [target]


async def test_personal_kinds_are_visible_to_their_owner_only(store: MemoryStore) -> None:
    mine = await store.write("acme", "Ana takes 10mg of cetirizine every morning.", kind="medication", user="ana")
    theirs = await store.write("acme", "Ana takes 10mg of cetirizine every morning.", kind="medication", user="bob")
    assert theirs["id"] != mine["id"]  # idempotency is per owner for personal kinds
    await store.write("acme", "The team allergy policy: keep antihistamines in the first-aid box.", kind="policy")
    query = "cetirizine antihistamine"
    ana = await store.search("acme", query, user="ana", limit=10)
    assert [h["kind"] for h in ana].count("medication") == 1 and mine["id"] in {h["id"] for h in ana}
    assert [h["kind"] for h in await store.search("acme", query, user="carol", limit=10)] == ["policy"]
    assert [h["kind"] for h in await store.search("acme", query, limit=10)] == ["policy"]
    assert "cetirizine" not in await store.context_for("acme", "what does Ana take in the morning?", user="carol")
    with pytest.raises(MemoryNotFound):  # bob cannot supersede (or even see) ana's entry
        await store.write("acme", "No more cetirizine.", kind="medication", user="bob", supersedes=mine["id"])
    with pytest.raises(InvalidMemory, match="personal kind"):
        await store.write("acme", "Lunch was $14.", kind="expense")


async def test_reembed_after_a_model_change(app_pool: AsyncConnectionPool[Any], store: MemoryStore) -> None:
    await store.write_many("acme", FACTS[:2])
    await store.write("acme", "Ana's dentist appointment is on Friday.", kind="personal_note", user="ana")
    await store.write("globex", "Globex sells turbines.", kind="fact")
    assert await store.stale_model_count("acme") == 0

    other = HashingEmbedder()
    changed = MemoryStore(app_pool, other)
    assert await changed.stale_model_count("acme") == 3  # the personal entry included
    # Until re-embedded, old vectors are not compared with the new model's; full text still finds them.
    assert await changed.search("acme", "Dana weekly report", mode="vector") == []
    assert await _texts(changed, "acme", "Dana weekly report", mode="text") == [FACTS[1].text]

    assert await changed.reembed("acme", batch_size=2) == 3
    assert await changed.stale_model_count("acme") == 0
    assert await changed.stale_model_count("globex") == 1  # one tenant at a time
    assert await store.stale_model_count("acme") == 3  # seen from the old model, everything moved
    assert (await _texts(changed, "acme", "Dana weekly report", mode="vector", limit=1)) == [FACTS[1].text]
    assert await _texts(changed, "acme", "dentist Friday", user="ana", mode="vector", limit=1) == [
        "Ana's dentist appointment is on Friday."
    ]

    narrow = MemoryStore(app_pool, HashingEmbedder("test-hashing-8", dim=8))
    assert await narrow.stale_model_count("acme") == 3
    with pytest.raises(EmbeddingMismatch, match="8 dimensions but memories.embedding holds 384"):
        await narrow.reembed("acme")


async def test_write_many_embeds_once_and_dedupes_within_the_batch(
    app_pool: AsyncConnectionPool[Any], embedder: MiniLMEmbedder
) -> None:
    counting = CountingEmbedder(embedder)
    store = MemoryStore(app_pool, counting)
    chunks = [NewMemory(f"Chapter {n}: how to repot a {plant}.", "document", subject="care guide")
              for n, plant in enumerate(["fern", "cactus", "monstera"], start=1)]
    written = await store.write_many("acme", [*chunks, NewMemory("Chapter 3: how to repot a monstera!", "document",
                                                                 subject="care guide")])
    assert len(counting.calls) == 1 and len(counting.calls[0]) == 4
    assert [w["status"] for w in written] == ["created"] * 4
    assert written[3]["replaced"] == [{"id": written[2]["id"], "ref": ANY, "reason": "near_duplicate",
                                       "similarity": ANY}]


async def test_context_is_cited_bounded_and_relevant(store: MemoryStore) -> None:
    written = await store.write_many("acme", FACTS)
    context = await store.context_for("acme", "Write an Instagram caption in ACME's brand voice")
    lines = context.splitlines()
    assert lines[0] == f"[{written[0]['ref']}] {BRAND_VOICE}"
    assert all(re.match(r"^\[m:[0-9a-f]{8}\] \S", line) for line in lines)
    short = await store.context_for("acme", "Write an Instagram caption in ACME's brand voice", max_chars=60)
    assert len(short) <= 60 and short.startswith(f"[{written[0]['ref']}] ACME") and short.endswith("…")
    assert await store.context_for("acme", "   ") == ""
    assert await store.context_for("nobody", "brand voice") == ""


async def test_bad_input_gets_a_clear_error(store: MemoryStore) -> None:
    with pytest.raises(InvalidMemory, match="unknown memory kind 'note'; the kinds are: fact, brand_voice"):
        await store.write("acme", "x", kind="note")
    with pytest.raises(InvalidMemory, match="text is empty"):
        await store.write("acme", "  ", kind="fact")
    with pytest.raises(InvalidMemory, match="in the past"):
        await store.write("acme", "x", kind="fact", expires_at=datetime.now(UTC) - timedelta(seconds=1))
    with pytest.raises(InvalidMemory, match="tenant is required"):
        await store.write("", "x", kind="fact")
    with pytest.raises(InvalidMemory, match="source_run must be a run's UUID"):
        await store.write("acme", "x", kind="fact", source_run="run-1")
    with pytest.raises(InvalidMemory, match="mode must be one of hybrid, vector, text"):
        await store.search("acme", "x", mode="fuzzy")  # type: ignore[arg-type]
    with pytest.raises(InvalidMemory, match="limit must be between 1 and 100"):
        await store.search("acme", "x", limit=0)
    with pytest.raises(InvalidMemory, match="unknown memory kind 'notes'"):
        await store.search("acme", "x", kind=["fact", "notes"])


async def test_memory_tools_reach_the_store_through_the_tool_context(store: MemoryStore, owner: Owner) -> None:
    registry = default_registry()
    write, search = registry.get("memory.write"), registry.get("memory.search")
    assert write.handler is not None and search.handler is not None
    run = str(uuid.uuid4())
    ctx = ToolContext(tenant="acme", user="ana", run_id=run, memory=store.bound("acme", "ana", "copywriter", run))

    args = write.validate_args({"text": BRAND_VOICE, "kind": "brand_voice", "subject": "ACME", "tags": ["tone"]})
    saved = await write.handler(ctx, args)
    assert saved == {"id": ANY, "ref": ANY, "status": "created", "kind": "brand_voice", "subject": "ACME",
                     "created_at": ANY, "replaced": []}
    assert write.describe_result(saved) == f"Memory {saved['ref']}: created."
    note = await write.handler(ctx, write.validate_args({"text": "I owe Bob $20.", "kind": "expense"}))
    assert note["status"] == "created"

    found = await search.handler(ctx, search.validate_args({"query": "what tone do our ads use?", "limit": 1}))
    assert found == {"query": "what tone do our ads use?", "count": 1, "memories": [ANY]}
    assert found["memories"][0] | {"score": 0} == {
        "id": saved["id"], "ref": saved["ref"], "kind": "brand_voice", "subject": "ACME", "text": BRAND_VOICE,
        "tags": ["tone"], "metadata": {}, "user": "ana", "agent": "copywriter", "source_run": run,
        "created_at": saved["created_at"], "expires_at": None, "score": 0, "similarity": ANY, "text_rank": ANY,
    }
    assert search.describe_result(found) == "Found 1 memories."
    bobs = ToolContext(tenant="acme", user="bob", run_id=run, memory=store.bound("acme", "bob", "copywriter", run))
    args_owe = search.validate_args({"query": "money owed to Bob", "kind": "expense"})
    assert isinstance(args_owe, MemorySearch)
    assert (await search.handler(bobs, args_owe))["count"] == 0  # ana's expense is hers only

    # A run id that is not a UUID is kept in metadata; a context without memory is a clear error.
    odd = ToolContext(tenant="acme", user="ana", run_id="run-1", memory=store.bound("acme", "ana", None, "run-1"))
    kept = await write.handler(odd, write.validate_args({"text": "Ana is on leave in August.", "kind": "fact"}))
    row = await (await owner.execute("SELECT source_run, metadata FROM memories WHERE id = %s", (kept["id"],))).fetchone()
    assert row == {"source_run": None, "metadata": {"run": "run-1"}}
    with pytest.raises(ContextError, match="memory.search needs the Brain's memory service"):
        await search.handler(ToolContext(tenant="acme", user="ana", run_id=run), args_owe)


async def test_settings_are_local_to_the_transaction(store: MemoryStore, app_pool: AsyncConnectionPool[Any]) -> None:
    async with store._transaction("acme", "ana", ef_search=123) as conn:
        cur = await conn.execute(
            "SELECT brain_tenant() AS t, brain_user() AS u,"
            " current_setting('hnsw.ef_search') AS ef"
        )
        assert await cur.fetchone() == {"t": "acme", "u": "ana", "ef": "123"}
    async with app_pool.connection() as conn:  # a pooled connection after the transaction: unset or empty
        cur = await conn.execute("SELECT current_setting('app.scope', true) AS t, brain_tenant() AS tenant")
        assert await cur.fetchone() in ({"t": "", "tenant": None}, {"t": None, "tenant": None})
