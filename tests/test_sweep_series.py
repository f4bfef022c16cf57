"""Per-week outcomes of the built-in models' sweeps, from a scenario to sim.analysis."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from sim.analysis import load_series
from sim.io.scenario import parse_scenario
from sim.sweeps import sweep_scenario

JOURNEY = {
    "name": "weekly",
    "seed": 2,
    "parameters": {"n_organisations": 20, "steps": 18},
    "sweep": {
        "parameters": {"trust": {"uniform": [0.2, 0.8]}},
        "design": {"method": "latin", "n": 2, "seed": 1},
        "outcomes": ["mean_trust", "initiatives_started", "value_created"],
        "timeseries": {"outcomes": ["mean_trust", "initiatives_started"], "every": 4},
    },
}


def test_journey_series_leave_the_runs_unchanged_and_end_at_their_outcome(tmp_path):
    runs = sweep_scenario(parse_scenario(JOURNEY), out=tmp_path / "s", workers=1)
    plain = {**JOURNEY, "sweep": {k: v for k, v in JOURNEY["sweep"].items() if k != "timeseries"}}
    without = sweep_scenario(parse_scenario(plain), out=tmp_path / "p", workers=1)
    pd.testing.assert_frame_equal(runs.drop(columns="elapsed_s"), without.drop(columns="elapsed_s"))
    series = load_series(tmp_path / "s")
    assert list(series.columns) == ["point", "replicate", "week", "outcome", "value"]
    assert sorted(series.week.unique()) == [0, 4, 8, 12, 16, 18]  # every 4 weeks and the last
    last = series[series.week == 18].pivot_table(index="point", columns="outcome", values="value")
    for name in ("mean_trust", "initiatives_started"):
        assert last[name].tolist() == runs[name].tolist()
    started = series[series.outcome == "initiatives_started"].groupby("point").value
    assert started.apply(lambda v: v.is_monotonic_increasing).all()


def test_team_assembly_series_are_per_tick(tmp_path):
    scenario = parse_scenario(
        {
            "model": "team_assembly",
            "parameters": {"steps": 12},
            "sweep": {
                "parameters": {"incumbent_p": {"uniform": [0.2, 0.8]}},
                "design": {"method": "latin", "n": 2, "seed": 1},
                "timeseries": {"outcomes": ["giant_component_share"], "every": 5},
            },
        }
    )
    runs = sweep_scenario(scenario, out=tmp_path / "s", workers=1)
    series = load_series(tmp_path / "s")
    assert sorted(series.week.unique()) == [0, 5, 10, 12]
    last = series[series.week == 12].set_index("point").value
    assert last.tolist() == runs.giant_component_share.tolist()


def test_the_readme_reads_the_shipped_weekly_sweep_with_pandas(tmp_path, monkeypatch):
    root = Path(__file__).resolve().parents[1]
    data = yaml.safe_load((root / "scenarios" / "sweeps" / "weekly.yaml").read_text())
    data["parameters"] = {"n_organisations": 20, "steps": 12}  # the same sweep, smaller
    data["sweep"]["design"]["n"] = 4
    data["sweep"]["replicates"] = 1
    monkeypatch.chdir(tmp_path)
    sweep_scenario(parse_scenario(data), workers=1)  # into results/sweeps/weekly
    readme = (root / "README.md").read_text()
    code = readme.split("scenarios/sweeps/weekly.yaml`:\n\n```python\n")[1].split("```")[0]
    *statements, last = code.strip().splitlines()
    namespace: dict = {}
    exec("\n".join(statements), namespace)
    table = eval(last.split("#")[0], namespace)  # mean trust by week, low and high trust
    assert table.index.name == "week"
    assert table.index.max() == 12
    assert table.notna().all().all()
    assert set(namespace["series"].outcome) == set(data["sweep"]["timeseries"]["outcomes"])
