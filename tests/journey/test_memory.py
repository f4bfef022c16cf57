"""Finished runs are freed: memory stays flat however many runs a worker does."""

from __future__ import annotations

import gc
import tracemalloc

from sim.runs import evaluate

SMALL = {"steps": 40, "n_organisations": 40}


def held_after(runs: int, offset: int) -> int:
    for seed in range(offset, offset + runs):
        evaluate(SMALL, seed)
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def test_memory_does_not_grow_with_runs() -> None:
    evaluate(SMALL, 0)  # warm caches (imports, numpy internals)
    tracemalloc.start()
    try:
        after_50 = held_after(50, 1)
        after_150 = held_after(100, 51)
    finally:
        tracemalloc.stop()
    # a model that stayed alive would hold well over 100 kB (its trust arrays alone)
    assert after_150 - after_50 < 50_000, (after_50, after_150)
    assert after_150 < 200_000
