"""Single runs: :func:`run` for people and notebooks, :func:`evaluate` for sweeps."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import pandas as pd
from mesa import DataCollector
from pydantic import ValidationError

from sim.engine.evaluators import SeriesRequest
from sim.io.records import (
    RunRecord,
    evidence_table,
    journey_record,
    team_assembly_record,
    team_trust_rows,
)
from sim.io.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from sim.journey.assumptions import split_settings
from sim.journey.confidence import evidence_rows
from sim.journey.measures import (
    MEASURES,
    active_initiatives,
    measure_all,
    per_tick,
    weekly_reporters,
)
from sim.journey.model import JourneyModel
from sim.journey.parameters import JourneyParameters
from sim.journey.stages import Outcome, Stage
from sim.report.run_report import run_report_html
from sim.team_assembly.model import TEAM_MEASURES, TeamAssemblyModel
from sim.team_assembly.parameters import TeamAssemblyParameters

OVERRIDES_SOURCE = "overrides"
WEEK = "tick"  # the reporter that records, with per-week outcomes, the week collected


def _stage_count(stage: Stage):
    def count(model: JourneyModel) -> int:
        stages = per_tick(model, "org_stages", lambda m: m.org_stages())
        return int((stages == stage).sum())

    return count


def _outcome_count(outcome: Outcome):
    def count(model: JourneyModel) -> int:
        return sum(1 for i in model.initiatives if i.outcome is outcome)

    return count


def timeline_reporters() -> dict[str, Any]:
    """Per-tick reporters: organisations per stage, initiatives, the weekly run measures."""
    reps: dict[str, Any] = {
        f"orgs_{s.name.lower()}": _stage_count(s) for s in Stage if s is not Stage.ENDED
    }
    reps["active_initiatives"] = active_initiatives
    reps |= {f"{o.value}_count": _outcome_count(o) for o in Outcome}
    reps |= weekly_reporters()
    return reps


def _week(model: JourneyModel) -> int:
    return model.tick


def _as_scenario(
    source: Scenario | str | Path | dict | JourneyParameters | TeamAssemblyParameters,
) -> Scenario:
    if isinstance(source, Scenario):
        return source
    if isinstance(source, str | Path):
        return load_scenario(source)
    if isinstance(source, JourneyParameters):
        return parse_scenario({"parameters": source.model_dump()})
    if isinstance(source, TeamAssemblyParameters):
        return parse_scenario({"model": "team_assembly", "parameters": source.model_dump()})
    if isinstance(source, dict):
        if "parameters" in source or "model" in source:
            return parse_scenario(source)
        return parse_scenario({"parameters": source})
    msg = f"cannot run {type(source).__name__}: give a scenario, a path, parameters or a dict"
    raise TypeError(msg)


def run(
    scenario: Scenario
    | str
    | Path
    | dict
    | JourneyParameters
    | TeamAssemblyParameters
    | None = None,
    *,
    seed: int | None = None,
    steps: int | None = None,
    overrides: dict[str, Any] | None = None,
) -> RunRecord:
    """Run one scenario and return its full record (timeline, initiatives, events).

    Args:
        scenario: A scenario, a path to a scenario file, a parameter object, or a dict of
            parameter values. Defaults to the journey model's defaults.
        seed: Seed (default: the scenario's).
        steps: Weeks (ticks) to simulate (default: the parameters').
        overrides: Parameter or assumption values (by name) that replace the scenario's.

    Raises:
        ScenarioError: if the scenario or the overrides are not valid.
    """
    sc = _as_scenario(scenario if scenario is not None else {})
    if not sc.is_builtin:
        raise ScenarioError(
            sc.name, [f"model: {sc.model} can be swept but not run as a single run"]
        )
    extra = dict(overrides or {})
    if steps is not None:
        extra["steps"] = steps
    try:
        params, assumptions = sc.params(extra), sc.assumed(extra)
    except ValidationError:
        # validate again as a scenario, for the same one-line messages a file gets
        changed, assumed = split_settings(extra) if sc.model == "journey" else (extra, {})
        merged = {
            **sc.model_dump(),
            "parameters": {**sc.parameters, **changed},
            "assumptions": {**sc.assumptions, **assumed},
        }
        parse_scenario(merged, OVERRIDES_SOURCE)
        raise
    seed = sc.seed if seed is None else seed
    if seed < 0:
        raise ScenarioError(sc.name, [f"seed: must be 0 or more (got {seed})"])
    start = time.perf_counter()
    if isinstance(params, TeamAssemblyParameters):
        model = TeamAssemblyModel(params, rng=seed)
        timeline = run_collecting(model, dict(TEAM_MEASURES))
        return team_assembly_record(model, timeline, sc.name, seed, time.perf_counter() - start)
    model = JourneyModel(
        params, rng=seed, assumptions=assumptions, reporters=timeline_reporters(), collect_every=1
    )
    teams: list[tuple] = []
    evidence: list[tuple] = []
    while model.running:
        model.step()
        teams.extend(team_trust_rows(model))
        evidence.extend(evidence_rows(model))
    timeline = collected(model)
    record = journey_record(model, timeline, sc.name, seed, time.perf_counter() - start, teams)
    return dataclasses.replace(record, evidence=evidence_table(evidence))


def save(record: RunRecord, out_dir: str | Path) -> dict[str, Path]:
    """Write a run's tables, summary and HTML report into ``out_dir``.

    Returns:
        The path of every file written, by file name.
    """
    return record.write(out_dir, report_html=run_report_html(record))


def collected(model: Any) -> pd.DataFrame:
    """What a model's own ``DataCollector`` collected, one row per collection, with ``tick``."""
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    df.insert(0, "tick", range(len(df)))
    return df


def run_collecting(model: Any, reporters: dict[str, Any], each_tick: Any = None) -> pd.DataFrame:
    """Run a model to its end, collecting the reporters at the start and every tick."""
    dc = DataCollector(model_reporters=reporters)
    dc.collect(model)
    while model.running:
        model.step()
        dc.collect(model)
        if each_tick is not None:
            each_tick(model)
    df = dc.get_model_vars_dataframe().reset_index(drop=True)
    df.insert(0, "tick", range(len(df)))
    return df


def evaluate(
    params: dict[str, Any], seed: int, timeseries: SeriesRequest | None = None
) -> dict[str, Any]:
    """Run the journey model once and return its run measures (for sweeps).

    Args:
        params: Parameter and assumption values by name (missing ones take defaults).
        seed: The run's seed.
        timeseries: Measures to return week by week as well: each named one becomes a
            mapping week -> value, collected by the model's ``DataCollector`` every
            ``timeseries.every`` weeks and at the end (the last value is the measure).
    """
    if timeseries is None:
        model = JourneyModel(rng=seed, **params)
        while model.running:
            model.step()
        collected = model.datacollector.model_vars
        return {name: float(values[-1]) for name, values in collected.items()}
    reporters = {WEEK: _week, **{name: MEASURES[name].fn for name in timeseries.outcomes}}
    model = JourneyModel(rng=seed, reporters=reporters, collect_every=timeseries.every, **params)
    while model.running:
        model.step()
    collected = model.datacollector.model_vars
    weeks = collected[WEEK]
    series = {name: dict(zip(weeks, collected[name], strict=True)) for name in timeseries.outcomes}
    return {**measure_all(model), **series}


def evaluate_team_assembly(
    params: dict[str, Any], seed: int, timeseries: SeriesRequest | None = None
) -> dict[str, Any]:
    """Run the pure team-assembly model once and return its measures (for sweeps).

    Args:
        params: Parameter values by name (missing ones take defaults).
        seed: The run's seed.
        timeseries: Measures to return tick by tick as well (one value per tick, from 0).
    """
    model = TeamAssemblyModel(TeamAssemblyParameters(**params), rng=seed)
    series: dict[str, list[float]] = {}
    if timeseries is None:
        while model.running:
            model.step()
    else:
        timeline = run_collecting(
            model, {name: TEAM_MEASURES[name] for name in timeseries.outcomes}
        )
        series = {name: timeline[name].tolist() for name in timeseries.outcomes}
    return {**{k: float(f(model)) for k, f in TEAM_MEASURES.items()}, **series}


__all__ = ["MEASURES", "evaluate", "evaluate_team_assembly", "run", "save"]
