"""The single-run report, one self-contained HTML page.

It shows stage counts over time, the flow of initiatives (Sankey), the time from starting
to each outcome (cumulative incidence, with those still under way counted as censored),
trust over time, partners' confidence in each initiative over time, and the collaboration
network at the end, organisations grouped by their last initiative and coloured by its
outcome, with the parameters, package versions and source commit.
"""

from __future__ import annotations

import functools
import math
import subprocess
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.analysis.survival import CompetingRisks, competing_risks
from sim.io.records import EVIDENCE_COLUMNS
from sim.journey.measures import MEASURES
from sim.journey.stages import JOURNEY_STAGES, STARTED_OUTCOMES
from sim.report import kit

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
    "lapsed": "#c8c1b4",
    "stalled": "#9fb3c8",
    "failed": "#d64545",
    "in progress": "#9aa5b1",
    "never collaborated": "#e4e7eb",
    "active": "#2680c2",
}
# One name per outcome, used by the summary table and the Sankey alike.
OUTCOME_NAMES = {
    "achieved": "achieved",
    "evolved": "evolved",
    "graceful_exit": "graceful exit",
    "drifted_apart": "drifted apart",
    "lapsed": "lapsed (nobody acted)",
    "stalled": "stalled while exploring",
    "failed": "failed",
    "in progress": "still under way",
}
# Trust is neither good nor bad news in itself: its line and band are drawn in greys.
TRUST_LINE = "#334e68"
TRUST_BAND = "rgba(130, 154, 177, 0.28)"
GRID = "#e4e7eb"
MARGIN = {"t": 24, "b": 44, "l": 56, "r": 16}  # no blank band above a figure
LEGEND_ABOVE = {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "xanchor": "left"}


def _compact(fig: go.Figure, height: int, top: int = MARGIN["t"]) -> go.Figure:
    """Tight margins and a white background (no wasted space around the plot)."""
    fig.update_layout(
        height=height, margin={**MARGIN, "t": top}, plot_bgcolor="white", paper_bgcolor="white"
    )
    fig.update_xaxes(gridcolor=GRID, zerolinecolor=GRID)
    fig.update_yaxes(gridcolor=GRID, zerolinecolor=GRID)
    return fig


def outcome_name(outcome: str) -> str:
    """The report's name of an outcome (``"lapsed (nobody acted)"``)."""
    return OUTCOME_NAMES.get(outcome, outcome.replace("_", " "))


def in_legend_order(labels: set[str]) -> list[str]:
    """Outcome labels in the report's order (the summary's first), then any others sorted."""
    order = [*OUTCOME_NAMES, "never collaborated", "active"]
    return [o for o in order if o in labels] + sorted(labels - set(order))


