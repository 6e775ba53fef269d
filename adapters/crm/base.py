"""The CRM client's core: connection, listings, lookups (users, tags, stages) and finding records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from adapters.crm import records
from adapters.crm.failures import SYSTEM
from adapters.crm.records import DETAIL_KEYS, KIND_ALIASES, PATHS, Record, full_name, is_uuid, list_items
from adapters.crm.transport import CrmTransport
from adapters.errors import InvalidRequest, NotFound
from adapters.http import ClientLifecycle

PAGE_SIZE = 100
MAX_LISTED = 500


class CrmBase(ClientLifecycle):
    """Connection, caches and lookups shared by the lead, account, deal and activity operations."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        score_field: str = "lead_score",
        reasons_field: str = "score_reasons",
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        max_retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        self.score_field = score_field
        self.reasons_field = reasons_field
        self._http = CrmTransport(base_url, token, transport=transport, timeout=timeout, max_retries=max_retries,
                                  backoff=backoff)
        self._users_cache: list[Record] | None = None
        self._tags_cache: dict[str, str] | None = None  # name (case-folded) -> id
        self._tag_names: dict[str, str] = {}  # id -> name
        self._lead_stages: dict[str, str] | None = None  # id -> name
        self._deal_pipelines: list[Record] | None = None
        self._score_fields_ready = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._http!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    @staticmethod
    def _today() -> str:
        return datetime.now(UTC).date().isoformat()

    # --- HTTP ----------------------------------------------------------------------------------

    async def _call(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None) -> Any:
        return await self._http.request(method, path, params=params, json=json)

    async def _list(self, kind: str, params: dict[str, Any] | None = None, *, cap: int = MAX_LISTED) -> list[Record]:
        """Every record of a list endpoint (paged with limit/offset), up to `cap`."""
        found: list[Record] = []
        seen: set[str] = set()
        offset = 0
        while len(found) < cap:
            body = await self._call("GET", PATHS[kind], params={**(params or {}), "limit": PAGE_SIZE, "offset": offset})
            batch = list_items(kind, body)
            fresh = [row for row in batch if str(row.get("id")) not in seen]
            seen.update(str(row.get("id")) for row in fresh)
            found.extend(fresh)
            offset += PAGE_SIZE
            if not fresh or all(len(part) < PAGE_SIZE for part in _parts(kind, body)):
                break
        return found[:cap]

    async def _detail(self, kind: str, record_id: str) -> Record:
        """The whole detail answer of one record (the record itself under its `*_obj` key)."""
        body: Record = await self._call("GET", f"{PATHS[kind]}{record_id}/")
        return body

    async def _record(self, kind: str, record_id: str) -> Record:
        row: Record = (await self._detail(kind, record_id))[DETAIL_KEYS[kind]]
        return row

    # --- users, tags, stages, custom fields ------------------------------------------------------

    async def _users(self) -> list[Record]:
        if self._users_cache is None:
            body = await self._call("GET", "/api/users/")
            self._users_cache = list((body.get("active_users") or {}).get("active_users") or [])
        return self._users_cache

    async def _profile_id(self, owner: str, *, field: str = "owner") -> str:
        """The profile ID of a CRM user named by email, name or ID, or by a first name only one user has."""
        wanted = owner.strip().casefold()
        users = await self._users()
        for user in users:
            details = user.get("user_details") or {}
            if wanted in (str(user.get("id")).casefold(), str(details.get("email", "")).casefold(),
                          str(details.get("name", "")).casefold()):
                return str(user["id"])
        by_first = [user for user in users if wanted in _first_names(user.get("user_details") or {})]
        if len(by_first) == 1:
            return str(by_first[0]["id"])
        known = ", ".join(str((u.get("user_details") or {}).get("email")) for u in await self._users())
        raise NotFound(SYSTEM, f"no active CRM user {owner!r} (users: {known or 'none'})", field=field)

    async def _tag_table(self) -> dict[str, str]:
        if self._tags_cache is None:
            body = await self._call("GET", "/api/tags/")
            self._tags_cache = {}
            for tag in body.get("tags") or []:
                self._tags_cache[str(tag["name"]).casefold()] = str(tag["id"])
                self._tag_names[str(tag["id"])] = str(tag["name"])
        return self._tags_cache

    async def _tag_ids(self, names: list[str]) -> list[str]:
        """Tag IDs for names, creating the tags that do not exist yet (tags are shared per org)."""
        table = await self._tag_table()
        ids = []
        for name in dict.fromkeys(n.strip() for n in names if n.strip()):
            if name.casefold() not in table:
                body = await self._call("POST", "/api/tags/", json={"name": name})
                tag = body["tag"]
                table[name.casefold()] = str(tag["id"])
                self._tag_names[str(tag["id"])] = str(tag["name"])
            ids.append(table[name.casefold()])
        return ids

    async def _tag_lookup(self) -> dict[str, str]:
        await self._tag_table()
        return self._tag_names

    async def _lead_stage_table(self) -> dict[str, str]:
        """Lead pipeline stage ID -> name, over every lead pipeline."""
        if self._lead_stages is None:
            self._lead_stages = {}
            body = await self._call("GET", "/api/leads/pipelines/")
            for pipeline in body.get("pipelines") or []:
                detail = await self._call("GET", f"/api/leads/pipelines/{pipeline['id']}/")
                for stage in detail.get("stages") or []:
                    self._lead_stages[str(stage["id"])] = str(stage["name"])
        return self._lead_stages

    async def _deal_pipeline_list(self) -> list[Record]:
        if self._deal_pipelines is None:
            body = await self._call("GET", "/api/opportunities/pipelines/")
            self._deal_pipelines = list(body.get("pipelines") or [])
        return self._deal_pipelines

    async def _ensure_score_fields(self) -> None:
        """Create the Lead custom fields that hold a score and its reasons, once, if missing."""
        if self._score_fields_ready:
            return
        body = await self._call("GET", "/api/custom-fields/")
        have = {(d.get("target_model"), d.get("key")) for d in body.get("definitions") or []}
        wanted = ((self.score_field, "Lead score", "number"), (self.reasons_field, "Score reasons", "textarea"))
        for key, label, field_type in wanted:
            if ("Lead", key) not in have:
                await self._call("POST", "/api/custom-fields/", json={
                    "target_model": "Lead", "key": key, "label": label, "field_type": field_type,
                    "is_required": False, "is_filterable": True,
                })
        self._score_fields_ready = True

    async def _check_custom_fields(self, target_model: str, values: Record) -> None:
        """Refuse custom field keys the organisation has not defined for `target_model`.

        django-crm drops unknown `custom_fields` keys silently (common/custom_fields.py
        `validate_payload`) and still answers success, so without this check the value is lost.
        """
        if not values:
            return
        body = await self._call("GET", "/api/custom-fields/")
        defined = {str(d.get("key")) for d in body.get("definitions") or []
                   if d.get("target_model") == target_model and d.get("is_active", True)}
        unknown = sorted(set(values) - defined)
        if unknown:
            raise InvalidRequest(
                SYSTEM, f"the CRM has no {target_model} custom field {', '.join(unknown)} (defined: "
                f"{', '.join(sorted(defined)) or 'none'}); define it in the CRM's settings first",
                field="custom_fields")

    # --- finding records -----------------------------------------------------------------------

    async def _find(self, kind: str, ref: str, *, field: str, open_only: bool = False) -> Record:
        """One record (as its list row) by ID, email (leads, contacts), name or title."""
        ref = ref.strip()
        if is_uuid(ref):
            try:
                return await self._record(kind, ref)
            except NotFound:
                raise NotFound(SYSTEM, f"no {kind} with ID {ref}", field=field) from None
        found = await self._matches(kind, ref)
        if open_only:
            found = [row for row in found if not _is_closed(kind, row)] or found
        if not found:
            raise NotFound(SYSTEM, f"no {kind} {ref!r}", field=field)
        if len(found) > 1:
            names = "; ".join(f"{_label(kind, row)} ({row.get('id')})" for row in found[:5])
            raise InvalidRequest(SYSTEM, f"{ref!r} names {len(found)} {kind}s: {names}; use an ID", field=field)
        return found[0]

    async def _matches(self, kind: str, ref: str) -> list[Record]:
        folded = ref.casefold()
        if kind in ("lead", "contact") and "@" in ref:
            return [r for r in await self._list(kind, {"email": ref}) if str(r.get("email") or "").casefold() == folded]
        if kind in ("lead", "contact"):
            rows = await self._list(kind, {"search": ref.split()[0] if ref.split() else ref})
            named = [r for r in rows if full_name(r.get("first_name"), r.get("last_name")).casefold() == folded]
            return named or [r for r in rows if str(r.get("company_name") or "").casefold() == folded]
        key, param = {"account": ("name", "name"), "opportunity": ("name", "name"), "task": ("title", "title")}[kind]
        rows = [r for r in await self._list(kind, {param: ref}) if str(r.get(key) or "").casefold() == folded]
        if not rows and kind == "account" and "." in ref and " " not in ref:
            domain = records.domain_of(ref)
            rows = [r for r in await self._list(kind) if records.domain_of(r.get("website")) == domain]
        return rows

    async def _related(self, related_to: str, *, field: str = "related_to") -> tuple[str, Record]:
        """(kind, record) for `kind:reference` (e.g. account:Harbor Cafe, lead:jo@harborcafe.example).

        Without a kind, an email names a lead (else a contact) and a name an account (else a
        deal, else a lead).
        """
        prefix, sep, rest = related_to.partition(":")
        kind = KIND_ALIASES.get(prefix.strip().lower(), prefix.strip().lower())
        if sep and kind in PATHS:
            return kind, await self._find(kind, rest, field=field)
        kinds = ("lead", "contact") if "@" in related_to else ("account", "opportunity", "lead", "contact")
        for candidate in kinds:
            try:
                return candidate, await self._find(candidate, related_to, field=field)
            except NotFound:
                continue
        raise NotFound(SYSTEM, f"no lead, contact, account or deal {related_to!r}; write it as kind:name, "
                       "e.g. account:Harbor Cafe", field=field)


