"""Kaplan–Meier and Aalen–Johansen: textbook values, lifelines' values, coverage, invariants."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.analysis.survival import competing_risks

# Freireich et al. (1963), the 6-MP arm: weeks in remission, False where still in remission
# when last seen (censored). Klein and Moeschberger, Survival Analysis (2003), Table 4.1A.
FREIREICH_WEEKS = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
FREIREICH_RELAPSED = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]


def _labels(observed, label="ended"):
    return [label if o else None for o in observed]


def _at(result, t):
    """Index of the grid time holding the curves' value at ``t``."""
    return int(np.searchsorted(result.times, t, side="right") - 1)


def test_kaplan_meier_and_greenwood_match_the_textbook():
    r = competing_risks(FREIREICH_WEEKS, _labels(FREIREICH_RELAPSED, "relapse"))
    # relapse weeks, the product-limit estimate and Greenwood's standard error, as published
    published = {
        6: (0.857, 0.076),
        7: (0.807, 0.087),
        10: (0.753, 0.096),
        13: (0.690, 0.107),
        16: (0.627, 0.114),
        22: (0.538, 0.128),
        23: (0.448, 0.135),
    }
    for week, (s, se) in published.items():
        k = _at(r, week)
        assert round(r.survival.estimate[k], 3) == s, week
        assert round(float(np.sqrt(r.survival.variance[k])), 3) == se, week
    # by hand: S(10) = 18/21 * 16/17 * 14/15, and it holds until the next relapse
    assert r.survival.estimate[_at(r, 12.9)] == pytest.approx(18 / 21 * 16 / 17 * 14 / 15)
    assert r.median == 23  # the published median remission of the 6-MP arm
    assert r.n == 21
    assert r.n_censored == 12


def test_cumulative_incidence_by_hand():
    # t: 1 a | 2 b, 2 censored | 3 a | 4 censored | 5 a, 5 b | 6 censored
    r = competing_risks([1, 2, 2, 3, 4, 5, 5, 6], ["a", "b", None, "a", None, "a", "b", None])
    assert list(r.times) == [0, 1, 2, 3, 4, 5, 6]
    assert list(r.at_risk) == [8, 8, 7, 5, 4, 3, 1]
    s1 = 7 / 8  # 1 of 8 ends at week 1
    s2 = s1 * 6 / 7  # 1 of 7 at week 2
    s3 = s2 * 4 / 5  # 1 of 5 at week 3
    s5 = s3 * 1 / 3  # 2 of 3 at week 5
    assert r.survival.estimate == pytest.approx([1, s1, s2, s3, s3, s5, s5])
    a = [0, 1 / 8, 1 / 8, 1 / 8 + s2 / 5, 1 / 8 + s2 / 5, 1 / 8 + s2 / 5 + s3 / 3]
    b = [0, 0, s1 / 7, s1 / 7, s1 / 7, s1 / 7 + s3 / 3]
    assert r.incidence["a"].estimate == pytest.approx([*a, a[-1]])
    assert r.incidence["b"].estimate == pytest.approx([*b, b[-1]])
    assert r.incidence["a"].estimate[-1] + r.incidence["b"].estimate[-1] + s5 == pytest.approx(1)
    assert list(r.incidence) == ["a", "b"]


def test_without_censoring_the_variances_are_binomial():
    rng = np.random.default_rng(2)
    weeks = rng.integers(0, 10, 30)
    outcomes = rng.choice(["a", "b", "c"], 30)
    r = competing_risks(weeks, outcomes)
    for curve in (r.survival, *r.incidence.values()):
        p = curve.estimate
        assert curve.variance == pytest.approx(p * (1 - p) / 30, abs=1e-15)


# lifelines' estimates on fixed data, stored with the data (lifelines caps pandas below 3,
# so it is not installed with the project: data/make_survival_reference.py remakes the file)
REFERENCE = json.loads((Path(__file__).parent / "data" / "survival_reference.json").read_text())


