"""Triggers: ecosystem-wide shocks, a shared sense that the status quo is untenable.

Besides the individual glimpses of :mod:`sim.journey.latent_value`, shocks arrive at
``shock_rate`` a year. A shock reaches a share ``shock_reach`` of the organisations: for
``shock_weeks`` their champions decide with ``shock_urgency`` more urgency and they
glimpse opportunities ``1 + shock_glimpse`` times as often; and the ``shock_coalitions``
most influential idle organisations it reached glimpse a sector-wide opportunity at once
(a coalition's).
"""

from __future__ import annotations

import numpy as np

from sim.journey.latent_value import open_initiative
from sim.journey.population import WEEKS_PER_YEAR
from sim.journey.stages import Kind
from sim.journey.state import JourneyState


def shock(state: JourneyState) -> None:
    """A shock may strike this week; an old one may wear off."""
    p, a = state.params, state.assumptions
    if p.shock_rate <= 0:
        return
    if state.tick == state.shock_ends:
        state.urgency_boost[:] = 0.0
        state.glimpse_rate[:] = p.opportunity_rate
    r = state.rng
    if r.random() >= p.shock_rate / WEEKS_PER_YEAR:
        return
    reached = (r.random(state.n) < a.shock_reach).nonzero()[0]
    state.shock_ends = state.tick + a.shock_weeks
    state.urgency_boost[reached] = a.shock_urgency
    state.glimpse_rate[reached] = p.opportunity_rate * (1.0 + a.shock_glimpse)
    idle = reached[state.org_initiative[reached] < 0]
    first = idle[np.argsort(-state.influence[idle], kind="stable")][: a.shock_coalitions]
    for org in first.tolist():
        ini = open_initiative(state, Kind.COALITION, int(org))
        state.table.due[ini.id] = state.tick + 1
        state.log(ini, "shock", f"a shock: organisation {org} glimpses a sector-wide need", org)
