"""The compiled paths: deterministic, picklable, and their kept-up-to-date structures equal
what they would be if computed from scratch."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.journey.assumptions import JourneyAssumptions
from sim.journey.compiled import njit
from sim.journey.exploring import (
    Ask,
    Candidates,
    _pick,
    _pools,
    _team_score,
    candidate_score,
    score_weights,
    team_view,
)
from sim.journey.model import JourneyModel
from sim.journey.network import network_of
from sim.journey.parameters import JourneyParameters
from sim.journey.rules import believe_chance, work_rules
from sim.journey.stages import Stage
from sim.journey.teams import new_buffers
from sim.journey.trust import TrustLedger

RULES = work_rules(JourneyParameters(), JourneyAssumptions())
CAP = JourneyAssumptions().max_distance


def reference_distance(adjacency: np.ndarray, sources, cap: int) -> np.ndarray:
    """Steps from the nearest source over an undirected 0/1 matrix (networkx), capped."""
    g = nx.from_numpy_array((adjacency > 0).astype(float))
    out = np.full(adjacency.shape[0], cap)
    for s in np.asarray(sources).tolist():
        for node, d in nx.single_source_shortest_path_length(g, s, cutoff=cap).items():
            out[node] = min(out[node], d)
    return out


def network_from(adjacency: np.ndarray, cap: int = CAP):
    """A journey network with ``adjacency`` as its informal ties."""
    src, dst = np.nonzero(adjacency)
    return network_of(adjacency.shape[0], (src, dst), cap, np.ones(cap + 1))


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
    assert [i.stage for i in m.initiatives] == [i.stage for i in copy.initiatives]


@pytest.mark.parametrize("structure", ["small_world", "random", "scale_free"])
def test_distances_kept_up_to_date_equal_a_fresh_search(structure: str) -> None:
    rng = np.random.default_rng(1)
    g = {
        "small_world": nx.watts_strogatz_graph(60, 4, 0.1, seed=1),
        "random": nx.gnp_random_graph(60, 0.04, seed=1),
        "scale_free": nx.barabasi_albert_graph(60, 1, seed=1),
    }[structure]
    adjacency = nx.to_numpy_array(g, nodelist=range(60))
    net = network_from(adjacency)
    collab = np.zeros((60, 60), dtype=np.int32)
    for k in range(15):  # collaborations tie whole teams together
        team = rng.choice(60, size=int(rng.integers(2, 6)), replace=False)
        adjacency[np.ix_(team, team)] = 1.0
        np.fill_diagonal(adjacency, 0.0)
        collab[np.ix_(team, team)] += 1
        np.fill_diagonal(collab, 0)
        net.tie(team, k, np.empty(0, dtype=np.int64))
        for sources in (team, rng.choice(60, size=3, replace=False), [int(team[0])]):
            np.testing.assert_array_equal(
                net.distance_from(sources), reference_distance(adjacency, sources, CAP)
            )
    np.testing.assert_array_equal(net.collab, collab)
    np.testing.assert_array_equal(net.degree, (collab > 0).sum(axis=1))
    np.testing.assert_array_equal(net.incumbent, (collab > 0).any(axis=1))


def test_working_teams_match_same_initiative_mask() -> None:
    m = JourneyModel(rng=11)
    for _ in range(150):
        m.step()
        built = m.working_teams()
        g = m.org_initiative
        stage = np.where(g >= 0, m.table.stage[np.maximum(g, 0)], Stage.IDLE)
        working = np.isin(stage, (Stage.COHERING, Stage.ESTABLISHING, Stage.JOURNEYING))
        key = np.where(working, g, -1 - np.arange(m.n))
        same = key[:, None] == key[None, :]
        np.fill_diagonal(same, False)
        if built is None:
            assert not working.any()
            continue
        t, _ = built
        got = np.zeros_like(same)
        got[t.orgs[t.rows], t.orgs[t.cols]] = True
        np.testing.assert_array_equal(got, same)
        team_n = np.maximum(same.sum(axis=1), 1)
        np.testing.assert_allclose(t.per_partner, 1.0 / team_n[t.orgs])
        rows, cols = t.orgs[t.rows], t.orgs[t.cols]  # each pair's slot holds its evidence
        np.testing.assert_array_equal(
            m.trust.pos[t.slot], m.trust.evidence.dense("pos")[rows, cols]
        )
        np.testing.assert_array_equal(
            m.trust.neg[t.slot], m.trust.evidence.dense("neg")[rows, cols]
        )


def test_working_teams_outgrow_their_buffers() -> None:
    m = _run(2, steps=120, coalition_share=0.5)
    m._teams_stale = True
    roomy, _ = m.working_teams()
    want = {name: np.copy(value) for name, value in roomy._asdict().items()}  # reused below
    m.team_buffers = new_buffers(m.n, 1)  # room for a single pair
    m._teams_stale = True
    snug, _ = m.working_teams()
    assert m.team_buffers.watch.size >= roomy.slot.size > 1
    for name, value in snug._asdict().items():
        np.testing.assert_array_equal(value, want[name], err_msg=name)


def test_coalitions_run_and_spawn() -> None:
    spawned = 0
    for seed in range(3):
        m = _run(seed, coalition_share=0.5)
        spawned += sum(len(ini.spawned) for ini in m.initiatives)
        assert all(ini.stage is not Stage.IDLE for ini in m.initiatives)
    assert spawned > 0


def test_team_view_follows_the_team() -> None:
    """The scores folded in member by member equal those computed for the whole team."""
    m = JourneyModel(rng=21)
    checked = 0
    for _ in range(120):
        m.step()
        for i in m.ids_in(Stage.EXPLORING):
            ini = m.initiatives[i]
            view = team_view(m, ini).candidates
            team = np.array(ini.members)
            adjacency = ((m.informal > 0) | (m.collab > 0)).astype(float)
            np.testing.assert_array_equal(view.distance, reference_distance(adjacency, team, CAP))
            np.testing.assert_array_equal(view.repeat, (m.collab[team] > 0).any(axis=0))
            reference = m.features[team].max(axis=0)
            k = m.params.n_capabilities
            reference[k:] = m.features[team][:, k:].mean(axis=0)
            weights = score_weights(
                ini.requirement, m.values.shape[1], m.params.capability_weight, 0.5
            )
            np.testing.assert_allclose(view.reference, reference, atol=1e-12)
            trust = m.trust.of(team[:, None], np.arange(m.n)[None, :]).mean(axis=0)
            chemistry = 0.5 * (1.0 - m.params.capability_weight)
            want = [
                candidate_score(m.features[j], reference, weights, chemistry, trust[j])
                for j in range(m.n)
            ]
            ask = Ask(
                ini.champion, view.distance, m.network.inverse_weight, 1, team, m.features,
                chemistry,
            )  # fmt: skip
            ev = m.trust.evidence_record()
            got = [_team_score(view, ask, ev, j) for j in range(m.n)]
            np.testing.assert_allclose(got, want, atol=1e-12)
            checked += 1
    assert checked > 20


def test_collaboration_ties_match_their_definitions() -> None:
    m = _run(5, steps=200)
    net = m.network
    tied = m.collab > 0
    np.testing.assert_array_equal(net.tied, tied)
    np.testing.assert_array_equal(net.degree, tied.sum(axis=1))
    np.testing.assert_array_equal(net.incumbent, tied.any(axis=1))
    adjacency = (m.informal > 0) | tied
    for s in range(0, m.n, 7):
        np.testing.assert_array_equal(
            net.distance_from([s]), reference_distance(adjacency, [s], CAP)
        )


def test_the_week_adds_evidence_only_between_partners(monkeypatch) -> None:
    from sim.journey import working

    seen: list[np.ndarray] = []
    work = working._work

    def recording(ev, teams, *args):
        seen.append(teams.slot.copy())
        return work(ev, teams, *args)

    monkeypatch.setattr(working, "_work", recording)
    # a leaver's evidence is wiped, and an idle alliance's fades
    m = JourneyModel(rng=13, turnover=0.0, alliance_decay=0.0, reproduction_rate=0.0)
    checked = 0
    evidence = m.trust.evidence
    for _ in range(160):
        before_pos, before_neg = evidence.dense("pos"), evidence.dense("neg")
        allied_before = m.alliance.copy()
        seen.clear()
        m.step()
        pos, neg = evidence.dense("pos"), evidence.dense("neg")
        assert (pos >= before_pos).all()  # evidence is only ever added
        assert (neg >= before_neg).all()
        gained = ((pos > before_pos) | (neg > before_neg)).ravel()
        partners = np.zeros_like(gained)
        index = evidence.index
        for slots in seen:
            partners[index.row[slots] * m.n + index.col[slots]] = True
        new_alliance = (m.alliance >= 0) & (m.alliance != allied_before)
        allied = (new_alliance[:, None] & new_alliance[None, :]).ravel()  # trust deepens
        assert not (gained & ~partners & ~allied).any()
        checked += int(partners.any())
    assert checked > 20


@given(
    viability=st.floats(0, 1),
    fit=st.floats(-1, 1),
    payoff=st.floats(0, 1),
    trust=st.floats(0, 1),
)
def test_reasons_follow_viability_fit_payoff_and_trust(
    viability: float, fit: float, payoff: float, trust: float
) -> None:
    chance = believe_chance(viability, fit, payoff, trust, RULES)
    assert 0.0 <= chance <= 1.0
    for more in (
        believe_chance(min(viability + 0.1, 1), fit, payoff, trust, RULES),
        believe_chance(viability, min(fit + 0.1, 1), payoff, trust, RULES),
        believe_chance(viability, fit, min(payoff + 0.1, 1), trust, RULES),
        believe_chance(viability, fit, payoff, min(trust + 0.1, 1), RULES),
    ):
        assert more >= chance


def test_trust_pairs_match_matrix() -> None:
    rng = np.random.default_rng(4)
    ledger = TrustLedger(20, 0.5, 4.0)
    ledger.believe(rng.random((20, 20)))
    flat = rng.choice(400, 50, replace=False)
    np.testing.assert_allclose(ledger.of_pairs(flat), ledger.matrix().ravel()[flat])
    np.testing.assert_allclose(ledger.of(np.array([3, 7]), 2), ledger.matrix()[[3, 7], 2])
    before = ledger.pos.copy(), ledger.neg.copy()
    np.testing.assert_allclose(ledger.of(5, np.arange(20)), ledger.matrix()[5])
    np.testing.assert_array_equal(ledger.pos, before[0])  # reading leaves the ledger alone
    np.testing.assert_array_equal(ledger.neg, before[1])


def _scored_by(score: np.ndarray, n: int) -> tuple[Candidates, Ask]:
    """A view and an ask under which candidate j scores ``score[j]`` (one member, no trust)."""
    features = score[:, None]  # one capability: the score is the capability gained
    view = Candidates(
        np.zeros(n, dtype=np.int8), np.zeros(n, dtype=bool), np.zeros(1), np.zeros(1),
        np.zeros(1), np.ones(1),
    )  # fmt: skip
    ask = Ask(0, view.distance, np.ones(8), n, np.array([0]), features, 0.0)
    return view, ask


@pytest.mark.parametrize("home", [-1, 7])
@pytest.mark.parametrize("pool", [0, 1, 2])
def test_a_search_step_invites_from_its_pool_the_best_of_those_considered(
    pool: int, home: int
) -> None:
    setup = np.random.default_rng(3)
    for _ in range(200):
        n = 30
        org_initiative = np.where(setup.random(n) < 0.7, -1, 7)
        declined = setup.random(n) < 0.2
        incumbent, repeat = setup.random(n) < 0.5, setup.random(n) < 0.3
        pools = np.zeros((3, n), dtype=np.int64)
        sizes = _pools(org_initiative, home, declined, incumbent, repeat, pools)
        # idle organisations, and those working in the spawning coalition, unless they declined
        available = ((org_initiative < 0) | (org_initiative == home)) & ~declined
        members = [available & incumbent & repeat, available & incumbent, available & ~incumbent]
        assert sizes == tuple(int(mask.sum()) for mask in members)
        for row, mask, size in zip(pools, members, sizes, strict=True):
            np.testing.assert_array_equal(row[:size], np.flatnonzero(mask))
        if sizes[pool] == 0:
            continue
        score = setup.random(n)
        view, ask = _scored_by(score, n)
        ev = TrustLedger(n, 0.5, 2.0).evidence_record()
        cand, _, _ = _pick(pools[pool], setup.random(sizes[pool]), view, ask, ev)
        # considering everyone in the pool, the best scored is invited
        pool_members = np.flatnonzero(members[pool])
        assert cand == pool_members[score[pool_members].argmax()]


def test_snowballing_considers_people_you_know_first() -> None:
    """With breadth 1, the one considered is near far more often than chance says."""
    rng = np.random.default_rng(9)
    n = 40
    distance = np.where(np.arange(n) < 4, 1, 5).astype(np.int8)  # 4 near, 36 strangers
    by_distance = 1.0 / (1.0 / np.maximum(np.arange(8), 1).astype(float)) ** 4.0
    view, _ = _scored_by(np.zeros(n), n)
    ask = Ask(0, distance, by_distance, 1, np.array([0]), np.zeros((n, 1)), 0.0)
    ev = TrustLedger(n, 0.5, 2.0).evidence_record()
    everyone = np.arange(n)
    near = sum(distance[_pick(everyone, rng.random(n), view, ask, ev)[0]] == 1 for _ in range(400))
    assert near / 400 > 0.5  # chance alone: 4 / 40


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


@given(
    n=st.integers(1, 40),
    density=st.floats(0.0, 0.5),
    cap=st.integers(1, 7),
    seed=st.integers(0, 2**16),
)
def test_distances_from_a_team_equal_a_search_from_each_member(
    n: int, density: float, cap: int, seed: int
) -> None:
    r = np.random.default_rng(seed)
    adjacency = np.triu(r.random((n, n)) < density, 1)
    adjacency = adjacency | adjacency.T
    net = network_from(adjacency, cap)
    team = r.choice(n, size=int(r.integers(1, min(n, 4) + 1)), replace=False)
    nearest = np.min([reference_distance(adjacency, [s], cap) for s in team], axis=0)
    np.testing.assert_array_equal(net.distance_from(team), nearest)


def test_a_kernel_refuses_changed_argument_types(monkeypatch) -> None:
    from sim.journey.compiled import CHECK_TYPES_ENV, kernel

    def total(x: np.ndarray) -> float:
        return x.sum()

    monkeypatch.setenv(CHECK_TYPES_ENV, "1")
    compiled = kernel(total)
    assert compiled(np.ones((1, 3))) == 3.0
    assert compiled(np.ones((4, 3))) == 12.0  # another shape, the same layout
    with pytest.raises(TypeError, match="argument types changed"):
        compiled(np.ones((4, 3), dtype=np.float32))
    with pytest.raises(TypeError, match="argument types changed"):
        compiled(np.ones((4, 6))[:, ::2])  # not contiguous


@given(
    n=st.integers(2, 30),
    adds=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)), max_size=120),
    gone=st.lists(st.integers(0, 29), max_size=3),
)
def test_pair_table_holds_what_was_added_through_growth_and_resets(
    n: int, adds: list[tuple[int, int]], gone: list[int]
) -> None:
    from sim.journey.pairs import EMPTY, Pairs

    table = Pairs(n, {"x": (np.float64, 0.5)}, room=1)  # grows and rehashes as pairs come
    want = np.full((n, n), 0.5)
    for k, (a, b) in enumerate(adds):
        i, j = a % n, b % n
        slot = table.add(np.array([i]), np.array([j]))
        table.columns["x"][slot] = k
        want[i, j] = k
    rows, cols = np.divmod(np.arange(n * n), n)
    held = {(i % n, j % n) for i, j in adds} | {(j % n, i % n) for i, j in adds}
    assert set(zip(*table.held()[:2], strict=True)) == held  # always both ways round
    np.testing.assert_array_equal(table.get("x", rows, cols), want.ravel())
    np.testing.assert_array_equal(
        table.find(rows, cols) != EMPTY, [p in held for p in zip(rows, cols, strict=True)]
    )
    orgs = np.array([g % n for g in gone], dtype=np.int64)
    table.reset_rows(orgs)
    want[orgs, :] = want[:, orgs] = 0.5
    np.testing.assert_array_equal(table.dense("x"), want)


@given(
    k=st.integers(2, 60),
    size=st.integers(1, 8),
    seed=st.integers(0, 2**16),
    coarse=st.booleans(),
)
def test_snowball_keeps_the_largest_keys_in_the_full_sorts_order(
    k: int, size: int, seed: int, coarse: bool
) -> None:
    from sim.journey.exploring import _snowball

    r = np.random.default_rng(seed)
    draws = r.random(k)
    if coarse:  # many equal keys: the full sort's order must decide
        draws = np.round(draws, 1)
    inverse_weight = np.where(r.random(k + 5) < 0.5, 1.0, 1.0 + 20 * r.random(k + 5))
    distance = np.arange(k + 5)  # each organisation at a distance of its own weight
    pool = r.permutation(k + 5)[:k]
    size = min(size, k - 1)
    want = _sorted_top(pool, draws ** inverse_weight[pool], size)
    np.testing.assert_array_equal(_snowball(pool, draws, distance, inverse_weight, size), want)


@njit()
def _sorted_top(pool: np.ndarray, keys: np.ndarray, size: int) -> np.ndarray:
    """The full sort's choice, with the sort the compiled search uses (ties in its order)."""
    return pool[np.argsort(keys)[keys.size - size :]]
