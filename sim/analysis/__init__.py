"""Sweep analysis: sensitivity (SALib), scenario discovery (PRIM, trees), rules.

Typical use in a notebook::

    from sim.analysis import load_sweep, sensitivity, discover
    from sim.report.sweep_report import write_sweep_report

    data = load_sweep("results/sweeps/baseline")
    sensitivity(data, "value_created")          # long table of indices
    discover(data, "value_creation").rules()    # plain-language rules
    write_sweep_report("results/sweeps/baseline")

The HTML report is drawn by :mod:`sim.report.sweep_report`.
"""

from sim.analysis.convergence import ConvergenceResult, convergence, prefix_sizes
from sim.analysis.data import (
    Availability,
    SweepData,
    availability,
    from_frames,
    load_sweep,
    point_values,
    run_summary,
)
from sim.analysis.discovery import DiscoveryResult, discover, discover_failures, discover_xy
from sim.analysis.noise import noise_shares
from sim.analysis.pipeline import Analysis, analyse, write_analysis_files
from sim.analysis.prim import (
    PrimBox,
    PrimResult,
    choose_box,
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
from sim.analysis.tree import ClassificationTree, classification_tree, leaf_table

__all__ = [
    "Analysis",
    "Availability",
    "ClassificationTree",
    "ConstantOutcomeError",
    "ConvergenceResult",
    "DiscoveryResult",
    "OutcomeSensitivity",
    "PrimBox",
    "PrimResult",
    "RefusalError",
    "SensitivityWarning",
    "SweepData",
    "analyse",
    "availability",
    "box_rule",
    "choose_box",
    "classification_tree",
    "convergence",
    "describe_conditions",
    "discover",
    "discover_failures",
    "discover_xy",
    "from_frames",
    "human",
    "leaf_table",
    "load_sweep",
    "noise_shares",
    "outcome_sensitivity",
    "peeling_trajectory",
    "point_values",
    "prefix_sizes",
    "prim",
    "quasi_p_values",
    "rules",
    "run_summary",
    "sensitivity",
    "write_analysis_files",
]
