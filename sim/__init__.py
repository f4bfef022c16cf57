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

    from sim.io.records import RunRecord


def run(scenario: Any = None, **kwargs: Any) -> RunRecord:
    """Run one scenario; see :func:`sim.runs.run`."""
    from sim.runs import run as _run

    return _run(scenario, **kwargs)


def sweep(
    scenario: str | Path,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    backend: str = "local",
    scheduler: Any = None,
    fresh: bool = False,
    progress: bool = False,
    **kwargs: Any,
) -> pd.DataFrame:
    """Run (or resume) a scenario file's sweep; see :func:`sim.sweeps.sweep_scenario`.

    ``sim.sweep("file.yaml", out="results/sweeps/x", backend="dask", scheduler=cluster)``
    runs it on a Dask cluster (an address or a cluster object) from one script.
    """
    from sim.sweeps import sweep_scenario

    return sweep_scenario(
        scenario,
        out=out,
        workers=workers,
        backend=backend,
        scheduler=scheduler,
        fresh=fresh,
        progress=progress,
        **kwargs,
    )


__all__ = ["__version__", "run", "sweep"]
