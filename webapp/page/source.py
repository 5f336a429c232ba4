"""What feeds the page's stream (webapp/page/stream.py): the seam between the page and a cluster.

The stream is a list-then-watch of *some* store; this module names what it needs from one, so the
same Session can draw the engine in this process or a real cluster watched through its API
(webapp/remote/mirror.py, `kubeplay serve --kubeconfig`). A source offers:

- `resource_version` (int) and `watch(since)` -> a watcher with `next(timeout)` (a list of events
  with `.type`, `.object`, `.rv`), `pos` and `close()`; `watch` raises `errors.Expired` when its
  history no longer reaches back to `since`;
- `list(rt)` -> (objects, the resourceVersion they were read at) for one drawn kind;
- `decisions`: the reconcile log (`since(seq)` -> (items, last), `last_seq`);
- `traffic`: requests between pods (`since(seq)`, `last_seq`), or None where nobody records them;
- `clock()` -> the clock message's fields (`now`, `nowSeconds`, `paused`, `speed`, ...).

The engine's Store, DecisionLog and traffic ring already have that shape; EngineSource only adds
the clock message."""
from __future__ import annotations

from engine import objects


class EngineSource:
    """The engine in this process: its store, reconcile log, traffic ring and simulated clock."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.store = cluster.store
        self.decisions = cluster.decisions
        self.traffic = cluster.traffic

    @property
    def resource_version(self) -> int:
        return self.store.resource_version

    def watch(self, since: int):
        return self.store.watch(since)

    def list(self, rt):
        return self.store.list(rt)

    def newest(self, rt, n: int):
        """The n objects of a kind written last, newest first (the snapshot's Events)."""
        return self.store.newest(rt, n)

    def clock(self) -> dict:
        clock, tm = self.cluster.clock, self.cluster.timings
        t = clock.now()
        return {"now": objects.iso(t), "nowSeconds": t, "paused": bool(clock.paused),
                "speed": float(clock.speed), "realisticTimings": bool(tm.realistic_mode),
                "timings": {"nodeMonitorGracePeriod": tm.node_monitor_grace,
                            "evictionTolerationCap": _finite(tm.eviction_toleration_cap),
                            "terminationGraceCap": _finite(tm.termination_grace_cap)}}


def _finite(x: float) -> float | None:
    return None if x == float("inf") else x
