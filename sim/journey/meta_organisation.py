"""Meta-organisation: a team that created value and trusts itself becomes a lasting alliance.

Collaboration is cyclical: an alliance deepens its members' trust in each other (ties
strengthen), and its members glimpse more opportunities, act on them more readily and
find them worth more (the flywheel, see :mod:`sim.journey.latent_value`).
"""

from __future__ import annotations

import numpy as np

from sim.journey.initiatives import Initiative
from sim.journey.stages import VALUE_OUTCOMES, Stage
from sim.journey.state import JourneyState


def form_alliance(state: JourneyState, ini: Initiative, team: list[int], trust: float) -> bool:
    """Make ``ini`` a lasting alliance if it created value and trusts itself enough.

    Returns:
        Whether it became one.
    """
    p, a = state.params, state.assumptions
    if not (ini.outcome in VALUE_OUTCOMES and trust >= p.alliance_trust and len(team) >= 2):
        return False
    reason = f"a lasting alliance forms (team trust {trust:.2f})"
    state.move(ini, Stage.META_ORGANISATION, reason)
    arr = np.asarray(team)
    bonus = p.tie_trust * (a.alliance_tie_base + p.flywheel)
    state.trust.believe_within(arr, bonus)  # trust deepens, ties strengthen
    state.search_cache.clear()  # members of exploring teams may trust more now
    state.alliance[arr] = ini.id
    state.glimpse_rate[arr] = p.opportunity_rate * (1.0 + p.flywheel)
    for org in team:
        if state.org_initiative[org] == ini.id:
            state.release(ini, org)
    return True
