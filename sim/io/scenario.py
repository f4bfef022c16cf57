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

Files are read defensively: at most :data:`MAX_FILE_BYTES`, nested at most
:data:`MAX_DEPTH` deep, with at most :data:`MAX_ALIASES` aliases that expand to at most
:data:`MAX_VALUES` values; keys are names (text) and given once. A value is never
echoed whole in a message.

A scenario naming a Python model (``model: package.module:object``) makes the sweep
import and run that code: such a file is code, to be trusted as code is.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import typing
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator

from sim.engine.design import check_size, design_size
from sim.engine.spec import MODEL_REF, SweepSpec
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
# the parameters whose sum is a built-in model's longest run, in weeks (ticks)
RUN_WEEKS: dict[str, tuple[str, ...]] = {
    "journey": ("steps", "completion_weeks"),
    "team_assembly": ("steps",),
}
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_ALIASES = 100
MAX_VALUES = 100_000
SHOWN_CHARS = 60
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


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
    seed: Annotated[StrictInt, Field(ge=0)] = Field(
        0, description="Seed of a single run; root seed of a sweep."
    )
    steps: Annotated[StrictInt, Field(ge=1)] | None = Field(
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

    @field_validator("model")
    @classmethod
    def _model_name(cls, model: str) -> str:
        if ":" in model and not MODEL_REF.match(model):
            raise ValueError(
                f"model must be journey, team_assembly or an absolute "
                f"'package.module:object' reference, got {_shown(model)}"
            )
        return model

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


def _shown(value: Any) -> str:
    """A value as it may appear in a message: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 5] + " ...)"


def _describe(err: dict[str, Any], allowed: list[str]) -> str:
    """One readable line for a pydantic error."""
    where = _loc(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        name = str(err["loc"][-1])
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{where}: unknown field{hint} (allowed: {', '.join(allowed)})"
    got = _shown(err.get("input"))
    ctx = err.get("ctx") or {}
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{where}: {err['msg'].lower()} (got {got}){_range_hint(err['loc'])}"
    if kind == "model_type":
        return f"{where}: expected a mapping of {', '.join(allowed)} (got {got})"
    if kind == "literal_error":
        return f"{where}: must be one of {ctx.get('expected')} (got {got})"
    if kind == "value_error":
        return f"{where or 'file'}: {ctx.get('error', err['msg'])!s}"
    return f"{where}: {err['msg']} (got {got})"


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
    info = parameter_info(cls)
    flagged = [k for k, v in values.items() if isinstance(v, bool) and k in info]
    problems = [
        f"{section}.{name}: expected {_expected(info[name])}, got true/false" for name in flagged
    ]
    try:
        cls(**{k: v for k, v in values.items() if k not in flagged})
    except ValidationError as exc:
        names = list(cls.model_fields)
        problems += [
            _describe({**error, "loc": (section, *error["loc"])}, names) for error in exc.errors()
        ]
    return problems


def _expected(info: Any) -> str:
    """What a parameter takes, in words."""
    if info.kind == "choice":
        return "one of " + ", ".join(info.choices)
    what = "a whole number" if info.kind == "int" else "a number"
    return what if info.low is None else f"{what} in [{info.low:g}, {info.high:g}]"


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


def _allowed_for(err: dict[str, Any]) -> list[str]:
    """The field names an error's message lists: of the mapping it is in, or it should be."""
    loc = err["loc"]
    return _allowed_at((*loc, "") if err["type"] == "model_type" else loc)


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
        problems += [_describe(e, _allowed_for(e)) for e in exc.errors()]
        # report the parameters' own problems too, so one pass shows everything
        model, params = data.get("model", "journey"), data.get("parameters")
        if (
            isinstance(model, str)
            and model in BUILTIN_MODELS
            and isinstance(params, dict)
            and "parameters" not in {e["loc"][0] for e in exc.errors()}
        ):
            problems += _parameter_problems(BUILTIN_MODELS[model], params)
        raise ScenarioError(source, problems) from None
    if scenario.sweep is not None:
        try:
            check_size(scenario.sweep)
        except ValueError as exc:
            problems.append(f"sweep.{exc}")
    if scenario.model in BUILTIN_MODELS:
        cls = BUILTIN_MODELS[scenario.model]
        base_problems = _parameter_problems(cls, scenario.parameters)
        assumed = BUILTIN_ASSUMPTIONS.get(scenario.model)
        if assumed is not None:
            base_problems += _parameter_problems(assumed, scenario.assumptions, "assumptions")
        elif scenario.assumptions:
            base_problems.append(
                f"assumptions: the {scenario.model} model has no assumptions to set "
                "(remove the section)"
            )
        problems += base_problems
        if scenario.sweep is not None:
            sweepable = SWEEPABLE[scenario.model]
            try:
                scenario.sweep.check_parameters(parameter_bounds(sweepable))
            except ValueError as exc:
                text = str(exc).removeprefix("sweep parameters: ")
                problems += [f"sweep.parameters: {part}" for part in text.split("; ")]
            if not base_problems:  # with a bad base value, blame the base, not the sweep
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
            for field, names in (
                ("outcomes", scenario.sweep.outcomes or []),
                ("timeseries.outcomes", getattr(scenario.sweep.timeseries, "outcomes", [])),
            ):
                unknown = [o for o in names if o not in known]
                if unknown:
                    problems.append(
                        f"sweep.{field}: unknown outcome(s) {', '.join(unknown)} "
                        f"(known: {', '.join(known)})"
                    )
            if not problems:
                problems += _series_problems(scenario)
    elif ":" not in scenario.model:
        problems.append(
            f"model: unknown model {scenario.model!r} (allowed: {', '.join(BUILTIN_MODELS)}, "
            "or module:object for a foreign model)"
        )
    elif scenario.sweep is not None:
        problems += _series_problems(scenario)
    if problems:
        raise ScenarioError(source, problems)
    return scenario


def series_weeks(scenario: Scenario) -> int | None:
    """The longest run of a scenario's sweep, in weeks; None when the file cannot tell.

    For a built-in model that is its length parameters at their sweep's highest values
    (``steps`` plus ``completion_weeks`` for the journey model); for another model the
    sweep's ``timeseries.weeks``, else the scenario's ``steps``.
    """
    sweep = scenario.sweep
    given = sweep.timeseries.weeks if sweep and sweep.timeseries else None
    if not scenario.is_builtin:
        return given if given is not None else scenario.steps
    base = scenario.params().model_dump()
    varied = sweep.parameters if sweep else {}
    return sum(
        int(max(_sweep_values(varied[name]))) if name in varied else int(base[name])
        for name in RUN_WEEKS[scenario.model]
    )


def _series_problems(scenario: Scenario) -> list[str]:
    """Problems with a sweep's per-week outcomes: their length and their size."""
    asked = scenario.sweep.timeseries
    if asked is None:
        return []
    weeks = series_weeks(scenario)
    if scenario.is_builtin and asked.weeks is not None:
        return [
            f"sweep.timeseries.weeks: the {scenario.model} model's runs last at most {weeks:,} "
            f"weeks (from {' + '.join(RUN_WEEKS[scenario.model])}); leave weeks out"
        ]
    if weeks is None:
        return [
            "sweep.timeseries.weeks: missing; give the longest run in weeks (or the "
            "scenario's steps, for a Mesa model), so the sweep can bound what it stores"
        ]
    points = design_size(scenario.sweep)
    if points is None:  # a design file: counted when it is read
        return []
    try:
        asked.check_size(points * scenario.sweep.replicates, weeks)
    except ValueError as exc:
        return [f"sweep.timeseries: {exc}"]
    return []


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file (YAML, loaded safely: no tags build objects).

    Raises:
        ScenarioError: naming the file, the field and what is allowed.
    """
    path = Path(path)
    source = str(path)
    data = read_yaml(path)
    if isinstance(data, dict) and "name" not in data:
        data = {"name": path.stem, **data}
    scenario = parse_scenario(data, source)
    if scenario.sweep is not None:
        scenario = scenario.model_copy(update={"sweep": scenario.sweep.resolve_paths(path.parent)})
    return scenario


def read_yaml(path: Path) -> Any:
    """Read a YAML file within the limits of this module (see its docstring).

    Raises:
        ScenarioError: For a missing, unreadable, oversized or malformed file, naming the
            line or the field.
    """
    source = str(path)
    if path.is_dir():
        raise ScenarioError(source, ["a folder, not a scenario file (give a .yaml file)"])
    if not path.is_file():
        raise ScenarioError(source, ["no such file"])
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(
                source,
                [f"the file is {size:,} bytes; a scenario file has at most {MAX_FILE_BYTES:,}"],
            )
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(source, ["not a text file (expected UTF-8 YAML)"]) from None
    except OSError as exc:
        raise ScenarioError(source, [f"cannot be read ({exc.strerror or exc})"]) from None
    try:
        _check_events(text, source)
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _check_graph(node, source)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(source, [f"{where}not valid YAML ({problem})"]) from None
    except (RecursionError, MemoryError):
        raise ScenarioError(source, ["the file is too large or too deeply nested"]) from None


def _check_events(text: str, source: str) -> None:
    """Bound nesting and aliases from the event stream, before anything is built."""
    depth = aliases = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1
                raise ScenarioError(
                    source, [f"line {line}: nested more than {MAX_DEPTH} levels deep"]
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                line = event.start_mark.line + 1
                raise ScenarioError(
                    source, [f"line {line}: more than {MAX_ALIASES} aliases (*name)"]
                )


def _check_graph(root: yaml.Node, source: str) -> None:
    """Bound what aliases expand to; keys must be names, each given once."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        if depth > MAX_DEPTH:
            raise ScenarioError(
                source, [f"aliases expand to values nested more than {MAX_DEPTH} levels deep"]
            )
        sizes[id(node)] = MAX_VALUES + 1  # an alias to itself expands without end
        if isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(item, depth + 1) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        else:
            total = 1
        sizes[id(node)] = min(total, MAX_VALUES + 1)
        return sizes[id(node)]

    if size(root, 0) > MAX_VALUES:
        raise ScenarioError(
            source, [f"aliases expand to more than {MAX_VALUES:,} values (an alias bomb?)"]
        )
    _check_keys(root, (), source, set())


def _check_keys(node: yaml.Node, where: tuple[str, ...], source: str, seen: set[int]) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_keys(item, (*where, str(i)), source, seen)
        return
    if not isinstance(node, yaml.MappingNode):
        return
    names: set[str] = set()
    for key, value in node.value:
        if key.tag == _MERGE_TAG:
            continue
        field = ".".join(where) or "file"
        line = key.start_mark.line + 1
        if key.tag != _STR_TAG or not isinstance(key.value, str):
            raise ScenarioError(
                source,
                [
                    f"{field}: line {line}: the key {str(key.value)[:SHOWN_CHARS]} is not a name; "
                    "keys are text (quote it)"
                ],
            )
        if key.value in names:
            raise ScenarioError(
                source, [f"{'.'.join((*where, key.value))}: line {line}: given twice"]
            )
        names.add(key.value)
        _check_keys(value, (*where, key.value), source, seen)


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
