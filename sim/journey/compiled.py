"""Compiled loops: ``njit`` from numba, or a stand-in that leaves Python as it is.

The journey's inner loops (the week's work, search steps, team rebuilds, phase checks)
are plain Python functions over numpy arrays, compiled with numba when it is installed
(cached on disk after the first run). With ``NUMBA_DISABLE_JIT=1``, or without numba,
the same code runs as plain Python with the same results.
"""

from __future__ import annotations

from typing import Any

try:
    from numba import njit
except ImportError:  # pragma: no cover

    def njit(*_args: Any, **_kwargs: Any) -> Any:
        """Stand-in for numba.njit: leave the function as it is."""
        return lambda f: f


__all__ = ["njit"]
