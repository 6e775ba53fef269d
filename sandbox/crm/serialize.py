"""Records in the JSON shapes of django-crm 1.35's API (its OpenAPI document's schemas)."""

from __future__ import annotations

from datetime import date

from sandbox.crm.state import CrmState, Record, today

LEAD_STATUS = [["assigned", "Assigned"], ["in process", "In Process"], ["converted", "Converted"],
               ["recycled", "Recycled"], ["closed", "Closed"]]
LEAD_SOURCE = [["call", "Call"], ["email", "Email"], ["existing customer", "Existing Customer"],
               ["partner", "Partner"], ["public relations", "Public Relations"], ["compaign", "Campaign"],
               ["website", "Website"], ["other", "Other"]]
COUNTRIES = [["MX", "Mexico"], ["US", "United States"], ["IN", "India"], ["GB", "United Kingdom"]]


def user(state: CrmState, profile_id: str | None) -> Record | None:
    row = state.table("users").get(profile_id or "")
    if row is None:
        return None
    return {"id": row["user_id"], "email": row["email"], "name": row["name"], "profile_pic": None}


def profile(row: Record) -> Record:
    return {
        "id": row["id"],
        "user_details": {"email": row["email"], "id": row["user_id"], "name": row["name"], "is_active": row["is_active"],
                         "profile_pic": None, "last_login": None},
        "role": row["role"], "address": None, "has_marketing_access": True, "has_sales_access": True,
        "phone": row.get("phone"), "date_of_joining": None, "is_active": row["is_active"], "created_at": row["created_at"],
    }


def profiles(state: CrmState, ids: list[str]) -> list[Record]:
    users = state.table("users")
    return [profile(users[i]) for i in ids if i in users]


def tag(row: Record) -> Record:
    return {k: row[k] for k in ("id", "name", "slug", "color", "description", "is_active", "created_at")}


def tags(state: CrmState, ids: list[str]) -> list[Record]:
    table = state.table("tags")
    return [tag(table[i]) for i in ids if i in table]


def users_option(state: CrmState) -> list[Record]:
    return [{"id": u["id"], "user__email": u["email"]} for u in state.table("users").values() if u["is_active"]]


def org(state: CrmState) -> Record:
    return {"id": state.org["id"], "name": state.org["name"]}


def lead(state: CrmState, row: Record) -> Record:
    admin = state.admin()
    out = {key: row.get(key) for key in (
        "id", "title", "salutation", "first_name", "last_name", "email", "phone", "job_title", "website",
        "linkedin_url", "status", "source", "industry", "rating", "opportunity_amount", "currency", "probability",
        "close_date", "address_line", "city", "state", "postcode", "country", "last_contacted", "next_follow_up",
        "description", "created_at", "updated_at", "company_name", "stage")}
    out.update({
        "source_detail": "", "source_ref": "", "assigned_to": profiles(state, row.get("assigned_to") or []),
        "teams": [], "contacts": [], "tags": tags(state, row.get("tags") or []),
        "created_by": user(state, row.get("created_by") or admin["id"]), "is_active": row.get("is_active", True),
        "is_sample": False, "kanban_order": "1.000000", "custom_fields": dict(row.get("custom_fields") or {}),
        "phone_e164": "", "external_source": "", "external_id": "", "last_enquiry_at": None,
        "first_response_at": None, "first_response_by": None, "first_response_by_details": None,
        "last_outbound_at": None, "waiting_since": None, "is_unanswered": False,
    })
    return out


def _author(state: CrmState, profile_id: str) -> Record:
    row = state.table("users").get(profile_id) or state.admin()
    return {"id": row["id"], "user_details": {"email": row["email"], "profile_pic": None}}


def lead_comment(state: CrmState, row: Record) -> Record:
    return {"id": row["id"], "comment": row["comment"], "commented_on": row["commented_on"],
            "commented_by": _author(state, row["commented_by"])}


def comment(state: CrmState, row: Record) -> Record:
    return {**lead_comment(state, row), "commented_by_contact": None, "content_type": row["kind"],
            "object_id": row["object_id"], "org": state.org["id"], "is_internal": False}


