"""Convergence of sensitivity indices over growing parts of the design.

Indices are recomputed on growing prefixes of the design: whole Saltelli blocks for
Sobol' (``N*(2D+2)`` or ``N*(D+2)`` rows), whole trajectories for Morris, and for
given-data methods nested random subsets of the points that have a value (a fixed
permutation, so every subset holds the smaller ones; a grid's row order would bias plain
prefixes). FAST designs cannot be cut into smaller valid designs and are not assessed.

For each outcome a plain statement says whether the ranking and the confidence-interval
widths have settled: the ranking has settled when the last two prefixes order the
parameters the same way, except for pairs whose indices differ by less than their
confidence half-widths (statistical ties), and the intervals are narrow enough to trust
the order; the intervals have settled when the widest half-width at full size is within
``tolerance`` (on the index scale, relative to the largest mu* for Morris). Prefixes
hold at least 4 Saltelli blocks or Morris trajectories, or 20 points.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.data import SweepData, point_response
from sim.analysis.sensitivity import (
    MIN_POINTS,
    MethodSettings,
    OutcomeSensitivity,
    RefusalError,
    factor_names,
    outcome_sensitivity,
    resolve_seed,
    run_method,
)
from sim.analysis.sobol import Resampling
from sim.engine.design import block_size

UNITS = {"sobol": "base samples", "morris": "trajectories"}
#: Smallest prefix, in Saltelli blocks or Morris trajectories.
MIN_BLOCKS = 4
#: Smallest random subset for given-data methods, in points.
MIN_SUBSET = max(MIN_POINTS, 20)


@dataclass
class ConvergenceResult:
    """Indices on growing prefixes, and whether they have settled.

    Attributes:
        table: outcome, method, index, n_base (base samples, trajectories or points),
            n_points (rows), parameter, value, conf.
        statements: Outcome -> a plain statement.
        settled: Outcome -> ``{"ranking": bool|None, "ci": bool|None}``.
        notes: Outcome -> refusals met on the way.
    """

    table: pd.DataFrame
    statements: dict[str, str] = field(default_factory=dict)
    settled: dict[str, dict[str, bool | None]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)


def prefix_sizes(total: int, n_prefixes: int = 4, minimum: int = 2) -> list[int]:
    """Sizes of growing prefixes, halving down from ``total`` (at most ``n_prefixes``).

    Args:
        total: Size of the full design (blocks, trajectories or points).
        n_prefixes: How many sizes to aim for.
        minimum: Smallest size allowed.
    """
    sizes = {total}
    size = total
    while len(sizes) < n_prefixes:
        size = size // 2
        if size < minimum:
            break
        sizes.add(size)
    return sorted(sizes)


def convergence(
    data: SweepData,
    outcome: str | None = None,
    *,
    results: dict[str, OutcomeSensitivity] | None = None,
    n_prefixes: int = 4,
    tolerance: float = 0.1,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int | None = None,
) -> ConvergenceResult:
    """Recompute the main sensitivity index on growing prefixes of the design.

    Args:
        data: The sweep.
        outcome: One outcome, or None for all.
        results: Sensitivity results already computed (avoids recomputing which method
            applies; computed when absent).
        n_prefixes: Number of prefixes (at least 3 are needed for a statement).
        tolerance: Largest confidence half-width counted as settled.
        num_resamples: Bootstrap resamples.
        conf_level: Confidence level.
        seed: Bootstrap seed.
    """
    outcomes = data.outcomes if outcome is None else [outcome]
    seed = resolve_seed(data, seed)
    frames, statements, settled, notes = [], {}, {}, {}
    for name in outcomes:
        result = (results or {}).get(name) or outcome_sensitivity(
            data, name, num_resamples=num_resamples, conf_level=conf_level, seed=seed
        )
        table, note = _prefix_table(
            data,
            result,
            n_prefixes=n_prefixes,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=seed,
        )
        notes[name] = note
        frames.append(table)
        text, flags = _statement(
            name,
            method=result.main_method,
            index=result.main_index,
            table=table,
            tolerance=tolerance,
            conf_level=conf_level,
            notes=note,
        )
        statements[name] = text
        settled[name] = flags
    table = pd.concat(frames, ignore_index=True) if frames else _empty()
    return ConvergenceResult(table=table, statements=statements, settled=settled, notes=notes)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        columns=["outcome", "method", "index", "n_base", "n_points", "parameter", "value", "conf"]
    )


def _prefix_table(
    data: SweepData,
    result: OutcomeSensitivity,
    *,
    n_prefixes: int,
    num_resamples: int,
    conf_level: float,
    seed: int,
) -> tuple[pd.DataFrame, list[str]]:
    method, index = result.main_method, result.main_index
    notes: list[str] = []
    if method is None or index is None:
        return _empty(), ["no sensitivity method applied to this outcome"]
    if method == "fast":
        return _empty(), [
            "a FAST design cannot be cut into smaller valid designs, so convergence is not assessed"
        ]
    response = point_response(data, result.outcome)
    x_all = data.design_matrix(data.params)
    problem = data.problem
    d = len(factor_names(problem))
    if method in ("sobol", "morris"):
        step = block_size(method, d, data.second_order)
        total = len(response.mean) // step
        minimum = MIN_BLOCKS
        sizes = prefix_sizes(total, n_prefixes, minimum=minimum)
        subsets = [(size, np.arange(size * step)) for size in sizes]
    else:
        have = np.flatnonzero(np.isfinite(response.mean))
        order = have[np.random.default_rng(seed).permutation(len(have))]
        total, minimum = len(have), MIN_SUBSET
        sizes = prefix_sizes(total, n_prefixes, minimum=minimum)
        subsets = [(size, np.sort(order[:size])) for size in sizes]
    if len(sizes) < 3:
        unit = UNITS.get(method, "points")
        return _empty(), [
            f"{total} {unit} are too few for 3 growing prefixes of at least {minimum}"
        ]
    settings = MethodSettings(
        options=data.options,
        second_order=data.second_order,
        resampling=Resampling(num_resamples, conf_level, seed),
    )
    rows = []
    for size, rows_used in subsets:
        try:
            found = run_method(
                method, problem, x_all[rows_used], response.take(rows_used), settings
            )
        except RefusalError as exc:
            notes.append(f"n={size}: {exc}")
            continue
        except Exception as exc:  # an analyser failing on a small prefix
            notes.append(f"n={size}: {type(exc).__name__}: {exc}")
            continue
        rows += [
            {
                "outcome": result.outcome,
                "method": method,
                "index": index,
                "n_base": size,
                "n_points": len(rows_used),
                "parameter": r["parameter"],
                "value": r["value"],
                "conf": r["conf"],
            }
            for r in found.rows
            if r["index"] == index and r["parameter2"] is None
        ]
    return (pd.DataFrame(rows) if rows else _empty()), notes


def _statement(
    outcome: str,
    *,
    method: str | None,
    index: str | None,
    table: pd.DataFrame,
    tolerance: float,
    conf_level: float,
    notes: list[str],
) -> tuple[str, dict[str, bool | None]]:
    flags: dict[str, bool | None] = {"ranking": None, "ci": None}
    sizes = sorted(table["n_base"].unique()) if len(table) else []
    if method is None or len(sizes) < 3:
        why = notes[0] if notes else f"fewer than 3 usable prefixes ({len(sizes)})"
        if sizes and notes:
            why = f"only {len(sizes)} of the growing prefixes could be analysed; {why}"
        return f"{outcome}: convergence not assessed: {why}.", flags
    unit = UNITS.get(method, "points")
    by_size = {n: table[table["n_base"] == n].set_index("parameter") for n in sizes}
    last, prev, first = by_size[sizes[-1]], by_size[sizes[-2]], by_size[sizes[0]]
    params = list(last.index)
    scale = float(last["value"].abs().max()) if method == "morris" else 1.0
    scale = scale if scale > 0 else 1.0
    value_last = last["value"].to_dict()
    value_prev = prev["value"].reindex(params).to_dict()
    conf_last = last["conf"].to_dict()
    swaps, ties = [], 0
    for a, b in itertools.combinations(params, 2):
        d_last = value_last[a] - value_last[b]
        d_prev = value_prev[a] - value_prev[b]
        if np.sign(d_last) == np.sign(d_prev):
            continue
        half = np.nanmax([conf_last[a], conf_last[b], 0.0])
        if abs(d_last) <= half:
            ties += 1
        else:
            swaps.append(f"{a}/{b}")
    width_last = _widest(last["conf"]) / scale
    width_first = _widest(first["conf"]) / scale
    if np.isfinite(width_last):
        flags["ci"] = bool(width_last <= tolerance)
    # An unchanged order only counts as settled when the intervals are narrow enough
    # to trust it (or when the method gives none).
    flags["ranking"] = not swaps and flags["ci"] is not False
    ns = ", ".join(str(n) for n in sizes)
    text = f"{outcome} ({method} {index}, n = {ns} {unit}): "
    pair = f"n={sizes[-2]} and n={sizes[-1]}"
    tie_note = f", apart from {ties} statistical tie(s)" if ties else ""
    if swaps:
        text += (
            f"the ranking has not settled: {len(swaps)} pair(s) swap order between {pair} "
            f"({', '.join(swaps[:4])})"
        )
    elif flags["ranking"]:
        text += f"the ranking has settled (same order at {pair}{tie_note})"
    else:
        text += (
            f"the order is the same at {pair}{tie_note}, but the intervals are too wide "
            "to call the ranking settled"
        )
    rel = " of the largest mu*" if method == "morris" else ""
    if flags["ci"] is None:
        text += f"; {method} gives no confidence intervals."
    else:
        verdict = "within" if flags["ci"] else "above"
        text += (
            f"; the widest {round(conf_level * 100)}% confidence half-width is "
            f"{width_last:.3f}{rel} (it was {width_first:.3f} at n={sizes[0]}), {verdict} the "
            f"{tolerance:g} tolerance"
        )
        text += "." if flags["ci"] else ": more runs would sharpen the indices."
    return text, flags


def _widest(conf: pd.Series) -> float:
    values = conf.to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    return float(values.max()) if values.size else float("nan")


def settled_summary(result: ConvergenceResult) -> dict[str, Any]:
    """Counts of outcomes whose ranking and intervals have settled."""
    return {
        "ranking_settled": sum(1 for f in result.settled.values() if f["ranking"]),
        "ci_settled": sum(1 for f in result.settled.values() if f["ci"]),
        "assessed": sum(1 for f in result.settled.values() if f["ranking"] is not None),
    }
