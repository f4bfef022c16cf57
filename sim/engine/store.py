"""The sweep store: a folder with a manifest, the design and the runs in Parquet parts.

Layout of ``SWEEP_DIR``::

    manifest.json          what was run and how (see :func:`sim.engine.run_sweep`)
    design.parquet         point + one column per varied parameter
    sample.parquet         point + the sampler's raw output (SALib's X)
    runs/part-NNNNN.parquet  one row per run, every part with the same schema
    .lock                  held while a sweep writes to the folder

Every file is written to a hidden temporary name and moved into place with
:func:`os.replace`, so a sweep killed at any moment leaves only whole files behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from sim.engine.classes import Predicate
from sim.engine.errors import SweepError

MANIFEST = "manifest.json"
DESIGN = "design.parquet"
SAMPLE = "sample.parquet"
RUNS = "runs"
LOCK = ".lock"
STATUSES = ("done", "failed", "timeout")
CLASS_PREFIX = "class:"  # outcome-class columns are named class:<name>
_PART = re.compile(r"^part-(\d{5,})\.parquet$")
BASE_FIELDS = (
    pa.field("point", pa.int64(), nullable=False),
    pa.field("replicate", pa.int64(), nullable=False),
    pa.field("seed", pa.int64(), nullable=False),
    pa.field("status", pa.string(), nullable=False),
    pa.field("error", pa.string()),
    pa.field("elapsed_s", pa.float64()),
)


def runs_schema(outcomes: Sequence[str], classes: Sequence[str]) -> pa.Schema:
    """The one Arrow schema every run part of a sweep is cast to."""
    fields = list(BASE_FIELDS)
    fields += [pa.field(name, pa.float64()) for name in outcomes]
    fields += [pa.field(f"{CLASS_PREFIX}{name}", pa.bool_()) for name in classes]
    return pa.schema(fields)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces, for hashing."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


class Store:
    """One sweep folder."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.runs_dir = self.root / RUNS

    # -- locking -----------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder's lock; refuse if another sweep holds it.

        Raises:
            SweepError: If another process is sweeping into the same folder.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK
        handle = path.open("a+")
        try:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                raise SweepError(
                    f"another sweep is already writing to {str(self.root)!r} "
                    f"(pid {holder}); wait for it to finish or use another sweep name"
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            handle.close()

    # -- whole-folder operations -------------------------------------------------------

    def clear(self) -> None:
        """Delete everything the store wrote (the lock file stays)."""
        for name in (MANIFEST, DESIGN, SAMPLE):
            (self.root / name).unlink(missing_ok=True)
        if self.runs_dir.exists():
            shutil.rmtree(self.runs_dir)
        for tmp in self.root.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)

    # -- manifest and design -----------------------------------------------------------

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or None if there is none yet."""
        path = self.root / MANIFEST
        if not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise SweepError(f"cannot read {str(path)!r}: {exc}") from None

    def write_manifest(self, manifest: Mapping[str, Any]) -> None:
        """Write the manifest atomically."""
        text = json.dumps(manifest, indent=2, default=str, allow_nan=False)
        self._atomic_write(self.root / MANIFEST, lambda p: p.write_text(text, encoding="utf-8"))

    def read_design(self) -> pd.DataFrame | None:
        """The stored design, or None."""
        path = self.root / DESIGN
        return pd.read_parquet(path) if path.exists() else None

    def write_design(self, frame: pd.DataFrame, sample: np.ndarray, names: Sequence[str]) -> None:
        """Write the design and the sampler's raw output atomically."""
        raw = pd.DataFrame(sample, columns=list(names))
        raw.insert(0, "point", np.arange(len(raw), dtype=np.int64))
        self._atomic_write(self.root / SAMPLE, lambda p: raw.to_parquet(p, index=False))
        self._atomic_write(self.root / DESIGN, lambda p: frame.to_parquet(p, index=False))

    # -- run parts ---------------------------------------------------------------------

    def part_paths(self) -> list[Path]:
        """Run part files in write order."""
        if not self.runs_dir.exists():
            return []
        return sorted(p for p in self.runs_dir.iterdir() if _PART.match(p.name))

    def write_part(self, table: pa.Table) -> Path:
        """Write one part atomically under the next free number."""
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        parts = self.part_paths()
        number = int(_PART.match(parts[-1].name).group(1)) + 1 if parts else 0
        path = self.runs_dir / f"part-{number:05d}.parquet"
        self._atomic_write(path, lambda p: pq.write_table(table, p))
        return path

    def read_columns(self, columns: Sequence[str]) -> pa.Table | None:
        """Read some columns of every part (None if there are no parts)."""
        parts = self.part_paths()
        if not parts:
            return None
        return pads.dataset([str(p) for p in parts], format="parquet").to_table(
            columns=list(columns)
        )

    def read_runs(self, schema: pa.Schema | None = None) -> pa.Table | None:
        """Read every part (None if there are none)."""
        parts = self.part_paths()
        if not parts:
            return None
        dataset = pads.dataset([str(p) for p in parts], format="parquet", schema=schema)
        return dataset.to_table()

    def reclassify(self, schema: pa.Schema, predicates: Sequence[Predicate]) -> None:
        """Recompute class columns in every part for new class predicates."""
        by_column = {f"{CLASS_PREFIX}{p.name}": p for p in predicates}
        for path in self.part_paths():
            old = pq.read_table(path)
            finished = np.asarray(old.column("status").to_pylist()) == "done"
            columns = {
                name: old.column(name).to_numpy(zero_copy_only=False).astype(np.float64)
                for predicate in predicates
                for name in predicate.names
            }
            arrays = []
            for field in schema:
                if field.name.startswith(CLASS_PREFIX):
                    predicate = by_column[field.name]
                    values = predicate.evaluate(columns, finished)
                    arrays.append(pa.array(values.tolist(), type=pa.bool_()))
                else:
                    arrays.append(old.column(field.name).cast(field.type))
            table = pa.Table.from_arrays(arrays, schema=schema)
            self._atomic_write(path, lambda p, t=table: pq.write_table(t, p))

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def _atomic_write(path: Path, write: Any) -> None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            write(tmp)
            with tmp.open("rb") as handle:
                os.fsync(handle.fileno())
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)

    def remove_stale_tmp(self) -> None:
        """Remove temporary files left by a killed writer."""
        for folder in (self.root, self.runs_dir):
            if folder.exists():
                for tmp in folder.glob(".*.tmp"):
                    tmp.unlink(missing_ok=True)


