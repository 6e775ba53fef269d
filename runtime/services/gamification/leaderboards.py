"""Leaderboards: scores per board and subject, ranked per period, shown as each subject chose.

Scores are dated observations. A count board (referrals, orders, revenue...) sums them over the
period; any other board (revenue_growth, campaign_roi, campaign_ctr...) takes each subject's latest
value in the period. Periods are calendar periods in UTC: this week (from Monday), this month, this
quarter, or all time.

Visibility is opt-in: `public` shows the name, `anonymous` (the default, for everyone who did not
opt in) shows a stable pseudonym, `hidden` leaves the subject out. A choice for one board wins over
the choice for all boards. Rankings stay inside the tenant: no scope reaches other tenants.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from runtime import clock
from runtime.services.gamification.store import Row, Scope, fetch, plain

ADDITIVE_BOARDS = frozenset({"referrals", "orders", "revenue", "leads", "reviews", "achievements", "posts",
                             "won_deals", "won_revenue"})
DEFAULT_VISIBILITY = "anonymous"
DEFAULT_LIMIT = 10


def period_start(period: str, now: datetime | None = None) -> datetime | None:
    """The start of the current calendar week, month or quarter (UTC); None for all time."""
    now = (now or clock.now()).astimezone(UTC)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return None


def pseudonym(tenant: str, subject: str) -> str:
    """A stable stand-in name for an anonymous subject: "Participant 3F2A"."""
    digest = hashlib.sha256(f"{tenant}:{subject.casefold()}".encode()).hexdigest()
    return f"Participant {digest[:4].upper()}"


async def record_score(conn: Any, scope: Scope, board: str, subject: str, score: Decimal, *,
                       platform: str | None = None, industry: str | None = None,
                       recorded_at: datetime | None = None) -> None:
    await conn.execute(
        "INSERT INTO gamification_scores (tenant_id, space, board, subject, score, industry, platform, recorded_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, coalesce(%s, now()))",
        (*scope.key, board, subject, score, industry, platform, recorded_at))


def _aggregate(rows: list[Row], board: str) -> dict[str, tuple[str, Decimal]]:
    """subject key -> (display name, value), rows in time order."""
    out: dict[str, tuple[str, Decimal]] = {}
    for row in rows:
        key = row["subject"].casefold()
        value = Decimal(row["score"])
        if board in ADDITIVE_BOARDS and key in out:
            value += out[key][1]
        out[key] = (row["subject"], value)
    return out


async def _scores(conn: Any, scope: Scope, board: str, since: datetime | None) -> list[Row]:
    return await fetch(
        conn, "SELECT subject, score, recorded_at FROM gamification_scores WHERE tenant_id = %s AND space = %s"
              " AND lower(board) = lower(%s) AND (%s::timestamptz IS NULL OR recorded_at >= %s) ORDER BY recorded_at, id",
        (*scope.key, board, since, since))


async def subject_value(conn: Any, scope: Scope, board: str, subject: str, since: datetime | None) -> Decimal | None:
    """One subject's value on a board since a moment (None: no score at all)."""
    found = _aggregate(await _scores(conn, scope, board, since), board.casefold()).get(subject.casefold())
    return found[1] if found else None


async def _attributes(conn: Any, scope: Scope) -> dict[str, dict[str, str]]:
    """Each subject's latest known industry and platform, from any board."""
    rows = await fetch(conn, "SELECT subject, industry, platform FROM gamification_scores WHERE tenant_id = %s"
                             " AND space = %s AND (industry IS NOT NULL OR platform IS NOT NULL) ORDER BY recorded_at, id",
                       scope.key)
    out: dict[str, dict[str, str]] = {}
    for row in rows:
        item = out.setdefault(row["subject"].casefold(), {})
        item.update({k: row[k] for k in ("industry", "platform") if row[k]})
    return out


async def visibilities(conn: Any, scope: Scope, board: str) -> dict[str, str]:
    """subject key -> visibility on this board (a board's own choice over the all-boards one)."""
    rows = await fetch(conn, "SELECT subject, board, visibility FROM gamification_visibility WHERE tenant_id = %s"
                             " AND space = %s AND board IN ('', lower(%s)) ORDER BY board", (*scope.key, board))
    return {row["subject"].casefold(): row["visibility"] for row in rows}  # '' sorts first; the board's row wins


@dataclass
class _Standing:
    subject: str
    score: Decimal
    visibility: str
    rank: int = 0


def _ranked(standings: list[_Standing]) -> list[_Standing]:
    ordered = sorted(standings, key=lambda s: (-s.score, s.subject.casefold()))
    for n, item in enumerate(ordered):
        same = n and ordered[n - 1].score == item.score
        item.rank = ordered[n - 1].rank if same else n + 1
    return ordered


