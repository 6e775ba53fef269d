"""The kinds of memory: the catalog's (shared/catalog/tools.md, memory.write) plus the runtime's own.

Kept equal to the CHECK constraint and to memory_kind_is_personal() in 003_memory.sql.
"""

from __future__ import annotations

from memory.errors import InvalidMemory

# What memory.write accepts (the catalog), in its order.
CATALOG_KINDS = (
    "fact", "brand_voice", "icp", "policy", "service_package", "decision", "campaign_brief", "keyword_plan",
    "supplier_note", "test_result", "expense", "health_log", "medication", "family_contact", "check_in",
    "personal_note",
)
# Written by the runtime: a summary of each finished run, and chunks of texts an agent was given.
RUNTIME_KINDS = ("episode", "document")
KINDS = frozenset(CATALOG_KINDS + RUNTIME_KINDS)

# Visible only to the user they belong to (enforced by the row-level security policy).
PERSONAL_KINDS = frozenset({"expense", "health_log", "medication", "family_contact", "check_in", "personal_note"})


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        known = ", ".join(CATALOG_KINDS + RUNTIME_KINDS)
        raise InvalidMemory(f"unknown memory kind {kind!r}; the kinds are: {known}")
    return kind


def is_personal(kind: str) -> bool:
    return kind in PERSONAL_KINDS
