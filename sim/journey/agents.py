"""Organisations: the agents, and the behaviour rules they follow.

An :class:`Organisation` is a Mesa agent that carries the organisation's identity; the
state touched every week (capabilities, trust, confidence, contributions) lives in the
model's numpy arrays at the organisation's ``index``, so a week costs a few vector
operations however many organisations there are. The behaviour rules below work on
those arrays, one rule per function.
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


# --- behaviour rules (vectorised over organisations) -----------------------------

FREE_RIDING = 0.1  # what a free rider puts in, before self-interest holds some back


def draw_contribution_types(
    rng: np.random.Generator, n: int, conditional: float, free_rider: float, hump: float
) -> np.ndarray:
    """Assign contribution types in the given shares; the rest are unconditional."""
    rest = max(0.0, 1 - conditional - free_rider - hump)
    shares = np.array([conditional, free_rider, hump, rest])
    return rng.choice(4, size=n, p=shares / shares.sum()).astype(np.int8)


def beta_around(
    rng: np.random.Generator, mean: float, n: int, concentration: float = 8.0
) -> np.ndarray:
    """Individual traits drawn from a Beta distribution with the given mean."""
    a = mean * concentration + 1e-6
    b = (1.0 - mean) * concentration + 1e-6
    return rng.beta(a, b, size=n)


def type_masks(ctype: np.ndarray) -> np.ndarray:
    """One 0/1 row per contribution type, for fast arithmetic selection."""
    return np.stack([(ctype == t).astype(float) for t in ContributionType])


def contribution(
    masks: np.ndarray, others_mean: np.ndarray, trust: np.ndarray, self_interest: np.ndarray
) -> np.ndarray:
    """The contribution in [0, 1] each organisation intends, given what the others intended.

    Conditional cooperators match the others, more fully the more they trust them (and
    less than fully at low trust, so contributions decay as in public-goods games); free
    riders put in little; hump-shaped contributors match the others up to a half and then
    hold back; unconditional cooperators put in fully. Self-interest holds back up to
    half of it.

    Args:
        masks: Output of :func:`type_masks` (one row per contribution type).
        others_mean: What each organisation's partners intended last week.
        trust: Each organisation's mean trust in its partners.
        self_interest: Each organisation's self-interest.
    """
    return contribution_of(contribution_parts(masks, self_interest), others_mean, trust)


def contribution_parts(
    masks: np.ndarray, self_interest: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """The fixed part of :func:`contribution` for a set of organisations, computed once.

    Returns:
        Whether each is a conditional cooperator, whether it is hump-shaped (``None`` if
        none is), what it puts in if it is neither (1 or :data:`FREE_RIDING`), and the
        share self-interest leaves.
    """
    fixed = masks[ContributionType.UNCONDITIONAL] + FREE_RIDING * masks[ContributionType.FREE_RIDER]
    hump = masks[ContributionType.HUMP] != 0
    return (
        masks[ContributionType.CONDITIONAL] != 0,
        hump if hump.any() else None,
        fixed,
        1.0 - 0.5 * self_interest,
    )


def contribution_of(
    parts: tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray],
    others_mean: np.ndarray,
    trust: np.ndarray,
) -> np.ndarray:
    """:func:`contribution` given its fixed part (:func:`contribution_parts`)."""
    conditional_type, hump_type, fixed, holdback = parts
    x = others_mean
    conditional = x * (0.6 + 0.8 * trust)
    np.minimum(conditional, 1.0, out=conditional)
    if hump_type is not None:
        hump = np.minimum(conditional, 1.0 - x)
        hump *= 1.6
        np.minimum(hump, 1.0, out=hump)
        fixed = np.where(hump_type, hump, fixed)
    base = np.where(conditional_type, conditional, fixed)
    base *= holdback
    return base


def exit_threshold(risk_appetite: np.ndarray) -> np.ndarray:
    """Confidence below which a partner leaves: low risk appetite needs more."""
    return 0.65 - 0.4 * risk_appetite


def leanings(fit: np.ndarray, payoff: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """The fixed part of a cohering partner's weekly chances (see :func:`reason_chances`).

    Returns:
        ``0.6 x (0.3 fit + 0.3 payoff)`` and ``0.6 x (0.3 (1 - fit) + 0.3)``.
    """
    return 0.18 * fit + 0.18 * payoff, 0.36 - 0.18 * fit


def reason_chances(
    leaning: np.ndarray, trust: np.ndarray, seen_jockeying: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weekly chances that a cohering partner finds a reason to believe or to disbelieve.

    A reason to believe comes with chance 0.6 x (0.3 fit + 0.3 payoff + 0.4 trust), one
    to disbelieve with 0.6 x (0.3 (1 - fit) + 0.3 (1 - trust) + 0.4 seen), each clipped
    to [0, 0.6]. Fit, payoff and trust are at most 1 (fit can fall below 0), so only
    the lower bound of the first and the upper bound of the second can bind.

    Args:
        leaning: Output of :func:`leanings` for these partners, shape (2, c).
        trust: Each partner's mean trust in the others.
        seen_jockeying: Whether another partner was seen jockeying for power.
    """
    believe = np.maximum(leaning[0] + 0.24 * trust, 0.0)
    disbelieve = np.minimum(leaning[1] - 0.18 * trust + 0.24 * seen_jockeying, 0.6)
    return believe, disbelieve


def act_probability(urgency: float, risk_appetite: float, boost: float) -> float:
    """Chance that a champion acts on an opportunity it glimpsed."""
    return min(max(0.5 + 0.4 * urgency + 0.4 * (risk_appetite - 0.5) + boost, 0.02), 0.98)


def accept_probability(trust_in_inviter: float, commitment: float) -> float:
    """Chance that an invited organisation joins: it must trust the inviter and have time."""
    return trust_in_inviter**0.5 * (0.4 + 0.6 * commitment)
