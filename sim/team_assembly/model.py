"""The pure team-assembly model of Guimerà, Uzzi, Spiro and Amaral (Science, 2005).

Only partner selection, nothing of the journey: each tick one team of ``team_size``
agents is assembled; every slot goes to an incumbent with probability p (else to a
brand-new agent), and an incumbent is a prior collaborator of an incumbent already on the
team with probability q. Agents who have not been on a team for ``downtime`` ticks
retire. The paper's headline is a transition in the share of agents in the giant
component of the collaboration network as p grows; :func:`giant_component_share` reports
it. The slot rule is :func:`sim.journey.guimera.guimera_pool`, the same one the journey uses.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from mesa import Agent, Model

from sim.journey.guimera import guimera_pool
from sim.journey.measures import giant_component
from sim.parameters import with_overrides
from sim.team_assembly.parameters import TeamAssemblyParameters


class Member(Agent):
    """An agent that can be put on teams.

    Args:
        model: The team-assembly model.
        born: Tick the agent entered.
    """

    def __init__(self, model: TeamAssemblyModel, born: int) -> None:
        super().__init__(model)
        self.index = len(model.members)
        self.born = born
        self.last_team = born


class TeamAssemblyModel(Model):
    """Guimerà et al.'s team assembly: one team per tick from incumbents and newcomers.

    Args:
        params: Model parameters (defaults if omitted).
        rng: Seed or generator for all randomness.
    """

    def __init__(
        self,
        params: TeamAssemblyParameters | None = None,
        rng: int | np.random.Generator | None = None,
        **overrides: Any,
    ) -> None:
        super().__init__(rng=rng)
        self.params = with_overrides(TeamAssemblyParameters, params, overrides)
        self.tick = 0
        self.members: list[Member] = []
        self.ties: list[set[int]] = []  # prior collaborators of each agent
        self.repeat_ties = 0
        self.tie_count = 0
        self.active = np.zeros(0, dtype=bool)
        self.teams: list[list[int]] = []
        self.slot_kinds = {"repeat": 0, "incumbent": 0, "newcomer": 0}
        self.running = True

    def _newcomer(self) -> int:
        member = Member(self, self.tick)
        self.members.append(member)
        self.ties.append(set())
        self.active = np.append(self.active, True)
        return member.index

    def step(self) -> None:
        """Assemble one team, then retire agents idle for longer than the downtime."""
        self.tick += 1
        p = self.params
        team: list[int] = []
        for _ in range(p.team_size):
            n = len(self.members)
            # the last entry stands for a brand-new agent, always available
            available = np.append(self.active, True)
            available[team] = False
            incumbent = np.append(np.ones(n, dtype=bool), False)
            repeat = np.zeros(n + 1, dtype=bool)
            for t in team:
                if self.members[t].born < self.tick:  # an incumbent on the team
                    repeat[list(self.ties[t])] = True
            pool, kind = guimera_pool(
                self.rng, available, incumbent, repeat, p.incumbent_p, p.repeat_q
            )
            self.slot_kinds[kind] += 1
            choice = int(self.rng.choice(np.flatnonzero(pool)))
            team.append(self._newcomer() if choice == n else choice)
        for a in team:
            for b in team:
                if a < b:
                    if b in self.ties[a]:
                        self.repeat_ties += 1
                    else:
                        self.tie_count += 1
                    self.ties[a].add(b)
                    self.ties[b].add(a)
            self.members[a].last_team = self.tick
        self.teams.append(team)
        last = np.array([m.last_team for m in self.members])
        self.active = last > self.tick - p.downtime
        if self.tick >= p.steps:
            self.running = False

    def adjacency(self) -> np.ndarray:
        """Collaboration network among active agents as a 0/1 matrix."""
        idx = np.flatnonzero(self.active)
        pos = {int(a): k for k, a in enumerate(idx)}
        adj = np.zeros((idx.size, idx.size), dtype=bool)
        for a in idx:
            for b in self.ties[int(a)]:
                if b in pos:
                    adj[pos[int(a)], pos[b]] = True
        return adj


def giant_component_share(model: TeamAssemblyModel) -> float:
    """Share of active agents in the giant component of the collaboration network."""
    return giant_component(model.adjacency())


def repeat_tie_share(model: TeamAssemblyModel) -> float:
    """Share of team pairings that repeated an earlier collaboration."""
    total = model.tie_count + model.repeat_ties
    return float(model.repeat_ties / total) if total else float("nan")


def active_agents(model: TeamAssemblyModel) -> float:
    """Number of agents not yet retired."""
    return float(model.active.sum())


def newcomer_share(model: TeamAssemblyModel) -> float:
    """Share of slots filled by brand-new agents."""
    total = sum(model.slot_kinds.values())
    return model.slot_kinds["newcomer"] / total if total else float("nan")


TEAM_MEASURES = {
    "giant_component_share": giant_component_share,
    "repeat_tie_share": repeat_tie_share,
    "active_agents": active_agents,
    "newcomer_share": newcomer_share,
}
