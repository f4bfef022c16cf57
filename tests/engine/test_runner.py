import hashlib
import json
import math
import threading
import time

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.engine import SweepError, SweepSpec, load_manifest, load_runs, run_seed
from sim.engine.store import Store
from sim.engine.worker import RunTimeout, time_limit

from .helpers import ISHIGAMI, outcome_table, spec, sweep
from .support_models import COUNTER_ENV, ishigami


def part_digests(out):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in Store(out).part_paths()}


def test_plain_callable_sweep_and_store_layout(tmp_path):
    out = tmp_path / "s"
    frame = sweep(spec(), out)
    assert len(frame) == 8 * 5 * 2
    assert list(frame.columns[:5]) == ["point", "replicate", "x1", "x2", "x3"]
    assert {"y", "y_noisy", "share", "class_high", "class_calm"} <= set(frame.columns)
    assert (frame.status == "done").all()
    assert frame.error.isna().all()
    assert str(frame["class_high"].dtype) == "boolean"
    row = frame.iloc[7]
    params = {"x1": row.x1, "x2": row.x2, "x3": row.x3, "a": 7.0, "b": 0.1}
    expected = ishigami(params, run_seed(42, row.point, row.replicate))
    assert row.y_noisy == expected["y_noisy"]
    assert row["class_high"] == (expected["y"] > 3)
    assert (frame["class_high"] == (frame.y > 3)).all()
    assert (frame["class_calm"] == ((frame.share < 0.6) & ~(frame.y < -1))).all()

    manifest = load_manifest(out)
    assert manifest["counts"] == {"done": 80, "failed": 0, "timeout": 0, "crashed": 0, "missing": 0}
    assert manifest["outcomes"] == ["y", "y_noisy", "share"]
    assert manifest["problem"]["names"] == ["x1", "x2", "x3"]
    assert manifest["root_seed"] == 42
    assert manifest["classes"] == {"high": "y > 3", "calm": "share < 0.6 and not y < -1"}
    assert manifest["scenario"] == {"name": "test", "seed": 42}
    assert len(manifest["scenario_hash"]) == 64
    assert manifest["finished"] is not None
    assert "numpy" in manifest["versions"]
    assert (out / "design.parquet").exists()
    assert (out / "sample.parquet").exists()
    schemas = {str(pq.read_schema(p)) for p in Store(out).part_paths()}
    assert len(schemas) == 1
    schema = pq.read_schema(Store(out).part_paths()[0])
    assert str(schema.field("point").type) == "int64"
    assert str(schema.field("seed").type) == "int64"
    assert str(schema.field("y").type) == "double"
    assert str(schema.field("class_high").type) == "bool"
    pd.testing.assert_frame_equal(load_runs(out), frame)


def test_failing_runs_are_recorded_and_the_sweep_goes_on(tmp_path):
    frame = sweep(spec(), tmp_path / "s", model="support_models:flaky")
    failed = frame[frame.status == "failed"]
    done = frame[frame.status == "done"]
    assert len(failed) > 0
    assert len(done) > 0
    assert set(failed.point) == set(frame[frame.x1 > 1].point)
    assert failed.error.str.startswith("ValueError: x1 too large").all()
    assert failed.y.isna().all()
    assert failed["class_high"].isna().all()
    assert done["class_high"].notna().all()
    assert load_manifest(tmp_path / "s")["counts"]["failed"] == len(failed)


def test_first_runs_failing_still_gives_one_schema(tmp_path):
    path = tmp_path / "points.csv"
    pd.DataFrame({"x1": [2.0, 3.0, 2.5, 0.5, 0.1, 2.2], "x2": [0.0] * 6, "x3": [1.0] * 6}).to_csv(
        path, index=False
    )
    the_spec = spec(design={"method": "file", "path": str(path)}, replicates=1)
    frame = sweep(the_spec, tmp_path / "s", model="support_models:flaky", checkpoint_s=0)
    assert frame.status.tolist() == ["failed", "failed", "failed", "done", "done", "failed"]
    parts = Store(tmp_path / "s").part_paths()
    assert len(parts) >= 2
    assert len({str(pq.read_schema(p)) for p in parts}) == 1


