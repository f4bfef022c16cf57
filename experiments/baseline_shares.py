"""The baseline's outcomes over many seeds: the figures the README's model section quotes.

Runs ``scenarios/baseline.yaml`` (or ``--scenario``) at seeds 0..N-1 (two worker
processes) and reports, for
each measure, its mean over the seeds with a 95% interval (Student t): outcome shares
(shares of started initiatives that ended), the share stuck in storming, the share
still under way at the end, the giant component, the value measures and the pattern
measures that calibration targets. Writes ``results/baseline_shares.json`` (or ``--out``).

Usage::

    .venv/bin/python experiments/baseline_shares.py --seeds 100
    .venv/bin/python experiments/baseline_shares.py --seeds 100 \
        --scenario scenarios/calibrated.yaml --out results/calibrated_shares.json
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from scipy import stats

from sim.runs import run

ROOT = Path(__file__).resolve().parents[1]
MEASURES = (
    "achieved_share", "evolved_share", "graceful_exit_share", "drifted_apart_share",
    "stalled_share", "failed_share", "value_creation_share", "stuck_in_storming_share",
    "unfinished_share", "lapsed_share", "giant_component_share", "value_created",
    "value_delivered", "learning_value", "relational_value", "mean_trust",
    "alliance_success_share", "alliance_failure_share", "alliance_between_share",
    "mean_consortium_size", "never_repeat_share",
)  # fmt: skip


def measures_at(task: tuple[Path, int]) -> dict[str, float]:
    """A scenario's measures at one seed (NaN for a measure this model lacks)."""
    scenario, seed = task
    found = run(scenario, seed=seed).measures
    return {k: float(found.get(k, math.nan)) for k in MEASURES}


def summarise(rows: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Mean and 95% interval of each measure over the seeds (NaNs left out)."""
    out = {}
    for k in MEASURES:
        xs = [r[k] for r in rows if not math.isnan(r[k])]
        if len(xs) < 2:
            continue
        mean = statistics.fmean(xs)
        half = stats.t.ppf(0.975, len(xs) - 1) * statistics.stdev(xs) / math.sqrt(len(xs))
        out[k] = {"mean": mean, "low": mean - half, "high": mean + half, "n": len(xs)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.yaml")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "baseline_shares.json")
    args = parser.parse_args()
    start = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(measures_at, [(args.scenario, s) for s in range(args.seeds)]))
    summary = summarise(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {"scenario": str(args.scenario), "seeds": args.seeds, "measures": summary}, indent=2
        )
    )
    for k, v in summary.items():
        print(f"{k:26s} {v['mean']:8.3f}  [{v['low']:.3f}, {v['high']:.3f}]")
    print(f"wrote {args.out} ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
