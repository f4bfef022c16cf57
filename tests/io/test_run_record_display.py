"""How a run record shows itself: a short repr, an HTML view for notebooks, and
attributes read alike (``measures``, ``summary``, ``outcome_shares``)."""

from __future__ import annotations

import json
import math
from html.parser import HTMLParser
from pathlib import Path

import pytest

import sim
from sim.io.records import HEADLINE_MEASURES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def record():
    return sim.run(ROOT / "scenarios" / "baseline.yaml", seed=3, steps=120)


def test_repr_is_short_and_names_the_headline(record):
    text = repr(record)
    assert len(text) < 300
    assert text.startswith("RunRecord(scenario='baseline', model='journey', seed=3, weeks=120")
    for name in HEADLINE_MEASURES:
        assert f"{name}=" in text
    assert "consortium_size" not in text  # no parameter dump


def test_html_view_is_well_formed_and_holds_the_record(record):
    page = record._repr_html_()
    opened: list[str] = []

    class Checker(HTMLParser):
        def handle_starttag(self, tag, attrs):
            opened.append(tag)

        def handle_endtag(self, tag):
            assert opened.pop() == tag

    Checker().feed(page)
    assert opened == []
    assert "seed 3" in page
    assert "120 weeks" in page
    assert f"{len(record.initiatives)} rows" in page
    assert f"{len(record.params)} parameters" in page
    share = record.measures["value_creation_share"]
    assert ("n/a" if math.isnan(share) else f"{share:.3g}") in page


def test_attributes_are_read_alike(record):
    assert isinstance(record.measures, dict)
    assert isinstance(record.summary, dict)
    assert isinstance(record.outcome_shares, dict)
    assert record.summary["outcome_shares"] == record.outcome_shares
    for outcome, share in record.outcome_shares.items():
        assert share == pytest.approx(record.measures[f"{outcome}_share"], nan_ok=True)


def test_written_summary_is_the_summary_attribute(record, tmp_path: Path):
    paths = record.write(tmp_path)
    stored = json.loads(paths["summary.json"].read_text())
    assert stored["seed"] == record.summary["seed"]
    assert set(stored["outcome_shares"]) == set(record.outcome_shares)
