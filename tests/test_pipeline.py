"""The whole pipeline: scenario file -> sweep -> analysis -> report."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
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
    assert len(runs) == 16 * 5 * 2
    assert {"trust", "self_interest", "urgency", "achieved_share", "class_value_creation"} <= set(
        runs
    )
    report = write_sweep_report(out)
    assert report.is_file()
    rules = json.loads((out / "analysis" / "rules.json").read_text())
    classes = {r["class"] for r in rules}
    assert {"value_creation", "graceful_exit"} <= classes
    assert all(r["text"] for r in rules)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["root_seed"] == 1  # the scenario's seed is the sweep's root seed
    # a seconds-long sweep ranks nothing it cannot support
    conclusions = pd.read_csv(out / "analysis" / "conclusions.csv").set_index("outcome")
    for outcome in ("value_creation_share", "graceful_exit_share"):
        statement = conclusions.loc[outcome, "statement"]
        assert not conclusions.loc[outcome, "conclusive"] or "±" in statement, statement


DO_NOTHING = """
name: do-nothing
model: journey
seed: 11
parameters:
  n_organisations: 60
  steps: 208
  coalition_share: 0.0
sweep:
  parameters:
    trust: {uniform: [0.1, 0.9]}
    self_interest: {uniform: [0.0, 0.8]}
    coalition_size: {integers: [3, 60]}
  design: {method: sobol, n: 32, seed: 3}
  replicates: 2
  outcomes: [value_created, value_creation_share, failed_share]
"""


def test_a_parameter_that_does_nothing_is_indistinguishable_from_zero(tmp_path: Path) -> None:
    """coalition_size does nothing while coalition_share is 0 (same seed, same run)."""
    from sim.analysis import load_sweep, outcome_sensitivity
    from sim.analysis.data import point_response
    from sim.analysis.sobol import Resampling, sobol_indices
    from sim.runs import evaluate

    base = {"n_organisations": 30, "steps": 208, "coalition_share": 0.0}
    np.testing.assert_equal(  # (NaN equal to NaN: an undefined measure alike)
        evaluate(base | {"coalition_size": 3}, 7), evaluate(base | {"coalition_size": 60}, 7)
    )
    scenario = tmp_path / "do-nothing.yaml"
    scenario.write_text(DO_NOTHING)
    out = tmp_path / "sweep"
    runs = sim.sweep(scenario, out_dir=out, workers=2)
    assert len(runs) == 32 * 5 * 2
    data = load_sweep(out)
    acting = []  # whether trust or self-interest stands out, per outcome
    for outcome in data.outcomes:
        result = outcome_sensitivity(data, outcome)
        assert result.methods == ["sobol"], result.notes
        st = result.indices[result.indices["index"] == "ST"].set_index("parameter")
        assert not st.loc["coalition_size", "significant"], outcome
        assert abs(st.loc["coalition_size", "value"]) <= st.loc["coalition_size", "conf"]
        assert "coalition_size" not in result.ranking()
        acting.append(bool(st.loc[["trust", "self_interest"], "significant"].any()))
        # and without removing the noise, the do-nothing parameter would look influential
        response = point_response(data, outcome)
        naive = sobol_indices(
            response.mean, None, d=3, second_order=False, resampling=Resampling(100, 0.95, 11)
        )
        assert naive.st[2] - naive.st_conf[2] > 0, outcome
    # the parameters that act on the journey still stand out (on at least two of the
    # three outcomes at this size; the noise of 60 organisations is large)
    assert sum(acting) >= 2, acting


def test_report_plan_on_the_command_line(tmp_path: Path, support_on_path: None) -> None:
    scenario = tmp_path / "noisy.yaml"
    scenario.write_text(
        """
name: noisy
model: support_models:ishigami
seed: 3
sweep:
  parameters:
    x1: {uniform: [-3.14, 3.14]}
    x2: {uniform: [-3.14, 3.14]}
    x3: {uniform: [-3.14, 3.14]}
  design: {method: sobol, n: 64, seed: 11}
  replicates: 2
  outcomes: [y_noisy]
  classes:
    high: "y_noisy >= 7"
"""
    )
    out = tmp_path / "sweep"
    sim.sweep(scenario, out_dir=out, workers=1)
    result = subprocess.run(
        [sys.executable, "-m", "sim.cli", "report", str(out), "--plan"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "wrote" in text
    assert "y noisy: to halve the widest 95% interval" in text
    assert re.search(r"run n = \d[\d,]* base samples with \d replicates? \([\d,]+ runs", text)
    plan = pd.read_csv(out / "analysis" / "plan.csv")
    assert plan.loc[0, "outcome"] == "y_noisy"
    assert plan.loc[0, "halve_runs"] > plan.loc[0, "now_runs"]
