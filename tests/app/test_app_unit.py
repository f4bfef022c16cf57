"""Headless tests of the what-if app: controls, stepping, resetting, presets, compare mode."""

from __future__ import annotations

import math
import socket
import time
from pathlib import Path

import ipyvuetify as v
import pytest
import solara

from sim.app.page import AppState, PortInUseError, WhatIfApp, build_page, comparison_markdown, serve
from sim.app.state import (
    CONTROL_NAMES,
    DEFAULTS_PRESET,
    LIVE_CAPS,
    STAGE_TEXT,
    AppModel,
    compare_runs,
    controls,
    describe_event,
    explainer_markdown,
    find_presets,
    label,
    notable_events,
    tally,
)
from sim.io.scenario import ScenarioError
from sim.journey.initiatives import Event
from sim.journey.parameters import JourneyParameters
from sim.journey.stages import Outcome, Stage
from sim.parameters import parameter_info

PRESET_A = """\
name: sceptics
description: Low trust between strangers.
model: journey
seed: 7
parameters:
  trust: 0.2
  consortium_size: 4
  steps: 40
"""
PRESET_B = """\
name: friends
model: journey
seed: 3
parameters:
  trust: 0.8
  network_structure: random
  n_organisations: 60
"""
OTHER_MODEL = """\
name: teams
model: team_assembly
parameters:
  steps: 10
"""


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    d = tmp_path / "scenarios"
    d.mkdir()
    (d / "sceptics.yaml").write_text(PRESET_A)
    (d / "friends.yml").write_text(PRESET_B)
    (d / "teams.yaml").write_text(OTHER_MODEL)
    (d / "broken.yaml").write_text("name: broken\nparameters:\n  trust: 7\n")
    return d


def render(state: AppState):
    """Render the app as the server does (inside Solara's app layout)."""
    return solara.render(solara.AppLayout(children=[WhatIfApp(state)]), handle_error=False)


def text_of(box) -> str:
    """All HTML and text shown in a rendered widget tree."""
    out: list[str] = []

    def walk(w) -> None:
        for attr in ("unsafe_innerHTML", "value", "v_model"):
            val = getattr(w, attr, None)
            if isinstance(val, str):
                out.append(val)
        for child in getattr(w, "children", []) or []:
            if not isinstance(child, str):
                walk(child)
            else:
                out.append(child)

    walk(box)
    return "\n".join(out)


def slider(rc, name: str):
    return rc.find(v.Slider, label=label(name)).widget


# ---------------------------------------------------------------------- controls
def test_controls_exist(scenario_dir: Path):
    state = AppState(dirs=[scenario_dir])
    _, rc = render(state)
    labels = {w.label for w in rc.find(v.Slider).widgets}
    info = parameter_info(JourneyParameters)
    for name in CONTROL_NAMES:
        if info[name].kind == "choice":
            rc.find(v.Select, label=label(name)).assert_single()
        else:
            assert label(name) in labels, name
    for caption in ("Reset", "Step"):
        rc.find(v.Btn, children=[caption]).assert_single()
    rc.find(v.Btn, children=["▶"]).assert_single()
    rc.find(v.TextField, label="Random seed").assert_single()
    presets = rc.find(v.Select, label="Preset").widget
    assert list(presets.items) == [DEFAULTS_PRESET, "friends", "sceptics"]
    # the broken file is reported, the other model's file is left out quietly
    assert any("broken.yaml" in p for p in state.problems)
    assert not any("teams" in p for p in state.problems)


def test_slider_ranges_come_from_parameter_definitions():
    info = parameter_info(JourneyParameters)
    for c in controls():
        spec = info[c.name]
        if c.kind == "choice":
            assert c.choices == spec.choices
            continue
        assert c.low == spec.low
        assert c.high == min(spec.high, LIVE_CAPS.get(c.name, spec.high))
    # a preset beyond a cap widens its slider
    wide = {c.name: c for c in controls({"n_organisations": 1000})}
    assert wide["n_organisations"].high == 1000


def test_empty_scenario_folder_offers_the_defaults(tmp_path: Path):
    presets, problems = find_presets(None, dirs=[tmp_path])
    assert list(presets) == [DEFAULTS_PRESET]
    assert problems == []
    state = AppState(dirs=[tmp_path])
    box, _ = render(state)
    assert state.model.params == JourneyParameters()
    assert "Week 0 of 260" in text_of(box)


