"""Headless tests of the what-if app: controls, stepping, resetting, presets, compare mode."""

from __future__ import annotations

import json
import math
import socket
import subprocess
import sys
import time
from pathlib import Path

import ipyvuetify as v
import numpy as np
import pytest
import solara

from sim.analysis.paired import PairedDifference, paired_difference
from sim.app.page import (
    SPEEDS,
    AppState,
    PortInUseError,
    WhatIfApp,
    build_page,
    comparison_markdown,
    serve,
)
from sim.app.replay import RunRef, SweepRunError, stored_run
from sim.app.state import (
    CONTROL_NAMES,
    DEFAULTS_PRESET,
    LIVE_CAPS,
    STAGE_TEXT,
    AppModel,
    Comparison,
    compare_runs,
    controls,
    describe_event,
    explainer_markdown,
    find_presets,
    label,
    new_model,
    notable_events,
    sweep_preset,
    tally,
)
from sim.engine.seeds import run_seed
from sim.engine.store import load_runs
from sim.io.scenario import ScenarioError
from sim.journey.initiatives import Event
from sim.journey.measures import measure_all
from sim.journey.model import JourneyModel
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


SWEEP = """\
name: tiny-sweep
model: journey
seed: 11
parameters:
  n_organisations: 30
  steps: 104
sweep:
  parameters:
    trust: {uniform: [0.1, 0.9]}
    consortium_size: {integers: [3, 6]}
    network_structure: {choice: [small_world, random]}
  design: {method: latin, n: 6, seed: 2}
  replicates: 2
"""


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    from sim.sweeps import sweep_scenario

    folder = tmp_path_factory.mktemp("sweep")
    (folder / "tiny.yaml").write_text(SWEEP)
    sweep_scenario(folder / "tiny.yaml", out_dir=folder / "store", workers=1)
    return folder / "store"


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
def test_compare_pairs_runs_by_seed():
    base = JourneyParameters(n_organisations=60).model_dump()
    same = compare_runs(base, dict(base), seed=5, steps=80, pairs=3)
    assert same.seeds == [5, 6, 7]
    assert same.changes == {}
    for run_a, run_b in zip(same.a.runs, same.b.runs, strict=True):  # common random numbers
        assert run_a == pytest.approx(run_b, nan_ok=True, rel=0, abs=0)
    for _, d in same.rows():
        assert d.difference == 0 or math.isnan(d.difference)
        assert not d.conclusive
    changed = compare_runs(base, {**base, "trust": 0.2}, seed=5, steps=80, pairs=4)
    assert changed.changes == {"trust": (0.5, 0.2)}
    assert len(changed.a.timelines[0]) == len(changed.b.timelines[0]) == 81
    d = changed.difference("value_created")
    a, b = changed.a.values("value_created"), changed.b.values("value_created")
    expected = paired_difference(a, b)
    assert d.difference == pytest.approx(float(np.mean(b - a)))
    assert (d.low, d.high, d.n) == (expected.low, expected.high, expected.n)
    # each run of a setting is the run with that seed
    for k, seed in enumerate(changed.seeds):
        model = JourneyModel(JourneyParameters(**{**base, "trust": 0.2, "steps": 80}), rng=seed)
        while model.running:
            model.step()
        assert changed.b.runs[k]["value_created"] == measure_all(model)["value_created"]


def _comparison(difference: PairedDifference) -> Comparison:
    """A comparison whose headline outcomes have the given paired difference."""
    base = JourneyParameters(n_organisations=30, steps=20).model_dump()
    c = compare_runs(base, {**base, "trust": 0.9}, seed=1, steps=20, pairs=2)
    c.difference = lambda name: difference  # type: ignore[method-assign]
    return c


def test_change_not_chance_only_when_the_interval_excludes_zero():
    clear = PairedDifference(20, 0, 0.2, 0.3, 0.1, 0.05, 0.15)
    unclear = PairedDifference(20, 0, 0.2, 0.22, 0.02, -0.03, 0.07)
    few = PairedDifference(1, 0, 0.2, 0.3, 0.1, float("nan"), float("nan"))
    phrase = "comes from the change, not from chance"
    text = comparison_markdown(_comparison(clear))
    assert phrase in text
    assert "Value creation: B − A = +10.0 points (95% CI +5.0 to +15.0, n = 20)" in text
    assert "Graceful exit: B − A" in text
    assert phrase not in comparison_markdown(_comparison(unclear))
    assert "cannot be told apart from chance" in comparison_markdown(_comparison(unclear))
    assert phrase not in comparison_markdown(_comparison(few))
    assert "Too few pairs to conclude" in comparison_markdown(_comparison(few))


def test_headline_of_a_real_comparison_is_value_creation_and_graceful_exit():
    base = JourneyParameters(n_organisations=60).model_dump()
    c = compare_runs(base, {**base, "self_interest": 0.9}, seed=0, steps=156, pairs=12)
    text = comparison_markdown(c)
    first = text.index("### Value creation")
    assert first < text.index("### Graceful exit") < text.index("| outcome |")
    for name in ("value_creation_share", "graceful_exit_share"):
        d = c.difference(name)
        said = (
            "comes from the change, not from chance"
            in text.split("### ")[1 if name == "value_creation_share" else 2]
        )
        assert said == d.conclusive, (name, d)
    assert "12 seeds 0–11" in text


