"""Per-run seeds: a function of (root seed, design point, replicate) only.

Each run's seed comes from ``numpy.random.SeedSequence(root, spawn_key=(point,
replicate))``, so it does not depend on the backend, the number of workers, the order
in which runs happen, or on how large the design or the number of replicates is.
"""

from __future__ import annotations

import numpy as np

SEED_BITS = 63


def run_seed(root: int, point: int, replicate: int) -> int:
    """Return the seed of one run, a non-negative int below 2**63.

    Args:
        root: The sweep's root seed (any non-negative int, however large).
        point: The design point id (row of the design).
        replicate: The replicate number, from 0.
    """
    if point < 0 or replicate < 0 or root < 0:
        raise ValueError("root, point and replicate must be non-negative")
    sequence = np.random.SeedSequence(root, spawn_key=(point, replicate))
    high, low = (int(w) for w in sequence.generate_state(2, dtype=np.uint32))
    return ((high << 32) | low) >> (64 - SEED_BITS)


def new_root_seed() -> int:
    """Draw a fresh root seed from the operating system's entropy (128 bits)."""
    return int(np.random.SeedSequence().entropy)
