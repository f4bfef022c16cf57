"""Global sensitivity indices matched to the sweep's design, for every outcome.

The method follows the design: Sobol' (S1, ST and S2 with bootstrap confidence
intervals) for a Saltelli design, Morris (mu*, sigma) for a Morris design, FAST (S1, ST)
for a FAST design, and the given-data methods RBD-FAST, PAWN and delta for Latin
hypercube, grid and file designs.

**Indices of the mean response.** With replicates, indices are computed on each design
point's replicate mean, and the noise those means still carry is dealt with:

* Sobol': the within-point noise is removed from the estimators
  (:mod:`sim.analysis.sobol`), so S1, ST and S2 are those of the mean response and a
  parameter that does nothing has ST indistinguishable from zero.
* Morris: noise alone gives every parameter a positive mu*. The *noise floor* of each
  parameter is the 95th percentile of its mu* over 40 pure-noise outcomes (Gaussian, each
  point with its own estimated noise variance), and mu* counts only above it.
* Given-data methods are judged against dummy inputs (:mod:`sim.analysis.given_data`).
* FAST indices keep ``1/R`` of the noise (its total-order index is judged as below).

Without replicates the noise cannot be estimated, and estimators built from differences
between points (Sobol' ST, FAST ST, Morris mu*) include it: each parameter's index is at
least the noise's contribution, so the smallest index is an upper bound on it. When the
smallest index is indistinguishable from zero the noise is negligible and the index is
judged as usual; otherwise its significance is not assessed, the outcome's notes say that
the index includes noise, and parameters are ranked by S1 (whose estimator is unbiased
under independent noise) where the method has it.

**A visible threshold.** Every row of the index table carries a ``threshold`` and whether
the index is ``significant``: for indices with confidence intervals the lower end must be
above the threshold (0 for Sobol' and FAST; the noise floor for Morris mu*), for
given-data methods the index must beat every dummy. Rankings list significant
parameters only.

**Missing data.** Failed, timed-out, unrun and NaN runs are counted per outcome. A point
mean uses the replicates that have a value. Sobol' and Morris leave out whole Saltelli
base rows or trajectories with a hole (complete cases: the indices then describe the
outcome where it is defined) as long as at most :data:`MAX_DROPPED_SHARE` of them are
affected, and say how many; beyond that, or for FAST, the design-bound method refuses
with the count and the analysis falls back to given-data methods on the points that have
a value (the result says so in :attr:`OutcomeSensitivity.notes`, and a
:class:`SensitivityWarning` is raised for notebook users).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from sim.analysis.data import (
    Availability,
    PointResponse,
    SweepData,
    availability_of,
    point_response,
)
from sim.analysis.given_data import GivenData, TooFewPointsError, given_data_rows
from sim.analysis.sobol import MeanResponseError, Resampling, sobol_indices
from sim.engine.design import block_size

#: The index each method ranks parameters by.
MAIN_INDEX = {
    "sobol": "ST",
    "morris": "mu_star",
    "fast": "ST",
    "rbd_fast": "S1",
    "delta": "delta",
    "pawn": "median",
}
#: The index used instead when the main one includes noise that cannot be removed.
NOISE_FREE_INDEX = {"sobol": "S1", "fast": "S1"}
#: Methods that use (X, Y) pairs in any arrangement.
GIVEN_DATA = ("rbd_fast", "pawn", "delta")
#: Given-data methods used when a design-bound method refuses (delta is left out: it
#: is slow and its estimate comes from a single bootstrap resample in SALib 1.6).
FALLBACK = ("rbd_fast", "pawn")
#: Design-bound method per design.
DESIGN_BOUND = {"sobol": "sobol", "morris": "morris", "fast": "fast"}
#: Fewest points any method is run on.
MIN_POINTS = 10
#: Largest share of Saltelli base rows or Morris trajectories left out for holes.
MAX_DROPPED_SHARE = 0.2
#: Pure-noise outcomes drawn for the Morris noise floor.
NOISE_FLOOR_DRAWS = 40
INDEX_COLUMNS = [
    "outcome",
    "method",
    "index",
    "parameter",
    "parameter2",
    "value",
    "conf",
    "threshold",
    "significant",
    "n_points",
    "fallback",
]


class SensitivityWarning(UserWarning):
    """A sensitivity method refused the data or fell back to another method."""


class RefusalError(ValueError):
    """A method cannot be applied to these data; the message says why."""


class ConstantOutcomeError(RefusalError):
    """The outcome does not vary, so no method can attribute its variance."""


@dataclass(frozen=True)
class MethodSettings:
    """How a method is run.

    Attributes:
        options: Sampler options (``num_levels`` for Morris, ``M`` for FAST).
        second_order: Whether a Sobol' design holds the second-order blocks.
        resampling: Bootstrap settings.
    """

    options: dict[str, Any] = field(default_factory=dict)
    second_order: bool = True
    resampling: Resampling = field(default_factory=Resampling)


@dataclass
class MethodResult:
    """What one method gave.

    Attributes:
        rows: Tidy index rows (see :data:`INDEX_COLUMNS`, without outcome and counts).
        messages: Warnings the analyser raised.
        notes: Plain sentences: rows left out, noise removed or included.
        noise_removed: Whether within-point noise was removed or floored.
    """

    rows: list[dict]
    messages: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    noise_removed: bool = False


@dataclass
class OutcomeSensitivity:
    """Sensitivity indices of one outcome and how they were obtained.

    Attributes:
        outcome: Outcome name.
        design_method: The method matched to the design (``given`` for given-data).
        methods: Methods that produced indices, the main one first.
        fallback: Whether a refusal made the analysis fall back to given-data methods.
        indices: Long table (see :data:`INDEX_COLUMNS`).
        availability: Counts of usable and missing runs.
        n_points: Design points with a value (the rows the indices use).
        notes: Plain sentences: missing runs, refusals, fall-backs, noise, SALib warnings.
        refusal: The design-bound method's refusal, if any.
        alerts: The notes that need attention (refusals, failures, nothing computed).
        noise_removed: Whether the main method removed (or floored) within-point noise.
        noise_share: Share of the point means' variance that is replicate noise.
    """

    outcome: str
    design_method: str
    methods: list[str]
    fallback: bool
    indices: pd.DataFrame
    availability: Availability
    n_points: int
    notes: list[str] = field(default_factory=list)
    refusal: str | None = None
    alerts: list[str] = field(default_factory=list)
    noise_removed: bool = False
    noise_share: float = float("nan")

    @property
    def main_method(self) -> str | None:
        """The method whose indices rank the parameters."""
        return self.methods[0] if self.methods else None

    @property
    def main_index(self) -> str | None:
        """The index that ranks the parameters.

        The method's main index, unless its significance could not be assessed (it
        includes noise that cannot be removed); then the method's noise-free index, if
        it has one.
        """
        method = self.main_method
        if method is None:
            return None
        index = MAIN_INDEX[method]
        rows = self._rows(method, index)
        if len(rows) and rows["significant"].isna().all() and method in NOISE_FREE_INDEX:
            return NOISE_FREE_INDEX[method]
        return index

    def _rows(self, method: str, index: str) -> pd.DataFrame:
        table = self.indices
        return table[(table["method"] == method) & (table["index"] == index)]

    def main(self) -> pd.DataFrame:
        """Main index per parameter (value, conf, threshold, significant), largest first."""
        method, index = self.main_method, self.main_index
        columns = ["parameter", "value", "conf", "threshold", "significant"]
        if method is None or index is None:
            return pd.DataFrame(columns=columns)
        return self._rows(method, index)[columns].sort_values("value", ascending=False)

    def ranking(self) -> list[str]:
        """Parameters whose main index is significant, most influential first."""
        table = self.main()
        return table.loc[table["significant"].fillna(False).astype(bool), "parameter"].tolist()


@contextmanager
def _quiet_salib() -> Iterator[list[str]]:
    """Collect SALib's warnings and undo its global side effects (RNG, formatter).

    Linear algebra runs on one thread: the analysers solve many tiny systems (delta's
    kernel densities), which threads only slow down, badly so on a busy machine.
    """
    # SALib's delta seeds numpy's global generator; put it back as it was.
    state = np.random.get_state()  # noqa: NPY002
    formatter = warnings.formatwarning
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught, threadpool_limits(1):
        warnings.simplefilter("always")
        try:
            yield messages
        finally:
            messages.extend(dict.fromkeys(str(w.message).strip() for w in caught))
    warnings.formatwarning = formatter
    np.random.set_state(state)  # noqa: NPY002


def factor_names(problem: dict[str, Any]) -> list[str]:
    """Names SALib reports indices for: group names when grouped, else parameters."""
    groups = problem.get("groups")
    return list(dict.fromkeys(groups)) if groups else list(problem["names"])


def _rows(
    method: str,
    index: str,
    names: list[str],
    values: Any,
    conf: Any = None,
    threshold: Any = 0.0,
) -> list[dict]:
    """Index rows; significant when the lower end of the interval is above the threshold.

    A NaN threshold means the index is not judged (``significant`` None).
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    confs = np.full(len(values), np.nan) if conf is None else np.asarray(conf, dtype=float).ravel()
    limits = np.broadcast_to(np.asarray(threshold, dtype=float), values.shape)
    rows = []
    for name, v, c, t in zip(names, values, confs, limits, strict=True):
        lower = v - (c if np.isfinite(c) else 0.0)
        rows.append(
            {
                "method": method,
                "index": index,
                "parameter": name,
                "parameter2": None,
                "value": float(v),
                "conf": float(c),
                "threshold": float(t),
                "significant": bool(lower > t) if np.isfinite(t) and np.isfinite(v) else None,
            }
        )
    return rows


