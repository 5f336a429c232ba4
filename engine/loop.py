"""What every loop of the engine shares — the controllers (engine/controllers), the scheduler
(engine/scheduler) and the kubelets (engine/kubelet) are all reconcile loops, and must not import
each other (tests/test_architecture.py), so the contract lives here, beside them: the
`Controller` base class, the `Context` it is handed, the `Timings` it runs by.

The contract, in the shape Kubernetes engineers know (sample-controller, controller-runtime):

- `handlers()` maps a resource to a function turning one watch event into keys to reconcile
  (its own key, or its controller owner's key) — handlers never act;
- a WorkQueue per controller de-duplicates keys;
- `reconcile(key)` reads the store, takes one step toward the desired state and returns None
  (done) or a `Result` asking to look again after a delay. It never learns which event woke it.
  A reconcile with nothing to do writes nothing.
- one retry policy, the queue's: an exception means "retry with the queue's backoff" (5 ms·2ⁿ,
  capped at 300 s). API errors (a stale read's Conflict, a failure the controller has already
  reported as an Event or condition) are retried quietly, anything else is logged first.
  A `TerminalError` — input no retry can fix — is recorded as a Warning Event and not retried;
  the next change to the object wakes the controller again.
"""
from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, fields
from typing import Any, Callable, Iterable, Protocol

from . import errors, objects
from .resources import ResourceType
from .store import WatchEvent


# ---- what reconcile returns, and the error that is not retried -----------------------------------

@dataclass(frozen=True)
class Result:
    """controller-runtime's reconcile.Result: come back after `requeue_after` seconds (a timer
    the controller depends on — a minReadySeconds expiry, a grace period's end). Returning None
    means done until the next event."""
    requeue_after: float


def requeue_after(seconds: float | None) -> Result | None:
    """`Result(seconds)`, or None (done) when there is nothing to wait for."""
    return None if seconds is None else Result(seconds)


class TerminalError(Exception):
    """Input no retry can fix (controller-runtime's TerminalError; sample-controller logs and
    swallows it): the engine records `reason`/`message` as a Warning Event on `obj` and forgets
    the key. Raise it after writing whatever status the object should still show."""

    def __init__(self, obj: dict, reason: str, message: str):
        super().__init__(message)
        self.obj, self.reason, self.message = obj, reason, message


# ---- what a controller is given ------------------------------------------------------------------

class TimerHandle(Protocol):
    due: float
    cancelled: bool

    def cancel(self) -> None: ...


class Clock(Protocol):
    """Simulated time (engine.clock): read it, and set timers that fire on the engine thread."""

    def now(self) -> float: ...

    def call_at(self, due: float, fn: Callable[[], object]) -> TimerHandle: ...

    def call_later(self, delay: float, fn: Callable[[], object]) -> TimerHandle: ...

    def next_due(self) -> float | None: ...


class ObjectStore(Protocol):
    """The store as a controller sees it: its API client and its informer cache in one. Reads
    return the stored objects themselves — never modify one, clone it first (the engine tests'
    fixture checks this, as client-go's cache mutation detector does). Controllers write with
    sync=False (the engine thread commits its own writes in batches)."""

    @property
    def resource_version(self) -> int: ...

    def get(self, rt: ResourceType, namespace: str | None, name: str) -> dict: ...

    def try_get(self, rt: ResourceType, namespace: str | None, name: str) -> dict | None: ...

    def iter(self, rt: ResourceType, namespace: str | None = None) -> Iterable[dict]: ...

    def owned_by(self, uid: str, rt: ResourceType | None = None) -> list[dict]: ...

    def owned_changes(self, uid: str) -> set[tuple[str, str, str]] | None: ...

    def forget_owned_changes(self, uid: str) -> None: ...

    def create(self, obj: dict, *, strict: bool = True, dry_run: bool = False, sync: bool = True,
               namespace: str | None = None, admit: bool = True) -> dict: ...

    def update(self, obj: dict, *, strict: bool = True, dry_run: bool = False, sync: bool = True,
               subresource: str | None = None) -> dict: ...

    def patch(self, rt: ResourceType, namespace: str | None, name: str, patch_type: str, body: Any,
              *, strict: bool = True, dry_run: bool = False, sync: bool = True,
              subresource: str | None = None) -> dict: ...

    def refresh_spec(self, rt: ResourceType, namespace: str, name: str, fields: dict) -> dict | None: ...
    def refresh_specs(self, rt: ResourceType, namespace: str, writes: Iterable[tuple[str, dict]]) -> list[dict | None]: ...

    def delete(self, rt: ResourceType, namespace: str | None, name: str, *,
               grace_period_seconds: int | None = None, propagation_policy: str | None = None,
               preconditions: dict | None = None, dry_run: bool = False, sync: bool = True) -> dict: ...