def _rgba(colour: str, alpha: float) -> str:
    """``#rrggbb`` as a CSS ``rgba(...)`` with the given opacity."""
    r, g, b = (int(colour[k : k + 2], 16) for k in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


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
    fig.update_layout(xaxis_title="week", yaxis_title="organisations")
    return _compact(fig, 380)


@dataclass(frozen=True)
class Flows:
    """Initiatives between the stages and into their outcomes, counted."""

    stage_links: Counter[tuple[str, str]]  # (stage, next stage): initiatives
    outcome_links: Counter[tuple[str, str]]  # (last stage, outcome): initiatives

    def outcome_counts(self) -> Counter[str]:
        """Initiatives per outcome (``"in progress"`` for those not ended)."""
        out: Counter[str] = Counter()
        for (_, outcome), n in self.outcome_links.items():
            out[outcome] += n
        return out


def initiative_flows(initiatives: pd.DataFrame) -> Flows:
    """Count the moves of every initiative through the stages and into its outcome."""
    stages = [s.name.lower() for s in JOURNEY_STAGES]
    stage_links: Counter[tuple[str, str]] = Counter()
    outcome_links: Counter[tuple[str, str]] = Counter()
    for _, row in initiatives.iterrows():
        reached = [s for s in stages if not pd.isna(row.get(f"entered_{s}"))]
        stage_links.update(pairwise(reached))
        last = reached[-1] if reached else stages[0]
        outcome = row["outcome"] if isinstance(row["outcome"], str) else "in progress"
        # an alliance's outcome was settled when it created value
        source = "value_creation" if last == "meta_organisation" else last
        outcome_links[(source, outcome)] += 1
    return Flows(stage_links, outcome_links)


SANKEY_HEIGHT = 480
SANKEY_PAD = 18
# top to bottom in the right-hand column: the flywheel, value, exits, then what never ran
RIGHT_COLUMN = (
    "out:meta_organisation",
    "out:achieved",
    "out:evolved",
    "out:graceful_exit",
    "out:failed",
    "out:drifted_apart",
    "out:stalled",
    "out:lapsed",
    "out:in progress",
)


def _right_column_y(sizes: list[int], plot_px: float) -> list[float]:
    """Centres (0 top, 1 bottom) of stacked nodes of the given sizes in one column."""
    scale = (plot_px - SANKEY_PAD * (len(sizes) - 1)) / max(sum(sizes), 1)
    centres, top = [], 0.0
    for size in sizes:
        centres.append((top + size * scale / 2) / plot_px)
        top += size * scale + SANKEY_PAD
    return [min(max(c, 0.001), 0.999) for c in centres]


def sankey_figure(record: RunRecord) -> go.Figure:
    """Initiatives flowing through the stages to their outcomes.

    The journey's stages run left to right; every outcome, and the lasting alliances,
    sit in one column on the right. Each link takes the colour of the node it leads to,
    and every node is labelled with the number of initiatives that reached it, in the
    summary's words, so the figure and the summary agree.
    """
    flows = initiative_flows(record.initiatives)
    ini = record.initiatives
    spine = [s.name.lower() for s in JOURNEY_STAGES if s.name != "META_ORGANISATION"]
    reached = {
        s.name.lower(): int(ini[f"entered_{s.name.lower()}"].notna().sum())
        for s in JOURNEY_STAGES
        if f"entered_{s.name.lower()}" in ini
    }
    ends = flows.outcome_counts()
    column = [*RIGHT_COLUMN, *(f"out:{o}" for o in ends if f"out:{o}" not in RIGHT_COLUMN)]
    right = {key: ends[key[4:]] for key in column}
    right["out:meta_organisation"] = reached.get("meta_organisation", 0)
    nodes = [s for s in spine if reached.get(s)] + [k for k in column if right[k]]
    index = {key: k for k, key in enumerate(nodes)}
    labels, colours, xs = [], [], []
    for key in nodes:
        if key == "out:meta_organisation":
            labels.append(f"lasting alliance: {right[key]}")
            colours.append(STAGE_COLOURS["meta_organisation"])
        elif key.startswith("out:"):
            labels.append(f"{outcome_name(key[4:])}: {right[key]}")
            colours.append(OUTCOME_COLOURS.get(key[4:], "#9aa5b1"))
        else:
            labels.append(f"{key.replace('_', ' ')}: {reached[key]}")
            colours.append(STAGE_COLOURS[key])
        xs.append(0.999 if key.startswith("out:") else 0.001 + 0.14 * spine.index(key))
    plot_px = SANKEY_HEIGHT - MARGIN["b"] - 16
    right_nodes = [k for k in nodes if k.startswith("out:")]
    right_y = dict(
        zip(right_nodes, _right_column_y([right[k] for k in right_nodes], plot_px), strict=True)
    )
    ys = [right_y.get(key, 0.45) for key in nodes]
    links = [
        (a, "out:meta_organisation" if b == "meta_organisation" else b, n)
        for (a, b), n in flows.stage_links.items()
    ]
    links += [(a, f"out:{o}", n) for (a, o), n in flows.outcome_links.items()]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": labels,
                "color": colours,
                "x": xs,
                "y": ys,
                "pad": SANKEY_PAD,
                "thickness": 16,
                "line": {"color": "#627d98", "width": 0.5},
            },
            link={
                "source": [index[a] for a, _, _ in links],
                "target": [index[b] for _, b, _ in links],
                "value": [n for _, _, n in links],
                "color": [_rgba(colours[index[b]], 0.5) for _, b, _ in links],
            },
            textfont={"size": 12, "color": "#102a43"},
        )
    )
    return _compact(fig, SANKEY_HEIGHT, top=16)


