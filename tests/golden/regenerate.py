"""Rewrite the golden files from fresh runs.  Only run this when behaviour is meant to change.

    .venv/bin/python -m tests.golden.regenerate            # every case
    .venv/bin/python -m tests.golden.regenerate baseline-1 # named cases

Commit the result on its own, saying why the behaviour changed.
"""

from __future__ import annotations

import sys

from tests.golden.cases import CASES, read, snapshot, summary_path, write


def main(names: list[str]) -> int:
    """Regenerate the named cases (all when none are named)."""
    known = {c.name: c for c in CASES}
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"unknown case(s): {', '.join(unknown)}; known: {', '.join(known)}")
        return 2
    for case in [known[n] for n in names] or CASES:
        summary, tables = snapshot(case.run())
        before = read(case)[0]["hashes"] if summary_path(case).exists() else {}
        write(case, summary, tables)
        changed = [k for k, v in summary["hashes"].items() if before.get(k) != v]
        print(f"{case.name}: {'changed ' + ', '.join(changed) if changed else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
