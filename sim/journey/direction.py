"""Coalitions that set direction: scope, legitimacy, and the direction they give consortia.

An opportunity is sector-wide or not: with chance ``coalition_share`` for a champion of
average influence, more for an influential one (``coalition_share`` ^ (1 / influence)). A
sector-wide opportunity is taken on by a coalition. A coalition's legitimacy is how
representative its members are of the population's sectors (one minus the total
variation distance between its members' influence-weighted sector shares and the
population's); the quality of its direction is its legitimacy times the share of
``direction_weeks`` it has spent norming and performing (making sense together). The
consortia it spawns inherit that quality: their viability and their members' fit and
payoff move towards 1, and their members start cohering with reasons to believe, so
cohering is shorter (``direction_viability``, ``direction_fit``, ``direction_reasons``).
"""

from __future__ import annotations

import numpy as np

from sim.journey.stages import Phase, Stage
from sim.journey.state import JourneyState


def sector_wide(state: JourneyState, champion: int, draw: float) -> bool:
    """Whether an opportunity the champion glimpses is sector-wide (``draw`` uniform)."""
    share = state.params.coalition_share
    if share <= 0.0:
        return False
    return draw < share ** (1.0 / state.influence[champion])


def legitimacy(state: JourneyState, members: list[int]) -> float:
    """How representative ``members`` are of the population's sectors (0 to 1)."""
    k = state.params.n_sectors
    population = np.bincount(state.sector, minlength=k) / state.n
    team = np.asarray(members)
    weight = state.influence[team]
    shares = np.bincount(state.sector[team], weights=weight, minlength=k) / weight.sum()
    return float(1.0 - 0.5 * np.abs(population - shares).sum())


def make_sense(state: JourneyState) -> None:
    """Journeying coalitions that are norming or performing add a week to their direction."""
    t = state.table
    for i in state.ids_in(Stage.JOURNEYING):
        if t.coalition[i] and int(t.phase[i]) >= Phase.NORMING:
            t.direction_weeks[i] += 1.0


def quality(state: JourneyState, coalition: int, members: list[int]) -> float:
    """The quality of a coalition's direction now, given who works in it."""
    t = state.table
    t.legitimacy[coalition] = legitimacy(state, members)
    share = min(t.direction_weeks[coalition] / state.assumptions.direction_weeks, 1.0)
    return float(t.legitimacy[coalition] * share)


def inherit(state: JourneyState, child: int, direction: float) -> None:
    """A spawned consortium takes its coalition's direction: a more viable opportunity."""
    t = state.table
    t.direction[child] = direction
    lift = state.assumptions.direction_viability * direction
    t.viability[child] += lift * (1.0 - t.viability[child])


def guide(state: JourneyState, i: int, team: np.ndarray) -> None:
    """A directed consortium's members start cohering with more fit, payoff and reasons."""
    direction = float(state.table.direction[i])
    if direction <= 0.0:
        return
    a = state.assumptions
    lift = a.direction_fit * direction
    state.fit[team] += lift * (1.0 - state.fit[team])
    state.payoff[team] += lift * (1.0 - state.payoff[team])
    state.believe[team] += a.direction_reasons * direction
