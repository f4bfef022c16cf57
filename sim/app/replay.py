"""Stored sweep runs, replayed in the app: the sweep-to-app bridge.

A sweep stores, for every run, its design point, its replicate and its seed; the
manifest holds the parameters every run shared and the design the values that varied.
:func:`stored_run` puts these back together, so the app can replay any run of a study
(``consim app --from SWEEP_DIR --point N --replicate R``) with exactly the parameters
and the seed the sweep used, and show a room a surprising point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.engine.errors import SweepError
from sim.engine.seeds import run_seed
from sim.engine.store import MANIFEST, Store, load_manifest, load_runs
from sim.io.scenario import EVALUATORS

JOURNEY_EVALUATOR = EVALUATORS["journey"]
SWEEPS_HOME = Path("results") / "sweeps"


class SweepRunError(ValueError):
    """A stored sweep run cannot be replayed (the message says why and what to do)."""


@dataclass(frozen=True)
class RunRef:
    """Which run of which sweep: the folder, the design point and the replicate."""

    sweep_dir: Path
    point: int
    replicate: int = 0


@dataclass(frozen=True)
class StoredRun:
    """One run of a stored sweep, as the app replays it.

    Attributes:
        sweep_dir: The sweep's folder.
        sweep: The sweep's name.
        point: Design point.
        replicate: Replicate of that point.
        seed: The run's seed (from the root seed, the point and the replicate).
        params: Every parameter of the run (shared ones and the point's values).
        varied: The values the design varied at this point.
        outcomes: What the sweep recorded for the run (empty if it has not run yet).
        status: ``done``, ``failed``, ``timeout`` or ``not run yet``.
    """

    sweep_dir: Path
    sweep: str
    point: int
    replicate: int
    seed: int
    params: dict[str, Any]
    varied: dict[str, Any]
    outcomes: dict[str, float]
    status: str

    @property
    def name(self) -> str:
        """The preset name the app shows, e.g. ``"sweep smoke · point 3 · replicate 0"``."""
        return f"sweep {self.sweep} · point {self.point} · replicate {self.replicate}"


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def sweep_size(sweep_dir: str | Path) -> tuple[int, int]:
    """Design points and replicates of a stored sweep.

    Raises:
        SweepRunError: if the folder holds no journey-model sweep.
    """
    manifest = _manifest(Path(sweep_dir))
    return int(manifest["n_points"]), int(manifest["replicates"])


def _manifest(folder: Path) -> dict[str, Any]:
    where = f"--from {folder}"
    if not (folder / MANIFEST).is_file():
        msg = f"{where}: not a sweep folder (no {MANIFEST}); run consim sweep first"
        raise SweepRunError(msg)
    try:
        manifest = load_manifest(folder)
    except SweepError as exc:
        raise SweepRunError(f"{where}: {exc}") from None
    model = manifest.get("model")
    if model != JOURNEY_EVALUATOR:
        msg = f"{where}: the sweep ran model {model}; the app replays journey-model sweeps only"
        raise SweepRunError(msg)
    return manifest


def stored_run(ref: RunRef) -> StoredRun:
    """The parameters, seed and recorded outcomes of one run of a stored sweep.

    Raises:
        SweepRunError: if the folder, the point or the replicate is not usable.
    """
    folder, point, replicate = Path(ref.sweep_dir), ref.point, ref.replicate
    manifest = _manifest(folder)
    n_points, replicates = int(manifest["n_points"]), int(manifest["replicates"])
    if not 0 <= point < n_points:
        msg = f"--point {point}: the sweep in {folder} has points 0 to {n_points - 1}"
        raise SweepRunError(msg)
    if not 0 <= replicate < replicates:
        msg = f"--replicate {replicate}: the sweep in {folder} has replicates 0 to {replicates - 1}"
        raise SweepRunError(msg)
    runs = load_runs(folder)
    row = runs[(runs["point"] == point) & (runs["replicate"] == replicate)]
    design = Store(folder).read_design()
    if design is None or not (design["point"] == point).any():
        raise SweepRunError(f"--from {folder}: the sweep's design.parquet lacks point {point}")
    at = design[design["point"] == point].iloc[0]
    varied = {n: _plain(at[n]) for n in manifest["problem"]["names"]}
    seed = run_seed(int(manifest["root_seed"]), point, replicate)
    outcomes: dict[str, float] = {}
    status = "not run yet"
    if len(row):
        first = row.iloc[0]
        status = str(first["status"])
        stored_seed = int(first["seed"])
        if stored_seed != seed:  # pragma: no cover - a store written by other rules
            msg = f"--from {folder}: run ({point}, {replicate}) was stored with another seed"
            raise SweepRunError(msg)
        for name in manifest.get("outcomes") or []:
            if name in row.columns:
                value = first[name]
                if value is not None and not (isinstance(value, float) and math.isnan(value)):
                    outcomes[name] = float(value)
    params = {**manifest["base_params"], **varied}
    return StoredRun(
        folder,
        str(manifest.get("name") or folder.name),
        point,
        replicate,
        seed,
        params,
        varied,
        outcomes,
        status,
    )


def find_sweeps(extra: Path | None = None) -> list[Path]:
    """Journey-model sweep folders to offer: ``extra`` and those in ``results/sweeps/``."""
    found: list[Path] = []
    candidates = [extra] if extra is not None else []
    if SWEEPS_HOME.is_dir():
        candidates += sorted(p for p in SWEEPS_HOME.iterdir() if p.is_dir())
    for folder in candidates:
        try:
            _manifest(folder)
        except SweepRunError:
            continue
        if folder.resolve() not in [f.resolve() for f in found]:
            found.append(folder)
    return found
