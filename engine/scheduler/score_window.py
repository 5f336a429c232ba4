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
"""
from __future__ import annotations

from .cache import NodeInfo, PodInfo
from .plugins import W_SPREAD, filter_node, resource_score
from .select_host import pick

# Keys kept at once: a few Deployments scaling up together each keep theirs.
MAX_KEYS = 4


class _Scores:
    __slots__ = ("live", "index", "score", "count", "bad", "dirty")

    def __init__(self) -> None:
        self.live: list[NodeInfo] | None = None
        self.index: dict[NodeInfo, int] = {}
        self.score: list[float] = []
        self.count: list[int] = []
        self.bad: set[int] = set()
        self.dirty: set[NodeInfo] = set()


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
        for i, n in enumerate(nodes):
            _set(sc, i, n, key)


def _gather(values: list, start: int, end: int, skipped: list[int]) -> list:
    """values at offsets 0 … end-1 from start (around the end of the list), less those skipped."""
    rotated = values[start:] + values[:start]
    if not skipped:
        return rotated[:end]
    out: list = []
    prev = 0
    for s in skipped:
        out += rotated[prev:s]
        prev = s + 1
    out += rotated[prev:end]
    return out


def _set(sc: _Scores, i: int, n: NodeInfo, key: tuple) -> None:
    rc, rm, owner, cpu, mem, eph = key
    sc.score[i] = resource_score(n, rc, rm)
    sc.count[i] = n.owners.get(owner, 0) if owner else 0
    # The plain path's fast filter check (scheduler.schedule_one), and no score but the resources'.
    if (n.plain and not n.soft_taints and n.pods < n.alloc_pods and (not cpu or cpu <= n.alloc_cpu - n.req_cpu)
            and (not mem or mem <= n.alloc_memory - n.req_memory)
            and (not eph or eph <= n.alloc_ephemeral - n.req_ephemeral)):
        sc.bad.discard(i)
    else:
        sc.bad.add(i)
