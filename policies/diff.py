"""What changed between two policy documents, as a list of (path, old, new)."""

from __future__ import annotations

from typing import Any


def diff(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[dict[str, Any]] = []
        for key in sorted(set(old) | set(new), key=str):
            changes.extend(diff(old.get(key), new.get(key), f"{path}.{key}" if path else str(key)))
        return changes
    if isinstance(old, list) and isinstance(new, list) and all(isinstance(x, dict) and "id" in x for x in [*old, *new]):
        by_old = {x["id"]: x for x in old}
        by_new = {x["id"]: x for x in new}
        changes = []
        for key in sorted(set(by_old) | set(by_new)):
            changes.extend(diff(by_old.get(key), by_new.get(key), f"{path}[{key}]"))
        return changes
    if old != new:
        return [{"path": path, "old": old, "new": new}]
    return []
