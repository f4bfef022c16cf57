"""The sweep report in a real browser: a short first page that unfolds on demand.

Drives Debian's headless Chromium (``/usr/bin/chromium``; ``scripts/install-browser.sh``
installs it) with Playwright.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.report.sweep_report import SECTIONS, write_sweep_report

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 900}


def _outcomes(count: int):
    def outcomes(x, rng):
        out = {
            "value_created": np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + rng.normal(0, 1, len(x)),
            "time_to_value": 10 + 5 * x[:, 2] + rng.normal(0, 1, len(x)),
        }
        for i in range(count - 2):
            out[f"extra_{i}"] = (i + 1) * x[:, i % 3] + rng.normal(0, 0.5, len(x))
        return out

    return outcomes


CLASSES = {
    "value_creation": ("value_created > 5", lambda v: v["value_created"] > 5),
    "graceful_exit": ("time_to_value > 14", lambda v: v["time_to_value"] > 14),
}


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is needed at {CHROMIUM}: run `sudo sh scripts/install-browser.sh`",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _report(sweep_factory, name: str, outcomes: int) -> Path:
    path = sweep_factory(name, outcomes=_outcomes(outcomes), n=64, replicates=2, classes=CLASSES)
    return write_sweep_report(path, num_resamples=30, prim_options={"n_resamples": 5})


def test_the_page_stays_short_whatever_the_number_of_outcomes(browser, sweep_factory) -> None:
    heights = {}
    for count in (2, 16):
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(_report(sweep_factory, f"o{count}", count).as_uri())
        heights[count] = page.evaluate("document.body.scrollHeight")
        # the answer is on the first screen
        top = page.evaluate("document.getElementById('answer').getBoundingClientRect().top")
        assert top < 300
        page.close()
    assert heights[16] == heights[2]
    assert heights[2] < 2 * VIEWPORT["height"]


def test_contents_links_unfold_their_section_and_draw_its_figures(browser, sweep_factory) -> None:
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(_report(sweep_factory, "toc", 3).as_uri())
    closed = page.evaluate("document.body.scrollHeight")
    assert page.evaluate("document.querySelectorAll('details[open]').length") == 0
    page.click("#contents a[href='#sobol']")
    assert page.evaluate("document.querySelector('#sobol details').open")
    page.wait_for_function(
        "document.querySelector('#sobol .js-plotly-plot').getBoundingClientRect().width > 600"
    )
    assert page.evaluate("document.body.scrollHeight") > closed
    ids = page.evaluate("[...document.querySelectorAll('#contents a')].map(a => a.hash.slice(1))")
    assert ids == [sid for sid, _ in SECTIONS]
    page.close()
