"""Shared helpers for the sweep tests."""

from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd

from sim.engine import SweepSpec, run_sweep

PI = round(math.pi, 6)
ISHIGAMI = {name: {"uniform": [-PI, PI]} for name in ("x1", "x2", "x3")}


def spec(**overrides: Any) -> SweepSpec:
    """An Ishigami sweep spec (Sobol', n=8, 2 replicates, one class) with overrides."""
    data: dict[str, Any] = {
        "parameters": ISHIGAMI,
        "design": {"method": "sobol", "n": 8, "seed": 3},
        "replicates": 2,
        "seed": 42,
        "classes": {"high": "y > 3", "calm": "share < 0.6 and not y < -1"},
    }
    data.update(overrides)
    return SweepSpec.model_validate(data)


def sweep(
    the_spec: SweepSpec,
    out: Path,
    model: str = "support_models:ishigami",
    **kwargs: Any,
) -> pd.DataFrame:
    """Run a sweep with test defaults (serial, quiet)."""
    options: dict[str, Any] = {
        "base_params": {"a": 7.0, "b": 0.1},
        "steps": None,
        "name": "test",
        "scenario": {"name": "test", "seed": 42},
        "workers": 1,
        "progress": False,
    }
    options.update(kwargs)
    return run_sweep(the_spec, model=model, out_dir=out, **options)


def outcome_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The run table without wall-clock columns, for comparing sweeps."""
    return frame.drop(columns=["elapsed_s"]).reset_index(drop=True)


def descendants(pid: int) -> set[int]:
    """Process ids of every descendant of ``pid`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def alive(pid: int) -> bool:
    """True if a process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def kill_quietly(pids: set[int]) -> None:
    """SIGKILL processes that may already be gone."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
