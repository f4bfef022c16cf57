"""Dyadic trust as Beta evidence (the beta reputation system, Jøsang and Ismail 2002).

``pos[i, j]`` counts organisation i's reasons to believe in j, ``neg[i, j]`` its reasons
to disbelieve; with a prior of ``a0`` and ``b0`` pseudo-observations, i's trust in j is
the mean of Beta(a0 + pos, b0 + neg). Gains are small and losses large: the asymmetry is
the ratio of evidence one bad act removes to the evidence one good week adds.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from sim.journey.compiled import njit


def beta_mean(positive: Any, negative: Any, a0: float, b0: float) -> Any:
    """Trust from evidence: the mean of Beta(a0 + positive, b0 + negative).

    Works on numbers and on arrays alike; the compiled loops call :data:`beta_mean_compiled`,
    the same arithmetic.
    """
    a = positive + a0
    return a / (negative + a + b0)


beta_mean_compiled = njit(cache=True)(beta_mean)


class Evidence(NamedTuple):
    """A trust ledger's evidence and prior, as compiled kernels take it.

    ``pos`` and ``neg`` are the ledger's (n, n) arrays, or flat views of them.
    """

    pos: np.ndarray
    neg: np.ndarray
    a0: float
    b0: float


class TrustLedger:
    """Reasons to believe and disbelieve between every pair of organisations.

    Args:
        n: Number of organisations.
        prior_mean: Trust between strangers before any evidence, in [0, 1].
        prior_weight: Strength of that prior, in pseudo-observations.
    """

    __slots__ = ("a0", "b0", "neg", "pos")

    def __init__(self, n: int, prior_mean: float, prior_weight: float) -> None:
        self.a0 = prior_mean * prior_weight + 1e-9
        self.b0 = (1.0 - prior_mean) * prior_weight + 1e-9
        self.pos = np.zeros((n, n))
        self.neg = np.zeros((n, n))

    def matrix(self) -> np.ndarray:
        """Trust of every row organisation in every column organisation."""
        return beta_mean(self.pos, self.neg, self.a0, self.b0)

    def of(self, i: int | np.ndarray, j: int | np.ndarray) -> np.ndarray | float:
        """Trust of ``i`` in ``j`` (broadcasting over index arrays)."""
        return beta_mean(self.pos[i, j], self.neg[i, j], self.a0, self.b0)

    def of_pairs(self, flat: np.ndarray) -> np.ndarray:
        """Trust for the pairs given as flat indices ``i * n + j`` (into ``pos``)."""
        return beta_mean(self.pos.take(flat), self.neg.take(flat), self.a0, self.b0)

    def believe(self, weights: np.ndarray) -> None:
        """Add reasons to believe: ``weights[i, j]`` more evidence of i in j."""
        self.pos += weights

    def disbelieve(self, weights: np.ndarray) -> None:
        """Add reasons to disbelieve: ``weights[i, j]`` more evidence of i against j."""
        self.neg += weights

    def evidence_record(self, flat: bool = False) -> Evidence:
        """The ledger as an :class:`Evidence` record (``flat``: 1-D views of the arrays)."""
        if flat:
            return Evidence(self.pos.reshape(-1), self.neg.reshape(-1), self.a0, self.b0)
        return Evidence(self.pos, self.neg, self.a0, self.b0)
