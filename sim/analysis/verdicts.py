"""Verdicts on claims tested as paired comparisons, adjusted for the number of tests.

A claim says which way a measure moves from arm A to arm B (``higher`` or ``lower``).
It is tested at the scenario's own setting and at a few values of one named moderator;
each point is a paired difference (:mod:`sim.analysis.paired`). Every point of every
claim is one test of one family: the two-sided paired-t p-values are adjusted with
Holm's step-down method (Holm 1979), which keeps the chance of any false call at most
``alpha`` however the tests depend on each other. At a point the claim *holds* when its
adjusted p is below ``alpha`` and the difference goes the claimed way, is *reversed* when
it goes the other way, and is *unclear* otherwise. The verdict reads the points:

- **supported**: the claim holds at every point;
- **conditional on the moderator**: it holds at some points only (those are named);
- **refuted**: it holds nowhere and is reversed somewhere;
- **too small to conclude**: it holds nowhere and is reversed nowhere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from scipy import stats

from sim.analysis.paired import PairedDifference

ALPHA = 0.05
Direction = Literal["higher", "lower"]
Status = Literal["holds", "reversed", "unclear"]
SUPPORTED = "supported"
REFUTED = "refuted"
TOO_SMALL = "too small to conclude"
CONDITIONAL = "conditional"


def p_value(difference: PairedDifference) -> float:
    """Two-sided paired-t p-value of a difference, read from its own interval.

    The interval is mean ± t × se, so se follows from its width; the p-value is then
    that of the paired t-test on the same pairs. NaN when there are too few pairs.
    """
    if not math.isfinite(difference.low):
        return float("nan")
    critical = stats.t.ppf(0.5 + difference.confidence / 2, difference.n - 1)
    se = (difference.high - difference.low) / (2 * critical)
    if se <= 0:  # every pair differs by the same amount
        return 1.0 if difference.difference == 0 else 0.0
    return float(2 * stats.t.sf(abs(difference.difference) / se, difference.n - 1))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given (NaN counts as 1)."""
    raw = [1.0 if not math.isfinite(p) else p for p in p_values]
    order = sorted(range(len(raw)), key=raw.__getitem__)
    adjusted = [1.0] * len(raw)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(raw) - rank) * raw[index]))
        adjusted[index] = running
    return adjusted


@dataclass(frozen=True)
class Hypothesis:
    """A claimed direction of B − A for one measure, measured at each moderator value.

    Attributes:
        direction: ``"higher"`` or ``"lower"``: which way the claim says B − A goes.
        moderator: Name of the setting swept to find where the claim holds.
        points: ``(moderator value, paired difference)`` per point; the first is the
            scenario's own setting.
    """

    direction: Direction
    moderator: str
    points: tuple[tuple[Any, PairedDifference], ...]


@dataclass(frozen=True)
class Point:
    """One tested point of a hypothesis, with its adjusted p-value and its status."""

    value: Any
    difference: PairedDifference
    p_value: float
    p_adjusted: float
    status: Status


@dataclass(frozen=True)
class Verdict:
    """What the tested points say about a claim."""

    kind: str
    moderator: str
    holds_at: tuple[Any, ...]
    reversed_at: tuple[Any, ...]

    def describe(self) -> str:
        """The verdict in words, naming the moderator values where it matters."""
        if self.kind == CONDITIONAL:
            return f"conditional on `{self.moderator}`: holds at {_listed(self.holds_at)} only"
        if self.kind == REFUTED:
            return f"refuted (the reverse at `{self.moderator}` {_listed(self.reversed_at)})"
        return self.kind


def _listed(values: tuple[Any, ...]) -> str:
    """Moderator values in words, in increasing order where they are numbers."""
    if all(isinstance(v, int | float) for v in values):
        values = tuple(sorted(values))
    return ", ".join(str(v) for v in values)


@dataclass(frozen=True)
class Judgement:
    """A hypothesis's verdict and its tested points."""

    verdict: Verdict
    points: tuple[Point, ...]


def _status(difference: PairedDifference, direction: Direction, adjusted: float) -> Status:
    if not adjusted < ALPHA:
        return "unclear"
    went = "higher" if difference.difference > 0 else "lower"
    return "holds" if went == direction else "reversed"


def verdict(moderator: str, points: Sequence[Point]) -> Verdict:
    """The verdict of one hypothesis from its tested points."""
    holds = tuple(p.value for p in points if p.status == "holds")
    reverse = tuple(p.value for p in points if p.status == "reversed")
    if holds and len(holds) == len(points):
        kind = SUPPORTED
    elif holds:
        kind = CONDITIONAL
    elif reverse:
        kind = REFUTED
    else:
        kind = TOO_SMALL
    return Verdict(kind, moderator, holds, reverse)


def judge(hypotheses: Sequence[Hypothesis]) -> list[Judgement]:
    """Verdicts for a family of hypotheses, Holm-adjusted over all their points."""
    raw = [p_value(d) for h in hypotheses for _, d in h.points]
    adjusted = iter(holm(raw))
    raw_values = iter(raw)
    judgements = []
    for h in hypotheses:
        points = []
        for value, difference in h.points:
            p, q = next(raw_values), next(adjusted)
            points.append(Point(value, difference, p, q, _status(difference, h.direction, q)))
        judgements.append(Judgement(verdict(h.moderator, points), tuple(points)))
    return judgements


def family_size(hypotheses: Sequence[Hypothesis]) -> int:
    """Number of tests in the family (every point of every hypothesis)."""
    return sum(len(h.points) for h in hypotheses)