# ----------------------------------------------------------------- step / reset
def test_step_and_reset_change_the_model(scenario_dir: Path):
    state = AppState(dirs=[scenario_dir])
    box, rc = render(state)
    first = state.model
    assert first.tick == 0
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert state.model is first
    assert first.tick == 2
    assert "Week 2 of" in text_of(box)
    assert len(first.timeline_frame()) == 3
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert state.model is not first
    assert state.model.tick == 0
    assert "Week 0 of" in text_of(box)


def test_slider_values_reach_the_model_with_their_types(scenario_dir: Path):
    state = AppState(dirs=[scenario_dir])
    box, rc = render(state)
    slider(rc, "trust").v_model = 0.7
    slider(rc, "consortium_size").v_model = 7
    slider(rc, "n_organisations").v_model = 80
    rc.find(v.Select, label=label("network_structure")).widget.v_model = "random"
    seed = rc.find(v.TextField, label="Random seed").widget
    seed.v_model = "7"
    seed.fire_event("focusout", {})
    rc.find(v.Btn, children=["Reset"]).widget.click()
    m = state.model
    assert m.tick == 0
    assert m.seed == 7
    assert m.params.trust == pytest.approx(0.7)
    assert m.params.consortium_size == 7
    assert m.params.n_organisations == 80
    assert m.params.network_structure == "random"
    for name, kind in (("trust", float), ("consortium_size", int), ("network_structure", str)):
        assert type(m.requested[name]) is kind, name
        assert type(getattr(m.params, name)) is kind, name
    assert m.n == 80
    assert "trust 0.70" in text_of(box)


def test_int_parameters_stay_int_when_a_slider_reports_a_float():
    m = AppModel(seed="11", consortium_size=6.0, trust=1, network_structure="random", steps=5)
    assert type(m.params.consortium_size) is int
    assert type(m.params.trust) is float
    assert m.seed == 11
    assert AppModel(seed="workshop", steps=2).seed == AppModel(seed="workshop", steps=2).seed


def test_choosing_a_preset_starts_a_new_run_with_its_settings(scenario_dir: Path):
    state = AppState(dirs=[scenario_dir])
    box, rc = render(state)
    rc.find(v.Btn, children=["Step"]).widget.click()
    old = state.model
    rc.find(v.Select, label="Preset").widget.v_model = "sceptics"
    m = state.model
    assert m is not old
    assert not old.running  # a play loop of the old run stops
    assert (m.preset, m.seed, m.params.trust, m.params.consortium_size) == ("sceptics", 7, 0.2, 4)
    assert slider(rc, "trust").v_model == pytest.approx(0.2)
    assert "Low trust between strangers" in text_of(box)
    # a reset keeps the preset's other parameters
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert state.model.params.steps == 40


def test_scenario_file_given_is_the_starting_preset(scenario_dir: Path):
    state = AppState(scenario_dir / "friends.yml", dirs=[])
    render(state)
    assert state.model.preset == "friends"
    assert state.model.params.network_structure == "random"
    assert state.model.n == 60


def test_build_page_rejects_a_bad_scenario(tmp_path: Path, scenario_dir: Path):
    with pytest.raises(ScenarioError):
        build_page(str(tmp_path / "missing.yaml"))
    with pytest.raises(ScenarioError, match="journey model"):
        build_page(str(scenario_dir / "teams.yaml"))
    page = build_page(str(scenario_dir / "sceptics.yaml"))
    box, _ = solara.render(solara.AppLayout(children=[page()]), handle_error=False)
    assert "Preset sceptics" in text_of(box)


# ------------------------------------------------------------------ live views
def test_tabs_show_compare_mode_and_the_guide(scenario_dir: Path):
    state = AppState(dirs=[scenario_dir])
    box, rc = render(state)
    tabs = rc.find(v.Tabs).widgets[-1]
    tabs.v_model = 2
    text = text_of(box)
    assert "What each slider does" in text
    tabs.v_model = 1
    rc.find(v.Btn, children=["Run A and B"]).assert_single()
    tabs.v_model = 0
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert "Week 1 of" in text_of(box)


def test_explainer_covers_every_stage_and_slider():
    text = explainer_markdown()
    for stage in STAGE_TEXT:
        assert stage.label.capitalize() in text
    for o in Outcome:
        assert o.value.replace("_", " ").capitalize() in text
    for c in controls():
        assert f"**{c.label}**" in text
        assert c.info.doc[:40] in text


def test_events_are_phrased_for_people():
    m = AppModel(steps=60, seed=1)
    while m.running:
        m.step()
    assert m.initiatives
    name = m.initiatives[0].name
    e = Event(
        31, 0, "transition", "cohering", "ended", "graceful_exit", "two partners lost confidence"
    )
    assert (
        describe_event(m, e) == f"{name} exited gracefully at week 31: two partners lost confidence"
    )
    lapsed = Event(
        3, 0, "transition", "latent_value", "ended", "lapsed", "nobody acted on the opportunity"
    )
    assert describe_event(m, lapsed) is None
    assert describe_event(m, Event(3, 0, "join", "exploring", "exploring", "", "x joins")) is None
    log = notable_events(m, limit=5)
    assert 0 < len(log) <= 5
    assert all(" at week " in line or line.startswith("At week ") for line in log)


