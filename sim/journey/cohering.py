"""Cohering: partners look for a concrete shared intent before their clock runs out.

When a team is assembled the cohering clock starts
(``cohering_weeks``, shortened by urgency) and every partner judges the opportunity
afresh: its values fit with the team and its payoff. Each week it may find a reason to
believe (fit, payoff, trust in the partners) or to disbelieve (misfit, mistrust, power
jockeying seen), :func:`sim.journey.rules.reason_chances`; its confidence is the Beta
mean of those reasons. Once it has enough reasons to judge, a partner whose confidence
falls below its threshold (set by its risk appetite) leaves gracefully; when every
partner is convinced the team establishes itself; when the clock runs out first the
partners drift apart.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.journey import establishing
from sim.journey.compiled import njit
from sim.journey.initiatives import Initiative
from sim.journey.rules import WorkRules, confidence, reason_chances
from sim.journey.stages import Kind, Outcome, Stage
from sim.journey.state import JourneyState
from sim.journey.teams import Week, WorkingTeams


class ReasonState(NamedTuple):
    """Per organisation: what it weighs while cohering, and the reasons it has so far."""

    fit: np.ndarray  # values fit with the team, fixed when cohering starts
    payoff: np.ndarray  # its own payoff, fixed then too
    believe: np.ndarray  # reasons to believe so far
    disbelieve: np.ndarray  # reasons to disbelieve so far
    threshold: np.ndarray  # confidence below which it leaves


def reason_state(state: JourneyState) -> ReasonState:
    """The model's :class:`ReasonState` (its per-organisation arrays)."""
    return ReasonState(state.fit, state.payoff, state.believe, state.disbelieve, state.threshold)


def coverage(requirement: np.ndarray, capabilities: np.ndarray) -> float:
    """Share of the opportunity's needs that a team covers (best member per dimension)."""
    # the reductions of ndarray.sum() and ndarray.max(), without their overhead
    need = np.add.reduce(requirement, axis=None)
    if need == 0 or capabilities.size == 0:
        return 0.0
    best = np.maximum.reduce(capabilities, axis=0)
    return float(np.add.reduce(requirement * best, axis=None) / need)


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
    model.move(ini, Stage.COHERING, reason)
    clock = p.cohering_weeks * (1.0 - a.cohering_urgency_squeeze * p.urgency)
    if ini.kind is Kind.COALITION:
        clock *= a.coalition_clock_multiple
    table = model.table
    table.deadline[i] = model.tick + clock
    cov = coverage(ini.requirement, model.capability[team])
    table.coverage[i] = cov
    share = (ini.potential / len(team)) / (p.opportunity_value / p.consortium_size)
    model.fit[team] = values_fit(model.values[team], a.fit_scale)
    model.payoff[team] = cov * min(1.0, share)
    model.believe[team] = 0.0  # no reasons yet either way
    model.disbelieve[team] = 0.0
    model.contrib[team] = a.opening_contribution


@njit(cache=True)
def gather_reasons(
    teams: WorkingTeams,
    week: Week,
    draws: np.ndarray,
    state: ReasonState,
    r: WorkRules,
) -> int:
    """Every cohering partner's reasons this week, its confidence and its judgement.

    Writes each partner's confidence, whether it leaves and whether it is convinced into
    ``week``, and counts the convinced per initiative in ``week.ready``.

    Returns:
        How many partners leave.
    """
    n_leaving = 0
    week.ready[:] = 0.0
    for k in range(teams.cohering.size):
        w = teams.cohering[k]
        org = teams.cohering_orgs[k]
        g = teams.cohering_ini[k]
        seen = week.jockeys[g] > (1.0 if week.jockeyed[w] else 0.0)  # someone else jockeyed
        p_b, p_d = reason_chances(state.fit[org], state.payoff[org], week.mean_trust[w], seen, r)
        b = state.believe[org] + (1.0 if draws[0, k] < p_b else 0.0)
        d = state.disbelieve[org] + (1.0 if draws[1, k] < p_d else 0.0)
        state.believe[org] = b
        state.disbelieve[org] = d
        c = confidence(b, d)
        week.confidence[k] = c
        judged = b + d >= r.min_evidence
        week.leaving[k] = judged and c < state.threshold[org]
        week.coherent[k] = judged and c >= state.threshold[org] + r.coherent_margin
        n_leaving += week.leaving[k]
        if week.coherent[k]:
            week.ready[g] += 1.0
    return n_leaving


def settle(model: JourneyState, teams: WorkingTeams, week: Week, n_leaving: int) -> None:
    """Exits, and cohering teams that found a shared intent or ran out of time."""
    orgs = teams.cohering_orgs
    ready = week.ready
    if n_leaving:
        touched: set[int] = set()
        for k in week.leaving.nonzero()[0].tolist():
            org = int(orgs[k])
            ini = model.initiatives[int(model.org_initiative[org])]
            touched.add(ini.id)
            model.leave(ini, org)
            model.log(
                ini,
                "exit",
                f"organisation {org} lost confidence ({week.confidence[k]:.2f} below its "
                f"threshold {model.threshold[org]:.2f}) and left gracefully",
                org,
            )
        for i in sorted(touched):
            ini = model.initiatives[i]
            if len(ini.members) < 2:
                model.end(ini, Outcome.GRACEFUL_EXIT, "partners lost confidence and left")
        # exits sent some home: count who is still here
        g = model.org_initiative[orgs]
        still = g >= 0
        n = len(model.initiatives)
        members = np.bincount(g[still], minlength=n)
        ready = np.bincount(g[still & week.coherent], minlength=n)
    else:
        members = teams.size
    cohering = model.ids_in(Stage.COHERING)
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
