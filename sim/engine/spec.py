"""The ``sweep:`` section of a scenario file, as a validated pydantic model.

Example::

    sweep:
      parameters:
        trust: {uniform: [0.1, 0.9]}
        self_interest: {truncnorm: {mean: 0.3, sd: 0.1, low: 0.0, high: 1.0}}
        team_size: {integers: [3, 12]}
        form: {choice: [project, consortium, collective]}
      design: {method: sobol, n: 1024, seed: 1, second_order: false}
      replicates: 5
      outcomes: [achieved_share, graceful_exit_share, failed_share]
      classes:
        value_creation: "achieved_share >= 0.5"
        graceful_exit: "graceful_exit_share >= 0.3 and failed_share < 0.2"
      timeout_s: 120
      timeseries: {outcomes: [achieved_share, mean_trust], every: 4}

Unknown keys anywhere are errors, and numbers are numbers: ``n: true`` is refused rather
than read as 1.

``timeseries`` asks for per-week outcomes as well: the named outcomes at weeks 0,
``every``, 2 x ``every``, ... and at each run's last week, stored in their own part files
(see :mod:`sim.engine.store`), at most :data:`MAX_SERIES_VALUES` values in all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
    field_validator,
    model_validator,
)

from sim.engine.classes import Predicate, check_names, parse_predicate
from sim.engine.store import CLASS_PREFIX

RESERVED_COLUMNS = frozenset({"point", "replicate", "seed", "status", "error", "elapsed_s"})
METHODS = ("sobol", "morris", "fast", "latin", "grid", "file")
_OPTIONS: dict[str, frozenset[str]] = {
    "sobol": frozenset({"scramble", "skip_values"}),
    "morris": frozenset({"num_levels", "optimal_trajectories", "local_optimization"}),
    "fast": frozenset({"M"}),
    "latin": frozenset(),
    "grid": frozenset(),
    "file": frozenset(),
}
PositiveInt = Annotated[StrictInt, Field(gt=0)]
FiniteFloat = Annotated[StrictFloat, Field(allow_inf_nan=False)]
PositiveFloat = Annotated[StrictFloat, Field(gt=0, allow_inf_nan=False)]
NonNegativeInt = Annotated[StrictInt, Field(ge=0)]
_DISTRIBUTION_KEYS = ("uniform", "truncnorm", "integers", "choice")
# an absolute reference: dotted names on both sides of the colon, nothing relative
MODEL_REF = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
DISTRIBUTION_FORMS = (
    "{uniform: [low, high]}, {truncnorm: {mean, sd, low, high}}, "
    "{integers: [low, high]}, {choice: [v1, v2, ...]}"
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Uniform(_Strict):
    """Uniform on ``[low, high]``."""

    uniform: tuple[FiniteFloat, FiniteFloat]

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        low, high = self.uniform
        if not low < high:
            raise ValueError(f"uniform needs low < high, got [{low}, {high}]")
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        """Lowest and highest value the distribution can give."""
        return self.uniform


class TruncNormArgs(_Strict):
    """Arguments of a truncated normal distribution."""

    mean: FiniteFloat
    sd: PositiveFloat
    low: FiniteFloat
    high: FiniteFloat

    @model_validator(mode="after")
    def _ordered(self) -> TruncNormArgs:
        if not self.low < self.high:
            raise ValueError(f"truncnorm needs low < high, got low={self.low}, high={self.high}")
        return self


class TruncNorm(_Strict):
    """Normal with ``mean`` and ``sd``, truncated to ``[low, high]``."""

    truncnorm: TruncNormArgs

    @property
    def bounds(self) -> tuple[float, float]:
        """Lowest and highest value the distribution can give."""
        return (self.truncnorm.low, self.truncnorm.high)


class Integers(_Strict):
    """Integers ``low..high`` (both included), equally likely."""

    integers: tuple[StrictInt, StrictInt]

    @model_validator(mode="after")
    def _ordered(self) -> Integers:
        low, high = self.integers
        if not low <= high:
            raise ValueError(f"integers needs low <= high, got [{low}, {high}]")
        return self

    @property
    def bounds(self) -> tuple[int, int]:
        """Lowest and highest value the distribution can give."""
        return self.integers


class Choice(_Strict):
    """One of a list of values (all strings, all numbers or all booleans), equally likely."""

    choice: Annotated[list[StrictBool | StrictInt | StrictFloat | StrictStr], Field(min_length=1)]

    @field_validator("choice")
    @classmethod
    def _same_kind(cls, values: list[Any]) -> list[Any]:
        kinds = {_kind(v) for v in values}
        if len(kinds) > 1:
            raise ValueError(
                f"choice values must be all strings, all numbers or all booleans, got {values!r}"
            )
        if any(isinstance(v, float) and not math.isfinite(v) for v in values):
            raise ValueError(f"choice values must be finite, got {values!r}")
        if len({(type(v), v) for v in values}) != len(values):
            raise ValueError(f"choice values must be distinct, got {values!r}")
        return values

    @property
    def bounds(self) -> tuple[float, float] | None:
        """Lowest and highest value for numeric choices, else None."""
        if _kind(self.choice[0]) != "number":
            return None
        return (min(self.choice), max(self.choice))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "str"


def _distribution_tag(value: Any) -> str | None:
    if isinstance(value, Mapping):
        keys = [k for k in _DISTRIBUTION_KEYS if k in value]
        return keys[0] if keys else None
    if isinstance(value, Uniform | TruncNorm | Integers | Choice):
        return next(iter(type(value).model_fields))
    return None


Distribution = Annotated[
    Annotated[Uniform, Tag("uniform")]
    | Annotated[TruncNorm, Tag("truncnorm")]
    | Annotated[Integers, Tag("integers")]
    | Annotated[Choice, Tag("choice")],
    Discriminator(
        _distribution_tag,
        custom_error_type="distribution",
        custom_error_message=f"a distribution must be one of {DISTRIBUTION_FORMS}",
    ),
]


class DesignSpec(_Strict):
    """How design points are drawn.

    ``n`` means: base samples for ``sobol`` (points = n * (D + 2), or n * (2D + 2) with
    ``second_order``), trajectories for ``morris`` (n * (D + 1)), samples per parameter
    for ``fast`` (n * D), points for ``latin``, levels per parameter for ``grid`` (a full
    factorial), and the number of rows used for ``file`` (all rows when omitted).
    """

    method: Literal["sobol", "morris", "fast", "latin", "grid", "file"]
    n: PositiveInt | None = None
    seed: NonNegativeInt = 0
    second_order: StrictBool = False
    options: dict[str, Any] = Field(default_factory=dict)
    path: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DesignSpec:
        if self.method == "file":
            if not self.path:
                raise ValueError("design method 'file' needs a 'path' to a CSV file")
        else:
            if self.path is not None:
                raise ValueError(f"'path' is only for design method 'file', not {self.method!r}")
            if self.n is None:
                raise ValueError(f"design method {self.method!r} needs 'n'")
        if self.second_order and self.method != "sobol":
            raise ValueError("'second_order' is only for design method 'sobol'")
        unknown = sorted(set(self.options) - _OPTIONS[self.method])
        if unknown:
            allowed = ", ".join(sorted(_OPTIONS[self.method])) or "none"
            raise ValueError(
                f"unknown option(s) {', '.join(unknown)} for design method {self.method!r} "
                f"(allowed: {allowed})"
            )
        if self.method == "fast":
            m = self.options.get("M", 4)
            if not isinstance(m, int) or m < 1:
                raise ValueError(f"fast option M must be a positive integer, got {m!r}")
            if self.n is not None and self.n <= 4 * m * m:
                raise ValueError(f"design method 'fast' needs n > 4 * M**2 = {4 * m * m}")
        if self.method == "morris":
            levels = self.options.get("num_levels", 4)
            if not isinstance(levels, int) or levels < 2 or levels % 2:
                raise ValueError(f"morris num_levels must be an even integer >= 2, got {levels!r}")
        if self.method == "grid" and self.n is not None and self.n < 2:
            raise ValueError("design method 'grid' needs n >= 2 levels per parameter")
        return self


MAX_SERIES_VALUES = 20_000_000  # weeks sampled x outcomes x runs a sweep may store


class TimeSeriesSpec(_Strict):
    """Per-week outcomes to record: which, every how many weeks, and for how long.

    ``weeks`` is the longest run, in weeks: a Mesa model's ``steps`` and the built-in
    models' own length unless given; a plain function model must give it.
    """

    outcomes: Annotated[list[StrictStr], Field(min_length=1)]
    every: PositiveInt = 1
    weeks: PositiveInt | None = None

    @field_validator("outcomes")
    @classmethod
    def _outcome_names(cls, outcomes: list[str]) -> list[str]:
        duplicated = sorted({o for o in outcomes if outcomes.count(o) > 1})
        if duplicated:
            raise ValueError(f"per-week outcomes listed twice: {', '.join(duplicated)}")
        if any(not name for name in outcomes):
            raise ValueError("per-week outcome names must not be empty")
        return outcomes

    def samples_per_run(self, weeks: int) -> int:
        """The most weeks one run of ``weeks`` weeks is sampled at (its last week too)."""
        return weeks // self.every + 2

    def check_size(self, runs: int, weeks: int) -> None:
        """Refuse a request of more than :data:`MAX_SERIES_VALUES` values.

        Raises:
            ValueError: Giving the arithmetic and what to lower.
        """
        samples = self.samples_per_run(weeks)
        total = runs * len(self.outcomes) * samples
        if total > MAX_SERIES_VALUES:
            raise ValueError(
                f"{runs:,} runs x {len(self.outcomes)} outcome(s) x up to {samples:,} weeks "
                f"(every {self.every} of {weeks:,}) = {total:,} values, more than the "
                f"{MAX_SERIES_VALUES:,} a sweep stores; raise 'every', name fewer outcomes "
                "or run fewer points"
            )


class SweepSpec(_Strict):
    """A sweep: parameters to vary, the design, replicates, outcomes, classes, series."""

    parameters: Annotated[dict[str, Distribution], Field(min_length=1)]
    design: DesignSpec
    replicates: PositiveInt = 1
    outcomes: list[str] | None = None
    classes: dict[str, str] = Field(default_factory=dict)
    model: str | None = None
    seed: NonNegativeInt | None = None
    timeout_s: PositiveFloat | None = None
    batch_size: PositiveInt | None = None
    timeseries: TimeSeriesSpec | None = None

    @field_validator("parameters", mode="before")
    @classmethod
    def _one_form_each(cls, parameters: Any) -> Any:
        if not isinstance(parameters, Mapping):
            return parameters
        for name, dist in parameters.items():
            if isinstance(dist, Mapping) and len(dist) > 1:
                given = ", ".join(map(str, dist))
                raise ValueError(
                    f"parameter {name!s:.60}: a distribution has exactly one form, got "
                    f"{given:.80}; use one of {DISTRIBUTION_FORMS}"
                )
        return parameters

    @field_validator("parameters")
    @classmethod
    def _parameter_names(cls, parameters: dict[str, Any]) -> dict[str, Any]:
        for name in parameters:
            if not name.isidentifier():
                raise ValueError(f"parameter name {name!r} is not a valid identifier")
            if name in RESERVED_COLUMNS or name.startswith(CLASS_PREFIX):
                raise ValueError(
                    f"parameter name {name!r} is reserved "
                    f"({', '.join(sorted(RESERVED_COLUMNS))} are run columns, "
                    f"{CLASS_PREFIX}<name> are class columns)"
                )
        return parameters

    @field_validator("outcomes")
    @classmethod
    def _outcome_names(cls, outcomes: list[str] | None) -> list[str] | None:
        if outcomes is None:
            return None
        if not outcomes:
            raise ValueError("'outcomes' must name at least one outcome (or be left out)")
        duplicated = sorted({o for o in outcomes if outcomes.count(o) > 1})
        if duplicated:
            raise ValueError(f"outcomes listed twice: {', '.join(duplicated)}")
        for name in outcomes:
            if not name or name in RESERVED_COLUMNS or name.startswith(CLASS_PREFIX):
                raise ValueError(f"outcome name {name!r} is empty or reserved")
        return outcomes

    @field_validator("classes")
    @classmethod
    def _class_predicates(cls, classes: dict[str, str]) -> dict[str, str]:
        for name, text in classes.items():
            if not name:
                raise ValueError("class names must not be empty")
            parse_predicate(name, text)
        return classes

    @field_validator("model")
    @classmethod
    def _model_ref(cls, model: str | None) -> str | None:
        if model is not None and not MODEL_REF.match(model):
            raise ValueError(f"model must look like 'package.module:object', got {model!r}")
        return model

    @model_validator(mode="after")
    def _cross_checks(self) -> SweepSpec:
        if self.outcomes is not None:
            clash = sorted(set(self.outcomes) & set(self.parameters))
            if clash:
                raise ValueError(f"names used both as parameter and outcome: {', '.join(clash)}")
            self.check_class_names(self.outcomes)
        return self

    @property
    def names(self) -> list[str]:
        """Names of the varied parameters, in order."""
        return list(self.parameters)

    def predicates(self) -> list[Predicate]:
        """The parsed class predicates."""
        return [parse_predicate(name, text) for name, text in self.classes.items()]

    def check_class_names(self, outcomes: list[str] | tuple[str, ...]) -> None:
        """Check that class predicates only use known outcome names.

        Raises:
            ValueError: Naming the class, the unknown name and the known names.
        """
        check_names(self.predicates(), outcomes)

    def check_parameters(self, allowed: Mapping[str, tuple[float, float] | None]) -> None:
        """Check varied parameters against a model's known parameters and ranges.

        Args:
            allowed: Parameter name -> (low, high) range, or None for no range check.

        Raises:
            ValueError: Listing unknown names (with the allowed names) and ranges that fall
                outside the allowed bounds.
        """
        problems = []
        unknown = [name for name in self.parameters if name not in allowed]
        if unknown:
            problems.append(
                f"unknown parameter(s) {', '.join(unknown)} "
                f"(known: {', '.join(sorted(allowed)) or 'none'})"
            )
        for name, dist in self.parameters.items():
            limits = allowed.get(name)
            if limits is None:
                continue
            low, high = limits
            if isinstance(dist, Choice) and dist.bounds is None:
                problems.append(
                    f"parameter {name!r} is numeric in [{low}, {high}], "
                    f"but its choice values are not numbers: {dist.choice!r}"
                )
                continue
            lo, hi = dist.bounds
            if lo < low or hi > high:
                problems.append(
                    f"parameter {name!r} range [{lo}, {hi}] is outside its allowed range "
                    f"[{low}, {high}]"
                )
        if problems:
            raise ValueError("sweep parameters: " + "; ".join(problems))

    def resolve_paths(self, base_dir: str | Path) -> SweepSpec:
        """Return a copy whose design file path is absolute, relative to ``base_dir``."""
        if self.design.path is None or Path(self.design.path).is_absolute():
            return self
        path = str((Path(base_dir) / self.design.path).resolve())
        return self.model_copy(update={"design": self.design.model_copy(update={"path": path})})