def test_tally_matches_the_run_measures():
    m = AppModel(steps=120, seed=3)
    while m.running:
        m.step()
    t = tally(m)
    measures = m.run_record().measures
    for o, share in t.shares().items():
        assert share == pytest.approx(measures[f"{o}_share"], nan_ok=True)


def test_report_export_is_the_run_report(scenario_dir: Path):
    state = AppState(dirs=[scenario_dir])
    _, rc = render(state)
    for _ in range(5):
        rc.find(v.Btn, children=["Step"]).widget.click()
    m = state.model
    tl = m.timeline_frame()
    assert list(tl["tick"]) == list(range(6))
    for s in Stage:
        if s is not Stage.ENDED:
            assert f"orgs_{s.name.lower()}" in tl
    assert {"mean_trust", "trust_sd"} <= set(tl.columns)
    html = m.report_html()
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "Run report" in html
    assert m.report_filename() == f"report-model-defaults-seed{m.seed}-week5.html"
    from solara.components.file_download import FileDownloadWidget

    download = rc.find(FileDownloadWidget).widget
    assert download.filename == m.report_filename()


# -------------------------------------------------------------------- compare
def test_compare_uses_common_random_numbers():
    base = JourneyParameters(n_organisations=60).model_dump()
    same = compare_runs(base, dict(base), seed=5, steps=80, pairs=2)
    assert same.seeds == [5, 6]
    assert same.changes == {}
    assert same.a.tally.counts == same.b.tally.counts
    assert all(r["difference"] == 0 or math.isnan(r["difference"]) for r in same.rows())
    changed = compare_runs(base, {**base, "trust": 0.2}, seed=5, steps=80)
    assert changed.changes == {"trust": (0.5, 0.2)}
    assert len(changed.a.timelines[0]) == len(changed.b.timelines[0]) == 81
    rows = {r["outcome"]: r for r in changed.rows()}
    for o, r in rows.items():
        diff = changed.b.tally.shares()[o] - changed.a.tally.shares()[o]
        assert r["difference"] == pytest.approx(diff, nan_ok=True)
    text = comparison_markdown(changed)
    assert "trust 0.5 → 0.2" in text
    assert "points" in text


def test_compare_view_runs_both_settings(scenario_dir: Path):
    state = AppState(scenario_dir / "sceptics.yaml", dirs=[])
    box, rc = render(state)
    rc.find(v.Tabs).widgets[-1].v_model = 1
    trust_b = rc.find(v.Slider, label="Trust").widgets[-1]
    trust_b.v_model = 0.6
    assert "trust 0.2 → 0.6" in text_of(box)
    rc.find(v.Slider, label="Weeks").widget.v_model = 30
    rc.find(v.Btn, children=["Run A and B"]).widget.click()
    deadline = time.monotonic() + 60
    while state.comparison.value is None and time.monotonic() < deadline:
        time.sleep(0.1)
    c = state.comparison.value
    assert c is not None, state.compare_error.value
    assert c.steps == 30
    assert c.seeds == [7]
    assert c.changes == {"trust": (0.2, 0.6)}
    deadline = time.monotonic() + 10
    while "Biggest difference" not in text_of(box) and "B changes" not in text_of(box):
        assert time.monotonic() < deadline
        time.sleep(0.1)


# ---------------------------------------------------------------------- serve
def test_serve_refuses_a_port_in_use():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError, match="already in use") as info:
            serve(None, "127.0.0.1", port)
    assert isinstance(info.value, OSError)


def test_serve_rejects_a_bad_scenario_before_starting(tmp_path: Path):
    with pytest.raises(ScenarioError):
        serve(str(tmp_path / "nope.yaml"), "127.0.0.1", 0)


def test_printed_address():
    from sim.app.page import _address

    assert _address("127.0.0.1", 8765) == "http://127.0.0.1:8765/"
    assert _address("::1", 8000) == "http://[::1]:8000/"
    assert "http://localhost:8765/" in _address("0.0.0.0", 8765)


def test_front_end_packages_are_read_from_the_page_template():
    from sim.app.assets import required_packages

    names = dict(required_packages())
    assert "requirejs" in names
    assert sum("solara-vuetify" in n for n in names) == 1  # only the variant in use
