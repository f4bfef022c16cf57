"""Sweep analysis: sensitivity (SALib), scenario discovery (PRIM, trees), rules.

Typical use in a notebook::

    from sim.analysis import analyse, load_series, load_sweep, sensitivity, discover
    from sim.report.sweep_report import write_sweep_report

    data = load_sweep("results/sweeps/baseline")
    sensitivity(data, "value_created")          # indices, thresholds, significance
    discover(data, "value_creation").rules()    # rules measured on held-out runs
    analysis = analyse(data)
    analysis.conclusions["value_created"].statement  # ranked, or "too small to conclude"
    analysis.plans["value_created"].sentences()      # how much more to run
    write_sweep_report("results/sweeps/baseline")
    load_series("results/sweeps/weekly")       # per-week outcomes, when the sweep asks

The HTML report is drawn by :mod:`sim.report.sweep_report`.
"""

from sim.analysis.conclusions import Conclusion, conclude, conclusions
from sim.analysis.convergence import ConvergenceResult, convergence, prefix_sizes
from sim.analysis.data import (
    Availability,
    PointResponse,
    SweepData,
    availability,
    from_frames,
    load_sweep,
    point_response,
    point_values,
    run_summary,
)
from sim.analysis.discovery import DiscoveryResult, discover, discover_failures, discover_xy
from sim.analysis.noise import noise_shares
from sim.analysis.pipeline import Analysis, analyse, write_analysis_files
from sim.analysis.plan import OutcomePlan, plans
from sim.analysis.prim import (
    BoxTest,
    PrimBox,
    PrimResult,
    choose_box,
    held_out_boxes,
    peeling_trajectory,
    prim,
    quasi_p_values,
)
from sim.analysis.rules import box_rule, describe_conditions, human, rules
from sim.analysis.sensitivity import (
    ConstantOutcomeError,
    OutcomeSensitivity,
    RefusalError,
    SensitivityWarning,
    outcome_sensitivity,
    sensitivity,
)
from sim.analysis.sobol import Resampling, SobolEstimate, sobol_indices
from sim.analysis.tree import ClassificationTree, classification_tree, leaf_table
from sim.engine.store import load_series

__all__ = [
    "Analysis",
    "Availability",
    "BoxTest",
    "ClassificationTree",
    "Conclusion",
    "ConstantOutcomeError",
    "ConvergenceResult",
    "DiscoveryResult",
    "OutcomePlan",
    "OutcomeSensitivity",
    "PointResponse",
    "PrimBox",
    "PrimResult",
    "RefusalError",
    "Resampling",
    "SensitivityWarning",
    "SobolEstimate",
    "SweepData",
    "analyse",
    "availability",
    "box_rule",
    "choose_box",
    "classification_tree",
    "conclude",
    "conclusions",
    "convergence",
    "describe_conditions",
    "discover",
    "discover_failures",
    "discover_xy",
    "from_frames",
    "held_out_boxes",
    "human",
    "leaf_table",
    "load_series",
    "load_sweep",
    "noise_shares",
    "outcome_sensitivity",
    "peeling_trajectory",
    "plans",
    "point_response",
    "point_values",
    "prefix_sizes",
    "prim",
    "quasi_p_values",
    "rules",
    "run_summary",
    "sensitivity",
    "sobol_indices",
    "write_analysis_files",
]
