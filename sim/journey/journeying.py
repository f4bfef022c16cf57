"""Journeying: the partners work together through Tuckman's phases against a deadline.

Each week every member turns up or loses the week to the day job, puts in what its
contribution type and trust say, splits its time between the task and relationships, and
may jockey for power, sometimes in bad faith (:mod:`sim.journey.working`). A team's task
effort becomes progress at the efficiency of its Tuckman phase (forming, storming,
norming, performing). Storming starts with unresolved disagreements (more when values
fit poorly); jockeying adds to them; relationship time and trust resolve them. Storming
ends when the team's trust in itself has grown since storming began and conflict is low;
flare-ups throw it back (:func:`sim.journey.rules.next_phase`). Partners act against a
member they distrust: they sanction it (it must put in more) or expel it. At Gersick's
midpoint the team reviews its progress: a storming team's deadlock can break, a team far
behind re-plans (if it trusts itself) or parts gracefully. A member whose trust in a
partner collapses breaks with it. At the deadline a team still storming fails; one
that delivered most of its intent evolved it; one that trusts itself parts with learning
intact; the rest fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim.journey import value_creation
from sim.journey.compiled import kernel, njit
from sim.journey.initiatives import Initiative
from sim.journey.rules import PhaseRules, WorkRules, next_phase, phase_efficiency
from sim.journey.stages import SUITED_FORM, Form, Kind, Outcome, Phase, Stage
from sim.journey.state import JourneyState
from sim.journey.teams import Week, WorkingTeams

if TYPE_CHECKING:
    from sim.journey.assumptions import JourneyAssumptions

JOURNEYING = int(Stage.JOURNEYING)  # a plain int for compiled code
PHASE_LABELS = tuple(ph.label for ph in Phase)  # by phase number


class TeamState(NamedTuple):
    """The journeying columns of the initiative table that the weekly kernels touch."""

    stage: np.ndarray
    phase: np.ndarray
    phase_since: np.ndarray
    conflict: np.ndarray
    progress: np.ndarray
    rate: np.ndarray
    midway: np.ndarray
    midpoint_done: np.ndarray
    deadline: np.ndarray
    committed: np.ndarray
    journey_start: np.ndarray
    evidence_at_storming: np.ndarray
    jockey_cost: np.ndarray
    turn_up_boost: np.ndarray
    breach_scale: np.ndarray


def team_state(model: JourneyState) -> TeamState:
    """The model's :class:`TeamState` (views of its initiative table)."""
    t = model.table
    return TeamState(
        t.stage, t.phase, t.phase_since, t.conflict, t.progress, t.rate, t.midway,
        t.midpoint_done, t.deadline, t.committed, t.journey_start, t.evidence_at_storming,
        t.jockey_cost, t.turn_up_boost, t.breach_scale,
    )  # fmt: skip


def start_journeying(model: JourneyState, ini: Initiative) -> None:
    """The form is in place: kick off, forming, with the delivery clock running.

    A team that journeyed before it turned back keeps its (re-scoped) work and progress,
    with a new clock.
    """
    p, a = model.params, model.assumptions
    i = ini.id
    returning = "journeying" in ini.entered  # it journeyed before it turned back
    name = ini.form.value.replace("_", " ")
    model.move(ini, Stage.JOURNEYING, f"{name} in place; forming")
    coalition = ini.kind is Kind.COALITION
    clock = p.delivery_weeks * (1.0 - a.delivery_urgency_squeeze * p.urgency)
    if coalition:
        clock *= a.coalition_clock_multiple
    t, tick = model.table, model.tick
    form_effects(model, ini)
    t.journey_start[i] = tick
    t.deadline[i] = tick + clock
    t.midway[i] = tick + clock * a.midpoint  # Gersick's midpoint
    t.midpoint_done[i] = False
    t.phase[i] = Phase.FORMING
    t.phase_since[i] = tick
    if returning:
        set_work(model, i, float(t.work[i]))  # the rate follows the team it has now
    else:
        set_work(model, i, a.work_weeks * (a.coalition_work_multiple if coalition else 1.0))
        t.progress[i] = 0.0
    t.conflict[i] = 0.0


