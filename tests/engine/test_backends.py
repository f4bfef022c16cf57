import pandas as pd
import pytest

from sim.engine import SweepError, load_manifest

from .helpers import outcome_table, spec, sweep


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    return outcome_table(sweep(spec(), out, model="support_models:flaky"))


def test_local_pool_matches_serial(reference, tmp_path):
    frame = sweep(spec(), tmp_path / "s", model="support_models:flaky", workers=2)
    pd.testing.assert_frame_equal(outcome_table(frame), reference)
    assert (reference.status == "failed").any()


def test_local_pool_with_fixed_batches_matches_serial(reference, tmp_path):
    the_spec = spec(batch_size=7)
    frame = sweep(the_spec, tmp_path / "s", model="support_models:flaky", workers=2)
    pd.testing.assert_frame_equal(outcome_table(frame), reference)


def test_dask_local_cluster_matches_serial_and_times_out(reference, tmp_path):
    frame = sweep(spec(), tmp_path / "s", model="support_models:flaky", workers=2, backend="dask")
    pd.testing.assert_frame_equal(outcome_table(frame), reference)
    assert load_manifest(tmp_path / "s")["backend"] == "dask"
    # dask runs tasks in worker threads: the time limit must work there too
    timed = spec(design={"method": "latin", "n": 4, "seed": 1}, replicates=1, timeout_s=0.3)
    frame = sweep(timed, tmp_path / "t", model="support_models:slow", workers=2, backend="dask")
    slow = frame.x1 > 1
    assert slow.any()
    assert (frame[slow].status == "timeout").all()
    assert (frame[~slow].status == "done").all()


def test_unreachable_scheduler(tmp_path):
    import dask

    with (
        dask.config.set({"distributed.comm.timeouts.connect": "1s"}),
        pytest.raises(SweepError, match="cannot start or reach the Dask scheduler"),
    ):
        sweep(spec(), tmp_path / "s", backend="dask", scheduler="tcp://127.0.0.1:9")
    with pytest.raises(SweepError, match="only used with backend 'dask'"):
        sweep(spec(), tmp_path / "s", scheduler="tcp://127.0.0.1:9")


def _profiling() -> bool:
    import dask

    return bool(dask.config.get("distributed.worker.profile.enabled"))


def test_a_local_dask_cluster_runs_its_workers_without_the_profiler():
    from sim.engine.executors import _dask_pool

    with _dask_pool(2, None) as pool:
        profiling = pool.executor.client.run(_profiling)
    assert len(profiling) == 2
    assert not any(profiling.values())
