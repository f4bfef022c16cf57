"""Mesa idioms: the journey model has its own DataCollector and runs under mesa.batch_run."""

from __future__ import annotations

import math
import multiprocessing

import mesa
import pandas as pd
import pytest

from sim.journey.measures import MEASURES
from sim.journey.model import JourneyModel
from sim.runs import evaluate


@pytest.fixture(autouse=True)
def _keep_start_method():
    """mesa.batch_run forces the 'spawn' start method process-wide; put it back after."""
    before = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(before, force=True)


def test_batch_run_returns_the_run_measures() -> None:
    rows = mesa.batch_run(
        JourneyModel,
        parameters={"trust": [0.3, 0.7], "n_organisations": 30, "steps": 52},
        number_processes=1,
        display_progress=False,
        rng=[11, 12],
    )
    table = pd.DataFrame(rows)
    assert len(table) == 4  # two settings x two seeds, one row each (the run's end)
    assert set(MEASURES) <= set(table.columns)
    assert (table["Step"] == 52).all()
    assert table["initiatives_started"].gt(0).all()


def test_batch_run_matches_the_sweep_evaluator() -> None:
    rows = mesa.batch_run(
        JourneyModel,
        parameters={"trust": 0.6, "n_organisations": 30, "steps": 52},
        number_processes=1,
        display_progress=False,
        rng=[5],
    )
    want = evaluate({"trust": 0.6, "n_organisations": 30, "steps": 52}, 5)
    for name, value in want.items():
        got = rows[0][name]
        assert (math.isnan(value) and math.isnan(got)) or got == value, name


def test_collecting_every_week_gives_the_timeline() -> None:
    model = JourneyModel(rng=2, n_organisations=30, steps=20, collect_every=1)
    while model.running:
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 21  # the start and every week
    once = JourneyModel(rng=2, n_organisations=30, steps=20)
    while once.running:
        once.step()
    assert len(once.datacollector.get_model_vars_dataframe()) == 1  # only the end
    last = frame.iloc[-1].to_dict()
    end = once.datacollector.get_model_vars_dataframe().iloc[-1].to_dict()
    assert {k: v for k, v in last.items() if not math.isnan(v)} == {
        k: v for k, v in end.items() if not math.isnan(v)
    }
