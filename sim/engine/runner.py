"""Running a sweep: one code path over ``concurrent.futures`` executors.

Runs are grouped into batches (tasks of about two seconds, several per worker) and
submitted to an executor: in-process for one worker, a ``loky`` process pool for the
``local`` backend, or a Dask cluster for ``dask``. Finished rows are buffered and written
to the store as Parquet parts at least every ``checkpoint_s`` seconds, so memory stays
flat and a killed sweep loses at most the runs finished since the last part.

A worker process that dies (a crash in native code, ``os._exit``, a run past its hard
time limit) loses its batch, not the sweep: the runs of every batch lost with it are
tried again one at a time, alone, so the run that kills its worker is found and recorded
as ``crashed`` (or ``timeout``) and the others are run as usual. While no batch
finishes, the pool looks at its workers: a local cluster left without any stops the
sweep with an error rather than a wait without end.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sim.engine.classes import Predicate
from sim.engine.design import Design, build_design, first_difference
from sim.engine.errors import SweepError
from sim.engine.evaluators import SeriesRequest, model_kind
from sim.engine.executors import Pool, death_note, open_pool, worker_died
from sim.engine.progress import Progress
from sim.engine.seeds import new_root_seed, run_seeds
from sim.engine.spec import RESERVED_COLUMNS, SweepSpec
from sim.engine.store import (
    SERIES_SCHEMA,
    STATUSES,
    Store,
    StoreWriteError,
    canonical_json,
    load_runs,
    part_undefined,
    runs_schema,
    with_classes,
)
from sim.engine.worker import Row, Task, run_batch

BACKENDS = ("local", "dask", "serial")
FORMAT = 1
TARGET_TASK_S = 2.0
MAX_BATCH = 2_500
FLUSH_ROWS = 20_000  # write a part once this many runs are held (50,000: 1.16x peak RSS)
FLUSH_SERIES_VALUES = 1_000_000
_VERSIONED = (
    "consortium-sim",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "SALib",
    "pydantic",
    "mesa",
    "loky",
    "dask",
    "distributed",
)


class SweepInterruptedError(SweepError):
    """The sweep was stopped (Ctrl-C or SIGTERM); finished runs are saved."""


class _Terminate(BaseException):
    """Raised in the main thread on SIGTERM."""


def run_sweep(
    spec: SweepSpec,
    *,
    model: str,
    base_params: Mapping[str, Any],
    steps: int | None,
    name: str,
    scenario: Mapping[str, Any],
    out_dir: str | Path,
    workers: int | None = None,
    backend: str = "local",
    scheduler: Any = None,
    fresh: bool = False,
    progress: bool = True,
    checkpoint_s: float = 2.0,
    load: bool = True,
) -> pd.DataFrame | None:
    """Run (or resume, or extend) a sweep and return every stored run.

    Args:
        spec: The validated ``sweep:`` section.
        model: ``module:object`` of the model (``spec.model`` overrides it).
        base_params: Parameters of every run; the varied ones are replaced per point.
        steps: Steps per run for a Mesa model (plain callables take theirs from params).
        name: The sweep's name (shown in progress lines and stored in the manifest).
        scenario: The scenario, stored in the manifest as it is.
        out_dir: The sweep folder.
        workers: Worker processes (default: all CPUs); 1 runs in this process.
        backend: ``"local"`` (process pool), ``"dask"``, or ``"serial"``.
        scheduler: Address of a running Dask scheduler, or a Dask cluster object such as
            a ``dask_jobqueue.SLURMCluster`` (``dask`` only); without it a local Dask
            cluster of ``workers`` processes is started.
        fresh: Delete what the folder holds and start over.
        progress: Show progress (a bar on a terminal, log lines otherwise) and a summary.
        checkpoint_s: Write finished runs to disk at least this often (seconds).
        load: Read the stored runs back at the end; False returns None (for a sweep too
            large to hold in memory at once: read it with :func:`sim.engine.load_runs`
            or by columns later).

    Returns:
        All stored runs joined with their design parameters (see
        :func:`sim.engine.load_runs`), or None when ``load`` is False.

    Raises:
        SweepError: For anything the user must fix, with a message saying what to do;
            :class:`SweepInterruptedError` when stopped by Ctrl-C or SIGTERM.
    """
    if backend not in BACKENDS:
        raise SweepError(f"unknown backend {backend!r} (choose from {', '.join(BACKENDS)})")
    if scheduler is not None and backend != "dask":
        raise SweepError("a scheduler address is only used with backend 'dask'")
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise SweepError(f"workers must be at least 1, got {workers}")
    ref = spec.model or model
    base = {k: v for k, v in base_params.items() if k not in spec.parameters}
    kind = model_kind(ref, steps, [*base, *spec.parameters])
    design = build_design(spec)
    series = _series_request(spec, ref, steps, len(design))
    store = Store(out_dir)
    with store.lock():
        if fresh:
            store.clear()
        store.remove_stale_tmp()
        store.finish_compaction()
        stored = store.read_manifest()
        damaged = store.check_parts(series=bool((stored or {}).get("timeseries")))
        for line in damaged if progress else ():
            print(f"sweep {name}: {line}", file=sys.stderr, flush=True)
        if stored is None and store.part_paths():
            raise SweepError(
                f"{str(store.root)!r} holds runs but no manifest; pass --fresh to start over"
            )
        if spec.seed is not None:
            root_seed = spec.seed
        elif stored is not None:
            root_seed = int(stored["root_seed"])
        else:
            root_seed = new_root_seed()
        determinants = _determinants(spec, ref, base, steps, root_seed)
        digest = hashlib.sha256(canonical_json(determinants).encode()).hexdigest()
        outcomes = list(spec.outcomes) if spec.outcomes is not None else None
        # what is stored already, read once for the checks and for what is left to run
        stored_runs = store.read_columns(list(RUN_KEYS))
        if stored is not None:
            _check_compatible(stored, determinants, store, design, spec, stored_runs)
            _check_same_series(stored, series, store)
            if outcomes is None and stored.get("outcomes") is not None:
                outcomes = list(stored["outcomes"])
        predicates = spec.predicates()
        if outcomes is not None:
            _check_outcomes(outcomes, spec)
            if stored is not None:
                store.reclassify(
                    runs_schema(outcomes, list(spec.classes)),
                    predicates,
                    dict(spec.classes),
                    assumed=stored.get("classes"),
                )
        now = _now()
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "name": name,
            "started": stored["started"] if stored else now,
            "last_started": now,
            "finished": None,
            "scenario": dict(scenario),
            "scenario_hash": digest,
            "determinants": determinants,
            "model": ref,
            "model_kind": kind,
            "steps": steps,
            "base_params": base,
            "parameters": spec.model_dump(mode="json")["parameters"],
            "design": spec.design.model_dump(mode="json"),
            "n_points": len(design),
            "replicates": spec.replicates,
            "total_runs": len(design) * spec.replicates,
            "root_seed": root_seed,
            "problem": design.problem,
            "outcomes": outcomes,
            "classes": dict(spec.classes),
            "timeseries": series._asdict() if series is not None else None,
            "timeout_s": spec.timeout_s,
            "backend": backend,
            "workers": workers,
            "scheduler": scheduler
            if scheduler is None or isinstance(scheduler, str)
            else str(getattr(scheduler, "scheduler_address", scheduler)),
            "versions": _versions(),
            "counts": {},
            "damaged_parts": [*(stored or {}).get("damaged_parts", []), *damaged],
        }
        store.write_design(design.frame, design.sample, design.names)
        done, counts = _stored_state(stored_runs, len(design), spec.replicates)
        manifest["counts"] = _counts(counts, manifest["total_runs"])
        store.write_manifest(manifest)
        _execute(
            spec=spec,
            design=design,
            store=store,
            manifest=manifest,
            done=done,
            counts=counts,
            predicates=predicates,
            series=series,
            how=_Execution(workers, backend, scheduler, progress, checkpoint_s),
        )
    return load_runs(out_dir) if load else None


def _determinants(
    spec: SweepSpec, ref: str, base: Mapping[str, Any], steps: int | None, root_seed: int
) -> dict[str, Any]:
    """The parts of a sweep that decide what each stored run is."""
    design = spec.design
    return {
        "model": ref,
        "base_params": dict(base),
        "steps": steps,
        "parameters": spec.model_dump(mode="json")["parameters"],
        "design": {
            "method": design.method,
            "seed": design.seed,
            "second_order": design.second_order,
            "options": design.options,
        },
        "root_seed": root_seed,
    }


RUN_KEYS = ("point", "replicate", "status")


def _series_request(
    spec: SweepSpec, ref: str, steps: int | None, n_points: int
) -> SeriesRequest | None:
    """The per-week outcomes each run is asked for, checked against the size cap."""
    asked = spec.timeseries
    if asked is None:
        return None
    weeks = asked.weeks if asked.weeks is not None else steps
    if weeks is None:
        raise SweepError(
            f"sweep.timeseries: model {ref!r} is a plain function, so the sweep cannot know "
            "how long its runs are; give timeseries.weeks, the longest run in weeks"
        )
    try:
        asked.check_size(n_points * spec.replicates, weeks)
    except ValueError as exc:
        raise SweepError(f"sweep.timeseries: {exc}") from None
    return SeriesRequest(tuple(asked.outcomes), asked.every, weeks)


def _check_same_series(
    stored: Mapping[str, Any], series: SeriesRequest | None, store: Store
) -> None:
    """Refuse to mix runs stored with other per-week outcomes (or none) into one sweep."""
    old = stored.get("timeseries")
    new = series._asdict() if series is not None else None
    if canonical_json(old) == canonical_json(new):
        return

    def said(request: Mapping[str, Any] | None) -> str:
        if not request:
            return "no per-week outcomes"
        names = ", ".join(request["outcomes"])
        return f"per-week {names} every {request['every']} of {request['weeks']} weeks"

    raise SweepError(
        f"the sweep stored in {str(store.root)!r} records {said(old)}, this scenario asks "
        f"for {said(new)}: pass --fresh (fresh=True) to delete the stored runs and start "
        "over, or sweep into another folder"
    )


def _check_compatible(
    stored: Mapping[str, Any],
    determinants: Mapping[str, Any],
    store: Store,
    design: Design,
    spec: SweepSpec,
    table: pa.Table | None,
) -> None:
    hint = (
        "pass --fresh (fresh=True) to delete the stored runs and start over, "
        "or sweep into another folder"
    )
    old = stored.get("determinants") or {}
    changed = [
        key
        for key in determinants
        if canonical_json(old.get(key)) != canonical_json(determinants[key])
    ]
    if changed:
        raise SweepError(
            f"the sweep stored in {str(store.root)!r} was made with a different "
            f"{', '.join(changed)}; its runs do not belong to this scenario: {hint}"
        )
    old_outcomes = stored.get("outcomes")
    if spec.outcomes is not None and old_outcomes is not None and old_outcomes != spec.outcomes:
        raise SweepError(
            f"the sweep stored in {str(store.root)!r} records outcomes "
            f"{', '.join(old_outcomes)}, this scenario asks for "
            f"{', '.join(spec.outcomes)}: {hint}"
        )
    old_design = store.read_design()
    if old_design is not None:
        point = first_difference(old_design, design.frame)
        if point is not None:
            method = spec.design.method
            why = (
                f"a {method} design is drawn anew when n changes, so it cannot be extended"
                if method in {"latin", "fast", "grid"}
                or (method == "morris" and spec.design.options.get("optimal_trajectories"))
                else "the design is not the one the stored runs were made for"
            )
            raise SweepError(
                f"design point {point} differs from the one stored in {str(store.root)!r} "
                f"({why}): {hint}"
            )
    if table is not None and table.num_rows:
        max_point = int(pc.max(table.column("point")).as_py())
        max_rep = int(pc.max(table.column("replicate")).as_py())
        if max_point >= len(design) or max_rep >= spec.replicates:
            raise SweepError(
                f"{str(store.root)!r} holds runs up to point {max_point} and replicate "
                f"{max_rep}, but this scenario has {len(design)} points and "
                f"{spec.replicates} replicates; a sweep can grow but not shrink: {hint}"
            )


def _check_outcomes(outcomes: Sequence[str], spec: SweepSpec) -> None:
    if not outcomes:
        raise SweepError(
            "no stored run of this sweep finished, so its outcomes are unknown; "
            "fix the model and pass --fresh to start over"
        )
    clash = sorted(set(outcomes) & (set(spec.parameters) | RESERVED_COLUMNS))
    if clash:
        raise SweepError(
            f"the model's outcome(s) {', '.join(clash)} clash with parameter or run column "
            "names; list the outcomes to keep in the sweep's 'outcomes'"
        )
    try:
        spec.check_class_names(list(outcomes))
    except ValueError as exc:
        raise SweepError(f"sweep classes: {exc}") from None


def _stored_state(
    table: pa.Table | None, n_points: int, replicates: int
) -> tuple[np.ndarray, dict]:
    """Which (point, replicate) pairs are stored, and how many runs per status."""
    done = np.zeros((n_points, replicates), dtype=bool)
    counts = dict.fromkeys(STATUSES, 0)
    if table is not None and table.num_rows:
        points = table.column("point").to_numpy()
        reps = table.column("replicate").to_numpy()
        done[points, reps] = True
        for item in pc.value_counts(table.column("status")).to_pylist():
            counts[item["values"]] = int(item["counts"])
    return done, counts


def _counts(counts: Mapping[str, int], total: int) -> dict[str, int]:
    out = {status: int(counts.get(status, 0)) for status in STATUSES}
    out["missing"] = total - sum(out.values())
    return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _versions() -> dict[str, str]:
    import platform

    versions = {"python": platform.python_version()}
    for package in _VERSIONED:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    return versions


# -- execution ------------------------------------------------------------------------


class BatchSizer:
    """Choose batch sizes: tasks of about ``target_s`` seconds, several per slot."""

    def __init__(self, fixed: int | None, slots: int, target_s: float = TARGET_TASK_S) -> None:
        self.fixed = fixed
        self.slots = slots
        self.target_s = target_s
        self.runs = 0
        self.seconds = 0.0

    def observe(self, rows: Sequence[Row]) -> None:
        """Learn from the elapsed times of finished runs."""
        self.runs += len(rows)
        self.seconds += sum(row[5] for row in rows)

    def next_size(self, remaining: int) -> int:
        """Size of the next batch."""
        if self.fixed:
            return self.fixed
        if not self.runs:
            return 1
        mean = max(self.seconds / self.runs, 1e-6)
        cap = max(1, remaining // (self.slots * 4))
        return int(max(1, min(self.target_s / mean, cap, MAX_BATCH)))


class _Sink:
    """Buffer finished rows and write them as parts of one fixed schema.

    Rows are turned into Arrow tables as they arrive (once the outcomes are known), so the
    buffer between two checkpoints costs a few dozen bytes a run, not a Python object each.
    """

    def __init__(
        self,
        store: Store,
        outcomes: list[str] | None,
        predicates: Sequence[Predicate],
        classes: Mapping[str, str],
        on_outcomes: Callable[..., None],
        series: bool = False,
    ) -> None:
        self.store = store
        self.outcomes = outcomes
        self.predicates = list(predicates)
        self.classes = dict(classes)
        self.on_outcomes = on_outcomes
        self.series = series
        self.rows: list[Row] = []  # rows waiting for the outcomes to be known
        self.held: list[tuple[pa.Table, dict[str, int], pa.Table | None]] = []
        self.held_rows = 0
        self.series_values = 0
        self.last_flush = time.monotonic()

    def add(self, rows: Sequence[Row]) -> list[Row]:
        """Buffer finished rows; return them as stored (missing outcomes make failures)."""
        if self.outcomes is None:
            first = next((row for row in rows if row[3] == "done"), None)
            if first is not None:
                names = list(first[6])
                self.on_outcomes(names)
                self.outcomes = names
        if self.outcomes is None:
            self.rows.extend(rows)
            return list(rows)
        rows = [self._complete(row) for row in rows]
        self._hold([*self.rows, *rows])
        self.rows = []
        return rows

    def _hold(self, rows: Sequence[Row]) -> None:
        if not rows:
            return
        table, undefined = self._table(rows)
        self.held.append((table, undefined, _series_table(rows) if self.series else None))
        self.held_rows += len(rows)
        self.series_values += sum(
            len(weeks) for row in rows for weeks, _ in (row[7] or {}).values()
        )

    def _complete(self, row: Row) -> Row:
        if row[3] != "done":
            return row
        missing = [name for name in self.outcomes if name not in row[6]]
        if not missing:
            return row
        error = (
            f"OutcomeError: the model returned no value for outcome(s) {', '.join(missing)} "
            f"(it returned: {', '.join(row[6]) or 'nothing'})"
        )
        return (row[0], row[1], row[2], "failed", error, row[5], None, None)

    def due(self, every_s: float) -> bool:
        return bool(self.held_rows or self.rows) and (
            self.held_rows >= FLUSH_ROWS
            or self.series_values >= FLUSH_SERIES_VALUES
            or time.monotonic() - self.last_flush >= every_s
        )

    def flush(self, final: bool = False) -> bool:
        """Write buffered rows as one part; return True if a part was written."""
        self.last_flush = time.monotonic()
        if self.rows and self.outcomes is None and final:
            self.on_outcomes([], checked=False)
            self.outcomes = []
            self._hold(self.rows)
            self.rows = []
        if not self.held:
            return False
        undefined = {p.name: sum(part[1][p.name] for part in self.held) for p in self.predicates}
        table = with_classes(
            pa.concat_tables([part[0] for part in self.held]), self.classes, undefined
        )
        series = pa.concat_tables([part[2] for part in self.held]) if self.series else None
        self.store.write_part(table, series)
        self.store.compact()
        self.drop()
        return True

    def drop(self) -> None:
        self.rows = []
        self.held = []
        self.held_rows = 0
        self.series_values = 0

    def _table(self, rows: Sequence[Row]) -> tuple[pa.Table, dict[str, int]]:
        outcomes = self.outcomes or []
        schema = runs_schema(outcomes, [p.name for p in self.predicates])
        n = len(rows)
        finished = np.fromiter((row[3] == "done" for row in rows), dtype=bool, count=n)
        columns: dict[str, np.ndarray] = {}
        for name in outcomes:
            values = np.full(n, np.nan)
            for i, row in enumerate(rows):
                if row[6] is not None:
                    values[i] = row[6][name]
            columns[name] = values
        arrays = [
            pa.array([row[0] for row in rows], type=pa.int64()),
            pa.array([row[1] for row in rows], type=pa.int64()),
            pa.array([row[2] for row in rows], type=pa.int64()),
            pa.array([row[3] for row in rows], type=pa.string()),
            pa.array([row[4] for row in rows], type=pa.string()),
            pa.array([row[5] for row in rows], type=pa.float64()),
        ]
        # a missing value (NaN, infinite, or a run that did not finish) is stored as null
        arrays += [
            pa.array(columns[name], mask=~finished | ~np.isfinite(columns[name]))
            for name in outcomes
        ]
        undefined = {}
        for predicate in self.predicates:
            known = {name: columns.get(name, np.full(n, np.nan)) for name in predicate.names}
            values, undefined[predicate.name] = predicate.classify(known, finished)
            arrays.append(pa.array(values.tolist(), type=pa.bool_()))
        return pa.Table.from_arrays(arrays, schema=schema), undefined


def _series_table(rows: Sequence[Row]) -> pa.Table:
    """The per-week outcomes of finished runs, one row per run, week and outcome."""
    points, replicates, weeks, names, values = [], [], [], [], []
    for row in rows:
        if row[3] != "done":
            continue
        for name, (run_weeks, run_values) in (row[7] or {}).items():
            n = len(run_weeks)
            points.append(np.full(n, row[0], dtype=np.int64))
            replicates.append(np.full(n, row[1], dtype=np.int64))
            weeks.append(np.asarray(run_weeks, dtype=np.int64))
            names.append(np.full(n, name, dtype=object))
            values.append(np.asarray(run_values, dtype=np.float64))
    if not points:
        return SERIES_SCHEMA.empty_table()
    value = np.concatenate(values)
    # a missing value (NaN or infinite) is stored as null, as in the run table
    arrays = [
        pa.array(np.concatenate(points)),
        pa.array(np.concatenate(replicates)),
        pa.array(np.concatenate(weeks)),
        pa.array(np.concatenate(names), type=pa.string()),
        pa.array(value, mask=~np.isfinite(value)),
    ]
    return pa.Table.from_arrays(arrays, schema=SERIES_SCHEMA)


class _Pending:
    """The runs still to do, in (point, replicate) order, taken a batch at a time.

    Only a block of the ``done`` matrix is turned into run keys at once, so a sweep of
    millions of runs holds no list of them all.
    """

    BLOCK_RUNS = 65_536

    def __init__(self, done: np.ndarray) -> None:
        self.done = done
        self.block = max(1, self.BLOCK_RUNS // max(done.shape[1], 1))
        self.next_point = 0
        self.points = np.empty(0, dtype=np.int64)
        self.replicates = np.empty(0, dtype=np.int64)

    def take(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """The next ``count`` pending runs (fewer at the end) as point and replicate arrays."""
        while len(self.points) < count and self.next_point < self.done.shape[0]:
            start, self.next_point = self.next_point, self.next_point + self.block
            points, replicates = np.nonzero(~self.done[start : self.next_point])
            self.points = np.concatenate([self.points, points + start])
            self.replicates = np.concatenate([self.replicates, replicates])
        taken = self.points[:count], self.replicates[:count]
        self.points, self.replicates = self.points[count:], self.replicates[count:]
        return taken


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise _Terminate

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass(frozen=True)
class _Execution:
    """How a sweep's pending runs are run: pool, progress display and checkpoints."""

    workers: int
    backend: str
    scheduler: str | None
    show: bool
    checkpoint_s: float


