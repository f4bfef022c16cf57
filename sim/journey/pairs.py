"""Sparse tables over pairs of organisations: room only for the pairs that carry something.

Of the n x n pairs of a population, only those that share an informal tie, have worked
together or gathered evidence about each other differ from the default (no tie, the
trust prior). A :class:`Pairs` table numbers those pairs (their *slots*) and keeps one
entry per slot in each of its columns; a pair it does not hold reads as the column's
default. Its :class:`PairIndex` finds a pair's slot through an open-addressing hash table
on the key ``i * n + j``, and chains the slots of each row, so that compiled loops can
walk the pairs of one organisation. Pairs are only ever added, and always both ways
round ((i, j) with (j, i)); a pair whose organisation left the ecosystem is reset to the
defaults and keeps its slot.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.journey.compiled import kernel, njit

EMPTY = -1  # a free place in the hash table; the end of a row's chain


class PairIndex(NamedTuple):
    """Where each pair's entries are, as compiled loops read it.

    Attributes:
        n: Organisations (a pair's key is ``i * n + j``).
        keys: Hash table of keys (``EMPTY`` where free); its size is a power of two.
        slots: The slot of the key in the same place of ``keys``.
        row: Per slot, the pair's first organisation.
        col: Per slot, its second.
        next: Per slot, the next slot of the same row (``EMPTY`` at the end).
        head: Per organisation, the first slot of its row (``EMPTY`` if none).
        used: Slots in use (one entry).
    """

    n: int
    keys: np.ndarray
    slots: np.ndarray
    row: np.ndarray
    col: np.ndarray
    next: np.ndarray
    head: np.ndarray
    used: np.ndarray


@njit(cache=True)
def _place(keys: np.ndarray, key: int) -> int:
    """The place of ``key`` in the hash table, or the free place where it would go."""
    mask = keys.size - 1
    mixed = key ^ (key >> 16)  # keys stay below 2**47: no product overflows
    h = (mixed * 40503 + (mixed >> 20)) & mask
    while keys[h] != key and keys[h] != EMPTY:
        h = (h + 1) & mask
    return h


@njit(cache=True)
def find(ix: PairIndex, i: int, j: int) -> int:
    """The slot of pair (i, j), or ``EMPTY`` if the table does not hold it."""
    h = _place(ix.keys, i * ix.n + j)
    if ix.keys[h] == EMPTY:
        return EMPTY
    return ix.slots[h]


@njit(cache=True)
def _add_one(ix: PairIndex, i: int, j: int) -> int:
    key = i * ix.n + j
    h = _place(ix.keys, key)
    if ix.keys[h] != EMPTY:
        return ix.slots[h]
    s = ix.used[0]
    ix.used[0] = s + 1
    ix.keys[h] = key
    ix.slots[h] = s
    ix.row[s] = i
    ix.col[s] = j
    ix.next[s] = ix.head[i]
    ix.head[i] = s
    return s


@njit(cache=True)
def add(ix: PairIndex, i: int, j: int) -> int:
    """The slot of pair (i, j), added (with (j, i)) if new; room must have been reserved."""
    s = _add_one(ix, i, j)
    _add_one(ix, j, i)
    return s


@kernel
def _find_all(ix: PairIndex, rows: np.ndarray, cols: np.ndarray, out: np.ndarray) -> None:
    for k in range(rows.size):
        out[k] = find(ix, rows[k], cols[k])


@kernel
def _add_all(ix: PairIndex, rows: np.ndarray, cols: np.ndarray, out: np.ndarray) -> None:
    # most pairs are held already, and a lookup alone compiles to far less than an add:
    # look every pair up first, then add the missing ones in their order (the same slots)
    for k in range(rows.size):
        out[k] = find(ix, rows[k], cols[k])
    for k in range(rows.size):
        if out[k] == EMPTY:
            out[k] = add(ix, rows[k], cols[k])


@kernel
def _rehash(keys: np.ndarray, slots: np.ndarray, row: np.ndarray, col: np.ndarray, n: int):
    """Fill an empty hash table with the keys of the slots in use."""
    for s in range(row.size):
        key = row[s] * n + col[s]
        h = _place(keys, key)
        keys[h] = key
        slots[h] = s


class Pairs:
    """Per-pair columns over the pairs a population has met, with room to grow.

    Args:
        n: Organisations.
        columns: Name, dtype and default of each column.
        room: Slots to make room for at first.
    """

    __slots__ = ("_index", "columns", "defaults", "n")

    def __init__(self, n: int, columns: dict[str, tuple[type, float]], room: int = 0) -> None:
        self.n = n
        room = max(room, 4 * n, 64)
        self.defaults = {name: np.asarray(d, dtype=t) for name, (t, d) in columns.items()}
        self.columns = {name: np.full(room, d) for name, d in self.defaults.items()}
        capacity = 1 << int(2 * room - 1).bit_length()
        per_slot = [np.full(room, EMPTY, dtype=np.int64) for _ in range(3)]
        self._index = PairIndex(
            n, np.full(capacity, EMPTY, dtype=np.int64), np.zeros(capacity, dtype=np.int64),
            *per_slot, np.full(n, EMPTY, dtype=np.int64), np.zeros(1, dtype=np.int64),
        )  # fmt: skip

    @property
    def index(self) -> PairIndex:
        """The index, as compiled loops take it."""
        return self._index

    @property
    def used(self) -> int:
        """Slots in use."""
        return int(self._index.used[0])

    def reserve(self, extra: int) -> None:
        """Make room for ``extra`` more slots (the index and columns may be replaced)."""
        ix = self._index
        need = self.used + extra
        room = ix.row.size
        if need > room:
            grown = max(2 * room, need)
            for name, values in self.columns.items():
                more = np.full(grown - room, self.defaults[name])
                self.columns[name] = np.concatenate([values, more])
            tails = [np.full(grown - room, EMPTY, dtype=np.int64) for _ in range(3)]
            ix = ix._replace(
                row=np.concatenate([ix.row, tails[0]]),
                col=np.concatenate([ix.col, tails[1]]),
                next=np.concatenate([ix.next, tails[2]]),
            )
        if 2 * need > ix.keys.size:
            capacity = 1 << int(2 * need - 1).bit_length()
            keys = np.full(capacity, EMPTY, dtype=np.int64)
            slots = np.zeros(capacity, dtype=np.int64)
            used = self.used
            _rehash(keys, slots, ix.row[:used], ix.col[:used], self.n)
            ix = ix._replace(keys=keys, slots=slots)
        self._index = ix

    def find(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Slots of the pairs (``EMPTY`` where the table holds none); any matching shapes."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        if rows.shape != cols.shape:
            rows, cols = np.broadcast_arrays(rows, cols)
        out = np.empty(rows.size, dtype=np.int64)
        _find_all(self._index, rows.ravel(), cols.ravel(), out)
        return out.reshape(rows.shape)

    def add(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Slots of the pairs, adding those not yet held (both ways round)."""
        rows = np.asarray(rows, dtype=np.int64).ravel()
        self.reserve(2 * rows.size)
        out = np.empty(rows.size, dtype=np.int64)
        _add_all(self._index, rows, np.asarray(cols, dtype=np.int64).ravel(), out)
        return out

    def get(self, name: str, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Column ``name`` at the pairs (its default where the table holds none)."""
        slots = self.find(rows, cols)
        values = self.columns[name]
        return np.where(slots >= 0, values[slots], self.defaults[name])

    def held(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows, columns and slots of every pair held, ordered by row then column."""
        used = self.used
        ix = self._index
        order = np.argsort(ix.row[:used] * self.n + ix.col[:used], kind="stable")
        return ix.row[order], ix.col[order], order

    def dense(self, name: str) -> np.ndarray:
        """Column ``name`` as an (n, n) matrix (for inspecting a small population)."""
        out = np.full((self.n, self.n), self.defaults[name])
        rows, cols, slots = self.held()
        out[rows, cols] = self.columns[name][slots]
        return out

    def reset_rows(self, orgs: np.ndarray) -> np.ndarray:
        """Reset the pairs of ``orgs`` (both ways round) to the defaults; returns their slots."""
        slots = _slots_of_rows(self._index, np.asarray(orgs, dtype=np.int64))
        for name, values in self.columns.items():
            values[slots] = self.defaults[name]
        return slots


@kernel
def _slots_of_rows(ix: PairIndex, orgs: np.ndarray) -> np.ndarray:
    """Slots of every pair (o, j) and (j, o) for ``o`` in ``orgs`` (possibly repeated)."""
    count = 0
    for o in orgs:
        s = ix.head[o]
        while s != EMPTY:
            count += 2
            s = ix.next[s]
    out = np.empty(count, dtype=np.int64)
    k = 0
    for o in orgs:
        s = ix.head[o]
        while s != EMPTY:
            out[k] = s
            out[k + 1] = find(ix, ix.col[s], o)
            k += 2
            s = ix.next[s]
    return out


def within(team: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of every ordered pair of different members of ``team``."""
    team = np.asarray(team, dtype=np.int64)
    rows, cols = np.repeat(team, team.size), np.tile(team, team.size)
    other = rows != cols
    return rows[other], cols[other]
