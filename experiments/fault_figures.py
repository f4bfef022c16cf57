"""Figures of the fault-injection checks: kills survived, runs lost and duplicated, bad
scenario files refused and the longest refusal.

Runs the same procedures as the tests (tests/engine/test_interrupt.py and
tests/io/test_input_limits.py), counting instead of asserting, and writes
results/fault_figures.json.

    .venv/bin/python experiments/fault_figures.py [--kills 8] [--files 520]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINE_TESTS = ROOT / "tests" / "engine"
sys.path[:0] = [str(ROOT), str(ENGINE_TESTS)]
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ENGINE_TESTS), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
)

from hypothesis import given, settings  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from sim.cli import app  # noqa: E402
from sim.engine.store import Store  # noqa: E402
from tests.engine.helpers import outcome_table, spec, sweep  # noqa: E402
from tests.engine.test_interrupt import kill_at_random_moments  # noqa: E402
from tests.io.test_input_limits import bad_scenarios, expected_mention  # noqa: E402


def kills(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s"
        the_spec = spec(design={"method": "sobol", "n": 32, "seed": 3}, replicates=3)
        total = 32 * 5 * 3
        args = {
            "spec": the_spec.model_dump(mode="json"),
            "model": "support_models:steady",
            "base_params": {"a": 7.0, "b": 0.1},
            "out": str(out),
            "workers": 2,
            "checkpoint_s": 0.2,
        }
        stored_after = kill_at_random_moments(out, args, kills=n, seed=11)
        stored = Store(out).read_columns(["point", "replicate"]).to_pandas()
        duplicated = int(stored.duplicated().sum())
        resumed = sweep(the_spec, out, model="support_models:steady")
        reference = sweep(the_spec, Path(tmp) / "ref", model="support_models:ishigami")
        same = outcome_table(resumed).equals(outcome_table(reference))
        done = int((resumed.status == "done").sum())
    return {
        "kills": n,
        "kills_mid_sweep": sum(0 < k < total for k in stored_after),
        "stored_after_each_kill": stored_after,
        "runs": total,
        "runs_lost": total - done,
        "runs_duplicated": duplicated,
        "identical_to_uninterrupted": bool(same),
    }


def refusals(n: int) -> dict:
    runner = CliRunner()
    seen: list[tuple[bool, float]] = []
    folder = Path(tempfile.mkdtemp())

    @settings(max_examples=n, deadline=None, derandomize=True, database=None)
    @given(case=bad_scenarios())
    def check(case: tuple[str, str, str]) -> None:
        kind, name, text = case
        path = folder / "bad.yaml"
        path.write_text(text)
        start = time.monotonic()
        result = runner.invoke(app, ["validate", str(path)])
        elapsed = time.monotonic() - start
        output = " ".join(result.output.split())
        ok = (
            result.exit_code == 2
            and "Traceback" not in output
            and expected_mention(kind, name) in output
        )
        seen.append((ok, elapsed))

    check()
    return {
        "bad_files": len(seen),
        "refused_with_field_named": sum(ok for ok, _ in seen),
        "longest_refusal_s": round(max(t for _, t in seen), 3),
        "median_refusal_s": round(sorted(t for _, t in seen)[len(seen) // 2], 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=8)
    parser.add_argument("--files", type=int, default=520)
    options = parser.parse_args()
    figures = {"kills": kills(options.kills), "bad_files": refusals(options.files)}
    target = ROOT / "results" / "fault_figures.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
