"""Champions and triggers: validation before acting, champions who leave, shocks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.journey import triggers
from sim.journey.assumptions import JourneyAssumptions
from sim.journey.latent_value import open_initiative
from sim.journey.model import JourneyModel
from sim.journey.rules import validated_chance
from sim.journey.stages import Kind, Outcome, Stage

ASSUMED = JourneyAssumptions()


@given(base=st.floats(0, 1), worth=st.floats(0.01, 10), said=st.floats(0, 1))
def test_validation_moves_the_chance_of_acting_by_what_contacts_say(base, worth, said) -> None:
    chance = validated_chance(base, worth, said, ASSUMED)
    assert ASSUMED.act_floor <= chance <= ASSUMED.act_ceiling
    assert validated_chance(base, worth, 1.0, ASSUMED) >= chance - 1e-12
    assert validated_chance(base, worth, 0.0, ASSUMED) <= chance + 1e-12
    assert validated_chance(base, worth, 0.5, ASSUMED) == validated_chance(
        base, worth, None, ASSUMED
    )
    assert validated_chance(base, 2 * worth, said, ASSUMED) >= chance - 1e-12


def _acted_by_viability(**settings) -> tuple[float, float]:
    """Share of glimpsed opportunities acted on, for viable and unviable ones."""
    acted = {True: [], False: []}
    for seed in range(4):
        model = JourneyModel(rng=seed, steps=156, **settings)
        while model.running:
            model.step()
        for ini in model.initiatives:
            decided = ini.started or ini.outcome is Outcome.LAPSED
            glimpsed = ini.spawned_by < 0 and ini.convened_by < 0
            if decided and glimpsed and abs(ini.viability - 0.5) > 0.15:
                acted[ini.viability > 0.5].append(ini.started)
    return float(np.mean(acted[True])), float(np.mean(acted[False]))


def test_champions_act_more_on_what_their_contacts_find_viable() -> None:
    heard, unheard = _acted_by_viability(), _acted_by_viability(validation_weight=0.0)
    assert heard[0] - heard[1] > unheard[0] - unheard[1] + 0.1


def _team(model: JourneyModel, stage: Stage):
    ini = open_initiative(model, Kind.CONSORTIUM, 0)
    for org in (1, 2, 3):
        model.join(ini, org)
    path = (Stage.EXPLORING, Stage.COHERING, Stage.ESTABLISHING, Stage.JOURNEYING)
    for s in path[: path.index(stage) + 1]:
        model.move(ini, s, "test")
    return ini


def test_when_the_champion_leaves_the_most_committed_takes_over_and_others_doubt() -> None:
    model = JourneyModel(rng=1, n_organisations=20)
    model.commitment[1:4] = (0.2, 0.9, 0.5)
    ini = _team(model, Stage.JOURNEYING)
    conflict = model.table.conflict[ini.id]
    model.leave(ini, 0)
    assert ini.champion == 2
    assert (model.disbelieve[[1, 2, 3]] == ASSUMED.champion_loss_doubt).all()
    assert model.table.conflict[ini.id] == pytest.approx(conflict + ASSUMED.champion_loss_conflict)
    model.leave(ini, 1)  # a partner who is not the champion leaves: no succession
    assert ini.champion == 2
    assert model.disbelieve[3] == ASSUMED.champion_loss_doubt


def test_an_exploring_team_goes_on_searching_when_its_champion_leaves() -> None:
    model = JourneyModel(rng=2, n_organisations=20, turnover=0.0)
    ini = _team(model, Stage.EXPLORING)
    from sim.journey.population import _walk_out

    _walk_out(model, 0)
    assert not ini.ended and ini.champion in (1, 2, 3)


def test_shocks_trigger_sector_wide_opportunities_and_wear_off() -> None:
    calm = JourneyModel(rng=3, steps=104)
    while calm.running:
        calm.step()
    assert not any(e.kind == "shock" for e in calm.events)
    model = JourneyModel(rng=3, steps=104, shock_rate=52.0, coalition_share=0.0)
    model.step()
    reached = model.urgency_boost > 0
    assert 0.3 < reached.mean() < 0.7
    assert (model.glimpse_rate[reached] > model.params.opportunity_rate).all()
    assert any(e.kind == "shock" for e in model.events)
    shocked = [i for i in model.initiatives if i.kind is Kind.COALITION]
    assert shocked, "a shock sets off a coalition even when none would start on its own"
    model.params = model.params.model_copy(update={"shock_rate": 1e-9})
    for _ in range(ASSUMED.shock_weeks):
        triggers.shock(model)
        model.tick += 1
    triggers.shock(model)
    assert not model.urgency_boost.any()
    assert (model.glimpse_rate == model.params.opportunity_rate).all()
