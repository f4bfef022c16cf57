"""The journey model: organisations forming, working in and leaving initiatives.

One tick is one week. Each week:

1. idle organisations may glimpse an opportunity (latent value);
2. champions whose deliberation is over act on it or let it lapse;
3. exploring initiatives whose search step is due recruit one partner (Guimerà search;
   what the team knows about every candidate is kept up to date as it grows, in a
   :class:`TeamView`);
4. every organisation in a cohering, establishing or journeying initiative behaves
   (turns up or not, contributes, jockeys for power), and its partners gather reasons
   to believe or disbelieve in it (Beta trust); this step runs over the organisations
   at work and the pairs of partners among them (:class:`WorkingTeams`), so idle
   organisations cost nothing;
5. initiatives whose clocks, confidence, trust or progress call for it change stage;
6. initiatives that created value become lasting alliances (meta-organisations) when
   trust is high enough, and those alliances champion again (the flywheel).

The arithmetic of a week (working together, search steps, new ties, phase and review
checks) lives in small loop kernels (``_week``, ``_pairs``, ``_fold_in``, ``_pool_sizes``,
``_pick``, ``_tie``, ``_cohering_state``, ``_phase_moves``, ``_reviews_due``,
``_journey_due``), compiled with numba when it is installed (cached on disk after the
first run) and run as plain Python otherwise, with the same results. Every random number
is still drawn here, from the model's generator, in the same order; the kernels only
compute. The rules they apply are those of :mod:`sim.journey.agents`, :mod:`sim.journey.search` and
:mod:`sim.journey.trust`, and ``tests/test_model_speed_equivalence.py`` checks them against those
definitions.

The model does no I/O and no plotting: :mod:`sim.io.records` turns it into tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from mesa import Model

from sim.journey import agents as rules
from sim.journey.agents import Organisation
from sim.journey.initiatives import Event, Initiative
from sim.journey.parameters import JourneyParameters
from sim.journey.search import (
    MAX_DISTANCE,
    coverage,
    distance_matrix,
    pool_choice,
    score_features,
    score_weights,
    snowball_weights,
)
from sim.journey.stages import LAPSED_REASON, VALUE_OUTCOMES, Form, Kind, Outcome, Phase, Stage
from sim.journey.trust import TrustLedger
from sim.parameters import with_overrides

try:  # compiled kernels for the weekly step; the same code runs as plain Python without
    from numba import njit
except ImportError:  # pragma: no cover

    def njit(*_args: Any, **_kwargs: Any) -> Any:
        """Stand-in for numba.njit: leave the function as it is."""
        return lambda f: f


COLLABORATING = (Stage.COHERING, Stage.ESTABLISHING, Stage.JOURNEYING)
IS_COLLABORATING = np.isin(np.arange(len(Stage)), COLLABORATING)
MIN_EVIDENCE = 4.0  # reasons a partner needs before judging an initiative
PHASE_EFFICIENCY = np.array([0.3, 0.1, 0.6, 1.0])  # forming, storming, norming, performing
WORK_WEEKS = 8.0  # weeks a fully contributing, performing consortium needs
FORMING_WEEKS = 4
NORMING_TRUST = 0.5  # storming ends once the team trusts itself at least evenly
NORMING_CONFLICT = 0.15  # storming ends once weekly jockeying per member stays below this
RELAPSE_CONFLICT = 0.3  # power struggles above this push a team back into storming
PERFORMING_WEEKS = 6
SPAWN_RATE = 0.04  # weekly chance that a working coalition spawns a consortium
FORM_WEEKS = {Form.JOINT_PROJECT: 8.0, Form.LEGAL_CONSORTIUM: 26.0, Form.COLLECTIVE: 16.0}
_NO_DRAWS = np.empty((2, 0))
_NO_ONE = np.empty(0, dtype=np.int64)
_STAGE_NAMES = {s: s.name.lower() for s in Stage}  # as logged in events
_PHASE_LABELS = tuple(ph.label for ph in Phase)  # by phase number
_FORMING, _STORMING, _NORMING, _PERFORMING = (int(ph) for ph in Phase)
_POOLS = ("repeat", "incumbent", "newcomer")  # pool_choice() names, in _pick()'s order
_POOL_INDEX = {name: k for k, name in enumerate(_POOLS)}
_JOURNEYING = int(Stage.JOURNEYING)  # plain ints for compiled code
_COHERING = int(Stage.COHERING)
_PER_INITIATIVE = (  # per-initiative state arrays, grown together
    "_stage", "_deadline", "_progress", "_work", "_rate", "_phase", "_phase_since",
    "_conflict", "_journey_start", "_midway", "_midpoint_done", "_replanned", "_coverage",
    "_setup_end", "_due", "_budget", "_coalition", "_potential", "_setup_cost",
)  # fmt: skip


@njit(cache=True)
def _week(
    pos, neg, flat, rows, cols, per_partner, a0, b0, draws, chances, contrib_all, orgs,
    partner, conditional_type, hump_type, fixed, holdback, gain_scale, loss_scale, free_ride,
    ini, per_member, coh_loc, coh_orgs, coh_ini, leaning, draws2, believe_all,
    disbelieve_all, threshold, any_journeying, conflict, progress, phase, rate,
    per_journeyer, watch, breach_threshold, trust, team_trust, confidence, leaving, coherent,
    ready,
):  # fmt: skip
    """One week of working together, fused (see JourneyModel._collaborate)."""
    m = orgs.size
    n_pairs = flat.size
    n_ini = team_trust.size
    mean_trust = np.zeros(m)
    others = np.zeros(m)
    for k in range(n_pairs):
        a = pos[flat[k]] + a0
        trust[k] = a / (neg[flat[k]] + a + b0)
        mean_trust[rows[k]] += trust[k]
        others[rows[k]] += contrib_all[partner[k]]
    present = np.empty(m, dtype=np.bool_)
    jockey = np.empty(m, dtype=np.bool_)
    gain = np.empty(m)
    loss = np.empty(m)
    effort = np.zeros(n_ini)
    jockeys = np.zeros(n_ini)
    team_trust[:] = 0.0
    for w in range(m):
        mean_trust[w] *= per_partner[w]
        o = orgs[w]
        x = others[w] * per_partner[w]
        cond = min(x * (0.6 + 0.8 * mean_trust[w]), 1.0)
        if conditional_type[o]:
            base = cond
        elif hump_type[o]:
            base = min(min(cond, 1.0 - x) * 1.6, 1.0)
        else:
            base = fixed[o]
        intended = base * holdback[o]
        contrib_all[o] = intended
        here = draws[0, w] < chances[0, o]
        jock = draws[1, w] < chances[1, o]
        bad = jock and draws[2, w] < chances[2, o]
        present[w] = here
        jockey[w] = jock
        gain[w] = ((intended + 1.0) if here and not jock else 0.0) * gain_scale
        lost = ((1.0 if jock else 0.0) + (1.0 if bad else 0.0)) * loss_scale
        if here and intended < 0.15:
            lost += free_ride
        loss[w] = lost
        g = ini[w]
        team_trust[g] += mean_trust[w]
        if jock:
            jockeys[g] += 1.0
        if here:
            effort[g] += intended
    for k in range(n_pairs):
        pos[flat[k]] += gain[cols[k]]
        neg[flat[k]] += loss[cols[k]]
    for g in range(n_ini):
        team_trust[g] *= per_member[g]
    n_leaving = 0
    ready[:] = 0.0
    for k in range(coh_loc.size):
        w = coh_loc[k]
        org = coh_orgs[k]
        seen = 0.24 if jockeys[coh_ini[k]] > (1.0 if jockey[w] else 0.0) else 0.0
        p_b = max(leaning[0, org] + 0.24 * mean_trust[w], 0.0)
        p_d = min(leaning[1, org] - 0.18 * mean_trust[w] + seen, 0.6)
        b = believe_all[org] + (1.0 if draws2[0, k] < p_b else 0.0)
        d = disbelieve_all[org] + (1.0 if draws2[1, k] < p_d else 0.0)
        believe_all[org] = b
        disbelieve_all[org] = d
        evidence = b + d
        c = (b + 1.0) / (evidence + 2.0)
        confidence[k] = c
        judged = evidence >= MIN_EVIDENCE
        leaving[k] = judged and c < threshold[org]
        coherent[k] = judged and c >= threshold[org] + 0.05
        n_leaving += leaving[k]
        if coherent[k]:
            ready[coh_ini[k]] += 1.0
    n_below = 0
    if any_journeying:
        for g in range(n_ini):
            conflict[g] = conflict[g] * 0.8 + jockeys[g] * per_journeyer[g]
            progress[g] += effort[g] * per_journeyer[g] * PHASE_EFFICIENCY[phase[g]] * rate[g]
        for k in range(n_pairs):
            if watch[k] and trust[k] < breach_threshold:
                n_below += 1
    return n_below, n_leaving


@njit(cache=True)
def _pairs(
    org_initiative, stage, n_ini, working, orgs, ini, per_partner, coh, per_ini, pair, watch
):
    """Working organisations and partner pairs (see JourneyModel._build_teams).

    Fills the buffers given: per organisation ``working``; per working organisation (the
    first ``m`` places) ``orgs``, ``ini`` and ``per_partner``; in rows of ``coh`` the local
    indices, organisations and initiatives of those cohering; in rows of ``per_ini`` the
    working members, 1 / members and 1 / journeying members of every initiative; in rows
    of ``pair`` (and in ``watch``) the partner pairs, unless there is no room for them.

    Returns:
        The numbers of working organisations, of partner pairs and of cohering ones.
    """
    collaborating = IS_COLLABORATING
    journeying = _JOURNEYING
    cohering = _COHERING
    n = org_initiative.size
    m = 0
    for o in range(n):
        g = org_initiative[o]
        working[o] = g >= 0 and collaborating[stage[g]]
        if working[o]:
            m += 1
    size = per_ini[0]
    size[:n_ini] = 0.0
    j = 0
    for o in range(n):
        if working[o]:
            orgs[j] = o
            ini[j] = org_initiative[o]
            size[ini[j]] += 1.0
            j += 1
    n_pairs = 0
    for w in range(m):
        n_pairs += int(size[ini[w]]) - 1
    n_coh = 0
    for w in range(m):
        g = ini[w]
        per_partner[w] = 1.0 / max(size[g] - 1.0, 1.0)
        if stage[g] == cohering:
            coh[0, n_coh] = w
            coh[1, n_coh] = orgs[w]
            coh[2, n_coh] = g
            n_coh += 1
    per_member = per_ini[1]
    per_journeyer = per_ini[2]
    for g in range(n_ini):
        per_member[g] = 1.0 / max(size[g], 1.0)
        per_journeyer[g] = 0.0
    for w in range(m):
        if stage[ini[w]] == journeying:
            per_journeyer[ini[w]] = per_member[ini[w]]
    if n_pairs > watch.size:
        return m, n_pairs, n_coh
    # each initiative's working members, ascending: team[start[g] : start[g + 1]]
    start = np.zeros(n_ini + 1, dtype=np.int64)
    for w in range(m):
        start[ini[w] + 1] += 1
    for g in range(n_ini):
        start[g + 1] += start[g]
    team = np.empty(m, dtype=np.int64)
    fill = start[:-1].copy()
    for w in range(m):
        team[fill[ini[w]]] = w
        fill[ini[w]] += 1
    rows, cols, flat, partner = pair[0], pair[1], pair[2], pair[3]
    k = 0
    for a in range(m):
        g = ini[a]
        for b in team[start[g] : start[g + 1]]:
            if b != a:
                rows[k] = a
                cols[k] = b
                flat[k] = orgs[a] * n + orgs[b]
                partner[k] = orgs[b]
                watch[k] = stage[g] == journeying
                k += 1
    return m, n_pairs, n_coh


@njit(cache=True)
def _fold_in(
    team, start, restart, dist, tied, features, pos, neg, a0, b0, inverse_table, distance,
    repeat, inverse_weight, best, total, trust, n_capabilities, weights, chemistry, score,
):  # fmt: skip
    """Bring a TeamView's arrays up to date with members ``team[start:]``.

    When members join, every organisation is scored again as a candidate, as
    search.score_all() does. A new view (``start`` 0) is filled from scratch.
    """
    n = distance.size
    if start == 0:  # a new view: nothing folded in yet
        restart = True
        best[:] = -np.inf
        total[:] = 0.0
        trust[:] = 0.0
    if restart:  # new ties elsewhere: distances and prior collaborators from the team
        distance[:] = MAX_DISTANCE
        repeat[:] = False
        first = 0
    else:
        first = start
    for o in team[first:]:
        for j in range(n):
            distance[j] = min(distance[j], dist[o, j])
            repeat[j] = repeat[j] or tied[o, j]
    for j in range(n):
        inverse_weight[j] = inverse_table[distance[j]]
    for o in team[start:]:
        for f in range(best.size):
            best[f] = max(best[f], features[o, f])
            total[f] += features[o, f]
        for j in range(n):
            a = pos[o, j] + a0
            trust[j] += a / (neg[o, j] + a + b0)
    if start < team.size:
        members = team.size
        reference = best.copy()  # best capabilities, mean values
        for f in range(n_capabilities, best.size):
            reference[f] = total[f] / members
        for j in range(n):
            s = 0.0
            for f in range(weights.size):
                s += max(features[j, f] - reference[f], 0.0) * weights[f]
            score[j] = s + chemistry * (1.0 + trust[j] / members)


@njit(cache=True)
def _pool_sizes(org_initiative, home, declined, incumbent, repeat, available):
    """Who may join an exploring team; how many are repeats, incumbents, newcomers.

    Writes the mask into ``available`` and counts the pools of search.guimera_pool().

    Idle organisations are available, and so are those working in ``home`` (the coalition
    that spawned the team, or -1), unless they declined the team before.
    """
    repeats = incumbents = newcomers = 0
    for j in range(available.size):
        g = org_initiative[j]
        available[j] = (g < 0 or g == home) and not declined[j]
        if available[j]:
            if incumbent[j]:
                incumbents += 1
                if repeat[j]:
                    repeats += 1
            else:
                newcomers += 1
    return repeats, incumbents, newcomers


@njit(cache=True)
def _pick(
    available, incumbent, repeat, pool, draws, inverse_weight, score, breadth, distance,
    pos, neg, a0, b0, champion,
):  # fmt: skip
    """The candidate a search step invites (see JourneyModel._search_step).

    ``pool`` is 0 for prior collaborators, 1 for incumbents, 2 for newcomers; ``draws``
    holds one uniform number per member of the pool.

    Returns:
        The candidate, its distance from the team and its trust in the champion
        (TrustLedger.of).
    """
    idx = np.empty(draws.size, dtype=np.int64)
    k = 0
    for j in range(available.size):
        if available[j] and (
            (pool == 0 and incumbent[j] and repeat[j])
            or (pool == 1 and incumbent[j])
            or (pool == 2 and not incumbent[j])
        ):
            idx[k] = j
            k += 1
    # snowball: weighted sampling without replacement (Efraimidis and Spirakis 2006)
    keys = np.empty(k)
    for j in range(k):
        keys[j] = draws[j] ** inverse_weight[idx[j]]
    size = min(breadth, k)
    cands = idx[np.argsort(keys)[k - size :]] if size < k else idx
    cand = cands[0]
    for c in cands[1:]:
        if score[c] > score[cand]:
            cand = c
    a = a0 + pos[cand, champion]
    return cand, int(distance[cand]), a / (a + b0 + neg[cand, champion])


@njit(cache=True)
def _tie(team, collab, tied, degree, incumbent, dist):
    """Record a team's collaboration (see JourneyModel._start_cohering and search.tie_team)."""
    n = dist.shape[0]
    for a in team:
        for b in team:
            if a != b:
                collab[a, b] += 1
                tied[a, b] = True
    for a in team:
        d = 0
        for j in range(n):
            if tied[a, j]:
                d += 1
        degree[a] = d
        incumbent[a] = d > 0
    to_team = np.empty(n, dtype=np.int64)
    for j in range(n):
        to_team[j] = MAX_DISTANCE
        for a in team:
            to_team[j] = min(to_team[j], dist[a, j])
    for i in range(n):
        for j in range(n):
            dist[i, j] = min(dist[i, j], to_team[i] + 1 + to_team[j])


