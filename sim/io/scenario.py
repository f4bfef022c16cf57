"""Scenario files: YAML, loaded safely, validated, with a published JSON Schema.

A scenario names the model, its parameters and optionally a sweep::

    name: baseline
    description: What this scenario shows.
    model: journey            # journey, team_assembly, or module:object
    seed: 42
    parameters:
      trust: 0.5
      self_interest: 0.3
      urgency: 0.4
    assumptions:              # optional: the mechanisms' constants (docs/reference.md)
      norming_trust: 0.5
    sweep: {...}              # see sim.engine.spec.SweepSpec; may vary assumptions too

Every problem is reported as one line naming the file, the field and what is allowed,
and all problems in a file are reported together (:class:`ScenarioError`).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.engine.spec import SweepSpec
from sim.journey.assumptions import JourneyAssumptions, JourneySettings, split_settings
from sim.journey.parameters import JourneyParameters
from sim.parameters import parameter_bounds, parameter_info
from sim.team_assembly.parameters import TeamAssemblyParameters

BUILTIN_MODELS: dict[str, type[BaseModel]] = {
    "journey": JourneyParameters,
    "team_assembly": TeamAssemblyParameters,
}
# the constants inside a model's mechanisms, set in a scenario's `assumptions:` section
BUILTIN_ASSUMPTIONS: dict[str, type[BaseModel]] = {"journey": JourneyAssumptions}
# what a sweep may vary: parameters and assumptions alike, by name
SWEEPABLE: dict[str, type[BaseModel]] = {
    "journey": JourneySettings,
    "team_assembly": TeamAssemblyParameters,
}
# what the sweep engine calls for each built-in model: a plain f(params, seed) -> dict
EVALUATORS = {
    "journey": "sim.runs:evaluate",
    "team_assembly": "sim.runs:evaluate_team_assembly",
}


class ScenarioError(ValueError):
    """A scenario file that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


class Scenario(BaseModel):
    """A validated scenario file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        "scenario",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=100,
        description="Short name (letters, digits, '-', '_', '.'); used for output folders.",
    )
    description: str = Field("", description="What this scenario shows.")
    model: str = Field(
        "journey",
        description="journey, team_assembly, or module:object for a foreign model (sweeps only).",
    )
    seed: int = Field(0, ge=0, description="Seed of a single run; root seed of a sweep.")
    steps: int | None = Field(
        None,
        ge=1,
        description="Steps for a foreign Mesa model in a sweep (built-in "
        "models take steps from their parameters).",
    )
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="Parameter values; unnamed ones keep defaults."
    )
    assumptions: dict[str, Any] = Field(
        default_factory=dict,
        description="Values of the mechanisms' constants (see docs/reference.md); unnamed "
        "ones keep defaults.",
    )
    sweep: SweepSpec | None = Field(None, description="Optional sensitivity sweep.")

    @property
    def is_builtin(self) -> bool:
        """Whether the model is one of this package's own."""
        return self.model in BUILTIN_MODELS

    def params(self, overrides: dict[str, Any] | None = None) -> BaseModel:
        """The full, validated parameter object (built-in models only).

        ``overrides`` may name assumptions too; those are left to :meth:`assumed`.
        """
        cls = BUILTIN_MODELS[self.model]
        changed = overrides or {}
        if self.model in BUILTIN_ASSUMPTIONS:
            changed = split_settings(changed)[0]
        return cls(**{**self.parameters, **changed})

    def assumed(self, overrides: dict[str, Any] | None = None) -> BaseModel | None:
        """The full, validated assumptions object (``None`` for a model without any)."""
        cls = BUILTIN_ASSUMPTIONS.get(self.model)
        if cls is None:
            return None
        return cls(**{**self.assumptions, **split_settings(overrides or {})[1]})

    def evaluator(self) -> str:
        """The ``module:object`` the sweep engine runs."""
        if self.sweep is not None and self.sweep.model:
            return self.sweep.model
        return EVALUATORS.get(self.model, self.model)

    def digest(self) -> str:
        """SHA-256 of the scenario's canonical JSON form."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def _loc(loc: tuple[Any, ...]) -> str:
    return ".".join(str(x) for x in loc)


def _describe(err: dict[str, Any], allowed: list[str]) -> str:
    """One readable line for a pydantic error."""
    where = _loc(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        name = str(err["loc"][-1])
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{where}: unknown field{hint} (allowed: {', '.join(allowed)})"
    got = err.get("input")
    ctx = err.get("ctx") or {}
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{where}: {err['msg'].lower()} (got {got!r}){_range_hint(err['loc'])}"
    if kind == "literal_error":
        return f"{where}: must be one of {ctx.get('expected')} (got {got!r})"
    if kind == "value_error":
        return f"{where or 'file'}: {ctx.get('error', err['msg'])!s}"
    return f"{where}: {err['msg']} (got {got!r})"


def _range_hint(loc: tuple[Any, ...]) -> str:
    if len(loc) >= 2 and loc[0] in ("parameters", "assumptions"):
        for cls in SWEEPABLE.values():
            info = parameter_info(cls).get(str(loc[1]))
            if info and info.low is not None:
                return f"; allowed range [{info.low:g}, {info.high:g}] {info.unit}"
    return ""


def _parameter_problems(
    cls: type[BaseModel], values: dict[str, Any], section: str = "parameters"
) -> list[str]:
    """One line per problem with a model's parameter (or assumption) values."""
    try:
        cls(**values)
    except ValidationError as exc:
        names = list(cls.model_fields)
        return [
            _describe({**error, "loc": (section, *error["loc"])}, names) for error in exc.errors()
        ]
    return []


