"""Exploring: the champion searches for partners with the right capability and chemistry.

Each search step fills one slot by Guimerà et al.'s rule (:mod:`sim.journey.guimera`):
an incumbent with probability p, a prior collaborator of the team with probability q,
else a newcomer. Within the pool, candidates are drawn by snowballing (people closer in
the network of informal ties and collaborations are likelier to be considered: weighted
sampling without replacement, Efraimidis and Spirakis 2006), ``search_breadth`` of them
are considered and the best scored is invited: capability coverage of the opportunity
against chemistry (values similarity plus trust). The invitee accepts with a chance set
by its trust in the champion and its free time. Each step costs ``search_cost`` weeks
per network step to the invitee, out of a search budget; when it runs out the team goes
ahead if it is big enough, or the initiative stalls.

What a step needs to know about the team (distances, prior collaborators, its best
capabilities and mean values) is kept in a :class:`TeamView` and brought up to date as
members join; only the candidates considered are scored, so a step's cost grows with
the population through a few compiled passes over it, not through scoring everyone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sim.journey import cohering, convening, platforms
from sim.journey.compiled import kernel, njit
from sim.journey.guimera import POOLS, pool_choice
from sim.journey.initiatives import Initiative
from sim.journey.network import Graph, distances_from, mark_collaborators
from sim.journey.rules import accept_probability, swayed_acceptance
from sim.journey.stages import Kind, Outcome, Stage
from sim.journey.state import JourneyState
from sim.journey.trust import Evidence, trust_of

POOL_INDEX = {name: k for k, name in enumerate(POOLS)}


class Candidates(NamedTuple):
    """Every organisation as a candidate for one exploring team (a :class:`TeamView`'s arrays).

    Attributes:
        distance: Steps from the team to every organisation.
        repeat: Prior collaborators of someone on the team.
        best: Maximum of the members' :func:`score_features`.
        total: Sum of the members' :func:`score_features`.
        reference: The team's best capabilities and mean values (:func:`candidate_score`).
        weights: :func:`score_weights` of the opportunity.
    """

    distance: np.ndarray
    repeat: np.ndarray
    best: np.ndarray
    total: np.ndarray
    reference: np.ndarray
    weights: np.ndarray


class Ask(NamedTuple):
    """Who asks for a slot, through which contacts, and whom they score (what :func:`_pick` reads).

    Attributes:
        asker: The member who asks (the champion, or with snowballing any member).
        distance: Steps from the asker (or the team) to every organisation.
        inverse_weight: 1 / snowball weight by distance.
        breadth: Candidates the asker considers.
        team: The members, whose trust in a candidate is part of its score.
        features: Every organisation's :func:`score_features`.
        chemistry: Weight of trust in chemistry (see :func:`candidate_score`).
    """

    asker: int
    distance: np.ndarray
    inverse_weight: np.ndarray
    breadth: int
    team: np.ndarray
    features: np.ndarray
    chemistry: float


class SearchNetwork(NamedTuple):
    """What every search reads: the ties (for distances and prior collaborators) and features."""

    graph: Graph
    features: np.ndarray
    platform: np.ndarray  # on an open-innovation platform
    platform_distance: int  # between two of its members, at most


@dataclass(slots=True)
class TeamView:
    """What a search step needs to know about an exploring team, kept up to date.

    It depends on the team and the network of ties (not on trust: candidates are scored
    with the members' trust when considered). A team only grows while it searches, so
    each new member is folded in; new ties elsewhere make the distances and prior
    collaborators be recomputed, and a member leaving the ecosystem drops the view.
    """

    members: int  # members folded in
    graph: int  # network version of the distances and prior collaborators
    candidates: Candidates


def score_features(capability: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each organisation's capabilities, values and negated values, for :func:`candidate_score`."""
    return np.hstack([capability, values, -values])


def score_weights(
    requirement: np.ndarray, n_values: int, capability_weight: float, values_share: float
) -> np.ndarray:
    """Weights of :func:`candidate_score` for one opportunity.

    Args:
        requirement: 0/1 needs of the opportunity.
        n_values: Number of value dimensions.
        capability_weight: Weight of capability against chemistry.
        values_share: Share of chemistry that is values similarity (the rest is trust).
    """
    need = max(float(requirement.sum()), 1e-9)
    chemistry = values_share * (1.0 - capability_weight)
    return np.concatenate(
        [requirement * (capability_weight / need), np.full(2 * n_values, -chemistry / n_values)]
    )


@njit(cache=True)
def candidate_score(
    features: np.ndarray,
    reference: np.ndarray,
    weights: np.ndarray,
    chemistry: float,
    mean_trust: float,
) -> float:
    """A candidate's score: capability it adds against chemistry with the team.

    ``reference`` holds the team's best capability per dimension and its mean values
    (and their negatives), so ``max(feature - reference, 0)`` is the capability gained
    and, summed over the two value blocks, the distance from the team's values; the
    weights (:func:`score_weights`) turn the first into coverage gained and the second
    into lost similarity; trust adds to chemistry.

    Args:
        features: The candidate's :func:`score_features`.
        reference: The team's reference row.
        weights: :func:`score_weights` of the opportunity.
        chemistry: Weight of trust in chemistry, (1 - values_in_chemistry) x
            (1 - capability_weight).
        mean_trust: The team's mean trust in the candidate.
    """
    s = 0.0
    for f in range(weights.size):
        s += max(features[f] - reference[f], 0.0) * weights[f]
    return s + chemistry * (1.0 + mean_trust)


@kernel
def _fold_in(
    team: np.ndarray,
    start: int,
    restart: bool,
    net: SearchNetwork,
    view: Candidates,
    n_capabilities: int,
    cap: int,
) -> None:
    """Bring a view's arrays up to date with members ``team[start:]``.

    A new view (``start`` 0) is filled from scratch; the distances are searched afresh
    from the team every time (as far as the cap), and ``restart`` recomputes the prior
    collaborators after new ties elsewhere. Candidates are scored only when considered
    (:func:`_pick`), against the reference row kept here.
    """
    n = view.distance.size
    best, total = view.best, view.total
    if start == 0:  # a new view: nothing folded in yet
        restart = True
        best[:] = -np.inf
        total[:] = 0.0
    if restart:  # new ties elsewhere: prior collaborators from the team
        view.repeat[:] = False
        first = 0
    else:
        first = start
    distances_from(net.graph, team, view.distance, cap)
    on_platform = False
    for o in team:
        on_platform = on_platform or net.platform[o]
    if on_platform:  # platform members reach each other within its distance
        for j in range(n):
            if net.platform[j] and view.distance[j] > net.platform_distance:
                view.distance[j] = net.platform_distance
    for o in team[first:]:
        mark_collaborators(net.graph, o, view.repeat)
    for o in team[start:]:
        for f in range(best.size):
            best[f] = max(best[f], net.features[o, f])
            total[f] += net.features[o, f]
    if start < team.size:
        members = team.size
        reference = view.reference  # best capabilities, mean values
        reference[:] = best
        for f in range(n_capabilities, best.size):
            reference[f] = total[f] / members


@njit(cache=True)
def _team_score(view: Candidates, ask: Ask, ev: Evidence, cand: int) -> float:
    """``cand``'s :func:`candidate_score` for the team (its mean trust in ``cand`` included)."""
    trust = 0.0
    for m in ask.team:
        trust += trust_of(ev, m, cand)
    return candidate_score(
        ask.features[cand], view.reference, view.weights, ask.chemistry, trust / ask.team.size
    )


@kernel
def _pools(org_initiative, home, declined, incumbent, repeat, pools):
    """Who may join an exploring team: the repeats, incumbents and newcomers.

    Writes the members of the pools of :func:`sim.journey.guimera.guimera_pool` into the
    rows of ``pools`` (prior collaborators among the incumbents, incumbents, newcomers;
    each in ascending order) and returns their sizes. Idle organisations are available,
    and so are those working in ``home`` (the coalition that spawned the team, or -1),
    unless they declined the team before. Without branches: each organisation is written
    at the end of every pool, and a pool's end moves on only if it belongs there.
    """
    repeats = incumbents = newcomers = 0
    for j in range(org_initiative.size):
        g = org_initiative[j]
        free = ((g < 0) | (g == home)) & (not declined[j])
        known = incumbent[j]
        pools[0, repeats] = j
        pools[1, incumbents] = j
        pools[2, newcomers] = j
        repeats += free & known & repeat[j]
        incumbents += free & known
        newcomers += free & (not known)
    return repeats, incumbents, newcomers


@njit(cache=True)
def _snowball(
    pool: np.ndarray,
    draws: np.ndarray,
    distance: np.ndarray,
    inverse_weight: np.ndarray,
    size: int,
):
    """The ``size`` members of ``pool`` with the largest keys ``draw ** inverse weight``.

    A member's inverse weight is ``inverse_weight[distance[member]]``. In ascending order
    of key, as ``pool[np.argsort(keys)[-size:]]`` gives them. Only the largest keys are
    kept as they come: a key is at most its draw (an inverse weight is at least 1), so a
    draw below the least key kept needs no power. Where two of the largest keys are equal
    the order of the full sort decides, and the full sort is used.
    """
    top = np.full(size + 1, -1.0)  # the size + 1 largest keys so far, ascending
    who = np.empty(size + 1, dtype=np.int64)
    for j in range(pool.size):
        draw, w = draws[j], inverse_weight[distance[pool[j]]]
        if draw < top[0] and w >= 1.0:
            continue
        key = draw**w
        if key <= top[0]:
            continue
        p = 0
        while p < size and top[p + 1] < key:
            top[p] = top[p + 1]
            who[p] = who[p + 1]
            p += 1
        top[p] = key
        who[p] = pool[j]
    for p in range(size):
        if top[p] == top[p + 1]:
            keys = np.empty(pool.size)
            for j in range(pool.size):
                keys[j] = draws[j] ** inverse_weight[distance[pool[j]]]
            return pool[np.argsort(keys)[pool.size - size :]]
    return who[1:]


@kernel
def _pick(pool: np.ndarray, draws: np.ndarray, view: Candidates, ask: Ask, ev: Evidence):
    """The candidate an ask invites from ``pool`` (a row of :func:`_pools`).

    ``draws`` holds one uniform number per member of the pool. Only the candidates
    considered are scored.

    Returns:
        The candidate, the number of candidates considered and the candidate's trust in
        the member who asks.
    """
    k = draws.size
    # snowball: weighted sampling without replacement (Efraimidis and Spirakis 2006)
    size = min(ask.breadth, k)
    if size < k:
        cands = _snowball(pool[:k], draws, ask.distance, ask.inverse_weight, size)
    else:
        cands = pool[:k]
    cand = cands[0]
    best = _team_score(view, ask, ev, cand)
    for c in cands[1:]:
        score = _team_score(view, ask, ev, c)
        if score > best:
            cand, best = c, score
    trust = trust_of(ev, cand, ask.asker)
    return cand, size, trust


def start_search(model: JourneyState, ini: Initiative, reason: str, share: float = 1.0) -> None:
    """Move to exploring with ``share`` of a fresh search budget; the first step is due now."""
    p, a = model.params, model.assumptions
    model.move(ini, Stage.EXPLORING, reason)
    # urgency leaves less patience; a coalition's wider search gets more
    scale = share * (a.coalition_search_multiple if ini.kind is Kind.COALITION else 1.0)
    budget = p.search_budget * (1.0 - a.search_urgency_squeeze * p.urgency) * scale
    model.table.budget[ini.id] = budget
    model.table.due[ini.id] = model.tick
    declined = model.declined[ini.id] = np.zeros(model.n, dtype=bool)
    declined[ini.ever_members] = True  # who left this initiative is not asked back
    declined[ini.members] = False
    if convening.convenes(model):  # an agency assigns the team instead
        convening.assign(model, ini)


def search(model: JourneyState) -> None:
    """Every exploring initiative whose search step is due takes it."""
    due, tick = model.table.due, model.tick
    initiatives = model.initiatives
    convened = model.table.convened
    for i in model.ids_in(Stage.EXPLORING):
        if due[i] > tick:
            continue
        if convened[i]:
            convening.hand_over(model, initiatives[i])
        else:
            search_step(model, initiatives[i])
    momentum(model)


def team_view(model: JourneyState, ini: Initiative) -> TeamView:
    """The exploring team's :class:`TeamView`, brought up to date."""
    members = ini.members
    net = model.network
    view = model.search_cache.get(ini.id)
    grown = view is None or view.members < len(members)
    if not grown and view.graph == net.version:
        return view
    if view is None:  # _fold_in() fills it
        p, a = model.params, model.assumptions
        n = model.n
        f = model.features.shape[1]
        empty = np.empty
        weights = score_weights(
            ini.requirement, model.values.shape[1], p.capability_weight, a.values_in_chemistry
        )
        candidates = Candidates(
            empty(n, dtype=np.int8), empty(n, dtype=bool), empty(f), empty(f), empty(f),
            weights,
        )  # fmt: skip
        view = TeamView(0, net.version, candidates)
        model.search_cache[ini.id] = view
    restart = view.graph != net.version  # new ties elsewhere: from the team
    _fold_in(
        np.array(members), view.members, restart,
        SearchNetwork(
            net.graph, model.features, model.on_platform,
            model.assumptions.platform_distance,
        ),
        view.candidates, model.params.n_capabilities, net.max_distance,
    )  # fmt: skip
    view.graph = net.version
    view.members = len(members)
    return view


def refold_views(model: JourneyState) -> None:
    """Have every team view folded in afresh at its next use (their arrays are kept)."""
    for view in model.search_cache.values():
        view.members = 0


def search_step(model: JourneyState, ini: Initiative) -> None:
    """Fill a slot (with snowballing, one per asking member); then go on or stop.

    The champion asks for one partner. With ``snowball`` above 0, every other member
    also asks one of its own contacts with that chance. Each ask picks a pool, considers
    candidates and invites the best; its cost (network steps to the invitee and due
    diligence on every candidate considered) comes out of the search budget.
    """
    p = model.params
    r = model.rng
    askers = [ini.champion]
    if p.snowball > 0:
        askers += [m for m in ini.members if m != ini.champion and r.random() < p.snowball]
    spent = longest = 0.0
    for asker in askers:
        if asker != ini.champion and len(ini.members) >= team_limit(model, ini):
            break
        cost = _ask(model, ini, team_view(model, ini), asker)
        spent += max(cost, 1.0)
        longest = max(longest, cost)
    table = model.table
    i = ini.id
    budget = table.budget[i] - spent
    table.budget[i] = budget
    table.due[i] = model.tick + max(1, math.ceil(longest))
    close_or_go_on(model, ini)


def _ask(model: JourneyState, ini: Initiative, view: TeamView, asker: int) -> float:
    """One member asks one candidate to join; returns what the ask cost (weeks)."""
    p, a = model.params, model.assumptions
    r = model.rng
    candidates = view.candidates
    # members of the team are never available: they work in this initiative; a
    # spawned consortium recruits from its coalition first
    declined = model.declined[ini.id]
    net = model.network
    pools = model.pools
    repeats, incumbents, newcomers = _pools(
        model.org_initiative, ini.parent, declined, net.incumbent, candidates.repeat, pools
    )
    if not incumbents + newcomers:  # nobody available
        return 1.0
    kind = POOL_INDEX[pool_choice(r, repeats, incumbents, newcomers, p.incumbent_p, p.repeat_q)]
    draws = r.random((repeats, incumbents, newcomers)[kind])
    champion = asker == ini.champion
    reach = None if champion else platforms.reach_from(model, asker)
    distance = candidates.distance if reach is None else reach.astype(np.int8)
    chemistry = (1.0 - a.values_in_chemistry) * (1.0 - p.capability_weight)
    ask = Ask(
        asker, distance, net.inverse_weight, p.search_breadth, np.array(ini.members),
        model.features, chemistry,
    )  # fmt: skip
    cand, considered, trust = _pick(
        pools[kind], draws, candidates, ask, model.trust.evidence_record()
    )
    cand = int(cand)  # a plain int when the kernels run uncompiled
    distance = int(candidates.distance[cand] if reach is None else reach[cand])
    cost = max(p.search_cost * distance + p.due_diligence_cost * int(considered), 0.0)
    chance = accept_probability(trust, float(model.commitment[cand]), a)
    if p.snowball > 0:  # contacts already in sway the invitee
        chance = swayed_acceptance(
            chance, p.snowball, a.social_proof, _tied_share(model, ini, cand)
        )
    if r.random() < chance:
        model.join(ini, cand)
        through = "" if champion else f" through organisation {asker}"
        model.log(ini, "join", f"organisation {cand} joins {ini.name}{through}", cand)
    else:
        declined[cand] = True
    return cost


def _tied_share(model: JourneyState, ini: Initiative, org: int) -> float:
    """Share of the team that ``org`` is tied to (informally or by working together)."""
    net = model.network
    team = ini.members
    tied = np.isin(team, net.contacts(org))
    return float(tied.sum()) / len(team)


def team_limit(model: JourneyState, ini: Initiative) -> int:
    """Most members the team takes: its target size, or with snowballing up to more."""
    p = model.params
    target = min(p.coalition_size if ini.kind is Kind.COALITION else p.consortium_size, model.n)
    return min(math.ceil(target * (1.0 + p.snowball)), model.n)


def target_size(model: JourneyState, ini: Initiative) -> int:
    """The team's target size (a coalition's or a consortium's)."""
    p = model.params
    return min(p.coalition_size if ini.kind is Kind.COALITION else p.consortium_size, model.n)


def close_or_go_on(model: JourneyState, ini: Initiative) -> None:
    """Start cohering once the team is assembled; stall when the budget is spent.

    Without snowballing a team is assembled at its target size. With it, the team is
    open until it covers ``momentum_coverage`` of the opportunity's needs with at least
    ``go_ahead_share`` of the target, or reaches :func:`team_limit`.
    """
    p, a = model.params, model.assumptions
    target = target_size(model, ini)
    size = len(ini.members)
    enough = size >= max(2, math.ceil(target * a.go_ahead_share))
    if p.snowball > 0:
        covered = cohering.coverage(ini.requirement, model.capability[ini.members])
        if (enough and covered >= a.momentum_coverage) or size >= team_limit(model, ini):
            cohering.start_cohering(model, ini, f"team of {size} covers {covered:.0%} of needs")
            return
    elif size >= target:
        cohering.start_cohering(model, ini, f"team of {size} assembled")
        return
    if model.table.budget[ini.id] <= 0:
        if enough:
            cohering.start_cohering(
                model, ini, f"search budget spent: went ahead with {size} of {target}"
            )
        else:
            model.end(
                ini,
                Outcome.STALLED,
                f"search budget ran out with {size - 1} of {target - 1} partners found",
            )


def momentum(model: JourneyState) -> None:
    """With snowballing, idle organisations near growing initiatives join them unasked.

    An idle organisation tied to the team of an exploring initiative feels its pull:
    ``pull_contacts`` x the share of its own contacts already in, plus ``pull_progress``
    x the team's size as a share of its target. Once the pull passes its threshold (1 -
    its risk appetite: the bold move first), it joins with chance ``snowball`` x
    ``unasked_join_rate`` a week (Granovetter's threshold model of collective action).
    """
    p, a = model.params, model.assumptions
    if p.snowball <= 0:
        return
    net = model.network
    for i in model.ids_in(Stage.EXPLORING):
        ini = model.initiatives[i]
        limit = team_limit(model, ini)
        if len(ini.members) >= limit:
            continue
        near, inside = np.unique(
            np.concatenate([net.contacts(m) for m in ini.members]), return_counts=True
        )
        free = (model.org_initiative[near] < 0) & ~model.declined[i][near]
        orgs, inside = near[free], inside[free]
        if orgs.size == 0:
            continue
        share = inside / np.array([max(net.contacts(o).size, 1) for o in orgs.tolist()])
        progress = len(ini.members) / target_size(model, ini)
        pull = a.pull_contacts * share + a.pull_progress * progress
        ready = orgs[pull >= 1.0 - model.risk_appetite[orgs]]
        chance = p.snowball * a.unasked_join_rate
        for org in ready[model.rng.random(ready.size) < chance].tolist():
            if len(ini.members) >= limit:
                break
            model.join(ini, org)
            model.log(ini, "join", f"organisation {org} joins {ini.name} unasked", org)
        close_or_go_on(model, ini)
