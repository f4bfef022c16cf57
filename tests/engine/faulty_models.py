"""Models that misbehave on purpose, for the fault-injection tests.

Only light imports here, so that a worker process replaced after a crash starts quickly.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from support_models import ishigami


def _doomed(params: dict) -> bool:
    """The few points (x1 above 2.9) on which the crashing models below misbehave."""
    return params["x1"] > 2.9


def dies(params: dict, seed: int) -> dict[str, float]:
    """Kill the worker process (as a crash in native code would) on a few points."""
    if _doomed(params):
        os._exit(3)
    return ishigami(params, seed)


def segfaults(params: dict, seed: int) -> dict[str, float]:
    """Crash the worker with a segmentation fault on a few points."""
    if _doomed(params):
        import ctypes

        ctypes.string_at(0)
    return ishigami(params, seed)


def hangs(params: dict, seed: int) -> dict[str, float]:
    """Block in native code that no Python timer can interrupt, on a few points."""
    if _doomed(params):
        import ctypes
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        ctypes.CDLL(None).sleep(60)
    return ishigami(params, seed)


def lose_worker_once(params: dict, seed: int) -> dict[str, float]:
    """Kill this worker process the first time any run gets here (a lost worker)."""
    marker = Path(params["marker"])
    try:
        marker.open("x").close()
    except FileExistsError:
        return ishigami(params, seed)
    import signal

    os.kill(os.getpid(), signal.SIGKILL)
    return {}


def ends_its_nanny(params: dict, seed: int) -> dict[str, float]:
    """On a few points, tell the Dask nanny not to restart this worker, then die.

    The worker is then lost for good, as when its nanny fails to restart it.
    """
    if _doomed(params):
        from distributed import get_worker
        from distributed.utils import sync

        worker = get_worker()

        async def no_restart() -> None:
            async with worker.rpc(worker.nanny) as nanny:
                await nanny.close_gracefully(reason="lost-for-good")

        sync(worker.loop, no_restart)
        os._exit(3)
    return ishigami(params, seed)


class DiesWhenSent:
    """A result whose worker process dies when it is sent to the client."""

    def __reduce__(self) -> tuple:
        os._exit(3)


def finishes_then_dies(marker: str) -> DiesWhenSent:
    """Finish, then die when the result is fetched; the run made again dies while running.

    This is the order of events in which a Dask client loses a task's outcome: its
    worker died after the task finished, and the worker of the task's re-run died too.
    """
    try:
        Path(marker).open("x").close()
    except FileExistsError:
        os._exit(3)
    return DiesWhenSent()


def padded(params: dict, seed: int) -> dict[str, float]:
    """Ishigami with many outcomes, so each part takes some room on a small disk."""
    result = ishigami(params, seed)
    return result | {f"extra_{i}": result["y"] + i for i in range(40)}


def with_zero(params: dict, seed: int) -> dict[str, float]:
    """Ishigami plus an outcome that is zero on some points."""
    return ishigami(params, seed) | {"x_zero": 0.0 if params["x1"] > 1.0 else 1.0}


def with_inf(params: dict, seed: int) -> dict[str, float]:
    """Ishigami whose outcomes are infinite on a few points."""
    result = ishigami(params, seed)
    if _doomed(params):
        return dict.fromkeys(result, math.inf)
    return result
