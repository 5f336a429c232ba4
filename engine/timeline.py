"""The cluster's past, for the page's timeline: what every shown object looked like at any
moment since the cluster started (or since the oldest change still kept).

A write sink on the store (Store.observe_writes) notes each change of the kinds the page draws
with the engine clock's time. Objects are never mutated once stored, so a note is a reference,
not a copy; the watch history holds the same objects. To keep memory bounded, only the newest
`limit` changes are kept one by one: older ones are folded into `base`, the state at `start`,
so the timeline then begins later (the page shows where it begins).

Reads take the lock the writes take, and are O(changes kept) — a learner's cluster keeps a few
thousand; the page asks for one state per drag step, not per frame.
"""
from __future__ import annotations

import bisect
import collections
import threading
from typing import Iterable, NamedTuple

from . import objects

# What the page draws (webapp/static/js/model.js KINDS).
KINDS = frozenset({"Node", "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Service",
                   "EndpointSlice", "Event", "Job", "CronJob", "PersistentVolumeClaim"})
DEFAULT_LIMIT = 20000
_new_change = tuple.__new__


class Change(NamedTuple):
    time: float
    rv: int
    type: str            # ADDED | MODIFIED | DELETED
    object: dict


class Timeline:
    def __init__(self, clock, existing: Iterable[dict] = (), *, limit: int = DEFAULT_LIMIT):
        self._clock = clock
        self._limit = limit
        self._lock = threading.Lock()
        self._changes: collections.deque[Change] = collections.deque()
        self._times: collections.deque[float] = collections.deque()   # the changes' times, for bisect
        self.start = clock.now()
        self._base: dict[str, dict] = {objects.uid_of(o): o for o in existing if o.get("kind") in KINDS}

    # ---- the store's write sink -------------------------------------------------------------

    def append(self, ev) -> None:
        obj = ev.object
        rt = ev.rt
        if (rt.kind if rt is not None else obj.get("kind")) not in KINDS:
            return
        changes, times = self._changes, self._times
        with self._lock:
            now = self._clock.now()
            if times and now < times[-1]:
                now = times[-1]                # a clock set back (tests) never reorders the past
            # (tuple.__new__: Change's own __new__ is a Python function, and this runs for
            # nearly every write — ten a pod in a scale-up)
            changes.append(_new_change(Change, (now, ev.rv, ev.type, obj)))
            times.append(now)
            while len(changes) > self._limit:
                # the oldest change folded into base (inline: one a write once the limit is reached)
                _, _, etype, old = changes.popleft()
                md = old.get("metadata")
                uid = md.get("uid", "") if md else ""        # objects.uid_of
                if etype == "DELETED":
                    self._base.pop(uid, None)
                else:
                    self._base[uid] = old
                self.start = times.popleft()

    # ---- reads ------------------------------------------------------------------------------

    def span(self) -> tuple[float, float]:
        """(start, now): where the timeline begins and the present."""
        with self._lock:
            return self.start, self._clock.now()

    def state_at(self, t: float) -> tuple[list[dict], int]:
        """Every object as it was at time `t` (after all changes made at or before it), and the
        resourceVersion of the last of those changes (0 if none is kept)."""
        with self._lock:
            state = dict(self._base)
            end = bisect.bisect_right(self._times, t)
            rv = 0
            for i, ch in enumerate(self._changes):
                if i >= end:
                    break
                uid = objects.uid_of(ch.object)
                if ch.type == "DELETED":
                    state.pop(uid, None)
                else:
                    state[uid] = ch.object
                rv = ch.rv
            return list(state.values()), rv

    def changes_between(self, t0: float, t1: float, limit: int = 5000) -> list[Change]:
        """The changes made after `t0` and at or before `t1`, oldest first (at most `limit`)."""
        with self._lock:
            lo = bisect.bisect_right(self._times, t0)
            hi = min(bisect.bisect_right(self._times, t1), lo + limit)
            return [self._changes[i] for i in range(lo, hi)]
