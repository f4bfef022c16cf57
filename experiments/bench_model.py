"""Speed of one baseline journey run, side by side with Mesa's BoltzmannWealth example.

Both models run 100 agents for 260 steps. Runs alternate (journey, Boltzmann, journey,
...) in one process so that both see the same machine state; each figure is the median
over the repeats. The result goes to ``results/bench_model.json``.

Usage::

    python experiments/bench_model.py --repeats 20
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import mesa
import numpy as np
from mesa.examples import BoltzmannWealth
from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario

from sim.journey.model import JourneyModel

STEPS = 260
N_AGENTS = 100
OUT = Path(__file__).resolve().parents[1] / "results" / "bench_model.json"


def run_journey(seed: int) -> float:
    """Seconds for one baseline journey run (construction included)."""
    t0 = time.perf_counter()
    m = JourneyModel(rng=seed, n_organisations=N_AGENTS, steps=STEPS)
    for _ in range(STEPS):
        m.step()
    return time.perf_counter() - t0


def run_boltzmann(seed: int) -> float:
    """Seconds for one BoltzmannWealth run (construction included)."""
    t0 = time.perf_counter()
    m = BoltzmannWealth(BoltzmannScenario(rng=seed, n=N_AGENTS))
    for _ in range(STEPS):
        m.step()
    return time.perf_counter() - t0


def _numba_version() -> str:
    """Version of numba compiling the model's kernels ("" when they run as plain Python)."""
    try:
        import numba
    except ImportError:
        return ""
    return numba.__version__


def machine() -> dict[str, object]:
    """Versions and machine facts that the timings depend on."""
    return {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "numba": _numba_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Time both models and write the summary."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=20, help="timed runs of each model")
    ap.add_argument("--warmup", type=int, default=2, help="untimed runs of each model first")
    ap.add_argument("--out", type=Path, default=OUT, help="where to write the JSON summary")
    args = ap.parse_args(argv)

    for s in range(args.warmup):
        run_journey(10_000 + s)
        run_boltzmann(10_000 + s)
    journey, boltzmann = [], []
    for s in range(args.repeats):
        journey.append(run_journey(s))
        boltzmann.append(run_boltzmann(s))

    j_ms = 1e3 * statistics.median(journey)
    b_ms = 1e3 * statistics.median(boltzmann)
    agent_ticks = N_AGENTS * STEPS
    summary: dict[str, object] = {
        "repeats": args.repeats,
        "agents": N_AGENTS,
        "steps": STEPS,
        "journey_median_ms": round(j_ms, 3),
        "journey_min_ms": round(1e3 * min(journey), 3),
        "journey_us_per_agent_tick": round(1e3 * j_ms / agent_ticks, 4),
        "boltzmann_median_ms": round(b_ms, 3),
        "boltzmann_min_ms": round(1e3 * min(boltzmann), 3),
        "boltzmann_us_per_agent_tick": round(1e3 * b_ms / agent_ticks, 4),
        "journey_over_boltzmann": round(j_ms / b_ms, 3),
        "machine": machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(
        f"journey     median {j_ms:8.1f} ms  ({summary['journey_us_per_agent_tick']} µs per "
        f"organisation-tick)\n"
        f"boltzmann   median {b_ms:8.1f} ms  ({summary['boltzmann_us_per_agent_tick']} µs per "
        f"agent-tick)\n"
        f"ratio journey / boltzmann: {summary['journey_over_boltzmann']}\n"
        f"written to {args.out}"
    )
    return summary


if __name__ == "__main__":
    main()
