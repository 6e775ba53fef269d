"""django-crm's JSON records turned into tool results (the catalog's argument names)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

Record = dict[str, Any]

# Record kinds, their collection path and the key of the record in a detail answer.
PATHS = {"lead": "/api/leads/", "contact": "/api/contacts/", "account": "/api/accounts/",
         "opportunity": "/api/opportunities/", "task": "/api/tasks/"}
DETAIL_KEYS = {"lead": "lead_obj", "contact": "contact_obj", "account": "account_obj",
               "opportunity": "opportunity_obj", "task": "task_obj"}
KIND_ALIASES = {"deal": "opportunity", "opportunities": "opportunity", "company": "account", "person": "contact",
                "leads": "lead", "contacts": "contact", "accounts": "account", "tasks": "task", "deals": "opportunity"}
UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")


def is_uuid(value: str) -> bool:
    return bool(UUID.match(value.strip()))


def list_items(kind: str, body: Any) -> list[Record]:
    """The records of one list answer; each list endpoint has its own envelope."""
    if not isinstance(body, Mapping):
        return []
    if kind == "lead":
        return [*(body.get("open_leads") or {}).get("open_leads", []),
                *(body.get("close_leads") or {}).get("close_leads", [])]
    if kind == "account":
        return [*(body.get("active_accounts") or {}).get("open_accounts", []),
                *(body.get("closed_accounts") or {}).get("close_accounts", [])]
    key = {"contact": "results", "opportunity": "opportunities", "task": "tasks"}[kind]
    return list(body.get(key) or [])


def _decimal(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def emails(profiles: Any) -> list[str]:
    """Owner emails from a list of Profile objects."""
    out = []
    for profile in profiles or []:
        if isinstance(profile, Mapping):
            details = profile.get("user_details") or {}
            if details.get("email"):
                out.append(str(details["email"]))
    return out


def tag_names(tags: Any, names_by_id: Mapping[str, str] | None = None) -> list[str]:
    """Tag names from Tags objects, or from tag IDs with a lookup table."""
    out = []
    for tag in tags or []:
        if isinstance(tag, Mapping):
            out.append(str(tag.get("name")))
        elif names_by_id is not None:
            out.append(names_by_id.get(str(tag), str(tag)))
    return out


def full_name(first: Any, last: Any) -> str:
    return " ".join(str(part) for part in (first, last) if part).strip()


def domain_of(website: str | None) -> str | None:
    if not website:
        return None
    host = urlparse(website if "://" in website else f"https://{website}").hostname or ""
    host = host.lower()
    return host[4:] if host.startswith("www.") else host or None


def lead(row: Mapping[str, Any], *, score_key: str, reasons_key: str, stage_names: Mapping[str, str]) -> Record:
    custom = dict(row.get("custom_fields") or {}) if isinstance(row.get("custom_fields"), Mapping) else {}
    owners = emails(row.get("assigned_to"))
    score = custom.get(score_key)
    reasons = custom.get(reasons_key)
    return {
        "id": row.get("id"), "first_name": row.get("first_name"), "last_name": row.get("last_name"),
        "name": full_name(row.get("first_name"), row.get("last_name")), "email": row.get("email"),
        "phone": row.get("phone"), "company_name": row.get("company_name"), "job_title": row.get("job_title"),
        "website": row.get("website"), "title": row.get("title"), "description": row.get("description"),
        "status": row.get("status"), "stage": stage_names.get(str(row.get("stage"))) if row.get("stage") else None,
        "rating": row.get("rating") or None, "score": int(float(score)) if score not in (None, "") else None,
        "score_reasons": [r for r in str(reasons).splitlines() if r.strip()] if reasons else [],
        "source": row.get("source"), "industry": row.get("industry"), "tags": tag_names(row.get("tags")),
        "owner": owners[0] if owners else None, "owners": owners, "next_follow_up": row.get("next_follow_up"),
        "opportunity_amount": _decimal(row.get("opportunity_amount")), "close_date": row.get("close_date"),
        "probability": row.get("probability"), "created_at": row.get("created_at"),
        "custom_fields": {k: v for k, v in custom.items() if k not in (score_key, reasons_key)},
    }


def contact(row: Mapping[str, Any], *, tag_lookup: Mapping[str, str]) -> Record:
    account: Mapping[str, Any] | None = row["account_detail"] if isinstance(row.get("account_detail"), Mapping) else None
    owners = emails(row.get("assigned_to"))
    return {
        "id": row.get("id"), "first_name": row.get("first_name"), "last_name": row.get("last_name"),
        "name": full_name(row.get("first_name"), row.get("last_name")), "email": row.get("email"),
        "phone": row.get("phone"), "title": row.get("title"), "department": row.get("department"),
        "account": account.get("name") if account else None, "account_id": row.get("account"),
        "organization": row.get("organization"), "do_not_call": row.get("do_not_call"),
        "owner": owners[0] if owners else None, "tags": tag_names(row.get("tags"), tag_lookup),
        "created_at": row.get("created_at"), "custom_fields": row.get("custom_fields") or {},
    }


def account(row: Mapping[str, Any]) -> Record:
    rollups: Mapping[str, Any] = row["rollups"] if isinstance(row.get("rollups"), Mapping) else {}
    owners = emails(row.get("assigned_to"))
    return {
        "id": row.get("id"), "name": row.get("name"), "website": row.get("website"), "email": row.get("email"),
        "phone": row.get("phone"), "industry": row.get("industry"), "employees": row.get("number_of_employees"),
        "city": row.get("city"), "country": row.get("country"), "owner": owners[0] if owners else None,
        "tags": tag_names(row.get("tags")), "open_deal_value": _decimal(rollups.get("open_pipeline")),
        "open_deals": rollups.get("open_deal_count"), "won_amount": _decimal(rollups.get("won_amount")),
        "is_active": row.get("is_active"), "created_at": row.get("created_at"),
        "custom_fields": row.get("custom_fields") or {},
    }


def opportunity(row: Mapping[str, Any]) -> Record:
    account_ref: Mapping[str, Any] = row["account"] if isinstance(row.get("account"), Mapping) else {}
    owners = emails(row.get("assigned_to"))
    next_activity = dict(row["next_activity"]) if isinstance(row.get("next_activity"), Mapping) else None
    return {
        "id": row.get("id"), "name": row.get("name"), "account": account_ref.get("name"),
        "account_id": account_ref.get("id"), "stage": row.get("stage_label") or row.get("stage"),
        "stage_code": row.get("stage"), "status": row.get("stage_kind") or "open",
        "amount": _decimal(row.get("amount")), "currency": row.get("currency"), "probability": row.get("probability"),
        "close_date": row.get("closed_on"), "type": row.get("opportunity_type") or None,
        "owner": owners[0] if owners else None, "days_in_stage": row.get("days_in_stage"),
        "aging_status": row.get("aging_status"), "stage_changed_at": row.get("stage_changed_at"),
        "next_activity": next_activity, "created_at": row.get("created_at"),
    }


def related_label(row: Mapping[str, Any]) -> str | None:
    """A task's record as `kind:name` (the tools' related_to form)."""
    for key in ("account", "opportunity", "lead"):
        ref = row.get(key)
        if isinstance(ref, Mapping) and ref.get("name"):
            return f"{key}:{ref['name']}"
    contacts = row.get("contacts") or []
    if contacts and isinstance(contacts[0], Mapping):
        return f"contact:{contacts[0].get('email') or full_name(contacts[0].get('first_name'), contacts[0].get('last_name'))}"
    return None


def task(row: Mapping[str, Any], *, today: str) -> Record:
    owners = emails(row.get("assigned_to"))
    due = row.get("due_date")
    ids = {key: row[key].get("id") for key in ("account", "opportunity", "lead") if isinstance(row.get(key), Mapping)}
    return {
        "id": row.get("id"), "title": row.get("title"), "status": row.get("status"),
        "priority": row.get("priority"), "due": due, "owner": owners[0] if owners else None,
        "related_to": related_label(row), "related_ids": ids,
        "contact_ids": [c.get("id") for c in row.get("contacts") or [] if isinstance(c, Mapping)],
        "description": row.get("description"),
        "overdue": bool(due and due < today and row.get("status") != "Completed"),
        "created_at": row.get("created_at"),
    }


def note(row: Mapping[str, Any], related_to: str) -> Record:
    author: Mapping[str, Any] = row["commented_by"] if isinstance(row.get("commented_by"), Mapping) else {}
    details: Mapping[str, Any] = author["user_details"] if isinstance(author.get("user_details"), Mapping) else {}
    return {"id": row.get("id"), "related_to": related_to, "body": row.get("comment"),
            "created_at": row.get("commented_on"), "author": details.get("email")}
