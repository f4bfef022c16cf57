"""Loading a sweep store and accounting for what is in it and what is missing.

A sweep directory holds ``manifest.json``, ``design.parquet`` (model units), optionally
``sample.parquet`` (the sampler's raw output, the ``X`` SALib's analysers expect) and
``runs/part-*.parquet`` (see ``docs/architecture.md``). :func:`load_sweep` reads
whatever is there and records every gap (a missing file, an unreadable part, duplicated
runs) in :attr:`SweepData.problems` instead of failing, so an interrupted sweep can
still be analysed. :func:`availability` counts, per outcome, the runs that failed, timed
out, were never run, or finished with a NaN.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.engine.design import block_size
from sim.engine.spec import METHODS as DESIGN_METHODS
from sim.engine.spec import RESERVED_COLUMNS as RUN_COLUMNS
from sim.engine.store import CLASS_PREFIX, DESIGN, MANIFEST, SAMPLE, STATUSES, Store

#: How class columns were named in stores written by version 0.1 (``class:<name>``).
LEGACY_CLASS_PREFIX = "class:"


@dataclass
class SweepData:
    """A loaded sweep: manifest, design and runs, plus what could not be loaded.

    Attributes:
        path: The sweep directory (None when built in memory).
        manifest: The parsed ``manifest.json`` (empty when missing).
        design: One row per design point, ``point`` plus one column per parameter,
            sorted by ``point``.
        runs: One row per recorded run, one row per ``(point, replicate)``.
        problems: Plain sentences about anything missing or repaired while loading.
        sample: The sampler's raw output (``point`` plus parameters), when stored.
        cache: Per-point statistics of each outcome, computed once (the runs of a loaded
            sweep are not meant to change).
    """

    path: Path | None
    manifest: dict[str, Any]
    design: pd.DataFrame
    runs: pd.DataFrame
    problems: list[str] = field(default_factory=list)
    sample: pd.DataFrame | None = None
    cache: dict[str, pd.DataFrame] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def name(self) -> str:
        """Sweep name (the directory name when the manifest has none)."""
        if self.manifest.get("name"):
            return str(self.manifest["name"])
        return self.path.name if self.path is not None else "sweep"

    @property
    def design_info(self) -> dict[str, Any]:
        """The manifest's ``design`` entry (empty dict when absent)."""
        info = self.manifest.get("design")
        return dict(info) if isinstance(info, Mapping) else {}

    @property
    def method(self) -> str:
        """Design method: sobol, morris, fast, latin, grid, file (or ``unknown``)."""
        method = str(self.design_info.get("method", "unknown")).lower()
        return method if method in DESIGN_METHODS else "unknown"

    @property
    def options(self) -> dict[str, Any]:
        """Sampler options recorded in the manifest."""
        options = self.design_info.get("options")
        return dict(options) if isinstance(options, Mapping) else {}

    @property
    def second_order(self) -> bool:
        """Whether a Sobol design holds the second-order (``2D+2``) blocks.

        When the manifest does not say, it is inferred from ``n`` and the design size.
        """
        if "second_order" in self.design_info:
            return bool(self.design_info["second_order"])
        n, d = self.design_info.get("n"), len(self.groups or self.params)
        return isinstance(n, int) and n * block_size("sobol", d, True) == self.n_points

    @cached_property
    def problem(self) -> dict[str, Any]:
        """The SALib problem dict; rebuilt from the design's ranges when missing."""
        problem = self.manifest.get("problem")
        if isinstance(problem, Mapping) and problem.get("names"):
            out = {k: (list(v) if isinstance(v, list | tuple) else v) for k, v in problem.items()}
            out["num_vars"] = len(out["names"])
            return out
        names = [c for c in self.design.columns if c != "point"]
        x = self.design_matrix()
        bounds = [
            [float(np.nanmin(x[:, j])), float(np.nanmax(x[:, j]))] if len(x) else [0.0, 1.0]
            for j in range(len(names))
        ]
        return {"num_vars": len(names), "names": names, "bounds": bounds}

    @property
    def params(self) -> list[str]:
        """Varied parameter names, in the problem's order."""
        return list(self.problem["names"])

    @property
    def groups(self) -> list[str] | None:
        """Distinct group names when the problem groups its parameters."""
        groups = self.problem.get("groups")
        if not groups:
            return None
        return list(dict.fromkeys(groups))

    @property
    def outcomes(self) -> list[str]:
        """Outcome names: the manifest's list, else float columns of the runs."""
        listed = self.manifest.get("outcomes")
        if isinstance(listed, list | tuple) and listed:
            return [str(o) for o in listed]
        return [
            c
            for c in self.runs.columns
            if c not in RUN_COLUMNS
            and not str(c).startswith(CLASS_PREFIX)
            and pd.api.types.is_float_dtype(self.runs[c])
        ]

    @property
    def classes(self) -> dict[str, str]:
        """Outcome classes, name -> predicate text (from the manifest or the columns)."""
        listed = self.manifest.get("classes")
        if isinstance(listed, Mapping) and listed:
            return {str(k): str(v) for k, v in listed.items()}
        return {
            str(c)[len(CLASS_PREFIX) :]: ""
            for c in self.runs.columns
            if str(c).startswith(CLASS_PREFIX)
        }

    @property
    def replicates(self) -> int:
        """Replicates per design point (manifest value, else the largest seen)."""
        value = self.manifest.get("replicates")
        if isinstance(value, int) and value > 0:
            return value
        if len(self.runs):
            return int(self.runs["replicate"].max()) + 1
        return 1

    @property
    def points(self) -> np.ndarray:
        """Design point ids in sampler order."""
        if len(self.design):
            return self.design["point"].to_numpy(dtype=np.int64)
        if len(self.runs):
            return np.sort(self.runs["point"].unique()).astype(np.int64)
        return np.zeros(0, dtype=np.int64)

    @property
    def n_points(self) -> int:
        """Number of design points."""
        return len(self.points)

    def choice_values(self, name: str) -> list[Any] | None:
        """The listed values of a ``choice`` parameter, when the manifest records them."""
        for key in ("parameters", "scenario"):
            found = _find_choice(self.manifest.get(key), name)
            if found is not None:
                return found
        return None

    def design_matrix(self, names: Iterable[str] | None = None) -> np.ndarray:
        """Design values as floats in the problem's scale, one row per point.

        The sampler's raw output (``sample.parquet``) is used when stored. Otherwise
        numeric design columns are used as stored (integers stay integers, which is
        inside their ``[low, high + 1)`` sampling range) and text or boolean columns
        (``choice`` parameters) are coded as the index of each value in the listed
        choices, or in sorted order when the manifest does not list them.
        """
        names = list(names) if names is not None else [c for c in self.design if c != "point"]
        sample = self.sample
        if (
            sample is not None
            and names
            and set(names) <= set(sample.columns)
            and np.array_equal(sample["point"].to_numpy(), self.points)
        ):
            return sample[names].to_numpy(dtype=np.float64, copy=True)
        columns = [self.coded(name)[0] for name in names]
        if not columns:
            return np.zeros((len(self.design), 0))
        return np.column_stack(columns).astype(np.float64)

    def coded(self, name: str) -> tuple[np.ndarray, list[Any] | None]:
        """One design column as floats, plus the category labels when it was coded."""
        column = self.design[name]
        if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
            values = column.tolist()
            labels = self.choice_values(name)
            if labels is None or not set(map(_key, values)) <= set(map(_key, labels)):
                labels = sorted(set(values), key=lambda v: (str(type(v)), v))
            lookup = {_key(v): i for i, v in enumerate(labels)}
            return np.array([lookup[_key(v)] for v in values], dtype=np.float64), list(labels)
        return column.to_numpy(dtype=np.float64), None

    def outcome_column(self, outcome: str) -> pd.Series:
        """An outcome's values for every recorded run (NaN where absent)."""
        if outcome in self.runs:
            return self.runs[outcome].astype("float64")
        return pd.Series(np.nan, index=self.runs.index, dtype="float64")

    def class_column(self, name: str) -> pd.Series:
        """A class's nullable boolean values for every recorded run."""
        column = CLASS_PREFIX + name
        if column in self.runs:
            return self.runs[column].astype("boolean")
        return pd.Series(pd.NA, index=self.runs.index, dtype="boolean")