def _judge_without_noise_estimate(rows: list[dict], method: str, index: str) -> str | None:
    """Apply the no-replicate rule (module docstring) to one index; a note when it bites."""
    judged = [r for r in rows if r["index"] == index and np.isfinite(r["value"])]
    if not judged:
        return None
    smallest = min(judged, key=lambda r: r["value"])
    conf = smallest["conf"] if np.isfinite(smallest["conf"]) else 0.0
    if smallest["value"] - conf <= 0:
        return None
    for row in judged:
        row["significant"] = None
        row["threshold"] = float("nan")
    label = {"mu_star": "mu*"}.get(index, index)
    instead = NOISE_FREE_INDEX.get(method)
    return (
        f"{method} {label} includes replicate noise that cannot be estimated without "
        f"replicates: every parameter's {label} is at least the noise's contribution (at "
        f"most {smallest['value']:.3g} here, the smallest {label}), so a parameter that does "
        f"nothing would show about that much. Its significance is not assessed"
        + (f"; parameters are ranked by {instead}" if instead else "")
        + ". Run at least 2 replicates to remove the noise."
    )


def _complete_units(response: PointResponse, size: int, unit: str) -> np.ndarray:
    """Row indices of whole design units (blocks or trajectories) without a hole.

    Raises:
        RefusalError: If more than :data:`MAX_DROPPED_SHARE` of the units have a hole.
    """
    units = np.isfinite(response.mean).reshape(-1, size).all(axis=1)
    dropped = int((~units).sum())
    if dropped > MAX_DROPPED_SHARE * len(units):
        holes = int((~np.isfinite(response.mean)).sum())
        raise RefusalError(
            f"{holes:,} of {len(response.mean):,} points have no value, leaving holes in "
            f"{dropped:,} of {len(units):,} {unit} (more than {MAX_DROPPED_SHARE:.0%})"
        )
    return np.flatnonzero(np.repeat(units, size))


