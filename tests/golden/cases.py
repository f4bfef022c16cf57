"""The golden cases: scenario/seed pairs whose full output is stored in ``data/``.

A case's record is reduced to canonical text tables (CSV with every float written in
full, so a change in the last bit shows) and a JSON file holding their hashes, the run
measures and a few counts. :mod:`tests.golden.test_golden` compares a fresh run with the
stored files; :mod:`tests.golden.regenerate` rewrites them, and only when asked.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

import sim

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
TABLES = ("events", "initiatives", "timeline", "team_trust")


@dataclass(frozen=True)
class Case:
    """One golden run: a shipped scenario file and a seed."""

    name: str
    scenario: str  # path relative to the repository root
    seed: int

    def run(self) -> sim.RunRecord:
        """Run the case."""
        return sim.run(ROOT / self.scenario, seed=self.seed)


CASES: tuple[Case, ...] = (
    Case("baseline-42", "scenarios/baseline.yaml", 42),
    Case("baseline-1", "scenarios/baseline.yaml", 1),
    Case("baseline-7", "scenarios/baseline.yaml", 7),
    Case("coalition-3", "scenarios/coalition.yaml", 3),
    Case("low-trust-5", "scenarios/low-trust.yaml", 5),
    Case("informal-networks-2", "scenarios/informal-networks.yaml", 2),
    Case("team-assembly-7", "scenarios/team-assembly.yaml", 7),
)


def canonical_csv(table: pd.DataFrame) -> str:
    """A table as CSV text with floats in full (shortest round-trip repr)."""
    buf = io.StringIO()
    table.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def digest(text: str) -> str:
    """SHA-256 of a text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # "nan", "inf": JSON has no such numbers
    return value


def snapshot(record: sim.RunRecord) -> tuple[dict[str, Any], dict[str, str]]:
    """A record's golden summary and its canonical tables."""
    tables = {name: canonical_csv(getattr(record, name)) for name in TABLES}
    summary = {
        "scenario": record.scenario,
        "model": record.model,
        "seed": record.seed,
        "hashes": {name: digest(text) for name, text in tables.items()},
        "rows": {name: len(getattr(record, name)) for name in TABLES},
        "measures": {k: _plain(float(v)) for k, v in sorted(record.measures.items())},
    }
    return summary, tables


def summary_path(case: Case) -> Path:
    """Where a case's JSON summary is stored."""
    return DATA / f"{case.name}.json"


def table_path(case: Case, table: str) -> Path:
    """Where one of a case's canonical tables is stored (gzipped CSV)."""
    return DATA / f"{case.name}.{table}.csv.gz"


def write(case: Case, summary: dict[str, Any], tables: dict[str, str]) -> None:
    """Store a case's golden files (gzip without a timestamp, so files are reproducible)."""
    DATA.mkdir(parents=True, exist_ok=True)
    summary_path(case).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    for name, text in tables.items():
        with (
            table_path(case, name).open("wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz,
        ):
            gz.write(text.encode("utf-8"))


def read(case: Case) -> tuple[dict[str, Any], dict[str, str]]:
    """A case's stored summary and tables."""
    summary = json.loads(summary_path(case).read_text(encoding="utf-8"))
    tables = {
        name: gzip.decompress(table_path(case, name).read_bytes()).decode("utf-8")
        for name in TABLES
    }
    return summary, tables


def first_difference(table: str, stored: str, fresh: str) -> str:
    """Describe the first row in which two canonical CSV tables differ."""
    old = pd.read_csv(io.StringIO(stored), dtype=str, keep_default_na=False)
    new = pd.read_csv(io.StringIO(fresh), dtype=str, keep_default_na=False)
    if list(old.columns) != list(new.columns):
        gone = [c for c in old.columns if c not in new.columns]
        added = [c for c in new.columns if c not in old.columns]
        return f"{table}: columns changed (removed {gone}, added {added})"
    for i in range(min(len(old), len(new))):
        a, b = old.iloc[i], new.iloc[i]
        if not a.equals(b):
            cols = [c for c in old.columns if a[c] != b[c]]
            lines = [f"{table}: first difference at row {i} (columns {', '.join(cols)})"]
            lines.append("  stored: " + ", ".join(f"{c}={a[c]}" for c in old.columns))
            lines.append("  now:    " + ", ".join(f"{c}={b[c]}" for c in old.columns))
            return "\n".join(lines)
    same = min(len(old), len(new))
    return f"{table}: the first {same} rows agree; stored has {len(old)}, now {len(new)}"