def _execute(
    *,
    spec: SweepSpec,
    design: Design,
    store: Store,
    manifest: dict[str, Any],
    done: np.ndarray,
    counts: dict[str, int],
    predicates: Sequence[Predicate],
    series: SeriesRequest | None,
    how: _Execution,
) -> None:
    workers, backend, scheduler = how.workers, how.backend, how.scheduler
    show, checkpoint_s = how.show, how.checkpoint_s
    total = manifest["total_runs"]
    n_pending = int((~done).sum())
    name = manifest["name"]

    def on_outcomes(outcomes: list[str], checked: bool = True) -> None:
        if checked and not outcomes:
            raise SweepError(f"model {manifest['model']!r} returned no outcomes (an empty mapping)")
        if checked:
            _check_outcomes(outcomes, spec)
        manifest["outcomes"] = outcomes
        store.write_manifest(manifest)

    sink = _Sink(
        store,
        manifest["outcomes"],
        predicates,
        manifest["classes"],
        on_outcomes,
        series=series is not None,
    )

    def checkpoint(final: bool = False) -> None:
        if sink.flush(final=final):
            manifest["counts"] = _counts(counts, total)
            store.write_manifest(manifest)

    with Progress(name, total, total - n_pending, enabled=show) as bar:
        if n_pending:
            try:
                with _sigterm_as_interrupt(), open_pool(backend, workers, scheduler) as pool:
                    if pool.dashboard:
                        bar.message(f"sweep {name}: Dask dashboard at {pool.dashboard}")
                    _Driver(pool, spec, design, manifest, sink, counts, bar, series).drive(
                        done, n_pending, lambda: sink.due(checkpoint_s) and checkpoint()
                    )
            except (KeyboardInterrupt, _Terminate):
                with contextlib.suppress(Exception):
                    checkpoint()
                manifest["counts"] = _counts(
                    _stored_state(store.read_columns(list(RUN_KEYS)), *done.shape)[1], total
                )
                with contextlib.suppress(SweepError):
                    store.write_manifest(manifest)
                raise SweepInterruptedError(
                    f"sweep {name} interrupted; {manifest['counts']['missing']:,} of "
                    f"{total:,} runs still to do; finished runs are saved in "
                    f"{str(store.root)!r}: run the same sweep again to resume"
                ) from None
            except StoreWriteError:
                raise
            except SweepError:
                if sink.outcomes is None:
                    sink.drop()
                else:
                    checkpoint()
                raise
            checkpoint(final=True)
        manifest["counts"] = _counts(counts, total)
        manifest["finished"] = _now()
        store.write_manifest(manifest)
        for line in _undefined_classes(store):
            bar.message(f"sweep {name}: {line}")
        bar.summary(manifest["counts"])


