"""`consim run` writes every promised file, and the HTML holds the promised figures."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

from sim.io.records import RUN_FILES
from sim.journey.stages import JOURNEY_STAGES


def test_run_writes_every_file(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text("name: tiny\nseed: 3\nparameters:\n  n_organisations: 30\n  steps: 60\n")
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim.cli",
            "run",
            str(scenario),
            "--out",
            str(out),
            "--set",
            "trust=0.7",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "achieved share" in result.stdout
    for name in RUN_FILES:
        assert (out / name).is_file(), name

    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 3
    assert summary["parameters"]["trust"] == 0.7
    assert set(summary["outcome_shares"]) == {
        "achieved",
        "evolved",
        "graceful_exit",
        "drifted_apart",
        "stalled",
        "failed",
    }
    assert "mesa" in summary["versions"]

    ini = pd.read_parquet(out / "initiatives.parquet")
    for col in ("id", "kind", "members", "champion", "outcome", "reason", "value"):
        assert col in ini.columns
    for stage in JOURNEY_STAGES:
        assert f"entered_{stage.name.lower()}" in ini.columns
        assert f"exited_{stage.name.lower()}" in ini.columns
    ended = ini[ini["stage"] == "ended"]
    assert len(ended) > 0
    assert ended["ended_tick"].notna().all()
    assert (ended["ended_tick"] >= ended["entered_latent_value"]).all()
    live = ini[ini["stage"] != "ended"]
    assert live["ended_tick"].isna().all()
    timeline = pd.read_parquet(out / "timeline.parquet")
    assert len(timeline) == 61
    assert {"tick", "orgs_idle", "orgs_journeying", "active_initiatives", "mean_trust"} <= set(
        timeline
    )
    teams = pd.read_parquet(out / "team_trust.parquet")
    assert list(teams.columns) == ["tick", "initiative", "stage", "members", "team_trust"]
    assert len(teams) > 0
    assert teams["team_trust"].between(0, 1).all()
    assert set(teams["initiative"]) <= set(ini["id"])
    events = pd.read_parquet(out / "events.parquet")
    assert (events["kind"] == "transition").any()

    html = (out / "report.html").read_text()
    for div in ("fig-stages", "fig-sankey", "fig-trust", "fig-network"):
        assert f'id="{div}"' in html, div
    assert "Sankey" in html or "sankey" in html
    assert not re.search(r"<script[^>]+src=", html), "report must not load scripts from elsewhere"
    assert "plotly.js" in html


def test_default_output_folder(tmp_path: Path, root: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim.cli",
            "run",
            str(root / "scenarios" / "team-assembly.yaml"),
            "--steps",
            "50",
            "--seed",
            "5",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "results" / "runs" / "team-assembly-5-steps=50"  # what changed
    assert (folder / "report.html").is_file()
    assert "giant component share" in result.stdout


def test_python_api_returns_the_same_records(root: Path) -> None:
    import sim

    record = sim.run(root / "scenarios" / "baseline.yaml", seed=9, steps=30)
    assert record.seed == 9
    assert len(record.timeline) == 31
    assert set(record.measures) >= {"achieved_share", "mean_trust", "giant_component_share"}
