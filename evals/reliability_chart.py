"""The reliability chart of the HTML report (inline SVG, no scripts): per confidence bin, the share of
judged calls that were right (a bar) against the bin's mean confidence (a dot); a calibrated gate
keeps the bars on the diagonal. Bars are labelled with their number of calls.
"""

from __future__ import annotations

from html import escape
from typing import Any

from evals.report_cells import ece_text

SIZE = 300  # the plot's side in pixels
MARGIN = 40


def _x(value: float) -> float:
    return MARGIN + value * SIZE


def _y(value: float) -> float:
    return MARGIN + (1 - value) * SIZE


def reliability_svg(cal: dict[str, Any], title: str) -> str:
    """One chart for one reliability table (`evals.calibration.reliability`)."""
    width = height = SIZE + 2 * MARGIN
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 10}" role="img" '
             f'aria-label="{escape(title)}">',
             f'<rect x="{MARGIN}" y="{MARGIN}" width="{SIZE}" height="{SIZE}" fill="#fafafa" stroke="#ccc"/>',
             f'<line x1="{_x(0)}" y1="{_y(0)}" x2="{_x(1)}" y2="{_y(1)}" stroke="#999" stroke-dasharray="4 3"/>']
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f'<text x="{_x(tick):.0f}" y="{MARGIN + SIZE + 14}" text-anchor="middle" font-size="10">{tick:g}</text>')
        parts.append(f'<text x="{MARGIN - 4}" y="{_y(tick) + 3:.0f}" text-anchor="end" font-size="10">{tick:g}</text>')
    parts.append(f'<text x="{_x(0.5)}" y="{MARGIN + SIZE + 30}" text-anchor="middle" font-size="11">confidence</text>')
    parts.append(f'<text x="12" y="{_y(0.5)}" text-anchor="middle" font-size="11" '
                 f'transform="rotate(-90 12 {_y(0.5)})">share right</text>')
    for row in cal["bins"]:
        if not row["calls"]:
            continue
        low, high, accuracy, confidence = row["low"], row["high"], row["accuracy"], row["confidence"]
        tip = (f"{low:g}-{high:g}: {row['calls']} calls, mean confidence {confidence:.2f}, "
               f"{accuracy:.0%} right")
        parts.append(f'<rect x="{_x(low) + 1:.1f}" y="{_y(accuracy):.1f}" width="{(high - low) * SIZE - 2:.1f}" '
                     f'height="{accuracy * SIZE:.1f}" fill="#64b5f6"><title>{escape(tip)}</title></rect>')
        parts.append(f'<circle cx="{_x(confidence):.1f}" cy="{_y(confidence):.1f}" r="3" fill="#c62828"/>')
        parts.append(f'<text x="{_x((low + high) / 2):.1f}" y="{_y(accuracy) - 3:.1f}" text-anchor="middle" '
                     f'font-size="9">{row["calls"]}</text>')
    parts.append(f'<text x="{MARGIN}" y="{MARGIN - 10}" font-size="12">{escape(title)}: ECE {ece_text(cal)} '
                 f'over {cal["calls"]} calls</text>')
    parts.append("</svg>")
    return "".join(parts)


def reliability_section(cal: dict[str, Any] | None) -> str:
    """The section of the page: one chart for the run and one per split."""
    if not cal:
        return ""
    charts = [("all judged calls", cal), *((f"split {s}", c) for s, c in (cal.get("by_split") or {}).items())]
    body = "".join(f'<div class="chart">{reliability_svg(c, t)}</div>' for t, c in charts if c["calls"])
    note = ("<p class=meta>Per planned call, the confidence the gate decided on (min of route and plan) against "
            "whether the call was one the case expected; bars: share right per bin, dots: mean confidence, "
            "dashed: perfect calibration. Reads on the way to an expected write are not judged.</p>")
    return f"<h2>Calibration</h2>{note}<div class=\"charts\">{body or '<p>no judged calls</p>'}</div>"
