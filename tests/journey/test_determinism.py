"""Same scenario and seed give identical outputs; different seeds differ."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.runs import run

SMALL = {"n_organisations": 40, "steps": 104}


def test_same_seed_identical() -> None:
    a = run(SMALL, seed=11)
    b = run(SMALL, seed=11)
    pd.testing.assert_frame_equal(a.initiatives, b.initiatives)
    pd.testing.assert_frame_equal(a.timeline, b.timeline)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.edges, b.edges)
    np.testing.assert_array_equal(list(a.measures.values()), list(b.measures.values()))


def test_different_seeds_differ() -> None:
    a = run(SMALL, seed=1)
    b = run(SMALL, seed=2)
    assert not a.events.equals(b.events)
    assert not a.timeline.equals(b.timeline)
