"""Advice on how much to run: the design size and replicates that would settle the answer.

A planning estimate, from the sweep's own intervals and noise. Bootstrap half-widths
shrink as ``1 / sqrt(n)`` with the design size ``n`` (Saltelli base samples, Morris
trajectories or points). Replicate noise adds to them: with a single run's noise variance
``s2`` and the mean response's variance ``V``, the variance of a point mean is
``V + s2 / R``, and the half-width is taken to scale as ``sqrt((1 + nu / R) / n)`` with
``nu = s2 / V`` (the noise-to-signal ratio, estimated from the replicates). For each
outcome the plan gives

* **halve the widest interval**: the cheapest ``(n, R)`` (over 1 to 8 replicates, at least
  2 so that the noise can be removed) whose predicted widest half-width is half today's;
* **settle the ranking**: the ``n`` at today's replicates at which neighbouring ranked
  parameters' intervals stop overlapping (pairs closer than :data:`TIE` on the index
  scale are called practical ties and left out), and at least the size at which
  convergence can be assessed;

and the cost in runs: the total, and how many more than are stored (Sobol' and Morris
designs grow in place and reuse stored runs; Latin, grid and FAST designs are drawn anew).
Sobol' sizes are rounded up to powers of two. Advice beyond :data:`MAX_FACTOR` times
today's design is given as "not affordable: treat as tied".
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.convergence import MIN_BLOCKS, MIN_SUBSET, ConvergenceResult
from sim.analysis.data import SweepData, point_response
from sim.analysis.rules import human
from sim.analysis.sensitivity import OutcomeSensitivity, factor_names
from sim.engine.design import block_size

#: Index difference below which two parameters are practical ties.
TIE = 0.02
#: Largest growth of the design the plan proposes.
MAX_FACTOR = 64
#: Replicates the plan considers.
REPLICATES = (1, 2, 3, 4, 6, 8)
#: Designs that grow in place, reusing stored runs.
GROWING = ("sobol", "morris")


@dataclass(frozen=True)
class Size:
    """A design size and what it costs.

    Attributes:
        n: Base samples, trajectories or points.
        replicates: Replicates per point.
        runs: Runs in total.
        extra: Runs beyond those stored.
    """

    n: int
    replicates: int
    runs: int
    extra: int


@dataclass
class OutcomePlan:
    """The advice for one outcome.

    Attributes:
        outcome: Outcome name.
        method: The ranking method.
        unit: What ``n`` counts.
        now: Today's size.
        widest: Today's widest half-width of the ranking index.
        noise_ratio: Single-run noise variance over the mean response's (NaN: unknown).
        halve: The cheapest size predicted to halve ``widest`` (None: cannot say).
        settle: The size predicted to separate the ranked parameters (None: nothing to
            separate, or not affordable).
        ties: Neighbouring pairs called practical ties.
        notes: Plain notes.
        settle_goal: What ``settle`` achieves: settling the ranking, or (for designs too
            small for it) assessing convergence at all.
    """

    outcome: str
    method: str
    unit: str
    now: Size
    widest: float
    noise_ratio: float
    halve: Size | None = None
    settle: Size | None = None
    ties: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    settle_goal: str = "settle the ranking"

    def sentences(self) -> list[str]:
        """The advice in words: what to run, then the caveats."""
        name = human(self.outcome)
        out = []
        if self.halve is not None:
            out.append(
                f"{name}: to halve the widest 95% interval (±{self.widest:.2g} → "
                f"±{self.widest / 2:.2g}), run {_size_words(self.halve, self.unit)}."
            )
        if self.settle is not None:
            out.append(f"{name}: to {self.settle_goal}, run {_size_words(self.settle, self.unit)}.")
        elif self.halve is not None:
            out.append(f"{name}: the ranked parameters' intervals already separate.")
        if self.notes:
            out.append(f"({'; '.join(self.notes)})")
        return out


def _size_words(size: Size, unit: str) -> str:
    more = f", {size.extra:,} more than stored" if size.extra else ""
    return (
        f"n = {size.n:,} {unit} with {size.replicates} replicate"
        f"{'s' if size.replicates != 1 else ''} ({size.runs:,} runs{more})"
    )


def _noise_ratio(data: SweepData, outcome: str) -> float:
    response = point_response(data, outcome)
    if response.noise is None:
        return float("nan")
    have = np.isfinite(response.mean) & np.isfinite(response.noise)
    single = float(np.mean(response.noise[have] * response.n[have]))
    signal = float(np.var(response.mean[have]) - np.mean(response.noise[have]))
    return single / signal if signal > 0 else float("inf")


class _Costing:
    """Runs a design of a given size costs, against what is stored.

    Sizes count the design's own units (Saltelli base samples, Morris trajectories or
    points), whichever method the indices came from.
    """

    def __init__(self, data: SweepData) -> None:
        self.design = data.method
        d = len(factor_names(data.problem))
        grows = self.design in GROWING
        self.rows = block_size(self.design, d, data.second_order) if grows else 1
        self.unit = {"sobol": "base samples", "morris": "trajectories"}.get(self.design, "points")
        self.stored = int((data.runs["status"] == "done").sum()) if len(data.runs) else 0
        self.n0 = max(data.n_points // self.rows, 1)
        self.r0 = data.replicates

    def size(self, n: float, replicates: int) -> Size:
        n = max(math.ceil(n), self.n0)
        if self.design == "sobol":
            n = 2 ** math.ceil(math.log2(n))
        runs = n * self.rows * replicates
        grows = self.design in GROWING and replicates >= self.r0
        return Size(n, replicates, runs, max(runs - self.stored, 0) if grows else runs)

    def assessable(self, method: str, with_value: float) -> float:
        """The size at which convergence can be assessed (3 halving prefixes).

        Args:
            method: The ranking method.
            with_value: Share of the design's points that have a value (given-data
                methods count only those).
        """
        if method in GROWING:
            return 4 * MIN_BLOCKS
        return 4 * MIN_SUBSET / self.rows / max(with_value, 1e-9)


def outcome_plan(
    data: SweepData, result: OutcomeSensitivity, convergence: ConvergenceResult
) -> OutcomePlan | None:
    """The advice for one outcome (None when it has no ranking index)."""
    method, index = result.main_method, result.main_index
    if method is None or index is None:
        return None
    main = result.main()
    costing = _Costing(data)
    confs = main["conf"].to_numpy(dtype=float)
    widest = float(np.nanmax(confs)) if np.isfinite(confs).any() else float("nan")
    nu = _noise_ratio(data, result.outcome)
    now = Size(costing.n0, costing.r0, costing.n0 * costing.rows * costing.r0, 0)
    plan = OutcomePlan(result.outcome, method, costing.unit, now, widest, nu)
    if costing.r0 == 1:
        plan.notes.append(
            "one replicate per point: the noise is unknown, so the plan assumes none beyond "
            "what the intervals show, and at least 2 replicates let the analysis remove it"
        )
    if np.isfinite(widest) and widest > 0:
        plan.halve = _cheapest_halving(costing, nu)
        if plan.halve is None:
            plan.notes.append("halving the widest interval is beyond an affordable design")
        plan.settle, plan.ties, beyond = _settling(main, result.ranking(), costing, method)
        if beyond:
            plan.notes.append(
                f"separating {beyond} needs more than {MAX_FACTOR} times today's design: treat "
                "them as tied"
            )
    else:
        plan.notes.append(f"{method} gives no confidence intervals to plan from")
    if convergence.settled.get(result.outcome, {}).get("ranking") is None:
        _plan_assessment(plan, costing, result)
    return plan


def _plan_assessment(plan: OutcomePlan, costing: _Costing, result: OutcomeSensitivity) -> None:
    """Where convergence was not assessed, ask at least for a size at which it can be.

    A design already as large as the minimum can still fail to be assessed when its
    smallest prefixes are refused (holes in too many of their base rows, say): doubling
    it adds a larger prefix in place of the smallest.
    """
    with_value = result.n_points / max(costing.n0 * costing.rows, 1)
    minimum = costing.assessable(plan.method, with_value)
    goal = "assess convergence at all (too small today)"
    if costing.n0 >= minimum:
        minimum = 2 * costing.n0
        goal = "assess convergence at all (today's smallest prefixes could not be analysed)"
    if plan.settle is None or plan.settle.n < minimum:
        plan.settle = costing.size(minimum, max(costing.r0, 2))
        plan.settle_goal = goal


def _cheapest_halving(costing: _Costing, nu: float) -> Size | None:
    known = np.isfinite(nu)
    options = []
    for replicates in REPLICATES:
        if replicates < 2 and (not known or nu > 0):
            continue
        ratio = (1 + nu / replicates) / (1 + nu / costing.r0) if known else 1.0
        n = 4 * costing.n0 * ratio
        if n <= MAX_FACTOR * costing.n0:
            options.append(costing.size(n, replicates))
    return min(options, key=lambda s: (s.extra, s.runs)) if options else None


def _settling(
    main: pd.DataFrame, ranked: list[str], costing: _Costing, method: str
) -> tuple[Size | None, list[str], str]:
    value = dict(zip(main["parameter"], main["value"], strict=True))
    conf = dict(zip(main["parameter"], np.nan_to_num(main["conf"]), strict=True))
    scale = float(main["value"].abs().max()) if method == "morris" else 1.0
    factor, ties, beyond = 1.0, [], ""
    for a, b in itertools.pairwise(ranked):
        gap = float(value[a] - value[b])
        width = float(conf[a] + conf[b])
        if gap < TIE * (scale or 1.0):
            ties.append(f"{human(a)} / {human(b)}")
            continue
        needed = (width / gap) ** 2
        if needed > MAX_FACTOR:
            beyond = f"{human(a)} / {human(b)}"
            continue
        factor = max(factor, needed)
    if factor <= 1.0:
        return None, ties, beyond
    return costing.size(costing.n0 * factor, costing.r0), ties, beyond


def plans(
    data: SweepData,
    results: dict[str, OutcomeSensitivity],
    convergence: ConvergenceResult,
) -> dict[str, OutcomePlan]:
    """The advice for every outcome that has a ranking index."""
    out = {}
    for outcome, result in results.items():
        plan = outcome_plan(data, result, convergence)
        if plan is not None:
            out[outcome] = plan
    return out


def plan_rows(items: dict[str, OutcomePlan], headline: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The plans as flat rows (for ``analysis/plan.csv``), the ``headline`` outcomes first."""
    rows = []
    first = [items[o] for o in headline if o in items]
    for plan in first + [p for o, p in items.items() if o not in headline]:
        row: dict[str, Any] = {
            "outcome": plan.outcome,
            "method": plan.method,
            "unit": plan.unit,
            "widest": plan.widest,
            "noise_ratio": plan.noise_ratio,
        }
        for key in ("now", "halve", "settle"):
            size = getattr(plan, key)
            for name, value in (asdict(size) if size else dict.fromkeys(asdict(plan.now))).items():
                row[f"{key}_{name}"] = value
        row["advice"] = " ".join(plan.sentences())
        row["headline"] = plan.outcome in headline
        rows.append(row)
    return rows