@njit(cache=True)
def _cohering_state(team, fit, payoff, fit_all, payoff_all, leaning, believe, disbelieve, contrib):
    """Reset the members of a team that starts cohering (see JourneyModel._start_cohering).

    Their values fit and payoff, rules.leanings() of them, no reasons yet either way, and
    last week's contribution taken as a half.
    """
    for k in range(team.size):
        o = team[k]
        fit_all[o] = fit[k]
        payoff_all[o] = payoff
        leaning[0, o] = 0.18 * fit[k] + 0.18 * payoff
        leaning[1, o] = 0.36 - 0.18 * fit[k]
        believe[o] = 0.0
        disbelieve[o] = 0.0
        contrib[o] = 0.5


@njit(cache=True)
def _phase_moves(active, phase, since, conflict, team_trust, tick):
    """Each active team's next Tuckman phase, or -1 (see JourneyModel._tuckman)."""
    new = np.full(active.size, -1, dtype=np.int64)
    for k in range(active.size):
        i = active[k]
        ph = phase[i]
        weeks = tick - since[i]
        trusting = team_trust[i] >= NORMING_TRUST
        if ph >= _NORMING and conflict[i] > RELAPSE_CONFLICT:
            new[k] = _STORMING  # power struggles
        elif ph == _FORMING and weeks >= FORMING_WEEKS:
            new[k] = _STORMING
        elif ph == _STORMING and trusting and conflict[i] < NORMING_CONFLICT:
            new[k] = _NORMING
        elif ph == _NORMING and trusting and weeks >= PERFORMING_WEEKS:
            new[k] = _PERFORMING
        if new[k] == ph:
            new[k] = -1
    return new


