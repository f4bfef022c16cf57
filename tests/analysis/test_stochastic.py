"""Indices of the mean response of stochastic functions with known answers.

The function is Ishigami (a=7, b=0.1) on x1..x3 plus an input x4 that does nothing,
with heteroscedastic Gaussian noise added to every run. The indices of its mean response
are Ishigami's analytic ones, and 0 for x4.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis import load_sweep, outcome_sensitivity
from sim.analysis.data import point_response
from sim.analysis.sobol import Resampling, sobol_indices

from .conftest import ishigami, sample_design

PROBLEM = {"num_vars": 4, "names": ["x1", "x2", "x3", "x4"], "bounds": [[-np.pi, np.pi]] * 4}
S1_TRUE = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0, "x4": 0.0}
ST_TRUE = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437, "x4": 0.0}
#: Absolute tolerance at n = 1024 base samples and 2 replicates: about three standard
#: errors (the largest, of S1 for x1, measured as 0.033 over 40 noise draws).
TOLERANCE = 0.1


def noisy_ishigami(x, rng):
    """Ishigami plus noise whose spread grows with |x1| (sd 1.3 to 3.9)."""
    sd = 1.3 * (1 + 2 * np.abs(x[:, 0]) / np.pi)
    return {"y": ishigami(x) + rng.normal(0.0, sd), "clean": ishigami(x)}


def _rows(result, index: str):
    rows = result.indices[
        (result.indices["method"] == "sobol") & (result.indices["index"] == index)
    ]
    return rows.set_index("parameter")


@pytest.fixture(scope="module")
def replicated(tmp_path_factory):
    from .conftest import make_sweep

    path = tmp_path_factory.mktemp("stochastic") / "two"
    make_sweep(
        path,
        outcomes=noisy_ishigami,
        problem=PROBLEM,
        n=1024,
        replicates=2,
        second_order=False,
        seed=2,  # seed 1's draw flags x4, as about 1 draw in 40 does (see the rate test)
    )
    return load_sweep(path)


def test_sobol_indices_are_those_of_the_mean_response(replicated) -> None:
    result = outcome_sensitivity(replicated, "y")
    assert result.noise_removed
    s1, st = _rows(result, "S1"), _rows(result, "ST")
    for name in PROBLEM["names"]:
        assert s1.loc[name, "value"] == pytest.approx(S1_TRUE[name], abs=TOLERANCE), name
        assert st.loc[name, "value"] == pytest.approx(ST_TRUE[name], abs=TOLERANCE), name
    # the input that does nothing: its interval holds zero, and it is not significant
    assert abs(st.loc["x4", "value"]) <= st.loc["x4", "conf"]
    assert not st.loc["x4", "significant"]
    assert st.loc[["x1", "x2", "x3"], "significant"].all()
    assert result.ranking() == ["x1", "x2", "x3"]
    assert any("those of the mean response" in n for n in result.notes)


def test_a_do_nothing_input_is_flagged_at_the_stated_rate() -> None:
    """Over 20 noise draws the 95% interval excludes zero (upwards) about 1 time in 40.

    Measured over 60 draws of this function: 3 flagged, interval coverage 90-100% for
    every index. Four or more of 20 would happen with probability 0.016 at a 5% rate.
    """
    x = sample_design("sobol", PROBLEM, 1024, second_order=False, seed=3)
    flagged = 0
    for draw in range(20):
        rng = np.random.default_rng(draw)
        runs = noisy_ishigami(np.repeat(x, 2, axis=0), rng)["y"].reshape(-1, 2)
        found = sobol_indices(
            runs.mean(axis=1),
            runs.var(axis=1, ddof=1) / 2,
            d=4,
            second_order=False,
            resampling=Resampling(100, 0.95, draw),
        )
        flagged += bool(found.st[3] - found.st_conf[3] > 0)
        assert found.st[0] == pytest.approx(ST_TRUE["x1"], abs=TOLERANCE)
    assert flagged <= 3


def test_without_removing_the_noise_a_do_nothing_input_looks_influential(replicated) -> None:
    """What the correction is for: point means of 2 replicates still carry noise."""
    response = point_response(replicated, "y")
    naive = sobol_indices(
        response.mean, None, d=4, second_order=False, resampling=Resampling(100, 0.95, 1)
    )
    assert naive.st[3] - naive.st_conf[3] > 0.1  # x4 "matters" by ~the noise share
    assert response.noise_share == pytest.approx(naive.st[3], abs=0.05)


def test_noise_free_estimator_is_salib_on_a_deterministic_function() -> None:
    from SALib.analyze import sobol

    x = sample_design("sobol", PROBLEM, 256, second_order=True)
    y = ishigami(x)
    ours = sobol_indices(y, None, d=4, second_order=True, resampling=Resampling(10, 0.95, 1))
    theirs = sobol.analyze(PROBLEM, y, calc_second_order=True, seed=1)
    np.testing.assert_allclose(ours.s1, theirs["S1"], atol=1e-12)
    np.testing.assert_allclose(ours.st, theirs["ST"], atol=1e-12)
    upper = np.triu_indices(4, 1)
    np.testing.assert_allclose(ours.s2[upper], theirs["S2"][upper], atol=1e-12)
    # zero noise measured from replicates removes nothing
    noiseless = sobol_indices(
        y, np.zeros_like(y), d=4, second_order=True, resampling=Resampling(10, 0.95, 1)
    )
    np.testing.assert_allclose(noiseless.st, ours.st, atol=1e-12)


def test_reports_are_reproducible(replicated) -> None:
    first = outcome_sensitivity(replicated, "y")
    second = outcome_sensitivity(replicated, "y")
    assert first.indices.equals(second.indices)
    other = outcome_sensitivity(replicated, "y", seed=99)
    assert not np.allclose(first.indices["conf"], other.indices["conf"])
    np.testing.assert_allclose(first.indices["value"], other.indices["value"])


def test_one_replicate_says_plainly_that_st_includes_noise(sweep_factory) -> None:
    path = sweep_factory(
        "single", outcomes=noisy_ishigami, problem=PROBLEM, n=512, second_order=False
    )
    result = outcome_sensitivity(load_sweep(path), "y")
    assert not result.noise_removed
    st = _rows(result, "ST")
    assert st["significant"].isna().all()  # not assessed
    assert st.loc["x4", "value"] > 0.3  # what noise does to a do-nothing input
    note = next(n for n in result.notes if "includes replicate noise" in n)
    assert "Run at least 2 replicates" in note
    assert result.main_index == "S1"  # unbiased under independent noise
    assert result.ranking() == ["x2", "x1"]
    # a deterministic outcome: the smallest ST is indistinguishable from zero, so the
    # total-order indices can be judged even with one replicate
    clean = outcome_sensitivity(load_sweep(path), "clean")
    assert clean.main_index == "ST"
    assert clean.ranking() == ["x1", "x2", "x3"]


MORRIS_PROBLEM = {"num_vars": 4, "names": ["a", "b", "c", "d"], "bounds": [[0, 1]] * 4}


def _morris_outcome(x, rng):
    mean = 10 * x[:, 0] + 5 * x[:, 1] ** 2 + 2.0 * x[:, 2]
    return {"y": mean + rng.normal(0.0, 1.5, len(x))}


def test_morris_mu_star_is_judged_against_a_noise_floor(sweep_factory) -> None:
    path = sweep_factory(
        "morris",
        outcomes=_morris_outcome,
        problem=MORRIS_PROBLEM,
        method="morris",
        n=60,
        replicates=3,
        options={"num_levels": 4},
    )
    result = outcome_sensitivity(load_sweep(path), "y")
    main = result.main().set_index("parameter")
    floor = main["threshold"]
    assert (floor > 0).all()
    # noise alone gives d a mu* of about the floor; it does not clear it
    assert main.loc["d", "value"] > 0
    assert not main.loc["d", "significant"]
    assert result.ranking() == ["a", "b", "c"]
    assert any("noise floor" in n for n in result.notes)


def test_morris_with_one_replicate_does_not_judge_a_noisy_mu_star(sweep_factory) -> None:
    path = sweep_factory(
        "morris1",
        outcomes=_morris_outcome,
        problem=MORRIS_PROBLEM,
        method="morris",
        n=60,
        options={"num_levels": 4},
    )
    result = outcome_sensitivity(load_sweep(path), "y")
    assert result.main()["significant"].isna().all()
    assert result.ranking() == []
    assert any("morris mu* includes replicate noise" in n for n in result.notes)


def test_given_data_methods_are_judged_against_dummy_inputs(sweep_factory) -> None:
    path = sweep_factory(
        "latin", outcomes=noisy_ishigami, problem=PROBLEM, method="latin", n=800, replicates=2
    )
    result = outcome_sensitivity(
        load_sweep(path),
        "y",
        given_methods=("rbd_fast", "pawn", "delta"),
        num_resamples=50,
        delta_max_points=600,
        delta_resamples=10,
    )
    for method, index in (("rbd_fast", "S1"), ("pawn", "median"), ("delta", "delta")):
        rows = result.indices[
            (result.indices["method"] == method) & (result.indices["index"] == index)
        ]
        rows = rows.set_index("parameter")
        assert rows["threshold"].nunique() == 1
        assert rows["threshold"].iloc[0] > 0  # chance alone gives a dummy a positive index
        assert not rows.loc["x4", "significant"], method
        assert rows.loc[["x1", "x2"], "significant"].all(), method
    # RBD-FAST's S1 is a share of variance: rescaled to the mean response's
    s1 = result.indices[result.indices["method"] == "rbd_fast"].set_index("parameter")["value"]
    assert s1["x2"] == pytest.approx(S1_TRUE["x2"], abs=0.1)
    assert any("rescaled to the variance of the mean response" in n for n in result.notes)


def test_pawn_runs_where_salib_fails(sweep_factory) -> None:
    """A 300-point Latin design: SALib's PAWN asks for quantiles above 1."""
    from SALib.analyze import pawn

    x = sample_design("latin", PROBLEM, 300)
    with pytest.raises(ValueError, match=r"Quantiles must be in the range \[0, 1\]"):
        pawn.analyze(PROBLEM, x, ishigami(x), S=6)
    path = sweep_factory(
        "latin300",
        outcomes=lambda x, rng: {"y": ishigami(x)},
        problem=PROBLEM,
        method="latin",
        n=300,
    )
    result = outcome_sensitivity(load_sweep(path), "y", given_methods=("pawn",))
    assert result.methods == ["pawn"]
    assert not result.alerts
    median = result.indices[result.indices["index"] == "median"].set_index("parameter")
    assert median["value"].between(0, 1).all()
    assert median.loc["x2", "value"] > median.loc["x4", "value"]


