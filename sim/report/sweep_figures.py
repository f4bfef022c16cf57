"""Plotly figures for the sweep report (each usable on its own in a notebook)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.analysis.convergence import ConvergenceResult
from sim.analysis.data import SweepData, point_values
from sim.analysis.discovery import DiscoveryResult, design_frame
from sim.analysis.rules import human
from sim.analysis.sensitivity import MAIN_INDEX, OutcomeSensitivity

COLOURS = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]
LAYOUT = {"template": "plotly_white", "margin": {"l": 60, "r": 20, "t": 50, "b": 50}}


def _grid(n: int, cols: int = 3) -> tuple[int, int]:
    cols = max(1, min(cols, n))
    return math.ceil(n / cols), cols


def distributions_figure(data: SweepData, outcomes: list[str] | None = None) -> go.Figure | None:
    """Histograms of outcomes (default: every outcome) over finished runs (40 bins each)."""
    outcomes = data.outcomes if outcomes is None else outcomes
    if not outcomes or not len(data.runs):
        return None
    rows, cols = _grid(len(outcomes))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[human(o) for o in outcomes])
    done = data.runs["status"] == "done"
    for i, outcome in enumerate(outcomes):
        values = data.outcome_column(outcome)[done].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        if not values.size:
            continue
        # Binned here, so the page holds 40 bars rather than every run's value.
        counts, edges = np.histogram(values, bins=40 if np.ptp(values) > 0 else 1)
        fig.add_trace(
            go.Bar(
                x=(edges[:-1] + edges[1:]) / 2,
                y=counts,
                width=np.diff(edges),
                name=human(outcome),
                marker_color=COLOURS[i % 10],
                showlegend=False,
            ),
            row=i // cols + 1,
            col=i % cols + 1,
        )
    fig.update_layout(height=260 * rows, **LAYOUT)
    return fig


def _main_rows(result: OutcomeSensitivity, method: str, index: str) -> pd.DataFrame:
    table = result.indices
    return table[(table["method"] == method) & (table["index"] == index)]


def _bar_colours(rows: pd.DataFrame, colour: str) -> list[str]:
    """The colour for significant indices, grey for the others."""
    return [colour if bool(v) else "#bcccdc" for v in rows["significant"].fillna(False)]


def sobol_figure(result: OutcomeSensitivity) -> go.Figure:
    """First-order and total Sobol' indices with 95% intervals; grey: not significant."""
    fig = go.Figure()
    for i, index in enumerate(("S1", "ST")):
        rows = _main_rows(result, "sobol", index)
        fig.add_trace(
            go.Bar(
                x=[human(p) for p in rows["parameter"]],
                y=rows["value"],
                error_y={"type": "data", "array": rows["conf"].to_numpy(), "visible": True},
                name=index,
                marker={"color": _bar_colours(rows, COLOURS[i]), "line": {"color": COLOURS[i]}},
            )
        )
    what = "mean response, noise removed" if result.noise_removed else "noise not removed"
    fig.update_layout(
        title=f"Sobol' indices: {human(result.outcome)} ({what}; grey: not significant)",
        barmode="group",
        yaxis_title="index",
        height=380,
        **LAYOUT,
    )
    return fig


def method_figure(result: OutcomeSensitivity, method: str) -> go.Figure:
    """The main index of one method as bars, with error bars and its noise threshold."""
    index = MAIN_INDEX[method]
    rows = _main_rows(result, method, index)
    conf = rows["conf"].to_numpy(dtype=float)
    error = {"type": "data", "array": conf, "visible": True} if np.isfinite(conf).any() else None
    names = [human(p) for p in rows["parameter"]]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=rows["value"],
            error_y=error,
            marker={"color": _bar_colours(rows, COLOURS[2])},
            name=f"{method} {index}",
        )
    )
    threshold = rows["threshold"].to_numpy(dtype=float)
    if np.isfinite(threshold).any():
        fig.add_trace(
            go.Scatter(
                x=names,
                y=threshold,
                mode="markers",
                marker={"symbol": "line-ew-open", "size": 28, "color": COLOURS[3]},
                name="threshold (noise or dummy inputs)",
            )
        )
    fig.update_layout(
        title=f"{method} {index}: {human(result.outcome)} (grey: not significant)",
        yaxis_title=index,
        height=340,
        **LAYOUT,
    )
    return fig


