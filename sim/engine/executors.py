"""Where batches run: in this process, a local process pool, or a Dask cluster.

A :class:`Pool` hides the differences the runner cares about: how many tasks run at
once, whether the workers are this process's children, how a dead worker shows up on
a task's future, how a broken pool is replaced, and how a cluster left without workers
is noticed.
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
from sim.engine.worker import Task, prepare, watch_parent

_EXIT_CODES = re.compile(r"exit codes of the workers are \{([^}]*)\}")
WARM_UP_S = 120.0
REPLACE_S = 30.0
NO_WORKERS_S = 120.0
WATCH_EVERY_S = 2.0


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


class DaskExecutor(Executor):
    """An executor over a Dask client whose every future completes.

    ``Client.get_executor`` can leave a future pending for ever: when a task finished
    but its worker died before the result was fetched, the client runs the task again,
    and if that run's worker dies too, the error is raised inside the coroutine that
    should pass it on, so the future is never told. Here any outcome of fetching the
    result, that error included, completes the future.
    """

    def __init__(self, client: Any) -> None:
        self.client = client

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` on the cluster (never taken as a pure function)."""
        future: Future = Future()
        future.set_running_or_notify_cancel()
        task = self.client.submit(fn, *args, pure=False, **kwargs)
        self.client.loop.add_callback(_settle, self.client, task, future)
        return future


async def _settle(client: Any, task: Any, future: Future) -> None:
    """Complete ``future`` with the result of a Dask ``task``, or with why it has none."""
    try:
        result = await client.gather(task, asynchronous=True)
    except BaseException as exc:  # whatever went wrong, the future is told
        future.set_exception(exc)
    else:
        future.set_result(result)


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
        watch: Called while the runner waits for tasks: returns a note for the user or
            None, and raises :class:`SweepError` when the workers are gone for good.
    """

    executor: Executor
    slots: int
    local_workers: bool
    in_process: bool = False
    dashboard: str | None = None
    renew: Callable[[], Executor] | None = None
    watch: Callable[[], str | None] | None = None

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

    def check(self) -> str | None:
        """Look at the workers while no task finishes; return a note for the user, if any.

        Raises:
            SweepError: When the workers are gone and will not come back.
        """
        return self.watch() if self.watch is not None else None

    def warm_up(self, task: Task) -> None:
        """Start every worker and load a task's model in it, so a run's time is its own."""
        args = (task.model, task.steps, task.outcomes, task.series)
        futures = [self.submit(prepare, *args) for _ in range(self.slots)]
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
    # the nanny of a local worker that died starts it again; the cluster must not give up
    # on a worker that takes long to start (a loaded machine) and close its nanny, which
    # would lose the worker for good and can stop a run of the restarted worker
    keep_restarting = {} if scheduler else {"distributed.deploy.lost-worker-timeout": "7 days"}
    with dask.config.set(keep_restarting):
        cluster = None
        try:
            if scheduler:
                client = Client(scheduler)
            else:
                # a worker that dies fails its task at once: the runner then tries the
                # task's runs one by one to find the run that killed it; the workers'
                # statistical profiler (a stack sample every 10 ms) is off, as it took
                # about a tenth of the time of model runs on a 2-core machine
                local = {
                    "distributed.scheduler.allowed-failures": 0,
                    "distributed.worker.profile.enabled": False,
                }
                with dask.config.set(local):
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
            raise SweepError(
                f"cannot start or reach {where}: {type(exc).__name__}: {exc}"
            ) from None
        try:
            info = client.scheduler_info()["workers"].values()
            if cluster is not None:
                client.run(watch_parent)
            yield Pool(
                DaskExecutor(client),
                max(sum(w.get("nthreads", 1) for w in info), 1) if scheduler else workers,
                local_workers=cluster is not None,
                dashboard=_dashboard(client),
                watch=_WorkerWatch(client, local=cluster is not None),
            )
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


class _WorkerWatch:
    """Notice a Dask cluster left without workers, while the runner waits on it.

    A local cluster's nannies start its dead workers again; one that has had no worker
    for ``NO_WORKERS_S`` seconds will not get one back, so the sweep stops with an
    error instead of waiting for ever. A scheduler of the user's may be waiting for the
    workers it asked for (from a batch queue, say): the user is told once.
    """

    def __init__(self, client: Any, *, local: bool) -> None:
        self.client = client
        self.local = local
        self.next_look = 0.0
        self.none_since: float | None = None
        self.told = False

    def __call__(self) -> str | None:
        now = time.monotonic()
        if now < self.next_look:
            return None
        self.next_look = now + WATCH_EVERY_S
        try:
            count = len(self.client.nthreads())
        except OSError as exc:  # the connection to the scheduler is gone
            raise SweepError(
                f"lost the Dask scheduler ({type(exc).__name__}: {exc}); finished runs "
                "are saved, run the same sweep again to resume"
            ) from None
        if count:
            self.none_since = None
            return None
        self.none_since = self.none_since if self.none_since is not None else now
        waited = now - self.none_since
        if waited < NO_WORKERS_S:
            return None
        if self.local:
            raise SweepError(
                f"the local Dask cluster has had no workers for {waited:.0f} s: its worker "
                "processes died and were not started again; finished runs are saved, run "
                "the same sweep again to resume (or use backend 'local')"
            )
        if self.told:
            return None
        self.told = True
        return (
            f"the Dask scheduler has had no workers for {waited:.0f} s; waiting for "
            "workers (Ctrl-C stops the sweep, finished runs are saved)"
        )


def _dashboard(client: Any) -> str | None:
    """The Dask dashboard's address, if the scheduler serves one."""
    with contextlib.suppress(Exception):
        services = client.scheduler_info().get("services", {})
        if "dashboard" in services:
            return str(client.dashboard_link)
    return None
