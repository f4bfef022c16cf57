"""PRIM: recovery of a known box, pruning of spurious dimensions, and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.prim import (
    choose_box,
    get_quantile,
    peeling_trajectory,
    prim,
    quasi_p_values,
)


def box_data(n: int = 2000, noise: float = 0.08, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """x1 > 0.6 and x2 < 0.4 is the class, with label noise and 3 spurious dimensions."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, 5)), columns=["x1", "x2", "s1", "s2", "s3"])
    y = ((x["x1"] > 0.6) & (x["x2"] < 0.4)).to_numpy(dtype=float)
    flip = rng.uniform(size=n) < noise
    y[flip] = 1 - y[flip]
    return x, y


@pytest.mark.parametrize(("seed", "noise"), [(0, 0.05), (1, 0.08), (2, 0.10)])
def test_prim_recovers_known_box(seed: int, noise: float) -> None:
    x, y = box_data(noise=noise, seed=seed)
    result = prim(x, y, seed=seed)
    assert result.boxes, result.stopped
    box = result.boxes[0]
    limits = box.restrictions()
    assert set(limits) == {"x1", "x2"}, limits
    lo1, hi1 = limits["x1"]
    lo2, hi2 = limits["x2"]
    assert hi1 is None
    assert lo2 is None
    assert lo1 == pytest.approx(0.6, abs=0.05)
    assert hi2 == pytest.approx(0.4, abs=0.05)
    assert box.density > 0.8
    assert box.p_value < 1e-10
    # Real restrictions reproduce in (almost) every resample.
    assert box.reproducibility["x1"] >= 0.8
    assert box.reproducibility["x2"] >= 0.8


def test_spurious_restriction_is_dropped_by_quasi_p() -> None:
    x, y = box_data(seed=3)
    # The true box plus a restriction on a spurious dimension (s1 <= 0.8).
    lower, upper = x.min().to_numpy(copy=True), x.max().to_numpy(copy=True)
    lower[0], upper[1], upper[2] = 0.6, 0.4, 0.8
    qp = quasi_p_values(x, y, lower, upper)
    assert qp["x1"][0] < 1e-6
    assert qp["x2"][1] < 1e-6
    assert qp["s1"][1] > 0.05
    assert np.isnan(qp["s1"][0])


def test_pruning_drops_dimensions_that_do_not_reproduce() -> None:
    x, y = box_data(seed=4)
    result = prim(
        x, y, seed=4, dim_penalty=0.0, qp_max=1.0, min_reproducibility=0.99, n_resamples=10
    )
    box = result.boxes[0]
    assert {"s1", "s2", "s3"}.isdisjoint(box.restricted)
    for name, share in box.reproducibility.items():
        if share < 0.99 and name in {"s1", "s2", "s3"}:
            assert name not in box.restricted


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_covering_finds_a_second_box(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(3000, 4)), columns=["a", "b", "c", "d"])
    first = (x["a"] > 0.7) & (x["b"] > 0.6)
    second = (x["c"] < 0.3) & (x["d"] < 0.4)
    y = (first | second).to_numpy(dtype=float)
    result = prim(x, y, seed=seed, max_boxes=3)
    assert len(result.boxes) == 2, result.stopped
    found = [set(b.restricted) for b in result.boxes]
    assert {"a", "b"} in found
    assert {"c", "d"} in found
    assert all(b.density > 0.9 for b in result.boxes)
    # Coverage counts against all cases of interest; together the boxes cover most.
    assert 0.9 < sum(b.coverage for b in result.boxes) <= 1.0 + 1e-12
    assert result.boxes[1].index == 2


def test_no_box_when_the_class_is_unrelated_to_inputs() -> None:
    rng = np.random.default_rng(6)
    x = rng.uniform(size=(1500, 4))
    y = (rng.uniform(size=1500) < 0.3).astype(float)
    result = prim(x, y, seed=6)
    for box in result.boxes:
        # anything found on pure noise must be weak
        assert box.density < 0.5
    assert result.stopped