def _allowed_at(loc: tuple[Any, ...]) -> list[str]:
    """Field names allowed where an unknown key was found (walking nested models)."""
    cls: Any = Scenario
    for key in loc[:-1]:
        field = getattr(cls, "model_fields", {}).get(key)
        if field is None:
            break
        inner = typing.get_args(field.annotation) or (field.annotation,)
        models = [a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)]
        if not models:
            break
        cls = models[0]
    return list(getattr(cls, "model_fields", {}))


def _sweep_values(dist: Any) -> list[Any]:
    """The values a sweep distribution can give that are worth checking: ends and choices."""
    if hasattr(dist, "choice"):
        return list(dist.choice)
    low, high = dist.bounds
    return [low, high]


def _first_message(exc: ValidationError) -> str:
    err = exc.errors()[0]
    ctx = err.get("ctx") or {}
    return str(ctx.get("error", err["msg"]))


def _sweep_value_problems(cls: type[BaseModel], scenario: Scenario) -> list[str]:
    """Problems a sweep would only meet at run time: wrong kinds, bad values, bad corners."""
    info = parameter_info(cls)
    base = {**scenario.parameters, **scenario.assumptions}
    problems: list[str] = []
    corners: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    for name, dist in scenario.sweep.parameters.items():
        if name not in info:
            continue  # reported as unknown already
        if info[name].kind == "int" and (hasattr(dist, "uniform") or hasattr(dist, "truncnorm")):
            problems.append(
                f"sweep.parameters.{name}: an integer parameter; use "
                f"{{integers: [low, high]}} or {{choice: [...]}}"
            )
            continue
        values = _sweep_values(dist)
        low, high = info[name].low, info[name].high
        if low is not None and any(
            isinstance(v, int | float) and not low <= v <= high for v in values
        ):
            continue  # out of range: reported by the range check
        bad = False
        for value in values:
            try:
                cls(**{**base, name: value})
            except ValidationError as exc:
                problems.append(
                    f"sweep.parameters.{name}: the value {value!r} is not allowed "
                    f"({_first_message(exc)})"
                )
                bad = True
        if not bad and info[name].kind != "choice":
            corners[0][name], corners[1][name] = min(values), max(values)
    if not problems:
        for label, corner in zip(("lowest", "highest"), corners, strict=True):
            try:
                cls(**{**base, **corner})
            except ValidationError as exc:
                problems.append(
                    f"sweep.parameters: with every range at its {label} value: "
                    f"{_first_message(exc)}"
                )
    return problems


