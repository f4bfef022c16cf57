"""The sweep report: every section present, self-contained, with machine-readable copies."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import SensitivityWarning, analyse
from sim.report.sweep_report import SECTIONS, write_sweep_report
from tests.analysis.conftest import ishigami, make_sweep

REQUIRED_IDS = {sid for sid, _ in SECTIONS} | {"answer"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}
        self.scripts: list[dict[str, str | None]] = []
        self.links: list[dict[str, str | None]] = []
        self._stack: list[str] = []
        self.text: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("id"):
            self._stack.append(attrs["id"])
            self.text[attrs["id"]] = []
        if attrs.get("id"):
            self.ids[attrs["id"]] = tag
        if tag == "script":
            self.scripts.append(attrs)
        if tag == "link":
            self.links.append(attrs)

    def handle_endtag(self, tag):
        if tag == "section" and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if self._stack:
            self.text[self._stack[-1]].append(data)

    def section(self, sid: str) -> str:
        return " ".join(" ".join(self.text[sid]).split())


def _parse(path: Path) -> tuple[_Page, str]:
    html = path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    return page, html


def _journey(x, rng):
    value = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + rng.normal(0, 0.5, len(x))
    return {"value_created": value, "time_to_value": 10 + 5 * x[:, 2] + rng.normal(0, 1, len(x))}


def _status(x, point, replicate):
    # x3 > 2.2 fails: holes in about 28% of the Saltelli base rows, more than Sobol' leaves out
    status = np.full(len(point), "done", dtype=object)
    status[x[:, 2] > 2.2] = "failed"
    status[(point % 301 == 0) & (replicate == 1)] = "timeout"
    return status


@pytest.fixture(scope="module")
def sobol_report(tmp_path_factory) -> Path:
    path = make_sweep(
        tmp_path_factory.mktemp("report") / "journey",
        outcomes=_journey,
        n=128,
        replicates=2,
        status=_status,
        classes={
            "value_creation": ("value_created > 5", lambda v: v["value_created"] > 5),
            "graceful_exit": ("time_to_value > 14", lambda v: v["time_to_value"] > 14),
        },
    )
    # Failed runs leave holes, so Sobol' refuses both outcomes, loudly.
    with pytest.warns(SensitivityWarning, match="sobol refused") as caught:
        report = write_sweep_report(path, num_resamples=50, prim_options={"n_resamples": 5})
    assert len(caught) == 2
    return report


def test_report_has_every_section(sobol_report: Path) -> None:
    assert sobol_report.name == "report.html"
    page, html = _parse(sobol_report)
    missing = REQUIRED_IDS - {k for k, v in page.ids.items() if v == "section"}
    assert not missing
    assert "could not be built" not in html
    # every section but the answer folds away, closed, under the table of contents
    assert page.ids["contents"] == "nav"
    for sid, _ in SECTIONS:
        assert f'<section id="{sid}" class="fold"><details><summary>' in html, sid
        assert f'href="#{sid}"' in html
    assert "<details open" not in html
    assert html.index('id="answer"') < html.index('id="contents"') < html.index('id="sensitivity"')


def test_report_is_self_contained(sobol_report: Path) -> None:
    page, html = _parse(sobol_report)
    assert all(not s.get("src") for s in page.scripts)
    assert not any(link.get("href", "").startswith("http") for link in page.links)
    # The library itself is inlined, exactly once, before any figure.
    assert html.count("* plotly.js v") == 1
    assert len(html) > 3_000_000
    assert html.index("* plotly.js v") < html.index("Plotly.newPlot")
    assert html.count("Plotly.newPlot") >= 8
    assert html.count("<script") == 2 + html.count("Plotly.newPlot")  # library, folding, figures


def test_report_content(sobol_report: Path) -> None:
    page, _ = _parse(sobol_report)
    runs = page.section("runs")
    assert "sobol" in runs
    assert "runs failed" in runs
    # failures are named and the design-bound method says it refused
    sobol = page.section("sobol")
    assert "sobol refused 2 outcome(s)" in sobol
    assert "points have no value" in sobol
    assert "Fall-back" in page.section("given-data")
    assert "dummy" in page.section("sensitivity")
    assert "to halve the widest 95% interval" in page.section("plan")
    assert "does not apply" in page.section("morris")
    assert "does not apply" in page.section("fast")
    assert "ranking" in page.section("convergence")
    assert "within-point noise" in page.section("noise")
    rules = page.section("rules")
    assert "held-out runs where" in rules
    assert "held-out value-creation runs" in rules
    assert "not a space-filling sample" in rules
    assert "Covering stopped" in page.section("prim")
    assert "If " in page.section("tree")
    failures = page.section("failures")
    assert "did not finish" in failures
    assert "x3 >=" in failures  # failures concentrate at high x3
    provenance = page.section("provenance")
    assert "sha256:test" in provenance
    assert "root seed" in provenance
    assert "SALib" in provenance


def test_machine_readable_copies(sobol_report: Path) -> None:
    folder = sobol_report.parent / "analysis"
    for stem in (
        "sensitivity",
        "convergence",
        "noise",
        "prim_boxes",
        "rules",
        "tree_rules",
        "availability",
    ):
        assert (folder / f"{stem}.csv").is_file(), stem
        json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
    sens = pd.read_csv(folder / "sensitivity.csv")
    assert set(sens["outcome"]) == {"value_created", "time_to_value"}
    assert sens["fallback"].all()  # failures left holes, so both fell back
    judged = sens[sens["index"].isin(["S1", "median"])]
    assert judged["threshold"].notna().all()
    assert set(judged["significant"]) <= {True, False}
    meta = json.loads((folder / "sensitivity.json").read_text())["outcomes"]
    assert "points have no value" in meta["value_created"]["refusal"]
    for stem in ("conclusions", "plan"):
        assert (folder / f"{stem}.csv").is_file(), stem
    conclusions = pd.read_csv(folder / "conclusions.csv").set_index("outcome")
    assert set(conclusions.index) == {"value_created", "time_to_value"}
    plan = pd.read_csv(folder / "plan.csv")
    assert (plan["halve_runs"] > plan["now_runs"]).all()
    rules = pd.read_csv(folder / "rules.csv")
    assert {"value_creation", "graceful_exit", "failure"} <= set(rules["class"])
    boxes = pd.read_csv(folder / "prim_boxes.csv")
    assert boxes["density"].between(0, 1).all()
    assert boxes["test_p_value"].le(0.05).all()  # only boxes that hold on held-out runs
    kept = rules[rules["box"].notna()]
    assert kept["held_out"].all()
    assert (kept["n"] >= 20).all()
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["runs"]["failed"] > 0


def test_report_for_a_morris_design_without_classes(sweep_factory) -> None:
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    path = sweep_factory(
        "morris",
        outcomes=lambda x, rng: {"y": 4 * x[:, 0] + x[:, 1] ** 2},
        problem=problem,
        method="morris",
        n=20,
    )
    page, html = _parse(write_sweep_report(path, num_resamples=20))
    assert "could not be built" not in html
    assert set(page.ids) >= REQUIRED_IDS
    assert "does not apply" in page.section("sobol")
    assert "mu*" in " ".join(page.text["morris"]) or "Morris" in page.section("morris")
    assert "no outcome classes" in page.section("prim")
    assert "no outcome classes" in page.section("rules")
    assert "No run failed or timed out" in page.section("failures")
    assert "one finished replicate" in page.section("noise")


def test_analyse_returns_everything(sweep_factory) -> None:
    path = sweep_factory(
        "api",
        outcomes=lambda x, rng: {"y": ishigami(x)},
        n=64,
        classes={"high": ("y > 5", lambda v: v["y"] > 5)},
    )
    analysis = analyse(path, num_resamples=20, prim_options={"n_resamples": 3})
    assert list(analysis.sensitivity) == ["y"]
    assert analysis.indices["method"].eq("sobol").all()
    assert "y" in analysis.convergence.statements
    assert list(analysis.discovery) == ["high"]
    assert analysis.rules()["high"]
    assert analysis.failures is None
    assert analysis.notes() == []


def _many(count: int):
    def outcomes(x, rng):
        out = _journey(x, rng)
        for i in range(count - 2):
            out[f"extra_{i}"] = (i + 1) * x[:, i % 3] + rng.normal(0, 0.5, len(x))
        return out

    return outcomes


CLASSES = {
    "value_creation": ("value_created > 5", lambda v: v["value_created"] > 5),
    "graceful_exit": ("time_to_value > 14", lambda v: v["time_to_value"] > 14),
}


def _answered(sweep_factory, name: str, outcomes: int) -> Path:
    path = sweep_factory(
        name, outcomes=_many(outcomes), method="latin", n=400, replicates=2, classes=CLASSES
    )
    return write_sweep_report(
        path,
        num_resamples=30,
        prim_options={"n_resamples": 5},
        given_methods=("rbd_fast", "pawn"),
    )


def test_the_first_screen_answers_the_question(sweep_factory) -> None:
    page, _ = _parse(_answered(sweep_factory, "answer", 2))
    answer = page.section("answer")
    for heading in ("Value creation", "Graceful exit"):
        assert heading in answer
    # each class: its rule's conditions, coverage, density, n and held-out p
    for column in ("conditions", "held-out runs", "density", "coverage", "p"):
        assert column in answer
    assert "x2 >=" in answer or "x2 between" in answer  # sin(x2)^2 drives value created
    assert "x3 >=" in answer  # x3 drives time to value
    # and the parameters that matter for the outcome behind the class, with intervals
    assert "What matters for value created" in answer
    assert re.search(r"x2 0\.\d\d ± 0\.\d\d", answer), answer
    assert "What matters for time to value" in answer


def test_report_length_does_not_grow_with_the_number_of_outcomes(sweep_factory) -> None:
    _, few = _parse(_answered(sweep_factory, "few", 2))
    _, many = _parse(_answered(sweep_factory, "many", 14))
    assert few.count("Plotly.newPlot") == many.count("Plotly.newPlot")
    assert len(many) - len(few) < 60_000  # table rows, not figures


def test_report_is_reproducible(sweep_factory) -> None:
    path = sweep_factory("again", outcomes=_journey, n=64, replicates=2, classes=CLASSES)
    first = write_sweep_report(path, num_resamples=30, prim_options={"n_resamples": 5})
    html = first.read_bytes()
    tables = {p.name: p.read_bytes() for p in (path / "analysis").iterdir()}
    second = write_sweep_report(path, num_resamples=30, prim_options={"n_resamples": 5})
    assert second.read_bytes() == html
    assert {p.name: p.read_bytes() for p in (path / "analysis").iterdir()} == tables