def _key(value: Any) -> Any:
    if isinstance(value, bool | np.bool_):
        return ("b", bool(value))
    if isinstance(value, int | float | np.integer | np.floating):
        return ("n", float(value))
    return ("s", str(value))


def _find_choice(node: Any, name: str) -> list[Any] | None:
    """Search a nested manifest entry for ``{name: {"choice": [...]}}``."""
    if isinstance(node, Mapping):
        entry = node.get(name)
        if isinstance(entry, Mapping) and isinstance(entry.get("choice"), list):
            return list(entry["choice"])
        for value in node.values():
            found = _find_choice(value, name)
            if found is not None:
                return found
    elif isinstance(node, list):
        for value in node:
            found = _find_choice(value, name)
            if found is not None:
                return found
    return None


def load_sweep(path: str | Path) -> SweepData:
    """Load a sweep directory, tolerating missing or damaged parts.

    Args:
        path: The sweep directory.

    Returns:
        The loaded sweep; :attr:`SweepData.problems` lists what was missing or repaired.

    Raises:
        FileNotFoundError: If ``path`` is not a directory.
    """
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"sweep directory {str(path)!r} not found")
    problems: list[str] = []
    manifest = _read_manifest(path / MANIFEST, problems)
    design = _read_design(path / DESIGN, problems)
    runs = _read_runs(path, problems)
    sample = None
    if (path / SAMPLE).is_file():
        try:
            sample = pq.read_table(path / SAMPLE).to_pandas()
            sample = sample.sort_values("point").reset_index(drop=True)
        except Exception as exc:  # an unreadable sample only costs the raw scale
            problems.append(f"sample.parquet could not be read ({exc}); design values are used.")
    return from_frames(manifest, design, runs, path=path, problems=problems, sample=sample)


