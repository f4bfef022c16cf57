"""Design points: SALib samplers, a full-factorial grid, or a CSV file.

A design point's id (``point``) is the row index of the sampler's output. For Sobol'
(Saltelli) and plain Morris designs, growing ``n`` keeps the earlier rows identical, so a
stored sweep can be extended. Latin hypercube, FAST and grid designs (and Morris with
``optimal_trajectories``) draw a new design when ``n`` changes; the store then refuses to
mix them (see :func:`first_difference`).
"""

from __future__ import annotations

import functools
import itertools
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.errors import SweepError
from sim.engine.spec import Choice, Integers, SweepSpec, TruncNorm, Uniform


@dataclass(frozen=True)
class Design:
    """The design of a sweep.

    Attributes:
        frame: ``point`` plus one column per varied parameter, in model units (ints for
            ``integers``, the listed values for ``choice``).
        sample: The sampler's raw output in the scale of the SALib ``problem`` (the
            ``X`` that SALib's analysers expect), one row per point.
        problem: The SALib problem dict.
    """

    frame: pd.DataFrame
    sample: np.ndarray
    problem: dict[str, Any]

    @property
    def names(self) -> list[str]:
        """Varied parameter names."""
        return list(self.problem["names"])

    def __len__(self) -> int:
        return len(self.frame)

    @functools.cached_property
    def _columns(self) -> list[np.ndarray]:
        """The varied parameters' columns (object arrays for non-numeric ones)."""
        return [
            column.to_numpy() if column.dtype.kind in "fiub" else column.to_numpy(dtype=object)
            for column in (self.frame[name] for name in self.names)
        ]

    def values_of(self, points: np.ndarray) -> list[tuple[Any, ...]]:
        """The values of some points, one tuple of plain Python scalars per point."""
        columns = [
            [v.item() if isinstance(v, np.generic) else v for v in column[points]]
            if column.dtype == object
            else column[points].tolist()
            for column in self._columns
        ]
        return list(zip(*columns, strict=True)) if columns else [()] * len(points)


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """Build the SALib ``problem`` dict for a sweep's parameters.

    Uniform parameters are ``unif`` on their bounds and truncated normals are
    ``truncnorm`` with ``[low, high, mean, sd]``. Integers ``[a, b]`` are ``unif`` on
    ``[a, b + 1]`` and floored; a choice of ``k`` values is ``unif`` on ``[0, k]`` and
    floored to an index.
    """
    bounds: list[list[float]] = []
    dists: list[str] = []
    for dist in spec.parameters.values():
        match dist:
            case Uniform(uniform=(low, high)):
                bounds.append([float(low), float(high)])
                dists.append("unif")
            case TruncNorm(truncnorm=t):
                bounds.append([t.low, t.high, t.mean, t.sd])
                dists.append("truncnorm")
            case Integers(integers=(low, high)):
                bounds.append([float(low), float(high + 1)])
                dists.append("unif")
            case Choice(choice=values):
                bounds.append([0.0, float(len(values))])
                dists.append("unif")
    return {
        "num_vars": len(spec.parameters),
        "names": list(spec.parameters),
        "bounds": bounds,
        "dists": dists,
    }


def block_size(method: str, d: int, second_order: bool = False) -> int:
    """Rows per sampling unit of a design.

    A Saltelli block (sobol), a trajectory (morris), one curve per parameter (fast); 1 for
    point-by-point designs.

    Args:
        method: Design method.
        d: Number of varied parameters (or groups).
        second_order: Sobol' with second-order indices.
    """
    match method:
        case "sobol":
            return 2 * d + 2 if second_order else d + 2
        case "morris":
            return d + 1
        case "fast":
            return d
        case _:
            return 1


def design_size(spec: SweepSpec) -> int | None:
    """Number of design points the spec asks for (None for a file design without n)."""
    d = len(spec.parameters)
    n = spec.design.n
    match spec.design.method:
        case "sobol" | "morris" | "fast":
            return n * block_size(spec.design.method, d, spec.design.second_order)
        case "grid":
            return math.prod(len(_grid_levels(dist, n)) for dist in spec.parameters.values())
        case _:
            return n


MAX_POINTS = 5_000_000
MAX_RUNS = 50_000_000


