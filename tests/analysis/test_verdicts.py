"""Claim verdicts: known answers on synthetic paired data, and Holm's adjustment."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim.analysis.paired import PairedDifference, paired_difference
from sim.analysis.verdicts import (
    CONDITIONAL,
    REFUTED,
    SUPPORTED,
    TOO_SMALL,
    Hypothesis,
    family_size,
    holm,
    judge,
    p_value,
)

MODERATOR_VALUES = (0.5, 0.0, 0.9)  # the scenario's own value first, then the sweep


def _pair(rng: np.random.Generator, effect: float, n: int = 100) -> PairedDifference:
    common = rng.normal(0, 5, n)  # what the shared seed gives both arms
    a = common + rng.normal(0, 0.5, n)
    b = common + effect + rng.normal(0, 0.5, n)
    return paired_difference(a, b)


def _hypothesis(rng: np.random.Generator, effects: tuple[float, ...]) -> Hypothesis:
    points = tuple(
        (value, _pair(rng, effect)) for value, effect in zip(MODERATOR_VALUES, effects, strict=True)
    )
    return Hypothesis("higher", "network_strength", points)


def _with_p(p: float, n: int = 100, difference: float = 0.1) -> PairedDifference:
    """A difference whose paired-t p-value is exactly ``p``."""
    se = difference / stats.t.isf(p / 2, n - 1)
    half = stats.t.ppf(0.975, n - 1) * se
    return PairedDifference(n, 0, 0.0, difference, difference, difference - half, difference + half)


def test_known_effects_get_known_verdicts() -> None:
    rng = np.random.default_rng(11)
    family = [
        _hypothesis(rng, (1.0, 1.0, 1.0)),  # the claimed way everywhere
        _hypothesis(rng, (-1.0, -1.0, 0.0)),  # the other way at two values
        _hypothesis(rng, (0.0, 0.0, 0.0)),  # nothing
        _hypothesis(rng, (0.0, 0.0, 1.0)),  # only at the high value
    ]
    supported, refuted, small, conditional = (j.verdict for j in judge(family))
    assert supported.kind == SUPPORTED
    assert supported.holds_at == MODERATOR_VALUES
    assert refuted.kind == REFUTED
    assert refuted.reversed_at == (0.5, 0.0)
    assert small.kind == TOO_SMALL
    assert conditional.kind == CONDITIONAL
    assert conditional.holds_at == (0.9,)
    assert conditional.describe() == "conditional on `network_strength`: holds at 0.9 only"
    assert refuted.describe() == "refuted (the reverse at `network_strength` 0.0, 0.5)"
    assert family_size(family) == 12


def test_a_lower_claim_holds_when_the_difference_falls() -> None:
    rng = np.random.default_rng(12)
    points = tuple((v, _pair(rng, -1.0)) for v in MODERATOR_VALUES)
    (judgement,) = judge([Hypothesis("lower", "sanctioning", points)])
    assert judgement.verdict.kind == SUPPORTED
    assert all(p.status == "holds" for p in judgement.points)


def test_the_search_is_paid_for() -> None:
    # p = 0.02 is a finding alone, but not as one of five tests whose others show nothing
    alone = judge([Hypothesis("higher", "urgency", ((0.1, _with_p(0.02)),))])
    assert alone[0].verdict.kind == SUPPORTED
    crowd = [
        Hypothesis("higher", "urgency", ((0.1, _with_p(0.02)),)),
        *(Hypothesis("higher", "urgency", ((0.1, _with_p(0.9)),)) for _ in range(4)),
    ]
    first = judge(crowd)[0]
    assert first.points[0].p_value == pytest.approx(0.02)
    assert first.points[0].p_adjusted == pytest.approx(0.1)
    assert first.verdict.kind == TOO_SMALL


def test_p_value_is_the_paired_t_test() -> None:
    rng = np.random.default_rng(13)
    for effect in (0.0, 0.05, 0.3):
        a = rng.normal(size=60)
        b = a + effect + rng.normal(0, 0.4, 60)
        expected = stats.ttest_rel(b, a).pvalue
        assert p_value(paired_difference(a, b)) == pytest.approx(expected, rel=1e-6)


def test_p_value_of_too_few_pairs_and_of_constant_differences() -> None:
    assert np.isnan(p_value(paired_difference([1.0], [2.0])))
    assert p_value(paired_difference([1.0, 2.0, 3.0], [2.0, 3.0, 4.0])) == 0.0
    assert p_value(paired_difference([1.0, 2.0], [1.0, 2.0])) == 1.0


def test_holm_on_a_worked_example() -> None:
    # sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 -> kept at 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([float("nan"), 0.01]) == pytest.approx([1.0, 0.02])


@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_holm_never_lowers_a_p_value_and_keeps_their_order(raw: list[float]) -> None:
    adjusted = holm(raw)
    assert all(p <= q <= 1 for p, q in zip(raw, adjusted, strict=True))
    for i in range(len(raw)):
        for j in range(len(raw)):
            if raw[i] < raw[j]:
                assert adjusted[i] <= adjusted[j]
