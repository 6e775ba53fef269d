"""Contacts (keyed by email) and accounts (keyed by website domain, else name)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.crm import records
from adapters.crm.base import MAX_LISTED
from adapters.crm.leads import LeadOps
from adapters.crm.records import Record

ACCOUNT_FIELDS = {"email", "phone", "website", "industry", "number_of_employees", "annual_revenue", "currency",
                  "address_line", "city", "state", "postcode", "country", "description", "is_active"}
CONTACT_FIELDS = {"first_name", "last_name", "phone", "source", "organization", "title", "department",
                  "do_not_call", "linkedin_url", "address_line", "city", "state", "postcode", "country",
                  "description", "is_active"}


def _split(fields: dict[str, Any] | None, native: set[str]) -> tuple[Record, Record]:
    """(record fields, custom fields) of a `fields` argument."""
    own = {k: v for k, v in (fields or {}).items() if k in native}
    custom = {k: v for k, v in (fields or {}).items() if k not in native}
    return own, custom


def _names_from(email: str) -> tuple[str, str]:
    """First and last name guessed from an email's local part (the CRM requires both, non-blank)."""
    parts = [p for p in re.split(r"[._+-]+", email.split("@")[0]) if p]
    first = parts[0].title() if parts else email
    return first, " ".join(p.title() for p in parts[1:]) or "(unknown)"


def _website(value: str | None) -> str | None:
    if value is None or "://" in value:
        return value
    return f"https://{value}"


