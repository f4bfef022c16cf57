"""Rules whose significance survives the search: boxes found on one half, tested on the other."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from sim.analysis import discover, load_sweep
from sim.analysis.discovery import MIN_SUPPORT, discover_xy, split_cases
from sim.analysis.rules import DimInfo, describe_condition, dimension_info

from .test_prim import box_data


@pytest.mark.parametrize("seed", range(10))
def test_pure_chance_gives_no_rule(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(1000, 4)), columns=["a", "b", "c", "d"])
    y = (rng.uniform(size=1000) < 0.3).astype(float)
    result = discover_xy(x, y, "chance", seed=seed, n_resamples=5)
    assert result.prim is not None
    assert result.prim.boxes == []
    assert result.rules()[0].startswith("No rule for chance: ")


@pytest.mark.parametrize("seed", range(5))
def test_chance_shared_by_replicates_gives_no_rule(seed: int) -> None:
    """Each point has its own chance, unrelated to x, shared by its 4 replicates."""
    rng = np.random.default_rng(seed)
    points = pd.DataFrame(rng.uniform(size=(250, 4)), columns=["a", "b", "c", "d"])
    chance = rng.beta(0.5, 1.2, size=250)
    at = np.repeat(np.arange(250), 4)
    y = (rng.uniform(size=len(at)) < chance[at]).astype(float)
    result = discover_xy(points.loc[at], y, "chance", groups=at, seed=seed, n_resamples=5)
    assert result.prim.boxes == []
    # replicates of a point are never split between the halves
    sides = pd.Series(result.held_out).groupby(at)
    assert (sides.min() == sides.max()).all()


def test_known_box_is_recovered_with_held_out_statistics() -> None:
    x, y = box_data(n=2000, noise=0.08, seed=5)
    result = discover_xy(x, y, "in_box", seed=5)
    box = result.prim.boxes[0]
    limits = box.restrictions()
    assert set(limits) == {"x1", "x2"}
    assert limits["x1"][0] == pytest.approx(0.6, abs=0.05)
    assert limits["x2"][1] == pytest.approx(0.4, abs=0.05)
    test = box.held_out
    assert test is not None
    # measured on cases the box was not found on
    inside = box.contains(x[result.held_out])
    assert test.n == int(inside.sum())
    assert test.k == int(y[result.held_out][inside].sum())
    assert test.density > 0.8
    assert test.p_value < 1e-10
    assert test.n >= MIN_SUPPORT
    sentence = result.rules()[0]
    assert re.match(
        rf"^In \d+% of the {test.n} held-out runs where x1 >= 0\.\d+ and x2 <= ", sentence
    )


def test_a_box_that_only_the_search_half_shows_is_not_kept() -> None:
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.uniform(size=(1200, 3)), columns=["a", "b", "c"])
    y = (rng.uniform(size=1200) < 0.2).astype(float)
    held = split_cases(np.arange(1200), seed=3)
    planted = (~held) & (x["a"] > 0.7).to_numpy() & (x["b"] > 0.6).to_numpy()
    y[planted] = 1.0  # a pattern in the search half only
    result = discover_xy(x, y, "planted", seed=3, n_resamples=5)
    assert np.array_equal(result.held_out, held)
    assert result.prim.boxes == []
    assert any(
        n.startswith("Not kept: box 1 does not hold on the held-out cases") for n in result.notes
    )
    assert "does not hold on the held-out cases" in result.rules()[0]


def test_every_rule_holds_the_minimum_support_on_both_halves() -> None:
    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.uniform(size=(1000, 3)), columns=["a", "b", "c"])
    y = (x["a"] > 0.985).to_numpy(dtype=float)  # about 15 runs: a pure, tiny box
    result = discover_xy(x, y, "rare", seed=1, n_resamples=5)
    assert result.prim.boxes
    for box in result.prim.boxes:
        assert box.n >= MIN_SUPPORT
        assert box.held_out.n >= MIN_SUPPORT
        assert box.held_out.density < 1.0  # the support rule keeps it from the pure sliver


def test_too_few_cases_are_too_small_to_conclude() -> None:
    x = pd.DataFrame({"a": np.linspace(0, 1, 40)})
    result = discover_xy(x, (x["a"] > 0.5).to_numpy(float), "half")
    assert "too small to conclude" in result.rules()[0]


def test_saltelli_designs_keep_base_samples_whole_and_say_they_are_not_space_filling(
    sweep_factory,
) -> None:
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    path = sweep_factory(
        "sobol",
        outcomes=lambda x, rng: {"v": x[:, 0] + 0.3 * rng.uniform(size=len(x))},
        problem=problem,
        n=64,
        replicates=2,
        classes={"high": ("v > 0.9", lambda v: v["v"] > 0.9)},
    )
    data = load_sweep(path)
    result = discover(data, "high")
    unit = data.runs["point"].to_numpy() // 8  # 2D + 2 rows per base sample
    sides = pd.Series(result.held_out).groupby(unit)
    assert (sides.min() == sides.max()).all()
    assert any("not a space-filling sample" in n for n in result.notes)
    assert any("design: latin" in n for n in result.notes)


def test_grid_limits_are_stated_as_the_grid_allows() -> None:
    grid = DimInfo("incumbent_p", 0.0, 1.0, grid=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0))
    assert (
        describe_condition("incumbent_p", 0.3, None, grid)
        == "incumbent p >= 0.4 (threshold between 0.2 and 0.4)"
    )
    assert (
        describe_condition("incumbent_p", None, 0.9, grid)
        == "incumbent p <= 0.8 (threshold between 0.8 and 1)"
    )
    assert describe_condition("incumbent_p", 0.1, 0.7, grid) == (
        "incumbent p from 0.2 to 0.6 (thresholds between 0 and 0.2 and between 0.6 and 0.8)"
    )
    assert describe_condition("incumbent_p", 0.5, 0.7, grid) == (
        "incumbent p = 0.6 (thresholds between 0.4 and 0.6 and between 0.6 and 0.8)"
    )
    assert describe_condition("incumbent_p", 0.5, None, grid, strict_lower=True) == (
        "incumbent p >= 0.6 (threshold between 0.4 and 0.6)"
    )
    # a grid is recognised from the data; consecutive integers and dense values are not
    x = pd.DataFrame(
        {
            "p": np.tile(np.linspace(0, 1, 6), 10),
            "size": np.tile(np.arange(2, 8), 10),
            "trust": np.linspace(0, 1, 60),
        }
    )
    info = dimension_info(x)
    assert info["p"].grid == pytest.approx((0.0, 0.2, 0.4, 0.6, 0.8, 1.0))
    assert info["size"].grid is None
    assert info["trust"].grid is None