def _array(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def test_kaplan_meier_agrees_with_lifelines_with_ties():
    km = REFERENCE["kaplan_meier"]
    r = competing_risks(km["durations"], _labels(km["ended"]))
    assert r.times.tolist() == km["times"]
    assert r.survival.estimate == pytest.approx(_array(km["survival"]), abs=1e-12)
    assert r.survival.low == pytest.approx(_array(km["low"]), abs=1e-12)
    assert r.survival.high == pytest.approx(_array(km["high"]), abs=1e-12)
    assert r.median == km["median"]


@pytest.mark.parametrize("case", range(len(REFERENCE["aalen_johansen"])))
def test_aalen_johansen_agrees_with_lifelines(case: int):
    data = REFERENCE["aalen_johansen"][case]
    r = competing_risks(data["durations"], [str(c) if c else None for c in data["codes"]])
    assert set(r.incidence) == set(data["outcomes"]) == {"1", "2", "3"}
    all_end = r.ended >= r.at_risk
    for outcome, theirs in data["outcomes"].items():
        curve = r.incidence[outcome]
        assert r.times.tolist() == pytest.approx(theirs["times"])
        assert curve.estimate == pytest.approx(_array(theirs["incidence"]), abs=1e-12)
        variance = _array(theirs["variance"])
        # lifelines has no variance at 0 and where all at risk end (0 * inf); there ours
        # leaves the term out, which changes nothing before
        assert np.isnan(variance[1:]).tolist() == all_end[1:].tolist()
        kept = ~np.isnan(variance)
        assert curve.variance[kept] == pytest.approx(variance[kept], abs=1e-12)
        low, high = _array(theirs["low"]), _array(theirs["high"])
        shown = kept & (curve.estimate > 0)  # nor an interval where the estimate is 0
        assert shown.sum() > 10
        assert curve.low[shown] == pytest.approx(low[shown], abs=1e-12)
        assert curve.high[shown] == pytest.approx(high[shown], abs=1e-12)
        zero = curve.estimate == 0
        assert (curve.low[zero] == 0).all()
        assert (curve.high[zero] == 0).all()


def test_intervals_cover_the_truth_at_the_stated_rate():
    # two outcomes with constant hazards 0.06 and 0.04 a week, censoring uniform on 0..30
    rng = np.random.default_rng(7)
    n, trials, week = 60, 600, 8.0
    total = 0.1
    true_survival = np.exp(-total * week)
    true_a = 0.6 * (1 - true_survival)
    hits_s = hits_a = 0
    for _ in range(trials):
        ends = rng.exponential(1 / total, n)
        outcome = np.where(rng.random(n) < 0.6, "a", "b")
        seen = rng.uniform(0, 30, n)
        r = competing_risks(np.minimum(ends, seen), np.where(ends <= seen, outcome, None))
        k = _at(r, week)
        hits_s += r.survival.low[k] <= true_survival <= r.survival.high[k]
        hits_a += r.incidence["a"].low[k] <= true_a <= r.incidence["a"].high[k]
    assert abs(hits_s / trials - 0.95) < 0.03
    assert abs(hits_a / trials - 0.95) < 0.03


def test_a_time_at_which_all_at_risk_end_brings_survival_to_zero():
    r = competing_risks([1, 2, 3, 3], ["a", None, "a", "b"])
    assert r.survival.estimate[-1] == 0
    assert r.survival.low[-1] == r.survival.high[-1] == 0
    assert np.isfinite(r.incidence["a"].variance).all()
    assert r.incidence["a"].estimate[-1] + r.incidence["b"].estimate[-1] == pytest.approx(1)


@pytest.mark.parametrize(
    ("durations", "outcomes", "message"),
    [
        ([], [], "no durations"),
        ([1, 2], ["a"], "equal length"),
        ([1, -2], ["a", "b"], "non-negative"),
        ([1, float("nan")], ["a", "b"], "finite"),
        ([1, 2], ["a", 3], "strings"),
        ([1, 2], ["a", ""], "strings"),
    ],
)
def test_bad_input_is_refused_with_a_reason(durations, outcomes, message):
    with pytest.raises(ValueError, match=message):
        competing_risks(durations, outcomes)


def test_a_confidence_outside_zero_and_one_is_refused():
    with pytest.raises(ValueError, match="confidence"):
        competing_risks([1], ["a"], confidence=1.0)


subjects = st.lists(
    st.tuples(st.integers(0, 30), st.sampled_from(["a", "b", "c", None])), min_size=1, max_size=40
)


@given(subjects)
def test_curves_are_probabilities_that_add_up_to_one(data):
    weeks, outcomes = zip(*data, strict=True)
    r = competing_risks(weeks, outcomes)
    curves = [r.survival, *r.incidence.values()]
    for curve in curves:
        assert ((curve.estimate >= 0) & (curve.estimate <= 1 + 1e-12)).all()
        assert (curve.low <= curve.estimate + 1e-12).all()
        assert (curve.estimate <= curve.high + 1e-12).all()
        assert ((curve.low >= 0) & (curve.high <= 1)).all()
        assert (curve.variance >= 0).all()
    assert (np.diff(r.survival.estimate) <= 1e-12).all()
    for curve in r.incidence.values():
        assert (np.diff(curve.estimate) >= -1e-12).all()
    total = r.survival.estimate + sum(c.estimate for c in r.incidence.values())
    assert total == pytest.approx(np.ones_like(total))
    assert r.n == len(data)
    assert r.n_censored == sum(o is None for o in outcomes)
    assert set(r.incidence) == {o for o in outcomes if o is not None}


@given(st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["a", "b"])), min_size=1))
def test_without_censoring_the_curves_are_empirical_distributions(data):
    weeks = np.array([w for w, _ in data])
    outcomes = np.array([o for _, o in data])
    r = competing_risks(weeks, outcomes)
    assert np.isin(np.unique(weeks), r.times).all()  # a point at every event time
    assert r.times.size >= np.unique(weeks).size >= 1  # so the checks below do run
    for k, t in enumerate(r.times):
        assert 1 - r.survival.estimate[k] == pytest.approx(np.mean(weeks <= t))
        for name, curve in r.incidence.items():
            assert curve.estimate[k] == pytest.approx(np.mean((weeks <= t) & (outcomes == name)))
