"""Which conditions lead to value creation, and which to a graceful exit?

Runs the core Sobol sweep (scenarios/sweeps/core-sobol.yaml) at a size a laptop
finishes well inside an hour, analyses it, and writes:

- results/sweeps/conditions-for-value/ (the sweep store, report.html, analysis/)
- results/conditions_for_value.json (timing, counts and the headline rules)

Usage::

    .venv/bin/python experiments/conditions_for_value.py            # 3,072 points x 2 replicates
    .venv/bin/python experiments/conditions_for_value.py --n 64     # a quarter of that

Run it again after an interruption: the sweep resumes where it stopped.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path

from sim.analysis import analyse
from sim.io.records import package_versions
from sim.io.scenario import load_scenario
from sim.report.sweep_report import write_sweep_report
from sim.sweeps import sweep_scenario

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n", type=int, default=None, help="Sobol base samples (default: the file's 256)"
    )
    parser.add_argument("--replicates", type=int, default=None, help="default: the file's 2")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "results" / "sweeps" / "conditions-for-value"
    )
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()

    scenario = load_scenario(ROOT / "scenarios" / "sweeps" / "core-sobol.yaml")
    n = args.n or scenario.sweep.design.n
    replicates = args.replicates or scenario.sweep.replicates
    spec = scenario.sweep.model_copy(
        update={
            "design": scenario.sweep.design.model_copy(update={"n": n}),
            "replicates": replicates,
        }
    )
    scenario = scenario.model_copy(update={"sweep": spec, "name": "conditions-for-value"})

    start = time.perf_counter()
    runs = sweep_scenario(
        scenario, out_dir=args.out, workers=args.workers, fresh=args.fresh, progress=True
    )
    sweep_s = time.perf_counter() - start

    start = time.perf_counter()
    analysis = analyse(args.out)
    report = write_sweep_report(args.out, analysis)
    analysis_s = time.perf_counter() - start

    rules_file = args.out / "analysis" / "rules.json"
    rules = json.loads(rules_file.read_text()) if rules_file.is_file() else []
    rules = rules if isinstance(rules, list) else rules.get("rules", [])
    summary = {
        "command": f"python experiments/conditions_for_value.py --n {n} --replicates {replicates}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": len(runs),
        "status": runs["status"].value_counts().to_dict(),
        "sweep_wall_s": round(sweep_s, 1),
        "analysis_wall_s": round(analysis_s, 1),
        "report": str(report.relative_to(ROOT)) if report.is_relative_to(ROOT) else str(report),
        "rules": [r.get("text", r) if isinstance(r, dict) else r for r in rules],
        "versions": package_versions(),
    }
    target = ROOT / "results" / "conditions_for_value.json"
    target.write_text(json.dumps(summary, indent=2))
    print(
        json.dumps({k: summary[k] for k in ("runs", "status", "sweep_wall_s", "analysis_wall_s")})
    )
    for rule in summary["rules"]:
        print("-", rule)


if __name__ == "__main__":
    main()
