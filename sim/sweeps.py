"""Glue between a scenario file and the sweep engine (which knows nothing of scenarios)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sim.engine import run_sweep
from sim.io.scenario import Scenario, load_scenario, series_weeks


def default_sweep_dir(scenario: Scenario) -> Path:
    """Where a scenario's sweep is stored unless told otherwise."""
    return Path("results") / "sweeps" / scenario.name


def sweep_scenario(
    scenario: Scenario | str | Path,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    backend: str = "local",
    scheduler: Any = None,
    fresh: bool = False,
    progress: bool = False,
    out_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Run (or resume, or extend) the sweep of a scenario and return its runs.

    The scenario's seed is the sweep's root seed unless the sweep names its own.

    Args:
        scenario: A scenario, or the path of a scenario file with a ``sweep:`` section.
        out: The sweep folder (default ``results/sweeps/<name>/``).
        workers: Worker processes (default: all cores; 1 runs in this process).
        backend: ``"local"`` (processes on this machine), ``"dask"`` or ``"serial"``.
        scheduler: Address of a running Dask scheduler (``tcp://host:8786``) or a Dask
            cluster object (a ``dask_jobqueue.SLURMCluster``, say), with ``backend="dask"``;
            without it a local Dask cluster is started.
        fresh: Delete what the sweep stored before and start over.
        progress: Show progress and the end summary on standard error.
        out_dir: The older name of ``out``.

    Raises:
        ScenarioError: if the file is not valid.
        ValueError: if it has no sweep section.
        SweepError: if the sweep cannot start or go on (the message says why).
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if sc.sweep is None:
        msg = f"{sc.name}: sweep: missing; add a sweep section (see scenarios/sweeps/smoke.yaml)"
        raise ValueError(msg)
    spec = sc.sweep if sc.sweep.seed is not None else sc.sweep.model_copy(update={"seed": sc.seed})
    if sc.is_builtin and spec.timeseries is not None:
        weeks = {"weeks": series_weeks(sc)}
        spec = spec.model_copy(update={"timeseries": spec.timeseries.model_copy(update=weeks)})
    # every run starts from the scenario's parameters and the assumptions it sets
    base = {**sc.params().model_dump(), **sc.assumptions} if sc.is_builtin else dict(sc.parameters)
    return run_sweep(
        spec,
        model=sc.evaluator(),
        base_params=base,
        steps=sc.steps,
        name=sc.name,
        scenario=sc.model_dump(mode="json"),
        out_dir=Path(out or out_dir or default_sweep_dir(sc)),
        workers=workers,
        backend=backend,
        scheduler=scheduler,
        fresh=fresh,
        progress=progress,
    )
