"""Turning back: a journey that "may not be so linear".

Three moves take an initiative back to an earlier stage, each at most
``max_turn_backs`` times per initiative in all:

- **replace a partner** (cohering or journeying -> exploring): a partner left (lost
  confidence, was expelled, or its organisation left the ecosystem) and took with it at
  least ``replace_coverage_drop`` of the team's coverage of the opportunity's needs; the
  team searches again, with ``replacement_budget_share`` of a search budget, and then
  coheres around the intent with its new member;
- **re-scope** (journeying -> cohering): the team is far behind at its midpoint review
  but trusts itself, or has delivered most at its deadline; it settles on a new, smaller
  intent (``rescope_work_share`` of the work, ``rescope_progress_kept`` of what it did
  still counting) and coheres around it with a new clock. Only an initiative whose
  intent changed like this can end *evolved*;
- **re-find the intent** (establishing -> cohering): when the form is in place, the
  partners' mean confidence in the initiative is below ``realign_confidence``: the form
  talks revealed that the intent is not shared.

Stage modules ask for re-scoping and re-finding (:meth:`JourneyState.want_turn_back`);
partners leaving are noted as they leave. Both are acted on once a week, after the
collaborating stages have settled.
"""

from __future__ import annotations

import numpy as np

from sim.journey import cohering, exploring
from sim.journey.initiatives import Initiative
from sim.journey.stages import Stage
from sim.journey.state import JourneyState

REPLACEABLE = (Stage.COHERING, Stage.JOURNEYING)  # stages a team replaces a partner from


def settle(state: JourneyState) -> None:
    """This week's turn-backs: replacements first, then re-scoping and re-finding."""
    lost, wanted = sorted(state.lost_partner), state.turn_back_wanted
    state.lost_partner = set()
    state.turn_back_wanted = {}
    for i in lost:
        ini = state.initiatives[i]
        if i not in wanted and _needs_replacement(state, ini):
            wanted[i] = (ini.stage, Stage.EXPLORING, "")
    for i in sorted(wanted):
        ini = state.initiatives[i]
        source, target, reason = wanted[i]
        if ini.stage is not source or not state.may_turn_back(ini):
            continue  # ended or moved on meanwhile
        state.table.turn_backs[i] += 1
        if target is Stage.EXPLORING:
            replace_partner(state, ini)
        elif source is Stage.JOURNEYING:
            rescope(state, ini, reason)
        else:
            cohering.start_cohering(state, ini, reason)


def _needs_replacement(state: JourneyState, ini: Initiative) -> bool:
    """A partner left and took enough of the team's coverage with it."""
    if ini.stage not in REPLACEABLE or len(ini.members) < 2 or not state.may_turn_back(ini):
        return False
    now = cohering.coverage(ini.requirement, state.capability[np.asarray(ini.members)])
    return float(state.table.coverage[ini.id]) - now >= state.assumptions.replace_coverage_drop


def replace_partner(state: JourneyState, ini: Initiative) -> None:
    """Back to exploring with part of a search budget, to find who can cover the gap."""
    now = cohering.coverage(ini.requirement, state.capability[np.asarray(ini.members)])
    state.table.coverage[ini.id] = now
    exploring.start_search(
        state,
        ini,
        f"a partner left and coverage fell to {now:.2f}: searching for a replacement",
        state.assumptions.replacement_budget_share,
    )


def rescope(state: JourneyState, ini: Initiative, reason: str) -> None:
    """A new, smaller intent: part of the work done still counts; cohere around it."""
    a, t, i = state.assumptions, state.table, ini.id
    done = float(t.progress[i] * t.work[i])
    t.work[i] *= a.rescope_work_share
    t.progress[i] = min(a.rescope_progress_kept * done / max(float(t.work[i]), 1e-9), 1.0)
    t.intent_changes[i] += 1
    cohering.start_cohering(state, ini, reason)
