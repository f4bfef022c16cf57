"""Meta-organisation: alliances that live, convene, fade, dissolve or become organisations.

A team that created value and trusts itself (``alliance_trust``) becomes a lasting
alliance: an :class:`Alliance` with its members, whose ties strengthen
(``alliance_tie_base``). Each week a living alliance

- **convenes** its members around a new opportunity with chance ``flywheel`` x
  ``convene_rate`` when it has nothing under way: an idle member champions it, and idle
  members join it as far as they trust that champion (the rest is found by search);
- is **renewed** when an initiative it convened has created value;
- **fades** while it has nothing under way: ``alliance_decay`` of the reasons to believe
  between its members fades each week;
- **dissolves** when its members' mean trust falls below ``dissolve_trust`` or fewer than
  two are left;
- may **become an organisation** of its own (an association or joint venture) once
  renewed ``reproduction_renewals`` times with trust above ``reproduction_trust``
  (chance ``reproduction_rate`` a week): a new organisation with its members' blended
  capabilities and traits and ties to every member takes the place of an idle one that
  leaves.

The flywheel is what these yield: later initiatives among partners who trust each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.journey import exploring, latent_value, population
from sim.journey.initiatives import Initiative
from sim.journey.pairs import within
from sim.journey.rules import accept_probability
from sim.journey.stages import VALUE_OUTCOMES, Kind, Stage
from sim.journey.state import JourneyState
from sim.journey.trust import beta_mean


@dataclass(slots=True)
class Alliance:
    """A lasting alliance.

    Attributes:
        id: The initiative that became it.
        members: Its member organisations.
        renewals: Initiatives it convened that created value.
        busy: The initiative it convened that is under way, or -1.
        held: The members whose pairs of trust evidence ``slots`` holds.
        slots: Where the evidence of every ordered pair of members is kept.
    """

    id: int
    members: list[int]
    renewals: int = 0
    busy: int = -1
    held: tuple[int, ...] = ()  # the members whose pairs ``slots`` holds
    slots: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))


def form_alliance(state: JourneyState, ini: Initiative, team: list[int], trust: float) -> bool:
    """Make ``ini`` a lasting alliance if it created value and trusts itself enough.

    Returns:
        Whether it became one.
    """
    p, a = state.params, state.assumptions
    if not (ini.outcome in VALUE_OUTCOMES and trust >= p.alliance_trust and len(team) >= 2):
        return False
    reason = f"a lasting alliance forms (team trust {trust:.2f})"
    state.move(ini, Stage.META_ORGANISATION, reason)
    arr = np.asarray(team)
    bonus = p.tie_trust * a.alliance_tie_base
    state.trust.believe_within(arr, bonus)  # trust deepens, ties strengthen
    state.alliance[arr] = ini.id
    state.alliances[ini.id] = Alliance(ini.id, list(team))
    for org in team:
        if state.org_initiative[org] == ini.id:
            state.release(ini, org)
    return True


def settle(state: JourneyState) -> None:
    """Teams that created value last week become lasting alliances, or disband."""
    for i in state.ids_in(Stage.VALUE_CREATION):
        ini = state.initiatives[i]
        if ini.entered["value_creation"] == state.tick:
            continue  # value is realised over the week it was created
        team = list(ini.members)
        trust = state.team_trust(team)
        if not form_alliance(state, ini, team, trust):
            state.end(ini, None, "value realised; the team disbands")


def _pair_slots(state: JourneyState, alliance: Alliance) -> np.ndarray:
    """Slots of the trust evidence between the members (kept while they stay the same)."""
    members = tuple(alliance.members)
    if alliance.held != members:
        alliance.slots = state.trust.slots(*within(list(members)))
        alliance.held = members
    return alliance.slots


def mean_trust(state: JourneyState, alliance: Alliance) -> float:
    """Mean trust between an alliance's members."""
    if len(alliance.members) < 2:
        return 1.0
    trust = state.trust
    slots = _pair_slots(state, alliance)
    return float(beta_mean(trust.pos[slots], trust.neg[slots], trust.a0, trust.b0).mean())


