"""The calibration's scoring: misses in tolerances, objective on replicate means, bootstrap
intervals, regions that fit nearly as well, and how firmly seeds single out a choice."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.analysis.calibration import (
    Goal,
    bootstrap_objectives,
    chosen_spread,
    interval,
    misses,
    near_best,
    objective,
    regions,
    target_fits,
)

POINT = Goal("a", 0.15, 0.15, 0.05)
RANGE = Goal("b", 0.3, 0.7, 0.1)
BOUND = Goal("c", -math.inf, 0.97, 0.05)


def test_misses_are_distances_outside_the_target_in_tolerances() -> None:
    got = misses(np.array([0.25, 0.5, 0.99]), [POINT, RANGE, BOUND])
    np.testing.assert_allclose(got, [2.0, 0.0, 0.4])
    assert misses(np.array([0.2]), [RANGE])[0] == pytest.approx(1.0)  # 0.1 below, tolerance 0.1
    assert math.isnan(misses(np.array([np.nan]), [POINT])[0])


@given(
    st.floats(-2, 2, allow_nan=False),
    st.floats(-1, 1, allow_nan=False),
    st.floats(0, 1, allow_nan=False),
    st.floats(0.01, 1, allow_nan=False),
)
def test_a_miss_is_zero_exactly_inside_and_grows_outside(
    mean: float, low: float, width: float, tolerance: float
) -> None:
    goal = Goal("x", low, low + width, tolerance)
    miss = float(misses(np.array([mean]), [goal])[0])
    assert miss >= 0
    assert (miss == 0) == (low <= mean <= low + width)
    farther = float(misses(np.array([mean + 1 if mean > low else mean - 1]), [goal])[0])
    assert farther >= miss


def test_objective_is_on_replicate_means_and_ignores_missing_runs() -> None:
    runs = np.array([[0.10, 0.5], [0.20, np.nan], [0.15, 0.9]])
    # means 0.15 and 0.7: both on target
    assert objective(runs, [POINT, RANGE]) == pytest.approx(0.0, abs=1e-12)
    one = objective(np.array([[0.25, 0.5]]), [POINT, RANGE])
    assert one == pytest.approx(2.0)  # (2**2 + 0) / 2
    assert math.isnan(objective(np.array([[np.nan, 0.5]]), [POINT, RANGE]))


def test_bootstrap_interval_covers_the_truth_of_a_noisy_candidate() -> None:
    rng = np.random.default_rng(0)
    covered = 0
    for _ in range(40):
        runs = rng.normal(0.25, 0.05, size=(30, 1))  # true objective (0.1 / 0.05)**2 = 4
        low, high = interval(bootstrap_objectives(runs, [POINT], rng, n=300))
        covered += low <= 4.0 <= high
    assert covered >= 34  # about 95% of 40 (a bootstrap of a square is a little short)


def test_target_fits_give_mean_interval_and_whether_within_tolerance() -> None:
    rng = np.random.default_rng(1)
    runs = np.column_stack([rng.normal(0.17, 0.02, 100), rng.normal(0.9, 0.02, 100)])
    fit_a, fit_b = target_fits(runs, [POINT, RANGE])
    assert fit_a.within and not fit_b.within
    assert fit_a.ci_low < 0.17 < fit_a.ci_high
    assert fit_a.n == 100
    assert abs(fit_b.miss - 2.0) < 0.1


def test_regions_separate_distant_settings_and_keep_the_best_first() -> None:
    positions = np.array([[0.1, 0.1], [0.15, 0.1], [0.9, 0.9], [0.5, 0.5], [0.12, 0.12]])
    scores = np.array([0.5, 0.1, 0.2, 3.0, 0.3])
    near = near_best(scores, best=1, best_high=0.6)
    assert near.tolist() == [True, True, True, False, True]
    groups = regions(positions, scores, near)
    assert groups == [[1, 4, 0], [2]]


def test_seeds_single_out_a_clearly_better_candidate() -> None:
    rng = np.random.default_rng(2)
    good = rng.normal(0.15, 0.02, size=(40, 1))
    bad = rng.normal(0.30, 0.02, size=(40, 1))
    picks = chosen_spread([bad, good], [POINT], rng)
    assert (picks == 1).all()
    similar = rng.normal(0.151, 0.05, size=(40, 1))
    picks = chosen_spread([good, similar], [POINT], rng)
    assert 0 < (picks == 1).mean() < 1  # two as good: the seeds cannot tell them apart
