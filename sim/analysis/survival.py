"""Time to an outcome with right-censoring: Kaplan–Meier and Aalen–Johansen.

Each subject (an initiative, say) is followed from its start for a duration, at the end
of which it either ended with one of several outcomes (competing risks) or was still
under way (right-censored: it was only seen not to have ended by then). From these:

- the Kaplan–Meier estimate of survival, ``S(t)``: the probability of not having ended
  (by any outcome) by ``t``, with Greenwood's variance;
- the Aalen–Johansen estimate of each outcome's cumulative incidence, ``F_k(t)``: the
  probability of having ended with outcome ``k`` by ``t``. With ``n_j`` at risk just
  before time ``t_j`` and ``d_kj`` endings with outcome ``k`` at ``t_j``,
  ``F_k(t) = sum over t_j <= t of S(t_(j-1)) * d_kj / n_j``, so that the incidences and
  the survival add up to 1 at every time. Its variance is the delta-method (Greenwood-
  type) one of Marubini and Valsecchi, as given in Collett, *Modelling Survival Data in
  Medical Research* (3rd ed., section 12.2).

Intervals are on the log(-log) scale, so they stay within [0, 1]. Ties are allowed (all
endings and censorings at one time are counted together; censored subjects count as at
risk at their own time, the usual convention). The functions know nothing of the model:
they take durations and labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Curve:
    """A step function of time, right-continuous, with a pointwise interval.

    Attributes:
        estimate: The estimate at each of the estimator's times.
        low: Lower end of the interval at each time.
        high: Upper end of the interval at each time.
        variance: The estimate's variance at each time.
    """

    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray
    variance: np.ndarray


@dataclass(frozen=True)
class CompetingRisks:
    """Survival and the cumulative incidence of each outcome, on one grid of times.

    Attributes:
        times: 0 and every distinct duration, ascending; each curve is a step function
            that holds its value from one time to the next.
        at_risk: Subjects still followed just before each time.
        ended: Subjects that ended (any outcome) at each time.
        censored: Subjects censored at each time.
        survival: Kaplan–Meier probability of not having ended by each time.
        incidence: Per outcome, the Aalen–Johansen probability of having ended with it by
            each time; outcomes in sorted order.
        confidence: The intervals' confidence level.
    """

    times: np.ndarray
    at_risk: np.ndarray
    ended: np.ndarray
    censored: np.ndarray
    survival: Curve
    incidence: dict[str, Curve]
    confidence: float = CONFIDENCE

    @property
    def n(self) -> int:
        """Subjects the curves rest on."""
        return int(self.at_risk[0])

    @property
    def n_censored(self) -> int:
        """Subjects still under way when last seen (right-censored)."""
        return int(self.censored.sum())

    @property
    def median(self) -> float:
        """The first time by which half had ended (NaN if survival never falls to 0.5)."""
        reached = np.flatnonzero(self.survival.estimate <= 0.5)
        return float(self.times[reached[0]]) if reached.size else math.nan


def _validated(
    durations: Sequence[float] | np.ndarray, outcomes: Sequence[object] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Durations as floats and outcomes as labels (``""`` for censored), checked."""
    t = np.asarray(durations, dtype=float)
    labels = pd.Series(list(outcomes), dtype=object)
    if t.ndim != 1 or t.size != len(labels):
        msg = (
            f"durations and outcomes must be 1-D and of equal length "
            f"(got {t.shape} durations and {len(labels)} outcomes)"
        )
        raise ValueError(msg)
    if t.size == 0:
        msg = "no durations given: the curves need at least one subject"
        raise ValueError(msg)
    if not np.isfinite(t).all() or (t < 0).any():
        msg = "durations must be finite and non-negative (a subject's time from its start)"
        raise ValueError(msg)
    censored = labels.isna()
    if not labels[~censored].map(lambda v: isinstance(v, str) and v != "").all():
        msg = "outcomes must be non-empty strings, or None for a censored subject"
        raise ValueError(msg)
    return t, labels.where(~censored, "").to_numpy(dtype=str)


