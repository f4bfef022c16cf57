"""The money-exchange model of ``cheap_models`` as a Mesa model, for ``mesa.batch_run``.

Same rules and outcome as :func:`cheap_models.wealth`, with Mesa agents, Mesa's random
order of activation and a ``DataCollector`` that collects the Gini coefficient at the end.
"""

from __future__ import annotations

from typing import Any

import mesa
from cheap_models import STEPS, gini
from mesa import DataCollector


class WealthAgent(mesa.Agent):
    """An agent that gives one unit of its money to a random agent each step."""

    def __init__(self, model: WealthModel) -> None:
        super().__init__(model)
        self.wealth = 1

    def exchange(self) -> None:
        """Give one unit to an agent drawn at random, if there is money to give."""
        if self.wealth:
            self.wealth -= 1
            self.model.holders[self.random.randrange(len(self.model.holders))].wealth += 1


class WealthModel(mesa.Model):
    """The money-exchange model with Mesa agents; Gini collected at the end of each step."""

    def __init__(self, n: int = 50, steps: int = STEPS, rng: Any = None) -> None:
        super().__init__(rng=rng)
        self.holders = [WealthAgent(self) for _ in range(int(n))]
        self.steps_to_run = int(steps)
        self.datacollector = DataCollector(model_reporters={"gini": "gini"})

    @property
    def gini(self) -> float:
        """The Gini coefficient of the agents' wealth now."""
        return gini([agent.wealth for agent in self.holders])

    def step(self) -> None:
        """One step: every agent, in random order, exchanges once."""
        self.agents.shuffle_do("exchange")
        self.running = self.steps < self.steps_to_run
        if not self.running:
            self.datacollector.collect(self)
