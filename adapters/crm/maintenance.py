"""Merging duplicates and deleting records.

Merging uses the CRM's own endpoint, `POST /api/{leads,contacts,accounts}/{keep}/merge/
{"merge_id": ...}`, which merges the record in the body into the one in the URL (moving its
notes, tasks and deals) and deletes it. Deleting a record first deletes its notes
(`DELETE /api/{kind}s/comment/{id}/`), then the record, so an erasure leaves no notes behind.
"""

from __future__ import annotations

from adapters.crm.activities import ActivityOps
from adapters.crm.base import label
from adapters.crm.failures import SYSTEM
from adapters.crm.records import PATHS, Record
from adapters.errors import InvalidRequest, NotFound

MERGEABLE = ("lead", "contact", "account")
DELETABLE = ("lead", "contact", "account", "opportunity")


class MaintenanceOps(ActivityOps):
    async def record_merge(self, kind: str, keep: str, merge: list[str]) -> Record:
        """Merge `merge` into `keep`. Records already gone count as merged (a repeat reports done)."""
        if kind not in MERGEABLE:
            raise InvalidRequest(SYSTEM, f"kind must be one of {', '.join(MERGEABLE)} (got {kind!r})", field="kind")
        kept = await self._find(kind, keep, field="keep")
        merged, gone = [], []
        for ref in merge:
            try:
                row = await self._find(kind, ref, field="merge")
            except NotFound:
                gone.append(ref)
                continue
            if str(row["id"]) == str(kept["id"]):
                raise InvalidRequest(SYSTEM, f"merge names the kept record {ref!r}", field="merge")
            await self._call("POST", f"{PATHS[kind]}{kept['id']}/merge/", json={"merge_id": str(row["id"])})
            merged.append({"id": row["id"], "name": label(kind, row)})
        return {"kind": kind, "keep": {"id": kept["id"], "name": label(kind, kept)}, "merged": merged,
                "already_gone": gone, "done": True}

    async def record_delete(self, kind: str, record: str, reason: str) -> Record:
        """Delete a record and its notes. A missing record counts as deleted."""
        if kind not in DELETABLE:
            raise InvalidRequest(SYSTEM, f"kind must be one of {', '.join(DELETABLE)} (got {kind!r})", field="kind")
        try:
            row = await self._find(kind, record, field="record")
        except NotFound:
            return {"kind": kind, "record": record, "deleted": False, "already_gone": True, "reason": reason}
        notes = (await self._detail(kind, str(row["id"]))).get("comments") or []
        for note in notes:
            await self._call("DELETE", f"{PATHS[kind]}comment/{note['id']}/")
        await self._call("DELETE", f"{PATHS[kind]}{row['id']}/")
        return {"kind": kind, "record": record, "id": row["id"], "name": label(kind, row), "deleted": True,
                "already_gone": False, "notes_deleted": len(notes), "reason": reason}
