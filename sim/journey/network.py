"""The network organisations search through: informal ties and past collaborations.

Informal ties (prior ties, "little black books") are drawn at the start; every team
that starts cohering ties its members together as collaborators. Search cost and
snowballing go by the number of steps between organisations over both kinds of tie,
capped at the assumption ``max_distance`` (a stranger). :class:`Network` keeps the ties,
who has collaborated before (the incumbents of Guimerà et al. 2005) and the distances,
updated in place when a team ties up (:func:`tie_team`).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from sim.journey.assumptions import JourneyAssumptions
from sim.journey.compiled import kernel
from sim.journey.parameters import JourneyParameters


@dataclass(slots=True)
class Network:
    """Ties between organisations and the distances they make.

    Attributes:
        informal: (n, n) 0/1 informal ties.
        collab: (n, n) prior collaborations per pair.
        degree: Collaborators per organisation.
        tied: ``collab > 0``.
        incumbent: Organisations that have collaborated (``degree > 0``).
        distance: (n, n) steps over informal ties and collaborations (int8, capped).
        inverse_weight: 1 / snowball weight by distance, for weighted sampling.
        max_distance: The cap: a stranger's distance.
        tied_by: (n, n) the initiative that first tied each pair (-1: never tied), to
            credit it with what the tie later helps create.
        version: Bumped whenever new ties change the distances.
    """

    informal: np.ndarray
    collab: np.ndarray
    degree: np.ndarray
    tied: np.ndarray
    incumbent: np.ndarray
    distance: np.ndarray
    inverse_weight: np.ndarray
    max_distance: int
    tied_by: np.ndarray
    version: int = 0


def build_network(rng: np.random.Generator, p: JourneyParameters, a: JourneyAssumptions) -> Network:
    """The informal network at the start, with no collaborations yet."""
    n = p.n_organisations
    informal = informal_ties(rng, p, a)
    return Network(
        informal=informal,
        collab=np.zeros((n, n), dtype=np.int32),
        degree=np.zeros(n, dtype=np.int32),
        tied=np.zeros((n, n), dtype=bool),
        tied_by=np.full((n, n), -1, dtype=np.int32),
        incumbent=np.zeros(n, dtype=bool),
        distance=distance_matrix(informal, a.max_distance),
        inverse_weight=1.0
        / snowball_weights(np.arange(a.max_distance + 1), p.network_strength, a.snowball_exponent),
        max_distance=a.max_distance,
    )


def informal_ties(
    rng: np.random.Generator, p: JourneyParameters, a: JourneyAssumptions
) -> np.ndarray:
    """Informal ties as a 0/1 matrix, in the shape ``network_structure`` names."""
    n = p.n_organisations
    seed = int(rng.integers(2**31 - 1))
    degree = max(2, 2 * round(1 + a.network_degree_slope * p.network_strength))
    degree = min(degree, n - 1 - (n - 1) % 2)
    if p.network_structure == "none" or p.network_strength == 0:
        return np.zeros((n, n))
    if p.network_structure == "small_world":
        g = nx.watts_strogatz_graph(n, degree, a.network_rewiring, seed=seed)
    elif p.network_structure == "random":
        g = nx.gnp_random_graph(n, degree / (n - 1), seed=seed)
    else:
        g = nx.barabasi_albert_graph(n, max(1, degree // 2), seed=seed)
    return nx.to_numpy_array(g, nodelist=range(n), dtype=float)


def snowball_weights(distance: np.ndarray, network_strength: float, exponent: float) -> np.ndarray:
    """Chance weights of considering a candidate: people you know, then their contacts."""
    return (1.0 / np.maximum(distance, 1)) ** (exponent * network_strength)


def _breadth_first(tied: np.ndarray, start: np.ndarray, cap: int) -> np.ndarray:
    """Steps from each row's start set to every node (capped at ``cap``).

    Args:
        tied: (n, n) 0/1 float matrix of ties.
        start: (k, n) boolean matrix; row r marks the nodes search r starts from.
        cap: The largest distance recorded (farther nodes, or none reachable, get it).
    """
    dist = np.full(start.shape, cap, dtype=np.int8)
    reached = start.copy()
    dist[reached] = 0
    frontier = reached.astype(float)
    for step in range(1, cap):
        nxt = (frontier @ tied > 0) & ~reached
        if not nxt.any():
            break
        dist[nxt] = step
        reached |= nxt
        frontier = nxt.astype(float)
    return dist


def network_distance(adjacency: np.ndarray, sources: np.ndarray, cap: int) -> np.ndarray:
    """Steps from the nearest source to every node (capped at ``cap``).

    Args:
        adjacency: (n, n) matrix, non-zero where two nodes are tied.
        sources: Indices of the source nodes (the team).
        cap: A stranger's distance.
    """
    start = np.zeros((1, adjacency.shape[0]), dtype=bool)
    start[0, sources] = True
    return _breadth_first((adjacency > 0).astype(float), start, cap)[0].astype(np.int64)


def distance_matrix(adjacency: np.ndarray, cap: int) -> np.ndarray:
    """Steps between every pair of nodes (capped at ``cap``), as int8.

    Row ``s`` equals ``network_distance(adjacency, [s], cap)``; the distance from a team
    is the minimum over its members' rows. A breadth-first search from every node along
    the ties (cost grows with nodes x ties, not with nodes cubed).
    """
    rows, cols = np.nonzero(adjacency)
    starts = np.searchsorted(rows, np.arange(adjacency.shape[0] + 1)).astype(np.int64)
    return _all_pairs(starts, cols.astype(np.int64), int(cap))


@kernel
def _all_pairs(starts: np.ndarray, neighbours: np.ndarray, cap: int) -> np.ndarray:
    """Breadth-first distances from every node.

    Node ``v``'s ties are ``neighbours[starts[v]:starts[v + 1]]``.
    """
    n = starts.size - 1
    dist = np.full((n, n), cap, dtype=np.int8)
    queue = np.empty(n, dtype=np.int64)
    for s in range(n):
        row = dist[s]
        row[s] = 0
        queue[0] = s
        head, tail = 0, 1
        while head < tail:
            v = queue[head]
            head += 1
            step = row[v] + 1
            if step >= cap:
                continue
            for e in range(starts[v], starts[v + 1]):
                w = neighbours[e]
                if row[w] == cap:
                    row[w] = step
                    queue[tail] = w
                    tail += 1
    return dist


@kernel
def tie_team(
    team: np.ndarray,
    collab: np.ndarray,
    tied: np.ndarray,
    degree: np.ndarray,
    incumbent: np.ndarray,
    dist: np.ndarray,
    cap: int,
) -> None:
    """Record that every pair in ``team`` has collaborated, and shorten paths through it.

    A shortest path that uses a new tie enters the team once and leaves it once, so the
    new distance from i to j is ``min(old, d(i, team) + 1 + d(team, j))``.
    """
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
        to_team[j] = cap
        for a in team:
            to_team[j] = min(to_team[j], dist[a, j])
    for i in range(n):
        for j in range(n):
            dist[i, j] = min(dist[i, j], to_team[i] + 1 + to_team[j])
