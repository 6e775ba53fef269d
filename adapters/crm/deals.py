"""Opportunities (deals): search, create-if-absent on an account, update.

A deal's stage is one of its pipeline's stages (`/api/opportunities/pipelines/`), named by
label or code; moving it to a won or lost stage closes it. New deals go into the default
pipeline. A lost reason is saved as a note on the deal.
"""

from __future__ import annotations

from typing import Any

from adapters.crm import records
from adapters.crm.base import MAX_LISTED
from adapters.crm.failures import SYSTEM
from adapters.crm.leads import iso, money
from adapters.crm.people import PeopleOps
from adapters.crm.records import Record
from adapters.errors import InvalidRequest, NotFound


class DealOps(PeopleOps):
    async def _pipeline(self, pipeline_id: str | None = None) -> Record:
        pipelines = await self._deal_pipeline_list()
        if not pipelines:
            raise NotFound(SYSTEM, "the CRM has no deal pipeline; create one first", field="stage")
        for pipeline in pipelines:
            if pipeline_id and str(pipeline["id"]) == pipeline_id:
                return pipeline
        return next((p for p in pipelines if p.get("is_default")), pipelines[0])

    @staticmethod
    def _stage(pipeline: Record, stage: str) -> Record:
        wanted = stage.strip().casefold()
        stages = pipeline.get("stages") or []
        for item in stages:
            if wanted in (str(item.get("label")).casefold(), str(item.get("code")).casefold()):
                return dict(item)
        for item in stages:  # "won" / "lost" name the pipeline's closing stage of that kind
            if wanted == str(item.get("kind")).casefold() and wanted != "open":
                return dict(item)
        names = ", ".join(str(item.get("label")) for item in stages)
        raise InvalidRequest(SYSTEM, f"no stage {stage!r} in pipeline {pipeline.get('name')!r} (stages: {names})",
                             field="stage")

    async def opportunity_search(
        self, query: str | None = None, account: str | None = None, owner: str | None = None,
        stage: str | None = None, status: str | None = None, close_before: Any = None, close_after: Any = None,
        stalled: bool | None = None, limit: int | None = None,
    ) -> list[Record]:
        """Deals with stage, amount, close date, probability, owner, days in stage and next activity.

        `stalled` reads the CRM's own aging status (`aging_status` "stalled"/"overdue" past the
        stage's expected days).
        """
        params: Record = {"name": query}
        if account:
            params["account"] = await self._account_id(account)
        owner_email = None
        if owner:
            profile = await self._profile_id(owner)
            owner_email = next(str((u.get("user_details") or {}).get("email")) for u in await self._users()
                               if str(u["id"]) == profile)
        before, after = iso(close_before), iso(close_after)
        filtered = any(v is not None for v in (owner, stage, status, close_before, close_after, stalled))
        results = []
        for row in await self._list("opportunity", params, cap=MAX_LISTED if filtered else limit or 20):
            item = records.opportunity(row)
            if stage and stage.casefold() not in (str(item["stage"]).casefold(), str(item["stage_code"]).casefold()):
                continue
            if status and item["status"] != status:
                continue
            if owner_email and owner_email not in records.emails(row.get("assigned_to")):
                continue
            if before and not (item["close_date"] and item["close_date"] <= before):
                continue
            if after and not (item["close_date"] and item["close_date"] >= after):
                continue
            if stalled is not None and (item["aging_status"] in ("stalled", "overdue")) != stalled:
                continue
            results.append(item)
        return results[: limit or 20]

    async def opportunity_create(
        self, account: str, name: str, close_date: Any, amount: Any = None, stage: str | None = None,
        probability: int | None = None, type: str | None = None, owner: str | None = None,
    ) -> Record:
        """Open a deal on an account, unless an open deal with this name is already on it."""
        account_id = await self._account_id(account)
        for row in await self._list("opportunity", {"account": account_id, "name": name}):
            if str(row.get("name")).casefold() == name.casefold() and row.get("stage_kind") in (None, "open"):
                return {**records.opportunity(row), "existing": True}
        pipeline = await self._pipeline()
        first_open = next((s for s in pipeline.get("stages") or [] if s.get("kind") == "open"), None)
        chosen = self._stage(pipeline, stage) if stage else first_open
        payload: Record = {
            "name": name, "account": account_id, "pipeline": str(pipeline["id"]), "closed_on": iso(close_date),
            "amount": money(amount), "probability": probability, "opportunity_type": type,
            "assigned_to": [await self._profile_id(owner)] if owner else [], "contacts": [], "teams": [],
        }
        if chosen is not None:
            payload["stage"] = str(chosen["code"])
        created = await self._call("POST", "/api/opportunities/", json={k: v for k, v in payload.items() if v is not None})
        return {**records.opportunity(await self._record("opportunity", str(created["id"]))), "existing": False}

    async def opportunity_update(
        self, opportunity: str, stage: str | None = None, amount: Any = None, close_date: Any = None,
        probability: int | None = None, lost_reason: str | None = None,
    ) -> Record:
        """Change stage, amount, close date or probability; a lost reason is saved as a note."""
        row = await self._find("opportunity", opportunity, field="opportunity", open_only=True)
        patch: Record = {"amount": money(amount), "closed_on": iso(close_date), "probability": probability}
        if stage is not None:
            pipeline = await self._pipeline(str(row.get("pipeline") or "") or None)
            patch["stage"] = str(self._stage(pipeline, stage)["code"])
        patch = {k: v for k, v in patch.items() if v is not None and row.get(k) != v}
        if patch:
            await self._call("PATCH", f"/api/opportunities/{row['id']}/", json=patch)
        if lost_reason:
            notes = (await self._detail("opportunity", str(row["id"]))).get("comments") or []
            if not any(n.get("comment") == lost_reason for n in notes):
                await self._comment("opportunity", str(row["id"]), lost_reason)
        return records.opportunity(await self._record("opportunity", str(row["id"])))