def form_effects(model: JourneyState, ini: Initiative) -> None:
    """The lasting effects of the form, for the journey ahead.

    A legal consortium makes jockeying cost less trust (contracts channel it) but decides
    slowly; a collective raises commitment but delivers slowly; a joint project is
    quick, and fragile: a breach in it needs less let-down.
    """
    a, t, i = model.assumptions, model.table, ini.id
    t.jockey_cost[i] = a.legal_jockey_cost if ini.form is Form.LEGAL_CONSORTIUM else 1.0
    t.turn_up_boost[i] = a.collective_turn_up if ini.form is Form.COLLECTIVE else 0.0
    t.breach_scale[i] = a.joint_project_breach if ini.form is Form.JOINT_PROJECT else 1.0


def form_pace(form: Form | None, a: JourneyAssumptions) -> float:
    """Share of the pace at which a form's work yields."""
    if form is Form.LEGAL_CONSORTIUM:
        return a.legal_pace
    if form is Form.COLLECTIVE:
        return a.collective_pace
    return 1.0


def set_work(model: JourneyState, i: int, weeks: float) -> None:
    """Set the work an initiative needs, and its progress per unit of effort."""
    t = model.table
    t.work[i] = weeks
    pace = model.assumptions.coalition_pace if t.coalition[i] else 1.0  # coalitions are slow
    pace *= form_pace(model.initiatives[i].form, model.assumptions)
    # a viable opportunity yields to the work; a poor one barely moves
    t.rate[i] = pace * t.coverage[i] * t.viability[i] / max(weeks, 1e-9)


@njit(cache=True)
def advance(
    teams: WorkingTeams, week: Week, effort: np.ndarray, state: TeamState, r: WorkRules
) -> int:
    """Journeying teams' conflict and progress this week; partner pairs near a breach.

    Unresolved conflict fades slowly of itself, grows with jockeying, and is resolved by
    relationship time and trust together; effort on the task becomes progress at the
    efficiency of the team's Tuckman phase.

    Returns:
        How many journeying members' trust in a partner is below the breach threshold.
    """
    for g in range(teams.per_journeyer.size):
        per_member = teams.per_journeyer[g]
        if per_member == 0.0:
            continue  # not journeying
        conflict = (
            state.conflict[g] * r.conflict_memory
            + week.jockeys[g] * per_member * r.jockey_conflict
            - r.resolve_rate * week.relating[g] * week.team_trust[g]
        )
        state.conflict[g] = max(conflict, 0.0)
        efficiency = phase_efficiency(state.phase[g], r)
        state.progress[g] += effort[g] * per_member * efficiency * state.rate[g]
    return breaches(teams, week, state.breach_scale, r)


@njit(cache=True)
def breaches(teams: WorkingTeams, week: Week, breach_scale: np.ndarray, r: WorkRules) -> int:
    """Journeying pairs where trust has collapsed: below ``breach_threshold``, and let down.

    The let-down a breach needs is ``breach_evidence`` x the form's ``breach_scale``.
    Marks them in ``week.breaking`` and returns how many there are.
    """
    n_below = 0
    breaking = week.breaking
    for k in range(teams.slot.size):
        g = teams.ini[teams.rows[k]]
        breaking[k] = (
            teams.watch[k]
            and week.trust[k] < r.breach_threshold
            and week.net[k] <= -r.breach_evidence * breach_scale[g]
        )
        n_below += breaking[k]
    return n_below


@njit(cache=True)
def _due(active: np.ndarray, state: TeamState, tick: int) -> np.ndarray:
    """Per active team: 1 delivered, else 2 for the midpoint review plus 4 if late."""
    due = np.zeros(active.size, dtype=np.int64)
    for k in range(active.size):
        i = active[k]
        if state.progress[i] >= 1.0:
            due[k] = 1
            continue
        if state.midway[i] <= tick and not state.midpoint_done[i]:
            due[k] += 2
        if state.deadline[i] <= tick:
            due[k] += 4
    return due


