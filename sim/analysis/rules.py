"""Plain-language rules from PRIM boxes and tree leaves.

A box tested on held-out cases becomes a sentence such as: "In 82% of the 412 held-out
runs where trust >= 0.6 and urgency <= 0.3, value creation occurs (against 35% of all
held-out runs); these conditions cover 71% of the held-out value-creation runs
(p < 0.001)." Every figure in it is measured on the held-out cases; the p-value is the
one-sided binomial test of the box's held-out density against the held-out base rate.
Names lose their underscores, numbers are rounded to the parameter's scale (two
significant digits of its range), integer parameters get whole-number limits,
integer-coded choice parameters are spelled out as their values, and a parameter that
takes only a few values (a grid, Morris levels) is written as the values allow: a limit
between two neighbouring values is known only to lie between them ("incumbent p >= 0.4
(threshold between 0.2 and 0.4)").
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

#: Most distinct values a parameter may take to be written as a grid.
GRID_VALUES = 12


@dataclass(frozen=True)
class DimInfo:
    """How to write one parameter's limits.

    Attributes:
        name: Parameter name.
        low: Smallest value in the data.
        high: Largest value in the data.
        integer: Whether every value is a whole number.
        labels: Category labels when the parameter is an integer-coded choice.
        grid: The distinct values, sorted, when there are at most :data:`GRID_VALUES`
            of them and neighbours are more than one whole step apart (a grid, Morris
            levels): limits are then written as the values allow.
    """

    name: str
    low: float
    high: float
    integer: bool = False
    labels: tuple[Any, ...] | None = None
    grid: tuple[float, ...] | None = None


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
        integer = bool(finite.size and np.all(finite == np.round(finite)))
        distinct = np.unique(finite)
        gappy = len(distinct) > 1 and (not integer or np.diff(distinct).min() > 1)
        out[name] = DimInfo(
            name=name,
            low=low,
            high=high,
            integer=integer,
            labels=tuple(coded) if coded is not None else None,
            grid=(
                tuple(float(v) for v in distinct)
                if coded is None and gappy and len(distinct) <= GRID_VALUES
                else None
            ),
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
    if info is not None and info.grid is not None:
        return _grid_condition(label, lower, upper, info, strict_lower=strict_lower)
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


def _grid_condition(
    label: str, lower: float | None, upper: float | None, info: DimInfo, *, strict_lower: bool
) -> str:
    """A condition on a parameter with few values: the values kept, and where limits lie."""
    values = np.asarray(info.grid, dtype=float)
    keep = np.ones(len(values), dtype=bool)
    if lower is not None:
        keep &= (values > lower) if strict_lower else (values >= lower)
    if upper is not None:
        keep &= values <= upper
    if not keep.any():
        return f"{label} is none of its values"
    first, last = (int(i) for i in np.flatnonzero(keep)[[0, -1]])
    words = [format_number(v, info.high - info.low) for v in values]
    cut_low = lower is not None and first > 0
    cut_high = upper is not None and last < len(values) - 1
    if first == last:
        text = f"{label} = {words[first]}"
    elif cut_low and cut_high:
        text = f"{label} from {words[first]} to {words[last]}"
    elif cut_low:
        text = f"{label} >= {words[first]}"
    else:
        text = f"{label} <= {words[last]}"
    gaps = [f"between {words[first - 1]} and {words[first]}"] if cut_low else []
    gaps += [f"between {words[last]} and {words[last + 1]}"] if cut_high else []
    if not gaps:
        return text
    return f"{text} ({'threshold' if len(gaps) == 1 else 'thresholds'} {' and '.join(gaps)})"


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
    """One PRIM box as a sentence, with held-out figures when the box was tested.

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
    test = box.held_out
    n, density, coverage, base, p_value = (
        (test.n, test.density, test.coverage, test.base_rate, test.p_value)
        if test is not None
        else (box.n, box.density, box.coverage, box.base_rate, box.p_value)
    )
    held = "held-out " if test is not None else ""
    share = format_percent(density)
    if box.index == 1:
        head = f"In {share} of the {n:,} {held}{units} where {where}, {event}"
        against = f"against {format_percent(base)} of all {held}{units}"
        cover = f"these conditions cover {format_percent(coverage)} of the {held}{group}"
    else:
        head = (
            f"Beyond the rules above, in {share} of the {n:,} remaining {held}{units} where "
            f"{where}, {event}"
        )
        against = f"against {format_percent(base)} of the remaining {held}{units}"
        cover = f"these conditions cover a further {format_percent(coverage)} of the {held}{group}"
    return f"{head} ({against}); {cover} ({format_p(p_value)})."


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
    held_out: bool = False,
) -> str:
    """One tree leaf as a sentence (its figures on held-out cases when ``held_out``)."""
    held = "held-out " if held_out else ""
    units = held + unit_words(unit)
    where = describe_conditions(conditions, info, strict_lower=True)
    return (
        f"If {where}: {human(class_name)} in {format_percent(density)} of {units} "
        f"({n:,} {units}, {format_percent(support)} of all; "
        f"{format_percent(coverage)} of the {held}{hyphenated(class_name)} {unit_words(unit)})."
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