class PeopleOps(LeadOps):
    # --- contacts ------------------------------------------------------------------------------

    async def _contact_result(self, row: Record) -> Record:
        return records.contact(row, tag_lookup=await self._tag_lookup())

    async def contact_search(self, query: str | None = None, email: str | None = None, account: str | None = None,
                             title: str | None = None, limit: int | None = None) -> list[Record]:
        """Contacts with account, title, email, phone and owner."""
        account_id = await self._account_id(account) if account else None
        results = []
        for row in await self._list("contact", {"search": query, "email": email}):
            if email and str(row.get("email") or "").casefold() != email.casefold():
                continue
            linked = {str(row.get("account"))} | {str(a.get("id")) for a in row.get("linked_accounts") or []}
            if account_id and account_id not in linked:
                continue
            if title and title.casefold() not in str(row.get("title") or "").casefold():
                continue
            results.append(await self._contact_result(row))
        return results[: limit or 20]

    async def contact_upsert(
        self, email: str, first_name: str | None = None, last_name: str | None = None, phone: str | None = None,
        title: str | None = None, department: str | None = None, account: str | None = None,
        do_not_call: bool | None = None, tags: list[str] | None = None, fields: dict[str, Any] | None = None,
    ) -> Record:
        """Create the contact with this email, or update the one that has it (tags are added).

        The CRM requires a first and last name: a new contact without them gets names guessed
        from the email (`jo.brennan@` -> Jo Brennan; `(unknown)` for a missing last name).
        """
        own, custom = _split(fields, CONTACT_FIELDS)
        await self._check_custom_fields("Contact", custom)
        values: Record = {**own, "first_name": first_name, "last_name": last_name, "phone": phone, "title": title,
                          "department": department, "do_not_call": do_not_call}
        values = {k: v for k, v in values.items() if v is not None}
        if account:
            values["account"] = await self._account_id(account)
        rows = [r for r in await self._list("contact", {"email": email})
                if str(r.get("email") or "").casefold() == email.casefold()]
        if rows:
            row = rows[0]
            if tags:
                values["tags"] = list(dict.fromkeys([str(t) for t in row.get("tags") or []] + await self._tag_ids(tags)))
            if custom:
                values["custom_fields"] = {**(row.get("custom_fields") or {}), **custom}
            changed = {k: v for k, v in values.items() if row.get(k) != v}
            if changed:
                await self._call("PATCH", f"/api/contacts/{row['id']}/", json=changed)
            return {**await self._contact_result(await self._record("contact", str(row["id"]))), "created": False}
        guess_first, guess_last = _names_from(email)
        payload: Record = {"first_name": guess_first, "last_name": guess_last, "email": email,
                           "assigned_to": [], "teams": [], **values}
        if tags:
            payload["tags"] = await self._tag_ids(tags)
        if custom:
            payload["custom_fields"] = custom
        created = await self._call("POST", "/api/contacts/", json=payload)
        return {**await self._contact_result(await self._record("contact", str(created["id"]))), "created": True}

    # --- accounts ------------------------------------------------------------------------------

    async def account_search(self, query: str | None = None, tag: str | None = None, industry: str | None = None,
                             owner: str | None = None, inactive_days: int | None = None,
                             limit: int | None = None) -> list[Record]:
        """Accounts with industry, owner, tags and open deal value; `inactive_days` reads each one's
        notes and tasks to find its last activity."""
        params: Record = {"name": query}
        if tag:
            tag_id = (await self._tag_table()).get(tag.strip().casefold())
            if tag_id is None:
                return []
            params["tags"] = tag_id
        owner_email = None
        if owner:
            profile = await self._profile_id(owner)
            owner_email = next(str((u.get("user_details") or {}).get("email")) for u in await self._users()
                               if str(u["id"]) == profile)
        results = []
        for row in await self._list("account", params):
            item = records.account(row)
            if industry and str(item["industry"] or "").casefold() != industry.casefold():
                continue
            if owner_email and owner_email not in records.emails(row.get("assigned_to")):
                continue
            if inactive_days is not None:
                item["last_activity"] = await self._last_activity(str(row["id"]), row.get("created_at"))
                cutoff = (datetime.now(UTC) - timedelta(days=inactive_days)).isoformat()
                if item["last_activity"] and item["last_activity"] >= cutoff:
                    continue
            results.append(item)
        return results[: limit or 20]

    async def _last_activity(self, account_id: str, created_at: Any) -> str | None:
        detail = await self._detail("account", account_id)
        stamps = [str(c.get("commented_on")) for c in detail.get("comments") or [] if c.get("commented_on")]
        stamps += [str(d.get("created_at")) for d in detail.get("opportunity_list") or [] if d.get("created_at")]
        if created_at:
            stamps.append(str(created_at))
        return max(stamps) if stamps else None

    async def _account_like(self, name: str, website: str | None) -> Record | None:
        domain = records.domain_of(website)
        if domain:
            for row in await self._list("account", cap=MAX_LISTED):
                if records.domain_of(row.get("website")) == domain:
                    return row
        for row in await self._list("account", {"name": name}):
            if str(row.get("name") or "").casefold() == name.strip().casefold():
                return row
        return None

    async def account_upsert(
        self, name: str, website: str | None = None, email: str | None = None, phone: str | None = None,
        industry: str | None = None, employees: int | None = None, city: str | None = None,
        country: str | None = None, owner: str | None = None, add_tags: list[str] | None = None,
        remove_tags: list[str] | None = None, fields: dict[str, Any] | None = None,
    ) -> Record:
        """Create or update the account with this website domain, else this name."""
        own, custom = _split(fields, ACCOUNT_FIELDS)
        await self._check_custom_fields("Account", custom)
        values: Record = {**own, "name": name, "website": _website(website), "email": email, "phone": phone,
                          "industry": industry.upper() if industry else None, "number_of_employees": employees,
                          "city": city, "country": country.upper() if country and len(country) == 2 else country}
        values = {k: v for k, v in values.items() if v is not None}
        if owner:
            values["assigned_to"] = [await self._profile_id(owner)]
        row = await self._account_like(name, website)
        if row is None:
            values["tags"] = await self._tag_ids(add_tags or [])
            if custom:
                values["custom_fields"] = custom
            created = await self._call("POST", "/api/accounts/", json={"contacts": [], "teams": [], **values})
            return {**records.account(await self._record("account", str(created["id"]))), "created": True}
        current_tags = {str(t["name"]).casefold(): str(t["id"]) for t in row.get("tags") or []}
        if add_tags or remove_tags:
            dropped = {t.casefold() for t in remove_tags or []}
            kept = [tag_id for tag_name, tag_id in current_tags.items() if tag_name not in dropped]
            values["tags"] = list(dict.fromkeys(kept + await self._tag_ids(add_tags or [])))
        if custom:
            values["custom_fields"] = {**(row.get("custom_fields") or {}), **custom}
        changed = {k: v for k, v in values.items() if k == "tags" or row.get(k) != v}
        if "assigned_to" in changed and records.emails(row.get("assigned_to")):
            current_ids = [str(p.get("id")) for p in row.get("assigned_to") or []]
            if current_ids == changed["assigned_to"]:
                del changed["assigned_to"]
        if changed.get("tags") == list(current_tags.values()):
            del changed["tags"]
        if changed:
            await self._call("PATCH", f"/api/accounts/{row['id']}/", json=changed)
        return {**records.account(await self._record("account", str(row["id"]))), "created": False}

    async def _account_id(self, ref: str, *, field: str = "account") -> str:
        return str((await self._find("account", ref, field=field))["id"])
