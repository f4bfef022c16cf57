"""The sweep store: a folder with a manifest, the design and the runs in Parquet parts.

Layout of ``SWEEP_DIR``::

    manifest.json          what was run and how (see :func:`sim.engine.run_sweep`)
    design.parquet         point + one column per varied parameter
    sample.parquet         point + the sampler's raw output (SALib's X)
    runs/part-NNNNN.parquet  one row per run, every part with the same schema
    runs/parts.json        the SHA-256 of every part the sweep wrote (checked on resume)
    series/part-NNNNN.parquet  per-week outcomes of the runs in runs/part-NNNNN.parquet
                           (only when the sweep asks for them): point, replicate, week,
                           outcome, value; written just before its run part
    series/parts.json      the SHA-256 of every series part
    damaged/               parts found damaged on resume, moved aside (their runs re-run)
    .lock                  held while a sweep writes to the folder

Every file is written to a hidden temporary name and moved into place with
:func:`os.replace`, so a sweep killed at any moment leaves only whole files behind. Each
part records, in its Parquet metadata, the class definitions its class columns were
computed with, so an interrupted reclassification is finished part by part on resume.
A series part whose run part is missing (a sweep killed between the two) is removed on
resume, and a run part whose series part is missing or damaged is moved aside: its runs
are run again, so every stored run has its series once.

Parts are compacted as a sweep goes: once there are ``COMPACT_AT`` small parts, the
oldest are merged into one new part (and their series parts likewise), which records in
its metadata the parts it replaces; only then are those removed. A sweep killed
mid-merge leaves either the old parts alone or the new part beside (some of) the old
ones, and :meth:`Store.finish_compaction` removes what the new part replaces on resume,
so no run is lost or stored twice, and the number of part files stays bounded.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
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
SERIES = "series"
LEDGER = "parts.json"
DAMAGED = "damaged"
LOCK = ".lock"
STATUSES = ("done", "failed", "timeout", "crashed")
CLASS_PREFIX = "class_"  # outcome-class columns are named class_<name> (no quoting in SQL)
CLASSES_KEY = b"consim.classes"  # part metadata: the class definitions of its class columns
UNDEFINED_KEY = b"consim.undefined"  # part metadata: runs each class predicate is undefined for
REPLACES_KEY = b"consim.replaces"  # part metadata: the parts a compacted part was merged from
COMPACT_AT = 16  # merge the small parts once there are this many
SMALL_PART_ROWS = 250_000  # a part with fewer runs is small; a merge stops past this many
MERGE_BATCH_ROWS = 16_384  # a merge reads and writes this many rows at a time (see bench.py)
_PART = re.compile(r"^part-(\d{5,})\.parquet$")
BASE_FIELDS = (
    pa.field("point", pa.int64(), nullable=False),
    pa.field("replicate", pa.int64(), nullable=False),
    pa.field("seed", pa.int64(), nullable=False),
    pa.field("status", pa.string(), nullable=False),
    pa.field("error", pa.string()),
    pa.field("elapsed_s", pa.float64()),
)


SERIES_SCHEMA = pa.schema(
    [
        pa.field("point", pa.int64(), nullable=False),
        pa.field("replicate", pa.int64(), nullable=False),
        pa.field("week", pa.int64(), nullable=False),
        pa.field("outcome", pa.string(), nullable=False),
        pa.field("value", pa.float64()),
    ]
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


class StoreWriteError(SweepError):
    """A file of the store could not be written (a full disk, a permission)."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _part_metadata(path: Path, key: bytes) -> Any:
    raw = (pq.read_schema(path).metadata or {}).get(key)
    return None if raw is None else json.loads(raw)


def part_classes(path: Path) -> dict[str, str] | None:
    """The class definitions a part's class columns were computed with (None if unknown)."""
    return _part_metadata(path, CLASSES_KEY)


def part_undefined(path: Path) -> dict[str, int] | None:
    """Per class, the runs of a part whose class is null because its predicate is undefined."""
    return _part_metadata(path, UNDEFINED_KEY)


def with_classes(
    table: pa.Table, classes: Mapping[str, str], undefined: Mapping[str, int]
) -> pa.Table:
    """The table with its class definitions and undefined-class counts in its metadata."""
    metadata = dict(table.schema.metadata or {})
    metadata[CLASSES_KEY] = canonical_json(dict(classes)).encode()
    metadata[UNDEFINED_KEY] = canonical_json(dict(undefined)).encode()
    return table.replace_schema_metadata(metadata)