def _dropped_note(method: str, dropped: int, total: int, unit: str) -> list[str]:
    if not dropped:
        return []
    return [
        f"{method}: {dropped:,} of {total:,} {unit} have a point without a value and are left "
        "out (complete cases): the indices describe the outcome where it is defined."
    ]


def run_method(
    method: str,
    problem: dict[str, Any],
    x: np.ndarray,
    response: PointResponse,
    settings: MethodSettings,
) -> MethodResult:
    """Run one method and return tidy rows, warnings and notes.

    Args:
        method: sobol, morris, fast, rbd_fast, pawn or delta.
        problem: SALib problem dict.
        x: Design matrix in the problem's scale (rows in sampler order).
        response: The outcome at each row.
        settings: Sampler options, second order, bootstrap.

    Raises:
        RefusalError: If the data do not fit the method (holes, wrong block structure, too
            few points, a constant output).
    """
    y = response.mean
    if len(y) < MIN_POINTS:
        raise RefusalError(f"{method} needs at least {MIN_POINTS} points, got {len(y)}")
    finite = y[np.isfinite(y)]
    if method not in ("sobol", "morris"):
        holes = int((~np.isfinite(y)).sum())
        if holes:
            raise RefusalError(
                f"{method} needs a value at every design point, but {holes:,} of {len(y):,} "
                "points have none"
            )
    if finite.size and np.ptp(finite) == 0:
        raise ConstantOutcomeError(
            f"the outcome is constant ({finite[0]:g}) over these points; indices are undefined"
        )
    with _quiet_salib() as messages:
        result = _ANALYSERS[method](problem, x, response, settings)
    # Given-data analysers see neutral names (x0, x1, ...); give messages the real ones.
    real = list(problem["names"])
    result.messages = [
        re.sub(
            r"\[x(\d+)\]",
            lambda m: f"[{real[int(m.group(1))]}]" if int(m.group(1)) < len(real) else m.group(0),
            text,
        )
        for text in messages
    ]
    return result


