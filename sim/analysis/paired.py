"""Paired comparisons under common random numbers: the difference and its 95% interval.

Two settings run with the same seeds give pairs of outcomes; their difference (B minus A)
is judged on the paired differences, whose spread is far smaller than that of either arm
when the seeds are shared. The interval is Student's t on the paired differences.
A difference is "not distinguishable from zero" when its interval contains zero, and
"too few pairs to conclude" with fewer than two complete pairs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

CONFIDENCE = 0.95


@dataclass(frozen=True)
class PairedDifference:
    """The paired difference of one outcome between two arms (B minus A).

    Attributes:
        n: Complete pairs used (both arms finite).
        dropped: Pairs left out because one arm had no value.
        mean_a: Mean of arm A over the pairs used.
        mean_b: Mean of arm B over the pairs used.
        difference: Mean of B - A.
        low: Lower end of the interval (NaN when it cannot be computed).
        high: Upper end of the interval.
        confidence: The interval's confidence level.
    """

    n: int
    dropped: int
    mean_a: float
    mean_b: float
    difference: float
    low: float
    high: float
    confidence: float = CONFIDENCE

    @property
    def conclusive(self) -> bool:
        """Whether the interval excludes zero (the change, not chance, explains it)."""
        return math.isfinite(self.low) and (self.low > 0 or self.high < 0)

    @property
    def verdict(self) -> str:
        """``"higher"``, ``"lower"``, ``"no clear difference"`` or ``"too few pairs"``."""
        if not math.isfinite(self.low):
            return "too few pairs"
        if self.low > 0:
            return "higher"
        if self.high < 0:
            return "lower"
        return "no clear difference"

    def describe(self, digits: int = 2) -> str:
        """The difference with its interval in words, e.g. ``+0.12 [0.05, 0.19], n = 100``."""
        if not math.isfinite(self.low):
            return f"too few pairs to conclude (n = {self.n})"
        level = round(100 * self.confidence)
        return (
            f"{self.difference:+.{digits}f} ({level}% CI {self.low:+.{digits}f} to "
            f"{self.high:+.{digits}f}, n = {self.n})"
        )


def paired_difference(
    a: np.ndarray | list[float],
    b: np.ndarray | list[float],
    confidence: float = CONFIDENCE,
) -> PairedDifference:
    """The mean of ``b - a`` over complete pairs, with a Student-t interval.

    Args:
        a: Outcomes of arm A, one per seed.
        b: Outcomes of arm B for the same seeds, in the same order.
        confidence: Confidence level of the interval.

    Raises:
        ValueError: if the arms differ in length or the level is not in (0, 1).
    """
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        msg = f"paired arms must be equal-length 1-D arrays (got {x.shape} and {y.shape})"
        raise ValueError(msg)
    if not 0 < confidence < 1:
        msg = f"confidence must be between 0 and 1 (got {confidence})"
        raise ValueError(msg)
    keep = np.isfinite(x) & np.isfinite(y)
    n = int(keep.sum())
    dropped = int(x.size - n)
    if n == 0:
        nan = float("nan")
        return PairedDifference(0, dropped, nan, nan, nan, nan, nan, confidence)
    d = y[keep] - x[keep]
    mean = float(d.mean())
    low = high = float("nan")
    if n >= 2:
        half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * d.std(ddof=1) / math.sqrt(n))
        low, high = mean - half, mean + half
    return PairedDifference(
        n, dropped, float(x[keep].mean()), float(y[keep].mean()), mean, low, high, confidence
    )