def test_pawn_distances_are_kolmogorov_smirnov() -> None:
    from scipy.stats import ks_2samp

    from sim.analysis.given_data import pawn_indices

    rng = np.random.default_rng(0)
    x = rng.uniform(size=(437, 2))
    x[:, 1] = np.round(x[:, 1] * 4) / 4  # five values: one slice each
    y = np.round(5 * x[:, 0] + rng.normal(size=437), 1)  # ties in the outcome
    ours = pawn_indices(x, y, slices=8)
    edges = np.quantile(x[:, 0], np.linspace(0, 1, 9))
    first = np.clip(np.searchsorted(edges, x[:, 0], side="right") - 1, 0, 7)
    second = np.searchsorted(np.unique(x[:, 1]), x[:, 1])
    for j, (which, groups) in enumerate(((first, 8), (second, 5))):
        distances = [ks_2samp(y[which == s], y).statistic for s in range(groups)]
        assert ours["median"][j] == pytest.approx(np.median(distances), abs=1e-12)
        assert ours["maximum"][j] == pytest.approx(max(distances), abs=1e-12)


def test_rbd_fast_is_salibs_estimator() -> None:
    from SALib.analyze import rbd_fast

    from sim.analysis.given_data import rbd_fast_indices

    x = sample_design("latin", PROBLEM, 500)
    y = ishigami(x)
    values, conf = rbd_fast_indices(x, y, Resampling(100, 0.95, 1))
    theirs = rbd_fast.analyze(PROBLEM, x, y, num_resamples=100, seed=1)
    np.testing.assert_allclose(values, theirs["S1"], atol=1e-12)
    # the same half-size bootstrap: for the first column it draws SALib's very resamples
    assert conf[0] == pytest.approx(theirs["S1_conf"][0], rel=1e-9)
