"""Partner search after Guimerà, Uzzi, Spiro and Amaral (Science, 2005).

A slot is filled by an incumbent (someone who has collaborated before) with probability
p, else by a newcomer; an incumbent is a prior collaborator of someone already on the
team with probability q. :func:`guimera_pool` is that rule and nothing else, so the pure
team-assembly model and the journey model share it. The journey adds a choice within the
pool (:func:`score_candidates`: capability coverage against chemistry), snowballing
(candidates closer in the network are more likely to be considered) and a search cost
that grows with network distance (:func:`network_distance`).
"""

from __future__ import annotations

import numpy as np

MAX_DISTANCE = 5  # a stranger with no path counts as this many steps away


def guimera_pool(
    rng: np.random.Generator,
    available: np.ndarray,
    incumbent: np.ndarray,
    repeat: np.ndarray,
    p: float,
    q: float,
) -> tuple[np.ndarray, str]:
    """Pick which pool a slot is filled from.

    Args:
        rng: Random generator.
        available: Boolean mask of agents that could join.
        incumbent: Boolean mask of agents that have collaborated before.
        repeat: Boolean mask of prior collaborators of the current team.
        p: Probability of an incumbent.
        q: Probability that an incumbent is a prior collaborator of the team.

    Returns:
        The mask of candidates and the pool's name (``"repeat"``, ``"incumbent"`` or
        ``"newcomer"``). When the drawn pool is empty the slot falls back to the other
        kind, so a team can always grow while anyone is available.
    """
    incumbents = available & incumbent
    newcomers = available > incumbent  # available and not an incumbent
    repeats = incumbents & repeat
    kind = pool_choice(
        rng,
        int(np.count_nonzero(repeats)),
        int(np.count_nonzero(incumbents)),
        int(np.count_nonzero(newcomers)),
        p,
        q,
    )
    return {"repeat": repeats, "incumbent": incumbents, "newcomer": newcomers}[kind], kind


def pool_choice(
    rng: np.random.Generator, repeats: int, incumbents: int, newcomers: int, p: float, q: float
) -> str:
    """:func:`guimera_pool`'s choice of pool, given how many candidates each pool holds.

    Draws the same random numbers as :func:`guimera_pool` (which uses it).

    Args:
        rng: Random generator.
        repeats: Available prior collaborators of the team (all incumbents).
        incumbents: Available incumbents.
        newcomers: Available newcomers.
        p: Probability of an incumbent.
        q: Probability that an incumbent is a prior collaborator of the team.
    """
    if rng.random() < p:
        if rng.random() < q and repeats:
            return "repeat"
        return "incumbent" if incumbents else "newcomer"
    return "newcomer" if newcomers else "incumbent"