def test_prim_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="binary"):
        prim(np.zeros((10, 2)), np.linspace(0, 1, 10))
    with pytest.raises(ValueError, match="rows"):
        prim(np.zeros((10, 2)), np.zeros(9))
    with pytest.raises(ValueError, match="NaN"):
        prim(np.full((10, 2), np.nan), np.zeros(10))


def test_get_quantile_skips_ties() -> None:
    data = np.array([1.0, 1.0, 1.0, 1.0, 2.0, 3.0])
    assert get_quantile(data, 0.05) == 1.5
    # An exact index still steps to the neighbouring value, as the reference does.
    assert get_quantile(np.arange(21.0), 0.95) == 18.5
    assert get_quantile(np.arange(11.0), 0.33) == 3.5


def test_choose_box_picks_the_knee() -> None:
    trajectory = pd.DataFrame(
        {
            "coverage": [1.0, 0.98, 0.95, 0.9, 0.5, 0.2],
            "density": [0.2, 0.4, 0.7, 0.9, 0.92, 0.93],
            "res_dim": [0, 1, 2, 2, 3, 4],
        }
    )
    assert choose_box(trajectory) == 3
    assert choose_box(trajectory.iloc[:1]) == 0


@st.composite
def datasets(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(30, 150))
    d = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, d))
    if draw(st.booleans()):
        x = np.round(x * draw(st.integers(2, 6)))  # ties, as integer-coded choices give
    weights = rng.normal(size=d)
    y = (x @ weights + rng.normal(scale=0.5, size=n) > 0).astype(float)
    if y.sum() in (0, n):
        y[0] = 1 - y[0]
    return x, y


@settings(max_examples=40, deadline=None)
@given(datasets(), st.sampled_from([0.05, 0.1, 0.2]))
def test_trajectory_invariants(data: tuple[np.ndarray, np.ndarray], alpha: float) -> None:
    x, y = data
    traj, limits = peeling_trajectory(x, y, peel_alpha=alpha)
    assert traj["coverage"].between(0, 1).all()
    assert traj["density"].between(0, 1).all()
    # Peeling only removes cases: coverage never rises and mass strictly falls.
    assert (np.diff(traj["coverage"]) <= 1e-12).all()
    assert (np.diff(traj["mass"]) < 0).all()
    # Each step's box holds exactly the cases counted for it, and nests in the last.
    for i, (lower, upper) in enumerate(limits):
        inside = np.all((x >= lower) & (x <= upper), axis=1)
        assert inside.sum() == traj["n"].iloc[i]
        assert y[inside].sum() == traj["k"].iloc[i]
        if i:
            assert np.all(lower >= limits[i - 1][0])
            assert np.all(upper <= limits[i - 1][1])


@settings(max_examples=25, deadline=None)
@given(datasets())
def test_boxes_contain_their_cases(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = data
    result = prim(x, y, n_resamples=3, seed=0)
    remaining = np.ones(len(y), dtype=bool)
    for box in result.boxes:
        inside = box.contains(x) & remaining
        assert inside.sum() == box.n
        assert y[inside].sum() == box.k
        assert 0 <= box.coverage <= 1
        assert 0 <= box.density <= 1
        assert box.density == pytest.approx(box.k / box.n)
        assert 0 <= box.p_value <= 1
        assert np.all(box.lower <= box.upper)
        remaining &= ~inside


def test_smaller_resamples_still_reproduce() -> None:
    x, y = box_data(n=4000, seed=7)
    result = prim(x, y, seed=7, resample_max=600, n_resamples=10)
    box = result.boxes[0]
    assert set(box.restricted) == {"x1", "x2"}
    assert box.reproducibility["x1"] >= 0.8
    assert box.reproducibility["x2"] >= 0.8
    assert max(box.reproducibility[s] for s in ("s1", "s2", "s3")) <= 0.5