def morris_figure(result: OutcomeSensitivity) -> go.Figure:
    """Morris mu* against sigma, one marker per parameter."""
    mu = _main_rows(result, "morris", "mu_star").set_index("parameter")
    sigma = _main_rows(result, "morris", "sigma").set_index("parameter")
    names = list(mu.index)
    fig = go.Figure(
        go.Scatter(
            x=mu["value"].to_numpy(),
            y=sigma.loc[names, "value"].to_numpy(),
            error_x={"type": "data", "array": mu["conf"].to_numpy(), "visible": True},
            mode="markers+text",
            text=[human(n) for n in names],
            textposition="top center",
            marker={"size": 10, "color": _bar_colours(mu, COLOURS[0])},
            name="mu* (grey: not significant)",
        )
    )
    floor = mu["threshold"].to_numpy(dtype=float)
    if np.isfinite(floor).any():
        fig.add_trace(
            go.Scatter(
                x=floor,
                y=sigma.loc[names, "value"].to_numpy(),
                mode="markers",
                marker={"symbol": "line-ns-open", "size": 16, "color": COLOURS[3]},
                name="noise floor",
            )
        )
    fig.update_layout(
        title=f"Morris: {human(result.outcome)}",
        xaxis_title="mu* (mean absolute elementary effect)",
        yaxis_title="sigma (interactions, non-linearity)",
        height=400,
        **LAYOUT,
    )
    return fig


def index_heatmap(results: dict[str, OutcomeSensitivity], outcomes: list[str]) -> go.Figure | None:
    """Each outcome's ranking index per parameter; blank where not significant."""
    frames = []
    for outcome in outcomes:
        result = results.get(outcome)
        if result is None or result.main_index is None:
            continue
        main = result.main().assign(outcome=outcome)
        frames.append(main)
    if not frames:
        return None
    table = pd.concat(frames, ignore_index=True)
    significant = table["significant"].fillna(False).astype(bool)
    shown = table.assign(value=table["value"].where(significant))
    matrix = shown.pivot_table(index="outcome", columns="parameter", values="value", dropna=False)
    matrix = matrix.reindex([o for o in outcomes if o in matrix.index])
    labels = [f"{results[o].main_method} {results[o].main_index}: {human(o)}" for o in matrix.index]
    fig = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=[human(c) for c in matrix.columns],
            y=labels,
            colorscale="Blues",
            zmin=0,
            text=[[f"{v:.2f}" if np.isfinite(v) else "" for v in row] for row in matrix.to_numpy()],
            texttemplate="%{text}",
            hoverongaps=False,
            colorbar={"title": "index"},
        )
    )
    fig.update_layout(
        title="Ranking index per outcome and parameter (blank: not distinguishable from noise)",
        height=max(280, 140 + 24 * len(labels)),
        yaxis={"autorange": "reversed"},
        **(LAYOUT | {"margin": {"l": 260, "r": 20, "t": 50, "b": 80}}),
    )
    return fig


def convergence_figure(conv: ConvergenceResult, outcome: str) -> go.Figure | None:
    """The main index of each parameter against the prefix size, with CI bars."""
    table = conv.table[conv.table["outcome"] == outcome]
    if not len(table):
        return None
    method, index = table["method"].iloc[0], table["index"].iloc[0]
    fig = go.Figure()
    for i, (name, rows) in enumerate(table.groupby("parameter", sort=False)):
        conf = rows["conf"].to_numpy(dtype=float)
        fig.add_trace(
            go.Scatter(
                x=rows["n_base"],
                y=rows["value"],
                error_y=(
                    {"type": "data", "array": conf, "visible": True}
                    if np.isfinite(conf).any()
                    else None
                ),
                mode="lines+markers",
                name=human(name),
                line={"color": COLOURS[i % 10]},
            )
        )
    fig.update_layout(
        title=f"Convergence of {method} {index}: {human(outcome)}",
        xaxis={"title": "prefix size", "type": "log"},
        yaxis_title=index,
        height=360,
        **LAYOUT,
    )
    return fig


def noise_figure(noise: pd.DataFrame) -> go.Figure | None:
    """Noise share per outcome as bars."""
    rows = noise[np.isfinite(noise["noise_share"].to_numpy(dtype=float))]
    if not len(rows):
        return None
    fig = go.Figure(
        go.Bar(
            x=[human(o) for o in rows["outcome"]], y=rows["noise_share"], marker_color=COLOURS[3]
        )
    )
    fig.update_layout(
        title="Share of variance that is within-point noise",
        yaxis={"title": "noise share", "range": [0, 1]},
        height=320,
        **LAYOUT,
    )
    return fig


