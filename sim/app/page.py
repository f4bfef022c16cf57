"""The what-if app: a browser app for workshops, built on Mesa's Solara visualisation.

A workshop lead starts it with ``consim app [SCENARIO]``, opens the address it prints,
picks a preset, presses play, moves a slider (trust, self-interest, urgency, ...) and
presses Reset to see what changes. The *Compare* tab runs two settings over the same
seeds and reports paired differences with 95% intervals; the *How it works* tab explains
the model in plain words; every run's report can be downloaded; any run of a stored
sweep can be replayed (``consim app --from SWEEP_DIR --point N --replicate R``).

Mesa's ``ModelController`` (play, step, reset) and ``ModelCreator`` (the sliders and the
seed) drive the model; the page around them is laid out for a projector: a controls
column that never covers the charts (and can be hidden), speed in plain words, and a
fast-forward. The model itself does no plotting: see :mod:`sim.app.state` (what is
shown) and :mod:`sim.app.figures` (how it is drawn).

Programmatic use::

    from sim.app.page import serve
    serve("scenarios/baseline.yaml", port=8765)   # blocks until Ctrl+C

or, in a notebook, ``build_page()`` returns the page component to display.
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import socket
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import markdown
import solara
import solara.lab
from matplotlib.figure import Figure
from mesa.visualization.solara_viz import ModelController, ModelCreator
from mesa.visualization.utils import force_update, update_counter

from sim.analysis.paired import PairedDifference
from sim.app.figures import (
    comparison_figure,
    network_figure,
    stages_figure,
    tally_figure,
    trust_figure,
)
from sim.app.replay import RunRef, SweepRunError, find_sweeps, stored_run, sweep_size
from sim.app.state import (
    DEFAULT_PAIRS,
    HEADLINE_MEASURES,
    MAX_PAIRS,
    AppModel,
    Comparison,
    Preset,
    compare_runs,
    controls,
    explainer_markdown,
    find_presets,
    format_value,
    initial_preset,
    label,
    measure_label,
    model_params,
    new_model,
    notable_events,
    param_changes,
    preset_from_file,
    sweep_preset,
    tally,
)
from sim.journey.stages import VALUE_OUTCOMES

__all__ = [
    "REPLAY_ENV",
    "SCENARIO_ENV",
    "AppState",
    "Page",
    "PortInUseError",
    "WhatIfApp",
    "build_page",
    "serve",
]

SCENARIO_ENV = "CONSIM_APP_SCENARIO"  # scenario file the served app starts with
REPLAY_ENV = "CONSIM_APP_REPLAY"  # sweep run the served app starts with (JSON)
APP_REF = "sim.app.page:Page"
TITLE = "Consortium journeys: what if?"
MAX_COMPARE_WEEKS = 1_040
FAST_FORWARD_WEEKS = 52  # a fast-forward redraws the views once a simulated year
PROGRESS_WEEKS = 13  # and says how far it is every quarter
TABS = ("Live run", "Compare two settings", "How it works")


@dataclass(frozen=True)
class Speed:
    """A playing speed in plain words, and the Mesa settings behind it."""

    label: str
    pause_ms: int  # Mesa's play interval
    weeks_per_redraw: int  # Mesa's render interval


SPEEDS = (
    Speed("Slow: a week at a time", 400, 1),
    Speed("Normal", 50, 1),
    Speed("Fast: redraw every 4 weeks", 1, 4),
)
DEFAULT_SPEED = SPEEDS[1]

# The page fills the window: a controls column (hidden with the menu button) and the
# views beside it, each scrolling on its own, so the controls never cover a chart.
CSS = """
.consim-shell { position: fixed; inset: 0; display: grid; z-index: 5; background: #fff;
  grid-template-columns: var(--consim-side) minmax(0, 1fr);
  grid-template-rows: auto minmax(0, 1fr); --consim-side: 300px; }
.consim-shell.consim-closed { grid-template-columns: 0 minmax(0, 1fr); }
.consim-shell.consim-closed .consim-side { display: none; }
.consim-bar { grid-column: 1 / span 2; display: flex; align-items: center; gap: 12px;
  background: #243b53; color: #fff; padding: 4px 12px; min-height: 48px; }
.consim-bar .consim-title { font-size: 1.15rem; font-weight: 500; }
.consim-side { overflow-y: auto; padding: 8px; background: #f5f7fa;
  border-right: 1px solid #d9e2ec; }
.consim-side .v-card { margin-bottom: 8px !important; }
.consim-main { overflow-y: auto; padding: 8px 16px 48px 16px; }
.consim-main .v-card-title, .consim-side .v-card-title { white-space: normal;
  overflow-wrap: anywhere; line-height: 1.3; font-size: 1.05rem; }
.consim-main img { max-width: 100%; height: auto; }
.v-slider-thumb__label-container { display: block !important; }
.v-slider-thumb__label { font-size: 0.7rem; }
.v-slider.v-input { margin-top: 22px; }
.solara-markdown h2:first-child, .solara-markdown h3:first-child { margin-top: 0; }
.consim-verdict { padding: 8px 12px; border-radius: 6px; background: #f0f4f8;
  margin: 4px 0 10px 0; }
.consim-verdict.consim-clear { background: #e3f8ff; border-left: 4px solid #2680c2; }
@media (min-width: 1600px) {
  .consim-shell { --consim-side: 380px; font-size: 17px; }
  .consim-bar .consim-title { font-size: 1.4rem; }
}
"""


class PortInUseError(OSError):
    """The address the app should listen on is already taken."""

    def __str__(self) -> str:
        return str(self.strerror)


# ---------------------------------------------------------------------------- state
class AppState:
    """What one browser session remembers: presets, live model, comparison, layout.

    Args:
        scenario_path: Scenario file to start with (``None``: ``baseline`` if present,
            else the model's defaults).
        dirs: Folders with preset scenario files (default: ``scenarios/``).
        replay: A stored sweep run to start with (it becomes a preset).

    Raises:
        ScenarioError: if ``scenario_path`` is not a valid journey scenario.
        SweepRunError: if ``replay`` cannot be read.
    """

    def __init__(
        self,
        scenario_path: str | Path | None = None,
        dirs: Sequence[Path] | None = None,
        replay: RunRef | None = None,
    ) -> None:
        self.scenario_path = scenario_path
        self.presets, self.problems = find_presets(scenario_path, dirs)
        self.sweep_dir = replay.sweep_dir if replay is not None else None
        self.preset = solara.reactive(initial_preset(self.presets, scenario_path))
        if replay is not None:
            self.preset.set(self.add_sweep_run(replay))
        self.live: solara.Reactive[AppModel] | None = None  # set by the workspace
        self.tab = solara.reactive(0)
        self.controls_open = solara.reactive(True)
        self.b_values: solara.Reactive[dict[str, Any]] = solara.reactive({})
        self.weeks: solara.Reactive[int | None] = solara.reactive(None)
        self.pairs = solara.reactive(DEFAULT_PAIRS)
        self.comparison: solara.Reactive[Comparison | None] = solara.reactive(None)
        self.compare_error: solara.Reactive[str] = solara.reactive("")
        self.replay_error: solara.Reactive[str] = solara.reactive("")

    @property
    def model(self) -> AppModel:
        """The model of the live run."""
        if self.live is None:
            msg = "the app has not been rendered yet"
            raise RuntimeError(msg)
        return self.live.value

    def current_preset(self) -> Preset:
        """The preset chosen in the sidebar."""
        return self.presets[self.preset.value]

    def add_sweep_run(self, ref: RunRef) -> str:
        """Offer a stored sweep run as a preset; returns its name.

        Raises:
            SweepRunError: if the run cannot be read.
        """
        preset = sweep_preset(stored_run(ref))
        self.presets[preset.name] = preset
        return preset.name

    def replay(self, ref: RunRef) -> None:
        """Switch to a stored sweep run (a message on the page if it cannot be read)."""
        try:
            name = self.add_sweep_run(ref)
        except SweepRunError as exc:
            self.replay_error.set(str(exc))
            return
        self.replay_error.set("")
        self.preset.set(name)


# ----------------------------------------------------------------------- components
MD_CLASSES = ["solara-markdown", "rendered_html", "jp-RenderedHTMLCommon"]


@solara.component
def Md(text: str, style: str | None = None, classes: Sequence[str] = ()):  # noqa: N802
    """Markdown rendered on the server (needs no script from the internet)."""
    html = solara.use_memo(lambda: markdown.markdown(text, extensions=["tables"]), [text])
    solara.HTML(tag="div", unsafe_innerHTML=html, classes=[*MD_CLASSES, *classes], style=style)


@solara.component
def Picture(make: Callable[[], Figure], dependencies: list[Any], width: str = "100%"):  # noqa: N802
    """A Matplotlib figure as a PNG, redrawn only when ``dependencies`` change."""

    def render() -> bytes:
        buf = io.BytesIO()
        make().savefig(buf, format="png", pil_kwargs={"compress_level": 1})
        return buf.getvalue()

    png = solara.use_memo(render, dependencies)
    solara.Image(png, width=width)


@solara.component
def PresetCard(state: AppState):  # noqa: N802
    """The first card: choose a preset and read what to do."""
    preset = state.current_preset()
    with solara.Card("Start here", margin=0):
        solara.Select(
            "Preset",
            values=list(state.presets),
            value=state.preset.value,
            on_value=state.preset.set,
        )
        if preset.description:
            Md(f"*{escape(preset.description)}*")
        Md(
            "Press **▶** to play, **Step** for one week or **Fast-forward**. To try a "
            "change, move a slider below and press **Reset**: a new run starts with your "
            "settings."
        )
        for problem in state.problems:
            solara.Warning(f"Not offered as a preset: {problem}", dense=True)


@solara.component
def PlayCard(live: solara.Reactive[AppModel], parameters: solara.Reactive[dict[str, Any]]):  # noqa: N802
    """Reset, play and step (Mesa's controller), speed in plain words, fast-forward."""
    speed_label, set_speed_label = solara.use_state(DEFAULT_SPEED.label)
    pause = solara.use_reactive(DEFAULT_SPEED.pause_ms)
    per_redraw = solara.use_reactive(DEFAULT_SPEED.weeks_per_redraw)
    threads = solara.use_reactive(False)
    progress = solara.use_reactive(0)
    model = live.value

    def choose_speed(text: str) -> None:
        chosen = next(s for s in SPEEDS if s.label == text)
        set_speed_label(chosen.label)
        pause.set(chosen.pause_ms)
        per_redraw.set(chosen.weeks_per_redraw)

    def fast_forward() -> None:
        current = live.value
        while current.running and live.value is current:
            current.step()
            if current.tick % FAST_FORWARD_WEEKS == 0 or not current.running:
                force_update()
            elif current.tick % PROGRESS_WEEKS == 0:
                progress.set(current.tick)

    task = solara.lab.use_task(fast_forward, dependencies=None, prefer_threaded=True)
    update_counter.get()
    with solara.Card("Play", margin=0):
        if task.pending:
            solara.ProgressLinear(True)
            week = max(progress.value, model.tick)
            solara.Text(f"Fast-forwarding: week {week} of {model.params.steps}…")
        else:
            ModelController(
                live,
                model_parameters=parameters,
                play_interval=pause,
                render_interval=per_redraw,
                use_threads=threads,
            )
        solara.Button(
            "Fast-forward to the end",
            icon_name="mdi-fast-forward",
            on_click=task,
            disabled=task.pending or not model.running,
            outlined=True,
            style={"width": "100%", "margin-top": "8px"},
        )
        solara.Select(
            "Speed", values=[s.label for s in SPEEDS], value=speed_label, on_value=choose_speed
        )
        with solara.Details("Advanced speed settings"):
            solara.SliderInt(
                "Pause between steps (ms)",
                value=pause,
                min=1,
                max=1000,
                thumb_label="always",
            )
            solara.SliderInt(
                "Weeks between redraws", value=per_redraw, min=1, max=52, thumb_label="always"
            )
            solara.Checkbox(label="Draw the pictures in a separate thread", value=threads)


@solara.component
def SweepPicker(state: AppState):  # noqa: N802
    """Replay one run of a stored sweep: folder, design point and replicate."""
    sweeps = solara.use_memo(lambda: [str(p) for p in find_sweeps(state.sweep_dir)], [])
    folder, set_folder = solara.use_state(sweeps[0] if sweeps else "")
    point, set_point = solara.use_state(0)
    replicate, set_replicate = solara.use_state(0)
    with solara.Card("Replay a sweep run", margin=0):
        if not sweeps:
            Md(
                "*No stored sweep found in results/sweeps/. Run `consim sweep`, or start "
                "the app with `--from SWEEP_DIR`.*"
            )
            return
        solara.Select("Sweep", values=sweeps, value=folder, on_value=set_folder)
        points, replicates = sweep_size(folder)
        with solara.Row():
            solara.InputInt(f"Point (0–{points - 1})", value=point, on_value=set_point)
            solara.InputInt(
                f"Replicate (0–{replicates - 1})", value=replicate, on_value=set_replicate
            )
        solara.Button(
            "Replay this run",
            on_click=lambda: state.replay(RunRef(Path(folder), int(point), int(replicate))),
            outlined=True,
        )
        if state.replay_error.value:
            solara.Error(state.replay_error.value, dense=True)


@solara.component
def Headline(model: AppModel):  # noqa: N802
    """Week counter and the settings of the live run, large enough for a room."""
    update_counter.get()
    t = tally(model)
    value_made = sum(t.counts[o.value] for o in VALUE_OUTCOMES)
    p = model.params
    Md(
        f"## Week {model.tick} of {p.steps}\n"
        f"{t.in_progress} initiatives under way · {t.ended} ended, {value_made} of them "
        f"created value\n\n"
        f"<span style='color:#627d98'>Preset {escape(model.preset)} · seed {model.seed} · "
        f"trust {p.trust:.2f} · self-interest {p.self_interest:.2f} · "
        f"urgency {p.urgency:.2f} · {p.n_organisations} organisations</span>"
    )


@solara.component
def EventLog(model: AppModel, tick: int):  # noqa: N802
    """The latest notable events, newest first (``tick`` makes it redraw each week)."""
    del tick
    events = notable_events(model, limit=12)
    if not events:
        Md("*Nothing notable yet: press ▶ or Step.*")
        return
    Md("\n".join(f"- {escape(e)}" for e in events), style="font-size: 0.9em")


@solara.component
def LiveViews(model: AppModel):  # noqa: N802
    """The live run: network, stages over time, trust, outcome tally and event log."""
    update_counter.get()
    deps = [model, model.tick]
    timeline = model.timeline_frame()
    with solara.Columns([1, 1]):
        with solara.Card("Organisations and their initiatives", margin=0):
            Picture(lambda: network_figure(model), deps)
        with solara.Column():
            with solara.Card("Organisations per stage", margin=0):
                Picture(lambda: stages_figure(timeline), deps)
            with solara.Card("How initiatives ended so far", margin=0):
                t = tally(model)
                counts = (model, *t.counts.values(), t.in_progress, t.lapsed)
                Picture(lambda: tally_figure(t), list(counts))
    with solara.Columns([1, 1]):
        with solara.Card("Mean trust between organisations that know each other", margin=0):
            Picture(lambda: trust_figure(timeline, model.params.trust), deps)
        with solara.Card("What just happened", margin=0):
            EventLog(model, model.tick)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.FileDownload(
            model.report_html,
            filename=model.report_filename(),
            label="Download this run's report (HTML)",
            mime_type="text/html",
        )
        solara.Text("The same report as consim run: stages, flow of initiatives, trust, network.")


@solara.component
def SettingSliders(values: dict[str, Any], on_change: Callable[[str, Any], None]):  # noqa: N802
    """Sliders for setting B of a comparison."""
    for c in controls(values):
        if c.name == "steps":  # both settings run for the weeks chosen below
            continue
        value = values.get(c.name, c.info.default)

        def set_value(v: Any, name: str = c.name) -> None:
            on_change(name, v)

        if c.kind == "choice":
            solara.Select(c.label, values=list(c.choices), value=value, on_value=set_value)
        elif c.kind == "int":
            solara.SliderInt(
                c.label, value=int(value), min=int(c.low), max=int(c.high), on_value=set_value
            )
        else:
            solara.SliderFloat(
                c.label,
                value=float(value),
                min=c.low,
                max=c.high,
                step=c.step,
                on_value=set_value,
                thumb_label="always",
            )


def describe_changes(changes: dict[str, tuple[Any, Any]]) -> str:
    """What B changes, e.g. "trust 0.5 → 0.3; urgency 0.4 → 0.9", from (A, B) pairs."""
    return "; ".join(
        f"{label(k).lower()} {format_value(a)} → {format_value(b)}" for k, (a, b) in changes.items()
    )


def _scaled(name: str) -> tuple[float, str]:
    """Shares are shown in percentage points, other measures as they are."""
    return (100.0, " points") if name.endswith("_share") else (1.0, "")


def describe_difference(name: str, d: PairedDifference) -> str:
    """B − A with its interval, e.g. ``+12.0 points (95% CI +8.1 to +15.9, n = 20)``."""
    scale, unit = _scaled(name)
    if not math.isfinite(d.low):
        return f"too few pairs to conclude (n = {d.n})"
    level = round(100 * d.confidence)
    return (
        f"{scale * d.difference:+.1f}{unit} ({level}% CI {scale * d.low:+.1f} to "
        f"{scale * d.high:+.1f}, n = {d.n})"
    )


def verdict(d: PairedDifference) -> str:
    """What a reader may conclude from one paired difference."""
    if not math.isfinite(d.low):
        return "Too few pairs to conclude: run at least two paired seeds."
    if d.low == d.high == 0:
        return "No difference at all: every pair of runs came out the same."
    if d.conclusive:
        return "The interval excludes zero: this difference comes from the change, not from chance."
    return (
        f"The interval includes zero: with {d.n} pairs this difference cannot be told apart "
        "from chance. More paired seeds narrow the interval."
    )


def comparison_markdown(c: Comparison) -> str:
    """The comparison in words: headline outcomes first, then a table of every measure."""
    seeds = f"seed {c.seeds[0]}" if len(c.seeds) == 1 else f"seeds {c.seeds[0]}–{c.seeds[-1]}"
    what = (
        describe_changes(c.changes) or "nothing (A and B are the same, so the runs are identical)"
    )
    lines = [
        f"**B changes:** {what}.  ",
        f"Both settings ran {c.steps} weeks with the same {len(c.seeds)} {seeds}: each run of "
        "B is paired with the run of A that had the same seed (common random numbers).",
        "",
    ]
    for name in HEADLINE_MEASURES:
        d = c.difference(name)
        lines += [
            f"### {measure_label(name).capitalize()}: B − A = {describe_difference(name, d)}",
            "",
            f"<div class='consim-verdict{' consim-clear' if d.conclusive else ''}'>"
            f"{verdict(d)}</div>",
            "",
        ]
    lines += [
        "| outcome | A (mean) | B (mean) | B − A, 95% interval | clear? |",
        "|---|---:|---:|---:|:---|",
    ]
    for name, d in c.rows():
        scale, _ = _scaled(name)
        mean_a = "–" if math.isnan(d.mean_a) else f"{scale * d.mean_a:.1f}"
        mean_b = "–" if math.isnan(d.mean_b) else f"{scale * d.mean_b:.1f}"
        clear = "yes" if d.conclusive else ("too few pairs" if not math.isfinite(d.low) else "no")
        lines.append(
            f"| {measure_label(name)} | {mean_a} | {mean_b} | "
            f"{describe_difference(name, d)} | {clear} |"
        )
    lines += [
        "",
        "Shares are means over runs of each run's share of started initiatives that ended, "
        "in percent; pairs where a run had nothing to measure are left out (n says how many "
        "were used).",
    ]
    return "\n".join(lines)


@solara.component
def CompareView(state: AppState, model: AppModel):  # noqa: N802
    """Two settings over the same seeds, judged by paired differences."""
    a_values = model.params.model_dump()
    b_values = state.b_values.value or a_values
    weeks = state.weeks.value or int(a_values["steps"])

    def set_b(name: str, value: Any) -> None:
        state.b_values.set({**b_values, name: value})

    def run() -> None:
        state.compare_error.set("")
        try:
            result = compare_runs(a_values, b_values, model.seed, weeks, state.pairs.value)
        except Exception as exc:  # an impossible combination of settings, say
            state.compare_error.set(f"Could not run the comparison: {exc}")
            return
        state.comparison.set(result)

    task = solara.lab.use_task(run, dependencies=None)

    Md(
        "Compare the live run's settings (**A**) with a variation (**B**). Both run for the "
        f"same weeks over the same seeds (from {model.seed} on); the paired differences and "
        "their 95% intervals say whether B really differs from A or only by the luck of "
        "the draw."
    )
    with solara.Columns([1, 1]):
        with solara.Card("A: the live run's settings", margin=0):
            Md(
                "\n".join(
                    f"- {c.label}: **{format_value(a_values[c.name])}**"
                    for c in controls(a_values)
                    if c.name != "steps"
                )
                + "\n\nChange A with the controls' sliders and **Reset**."
            )
        with solara.Card("B: what if…", margin=0):
            differs = describe_changes(param_changes(a_values, b_values))
            Md("**Differs from A:** " + (differs or "nothing yet: move a slider"))
            SettingSliders(b_values, set_b)
            solara.Button(
                "Start B from A", on_click=lambda: state.b_values.set(dict(a_values)), outlined=True
            )
    with solara.Card("Run both", margin=0):
        solara.SliderInt(
            "Weeks",
            value=weeks,
            min=1,
            max=max(weeks, int(a_values["steps"]), MAX_COMPARE_WEEKS),
            on_value=state.weeks.set,
            thumb_label="always",
        )
        solara.SliderInt(
            "Paired seeds",
            value=state.pairs.value,
            min=1,
            max=MAX_PAIRS,
            on_value=state.pairs.set,
            thumb_label="always",
        )
        solara.Button("Run A and B", color="primary", on_click=task, disabled=task.pending)
        if task.pending:
            solara.ProgressLinear(True)
            solara.Text(f"Running {state.pairs.value} × 2 runs of {weeks} weeks…")
        if state.compare_error.value:
            solara.Error(state.compare_error.value)
    result = state.comparison.value
    if result is not None:
        with solara.Card("What the change did", margin=0):
            Md(comparison_markdown(result))
            Picture(lambda: comparison_figure(result), [result], width="80%")
            with solara.Columns([1, 1]):
                Picture(
                    lambda: stages_figure(result.a.timelines[0], "A: organisations per stage"),
                    [result],
                )
                Picture(
                    lambda: stages_figure(result.b.timelines[0], "B: organisations per stage"),
                    [result],
                )


@solara.component
def Explainer():  # noqa: N802
    """The plain-language guide."""
    text = solara.use_memo(explainer_markdown, [])
    Md(text)


@solara.component
def Workspace(state: AppState, preset: Preset):  # noqa: N802
    """One live run with its controls and views (re-created when the preset changes)."""
    live = solara.use_memo(lambda: solara.reactive(new_model(preset)), [])
    params = solara.use_memo(lambda: model_params(preset), [])
    parameters = solara.use_reactive({})
    state.live = live

    def stop_when_gone() -> Callable[[], None]:
        def cleanup() -> None:
            live.value.running = False  # ends a play loop that belonged to this run

        return cleanup

    solara.use_effect(stop_when_gone, [])
    model = live.value
    shut = [] if state.controls_open.value else ["consim-closed"]
    with solara.Div(classes=["consim-shell", *shut]):
        with solara.Div(classes=["consim-bar"]):
            solara.Button(
                "Hide controls" if state.controls_open.value else "Show controls",
                icon_name="mdi-menu",
                on_click=lambda: state.controls_open.set(not state.controls_open.value),
                text=True,
                style={"color": "white"},
                classes=["consim-menu"],
            )
            solara.HTML(tag="span", unsafe_innerHTML=escape(TITLE), classes=["consim-title"])
        with solara.Div(classes=["consim-side"]):
            PresetCard(state)
            PlayCard(live, parameters)
            with solara.Card("Settings", margin=0):
                ModelCreator(live, params, model_parameters=parameters)
            SweepPicker(state)
        with solara.Div(classes=["consim-main"]):
            Headline(model)
            with solara.v.Tabs(v_model=state.tab.value, on_v_model=state.tab.set):
                for name in TABS:
                    solara.v.Tab(children=[name])
            if state.tab.value == 1:
                CompareView(state, model)
            elif state.tab.value == 2:
                Explainer()
            else:
                LiveViews(model)


@solara.component
def WhatIfApp(state: AppState):  # noqa: N802
    """The whole app for one session."""
    solara.Title(TITLE)
    solara.Style(CSS)
    preset = state.current_preset()
    Workspace(state, preset).key(f"preset:{preset.name}")


def build_page(scenario_path: str | None = None) -> Callable[[], Any]:
    """The app's page component, starting with ``scenario_path`` (or a default preset).

    Raises:
        ScenarioError: if ``scenario_path`` is not a valid journey scenario.
    """
    if scenario_path is not None:
        preset_from_file(scenario_path)

    @solara.component
    def ConsimPage():  # noqa: N802
        state = solara.use_memo(lambda: AppState(scenario_path), [])
        WhatIfApp(state)

    return ConsimPage


def _replay_from_env() -> RunRef | None:
    text = os.environ.get(REPLAY_ENV) or ""
    if not text:
        return None
    data = json.loads(text)
    return RunRef(Path(data["sweep_dir"]), int(data["point"]), int(data["replicate"]))


@solara.component
def Page():  # noqa: N802
    """The page the server shows; it starts from ``$CONSIM_APP_SCENARIO`` or a sweep run."""
    path = os.environ.get(SCENARIO_ENV) or None
    replay = _replay_from_env()
    state = solara.use_memo(lambda: AppState(path, replay=replay), [path])
    WhatIfApp(state)


# --------------------------------------------------------------------------- server
def _bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, or :class:`PortInUseError` if that is taken."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            msg = f"port {port} is already in use on {host} (or not open to this user)"
            raise PortInUseError(exc.errno, msg) from exc
        raise
    return sock


def _address(host: str, port: int) -> str:
    """The address to open, as people type it."""
    if host in ("0.0.0.0", "::", ""):
        return (
            f"http://localhost:{port}/ on this machine, or http://<this machine's address>:{port}/"
        )
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def solara_app() -> Any:
    """The Solara server's ASGI application, serving :data:`Page`."""
    os.environ["SOLARA_APP"] = APP_REF
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    import solara.server.app as solara_apps
    import solara.server.settings as solara_settings
    import solara.server.starlette as solara_server

    solara_settings.telemetry.mixpanel_enable = False  # a workshop room may be offline
    # plain http on the local machine is the intended use: no need to warn about cookies
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)
    solara_settings.main.mode = "production"
    solara_settings.theme.title = TITLE
    solara_settings.theme.show_banner = False  # it would cover the page's bottom-right corner
    if "__default__" not in solara_apps.apps:
        solara_apps.apps["__default__"] = solara_apps.AppScript(APP_REF)
    return solara_server.app


def serve(
    scenario: str | None,
    host: str = "127.0.0.1",
    port: int = 8765,
    replay: RunRef | None = None,
) -> None:
    """Serve the app on ``http://host:port`` until interrupted (Ctrl+C).

    The port is claimed before anything starts, so a taken port fails at once. The
    browser front end is fetched once with npm (see :mod:`sim.app.assets`) and pictures
    are drawn on the server, so the app then works without an internet connection.

    Args:
        scenario: Scenario file to start with (``None``: ``baseline`` if there is one in
            ``scenarios/``, else the model's defaults).
        host: Interface to listen on (``0.0.0.0`` to let others in the room connect).
        port: Port to listen on.
        replay: A stored sweep run to start with (replayed with its parameters and seed).

    Raises:
        ScenarioError: if ``scenario`` is not a valid journey scenario.
        SweepRunError: if ``replay`` cannot be read.
        PortInUseError: if the port is taken (an ``OSError``).
    """
    if scenario is not None:
        preset_from_file(scenario)
    if replay is not None:
        stored_run(replay)
    sock = _bind(host, port)
    port = sock.getsockname()[1]  # the one the system chose, if port was 0
    try:
        from sim.app.assets import ensure_assets, missing_packages

        if missing_packages():
            print("Fetching the app's browser front end (first start only)...", flush=True)
            for problem in ensure_assets():
                print(f"warning: {problem}", file=sys.stderr, flush=True)
        os.environ[SCENARIO_ENV] = str(Path(scenario).resolve()) if scenario else ""
        os.environ[REPLAY_ENV] = (
            json.dumps(
                {
                    "sweep_dir": str(replay.sweep_dir.resolve()),
                    "point": replay.point,
                    "replicate": replay.replicate,
                }
            )
            if replay is not None
            else ""
        )
        import uvicorn

        config = uvicorn.Config(
            solara_app(),
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            loop="asyncio",
        )
        server = uvicorn.Server(config)
        print(
            f"consortium-sim what-if app: {_address(host, port)}  (press Ctrl+C to stop)",
            flush=True,
        )
        server.run(sockets=[sock])
    finally:
        sock.close()
