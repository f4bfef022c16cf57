"""The journey's state and its bookkeeping: what every stage module reads and changes.

:class:`JourneyState` holds the organisations' traits and state (numpy arrays, one row
per organisation), the initiatives (their :class:`~sim.journey.initiatives.InitiativeTable`
and :class:`~sim.journey.initiatives.Initiative` records), the trust ledger, the network
and the event log, and the few operations every stage needs: move an initiative to a
stage, end it, let an organisation join or leave, log an event, read a team's trust.
:class:`sim.journey.model.JourneyModel` is a Mesa model with this state; the stage
modules are functions of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.journey.initiatives import Event, Initiative, InitiativeTable
from sim.journey.stages import Kind, Outcome, Stage
from sim.journey.teams import COLLABORATING, TeamBuffers, Week, WorkingTeams, build_teams

if TYPE_CHECKING:
    from sim.journey.assumptions import JourneyAssumptions
    from sim.journey.network import Network
    from sim.journey.parameters import JourneyParameters
    from sim.journey.rules import PhaseRules, WorkRules
    from sim.journey.trust import TrustLedger

STAGE_NAMES = {s: s.name.lower() for s in Stage}  # as logged in events


class JourneyState:
    """Organisations, initiatives, trust and network of one journey run.

    Attributes set by the model at start-up (see :class:`sim.journey.model.JourneyModel`):
    ``params``, ``assumptions``, ``rng``, ``tick``, ``n``; per organisation
    ``capability``, ``values``, ``features``, ``self_interest``, ``risk_appetite``,
    ``commitment``, ``contribution_type``, ``threshold``, ``traits`` (what the weekly
    kernel reads), ``org_initiative`` (the initiative it works in, -1 when idle),
    ``alliance`` (its lasting alliance, -1 if none), ``believe`` / ``disbelieve`` (its
    reasons about the initiative it coheres in), ``fit``, ``payoff``, ``contrib`` (what it
    put in last week), ``glimpse_rate`` and ``urgency_boost`` (raised by a shock),
    ``on_platform`` (on an open-innovation
    platform); ``trust`` (a
    :class:`~sim.journey.trust.TrustLedger`), ``network``, ``table``, ``initiatives``,
    ``events``, ``work_rules``, ``phase_rules`` and ``alliances`` (the living
    :class:`~sim.journey.meta_organisation.Alliance` records by id).
    """

    params: JourneyParameters
    assumptions: JourneyAssumptions
    rng: np.random.Generator
    tick: int
    n: int
    trust: TrustLedger
    network: Network
    work_rules: WorkRules
    phase_rules: PhaseRules

    def init_bookkeeping(self) -> None:
        """Empty initiatives, log, caches and scratch space (called once at start-up)."""
        n = self.n
        self.table = InitiativeTable()
        self.initiatives: list[Initiative] = []
        self.events: list[Event] = []
        self.coalitions_started = 0
        self.alliances: dict[int, Any] = {}  # living alliances by id (meta_organisation)
        self.shock_ends = -1  # tick the last shock wears off (sim.journey.triggers)
        self.declined: dict[int, np.ndarray] = {}  # who turned an exploring team down
        self.pools = np.zeros((3, n), dtype=np.int64)  # scratch: whom a search step may invite
        self.search_cache: dict[int, Any] = {}  # exploring teams' TeamViews
        self.journey_checks = np.empty((3, 0), dtype=np.int64)  # journeying checks' room
        self.team_buffers = TeamBuffers(
            np.zeros(n, dtype=bool), np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64),
            np.empty(n), np.empty((4, 4 * n), dtype=np.int64), np.empty(4 * n, dtype=bool),
        )  # fmt: skip
        self._teams: tuple[WorkingTeams, Week] | None = None
        self._teams_stale = True
        # which initiatives are in each stage: an index over table.stage, kept by move()
        self._in_stage: dict[Stage, set[int]] = {s: set() for s in Stage}
        # what the journey's turn-backs act on this week (sim.journey.turning_back)
        self.lost_partner: set[int] = set()  # initiatives a partner left
        self.just_ended: list[int] = []  # initiatives ended this week (for their accounts)
        self.turn_back_wanted: dict[int, tuple[Stage, Stage, str]] = {}  # from, to, reason

    # --- reading -------------------------------------------------------------------
    @property
    def informal(self) -> np.ndarray:
        """Informal ties between organisations (0/1)."""
        return self.network.informal

    @property
    def collab(self) -> np.ndarray:
        """Prior collaborations per pair."""
        return self.network.collab

    def org_stages(self) -> np.ndarray:
        """Stage of every organisation (its initiative's stage, idle, or alliance)."""
        g = self.org_initiative
        st = np.where(g >= 0, self.table.stage[np.maximum(g, 0)], Stage.IDLE)
        return np.where((st == Stage.IDLE) & (self.alliance >= 0), Stage.META_ORGANISATION, st)

    def ids_in(self, stage: Stage) -> list[int]:
        """Ids of the initiatives now in ``stage``, ascending."""
        return sorted(self._in_stage[stage])

    def any_in(self, stage: Stage) -> bool:
        """Whether any initiative is in ``stage``."""
        return bool(self._in_stage[stage])

    def team_trust(self, members: list[int]) -> float:
        """Mean trust between the members of a team (both directions)."""
        if len(members) < 2:
            return 1.0
        team = np.asarray(members)
        t = self.trust.of_pairs(team[:, None] * self.n + team)
        m = len(members)
        return float((t.sum() - t.trace()) / (m * (m - 1)))

    def working_teams(self) -> tuple[WorkingTeams, Week] | None:
        """Who works with whom (``None`` when nobody does), rebuilt when stale."""
        if self._teams_stale:
            built = build_teams(
                self.org_initiative, self.table.stage, len(self.initiatives), self.team_buffers,
                self.trust,
            )  # fmt: skip
            if built is None:
                self._teams = None
            else:
                teams, week, self.team_buffers = built
                self._teams = teams, week
            self._teams_stale = False
        return self._teams

    # --- changing ----------------------------------------------------------------------
    def add_initiative(
        self,
        kind: Kind,
        champion: int,
        requirement: np.ndarray,
        worth: tuple[float, float],
        parent: int,
    ) -> Initiative:
        """Record a new initiative at latent value, with its champion as first member.

        ``worth`` is the opportunity's potential and its hidden viability.
        """
        i = self.table.add(kind, *worth)
        ini = Initiative(i, self.table, champion, requirement, parent=parent, spawned_by=parent)
        ini.entered["latent_value"] = ini.entered_first["latent_value"] = self.tick
        self.initiatives.append(ini)
        self._in_stage[Stage.LATENT_VALUE].add(i)
        self.coalitions_started += kind is Kind.COALITION
        self.join(ini, champion)
        return ini

    def join(self, ini: Initiative, org: int) -> None:
        """``org`` joins ``ini`` (leaving the coalition it worked in, if any).

        Its reasons to believe and disbelieve start afresh: they are about this initiative.
        """
        ini.members.append(org)
        self.believe[org] = self.disbelieve[org] = 0.0
        if org not in ini.ever_members:
            ini.ever_members.append(org)
        if self.org_initiative[org] >= 0:  # leaves a working coalition for a consortium
            self._teams_stale = True
        self.org_initiative[org] = ini.id

    def leave(self, ini: Initiative, org: int) -> None:
        """``org`` leaves ``ini``; if it was the champion, another takes over."""
        ini.members.remove(org)
        self.release(ini, org)
        self.lost_partner.add(ini.id)
        if org == ini.champion and ini.members:
            self._succeed(ini)

    def _succeed(self, ini: Initiative) -> None:
        """The most committed member takes over from the champion; the others doubt."""
        a = self.assumptions
        team = np.asarray(ini.members)
        ini.champion = int(team[np.argmax(self.commitment[team])])
        self.disbelieve[team] += a.champion_loss_doubt
        if ini.stage is Stage.JOURNEYING:
            self.table.conflict[ini.id] += a.champion_loss_conflict
        self.log(ini, "champion", f"organisation {ini.champion} takes over as champion")

    def release(self, ini: Initiative, org: int) -> None:
        """Send an organisation back to its coalition (if that is working) or to idle."""
        if self.team_buffers.working[org]:
            self._teams_stale = True
        self.traits.floor[org] = 0.0  # a sanction ends with the collaboration
        home = -1
        if ini.parent >= 0 and org in self.initiatives[ini.parent].members:
            parent = self.initiatives[ini.parent]
            if not parent.ended:
                home = parent.id
        self.org_initiative[org] = home

    def move(
        self, ini: Initiative, stage: Stage, reason: str, outcome: Outcome | None = None
    ) -> None:
        """Move ``ini`` to ``stage`` (checked against the legal moves, and logged)."""
        source = ini.stage
        if source in COLLABORATING or stage in COLLABORATING:
            self._teams_stale = True
        self._in_stage[source].discard(ini.id)
        ini.move_to(stage, self.tick, reason, self.events, outcome)
        self._in_stage[stage].add(ini.id)

    def end(self, ini: Initiative, outcome: Outcome | None, reason: str) -> None:
        """End an initiative (with an outcome unless it already has one)."""
        self.move(ini, Stage.ENDED, reason, outcome)
        self.just_ended.append(ini.id)
        self.search_cache.pop(ini.id, None)
        self.declined.pop(ini.id, None)
        for org in list(ini.members):
            if self.org_initiative[org] == ini.id:
                self.release(ini, org)
        for child in ini.spawned:  # a coalition that ends leaves its consortia to act
            self.initiatives[child].parent = -1

    def may_turn_back(self, ini: Initiative) -> bool:
        """Whether ``ini`` has turn-backs left (``max_turn_backs``)."""
        return ini.turn_backs < self.assumptions.max_turn_backs

    def want_turn_back(self, ini: Initiative, stage: Stage, reason: str) -> None:
        """Ask for ``ini`` to go back to ``stage`` at the end of the week (if still due)."""
        self.turn_back_wanted[ini.id] = (ini.stage, stage, reason)

    def log(self, ini: Initiative, kind: str, reason: str, org: int = -1) -> None:
        """Log an event of ``ini`` that is not a stage move."""
        stage = STAGE_NAMES[ini.stage]
        self.events.append(Event(self.tick, ini.id, kind, stage, stage, "", reason, org))