def test_bad_model_results_fail_runs(tmp_path):
    frame = sweep(spec(replicates=1), tmp_path / "s", model="support_models:not_a_mapping")
    assert (frame.status == "failed").all()
    assert frame.error.str.contains("not a mapping").all()


@pytest.mark.parametrize("workers", [1, 2])
def test_timeouts_marked(tmp_path, workers):
    the_spec = spec(design={"method": "latin", "n": 6, "seed": 1}, replicates=1, timeout_s=0.2)
    start = time.monotonic()
    frame = sweep(the_spec, tmp_path / "s", model="support_models:slow", workers=workers)
    assert time.monotonic() - start < 10
    slow = frame.x1 > 1
    assert slow.any()
    assert (~slow).any()
    assert (frame[slow].status == "timeout").all()
    assert (frame[~slow].status == "done").all()
    assert frame[slow].error.str.contains("time limit of 0.2 s").all()
    assert frame[slow].y.isna().all()
    assert load_manifest(tmp_path / "s")["counts"]["timeout"] == int(slow.sum())


def test_time_limit_in_a_thread():
    outcome = {}

    def target():
        try:
            with time_limit(0.1):
                for _ in range(500):
                    time.sleep(0.01)
            outcome["result"] = "finished"
        except RunTimeout:
            outcome["result"] = "timeout"

    thread = threading.Thread(target=target)
    start = time.monotonic()
    thread.start()
    thread.join(10)
    assert outcome["result"] == "timeout"
    assert time.monotonic() - start < 2
    with time_limit(1.0):
        pass  # leaves no timer behind
    time.sleep(0.05)


def test_extending_n_and_replicates_reuses_runs(tmp_path, monkeypatch):
    counter = tmp_path / "count.txt"
    monkeypatch.setenv(COUNTER_ENV, str(counter))
    out = tmp_path / "s"
    first = sweep(spec(), out, model="support_models:counted")
    assert len(counter.read_text().splitlines()) == 80
    before = part_digests(out)
    bigger = spec(design={"method": "sobol", "n": 16, "seed": 3}, replicates=3)
    second = sweep(bigger, out, model="support_models:counted")
    assert len(second) == 16 * 5 * 3
    assert len(counter.read_text().splitlines()) == 16 * 5 * 3
    after = part_digests(out)
    assert all(after[name] == digest for name, digest in before.items())
    merged = second.merge(first, on=["point", "replicate"], suffixes=("", "_old"))
    assert len(merged) == len(first)
    for column in ("x1", "x2", "x3", "seed", "y", "y_noisy", "class_high"):
        assert (merged[column] == merged[f"{column}_old"]).all()
    assert not second.duplicated(["point", "replicate"]).any()
    fresh = sweep(bigger, tmp_path / "fresh", model="support_models:ishigami")
    pd.testing.assert_frame_equal(outcome_table(second), outcome_table(fresh))
    # running again does nothing new
    third = sweep(bigger, out, model="support_models:counted")
    assert len(counter.read_text().splitlines()) == 16 * 5 * 3
    pd.testing.assert_frame_equal(third, second)


def test_changed_scenario_is_refused_and_fresh_starts_over(tmp_path, monkeypatch):
    counter = tmp_path / "count.txt"
    monkeypatch.setenv(COUNTER_ENV, str(counter))
    out = tmp_path / "s"
    sweep(spec(), out, model="support_models:counted")
    with pytest.raises(SweepError, match="--fresh") as info:
        sweep(spec(), out, model="support_models:counted", base_params={"a": 5.0, "b": 0.1})
    assert "base_params" in str(info.value)
    changed = dict(ISHIGAMI, x3={"uniform": [-1, 1]})
    with pytest.raises(SweepError, match="parameters"):
        sweep(spec(parameters=changed), out, model="support_models:counted")
    with pytest.raises(SweepError, match="root_seed"):
        sweep(spec(seed=7), out, model="support_models:counted")
    with pytest.raises(SweepError, match="model"):
        sweep(spec(), out)
    assert len(counter.read_text().splitlines()) == 80
    frame = sweep(spec(seed=7), out, model="support_models:counted", fresh=True)
    assert len(counter.read_text().splitlines()) == 160
    assert len(frame) == 80
    assert load_manifest(out)["root_seed"] == 7


