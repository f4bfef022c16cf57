"""A convener: an agency that assigns teams instead of champions searching for partners.

With ``convener: agency``, once a champion acts the agency assigns it a whole team at
once, chosen by capability alone (each place goes to the available organisation that
adds most to the opportunity's needs), and the team starts cohering after
``convener_weeks``. The agency mandates commitment (every member puts in at least
``convened_commitment`` while it works in the initiative), but partners imposed on each
other did not choose each other: they start with ``convened_doubt`` reasons to
disbelieve each other, and storming with ``convened_conflict`` more conflict. Without a
convener (``none``, the source's setting) champions search
(:mod:`sim.journey.exploring`).
"""

from __future__ import annotations

import numpy as np

from sim.journey import cohering
from sim.journey.initiatives import Initiative
from sim.journey.stages import Kind, Outcome
from sim.journey.state import JourneyState


def convenes(state: JourneyState) -> bool:
    """Whether a convening agency assigns the teams."""
    return state.params.convener == "agency"


def assign(state: JourneyState, ini: Initiative) -> None:
    """The agency fills the team up to its target size, by capability alone."""
    p, a = state.params, state.assumptions
    i = ini.id
    state.table.convened[i] = True
    target = min(p.coalition_size if ini.kind is Kind.COALITION else p.consortium_size, state.n)
    g = state.org_initiative
    free = ((g < 0) | (g == ini.parent)) & ~state.declined[i]
    free[ini.members] = False
    order = state.rng.permutation(state.n)  # who is asked first when gains tie
    best = state.capability[ini.members].max(axis=0)
    assigned = []
    while len(ini.members) + len(assigned) < target:
        pool = order[free[order]]
        if pool.size == 0:
            break
        gain = (np.maximum(state.capability[pool] - best, 0.0) * ini.requirement).sum(axis=1)
        org = int(pool[int(np.argmax(gain))])
        assigned.append(org)
        free[org] = False
        best = np.maximum(best, state.capability[org])
    for org in assigned:
        state.join(ini, org)
        state.log(ini, "join", f"organisation {org} is assigned to {ini.name}", org)
    team = np.asarray(ini.members)
    state.traits.floor[team] = np.maximum(state.traits.floor[team], a.convened_commitment)
    if assigned:
        state.trust.disbelieve_within(team, a.convened_doubt)
    state.table.due[i] = state.tick + max(1, round(a.convener_weeks))


def hand_over(state: JourneyState, ini: Initiative) -> None:
    """The assigned team starts cohering (or, if the agency found nobody, stalls)."""
    size = len(ini.members)
    if size >= 2:
        cohering.start_cohering(state, ini, f"the agency assigned a team of {size}")
    else:
        state.end(ini, Outcome.STALLED, "the agency found no partners to assign")
