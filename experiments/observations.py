"""The three observations from practice, as paired comparisons on the journey model.

1. Trust is the key material: baseline trust 0.2 against 0.8.
2. Informal networks beat official channels: no informal network against a strong one.
3. Snowballs win (whoever turns up are the right people): with a strong network, taking
   the first contact found (search breadth 1) against choosing among 20 candidates.

Each comparison runs both settings with the same seeds (common random numbers) and
reports, per measure, the paired difference (B minus A) with its 95% interval
(``sim.analysis.paired.paired_difference``). A direction is claimed only where the
interval excludes zero; otherwise the table says "no clear difference".

Writes ``results/observations.json`` (every figure) and ``results/observations.md``, the
table that README.md quotes in "The model" (the three-observations table): rerun this
script and paste the file over that table after the model changes.

Usage::

    .venv/bin/python experiments/observations.py [--seeds 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from sim.analysis.paired import PairedDifference, paired_difference
from sim.runs import evaluate

ROOT = Path(__file__).resolve().parents[1]
MEASURES = {
    "value_creation_share": "value-creation share",
    "value_created": "value created",
    "failed_share": "failed share",
    "graceful_exit_share": "graceful-exit share",
    "weeks_exploring": "weeks exploring",
    "mean_trust": "mean trust",
}
COMPARISONS = {
    "trust is the key material": (
        "`trust` 0.2 → 0.8",
        {"trust": 0.2},
        {"trust": 0.8},
    ),
    "informal networks beat official channels": (
        "no informal network → `network_strength` 0.9",
        {"network_strength": 0.0, "network_structure": "none"},
        {"network_strength": 0.9},
    ),
    "snowballs win (whoever turns up are the right people)": (
        "strong network, choose among 20 candidates → take the first contact (`search_breadth` 1)",
        {"network_strength": 0.8, "search_breadth": 20},
        {"network_strength": 0.8, "search_breadth": 1},
    ),
}


def _run(job: tuple[dict, int, tuple[str, ...]]) -> dict[str, float]:
    params, seed, measures = job
    found = evaluate(params, seed)
    return {m: float(found[m]) for m in measures}


def run_arm(
    pool: ProcessPoolExecutor, params: dict, seeds: range, measures: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """One arm of a paired comparison: ``measures`` of a run per seed, in seed order."""
    runs = list(pool.map(_run, [(params, s, measures) for s in seeds], chunksize=8))
    return {m: np.array([r[m] for r in runs]) for m in measures}


def paired_args(description: str, default_seeds: int) -> argparse.Namespace:
    """``--seeds`` (paired seeds, at least 100) and ``--workers``, as every comparison takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--seeds", type=int, default=default_seeds, help="paired seeds (at least 100)"
    )
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.seeds < 100:
        parser.error("--seeds: use at least 100 pairs; fewer cannot support the claims")
    return args


def difference_cell(diff: PairedDifference, digits: int = 3) -> str:
    """Means A → B and the paired difference B − A with its 95% CI (or why there is none)."""
    if diff.verdict == "too few pairs":
        return f"{diff.mean_a:.2f} → {diff.mean_b:.2f} (too few pairs to conclude)"
    verdict = diff.verdict if diff.verdict != "no clear difference" else "too small to conclude"
    return (
        f"{diff.mean_a:.2f} → {diff.mean_b:.2f} ({diff.difference:+.{digits}f}, 95% CI "
        f"{diff.low:+.{digits}f} to {diff.high:+.{digits}f}; {verdict})"
    )


def write_results(name: str, seeds: int, wall: float, payload: dict, table: str) -> None:
    """``results/NAME.json`` (the command, date and wall time with ``payload``) and ``NAME.md``."""
    out = {
        "command": f"python experiments/{name}.py --seeds {seeds}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_s": round(wall, 1),
        **payload,
    }
    folder = ROOT / "results"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(out, indent=2))
    (folder / f"{name}.md").write_text(table)
    print(f"wrote results/{name}.json and results/{name}.md ({wall:.0f} s)")


def _cell(measure: str, diff: PairedDifference) -> str:
    digits = 1 if measure in ("value_created", "weeks_exploring") else 2
    head = f"{MEASURES[measure]} {diff.mean_a:.{digits}f} → {diff.mean_b:.{digits}f}"
    if diff.verdict == "too few pairs":
        return f"{head} (too few pairs to conclude)"
    return (
        f"{head} ({diff.verdict}: {diff.difference:+.{digits}f}, 95% CI "
        f"{diff.low:+.{digits}f} to {diff.high:+.{digits}f})"
    )


VERDICTS = {
    "higher": "holds: value creation is higher",
    "lower": "does **not** hold: value creation is lower",
    "no clear difference": "cannot be told apart from chance",
    "too few pairs": "too few pairs to conclude",
}


def markdown(results: dict, seeds: int) -> str:
    """The README table: one row per observation, paired differences with intervals."""
    lines = [
        "| observation | setting compared (A → B) | in the model | what the model gives "
        f"(means of A → B, paired difference B − A over {seeds} seeds with its 95% CI) |",
        "|---|---|---|---|",
    ]
    for name, entry in results.items():
        differences = {m: PairedDifference(**d) for m, d in entry["differences"].items()}
        cells = [_cell(m, d) for m, d in differences.items() if m != "mean_trust"]
        verdict = VERDICTS[differences["value_creation_share"].verdict]
        lines.append(f"| {name} | {entry['setting']} | {verdict} | {'; '.join(cells)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    args = paired_args(__doc__.splitlines()[0], 200)
    seeds = range(args.seeds)
    start = time.perf_counter()
    results = {}
    with ProcessPoolExecutor(args.workers) as pool:
        for name, (setting, a, b) in COMPARISONS.items():
            arm_a, arm_b = (run_arm(pool, arm, seeds, tuple(MEASURES)) for arm in (a, b))
            differences = {m: asdict(paired_difference(arm_a[m], arm_b[m])) for m in MEASURES}
            results[name] = {"setting": setting, "a": a, "b": b, "differences": differences}
            print(name)
            for m, d in differences.items():
                print(f"  {_cell(m, PairedDifference(**d))}; n = {d['n']}, dropped {d['dropped']}")
    wall = time.perf_counter() - start
    table = markdown(results, args.seeds)
    write_results("observations", args.seeds, wall, {"comparisons": results}, table)


if __name__ == "__main__":
    main()
