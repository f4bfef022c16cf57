"""Initiatives: consortia and coalitions, the groups organisations journey in.

An initiative's changing numbers (its stage, clocks, progress, conflict, ...) live in
one typed table, :class:`InitiativeTable`, one row per initiative, so that compiled
kernels can read and write them as arrays. An :class:`Initiative` is the group's
identity and history (members, stage entry and exit ticks, outcome, reason); its stage,
kind and potential are read from its row of the table, so each is kept once.

Both are statically defined classes, so a model pickles for parallel runs. Every stage
move goes through :meth:`Initiative.move_to`, which checks it against
:data:`sim.journey.stages.TRANSITIONS` and logs it with its tick and reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from sim.journey.stages import TRANSITIONS, Form, Intent, Kind, Outcome, Phase, Stage


class IllegalTransitionError(RuntimeError):
    """A stage move that the journey does not allow."""


@dataclass(slots=True)
class Event:
    """One logged happening: a stage move, or an organisation joining or leaving."""

    tick: int
    initiative: int
    kind: str  # "transition", "glimpse", "join", "exit", "phase", "review", "spawn"
    from_stage: str
    to_stage: str
    outcome: str
    reason: str
    organisation: int = -1


class InitiativeTable:
    """Per-initiative state, one row per initiative, as arrays that grow together.

    Columns (all indexed by initiative id):

    - ``stage`` (:class:`~sim.journey.stages.Stage`), ``coalition`` (kind), ``potential``
      (value if achieved in full), ``viability`` (how far the opportunity can really be
      realised; hidden from the partners);
    - exploring: ``due`` (tick of the next search step, or of the decision while the
      champion deliberates), ``budget`` (search effort left, weeks);
    - cohering: ``deadline`` (the clock), ``coverage`` (share of needs the team covers);
    - establishing: ``setup_end`` (tick the form is in place), ``setup_cost``,
      ``committed`` (resources the partners committed at the coherence phase shift);
    - journeying: ``deadline``, ``midway`` (Gersick's midpoint), ``midpoint_done``,
      ``journey_start``, ``phase`` (:class:`~sim.journey.stages.Phase`), ``phase_since``,
      ``conflict`` (unresolved disagreement), ``evidence_at_storming`` (the team's net
      reasons to believe in each other when storming began), ``progress`` (share of the
      work done), ``work`` (weeks of full effort needed), ``rate`` (progress per unit of
      effort);
    - the form's lasting effects, set when journeying starts: ``jockey_cost`` (share of
      the reasons to disbelieve a jockeying move earns), ``turn_up_boost`` (raises the
      chance of turning up), ``breach_scale`` (scales the let-down a breach needs);
    - coalitions: ``legitimacy`` (how representative its members are of the sectors),
      ``direction_weeks`` (weeks spent norming and performing); a spawned consortium:
      ``direction`` (the quality of its coalition's direction when it was spawned);
    - ``intent`` (:class:`~sim.journey.stages.Intent`); ``convened`` (a convener assigned
      the team);
    - turning back: ``turn_backs`` (moves back so far), ``intent_changes`` (times the
      intent was re-scoped).
    """

    FLOATS: ClassVar[tuple[str, ...]] = (
        "potential", "viability", "budget", "deadline", "coverage", "setup_end", "setup_cost",
        "committed", "midway", "conflict", "progress", "work", "rate", "journey_start",
        "evidence_at_storming", "jockey_cost", "turn_up_boost", "breach_scale",
        "legitimacy", "direction_weeks", "direction",
    )  # fmt: skip
    INTS: ClassVar[tuple[str, ...]] = (
        "stage", "due", "phase", "phase_since", "turn_backs", "intent_changes", "intent",
    )  # fmt: skip
    BOOLS: ClassVar[tuple[str, ...]] = ("coalition", "midpoint_done", "convened")
    __slots__ = ("size", *FLOATS, *INTS, *BOOLS)

    def __init__(self, capacity: int = 64) -> None:
        self.size = 0  # rows in use
        for name in self.FLOATS:
            setattr(self, name, np.zeros(capacity))
        for name in self.INTS:
            setattr(self, name, np.zeros(capacity, dtype=np.int64))
        for name in self.BOOLS:
            setattr(self, name, np.zeros(capacity, dtype=bool))

    def __getstate__(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: dict) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    def add(self, kind: Kind, potential: float, viability: float) -> int:
        """Append a row for a new initiative at latent value; returns its id."""
        i = self.size
        if i >= self.stage.size:
            for name in (*self.FLOATS, *self.INTS, *self.BOOLS):
                arr = getattr(self, name)
                setattr(self, name, np.concatenate([arr, np.zeros_like(arr)]))
        self.size += 1
        self.stage[i] = Stage.LATENT_VALUE
        self.coalition[i] = kind is Kind.COALITION
        self.potential[i] = potential
        self.viability[i] = viability
        return i


@dataclass(slots=True)
class Initiative:
    """A consortium or coalition working on one opportunity.

    Attributes:
        id: Row of the initiative in the model's :class:`InitiativeTable`.
        table: That table (stage, kind and potential are read from it).
        champion: Index of the organisation that glimpsed the opportunity.
        requirement: Capability dimensions the opportunity needs (0/1 per dimension).
        members: Indices of member organisations now (in joining order).
        parent: Id of the coalition that spawned this consortium, or -1.
        entered: Tick each stage was last entered, by stage name.
        exited: Tick each stage was last left, by stage name.
        entered_first: Tick each stage was first entered (the journey can turn back).
        outcome: How it ended (``None`` while under way).
        outcome_tick: Tick the outcome was decided (-1 while under way).
        reason: Why it ended.
        value: Value created: delivered + learning - the set-up cost it paid (the
            relational value credited to it later is kept apart, in ``relational``, so
            that a run's total counts delivered value once).
        delivered: Value delivered by its work.
        learning: Value of the capabilities its members gained from working together.
        relational: Value later created by ties it formed, credited back to it.
        form: The form chosen while establishing.
        stuck_in_storming: Whether it failed still storming at its deadline.
        ever_members: Every organisation that was ever a member.
        tied: Members tied in the network when it was last established.
        spawned: Consortia this coalition spawned.
        spawned_by: The coalition that spawned it (kept when that coalition ends), or -1.
        repeat_team: Whether two of its partners had worked together before, when it
            started cohering.
        convened_by: The lasting alliance that convened it, or -1.
    """

    id: int
    table: InitiativeTable = field(repr=False, compare=False)
    champion: int
    requirement: np.ndarray
    members: list[int] = field(default_factory=list)
    parent: int = -1
    entered: dict[str, int] = field(default_factory=dict)
    exited: dict[str, int] = field(default_factory=dict)
    entered_first: dict[str, int] = field(default_factory=dict)
    outcome: Outcome | None = None
    outcome_tick: int = -1
    reason: str = ""
    value: float = 0.0
    delivered: float = 0.0
    learning: float = 0.0
    relational: float = 0.0
    form: Form | None = None
    stuck_in_storming: bool = False
    ever_members: list[int] = field(default_factory=list)
    tied: list[int] = field(default_factory=list)
    spawned: list[int] = field(default_factory=list)
    spawned_by: int = -1
    repeat_team: bool = False
    convened_by: int = -1

    @property
    def stage(self) -> Stage:
        """The stage the initiative is in."""
        return Stage(int(self.table.stage[self.id]))

    @property
    def kind(self) -> Kind:
        """Consortium or coalition."""
        return Kind.COALITION if self.table.coalition[self.id] else Kind.CONSORTIUM

    @property
    def potential(self) -> float:
        """Value if the intent is achieved in full."""
        return float(self.table.potential[self.id])

    @property
    def intent_changes(self) -> int:
        """Times the partners re-scoped the intent (an evolved outcome needs one)."""
        return int(self.table.intent_changes[self.id])

    @property
    def intent(self) -> Intent:
        """What it sets out to do."""
        return Intent(int(self.table.intent[self.id]))

    @property
    def turn_backs(self) -> int:
        """Times the journey turned back to an earlier stage."""
        return int(self.table.turn_backs[self.id])

    @property
    def viability(self) -> float:
        """How far the opportunity can really be realised (hidden from the partners)."""
        return float(self.table.viability[self.id])

    @property
    def phase(self) -> Phase:
        """Tuckman phase (meaningful while journeying)."""
        return Phase(int(self.table.phase[self.id]))

    @property
    def name(self) -> str:
        """Display name, e.g. ``"Consortium 4"``."""
        return f"{self.kind.value.capitalize()} {self.id}"

    @property
    def started(self) -> bool:
        """Whether a champion acted on the opportunity (it reached exploring)."""
        return "exploring" in self.entered

    @property
    def ended(self) -> bool:
        """Whether the initiative has an outcome."""
        return self.outcome is not None

    def move_to(
        self,
        stage: Stage,
        tick: int,
        reason: str,
        log: list[Event],
        outcome: Outcome | None = None,
    ) -> None:
        """Move to ``stage`` at ``tick``, checking the move and logging it.

        Raises:
            IllegalTransitionError: if the journey does not allow the move, or the
                outcome given does not fit it.
        """
        current = self.stage
        allowed = TRANSITIONS[current]
        if stage not in allowed:
            msg = f"{self.name}: {current.label} -> {stage.label} is not a legal move"
            raise IllegalTransitionError(msg)
        if outcome is not None:
            if outcome not in allowed[stage] or self.outcome is not None:
                msg = f"{self.name}: outcome {outcome} cannot end {current.label}"
                raise IllegalTransitionError(msg)
            self.outcome = outcome
            self.outcome_tick = tick
            self.reason = reason
        elif allowed[stage] and self.outcome is None:
            msg = f"{self.name}: moving to {stage.label} needs an outcome"
            raise IllegalTransitionError(msg)
        source = current.name.lower()
        log.append(
            Event(
                tick=tick,
                initiative=self.id,
                kind="transition",
                from_stage=source,
                to_stage=stage.name.lower(),
                outcome=outcome.value if outcome is not None else "",
                reason=reason,
            )
        )
        self.exited[source] = tick
        self.table.stage[self.id] = stage
        if stage is not Stage.ENDED:
            name = stage.name.lower()
            self.entered[name] = tick
            self.entered_first.setdefault(name, tick)
