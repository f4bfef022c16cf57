"""Turning a ``module:object`` reference into ``evaluate(params, seed) -> outcomes``.

Two kinds of model are understood:

1. a plain callable ``f(params: dict, seed: int) -> Mapping[str, float]``;
2. a Mesa ``Model`` subclass, built either from keyword arguments,
   ``Cls(**params, rng=seed)`` (or ``seed=seed`` when it takes no ``rng``), or, when it
   takes a Mesa ``Scenario`` (Mesa 3.5's ``Cls(scenario=...)``), as
   ``Cls(scenario=ScenarioCls(rng=seed, **params))``, where ``ScenarioCls`` is the
   annotated one, else the one ``Scenario`` subclass of the model's module, else Mesa's
   own; it is stepped ``steps`` times (or until ``model.running`` is False) and read at
   the end through its ``datacollector.model_reporters`` (each reporter evaluated once,
   as the DataCollector would) or, without reporters, through the model attributes named
   in the sweep's ``outcomes``.

Only the reference string crosses process boundaries; each worker resolves it once.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import math
import sys
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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


def model_kind(ref: str, steps: int | None, names: Sequence[str] = ()) -> str:
    """Check a model reference in the calling process; return ``"mesa"`` or ``"callable"``.

    Args:
        ref: ``module:object``.
        steps: Steps for a Mesa model.
        names: Parameter names the sweep passes (checked against a Mesa model's).

    Raises:
        SweepError: If the reference is not usable as a sweep model.
    """
    obj = resolve(ref)
    if is_mesa_model(obj):
        if steps is None or steps < 0:
            raise SweepError(f"model {ref!r} is a Mesa model: the sweep needs a number of steps")
        known = mesa_builder(obj).known
        unknown = [n for n in names if known is not None and n not in known]
        if unknown:
            raise SweepError(
                f"model {ref!r} takes no parameter(s) {', '.join(unknown)} "
                f"(it takes: {', '.join(sorted(known)) or 'none'})"
            )
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


@dataclass(frozen=True)
class MesaBuilder:
    """How to build one Mesa model class from parameters and a seed.

    Attributes:
        cls: The model class.
        scenario: The Mesa ``Scenario`` class it takes, or None for keyword arguments.
        seed_name: The keyword that takes the seed (``rng`` or ``seed``).
        known: The parameter names it takes, or None when any name is accepted.
    """

    cls: type
    scenario: type | None
    seed_name: str
    known: frozenset[str] | None

    def build(self, params: dict[str, Any], seed: int) -> Any:
        """A new model for one run."""
        if self.scenario is not None:
            return self.cls(scenario=self.scenario(rng=seed, **params))
        return self.cls(**params, **{self.seed_name: seed})


@functools.lru_cache(maxsize=16)
def mesa_builder(cls: type) -> MesaBuilder:
    """Read how a Mesa model class is built off its ``__init__`` signature."""
    signature = inspect.signature(cls.__init__)
    named = {
        name: p
        for name, p in signature.parameters.items()
        if name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    }
    open_ended = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    if "scenario" in named and not set(named) - {"scenario", "rng", "seed"} and not open_ended:
        scenario = _scenario_class(cls)
        defaults = frozenset(getattr(scenario, "_scenario_defaults", {}))
        return MesaBuilder(cls, scenario, "rng", defaults or None)
    seed_name = "rng" if "rng" in named or open_ended or "seed" not in named else "seed"
    known = None if open_ended else frozenset(named) - {"rng", "seed"}
    return MesaBuilder(cls, None, seed_name, known)


def _scenario_class(cls: type) -> type:
    """The Mesa ``Scenario`` class a model takes: annotated, the one of its module, or Mesa's."""
    from mesa.experimental.scenarios import Scenario

    def is_scenario(obj: Any) -> bool:
        return inspect.isclass(obj) and issubclass(obj, Scenario) and obj is not Scenario

    try:
        annotation = typing.get_type_hints(cls.__init__).get("scenario")
    except Exception:  # unresolvable annotations: look in the module instead
        annotation = None
    for candidate in typing.get_args(annotation) or (annotation,):
        if is_scenario(candidate):
            return candidate
    module = sys.modules.get(cls.__module__)
    found = [
        obj
        for obj in vars(module).values()
        if is_scenario(obj) and obj.__module__ == cls.__module__
    ]
    return found[0] if len(found) == 1 else Scenario


def _evaluate_mesa(
    cls: type, steps: int, outcomes: Sequence[str] | None, params: dict[str, Any], seed: int
) -> dict[str, float]:
    model = mesa_builder(cls).build(params, seed)
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