def times_to_outcome(record: RunRecord) -> pd.DataFrame:
    """Weeks from starting (entering exploring) to the outcome, per started initiative.

    Initiatives still under way at the run's last tick are censored there: their row has
    no outcome and the weeks they were seen. Opportunities that never started are left out.

    Returns:
        One row per started initiative: ``id``, ``weeks`` and ``outcome`` (None if
        still under way).

    Raises:
        ValueError: if an ended initiative has no ``outcome_tick`` or ended before it
            started.
    """
    ini = record.initiatives
    started = ini[ini["entered_exploring"].notna()]
    ended = started["outcome"].notna()
    last_tick = int(record.timeline["tick"].max())
    if started.loc[ended, "outcome_tick"].isna().any():
        msg = (
            "initiatives table: an initiative with an outcome has no outcome_tick; the run "
            "record must give the tick each outcome was decided"
        )
        raise ValueError(msg)
    until = started["outcome_tick"].where(ended, last_tick)
    weeks = (until - started["entered_exploring"]).astype("int64")
    if (weeks < 0).any():
        msg = (
            "initiatives table: an initiative's outcome_tick (or the run's last tick) comes "
            "before its entered_exploring; the ticks of the record disagree"
        )
        raise ValueError(msg)
    return pd.DataFrame(
        {
            "id": started["id"].to_numpy(),
            "weeks": weeks.to_numpy(),
            "outcome": pd.Series(
                np.where(ended, started["outcome"].astype(object), None), dtype=object
            ),
        }
    )


def outcome_times_figure(curves: CompetingRisks) -> go.Figure:
    """Cumulative incidence of each outcome and the share still under way, by week.

    Every curve is a step in weeks since starting; the share still under way (Kaplan–
    Meier) carries its 95% interval as a band, and each hover gives the interval.
    """
    weeks = curves.times
    level = f"{curves.confidence:.0%}"
    fig = go.Figure()
    under_way = OUTCOME_COLOURS["in progress"]
    s = curves.survival
    for bound, fill in ((s.high, None), (s.low, "tonexty")):
        fig.add_trace(
            go.Scatter(
                x=weeks,
                y=bound,
                line={"width": 0, "shape": "hv", "color": under_way},
                fill=fill,
                fillcolor=_rgba(under_way, 0.25),
                hoverinfo="skip",
                showlegend=fill is not None,
                legendrank=1001,  # after the curves
                name=f"{level} interval (still under way)",
            )
        )
    named = [(OUTCOME_NAMES["in progress"], under_way, s)]
    named += [
        (outcome_name(o), OUTCOME_COLOURS.get(o, "#9aa5b1"), curves.incidence[o])
        for o in in_legend_order(set(curves.incidence))
    ]
    for name, colour, curve in named:
        fig.add_trace(
            go.Scatter(
                x=weeks,
                y=curve.estimate,
                name=name,
                line={"shape": "hv", "color": colour, "width": 2.5 if curve is s else 2},
                customdata=np.column_stack([curve.low, curve.high, curves.at_risk]),
                hovertemplate=(
                    f"week %{{x}}: %{{y:.0%}} {name}<br>{level} interval "
                    "%{customdata[0]:.0%} to %{customdata[1]:.0%}<br>"
                    "%{customdata[2]} initiatives still followed<extra></extra>"
                ),
            )
        )
    fig.update_layout(
        xaxis_title="weeks since starting (entering exploring)",
        yaxis={"title": "share of started initiatives", "range": [0, 1], "tickformat": ".0%"},
        legend={**LEGEND_ABOVE, "traceorder": "normal"},
    )
    return _compact(fig, 400, top=40)


