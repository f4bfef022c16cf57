"""Agent-based simulation of consortium and coalition formation.

``sim.run(scenario, seed=...)`` runs one scenario and returns its record;
``sim.sweep(scenario_file, ...)`` runs a sensitivity sweep and returns its runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    import pandas as pd

    from sim.records import RunRecord


def run(scenario: Any = None, **kwargs: Any) -> RunRecord:
    """Run one scenario; see :func:`sim.runs.run`."""
    from sim.runs import run as _run

    return _run(scenario, **kwargs)


def sweep(
    scenario: str | Path,
    *,
    out_dir: str | Path | None = None,
    workers: int | None = None,
    backend: str = "local",
    scheduler: str | None = None,
    fresh: bool = False,
    progress: bool = False,
) -> pd.DataFrame:
    """Run (or resume) the sweep of a scenario file and return its runs as a DataFrame."""
    from sim.scenario import load_scenario
    from sim.sweep import run_sweep

    sc = load_scenario(scenario)
    if sc.sweep is None:
        msg = f"{scenario}: sweep: missing; add a sweep section"
        raise ValueError(msg)
    base = sc.params().model_dump() if sc.is_builtin else dict(sc.parameters)
    return run_sweep(
        sc.sweep,
        model=sc.evaluator(),
        base_params=base,
        steps=sc.steps,
        name=sc.name,
        scenario=sc.model_dump(mode="json"),
        out_dir=Path(out_dir) if out_dir else Path("results") / "sweeps" / sc.name,
        workers=workers,
        backend=backend,
        scheduler=scheduler,
        fresh=fresh,
        progress=progress,
    )


__all__ = ["__version__", "run", "sweep"]
