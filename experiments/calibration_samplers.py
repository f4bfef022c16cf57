"""Which search method should `consim calibrate` use? A measured comparison on this model.

Each method gets the same budget on the journey model (the baseline scenario, the fitted
targets and searched bounds of targets/published.yaml): ``--candidates`` candidates of
``--replicates`` seeds each, proposed ``--batch`` at a time (as the calibration runs
them). The candidate a method finds best is then re-run on ``--check`` fresh seeds, the
same seeds for every method (common random numbers), and scored by the calibration's own
objective (mean squared miss of the replicate means, in tolerances) with a bootstrap 95%
interval. Each method is tried with ``--seeds`` sampler seeds.

    .venv/bin/python experiments/calibration_samplers.py  # -> results/calibration_samplers.json

Methods: optuna's TPE (multivariate, constant liar for batches), CMA-ES, random search
and scrambled Sobol' (QMC), and scipy's differential evolution (a small population so
that it fits the budget).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from sim.analysis.calibration import Goal, bootstrap_objectives, interval, objective
from sim.io.scenario import load_scenario
from sim.io.targets import load_targets
from sim.runs import evaluate

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "calibration_samplers.json"


def _run(task: tuple[dict, int, tuple[str, ...]]) -> list[float]:
    params, seed, names = task
    measures = evaluate(params, seed)
    return [measures[n] for n in names]


class Budget:
    """Evaluates candidates over seeds in a process pool, counting what is spent."""

    def __init__(self, pool: ProcessPoolExecutor, base: dict, goals: list[Goal], key: int):
        self.pool, self.base, self.goals, self.key = pool, base, goals, key
        self.names = tuple(g.measure for g in goals)
        self.candidates = 0
        self.history: list[tuple[dict, float]] = []

    def values(self, settings: list[dict], replicates: int, seeds: list[list[int]]) -> list:
        tasks = [
            ({**self.base, **s}, seed, self.names)
            for s, row in zip(settings, seeds, strict=True)
            for seed in row[:replicates]
        ]
        flat = list(self.pool.map(_run, tasks))
        return [np.array(flat[i * replicates : (i + 1) * replicates]) for i in range(len(settings))]

    def score(self, settings: list[dict], replicates: int) -> list[float]:
        seeds = [
            [
                int(np.random.SeedSequence([self.key, self.candidates + i, r]).generate_state(1)[0])
                for r in range(replicates)
            ]
            for i in range(len(settings))
        ]
        self.candidates += len(settings)
        scores = [objective(v, self.goals) for v in self.values(settings, replicates, seeds)]
        self.history += list(zip(settings, scores, strict=True))
        return scores

    def best(self) -> dict:
        finite = [(s, v) for s, v in self.history if np.isfinite(v)]
        return min(finite, key=lambda item: item[1])[0]


def _optuna(kind: str) -> Callable:
    def search(budget: Budget, vary: dict, args: argparse.Namespace, seed: int) -> None:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
        samplers = {
            "tpe": lambda: optuna.samplers.TPESampler(
                seed=seed, multivariate=True, constant_liar=True
            ),
            "cmaes": lambda: optuna.samplers.CmaEsSampler(seed=seed),
            "random": lambda: optuna.samplers.RandomSampler(seed=seed),
            "qmc": lambda: optuna.samplers.QMCSampler(seed=seed, scramble=True),
        }
        study = optuna.create_study(direction="minimize", sampler=samplers[kind]())
        dists = {
            name: optuna.distributions.FloatDistribution(float(lo), float(hi))
            for name, (lo, hi) in vary.items()
        }
        while budget.candidates < args.candidates:
            n = min(args.batch, args.candidates - budget.candidates)
            trials = [study.ask(dists) for _ in range(n)]
            scores = budget.score([t.params for t in trials], args.replicates)
            for trial, value in zip(trials, scores, strict=True):
                if np.isfinite(value):
                    study.tell(trial, value)
                else:
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)

    return search


def _evolution(budget: Budget, vary: dict, args: argparse.Namespace, seed: int) -> None:
    from scipy.optimize import differential_evolution

    names = list(vary)
    d = len(names)
    bounds = [tuple(map(float, vary[n])) for n in names]
    generations = max(1, args.candidates // d - 1)  # population d (popsize 1), one initial

    def batch_map(fn: Callable, xs: list) -> list:
        settings = [dict(zip(names, map(float, x), strict=True)) for x in xs]
        room = args.candidates - budget.candidates
        if room <= 0:
            return [np.inf] * len(xs)
        scores = budget.score(settings[:room], args.replicates)
        scores += [np.inf] * (len(xs) - room)
        return [s if np.isfinite(s) else 1e6 for s in scores]

    differential_evolution(
        lambda x: 0.0,
        bounds,
        popsize=1,
        maxiter=generations,
        init="latinhypercube",
        polish=False,
        updating="deferred",
        workers=batch_map,
        seed=seed,
        tol=0,
    )


METHODS: dict[str, Callable] = {
    "optuna-tpe": _optuna("tpe"),
    "optuna-cmaes": _optuna("cmaes"),
    "optuna-random": _optuna("random"),
    "optuna-qmc": _optuna("qmc"),
    "scipy-differential-evolution": _evolution,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=48)
    parser.add_argument("--replicates", type=int, default=4)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--check", type=int, default=32)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--methods", nargs="*", default=list(METHODS))
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    targets = load_targets(ROOT / "targets" / "published.yaml", scenario)
    goals = [Goal(n, t.low, t.high, t.tolerance) for n, t in targets.fitted.items()]
    base = {**scenario.params().model_dump(), **scenario.assumptions}
    check_seeds = [10_000_000 + r for r in range(args.check)]
    rows = []
    with ProcessPoolExecutor(args.workers) as pool:
        for m, method in enumerate(args.methods):
            for seed in range(args.seeds):
                budget = Budget(pool, base, goals, key=1000 * m + seed)
                start = time.perf_counter()
                METHODS[method](budget, dict(targets.vary), args, seed)
                best = budget.best()
                values = budget.values([best], args.check, [check_seeds])[0]
                samples = bootstrap_objectives(values, goals, np.random.default_rng(seed))
                low, high = interval(samples)
                found = min(v for _, v in budget.history if np.isfinite(v))
                row = {
                    "method": method,
                    "sampler_seed": seed,
                    "candidates": budget.candidates,
                    "runs": budget.candidates * args.replicates + args.check,
                    "best_seen": found,
                    "checked_objective": objective(values, goals),
                    "checked_ci": [low, high],
                    "checked_means": dict(
                        zip(
                            [g.measure for g in goals],
                            np.nanmean(values, axis=0).tolist(),
                            strict=True,
                        )
                    ),
                    "best_settings": best,
                    "seconds": time.perf_counter() - start,
                }
                rows.append(row)
                print(
                    f"{method} seed {seed}: best seen {found:.3f}, checked on {args.check} "
                    f"fresh seeds {row['checked_objective']:.3f} [{low:.3f}, {high:.3f}]",
                    flush=True,
                )
    summary = {}
    for method in args.methods:
        mine = [r["checked_objective"] for r in rows if r["method"] == method]
        summary[method] = {"median_checked_objective": float(np.median(mine)), "each": mine}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "command": "python experiments/calibration_samplers.py",
                "settings": {k: v for k, v in vars(args).items() if k != "out"},
                "targets": [g.__dict__ for g in goals],
                "vary": {k: list(v) for k, v in targets.vary.items()},
                "summary": summary,
                "runs": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
