"""How well candidates fit target patterns, with the noise of a stochastic model in view.

A candidate (one setting of the varied parameters) is run over several seeds. For each
target its replicate *mean* is compared with the target: the miss is the distance outside
the target's range (a point target is a range of width 0) in units of its tolerance, so a
miss of 1 is exactly at the tolerance. The objective is the mean squared miss over the
fitted targets. Its uncertainty comes from resampling the candidate's runs (a bootstrap
over seeds, every target resampled together since they come from the same runs).

Candidates that fit *nearly as well* as the best (their objective is within the upper end
of the best's 95% interval) are grouped into regions of parameter space, so a fit that
several distinct settings achieve is reported as such (identifiability).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

BOOTSTRAP = 400  # resamples for an objective's interval
REGION_RADIUS = 0.25  # candidates farther apart than this (bounds scaled to [0, 1]) differ


@dataclass(frozen=True)
class Goal:
    """A target as the analysis sees it: a measure, the range that fits, a tolerance."""

    measure: str
    low: float
    high: float
    tolerance: float


@dataclass(frozen=True)
class TargetFit:
    """How one target is met: the replicate mean, its 95% interval and the miss."""

    measure: str
    mean: float
    ci_low: float
    ci_high: float
    n: int
    miss: float  # distance outside the target, in tolerances (0: inside)
    within: bool  # the mean is within tolerance of the target


def misses(means: np.ndarray, goals: Sequence[Goal]) -> np.ndarray:
    """Distance of each mean outside its goal's range, in tolerances (NaN stays NaN)."""
    low = np.array([g.low for g in goals])
    high = np.array([g.high for g in goals])
    scale = np.array([g.tolerance for g in goals])
    below = np.where(means < low, low - means, 0.0)
    above = np.where(means > high, means - high, 0.0)
    out = (below + above) / scale
    return np.where(np.isnan(means), np.nan, out)


def _nanmean(values: np.ndarray) -> np.ndarray:
    counts = np.sum(~np.isnan(values), axis=-2)
    sums = np.nansum(values, axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def objective(values: np.ndarray, goals: Sequence[Goal]) -> float:
    """Mean squared miss of the replicate means (runs x goals); NaN if a mean is missing."""
    miss = misses(_nanmean(np.asarray(values, dtype=float)), goals)
    return float(np.mean(miss**2)) if not np.isnan(miss).any() else float("nan")


def bootstrap_objectives(
    values: np.ndarray, goals: Sequence[Goal], rng: np.random.Generator, n: int = BOOTSTRAP
) -> np.ndarray:
    """The objective on ``n`` resamples of the runs (rows), drawn with replacement."""
    values = np.asarray(values, dtype=float)
    rows = rng.integers(0, len(values), size=(n, len(values)))
    means = _nanmean(values[rows])  # n x goals
    miss = misses(means, goals)
    return np.mean(miss**2, axis=1)


def interval(samples: np.ndarray) -> tuple[float, float]:
    """The 2.5% and 97.5% quantiles of bootstrap samples (NaN ones left out)."""
    kept = samples[~np.isnan(samples)]
    if kept.size == 0:
        return float("nan"), float("nan")
    low, high = np.quantile(kept, [0.025, 0.975])
    return float(low), float(high)


def target_fits(values: np.ndarray, goals: Sequence[Goal]) -> list[TargetFit]:
    """Each goal's replicate mean with a t-based 95% interval, and how far it misses."""
    out = []
    values = np.asarray(values, dtype=float)
    for j, goal in enumerate(goals):
        column = values[:, j][~np.isnan(values[:, j])]
        n = int(column.size)
        mean = float(column.mean()) if n else float("nan")
        if n > 1:
            half = float(stats.t.ppf(0.975, n - 1) * column.std(ddof=1) / np.sqrt(n))
        else:
            half = float("nan")
        miss = float(misses(np.array([mean]), [goal])[0])
        out.append(TargetFit(goal.measure, mean, mean - half, mean + half, n, miss, miss <= 1.0))
    return out


def near_best(objectives: np.ndarray, best: int, best_high: float) -> np.ndarray:
    """Candidates whose objective is no worse than the upper end of the best's interval."""
    reach = np.where(np.isnan(objectives), False, objectives <= best_high)
    reach[best] = True
    return reach


def regions(
    positions: np.ndarray,
    objectives: np.ndarray,
    members: np.ndarray,
    radius: float = REGION_RADIUS,
) -> list[list[int]]:
    """Group candidates into regions, best first.

    Args:
        positions: Candidates' settings scaled to [0, 1] by the searched bounds.
        objectives: Their objectives (lower is better).
        members: Which candidates to group (those that fit nearly as well).
        radius: A candidate farther than this from every region's best starts a new one.

    Returns:
        Candidate indices per region; each region's first index is its best.
    """
    order = [int(i) for i in np.argsort(objectives) if members[i]]
    groups: list[list[int]] = []
    for i in order:
        for group in groups:
            if np.linalg.norm(positions[i] - positions[group[0]]) <= radius:
                group.append(i)
                break
        else:
            groups.append([i])
    return groups


def chosen_spread(
    per_candidate: Sequence[np.ndarray], goals: Sequence[Goal], rng: np.random.Generator
) -> np.ndarray:
    """Which candidate would be chosen on resampled seeds, once per bootstrap resample.

    Each candidate's runs are resampled independently and the candidate with the lowest
    objective on the resampled runs is recorded: how firmly the seeds single out one.
    """
    samples = np.vstack([bootstrap_objectives(v, goals, rng) for v in per_candidate])
    samples = np.where(np.isnan(samples), np.inf, samples)
    return np.argmin(samples, axis=0)
