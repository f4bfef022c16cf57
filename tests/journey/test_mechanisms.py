"""One focused test per mechanism; each fails if its mechanism is removed."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from sim.journey.assumptions import JourneyAssumptions
from sim.journey.exploring import candidate_score, score_features, score_weights
from sim.journey.guimera import guimera_pool
from sim.journey.measures import measure_all
from sim.journey.model import JourneyModel
from sim.journey.network import network_of
from sim.journey.parameters import JourneyParameters
from sim.journey.rules import contribution, exit_threshold, work_rules
from sim.journey.stages import ContributionType, Outcome, Stage
from sim.journey.trust import TrustLedger
from sim.team_assembly.model import TeamAssemblyModel, giant_component_share, newcomer_share

SEEDS = range(4)
ASSUMED = JourneyAssumptions()
RULES = work_rules(JourneyParameters(), ASSUMED)


def mean_measure(name: str, seeds=SEEDS, **params) -> float:
    values = []
    for seed in seeds:
        model = JourneyModel(
            JourneyParameters(**{"n_organisations": 60, "steps": 208, **params}), rng=seed
        )
        while model.running:
            model.step()
        values.append(measure_all(model)[name])
    return float(np.nanmean(values))


# --- trust as Beta evidence ------------------------------------------------------


def test_trust_is_the_beta_mean_with_asymmetric_evidence() -> None:
    ledger = TrustLedger(2, prior_mean=0.5, prior_weight=4)
    assert ledger.of(0, 1) == pytest.approx(0.5)
    ledger.believe(np.array([[0, 1.0], [0, 0]]))
    assert ledger.of(0, 1) == pytest.approx(3 / 5)
    ledger.disbelieve(np.array([[0, 3.0], [0, 0]]))  # one bad act, loss ratio 3
    assert ledger.of(0, 1) == pytest.approx(3 / 8)
    assert ledger.of(1, 0) == pytest.approx(0.5)  # trust is directed


def test_larger_loss_ratio_lowers_trust() -> None:
    assert mean_measure("mean_trust", trust_loss_ratio=12.0) < mean_measure(
        "mean_trust", trust_loss_ratio=1.0
    )


def test_trust_is_the_key_material() -> None:
    assert (
        mean_measure("value_creation_share", trust=0.85)
        > mean_measure("value_creation_share", trust=0.15) + 0.1
    )


# --- partner search (Guimerà et al. 2005) -------------------------------------------


def test_q_one_picks_only_prior_collaborators() -> None:
    rng = np.random.default_rng(0)
    available = np.ones(10, dtype=bool)
    incumbent = np.array([True] * 6 + [False] * 4)
    repeat = np.zeros(10, dtype=bool)
    repeat[[1, 2]] = True
    for _ in range(50):
        pool, kind = guimera_pool(rng, available, incumbent, repeat, p=1.0, q=1.0)
        assert kind == "repeat"
        assert set(np.flatnonzero(pool)) == {1, 2}
    for _ in range(50):
        pool, kind = guimera_pool(rng, available, incumbent, repeat, p=0.0, q=1.0)
        assert kind == "newcomer"
        assert set(np.flatnonzero(pool)) == {6, 7, 8, 9}


def test_p_sets_the_share_of_incumbents() -> None:
    rng = np.random.default_rng(1)
    available = np.ones(10, dtype=bool)
    incumbent = np.arange(10) < 5
    kinds = [
        guimera_pool(rng, available, incumbent, ~incumbent & False, 0.7, 0.0)[1]
        for _ in range(4000)
    ]
    assert np.mean([k == "incumbent" for k in kinds]) == pytest.approx(0.7, abs=0.03)


def test_pure_team_assembly_giant_component_grows_with_p() -> None:
    def gc(p: float) -> float:
        shares = []
        for seed in range(3):
            m = TeamAssemblyModel(rng=seed, incumbent_p=p, repeat_q=0.3, steps=300)
            while m.running:
                m.step()
            shares.append(giant_component_share(m))
        return float(np.mean(shares))

    low, high = gc(0.1), gc(0.8)
    assert low < 0.4
    assert high > 0.8


def test_team_assembly_p_one_has_no_newcomers_after_the_first_team() -> None:
    m = TeamAssemblyModel(rng=0, incumbent_p=1.0, repeat_q=1.0, steps=50, team_size=4)
    while m.running:
        m.step()
    assert len(m.members) == 4
    assert newcomer_share(m) == pytest.approx(4 / 200)


def test_search_cost_grows_with_network_distance() -> None:
    src, dst = np.array([0, 1, 1, 2, 2, 3]), np.array([1, 0, 2, 1, 3, 2])
    net = network_of(5, (src, dst), 5, np.ones(6))
    assert net.distance_from([0]).tolist() == [0, 1, 2, 3, 5]
    net.tie(np.array([3, 4]), 0, np.empty(0, dtype=np.int64))  # a collaboration ties 4 in
    assert net.distance_from([0]).tolist() == [0, 1, 2, 3, 4]


def test_informal_networks_make_search_quicker() -> None:
    strong = mean_measure("weeks_exploring", network_strength=0.9)
    none = mean_measure("weeks_exploring", network_strength=0.0, network_structure="none")
    assert strong < none


def test_candidates_scored_on_capability_versus_chemistry() -> None:
    requirement = np.array([1.0, 1.0, 0.0])
    capability = np.array([[0.9, 0.1, 0.0], [0.0, 0.9, 0.0], [0.5, 0.2, 0.9]])
    values = np.array([[0.5, 0.5], [0.0, 1.0], [0.5, 0.45]])  # the third shares the values
    features = score_features(capability, values)
    reference = features[0].copy()  # a team of organisation 0 alone
    trust = [0.3, 0.9]  # the team trusts the third more

    def best(capability_weight: float) -> int:
        weights = score_weights(requirement, 2, capability_weight, 0.5)
        chemistry = 0.5 * (1.0 - capability_weight)
        scores = [
            candidate_score(features[c], reference, weights, chemistry, trust[c - 1])
            for c in (1, 2)
        ]
        return 1 + int(np.argmax(scores))

    assert best(1.0) == 1  # the second covers the missing capability
    assert best(0.0) == 2  # the third has the chemistry


# --- self-interest and contribution ---------------------------------------------------


def test_contribution_types_respond_as_in_public_goods_games() -> None:
    def put_in(kind: ContributionType, others: float, kept: float = 1.0) -> float:
        return contribution(int(kind), others, 0.8, kept, RULES)

    cond, free, hump, uncond = ContributionType
    assert put_in(cond, 0.9) > put_in(cond, 0.2)  # conditional cooperators follow the others
    assert put_in(free, 0.9) == put_in(free, 0.2) < put_in(cond, 0.2)  # free riders do not
    assert put_in(hump, 0.9) < put_in(hump, 0.5)  # hump-shaped: up to a point, then less
    assert put_in(uncond, 0.9) == put_in(uncond, 0.2) == 1.0
    for kind in ContributionType:  # self-interest holds some back
        assert put_in(kind, 0.9, kept=0.5) == pytest.approx(0.5 * put_in(kind, 0.9))


def test_self_interest_breeds_failure() -> None:
    assert mean_measure("failed_share", self_interest=0.9) > mean_measure(
        "failed_share", self_interest=0.05
    )


# --- cohering: confidence and risk appetite ------------------------------------------


def test_low_risk_appetite_needs_more_confidence() -> None:
    assert exit_threshold(0.0, ASSUMED) > exit_threshold(1.0, ASSUMED)


def test_partner_below_its_threshold_exits_gracefully() -> None:
    model = JourneyModel(
        JourneyParameters(n_organisations=60, steps=300, opportunity_rate=0.05), rng=3
    )
    target = None
    while model.running and target is None:
        model.step()
        for ini in model.initiatives:
            if ini.stage is Stage.COHERING and len(ini.members) >= 3:
                target = ini
                break
    assert target is not None
    leaver = target.members[1]
    model.believe[leaver] = 0.0
    model.disbelieve[leaver] = 50.0  # plenty of reasons to disbelieve
    model.step()
    assert leaver not in target.members
    exits = [e for e in model.events if e.kind == "exit" and e.organisation == leaver]
    assert exits and "lost confidence" in exits[-1].reason
    assert "below its threshold" in exits[-1].reason


# --- urgency and time --------------------------------------------------------------


def test_urgency_squeezes_the_clocks() -> None:
    assert (
        mean_measure("drifted_apart_share", urgency=0.95)
        > mean_measure("drifted_apart_share", urgency=0.05) + 0.1
    )


# --- multi-level organisation ---------------------------------------------------------


def test_coalitions_spawn_consortia() -> None:
    model = JourneyModel(
        JourneyParameters(coalition_share=1.0, coalition_size=10, steps=260, trust=0.7), rng=1
    )
    while model.running:
        model.step()
    children = [i for i in model.initiatives if i.kind.value == "consortium"]
    assert children, "a working coalition should spawn consortia"
    assert all(model.initiatives[c.id].kind.value == "consortium" for c in children)
    assert any(i.spawned for i in model.initiatives if i.kind.value == "coalition")


def test_lasting_alliances_need_trust() -> None:
    easy = mean_measure("meta_organisations", alliance_trust=0.0)
    never = mean_measure("meta_organisations", alliance_trust=1.0)
    assert never == 0.0
    assert easy > 0.0


def test_every_ending_has_a_reason() -> None:
    model = JourneyModel(JourneyParameters(n_organisations=60, steps=200), rng=5)
    while model.running:
        model.step()
    ended = [i for i in model.initiatives if i.outcome is not None]
    assert ended
    assert all(i.reason for i in ended)
    assert {i.outcome for i in ended} & {Outcome.ACHIEVED, Outcome.FAILED}


# --- model-level checks of each remaining mechanism -------------------------------------


def run_events(seed: int = 2, **params) -> tuple[JourneyModel, list]:
    model = JourneyModel(
        JourneyParameters(**{"n_organisations": 80, "steps": 260, **params}), rng=seed
    )
    while model.running:
        model.step()
    return model, model.events


def test_search_cost_slows_exploring() -> None:
    """Each recruitment takes longer when search is costly (weeks per partner found)."""

    def weeks_per_partner(search_cost: float) -> float:
        spans = []
        for seed in SEEDS:
            model = JourneyModel(rng=seed, n_organisations=60, steps=208, search_cost=search_cost)
            while model.running:
                model.step()
            spans += [
                (i.exited["exploring"] - i.entered["exploring"]) / (len(i.ever_members) - 1)
                for i in model.initiatives
                if "cohering" in i.entered and len(i.ever_members) > 1
            ]
        return float(np.mean(spans))

    assert weeks_per_partner(4.0) > weeks_per_partner(0.5) + 1.5


def test_low_risk_appetite_partners_leave_more() -> None:
    def exits_per_team(risk: float) -> float:
        counts = []
        for seed in SEEDS:
            model, events = run_events(seed, risk_appetite=risk)
            teams = sum(1 for i in model.initiatives if "cohering" in i.entered)
            counts.append(sum(1 for e in events if e.kind == "exit") / max(teams, 1))
        return float(np.mean(counts))

    assert exits_per_team(0.1) > exits_per_team(0.9)


def test_tuckman_phases_follow_their_order() -> None:
    _, events = run_events(3)
    phases: dict[tuple[int, int], list[str]] = {}  # per journey (a team can come back)
    journeys: dict[int, int] = {}
    for e in events:
        if e.kind == "transition" and e.to_stage == "journeying":
            journeys[e.initiative] = journeys.get(e.initiative, 0) + 1
        if e.kind == "phase":
            words = e.reason.split(" moves from ")[1].split(" to ")
            key = (e.initiative, journeys[e.initiative])
            phases.setdefault(key, []).append(tuple(words))
    assert phases
    allowed = {
        ("forming", "storming"),
        ("storming", "norming"),
        ("norming", "performing"),
        ("norming", "storming"),
        ("performing", "storming"),
    }
    for moves in phases.values():
        assert moves[0] == ("forming", "storming")
        assert set(moves) <= allowed
        for (_, to), (frm, _) in pairwise(moves):
            assert to == frm


def test_midpoint_review_happens_at_the_midpoint() -> None:
    model, events = run_events(4, urgency=0.0)
    half = model.params.delivery_weeks / 2
    started: dict[int, int] = {}  # when each initiative's current journey began
    reviews = 0
    for e in events:
        if e.kind == "transition" and e.to_stage == "journeying":
            started[e.initiative] = e.tick
        if e.reason.startswith("midpoint review"):
            reviews += 1
            assert e.tick - started[e.initiative] >= half - 1
    assert reviews, "some team should be behind at its midpoint"


def test_governance_overhead_lengthens_establishing() -> None:
    slow = mean_measure("weeks_establishing", governance_overhead=1.0)
    quick = mean_measure("weeks_establishing", governance_overhead=0.1)
    assert slow > quick + 5


def test_alliances_turn_the_flywheel() -> None:
    spinning = mean_measure("initiatives_started", flywheel=4.0, alliance_trust=0.3)
    still = mean_measure("initiatives_started", flywheel=0.0, alliance_trust=0.3)
    assert spinning > still


def test_commitment_lets_teams_deliver() -> None:
    assert mean_measure("value_creation_share", commitment=0.9) > mean_measure(
        "value_creation_share", commitment=0.3
    )


def test_snowballing_recruits_through_ties() -> None:
    """Recruits are tied to the team far more often than organisations at random."""
    model, events = run_events(5, network_strength=0.8)
    tied = model.informal > 0
    observed, chance = [], []
    for e in events:
        if e.kind != "join":
            continue
        ini = model.initiatives[e.initiative]
        team = ini.ever_members[: ini.ever_members.index(e.organisation)]
        observed.append(tied[e.organisation, team].any())
        chance.append(tied[:, team].any(axis=1).mean())
    assert len(observed) > 50
    # uniform sampling gives about +0.07
    assert np.mean(observed) > max(np.mean(chance) + 0.12, 2 * np.mean(chance))
