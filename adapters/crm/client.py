"""CrmClient: the async client behind the `crm.*` tools."""

from __future__ import annotations

from adapters.crm.maintenance import MaintenanceOps


class CrmClient(MaintenanceOps):
    """Async client for one django-crm 1.35 (BottleCRM) server (its root URL).

    Authenticates with a personal access token bound to an organisation
    (`Authorization: Bearer bcrm_pat_...`). Leads, contacts, accounts, deals (opportunities)
    and tasks are named by ID, email (leads, contacts), name or title; notes are the records'
    comments. Writes are idempotent as the tool catalog says: creates search first and return
    what exists. Every method returns JSON-able values and raises `adapters.errors` types with
    system "crm"; a field the CRM rejects is named with the tools' argument name.
    """


__all__ = ["CrmClient"]