def test_compare_view_runs_both_settings(scenario_dir: Path):
    state = AppState(scenario_dir / "sceptics.yaml", dirs=[])
    box, rc = render(state)
    rc.find(v.Tabs).widgets[-1].v_model = 1
    trust_b = rc.find(v.Slider, label="Trust").widgets[-1]
    trust_b.v_model = 0.6
    assert "trust 0.2 → 0.6" in text_of(box)
    rc.find(v.Slider, label="Weeks").widget.v_model = 30
    rc.find(v.Slider, label="Paired seeds").widget.v_model = 5
    rc.find(v.Btn, children=["Run A and B"]).widget.click()
    deadline = time.monotonic() + 60
    while state.comparison.value is None and time.monotonic() < deadline:
        time.sleep(0.1)
    c = state.comparison.value
    assert c is not None, state.compare_error.value
    assert c.steps == 30
    assert c.seeds == [7, 8, 9, 10, 11]
    assert c.changes == {"trust": (0.2, 0.6)}
    deadline = time.monotonic() + 10
    while "95% CI" not in text_of(box) and "Too few pairs" not in text_of(box):
        assert time.monotonic() < deadline
        time.sleep(0.1)


# ------------------------------------------------------------------- speed
def test_speed_controls_are_in_plain_words(scenario_dir: Path):
    state = AppState(dirs=[scenario_dir])
    box, rc = render(state)
    labels = {w.label for w in rc.find(v.Slider).widgets} | {
        w.label for w in rc.find(v.Select).widgets
    }
    labels |= {w.label for w in rc.find(v.Checkbox).widgets}
    for jargon in ("Play Interval (ms)", "Render Interval (steps)", "Use Threads"):
        assert jargon not in labels
        assert jargon not in text_of(box)
    speed = rc.find(v.Select, label="Speed").widget
    assert list(speed.items) == [s.label for s in SPEEDS]
    speed.v_model = SPEEDS[-1].label
    assert rc.find(v.Slider, label="Weeks between redraws").widget.v_model == 4


def test_fast_forward_plays_the_whole_run(scenario_dir: Path):
    state = AppState(scenario_dir / "sceptics.yaml", dirs=[])
    box, rc = render(state)
    model = state.model
    (fast,) = [b for b in rc.find(v.Btn).widgets if "Fast-forward to the end" in b.children]
    fast.click()
    deadline = time.monotonic() + 120
    while model.running and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not model.running
    assert model.tick == model.params.steps == 40
    deadline = time.monotonic() + 30
    while "Week 40 of 40" not in text_of(box):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    # the same run as one played week by week
    again = AppModel(seed=model.seed, preset=model.preset, **model.requested)
    while again.running:
        again.step()
    assert measure_all(again) == pytest.approx(measure_all(model), nan_ok=True, rel=0, abs=0)
    again.step()  # a finished run stays finished
    assert again.tick == 40


# ------------------------------------------------------------------ replay
def test_replayed_sweep_run_is_identical(sweep_dir: Path):
    manifest = json.loads((sweep_dir / "manifest.json").read_text())
    runs = load_runs(sweep_dir)
    for point, replicate in ((0, 0), (3, 1), (5, 0)):
        run = stored_run(RunRef(sweep_dir, point, replicate))
        assert run.seed == run_seed(manifest["root_seed"], point, replicate)
        row = runs[(runs["point"] == point) & (runs["replicate"] == replicate)].iloc[0]
        assert run.seed == row["seed"]
        for name in manifest["problem"]["names"]:
            assert run.params[name] == row[name]
        model = new_model(sweep_preset(run))
        assert model.seed == run.seed
        while model.running:
            model.step()
        replayed = measure_all(model)
        assert run.outcomes
        for name, value in run.outcomes.items():
            assert replayed[name] == value, name  # bit for bit


def test_app_starts_with_a_sweep_run_and_the_picker_switches(sweep_dir: Path, scenario_dir):
    state = AppState(dirs=[scenario_dir], replay=RunRef(sweep_dir, 2, 1))
    box, _ = render(state)
    run = stored_run(RunRef(sweep_dir, 2, 1))
    assert state.model.seed == run.seed
    assert state.model.preset == run.name == "sweep tiny-sweep · point 2 · replicate 1"
    assert f"seed {run.seed}" in text_of(box)
    assert "In the sweep it ended with" in text_of(box)
    state.replay(RunRef(sweep_dir, 4, 0))
    assert state.model.seed == stored_run(RunRef(sweep_dir, 4, 0)).seed
    state.replay(RunRef(sweep_dir, 99, 0))
    assert "--point 99" in state.replay_error.value
    assert state.model.preset.endswith("point 4 · replicate 0")


def test_bad_sweep_runs_get_one_line_messages(sweep_dir: Path, tmp_path: Path):
    cases = [
        (RunRef(tmp_path / "nowhere", 0, 0), "not a sweep folder"),
        (RunRef(sweep_dir, 6, 0), "--point 6: the sweep in"),
        (RunRef(sweep_dir, 0, 2), "--replicate 2: the sweep in"),
    ]
    for ref, message in cases:
        with pytest.raises(SweepRunError, match=message) as info:
            stored_run(ref)
        assert "\n" not in str(info.value)


def test_cli_refuses_a_bad_sweep_run_before_serving(sweep_dir: Path, tmp_path: Path):
    for args, message in (
        (["--from", str(tmp_path)], "not a sweep folder"),
        (["--from", str(sweep_dir), "--point", "40"], "--point 40: the sweep in"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "sim.cli", "app", *args, "--port", "1"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 2, done.stderr
        assert message in done.stderr
        assert "Traceback" not in done.stderr


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
