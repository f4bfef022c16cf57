"""Target files: the patterns a calibration fits, what it may vary, and how hard it looks.

A target file (YAML, read within the same limits as a scenario file)::

    name: published-patterns
    description: What these patterns are.
    targets:
      alliance_success_share:            # a run measure
        value: 0.15                      # a point target ...
        tolerance: 0.05                  # ... and how far off still fits
        use: fit                         # fit: in the objective; check: reported beside it
        source: Reuer and Zollo (2005), Research Policy 34, 101-115
        evidence: strong                 # strong, moderate or weak
      giant_component_share:
        range: [null, 0.97]              # a bound or a range (null: open on that side)
        tolerance: 0.05                  # the scale of a miss outside it
        use: check
        source: ...
    vary:                                # parameters or assumptions, with the bounds to search
      trust: [0.2, 0.8]
      max_turn_backs: [0, 3]             # whole numbers for an integer setting
    search:                              # all optional
      trials: 160                        # candidates proposed by the sampler
      batch: 8                           # candidates run together (one round)
      replicates: 6                      # seeds per candidate while searching
      refine: 8                          # best candidates re-evaluated ...
      refine_replicates: 48              # ... over this many seeds in all
      check_replicates: 100              # fresh seeds for the chosen one
      sampler: tpe                       # tpe, random or qmc (optuna's samplers)
      seed: 1

Every problem is reported as one line naming the file, the field and what to do, all
problems together (:class:`TargetsError`, a :class:`~sim.io.scenario.ScenarioError`).
"""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
    model_validator,
)

from sim.io.scenario import SWEEPABLE, Scenario, ScenarioError, read_yaml
from sim.parameters import parameter_info

Number = StrictInt | StrictFloat
PositiveInt = Annotated[StrictInt, Field(gt=0)]
NonNegativeInt = Annotated[StrictInt, Field(ge=0)]
SAMPLERS = ("tpe", "random", "qmc")


class TargetsError(ScenarioError):
    """A target file that cannot be used; ``problems`` holds one line per problem."""


class Target(BaseModel):
    """One pattern: a run measure's published value or range, and where it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Number | None = Field(None, description="The published value (a point target).")
    range: tuple[Number | None, Number | None] | None = Field(
        None, description="The published range [low, high]; null leaves a side open."
    )
    tolerance: Annotated[Number, Field(gt=0)] = Field(
        description="How far from the value (or outside the range) still counts as a fit; "
        "also the scale misses are measured in."
    )
    use: Literal["fit", "check"] = Field(
        "fit", description="fit: part of the objective; check: reported beside it only."
    )
    source: Annotated[str, Field(min_length=1)] = Field(description="Where the pattern comes from.")
    evidence: Literal["strong", "moderate", "weak"] = Field(
        "moderate", description="How firmly the source establishes the pattern."
    )
    note: str = Field("", description="How the model's measure maps onto the pattern.")

    @model_validator(mode="after")
    def _one_form(self) -> Target:
        if (self.value is None) == (self.range is None):
            raise ValueError("give either value (a point target) or range [low, high]")
        if self.range is not None:
            low, high = self.range
            if low is None and high is None:
                raise ValueError("range: give at least one bound (null leaves a side open)")
            if low is not None and high is not None and not low < high:
                raise ValueError(f"range: low must be below high (got [{low}, {high}])")
        for number in (self.value, *(self.range or ())):
            if isinstance(number, float) and not math.isfinite(number):
                raise ValueError("values must be finite numbers")
        return self

    @property
    def low(self) -> float:
        """Lowest value that fits exactly (-inf when open)."""
        if self.value is not None:
            return float(self.value)
        low = self.range[0]
        return -math.inf if low is None else float(low)

    @property
    def high(self) -> float:
        """Highest value that fits exactly (+inf when open)."""
        if self.value is not None:
            return float(self.value)
        high = self.range[1]
        return math.inf if high is None else float(high)

    def describe(self) -> str:
        """The target in words, e.g. ``0.15 ± 0.05`` or ``at most 0.97``."""
        if self.value is not None:
            return f"{self.value:g} ± {self.tolerance:g}"
        low, high = self.range
        if low is None:
            return f"at most {high:g}"
        if high is None:
            return f"at least {low:g}"
        return f"{low:g} to {high:g}"


class Search(BaseModel):
    """How hard a calibration looks and how many seeds it spends."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    trials: PositiveInt = Field(160, description="Candidates the sampler proposes.")
    batch: PositiveInt = Field(8, description="Candidates proposed and run together.")
    replicates: PositiveInt = Field(6, description="Seeds per candidate while searching.")
    refine: NonNegativeInt = Field(8, description="Best candidates re-evaluated.")
    refine_replicates: PositiveInt = Field(
        48, description="Seeds each re-evaluated candidate gets in all."
    )
    check_replicates: PositiveInt = Field(
        100, description="Fresh seeds the chosen candidate is checked on."
    )
    sampler: Literal["tpe", "random", "qmc"] = Field("tpe", description="Optuna's sampler.")
    seed: NonNegativeInt = Field(0, description="Seed of the sampler and the runs.")

    @model_validator(mode="after")
    def _enough(self) -> Search:
        if self.refine_replicates < self.replicates:
            raise ValueError(
                f"refine_replicates ({self.refine_replicates}) must be at least replicates "
                f"({self.replicates})"
            )
        if self.refine > self.trials:
            raise ValueError(f"refine ({self.refine}) must not exceed trials ({self.trials})")
        return self


