"""The journey's behaviour rules, each written once, as small functions of numbers.

Every rule an organisation or a team follows each week is a function here: how much it
puts in, how it earns or loses trust, how a cohering partner finds reasons to believe or
disbelieve, when a Tuckman phase changes, how likely a champion acts or an invitee
joins. The stage modules call them; the compiled kernels call the same functions
(numba compiles and inlines them), and the tests call them directly.

Rules read their constants from small typed records (named tuples of floats) built once
per run from the parameters and assumptions (:func:`work_rules`, :func:`phase_rules`),
so a kernel gets one argument instead of dozens and every constant has a name.
"""

from __future__ import annotations

from typing import NamedTuple

from sim.journey.assumptions import JourneyAssumptions
from sim.journey.compiled import njit
from sim.journey.parameters import JourneyParameters
from sim.journey.stages import ContributionType, Phase

CONDITIONAL = int(ContributionType.CONDITIONAL)
FREE_RIDER = int(ContributionType.FREE_RIDER)
HUMP = int(ContributionType.HUMP)
FORMING, STORMING, NORMING, PERFORMING = (int(ph) for ph in Phase)


class WorkRules(NamedTuple):
    """Constants of a week of working together (contributions, trust, reasons, progress)."""

    conditional_base: float
    conditional_trust: float
    hump_gain: float
    free_riding: float
    turning_up_evidence: float
    jockeying_evidence: float
    bad_faith_evidence: float
    free_riding_seen: float
    gain: float  # reasons to believe per unit of relationship time (trust_gain x gain)
    loss: float  # reasons to disbelieve per unit of a bad act (trust_gain x loss ratio)
    free_riding_loss: float  # reasons to disbelieve when free riding is seen
    breach_threshold: float
    breach_evidence: float
    evidence_rate: float
    believe_viability: float
    believe_fit: float
    believe_payoff: float
    believe_trust: float
    jockeying_doubt: float
    min_evidence: float
    coherent_margin: float
    accountability: float
    conflict_memory: float
    resolve_rate: float
    jockey_conflict: float
    relationship_time: float
    pressure_squeeze: float
    min_time_left: float
    urgency: float
    forming_efficiency: float
    storming_efficiency: float
    norming_efficiency: float
    performing_efficiency: float


class PhaseRules(NamedTuple):
    """Constants of Tuckman's phase changes."""

    norming_evidence: float
    norming_conflict: float
    relapse_conflict: float
    forming_weeks: float
    performing_weeks: float


def work_rules(p: JourneyParameters, a: JourneyAssumptions) -> WorkRules:
    """The :class:`WorkRules` of a run."""
    return WorkRules(
        conditional_base=a.conditional_base,
        conditional_trust=a.conditional_trust,
        hump_gain=a.hump_gain,
        free_riding=a.free_riding,
        turning_up_evidence=a.turning_up_evidence,
        jockeying_evidence=a.jockeying_evidence,
        bad_faith_evidence=a.bad_faith_evidence,
        free_riding_seen=a.free_riding_seen,
        # gains are small and come only from relationship time; losses large
        gain=p.trust_gain * a.relationship_gain,
        loss=p.trust_gain * p.trust_loss_ratio,
        free_riding_loss=p.trust_gain * a.free_riding_evidence,
        breach_threshold=p.breach_threshold,
        breach_evidence=a.breach_evidence,
        evidence_rate=a.evidence_rate,
        believe_viability=a.believe_viability,
        believe_fit=a.believe_fit,
        believe_payoff=a.believe_payoff,
        believe_trust=a.believe_trust,
        jockeying_doubt=a.jockeying_doubt,
        min_evidence=a.min_evidence,
        coherent_margin=a.coherent_margin,
        accountability=a.accountability,
        conflict_memory=a.conflict_memory,
        resolve_rate=a.resolve_rate,
        jockey_conflict=a.jockey_conflict,
        relationship_time=a.relationship_time,
        pressure_squeeze=a.pressure_squeeze,
        min_time_left=a.min_time_left,
        urgency=p.urgency,
        forming_efficiency=a.forming_efficiency,
        storming_efficiency=a.storming_efficiency,
        norming_efficiency=a.norming_efficiency,
        performing_efficiency=a.performing_efficiency,
    )


def phase_rules(a: JourneyAssumptions) -> PhaseRules:
    """The :class:`PhaseRules` of a run."""
    return PhaseRules(
        a.norming_evidence, a.norming_conflict, a.relapse_conflict, a.forming_weeks,
        a.performing_weeks,
    )  # fmt: skip


