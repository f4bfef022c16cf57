"""Golden outputs: every case's full event stream, tables and measures are unchanged.

A failure means the model's behaviour changed. If that was the intent, regenerate the
golden files in a commit of their own that says why (see ``tests/golden/README.md``).
"""

from __future__ import annotations

import pytest

from tests.golden.cases import CASES, TABLES, Case, first_difference, read, snapshot


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_is_unchanged(case: Case) -> None:
    stored_summary, stored_tables = read(case)
    summary, tables = snapshot(case.run())
    problems = [
        first_difference(name, stored_tables[name], tables[name])
        for name in TABLES
        if summary["hashes"][name] != stored_summary["hashes"][name]
    ]
    for key, old in stored_summary["measures"].items():
        new = summary["measures"].get(key)
        if new != old:
            problems.append(f"measure {key}: stored {old}, now {new}")
    problems += [
        f"measure {key}: new, {summary['measures'][key]}"
        for key in summary["measures"]
        if key not in stored_summary["measures"]
    ]
    assert not problems, f"{case.name} changed:\n" + "\n".join(problems)


def test_stored_tables_match_their_hashes() -> None:
    """The stored tables are the ones the hashes were taken of (no hand edits)."""
    from tests.golden.cases import digest

    for case in CASES:
        summary, tables = read(case)
        for name in TABLES:
            assert digest(tables[name]) == summary["hashes"][name], (case.name, name)


def test_a_changed_run_is_reported_with_its_first_differing_row() -> None:
    """The comparison itself can fail: a one-event change is found and described."""
    case = CASES[0]
    _, tables = read(case)
    lines = tables["events"].splitlines(keepends=True)
    changed = "".join([*lines[:5], lines[5].replace(",", ",9", 1), *lines[6:]])
    text = first_difference("events", tables["events"], changed)
    assert "row 3" in text or "row 4" in text
    assert "stored:" in text
    assert "now:" in text