@njit(cache=True)
def _reviews_due(active, progress, midway, reviewed, deadline, tick):
    """Per active team: 1 delivered, else 2 for the midpoint review plus 4 if late."""
    due = np.zeros(active.size, dtype=np.int64)
    for k in range(active.size):
        i = active[k]
        if progress[i] >= 1.0:
            due[k] = 1
            continue
        if midway[i] <= tick and not reviewed[i]:
            due[k] += 2
        if deadline[i] <= tick:
            due[k] += 4
    return due, np.count_nonzero(due)


@njit(cache=True)
def _journey_due(
    per_journeyer, stage, phase, since, conflict, team_trust, tick, progress, midway, reviewed,
    deadline, out,
):  # fmt: skip
    """The journeying teams still at work, their Tuckman moves and the reviews due.

    A team counts when it has members at work (``per_journeyer``) and is still journeying.
    Writes the teams (ascending) into ``out[0]``, their _phase_moves() into ``out[1]`` and
    their _reviews_due() into ``out[2]``.

    Returns:
        How many teams there are, how many move and how many are due.
    """
    n = 0
    for g in range(per_journeyer.size):
        if per_journeyer[g] != 0.0 and stage[g] == _JOURNEYING:
            n += 1
    active = np.empty(n, dtype=np.int64)
    k = 0
    for g in range(per_journeyer.size):
        if per_journeyer[g] != 0.0 and stage[g] == _JOURNEYING:
            active[k] = g
            k += 1
    moves = _phase_moves(active, phase, since, conflict, team_trust, tick)
    due, n_due = _reviews_due(active, progress, midway, reviewed, deadline, tick)
    n_moves = 0
    for k in range(n):
        out[0, k] = active[k]
        out[1, k] = moves[k]
        out[2, k] = due[k]
        if moves[k] >= 0:
            n_moves += 1
    return n, n_moves, n_due


def _kernel_parts(parts: tuple) -> tuple:
    """rules.contribution_parts() with an all-false hump mask instead of None."""
    conditional_type, hump_type, fixed, holdback = parts
    if hump_type is None:
        hump_type = np.zeros(conditional_type.size, dtype=bool)
    return conditional_type, hump_type, fixed, holdback


