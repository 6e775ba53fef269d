"""Rich text as the sandbox keeps it (Markdown) and as Wagtail answers it (database HTML).

Only the subset the demo content uses: paragraphs, `#`-`####` headings, `-`/`*` lists,
**bold**, *italic* and [links](url). Good enough to round-trip the tools' Markdown bodies.
"""

from __future__ import annotations

import html
import re
from typing import Any

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?!\*)")
_TAG = re.compile(r"<[^>]+>")
_BULLET = re.compile(r"^[-*]\s+")
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|ul|ol)>", re.IGNORECASE)


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    out = _LINK.sub(lambda m: f'<a href="{html.escape(m.group(2))}">{m.group(1)}</a>', out)
    out = _BOLD.sub(r"<b>\1</b>", out)
    return _ITALIC.sub(r"<i>\1</i>", out)


def to_html(markdown: str | None) -> str:
    """Markdown to Wagtail-style database HTML."""
    if not markdown:
        return ""
    blocks: list[str] = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        lines = [line.rstrip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        heading = re.match(r"^(#{1,4})\s+(.*)$", lines[0])
        if heading and len(lines) == 1:
            level = max(2, len(heading.group(1)))
            blocks.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif all(_BULLET.match(line) for line in lines):
            items = "".join(f"<li>{_inline(_BULLET.sub('', line))}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        else:
            blocks.append(f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>")
    return "".join(blocks)


def from_input(value: Any) -> str:
    """A written rich-text value as Markdown: the `{format, content}` envelope or database HTML."""
    if isinstance(value, dict):
        content = str(value.get("content") or "")
        return content if value.get("format") == "db_markdown" else from_html(content)
    return from_html(str(value or ""))


def from_html(text: str) -> str:
    if "<" not in text:
        return text
    spaced = _BLOCK_END.sub(lambda m: "\n\n", text)
    return html.unescape(_TAG.sub("", spaced)).strip()


def render(markdown: str | None, rich_text_format: str | None) -> str:
    """A stored body in the requested v3 output format (db_html when none is asked for)."""
    if rich_text_format in ("db_markdown", "markdown"):
        return markdown or ""
    return to_html(markdown)
