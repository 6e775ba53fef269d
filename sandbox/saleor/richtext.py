"""EditorJS rich text, as Saleor stores descriptions, to and from plain text."""

from __future__ import annotations

import html
import json
import re
from typing import Any

_TAG = re.compile(r"<[^>]+>")


def from_text(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return {"blocks": [{"type": "paragraph", "data": {"text": html.escape(p, quote=False)}} for p in paragraphs]}


def to_text(value: dict[str, Any] | None) -> str | None:
    if not value:
        return None
    parts: list[str] = []
    for block in value.get("blocks") or []:
        data = block.get("data") or {}
        raw_items = data.get("items")
        items: list[Any] = raw_items if isinstance(raw_items, list) else [data.get("text")]
        parts.extend(html.unescape(_TAG.sub("", str(item))).strip() for item in items if item is not None)
    text = "\n\n".join(p for p in parts if p)
    return text or None


def parse_input(value: Any) -> dict[str, Any] | None:
    """A JSONString argument (Saleor parses it with json.loads) as a dict; ValueError if it is not one."""
    if value is None:
        return None
    data = json.loads(value) if isinstance(value, str) else value
    if not isinstance(data, dict):
        raise ValueError("expected an EditorJS object")
    return data


def serialize(value: dict[str, Any] | None) -> str | None:
    return json.dumps(value) if value is not None else None
