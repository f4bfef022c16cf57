"""Loading the sweep store: every gap is tolerated and reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis import availability, load_sweep, point_values, run_summary


def _status(x, point, replicate):
    status = np.full(len(point), "done", dtype=object)
    status[(point == 3) & (replicate == 1)] = "failed"
    status[(point == 4)] = "timeout"
    return status


def test_load_complete_store(sweep_factory, ishigami_outcomes) -> None:
    path = sweep_factory(
        "full",
        outcomes=ishigami_outcomes,
        n=16,
        replicates=2,
        status=_status,
        part_rows=50,
        classes={"big": ("y > 5", lambda v: v["y"] > 5)},
    )
    assert len(list((path / "runs").glob("part-*.parquet"))) == 6
    data = load_sweep(path)
    assert data.problems == []
    assert data.method == "sobol"
    assert data.params == ["x1", "x2", "x3"]
    assert data.outcomes == ["y"]
    assert data.classes == {"big": "y > 5"}
    assert data.replicates == 2
    assert data.n_points == 128
    assert len(data.runs) == 256
    assert data.runs["class_big"].dtype == "boolean"
    # unfinished runs have a null class and a NaN outcome
    bad = data.runs["status"] != "done"
    assert data.runs.loc[bad, "class_big"].isna().all()
    assert data.runs.loc[bad, "y"].isna().all()
    stats = point_values(data, "y")
    assert stats.loc[3, "n"] == 1
    assert stats.loc[4, "n"] == 0
    assert np.isnan(stats.loc[4, "mean"])
    summary = run_summary(data)
    assert (summary["done"], summary["failed"], summary["timeout"]) == (253, 1, 2)
    table = availability(data).set_index("name")
    assert table.loc["y", "points_without_value"] == 1
    assert table.loc["y", "points_partial"] == 1
    assert table.loc["big", "kind"] == "class"
    assert table.loc["big", "missing"] == 3


def test_class_columns_of_an_older_store_are_read(sweep_factory, ishigami_outcomes) -> None:
    """Stores written by version 0.1 name class columns class:<name>; some parts may be newer."""
    import pyarrow.parquet as pq

    from sim.analysis import discover

    classes = {"big": ("y > 5", lambda v: v["y"] > 5)}
    path = sweep_factory("old", outcomes=ishigami_outcomes, n=64, part_rows=100, classes=classes)
    expected = load_sweep(path).class_column("big").to_numpy()
    parts = sorted((path / "runs").glob("part-*.parquet"))
    for part in parts[::2]:  # every other part as the older version wrote it
        table = pq.read_table(part)
        names = [n.replace("class_", "class:") for n in table.column_names]
        pq.write_table(table.rename_columns(names), part)
    assert "class:big" in pq.read_schema(parts[0]).names
    data = load_sweep(path)
    assert data.problems == []
    assert data.classes == {"big": "y > 5"}
    assert [c for c in data.runs.columns if "big" in c] == ["class_big"]
    np.testing.assert_array_equal(data.class_column("big").to_numpy(), expected)
    assert discover(data, "big", n_resamples=5).n == 512


def test_missing_parts_are_reported(tmp_path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    data = load_sweep(empty)
    text = " ".join(data.problems)
    assert "manifest.json is missing" in text
    assert "design.parquet is missing" in text
    assert "no run parts found" in text
    assert data.n_points == 0
    assert data.runs.empty
    with pytest.raises(FileNotFoundError):
        load_sweep(tmp_path / "nowhere")


def test_interrupted_sweep_counts_runs_not_run(sweep_factory, ishigami_outcomes) -> None:
    path = sweep_factory("cut", outcomes=ishigami_outcomes, n=16, part_rows=40)
    parts = sorted((path / "runs").glob("part-*.parquet"))
    parts[-1].unlink()  # the sweep stopped before writing its last part
    data = load_sweep(path)
    table = availability(data).set_index("name")
    assert table.loc["y", "not_run"] == 128 - 120
    assert table.loc["y", "expected"] == 128
    assert "8 not run" in table.loc["y", "statement"]


def test_damaged_part_and_duplicates(sweep_factory, ishigami_outcomes) -> None:
    path = sweep_factory("damaged", outcomes=ishigami_outcomes, n=16, part_rows=64)
    parts = sorted((path / "runs").glob("part-*.parquet"))
    # A resumed sweep wrote run 0 again, once failed; the other record finished.
    first = pd.read_parquet(parts[0])
    again = first.iloc[:1].assign(status="failed", y=np.nan)
    again.to_parquet(path / "runs" / "part-99999.parquet", index=False)
    (path / "runs" / "part-99998.parquet").write_bytes(b"not parquet at all")
    data = load_sweep(path)
    text = " ".join(data.problems)
    assert "part-99998.parquet could not be read" in text
    assert "1 duplicated run record(s)" in text
    assert len(data.runs) == 128
    row = data.runs[(data.runs["point"] == 0) & (data.runs["replicate"] == 0)]
    assert row["status"].item() == "done"


def test_manifest_without_lists_is_inferred(sweep_factory, ishigami_outcomes) -> None:
    path = sweep_factory(
        "bare",
        outcomes=ishigami_outcomes,
        n=8,
        classes={"big": ("y > 5", lambda v: v["y"] > 5)},
    )
    (path / "manifest.json").write_text("{}", encoding="utf-8")
    data = load_sweep(path)
    assert data.outcomes == ["y"]
    assert list(data.classes) == ["big"]
    assert data.params == ["x1", "x2", "x3"]
    assert data.method == "unknown"
    assert data.problem["bounds"][0][0] >= -np.pi


def test_choice_columns_are_coded(store_writer, tmp_path) -> None:
    design = pd.DataFrame(
        {
            "point": np.arange(6),
            "form": pd.array(["legal", "joint", "collective"] * 2, dtype="str"),
            "size": np.array([2, 3, 4, 5, 6, 7]),
        }
    )
    runs = pd.DataFrame(
        {
            "point": np.arange(6),
            "replicate": 0,
            "seed": 1,
            "status": "done",
            "error": "",
            "elapsed_s": 0.1,
            "v": np.arange(6.0),
        }
    )
    manifest = {
        "design": {"method": "file"},
        "outcomes": ["v"],
        "scenario": {
            "sweep": {"parameters": {"form": {"choice": ["joint", "legal", "collective"]}}}
        },
    }
    data = load_sweep(store_writer(tmp_path / "c", manifest=manifest, design=design, runs=runs))
    codes, labels = data.coded("form")
    assert labels == ["joint", "legal", "collective"]
    assert codes.tolist() == [1.0, 0.0, 2.0, 1.0, 0.0, 2.0]
    assert data.design_matrix(["form", "size"]).shape == (6, 2)
