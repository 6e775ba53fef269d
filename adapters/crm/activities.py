"""Tasks and notes.

Notes are the CRM's comments: `POST /api/{kind}s/{id}/ {"comment": ...}` adds one to a lead,
contact, account, deal or task, and the record's detail answer lists them. Creating a task
answers no ID (`TaskCreateResponse` is `{error, message}`), so the new task is read back from
the task list by its title.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from adapters.crm import records
from adapters.crm.base import label
from adapters.crm.deals import DealOps
from adapters.crm.failures import SYSTEM
from adapters.crm.leads import iso
from adapters.crm.records import Record
from adapters.errors import Unavailable

RELATED_FIELDS = {"lead": "lead", "account": "account", "opportunity": "opportunity"}


class ActivityOps(DealOps):
    async def _task_result(self, row: Record, link: Record | None = None) -> Record:
        """A task as a tool result; for a contact link, read in full: list rows carry no contacts."""
        if link and "contacts" in link and "contacts" not in row:
            row = await self._record("task", str(row["id"]))
        return records.task(row, today=self._today())

    async def _task_link(self, related_to: str | None) -> tuple[Record, str | None]:
        """The task fields linking it to a record, and the record's `kind:name` label."""
        if not related_to:
            return {}, None
        kind, row = await self._related(related_to)
        if kind == "contact":
            return {"contacts": [str(row["id"])]}, label(kind, row)
        if kind not in RELATED_FIELDS:
            return {}, label(kind, row)
        return {RELATED_FIELDS[kind]: str(row["id"])}, label(kind, row)

    @staticmethod
    def _same_link(task: Record, link: Record) -> bool:
        if "contacts" in link:
            return link["contacts"][0] in task["contact_ids"]
        return all(task["related_ids"].get(key) == value for key, value in link.items()) and (
            bool(link) or not task["related_ids"])

    async def task_create(self, title: str, due: Any, owner: str | None = None, priority: str | None = None,
                          related_to: str | None = None, description: str | None = None) -> Record:
        """Create a task, unless an open one with this title, owner, record and due date exists."""
        link, _ = await self._task_link(related_to)
        profile = await self._profile_id(owner) if owner else None
        owner_email = await self._owner_email(profile) if profile else None
        due_text = iso(due)

        async def matching() -> list[Record]:
            found = []
            for row in await self._list("task", {"title": title}):
                task = await self._task_result(row, link)
                if (str(task["title"]).casefold() == title.casefold() and task["status"] != "Completed"
                        and task["due"] == due_text and task["owner"] == owner_email and self._same_link(task, link)):
                    found.append(task)
            return found

        existing = await matching()
        if existing:
            return {**existing[0], "existing": True}
        payload: Record = {"title": title, "status": "New", "priority": priority or "Medium", "due_date": due_text,
                           "description": description, "assigned_to": [profile] if profile else [],
                           "contacts": [], "teams": [], **link}
        await self._call("POST", "/api/tasks/", json={k: v for k, v in payload.items() if v is not None})
        created = await matching()
        if not created:
            raise Unavailable(SYSTEM, f"the CRM accepted task {title!r} but does not list it; check before repeating")
        newest = max(created, key=lambda t: str(t["created_at"] or ""))
        return {**newest, "existing": False}

    async def _owner_email(self, profile_id: str) -> str | None:
        for user in await self._users():
            if str(user["id"]) == profile_id:
                return str((user.get("user_details") or {}).get("email"))
        return None

    async def task_list(self, owner: str | None = None, status: str | None = None, overdue: bool | None = None,
                        due_before: Any = None, due_after: Any = None, related_to: str | None = None,
                        limit: int | None = None) -> list[Record]:
        """Tasks by owner, status, due window or record; `overdue` means due before today and not completed."""
        owner_email = await self._owner_email(await self._profile_id(owner)) if owner else None
        link, _ = await self._task_link(related_to)
        before, after = iso(due_before), iso(due_after)
        results = []
        for row in await self._list("task", {"status": status}):
            task = await self._task_result(row, link if related_to else None)
            if status and task["status"] != status:
                continue
            if owner_email and task["owner"] != owner_email:
                continue
            if overdue is not None and task["overdue"] != overdue:
                continue
            if before and not (task["due"] and task["due"] <= before):
                continue
            if after and not (task["due"] and task["due"] >= after):
                continue
            if related_to and not self._same_link(task, link):
                continue
            results.append(task)
        results.sort(key=lambda t: (t["due"] or "9999-12-31", str(t["title"])))
        return results[: limit or 50]

    async def task_update(self, task: str, status: str | None = None, due: Any = None, priority: str | None = None,
                          owner: str | None = None) -> Record:
        """Complete, reschedule, reprioritise or reassign a task (absolute values: a repeat changes nothing)."""
        row = await self._find("task", task, field="task", open_only=True)
        patch: Record = {"status": status, "due_date": iso(due), "priority": priority}
        if owner:
            patch["assigned_to"] = [await self._profile_id(owner)]
        patch = {k: v for k, v in patch.items() if v is not None}
        if patch:
            await self._call("PATCH", f"/api/tasks/{row['id']}/", json=patch)
        return await self._task_result(await self._record("task", str(row["id"])))

    # --- notes ---------------------------------------------------------------------------------

    async def note_add(self, related_to: str, body: str) -> Record:
        """Add a note to a record; the same text on the same record is stored once."""
        kind, row = await self._related(related_to)
        where = label(kind, row)
        text = body.strip()
        for comment in (await self._detail(kind, str(row["id"]))).get("comments") or []:
            if str(comment.get("comment") or "").strip() == text:
                return {**records.note(comment, where), "existing": True}
        answer = await self._comment(kind, str(row["id"]), text)
        mine = [c for c in answer.get("comments") or [] if str(c.get("comment") or "").strip() == text]
        newest = max(mine, key=lambda c: str(c.get("commented_on") or ""), default={"comment": text})
        return {**records.note(newest, where), "existing": False}

    async def note_list(self, related_to: str, since: Any = None, limit: int | None = None) -> list[Record]:
        """A record's notes, newest first."""
        kind, row = await self._related(related_to)
        where = label(kind, row)
        start = since.isoformat() if isinstance(since, date) else (str(since) if since else None)
        notes = [records.note(c, where) for c in (await self._detail(kind, str(row["id"]))).get("comments") or []]
        if start:
            notes = [n for n in notes if str(n["created_at"] or "") >= start]
        notes.sort(key=lambda n: str(n["created_at"] or ""), reverse=True)
        return notes[: limit or 20]
