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

A sweep may also ask for per-week outcomes (a :class:`SeriesRequest`). A plain callable
returns each as a series in place of its number: a sequence (index = week, from week 0)
or a mapping week -> value; its value at the last week is the run's outcome as well. One
that takes a ``timeseries`` keyword is told what is asked (``timeseries.outcomes``,
``timeseries.every``), so it need only collect those weeks. A Mesa model's series are
what its ``DataCollector`` collected (``model_vars``), at the model time of each
collection. Either way the weeks kept are 0, ``every``, 2 x ``every``, ... and the last.

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
from typing import Any, NamedTuple

import numpy as np

from sim.engine.errors import SweepError


class SeriesRequest(NamedTuple):
    """Per-week outcomes a sweep asks of each run.

    Attributes:
        outcomes: Their names.
        every: Keep weeks 0, ``every``, 2 x ``every``, ... (and each run's last week).
        weeks: The longest run allowed, in weeks.
    """

    outcomes: tuple[str, ...]
    every: int
    weeks: int


# outcome -> (weeks, values), the weeks ascending
Series = dict[str, tuple[np.ndarray, np.ndarray]]


class RunResult(NamedTuple):
    """What one run gives: its outcomes and the per-week series asked for."""

    outcomes: dict[str, float]
    series: Series


Evaluator = Callable[[dict[str, Any], int], RunResult]


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
def make_evaluator(
    ref: str,
    steps: int | None,
    outcomes: tuple[str, ...] | None,
    series: SeriesRequest | None = None,
) -> Evaluator:
    """Build (once per process) the evaluator for a model reference.

    Args:
        ref: ``module:object``.
        steps: Steps for a Mesa model (ignored for a plain callable).
        outcomes: Outcome names to return, or None for all that the model reports.
        series: The per-week outcomes to return, if any.
    """
    obj = resolve(ref)
    if is_mesa_model(obj):
        if steps is None:
            raise SweepError(f"model {ref!r} is a Mesa model: the sweep needs a number of steps")
        return partial(_evaluate_mesa, obj, steps, outcomes, series)
    if not callable(obj) or inspect.isclass(obj):
        raise SweepError(f"model {ref!r} is neither a Mesa Model subclass nor a function")
    told = series is not None and _takes_timeseries(obj)
    return partial(_evaluate_callable, obj, outcomes, series, told)


def _takes_timeseries(fn: Callable[..., Any]) -> bool:
    """Whether a function takes a ``timeseries`` keyword (or any keyword)."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature
        return False
    return any(p.name == "timeseries" or p.kind is p.VAR_KEYWORD for p in parameters)


def _evaluate_callable(
    fn: Callable[..., Any],
    outcomes: Sequence[str] | None,
    series: SeriesRequest | None,
    told: bool,
    params: dict[str, Any],
    seed: int,
) -> RunResult:
    result = fn(params, seed, timeseries=series) if told else fn(params, seed)
    if not isinstance(result, Mapping):
        raise OutcomeError(
            f"the model returned {type(result).__name__}, not a mapping of outcome -> number"
        )
    if series is None:
        return RunResult(_select(result, outcomes), {})
    values = dict(result)
    collected: Series = {}
    for name in series.outcomes:
        if name not in values:
            raise OutcomeError(
                f"the model returned no per-week outcome {name!r} "
                f"(it returned: {', '.join(map(str, values)) or 'nothing'})"
            )
        raw = values[name]
        if not _is_series(raw):
            raise OutcomeError(
                f"per-week outcome {name!r} is {type(raw).__name__} {raw!r:.60}, not a series "
                "(a list with one value per week, or a mapping week -> value)"
            )
        pairs = raw.items() if hasattr(raw, "items") else enumerate(raw)
        collected[name] = _sampled(name, pairs, series)
        kept = collected[name][1]
        values[name] = kept[-1] if len(kept) else math.nan
    return RunResult(_select(values, outcomes), collected)


def _is_series(value: Any) -> bool:
    if isinstance(value, str | bytes):
        return False
    if isinstance(value, np.ndarray):
        return value.ndim == 1
    return isinstance(value, Sequence | Mapping) or hasattr(value, "items")


def _sampled(name: str, pairs: Any, request: SeriesRequest) -> tuple[np.ndarray, np.ndarray]:
    """A series' (week, value) pairs, checked, sorted and cut to the weeks asked for.

    Raises:
        OutcomeError: For a week that is not a whole number in ``[0, request.weeks]`` or a
            value that is not a number.
    """
    by_week: dict[int, float] = {}
    for week, value in pairs:
        whole = isinstance(week, int | np.integer) and not isinstance(week, bool | np.bool_)
        if not whole or not 0 <= week <= request.weeks:
            raise OutcomeError(
                f"per-week outcome {name!r} has week {week!r:.30}; weeks are whole numbers "
                f"from 0 to {request.weeks} (the sweep's timeseries.weeks)"
            )
        by_week[int(week)] = _number(name, value)
    weeks = np.fromiter(sorted(by_week), dtype=np.int64, count=len(by_week))
    if len(weeks):
        weeks = weeks[(weeks % request.every == 0) | (weeks == weeks[-1])]
    values = np.fromiter((by_week[w] for w in weeks.tolist()), dtype=np.float64, count=len(weeks))
    return weeks, values


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
    cls: type,
    steps: int,
    outcomes: Sequence[str] | None,
    series: SeriesRequest | None,
    params: dict[str, Any],
    seed: int,
) -> RunResult:
    model = mesa_builder(cls).build(params, seed)
    for _ in range(steps):
        if not getattr(model, "running", True):
            break
        model.step()
    collector = getattr(model, "datacollector", None)
    collected = _collected_series(collector, series) if series is not None else {}
    reporters = getattr(collector, "model_reporters", None) or {}
    if reporters:
        wanted = reporters if outcomes is None else {k: reporters.get(k) for k in outcomes}
        values = {}
        for name, reporter in wanted.items():
            if reporter is None:
                values[name] = _attribute(model, name, reporters)
            else:
                values[name] = _report(model, reporter)
        return RunResult(_select(values, None), collected)
    if outcomes is None:
        raise ValueError(
            f"{cls.__name__} has no datacollector with model_reporters; list the model "
            "attributes to read in the sweep's 'outcomes'"
        )
    values = {name: _attribute(model, name, {}) for name in outcomes}
    return RunResult(_select(values, None), collected)


def _collected_series(collector: Any, request: SeriesRequest) -> Series:
    """A Mesa ``DataCollector``'s model variables as series, at each collection's time."""
    collected = getattr(collector, "model_vars", None) or {}
    out: Series = {}
    for name in request.outcomes:
        if name not in collected:
            raise OutcomeError(
                f"the model's DataCollector collects no {name!r} "
                f"(it collects: {', '.join(map(str, collected)) or 'nothing'})"
            )
        values = collected[name]
        times = getattr(collector, "_collection_steps", None)  # Mesa's model.time of each
        if times is None or len(times) != len(values):
            times = range(len(values))
        weeks = [int(t) if float(t).is_integer() else t for t in times]
        out[name] = _sampled(name, zip(weeks, values, strict=True), request)
    return out


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
