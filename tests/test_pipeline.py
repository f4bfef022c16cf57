"""The whole pipeline: scenario file -> sweep -> analysis -> report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.analysis import SensitivityWarning
from sim.report.sweep_report import write_sweep_report

SUPPORT = Path(__file__).resolve().parent / "engine"
ISHIGAMI_S1 = {"x1": 0.314, "x2": 0.442, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.558, "x2": 0.442, "x3": 0.244}
TOLERANCE = 0.06  # absolute, for 2,048 Saltelli base samples


@pytest.fixture
def support_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(SUPPORT))
    monkeypatch.setenv("PYTHONPATH", str(SUPPORT))
    assert "support_models" in {p.stem for p in SUPPORT.glob("*.py")}
    sys.modules.pop("support_models", None)


def test_sobol_recovers_known_indices(tmp_path: Path, support_on_path: None) -> None:
    pi = 3.141592653589793
    scenario = tmp_path / "ishigami.yaml"
    scenario.write_text(
        f"""
name: ishigami
model: support_models:ishigami
seed: 3
parameters: {{a: 7.0, b: 0.1}}
sweep:
  parameters:
    x1: {{uniform: [{-pi}, {pi}]}}
    x2: {{uniform: [{-pi}, {pi}]}}
    x3: {{uniform: [{-pi}, {pi}]}}
  design: {{method: sobol, n: 2048, seed: 11}}
  outcomes: [y]
  classes:
    high: "y >= 7"
"""
    )
    out = tmp_path / "sweep"
    runs = sim.sweep(scenario, out_dir=out, workers=1)
    assert len(runs) == 2048 * 5
    assert (runs["status"] == "done").all()
    write_sweep_report(out)
    indices = pd.read_csv(out / "analysis" / "sensitivity.csv")
    sobol = indices[(indices["outcome"] == "y") & (indices["method"] == "sobol")]
    assert not sobol.empty
    for index, truth in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
        got = sobol[sobol["index"] == index].set_index("parameter")["value"]
        for name, value in truth.items():
            assert got[name] == pytest.approx(value, abs=TOLERANCE), (index, name)
    html = (out / "report.html").read_text()
    for section_id in ("sobol", "convergence", "prim", "rules", "provenance"):
        assert f'id="{section_id}"' in html


def test_journey_smoke_sweep_reports_rules(tmp_path: Path, root: Path) -> None:
    out = tmp_path / "smoke"
    runs = sim.sweep(root / "scenarios" / "sweeps" / "smoke.yaml", out_dir=out, workers=1)
    assert len(runs) == 40
    assert {"trust", "self_interest", "urgency", "achieved_share", "class_value_creation"} <= set(
        runs
    )
    # tiny runs leave some measures undefined (NaN); the analysis must say so, not hide it
    with pytest.warns(SensitivityWarning, match="sobol refused"):
        report = write_sweep_report(out)
    assert report.is_file()
    rules = json.loads((out / "analysis" / "rules.json").read_text())
    classes = {r["class"] for r in rules}
    assert {"value_creation", "graceful_exit"} <= classes
    assert all(r["text"] for r in rules)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["root_seed"] == 1  # the scenario's seed is the sweep's root seed
