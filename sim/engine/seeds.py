"""Per-run seeds: a function of (root seed, design point, replicate) only.

Each run's seed comes from ``numpy.random.SeedSequence(root, spawn_key=(point,
replicate))``, so it does not depend on the backend, the number of workers, the order
in which runs happen, or on how large the design or the number of replicates is.
:func:`run_seeds` gives the same seeds for many runs at once, computing NumPy's
``SeedSequence`` hash on arrays (about 0.2 µs a run instead of 50 µs).
"""

from __future__ import annotations

import numpy as np

SEED_BITS = 63
_POOL_SIZE = 4  # NumPy's SeedSequence pool size, in 32-bit words
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_WORD = 0xFFFFFFFF
_SHIFT = np.uint32(16)


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


def run_seeds(root: int, points: np.ndarray, replicates: np.ndarray) -> np.ndarray:
    """The seeds of many runs, each equal to ``run_seed(root, point, replicate)``.

    Args:
        root: The sweep's root seed.
        points: Design point ids.
        replicates: Replicate numbers, one per point id.

    Returns:
        The seeds as an int64 array.
    """
    points = np.asarray(points, dtype=np.int64)
    replicates = np.asarray(replicates, dtype=np.int64)
    if root < 0 or (points.size and min(points.min(), replicates.min()) < 0):
        raise ValueError("root, point and replicate must be non-negative")
    if points.size and max(points.max(), replicates.max()) > _WORD:
        # a key of more than one word is laid out differently: take the exact path
        pairs = zip(points.tolist(), replicates.tolist(), strict=True)
        return np.array([run_seed(root, p, r) for p, r in pairs], dtype=np.int64)
    root_words = _words(root)
    root_words += [0] * (_POOL_SIZE - len(root_words))  # NumPy pads before a spawn key
    entropy = [np.full(points.size, word, dtype=np.uint32) for word in root_words]
    entropy += [points.astype(np.uint32), replicates.astype(np.uint32)]
    with np.errstate(over="ignore"):
        high, low = _generate_state(_mix_entropy(entropy))
    seeds = (high.astype(np.uint64) << np.uint64(32)) | low.astype(np.uint64)
    return (seeds >> np.uint64(64 - SEED_BITS)).astype(np.int64)


def _words(value: int) -> list[int]:
    """A non-negative int as little-endian 32-bit words (0 is one word), as NumPy has it."""
    words = [value & _WORD]
    value >>= 32
    while value:
        words.append(value & _WORD)
        value >>= 32
    return words


def _mix_entropy(entropy: list[np.ndarray]) -> list[np.ndarray]:
    """SeedSequence's entropy pool, for arrays of entropy words (one array per word)."""
    hash_const = _INIT_A

    def hashmix(value: np.ndarray) -> np.ndarray:
        nonlocal hash_const
        value = value ^ np.uint32(hash_const)
        hash_const = (hash_const * _MULT_A) & _WORD
        value = value * np.uint32(hash_const)
        return value ^ (value >> _SHIFT)

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        result = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
        return result ^ (result >> _SHIFT)

    pool = [hashmix(entropy[i]) for i in range(_POOL_SIZE)]
    for src in range(_POOL_SIZE):
        for dst in range(_POOL_SIZE):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for word in entropy[_POOL_SIZE:]:
        for dst in range(_POOL_SIZE):
            pool[dst] = mix(pool[dst], hashmix(word))
    return pool


def _generate_state(pool: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The first two 32-bit words SeedSequence generates from a pool."""
    hash_const = _INIT_B
    state = []
    for word in pool[:2]:
        value = word ^ np.uint32(hash_const)
        hash_const = (hash_const * _MULT_B) & _WORD
        value = value * np.uint32(hash_const)
        state.append(value ^ (value >> _SHIFT))
    return state[0], state[1]


def new_root_seed() -> int:
    """Draw a fresh root seed from the operating system's entropy (128 bits)."""
    return int(np.random.SeedSequence().entropy)
