"""Building blocks for self-contained HTML pages: one style, Plotly's script inlined once.

The run report and the sweep report are both made of these and of nothing else: a page
with the project's style and Plotly's JavaScript inlined (:func:`document`), sections,
plain and collapsible (:func:`section`, :func:`collapsible`) with a table of contents
(:func:`contents`), headings, paragraphs and alerts, tables of rows, of a DataFrame or of
names and values (:func:`table`, :func:`frame_table`, :func:`key_values`, all through
:func:`value_cell`), and figures (:func:`figure_html`).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
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
.alert{color:#8a4b00;background:#fff6e5;border-left:4px solid #f0a020;padding:.3rem .7rem;
margin:.4rem 0}.na{color:#52606d;font-style:italic}
details>summary{cursor:pointer;list-style:none}details>summary::-webkit-details-marker{display:none}
details>summary h2{display:inline-block;margin:.6rem 0 .2rem 0;border:0;font-size:1.15rem}
details>summary h2::before{content:"\\25B8  ";color:#627d98}
details[open]>summary h2::before{content:"\\25BE  "}
section.fold{border-bottom:1px solid #d9e2ec}
nav.contents{columns:3;font-size:.9rem;margin:.4rem 0 1rem 0}nav.contents a{display:block}
.card{border:1px solid #d9e2ec;border-radius:6px;padding:.2rem 1rem .5rem 1rem;margin:.8rem 0}
.card h3{margin:.5rem 0 .2rem 0}table.compact td,table.compact th{padding:.15rem .5rem;
font-size:.92rem}td.no{color:#9aa5b1}pre{background:#f0f4f8;padding:.6rem;overflow-x:auto;
font-size:.85em}
"""
#: Opens a collapsed section when its link is followed, and redraws its figures when shown.
COLLAPSIBLE_JS = """
function openTarget(){var id=decodeURIComponent(location.hash.slice(1));if(!id)return;
var el=document.getElementById(id);if(!el)return;
var d=el.closest('details')||el.querySelector('details');
if(d){d.open=true;el.scrollIntoView();}}
window.addEventListener('hashchange',openTarget);
document.addEventListener('DOMContentLoaded',function(){openTarget();
document.querySelectorAll('details').forEach(function(d){d.addEventListener('toggle',function(){
if(d.open&&window.Plotly){d.querySelectorAll('.js-plotly-plot').forEach(function(p){
Plotly.Plots.resize(p);});}});});});
"""
FIGURE_CONFIG = {"displaylogo": False, "responsive": True}


def figure_html(fig: go.Figure, div_id: str) -> str:
    """A figure as an HTML fragment (Plotly's script is added once by :func:`document`)."""
    return pio.to_html(
        fig, include_plotlyjs=False, full_html=False, div_id=div_id, config=FIGURE_CONFIG
    )


def esc(value: Any) -> str:
    """Text escaped for HTML (quotes too)."""
    return html.escape(str(value), quote=True)


def document(title: str, header: str, body: Iterable[str]) -> str:
    """A whole self-contained page: the style and Plotly's JavaScript inlined.

    Args:
        title: The page title (escaped).
        header: HTML under the title (already escaped), e.g. a :func:`paragraph`.
        body: HTML parts: sections, contents.
    """
    scripts = (
        f'<script type="text/javascript">{get_plotlyjs()}</script>'
        f'<script type="text/javascript">{COLLAPSIBLE_JS}</script>'
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{esc(title)}</title><style>{CSS}</style>{scripts}"
        f"</head><body><h1>{esc(title)}</h1>{header}" + "".join(body) + "</body></html>\n"
    )


def section(section_id: str, title: str, body: str) -> str:
    """A titled section with a stable id."""
    return f'<section id="{section_id}"><h2>{esc(title)}</h2>{body}</section>'


def collapsible(section_id: str, title: str, body: str, *, opened: bool = False) -> str:
    """A section whose body folds away under its title (closed unless ``opened``)."""
    state = " open" if opened else ""
    return (
        f'<section id="{section_id}" class="fold"><details{state}><summary>'
        f"<h2>{esc(title)}</h2></summary>{body}</details></section>"
    )


def contents(items: Sequence[tuple[str, str]]) -> str:
    """A table of contents: links to ``(section id, title)``."""
    links = "".join(f'<a href="#{sid}">{esc(title)}</a>' for sid, title in items)
    return f'<nav class="contents" id="contents">{links}</nav>'


def subheading(text: str) -> str:
    """A heading inside a section."""
    return f"<h3>{esc(text)}</h3>"


def paragraph(text: str, css_class: str | None = None) -> str:
    """A paragraph of escaped text."""
    klass = f' class="{css_class}"' if css_class else ""
    return f"<p{klass}>{esc(text)}</p>"


def alerts(texts: Iterable[str]) -> str:
    """Notes that need attention, one box each."""
    return "".join(f'<div class="alert">{esc(t)}</div>' for t in texts)


def value_cell(value: Any) -> str:
    """A table cell for one value: numbers right-aligned, NaN as n/a, booleans in words."""
    if value is None or value is pd.NA or (isinstance(value, float) and not np.isfinite(value)):
        return '<td class="num">n/a</td>'
    if isinstance(value, bool | np.bool_):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, int | np.integer):
        return f'<td class="num">{int(value):,}</td>'
    if isinstance(value, float | np.floating):
        value = float(value)
        text = f"{value:.3g}" if abs(value) < 1e4 else f"{value:,.0f}"
        return f'<td class="num">{text}</td>'
    return f"<td>{esc(value)}</td>"


def table(
    rows: Iterable[Iterable[Any]], header: Sequence[str], css_class: str | None = None
) -> str:
    """A table of rows of values under a header row (cells as :func:`value_cell`)."""
    klass = f' class="{css_class}"' if css_class else ""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(value_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def frame_table(
    frame: pd.DataFrame | None,
    columns: Sequence[str] | None = None,
    *,
    max_rows: int = 200,
    css_class: str | None = None,
) -> str:
    """A DataFrame as a table (at most ``max_rows`` rows, saying how many more exist)."""
    if frame is None or not len(frame):
        return paragraph("(no rows)", "na")
    columns = list(columns or frame.columns)
    rows = frame[columns].head(max_rows).itertuples(index=False)
    more = (
        paragraph(f"({len(frame) - max_rows} more rows in the analysis folder)")
        if len(frame) > max_rows
        else ""
    )
    return table(rows, columns, css_class) + more


def key_values(pairs: Iterable[tuple[str, Any]]) -> str:
    """A two-column table of names and values."""
    rows = "".join(f"<tr><th>{esc(k)}</th>{value_cell(v)}</tr>" for k, v in pairs)
    return f"<table>{rows}</table>"
