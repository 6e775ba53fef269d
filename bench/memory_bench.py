"""Memory benchmark: bulk load, HNSW build, search latency and recall, hybrid cost, store inserts.

    .venv/bin/python -m bench.memory_bench [--sizes 10000,100000] [--million] [--queries 200]

Starts its own embedded Postgres (pgserver, PG 16 + pgvector), and for each size loads that many
memories of 384 dimensions into ONE tenant of a fresh, migrated database. The vectors are
synthetic (clustered, see `Synthetic`): embedding a million real texts with MiniLM would take
~20 minutes on this machine. Texts are short synthetic word lists, so full-text search has work.

Measured per size:
- bulk load: binary COPY into `memories` with its secondary indexes dropped, then each index
  rebuilt (HNSW timed on its own);
- search: ~200 queries through MemoryStore.search(mode="vector", limit=10) as brain_app (row-level
  security on), p50/p99 per hnsw.ef_search in (40, 100, 200), with recall@10 against exact search
  (the same query with SET LOCAL enable_indexscan = off: a sequential scan);
- hybrid: the same queries with mode="hybrid" at ef_search 100, as a ratio to vector-only;
- store inserts: MemoryStore.write_many in batches of 100 into the indexed table (dedupe checks,
  idempotency index, HNSW and GIN maintained).
Latencies exclude embedding the query (a lookup here); the MiniLM cost of that is printed apart.
Prints rich tables and writes bench/results/memory-<date>.json (merged by size with earlier runs
of the same day).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import psycopg
from pgvector.psycopg import register_vector_async
from psycopg.rows import dict_row
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from memory.embeddings import MiniLMEmbedder, Vectors
from memory.search import SearchMode
from memory.store import MemoryStore, NewMemory
from runtime import db

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DIM = 384
TENANT = "bench"
EF_SEARCH = (40, 100, 200)
K = 10
MODEL = "bench-synthetic-384"
# Measured once on 20,000 sentences (docstrings and API spec descriptions) embedded with MiniLM:
# what the "latent" geometry imitates (bench/README.md).
REAL_MINILM_GEOMETRY = {"vectors": 20000, "mean_pair_cosine": 0.078, "neighbour_1_cosine": 0.658,
                        "neighbour_10_cosine": 0.495, "local_intrinsic_dimension_k20": 9.0}
console = Console() if sys.stdout.isatty() else Console(width=130)  # wide tables in logs too

# Server settings for the run, as a production Postgres on this 23 GB machine would have them
# (pgserver starts with the stock 128 MB shared_buffers and 64 MB maintenance_work_mem).
SERVER_SETTINGS = {
    "shared_buffers": "6GB",
    "effective_cache_size": "16GB",
    "maintenance_work_mem": "4GB",  # the HNSW graph is built in memory: ~2 GB at 1M x 384
    "max_parallel_maintenance_workers": "1",  # leader + 1 worker = the 2 cores
    "max_wal_size": "8GB",
}


def _unit(matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: npt.NDArray[np.float32] = (matrix / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit


class Synthetic:
    """Clustered unit vectors: topics, subtopics (~50 memories each, ~100 per topic), memories.

    geometry "latent" (the default) imitates real MiniLM embeddings: memories live on a 24-dim latent
    space (topic ~ N(0, I), subtopic = topic + N(0, I), memory = subtopic + s N(0, I) with s
    log-normal per subtopic, so some are tight and some loose), mapped into 384 dims by a random
    orthonormal basis, plus isotropic noise (0.3 of the norm) and a common direction (0.25) as real
    embeddings share one. At 20k vectors its geometry is close to that of 20k real sentences embedded
    with MiniLM (bench/README.md): mean pair cosine 0.10 (real 0.08), local intrinsic dimension
    11.5 (real 9.0: a little harder), cosine to the 1st/10th neighbour 0.81/0.75 (real 0.66/0.50).
    geometry "isotropic" is a harder case: topic = unit(N(0, I)) in 384 dims, subtopic =
    unit(topic + 0.5 u), memory = unit(subtopic + 0.7 u), u random unit vectors; local intrinsic
    dimension 24, neighbours nearly equidistant (cosine 0.71/0.69).
    Each subtopic has 3 keywords; a memory's text is 2 of them, 4 random words and a serial number.
    """

    LATENT = 24

    def __init__(self, n: int, seed: int, geometry: str = "latent") -> None:
        if geometry not in ("latent", "isotropic"):
            raise ValueError(f"geometry must be latent or isotropic, got {geometry!r}")
        rng = np.random.default_rng(seed)
        self.n = n
        self.geometry = geometry
        n_topics, n_subtopics = max(8, n // 5000), max(32, n // 50)
        self.topic_of = rng.integers(n_topics, size=n_subtopics)
        if geometry == "latent":
            basis, _ = np.linalg.qr(rng.standard_normal((DIM, self.LATENT)))
            self._basis = basis.astype(np.float32)
            self._common = _unit(rng.standard_normal((1, DIM)).astype(np.float32))[0]
            topics = rng.standard_normal((n_topics, self.LATENT)).astype(np.float32)
            self.subtopics = topics[self.topic_of] + rng.standard_normal((n_subtopics, self.LATENT)).astype(np.float32)
            self._spread = rng.lognormal(0.0, 0.8, size=n_subtopics).astype(np.float32)
        else:
            topics = _unit(rng.standard_normal((n_topics, DIM)).astype(np.float32))
            noise = _unit(rng.standard_normal((n_subtopics, DIM)).astype(np.float32))
            self.subtopics = _unit(topics[self.topic_of] + 0.5 * noise)
        self.vocabulary = _pseudo_words(5000, rng)
        self.keywords = rng.integers(len(self.vocabulary), size=(n_subtopics, 3))
        self._rng = rng

    def memories(self, count: int, start: int = 0) -> tuple[Vectors, list[str], list[str], list[str]]:
        """count memories: vectors, texts, subjects (the topic) and kinds."""
        rng = self._rng
        which = rng.integers(len(self.subtopics), size=count)
        vectors = self._around(which)
        pick = rng.integers(3, size=(count, 2))
        pick[:, 1] = (pick[:, 0] + 1 + rng.integers(2, size=count)) % 3  # two different keywords
        words = rng.integers(len(self.vocabulary), size=(count, 4))
        vocab = self.vocabulary
        texts = [
            f"{vocab[self.keywords[s, a]]} {vocab[self.keywords[s, b]]} {' '.join(vocab[w] for w in ws)} r{start + i}"
            for i, (s, (a, b), ws) in enumerate(zip(which, pick, words, strict=True))
        ]
        subjects = [f"topic-{self.topic_of[s]}" for s in which]
        kinds = [("fact", "document", "episode")[k] for k in rng.integers(3, size=count)]
        return vectors, texts, subjects, kinds

    def queries(self, count: int) -> tuple[Vectors, list[str]]:
        """Fresh points of the same distribution, with two keywords of their subtopic as the text."""
        which = self._rng.integers(len(self.subtopics), size=count)
        vocab = self.vocabulary
        texts = [f"{vocab[self.keywords[s, 0]]} {vocab[self.keywords[s, 1]]}" for s in which]
        return self._around(which), texts

    def _around(self, which: npt.NDArray[np.int64]) -> Vectors:
        """New memories around the given subtopics (in chunks: 1M x 384 at once would be GBs)."""
        rng, chunks = self._rng, []
        for at in range(0, len(which), 100_000):
            part = which[at: at + 100_000]
            if self.geometry == "isotropic":
                noise = _unit(rng.standard_normal((len(part), DIM)).astype(np.float32))
                chunks.append(_unit(self.subtopics[part] + 0.7 * noise))
                continue
            latent = self.subtopics[part] + self._spread[part, None] * rng.standard_normal(
                (len(part), self.LATENT)).astype(np.float32)
            y = latent @ self._basis.T
            scale = np.linalg.norm(y, axis=1, keepdims=True)
            ambient = _unit(rng.standard_normal((len(part), DIM)).astype(np.float32))
            chunks.append(_unit(y + 0.3 * scale * ambient + 0.25 * scale * self._common))
        return np.concatenate(chunks) if chunks else np.zeros((0, DIM), dtype=np.float32)


def _pseudo_words(count: int, rng: np.random.Generator) -> list[str]:
    consonants, vowels = "bdfgklmnprtvz", "aeiou"
    words: set[str] = set()
    while len(words) < count:
        c, v = rng.integers(len(consonants), size=3), rng.integers(len(vowels), size=3)
        words.add("".join(consonants[c[i]] + vowels[v[i]] for i in range(3)))
    return sorted(words)


class BenchEmbedder:
    """Stands in for the model: returns the vectors the bench queued for the next call."""

    name = MODEL
    dim = DIM

    def __init__(self) -> None:
        self.queued: Vectors = np.zeros((0, DIM), dtype=np.float32)

    def embed(self, texts: Sequence[str]) -> Vectors:
        out, self.queued = self.queued[: len(texts)], self.queued[len(texts):]
        assert len(out) == len(texts), "the bench queued fewer vectors than texts"
        return out


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console)


# ---- one size ---------------------------------------------------------------------------------------


async def bulk_load(url: str, data: Synthetic) -> dict[str, Any]:
    """COPY the memories in with the secondary indexes dropped, then rebuild them; time each step."""
    vectors, texts, subjects, kinds = data.memories(data.n)
    async with await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=dict_row) as conn:
        await register_vector_async(conn)
        indexes = await (await conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'memories' AND indexname <> 'memories_pkey'"
        )).fetchall()
        for index in indexes:
            await conn.execute(f"DROP INDEX {index['indexname']}")

        start = time.perf_counter()
        with _progress() as progress:
            task = progress.add_task(f"COPY {data.n:,} memories", total=data.n)
            async with conn.cursor().copy(
                "COPY memories (tenant_id, kind, subject, text, embedding, embed_model, embed_dim)"
                " FROM STDIN WITH (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["text", "text", "text", "text", "vector", "text", "int4"])
                for i in range(data.n):
                    await copy.write_row((TENANT, kinds[i], subjects[i], texts[i], vectors[i], MODEL, DIM))
                    if i % 5000 == 4999:
                        progress.update(task, completed=i + 1)
                progress.update(task, completed=data.n)
        copy_seconds = time.perf_counter() - start

        builds: dict[str, float] = {}
        for index in indexes:
            began = time.perf_counter()
            if "hnsw" in index["indexdef"]:
                await _build_with_progress(url, conn, index["indexdef"], data.n)
            else:
                with console.status(f"building {index['indexname']}"):
                    await conn.execute(index["indexdef"])
            builds[index["indexname"]] = round(time.perf_counter() - began, 2)
        with console.status("VACUUM ANALYZE"):
            await conn.execute("VACUUM ANALYZE memories")
        sizes = await (await conn.execute(
            "SELECT pg_size_pretty(pg_table_size('memories')) AS table,"
            " pg_size_pretty(pg_relation_size('memories_embedding_hnsw')) AS hnsw"
        )).fetchone()
    return {
        "method": "binary COPY, secondary indexes dropped and rebuilt after",
        "copy_seconds": round(copy_seconds, 2),
        "copy_rows_per_s": round(data.n / copy_seconds),
        "index_build_seconds": builds,
        "hnsw_build_seconds": next(v for k, v in builds.items() if "hnsw" in k),
        "load_rows_per_s_with_indexes": round(data.n / (copy_seconds + sum(builds.values()))),
        "sizes": sizes,
    }


async def _build_with_progress(url: str, conn: psycopg.AsyncConnection[Any], indexdef: str, n: int) -> None:
    """Build the HNSW index, following pg_stat_progress_create_index from a second connection."""
    build = asyncio.ensure_future(conn.execute(indexdef))
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as watcher:
        with _progress() as progress:
            task = progress.add_task("building the HNSW index", total=n)
            while not build.done():
                row = await (await watcher.execute(
                    "SELECT tuples_done FROM pg_stat_progress_create_index LIMIT 1"
                )).fetchone()
                if row and row[0]:
                    progress.update(task, completed=int(row[0]))
                await asyncio.wait({build}, timeout=1.0)
            progress.update(task, completed=n)
    await build


async def exact_neighbours(url: str, queries: Vectors) -> list[list[str]]:
    """Ground truth: each query's 10 nearest by a sequential scan (index scans disabled)."""
    truth: list[list[str]] = []
    sql = (
        "SELECT id::text FROM memories WHERE superseded_by IS NULL AND embed_model = %s"
        " ORDER BY embedding <=> %s LIMIT %s"
    )
    async with await psycopg.AsyncConnection.connect(url) as conn:
        await register_vector_async(conn)
        async with conn.transaction():
            await conn.execute("SET LOCAL enable_indexscan = off")
            plan = "\n".join(r[0] for r in await (await conn.execute(f"EXPLAIN {sql}", (MODEL, queries[0], K))).fetchall())
            assert "hnsw" not in plan.lower() and "Seq Scan" in plan, plan
        with _progress() as progress:
            for vector in progress.track(queries, description="exact search (sequential scan)"):
                async with conn.transaction():
                    await conn.execute("SET LOCAL enable_indexscan = off")
                    rows = await (await conn.execute(sql, (MODEL, vector, K))).fetchall()
                truth.append([r[0] for r in rows])
    return truth


