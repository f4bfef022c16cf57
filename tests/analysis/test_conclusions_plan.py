"""'Too small to conclude' instead of numbers, and advice on how much more to run."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis import analyse, load_sweep

from .test_stochastic import PROBLEM, noisy_ishigami


def _analysis(sweep_factory, name: str, **kwargs):
    path = sweep_factory(
        name, outcomes=noisy_ishigami, problem=PROBLEM, second_order=False, **kwargs
    )
    return analyse(load_sweep(path), num_resamples=100)


def test_a_tiny_design_is_too_small_to_conclude(sweep_factory) -> None:
    analysis = _analysis(sweep_factory, "tiny", n=8, replicates=2)
    verdict = analysis.conclusions["y"]
    assert not verdict.conclusive
    assert len(verdict.ranked) == 0 or not verdict.conclusive
    assert "too small to conclude (convergence not assessed: 8 base samples" in verdict.statement
    # the plan asks for the size at which convergence can be assessed, at least
    plan = analysis.plans["y"]
    assert plan.settle is not None
    assert plan.settle.n >= 16


def test_intervals_wider_than_the_indices_are_too_small_to_conclude(sweep_factory) -> None:
    def drowned(x, rng):
        return {"y": 0.05 * noisy_ishigami(x, rng)["clean"] + rng.normal(0, 3.0, len(x))}

    path = sweep_factory(
        "drowned", outcomes=drowned, problem=PROBLEM, n=64, replicates=2, second_order=False
    )
    verdict = analyse(load_sweep(path), num_resamples=100).conclusions["y"]
    assert not verdict.conclusive
    assert "too small to conclude" in verdict.statement


def test_a_settled_design_ranks_only_significant_parameters(sweep_factory) -> None:
    # Seed 1's noise draw is one of the about 1 in 40 whose interval for x4 just misses
    # zero (the rate is checked in test_stochastic); seed 2's is not.
    analysis = _analysis(sweep_factory, "big", n=1024, replicates=2, seed=2)
    verdict = analysis.conclusions["y"]
    assert verdict.conclusive
    assert list(verdict.ranked["parameter"]) == ["x1", "x2", "x3"]
    assert verdict.not_significant == ["x4"]
    assert "x1 0.5" in verdict.statement
    assert "±" in verdict.statement
    assert "not distinguishable from noise: x4" in verdict.statement


def test_the_plan_to_halve_the_widest_interval_does_so(sweep_factory) -> None:
    small = _analysis(sweep_factory, "small", n=128, replicates=2)
    plan = small.plans["y"]
    assert plan.halve is not None
    assert plan.noise_ratio == pytest.approx(0.36, abs=0.15)  # noise variance / signal variance
    assert plan.halve.n >= 4 * 128 / 2
    assert plan.halve.runs == plan.halve.n * 6 * plan.halve.replicates
    stored = 128 * 6 * 2
    assert plan.halve.extra == plan.halve.runs - stored  # Saltelli designs grow in place
    big = _analysis(sweep_factory, "planned", n=plan.halve.n, replicates=plan.halve.replicates)
    ratio = big.plans["y"].widest / plan.widest
    assert 0.35 < ratio < 0.65, ratio
    assert any("to halve the widest 95% interval" in s for s in plan.sentences())


def test_with_one_replicate_the_plan_asks_for_two(sweep_factory) -> None:
    analysis = _analysis(sweep_factory, "one", n=128)
    plan = analysis.plans["y"]
    assert np.isnan(plan.noise_ratio)
    assert plan.halve.replicates >= 2
    assert any("one replicate per point" in s for s in plan.notes)


def test_a_design_whose_smallest_prefixes_are_refused_is_asked_to_grow(sweep_factory) -> None:
    """16 base samples reach the size for convergence, but a hole refuses the prefix of 4."""
    path = sweep_factory(
        "holed",
        outcomes=noisy_ishigami,
        problem=PROBLEM,
        n=16,
        replicates=2,
        second_order=False,
        status=lambda x, point, replicate: np.where(point == 0, "failed", "done"),
    )
    analysis = analyse(load_sweep(path), num_resamples=100)
    assert analysis.sensitivity["y"].methods == ["sobol"]  # 1 of 16 base rows left out
    assert analysis.convergence.settled["y"]["ranking"] is None
    plan = analysis.plans["y"]
    assert plan.settle.n == 32
    assert plan.settle.extra == plan.settle.runs - (16 * 6 - 1) * 2  # point 0 failed
    assert any("today's smallest prefixes could not be analysed" in s for s in plan.sentences())