def _parts(kind: str, body: Any) -> list[list[Any]]:
    """The paged lists inside one answer (leads and accounts page open and closed ones together)."""
    if not isinstance(body, dict):
        return []
    if kind == "lead":
        return [(body.get("open_leads") or {}).get("open_leads") or [], (body.get("close_leads") or {}).get("close_leads") or []]
    if kind == "account":
        return [(body.get("active_accounts") or {}).get("open_accounts") or [],
                (body.get("closed_accounts") or {}).get("close_accounts") or []]
    return [list_items(kind, body)]


def _is_closed(kind: str, row: Record) -> bool:
    if kind == "lead":
        return row.get("status") in ("closed", "converted")
    if kind == "opportunity":
        return row.get("stage_kind") in ("won", "lost")
    if kind == "task":
        return row.get("status") == "Completed"
    return row.get("is_active") is False


def _label(kind: str, row: Record) -> str:
    if kind in ("lead", "contact"):
        return full_name(row.get("first_name"), row.get("last_name")) or str(row.get("email") or "")
    return str(row.get("title" if kind == "task" else "name") or "")


def label(kind: str, row: Record) -> str:
    """How a record reads in a `kind:name` reference and in results."""
    if kind in ("lead", "contact") and row.get("email"):
        return f"{kind}:{row['email']}"
    return f"{kind}:{_label(kind, row)}"


def _first_names(details: Record) -> set[str]:
    """What colleagues call a user: the first word of the name, the first part of the email's local part."""
    name = str(details.get("name") or "").split()
    local = str(details.get("email") or "").split("@")[0]
    return {part.casefold() for part in (name[0] if name else "", local.split(".")[0]) if part}
