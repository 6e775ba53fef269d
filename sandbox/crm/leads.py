"""`/api/leads/`: list, create, detail, comments, partial update with conversion, move, merge, delete."""

from __future__ import annotations

from typing import Any

from sandbox.crm import common, serialize, validate
from sandbox.crm.asgi import HTTPError, Request, invalid
from sandbox.crm.state import CrmState, Record, new_id, now_iso

TEXT_FIELDS = ("first_name", "last_name", "company_name", "email")
FILL = ("title", "last_name", "email", "phone", "job_title", "website", "company_name", "source", "industry",
        "description", "opportunity_amount", "close_date", "city", "country", "next_follow_up")


def checks(state: CrmState) -> dict[str, validate.Check]:
    text = validate.text()
    return {
        "title": text, "salutation": validate.text(64), "first_name": text, "last_name": text, "email": validate.email,
        "phone": validate.phone, "job_title": text, "website": text, "linkedin_url": validate.text(500),
        "status": validate.choice(validate.LEAD_STATUS), "source": text, "industry": validate.choice(validate.INDUSTRIES),
        "rating": validate.choice(validate.RATINGS), "opportunity_amount": validate.decimal,
        "currency": validate.choice(validate.CURRENCIES), "probability": validate.integer,
        "close_date": validate.iso_date, "address_line": text, "city": text, "state": text,
        "postcode": validate.text(64), "country": validate.country, "assigned_to": validate.ids_in(state, "users"),
        "contacts": validate.ids_in(state, "contacts"), "tags": validate.ids_in(state, "tags"),
        "last_contacted": validate.iso_date, "next_follow_up": validate.iso_date,
        "description": validate.text(100_000), "company_name": text,
    }