def from_frames(
    manifest: Mapping[str, Any],
    design: pd.DataFrame,
    runs: pd.DataFrame,
    *,
    path: Path | None = None,
    problems: list[str] | None = None,
    sample: pd.DataFrame | None = None,
) -> SweepData:
    """Build a :class:`SweepData` from in-memory parts, normalising column types.

    Args:
        manifest: The manifest dict.
        design: ``point`` plus parameter columns.
        runs: The run records.
        path: The sweep directory, if any.
        problems: Sentences already collected about missing parts.
        sample: The sampler's raw output, if stored.
    """
    problems = list(problems or [])
    design = design.copy()
    if "point" not in design.columns:
        design.insert(0, "point", np.arange(len(design), dtype=np.int64))
        if len(design):
            problems.append("design.parquet has no 'point' column; row order is used.")
    design["point"] = design["point"].astype(np.int64)
    design = design.sort_values("point").reset_index(drop=True)
    runs = _normalise_runs(runs, manifest, problems)
    if len(design) and len(runs):
        known = runs["point"].isin(design["point"])
        if not known.all():
            problems.append(
                f"{int((~known).sum())} run(s) refer to design points not in design.parquet "
                "and are left out."
            )
            runs = runs[known].reset_index(drop=True)
    return SweepData(
        path=path,
        manifest=dict(manifest),
        design=design,
        runs=runs,
        problems=problems,
        sample=sample,
    )