def parse_scenario(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate already-loaded scenario data.

    Raises:
        ScenarioError: listing every problem found.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(
            source, ["the file must hold a mapping of fields (name, model, parameters, ...)"]
        )
    problems: list[str] = []
    try:
        scenario = Scenario(**data)
    except ValidationError as exc:
        problems += [_describe(e, _allowed_at(e["loc"])) for e in exc.errors()]
        # report the parameters' own problems too, so one pass shows everything
        model, params = data.get("model", "journey"), data.get("parameters")
        if (
            model in BUILTIN_MODELS
            and isinstance(params, dict)
            and "parameters" not in {e["loc"][0] for e in exc.errors()}
        ):
            problems += _parameter_problems(BUILTIN_MODELS[model], params)
        raise ScenarioError(source, problems) from None
    if scenario.model in BUILTIN_MODELS:
        cls = BUILTIN_MODELS[scenario.model]
        problems += _parameter_problems(cls, scenario.parameters)
        assumed = BUILTIN_ASSUMPTIONS.get(scenario.model)
        if assumed is not None:
            problems += _parameter_problems(assumed, scenario.assumptions, "assumptions")
        elif scenario.assumptions:
            problems.append(
                f"assumptions: the {scenario.model} model has no assumptions to set "
                "(remove the section)"
            )
        if scenario.sweep is not None:
            sweepable = SWEEPABLE[scenario.model]
            try:
                scenario.sweep.check_parameters(parameter_bounds(sweepable))
            except ValueError as exc:
                text = str(exc).removeprefix("sweep parameters: ")
                problems += [f"sweep.parameters: {part}" for part in text.split("; ")]
            problems += _sweep_value_problems(sweepable, scenario)
            if scenario.model == "journey":
                from sim.journey.measures import MEASURES

                known = list(MEASURES)
            else:
                from sim.team_assembly.model import TEAM_MEASURES

                known = list(TEAM_MEASURES)
            try:
                scenario.sweep.check_class_names(known)
            except ValueError as exc:
                problems.append(f"sweep.classes: {exc}")
            unknown = [o for o in (scenario.sweep.outcomes or []) if o not in known]
            if unknown:
                problems.append(
                    f"sweep.outcomes: unknown outcome(s) {', '.join(unknown)} "
                    f"(known: {', '.join(known)})"
                )
    elif ":" not in scenario.model:
        problems.append(
            f"model: unknown model {scenario.model!r} (allowed: {', '.join(BUILTIN_MODELS)}, "
            "or module:object for a foreign model)"
        )
    if problems:
        raise ScenarioError(source, problems)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file (YAML, loaded safely: no tags build objects).

    Raises:
        ScenarioError: naming the file, the field and what is allowed.
    """
    path = Path(path)
    source = str(path)
    if path.is_dir():
        raise ScenarioError(source, ["a folder, not a scenario file (give a .yaml file)"])
    if not path.is_file():
        raise ScenarioError(source, ["no such file"])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(source, [f"{where}not valid YAML ({problem})"]) from None
    except UnicodeDecodeError:
        raise ScenarioError(source, ["not a text file (expected UTF-8 YAML)"]) from None
    if isinstance(data, dict) and "name" not in data:
        data = {"name": path.stem, **data}
    scenario = parse_scenario(data, source)
    if scenario.sweep is not None:
        scenario = scenario.model_copy(update={"sweep": scenario.sweep.resolve_paths(path.parent)})
    return scenario


def scenario_schema() -> dict[str, Any]:
    """JSON Schema of a scenario file, with journey parameters spelled out."""
    schema = Scenario.model_json_schema()
    params = JourneyParameters.model_json_schema()
    schema["properties"]["parameters"] = {
        "description": "Parameter values (journey model shown; team_assembly takes "
        + ", ".join(TeamAssemblyParameters.model_fields)
        + ").",
        "type": "object",
        "properties": params["properties"],
        "additionalProperties": True,
    }
    schema["properties"]["assumptions"] = {
        "description": "Values of the journey model's assumptions (its mechanisms' constants).",
        "type": "object",
        "properties": JourneyAssumptions.model_json_schema()["properties"],
        "additionalProperties": False,
    }
    team = TeamAssemblyParameters.model_json_schema()["properties"]

    def closed(props: dict[str, Any]) -> dict[str, Any]:
        return {"properties": {"parameters": {"properties": props, "additionalProperties": False}}}

    # unknown parameter names are errors: the allowed set depends on the model
    schema["allOf"] = [
        {
            "if": {"properties": {"model": {"const": "team_assembly"}}, "required": ["model"]},
            "then": closed(team),
            "else": {
                "if": {"properties": {"model": {"pattern": ":"}}, "required": ["model"]},
                "then": {},
                "else": closed(params["properties"]),
            },
        }
    ]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "consortium-sim scenario"
    return schema
