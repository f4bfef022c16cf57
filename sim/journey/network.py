"""The network organisations search through: informal ties and past collaborations.

Informal ties (prior ties, "little black books") are drawn at the start; every team
that establishes itself ties its members together as collaborators. Search cost and
snowballing go by the number of steps between organisations over both kinds of tie,
capped at the assumption ``max_distance`` (a stranger). :class:`Network` keeps the ties
of the pairs that have any (a :class:`~sim.journey.pairs.Pairs` table: memory grows with
the ties, not with the square of the population), who has collaborated before (the
incumbents of Guimerà et al. 2005), and finds the distances from a team when a search
needs them: a breadth-first search from the team that stops at the cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import networkx as nx
import numpy as np

from sim.journey.assumptions import JourneyAssumptions
from sim.journey.compiled import kernel, njit
from sim.journey.pairs import EMPTY, PairIndex, Pairs, add, find
from sim.journey.parameters import JourneyParameters

TIE_COLUMNS = {"informal": (np.float64, 0.0), "collab": (np.int32, 0), "tied_by": (np.int32, -1)}


class Graph(NamedTuple):
    """The ties as compiled loops read them: per pair slot, informal tie and collaborations."""

    index: PairIndex
    informal: np.ndarray
    collab: np.ndarray


@dataclass(slots=True)
class Network:
    """Ties between organisations and the distances they make.

    Attributes:
        ties: Per pair that has a tie: ``informal`` (1 for an informal tie), ``collab``
            (prior collaborations) and ``tied_by`` (the initiative that first tied the
            pair, -1 if none, to credit it with what the tie later helps create).
        degree: Collaborators per organisation.
        incumbent: Organisations that have collaborated (``degree > 0``).
        inverse_weight: 1 / snowball weight by distance, for weighted sampling.
        max_distance: The cap: a stranger's distance.
        version: Bumped whenever new ties change the distances.
    """

    ties: Pairs
    degree: np.ndarray
    incumbent: np.ndarray
    inverse_weight: np.ndarray
    max_distance: int
    version: int = 0

    @property
    def graph(self) -> Graph:
        """The ties as compiled loops take them."""
        c = self.ties.columns
        return Graph(self.ties.index, c["informal"], c["collab"])

    @property
    def informal(self) -> np.ndarray:
        """(n, n) informal ties, 0/1 (a dense copy, for inspecting a small population)."""
        return self.ties.dense("informal")

    @property
    def collab(self) -> np.ndarray:
        """(n, n) prior collaborations per pair (a dense copy, as :attr:`informal`)."""
        return self.ties.dense("collab")

    @property
    def tied(self) -> np.ndarray:
        """(n, n) whether each pair has collaborated (a dense copy, as :attr:`informal`)."""
        return self.collab > 0

    def pairs_where(self, column: str, least: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows, columns and slots of the pairs whose ``column`` is at least ``least``.

        Ordered by row, then column (as ``np.nonzero`` orders a matrix).
        """
        rows, cols, slots = self.ties.held()
        keep = self.ties.columns[column][slots] >= least
        return rows[keep], cols[keep], slots[keep]

    def collaborations(self, least: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Ordered pairs that collaborated at least ``least`` times, and how often."""
        rows, cols, slots = self.pairs_where("collab", least)
        return rows, cols, self.ties.columns["collab"][slots]

    def known_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Ordered pairs with an informal tie or a collaboration, by row then column."""
        rows, cols, slots = self.ties.held()
        c = self.ties.columns
        keep = ((c["collab"][slots] > 0) | (c["informal"][slots] > 0)) & (rows != cols)
        return rows[keep], cols[keep]

    def distance_from(self, sources: np.ndarray) -> np.ndarray:
        """Steps from the nearest of ``sources`` to every organisation (capped)."""
        out = np.empty(self.degree.size, dtype=np.int8)
        distances_from(self.graph, np.asarray(sources, dtype=np.int64), out, self.max_distance)
        return out.astype(np.int64)

    def contacts(self, org: int) -> np.ndarray:
        """Organisations ``org`` is tied to, informally or by working together (ascending)."""
        return np.sort(_contacts(self.graph, org))

    def tie_informally(self, org: int, others: np.ndarray) -> None:
        """Give ``org`` an informal tie to each of ``others`` (both ways round)."""
        others = np.asarray(others, dtype=np.int64)
        slots = self.ties.add(np.full(others.size, org), others)
        back = self.ties.add(others, np.full(others.size, org))
        informal = self.ties.columns["informal"]  # after adding: the columns may move
        informal[slots] = informal[back] = 1.0
        self.version += 1

    def tied_by_among(self, team: np.ndarray) -> np.ndarray:
        """(m, m) the initiative that first tied each pair of ``team`` (-1: never tied)."""
        team = np.asarray(team, dtype=np.int64)
        return self.ties.get("tied_by", team[:, None], team[None, :])

    def tie(self, team: np.ndarray, initiative: int, before: np.ndarray) -> None:
        """Record that ``team`` collaborated in ``initiative``.

        Every pair of the team counts one more collaboration, except pairs of ``before``
        (members already tied for this initiative: they count once); a pair never tied
        before is credited to ``initiative``.
        """
        team = np.asarray(team, dtype=np.int64)
        self.ties.reserve(team.size * team.size)
        c = self.ties.columns
        _tie_team(
            self.ties.index, c["collab"], c["tied_by"], team, initiative,
            np.asarray(before, dtype=np.int64), self.degree, self.incumbent,
        )  # fmt: skip
        self.version += 1

    def forget(self, orgs: np.ndarray) -> None:
        """Wipe every tie of ``orgs`` (they left the ecosystem)."""
        slots = self.ties.reset_rows(orgs)
        affected = np.unique(np.concatenate([orgs, self.ties.index.row[slots]]))
        self.degree[affected] = _tied_counts(self.graph, affected)
        self.incumbent[affected] = self.degree[affected] > 0
        self.version += 1


def build_network(rng: np.random.Generator, p: JourneyParameters, a: JourneyAssumptions) -> Network:
    """The informal network at the start, with no collaborations yet."""
    weights = snowball_weights(
        np.arange(a.max_distance + 1), p.network_strength, a.snowball_exponent
    )
    return network_of(p.n_organisations, informal_ties(rng, p, a), a.max_distance, 1.0 / weights)


def network_of(
    n: int, informal: tuple[np.ndarray, np.ndarray], cap: int, inverse_weight: np.ndarray
) -> Network:
    """A network of ``n`` organisations with the ``informal`` ties (ordered pairs, both ways).

    Args:
        n: Organisations.
        informal: Sources and targets of the informal ties.
        cap: A stranger's distance.
        inverse_weight: 1 / snowball weight by distance (``cap + 1`` entries).
    """
    src, dst = informal
    ties = Pairs(n, TIE_COLUMNS, room=2 * src.size)
    ties.columns["informal"][ties.add(src, dst)] = 1.0
    return Network(
        ties=ties,
        degree=np.zeros(n, dtype=np.int32),
        incumbent=np.zeros(n, dtype=bool),
        inverse_weight=inverse_weight,
        max_distance=cap,
    )


def informal_ties(
    rng: np.random.Generator, p: JourneyParameters, a: JourneyAssumptions
) -> tuple[np.ndarray, np.ndarray]:
    """Informal ties as ordered pairs (both ways round), shaped as ``network_structure`` says."""
    n = p.n_organisations
    seed = int(rng.integers(2**31 - 1))
    degree = max(2, 2 * round(1 + a.network_degree_slope * p.network_strength))
    degree = min(degree, n - 1 - (n - 1) % 2)
    none = np.empty(0, dtype=np.int64)
    if p.network_structure == "none" or p.network_strength == 0:
        return none, none
    if p.network_structure == "small_world":
        g = nx.watts_strogatz_graph(n, degree, a.network_rewiring, seed=seed)
    elif p.network_structure == "random":
        g = nx.gnp_random_graph(n, degree / (n - 1), seed=seed)
    else:
        g = nx.barabasi_albert_graph(n, max(1, degree // 2), seed=seed)
    edges = np.array([(u, v) for u, v in g.edges() if u != v], dtype=np.int64).reshape(-1, 2)
    return np.concatenate([edges[:, 0], edges[:, 1]]), np.concatenate([edges[:, 1], edges[:, 0]])


def snowball_weights(distance: np.ndarray, network_strength: float, exponent: float) -> np.ndarray:
    """Chance weights of considering a candidate: people you know, then their contacts."""
    return (1.0 / np.maximum(distance, 1)) ** (exponent * network_strength)


@njit(cache=True)
def distances_from(graph: Graph, sources: np.ndarray, out: np.ndarray, cap: int) -> None:
    """Steps from the nearest source to every node over the ties, capped at ``cap``.

    A breadth-first search that stops where the cap is reached: its cost grows with the
    ties within reach, not with the population.
    """
    ix = graph.index
    out[:] = cap
    queue = np.empty(out.size, dtype=np.int64)
    tail = 0
    for s in sources:
        if out[s] != 0:
            out[s] = 0
            queue[tail] = s
            tail += 1
    head = 0
    while head < tail:
        v = queue[head]
        head += 1
        step = out[v] + 1
        if step >= cap:
            continue
        s = ix.head[v]
        while s != EMPTY:
            w = ix.col[s]
            if out[w] == cap and (graph.informal[s] > 0 or graph.collab[s] > 0):
                out[w] = step
                queue[tail] = w
                tail += 1
            s = ix.next[s]


@njit(cache=True)
def mark_collaborators(graph: Graph, org: int, out: np.ndarray) -> None:
    """Set ``out[j]`` for every prior collaborator ``j`` of ``org``."""
    ix = graph.index
    s = ix.head[org]
    while s != EMPTY:
        if graph.collab[s] > 0:
            out[ix.col[s]] = True
        s = ix.next[s]


@kernel
def _contacts(graph: Graph, org: int) -> np.ndarray:
    """Organisations ``org`` has an informal tie or a collaboration with."""
    ix = graph.index
    count = 0
    s = ix.head[org]
    while s != EMPTY:
        if ix.col[s] != org and (graph.informal[s] > 0 or graph.collab[s] > 0):
            count += 1
        s = ix.next[s]
    out = np.empty(count, dtype=np.int64)
    k = 0
    s = ix.head[org]
    while s != EMPTY:
        if ix.col[s] != org and (graph.informal[s] > 0 or graph.collab[s] > 0):
            out[k] = ix.col[s]
            k += 1
        s = ix.next[s]
    return out


@njit(cache=True)
def _tied_count(ix: PairIndex, collab: np.ndarray, org: int) -> int:
    d = 0
    s = ix.head[org]
    while s != EMPTY:
        if collab[s] > 0:
            d += 1
        s = ix.next[s]
    return d


@kernel
def _tied_counts(graph: Graph, orgs: np.ndarray) -> np.ndarray:
    out = np.empty(orgs.size, dtype=np.int32)
    for k in range(orgs.size):
        out[k] = _tied_count(graph.index, graph.collab, orgs[k])
    return out


@kernel
def _tie_team(ix, collab, tied_by, team, initiative, before, degree, incumbent):
    """Add a collaboration to every pair of ``team`` (once for pairs of ``before``)."""
    for a in team:
        for b in team:
            if a != b:
                s = add(ix, a, b)
                if tied_by[s] < 0:
                    tied_by[s] = initiative
                collab[s] += 1
    for a in team:
        d = _tied_count(ix, collab, a)
        degree[a] = d
        incumbent[a] = d > 0
    for a in before:
        for b in before:
            if a != b:
                collab[find(ix, a, b)] -= 1
