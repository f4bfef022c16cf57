"""Compaction of a sweep's parts, chunked execution, and what a kill mid-merge leaves."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.engine import load_runs, load_series, store
from sim.engine.runner import _Pending
from sim.engine.store import REPLACES_KEY, Store

from .helpers import outcome_table, spec, sweep

SERIES = {"outcomes": ["position", "spread"], "every": 4, "weeks": 16}


class Killed(BaseException):
    """Stands for the process being killed at that moment."""


def series_spec(**overrides):
    data = {
        "design": {"method": "latin", "n": 12, "seed": 2},
        "timeseries": SERIES,
        "classes": {"far": "y > 3"},
        "batch_size": 2,
    }
    return spec(**{**data, **overrides})


def many_parts(the_spec, out, **kwargs):
    """Sweep writing one part per batch of two runs (checkpoint at every batch)."""
    return sweep(the_spec, out, model="support_models:walk", checkpoint_s=0.0, **kwargs)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("whole")
    runs = sweep(series_spec(batch_size=None), out, model="support_models:walk")
    return outcome_table(runs), load_series(out)


@pytest.fixture
def small_parts(monkeypatch):
    """Compact once there are 3 small parts; a part is small below 5 runs."""
    monkeypatch.setattr(store, "COMPACT_AT", 3)
    monkeypatch.setattr(store, "SMALL_PART_ROWS", 5)


def assert_same_sweep(out, reference):
    runs, series = reference
    pd.testing.assert_frame_equal(outcome_table(load_runs(out)), runs)
    pd.testing.assert_frame_equal(load_series(out), series)


@pytest.mark.usefixtures("small_parts")
def test_compaction_keeps_every_run_bounds_the_parts_and_resumes(reference, tmp_path):
    out = tmp_path / "s"
    many_parts(series_spec(), out)  # 24 runs in 12 batches of 2
    parts = Store(out).part_paths()
    assert 2 <= len(parts) < 6
    assert [p.name for p in Store(out).series_paths()] == [p.name for p in parts]
    merged = [p for p in parts if store._part_metadata(p, REPLACES_KEY)]
    assert merged
    assert_same_sweep(out, reference)
    # a resume finds everything stored and changes nothing
    before = {p.name: p.read_bytes() for p in parts}
    many_parts(series_spec(), out)
    assert {p.name: p.read_bytes() for p in Store(out).part_paths()} == before
    assert_same_sweep(out, reference)


def kill_at(monkeypatch, name, call):
    """Make the ``call``-th call of ``Store.<name>`` during a compaction die first."""
    real = getattr(Store, name)
    calls = {"n": 0}

    def dying(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == call:
            raise Killed
        return real(self, *args, **kwargs)

    real_compact = Store.compact

    def compact(self):
        monkeypatch.setattr(Store, name, dying)
        try:
            return real_compact(self)
        finally:
            monkeypatch.setattr(Store, name, real)

    monkeypatch.setattr(Store, "compact", compact)
    return calls


@pytest.mark.usefixtures("small_parts")
@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("_commit_part", 1),  # before the merged series part is in place
        ("_commit_part", 2),  # merged series part in place, merged run part not yet
        ("_drop_replaced", 1),  # merged parts in place, none of the old ones removed
    ],
)
def test_a_kill_mid_compaction_loses_no_run_and_stores_none_twice(
    reference, tmp_path, monkeypatch, name, call
):
    out = tmp_path / "s"
    kill_at(monkeypatch, name, call)
    with pytest.raises(Killed):
        many_parts(series_spec(), out)
    monkeypatch.undo()
    stored = Store(out)
    if name == "_drop_replaced":  # the merged part is there beside the parts it replaces
        merged = [p for p in stored.part_paths() if store._part_metadata(p, REPLACES_KEY)]
        replaced = store._part_metadata(merged[-1], REPLACES_KEY)
        assert all((stored.runs_dir / part).exists() for part in replaced)
        # read before any resume, every run is there once
        runs = outcome_table(load_runs(out))
        assert not runs.duplicated(["point", "replicate"]).any()
        raw = pd.concat([pd.read_parquet(p) for p in stored.runs_dir.glob("part-*.parquet")])
        assert len(raw) > len(runs)  # the old parts hold some runs a second time
        assert len(runs) == len(raw.drop_duplicates(["point", "replicate"]))
    many_parts(series_spec(), out)
    assert_same_sweep(out, reference)


def test_a_kill_while_removing_merged_parts_is_finished_on_resume(reference, tmp_path):
    out = tmp_path / "s"
    many_parts(series_spec(batch_size=4), out)  # 6 parts, never compacted (defaults)
    stored = Store(out)
    parts = stored.part_paths()
    assert len(parts) == 6
    copies = {p: p.read_bytes() for p in parts[:3]}
    twins = {
        stored.series_dir / p.name: (stored.series_dir / p.name).read_bytes() for p in parts[:3]
    }
    ledgers = stored.read_ledger(), stored.read_ledger(stored.series_dir)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "COMPACT_AT", 3)
        patch.setattr(store, "SMALL_PART_ROWS", 12)
        merged = stored.compact()
    assert merged is not None
    assert not any(p.exists() for p in copies)
    # put one replaced part back, as a kill after its first deletions would leave it
    for path, data in [*copies.items(), *twins.items()][2:4]:
        path.write_bytes(data)
    ledger = stored.read_ledger()
    ledger.update({k: v for k, v in ledgers[0].items() if k == parts[2].name})
    stored.write_ledger(ledger)
    assert stored.finish_compaction() == 1
    assert not parts[2].exists()
    many_parts(series_spec(batch_size=4), out)
    assert_same_sweep(out, reference)


@given(
    done=arrays(bool, st.tuples(st.integers(0, 12), st.integers(1, 5))),
    block=st.integers(1, 7),
    sizes=st.lists(st.integers(1, 9), min_size=1, max_size=30),
)
def test_pending_runs_come_in_point_then_replicate_order_whatever_the_chunks(done, block, sizes):
    pending = _Pending(done)
    pending.block = block
    taken = []
    for size in sizes:
        points, replicates = pending.take(size)
        assert len(points) <= size
        taken += zip(points.tolist(), replicates.tolist(), strict=True)
    expected = [
        (p, r) for p in range(done.shape[0]) for r in range(done.shape[1]) if not done[p, r]
    ]
    assert taken == expected[: len(taken)]
    assert len(taken) == min(len(expected), sum(sizes))
