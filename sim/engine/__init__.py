"""The sweep engine: designs, seeds, a resumable Parquet store and parallel runners.

It knows nothing of the journey model: a sweep runs any model named as
``module:object`` (a Mesa ``Model`` subclass or a function ``f(params, seed) -> dict``).

Names are imported on first use, so worker processes, which only need
:mod:`sim.engine.worker`, start quickly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.engine.design import Design, build_design, design_size, salib_problem
    from sim.engine.errors import SweepError
    from sim.engine.runner import SweepInterruptedError, run_sweep
    from sim.engine.seeds import run_seed
    from sim.engine.spec import DesignSpec, SweepSpec
    from sim.engine.store import load_manifest, load_runs, load_series

_EXPORTS = {
    "Design": "sim.engine.design",
    "build_design": "sim.engine.design",
    "design_size": "sim.engine.design",
    "salib_problem": "sim.engine.design",
    "SweepError": "sim.engine.errors",
    "SweepInterruptedError": "sim.engine.runner",
    "run_sweep": "sim.engine.runner",
    "run_seed": "sim.engine.seeds",
    "DesignSpec": "sim.engine.spec",
    "SweepSpec": "sim.engine.spec",
    "load_manifest": "sim.engine.store",
    "load_runs": "sim.engine.store",
    "load_series": "sim.engine.store",
}

__all__ = [
    "Design",
    "DesignSpec",
    "SweepError",
    "SweepInterruptedError",
    "SweepSpec",
    "build_design",
    "design_size",
    "load_manifest",
    "load_runs",
    "load_series",
    "run_seed",
    "run_sweep",
    "salib_problem",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sim.engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
