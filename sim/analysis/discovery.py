"""Scenario discovery: which parameter regions lead to an outcome class.

For each outcome class in the manifest (say ``value_creation``), the cases are, by
default, **runs**: every finished run with a class value is one case, its parameters are
its design point's, and its label is whether the class held. Replicates of a point are
independent draws given the parameters, so densities read directly as "in X% of runs"
and the binomial tests count runs. With ``unit="point"`` the cases are design points
instead, labelled by whether the class held in at least half of the point's finished
replicates (``point_threshold``).

Runs that did not finish, or whose class is null, are left out and counted. PRIM finds
the boxes (:mod:`sim.analysis.prim`), a shallow tree gives a second view
(:mod:`sim.analysis.tree`), and :mod:`sim.analysis.rules` writes both in words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.data import SweepData
from sim.analysis.prim import PrimResult, prim
from sim.analysis.rules import (
    DimInfo,
    base_rate_sentence,
    dimension_info,
    format_percent,
    human,
    rules,
    tree_rule,
    unit_words,
)
from sim.analysis.tree import ClassificationTree, classification_tree, leaf_table

MIN_CASES = 20


@dataclass
class DiscoveryResult:
    """Scenario discovery for one class.

    Attributes:
        class_name: The class (e.g. ``value_creation``).
        predicate: Its predicate over run outcomes, as written in the manifest.
        unit: ``run`` or ``point``.
        x: Cases by parameters (choice parameters integer-coded).
        y: Class label per case (0/1).
        excluded: Cases left out (unfinished runs, null classes).
        info: How to write each parameter in rules.
        prim: PRIM boxes (None when discovery was not possible).
        tree: Classification tree (None when discovery was not possible).
        reason: Why discovery was not possible (empty when it ran).
        event: Wording of what happens ("value creation occurs").
        group: Wording of the cases of interest ("value-creation runs").
        notes: Further plain notes (exclusions).
    """

    class_name: str
    predicate: str
    unit: str
    x: pd.DataFrame
    y: np.ndarray
    excluded: int
    info: dict[str, DimInfo]
    prim: PrimResult | None = None
    tree: ClassificationTree | None = None
    reason: str = ""
    event: str | None = None
    group: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Cases used."""
        return len(self.y)

    @property
    def k(self) -> int:
        """Cases of interest."""
        return int(np.sum(self.y))

    @property
    def base_rate(self) -> float:
        """Share of cases of interest."""
        return self.k / self.n if self.n else float("nan")

    def summary(self) -> str:
        """Base rate and exclusions in words."""
        text = base_rate_sentence(self.class_name, self.k, self.n, unit=self.unit)
        if not self.n:
            text = f"No {unit_words(self.unit)[:-1]} has a {human(self.class_name)} value."
        elif self.event:
            text = (
                f"{self.event[0].upper() + self.event[1:]} in {format_percent(self.base_rate)} "
                f"of the {self.n:,} {unit_words(self.unit)} ({self.k:,})."
            )
        if self.excluded:
            text += (
                f" {self.excluded:,} {unit_words(self.unit)} without a class value "
                "(not finished or null) are left out."
            )
        return text

    def no_box_sentence(self) -> str:
        """Why there is no rule."""
        if self.reason:
            return f"No rule for {human(self.class_name)}: {self.reason}"
        stopped = self.prim.stopped if self.prim is not None else ""
        return f"No rule for {human(self.class_name)}: {stopped}".strip()

    def rules(self) -> list[str]:
        """Plain-language rules, one per PRIM box."""
        return rules(self)

    def tree_rules(self) -> pd.DataFrame:
        """Tree leaves with a sentence each, densest first."""
        columns = ["leaf", "rule", "n", "k", "density", "support", "coverage", "conditions"]
        if self.tree is None:
            return pd.DataFrame(columns=columns)
        table = leaf_table(self.tree)
        table["rule"] = [
            tree_rule(
                row.conditions,
                density=row.density,
                n=row.n,
                support=row.support,
                coverage=row.coverage,
                class_name=self.class_name,
                unit=self.unit,
                info=self.info,
            )
            for row in table.itertuples()
        ]
        return table[columns]


def design_frame(data: SweepData) -> tuple[pd.DataFrame, dict[str, list[Any] | None]]:
    """Design points as a numeric frame indexed by point, and choice labels per column."""
    columns, labels = {}, {}
    for name in data.params:
        if name not in data.design:
            continue
        values, coded = data.coded(name)
        columns[name] = values
        labels[name] = coded
    frame = pd.DataFrame(columns, index=pd.Index(data.points, name="point"))
    return frame, labels


