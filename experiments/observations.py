"""The three observations from practice, as paired comparisons on the journey model.

1. Trust is the key material: baseline trust 0.2 against 0.8.
2. Informal networks beat official channels: no informal network against a strong one.
3. Snowballs win (whoever turns up are the right people): with a strong network, taking
   the first contact found (search breadth 1) against choosing among 20 candidates.

Each comparison runs both settings with the same seeds (common random numbers) and
writes the means of the main run measures to results/observations.json.

Usage::

    .venv/bin/python experiments/observations.py [--seeds 32]
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from sim.runs import evaluate

ROOT = Path(__file__).resolve().parents[1]
MEASURES = (
    "value_creation_share",
    "failed_share",
    "graceful_exit_share",
    "value_created",
    "weeks_exploring",
    "mean_trust",
)
COMPARISONS = {
    "trust is the key material": ({"trust": 0.2}, {"trust": 0.8}),
    "informal networks beat official channels": (
        {"network_strength": 0.0, "network_structure": "none"},
        {"network_strength": 0.9},
    ),
    "snowballs win": (
        {"network_strength": 0.8, "search_breadth": 20},
        {"network_strength": 0.8, "search_breadth": 1},
    ),
}


def summarise(params: dict, seeds: range) -> dict[str, float]:
    runs = [evaluate(params, seed) for seed in seeds]
    return {m: round(float(np.nanmean([r[m] for r in runs])), 4) for m in MEASURES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=32)
    args = parser.parse_args()
    seeds = range(args.seeds)
    out = {
        "command": f"python experiments/observations.py --seeds {args.seeds}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "comparisons": {},
    }
    for name, (a, b) in COMPARISONS.items():
        out["comparisons"][name] = {
            "without": {"params": a, **summarise(a, seeds)},
            "with": {"params": b, **summarise(b, seeds)},
        }
        print(name, json.dumps(out["comparisons"][name]))
    (ROOT / "results" / "observations.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
