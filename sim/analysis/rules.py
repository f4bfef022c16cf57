"""Plain-language rules from PRIM boxes and tree leaves.

A box becomes a sentence such as: "In 82% of runs where trust >= 0.6 and urgency <= 0.3,
value creation occurs; these conditions cover 71% of all value-creation runs
(p < 0.01)." Names lose their underscores, numbers are rounded to the parameter's scale
(two significant digits of its range), integer parameters get whole-number limits, and
integer-coded choice parameters are spelled out as their values. The p-value is the
box's one-sided binomial test of its density against the base rate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.analysis.prim import PrimBox


@dataclass(frozen=True)
class DimInfo:
    """How to write one parameter's limits.

    Attributes:
        name: Parameter name.
        low: Smallest value in the data.
        high: Largest value in the data.
        integer: Whether every value is a whole number.
        labels: Category labels when the parameter is an integer-coded choice.
    """

    name: str
    low: float
    high: float
    integer: bool = False
    labels: tuple[Any, ...] | None = None


def dimension_info(
    x: pd.DataFrame, labels: Mapping[str, Sequence[Any] | None] | None = None
) -> dict[str, DimInfo]:
    """Describe each column of ``x`` for rule writing.

    Args:
        x: Cases by parameters (numeric).
        labels: Category labels of integer-coded choice parameters.
    """
    labels = labels or {}
    out = {}
    for name in x.columns:
        values = x[name].to_numpy(dtype=np.float64)
        finite = values[np.isfinite(values)]
        low = float(finite.min()) if finite.size else 0.0
        high = float(finite.max()) if finite.size else 1.0
        coded = labels.get(name)
        out[name] = DimInfo(
            name=name,
            low=low,
            high=high,
            integer=bool(finite.size and np.all(finite == np.round(finite))),
            labels=tuple(coded) if coded is not None else None,
        )
    return out


def human(name: str) -> str:
    """A parameter, outcome or class name in words: underscores become spaces."""
    return " ".join(str(name).replace("_", " ").split())


def hyphenated(name: str) -> str:
    """A class name as a compound adjective ("value_creation" -> "value-creation")."""
    return "-".join(human(name).split())


def format_number(value: float, span: float) -> str:
    """Round ``value`` to a hundredth of ``span``'s order and drop trailing zeros.

    A range of (0.1, 1] gives two decimals, (1, 10] one, (10, 100] none.
    """
    if not np.isfinite(value):
        return str(value)
    span = abs(span)
    decimals = 2 if span <= 0 or not np.isfinite(span) else max(0, 2 - math.ceil(math.log10(span)))
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_percent(share: float) -> str:
    """A share as a whole percentage, with "<1%" and ">99%" at the ends."""
    if not np.isfinite(share):
        return "n/a"
    if 0 < share < 0.005:
        return "<1%"
    if 0.995 <= share < 1:
        return ">99%"
    return f"{round(share * 100)}%"


def format_p(p: float) -> str:
    """A p-value for a sentence: "p < 0.001", "p < 0.01", "p = 0.03", "p = 0.2"."""
    if not np.isfinite(p):
        return "p n/a"
    if p < 0.001:
        return "p < 0.001"
    if p < 0.01:
        return "p < 0.01"
    if p < 0.1:
        return f"p = {p:.2f}"
    return f"p = {p:.1f}"


def _label_text(labels: Sequence[Any]) -> str:
    words = [human(str(v)) for v in labels]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def describe_condition(
    name: str,
    lower: float | None,
    upper: float | None,
    info: DimInfo | None = None,
    *,
    strict_lower: bool = False,
) -> str:
    """One condition in words, e.g. "trust >= 0.6" or "urgency between 0.2 and 0.5".

    Args:
        name: Parameter name.
        lower: Lower limit (None when unrestricted below).
        upper: Upper limit (None when unrestricted above).
        info: How to write the parameter (range, integer, labels).
        strict_lower: Whether the lower limit is exclusive (tree splits).
    """
    label = human(name)
    span = (info.high - info.low) if info is not None else 1.0
    if info is not None and info.labels is not None:
        codes = np.arange(len(info.labels))
        keep = np.ones(len(codes), dtype=bool)
        if lower is not None:
            keep &= (codes > lower) if strict_lower else (codes >= lower)
        if upper is not None:
            keep &= codes <= upper
        chosen = [info.labels[i] for i in codes[keep]]
        return f"{label} is {_label_text(chosen)}" if chosen else f"{label} is none of its values"
    if info is not None and info.integer:
        lo = None
        if lower is not None:
            lo = math.floor(lower) + 1 if strict_lower else math.ceil(lower)
        hi = math.floor(upper) if upper is not None else None
        if lo is not None and hi is not None:
            return f"{label} = {lo}" if lo == hi else f"{label} from {lo} to {hi}"
        if lo is not None:
            return f"{label} >= {lo}"
        return f"{label} <= {hi}"
    if lower is not None and upper is not None:
        return f"{label} between {format_number(lower, span)} and {format_number(upper, span)}"
    if lower is not None:
        return f"{label} {'>' if strict_lower else '>='} {format_number(lower, span)}"
    return f"{label} <= {format_number(upper, span)}"


def describe_conditions(
    conditions: Mapping[str, tuple[float | None, float | None]],
    info: Mapping[str, DimInfo] | None = None,
    *,
    strict_lower: bool = False,
) -> str:
    """Several conditions joined with "and" (or "any parameter values" when none)."""
    info = info or {}
    parts = [
        describe_condition(name, lo, hi, info.get(name), strict_lower=strict_lower)
        for name, (lo, hi) in conditions.items()
    ]
    return " and ".join(parts) if parts else "any parameter values"


def unit_words(unit: str) -> str:
    """The plural noun for a case unit: runs or design points."""
    return "runs" if unit == "run" else "design points"


def box_rule(
    box: PrimBox,
    class_name: str,
    *,
    unit: str = "run",
    info: Mapping[str, DimInfo] | None = None,
    event: str | None = None,
    group: str | None = None,
) -> str:
    """One PRIM box as a sentence.

    Args:
        box: The box.
        class_name: Class name (e.g. ``value_creation``).
        unit: ``run`` or ``point`` (what the cases are).
        info: How to write each parameter.
        event: What happens, default "<class> occurs".
        group: The cases of interest, default "<class> runs".
    """
    units = unit_words(unit)
    event = event or (
        f"{human(class_name)} occurs" + (" in most replicates" if unit == "point" else "")
    )
    group = group or f"{hyphenated(class_name)} {units}"
    where = describe_conditions(box.restrictions(), info)
    share = format_percent(box.density)
    if box.index == 1:
        head = f"In {share} of {units} where {where}, {event}"
        cover = "these conditions cover"
    else:
        head = f"Beyond the rules above, in {share} of the remaining {units} where {where}, {event}"
        cover = "these conditions cover a further"
    return (
        f"{head}; {cover} {format_percent(box.coverage)} of all {group} ({format_p(box.p_value)})."
    )


def tree_rule(
    conditions: Mapping[str, tuple[float | None, float | None]],
    *,
    density: float,
    n: int,
    support: float,
    coverage: float,
    class_name: str,
    unit: str = "run",
    info: Mapping[str, DimInfo] | None = None,
) -> str:
    """One tree leaf as a sentence."""
    units = unit_words(unit)
    where = describe_conditions(conditions, info, strict_lower=True)
    return (
        f"If {where}: {human(class_name)} in {format_percent(density)} of {units} "
        f"({n:,} {units}, {format_percent(support)} of all; "
        f"{format_percent(coverage)} of all {hyphenated(class_name)} {units})."
    )


def base_rate_sentence(class_name: str, k: int, n: int, *, unit: str = "run") -> str:
    """How often the class holds overall."""
    units = unit_words(unit)
    share = format_percent(k / n) if n else "n/a"
    return f"{human(class_name).capitalize()} occurs in {share} of the {n:,} {units} ({k:,})."


def rules(result: Any) -> list[str]:
    """The plain-language rules of a scenario-discovery result, one per PRIM box.

    Args:
        result: A :class:`~sim.analysis.discovery.DiscoveryResult`.

    Returns:
        One sentence per box; when no box was found, one sentence saying so and why.
    """
    if result.prim is None or not result.prim.boxes:
        return [result.no_box_sentence()]
    return [
        box_rule(
            box,
            result.class_name,
            unit=result.unit,
            info=result.info,
            event=result.event,
            group=result.group,
        )
        for box in result.prim.boxes
    ]
