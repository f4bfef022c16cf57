"""What the ecosystem levers do: paired comparisons on the journey model.

Each lever of the ecosystem level (snowballing as momentum, a platform, a convener,
coalitions that set direction, the flywheel of living alliances, shocks) is compared
over paired seeds (common random numbers: the same seeds in both arms) on the
value-creation share, the graceful-exit share and the weeks spent exploring, plus one
measure of its own where it has one (stuck in storming for the convener, the success of
spawned consortia for direction, of what alliances convened for the flywheel). Each
difference is B − A with its 95% interval (``sim.analysis.paired``); a direction is read
only where the interval excludes zero. Writes ``results/ecosystem_levers.json`` and
``results/ecosystem_levers.md`` (the table README.md quotes).

Usage::

    .venv/bin/python experiments/ecosystem_levers.py [--seeds 100] [--workers 2]
"""

from __future__ import annotations

import json
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
CORE = ("value_creation_share", "graceful_exit_share", "weeks_exploring")
OWN = ("stuck_in_storming_share", "spawned_success_share", "convened_success_share")
LABELS = {
    "value_creation_share": "value-creation share",
    "graceful_exit_share": "graceful-exit share",
    "weeks_exploring": "weeks exploring",
    "stuck_in_storming_share": "stuck in storming",
    "spawned_success_share": "success of spawned consortia",
    "convened_success_share": "success of what alliances convened",
}
NO_DIRECTION = {"direction_viability": 0.0, "direction_fit": 0.0, "direction_reasons": 0.0}
# lever: (setting in words, arm A, arm B, its own measure or None)
LEVERS: dict[str, tuple[str, dict, dict, str | None]] = {
    "snowball": ("`snowball` 0 → 0.8", {}, {"snowball": 0.8}, None),
    "snowball vs designed search": (
        "designed search (`search_breadth` 20) → snowball (`snowball` 0.8, `search_breadth` "
        "1), same budget and due diligence per candidate",
        {"search_breadth": 20},
        {"snowball": 0.8, "search_breadth": 1},
        None,
    ),
    "platform": ("`platform` 0 → 0.5", {}, {"platform": 0.5}, None),
    "convener": (
        "`convener` none → agency",
        {},
        {"convener": "agency"},
        "stuck_in_storming_share",
    ),
    "direction": (
        "coalitions' direction off → on (`coalition_share` 0.3)",
        {"coalition_share": 0.3, **NO_DIRECTION},
        {"coalition_share": 0.3},
        "spawned_success_share",
    ),
    "flywheel": ("`flywheel` 0 → 2", {"flywheel": 0.0}, {"flywheel": 2.0}, "value_created"),
    "shocks": ("`shock_rate` 0 → 1 a year", {}, {"shock_rate": 1.0}, None),
}
MEASURES = (*CORE, *OWN, "value_created")
LABELS["value_created"] = "value created"


def markdown(results: dict, seeds: int) -> str:
    """The README table: one row per lever."""
    lines = [
        f"| lever (A → B) | value-creation share (means A → B, paired B − A over {seeds} "
        "seeds, 95% CI) | graceful-exit share (same) | weeks exploring (same) | its own "
        "measure (same) |",
        "|---|---|---|---|---|",
    ]
    for entry in results.values():
        d = {m: PairedDifference(**v) for m, v in entry["differences"].items()}
        own = entry["own"]
        own_cell = f"{LABELS[own]}: {difference_cell(d[own])}" if own else ""
        lines.append(
            f"| {entry['setting']} | {difference_cell(d['value_creation_share'])} | "
            f"{difference_cell(d['graceful_exit_share'])} | "
            f"{difference_cell(d['weeks_exploring'], 2)} | "
            f"{own_cell} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    args = paired_args(__doc__.splitlines()[0], 100)
    seeds = range(args.seeds)
    start = time.perf_counter()
    arms: dict[str, dict[str, np.ndarray]] = {}
    results: dict = {}
    with ProcessPoolExecutor(args.workers) as pool:

        def arm(params: dict) -> dict[str, np.ndarray]:
            key = json.dumps(params, sort_keys=True)
            if key not in arms:  # arms that recur (the defaults) run once
                arms[key] = run_arm(pool, params, seeds, MEASURES)
            return arms[key]

        for name, (setting, a, b, own) in LEVERS.items():
            ra, rb = arm(a), arm(b)
            wanted = (*CORE, own) if own else CORE
            differences = {m: asdict(paired_difference(ra[m], rb[m])) for m in wanted}
            results[name] = {"setting": setting, "a": a, "b": b, "own": own}
            results[name]["differences"] = differences
            print(name, difference_cell(PairedDifference(**differences["value_creation_share"])))
    wall = time.perf_counter() - start
    table = markdown(results, args.seeds)
    print(table)
    write_results("ecosystem_levers", args.seeds, wall, {"levers": results}, table)


if __name__ == "__main__":
    main()
