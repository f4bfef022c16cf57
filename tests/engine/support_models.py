"""Small models for the sweep tests (importable by worker processes)."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np

COUNTER_ENV = "SIM_SWEEP_TEST_COUNTER"


def ishigami(params: dict, seed: int) -> dict[str, float]:
    """Ishigami function plus seeded noise, so both parameters and seeds matter."""
    x1, x2, x3 = params["x1"], params["x2"], params["x3"]
    a, b = params.get("a", 7.0), params.get("b", 0.1)
    y = math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)
    noise = float(np.random.default_rng(seed).normal(0.0, 0.1))
    return {"y": y, "y_noisy": y + noise, "share": 1.0 / (1.0 + math.exp(-y / 4))}


def counted(params: dict, seed: int) -> dict[str, float]:
    """Ishigami that appends one line per run to the file named in the environment."""
    path = os.environ.get(COUNTER_ENV)
    if path:
        with Path(path).open("a") as handle:
            handle.write(f"{seed}\n")
    return ishigami(params, seed)


def flaky(params: dict, seed: int) -> dict[str, float]:
    """Raise on the points with x1 > 1."""
    if params["x1"] > 1.0:
        raise ValueError(f"x1 too large: {params['x1']:.3f}")
    return ishigami(params, seed)


def slow(params: dict, seed: int) -> dict[str, float]:
    """Take far too long on points with x1 > 1 (in small sleeps, so any timer can stop it)."""
    if params["x1"] > 1.0:
        for _ in range(3000):
            time.sleep(0.01)
    return ishigami(params, seed)


def steady(params: dict, seed: int) -> dict[str, float]:
    """Ishigami that takes a little time, for interrupting a sweep mid-run."""
    time.sleep(float(os.environ.get("SIM_SWEEP_TEST_SLEEP", "0.02")))
    return counted(params, seed)


def not_a_mapping(params: dict, seed: int) -> list[float]:
    """Return the wrong type."""
    return [1.0]


def empty(params: dict, seed: int) -> dict[str, float]:
    """Return no outcomes at all."""
    return {}


def typed(params: dict, seed: int) -> dict[str, float]:
    """Check that parameters arrive as plain Python values of the declared kinds."""
    assert type(params["k"]) is int, type(params["k"])
    assert type(params["mode"]) is str, type(params["mode"])
    assert type(params["flag"]) is bool, type(params["flag"])
    assert type(params["x"]) is float, type(params["x"])
    base = {"a": 1.0, "b": 2.0}[params["mode"]]
    return {"y": base + params["k"] + (10.0 if params["flag"] else 0.0), "x_seen": params["x"]}


def walk_length(params: dict) -> int:
    """Weeks of a walk: 10 to 16, set by x2, so runs end at different weeks."""
    return 10 + int(params["x2"] + math.pi)


def walk(params: dict, seed: int) -> dict:
    """A seeded random walk returning per-week series: a list (index = week) and a mapping.

    ``spread`` is NaN in week 3, to check that a missing value is stored as a null.
    """
    rng = np.random.default_rng(seed)
    path = np.concatenate([[0.0], np.cumsum(rng.normal(params["x1"], 1.0, walk_length(params)))])
    spread = {week: float(abs(value)) for week, value in enumerate(path)}
    spread[3] = math.nan
    return {"y": float(path[-1]), "position": path.tolist(), "spread": spread}


def walk_told(params: dict, seed: int, timeseries) -> dict:
    """The same walk, returning only the weeks the sweep asks for (it is told which)."""
    full = walk(params, seed)
    last = walk_length(params)
    kept = [w for w in range(last + 1) if w % timeseries.every == 0 or w == last]
    return {
        "y": full["y"],
        **{name: {w: full[name][w] for w in kept} for name in timeseries.outcomes},
    }


def walk_too_long(params: dict, seed: int) -> dict:
    """A walk that runs past the weeks its sweep allows when x1 > 1."""
    result = walk(params, seed)
    if params["x1"] > 1.0:
        result["position"] = [*result["position"], *[0.0] * 30]
    return result


def shares(params: dict, seed: int) -> dict[str, float]:
    """Three shares set by x and y with seeded noise, for calibration tests.

    success = 0.6 x, failure = (1 - success) y, between = the rest: the targets 0.15 /
    0.34 / 0.51 are met at x = 0.25, y = 0.4. Each run is counted like :func:`counted`.
    """
    time.sleep(float(os.environ.get("SIM_SWEEP_TEST_SLEEP", "0")))
    path = os.environ.get(COUNTER_ENV)
    if path:
        with Path(path).open("a") as handle:
            handle.write(f"{seed}\n")
    rng = np.random.default_rng(seed)
    success = 0.6 * params["x"] + float(rng.normal(0.0, 0.03))
    failure = (1.0 - 0.6 * params["x"]) * params["y"] + float(rng.normal(0.0, 0.03))
    return {"success": success, "failure": failure, "between": 1.0 - success - failure}
