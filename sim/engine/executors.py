"""Where batches run: in this process, a local process pool, or a Dask cluster.

A :class:`Pool` hides the differences the runner cares about: how many tasks run at
once, whether the workers are this process's children, how a dead worker shows up on
a task's future, and how a broken pool is replaced.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, Executor, Future, wait
from dataclasses import dataclass
from typing import Any

from sim.engine.errors import SweepError
from sim.engine.worker import prepare, watch_parent

_EXIT_CODES = re.compile(r"exit codes of the workers are \{([^}]*)\}")
WARM_UP_S = 120.0
REPLACE_S = 30.0


class SerialExecutor(Executor):
    """An executor that runs each task at submission, in this process."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` now and return its finished future."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


@dataclass
class Pool:
    """An executor with what the runner needs to know about it.

    Attributes:
        executor: Where tasks are submitted.
        slots: How many tasks run at once.
        local_workers: True when the workers are children of this process (they then
            exit if it dies).
        in_process: True when tasks run in this process (no worker can die alone).
        dashboard: The Dask dashboard's address, when there is one.
        renew: Returns a working executor after a worker died (the same one when the
            backend replaces dead workers itself).
    """

    executor: Executor
    slots: int
    local_workers: bool
    in_process: bool = False
    dashboard: str | None = None
    renew: Callable[[], Executor] | None = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Submit a task, replacing the executor once if a dead worker broke it."""
        try:
            return self.executor.submit(fn, *args)
        except BrokenExecutor:
            self.replace(self.executor)
            return self.executor.submit(fn, *args)

    def replace(self, broken: Executor) -> None:
        """Get a working executor after a worker of ``broken`` died.

        Nothing changes when ``broken`` was replaced already, or when the backend replaces
        dead workers itself. A pool that notices its broken state late must not be handed
        out again: a run submitted to it would fail with the others, for nothing.
        """
        if self.renew is None or self.executor is not broken:
            return
        deadline = time.monotonic() + REPLACE_S
        fresh = self.renew()
        while fresh is broken and time.monotonic() < deadline:
            time.sleep(0.02)
            fresh = self.renew()
        if fresh is broken:
            raise SweepError("the process pool could not be replaced after a worker died")
        self.executor = fresh

    def warm_up(self, model: str, steps: int | None, outcomes: tuple[str, ...] | None) -> None:
        """Start every worker and load the model in it, so a run's time is its own."""
        futures = [self.submit(prepare, model, steps, outcomes) for _ in range(self.slots)]
        wait(futures, timeout=WARM_UP_S)
        for future in futures:
            if future.done() and not future.cancelled() and future.exception() is not None:
                error = future.exception()
                if not worker_died(error):
                    raise SweepError(f"a worker could not set up the model: {error}")


def worker_died(exc: BaseException) -> bool:
    """Whether a task's error says that its worker process died, not that it raised."""
    if isinstance(exc, BrokenExecutor):
        return True
    return type(exc).__name__ == "KilledWorker" and type(exc).__module__.startswith("distributed")


def death_note(exc: BaseException) -> str:
    """What is known of how a worker died (the exit code, when the pool reports it)."""
    found = _EXIT_CODES.search(str(exc))
    return f" (exit: {found.group(1)})" if found else ""


@contextlib.contextmanager
def open_pool(backend: str, workers: int, scheduler: Any) -> Iterator[Pool]:
    """Yield the :class:`Pool` of a backend, closing what it started at the end."""
    if backend == "serial" or (backend == "local" and workers == 1):
        yield Pool(SerialExecutor(), 1, local_workers=False, in_process=True)
        return
    if backend == "local":
        from loky import get_reusable_executor

        def renew() -> Executor:
            return get_reusable_executor(max_workers=workers, timeout=60, initializer=watch_parent)

        pool = Pool(renew(), workers, local_workers=True, renew=renew)
        try:
            yield pool
        except BaseException:
            pool.executor.shutdown(wait=False, kill_workers=True)
            raise
        return
    with _dask_pool(workers, scheduler) as pool:
        yield pool


@contextlib.contextmanager
def _dask_pool(workers: int, scheduler: Any) -> Iterator[Pool]:
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise SweepError("backend 'dask' needs the 'distributed' package installed") from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler)
        else:
            # a worker that dies fails its task at once: the runner then tries the task's
            # runs one by one to find the run that killed it
            with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address="127.0.0.1:0",
                    silence_logs=logging.CRITICAL,
                )
            client = Client(cluster)
    except Exception as exc:
        if cluster is not None:
            cluster.close()
        where = f"the Dask scheduler {scheduler!r}" if scheduler else "a local Dask cluster"
        raise SweepError(f"cannot start or reach {where}: {type(exc).__name__}: {exc}") from None
    try:
        slots = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
        if cluster is not None:
            client.run(watch_parent)
        yield Pool(
            client.get_executor(pure=False),
            max(slots, 1) if scheduler else workers,
            local_workers=cluster is not None,
            dashboard=_dashboard(client),
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _dashboard(client: Any) -> str | None:
    """The Dask dashboard's address, if the scheduler serves one."""
    with contextlib.suppress(Exception):
        services = client.scheduler_info().get("services", {})
        if "dashboard" in services:
            return str(client.dashboard_link)
    return None