@dataclass(slots=True)
class WorkingTeams:
    """Who works with whom this week, as compact index arrays.

    Covers the organisations in cohering, establishing or journeying initiatives and the
    ordered pairs of partners among them. The model rebuilds it only when membership or
    a collaborating stage changes. A local index ``w`` means organisation ``orgs[w]``.
    """

    orgs: np.ndarray  # working organisations, ascending
    ini: np.ndarray  # the initiative each one works in
    n_ini: int  # number of initiatives when built
    rows: np.ndarray  # partner pairs (local indices): rows[k] works with cols[k]
    cols: np.ndarray
    flat: np.ndarray  # the same pairs as flat indices into an (n, n) matrix
    per_partner: np.ndarray  # 1 / number of partners (1 for a lone member)
    size: np.ndarray  # working members per initiative
    per_member: np.ndarray  # 1 / working members, per initiative
    journeying: list[int]  # journeying initiatives (with members at work)
    per_journeyer: np.ndarray  # 1 / working members of journeying initiatives, else 0
    watch: np.ndarray  # per pair: the row organisation is journeying (breach watch)
    partner: np.ndarray  # per pair: the partner organisation, orgs[cols]
    cohering: np.ndarray  # local indices of the organisations in cohering initiatives
    cohering_orgs: np.ndarray  # the same organisations, and their initiatives
    cohering_ini: np.ndarray
    out: tuple  # what _week() writes: trust per pair, team trust; per cohering partner its
    # confidence, whether it leaves and whether it is convinced; convinced per initiative


@dataclass(slots=True)
class TeamView:
    """What a search step needs to know about an exploring team, kept up to date.

    It depends on the team, the network of ties and the members' trust in others. A
    team only grows while it searches, so each new member is folded in. Members do not
    work with anyone while they search, so their trust changes only outside
    collaboration (the model then drops the view); new ties from a collaboration
    elsewhere make the distances and prior collaborators be recomputed.
    """

    members: int  # members folded in
    graph: int  # tie-network version of distance and repeat
    distance: np.ndarray  # steps from the team to every organisation
    inverse_weight: np.ndarray  # 1 / snowball weight of every organisation
    repeat: np.ndarray  # prior collaborators of someone on the team
    best: np.ndarray  # maximum of the members' search.score_features()
    total: np.ndarray  # sum of the members' search.score_features()
    trust: np.ndarray  # sum of the members' trust in every organisation
    weights: np.ndarray  # search.score_weights() of the opportunity
    score: np.ndarray  # every organisation's score as a candidate for this team


