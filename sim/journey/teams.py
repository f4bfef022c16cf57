"""Who works with whom this week, as compact index arrays the weekly kernels run over.

The organisations at work are those in cohering, establishing or journeying
initiatives; the week's work runs over them and over the ordered pairs of partners
among them (:class:`WorkingTeams`), so idle organisations cost nothing. The model
rebuilds the teams only when membership or a collaborating stage changes. What the
week's work finds (trust per pair, contributions, jockeying, reasons) is written into a
:class:`Week`, whose arrays are reused from one week to the next.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.journey.compiled import kernel
from sim.journey.stages import Stage
from sim.journey.trust import TrustLedger

COLLABORATING = (Stage.COHERING, Stage.ESTABLISHING, Stage.JOURNEYING)
IS_COLLABORATING = np.isin(np.arange(len(Stage)), COLLABORATING)
JOURNEYING = int(Stage.JOURNEYING)  # plain ints for compiled code


class WorkingTeams(NamedTuple):
    """Who works with whom: a local index ``w`` means organisation ``orgs[w]``.

    Attributes:
        orgs: Working organisations, ascending.
        ini: The initiative each one works in.
        rows: Partner pairs (local indices): ``rows[k]`` works with ``cols[k]``.
        cols: See ``rows``.
        slot: The same pairs' slots in the trust ledger's evidence.
        partner: Per pair, the partner organisation (``orgs[cols]``).
        watch: Per pair, whether the row organisation is journeying (breach watch).
        per_partner: 1 / number of partners (1 for a lone member).
        size: Working members per initiative.
        per_member: 1 / working members, per initiative.
        per_journeyer: 1 / working members of journeying initiatives, else 0.
        n_ini: Number of initiatives when built.
        journeying: Whether any journeying initiative has members at work.
    """

    orgs: np.ndarray
    ini: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    slot: np.ndarray
    partner: np.ndarray
    watch: np.ndarray
    per_partner: np.ndarray
    size: np.ndarray
    per_member: np.ndarray
    per_journeyer: np.ndarray
    n_ini: int
    journeying: bool


class Week(NamedTuple):
    """What a week of working together finds (arrays reused from week to week).

    Per pair: ``trust`` (of the row organisation in the partner, before this week's
    evidence), ``net`` (its reasons to believe minus to disbelieve in the partner) and
    ``breaking`` (trust collapsed: a breach).

    Per working organisation: ``mean_trust`` in its partners, ``others`` (what its
    partners intended last week), ``present``, ``jockeyed``, ``gain`` and ``loss``
    (evidence it earns), ``confidence`` (in the initiative), ``leaving`` (it lost
    confidence) and ``coherent`` (it is convinced).

    Per initiative: ``team_trust``, ``team_evidence`` (its members' mean net reasons to
    believe in each other), ``jockeys``, ``effort`` (on the task), ``ready`` (convinced
    partners) and ``relating`` (the share of the week its partners give to relationships).
    """

    trust: np.ndarray
    net: np.ndarray
    breaking: np.ndarray
    mean_trust: np.ndarray
    others: np.ndarray
    present: np.ndarray
    jockeyed: np.ndarray
    gain: np.ndarray
    loss: np.ndarray
    team_trust: np.ndarray
    team_evidence: np.ndarray
    jockeys: np.ndarray
    effort: np.ndarray
    ready: np.ndarray
    relating: np.ndarray
    confidence: np.ndarray
    leaving: np.ndarray
    coherent: np.ndarray


class TeamBuffers(NamedTuple):
    """Room the team builder fills, kept from one rebuild to the next."""

    working: np.ndarray  # per organisation: at work
    orgs: np.ndarray
    ini: np.ndarray
    per_partner: np.ndarray
    pair: np.ndarray  # (4, room): rows, cols, slot, partner
    watch: np.ndarray  # (room,)


def new_buffers(n: int, room: int) -> TeamBuffers:
    """Buffers for ``n`` organisations and ``room`` partner pairs."""
    return TeamBuffers(
        np.zeros(n, dtype=bool), np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64),
        np.empty(n), np.empty((4, room), dtype=np.int64),
        np.empty(room, dtype=bool),
    )  # fmt: skip


@kernel
def _pairs(org_initiative, stage, n_ini, buffers, per_ini):
    """Fill ``buffers`` with the working organisations and their partner pairs.

    Per organisation ``working``; per working organisation (the first ``m`` places)
    ``orgs``, ``ini`` and ``per_partner``; in rows of ``per_ini`` the working
    members, 1 / members and 1 / journeying members of every initiative; in rows of
    ``pair`` (and in ``watch``) the partner pairs, unless there is no room for them
    (their slots, in ``pair[2]``, are left to :func:`build_teams`).

    Returns:
        The numbers of working organisations and of partner pairs.
    """
    working, orgs, ini = buffers.working, buffers.orgs, buffers.ini
    per_partner, pair, watch = buffers.per_partner, buffers.pair, buffers.watch
    collaborating = IS_COLLABORATING
    n = org_initiative.size
    m = 0
    for o in range(n):
        g = org_initiative[o]
        working[o] = g >= 0 and collaborating[stage[g]]
        if working[o]:
            m += 1
    size = per_ini[0]
    size[:n_ini] = 0.0
    j = 0
    for o in range(n):
        if working[o]:
            orgs[j] = o
            ini[j] = org_initiative[o]
            size[ini[j]] += 1.0
            j += 1
    n_pairs = 0
    for w in range(m):
        n_pairs += int(size[ini[w]]) - 1
    for w in range(m):
        per_partner[w] = 1.0 / max(size[ini[w]] - 1.0, 1.0)
    per_member = per_ini[1]
    per_journeyer = per_ini[2]
    for g in range(n_ini):
        per_member[g] = 1.0 / max(size[g], 1.0)
        per_journeyer[g] = 0.0
    for w in range(m):
        if stage[ini[w]] == JOURNEYING:
            per_journeyer[ini[w]] = per_member[ini[w]]
    if n_pairs > watch.size:
        return m, n_pairs
    # each initiative's working members, ascending: team[start[g] : start[g + 1]]
    start = np.zeros(n_ini + 1, dtype=np.int64)
    for w in range(m):
        start[ini[w] + 1] += 1
    for g in range(n_ini):
        start[g + 1] += start[g]
    team = np.empty(m, dtype=np.int64)
    fill = start[:-1].copy()
    for w in range(m):
        team[fill[ini[w]]] = w
        fill[ini[w]] += 1
    rows, cols, partner = pair[0], pair[1], pair[3]
    k = 0
    for a in range(m):
        g = ini[a]
        for b in team[start[g] : start[g + 1]]:
            if b != a:
                rows[k] = a
                cols[k] = b
                partner[k] = orgs[b]
                watch[k] = stage[g] == JOURNEYING
                k += 1
    return m, n_pairs


def build_teams(
    org_initiative: np.ndarray, stage: np.ndarray, n_ini: int, buffers: TeamBuffers,
    trust: TrustLedger,
) -> tuple[WorkingTeams, Week, TeamBuffers] | None:  # fmt: skip
    """Who works with whom now, and the week's output arrays (``None`` if nobody works).

    Pairs of partners without evidence yet get their slots in ``trust``.

    Returns:
        The teams, a fresh :class:`Week` for them and the buffers (new ones when the old
        had no room for every pair).
    """
    per_ini = np.empty((3, n_ini))
    m, n_pairs = _pairs(org_initiative, stage, n_ini, buffers, per_ini)
    if m == 0:
        return None
    if n_pairs > buffers.watch.size:  # more pairs than ever before: more room, then again
        buffers = new_buffers(org_initiative.size, 2 * n_pairs)
        _pairs(org_initiative, stage, n_ini, buffers, per_ini)
    rows, cols, slot, partner = buffers.pair[:, :n_pairs]
    slot[:] = trust.slots(buffers.orgs[rows], partner)
    per_journeyer = per_ini[2]
    teams = WorkingTeams(
        buffers.orgs[:m], buffers.ini[:m], rows, cols, slot, partner, buffers.watch[:n_pairs],
        buffers.per_partner[:m], per_ini[0], per_ini[1], per_journeyer, n_ini,
        bool(per_journeyer.any()),
    )  # fmt: skip
    pairs, orgs, inis = np.empty(n_pairs), np.empty(m), np.empty(n_ini)
    week = Week(
        trust=pairs, net=pairs.copy(), breaking=np.empty(n_pairs, dtype=np.bool_),
        mean_trust=orgs, others=orgs.copy(), present=np.empty(m, dtype=np.bool_),
        jockeyed=np.empty(m, dtype=np.bool_), gain=orgs.copy(), loss=orgs.copy(),
        team_trust=inis, team_evidence=inis.copy(), jockeys=inis.copy(), effort=inis.copy(),
        ready=inis.copy(), relating=inis.copy(), confidence=orgs.copy(),
        leaving=np.empty(m, dtype=np.bool_), coherent=np.empty(m, dtype=np.bool_),
    )  # fmt: skip
    return teams, week, buffers
