"""consim calibrate on a cheap model whose answer is known: it finds it, reports the fit,
writes a calibrated scenario, and resumes after a kill without losing or repeating runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from sim.calibrate import POINTS, Calibration, calibrate
from sim.cli import app
from sim.engine.store import Store
from sim.io.scenario import load_scenario
from tests.engine.support_models import COUNTER_ENV

MODEL = "tests.engine.support_models:shares"
TARGETS = {
    "name": "toy-targets",
    "targets": {
        "success": {"value": 0.15, "tolerance": 0.05, "source": "toy"},
        "failure": {"value": 0.34, "tolerance": 0.05, "source": "toy"},
        "between": {"range": [0.45, 0.6], "tolerance": 0.05, "use": "check", "source": "toy"},
    },
    "vary": {"x": [0.0, 1.0], "y": [0.0, 1.0]},
    "search": {
        "trials": 24,
        "batch": 6,
        "replicates": 3,
        "refine": 3,
        "refine_replicates": 9,
        "check_replicates": 20,
        "seed": 4,
    },
}


def files(tmp_path: Path, **search: int) -> tuple[Path, Path]:
    scenario = tmp_path / "toy.yaml"
    scenario.write_text(yaml.safe_dump({"name": "toy", "model": MODEL, "parameters": {}}))
    targets = tmp_path / "toy-targets.yaml"
    data = {**TARGETS, "search": {**TARGETS["search"], **search}}
    targets.write_text(yaml.safe_dump(data))
    return scenario, targets


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Calibration]:
    """One uninterrupted calibration of the toy model, shared by the tests below."""
    folder = tmp_path_factory.mktemp("whole")
    scenario, targets = files(folder)
    return folder, calibrate(scenario, targets, out=folder / "cal", workers=1)


def test_calibration_finds_the_known_answer_and_reports_it(
    whole: tuple[Path, Calibration],
) -> None:
    tmp_path, result = whole
    assert abs(result.chosen["x"] - 0.25) < 0.1
    assert abs(result.chosen["y"] - 0.4) < 0.15
    fits = {f["measure"]: f for f in result.fits}
    assert fits["success"]["within_tolerance"] and fits["failure"]["within_tolerance"]
    assert fits["between"]["use"] == "check"
    assert fits["success"]["seeds"] == 20  # the check runs, fresh seeds
    assert fits["success"]["ci_low"] < fits["success"]["mean"] < fits["success"]["ci_high"]
    assert result.counts == {
        "candidates": 24,
        "refined": 3,
        "search_runs": 24 * 3 + 3 * 6,
        "check_runs": 20,
    }
    for name in ("x", "y"):
        spread = result.spread[name]
        assert spread["low"] <= result.chosen[name] <= spread["high"] or result.chosen_share < 1
    assert result.regions[0]["setting"] == result.chosen
    report = (tmp_path / "cal" / "report.md").read_text()
    assert "Fit per target" in report and "Other regions" in report
    calibrated = load_scenario(tmp_path / "cal" / "calibrated.yaml")
    assert calibrated.parameters == result.chosen
    assert "consim calibrate" in (tmp_path / "cal" / "calibrated.yaml").read_text()


def test_changed_targets_are_refused_until_fresh(tmp_path: Path) -> None:
    scenario, targets = files(tmp_path, trials=6, refine=0)
    calibrate(scenario, targets, out=tmp_path / "cal", workers=1)
    _, changed = files(tmp_path, trials=6, refine=0, replicates=2)
    with pytest.raises(Exception, match=r"other settings.*--fresh"):
        calibrate(scenario, changed, out=tmp_path / "cal", workers=1)
    again = calibrate(scenario, changed, out=tmp_path / "cal", workers=1, fresh=True)
    assert again.counts["search_runs"] == 6 * 2


def stored_runs(folder: Path) -> int:
    table = Store(folder).read_columns(["point"])
    return 0 if table is None else table.num_rows


def test_a_killed_calibration_resumes_as_if_never_stopped(
    tmp_path: Path, whole: tuple[Path, Calibration], monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario, targets = files(tmp_path)
    whole_folder, whole = whole
    out, counter = tmp_path / "killed", tmp_path / "runs.txt"
    monkeypatch.setenv(COUNTER_ENV, str(counter))
    env = dict(os.environ, SIM_SWEEP_TEST_SLEEP="0.03")
    command = [sys.executable, "-m", "sim.cli", "calibrate", str(scenario)]
    child = subprocess.Popen(
        [*command, "--targets", str(targets), "--out", str(out), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(Store(out / "search").part_paths()) < 2:
            time.sleep(0.05)
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    kept = stored_runs(out / "search") + stored_runs(out / "check")
    total = whole.counts["search_runs"] + whole.counts["check_runs"]
    assert 0 < kept < total, "stopped part-way, with runs stored"
    before = len(counter.read_text().splitlines())
    resumed = calibrate(scenario, targets, out=out, workers=1)
    assert resumed.chosen == whole.chosen
    assert resumed.fits == whole.fits
    pd.testing.assert_frame_equal(
        pd.read_csv(out / POINTS), pd.read_csv(whole_folder / "cal" / POINTS)
    )
    stored = Store(out / "search").read_columns(["point", "replicate"]).to_pandas()
    assert not stored.duplicated().any()
    assert len(stored) == whole.counts["search_runs"]
    # only the runs not stored at the kill were run again
    assert len(counter.read_text().splitlines()) - before == total - kept


def test_bad_target_file_gives_one_line_naming_file_and_field(tmp_path: Path) -> None:
    scenario, _ = files(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "targets:\n  success: {value: 0.1, tolerance: 0, source: x}\nvary: {x: [0, 1]}\n"
    )
    done = CliRunner().invoke(app, ["calibrate", str(scenario), "--targets", str(bad)])
    assert done.exit_code == 2
    text = " ".join(done.output.split())
    assert text.count("error:") == 1, done.output
    assert str(bad) in text and "targets.success.tolerance" in text
    assert "Traceback" not in done.output
