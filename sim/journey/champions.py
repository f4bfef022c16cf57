"""Champions: they seek validation before acting, and an initiative that loses one may drift.

A champion's chance of acting (:func:`sim.journey.rules.act_probability`, raised by
urgency and risk appetite) is scaled by what the opportunity looks worth (its potential
against a typical one's, ^ ``act_value_elasticity``) and by what its contacts say: every
organisation it is tied to (informally or by working together) reads the opportunity's
viability with noise (``validation_noise``) and says yes when its read is above one
half; the champion weighs them by its trust in them (``validation_weight``). When the
champion leaves an initiative under way, the most committed member takes over, and the
others doubt (``champion_loss_doubt``; a journeying team also gains
``champion_loss_conflict``).
"""

from __future__ import annotations

from sim.journey.initiatives import Initiative
from sim.journey.rules import act_probability, validated_chance
from sim.journey.stages import Kind
from sim.journey.state import JourneyState


def validation(state: JourneyState, ini: Initiative) -> float | None:
    """Trust-weighted share of the champion's contacts who say yes (None: no contacts)."""
    c = ini.champion
    contacts = state.network.contacts(c)
    if contacts.size == 0:
        return None
    noise = state.assumptions.validation_noise
    reads = ini.viability + noise * state.rng.standard_normal(contacts.size)
    weight = state.trust.of(c, contacts)
    return float((weight * (reads > 0.5)).sum() / weight.sum())


def act_chance(state: JourneyState, ini: Initiative) -> float:
    """Chance that the champion acts on ``ini``, after asking its contacts."""
    p, a = state.params, state.assumptions
    c = ini.champion
    urgency = min(p.urgency + float(state.urgency_boost[c]), 1.0)
    typical = p.opportunity_value * (
        a.coalition_value_multiple if ini.kind is Kind.COALITION else 1.0
    )
    base = act_probability(urgency, float(state.risk_appetite[c]), a)
    said = validation(state, ini)
    return validated_chance(base, ini.potential / typical, said, a)
