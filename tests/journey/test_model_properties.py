"""Invariants of the journey model over random valid parameters (property-based)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.journey.model import JourneyModel
from sim.journey.parameters import JourneyParameters
from sim.journey.stages import STARTED_OUTCOMES, TRANSITIONS, Outcome, Stage

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def parameters(draw: st.DrawFn) -> JourneyParameters:
    shares = draw(st.lists(st.floats(0.0, 0.33), min_size=3, max_size=3))
    return JourneyParameters(
        trust=draw(unit),
        self_interest=draw(unit),
        urgency=draw(unit),
        n_organisations=draw(st.integers(8, 40)),
        steps=draw(st.integers(20, 120)),
        network_strength=draw(unit),
        network_structure=draw(st.sampled_from(["small_world", "random", "scale_free", "none"])),
        coalition_share=draw(unit),
        consortium_size=draw(st.integers(2, 6)),
        coalition_size=draw(st.integers(3, 10)),
        risk_appetite=draw(unit),
        commitment=draw(unit),
        incumbent_p=draw(unit),
        repeat_q=draw(unit),
        opportunity_rate=draw(st.floats(0.0, 0.2)),
        conditional_share=shares[0],
        free_rider_share=shares[1],
        hump_share=shares[2],
        trust_loss_ratio=draw(st.floats(1.0, 10.0)),
        governance_overhead=draw(unit),
    )


def run_model(params: JourneyParameters, seed: int) -> JourneyModel:
    model = JourneyModel(params, rng=seed)
    for _ in range(params.steps):
        model.step()
        trust = model.trust.matrix()
        assert np.all((trust >= 0.0) & (trust <= 1.0)), "trust left [0, 1]"
        check_conservation(model)
    return model


def check_conservation(model: JourneyModel) -> None:
    """Every organisation is idle or a member of exactly the initiative it works in."""
    assert model.org_initiative.shape == (model.n,)
    for org, ini_id in enumerate(model.org_initiative):
        if ini_id >= 0:
            ini = model.initiatives[ini_id]
            assert org in ini.members
            assert ini.stage not in (Stage.ENDED, Stage.META_ORGANISATION)
    assert len(model.agents) == model.n
    stages = model.org_stages()
    assert stages.shape == (model.n,)


@given(params=parameters(), seed=st.integers(0, 2**31 - 1))
def test_invariants_hold(params: JourneyParameters, seed: int) -> None:
    model = run_model(params, seed)

    # only legal stage transitions, and tick stamps that never go back
    last_tick: dict[int, int] = {}
    stage_now: dict[int, Stage] = {}
    previous = 0
    for event in model.events:
        assert event.tick >= previous
        previous = event.tick
        if event.kind != "transition":
            continue
        src = Stage[event.from_stage.upper()]
        dst = Stage[event.to_stage.upper()]
        assert dst in TRANSITIONS[src], f"illegal {src.name} -> {dst.name}"
        assert stage_now.get(event.initiative, Stage.LATENT_VALUE) is src
        stage_now[event.initiative] = dst
        assert event.tick >= last_tick.get(event.initiative, 0)
        last_tick[event.initiative] = event.tick

    for ini in model.initiatives:
        outcomes = [e.outcome for e in model.events if e.initiative == ini.id and e.outcome]
        if ini.stage in (Stage.ENDED, Stage.VALUE_CREATION, Stage.META_ORGANISATION):
            # each ended initiative has exactly one outcome, logged once
            assert isinstance(ini.outcome, Outcome)
            assert outcomes == [ini.outcome.value]
            assert ini.reason
        else:
            assert ini.outcome is None
            assert outcomes == []
        ticks = list(ini.entered_first.values())
        assert ticks == sorted(ticks), "first entries into stages must follow journey order"
        back = [e for e in model.events if e.initiative == ini.id and _backward(e)]
        assert len(back) == ini.turn_backs <= model.assumptions.max_turn_backs
        if ini.outcome is Outcome.EVOLVED:
            assert ini.intent_changes > 0, "only a changed intent can evolve"


def _backward(event) -> bool:
    if event.kind != "transition" or event.to_stage == "ended":
        return False
    return Stage[event.to_stage.upper()] < Stage[event.from_stage.upper()]


@given(seed=st.integers(0, 1000))
def test_shares_are_fractions(seed: int) -> None:
    from sim.journey.measures import measure_all

    model = run_model(JourneyParameters(n_organisations=30, steps=80), seed)
    measures = measure_all(model)
    shares = [measures[f"{o.value}_share"] for o in STARTED_OUTCOMES]
    if all(np.isfinite(shares)):
        assert abs(sum(shares) - 1.0) < 1e-9
    for name, value in measures.items():
        if name.endswith("_share") and np.isfinite(value):
            assert 0.0 <= value <= 1.0, name


def test_keyword_overrides_are_validated() -> None:
    import pytest
    from pydantic import ValidationError

    assert JourneyModel(JourneyParameters(), rng=1, trust=0.7).params.trust == 0.7
    with pytest.raises(ValidationError):
        JourneyModel(JourneyParameters(), rng=1, trust=5)
