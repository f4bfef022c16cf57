"""Building blocks for self-contained HTML pages: Plotly's script inlined once."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1100px;color:#1f2933;line-height:1.45;padding:0 1rem}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #d9e2ec}
table{border-collapse:collapse;margin:.6rem 0}td,th{border:1px solid #d9e2ec;padding:.25rem .6rem;
text-align:left}th{background:#f0f4f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#627d98}.note{background:#f0f4f8;padding:.6rem 1rem;border-radius:6px}
"""


def figure_html(fig: go.Figure, div_id: str) -> str:
    """A figure as an HTML fragment (Plotly's script is added once by :func:`page`)."""
    return pio.to_html(fig, include_plotlyjs=False, full_html=False, div_id=div_id)


def table_html(rows: Iterable[Iterable[object]], header: Iterable[str]) -> str:
    """A small HTML table; values are escaped."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(v: object) -> str:
    numeric = isinstance(v, int | float) and not isinstance(v, bool)
    return f"<td{' class=num' if numeric else ''}>{html.escape(_fmt(v))}</td>"


def _fmt(v: object) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return "n/a"
        return f"{v:.3g}"
    return str(v)


def section(section_id: str, title: str, body: str) -> str:
    """A titled section with a stable id."""
    return f'<section id="{section_id}"><h2>{html.escape(title)}</h2>{body}</section>'


def page(title: str, subtitle: str, sections: Iterable[str]) -> str:
    """A whole self-contained page: CSS and Plotly's JavaScript inlined."""
    plotly_js = f'<script type="text/javascript">{get_plotlyjs()}</script>'
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{CSS}</style>{plotly_js}</head><body>"
        f"<h1>{html.escape(title)}</h1><p class='muted'>{html.escape(subtitle)}</p>"
        + "".join(sections)
        + "</body></html>"
    )
