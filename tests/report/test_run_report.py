"""The single-run report: a Sankey and summary that agree, tight figures, a readable
network, neutral trust bands, time to each outcome with censoring counted, confidence
over time per initiative, and provenance with the source commit."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import sim
from sim.analysis.survival import competing_risks
from sim.io.records import EVIDENCE_COLUMNS, RUN_FILES, empty_evidence
from sim.journey.stages import Outcome
from sim.report.run_report import (
    OUTCOME_COLOURS,
    OUTCOME_NAMES,
    RIGHT_COLUMN,
    confidence_figure,
    confidence_html,
    initiative_flows,
    last_initiatives,
    mean_confidence,
    network_figure,
    outcome_times_figure,
    outcome_times_html,
    run_report_html,
    sankey_figure,
    source_commit,
    stage_figure,
    team_figure,
    times_to_outcome,
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
    times = times_to_outcome(record)
    figures = [stage_figure(record), sankey_figure(record), trust_figure(record)]
    figures += [outcome_times_figure(competing_risks(times["weeks"], times["outcome"]))]
    figures += [confidence_figure(dataclasses.replace(record, evidence=_evidence_of(record)))]
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


# --- time to each outcome ------------------------------------------------------------


def _small(record, rows, last_tick=20):
    """The record with a hand-made initiatives table and a timeline ending at ``last_tick``."""
    initiatives = pd.DataFrame(
        rows, columns=["id", "name", "outcome", "entered_exploring", "outcome_tick"]
    ).astype({"entered_exploring": "Int64", "outcome_tick": "Int64"})
    timeline = pd.DataFrame({"tick": np.arange(last_tick + 1)})
    return dataclasses.replace(record, initiatives=initiatives, timeline=timeline)


SMALL = [
    (0, "lapsed one", "lapsed", None, 6),  # never started: not in the curves
    (1, "alpha", "achieved", 2, 10),  # 8 weeks
    (2, "beta", None, 5, None),  # under way at the end (tick 20): censored at 15 weeks
    (3, "gamma", "failed", 3, 7),  # 4 weeks
    (4, "delta", None, None, None),  # an opportunity still waiting: not in the curves
    (5, "epsilon", "failed", 1, 16),  # 15 weeks, the same time as beta's censoring
]


def test_times_to_outcome_count_started_initiatives_and_censor_the_rest(record):
    times = times_to_outcome(_small(record, SMALL))
    assert times["id"].tolist() == [1, 2, 3, 5]
    assert times["weeks"].tolist() == [8, 15, 4, 15]
    assert times["outcome"].tolist() == ["achieved", None, "failed", "failed"]


def test_times_to_outcome_of_a_run(record):
    times = times_to_outcome(record)
    ini = record.initiatives.set_index("id")
    started = ini[ini["entered_exploring"].notna()]
    assert sorted(times["id"]) == sorted(started.index)
    assert "lapsed" not in set(times["outcome"].dropna())
    last = record.timeline["tick"].max()
    for row in times.itertuples():
        at = started.loc[row.id]
        end = at["outcome_tick"] if row.outcome is not None else last
        assert row.weeks == end - at["entered_exploring"]
        assert row.outcome == (at["outcome"] if isinstance(at["outcome"], str) else None)
    assert times["outcome"].isna().sum() == started["outcome"].isna().sum() > 0


def test_outcome_times_figure_draws_the_estimator_in_the_outcome_colours(record):
    times = times_to_outcome(record)
    curves = competing_risks(times["weeks"], times["outcome"])
    fig = outcome_times_figure(curves)
    lines = {t.name: t for t in fig.data if t.hoverinfo != "skip"}
    assert set(lines) == {"still under way"} | {OUTCOME_NAMES[o] for o in curves.incidence}
    assert list(lines["still under way"].y) == pytest.approx(curves.survival.estimate)
    for outcome, curve in curves.incidence.items():
        line = lines[OUTCOME_NAMES[outcome]]
        assert line.line.color == OUTCOME_COLOURS[outcome]
        assert list(line.y) == pytest.approx(curve.estimate)
        assert line.line.shape == "hv"  # steps, as the estimator is
    total = sum(np.asarray(t.y) for t in lines.values())
    assert total == pytest.approx(np.ones(len(curves.times)))
    band = [t for t in fig.data if t.hoverinfo == "skip"]
    assert list(band[0].y) == pytest.approx(curves.survival.high)
    assert list(band[1].y) == pytest.approx(curves.survival.low)
    assert band[1].fill == "tonexty"


def test_outcome_times_section_says_what_the_curves_rest_on(record):
    text = outcome_times_html(_small(record, SMALL))
    assert "rest on 4 initiatives that started" in text
    assert "1 of which were still under way at the end of the run" in text
    assert "The 1 opportunities that lapsed" in text
    assert "nor are the 1 still waiting" in text
    # survival falls to 3/4 at week 4 (1 of 4 ends) and to 3/4 * 2/3 = 1/2 at week 8
    assert "Half of them had ended by week 8 after starting" in text
    assert 'id="fig-outcome-times"' in text
    # alpha ends at week 8 (1 of 3 followed); beta and zeta are censored: survival stays 2/3
    few = outcome_times_html(_small(record, [SMALL[1], SMALL[2], (6, "zeta", None, 9, None)]))
    assert "Fewer than half of them had ended by the longest time followed (15 weeks)" in few
    assert "2 of which were still under way" in few


def test_outcome_times_section_with_nothing_started(record):
    text = outcome_times_html(_small(record, [SMALL[0], SMALL[4]]))
    assert "No initiative started in this run" in text
    assert "fig-outcome-times" not in text


def test_outcome_times_refuse_an_outcome_without_its_tick(record):
    broken = _small(record, [*SMALL[:1], (1, "alpha", "achieved", 2, None)])
    with pytest.raises(ValueError, match="outcome_tick"):
        times_to_outcome(broken)


# --- confidence over time ----------------------------------------------------------


def _evidence_of(record, seed: int = 0) -> pd.DataFrame:
    """Synthetic evidence: every member of each initiative that cohered, every week of it."""
    rng = np.random.default_rng(seed)
    last = int(record.timeline["tick"].max())
    rows = []
    for ini in record.initiatives.itertuples():
        if pd.isna(ini.entered_cohering):
            continue
        end = ini.outcome_tick if not pd.isna(ini.outcome_tick) else last
        for member in ini.members:
            believe = disbelieve = 0.0
            for tick in range(int(ini.entered_cohering), int(end) + 1):
                good = rng.random() < 0.6
                believe, disbelieve = believe + good, disbelieve + (not good)
                confidence = (believe + 1) / (believe + disbelieve + 2)
                rows.append((tick, ini.id, int(member), believe, disbelieve, confidence))
    return pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)


HAND_EVIDENCE = pd.DataFrame(
    [
        # tick, initiative, organisation, believe, disbelieve, confidence
        (4, 1, 10, 1, 0, 0.6),
        (4, 1, 11, 0, 1, 0.2),  # alpha, week 4: mean 0.4
        (5, 1, 10, 2, 0, 0.8),
        (5, 1, 11, 1, 1, 0.5),  # alpha, week 5: mean 0.65
        (6, 3, 12, 0, 2, 0.1),  # gamma, week 6: 0.1
        (7, 2, 13, 3, 0, 0.9),
        (7, 2, 14, 3, 1, 0.7),
        (7, 2, 15, 2, 2, 0.5),  # beta, week 7: mean 0.7
    ],
    columns=EVIDENCE_COLUMNS,
)


def test_mean_confidence_is_the_partners_mean_per_initiative_and_week(record):
    small = dataclasses.replace(_small(record, SMALL), evidence=HAND_EVIDENCE)
    means = mean_confidence(small)
    assert means[["initiative", "tick"]].to_numpy().tolist() == [[1, 4], [1, 5], [2, 7], [3, 6]]
    assert means["confidence"].tolist() == pytest.approx([0.4, 0.65, 0.7, 0.1])
    assert means["name"].tolist() == ["alpha", "alpha", "beta", "gamma"]
    assert means["outcome"].tolist() == ["achieved", "achieved", "in progress", "failed"]


def test_confidence_figure_has_one_line_per_initiative_coloured_by_its_outcome(record):
    evidence = _evidence_of(record)
    fig = confidence_figure(dataclasses.replace(record, evidence=evidence))
    outcomes = record.initiatives.set_index("name")["outcome"].fillna("in progress")
    seen = []
    for trace in fig.data:
        assert trace.hovertemplate.startswith("%{text}")  # the hover names the initiative
        # each initiative is one run of points, ended by a gap
        names = list(trace.text)
        runs = [n for k, n in enumerate(names) if n and (k == 0 or names[k - 1] is None)]
        assert len(runs) == len(set(runs))
        assert names[-1] is None
        for name in runs:
            assert trace.line.color == OUTCOME_COLOURS[outcomes[name]]
            assert trace.name == OUTCOME_NAMES[outcomes[name]]
        seen += runs
    assert sorted(seen) == sorted(
        record.initiatives.set_index("id").loc[evidence["initiative"].unique(), "name"]
    )
    assert len({t.name for t in fig.data}) == len(fig.data)  # one legend entry per outcome
    assert len(fig.data) > 1


def test_confidence_section_explains_or_says_the_table_is_empty(record):
    assert not record.evidence.empty  # the model records its partners' reasons
    empty = confidence_html(dataclasses.replace(record, evidence=empty_evidence()))
    assert "recorded no evidence" in empty
    assert "fig-confidence" not in empty
    small = dataclasses.replace(_small(record, SMALL), evidence=HAND_EVIDENCE)
    text = confidence_html(small)
    assert "Beta mean" in text
    assert "reasons to believe" in text
    assert "reasons to disbelieve" in text
    assert "(3 initiatives, 6 partners)" in text
    assert 'id="fig-confidence"' in text


def test_confidence_refuses_evidence_from_another_run(record):
    stray = HAND_EVIDENCE.assign(initiative=HAND_EVIDENCE["initiative"] + 100)
    with pytest.raises(ValueError, match="not in the initiatives table"):
        mean_confidence(dataclasses.replace(_small(record, SMALL), evidence=stray))
    with pytest.raises(ValueError, match="confidence"):
        mean_confidence(
            dataclasses.replace(record, evidence=HAND_EVIDENCE.drop(columns="confidence"))
        )


def test_report_has_the_new_sections_and_plotly_once(record):
    html = run_report_html(dataclasses.replace(record, evidence=_evidence_of(record)))
    order = ["summary", "stages", "flow", "outcome-times", "trust", "confidence", "network"]
    places = [html.index(f'<section id="{name}">') for name in order]
    assert places == sorted(places)
    assert 'id="fig-outcome-times"' in html
    assert 'id="fig-confidence"' in html
    assert html.count("* plotly.js v") == 1


def test_the_evidence_table_is_written_with_the_run(record, tmp_path: Path):
    assert "evidence.parquet" in RUN_FILES
    evidence = _evidence_of(record)
    paths = dataclasses.replace(record, evidence=evidence).write(tmp_path / "full")
    back = pd.read_parquet(paths["evidence.parquet"])
    assert list(back.columns) == EVIDENCE_COLUMNS
    pd.testing.assert_frame_equal(back, evidence)
    nothing = dataclasses.replace(record, evidence=empty_evidence())
    empty = pd.read_parquet(nothing.write(tmp_path / "empty")["evidence.parquet"])
    assert list(empty.columns) == EVIDENCE_COLUMNS
    assert empty.empty
    assert str(empty["tick"].dtype) == "int64"
    assert str(empty["confidence"].dtype) == "float64"