def test_non_prefix_design_growth_and_shrinking_refused(tmp_path):
    out = tmp_path / "s"
    sweep(spec(design={"method": "latin", "n": 10, "seed": 1}), out)
    with pytest.raises(SweepError, match="drawn anew when n changes") as info:
        sweep(spec(design={"method": "latin", "n": 12, "seed": 1}), out)
    assert "--fresh" in str(info.value)
    with pytest.raises(SweepError, match="can grow but not shrink"):
        sweep(spec(design={"method": "latin", "n": 10, "seed": 1}, replicates=1), out)


def test_concurrent_sweep_refused_by_lock(tmp_path):
    out = tmp_path / "s"
    with Store(out).lock(), pytest.raises(SweepError, match="another sweep is already writing"):
        sweep(spec(), out)
    assert len(sweep(spec(), out)) == 80


def test_changed_classes_are_recomputed_without_rerunning(tmp_path, monkeypatch):
    counter = tmp_path / "count.txt"
    monkeypatch.setenv(COUNTER_ENV, str(counter))
    out = tmp_path / "s"
    sweep(spec(), out, model="support_models:counted")
    frame = sweep(spec(classes={"big": "y_noisy > 5"}), out, model="support_models:counted")
    assert len(counter.read_text().splitlines()) == 80
    assert "class_high" not in frame.columns
    assert (frame["class_big"] == (frame.y_noisy > 5)).all()
    assert load_manifest(out)["classes"] == {"big": "y_noisy > 5"}


def test_class_with_unknown_outcome_is_refused(tmp_path):
    with pytest.raises(SweepError, match="unknown outcome 'nope'") as info:
        sweep(spec(classes={"k": "nope > 1"}), tmp_path / "s")
    assert "y_noisy" in str(info.value)


def test_listed_outcomes_only(tmp_path):
    frame = sweep(spec(outcomes=["y"], classes={"high": "y > 3"}), tmp_path / "s")
    assert "y_noisy" not in frame.columns
    assert frame.y.notna().all()
    frame = sweep(spec(outcomes=["y", "missing"], classes={}), tmp_path / "t")
    assert (frame.status == "failed").all()
    assert frame.error.str.startswith("OutcomeError: the model returned no value").all()
    assert frame.error.str.contains("outcome(s) missing", regex=False).all()


def test_mesa_model_with_datacollector(tmp_path):
    the_spec = SweepSpec.model_validate(
        {
            "parameters": {"n_agents": {"integers": [3, 12]}, "drift": {"uniform": [0, 3]}},
            "design": {"method": "latin", "n": 12, "seed": 2},
            "replicates": 2,
            "seed": 5,
            "classes": {"rich": "mean_wealth > 20"},
        }
    )
    frame = sweep(the_spec, tmp_path / "s", model="mesa_models:WalkModel", steps=30, base_params={})
    serial = outcome_table(frame)
    assert (frame.status == "done").all()
    assert set(frame.columns) >= {"mean_wealth", "max_wealth", "n_steps", "class_rich"}
    assert (frame.max_wealth >= frame.mean_wealth).all()
    assert (frame.n_steps <= 30).all()
    assert (frame.n_steps < 30).any()  # some runs stop early (model.running False)
    assert (frame.n_steps == 30).any()
    parallel = sweep(
        the_spec,
        tmp_path / "p",
        model="mesa_models:WalkModel",
        steps=30,
        base_params={},
        workers=2,
    )
    pd.testing.assert_frame_equal(outcome_table(parallel), serial)


def test_mesa_model_without_datacollector(tmp_path):
    the_spec = SweepSpec.model_validate(
        {
            "parameters": {"drift": {"uniform": [0, 1]}},
            "design": {"method": "grid", "n": 3},
            "outcomes": ["position", "steps"],
        }
    )
    plain = "mesa_models:PlainWalkModel"
    frame = sweep(the_spec, tmp_path / "s", model=plain, steps=7, base_params={})
    assert (frame.status == "done").all()
    assert (frame.steps == 7).all()
    assert frame.position.notna().all()
    with pytest.raises(SweepError, match="needs a number of steps"):
        sweep(the_spec, tmp_path / "t", model=plain, steps=None, base_params={})
    # base parameters the model does not take are refused before any run, with the reason
    with pytest.raises(SweepError, match=r"takes no parameter\(s\) bogus \(it takes: drift\)"):
        sweep(the_spec, tmp_path / "u", model=plain, steps=7, base_params={"bogus": 1})


