"""The example notebook runs from start to end and shows what it promises."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "quickstart.ipynb"


def test_example_notebook_runs(tmp_path: Path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # run from an empty folder: the scenarios must come from the package itself
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    text = "".join(o.get("text", "") for o in outputs) + "".join(
        o.get("data", {}).get("text/plain", "") for o in outputs
    )
    assert "baseline.yaml" in text
    assert "consim-run-record" in html  # the record's notebook view
    assert "value-creation share, trust 0.3 -> 0.7:" in text
    assert "95% CI" in text
