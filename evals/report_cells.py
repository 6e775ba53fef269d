"""How one cell of a score table reads, shared by the terminal tables and the HTML page."""

from __future__ import annotations

from typing import Any


def counted(cell: dict[str, Any]) -> str:
    """passed/total, or failed/total for a score whose lower rate is better (wrong_write)."""
    return f"{cell['failed' if cell.get('lower_is_better') else 'passed']}/{cell['total']}"


def score_label(name: str, cell: dict[str, Any]) -> str:
    return f"{name} (lower is better)" if cell.get("lower_is_better") else name


def ece_text(cal: dict[str, Any]) -> str:
    return "-" if cal.get("ece") is None else f"{cal['ece']:.3f}"
