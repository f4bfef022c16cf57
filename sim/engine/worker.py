"""What runs inside a worker: a batch of runs, each with an optional time limit.

A task carries only plain data (the model reference, parameters, seeds and steps) and
returns plain rows. A run that raises becomes a ``failed`` row with the error's type and
message; a run past its time limit becomes a ``timeout`` row.

A run stuck where Python cannot interrupt it (a blocking call into native code) is
stopped harder: in a worker process, :func:`hard_limit` ends the whole process a little
after the time limit, from a native watchdog thread that needs no Python to run, and the
runner records the run as ``timeout``.
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.engine.evaluators import Series, SeriesRequest, make_evaluator

_PARENT_WATCH: dict[str, int] = {}
HARD_LIMIT_GRACE_S = 1.0
_DEADLINES: dict[int, float] = {}
_DEADLINES_LOCK = threading.Lock()
_QUIET: list[Any] = []


class RunTimeout(BaseException):
    """Raised inside a run that went past its time limit (not catchable as Exception)."""


@dataclass(frozen=True)
class Task:
    """A batch of runs for one worker.

    Attributes:
        model: ``module:object`` reference.
        steps: Steps for a Mesa model.
        outcomes: Outcome names to return, or None for all.
        timeout_s: Per-run time limit in seconds, or None.
        base_params: Parameters shared by every run.
        names: Varied parameter names.
        runs: ``(point, replicate, seed, values)`` with values in ``names`` order.
        watch_parent: Exit the worker process if its parent dies.
        hard_limit: End the worker process when a run cannot be stopped in time (only
            where tasks run in a worker process of their own).
        series: The per-week outcomes to return, if any.
    """

    model: str
    steps: int | None
    outcomes: tuple[str, ...] | None
    timeout_s: float | None
    base_params: dict[str, Any]
    names: tuple[str, ...]
    runs: tuple[tuple[int, int, int, tuple[Any, ...]], ...]
    watch_parent: bool = False
    hard_limit: bool = False
    series: SeriesRequest | None = None


# (point, replicate, seed, status, error, elapsed_s, outcomes, per-week series)
Row = tuple[int, int, int, str, str | None, float, dict[str, float] | None, Series | None]


def run_batch(task: Task) -> list[Row]:
    """Run every run of a task, never raising for a run's own error."""
    if task.watch_parent:
        watch_parent()
    evaluate = make_evaluator(task.model, task.steps, task.outcomes, task.series)
    hard = task.timeout_s if task.hard_limit else None
    rows: list[Row] = []
    for point, replicate, seed, values in task.runs:
        params = dict(task.base_params)
        params.update(zip(task.names, values, strict=True))
        start = time.perf_counter()
        try:
            with hard_limit(hard), time_limit(task.timeout_s):
                result = evaluate(params, seed)
        except RunTimeout:
            rows.append(
                (
                    point,
                    replicate,
                    seed,
                    "timeout",
                    f"run exceeded the time limit of {task.timeout_s:g} s",
                    time.perf_counter() - start,
                    None,
                    None,
                )
            )
        except Exception as exc:  # a failing run is data, not a crash
            rows.append(
                (
                    point,
                    replicate,
                    seed,
                    "failed",
                    f"{type(exc).__name__}: {exc}",
                    time.perf_counter() - start,
                    None,
                    None,
                )
            )
        else:
            elapsed = time.perf_counter() - start
            rows.append((point, replicate, seed, "done", None, elapsed, *result))
    return rows


def prepare(
    model: str,
    steps: int | None,
    outcomes: tuple[str, ...] | None,
    series: SeriesRequest | None = None,
) -> int:
    """Load a model in this worker ahead of its runs; return the worker's process id."""
    make_evaluator(model, steps, outcomes, series)
    return os.getpid()


@contextlib.contextmanager
def hard_limit(seconds: float | None) -> Iterator[None]:
    """End this process if the block outlives ``seconds`` plus a grace period.

    One native watchdog serves every thread of the process: it is set to the earliest
    deadline of the blocks running now.
    """
    if seconds is None:
        yield
        return
    key = threading.get_ident()
    grace = HARD_LIMIT_GRACE_S + 0.1 * seconds
    with _DEADLINES_LOCK:
        _DEADLINES[key] = time.monotonic() + seconds + grace
        _arm()
    try:
        yield
    finally:
        with _DEADLINES_LOCK:
            _DEADLINES.pop(key, None)
            _arm()


def _arm() -> None:
    """Point the native watchdog at the earliest deadline (or stop it)."""
    faulthandler.cancel_dump_traceback_later()
    if not _DEADLINES:
        return
    if not _QUIET:
        _QUIET.append(Path(os.devnull).open("w"))  # noqa: SIM115 (open for the process)
    delay = max(min(_DEADLINES.values()) - time.monotonic(), 0.01)
    faulthandler.dump_traceback_later(delay, exit=True, file=_QUIET[0])


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`RunTimeout` in the current thread after ``seconds``.

    In a process's main thread this uses ``SIGALRM`` (which also interrupts sleeps and
    blocking calls); in other threads it schedules an asynchronous exception, which
    takes effect at the next Python instruction of the run.
    """
    if seconds is None:
        yield
        return
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(seconds):
            yield
    else:
        with _async_raise_after(seconds):
            yield


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def handler(signum: int, frame: Any) -> None:
        raise RunTimeout

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _async_raise_after(seconds: float) -> Iterator[None]:
    thread_id = threading.get_ident()
    lock = threading.Lock()
    state = {"active": True, "fired": False}

    def fire() -> None:
        with lock:
            if state["active"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(thread_id), ctypes.py_object(RunTimeout)
                )

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["active"] = False
            fired = state["fired"]
        if fired:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)
            raise RunTimeout


def watch_parent(interval: float = 0.5) -> None:
    """Exit this worker process as soon as its parent process is gone (once per process)."""
    if _PARENT_WATCH.get("pid") == os.getpid():
        return
    _PARENT_WATCH["pid"] = os.getpid()
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="sweep-parent-watch", daemon=True).start()
