"""Establishing: the partnership finds a form that fits and co-designs its governance.

The partnership becomes formal: its members are now collaborators, tied in the network
(:meth:`sim.journey.network.Network.tie`). The form follows the intent where it
can (a joint project builds, a legal consortium sets rules, a collective aligns; a
coalition sets up a collective; a joint project needs a small team that trusts itself,
else contracts stand in for trust), and it has lasting effects while journeying
(:func:`sim.journey.journeying.form_effects`). Set-up takes the form's
weeks scaled by ``governance_overhead``, longer the less the team trusts itself, and
costs part of what the opportunity is worth. It fails when mistrust is too high to agree
governance (partners hold more reasons to disbelieve than to believe in each other) or
the set-up costs more than the opportunity is worth. When the form is in place, a team
whose partners are on the whole unconvinced goes back to cohering (form talks revealed
that the intent is not shared; :mod:`sim.journey.turning_back`); the others start
journeying.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.journey import journeying
from sim.journey.initiatives import Initiative
from sim.journey.rules import confidence
from sim.journey.stages import SUITED_FORM, Form, Kind, Outcome, Stage
from sim.journey.state import JourneyState

if TYPE_CHECKING:
    from sim.journey.assumptions import JourneyAssumptions


def form_weeks(form: Form, a: JourneyAssumptions) -> float:
    """Set-up weeks of a form at full governance overhead."""
    return {
        Form.JOINT_PROJECT: a.joint_project_weeks,
        Form.LEGAL_CONSORTIUM: a.legal_consortium_weeks,
        Form.COLLECTIVE: a.collective_weeks,
    }[form]


def choose_form(ini: Initiative, trust: float, a: JourneyAssumptions) -> Form:
    """The form a team chooses: the one that suits its intent, where it can.

    A coalition sets up a collective. A consortium takes the form its intent suits
    (:data:`~sim.journey.stages.SUITED_FORM`), except that a joint project needs a small
    team that trusts itself: otherwise contracts (a legal consortium) stand in for trust.
    """
    if ini.kind is Kind.COALITION:
        return Form.COLLECTIVE
    suited = SUITED_FORM[ini.intent]
    if suited is not Form.JOINT_PROJECT:
        return suited
    if len(ini.members) <= a.joint_project_max_size and trust >= a.joint_project_trust:
        return Form.JOINT_PROJECT
    return Form.LEGAL_CONSORTIUM


def start_establishing(model: JourneyState, ini: Initiative) -> None:
    """A shared intent is found: choose a form and start setting it up.

    A team that turned back and found its intent again keeps the form it has in place:
    the set-up is short, and costs and commits nothing more.
    """
    p, a = model.params, model.assumptions
    # the partnership is formal now: its members are collaborators (which shortens search
    # paths for everyone)
    _tie(model, ini)
    table = model.table
    if ini.form is not None:
        name = ini.form.value.replace("_", " ")
        model.move(ini, Stage.ESTABLISHING, f"shared intent found again; the {name} stands")
        table.setup_end[ini.id] = model.tick + a.setup_min_weeks
        return
    trust = model.team_trust(ini.members)
    form = choose_form(ini, trust, a)
    ini.form = form
    name = form.value.replace("_", " ")
    model.move(ini, Stage.ESTABLISHING, f"shared intent found; setting up a {name}")
    weeks = form_weeks(form, a)
    setup = weeks * p.governance_overhead * (1.0 + a.setup_mistrust * (1.0 - trust))
    table.setup_end[ini.id] = model.tick + max(a.setup_min_weeks, setup)
    # set-up cost comes out of what the opportunity is worth to the members
    table.setup_cost[ini.id] = p.governance_overhead * weeks / a.setup_cost_weeks
    # the phase shift: partners now commit resources, and are accountable for them
    table.committed[ini.id] = a.commitment_share * ini.potential


def _tie(model: JourneyState, ini: Initiative) -> None:
    """Tie the team in the network; pairs tied before for this initiative count once."""
    before = [m for m in ini.tied if m in ini.members]
    model.network.tie(np.asarray(ini.members), ini.id, np.asarray(before, dtype=np.int64))
    ini.tied = list(ini.members)


def settle(model: JourneyState, team_evidence: np.ndarray) -> None:
    """Establishing teams that fail (mistrust, cost), turn back, or have their form in place."""
    a = model.assumptions
    mistrust, too_dear, ready = [], [], []
    floor = -a.governance_evidence
    table = model.table
    cost, potential, cover = table.setup_cost, table.potential, table.coverage
    setup_end, tick = table.setup_end, model.tick
    for i in model.ids_in(Stage.ESTABLISHING):
        if team_evidence[i] <= floor:
            mistrust.append(i)
        elif cost[i] > potential[i] * cover[i]:
            too_dear.append(i)
        elif setup_end[i] <= tick:
            ready.append(i)
    for i in mistrust:
        model.end(
            model.initiatives[i],
            Outcome.FAILED,
            "mistrust too high to agree governance",
        )
    for i in too_dear:
        model.end(
            model.initiatives[i], Outcome.FAILED, "set-up cost higher than the opportunity is worth"
        )
    for i in ready:
        ini = model.initiatives[i]
        if _misaligned(model, ini) and model.may_turn_back(ini):
            model.want_turn_back(
                ini, Stage.COHERING, "form talks revealed the intent is not shared"
            )
        else:
            journeying.start_journeying(model, ini)


def _misaligned(model: JourneyState, ini: Initiative) -> bool:
    """Whether the partners' mean confidence is below ``realign_confidence``."""
    sure = [confidence(model.believe[m], model.disbelieve[m]) for m in ini.members]
    return float(np.mean(sure)) < model.assumptions.realign_confidence
