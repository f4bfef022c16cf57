"""Compiled loops: ``njit`` from numba, or a stand-in that leaves Python as it is.

The journey's inner loops (the week's work, search steps, team rebuilds, phase checks)
are plain Python functions over numpy arrays, compiled with numba when it is installed
(cached on disk after the first run). With ``NUMBA_DISABLE_JIT=1``, or without numba,
the same code runs as plain Python with the same results. The compiled code is cached
in a folder per version of the model's source (unless ``NUMBA_CACHE_DIR`` says where).

Loops called from Python are declared with :func:`kernel`. They take their inputs as a
few typed records (named tuples), and numba's dispatcher would work out the type of
every field of every record on every call, which costs more than many a loop. A kernel
therefore resolves its compiled version on the first call and calls it directly after:
the records a model passes keep their types for the whole run (the same dtypes, shapes
and layouts). With ``SIM_CHECK_KERNEL_TYPES=1`` (the test suite sets it) every call
checks that, and a changed type is an error rather than a wrong result.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    import numba
    from numba import njit
except ImportError:  # pragma: no cover

    def njit(*_args: Any, **_kwargs: Any) -> Any:
        """Stand-in for numba.njit: leave the function as it is."""
        return lambda f: f


CHECK_TYPES_ENV = "SIM_CHECK_KERNEL_TYPES"


def _cache_folder() -> Path:
    """Where compiled loops are cached: a folder per version of the model's source.

    Numba keeps its cache beside the code and cannot always read an entry written by an
    older version of it (a renamed record type fails to load), so each version of
    ``sim/journey`` gets a folder of its own.
    """
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "consortium-sim" / "numba" / digest.hexdigest()[:16]


if "numba" in globals() and not os.environ.get("NUMBA_CACHE_DIR"):
    numba.config.CACHE_DIR = str(_cache_folder())


class Kernel:
    """A compiled loop called from Python, dispatched once (see the module's notes)."""

    __slots__ = ("__name__", "compiled", "entry", "signature")

    def __init__(self, compiled: Any) -> None:
        self.compiled = compiled
        self.entry: Callable[..., Any] | None = None
        self.signature: tuple = ()
        self.__name__ = compiled.__name__

    def __call__(self, *args: Any) -> Any:
        """Run the compiled loop (compiling or loading it on the first call)."""
        if self.entry is not None and not os.environ.get(CHECK_TYPES_ENV):
            return self.entry(*args)
        signature = tuple(self.compiled.typeof_pyval(a) for a in args)
        if self.entry is None:
            result = self.compiled(*args)  # compiles, or loads from the cache
            self.signature = signature
            self.entry = self.compiled.overloads[signature].entry_point
            return result
        if signature != self.signature:
            msg = f"{self.__name__}: argument types changed from {self.signature} to {signature}"
            raise TypeError(msg)
        return self.entry(*args)

    def __getstate__(self) -> dict:
        return {"compiled": self.compiled}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["compiled"])


def kernel(fn: Callable[..., Any]) -> Any:
    """Compile ``fn`` (cached on disk) as a loop called from Python; see :class:`Kernel`."""
    compiled = njit(cache=True)(fn)
    if not hasattr(compiled, "overloads"):  # numba is off: plain Python
        return compiled
    return Kernel(compiled)


__all__ = ["CHECK_TYPES_ENV", "Kernel", "kernel", "njit"]
