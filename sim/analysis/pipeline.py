"""Everything at once: :func:`analyse` a sweep and write machine-readable copies.

:func:`write_analysis_files` writes ``SWEEP_DIR/analysis/``:

* ``summary.json``: run counts and timings, loading problems, design, methods used.
* ``availability.csv|json``: per outcome and class, failed / timeout / not-run / NaN runs.
* ``sensitivity.csv|json``: every index (outcome, method, index, parameter[, parameter2],
  value, conf, n_points, fallback); the JSON adds per-outcome methods, refusals, notes.
* ``convergence.csv|json``: indices on growing prefixes, plus the statements.
* ``noise.csv|json``: noise shares.
* ``conclusions.csv|json``: per outcome, the significant parameters in order, or
  "too small to conclude" and why.
* ``plan.csv|json``: advice on how many points and replicates would settle the answer
  (the outcomes the classes are defined on first).
* ``prim_boxes.csv|json``, ``prim_limits.csv``, ``prim_trajectories.csv``: PRIM per class.
* ``rules.csv|json``: the plain-language rules.
* ``tree_rules.csv|json``: tree leaves and their sentences.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.conclusions import Conclusion, conclusions
from sim.analysis.convergence import ConvergenceResult, convergence
from sim.analysis.data import SweepData, availability, load_sweep, run_summary
from sim.analysis.discovery import DiscoveryResult, discover, discover_failures
from sim.analysis.noise import noise_shares
from sim.analysis.plan import OutcomePlan, plan_rows, plans
from sim.analysis.sensitivity import (
    GIVEN_DATA,
    INDEX_COLUMNS,
    OutcomeSensitivity,
    outcome_sensitivity,
    resolve_seed,
)
from sim.io.files import jsonable

MIN_FAILURES_FOR_RULES = 5


def outcomes_in(predicate: str, known: list[str]) -> list[str]:
    """The outcomes a class predicate names, in order of first mention."""
    tokens = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", predicate)
    return [t for t in dict.fromkeys(tokens) if t in known]


@dataclass
class Analysis:
    """All analyses of one sweep.

    Attributes:
        data: The loaded sweep.
        availability: Missing-data counts per outcome and class.
        runs: Run counts and timings.
        sensitivity: Outcome -> indices and notes.
        convergence: Indices on growing prefixes and statements.
        noise: Noise shares per outcome.
        discovery: Class -> scenario discovery.
        failures: Scenario discovery of failed runs (None when too few failed).
        unit: Case unit used for discovery (``run`` or ``point``).
        settings: The settings the analysis ran with (seed resolved).
        rules_data: The sweep scenario discovery ran on, when not this one (a separate
            space-filling sample, say a Latin hypercube beside a Saltelli design).
        conclusions: Outcome -> what its indices allow one to say.
        plans: Outcome -> advice on how much more to run.
    """

    data: SweepData
    availability: pd.DataFrame
    runs: dict[str, Any]
    sensitivity: dict[str, OutcomeSensitivity]
    convergence: ConvergenceResult
    noise: pd.DataFrame
    discovery: dict[str, DiscoveryResult]
    failures: DiscoveryResult | None = None
    unit: str = "run"
    settings: dict[str, Any] = field(default_factory=dict)
    conclusions: dict[str, Conclusion] = field(default_factory=dict)
    plans: dict[str, OutcomePlan] = field(default_factory=dict)
    rules_data: SweepData | None = None

    @property
    def discovery_data(self) -> SweepData:
        """The sweep the rules come from (this one unless another was given)."""
        return self.rules_data if self.rules_data is not None else self.data

    @property
    def indices(self) -> pd.DataFrame:
        """All sensitivity indices in one long table."""
        frames = [r.indices for r in self.sensitivity.values() if len(r.indices)]
        return (
            pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=INDEX_COLUMNS)
        )

    def headline_outcomes(self, limit: int = 4) -> list[str]:
        """The outcomes the classes are defined on (in order), else the first outcomes."""
        known = self.data.outcomes
        named = outcomes_in(" ".join(self.data.classes.values()), known)
        return (named or known)[:limit]

    def rules(self) -> dict[str, list[str]]:
        """Class -> plain-language rules."""
        return {name: result.rules() for name, result in self.discovery.items()}

    def notes(self) -> list[str]:
        """Every loading problem, refusal and fall-back, in one list."""
        out = list(self.data.problems)
        for result in self.sensitivity.values():
            out += result.alerts
        return out


def analyse(
    sweep: str | Path | SweepData,
    *,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int | None = None,
    n_prefixes: int = 4,
    tolerance: float = 0.1,
    unit: str = "run",
    max_depth: int = 3,
    prim_options: dict[str, Any] | None = None,
    given_methods: tuple[str, ...] = GIVEN_DATA,
    rules_from: str | Path | SweepData | None = None,
) -> Analysis:
    """Run every analysis on a sweep.

    Args:
        sweep: A sweep directory or a loaded sweep.
        num_resamples: Bootstrap resamples for sensitivity confidence intervals.
        conf_level: Confidence level.
        seed: Seed of every random choice (bootstraps, dummy inputs, noise floors, the
            held-out split, PRIM's resamples); default: the manifest's root seed, so the
            same sweep always gives the same report.
        n_prefixes: Prefixes for the convergence check.
        tolerance: Confidence half-width counted as settled.
        unit: Case unit of scenario discovery, ``run`` or ``point``.
        max_depth: Depth of the classification trees.
        prim_options: Passed to :func:`sim.analysis.prim.prim`.
        given_methods: Given-data methods for Latin, grid and file designs.
        rules_from: Another sweep of the same parameters and classes to find the rules
            on (a Latin hypercube beside a Saltelli or Morris design): its classes replace
            this sweep's for scenario discovery.

    Raises:
        ValueError: If ``rules_from`` does not vary this sweep's parameters.
    """
    data = sweep if isinstance(sweep, SweepData) else load_sweep(sweep)
    seed = resolve_seed(data, seed)
    prim_options = dict(prim_options or {})
    results = {
        outcome: outcome_sensitivity(
            data,
            outcome,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=seed,
            given_methods=given_methods,
        )
        for outcome in data.outcomes
    }
    conv = convergence(
        data,
        results=results,
        n_prefixes=n_prefixes,
        tolerance=tolerance,
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=seed,
    )
    rules_data = _rules_sweep(data, rules_from)
    found = {
        name: discover(
            rules_data or data, name, unit=unit, max_depth=max_depth, seed=seed, **prim_options
        )
        for name in (rules_data or data).classes
    }
    not_done = int((data.runs["status"] != "done").sum())
    failures = (
        discover_failures(data, seed=seed, **prim_options)
        if not_done >= MIN_FAILURES_FOR_RULES
        else None
    )
    return Analysis(
        data=data,
        availability=availability(data),
        runs=run_summary(data),
        sensitivity=results,
        convergence=conv,
        noise=noise_shares(data),
        discovery=found,
        failures=failures,
        unit=unit,
        settings={
            "num_resamples": num_resamples,
            "conf_level": conf_level,
            "seed": seed,
            "n_prefixes": n_prefixes,
            "tolerance": tolerance,
            "unit": unit,
            "max_depth": max_depth,
            "prim_options": prim_options,
        },
        conclusions=conclusions(results, conv),
        plans=plans(data, results, conv),
        rules_data=rules_data,
    )


def _rules_sweep(data: SweepData, rules_from: str | Path | SweepData | None) -> SweepData | None:
    if rules_from is None:
        return None
    other = rules_from if isinstance(rules_from, SweepData) else load_sweep(rules_from)
    if set(other.params) != set(data.params):
        where = other.path or other.name
        raise ValueError(
            f"{where}: the rules sweep varies {', '.join(other.params)}, not this sweep's "
            f"{', '.join(data.params)}; sweep the same parameters"
        )
    return other


def _dump(
    folder: Path, stem: str, frame: pd.DataFrame, extra: dict[str, Any] | None = None
) -> None:
    frame.to_csv(folder / f"{stem}.csv", index=False)
    payload: Any = jsonable(frame) if extra is None else jsonable({"rows": frame, **extra})
    (folder / f"{stem}.json").write_text(json.dumps(payload, indent=2), encoding="utf-8")


def discovery_tables(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """PRIM boxes, limits, trajectories, rules and tree rules across classes."""
    boxes, limits, trajectories, rules, trees = [], [], [], [], []
    items = list(analysis.discovery.items())
    if analysis.failures is not None:
        items.append(("failure", analysis.failures))
    for name, result in items:
        sentences = result.rules()
        if result.prim is not None and result.prim.boxes:
            for box, sentence in zip(result.prim.boxes, sentences, strict=True):
                boxes.append({"class": name, "unit": result.unit, **box.stats()})
                limits.append(box.limits_frame().assign(**{"class": name}))
                trajectories.append(box.trajectory.assign(**{"class": name, "box": box.index}))
                test = box.held_out
                rules.append(
                    {
                        "class": name,
                        "box": box.index,
                        "text": sentence,
                        "held_out": test is not None,
                        "n": test.n if test else box.n,
                        "coverage": test.coverage if test else box.coverage,
                        "density": test.density if test else box.density,
                        "p_value": test.p_value if test else box.p_value,
                    }
                )
        else:
            rules.append(
                {
                    "class": name,
                    "box": None,
                    "text": sentences[0],
                    "held_out": None,
                    "n": None,
                    "coverage": None,
                    "density": None,
                    "p_value": None,
                }
            )
        tree = result.tree_rules()
        if len(tree):
            trees.append(tree.assign(**{"class": name}))
    return {
        "prim_boxes": pd.DataFrame(boxes),
        "prim_limits": pd.concat(limits, ignore_index=True) if limits else pd.DataFrame(),
        "prim_trajectories": (
            pd.concat(trajectories, ignore_index=True) if trajectories else pd.DataFrame()
        ),
        "rules": pd.DataFrame(rules),
        "tree_rules": pd.concat(trees, ignore_index=True) if trees else pd.DataFrame(),
    }


def conclusion_table(analysis: Analysis) -> pd.DataFrame:
    """One row per outcome: conclusive or not, the ranked parameters, the statement."""
    rows = [
        {
            "outcome": c.outcome,
            "method": c.method,
            "index": c.index,
            "conclusive": c.conclusive,
            "ranked": ";".join(c.ranked["parameter"]) if len(c.ranked) else "",
            "not_significant": ";".join(c.not_significant),
            "settled": c.settled,
            "statement": c.statement,
        }
        for c in analysis.conclusions.values()
    ]
    return pd.DataFrame(rows)


def write_analysis_files(analysis: Analysis, folder: str | Path) -> list[Path]:
    """Write the machine-readable copies (see the module docstring).

    Args:
        analysis: The analysis.
        folder: Output folder (created).

    Returns:
        The files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = analysis.data
    summary = {
        "name": data.name,
        "design": data.design_info,
        "problem": data.problem,
        "runs": analysis.runs,
        "problems": data.problems,
        "settings": analysis.settings,
        "rules_from": str(analysis.rules_data.path) if analysis.rules_data is not None else None,
        "methods": {o: r.methods for o, r in analysis.sensitivity.items()},
        "fallback": {o: r.fallback for o, r in analysis.sensitivity.items()},
    }
    (folder / "summary.json").write_text(json.dumps(jsonable(summary), indent=2), "utf-8")
    _dump(folder, "availability", analysis.availability)
    frame = analysis.indices.copy()
    frame["parameter2"] = frame["parameter2"].astype(object)
    _dump(
        folder,
        "sensitivity",
        frame,
        {
            "outcomes": {
                o: {
                    "design_method": r.design_method,
                    "methods": r.methods,
                    "fallback": r.fallback,
                    "refusal": r.refusal,
                    "n_points": r.n_points,
                    "notes": r.notes,
                }
                for o, r in analysis.sensitivity.items()
            }
        },
    )
    conv = analysis.convergence
    _dump(
        folder,
        "convergence",
        conv.table,
        {"statements": conv.statements, "settled": conv.settled, "notes": conv.notes},
    )
    _dump(folder, "noise", analysis.noise)
    _dump(folder, "conclusions", conclusion_table(analysis))
    _dump(folder, "plan", pd.DataFrame(plan_rows(analysis.plans, analysis.headline_outcomes())))
    tables = discovery_tables(analysis)
    _dump(folder, "prim_boxes", tables["prim_boxes"])
    tables["prim_limits"].to_csv(folder / "prim_limits.csv", index=False)
    tables["prim_trajectories"].to_csv(folder / "prim_trajectories.csv", index=False)
    _dump(folder, "rules", tables["rules"])
    tree = tables["tree_rules"].copy()
    if len(tree):
        tree["conditions"] = [json.dumps(jsonable(c)) for c in tree["conditions"]]
    _dump(folder, "tree_rules", tree)
    return sorted(folder.iterdir())
