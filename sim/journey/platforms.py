"""Open-innovation platforms: vetted strangers within reach, with a little trust.

A share ``platform`` of organisations is on a platform (newcomers join it in the same
share). Two members reach each other within ``platform_distance`` steps, whatever the
network says, so a search finds partners beyond its informal ties at a lower cost; and
the platform's vetting confers ``platform_trust`` reasons to believe on every pair of
members at the start.
"""

from __future__ import annotations

import numpy as np

from sim.journey.state import JourneyState


def set_up(state: JourneyState) -> None:
    """Draw who is on the platform at the start, and give its members their trust."""
    state.on_platform = np.zeros(state.n, dtype=bool)
    admit(state, np.arange(state.n))


def admit(state: JourneyState, orgs: np.ndarray) -> None:
    """Organisations ``orgs`` enter the ecosystem: each is on the platform in its share."""
    p = state.params
    if p.platform <= 0:
        return
    joining = orgs[state.rng.random(orgs.size) < p.platform]
    state.on_platform[joining] = True
    members = state.on_platform.nonzero()[0]
    if joining.size == 0 or p.platform_trust <= 0:
        return
    rows = np.concatenate([np.repeat(joining, members.size), np.repeat(members, joining.size)])
    cols = np.concatenate([np.tile(members, joining.size), np.tile(joining, members.size)])
    pairs = np.unique(rows * state.n + cols)  # each pair once; nobody vets itself
    rows, cols = pairs // state.n, pairs % state.n
    other = rows != cols
    state.trust.believe_pairs(rows[other], cols[other], p.platform_trust)


def reach_from(state: JourneyState, org: int) -> np.ndarray:
    """Steps from ``org`` to every organisation, over the network and the platform."""
    row = state.network.distance_from(np.array([org]))
    if not state.on_platform[org]:
        return row
    shortcut = state.on_platform & (row > state.assumptions.platform_distance)
    return np.where(shortcut, state.assumptions.platform_distance, row)
