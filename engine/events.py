"""EventRecorder: core/v1 Events with the real reasons and messages, written as client-go's
tools/record EventBroadcaster writes them (the kubelets, the controller-manager's controllers,
ingress-nginx, the provisioner all use it).

Each component's Events go through its own EventCorrelator (engine/event_correlation.py: the
aggregator, the repeat counter and the spam filter of client-go's events_cache.go): a repeat is
a PATCH of count, lastTimestamp and message on the Event it repeats, similar Events past ten
distinct messages in ten minutes become one "(combined from similar events): ..." Event, and a
source writes at most 25 Events about one object in a burst.

The kube-scheduler is the exception: it records through the events.k8s.io/v1 recorder (client-go
tools/events, NewEventBroadcasterAdapter), which has none of that. Its Events, read as core/v1,
carry eventTime (a MicroTime), action, reportingComponent and reportingInstance, and no
firstTimestamp, lastTimestamp, count or source; a repeat becomes a `series` (EventBroadcaster
below)."""
from __future__ import annotations

from sys import intern

from . import errors, objects
from .bounded import Memo
from .clock import Timer
from .event_correlation import COMBINED_PREFIX, Correlator

NORMAL, WARNING = "Normal", "Warning"


# The `source` of an Event, shared by every Event from one component on one host (stored
# objects are never changed in place): one dict per kubelet instead of one per Event.
_SOURCES: Memo[dict] = Memo(10_000)


def _source(component: str, host: str | None) -> dict:
    got = _SOURCES.get((component, host))
    if got is None:
        got = {"component": component}
        if host:
            got["host"] = host
        _SOURCES.put((component, host), got)
    return got


# The involvedObject of an Event, shared by the Events about one version of one object (and
# container): a kubelet's Pulled, Created and Started of a container are written in one step
# about one pod version — one dict instead of three.
_INVOLVED: Memo[dict] = Memo(10_000)


def _involved(obj: dict, md: dict, field_path: str | None) -> dict:
    key = (obj.get("kind"), md.get("namespace"), md.get("name"), md.get("uid"), obj.get("apiVersion"),
           md.get("resourceVersion"), field_path)
    try:
        got = _INVOLVED.get(key)
    except TypeError:              # (a field of a malformed object that is not a string)
        return {k: v for k, v in zip(_REF_FIELDS, key) if v}
    if got is None:
        got = {}                   # the ObjectReference, empty fields left out (omitempty)
        for k, v in zip(_REF_FIELDS, key):
            if v:
                got[k] = v
        _INVOLVED.put(key, got)
    return got


_REF_FIELDS = ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")


# The object part of the correlators' keys (engine/event_correlation.py), one tuple for an
# object's Events close together (a kubelet's four a pod): the keys hold it.
_REFS: Memo[tuple] = Memo(10_000)


# Components whose Events go through client-go's tools/events (events.k8s.io/v1) recorder, not
# tools/record: no correlator (kube-scheduler's NewEventBroadcasterAdapter).
EVENTS_API_COMPONENTS = frozenset({"default-scheduler"})

# tools/events event_broadcaster.go: finishSeries runs every finishTime and ends the series (and
# forgets the singletons) last seen more than finishTime ago; refreshExistingEventSeries writes
# every open series' count every refreshTime.
FINISH_TIME = 6 * 60.0
REFRESH_TIME = 30 * 60.0
SWEEP_AT = 50_000          # cache entries before a broadcaster first sweeps forgotten singletons


