"""Snowballing as momentum: members recruit through their ties, contacts sway, others join."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.journey import exploring
from sim.journey.model import JourneyModel
from sim.journey.rules import swayed_acceptance
from sim.journey.stages import Kind, Stage


def _run(seed: int, **settings) -> JourneyModel:
    model = JourneyModel(rng=seed, **settings)
    while model.running:
        model.step()
    return model


def _joins(model: JourneyModel, text: str) -> int:
    return sum(e.kind == "join" and text in e.reason for e in model.events)


def test_members_recruit_through_their_own_ties_only_with_snowballing() -> None:
    still = _run(1, steps=104)
    rolling = _run(1, steps=104, snowball=1.0)
    assert _joins(still, "through organisation") == 0
    assert _joins(still, "unasked") == 0
    assert _joins(rolling, "through organisation") > 0
    assert _joins(rolling, "unasked") > 0


def test_the_event_log_says_through_whom_a_member_joined() -> None:
    model = _run(2, steps=104, snowball=1.0)
    for event in model.events:
        if event.kind == "join" and "through organisation" in event.reason:
            asker = int(event.reason.rsplit(" ", 1)[1])
            assert asker in model.initiatives[event.initiative].ever_members
            assert asker != event.organisation


@given(
    chance=st.floats(0, 1),
    snowball=st.floats(0, 1),
    proof=st.floats(0, 1),
    tied=st.floats(0, 1),
)
def test_contacts_already_in_only_ever_raise_acceptance(chance, snowball, proof, tied) -> None:
    swayed = swayed_acceptance(chance, snowball, proof, tied)
    assert chance - 1e-12 <= swayed <= 1.0 + 1e-12
    assert swayed_acceptance(chance, 0.0, proof, tied) == chance
    assert swayed_acceptance(chance, snowball, proof, 0.0) == chance


def _exploring_team(model: JourneyModel, members: list[int]):
    """An exploring consortium of ``members`` (the first is its champion)."""
    from sim.journey.latent_value import open_initiative

    ini = open_initiative(model, Kind.CONSORTIUM, members[0])
    exploring.start_search(model, ini, "test")
    for org in members[1:]:
        model.join(ini, org)
    return ini


def test_idle_organisations_join_unasked_once_the_pull_passes_their_threshold() -> None:
    """An organisation tied to the whole team joins unasked if bold; a timid one does not."""
    joined = {}
    for appetite in (1.0, 0.0):
        model = JourneyModel(
            rng=3, n_organisations=20, network_structure="none", snowball=1.0, consortium_size=8
        )
        team = [0, 1, 2]
        ini = _exploring_team(model, team)
        model.table.due[ini.id] = 10**6  # no asks: only momentum
        model.network.tie_informally(5, np.array(team))
        model.risk_appetite[5] = appetite  # threshold 1 - appetite; the pull is 1 + 0.5 x 3/8
        if appetite == 0.0:
            model.network.tie_informally(5, np.arange(6, 12))  # ... diluted by others
        for _ in range(40):
            exploring.momentum(model)
        joined[appetite] = 5 in ini.members
        assert set(ini.members) <= {0, 1, 2, 5}, "only organisations tied to the team feel it"
    assert joined == {1.0: True, 0.0: False}


def test_pull_grows_with_the_team_so_joining_unasked_snowballs() -> None:
    """Bigger teams (more contacts inside, more visible progress) draw more organisations."""
    counts = []
    for size in (2, 6):
        total = 0
        for seed in range(30):
            model = JourneyModel(rng=seed, n_organisations=60, snowball=1.0, consortium_size=12)
            ini = _exploring_team(model, list(range(size)))
            model.table.due[ini.id] = 10**6
            before = len(ini.members)
            exploring.momentum(model)
            total += len(ini.members) - before
        counts.append(total)
    assert counts[1] > counts[0]


def test_due_diligence_charges_every_candidate_considered() -> None:
    """A search step costs network steps to the invitee plus due diligence per candidate."""
    for breadth in (1, 20):
        model = JourneyModel(
            rng=4, n_organisations=60, network_structure="none", search_breadth=breadth,
            due_diligence_cost=0.3,
        )  # fmt: skip
        ini = _exploring_team(model, [0])
        before = model.table.budget[ini.id]
        exploring.search_step(model, ini)
        stranger = model.assumptions.max_distance * model.params.search_cost
        assert model.table.budget[ini.id] == before - (stranger + 0.3 * breadth)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), snowball=st.floats(0.05, 1.0))
def test_teams_never_outgrow_their_limit(seed: int, snowball: float) -> None:
    model = JourneyModel(rng=seed, steps=80, snowball=snowball, consortium_size=4)
    while model.running:
        model.step()
        for i in model.ids_in(Stage.EXPLORING):
            ini = model.initiatives[i]
            assert len(ini.members) <= exploring.team_limit(model, ini)


def test_invitees_tied_to_the_team_accept_more_often_with_snowballing() -> None:
    """Social proof: the same asks succeed more often when the invitee knows those in."""

    def accepted(tied: bool, snowball: float) -> int:
        joins = 0
        for seed in range(150):
            model = JourneyModel(
                rng=seed, n_organisations=30, network_structure="none", snowball=snowball
            )
            model.commitment[:] = 0.0  # acceptance on its own: 0.4 x trust^0.5
            ini = _exploring_team(model, [0, 1, 2])
            if tied:
                for org in range(3, 30):
                    model.network.tie_informally(org, np.arange(3))
            view = exploring.team_view(model, ini)
            exploring._ask(model, ini, view, 0)
            joins += len(ini.members) > 3
        return joins

    assert accepted(tied=True, snowball=1.0) > accepted(tied=False, snowball=1.0) + 30
    assert accepted(tied=True, snowball=0.0) == accepted(tied=False, snowball=0.0)
