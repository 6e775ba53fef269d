"""`/api/contacts/`, `/api/accounts/` and `/api/opportunities/`: list, create, detail, comments,
partial update, merge (contacts and accounts) and delete."""

from __future__ import annotations

from sandbox.crm import common, serialize, validate
from sandbox.crm.asgi import Request, invalid
from sandbox.crm.state import CrmState, Record, new_id, now_iso

TEXT = validate.text()
CONTACT_FILL = ("phone", "title", "department", "organization", "account", "city", "country", "description")
ACCOUNT_FILL = ("email", "phone", "website", "industry", "number_of_employees", "city", "country", "description")


def _custom_definitions(state: CrmState, model: str) -> list[Record]:
    return [serialize.custom_field(d) for d in state.table("custom_fields").values() if d["target_model"] == model]


def _users_mention(state: CrmState) -> list[Record]:
    return [{"user__email": u["email"]} for u in state.table("users").values()]


# --- contacts ----------------------------------------------------------------------------------------


def contact_checks(state: CrmState) -> dict[str, validate.Check]:
    return {
        "first_name": TEXT, "last_name": TEXT, "email": validate.email, "phone": validate.phone, "source": TEXT,
        "organization": TEXT, "title": TEXT, "department": TEXT, "do_not_call": validate.boolean,
        "linkedin_url": validate.text(500), "address_line": TEXT, "city": TEXT, "state": TEXT,
        "postcode": validate.text(64), "country": validate.country, "description": validate.text(100_000),
        "account": validate.id_in(state, "accounts", "account"), "is_active": validate.boolean,
        "assigned_to": validate.ids_in(state, "users"), "tags": validate.ids_in(state, "tags"),
    }