def _read_manifest(file: Path, problems: list[str]) -> dict[str, Any]:
    if not file.is_file():
        problems.append(
            "manifest.json is missing; design method, outcomes and classes are guessed."
        )
        return {}
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        problems.append(f"manifest.json could not be read ({exc}); it is ignored.")
        return {}
    if not isinstance(manifest, dict):
        problems.append("manifest.json does not hold an object; it is ignored.")
        return {}
    return manifest


def _read_design(file: Path, problems: list[str]) -> pd.DataFrame:
    if not file.is_file():
        problems.append("design.parquet is missing; design points are taken from the runs.")
        return pd.DataFrame({"point": pd.Series(dtype=np.int64)})
    try:
        return pq.read_table(file).to_pandas()
    except Exception as exc:  # any pyarrow failure means the same thing here
        problems.append(f"design.parquet could not be read ({exc}).")
        return pd.DataFrame({"point": pd.Series(dtype=np.int64)})


def _read_runs(folder: Path, problems: list[str]) -> pd.DataFrame:
    files = Store(folder).part_paths()
    if not files:
        problems.append("no run parts found (runs/part-*.parquet); no run has been recorded.")
        return pd.DataFrame()
    frames = []
    for file in files:
        try:
            # Each part is read on its own: parts may differ in schema (an all-null
            # class column in one part, for example).
            frames.append(_current_names(pq.read_table(file).to_pandas()))
        except Exception as exc:  # a part cut short by a killed writer
            problems.append(f"runs/{file.name} could not be read ({exc}) and was skipped.")
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def _current_names(part: pd.DataFrame) -> pd.DataFrame:
    """A part's class columns under today's names (``class:<name>`` in older stores)."""
    legacy = {
        column: CLASS_PREFIX + str(column)[len(LEGACY_CLASS_PREFIX) :]
        for column in part.columns
        if str(column).startswith(LEGACY_CLASS_PREFIX)
    }
    return part.rename(columns=legacy) if legacy else part


def _normalise_runs(
    runs: pd.DataFrame, manifest: Mapping[str, Any], problems: list[str]
) -> pd.DataFrame:
    runs = runs.copy()
    fill: dict[str, Any] = {
        "point": -1,
        "replicate": 0,
        "seed": -1,
        "status": "done",
        "error": "",
        "elapsed_s": np.nan,
    }
    for column, value in fill.items():
        if column not in runs.columns:
            if len(runs) and column in ("point", "status"):
                problems.append(f"run records have no '{column}' column.")
            runs[column] = pd.Series([value] * len(runs), index=runs.index, dtype=object)
    runs["point"] = pd.to_numeric(runs["point"], errors="coerce").fillna(-1).astype(np.int64)
    runs["replicate"] = pd.to_numeric(runs["replicate"], errors="coerce").fillna(0).astype(np.int64)
    runs["status"] = runs["status"].astype("str").str.lower()
    runs["elapsed_s"] = pd.to_numeric(runs["elapsed_s"], errors="coerce").astype(np.float64)
    odd = ~runs["status"].isin(STATUSES)
    if odd.any():
        problems.append(
            f"{int(odd.sum())} run(s) have an unknown status "
            f"({', '.join(sorted(runs.loc[odd, 'status'].unique())[:5])}); counted as failed."
        )
        runs.loc[odd, "status"] = "failed"
    for outcome in manifest.get("outcomes") or []:
        if outcome in runs.columns:
            runs[outcome] = pd.to_numeric(runs[outcome], errors="coerce").astype(np.float64)
    for column in runs.columns:
        if str(column).startswith(CLASS_PREFIX):
            runs[column] = runs[column].astype("boolean")
    # One row per (point, replicate): prefer a finished run, then the last written.
    if runs.duplicated(["point", "replicate"]).any():
        n_before = len(runs)
        order = runs.assign(_done=(runs["status"] == "done").astype(int), _row=np.arange(n_before))
        order = order.sort_values(["point", "replicate", "_done", "_row"])
        runs = order.drop_duplicates(["point", "replicate"], keep="last").drop(
            columns=["_done", "_row"]
        )
        problems.append(
            f"{n_before - len(runs)} duplicated run record(s) (same point and replicate) "
            "were merged, keeping a finished one."
        )
    return runs.sort_values(["point", "replicate"]).reset_index(drop=True)


