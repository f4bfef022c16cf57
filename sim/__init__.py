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


def sweep(scenario: str | Path, **kwargs: Any) -> pd.DataFrame:
    """Run (or resume) a scenario file's sweep; see :func:`sim.sweeps.sweep_scenario`."""
    from sim.sweeps import sweep_scenario

    return sweep_scenario(scenario, **kwargs)


__all__ = ["__version__", "run", "sweep"]
