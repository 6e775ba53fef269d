"""Leads: search, create-if-absent, update, scoring, assignment and conversion.

django-crm has no scoring endpoint: a score (0-100) and its reasons are kept in two Lead
custom fields (`lead_score`, `score_reasons` by default), created through
`/api/custom-fields/` the first time a score is written, and the rating in the lead's own
`rating` field (HOT/WARM/COLD). A pipeline stage is set with `PATCH /api/leads/{id}/move/`;
conversion is `PATCH /api/leads/{id}/ {"status": "converted"}`, which answers the IDs of the
account, contact and deal the CRM created from the lead.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from adapters.crm import records
from adapters.crm.base import MAX_LISTED, CrmBase
from adapters.crm.failures import SYSTEM
from adapters.crm.records import Record, full_name
from adapters.errors import InvalidRequest, NotFound

# Lead fields `fields` may set directly; anything else goes into the lead's custom fields.
LEAD_FIELDS = {"title", "salutation", "first_name", "last_name", "email", "phone", "job_title", "website",
               "linkedin_url", "source", "source_detail", "source_ref", "industry", "opportunity_amount",
               "probability", "close_date", "address_line", "city", "state", "postcode", "country",
               "last_contacted", "next_follow_up", "description", "company_name"}
DEDICATED = {"status": "status", "stage": "stage", "score": "score (crm.lead_score_update)",
             "rating": "rating (crm.lead_score_update)", "assigned_to": "owner (crm.lead_assign)",
             "owner": "owner (crm.lead_assign)", "tags": "add_tags"}


def money(value: Any) -> str | None:
    return None if value is None else f"{Decimal(str(value)):.2f}"


def iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else (str(value) if value is not None else None)


class LeadOps(CrmBase):
    async def _lead_result(self, row: Record) -> Record:
        stages = await self._lead_stage_table() if row.get("stage") else {}
        return records.lead(row, score_key=self.score_field, reasons_key=self.reasons_field, stage_names=stages)

    async def _lead(self, ref: str, *, field: str = "lead") -> Record:
        return await self._find("lead", ref, field=field, open_only=True)

    async def lead_search(
        self, query: str | None = None, lead: str | None = None, status: str | None = None, stage: str | None = None,
        source: str | None = None, owner: str | None = None, tag: str | None = None, rating: str | None = None,
        unassigned: bool | None = None, unscored: bool | None = None, min_score: int | None = None,
        created_after: Any = None, created_before: Any = None, limit: int | None = None,
    ) -> list[Record]:
        """Leads with status, stage, rating, score, owner, source and tags (converted ones are not listed)."""
        if lead:
            return [await self._lead_result(await self._lead(lead))]
        params: dict[str, Any] = {"search": query, "status": status, "source": source, "rating": rating,
                                  "created_at__gte": iso(created_after), "created_at__lte": iso(created_before)}
        if owner:
            params["assigned_to"] = await self._profile_id(owner)
        if tag:
            tag_id = (await self._tag_table()).get(tag.strip().casefold())
            if tag_id is None:
                return []
            params["tags"] = tag_id
        filtered = stage is not None or unassigned is not None or unscored is not None or min_score is not None
        results = []
        for row in await self._list("lead", params, cap=MAX_LISTED if filtered else limit or 20):
            item = await self._lead_result(row)
            if stage and str(item["stage"] or "").casefold() != stage.casefold():
                continue
            if unassigned is not None and (not item["owners"]) != unassigned:
                continue
            if unscored is not None and (item["score"] is None) != unscored:
                continue
            if min_score is not None and (item["score"] is None or item["score"] < min_score):
                continue
            results.append(item)
        return results[: limit or 20]

    async def lead_create(
        self, first_name: str, last_name: str | None = None, email: str | None = None, phone: str | None = None,
        company_name: str | None = None, job_title: str | None = None, website: str | None = None,
        source: str | None = None, industry: str | None = None, title: str | None = None,
        description: str | None = None, opportunity_amount: Any = None, tags: list[str] | None = None,
    ) -> Record:
        """Create a lead, unless an open lead with the same email (or name and company) exists."""
        existing = await self._open_lead_like(first_name, last_name, email, company_name)
        if existing is not None:
            return {**await self._lead_result(existing), "existing": True}
        payload: Record = {
            "first_name": first_name, "last_name": last_name, "email": email, "phone": phone,
            "company_name": company_name, "job_title": job_title, "website": website, "source": source,
            "industry": industry.upper() if industry else None, "title": title, "description": description,
            "opportunity_amount": money(opportunity_amount), "assigned_to": [], "contacts": [], "teams": [],
        }
        payload = {k: v for k, v in payload.items() if v is not None}
        if tags:
            payload["tags"] = await self._tag_ids(tags)
        created = await self._call("POST", "/api/leads/", json=payload)
        return {**await self._lead_result(await self._record("lead", str(created["id"]))), "existing": False}

    async def _open_lead_like(self, first_name: str, last_name: str | None, email: str | None,
                              company: str | None) -> Record | None:
        if email:
            rows = await self._list("lead", {"email": email})
            same = [r for r in rows if str(r.get("email") or "").casefold() == email.casefold()]
        else:
            rows = await self._list("lead", {"search": first_name})
            name = full_name(first_name, last_name).casefold()
            same = [r for r in rows if full_name(r.get("first_name"), r.get("last_name")).casefold() == name
                    and str(r.get("company_name") or "").casefold() == str(company or "").casefold()]
        open_rows = [r for r in same if r.get("status") not in ("closed", "converted")]
        return open_rows[0] if open_rows else None

    async def lead_update(
        self, lead: str, status: str | None = None, stage: str | None = None, next_follow_up: Any = None,
        add_tags: list[str] | None = None, fields: dict[str, Any] | None = None, reason: str | None = None,
    ) -> Record:
        """Change status, pipeline stage, follow-up date, tags or other fields; `reason` becomes a note."""
        row = await self._lead(lead)
        patch: Record = {}
        if status is not None:
            patch["status"] = status
        if next_follow_up is not None:
            patch["next_follow_up"] = iso(next_follow_up)
        if add_tags:
            current = [str(t["id"]) for t in row.get("tags") or []]
            patch["tags"] = list(dict.fromkeys(current + await self._tag_ids(add_tags)))
        custom: Record = {}
        for key, value in (fields or {}).items():
            if key in DEDICATED:
                raise InvalidRequest(SYSTEM, f"fields.{key}: set it with {DEDICATED[key]}", field="fields")
            if key in LEAD_FIELDS:
                patch[key] = money(value) if key == "opportunity_amount" else iso(value) if isinstance(value, date) else value
            else:
                custom[key] = value
        if custom:
            await self._check_custom_fields("Lead", custom)
            patch["custom_fields"] = {**(row.get("custom_fields") or {}), **custom}
        if patch:
            await self._call("PATCH", f"/api/leads/{row['id']}/", json=patch)
        if stage is not None:
            await self._call("PATCH", f"/api/leads/{row['id']}/move/", json={"stage_id": await self._stage_id(stage)})
        if reason:
            await self._comment("lead", str(row["id"]), reason)
        return await self._lead_result(await self._record("lead", str(row["id"])))

    async def _stage_id(self, stage: str) -> str:
        table = await self._lead_stage_table()
        for stage_id, name in table.items():
            if name.casefold() == stage.strip().casefold():
                return stage_id
        raise NotFound(SYSTEM, f"no lead pipeline stage {stage!r} (stages: {', '.join(table.values()) or 'none'})",
                       field="stage")

    async def _comment(self, kind: str, record_id: str, body: str) -> Record:
        answer: Record = await self._call("POST", f"{records.PATHS[kind]}{record_id}/", json={"comment": body})
        return answer

    async def lead_score_update(self, lead: str, score: int, rating: str | None = None,
                                reasons: list[str] | None = None) -> Record:
        """Write the score and reasons (custom fields) and the rating; the same values change nothing."""
        if not 0 <= int(score) <= 100:
            raise InvalidRequest(SYSTEM, f"score must be 0-100 (got {score})", field="score")
        await self._ensure_score_fields()
        row = await self._lead(lead)
        custom = {**(row.get("custom_fields") or {}), self.score_field: int(score)}
        if reasons is not None:
            custom[self.reasons_field] = "\n".join(reasons)
        patch: Record = {"custom_fields": custom}
        if rating is not None:
            patch["rating"] = rating.upper()
        await self._call("PATCH", f"/api/leads/{row['id']}/", json=patch)
        return await self._lead_result(await self._record("lead", str(row["id"])))

    async def lead_assign(self, lead: str, owner: str, reason: str | None = None) -> Record:
        """Make `owner` the lead's only owner and set its status to assigned."""
        row = await self._lead(lead)
        profile = await self._profile_id(owner)
        await self._call("PATCH", f"/api/leads/{row['id']}/", json={"assigned_to": [profile], "status": "assigned"})
        if reason:
            await self._comment("lead", str(row["id"]), reason)
        return await self._lead_result(await self._record("lead", str(row["id"])))

    async def lead_convert(self, lead: str, amount: Any = None, close_date: Any = None,
                           probability: int | None = None) -> Record:
        """Convert a lead; the CRM creates its account, contact and deal. A converted lead answers
        the records it became (found by its email and company), with `already_converted: true`."""
        try:
            row = await self._find("lead", lead, field="lead", open_only=True)
        except NotFound:
            if "@" not in lead:
                raise
            return await self._converted(None, lead)  # converted leads leave the list
        if row.get("status") == "converted":
            return await self._converted(row, str(row.get("email") or lead))
        terms = {"opportunity_amount": money(amount), "close_date": iso(close_date), "probability": probability}
        terms = {k: v for k, v in terms.items() if v is not None}
        if terms:
            await self._call("PATCH", f"/api/leads/{row['id']}/", json=terms)
        answer = await self._call("PATCH", f"/api/leads/{row['id']}/", json={"status": "converted"})
        result: Record = {"lead_id": row["id"], "lead": full_name(row.get("first_name"), row.get("last_name")),
                          "already_converted": False}
        for kind, key in (("account", "account_id"), ("contact", "contact_id"), ("opportunity", "opportunity_id")):
            record_id = answer.get(key)
            result[kind] = await self._converted_record(kind, str(record_id)) if record_id else None
        return result

    async def _converted_record(self, kind: str, record_id: str) -> Record:
        row = await self._record(kind, record_id)
        if kind == "account":
            return records.account(row)
        if kind == "contact":
            return records.contact(row, tag_lookup=await self._tag_lookup())
        return records.opportunity(row)

    async def _converted(self, row: Record | None, email: str) -> Record:
        contacts = [c for c in await self._list("contact", {"email": email})
                    if str(c.get("email") or "").casefold() == email.casefold()]
        if not contacts:
            raise NotFound(SYSTEM, f"no open lead {email!r} and no contact it was converted into", field="lead")
        contact = records.contact(contacts[0], tag_lookup=await self._tag_lookup())
        account = await self._converted_record("account", str(contact["account_id"])) if contact["account_id"] else None
        deals = [records.opportunity(d) for d in await self._list("opportunity", {"account": account["id"]})] if account else []
        return {"lead_id": row["id"] if row else None, "lead": contact["name"], "already_converted": True,
                "account": account, "contact": contact, "opportunity": deals[0] if deals else None}
