"""Each live node's score for the pods of one owner and one set of requests, kept between pods.

On a large cluster a pod is filtered and scored on a window of the live nodes (from where the
last pod's search stopped, `feasible_nodes_to_find` of them: 420 of 1,000). The pods of a
ReplicaSet ask the same, and between two of them only the node the last one went to has
changed; yet the plain path walks the window node by node — the filter's comparisons, the
resource score's memo check, the owner's pod count — for every pod.

Here, for each (requests, owner) key recently asked, three lists follow the live-node list:
the resource score (LeastAllocated + BalancedAllocation, `plugins.resource_score`), the
owner's pod count (the system default spread) and — in `bad` — the nodes where the plain
filter's fast check would not pass them (not plain, too full, or with PreferNoSchedule taints,
which add a score). A NodeInfo that changes (a pod counted or uncounted, room held, a new node
object) puts itself in every key's `dirty` set; a key's lists are brought up to date from that
set when next asked. A pod then costs two slices, min/max, one comprehension for the spread's
normalisation and the tie draws (select_host).

The result is the plain path's by construction: when no node of the window is in `bad`, the
plain filter passes every node of it in order and stops at its end (so the window is the
feasible list, and the next search starts after it); the scores are the same expressions of
the same values; the selection is the same loop. Otherwise `place` returns None and the pod
takes the plain path. tests/engine/test_scheduler_score_window.py compares placements.

A window's 420 nodes hold only a few distinct (resource score, owner count) pairs — nodes with
the same pods score the same — so each key also numbers its pairs and keeps each node's number
in a bytearray (`cls`). A pod's window is then a slice of bytes, and what the plain path does
node by node (the spread normalisation, selectHost's running maximum and its tie counts) is
done per pair and by bytes.find/count: only the tie draws stay a Python loop, one draw per
tie as before (the same getrandbits calls, so the same values and generator state). With more
than 256 distinct pairs (a cluster of very unlike nodes) the key falls back to the lists.
"""
from __future__ import annotations

import random

from .cache import NodeInfo, PodInfo
from .plugins import W_SPREAD, filter_node, resource_score
from .select_host import INLINE, pick

# Keys kept at once: a few Deployments scaling up together each keep theirs.
MAX_KEYS = 4
# Whether windows are worked on by pair numbers (False: the lists; the tests compare the two).
BY_PAIRS = True


class _Scores:
    __slots__ = ("live", "index", "score", "count", "bad", "dirty", "cls", "ids", "pairs")

    def __init__(self) -> None:
        self.live: list[NodeInfo] | None = None
        self.index: dict[NodeInfo, int] = {}
        self.score: list[float] = []
        self.count: list[int] = []
        self.bad: set[int] = set()
        self.dirty: set[NodeInfo] = set()
        # Each node's pair number (None: more than 256 pairs, the lists only), the numbers by
        # pair and the pairs by number. Numbers are not reused: when they run out, the pairs
        # still held are numbered again (_number).
        self.cls: bytearray | None = None
        self.ids: dict[tuple[float, int], int] = {}
        self.pairs: list[tuple[float, int]] = []


