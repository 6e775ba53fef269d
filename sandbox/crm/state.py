"""The sandbox CRM's state: one organisation's tables of plain JSON records keyed by UUID.

Records keep django-crm's own field names (`closed_on`, `due_date`, `assigned_to` as profile
IDs, `tags` as tag IDs, `stage` as a lead stage ID or a deal stage code). Notes are comments
`{kind, object_id, comment, commented_on, commented_by}`.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

Record = dict[str, Any]

TABLES = ("users", "tags", "custom_fields", "lead_pipelines", "deal_pipelines", "leads", "contacts", "accounts",
          "opportunities", "tasks", "comments")
# Record kind -> table.
TABLE_OF = {"lead": "leads", "contact": "contacts", "account": "accounts", "opportunity": "opportunities",
            "task": "tasks"}
COLORS = ("blue", "green", "amber", "violet", "rose", "teal", "orange", "sky")
SCORE_KEY = "lead_score"
REASONS_KEY = "score_reasons"


def new_id() -> str:
    return str(uuid.uuid4())


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def today() -> date:
    return datetime.now(UTC).date()


def slugify(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def empty_state(org_name: str = "Demo Agency") -> dict[str, Any]:
    state: dict[str, Any] = {"version": 1, "org": {"id": new_id(), "name": org_name}}
    for table in TABLES:
        state[table] = {}
    return state


class CrmState:
    """Typed access to one state dict; every write marks it dirty so the store saves it."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.dirty = False

    def touch(self) -> None:
        self.dirty = True

    @property
    def org(self) -> Record:
        org: Record = self.state["org"]
        return org

    def table(self, name: str) -> dict[str, Record]:
        rows: dict[str, Record] = self.state[name]
        return rows

    def get(self, kind: str, record_id: str) -> Record | None:
        return self.table(TABLE_OF[kind]).get(record_id)

    def insert(self, table: str, row: Record) -> Record:
        row.setdefault("id", new_id())
        self.table(table)[row["id"]] = row
        self.touch()
        return row

    def delete(self, kind: str, record_id: str) -> None:
        """Delete a record with its comments; links from other records are cleared."""
        self.table(TABLE_OF[kind]).pop(record_id, None)
        for comment_id in [c["id"] for c in self.comments_of(kind, record_id)]:
            del self.table("comments")[comment_id]
        for table in ("tasks", "opportunities", "contacts"):
            for row in self.table(table).values():
                if row.get(kind) == record_id:
                    row[kind] = None
                if kind == "contact" and record_id in (row.get("contacts") or []):
                    row["contacts"].remove(record_id)
        self.touch()

    # --- users, tags, stages ---------------------------------------------------------------------

    def admin(self) -> Record:
        """The user the sandbox token belongs to (the first admin)."""
        users = sorted(self.table("users").values(), key=lambda u: u["created_at"])
        admins = [u for u in users if u["role"] == "ADMIN"] or users
        if not admins:
            admin = self.add_user("admin@agency.example", "Admin", role="ADMIN")
            return admin
        return admins[0]

    def add_user(self, email: str, name: str, role: str = "USER") -> Record:
        for user in self.table("users").values():
            if user["email"].casefold() == email.casefold():
                return user
        return self.insert("users", {"id": new_id(), "user_id": new_id(), "email": email, "name": name,
                                     "role": role, "is_active": True, "phone": None, "created_at": now_iso()})

    def user_by(self, ref: str | None) -> Record | None:
        if not ref:
            return None
        wanted = ref.casefold()
        for user in self.table("users").values():
            if wanted in (user["id"], user["email"].casefold(), user["name"].casefold()):
                return user
        return None

    def tag_id(self, name: str) -> str:
        for tag in self.table("tags").values():
            if tag["name"].casefold() == name.casefold():
                return str(tag["id"])
        color = COLORS[len(self.table("tags")) % len(COLORS)]
        return str(self.insert("tags", {"id": new_id(), "name": name, "slug": slugify(name), "color": color,
                                        "description": "", "is_active": True, "created_at": now_iso()})["id"])

    def tag_name(self, tag_id: str) -> str:
        tag = self.table("tags").get(tag_id)
        return str(tag["name"]) if tag else tag_id

    def lead_stages(self) -> dict[str, Record]:
        return {s["id"]: s for p in self.table("lead_pipelines").values() for s in p["stages"]}

    def deal_pipeline(self, pipeline_id: str | None = None) -> Record | None:
        pipelines = list(self.table("deal_pipelines").values())
        for pipeline in pipelines:
            if pipeline["id"] == pipeline_id:
                return pipeline
        return next((p for p in pipelines if p["is_default"]), pipelines[0] if pipelines else None)

    def deal_stage(self, opportunity: Record) -> Record | None:
        pipeline = self.deal_pipeline(opportunity.get("pipeline"))
        for stage in (pipeline or {}).get("stages", []):
            if stage["code"] == opportunity.get("stage"):
                return dict(stage)
        return None

    # --- comments --------------------------------------------------------------------------------

    def comments_of(self, kind: str, record_id: str) -> list[Record]:
        rows = [c for c in self.table("comments").values() if c["kind"] == kind and c["object_id"] == record_id]
        return sorted(rows, key=lambda c: c["commented_on"], reverse=True)

    def add_comment(self, kind: str, record_id: str, text: str, author: str, at: str | None = None) -> Record:
        return self.insert("comments", {"id": new_id(), "kind": kind, "object_id": record_id, "comment": text,
                                        "commented_on": at or now_iso(), "commented_by": author})

    def move_comments(self, kind: str, from_id: str, to_kind: str, to_id: str) -> None:
        for comment in self.comments_of(kind, from_id):
            comment["kind"], comment["object_id"] = to_kind, to_id
        self.touch()
