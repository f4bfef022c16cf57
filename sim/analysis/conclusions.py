"""What the sensitivity indices of an outcome allow one to say, or "too small to conclude".

An outcome's parameters are ranked only when the numbers can bear it. The verdict is
"too small to conclude" when

* no index could be computed, or
* convergence was not assessed (too few blocks, trajectories or points for three growing
  prefixes, or a FAST design, which cannot be cut), or
* the widest confidence half-width of the ranking index is at least as large as the
  largest index (the intervals are wider than the indices), or
* no parameter's index is distinguishable from noise (see the thresholds in
  :mod:`sim.analysis.sensitivity`).

Otherwise the conclusion lists the significant parameters, most influential first, with
their intervals, and says whether their order has settled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis.convergence import ConvergenceResult
from sim.analysis.rules import human
from sim.analysis.sensitivity import OutcomeSensitivity

#: How indices are written in sentences.
INDEX_LABELS = {"mu_star": "mu*", "median": "PAWN median", "delta": "delta"}
TOO_SMALL = "too small to conclude"


@dataclass
class Conclusion:
    """The verdict on one outcome's sensitivity indices.

    Attributes:
        outcome: Outcome name.
        method: Method of the ranking index (None when nothing was computed).
        index: The ranking index.
        conclusive: Whether parameters are ranked.
        ranked: Significant parameters, most influential first: parameter, value, conf.
        not_significant: Parameters whose index is not distinguishable from noise.
        statement: One plain sentence.
        settled: Whether the order of the ranked parameters has settled (None: unknown).
    """

    outcome: str
    method: str | None
    index: str | None
    conclusive: bool
    ranked: pd.DataFrame = field(default_factory=pd.DataFrame)
    not_significant: list[str] = field(default_factory=list)
    statement: str = ""
    settled: bool | None = None

    def top(self, count: int = 3, digits: int = 2) -> str:
        """The first ``count`` ranked parameters with their intervals, in words."""
        parts = [
            f"{human(row.parameter)} {row.value:.{digits}f} ± {row.conf:.{digits}f}"
            if np.isfinite(row.conf)
            else f"{human(row.parameter)} {row.value:.{digits}f}"
            for row in self.ranked.head(count).itertuples()
        ]
        return ", ".join(parts)


def index_label(method: str | None, index: str | None) -> str:
    """An index's name for readers, e.g. "sobol ST" or "morris mu*"."""
    return f"{method} {INDEX_LABELS.get(index or '', index)}"


def conclude(result: OutcomeSensitivity, convergence: ConvergenceResult) -> Conclusion:
    """The verdict on one outcome (see the module docstring).

    Args:
        result: The outcome's sensitivity indices.
        convergence: Convergence of all outcomes (its statement for this one is used).
    """
    outcome, method, index = result.outcome, result.main_method, result.main_index
    label = index_label(method, index)
    name = human(outcome).capitalize()
    if method is None or index is None:
        why = result.alerts[-1] if result.alerts else "no method applied"
        return Conclusion(outcome, None, None, False, statement=f"{name}: no indices ({why})")
    main = result.main()
    ranked_names = result.ranking()
    ranked = main[main["parameter"].isin(ranked_names)][["parameter", "value", "conf"]]
    rest = [p for p in main["parameter"] if p not in ranked_names]
    flags = convergence.settled.get(outcome, {"ranking": None, "ci": None})
    verdict = Conclusion(outcome, method, index, False, ranked, rest, settled=flags["ranking"])
    confs = main["conf"].to_numpy(dtype=float)
    widest = float(np.nanmax(confs)) if np.isfinite(confs).any() else float("nan")
    largest = float(main["value"].max())
    if flags["ranking"] is None:
        statement = convergence.statements.get(outcome, "")
        why = statement.split("not assessed: ", 1)[-1].rstrip(".") if statement else "unknown"
        verdict.statement = f"{name}: {TOO_SMALL} (convergence not assessed: {why})."
    elif np.isfinite(widest) and widest >= largest:
        verdict.statement = (
            f"{name}: {TOO_SMALL}: the 95% intervals of {label} (up to ±{widest:.2g}) are as "
            f"wide as the largest index ({largest:.2g})."
        )
    elif not len(ranked):
        verdict.statement = (
            f"{name}: {TOO_SMALL}: no parameter's {label} is distinguishable from noise at "
            "this size."
        )
    else:
        verdict.conclusive = True
        order = "" if flags["ranking"] else " (their order has not settled)"
        tail = f"; not distinguishable from noise: {', '.join(map(human, rest))}" if rest else ""
        verdict.statement = f"{name}, by {label} (95% CI): {verdict.top(len(ranked))}{order}{tail}."
    return verdict


def conclusions(
    results: dict[str, OutcomeSensitivity], convergence: ConvergenceResult
) -> dict[str, Conclusion]:
    """The verdict on every outcome."""
    return {outcome: conclude(result, convergence) for outcome, result in results.items()}