def point_values(data: SweepData, outcome: str) -> pd.DataFrame:
    """Per design point: mean, variance and count of an outcome over finished runs.

    Args:
        data: The sweep.
        outcome: Outcome name.

    Returns:
        A frame indexed by every design point (sampler order) with columns ``mean``,
        ``var`` (ddof 1, NaN with fewer than 2 values) and ``n`` (finite values).
    """
    cached = data.cache.get(outcome)
    if cached is not None:
        return cached.copy()
    values = data.outcome_column(outcome)
    finished = (data.runs["status"] == "done") & np.isfinite(values.to_numpy())
    frame = pd.DataFrame({"point": data.runs.loc[finished, "point"], "y": values[finished]})
    stats = frame.groupby("point")["y"].agg(["mean", "var", "count"])
    stats = stats.reindex(data.points)
    stats["count"] = stats["count"].fillna(0).astype(np.int64)
    stats = stats.rename(columns={"count": "n"})
    data.cache[outcome] = stats
    return stats.copy()


@dataclass(frozen=True)
class PointResponse:
    """An outcome at every design point: the replicate mean and the noise in that mean.

    Attributes:
        mean: Mean over each point's finished replicates with a value (NaN where none).
        noise: Estimated variance of each mean due to replicate noise, ``var / n``: the
            point's own replicate variance where it has at least two values, else the
            pooled (mean) replicate variance of the points that have two; None when no
            point has two values (the noise cannot be estimated).
        n: Values behind each mean.
    """

    mean: np.ndarray
    noise: np.ndarray | None
    n: np.ndarray

    def take(self, rows: np.ndarray) -> PointResponse:
        """The response at some rows only."""
        noise = None if self.noise is None else self.noise[rows]
        return PointResponse(self.mean[rows], noise, self.n[rows])

    @property
    def noise_share(self) -> float:
        """Share of the variance of the point means that is replicate noise (NaN without)."""
        have = np.isfinite(self.mean)
        if self.noise is None or have.sum() < 2:
            return float("nan")
        total = float(np.var(self.mean[have]))
        return float(np.nanmean(self.noise[have]) / total) if total > 0 else float("nan")


def point_response(data: SweepData, outcome: str) -> PointResponse:
    """Replicate means of an outcome and the noise variance of each (see PointResponse)."""
    stats = point_values(data, outcome)
    mean = stats["mean"].to_numpy(dtype=np.float64)
    var = stats["var"].to_numpy(dtype=np.float64)
    n = stats["n"].to_numpy(dtype=np.int64)
    replicated = (n >= 2) & np.isfinite(var)
    if not replicated.any():
        return PointResponse(mean, None, n)
    pooled = float(var[replicated].mean())
    own = np.where(replicated, var, pooled)
    noise = np.where(n > 0, own / np.maximum(n, 1), np.nan)
    return PointResponse(mean, noise, n)