@pytest.mark.parametrize(
    ("model", "fragment"),
    [
        ("no_such_module:f", "cannot import module 'no_such_module'"),
        ("support_models:nothing", "has no 'nothing'"),
        ("support_models:COUNTER_ENV", "not callable"),
        ("mesa_models:Walker", "not a Mesa Model subclass"),
        ("nocolon", "package.module:object"),
    ],
)
def test_bad_model_references(tmp_path, model, fragment):
    with pytest.raises(SweepError) as info:
        sweep(spec(), tmp_path / "s", model=model)
    assert fragment in str(info.value)


def test_bad_backend_and_workers(tmp_path):
    with pytest.raises(SweepError, match="unknown backend"):
        sweep(spec(), tmp_path / "s", backend="spark")
    with pytest.raises(SweepError, match="at least 1"):
        sweep(spec(), tmp_path / "s", workers=0)
    with pytest.raises(SweepError, match="no sweep found"):
        load_runs(tmp_path / "empty")


def test_spec_model_overrides_and_root_seed_is_kept(tmp_path):
    out = tmp_path / "s"
    the_spec = spec(seed=None, model="support_models:ishigami")
    frame = sweep(the_spec, out, model="support_models:flaky")
    assert (frame.status == "done").all()
    root = load_manifest(out)["root_seed"]
    assert root > 2**32
    again = sweep(the_spec, out, model="support_models:flaky")
    assert load_manifest(out)["root_seed"] == root
    pd.testing.assert_frame_equal(again, frame)
    assert frame.seed.tolist() == [
        run_seed(root, p, r) for p, r in zip(frame.point, frame.replicate, strict=True)
    ]


def test_manifest_is_json_with_nan_free_counts(tmp_path):
    out = tmp_path / "s"
    sweep(spec(), out)
    data = json.loads((out / "manifest.json").read_text())
    assert data["n_points"] == 40
    assert data["replicates"] == 2
    assert data["total_runs"] == 80
    assert data["design"]["method"] == "sobol"
    assert not math.isnan(sum(data["counts"].values()))


def test_parameter_kinds_reach_the_model_as_plain_values(tmp_path):
    the_spec = SweepSpec.model_validate(
        {
            "parameters": {
                "k": {"integers": [1, 3]},
                "mode": {"choice": ["a", "b"]},
                "flag": {"choice": [True, False]},
                "x": {"truncnorm": {"mean": 0, "sd": 1, "low": -1, "high": 1}},
            },
            "design": {"method": "sobol", "n": 8},
            "seed": 1,
        }
    )
    frame = sweep(the_spec, tmp_path / "s", model="support_models:typed", base_params={})
    assert (frame.status == "done").all(), frame.error.dropna().head().tolist()
    expected = frame["mode"].map({"a": 1.0, "b": 2.0}) + frame.k + frame.flag.astype(float) * 10
    assert (frame.y == expected).all()
    assert (frame.x_seen == frame.x).all()
    assert set(frame["mode"]) == {"a", "b"}
    assert set(frame.k) == {1, 2, 3}


def test_model_returning_no_outcomes_is_refused(tmp_path):
    with pytest.raises(SweepError, match="returned no outcomes"):
        sweep(spec(classes={}), tmp_path / "s", model="support_models:empty")


def _arrow_allocator(env: dict[str, str]) -> str:
    """The allocator of Arrow's default pool in a fresh process that imports sim first."""
    import os
    import subprocess
    import sys

    code = "import sim, pyarrow; print(pyarrow.default_memory_pool().backend_name)"
    clean = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    done = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return done.stdout.strip()


def test_arrow_allocates_with_the_system_allocator():
    assert _arrow_allocator({}) == "system"


def test_a_chosen_arrow_allocator_is_kept():
    assert _arrow_allocator({"ARROW_DEFAULT_MEMORY_POOL": "mimalloc"}) == "mimalloc"
