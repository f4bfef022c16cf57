"""The sweep report: one self-contained HTML page, plus machine-readable copies.

:func:`write_sweep_report` writes ``SWEEP_DIR/report.html`` (Plotly's JavaScript is
inlined once in the page head, so the file opens offline) and the tables in
``SWEEP_DIR/analysis/``. Every section has a stable ``id``; a section that does not apply
to the sweep says so in one sentence.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from sim.analysis.pipeline import Analysis, analyse, write_analysis_files
from sim.analysis.rules import format_p, format_percent, human
from sim.analysis.sensitivity import MAIN_INDEX
from sim.io.files import jsonable
from sim.report import sweep_figures as figures

SECTIONS = [
    ("runs", "Design and runs"),
    ("missing", "Missing data"),
    ("distributions", "Outcome distributions"),
    ("sobol", "Sobol' indices"),
    ("morris", "Morris screening"),
    ("fast", "FAST indices"),
    ("given-data", "Given-data indices"),
    ("convergence", "Convergence"),
    ("noise", "Noise"),
    ("prim", "PRIM boxes"),
    ("rules", "Rules"),
    ("tree", "Classification trees"),
    ("parallel", "Parallel coordinates"),
    ("failures", "Where runs failed"),
    ("provenance", "Provenance"),
]

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222;
background:#fafafa}
header{background:#223;color:#fff;padding:1.2em 2em}header h1{margin:0 0 .3em 0}
nav{padding:.5em 2em;background:#eee;position:sticky;top:0;z-index:10;font-size:.9em}
nav a{margin-right:1em;color:#225}
main{padding:0 2em 3em 2em;max-width:1200px}
section{background:#fff;border:1px solid #ddd;border-radius:6px;margin:1.2em 0;padding:.6em 1.2em}
h2{border-bottom:1px solid #eee;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#8a4b00;background:#fff6e5;border-left:4px solid #f0a020;padding:.3em .7em;
margin:.4em 0}
.na{color:#555;font-style:italic}
.rule{font-size:1.05em;margin:.4em 0}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto;font-size:.85em}
"""


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _p(text: str, cls: str | None = None) -> str:
    klass = f' class="{cls}"' if cls else ""
    return f"<p{klass}>{_esc(text)}</p>"


def _na(text: str) -> str:
    return _p(text, "na")


def _notes(notes: Iterable[str]) -> str:
    return "".join(f'<div class="note">{_esc(n)}</div>' for n in notes)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return '<td class="num">–</td>'
    if isinstance(value, bool | np.bool_):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, int | np.integer):
        return f'<td class="num">{int(value):,}</td>'
    if isinstance(value, float | np.floating):
        value = float(value)
        text = f"{value:.3g}" if abs(value) < 1e4 else f"{value:,.0f}"
        return f'<td class="num">{text}</td>'
    return f"<td>{_esc(value)}</td>"


def _table(frame: pd.DataFrame, columns: list[str] | None = None, max_rows: int = 200) -> str:
    if frame is None or not len(frame):
        return _na("(no rows)")
    columns = columns or list(frame.columns)
    head = "".join(f"<th>{_esc(c)}</th>" for c in columns)
    body = [
        "<tr>" + "".join(_cell(v) for v in row) + "</tr>"
        for row in frame[columns].head(max_rows).itertuples(index=False)
    ]
    more = (
        _p(f"({len(frame) - max_rows} more rows in the analysis folder)")
        if len(frame) > max_rows
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def _kv(pairs: Iterable[tuple[str, Any]]) -> str:
    rows = "".join(f"<tr><th>{_esc(k)}</th>{_cell(v)}</tr>" for k, v in pairs)
    return f"<table>{rows}</table>"


def _fig(fig: go.Figure | None) -> str:
    if fig is None:
        return ""
    return fig.to_html(
        full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True}
    )


def _section(sid: str, title: str, body: str) -> str:
    return f'<section id="{sid}"><h2>{_esc(title)}</h2>{body}</section>'


