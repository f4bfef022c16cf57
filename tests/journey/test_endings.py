"""Honest endings: unfinished initiatives counted, runs that finish what they started,
collaboration ties recorded when a partnership forms, organisations that come and go."""

from __future__ import annotations

import numpy as np

from sim.journey.measures import measure_all
from sim.journey.model import JourneyModel
from sim.journey.stages import STARTED_OUTCOMES, Stage


def _run(seed: int, **settings) -> JourneyModel:
    model = JourneyModel(rng=seed, **{"n_organisations": 60, "steps": 156, **settings})
    while model.running:
        model.step()
    return model


def test_initiatives_under_way_at_the_end_are_counted() -> None:
    model = _run(1)
    measures = measure_all(model)
    started = [i for i in model.initiatives if i.started]
    under_way = [i for i in started if not i.ended]
    assert under_way, "a run this short leaves some under way"
    assert measures["unfinished_share"] == len(under_way) / len(started)
    shares = sum(measures[f"{o.value}_share"] for o in STARTED_OUTCOMES)
    assert abs(shares - 1.0) < 1e-9  # shares of those that ended, stated as such


def test_a_run_can_go_on_until_everything_started_has_ended() -> None:
    model = _run(1, completion_weeks=1_000)
    assert measure_all(model)["unfinished_share"] == 0.0
    assert model.tick > model.params.steps
    assert all(i.entered["latent_value"] <= model.params.steps for i in model.initiatives)
    stopped = _run(1)
    assert stopped.tick == stopped.params.steps


def test_ties_are_recorded_when_a_partnership_is_established() -> None:
    """Each pair is tied once per initiative, when it is established with both in it."""
    model = JourneyModel(rng=4, n_organisations=60, steps=156, turnover=0.0)
    expected = np.zeros((model.n, model.n), dtype=int)
    established: dict[int, int] = {}  # initiative -> tick it last entered establishing
    tied: dict[int, set[tuple[int, int]]] = {}
    while model.running:
        model.step()
        for ini in model.initiatives:
            when = ini.entered.get("establishing")
            if when is None or established.get(ini.id) == when:
                continue
            established[ini.id] = when
            pairs = {(a, b) for a in ini.members for b in ini.members if a != b}
            for a, b in pairs - tied.setdefault(ini.id, set()):
                expected[a, b] += 1
            tied[ini.id] |= pairs
    seen = set(established)
    assert seen, "some partnerships formed"
    np.testing.assert_array_equal(model.collab, expected)
    cohered_only = [i for i in model.initiatives if "cohering" in i.entered and i.id not in seen]
    assert cohered_only, "some teams never got past cohering, and left no ties"


def test_turnover_replaces_organisations_with_strangers() -> None:
    model = JourneyModel(rng=2, n_organisations=60, steps=156, turnover=0.6)
    replaced = 0
    while model.running:
        before = len(model.events)
        model.step()
        left = {
            e.organisation
            for e in model.events[before:]
            if e.kind == "exit" and "left the ecosystem" in e.reason
        }
        for org in left:  # the newcomer in its place knows nobody yet
            assert model.collab[org].sum() == 0
            assert model.collab[:, org].sum() == 0
            assert model.informal[org].sum() == 0
            replaced += 1
        assert len(model.agents) == model.n  # one agent per organisation, always
    assert replaced > 10


def test_turnover_keeps_the_collaboration_network_from_filling_up() -> None:
    settled = [measure_all(_run(s, turnover=0.0))["giant_component_share"] for s in range(4)]
    churned = [measure_all(_run(s, turnover=0.8))["giant_component_share"] for s in range(4)]
    assert np.mean(churned) < np.mean(settled) - 0.1


def test_no_new_opportunities_after_the_horizon() -> None:
    model = _run(3, completion_weeks=300)
    late = [i for i in model.initiatives if i.entered["latent_value"] > model.params.steps]
    assert not late
    assert all(i.stage is Stage.ENDED or i.ended or not i.started for i in model.initiatives)