def _loglog_interval(estimate: np.ndarray, variance: np.ndarray, z: float) -> Curve:
    """A pointwise interval for a probability on the log(-log) scale (Kalbfleisch–Prentice).

    With ``se = sqrt(variance) / (p |log p|)`` the bounds are ``p ** exp(±z se)``; where
    the variance is zero or the estimate is 0 or 1, the interval is the estimate itself.
    """
    p = estimate
    inside = (variance > 0) & (p > 0) & (p < 1)
    safe = np.where(inside, p, 0.5)
    se = np.sqrt(np.where(inside, variance, 0.0)) / (safe * np.abs(np.log(safe)))
    low = np.where(inside, safe ** np.exp(z * se), p)
    high = np.where(inside, safe ** np.exp(-z * se), p)
    return Curve(estimate=p, low=low, high=high, variance=variance)


def competing_risks(
    durations: Sequence[float] | np.ndarray,
    outcomes: Sequence[object] | np.ndarray,
    confidence: float = CONFIDENCE,
) -> CompetingRisks:
    """Kaplan–Meier survival and Aalen–Johansen cumulative incidences, with intervals.

    Args:
        durations: Each subject's time from its start to its outcome, or to the last time
            it was seen under way.
        outcomes: Each subject's outcome (a label), or ``None`` / NaN when it was still
            under way at the end (right-censored).
        confidence: Confidence level of the pointwise intervals.

    Raises:
        ValueError: on no subjects, lengths that differ, negative or non-finite
            durations, labels that are not strings, or a level outside (0, 1).
    """
    if not 0 < confidence < 1:
        msg = f"confidence must be between 0 and 1 (got {confidence})"
        raise ValueError(msg)
    t, labels = _validated(durations, outcomes)
    times, where = np.unique(np.concatenate([[0.0], t]), return_inverse=True)
    where = where[1:]  # each subject's place on the grid
    names = sorted(str(label) for label in set(labels) - {""})
    # endings per outcome (columns) at each time (rows), and censorings
    d_k = np.zeros((times.size, len(names)))
    for k, name in enumerate(names):
        d_k[:, k] = np.bincount(where[labels == name], minlength=times.size)
    censored = np.bincount(where[labels == ""], minlength=times.size).astype(float)
    d = d_k.sum(axis=1)
    leaving = d + censored
    n = t.size - np.concatenate([[0.0], np.cumsum(leaving)[:-1]])  # at risk just before

    hazard = d / n
    survival = np.cumprod(1 - hazard)
    before = np.concatenate([[1.0], survival[:-1]])  # S(t_(j-1))
    # Greenwood's sum, each term d / (n (n - d)); a time at which all at risk end brings
    # survival to 0, whose interval is 0 itself, so its (infinite) term is left out
    all_end = d >= n
    greenwood = d / np.where(all_end, 1.0, n * (n - d))
    greenwood[all_end] = 0.0
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    survival_curve = _loglog_interval(survival, survival**2 * np.cumsum(greenwood), z)

    incidence = {}
    for k, name in enumerate(names):
        step = before * d_k[:, k] / n
        f = np.cumsum(step)
        # Var F(t) = sum_j (F(t) - F(t_j))^2 g_j + S(t_(j-1))^2 d_kj (n_j - d_kj) / n_j^3
        #            - 2 (F(t) - F(t_j)) S(t_(j-1)) d_kj / n_j^2, over t_j <= t; the squares
        # are expanded so each time's variance is a few running sums
        a = before**2 * d_k[:, k] * (n - d_k[:, k]) / n**3
        c = before * d_k[:, k] / n**2
        variance = (
            f**2 * np.cumsum(greenwood)
            - 2 * f * np.cumsum(greenwood * f)
            + np.cumsum(greenwood * f**2)
            + np.cumsum(a)
            - 2 * (f * np.cumsum(c) - np.cumsum(c * f))
        )
        incidence[name] = _loglog_interval(f, np.clip(variance, 0.0, None), z)
    return CompetingRisks(
        times=times,
        at_risk=n,
        ended=d,
        censored=censored,
        survival=survival_curve,
        incidence=incidence,
        confidence=confidence,
    )
