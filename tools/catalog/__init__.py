"""Declarations of the catalog tools (shared/catalog/tools.md), one module per system."""

from __future__ import annotations

import importlib

from tools.spec import ToolSpec

# Each module exposes TOOLS: list[ToolSpec].
SYSTEM_MODULES = ("saleor", "wagtail", "crm", "superset", "telegram", "scheduler", "gamification", "internal")


def all_tools() -> list[ToolSpec]:
    specs: list[ToolSpec] = []
    for name in SYSTEM_MODULES:
        try:
            module = importlib.import_module(f"tools.catalog.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"tools.catalog.{name}":
                raise
            continue
        specs.extend(module.TOOLS)
    return specs
