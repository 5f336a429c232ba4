"""The controller contract, in the shape Kubernetes engineers know (sample-controller,
controller-runtime):

- `handlers()` maps a resource to a function turning one watch event into keys to reconcile
  (its own key, or its controller owner's key) — handlers never act;
- a WorkQueue per controller de-duplicates keys;
- `reconcile(key)` reads the store, takes one step toward the desired state and returns
  (optionally) a delay after which to look again. It never learns which event woke it. A
  reconcile with nothing to do writes nothing.
- an exception means "retry with backoff"; errors.Conflict is expected and retried quietly.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Callable, Iterable

from .. import objects as O
from ..store import WatchEvent


@dataclass
class Timings:
    """Simulated durations. Playground defaults compress the long upstream timers so a demo takes
    seconds; `realistic()` restores the upstream values.

    Every controller holds the same instance, so `set_realistic(flag)` switches the whole
    engine at run time (the page's "realistic timings" switch, via Cluster.set_realistic_timings):
    controllers read these values whenever they decide, and those that keep timers computed from
    them re-arm them (`timings_changed()` hooks) — a wait already under way never grows, it is
    cut short when the new value is shorter."""
    lease_renew: float = 10.0              # kubelet Lease renewal (upstream ~10s)
    node_monitor_period: float = 5.0       # node-monitor-period
    node_monitor_grace: float = 8.0        # node-monitor-grace-period (upstream 50s)
    eviction_toleration_cap: float = 5.0   # caps tolerationSeconds for not-ready/unreachable (upstream 300s)
    termination_grace_cap: float = 2.0     # caps terminationGracePeriodSeconds (upstream 30s)
    image_pull: float = 1.5                # simulated image pull
    container_start: float = 0.5           # created → started
    realistic_mode: bool = False

    @classmethod
    def realistic(cls) -> "Timings":
        return cls(node_monitor_grace=50.0, eviction_toleration_cap=float("inf"),
                   termination_grace_cap=float("inf"), realistic_mode=True)

    def set_realistic(self, flag: bool) -> None:
        """Switch in place to the upstream (True) or the playground (False) durations. Only the
        values that differ between the two modes change (a custom lease period stays)."""
        fast, real = Timings(), Timings.realistic()
        want = real if flag else fast
        for name in MODE_FIELDS:
            setattr(self, name, getattr(want, name))

    def grace(self, seconds: float) -> float:
        return min(seconds, self.termination_grace_cap)

    def toleration(self, seconds: float) -> float:
        return min(seconds, self.eviction_toleration_cap)


MODE_FIELDS = tuple(f.name for f in fields(Timings)
                    if getattr(Timings(), f.name) != getattr(Timings.realistic(), f.name))


@dataclass
class Context:
    """What every controller is given: the store (as its API client), the clock, the event
    recorder, the decision log and the timings. Writes go through `store` with sync=False."""
    store: object
    clock: object
    recorder: object
    decisions: object
    timings: Timings
    cluster: object = None     # for the simulated kubelets' node health switch only


Handler = Callable[[WatchEvent], Iterable[str]]


class Controller:
    name = "controller"

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.store = ctx.store
        self.clock = ctx.clock
        self.recorder = ctx.recorder

    def handlers(self) -> dict[str, Handler]:
        raise NotImplementedError

    def reconcile(self, key: str) -> float | None:
        raise NotImplementedError

    def decide(self, key: str, message: str, *, action: str, observed=None, desired=None) -> None:
        self.ctx.decisions.record(self.name, key, observed=observed, desired=desired,
                                  action=action, message=message)

    def now_iso(self) -> str:
        return O.iso(self.clock.now())


# Handler helpers ------------------------------------------------------------------------------

def own_key(ev: WatchEvent) -> Iterable[str]:
    yield O.key_of(ev.object)


def owner_key(kind: str) -> Handler:
    """Map a dependent's event to its controller owner's key (if the owner is of `kind`),
    looking at the old object too so a released dependent still wakes its old owner."""
    def handler(ev: WatchEvent) -> Iterable[str]:
        keys = set()
        for obj in (ev.object, ev.old):           # (O.controller_of, inline: every pod event)
            if obj is None:
                continue
            md = obj.get("metadata") or {}
            for ref in md.get("ownerReferences") or ():
                if ref.get("controller"):
                    if ref.get("kind") == kind:
                        ns = md.get("namespace", "")
                        keys.add(f"{ns}/{ref['name']}" if ns else ref["name"])
                    break
        return keys
    return handler