def _undefined_classes(store: Store) -> list[str]:
    """One warning per class whose predicate was undefined for some runs."""
    totals: dict[str, int] = {}
    for path in store.part_paths():
        for cls, n in (part_undefined(path) or {}).items():
            totals[cls] = totals.get(cls, 0) + int(n)
    return [
        f"warning: class {cls!r} is null for {n:,} finished run(s): its predicate is "
        "undefined for their values (a division by zero or an overflow)"
        for cls, n in totals.items()
        if n
    ]


@dataclass(frozen=True)
class _Alone:
    """A suspect run running alone in the pool."""

    future: Future
    started: float
    run: tuple[int, int, int, tuple[Any, ...]]
    executor: Executor


class _Driver:
    """Keep a pool busy with batches until every pending run is back.

    Runs of a batch whose worker died are suspects: they are run again one at a time,
    each alone in the pool, so that a death names its run.
    """

    def __init__(
        self,
        pool: Pool,
        spec: SweepSpec,
        design: Design,
        manifest: Mapping[str, Any],
        sink: _Sink,
        counts: dict[str, int],
        bar: Progress,
        series: SeriesRequest | None = None,
    ) -> None:
        self.pool = pool
        self.series = series
        self.spec = spec
        self.design = design
        self.names = tuple(design.names)
        self.manifest = manifest
        self.sink = sink
        self.counts = counts
        self.bar = bar
        self.suspects: deque[tuple[int, int, int, tuple[Any, ...]]] = deque()
        self.alone: _Alone | None = None
        self.warm = False

    def task(self, runs: tuple[tuple[int, int, int, tuple[Any, ...]], ...]) -> Task:
        return Task(
            model=self.manifest["model"],
            steps=self.manifest["steps"],
            outcomes=tuple(self.sink.outcomes) if self.sink.outcomes else None,
            timeout_s=self.spec.timeout_s,
            base_params=self.manifest["base_params"],
            names=self.names,
            runs=runs,
            watch_parent=self.pool.local_workers,
            hard_limit=not self.pool.in_process,
            series=self.series,
        )

    def drive(self, done: np.ndarray, n_pending: int, checkpoint: Callable[[], Any]) -> None:
        root_seed = self.manifest["root_seed"]
        pending = _Pending(done)
        to_submit = n_pending
        sizer = BatchSizer(self.spec.batch_size, self.pool.slots)
        max_in_flight = 1 if self.pool.in_process else 2 * self.pool.slots
        in_flight: dict[Future, tuple[Task, Executor]] = {}
        while True:
            while not self.suspects and len(in_flight) < max_in_flight and to_submit:
                points, replicates = pending.take(sizer.next_size(to_submit))
                seeds = run_seeds(root_seed, points, replicates)
                values = self.design.values_of(points)
                runs = tuple(
                    zip(points.tolist(), replicates.tolist(), seeds.tolist(), values, strict=True)
                )
                to_submit -= len(runs)
                task = self.task(runs)
                future = self.pool.submit(run_batch, task)
                in_flight[future] = (task, self.pool.executor)
            if self.suspects and not in_flight and self.alone is None:
                self.run_alone(self.suspects.popleft())
            waiting = set(in_flight) | ({self.alone.future} if self.alone else set())
            if not waiting:
                return
            finished, _ = wait(waiting, timeout=1.0, return_when=FIRST_COMPLETED)
            for future in finished:
                if self.alone is not None and future is self.alone.future:
                    rows = self.alone_result()
                else:
                    rows = self.result(future, *in_flight.pop(future))
                sizer.observe(rows)
                self.record(rows)
            if not finished:
                self.bar.advance()
                note = self.pool.check()
                if note:
                    self.bar.message(f"sweep {self.manifest['name']}: {note}")
            checkpoint()

    def record(self, rows: Sequence[Row]) -> None:
        new = dict.fromkeys(STATUSES, 0)
        for row in self.sink.add(rows):
            new[row[3]] += 1
        for status, count in new.items():
            self.counts[status] += count
        self.bar.advance(**new)

    def result(self, future: Future, task: Task, executor: Executor) -> list[Row]:
        try:
            return future.result()
        except Exception as exc:
            if not worker_died(exc):
                raise _batch_error(exc) from None
        self.suspects.extend(task.runs)
        self.pool.replace(executor)
        self.warm = False
        return []

    def run_alone(self, run: tuple[int, int, int, tuple[Any, ...]]) -> None:
        task = self.task((run,))
        if self.spec.timeout_s is not None and not self.warm:
            self.pool.warm_up(task)
            self.warm = True
        future = self.pool.submit(run_batch, task)
        self.alone = _Alone(future, time.monotonic(), run, self.pool.executor)

    def alone_result(self) -> list[Row]:
        alone, self.alone = self.alone, None
        try:
            return alone.future.result()
        except Exception as exc:
            if not worker_died(exc):
                raise _batch_error(exc) from None
            error = exc
        point, replicate, seed, _ = alone.run
        self.pool.replace(alone.executor)
        self.warm = False
        elapsed = time.monotonic() - alone.started
        limit = self.spec.timeout_s
        if limit is not None and elapsed >= limit:
            status = "timeout"
            message = (
                f"run exceeded the time limit of {limit:g} s and did not return, so its "
                "worker process was stopped"
            )
        else:
            status = "crashed"
            message = (
                f"WorkerDied: the worker process died while running it{death_note(error)}, "
                "also when run alone (a crash in native code, os._exit, or out of memory)"
            )
        return [(point, replicate, seed, status, message, elapsed, None, None)]


def _batch_error(exc: Exception) -> SweepError:
    if isinstance(exc, SweepError):
        return SweepError(f"a worker could not set up the model: {exc}")
    return SweepError(
        f"a batch of runs could not be completed ({type(exc).__name__}: {exc}); "
        "finished runs are saved, run the same sweep again to resume"
    )
