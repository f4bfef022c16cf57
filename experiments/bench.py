"""The scale benchmark: model speed and scaling, sweeps of cheap runs, a million runs, Dask.

Prints one table of the five targets (the figure measured, the goal, met or not) with the
machine it ran on, and writes every figure to ``results/bench.json``. Figures compared
with each other are measured side by side in the same run (the machine may be shared):
runs of the two things compared alternate, and each figure is the median of its repeats.

1. A baseline journey run (100 organisations, 260 weeks) against Mesa's BoltzmannWealth
   (100 agents, 260 steps), as in ``bench_model.py``.
2. Cost per organisation-week over 100 / 1,000 / 10,000 / 100,000 organisations, each
   run in a process of its own with a time and memory limit (``bench_scale.one_run``,
   peak RSS reported), three runs of each size up to 10,000 (the median kept) and one of
   100,000; a size above the model's ``n_organisations`` limit is reported as not
   allowed.
3. 20,000 runs of a 1 ms plain-callable model on 2 workers, against ``mesa.batch_run`` on
   the same model written with Mesa agents (``cheap_mesa_model``) and the same design,
   and against the physical limit (summed single-run time / workers).
4. A million runs of a microsecond model: peak RSS against a 10,000-run sweep of the same
   design, part files left, and the time to resume the finished sweep.
5. The journey model on a 2-worker Dask LocalCluster against the same runs in one
   process (parallel efficiency), and its table against the local runner's.

Usage::

    python experiments/bench.py                 # everything (about 7 minutes, idle 2 cores)
    python experiments/bench.py --quick         # a short smoke version (about 2 minutes)
    python experiments/bench.py --targets 3 4   # some targets only
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = ROOT / "results" / "bench.json"
MEMORY_LIMIT_BYTES = 12 * 2**30  # a child process's address space (target 2 asks <= 8 GB)
WORKERS = 2


@dataclass(frozen=True)
class Plan:
    """How much to measure: the full benchmark or its quick smoke version."""

    repeats: int  # timed repeats of each side of a comparison
    sizes: tuple[tuple[int, int, float], ...]  # (organisations, weeks, time limit s)
    size_repeats: int  # runs of each size up to 10,000 organisations (median kept)
    cheap_replicates: int  # target 3: replicates of 20 design points
    million_replicates: int  # target 4: replicates of 1,000 design points
    small_replicates: int  # target 4: the comparison sweep
    dask_runs: int  # target 5: journey runs


FULL = Plan(
    repeats=20,
    sizes=((100, 260, 120), (1_000, 260, 300), (10_000, 260, 300), (100_000, 52, 600)),
    size_repeats=3,
    cheap_replicates=1_000,
    million_replicates=1_000,
    small_replicates=10,
    dask_runs=1_000,
)
QUICK = Plan(
    repeats=3,
    sizes=((100, 52, 60), (1_000, 52, 60), (10_000, 52, 30), (100_000, 52, 30)),
    size_repeats=1,
    cheap_replicates=50,
    million_replicates=50,
    small_replicates=10,
    dask_runs=60,
)


@dataclass
class Row:
    """One line of the table: a target's figure against its goal."""

    target: int
    what: str
    measured: str
    goal: str
    met: bool | None  # None: not measured (not allowed, did not finish, skipped)
    figures: dict[str, Any] = field(default_factory=dict)


