import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.engine import load_manifest
from sim.engine.store import Store

from .helpers import alive, descendants, kill_quietly, outcome_table, spec, sweep
from .support_models import COUNTER_ENV

CHILD = Path(__file__).with_name("child_sweep.py")


def runs_started(counter: Path) -> int:
    return len(counter.read_text().splitlines()) if counter.exists() else 0


def wait_for(condition, timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def child_args(out: Path, checkpoint_s: float):
    """The spec and the child-process arguments of the interrupted sweeps below."""
    the_spec = spec(design={"method": "sobol", "n": 16, "seed": 3}, replicates=3)
    args = {
        "spec": the_spec.model_dump(mode="json"),
        "model": "support_models:steady",
        "base_params": {"a": 7.0, "b": 0.1},
        "out": str(out),
        "workers": 2,
        "checkpoint_s": checkpoint_s,
    }
    return the_spec, args


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs Linux /proc")
def test_sigkill_mid_sweep_then_resume(tmp_path, monkeypatch):
    out = tmp_path / "s"
    the_spec, args = child_args(out, checkpoint_s=0.2)
    env = dict(os.environ, SIM_SWEEP_TEST_SLEEP="0.05")
    log = (tmp_path / "child.log").open("w")
    child = subprocess.Popen(
        [sys.executable, str(CHILD), json.dumps(args)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    family: set[int] = set()
    try:
        assert wait_for(lambda: len(Store(out).part_paths()) >= 1, timeout=60), (
            tmp_path / "child.log"
        ).read_text()
        family = descendants(child.pid)
        assert len(family) >= 2  # the worker processes at least
        os.kill(child.pid, signal.SIGKILL)  # only the parent: workers must notice
        child.wait(10)
        gone = wait_for(lambda: not any(alive(pid) for pid in family), timeout=15)
        assert gone, f"orphan processes left: {[p for p in family if alive(p)]}"
    finally:
        kill_quietly({child.pid} | family)
        with_group = child.poll() is None
        if with_group:
            os.killpg(child.pid, signal.SIGKILL)
        log.close()

    stored = Store(out).read_columns(["point", "replicate"]).to_pandas()
    total = 16 * 5 * 3
    assert 0 < len(stored) < total, "the sweep was not interrupted mid-run"
    assert not stored.duplicated().any()
    assert load_manifest(out)["finished"] is None

    monkeypatch.setenv("SIM_SWEEP_TEST_SLEEP", "0")
    resumed = sweep(the_spec, out, model="support_models:steady")
    assert len(resumed) == total
    assert not resumed.duplicated(["point", "replicate"]).any()
    assert (resumed.status == "done").all()
    reference = sweep(the_spec, tmp_path / "ref", model="support_models:ishigami")
    pd.testing.assert_frame_equal(outcome_table(resumed), outcome_table(reference))
    manifest = load_manifest(out)
    assert manifest["counts"] == {
        "done": total,
        "failed": 0,
        "timeout": 0,
        "crashed": 0,
        "missing": 0,
    }
    assert manifest["finished"] is not None
    assert not list(out.rglob("*.tmp"))


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs Linux /proc")
def test_sigterm_saves_finished_runs_and_stops_workers(tmp_path):
    out = tmp_path / "s"
    _, args = child_args(out, checkpoint_s=30.0)
    counter = tmp_path / "count.txt"
    env = dict(os.environ, SIM_SWEEP_TEST_SLEEP="0.05", **{COUNTER_ENV: str(counter)})
    child = subprocess.Popen(
        [sys.executable, str(CHILD), json.dumps(args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    family: set[int] = set()
    try:
        # let some runs finish and come back (nothing is written yet: checkpoint is 30 s)
        assert wait_for(lambda: runs_started(counter) >= 12, timeout=60)
        time.sleep(0.5)
        assert not Store(out).part_paths()
        family = descendants(child.pid)
        child.send_signal(signal.SIGTERM)
        output, _ = child.communicate(timeout=30)
        assert child.returncode != 0
        assert "interrupted" in output
        assert "run the same sweep again to resume" in output
        assert wait_for(lambda: not any(alive(pid) for pid in family), timeout=15)
    finally:
        kill_quietly({child.pid} | family)
    stored = Store(out).read_columns(["point", "replicate"])
    assert stored is not None
    assert 0 < stored.num_rows < 16 * 5 * 3
    counts = load_manifest(out)["counts"]
    assert counts["done"] == stored.num_rows
    assert counts["missing"] == 16 * 5 * 3 - stored.num_rows


def kill_at_random_moments(out: Path, args: dict, kills: int, seed: int) -> list[int]:
    """Start the sweep and SIGKILL its whole process group at a random moment after it
    stored its first runs, ``kills`` times in a row; return the runs stored after each."""
    rng = random.Random(seed)
    stored_after = []
    for _ in range(kills):
        child = subprocess.Popen(
            [sys.executable, str(CHILD), json.dumps(args)],
            env=dict(os.environ, SIM_SWEEP_TEST_SLEEP="0.05"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        before = stored_after[-1] if stored_after else 0
        # once this session has stored something (start-up takes seconds on a busy
        # machine), kill it at a random moment of the next second and a half
        wait_for(lambda before=before: runs_stored(out) > before, timeout=120)
        time.sleep(rng.uniform(0.0, 1.5))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)  # the sweep and its workers at once
        child.wait(10)
        stored_after.append(runs_stored(out))
    return stored_after


def runs_stored(out: Path) -> int:
    table = Store(out).read_columns(["point"])
    return 0 if table is None else table.num_rows


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").exists(), reason="needs Linux /proc")
def test_repeated_kills_at_random_moments_lose_and_duplicate_nothing(tmp_path):
    out = tmp_path / "s"
    the_spec = spec(design={"method": "sobol", "n": 32, "seed": 3}, replicates=3)
    total = 32 * 5 * 3
    args = {
        "spec": the_spec.model_dump(mode="json"),
        "model": "support_models:steady",
        "base_params": {"a": 7.0, "b": 0.1},
        "out": str(out),
        "workers": 2,
        "checkpoint_s": 0.2,
    }
    stored_after = kill_at_random_moments(out, args, kills=5, seed=11)
    assert stored_after == sorted(stored_after)  # what is stored stays stored
    mid_sweep = sum(0 < n < total for n in stored_after)
    assert mid_sweep >= 5, stored_after  # at least five kills in a row came mid-sweep
    stored = Store(out).read_columns(["point", "replicate"]).to_pandas()
    assert not stored.duplicated().any()
    resumed = sweep(the_spec, out, model="support_models:steady")
    reference = sweep(the_spec, tmp_path / "ref", model="support_models:ishigami")
    pd.testing.assert_frame_equal(outcome_table(resumed), outcome_table(reference))
    assert (resumed.status == "done").all()
    assert not resumed.duplicated(["point", "replicate"]).any()