def _runs(a: Analysis) -> str:
    d, r = a.data, a.runs
    design = d.design_info
    pairs = [
        ("design method", d.method),
        ("n (base samples / trajectories / points)", design.get("n")),
        ("second order", d.second_order if d.method == "sobol" else None),
        ("design seed", design.get("seed")),
        ("varied parameters", ", ".join(human(p) for p in d.params)),
        ("design points", r["points"]),
        ("replicates per point", r["replicates"]),
        ("runs expected", r["expected"]),
        ("runs done", r["done"]),
        ("runs failed", r["failed"]),
        ("runs timed out", r["timeout"]),
        ("runs not run", r["not_run"]),
        ("run time, total (s)", r["elapsed_total_s"]),
        ("run time, median (s)", r["elapsed_median_s"]),
        ("run time, longest (s)", r["elapsed_max_s"]),
        ("started", r["started"]),
        ("finished", r["finished"]),
    ]
    body = _kv([(k, v) for k, v in pairs if v is not None])
    if d.problems:
        body += "<h3>Loading</h3>" + _notes(d.problems)
    bounds = list(d.problem.get("bounds", []))
    dists = list(d.problem.get("dists", []))
    bounds_table = pd.DataFrame(
        {
            "parameter": d.params,
            "bounds": [
                ", ".join(f"{float(v):.6g}" for v in bounds[i]) if i < len(bounds) else ""
                for i in range(len(d.params))
            ],
            "distribution": [dists[i] if i < len(dists) else "unif" for i in range(len(d.params))],
        }
    )
    return body + "<h3>Parameters</h3>" + _table(bounds_table)


def _missing(a: Analysis) -> str:
    table = a.availability
    if not len(table):
        return _na("The manifest names no outcomes or classes.")
    body = _table(
        table,
        [
            "name",
            "kind",
            "expected",
            "done",
            "failed",
            "timeout",
            "not_run",
            "nan",
            "usable",
            "points_without_value",
        ],
    )
    gaps = table[table["missing"] > 0]
    if len(gaps):
        body += _notes(gaps["statement"])
    else:
        body += _p("Every expected run finished with a value for every outcome and class.")
    return body


def _per_outcome(
    a: Analysis, method: str, make: Callable[[Any], go.Figure | None], label: str
) -> str:
    results = a.sensitivity
    used = {o: r for o, r in results.items() if method in r.methods}
    refused = {o: r for o, r in results.items() if r.design_method == method and r.refusal}
    if not used and not refused:
        return _na(f"{label} does not apply: this sweep's design method is {a.data.method}.")
    body = ""
    for result in refused.values():
        fallback = (
            f" The given-data indices below use the {result.n_points} points with a value."
            if result.fallback
            else ""
        )
        body += _notes([(result.refusal or "") + "." + fallback])
    for outcome, result in used.items():
        body += f"<h3>{_esc(human(outcome))}</h3>" + _fig(make(result))
        if method == "sobol":
            s2 = result.indices[result.indices["index"] == "S2"]
            if len(s2):
                top = s2.reindex(s2["value"].abs().sort_values(ascending=False).index).head(10)
                body += "<p>Largest second-order interactions:</p>" + _table(
                    top, ["parameter", "parameter2", "value", "conf"]
                )
    return body


def _given(a: Analysis) -> str:
    body = ""
    for outcome, result in a.sensitivity.items():
        methods = [m for m in result.methods if m in ("rbd_fast", "pawn", "delta")]
        if not methods:
            continue
        body += f"<h3>{_esc(human(outcome))}</h3>"
        if result.fallback:
            body += _notes(
                [
                    f"Fall-back: {result.design_method} refused this outcome, so these given-data "
                    f"indices use the {result.n_points} points with a value."
                ]
            )
        for method in methods:
            body += _fig(figures.method_figure(result, method))
        other = [n for n in result.notes if n.startswith(tuple(methods))]
        body += _notes(other)
    if body:
        return body
    if not a.sensitivity:
        return _na("There are no outcomes to analyse.")
    if all(r.main_method in ("sobol", "morris", "fast") for r in a.sensitivity.values()):
        return _na("Given-data methods were not needed: the design-bound method used every point.")
    alerts = " ".join(alert for r in a.sensitivity.values() for alert in r.alerts)
    return _na(f"No given-data indices could be computed: {alerts}")


def _convergence(a: Analysis) -> str:
    conv = a.convergence
    if not conv.statements:
        return _na("There are no outcomes to assess.")
    body = ""
    for outcome, statement in conv.statements.items():
        body += f"<h3>{_esc(human(outcome))}</h3>" + _p(statement)
        if conv.settled.get(outcome, {}).get("ranking") is not None:
            body += _fig(figures.convergence_figure(conv, outcome))
    return body


