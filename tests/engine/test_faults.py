"""Fault injection: dying workers, hung runs, damaged parts, a full disk, interrupted
reclassification, and a --fresh that must leave other files alone."""

import errno
import re
import subprocess
import threading
import time
from concurrent.futures import wait
from pathlib import Path

import dask
import faulty_models
import pandas as pd
import pyarrow.parquet as pq
import pytest
from distributed import LocalCluster

from sim.engine import SweepError, executors, load_manifest, load_runs
from sim.engine.executors import open_pool, worker_died
from sim.engine.store import DAMAGED, Store, part_classes

from .helpers import outcome_table, spec, sweep


def one_replicate(**overrides):
    return spec(replicates=1, **overrides)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted sweep every faulty one is compared with."""
    out = tmp_path_factory.mktemp("reference")
    return outcome_table(sweep(one_replicate(), out))


def check_crashed(frame, reference, status="crashed"):
    doomed = frame.x1 > 2.9
    assert doomed.sum() == 3
    assert (frame[doomed].status == status).all()
    assert frame[doomed].y.isna().all()
    assert frame[doomed]["class_high"].isna().all()
    # every other run is exactly what an undisturbed sweep gives
    pd.testing.assert_frame_equal(
        outcome_table(frame)[~doomed].reset_index(drop=True),
        reference[~doomed].reset_index(drop=True),
    )


@pytest.mark.parametrize("model", ["faulty_models:dies", "faulty_models:segfaults"])
def test_a_run_that_kills_its_worker_is_recorded_and_the_sweep_goes_on(tmp_path, reference, model):
    out = tmp_path / "s"
    frame = sweep(one_replicate(), out, model=model, workers=2)
    check_crashed(frame, reference)
    assert frame[frame.x1 > 2.9].error.str.contains("worker process died").all()
    counts = load_manifest(out)["counts"]
    assert counts["crashed"] == 3
    assert counts["done"] == 37
    assert counts["missing"] == 0
    # a resume has nothing left to do: a crashed run is data, not a hole
    again = sweep(one_replicate(), out, model=model, workers=2)
    pd.testing.assert_frame_equal(again, frame)


def test_a_run_that_kills_its_dask_worker_is_recorded(tmp_path, reference):
    frame = sweep(
        one_replicate(), tmp_path / "s", model="faulty_models:dies", backend="dask", workers=2
    )
    check_crashed(frame, reference)


def test_a_dask_result_lost_with_its_worker_still_completes_its_future(tmp_path):
    """The task finished, its worker died before the result was fetched, the re-run died."""
    with open_pool("dask", 2, None) as pool:
        future = pool.submit(faulty_models.finishes_then_dies, str(tmp_path / "ran"))
        done, _ = wait([future], timeout=60)
        assert done, "the future of a task whose outcome was lost never completed"
        assert worker_died(future.exception())
        assert pool.submit(int, "7").result(timeout=60) == 7  # the pool still works


def test_a_dask_worker_slow_to_restart_is_not_given_up(tmp_path, reference):
    # a cluster gives up a lost worker after this long (15 s unless set): here every
    # restart is slower than that, as many are on a loaded machine
    with dask.config.set({"distributed.deploy.lost-worker-timeout": "0.1s"}):
        frame = sweep(
            one_replicate(), tmp_path / "s", model="faulty_models:dies", backend="dask", workers=2
        )
    check_crashed(frame, reference)


def test_a_dask_cluster_left_without_workers_stops_the_sweep(tmp_path, monkeypatch):
    monkeypatch.setattr(executors, "NO_WORKERS_S", 2.0)
    out = tmp_path / "s"
    start = time.monotonic()
    with pytest.raises(SweepError, match=r"no workers for [0-9]+ s") as info:
        sweep(one_replicate(), out, model="faulty_models:ends_its_nanny", backend="dask", workers=2)
    assert time.monotonic() - start < 60
    assert "finished runs are saved" in str(info.value)
    # the runs that finished before the workers were lost are stored and counted
    stored = Store(out).read_columns(["point", "status"])
    assert stored is not None
    assert stored.num_rows > 0
    assert load_manifest(out)["counts"]["done"] == stored.column("status").to_pylist().count("done")


def test_a_dask_scheduler_without_workers_is_waited_for_and_said(
    tmp_path, reference, monkeypatch, capsys
):
    monkeypatch.setattr(executors, "NO_WORKERS_S", 1.0)
    with LocalCluster(n_workers=0, threads_per_worker=1, dashboard_address=None) as cluster:
        workers_come = threading.Timer(8.0, cluster.scale, args=(1,))
        workers_come.start()
        try:
            frame = sweep(
                one_replicate(),
                tmp_path / "s",
                backend="dask",
                scheduler=cluster.scheduler_address,
                progress=True,
            )
        finally:
            workers_come.cancel()
    err = capsys.readouterr().err
    assert re.search(r"the Dask scheduler has had no workers for [0-9]+ s; waiting for", err)
    pd.testing.assert_frame_equal(outcome_table(frame), reference)


@pytest.mark.parametrize("backend", ["local", "dask"])
def test_a_worker_lost_once_loses_no_run(tmp_path, reference, backend):
    """A worker killed from outside (here: by its first run) costs nothing but time."""
    marker = tmp_path / "lost"
    frame = sweep(
        one_replicate(),
        tmp_path / "s",
        model="faulty_models:lose_worker_once",
        backend=backend,
        workers=2,
        base_params={"a": 7.0, "b": 0.1, "marker": str(marker)},
    )
    assert marker.exists()
    assert (frame.status == "done").all()
    pd.testing.assert_frame_equal(outcome_table(frame), reference)


@pytest.mark.parametrize("backend", ["local", "dask"])
def test_a_run_blocked_in_native_code_is_stopped_as_timeout(tmp_path, backend):
    the_spec = one_replicate(design={"method": "latin", "n": 12, "seed": 1}, timeout_s=0.5)
    start = time.monotonic()
    frame = sweep(the_spec, tmp_path / "s", model="faulty_models:hangs", backend=backend, workers=2)
    assert time.monotonic() - start < 60
    doomed = frame.x1 > 2.9
    assert doomed.sum() == 1
    assert (frame[doomed].status == "timeout").all()
    assert frame[doomed].error.str.contains("time limit of 0.5 s").all()
    assert (frame[~doomed].status == "done").all()


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:  # the same length, some bytes in the middle overwritten
        middle = len(data) // 2
        path.write_bytes(data[:middle] + b"\x00" * 16 + data[middle + 16 :])


def test_damaged_parts_are_moved_aside_and_their_runs_run_again(tmp_path, reference, capsys):
    out = tmp_path / "s"
    sweep(one_replicate(batch_size=4), out, checkpoint_s=0, workers=1)
    parts = Store(out).part_paths()
    assert len(parts) >= 4
    damage(parts[1], "truncated")
    damage(parts[2], "overwritten")
    frame = sweep(one_replicate(batch_size=4), out, progress=True)
    err = capsys.readouterr().err
    assert f"runs/{parts[1].name} is damaged" in err
    assert f"runs/{parts[2].name} is damaged" in err
    pd.testing.assert_frame_equal(outcome_table(frame), reference)
    moved = sorted(p.name for p in (out / DAMAGED).iterdir())
    assert len(moved) == 2
    assert moved[0].startswith(parts[1].stem)
    manifest = load_manifest(out)
    assert manifest["counts"]["done"] == 40
    assert len(manifest["damaged_parts"]) == 2


def test_a_full_disk_is_named_and_every_stored_run_kept(tmp_path, reference, monkeypatch):
    out = tmp_path / "s"
    real = pq.write_table
    written = []

    def fill_up(table, where, **kwargs):
        if len(written) >= 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(where)
        return real(table, where, **kwargs)

    monkeypatch.setattr(pq, "write_table", fill_up)
    with pytest.raises(SweepError, match="No space left on device") as info:
        sweep(one_replicate(batch_size=4), out, checkpoint_s=0)
    message = str(info.value)
    assert re.search(r"/s/runs/part-\d{5}\.parquet'", message)
    assert "every run stored before is kept" in message
    assert not list(out.rglob("*.tmp"))
    stored = Store(out).read_columns(["point"]).num_rows
    assert 0 < stored < 40  # what was written before the disk filled up is all there
    assert load_manifest(out)["counts"]["done"] == stored
    monkeypatch.setattr(pq, "write_table", real)
    frame = sweep(one_replicate(batch_size=4), out)
    pd.testing.assert_frame_equal(outcome_table(frame), reference)


def tmpfs(tmp_path: Path, size: str) -> Path:
    where = tmp_path / "small-disk"
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if done.returncode:
        pytest.skip("mounting a small tmpfs is not allowed here (the injected test covers it)")
    return where


def test_a_real_full_disk(tmp_path, reference):
    disk = tmpfs(tmp_path, "160k")
    try:
        out = disk / "s"
        with pytest.raises(SweepError, match="No space left on device"):
            sweep(one_replicate(batch_size=1), out, checkpoint_s=0, model="faulty_models:padded")
        stored = Store(out).read_columns(["point"])
        assert stored is not None
        assert stored.num_rows > 0
        assert not list(out.rglob("*.tmp"))
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_predicates_undefined_for_some_runs_give_counted_nulls(tmp_path, capsys):
    the_spec = one_replicate(classes={"ratio": "y / (x_zero) > 1", "high": "y > 3"})
    frame = sweep(the_spec, tmp_path / "s", model="faulty_models:with_zero", progress=True)
    assert (frame.status == "done").all()
    zero = frame.x_zero == 0
    assert zero.any()
    assert frame.loc[zero, "class_ratio"].isna().all()
    assert frame.loc[~zero, "class_ratio"].notna().all()
    assert frame["class_high"].notna().all()
    err = capsys.readouterr().err
    assert f"class 'ratio' is null for {int(zero.sum())} finished run(s)" in err


def test_infinite_outcomes_are_missing_for_outcomes_and_classes_alike(tmp_path):
    frame = sweep(one_replicate(), tmp_path / "s", model="faulty_models:with_inf")
    infinite = frame.x1 > 2.9
    assert frame.loc[infinite, "y"].isna().all()
    assert frame.loc[infinite, "class_high"].isna().all()
    assert frame.loc[~infinite, "class_high"].notna().all()


class Killed(BaseException):
    """Stands for a kill at one moment of a part's replacement."""


