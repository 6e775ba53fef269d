"""Seed the sandbox CRM from plain data and dump it back in the same shape.

The shape uses the tools' argument names: leads have `first_name`, `email`, `company_name`,
`status`, `stage` (a lead stage name), `rating`, `score`, `score_reasons`, `owner` (a user's
email), `tags` (names); contacts `email`, `account` (a name); accounts `name`, `website`,
`employees`; opportunities `name`, `account`, `stage` (a label), `amount`, `close_date`;
tasks `title`, `due`, `related_to` (`kind:name`); notes `related_to`, `body`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sandbox.crm.state import REASONS_KEY, SCORE_KEY, CrmState, Record, new_id, now_iso, today

DEFAULT_DEAL_STAGES: list[dict[str, Any]] = [
    {"code": "PROSPECTING", "label": "Prospecting", "kind": "open", "expected_days": 14, "warning_days": 10},
    {"code": "QUALIFICATION", "label": "Qualification", "kind": "open", "expected_days": 14, "warning_days": 10},
    {"code": "PROPOSAL", "label": "Proposal", "kind": "open", "expected_days": 21, "warning_days": 14},
    {"code": "NEGOTIATION", "label": "Negotiation", "kind": "open", "expected_days": 14, "warning_days": 10},
    {"code": "CLOSED_WON", "label": "Closed Won", "kind": "won", "expected_days": None, "warning_days": None},
    {"code": "CLOSED_LOST", "label": "Closed Lost", "kind": "lost", "expected_days": None, "warning_days": None},
]
DEFAULT_LEAD_STAGES = [("New", None), ("Contacted", "in process"), ("Qualified", "in process"),
                       ("Proposal Sent", "in process"), ("Won", "converted"), ("Lost", "closed")]
CUSTOM_FIELDS = [("Lead", SCORE_KEY, "Lead score", "number"), ("Lead", REASONS_KEY, "Score reasons", "textarea"),
                 ("Account", "contract_end", "Contract end", "date")]


def _ensure_structure(state: CrmState, data: dict[str, Any]) -> None:
    """The deal and lead pipelines and the custom fields, when the CRM has none yet.

    `data` may name the lead stages (`lead_stages`: [name, status the stage maps to]) and more
    custom fields (`custom_fields`: target_model, key, label, field_type).
    """
    stamp = now_iso()
    lead_stages = [tuple(stage) for stage in data.get("lead_stages") or DEFAULT_LEAD_STAGES]
    custom_fields = CUSTOM_FIELDS + [(f["target_model"], f["key"], f.get("label") or f["key"], f.get("field_type", "text"))
                                     for f in data.get("custom_fields") or []]
    if not state.table("deal_pipelines"):
        stages = [{"id": new_id(), "order": i, **s} for i, s in enumerate(DEFAULT_DEAL_STAGES)]
        state.insert("deal_pipelines", {"id": new_id(), "name": "Sales", "is_default": True, "stages": stages})
    if not state.table("lead_pipelines"):
        stages = [{"id": new_id(), "name": name, "order": i, "color": "blue",
                   "stage_type": {"converted": "won", "closed": "lost"}.get(status or "", "open"),
                   "maps_to_status": status, "win_probability": 10 * i, "wip_limit": None, "created_at": stamp,
                   "updated_at": stamp} for i, (name, status) in enumerate(lead_stages)]
        state.insert("lead_pipelines", {"id": new_id(), "name": "Lead pipeline", "description": "", "is_default": True,
                                        "is_active": True, "created_at": stamp, "updated_at": stamp, "stages": stages})
    have = {(d["target_model"], d["key"]) for d in state.table("custom_fields").values()}
    for model, key, label, kind in custom_fields:
        if (model, key) not in have:
            state.insert("custom_fields", {"id": new_id(), "target_model": model, "key": key, "label": label,
                                           "field_type": kind, "options": [], "is_required": False,
                                           "is_filterable": True, "display_order": 0, "is_active": True,
                                           "created_at": stamp, "updated_at": stamp})


def _find(state: CrmState, table: str, key: str, value: Any) -> Record | None:
    if value in (None, ""):
        return None
    for row in state.table(table).values():
        if str(row.get(key) or "").casefold() == str(value).casefold():
            return row
    return None


def _owners(state: CrmState, spec: Record) -> list[str] | None:
    if "owner" not in spec:
        return None
    user = state.user_by(spec["owner"]) if spec["owner"] else None
    if spec["owner"] and user is None:
        user = state.add_user(str(spec["owner"]), str(spec["owner"]).split("@")[0].title())
    return [user["id"]] if user else []


def _related(state: CrmState, ref: str | None) -> tuple[str, str] | None:
    if not ref:
        return None
    kind, _, name = ref.partition(":")
    table, key = {"lead": ("leads", "email"), "contact": ("contacts", "email"), "account": ("accounts", "name"),
                  "opportunity": ("opportunities", "name"), "deal": ("opportunities", "name")}.get(kind, ("", ""))
    row = _find(state, table, key, name) if table else None
    if row is None and kind in ("lead", "contact"):
        row = next((r for r in state.table(table).values()
                    if f"{r.get('first_name', '')} {r.get('last_name', '')}".strip().casefold() == name.casefold()), None)
    if row is None:
        raise ValueError(f"related_to {ref!r}: no such record")
    return ("opportunity" if kind == "deal" else kind), row["id"]


def _upsert(state: CrmState, table: str, key: str, spec: Record, values: Record, defaults: Record) -> Record:
    row = _find(state, table, key, spec.get(key))
    clean = {k: v for k, v in values.items() if v is not None or k in spec}
    if row is None:
        row = state.insert(table, {"id": new_id(), "created_by": state.admin()["id"],
                                   "created_at": spec.get("created_at") or now_iso(), **defaults, **clean})
    else:
        row.update(clean)
    state.touch()
    return row


def _seed_lead(state: CrmState, spec: Record) -> None:
    stages = {s["name"].casefold(): s["id"] for s in state.lead_stages().values()}
    values: Record = {k: spec.get(k) for k in ("first_name", "last_name", "email", "phone", "company_name", "job_title",
                                                "website", "source", "title", "description", "status", "rating",
                                                "next_follow_up", "close_date", "probability", "city", "country")}
    values["industry"] = spec["industry"].upper() if spec.get("industry") else None
    amount = spec.get("opportunity_amount")
    values["opportunity_amount"] = f"{float(amount):.2f}" if amount is not None else None
    values["stage"] = stages.get(str(spec["stage"]).casefold()) if spec.get("stage") else None
    values["tags"] = [state.tag_id(t) for t in spec["tags"]] if "tags" in spec else None
    values["assigned_to"] = _owners(state, spec)
    custom: Record = dict(spec.get("fields") or {})
    if spec.get("score") is not None:
        custom[SCORE_KEY] = spec["score"]
    if spec.get("score_reasons"):
        custom[REASONS_KEY] = "\n".join(spec["score_reasons"])
    row = _upsert(state, "leads", "email", spec, values, {"tags": [], "assigned_to": [], "contacts": [],
                                                          "is_active": True, "updated_at": now_iso()})
    row["custom_fields"] = {**(row.get("custom_fields") or {}), **custom}
    if row.get("status") is None and row.get("assigned_to"):
        row["status"] = "assigned"


def _seed_account(state: CrmState, spec: Record) -> None:
    values = {k: spec.get(k) for k in ("name", "website", "email", "phone", "city", "country", "is_active")}
    values["industry"] = spec["industry"].upper() if spec.get("industry") else None
    values["number_of_employees"] = spec.get("employees")
    values["tags"] = [state.tag_id(t) for t in spec["tags"]] if "tags" in spec else None
    values["assigned_to"] = _owners(state, spec)
    row = _upsert(state, "accounts", "name", spec, values, {"tags": [], "assigned_to": [], "contacts": [],
                                                             "is_active": True})
    row["custom_fields"] = {**(row.get("custom_fields") or {}), **(spec.get("fields") or {})}


def _account_named(state: CrmState, name: str) -> Record:
    """The account of that name; one the data does not list is made with defaults (an eval setup may
    name only the fields its case is about, and the sandbox fills in the rest)."""
    account = _find(state, "accounts", "name", name)
    if account is None:
        _seed_account(state, {"name": name})
        account = _find(state, "accounts", "name", name)
    assert account is not None
    return account


def _seed_contact(state: CrmState, spec: Record) -> None:
    values = {k: spec.get(k) for k in ("email", "first_name", "last_name", "phone", "title", "department", "do_not_call")}
    if spec.get("account"):
        values["account"] = _account_named(state, str(spec["account"]))["id"]
    values["tags"] = [state.tag_id(t) for t in spec["tags"]] if "tags" in spec else None
    values["assigned_to"] = _owners(state, spec)
    _upsert(state, "contacts", "email", spec, values, {"first_name": "", "last_name": "", "tags": [],
                                                        "assigned_to": [], "account": None, "is_active": True,
                                                        "do_not_call": False, "custom_fields": {},
                                                        "updated_at": now_iso()})


def _seed_opportunity(state: CrmState, spec: Record) -> None:
    pipeline = state.deal_pipeline()
    assert pipeline is not None
    values: Record = {"name": spec.get("name"), "probability": spec.get("probability"),
                      "closed_on": spec.get("close_date"), "opportunity_type": spec.get("type"),
                      "pipeline": pipeline["id"]}
    if spec.get("account"):
        values["account"] = _account_named(state, str(spec["account"]))["id"]
    if spec.get("stage"):
        wanted = str(spec["stage"]).casefold()
        stage = next((s for s in pipeline["stages"] if wanted in (s["code"].casefold(), s["label"].casefold())), None)
        if stage is None:
            raise ValueError(f"opportunity {spec.get('name')!r}: no stage {spec['stage']!r}")
        values["stage"] = stage["code"]
    if spec.get("amount") is not None:
        values["amount"] = f"{float(spec['amount']):.2f}"
    if spec.get("days_in_stage") is not None:
        values["stage_changed_at"] = f"{(today() - timedelta(days=int(spec['days_in_stage']))).isoformat()}T09:00:00Z"
    values["assigned_to"] = _owners(state, spec)
    _upsert(state, "opportunities", "name", spec, values, {
        "stage": pipeline["stages"][0]["code"], "account": None, "tags": [], "assigned_to": [], "contacts": [],
        "currency": "USD", "stage_changed_at": now_iso(), "custom_fields": {}})


def _seed_task(state: CrmState, spec: Record) -> None:
    values: Record = {"title": spec.get("title"), "due_date": spec.get("due"), "priority": spec.get("priority"),
                      "status": spec.get("status"), "description": spec.get("description")}
    link = _related(state, spec.get("related_to"))
    if link is not None:
        kind, record_id = link
        if kind == "contact":
            values["contacts"] = [record_id]
        else:
            values[kind] = record_id
    values["assigned_to"] = _owners(state, spec)
    _upsert(state, "tasks", "title", spec, values, {"status": "New", "priority": "Medium", "contacts": [],
                                                     "assigned_to": [], "tags": [], "account": None,
                                                     "opportunity": None, "lead": None, "custom_fields": {}})


def _seed_note(state: CrmState, spec: Record) -> None:
    link = _related(state, spec["related_to"])
    assert link is not None
    kind, record_id = link
    if any(c["comment"] == spec["body"] for c in state.comments_of(kind, record_id)):
        return
    author = state.user_by(spec.get("author")) or state.admin()
    state.add_comment(kind, record_id, spec["body"], author["id"], spec.get("created_at"))


def seed_crm(state: CrmState, data: dict[str, Any]) -> None:
    """Add or update what `data` lists (see the module docstring for the shape)."""
    for user in data.get("users") or []:
        state.add_user(user["email"], user.get("name") or user["email"].split("@")[0].title(), user.get("role", "USER"))
    _ensure_structure(state, data)
    for name in data.get("tags") or []:
        state.tag_id(name)
    for key, seed in (("accounts", _seed_account), ("contacts", _seed_contact), ("leads", _seed_lead),
                      ("opportunities", _seed_opportunity), ("tasks", _seed_task), ("notes", _seed_note)):
        for spec in data.get(key) or []:
            seed(state, spec)
