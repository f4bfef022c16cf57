"""The run record: what one run reports, as tables, and the files it is written to.

A :class:`RunRecord` is built from a finished model and holds plain data only (dicts and
pandas tables), so it can be written, compared and shown without the model.
"""

from __future__ import annotations

import html
import json
import math
import platform
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.io.files import atomic_write_parquet, atomic_write_text, jsonable
from sim.journey.stages import JOURNEY_STAGES, STARTED_OUTCOMES, Stage

if TYPE_CHECKING:
    from sim.journey.model import JourneyModel
    from sim.team_assembly.model import TeamAssemblyModel

STAGE_KEYS = [s.name.lower() for s in JOURNEY_STAGES]
STAGE_TICK_COLUMNS = [f"{when}_{k}" for k in STAGE_KEYS for when in ("entered", "exited")]
EVENT_COLUMNS = [
    "tick",
    "initiative",
    "kind",
    "from_stage",
    "to_stage",
    "outcome",
    "reason",
    "organisation",
]
RUN_FILES = (
    "summary.json",
    "initiatives.parquet",
    "timeline.parquet",
    "events.parquet",
    "team_trust.parquet",
    "evidence.parquet",
    "report.html",
)
TEAM_TRUST_COLUMNS = ["tick", "initiative", "stage", "members", "team_trust"]
# one row per week, initiative and partner: its reasons to believe and to disbelieve and
# its confidence (the Beta mean of those reasons)
EVIDENCE_DTYPES = {
    "tick": "int64",
    "initiative": "int64",
    "organisation": "int64",
    "believe": "float64",
    "disbelieve": "float64",
    "confidence": "float64",
}
EVIDENCE_COLUMNS = list(EVIDENCE_DTYPES)


def empty_evidence() -> pd.DataFrame:
    """An evidence table with no rows, its columns typed."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in EVIDENCE_DTYPES.items()})


def evidence_table(rows: list[tuple]) -> pd.DataFrame:
    """The evidence table from rows as :func:`sim.journey.confidence.evidence_rows` gives.

    Each row: tick, initiative, organisation, believe, disbelieve, confidence.
    """
    if not rows:
        return empty_evidence()
    return pd.DataFrame(rows, columns=EVIDENCE_COLUMNS).astype(EVIDENCE_DTYPES)


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages a run depends on."""
    out = {"python": platform.python_version()}
    for name in ("consortium-sim", "mesa", "numpy", "pandas", "pyarrow", "SALib", "plotly"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover - only outside an install
            out[name] = "not installed"
    return out


# the outcomes a run is judged by first, in the order they are shown
HEADLINE_MEASURES = ("value_creation_share", "graceful_exit_share", "failed_share", "lapsed_share")


def _shown(value: object) -> str:
    """A value as a notebook shows it: floats to three significant digits, NaN as n/a."""
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:.3g}"
    return str(value)