# -- the machine ----------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """Cores, CPU, Python and the load the machine was under."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def child(
    kind: str, args: dict[str, Any], limit_s: float, extra_env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``bench.py --child KIND`` in a process of its own; its JSON answer or why none."""
    command = [sys.executable, str(Path(__file__)), "--child", kind, json.dumps(args)]
    paths = [str(HERE), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), **(extra_env or {})}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=limit_s, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within the time limit of {limit_s:g} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"failed (exit {done.returncode}): {tail[:200]}"}
    return json.loads(lines[-1])


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB.

    Read from ``VmHWM`` where there is one: ``ru_maxrss`` of a process started by a
    large one counts the parent's memory at the fork.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- target 1: a baseline run ---------------------------------------------------------


def target_model_speed(plan: Plan) -> list[Row]:
    """Baseline journey run against BoltzmannWealth, alternating, medians."""
    from bench_model import N_AGENTS, STEPS, run_boltzmann, run_journey

    for seed in range(2):
        run_journey(10_000 + seed)
        run_boltzmann(10_000 + seed)
    journey, boltzmann = [], []
    for seed in range(plan.repeats):
        journey.append(run_journey(seed))
        boltzmann.append(run_boltzmann(seed))
    j_ms, b_ms = 1e3 * statistics.median(journey), 1e3 * statistics.median(boltzmann)
    ratio = j_ms / b_ms  # same agents and steps: the ratio per agent-step
    figures = {
        "journey_median_ms": round(j_ms, 2),
        "boltzmann_median_ms": round(b_ms, 2),
        "ratio_per_agent_step": round(ratio, 3),
        "repeats": plan.repeats,
        "agents": N_AGENTS,
        "steps": STEPS,
    }
    return [
        Row(
            1,
            "baseline run (100 orgs x 260 weeks), median",
            f"{j_ms:.1f} ms",
            "<= 15 ms",
            j_ms <= 15,
            figures,
        ),
        Row(
            1, "per agent-step vs Mesa BoltzmannWealth", f"{ratio:.2f}x", "<= 0.25x", ratio <= 0.25
        ),
    ]


# -- target 2: scaling with the population --------------------------------------------


def organisations_limit() -> int | None:
    """The largest ``n_organisations`` the model's parameters allow (None: no limit)."""
    from sim.journey.parameters import JourneyParameters

    limits = [
        getattr(m, "le", None) for m in JourneyParameters.model_fields["n_organisations"].metadata
    ]
    found = [int(x) for x in limits if x is not None]
    return min(found) if found else None