# --- contributing ------------------------------------------------------------------


@njit(cache=True)
def contribution(kind: int, others: float, trust: float, kept: float, r: WorkRules) -> float:
    """What an organisation intends to put in this week, in [0, 1].

    Conditional cooperators match what the others put in, more fully the more they
    trust them (less than fully at low trust, so contributions decay as in public-goods
    games); hump-shaped contributors match up to a point and then hold back; free riders
    put in little; unconditional cooperators put in fully (Fischbacher, Gächter and Fehr
    2001). The organisation keeps back part of it out of self-interest.

    Args:
        kind: Its :class:`~sim.journey.stages.ContributionType`.
        others: What its partners intended last week, on average.
        trust: Its mean trust in its partners.
        kept: The share self-interest leaves (:func:`kept_share`).
        r: The run's :class:`WorkRules`.
    """
    match = min(others * (r.conditional_base + r.conditional_trust * trust), 1.0)
    if kind == CONDITIONAL:
        base = match
    elif kind == HUMP:
        base = min(min(match, 1.0 - others) * r.hump_gain, 1.0)
    elif kind == FREE_RIDER:
        base = r.free_riding
    else:
        base = 1.0
    return base * kept


def kept_share(self_interest: float, a: JourneyAssumptions) -> float:
    """Share of its contribution an organisation keeps in (1 - holdback x self-interest)."""
    return 1.0 - a.holdback * self_interest


# --- trust evidence ---------------------------------------------------------------------


@njit(cache=True)
def pressure(progress: float, time_left: float, r: WorkRules) -> float:
    """Time pressure on a team, in [0, 1]: urgency x the work left / the time left.

    Relative to remaining time and progress: a team on schedule feels the urgency it was
    given; one behind with little time left feels it more.

    Args:
        progress: Share of the work done (0 before journeying).
        time_left: Share of its clock left (1 before journeying).
        r: The run's :class:`WorkRules`.
    """
    left = max(time_left, r.min_time_left)
    return min(r.urgency * (1.0 - min(progress, 1.0)) / left, 1.0)


@njit(cache=True)
def relationship_share(pressure_now: float, r: WorkRules) -> float:
    """Share of a partner's week given to building relationships: pressure moves it to the task."""
    return r.relationship_time * (1.0 - r.pressure_squeeze * pressure_now)


@njit(cache=True)
def weekly_gain(
    intended: float, present: bool, jockeyed: bool, relating: float, r: WorkRules
) -> float:
    """Reasons to believe a partner earns this week: time spent building the relationship.

    Only a partner who turns up and does not jockey earns them, in proportion to the time
    it gives to the relationship (``relating``) and to what it puts in.
    """
    if not present or jockeyed:
        return 0.0
    return (intended + r.turning_up_evidence) * r.gain * relating


@njit(cache=True)
def weekly_loss(
    intended: float, present: bool, moves: tuple[bool, bool, float], r: WorkRules
) -> float:
    """Reasons to disbelieve a partner earns this week: jockeying, bad faith, free riding.

    ``moves`` is whether it jockeyed, whether in bad faith, and the share of the usual
    reasons a jockeying move earns in its form (``jockey_cost``: less in a legal
    consortium).
    """
    jockeyed, bad_faith, jockey_cost = moves
    jockeying = r.jockeying_evidence * jockey_cost if jockeyed else 0.0
    bad = r.bad_faith_evidence if bad_faith else 0.0
    lost = (jockeying + bad) * r.loss
    if present and intended < r.free_riding_seen:
        lost += r.free_riding_loss
    return lost


# --- reasons to believe and disbelieve ---------------------------------------------------


@njit(cache=True)
def believe_chance(
    viability: float, fit: float, payoff: float, trust: float, r: WorkRules
) -> float:
    """Chance that a reason a partner finds is a reason to believe (else to disbelieve).

    Reasons are noisy signals about the opportunity's hidden viability, coloured by the
    partner's values fit with the team, its own payoff and its trust in its partners: a
    weighted mean of the four, so over many weeks a partner's confidence tends to it.
    """
    total = r.believe_viability + r.believe_fit + r.believe_payoff + r.believe_trust
    chance = (
        r.believe_viability * viability
        + r.believe_fit * fit
        + r.believe_payoff * payoff
        + r.believe_trust * trust
    ) / total
    return min(max(chance, 0.0), 1.0)


