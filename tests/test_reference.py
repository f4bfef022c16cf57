"""The committed reference page matches the code's definitions."""

from pathlib import Path

from sim.reference import render


def test_reference_is_up_to_date(root: Path) -> None:
    committed = (root / "docs" / "reference.md").read_text()
    assert committed == render(), "run: python -m sim.reference > docs/reference.md"
