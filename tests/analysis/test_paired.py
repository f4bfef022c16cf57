"""Paired differences: the interval covers the truth at its stated rate and says when not."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.analysis.paired import paired_difference


def test_coverage_is_close_to_the_stated_level() -> None:
    rng = np.random.default_rng(3)
    hits = 0
    trials = 2000
    for _ in range(trials):
        common = rng.normal(size=30)  # the shared seed's part of both arms
        a = common + rng.normal(0, 0.5, 30)
        b = common + 0.2 + rng.normal(0, 0.5, 30)
        d = paired_difference(a, b)
        hits += d.low <= 0.2 <= d.high
    assert abs(hits / trials - 0.95) < 0.015


def test_pairing_removes_the_shared_variation() -> None:
    rng = np.random.default_rng(4)
    common = rng.normal(0, 10, 50)
    a = common + rng.normal(0, 0.1, 50)
    b = common + 1.0 + rng.normal(0, 0.1, 50)
    d = paired_difference(a, b)
    assert d.conclusive
    assert d.verdict == "higher"
    assert d.high - d.low < 0.2  # unpaired, the interval would be about 8 wide


def test_no_difference_is_not_called_one() -> None:
    rng = np.random.default_rng(5)
    a = rng.normal(size=40)
    b = a + rng.normal(0, 0.3, 40)
    b -= (b - a).mean()  # exactly no mean difference
    d = paired_difference(a, b)
    assert not d.conclusive
    assert d.verdict == "no clear difference"


def test_missing_values_are_dropped_and_counted() -> None:
    d = paired_difference([1.0, np.nan, 2.0, 3.0], [2.0, 1.0, np.inf, 4.5])
    assert d.n == 2
    assert d.dropped == 2
    assert d.difference == pytest.approx(1.25)


def test_one_pair_is_too_few() -> None:
    d = paired_difference([1.0], [2.0])
    assert d.verdict == "too few pairs"
    assert "too few pairs" in d.describe()
    assert not d.conclusive


def test_unequal_arms_are_refused() -> None:
    with pytest.raises(ValueError, match="equal-length"):
        paired_difference([1.0, 2.0], [1.0])


@given(
    st.lists(
        st.tuples(st.floats(-1e6, 1e6, allow_nan=False), st.floats(-1e6, 1e6, allow_nan=False)),
        min_size=2,
        max_size=60,
    )
)
def test_interval_contains_the_mean_difference(pairs: list[tuple[float, float]]) -> None:
    a, b = (np.array(v) for v in zip(*pairs, strict=True))
    d = paired_difference(a, b)
    assert d.low <= d.difference <= d.high
    assert d.difference == pytest.approx(float(np.mean(b - a)), abs=1e-6)
