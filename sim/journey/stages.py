"""The journey's stages, the outcomes an initiative can end with, and the legal moves.

Everything about which stage may follow which lives here, in one table, so the model,
the tests and the reports agree. The journey mostly moves forward but can turn back:
to exploring to replace a partner who left, to cohering to re-scope or to re-find an
intent that form talks showed was not shared (:mod:`sim.journey.turning_back`).
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Stage(IntEnum):
    """Stages of an initiative (and of the organisations working in it).

    ``IDLE`` is an organisation outside any initiative; ``ENDED`` an initiative that
    has finished. The seven journey stages sit in between, in journey order.
    """

    IDLE = 0
    LATENT_VALUE = 1
    EXPLORING = 2
    COHERING = 3
    ESTABLISHING = 4
    JOURNEYING = 5
    VALUE_CREATION = 6
    META_ORGANISATION = 7
    ENDED = 8

    @property
    def label(self) -> str:
        """Human-readable name, e.g. ``"latent value"``."""
        return self.name.lower().replace("_", " ")


JOURNEY_STAGES: tuple[Stage, ...] = (
    Stage.LATENT_VALUE,
    Stage.EXPLORING,
    Stage.COHERING,
    Stage.ESTABLISHING,
    Stage.JOURNEYING,
    Stage.VALUE_CREATION,
    Stage.META_ORGANISATION,
)


class Outcome(StrEnum):
    """How an initiative ended.

    ``LAPSED`` ends an opportunity nobody acted on (it never started); ``STALLED`` an
    initiative whose search for partners ran out while exploring.
    """

    LAPSED = "lapsed"
    ACHIEVED = "achieved"
    EVOLVED = "evolved"
    GRACEFUL_EXIT = "graceful_exit"
    DRIFTED_APART = "drifted_apart"
    STALLED = "stalled"
    FAILED = "failed"


VALUE_OUTCOMES: frozenset[Outcome] = frozenset({Outcome.ACHIEVED, Outcome.EVOLVED})
# the outcomes of initiatives a champion acted on (outcome shares are shares of these)
STARTED_OUTCOMES: tuple[Outcome, ...] = tuple(o for o in Outcome if o is not Outcome.LAPSED)
LAPSED_REASON = "nobody acted on the opportunity"  # the reason an opportunity ends unacted on

# Which stage may follow which; a move to ENDED must carry an outcome from the set given.
TRANSITIONS: dict[Stage, dict[Stage, frozenset[Outcome]]] = {
    Stage.LATENT_VALUE: {
        Stage.EXPLORING: frozenset(),
        Stage.ENDED: frozenset({Outcome.LAPSED}),  # nobody acts
    },
    Stage.EXPLORING: {
        Stage.COHERING: frozenset(),
        Stage.ENDED: frozenset({Outcome.STALLED}),  # budget or patience ran out
    },
    Stage.COHERING: {
        Stage.ESTABLISHING: frozenset(),
        Stage.EXPLORING: frozenset(),  # replace a partner who left
        Stage.ENDED: frozenset({Outcome.GRACEFUL_EXIT, Outcome.DRIFTED_APART}),
    },
    Stage.ESTABLISHING: {
        Stage.JOURNEYING: frozenset(),
        Stage.COHERING: frozenset(),  # form talks revealed the intent is not shared
        # set-up cost or mistrust too high; or partners lost confidence and left
        Stage.ENDED: frozenset({Outcome.FAILED, Outcome.GRACEFUL_EXIT}),
    },
    Stage.JOURNEYING: {
        Stage.COHERING: frozenset(),  # re-scope: a new intent and clock
        Stage.EXPLORING: frozenset(),  # replace a partner who left
        # achieved, evolved, or a graceful exit with learning and relationships intact
        Stage.VALUE_CREATION: frozenset({Outcome.ACHIEVED, Outcome.EVOLVED, Outcome.GRACEFUL_EXIT}),
        Stage.ENDED: frozenset({Outcome.FAILED}),  # stuck in storming, trust breach
    },
    Stage.VALUE_CREATION: {
        Stage.META_ORGANISATION: frozenset(),
        Stage.ENDED: frozenset(),
    },
    Stage.META_ORGANISATION: {
        Stage.ENDED: frozenset(),
    },
    Stage.ENDED: {},
}


def is_legal(source: Stage, target: Stage) -> bool:
    """Whether an initiative may move from ``source`` to ``target``."""
    return target in TRANSITIONS.get(source, {})


class Phase(IntEnum):
    """Tuckman's phases while journeying."""

    FORMING = 0
    STORMING = 1
    NORMING = 2
    PERFORMING = 3

    @property
    def label(self) -> str:
        """Lower-case name."""
        return self.name.lower()


class Form(StrEnum):
    """The form an initiative chooses while establishing."""

    JOINT_PROJECT = "joint_project"
    LEGAL_CONSORTIUM = "legal_consortium"
    COLLECTIVE = "collective"


class Intent(IntEnum):
    """What an initiative sets out to do."""

    BUILD = 0  # build something: a product, a service, a shared facility
    RULES = 1  # set rules: a standard, a code of practice
    ALIGN = 2  # align a sector: a shared direction, a voice

    @property
    def label(self) -> str:
        """Lower-case name."""
        return self.name.lower()


# the form that suits each intent: a joint project builds, a legal consortium sets rules
# that bind, a collective aligns (Provan and Kenis 2008: forms of network governance fit
# different conditions; the pairing is a modelling choice)
SUITED_FORM: dict[Intent, Form] = {
    Intent.BUILD: Form.JOINT_PROJECT,
    Intent.RULES: Form.LEGAL_CONSORTIUM,
    Intent.ALIGN: Form.COLLECTIVE,
}


class Kind(StrEnum):
    """Consortia are small and nimble; coalitions large, representative and slow."""

    CONSORTIUM = "consortium"
    COALITION = "coalition"


class ContributionType(IntEnum):
    """How an organisation contributes to a shared effort (Fischbacher et al. 2001)."""

    CONDITIONAL = 0  # matches what the others put in
    FREE_RIDER = 1  # puts in little whatever the others do
    HUMP = 2  # matches the others up to a point, then holds back
    UNCONDITIONAL = 3  # contributes fully whatever the others do
