"""Parameters of the journey model: the levers a scenario sets, with meaning, unit and range."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.parameters import declare as _p
from sim.parameters import refuse_booleans


class JourneyParameters(BaseModel):
    """Parameters of the journey model. Trust, self-interest and urgency come first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # --- the three at the centre -------------------------------------------------
    trust: float = _p(
        0.5,
        0,
        1,
        "probability",
        "Baseline trust: the prior mean of dyadic trust between organisations with no "
        "shared history (the mean of the Beta belief before any evidence).",
    )
    self_interest: float = _p(
        0.3,
        0,
        1,
        "probability",
        "Mean self-interest of organisations: drives power jockeying, bad-faith moves and "
        "holding back contributions; each organisation draws its own around this mean.",
    )
    urgency: float = _p(
        0.4,
        0,
        1,
        "fraction",
        "Time pressure: 0 leaves the full cohering and delivery clocks, 1 shortens them to "
        "40% and 50%; urgency also squeezes the time available to build trust and makes "
        "champions quicker to act and less patient in search.",
    )
    # --- run size ---------------------------------------------------------------
    steps: int = _p(260, 1, 10_000, "weeks", "Number of weekly ticks simulated.")
    completion_weeks: int = _p(
        0,
        0,
        10_000,
        "weeks",
        "Weeks the run may go on after `steps`, with no new opportunities, until every "
        "started initiative has ended (0: stop at `steps`; initiatives still under way are "
        "then counted as unfinished).",
    )
    n_organisations: int = _p(100, 4, 100_000, "organisations", "Number of organisations.")
    turnover: float = _p(
        0.05,
        0,
        1,
        "share per year",
        "Share of organisations that leave the ecosystem in a year (leaving any initiative "
        "they are in), each replaced by a newcomer with fresh traits and no ties.",
    )
    # --- network ----------------------------------------------------------------
    network_strength: float = _p(
        0.5,
        0,
        1,
        "fraction",
        "Strength of informal networks (prior ties, little black books): how dense the "
        "network of informal ties is and how much trust a tie confers.",
    )
    network_structure: Literal["small_world", "random", "scale_free", "none"] = Field(
        "small_world",
        description="Shape of the informal network: small_world (Watts-Strogatz), random "
        "(Erdős-Rényi), scale_free (Barabási-Albert) or none.",
        json_schema_extra={"unit": "choice"},
    )
    tie_trust: float = _p(
        3.0,
        0,
        50,
        "evidence",
        "Reasons to believe that an informal tie of full strength confers on a pair at "
        "the start (scaled by network_strength).",
    )
    platform: float = _p(
        0.0,
        0,
        1,
        "fraction",
        "Share of organisations on an open-innovation platform: members of a platform reach "
        "each other within a short distance (the assumption platform_distance) and trust "
        "each other a little from the start (platform_trust); newcomers join it in the "
        "same share.",
    )
    platform_trust: float = _p(
        1.0,
        0,
        50,
        "evidence",
        "Reasons to believe that being on the same platform confers on a pair at the start "
        "(vetting by the platform).",
    )
    convener: Literal["none", "agency"] = Field(
        "none",
        description="Who assembles teams: none (the article's setting: champions search and "
        "partners choose to join) or agency (a convening agency assigns a team at once, by "
        "capability alone, mandates a share of commitment, and partners it imposes on each "
        "other start with less trust and more conflict).",
        json_schema_extra={"unit": "choice"},
    )
    # --- search -----------------------------------------------------------------
    search_cost: float = _p(
        1.0,
        0,
        20,
        "weeks per network step",
        "Time a champion spends to recruit one partner, per step of network distance "
        "(a direct tie costs one step; a stranger with no path costs five).",
    )
    search_budget: float = _p(
        24.0,
        1,
        520,
        "weeks",
        "Search effort a champion can spend before the initiative stalls (shrunk by up "
        "to half by urgency; coalitions get double).",
    )
    incumbent_p: float = _p(
        0.6,
        0,
        1,
        "probability",
        "Guimerà p: probability that a slot is filled by an incumbent (an organisation "
        "that has collaborated before) rather than a newcomer.",
    )
    repeat_q: float = _p(
        0.5,
        0,
        1,
        "probability",
        "Guimerà q: probability that an incumbent is a prior collaborator of someone "
        "already on the team.",
    )
    capability_weight: float = _p(
        0.5,
        0,
        1,
        "fraction",
        "Trade-off in partner choice: 1 scores candidates only on capability coverage of "
        "the opportunity, 0 only on chemistry (values similarity plus trust).",
    )
    search_breadth: int = _p(
        6, 1, 200, "candidates", "Candidates a champion considers for each slot."
    )
    due_diligence_cost: float = _p(
        0.1,
        0,
        20,
        "weeks per candidate",
        "Time spent considering each candidate for a slot (up to search_breadth of them): a "
        "broad, designed search costs more than taking the first contact.",
    )
    snowball: float = _p(
        0.0,
        0,
        1,
        "fraction",
        "Momentum of snowballing. 0 leaves recruiting to the champion, who assembles a team "
        "of its target size; above 0 every member also asks its own contacts (each with this "
        "chance per search step), invitees are swayed by contacts already in (social proof), "
        "idle organisations near a growing initiative join unasked once its pull passes "
        "their threshold (Granovetter 1978), and the team is open until the opportunity's "
        "needs are covered, up to (1 + this) x the target size.",
    )
    consortium_size: int = _p(5, 2, 50, "organisations", "Target size m of a consortium.")
    coalition_size: int = _p(
        16, 3, 500, "organisations", "Target size of a coalition (large, representative)."
    )
    coalition_share: float = _p(
        0.0,
        0,
        1,
        "fraction",
        "Share of opportunities that are sector-wide, for a champion of average influence "
        "(more for influential champions): a sector-wide opportunity is taken on by a "
        "coalition, others by a consortium. Journeying coalitions spawn consortia that act.",
    )
    # --- organisations ----------------------------------------------------------
    n_sectors: int = _p(
        5,
        1,
        100,
        "sectors",
        "Number of sectors organisations belong to (equal shares): a coalition is "
        "legitimate in so far as its members, weighted by influence, represent them.",
    )
    n_capabilities: int = _p(
        6, 1, 20, "dimensions", "Number of capability dimensions an opportunity may need."
    )
    specialisation: float = _p(
        0.5,
        0,
        1,
        "fraction",
        "Capability mix: 0 gives every organisation a bit of everything, 1 makes each "
        "strong in a few dimensions only (so partners are needed).",
    )
    risk_appetite: float = _p(
        0.5,
        0,
        1,
        "probability",
        "Mean risk appetite: a partner with low appetite needs more confidence to stay "
        "(its exit threshold is 0.65 - 0.4 x appetite).",
    )
    commitment: float = _p(
        0.6,
        0,
        1,
        "fraction",
        "Mean share of effort the day job leaves for the initiative; with probability "
        "1 - commitment an organisation puts nothing in that week.",
    )
    conditional_share: float = _p(
        0.5, 0, 1, "fraction", "Share of conditional cooperators (Fischbacher et al. 2001)."
    )
    free_rider_share: float = _p(0.3, 0, 1, "fraction", "Share of free riders.")
    hump_share: float = _p(
        0.14,
        0,
        1,
        "fraction",
        "Share of hump-shaped contributors; the rest (1 minus the three shares) "
        "contribute unconditionally.",
    )
    # --- trust dynamics ---------------------------------------------------------
    trust_gain: float = _p(
        0.5,
        0,
        10,
        "evidence per week",
        "Reasons to believe a partner earns per week of good collaboration.",
    )
    trust_loss_ratio: float = _p(
        3.0,
        1,
        50,
        "ratio",
        "Asymmetry: reasons to disbelieve from a bad act, as a multiple of trust_gain.",
    )
    trust_prior_weight: float = _p(
        4.0,
        0.5,
        100,
        "evidence",
        "Strength of the trust prior, in pseudo-observations: higher means first "
        "impressions move trust less.",
    )
    breach_threshold: float = _p(
        0.25,
        0,
        1,
        "probability",
        "A journeying member whose trust in a partner falls below this, after being let "
        "down (see the assumption breach_evidence), breaks with it: the initiative fails "
        "with a trust breach.",
    )
    # --- the journey ------------------------------------------------------------
    opportunity_rate: float = _p(
        0.01,
        0,
        1,
        "per organisation per week",
        "Probability that an idle organisation glimpses an opportunity in a week.",
    )
    opportunity_value: float = _p(
        1.0,
        0.01,
        1_000,
        "value units",
        "Median value of an opportunity if achieved in full (values are log-normal "
        "around it, sigma 0.5; a coalition's direction is worth three times as much).",
    )
    shock_rate: float = _p(
        0.0,
        0,
        52,
        "per year",
        "Rate of ecosystem-wide shocks (a shared sense that the status quo is untenable): "
        "each raises the urgency and glimpsing of many organisations at once and sets off "
        "sector-wide opportunities (see the shock_* assumptions).",
    )
    cohering_weeks: float = _p(
        20.0, 1, 520, "weeks", "Cohering clock without urgency (coalitions get double)."
    )
    delivery_weeks: float = _p(
        80.0, 1, 1_040, "weeks", "Delivery clock without urgency (coalitions get double)."
    )
    governance_overhead: float = _p(
        0.5,
        0,
        1,
        "fraction",
        "Cost and time of setting up a form and co-designing governance: at 1 a joint "
        "project takes 8 to 16 weeks, a collective 16 to 32 and a legal consortium 26 to "
        "52 (more when the team trusts itself less); 0 makes set-up immediate and free.",
    )
    jockeying_rate: float = _p(
        0.08,
        0,
        1,
        "per week",
        "Weekly probability of a power-jockeying move by a fully self-interested member.",
    )
    bad_faith_share: float = _p(
        0.5,
        0,
        1,
        "fraction",
        "Share of a fully self-interested organisation's jockeying moves made in bad faith "
        "(a breach that costs much trust); an organisation's share is this x its own "
        "self-interest.",
    )
    sanctioning: float = _p(
        0.3,
        0,
        1,
        "probability per week",
        "Willingness and ability of journeying partners to act against a partner they "
        "distrust (a free rider or bad actor): the weekly chance that they sanction it "
        "(it must then put in more) or, if trust has collapsed, expel it.",
    )
    alliance_trust: float = _p(
        0.65,
        0,
        1,
        "probability",
        "Mean trust within a team that created value above which it becomes a lasting "
        "alliance (a meta-organisation) that champions again.",
    )
    flywheel: float = _p(
        0.5,
        0,
        5,
        "fraction",
        "How actively lasting alliances convene their members around new opportunities "
        "(times the assumption convene_rate per week); 0: alliances never convene and "
        "only fade. What the flywheel yields (later success among the same partners) "
        "follows from the trust they built.",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_booleans(cls, data: Any) -> Any:
        return refuse_booleans(data)

    @model_validator(mode="after")
    def _shares_fit(self) -> JourneyParameters:
        total = self.conditional_share + self.free_rider_share + self.hump_share
        if total > 1 + 1e-9:
            msg = (
                f"conditional_share + free_rider_share + hump_share is {total:.3g}; it "
                "must be at most 1 (the rest contribute unconditionally)"
            )
            raise ValueError(msg)
        return self