def contact(state: CrmState, row: Record) -> Record:
    account = state.get("account", row.get("account") or "")
    linked = [a for a in state.table("accounts").values() if row["id"] in (a.get("contacts") or [])]
    if account is not None and account not in linked:
        linked.insert(0, account)
    out = {key: row.get(key) for key in (
        "id", "first_name", "last_name", "email", "phone", "organization", "title", "department", "linkedin_url",
        "address_line", "city", "state", "postcode", "country", "description", "created_at", "updated_at")}
    out.update({
        "phone_e164": "", "source": row.get("source") or "", "source_detail": "", "source_ref": "",
        "do_not_call": bool(row.get("do_not_call")), "assigned_to": profiles(state, row.get("assigned_to") or []),
        "teams": [], "tags": list(row.get("tags") or []),
        "created_by": (state.table("users").get(row.get("created_by") or "") or {}).get("user_id"),
        "is_active": row.get("is_active", True), "org": org(state), "account": row.get("account"),
        "account_detail": {"id": account["id"], "name": account["name"]} if account else None,
        "linked_accounts": [{"id": a["id"], "name": a["name"]} for a in linked],
        "custom_fields": dict(row.get("custom_fields") or {}),
    })
    return out


def _money(value: float) -> str:
    return f"{value:.2f}"


def rollups(state: CrmState, account_id: str) -> Record:
    deals = [o for o in state.table("opportunities").values() if o.get("account") == account_id]
    kinds = {o["id"]: (state.deal_stage(o) or {}).get("kind", "open") for o in deals}
    open_deals = [o for o in deals if kinds[o["id"]] == "open"]
    won = [o for o in deals if kinds[o["id"]] == "won"]
    return {
        "won_count": len(won), "open_deal_count": len(open_deals), "open_tickets": 0,
        "first_won_on": min((o["closed_on"] for o in won if o.get("closed_on")), default=None),
        "won_amount": _money(sum(float(o.get("amount") or 0) for o in won)),
        "open_pipeline": _money(sum(float(o.get("amount") or 0) for o in open_deals)),
        "overdue_amount": "0.00", "by_currency": [],
    }


def account(state: CrmState, row: Record) -> Record:
    out = {key: row.get(key) for key in (
        "id", "name", "email", "phone", "website", "industry", "number_of_employees", "annual_revenue", "currency",
        "address_line", "city", "state", "postcode", "country", "description", "created_at")}
    out.update({
        "country_display": dict(COUNTRIES).get(row.get("country") or "", row.get("country")),
        "assigned_to": profiles(state, row.get("assigned_to") or []), "teams": [],
        "tags": tags(state, row.get("tags") or []), "rollups": rollups(state, row["id"]),
        "created_by": user(state, row.get("created_by") or state.admin()["id"]), "is_active": row.get("is_active", True),
        "org": org(state), "custom_fields": dict(row.get("custom_fields") or {}),
    })
    return out


def account_with_related(state: CrmState, row: Record) -> Record:
    contacts = [c for c in state.table("contacts").values() if c.get("account") == row["id"]]
    deals = [o for o in state.table("opportunities").values() if o.get("account") == row["id"]]
    tasks_ = [t for t in state.table("tasks").values() if t.get("account") == row["id"]]
    return {**account(state, row), "contacts": [contact(state, c) for c in contacts], "cases": [],
            "tasks": [{"id": t["id"], "title": t["title"]} for t in tasks_],
            "opportunities": [{"id": o["id"], "name": o["name"], "stage": o["stage"],
                               "stage_label": (state.deal_stage(o) or {}).get("label", o["stage"]),
                               "amount": o.get("amount") or "0.00"} for o in deals]}


def _aging(stage: Record | None, changed: str | None) -> tuple[int, str]:
    days = (today() - date.fromisoformat(changed[:10])).days if changed else 0
    if stage is None or stage["kind"] != "open":
        return days, "closed"
    if stage.get("expected_days") and days >= stage["expected_days"]:
        return days, "stalled"
    if stage.get("warning_days") and days >= stage["warning_days"]:
        return days, "warning"
    return days, "on_track"


