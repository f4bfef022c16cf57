"""The what-if app in a real browser: headless Chromium drives the served app.

Chromium comes from Debian (``/usr/bin/chromium``); if it is missing, the session set-up
installs it with ``scripts/install-browser.sh`` and fails with a clear message if that is
not possible. A screenshot of the app is saved to ``test-artifacts/app.png``.
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


@pytest.fixture(scope="session")
def app_url(front_end, tmp_path_factory) -> Iterator[str]:
    """The app served by ``sim.app.page.serve`` in a subprocess on a free localhost port."""
    port = _free_port()
    log = tmp_path_factory.mktemp("app-server") / "server.log"
    code = f"from sim.app.page import serve; serve(None, '127.0.0.1', {port})"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_serving(url, proc, log)
        assert url in log.read_text()  # serve() prints the address
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


@pytest.fixture
def page(chromium: Path, request):
    """A fresh browser page; on failure its screenshot and text go to ``test-artifacts/``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 1900})
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


def test_play_after_moving_a_slider(page, app_url: str):
    from playwright.sync_api import expect

    page.goto(app_url, timeout=UI_TIMEOUT_MS)
    page.get_by_text(re.compile(r"Week 0 of \d+")).wait_for()
    network = page.locator("img").first
    network.wait_for()
    before = network.get_attribute("src")
    headline = page.get_by_text(re.compile(r"Preset .* · seed \d+ · trust"))
    start_trust = float(re.search(r"trust (\d\.\d\d)", headline.inner_text()).group(1))

    # move the trust slider five steps to the right with the keyboard
    trust = _slider(page, "Trust")
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

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "app.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000


def test_download_the_run_report(page, app_url: str, tmp_path: Path):
    page.goto(app_url, timeout=UI_TIMEOUT_MS)
    page.get_by_text(re.compile(r"Week 0 of \d+")).wait_for()
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
