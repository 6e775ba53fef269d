"""Helpers shared by the CRM sandbox's views: paging, list filters, comments and merging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.crm import serialize
from sandbox.crm.asgi import HTTPError, Request, invalid, not_found
from sandbox.crm.state import TABLE_OF, CrmState, Record, now_iso

DEFAULT_LIMIT = 10
PLURAL = {"lead": "leads", "contact": "contacts", "account": "accounts", "opportunity": "opportunities",
          "task": "tasks"}


def window(request: Request, rows: list[Record]) -> tuple[list[Record], int | None]:
    """One page of rows (`limit`/`offset`) and the offset of the next page (None at the end)."""
    try:
        limit = int(request.arg("limit") or DEFAULT_LIMIT)
        offset = int(request.arg("offset") or 0)
    except ValueError:
        raise HTTPError(400, {"detail": "limit and offset must be integers"}) from None
    page = rows[offset:offset + max(limit, 1)]
    end = offset + len(page)
    return page, (end if end < len(rows) else None)


def page_number(request: Request) -> int:
    return int(request.arg("offset") or 0) // DEFAULT_LIMIT + 1


def contains(value: Any, wanted: str) -> bool:
    return wanted.casefold() in str(value or "").casefold()


def filter_common(state: CrmState, request: Request, rows: list[Record], text_fields: tuple[str, ...]) -> list[Record]:
    """Filters every list view shares: search, assigned_to, tags, created_at range and cf_<key>."""
    search = request.arg("search")
    if search:
        rows = [r for r in rows if any(contains(r.get(f), search) for f in text_fields)]
    owner = request.arg("assigned_to")
    if owner:
        rows = [r for r in rows if owner in (r.get("assigned_to") or [])]
    tag = request.arg("tags")
    if tag:
        rows = [r for r in rows if tag in (r.get("tags") or [])]
    after, before = request.arg("created_at__gte"), request.arg("created_at__lte")
    if after:
        rows = [r for r in rows if str(r.get("created_at") or "")[:10] >= after[:10]]
    if before:
        rows = [r for r in rows if str(r.get("created_at") or "")[:10] <= before[:10]]
    for key, value in request.query:
        if key.startswith("cf_") and value:
            rows = [r for r in rows if str((r.get("custom_fields") or {}).get(key[3:])) == value]
    return sorted(rows, key=lambda r: str(r.get("created_at") or ""), reverse=True)


def record(state: CrmState, kind: str, record_id: str) -> Record:
    row = state.get(kind, record_id)
    if row is None:
        raise not_found(kind.title())
    return row


def add_comment(state: CrmState, kind: str, record_id: str, data: Record, actor: Record) -> list[Record]:
    """POST /api/<kind>s/<id>/ with `comment`: adds a note; answers the record's comments."""
    text = data.get("comment")
    if text is not None and not isinstance(text, str):
        raise invalid("comment", "Not a valid string.")
    if text:
        state.add_comment(kind, record_id, text, str(actor["id"]))
    return [serialize.comment(state, c) for c in state.comments_of(kind, record_id)]


def delete_comment(state: CrmState, kind: str, comment_id: str) -> Record:
    row = state.table("comments").get(comment_id)
    if row is None or row["kind"] != kind:
        raise not_found("Comment")
    del state.table("comments")[comment_id]
    state.touch()
    return {"error": False, "message": "Comment Deleted Successfully"}


def merge(state: CrmState, kind: str, keep_id: str, data: Record, fill: tuple[str, ...]) -> Record:
    """Merge the record in the body into the one in the URL: notes, tasks, deals and contacts move
    over, blank fields are filled from it, tags and owners are joined, and it is deleted."""
    keep = record(state, kind, keep_id)
    merge_id = data.get("merge_id")
    if not merge_id:
        raise invalid("merge_id", "This field is required.")
    other = state.get(kind, str(merge_id))
    if other is None:
        raise invalid("merge_id", f"No {kind} with this ID.")
    if other["id"] == keep["id"]:
        raise invalid("merge_id", "A record cannot be merged into itself.")
    state.move_comments(kind, other["id"], kind, keep["id"])
    for table in ("tasks", "opportunities", "contacts"):
        for row in state.table(table).values():
            if row.get(kind) == other["id"]:
                row[kind] = keep["id"]
    for key in fill:
        if keep.get(key) in (None, "", []) and other.get(key) not in (None, "", []):
            keep[key] = other[key]
    for key in ("tags", "assigned_to", "contacts"):
        if key in keep:
            keep[key] = list(dict.fromkeys((keep.get(key) or []) + (other.get(key) or [])))
    keep["custom_fields"] = {**(other.get("custom_fields") or {}), **(keep.get("custom_fields") or {})}
    keep["updated_at"] = now_iso()
    state.table(TABLE_OF[kind]).pop(other["id"])
    state.touch()
    return {"error": False, "message": f"{kind.title()} merged successfully", "id": keep["id"]}


def delete(state: CrmState, kind: str, record_id: str) -> Record:
    record(state, kind, record_id)
    state.delete(kind, record_id)
    return {"error": False, "message": f"{kind.title()} deleted Successfully"}


Handler = Callable[[CrmState, Request, list[str], Record], Any]
