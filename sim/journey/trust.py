"""Dyadic trust as Beta evidence (the beta reputation system, Jøsang and Ismail 2002).

``pos`` counts organisation i's reasons to believe in j, ``neg`` its reasons to
disbelieve; with a prior of ``a0`` and ``b0`` pseudo-observations, i's trust in j is the
mean of Beta(a0 + pos, b0 + neg). Gains are small and losses large: the asymmetry is
the ratio of evidence one bad act removes to the evidence one good week adds.

Evidence is kept only for the pairs that have gathered any (a sparse
:class:`~sim.journey.pairs.Pairs` table, one slot per pair); every other pair holds the
prior alone.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from sim.journey.compiled import njit
from sim.journey.pairs import EMPTY, PairIndex, Pairs, find, within

EVIDENCE_COLUMNS = {"pos": (np.float64, 0.0), "neg": (np.float64, 0.0)}


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

    ``pos`` and ``neg`` hold the evidence per pair slot (see ``pairs``).
    """

    pos: np.ndarray
    neg: np.ndarray
    a0: float
    b0: float
    pairs: PairIndex


@njit(cache=True)
def trust_of(ev: Evidence, i: int, j: int) -> float:
    """Trust of ``i`` in ``j``."""
    s = find(ev.pairs, i, j)
    if s == EMPTY:
        return beta_mean_compiled(0.0, 0.0, ev.a0, ev.b0)
    return beta_mean_compiled(ev.pos[s], ev.neg[s], ev.a0, ev.b0)


class TrustLedger:
    """Reasons to believe and disbelieve between pairs of organisations.

    Args:
        n: Number of organisations.
        prior_mean: Trust between strangers before any evidence, in [0, 1].
        prior_weight: Strength of that prior, in pseudo-observations.
    """

    __slots__ = ("a0", "b0", "evidence", "n")

    def __init__(self, n: int, prior_mean: float, prior_weight: float) -> None:
        self.a0 = prior_mean * prior_weight + 1e-9
        self.b0 = (1.0 - prior_mean) * prior_weight + 1e-9
        self.n = n
        self.evidence = Pairs(n, EVIDENCE_COLUMNS)

    @property
    def pos(self) -> np.ndarray:
        """Reasons to believe, per pair slot."""
        return self.evidence.columns["pos"]

    @property
    def neg(self) -> np.ndarray:
        """Reasons to disbelieve, per pair slot."""
        return self.evidence.columns["neg"]

    def matrix(self) -> np.ndarray:
        """Trust of every row organisation in every column organisation (dense: small n)."""
        e = self.evidence
        return beta_mean(e.dense("pos"), e.dense("neg"), self.a0, self.b0)

    def of(self, i: int | np.ndarray, j: int | np.ndarray) -> np.ndarray | float:
        """Trust of ``i`` in ``j`` (broadcasting over index arrays)."""
        e = self.evidence
        return beta_mean(e.get("pos", i, j), e.get("neg", i, j), self.a0, self.b0)

    def of_pairs(self, flat: np.ndarray) -> np.ndarray:
        """Trust for the pairs given as flat indices ``i * n + j``."""
        flat = np.asarray(flat)
        return self.of(flat // self.n, flat % self.n)

    def slots(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Slots of the pairs' evidence, made for pairs that had none."""
        return self.evidence.add(rows, cols)

    def believe(self, weights: np.ndarray) -> None:
        """Add reasons to believe: ``weights[i, j]`` more evidence of i in j."""
        rows, cols = np.nonzero(weights)
        self.believe_pairs(rows, cols, weights[rows, cols])

    def disbelieve(self, weights: np.ndarray) -> None:
        """Add reasons to disbelieve: ``weights[i, j]`` more evidence of i against j."""
        rows, cols = np.nonzero(weights)
        slots = self.slots(rows, cols)  # first: making slots may move the columns
        self.neg[slots] += weights[rows, cols]

    def believe_pairs(self, rows: np.ndarray, cols: np.ndarray, weights: Any) -> None:
        """Add ``weights`` more reasons to believe of each ``rows[k]`` in ``cols[k]``."""
        slots = self.slots(rows, cols)  # first: making slots may move the columns
        self.pos[slots] += weights

    def believe_within(self, team: np.ndarray, weight: float) -> None:
        """Add ``weight`` more reasons to believe of every member of ``team`` in every other."""
        self.believe_pairs(*within(team), weight)

    def disbelieve_within(self, team: np.ndarray, weight: float) -> None:
        """Add ``weight`` more reasons to disbelieve of every member of ``team`` in every other."""
        rows, cols = within(team)
        slots = self.slots(rows, cols)  # first: making slots may move the columns
        self.neg[slots] += weight

    def forget(self, orgs: np.ndarray) -> None:
        """Wipe the evidence of and about ``orgs`` (they left the ecosystem)."""
        self.evidence.reset_rows(orgs)

    def evidence_record(self) -> Evidence:
        """The ledger as an :class:`Evidence` record."""
        e = self.evidence
        return Evidence(self.pos, self.neg, self.a0, self.b0, e.index)
