"""Value creation: an intent achieved, evolved into something else of value, or a graceful exit.

Value created is the opportunity's potential x the share of the work delivered x the
share an outcome keeps (in full when achieved, most when evolved, a little when the
partners part gracefully with learning and relationships intact). A consortium spawned
by a coalition advances the coalition when it creates value. A week later the team
either becomes a lasting alliance (:mod:`sim.journey.meta_organisation`) or disbands.
"""

from __future__ import annotations

from sim.journey import meta_organisation
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
    ini.value = float(ini.potential * value_share(outcome, state) * min(progress, 1.0))
    state.move(ini, Stage.VALUE_CREATION, reason, outcome)
    if ini.parent >= 0 and outcome in VALUE_OUTCOMES:
        # a coalition advances through what its consortia do
        state.table.progress[ini.parent] += state.assumptions.child_progress


def settle(state: JourneyState) -> None:
    """Teams that created value last week become lasting alliances, or disband."""
    for i in state.ids_in(Stage.VALUE_CREATION):
        ini = state.initiatives[i]
        if ini.entered["value_creation"] == state.tick:
            continue  # value is realised over the week it was created
        team = list(ini.members)
        trust = state.team_trust(team)
        if not meta_organisation.form_alliance(state, ini, team, trust):
            state.end(ini, None, "value realised; the team disbands")
