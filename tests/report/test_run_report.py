"""The single-run report: a Sankey and summary that agree, tight figures, a readable
network, neutral trust bands and provenance with the source commit."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import plotly.graph_objects as go
import pytest

import sim
from sim.journey.stages import Outcome
from sim.report.run_report import (
    OUTCOME_NAMES,
    RIGHT_COLUMN,
    initiative_flows,
    last_initiatives,
    network_figure,
    run_report_html,
    sankey_figure,
    source_commit,
    stage_figure,
    team_figure,
    trust_figure,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def record():
    return sim.run(ROOT / "scenarios" / "baseline.yaml", seed=4, steps=200)


@pytest.fixture(scope="module")
def teams():
    return sim.run(ROOT / "scenarios" / "team-assembly.yaml", seed=2, steps=80)


def _sankey(record) -> go.Sankey:
    return sankey_figure(record).data[0]


def test_sankey_nodes_count_what_the_initiatives_table_says(record):
    node = _sankey(record).node
    labels = dict(label.rsplit(": ", 1) for label in node.label)
    outcomes = record.initiatives["outcome"].fillna("in progress").value_counts()
    for outcome, count in outcomes.items():
        assert int(labels[OUTCOME_NAMES[outcome]]) == count, outcome
    # lapsed and stalled are told apart, in the summary's words
    assert "lapsed (nobody acted)" in labels
    assert not any(name.startswith("stalled") for name in labels) or (
        int(labels["stalled while exploring"]) == outcomes.get("stalled", 0)
    )
    assert int(labels["latent value"]) == len(record.initiatives)
    lapsed_source = {
        a
        for (a, o), n in initiative_flows(record.initiatives).outcome_links.items()
        if o == "lapsed" and n
    }
    assert lapsed_source == {"latent_value"}


def test_every_outcome_has_a_place_in_the_sankey():
    assert {f"out:{o.value}" for o in Outcome} <= set(RIGHT_COLUMN)


def test_sankey_links_take_the_colour_of_where_they_lead(record):
    sankey = _sankey(record)
    colours = list(sankey.node.color)
    link_colours = list(sankey.link.color)
    assert len(set(link_colours)) > 3  # not all grey
    for target, colour in zip(sankey.link.target, link_colours, strict=True):
        hex_ = colours[target]
        r, g, b = (int(hex_[k : k + 2], 16) for k in (1, 3, 5))
        assert colour.startswith(f"rgba({r}, {g}, {b},")


def test_summary_and_sankey_agree_on_lapsed_and_stalled(record):
    html = run_report_html(record)
    counts = record.initiatives["outcome"].value_counts()
    summary = html[html.index('id="summary"') : html.index('id="stages"')]
    assert f"{counts.get('lapsed', 0)} opportunities lapsed because nobody acted" in summary
    assert "stalled while exploring" in summary
    row = re.search(r'<td>stalled while exploring</td><td class="num">(\d+)</td>', summary)
    assert row and int(row.group(1)) == counts.get("stalled", 0)


def test_figures_have_no_blank_band_above(record, teams):
    figures = [stage_figure(record), sankey_figure(record), trust_figure(record)]
    figures += [network_figure(record), network_figure(teams), team_figure(teams)]
    for fig in figures:
        assert fig.layout.margin.t is not None
        assert fig.layout.margin.t <= 50, fig.layout.margin


def test_network_is_grouped_by_initiative_and_coloured_by_outcome(record):
    fig = network_figure(record)
    names = record.initiatives["name"].tolist()
    last = last_initiatives(record)
    markers = [t for t in fig.data if t.mode == "markers"]
    assert {t.name for t in markers} >= {
        OUTCOME_NAMES[o] for o in record.nodes["last_outcome"] if o in OUTCOME_NAMES
    }
    assert fig.layout.legend.title.text == "outcome of their last initiative"
    assert len({t.marker.color for t in markers}) == len(markers)  # one colour per outcome
    # every organisation sits nearer the centre of its own initiative's group than any other
    pos = {}
    for t in markers:
        for text, x, y in zip(t.text, t.x, t.y, strict=True):
            pos[int(text.split()[-1])] = (x, y)
    groups: dict[int, list[int]] = {}
    for org, row in last.items():
        groups.setdefault(row, []).append(org)
    assert any(len(g) >= 3 for g in groups.values())
    centres = {
        row: (sum(pos[m][0] for m in g) / len(g), sum(pos[m][1] for m in g) / len(g))
        for row, g in groups.items()
    }
    for row, members in groups.items():
        for m in members:
            d = {r: (pos[m][0] - c[0]) ** 2 + (pos[m][1] - c[1]) ** 2 for r, c in centres.items()}
            assert min(d, key=d.get) == row, (m, row)
    row = max(groups, key=lambda r: len(groups[r]))
    labels = next(t for t in fig.data if t.mode == "text")
    assert names[row] in labels.text


def test_trust_band_is_neutral(record):
    fig = trust_figure(record)
    colours = [t.line.color for t in fig.data] + [t.fillcolor for t in fig.data if t.fillcolor]
    assert colours and all(c is not None for c in colours)
    for colour in colours:
        r, g, b = (
            (int(v) for v in re.findall(r"\d+", colour)[:3])
            if colour.startswith("rgba")
            else (int(colour[k : k + 2], 16) for k in (1, 3, 5))
        )
        # greys and slate blues: no channel dominates the way red or green does
        assert max(r, g, b) - min(r, g, b) <= 60, colour
        assert b >= r and b >= g, colour


def test_provenance_names_the_source_commit(record):
    html = run_report_html(record)
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    if head.returncode == 0 and (ROOT / ".git").exists():
        assert "source commit (git)" in html
        assert head.stdout.strip() in html
    assert "mesa" in html


def test_source_commit_outside_a_checkout_is_none(tmp_path: Path):
    assert source_commit(tmp_path) is None


def test_source_commit_of_a_repository(tmp_path: Path):
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / "f.txt").write_text("a")
    subprocess.run([*git, "add", "f.txt"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "one"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert source_commit(tmp_path) == head
    (tmp_path / "f.txt").write_text("b")
    source_commit.cache_clear()
    assert source_commit(tmp_path) == f"{head} + local changes"


def test_team_assembly_report_still_builds(teams):
    html = run_report_html(teams)
    assert 'id="fig-network"' in html
    assert 'id="fig-teams"' in html