class TargetsFile(BaseModel):
    """A validated target file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        "targets",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=100,
        description="Short name (letters, digits, '-', '_', '.'); used for output folders.",
    )
    description: str = Field("", description="What these patterns are.")
    targets: Annotated[dict[str, Target], Field(min_length=1)] = Field(
        description="Run measure -> its target."
    )
    vary: Annotated[dict[str, tuple[Number, Number]], Field(min_length=1)] = Field(
        description="Parameter or assumption -> [low, high] to search."
    )
    search: Search = Field(default_factory=Search, description="How hard to look.")

    @model_validator(mode="after")
    def _something_to_fit(self) -> TargetsFile:
        if not any(t.use == "fit" for t in self.targets.values()):
            raise ValueError("targets: none has use: fit; mark at least one to fit")
        return self

    @property
    def fitted(self) -> dict[str, Target]:
        """The targets in the objective."""
        return {k: t for k, t in self.targets.items() if t.use == "fit"}


def _line(err: dict[str, Any], allowed: dict[tuple[str, ...], list[str]]) -> str:
    loc = tuple(str(x) for x in err["loc"])
    where = ".".join(loc) or "file"
    if err["type"] == "extra_forbidden":
        names = allowed.get(loc[:-1], [])
        close = difflib.get_close_matches(loc[-1], names, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{where}: unknown field{hint} (allowed: {', '.join(names)})"
    if err["type"] == "missing":
        return f"{where}: missing; add it"
    message = str((err.get("ctx") or {}).get("error", err["msg"]))
    got = err.get("input")
    shown = "" if err["type"] == "value_error" or isinstance(got, dict) else f" (got {got!r:.60})"
    return f"{where}: {message}{shown}"


def _allowed_fields(data: Any) -> dict[tuple[str, ...], list[str]]:
    allowed = {(): list(TargetsFile.model_fields), ("search",): list(Search.model_fields)}
    if isinstance(data, dict) and isinstance(data.get("targets"), dict):
        for name in data["targets"]:
            allowed["targets", str(name)] = list(Target.model_fields)
    return allowed


def _vary_problems(targets: TargetsFile, scenario: Scenario | None) -> list[str]:
    """Varied names and bounds checked against the scenario's model."""
    problems = []
    for name, (low, high) in targets.vary.items():
        if not low < high:
            problems.append(f"vary.{name}: low must be below high (got [{low}, {high}])")
    if scenario is None or scenario.model not in SWEEPABLE:
        return problems
    info = parameter_info(SWEEPABLE[scenario.model])
    for name, (low, high) in targets.vary.items():
        if name not in info:
            close = difflib.get_close_matches(name, list(info), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(
                f"vary.{name}: not a parameter or assumption of the {scenario.model} model "
                f"({hint}see docs/reference.md)"
            )
            continue
        item = info[name]
        if item.kind == "choice":
            problems.append(
                f"vary.{name}: a choice ({', '.join(item.choices)}) cannot be calibrated; "
                "set it in the scenario instead"
            )
        elif item.kind == "int" and not (isinstance(low, int) and isinstance(high, int)):
            problems.append(f"vary.{name}: a whole-number setting; give whole-number bounds")
        elif item.low is not None and (low < item.low or high > item.high):
            problems.append(
                f"vary.{name}: [{low:g}, {high:g}] is outside its allowed range "
                f"[{item.low:g}, {item.high:g}] {item.unit}"
            )
    return problems


def _measure_problems(targets: TargetsFile, scenario: Scenario | None) -> list[str]:
    if scenario is None or scenario.model != "journey":
        return []  # another model's measures are known when it first runs
    from sim.journey.measures import MEASURES

    problems = []
    for name in targets.targets:
        if name not in MEASURES:
            close = difflib.get_close_matches(name, list(MEASURES), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(
                f"targets.{name}: not a run measure of the journey model ({hint}see the "
                "measures in docs/reference.md)"
            )
    return problems


def parse_targets(
    data: Any, source: str = "<targets>", scenario: Scenario | None = None
) -> TargetsFile:
    """Validate already-loaded target data (against ``scenario``'s model when given).

    Raises:
        TargetsError: listing every problem found.
    """
    if not isinstance(data, dict):
        raise TargetsError(source, ["the file must hold a mapping (targets, vary, search)"])
    try:
        targets = TargetsFile(**data)
    except ValidationError as exc:
        allowed = _allowed_fields(data)
        raise TargetsError(source, [_line(e, allowed) for e in exc.errors()]) from None
    problems = _measure_problems(targets, scenario) + _vary_problems(targets, scenario)
    if problems:
        raise TargetsError(source, problems)
    return targets


def load_targets(path: str | Path, scenario: Scenario | None = None) -> TargetsFile:
    """Load and validate a target file (YAML, read safely within the scenario limits).

    Raises:
        TargetsError: naming the file, the field and what to do.
    """
    path = Path(path)
    try:
        data = read_yaml(path)
    except ScenarioError as exc:
        raise TargetsError(exc.source, exc.problems) from None
    if isinstance(data, dict) and "name" not in data:
        data = {"name": path.stem, **data}
    return parse_targets(data, str(path), scenario)
