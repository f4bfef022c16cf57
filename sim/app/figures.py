"""The what-if app's pictures, drawn with Matplotlib on the server.

Figures are rendered to PNG on the server, so the app needs nothing from the internet
and looks the same in every browser. Every function returns a new
:class:`matplotlib.figure.Figure` (no global pyplot state, safe in threads).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.app.state import COMPARED_MEASURES, Tally, measure_label, outcome_label
from sim.journey.stages import STARTED_OUTCOMES, Stage
from sim.report.run_report import OUTCOME_COLOURS, STAGE_COLOURS

if TYPE_CHECKING:
    import pandas as pd

    from sim.app.state import AppModel, Comparison

LIVE_STAGES = (
    Stage.LATENT_VALUE,
    Stage.EXPLORING,
    Stage.COHERING,
    Stage.ESTABLISHING,
    Stage.JOURNEYING,
)
TEXT = "#334e68"
GRID = "#e4e7eb"


OUTCOMES = [o.value for o in STARTED_OUTCOMES]


def _style(ax) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set_color("#9aa5b1")
    ax.tick_params(colors=TEXT, labelsize=8)
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)


def _axes(width: float, height: float):
    """A styled figure with one set of axes."""
    fig = Figure(figsize=(width, height), dpi=100)
    ax = fig.add_subplot()
    _style(ax)
    return fig, ax


def layout(model: AppModel) -> np.ndarray:
    """Positions of the organisations (``n x 2``), updated once a week.

    The layout starts from the informal network; each week organisations drift towards
    the partners they are working with, so initiatives show as groups that form and
    dissolve, while everyone else stays roughly where they were.
    """
    if model.layout is not None and model.layout_tick == model.tick:
        return model.layout
    n = model.n
    g = nx.Graph()
    g.add_nodes_from(range(n))
    src, dst = np.nonzero(np.triu(model.informal))
    g.add_weighted_edges_from((int(a), int(b), 0.3) for a, b in zip(src, dst, strict=True))
    for ini in model.initiatives:
        if ini.stage in LIVE_STAGES:
            members = [m for m in ini.members if model.org_initiative[m] == ini.id]
            hub = members[0] if members else None
            for m in members[1:]:
                g.add_edge(hub, m, weight=6.0)
    k = 1.2 / math.sqrt(max(n, 1))
    if model.layout is None:
        pos = nx.spring_layout(g, seed=model.seed % (2**32), k=k, iterations=80)
    else:
        start = {i: model.layout[i] for i in range(n)}
        pos = nx.spring_layout(g, pos=start, seed=model.seed % (2**32), k=k, iterations=6)
    model.layout = np.array([pos[i] for i in range(n)])
    model.layout_tick = model.tick
    return model.layout


def network_figure(model: AppModel) -> Figure:
    """Organisations coloured by stage; members of each active initiative joined up.

    Informal ties are faint, earlier collaborations light, and the members of every
    initiative under way are linked in its stage's colour and labelled with its name.
    """
    xy = layout(model)
    fig = Figure(figsize=(6.4, 5.2), dpi=100)
    ax = fig.add_axes((0.0, 0.0, 1.0, 0.93))
    ax.set_axis_off()
    src, dst = np.nonzero(np.triu(model.informal))
    if src.size:
        ax.add_collection(
            LineCollection(
                np.stack([xy[src], xy[dst]], axis=1), colors="#9aa5b1", linewidths=0.4, alpha=0.25
            )
        )
    src, dst = np.nonzero(np.triu(model.collab))
    if src.size:
        ax.add_collection(
            LineCollection(
                np.stack([xy[src], xy[dst]], axis=1), colors="#829ab1", linewidths=0.7, alpha=0.45
            )
        )
    segments, colours, labels = [], [], []
    for ini in model.initiatives:
        if ini.stage not in LIVE_STAGES:
            continue
        members = [m for m in ini.members if model.org_initiative[m] == ini.id]
        if not members:
            continue
        colour = STAGE_COLOURS[ini.stage.name.lower()]
        for a_i, a in enumerate(members):
            for b in members[a_i + 1 :]:
                segments.append((xy[a], xy[b]))
                colours.append(colour)
        if len(members) >= 2:
            labels.append((xy[members].mean(axis=0), ini.name, colour))
    if segments:
        ax.add_collection(LineCollection(segments, colors=colours, linewidths=1.8, alpha=0.9))
    stages = model.org_stages()
    node_colours = [STAGE_COLOURS.get(Stage(int(s)).name.lower(), "#9aa5b1") for s in stages]
    size = max(12.0, min(60.0, 4000.0 / max(model.n, 1)))
    ax.scatter(
        xy[:, 0], xy[:, 1], s=size, c=node_colours, edgecolors="#243b53", linewidths=0.4, zorder=3
    )
    for (x, y), name, colour in labels:
        ax.annotate(
            name,
            (x, y),
            fontsize=7,
            color="#102a43",
            ha="center",
            va="center",
            zorder=4,
            bbox={
                "boxstyle": "round,pad=0.15",
                "fc": "white",
                "ec": colour,
                "lw": 0.8,
                "alpha": 0.85,
            },
        )
    ax.autoscale_view()
    ax.margins(0.04)
    handles = [Patch(color=STAGE_COLOURS[k], label=k.replace("_", " ")) for k in STAGE_COLOURS]
    handles += [
        Line2D([], [], color="#9aa5b1", alpha=0.5, lw=0.8, label="informal tie"),
        Line2D([], [], color="#829ab1", lw=1.2, label="worked together"),
        Line2D([], [], color="#2680c2", lw=2.0, label="same initiative now"),
    ]
    fig.legend(
        handles=handles,
        loc="upper center",
        ncol=6,
        fontsize=7,
        frameon=False,
        bbox_to_anchor=(0.5, 1.0),
        handlelength=1.2,
        columnspacing=0.8,
    )
    return fig


def stages_figure(timeline: pd.DataFrame, title: str | None = None, height: float = 3.0) -> Figure:
    """Organisations per stage over time, stacked."""
    fig, ax = _axes(6.4, height)
    keys = [k for k in STAGE_COLOURS if f"orgs_{k}" in timeline]
    x = timeline["tick"].to_numpy()
    ys = [timeline[f"orgs_{k}"].to_numpy(dtype=float) for k in keys]
    if len(x):
        ax.stackplot(
            x,
            ys,
            colors=[STAGE_COLOURS[k] for k in keys],
            labels=[k.replace("_", " ") for k in keys],
            linewidth=0.2,
            edgecolor="white",
        )
        ax.set_xlim(x.min(), max(x.max(), 1))
    ax.set_ylim(bottom=0)
    ax.set_xlabel("week", color=TEXT, fontsize=9)
    ax.set_ylabel("organisations", color=TEXT, fontsize=9)
    if title:
        ax.set_title(title, color=TEXT, fontsize=10, loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False, reverse=True)
    fig.subplots_adjust(left=0.09, right=0.76, bottom=0.16, top=0.9 if title else 0.95)
    return fig


def trust_figure(timeline: pd.DataFrame, start: float | None = None) -> Figure:
    """Mean trust between organisations that know each other, with its spread."""
    fig, ax = _axes(6.4, 3.0)
    x = timeline["tick"].to_numpy()
    mean = timeline["mean_trust"].to_numpy(dtype=float)
    ax.plot(x, mean, color="#2680c2", lw=2, label="mean trust")
    if "trust_sd" in timeline:
        sd = timeline["trust_sd"].to_numpy(dtype=float)
        ax.fill_between(x, mean - sd, mean + sd, color="#8bb8e8", alpha=0.35, lw=0, label="± 1 sd")
    if start is not None:
        ax.axhline(start, color="#9aa5b1", lw=1, ls="--", label="starting trust between strangers")
    ax.set_ylim(0, 1)
    if len(x):
        ax.set_xlim(x.min(), max(x.max(), 1))
    ax.set_xlabel("week", color=TEXT, fontsize=9)
    ax.set_ylabel("trust", color=TEXT, fontsize=9)
    ax.legend(loc="lower left", fontsize=7, frameon=False, ncol=3)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.16, top=0.95)
    return fig


def tally_figure(t: Tally) -> Figure:
    """How the started initiatives ended so far, one bar per outcome."""
    fig, ax = _axes(6.4, 3.0)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    outcomes = OUTCOMES
    counts = [t.counts[o] for o in outcomes]
    shares = t.shares()
    y = np.arange(len(outcomes))[::-1]
    ax.barh(y, counts, color=[OUTCOME_COLOURS[o] for o in outcomes], height=0.65)
    top = max([*counts, 1])
    for yi, o, c in zip(y, outcomes, counts, strict=True):
        text = f"{c}" + (f"  ({shares[o]:.0%})" if t.ended else "")
        ax.text(c + top * 0.02, yi, text, va="center", fontsize=8, color=TEXT)
    ax.set_yticks(y, [outcome_label(o) for o in outcomes])
    ax.set_xlim(0, top * 1.3)
    ax.set_xlabel("initiatives", color=TEXT, fontsize=9)
    ax.set_title(
        f"{t.ended} ended · {t.in_progress} under way · {t.lapsed} opportunities nobody acted on",
        color=TEXT,
        fontsize=9,
        loc="left",
    )
    fig.subplots_adjust(left=0.16, right=0.98, bottom=0.16, top=0.9)
    return fig


def comparison_figure(c: Comparison) -> Figure:
    """B minus A for each outcome share, in points, with its 95% interval.

    Differences whose interval excludes zero are drawn solid, the others hollow.
    """
    names = [n for n in COMPARED_MEASURES if n.endswith("_share")]
    fig, ax = _axes(7.0, 0.42 * len(names) + 1.0)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    y = np.arange(len(names))[::-1]
    for yi, name in zip(y, names, strict=True):
        d = c.difference(name)
        if math.isnan(d.difference):
            continue
        colour = "#2680c2" if d.conclusive else "#9aa5b1"
        if math.isfinite(d.low):
            ax.plot([100 * d.low, 100 * d.high], [yi, yi], color=colour, lw=2.2)
        ax.plot(
            100 * d.difference,
            yi,
            "o",
            ms=7,
            color=colour,
            markerfacecolor=colour if d.conclusive else "white",
        )
    ax.axvline(0, color="#486581", lw=1)
    ax.set_yticks(y, [measure_label(n) for n in names], fontsize=9)
    ax.set_xlabel("B − A, percentage points (line: 95% interval)", color=TEXT, fontsize=9)
    fig.subplots_adjust(left=0.24, right=0.97, bottom=0.22, top=0.96)
    return fig