def outcome_times_html(record: RunRecord) -> str:
    """The time-to-outcome figure and the sentences that say what it rests on."""
    times = times_to_outcome(record)
    ini = record.initiatives
    lapsed = int((ini["outcome"] == "lapsed").sum())
    waiting = int((ini["outcome"].isna() & ini["entered_exploring"].isna()).sum())
    not_in_it = (
        f" The {lapsed} opportunities that lapsed (nobody acted on them) never started and "
        "are not in it"
        + (
            f", nor are the {waiting} still waiting for someone to act at the end."
            if waiting
            else "."
        )
    )
    if times.empty:
        return kit.paragraph(
            "No initiative started in this run, so there is no time to an outcome to "
            f"show.{not_in_it}"
        )
    curves = competing_risks(times["weeks"], times["outcome"])
    median = (
        f"Half of them had ended by week {curves.median:.0f} after starting."
        if not math.isnan(curves.median)
        else "Fewer than half of them had ended by the longest time followed "
        f"({curves.times[-1]:.0f} weeks), so the median time to an ending is not known."
    )
    text = kit.paragraph(
        f"The curves rest on {curves.n} initiatives that started (entered exploring), "
        f"{curves.n_censored} of which were still under way at the end of the run: those "
        "are censored, counted as at risk for the weeks they were seen rather than dropped. "
        "Each outcome's curve is the share of started initiatives that had ended that way "
        "by so many weeks after starting (Aalen–Johansen cumulative incidence); the grey "
        "curve is the share still under way (Kaplan–Meier, with its 95% Greenwood interval "
        f"as a band), and at every week the curves add up to 1. {median}{not_in_it}"
    )
    return text + kit.figure_html(outcome_times_figure(curves), "fig-outcome-times")


def trust_figure(record: RunRecord) -> go.Figure:
    """Mean trust over pairs that know each other, per week, with a band of ±1 sd."""
    tl = record.timeline
    fig = go.Figure()
    if "mean_trust" in tl:
        if "trust_sd" in tl:
            fig.add_trace(
                go.Scatter(
                    x=tl["tick"],
                    y=(tl["mean_trust"] + tl["trust_sd"]).clip(upper=1),
                    line={"width": 0, "color": TRUST_BAND},
                    hoverinfo="skip",
                    showlegend=False,
                    name="+1 sd",
                )
            )
            fig.add_trace(
                go.Scatter(
                    x=tl["tick"],
                    y=(tl["mean_trust"] - tl["trust_sd"]).clip(lower=0),
                    line={"width": 0, "color": TRUST_BAND},
                    fill="tonexty",
                    fillcolor=TRUST_BAND,
                    name="mean ± 1 sd",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=tl["tick"],
                y=tl["mean_trust"],
                name="mean trust",
                line={"color": TRUST_LINE, "width": 2},
            )
        )
        fig.update_layout(yaxis_title="trust")
    elif "giant_component_share" in tl:
        fig.add_trace(
            go.Scatter(
                x=tl["tick"],
                y=tl["giant_component_share"],
                name="giant component",
                line={"color": TRUST_LINE},
            )
        )
    fig.update_layout(xaxis_title="week", yaxis_range=[0, 1], legend=LEGEND_ABOVE)
    return _compact(fig, 340, top=40)


def mean_confidence(record: RunRecord) -> pd.DataFrame:
    """Per initiative and week, its partners' mean confidence, with its name and outcome.

    Returns:
        Columns ``initiative``, ``tick``, ``confidence``, ``name`` and ``outcome``
        (``"in progress"`` if it had none), sorted by initiative and week.

    Raises:
        ValueError: if the evidence table lacks a column or names an initiative that the
            initiatives table does not have.
    """
    evidence = record.evidence
    missing = [c for c in EVIDENCE_COLUMNS if c not in evidence]
    if missing:
        msg = f"evidence table: columns {missing} are missing; it needs {EVIDENCE_COLUMNS}"
        raise ValueError(msg)
    means = (
        evidence.groupby(["initiative", "tick"], as_index=False)["confidence"]
        .mean()
        .sort_values(["initiative", "tick"])
    )
    ini = record.initiatives.set_index("id")
    unknown = sorted(set(means["initiative"]) - set(ini.index))
    if unknown:
        msg = (
            f"evidence table: initiatives {unknown[:5]} are not in the initiatives table; "
            "both must come from the same run"
        )
        raise ValueError(msg)
    means["name"] = ini["name"].reindex(means["initiative"]).to_numpy()
    means["outcome"] = ini["outcome"].reindex(means["initiative"]).fillna("in progress").to_numpy()
    return means


