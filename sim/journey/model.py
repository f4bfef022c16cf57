"""The journey model: organisations forming, working in and leaving initiatives.

One tick is one week. :meth:`JourneyModel.step` is the table of contents; each stage of
the journey lives in a module of its own:

1. :mod:`~sim.journey.latent_value`: idle organisations glimpse opportunities, and
   champions act on them or let them lapse;
2. :mod:`~sim.journey.exploring`: champions search for partners (Guimerà et al.'s slot
   rule, :mod:`~sim.journey.guimera`; snowballing; capability against chemistry);
3. :mod:`~sim.journey.working`: everyone in a cohering, establishing or journeying
   initiative works for the week and its partners gather evidence (Beta trust,
   :mod:`~sim.journey.trust`); then
   :mod:`~sim.journey.cohering` (reasons to believe and disbelieve, graceful exits,
   drifting apart), :mod:`~sim.journey.establishing` (form and governance) and
   :mod:`~sim.journey.journeying` (Tuckman's phases, breaches, Gersick's midpoint, the
   deadline) act on it; :mod:`~sim.journey.turning_back` then takes teams back a
   stage where they asked to (re-scope, re-find the intent) or lost a partner they need;
4. coalitions that have found their norms spawn consortia (latent value again);
5. :mod:`~sim.journey.value_creation` and :mod:`~sim.journey.meta_organisation`: teams
   that created value become lasting alliances or disband; alliances convene their
   members again (the flywheel), fade, dissolve or become organisations.

The rules every stage applies are in :mod:`~sim.journey.rules`, their constants in
:mod:`~sim.journey.assumptions`, the state they share in :mod:`~sim.journey.state`.
The model does no I/O and no plotting: :mod:`sim.io.records` turns it into tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from mesa import DataCollector, Model

from sim.journey import (
    exploring,
    latent_value,
    measures,
    meta_organisation,
    platforms,
    population,
    triggers,
    turning_back,
    value_creation,
    working,
)
from sim.journey.agents import Organisation
from sim.journey.assumptions import JourneyAssumptions, split_settings
from sim.journey.network import build_network
from sim.journey.parameters import JourneyParameters
from sim.journey.rules import phase_rules, work_rules
from sim.journey.state import JourneyState
from sim.journey.trust import TrustLedger
from sim.parameters import with_overrides


class JourneyModel(JourneyState, Model):
    """Organisations journeying through consortia and coalitions.

    Args:
        params: Model parameters (defaults if omitted).
        rng: Seed or generator for all randomness.
        assumptions: The mechanisms' constants (defaults if omitted).
        reporters: Model reporters for the model's ``DataCollector`` (default: every run
            measure of :mod:`sim.journey.measures`).
        collect_every: Collect the reporters every this many weeks (and at the start);
            0 collects once, when the run ends (what ``mesa.batch_run`` reads).
        **overrides: Parameter or assumption values by name (as ``mesa.batch_run`` and
            the app pass them), validated like a scenario's.
    """

    def __init__(
        self,
        params: JourneyParameters | None = None,
        rng: int | np.random.Generator | None = None,
        *,
        assumptions: JourneyAssumptions | None = None,
        reporters: dict[str, Callable[[Any], Any]] | None = None,
        collect_every: int = 0,
        **overrides: Any,
    ) -> None:
        super().__init__(rng=rng)
        changed, assumed = split_settings(overrides)
        self.params = p = with_overrides(JourneyParameters, params, changed)
        self.assumptions = a = with_overrides(JourneyAssumptions, assumptions, assumed)
        self.tick = 0
        self.n = n = p.n_organisations
        self._set_up_organisations()
        self.network = build_network(self.rng, p, a)
        self.trust = TrustLedger(n, p.trust, p.trust_prior_weight)
        ties, partners, _ = self.network.pairs_where("informal", 1.0)
        self.trust.believe_pairs(ties, partners, p.tie_trust * p.network_strength)
        platforms.set_up(self)
        self.work_rules = work_rules(p, a)
        self.phase_rules = phase_rules(a)
        self.init_bookkeeping()
        self.collect_every = collect_every
        self.datacollector = DataCollector(
            model_reporters=reporters if reporters is not None else measures.reporters()
        )
        if collect_every:
            self.datacollector.collect(self)
        self.running = True

    def _finished(self) -> bool:
        """At the horizon; or, with ``completion_weeks``, when every started one has ended."""
        p = self.params
        if self.tick < p.steps:
            return False
        if self.tick >= p.steps + p.completion_weeks:
            return True
        return not any(i.started and not i.ended for i in self.initiatives)

    def _set_up_organisations(self) -> None:
        """Draw every organisation's traits and give it a Mesa agent."""
        p, a = self.params, self.assumptions
        n = self.n
        self.capability = np.zeros((n, p.n_capabilities))
        self.values = np.zeros((n, a.n_values))
        self.features = np.zeros((n, p.n_capabilities + 2 * a.n_values))
        self.self_interest, self.risk_appetite, self.commitment, self.threshold = np.zeros((4, n))
        self.contribution_type = np.zeros(n, dtype=np.int8)
        self.sector = np.zeros(n, dtype=np.int64)
        self.influence = np.ones(n)
        self.traits = working.WorkTraits(
            np.zeros((3, n)), self.contribution_type, np.zeros(n), np.zeros(n)
        )
        population.settle_in(self, np.arange(n), population.draw_traits(self, n))
        self.org_initiative = np.full(n, -1, dtype=np.int64)
        self.alliance = np.full(n, -1, dtype=np.int64)
        self.believe = np.zeros(n)  # reasons to believe in the current initiative
        self.disbelieve = np.zeros(n)
        self.fit = np.zeros(n)  # values fit and payoff, fixed when cohering starts
        self.payoff = np.zeros(n)
        self.contrib = np.full(n, a.opening_contribution)
        self.glimpse_rate = np.full(n, p.opportunity_rate)  # raised by a shock
        self.urgency_boost = np.zeros(n)  # urgency a shock adds, while it lasts
        self.agents_list = [Organisation(self, i) for i in range(n)]

    def step(self) -> None:
        """Advance the model by one week."""
        self.tick += 1
        open_to_new = self.tick <= self.params.steps  # after the horizon, only endings
        population.turn_over(self)
        if open_to_new:
            triggers.shock(self)
        if open_to_new:
            latent_value.glimpse(self)
        latent_value.decide(self)
        exploring.search(self)
        working.collaborate(self)
        turning_back.settle(self)
        if open_to_new:
            latent_value.spawn(self)
        meta_organisation.settle(self)
        meta_organisation.live(self)
        value_creation.account_ended(self)
        self.running = not self._finished()
        every = self.collect_every
        if (every and self.tick % every == 0) or not self.running:
            self.datacollector.collect(self)