@dataclass(repr=False)
class RunRecord:
    """Everything one run reports.

    ``outcome_shares`` and ``summary`` are computed from the others: read them like the
    other attributes (``record.summary``). In a notebook a record shows itself as a short
    table of its headline outcomes and its tables.

    Attributes:
        scenario: Scenario name.
        model: ``"journey"`` or ``"team_assembly"``.
        seed: The run's seed.
        params: Parameter values used.
        assumptions: Assumption values used (the mechanisms' constants; journey only).
        measures: Run measures at the end (see :mod:`sim.journey.measures`).
        initiatives: One row per initiative (per team in team assembly).
        timeline: One row per tick.
        events: Every stage transition and notable event.
        nodes: One row per organisation for the network view.
        edges: Collaboration ties (``source``, ``target``, ``weight``).
        evidence: Per week, initiative and partner: reasons to believe and to disbelieve
            and confidence (columns :data:`EVIDENCE_COLUMNS`; empty when not recorded).
    """

    scenario: str
    model: str
    seed: int
    params: dict[str, Any]
    measures: dict[str, float]
    initiatives: pd.DataFrame
    timeline: pd.DataFrame
    events: pd.DataFrame
    nodes: pd.DataFrame
    edges: pd.DataFrame
    elapsed_s: float = 0.0
    team_trust: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=TEAM_TRUST_COLUMNS)
    )
    versions: dict[str, str] = field(default_factory=package_versions)
    assumptions: dict[str, Any] = field(default_factory=dict)
    evidence: pd.DataFrame = field(default_factory=empty_evidence)

    @property
    def outcome_shares(self) -> dict[str, float]:
        """Share of started, ended initiatives per outcome."""
        return (
            {o.value: self.measures.get(f"{o.value}_share", float("nan")) for o in STARTED_OUTCOMES}
            if self.model == "journey"
            else {}
        )

    @property
    def weeks(self) -> int:
        """Weeks (ticks) simulated."""
        return max(len(self.timeline) - 1, 0)

    @property
    def summary(self) -> dict[str, Any]:
        """The run's summary: parameters, seed, versions, outcome shares and measures."""
        return {
            "scenario": self.scenario,
            "model": self.model,
            "seed": self.seed,
            "parameters": self.params,
            "assumptions": self.assumptions,
            "outcome_shares": self.outcome_shares,
            "measures": self.measures,
            "initiatives": len(self.initiatives),
            "elapsed_s": self.elapsed_s,
            "versions": self.versions,
        }

    def headline(self) -> dict[str, float]:
        """The measures a run is judged by first (those the run has), by name."""
        names = HEADLINE_MEASURES if self.model == "journey" else tuple(self.measures)[:4]
        return {n: self.measures[n] for n in names if n in self.measures}

    def __repr__(self) -> str:
        headline = ", ".join(f"{k}={_shown(v)}" for k, v in self.headline().items())
        return (
            f"RunRecord(scenario={self.scenario!r}, model={self.model!r}, seed={self.seed}, "
            f"weeks={self.weeks}, initiatives={len(self.initiatives)}"
            + (f", {headline}" if headline else "")
            + ")"
        )

    def _repr_html_(self) -> str:
        """A notebook's view: headline outcomes, the tables and (folded) the parameters."""

        def rows(pairs: Any) -> str:
            return "".join(
                f"<tr><td style='text-align:left'>{html.escape(str(k))}</td>"
                f"<td style='text-align:right'>{html.escape(_shown(v))}</td></tr>"
                for k, v in pairs
            )

        tables = [
            (name, f"{len(t)} rows × {len(t.columns)} columns")
            for name, t in (
                ("initiatives", self.initiatives),
                ("timeline", self.timeline),
                ("events", self.events),
                ("team_trust", self.team_trust),
            )
        ]
        return (
            "<div class='consim-run-record'>"
            f"<strong>Run {html.escape(self.scenario)}</strong> · model {html.escape(self.model)}"
            f" · seed {self.seed} · {self.weeks} weeks · {len(self.initiatives)} initiatives"
            "<table><thead><tr><th style='text-align:left'>headline</th><th>value</th></tr>"
            f"</thead><tbody>{rows(self.headline().items())}</tbody></table>"
            "<table><thead><tr><th style='text-align:left'>table</th><th>size</th></tr>"
            f"</thead><tbody>{rows(tables)}</tbody></table>"
            f"<details><summary>{len(self.measures)} measures</summary>"
            f"<table><tbody>{rows(self.measures.items())}</tbody></table></details>"
            f"<details><summary>{len(self.params)} parameters</summary>"
            f"<table><tbody>{rows(sorted(self.params.items()))}</tbody></table></details>"
            "</div>"
        )

    def write(self, out_dir: str | Path, report_html: str | None = None) -> dict[str, Path]:
        """Write the run's files into ``out_dir`` (each file written whole, then moved).

        Args:
            out_dir: Folder to write into (created if missing).
            report_html: The run report's page (:func:`sim.runs.save` draws it), written
                as ``report.html`` when given.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        names = RUN_FILES if report_html is not None else RUN_FILES[:-1]
        paths = {name: out / name for name in names}
        atomic_write_text(paths["summary.json"], json.dumps(jsonable(self.summary), indent=2))
        for name, table in (
            ("initiatives.parquet", self.initiatives),
            ("timeline.parquet", self.timeline),
            ("events.parquet", self.events),
            ("team_trust.parquet", self.team_trust),
            ("evidence.parquet", self.evidence),
        ):
            atomic_write_parquet(paths[name], table)
        if report_html is not None:
            atomic_write_text(paths["report.html"], report_html)
        return paths


# --- journey ---------------------------------------------------------------


def initiatives_table(model: JourneyModel) -> pd.DataFrame:
    """One row per initiative: id, kind, members, champion, outcome, reason, stage ticks."""
    rows = []
    for ini in model.initiatives:
        row: dict[str, Any] = {
            "id": ini.id,
            "name": ini.name,
            "kind": ini.kind.value,
            "members": [int(m) for m in ini.ever_members],
            "size": len(ini.ever_members),
            "champion": ini.champion,
            "parent": ini.parent,
            "form": ini.form.value if ini.form else None,
            "stage": ini.stage.name.lower(),
            "outcome": ini.outcome.value if ini.outcome else None,
            "reason": ini.reason or None,
            "value": ini.value,
            "delivered": ini.delivered,
            "learning": ini.learning,
            "relational": ini.relational,
            "setup_cost": float(model.table.setup_cost[ini.id]),
            "turn_backs": ini.turn_backs,
            "intent_changes": ini.intent_changes,
            "potential": ini.potential,
            "viability": ini.viability,
            "resources_committed": float(model.table.committed[ini.id]),
            "stuck_in_storming": ini.stuck_in_storming,
        }
        for key in STAGE_KEYS:
            row[f"entered_{key}"] = ini.entered.get(key)
            row[f"exited_{key}"] = ini.exited.get(key)
        # the move to ENDED stamps the exit of the last stage it left
        row["ended_tick"] = max(ini.exited.values()) if ini.stage is Stage.ENDED else None
        row["outcome_tick"] = ini.outcome_tick if ini.outcome is not None else None
        rows.append(row)
    columns = [
        "id",
        "name",
        "kind",
        "members",
        "size",
        "champion",
        "parent",
        "form",
        "stage",
        "outcome",
        "reason",
        "value",
        "delivered",
        "learning",
        "relational",
        "setup_cost",
        "turn_backs",
        "intent_changes",
        "potential",
        "viability",
        "resources_committed",
        "stuck_in_storming",
        *STAGE_TICK_COLUMNS,
        "ended_tick",
        "outcome_tick",
    ]
    df = pd.DataFrame(rows, columns=columns)
    for col in [*STAGE_TICK_COLUMNS, "ended_tick", "outcome_tick"]:
        df[col] = df[col].astype("Int64")
    return df


def events_table(model: JourneyModel) -> pd.DataFrame:
    """Every logged event, in order."""
    cols = EVENT_COLUMNS
    return pd.DataFrame(
        [
            (
                e.tick,
                e.initiative,
                e.kind,
                e.from_stage,
                e.to_stage,
                e.outcome,
                e.reason,
                e.organisation,
            )
            for e in model.events
        ],
        columns=cols,
    ).astype({"tick": "int64", "initiative": "int64", "organisation": "int64"})


def network_tables(model: JourneyModel) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Organisations (with the outcome of their last initiative) and collaboration ties."""
    last_outcome = ["never collaborated"] * model.n
    for ini in model.initiatives:
        if "cohering" in ini.entered:
            label = ini.outcome.value if ini.outcome else "in progress"
            for m in ini.ever_members:
                last_outcome[m] = label
    stages = model.org_stages()
    nodes = pd.DataFrame(
        {
            "id": np.arange(model.n),
            "stage": [Stage(int(s)).name.lower() for s in stages],
            "alliance": model.alliance,
            "last_outcome": last_outcome,
            "self_interest": model.self_interest,
        }
    )
    src, dst, weight = model.network.collaborations()
    upper = src < dst
    edges = pd.DataFrame(
        {"source": src[upper], "target": dst[upper], "weight": weight[upper].astype(np.int64)}
    )
    return nodes, edges