def one_size(args: dict[str, Any]) -> dict[str, Any]:
    """(child) ``bench_scale.one_run`` under a memory limit: seconds, cost, peak RSS."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    from bench_scale import one_run

    try:
        run = one_run(args["n"], args["weeks"], args["seed"])
    except MemoryError:
        return {"error": f"ran out of memory (limit {MEMORY_LIMIT_BYTES / 2**30:g} GB)"}
    return {
        "n": run["organisations"],
        "weeks": run["weeks"],
        "wall_s": run["seconds"],
        "us_per_org_week": run["us_per_organisation_week"],
        "peak_rss_mb": peak_rss_mb(),
        "initiatives": run["initiatives"],
    }


def target_scaling(plan: Plan) -> list[Row]:
    """The cost curve over sizes, each size in its own process with limits."""
    cap = organisations_limit()
    # untimed: a fresh checkout compiles the kernels into numba's on-disk cache once
    child("size", {"n": 100, "weeks": 52, "seed": 2}, 600)
    curve: list[dict[str, Any]] = []
    for n, weeks, limit in plan.sizes:
        if cap is not None and n > cap:
            curve.append(
                {"n": n, "weeks": weeks, "error": f"not allowed by n_organisations limit ({cap:,})"}
            )
            continue
        repeats = plan.size_repeats if n <= 10_000 else 1
        curve.append({"n": n, "weeks": weeks, **_median_size(n, weeks, limit, repeats)})
    for point in curve:
        if "error" in point:
            print(f"  {point['n']:>7,} orgs x {point['weeks']} weeks: {point['error']}")
        else:
            print(
                f"  {point['n']:>7,} orgs x {point['weeks']} weeks: {point['wall_s']:8.2f} s, "
                f"{point['us_per_org_week']:7.2f} us per org-week, "
                f"peak RSS {point['peak_rss_mb']:,.0f} MB"
            )
    by_n = {p["n"]: p for p in curve}
    rows = [
        Row(
            2,
            "cost per org-week over 100 / 1k / 10k / 100k",
            _curve_text(curve),
            "near-linear",
            None,
            {"curve": curve, "n_organisations_limit": cap},
        )
    ]
    big, huge, base = by_n.get(10_000, {}), by_n.get(100_000, {}), by_n.get(100, {})
    rows.append(
        _size_row(
            "10,000 orgs x 260 weeks", big, 10, 2048, "<= 10 s, RSS <= 2 GB", weeks_wanted=260
        )
    )
    rows.append(
        _size_row(
            "100,000 orgs x 52 weeks", huge, None, 8192, "completes, RSS <= 8 GB", weeks_wanted=52
        )
    )
    if "error" in big or "error" in base or not big or not base:
        rows.append(Row(2, "cost per org-week at 10,000 / at 100", "not measured", "<= 3x", None))
    else:
        ratio = big["us_per_org_week"] / base["us_per_org_week"]
        rows.append(
            Row(2, "cost per org-week at 10,000 / at 100", f"{ratio:.2f}x", "<= 3x", ratio <= 3)
        )
    return rows


def _median_size(n: int, weeks: int, limit: float, repeats: int) -> dict[str, Any]:
    """The run of median time among ``repeats`` runs of one size (same seed, fresh processes).

    One run of a size is at the mercy of the machine's state at that moment; the median of
    a few is not. Peak RSS is the largest of the runs'.
    """
    runs = [child("size", {"n": n, "weeks": weeks, "seed": 1}, limit) for _ in range(repeats)]
    if any("error" in run for run in runs):
        return next(run for run in runs if "error" in run)
    middle = sorted(runs, key=lambda run: run["wall_s"])[len(runs) // 2]
    return {
        **middle,
        "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
        "all_wall_s": [run["wall_s"] for run in runs],
    }


def _curve_text(curve: list[dict[str, Any]]) -> str:
    return " / ".join("-" if "error" in p else f"{p['us_per_org_week']:.1f}" for p in curve) + " us"


def _size_row(
    what: str,
    point: dict[str, Any],
    max_s: float | None,
    max_mb: float,
    goal: str,
    weeks_wanted: int,
) -> Row:
    if not point or "error" in point:
        return Row(2, what, (point or {}).get("error", "not measured"), goal, None)
    if point["weeks"] != weeks_wanted:
        what = f"{what} (run here for {point['weeks']} weeks)"
    met = point["peak_rss_mb"] <= max_mb and (max_s is None or point["wall_s"] <= max_s)
    text = f"{point['wall_s']:.1f} s, {point['peak_rss_mb']:,.0f} MB"
    return Row(2, what, text, goal, met if point["weeks"] == weeks_wanted else None)


# -- target 3: sweeps of cheap runs ---------------------------------------------------


def cheap_spec(replicates: int, seed: int = 2024) -> Any:
    """The design of target 3: ``n`` on a 20-level grid, ``replicates`` each."""
    from sim.engine import SweepSpec

    return SweepSpec.model_validate(
        {
            "parameters": {"n": {"integers": [40, 59]}},
            "design": {"method": "grid", "n": 20},
            "replicates": replicates,
            "seed": seed,
        }
    )


def time_sweep(spec: Any, model: str, steps: int | None, out: Path) -> tuple[float, Any]:
    """Wall time of a sweep into a fresh folder on cold worker processes, and its table."""
    from loky import get_reusable_executor

    from sim.engine import run_sweep

    start = time.perf_counter()
    frame = run_sweep(
        spec,
        model=model,
        base_params={},
        steps=steps,
        name="bench",
        scenario={"benchmark": "bench"},
        out_dir=out,
        workers=WORKERS,
        progress=False,
        fresh=True,
    )
    wall = time.perf_counter() - start
    get_reusable_executor(max_workers=WORKERS).shutdown(wait=True, kill_workers=True)
    return wall, frame


def time_batch_run(spec: Any, seeds: list[int]) -> float:
    """Wall time of ``mesa.batch_run`` on the Mesa version of the cheap model, same design."""
    import mesa
    from cheap_mesa_model import WealthModel

    levels = list(range(40, 60))
    start = time.perf_counter()
    data = mesa.batch_run(
        WealthModel,
        parameters={"n": levels},
        number_processes=WORKERS,
        max_steps=10_000,
        data_collection_period=-1,
        display_progress=False,
        rng=seeds,
    )
    wall = time.perf_counter() - start
    if len(data) != len(levels) * len(seeds):
        raise RuntimeError(f"batch_run returned {len(data)} rows")
    return wall


def target_cheap_sweeps(plan: Plan) -> list[Row]:
    """Sweep runner on a 1 ms callable against batch_run and against the physical limit."""
    from sim.engine import run_seed

    spec = cheap_spec(plan.cheap_replicates)
    runs = 20 * plan.cheap_replicates
    seeds = [run_seed(2024, 0, r) for r in range(plan.cheap_replicates)]
    repeats = max(1, min(plan.repeats, 3))
    sweeps, batches = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeats):  # alternating, so both see the same machine
            wall, frame = time_sweep(spec, "cheap_models:wealth", None, Path(tmp) / f"s{i}")
            summed = float(frame.elapsed_s.sum())
            sweeps.append(
                {
                    "wall_s": wall,
                    "summed_run_s": summed,
                    "efficiency": summed / WORKERS / wall,
                    "failed": int((frame.status != "done").sum()),
                }
            )
            batches.append(time_batch_run(spec, seeds))
    sweep_wall = statistics.median(s["wall_s"] for s in sweeps)
    batch_wall = statistics.median(batches)
    throughput = batch_wall / sweep_wall
    efficiency = statistics.median(s["efficiency"] for s in sweeps)
    mean_ms = 1e3 * statistics.median(s["summed_run_s"] for s in sweeps) / runs
    figures = {
        "runs": runs,
        "workers": WORKERS,
        "repeats": repeats,
        "mean_run_ms": round(mean_ms, 3),
        "sweep_wall_s": round(sweep_wall, 2),
        "batch_run_wall_s": round(batch_wall, 2),
        "sweep_runs_per_s": round(runs / sweep_wall, 1),
        "batch_run_runs_per_s": round(runs / batch_wall, 1),
        "sweeps": sweeps,
        "batch_run_walls_s": batches,
    }
    what = f"{runs:,} runs of a {mean_ms:.2f} ms callable, {WORKERS} workers"
    return [
        Row(
            3,
            f"{what}: throughput vs mesa.batch_run",
            f"{throughput:.2f}x",
            ">= 3x",
            throughput >= 3,
            figures,
        ),
        Row(
            3,
            f"{what}: share of the physical limit",
            f"{efficiency:.2f}",
            ">= 0.9",
            efficiency >= 0.9,
        ),
    ]


# -- target 4: a million runs ---------------------------------------------------------


def one_sweep(args: dict[str, Any]) -> dict[str, Any]:
    """(child) A sweep of the microsecond model, or a resume of it: time, RSS, parts."""
    from sim.engine import SweepSpec, run_sweep
    from sim.engine.store import Store

    spec = SweepSpec.model_validate(
        {
            "parameters": {"x": {"uniform": [0, 1]}},
            "design": {"method": "grid", "n": 1_000},
            "replicates": args["replicates"],
            "seed": 11,
        }
    )
    out = Path(args["out"])
    start = time.perf_counter()
    frame = run_sweep(
        spec,
        model="cheap_models:tiny",
        base_params={},
        steps=None,
        name="million",
        scenario={"benchmark": "bench"},
        out_dir=out,
        workers=WORKERS,
        progress=False,
        load=args["load"],
    )
    wall = time.perf_counter() - start
    store = Store(out)
    return {
        "runs": 1_000 * args["replicates"],
        "wall_s": wall,
        "peak_rss_mb": peak_rss_mb(),
        "run_parts": len(store.part_paths()),
        "series_parts": len([p for p in store.series_paths() if p.exists()]),
        "rows_loaded": None if frame is None else len(frame),
    }


def _million_pair(plan: Plan, tmp: str, env: dict[str, str] | None) -> tuple[dict, dict, dict]:
    """A small sweep, the big one, and (with the default allocator) a resume of the big one."""
    small_args = {"replicates": plan.small_replicates, "out": f"{tmp}/small", "load": False}
    big_args = {"replicates": plan.million_replicates, "out": f"{tmp}/big", "load": False}
    small = child("sweep", small_args, 600, env)
    big = child("sweep", big_args, 3600, env)
    resume = child("sweep", {**big_args, "load": True}, 600, env) if env is None else {}
    return small, big, resume


def target_million(plan: Plan) -> list[Row]:
    """Peak RSS of a million-run sweep against a small one, its parts, its resume."""
    runs = 1_000 * plan.million_replicates
    with tempfile.TemporaryDirectory() as tmp:
        small, big, resume = _million_pair(plan, tmp, None)
        # sweeps allocate through malloc; the same with Arrow's own default, for comparison
        malloc = _million_pair(plan, f"{tmp}/arrow", {"ARROW_DEFAULT_MEMORY_POOL": "mimalloc"})
    figures = {
        "small": small,
        "big": big,
        "resume": resume,
        "small_arrow_allocator": malloc[0],
        "big_arrow_allocator": malloc[1],
    }
    what = f"{runs:,} runs of a microsecond model"
    if "error" in small or "error" in big:
        return [Row(4, what, small.get("error") or big.get("error"), "completes", False, figures)]
    rss = big["peak_rss_mb"] / small["peak_rss_mb"]
    rows = [
        Row(
            4,
            f"{what}: peak RSS vs a {small['runs']:,}-run sweep",
            f"{rss:.2f}x ({big['peak_rss_mb']:,.0f} MB, in {big['wall_s']:.0f} s)",
            "<= 1.2x",
            rss <= 1.2,
            figures,
        )
    ]
    if "error" not in malloc[0] and "error" not in malloc[1]:
        ratio = malloc[1]["peak_rss_mb"] / malloc[0]["peak_rss_mb"]
        rows.append(
            Row(
                4,
                "the same with Arrow's default allocator (ARROW_DEFAULT_MEMORY_POOL=mimalloc)",
                f"{ratio:.2f}x ({malloc[1]['peak_rss_mb']:,.0f} MB)",
                "for comparison",
                None,
            )
        )
    rows.append(
        Row(
            4,
            f"{what}: part files",
            f"{big['run_parts']} runs + {big['series_parts']} series",
            "bounded (compacted)",
            big["run_parts"] <= 1 + runs // 250_000 + 16,
        )
    )
    if "error" in resume:
        rows.append(Row(4, "resume of the finished sweep", resume["error"], "< 5 s", False))
    else:
        rows.append(
            Row(
                4,
                "resume of the finished sweep (table loaded)",
                f"{resume['wall_s']:.2f} s",
                "< 5 s",
                resume["wall_s"] < 5,
            )
        )
    return rows


# -- target 5: Dask ---------------------------------------------------------------------


def target_dask(plan: Plan) -> list[Row]:
    """Journey runs on a 2-worker Dask LocalCluster against the same runs in one process."""
    import pandas as pd

    from sim.engine import SweepSpec, run_sweep

    replicates = max(1, plan.dask_runs // 20)
    spec = SweepSpec.model_validate(
        {
            "parameters": {"trust": {"uniform": [0.1, 0.9]}},
            "design": {"method": "latin", "n": 20, "seed": 5},
            "replicates": replicates,
            "seed": 5,
        }
    )
    frames, walls = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend, workers in (("serial", 1), ("dask", WORKERS), ("local", WORKERS)):
            start = time.perf_counter()
            frames[backend] = run_sweep(
                spec,
                model="sim.runs:evaluate",
                base_params={},
                steps=None,
                name="dask",
                scenario={"benchmark": "bench"},
                out_dir=Path(tmp) / backend,
                workers=workers,
                backend=backend,
                progress=False,
            )
            walls[backend] = time.perf_counter() - start
    tables = {k: f.drop(columns=["elapsed_s"]).reset_index(drop=True) for k, f in frames.items()}
    identical = all(_same(tables["serial"], t, pd) for t in tables.values())
    efficiency = walls["serial"] / (WORKERS * walls["dask"])
    runs = len(frames["serial"])
    figures = {
        "runs": runs,
        "walls_s": {k: round(v, 2) for k, v in walls.items()},
        "efficiency_local": round(walls["serial"] / (WORKERS * walls["local"]), 3),
        "tables_identical": identical,
    }
    return [
        Row(
            5,
            f"Dask LocalCluster, {WORKERS} workers, {runs:,} journey runs: efficiency",
            f"{efficiency:.2f}",
            ">= 0.85",
            efficiency >= 0.85,
            figures,
        ),
        Row(
            5,
            "Dask, local pool and one process give one table",
            "identical" if identical else "DIFFERENT",
            "identical",
            identical,
        ),
    ]


def _same(a: Any, b: Any, pd: Any) -> bool:
    try:
        pd.testing.assert_frame_equal(a, b)
    except AssertionError:
        return False
    return True


# -- the table --------------------------------------------------------------------------

TARGETS = {
    1: target_model_speed,
    2: target_scaling,
    3: target_cheap_sweeps,
    4: target_million,
    5: target_dask,
}
CHILDREN = {"size": one_size, "sweep": one_sweep}


def table(rows: list[Row], facts: dict[str, Any]) -> str:
    """The targets as a Markdown table, with the machine underneath."""
    lines = ["| # | what | measured | goal | met |", "|---|---|---|---|---|"]
    for row in rows:
        met = {True: "met", False: "not met", None: "-"}[row.met]
        lines.append(f"| {row.target} | {row.what} | {row.measured} | {row.goal} | {met} |")
    lines.append("")
    lines.append(
        f"Machine: {facts['cores']} cores, {facts['cpu']}, Python {facts['python']}; "
        f"load average {facts['load_average'][0]} at the start."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Measure the targets asked for, print the table and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke version")
    parser.add_argument(
        "--targets", type=int, nargs="+", choices=sorted(TARGETS), default=sorted(TARGETS)
    )
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the JSON")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "ARGS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, raw = args.child
        print(json.dumps(CHILDREN[kind](json.loads(raw))))
        return
    sys.path.insert(0, str(HERE))
    plan = QUICK if args.quick else FULL
    facts = machine()
    rows: list[Row] = []
    seconds: dict[int, float] = {}
    for number in args.targets:
        print(f"target {number} ...", flush=True)
        start = time.perf_counter()
        rows += TARGETS[number](plan)
        seconds[number] = round(time.perf_counter() - start, 1)
    facts["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    text = table(rows, facts)
    print(text)
    summary = {
        "quick": args.quick,
        "plan": asdict(plan),
        "machine": facts,
        "seconds": seconds,
        "command": " ".join(["python experiments/bench.py", *(argv or sys.argv[1:])]),
        "rows": [asdict(row) for row in rows],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
