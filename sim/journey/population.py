"""The population of organisations: who they are when they enter, and turnover.

Every organisation draws its traits on entering: capabilities (more specialised with
``specialisation``), values, self-interest, risk appetite and commitment (Beta
distributions around the population means), its contribution type (Fischbacher,
Gächter and Fehr's shares), its sector (``n_sectors``, equal shares) and its influence
(log-normal with mean 1). Each week some organisations leave the ecosystem
(``turnover`` a year): a leaver walks out of any initiative it is in, and a newcomer
takes its place with fresh traits, no ties and no history, so the collaboration network
keeps changing instead of filling up.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from sim.journey import platforms
from sim.journey.agents import Organisation, beta_around, draw_contribution_types
from sim.journey.exploring import refold_views, score_features
from sim.journey.initiatives import Initiative
from sim.journey.rules import exit_threshold, kept_share
from sim.journey.stages import Outcome, Stage
from sim.journey.state import JourneyState

WEEKS_PER_YEAR = 52


class Entrants(NamedTuple):
    """Fixed traits of organisations entering the ecosystem, one row (or entry) each."""

    capability: np.ndarray
    values: np.ndarray
    self_interest: np.ndarray
    risk_appetite: np.ndarray
    commitment: np.ndarray
    contribution_type: np.ndarray
    sector: np.ndarray
    influence: np.ndarray


def draw_traits(state: JourneyState, count: int) -> Entrants:
    """Traits of ``count`` organisations entering the ecosystem."""
    p, a, r = state.params, state.assumptions, state.rng
    capability = r.random((count, p.n_capabilities)) ** (
        1.0 + a.specialisation_exponent * p.specialisation
    )
    values = r.random((count, a.n_values))
    concentration = a.trait_concentration
    return Entrants(
        capability,
        values,
        beta_around(r, p.self_interest, count, concentration),
        beta_around(r, p.risk_appetite, count, concentration),
        beta_around(r, p.commitment, count, concentration),
        draw_contribution_types(r, count, p.conditional_share, p.free_rider_share, p.hump_share),
        r.integers(p.n_sectors, size=count),
        r.lognormal(-0.5 * a.influence_sigma**2, a.influence_sigma, count),
    )


def settle_in(state: JourneyState, orgs: np.ndarray, traits: Entrants) -> None:
    """Give organisations ``orgs`` their traits, and what follows from them."""
    p, a = state.params, state.assumptions
    state.capability[orgs] = traits.capability
    state.values[orgs] = traits.values
    state.features[orgs] = score_features(traits.capability, traits.values)
    state.self_interest[orgs] = traits.self_interest
    state.risk_appetite[orgs] = traits.risk_appetite
    state.commitment[orgs] = traits.commitment
    state.contribution_type[orgs] = traits.contribution_type
    state.sector[orgs] = traits.sector
    state.influence[orgs] = traits.influence
    state.threshold[orgs] = exit_threshold(traits.risk_appetite, a)
    # what the week reads for every working organisation: chances of turning up,
    # jockeying and acting in bad faith; its contribution type; what it keeps back; the
    # least it must put in (more only once sanctioned)
    chances, _, kept, floor = state.traits
    chances[0, orgs] = traits.commitment
    chances[1, orgs] = traits.self_interest * p.jockeying_rate
    chances[2, orgs] = traits.self_interest * p.bad_faith_share  # bad faith follows self-interest
    kept[orgs] = kept_share(traits.self_interest, a)
    floor[orgs] = 0.0


def turn_over(state: JourneyState) -> None:
    """Some organisations leave the ecosystem this week; newcomers take their places."""
    p = state.params
    leaving = (state.rng.random(state.n) < p.turnover / WEEKS_PER_YEAR).nonzero()[0]
    if leaving.size == 0:
        return
    listed = _listing(state, leaving)
    for org in leaving.tolist():
        _walk_out(state, org, listed.get(org, ()))
    _forget(state, leaving)
    settle_in(state, leaving, draw_traits(state, leaving.size))
    platforms.admit(state, leaving)
    for org in leaving.tolist():
        state.agents_list[org].remove()
        state.agents_list[org] = Organisation(state, org)


def replace(state: JourneyState, org: int, entrant: Entrants) -> None:
    """``org`` leaves the ecosystem and ``entrant`` (one organisation) takes its place."""
    _walk_out(state, org)
    slot = np.array([org])
    _forget(state, slot)
    settle_in(state, slot, entrant)
    state.agents_list[org].remove()
    state.agents_list[org] = Organisation(state, org)


def blend(state: JourneyState, members: np.ndarray) -> Entrants:
    """An organisation made of ``members`` (an association or joint venture).

    Its capabilities, values, self-interest, risk appetite and commitment are its
    members' means; it contributes as most of them do; it belongs to the sector of its
    most influential member and carries their influence together.
    """
    types = np.bincount(state.contribution_type[members].astype(np.int64))
    return Entrants(
        state.capability[members].mean(axis=0, keepdims=True),
        state.values[members].mean(axis=0, keepdims=True),
        state.self_interest[members].mean(keepdims=True),
        state.risk_appetite[members].mean(keepdims=True),
        state.commitment[members].mean(keepdims=True),
        np.array([int(types.argmax())], dtype=np.int8),
        state.sector[members[[int(state.influence[members].argmax())]]],
        state.influence[members].sum(keepdims=True),
    )


def _listing(state: JourneyState, orgs: np.ndarray) -> dict[int, list[Initiative]]:
    """The initiatives under way that list each of ``orgs``, in id order (as they were made)."""
    # only initiatives not yet moved to ended can list them
    leaving = set(orgs.tolist())
    listed: dict[int, list[Initiative]] = {}
    live = sorted(i for s in Stage if s is not Stage.ENDED for i in state.ids_in(s))
    for i in live:
        ini = state.initiatives[i]
        for org in leaving.intersection(ini.members):
            listed.setdefault(org, []).append(ini)
    return listed


def _walk_out(state: JourneyState, org: int, listed: Iterable[Initiative] | None = None) -> None:
    """``org`` leaves every initiative it belongs to; teams left too small end.

    ``listed`` holds the initiatives that list it (:func:`_listing`), when known.
    """
    if listed is None:
        listed = _listing(state, np.array([org])).get(org, ())
    for ini in [i for i in listed if not i.ended and org in i.members]:
        stage = ini.stage
        if state.org_initiative[org] == ini.id:
            state.leave(ini, org)
        else:  # listed in a coalition while working in a consortium it spawned
            ini.members.remove(org)
        state.log(ini, "exit", f"organisation {org} left the ecosystem", org)
        if ini.ended or stage >= Stage.VALUE_CREATION:
            continue
        if stage is Stage.LATENT_VALUE:
            state.end(ini, Outcome.LAPSED, "the champion left the ecosystem")
        elif stage is Stage.EXPLORING and not ini.members:
            state.end(ini, Outcome.STALLED, "the champion left the ecosystem")
        elif stage is Stage.COHERING and len(ini.members) < 2:
            state.end(ini, Outcome.DRIFTED_APART, "too few partners left to find an intent")
        elif stage in (Stage.ESTABLISHING, Stage.JOURNEYING) and len(ini.members) < 2:
            state.end(ini, Outcome.FAILED, "too few partners left to carry on")


def _forget(state: JourneyState, orgs: np.ndarray) -> None:
    """Wipe what the ecosystem knew of the leavers: ties, trust, history, alliances."""
    state.network.forget(orgs)
    state.trust.forget(orgs)
    refold_views(state)  # teams may have lost members
    state.org_initiative[orgs] = -1
    state.on_platform[orgs] = False
    state.alliance[orgs] = -1
    gone = set(orgs.tolist())
    for alliance in state.alliances.values():
        alliance.members = [m for m in alliance.members if m not in gone]
    state.believe[orgs] = 0.0
    state.disbelieve[orgs] = 0.0
    state.fit[orgs] = 0.0
    state.payoff[orgs] = 0.0
    state.contrib[orgs] = state.assumptions.opening_contribution
    state.glimpse_rate[orgs] = state.params.opportunity_rate
    state.urgency_boost[orgs] = 0.0
    for declined in state.declined.values():
        declined[orgs] = False
