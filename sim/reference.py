"""The parameter and measure reference (docs/reference.md), rendered from the code.

``python -m sim.reference > docs/reference.md`` regenerates it; a test checks that the
committed file matches, so the documentation cannot drift from the definitions.
"""

from __future__ import annotations

from sim.journey.assumptions import JourneyAssumptions
from sim.journey.measures import MEASURES
from sim.journey.parameters import JourneyParameters
from sim.parameters import parameter_info
from sim.team_assembly.model import TEAM_MEASURES
from sim.team_assembly.parameters import TeamAssemblyParameters


def _range(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return ""
    return f"[{low:g}, {high:g}]"


def parameter_table(cls: type = JourneyParameters) -> str:
    """Markdown table of a parameter class."""
    rows = ["| name | default | range | unit | meaning |", "|---|---|---|---|---|"]
    for info in parameter_info(cls).values():
        allowed = " / ".join(info.choices) if info.choices else _range(info.low, info.high)
        rows.append(f"| `{info.name}` | {info.default} | {allowed} | {info.unit} | {info.doc} |")
    return "\n".join(rows)


def assumption_table() -> str:
    """Markdown table of the journey model's assumptions, with their sources."""
    rows = ["| name | default | range | unit | meaning | source |", "|---|---|---|---|---|---|"]
    for info in parameter_info(JourneyAssumptions).values():
        allowed = _range(info.low, info.high)
        rows.append(
            f"| `{info.name}` | {info.default} | {allowed} | {info.unit} | {info.doc} | "
            f"{info.source} |"
        )
    return "\n".join(rows)


def measure_table() -> str:
    """Markdown table of the journey model's run measures."""
    rows = ["| name | unit | meaning | collected |", "|---|---|---|---|"]
    rows += [
        f"| `{m.name}` | {m.unit} | {m.doc} | {'every week' if m.weekly else 'at the end'} |"
        for m in MEASURES.values()
    ]
    return "\n".join(rows)


def render() -> str:
    """The whole reference page."""
    team = "\n".join(f"| `{n}` | {f.__doc__.strip()} |" for n, f in TEAM_MEASURES.items())
    return f"""# Reference

Generated from the code by `python -m sim.reference`; do not edit by hand.

## Journey model parameters (`model: journey`)

{parameter_table(JourneyParameters)}

## Journey model assumptions (`assumptions:` in a scenario file)

The constants inside the mechanisms. Each can be set in a scenario's `assumptions:`
section, with `--set`, or varied by a sweep like a parameter. "Modelling choice" marks a
value that is this model's own rather than taken from a source.

{assumption_table()}

## Team-assembly parameters (`model: team_assembly`)

{parameter_table(TeamAssemblyParameters)}

## Run measures (journey)

Outcome shares are over started initiatives that have ended (a champion acted);
opportunities nobody acted on end `lapsed` and are counted in `lapsed_share`. A measure
with nothing to measure is NaN (n/a), never zero. Measures collected "every week" are in
a run's timeline too; the pattern measures, which put a run beside published figures
(`targets/published.yaml`), describe the run as a whole and are computed at its end.

{measure_table()}

## Run measures (team assembly)

| name | meaning |
|---|---|
{team}
"""


if __name__ == "__main__":
    print(render(), end="")