class EventBroadcaster:
    """One component's events.k8s.io/v1 broadcaster (client-go tools/events event_broadcaster.go,
    eventBroadcasterImpl): its eventCache and the two timers that tend it.

    recordToSink keys the cache by (type, action, reason, reportingController, reportingInstance,
    regarding, related) — the full ObjectReferences, resourceVersion included; not the note. The
    first Event of a key is created; the second sets `series: {count: 2, lastObservedTime}` on
    the cached Event and PATCHes it (a create under the same name if it is gone); later ones only
    count in the cache. finishSeries (every FINISH_TIME from the component's start, which the
    cluster gives with source_started; from its first Event when none was given) writes the
    final count of each series last observed more than FINISH_TIME before and forgets it, and
    forgets the singletons created that long before;
    refreshExistingEventSeries (every REFRESH_TIME) writes every open series' count. The timer
    runs while the cache holds anything (upstream's ticker runs always; with an empty cache its
    ticks do nothing), so the cache holds about six minutes of Events, as upstream's; a tick the
    clock fires late is made up for when an entry is next looked up."""

    def __init__(self, recorder: "EventRecorder", component: str, host: str | None, started: float):
        self._recorder, self.component = recorder, component
        self.instance = f"{component}-{host}" if host else component     # reportingController-hostname
        self._started = started
        # key -> [namespace, name, eventTime, the Event as created, series count (0: none), lastObservedTime]
        self.cache: dict[tuple, list] = {}
        self._timer: Timer | None = None
        self._sweep_at = SWEEP_AT

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def record(self, ns: str, md: dict, now: float, involved: dict, related: dict | None, etype: str,
               reason: str, action: str, message: str) -> None:
        key = (etype, action, reason, self.component, self.instance, tuple(involved.items()),
               tuple(related.items()) if related else None)
        got = self.cache.get(key)
        if got is not None and not got[4] and self._finished_by(got[2], now):
            del self.cache[key]           # a singleton a finishSeries tick has forgotten by now
            got = None
        if got is None:
            rec = self._recorder
            name = rec._name(md, now)
            # The cache keeps the Event's parts, not a copy of it (the Event is made again only
            # if it is gone when a series is written): a scale-up's Scheduled Events stay here
            # for six minutes, and each copy cost ~1 KB and the collector's time.
            parts = (involved, reason, message, etype, objects.micro_iso(now), action, related)
            self.cache[key] = [ns, name, now, parts, 0, now]
            if len(self.cache) > self._sweep_at:
                # Upstream the cache holds every Event of the last finishSeries period; this
                # sweep only forgets early what a tick has already forgotten, and runs again only
                # once the cache has doubled, so a burst faster than the ticks (100,000 pods at
                # 1x) costs a scan per doubling, not one per Event.
                self._forget_singletons(now)
                self._sweep_at = max(SWEEP_AT, 2 * len(self.cache))
            if self._timer is None:
                self._arm(now)
            rec._store.create(self._event(ns, name, parts), sync=False, admit=False)
            return
        if got[4]:
            got[4] += 1                   # an open series: counted here, written by the timers
            got[5] = now
            return
        got[4], got[5] = 2, now
        self._write_series(got)
        self._arm(now)

    def _finished_by(self, event_time: float, now: float) -> bool:
        """Whether a finishSeries tick (at started + k·FINISH_TIME) in (event_time + FINISH_TIME,
        now] has passed."""
        k = int((event_time + FINISH_TIME - self._started) // FINISH_TIME) + 1
        return self._started + k * FINISH_TIME <= now

    def _forget_singletons(self, now: float) -> None:
        for key in [k for k, v in self.cache.items() if not v[4] and self._finished_by(v[2], now)]:
            del self.cache[key]

    def _arm(self, now: float) -> None:
        if self._timer is not None:
            return
        k = int((now - self._started) // FINISH_TIME) + 1
        while self._started + k * FINISH_TIME <= now:      # (float rounding)
            k += 1
        self._arm_tick(k)

    def _arm_tick(self, k: int) -> None:
        self._timer = self._recorder._clock.call_at(self._started + k * FINISH_TIME, lambda: self._tick(k))

    def _tick(self, k: int) -> None:
        """The k-th tick: refreshExistingEventSeries (every REFRESH_TIME), then finishSeries."""
        self._timer = None
        now = self._started + k * FINISH_TIME       # (its time, should the clock fire it late)
        open_series = [v for v in self.cache.values() if v[4]]
        if k % round(REFRESH_TIME / FINISH_TIME) == 0:
            for v in open_series:
                self._write_series(v)
        for key, v in list(self.cache.items()):
            if v[4]:
                if v[5] < now - FINISH_TIME:
                    self._write_series(v)
                    del self.cache[key]
            elif v[2] < now - FINISH_TIME:
                del self.cache[key]
        if self.cache:
            self._arm_tick(k + 1)

    def _write_series(self, got: list) -> None:
        """recordEvent for a series: a strategic-merge PATCH of `series` (all that differs from the
        cached Event without it); on NotFound, a create of the cached Event with it."""
        ns, name, _, parts, count, last = got
        series = {"count": count, "lastObservedTime": objects.micro_iso(last)}
        store = self._recorder._store
        manager = self._recorder.field_manager(self.component) or self.component
        if store.patch_event_series(ns, name, series, manager) is not None:
            return
        try:
            store.create(self._event(ns, name, parts, series), sync=False, admit=False, manager=manager)
        except errors.ApiError:
            pass                          # events are best-effort

    def _event(self, ns: str, name: str, parts: tuple, series: dict | None = None) -> dict:
        """The Event as the events.k8s.io/v1 recorder makes it, read as core/v1: no count,
        deprecatedSource {}, null first/lastTimestamp; `series` after eventTime, where the
        apiserver writes it."""
        involved, reason, message, etype, event_time, action, related = parts
        ev: dict = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": name, "namespace": ns},
                    "involvedObject": involved, "reason": reason, "message": message,
                    "source": {}, "firstTimestamp": None, "lastTimestamp": None,
                    "type": etype, "eventTime": event_time}
        if series is not None:
            ev["series"] = dict(series)
        ev["action"] = action
        if related:
            ev["related"] = related
        ev["reportingComponent"], ev["reportingInstance"] = self.component, self.instance
        return ev


class EventRecorder:
    def __init__(self, store, clock, field_managers: dict[str, str] | None = None):
        self._store, self._clock = store, clock
        # The events.k8s.io/v1 components' broadcasters, by source (component, host).
        self._broadcasters: dict[tuple[str, str | None], EventBroadcaster] = {}
        # The field manager each component writes as (its process's user agent), for the writes
        # a broadcaster's timers make outside that component's turn.
        self._field_managers = field_managers or {}
        # One EventCorrelator per source (component, host): upstream each component process —
        # each kubelet, each controller's broadcaster — has its own, with its own LRU caches.
        self._correlators: dict[tuple[str, str | None], Correlator] = {}
        # When each source's process started (source_started): an events.k8s.io broadcaster's
        # ticks run from then, not from its first Event.
        self._started: dict[tuple[str, str | None], float] = {}
        self._last_nano = 0                               # names stay unique within one instant

    def field_manager(self, component: str) -> str | None:
        return self._field_managers.get(component)

    def source_started(self, component: str, host: str | None, at: float) -> None:
        """That source's process started at `at`. Upstream StartRecordingToSink starts the
        broadcaster's finishSeries and refreshExistingEventSeries loops (wait.Until: at once, then
        every period) when the process starts, so its ticks are at `at` + k·FINISH_TIME whenever
        its first Event comes; a source never said to have started ticks from its first Event."""
        self._started[(component, host)] = at

    def source_stopped(self, component: str, host: str | None) -> None:
        """That source's process is gone (a node's kubelet, with its node; the kube-scheduler):
        its EventCorrelator or broadcaster goes with it, as upstream the caches live in the
        process. A kubelet started again under the same name begins with empty ones — its
        "Starting kubelet." is a new Event, not a repeat — and a cluster that replaces nodes
        does not keep every old kubelet's keys."""
        self._correlators.pop((component, host), None)
        self._started.pop((component, host), None)
        b = self._broadcasters.pop((component, host), None)
        if b is not None:
            b.stop()

    def _name(self, md: dict, now: float) -> str:
        self._last_nano = max(int(now * 1e9), self._last_nano + 1)
        return f"{md.get('name')}.{self._last_nano:x}"

    def event(self, obj: dict, etype: str, reason: str, message: str, *, component: str,
              host: str | None = None, field_path: str | None = None, action: str = "",
              related: dict | None = None) -> None:
        """Record an Event about `obj`. `action` and `related` (an object) are the events.k8s.io/v1
        recorder's (Eventf(regarding, related, type, reason, action, note)); a tools/record
        component has neither."""
        md = obj.get("metadata") or {}
        ns = md.get("namespace") or "default"
        now = self._clock.now()
        # Equal texts made again for each Event ("Started container app", the container's
        # fieldPath) are kept as one string (sys.intern).
        if type(message) is str:
            message = intern(message)
        if type(field_path) is str:
            field_path = intern(field_path)
        involved = _involved(obj, md, field_path)
        try:
            if component in EVENTS_API_COMPONENTS:
                b = self._broadcasters.get((component, host))
                if b is None:
                    b = self._broadcasters[(component, host)] = EventBroadcaster(
                        self, component, host, self._started.get((component, host), now))
                rel = None
                if related is not None:
                    rel = _involved(related, related.get("metadata") or {}, None)
                b.record(ns, md, now, involved, rel, etype, reason, action, message)
            else:
                self._correlated(obj, md, ns, now, involved, etype, reason, message, component, host, field_path)
        except errors.ApiError:
            pass      # events are best-effort, as on a real cluster (namespace gone, name clash)

    def _correlated(self, obj, md, ns, now, involved, etype, reason, message, component, host, field_path):
        """client-go's recordToSink: EventCorrelate, then a create or a patch, then UpdateState."""
        corr = self._correlators.get((component, host))
        if corr is None:
            corr = self._correlators[(component, host)] = Correlator()
        ref = (obj.get("kind"), md.get("namespace"), md.get("name"), md.get("uid"), obj.get("apiVersion"))
        try:
            got = _REFS.get(ref)
        except TypeError:          # (a field of a malformed object that is not a string)
            ref = got = tuple(v if v is None or type(v) is str else repr(v) for v in ref)
        if got is None:
            _REFS.put(ref, ref)
        else:
            ref = got
        combined, log, allowed = corr.correlate(ref, field_path, etype, reason, message, now)
        count = log[0]
        stamp = None
        if count == 1:
            # A new Event: its name and firstTimestamp are the logger's from now on, whether or
            # not the spam filter lets this first occurrence through.
            log[1] = stamp = objects.iso(now)
            log[2] = self._name(md, now)
        if not allowed:
            return                 # the spam filter's: not written at all
        if combined:
            message = COMBINED_PREFIX + message
        if count > 1:
            # A repeat: PATCH count, lastTimestamp and message on the Event it repeats; if that
            # Event is gone (expired after the apiserver's --event-ttl, deleted, or never written:
            # filtered), create it under that name with the count so far, as recordEvent does on
            # NotFound.
            stamp = objects.iso(now)
            if self._store.patch_event(ns, log[2], count, stamp, message) is not None:
                return
        # (the aggregator's combined Event is made without the reporting fields)
        self._create(log[2], ns, involved, etype, reason, message, component, host, log[1], stamp, count,
                     reporting=not combined)
        if combined:
            corr.stored_combined(ref, field_path, etype, reason, message, log)

    def _create(self, name, ns, involved, etype, reason, message, component, host, first, last, count,
                reporting: bool = True) -> dict:
        ev = {"apiVersion": "v1", "kind": "Event",
              "metadata": {"name": name, "namespace": ns},
              "involvedObject": involved, "reason": reason, "message": message,
              "source": _source(component, host), "firstTimestamp": first, "lastTimestamp": last,
              "count": count, "type": etype, "eventTime": None,
              "reportingComponent": component if reporting else "",
              "reportingInstance": (host or "") if reporting else ""}
        # Built here, in its final shape: stored without another pass through admission.
        return self._store.create(ev, sync=False, admit=False)
