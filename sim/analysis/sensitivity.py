"""Global sensitivity indices (SALib) matched to the sweep's design, for every outcome.

The method follows the design: Sobol' (S1, ST and S2 with bootstrap confidence
intervals) for a Saltelli design, Morris (mu*, sigma) for a Morris design, FAST (S1, ST)
for a FAST design, and the given-data methods RBD-FAST, PAWN and delta for Latin
hypercube, grid and file designs.

With replicates, indices are computed on the replicate mean of each design point (the
share of variance that is replicate noise is reported by :mod:`sim.analysis.noise`).

Nothing is silent: failed, timed-out, unrun and NaN runs are counted per outcome. A
design-bound method (Sobol', Morris, FAST) cannot use a design with holes, so it refuses
with the count and the analysis falls back to given-data methods on the points that have
a value; the result says so in :attr:`OutcomeSensitivity.notes`, and a
:class:`SensitivityWarning` is raised for notebook users.
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

from sim.analysis.data import Availability, SweepData, availability_of, point_values
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
#: Methods that use (X, Y) pairs in any arrangement.
GIVEN_DATA = ("rbd_fast", "pawn", "delta")
#: Given-data methods used when a design-bound method refuses (delta is left out: it
#: is slow and its estimate comes from a single bootstrap resample in SALib 1.6).
FALLBACK = ("rbd_fast", "pawn")
#: Design-bound method per design.
DESIGN_BOUND = {"sobol": "sobol", "morris": "morris", "fast": "fast"}
#: Fewest points any method is run on.
MIN_POINTS = 10
INDEX_COLUMNS = [
    "outcome",
    "method",
    "index",
    "parameter",
    "parameter2",
    "value",
    "conf",
    "n_points",
    "fallback",
]


class SensitivityWarning(UserWarning):
    """A sensitivity method refused the data or fell back to another method."""


class RefusalError(ValueError):
    """A method cannot be applied to these data; the message says why."""


class ConstantOutcomeError(RefusalError):
    """The outcome does not vary, so no method can attribute its variance."""


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
        notes: Plain sentences: missing runs, refusals, fall-backs, SALib warnings.
        refusal: The design-bound method's refusal, if any.
        alerts: The notes that need attention (refusals, failures, nothing computed).
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

    @property
    def main_method(self) -> str | None:
        """The method whose indices rank the parameters."""
        return self.methods[0] if self.methods else None

    def main(self) -> pd.DataFrame:
        """Main index per parameter (value, conf), largest first."""
        method = self.main_method
        if method is None:
            return pd.DataFrame(columns=["parameter", "value", "conf"])
        rows = self.indices[
            (self.indices["method"] == method) & (self.indices["index"] == MAIN_INDEX[method])
        ]
        return rows[["parameter", "value", "conf"]].sort_values("value", ascending=False)

    def ranking(self) -> list[str]:
        """Parameters ordered by the main index, most influential first."""
        return self.main()["parameter"].tolist()


@contextmanager
def _quiet_salib() -> Iterator[list[str]]:
    """Collect SALib's warnings and undo its global side effects (RNG, formatter)."""
    # SALib's delta seeds numpy's global generator; put it back as it was.
    state = np.random.get_state()  # noqa: NPY002
    formatter = warnings.formatwarning
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
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


