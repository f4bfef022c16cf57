"""The fast paths of the journey model agree with the plain definitions they replace."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import networkx as nx
import numpy as np
import pytest

from sim.journey import agents as rules
from sim.journey.model import _POOLS, JourneyModel, _pick, _pool_sizes, _week
from sim.journey.search import (
    distance_matrix,
    guimera_pool,
    network_distance,
    pool_choice,
    score_all,
    score_candidates,
    score_features,
    score_weights,
    tie_team,
)
from sim.journey.stages import ContributionType, Stage
from sim.journey.trust import TrustLedger


def _run(seed: int, steps: int = 260, **overrides) -> JourneyModel:
    m = JourneyModel(rng=seed, **overrides)
    for _ in range(steps):
        m.step()
    return m


def test_same_seed_same_run() -> None:
    a, b = _run(7), _run(7)
    assert [(e.tick, e.initiative, e.kind, e.reason) for e in a.events] == [
        (e.tick, e.initiative, e.kind, e.reason) for e in b.events
    ]
    np.testing.assert_array_equal(a.trust.pos, b.trust.pos)
    np.testing.assert_array_equal(a.trust.neg, b.trust.neg)


def test_pickled_model_continues_identically() -> None:
    m = _run(3, steps=100)
    copy = pickle.loads(pickle.dumps(m))
    for _ in range(60):
        m.step()
        copy.step()
    assert [e.reason for e in m.events] == [e.reason for e in copy.events]
    np.testing.assert_array_equal(m.trust.pos, copy.trust.pos)


@pytest.mark.parametrize("structure", ["small_world", "random", "scale_free"])
def test_distance_matrix_matches_search_from_each_team(structure: str) -> None:
    rng = np.random.default_rng(1)
    g = {
        "small_world": nx.watts_strogatz_graph(60, 4, 0.1, seed=1),
        "random": nx.gnp_random_graph(60, 0.04, seed=1),
        "scale_free": nx.barabasi_albert_graph(60, 1, seed=1),
    }[structure]
    adjacency = nx.to_numpy_array(g, nodelist=range(60))
    dist = distance_matrix(adjacency)
    for _ in range(15):  # collaborations tie whole teams together
        team = rng.choice(60, size=int(rng.integers(2, 6)), replace=False)
        adjacency[np.ix_(team, team)] = 1.0
        np.fill_diagonal(adjacency, 0.0)
        tie_team(dist, team)
        for sources in (team, rng.choice(60, size=3, replace=False), [int(team[0])]):
            np.testing.assert_array_equal(
                dist[np.asarray(sources)].min(axis=0), network_distance(adjacency, sources)
            )


def test_working_teams_match_same_initiative_mask() -> None:
    m = JourneyModel(rng=11)
    for _ in range(150):
        m.step()
        t = m._working_teams()
        g = m.org_initiative
        stage = np.where(g >= 0, m._stage[np.maximum(g, 0)], Stage.IDLE)
        working = np.isin(stage, (Stage.COHERING, Stage.ESTABLISHING, Stage.JOURNEYING))
        key = np.where(working, g, -1 - np.arange(m.n))
        same = key[:, None] == key[None, :]
        np.fill_diagonal(same, False)
        if t is None:
            assert not working.any()
            continue
        got = np.zeros_like(same)
        got[t.orgs[t.rows], t.orgs[t.cols]] = True
        np.testing.assert_array_equal(got, same)
        team_n = np.maximum(same.sum(axis=1), 1)
        np.testing.assert_allclose(t.per_partner, 1.0 / team_n[t.orgs])
        pairs = t.flat
        np.testing.assert_allclose(m.trust.of_pairs(pairs), m.trust.matrix().ravel()[pairs])


def test_working_teams_outgrow_their_buffers() -> None:
    m = _run(2, steps=120, coalition_share=0.5)
    names = ("orgs", "ini", "rows", "cols", "flat", "per_partner", "size", "per_member")
    names += ("per_journeyer", "watch", "partner", "cohering", "cohering_orgs", "cohering_ini")
    roomy = m._build_teams()
    want = {name: getattr(roomy, name).copy() for name in names}  # buffers are reused
    # room for a single pair: the teams are built again with more room, the same
    n = m.n
    m._team_buffers = (
        np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64), np.empty(n),
        np.empty((3, n), dtype=np.int64), np.empty((4, 1), dtype=np.int64),
        np.empty(1, dtype=bool),
    )  # fmt: skip
    snug = m._build_teams()
    assert m._team_buffers[5].size >= roomy.flat.size > 1
    for name in names:
        np.testing.assert_array_equal(getattr(snug, name), want[name], err_msg=name)
    assert snug.journeying == roomy.journeying


def test_cohering_partners_lean_by_the_rule() -> None:
    m = JourneyModel(rng=9)
    checked = 0
    for _ in range(120):
        m.step()
        for i in m._ids_in(Stage.COHERING):
            team = np.array(m.initiatives[i].members)
            want = rules.leanings(m.fit[team], m.payoff[team])
            np.testing.assert_array_equal(m._leaning[:, team], np.array(want))
            checked += 1
    assert checked > 20


def test_contribution_matches_type_by_type_definition() -> None:
    rng = np.random.default_rng(5)
    ctype = rng.integers(0, 4, 500).astype(np.int8)
    si, x, trust = rng.random(500), rng.random(500), rng.random(500)
    got = rules.contribution(rules.type_masks(ctype), x, trust, si)
    conditional = np.minimum(x * (0.6 + 0.8 * trust), 1.0)
    want = np.select(
        [
            ctype == ContributionType.CONDITIONAL,
            ctype == ContributionType.FREE_RIDER,
            ctype == ContributionType.HUMP,
        ],
        [conditional, 0.1, np.minimum(np.minimum(conditional, 1.0 - x) * 1.6, 1.0)],
        1.0,
    ) * (1.0 - 0.5 * si)
    np.testing.assert_allclose(got, want)


def test_reason_chances_match_clipped_definition() -> None:
    rng = np.random.default_rng(2)
    fit = 1.0 - 2.0 * rng.random(300) * 0.7  # fit can fall below 0
    payoff, trust = rng.random(300), rng.random(300)
    seen = rng.random(300) < 0.3
    p_b, p_d = rules.reason_chances(np.array(rules.leanings(fit, payoff)), trust, seen)
    np.testing.assert_allclose(p_b, 0.6 * np.clip(0.3 * fit + 0.3 * payoff + 0.4 * trust, 0, 1))
    np.testing.assert_allclose(
        p_d, 0.6 * np.clip(0.3 * (1 - fit) + 0.3 * (1 - trust) + 0.4 * seen, 0, 1)
    )


def test_trust_pairs_match_matrix() -> None:
    rng = np.random.default_rng(4)
    ledger = TrustLedger(20, 0.5, 4.0)
    ledger.believe(rng.random((20, 20)))
    flat = rng.choice(400, 50, replace=False)
    plus, minus = rng.random(50), rng.random(50)
    want_pos, want_neg = ledger.pos.ravel().copy(), ledger.neg.ravel().copy()
    want_pos[flat] += plus
    want_neg[flat] += minus
    ledger.add_pairs(flat, plus, minus)
    np.testing.assert_allclose(ledger.pos.ravel(), want_pos)
    np.testing.assert_allclose(ledger.neg.ravel(), want_neg)
    np.testing.assert_allclose(ledger.of_pairs(flat), ledger.matrix().ravel()[flat])
    np.testing.assert_allclose(ledger.rows(np.array([3, 7])), ledger.matrix()[[3, 7]])
    before = ledger.pos.copy(), ledger.neg.copy()
    np.testing.assert_allclose(ledger.rows(5), ledger.matrix()[5])
    np.testing.assert_array_equal(ledger.pos, before[0])  # reading leaves the ledger alone
    np.testing.assert_array_equal(ledger.neg, before[1])


def test_coalitions_run_and_spawn() -> None:
    spawned = 0
    for seed in range(3):
        m = _run(seed, coalition_share=0.5)
        spawned += sum(len(ini.spawned) for ini in m.initiatives)
        assert all(ini.stage is not Stage.IDLE for ini in m.initiatives)
    assert spawned > 0


@pytest.mark.parametrize("capability_weight", [0.0, 0.3, 1.0])
def test_score_all_matches_score_candidates(capability_weight: float) -> None:
    rng = np.random.default_rng(8)
    capability, values = rng.random((40, 6)) ** 2, rng.random((40, 3))
    requirement = (rng.random(6) < 0.5).astype(float)
    team = np.array([2, 9, 31])
    trust = rng.random(40)
    want = score_candidates(
        requirement,
        capability[team],
        capability,
        1.0 - np.abs(values - values[team].mean(axis=0)).mean(axis=1),
        trust,
        capability_weight,
    )
    features = score_features(capability, values)
    reference = features[team].max(axis=0)
    reference[6:] = features[team][:, 6:].mean(axis=0)
    got = score_all(
        features, reference, score_weights(requirement, 3, capability_weight), trust,
        capability_weight,
    )  # fmt: skip
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_team_view_follows_the_team() -> None:
    m = JourneyModel(rng=21)
    checked = 0
    for _ in range(120):
        m.step()
        for i in m._ids_in(Stage.EXPLORING):
            ini = m.initiatives[i]
            view = m._team_view(ini)
            team = np.array(ini.members)
            adjacency = ((m.informal > 0) | (m.collab > 0)).astype(float)
            np.testing.assert_array_equal(view.distance, network_distance(adjacency, team))
            np.testing.assert_array_equal(view.repeat, (m.collab[team] > 0).any(axis=0))
            values = m.values[team].mean(axis=0)
            want = score_candidates(
                ini.requirement,
                m.capability[team],
                m.capability,
                1.0 - np.abs(m.values - values).mean(axis=1),
                m.trust.of(team[:, None], np.arange(m.n)[None, :]).mean(axis=0),
                m.params.capability_weight,
            )
            np.testing.assert_allclose(view.score, want, atol=1e-12)
            checked += 1
    assert checked > 20


def test_collaboration_ties_match_their_definitions() -> None:
    m = _run(5, steps=200)
    tied = m.collab > 0
    np.testing.assert_array_equal(m._tied, tied)
    np.testing.assert_array_equal(m.collab_degree, tied.sum(axis=1))
    np.testing.assert_array_equal(m._incumbent, tied.any(axis=1))
    np.testing.assert_array_equal(m._distance, distance_matrix((m.informal > 0) | tied))


def _plain_week(m: JourneyModel, t, draws, draws2, state: dict) -> dict:
    """One week of working together from the plain definitions (rules, TrustLedger)."""
    p = m.params
    ledger = TrustLedger(m.n, p.trust, p.trust_prior_weight)
    ledger.pos, ledger.neg = state["pos"], state["neg"]
    k = t.orgs.size
    trust = ledger.of_pairs(t.flat)
    mean_trust = np.bincount(t.rows, trust, k) * t.per_partner
    hits = draws < m._chances[:, t.orgs]
    present, jockey = hits[0], hits[1]
    bad_faith = jockey & hits[2]
    contrib = state["contrib"]
    others = np.bincount(t.rows, contrib[t.partner], k) * t.per_partner
    masks = rules.type_masks(m.contribution_type[t.orgs])
    intended = rules.contribution(masks, others, mean_trust, m.self_interest[t.orgs])
    contrib[t.orgs] = intended
    gain = (present > jockey) * (intended + 1.0)
    gain *= 0.5 * p.trust_gain * (1.0 - 0.5 * p.urgency)
    loss = np.add(jockey, bad_faith, dtype=float)
    loss *= p.trust_gain * p.trust_loss_ratio
    loss += (p.trust_gain * 0.5) * (present & (intended < 0.15))
    ledger.add_pairs(t.flat, gain[t.cols], loss[t.cols])
    team_trust = np.bincount(t.ini, mean_trust, t.n_ini) * t.per_member
    jockeys = np.bincount(t.ini, jockey, t.n_ini)

    loc, orgs, mine = t.cohering, t.cohering_orgs, t.cohering_ini
    seen = jockeys[mine] > jockey[loc]
    p_b, p_d = rules.reason_chances(m._leaning[:, orgs], mean_trust[loc], seen)
    believe = state["believe"][orgs] + (draws2[0] < p_b)
    disbelieve = state["disbelieve"][orgs] + (draws2[1] < p_d)
    state["believe"][orgs] = believe
    state["disbelieve"][orgs] = disbelieve
    evidence = believe + disbelieve
    confidence = (believe + 1.0) / (evidence + 2.0)
    judged = evidence >= 4.0
    coherent = judged & (confidence >= m.threshold[orgs] + 0.05)
    if t.journeying:
        n_ini = t.n_ini
        conflict = state["conflict"][:n_ini]
        conflict *= 0.8
        conflict += jockeys * t.per_journeyer
        effort = np.bincount(t.ini, intended * present, n_ini) * t.per_journeyer
        effort *= np.array([0.3, 0.1, 0.6, 1.0])[m._phase[:n_ini]]
        effort *= m._rate[:n_ini]
        state["progress"][:n_ini] += effort
    return {
        "trust": trust,
        "team_trust": team_trust,
        "confidence": confidence,
        "leaving": judged & (confidence < m.threshold[orgs]),
        "coherent": coherent,
        "ready": np.bincount(mine[coherent], minlength=t.n_ini).astype(float),
        "below": int(np.count_nonzero((trust < p.breach_threshold) & t.watch)),
    }


def test_fused_week_matches_plain_definitions() -> None:
    m = JourneyModel(rng=13)
    rng = np.random.default_rng(0)
    checked = 0
    for _ in range(160):
        m.step()
        t = m._working_teams()
        if t is None:
            continue
        p = m.params
        c = t.cohering.size
        draws, draws2 = rng.random((3, t.orgs.size)), rng.random((2, c))
        names = ("pos", "neg", "contrib", "believe", "disbelieve", "conflict", "progress")
        sources = (m.trust.pos, m.trust.neg, m.contrib, m.believe, m.disbelieve)
        sources += (m._conflict, m._progress)
        want = {name: a.copy() for name, a in zip(names, sources, strict=True)}
        got = {name: a.copy() for name, a in zip(names, sources, strict=True)}
        expected = _plain_week(m, t, draws, draws2, want)
        out = {
            "trust": np.empty(t.flat.size),
            "team_trust": np.empty(t.n_ini),
            "confidence": np.empty(c),
            "leaving": np.empty(c, dtype=bool),
            "coherent": np.empty(c, dtype=bool),
            "ready": np.empty(t.n_ini),
        }
        below, leaving = _week(
            got["pos"].reshape(-1), got["neg"].reshape(-1), t.flat, t.rows, t.cols,
            t.per_partner, m.trust.a0, m.trust.b0, draws, m._chances, got["contrib"], t.orgs,
            t.partner, *m._parts, 0.5 * p.trust_gain * (1.0 - 0.5 * p.urgency),
            p.trust_gain * p.trust_loss_ratio, p.trust_gain * 0.5, t.ini, t.per_member,
            t.cohering, t.cohering_orgs, t.cohering_ini, m._leaning, draws2, got["believe"],
            got["disbelieve"], m.threshold, bool(t.journeying), got["conflict"],
            got["progress"], m._phase, m._rate, t.per_journeyer, t.watch, p.breach_threshold,
            *out.values(),
        )  # fmt: skip
        assert below == expected.pop("below")
        assert leaving == np.count_nonzero(expected["leaving"])
        for name, value in expected.items():
            np.testing.assert_allclose(out[name], value, rtol=0, atol=1e-12, err_msg=name)
        for name in names:
            np.testing.assert_allclose(got[name], want[name], rtol=0, atol=1e-12, err_msg=name)
        checked += c > 0 and bool(t.journeying)
    assert checked > 20


@pytest.mark.parametrize(("p", "q"), [(0.0, 0.5), (0.6, 0.5), (1.0, 1.0), (1.0, 0.0)])
def test_search_kernels_match_guimera_pool_and_snowball(p: float, q: float) -> None:
    setup = np.random.default_rng(3)
    for _ in range(200):
        n = 30
        available = setup.random(n) < setup.random()
        incumbent, repeat = setup.random(n) < 0.5, setup.random(n) < 0.3
        inverse_weight, score = 1.0 + 15.0 * setup.random(n), setup.random(n)
        if not available.any():
            continue
        seed = int(setup.integers(1 << 30))
        plain, fused = np.random.default_rng(seed), np.random.default_rng(seed)
        pool, kind = guimera_pool(plain, available, incumbent, repeat, p, q)
        idx = pool.nonzero()[0]
        keys = plain.random(idx.size) ** inverse_weight[idx]
        size = min(4, idx.size)
        cands = idx[keys.argsort()[-size:]] if size < idx.size else idx
        want = int(cands[score[cands].argmax()])

        declined = setup.random(n) < 0.2
        org_initiative = np.where(available | declined, -1, 7)
        declined &= ~available
        mask = np.empty(n, dtype=bool)
        sizes = _pool_sizes(org_initiative, -1, declined, incumbent, repeat, mask)
        np.testing.assert_array_equal(mask, available)
        got_kind = pool_choice(fused, *sizes, p, q)
        assert got_kind == kind
        k = _POOLS.index(got_kind)
        draws = fused.random(sizes[k])
        zeros = np.zeros((n, n))
        cand, _, _ = _pick(
            mask, incumbent, repeat, k, draws, inverse_weight, score, 4,
            np.zeros(n, dtype=np.int8), zeros, zeros, 1.0, 1.0, 0,
        )  # fmt: skip
        assert cand == want
        assert plain.random() == fused.random()  # the same numbers were drawn


def test_uncompiled_kernels_give_the_same_run() -> None:
    code = (
        "import sys, numpy as np; from sim.journey.model import JourneyModel\n"
        "m = JourneyModel(rng=4)\n"
        "for _ in range(80): m.step()\n"
        "print(len(m.events), hash(tuple(e.reason for e in m.events)), "
        "float(m.trust.pos.sum()), float(m.trust.neg.sum()))"
    )
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONHASHSEED": "0"}
    plain = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    env["NUMBA_DISABLE_JIT"] = "0"
    fused = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert plain.stdout == fused.stdout
