"""`/api/tasks/`, and the organisation's lookups: users, tags, custom fields, deal pipelines."""

from __future__ import annotations

from datetime import timedelta

from sandbox.crm import common, serialize, validate
from sandbox.crm.asgi import HTTPError, Request, invalid
from sandbox.crm.state import CrmState, Record, new_id, now_iso, slugify, today


def task_checks(state: CrmState) -> dict[str, validate.Check]:
    return {
        "title": validate.text(), "status": validate.choice(validate.TASK_STATUS, blank=False),
        "priority": validate.choice(validate.PRIORITIES, blank=False), "due_date": validate.iso_date,
        "description": validate.text(100_000), "account": validate.id_in(state, "accounts", "account"),
        "opportunity": validate.id_in(state, "opportunities", "opportunity"),
        "lead": validate.id_in(state, "leads", "lead"), "contacts": validate.ids_in(state, "contacts"),
        "assigned_to": validate.ids_in(state, "users"), "tags": validate.ids_in(state, "tags"),
    }


def list_tasks(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    rows = list(state.table("tasks").values())
    if request.arg("title"):
        rows = [r for r in rows if common.contains(r.get("title"), str(request.arg("title")))]
    for key in ("status", "priority"):
        if request.arg(key):
            rows = [r for r in rows if r.get(key) == request.arg(key)]
    rows = common.filter_common(state, request, rows, ("title", "description"))
    page, next_offset = common.window(request, rows)
    now = today()
    open_rows = [r for r in rows if r["status"] != "Completed"]
    due = [r for r in open_rows if r.get("due_date")]
    return {
        "users": serialize.users_option(state), "tasks_count": len(rows), "offset": next_offset,
        "tasks": [serialize.task(state, r, listing=True) for r in page],
        "totals": {"count": len(rows), "open": len(open_rows),
                   "overdue": sum(1 for r in due if r["due_date"] < now.isoformat()),
                   "due_today": sum(1 for r in due if r["due_date"] == now.isoformat()),
                   "due_this_week": sum(1 for r in due if now.isoformat() <= r["due_date"]
                                        <= (now + timedelta(days=7)).isoformat()),
                   "no_due_date": sum(1 for r in open_rows if not r.get("due_date")),
                   "unassigned": sum(1 for r in open_rows if not r.get("assigned_to"))},
        "status": [[s, s] for s in validate.TASK_STATUS], "priority": [[p, p] for p in validate.PRIORITIES],
        "accounts_list": [{"id": a["id"], "name": a["name"]} for a in state.table("accounts").values()],
        "contacts_list": [{"id": c["id"], "first_name": c["first_name"], "last_name": c["last_name"]}
                          for c in state.table("contacts").values()],
    }


def create_task(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    data = request.json()
    values = validate.clean(data, task_checks(state), required=("title",))
    state.insert("tasks", {"id": new_id(), "status": "New", "priority": "Medium", "due_date": None, "contacts": [],
                           "assigned_to": [], "tags": [], "account": None, "opportunity": None, "lead": None,
                           "created_by": actor["id"], "created_at": now_iso(), **values,
                           "custom_fields": validate.custom_fields(state, "Task", data.get("custom_fields"))})
    return {"error": False, "message": "Task Created Successfully"}


def _profile_email(state: CrmState, profile_id: str) -> Record:
    return {"id": profile_id, "user__email": state.table("users")[profile_id]["email"]}


def task_detail(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    row = common.record(state, "task", args[0])
    return {
        "assigned_data": [_profile_email(state, p) for p in row.get("assigned_to") or [] if p in state.table("users")],
        "task_obj": serialize.task(state, row), "attachments": [],
        "comments": [serialize.comment(state, c) for c in state.comments_of("task", row["id"])],
        "users_mention": [{"user__email": u["email"]} for u in state.table("users").values()],
        "custom_field_definitions": [serialize.custom_field(d) for d in state.table("custom_fields").values()
                                     if d["target_model"] == "Task"],
        "users": serialize.profiles(state, list(state.table("users"))), "users_excluding_team": [], "teams": [],
    }


def comment_task(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    row = common.record(state, "task", args[0])
    comments = common.add_comment(state, "task", row["id"], request.json(), actor)
    return {"task_obj": serialize.task(state, row), "attachments": [], "comments": comments}


def patch_task(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    row = common.record(state, "task", args[0])
    data = request.json()
    values = validate.clean(data, task_checks(state))
    if "title" in values and not values["title"]:
        raise invalid("title", "This field may not be blank.")
    if "custom_fields" in data:
        values["custom_fields"] = validate.custom_fields(state, "Task", data["custom_fields"], row.get("custom_fields"))
    row.update(values)
    state.touch()
    return {"error": False, "message": "Task updated Successfully"}


# --- lookups -------------------------------------------------------------------------------------


def list_users(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    rows = sorted(state.table("users").values(), key=lambda u: u["created_at"])
    if request.arg("email"):
        rows = [u for u in rows if common.contains(u["email"], str(request.arg("email")))]
    active = [serialize.user_row(u) for u in rows if u["is_active"]]
    inactive = [serialize.user_row(u) for u in rows if not u["is_active"]]
    return {"active_users": {"active_users_count": len(active), "active_users": active, "offset": None},
            "inactive_users": {"inactive_users_count": len(inactive), "inactive_users": inactive, "offset": None},
            "admin_email": state.admin()["email"], "roles": [["ADMIN", "ADMIN"], ["USER", "USER"]],
            "status": [["True", "Active"], ["False", "In Active"]]}


def _usage(state: CrmState, tag_id: str) -> Record:
    return {table: sum(1 for r in state.table(table).values() if tag_id in (r.get("tags") or []))
            for table in ("leads", "contacts", "accounts", "opportunities", "tasks")}


def list_tags(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    rows = [{**serialize.tag(t), "usage": _usage(state, t["id"])} for t in state.table("tags").values()]
    return {"tags_count": len(rows), "tags": rows,
            "totals": {"count": len(rows), "active": sum(1 for r in rows if r["is_active"]),
                       "unused": sum(1 for r in rows if not any(r["usage"].values()))}}


def create_tag(state: CrmState, request: Request, args: list[str], actor: Record) -> tuple[int, Record]:
    data = request.json()
    values = validate.clean(data, {"name": validate.text(50), "color": validate.choice(validate.COLORS),
                                   "description": validate.text(500)}, required=("name",))
    if any(t["name"].casefold() == values["name"].casefold() for t in state.table("tags").values()):
        raise invalid("name", "A tag with this name already exists.")
    tag_id = state.tag_id(values["name"])
    row = state.table("tags")[tag_id]
    row.update({k: v for k, v in values.items() if k != "name" and v is not None}, slug=slugify(values["name"]))
    return 201, {"error": False, "message": "Tag created", "tag": serialize.tag(row)}


def list_custom_fields(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    rows = [serialize.custom_field(d, with_gaps=True) for d in state.table("custom_fields").values()]
    return {"definitions": rows, "totals": {"count": len(rows), "active": sum(1 for r in rows if r["is_active"]),
                                            "models_extended": len({r["target_model"] for r in rows}),
                                            "required_with_gaps": 0}}


def create_custom_field(state: CrmState, request: Request, args: list[str], actor: Record) -> tuple[int, Record]:
    data = request.json()
    values = validate.clean(data, {
        "target_model": validate.choice(("Account", "Case", "Contact", "Estimate", "Invoice", "Lead", "Opportunity",
                                         "Project", "RecurringInvoice", "Task"), blank=False),
        "key": validate.text(64), "label": validate.text(),
        "field_type": validate.choice(("text", "textarea", "number", "dropdown", "date", "checkbox"), blank=False),
        "is_required": validate.boolean, "is_filterable": validate.boolean, "is_active": validate.boolean,
        "display_order": validate.integer,
    }, required=("target_model", "key", "label", "field_type"))
    if any(d["target_model"] == values["target_model"] and d["key"] == values["key"]
           for d in state.table("custom_fields").values()):
        raise invalid("key", f"A {values['target_model']} field with key {values['key']!r} already exists.")
    stamp = now_iso()
    row = state.insert("custom_fields", {"id": new_id(), "options": data.get("options") or [], "is_required": False,
                                         "is_filterable": False, "display_order": 0, "is_active": True,
                                         "created_at": stamp, "updated_at": stamp, **values})
    return 201, serialize.custom_field(row)


def deal_pipelines(state: CrmState, request: Request, args: list[str], actor: Record) -> Record:
    return {"pipelines": [dict(p) for p in state.table("deal_pipelines").values()]}


def not_found_route(path: str) -> HTTPError:
    return HTTPError(404, {"detail": f"Not found: {path}"})