def _sobol(problem, x, response, settings) -> MethodResult:
    names = factor_names(problem)
    d = len(names)
    step = block_size("sobol", d, settings.second_order)
    n_rows = len(response.mean)
    if n_rows % step:
        raise RefusalError(
            f"sobol needs whole Saltelli blocks of {step} rows (D={d}, second order "
            f"{'on' if settings.second_order else 'off'}); the design has {n_rows} rows"
        )
    if n_rows // step < 2:
        raise RefusalError("sobol needs at least 2 Saltelli blocks")
    _complete_units(response, step, "Saltelli base rows")
    try:
        found = sobol_indices(
            response.mean,
            response.noise,
            d=d,
            second_order=settings.second_order,
            resampling=settings.resampling,
        )
    except MeanResponseError as exc:
        raise ConstantOutcomeError(str(exc)) from None
    rows = _rows("sobol", "S1", names, found.s1, found.s1_conf)
    rows += _rows("sobol", "ST", names, found.st, found.st_conf)
    if found.s2 is not None and found.s2_conf is not None:
        for i in range(d):
            for j in range(i + 1, d):
                row = _rows("sobol", "S2", [names[i]], [found.s2[i, j]], [found.s2_conf[i, j]])
                rows += [row[0] | {"parameter2": names[j]}]
    notes = _dropped_note("sobol", found.rows_dropped, n_rows // step, "Saltelli base rows")
    if found.noise_removed:
        notes.append(
            f"sobol: S1, ST and S2 are those of the mean response: the replicate noise "
            f"({found.noise_share:.0%} of the variance of the point means) is removed from "
            "the estimators."
        )
    else:
        note = _judge_without_noise_estimate(rows, "sobol", "ST")
        notes += [note] if note else []
    return MethodResult(rows, notes=notes, noise_removed=found.noise_removed)


def _morris(problem, x, response, settings) -> MethodResult:
    from SALib.analyze import morris

    names = factor_names(problem)
    size = block_size("morris", len(names))
    if len(response.mean) % size:
        raise RefusalError(
            f"morris needs whole trajectories of {size} rows; the design has "
            f"{len(response.mean)} rows"
        )
    keep = _complete_units(response, size, "trajectories")
    if len(keep) // size < 2:
        raise RefusalError("morris needs at least 2 complete trajectories")
    used = response.take(keep)
    resampling = settings.resampling

    def mu_star(y: np.ndarray, resamples: int) -> dict[str, Any]:
        return morris.analyze(
            dict(problem),
            x[keep],
            y,
            num_resamples=resamples,
            conf_level=resampling.conf_level,
            num_levels=int(settings.options.get("num_levels", 4)),
            seed=resampling.seed,
        )

    result = mu_star(used.mean, resampling.resamples)
    noise = used.noise
    if noise is not None:
        rng = np.random.default_rng(resampling.seed)
        draws = [
            np.asarray(mu_star(rng.normal(0.0, np.sqrt(noise)), 2)["mu_star"], dtype=float)
            for _ in range(NOISE_FLOOR_DRAWS)
        ]
        floor = np.quantile(np.array(draws), 0.95, axis=0)
        rows = _rows("morris", "mu_star", names, result["mu_star"], result["mu_star_conf"], floor)
        # Against the floor the estimate itself counts: the floor holds its sampling spread.
        for row in rows:
            row["significant"] = bool(row["value"] > row["threshold"])
    else:
        rows = _rows("morris", "mu_star", names, result["mu_star"], result["mu_star_conf"])
    rows += _rows("morris", "sigma", names, result["sigma"], threshold=np.nan)
    rows += _rows("morris", "mu", names, result["mu"], threshold=np.nan)
    total = len(response.mean) // size
    notes = _dropped_note("morris", total - len(keep) // size, total, "trajectories")
    if noise is not None:
        notes.append(
            "morris: mu* is judged against each parameter's noise floor, the 95th percentile "
            f"of its mu* over {NOISE_FLOOR_DRAWS} pure-noise outcomes with the points' "
            "estimated replicate noise."
        )
    else:
        note = _judge_without_noise_estimate(rows, "morris", "mu_star")
        notes += [note] if note else []
    return MethodResult(rows, notes=notes, noise_removed=noise is not None)


def _fast(problem, x, response, settings) -> MethodResult:
    from SALib.analyze import fast

    names = factor_names(problem)
    d = len(names)
    y = response.mean
    if problem.get("groups"):
        raise RefusalError("fast does not support grouped parameters")
    if len(y) % d:
        raise RefusalError(f"fast needs {d} equal blocks of rows; the design has {len(y)} rows")
    resampling = settings.resampling
    result = fast.analyze(
        problem,
        y,
        M=int(settings.options.get("M", 4)),
        num_resamples=resampling.resamples,
        conf_level=resampling.conf_level,
        seed=resampling.seed,
    )
    rows = _rows("fast", "S1", names, result["S1"], result["S1_conf"])
    rows += _rows("fast", "ST", names, result["ST"], result["ST_conf"])
    notes = []
    if response.noise is not None:
        notes.append(
            "fast: indices use replicate means, which keep 1/R of the replicate noise; FAST's "
            "estimators cannot remove it."
        )
    note = _judge_without_noise_estimate(rows, "fast", "ST")
    notes += [note] if note else []
    return MethodResult(rows, notes=notes)


def _given(method: str) -> Callable[..., MethodResult]:
    def analyse(problem, x, response, settings) -> MethodResult:
        given = GivenData(problem, x, response, settings.resampling)
        try:
            rows, notes = given_data_rows(method, given)
        except TooFewPointsError as exc:
            raise RefusalError(str(exc)) from None
        return MethodResult(rows, notes=notes, noise_removed=response.noise is not None)

    return analyse


_ANALYSERS: dict[str, Callable[..., MethodResult]] = {
    "sobol": _sobol,
    "morris": _morris,
    "fast": _fast,
    **{method: _given(method) for method in GIVEN_DATA},
}


@dataclass(frozen=True)
class _Context:
    """Everything :func:`outcome_sensitivity` passes around for one outcome."""

    data: SweepData
    outcome: str
    x: np.ndarray
    response: PointResponse
    settings: MethodSettings


def _alert(notes: list[str], alerts: list[str], text: str) -> None:
    alerts.append(text)
    notes.append(text)


def outcome_sensitivity(
    data: SweepData,
    outcome: str,
    *,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int | None = None,
    given_methods: tuple[str, ...] = GIVEN_DATA,
    fallback_methods: tuple[str, ...] = FALLBACK,
    delta_max_points: int = 1000,
    delta_resamples: int = 20,
) -> OutcomeSensitivity:
    """Sensitivity indices of one outcome, with the method matched to the design.

    Args:
        data: The sweep.
        outcome: Outcome name.
        num_resamples: Bootstrap resamples for confidence intervals.
        conf_level: Confidence level.
        seed: Bootstrap seed (defaults to the manifest's root seed).
        given_methods: Given-data methods for latin / grid / file designs.
        fallback_methods: Given-data methods used when the design-bound method refuses.
        delta_max_points: Delta is slow; above this many points it runs on a seeded
            random subset of this size (and says so).
        delta_resamples: Bootstrap resamples for delta (its cost grows with them).

    Returns:
        The indices and every note on missing data, noise, refusals and fall-backs.
    """
    seed = resolve_seed(data, seed)
    avail = availability_of(data, outcome)
    response = point_response(data, outcome)
    y_all = response.mean
    problem = data.problem
    x_all = data.design_matrix(data.params) if len(data.design) else np.zeros((len(y_all), 0))
    notes: list[str] = [avail.sentence()] if avail.missing else []
    alerts: list[str] = []
    if data.replicates > 1:
        notes.append(
            f"Indices use the mean of up to {data.replicates} replicates per design point."
        )
    design_method = DESIGN_BOUND.get(data.method, "given")
    settings = MethodSettings(
        options=data.options,
        second_order=data.second_order,
        resampling=Resampling(num_resamples, conf_level, seed),
    )
    result = OutcomeSensitivity(
        outcome, design_method, [], False, _frame([], outcome), avail, 0, notes, None, alerts
    )
    result.noise_share = response.noise_share
    if x_all.shape[0] != len(y_all) or x_all.shape[1] != len(data.params):
        result.refusal = "the design matrix is missing or does not match the problem's parameters"
        _alert(notes, alerts, f"No indices for {outcome}: {result.refusal}.")
        warnings.warn(alerts[-1], SensitivityWarning, stacklevel=2)
        return result
    context = _Context(data, outcome, x_all, response, settings)
    rows: list[dict] = []
    have = np.isfinite(y_all)
    if design_method != "given":
        try:
            found = run_method(design_method, problem, x_all, response, settings)
            rows += _tag(found.rows, n_points=int(have.sum()), fallback=False)
            result.methods.append(design_method)
            result.noise_removed = found.noise_removed
            notes += found.notes + [f"{design_method}: {m}" for m in found.messages]
        except Exception as exc:  # a refusal, or SALib failing on odd data
            verb = "refused" if isinstance(exc, RefusalError) else "failed on"
            detail = str(exc) if isinstance(exc, RefusalError) else f"{type(exc).__name__}: {exc}"
            result.refusal = f"{design_method} {verb} {outcome}: {detail}"
            constant = isinstance(exc, ConstantOutcomeError)
            result.fallback = bool(have.sum() >= MIN_POINTS) and not constant
            _alert(
                notes,
                alerts,
                result.refusal
                + (
                    f"; falling back to given-data methods ({', '.join(fallback_methods)}) "
                    f"on the {int(have.sum())} points with a value."
                    if result.fallback
                    else "."
                ),
            )
    if design_method == "given" or result.fallback:
        methods = fallback_methods if result.fallback else given_methods
        rows += _given_data(context, result, methods, (delta_max_points, delta_resamples))
    if not result.methods:
        _alert(notes, alerts, f"No sensitivity index could be computed for {outcome}.")
    result.indices = _frame(rows, outcome)
    result.n_points = int(have.sum())
    if alerts:
        warnings.warn(" ".join(alerts), SensitivityWarning, stacklevel=2)
    return result


def _given_data(
    context: _Context,
    result: OutcomeSensitivity,
    methods: tuple[str, ...],
    delta_limits: tuple[int, int],
) -> list[dict]:
    """Run given-data methods on the points with a value; record methods and notes."""
    have = np.isfinite(context.response.mean)
    x, response = context.x[have], context.response.take(np.flatnonzero(have))
    seed = context.settings.resampling.seed
    max_points, max_resamples = delta_limits
    rows: list[dict] = []
    for method in methods:
        xm, rm, extra, settings = x, response, "", context.settings
        if method == "delta":
            resampling = settings.resampling
            settings = MethodSettings(
                settings.options,
                settings.second_order,
                Resampling(min(resampling.resamples, max_resamples), resampling.conf_level, seed),
            )
            if len(rm.mean) > max_points:
                rng = np.random.default_rng(seed)
                pick = np.sort(rng.choice(len(rm.mean), max_points, replace=False))
                xm, rm = x[pick], response.take(pick)
                extra = f" (on a random subset of {max_points} of {len(response.mean)} points)"
        try:
            found = run_method(method, context.data.problem, xm, rm, settings)
        except RefusalError as exc:
            _alert(result.notes, result.alerts, f"{method} refused {context.outcome}: {exc}.")
            continue
        except Exception as exc:  # SALib raises assorted errors on odd data
            _alert(
                result.notes,
                result.alerts,
                f"{method} failed on {context.outcome}: {type(exc).__name__}: {exc}.",
            )
            continue
        rows += _tag(found.rows, n_points=len(rm.mean), fallback=result.fallback)
        result.methods.append(method)
        if not result.noise_removed:
            result.noise_removed = found.noise_removed
        if extra:
            result.notes.append(f"{method}{extra}.")
        result.notes.extend(found.notes + [f"{method}: {m}" for m in found.messages])
    return rows


def resolve_seed(data: SweepData, seed: int | None) -> int:
    """The bootstrap seed: the one given, else the manifest's root seed, else 12345."""
    if seed is not None:
        return int(seed)
    root = data.manifest.get("root_seed")
    return int(root) % (2**32) if isinstance(root, int) else 12345


def _tag(rows: list[dict], *, n_points: int, fallback: bool) -> list[dict]:
    return [r | {"n_points": n_points, "fallback": fallback} for r in rows]


def _frame(rows: list[dict], outcome: str) -> pd.DataFrame:
    frame = pd.DataFrame([{"outcome": outcome} | r for r in rows], columns=INDEX_COLUMNS)
    frame = frame.astype({"value": "float64", "conf": "float64", "threshold": "float64"})
    frame["significant"] = frame["significant"].astype("boolean")
    return frame


def sensitivity(
    data: SweepData,
    outcome: str | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """Sensitivity indices for one outcome or all of them, as one long table.

    Args:
        data: The sweep.
        outcome: An outcome name, or None for every outcome in the manifest.
        **kwargs: Passed to :func:`outcome_sensitivity`.

    Returns:
        Columns :data:`INDEX_COLUMNS`. ``attrs["notes"]`` maps each outcome to its notes
        (missing runs, noise, refusals, fall-backs); refusals also raise a
        :class:`SensitivityWarning`.
    """
    results = [outcome_sensitivity(data, o, **kwargs) for o in _outcomes(data, outcome)]
    frame = (
        pd.concat([r.indices for r in results], ignore_index=True) if results else _frame([], "")
    )
    frame.attrs["notes"] = {r.outcome: list(r.notes) for r in results}
    return frame


def _outcomes(data: SweepData, outcome: str | None) -> list[str]:
    if outcome is None:
        return data.outcomes
    if outcome not in data.outcomes:
        raise KeyError(f"unknown outcome {outcome!r}; known: {', '.join(data.outcomes)}")
    return [outcome]
