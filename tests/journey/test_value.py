"""Value viewed broadly: delivered value, learning, relational value, set-up costs."""

from __future__ import annotations

import numpy as np
import pytest

from sim.journey.measures import measure_all
from sim.journey.model import JourneyModel
from sim.journey.stages import Outcome
from sim.journey.value_creation import learning


def _run(seed: int, **settings) -> JourneyModel:
    model = JourneyModel(rng=seed, **settings)
    while model.running:
        model.step()
    return model


def test_value_is_delivered_plus_learning_less_the_set_up_cost() -> None:
    model = _run(1)
    t = model.table
    for ini in model.initiatives:
        if ini.outcome is None or ini.outcome is Outcome.LAPSED:
            continue
        assert ini.value == pytest.approx(ini.delivered + ini.learning - t.setup_cost[ini.id])
    m = measure_all(model)
    accounted = [i for i in model.initiatives if i.outcome is not None]  # work stopped
    paid = sum(t.setup_cost[i.id] for i in accounted)
    assert m["value_created"] == pytest.approx(m["value_delivered"] + m["learning_value"] - paid)
    still = [i for i in model.initiatives if i.outcome is None]
    assert still and all(i.value == 0.0 for i in still), "under way: nothing counted yet"
    established = [i for i in model.initiatives if i.ended and "establishing" in i.entered]
    assert established and all(model.table.setup_cost[i.id] > 0 for i in established)


def test_graceful_exits_keep_their_learning() -> None:
    exits = [
        ini
        for seed in range(3)
        for ini in _run(seed).initiatives
        if ini.outcome is Outcome.GRACEFUL_EXIT and "cohering" in ini.entered
    ]
    assert exits
    assert np.mean([i.learning > 0 for i in exits]) > 0.9
    assert np.mean([i.learning for i in exits]) > np.mean([i.delivered for i in exits]) * 0.1


def test_learning_grows_with_the_diversity_of_partners() -> None:
    model = _run(2)
    ini = next(i for i in model.initiatives if "cohering" in i.entered and len(i.ever_members) > 2)
    team = np.asarray(ini.ever_members)
    base = learning(model, ini)
    mean = model.capability[team].mean(axis=0)
    alike = model.capability.copy()
    model.capability[team] = mean  # everyone alike: nothing to learn from each other
    assert learning(model, ini) == 0.0
    model.capability[:] = alike
    model.capability[team[0]] = 1.0 - model.capability[team[0]]  # one very unlike
    assert learning(model, ini) != base
    without = _run(2, learning_value=0.0)
    assert measure_all(without)["learning_value"] == 0.0


def test_value_created_by_old_ties_is_credited_back_to_who_formed_them() -> None:
    credited = 0.0
    for seed in range(4):
        model = _run(seed, network_strength=0.0)
        for ini in model.initiatives:
            credited += ini.relational
            if ini.relational > 0:
                # it established, so it tied pairs that a later team delivered with
                assert "establishing" in ini.entered
        m = measure_all(model)
        delivered_by_repeat = m["value_delivered"] * model.assumptions.relational_share
        assert m["relational_value"] <= delivered_by_repeat + 1e-9
        off = measure_all(_run(seed, network_strength=0.0, relational_share=0.0))
        assert off["relational_value"] == 0.0
    assert credited > 0
