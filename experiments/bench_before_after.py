"""One baseline run's time on this checkout and on another, side by side.

Runs ``experiments/bench_model.py`` against the model of each checkout in turn (this one,
the other, this one, ...), each round in a fresh process with a few repeats, so that both
see the same machine state. Reports, per checkout, the median over rounds of the round
medians of one baseline run and of Mesa's BoltzmannWealth timed in the same process, and
the ratio of this checkout's median to the other's. Writes
``results/bench_before_after.json``.

Usage::

    git worktree add --detach ../before 9fa9c8d
    .venv/bin/python experiments/bench_before_after.py ../before --rounds 8
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "experiments" / "bench_model.py"
OUT = ROOT / "results" / "bench_before_after.json"


def one_round(checkout: Path, repeats: int) -> dict[str, float]:
    """Run bench_model.py once against the model in ``checkout``; return its summary."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.json"
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        subprocess.run(
            [sys.executable, str(BENCH), "--repeats", str(repeats), "--out", str(out)],
            check=True,
            cwd=checkout,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        return json.loads(out.read_text())


def main() -> None:
    """Alternate the two checkouts, then write and print the medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the other checkout (the model before)")
    parser.add_argument("--rounds", type=int, default=8, help="processes per checkout")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per process")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    checkouts = {"now": ROOT, "before": args.before.resolve()}
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in checkouts}
    for _ in range(args.rounds):
        for name, checkout in checkouts.items():
            rounds[name].append(one_round(checkout, args.repeats))
    medians = {
        name: {
            "checkout": str(checkouts[name]),
            "journey_median_ms": statistics.median(r["journey_median_ms"] for r in results),
            "boltzmann_median_ms": statistics.median(r["boltzmann_median_ms"] for r in results),
            "journey_over_boltzmann": statistics.median(
                r["journey_over_boltzmann"] for r in results
            ),
            "round_medians_ms": [r["journey_median_ms"] for r in results],
        }
        for name, results in rounds.items()
    }
    ratio = medians["now"]["journey_median_ms"] / medians["before"]["journey_median_ms"]
    summary = {"rounds": args.rounds, "repeats": args.repeats, **medians}
    summary["now_over_before"] = round(ratio, 3)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    for name, s in medians.items():
        print(
            f"{name:7s} journey {s['journey_median_ms']:7.1f} ms, boltzmann "
            f"{s['boltzmann_median_ms']:7.1f} ms, ratio {s['journey_over_boltzmann']}"
        )
    print(f"now / before: {summary['now_over_before']}  (written to {args.out})")


if __name__ == "__main__":
    main()
