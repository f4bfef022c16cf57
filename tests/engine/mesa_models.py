"""Small Mesa models for the sweep tests (importable by worker processes)."""

from __future__ import annotations

import mesa
import numpy as np


class Walker(mesa.Agent):
    """An agent whose wealth does a biased random walk."""

    def __init__(self, model: WalkModel) -> None:
        super().__init__(model)
        self.wealth = 1.0

    def step(self) -> None:
        self.wealth += self.model.drift + float(self.model.rng.normal(0.0, 1.0))


class WalkModel(mesa.Model):
    """A tiny foreign Mesa model with a DataCollector."""

    def __init__(self, n_agents: int = 10, drift: float = 0.0, rng: int | None = None) -> None:
        super().__init__(rng=rng)
        self.drift = drift
        Walker.create_agents(self, n_agents)
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "mean_wealth": lambda m: float(np.mean([a.wealth for a in m.agents])),
                "max_wealth": "max_wealth",
                "n_steps": self.count_steps,
            }
        )
        self.stop_at: int | None = None

    @property
    def max_wealth(self) -> float:
        """Largest wealth."""
        return max(a.wealth for a in self.agents)

    def count_steps(self) -> int:
        """Steps taken so far."""
        return self.steps

    def step(self) -> None:
        """Move every walker; stop once mean wealth passes 50."""
        self.agents.shuffle_do("step")
        self.datacollector.collect(self)
        if np.mean([a.wealth for a in self.agents]) > 50:
            self.running = False


class PlainWalkModel(mesa.Model):
    """A Mesa model without a DataCollector: outcomes are attributes."""

    def __init__(self, drift: float = 0.0, rng: int | None = None) -> None:
        super().__init__(rng=rng)
        self.drift = drift
        self.position = 0.0

    def step(self) -> None:
        """Take one step."""
        self.position += self.drift + float(self.rng.normal())


class SeedOnlyModel(mesa.Model):
    """A Mesa model that takes its seed as ``seed`` (no ``rng``), parameters as keywords."""

    def __init__(self, drift: float = 0.0, seed: int | None = None) -> None:
        super().__init__(seed=seed)
        self.drift = drift
        self.position = 0.0
        self.datacollector = mesa.DataCollector(model_reporters={"position": "position"})

    def step(self) -> None:
        """Take one step."""
        self.position += self.drift + float(self.rng.normal())


class CountingModel(mesa.Model):
    """Collects at the start and every step: its series is known by heart."""

    def __init__(self, rate: float = 1.0, rng: int | None = None) -> None:
        super().__init__(rng=rng)
        self.rate = rate
        self.total = 0.0
        self.datacollector = mesa.DataCollector(
            model_reporters={"total": "total", "noise": lambda m: float(m.rng.random())}
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        """Add the rate; collect."""
        self.total += self.rate
        self.datacollector.collect(self)