@kernel
def _checks(
    per_journeyer: np.ndarray,
    state: TeamState,
    team_evidence: np.ndarray,
    tick: int,
    r: PhaseRules,
    out: np.ndarray,
):
    """The journeying teams still at work, their Tuckman moves and the reviews due.

    A team counts when it has members at work (``per_journeyer``) and is still journeying.
    Writes the teams (ascending) into ``out[0]``, their next phase (or -1 for none) into
    ``out[1]`` and what they are due for (see :func:`_due`) into ``out[2]``.

    Returns:
        How many teams there are, how many change phase and how many are due.
    """
    n = 0
    for g in range(per_journeyer.size):
        if per_journeyer[g] != 0.0 and state.stage[g] == JOURNEYING:
            n += 1
    active = np.empty(n, dtype=np.int64)
    k = 0
    for g in range(per_journeyer.size):
        if per_journeyer[g] != 0.0 and state.stage[g] == JOURNEYING:
            active[k] = g
            k += 1
    due = _due(active, state, tick)
    n_moves = n_due = 0
    for k in range(n):
        i = active[k]
        ph = state.phase[i]
        gained = team_evidence[i] - state.evidence_at_storming[i]
        new = next_phase(ph, tick - state.phase_since[i], gained, state.conflict[i], r)
        out[0, k] = i
        out[1, k] = new if new != ph else -1
        out[2, k] = due[k]
        n_moves += new != ph
        n_due += due[k] != 0
    return n, n_moves, n_due


def respond_to_distrusted(model: JourneyState, teams: WorkingTeams, week: Week) -> None:
    """Partners act against a member they have come to distrust: sanction or expel it.

    A journeying member about whom its partners hold, on average, at least
    ``sanction_evidence`` more reasons to disbelieve than to believe is, with the weekly
    chance ``sanctioning``, sanctioned (it must put in at least ``sanction_floor`` from now
    on) or, past ``expel_evidence`` and with at least two others left, expelled. Either
    adds to the team's conflict.
    """
    p, a = model.params, model.assumptions
    if p.sanctioning == 0.0:
        return
    pairs = teams.watch
    m = teams.orgs.size
    slots = teams.slot[pairs]
    net = model.trust.pos[slots] - model.trust.neg[slots]
    counts = np.bincount(teams.cols[pairs], minlength=m)
    held = np.bincount(teams.cols[pairs], net, m) / np.maximum(counts, 1)
    table = model.table
    for w in ((counts > 0) & (held <= -a.sanction_evidence)).nonzero()[0].tolist():
        org = int(teams.orgs[w])
        ini = model.initiatives[int(model.org_initiative[org])]
        if ini.stage is not Stage.JOURNEYING or model.rng.random() >= p.sanctioning:
            continue
        if held[w] <= -a.expel_evidence and len(ini.members) > 2:
            model.leave(ini, org)
            table.conflict[ini.id] += a.expel_conflict
            model.log(ini, "expel", f"the partners expel organisation {org}", org)
        elif model.traits.floor[org] < a.sanction_floor:
            model.traits.floor[org] = a.sanction_floor
            table.conflict[ini.id] += a.sanction_conflict
            model.log(ini, "sanction", f"the partners sanction organisation {org}", org)


def settle(model: JourneyState, teams: WorkingTeams, week: Week, n_below: int) -> None:
    """Sanctions, breaches, Tuckman moves, reviews and deadlines of journeying teams."""
    trust = week.trust
    respond_to_distrusted(model, teams, week)
    # breaches: a member whose trust in a partner collapses breaks with it
    if n_below:
        here = model.org_initiative[teams.orgs] == teams.ini  # not expelled this week
        below = week.breaking & here[teams.rows] & here[teams.cols]
        for w in np.unique(teams.rows[below]).tolist():
            org = int(teams.orgs[w])
            ini = model.initiatives[int(model.org_initiative[org])]
            if ini.stage is Stage.JOURNEYING:
                pairs = (below & (teams.rows == w)).nonzero()[0]
                partner = int(teams.orgs[teams.cols[pairs[trust[pairs].argmin()]]])
                model.end(
                    ini,
                    Outcome.FAILED,
                    f"trust breach: organisation {org} broke with organisation {partner}",
                )
    out = model.journey_checks
    if out.shape[1] < teams.n_ini:
        out = model.journey_checks = np.empty((3, model.table.stage.size), dtype=np.int64)
    n, n_moves, n_due = _checks(
        teams.per_journeyer,
        team_state(model),
        week.team_evidence,
        model.tick,
        model.phase_rules,
        out,
    )
    if n_moves:
        _tuckman(model, out[0, :n], out[1, :n], week.team_evidence)
    if n_due:
        _review(model, out[0, :n], out[2, :n], week.team_evidence)