@pytest.mark.parametrize("moment", ["before the ledger", "before the move", "after the move"])
def test_a_kill_during_reclassification_leaves_old_or_new_classes(tmp_path, monkeypatch, moment):
    out = tmp_path / "s"
    original = one_replicate(batch_size=4)
    sweep(original, out, checkpoint_s=0)
    expected = load_runs(out)
    changed = one_replicate(batch_size=4, classes={"high": "y > 0", "calm": "share < 0.9"})
    ledger_writes = {"n": 0}
    real_write_ledger = Store.write_ledger
    real_replace = Path.replace

    def write_ledger(self, ledger, folder=None):
        ledger_writes["n"] += 1
        # each part replaced costs two ledger writes: kill during the third part
        if moment == "before the ledger" and ledger_writes["n"] == 5:
            raise Killed
        real_write_ledger(self, ledger, folder)
        if moment == "after the move" and ledger_writes["n"] == 6:
            raise Killed

    def replace(self, target):
        if moment == "before the move" and ledger_writes["n"] == 5:
            raise Killed
        return real_replace(self, target)

    monkeypatch.setattr(Store, "write_ledger", write_ledger)
    monkeypatch.setattr(Path, "replace", replace)
    with pytest.raises(Killed):
        sweep(changed, out)
    monkeypatch.undo()
    recorded = [part_classes(p) for p in Store(out).part_paths()]
    assert dict(changed.classes) in recorded  # some parts were recomputed ...
    assert dict(original.classes) in recorded  # ... and some not
    with pytest.raises(SweepError, match="run the sweep again to finish"):
        load_runs(out)
    # a resume with the original file puts every part back to the original classes
    resumed = sweep(original, out)
    pd.testing.assert_frame_equal(outcome_table(resumed), outcome_table(expected))
    assert not (out / DAMAGED).exists()


def test_fresh_removes_only_what_the_sweep_wrote(tmp_path):
    out = tmp_path / "results"
    single = out / "runs" / "baseline-42"
    single.mkdir(parents=True)
    (single / "summary.json").write_text("{}")
    (out / "notes.txt").write_text("mine")
    sweep(one_replicate(), out)
    assert len(Store(out).part_paths()) >= 1
    frame = sweep(one_replicate(seed=9), out, fresh=True)
    assert len(frame) == 40
    assert (single / "summary.json").read_text() == "{}"
    assert (out / "notes.txt").read_text() == "mine"
    assert load_manifest(out)["root_seed"] == 9
    names = sorted(p.name for p in (out / "runs").iterdir())
    assert names == ["baseline-42", "part-00000.parquet", "parts.json"]