def _safe_problem(problem: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy of the problem with neutral names (SALib's delta forbids some suffixes)."""
    names = list(problem["names"])
    safe = {k: v for k, v in problem.items() if k != "groups"}
    safe["names"] = [f"x{i}" for i in range(len(names))]
    safe["num_vars"] = len(names)
    return safe, names


def _rows(method: str, index: str, names: list[str], values: Any, conf: Any = None) -> list[dict]:
    values = np.asarray(values, dtype=np.float64).ravel()
    confs = np.full(len(values), np.nan) if conf is None else np.asarray(conf, dtype=float).ravel()
    return [
        {
            "method": method,
            "index": index,
            "parameter": name,
            "parameter2": None,
            "value": float(v),
            "conf": float(c),
        }
        for name, v, c in zip(names, values, confs, strict=True)
    ]


def _check_y(y: np.ndarray, method: str) -> None:
    holes = int((~np.isfinite(y)).sum())
    if holes:
        raise RefusalError(
            f"{method} needs a value at every design point, but {holes:,} of {len(y):,} "
            "points have none"
        )


def run_method(
    method: str,
    problem: dict[str, Any],
    x: np.ndarray,
    y: np.ndarray,
    *,
    options: dict[str, Any] | None = None,
    second_order: bool = True,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int | None = None,
) -> tuple[list[dict], list[str]]:
    """Run one SALib analyser and return tidy rows and its warnings.

    Args:
        method: sobol, morris, fast, rbd_fast, pawn or delta.
        problem: SALib problem dict.
        x: Design matrix in the problem's scale (rows in sampler order).
        y: One value per row.
        options: Sampler options (``num_levels`` for Morris, ``M`` for FAST).
        second_order: Whether a Sobol' design holds the second-order blocks.
        num_resamples: Bootstrap resamples for confidence intervals.
        conf_level: Confidence level of the intervals.
        seed: Seed of the bootstrap.

    Returns:
        Rows (method, index, parameter, parameter2, value, conf) and warning texts.

    Raises:
        RefusalError: If the data do not fit the method (holes, wrong block structure, too
            few points, a constant output).
    """
    options = dict(options or {})
    y = np.asarray(y, dtype=np.float64)
    names = factor_names(problem)
    d = len(names)
    if len(y) < MIN_POINTS:
        raise RefusalError(f"{method} needs at least {MIN_POINTS} points, got {len(y)}")
    _check_y(y, method)
    if np.ptp(y) == 0:
        raise ConstantOutcomeError(
            f"the outcome is constant ({y[0]:g}) over these points; indices are undefined"
        )
    analyser = _ANALYSERS[method]
    with _quiet_salib() as messages:
        rows = analyser(
            problem,
            x,
            y,
            names=names,
            d=d,
            options=options,
            second_order=second_order,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=seed,
        )
    # Given-data analysers see neutral names (x0, x1, ...); give messages the real ones.
    real = list(problem["names"])
    renamed = [
        re.sub(
            r"\[x(\d+)\]",
            lambda m: f"[{real[int(m.group(1))]}]" if int(m.group(1)) < len(real) else m.group(0),
            text,
        )
        for text in messages
    ]
    return rows, renamed


def _sobol(problem, x, y, *, names, d, second_order, num_resamples, conf_level, seed, **_):
    from SALib.analyze import sobol

    step = block_size("sobol", d, second_order)
    if len(y) % step:
        raise RefusalError(
            f"sobol needs whole Saltelli blocks of {step} rows (D={d}, second order "
            f"{'on' if second_order else 'off'}); the design has {len(y)} rows"
        )
    if len(y) // step < 2:
        raise RefusalError("sobol needs at least 2 Saltelli blocks")
    result = sobol.analyze(
        problem,
        y,
        calc_second_order=second_order,
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=seed,
    )
    rows = _rows("sobol", "S1", names, result["S1"], result["S1_conf"])
    rows += _rows("sobol", "ST", names, result["ST"], result["ST_conf"])
    if second_order:
        s2, s2c = np.asarray(result["S2"]), np.asarray(result["S2_conf"])
        for i in range(d):
            for j in range(i + 1, d):
                rows.append(
                    {
                        "method": "sobol",
                        "index": "S2",
                        "parameter": names[i],
                        "parameter2": names[j],
                        "value": float(s2[i, j]),
                        "conf": float(s2c[i, j]),
                    }
                )
    return rows


def _morris(problem, x, y, *, names, d, options, num_resamples, conf_level, seed, **_):
    from SALib.analyze import morris

    size = block_size("morris", d)
    if len(y) % size:
        raise RefusalError(
            f"morris needs whole trajectories of {size} rows; the design has {len(y)} rows"
        )
    if len(y) // size < 2:
        raise RefusalError("morris needs at least 2 trajectories")
    result = morris.analyze(
        problem,
        x,
        y,
        num_resamples=num_resamples,
        conf_level=conf_level,
        num_levels=int(options.get("num_levels", 4)),
        seed=seed,
    )
    rows = _rows("morris", "mu_star", names, result["mu_star"], result["mu_star_conf"])
    rows += _rows("morris", "sigma", names, result["sigma"])
    rows += _rows("morris", "mu", names, result["mu"])
    return rows


def _fast(problem, x, y, *, names, d, options, num_resamples, conf_level, seed, **_):
    from SALib.analyze import fast

    if problem.get("groups"):
        raise RefusalError("fast does not support grouped parameters")
    if len(y) % d:
        raise RefusalError(f"fast needs {d} equal blocks of rows; the design has {len(y)} rows")
    result = fast.analyze(
        problem,
        y,
        M=int(options.get("M", 4)),
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=seed,
    )
    rows = _rows("fast", "S1", names, result["S1"], result["S1_conf"])
    rows += _rows("fast", "ST", names, result["ST"], result["ST_conf"])
    return rows


def _rbd_fast(problem, x, y, *, num_resamples, conf_level, seed, **_):
    from SALib.analyze import rbd_fast

    safe, names = _safe_problem(problem)
    result = rbd_fast.analyze(
        safe, x, y, num_resamples=num_resamples, conf_level=conf_level, seed=seed
    )
    return _rows("rbd_fast", "S1", names, result["S1"], result["S1_conf"])


def _pawn(problem, x, y, *, seed, **_):
    from SALib.analyze import pawn

    safe, names = _safe_problem(problem)
    slices = int(np.clip(len(y) // 50, 3, 10))
    result = pawn.analyze(safe, x, y, S=slices, seed=seed)
    rows = []
    for index in ("median", "mean", "minimum", "maximum", "CV"):
        rows += _rows("pawn", index, names, result[index])
    return rows


def _delta(problem, x, y, *, num_resamples, conf_level, seed, **_):
    from SALib.analyze import delta

    safe, names = _safe_problem(problem)
    result = delta.analyze(
        safe,
        x,
        y,
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=seed,
        method="delta",
    )
    return _rows("delta", "delta", names, result["delta_raw"], result["delta_raw_conf"])


_ANALYSERS: dict[str, Callable[..., list[dict]]] = {
    "sobol": _sobol,
    "morris": _morris,
    "fast": _fast,
    "rbd_fast": _rbd_fast,
    "pawn": _pawn,
    "delta": _delta,
}


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
        The indices and every note on missing data, refusals and fall-backs.
    """
    seed = _seed(data, seed)
    avail = availability_of(data, outcome)
    stats = point_values(data, outcome)
    y_all = stats["mean"].to_numpy(dtype=np.float64)
    problem = data.problem
    x_all = data.design_matrix(data.params) if len(data.design) else np.zeros((len(y_all), 0))
    notes: list[str] = []
    alerts: list[str] = []
    if avail.missing:
        notes.append(avail.sentence())
    if data.replicates > 1:
        notes.append(
            f"Indices use the mean of up to {data.replicates} replicates per design point."
        )
    design_method = DESIGN_BOUND.get(data.method, "given")
    methods: list[str] = []
    rows: list[dict] = []
    refusal: str | None = None
    fallback = False
    have = np.isfinite(y_all)
    common = {
        "options": data.options,
        "second_order": data.second_order,
        "num_resamples": num_resamples,
        "conf_level": conf_level,
        "seed": seed,
    }
    if x_all.shape[0] != len(y_all) or x_all.shape[1] != len(data.params):
        refusal = "the design matrix is missing or does not match the problem's parameters"
        alerts.append(f"No indices for {outcome}: {refusal}.")
        warnings.warn(alerts[-1], SensitivityWarning, stacklevel=2)
        return OutcomeSensitivity(
            outcome,
            design_method,
            [],
            False,
            _frame([], outcome),
            avail,
            0,
            notes + alerts,
            refusal,
            alerts,
        )

    if design_method != "given":
        try:
            new, messages = run_method(design_method, problem, x_all, y_all, **common)
            rows += _tag(new, n_points=len(y_all), fallback=False)
            methods.append(design_method)
            notes += [f"{design_method}: {m}" for m in messages]
        except Exception as exc:  # a refusal, or SALib failing on odd data
            verb = "refused" if isinstance(exc, RefusalError) else "failed on"
            detail = str(exc) if isinstance(exc, RefusalError) else f"{type(exc).__name__}: {exc}"
            refusal = f"{design_method} {verb} {outcome}: {detail}"
            constant = isinstance(exc, ConstantOutcomeError)
            fallback = bool(have.sum() >= MIN_POINTS) and not constant
            alerts.append(
                refusal
                + (
                    f"; falling back to given-data methods ({', '.join(fallback_methods)}) "
                    f"on the {int(have.sum())} points with a value."
                    if fallback
                    else "."
                )
            )
            notes.append(alerts[-1])
    if design_method == "given" or fallback:
        x, y = x_all[have], y_all[have]
        for method in fallback_methods if fallback else given_methods:
            xm, ym, extra = x, y, ""
            if method == "delta" and len(y) > delta_max_points:
                pick = np.sort(
                    np.random.default_rng(seed).choice(len(y), delta_max_points, replace=False)
                )
                xm, ym = x[pick], y[pick]
                extra = f" (on a random subset of {delta_max_points} of {len(y)} points)"
            settings = common | (
                {"num_resamples": min(num_resamples, delta_resamples)} if method == "delta" else {}
            )
            try:
                new, messages = run_method(method, problem, xm, ym, **settings)
            except RefusalError as exc:
                alerts.append(f"{method} refused {outcome}: {exc}.")
                notes.append(alerts[-1])
                continue
            except Exception as exc:  # SALib raises assorted errors on odd data
                alerts.append(f"{method} failed on {outcome}: {type(exc).__name__}: {exc}.")
                notes.append(alerts[-1])
                continue
            rows += _tag(new, n_points=len(ym), fallback=fallback)
            methods.append(method)
            if extra:
                notes.append(f"{method}{extra}.")
            notes += [f"{method}: {m}" for m in messages]
    if not methods:
        alerts.append(f"No sensitivity index could be computed for {outcome}.")
        notes.append(alerts[-1])
    result = OutcomeSensitivity(
        outcome=outcome,
        design_method=design_method,
        methods=methods,
        fallback=fallback,
        indices=_frame(rows, outcome),
        availability=avail,
        n_points=int(have.sum()),
        notes=notes,
        refusal=refusal,
        alerts=alerts,
    )
    if alerts:
        warnings.warn(" ".join(alerts), SensitivityWarning, stacklevel=2)
    return result


def _seed(data: SweepData, seed: int | None) -> int:
    if seed is not None:
        return int(seed)
    root = data.manifest.get("root_seed")
    return int(root) % (2**32) if isinstance(root, int) else 12345


def _tag(rows: list[dict], *, n_points: int, fallback: bool) -> list[dict]:
    return [r | {"n_points": n_points, "fallback": fallback} for r in rows]


def _frame(rows: list[dict], outcome: str) -> pd.DataFrame:
    frame = pd.DataFrame([{"outcome": outcome} | r for r in rows], columns=INDEX_COLUMNS)
    return frame.astype({"value": "float64", "conf": "float64"})


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
        (missing runs, refusals, fall-backs); refusals also raise a
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