class Recorder(Protocol):
    """The EventRecorder (engine.events): Events as `kubectl describe` shows them."""

    def event(self, obj: dict, etype: str, reason: str, message: str, *, component: str,
              host: str | None = None, field_path: str | None = None, action: str = "",
              related: dict | None = None) -> None: ...

    def source_started(self, component: str, host: str | None, at: float) -> None: ...

    def source_stopped(self, component: str, host: str | None) -> None: ...


class Decisions(Protocol):
    """The decision log the page shows: what a controller saw and what it did about it."""

    def record(self, controller: str, key: str, *, observed: Any = None, desired: Any = None,
               action: str, message: str) -> None: ...


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
    store: ObjectStore
    clock: Clock
    recorder: Recorder
    decisions: Decisions
    timings: Timings
    # The nodes the page has failed (Cluster.fail_node): a live, read-only view, for the simulated
    # kubelets only — a failed node's kubelet stops acting, as a powered-off machine's would.
    failed_nodes: Set[str] = frozenset()
    # The control-plane components the learner has stopped (Cluster.set_component_running): a
    # live, read-only view, for the kubelet that reports their mirror pods unready.
    stopped_components: Set[str] = frozenset()
    # Traffic on serving pods (engine/load.py): the load the page set on Deployments, and the
    # load generators' pods; read by the HPA controller through the same usage model kubectl top shows.
    load: Any = None


Handler = Callable[[WatchEvent], Iterable[str]]


class Controller:
    name = "controller"
    # The `source.component`s its Events name (client-go's recorder per controller: mostly the
    # controller's own name); the cluster drops their EventCorrelators when the process stops.
    event_sources: tuple[str, ...] = ()

    @property
    def event_components(self) -> tuple[str, ...]:
        return self.event_sources or (self.name,)

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.store = ctx.store
        self.clock = ctx.clock
        self.recorder = ctx.recorder
        # Queue a key of one's own from a timer (the cluster wires it to this loop's workqueue):
        # for work that no watch event announces, e.g. an attached shell ending its container.
        self.enqueue: Callable[[str], None] = lambda key: None

    def handlers(self) -> dict[str, Handler]:
        raise NotImplementedError

    def reconcile(self, key: str) -> Result | None:
        raise NotImplementedError

    def decide(self, key: str, message: str, *, action: str, observed=None, desired=None) -> None:
        self.ctx.decisions.record(self.name, key, observed=observed, desired=desired,
                                  action=action, message=message)

    def now_iso(self) -> str:
        return objects.iso(self.clock.now())


# Handler helpers ------------------------------------------------------------------------------

# The handlers() key under which a controller takes the events of every custom resource (the
# types CustomResourceDefinitions serve come and go at run time; the garbage collector follows them).
CUSTOM_RESOURCES = "*custom-resources*"


def own_key(ev: WatchEvent) -> Iterable[str]:
    yield objects.key_of(ev.object)


def owner_key(kind: str) -> Handler:
    """Map a dependent's event to its controller owner's key (if the owner is of `kind`),
    looking at the old object too so a released dependent still wakes its old owner."""
    def handler(ev: WatchEvent) -> Iterable[str]:
        keys = set()
        for obj in (ev.object, ev.old):           # (objects.controller_of, inline: every pod event)
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


def quiet_write(fn, *args, **kw):
    """A write whose object may have moved or vanished meanwhile: the next reconcile re-reads."""
    try:
        return fn(*args, **kw)
    except (errors.NotFound, errors.Conflict):
        return None
