"""Agent-based simulation of consortium and coalition formation.

``sim.run(scenario, seed=...)`` runs one scenario and returns its record;
``sim.sweep(scenario_file, ...)`` runs a sensitivity sweep and returns its runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Arrow's default allocator keeps the pages of the many short-lived buffers that a
# sweep's part writes and merges make, so a long sweep's memory creeps up; the system
# allocator gives them back (a million-run sweep peaked at 168 MB with it, 206-211 MB
# with Arrow's default, in three paired runs of experiments/bench.py's target 4). Arrow
# reads the choice once, when it loads, so it is made here, before anything imports
# pyarrow (pandas does); a choice already in the environment is kept.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

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
