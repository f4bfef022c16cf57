"""A small writer of the sweep store format, for analysis tests.

``write_store`` writes manifest.json, design.parquet, sample.parquet and
runs/part-*.parquet as documented in docs/architecture.md and sim/engine/store.py;
``make_sweep`` samples a SALib design, evaluates a Python test function on it and writes
the store. Both are exposed as fixtures so that a test can later swap them for the real
sweep engine without changing the assertions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.engine.store import CLASS_PREFIX

OutcomeFn = Callable[[np.ndarray, np.random.Generator], Mapping[str, np.ndarray]]
ClassFn = Callable[[Mapping[str, np.ndarray]], np.ndarray]


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami function on [-pi, pi]^3."""
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


ISHIGAMI_PROBLEM = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def sample_design(
    method: str,
    problem: dict[str, Any],
    n: int,
    *,
    seed: int = 1,
    second_order: bool = True,
    options: Mapping[str, Any] | None = None,
) -> np.ndarray:
    """Draw a design with SALib's samplers (rows in sampler order)."""
    from SALib.sample import fast_sampler, latin, morris, sobol

    options = dict(options or {})
    if method == "sobol":
        return sobol.sample(problem, n, calc_second_order=second_order, seed=seed)
    if method == "morris":
        return morris.sample(problem, n, seed=seed, **options)
    if method == "fast":
        return fast_sampler.sample(problem, n, seed=seed, **options)
    if method == "latin":
        return latin.sample(problem, n, seed=seed)
    raise ValueError(method)


def write_store(
    path: Path,
    *,
    manifest: Mapping[str, Any],
    design: pd.DataFrame,
    runs: pd.DataFrame,
    sample: pd.DataFrame | None = None,
    part_rows: int = 1000,
) -> Path:
    """Write a sweep store: manifest.json, design.parquet, [sample.parquet], run parts."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    pq.write_table(pa.Table.from_pandas(design, preserve_index=False), path / "design.parquet")
    if sample is not None:
        pq.write_table(pa.Table.from_pandas(sample, preserve_index=False), path / "sample.parquet")
    folder = path / "runs"
    folder.mkdir(exist_ok=True)
    for i, start in enumerate(range(0, max(len(runs), 1), part_rows)):
        part = runs.iloc[start : start + part_rows]
        if len(part):
            table = pa.Table.from_pandas(part, preserve_index=False)
            pq.write_table(table, folder / f"part-{i:05d}.parquet")
    return path


def make_sweep(
    path: Path,
    *,
    outcomes: OutcomeFn,
    problem: Mapping[str, Any] = ISHIGAMI_PROBLEM,
    method: str = "sobol",
    n: int = 256,
    replicates: int = 1,
    seed: int = 1,
    second_order: bool = True,
    options: Mapping[str, Any] | None = None,
    classes: Mapping[str, tuple[str, ClassFn]] | None = None,
    status: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None = None,
    x: np.ndarray | None = None,
    to_design: Callable[[np.ndarray], pd.DataFrame] | None = None,
    extra_manifest: Mapping[str, Any] | None = None,
    part_rows: int = 1000,
) -> Path:
    """Sample a design, evaluate ``outcomes`` on every (point, replicate), write the store.

    Args:
        path: Sweep directory.
        outcomes: f(X, rng) -> {outcome name: values}, X one row per run.
        problem: SALib problem.
        method: Design method.
        n: Sampler's n.
        replicates: Replicates per point.
        seed: Design seed (and root seed).
        second_order: Sobol' second-order blocks.
        options: Sampler options.
        classes: name -> (predicate text, f(outcomes) -> bool array).
        status: f(X, point, replicate) -> array of "done" / "failed" / "timeout".
        x: A ready design (for ``file`` or ``grid`` designs) instead of sampling.
        to_design: Turns the raw sample into model-unit design columns (integers,
            choice labels); the raw sample is then stored as sample.parquet too.
        extra_manifest: Further manifest entries.
        part_rows: Rows per part file.
    """
    problem = dict(problem)
    if x is None:
        x = sample_design(method, problem, n, seed=seed, second_order=second_order, options=options)
    n_points = len(x)
    sample = pd.DataFrame(x, columns=problem["names"])
    sample.insert(0, "point", np.arange(n_points, dtype=np.int64))
    design = sample.copy()
    if to_design is not None:
        design = to_design(x)
        design.insert(0, "point", np.arange(n_points, dtype=np.int64))
    point = np.repeat(np.arange(n_points), replicates)
    replicate = np.tile(np.arange(replicates), n_points)
    xr = x[point]
    rng = np.random.default_rng(seed + 1000)
    values = {k: np.asarray(v, dtype=np.float64) for k, v in outcomes(xr, rng).items()}
    st = (
        np.asarray(status(xr, point, replicate), dtype=object)
        if status is not None
        else np.full(len(point), "done", dtype=object)
    )
    done = st == "done"
    runs = pd.DataFrame(
        {
            "point": point.astype(np.int64),
            "replicate": replicate.astype(np.int64),
            "seed": (np.arange(len(point)) + seed * 7919).astype(np.int64),
            "status": pd.array(st.tolist(), dtype="str"),
            "error": pd.array(
                [None if s == "done" else f"{s}: synthetic error" for s in st], dtype="str"
            ),
            "elapsed_s": rng.uniform(0.01, 0.2, len(point)),
        }
    )
    for name, v in values.items():
        runs[name] = np.where(done, v, np.nan)
    for name, (_, fn) in (classes or {}).items():
        held = np.asarray(fn(values), dtype=bool)
        runs[f"{CLASS_PREFIX}{name}"] = pd.array(
            [bool(h) if d else None for h, d in zip(held, done, strict=True)], dtype="boolean"
        )
    manifest = {
        "name": path.name,
        "design": {
            "method": method,
            "n": n,
            "seed": seed,
            "second_order": second_order,
            "options": dict(options or {}),
        },
        "problem": {
            k: (np.asarray(v).tolist() if k == "bounds" else v) for k, v in problem.items()
        },
        "replicates": replicates,
        "outcomes": list(values),
        "classes": {name: text for name, (text, _) in (classes or {}).items()},
        "root_seed": seed,
        "counts": {"points": n_points, "runs": len(runs), "done": int(done.sum())},
        "versions": {"consortium-sim": "0.1.0", "SALib": "1.6"},
        "started": "2025-01-01T00:00:00+00:00",
        "finished": "2025-01-01T00:10:00+00:00",
        "scenario": {"name": "synthetic"},
        "scenario_hash": "sha256:test",
    } | dict(extra_manifest or {})
    return write_store(
        path, manifest=manifest, design=design, runs=runs, sample=sample, part_rows=part_rows
    )


@pytest.fixture
def sweep_factory(tmp_path: Path) -> Callable[..., Path]:
    """Build a sweep store in a temporary directory: ``sweep_factory(name, **kw)``."""

    def build(name: str = "sweep", **kwargs: Any) -> Path:
        return make_sweep(tmp_path / name, **kwargs)

    return build


@pytest.fixture
def store_writer() -> Callable[..., Path]:
    """The raw store writer (manifest, design and runs given directly)."""
    return write_store


@pytest.fixture
def ishigami_outcomes() -> OutcomeFn:
    """Outcome function: Ishigami (a=7, b=0.1) as ``y``."""
    return lambda x, rng: {"y": ishigami(x)}
