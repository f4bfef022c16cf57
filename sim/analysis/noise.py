"""How much of each outcome's variance is replicate noise rather than the parameters.

With replicates, the noise share of an outcome is the mean within-point variance (over
points with at least two finished replicates) divided by the total variance of all
finished runs. A share near 0 means the parameters explain the spread; near 1 means the
spread is mostly stochastic. The sensitivity indices are those of the mean response (the
noise is removed from them, see :mod:`sim.analysis.sensitivity`), so they describe the
remaining part, and a large noise share widens their intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.data import SweepData, point_values

NOISE_COLUMNS = [
    "outcome",
    "replicates",
    "points_used",
    "mean_within_var",
    "total_var",
    "noise_share",
    "statement",
]


def noise_shares(data: SweepData, outcome: str | None = None) -> pd.DataFrame:
    """Share of each outcome's variance that is within-point (replicate) noise.

    Args:
        data: The sweep.
        outcome: One outcome, or None for all.

    Returns:
        One row per outcome with :data:`NOISE_COLUMNS`; ``noise_share`` is NaN (and the
        statement says why) with a single replicate or a constant outcome.
    """
    outcomes = data.outcomes if outcome is None else [outcome]
    rows = [_one(data, name) for name in outcomes]
    return pd.DataFrame(rows, columns=NOISE_COLUMNS)


def _one(data: SweepData, outcome: str) -> dict:
    values = data.outcome_column(outcome).to_numpy(dtype=np.float64)
    finished = (data.runs["status"] == "done").to_numpy() & np.isfinite(values)
    total = float(np.var(values[finished], ddof=1)) if finished.sum() > 1 else float("nan")
    stats = point_values(data, outcome)
    usable = stats[stats["n"] >= 2]
    within = float(usable["var"].mean()) if len(usable) else float("nan")
    row = {
        "outcome": outcome,
        "replicates": data.replicates,
        "points_used": len(usable),
        "mean_within_var": within,
        "total_var": total,
        "noise_share": float("nan"),
    }
    if data.replicates < 2 or not len(usable):
        row["statement"] = (
            f"{outcome}: noise cannot be separated from parameter effects with one finished "
            "replicate per point."
        )
    elif not np.isfinite(total) or total == 0:
        row["statement"] = f"{outcome}: the outcome does not vary, so it has no noise share."
    else:
        share = min(within / total, 1.0)
        row["noise_share"] = share
        if share < 0.1:
            verdict = "the parameters drive almost all of the spread"
        elif share < 0.5:
            verdict = "the parameters drive most of the spread"
        else:
            verdict = (
                "replicate noise dominates; the indices describe the smaller, mean-response "
                "part, and more replicates would narrow their intervals"
            )
        row["statement"] = (
            f"{outcome}: {share:.0%} of the variance is within-point noise "
            f"({len(usable)} points with at least 2 replicates): {verdict}."
        )
    return row