def opportunity(state: CrmState, row: Record, *, listing: bool = False) -> Record:
    stage = state.deal_stage(row)
    account_row = state.get("account", row.get("account") or "")
    days, aging = _aging(stage, row.get("stage_changed_at"))
    contacts = [state.get("contact", c) for c in row.get("contacts") or []]
    out = {key: row.get(key) for key in ("id", "name", "pipeline", "stage", "opportunity_type", "currency", "amount",
                                         "probability", "closed_on", "lead_source", "description", "created_at",
                                         "stage_changed_at")}
    out.update({
        "account": {"id": account_row["id"], "name": account_row["name"]} if account_row else None,
        "stage_label": (stage or {}).get("label", row.get("stage")), "stage_kind": (stage or {}).get("kind"),
        "amount_source": "MANUAL", "source_detail": "", "source_ref": "",
        "contacts": [{"id": c["id"], "first_name": c["first_name"], "last_name": c["last_name"], "email": c.get("email")}
                     for c in contacts if c],
        "line_items": [], "line_items_total": 0.0, "assigned_to": profiles(state, row.get("assigned_to") or []),
        "teams": [], "closed_by": None, "tags": tags(state, row.get("tags") or []),
        "created_by": user(state, row.get("created_by") or state.admin()["id"]), "is_active": True, "org": org(state),
        "created_on_arrow": "recently", "days_in_stage": days, "aging_status": aging,
        "custom_fields": dict(row.get("custom_fields") or {}),
    })
    if listing:
        upcoming = sorted((t for t in state.table("tasks").values()
                           if t.get("opportunity") == row["id"] and t["status"] != "Completed"),
                          key=lambda t: t.get("due_date") or "9999")
        out["next_activity"] = ({"id": upcoming[0]["id"], "title": upcoming[0]["title"],
                                 "due_date": upcoming[0].get("due_date")} if upcoming else None)
    return out


def _related(state: CrmState, kind: str, record_id: str | None) -> Record | None:
    row = state.get(kind, record_id or "")
    if row is None:
        return None
    name = row.get("name") or " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)
    return {"id": row["id"], "name": name or row.get("email") or row["id"]}


def task(state: CrmState, row: Record, *, listing: bool = False) -> Record:
    out: Record = {
        "id": row["id"], "title": row["title"], "status": row["status"], "priority": row["priority"],
        "due_date": row.get("due_date"), "account": _related(state, "account", row.get("account")),
        "opportunity": _related(state, "opportunity", row.get("opportunity")), "case": None,
        "lead": _related(state, "lead", row.get("lead")), "project": None,
        "assigned_to": profiles(state, row.get("assigned_to") or []), "tags": tags(state, row.get("tags") or []),
        "created_at": row["created_at"],
    }
    if not listing:
        contacts = [state.get("contact", c) for c in row.get("contacts") or []]
        out.update({
            "description": row.get("description"), "created_by": user(state, row.get("created_by")),
            "contacts": [{"id": c["id"], "first_name": c["first_name"], "last_name": c["last_name"],
                          "email": c.get("email")} for c in contacts if c],
            "teams": [], "custom_fields": dict(row.get("custom_fields") or {}),
        })
    return out


def lead_stage(state: CrmState, stage: Record) -> Record:
    count = sum(1 for lead_row in state.table("leads").values() if lead_row.get("stage") == stage["id"])
    return {**stage, "lead_count": count}


def lead_pipeline(state: CrmState, pipeline: Record, *, with_stages: bool) -> Record:
    stage_ids = {s["id"] for s in pipeline["stages"]}
    out = {key: pipeline[key] for key in ("id", "name", "description", "is_default", "is_active", "created_at")}
    out["stage_count"] = len(pipeline["stages"])
    out["lead_count"] = sum(1 for row in state.table("leads").values() if row.get("stage") in stage_ids)
    if with_stages:
        out["stages"] = [lead_stage(state, s) for s in pipeline["stages"]]
        out["updated_at"] = pipeline["updated_at"]
    return out


def kanban_card(state: CrmState, row: Record) -> Record:
    return {
        "id": row["id"], "title": row.get("title"), "full_name": " ".join(p for p in (row.get("first_name"),
                                                                                     row.get("last_name")) if p),
        "company_name": row.get("company_name"), "email": row.get("email"), "rating": row.get("rating"),
        "opportunity_amount": row.get("opportunity_amount"), "currency": row.get("currency"), "status": row.get("status"),
        "stage": row.get("stage"), "kanban_order": "1.000000", "next_follow_up": row.get("next_follow_up"),
        "is_follow_up_overdue": bool(row.get("next_follow_up") and row["next_follow_up"] < today().isoformat()),
        "assigned_to": profiles(state, row.get("assigned_to") or []), "can_move": True, "created_at": row["created_at"],
    }


def custom_field(row: Record, *, with_gaps: bool = False) -> Record:
    out = {key: row[key] for key in ("id", "target_model", "key", "label", "field_type", "options", "is_required",
                                     "is_filterable", "display_order", "is_active", "created_at", "updated_at")}
    if with_gaps:
        out["records_missing_value"] = 0
    return out


def user_row(row: Record) -> Record:
    return {**profile(row), "active_token_count": 1}

