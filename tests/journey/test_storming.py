"""Storming that can be won: trust grown from relationship time, conflict resolved, free
riders sanctioned, urgency that moves time from relationships to the task."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.analysis.paired import paired_difference
from sim.journey.assumptions import JourneyAssumptions
from sim.journey.measures import measure_all
from sim.journey.model import JourneyModel
from sim.journey.parameters import JourneyParameters
from sim.journey.rules import (
    NORMING,
    STORMING,
    next_phase,
    phase_rules,
    pressure,
    relationship_share,
    work_rules,
)
from sim.journey.stages import ContributionType, Phase, Stage

ASSUMED = JourneyAssumptions()
PHASES = phase_rules(ASSUMED)
SEEDS = range(16)


# Storming on its own: a team that re-scopes starts its phases anew, which would hide how
# storming ends (sim.journey.turning_back has its own tests).
ALONE = {"max_turn_backs": 0}


def _run(seed: int, **settings) -> JourneyModel:
    model = JourneyModel(rng=seed, **{**ALONE, **settings})
    while model.running:
        model.step()
    return model


def _paired(measure: str, a: dict, b: dict, seeds=SEEDS):
    return paired_difference(
        [measure_all(_run(s, **a))[measure] for s in seeds],
        [measure_all(_run(s, **b))[measure] for s in seeds],
    )


@given(gained=st.floats(-20, 20), conflict=st.floats(0, 5), weeks=st.integers(0, 100))
def test_storming_ends_on_trust_grown_and_conflict_resolved(
    gained: float, conflict: float, weeks: int
) -> None:
    new = next_phase(STORMING, weeks, gained, conflict, PHASES)
    won = gained >= ASSUMED.norming_evidence and conflict < ASSUMED.norming_conflict
    assert (new == NORMING) == won
    assert new in (STORMING, NORMING)


def test_most_teams_win_storming_at_the_defaults() -> None:
    won = journeyed = 0
    for seed in range(6):
        model = _run(seed)
        for ini in model.initiatives:
            if "journeying" in ini.entered:
                journeyed += 1
                won += any(
                    e.initiative == ini.id and "to norming" in e.reason for e in model.events
                )
    assert won / journeyed > 0.6
    stuck_forever = _run(0, norming_evidence=100.0)
    assert measure_all(stuck_forever)["stuck_in_storming_share"] > 0.5  # the rule does it


def test_without_relationship_time_no_team_wins_storming() -> None:
    """Trust grows, and conflict is resolved, only through time given to relationships."""
    for seed in range(3):
        model = _run(seed, relationship_time=0.0)
        assert any(e.kind == "phase" and "to storming" in e.reason for e in model.events)
        storming: dict[int, int] = {}
        for e in model.events:
            if e.kind == "phase" and "to storming" in e.reason:
                storming[e.initiative] = e.tick
            elif e.kind == "phase" and "to norming" in e.reason:
                # only by losing a distrusted partner can such a team leave storming
                left = [
                    x for x in model.events
                    if x.initiative == e.initiative and x.kind in ("exit", "expel")
                    and storming[e.initiative] <= x.tick <= e.tick
                ]  # fmt: skip
                assert left, f"initiative {e.initiative} won storming with the same team"
    d = _paired("stuck_in_storming_share", {"relationship_time": 0.3}, {"relationship_time": 0.0})
    assert d.low > 0.0


@given(
    progress=st.floats(0, 1),
    time_left=st.floats(0, 1),
    urgency=st.floats(0, 1),
)
def test_pressure_grows_with_work_left_against_time_left(
    progress: float, time_left: float, urgency: float
) -> None:
    r = work_rules(JourneyParameters(urgency=urgency), ASSUMED)
    now = pressure(progress, time_left, r)
    assert 0.0 <= now <= 1.0
    assert pressure(progress, time_left / 2, r) >= now  # less time left: more pressure
    assert pressure(min(progress + 0.1, 1.0), time_left, r) <= now  # more done: less
    assert pressure(0.0, 1.0, r) == pytest.approx(urgency)  # on schedule at the start
    share = relationship_share(now, r)
    assert share <= ASSUMED.relationship_time
    assert relationship_share(min(now + 0.1, 1.0), r) <= share


def test_urgency_squeezes_trust_early_in_the_journey() -> None:
    """High urgency moves time from relationships to the task, so trust grows less.

    (It also moves more work done by week 12, +7% of the low-urgency figure over 24
    paired seeds, but with a 95% interval from -3% to +17%: too small to conclude, so it
    is not asserted; the time split itself is tested above.)
    """

    def early_trust(urgency: float, seed: int) -> float:
        model = JourneyModel(rng=seed, urgency=urgency, **ALONE)
        trust = []
        while model.running:
            model.step()
            trust.extend(
                model.team_trust(model.initiatives[i].members)
                for i in model.ids_in(Stage.JOURNEYING)
                if model.tick - model.table.journey_start[i] == 12
            )
        return float(np.mean(trust))

    low = [early_trust(0.1, s) for s in range(12)]
    high = [early_trust(0.9, s) for s in range(12)]
    assert paired_difference(low, high).high < 0  # less trust


def test_bad_faith_follows_self_interest() -> None:
    model = JourneyModel(rng=1)
    chances = model.traits.chances
    np.testing.assert_allclose(chances[2], model.self_interest * model.params.bad_faith_share)


def test_self_interest_keeps_teams_in_storming() -> None:
    d = _paired("stuck_in_storming_share", {"self_interest": 0.1}, {"self_interest": 0.6})
    assert d.low > 0.0


def test_a_distrusted_partner_is_sanctioned_or_expelled() -> None:
    acted = defaultdict(int)
    for seed in range(6):
        model = _run(seed, sanctioning=1.0)
        for e in model.events:
            if e.kind in ("sanction", "expel"):
                acted[e.kind] += 1
    assert acted["sanction"] > 0
    assert acted["expel"] > 0
    assert not any(e.kind in ("sanction", "expel") for e in _run(0, sanctioning=0.0).events)


def test_a_sanctioned_free_rider_puts_in_at_least_the_floor() -> None:
    """After a sanction, a free rider means to put in ``sanction_floor``, not nothing."""
    floor = ASSUMED.sanction_floor
    seen = 0
    for seed in range(2):
        model = JourneyModel(
            rng=seed, **ALONE, sanctioning=1.0, free_rider_share=0.6, conditional_share=0.2
        )
        while model.running:
            sanctioned = (model.traits.floor > 0) & (model.org_initiative >= 0)
            riders = sanctioned & (model.contribution_type == ContributionType.FREE_RIDER)
            model.step()  # sanctioned before this week's work: it puts in the floor
            working = riders & model.team_buffers.working
            seen += int(working.sum())
            assert (model.contrib[working] >= floor - 1e-12).all()
    assert seen > 0


def test_a_low_start_alone_is_no_breach() -> None:
    """Breaches need trust let down, not just a sceptical start."""
    model = _run(2, trust=0.2, jockeying_rate=0.0, free_rider_share=0.0)
    assert not any("trust breach" in e.reason for e in model.events)
    journeyed = [i for i in model.initiatives if "journeying" in i.entered]
    assert journeyed
    assert any(
        e.kind == "phase" and Phase.NORMING.label in e.reason for e in model.events
    )  # and sceptical teams can still win storming