class Store:
    """One sweep folder."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.runs_dir = self.root / RUNS
        self.series_dir = self.root / SERIES

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
                    f"(pid {holder}); wait for it to finish, or sweep into another folder"
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
        """Delete what the store wrote, and nothing else (the lock file stays).

        That is the manifest, the design, the parts named in the ledger or by the part
        naming scheme, the ledger and the damaged parts set aside; other files and
        folders (a single run's output in ``runs/NAME/``, say) are left alone.
        """
        for name in (MANIFEST, DESIGN, SAMPLE):
            (self.root / name).unlink(missing_ok=True)
        for folder in (self.runs_dir, self.series_dir):
            names = set(self.read_ledger(folder)) | {p.name for p in _parts_in(folder)}
            for name in names:
                if _PART.match(name):
                    (folder / name).unlink(missing_ok=True)
            (folder / LEDGER).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when nothing else is in it
        damaged = self.root / DAMAGED
        if damaged.is_dir():
            for path in damaged.iterdir():
                if _PART.match(path.name.split(".", 1)[0] + ".parquet"):
                    path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                damaged.rmdir()
        self.remove_stale_tmp()

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
        """The stored design, or None (also when it cannot be read: it is written anew)."""
        path = self.root / DESIGN
        if not path.exists():
            return None
        try:
            return pd.read_parquet(path)
        except (OSError, ValueError, pa.ArrowException):
            return None

    def write_design(self, frame: pd.DataFrame, sample: np.ndarray, names: Sequence[str]) -> None:
        """Write the design and the sampler's raw output atomically."""
        raw = pd.DataFrame(sample, columns=list(names))
        raw.insert(0, "point", np.arange(len(raw), dtype=np.int64))
        self._atomic_write(self.root / SAMPLE, lambda p: raw.to_parquet(p, index=False))
        self._atomic_write(self.root / DESIGN, lambda p: frame.to_parquet(p, index=False))

    # -- run parts ---------------------------------------------------------------------

    def part_paths(self) -> list[Path]:
        """Run part files in write order, less those that a compacted part here replaces.

        A sweep killed while it removed the parts merged into a new one leaves both for
        a while; reading them now sees every run once.
        """
        parts = _parts_in(self.runs_dir)
        replaced = {name for path in parts for name in _replaces(path)}
        return [path for path in parts if path.name not in replaced]

    def series_paths(self) -> list[Path]:
        """Series part files whose run part is stored, in write order."""
        return [self.series_dir / p.name for p in self.part_paths()]

    def write_part(self, table: pa.Table, series: pa.Table | None = None) -> Path:
        """Write one part atomically under the next free number, its checksum first.

        ``series``, the per-week outcomes of the part's runs, is written first under the
        same number in ``series/``: a run part in place always has its series in place.
        """
        folders = (self.runs_dir, self.series_dir) if series is not None else (self.runs_dir,)
        for folder in folders:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise _write_error(folder, exc) from None
        path = self.runs_dir / self._next_part_name()
        if series is not None:
            self._replace_part(self.series_dir / path.name, series, keep_old=False)
        self._replace_part(path, table, keep_old=False)
        return path

    def _replace_part(self, path: Path, table: pa.Table, *, keep_old: bool) -> None:
        """Write a part whole; the ledger accepts the new content before it is in place.

        With ``keep_old`` the ledger accepts the old content too until the new one is in
        place, so a kill at any moment leaves a part that the ledger vouches for.
        """
        self._commit_part(
            path, lambda tmp: pq.write_table(table, tmp, write_page_checksum=True), keep_old
        )

    def _commit_part(self, path: Path, write: Callable[[Path], None], keep_old: bool) -> None:
        """Write a part with ``write(tmp)``, vouch for it in the ledger, move it into place."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        folder = path.parent
        try:
            try:
                write(tmp)
                with tmp.open("rb") as handle:
                    os.fsync(handle.fileno())
                digest = _sha256(tmp)
                ledger = self.read_ledger(folder)
                old = ledger.get(path.name, []) if keep_old else []
                ledger[path.name] = [*old, digest]
                self.write_ledger(ledger, folder)
                tmp.replace(path)
            except OSError as exc:
                raise _write_error(path, exc) from None
            if keep_old:
                ledger[path.name] = [digest]
                self.write_ledger(ledger, folder)
        finally:
            tmp.unlink(missing_ok=True)

    # -- compaction --------------------------------------------------------------------

    def compact(self) -> Path | None:
        """Merge the oldest small parts into one once there are ``COMPACT_AT`` of them.

        Parts are merged in write order, oldest first, until the merged part holds at
        least ``SMALL_PART_ROWS`` runs or the small parts run out; only parts computed
        with the same classes and schema as the first are merged together. Rows are read
        and written ``MERGE_BATCH_ROWS`` at a time, so memory stays small.

        Returns:
            The merged part, or None when there was nothing to merge.
        """
        small = [(p, n) for p in self.part_paths() if (n := _rows(p)) < SMALL_PART_ROWS]
        if len(small) < COMPACT_AT:
            return None
        first = pq.read_schema(small[0][0])
        group: list[Path] = []
        rows = 0
        for path, n in small:
            schema = pq.read_schema(path)
            if not schema.equals(first, check_metadata=False) or part_classes(path) != (
                part_classes(small[0][0])
            ):
                continue
            group.append(path)
            rows += n
            if rows >= SMALL_PART_ROWS:
                break
        if len(group) < 2:
            return None
        undefined: dict[str, int] = {}
        for path in group:
            for cls, count in (part_undefined(path) or {}).items():
                undefined[cls] = undefined.get(cls, 0) + int(count)
        metadata = dict(first.metadata or {})
        metadata[UNDEFINED_KEY] = canonical_json(undefined).encode()
        metadata[REPLACES_KEY] = canonical_json([p.name for p in group]).encode()
        target = self.runs_dir / self._next_part_name()
        twins = [self.series_dir / p.name for p in group]
        if any(twin.exists() for twin in twins):
            self._commit_part(
                self.series_dir / target.name,
                _merged(twins, SERIES_SCHEMA),
                keep_old=False,
            )
        self._commit_part(target, _merged(group, first.with_metadata(metadata)), keep_old=False)
        self._drop_replaced(group)
        return target

    def finish_compaction(self) -> int:
        """Remove the parts that a whole compacted part replaces (after a kill mid-merge).

        Returns:
            How many part files were removed.
        """
        ledger = self.read_ledger()
        removed = 0
        for path in _parts_in(self.runs_dir):
            replaced = _replaces(path)
            if not replaced or _sha256(path) not in ledger.get(path.name, []):
                continue  # not whole: check_parts sets it aside, what it replaces stays
            stale = [self.runs_dir / name for name in replaced]
            removed += sum(p.exists() for p in stale)
            self._drop_replaced(stale)
        return removed

    def _drop_replaced(self, parts: Sequence[Path]) -> None:
        """Delete parts merged into another (and their series parts) and their ledger entries."""
        for folder in (self.series_dir, self.runs_dir):
            ledger = self.read_ledger(folder)
            for part in parts:
                (folder / part.name).unlink(missing_ok=True)
                ledger.pop(part.name, None)
            if folder.exists():
                self.write_ledger(ledger, folder)

    def _next_part_name(self) -> str:
        """The next free part name: above every part stored, vouched for or set aside."""
        taken = {p.name for p in self.part_paths()} | set(self.read_ledger())
        damaged = self.root / DAMAGED
        if damaged.is_dir():
            taken |= {p.name.split(".", 1)[0] + ".parquet" for p in damaged.iterdir()}
        numbers = [int(m.group(1)) for m in map(_PART.match, taken) if m]
        return f"part-{max(numbers, default=-1) + 1:05d}.parquet"

    def read_ledger(self, folder: Path | None = None) -> dict[str, list[str]]:
        """Part name -> the SHA-256 digests its content may have (empty if none yet).

        Args:
            folder: The parts' folder: ``runs/`` (the default) or ``series/``.
        """
        path = (folder or self.runs_dir) / LEDGER
        if not path.exists():
            return {}
        try:
            ledger = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return ledger if isinstance(ledger, dict) else {}

    def write_ledger(self, ledger: Mapping[str, list[str]], folder: Path | None = None) -> None:
        """Write the ledger (of ``runs/``, or of ``folder``) atomically."""
        text = json.dumps(dict(sorted(ledger.items())), indent=0)
        path = (folder or self.runs_dir) / LEDGER
        self._atomic_write(path, lambda p: p.write_text(text, "utf-8"))

    def check_parts(self, series: bool = False) -> list[str]:
        """Check every part against the ledger; move damaged ones aside.

        A part whose checksum is in the ledger is whole. One the ledger does not know
        (written before checksums were kept) is read in full, page checksums verified, and
        then vouched for. Anything else is moved to ``damaged/`` so its runs are run again.

        Args:
            series: The sweep stores per-week outcomes: a run part must have a whole
                series part, or it is moved aside too; a series part without its run part
                (a sweep killed between the two) is removed.

        Returns:
            One line per part moved aside, naming it and where it went.
        """
        moved = [
            f"runs/{path.name} is damaged (its checksum does not match what was written); "
            f"moved to {self._set_aside(path)}, its runs will be run again"
            for path in self._damaged(self.runs_dir)
        ]
        if not series:
            return moved
        damaged = set(self._damaged(self.series_dir))
        stored = {p.name for p in self.part_paths()}
        for path in _parts_in(self.series_dir):
            if path.name not in stored:
                path.unlink()
        for path in self.part_paths():
            twin = self.series_dir / path.name
            if twin in damaged or not twin.exists():
                why = "is damaged" if twin in damaged else "is missing"
                where = self._set_aside(path)
                if twin in damaged:
                    self._set_aside(twin, ".series")
                moved.append(
                    f"series/{path.name} (the per-week outcomes of runs/{path.name}) {why}; "
                    f"runs/{path.name} moved to {where}, its runs will be run again"
                )
        return moved

    def _damaged(self, folder: Path) -> list[Path]:
        """The parts of ``folder`` that fail their check, dropped from its ledger."""
        ledger = self.read_ledger(folder)
        damaged: list[Path] = []
        changed = False
        for path in _parts_in(folder):
            digests = ledger.get(path.name)
            digest = _sha256(path)
            if digests is not None:
                whole = digest in digests
            else:
                whole = _readable(path)
                if whole:
                    ledger[path.name] = [digest]
                    changed = True
            if not whole:
                damaged.append(path)
                ledger.pop(path.name, None)
                changed = True
        if changed:
            self.write_ledger(ledger, folder)
        return damaged

    def _set_aside(self, path: Path, kind: str = "") -> str:
        """Move a part to ``damaged/``; return where it went, relative to the sweep."""
        folder = self.root / DAMAGED
        try:
            folder.mkdir(exist_ok=True)
            target = folder / f"{path.stem}{kind}.{time.strftime('%Y%m%dT%H%M%S')}.parquet"
            path.replace(target)
        except OSError as exc:
            raise _write_error(folder, exc) from None
        ledger = self.read_ledger(path.parent)
        if ledger.pop(path.name, None) is not None:
            self.write_ledger(ledger, path.parent)
        return f"{DAMAGED}/{target.name}"

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

    def reclassify(
        self,
        schema: pa.Schema,
        predicates: Sequence[Predicate],
        classes: Mapping[str, str],
        assumed: Mapping[str, str] | None,
    ) -> int:
        """Recompute class columns in every part not yet computed with ``classes``.

        Each part is replaced whole and records its class definitions, so a kill at any
        moment leaves every part either as it was or finished; running again finishes
        the rest.

        Args:
            schema: The runs schema for the new classes.
            predicates: The parsed class predicates.
            classes: Class name -> predicate text, recorded in each part.
            assumed: The classes of parts that record none (the manifest's).

        Returns:
            How many parts were recomputed.
        """
        by_column = {f"{CLASS_PREFIX}{p.name}": p for p in predicates}
        recomputed = 0
        for path in self.part_paths():
            recorded = part_classes(path)
            if (recorded if recorded is not None else assumed) == dict(classes):
                continue
            old = pq.read_table(path)
            finished = np.asarray(old.column("status").to_pylist()) == "done"
            columns = {
                name: old.column(name).to_numpy(zero_copy_only=False).astype(np.float64)
                for predicate in predicates
                for name in predicate.names
            }
            arrays = []
            undefined = {}
            for field in schema:
                if field.name.startswith(CLASS_PREFIX):
                    predicate = by_column[field.name]
                    values, undefined[predicate.name] = predicate.classify(columns, finished)
                    arrays.append(pa.array(values.tolist(), type=pa.bool_()))
                else:
                    arrays.append(old.column(field.name).cast(field.type))
            table = pa.Table.from_arrays(arrays, schema=schema)
            self._replace_part(path, with_classes(table, classes, undefined), keep_old=True)
            recomputed += 1
        return recomputed

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def _atomic_write(path: Path, write: Any) -> None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            write(tmp)
            with tmp.open("rb") as handle:
                os.fsync(handle.fileno())
            tmp.replace(path)
        except OSError as exc:
            raise _write_error(path, exc) from None
        finally:
            tmp.unlink(missing_ok=True)

    def remove_stale_tmp(self) -> None:
        """Remove temporary files left by a killed writer."""
        for folder in (self.root, self.runs_dir, self.series_dir):
            if folder.exists():
                for tmp in folder.glob(".*.tmp"):
                    tmp.unlink(missing_ok=True)


def _parts_in(folder: Path) -> list[Path]:
    """The part files of a folder, in write order."""
    if not folder.exists():
        return []
    return sorted(p for p in folder.iterdir() if _PART.match(p.name))


def _replaces(path: Path) -> list[str]:
    """The parts a compacted part was merged from (none for another or unreadable part)."""
    try:
        return list(_part_metadata(path, REPLACES_KEY) or [])
    except (OSError, ValueError, pa.ArrowException):
        return []


def _rows(path: Path) -> int:
    """How many rows a Parquet file holds (read off its footer)."""
    return pq.read_metadata(path).num_rows


def _merged(parts: Sequence[Path], schema: pa.Schema) -> Callable[[Path], None]:
    """A writer of the parts' rows, in order, into one file with ``schema``."""

    def write(tmp: Path) -> None:
        with pq.ParquetWriter(tmp, schema, write_page_checksum=True) as writer:
            for part in parts:
                if part.exists():
                    reader = pq.ParquetFile(part, pre_buffer=False)
                    for batch in reader.iter_batches(MERGE_BATCH_ROWS, use_threads=False):
                        writer.write_table(pa.Table.from_batches([batch]).cast(schema))

    return write


def _write_error(path: Path, exc: OSError) -> StoreWriteError:
    return StoreWriteError(
        f"cannot write {str(path)!r} ({exc.strerror or exc}); every run stored before is "
        "kept: free space (or fix the permission) and run the same sweep again to resume"
    )


def _readable(path: Path) -> bool:
    """Whether a Parquet file reads in full with its page checksums verified."""
    try:
        pq.read_table(path, page_checksum_verification=True)
    except (OSError, ValueError, pa.ArrowException):
        return False
    return True


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
    ``error``, ``elapsed_s``, the outcomes (float) and the classes (``class_<name>``,
    nullable boolean). Rows are sorted by point and replicate.

    Raises:
        SweepError: If the folder holds no sweep.
    """
    store = Store(out_dir)
    manifest = load_manifest(out_dir)
    outcomes = manifest.get("outcomes") or []
    defined = manifest.get("classes") or {}
    classes = list(defined)
    stale = [p.name for p in store.part_paths() if part_classes(p) not in (None, defined)]
    if stale:
        raise SweepError(
            f"{str(store.root)!r}: the class columns of {len(stale)} part(s) were computed "
            "for other class definitions (a change of classes was interrupted); run the "
            "sweep again to finish it"
        )
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


def load_series(out_dir: str | Path) -> pd.DataFrame:
    """Read the per-week outcomes of every stored run of a sweep, as a tidy table.

    Columns: ``point``, ``replicate``, ``week``, ``outcome`` and ``value`` (NaN where the
    value was missing), one row per run, week and outcome, sorted in that order. Join the
    parameters from :func:`load_runs` (or ``design.parquet``) on ``point``.

    Raises:
        SweepError: If the folder holds no sweep, or one that records no per-week outcomes.
    """
    store = Store(out_dir)
    manifest = load_manifest(out_dir)
    if not manifest.get("timeseries"):
        raise SweepError(
            f"the sweep in {str(out_dir)!r} records no per-week outcomes; name them in its "
            "scenario's sweep.timeseries and run it again with --fresh"
        )
    paths = [str(p) for p in store.series_paths() if p.exists()]
    if paths:
        table = pads.dataset(paths, format="parquet", schema=SERIES_SCHEMA).to_table()
    else:
        table = SERIES_SCHEMA.empty_table()
    order = ["point", "replicate", "week", "outcome"]
    frame = table.to_pandas().sort_values(order, kind="stable")
    return frame.reset_index(drop=True)
