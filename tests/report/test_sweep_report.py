"""The sweep report: every section present, self-contained, with machine-readable copies."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import SensitivityWarning, analyse
from sim.report.sweep_report import write_sweep_report
from tests.analysis.conftest import ishigami, make_sweep

REQUIRED_IDS = {
    "runs",
    "distributions",
    "sobol",
    "morris",
    "convergence",
    "noise",
    "prim",
    "rules",
    "tree",
    "parallel",
    "failures",
    "provenance",
}


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
    status = np.full(len(point), "done", dtype=object)
    status[x[:, 2] > 2.9] = "failed"
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
    page, _ = _parse(sobol_report)
    missing = REQUIRED_IDS - {k for k, v in page.ids.items() if v == "section"}
    assert not missing
    assert "could not be built" not in sobol_report.read_text(encoding="utf-8")


def test_report_is_self_contained(sobol_report: Path) -> None:
    page, html = _parse(sobol_report)
    assert all(not s.get("src") for s in page.scripts)
    assert not any(link.get("href", "").startswith("http") for link in page.links)
    # The library itself is inlined, exactly once, before any figure.
    assert html.count("* plotly.js v") == 1
    assert len(html) > 3_000_000
    assert html.index("* plotly.js v") < html.index("Plotly.newPlot")
    assert html.count("Plotly.newPlot") >= 8


def test_report_content(sobol_report: Path) -> None:
    page, _ = _parse(sobol_report)
    runs = page.section("runs")
    assert "sobol" in runs
    assert "runs failed" in runs
    # failures are named and the design-bound method says it refused
    sobol = page.section("sobol")
    assert "sobol refused value_created" in sobol
    assert "points have none" in sobol
    assert "Fall-back" in page.section("given-data")
    assert "does not apply" in page.section("morris")
    assert "does not apply" in page.section("fast")
    assert "ranking" in page.section("convergence")
    assert "within-point noise" in page.section("noise")
    rules = page.section("rules")
    assert "In " in rules
    assert "value-creation runs" in rules
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
    meta = json.loads((folder / "sensitivity.json").read_text())["outcomes"]
    assert "points have none" in meta["value_created"]["refusal"]
    rules = pd.read_csv(folder / "rules.csv")
    assert {"value_creation", "graceful_exit", "failure"} <= set(rules["class"])
    boxes = pd.read_csv(folder / "prim_boxes.csv")
    assert boxes["density"].between(0, 1).all()
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