def load_manifest(out_dir: str | Path) -> dict[str, Any]:
    """Read a sweep's manifest.

    Raises:
        SweepError: If the folder holds no sweep.
    """
    manifest = Store(out_dir).read_manifest()
    if manifest is None:
        raise SweepError(f"no sweep found in {str(out_dir)!r} (no {MANIFEST})")
    return manifest


def load_runs(out_dir: str | Path) -> pd.DataFrame:
    """Read every stored run of a sweep, joined with its design point's parameters.

    Columns: ``point``, ``replicate``, the varied parameters, ``seed``, ``status``,
    ``error``, ``elapsed_s``, the outcomes (float) and the classes (``class:<name>``,
    nullable boolean). Rows are sorted by point and replicate.

    Raises:
        SweepError: If the folder holds no sweep.
    """
    store = Store(out_dir)
    manifest = load_manifest(out_dir)
    outcomes = manifest.get("outcomes") or []
    classes = list((manifest.get("classes") or {}).keys())
    table = store.read_runs()
    if table is None:
        table = runs_schema(outcomes, classes).empty_table()
    frame = table.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
    design = store.read_design()
    if design is not None and len(design.columns) > 1:
        frame = frame.merge(design, on="point", how="left", validate="many_to_one")
        names = [c for c in design.columns if c != "point"]
        order = ["point", "replicate", *names]
        frame = frame[order + [c for c in frame.columns if c not in order]]
    return frame.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True)
