"""A journey that can turn back: replace a partner, re-scope, re-find the intent."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.journey.measures import measure_all
from sim.journey.model import JourneyModel
from sim.journey.stages import Outcome, Stage

BACK = {
    ("journeying", "cohering"),
    ("journeying", "exploring"),
    ("cohering", "exploring"),
    ("establishing", "cohering"),
}


def _run(seed: int, **settings) -> JourneyModel:
    model = JourneyModel(rng=seed, **settings)
    while model.running:
        model.step()
    return model


def _moves_back(model: JourneyModel) -> Counter:
    return Counter(
        (e.from_stage, e.to_stage)
        for e in model.events
        if e.kind == "transition" and (e.from_stage, e.to_stage) in BACK
    )


def _journeying_team(**settings) -> tuple[JourneyModel, object]:
    model = JourneyModel(rng=3, n_organisations=60, steps=300, opportunity_rate=0.05, **settings)
    while model.running:
        model.step()
        for ini in model.initiatives:
            if ini.stage is Stage.JOURNEYING and len(ini.members) >= 3:
                return model, ini
    pytest.fail("no journeying team of three")


def test_every_move_back_happens_at_the_defaults_and_none_without_turn_backs() -> None:
    seen: Counter = Counter()
    for seed in range(30):  # re-finding the intent is rare: run until every move is seen
        seen += _moves_back(_run(seed))
        if set(seen) == BACK:
            break
    assert set(seen) == BACK, f"moves back seen: {dict(seen)}"
    for seed in range(4):
        model = _run(seed, max_turn_backs=0)
        assert not _moves_back(model)
        assert measure_all(model)["evolved_share"] == 0.0  # nothing re-scoped, none evolved


def test_a_team_that_loses_coverage_it_needs_searches_for_a_replacement() -> None:
    model, team = _journeying_team(replace_coverage_drop=0.0)
    leaver = team.members[1]
    model.believe[leaver], model.disbelieve[leaver] = 0.0, 50.0
    model.step()
    assert leaver not in team.members
    assert team.stage is Stage.EXPLORING
    assert model.declined[team.id][leaver], "who left is not asked back"
    last = next(e for e in reversed(model.events) if e.initiative == team.id)
    assert "replacement" in last.reason


def test_who_left_an_initiative_never_rejoins_it() -> None:
    for seed in range(4):
        # with turnover (or an alliance becoming an organisation) a newcomer may take a
        # leaver's place and be asked in its own right
        model = _run(seed, turnover=0.0, reproduction_rate=0.0)
        gone: set[tuple[int, int]] = set()
        for e in model.events:
            key = (e.initiative, e.organisation)
            if e.kind in ("exit", "expel") and "ecosystem" not in e.reason:
                gone.add(key)  # (a newcomer to the ecosystem may take a leaver's place)
            if e.kind == "join":
                assert key not in gone


def test_a_rescoped_intent_needs_less_work_and_keeps_part_of_the_progress() -> None:
    model = JourneyModel(rng=1)
    a = model.assumptions
    checked = 0
    before: dict[int, tuple[float, float]] = {}
    while model.running:
        t = model.table
        for i in model.ids_in(Stage.JOURNEYING):
            before[i] = (float(t.work[i]), float(t.progress[i]))
        changes = t.intent_changes[: t.size].copy()
        model.step()
        for i in (model.table.intent_changes[: changes.size] > changes).nonzero()[0]:
            work, progress = before[int(i)]
            assert model.initiatives[i].stage is Stage.COHERING
            assert model.table.work[i] == pytest.approx(work * a.rescope_work_share)
            # the week's progress came before the review: at least what was done before counts
            kept = a.rescope_progress_kept * progress / a.rescope_work_share
            assert min(kept, 1.0) - 1e-9 <= model.table.progress[i] <= 1.0
            checked += 1
    assert checked, "some team re-scoped"


def test_only_a_changed_intent_evolves() -> None:
    evolved = 0
    for seed in range(4):
        model = _run(seed)
        for ini in model.initiatives:
            if ini.outcome is Outcome.EVOLVED:
                evolved += 1
                assert ini.intent_changes > 0
                assert any(e.initiative == ini.id and "re-scop" in e.reason for e in model.events)
    assert evolved


def test_a_form_in_place_stands_when_the_team_comes_back() -> None:
    for seed in range(4):
        model = _run(seed)
        for ini in model.initiatives:
            mine = [e for e in model.events if e.initiative == ini.id]
            set_up = [e for e in mine if "setting up" in e.reason]
            assert len(set_up) <= 1, "a form is chosen and paid for once"
            again = [e for e in mine if "again" in e.reason]
            if again:
                assert set_up and ini.form is not None


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), most=st.integers(0, 4))
def test_turn_backs_never_exceed_their_bound(seed: int, most: int) -> None:
    model = _run(seed, n_organisations=40, steps=150, max_turn_backs=most)
    per_initiative = Counter(
        e.initiative
        for e in model.events
        if e.kind == "transition" and (e.from_stage, e.to_stage) in BACK
    )
    assert all(n <= most for n in per_initiative.values())
    for ini in model.initiatives:
        assert ini.turn_backs == per_initiative.get(ini.id, 0)