def confidence_figure(record: RunRecord) -> go.Figure:
    """Partners' mean confidence in each initiative by week, one line per initiative.

    Lines are coloured by the initiative's outcome (one legend entry per outcome) and the
    hover names the initiative.
    """
    means = mean_confidence(record)
    fig = go.Figure()
    for outcome in in_legend_order(set(means["outcome"])):
        x: list[float | None] = []
        y: list[float | None] = []
        text: list[str | None] = []
        for _, line in means[means["outcome"] == outcome].groupby("initiative", sort=True):
            x += [*line["tick"].tolist(), None]
            y += [*line["confidence"].tolist(), None]
            text += [*line["name"].astype(str).tolist(), None]
        name = outcome_name(outcome)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                text=text,
                mode="lines",
                name=name,
                line={"color": OUTCOME_COLOURS.get(outcome, "#9aa5b1"), "width": 1.5},
                opacity=0.8,
                hovertemplate="%{text}<br>week %{x}: mean confidence %{y:.2f}<extra>"
                + name
                + "</extra>",
            )
        )
    fig.update_layout(
        xaxis_title="week",
        yaxis={"title": "partners' mean confidence", "range": [0, 1]},
        legend={**LEGEND_ABOVE, "title": {"text": "outcome of the initiative"}},
    )
    return _compact(fig, 380, top=48)


def confidence_html(record: RunRecord) -> str:
    """The confidence figure with what confidence is, or a plain note that none was recorded."""
    if record.evidence.empty:
        return kit.paragraph(
            "This run recorded no evidence (its evidence table is empty), so there is "
            "no confidence over time to show."
        )
    means = mean_confidence(record)
    text = kit.paragraph(
        "A partner's confidence in an initiative is the Beta mean of its evidence: the "
        "mean of a Beta distribution whose counts are the partner's reasons to believe and "
        "its reasons to disbelieve (each added to a prior), so it rises towards 1 as reasons "
        "to believe pile up and falls towards 0 with reasons to disbelieve. Each line is one "
        "initiative: the mean confidence of its partners in each week of cohering, "
        f"establishing and journeying ({means['initiative'].nunique()} initiatives, "
        f"{record.evidence['organisation'].nunique()} partners), coloured by how the "
        "initiative ended."
    )
    return text + kit.figure_html(confidence_figure(record), "fig-confidence")


def last_initiatives(record: RunRecord) -> dict[int, int]:
    """Each organisation's last initiative that got past exploring (organisation: row)."""
    ini = record.initiatives
    out: dict[int, int] = {}
    if "entered_cohering" not in ini:
        return out
    for row, (members, cohering) in enumerate(
        zip(ini["members"], ini["entered_cohering"], strict=True)
    ):
        if not pd.isna(cohering):
            for m in members:
                out[int(m)] = row
    return out


