"""Sobol' indices of the mean response of a stochastic model, from a Saltelli design.

A stochastic model's run is ``f(x, w) = g(x) + e(x, w)``: the mean response ``g`` plus
noise of variance ``s2(x)``. The variance of single runs splits into the variance of the
mean response and the mean noise variance (``Var f = Var g + E s2``; Hart, Alexanderian
and Gremaud 2017, section 3). With ``R`` replicates the point mean still carries noise
of variance ``s2(x) / R``, and every estimator built from differences between points
picks it up: Jansen's total-order numerator ``E[(y_A - y_ABi)^2] / 2`` gains
``(s2_A + s2_ABi) / (2R)`` for every parameter, so a parameter that does nothing gets a
total-order index close to the noise share.

The indices reported here are those of ``g``: each design point's noise variance of its
mean is estimated without bias from its replicates (``var / n``) and removed, from the
variance of the point means and from each term of Jansen's numerator. Saltelli's (2010)
first-order numerator ``E[y_B (y_ABi - y_A)]`` and the second-order numerator
``E[y_BAj y_ABk - y_A y_B]`` multiply values of different points, whose noises are
independent (every run has its own seed), so they need no correction. Without
replicates (``noise`` is None) nothing is removed and the total-order indices include
the noise.

The estimators are SALib's (Saltelli 2010 first order, Jansen total order, Saltelli 2002
second order, on outputs centred and scaled as SALib does), so a deterministic model gets
SALib's values; the confidence half-width is ``z`` times the standard deviation of a
seeded bootstrap over base rows, also as SALib. Base rows (a Saltelli block: ``A``, the
``AB_i``, the ``BA_i`` and ``B``) with a hole are left out whole (complete cases).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Resampling:
    """How confidence intervals are drawn.

    Attributes:
        resamples: Bootstrap resamples.
        conf_level: Confidence level of the half-widths.
        seed: Seed of the bootstrap.
    """

    resamples: int = 100
    conf_level: float = 0.95
    seed: int = 12345

    @property
    def z(self) -> float:
        """The normal quantile of the two-sided level."""
        return float(stats.norm.ppf(0.5 + self.conf_level / 2))


@dataclass
class SobolEstimate:
    """Sobol' indices of one outcome with their confidence half-widths.

    Attributes:
        s1: First-order indices, one per factor.
        s1_conf: Their half-widths.
        st: Total-order indices.
        st_conf: Their half-widths.
        s2: Second-order indices (upper triangle; NaN elsewhere), or None.
        s2_conf: Their half-widths, or None.
        rows: Base rows used.
        rows_dropped: Base rows left out for a hole.
        noise_removed: Whether within-point noise was removed.
        noise_share: Share of the point means' variance that is noise (NaN without it).
    """

    s1: np.ndarray
    s1_conf: np.ndarray
    st: np.ndarray
    st_conf: np.ndarray
    s2: np.ndarray | None = None
    s2_conf: np.ndarray | None = None
    rows: int = 0
    rows_dropped: int = 0
    noise_removed: bool = False
    noise_share: float = float("nan")


class MeanResponseError(ValueError):
    """The point means vary no more than their replicate noise explains."""


@dataclass(frozen=True)
class _Blocks:
    """Outputs and noise variances split into Saltelli's matrices.

    Rows (base samples) run along the last axis of ``a``, ``b``, ``va``, ``vb`` and the
    second-to-last of ``ab``, ``ba``, ``vab``; any leading axes are bootstrap resamples.
    """

    a: np.ndarray
    b: np.ndarray
    ab: np.ndarray
    ba: np.ndarray | None
    va: np.ndarray
    vb: np.ndarray
    vab: np.ndarray

    def take(self, rows: np.ndarray) -> _Blocks:
        return _Blocks(
            self.a[rows],
            self.b[rows],
            self.ab[rows],
            None if self.ba is None else self.ba[rows],
            self.va[rows],
            self.vb[rows],
            self.vab[rows],
        )

    def variance(self) -> np.ndarray:
        """Variance of the mean response: of the point means, less their mean noise."""
        values = np.concatenate([self.a, self.b], axis=-1)
        noise = np.concatenate([self.va, self.vb], axis=-1)
        return np.var(values, axis=-1) - noise.mean(axis=-1)

    def first_order(self, total: np.ndarray) -> np.ndarray:
        terms = self.b[..., None] * (self.ab - self.a[..., None])
        return terms.mean(axis=-2) / total[..., None]

    def total_order(self, total: np.ndarray) -> np.ndarray:
        squares = (self.a[..., None] - self.ab) ** 2 - (self.va[..., None] + self.vab)
        return 0.5 * squares.mean(axis=-2) / total[..., None]

    def second_order(self, total: np.ndarray, first: np.ndarray) -> np.ndarray:
        d = self.ab.shape[-1]
        out = np.full((*total.shape, d, d), np.nan)
        if self.ba is None:
            return out
        for j in range(d):
            for k in range(j + 1, d):
                joint = (self.ba[..., j] * self.ab[..., k] - self.a * self.b).mean(axis=-1)
                out[..., j, k] = joint / total - first[..., j] - first[..., k]
        return out


#: Bootstrap resamples computed at once (bounds the memory of large designs).
CHUNK = 10


def split_blocks(
    y: np.ndarray, noise: np.ndarray | None, d: int, second_order: bool
) -> tuple[_Blocks, int]:
    """Split point means (sampler order) into Saltelli's matrices, complete rows only.

    Args:
        y: One mean per design point, ``N * (2D + 2)`` or ``N * (D + 2)`` of them.
        noise: Noise variance of each mean (None: no replicates).
        d: Number of factors.
        second_order: Whether the design holds the ``BA`` blocks.

    Returns:
        The blocks, and how many base rows were left out for a hole.
    """
    step = 2 * d + 2 if second_order else d + 2
    rows = np.asarray(y, dtype=np.float64).reshape(-1, step)
    var = np.zeros_like(rows) if noise is None else np.asarray(noise, float).reshape(-1, step)
    complete = np.isfinite(rows).all(axis=1) & np.isfinite(var).all(axis=1)
    rows, var = rows[complete], var[complete]
    # Centre and scale as SALib does (estimates of S1 depend on the centring).
    scale = float(rows.std()) if rows.size else 1.0
    scale = scale if scale > 0 else 1.0
    rows = (rows - rows.mean()) / scale
    var = var / scale**2
    blocks = _Blocks(
        a=rows[:, 0],
        b=rows[:, -1],
        ab=rows[:, 1 : d + 1],
        ba=rows[:, d + 1 : 2 * d + 1] if second_order else None,
        va=var[:, 0],
        vb=var[:, -1],
        vab=var[:, 1 : d + 1],
    )
    return blocks, int((~complete).sum())


def sobol_indices(
    y: np.ndarray,
    noise: np.ndarray | None,
    *,
    d: int,
    second_order: bool,
    resampling: Resampling,
) -> SobolEstimate:
    """First, total and (optionally) second-order indices of the mean response.

    Args:
        y: Point means in sampler order.
        noise: Noise variance of each point mean (None: nothing is removed).
        d: Number of factors (parameters or groups).
        second_order: Whether the design holds the second-order blocks.
        resampling: Bootstrap settings.

    Raises:
        MeanResponseError: If, once noise is removed, the mean response does not vary.
    """
    blocks, dropped = split_blocks(y, noise, d, second_order)
    n = len(blocks.a)
    total = float(blocks.variance())
    raw = float(np.var(np.concatenate([blocks.a, blocks.b])))
    if not total > 1e-12 * max(raw, 1e-300):
        raise MeanResponseError(
            "once the replicate noise is removed, the point means do not vary: the mean "
            "response shows no detectable variation"
        )
    whole = np.array(total)
    s1 = blocks.first_order(whole)
    st = blocks.total_order(whole)
    s2 = blocks.second_order(whole, s1) if second_order else None
    rng = np.random.default_rng(resampling.seed)
    draws_s1, draws_st, draws_s2 = [], [], []
    for start in range(0, resampling.resamples, CHUNK):
        count = min(CHUNK, resampling.resamples - start)
        sample = blocks.take(rng.integers(n, size=(count, n)))
        t = sample.variance()
        t = np.where(t > 0, t, np.nan)
        first = sample.first_order(t)
        draws_s1.append(first)
        draws_st.append(sample.total_order(t))
        if second_order:
            draws_s2.append(sample.second_order(t, first))
    draws_s1, draws_st = np.concatenate(draws_s1), np.concatenate(draws_st)
    draws_s2 = np.concatenate(draws_s2) if second_order else None
    z = resampling.z
    noise_mean = float(np.concatenate([blocks.va, blocks.vb]).mean())
    s2_conf = None
    if draws_s2 is not None:
        upper = np.triu_indices(d, 1)
        s2_conf = np.full((d, d), np.nan)
        s2_conf[upper] = z * np.nanstd(draws_s2[:, upper[0], upper[1]], axis=0, ddof=1)
    return SobolEstimate(
        s1=s1,
        s1_conf=z * np.nanstd(draws_s1, axis=0, ddof=1),
        st=st,
        st_conf=z * np.nanstd(draws_st, axis=0, ddof=1),
        s2=s2,
        s2_conf=s2_conf,
        rows=n,
        rows_dropped=dropped,
        noise_removed=noise is not None,
        noise_share=noise_mean / raw if noise is not None and raw > 0 else float("nan"),
    )
