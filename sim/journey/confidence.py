"""Reasons to believe and to disbelieve, tracked over time: confidence and graceful exits.

Every opportunity has a hidden viability that nobody sees. From the moment a team starts
cohering until its collaboration ends, each partner now and then finds a reason: to
believe, with a chance that follows the viability, its values fit with the team, its own
payoff and its trust in its partners (:func:`sim.journey.rules.believe_chance`), or to
disbelieve; seeing another partner jockey for power can give a reason to disbelieve too.
Its confidence is the Beta mean of its reasons (:func:`sim.journey.rules.confidence`).
Once it has enough reasons to judge, a partner whose confidence falls below its threshold
(set by its risk appetite) leaves gracefully, at any stage after exploring; when too few
partners are left the initiative ends with a graceful exit. While cohering, a partner is
convinced when its confidence is clearly above its threshold.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.journey import value_creation
from sim.journey.compiled import njit
from sim.journey.rules import WorkRules, believe_chance, confidence
from sim.journey.stages import Outcome, Stage
from sim.journey.state import JourneyState
from sim.journey.teams import Week, WorkingTeams


class ReasonState(NamedTuple):
    """What partners weigh, and the reasons they have so far."""

    viability: np.ndarray  # per initiative: the opportunity's hidden viability
    fit: np.ndarray  # per organisation: values fit with its team, fixed when cohering starts
    payoff: np.ndarray  # its own payoff, fixed then too
    believe: np.ndarray  # reasons to believe so far
    disbelieve: np.ndarray  # reasons to disbelieve so far
    threshold: np.ndarray  # confidence below which it leaves


def reason_state(state: JourneyState) -> ReasonState:
    """The model's :class:`ReasonState` (views of its arrays)."""
    return ReasonState(
        state.table.viability, state.fit, state.payoff, state.believe, state.disbelieve,
        state.threshold,
    )  # fmt: skip


@njit(cache=True)
def gather_reasons(
    teams: WorkingTeams, week: Week, draws: np.ndarray, state: ReasonState, r: WorkRules
) -> int:
    """Every working partner's reasons this week, its confidence and its judgement.

    Writes each partner's confidence, whether it leaves and whether it is convinced into
    ``week``, and counts the convinced per initiative in ``week.ready``.

    Returns:
        How many partners leave.
    """
    n_leaving = 0
    week.ready[:] = 0.0
    for w in range(teams.orgs.size):
        o = teams.orgs[w]
        g = teams.ini[w]
        b = state.believe[o]
        d = state.disbelieve[o]
        if draws[0, w] < r.evidence_rate:  # a reason about the opportunity
            chance = believe_chance(
                state.viability[g], state.fit[o], state.payoff[o], week.mean_trust[w], r
            )
            if draws[1, w] < chance:
                b += 1.0
            else:
                d += 1.0
        others_jockeyed = week.jockeys[g] > (1.0 if week.jockeyed[w] else 0.0)
        if others_jockeyed and draws[2, w] < r.jockeying_doubt:
            d += 1.0
        state.believe[o] = b
        state.disbelieve[o] = d
        c = confidence(b, d)
        week.confidence[w] = c
        judged = b + d >= r.min_evidence
        week.leaving[w] = judged and c < state.threshold[o]
        week.coherent[w] = judged and c >= state.threshold[o] + r.coherent_margin
        n_leaving += week.leaving[w]
        if week.coherent[w]:
            week.ready[g] += 1.0
    return n_leaving


def settle_exits(state: JourneyState, teams: WorkingTeams, week: Week) -> None:
    """Partners who lost confidence leave; initiatives left with too few end gracefully."""
    touched: set[int] = set()
    for w in week.leaving.nonzero()[0].tolist():
        org = int(teams.orgs[w])
        ini = state.initiatives[int(state.org_initiative[org])]
        if ini.ended:
            continue
        touched.add(ini.id)
        state.leave(ini, org)
        state.log(
            ini,
            "exit",
            f"organisation {org} lost confidence ({week.confidence[w]:.2f} below its "
            f"threshold {state.threshold[org]:.2f}) and left gracefully",
            org,
        )
    for i in sorted(touched):
        ini = state.initiatives[i]
        if len(ini.members) >= 2:
            continue
        if ini.stage is Stage.JOURNEYING:
            value_creation.create_value(
                state,
                ini,
                Outcome.GRACEFUL_EXIT,
                "partners lost confidence and parted with learning intact",
                float(state.table.progress[i]),
            )
        else:
            state.end(ini, Outcome.GRACEFUL_EXIT, "partners lost confidence and left")


def evidence_rows(state: JourneyState) -> list[tuple]:
    """Each working partner's reasons and confidence at this tick, one row per partner."""
    built = state.working_teams()
    if built is None:
        return []
    teams, _ = built
    orgs = teams.orgs
    b, d = state.believe[orgs], state.disbelieve[orgs]
    c = confidence(b, d)
    return list(
        zip(
            [state.tick] * orgs.size, teams.ini.tolist(), orgs.tolist(), b.tolist(),
            d.tolist(), c.tolist(), strict=True,
        )
    )  # fmt: skip


__all__ = ["ReasonState", "evidence_rows", "gather_reasons", "reason_state", "settle_exits"]
