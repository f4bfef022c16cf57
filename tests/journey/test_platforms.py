"""Open-innovation platforms: members reach each other cheaply and trust each other a little."""

from __future__ import annotations

import numpy as np

from sim.analysis.paired import paired_difference
from sim.journey import exploring, measures, platforms
from sim.journey.latent_value import open_initiative
from sim.journey.model import JourneyModel
from sim.journey.stages import Kind


def test_members_of_a_platform_are_within_its_distance_of_each_other() -> None:
    model = JourneyModel(rng=1, n_organisations=60, network_structure="none", platform=0.5)
    on = model.on_platform.nonzero()[0]
    assert 15 <= on.size <= 45
    champion = int(on[0])
    ini = open_initiative(model, Kind.CONSORTIUM, champion)
    exploring.start_search(model, ini, "test")
    distance = exploring.team_view(model, ini).candidates.distance
    far = model.assumptions.max_distance
    assert (distance[on[1:]] == model.assumptions.platform_distance).all()
    assert (distance[~model.on_platform] == far).all()  # no ties: strangers stay strangers
    np.testing.assert_array_equal(platforms.reach_from(model, champion), distance)


def test_the_platform_confers_trust_on_its_members_only() -> None:
    model = JourneyModel(rng=2, n_organisations=40, network_structure="none", platform=0.5)
    on = model.on_platform
    trust = model.trust.matrix()
    pair = np.outer(on, on) & ~np.eye(40, dtype=bool)
    prior = model.params.trust
    assert (trust[pair] > prior + 0.05).all()
    assert np.allclose(trust[~pair & ~np.eye(40, dtype=bool)], prior)


def test_newcomers_join_the_platform_in_its_share() -> None:
    model = JourneyModel(rng=3, n_organisations=200, turnover=1.0, platform=0.5, steps=52)
    while model.running:
        model.step()
    assert 0.4 < model.on_platform.mean() < 0.6
    none = JourneyModel(rng=3, n_organisations=50, turnover=1.0, steps=52)
    while none.running:
        none.step()
    assert not none.on_platform.any()


def test_a_platform_makes_exploring_faster_and_cheaper() -> None:
    """Paired seeds, no informal ties: platform members find each other at fewer steps."""

    def weeks(platform: float) -> list[float]:
        out = []
        for seed in range(8):
            model = JourneyModel(rng=seed, steps=156, network_structure="none", platform=platform)
            while model.running:
                model.step()
            out.append(measures.weeks_in(model, exploring.Stage.EXPLORING))
        return out

    d = paired_difference(weeks(0.0), weeks(1.0))
    assert d.high < 0.0
