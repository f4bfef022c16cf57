"""Scenario discovery: which parameter regions lead to an outcome class.

For each outcome class in the manifest (say ``value_creation``), the cases are, by
default, **runs**: every finished run with a class value is one case, its parameters are
its design point's, and its label is whether the class held. Replicates of a point are
independent draws given the parameters, so densities read directly as "in X% of runs".
With ``unit="point"`` the cases are design points instead, labelled by whether the class
held in at least half of the point's finished replicates (``point_threshold``).

**Held-out statistics.** A box chosen among many candidates looks better on the cases it
was chosen on than it is. So the cases are split in two at random (seeded): PRIM and the
tree search one half, and each box's coverage, density, case count and p-value are
measured on the other half, the held-out cases, which played no part in choosing it
(boxes are kept in order while they hold there: :func:`sim.analysis.prim.held_out_boxes`).
Cases are split by design unit, never within one: replicates of a point stay together,
and so do the rows of a Saltelli base sample (``A``, the ``AB_i``, ``BA_i`` and ``B``
share coordinates) and the points of a Morris trajectory. Boxes must hold at least
:data:`MIN_SUPPORT` cases on each half. A class that the parameters do not explain gives
no rule.

Saltelli and Morris designs are not space-filling samples (their rows differ from each
other in one coordinate at a time), which the result's notes say; a Latin hypercube
sweep is the design for scenario discovery.

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
from sim.analysis.prim import PrimResult, held_out_boxes, prim
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
from sim.engine.design import block_size

#: Fewest cases (both halves together) scenario discovery runs on.
MIN_CASES = 100
#: Fewest cases a box must hold, on the half it is found on and on the held-out half.
MIN_SUPPORT = 20
#: Significance a box needs on the held-out cases.
ALPHA = 0.05
#: Design unit kept whole by the split, per design method.
UNIT_NAMES = {"sobol": "Saltelli base samples", "morris": "trajectories"}


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
        held_out: Per case, whether it is held out (boxes are found on the others).
        prim: PRIM boxes found on the search half and kept on the held-out half (None
            when discovery was not possible).
        tree: Classification tree fitted on the search half (None when not possible).
        reason: Why discovery was not possible (empty when it ran).
        event: Wording of what happens ("value creation occurs").
        group: Wording of the cases of interest ("value-creation runs").
        notes: Further plain notes (exclusions, the design, boxes that did not hold).
    """

    class_name: str
    predicate: str
    unit: str
    x: pd.DataFrame
    y: np.ndarray
    excluded: int
    info: dict[str, DimInfo]
    held_out: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
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

    @property
    def n_held_out(self) -> int:
        """Held-out cases."""
        return int(self.held_out.sum())

    def summary(self) -> str:
        """Base rate, the split and exclusions in words."""
        text = base_rate_sentence(self.class_name, self.k, self.n, unit=self.unit)
        units = unit_words(self.unit)
        if not self.n:
            text = f"No {units[:-1]} has a {human(self.class_name)} value."
        elif self.event:
            text = (
                f"{self.event[0].upper() + self.event[1:]} in {format_percent(self.base_rate)} "
                f"of the {self.n:,} {units} ({self.k:,})."
            )
        if self.n_held_out:
            text += (
                f" Boxes are found on {self.n - self.n_held_out:,} {units} and measured on "
                f"the other {self.n_held_out:,} (held out)."
            )
        if self.excluded:
            text += f" {self.excluded:,} {units} without a class value (not finished or null) "
            text += "are left out."
        return text

    def no_box_sentence(self) -> str:
        """Why there is no rule."""
        if self.reason:
            return f"No rule for {human(self.class_name)}: {self.reason}"
        stopped = self.prim.stopped if self.prim is not None else ""
        return f"No rule for {human(self.class_name)}: {stopped}".strip()

    def rules(self) -> list[str]:
        """Plain-language rules, one per kept PRIM box."""
        return rules(self)

    def tree_rules(self) -> pd.DataFrame:
        """Tree leaves (fitted on the search half, counted on the held-out half)."""
        columns = ["leaf", "rule", "n", "k", "density", "support", "coverage", "conditions"]
        if self.tree is None:
            return pd.DataFrame(columns=columns)
        test = self.held_out if self.held_out.any() else np.ones(self.n, dtype=bool)
        table = leaf_table(self.tree, self.x.loc[test, self.tree.names], self.y[test])
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
                held_out=bool(self.held_out.any()),
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