def _tuckman(
    model: JourneyState, active: np.ndarray, moves: np.ndarray, team_evidence: np.ndarray
) -> None:
    """Forming, storming, norming, performing (and back to storming).

    A team starts storming with its disagreements unresolved: ``storming_disagreement``,
    more the less its members' values fit; the evidence its members then hold about each
    other is the mark its trust must rise above.
    """
    a = model.assumptions
    tick = model.tick
    t = model.table
    phase = t.phase
    for k in (moves >= 0).nonzero()[0].tolist():
        i = int(active[k])
        ini = model.initiatives[i]
        old = PHASE_LABELS[phase[i]]
        new = int(moves[k])
        if phase[i] == Phase.FORMING:
            misfit = 1.0 - float(np.mean(model.fit[ini.members]))
            t.conflict[i] = a.storming_disagreement * (
                1.0 + a.misfit_disagreement * max(misfit, 0.0)
            )
            if ini.form is not SUITED_FORM[ini.intent]:  # the form does not suit the intent
                t.conflict[i] += a.misfit_form_conflict
            if t.convened[i]:  # partners who did not choose each other
                t.conflict[i] += a.convened_conflict
            t.evidence_at_storming[i] = team_evidence[i]
        phase[i] = new
        t.phase_since[i] = tick
        model.log(ini, "phase", f"{ini.name} moves from {old} to {PHASE_LABELS[new]}")


def _review(
    model: JourneyState, active: np.ndarray, due: np.ndarray, team_evidence: np.ndarray
) -> None:
    """Delivery, the midpoint review (Gersick 1988) and the delivery deadline."""
    a = model.assumptions
    t = model.table
    done = active[due == 1].tolist()
    midpoint = active[(due & 2) > 0].tolist()
    late = active[due >= 4].tolist()
    for i in done:
        ini = model.initiatives[i]
        if ini.intent_changes:
            value_creation.create_value(
                model, ini, Outcome.EVOLVED, "the re-scoped intent was delivered", 1.0
            )
        else:
            value_creation.create_value(
                model, ini, Outcome.ACHIEVED, "the intent was achieved", 1.0
            )
    for i in midpoint:
        ini = model.initiatives[i]
        t.midpoint_done[i] = True
        if int(t.phase[i]) == Phase.STORMING:  # the midpoint jolt can break a deadlock
            t.conflict[i] = 0.0
        progress = float(t.progress[i])
        if progress >= a.midpoint_behind:
            continue
        if team_evidence[i] >= a.rescope_evidence:
            model.want_turn_back(
                ini, Stage.COHERING, "midpoint review: far behind but trusting; re-scoping"
            )
        elif team_evidence[i] < a.midpoint_exit_evidence:
            value_creation.create_value(
                model,
                ini,
                Outcome.GRACEFUL_EXIT,
                "midpoint review: far behind; partners part with learning intact",
                progress,
            )
    for i in late:
        ini = model.initiatives[i]
        if ini.stage is not Stage.JOURNEYING:
            continue
        progress = float(t.progress[i])
        if int(t.phase[i]) == Phase.STORMING:
            ini.stuck_in_storming = True
            model.end(ini, Outcome.FAILED, "stuck in storming past the deadline")
        elif progress >= a.deadline_rescope_progress and model.may_turn_back(ini):
            model.want_turn_back(
                ini, Stage.COHERING, "deadline passed with most delivered; re-scoping"
            )
        elif progress >= a.deadline_rescope_progress or (
            team_evidence[i] >= a.deadline_graceful_evidence
        ):
            value_creation.create_value(
                model,
                ini,
                Outcome.GRACEFUL_EXIT,
                "deadline passed; parted with learning and relationships intact",
                progress,
            )
        else:
            model.end(ini, Outcome.FAILED, "deadline passed with little progress and low trust")
