"""Initiatives: consortia and coalitions, the groups organisations journey in.

An :class:`Initiative` is a statically defined class (so a model pickles for parallel
runs) that holds the group's identity, members and history. Every stage move goes
through :meth:`Initiative.move_to`, which checks it against :data:`sim.journey.stages.TRANSITIONS`
and logs it with its tick and reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.journey.stages import TRANSITIONS, Form, Kind, Outcome, Stage


class IllegalTransitionError(RuntimeError):
    """A stage move that the journey does not allow."""


@dataclass(slots=True)
class Event:
    """One logged happening: a stage move, or an organisation joining or leaving."""

    tick: int
    initiative: int
    kind: str  # "transition", "join", "exit", "spawn"
    from_stage: str
    to_stage: str
    outcome: str
    reason: str
    organisation: int = -1


@dataclass(slots=True)
class Initiative:
    """A consortium or coalition working on one opportunity.

    Attributes:
        id: Index of the initiative in the model's arrays.
        kind: Consortium or coalition.
        champion: Index of the organisation that glimpsed the opportunity.
        requirement: Capability dimensions the opportunity needs (0/1 per dimension).
        potential: Value if the intent is achieved in full.
        members: Indices of member organisations (in joining order).
        parent: Id of the coalition that spawned this consortium, or -1.
    """

    id: int
    kind: Kind
    champion: int
    requirement: np.ndarray
    potential: float
    members: list[int] = field(default_factory=list)
    parent: int = -1
    stage: Stage = Stage.LATENT_VALUE
    entered: dict[str, int] = field(default_factory=dict)
    exited: dict[str, int] = field(default_factory=dict)
    outcome: Outcome | None = None
    reason: str = ""
    value: float = 0.0
    form: Form | None = None
    stuck_in_storming: bool = False
    ever_members: list[int] = field(default_factory=list)
    spawned: list[int] = field(default_factory=list)

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
        allowed = TRANSITIONS[self.stage]
        if stage not in allowed:
            msg = f"{self.name}: {self.stage.label} -> {stage.label} is not a legal move"
            raise IllegalTransitionError(msg)
        if outcome is not None:
            if outcome not in allowed[stage] or self.outcome is not None:
                msg = f"{self.name}: outcome {outcome} cannot end {self.stage.label}"
                raise IllegalTransitionError(msg)
            self.outcome = outcome
            self.reason = reason
        elif allowed[stage] and self.outcome is None:
            msg = f"{self.name}: moving to {stage.label} needs an outcome"
            raise IllegalTransitionError(msg)
        log.append(
            Event(
                tick=tick,
                initiative=self.id,
                kind="transition",
                from_stage=self.stage.name.lower(),
                to_stage=stage.name.lower(),
                outcome=outcome.value if outcome is not None else "",
                reason=reason,
            )
        )
        self.exited[self.stage.name.lower()] = tick
        self.stage = stage
        if stage is not Stage.ENDED:
            self.entered[stage.name.lower()] = tick
