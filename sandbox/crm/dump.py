"""The sandbox CRM's state in the seed shape (the tools' argument names), for evals and tests."""

from __future__ import annotations

from typing import Any

from sandbox.crm.state import REASONS_KEY, SCORE_KEY, CrmState, Record, today


def _owner(state: CrmState, row: Record) -> str | None:
    users = state.table("users")
    owners = [users[p]["email"] for p in row.get("assigned_to") or [] if p in users]
    return owners[0] if owners else None


def _amount(value: Any) -> float | None:
    return float(value) if value not in (None, "") else None


def _name(row: Record | None) -> str | None:
    if row is None:
        return None
    return row.get("name") or " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p) or None


def _related(state: CrmState, row: Record) -> str | None:
    for kind, key in (("account", "name"), ("opportunity", "name"), ("lead", "email")):
        target = state.get(kind, row.get(kind) or "")
        if target is not None:
            return f"{kind}:{target.get(key) or _name(target)}"
    contacts = [state.get("contact", c) for c in row.get("contacts") or []]
    if contacts and contacts[0]:
        return f"contact:{contacts[0].get('email') or _name(contacts[0])}"
    return None


def _lead(state: CrmState, row: Record) -> Record:
    custom = dict(row.get("custom_fields") or {})
    stage = state.lead_stages().get(row.get("stage") or "")
    reasons = custom.pop(REASONS_KEY, None)
    return {
        "id": row["id"], **{k: row.get(k) for k in ("first_name", "last_name", "email", "phone", "company_name",
                                                    "job_title", "website", "source", "industry", "title",
                                                    "description", "status", "rating", "next_follow_up")},
        "stage": stage["name"] if stage else None, "score": custom.pop(SCORE_KEY, None),
        "score_reasons": [r for r in str(reasons).splitlines() if r] if reasons else [],
        "opportunity_amount": _amount(row.get("opportunity_amount")), "owner": _owner(state, row),
        "tags": [state.tag_name(t) for t in row.get("tags") or []], "fields": custom,
        "created_at": row.get("created_at"),
    }


def _contact(state: CrmState, row: Record) -> Record:
    return {"id": row["id"], **{k: row.get(k) for k in ("email", "first_name", "last_name", "phone", "title",
                                                        "department", "do_not_call")},
            "account": _name(state.get("account", row.get("account") or "")), "owner": _owner(state, row),
            "tags": [state.tag_name(t) for t in row.get("tags") or []]}


def _account(state: CrmState, row: Record) -> Record:
    return {"id": row["id"], **{k: row.get(k) for k in ("name", "website", "email", "phone", "industry", "city",
                                                        "country", "is_active")},
            "employees": row.get("number_of_employees"), "owner": _owner(state, row),
            "tags": [state.tag_name(t) for t in row.get("tags") or []], "fields": dict(row.get("custom_fields") or {})}


def _opportunity(state: CrmState, row: Record) -> Record:
    stage = state.deal_stage(row) or {}
    return {"id": row["id"], "name": row["name"], "account": _name(state.get("account", row.get("account") or "")),
            "stage": stage.get("label", row.get("stage")), "status": stage.get("kind", "open"),
            "amount": _amount(row.get("amount")), "close_date": row.get("closed_on"), "probability": row.get("probability"),
            "type": row.get("opportunity_type"), "owner": _owner(state, row)}


def _task(state: CrmState, row: Record) -> Record:
    due = row.get("due_date")
    return {"id": row["id"], "title": row["title"], "due": due, "status": row["status"], "priority": row["priority"],
            "owner": _owner(state, row), "related_to": _related(state, row), "description": row.get("description"),
            "overdue": bool(due and due < today().isoformat() and row["status"] != "Completed")}


def _note(state: CrmState, row: Record) -> Record:
    target = state.get(row["kind"], row["object_id"])
    key = "email" if row["kind"] in ("lead", "contact") else "name"
    label = f"{row['kind']}:{(target or {}).get(key) or _name(target)}" if target else None
    author = state.table("users").get(row["commented_by"])
    return {"id": row["id"], "related_to": label, "body": row["comment"], "created_at": row["commented_on"],
            "author": author["email"] if author else None}


def dump_crm(state: CrmState) -> dict[str, Any]:
    def rows(table: str) -> list[Record]:
        return sorted(state.table(table).values(), key=lambda r: str(r.get("created_at") or r.get("commented_on") or ""))

    return {
        "users": [{"email": u["email"], "name": u["name"], "role": u["role"]} for u in rows("users")],
        "leads": [_lead(state, r) for r in rows("leads")],
        "contacts": [_contact(state, r) for r in rows("contacts")],
        "accounts": [_account(state, r) for r in rows("accounts")],
        "opportunities": [_opportunity(state, r) for r in rows("opportunities")],
        "tasks": [_task(state, r) for r in rows("tasks")],
        "notes": [_note(state, r) for r in sorted(state.table("comments").values(), key=lambda c: c["commented_on"])],
    }
