"""One HTML kit for both reports: one style, one way to write a value in a table."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.report import kit
from sim.report.run_report import run_report_html
from sim.runs import run

ROOT = Path(__file__).resolve().parents[2]


def _styles(page: str) -> list[str]:
    return re.findall(r"<style>(.*?)</style>", page, flags=re.S)


@pytest.fixture(scope="module")
def run_page() -> str:
    return run_report_html(run(ROOT / "scenarios" / "baseline.yaml", steps=20))


def test_both_reports_carry_the_kits_one_style(run_page: str, sweep_factory) -> None:
    from sim.report.sweep_report import write_sweep_report

    sweep = sweep_factory(
        "kit",
        outcomes=lambda x, rng: {"y": x[:, 0] + rng.normal(0, 0.1, len(x))},
        n=16,
        replicates=2,
    )
    sweep_page = write_sweep_report(sweep, num_resamples=10).read_text(encoding="utf-8")
    assert _styles(run_page) == _styles(sweep_page) == [kit.CSS]
    for page in (run_page, sweep_page):
        assert page.count("<!DOCTYPE html>") == 1
        assert '"displaylogo": false' in page  # one figure configuration


def test_a_value_is_written_the_same_way_in_every_table() -> None:
    cells = [
        kit.value_cell(v)
        for v in (float("nan"), None, 12345, 0.123456, 98765.4, True, np.False_, "a<b")
    ]
    assert cells == [
        '<td class="num">n/a</td>',
        '<td class="num">n/a</td>',
        '<td class="num">12,345</td>',
        '<td class="num">0.123</td>',
        '<td class="num">98,765</td>',
        "<td>yes</td>",
        "<td>no</td>",
        "<td>a&lt;b</td>",
    ]
    rows = [("trust", 0.5), ("steps", 260)]
    frame = pd.DataFrame(rows, columns=["parameter", "value"])
    assert kit.table(rows, ["parameter", "value"]) == kit.frame_table(frame)
    longer = kit.frame_table(pd.DataFrame({"n": range(5)}), max_rows=3)
    assert longer.count("<tr>") == 4  # the header and 3 rows
    assert "(2 more rows in the analysis folder)" in longer
