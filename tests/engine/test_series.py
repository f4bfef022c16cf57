"""Per-week outcomes in sweeps: sampled, stored in their own parts, resumed, loaded."""

import math
import re

import numpy as np
import pandas as pd
import pytest

from sim.engine import SweepError, load_runs, load_series
from sim.engine.store import Store

from .helpers import spec, sweep
from .support_models import walk_length

SERIES = {"outcomes": ["position", "spread"], "every": 4, "weeks": 16}


def series_spec(**overrides):
    data = {
        "design": {"method": "latin", "n": 6, "seed": 2},
        "timeseries": SERIES,
        "classes": {"far": "y > 3"},
    }
    return spec(**{**data, **overrides})


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("series")
    runs = sweep(series_spec(), out, model="support_models:walk")
    return runs, load_series(out)


def test_series_are_sampled_every_n_weeks_and_at_the_last(reference):
    runs, series = reference
    assert list(series.columns) == ["point", "replicate", "week", "outcome", "value"]
    assert (runs.status == "done").all()
    for run in runs.itertuples():
        last = walk_length({"x2": run.x2})
        mine = series[(series.point == run.point) & (series.replicate == run.replicate)]
        expected = sorted({*range(0, last + 1, 4), last})
        for name in ("position", "spread"):
            one = mine[mine.outcome == name]
            assert one.week.tolist() == expected
        position = mine[mine.outcome == "position"]
        assert position.value.iloc[-1] == run.y  # the walk's end, as the run table has it
        assert run.position == run.y  # a series' last value is the run's outcome too
    assert len({walk_length({"x2": x}) for x in runs.x2}) > 1  # runs of different lengths
    # NaN in week 3 is never sampled with every=4; nothing else is missing
    assert series.value.notna().all()
    assert not series.duplicated(["point", "replicate", "week", "outcome"]).any()


def test_a_model_told_what_is_asked_gives_the_same_table(reference, tmp_path):
    sweep(series_spec(), tmp_path / "s", model="support_models:walk_told")
    pd.testing.assert_frame_equal(load_series(tmp_path / "s"), reference[1])


def test_every_week_keeps_every_week_and_stores_nan_as_null(tmp_path):
    every_week = {**SERIES, "outcomes": ["spread"], "every": 1}
    sweep(series_spec(timeseries=every_week), tmp_path / "s", model="support_models:walk")
    series = load_series(tmp_path / "s")
    assert series.value[series.week == 3].isna().all()
    assert series.value[series.week != 3].notna().all()
    assert (series.groupby(["point", "replicate"]).week.min() == 0).all()


def test_local_pool_and_dask_store_the_same_series(reference, tmp_path):
    for backend in ("local", "dask"):
        out = tmp_path / backend
        runs = sweep(series_spec(), out, model="support_models:walk", workers=2, backend=backend)
        pd.testing.assert_frame_equal(load_series(out), reference[1])
        pd.testing.assert_frame_equal(
            runs.drop(columns="elapsed_s"), reference[0].drop(columns="elapsed_s")
        )


def test_a_resumed_sweep_neither_duplicates_nor_loses_series(reference, tmp_path):
    out = tmp_path / "s"
    sweep(series_spec(batch_size=2, replicates=1), out, model="support_models:walk", checkpoint_s=0)
    store = Store(out)
    assert [p.name for p in store.series_paths()] == [p.name for p in store.part_paths()]
    # killed between a series part and its run part: the series part has no runs
    store.part_paths()[-1].unlink()
    # a series part damaged on disk, and one lost: their runs are run again
    first, second = store.series_paths()[:2]
    first.write_bytes(first.read_bytes()[:-40] + b"x" * 40)
    second.unlink()
    sweep(series_spec(), out, model="support_models:walk")  # and a replicate more
    pd.testing.assert_frame_equal(load_series(out), reference[1])
    assert len(load_runs(out)) == len(reference[0])
    set_aside = sorted(re.sub(r"\.\d{8}T\d{6}", "", p.name) for p in (out / "damaged").iterdir())
    assert set_aside == ["part-00000.parquet", "part-00000.series.parquet", "part-00001.parquet"]


