"""A convener: an agency assigns teams at once, mandates commitment, confers less trust."""

from __future__ import annotations

import numpy as np

from sim.analysis.paired import paired_difference
from sim.journey import convening, exploring, measures
from sim.journey.cohering import coverage
from sim.journey.journeying import _tuckman
from sim.journey.latent_value import open_initiative
from sim.journey.model import JourneyModel
from sim.journey.stages import Kind, Phase, Stage


def _run(seed: int, **settings) -> JourneyModel:
    model = JourneyModel(rng=seed, **settings)
    while model.running:
        model.step()
    return model


def test_the_agency_assigns_a_whole_team_by_capability_at_once() -> None:
    model = JourneyModel(rng=1, n_organisations=40, convener="agency", network_structure="none")
    ini = open_initiative(model, Kind.CONSORTIUM, 0)
    exploring.start_search(model, ini, "test")
    team = ini.members
    assert len(team) == model.params.consortium_size
    # each place went to whoever added most to the needs: no one idle would add more
    # in the last one
    covered = coverage(ini.requirement, model.capability[team])
    for other in (model.org_initiative < 0).nonzero()[0]:
        swapped = [*team[:-1], int(other)]
        assert coverage(ini.requirement, model.capability[swapped]) <= covered + 1e-12
    assert (model.traits.floor[team] >= model.assumptions.convened_commitment).all()
    trust = model.trust.of(np.asarray(team)[:, None], np.asarray(team))
    off = ~np.eye(len(team), dtype=bool)
    assert (trust[off] < model.params.trust).all()  # imposed partners start with doubt
    assert ini.stage is Stage.EXPLORING
    for _ in range(int(model.assumptions.convener_weeks)):
        model.step()
    assert ini.stage is not Stage.EXPLORING


def test_without_a_convener_nobody_is_assigned() -> None:
    events = _run(2, steps=104).events
    assert not any("assigned" in e.reason for e in events)
    convened = _run(2, steps=104, convener="agency").events
    assert any("assigned" in e.reason for e in convened)
    assert not any(e.kind == "join" and "joins" in e.reason for e in convened)


def test_a_convened_team_starts_storming_with_more_conflict() -> None:
    conflict = {}
    for flag in (False, True):
        model = JourneyModel(rng=3, n_organisations=30)
        ini = open_initiative(model, Kind.CONSORTIUM, 0)
        for org in (1, 2, 3):
            model.join(ini, org)
        model.table.convened[ini.id] = flag
        moves = np.array([int(Phase.STORMING)])
        _tuckman(model, np.array([ini.id]), moves, np.zeros(ini.id + 1))
        conflict[flag] = model.table.conflict[ini.id]
    assert conflict[True] == conflict[False] + model.assumptions.convened_conflict


def test_formation_is_faster_under_a_convener() -> None:
    def weeks(convener: str) -> list[float]:
        return [
            measures.weeks_in(_run(seed, steps=156, convener=convener), Stage.EXPLORING)
            for seed in range(6)
        ]

    assert paired_difference(weeks("none"), weeks("agency")).high < 0.0
    assert convening.convenes(JourneyModel(rng=0, convener="agency"))
