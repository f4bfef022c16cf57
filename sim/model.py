"""The journey model: organisations forming, working in and leaving initiatives.

One tick is one week. Each week:

1. idle organisations may glimpse an opportunity (latent value);
2. champions whose deliberation is over act on it or let it lapse;
3. exploring initiatives whose search step is due recruit one partner (Guimerà search);
4. every organisation in a cohering, establishing or journeying initiative behaves
   (turns up or not, contributes, jockeys for power), and the others gather reasons to
   believe or disbelieve in it (Beta trust); this step is vectorised over all
   organisations, so idle ones cost almost nothing;
5. initiatives whose clocks, confidence, trust or progress call for it change stage;
6. initiatives that created value become lasting alliances (meta-organisations) when
   trust is high enough, and those alliances champion again (the flywheel).

The model does no I/O and no plotting: :mod:`sim.records` turns it into tables.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np
from mesa import Model

from sim import agents as rules
from sim.agents import Organisation
from sim.initiatives import Event, Initiative
from sim.parameters import JourneyParameters
from sim.search import (
    coverage,
    guimera_pool,
    network_distance,
    score_candidates,
    snowball_weights,
)
from sim.stages import Form, Kind, Outcome, Phase, Stage
from sim.trust import TrustLedger

COLLABORATING = (Stage.COHERING, Stage.ESTABLISHING, Stage.JOURNEYING)
IS_COLLABORATING = np.isin(np.arange(len(Stage)), COLLABORATING)
MIN_EVIDENCE = 4.0  # reasons a partner needs before judging an initiative
PHASE_EFFICIENCY = np.array([0.3, 0.1, 0.6, 1.0])  # forming, storming, norming, performing
WORK_WEEKS = 8.0  # weeks a fully contributing, performing consortium needs
FORMING_WEEKS = 4
NORMING_TRUST = 0.52
PERFORMING_WEEKS = 6
SPAWN_RATE = 0.04  # weekly chance that a working coalition spawns a consortium
FORM_WEEKS = {Form.JOINT_PROJECT: 8.0, Form.LEGAL_CONSORTIUM: 26.0, Form.COLLECTIVE: 16.0}


class JourneyModel(Model):
    """Organisations journeying through consortia and coalitions.

    Args:
        params: Model parameters (defaults if omitted).
        rng: Seed or generator for all randomness.
        record: Keep per-tick data for the timeline (off in sweeps for speed).
    """

    def __init__(
        self,
        params: JourneyParameters | None = None,
        rng: int | np.random.Generator | None = None,
        *,
        record: bool = False,
        **overrides: Any,
    ) -> None:
        super().__init__(rng=rng)
        if params is None:
            params = JourneyParameters(**overrides)
        elif overrides:
            params = params.model_copy(update=overrides)
        self.params = params
        self.record = record
        self.tick = 0
        n = params.n_organisations
        self.n = n
        r = self.rng

        # --- organisations: traits --------------------------------------------
        k = params.n_capabilities
        self.capability = r.random((n, k)) ** (1.0 + 4.0 * params.specialisation)
        self.values = r.random((n, 3))
        self.self_interest = rules.beta_around(r, params.self_interest, n)
        self.risk_appetite = rules.beta_around(r, params.risk_appetite, n)
        self.commitment = rules.beta_around(r, params.commitment, n)
        self.contribution_type = rules.draw_contribution_types(
            r, n, params.conditional_share, params.free_rider_share, params.hump_share
        )
        self.threshold = rules.exit_threshold(self.risk_appetite)
        self._type_masks = rules.type_masks(self.contribution_type)
        # --- organisations: state ---------------------------------------------
        self.org_initiative = np.full(n, -1, dtype=np.int64)
        self.alliance = np.full(n, -1, dtype=np.int64)
        self.believe = np.zeros(n)  # reasons to believe in the current initiative
        self.disbelieve = np.zeros(n)
        self.fit = np.zeros(n)  # values fit and payoff, fixed when cohering starts
        self.payoff = np.zeros(n)
        self.contrib = np.full(n, 0.5)
        self.agents_list = [Organisation(self, i) for i in range(n)]

        # --- network and trust ------------------------------------------------
        self.informal = self._informal_network()
        self.trust = TrustLedger(n, params.trust, params.trust_prior_weight)
        self.trust.believe(self.informal * (params.tie_trust * params.network_strength))
        self.collab = np.zeros((n, n), dtype=np.int32)  # prior collaborations per pair
        self.collab_degree = np.zeros(n, dtype=np.int32)
        self._adjacency = (self.informal > 0).astype(float)  # informal ties or collaboration
        self._buf = np.empty((4, n, n))  # scratch space for the weekly matrix work

        # --- initiatives --------------------------------------------------------
        self.initiatives: list[Initiative] = []
        cap = 64
        self._stage = np.zeros(cap, dtype=np.int64)
        self._deadline = np.zeros(cap)
        self._progress = np.zeros(cap)
        self._work = np.zeros(cap)
        self._phase = np.zeros(cap, dtype=np.int64)
        self._phase_since = np.zeros(cap, dtype=np.int64)
        self._conflict = np.zeros(cap)
        self._journey_start = np.zeros(cap)
        self._midpoint_done = np.zeros(cap, dtype=bool)
        self._replanned = np.zeros(cap, dtype=bool)
        self._coverage = np.zeros(cap)
        self._setup_end = np.zeros(cap)
        self._due = np.zeros(cap, dtype=np.int64)  # next decision / search tick
        self._budget = np.zeros(cap)
        self._coalition = np.zeros(cap, dtype=bool)
        self._potential = np.zeros(cap)
        self._setup_cost = np.zeros(cap)
        self._declined: dict[int, set[int]] = {}
        self.events: list[Event] = []
        self._same: np.ndarray | None = None  # same-initiative mask, rebuilt on change
        self._working = np.zeros(n, dtype=bool)
        self.timeline: list[dict[str, float]] = []
        self.running = True
        if record:
            self._snapshot()

    # ------------------------------------------------------------------ set-up
    def _informal_network(self) -> np.ndarray:
        """Informal ties (prior ties, little black books) as a 0/1 matrix."""
        p = self.params
        n = self.n
        seed = int(self.rng.integers(2**31 - 1))
        degree = max(2, 2 * round(1 + 4 * p.network_strength))
        degree = min(degree, n - 1 - (n - 1) % 2)
        if p.network_structure == "none" or p.network_strength == 0:
            return np.zeros((n, n))
        if p.network_structure == "small_world":
            g = nx.watts_strogatz_graph(n, degree, 0.1, seed=seed)
        elif p.network_structure == "random":
            g = nx.gnp_random_graph(n, degree / (n - 1), seed=seed)
        else:
            g = nx.barabasi_albert_graph(n, max(1, degree // 2), seed=seed)
        return nx.to_numpy_array(g, nodelist=range(n), dtype=float)

    # ------------------------------------------------------------------ helpers
    def org_stages(self) -> np.ndarray:
        """Stage of every organisation (its initiative's stage, idle, or alliance)."""
        g = self.org_initiative
        st = np.where(g >= 0, self._stage[np.maximum(g, 0)], Stage.IDLE)
        return np.where((st == Stage.IDLE) & (self.alliance >= 0), Stage.META_ORGANISATION, st)

    def _grow(self) -> None:
        for name in (
            "_stage", "_deadline", "_progress", "_work", "_phase", "_phase_since",
            "_conflict", "_journey_start", "_midpoint_done", "_replanned", "_coverage",
            "_setup_end", "_due", "_budget", "_coalition", "_potential", "_setup_cost",
        ):
            arr = getattr(self, name)
            setattr(self, name, np.concatenate([arr, np.zeros_like(arr)]))

    def _new_initiative(self, kind: Kind, champion: int, parent: int = -1) -> Initiative:
        i = len(self.initiatives)
        if i >= self._stage.size:
            self._grow()
        p = self.params
        k = p.n_capabilities
        if parent >= 0:  # a consortium acting on part of its coalition's direction
            base = self.initiatives[parent].requirement
            req = base * (self.rng.random(k) < 0.7)
            if req.sum() == 0:
                req = base.copy()
        else:
            need = min(k, int(self.rng.integers(2, 4)))
            req = np.zeros(k)
            req[self.rng.choice(k, need, replace=False)] = 1.0
        boost = 1.0
        if self.alliance[champion] >= 0:  # quick wins pave the way for more ambition
            boost += p.flywheel * 0.5
        potential = p.opportunity_value * float(self.rng.lognormal(0.0, 0.5)) * boost
        if kind is Kind.COALITION:
            potential *= 3.0
        ini = Initiative(i, kind, champion, req, potential, parent=parent)
        ini.entered["latent_value"] = self.tick
        self.initiatives.append(ini)
        self._stage[i] = Stage.LATENT_VALUE
        self._coalition[i] = kind is Kind.COALITION
        self._potential[i] = potential
        self._join(ini, champion)
        return ini

    def _join(self, ini: Initiative, org: int) -> None:
        ini.members.append(org)
        if org not in ini.ever_members:
            ini.ever_members.append(org)
        if self.org_initiative[org] >= 0:  # leaves a working coalition for a consortium
            self._same = None
        self.org_initiative[org] = ini.id

    def _leave(self, ini: Initiative, org: int) -> None:
        ini.members.remove(org)
        self._release(ini, org)

    def _release(self, ini: Initiative, org: int) -> None:
        """Send an organisation back to its coalition (if working) or to idle."""
        if self._same is not None and self._working[org]:
            self._same = None
        home = -1
        if ini.parent >= 0 and org in self.initiatives[ini.parent].members:
            parent = self.initiatives[ini.parent]
            if not parent.ended:
                home = parent.id
        self.org_initiative[org] = home

    def _move(
        self, ini: Initiative, stage: Stage, reason: str, outcome: Outcome | None = None
    ) -> None:
        if ini.stage in COLLABORATING or stage in COLLABORATING:
            self._same = None
        ini.move_to(stage, self.tick, reason, self.events, outcome)
        self._stage[ini.id] = stage

    def _end(self, ini: Initiative, outcome: Outcome | None, reason: str) -> None:
        """End an initiative (with an outcome unless it already has one)."""
        self._move(ini, Stage.ENDED, reason, outcome)
        for org in list(ini.members):
            if self.org_initiative[org] == ini.id:
                self._release(ini, org)
        for child in ini.spawned:  # a coalition that ends leaves its consortia to act
            self.initiatives[child].parent = -1

    def _team_trust(self, members: list[int]) -> float:
        """Mean trust between the members of a team (both directions)."""
        if len(members) < 2:
            return 1.0
        t = self.trust.of(np.asarray(members)[:, None], np.asarray(members)[None, :])
        m = len(members)
        return float((t.sum() - np.trace(t)) / (m * (m - 1)))

    def _log(self, ini: Initiative, kind: str, reason: str, org: int = -1) -> None:
        stage = ini.stage.name.lower()
        self.events.append(Event(self.tick, ini.id, kind, stage, stage, "", reason, org))

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """Advance the model by one week."""
        self.tick += 1
        self._glimpse()
        self._decide()
        self._search()
        self._collaborate()
        self._spawn()
        self._settle_value()
        if self.record:
            self._snapshot()
        if self.tick >= self.params.steps:
            self.running = False

    def _snapshot(self) -> None:
        stages = np.bincount(self.org_stages(), minlength=len(Stage))
        ended = [ini.outcome for ini in self.initiatives if ini.outcome is not None]
        row: dict[str, float] = {"tick": self.tick}
        for s in Stage:
            if s is not Stage.ENDED:
                row[f"orgs_{s.name.lower()}"] = int(stages[s])
        row["active_initiatives"] = int(
            np.count_nonzero(
                (self._stage[: len(self.initiatives)] > Stage.IDLE)
                & (self._stage[: len(self.initiatives)] < Stage.VALUE_CREATION)
            )
        )
        row["mean_trust"] = float(self._mean_working_trust())
        row["ended_initiatives"] = len(ended)
        for o in Outcome:
            row[f"{o.value}_count"] = sum(1 for e in ended if e is o)
        row["value_created"] = float(sum(ini.value for ini in self.initiatives))
        self.timeline.append(row)

    def _mean_working_trust(self) -> float:
        """Mean trust over pairs that have worked together or share a tie."""
        mask = (self.collab > 0) | (self.informal > 0)
        if not mask.any():
            return float(self.params.trust)
        return float(self.trust.matrix()[mask].mean())

    # --- 1. latent value -----------------------------------------------------
    def _glimpse(self) -> None:
        p = self.params
        idle = self.org_initiative < 0
        rate = p.opportunity_rate * (1.0 + p.flywheel * (self.alliance >= 0))
        hits = np.flatnonzero(idle & (self.rng.random(self.n) < rate))
        for org in hits:
            kind = Kind.COALITION if self.rng.random() < p.coalition_share else Kind.CONSORTIUM
            ini = self._new_initiative(kind, int(org))
            self._due[ini.id] = self.tick + 1 + int(self.rng.integers(0, 4))
            self._log(ini, "glimpse", f"organisation {org} glimpses an opportunity", int(org))

    def _decide(self) -> None:
        p = self.params
        n_ini = len(self.initiatives)
        due = np.flatnonzero(
            (self._stage[:n_ini] == Stage.LATENT_VALUE) & (self._due[:n_ini] <= self.tick)
        )
        for i in due:
            ini = self.initiatives[i]
            c = ini.champion
            boost = 0.2 * p.flywheel * (self.alliance[c] >= 0)
            p_act = rules.act_probability(p.urgency, self.risk_appetite[c], boost)
            if self.rng.random() < p_act:
                self._move(ini, Stage.EXPLORING, f"organisation {c} acts and starts searching")
                self._budget[i] = p.search_budget * (1.0 - 0.5 * p.urgency)
                self._due[i] = self.tick
                self._declined[i] = set()
            else:
                self._end(ini, Outcome.STALLED, "nobody acted on the opportunity")

    # --- 2. exploring ---------------------------------------------------------
    def _search(self) -> None:
        n_ini = len(self.initiatives)
        due = np.flatnonzero(
            (self._stage[:n_ini] == Stage.EXPLORING) & (self._due[:n_ini] <= self.tick)
        )
        for i in due:
            self._search_step(self.initiatives[i])

    def _target_size(self, ini: Initiative) -> int:
        p = self.params
        return p.coalition_size if ini.kind is Kind.COALITION else p.consortium_size

    def _search_step(self, ini: Initiative) -> None:
        p = self.params
        i = ini.id
        target = min(self._target_size(ini), self.n)
        team = np.asarray(ini.members)
        available = self.org_initiative < 0
        if ini.parent >= 0:  # a spawned consortium recruits from its coalition first
            parent = self.initiatives[ini.parent]
            in_parent = np.zeros(self.n, dtype=bool)
            in_parent[[m for m in parent.members if self.org_initiative[m] == parent.id]] = True
            available |= in_parent
        available[team] = False
        declined = self._declined.get(i, set())
        if declined:
            available[list(declined)] = False
        cost = 1.0
        if available.any():
            repeat = (self.collab[team] > 0).any(axis=0)
            pool, _ = guimera_pool(
                self.rng, available, self.collab_degree > 0, repeat, p.incumbent_p, p.repeat_q
            )
            dist = network_distance(self._adjacency, team)
            idx = np.flatnonzero(pool)
            w = snowball_weights(dist[idx], p.network_strength)
            # weighted sampling without replacement (Efraimidis and Spirakis 2006)
            keys = self.rng.random(idx.size) ** (1.0 / w)
            size = min(p.search_breadth, idx.size)
            cands = idx[np.argpartition(-keys, size - 1)[:size]] if size < idx.size else idx
            sim = 1.0 - np.abs(self.values[cands] - self.values[team].mean(axis=0)).mean(axis=1)
            trust_in = self.trust.of(team[:, None], cands[None, :]).mean(axis=0)
            score = score_candidates(
                ini.requirement,
                self.capability[team],
                self.capability[cands],
                sim,
                trust_in,
                p.capability_weight,
            )
            cand = int(cands[int(np.argmax(score))])
            cost = max(p.search_cost * dist[cand], 0.0)
            p_accept = rules.accept_probability(
                self.trust.of(cand, ini.champion), self.commitment[cand]
            )
            if self.rng.random() < p_accept:
                self._join(ini, cand)
                self._log(ini, "join", f"organisation {cand} joins {ini.name}", cand)
            else:
                declined.add(cand)
        self._budget[i] -= max(cost, 1.0)
        self._due[i] = self.tick + max(1, math.ceil(cost))
        size = len(ini.members)
        if size >= target:
            self._start_cohering(ini, f"team of {size} assembled")
        elif self._budget[i] <= 0:
            if size >= max(2, math.ceil(target / 2)):
                self._start_cohering(ini, f"search budget spent: went ahead with {size} of {target}")
            else:
                self._end(
                    ini,
                    Outcome.STALLED,
                    f"search budget ran out with {size - 1} of {target - 1} partners found",
                )

    def _start_cohering(self, ini: Initiative, reason: str) -> None:
        p = self.params
        i = ini.id
        team = np.asarray(ini.members)
        self.collab[np.ix_(team, team)] += 1
        np.fill_diagonal(self.collab, 0)
        self.collab_degree = (self.collab > 0).sum(axis=1).astype(np.int32)
        self._adjacency[np.ix_(team, team)] = 1.0
        np.fill_diagonal(self._adjacency, 0.0)
        self._move(ini, Stage.COHERING, reason)
        clock = p.cohering_weeks * (1.0 - 0.6 * p.urgency) * (2.0 if ini.kind is Kind.COALITION else 1.0)
        self._deadline[i] = self.tick + clock
        cov = coverage(ini.requirement, self.capability[team])
        self._coverage[i] = cov
        mean_values = self.values[team].mean(axis=0)
        self.fit[team] = 1.0 - 2.0 * np.abs(self.values[team] - mean_values).mean(axis=1)
        share = (ini.potential / len(team)) / (self.params.opportunity_value / p.consortium_size)
        self.payoff[team] = cov * np.minimum(1.0, share)
        self.believe[team] = 0.0
        self.disbelieve[team] = 0.0
        self.contrib[team] = 0.5

    # --- 3-5. working together -------------------------------------------------
    def _same_initiative(self) -> np.ndarray:
        if self._same is None:
            g = self.org_initiative
            working = (g >= 0) & IS_COLLABORATING[self._stage[np.maximum(g, 0)]]
            key = np.where(working, g, -1 - np.arange(self.n))
            same = np.equal(key[:, None], key[None, :]).astype(float)
            np.fill_diagonal(same, 0.0)
            self._same = same
            self._working = working
            self._team_n = np.maximum(same.sum(axis=1), 1.0)
            self._not_same = 2.0 * (1.0 - same)  # pushes non-partners out of a min()
        return self._same

    def _collaborate(self) -> None:
        same = self._same_initiative()
        working = self._working
        if not working.any():
            return
        p = self.params
        n = self.n
        r = self.rng
        team_n = self._team_n
        g = self.org_initiative
        stage_of = np.where(working, self._stage[np.maximum(g, 0)], 0)
        trust = self.trust.matrix(out=self._buf[0], scratch=self._buf[1])
        mean_trust = np.einsum("ij,ij->i", same, trust) / team_n  # i's trust in partners

        # behaviour this week: turn up (or lose to the day job), contribute, jockey
        draws = r.random((3, n))
        present = (draws[0] < self.commitment) & working
        jockey = (draws[1] < self.self_interest * p.jockeying_rate) & working
        bad_faith = jockey & (draws[2] < p.bad_faith_share)
        others = (same @ self.contrib) / team_n
        intended = rules.contribution(self._type_masks, others, mean_trust, self.self_interest)
        self.contrib = np.where(working, intended, self.contrib)
        contrib = intended * present

        # what partners see: gains small (and squeezed by urgency), losses large
        gain = (p.trust_gain * (1.0 - 0.5 * p.urgency)) * (present & ~jockey) * (0.5 + 0.5 * intended)
        loss = (p.trust_gain * p.trust_loss_ratio) * (jockey + bad_faith.astype(float))
        loss += (p.trust_gain * 0.5) * (present & (intended < 0.15))  # free riding seen
        self.trust.believe(np.multiply(same, gain, out=self._buf[2]))
        if loss.any():
            self.trust.disbelieve(np.multiply(same, loss, out=self._buf[2]))

        n_ini = len(self.initiatives)
        gw = np.where(working, g, 0)
        # per initiative: members at work and their mean trust in each other
        size = np.bincount(gw, weights=working, minlength=n_ini)
        team_trust = np.bincount(gw, weights=mean_trust * working, minlength=n_ini)
        team_trust /= np.maximum(size, 1.0)
        stages = self._stage[:n_ini]
        if (stage_of == Stage.COHERING).any():
            self._cohere(working & (stage_of == Stage.COHERING), mean_trust, jockey)
        if (stages == Stage.ESTABLISHING).any():
            self._establish(team_trust)
        journeying = working & (stage_of == Stage.JOURNEYING)
        if journeying.any():
            self._journey(journeying, contrib, jockey, trust, size, team_trust)

    def _cohere(self, cohering: np.ndarray, mean_trust: np.ndarray, jockey: np.ndarray) -> None:
        r = self.rng
        n = self.n
        seen = (self._same @ jockey) > 0  # a partner was seen jockeying for power
        p_b = 0.6 * np.clip(0.3 * self.fit + 0.3 * self.payoff + 0.4 * mean_trust, 0, 1)
        p_d = 0.6 * np.clip(0.3 * (1 - self.fit) + 0.3 * (1 - mean_trust) + 0.4 * seen, 0, 1)
        draws = r.random((2, n))
        self.believe += (draws[0] < p_b) & cohering
        self.disbelieve += (draws[1] < p_d) & cohering
        evidence = self.believe + self.disbelieve
        confidence = (1.0 + self.believe) / (2.0 + evidence)
        judged = cohering & (evidence >= MIN_EVIDENCE)
        leaving = np.flatnonzero(judged & (confidence < self.threshold))
        coherent = judged & (confidence >= self.threshold + 0.05)

        touched: set[int] = set()
        for org in leaving:
            ini = self.initiatives[int(self.org_initiative[org])]
            touched.add(ini.id)
            self._leave(ini, int(org))
            self._log(
                ini,
                "exit",
                f"organisation {org} lost confidence ({confidence[org]:.2f} below its "
                f"threshold {self.threshold[org]:.2f}) and left gracefully",
                int(org),
            )
        for i in touched:
            ini = self.initiatives[i]
            if len(ini.members) < 2:
                self._end(ini, Outcome.GRACEFUL_EXIT, "partners lost confidence and left")

        n_ini = len(self.initiatives)
        g = self.org_initiative
        still = cohering & (g >= 0)  # exits above sent some home
        members = np.bincount(g[still], minlength=n_ini)
        ready = np.bincount(g[still & coherent], minlength=n_ini)
        cohering_ini = self._stage[:n_ini] == Stage.COHERING
        done = cohering_ini & (members > 1) & (ready == members)
        late = cohering_ini & ~done & (self._deadline[:n_ini] <= self.tick)
        for i in np.flatnonzero(done):
            self._start_establishing(self.initiatives[i])
        for i in np.flatnonzero(late):
            self._end(
                self.initiatives[i],
                Outcome.DRIFTED_APART,
                "the clock ran out before a shared intent was found",
            )

    def _start_establishing(self, ini: Initiative) -> None:
        p = self.params
        trust = self._team_trust(ini.members)
        if ini.kind is Kind.COALITION:
            form = Form.COLLECTIVE
        elif len(ini.members) <= 3 and trust >= 0.5:
            form = Form.JOINT_PROJECT
        else:
            form = Form.LEGAL_CONSORTIUM  # contracts stand in for trust
        ini.form = form
        self._move(ini, Stage.ESTABLISHING, f"shared intent found; setting up a {form.value.replace('_', ' ')}")
        weeks = FORM_WEEKS[form] * p.governance_overhead * (1.0 + (1.0 - trust))
        self._setup_end[ini.id] = self.tick + max(1.0, weeks)
        # set-up cost comes out of what the opportunity is worth to the members
        self._setup_cost[ini.id] = p.governance_overhead * FORM_WEEKS[form] / 52.0

    def _establish(self, team_trust: np.ndarray) -> None:
        p = self.params
        n_ini = len(self.initiatives)
        est = self._stage[:n_ini] == Stage.ESTABLISHING
        mistrust = est & (team_trust < p.breach_threshold + 0.1)
        too_dear = est & ~mistrust & (self._setup_cost[:n_ini] > self._potential[:n_ini] * self._coverage[:n_ini])
        ready = est & ~mistrust & ~too_dear & (self._setup_end[:n_ini] <= self.tick)
        for i in np.flatnonzero(mistrust):
            self._end(
                self.initiatives[i],
                Outcome.FAILED,
                f"mistrust too high to agree governance (team trust {team_trust[i]:.2f})",
            )
        for i in np.flatnonzero(too_dear):
            self._end(self.initiatives[i], Outcome.FAILED, "set-up cost higher than the opportunity is worth")
        for i in np.flatnonzero(ready):
            ini = self.initiatives[i]
            self._move(ini, Stage.JOURNEYING, f"{ini.form.value.replace('_', ' ')} in place; forming")
            clock = p.delivery_weeks * (1.0 - 0.5 * p.urgency)
            if ini.kind is Kind.COALITION:
                clock *= 2.0
            self._journey_start[i] = self.tick
            self._deadline[i] = self.tick + clock
            self._phase[i] = Phase.FORMING
            self._phase_since[i] = self.tick
            self._work[i] = WORK_WEEKS * (2.0 if ini.kind is Kind.COALITION else 1.0)
            self._progress[i] = 0.0
            self._conflict[i] = 0.0

    def _journey(self, journeying, contrib, jockey, trust, size, team_trust) -> None:
        p = self.params
        n_ini = len(self.initiatives)
        g = self.org_initiative
        gj = g[journeying]
        active = (self._stage[:n_ini] == Stage.JOURNEYING) & (size > 0)
        work = np.bincount(gj, weights=contrib[journeying], minlength=n_ini)
        jock = np.bincount(gj, weights=jockey[journeying], minlength=n_ini)
        nsize = np.maximum(size, 1.0)
        conflict = self._conflict[:n_ini]
        conflict *= 0.8
        conflict += jock / nsize
        phase = self._phase[:n_ini]
        eff = PHASE_EFFICIENCY[phase] * np.where(self._coalition[:n_ini], 0.5, 1.0)
        gain = eff * (work / nsize) * self._coverage[:n_ini] / np.maximum(self._work[:n_ini], 1e-9)
        self._progress[:n_ini] += np.where(active, gain, 0.0)

        # breaches: a member whose trust in a partner collapses breaks with it
        row_min = np.add(trust, self._not_same, out=self._buf[3]).min(axis=1)
        for org in np.flatnonzero(journeying & (row_min < p.breach_threshold)):
            ini = self.initiatives[int(g[org])]
            if ini.stage is Stage.JOURNEYING:
                partner = int(np.argmin(trust[org] + self._not_same[org]))
                self._end(ini, Outcome.FAILED, f"trust breach: organisation {org} broke with organisation {partner}")
                active[ini.id] = False

        self._tuckman(active, team_trust)
        self._review(active, team_trust)

    def _tuckman(self, active: np.ndarray, team_trust: np.ndarray) -> None:
        """Forming, storming, norming, performing (and back to storming)."""
        n_ini = active.size
        phase = self._phase[:n_ini]
        weeks = self.tick - self._phase_since[:n_ini]
        conflict = self._conflict[:n_ini]
        trusting = team_trust >= NORMING_TRUST
        new = phase.copy()
        new[(phase == Phase.FORMING) & (weeks >= FORMING_WEEKS)] = Phase.STORMING
        new[(phase == Phase.STORMING) & trusting & (conflict < 0.1)] = Phase.NORMING
        new[(phase == Phase.NORMING) & (weeks >= PERFORMING_WEEKS) & trusting] = Phase.PERFORMING
        new[(phase >= Phase.NORMING) & (conflict > 0.3)] = Phase.STORMING  # power struggles
        for i in np.flatnonzero(active & (new != phase)):
            ini = self.initiatives[i]
            old, nxt = Phase(int(phase[i])), Phase(int(new[i]))
            self._phase[i] = nxt
            self._phase_since[i] = self.tick
            self._log(ini, "phase", f"{ini.name} moves from {old.label} to {nxt.label}")

    def _review(self, active: np.ndarray, team_trust: np.ndarray) -> None:
        """Progress, the midpoint review (Gersick 1988) and the delivery deadline."""
        n_ini = active.size
        progress = self._progress[:n_ini]
        start = self._journey_start[:n_ini]
        deadline = self._deadline[:n_ini]
        done = active & (progress >= 1.0)
        midpoint = active & ~done & ~self._midpoint_done[:n_ini] & (
            self.tick - start >= (deadline - start) / 2
        )
        late = active & ~done & (self.tick >= deadline)
        for i in np.flatnonzero(done):
            ini = self.initiatives[i]
            if self._replanned[i]:
                self._create_value(ini, Outcome.EVOLVED, "the re-planned intent was delivered", 1.0)
            else:
                self._create_value(ini, Outcome.ACHIEVED, "the intent was achieved", 1.0)
        for i in np.flatnonzero(midpoint):
            ini = self.initiatives[i]
            self._midpoint_done[i] = True
            if self._phase[i] == Phase.STORMING:  # the midpoint jolt can break a deadlock
                self._conflict[i] = 0.0
            if progress[i] >= 0.25:
                continue
            if team_trust[i] >= 0.45:
                self._replanned[i] = True
                self._work[i] *= 0.6
                self._log(ini, "review", f"{ini.name} re-plans at the midpoint: behind, but trusting")
            elif team_trust[i] < 0.4:
                self._create_value(
                    ini, Outcome.GRACEFUL_EXIT,
                    "midpoint review: far behind; partners part with learning intact", progress[i],
                )
        for i in np.flatnonzero(late):
            ini = self.initiatives[i]
            if ini.stage is not Stage.JOURNEYING:
                continue
            if self._phase[i] == Phase.STORMING:
                ini.stuck_in_storming = True
                self._end(ini, Outcome.FAILED, "stuck in storming past the deadline")
            elif progress[i] >= 0.6:
                self._create_value(ini, Outcome.EVOLVED, "part delivered by the deadline; the intent evolved", progress[i])
            elif team_trust[i] >= 0.5:
                self._create_value(
                    ini, Outcome.GRACEFUL_EXIT,
                    "deadline passed; parted with learning and relationships intact", progress[i],
                )
            else:
                self._end(ini, Outcome.FAILED, "no genuine commitment: the day job won")

    def _create_value(self, ini: Initiative, outcome: Outcome, reason: str, progress: float) -> None:
        share = {Outcome.ACHIEVED: 1.0, Outcome.EVOLVED: 0.8, Outcome.GRACEFUL_EXIT: 0.1}[outcome]
        ini.value = float(ini.potential * share * min(progress, 1.0))
        self._move(ini, Stage.VALUE_CREATION, reason, outcome)
        if ini.parent >= 0 and outcome in (Outcome.ACHIEVED, Outcome.EVOLVED):
            parent = ini.parent
            self._progress[parent] += 0.5  # a coalition advances through what its consortia do

    # --- coalitions spawn consortia -------------------------------------------
    def _spawn(self) -> None:
        n_ini = len(self.initiatives)
        for i in np.flatnonzero(
            (self._stage[:n_ini] == Stage.JOURNEYING) & (self._phase[:n_ini] >= Phase.NORMING)
        ):
            ini = self.initiatives[i]
            if ini.kind is not Kind.COALITION or self.rng.random() >= SPAWN_RATE:
                continue
            working = [m for m in ini.members if self.org_initiative[m] == ini.id]
            if len(working) < 4:
                continue
            champion = int(self.rng.choice(working))
            child = self._new_initiative(Kind.CONSORTIUM, champion, parent=ini.id)
            ini.spawned.append(child.id)
            self._log(ini, "spawn", f"{ini.name} spawns {child.name}", champion)
            self._move(child, Stage.EXPLORING, f"spawned by {ini.name}")
            self._budget[child.id] = self.params.search_budget
            self._due[child.id] = self.tick
            self._declined[child.id] = set()

    # --- 6. value creation and the flywheel -------------------------------------
    def _settle_value(self) -> None:
        p = self.params
        n_ini = len(self.initiatives)
        for i in np.flatnonzero(self._stage[:n_ini] == Stage.VALUE_CREATION):
            ini = self.initiatives[i]
            if ini.entered["value_creation"] == self.tick:
                continue  # value is realised over the week it was created
            team = [m for m in ini.members]
            trust = self._team_trust(team)
            if ini.outcome in (Outcome.ACHIEVED, Outcome.EVOLVED) and trust >= p.alliance_trust and len(team) >= 2:
                self._move(ini, Stage.META_ORGANISATION, f"a lasting alliance forms (team trust {trust:.2f})")
                arr = np.asarray(team)
                bonus = np.ones((len(team), len(team))) * p.tie_trust * (0.5 + p.flywheel)
                np.fill_diagonal(bonus, 0.0)
                self.trust.pos[np.ix_(arr, arr)] += bonus  # trust deepens, ties strengthen
                self.alliance[arr] = ini.id
                for org in team:
                    if self.org_initiative[org] == ini.id:
                        self._release(ini, org)
            else:
                self._end(ini, None, "value realised; the team disbands")
