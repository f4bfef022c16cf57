"""Cohering: partners look for a concrete shared intent before their clock runs out.

When a team is assembled the cohering clock starts (``cohering_weeks``, shortened by
urgency) and every partner judges the opportunity afresh: its values fit with the team
and its own payoff (its share of what the opportunity is worth, more for a member whose
capabilities meet more of the need; at most 1). From now on it gathers reasons to
believe and disbelieve (:mod:`sim.journey.confidence`); a partner who loses confidence
leaves gracefully. Reasons are not reset here: a partner's reasons start when it
joins, so a team that turns back to cohering keeps what its members learned. When every
partner is convinced, the team has found its intent and
establishes itself (the phase shift, when resources are committed); when the clock runs
out first the partners drift apart.
"""

from __future__ import annotations

import numpy as np

from sim.journey import direction, establishing
from sim.journey.initiatives import Initiative
from sim.journey.pairs import within
from sim.journey.stages import Kind, Outcome, Stage
from sim.journey.state import JourneyState
from sim.journey.teams import Week, WorkingTeams


def coverage(requirement: np.ndarray, capabilities: np.ndarray) -> float:
    """Share of the opportunity's needs that a team covers (best member per dimension)."""
    # the reductions of ndarray.sum() and ndarray.max(), without their overhead
    need = np.add.reduce(requirement, axis=None)
    if need == 0 or capabilities.size == 0:
        return 0.0
    best = np.maximum.reduce(capabilities, axis=0)
    return float(np.add.reduce(requirement * best, axis=None) / need)


def relevance(requirement: np.ndarray, capabilities: np.ndarray) -> np.ndarray:
    """Each member's share in meeting the need, relative to the team's average (mean 1).

    A member whose capabilities meet more of what the opportunity needs has more say in
    it and more to gain from it.
    """
    own = (capabilities * requirement).sum(axis=1)
    return own / max(float(own.mean()), 1e-9)


def values_fit(values: np.ndarray, scale: float) -> np.ndarray:
    """Each member's fit with the team: 1 - scale x its mean distance from the team's values."""
    # the sums and divisions of ndarray.mean(), without its overhead
    gap = values - np.add.reduce(values, 0) / values.shape[0]
    return 1.0 - scale * (np.add.reduce(np.abs(gap, out=gap), 1) / values.shape[1])


def start_cohering(model: JourneyState, ini: Initiative, reason: str) -> None:
    """The team is assembled: start the clock, and let partners judge afresh."""
    p, a = model.params, model.assumptions
    i = ini.id
    team = np.asarray(ini.members)
    model.search_cache.pop(i, None)
    model.declined.pop(i, None)  # only a search reads who declined
    model.move(ini, Stage.COHERING, reason)
    clock = p.cohering_weeks * (1.0 - a.cohering_urgency_squeeze * p.urgency)
    if ini.kind is Kind.COALITION:
        clock *= a.coalition_clock_multiple
    table = model.table
    capabilities = model.capability[team]
    table.coverage[i] = coverage(ini.requirement, capabilities)
    share = (ini.potential / len(team)) / (p.opportunity_value / p.consortium_size)
    model.fit[team] = values_fit(model.values[team], a.fit_scale)
    model.payoff[team] = np.minimum(relevance(ini.requirement, capabilities) * share, 1.0)
    table.deadline[i] = model.tick + clock
    model.contrib[team] = a.opening_contribution
    ini.repeat_team = bool((model.network.ties.get("collab", *within(team)) > 0).any())
    direction.guide(model, i, team)


def settle(model: JourneyState, teams: WorkingTeams, week: Week) -> None:
    """Cohering teams that found a shared intent, or ran out of time."""
    cohering = model.ids_in(Stage.COHERING)
    if not cohering:
        return
    # who is still here after this week's exits, and who of them is convinced
    g = model.org_initiative[teams.orgs]
    here = (g >= 0) & (g < teams.n_ini)
    n = len(model.initiatives)
    members = np.bincount(g[here], minlength=n)
    ready = np.bincount(g[here & week.coherent], minlength=n)
    done = [i for i in cohering if members[i] > 1 and ready[i] == members[i]]
    for i in done:
        establishing.start_establishing(model, model.initiatives[i])
    tick = model.tick
    deadline = model.table.deadline
    for i in cohering:
        if i not in done and deadline[i] <= tick:
            model.end(
                model.initiatives[i],
                Outcome.DRIFTED_APART,
                "the clock ran out before a shared intent was found",
            )
