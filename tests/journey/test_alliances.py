"""Meta-organisations that live: alliances convene, fade, dissolve, become organisations."""

from __future__ import annotations

import numpy as np
import pytest

from sim.journey import meta_organisation
from sim.journey.meta_organisation import Alliance
from sim.journey.model import JourneyModel
from sim.journey.pairs import within
from sim.journey.stages import Stage


def _run(seed: int, **settings) -> JourneyModel:
    model = JourneyModel(rng=seed, **settings)
    while model.running:
        model.step()
    return model


def _allied(model: JourneyModel, members: list[int], evidence: float = 30.0) -> Alliance:
    """An alliance of ``members`` who trust each other on ``evidence`` reasons."""
    from sim.journey.latent_value import open_initiative
    from sim.journey.stages import Kind, Outcome

    ini = open_initiative(model, Kind.CONSORTIUM, members[0])
    for org in members[1:]:
        model.join(ini, org)
    for stage in (Stage.EXPLORING, Stage.COHERING, Stage.ESTABLISHING, Stage.JOURNEYING):
        model.move(ini, stage, "test")
    model.move(ini, Stage.VALUE_CREATION, "test", Outcome.ACHIEVED)
    team = np.asarray(members)
    trust = model.trust
    slots = trust.slots(*within(team))
    trust.pos[slots] = evidence
    assert meta_organisation.form_alliance(model, ini, members, 0.9)
    return model.alliances[ini.id]


def test_alliances_convene_their_members_only_with_a_flywheel() -> None:
    still = _run(1, flywheel=0.0)
    turning = _run(1, flywheel=4.0)
    assert not any(e.kind == "convene" for e in still.events)
    convened = [i for i in turning.initiatives if i.convened_by >= 0]
    assert convened
    for ini in convened:
        alliance = turning.initiatives[ini.convened_by]
        assert ini.ever_members[0] in alliance.ever_members  # its first champion


def test_an_unused_alliance_fades_and_dissolves() -> None:
    model = JourneyModel(rng=2, n_organisations=20, flywheel=0.0)
    alliance = _allied(model, [0, 1, 2], evidence=10.0)
    trust = [meta_organisation.mean_trust(model, alliance)]
    weeks = 0
    while alliance.id in model.alliances and weeks < 500:
        meta_organisation.live(model)
        trust.append(meta_organisation.mean_trust(model, alliance))
        weeks += 1
    assert alliance.id not in model.alliances, "an unused alliance dissolves"
    assert np.all(np.diff(trust[:-1]) < 0), "its trust fades week by week"
    assert trust[-3] >= model.assumptions.dissolve_trust > trust[-2]
    assert model.initiatives[alliance.id].stage is Stage.ENDED
    assert (model.alliance[[0, 1, 2]] == -1).all()
    assert any(e.kind == "dissolve" for e in model.events)


def test_an_alliance_with_something_under_way_does_not_fade() -> None:
    model = JourneyModel(rng=3, n_organisations=20, flywheel=0.0)
    alliance = _allied(model, [0, 1, 2], evidence=10.0)
    alliance.busy = len(model.initiatives) - 1  # its own record stands in, not ended
    model.initiatives[alliance.busy].outcome = None
    before = meta_organisation.mean_trust(model, alliance)
    meta_organisation.live(model)
    assert meta_organisation.mean_trust(model, alliance) == pytest.approx(before)


def test_what_an_alliance_convened_renews_it_when_it_creates_value() -> None:
    model = _run(4, flywheel=5.0, steps=520)
    renewals = [e for e in model.events if e.kind == "renewal"]
    assert renewals
    for event in renewals:
        assert model.initiatives[event.initiative].outcome.value in ("achieved", "evolved")
        assert model.initiatives[event.initiative].convened_by >= 0


def test_a_renewed_trusting_alliance_becomes_an_organisation() -> None:
    model = JourneyModel(rng=5, n_organisations=30, flywheel=0.0, reproduction_rate=1.0)
    members = [0, 1, 2, 3]
    alliance = _allied(model, members, evidence=60.0)
    alliance.renewals = model.assumptions.reproduction_renewals
    capability = model.capability[members].mean(axis=0)
    meta_organisation.live(model)
    founded = [e for e in model.events if e.kind == "reproduce"]
    assert len(founded) == 1
    slot = founded[0].organisation
    assert slot not in members
    np.testing.assert_allclose(model.capability[slot], capability)
    assert (model.network.informal[slot, members] == 1).all()
    assert (model.network.distance_from(np.array([slot]))[members] == 1).all()
    for member in members:
        assert model.network.distance_from(np.array([member]))[slot] == 1
    assert model.influence[slot] == pytest.approx(model.influence[members].sum())
    assert alliance.id not in model.alliances


def test_no_alliance_becomes_an_organisation_before_it_is_renewed() -> None:
    model = JourneyModel(rng=6, n_organisations=30, flywheel=0.0, reproduction_rate=1.0)
    alliance = _allied(model, [0, 1, 2], evidence=60.0)
    meta_organisation.live(model)
    assert alliance.id in model.alliances
    assert not any(e.kind == "reproduce" for e in model.events)
