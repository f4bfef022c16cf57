"""Sensitivity indices through the sweep store, against functions with known answers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from sim.analysis import (
    SensitivityWarning,
    availability,
    load_sweep,
    outcome_sensitivity,
    sensitivity,
)

from .conftest import ishigami

# Ishigami (a=7, b=0.1): analytic first-order and total indices, and S13.
S1_TRUE = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ST_TRUE = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}
S13_TRUE = 0.2437
TOL = 0.03  # absolute, at N=1024 base samples (8192 runs)


def _index(frame, method: str, index: str) -> dict[str, float]:
    rows = frame[(frame["method"] == method) & (frame["index"] == index)]
    return dict(zip(rows["parameter"], rows["value"], strict=True))


def test_sobol_ishigami_through_the_store(sweep_factory, ishigami_outcomes) -> None:
    # Two replicates of a deterministic function: the noise is measured as zero, so the
    # total-order indices can be judged (with one replicate they could include noise).
    path = sweep_factory("ishigami", outcomes=ishigami_outcomes, n=1024, replicates=2)
    data = load_sweep(path)
    assert data.problems == []
    result = outcome_sensitivity(data, "y", seed=1)
    assert result.methods == ["sobol"]
    assert not result.fallback
    assert result.refusal is None
    s1 = _index(result.indices, "sobol", "S1")
    st = _index(result.indices, "sobol", "ST")
    for name, value in S1_TRUE.items():
        assert s1[name] == pytest.approx(value, abs=TOL), name
        assert st[name] == pytest.approx(ST_TRUE[name], abs=TOL), name
    s2 = result.indices[result.indices["index"] == "S2"].set_index(["parameter", "parameter2"])
    assert s2.loc[("x1", "x3"), "value"] == pytest.approx(S13_TRUE, abs=0.06)
    assert abs(s2.loc[("x1", "x2"), "value"]) < 0.06
    conf = result.indices["conf"].to_numpy()
    assert np.all(np.isfinite(conf))
    assert np.all(conf > 0)
    assert result.ranking() == ["x1", "x2", "x3"]
    assert result.noise_removed
    assert any("replicate noise (0% of the variance" in n for n in result.notes)
    # every index row carries its threshold and verdict; S1 of x3 is zero in truth
    assert (result.indices["threshold"] == 0).all()
    assert not s1_significant(result.indices)["x3"]
    assert s1_significant(result.indices)["x2"]


def s1_significant(frame) -> dict[str, bool]:
    rows = frame[(frame["method"] == "sobol") & (frame["index"] == "S1")]
    return dict(zip(rows["parameter"], rows["significant"].astype(bool), strict=True))


def test_sobol_without_second_order(sweep_factory, ishigami_outcomes) -> None:
    path = sweep_factory("first", outcomes=ishigami_outcomes, n=512, second_order=False)
    frame = sensitivity(load_sweep(path))
    assert set(frame["index"]) == {"S1", "ST"}
    st = _index(frame, "sobol", "ST")
    assert st["x1"] == pytest.approx(ST_TRUE["x1"], abs=0.05)


def test_replicates_use_point_means(sweep_factory) -> None:
    def noisy(x, rng):
        return {"y": ishigami(x) + rng.normal(0, 1.0, len(x))}

    path = sweep_factory("reps", outcomes=noisy, n=512, replicates=4)
    result = outcome_sensitivity(load_sweep(path), "y")
    assert result.n_points == 512 * 8
    assert any("mean of up to 4 replicates" in n for n in result.notes)
    s1 = _index(result.indices, "sobol", "S1")
    # Means of 4 replicates keep ~98% of the variance in the parameters.
    assert s1["x2"] == pytest.approx(S1_TRUE["x2"], abs=0.05)


def test_morris_ranks_inputs(sweep_factory) -> None:
    problem = {"num_vars": 4, "names": ["a", "b", "c", "d"], "bounds": [[0, 1]] * 4}

    def f(x, rng):
        return {"y": 10 * x[:, 0] + 5 * x[:, 1] ** 2 + 1.0 * x[:, 2] + 0 * x[:, 3]}

    path = sweep_factory(
        "morris", outcomes=f, problem=problem, method="morris", n=40, options={"num_levels": 4}
    )
    result = outcome_sensitivity(load_sweep(path), "y")
    assert result.methods == ["morris"]
    # d does nothing: mu* = 0 exactly, so no noise hides under it and it is not significant
    assert result.ranking() == ["a", "b", "c"]
    assert result.main().set_index("parameter").loc["d", "significant"] == False  # noqa: E712
    mu = _index(result.indices, "morris", "mu_star")
    sigma = _index(result.indices, "morris", "sigma")
    assert mu["a"] == pytest.approx(10, rel=0.01)
    assert mu["d"] == pytest.approx(0, abs=1e-9)
    assert sigma["a"] == pytest.approx(0, abs=1e-9)  # linear: no spread of effects
    assert sigma["b"] > 0.5  # quadratic: effects vary with the level


def test_fast_design(sweep_factory, ishigami_outcomes) -> None:
    path = sweep_factory("fast", outcomes=ishigami_outcomes, method="fast", n=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # SALib's warnings are collected, not leaked
        result = outcome_sensitivity(load_sweep(path), "y")
    assert result.methods == ["fast"]
    s1 = _index(result.indices, "fast", "S1")
    st = _index(result.indices, "fast", "ST")
    for name, value in S1_TRUE.items():
        assert s1[name] == pytest.approx(value, abs=0.05)
        assert st[name] == pytest.approx(ST_TRUE[name], abs=0.05)
    assert any("fast:" in n for n in result.notes)


def test_latin_uses_given_data_methods(sweep_factory, ishigami_outcomes) -> None:
    path = sweep_factory("latin", outcomes=ishigami_outcomes, method="latin", n=1500)
    result = outcome_sensitivity(load_sweep(path), "y", delta_max_points=300, delta_resamples=5)
    assert result.design_method == "given"
    assert result.methods == ["rbd_fast", "pawn", "delta"]
    assert not result.fallback
    s1 = _index(result.indices, "rbd_fast", "S1")
    for name, value in S1_TRUE.items():
        assert s1[name] == pytest.approx(value, abs=0.06)
    pawn = _index(result.indices, "pawn", "median")
    assert pawn["x2"] > pawn["x3"]
    assert any("random subset of 300 of 1500 points" in n for n in result.notes)
    delta = result.indices[result.indices["method"] == "delta"]
    assert len(delta) == 3
    assert np.isfinite(delta["value"]).all()


def _holes(x, point, replicate):
    status = np.full(len(point), "done", dtype=object)
    status[point % 97 == 5] = "failed"
    status[point % 211 == 7] = "timeout"
    return status


def _with_nans(x, rng):
    y = ishigami(x)
    z = y.copy()
    z[np.arange(len(z)) % 50 == 3] = np.nan
    return {"y": y, "z": z}


def test_missing_runs_are_counted_refused_and_fall_back(sweep_factory) -> None:
    path = sweep_factory("holes", outcomes=_with_nans, n=256, status=_holes)
    data = load_sweep(path)
    n_points = 256 * 8
    point = np.arange(n_points)
    failed = int((point % 97 == 5).sum())
    timeout = int(((point % 211 == 7) & (point % 97 != 5)).sum())
    nan_z = int(((point % 50 == 3) & (point % 97 != 5) & (point % 211 != 7)).sum())

    table = availability(data).set_index("name")
    assert table.loc["y", "failed"] == failed
    assert table.loc["y", "timeout"] == timeout
    assert table.loc["y", "nan"] == 0
    assert table.loc["z", "nan"] == nan_z
    assert table.loc["z", "missing"] == failed + timeout + nan_z

    with pytest.warns(SensitivityWarning, match=r"sobol refused z"):
        result = outcome_sensitivity(data, "z")
    holes = failed + timeout + nan_z
    assert result.refusal is not None
    assert f"{holes} of {n_points:,} points have no value" in result.refusal
    assert "Saltelli base rows (more than 20%)" in result.refusal
    assert result.fallback
    assert result.methods == ["rbd_fast", "pawn"]
    assert "sobol" not in set(result.indices["method"])
    assert f"{failed} failed, {timeout} timed out, {nan_z} finished with NaN" in result.notes[0]
    assert any("falling back" in n for n in result.notes)
    s1 = _index(result.indices, "rbd_fast", "S1")
    # Never silent zeros: the fall-back still sees the real structure.
    assert s1["x2"] == pytest.approx(S1_TRUE["x2"], abs=0.08)
    assert s1["x1"] == pytest.approx(S1_TRUE["x1"], abs=0.08)
    assert (result.indices["n_points"] == n_points - holes).all()


def test_a_few_holes_leave_out_whole_saltelli_rows(sweep_factory) -> None:
    """Complete cases: a base row with a hole is dropped, and the notes say so."""

    def one_nan(x, rng):
        y = ishigami(x)
        y[17] = np.nan  # point 17 is in base row 2 (8 rows per base sample)
        return {"y": y}

    path = sweep_factory("one_nan", outcomes=one_nan, n=256)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SensitivityWarning)
        result = outcome_sensitivity(load_sweep(path), "y")
    assert result.methods == ["sobol"]
    assert result.refusal is None
    assert any(
        "1 of 256 Saltelli base rows have a point without a value" in n for n in result.notes
    )
    st = _index(result.indices, "sobol", "ST")
    for name, value in ST_TRUE.items():
        assert st[name] == pytest.approx(value, abs=0.08), name
    # With replicates, a point keeps the mean of the replicates that have a value.
    path = sweep_factory("one_nan_of_two", outcomes=one_nan, n=256, replicates=2)
    result = outcome_sensitivity(load_sweep(path), "y")
    assert not any("left out" in n for n in result.notes)
    assert result.n_points == 256 * 8


def test_constant_outcome_is_not_given_indices(sweep_factory) -> None:
    path = sweep_factory("flat", outcomes=lambda x, rng: {"y": np.zeros(len(x))}, n=32)
    with pytest.warns(SensitivityWarning, match="constant"):
        result = outcome_sensitivity(load_sweep(path), "y")
    assert result.methods == []
    assert result.indices.empty
    assert not result.fallback


def test_sobol_refuses_broken_blocks(sweep_factory, ishigami_outcomes, store_writer) -> None:
    path = sweep_factory("blocks", outcomes=ishigami_outcomes, n=64)
    data = load_sweep(path)
    # Drop the last three design rows: no longer whole Saltelli blocks.
    design = data.design.iloc[:-3]
    runs = data.runs[data.runs["point"] < len(design)]
    store_writer(path, manifest=data.manifest, design=design, runs=runs)
    for part in sorted((path / "runs").glob("part-*.parquet"))[1:]:
        part.unlink()
    with pytest.warns(SensitivityWarning, match="whole Saltelli blocks of 8 rows"):
        result = outcome_sensitivity(load_sweep(path), "y")
    assert result.fallback
    assert result.methods[0] == "rbd_fast"


def test_sensitivity_table_for_all_outcomes(sweep_factory) -> None:
    path = sweep_factory("two", outcomes=_with_nans, n=64)
    frame = sensitivity(load_sweep(path))
    assert set(frame["outcome"]) == {"y", "z"}
    assert not any("left out" in n for n in frame.attrs["notes"]["y"])
    assert any("left out (complete cases)" in n for n in frame.attrs["notes"]["z"])
    assert list(frame.columns[-4:]) == ["threshold", "significant", "n_points", "fallback"]
    with pytest.raises(KeyError, match="unknown outcome"):
        sensitivity(load_sweep(path), "nope")