@njit(cache=True)
def turn_up_chance(commitment: float, committed: bool, boost: float, r: WorkRules) -> float:
    """Chance that a partner gives the initiative its week rather than the day job.

    Its form can raise its commitment (``boost``: a collective does); once the partners
    have committed resources they are accountable for them, and turn up more often.
    """
    willing = commitment + boost * (1.0 - commitment)
    if committed:
        return willing + r.accountability * (1.0 - willing)
    return willing


@njit(cache=True)
def confidence(believe: float, disbelieve: float) -> float:
    """A partner's confidence: the Beta mean of its reasons (uniform prior)."""
    evidence = believe + disbelieve
    return (believe + 1.0) / (evidence + 2.0)


def exit_threshold(risk_appetite: float, a: JourneyAssumptions) -> float:
    """Confidence below which a partner leaves: a low risk appetite needs more."""
    return a.exit_threshold_base - a.exit_threshold_appetite * risk_appetite


# --- journeying: Tuckman's phases ---------------------------------------------------------


@njit(cache=True)
def next_phase(
    phase: int, weeks: int, evidence_gained: float, conflict: float, r: PhaseRules
) -> int:
    """A journeying team's Tuckman phase next week.

    Forming lasts a few weeks; storming ends when the team's trust in itself has grown
    since storming began and its unresolved conflict is low; norming turns into
    performing after some weeks with trust no lower than where storming began; conflict
    flaring up pushes a norming or performing team back into storming.

    Args:
        phase: Its phase now.
        weeks: Weeks in that phase.
        evidence_gained: Net reasons to believe (minus reasons to disbelieve) its members
            have gathered in each other since storming began, on average per pair.
        conflict: Its unresolved conflict.
        r: The run's :class:`PhaseRules`.
    """
    trusting = evidence_gained >= r.norming_evidence
    if phase >= NORMING and conflict > r.relapse_conflict:
        return STORMING
    if phase == FORMING and weeks >= r.forming_weeks:
        return STORMING
    if phase == STORMING and trusting and conflict < r.norming_conflict:
        return NORMING
    if phase == NORMING and evidence_gained >= 0.0 and weeks >= r.performing_weeks:
        return PERFORMING
    return phase


@njit(cache=True)
def phase_efficiency(phase: int, r: WorkRules) -> float:
    """Share of a team's effort that becomes progress in a Tuckman phase."""
    if phase == FORMING:
        return r.forming_efficiency
    if phase == STORMING:
        return r.storming_efficiency
    if phase == NORMING:
        return r.norming_efficiency
    return r.performing_efficiency


# --- latent value and exploring --------------------------------------------------------------


def act_probability(urgency: float, risk_appetite: float, a: JourneyAssumptions) -> float:
    """Chance that a champion acts on an opportunity it glimpsed.

    Urgency and risk appetite make acting likelier.
    """
    chance = a.act_base + a.act_urgency * urgency + a.act_appetite * (risk_appetite - 0.5)
    return min(max(chance, a.act_floor), a.act_ceiling)


def validated_chance(base: float, worth: float, said: float | None, a: JourneyAssumptions) -> float:
    """A champion's chance of acting, given what the opportunity looks worth and who says yes.

    Args:
        base: :func:`act_probability`.
        worth: The opportunity's potential as a multiple of a typical one's.
        said: Trust-weighted share of its contacts who said yes (None: no contacts).
        a: The assumptions (``act_value_elasticity``, ``validation_weight``).
    """
    chance = base * worth**a.act_value_elasticity
    if said is not None:
        chance *= 1.0 + a.validation_weight * (2.0 * said - 1.0)
    return min(max(chance, a.act_floor), a.act_ceiling)


def accept_probability(trust_in_inviter: float, commitment: float, a: JourneyAssumptions) -> float:
    """Chance that an invited organisation joins: it must trust the inviter and have time."""
    return trust_in_inviter**a.accept_trust_exponent * (
        a.accept_base + a.accept_commitment * commitment
    )


def swayed_acceptance(chance: float, snowball: float, proof: float, tied_share: float) -> float:
    """Acceptance moved towards certainty by contacts already in (social proof).

    Args:
        chance: The invitee's chance of accepting on its own (:func:`accept_probability`).
        snowball: Momentum of snowballing (0: no sway).
        proof: The assumption ``social_proof``.
        tied_share: Share of the team the invitee is tied to.
    """
    return chance + (1.0 - chance) * snowball * proof * tied_share
