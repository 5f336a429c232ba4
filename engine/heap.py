"""Keeping Python's cyclic collector off the store's heap while the engine is busy.

The store is a large heap of long-lived, acyclic dicts (a few million objects at 10,000 pods).
Python's cyclic collector re-scans the whole heap on each full collection, which it runs every
time the heap has grown by a quarter: a third of the engine's CPU while a big scale-up builds
that heap. While busy, the engine moves what survived a young collection to the collector's
permanent generation (gc.freeze) every FREEZE_EVERY seconds — when at least FREEZE_AFTER_WRITES
writes were made since the last time (so not at idle); reference counting still frees those
objects as soon as they are dropped, which is how the store's objects go. (Freezing once a
second left several full collections of the newer part: ~15% of the CPU at 10,000 pods.)

The check runs inside the engine's pass (after each controller's batch of keys), not only
between passes: one pass of a big scale-up makes thousands of writes (a ReplicaSet's 1,000 pod
creates, the kubelets' reports), and a pass-level check let the young part of the heap grow
past several full collections before it was frozen (~20 % of the CPU at 10,000 pods in
process, more at 100,000). Only the engine thread of a server turns it on (`Cluster.freeze_heap`):
tests run many short-lived clusters, whose cycles (a Cluster and its controllers) must stay
collectable.
"""
from __future__ import annotations

import gc
import time

FREEZE_EVERY = 0.25
FREEZE_AFTER_WRITES = 2500


def freeze_survivors() -> None:
    # Young cyclic garbage is collected first (cheap), so that little is frozen with the
    # survivors. (The engine keeps few cycles alive for long: a cycle that reached the old
    # generation before it died is frozen with the rest and stays; keep exceptions that outlive
    # their frame without a traceback, as the ReplicaSet controller does.)
    gc.collect(1)
    gc.freeze()


def _young_collections() -> int:
    """How many collections of the youngest generation alone the collector has made (only its
    own: nothing here asks for one)."""
    return gc.get_stats()[0]["collections"]


class Freezer:
    """Freezes the survivors when enough writes were made and enough time has passed, and the
    collector has run on its own since the last time.

    That last condition is what an idle cluster needs: its writes (the Lease renewals, 250 a
    simulated second at 1,000 nodes) each replace an object that the watch history then lets go,
    so the count of new objects, which starts the collector, stays near zero and it never runs —
    there is no growth to freeze, and freezing anyway cost a young collection of everything written
    since (a tenth of the engine's idle CPU)."""
    __slots__ = ("rv", "at", "young")

    def __init__(self, rv: int):
        self.rv, self.at = rv, time.monotonic()
        self.young = -1                  # the first check freezes whatever came before

    def check(self, rv: int) -> None:
        if rv - self.rv < FREEZE_AFTER_WRITES:
            return
        now = time.monotonic()
        if now - self.at >= FREEZE_EVERY:
            self.rv, self.at = rv, now
            if _young_collections() != self.young:
                freeze_survivors()
                self.young = _young_collections()