def group_layout(groups: list[list[int]], gap: float = 1.0) -> dict[int, tuple[float, float]]:
    """Positions that put each group of organisations on its own small circle.

    Groups are laid out on a grid, largest first, so every group stands apart.
    """
    pos: dict[int, tuple[float, float]] = {}
    columns = max(1, math.ceil(math.sqrt(len(groups))))
    for k, members in enumerate(sorted(groups, key=len, reverse=True)):
        cx, cy = (k % columns) * 2.6 * gap, -(k // columns) * 2.6 * gap
        radius = 0.0 if len(members) == 1 else gap * min(1.0, 0.25 + 0.12 * len(members))
        for j, m in enumerate(members):
            angle = 2 * math.pi * j / len(members)
            pos[m] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    return pos


def _journey_positions(record: RunRecord) -> tuple[dict[int, tuple[float, float]], list]:
    """Positions grouped by last initiative, and the groups' label positions and names."""
    ids = [int(i) for i in record.nodes["id"]]
    last = last_initiatives(record)
    by_row: dict[int, list[int]] = {}
    for org in ids:
        if org in last:
            by_row.setdefault(last[org], []).append(org)
    loners = [org for org in ids if org not in last]
    groups = list(by_row.values())
    # organisations that never got past exploring share one block, eight to a row
    groups += [loners[k : k + 8] for k in range(0, len(loners), 8)]
    pos = group_layout(groups)
    names = record.initiatives.get("name")
    labels = []
    for row, members in by_row.items():
        xs, ys = zip(*(pos[m] for m in members), strict=True)
        name = str(names.iloc[row]) if names is not None else f"initiative {row}"
        labels.append((float(np.mean(xs)), max(ys) + 0.35, name))
    return pos, labels


def network_figure(record: RunRecord) -> go.Figure:
    """The collaboration network at the end.

    In a journey run, organisations are grouped by the last initiative they worked in
    (past exploring) and coloured by how it ended; faint lines are ties of earlier
    collaborations. Team-assembly runs use a force layout.
    """
    nodes, edges = record.nodes, record.edges
    if record.model == "journey":
        pos, labels = _journey_positions(record)
    else:
        g = nx.Graph()
        g.add_nodes_from(nodes["id"].tolist())
        g.add_weighted_edges_from(edges[["source", "target", "weight"]].itertuples(index=False))
        pos = nx.spring_layout(g, seed=record.seed % (2**32), k=1.5 / max(1, np.sqrt(len(g))))
        labels = []
    ex: list[float | None] = []
    ey: list[float | None] = []
    for a, b in edges[["source", "target"]].itertuples(index=False):
        if a in pos and b in pos:
            ex += [pos[a][0], pos[b][0], None]
            ey += [pos[a][1], pos[b][1], None]
    fig = go.Figure(
        go.Scatter(
            x=ex,
            y=ey,
            mode="lines",
            line={"width": 0.4, "color": "rgba(130, 154, 177, 0.35)"},
            hoverinfo="skip",
            name="worked together",
        )
    )
    for outcome in in_legend_order(set(nodes["last_outcome"])):
        group = nodes[nodes["last_outcome"] == outcome]
        fig.add_trace(
            go.Scatter(
                x=[pos[i][0] for i in group["id"]],
                y=[pos[i][1] for i in group["id"]],
                mode="markers",
                name=outcome_name(str(outcome)),
                marker={
                    "size": 10,
                    "color": OUTCOME_COLOURS.get(str(outcome), "#9aa5b1"),
                    "line": {"width": 0.6, "color": "#334e68"},
                },
                text=[f"organisation {i}" for i in group["id"]],
                hovertemplate="%{text}<extra>" + outcome_name(str(outcome)) + "</extra>",
            )
        )
    if labels:
        fig.add_trace(
            go.Scatter(
                x=[x for x, _, _ in labels],
                y=[y for _, y, _ in labels],
                mode="text",
                text=[name for _, _, name in labels],
                textfont={"size": 9, "color": "#486581"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    title = "outcome of their last initiative" if record.model == "journey" else "organisations"
    fig.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x"},
        legend={**LEGEND_ABOVE, "title": {"text": title}},
    )
    return _compact(fig, 600, top=48)


def team_figure(record: RunRecord) -> go.Figure:
    """Giant-component share and active agents per tick (team assembly)."""
    tl = record.timeline
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=tl["tick"], y=tl["giant_component_share"], name="giant component share")
    )
    fig.add_trace(go.Scatter(x=tl["tick"], y=tl["repeat_tie_share"], name="repeat-tie share"))
    fig.update_layout(xaxis_title="tick", yaxis_range=[0, 1], legend=LEGEND_ABOVE)
    return _compact(fig, 340, top=40)


@functools.cache
def source_commit(root: Path | None = None) -> str | None:
    """The git commit the package's source is at (``+ local changes`` if dirty), if any.

    Args:
        root: The source tree (default: the folder that holds the ``sim`` package).
    """
    where = root or Path(__file__).resolve().parents[2]
    if not (where / ".git").exists():
        return None
    try:
        head = subprocess.run(
            ["git", "-C", str(where), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head} + local changes" if dirty else head or None


def provenance_rows(record: RunRecord) -> list[tuple[str, str]]:
    """Package versions and, from a git checkout, the source commit."""
    rows = sorted(record.versions.items())
    commit = source_commit()
    if commit is not None:
        rows.insert(0, ("source commit (git)", commit))
    return rows


def summary_html(record: RunRecord) -> str:
    """Headline counts and shares, with lapsed opportunities apart from started ones."""
    if record.model != "journey":
        return ""
    counts = initiative_flows(record.initiatives).outcome_counts()
    shares = record.outcome_shares
    started_ended = sum(counts[o.value] for o in STARTED_OUTCOMES)
    rows: list[tuple[object, ...]] = [
        (outcome_name(o.value), counts[o.value], shares.get(o.value, float("nan")))
        for o in STARTED_OUTCOMES
    ]
    rows.append(("started and ended", started_ended, 1.0 if started_ended else float("nan")))
    lapsed_share = record.measures.get("lapsed_share", float("nan"))
    of_ended = (
        "" if math.isnan(lapsed_share) else f" ({lapsed_share:.0%} of the opportunities that ended)"
    )
    note = kit.paragraph(
        f"{counts['lapsed']} opportunities lapsed because nobody acted on them{of_ended}; "
        f"they are not in the shares above. {counts['in progress']} initiatives were still "
        "under way at the end.",
        "muted",
    )
    return (
        kit.table(rows, ["outcome", "initiatives", "share of started initiatives that ended"])
        + note
    )


def run_report_html(record: RunRecord) -> str:
    """The whole single-run report as one self-contained HTML page."""
    measures = [
        (name, value, MEASURES[name].doc if name in MEASURES else "")
        for name, value in record.measures.items()
    ]
    top = kit.section(
        "summary",
        "Summary",
        summary_html(record) + kit.table(measures, ["measure", "value", "meaning"]),
    )
    provenance = kit.section(
        "parameters",
        "Parameters and provenance",
        kit.table(sorted(record.params.items()), ["parameter", "value"])
        + kit.table(provenance_rows(record), ["source", "version"]),
    )
    network_title = (
        "Collaboration network at the end, grouped by last initiative"
        if record.model == "journey"
        else "Collaboration network at the end"
    )
    network = kit.section(
        "network", network_title, kit.figure_html(network_figure(record), "fig-network")
    )
    if record.model == "team_assembly":
        sections = [
            top,
            kit.section(
                "teams",
                "Team assembly over time",
                kit.figure_html(team_figure(record), "fig-teams"),
            ),
            network,
            provenance,
        ]
        return _page(record, f"team assembly · seed {record.seed}", sections)
    sections = [
        top,
        kit.section(
            "stages",
            "Organisations per stage over time",
            kit.figure_html(stage_figure(record), "fig-stages"),
        ),
        kit.section(
            "flow",
            "Flow of initiatives through the stages",
            kit.figure_html(sankey_figure(record), "fig-sankey"),
        ),
        kit.section("outcome-times", "Time to each outcome", outcome_times_html(record)),
        kit.section("trust", "Trust over time", kit.figure_html(trust_figure(record), "fig-trust")),
        kit.section("confidence", "Confidence over time", confidence_html(record)),
        network,
        provenance,
    ]
    stage_names = ", ".join(s.label for s in JOURNEY_STAGES)
    subtitle = (
        f"scenario {record.scenario} · model {record.model} · seed {record.seed} · "
        f"{record.weeks} weeks · stages: {stage_names}"
    )
    return _page(record, subtitle, sections)


def _page(record: RunRecord, subtitle: str, sections: list[str]) -> str:
    return kit.document(
        f"Run report: {record.scenario}", kit.paragraph(subtitle, "muted"), sections
    )
