"""The ODD+D description names every parameter and assumption, and its ledger is current."""

from __future__ import annotations

import re
from pathlib import Path

from sim.journey.assumptions import JourneyAssumptions
from sim.journey.measures import MEASURES
from sim.journey.parameters import JourneyParameters
from sim.parameters import parameter_info
from sim.reference import LEDGER_END, LEDGER_START, with_ledger

SECTIONS = (
    "Purpose and patterns",
    "Entities, state variables and scales",
    "Process overview and scheduling",
    "Theoretical and empirical background",
    "Individual decision making",
    "Learning",
    "Individual sensing",
    "Individual prediction",
    "Interaction",
    "Collectives",
    "Heterogeneity",
    "Stochasticity",
    "Observation",
    "Implementation details",
    "Initialisation",
    "Input data",
    "Submodels",
    "Assumption ledger",
)


def settings() -> set[str]:
    return set(parameter_info(JourneyParameters)) | set(parameter_info(JourneyAssumptions))


def odd(root: Path) -> str:
    return (root / "docs" / "odd.md").read_text(encoding="utf-8")


def prose(text: str) -> str:
    head, rest = text.split(LEDGER_START, 1)
    return head + rest.split(LEDGER_END, 1)[1]


def test_the_ledger_is_generated_from_the_current_definitions(root: Path) -> None:
    text = odd(root)
    assert text == with_ledger(text), "run: python -m sim.reference --odd docs/odd.md"
    ledger = text.split(LEDGER_START, 1)[1].split(LEDGER_END, 1)[0]
    for name in settings():
        assert f"| `{name}` |" in ledger, name


def test_every_parameter_and_assumption_is_described(root: Path) -> None:
    named = set(re.findall(r"`([a-z_][a-z0-9_]*)`", prose(odd(root))))
    missing = sorted(settings() - named)
    assert not missing, f"docs/odd.md does not describe: {', '.join(missing)}"
    unknown = sorted(named - settings() - set(MEASURES))
    assert not unknown, f"docs/odd.md names settings the model does not have: {unknown}"


def test_every_odd_section_is_there(root: Path) -> None:
    headings = re.findall(r"^#+ (?:[\d.]+ )?(.+)$", odd(root), flags=re.MULTILINE)
    for section in SECTIONS:
        assert section in headings, section


def test_a_missing_setting_would_be_caught(root: Path) -> None:
    """The check itself can fail: drop one name from the prose and it is missed."""
    text = prose(odd(root)).replace("`breach_threshold`", "breach threshold")
    named = set(re.findall(r"`([a-z_][a-z0-9_]*)`", text))
    assert "breach_threshold" in settings() - named