def tradeoff_figure(result: DiscoveryResult) -> go.Figure | None:
    """PRIM coverage-density trade-off per box, coloured by restricted dimensions."""
    if result.prim is None or not result.prim.boxes:
        return None
    fig = go.Figure()
    for box in result.prim.boxes:
        traj = box.trajectory
        fig.add_trace(
            go.Scatter(
                x=traj["coverage"],
                y=traj["density"],
                mode="markers+lines",
                name=f"box {box.index} trajectory",
                line={"color": "#cccccc"},
                marker={
                    "color": traj["res_dim"],
                    "colorscale": "Viridis",
                    "showscale": box.index == 1,
                    "colorbar": {"title": "restricted<br>dimensions"},
                    "size": 7,
                },
                text=[
                    f"step {s}: {r} restricted ({p})"
                    for s, r, p in zip(traj["step"], traj["res_dim"], traj["phase"], strict=True)
                ],
                hoverinfo="text+x+y",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[box.coverage],
                y=[box.density],
                mode="markers+text",
                text=[f"box {box.index}"],
                textposition="top right",
                marker={"symbol": "star", "size": 16, "color": COLOURS[3]},
                name=f"box {box.index} (chosen)",
            )
        )
        if box.held_out is not None:
            fig.add_trace(
                go.Scatter(
                    x=[box.held_out.coverage],
                    y=[box.held_out.density],
                    mode="markers+text",
                    text=[f"box {box.index} held out"],
                    textposition="bottom right",
                    marker={"symbol": "diamond", "size": 13, "color": COLOURS[2]},
                    name=f"box {box.index} on held-out runs",
                )
            )
    fig.update_layout(
        title=f"PRIM trade-off on the search half: {human(result.class_name)}",
        xaxis={"title": "coverage", "range": [0, 1.02]},
        yaxis={"title": "density", "range": [0, 1.02]},
        height=460,
        legend={"orientation": "h", "y": -0.2},
        **LAYOUT,
    )
    return fig


def parallel_figure(
    data: SweepData, class_name: str, *, max_points: int = 1500, seed: int = 0
) -> go.Figure | None:
    """Parallel coordinates of design points, coloured by the share of runs in a class."""
    points, labels = design_frame(data)
    if not len(points) or not len(points.columns):
        return None
    column = data.class_column(class_name)
    known = column.notna() & (data.runs["status"] == "done")
    share = (
        pd.DataFrame({"point": data.runs.loc[known, "point"], "y": column[known].astype(float)})
        .groupby("point")["y"]
        .mean()
    )
    frame = points.join(share.rename("share"), how="inner")
    if not len(frame):
        return None
    if len(frame) > max_points:
        frame = frame.sample(max_points, random_state=seed)
    dims = []
    for name in points.columns:
        dim = {"label": human(name), "values": frame[name].to_numpy()}
        if labels.get(name) is not None:
            dim["tickvals"] = list(range(len(labels[name])))
            dim["ticktext"] = [str(v) for v in labels[name]]
        dims.append(dim)
    dims.append(
        {
            "label": f"share {human(class_name)}",
            "values": frame["share"].to_numpy(),
            "range": [0, 1],
        }
    )
    fig = go.Figure(
        go.Parcoords(
            line={
                "color": frame["share"].to_numpy(),
                "colorscale": "RdYlBu",
                "cmin": 0,
                "cmax": 1,
                "showscale": True,
                "colorbar": {"title": "share"},
            },
            dimensions=dims,
        )
    )
    fig.update_layout(
        title=f"Design points coloured by share of runs with {human(class_name)}",
        height=420,
        **LAYOUT,
    )
    return fig


def failures_figure(data: SweepData, bins: int = 10) -> go.Figure | None:
    """Share of runs that failed or timed out, per bin of each parameter."""
    runs = data.runs
    if not len(runs) or (runs["status"] == "done").all():
        return None
    points, _ = design_frame(data)
    if not len(points.columns):
        return None
    x = points.loc[runs["point"].to_numpy()].reset_index(drop=True)
    bad = (runs["status"] != "done").to_numpy(dtype=float)
    names = list(points.columns)
    rows, cols = _grid(len(names))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[human(n) for n in names])
    for i, name in enumerate(names):
        values = x[name].to_numpy(dtype=float)
        edges = np.unique(np.quantile(values, np.linspace(0, 1, bins + 1)))
        if len(edges) < 2:
            continue
        which = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
        frame = pd.DataFrame({"bin": which, "bad": bad}).groupby("bin")["bad"].agg(["mean", "size"])
        centres = (edges[:-1] + edges[1:]) / 2
        fig.add_trace(
            go.Bar(
                x=centres[frame.index.to_numpy()],
                y=frame["mean"],
                text=[f"{int(s)} runs" for s in frame["size"]],
                marker_color=COLOURS[3],
                showlegend=False,
            ),
            row=i // cols + 1,
            col=i % cols + 1,
        )
    fig.update_yaxes(range=[0, 1], title_text="failed share")
    fig.update_layout(
        title="Failed or timed-out runs across the parameter space",
        height=260 * rows + 60,
        **LAYOUT,
    )
    return fig


def outcome_means(data: SweepData, outcome: str) -> pd.Series:
    """Replicate means per design point (a convenience for notebooks)."""
    return point_values(data, outcome)["mean"]
