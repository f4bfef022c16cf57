"""Convergence on growing prefixes, and noise shares with replicates."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis import (
    SensitivityWarning,
    convergence,
    load_sweep,
    noise_shares,
    outcome_sensitivity,
    prefix_sizes,
)

from .conftest import ishigami

# Variance of Ishigami (a=7, b=0.1) on [-pi, pi]^3.
ISHIGAMI_VAR = 7**2 / 8 + 0.1 * np.pi**4 / 5 + 0.1**2 * np.pi**8 / 18 + 0.5


def test_prefix_sizes() -> None:
    assert prefix_sizes(512, 4) == [64, 128, 256, 512]
    assert prefix_sizes(10, 4, minimum=2) == [2, 5, 10]
    assert prefix_sizes(3, 4, minimum=2) == [3]


def test_sobol_prefixes_are_whole_saltelli_blocks(sweep_factory, ishigami_outcomes) -> None:
    path = sweep_factory("conv", outcomes=ishigami_outcomes, n=1024, replicates=2)
    result = convergence(load_sweep(path), n_prefixes=4)
    table = result.table
    sizes = sorted(table["n_base"].unique())
    assert sizes == [128, 256, 512, 1024]
    # second order: 2D + 2 = 8 rows per base sample
    assert (table["n_points"] == table["n_base"] * 8).all()
    assert set(table["index"]) == {"ST"}
    assert result.settled["y"] == {"ranking": True, "ci": True}
    statement = result.statements["y"]
    assert "ranking has settled" in statement
    assert "within the 0.1 tolerance" in statement
    # CI half-widths shrink as the prefix grows
    widest = table.groupby("n_base")["conf"].max()
    assert widest.iloc[-1] < widest.iloc[0]


def test_small_noisy_sweep_is_not_settled(sweep_factory) -> None:
    def noisy(x, rng):
        return {"y": ishigami(x) + rng.normal(0, 6.0, len(x))}

    path = sweep_factory("small", outcomes=noisy, n=32, second_order=False)
    result = convergence(load_sweep(path), tolerance=0.05)
    assert result.settled["y"]["ci"] is False
    assert "more runs would sharpen" in result.statements["y"]
    assert len(result.table["n_base"].unique()) >= 3


def test_morris_prefixes_are_whole_trajectories(sweep_factory) -> None:
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    path = sweep_factory(
        "mconv",
        outcomes=lambda x, rng: {"y": 3 * x[:, 0] + x[:, 1]},
        problem=problem,
        method="morris",
        n=32,
    )
    result = convergence(load_sweep(path))
    table = result.table
    assert (table["n_points"] == table["n_base"] * 4).all()
    assert sorted(table["n_base"].unique()) == [4, 8, 16, 32]
    assert result.settled["y"]["ranking"] is True


def test_fast_convergence_is_not_assessed(sweep_factory, ishigami_outcomes) -> None:
    path = sweep_factory("fconv", outcomes=ishigami_outcomes, method="fast", n=200)
    result = convergence(load_sweep(path))
    assert result.table.empty
    assert "not assessed" in result.statements["y"]
    assert "FAST" in result.statements["y"]


def test_fallback_convergence_uses_nested_subsets(sweep_factory) -> None:
    def holes(x, point, replicate):
        return np.where(point % 40 == 0, "failed", "done")

    path = sweep_factory("fb", outcomes=lambda x, rng: {"y": ishigami(x)}, n=256, status=holes)
    data = load_sweep(path)
    with pytest.warns(SensitivityWarning, match="sobol refused y"):
        result = outcome_sensitivity(data, "y")
    conv = convergence(data, results={"y": result})
    table = conv.table
    assert set(table["method"]) == {"rbd_fast"}
    sizes = sorted(table["n_base"].unique())
    assert len(sizes) >= 3
    assert sizes[-1] == result.n_points
    assert "points" in conv.statements["y"]


def test_noise_share_matches_known_noise(sweep_factory) -> None:
    sd = 1.5

    def noisy(x, rng):
        return {"y": ishigami(x) + rng.normal(0, sd, len(x)), "clean": ishigami(x)}

    path = sweep_factory("noise", outcomes=noisy, n=256, replicates=3, second_order=False)
    table = noise_shares(load_sweep(path)).set_index("outcome")
    expected = sd**2 / (ISHIGAMI_VAR + sd**2)
    assert table.loc["y", "noise_share"] == pytest.approx(expected, abs=0.03)
    assert table.loc["clean", "noise_share"] == pytest.approx(0.0, abs=1e-12)
    assert table.loc["y", "points_used"] == 256 * 5
    assert "within-point noise" in table.loc["y", "statement"]


def test_noise_needs_replicates(sweep_factory, ishigami_outcomes) -> None:
    path = sweep_factory("single", outcomes=ishigami_outcomes, n=32)
    table = noise_shares(load_sweep(path))
    assert np.isnan(table["noise_share"].iloc[0])
    assert "one finished replicate" in table["statement"].iloc[0]


def test_too_small_a_design_says_why(sweep_factory, ishigami_outcomes) -> None:
    path = sweep_factory("tiny", outcomes=ishigami_outcomes, n=8, second_order=False)
    result = convergence(load_sweep(path))
    assert result.table.empty
    assert result.settled["y"] == {"ranking": None, "ci": None}
    assert (
        "8 base samples are too few for 3 growing prefixes of at least 4"
        in (result.statements["y"])
    )
