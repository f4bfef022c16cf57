"""How large does a parameter that does nothing look? Sobol' ST with and without the noise.

On the journey model ``coalition_size`` does nothing while ``coalition_share`` is 0: a
run with the same seed is the same whatever the size. This script runs the sweep
``scenarios/sweeps/do-nothing.yaml`` (trust, self-interest, urgency and coalition_size;
Saltelli design, 2 replicates) and gives, per outcome, the total-order index of
coalition_size with its 95% interval

1. as the analysis reports it: the indices of the mean response, with each point's
   replicate noise removed from the estimators (``sim.analysis.sobol``);
2. on the same replicate means with nothing removed (what a plain Sobol' analysis of
   replicate means gives);
3. on the first replicate alone with nothing removed (one run per point);

beside the index of self-interest, a parameter that matters.

Writes ``results/do_nothing_parameter.json`` and ``results/do_nothing_parameter.md`` (the
figures README.md quotes in "Analysis"). Run it again after the model changes.

Usage::

    .venv/bin/python experiments/do_nothing_parameter.py [--n 256] [--replicates 2] [--fresh]

A stored sweep is resumed, not run again: pass ``--fresh`` after the model changed.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from sim.analysis import load_sweep, outcome_sensitivity
from sim.analysis.data import SweepData, point_response
from sim.analysis.rules import human
from sim.analysis.sobol import Resampling, SobolEstimate, sobol_indices
from sim.io.scenario import load_scenario
from sim.sweeps import sweep_scenario

ROOT = Path(__file__).resolve().parents[1]
SWEEP = ROOT / "scenarios" / "sweeps" / "do-nothing.yaml"
OUT = ROOT / "results" / "sweeps" / "do-nothing"
IDLE, ACTIVE = "coalition_size", "self_interest"


def _sized(n: int | None, replicates: int | None):
    scenario = load_scenario(SWEEP)
    spec = scenario.sweep
    design = spec.design.model_copy(update={"n": n or spec.design.n})
    spec = spec.model_copy(update={"design": design, "replicates": replicates or spec.replicates})
    return scenario.model_copy(update={"sweep": spec})


def _first_replicate_means(data: SweepData, outcome: str) -> np.ndarray:
    """Each point's first replicate (NaN where it has no value), in design order."""
    runs = data.runs[(data.runs["replicate"] == 0) & (data.runs["status"] == "done")]
    values = runs.set_index("point")[outcome].astype(float)
    return values.reindex(np.arange(data.n_points)).to_numpy(dtype=float)


def _entry(found: SobolEstimate, names: list[str]) -> dict[str, dict[str, float]]:
    return {
        name: {"st": float(found.st[i]), "conf": float(found.st_conf[i])}
        for i, name in enumerate(names)
        if name in (IDLE, ACTIVE)
    }


def measure(data: SweepData, outcome: str, seed: int) -> dict:
    """The three estimates of ST for one outcome (see the module docstring)."""
    names = list(data.params)
    d = len(names)
    resampling = Resampling(100, 0.95, seed)
    result = outcome_sensitivity(data, outcome, seed=seed)
    table = result.indices[(result.indices["method"] == "sobol")]
    st = table[table["index"] == "ST"].set_index("parameter")
    removed = {
        name: {
            "st": float(st.loc[name, "value"]),
            "conf": float(st.loc[name, "conf"]),
            "significant": bool(st.loc[name, "significant"]),
        }
        for name in (IDLE, ACTIVE)
    }
    means = point_response(data, outcome).mean
    kept = sobol_indices(means, None, d=d, second_order=data.second_order, resampling=resampling)
    single = sobol_indices(
        _first_replicate_means(data, outcome),
        None,
        d=d,
        second_order=data.second_order,
        resampling=resampling,
    )
    return {
        "noise_share": float(result.noise_share),
        "ranking": result.ranking(),
        "removed": removed,
        "means_noise_kept": _entry(kept, names),
        "one_replicate": _entry(single, names),
    }


def _cell(entry: dict[str, float]) -> str:
    return f"{entry['st']:.2f} ± {entry['conf']:.2f}"


def markdown(results: dict, data: SweepData) -> str:
    """The table README.md quotes."""
    lines = [
        f"| outcome (journey model, {data.n_points:,} points × {data.replicates} replicates) "
        f"| ST of {human(IDLE)} (does nothing): noise removed | replicate means, noise kept "
        f"| one replicate | ST of {human(ACTIVE)}: noise removed |",
        "|---|---|---|---|---|",
    ]
    for outcome, entry in results.items():
        removed = entry["removed"]
        verdict = "significant" if removed[IDLE]["significant"] else "indistinguishable from zero"
        lines.append(
            f"| {human(outcome)} | {_cell(removed[IDLE])} ({verdict}) "
            f"| {_cell(entry['means_noise_kept'][IDLE])} | {_cell(entry['one_replicate'][IDLE])} "
            f"| {_cell(removed[ACTIVE])} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=None, help="base samples (file: 256)")
    parser.add_argument("--replicates", type=int, default=None, help="(file: 2; at least 2)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--fresh", action="store_true", help="run the sweep anew (after the model changed)"
    )
    args = parser.parse_args()
    if args.replicates is not None and args.replicates < 2:
        parser.error("--replicates: at least 2, so that the noise can be removed")
    scenario = _sized(args.n, args.replicates)
    start = time.perf_counter()
    sweep_scenario(scenario, out=OUT, workers=args.workers, fresh=args.fresh, progress=True)
    sweep_s = time.perf_counter() - start
    data = load_sweep(OUT)
    seed = int(data.manifest.get("root_seed", 11))
    results = {outcome: measure(data, outcome, seed) for outcome in data.outcomes}
    for outcome, entry in results.items():
        print(outcome, json.dumps(entry))
    command = "experiments/do_nothing_parameter.py" + "".join(
        f" --{k} {v}" for k, v in (("n", args.n), ("replicates", args.replicates)) if v
    )
    summary = {
        "command": command,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": int((data.runs["status"] == "done").sum()),
        "sweep_wall_s": round(sweep_s, 1),
        "outcomes": results,
    }
    folder = ROOT / "results"
    (folder / "do_nothing_parameter.json").write_text(json.dumps(summary, indent=2))
    (folder / "do_nothing_parameter.md").write_text(markdown(results, data))
    print("wrote results/do_nothing_parameter.json and results/do_nothing_parameter.md")


if __name__ == "__main__":
    main()
