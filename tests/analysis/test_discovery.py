"""Scenario discovery on a sweep, plain-language rules, and the classification tree."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis import classification_tree, discover, discover_failures, load_sweep
from sim.analysis.rules import (
    DimInfo,
    describe_condition,
    format_number,
    format_p,
    format_percent,
    human,
)

PROBLEM = {
    "num_vars": 4,
    "names": ["trust", "urgency", "self_interest", "network_strength"],
    "bounds": [[0, 1]] * 4,
}


def _journey(x, rng):
    """Value creation when trust is high and urgency low (with 7% noise)."""
    held = (x[:, 0] >= 0.6) & (x[:, 1] <= 0.3)
    flip = rng.uniform(size=len(x)) < 0.07
    return {"value_created": np.where(held ^ flip, 1.0, 0.0), "stress": x[:, 1] * 2}


CLASSES = {"value_creation": ("value_created > 0.5", lambda v: v["value_created"] > 0.5)}


def _failing(x, point, replicate):
    return np.where((x[:, 2] > 0.85) & (replicate == 0), "failed", "done")


@pytest.fixture
def journey_sweep(sweep_factory):
    return sweep_factory(
        "journey",
        outcomes=_journey,
        problem=PROBLEM,
        method="latin",
        n=800,
        replicates=2,
        classes=CLASSES,
        status=_failing,
    )


def test_discover_recovers_the_rule(journey_sweep) -> None:
    result = discover(load_sweep(journey_sweep), "value_creation")
    assert result.unit == "run"
    failed = int((load_sweep(journey_sweep).runs["status"] == "failed").sum())
    assert result.excluded == failed
    assert result.n == 1600 - failed
    box = result.prim.boxes[0]
    limits = box.restrictions()
    assert set(limits) == {"trust", "urgency"}
    assert limits["trust"][0] == pytest.approx(0.6, abs=0.05)
    assert limits["urgency"][1] == pytest.approx(0.3, abs=0.05)
    sentence = result.rules()[0]
    pattern = (
        r"^In (\d+)% of the (\d+) held-out runs where trust >= 0\.\d+ and urgency <= 0\.\d+, "
        r"value creation occurs \(against (\d+)% of all held-out runs\); these conditions "
        r"cover (\d+)% of the held-out value-creation runs \(p < 0\.001\)\.$"
    )
    match = re.match(pattern, sentence)
    assert match, sentence
    test = box.held_out
    assert int(match.group(1)) == round(test.density * 100)
    assert int(match.group(2)) == test.n
    assert int(match.group(3)) == round(test.base_rate * 100)
    assert int(match.group(4)) == round(test.coverage * 100)
    # the held-out half is about half the cases, and the box was found on the other half
    assert 0.4 < result.n_held_out / result.n < 0.6
    assert box.n + test.n < result.n
    assert "Value creation occurs in" in result.summary()
    assert "held out" in result.summary()
    assert "left out" in result.summary()


def test_discover_per_point(journey_sweep) -> None:
    result = discover(load_sweep(journey_sweep), "value_creation", unit="point")
    assert result.unit == "point"
    assert result.n == 800
    assert "design points" in result.rules()[0]
    assert "in most replicates" in result.rules()[0]
    assert any("at least 50%" in n for n in result.notes)


def test_tree_rules_describe_leaves(journey_sweep) -> None:
    result = discover(load_sweep(journey_sweep), "value_creation")
    table = result.tree_rules()
    assert table["support"].sum() == pytest.approx(1.0)
    assert table["coverage"].sum() == pytest.approx(1.0)
    top = table.iloc[0]
    assert top["density"] > 0.8
    assert "trust > 0.6 and urgency" in top["rule"]
    assert re.search(r"urgency (<=|between 0\.\d+ and) 0\.(29|3):", top["rule"]), top["rule"]
    assert top["rule"].startswith("If ")
    assert "held-out runs" in top["rule"]
    # leaves are counted on the held-out half
    assert table["n"].sum() == result.n_held_out


def test_failures_are_located(journey_sweep) -> None:
    result = discover_failures(load_sweep(journey_sweep))
    box = result.prim.boxes[0]
    assert list(box.restrictions()) == ["self_interest"]
    assert box.restrictions()["self_interest"][0] == pytest.approx(0.85, abs=0.03)
    assert "the run fails or times out" in result.rules()[0]


def test_no_rule_when_class_never_holds(sweep_factory) -> None:
    path = sweep_factory(
        "never",
        outcomes=_journey,
        problem=PROBLEM,
        method="latin",
        n=100,
        classes={"collapse": ("stress > 5", lambda v: v["stress"] > 5)},
    )
    result = discover(load_sweep(path), "collapse")
    assert result.prim is None
    assert result.rules() == ["No rule for collapse: it never occurs in the 100 runs."]
    assert result.tree_rules().empty


def test_formatting() -> None:
    assert human("network_strength") == "network strength"
    assert format_number(0.6000001, 1.0) == "0.6"
    assert format_number(0.347, 1.0) == "0.35"
    assert format_number(1234.56, 1000) == "1235"
    assert format_number(12.345, 20) == "12"
    assert format_number(0.6012, 0.998) == "0.6"
    assert format_number(2.345, 8) == "2.3"
    assert format_percent(0.824) == "82%"
    assert format_percent(0.001) == "<1%"
    assert format_percent(0.999) == ">99%"
    assert format_p(0.0001) == "p < 0.001"
    assert format_p(0.004) == "p < 0.01"
    assert format_p(0.034) == "p = 0.03"
    assert format_p(0.34) == "p = 0.3"


def test_conditions_for_integers_and_choices() -> None:
    ints = DimInfo("team_size", 2, 12, integer=True)
    assert describe_condition("team_size", 4.5, None, ints) == "team size >= 5"
    assert describe_condition("team_size", None, 7.5, ints) == "team size <= 7"
    assert describe_condition("team_size", 4.5, 7.5, ints) == "team size from 5 to 7"
    assert describe_condition("team_size", 4.0, None, ints, strict_lower=True) == "team size >= 5"
    forms = DimInfo("form", 0, 2, integer=True, labels=("joint_project", "legal", "collective"))
    assert describe_condition("form", None, 1.5, forms) == "form is joint project or legal"
    assert describe_condition("form", 1.5, None, forms) == "form is collective"
    real = DimInfo("trust", 0, 1)
    assert describe_condition("trust", 0.2, 0.55, real) == "trust between 0.2 and 0.55"


def test_own_tree_finds_the_split() -> None:
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.uniform(size=(600, 3)), columns=["a", "b", "c"])
    y = ((x["a"] > 0.5) & (x["b"] < 0.3)).to_numpy(dtype=float)
    tree = classification_tree(x, y, max_depth=2)
    splits = {(depth, name): value for depth, name, value in tree.splits()}
    assert splits.get((0, "a"), splits.get((1, "a"))) == pytest.approx(0.5, abs=0.02)
    assert splits.get((0, "b"), splits.get((1, "b"))) == pytest.approx(0.3, abs=0.02)
    proba = tree.predict_proba(x)
    assert ((proba > 0.5) == (y == 1)).mean() > 0.98


def test_own_tree_matches_scikit_learn() -> None:
    tree_module = pytest.importorskip("sklearn.tree")
    rng = np.random.default_rng(1)
    x = rng.uniform(size=(800, 4))
    y = ((x[:, 0] > 0.4) & (x[:, 1] + 0.3 * rng.normal(size=800) < 0.6)).astype(float)
    ours = classification_tree(x, y, max_depth=3, min_leaf=10)
    reference = tree_module.DecisionTreeClassifier(
        max_depth=3, min_samples_leaf=10, random_state=0
    ).fit(x, y)
    t = reference.tree_
    ref_splits = []

    def walk(node: int, depth: int) -> None:
        if t.children_left[node] == -1:
            return
        ref_splits.append((depth, f"x{t.feature[node]}", float(t.threshold[node])))
        walk(t.children_left[node], depth + 1)
        walk(t.children_right[node], depth + 1)

    walk(0, 0)
    assert len(ours.splits()) == len(ref_splits)
    for (d1, f1, t1), (d2, f2, t2) in zip(ours.splits(), ref_splits, strict=True):
        assert (d1, f1) == (d2, f2)
        assert t1 == pytest.approx(t2, abs=1e-6)
    np.testing.assert_allclose(ours.predict_proba(x), reference.predict_proba(x)[:, 1])


FORMS = ["joint_project", "legal_consortium", "collective"]


def _forms_design(x):
    return pd.DataFrame(
        {
            "trust": x[:, 0],
            "form": pd.array(
                [FORMS[int(i)] for i in np.clip(np.floor(x[:, 1]), 0, 2)], dtype="str"
            ),
            "team_size": np.clip(np.floor(x[:, 2]), 2, 9).astype(np.int64),
        }
    )


def _forms_outcome(x, rng):
    legal = np.floor(x[:, 1]) == 1
    return {"value": 5.0 * legal + 0.5 * x[:, 0] + 0.01 * x[:, 2]}


def test_choice_and_integer_parameters(sweep_factory) -> None:
    """The sampler's raw output drives SALib; model units and labels drive the rules."""
    from sim.analysis import outcome_sensitivity

    problem = {
        "num_vars": 3,
        "names": ["trust", "form", "team_size"],
        "bounds": [[0, 1], [0, 3], [2, 10]],
    }
    path = sweep_factory(
        "forms",
        outcomes=_forms_outcome,
        problem=problem,
        method="morris",
        n=30,
        replicates=2,
        to_design=_forms_design,
        classes={"value_creation": ("value > 2", lambda v: v["value"] > 2)},
        extra_manifest={
            "parameters": {"form": {"choice": FORMS}, "team_size": {"integers": [2, 9]}}
        },
    )
    data = load_sweep(path)
    assert data.design["form"].iloc[0] in FORMS
    raw = data.design_matrix(data.params)
    # The raw sample reaches the top level 3.0 of [0, 3]; label codes stop at 2.
    assert raw[:, 1].max() == 3.0
    assert data.coded("form")[0].max() == 2.0
    result = outcome_sensitivity(data, "value")
    assert result.methods == ["morris"]
    assert result.ranking()[0] == "form"
    found = discover(data, "value_creation")
    sentence = found.rules()[0]
    assert "form is legal consortium" in sentence
    assert found.prim.boxes[0].density == pytest.approx(1.0)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(20, 200),
    d=st.integers(1, 4),
    depth=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_tree_leaves_partition_the_cases(n: int, d: int, depth: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.round(rng.uniform(size=(n, d)) * 5) / 5
    y = (rng.uniform(size=n) < x[:, 0]).astype(float)
    tree = classification_tree(x, y, max_depth=depth, min_leaf=3)
    assert sum(leaf.n for leaf in tree.leaves) == n
    assert sum(leaf.k for leaf in tree.leaves) == y.sum()
    assert all(leaf.n >= 3 or len(tree.leaves) == 1 for leaf in tree.leaves)
    depths = [node_depth for node_depth, _, _ in tree.splits()]
    assert all(node_depth < depth for node_depth in depths)
    proba = tree.predict_proba(x)
    assert np.all((proba >= 0) & (proba <= 1))
    # each case falls in the leaf whose bounds hold it, and gets that leaf's density
    for leaf in tree.leaves:
        inside = np.all((x > leaf.lower) & (x <= leaf.upper), axis=1)
        assert inside.sum() == leaf.n
        assert np.allclose(proba[inside], leaf.density)
