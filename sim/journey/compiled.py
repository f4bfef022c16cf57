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
and layouts). With ``SIM_CHECK_KERNEL_TYPES=1`` (the test suite sets it; it is read at a
kernel's first call) every call checks that, and a changed type is an error rather than
a wrong result.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

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

    __slots__ = ("__name__", "compiled", "entry", "fast", "layout", "signature")

    def __init__(self, compiled: Any) -> None:
        self.compiled = compiled
        self.entry: Callable[..., Any] | None = None
        self.fast: Callable[..., Any] | None = None  # the entry, when types go unchecked
        self.signature: tuple = ()  # numba's types of the arguments at the first call
        self.layout: Any = None  # a cheaper key to the same (see _layout)
        self.__name__ = compiled.__name__

    def __call__(self, *args: Any) -> Any:
        """Run the compiled loop (compiling or loading it on the first call)."""
        if self.fast is not None:
            return self.fast(*args)
        if self.entry is None:
            self.signature = tuple(self.compiled.typeof_pyval(a) for a in args)
            result = self.compiled(*args)  # compiles, or loads from the cache
            self.entry = self.compiled.overloads[self.signature].entry_point
            self.layout = self._layout(args)
            if not os.environ.get(CHECK_TYPES_ENV):  # read once, at the first call
                self.fast = self.entry
            return result
        if (layout := self._layout(args)) != self.layout:
            # the cheap key is stricter than numba's typing (a record class may have been
            # defined anew, say): only numba's own types decide
            signature = tuple(self.compiled.typeof_pyval(a) for a in args)
            if signature != self.signature:
                was, now = self.signature, signature
                msg = f"{self.__name__}: argument types changed from {was} to {now}"
                raise TypeError(msg)
            self.layout = layout
        return self.entry(*args)

    def _layout(self, value: Any) -> Any:
        """What numba's typing of ``value`` turns on, computed more cheaply.

        For an array its dtype, rank, layout (C, F or any, as numba reads the flags) and
        whether it is writeable and aligned; for a record (a tuple) its fields'; for
        anything else its numba type.
        """
        if isinstance(value, np.ndarray):
            f = value.flags
            layout = "C" if f.c_contiguous else "F" if f.f_contiguous else "A"
            return (value.dtype, value.ndim, layout, f.writeable, f.aligned)
        if isinstance(value, tuple):
            return (type(value), tuple(self._layout(v) for v in value))
        return self.compiled.typeof_pyval(value)

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
