"""The timeline's fold of its oldest change (inline in append, by tuple unpacking) against the
plain one it replaced: a reference timeline is compared with the real one after writes of a
random sequence (adds, updates, deletes, a clock that stands still and one set back), through
each read."""
from __future__ import annotations

import bisect
import collections
import random

from engine import objects, timeline
from engine.clock import ManualClock
from engine.store import WatchEvent


class FoldEachWrite:
    """The timeline as it was: the oldest change folded into base at the write past the limit."""

    def __init__(self, clock, existing, limit):
        self._clock, self._limit = clock, limit
        self._changes: collections.deque = collections.deque()
        self._times: collections.deque = collections.deque()
        self.start = clock.now()
        self._base = {objects.uid_of(o): o for o in existing if o.get("kind") in timeline.KINDS}

    def append(self, ev) -> None:
        if ev.object.get("kind") not in timeline.KINDS:
            return
        now = self._clock.now()
        if self._times and now < self._times[-1]:
            now = self._times[-1]
        self._changes.append(timeline.Change(now, ev.rv, ev.type, ev.object))
        self._times.append(now)
        while len(self._changes) > self._limit:
            ch = self._changes.popleft()
            uid = objects.uid_of(ch.object)
            if ch.type == "DELETED":
                self._base.pop(uid, None)
            else:
                self._base[uid] = ch.object
            self.start = self._times.popleft()

    def span(self):
        return self.start, self._clock.now()

    def state_at(self, t):
        state = dict(self._base)
        end = bisect.bisect_right(self._times, t)
        rv = 0
        for ch in list(self._changes)[:end]:
            uid = objects.uid_of(ch.object)
            if ch.type == "DELETED":
                state.pop(uid, None)
            else:
                state[uid] = ch.object
            rv = ch.rv
        return list(state.values()), rv

    def changes_between(self, t0, t1, limit=5000):
        lo = bisect.bisect_right(self._times, t0)
        hi = min(bisect.bisect_right(self._times, t1), lo + limit)
        return [self._changes[i] for i in range(lo, hi)]


def _pod(uid: int, rv: int) -> dict:
    return {"kind": "Pod", "metadata": {"name": f"p{uid}", "namespace": "default", "uid": f"u{uid}",
                                        "resourceVersion": str(rv)}}


def test_fold_reads_as_the_plain_fold():
    rng = random.Random(5)
    clock = ManualClock()
    existing = [_pod(i, i) for i in range(5)] + [{"kind": "Lease", "metadata": {"uid": "l"}}]
    real = timeline.Timeline(clock, existing, limit=20)
    ref = FoldEachWrite(clock, existing, 20)
    live = {i: _pod(i, i) for i in range(5)}
    rv, next_uid = 10, 5
    for _ in range(600):
        r = rng.random()
        if r < 0.05:
            clock.set(clock.now() - 1)
        elif r < 0.6:
            clock.advance(rng.choice((0, 0, 0.5, 1)))
        rv += 1
        if live and rng.random() < 0.3:
            uid = rng.choice(sorted(live))
            gone = live.pop(uid)
            ev = WatchEvent("DELETED", dict(gone, metadata=dict(gone["metadata"], resourceVersion=str(rv))), rv)
        elif live and rng.random() < 0.5:
            uid = rng.choice(sorted(live))
            live[uid] = _pod(uid, rv)
            ev = WatchEvent("MODIFIED", live[uid], rv)
        else:
            live[next_uid] = _pod(next_uid, rv)
            ev = WatchEvent("ADDED", live[next_uid], rv)
            next_uid += 1
        for t in (real, ref):
            t.append(ev)
        if rng.random() < 0.2:
            t_read = clock.now() - rng.choice((0, 0.5, 2, 10))
            read = rng.choice(("span", "state_at", "changes_between"))
            if read == "span":
                assert real.span() == ref.span()
            elif read == "state_at":
                assert real.state_at(t_read) == ref.state_at(t_read)
            else:
                assert real.changes_between(t_read - 3, t_read + 1) == ref.changes_between(t_read - 3, t_read + 1)
    got, want = real.state_at(clock.now()), ref.state_at(clock.now())
    assert [objects.uid_of(o) for o in got[0]] == [objects.uid_of(o) for o in want[0]] and got == want
    assert real.span() == ref.span()
    assert real.start > 0            # the scenario did fold
