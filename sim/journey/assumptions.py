"""The journey model's assumptions: every constant that shapes behaviour, named once.

Parameters (:mod:`sim.journey.parameters`) are the levers a scenario is about: trust,
self-interest, urgency and the rest. Assumptions are the constants inside the
mechanisms: how much a week of work counts as evidence, when storming ends, how long a
legal consortium takes to set up. Each has a meaning, a unit, a range and a source (a
citation, or "modelling choice" where the value is this model's own). A scenario sets
them in its ``assumptions:`` section, and a sweep or calibration can vary them by name,
like parameters; ``docs/reference.md`` lists them all.

The stage modules read them through small typed records built once per run (see
:func:`sim.journey.rules.rule_record`), so compiled kernels get plain numbers.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from sim.journey.parameters import JourneyParameters
from sim.parameters import declare, refuse_booleans

CHOICE = "modelling choice"
TUCKMAN = "Tuckman (1965) names the phases; the value is a modelling choice"
GERSICK = "Gersick (1988): teams re-evaluate at the midpoint of their time"
FISCHBACHER = (
    "Fischbacher, Gächter and Fehr (2001): conditional cooperators match others' "
    "contributions imperfectly; the values are modelling choices"
)
POWELL = (
    "Powell, Koput and Smith-Doerr (1996): organisations learn through collaborations "
    "with diverse partners; the values are modelling choices"
)
GULATI = (
    "Gulati (1995) and Dyer and Singh (1998): prior ties seed later collaborations and "
    "relational rents; the value is a modelling choice"
)
PROVAN_KENIS = (
    "Provan and Kenis (2008): forms of network governance suit different goals and "
    "conditions, and trade efficiency against inclusiveness; the values are modelling "
    "choices"
)
JOSANG = "Jøsang and Ismail (2002): Beta evidence; the value is a modelling choice"
GRANOVETTER = (
    "Granovetter (1978): each joins a collective action once enough others have; the "
    "values are modelling choices"
)
CIALDINI = "Cialdini (1984): social proof; the value is a modelling choice"
CHESBROUGH = (
    "Chesbrough (2003): open innovation; platforms lower the cost of finding partners "
    "outside one's network; the value is a modelling choice"
)
CONVENER = (
    "The source sets the journey 'in the absence of a forceful convening power'; how a "
    "convener assigns teams and what it costs are modelling choices"
)
DIRECTION = (
    "The source: coalitions are sense-making bodies that set direction and spawn "
    "consortia that act; how much direction helps is a modelling choice"
)
ALLIANCES = (
    "The source: meta-organisations (lasting alliances, associations, joint ventures) "
    "are 'organisational reproduction'; Gulati (1995): repeated alliances build trust; "
    "the values are modelling choices"
)
CHAMPIONS = (
    "The source: a champion seeks validation from its network before acting, and an "
    "initiative whose champion leaves risks drift; the values are modelling choices"
)
SHOCKS = (
    "The source: a shared sense that the status quo is untenable triggers action across "
    "an ecosystem; the values are modelling choices"
)
WATTS = "Watts and Strogatz (1998) rewiring probability; the value is a modelling choice"


def _a(default: Any, low: float, high: float, unit: str, doc: str, source: str = CHOICE) -> Any:
    return declare(default, low, high, unit, doc, source=source)


class JourneyAssumptions(BaseModel):
    """Constants inside the journey's mechanisms, each a documented assumption."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # --- organisations -------------------------------------------------------------
    trait_concentration: float = _a(
        8.0,
        0.5,
        1_000,
        "pseudo-observations",
        "Concentration of the Beta distributions organisations draw their self-interest, "
        "risk appetite and commitment from (higher: closer to the population mean).",
    )
    specialisation_exponent: float = _a(
        4.0,
        0,
        50,
        "exponent",
        "Capabilities are uniform draws raised to 1 + this x specialisation: at high "
        "specialisation each organisation is strong in few dimensions.",
    )
    n_values: int = _a(
        3, 1, 20, "dimensions", "Number of value dimensions organisations differ on (chemistry)."
    )
    free_riding: float = _a(
        0.1,
        0,
        1,
        "fraction",
        "What a free rider puts in, whatever the others do (before self-interest holds some back).",
        FISCHBACHER,
    )
    holdback: float = _a(
        0.5,
        0,
        1,
        "fraction",
        "Share of its contribution a fully self-interested organisation holds back "
        "(it keeps 1 - holdback x self_interest).",
    )
    exit_threshold_base: float = _a(
        0.65,
        0,
        1,
        "probability",
        "Confidence a partner with no risk appetite needs to stay (its exit threshold).",
    )
    exit_threshold_appetite: float = _a(
        0.4,
        0,
        1,
        "probability",
        "How much full risk appetite lowers the exit threshold "
        "(threshold = exit_threshold_base - this x appetite).",
    )
    influence_sigma: float = _a(
        0.8,
        0,
        5,
        "log-units",
        "Spread of organisations' influence: log-normal with mean 1 and this sigma (a few "
        "organisations carry much of a sector's weight).",
    )
    shock_reach: float = _a(
        0.5,
        0,
        1,
        "fraction",
        "Share of organisations an ecosystem-wide shock reaches (a shared sense that the "
        "status quo is untenable).",
        SHOCKS,
    )
    shock_urgency: float = _a(
        0.3,
        0,
        1,
        "fraction",
        "Urgency a shock adds, for as long as it lasts, to the champions it reached when "
        "they decide whether to act.",
        SHOCKS,
    )
    shock_glimpse: float = _a(
        2.0,
        0,
        100,
        "ratio",
        "How much a shock raises the glimpse rate of those it reached (rate x (1 + this)).",
        SHOCKS,
    )
    shock_weeks: int = _a(
        26, 1, 520, "weeks", "How long a shock's raised urgency and glimpsing last.", SHOCKS
    )
    shock_coalitions: int = _a(
        1,
        0,
        100,
        "initiatives",
        "Sector-wide opportunities a shock sets off at once: the most influential idle "
        "organisations it reached glimpse one each.",
        SHOCKS,
    )
    # --- network ---------------------------------------------------------------------
    network_degree_slope: float = _a(
        4.0,
        0,
        100,
        "ties",
        "Informal ties per organisation: 2 x round(1 + this x network_strength), at least 2.",
    )
    network_rewiring: float = _a(
        0.1, 0, 1, "probability", "Rewiring probability of the small-world network.", WATTS
    )
    max_distance: int = _a(
        5,
        1,
        20,
        "network steps",
        "Distance at which an organisation counts as a stranger: farther ones (or none "
        "reachable) are this many steps away for search cost and snowballing.",
    )
    platform_distance: int = _a(
        2,
        1,
        20,
        "network steps",
        "Distance between two members of an open-innovation platform (at most; a closer "
        "path counts).",
        CHESBROUGH,
    )
    snowball_exponent: float = _a(
        4.0,
        0,
        50,
        "exponent",
        "Snowballing: a candidate at distance d is considered with weight (1/d)^(this x "
        "network_strength), so strong networks favour people you know.",
    )
    # --- latent value -----------------------------------------------------------------
    deliberation_weeks: int = _a(
        4,
        1,
        104,
        "weeks",
        "A champion deliberates 1 to this many weeks (uniformly) before acting or not.",
    )
    act_base: float = _a(
        0.5, 0, 1, "probability", "Chance that a champion with middling appetite acts, no urgency."
    )
    act_urgency: float = _a(
        0.4, 0, 1, "probability", "How much full urgency raises the chance of acting."
    )
    act_appetite: float = _a(
        0.4,
        0,
        2,
        "probability",
        "How much risk appetite above (below) 0.5 raises (lowers) the chance of acting, per unit.",
    )
    act_value_elasticity: float = _a(
        0.5,
        0,
        5,
        "exponent",
        "The chance of acting is scaled by (the opportunity's potential / a typical one's) "
        "^ this: champions act on what looks worth it.",
        CHAMPIONS,
    )
    validation_weight: float = _a(
        0.5,
        0,
        1,
        "fraction",
        "How far what the champion's contacts say moves its chance of acting: x (1 + this "
        "x (2 x share saying yes - 1)); with no contacts, nothing.",
        CHAMPIONS,
    )
    validation_noise: float = _a(
        0.2,
        0,
        5,
        "probability",
        "Noise in a contact's read of an opportunity's viability (normal sigma); a "
        "contact says yes when its read is above one half.",
        CHAMPIONS,
    )
    champion_loss_doubt: float = _a(
        1.0,
        0,
        50,
        "reasons",
        "Reasons to disbelieve each remaining member gains when the champion leaves (a new "
        "champion, the most committed member, takes over).",
        CHAMPIONS,
    )
    champion_loss_conflict: float = _a(
        0.3,
        0,
        10,
        "conflict",
        "Conflict a journeying team gains when its champion leaves.",
        CHAMPIONS,
    )
    act_floor: float = _a(0.02, 0, 1, "probability", "Lowest chance of acting.")
    act_ceiling: float = _a(0.98, 0, 1, "probability", "Highest chance of acting.")
    needs_min: int = _a(
        2, 1, 20, "dimensions", "Fewest capability dimensions an opportunity needs."
    )
    needs_spread: int = _a(
        2,
        1,
        20,
        "dimensions",
        "An opportunity needs needs_min plus a uniform whole number below this.",
    )
    opportunity_sigma: float = _a(
        0.5, 0, 5, "log units", "Spread (log-normal sigma) of opportunity values."
    )
    coalition_value_multiple: float = _a(
        3.0, 0, 100, "ratio", "How much more a coalition's direction is worth than a consortium's."
    )
    spawned_need_keep: float = _a(
        0.7,
        0,
        1,
        "probability",
        "Chance that a consortium spawned by a coalition takes on each of its needs.",
    )
    # --- exploring ---------------------------------------------------------------------
    values_in_chemistry: float = _a(
        0.5,
        0,
        1,
        "fraction",
        "Chemistry in partner choice is this share values similarity and the rest the "
        "team's trust in the candidate.",
    )
    accept_trust_exponent: float = _a(
        0.5,
        0,
        10,
        "exponent",
        "An invited organisation joins with chance trust^this x (accept_base + "
        "accept_commitment x commitment).",
    )
    accept_base: float = _a(0.4, 0, 1, "probability", "Acceptance with no commitment to spare.")
    accept_commitment: float = _a(
        0.6, 0, 1, "probability", "How much full commitment raises acceptance."
    )
    social_proof: float = _a(
        0.5,
        0,
        1,
        "fraction",
        "With snowballing, an invitee's chance of accepting moves this far towards "
        "certainty, times snowball, times the share of the team it is tied to (contacts "
        "already in).",
        CIALDINI,
    )
    unasked_join_rate: float = _a(
        0.2,
        0,
        1,
        "probability per week",
        "With snowballing, the weekly chance (times snowball) that an idle organisation "
        "whose pull towards an exploring initiative passes its threshold (1 - its risk "
        "appetite) joins it unasked.",
        GRANOVETTER,
    )
    pull_contacts: float = _a(
        1.0,
        0,
        10,
        "weight",
        "Pull of an exploring initiative on an organisation tied to its team: this x the "
        "share of the organisation's contacts already in it, plus pull_progress x the "
        "team's size as a share of its target (visible progress).",
        GRANOVETTER,
    )
    pull_progress: float = _a(
        0.5, 0, 10, "weight", "Weight of visible progress in the pull (see pull_contacts).",
        GRANOVETTER,
    )  # fmt: skip
    momentum_coverage: float = _a(
        0.7,
        0,
        1,
        "fraction",
        "With snowballing, a team is assembled once it covers this share of the "
        "opportunity's needs and has go_ahead_share of its target size.",
    )
    convener_weeks: float = _a(
        4.0,
        0,
        104,
        "weeks",
        "Weeks a convening agency takes to assign a team once a champion acts.",
        CONVENER,
    )
    convened_commitment: float = _a(
        0.3,
        0,
        1,
        "fraction",
        "Least share of effort a member of a convened team must put in each week (the mandate).",
        CONVENER,
    )
    convened_doubt: float = _a(
        1.0,
        0,
        50,
        "evidence",
        "Reasons to disbelieve partners imposed by a convener start with about each other "
        "(they did not choose each other).",
        CONVENER,
    )
    convened_conflict: float = _a(
        0.5,
        0,
        10,
        "conflict",
        "Conflict a convened team starts storming with, besides its disagreements.",
        CONVENER,
    )
    search_urgency_squeeze: float = _a(
        0.5, 0, 1, "fraction", "Share of the search budget full urgency takes away."
    )
    coalition_search_multiple: float = _a(
        2.0, 0, 100, "ratio", "How much larger a coalition's search budget is."
    )
    go_ahead_share: float = _a(
        0.5,
        0,
        1,
        "fraction",
        "When the budget is spent, a team with at least this share of its target size "
        "(and two members) goes ahead; a smaller one stalls.",
    )
    # --- cohering ----------------------------------------------------------------------
    cohering_urgency_squeeze: float = _a(
        0.6, 0, 1, "fraction", "Share of the cohering clock full urgency takes away."
    )
    coalition_clock_multiple: float = _a(
        2.0, 0, 100, "ratio", "How much longer a coalition's cohering and delivery clocks are."
    )
    viability_mean: float = _a(
        0.6,
        0.01,
        0.99,
        "probability",
        "Mean of an opportunity's hidden viability (Beta distributed): how far it can "
        "really be realised; nobody sees it, partners only gather evidence about it. "
        "Above a half: what a champion glimpses usually looks worth a try.",
    )
    viability_concentration: float = _a(
        4.0,
        0.1,
        1_000,
        "pseudo-observations",
        "Concentration of the viability distribution (low: opportunities differ widely).",
    )
    evidence_rate: float = _a(
        0.5,
        0,
        1,
        "per week",
        "Weekly chance that a partner finds a reason, to believe or to disbelieve, from "
        "cohering until its collaboration ends.",
    )
    believe_viability: float = _a(
        0.4,
        0,
        1,
        "weight",
        "Weight of the opportunity's viability in the chance that a reason is one to believe.",
    )
    believe_fit: float = _a(
        0.2, 0, 1, "weight", "Weight of the partner's values fit with the team in that chance."
    )
    believe_payoff: float = _a(
        0.2, 0, 1, "weight", "Weight of the partner's own payoff in that chance."
    )
    believe_trust: float = _a(
        0.2, 0, 1, "weight", "Weight of the partner's trust in its partners in that chance."
    )
    jockeying_doubt: float = _a(
        0.24,
        0,
        1,
        "probability",
        "Chance that seeing another partner jockey for power gives a reason to disbelieve.",
    )
    min_evidence: float = _a(
        4.0,
        0,
        1_000,
        "reasons",
        "Reasons (to believe plus to disbelieve) a partner gathers before judging.",
    )
    coherent_margin: float = _a(
        0.05,
        0,
        1,
        "probability",
        "A partner is convinced when its confidence is this much above its exit threshold.",
    )
    fit_scale: float = _a(
        2.0,
        0,
        10,
        "ratio",
        "Values fit is 1 - this x the mean absolute distance to the team's mean values.",
    )
    commitment_share: float = _a(
        0.2,
        0,
        1,
        "fraction of the opportunity's worth",
        "Resources the partners commit together when a shared intent is found (the "
        "coherence phase shift); lost, in the share not delivered, if the initiative fails "
        "or partners part early.",
    )
    accountability: float = _a(
        0.2,
        0,
        1,
        "fraction",
        "Once resources are committed, a partner turns up this much more often: it closes "
        "this share of the gap between its commitment and always turning up.",
    )
    opening_contribution: float = _a(
        0.5,
        0,
        1,
        "fraction",
        "What a partner expects of the others when cohering starts (last week's "
        "contribution, taken as this).",
    )
    # --- establishing --------------------------------------------------------------------
    joint_project_weeks: float = _a(
        8.0, 0, 520, "weeks", "Set-up time of a joint project at full governance overhead."
    )
    legal_consortium_weeks: float = _a(
        26.0, 0, 520, "weeks", "Set-up time of a legal consortium at full governance overhead."
    )
    collective_weeks: float = _a(
        16.0, 0, 520, "weeks", "Set-up time of a collective at full governance overhead."
    )
    joint_project_max_size: int = _a(
        3, 2, 100, "organisations", "Largest team that sets up a joint project."
    )
    joint_project_trust: float = _a(
        0.5,
        0,
        1,
        "probability",
        "Team trust needed for a joint project; below it contracts (a legal consortium) "
        "stand in for trust.",
    )
    consortium_build_share: float = _a(
        0.6,
        0,
        1,
        "fraction",
        "Share of a consortium's opportunities whose intent is to build something.",
    )
    consortium_rules_share: float = _a(
        0.3,
        0,
        1,
        "fraction",
        "Share of a consortium's opportunities whose intent is to set rules (the rest: "
        "to align a sector).",
    )
    coalition_build_share: float = _a(
        0.1,
        0,
        1,
        "fraction",
        "Share of a coalition's opportunities whose intent is to build something.",
    )
    coalition_rules_share: float = _a(
        0.4,
        0,
        1,
        "fraction",
        "Share of a coalition's opportunities whose intent is to set rules (the rest: to "
        "align a sector).",
    )
    misfit_form_conflict: float = _a(
        0.5,
        0,
        100,
        "conflict",
        "Disagreement a team starts storming with, besides storming_disagreement, when its "
        "form does not suit its intent (a joint project builds, a legal consortium sets "
        "rules, a collective aligns).",
        PROVAN_KENIS,
    )
    legal_jockey_cost: float = _a(
        0.5,
        0,
        1,
        "fraction",
        "In a legal consortium a jockeying move earns only this share of the reasons to "
        "disbelieve it would earn elsewhere: contracts channel power struggles.",
        PROVAN_KENIS,
    )
    legal_pace: float = _a(
        0.8,
        0,
        1,
        "fraction",
        "A legal consortium's decisions are slow: its work yields at this share of the pace.",
        PROVAN_KENIS,
    )
    collective_turn_up: float = _a(
        0.3,
        0,
        1,
        "fraction",
        "A collective raises commitment: a member's chance of turning up becomes "
        "commitment + this x (1 - commitment).",
        PROVAN_KENIS,
    )
    collective_pace: float = _a(
        0.7,
        0,
        1,
        "fraction",
        "A collective delivers slowly: its work yields at this share of the pace.",
        PROVAN_KENIS,
    )
    joint_project_breach: float = _a(
        0.5,
        0,
        1,
        "fraction",
        "A joint project is quick but fragile: a breach in it needs only this share of "
        "the let-down (breach_evidence) it needs elsewhere.",
        PROVAN_KENIS,
    )
    setup_mistrust: float = _a(
        1.0,
        0,
        10,
        "ratio",
        "Set-up time grows by this x (1 - team trust): mistrust makes governance slower.",
    )
    setup_min_weeks: float = _a(1.0, 0, 52, "weeks", "Shortest set-up.")
    setup_cost_weeks: float = _a(
        52.0,
        1,
        1_000,
        "weeks per value unit",
        "Set-up cost is governance_overhead x set-up weeks / this, in value units.",
    )
    governance_evidence: float = _a(
        2.0,
        0,
        100,
        "reasons",
        "Establishing fails when the partners hold, on average per pair, this many more "
        "reasons to disbelieve than to believe in each other: mistrust too high to agree "
        "governance.",
    )
    # --- journeying -----------------------------------------------------------------------
    delivery_urgency_squeeze: float = _a(
        0.5, 0, 1, "fraction", "Share of the delivery clock full urgency takes away."
    )
    work_weeks: float = _a(
        8.0,
        0.1,
        1_000,
        "weeks",
        "Weeks of full contribution a performing consortium with full coverage needs.",
    )
    coalition_work_multiple: float = _a(
        2.0, 0, 100, "ratio", "How much more work a coalition's intent needs."
    )
    coalition_pace: float = _a(
        0.5, 0, 1, "fraction", "A coalition's delivery pace relative to a consortium's."
    )
    forming_efficiency: float = _a(
        0.3, 0, 1, "fraction", "Share of effort that becomes progress while forming.", TUCKMAN
    )
    storming_efficiency: float = _a(
        0.1, 0, 1, "fraction", "Share of effort that becomes progress while storming.", TUCKMAN
    )
    norming_efficiency: float = _a(
        0.6, 0, 1, "fraction", "Share of effort that becomes progress while norming.", TUCKMAN
    )
    performing_efficiency: float = _a(
        1.0, 0, 1, "fraction", "Share of effort that becomes progress while performing.", TUCKMAN
    )
    forming_weeks: float = _a(4.0, 0, 520, "weeks", "Weeks a team spends forming.", TUCKMAN)
    performing_weeks: float = _a(
        6.0, 0, 520, "weeks", "Weeks of norming with trust before a team performs.", TUCKMAN
    )
    norming_evidence: float = _a(
        1.0,
        0,
        100,
        "reasons",
        "Storming ends only once partners have gathered, since storming began, at least "
        "this many more reasons to believe than to disbelieve in each other (on average "
        "per pair), and conflict is low: trust grown relative to the team's own starting "
        "point, counted in evidence, so a team that starts trusting can grow too.",
        TUCKMAN,
    )
    norming_conflict: float = _a(
        0.15,
        0,
        10,
        "jockeying moves per member",
        "Conflict below which storming can end.",
        TUCKMAN,
    )
    relapse_conflict: float = _a(
        0.3,
        0,
        10,
        "jockeying moves per member",
        "Conflict above which a norming or performing team falls back into storming.",
        TUCKMAN,
    )
    conflict_memory: float = _a(
        0.95,
        0,
        1,
        "fraction per week",
        "Share of last week's unresolved conflict that remains this week of itself (the "
        "rest fades with time alone).",
    )
    storming_disagreement: float = _a(
        1.0,
        0,
        100,
        "conflict",
        "Unresolved disagreement (over methods and key decisions) a team starts storming "
        "with, before misfit adds to it.",
        TUCKMAN,
    )
    misfit_disagreement: float = _a(
        1.0,
        0,
        100,
        "ratio",
        "Storming starts with storming_disagreement x (1 + this x the team's mean values "
        "misfit, 1 - fit).",
    )
    resolve_rate: float = _a(
        1.0,
        0,
        100,
        "conflict per unit",
        "Conflict a team resolves per week per unit of relationship time x team trust: "
        "trust and time together settle disputes.",
    )
    jockey_conflict: float = _a(
        1.0,
        0,
        100,
        "conflict per move",
        "Conflict each jockeying move adds (per member).",
    )
    relationship_time: float = _a(
        0.3,
        0,
        1,
        "fraction of the week",
        "Share of a week a partner gives to building relationships when there is no "
        "pressure; pressure moves it to the task.",
    )
    relationship_gain: float = _a(
        1.6,
        0,
        100,
        "ratio",
        "Reasons to believe a partner earns per unit of relationship time, x trust_gain x "
        "(its contribution + turning_up_evidence): trust grows only from relationship time.",
        JOSANG,
    )
    pressure_squeeze: float = _a(
        0.5,
        0,
        1,
        "fraction",
        "Share of its relationship time a team under full pressure moves to the task "
        "(relationship time = relationship_time x (1 - this x pressure)).",
    )
    min_time_left: float = _a(
        0.05,
        0.001,
        1,
        "fraction of the clock",
        "Pressure is urgency x work left / time left, with time left counted as at least "
        "this (and pressure at most 1).",
    )
    conditional_base: float = _a(
        0.6,
        0,
        2,
        "ratio",
        "A conditional cooperator puts in this x what the others put in, plus "
        "conditional_trust x trust times it (at most 1).",
        FISCHBACHER,
    )
    conditional_trust: float = _a(
        0.8, 0, 2, "ratio", "How much trust raises a conditional cooperator's match.", FISCHBACHER
    )
    hump_gain: float = _a(
        1.6,
        0,
        10,
        "ratio",
        "A hump-shaped contributor puts in this x min(match, 1 - others) (at most 1).",
        FISCHBACHER,
    )
    turning_up_evidence: float = _a(
        1.0,
        0,
        100,
        "reasons",
        "Reasons to believe a partner earns by turning up without jockeying, before its "
        "contribution is added (both x trust_gain x relationship_gain x relationship time).",
        JOSANG,
    )
    jockeying_evidence: float = _a(
        1.0,
        0,
        100,
        "reasons",
        "Reasons to disbelieve from a jockeying move, x trust_gain x trust_loss_ratio.",
        JOSANG,
    )
    bad_faith_evidence: float = _a(
        1.0,
        0,
        100,
        "reasons",
        "Further reasons to disbelieve when the move is in bad faith, x trust_gain x "
        "trust_loss_ratio.",
        JOSANG,
    )
    free_riding_seen: float = _a(
        0.15,
        0,
        1,
        "fraction",
        "A partner who turns up but puts in less than this is seen to free-ride.",
    )
    free_riding_evidence: float = _a(
        0.5,
        0,
        100,
        "reasons",
        "Reasons to disbelieve from free riding seen, x trust_gain.",
        JOSANG,
    )
    sanction_evidence: float = _a(
        2.0,
        0,
        100,
        "reasons",
        "A journeying team acts against a partner about whom the others hold, on average, "
        "this many more reasons to disbelieve than to believe (a persistent free rider or "
        "bad actor), if it can (see sanctioning).",
    )
    expel_evidence: float = _a(
        4.0,
        0,
        100,
        "reasons",
        "Past this many net reasons to disbelieve the team expels the partner (if at least "
        "two others remain) instead of sanctioning it.",
    )
    sanction_floor: float = _a(
        0.5,
        0,
        1,
        "fraction",
        "A sanctioned partner puts in at least this much (as punishment raises cooperation "
        "in public-goods games, Fehr and Gächter 2000).",
        "Fehr and Gächter (2000); the value is a modelling choice",
    )
    sanction_conflict: float = _a(0.2, 0, 100, "conflict", "Conflict a sanction adds to the team.")
    expel_conflict: float = _a(0.5, 0, 100, "conflict", "Conflict an expulsion adds to the team.")
    midpoint: float = _a(
        0.5, 0, 1, "fraction of the clock", "When the midpoint review happens.", GERSICK
    )
    midpoint_behind: float = _a(
        0.25,
        0,
        1,
        "fraction delivered",
        "At the midpoint, a team with less progress than this is behind.",
        GERSICK,
    )
    rescope_evidence: float = _a(
        0.0,
        -100,
        100,
        "reasons",
        "A team behind at the midpoint re-scopes (back to cohering with a new, smaller "
        "intent and a new clock) when its members hold at least this many net reasons to "
        "believe in each other (on average per pair): it trusts itself.",
        GERSICK,
    )
    rescope_work_share: float = _a(
        0.6,
        0,
        1,
        "fraction",
        "A re-scoped intent needs this share of the work of the intent it replaces.",
        GERSICK,
    )
    rescope_progress_kept: float = _a(
        0.5,
        0,
        1,
        "fraction",
        "Share of the work done that still counts towards a re-scoped intent.",
    )
    max_turn_backs: int = _a(
        2,
        0,
        20,
        "moves",
        "Most times an initiative may turn back to an earlier stage (re-scope, replace a "
        "partner, re-find its intent); past it, the journey only goes forward.",
    )
    replace_coverage_drop: float = _a(
        0.1,
        0,
        1,
        "fraction of needs",
        "A cohering or journeying team whose coverage of the opportunity's needs falls by "
        "at least this when a partner leaves goes back to exploring to replace it.",
    )
    replacement_budget_share: float = _a(
        0.5,
        0,
        1,
        "fraction",
        "Share of the search budget a team gets to replace a partner who left.",
    )
    realign_confidence: float = _a(
        0.5,
        0,
        1,
        "confidence",
        "When its form is in place, a team whose members' mean confidence in the "
        "initiative is below this goes back to cohering: form talks revealed that the "
        "intent is not shared.",
    )
    midpoint_exit_evidence: float = _a(
        -1.0,
        -100,
        100,
        "reasons",
        "A team behind at the midpoint whose net reasons to believe in each other are below "
        "this parts gracefully.",
        GERSICK,
    )
    deadline_rescope_progress: float = _a(
        0.6,
        0,
        1,
        "fraction delivered",
        "At the deadline, a team that delivered at least this much re-scopes its intent to "
        "finish what matters (if it may still turn back) or parts gracefully.",
    )
    deadline_graceful_evidence: float = _a(
        0.0,
        -100,
        100,
        "reasons",
        "At the deadline, a team with less progress parts gracefully when its net reasons "
        "to believe in each other are at least this; otherwise it fails.",
    )
    breach_evidence: float = _a(
        3.0,
        0,
        100,
        "reasons",
        "A breach needs, besides trust below breach_threshold, at least this many more "
        "reasons to disbelieve than to believe in the partner: trust let down, not merely "
        "a low start.",
    )
    # --- value creation and meta-organisation ----------------------------------------------
    evolved_value_share: float = _a(
        0.8,
        0,
        1,
        "fraction",
        "Share of the original opportunity's value a re-scoped (evolved) intent is worth.",
    )
    graceful_value_share: float = _a(
        0.1,
        0,
        1,
        "fraction",
        "Share of the value of the work delivered that a graceful exit still puts to use "
        "(learning and ties are counted apart: learning_value, relational_share).",
    )
    learning_value: float = _a(
        0.1,
        0,
        10,
        "value units per member",
        "Value of what a member learns from working with partners whose capabilities "
        "differ from its own: this x its mean capability distance from them x the share "
        "of learning_weeks they worked together.",
        POWELL,
    )
    learning_weeks: float = _a(
        26.0,
        1,
        520,
        "weeks",
        "Weeks of working together (from cohering) for a member's full learning.",
        POWELL,
    )
    relational_share: float = _a(
        0.2,
        0,
        1,
        "fraction",
        "Share of the value a team delivers that is credited back, pair by pair, to the "
        "initiatives that first tied its members: the value of relationships.",
        GULATI,
    )
    child_progress: float = _a(
        0.5,
        0,
        10,
        "fraction of the work",
        "Progress a coalition gains when a consortium it spawned creates value.",
    )
    alliance_tie_base: float = _a(
        0.5,
        0,
        100,
        "ratio",
        "Members of a new alliance gain tie_trust x this reasons to believe in each other "
        "(ties strengthen).",
    )
    convene_rate: float = _a(
        0.02,
        0,
        1,
        "probability per week",
        "Weekly chance, times flywheel, that a lasting alliance convenes its members "
        "around a new opportunity (one of its idle members champions it).",
        ALLIANCES,
    )
    alliance_decay: float = _a(
        0.02,
        0,
        1,
        "fraction per week",
        "Share of the reasons to believe between an alliance's members that fades each "
        "week the alliance has nothing under way (trust needs renewal).",
        ALLIANCES,
    )
    dissolve_trust: float = _a(
        0.55,
        0,
        1,
        "probability",
        "An alliance whose members' mean trust in each other falls below this, or that "
        "has fewer than two members left, dissolves.",
        ALLIANCES,
    )
    reproduction_renewals: int = _a(
        2,
        1,
        100,
        "initiatives",
        "Renewals (later initiatives among its members that created value) after which a "
        "trusting alliance may become an organisation of its own.",
        ALLIANCES,
    )
    reproduction_trust: float = _a(
        0.75,
        0,
        1,
        "probability",
        "Mean trust among its members above which a renewed alliance may become an "
        "organisation (an association or joint venture).",
        ALLIANCES,
    )
    reproduction_rate: float = _a(
        0.02,
        0,
        1,
        "probability per week",
        "Weekly chance that an alliance ready to become an organisation does so; it takes "
        "the place of an idle organisation that leaves (the population size is fixed).",
        ALLIANCES,
    )
    direction_weeks: float = _a(
        26.0,
        1,
        520,
        "weeks",
        "Weeks of norming and performing a coalition needs for the full quality of its "
        "direction (its legitimacy times the share of these weeks it has spent).",
        DIRECTION,
    )
    direction_viability: float = _a(
        0.5,
        0,
        1,
        "fraction",
        "A spawned consortium's viability moves this far towards 1, times its coalition's "
        "direction quality (a direction found together rules out dead ends).",
        DIRECTION,
    )
    direction_fit: float = _a(
        0.5,
        0,
        1,
        "fraction",
        "A spawned consortium's members' values fit and payoff move this far towards 1, "
        "times its coalition's direction quality (they know why they are there).",
        DIRECTION,
    )
    direction_reasons: float = _a(
        2.0,
        0,
        50,
        "reasons",
        "Reasons to believe each member of a spawned consortium starts cohering with, "
        "times its coalition's direction quality (the intent is largely set: sense was "
        "made together).",
        DIRECTION,
    )
    spawn_rate: float = _a(
        0.04,
        0,
        1,
        "per week",
        "Weekly chance that a norming or performing coalition spawns a consortium.",
    )
    spawn_min_members: int = _a(
        4, 1, 500, "organisations", "Fewest working members a coalition needs to spawn."
    )

    @model_validator(mode="before")
    @classmethod
    def _no_booleans(cls, data: Any) -> Any:
        return refuse_booleans(data)

    @model_validator(mode="after")
    def _ordered(self) -> JourneyAssumptions:
        problems = []
        if self.act_floor > self.act_ceiling:
            problems.append("act_floor must not be above act_ceiling")
        if self.midpoint_exit_evidence > self.rescope_evidence:
            problems.append("midpoint_exit_evidence must not be above rescope_evidence")
        if self.expel_evidence < self.sanction_evidence:
            problems.append("expel_evidence must not be below sanction_evidence")
        if self.norming_conflict > self.relapse_conflict:
            problems.append("norming_conflict must not be above relapse_conflict")
        problems.extend(
            f"{kind}_build_share + {kind}_rules_share must not exceed 1"
            for kind in ("consortium", "coalition")
            if getattr(self, f"{kind}_build_share") + getattr(self, f"{kind}_rules_share") > 1
        )
        weights = self.believe_viability + self.believe_fit + self.believe_payoff
        if weights + self.believe_trust <= 0:
            problems.append("the believe_* weights must not all be 0")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class JourneySettings(JourneyParameters, JourneyAssumptions):
    """Parameters and assumptions together, by name: what a sweep or calibration varies.

    The two sets of names never overlap, so a flat mapping of values (a sweep's design
    point, ``--set`` overrides, ``mesa.batch_run`` keywords) says unambiguously which is
    which (:func:`split_settings`).
    """


def split_settings(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A flat mapping of values split into parameters and assumptions (by name)."""
    names = JourneyAssumptions.model_fields
    params = {k: v for k, v in values.items() if k not in names}
    assumptions = {k: v for k, v in values.items() if k in names}
    return params, assumptions
