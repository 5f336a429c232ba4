"""Events expire, as the kube-apiserver's `--event-ttl` (default 1h) makes them: each Event is
written to etcd under a lease of that TTL, renewed by every create and update, and etcd deletes
the key when the lease runs out — watchers see DELETED, and the store (and the state file)
stop growing under churn.

`EventExpiry` is the store's index of when each Event was last written, in write order (an
OrderedDict moved-to-end on every write: the clock only goes forward, so the oldest write is
always first and finding what is due costs one look at the front)."""
from __future__ import annotations

import collections
import itertools
from typing import Iterable, Iterator

from . import objects

DEFAULT_EVENT_TTL = 3600.0


class EventExpiry:
    def __init__(self, ttl: float = DEFAULT_EVENT_TTL):
        self.ttl = ttl
        self._written: collections.OrderedDict[tuple[str, str], float] = collections.OrderedDict()
        # Whether the order above is also resourceVersion order: true of writes made in this
        # process (they come in rv order under the store's lock); checked for a loaded state file.
        self.rv_ordered = True

    def __len__(self) -> int:
        return len(self._written)

    def written(self, namespace: str, name: str, at: float) -> None:
        key = (namespace, name)
        self._written[key] = at
        self._written.move_to_end(key)

    def gone(self, namespace: str, name: str) -> None:
        self._written.pop((namespace, name), None)

    def loaded(self, events: Iterable[dict]) -> None:
        """Index Events read back from a state file: their last write is the latest of the
        times they carry (tools/record moves lastTimestamp on every repeat, tools/events a
        series' lastObservedTime)."""
        def last_write(ev: dict) -> float:
            times = [objects.parse_time(ev.get(k)) for k in ("lastTimestamp", "eventTime", "firstTimestamp")]
            series = ev.get("series")
            if isinstance(series, dict):
                times.append(objects.parse_time(series.get("lastObservedTime")))
            times.append(objects.parse_time(objects.meta(ev).get("creationTimestamp")))
            return max((t for t in times if t is not None), default=0.0)
        # Ties (times are whole seconds) in resourceVersion order, which is write order.
        ordered = sorted(events, key=lambda ev: (last_write(ev), objects.rv_of(ev)))
        rvs = [objects.rv_of(ev) for ev in ordered]
        self.rv_ordered = self.rv_ordered and all(a < b for a, b in zip(rvs, rvs[1:]))
        for ev in ordered:
            self.written(objects.namespace_of(ev), objects.name_of(ev), last_write(ev))

    def newest(self, n: int) -> list[tuple[str, str]] | None:
        """The keys of the n Events written last, newest first, from the back of the index (the
        page's snapshot wants 500 of tens of thousands); None when the index's order is not rv
        order (a state file whose Events' times and resourceVersions disagree)."""
        if not self.rv_ordered:
            return None
        return list(itertools.islice(reversed(self._written), n))

    def maybe_due(self, now: float) -> bool:
        """Whether anything may be due, without the store's lock (the engine thread asks every
        pass): a peek at the oldest write; a write racing with the peek answers "maybe"."""
        due = self.next_due()
        return due is not None and due <= now

    def next_due(self) -> float | None:
        """When the oldest write's lease runs out (None: no Event), for the engine thread's
        sleep; a write racing with the peek answers "now" (0.0), which costs one look."""
        try:
            for at in self._written.values():
                return at + self.ttl
            return None
        except RuntimeError:                # changed under the peek by an API thread's write
            return 0.0

    def due(self, now: float) -> Iterator[tuple[str, str]]:
        """The Events whose lease has run out by `now`, oldest first (each is dropped from the
        index as it is handed out)."""
        written = self._written
        while written:
            key, at = next(iter(written.items()))
            if at + self.ttl > now:
                return
            written.popitem(last=False)
            yield key
