"""Coalitions that set direction: scope, legitimacy and the direction consortia inherit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.journey import direction
from sim.journey.latent_value import open_initiative
from sim.journey.model import JourneyModel
from sim.journey.stages import Kind, Phase, Stage


@settings(max_examples=30, deadline=None)
@given(members=st.lists(st.integers(0, 59), min_size=1, max_size=30, unique=True))
def test_legitimacy_is_a_share_and_full_for_a_mirror_of_the_population(members) -> None:
    model = JourneyModel(rng=1, n_organisations=60, n_sectors=3)
    assert 0.0 <= direction.legitimacy(model, members) <= 1.0 + 1e-12
    model.sector[:] = np.arange(60) % 3
    model.influence[:] = 1.0
    assert direction.legitimacy(model, [0, 1, 2]) == pytest.approx(1.0)
    assert direction.legitimacy(model, [0, 3, 6]) == pytest.approx(1 / 3)


def test_influential_champions_see_sector_wide_opportunities_more_often() -> None:
    model = JourneyModel(rng=2, n_organisations=10, coalition_share=0.2)
    draws = np.random.default_rng(0).random(2000)
    model.influence[:2] = (0.5, 3.0)
    share = [np.mean([direction.sector_wide(model, c, d) for d in draws]) for c in (0, 1)]
    assert share[0] < 0.2 < share[1]
    never = JourneyModel(rng=2, n_organisations=10, coalition_share=0.0)
    always = JourneyModel(rng=2, n_organisations=10, coalition_share=1.0)
    assert not any(direction.sector_wide(never, 0, d) for d in draws)
    assert all(direction.sector_wide(always, 0, d) for d in draws)


def test_direction_grows_with_weeks_spent_norming_and_performing() -> None:
    model = JourneyModel(rng=3, n_organisations=30, coalition_share=1.0)
    coalition = open_initiative(model, Kind.COALITION, 0)
    for org in range(1, 10):
        model.join(coalition, org)
    model._in_stage[Stage.LATENT_VALUE].discard(coalition.id)
    model._in_stage[Stage.JOURNEYING].add(coalition.id)
    i = coalition.id
    model.table.phase[i] = Phase.STORMING
    direction.make_sense(model)
    assert model.table.direction_weeks[i] == 0.0  # storming makes no sense yet
    model.table.phase[i] = Phase.NORMING
    qualities = []
    for _ in range(40):
        direction.make_sense(model)
        qualities.append(direction.quality(model, i, coalition.members))
    legitimacy = direction.legitimacy(model, coalition.members)
    weeks = model.assumptions.direction_weeks
    assert qualities[0] == pytest.approx(legitimacy / weeks)
    assert qualities[-1] == pytest.approx(legitimacy)  # full after direction_weeks
    assert np.all(np.diff(qualities) >= 0)


def test_a_spawned_consortium_inherits_its_coalitions_direction() -> None:
    model = JourneyModel(rng=4, n_organisations=30)
    child = open_initiative(model, Kind.CONSORTIUM, 0)
    before = float(model.table.viability[child.id])
    direction.inherit(model, child.id, 0.8)
    lift = model.assumptions.direction_viability * 0.8
    assert model.table.viability[child.id] == pytest.approx(before + lift * (1 - before))
    team = np.array([0, 1, 2])
    model.fit[team] = model.payoff[team] = 0.5
    model.believe[team] = 0.0
    direction.guide(model, child.id, team)
    assert (model.fit[team] > 0.5).all() and (model.payoff[team] > 0.5).all()
    assert model.believe[team] == pytest.approx(model.assumptions.direction_reasons * 0.8)
    plain = open_initiative(model, Kind.CONSORTIUM, 5)
    model.fit[5] = 0.5
    direction.guide(model, plain.id, np.array([5]))
    assert model.fit[5] == 0.5  # no coalition, no direction


def test_coalition_runs_pass_direction_on_to_the_consortia_they_spawn() -> None:
    model = JourneyModel(rng=5, coalition_share=0.4)
    while model.running:
        model.step()
    spawned = [i for i in model.initiatives if i.spawned_by >= 0]
    assert spawned
    quality = model.table.direction[[i.id for i in spawned]]
    assert (quality >= 0).all() and (quality <= 1).all() and quality.max() > 0
    for ini in spawned:
        parent = model.initiatives[ini.spawned_by]
        assert parent.kind is Kind.COALITION