def _peers(scope_name: str, around: str | None, attributes: dict[str, dict[str, str]]) -> tuple[str | None, str | None]:
    """(attribute, value) the scope filters on, or a note why it cannot."""
    if scope_name == "tenant":
        return None, None
    field = "industry" if scope_name == "industry" else "platform"
    value = attributes.get(around.casefold(), {}).get(field) if around else None
    if value is None:
        who = f"{around} has no known {field}" if around else f"scope {scope_name} needs `around` to pick the peers"
        return None, f"{who}: showing every subject of this tenant"
    return value, None


async def query(conn: Any, scope: Scope, *, board: str, period: str | None, scope_name: str | None,
                around: str | None, limit: int | None) -> dict[str, Any]:
    period = period or "month"
    scope_name = scope_name or "tenant"
    limit = limit or DEFAULT_LIMIT
    since = period_start(period)
    key = board.casefold()
    values = _aggregate(await _scores(conn, scope, board, since), key)
    attributes = await _attributes(conn, scope)
    shown = await visibilities(conn, scope, board)
    notes: list[str] = []
    peer_value, note = _peers(scope_name, around, attributes)
    field = "industry" if scope_name == "industry" else "platform"
    if note:
        notes.append(note)
    standings = [
        _Standing(name, value, shown.get(k, DEFAULT_VISIBILITY)) for k, (name, value) in values.items()
        if peer_value is None or (attributes.get(k, {}).get(field) or "").casefold() == peer_value.casefold()
    ]
    hidden = sum(1 for s in standings if s.visibility == "hidden")
    ranked = _ranked([s for s in standings if s.visibility != "hidden"])
    start, centre = 0, None
    if around:
        index = next((n for n, s in enumerate(ranked) if s.subject.casefold() == around.casefold()), None)
        if index is not None:
            centre = ranked[index].subject
            start = max(0, min(index - limit // 2, len(ranked) - limit))
        elif shown.get(around.casefold()) == "hidden" and around.casefold() in values:
            notes.append(f"{around} chose to be hidden from this board")
        else:
            notes.append(f"{around} has no score on the {board} board for this period")
    if not values:
        boards = await fetch(conn, "SELECT DISTINCT board FROM gamification_scores WHERE tenant_id = %s AND space = %s"
                                   " ORDER BY board", scope.key)
        notes.append(f"no scores on the {board} board for this period; boards with scores: "
                     + (", ".join(b["board"] for b in boards) or "none"))
    entries = []
    for item in ranked[start:start + limit]:
        entry: dict[str, Any] = {
            "rank": item.rank, "name": item.subject if item.visibility == "public" else pseudonym(scope.tenant, item.subject),
            "score": plain(item.score), "visibility": item.visibility,
        }
        if item.subject == centre:
            entry["centre"] = True
        entries.append(entry)
    ranking = "; ".join(f"{e['rank']}. {e['name']} ({e['score']})" for e in entries) or "nobody ranked yet"
    result: dict[str, Any] = {
        "board": board, "period": period, "since": plain(since), "scope": scope_name, "ranking": ranking,
        "peers": {field: peer_value} if peer_value else None, "total": len(ranked), "hidden": hidden,
        "offset": start, "limit": limit, "shown": len(entries), "around": around, "entries": entries,
    }
    if notes:
        result["note"] = "; ".join(notes)
    return result


async def set_visibility(conn: Any, scope: Scope, subject: str, visibility: str, board: str | None) -> dict[str, Any]:
    key = (board or "").strip().casefold()
    before = await fetch(conn, "SELECT visibility FROM gamification_visibility WHERE tenant_id = %s AND space = %s"
                               " AND lower(subject) = lower(%s) AND board = %s", (*scope.key, subject, key))
    await conn.execute(
        "INSERT INTO gamification_visibility (tenant_id, space, subject, board, visibility) VALUES (%s, %s, %s, %s, %s)"
        " ON CONFLICT (tenant_id, space, lower(subject), board) DO UPDATE SET visibility = EXCLUDED.visibility,"
        " updated_at = now()", (*scope.key, subject, key, visibility))
    if not key:  # a choice for all boards replaces the per-board ones
        await conn.execute("DELETE FROM gamification_visibility WHERE tenant_id = %s AND space = %s"
                           " AND lower(subject) = lower(%s) AND board <> ''", (*scope.key, subject))
    previous = before[0]["visibility"] if before else None
    return {
        "subject": subject, "visibility": visibility, "board": board, "boards": board or "all boards",
        "previous": previous or DEFAULT_VISIBILITY, "changed": (previous or DEFAULT_VISIBILITY) != visibility,
        "shown_as": subject if visibility == "public" else pseudonym(scope.tenant, subject) if visibility == "anonymous"
        else None,
    }