def check_size(spec: SweepSpec) -> None:
    """Refuse designs too large to hold (before anything is drawn or allocated).

    Raises:
        ValueError: Naming the field to change and the limit.
    """
    method, n = spec.design.method, spec.design.n
    if method == "grid" and n is not None and n > MAX_POINTS:
        raise ValueError(f"design.n: {n:,} grid levels is more than {MAX_POINTS:,}")
    points = design_size(spec)
    if points is not None and points > MAX_POINTS:
        raise ValueError(
            f"design.n: n = {n:,} gives {points:,} design points with method {method!r}, "
            f"more than the {MAX_POINTS:,} a sweep can hold; lower n"
        )
    runs = (points or 0) * spec.replicates
    if runs > MAX_RUNS:
        raise ValueError(
            f"replicates: {points:,} points x {spec.replicates:,} replicates = {runs:,} "
            f"runs, more than the {MAX_RUNS:,} a sweep can hold; lower replicates or n"
        )


def build_design(spec: SweepSpec) -> Design:
    """Draw the design for a sweep spec.

    Raises:
        SweepError: If the design is too large, the sampler refuses the spec or the design
            file is unusable.
    """
    try:
        check_size(spec)
    except ValueError as exc:
        raise SweepError(f"sweep.{exc}") from None
    problem = salib_problem(spec)
    method = spec.design.method
    if method == "grid":
        sample = _grid(spec)
    elif method == "file":
        sample = _from_file(spec)
    else:
        sample = _salib_sample(spec, problem)
    frame = _to_frame(spec, sample)
    return Design(frame=frame, sample=sample, problem=problem)


def first_difference(old: pd.DataFrame, new: pd.DataFrame) -> int | None:
    """Return the first point id where two designs disagree on shared rows, else None."""
    shared = min(len(old), len(new))
    if list(old.columns) != list(new.columns):
        return 0
    differs = np.zeros(shared, dtype=bool)
    for column in new.columns:
        a = old[column].to_numpy()[:shared]
        b = new[column].to_numpy()[:shared]
        if a.dtype.kind == "f" or b.dtype.kind == "f":
            a = a.astype(np.float64)
            b = b.astype(np.float64)
            differs |= ~((a == b) | (np.isnan(a) & np.isnan(b)))
        else:
            differs |= np.asarray([x != y for x, y in zip(a, b, strict=True)], dtype=bool)
    hits = np.flatnonzero(differs)
    return int(hits[0]) if hits.size else None


def _salib_sample(spec: SweepSpec, problem: dict[str, Any]) -> np.ndarray:
    from SALib.sample import fast_sampler, latin, morris, sobol

    d = spec.design
    options = dict(d.options)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            match d.method:
                case "sobol":
                    sample = sobol.sample(
                        problem, d.n, calc_second_order=d.second_order, seed=d.seed, **options
                    )
                case "morris":
                    sample = morris.sample(problem, d.n, seed=d.seed, **options)
                case "fast":
                    sample = fast_sampler.sample(problem, d.n, seed=d.seed, **options)
                case "latin":
                    sample = latin.sample(problem, d.n, seed=d.seed)
                case _:  # pragma: no cover - guarded by the spec
                    raise SweepError(f"unknown design method {d.method!r}")
        except (ValueError, TypeError) as exc:
            raise SweepError(f"design method {d.method!r} refused the sweep: {exc}") from None
    if d.method == "sobol" and any("power of 2" in str(w.message) for w in caught):
        warnings.warn(
            f"sobol design: n={d.n} is not a power of 2; Sobol' estimates converge best "
            "with n = 2**k",
            UserWarning,
            stacklevel=3,
        )
    return np.asarray(sample, dtype=np.float64)


def _grid_levels(dist: Any, n: int) -> np.ndarray:
    """Levels of one parameter in the problem's scale."""
    match dist:
        case Uniform(uniform=(low, high)):
            return np.linspace(low, high, n)
        case TruncNorm(truncnorm=t):
            from scipy import stats

            a, b = (t.low - t.mean) / t.sd, (t.high - t.mean) / t.sd
            levels = stats.truncnorm.ppf(np.linspace(0.0, 1.0, n), a, b, loc=t.mean, scale=t.sd)
            return np.clip(levels, t.low, t.high)
        case Integers(integers=(low, high)):
            return np.unique(np.round(np.linspace(low, high, n))).astype(np.float64)
        case Choice(choice=values):
            return np.arange(len(values), dtype=np.float64)
    raise AssertionError(dist)  # pragma: no cover


