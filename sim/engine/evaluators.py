"""Turning a ``module:object`` reference into ``evaluate(params, seed) -> outcomes``.

Two kinds of model are understood:

1. a plain callable ``f(params: dict, seed: int) -> Mapping[str, float]``;
2. a Mesa ``Model`` subclass, built as ``Cls(**params, rng=seed)``, stepped ``steps``
   times (or until ``model.running`` is False), and read at the end through its
   ``datacollector.model_reporters`` (each reporter evaluated once, as the
   DataCollector would) or, without reporters, through the model attributes named in
   the sweep's ``outcomes``.

Only the reference string crosses process boundaries; each worker resolves it once.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import math
import sys
import types
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np

from sim.engine.errors import SweepError

Evaluator = Callable[[dict[str, Any], int], dict[str, float]]


class OutcomeError(ValueError):
    """A model's result lacks an outcome, or an outcome is not a number."""


def resolve(ref: str) -> Any:
    """Import ``module:object`` (the object part may be dotted).

    Raises:
        SweepError: If the module or the object cannot be found.
    """
    module_name, sep, qualname = ref.partition(":")
    if not sep or not module_name or not qualname:
        raise SweepError(f"model must look like 'package.module:object', got {ref!r}")
    if module_name.startswith("."):
        raise SweepError(f"model {ref!r}: give the module's full name, not a relative one")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise SweepError(
            f"cannot import module {module_name!r} for model {ref!r}: {exc}; "
            "is it installed or on the Python path?"
        ) from None
    except Exception as exc:  # the module's own code failed while it was imported
        raise SweepError(
            f"importing module {module_name!r} for model {ref!r} failed: "
            f"{type(exc).__name__}: {str(exc)[:200]}"
        ) from None
    for part in qualname.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise SweepError(
                f"module {module_name!r} has no {qualname!r} (model {ref!r})"
            ) from None
    return obj


def is_mesa_model(obj: Any) -> bool:
    """True if ``obj`` is a Mesa ``Model`` subclass."""
    mesa = sys.modules.get("mesa")
    return inspect.isclass(obj) and mesa is not None and issubclass(obj, mesa.Model)


def model_kind(ref: str, steps: int | None) -> str:
    """Check a model reference in the calling process; return ``"mesa"`` or ``"callable"``.

    Raises:
        SweepError: If the reference is not usable as a sweep model.
    """
    obj = resolve(ref)
    if is_mesa_model(obj):
        if steps is None or steps < 0:
            raise SweepError(f"model {ref!r} is a Mesa model: the sweep needs a number of steps")
        return "mesa"
    if inspect.isclass(obj):
        raise SweepError(
            f"model {ref!r} is a class but not a Mesa Model subclass; a sweep model is a "
            "Mesa Model subclass or a function f(params, seed) -> dict of outcomes"
        )
    if not callable(obj):
        raise SweepError(f"model {ref!r} is not callable")
    return "callable"


@functools.lru_cache(maxsize=16)
def make_evaluator(ref: str, steps: int | None, outcomes: tuple[str, ...] | None) -> Evaluator:
    """Build (once per process) the evaluator for a model reference.

    Args:
        ref: ``module:object``.
        steps: Steps for a Mesa model (ignored for a plain callable).
        outcomes: Outcome names to return, or None for all that the model reports.
    """
    obj = resolve(ref)
    if is_mesa_model(obj):
        if steps is None:
            raise SweepError(f"model {ref!r} is a Mesa model: the sweep needs a number of steps")
        return partial(_evaluate_mesa, obj, steps, outcomes)
    if not callable(obj) or inspect.isclass(obj):
        raise SweepError(f"model {ref!r} is neither a Mesa Model subclass nor a function")
    return partial(_evaluate_callable, obj, outcomes)


def _evaluate_callable(
    fn: Callable[..., Any], outcomes: Sequence[str] | None, params: dict[str, Any], seed: int
) -> dict[str, float]:
    result = fn(params, seed)
    if not isinstance(result, Mapping):
        raise OutcomeError(
            f"the model returned {type(result).__name__}, not a mapping of outcome -> number"
        )
    return _select(result, outcomes)


def _evaluate_mesa(
    cls: type, steps: int, outcomes: Sequence[str] | None, params: dict[str, Any], seed: int
) -> dict[str, float]:
    model = cls(**params, rng=seed)
    for _ in range(steps):
        if not getattr(model, "running", True):
            break
        model.step()
    collector = getattr(model, "datacollector", None)
    reporters = getattr(collector, "model_reporters", None) or {}
    if reporters:
        wanted = reporters if outcomes is None else {k: reporters.get(k) for k in outcomes}
        values = {}
        for name, reporter in wanted.items():
            if reporter is None:
                values[name] = _attribute(model, name, reporters)
            else:
                values[name] = _report(model, reporter)
        return _select(values, None)
    if outcomes is None:
        raise ValueError(
            f"{cls.__name__} has no datacollector with model_reporters; list the model "
            "attributes to read in the sweep's 'outcomes'"
        )
    return _select({name: _attribute(model, name, {}) for name in outcomes}, None)


def _attribute(model: Any, name: str, reporters: Mapping[str, Any]) -> Any:
    try:
        return getattr(model, name)
    except AttributeError:
        known = ", ".join(sorted(reporters)) or "none"
        raise AttributeError(
            f"{type(model).__name__} reports no outcome {name!r} "
            f"(model reporters: {known}; nor is it a model attribute)"
        ) from None


def _report(model: Any, reporter: Any) -> Any:
    """Evaluate one model reporter the way Mesa's DataCollector does."""
    if isinstance(reporter, types.LambdaType | partial):
        return reporter(model)
    if isinstance(reporter, str):
        return getattr(model, reporter)
    if isinstance(reporter, list):
        return reporter[0](*reporter[1])
    return reporter()


def _select(values: Mapping[str, Any], outcomes: Sequence[str] | None) -> dict[str, float]:
    if outcomes is None:
        return {str(k): _number(str(k), v) for k, v in values.items()}
    missing = [name for name in outcomes if name not in values]
    if missing:
        raise OutcomeError(
            f"the model returned no value for outcome(s) {', '.join(missing)} "
            f"(it returned: {', '.join(map(str, values)) or 'nothing'})"
        )
    return {name: _number(name, values[name]) for name in outcomes}


def _number(name: str, value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool | np.bool_ | int | float | np.integer | np.floating):
        return float(value)
    if isinstance(value, np.ndarray) and value.shape == ():
        return float(value)
    raise OutcomeError(f"outcome {name!r} is {type(value).__name__} {value!r:.60}, not a number")
