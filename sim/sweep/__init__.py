"""The sweep engine: designs, seeds, a resumable Parquet store and parallel runners.

It knows nothing of the journey model: a sweep runs any model named as
``module:object`` (a Mesa ``Model`` subclass or a function ``f(params, seed) -> dict``).

Names are imported on first use, so worker processes, which only need
:mod:`sim.sweep.worker`, start quickly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.sweep.design import Design, build_design, design_size, salib_problem
    from sim.sweep.errors import SweepError
    from sim.sweep.runner import SweepInterruptedError, run_sweep
    from sim.sweep.seeds import run_seed
    from sim.sweep.spec import DesignSpec, SweepSpec
    from sim.sweep.store import load_manifest, load_runs

_EXPORTS = {
    "Design": "sim.sweep.design",
    "build_design": "sim.sweep.design",
    "design_size": "sim.sweep.design",
    "salib_problem": "sim.sweep.design",
    "SweepError": "sim.sweep.errors",
    "SweepInterruptedError": "sim.sweep.runner",
    "run_sweep": "sim.sweep.runner",
    "run_seed": "sim.sweep.seeds",
    "DesignSpec": "sim.sweep.spec",
    "SweepSpec": "sim.sweep.spec",
    "load_manifest": "sim.sweep.store",
    "load_runs": "sim.sweep.store",
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
    "run_seed",
    "run_sweep",
    "salib_problem",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sim.sweep' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
