"""Value creation: an intent achieved, evolved into something else of value, or a graceful exit.

Value is viewed broadly. Delivered value is the opportunity's potential x the share of
the work delivered x the share an outcome keeps (in full when achieved, most when
evolved, a little when the partners part gracefully). Learning is what members gain from
working with partners unlike them, whatever the outcome (a graceful exit keeps it). An
initiative's value is delivered + learning - the set-up cost it paid. Relational value
is credited back: part of what a team delivers goes to the initiatives that first tied
its members. A consortium spawned by a coalition advances the coalition when it
creates value. A week later the team either becomes a lasting alliance or disbands
(:mod:`sim.journey.meta_organisation`).
"""

from __future__ import annotations

import numpy as np

from sim.journey.initiatives import Initiative
from sim.journey.stages import VALUE_OUTCOMES, Outcome, Stage
from sim.journey.state import JourneyState


def value_share(outcome: Outcome, state: JourneyState) -> float:
    """Share of the delivered value an outcome keeps."""
    a = state.assumptions
    return {
        Outcome.ACHIEVED: 1.0,
        Outcome.EVOLVED: a.evolved_value_share,
        Outcome.GRACEFUL_EXIT: a.graceful_value_share,
    }[outcome]


def create_value(
    state: JourneyState, ini: Initiative, outcome: Outcome, reason: str, progress: float
) -> None:
    """End the journey with value: ``progress`` is the share of the work delivered."""
    ini.delivered = float(ini.potential * value_share(outcome, state) * min(progress, 1.0))
    state.move(ini, Stage.VALUE_CREATION, reason, outcome)
    account(state, ini)
    credit_ties(state, ini)
    if ini.parent >= 0 and outcome in VALUE_OUTCOMES:
        # a coalition advances through what its consortia do
        state.table.progress[ini.parent] += state.assumptions.child_progress


def learning(state: JourneyState, ini: Initiative) -> float:
    """Value of what its members learned from partners unlike them, by time together.

    Each member learns ``learning_value`` x its mean capability distance from its
    partners (mean absolute difference per capability) x the share of ``learning_weeks``
    the team worked together, from cohering until now.
    """
    a = state.assumptions
    team = np.asarray(ini.ever_members)
    if team.size < 2 or "cohering" not in ini.entered_first:
        return 0.0
    weeks = state.tick - ini.entered_first["cohering"]
    cap = state.capability[team]
    distance = np.abs(cap[:, None, :] - cap[None, :, :]).mean(axis=2)
    diversity = distance.sum(axis=1) / (team.size - 1)
    return float(a.learning_value * diversity.sum() * min(weeks / a.learning_weeks, 1.0))


def account(state: JourneyState, ini: Initiative) -> None:
    """What an initiative created once its work stops: delivered + learning - set-up cost."""
    ini.learning = learning(state, ini)
    ini.value = ini.delivered + ini.learning - float(state.table.setup_cost[ini.id])


def account_ended(state: JourneyState) -> None:
    """Account for initiatives that ended this week without creating value."""
    for i in state.just_ended:
        ini = state.initiatives[i]
        if "value_creation" not in ini.entered:  # those are accounted when they create it
            account(state, ini)
    state.just_ended.clear()


def credit_ties(state: JourneyState, ini: Initiative) -> None:
    """Credit part of the value delivered to the initiatives that first tied its members.

    ``relational_share`` of it, split evenly over the team's ordered pairs; a pair first
    tied by this initiative itself earns nothing back.
    """
    team = np.asarray(ini.members)
    pairs = team.size * (team.size - 1)
    if pairs == 0 or ini.delivered <= 0.0:
        return
    by = state.network.tied_by_among(team)
    earlier = by[(by >= 0) & (by != ini.id)]
    credit = state.assumptions.relational_share * ini.delivered / pairs
    origins, counts = np.unique(earlier, return_counts=True)
    for origin, count in zip(origins.tolist(), counts.tolist(), strict=True):
        state.initiatives[origin].relational += credit * count