def test_a_sweep_resumed_with_other_series_is_refused(reference, tmp_path):
    out = tmp_path / "s"
    sweep(series_spec(), out, model="support_models:walk")
    other = {**SERIES, "every": 2}
    with pytest.raises(SweepError, match=r"records per-week position, spread every 4 of 16 "):
        sweep(series_spec(timeseries=other), out, model="support_models:walk")
    with pytest.raises(SweepError, match="this scenario asks for no per-week outcomes"):
        sweep(series_spec(timeseries=None), out, model="support_models:walk")
    runs = sweep(series_spec(timeseries=other), out, model="support_models:walk", fresh=True)
    # --fresh starts over with the new request
    lasts = [walk_length({"x2": x}) for x in runs.x2]
    expected = sum(2 * len({*range(0, last + 1, 2), last}) for last in lasts)
    assert len(load_series(out)) == expected  # every 2 weeks, nothing left of every 4


def test_requests_the_engine_refuses(tmp_path):
    no_weeks = {"outcomes": ["position"]}
    with pytest.raises(SweepError, match=r"sweep.timeseries: .* plain function.*timeseries.weeks"):
        sweep(series_spec(timeseries=no_weeks), tmp_path / "a", model="support_models:walk")
    huge = {"outcomes": ["position"], "weeks": 10_000_000}
    with pytest.raises(SweepError, match=r"sweep.timeseries: .* more than the 20,000,000"):
        sweep(series_spec(timeseries=huge), tmp_path / "b", model="support_models:walk")
    assert not (tmp_path / "b").exists()  # refused before anything is written


def test_runs_that_cannot_give_their_series_fail_with_the_reason(tmp_path):
    unknown = {**SERIES, "outcomes": ["position", "speed"]}
    runs = sweep(series_spec(timeseries=unknown), tmp_path / "a", model="support_models:walk")
    assert runs.error.str.startswith("OutcomeError: the model returned no per-week outcome").all()
    assert runs.error.str.contains("'speed'").all()
    runs = sweep(series_spec(), tmp_path / "b", model="support_models:walk_too_long")
    long = runs.x1 > 1
    assert long.any()
    assert (runs.status[~long] == "done").all()
    assert runs.error[long].str.contains(r"weeks are whole numbers from 0 to 16").all()
    series = load_series(tmp_path / "b")
    assert set(series.point) == set(runs.point[~long])  # failed runs store no series
    scalar = {**SERIES, "outcomes": ["y"]}
    runs = sweep(series_spec(timeseries=scalar), tmp_path / "c", model="support_models:walk")
    assert runs.error.str.contains("per-week outcome 'y' is float").all()


def test_mesa_model_series_are_its_datacollector_at_each_step(tmp_path):
    the_spec = spec(
        parameters={"rate": {"uniform": [0.5, 2.0]}},
        design={"method": "latin", "n": 3, "seed": 1},
        classes={},
        timeseries={"outcomes": ["total", "noise"], "every": 3},
    )
    counting = {"model": "mesa_models:CountingModel", "steps": 7, "base_params": {}}
    runs = sweep(the_spec, tmp_path / "s", **counting)
    series = load_series(tmp_path / "s")
    assert (runs.status == "done").all()
    for run in runs.itertuples():
        mine = series[(series.point == run.point) & (series.replicate == run.replicate)]
        total = mine[mine.outcome == "total"]
        assert total.week.tolist() == [0, 3, 6, 7]
        np.testing.assert_allclose(total.value, [0, 3 * run.rate, 6 * run.rate, 7 * run.rate])
        assert math.isclose(total.value.iloc[-1], run.total)
    missing = the_spec.model_copy(
        update={"timeseries": the_spec.timeseries.model_copy(update={"outcomes": ["sum"]})}
    )
    runs = sweep(missing, tmp_path / "m", **counting)
    assert runs.error.str.contains(r"collects no 'sum' \(it collects: total, noise\)").all()


def test_a_sweep_without_series_has_none_to_load(tmp_path):
    sweep(spec(), tmp_path / "s")
    assert not (tmp_path / "s" / "series").exists()
    with pytest.raises(SweepError, match="records no per-week outcomes; name them"):
        load_series(tmp_path / "s")
