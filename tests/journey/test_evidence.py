"""Reasons to believe and disbelieve as evidence about a hidden truth, tracked over time."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from sim.journey.assumptions import JourneyAssumptions
from sim.journey.cohering import relevance
from sim.journey.journeying import form_pace
from sim.journey.measures import LOW_VIABILITY, measure_all
from sim.journey.model import JourneyModel
from sim.journey.parameters import JourneyParameters
from sim.journey.rules import turn_up_chance, work_rules
from sim.journey.stages import Outcome, Stage

SEEDS = range(10)


def _run(seed: int, **settings) -> JourneyModel:
    model = JourneyModel(rng=seed, **{"n_organisations": 80, "steps": 208, **settings})
    while model.running:
        model.step()
    return model


def _exit_and_base_rates(**settings) -> tuple[float, float]:
    """Share of graceful exits on low-viability opportunities, and of all started ones."""
    exits = started = 0
    low_exits = low_started = 0
    for seed in SEEDS:
        model = _run(seed, **settings)
        for ini in model.initiatives:
            if not ini.started:
                continue
            low = ini.viability < LOW_VIABILITY
            started += 1
            low_started += low
            if ini.outcome is Outcome.GRACEFUL_EXIT:
                exits += 1
                low_exits += low
    return low_exits / exits, low_started / started


def test_graceful_exits_are_targeted_at_poor_opportunities() -> None:
    on_low, base = _exit_and_base_rates()
    assert on_low > base + 0.1  # exits fall on low-viability opportunities more than chance


def test_without_evidence_about_viability_exits_are_less_targeted() -> None:
    """What targeting is left comes from slow work on poor opportunities, not reasons."""
    # champions' contacts screen viability too: leave that out to see the partners' reasons
    on_low, base = _exit_and_base_rates(validation_weight=0.0)
    blind_on_low, blind_base = _exit_and_base_rates(believe_viability=0.0, validation_weight=0.0)
    assert (on_low - base) - (blind_on_low - blind_base) > 0.08
    assert blind_on_low - blind_base < 0.15


def test_reasons_accumulate_from_cohering_through_journeying() -> None:
    model = JourneyModel(rng=5, n_organisations=60, steps=260, turnover=0.0)
    history: dict[tuple[int, int], list[float]] = {}
    while model.running:
        model.step()
        for ini in model.initiatives:
            if Stage.COHERING <= ini.stage <= Stage.JOURNEYING:
                for org in ini.members:
                    if model.org_initiative[org] == ini.id:
                        total = model.believe[org] + model.disbelieve[org]
                        history.setdefault((ini.id, org), []).append(total)
    long_ones = [h for h in history.values() if len(h) > 30]
    assert long_ones
    for h in long_ones:
        assert all(b >= a for a, b in pairwise(h))  # never reset mid-way
    assert np.mean([h[-1] for h in long_ones]) > 10


def test_a_journeying_partner_who_loses_confidence_leaves() -> None:
    # the team never replaces partners here (sim.journey.turning_back does that)
    model = JourneyModel(
        rng=3, n_organisations=60, steps=300, opportunity_rate=0.05, replace_coverage_drop=1.0
    )
    target = None
    while model.running and target is None:
        model.step()
        target = next(
            (i for i in model.initiatives if i.stage is Stage.JOURNEYING and len(i.members) >= 3),
            None,
        )
    assert target is not None
    leaver = target.members[1]
    model.believe[leaver] = 0.0
    model.disbelieve[leaver] = 50.0
    model.step()
    assert leaver not in target.members
    assert target.stage is Stage.JOURNEYING  # the others carry on
    reasons = [e.reason for e in model.events if e.kind == "exit" and e.organisation == leaver]
    assert reasons and "lost confidence" in reasons[-1]


def test_resources_are_committed_at_the_phase_shift_and_lost_on_failure() -> None:
    model = _run(2)
    a = model.assumptions
    for ini in model.initiatives:
        committed = model.table.committed[ini.id]
        if "establishing" in ini.entered:
            assert committed == pytest.approx(a.commitment_share * ini.potential)
        else:
            assert committed == 0.0
    lost = [
        i for i in model.initiatives if i.outcome is Outcome.FAILED and "establishing" in i.entered
    ]
    assert lost
    assert measure_all(model)["resources_sunk"] > 0


def test_committed_partners_turn_up_more() -> None:
    rules = work_rules(JourneyParameters(), JourneyAssumptions(accountability=0.5))
    assert turn_up_chance(0.6, True, 0.0, rules) == pytest.approx(0.8)
    assert turn_up_chance(0.6, False, 0.0, rules) == 0.6
    assert turn_up_chance(1.0, True, 0.0, rules) == 1.0


def test_viability_sets_how_fast_the_work_yields() -> None:
    model = _run(4)
    t = model.table
    # (a team that turned back has its rate set again if it journeys again)
    journeyed = [i for i in model.initiatives if "journeying" in i.entered and not i.turn_backs]
    assert journeyed
    for ini in journeyed:
        rate = t.rate[ini.id] * t.work[ini.id]
        pace = model.assumptions.coalition_pace if t.coalition[ini.id] else 1.0
        pace *= form_pace(ini.form, model.assumptions)
        assert rate == pytest.approx(pace * t.coverage[ini.id] * ini.viability)


def test_payoffs_are_individual() -> None:
    requirement = np.array([1.0, 1.0, 0.0])
    capabilities = np.array([[0.9, 0.8, 0.0], [0.1, 0.1, 0.9], [0.5, 0.5, 0.5]])
    share = relevance(requirement, capabilities)
    assert share.mean() == pytest.approx(1.0)
    assert share[0] > share[2] > share[1]  # who meets more of the need gains more