async def timed_searches(
    store: MemoryStore, embedder: BenchEmbedder, queries: Vectors, texts: list[str], mode: SearchMode, description: str
) -> tuple[list[float], list[list[str]]]:
    latencies: list[float] = []
    found: list[list[str]] = []
    for vector, text in zip(queries[:20], texts[:20], strict=True):  # warm-up, not counted
        embedder.queued = vector[None, :]
        await store.search(TENANT, text, limit=K, mode=mode)
    with _progress() as progress:
        for vector, text in progress.track(list(zip(queries, texts, strict=True)), description=description):
            embedder.queued = vector[None, :]
            began = time.perf_counter()
            hits = await store.search(TENANT, text, limit=K, mode=mode)
            latencies.append((time.perf_counter() - began) * 1000)
            found.append([h["id"] for h in hits])
    return latencies, found


async def store_inserts(store: MemoryStore, embedder: BenchEmbedder, data: Synthetic, rows: int) -> dict[str, Any]:
    vectors, texts, subjects, kinds = data.memories(rows, start=data.n)
    batch = 100
    began = time.perf_counter()
    with _progress() as progress:
        for at in progress.track(range(0, rows, batch), description=f"MemoryStore.write_many x {rows // batch}"):
            embedder.queued = vectors[at: at + batch]
            entries = [NewMemory(texts[i], kinds[i], subject=subjects[i]) for i in range(at, min(at + batch, rows))]
            await store.write_many(TENANT, entries)
    seconds = time.perf_counter() - began
    return {"method": f"MemoryStore.write_many, batches of {batch}, indexes in place", "rows": rows,
            "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds)}


async def bench_size(
    server_url: str, n: int, n_queries: int, insert_rows: int, seed: int, geometry: str
) -> dict[str, Any]:
    name = f"memory_bench_{n}"
    async with await psycopg.AsyncConnection.connect(server_url, autocommit=True) as conn:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {name}")
    url = db.with_database(server_url, name)
    await db.migrate(url)
    console.rule(f"[bold]{n:,} memories ({geometry} vectors)")
    load_before = [round(x, 2) for x in os.getloadavg()]
    data = Synthetic(n, seed, geometry)
    load = await bulk_load(url, data)
    queries, query_texts = data.queries(n_queries)
    truth = await exact_neighbours(url, queries)

    embedder = BenchEmbedder()
    pool = db.open_pool(psycopg.conninfo.make_conninfo(url, user="brain_app"), signer=await db.load_signer(url), max_size=2)
    await pool.open()
    try:
        search: list[dict[str, Any]] = []
        for ef in EF_SEARCH:
            store = MemoryStore(pool, embedder, ef_search=ef)
            latencies, found = await timed_searches(
                store, embedder, queries, query_texts, "vector", f"vector search, ef_search={ef}"
            )
            recall = statistics.fmean(len(set(f) & set(t)) / K for f, t in zip(found, truth, strict=True))
            search.append({"ef_search": ef, "p50_ms": round(percentile(latencies, 0.5), 2),
                           "p99_ms": round(percentile(latencies, 0.99), 2), "recall_at_10": round(recall, 4)})
        store = MemoryStore(pool, embedder, ef_search=100)
        hybrid_latencies, _ = await timed_searches(
            store, embedder, queries, query_texts, "hybrid", "hybrid search, ef_search=100"
        )
        vector_100 = next(s for s in search if s["ef_search"] == 100)
        hybrid = {
            "ef_search": 100,
            "candidates_per_side": store.candidates,
            "p50_ms": round(percentile(hybrid_latencies, 0.5), 2),
            "p99_ms": round(percentile(hybrid_latencies, 0.99), 2),
        }
        hybrid["p50_ratio_to_vector"] = round(hybrid["p50_ms"] / vector_100["p50_ms"], 2)
        hybrid["p99_ratio_to_vector"] = round(hybrid["p99_ms"] / vector_100["p99_ms"], 2)
        inserts = await store_inserts(store, embedder, data, insert_rows)
    finally:
        await pool.close()
    async with await psycopg.AsyncConnection.connect(server_url, autocommit=True) as conn:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    # Other work on the machine shows here: latencies are only comparable at a similar load.
    load_average = {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]}
    return {"size": n, "geometry": geometry, "queries": n_queries, "load": load, "search": search, "hybrid": hybrid,
            "store_inserts": inserts, "load_average_1_5_15_min": load_average}