def _noise(a: Analysis) -> str:
    if not len(a.noise):
        return _na("There are no outcomes to assess.")
    body = _fig(figures.noise_figure(a.noise))
    body += _table(
        a.noise,
        ["outcome", "replicates", "points_used", "mean_within_var", "total_var", "noise_share"],
    )
    body += "".join(_p(s) for s in a.noise["statement"])
    return body


def _discovery_items(a: Analysis) -> list[tuple[str, Any]]:
    return list(a.discovery.items())


def _prim(a: Analysis) -> str:
    if not a.discovery:
        return _na("Scenario discovery does not apply: the manifest defines no outcome classes.")
    body = ""
    for name, result in _discovery_items(a):
        body += f"<h3>{_esc(human(name))}</h3>" + _p(result.summary())
        body += "".join(_p(n) for n in result.notes)
        if result.prim is None or not result.prim.boxes:
            body += _na(result.no_box_sentence())
            continue
        body += _fig(figures.tradeoff_figure(result))
        stats = pd.DataFrame([b.stats() for b in result.prim.boxes])
        body += _table(
            stats,
            ["box", "coverage", "density", "mass", "n", "k", "base_rate", "p_value", "res_dim"],
        )
        body += _table(result.prim.limits())
        dropped = [f"box {b.index}: dropped {d}" for b in result.prim.boxes for d in b.dropped]
        body += _notes(dropped)
        body += _p(f"Covering stopped: {result.prim.stopped}")
    return body


def _rules(a: Analysis) -> str:
    if not a.discovery:
        return _na("There are no rules: the manifest defines no outcome classes.")
    body = ""
    for name, result in _discovery_items(a):
        body += f"<h3>{_esc(human(name))}</h3>"
        if result.predicate:
            body += _p(f"Class definition: {result.predicate}")
        body += "".join(f'<p class="rule">{_esc(r)}</p>' for r in result.rules())
    return body


def _tree(a: Analysis) -> str:
    if not a.discovery:
        return _na("There are no trees: the manifest defines no outcome classes.")
    body = ""
    for name, result in _discovery_items(a):
        body += f"<h3>{_esc(human(name))}</h3>"
        table = result.tree_rules()
        if not len(table):
            body += _na(result.no_box_sentence())
            continue
        body += _p(
            f"Tree of depth {result.tree.max_depth} (smallest leaf {result.tree.min_leaf} "
            f"{'runs' if result.unit == 'run' else 'points'}); leaves, densest first:"
        )
        body += _table(table, ["rule", "n", "density", "support", "coverage"])
    return body


def _parallel(a: Analysis) -> str:
    if not a.discovery:
        return _na("Parallel coordinates need an outcome class; the manifest defines none.")
    body = ""
    for name in a.discovery:
        fig = figures.parallel_figure(a.data, name)
        body += _fig(fig) if fig is not None else _na(f"No finished run has a {human(name)} value.")
    return body


def _failures(a: Analysis) -> str:
    runs = a.data.runs
    bad = runs[runs["status"] != "done"]
    if not len(bad):
        text = "No run failed or timed out."
        if a.runs["not_run"]:
            text += f" {a.runs['not_run']} runs have not been run yet."
        return _p(text)
    body = _p(
        f"{len(bad):,} of {len(runs):,} recorded runs did not finish "
        f"({int((bad['status'] == 'failed').sum()):,} failed, "
        f"{int((bad['status'] == 'timeout').sum()):,} timed out)."
    )
    body += _fig(figures.failures_figure(a.data))
    if a.failures is not None:
        body += "".join(f'<p class="rule">{_esc(r)}</p>' for r in a.failures.rules())
    errors = (
        bad.assign(error=bad["error"].fillna("").astype(str).str.slice(0, 200))
        .groupby(["status", "error"])
        .size()
        .rename("runs")
        .reset_index()
        .sort_values("runs", ascending=False)
    )
    return body + "<h3>Errors</h3>" + _table(errors, max_rows=20)


