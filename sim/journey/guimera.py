"""The slot rule of team assembly, after Guimerà, Uzzi, Spiro and Amaral (Science, 2005).

A slot is filled by an incumbent (someone who has collaborated before) with probability
p, else by a newcomer; an incumbent is a prior collaborator of someone already on the
team with probability q. This is the rule and nothing else, so the pure team-assembly
model (:mod:`sim.team_assembly`) and the journey's exploring stage share it.
"""

from __future__ import annotations

import numpy as np

POOLS = ("repeat", "incumbent", "newcomer")  # the pools a slot can be filled from


def pool_choice(
    rng: np.random.Generator, repeats: int, incumbents: int, newcomers: int, p: float, q: float
) -> str:
    """Which pool a slot is filled from, given how many candidates each pool holds.

    When the drawn pool is empty the slot falls back to the other kind, so a team can
    always grow while anyone is available.

    Args:
        rng: Random generator.
        repeats: Available prior collaborators of the team (all incumbents).
        incumbents: Available incumbents.
        newcomers: Available newcomers.
        p: Probability of an incumbent.
        q: Probability that an incumbent is a prior collaborator of the team.

    Returns:
        ``"repeat"``, ``"incumbent"`` or ``"newcomer"``.
    """
    if rng.random() < p:
        if rng.random() < q and repeats:
            return "repeat"
        return "incumbent" if incumbents else "newcomer"
    return "newcomer" if newcomers else "incumbent"


def guimera_pool(
    rng: np.random.Generator,
    available: np.ndarray,
    incumbent: np.ndarray,
    repeat: np.ndarray,
    p: float,
    q: float,
) -> tuple[np.ndarray, str]:
    """The candidates a slot is filled from, as a mask, and the pool's name.

    Args:
        rng: Random generator.
        available: Boolean mask of agents that could join.
        incumbent: Boolean mask of agents that have collaborated before.
        repeat: Boolean mask of prior collaborators of the current team.
        p: Probability of an incumbent.
        q: Probability that an incumbent is a prior collaborator of the team.
    """
    incumbents = available & incumbent
    newcomers = available > incumbent  # available and not an incumbent
    repeats = incumbents & repeat
    kind = pool_choice(
        rng,
        int(np.count_nonzero(repeats)),
        int(np.count_nonzero(incumbents)),
        int(np.count_nonzero(newcomers)),
        p,
        q,
    )
    return {"repeat": repeats, "incumbent": incumbents, "newcomer": newcomers}[kind], kind
