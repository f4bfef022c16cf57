"""Benchmark the sweep runner against Mesa's batch_run and against ideal parallel time.

Same model, same full-factorial design and replicates, same number of worker processes:

* throughput ratio: runs/s of the sweep runner divided by runs/s of ``mesa.batch_run``
  (only for Mesa Model classes);
* overhead ratio: the sweep's wall time divided by the summed single-run time over the
  workers (1.0 would be perfect parallel use, start-up included).

Usage::

    python experiments/bench_sweep.py                       # Boltzmann wealth, 2,000 runs
    python experiments/bench_sweep.py --model sim.runs:evaluate \\
        --params '{"some_parameter": {"uniform": [0, 1]}}' --levels 100

Writes ``results/bench_sweep.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import mesa
from loky import get_reusable_executor
from mesa import DataCollector
from mesa.examples import BoltzmannWealth
from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario

from sim.engine import SweepSpec, run_seed, run_sweep
from sim.engine.evaluators import is_mesa_model, resolve

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PARAMS = {"n": {"integers": [20, 110]}, "width": {"integers": [5, 14]}}


class Boltzmann(BoltzmannWealth):
    """Mesa's Boltzmann wealth model taking plain keyword arguments.

    Only the model-level reporter (Gini) is kept, so both runners collect the same data.
    """

    def __init__(self, n: int = 100, width: int = 10, height: int = 10, rng=None) -> None:
        super().__init__(scenario=BoltzmannScenario(n=n, width=width, height=height, rng=rng))
        self.datacollector = DataCollector(model_reporters={"Gini": "gini"})
        self.datacollector.collect(self)


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="bench_sweep:Boltzmann", help="module:object")
    parser.add_argument("--params", default=json.dumps(DEFAULT_PARAMS), help="JSON parameters")
    parser.add_argument("--base-params", default="{}", help="JSON fixed parameters")
    parser.add_argument("--levels", type=int, default=10, help="grid levels per parameter")
    parser.add_argument("--replicates", type=int, default=20)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=1, help="timings to take (best kept)")
    parser.add_argument("--skip-batch-run", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench_sweep.json")
    return parser.parse_args()


def _time_sweep(spec: SweepSpec, args: argparse.Namespace, base_params: dict, steps) -> tuple:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        frame = run_sweep(
            spec,
            model=args.model,
            base_params=base_params,
            steps=steps,
            name="bench",
            scenario={"benchmark": "bench_sweep"},
            out_dir=Path(tmp) / "sweep",
            workers=args.workers,
            backend="local",
            progress=False,
        )
        wall = time.perf_counter() - start
    # start every timing with fresh worker processes, as batch_run does
    get_reusable_executor(max_workers=args.workers).shutdown(wait=True, kill_workers=True)
    return wall, float(frame.elapsed_s.sum()), frame


def _time_batch_run(model, args: argparse.Namespace, parameters: dict, runs: int) -> float:
    seeds = [run_seed(args.seed, 0, r) for r in range(args.replicates)]
    start = time.perf_counter()
    data = mesa.batch_run(
        model,
        parameters=parameters,
        number_processes=args.workers,
        max_steps=args.steps,
        data_collection_period=-1,
        display_progress=False,
        rng=seeds,
    )
    wall = time.perf_counter() - start
    assert len(data) == runs, (len(data), runs)
    return wall


def main() -> None:
    args = _args()
    spec = SweepSpec.model_validate(
        {
            "parameters": json.loads(args.params),
            "design": {"method": "grid", "n": args.levels},
            "replicates": args.replicates,
            "seed": args.seed,
        }
    )
    base_params = json.loads(args.base_params)
    model = resolve(args.model)
    mesa_model = is_mesa_model(model)
    steps = args.steps if mesa_model else None
    compare = mesa_model and not args.skip_batch_run

    sweeps, batch_walls = [], []
    for _ in range(args.repeat):  # interleaved, so both see the same machine load
        sweeps.append(_time_sweep(spec, args, base_params, steps))
        if compare:
            frame = sweeps[-1][2]
            levels = {name: sorted(frame[name].unique().tolist()) for name in spec.parameters}
            assert len(list(itertools.product(*levels.values()))) * args.replicates == len(frame)
            batch_walls.append(_time_batch_run(model, args, {**base_params, **levels}, len(frame)))
    sweep_wall, summed, frame = min(sweeps, key=lambda t: t[0])
    runs = len(frame)
    result: dict = {
        "model": args.model,
        "runs": runs,
        "design": f"grid, {args.levels} levels per parameter, {args.replicates} replicates",
        "parameters": json.loads(args.params),
        "steps": steps,
        "workers": args.workers,
        "repeats": args.repeat,
        "notes": (
            "wall times include starting the worker processes (cold start for both "
            "runners); best of the repeats; both collect only the model-level Gini"
        ),
        "sweep": {
            "wall_s": round(sweep_wall, 3),
            "runs_per_s": round(runs / sweep_wall, 2),
            "summed_run_s": round(summed, 3),
            "mean_run_ms": round(1000 * summed / runs, 3),
            "ideal_wall_s": round(summed / args.workers, 3),
            "overhead_ratio": round(sweep_wall / (summed / args.workers), 3),
            "failed": int((frame.status != "done").sum()),
            "all_repeats": [
                {"wall_s": round(w, 3), "overhead_ratio": round(w / (s / args.workers), 3)}
                for w, s, _ in sweeps
            ],
        },
    }
    if compare:
        batch_wall = min(batch_walls)
        result["batch_run"] = {
            "wall_s": round(batch_wall, 3),
            "runs_per_s": round(runs / batch_wall, 2),
            "all_repeats_wall_s": [round(w, 3) for w in batch_walls],
        }
        result["throughput_ratio_sweep_vs_batch_run"] = round(batch_wall / sweep_wall, 3)

    result["environment"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "mesa": metadata.version("mesa"),
        "loky": metadata.version("loky"),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
