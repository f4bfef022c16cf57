"""A cheap model written twice, for timing sweep runners where their own overhead decides.

The well-mixed money-exchange model (Dragulescu and Yakovenko): ``n`` agents start with
one unit each; every step each agent that has money gives one unit to another agent
drawn at random. The outcome is the Gini coefficient of wealth at the end.

:func:`wealth` is a plain callable ``f(params, seed)`` (what the sweep runner runs);
``cheap_mesa_model.WealthModel`` is the same rules as a Mesa model (what
``mesa.batch_run`` runs). This module imports no Mesa, as a plain model need not.
"""

from __future__ import annotations

import random
from typing import Any

STEPS = 20


def gini(wealth: list[int]) -> float:
    """The Gini coefficient of a list of non-negative holdings."""
    ordered = sorted(wealth)
    n = len(ordered)
    total = sum(ordered)
    if not total:
        return 0.0
    ranked = sum((i + 1) * w for i, w in enumerate(ordered))
    return (2 * ranked) / (n * total) - (n + 1) / n


def wealth(params: dict[str, Any], seed: int) -> dict[str, float]:
    """One run of the money-exchange model as a plain callable."""
    n = int(params["n"])
    steps = int(params.get("steps", STEPS))
    draw = random.Random(seed)
    held = [1] * n
    order = list(range(n))
    for _ in range(steps):
        draw.shuffle(order)
        for giver in order:
            if held[giver]:
                held[giver] -= 1
                held[draw.randrange(n)] += 1
    return {"gini": gini(held)}


def tiny(params: dict[str, Any], seed: int) -> dict[str, float]:
    """A model of a few arithmetic operations (microseconds), for sweeps of millions of runs."""
    x = float(params["x"])
    noise = (seed % 1_000_003) / 1_000_003 - 0.5
    return {"y": x * x + noise, "z": x + 2 * noise}
