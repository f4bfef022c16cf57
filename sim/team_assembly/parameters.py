"""Parameters of the pure team-assembly model (Guimerà, Uzzi, Spiro, Amaral 2005)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from sim.parameters import declare as _p
from sim.parameters import refuse_booleans


class TeamAssemblyParameters(BaseModel):
    """Parameters of the pure team-assembly model (Guimerà, Uzzi, Spiro, Amaral 2005)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_booleans(cls, data: Any) -> Any:
        return refuse_booleans(data)

    steps: int = _p(400, 1, 100_000, "ticks", "Number of teams assembled (one per tick).")
    team_size: int = _p(4, 2, 50, "agents", "Team size m.")
    incumbent_p: float = _p(
        0.6, 0, 1, "probability", "p: probability that a slot goes to an incumbent."
    )
    repeat_q: float = _p(
        0.5,
        0,
        1,
        "probability",
        "q: probability that an incumbent is a prior collaborator of a team member.",
    )
    downtime: int = _p(20, 1, 100_000, "ticks", "An agent inactive for this many ticks retires.")