def _breadth_first(tied: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Steps from each row's start set to every node (capped at :data:`MAX_DISTANCE`).

    Args:
        tied: (n, n) 0/1 float matrix of ties.
        start: (k, n) boolean matrix; row r marks the nodes search r starts from.
    """
    dist = np.full(start.shape, MAX_DISTANCE, dtype=np.int8)
    reached = start.copy()
    dist[reached] = 0
    frontier = reached.astype(float)
    for step in range(1, MAX_DISTANCE):
        nxt = (frontier @ tied > 0) & ~reached
        if not nxt.any():
            break
        dist[nxt] = step
        reached |= nxt
        frontier = nxt.astype(float)
    return dist


def network_distance(adjacency: np.ndarray, sources: np.ndarray) -> np.ndarray:
    """Steps from the nearest source to every node (capped at :data:`MAX_DISTANCE`).

    Args:
        adjacency: (n, n) matrix, non-zero where two nodes are tied.
        sources: Indices of the source nodes (the team).
    """
    start = np.zeros((1, adjacency.shape[0]), dtype=bool)
    start[0, sources] = True
    return _breadth_first((adjacency > 0).astype(float), start)[0].astype(np.int64)


def distance_matrix(adjacency: np.ndarray) -> np.ndarray:
    """Steps between every pair of nodes (capped at :data:`MAX_DISTANCE`).

    Row ``s`` equals ``network_distance(adjacency, [s])``; the distance from a team is
    the minimum over its members' rows. Small integers (int8) keep updates cheap.

    Args:
        adjacency: Symmetric (n, n) matrix, non-zero where two nodes are tied.
    """
    n = adjacency.shape[0]
    return _breadth_first((adjacency > 0).astype(float), np.eye(n, dtype=bool))


def tie_team(dist: np.ndarray, team: np.ndarray) -> None:
    """Update a :func:`distance_matrix` in place after every pair in ``team`` gets a tie.

    A shortest path that uses a new tie enters the team once and leaves it once, so
    the new distance from i to j is ``min(old, d(i, team) + 1 + d(team, j))``.
    """
    to_team = dist[team].min(axis=0)
    via = to_team[:, None] + to_team[None, :]
    via += 1
    np.minimum(dist, via, out=dist)
    np.minimum(dist, MAX_DISTANCE, out=dist)


def coverage(requirement: np.ndarray, capabilities: np.ndarray) -> float:
    """Share of the opportunity's needs that a team covers (best member per dimension)."""
    # the reductions of ndarray.sum() and ndarray.max(), without their overhead
    need = np.add.reduce(requirement, axis=None)
    if need == 0 or capabilities.size == 0:
        return 0.0
    best = np.maximum.reduce(capabilities, axis=0)
    return float(np.add.reduce(requirement * best, axis=None) / need)


def score_candidates(
    requirement: np.ndarray,
    team_caps: np.ndarray,
    cand_caps: np.ndarray,
    values_similarity: np.ndarray,
    trust_from_team: np.ndarray,
    capability_weight: float,
) -> np.ndarray:
    """Score candidates on capability coverage gain versus chemistry.

    Args:
        requirement: 0/1 needs of the opportunity, shape (k,).
        team_caps: Capabilities of the current team, shape (t, k).
        cand_caps: Capabilities of the candidates, shape (c, k).
        values_similarity: Similarity of each candidate's values to the team's, (c,).
        trust_from_team: The team's mean trust in each candidate, (c,).
        capability_weight: 1 for capability only, 0 for chemistry only.
    """
    need = max(requirement.sum(), 1e-9)
    best = team_caps.max(axis=0) if team_caps.size else np.zeros_like(requirement)
    gain = (requirement * np.maximum(cand_caps - best, 0.0)).sum(axis=1) / need
    chemistry = 0.5 * values_similarity + 0.5 * trust_from_team
    return capability_weight * gain + (1.0 - capability_weight) * chemistry


def score_features(capability: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each organisation's capabilities, values and negated values, for :func:`score_all`."""
    return np.hstack([capability, values, -values])


def score_weights(requirement: np.ndarray, n_values: int, capability_weight: float) -> np.ndarray:
    """Weights of :func:`score_all`'s matrix product for one opportunity."""
    need = max(float(requirement.sum()), 1e-9)
    chemistry = 0.5 * (1.0 - capability_weight)
    return np.concatenate(
        [requirement * (capability_weight / need), np.full(2 * n_values, -chemistry / n_values)]
    )


def score_all(
    features: np.ndarray,
    reference: np.ndarray,
    weights: np.ndarray,
    trust_from_team: np.ndarray,
    capability_weight: float,
) -> np.ndarray:
    """:func:`score_candidates` for every organisation at once, in one matrix product.

    Values similarity is one minus the mean absolute difference to the team's mean
    values. ``reference`` holds the team's best capability per dimension and its mean
    values (and their negatives), so ``max(x - reference, 0)`` gives each capability
    gain and, summed over the two value blocks, ``|v - mean|``.

    Args:
        features: Output of :func:`score_features` for every organisation.
        reference: The team's row: the maximum of its members' :func:`score_features`
            in the capability columns, their mean in the value columns.
        weights: Output of :func:`score_weights` for the opportunity.
        trust_from_team: The team's mean trust in every organisation.
        capability_weight: 1 for capability only, 0 for chemistry only.
    """
    gap = features - reference
    np.maximum(gap, 0.0, out=gap)
    chemistry = 0.5 * (1.0 - capability_weight)
    return gap @ weights + chemistry * (1.0 + trust_from_team)


def snowball_weights(distance: np.ndarray, network_strength: float) -> np.ndarray:
    """Chance weights of considering a candidate: people you know, then their contacts."""
    return (1.0 / np.maximum(distance, 1)) ** (4.0 * network_strength)