def minilm_query_ms() -> float:
    """What the search latencies leave out: embedding one short query with MiniLM on this CPU."""
    embedder = MiniLMEmbedder()
    embedder.embed(["warm up the model"])
    times = []
    for i in range(50):
        began = time.perf_counter()
        embedder.embed([f"what did we decide about the spring campaign, variant {i}?"])
        times.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(times), 2)


# ---- the run ----------------------------------------------------------------------------------------


def start_server(folder: Path) -> tuple[Any, str]:
    """pgserver in a temp folder (traversable by its own system user), restarted with SERVER_SETTINGS."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        import pgserver

    pgdata = folder / "data"
    server = pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
    with psycopg.connect(str(server.get_uri()), autocommit=True) as conn:
        for name, value in SERVER_SETTINGS.items():
            conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
    server.cleanup()  # stop, so that shared_buffers takes effect on the next start
    server = pgserver.get_server(pgdata, cleanup_mode="delete")  # type: ignore[attr-defined]
    return server, str(server.get_uri())


def report(results: list[dict[str, Any]], embed_ms: float) -> None:
    load = Table(title="Memory bench: load and inserts (one tenant, 384 dims)")
    for column in ("memories", "vectors", "COPY rows/s", "HNSW build s", "load incl. all indexes rows/s",
                   "store inserts rows/s", "table", "HNSW size"):
        load.add_column(column, justify="right")
    search = Table(title="Memory bench: search (MemoryStore as brain_app, limit 10)")
    for column in ("memories", "mode", "ef_search", "p50 ms", "p99 ms", "recall@10", "hybrid/vector"):
        search.add_column(column, justify="right")
    for r in results:
        load.add_row(f"{r['size']:,}", r["geometry"], f"{r['load']['copy_rows_per_s']:,}",
                     f"{r['load']['hnsw_build_seconds']:.1f}", f"{r['load']['load_rows_per_s_with_indexes']:,}", f"{r['store_inserts']['rows_per_s']:,}",
                     r["load"]["sizes"]["table"], r["load"]["sizes"]["hnsw"])
        for s in r["search"]:
            search.add_row(f"{r['size']:,}", "vector", str(s["ef_search"]), f"{s['p50_ms']:.2f}", f"{s['p99_ms']:.2f}",
                           f"{s['recall_at_10']:.3f}", "")
        h = r["hybrid"]
        search.add_row(f"{r['size']:,}", "hybrid", "100", f"{h['p50_ms']:.2f}", f"{h['p99_ms']:.2f}", "",
                       f"p50 x{h['p50_ratio_to_vector']}, p99 x{h['p99_ratio_to_vector']}", end_section=True)
    console.print(load)
    console.print(search)
    console.print(f"Embedding one query with MiniLM (not in the latencies above): p50 {embed_ms} ms")


def save(results: list[dict[str, Any]], meta: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"memory-{datetime.now(UTC).date().isoformat()}.json"
    earlier = json.loads(path.read_text())["results"] if path.exists() else []
    merged = {(r["geometry"], r["size"]): r for r in earlier} | {(r["geometry"], r["size"]): r for r in results}
    path.write_text(json.dumps({**meta, "results": [merged[k] for k in sorted(merged)]}, indent=2) + "\n")
    return path


async def main(
    url: str, sizes: list[int], n_queries: int, insert_rows: int, seed: int, geometry: str
) -> list[dict[str, Any]]:
    return [await bench_size(url, n, n_queries, insert_rows, seed, geometry) for n in sizes]


async def server_versions(url: str) -> tuple[str, str]:
    async with await psycopg.AsyncConnection.connect(url) as conn:
        row = await (await conn.execute(
            "SELECT version(), (SELECT default_version FROM pg_available_extensions WHERE name = 'vector')"
        )).fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated numbers of memories")
    parser.add_argument("--million", action="store_true", help="also 1,000,000 memories (about 20+ minutes)")
    parser.add_argument("--queries", type=int, default=200, help="queries per measurement")
    parser.add_argument("--insert-rows", type=int, default=2000, help="rows written through MemoryStore.write_many")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--geometry", choices=("latent", "isotropic"), default="latent",
                        help="synthetic vectors like real MiniLM embeddings (latent) or a harder case (isotropic)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.million and 1_000_000 not in sizes:
        sizes.append(1_000_000)

    folder = Path(tempfile.mkdtemp(prefix="brain-memory-bench-"))
    folder.chmod(0o755)  # pgserver runs the server as its own user when we are root
    server, url = start_server(folder)
    try:
        postgres, pgvector = asyncio.run(server_versions(url))
        results = asyncio.run(main(url, sizes, args.queries, args.insert_rows, args.seed, args.geometry))
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)
    embed_ms = minilm_query_ms()
    report(results, embed_ms)
    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "postgres": postgres, "pgvector": pgvector, "server_settings": SERVER_SETTINGS,
        "hnsw": "m = 16, ef_construction = 64 (runtime/migrations/003_memory.sql)",
        "data": " ".join((Synthetic.__doc__ or "").split()), "minilm_query_embed_p50_ms": embed_ms,
        "real_minilm_geometry": REAL_MINILM_GEOMETRY,
    }
    path = save(results, meta)
    console.print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    cli()