def list_contacts(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    rows = list(state.table("contacts").values())
    for key in ("email", "city", "phone"):
        if request.arg(key):
            rows = [r for r in rows if common.contains(r.get(key), str(request.arg(key)))]
    if request.arg("name"):
        rows = [r for r in rows if any(common.contains(r.get(k), str(request.arg("name")))
                                       for k in ("first_name", "last_name"))]
    rows = common.filter_common(state, request, rows, ("first_name", "last_name", "email", "phone"))
    page, next_offset = common.window(request, rows)
    results = [serialize.contact(state, r) for r in page]
    return {"count": len(rows), "results": results, "per_page": common.DEFAULT_LIMIT,
            "page_number": common.page_number(request), "contacts_count": len(rows), "offset": next_offset,
            "contact_obj_list": results, "active_count": sum(1 for r in rows if r.get("is_active", True)),
            "inactive_count": sum(1 for r in rows if not r.get("is_active", True)), "countries": serialize.COUNTRIES,
            "users": serialize.users_option(state)}


def _contact_email_taken(state: CrmState, email: object, besides: str | None = None) -> bool:
    return bool(email) and any(str(r.get("email") or "").casefold() == str(email).casefold() and r["id"] != besides
                               for r in state.table("contacts").values())


def create_contact(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    data = request.json()
    values = validate.clean(data, contact_checks(state), required=("first_name", "last_name"))
    if _contact_email_taken(state, values.get("email")):
        raise invalid("email", "Contact with this Email already exists.")
    stamp = now_iso()
    row = state.insert("contacts", {"id": new_id(), "tags": [], "assigned_to": [], "account": None, "is_active": True,
                                    "do_not_call": False, "created_by": actor["id"], "created_at": stamp,
                                    "updated_at": stamp, **values,
                                    "custom_fields": validate.custom_fields(state, "Contact", data.get("custom_fields"))})
    return {"error": False, "message": "Contact created Successfuly", "id": row["id"]}


def contact_detail(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    row = common.record(state, "contact", args[0])
    deals = [o for o in state.table("opportunities").values() if row["id"] in (o.get("contacts") or [])]
    colleagues = [c for c in state.table("contacts").values() if row.get("account") and c.get("account") == row["account"]
                  and c["id"] != row["id"]]
    tasks = [t for t in state.table("tasks").values() if row["id"] in (t.get("contacts") or [])]
    return {
        "contact_obj": serialize.contact(state, row),
        "address_obj": {k: row.get(k) for k in ("address_line", "city", "state", "postcode", "country")},
        "countries": serialize.COUNTRIES,
        "comments": [serialize.comment(state, c) for c in state.comments_of("contact", row["id"])],
        "attachments": [], "assigned_data": [{"id": p, "name": state.table("users")[p]["email"]}
                                             for p in row.get("assigned_to") or [] if p in state.table("users")],
        "tasks": [serialize.task(state, t) for t in tasks], "users_mention": _users_mention(state),
        "opportunities": [{"id": o["id"], "name": o["name"], "stage": o["stage"],
                           "stage_label": (state.deal_stage(o) or {}).get("label", o["stage"]),
                           "stage_kind": (state.deal_stage(o) or {}).get("kind"),
                           "amount": float(o["amount"]) if o.get("amount") else None, "currency": o.get("currency") or "USD",
                           "closed_on": o.get("closed_on")} for o in deals],
        "open_deals": {"amount": None, "count": 0, "by_currency": []}, "opportunity_count": len(deals), "cases": [],
        "colleagues": [{"id": c["id"], "first_name": c["first_name"], "last_name": c["last_name"],
                        "title": c.get("title") or ""} for c in colleagues],
        "custom_field_definitions": _custom_definitions(state, "Contact"), "can_delete": True,
    }


def comment_contact(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    row = common.record(state, "contact", args[0])
    comments = common.add_comment(state, "contact", row["id"], request.json(), actor)
    return {"contact_obj": serialize.contact(state, row), "comments": comments, "attachments": []}


def patch_contact(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    row = common.record(state, "contact", args[0])
    data = request.json()
    values = validate.clean(data, contact_checks(state))
    for key in ("first_name", "last_name"):
        if key in values and not values[key]:
            raise invalid(key, "This field may not be blank.")
    if _contact_email_taken(state, values.get("email"), besides=row["id"]):
        raise invalid("email", "Contact with this Email already exists.")
    if "custom_fields" in data:
        values["custom_fields"] = validate.custom_fields(state, "Contact", data["custom_fields"], row.get("custom_fields"))
    row.update(values, updated_at=now_iso())
    state.touch()
    return {"error": False, "message": "Contact Updated Successfully"}


# --- accounts ----------------------------------------------------------------------------------------


def account_checks(state: CrmState) -> dict[str, validate.Check]:
    return {
        "name": TEXT, "email": validate.email, "phone": validate.phone, "website": validate.text(200),
        "industry": validate.choice(validate.INDUSTRIES), "number_of_employees": validate.integer,
        "annual_revenue": validate.decimal, "currency": validate.choice(validate.CURRENCIES), "address_line": TEXT,
        "city": TEXT, "state": TEXT, "postcode": validate.text(64), "country": validate.country,
        "description": validate.text(100_000), "is_active": validate.boolean,
        "assigned_to": validate.ids_in(state, "users"), "contacts": validate.ids_in(state, "contacts"),
        "tags": validate.ids_in(state, "tags"),
    }


def _account_name_taken(state: CrmState, name: object, besides: str | None = None) -> bool:
    return any(str(r["name"]).casefold() == str(name).casefold() and r["id"] != besides
               for r in state.table("accounts").values())


def list_accounts(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    rows = list(state.table("accounts").values())
    for key in ("name", "city"):
        if request.arg(key):
            rows = [r for r in rows if common.contains(r.get(key), str(request.arg(key)))]
    rows = common.filter_common(state, request, rows, ("name", "email", "website"))
    active = [r for r in rows if r.get("is_active", True)]
    closed = [r for r in rows if not r.get("is_active", True)]
    active_page, active_next = common.window(request, active)
    closed_page, closed_next = common.window(request, closed)
    return {
        "per_page": common.DEFAULT_LIMIT, "page_number": common.page_number(request),
        "active_accounts": {"offset": active_next, "open_accounts": [serialize.account(state, r) for r in active_page],
                            "open_accounts_count": len(active)},
        "closed_accounts": {"offset": closed_next, "close_accounts": [serialize.account(state, r) for r in closed_page],
                            "close_accounts_count": len(closed)},
        "contacts": [{"id": c["id"], "first_name": c["first_name"]} for c in state.table("contacts").values()],
        "teams": [], "countries": serialize.COUNTRIES, "industries": [[i, i.title()] for i in validate.INDUSTRIES],
        "tags": [serialize.tag(t) for t in state.table("tags").values()], "users": serialize.users_option(state),
        "leads": [{"id": r["id"], "title": r.get("title"), "first_name": r.get("first_name"),
                   "last_name": r.get("last_name")} for r in state.table("leads").values()],
        "status": ["open", "close"],
    }


def create_account(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    data = request.json()
    values = validate.clean(data, account_checks(state), required=("name",))
    if _account_name_taken(state, values["name"]):
        raise invalid("name", "Account with this Name already exists.")
    row = state.insert("accounts", {"id": new_id(), "tags": [], "assigned_to": [], "contacts": [], "is_active": True,
                                    "created_by": actor["id"], "created_at": now_iso(), **values,
                                    "custom_fields": validate.custom_fields(state, "Account", data.get("custom_fields"))})
    return {"id": row["id"], "error": False, "message": "Account Created Successfully"}


def account_detail(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    row = common.record(state, "account", args[0])
    related = serialize.account_with_related(state, row)
    deals = [o for o in state.table("opportunities").values() if o.get("account") == row["id"]]
    tasks = [t for t in state.table("tasks").values() if t.get("account") == row["id"]]
    return {
        "account_obj": related, "attachments": [],
        "comments": [serialize.comment(state, c) for c in state.comments_of("account", row["id"])],
        "contacts": related["contacts"], "opportunity_list": [serialize.opportunity(state, o) for o in deals],
        "users": serialize.profiles(state, list(state.table("users"))), "cases": [], "teams": [], "stages": [],
        "sources": serialize.LEAD_SOURCE, "countries": serialize.COUNTRIES,
        "currencies": [[c, c] for c in validate.CURRENCIES], "case_types": [], "case_priority": [], "case_status": [],
        "comment_permission": True, "tasks": [serialize.task(state, t) for t in tasks], "invoices": [],
        "users_mention": _users_mention(state), "status": ["open", "close"],
        "custom_field_definitions": _custom_definitions(state, "Account"), "can_delete": True,
    }


def comment_account(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    row = common.record(state, "account", args[0])
    comments = common.add_comment(state, "account", row["id"], request.json(), actor)
    return {"account_obj": serialize.account_with_related(state, row), "attachments": [], "comments": comments}


def patch_account(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    row = common.record(state, "account", args[0])
    data = request.json()
    values = validate.clean(data, account_checks(state))
    if "name" in values and (not values["name"] or _account_name_taken(state, values["name"], besides=row["id"])):
        raise invalid("name", "Account with this Name already exists." if values["name"] else "This field may not be blank.")
    if "custom_fields" in data:
        values["custom_fields"] = validate.custom_fields(state, "Account", data["custom_fields"], row.get("custom_fields"))
    row.update(values)
    state.touch()
    return {"error": False, "message": "Account Updated Successfully"}


# --- opportunities -----------------------------------------------------------------------------------


def deal_checks(state: CrmState) -> dict[str, validate.Check]:
    return {
        "name": TEXT, "account": validate.id_in(state, "accounts", "account"), "stage": validate.text(64),
        "opportunity_type": validate.choice(validate.DEAL_TYPES), "amount": validate.decimal,
        "currency": validate.choice(validate.CURRENCIES), "probability": validate.integer,
        "closed_on": validate.iso_date, "lead_source": TEXT, "description": validate.text(100_000),
        "assigned_to": validate.ids_in(state, "users"), "contacts": validate.ids_in(state, "contacts"),
        "tags": validate.ids_in(state, "tags"),
    }


def _stage_of(state: CrmState, values: Record, pipeline_id: str | None) -> tuple[str, str]:
    """(pipeline ID, stage code), checking the stage is one of the pipeline's."""
    pipeline = state.deal_pipeline(pipeline_id)
    if pipeline is None or (pipeline_id and pipeline["id"] != pipeline_id):
        raise invalid("pipeline", "Pipeline not found.")
    codes = [s["code"] for s in pipeline["stages"]]
    stage = values.get("stage") or codes[0]
    if stage not in codes:
        raise invalid("stage", f'"{stage}" is not a stage of pipeline {pipeline["name"]} ({", ".join(codes)}).')
    return pipeline["id"], stage


def list_opportunities(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    rows = list(state.table("opportunities").values())
    if request.arg("name"):
        rows = [r for r in rows if common.contains(r.get("name"), str(request.arg("name")))]
    for key in ("account", "stage", "pipeline", "lead_source"):
        if request.arg(key):
            rows = [r for r in rows if str(r.get(key)) == request.arg(key)]
    rows = common.filter_common(state, request, rows, ("name",))
    page, next_offset = common.window(request, rows)
    amount = sum(float(r.get("amount") or 0) for r in rows)
    return {
        "opportunities_count": len(rows),
        "totals": {"count": len(rows), "amount_sum": f"{amount:.2f}", "by_currency": [], "stalled_count": 0,
                   "weighted_sum": f"{sum(float(r.get('amount') or 0) * (r.get('probability') or 0) / 100 for r in rows):.2f}"},
        "offset": next_offset, "per_page": common.DEFAULT_LIMIT, "page_number": common.page_number(request),
        "opportunities": [serialize.opportunity(state, r, listing=True) for r in page],
        "accounts_list": [{"id": a["id"], "name": a["name"]} for a in state.table("accounts").values()],
        "contacts_list": [{"id": c["id"], "first_name": c["first_name"], "last_name": c["last_name"]}
                          for c in state.table("contacts").values()],
        "tags": [serialize.tag(t) for t in state.table("tags").values()], "stage": [],
        "lead_source": serialize.LEAD_SOURCE, "currency": [[c, c] for c in validate.CURRENCIES],
    }


def create_opportunity(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    data = request.json()
    values = validate.clean(data, deal_checks(state), required=("name",))
    pipeline_id, stage = _stage_of(state, values, data.get("pipeline"))
    stamp = now_iso()
    row = state.insert("opportunities", {
        "id": new_id(), "account": None, "tags": [], "assigned_to": [], "contacts": [], "created_by": actor["id"],
        "created_at": stamp, "probability": 0, **values, "pipeline": pipeline_id, "stage": stage,
        "stage_changed_at": stamp,
        "custom_fields": validate.custom_fields(state, "Opportunity", data.get("custom_fields"))})
    return {"error": False, "message": "Opportunity Created Successfully", "id": row["id"]}


def opportunity_detail(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    row = common.record(state, "opportunity", args[0])
    contacts = [state.get("contact", c) for c in row.get("contacts") or []]
    return {
        "opportunity_obj": serialize.opportunity(state, row),
        "comments": [serialize.comment(state, c) for c in state.comments_of("opportunity", row["id"])],
        "attachments": [], "contacts": [{"id": c["id"], "first_name": c["first_name"], "last_name": c["last_name"],
                                         "title": c.get("title"), "department": c.get("department")}
                                        for c in contacts if c],
        "users": serialize.profiles(state, list(state.table("users"))), "stage": [], "lead_source": serialize.LEAD_SOURCE,
        "currency": [[c, c] for c in validate.CURRENCIES], "comment_permission": True,
        "users_mention": _users_mention(state), "custom_field_definitions": _custom_definitions(state, "Opportunity"),
        "can_delete": True,
    }


def comment_opportunity(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    row = common.record(state, "opportunity", args[0])
    comments = common.add_comment(state, "opportunity", row["id"], request.json(), actor)
    return {"opportunity_obj": serialize.opportunity(state, row), "attachments": [], "comments": comments}


def patch_opportunity(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    row = common.record(state, "opportunity", args[0])
    data = request.json()
    values = validate.clean(data, deal_checks(state))
    if "name" in values and not values["name"]:
        raise invalid("name", "This field may not be blank.")
    if "stage" in values or "pipeline" in data:
        pipeline_id, stage = _stage_of(state, {"stage": values.get("stage", row["stage"])},
                                       data.get("pipeline", row.get("pipeline")))
        if stage != row["stage"]:
            row["stage_changed_at"] = now_iso()
        values.update(pipeline=pipeline_id, stage=stage)
    if "custom_fields" in data:
        values["custom_fields"] = validate.custom_fields(state, "Opportunity", data["custom_fields"],
                                                         row.get("custom_fields"))
    row.update(values)
    state.touch()
    return {"error": False, "message": "Opportunity Updated Successfully"}


def merge_contact(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    return common.merge(state, "contact", args[0], request.json(), CONTACT_FILL)


def merge_account(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    return common.merge(state, "account", args[0], request.json(), ACCOUNT_FILL)