def list_leads(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    rows = [r for r in state.table("leads").values() if r.get("status") != "converted"]
    for key in ("status", "source", "rating"):
        if request.arg(key):
            rows = [r for r in rows if r.get(key) == request.arg(key)]
    for key in ("email", "title", "city"):
        if request.arg(key):
            rows = [r for r in rows if common.contains(r.get(key), str(request.arg(key)))]
    if request.arg("name"):
        rows = [r for r in rows if any(common.contains(r.get(k), str(request.arg("name")))
                                       for k in ("first_name", "last_name"))]
    rows = common.filter_common(state, request, rows, TEXT_FIELDS)
    open_rows = [r for r in rows if r.get("status") != "closed"]
    closed_rows = [r for r in rows if r.get("status") == "closed"]
    open_page, open_next = common.window(request, open_rows)
    closed_page, closed_next = common.window(request, closed_rows)
    return {
        "per_page": common.DEFAULT_LIMIT, "page_number": common.page_number(request),
        "open_leads": {"leads_count": len(open_rows), "open_leads": [serialize.lead(state, r) for r in open_page],
                       "offset": open_next},
        "totals": {"count": len(open_rows), "unworked_over_a_week": 0},
        "close_leads": {"leads_count": len(closed_rows), "close_leads": [serialize.lead(state, r) for r in closed_page],
                        "offset": closed_next},
        "contacts": [{"id": c["id"], "first_name": c["first_name"]} for c in state.table("contacts").values()],
        "status": serialize.LEAD_STATUS, "source": serialize.LEAD_SOURCE,
        "tags": [serialize.tag(t) for t in state.table("tags").values() if t["is_active"]],
        "users": serialize.users_option(state), "countries": serialize.COUNTRIES,
        "industries": [[i, i.title()] for i in validate.INDUSTRIES],
    }


def _email_taken(state: CrmState, email: Any, besides: str | None = None) -> bool:
    return bool(email) and any(str(r.get("email") or "").casefold() == str(email).casefold() and r["id"] != besides
                               for r in state.table("leads").values())


def create_lead(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    data = request.json()
    values = validate.clean(data, checks(state))
    if _email_taken(state, values.get("email")):
        raise invalid("email", "A lead with this email already exists in your organization.")
    stamp = now_iso()
    row = {"id": new_id(), "status": "assigned" if values.get("assigned_to") else None, "tags": [], "assigned_to": [],
           "contacts": [], "stage": None, "created_by": actor["id"], "created_at": stamp, "updated_at": stamp,
           "is_active": True, **values}
    row["custom_fields"] = validate.custom_fields(state, "Lead", data.get("custom_fields"))
    state.insert("leads", row)
    if row.get("status") == "converted":
        return {"error": False, "message": "Lead Converted Successfully", "id": row["id"], **convert(state, row, actor)}
    return {"error": False, "message": "Lead Created Successfully", "id": row["id"]}


def lead_detail(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    row = common.record(state, "lead", args[0])
    return {
        "lead_obj": serialize.lead(state, row), "attachments": [],
        "comments": [serialize.lead_comment(state, c) for c in state.comments_of("lead", row["id"])],
        "users_mention": [{"user__email": u["email"]} for u in state.table("users").values()],
        "assigned_data": [{"id": p, "name": state.table("users")[p]["email"]} for p in row.get("assigned_to") or []
                          if p in state.table("users")],
        "users": serialize.profiles(state, list(state.table("users"))), "users_excluding_team": [],
        "source": serialize.LEAD_SOURCE, "status": serialize.LEAD_STATUS, "teams": [], "countries": serialize.COUNTRIES,
        "pipeline_stage": _stage_ref(state, row.get("stage")),
        "custom_field_definitions": [serialize.custom_field(d) for d in state.table("custom_fields").values()
                                     if d["target_model"] == "Lead"],
        "can_delete": True,
    }


def _stage_ref(state: CrmState, stage_id: str | None) -> Record | None:
    for pipeline in state.table("lead_pipelines").values():
        for stage in pipeline["stages"]:
            if stage["id"] == stage_id:
                return {"id": stage["id"], "name": stage["name"], "color": stage["color"],
                        "stage_type": stage["stage_type"], "pipeline": {"id": pipeline["id"], "name": pipeline["name"]}}
    return None


def comment_lead(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    row = common.record(state, "lead", args[0])
    comments = common.add_comment(state, "lead", row["id"], request.json(), actor)
    return {"lead_obj": serialize.lead(state, row), "attachments": [],
            "comments": [{k: c[k] for k in ("id", "comment", "commented_on", "commented_by")} for c in comments]}


def patch_lead(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    row = common.record(state, "lead", args[0])
    data = request.json()
    if data.get("status") == "converted" or data.get("is_converted"):
        if row.get("status") in ("converted", "closed"):
            raise invalid("status", f"This lead is already {row.get('status')}. Converting it again would create a "
                          "second opportunity against the same account.")
        if not str(row.get("email") or "").strip():
            raise invalid("email", "This lead needs an email address before it can be converted. The contact record "
                          "is created from it.")
        row["custom_fields"] = validate.custom_fields(state, "Lead", data.get("custom_fields"), row.get("custom_fields"))
        return {"error": False, "message": "Lead Converted Successfully", **convert(state, row, actor)}
    values = validate.clean(data, checks(state))
    if _email_taken(state, values.get("email"), besides=row["id"]):
        raise invalid("email", "A lead with this email already exists in your organization.")
    if "custom_fields" in data:
        values["custom_fields"] = validate.custom_fields(state, "Lead", data["custom_fields"], row.get("custom_fields"))
    row.update(values)
    row["updated_at"] = now_iso()
    state.touch()
    return {"error": False, "message": "Lead updated Successfully"}


def convert(state: CrmState, lead: Record, actor: Record) -> Record:
    """Like django-crm's convert_lead_to_account: an account, a contact (with an email) and a deal."""
    stamp = now_iso()
    name = lead.get("company_name") or " ".join(p for p in (lead.get("first_name"), lead.get("last_name")) if p)
    common_fields = {"assigned_to": list(lead.get("assigned_to") or []), "tags": list(lead.get("tags") or []),
                     "created_by": actor["id"], "created_at": stamp}
    account = state.insert("accounts", {
        "id": new_id(), "name": name, "email": lead.get("email"), "phone": lead.get("phone"),
        "website": lead.get("website"), "description": lead.get("description"), "city": lead.get("city"),
        "country": lead.get("country"), "industry": lead.get("industry"), "is_active": True, "contacts": [],
        "custom_fields": {}, **common_fields})
    state.move_comments("lead", lead["id"], "account", account["id"])
    contact = None
    if lead.get("email"):
        contact = state.insert("contacts", {
            "id": new_id(), "first_name": lead.get("first_name") or "", "last_name": lead.get("last_name") or "",
            "email": lead["email"], "phone": lead.get("phone"), "organization": lead.get("company_name") or "",
            "title": lead.get("job_title"), "account": account["id"], "is_active": True, "do_not_call": False,
            "custom_fields": {}, "updated_at": stamp, **common_fields})
        account["contacts"].append(contact["id"])
    pipeline = state.deal_pipeline()
    deal_name = " - ".join(p for p in (lead.get("company_name"), " ".join(
        q for q in (lead.get("first_name"), lead.get("last_name")) if q)) if p)
    opportunity = state.insert("opportunities", {
        "id": new_id(), "name": deal_name or f"Opportunity {lead['id']}", "account": account["id"],
        "pipeline": pipeline["id"] if pipeline else None, "stage": "QUALIFICATION", "amount": lead.get("opportunity_amount"),
        "probability": lead.get("probability") or 0, "closed_on": lead.get("close_date"), "lead_source": lead.get("source"),
        "currency": lead.get("currency"), "description": lead.get("description"), "stage_changed_at": stamp,
        "contacts": [contact["id"]] if contact else [], "opportunity_type": "NEW_BUSINESS", "custom_fields": {},
        **common_fields})
    lead.update({"status": "converted", "updated_at": stamp, "converted_account": account["id"],
                 "converted_contact": contact["id"] if contact else None, "converted_opportunity": opportunity["id"]})
    state.touch()
    return {"account_id": account["id"], "contact_id": contact["id"] if contact else None,
            "opportunity_id": opportunity["id"]}


def move_lead(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    row = common.record(state, "lead", args[0])
    data = request.json()
    stage_id = data.get("stage_id")
    if stage_id is not None:
        stage = state.lead_stages().get(str(stage_id))
        if stage is None:
            raise invalid("stage_id", "Stage not found.")
        row["stage"] = stage["id"]
        if stage.get("maps_to_status"):
            row["status"] = stage["maps_to_status"]
    if data.get("status"):
        row["status"] = validate.choice(validate.LEAD_STATUS, blank=False)("status", data["status"])
    row["updated_at"] = now_iso()
    state.touch()
    return {"error": False, "message": "Lead moved", "lead": serialize.kanban_card(state, row)}


def merge_lead(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    return common.merge(state, "lead", args[0], request.json(), FILL)


def delete_lead(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    return common.delete(state, "lead", args[0])


def delete_lead_comment(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    return common.delete_comment(state, "lead", args[0])


def pipelines(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    return {"pipelines": [serialize.lead_pipeline(state, p, with_stages=False)
                          for p in state.table("lead_pipelines").values()]}


def pipeline_detail(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    pipeline = state.table("lead_pipelines").get(args[0])
    if pipeline is None:
        raise HTTPError(404, {"detail": "No LeadPipeline matches the given query."})
    return serialize.lead_pipeline(state, pipeline, with_stages=True)
