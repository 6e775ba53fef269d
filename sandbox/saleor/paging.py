"""Relay connections with Saleor's paging rules (first or last required, at most 100)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from graphql import GraphQLError

MAX_PAGE = 100


def _cursor(index: int) -> str:
    return base64.b64encode(f"arrayconnection:{index}".encode()).decode()


def _index(cursor: str) -> int:
    try:
        return int(base64.b64decode(cursor).decode().rsplit(":", 1)[1])
    except (ValueError, IndexError) as exc:
        raise GraphQLError(f"Invalid cursor: {cursor}") from exc


def connection(
    items: Sequence[Any],
    name: str,
    *,
    first: int | None = None,
    last: int | None = None,
    after: str | None = None,
    before: str | None = None,
    **_: Any,
) -> dict[str, Any]:
    """A `...CountableConnection` dict over `items` (already filtered and sorted)."""
    if first is None and last is None:
        raise GraphQLError(f"You must provide a `first` or `last` value to properly paginate the `{name}` connection.")
    for arg, value in (("first", first), ("last", last)):
        if value is not None and value < 0:
            raise GraphQLError(f"Argument `{arg}` on connection `{name}` cannot be less than 0.")
        if value is not None and value > MAX_PAGE:
            raise GraphQLError(
                f"Requesting {value} records on the `{name}` connection exceeds the `{arg}` limit of {MAX_PAGE} records."
            )
    start = _index(after) + 1 if after else 0
    end = _index(before) if before else len(items)
    indexes = list(range(max(0, start), min(end, len(items))))
    window = indexes[:first] if first is not None else indexes
    if last is not None:
        window = window[-last:] if last else []
    edges = [{"node": items[i], "cursor": _cursor(i)} for i in window]
    return {
        "edges": edges,
        "totalCount": len(items),
        "pageInfo": {
            "hasNextPage": bool(window) and window[-1] < min(end, len(items)) - 1,
            "hasPreviousPage": bool(window) and window[0] > max(0, start),
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }
