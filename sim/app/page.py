"""The what-if app: a browser app for workshops, built on Mesa's Solara visualisation.

A workshop lead starts it with ``consim app [SCENARIO]``, opens the address it prints,
picks a preset, presses play, moves a slider (trust, self-interest, urgency, ...) and
presses Reset to see what changes. The *Compare* tab runs two settings side by side with
the same random seed; the *How it works* tab explains the model in plain words; every
run's report can be downloaded.

Mesa's ``SolaraViz`` provides the sidebar: play, step and reset, the sliders and the seed.
The views beside it (network, stages, trust, outcomes, events) are this module's own
components. The model itself does no plotting: see :mod:`sim.app.state` (what is shown)
and :mod:`sim.app.figures` (how it is drawn).

Programmatic use::

    from sim.app.page import serve
    serve("scenarios/baseline.yaml", port=8765)   # blocks until Ctrl+C

or, in a notebook, ``build_page()`` returns the page component to display.
"""

from __future__ import annotations

import errno
import io
import math
import os
import socket
import sys
import warnings
from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path
from typing import Any

import markdown
import solara
import solara.lab
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.app.figures import (
    comparison_figure,
    network_figure,
    stages_figure,
    tally_figure,
    trust_figure,
)
from sim.app.state import (
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
    model_params,
    new_model,
    notable_events,
    outcome_label,
    param_changes,
    preset_from_file,
    tally,
)
from sim.journey.stages import VALUE_OUTCOMES

__all__ = ["SCENARIO_ENV", "AppState", "Page", "PortInUseError", "WhatIfApp", "build_page", "serve"]

SCENARIO_ENV = "CONSIM_APP_SCENARIO"  # scenario file the served app starts with
APP_REF = "sim.app.page:Page"
TITLE = "Consortium journeys: what if?"
PLAY_INTERVAL_MS = 50  # drawing the views takes longer than this anyway
MAX_PAIRS = 10
MAX_COMPARE_WEEKS = 1_040
TABS = ("Live run", "Compare two settings", "How it works")
# Slider values stay visible (a room cannot see a value that only shows while dragging).
CSS = """
.v-slider-thumb__label-container { display: block !important; }
.v-slider-thumb__label { font-size: 0.7rem; }
.v-slider.v-input { margin-top: 22px; }
.solara-markdown h2:first-child { margin-top: 0; }
"""


class PortInUseError(OSError):
    """The address the app should listen on is already taken."""

    def __str__(self) -> str:
        return str(self.strerror)


# ---------------------------------------------------------------------------- state
class AppState:
    """What one browser session remembers: the presets, the live model, the comparison.

    Args:
        scenario_path: Scenario file to start with (``None``: ``baseline`` if present,
            else the model's defaults).
        dirs: Folders with preset scenario files (default: ``scenarios/``).

    Raises:
        ScenarioError: if ``scenario_path`` is not a valid journey scenario.
    """

    def __init__(
        self, scenario_path: str | Path | None = None, dirs: Sequence[Path] | None = None
    ) -> None:
        self.scenario_path = scenario_path
        self.presets, self.problems = find_presets(scenario_path, dirs)
        self.preset = solara.reactive(initial_preset(self.presets, scenario_path))
        self.live: solara.Reactive[AppModel] | None = None  # set by the workspace
        self.tab = solara.reactive(0)
        self.b_values: solara.Reactive[dict[str, Any]] = solara.reactive({})
        self.weeks: solara.Reactive[int | None] = solara.reactive(None)
        self.pairs = solara.reactive(1)
        self.comparison: solara.Reactive[Comparison | None] = solara.reactive(None)
        self.compare_error: solara.Reactive[str] = solara.reactive("")

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


# ----------------------------------------------------------------------- components
MD_CLASSES = ["solara-markdown", "rendered_html", "jp-RenderedHTMLCommon"]


@solara.component
def Md(text: str, style: str | None = None):  # noqa: N802
    """Markdown rendered on the server (needs no script from the internet)."""
    html = solara.use_memo(lambda: markdown.markdown(text, extensions=["tables"]), [text])
    solara.HTML(tag="div", unsafe_innerHTML=html, classes=MD_CLASSES, style=style)


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
    """The sidebar's first card: choose a preset and read what to do."""
    preset = state.current_preset()
    with solara.Card("Start here"):
        solara.Select(
            "Preset",
            values=list(state.presets),
            value=state.preset.value,
            on_value=state.preset.set,
        )
        if preset.description:
            Md(f"*{escape(preset.description)}*")
        Md(
            "Press **▶** to play or **Step** for one week. To try a change, move a slider "
            "below and press **Reset**: a new run starts with your settings."
        )
        for problem in state.problems:
            solara.Warning(f"Not offered as a preset: {problem}", dense=True)


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
    with solara.Row():
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


def _points(x: float) -> str:
    return "–" if math.isnan(x) else f"{100 * x:+.1f} points"


def _share(count: int, share: float) -> str:
    return f"{count}" if math.isnan(share) else f"{count} ({share:.0%})"


def describe_changes(changes: dict[str, tuple[Any, Any]]) -> str:
    """What B changes, e.g. "trust 0.5 → 0.3; urgency 0.4 → 0.9", from (A, B) pairs."""
    return "; ".join(
        f"{label(k).lower()} {format_value(a)} → {format_value(b)}" for k, (a, b) in changes.items()
    )


def comparison_markdown(c: Comparison) -> str:
    """The numbers of a comparison: shares of A and B and the difference, per outcome."""
    seeds = f"seed {c.seeds[0]}" if len(c.seeds) == 1 else f"seeds {c.seeds[0]}–{c.seeds[-1]}"
    runs = "one run" if len(c.seeds) == 1 else f"{len(c.seeds)} paired runs"
    what = (
        describe_changes(c.changes) or "nothing (A and B are the same, so the runs are identical)"
    )
    rows = [r for r in c.rows() if not math.isnan(r["difference"])]
    biggest = max(rows, key=lambda r: abs(r["difference"]), default=None)
    lines = [
        f"**B changes:** {what}.  ",
        f"Both settings ran {c.steps} weeks with the same {seeds} ({runs} each), so the "
        "difference below comes from the change, not from chance.",
        "",
        *(
            [
                f"**Biggest difference:** {outcome_label(biggest['outcome'])}, "
                f"{_points(biggest['difference'])}.",
                "",
            ]
            if biggest is not None and biggest["difference"] != 0
            else []
        ),
        "| outcome | A | B | difference (B − A) |",
        "|---|---:|---:|---:|",
    ]
    lines.extend(
        f"| {outcome_label(row['outcome'])} | {_share(row['a_count'], row['a_share'])} | "
        f"{_share(row['b_count'], row['b_share'])} | **{_points(row['difference'])}** |"
        for row in c.rows()
    )
    lines += [
        f"| *initiatives ended* | {c.a.tally.ended} | {c.b.tally.ended} | "
        f"{c.b.tally.ended - c.a.tally.ended:+d} |",
        f"| *value created per run* | {c.a.value_created:.2f} | {c.b.value_created:.2f} | "
        f"{c.b.value_created - c.a.value_created:+.2f} |",
        f"| *mean trust at the end* | {c.a.mean_trust:.2f} | {c.b.mean_trust:.2f} | "
        f"{c.b.mean_trust - c.a.mean_trust:+.2f} |",
        "",
        "Shares are of the initiatives that were started and ended (counts in front).",
    ]
    return "\n".join(lines)


@solara.component
def CompareView(state: AppState, model: AppModel):  # noqa: N802
    """Two settings side by side, run with the same seed."""
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
        "Compare the live run's settings (**A**) with a variation (**B**). Both run with "
        f"the same random seed ({model.seed}), for the same number of weeks, so what differs "
        "is what the change did, not luck."
    )
    with solara.Columns([1, 1]):
        with solara.Card("A: the live run's settings", margin=0):
            Md(
                "\n".join(
                    f"- {c.label}: **{format_value(a_values[c.name])}**"
                    for c in controls(a_values)
                    if c.name != "steps"
                )
                + "\n\nChange A with the sidebar's sliders and **Reset**."
            )
        with solara.Card("B: what if…", margin=0):
            differs = describe_changes(param_changes(a_values, b_values))
            Md("**Differs from A:** " + (differs or "nothing yet: move a slider"))
            SettingSliders(b_values, set_b)
            solara.Button(
                "Start B from A", on_click=lambda: state.b_values.set(dict(a_values)), outlined=True
            )
    with solara.Card("Run both", margin=0):
        with solara.Row(style={"align-items": "center"}):
            solara.SliderInt(
                "Weeks",
                value=weeks,
                min=1,
                max=max(weeks, int(a_values["steps"]), MAX_COMPARE_WEEKS),
                on_value=state.weeks.set,
                thumb_label="always",
            )
            solara.SliderInt(
                "Paired runs",
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
            Picture(lambda: comparison_figure(result), [result], width="70%")
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
    """One live run with its controls (re-created when the preset changes)."""
    live = solara.use_memo(lambda: solara.reactive(new_model(preset)), [])
    params = solara.use_memo(lambda: model_params(preset), [])
    state.live = live

    def stop_when_gone() -> Callable[[], None]:
        def cleanup() -> None:
            live.value.running = False  # ends a play loop that belonged to this run

        return cleanup

    solara.use_effect(stop_when_gone, [])
    SolaraViz(live, components=[], model_params=params, name=TITLE, play_interval=PLAY_INTERVAL_MS)
    model = live.value
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
def AfterRender(action: Callable[[], None]):  # noqa: N802
    """Calls ``action`` once, after the page has been drawn with this component in it."""
    solara.use_effect(action, [])


@solara.component
def WhatIfApp(state: AppState):  # noqa: N802
    """The whole app for one session."""
    solara.Title(TITLE)
    solara.Style(CSS)
    preset = state.current_preset()
    # Solara's layout keeps a sidebar component's state while a component of the same kind
    # sits in the same place, so a new Workspace would inherit the old run's controls (and
    # their reset settings). On a change of preset the controls therefore leave the
    # sidebar for one render before the new ones come in.
    shown, set_shown = solara.use_state(preset.name)
    switching = shown != preset.name
    with solara.Sidebar():
        PresetCard(state)
        if switching:
            AfterRender(lambda: set_shown(preset.name))
    if switching:
        solara.ProgressLinear(True)
        return
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


@solara.component
def Page():  # noqa: N802
    """The page the server shows; its scenario comes from ``$CONSIM_APP_SCENARIO``."""
    path = os.environ.get(SCENARIO_ENV) or None
    state = solara.use_memo(lambda: AppState(path), [path])
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
    if "__default__" not in solara_apps.apps:
        solara_apps.apps["__default__"] = solara_apps.AppScript(APP_REF)
    return solara_server.app


def serve(scenario: str | None, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve the app on ``http://host:port`` until interrupted (Ctrl+C).

    The port is claimed before anything starts, so a taken port fails at once. The
    browser front end is fetched once with npm (see :mod:`sim.app.assets`) and pictures
    are drawn on the server, so the app then works without an internet connection.

    Args:
        scenario: Scenario file to start with (``None``: ``baseline`` if there is one in
            ``scenarios/``, else the model's defaults).
        host: Interface to listen on (``0.0.0.0`` to let others in the room connect).
        port: Port to listen on.

    Raises:
        ScenarioError: if ``scenario`` is not a valid journey scenario.
        PortInUseError: if the port is taken (an ``OSError``).
    """
    if scenario is not None:
        preset_from_file(scenario)
    sock = _bind(host, port)
    port = sock.getsockname()[1]  # the one the system chose, if port was 0
    try:
        from sim.app.assets import ensure_assets, missing_packages

        if missing_packages():
            print("Fetching the app's browser front end (first start only)...", flush=True)
            for problem in ensure_assets():
                print(f"warning: {problem}", file=sys.stderr, flush=True)
        os.environ[SCENARIO_ENV] = str(Path(scenario).resolve()) if scenario else ""
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