@dataclass(frozen=True)
class Availability:
    """What is known and what is missing for one outcome.

    Attributes:
        outcome: Outcome (or class) name.
        expected: Runs the design asks for (points x replicates).
        done: Runs that finished.
        failed: Runs that raised.
        timeout: Runs stopped for taking too long.
        not_run: Runs never recorded (an interrupted or growing sweep).
        nan: Finished runs whose value is NaN (or null for a class).
        usable: Finished runs with a finite value.
        points: Design points.
        points_without_value: Design points with no usable run at all.
        points_partial: Design points with some, but fewer than all, replicates usable.
    """

    outcome: str
    expected: int
    done: int
    failed: int
    timeout: int
    not_run: int
    nan: int
    usable: int
    points: int
    points_without_value: int
    points_partial: int

    @property
    def missing(self) -> int:
        """Runs without a usable value, for any reason."""
        return self.expected - self.usable

    def sentence(self) -> str:
        """A plain statement of what is missing (or that nothing is)."""
        if self.missing <= 0:
            return f"{self.outcome}: all {self.expected:,} runs have a value."
        parts = [
            f"{n:,} {label}"
            for n, label in (
                (self.failed, "failed"),
                (self.timeout, "timed out"),
                (self.not_run, "not run"),
                (self.nan, "finished with NaN"),
            )
            if n
        ]
        text = (
            f"{self.outcome}: {self.missing:,} of {self.expected:,} runs have no value "
            f"({', '.join(parts)})"
        )
        if self.points_without_value:
            text += f"; {self.points_without_value:,} of {self.points:,} design points have none"
        if self.points_partial:
            text += f"; {self.points_partial:,} points have only some replicates"
        return text + "."


def availability_of(data: SweepData, name: str, *, is_class: bool = False) -> Availability:
    """Count usable and missing runs for one outcome (or class).

    Args:
        data: The sweep.
        name: Outcome or class name.
        is_class: Whether ``name`` is an outcome class.
    """
    runs = data.runs
    status = runs["status"]
    if is_class:
        column = data.class_column(name)
        finite = column.notna().to_numpy()
    else:
        finite = np.isfinite(data.outcome_column(name).to_numpy())
    done = (status == "done").to_numpy()
    usable = done & finite
    expected = data.n_points * data.replicates
    recorded = len(runs)
    per_point = pd.Series(usable, index=runs.index).groupby(runs["point"]).sum()
    per_point = per_point.reindex(data.points, fill_value=0)
    return Availability(
        outcome=name,
        expected=max(expected, recorded),
        done=int(done.sum()),
        failed=int((status == "failed").sum()),
        timeout=int((status == "timeout").sum()),
        not_run=max(expected - recorded, 0),
        nan=int((done & ~finite).sum()),
        usable=int(usable.sum()),
        points=data.n_points,
        points_without_value=int((per_point == 0).sum()),
        points_partial=int(((per_point > 0) & (per_point < data.replicates)).sum()),
    )


def availability(data: SweepData) -> pd.DataFrame:
    """Per outcome and class: expected, done, failed, timeout, not run, NaN and usable runs.

    Args:
        data: The sweep.

    Returns:
        One row per outcome, then one per class (``kind`` says which), with a
        ``statement`` column in plain words.
    """
    rows = []
    for name, is_class in [(o, False) for o in data.outcomes] + [(c, True) for c in data.classes]:
        a = availability_of(data, name, is_class=is_class)
        row = {"name": name, "kind": "class" if is_class else "outcome"}
        row |= {k: getattr(a, k) for k in a.__dataclass_fields__ if k != "outcome"}
        row |= {"missing": a.missing, "statement": a.sentence()}
        rows.append(row)
    return pd.DataFrame(rows)


def run_summary(data: SweepData) -> dict[str, Any]:
    """Counts and timings of the runs (for the report's run statistics)."""
    runs = data.runs
    status = runs["status"].value_counts()
    elapsed = runs["elapsed_s"].dropna()
    expected = data.n_points * data.replicates
    return {
        "points": data.n_points,
        "replicates": data.replicates,
        "expected": expected,
        "recorded": len(runs),
        "done": int(status.get("done", 0)),
        "failed": int(status.get("failed", 0)),
        "timeout": int(status.get("timeout", 0)),
        "not_run": max(expected - len(runs), 0),
        "elapsed_total_s": float(elapsed.sum()) if len(elapsed) else 0.0,
        "elapsed_median_s": float(elapsed.median()) if len(elapsed) else float("nan"),
        "elapsed_max_s": float(elapsed.max()) if len(elapsed) else float("nan"),
        "started": data.manifest.get("started"),
        "finished": data.manifest.get("finished"),
    }
