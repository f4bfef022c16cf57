"""Pattern measures: a run's alliances in Reuer and Zollo's categories, consortium size and
repeat partnering, worked out again here from the run's own record."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.journey.measures import MEASURES, PATTERN_MEASURES, measure_all
from sim.journey.model import JourneyModel
from sim.journey.network import network_of
from sim.runs import timeline_reporters

SMALL = {"n_organisations": 60, "steps": 156}


@pytest.fixture(scope="module")
def record() -> sim.RunRecord:
    return sim.run(SMALL, seed=3)


def test_alliance_shares_follow_the_documented_mapping(record: sim.RunRecord) -> None:
    table = record.initiatives
    formed = table[table["entered_journeying"].notna() & table["outcome"].notna()]
    assert len(formed) >= 5, "enough alliances to compare"
    success = formed["outcome"].isin(["achieved", "evolved"]).mean()
    failure = (formed["outcome"] == "failed").mean()
    measures = record.measures
    assert measures["alliance_success_share"] == pytest.approx(success)
    assert measures["alliance_failure_share"] == pytest.approx(failure)
    assert measures["alliance_between_share"] == pytest.approx(1 - success - failure)


def test_mean_consortium_size_is_the_team_when_established(record: sim.RunRecord) -> None:
    model = JourneyModel(rng=3, **SMALL)
    while model.running:
        model.step()
    sizes = [len(i.tied) for i in model.initiatives if "establishing" in i.entered]
    assert sizes
    assert measure_all(model)["mean_consortium_size"] == pytest.approx(np.mean(sizes))
    assert 2 <= np.mean(sizes) <= model.params.consortium_size


def test_never_repeat_share_counts_organisations_not_pairs() -> None:
    model = JourneyModel(rng=1, n_organisations=6, steps=1)
    none = np.empty(0, dtype=np.int64)
    model.network = network_of(6, (none, none), 5, np.ones(6))
    assert math.isnan(MEASURES["never_repeat_share"].fn(model))
    for k, team in enumerate([[0, 1], [0, 1], [1, 2], [3, 4]]):  # 0 and 1 worked together twice
        model.network.tie(np.array(team), k, none)
    # 0, 1, 2, 3, 4 have partnered, 5 never; 0 and 1 repeated
    assert MEASURES["never_repeat_share"].fn(model) == pytest.approx(3 / 5)


def test_pattern_measures_are_kept_out_of_the_weekly_timeline(record: sim.RunRecord) -> None:
    names = {m.name for m in PATTERN_MEASURES}
    assert names <= set(record.measures)
    assert not names & set(timeline_reporters())
    assert not names & set(record.timeline.columns)
