import io

from sim.engine.progress import Progress

from .helpers import spec, sweep


def test_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    with Progress("demo", total=10, already=2, stream=stream, every_s=0.0) as bar:
        assert bar.live is False
        bar.advance(done=3, failed=1)
        bar.advance(timeout=1)
        text = bar.summary({"done": 5, "failed": 1, "timeout": 1})
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("sweep demo: 6/10 runs (60.0%)")
    assert "runs/s" in lines[0]
    assert "ETA" in lines[0]
    assert "1 failed" in lines[0]
    assert "1 timeout" in lines[1]
    assert lines[-1] == text
    assert "done 5, failed 1, timeout 1" in text


def test_lines_are_throttled():
    stream = io.StringIO()
    with Progress("demo", total=100, stream=stream, every_s=3600) as bar:
        for _ in range(50):
            bar.advance(done=1)
    assert stream.getvalue() == ""


def test_live_bar_on_a_terminal():
    stream = io.StringIO()
    with Progress("demo", total=4, stream=stream, live=True) as bar:
        bar.advance(done=4)
        bar.summary({"done": 4})
    text = stream.getvalue()
    assert "demo" in text
    assert "4/4" in text
    assert "done 4, failed 0, timeout 0" in text


def test_disabled_prints_nothing():
    stream = io.StringIO()
    with Progress("demo", total=4, stream=stream, enabled=False, every_s=0) as bar:
        bar.advance(done=4)
        bar.summary({"done": 4})
    assert stream.getvalue() == ""


def test_sweep_prints_summary(tmp_path, capsys):
    sweep(spec(), tmp_path / "s", progress=True)
    err = capsys.readouterr().err
    assert "sweep test: done 80, failed 0, timeout 0" in err
