"""How the journey model's cost grows with the population: time, cost per organisation-week, memory.

Each size runs in a fresh process (so that its peak RSS is its own), after a small
warm-up run that loads the compiled kernels; the time includes building the model. The
default sizes are the scale targets: 100, 1,000 and 10,000 organisations for 260 weeks,
and 100,000 for 52. The result goes to ``results/bench_scale.json``.

Usage::

    python experiments/bench_scale.py
    python experiments/bench_scale.py --sizes 100:260 1000:260
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "results" / "bench_scale.json"
SIZES = ("100:260", "1000:260", "10000:260", "100000:52")


def one_run(n: int, weeks: int, seed: int) -> dict[str, float]:
    """Time one run of ``n`` organisations for ``weeks`` (in this process)."""
    from sim.journey.model import JourneyModel

    warm = JourneyModel(rng=seed + 1, n_organisations=100, steps=5)
    for _ in range(5):
        warm.step()
    t0 = time.perf_counter()
    m = JourneyModel(rng=seed, n_organisations=n, steps=weeks)
    while m.running:
        m.step()
    seconds = time.perf_counter() - t0
    return {
        "organisations": n,
        "weeks": weeks,
        "seconds": round(seconds, 3),
        "us_per_organisation_week": round(1e6 * seconds / (n * weeks), 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "initiatives": len(m.initiatives),
    }


def main(argv: list[str] | None = None) -> list[dict[str, float]]:
    """Run every size in its own process and write the summary."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=SIZES, help="organisations:weeks pairs")
    ap.add_argument("--seed", type=int, default=1, help="seed of every run")
    ap.add_argument("--out", type=Path, default=OUT, help="where to write the JSON summary")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # organisations:weeks, in this process
    args = ap.parse_args(argv)
    if args.one:
        n, weeks = (int(x) for x in args.one.split(":"))
        print(json.dumps(one_run(n, weeks, args.seed)))
        return []
    rows = []
    for size in args.sizes:
        cmd = [sys.executable, __file__, "--one", size, "--seed", str(args.seed)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        row = json.loads(done.stdout.splitlines()[-1])
        rows.append(row)
        print(
            f"{row['organisations']:>8,} x {row['weeks']:>3} weeks  {row['seconds']:>9.2f} s  "
            f"{row['us_per_organisation_week']:>8.2f} µs per organisation-week  "
            f"peak RSS {row['peak_rss_mb']:>8.0f} MB",
            flush=True,
        )
    base = rows[0]["us_per_organisation_week"]
    for row in rows:
        row["cost_over_first"] = round(row["us_per_organisation_week"] / base, 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"runs": rows}, indent=2) + "\n")
    print(f"written to {args.out}")
    return rows


if __name__ == "__main__":
    main()