class JourneyModel(Model):
    """Organisations journeying through consortia and coalitions.

    Args:
        params: Model parameters (defaults if omitted).
        rng: Seed or generator for all randomness.

    Per-week figures come from the reporters in :mod:`sim.journey.measures` (through a Mesa
    ``DataCollector``, see :func:`sim.runs.run_collecting`); the model keeps none itself.
    """

    def __init__(
        self,
        params: JourneyParameters | None = None,
        rng: int | np.random.Generator | None = None,
        **overrides: Any,
    ) -> None:
        super().__init__(rng=rng)
        self.params = params = with_overrides(JourneyParameters, params, overrides)
        self.tick = 0
        n = params.n_organisations
        self.n = n
        r = self.rng

        # --- organisations: traits --------------------------------------------
        k = params.n_capabilities
        self.capability = r.random((n, k)) ** (1.0 + 4.0 * params.specialisation)
        self.values = r.random((n, 3))
        self._features = score_features(self.capability, self.values)  # for partner search
        self.self_interest = rules.beta_around(r, params.self_interest, n)
        self.risk_appetite = rules.beta_around(r, params.risk_appetite, n)
        self.commitment = rules.beta_around(r, params.commitment, n)
        self.contribution_type = rules.draw_contribution_types(
            r, n, params.conditional_share, params.free_rider_share, params.hump_share
        )
        self.threshold = rules.exit_threshold(self.risk_appetite)
        # fixed traits the weekly step reads for every working organisation: chances of
        # turning up, jockeying and acting in bad faith, one row each; and the fixed part
        # of its contribution (rules.contribution_parts)
        self._chances = np.vstack(
            [
                self.commitment,
                self.self_interest * params.jockeying_rate,
                np.full(n, params.bad_faith_share),
            ]
        )
        self._parts = _kernel_parts(
            rules.contribution_parts(rules.type_masks(self.contribution_type), self.self_interest)
        )
        # --- organisations: state ---------------------------------------------
        self.org_initiative = np.full(n, -1, dtype=np.int64)
        self.alliance = np.full(n, -1, dtype=np.int64)
        self.believe = np.zeros(n)  # reasons to believe in the current initiative
        self.disbelieve = np.zeros(n)
        self.fit = np.zeros(n)  # values fit and payoff, fixed when cohering starts
        self.payoff = np.zeros(n)
        self._leaning = np.zeros((2, n))  # rules.leanings(fit, payoff)
        self.contrib = np.full(n, 0.5)
        self._glimpse_rate = np.full(n, params.opportunity_rate)  # rises in an alliance
        self.agents_list = [Organisation(self, i) for i in range(n)]

        # --- network and trust ------------------------------------------------
        self.informal = self._informal_network()
        self.trust = TrustLedger(n, params.trust, params.trust_prior_weight)
        self.trust.believe(self.informal * (params.tie_trust * params.network_strength))
        self.collab = np.zeros((n, n), dtype=np.int32)  # prior collaborations per pair
        self.collab_degree = np.zeros(n, dtype=np.int32)
        self._tied = np.zeros((n, n), dtype=bool)  # collab > 0
        self._incumbent = np.zeros(n, dtype=bool)  # collab_degree > 0
        # steps between organisations over informal ties and collaborations
        self._distance = distance_matrix(self.informal)
        # 1 / snowball weight by distance, for weighted sampling of candidates
        self._inverse_weight = 1.0 / snowball_weights(
            np.arange(MAX_DISTANCE + 1), params.network_strength
        )

        # --- initiatives --------------------------------------------------------
        self.initiatives: list[Initiative] = []
        self._in_stage: dict[Stage, set[int]] = {s: set() for s in Stage}
        cap = 64
        for name in _PER_INITIATIVE:
            setattr(self, name, np.zeros(cap))
        for name in ("_stage", "_phase", "_phase_since", "_due"):
            setattr(self, name, np.zeros(cap, dtype=np.int64))
        for name in ("_midpoint_done", "_replanned", "_coalition"):
            setattr(self, name, np.zeros(cap, dtype=bool))
        self._declined: dict[int, np.ndarray] = {}  # who turned an exploring team down
        self._available = np.zeros(n, dtype=bool)  # scratch: who a search step may invite
        self._coalitions = 0  # coalitions started so far
        self.events: list[Event] = []
        self._teams: WorkingTeams | None = None  # who works with whom, rebuilt on change
        self._teams_stale = True
        self._working = np.zeros(n, dtype=bool)
        self._team_buffers: tuple | None = None  # what _build_teams() fills
        self._journey_out = np.empty((3, 0), dtype=np.int64)  # what _journey_due() fills
        self._graph_version = 0  # bumped when a collaboration adds ties
        self._search_cache: dict[int, TeamView] = {}
        self.running = True

    # ------------------------------------------------------------------ set-up
    def _informal_network(self) -> np.ndarray:
        """Informal ties (prior ties, little black books) as a 0/1 matrix."""
        p = self.params
        n = self.n
        seed = int(self.rng.integers(2**31 - 1))
        degree = max(2, 2 * round(1 + 4 * p.network_strength))
        degree = min(degree, n - 1 - (n - 1) % 2)
        if p.network_structure == "none" or p.network_strength == 0:
            return np.zeros((n, n))
        if p.network_structure == "small_world":
            g = nx.watts_strogatz_graph(n, degree, 0.1, seed=seed)
        elif p.network_structure == "random":
            g = nx.gnp_random_graph(n, degree / (n - 1), seed=seed)
        else:
            g = nx.barabasi_albert_graph(n, max(1, degree // 2), seed=seed)
        return nx.to_numpy_array(g, nodelist=range(n), dtype=float)

    # ------------------------------------------------------------------ helpers
    def org_stages(self) -> np.ndarray:
        """Stage of every organisation (its initiative's stage, idle, or alliance)."""
        g = self.org_initiative
        st = np.where(g >= 0, self._stage[np.maximum(g, 0)], Stage.IDLE)
        return np.where((st == Stage.IDLE) & (self.alliance >= 0), Stage.META_ORGANISATION, st)

    def _grow(self) -> None:
        for name in _PER_INITIATIVE:
            arr = getattr(self, name)
            setattr(self, name, np.concatenate([arr, np.zeros_like(arr)]))

    def _ids_in(self, stage: Stage) -> list[int]:
        """Ids of the initiatives now in ``stage``, ascending."""
        return sorted(self._in_stage[stage])

    def _new_initiative(self, kind: Kind, champion: int, parent: int = -1) -> Initiative:
        i = len(self.initiatives)
        if i >= self._stage.size:
            self._grow()
        p = self.params
        r = self.rng
        k = p.n_capabilities
        if parent >= 0:  # a consortium acting on part of its coalition's direction
            base = self.initiatives[parent].requirement
            req = base * (r.random(k) < 0.7)
            if req.sum() == 0:
                req = base.copy()
        else:
            need = min(k, 2 + int(2 * r.random()))  # two or three needs
            req = np.zeros(k)
            req[r.permutation(k)[:need]] = 1.0
        boost = 1.0
        if self.alliance[champion] >= 0:  # quick wins pave the way for more ambition
            boost += p.flywheel * 0.5
        potential = p.opportunity_value * float(r.lognormal(0.0, 0.5)) * boost
        if kind is Kind.COALITION:
            potential *= 3.0
        ini = Initiative(i, kind, champion, req, potential, parent=parent)
        ini.entered["latent_value"] = self.tick
        self.initiatives.append(ini)
        self._stage[i] = Stage.LATENT_VALUE
        self._in_stage[Stage.LATENT_VALUE].add(i)
        self._coalition[i] = kind is Kind.COALITION
        self._coalitions += kind is Kind.COALITION
        self._potential[i] = potential
        self._join(ini, champion)
        return ini

    def _join(self, ini: Initiative, org: int) -> None:
        ini.members.append(org)
        if org not in ini.ever_members:
            ini.ever_members.append(org)
        if self.org_initiative[org] >= 0:  # leaves a working coalition for a consortium
            self._teams_stale = True
        self.org_initiative[org] = ini.id

    def _leave(self, ini: Initiative, org: int) -> None:
        ini.members.remove(org)
        self._release(ini, org)

    def _release(self, ini: Initiative, org: int) -> None:
        """Send an organisation back to its coalition (if working) or to idle."""
        if self._working[org]:
            self._teams_stale = True
        home = -1
        if ini.parent >= 0 and org in self.initiatives[ini.parent].members:
            parent = self.initiatives[ini.parent]
            if not parent.ended:
                home = parent.id
        self.org_initiative[org] = home

    def _move(
        self, ini: Initiative, stage: Stage, reason: str, outcome: Outcome | None = None
    ) -> None:
        if ini.stage in COLLABORATING or stage in COLLABORATING:
            self._teams_stale = True
        self._in_stage[ini.stage].discard(ini.id)
        ini.move_to(stage, self.tick, reason, self.events, outcome)
        self._stage[ini.id] = stage
        self._in_stage[stage].add(ini.id)

    def _end(self, ini: Initiative, outcome: Outcome | None, reason: str) -> None:
        """End an initiative (with an outcome unless it already has one)."""
        self._move(ini, Stage.ENDED, reason, outcome)
        self._search_cache.pop(ini.id, None)
        for org in list(ini.members):
            if self.org_initiative[org] == ini.id:
                self._release(ini, org)
        for child in ini.spawned:  # a coalition that ends leaves its consortia to act
            self.initiatives[child].parent = -1

    def _team_trust(self, members: list[int]) -> float:
        """Mean trust between the members of a team (both directions)."""
        if len(members) < 2:
            return 1.0
        team = np.asarray(members)
        t = self.trust.of_pairs(team[:, None] * self.n + team)
        m = len(members)
        return float((t.sum() - t.trace()) / (m * (m - 1)))

    def _log(self, ini: Initiative, kind: str, reason: str, org: int = -1) -> None:
        stage = _STAGE_NAMES[ini.stage]
        self.events.append(Event(self.tick, ini.id, kind, stage, stage, "", reason, org))

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """Advance the model by one week."""
        self.tick += 1
        self._glimpse()
        self._decide()
        self._search()
        self._collaborate()
        self._spawn()
        self._settle_value()
        if self.tick >= self.params.steps:
            self.running = False

    # --- 1. latent value -----------------------------------------------------
    def _glimpse(self) -> None:
        p = self.params
        r = self.rng
        g = self.org_initiative
        for org in (r.random(self.n) < self._glimpse_rate).nonzero()[0].tolist():
            if g[org] >= 0:
                continue  # only idle organisations look out for opportunities
            kind = Kind.COALITION if r.random() < p.coalition_share else Kind.CONSORTIUM
            ini = self._new_initiative(kind, org)
            self._due[ini.id] = self.tick + 1 + int(4 * r.random())  # deliberates 1-4 weeks
            self._log(ini, "glimpse", f"organisation {org} glimpses an opportunity", org)

    def _decide(self) -> None:
        p = self.params
        due, tick = self._due, self.tick
        for i in self._ids_in(Stage.LATENT_VALUE):
            if due[i] > tick:
                continue
            ini = self.initiatives[i]
            c = ini.champion
            boost = 0.2 * p.flywheel * (self.alliance[c] >= 0)
            p_act = rules.act_probability(p.urgency, self.risk_appetite[c], boost)
            if self.rng.random() < p_act:
                self._start_search(ini, f"organisation {c} acts and starts searching")
            else:
                self._end(ini, Outcome.LAPSED, LAPSED_REASON)

    # --- 2. exploring ---------------------------------------------------------
    def _search(self) -> None:
        due = self._due
        tick = self.tick
        initiatives = self.initiatives
        for i in self._ids_in(Stage.EXPLORING):
            if due[i] <= tick:
                self._search_step(initiatives[i])

    def _team_view(self, ini: Initiative) -> TeamView:
        """The exploring team's :class:`TeamView`, brought up to date."""
        members = ini.members
        view = self._search_cache.get(ini.id)
        grown = view is None or view.members < len(members)
        if not grown and view.graph == self._graph_version:
            return view
        p = self.params
        if view is None:  # _fold_in() fills it
            n = self.n
            f = self._features.shape[1]
            empty = np.empty
            view = TeamView(
                0, self._graph_version, empty(n, dtype=np.int8), empty(n),
                empty(n, dtype=bool), empty(f), empty(f), empty(n),
                score_weights(ini.requirement, self.values.shape[1], p.capability_weight),
                empty(n),
            )  # fmt: skip
            self._search_cache[ini.id] = view
        restart = view.graph != self._graph_version  # new ties elsewhere: from the team
        _fold_in(
            np.array(members), view.members, restart, self._distance, self._tied,
            self._features, self.trust.pos, self.trust.neg, self.trust.a0, self.trust.b0,
            self._inverse_weight, view.distance, view.repeat, view.inverse_weight, view.best,
            view.total, view.trust, p.n_capabilities, view.weights,
            0.5 * (1.0 - p.capability_weight), view.score,
        )  # fmt: skip
        view.graph = self._graph_version
        view.members = len(members)
        return view

    def _search_step(self, ini: Initiative) -> None:
        p = self.params
        r = self.rng
        i = ini.id
        coalition = ini.kind is Kind.COALITION
        target = min(p.coalition_size if coalition else p.consortium_size, self.n)
        view = self._team_view(ini)
        # members of the team are never available: they work in this initiative; a
        # spawned consortium recruits from its coalition first
        declined = self._declined[i]
        available = self._available
        incumbent = self._incumbent
        repeats, incumbents, newcomers = _pool_sizes(
            self.org_initiative, ini.parent, declined, incumbent, view.repeat, available
        )
        cost = 1.0
        if incumbents + newcomers:  # anyone available
            # guimera_pool()'s rule, then the snowball and the best-scoring candidate
            kind = _POOL_INDEX[
                pool_choice(r, repeats, incumbents, newcomers, p.incumbent_p, p.repeat_q)
            ]
            ledger = self.trust
            cand, distance, trust = _pick(
                available, incumbent, view.repeat, kind,
                r.random((repeats, incumbents, newcomers)[kind]), view.inverse_weight,
                view.score, p.search_breadth, view.distance, ledger.pos, ledger.neg, ledger.a0,
                ledger.b0, ini.champion,
            )  # fmt: skip
            cand = int(cand)  # a plain int when the kernels run uncompiled
            cost = max(p.search_cost * distance, 0.0)
            p_accept = rules.accept_probability(trust, float(self.commitment[cand]))
            if r.random() < p_accept:
                self._join(ini, cand)
                self._log(ini, "join", f"organisation {cand} joins {ini.name}", cand)
            else:
                declined[cand] = True
        budget = self._budget[i] - max(cost, 1.0)
        self._budget[i] = budget
        self._due[i] = self.tick + max(1, math.ceil(cost))
        size = len(ini.members)
        if size >= target:
            self._start_cohering(ini, f"team of {size} assembled")
        elif budget <= 0:
            if size >= max(2, math.ceil(target / 2)):
                self._start_cohering(
                    ini, f"search budget spent: went ahead with {size} of {target}"
                )
            else:
                self._end(
                    ini,
                    Outcome.STALLED,
                    f"search budget ran out with {size - 1} of {target - 1} partners found",
                )

    def _start_cohering(self, ini: Initiative, reason: str) -> None:
        p = self.params
        i = ini.id
        team = np.asarray(ini.members)
        # prior collaborations; the new ties shorten search paths (search.tie_team)
        _tie(team, self.collab, self._tied, self.collab_degree, self._incumbent, self._distance)
        self._graph_version += 1
        self._search_cache.pop(i, None)
        self._move(ini, Stage.COHERING, reason)
        clock = p.cohering_weeks * (1.0 - 0.6 * p.urgency)
        if ini.kind is Kind.COALITION:
            clock *= 2.0
        self._deadline[i] = self.tick + clock
        cov = coverage(ini.requirement, self.capability[team])
        self._coverage[i] = cov
        values = self.values[team]
        # 1 - 2 |values - team mean|, averaged over the values; the sums and divisions of
        # ndarray.mean(), without its overhead
        gap = values - np.add.reduce(values, 0) / team.size
        fit = 1.0 - 2.0 * (np.add.reduce(np.abs(gap, out=gap), 1) / values.shape[1])
        share = (ini.potential / len(team)) / (self.params.opportunity_value / p.consortium_size)
        payoff = cov * min(1.0, share)
        _cohering_state(
            team, fit, payoff, self.fit, self.payoff, self._leaning, self.believe,
            self.disbelieve, self.contrib,
        )  # fmt: skip

    # --- 3-5. working together -------------------------------------------------
    def _working_teams(self) -> WorkingTeams | None:
        """Who works with whom (``None`` when nobody does), rebuilt when stale."""
        if self._teams_stale:
            self._teams = self._build_teams()
            self._teams_stale = False
        return self._teams

    def _build_teams(self) -> WorkingTeams | None:
        n_ini = len(self.initiatives)
        n = self.n
        if self._team_buffers is None:  # reused from one rebuild to the next
            self._team_buffers = (
                np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64), np.empty(n),
                np.empty((3, n), dtype=np.int64), np.empty((4, 4 * n), dtype=np.int64),
                np.empty(4 * n, dtype=bool),
            )  # fmt: skip
        orgs, ini, per_partner, coh, pair, watch = self._team_buffers
        per_ini = np.empty((3, n_ini))
        working = self._working
        m, n_pairs, n_coh = _pairs(
            self.org_initiative, self._stage, n_ini, working, orgs, ini, per_partner, coh,
            per_ini, pair, watch,
        )  # fmt: skip
        if m == 0:
            return None
        if n_pairs > watch.size:  # more pairs than ever before: more room, then again
            pair = np.empty((4, 2 * n_pairs), dtype=np.int64)
            watch = np.empty(2 * n_pairs, dtype=bool)
            self._team_buffers = (orgs, ini, per_partner, coh, pair, watch)
            _pairs(
                self.org_initiative, self._stage, n_ini, working, orgs, ini, per_partner, coh,
                per_ini, pair, watch,
            )  # fmt: skip
        rows, cols, flat, partner = pair[:, :n_pairs]
        per_journeyer = per_ini[2]
        empty = np.empty
        return WorkingTeams(
            orgs[:m], ini[:m], n_ini, rows, cols, flat, per_partner[:m], per_ini[0], per_ini[1],
            per_journeyer.nonzero()[0].tolist(), per_journeyer, watch[:n_pairs], partner,
            coh[0, :n_coh], coh[1, :n_coh], coh[2, :n_coh],
            (
                empty(n_pairs), empty(n_ini), empty(n_coh), empty(n_coh, dtype=bool),
                empty(n_coh, dtype=bool), empty(n_ini),
            ),
        )  # fmt: skip

    def _collaborate(self) -> None:
        t = self._working_teams()
        if t is None:
            return
        p = self.params
        m = t.orgs.size
        c = t.cohering.size
        # behaviour this week: turn up (or lose to the day job), contribute, jockey; and
        # for cohering partners, whether they find reasons to believe or disbelieve
        draws = self.rng.random((3, m))
        draws2 = self.rng.random((2, c)) if c else _NO_DRAWS
        # each member's trust in each partner; per initiative, members' mean trust in
        # each other; and how cohering partners judge theirs
        trust, team_trust, confidence, leaving, coherent, ready = t.out
        conditional_type, hump_type, fixed, holdback = self._parts
        n_below, n_leaving = _week(
            self.trust.pos.reshape(-1), self.trust.neg.reshape(-1), t.flat, t.rows, t.cols,
            t.per_partner, self.trust.a0, self.trust.b0, draws, self._chances, self.contrib,
            t.orgs, t.partner, conditional_type, hump_type, fixed, holdback,
            0.5 * p.trust_gain * (1.0 - 0.5 * p.urgency),  # gains small, squeezed by urgency
            p.trust_gain * p.trust_loss_ratio,  # losses large: jockeying, bad faith
            p.trust_gain * 0.5,  # free riding seen
            t.ini, t.per_member, t.cohering, t.cohering_orgs, t.cohering_ini, self._leaning,
            draws2, self.believe, self.disbelieve, self.threshold, bool(t.journeying),
            self._conflict, self._progress, self._phase, self._rate, t.per_journeyer,
            t.watch, p.breach_threshold, trust, team_trust, confidence, leaving, coherent,
            ready,
        )  # fmt: skip
        if c:
            exits = leaving.nonzero()[0] if n_leaving else _NO_ONE
            self._cohere(t, confidence, exits, coherent, ready)
        if self._in_stage[Stage.ESTABLISHING]:
            self._establish(team_trust)
        if t.journeying:
            self._journey(t, trust, n_below, team_trust)

    def _cohere(
        self,
        t: WorkingTeams,
        confidence: np.ndarray,
        leaving: np.ndarray,
        coherent: np.ndarray,
        ready: np.ndarray,
    ) -> None:
        """Exits, and cohering teams that found a shared intent or ran out of time.

        ``leaving`` holds the cohering partners (their places in ``t.cohering``) who lost
        confidence this week; ``ready`` counts each initiative's convinced partners.
        """
        orgs = t.cohering_orgs
        if leaving.size:
            touched: set[int] = set()
            for k in leaving.tolist():
                org = int(orgs[k])
                ini = self.initiatives[int(self.org_initiative[org])]
                touched.add(ini.id)
                self._leave(ini, org)
                self._log(
                    ini,
                    "exit",
                    f"organisation {org} lost confidence ({confidence[k]:.2f} below its "
                    f"threshold {self.threshold[org]:.2f}) and left gracefully",
                    org,
                )
            for i in sorted(touched):
                ini = self.initiatives[i]
                if len(ini.members) < 2:
                    self._end(ini, Outcome.GRACEFUL_EXIT, "partners lost confidence and left")
            # exits sent some home: count who is still here
            g = self.org_initiative[orgs]
            still = g >= 0
            members = np.bincount(g[still], minlength=len(self.initiatives))
            ready = np.bincount(g[still & coherent], minlength=len(self.initiatives))
        else:
            members = t.size
        cohering = self._ids_in(Stage.COHERING)
        done = [i for i in cohering if members[i] > 1 and ready[i] == members[i]]
        for i in done:
            self._start_establishing(self.initiatives[i])
        tick = self.tick
        deadline = self._deadline
        for i in cohering:
            if i not in done and deadline[i] <= tick:
                self._end(
                    self.initiatives[i],
                    Outcome.DRIFTED_APART,
                    "the clock ran out before a shared intent was found",
                )

    def _start_establishing(self, ini: Initiative) -> None:
        p = self.params
        trust = self._team_trust(ini.members)
        if ini.kind is Kind.COALITION:
            form = Form.COLLECTIVE
        elif len(ini.members) <= 3 and trust >= 0.5:
            form = Form.JOINT_PROJECT
        else:
            form = Form.LEGAL_CONSORTIUM  # contracts stand in for trust
        ini.form = form
        name = form.value.replace("_", " ")
        self._move(ini, Stage.ESTABLISHING, f"shared intent found; setting up a {name}")
        weeks = FORM_WEEKS[form] * p.governance_overhead * (1.0 + (1.0 - trust))
        self._setup_end[ini.id] = self.tick + max(1.0, weeks)
        # set-up cost comes out of what the opportunity is worth to the members
        self._setup_cost[ini.id] = p.governance_overhead * FORM_WEEKS[form] / 52.0

    def _establish(self, team_trust: np.ndarray) -> None:
        p = self.params
        mistrust, too_dear, ready = [], [], []
        floor = p.breach_threshold + 0.1
        cost, potential, cover = self._setup_cost, self._potential, self._coverage
        setup_end, tick = self._setup_end, self.tick
        for i in self._ids_in(Stage.ESTABLISHING):
            if team_trust[i] < floor:
                mistrust.append(i)
            elif cost[i] > potential[i] * cover[i]:
                too_dear.append(i)
            elif setup_end[i] <= tick:
                ready.append(i)
        for i in mistrust:
            self._end(
                self.initiatives[i],
                Outcome.FAILED,
                f"mistrust too high to agree governance (team trust {team_trust[i]:.2f})",
            )
        for i in too_dear:
            self._end(
                self.initiatives[i],
                Outcome.FAILED,
                "set-up cost higher than the opportunity is worth",
            )
        for i in ready:
            ini = self.initiatives[i]
            name = ini.form.value.replace("_", " ")
            self._move(ini, Stage.JOURNEYING, f"{name} in place; forming")
            clock = p.delivery_weeks * (1.0 - 0.5 * p.urgency)
            if ini.kind is Kind.COALITION:
                clock *= 2.0
            self._journey_start[i] = self.tick
            self._deadline[i] = self.tick + clock
            self._midway[i] = self.tick + clock / 2  # Gersick's midpoint
            self._phase[i] = Phase.FORMING
            self._phase_since[i] = self.tick
            self._set_work(i, WORK_WEEKS * (2.0 if ini.kind is Kind.COALITION else 1.0))
            self._progress[i] = 0.0
            self._conflict[i] = 0.0

    def _set_work(self, i: int, weeks: float) -> None:
        """Set the work an initiative needs, and its progress per unit of effort."""
        self._work[i] = weeks
        pace = 0.5 if self._coalition[i] else 1.0  # coalitions are slow to act
        self._rate[i] = pace * self._coverage[i] / max(weeks, 1e-9)

    def _journey(
        self,
        t: WorkingTeams,
        trust: np.ndarray,
        n_below: int,
        team_trust: np.ndarray,
    ) -> None:
        """Breaches and stage moves of journeying teams (progress and conflict: _week)."""
        p = self.params
        # breaches: a member whose trust in a partner collapses breaks with it
        if n_below:
            below = (trust < p.breach_threshold) & t.watch
            for w in np.unique(t.rows[below]).tolist():
                org = int(t.orgs[w])
                ini = self.initiatives[int(self.org_initiative[org])]
                if ini.stage is Stage.JOURNEYING:
                    pairs = (t.rows == w).nonzero()[0]
                    partner = int(t.orgs[t.cols[pairs[trust[pairs].argmin()]]])
                    self._end(
                        ini,
                        Outcome.FAILED,
                        f"trust breach: organisation {org} broke with organisation {partner}",
                    )

        out = self._journey_out
        if out.shape[1] < t.n_ini:
            out = self._journey_out = np.empty((3, self._stage.size), dtype=np.int64)
        n, n_moves, n_due = _journey_due(
            t.per_journeyer, self._stage, self._phase, self._phase_since, self._conflict,
            team_trust, self.tick, self._progress, self._midway, self._midpoint_done,
            self._deadline, out,
        )  # fmt: skip
        if n_moves:
            self._tuckman(out[0, :n], out[1, :n])
        if n_due:
            self._review(out[0, :n], out[2, :n], team_trust)

    def _tuckman(self, active: np.ndarray, moves: np.ndarray) -> None:
        """Forming, storming, norming, performing (and back to storming).

        ``moves`` holds each active team's next phase, or -1 (see _phase_moves()).
        """
        tick = self.tick
        phase = self._phase
        for k in (moves >= 0).nonzero()[0].tolist():
            i = int(active[k])
            ini = self.initiatives[i]
            old = _PHASE_LABELS[phase[i]]
            new = int(moves[k])
            phase[i] = new
            self._phase_since[i] = tick
            self._log(ini, "phase", f"{ini.name} moves from {old} to {_PHASE_LABELS[new]}")

    def _review(self, active: np.ndarray, due: np.ndarray, team_trust: np.ndarray) -> None:
        """Progress, the midpoint review (Gersick 1988) and the delivery deadline.

        ``due`` says what each active team is due for (see _reviews_due()).
        """
        done = active[due == 1].tolist()
        midpoint = active[(due & 2) > 0].tolist()
        late = active[due >= 4].tolist()
        for i in done:
            ini = self.initiatives[i]
            if self._replanned[i]:
                self._create_value(ini, Outcome.EVOLVED, "the re-planned intent was delivered", 1.0)
            else:
                self._create_value(ini, Outcome.ACHIEVED, "the intent was achieved", 1.0)
        for i in midpoint:
            ini = self.initiatives[i]
            self._midpoint_done[i] = True
            if int(self._phase[i]) == Phase.STORMING:  # the midpoint jolt can break a deadlock
                self._conflict[i] = 0.0
            progress = float(self._progress[i])
            if progress >= 0.25:
                continue
            if team_trust[i] >= 0.45:
                self._replanned[i] = True
                self._set_work(i, self._work[i] * 0.6)
                self._log(
                    ini, "review", f"{ini.name} re-plans at the midpoint: behind, but trusting"
                )
            elif team_trust[i] < 0.4:
                self._create_value(
                    ini,
                    Outcome.GRACEFUL_EXIT,
                    "midpoint review: far behind; partners part with learning intact",
                    progress,
                )
        for i in late:
            ini = self.initiatives[i]
            if ini.stage is not Stage.JOURNEYING:
                continue
            progress = float(self._progress[i])
            if int(self._phase[i]) == Phase.STORMING:
                ini.stuck_in_storming = True
                self._end(ini, Outcome.FAILED, "stuck in storming past the deadline")
            elif progress >= 0.6:
                self._create_value(
                    ini,
                    Outcome.EVOLVED,
                    "part delivered by the deadline; the intent evolved",
                    progress,
                )
            elif team_trust[i] >= 0.5:
                self._create_value(
                    ini,
                    Outcome.GRACEFUL_EXIT,
                    "deadline passed; parted with learning and relationships intact",
                    progress,
                )
            else:
                self._end(ini, Outcome.FAILED, "deadline passed with little progress and low trust")

    def _create_value(
        self, ini: Initiative, outcome: Outcome, reason: str, progress: float
    ) -> None:
        share = {Outcome.ACHIEVED: 1.0, Outcome.EVOLVED: 0.8, Outcome.GRACEFUL_EXIT: 0.1}[outcome]
        ini.value = float(ini.potential * share * min(progress, 1.0))
        self._move(ini, Stage.VALUE_CREATION, reason, outcome)
        if ini.parent >= 0 and outcome in VALUE_OUTCOMES:
            parent = ini.parent
            self._progress[parent] += 0.5  # a coalition advances through what its consortia do

    def _start_search(self, ini: Initiative, reason: str) -> None:
        """Move to exploring with a fresh search budget; the first step is due now."""
        p = self.params
        self._move(ini, Stage.EXPLORING, reason)
        # urgency leaves less patience; a coalition's wider search gets double
        scale = 2.0 if ini.kind is Kind.COALITION else 1.0
        self._budget[ini.id] = p.search_budget * (1.0 - 0.5 * p.urgency) * scale
        self._due[ini.id] = self.tick
        self._declined[ini.id] = np.zeros(self.n, dtype=bool)

    # --- coalitions spawn consortia -------------------------------------------
    def _spawn(self) -> None:
        if not self._coalitions:
            return
        for i in self._ids_in(Stage.JOURNEYING):
            if not self._coalition[i] or int(self._phase[i]) < Phase.NORMING:
                continue
            if self.rng.random() >= SPAWN_RATE:
                continue
            ini = self.initiatives[i]
            working = [m for m in ini.members if self.org_initiative[m] == ini.id]
            if len(working) < 4:
                continue
            champion = int(self.rng.choice(working))
            child = self._new_initiative(Kind.CONSORTIUM, champion, parent=ini.id)
            ini.spawned.append(child.id)
            self._log(ini, "spawn", f"{ini.name} spawns {child.name}", champion)
            self._start_search(child, f"spawned by {ini.name}")

    # --- 6. value creation and the flywheel -------------------------------------
    def _settle_value(self) -> None:
        p = self.params
        for i in self._ids_in(Stage.VALUE_CREATION):
            ini = self.initiatives[i]
            if ini.entered["value_creation"] == self.tick:
                continue  # value is realised over the week it was created
            team = list(ini.members)
            trust = self._team_trust(team)
            valued = ini.outcome in VALUE_OUTCOMES
            if valued and trust >= p.alliance_trust and len(team) >= 2:
                reason = f"a lasting alliance forms (team trust {trust:.2f})"
                self._move(ini, Stage.META_ORGANISATION, reason)
                arr = np.asarray(team)
                bonus = np.ones((len(team), len(team))) * p.tie_trust * (0.5 + p.flywheel)
                np.fill_diagonal(bonus, 0.0)
                self.trust.pos[np.ix_(arr, arr)] += bonus  # trust deepens, ties strengthen
                self._search_cache.clear()  # members of exploring teams may trust more now
                self.alliance[arr] = ini.id
                self._glimpse_rate[arr] = p.opportunity_rate * (1.0 + p.flywheel)
                for org in team:
                    if self.org_initiative[org] == ini.id:
                        self._release(ini, org)
            else:
                self._end(ini, None, "value realised; the team disbands")
