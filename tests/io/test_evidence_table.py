"""consim run records partners' reasons and confidence per week (evidence.parquet)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.io.records import EVIDENCE_COLUMNS
from sim.runs import run, save


def test_a_run_records_each_partners_reasons_and_confidence_every_week(tmp_path: Path) -> None:
    record = run({"n_organisations": 40, "steps": 80}, seed=3)
    ev = record.evidence
    assert list(ev.columns) == EVIDENCE_COLUMNS
    assert len(ev) > 100
    expected = (ev.believe + 1.0) / (ev.believe + ev.disbelieve + 2.0)
    np.testing.assert_allclose(ev.confidence, expected)
    assert ev.tick.between(1, 80).all()
    # a partner's reasons grow while it stays in the same initiative (never reset mid-way)
    for _, rows in ev.groupby(["initiative", "organisation"]):
        total = (rows.believe + rows.disbelieve).to_numpy()
        assert (np.diff(total) >= -1e-9).all()
    assert set(ev.initiative) <= set(record.initiatives.id)
    save(record, tmp_path / "out")
    stored = pd.read_parquet(tmp_path / "out" / "evidence.parquet")
    pd.testing.assert_frame_equal(stored, ev.reset_index(drop=True), check_dtype=False)
