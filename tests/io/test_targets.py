"""Target files: the shipped one is valid; bad ones get one clear line per problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.io.scenario import load_scenario
from sim.io.targets import TargetsError, load_targets

GOOD_TARGET = "alliance_success_share: {value: 0.15, tolerance: 0.05, source: a paper}"


def problems(tmp_path: Path, text: str, root: Path) -> list[str]:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(TargetsError) as info:
        load_targets(path, load_scenario(root / "scenarios" / "baseline.yaml"))
    assert all(line.startswith(str(path)) for line in str(info.value).splitlines())
    return info.value.problems


def test_shipped_targets_are_valid_and_cite_their_sources(root: Path) -> None:
    scenario = load_scenario(root / "scenarios" / "baseline.yaml")
    targets = load_targets(root / "targets" / "published.yaml", scenario)
    assert set(targets.fitted) == {
        "alliance_success_share",
        "alliance_failure_share",
        "alliance_between_share",
    }
    assert [targets.targets[n].value for n in targets.fitted] == [0.15, 0.34, 0.51]
    assert all(len(t.source) > 20 for t in targets.targets.values())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"targets:\n  {GOOD_TARGET}\nvary: {{trust: [0.2, 0.8]}}\nsaerch: {{}}\n",
            "did you mean 'search'",
        ),
        (
            "targets:\n  alliance_sucess_share: {value: 0.1, tolerance: 0.1, source: x}\n"
            "vary: {trust: [0.2, 0.8]}\n",
            "targets.alliance_sucess_share: not a run measure of the journey model (did you "
            "mean 'alliance_success_share'?",
        ),
        (
            f"targets:\n  {GOOD_TARGET}\nvary: {{trsut: [0.2, 0.8]}}\n",
            "vary.trsut: not a parameter",
        ),
        (
            f"targets:\n  {GOOD_TARGET}\nvary: {{trust: [0.2, 1.8]}}\n",
            "outside its allowed range [0, 1]",
        ),
        (
            f"targets:\n  {GOOD_TARGET}\nvary: {{trust: [0.8, 0.2]}}\n",
            "vary.trust: low must be below high",
        ),
        (
            f"targets:\n  {GOOD_TARGET}\nvary: {{network_structure: [0, 1]}}\n",
            "cannot be calibrated",
        ),
        (f"targets:\n  {GOOD_TARGET}\nvary: {{max_turn_backs: [0, 2.5]}}\n", "whole-number bounds"),
        (
            "targets:\n  failed_share: {value: 0.3, range: [0.3, 0.7], tolerance: 0.1, source: x}\n"
            "vary: {trust: [0.2, 0.8]}\n",
            "either value",
        ),
        (
            "targets:\n  failed_share: {value: 0.3, tolerance: 0.1, source: x, use: check}\n"
            "vary: {trust: [0.2, 0.8]}\n",
            "none has use: fit",
        ),
        (
            "targets:\n  failed_share: {value: 0.3, tolerance: 0.1}\nvary: {trust: [0.2, 0.8]}\n",
            "targets.failed_share.source: missing",
        ),
        (
            f"targets:\n  {GOOD_TARGET}\nvary: {{trust: [0.2, 0.8]}}\nsearch: {{trials: 0}}\n",
            "search.trials",
        ),
        ("targets: [1, 2\n", "not valid YAML"),
    ],
)
def test_bad_target_files_name_the_field_and_the_fix(
    tmp_path: Path, root: Path, text: str, expected: str
) -> None:
    found = problems(tmp_path, text, root)
    assert len(found) == 1, found
    assert expected in found[0]


def test_every_problem_is_reported_together(tmp_path: Path, root: Path) -> None:
    text = (
        "targets:\n  nonsense_share: {value: 0.1, tolerance: 0.1, source: x}\n"
        "vary: {trsut: [0.2, 0.8], urgency: [0, 3]}\n"
    )
    assert len(problems(tmp_path, text, root)) == 3
