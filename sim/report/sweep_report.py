"""The sweep report: one self-contained HTML page, plus machine-readable copies.

:func:`write_sweep_report` writes ``SWEEP_DIR/report.html`` and the tables in
``SWEEP_DIR/analysis/``. The page answers first: its opening section states, for each
outcome class, the conditions that lead to it (each rule with its coverage, density,
number of runs and p-value, all measured on held-out runs) and the few parameters that
matter for the outcome behind the class, with their 95% intervals, or "too small to
conclude" and why. Everything else follows in collapsed sections under a table of
contents; per-outcome figures are drawn for the headline outcomes only (those the classes
are defined on) and every outcome appears in one table per section, so the page keeps a
modest length whatever the number of outcomes. Every section has a stable ``id``; a
section that does not apply to the sweep says so in one sentence. The page is built
from :mod:`sim.report.kit` and is the same, byte for byte, each time it is written from
the same sweep.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.analysis.conclusions import index_label
from sim.analysis.discovery import DiscoveryResult
from sim.analysis.pipeline import (
    Analysis,
    analyse,
    conclusion_table,
    outcomes_in,
    write_analysis_files,
)
from sim.analysis.plan import plan_rows
from sim.analysis.rules import describe_conditions, format_p, format_percent, human
from sim.io.files import jsonable
from sim.report import kit
from sim.report import sweep_figures as figures

#: The collapsed sections, in order: (id, title).
SECTIONS = [
    ("sensitivity", "Sensitivity of every outcome"),
    ("plan", "How much more to run"),
    ("rules", "Rules"),
    ("prim", "PRIM boxes"),
    ("tree", "Classification trees"),
    ("parallel", "Parallel coordinates"),
    ("sobol", "Sobol' indices"),
    ("morris", "Morris screening"),
    ("fast", "FAST indices"),
    ("given-data", "Given-data indices"),
    ("convergence", "Convergence"),
    ("noise", "Noise"),
    ("distributions", "Outcome distributions"),
    ("runs", "Design and runs"),
    ("missing", "Missing data"),
    ("failures", "Where runs failed"),
    ("provenance", "Provenance"),
]
#: Most classes, headline outcomes and parameters per outcome on the first screen.
FIRST_SCREEN_CLASSES = 4
HEADLINE_OUTCOMES = 4
TOP_PARAMETERS = 4


def _bare_p(p_value: float) -> str:
    """A p-value for a table cell: "< 0.001", "0.03"."""
    return format_p(p_value).removeprefix("p ").removeprefix("= ")


class _Page:
    """Builds the report's parts for one analysis (figure ids are numbered in order)."""

    def __init__(self, analysis: Analysis) -> None:
        self.a = analysis
        self.headline = analysis.headline_outcomes(HEADLINE_OUTCOMES)
        self._ids = itertools.count(1)

    def fig(self, fig: go.Figure | None) -> str:
        if fig is None:
            return ""
        return kit.figure_html(fig, f"figure-{next(self._ids)}")

    # --- the first screen ---------------------------------------------------------------

    def answer(self) -> str:
        a, r = self.a, self.a.runs
        failed = f", {r['failed']:,} failed" if r["failed"] else ""
        timeout = f", {r['timeout']:,} timed out" if r["timeout"] else ""
        not_run = f", {r['not_run']:,} not run" if r["not_run"] else ""
        source = ""
        if a.rules_data is not None:
            other = a.rules_data
            source = (
                f" Rules come from the separate {other.method} sweep {other.name} "
                f"({int((other.runs['status'] == 'done').sum()):,} runs)."
            )
        lead = kit.paragraph(
            f"{r['points']:,} design points × {r['replicates']} "
            f"replicate{'s' if r['replicates'] != 1 else ''} ({a.data.method} design): "
            f"{r['done']:,} runs done{failed}{timeout}{not_run}.{source} Rules are found on "
            "half of the runs and measured on the other half (held out); intervals are 95%.",
            "muted",
        )
        cards = []
        classes = list(a.discovery.items())
        for name, result in classes[:FIRST_SCREEN_CLASSES]:
            cards.append(self._class_card(name, result))
        if len(classes) > FIRST_SCREEN_CLASSES:
            more = len(classes) - FIRST_SCREEN_CLASSES
            cards.append(kit.paragraph(f"{more} more classes: see Rules.", "muted"))
        if not classes:
            cards.append(
                kit.paragraph(
                    "The sweep defines no outcome classes, so there are no conditions to "
                    "state; what matters for the first outcomes:",
                    "na",
                )
            )
            cards += [
                f'<div class="card">{self._matters(outcome)}</div>' for outcome in self.headline
            ]
        return f'<section id="answer">{lead}{"".join(cards)}</section>'

    def _class_card(self, name: str, result: DiscoveryResult) -> str:
        head = (
            f"<h3>{kit.esc(human(name).capitalize())} "
            f'<span class="muted">({kit.esc(result.predicate or name)}: '
            f"{format_percent(result.base_rate)} of {result.n:,} "
            f"{'runs' if result.unit == 'run' else 'points'})</span></h3>"
        )
        boxes = result.prim.boxes if result.prim is not None else []
        if boxes:
            rows = []
            for box in boxes:
                test = box.held_out
                where = describe_conditions(box.restrictions(), result.info)
                rows.append(
                    {
                        "conditions": ("then, outside the above: " if box.index > 1 else "")
                        + where,
                        "held-out runs": test.n if test else box.n,
                        "density": format_percent(test.density) if test else "–",
                        "coverage": format_percent(test.coverage) if test else "–",
                        "p": _bare_p(test.p_value) if test else "–",
                    }
                )
            body = kit.frame_table(pd.DataFrame(rows), css_class="compact")
        else:
            body = kit.paragraph(result.no_box_sentence(), "na")
        caveat = ""
        if boxes and self.a.discovery_data.method in ("sobol", "morris"):
            caveat = kit.paragraph(
                "Found on a non-space-filling design: held-out p-values are optimistic "
                "(see Rules); a Latin hypercube sweep is the design for rules.",
                "muted",
            )
        matters = "".join(self._matters(o) for o in self._class_outcomes(result))
        return f'<div class="card">{head}{body}{caveat}{matters}</div>'

    def _class_outcomes(self, result: DiscoveryResult) -> list[str]:
        return outcomes_in(result.predicate, self.a.data.outcomes)

    def _matters(self, outcome: str) -> str:
        conclusion = self.a.conclusions.get(outcome)
        if conclusion is None:
            return ""
        noise = self.a.sensitivity[outcome].noise_share
        noise_text = f"; replicate noise {noise:.0%} of the variance" if np.isfinite(noise) else ""
        label = index_label(conclusion.method, conclusion.index)
        head = f"<b>What matters for {kit.esc(human(outcome))}</b>"
        if conclusion.conclusive:
            more = len(conclusion.ranked) - TOP_PARAMETERS
            extra = f" and {more} more" if more > 0 else ""
            rest = conclusion.not_significant
            tail = (
                f"; not distinguishable from noise: {', '.join(map(human, rest))}" if rest else ""
            )
            order = "" if conclusion.settled else " (order not settled)"
            return (
                f"<p>{head} ({kit.esc(label)}, 95% CI{kit.esc(noise_text)}): "
                f"{kit.esc(conclusion.top(TOP_PARAMETERS))}{extra}{order}{kit.esc(tail)}.</p>"
            )
        return f"<p>{head}: {kit.esc(conclusion.statement.split(': ', 1)[-1])}</p>"

    # --- the collapsed sections ---------------------------------------------------------

    def sensitivity(self) -> str:
        table = conclusion_table(self.a)
        if not len(table):
            return kit.paragraph("There are no outcomes to analyse.", "na")
        body = kit.paragraph(
            "An outcome's parameters are ranked only where the numbers bear it: the indices "
            "converge, the intervals are narrower than the indices, and the parameter's "
            "index is distinguishable from noise (its interval clears the threshold: zero "
            "for Sobol' and FAST, the noise floor for Morris, dummy inputs for given-data "
            "methods). Otherwise the outcome is too small to conclude.",
        )
        body += self.fig(figures.index_heatmap(self.a.sensitivity, list(self.a.sensitivity)))
        body += kit.frame_table(table, ["statement"], css_class="compact")
        return body

    def plan(self) -> str:
        rows = plan_rows(self.a.plans, self.headline)
        if not rows:
            return kit.paragraph("No outcome has intervals to plan from.", "na")
        body = kit.paragraph(
            "Planning estimates: intervals shrink as 1/sqrt(n), and replicates reduce the "
            "noise share of them (see sim.analysis.plan). Run sizes count every replicate; "
            "'more than stored' is what the sweep would add (Sobol' and Morris designs grow "
            "in place). Grow a sweep by raising design: n or replicates in its file and "
            "running consim sweep again."
        )
        for outcome in self.headline:
            plan = self.a.plans.get(outcome)
            if plan is not None:
                body += "".join(kit.paragraph(s) for s in plan.sentences())
        columns = [
            "outcome",
            "widest",
            "now_n",
            "now_runs",
            "halve_n",
            "halve_replicates",
            "halve_runs",
            "settle_n",
            "settle_replicates",
            "settle_runs",
        ]
        return body + kit.frame_table(pd.DataFrame(rows), columns, css_class="compact")

    def per_method(self, method: str, make: Callable[[Any], go.Figure | None]) -> str:
        results = self.a.sensitivity
        used = [o for o, r in results.items() if method in r.methods]
        refused = [(o, r.refusal) for o, r in results.items() if r.design_method == method]
        refused = [(o, why) for o, why in refused if why]
        if not used and not refused:
            return kit.paragraph(
                f"{method} does not apply: this sweep's design method is {self.a.data.method}.",
                "na",
            )
        body = ""
        if refused:
            body += kit.paragraph(
                f"{method} refused {len(refused)} outcome(s); their given-data indices use the "
                "points with a value (see Given-data indices):"
            )
            body += kit.frame_table(
                pd.DataFrame(refused, columns=["outcome", "why"]), css_class="compact"
            )
        for outcome in [o for o in self.headline if o in used]:
            result = results[outcome]
            body += kit.subheading(human(outcome)) + self.fig(make(result))
            body += kit.alerts(n for n in result.notes if n.startswith(f"{method} "))
            body += "".join(
                kit.paragraph(n, "muted") for n in result.notes if n.startswith(f"{method}:")
            )
            if method == "sobol":
                s2 = result.indices[result.indices["index"] == "S2"]
                if len(s2):
                    top = s2.reindex(s2["value"].abs().sort_values(ascending=False).index)
                    body += kit.paragraph("Largest second-order interactions:") + kit.frame_table(
                        top.head(6), ["parameter", "parameter2", "value", "conf", "significant"]
                    )
        others = [o for o in used if o not in self.headline]
        if others:
            body += kit.paragraph(
                f"{len(others)} further outcome(s) in Sensitivity of every outcome and in "
                "analysis/sensitivity.csv.",
                "muted",
            )
        return body

    def given(self) -> str:
        results = self.a.sensitivity
        used = {o: r for o, r in results.items() if set(r.methods) & {"rbd_fast", "pawn", "delta"}}
        if not used:
            if not results:
                return kit.paragraph("There are no outcomes to analyse.", "na")
            alerts = " ".join(alert for r in results.values() for alert in r.alerts)
            if all(r.main_method in ("sobol", "morris", "fast") for r in results.values()):
                return kit.paragraph(
                    "Given-data methods were not needed: the design-bound method used every "
                    "outcome.",
                    "na",
                )
            return kit.paragraph(f"No given-data indices could be computed: {alerts}", "na")
        body = ""
        fallen = [o for o, r in used.items() if r.fallback]
        if fallen:
            body += kit.alerts(
                [
                    f"Fall-back: the design's own method refused {len(fallen)} outcome(s) "
                    f"({', '.join(map(human, fallen[:6]))}{'…' if len(fallen) > 6 else ''}), "
                    "so their indices come from given-data methods on the points with a value."
                ]
            )
        shown = [o for o in self.headline if o in used] or list(used)[:1]
        for outcome in shown:
            result = used[outcome]
            body += kit.subheading(human(outcome))
            for method in [m for m in result.methods if m in ("rbd_fast", "pawn", "delta")]:
                body += self.fig(figures.method_figure(result, method))
            body += "".join(
                kit.paragraph(n, "muted")
                for n in result.notes
                if n.startswith(("rbd_fast", "pawn", "delta"))
            )
        return body

    def convergence(self) -> str:
        conv = self.a.convergence
        if not conv.statements:
            return kit.paragraph("There are no outcomes to assess.", "na")
        body = kit.frame_table(
            pd.DataFrame({"statement": list(conv.statements.values())}), css_class="compact"
        )
        for outcome in self.headline:
            if conv.settled.get(outcome, {}).get("ranking") is not None:
                body += self.fig(figures.convergence_figure(conv, outcome))
        return body

    def noise(self) -> str:
        if not len(self.a.noise):
            return kit.paragraph("There are no outcomes to assess.", "na")
        body = self.fig(figures.noise_figure(self.a.noise))
        body += kit.frame_table(
            self.a.noise,
            ["outcome", "replicates", "points_used", "noise_share", "statement"],
            css_class="compact",
        )
        return body

    def prim(self) -> str:
        if not self.a.discovery:
            return kit.paragraph(
                "Scenario discovery does not apply: the manifest defines no outcome classes.",
                "na",
            )
        body = ""
        for name, result in self.a.discovery.items():
            body += kit.subheading(human(name)) + kit.paragraph(result.summary())
            if result.prim is None or not result.prim.boxes:
                body += kit.paragraph(result.no_box_sentence(), "na")
                continue
            body += self.fig(figures.tradeoff_figure(result))
            rows = []
            for box in result.prim.boxes:
                rows.append(
                    {"box": box.index, "half": "search"}
                    | {k: getattr(box, k) for k in ("n", "k", "coverage", "density")}
                    | {"base rate": box.base_rate, "p": box.p_value}
                )
                if box.held_out is not None:
                    test = box.held_out
                    rows.append(
                        {"box": box.index, "half": "held out"}
                        | {k: getattr(test, k) for k in ("n", "k", "coverage", "density")}
                        | {"base rate": test.base_rate, "p": test.p_value}
                    )
            body += kit.paragraph("Each box on the half it was found on and on the held-out half:")
            body += kit.frame_table(pd.DataFrame(rows), css_class="compact")
            body += kit.frame_table(result.prim.limits(), css_class="compact")
            dropped = [f"box {b.index}: dropped {d}" for b in result.prim.boxes for d in b.dropped]
            body += "".join(kit.paragraph(d, "muted") for d in dropped)
            body += kit.paragraph(f"Covering stopped: {result.prim.stopped}")
        return body

    def rules(self) -> str:
        if not self.a.discovery:
            return kit.paragraph(
                "There are no rules: the manifest defines no outcome classes.", "na"
            )
        body = ""
        for name, result in self.a.discovery.items():
            body += kit.subheading(human(name))
            if result.predicate:
                body += kit.paragraph(f"Class definition: {result.predicate}")
            body += "".join(kit.paragraph(rule) for rule in result.rules())
            body += "".join(kit.paragraph(note, "muted") for note in result.notes)
        return body

    def tree(self) -> str:
        if not self.a.discovery:
            return kit.paragraph(
                "There are no trees: the manifest defines no outcome classes.", "na"
            )
        body = ""
        for name, result in self.a.discovery.items():
            body += kit.subheading(human(name))
            table = result.tree_rules()
            if not len(table) or result.tree is None:
                body += kit.paragraph(result.no_box_sentence(), "na")
                continue
            body += kit.paragraph(
                f"Tree of depth {result.tree.max_depth} fitted on the search half (smallest "
                f"leaf {result.tree.min_leaf}); leaves counted on the held-out half, densest "
                "first:"
            )
            body += kit.frame_table(
                table, ["rule", "n", "density", "support", "coverage"], css_class="compact"
            )
        return body

    def parallel(self) -> str:
        if not self.a.discovery:
            return kit.paragraph(
                "Parallel coordinates need an outcome class; the manifest defines none.", "na"
            )
        body = ""
        for name in list(self.a.discovery)[:FIRST_SCREEN_CLASSES]:
            fig = figures.parallel_figure(self.a.discovery_data, name)
            body += (
                self.fig(fig)
                if fig is not None
                else kit.paragraph(f"No finished run has a {human(name)} value.", "na")
            )
        return body

    def distributions(self) -> str:
        data = self.a.data
        fig = figures.distributions_figure(data, self.headline)
        if fig is None:
            return kit.paragraph("No finished run has an outcome to plot.", "na")
        done = data.runs["status"] == "done"
        rows = []
        for outcome in data.outcomes:
            values = data.outcome_column(outcome)[done].to_numpy(dtype=float)
            finite = values[np.isfinite(values)]
            rows.append(
                {
                    "outcome": outcome,
                    "runs with a value": int(finite.size),
                    "NaN": int(values.size - finite.size),
                    "mean": float(finite.mean()) if finite.size else np.nan,
                    "sd": float(finite.std(ddof=1)) if finite.size > 1 else np.nan,
                    "min": float(finite.min()) if finite.size else np.nan,
                    "max": float(finite.max()) if finite.size else np.nan,
                }
            )
        return self.fig(fig) + kit.frame_table(pd.DataFrame(rows), css_class="compact")

    def runs(self) -> str:
        d, r = self.a.data, self.a.runs
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
        body = kit.key_values([(k, v) for k, v in pairs if v is not None])
        if d.problems:
            body += kit.subheading("Loading") + kit.alerts(d.problems)
        bounds = list(d.problem.get("bounds", []))
        dists = list(d.problem.get("dists", []))
        table = pd.DataFrame(
            {
                "parameter": d.params,
                "bounds": [
                    ", ".join(f"{float(v):.6g}" for v in bounds[i]) if i < len(bounds) else ""
                    for i in range(len(d.params))
                ],
                "distribution": [
                    dists[i] if i < len(dists) else "unif" for i in range(len(d.params))
                ],
            }
        )
        return body + kit.subheading("Parameters") + kit.frame_table(table)

    def missing(self) -> str:
        table = self.a.availability
        if not len(table):
            return kit.paragraph("The manifest names no outcomes or classes.", "na")
        columns = ["name", "kind", "expected", "done", "failed", "timeout", "not_run", "nan"]
        body = kit.frame_table(table, [*columns, "usable", "points_without_value"])
        gaps = table[table["missing"] > 0]
        if len(gaps):
            return body + kit.frame_table(gaps, ["statement"], css_class="compact")
        return body + kit.paragraph(
            "Every expected run finished with a value for every outcome and class."
        )

    def failures(self) -> str:
        runs = self.a.data.runs
        bad = runs[runs["status"] != "done"]
        if not len(bad):
            text = "No run failed or timed out."
            if self.a.runs["not_run"]:
                text += f" {self.a.runs['not_run']} runs have not been run yet."
            return kit.paragraph(text)
        body = kit.paragraph(
            f"{len(bad):,} of {len(runs):,} recorded runs did not finish "
            f"({int((bad['status'] == 'failed').sum()):,} failed, "
            f"{int((bad['status'] == 'timeout').sum()):,} timed out)."
        )
        body += self.fig(figures.failures_figure(self.a.data))
        if self.a.failures is not None:
            body += "".join(kit.paragraph(r) for r in self.a.failures.rules())
        errors = (
            bad.assign(error=bad["error"].fillna("").astype(str).str.slice(0, 200))
            .groupby(["status", "error"])
            .size()
            .rename("runs")
            .reset_index()
            .sort_values("runs", ascending=False)
        )
        return body + kit.subheading("Errors") + kit.frame_table(errors, max_rows=20)

    def provenance(self) -> str:
        a = self.a
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
            ("analysis seed", a.settings.get("seed")),
            ("started", m.get("started")),
            ("finished", m.get("finished")),
        ]
        body = kit.key_values([(k, v) for k, v in pairs if v is not None])
        versions = m.get("versions")
        if isinstance(versions, dict) and versions:
            body += kit.subheading("Versions") + kit.key_values(
                sorted((str(k), str(v)) for k, v in versions.items())
            )
        body += kit.subheading("Analysis settings") + kit.key_values(
            (k, json.dumps(jsonable(v))) for k, v in a.settings.items()
        )
        manifest = json.dumps(jsonable(m), indent=2)[:20000]
        return body + kit.subheading("Manifest") + "<pre>" + kit.esc(manifest) + "</pre>"

    def build(self, sid: str) -> str:
        builders: dict[str, Callable[[], str]] = {
            "sensitivity": self.sensitivity,
            "plan": self.plan,
            "rules": self.rules,
            "prim": self.prim,
            "tree": self.tree,
            "parallel": self.parallel,
            "sobol": lambda: self.per_method("sobol", figures.sobol_figure),
            "morris": lambda: self.per_method("morris", figures.morris_figure),
            "fast": lambda: self.per_method("fast", lambda r: figures.method_figure(r, "fast")),
            "given-data": self.given,
            "convergence": self.convergence,
            "noise": self.noise,
            "distributions": self.distributions,
            "runs": self.runs,
            "missing": self.missing,
            "failures": self.failures,
            "provenance": self.provenance,
        }
        return builders[sid]()


def render_report(analysis: Analysis) -> str:
    """The report page as one HTML string."""
    page = _Page(analysis)
    title = f"Sweep report: {analysis.data.name}"
    try:
        answer = page.answer()
    except Exception as exc:  # one broken part must not lose the whole report
        answer = kit.alerts([f"The summary could not be built: {type(exc).__name__}: {exc}"])
    parts = [answer, kit.contents(SECTIONS)]
    for sid, heading in SECTIONS:
        try:
            body = page.build(sid)
        except Exception as exc:  # one broken section must not lose the whole report
            body = kit.alerts([f"This section could not be built: {type(exc).__name__}: {exc}"])
        parts.append(kit.collapsible(sid, heading, body))
    subtitle = kit.paragraph(
        "Which conditions lead to each outcome, and which parameters matter. Details below "
        "fold out; machine-readable copies are in analysis/ beside this file.",
        "muted",
    )
    return kit.document(title, subtitle, parts)


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