def discover_xy(
    x: pd.DataFrame,
    y: np.ndarray | Sequence[float],
    class_name: str,
    *,
    unit: str = "run",
    labels: Mapping[str, Sequence[Any] | None] | None = None,
    predicate: str = "",
    excluded: int = 0,
    max_depth: int = 3,
    event: str | None = None,
    group: str | None = None,
    **prim_options: Any,
) -> DiscoveryResult:
    """Scenario discovery on given cases.

    Args:
        x: Cases by parameters (numeric).
        y: Class label per case (0/1).
        class_name: Class name.
        unit: ``run`` or ``point``.
        labels: Category labels of integer-coded choice columns.
        predicate: The class predicate, for the record.
        excluded: Cases left out before this call.
        max_depth: Depth of the tree.
        event: Wording of what happens.
        group: Wording of the cases of interest.
        **prim_options: Passed to :func:`sim.analysis.prim.prim`.
    """
    y = np.asarray(y, dtype=np.float64)
    x = x.reset_index(drop=True)
    varied = [c for c in x.columns if len(x) and x[c].min() < x[c].max()]
    info = dimension_info(x, labels)
    result = DiscoveryResult(
        class_name=class_name,
        predicate=predicate,
        unit=unit,
        x=x,
        y=y,
        excluded=excluded,
        info=info,
        event=event,
        group=group,
    )
    k = int(y.sum())
    units = unit_words(unit)
    if len(y) < MIN_CASES:
        result.reason = f"only {len(y)} {units} have a class value (at least {MIN_CASES} needed)."
    elif k == 0:
        result.reason = f"it never occurs in the {len(y):,} {units}."
    elif k == len(y):
        result.reason = f"it occurs in all {len(y):,} {units}, so no condition singles it out."
    elif not varied:
        result.reason = "no parameter varies across the cases."
    if result.reason:
        return result
    result.prim = prim(x[varied], y, **prim_options)
    result.tree = classification_tree(x[varied], y, max_depth=max_depth)
    return result


def discover(
    data: SweepData,
    class_name: str,
    *,
    unit: str = "run",
    point_threshold: float = 0.5,
    max_depth: int = 3,
    **prim_options: Any,
) -> DiscoveryResult:
    """Scenario discovery for one outcome class of a sweep.

    Args:
        data: The sweep.
        class_name: A class named in the manifest.
        unit: ``run`` (each finished run is a case) or ``point`` (each design point,
            labelled by the share of replicates where the class holds).
        point_threshold: With ``unit="point"``, the share of replicates at which a
            point counts as holding the class.
        max_depth: Depth of the tree.
        **prim_options: Passed to :func:`sim.analysis.prim.prim`.

    Returns:
        PRIM boxes, tree, and the data they were found on.
    """
    if unit not in ("run", "point"):
        raise ValueError("unit must be 'run' or 'point'")
    points, labels = design_frame(data)
    column = data.class_column(class_name)
    done = (data.runs["status"] == "done").to_numpy()
    known = done & column.notna().to_numpy()
    predicate = data.classes.get(class_name, "")
    expected = data.n_points * data.replicates
    if unit == "run":
        runs = data.runs[known]
        x = points.loc[runs["point"].to_numpy()]
        y = column[known].astype(bool).to_numpy(dtype=np.float64)
        excluded = expected - int(known.sum())
    else:
        frame = pd.DataFrame(
            {"point": data.runs.loc[known, "point"], "y": column[known].astype(float)}
        )
        share = frame.groupby("point")["y"].mean()
        x = points.loc[share.index.to_numpy()]
        y = (share.to_numpy() >= point_threshold).astype(np.float64)
        excluded = data.n_points - len(share)
    result = discover_xy(
        x,
        y,
        class_name,
        unit=unit,
        labels=labels,
        predicate=predicate,
        excluded=excluded,
        max_depth=max_depth,
        **prim_options,
    )
    if unit == "point":
        result.notes.append(
            f"A design point counts as {human(class_name)} when the class holds in at least "
            f"{point_threshold:.0%} of its finished replicates."
        )
    return result


def discover_failures(data: SweepData, **prim_options: Any) -> DiscoveryResult:
    """Where in parameter space runs fail or time out (cases: every recorded run)."""
    points, labels = design_frame(data)
    runs = data.runs
    x = points.loc[runs["point"].to_numpy()]
    y = (runs["status"] != "done").to_numpy(dtype=np.float64)
    return discover_xy(
        x,
        y,
        "failure",
        unit="run",
        labels=labels,
        predicate="status is failed or timeout",
        excluded=0,
        event="the run fails or times out",
        group="failed or timed-out runs",
        **prim_options,
    )
