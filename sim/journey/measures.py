"""Run measures: every figure a run reports, defined once, with its meaning.

Each measure is a reporter function ``f(model) -> float`` that Mesa's ``DataCollector``
can call every tick, and that :func:`sim.runs.evaluate` calls once at the end of a run
for sweeps. A measure that has nothing to measure (no initiative ended yet, say) is NaN,
never a made-up zero; sweeps and analysis count such values.

Outcome shares are over *started* initiatives that have ended: those whose champion
acted on the opportunity. Opportunities that nobody acted on end at latent value as
``lapsed`` and are counted in ``lapsed_share`` instead, so the shares describe
collaborations that were attempted. Started initiatives still under way when the run
ends are counted in ``unfinished_share`` (the parameter ``completion_weeks`` lets a run
go on until they have ended).

The pattern measures (:data:`PATTERN_MEASURES`) put a run beside published figures:
alliance outcomes in Reuer and Zollo's (2005) three categories, consortium size, repeat
partnering. They describe a run as a whole, so they are computed when it ends (run
records, sweeps, ``mesa.batch_run``) but not collected week by week in the timeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from sim.journey.stages import STARTED_OUTCOMES, VALUE_OUTCOMES, Kind, Outcome, Stage

if TYPE_CHECKING:
    from sim.journey.state import JourneyState as JourneyModel


@dataclass(frozen=True)
class Measure:
    """A named run measure."""

    name: str
    unit: str
    doc: str
    fn: Callable[[JourneyModel], float]
    weekly: bool = True  # collected every week in a run's timeline (else at the end only)


def per_tick(model: JourneyModel, key: str, compute: Callable[[JourneyModel], Any]) -> Any:
    """``compute(model)``, worked out once per tick and shared by the reporters that need it.

    Reporters are read after a step, when the model does not change until the next one.
    """
    cache = model.__dict__.setdefault("_per_tick_cache", {})
    hit = cache.get(key)
    if hit is not None and hit[0] == model.tick:
        return hit[1]
    value = compute(model)
    cache[key] = (model.tick, value)
    return value


def _started_ended(model: JourneyModel) -> list:
    return per_tick(model, "started_ended", _compute_started_ended)


def _compute_started_ended(model: JourneyModel) -> list:
    return [i for i in model.initiatives if i.outcome is not None and i.started]


def outcome_share(model: JourneyModel, outcome: Outcome) -> float:
    """Share of started, ended initiatives that ended with ``outcome``."""
    ended = _started_ended(model)
    if not ended:
        return float("nan")
    return sum(1 for i in ended if i.outcome is outcome) / len(ended)


def _outcome_measure(outcome: Outcome) -> Measure:
    label = outcome.value.replace("_", " ")
    return Measure(
        f"{outcome.value}_share",
        "fraction",
        f"Share of started initiatives that ended {label}.",
        partial(outcome_share, outcome=outcome),
    )


def lapsed_share(model: JourneyModel) -> float:
    """Share of ended opportunities that nobody acted on."""
    ended = [i for i in model.initiatives if i.outcome is not None]
    if not ended:
        return float("nan")
    return sum(1 for i in ended if i.outcome is Outcome.LAPSED) / len(ended)


def unfinished_share(model: JourneyModel) -> float:
    """Share of started initiatives still under way (no outcome yet)."""
    started = [i for i in model.initiatives if i.started]
    if not started:
        return float("nan")
    return sum(1 for i in started if i.outcome is None) / len(started)


def value_creation_share(model: JourneyModel) -> float:
    """Share of started, ended initiatives that achieved or evolved."""
    ended = _started_ended(model)
    if not ended:
        return float("nan")
    return sum(1 for i in ended if i.outcome in VALUE_OUTCOMES) / len(ended)


def value_created(model: JourneyModel) -> float:
    """Total value created by all initiatives so far."""
    return float(sum(i.value for i in model.initiatives))


def value_delivered(model: JourneyModel) -> float:
    """Value delivered by the work of all initiatives so far."""
    return float(sum(i.delivered for i in model.initiatives))


def learning_value(model: JourneyModel) -> float:
    """Value of what members learned from working with partners unlike them."""
    return float(sum(i.learning for i in model.initiatives))


def relational_value(model: JourneyModel) -> float:
    """Delivered value credited back to the initiatives whose ties made it possible."""
    return float(sum(i.relational for i in model.initiatives))


def value_per_organisation(model: JourneyModel) -> float:
    """Value created per organisation."""
    return value_created(model) / model.n


def time_to_value(model: JourneyModel) -> float:
    """Mean weeks from glimpsing an opportunity to creating value (achieved or evolved)."""
    weeks = [
        i.entered["value_creation"] - i.entered["latent_value"]
        for i in model.initiatives
        if i.outcome in VALUE_OUTCOMES and "value_creation" in i.entered
    ]
    return float(np.mean(weeks)) if weeks else float("nan")


def weeks_in(model: JourneyModel, stage: Stage) -> float:
    """Mean weeks an initiative spent in ``stage`` (over those that left it)."""
    key = stage.name.lower()
    spans = [
        i.exited[key] - i.entered[key]
        for i in model.initiatives
        if key in i.entered and key in i.exited
    ]
    return float(np.mean(spans)) if spans else float("nan")


def stuck_in_storming_share(model: JourneyModel) -> float:
    """Share of initiatives that reached journeying and ended stuck in storming."""
    ended = [i for i in model.initiatives if i.outcome is not None and "journeying" in i.entered]
    if not ended:
        return float("nan")
    return sum(1 for i in ended if i.stuck_in_storming) / len(ended)


def _known_trust(model: JourneyModel) -> np.ndarray:
    """Trust over pairs that share an informal tie or have worked together."""

    def compute(m: JourneyModel) -> np.ndarray:
        return m.trust.of(*m.network.known_pairs())

    return per_tick(model, "known_trust", compute)


def mean_trust(model: JourneyModel) -> float:
    """Mean trust over pairs that share an informal tie or have worked together."""
    values = _known_trust(model)
    return float(values.mean()) if values.size else float("nan")


def trust_sd(model: JourneyModel) -> float:
    """Standard deviation of trust over those pairs."""
    values = _known_trust(model)
    return float(values.std()) if values.size else float("nan")


def low_trust_share(model: JourneyModel) -> float:
    """Share of those pairs whose trust is below 0.3."""
    values = _known_trust(model)
    return float((values < 0.3).mean()) if values.size else float("nan")


LOW_VIABILITY = 0.5  # an opportunity below this could not really be realised


def _graceful_exits(model: JourneyModel) -> list:
    return [i for i in model.initiatives if i.outcome is Outcome.GRACEFUL_EXIT]


def exit_targeting(model: JourneyModel) -> float:
    """Share of graceful exits that were on low-viability opportunities."""
    exits = _graceful_exits(model)
    if not exits:
        return float("nan")
    return sum(1 for i in exits if i.viability < LOW_VIABILITY) / len(exits)


def weeks_to_exit(model: JourneyModel) -> float:
    """Mean weeks from the first reasons (cohering) to a graceful exit."""
    weeks = [
        i.outcome_tick - i.entered_first["cohering"]
        for i in _graceful_exits(model)
        if "cohering" in i.entered_first
    ]
    return float(np.mean(weeks)) if weeks else float("nan")


def resources_sunk(model: JourneyModel) -> float:
    """Resources committed at the phase shift and lost: the share not delivered."""
    t = model.table
    return float(
        sum(
            t.committed[i.id] * (1.0 - min(float(t.progress[i.id]), 1.0))
            for i in model.initiatives
            if i.outcome in (Outcome.FAILED, Outcome.GRACEFUL_EXIT)
        )
    )


def repeat_tie_share(model: JourneyModel) -> float:
    """Share of collaborating pairs that have worked together more than once."""
    pairs = model.network.collaborations()[0].size
    if pairs == 0:
        return float("nan")
    return float(model.network.collaborations(2)[0].size / pairs)


def giant_component_share(model: JourneyModel) -> float:
    """Share of organisations in the largest connected part of the collaboration network."""
    rows, cols, _ = model.network.collaborations()
    n = model.n
    return giant_component(csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n)))


def giant_component(adjacency: Any) -> float:
    """Share of nodes in the largest connected component of a 0/1 adjacency matrix.

    ``adjacency`` is a dense array or a scipy sparse matrix.
    """
    n = adjacency.shape[0]
    if n == 0:
        return float("nan")
    _, labels = connected_components(csr_matrix(adjacency), directed=False)
    sizes = np.bincount(labels)
    largest = sizes.max()
    if largest == 1:  # no collaboration at all: no component to speak of
        return 0.0
    return float(largest / n)


def meta_organisations(model: JourneyModel) -> float:
    """Number of lasting alliances (meta-organisations) formed."""
    return float(sum(1 for i in model.initiatives if "meta_organisation" in i.entered))


def initiatives_started(model: JourneyModel) -> float:
    """Number of opportunities a champion acted on."""
    return float(sum(1 for i in model.initiatives if i.started))


def _alliances_ended(model: JourneyModel) -> list:
    """Initiatives that reached journeying (a formed alliance) and have ended."""
    return [i for i in model.initiatives if i.outcome is not None and "journeying" in i.entered]


# Reuer and Zollo's (2005) categories for alliances that ended, from the model's outcomes
ALLIANCE_SUCCESS: frozenset[Outcome] = VALUE_OUTCOMES
ALLIANCE_FAILURE: frozenset[Outcome] = frozenset({Outcome.FAILED})


def alliance_share(model: JourneyModel, category: str) -> float:
    """Share of formed, ended alliances in a Reuer-Zollo ``category``.

    ``category`` is ``"success"`` (achieved or evolved), ``"failure"`` (failed) or
    ``"between"`` (every other ending: a graceful exit, or drifting apart or stalling
    after turning back).
    """
    ended = _alliances_ended(model)
    if not ended:
        return float("nan")
    if category == "success":
        hits = sum(1 for i in ended if i.outcome in ALLIANCE_SUCCESS)
    elif category == "failure":
        hits = sum(1 for i in ended if i.outcome in ALLIANCE_FAILURE)
    else:
        hits = sum(1 for i in ended if i.outcome not in ALLIANCE_SUCCESS | ALLIANCE_FAILURE)
    return hits / len(ended)


def mean_consortium_size(model: JourneyModel) -> float:
    """Mean number of partners of the consortia that became formal partnerships."""
    sizes = [
        len(i.tied)
        for i in model.initiatives
        if i.kind is Kind.CONSORTIUM and "establishing" in i.entered and i.tied
    ]
    return float(np.mean(sizes)) if sizes else float("nan")


def never_repeat_share(model: JourneyModel) -> float:
    """Share of organisations that have collaborated and never with the same one twice."""
    net = model.network
    partnered = np.zeros(model.n, dtype=bool)
    partnered[net.collaborations()[0]] = True
    if not partnered.any():
        return float("nan")
    repeated = np.zeros(model.n, dtype=bool)
    repeated[net.collaborations(2)[0]] = True
    return float((partnered & ~repeated).sum() / partnered.sum())


def active_initiatives(model: JourneyModel) -> float:
    """Initiatives between latent value and journeying (not yet ended) at this tick."""
    return float(
        sum(1 for i in model.initiatives if Stage.LATENT_VALUE <= i.stage <= Stage.JOURNEYING)
    )


def success_share(model: JourneyModel, keep: Callable[[Any], bool]) -> float:
    """Value-creation share among started, ended initiatives that ``keep`` selects."""
    chosen = [i for i in _started_ended(model) if keep(i)]
    if not chosen:
        return float("nan")
    return sum(1 for i in chosen if i.outcome in VALUE_OUTCOMES) / len(chosen)


def _spawned(ini: Any) -> bool:
    return ini.spawned_by >= 0


def _independent(ini: Any) -> bool:
    return ini.spawned_by < 0 and ini.kind is Kind.CONSORTIUM


def _repeat(ini: Any) -> bool:
    return "cohering" in ini.entered and ini.repeat_team


def _first_time(ini: Any) -> bool:
    return "cohering" in ini.entered and not ini.repeat_team


def _convened(ini: Any) -> bool:
    return ini.convened_by >= 0


def _events_of(model: JourneyModel, kind: str) -> float:
    return float(sum(1 for e in model.events if e.kind == kind))


def alliances_dissolved(model: JourneyModel) -> float:
    """Lasting alliances that dissolved (their trust faded, or too few members were left)."""
    return _events_of(model, "dissolve")


def organisations_founded(model: JourneyModel) -> float:
    """Lasting alliances that became organisations of their own."""
    return _events_of(model, "reproduce")


ECOSYSTEM_MEASURES: tuple[Measure, ...] = (
    Measure(
        "convened_success_share",
        "fraction",
        "Value-creation share of the initiatives lasting alliances convened among their "
        "members (that ended): the flywheel's yield.",
        partial(success_share, keep=_convened),
        weekly=False,
    ),
    Measure(
        "alliances_dissolved",
        "count",
        "Lasting alliances that dissolved (trust faded unused, or too few members left).",
        alliances_dissolved,
        weekly=False,
    ),
    Measure(
        "organisations_founded",
        "count",
        "Lasting alliances that became organisations of their own (associations, joint ventures).",
        organisations_founded,
        weekly=False,
    ),
    Measure(
        "spawned_success_share",
        "fraction",
        "Value-creation share of the consortia spawned by coalitions (that ended).",
        partial(success_share, keep=_spawned),
        weekly=False,
    ),
    Measure(
        "independent_success_share",
        "fraction",
        "Value-creation share of the consortia no coalition spawned (that ended).",
        partial(success_share, keep=_independent),
        weekly=False,
    ),
    Measure(
        "repeat_success_share",
        "fraction",
        "Value-creation share of the initiatives whose team, when it started cohering, "
        "had two partners who had worked together before (that ended).",
        partial(success_share, keep=_repeat),
        weekly=False,
    ),
    Measure(
        "first_time_success_share",
        "fraction",
        "Value-creation share of the initiatives whose partners had never worked together "
        "before (that reached cohering and ended).",
        partial(success_share, keep=_first_time),
        weekly=False,
    ),
)

ALLIANCE_MAPPING = (
    "among initiatives that reached journeying (formed alliances) and ended: achieved or "
    "evolved counts as success, failed as failure, every other ending (a graceful exit, or "
    "drifting apart or stalling after turning back) as in between"
)
PATTERN_MEASURES: tuple[Measure, ...] = (
    Measure(
        "alliance_success_share",
        "fraction",
        "Share of formed alliances that ended successfully, in Reuer and Zollo's (2005) "
        f"categories ({ALLIANCE_MAPPING}).",
        partial(alliance_share, category="success"),
        weekly=False,
    ),
    Measure(
        "alliance_failure_share",
        "fraction",
        "Share of formed alliances that ended in failure (Reuer and Zollo's categories; "
        "see alliance_success_share).",
        partial(alliance_share, category="failure"),
        weekly=False,
    ),
    Measure(
        "alliance_between_share",
        "fraction",
        "Share of formed alliances that ended in between success and failure (Reuer and "
        "Zollo's expiry or withdrawal; see alliance_success_share).",
        partial(alliance_share, category="between"),
        weekly=False,
    ),
    Measure(
        "mean_consortium_size",
        "organisations",
        "Mean number of partners of the consortia that became formal partnerships (their "
        "team when last established), coalitions left out.",
        mean_consortium_size,
        weekly=False,
    ),
    Measure(
        "never_repeat_share",
        "fraction",
        "Share of organisations that have collaborated and never with the same partner "
        "twice (organisations there now; a newcomer starts with no collaborations).",
        never_repeat_share,
        weekly=False,
    ),
)

MEASURES: dict[str, Measure] = {
    m.name: m
    for m in [
        *(_outcome_measure(o) for o in STARTED_OUTCOMES),
        Measure(
            "value_creation_share",
            "fraction",
            "Share of started initiatives that ended achieved or evolved.",
            value_creation_share,
        ),
        Measure(
            "unfinished_share",
            "fraction",
            "Share of started initiatives still under way at the end of the run (the "
            "outcome shares are shares of the others: started initiatives that ended).",
            unfinished_share,
        ),
        Measure(
            "lapsed_share",
            "fraction",
            "Share of ended opportunities that nobody acted on.",
            lapsed_share,
        ),
        Measure(
            "value_created",
            "value units",
            "Total value created in the run: delivered + learning - set-up costs paid.",
            value_created,
        ),
        Measure(
            "value_delivered",
            "value units",
            "Value delivered by the work of the initiatives.",
            value_delivered,
        ),
        Measure(
            "learning_value",
            "value units",
            "Value of what members learned from partners unlike them (kept by every "
            "ending, a graceful exit included).",
            learning_value,
        ),
        Measure(
            "relational_value",
            "value units",
            "Delivered value credited back to the initiatives that first tied the teams "
            "that delivered it (a share of value_delivered, not added to value_created).",
            relational_value,
        ),
        Measure(
            "value_per_organisation",
            "value units",
            "Value created per organisation.",
            value_per_organisation,
        ),
        Measure(
            "time_to_value",
            "weeks",
            "Mean weeks from glimpsing an opportunity to creating value (achieved or evolved).",
            time_to_value,
        ),
        *(
            Measure(
                f"weeks_{s.name.lower()}",
                "weeks",
                f"Mean weeks an initiative spent {s.label} (over those that left that stage).",
                partial(weeks_in, stage=s),
            )
            for s in (Stage.EXPLORING, Stage.COHERING, Stage.ESTABLISHING, Stage.JOURNEYING)
        ),
        Measure(
            "stuck_in_storming_share",
            "fraction",
            "Share of initiatives that reached journeying and failed stuck in storming.",
            stuck_in_storming_share,
        ),
        Measure(
            "exit_targeting",
            "fraction",
            f"Share of graceful exits that were on low-viability opportunities (hidden "
            f"viability below {LOW_VIABILITY}): how well partners' reasons target their exits "
            "(exits blind to viability would give the share of such opportunities, half at "
            "the default viability distribution).",
            exit_targeting,
        ),
        Measure(
            "weeks_to_exit",
            "weeks",
            "Mean weeks from an initiative's first reasons to believe or disbelieve (when it "
            "started cohering) to its graceful exit: how early partners part.",
            weeks_to_exit,
        ),
        Measure(
            "resources_sunk",
            "value units",
            "Resources partners committed when they found a shared intent and lost (the share "
            "not delivered) in initiatives that failed or ended in a graceful exit.",
            resources_sunk,
        ),
        Measure(
            "mean_trust",
            "probability",
            "Mean trust over pairs that share an informal tie or have worked together.",
            mean_trust,
        ),
        Measure("trust_sd", "probability", "Spread (standard deviation) of that trust.", trust_sd),
        Measure(
            "low_trust_share",
            "fraction",
            "Share of those pairs with trust below 0.3.",
            low_trust_share,
        ),
        Measure(
            "repeat_tie_share",
            "fraction",
            "Share of collaborating pairs that have worked together more than once.",
            repeat_tie_share,
        ),
        Measure(
            "giant_component_share",
            "fraction",
            "Share of organisations in the largest connected part of the collaboration network.",
            giant_component_share,
        ),
        Measure(
            "meta_organisations",
            "count",
            "Lasting alliances (meta-organisations) formed.",
            meta_organisations,
        ),
        Measure(
            "initiatives_started",
            "count",
            "Opportunities a champion acted on.",
            initiatives_started,
        ),
        *PATTERN_MEASURES,
        *ECOSYSTEM_MEASURES,
    ]
}


def measure_all(model: JourneyModel) -> dict[str, float]:
    """Every run measure for ``model`` as it stands."""
    return {name: float(m.fn(model)) for name, m in MEASURES.items()}


def reporters() -> dict[str, Callable[[JourneyModel], float]]:
    """Model reporters for Mesa's ``DataCollector``: every run measure."""
    return {name: m.fn for name, m in MEASURES.items()}


def weekly_reporters() -> dict[str, Callable[[JourneyModel], float]]:
    """Reporters of the measures collected every week in a run's timeline."""
    return {name: m.fn for name, m in MEASURES.items() if m.weekly}
