"""The HTML report: one self-contained page, a bar chart (inline SVG) per score and per domain, the
scores per split, and the reliability chart of the gate's confidence.

No external scripts, fonts or style sheets: the page opens from a file, offline.
"""

from __future__ import annotations

from html import escape
from typing import Any

from evals.reliability_chart import reliability_section
from evals.report_cells import counted, score_label

BAR_WIDTH = 360
ROW = 22
LABEL = 200

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; max-width: 1100px; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; } h3 { font-size: 1em; margin: 1.2em 0 .3em; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5em; }
.chart { border: 1px solid #ddd; border-radius: 6px; padding: .5em 1em; }
table { border-collapse: collapse; margin: .5em 0; }
td, th { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } .num { text-align: right; } .meta { color: #666; }
"""


def _colour(rate: float) -> str:
    if rate >= 0.9:
        return "#2e7d32"
    if rate >= 0.7:
        return "#f9a825"
    return "#c62828"


def bar_chart(title: str, rows: list[tuple[str, dict[str, Any]]]) -> str:
    """Horizontal bars, one per row that has judged cases, labelled with passed/total and rate."""
    rows = [(label, cell) for label, cell in rows if cell["total"]]
    height = ROW * len(rows) + 10
    width = LABEL + BAR_WIDTH + 130
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}">']
    for n, (label, cell) in enumerate(rows):
        y = 5 + n * ROW
        rate = float(cell["rate"])
        good = 1 - rate if cell.get("lower_is_better") else rate
        parts.append(f'<text x="{LABEL - 6}" y="{y + 14}" text-anchor="end" font-size="12">{escape(label)}</text>')
        parts.append(f'<rect x="{LABEL}" y="{y + 2}" width="{BAR_WIDTH}" height="{ROW - 6}" fill="#eee"/>')
        parts.append(f'<rect x="{LABEL}" y="{y + 2}" width="{rate * BAR_WIDTH:.1f}" height="{ROW - 6}" '
                     f'fill="{_colour(good)}"><title>{escape(label)}: {rate:.1%}</title></rect>')
        parts.append(f'<text x="{LABEL + BAR_WIDTH + 6}" y="{y + 14}" font-size="12">'
                     f'{rate:.1%} ({counted(cell)})</text>')
    parts.append("</svg>")
    return "".join(parts)


def _chart(title: str, rows: list[tuple[str, dict[str, Any]]]) -> str:
    return f'<div class="chart"><h3>{escape(title)}</h3>{bar_chart(title, rows)}</div>'


def _split_table(report: dict[str, Any], judged: list[str]) -> str:
    """Scores per split (dev: tuned against; test: frozen), one row per split."""
    splits: dict[str, dict[str, Any]] = report.get("by_split") or {}
    if not splits:
        return ""
    head = "".join(f"<th>{escape(n)}</th>" for n in judged)
    rows = "".join(
        f"<tr><td>{escape(split)}</td><td class=num>{report['split_cases'][split]}</td>"
        + "".join(f'<td class="num">{_cell(cells[n])}</td>' for n in judged) + "</tr>"
        for split, cells in splits.items()
    )
    return f"<h2>Per split</h2><table><tr><th>split</th><th>cases</th>{head}</tr>{rows}</table>"


def _cell(cell: dict[str, Any]) -> str:
    return f"{cell['rate']:.1%} ({counted(cell)})" if cell["total"] else "-"


def page(report: dict[str, Any]) -> str:
    scores: dict[str, Any] = report["scores"]
    domains: dict[str, dict[str, Any]] = report["domains"]
    judged = [name for name, cell in scores.items() if cell["total"]]
    per_score = [
        _chart(name, [("all cases", scores[name]), *((d, cells[name]) for d, cells in domains.items())])
        for name in judged
    ]
    per_domain = [_chart(domain, [(n, cells[n]) for n in judged]) for domain, cells in domains.items()]
    summary = "".join(
        f'<tr><td>{escape(score_label(n, scores[n]))}</td><td class="num">{counted(scores[n])}</td>'
        f'<td class="num">{scores[n]["rate"]:.1%}</td></tr>' for n in judged
    )
    splits = _split_table(report, judged)
    worst = "".join(
        f"<tr><td>{escape(w['key'])}<br><span class=meta>{escape(w['request'])}</span></td>"
        f"<td>{escape(', '.join(w['failed']))}</td><td>{escape(w['expected'])}</td><td>{escape(w['happened'])}</td>"
        f"<td>{'<br>'.join(escape(why) for why in w['why'].values())}</td></tr>"
        for w in report["worst"]
    )
    suites = ", ".join(report["suites"])
    meta = (f"{report['cases_total']} cases from {escape(suites)}; mode {escape(report['mode'])}; "
            f"{report['workers']} worker(s); repeat {report['repeat']}; {report['seconds']} s")
    if report.get("policy"):
        meta += f"; policy {escape(str(report['policy']))}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Brain eval report</title><style>{STYLE}</style></head>
<body>
<h1>Brain eval report</h1>
<p class="meta">{meta}</p>
<table><tr><th>score</th><th>counted/total</th><th>rate</th></tr>{summary}</table>
{splits}
{reliability_section(report.get("calibration"))}
<h2>Per score</h2>
<div class="charts">{''.join(per_score)}</div>
<h2>Per domain</h2>
<div class="charts">{''.join(per_domain)}</div>
<h2>Worst cases</h2>
<table><tr><th>case</th><th>failed</th><th>expected</th><th>what happened</th><th>why</th></tr>{worst}</table>
</body></html>
"""
