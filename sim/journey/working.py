"""A week of working together, for every organisation in a collaborating initiative.

Each working organisation turns up or loses the week to the day job (``commitment``),
intends a contribution by its type and its trust in its partners
(:func:`sim.journey.rules.contribution`), and may jockey for power (self-interest),
sometimes in bad faith. It splits its week between the task and building relationships:
pressure (urgency, and while journeying the work left against the time left) moves time
to the task (:func:`sim.journey.rules.pressure`). Its partners gather the evidence:
reasons to believe from time spent on the relationship, reasons to disbelieve from
jockeying, bad faith and free riding
(:func:`~sim.journey.rules.weekly_gain`, :func:`~sim.journey.rules.weekly_loss`).
Partners then weigh their reasons (:func:`sim.journey.confidence.gather_reasons`)
and journeying teams advance (:func:`sim.journey.journeying.advance`); the three run in
one compiled pass over the week's :class:`~sim.journey.teams.WorkingTeams`. The stages
then act on what the week found: partners who lost confidence leave, cohering teams agree
or drift apart, establishing teams set up, journeying teams move through their phases,
breaks of trust and reviews.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.journey import cohering, confidence, establishing, journeying
from sim.journey.compiled import kernel, njit
from sim.journey.journeying import TeamState
from sim.journey.rules import (
    WorkRules,
    contribution,
    pressure,
    relationship_share,
    turn_up_chance,
    weekly_gain,
    weekly_loss,
)
from sim.journey.stages import Stage
from sim.journey.state import JourneyState
from sim.journey.teams import JOURNEYING, Week, WorkingTeams
from sim.journey.trust import Evidence, beta_mean_compiled


class WorkTraits(NamedTuple):
    """Fixed traits the week reads for every organisation."""

    chances: np.ndarray  # (3, n): turning up, jockeying, bad faith when jockeying
    kind: np.ndarray  # contribution type
    kept: np.ndarray  # share of its contribution self-interest leaves
    floor: np.ndarray  # the least it must put in (0, or more once sanctioned)


@njit(cache=True)
def _behave(
    ev: Evidence,
    teams: WorkingTeams,
    traits: WorkTraits,
    contrib: np.ndarray,
    draws: np.ndarray,
    team_state: TeamState,
    r: WorkRules,
    week: Week,
) -> None:
    """Turning up, contributing, jockeying, and the evidence partners gather."""
    m = teams.orgs.size
    mean_trust, others = week.mean_trust, week.others
    mean_trust[:] = 0.0
    others[:] = 0.0
    week.team_evidence[:] = 0.0
    for k in range(teams.slot.size):
        pos, neg = ev.pos[teams.slot[k]], ev.neg[teams.slot[k]]
        t = beta_mean_compiled(pos, neg, ev.a0, ev.b0)
        week.trust[k] = t
        week.net[k] = pos - neg
        mean_trust[teams.rows[k]] += t
        others[teams.rows[k]] += contrib[teams.partner[k]]
        week.team_evidence[teams.ini[teams.rows[k]]] += pos - neg
    week.team_trust[:] = 0.0
    week.jockeys[:] = 0.0
    week.effort[:] = 0.0
    chances = traits.chances
    for w in range(m):
        mean_trust[w] *= teams.per_partner[w]
        o = teams.orgs[w]
        intended = contribution(
            traits.kind[o], others[w] * teams.per_partner[w], mean_trust[w], traits.kept[o], r
        )
        intended = max(intended, traits.floor[o])
        contrib[o] = intended
        g = teams.ini[w]
        relating = week.relating[g]
        chance = turn_up_chance(
            chances[0, o], team_state.committed[g] > 0.0, team_state.turn_up_boost[g], r
        )
        here = draws[0, w] < chance
        jock = draws[1, w] < chances[1, o]
        bad = jock and draws[2, w] < chances[2, o]
        week.present[w] = here
        week.jockeyed[w] = jock
        week.gain[w] = weekly_gain(intended, here, jock, relating, r)
        week.loss[w] = weekly_loss(intended, here, (jock, bad, team_state.jockey_cost[g]), r)
        week.team_trust[g] += mean_trust[w]
        if jock:
            week.jockeys[g] += 1.0
        if here:
            week.effort[g] += intended * (1.0 - relating)  # the rest builds relationships
    for k in range(teams.slot.size):
        ev.pos[teams.slot[k]] += week.gain[teams.cols[k]]
        ev.neg[teams.slot[k]] += week.loss[teams.cols[k]]
    for g in range(week.team_trust.size):
        week.team_trust[g] *= teams.per_member[g]
        pairs = teams.size[g] * (teams.size[g] - 1.0)
        if pairs > 0.0:
            week.team_evidence[g] /= pairs


@njit(cache=True)
def _split_time(tick: int, team_state: TeamState, r: WorkRules, relating: np.ndarray) -> None:
    """Each initiative's share of the week its partners give to relationships.

    Before journeying a team feels the urgency it was given; while journeying, the
    pressure of the work left against the time left (:func:`sim.journey.rules.pressure`).
    """
    for g in range(relating.size):
        progress, time_left = 0.0, 1.0
        if team_state.stage[g] == JOURNEYING:
            clock = max(team_state.deadline[g] - team_state.journey_start[g], 1.0)
            progress = team_state.progress[g]
            time_left = (team_state.deadline[g] - tick) / clock
        relating[g] = relationship_share(pressure(progress, time_left, r), r)


@kernel
def _work(ev, teams, traits, contrib, draws, reasons, team_state, r, week, tick):
    """The whole week's work in one pass: time, behaviour, reasons, progress.

    Returns:
        Partners who lost confidence, and journeying members near a breach.
    """
    _split_time(tick, team_state, r, week.relating)
    _behave(ev, teams, traits, contrib, draws[0], team_state, r, week)
    n_leaving = confidence.gather_reasons(teams, week, draws[1], reasons, r)
    n_below = 0
    if teams.journeying:
        n_below = journeying.advance(teams, week, week.effort, team_state, r)
    return n_leaving, n_below


def collaborate(state: JourneyState) -> None:
    """One week of working together, then what each collaborating stage makes of it."""
    built = state.working_teams()
    if built is None:
        return
    teams, week = built
    m = teams.orgs.size
    # behaviour this week: turn up (or lose to the day job), contribute, jockey; and
    # whether partners find reasons to believe or disbelieve
    draws = state.rng.random((3, m))
    reasons = state.rng.random((3, m))
    n_leaving, n_below = _work(
        state.trust.evidence_record(), teams, state.traits, state.contrib,
        (draws, reasons), confidence.reason_state(state), journeying.team_state(state),
        state.work_rules, week, state.tick,
    )  # fmt: skip
    if n_leaving:
        confidence.settle_exits(state, teams, week)
    cohering.settle(state, teams, week)
    if state.any_in(Stage.ESTABLISHING):
        establishing.settle(state, week.team_evidence)
    if teams.journeying:
        journeying.settle(state, teams, week, n_below)