def _grid(spec: SweepSpec) -> np.ndarray:
    levels = [_grid_levels(dist, spec.design.n) for dist in spec.parameters.values()]
    return np.array(list(itertools.product(*levels)), dtype=np.float64).reshape(-1, len(levels))


def _from_file(spec: SweepSpec) -> np.ndarray:
    path = Path(spec.design.path)
    if not path.is_file():
        raise SweepError(f"design file {str(path)!r} not found")
    try:
        table = pd.read_csv(path)
    except (ValueError, OSError) as exc:
        raise SweepError(f"cannot read design file {str(path)!r}: {exc}") from None
    names = list(spec.parameters)
    missing = [n for n in names if n not in table.columns]
    extra = [c for c in table.columns if c not in names]
    if missing or extra:
        raise SweepError(
            f"design file {str(path)!r} must have one column per varied parameter "
            f"({', '.join(names)})"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; not varied: {', '.join(map(str, extra))}" if extra else "")
        )
    n = spec.design.n
    if n is not None:
        if len(table) < n:
            raise SweepError(f"design file {str(path)!r} has {len(table)} rows, n asks {n}")
        table = table.iloc[:n]
    if len(table) == 0:
        raise SweepError(f"design file {str(path)!r} has no rows")
    sample = np.empty((len(table), len(names)), dtype=np.float64)
    for j, (name, dist) in enumerate(spec.parameters.items()):
        column = table[name]
        where = f"design file {str(path)!r}, column {name!r}"
        if isinstance(dist, Choice):
            lookup = {_norm(v): i for i, v in enumerate(dist.choice)}
            idx = [lookup.get(_norm(v)) for v in column.tolist()]
            bad = [v for v, i in zip(column.tolist(), idx, strict=True) if i is None]
            if bad:
                raise SweepError(f"{where}: values {bad[:5]!r} are not among {dist.choice!r}")
            sample[:, j] = idx
            continue
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
        if np.isnan(values).any():
            raise SweepError(f"{where}: values must be numbers")
        low, high = dist.bounds
        if (values < low).any() or (values > high).any():
            raise SweepError(f"{where}: values must lie in [{low}, {high}]")
        if isinstance(dist, Integers) and not np.all(values == np.floor(values)):
            raise SweepError(f"{where}: values must be integers")
        sample[:, j] = values
    return sample


def _norm(value: Any) -> Any:
    """Normalise a CSV cell or choice value for matching (1 == 1.0, 'True' == True)."""
    if isinstance(value, bool | np.bool_):
        return ("b", bool(value))
    if isinstance(value, int | float | np.integer | np.floating):
        return ("n", float(value))
    text = str(value)
    if text in {"True", "true", "False", "false"}:
        return ("b", text.lower() == "true")
    try:
        return ("n", float(text))
    except ValueError:
        return ("s", text)


def _to_frame(spec: SweepSpec, sample: np.ndarray) -> pd.DataFrame:
    columns: dict[str, Any] = {"point": np.arange(len(sample), dtype=np.int64)}
    for j, (name, dist) in enumerate(spec.parameters.items()):
        raw = sample[:, j]
        match dist:
            case Integers(integers=(low, high)):
                columns[name] = np.clip(np.floor(raw), low, high).astype(np.int64)
            case Choice(choice=values):
                idx = np.clip(np.floor(raw), 0, len(values) - 1).astype(np.int64)
                kind = type(values[0])
                if kind is str:
                    columns[name] = pd.array([values[i] for i in idx], dtype="str")
                elif kind is bool:
                    columns[name] = np.array([values[i] for i in idx], dtype=bool)
                elif all(type(v) is int for v in values):
                    columns[name] = np.array([values[i] for i in idx], dtype=np.int64)
                else:
                    columns[name] = np.array([values[i] for i in idx], dtype=np.float64)
            case _:
                columns[name] = raw.astype(np.float64)
    return pd.DataFrame(columns)
