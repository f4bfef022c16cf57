"""How model parameters are declared and described: meaning, unit, range, default, once.

Each model declares its parameters with :func:`declare` in a pydantic class of its own
(:class:`sim.journey.parameters.JourneyParameters`,
:class:`sim.team_assembly.parameters.TeamAssemblyParameters`). The scenario loader, the CLI
(``--set``), the sweep checks, the app's sliders and the documentation all read those
definitions through :func:`parameter_info`; nothing copies them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field


def declare(
    default: Any,
    low: float | None,
    high: float | None,
    unit: str,
    doc: str,
    source: str = "",
) -> Any:
    """Declare a parameter field with its range, unit, meaning and (optionally) source."""
    extra = {"unit": unit, "source": source} if source else {"unit": unit}
    kwargs: dict[str, Any] = {"description": doc, "json_schema_extra": extra}
    if low is not None:
        kwargs["ge"] = low
    if high is not None:
        kwargs["le"] = high
    return Field(default, **kwargs)


def refuse_booleans(data: Any) -> Any:
    """Refuse true/false (or yes/no in YAML) where a number is expected."""
    if isinstance(data, dict):
        flagged = sorted(k for k, v in data.items() if isinstance(v, bool))
        if flagged:
            msg = f"{', '.join(flagged)}: expected a number, got true/false"
            raise ValueError(msg)
    return data


def with_overrides[P: BaseModel](cls: type[P], params: P | None, overrides: dict[str, Any]) -> P:
    """``params`` (or the defaults) with ``overrides`` applied, validated again."""
    base = params.model_dump() if params is not None else {}
    return cls(**{**base, **overrides}) if overrides or params is None else params


@dataclass(frozen=True)
class ParameterInfo:
    """Documentation of one parameter, read off the parameter class."""

    name: str
    default: Any
    low: float | None
    high: float | None
    unit: str
    doc: str
    kind: str  # "float", "int" or "choice"
    choices: tuple[str, ...] = ()
    source: str = ""  # a citation, or "modelling choice"


def parameter_info(cls: type[BaseModel]) -> dict[str, ParameterInfo]:
    """Name, default, range, unit and meaning of every parameter of ``cls``."""
    schema = cls.model_json_schema()["properties"]
    out: dict[str, ParameterInfo] = {}
    for name, field in cls.model_fields.items():
        prop = schema[name]
        if "enum" in prop:
            kind, choices = "choice", tuple(prop["enum"])
        else:
            kind, choices = ("int" if prop.get("type") == "integer" else "float"), ()
        out[name] = ParameterInfo(
            name=name,
            default=field.default,
            low=prop.get("minimum"),
            high=prop.get("maximum"),
            unit=prop.get("unit", ""),
            doc=field.description or "",
            kind=kind,
            choices=choices,
            source=prop.get("source", ""),
        )
    return out


def parameter_bounds(cls: type[BaseModel]) -> dict[str, tuple | None]:
    """Allowed (low, high) per numeric parameter; ``None`` for choice parameters."""
    return {
        n: (None if i.kind == "choice" else (i.low, i.high)) for n, i in parameter_info(cls).items()
    }
