"""Which levers move "stuck in storming": paired comparisons on the journey model.

The source says many teams stay stuck in storming, for reasons that trust, governance
and time can change. This script measures, over paired seeds (common random numbers),
how the share of journeying teams that ended stuck in storming
(``stuck_in_storming_share``) and the value-creation share answer to:

- baseline trust, as a curve over 0.1 to 0.9 and as the paired difference 0.3 → 0.8;
- governance overhead (``governance_overhead`` 0.1 → 0.9);
- network strength (no informal network → ``network_strength`` 0.9);
- sanctioning (``sanctioning`` 0 → 0.6);
- free riders with and without sanctioning: the paired effect of ``free_rider_share``
  0 → 0.35 when partners cannot sanction, when they can, and the difference of the two
  effects (per seed), which says whether sanctioning shrinks the free riders' effect.

Each difference is B − A with its 95% interval (``sim.analysis.paired``); a direction is
read only where the interval excludes zero. Writes ``results/storming_levers.json`` and
``results/storming_levers.md`` (the table README.md quotes).

Usage::

    .venv/bin/python experiments/storming_levers.py [--seeds 100] [--workers 2]
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

import numpy as np
from observations import (  # the same paired arms as the observations
    difference_cell,
    paired_args,
    run_arm,
    write_results,
)

from sim.analysis.paired import PairedDifference, paired_difference

ROOT = Path(__file__).resolve().parents[1]
MEASURES = ("stuck_in_storming_share", "value_creation_share")
TRUST_CURVE = (0.1, 0.3, 0.5, 0.7, 0.9)
LEVERS = {
    "trust": ("`trust` 0.3 → 0.8", {"trust": 0.3}, {"trust": 0.8}),
    "governance": (
        "`governance_overhead` 0.1 → 0.9",
        {"governance_overhead": 0.1},
        {"governance_overhead": 0.9},
    ),
    "network": (
        "no informal network → `network_strength` 0.9",
        {"network_strength": 0.0, "network_structure": "none"},
        {"network_strength": 0.9},
    ),
    "sanctioning": ("`sanctioning` 0 → 0.6", {"sanctioning": 0.0}, {"sanctioning": 0.6}),
    "free riders, no sanctioning": (
        "`free_rider_share` 0 → 0.35 at `sanctioning` 0",
        {"free_rider_share": 0.0, "sanctioning": 0.0},
        {"free_rider_share": 0.35, "sanctioning": 0.0},
    ),
    "free riders, sanctioning": (
        "`free_rider_share` 0 → 0.35 at `sanctioning` 0.6",
        {"free_rider_share": 0.0, "sanctioning": 0.6},
        {"free_rider_share": 0.35, "sanctioning": 0.6},
    ),
}


def _arm(pool: ProcessPoolExecutor, params: dict, seeds: range) -> dict[str, np.ndarray]:
    return run_arm(pool, params, seeds, MEASURES)


def markdown(results: dict, seeds: int) -> str:
    """The README table: one row per lever, then the trust curve."""
    lines = [
        f"| lever (A → B) | stuck in storming (share of teams that journeyed; means A → B, "
        f"paired B − A over {seeds} seeds, 95% CI) | value-creation share (same) |",
        "|---|---|---|",
    ]
    for entry in results["levers"].values():
        d = {m: PairedDifference(**v) for m, v in entry["differences"].items()}
        lines.append(
            f"| {entry['setting']} | {difference_cell(d['stuck_in_storming_share'])} | "
            f"{difference_cell(d['value_creation_share'])} |"
        )
    dd = PairedDifference(**results["sanctioning shrinks the free riders' effect"])
    lines.append(
        "| free riders' effect on stuck, with sanctioning minus without (per seed) | "
        f"{dd.difference:+.3f} (95% CI {dd.low:+.3f} to {dd.high:+.3f}; {dd.verdict}) | |"
    )
    curve = ", ".join(
        f"{t} → {v['mean']:.2f} (±{v['half_width']:.2f})" for t, v in results["trust_curve"].items()
    )
    lines += ["", f"Stuck in storming against baseline trust (mean ± 95% half-width): {curve}."]
    return "\n".join(lines) + "\n"


def _mean_interval(values: np.ndarray) -> dict[str, float]:
    kept = values[np.isfinite(values)]
    half = 1.96 * kept.std(ddof=1) / np.sqrt(kept.size) if kept.size > 1 else float("nan")
    return {"mean": float(kept.mean()), "half_width": float(half), "n": int(kept.size)}


def main() -> None:
    args = paired_args(__doc__.splitlines()[0], 100)
    seeds = range(args.seeds)
    start = time.perf_counter()
    results: dict = {"levers": {}}
    arms = {}
    with ProcessPoolExecutor(args.workers) as pool:
        for name, (setting, a, b) in LEVERS.items():
            arms[name] = (_arm(pool, a, seeds), _arm(pool, b, seeds))
            differences = {
                m: asdict(paired_difference(arms[name][0][m], arms[name][1][m])) for m in MEASURES
            }
            results["levers"][name] = {
                "setting": setting,
                "a": a,
                "b": b,
                "differences": differences,
            }
            print(name, difference_cell(PairedDifference(**differences["stuck_in_storming_share"])))
        curve = {t: _arm(pool, {"trust": t}, seeds)["stuck_in_storming_share"] for t in TRUST_CURVE}
    stuck = "stuck_in_storming_share"
    (a0, b0), (a1, b1) = arms["free riders, no sanctioning"], arms["free riders, sanctioning"]
    results["sanctioning shrinks the free riders' effect"] = asdict(
        paired_difference(b0[stuck] - a0[stuck], b1[stuck] - a1[stuck])
    )
    results["trust_curve"] = {str(t): _mean_interval(v) for t, v in curve.items()}
    wall = time.perf_counter() - start
    table = markdown(results, args.seeds)
    print(table)
    write_results("storming_levers", args.seeds, wall, results, table)


if __name__ == "__main__":
    main()
