"""The single-run report, one self-contained HTML page.

It shows stage counts over time, the flow of initiatives (Sankey), trust over time, and
the collaboration network at the end coloured by outcome.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.journey.measures import MEASURES
from sim.journey.stages import JOURNEY_STAGES, Outcome
from sim.report.kit import figure_html, page, section, table_html

if TYPE_CHECKING:
    from sim.io.records import RunRecord

STAGE_COLOURS = {
    "idle": "#cbd2d9",
    "latent_value": "#f7c948",
    "exploring": "#f0b429",
    "cohering": "#de911d",
    "establishing": "#8bb8e8",
    "journeying": "#2680c2",
    "value_creation": "#3ebd93",
    "meta_organisation": "#0c6b58",
}
OUTCOME_COLOURS = {
    "achieved": "#199473",
    "evolved": "#65d6ad",
    "graceful_exit": "#8bb8e8",
    "drifted_apart": "#f0b429",
    "lapsed": "#e4e7eb",
    "stalled": "#bcccdc",
    "failed": "#d64545",
    "in progress": "#9aa5b1",
    "never collaborated": "#e4e7eb",
    "active": "#2680c2",
}


def stage_figure(record: RunRecord) -> go.Figure:
    """Organisations per stage over time (stacked)."""
    tl = record.timeline
    fig = go.Figure()
    for key, colour in STAGE_COLOURS.items():
        col = f"orgs_{key}"
        if col in tl:
            fig.add_trace(
                go.Scatter(
                    x=tl["tick"],
                    y=tl[col],
                    name=key.replace("_", " "),
                    stackgroup="one",
                    line={"width": 0.5, "color": colour},
                )
            )
    fig.update_layout(xaxis_title="week", yaxis_title="organisations", height=380)
    return fig


def sankey_figure(record: RunRecord) -> go.Figure:
    """Initiatives flowing through the stages to their outcomes."""
    ini = record.initiatives
    stages = [s.name.lower() for s in JOURNEY_STAGES]
    outcomes = [o.value for o in Outcome] + ["in progress"]
    labels = [s.replace("_", " ") for s in stages] + [f"→ {o.replace('_', ' ')}" for o in outcomes]
    index = {s: k for k, s in enumerate(stages)} | {
        f"out:{o}": len(stages) + k for k, o in enumerate(outcomes)
    }
    flows: Counter[tuple[int, int]] = Counter()
    for _, row in ini.iterrows():
        reached = [s for s in stages if not pd.isna(row.get(f"entered_{s}"))]
        flows.update((index[a], index[b]) for a, b in pairwise(reached))
        last = reached[-1] if reached else stages[0]
        outcome = row["outcome"] if isinstance(row["outcome"], str) else "in progress"
        # an alliance's outcome was settled when it created value
        source = "value_creation" if last == "meta_organisation" else last
        flows[(index[source], index[f"out:{outcome}"])] += 1
    src, dst, val = (
        zip(*[(a, b, v) for (a, b), v in flows.items()], strict=True) if flows else ((), (), ())
    )
    colours = [STAGE_COLOURS[s] for s in stages] + [
        OUTCOME_COLOURS.get(o, "#9aa5b1") for o in outcomes
    ]
    fig = go.Figure(
        go.Sankey(
            node={"label": labels, "color": colours, "pad": 14},
            link={"source": list(src), "target": list(dst), "value": list(val)},
        )
    )
    fig.update_layout(height=420)
    return fig


def trust_figure(record: RunRecord) -> go.Figure:
    """Mean trust (and its spread) over pairs that know each other, per week."""
    tl = record.timeline
    fig = go.Figure()
    if "mean_trust" in tl:
        fig.add_trace(go.Scatter(x=tl["tick"], y=tl["mean_trust"], name="mean trust"))
        if "trust_sd" in tl:
            fig.add_trace(
                go.Scatter(
                    x=tl["tick"],
                    y=tl["mean_trust"] + tl["trust_sd"],
                    name="+1 sd",
                    line={"dash": "dot", "width": 1},
                )
            )
            fig.add_trace(
                go.Scatter(
                    x=tl["tick"],
                    y=tl["mean_trust"] - tl["trust_sd"],
                    name="-1 sd",
                    line={"dash": "dot", "width": 1},
                )
            )
    elif "giant_component_share" in tl:
        fig.add_trace(
            go.Scatter(x=tl["tick"], y=tl["giant_component_share"], name="giant component")
        )
    fig.update_layout(xaxis_title="week", yaxis_title="trust", yaxis_range=[0, 1], height=340)
    return fig


def network_figure(record: RunRecord) -> go.Figure:
    """The collaboration network at the end, organisations coloured by their last outcome."""
    nodes, edges = record.nodes, record.edges
    g = nx.Graph()
    g.add_nodes_from(nodes["id"].tolist())
    g.add_weighted_edges_from(edges[["source", "target", "weight"]].itertuples(index=False))
    pos = nx.spring_layout(g, seed=record.seed % (2**32), k=1.5 / max(1, np.sqrt(len(g))))
    ex, ey = [], []
    for a, b in g.edges():
        ex += [pos[a][0], pos[b][0], None]
        ey += [pos[a][1], pos[b][1], None]
    fig = go.Figure(
        go.Scatter(
            x=ex,
            y=ey,
            mode="lines",
            line={"width": 0.5, "color": "#bcccdc"},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    for outcome, group in nodes.groupby("last_outcome"):
        fig.add_trace(
            go.Scatter(
                x=[pos[i][0] for i in group["id"]],
                y=[pos[i][1] for i in group["id"]],
                mode="markers",
                name=str(outcome).replace("_", " "),
                marker={
                    "size": 9,
                    "color": OUTCOME_COLOURS.get(str(outcome), "#9aa5b1"),
                    "line": {"width": 0.5},
                },
                text=[f"organisation {i}" for i in group["id"]],
            )
        )
    fig.update_layout(
        height=520, xaxis={"visible": False}, yaxis={"visible": False}, legend_title="last outcome"
    )
    return fig


def team_figure(record: RunRecord) -> go.Figure:
    """Giant-component share and active agents per tick (team assembly)."""
    tl = record.timeline
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=tl["tick"], y=tl["giant_component_share"], name="giant component share")
    )
    fig.add_trace(go.Scatter(x=tl["tick"], y=tl["repeat_tie_share"], name="repeat-tie share"))
    fig.update_layout(xaxis_title="tick", yaxis_range=[0, 1], height=340)
    return fig


def run_report_html(record: RunRecord) -> str:
    """The whole single-run report as one self-contained HTML page."""
    shares = record.outcome_shares()
    measures = [
        (name, value, MEASURES[name].doc if name in MEASURES else "")
        for name, value in record.measures.items()
    ]
    summary = (
        table_html(
            [(o.replace("_", " "), v) for o, v in shares.items()],
            ["outcome", "share of started initiatives"],
        )
        if shares
        else ""
    )
    top = section(
        "summary", "Summary", summary + table_html(measures, ["measure", "value", "meaning"])
    )
    provenance = section(
        "parameters",
        "Parameters and provenance",
        table_html(sorted(record.params.items()), ["parameter", "value"])
        + table_html(sorted(record.versions.items()), ["package", "version"]),
    )
    network = section(
        "network",
        "Collaboration network at the end",
        figure_html(network_figure(record), "fig-network"),
    )
    if record.model == "team_assembly":
        sections = [
            top,
            section(
                "teams", "Team assembly over time", figure_html(team_figure(record), "fig-teams")
            ),
            network,
            provenance,
        ]
        return page(
            f"Run report: {record.scenario}", f"team assembly · seed {record.seed}", sections
        )
    sections = [
        top,
        section(
            "stages",
            "Organisations per stage over time",
            figure_html(stage_figure(record), "fig-stages"),
        ),
        section(
            "flow",
            "Flow of initiatives through the stages",
            figure_html(sankey_figure(record), "fig-sankey"),
        ),
        section("trust", "Trust over time", figure_html(trust_figure(record), "fig-trust")),
        network,
        provenance,
    ]
    stage_names = ", ".join(s.label for s in JOURNEY_STAGES)
    subtitle = (
        f"scenario {record.scenario} · model {record.model} · seed {record.seed} · "
        f"{len(record.timeline) - 1} weeks · stages: {stage_names}"
    )
    return page(f"Run report: {record.scenario}", subtitle, sections)