class ScoreWindows:
    def __init__(self, watchers: list[set]) -> None:
        # The cache's list of dirty sets: each NodeInfo adds itself to all of them when it changes.
        self._watchers = watchers
        self._by_key: dict[tuple, _Scores] = {}
        self._index: tuple[list[NodeInfo] | None, dict[NodeInfo, int]] = (None, {})
        self.placed = self.declined = 0         # pods placed here / sent to the plain path

    def place(self, info: PodInfo, nodes: list[NodeInfo], start: int, count: int, rng) -> tuple[NodeInfo, int] | None:
        """For a resource-only pod (no nominations, no topology terms, no volumes) whose search
        starts at `start` and stops after `count` feasible nodes: the node the plain path would
        choose and how many nodes it searched; None when a node of the search needs the plain
        path (feasible there other than by the fast check, or with a score beyond resources),
        or none is feasible (the plain path writes the FitError)."""
        r = info.requests
        owner = info.owner_uid
        key = (r.nz_cpu, r.nz_memory, owner, r.cpu, r.memory, r.ephemeral)
        sc = self._by_key.pop(key, None)
        if sc is None:
            sc = _Scores()
            self._watchers.append(sc.dirty)
            if len(self._by_key) >= MAX_KEYS:
                old = self._by_key.pop(next(iter(self._by_key)))
                # (by identity: list.remove would take the first *equal* set — any empty one)
                self._watchers[:] = [d for d in self._watchers if d is not old.dirty]
        self._by_key[key] = sc                  # (last asked last: the first is evicted first)
        if sc.live is not nodes:
            self._rebuild(sc, nodes, key)
        elif sc.dirty:
            index = sc.index
            for n in sc.dirty:
                i = index.get(n)
                if i is not None:
                    _set(sc, i, n, key)
            sc.dirty.clear()
        total = len(nodes)
        end = count                             # the search's extent, from start
        skipped: list[int] = []                 # offsets of the nodes the filter rejects in it
        if sc.bad:
            for off in sorted((i - start) % total for i in sc.bad):
                if off >= end:
                    break
                if filter_node(info, nodes[(start + off) % total]) is None:
                    return None                 # (a tolerated taint, a PreferNoSchedule score: the plain path)
                skipped.append(off)
                end = min(end + 1, total)       # rejected: the search goes one node further
        found = end - len(skipped)
        if found == 0:
            return None
        if found == 1:
            off = 0
            for s in skipped:
                if s == off:
                    off += 1
            return nodes[(start + off) % total], end
        cls = sc.cls
        if cls is not None and BY_PAIRS and INLINE and type(rng) is random.Random:
            win = cls[start:start + end] if not skipped and start + end <= total else _gather(cls, start, end, skipped)
            chosen = _pick_by_pairs(win, sc.pairs, owner, rng.getrandbits)
            if chosen is not None:
                for s in skipped:
                    if s > chosen:
                        break
                    chosen += 1
                return nodes[(start + chosen) % total], end
        if not skipped and start + end <= total:
            scores = sc.score[start:start + end]
            counts = sc.count[start:start + end]
        else:
            scores = _gather(sc.score, start, end, skipped)
            counts = _gather(sc.count, start, end, skipped)
        if owner:                               # plugins.score_nodes' default spread
            lo, hi = min(counts), max(counts)
            if hi > lo:
                k = W_SPREAD * 100.0 / (hi - lo)
                scores = [s + k * (hi - c) for s, c in zip(scores, counts)]
        off = pick(scores, rng)
        for s in skipped:                       # the chosen feasible node's offset in the search
            if s > off:
                break
            off += 1
        return nodes[(start + off) % total], end

    def _rebuild(self, sc: _Scores, nodes: list[NodeInfo], key: tuple) -> None:
        live, index = self._index
        if live is not nodes:
            index = {n: i for i, n in enumerate(nodes)}
            self._index = (nodes, index)
        sc.live, sc.index = nodes, index
        sc.score = [0.0] * len(nodes)
        sc.count = [0] * len(nodes)
        sc.bad = set()
        sc.dirty.clear()
        sc.cls = None
        for i, n in enumerate(nodes):
            _set(sc, i, n, key)
        _number(sc)


def _gather(values, start: int, end: int, skipped: list[int]):
    """values (a list or a bytearray) at offsets 0 … end-1 from start (around the end), less
    those skipped."""
    rotated = values[start:] + values[:start]
    if not skipped:
        return rotated[:end]
    out = rotated[:0]
    prev = 0
    for s in skipped:
        out += rotated[prev:s]
        prev = s + 1
    out += rotated[prev:end]
    return out


