"""The command line for people: exit codes, choices, --version, folders never overwritten,
headline outcomes with units, and the Python API's keyword names."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim
from sim.cli import EXIT_RUNS_FAILED, app

ENGINE_TESTS = Path(__file__).resolve().parent / "engine"
SWEEP = """name: {name}
model: {model}
seed: 4
sweep:
  parameters:
    x1: {{uniform: [-3.14, 3.14]}}
    x2: {{uniform: [-3.14, 3.14]}}
    x3: {{uniform: [-3.14, 3.14]}}
  design: {{method: latin, n: 8, seed: 2}}
"""
TINY = "name: tiny\nseed: 3\nparameters:\n  n_organisations: 20\n  steps: 20\n"


def run_cli(*args: object):
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result, " ".join(result.output.split())


def sweep_file(tmp_path: Path, model: str) -> Path:
    path = tmp_path / f"{model.split(':')[1]}.yaml"
    path.write_text(SWEEP.format(name=model.split(":")[1], model=model))
    return path


@pytest.fixture(autouse=True)
def engine_models(monkeypatch):
    monkeypatch.syspath_prepend(str(ENGINE_TESTS))


def test_a_sweep_with_failed_runs_exits_3_unless_failures_are_accepted(tmp_path):
    path = sweep_file(tmp_path, "support_models:flaky")
    out = tmp_path / "s"
    result, text = run_cli("sweep", path, "--out", out, "--workers", "1")
    assert result.exit_code == EXIT_RUNS_FAILED == 3, text
    assert "sweep flaky: done" in text
    assert "failed 0" not in text
    assert "timeout 0, crashed 0; 8 runs stored in" in text
    assert "runs did not finish (exit 3; --accept-failures to exit 0)" in text
    result, text = run_cli("sweep", path, "--out", out, "--workers", "1", "--accept-failures")
    assert result.exit_code == 0, text


def test_a_sweep_whose_runs_all_finish_exits_0(tmp_path):
    path = sweep_file(tmp_path, "support_models:ishigami")
    result, text = run_cli("sweep", path, "--out", tmp_path / "s", "--workers", "1")
    assert result.exit_code == 0, text
    assert "done 8, failed 0, timeout 0, crashed 0; 8 runs stored in" in text


def test_backend_is_a_choice():
    result, text = run_cli("sweep", "x.yaml", "--backend", "slurm")
    assert result.exit_code == 2
    assert "'slurm' is not one of 'local', 'dask', 'serial'" in text


def test_version_and_help_without_type_labels():
    result, text = run_cli("--version")
    assert result.exit_code == 0
    assert text == f"consim {sim.__version__}"
    for command in ("run", "sweep", "report", "validate", "app"):
        result, text = run_cli(command, "--help")
        assert result.exit_code == 0, text
        assert "<bool>" not in text, command
    _, text = run_cli("sweep", "--help")
    assert "--backend <local|dask|serial>" in text
    assert "--accept-failures" in text


def test_the_run_summary_leads_with_headline_outcomes_and_units(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    result, text = run_cli("run", scenario, "--out", tmp_path / "out")
    assert result.exit_code == 0, text
    lines = result.output.splitlines()
    rows = [line for line in lines if "│" in line or "|" in line]
    first = next(i for i, line in enumerate(rows) if "share" in line)
    assert "value creation share" in rows[first]
    assert "lapsed share" in rows[first + 1]
    assert "%" in rows[first]
    assert any("time to value" in row and "weeks" in row for row in rows)
    assert "outcome shares are of started initiatives" in text


def test_set_and_seed_never_overwrite_another_runs_folder(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "sim.cli", "run", str(scenario), *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
        )

    assert run().returncode == 0
    assert run("--set", "trust=0.9").returncode == 0
    assert run("--seed", "8").returncode == 0
    runs = tmp_path / "results" / "runs"
    assert sorted(p.name for p in runs.iterdir()) == ["tiny-3", "tiny-3-trust=0.9", "tiny-8"]
    plain = json.loads((runs / "tiny-3" / "summary.json").read_text())
    changed = json.loads((runs / "tiny-3-trust=0.9" / "summary.json").read_text())
    assert plain["parameters"]["trust"] == 0.5
    assert changed["parameters"]["trust"] == 0.9
    again = run()  # the same run again may replace itself
    assert again.returncode == 0, again.stderr


def test_out_of_an_existing_run_is_refused_unless_asked(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    out = tmp_path / "mine"
    result, text = run_cli("run", scenario, "--out", out)
    assert result.exit_code == 0, text
    before = (out / "summary.json").read_text()
    result, text = run_cli("run", scenario, "--out", out, "--set", "trust=0.9")
    assert result.exit_code == 2
    assert f"--out {out}: holds a run already; pass --overwrite to replace it" in text
    assert (out / "summary.json").read_text() == before
    result, text = run_cli("run", scenario, "--out", out, "--set", "trust=0.9", "--overwrite")
    assert result.exit_code == 0, text
    assert json.loads((out / "summary.json").read_text())["parameters"]["trust"] == 0.9


def test_python_sweep_takes_the_readme_keywords(tmp_path):
    path = sweep_file(tmp_path, "support_models:ishigami")
    frame = sim.sweep(path, out=tmp_path / "s", workers=1)
    assert len(frame) == 8
    assert (tmp_path / "s" / "manifest.json").is_file()


def test_a_dask_sweep_prints_its_dashboard(tmp_path, capsys):
    path = sweep_file(tmp_path, "support_models:ishigami")
    sim.sweep(path, out=tmp_path / "s", workers=2, backend="dask", progress=True)
    err = capsys.readouterr().err
    assert "sweep ishigami: Dask dashboard at http://127.0.0.1:" in err


def test_a_sweep_runs_with_the_assumptions_its_scenario_sets(tmp_path):
    from sim.engine import load_manifest
    from sim.runs import evaluate

    path = tmp_path / "assumed.yaml"
    path.write_text(
        "name: assumed\nseed: 2\nparameters: {n_organisations: 20, steps: 40}\n"
        "assumptions: {viability_mean: 0.2, max_turn_backs: 0}\n"
        "sweep:\n  parameters:\n    trust: {uniform: [0.3, 0.7]}\n"
        "  design: {method: latin, n: 2, seed: 1}\n"
        "  outcomes: [initiatives_started, value_created]\n"
    )
    runs = sim.sweep(path, out=tmp_path / "s", workers=1)
    base = load_manifest(tmp_path / "s")["base_params"]
    assert base["viability_mean"] == 0.2
    assert base["max_turn_backs"] == 0
    row = runs.iloc[0]
    settings = {"n_organisations": 20, "steps": 40, "viability_mean": 0.2, "max_turn_backs": 0}
    want = evaluate({**settings, "trust": float(row["trust"])}, int(row["seed"]))
    assert row["value_created"] == want["value_created"]
