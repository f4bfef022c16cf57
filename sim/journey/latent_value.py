"""Latent value: someone glimpses an opportunity it cannot realise alone, and acts or not.

Each week every idle organisation may glimpse an opportunity (``opportunity_rate``).
The opportunity needs a few capability dimensions and is worth a log-normal amount
around ``opportunity_value``; how far it can really be realised (its viability) is
hidden from everyone. After deliberating a few weeks the champion acts, with a chance
raised by urgency, risk appetite, the opportunity's worth and what its contacts say
(:mod:`sim.journey.champions`), and starts exploring; if not, the opportunity lapses.
A sector-wide opportunity is taken on by a coalition (:mod:`sim.journey.direction`).
Coalitions that have found their norms spawn consortia that act on part of their
direction, and pass on its quality; lasting alliances convene their members around new opportunities
(:mod:`sim.journey.meta_organisation`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.journey import champions, direction, exploring
from sim.journey.initiatives import Initiative
from sim.journey.stages import LAPSED_REASON, Intent, Kind, Outcome, Phase, Stage
from sim.journey.state import JourneyState

if TYPE_CHECKING:
    from sim.journey.assumptions import JourneyAssumptions


def open_initiative(state: JourneyState, kind: Kind, champion: int, parent: int = -1) -> Initiative:
    """A new initiative at latent value: its needs, its worth and its champion."""
    p, a = state.params, state.assumptions
    r = state.rng
    k = p.n_capabilities
    if parent >= 0:  # a consortium acting on part of its coalition's direction
        base = state.initiatives[parent].requirement
        req = base * (r.random(k) < a.spawned_need_keep)
        if req.sum() == 0:
            req = base.copy()
    else:
        need = min(k, a.needs_min + int(a.needs_spread * r.random()))
        req = np.zeros(k)
        req[r.permutation(k)[:need]] = 1.0
    potential = p.opportunity_value * float(r.lognormal(0.0, a.opportunity_sigma))
    if kind is Kind.COALITION:
        potential *= a.coalition_value_multiple
    shape = a.viability_mean * a.viability_concentration
    viability = float(r.beta(shape, a.viability_concentration - shape))
    ini = state.add_initiative(kind, champion, req, (potential, viability), parent)
    state.table.intent[ini.id] = draw_intent(r.random(), kind, a)
    return ini


def draw_intent(draw: float, kind: Kind, a: JourneyAssumptions) -> Intent:
    """The intent of a new opportunity from a uniform ``draw``: build, set rules or align."""
    coalition = kind is Kind.COALITION
    build = a.coalition_build_share if coalition else a.consortium_build_share
    rules = a.coalition_rules_share if coalition else a.consortium_rules_share
    if draw < build:
        return Intent.BUILD
    return Intent.RULES if draw < build + rules else Intent.ALIGN


def glimpse(state: JourneyState) -> None:
    """Idle organisations glimpse opportunities; each champion starts deliberating."""
    a = state.assumptions
    r = state.rng
    g = state.org_initiative
    for org in (r.random(state.n) < state.glimpse_rate).nonzero()[0].tolist():
        if g[org] >= 0:
            continue  # only idle organisations look out for opportunities
        sector_wide = direction.sector_wide(state, org, r.random())
        kind = Kind.COALITION if sector_wide else Kind.CONSORTIUM
        ini = open_initiative(state, kind, org)
        state.table.due[ini.id] = state.tick + 1 + int(a.deliberation_weeks * r.random())
        state.log(ini, "glimpse", f"organisation {org} glimpses an opportunity", org)


def decide(state: JourneyState) -> None:
    """Champions whose deliberation is over act (start exploring) or let it lapse."""
    due, tick = state.table.due, state.tick
    for i in state.ids_in(Stage.LATENT_VALUE):
        if due[i] > tick:
            continue
        ini = state.initiatives[i]
        c = ini.champion
        chance = champions.act_chance(state, ini)
        if state.rng.random() < chance:
            exploring.start_search(state, ini, f"organisation {c} acts and starts searching")
        else:
            state.end(ini, Outcome.LAPSED, LAPSED_REASON)


def spawn(state: JourneyState) -> None:
    """Coalitions that have found their norms spawn consortia that act on their direction."""
    if not state.coalitions_started:
        return
    direction.make_sense(state)
    a = state.assumptions
    t = state.table
    for i in state.ids_in(Stage.JOURNEYING):
        if not t.coalition[i] or int(t.phase[i]) < Phase.NORMING:
            continue
        if state.rng.random() >= a.spawn_rate:
            continue
        ini = state.initiatives[i]
        working = [m for m in ini.members if state.org_initiative[m] == ini.id]
        if len(working) < a.spawn_min_members:
            continue
        champion = int(state.rng.choice(working))
        child = open_initiative(state, Kind.CONSORTIUM, champion, parent=ini.id)
        direction.inherit(state, child.id, direction.quality(state, ini.id, working))
        ini.spawned.append(child.id)
        state.log(ini, "spawn", f"{ini.name} spawns {child.name}", champion)
        exploring.start_search(state, child, f"spawned by {ini.name}")