def _set(sc: _Scores, i: int, n: NodeInfo, key: tuple) -> None:
    rc, rm, owner, cpu, mem, eph = key
    sc.score[i] = s = resource_score(n, rc, rm)
    sc.count[i] = c = n.owners.get(owner, 0) if owner else 0
    cls = sc.cls
    if cls is not None:
        cid = sc.ids.get((s, c))
        if cid is not None:
            cls[i] = cid
        elif len(sc.pairs) < 256:
            cls[i] = sc.ids[(s, c)] = len(sc.pairs)
            sc.pairs.append((s, c))
        else:
            _number(sc)
    # The plain path's fast filter check (scheduler.schedule_one), and no score but the resources'.
    if (n.plain and not n.soft_taints and n.pods < n.alloc_pods and (not cpu or cpu <= n.alloc_cpu - n.req_cpu)
            and (not mem or mem <= n.alloc_memory - n.req_memory)
            and (not eph or eph <= n.alloc_ephemeral - n.req_ephemeral)):
        sc.bad.discard(i)
    else:
        sc.bad.add(i)


def _number(sc: _Scores) -> None:
    """Number the (score, count) pairs the nodes hold now, in node order; cls None if there are
    more than a byte can tell apart."""
    ids: dict[tuple[float, int], int] = {}
    pairs: list[tuple[float, int]] = []
    cls = bytearray(len(sc.score))
    for i, pair in enumerate(zip(sc.score, sc.count)):
        cid = ids.get(pair)
        if cid is None:
            if len(pairs) == 256:
                sc.cls, sc.ids, sc.pairs = None, {}, []
                return
            cid = ids[pair] = len(pairs)
            pairs.append(pair)
        cls[i] = cid
    sc.cls, sc.ids, sc.pairs = cls, ids, pairs


def _pick_by_pairs(win: bytearray, pairs: list[tuple[float, int]], owner, getrandbits) -> int | None:
    """select_host.pick over the window's scores — each node's resource score plus, for an
    owner's pod, the spread's `k * (hi - count)` — given the window as pair numbers: the offset
    of the chosen node, after the same getrandbits calls as pick makes (None: a score pick's
    start would not take, which resource scores never are).

    pick keeps a running maximum: a higher score starts a new level (tie count 1, that node
    chosen so far), an equal one is a tie (count + 1, a draw, chosen on 0). Here each level is
    found by bytes.find of the first number scoring higher, and its ties counted by bytes.count
    of the numbers scoring the same; the draws are made in order; the last level's chosen tie is
    found again by counting."""
    present = set(win)
    if owner:
        counts = [pairs[c][1] for c in present]
        lo, hi = min(counts), max(counts)
    else:
        lo = hi = 0
    if hi > lo:
        k = W_SPREAD * 100.0 / (hi - lo)
        value = {c: pairs[c][0] + k * (hi - pairs[c][1]) for c in present}
    else:
        value = {c: pairs[c][0] for c in present}
    n = len(win)
    pos = 0
    cur = value[win[0]]
    if not cur > -1.0:
        return None
    while True:
        nxt = n
        for c, v in value.items():
            if v > cur:
                j = win.find(c, pos + 1, nxt)
                if j >= 0:
                    nxt = j
        same = [c for c, v in value.items() if v == cur]
        ties = 1
        for c in same:
            ties += win.count(c, pos + 1, nxt)
        chosen = 1
        t = 2
        while t <= ties:                    # the draws, in runs of one bit length
            bits = t.bit_length()
            stop = min(ties + 1, 1 << bits)
            for x in range(t, stop):
                r = getrandbits(bits)
                while r >= x:
                    r = getrandbits(bits)
                if not r:
                    chosen = x
            t = stop
        if nxt == n:
            break
        pos = nxt
        cur = value[win[nxt]]
    if chosen == 1:
        return pos
    # The (chosen - 1)-th tie after pos: the least end whose count reaches it.
    if len(same) == 1:
        mask, c = win, same[0]
    else:
        table = bytearray(256)
        for s in same:
            table[s] = 1
        mask, c = win.translate(table), 1
    want = chosen - 1
    lo, hi = pos + 1, n                     # the answer is in [lo, hi)
    while lo < hi - 1:
        mid = (lo + hi) // 2
        if mask.count(c, pos + 1, mid) >= want:
            hi = mid
        else:
            lo = mid
    return lo