def live(state: JourneyState) -> None:
    """Every living alliance convenes, fades, dissolves or becomes an organisation."""
    for i in sorted(state.alliances):
        alliance = state.alliances[i]
        if alliance.busy >= 0 and state.initiatives[alliance.busy].ended:
            convened = state.initiatives[alliance.busy]
            if convened.outcome in VALUE_OUTCOMES:  # what it convened created value
                alliance.renewals += 1
                state.log(convened, "renewal", f"{convened.name} renews alliance {i}")
            alliance.busy = -1
        trust = mean_trust(state, alliance)
        if len(alliance.members) < 2 or trust < state.assumptions.dissolve_trust:
            reason = f"alliance {i} dissolves (trust {trust:.2f})"
            state.log(state.initiatives[i], "dissolve", reason)
            end(state, alliance, reason)
        elif _ready_to_reproduce(state, alliance, trust):
            reproduce(state, alliance)
        elif alliance.busy < 0:
            _fade(state, alliance)
            _convene(state, alliance)


def _ready_to_reproduce(state: JourneyState, alliance: Alliance, trust: float) -> bool:
    a = state.assumptions
    if alliance.renewals < a.reproduction_renewals or trust < a.reproduction_trust:
        return False
    return bool(state.rng.random() < a.reproduction_rate)


def _fade(state: JourneyState, alliance: Alliance) -> None:
    """Trust between the members fades while the alliance has nothing under way."""
    members = alliance.members
    if len(members) >= 2:
        state.trust.pos[_pair_slots(state, alliance)] *= 1.0 - state.assumptions.alliance_decay


def _convene(state: JourneyState, alliance: Alliance) -> None:
    """With chance flywheel x convene_rate, the alliance champions a new initiative."""
    p, a = state.params, state.assumptions
    r = state.rng
    if r.random() >= p.flywheel * a.convene_rate:
        return
    idle = [m for m in alliance.members if state.org_initiative[m] < 0]
    if len(idle) < 2 or state.tick > p.steps:  # after the horizon, only endings
        return
    champion = int(r.choice(idle))
    ini = latent_value.open_initiative(state, Kind.CONSORTIUM, champion)
    ini.convened_by = alliance.id
    alliance.busy = ini.id
    state.log(ini, "convene", f"alliance {alliance.id} convenes {ini.name}", champion)
    target = min(p.consortium_size, state.n)
    for org in idle:
        if org == champion or len(ini.members) >= target:
            continue
        trust = float(state.trust.of(org, champion))
        if r.random() < accept_probability(trust, float(state.commitment[org]), a):
            state.join(ini, org)
            state.log(ini, "join", f"organisation {org} joins {ini.name} from its alliance", org)
    exploring.start_search(state, ini, f"alliance {alliance.id} acts on it")


def end(state: JourneyState, alliance: Alliance, reason: str) -> None:
    """The alliance ends: its members are no longer allied through it."""
    ini = state.initiatives[alliance.id]
    state.move(ini, Stage.ENDED, reason)
    members = np.asarray(alliance.members, dtype=np.int64)
    if members.size:
        mine = members[state.alliance[members] == alliance.id]
        state.alliance[mine] = -1
    del state.alliances[alliance.id]


def reproduce(state: JourneyState, alliance: Alliance) -> None:
    """The alliance becomes an organisation, in the place of an idle one that leaves."""
    allied = np.zeros(state.n, dtype=bool)
    for other in state.alliances.values():
        allied[other.members] = True
    free = ((state.org_initiative < 0) & ~allied).nonzero()[0]
    if free.size == 0:
        return
    slot = int(state.rng.choice(free))
    members = np.asarray(alliance.members)
    population.replace(state, slot, population.blend(state, members))
    state.network.tie_informally(slot, members)
    strength = state.params.tie_trust
    state.trust.believe_pairs(np.full(members.size, slot), members, strength)
    state.trust.believe_pairs(members, np.full(members.size, slot), strength)
    ini = state.initiatives[alliance.id]
    state.log(ini, "reproduce", f"alliance {alliance.id} becomes organisation {slot}", slot)
    end(state, alliance, f"alliance {alliance.id} becomes organisation {slot}")