def _provenance(a: Analysis) -> str:
    m = a.data.manifest
    scenario = m.get("scenario")
    scenario_hash = m.get("scenario_hash")
    if not scenario_hash and isinstance(scenario, dict):
        scenario_hash = scenario.get("hash") or scenario.get("sha256")
    pairs = [
        ("sweep", a.data.name),
        ("directory", str(a.data.path) if a.data.path else None),
        ("scenario hash", scenario_hash),
        ("root seed", m.get("root_seed")),
        ("design seed", a.data.design_info.get("seed")),
        ("started", m.get("started")),
        ("finished", m.get("finished")),
        ("report written", datetime.now(UTC).isoformat(timespec="seconds")),
    ]
    body = _kv([(k, v) for k, v in pairs if v is not None])
    versions = m.get("versions")
    if isinstance(versions, dict) and versions:
        body += "<h3>Versions</h3>" + _kv(sorted((str(k), str(v)) for k, v in versions.items()))
    body += "<h3>Analysis settings</h3>" + _kv(
        (k, json.dumps(jsonable(v))) for k, v in a.settings.items()
    )
    body += "<h3>Manifest</h3><pre>" + _esc(json.dumps(jsonable(m), indent=2)[:20000]) + "</pre>"
    return body


def _summary(a: Analysis) -> str:
    r = a.runs
    parts = [
        f"{r['points']:,} design points x {r['replicates']} "
        f"replicate{'s' if r['replicates'] != 1 else ''} "
        f"({a.data.method} design); {r['done']:,} runs done, {r['failed']:,} failed, "
        f"{r['timeout']:,} timed out, {r['not_run']:,} not run."
    ]
    for name, result in a.discovery.items():
        if result.prim is not None and result.prim.boxes:
            box = result.prim.boxes[0]
            parts.append(
                f"{human(name).capitalize()}: best box density {format_percent(box.density)}, "
                f"coverage {format_percent(box.coverage)} ({format_p(box.p_value)})."
            )
    for outcome, result in a.sensitivity.items():
        ranking = result.ranking()
        if ranking:
            parts.append(
                f"{human(outcome).capitalize()}: most influential by "
                f"{result.main_method} {MAIN_INDEX[result.main_method]}: "
                f"{', '.join(human(p) for p in ranking[:3])}."
            )
    return "".join(_p(p) for p in parts)


_BUILDERS: dict[str, Callable[[Analysis], str]] = {
    "runs": _runs,
    "missing": _missing,
    "distributions": lambda a: (
        _fig(figures.distributions_figure(a.data)) or _na("No finished run has an outcome to plot.")
    ),
    "sobol": lambda a: _per_outcome(a, "sobol", figures.sobol_figure, "Sobol' analysis"),
    "morris": lambda a: _per_outcome(a, "morris", figures.morris_figure, "Morris screening"),
    "fast": lambda a: _per_outcome(
        a, "fast", lambda r: figures.method_figure(r, "fast"), "FAST analysis"
    ),
    "given-data": _given,
    "convergence": _convergence,
    "noise": _noise,
    "prim": _prim,
    "rules": _rules,
    "tree": _tree,
    "parallel": _parallel,
    "failures": _failures,
    "provenance": _provenance,
}


def render_report(analysis: Analysis) -> str:
    """The report page as one HTML string."""
    title = f"Sweep report: {analysis.data.name}"
    nav = "".join(f'<a href="#{sid}">{_esc(t)}</a>' for sid, t in SECTIONS)
    sections = []
    for sid, heading in SECTIONS:
        try:
            body = _BUILDERS[sid](analysis)
        except Exception as exc:  # one broken section must not lose the whole report
            body = _notes([f"This section could not be built: {type(exc).__name__}: {exc}"])
        sections.append(_section(sid, heading, body))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_esc(title)}</title><style>{STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        f'<header><h1>{_esc(title)}</h1><div id="summary">{_summary(analysis)}</div></header>'
        f"<nav>{nav}</nav><main>{''.join(sections)}</main></body></html>\n"
    )


def write_sweep_report(
    sweep_dir: str | Path, analysis: Analysis | None = None, **options: Any
) -> Path:
    """Analyse a sweep and write ``report.html`` and ``analysis/`` into its directory.

    Args:
        sweep_dir: The sweep directory.
        analysis: A finished analysis to reuse (computed when None).
        **options: Passed to :func:`sim.analysis.pipeline.analyse`.

    Returns:
        The path of ``report.html``.
    """
    sweep_dir = Path(sweep_dir)
    analysis = analysis or analyse(sweep_dir, **options)
    write_analysis_files(analysis, sweep_dir / "analysis")
    target = sweep_dir / "report.html"
    target.write_text(render_report(analysis), encoding="utf-8")
    return target
