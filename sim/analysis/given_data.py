"""Given-data sensitivity methods (RBD-FAST, PAWN, delta), judged against dummy inputs.

Given-data estimators are biased upwards on finite samples: a parameter that does
nothing still gets a positive RBD-FAST S1, PAWN statistic or delta. So every analysis
adds dummy inputs, columns of uniform random numbers (seeded) that the outcome cannot
depend on, and computes their indices as it does the parameters'. The threshold of an
index is the largest value any dummy reaches (19 dummies for RBD-FAST and PAWN, so a
parameter that does nothing beats them all with probability 1/20; for delta, which is
slow, the largest upper confidence end of 4 dummies). A parameter is significant when
its index, less its confidence half-width where the method gives one, is above the
threshold.

With replicates the indices use the point means, which keep ``1/R`` of the noise.
RBD-FAST's first-order index is a share of variance, so it is rescaled to the variance of
the mean response (the variance of the point means less their mean noise variance);
PAWN and delta describe distributions and are not rescaled: their dummies show how much
of their value chance alone gives.

RBD-FAST is SALib's estimator, computed here for all columns and bootstrap resamples at
once (about ten times faster). PAWN (Pianosi and Wagener 2015) is computed here rather
than by SALib, whose slicing can
ask for quantiles above 1 (``np.arange(0, 1 + 1/S, 1/S)`` may run past 1) and fails on
some sample sizes: each parameter's range is cut into ``S`` slices holding equal shares
of the points (or one slice per value for a parameter with few distinct values), and the
index is a statistic (median, mean, minimum, maximum, coefficient of variation) of the
Kolmogorov-Smirnov distances between the outcome's distribution in each slice and
overall.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.analysis.data import PointResponse
from sim.analysis.sobol import Resampling


class TooFewPointsError(ValueError):
    """A given-data method cannot run on so few points."""


#: Dummy inputs per method.
DUMMIES = {"rbd_fast": 19, "pawn": 19, "delta": 4}
#: The statistics PAWN reports.
PAWN_STATISTICS = ("median", "mean", "minimum", "maximum", "CV")


@dataclass(frozen=True)
class GivenData:
    """Inputs of a given-data analysis.

    Attributes:
        problem: The SALib problem (real parameter names).
        x: Design matrix, one row per point with a value.
        response: The outcome at those points.
        resampling: Bootstrap settings (and the seed of the dummies).
    """

    problem: dict[str, Any]
    x: np.ndarray
    response: PointResponse
    resampling: Resampling


def pawn_indices(x: np.ndarray, y: np.ndarray, slices: int) -> dict[str, np.ndarray]:
    """PAWN statistics per column of ``x`` (see the module docstring).

    Args:
        x: Inputs, one column per parameter.
        y: Outcome, one value per row.
        slices: Conditioning slices per parameter.
    """
    out = {name: np.full(x.shape[1], np.nan) for name in PAWN_STATISTICS}
    order = np.argsort(y, kind="stable")
    ordered = y[order]
    # Distributions are compared at each distinct outcome value (the last of its ties).
    last = np.flatnonzero(np.r_[ordered[1:] != ordered[:-1], True])
    overall = (last + 1) / len(y)
    for j in range(x.shape[1]):
        column = x[:, j]
        values = np.unique(column)
        if len(values) <= slices:
            which = np.searchsorted(values, column)
            groups = len(values)
        else:
            edges = np.quantile(column, np.linspace(0.0, 1.0, slices + 1))
            which = np.clip(np.searchsorted(edges, column, side="right") - 1, 0, slices - 1)
            groups = slices
        members = which[order][:, None] == np.arange(groups)[None, :]
        sizes = members.sum(axis=0)
        used = sizes > 0
        if not used.any():
            continue
        within = np.cumsum(members[:, used], axis=0)[last] / sizes[used]
        distances = np.abs(within - overall[:, None]).max(axis=0)  # Kolmogorov-Smirnov
        mean = float(distances.mean())
        out["median"][j] = float(np.median(distances))
        out["mean"][j] = mean
        out["minimum"][j] = float(distances.min())
        out["maximum"][j] = float(distances.max())
        out["CV"][j] = float(distances.std() / mean) if mean > 0 else np.nan
    return out


def _safe_problem(problem: dict[str, Any]) -> dict[str, Any]:
    """Neutral names (SALib's delta forbids some suffixes), ungrouped."""
    safe = {k: v for k, v in problem.items() if k not in ("groups", "outputs")}
    safe["names"] = [f"x{i}" for i in range(len(problem["names"]))]
    safe["num_vars"] = len(problem["names"])
    return safe


def _dummy_problem(k: int) -> dict[str, Any]:
    """A problem of ``k`` uniform dummy inputs on [0, 1]."""
    return {"num_vars": k, "names": [f"d{i}" for i in range(k)], "bounds": [[0.0, 1.0]] * k}


def _first_order_spectrum(x: np.ndarray, y: np.ndarray, harmonics: int) -> np.ndarray:
    """RBD-FAST first-order indices of every column of ``x`` (rows: cases), unskewed.

    As SALib's ``rbd_fast`` (Plischke 2010 reordering, periodogram, Tissot and Prieur
    2012 bias correction), for all columns and resamples at once: ``x`` and ``y`` may have
    a leading resample axis.
    """
    order = np.argsort(x, axis=-2, kind="stable")
    order = np.concatenate([order[..., ::2, :], order[..., 1::2, :][..., ::-1, :]], axis=-2)
    permuted = np.take_along_axis(y[..., :, None], order, axis=-2)
    n = permuted.shape[-2]
    centred = permuted - permuted.mean(axis=-2, keepdims=True)
    power = np.abs(np.fft.rfft(centred, axis=-2)) ** 2
    if n % 2 == 0:  # the one-sided periodogram does not double the Nyquist bin
        power[..., -1, :] /= 2
    first = power[..., 1 : harmonics + 1, :].sum(axis=-2) / power[..., 1:, :].sum(axis=-2)
    lam = 2 * harmonics / n
    return first - lam / (1 - lam) * (1 - first)


#: Fewest points RBD-FAST runs on: its half-size bootstrap needs well over 2M of them.
RBD_FAST_MIN_POINTS = 60


def rbd_fast_indices(
    x: np.ndarray, y: np.ndarray, resampling: Resampling, harmonics: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """RBD-FAST S1 per column and its half-width (SALib's bootstrap: half-size resamples).

    Args:
        x: Inputs, one column per parameter.
        y: Outcome, one value per row.
        resampling: Bootstrap settings.
        harmonics: Harmonics counted as first-order (SALib's ``M``).
    """
    values = _first_order_spectrum(x, y, harmonics)
    rng = np.random.default_rng(resampling.seed)
    draws = rng.integers(0, len(y), size=(resampling.resamples, len(y) // 2))
    spread = _first_order_spectrum(x[draws], y[draws], harmonics).std(axis=0, ddof=1)
    return values, resampling.z * spread


def _rbd_fast(safe, x, y, resampling) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    if len(y) < RBD_FAST_MIN_POINTS:
        raise TooFewPointsError(
            f"rbd_fast needs at least {RBD_FAST_MIN_POINTS} points (10 harmonics, half-size "
            f"bootstrap), got {len(y)}"
        )
    return {"S1": rbd_fast_indices(x, y, resampling)}


def _pawn(safe, x, y, resampling) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    slices = int(np.clip(len(y) // 50, 3, 10))
    found = pawn_indices(x, y, slices)
    return {k: (v, np.full(len(v), np.nan)) for k, v in found.items()}


def _delta(safe, x, y, resampling) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from SALib.analyze import delta

    result = delta.analyze(
        safe,
        x,
        y,
        num_resamples=resampling.resamples,
        conf_level=resampling.conf_level,
        seed=resampling.seed,
        method="delta",
    )
    return {"delta": (np.asarray(result["delta_raw"]), np.asarray(result["delta_raw_conf"]))}


_METHODS: dict[str, Callable[..., dict[str, tuple[np.ndarray, np.ndarray]]]] = {
    "rbd_fast": _rbd_fast,
    "pawn": _pawn,
    "delta": _delta,
}


def _variance_ratio(response: PointResponse) -> float:
    """Variance of the point means over that of the mean response (1 without noise)."""
    if response.noise is None:
        return 1.0
    total = float(np.var(response.mean))
    signal = total - float(np.mean(response.noise))
    return total / signal if signal > 0 else float("nan")


def given_data_rows(method: str, given: GivenData) -> tuple[list[dict], list[str]]:
    """Indices of one given-data method with dummy thresholds and significance.

    A parameter is significant when its index (less its confidence half-width, where
    the method gives one) is above the threshold.

    Args:
        method: ``rbd_fast``, ``pawn`` or ``delta``.
        given: The inputs.

    Returns:
        Tidy rows (method, index, parameter, value, conf, threshold, significant) and
        plain notes.
    """
    names = list(given.problem["names"])
    k = DUMMIES[method]
    y = given.response.mean
    resampling = given.resampling
    analyser = _METHODS[method]
    found = analyser(_safe_problem(given.problem), given.x, y, resampling)
    # Dummies are analysed on their own: each column's index depends on that column only,
    # and only delta's threshold needs their intervals.
    dummy_x = np.random.default_rng(resampling.seed).uniform(size=(len(y), k))
    dummy_resampling = (
        resampling if method == "delta" else Resampling(2, resampling.conf_level, resampling.seed)
    )
    dummies = analyser(_dummy_problem(k), dummy_x, y, dummy_resampling)
    notes: list[str] = []
    scale = _variance_ratio(given.response) if method == "rbd_fast" else 1.0
    if scale != 1.0 and np.isfinite(scale):
        notes.append(
            f"{method}: S1 rescaled to the variance of the mean response (x{scale:.2f}: "
            "the point means' replicate noise removed from the variance)."
        )
    rows = []
    for index, (raw_values, raw_confs) in found.items():
        values, confs = raw_values * scale, raw_confs * scale
        dummy_values, dummy_confs = dummies[index]
        dummy = scale * (dummy_values + (np.nan_to_num(dummy_confs) if method == "delta" else 0))
        judged = index != "CV" and np.isfinite(dummy).any()  # a spread, not an effect
        threshold = float(np.nanmax(dummy)) if judged else float("nan")
        lower = values - np.nan_to_num(confs)
        rows += [
            {
                "method": method,
                "index": index,
                "parameter": name,
                "parameter2": None,
                "value": float(values[j]),
                "conf": float(confs[j]),
                "threshold": threshold,
                "significant": bool(lower[j] > threshold) if judged else None,
            }
            for j, name in enumerate(names)
        ]
    return rows, notes