def design_units(data: SweepData) -> np.ndarray:
    """Per design point, the design unit it belongs to (kept whole by the split).

    A Saltelli base sample for Sobol' designs, a trajectory for Morris, else the point.
    """
    points = data.points
    if data.method in UNIT_NAMES:
        size = block_size(data.method, len(data.groups or data.params), data.second_order)
        return points // size
    return points


def split_cases(groups: np.ndarray, seed: int) -> np.ndarray:
    """Hold out about half of the groups, at random: whether each case is held out."""
    unique = np.unique(groups)
    order = np.random.default_rng(seed).permutation(len(unique))
    held = set(unique[order[len(unique) // 2 :]].tolist())
    return np.array([g in held for g in groups.tolist()], dtype=bool)


@dataclass(frozen=True)
class Wording:
    """How a class is written in rules.

    Attributes:
        predicate: The class predicate, for the record.
        event: What happens ("the run fails or times out").
        group: The cases of interest ("failed or timed-out runs").
        labels: Category labels of integer-coded choice columns.
    """

    predicate: str = ""
    event: str | None = None
    group: str | None = None
    labels: Mapping[str, Sequence[Any] | None] | None = None


def discover_xy(
    x: pd.DataFrame,
    y: np.ndarray | Sequence[float],
    class_name: str,
    *,
    unit: str = "run",
    wording: Wording | None = None,
    groups: np.ndarray | None = None,
    excluded: int = 0,
    max_depth: int = 3,
    seed: int = 0,
    **prim_options: Any,
) -> DiscoveryResult:
    """Scenario discovery on given cases, with boxes tested on held-out cases.

    Args:
        x: Cases by parameters (numeric).
        y: Class label per case (0/1).
        class_name: Class name.
        unit: ``run`` or ``point``.
        wording: Predicate, event and group wording, choice labels.
        groups: Per case, the design unit it belongs to (default: each case alone);
            the split never separates a group.
        excluded: Cases left out before this call.
        max_depth: Depth of the tree.
        seed: Seed of the split and of PRIM's resampling.
        **prim_options: Passed to :func:`sim.analysis.prim.prim`.
    """
    wording = wording or Wording()
    y = np.asarray(y, dtype=np.float64)
    x = x.reset_index(drop=True)
    varied = [c for c in x.columns if len(x) and x[c].min() < x[c].max()]
    result = DiscoveryResult(
        class_name=class_name,
        predicate=wording.predicate,
        unit=unit,
        x=x,
        y=y,
        excluded=excluded,
        info=dimension_info(x, wording.labels),
        event=wording.event,
        group=wording.group,
    )
    k = int(y.sum())
    units = unit_words(unit)
    if len(y) < MIN_CASES:
        result.reason = (
            f"only {len(y)} {units} have a class value; scenario discovery with held-out "
            f"checks needs at least {MIN_CASES}: too small to conclude."
        )
    elif k == 0:
        result.reason = f"it never occurs in the {len(y):,} {units}."
    elif k == len(y):
        result.reason = f"it occurs in all {len(y):,} {units}, so no condition singles it out."
    elif not varied:
        result.reason = "no parameter varies across the cases."
    if result.reason:
        return result
    groups = np.arange(len(y)) if groups is None else np.asarray(groups)
    result.held_out = split_cases(groups, seed)
    search, test = ~result.held_out, result.held_out
    options = dict(prim_options)
    options["mass_min"] = max(options.get("mass_min", 0.05), MIN_SUPPORT / max(search.sum(), 1))
    options.setdefault("seed", seed)
    found = prim(x.loc[search, varied], y[search], **options)
    kept, why = held_out_boxes(
        found.boxes, x.loc[test, varied], y[test], alpha=ALPHA, min_support=MIN_SUPPORT
    )
    if why:
        result.notes.append(f"Not kept: {why}")
        found.stopped = why if not kept else f"{why} Earlier boxes held."
    found.boxes = kept
    result.prim = found
    result.tree = classification_tree(x.loc[search, varied], y[search], max_depth=max_depth)
    return result


def discover(
    data: SweepData,
    class_name: str,
    *,
    unit: str = "run",
    point_threshold: float = 0.5,
    max_depth: int = 3,
    seed: int = 0,
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
        seed: Seed of the split and of PRIM's resampling.
        **prim_options: Passed to :func:`sim.analysis.prim.prim`.

    Returns:
        PRIM boxes, tree, and the data they were found on.
    """
    if unit not in ("run", "point"):
        raise ValueError("unit must be 'run' or 'point'")
    points, labels = design_frame(data)
    unit_of = pd.Series(design_units(data), index=data.points)
    column = data.class_column(class_name)
    done = (data.runs["status"] == "done").to_numpy()
    known = done & column.notna().to_numpy()
    expected = data.n_points * data.replicates
    if unit == "run":
        at = data.runs.loc[known, "point"].to_numpy()
        y = column[known].astype(bool).to_numpy(dtype=np.float64)
        excluded = expected - int(known.sum())
    else:
        frame = pd.DataFrame(
            {"point": data.runs.loc[known, "point"], "y": column[known].astype(float)}
        )
        share = frame.groupby("point")["y"].mean()
        at = share.index.to_numpy()
        y = (share.to_numpy() >= point_threshold).astype(np.float64)
        excluded = data.n_points - len(share)
    result = discover_xy(
        points.loc[at],
        y,
        class_name,
        unit=unit,
        wording=Wording(predicate=data.classes.get(class_name, ""), labels=labels),
        groups=unit_of.loc[at].to_numpy(),
        excluded=excluded,
        max_depth=max_depth,
        seed=seed,
        **prim_options,
    )
    if unit == "point":
        result.notes.append(
            f"A design point counts as {human(class_name)} when the class holds in at least "
            f"{point_threshold:.0%} of its finished replicates."
        )
    result.notes += design_notes(data)
    return result


def design_notes(data: SweepData) -> list[str]:
    """What scenario discovery should know about the sweep's design."""
    if data.method not in UNIT_NAMES:
        return []
    kind = "Saltelli (Sobol')" if data.method == "sobol" else "Morris"
    return [
        f"This is a {kind} design, not a space-filling sample: its points differ from each "
        "other one coordinate at a time. Boxes are found and tested on separate halves of "
        f"the {UNIT_NAMES[data.method]}, but points within a half are not independent, so "
        "held-out p-values are optimistic. For scenario discovery, run a Latin hypercube "
        "sweep (design: latin)."
    ]


def discover_failures(data: SweepData, seed: int = 0, **prim_options: Any) -> DiscoveryResult:
    """Where in parameter space runs fail or time out (cases: every recorded run)."""
    points, labels = design_frame(data)
    runs = data.runs
    at = runs["point"].to_numpy()
    unit_of = pd.Series(design_units(data), index=data.points)
    y = (runs["status"] != "done").to_numpy(dtype=np.float64)
    return discover_xy(
        points.loc[at],
        y,
        "failure",
        unit="run",
        wording=Wording(
            predicate="status is failed or timeout",
            event="the run fails or times out",
            group="failed or timed-out runs",
            labels=labels,
        ),
        groups=unit_of.loc[at].to_numpy(),
        seed=seed,
        **prim_options,
    )
