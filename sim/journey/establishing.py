"""Establishing: the partnership finds a form that fits and co-designs its governance.

The partnership becomes formal: its members are now collaborators, tied in the network
(:func:`sim.journey.network.tie_team`). The form follows kind, size and trust: a
coalition sets up a collective; a small team that trusts itself a joint project;
otherwise a legal consortium (contracts stand in for trust). Set-up takes the form's
weeks scaled by ``governance_overhead``, longer the less the team trusts itself, and
costs part of what the opportunity is worth. It fails when mistrust is too high to agree
governance (partners hold more reasons to disbelieve than to believe in each other) or
the set-up costs more than the opportunity is worth; otherwise the team
starts journeying when the form is in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.journey import journeying
from sim.journey.initiatives import Initiative
from sim.journey.network import tie_team
from sim.journey.stages import Form, Kind, Outcome, Stage
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


def choose_form(kind: Kind, size: int, trust: float, a: JourneyAssumptions) -> Form:
    """The form a team chooses for its kind, size and trust in itself."""
    if kind is Kind.COALITION:
        return Form.COLLECTIVE
    if size <= a.joint_project_max_size and trust >= a.joint_project_trust:
        return Form.JOINT_PROJECT
    return Form.LEGAL_CONSORTIUM  # contracts stand in for trust


def start_establishing(model: JourneyState, ini: Initiative) -> None:
    """A shared intent is found: choose a form and start setting it up."""
    p, a = model.params, model.assumptions
    # the partnership is formal now: its members are collaborators (which shortens search
    # paths for everyone)
    net = model.network
    team = np.asarray(ini.members)
    tie_team(team, net.collab, net.tied, net.degree, net.incumbent, net.distance, net.max_distance)
    net.version += 1
    trust = model.team_trust(ini.members)
    form = choose_form(ini.kind, len(ini.members), trust, a)
    ini.form = form
    name = form.value.replace("_", " ")
    model.move(ini, Stage.ESTABLISHING, f"shared intent found; setting up a {name}")
    weeks = form_weeks(form, a)
    setup = weeks * p.governance_overhead * (1.0 + a.setup_mistrust * (1.0 - trust))
    model.table.setup_end[ini.id] = model.tick + max(a.setup_min_weeks, setup)
    # set-up cost comes out of what the opportunity is worth to the members
    model.table.setup_cost[ini.id] = p.governance_overhead * weeks / a.setup_cost_weeks
    # the phase shift: partners now commit resources, and are accountable for them
    model.table.committed[ini.id] = a.commitment_share * ini.potential


def settle(model: JourneyState, team_evidence: np.ndarray) -> None:
    """Establishing teams that fail (mistrust, cost) or have their form in place."""
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
        journeying.start_journeying(model, model.initiatives[i])
