"""The layering contract: data flows one way, and no module imports in a circle.

The contracts themselves live in ``pyproject.toml`` (``[tool.importlinter]``); this test
runs them, and adds what import-linter does not check: no import cycles at all (type-only
imports included), and no package of ``sim`` left outside the layers.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import networkx as nx

ROOT = Path(__file__).resolve().parents[1]


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_layering_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--config", "pyproject.toml", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("sim", exclude_type_checking_imports=False)
    imports = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            imports.add_edge(module, imported)
    cycles = [sorted(c) for c in nx.strongly_connected_components(imports) if len(c) > 1]
    assert not cycles, f"modules importing each other in a circle: {cycles}"


def test_every_package_sits_in_a_layer() -> None:
    layers = next(c for c in _config()["contracts"] if c["type"] == "layers")["layers"]
    placed = {name.strip() for layer in layers for name in layer.split("|")}
    placed.add("sim.engine")  # below every layer: its own contract keeps it apart
    top = {
        f"sim.{p.stem if p.is_file() else p.name}"
        for p in (ROOT / "sim").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    assert top - placed == set(), f"not in any layer: {sorted(top - placed)}"
