"""The README's command table names every ``consim`` command and every option it takes."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from sim.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"


def table_rows() -> dict[str, str]:
    """The command table's rows joined per command (``consim app`` has two rows, say)."""
    section = README.read_text().split("## The command line", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        found = re.match(r"\| `consim ([a-z-]+)", line)
        if found:
            rows[found.group(1)] = rows.get(found.group(1), "") + line
    return rows


def long_flags(command) -> list[str]:
    """The ``--name`` of every option of a command (the first of ``--x/--no-x``)."""
    return [
        next(opt for opt in param.opts if opt.startswith("--"))
        for param in command.params
        if param.param_type_name == "option"
    ]


def test_every_command_and_option_is_in_the_readme_table():
    group = typer.main.get_command(app)
    rows = table_rows()
    assert set(group.commands) <= set(rows), set(group.commands) - set(rows)
    for flag in long_flags(group):
        assert flag in rows, f"consim {flag} is not in the README table"
    for name, command in group.commands.items():
        flags = long_flags(command)
        missing = [f for f in flags if not re.search(re.escape(f) + r"(?![\w-])", rows[name])]
        assert not missing, f"consim {name}: {', '.join(missing)} not in its README row"


def test_the_table_check_sees_a_missing_option():
    group = typer.main.get_command(app)
    assert "--from" in long_flags(group.commands["app"])
    assert "--report" in long_flags(group.commands["sweep"])
    assert "--version" in long_flags(group)