def team_trust_rows(model: JourneyModel) -> list[tuple]:
    """Mean trust between the members of every working initiative, at this tick."""
    rows = []
    for ini in model.initiatives:
        if Stage.COHERING <= ini.stage <= Stage.JOURNEYING and len(ini.members) >= 2:
            team = np.asarray(ini.members)
            t = model.trust.of(team[:, None], team[None, :])
            m = len(team)
            value = float((t.sum() - np.trace(t)) / (m * (m - 1)))
            rows.append((model.tick, ini.id, ini.stage.name.lower(), m, value))
    return rows


def journey_record(
    model: JourneyModel,
    timeline: pd.DataFrame,
    scenario: str,
    seed: int,
    elapsed_s: float,
    team_trust: list[tuple] | None = None,
) -> RunRecord:
    """Build the run record of a finished journey model.

    Args:
        model: The finished model.
        timeline: One row per tick.
        scenario: Scenario name.
        seed: The run's seed.
        elapsed_s: Wall time of the run.
        team_trust: Rows from :func:`team_trust_rows`, collected every tick.
    """
    from sim.journey.measures import measure_all

    nodes, edges = network_tables(model)
    return RunRecord(
        scenario=scenario,
        model="journey",
        seed=seed,
        params=model.params.model_dump(),
        assumptions=model.assumptions.model_dump(),
        measures=measure_all(model),
        initiatives=initiatives_table(model),
        timeline=timeline,
        events=events_table(model),
        nodes=nodes,
        edges=edges,
        elapsed_s=elapsed_s,
        team_trust=pd.DataFrame(team_trust or [], columns=TEAM_TRUST_COLUMNS).astype(
            {"tick": "int64", "initiative": "int64", "members": "int64", "team_trust": "float64"}
        ),
    )


# --- team assembly ----------------------------------------------------------


def team_assembly_record(
    model: TeamAssemblyModel, timeline: pd.DataFrame, scenario: str, seed: int, elapsed_s: float
) -> RunRecord:
    """Build the run record of a finished team-assembly model (one row per team)."""
    from sim.team_assembly.model import TEAM_MEASURES

    teams = pd.DataFrame(
        {
            "id": np.arange(len(model.teams)),
            "kind": "team",
            "members": [[int(a) for a in t] for t in model.teams],
            "size": [len(t) for t in model.teams],
            "tick": np.arange(1, len(model.teams) + 1),
        }
    )
    idx = np.flatnonzero(model.active)
    adj = model.adjacency()
    src, dst = np.nonzero(np.triu(adj))
    nodes = pd.DataFrame({"id": idx, "stage": "active", "alliance": -1, "last_outcome": "active"})
    edges = pd.DataFrame({"source": idx[src], "target": idx[dst], "weight": 1})
    events = pd.DataFrame(columns=EVENT_COLUMNS)
    return RunRecord(
        scenario=scenario,
        model="team_assembly",
        seed=seed,
        params=model.params.model_dump(),
        measures={k: float(f(model)) for k, f in TEAM_MEASURES.items()},
        initiatives=teams,
        timeline=timeline,
        events=events,
        nodes=nodes,
        edges=edges,
        elapsed_s=elapsed_s,
    )
