"""The command line under faults: a full disk, a bad address, a busy sweep folder."""

from __future__ import annotations

import errno
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim.io.files
from sim.cli import app
from sim.engine.store import Store

TINY = "name: tiny\nseed: 3\nparameters:\n  n_organisations: 20\n  steps: 20\n"
SMOKE_SWEEP = (
    TINY
    + "sweep:\n  parameters:\n    trust: {uniform: [0.1, 0.9]}\n"
    + "  design: {method: latin, n: 6, seed: 1}\n  outcomes: [achieved_share, failed_share]\n"
    + "  classes: {good: 'achieved_share >= 0.3'}\n"
)


def run_cli(*args: str):
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result, " ".join(result.output.split())


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path


def full_disk_after(monkeypatch, n_files: int) -> None:
    """Make every file write after the first ``n_files`` fail as on a full disk."""
    real = sim.io.files.atomic_write_parquet
    count = {"n": 0}

    def write(path, table):
        count["n"] += 1
        if count["n"] > n_files:
            path.with_name(path.name + ".tmp").write_bytes(b"half")  # a half-written file
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, table)

    monkeypatch.setattr("sim.io.records.atomic_write_parquet", write)


def test_run_on_a_full_disk_leaves_nothing_half_written(tmp_path, tiny, monkeypatch):
    out = tmp_path / "out"
    full_disk_after(monkeypatch, 2)
    result, text = run_cli("run", tiny, "--out", out)
    assert result.exit_code == 2, text
    assert "No space left on device" in text
    assert str(out) in text
    assert "nothing was left half-written" in text
    assert not out.exists()
    assert not list(tmp_path.glob(".*"))  # no temporary folder left behind


def test_run_on_a_full_disk_keeps_the_previous_run(tmp_path, tiny, monkeypatch):
    out = tmp_path / "out"
    result, text = run_cli("run", tiny, "--out", out)
    assert result.exit_code == 0, text
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    full_disk_after(monkeypatch, 1)
    result, text = run_cli("run", tiny, "--out", out, "--overwrite")
    assert result.exit_code == 2, text
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_run_on_a_real_full_disk(tmp_path, tiny):
    disk = tmp_path / "small-disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(disk)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode:
        pytest.skip("mounting a small tmpfs is not allowed here (the injected tests cover it)")
    try:
        result, text = run_cli("run", tiny, "--out", disk / "run")
        assert result.exit_code == 2, text
        assert "No space left on device" in text
        assert list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_report_on_a_full_disk_leaves_nothing_half_written(tmp_path, monkeypatch):
    scenario = tmp_path / "smoke.yaml"
    scenario.write_text(SMOKE_SWEEP)
    sweep_dir = tmp_path / "sweep"
    result, text = run_cli("sweep", scenario, "--out", sweep_dir, "--workers", "1")
    assert result.exit_code == 0, text
    before = sorted(p.name for p in sweep_dir.iterdir())
    from sim.analysis import pipeline

    real = pipeline._dump
    count = {"n": 0}

    def dump(folder, stem, frame, *extra):
        count["n"] += 1
        if count["n"] > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(folder, stem, frame, *extra)

    monkeypatch.setattr(pipeline, "_dump", dump)
    result, text = run_cli("report", sweep_dir)
    assert result.exit_code == 2, text
    assert "No space left on device" in text
    assert f"{sweep_dir / 'analysis'}" in text
    assert sorted(p.name for p in sweep_dir.iterdir()) == before


def test_a_full_disk_during_a_sweep_names_the_path(tmp_path, monkeypatch):
    scenario = tmp_path / "smoke.yaml"
    scenario.write_text(SMOKE_SWEEP)

    def no_room(self, path, table, *, keep_old):
        raise sim.engine.store._write_error(path, OSError(errno.ENOSPC, "No space left on device"))

    monkeypatch.setattr(Store, "_replace_part", no_room)
    result, text = run_cli("sweep", scenario, "--out", tmp_path / "sweep", "--workers", "1")
    assert result.exit_code == 2, text
    assert "internal error" not in text
    assert "runs/part-00000.parquet" in text
    assert "No space left on device" in text
    assert "every run stored before is kept" in text


def test_a_bad_host_is_not_blamed_on_the_port():
    result, text = run_cli("app", "--host", "no-such-host.invalid", "--port", "8799")
    assert result.exit_code == 2, text
    assert "--host no-such-host.invalid" in text
    assert "pick another with --port" not in text


def test_a_busy_sweep_folder_does_not_suggest_a_sweep_name(tmp_path):
    scenario = tmp_path / "smoke.yaml"
    scenario.write_text(SMOKE_SWEEP)
    out = tmp_path / "sweep"
    with Store(out).lock():
        result, text = run_cli("sweep", scenario, "--out", out, "--workers", "1")
    assert result.exit_code == 2, text
    assert "another sweep is already writing" in text
    assert "sweep name" not in text
    assert "another folder" in text
