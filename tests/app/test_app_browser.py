"""The what-if app in a real browser: headless Chromium drives the served app.

Chromium comes from Debian (``/usr/bin/chromium``); if it is missing, the session set-up
installs it with ``scripts/install-browser.sh`` and fails with a clear message if that is
not possible. Every test runs at a projector's 1024 x 768 and at 1920 x 1080 (or says
which); screenshots are saved to ``test-artifacts/`` (``app-1024.png``, ...).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
INSTALL_SCRIPT = ROOT / "scripts" / "install-browser.sh"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT_S = 180  # the first start may fetch the browser front end with npm
UI_TIMEOUT_MS = 90_000  # generous: the test machine may be busy
PAIRS = 5  # paired seeds of the compare tab's test


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, installed with the project's script when missing."""
    if not CHROMIUM.exists():
        try:
            done = subprocess.run(
                ["sh", str(INSTALL_SCRIPT)],
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            log = (done.stdout + done.stderr)[-2000:]
        except (OSError, subprocess.TimeoutExpired) as exc:
            log = str(exc)
        if not CHROMIUM.exists():
            pytest.fail(
                f"Chromium is needed for the browser tests and could not be installed at "
                f"{CHROMIUM}. Run `sudo sh scripts/install-browser.sh` (Debian/Ubuntu: "
                f"apt-get install chromium chromium-driver). Installer output:\n{log}",
                pytrace=False,
            )
    return CHROMIUM


@pytest.fixture(scope="session")
def front_end() -> None:
    """The app's browser front end in the server's cache (fetched once with npm)."""
    from sim.app.assets import ensure_assets, missing_packages

    problems = ensure_assets()
    if missing_packages():
        pytest.fail(
            "the app's browser front end is missing and could not be fetched: "
            + "; ".join(problems),
            pytrace=False,
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_serving(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the app server exited early:\n{log.read_text()[-3000:]}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    pytest.fail(f"the app server did not answer within {START_TIMEOUT_S} s", pytrace=False)


def _serve(args: list[str], log: Path) -> Iterator[str]:
    """Serve the app with ``consim app ARGS`` on a free port; yields its address."""
    from sim.journey.model import JourneyModel

    # compile the model's loops into the disk cache first: a server compiling them on a
    # busy machine during its first play answers too slowly for the clicks below
    warm = JourneyModel(rng=0)
    while warm.running:
        warm.step()
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "sim.cli", "app", *args, "--port", str(port)]
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_serving(url, proc, log)
        assert url in log.read_text()  # the command prints the address
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


@pytest.fixture(scope="session")
def app_url(front_end, tmp_path_factory) -> Iterator[str]:
    """The app served by ``consim app`` in a subprocess on a free localhost port."""
    yield from _serve([], tmp_path_factory.mktemp("app-server") / "server.log")


SWEEP = """\
name: room-sweep
model: journey
seed: 5
parameters:
  n_organisations: 40
  steps: 104
sweep:
  parameters:
    trust: {uniform: [0.1, 0.9]}
    urgency: {uniform: [0.0, 0.9]}
  design: {method: latin, n: 4, seed: 3}
  replicates: 2
"""


@pytest.fixture(scope="session")
def sweep_dir(tmp_path_factory) -> Path:
    """A small stored sweep of the journey model."""
    from sim.sweeps import sweep_scenario

    folder = tmp_path_factory.mktemp("room-sweep")
    (folder / "room.yaml").write_text(SWEEP)
    sweep_scenario(folder / "room.yaml", out_dir=folder / "store", workers=1)
    return folder / "store"


@pytest.fixture(scope="session")
def replay_url(front_end, sweep_dir: Path, tmp_path_factory) -> Iterator[str]:
    """The app started on run (point 1, replicate 1) of the stored sweep."""
    args = ["--from", str(sweep_dir), "--point", "1", "--replicate", "1"]
    yield from _serve(args, tmp_path_factory.mktemp("replay-server") / "server.log")


SIZES = {"1024x768": (1024, 768), "1920x1080": (1920, 1080)}


@pytest.fixture(params=list(SIZES))
def size(request) -> tuple[int, int]:
    """A screen: a projector's 1024 x 768, and a 1920 x 1080 one."""
    return SIZES[request.param]


@pytest.fixture
def page(chromium: Path, request, size):
    """A fresh browser page; on failure its screenshot and text go to ``test-artifacts/``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": size[0], "height": size[1]})
            context.set_default_timeout(UI_TIMEOUT_MS)
            pg = context.new_page()
            yield pg
            report = getattr(request.node, "rep_call", None)
            if report is not None and report.failed:
                ARTIFACTS.mkdir(exist_ok=True)
                stem = ARTIFACTS / f"failed-{request.node.name}"
                with contextlib.suppress(Exception):
                    pg.screenshot(path=f"{stem}.png")
                    Path(f"{stem}.txt").write_text(pg.inner_text("body"), encoding="utf-8")
        finally:
            with contextlib.suppress(Exception):
                browser.close()


def _week(page) -> int:
    match = re.search(r"Week (\d+) of \d+", page.inner_text("body"))
    assert match, "the week counter is not on the page"
    return int(match.group(1))


def _slider(page, label: str):
    return page.locator(f'.v-slider:has(label.v-label:text-is("{label}")) [role="slider"]').first


def _open(page, url: str) -> None:
    page.goto(url, timeout=UI_TIMEOUT_MS)
    page.get_by_text(re.compile(r"Week 0 of \d+")).wait_for()
    page.locator(".consim-main img").first.wait_for()


def _shot(page, name: str, size: tuple[int, int]) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{name}-{size[0]}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    return shot


def _assert_uncovered(page, locator, size: tuple[int, int]) -> None:
    """The element can be scrolled to, lies inside the window and nothing covers it."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0
    assert box["x"] + box["width"] <= size[0] + 1 and box["y"] + box["height"] <= size[1] + 1
    for fx, fy in ((0.5, 0.5), (0.1, 0.5), (0.9, 0.5)):
        x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
        on_top = page.evaluate(
            "([el, x, y]) => el.contains(document.elementFromPoint(x, y))",
            [locator.element_handle(), x, y],
        )
        assert on_top, f"something covers {locator} at ({x:.0f}, {y:.0f})"


def _assert_titles_whole(page) -> None:
    """No card title is cut off (no text overflowing its box, no ellipsis)."""
    cut = page.evaluate(
        """() => [...document.querySelectorAll('.consim-shell .v-card-title')]
            .filter(el => el.offsetParent !== null)
            .filter(el => el.scrollWidth > el.clientWidth + 1 ||
                          getComputedStyle(el).textOverflow === 'ellipsis' &&
                          getComputedStyle(el).whiteSpace === 'nowrap')
            .map(el => el.innerText)"""
    )
    assert cut == []


def _assert_icon(page, button) -> None:
    """The button shows an icon drawn from the icon font (not an empty box)."""
    icon = button.locator("i").first
    box = icon.bounding_box()
    assert box is not None and box["width"] >= 12 and box["height"] >= 12
    glyph = page.evaluate("el => getComputedStyle(el, '::before').content", icon.element_handle())
    assert glyph not in ("none", "normal", "", '""'), glyph
    family = page.evaluate(
        "el => getComputedStyle(el, '::before').fontFamily", icon.element_handle()
    )
    assert page.evaluate("f => document.fonts.check('24px ' + f)", family)


def test_layout_fits_the_screen(page, app_url: str, size):
    _open(page, app_url)
    side = page.locator(".consim-side").bounding_box()
    main = page.locator(".consim-main").bounding_box()
    assert side["x"] + side["width"] <= main["x"] + 1, "the controls overlap the charts"
    assert main["x"] + main["width"] <= size[0] + 1
    assert main["width"] >= 0.6 * size[0]
    for name in ("Reset", "▶", "Step", "Fast-forward to the end", "Replay this run"):
        if name == "Replay this run" and not page.get_by_role("button", name=name).count():
            continue  # no stored sweep in results/sweeps/ on this machine
        _assert_uncovered(page, page.get_by_role("button", name=name), size)
    _assert_uncovered(page, _slider(page, "Trust"), size)
    text = page.inner_text("body")
    assert "runs on Solara" not in text
    for jargon in ("Play Interval", "Render Interval", "Use Threads"):
        assert jargon not in text
    _assert_titles_whole(page)
    for title in ("Mean trust between organisations that know each other", "How initiatives"):
        assert title in text

    # the menu button hides the controls (the views take the width) and brings them back
    menu = page.locator(".consim-menu")
    _assert_icon(page, menu)
    menu.click()
    page.wait_for_function("() => !document.querySelector('.consim-side').offsetParent")
    assert page.locator(".consim-main").bounding_box()["x"] <= 1
    _assert_icon(page, menu)
    assert "show controls" in menu.inner_text().lower()
    menu.click()
    page.locator(".consim-side").wait_for(state="visible")
    _assert_uncovered(page, page.get_by_role("button", name="Step"), size)


def test_compare_tab_shows_paired_differences(page, app_url: str, size):
    from sim.app.page import describe_difference
    from sim.app.state import HEADLINE_MEASURES, compare_runs, find_presets, measure_label

    _open(page, app_url)
    page.get_by_role("tab", name="Compare two settings").click()
    run = page.get_by_role("button", name="Run A and B")
    _assert_uncovered(page, run, size)
    _assert_uncovered(page, _slider(page, "Paired seeds"), size)
    # B: trust as high as it goes
    trust_b = page.locator(".consim-main").locator(
        '.v-slider:has(label.v-label:text-is("Trust")) [role="slider"]'
    )
    trust_b.scroll_into_view_if_needed()
    trust_b.focus()
    trust_b.press("End")
    page.get_by_text("trust 0.5 → 1").first.wait_for()
    # 5 pairs, not the default 20: a quarter of the work on a busy machine, and with 5
    # the interval of value creation excludes zero while that of graceful exit does not,
    # so both of the page's verdicts are checked below
    pairs = _slider(page, "Paired seeds")
    pairs.focus()
    pairs.press("Home")
    for _ in range(PAIRS - 1):
        pairs.press("ArrowRight")
    page.wait_for_function(
        "([el, v]) => el.getAttribute('aria-valuenow') === v",
        arg=[pairs.element_handle(), str(PAIRS)],
    )
    run.click()
    page.get_by_text(re.compile(r"Value creation: B − A = ")).wait_for()
    seeds = f"with the same {PAIRS} seeds 42–{42 + PAIRS - 1}"
    if seeds not in page.inner_text("body"):
        # the click can reach the server before the slider's last moves (the browser
        # holds back a widget's updates while one is unanswered): run again with them
        run.click()
        page.get_by_text(seeds).wait_for()
    text = page.inner_text("body")
    assert seeds in text

    # the same comparison computed here: the page says what it gives, and claims a
    # difference from the change only where its interval excludes zero
    base = find_presets()[0]["baseline"].params
    expected = compare_runs(base, {**base, "trust": 1.0}, seed=42, steps=260, pairs=PAIRS)
    assert {expected.difference(name).conclusive for name in HEADLINE_MEASURES} == {True, False}
    sections = text.split("B − A = ")
    for k, name in enumerate(HEADLINE_MEASURES, start=1):
        d = expected.difference(name)
        assert f"{measure_label(name).capitalize()}: B − A = {describe_difference(name, d)}" in (
            text
        )
        said = "comes from the change, not from chance" in sections[k]
        assert said == d.conclusive, (name, d)
    _assert_titles_whole(page)
    page.get_by_text(re.compile(r"Value creation: B − A = ")).scroll_into_view_if_needed()
    _shot(page, "app-compare", size)


def test_fast_forward_plays_a_whole_run_in_seconds(page, app_url: str, size):
    _open(page, app_url)
    start = time.monotonic()
    page.get_by_role("button", name="Fast-forward to the end").click()
    page.get_by_text(re.compile(r"Week 260 of 260")).wait_for()
    page.get_by_role("button", name="Reset").wait_for()
    took = time.monotonic() - start
    # normal play redraws every week and takes minutes for a 260-week run
    assert took < 60, f"fast-forward took {took:.1f} s"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"fast-forward-{size[0]}.txt").write_text(f"{took:.1f} s\n")
    assert page.get_by_role("button", name="Fast-forward to the end").is_disabled()
    page.locator("text=How initiatives ended so far").wait_for()
    _shot(page, "app", size)


def _headline_after(preset) -> str:
    from sim.app.state import new_model, tally

    model = new_model(preset)
    while model.running:
        model.step()
    t = tally(model)
    made = t.counts["achieved"] + t.counts["evolved"]
    return f"{t.in_progress} initiatives under way · {t.ended} ended, {made} of them created value"


@pytest.mark.parametrize("size", [SIZES["1024x768"]], ids=["1024x768"], indirect=False)
def test_replay_a_stored_sweep_run(page, replay_url: str, sweep_dir: Path, size):
    from sim.app.replay import RunRef, stored_run
    from sim.app.state import sweep_preset

    first = stored_run(RunRef(sweep_dir, 1, 1))
    _open(page, replay_url)
    text = page.inner_text("body")
    assert f"Preset {first.name} · seed {first.seed}" in text
    assert "In the sweep it ended with" in text
    page.get_by_role("button", name="Fast-forward to the end").click()
    page.get_by_text(re.compile(r"Week 104 of 104")).wait_for()
    page.get_by_text(_headline_after(sweep_preset(first))).wait_for()

    # the picker replays another run of the same sweep
    second = stored_run(RunRef(sweep_dir, 3, 0))
    point = page.get_by_label(re.compile(r"Point \(0–3\)"))
    point.fill("3")
    point.press("Enter")
    replicate = page.get_by_label(re.compile(r"Replicate \(0–1\)"))
    replicate.fill("0")
    replicate.press("Enter")
    page.get_by_role("button", name="Replay this run").click()
    page.get_by_text(f"Preset {second.name} · seed {second.seed}").wait_for()
    _assert_titles_whole(page)


@pytest.mark.parametrize("size", [SIZES["1024x768"]], ids=["1024x768"], indirect=False)
def test_play_after_moving_a_slider(page, app_url: str, size):
    from playwright.sync_api import expect

    _open(page, app_url)
    network = page.locator(".consim-main img").first
    before = network.get_attribute("src")
    headline = page.get_by_text(re.compile(r"Preset .* · seed \d+ · trust"))
    start_trust = float(re.search(r"trust (\d\.\d\d)", headline.inner_text()).group(1))

    # move the trust slider five steps to the right with the keyboard
    trust = _slider(page, "Trust")
    trust.scroll_into_view_if_needed()
    trust.focus()
    for _ in range(5):
        trust.press("ArrowRight")
    target = f"{start_trust + 0.05:.2f}"
    page.wait_for_function(
        "([el, v]) => Number(el.getAttribute('aria-valuenow')).toFixed(2) === v",
        arg=[trust.element_handle(), target],
    )
    # a reset starts a new run with the new setting
    page.get_by_role("button", name="Reset").click()
    page.get_by_text(f"trust {target}").wait_for()

    # play a week at a time, so that the run is still playing when it is paused below
    page.locator('.v-select:has(label:text-is("Speed"))').click()
    page.get_by_role("option", name="Slow: a week at a time").click()
    # play: the week counter and the pictures change
    page.get_by_role("button", name="▶").click()
    page.wait_for_function(
        "() => { const m = document.body.innerText.match(/Week (\\d+) of/);"
        " return m && Number(m[1]) >= 3; }"
    )
    page.wait_for_function(
        "([img, old]) => img.getAttribute('src') !== old", arg=[network.element_handle(), before]
    )
    page.get_by_role("button", name="❚❚").click()
    expect(page.get_by_role("button", name="Step")).to_be_enabled()
    assert _week(page) >= 3


@pytest.mark.parametrize("size", [SIZES["1024x768"]], ids=["1024x768"], indirect=False)
def test_download_the_run_report(page, app_url: str, tmp_path: Path, size):
    _open(page, app_url)
    for week in (1, 2):
        page.get_by_role("button", name="Step").click()
        page.get_by_text(re.compile(rf"Week {week} of \d+")).wait_for()
    with page.expect_download(timeout=UI_TIMEOUT_MS) as info:
        page.get_by_role("button", name=re.compile("Download this run's report")).click()
    download = info.value
    assert re.fullmatch(r"report-.+-seed\d+-week2\.html", download.suggested_filename)
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    html = target.read_text(encoding="utf-8")
    assert "Run report" in html
    assert "2 weeks" in html
