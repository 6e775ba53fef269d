"""The query side of the memory store: filters, the two candidate lists, their fusion, the results.

Hybrid search asks pgvector for the nearest live memories (HNSW, cosine) and Postgres full-text
search for the best-ranked ones (`memories_text_search`, see 003_memory.sql), then fuses the two
ranked lists by reciprocal rank fusion: score(d) = sum over lists of 1 / (k + rank of d), k = 60.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from memory.errors import InvalidMemory
from memory.kinds import check_kind

SearchMode = Literal["hybrid", "vector", "text"]
MODES: tuple[SearchMode, ...] = ("hybrid", "vector", "text")
RRF_K = 60

# What a search returns of a row (never the embedding).
COLUMNS = (
    "id, user_id, agent, source_run, kind, subject, text, tags, metadata, created_at, expires_at"
)
LIVE = "superseded_by IS NULL AND (expires_at IS NULL OR expires_at > now())"


@dataclass(frozen=True)
class Filters:
    """Narrowing of a search. Tenant and personal-kind visibility come from row-level security."""

    kinds: tuple[str, ...] | None = None
    subject: str | None = None
    agent: str | None = None
    written_by: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def build(
        cls,
        *,
        kind: str | Iterable[str] | None,
        subject: str | None,
        agent: str | None,
        written_by: str | None,
        since: datetime | None,
        until: datetime | None,
    ) -> Filters:
        kinds = (kind,) if isinstance(kind, str) else (tuple(kind) if kind is not None else None)
        for one in kinds or ():
            check_kind(one)
        for name, moment in (("since", since), ("until", until)):
            if moment is not None and moment.tzinfo is None:
                raise InvalidMemory(f"{name} must be a timezone-aware datetime, got {moment.isoformat()}")
        if since is not None and until is not None and since > until:
            raise InvalidMemory(f"since ({since.isoformat()}) is after until ({until.isoformat()})")
        return cls(kinds=kinds, subject=subject, agent=agent, written_by=written_by, since=since, until=until)

    def where(self) -> tuple[str, list[Any]]:
        """SQL conditions (joined by AND, never empty) and their parameters, in order."""
        clauses, params = [LIVE], []
        for clause, value in (
            ("kind = ANY(%s)", list(self.kinds) if self.kinds is not None else None),
            ("subject = %s", self.subject),
            ("agent = %s", self.agent),
            ("user_id = %s", self.written_by),
            ("created_at >= %s", self.since),
            ("created_at < %s", self.until),
        ):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        return " AND ".join(clauses), params

    def text_search_args(self) -> list[Any]:
        """The filter arguments of memories_text_search, after (query, max_rows)."""
        kinds = list(self.kinds) if self.kinds is not None else None
        return [kinds, self.subject, self.agent, self.written_by, self.since, self.until]


def vector_query(filters: Filters, vector: Any, model: str, n: int) -> tuple[str, list[Any]]:
    """The n live rows nearest to `vector` by cosine distance, among those embedded by `model`.

    The ORDER BY is the bare `embedding <=> vector` with a LIMIT, which is what lets the planner
    walk the HNSW index; the filters then apply to the candidates it yields (ef_search of them).
    """
    where, params = filters.where()
    sql = (
        f"SELECT {COLUMNS}, 1 - (embedding <=> %s) AS similarity FROM memories"
        f" WHERE {where} AND embed_model = %s ORDER BY embedding <=> %s LIMIT %s"
    )
    return sql, [vector, *params, model, vector, n]


def fetch_query(with_similarity: bool) -> str:
    """Rows by id (read through row-level security), with their similarity to the query if any."""
    similarity = "1 - (embedding <=> %s)" if with_similarity else "NULL::float8"
    return f"SELECT {COLUMNS}, {similarity} AS similarity FROM memories WHERE id = ANY(%s) AND {LIVE}"


def reciprocal_rank_fusion(rankings: Sequence[Sequence[uuid.UUID]], k: int = RRF_K) -> list[tuple[uuid.UUID, float]]:
    """Fuse ranked lists: each id scores sum(1 / (k + rank)) over the lists it is in (rank from 1).

    Ties keep the order of first appearance, so the first list (vector) breaks them.
    """
    scores: dict[uuid.UUID, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])


def short_ref(memory_id: uuid.UUID | str) -> str:
    """How agents cite a memory: m:<first 8 hex digits of its id>."""
    return f"m:{uuid.UUID(str(memory_id)).hex[:8]}"


def as_result(row: Mapping[str, Any], *, score: float, text_rank: float | None) -> dict[str, Any]:
    """A row as plain JSON types (tool results go to the ledger as jsonb)."""
    similarity = row.get("similarity")
    return {
        "id": str(row["id"]),
        "ref": short_ref(row["id"]),
        "kind": row["kind"],
        "subject": row["subject"],
        "text": row["text"],
        "tags": list(row["tags"]),
        "metadata": dict(row["metadata"]),
        "user": row["user_id"],
        "agent": row["agent"],
        "source_run": str(row["source_run"]) if row["source_run"] is not None else None,
        "created_at": row["created_at"].isoformat(),
        "expires_at": row["expires_at"].isoformat() if row["expires_at"] is not None else None,
        "score": round(score, 6),
        "similarity": round(float(similarity), 6) if similarity is not None else None,
        "text_rank": round(text_rank, 6) if text_rank is not None else None,
    }


def cited_summary(hits: Sequence[Mapping[str, Any]], max_chars: int) -> str:
    """One "[m:<ref>] text" line per hit, best first, within max_chars in all (newlines included).

    A line that does not fit is cut with an ellipsis when enough of it is left to be useful;
    otherwise the summary stops there.
    """
    lines: list[str] = []
    used = 0
    for hit in hits:
        prefix = f"[{hit['ref']}] "
        text = " ".join(str(hit["text"]).split())
        line = prefix + text
        room = max_chars - used - (1 if lines else 0)
        if len(line) > room:
            if room - len(prefix) >= 40:
                lines.append(line[: room - 1].rstrip() + "…")
            break
        lines.append(line)
        used += len(line) + (1 if len(lines) > 1 else 0)
    return "\n".join(lines)
