"""Organisations: the Mesa agents, and how a population of them is drawn.

An :class:`Organisation` is a Mesa agent that carries the organisation's identity. The
state touched every week (capabilities, trust, confidence, contributions) lives in the
model's numpy arrays at the organisation's ``index``, so that a week costs a few
compiled loops over the organisations at work however many there are; the agent reads
its own row. Its behaviour rules are in :mod:`sim.journey.rules`, applied by the stage
modules.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from mesa import Agent

from sim.journey.stages import ContributionType, Stage


class Organisation(Agent):
    """An organisation that can champion, join and leave initiatives.

    Args:
        model: The journey model (:class:`sim.journey.model.JourneyModel`).
        index: Row of this organisation in the model's arrays.
    """

    def __init__(self, model: Any, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def stage(self) -> Stage:
        """Stage of the initiative this organisation works in, or idle."""
        return Stage(int(self.model.org_stages()[self.index]))

    @property
    def initiative(self) -> int:
        """Id of the initiative this organisation works in (-1 when idle)."""
        return int(self.model.org_initiative[self.index])

    @property
    def self_interest(self) -> float:
        """This organisation's self-interest in [0, 1]."""
        return float(self.model.self_interest[self.index])

    @property
    def risk_appetite(self) -> float:
        """This organisation's risk appetite in [0, 1]."""
        return float(self.model.risk_appetite[self.index])

    @property
    def contribution_type(self) -> ContributionType:
        """How this organisation contributes to shared efforts."""
        return ContributionType(int(self.model.contribution_type[self.index]))

    @property
    def capability(self) -> np.ndarray:
        """Capability vector (one value in [0, 1] per dimension)."""
        return self.model.capability[self.index]

    def trust_in(self, other: Organisation) -> float:
        """Mean of this organisation's Beta belief in ``other``."""
        return float(self.model.trust.of(self.index, other.index))


def draw_contribution_types(
    rng: np.random.Generator, n: int, conditional: float, free_rider: float, hump: float
) -> np.ndarray:
    """Contribution types in the given shares; the rest are unconditional cooperators."""
    rest = max(0.0, 1 - conditional - free_rider - hump)
    shares = np.array([conditional, free_rider, hump, rest])
    return rng.choice(4, size=n, p=shares / shares.sum()).astype(np.int8)


def beta_around(rng: np.random.Generator, mean: float, n: int, concentration: float) -> np.ndarray:
    """Individual traits drawn from a Beta distribution with the given mean."""
    a = mean * concentration + 1e-6
    b = (1.0 - mean) * concentration + 1e-6
    return rng.beta(a, b, size=n)
