"""EventRecorder: core/v1 Events with the real reasons and messages, written as client-go's
tools/record EventBroadcaster writes them (the kubelets, the controller-manager's controllers,
ingress-nginx, the provisioner all use it).

Each component's Events go through its own EventCorrelator (engine/event_correlation.py: the
aggregator, the repeat counter and the spam filter of client-go's events_cache.go): a repeat is
a PATCH of count, lastTimestamp and message on the Event it repeats, similar Events past ten
distinct messages in ten minutes become one "(combined from similar events): ..." Event, and a
source writes at most 25 Events about one object in a burst.

The kube-scheduler is the exception: since 1.19 it records through the events.k8s.io/v1
recorder (client-go tools/events), which has none of that; its Events keep the plain
exact-repeat count this module always gave them."""
from __future__ import annotations

from sys import intern

from . import errors, objects, resources as kinds
from .bounded import Memo
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


class EventRecorder:
    def __init__(self, store, clock):
        self._store, self._clock = store, clock
        # The events.k8s.io components' exact repeats: aggregation key -> (namespace, name)
        self._seen: dict[tuple, tuple[str, str]] = {}
        # One EventCorrelator per source (component, host): upstream each component process —
        # each kubelet, each controller's broadcaster — has its own, with its own LRU caches.
        self._correlators: dict[tuple[str, str | None], Correlator] = {}
        self._last_nano = 0                               # names stay unique within one instant

    def source_stopped(self, component: str, host: str | None) -> None:
        """That source's process is gone (a node's kubelet, with its node): its EventCorrelator
        goes with it, as upstream the caches live in the process. A kubelet started again under
        the same name begins with empty ones — its "Starting kubelet." is a new Event, not a
        repeat — and a cluster that replaces nodes does not keep every old kubelet's keys."""
        self._correlators.pop((component, host), None)

    def _name(self, md: dict, now: float) -> str:
        self._last_nano = max(int(now * 1e9), self._last_nano + 1)
        return f"{md.get('name')}.{self._last_nano:x}"

    def event(self, obj: dict, etype: str, reason: str, message: str, *, component: str,
              host: str | None = None, field_path: str | None = None) -> None:
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
                self._exact_repeats(md, ns, now, involved, etype, reason, message, component, host, field_path)
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

    def _exact_repeats(self, md, ns, now, involved, etype, reason, message, component, host, field_path):
        agg_key = (md.get("uid"), etype, reason, message, component, field_path)
        prev = self._seen.get(agg_key)
        if prev:
            cur = self._store.try_get(kinds.EVENT, prev[0], prev[1])
            if cur is not None:
                self._store.patch_event(prev[0], prev[1], int(cur.get("count") or 1) + 1, objects.iso(now), message)
                return
        stamp = objects.iso(now)
        made = self._create(self._name(md, now), ns, involved, etype, reason, message, component, host,
                            stamp, stamp, 1)
        self._seen[agg_key] = (ns, made["metadata"]["name"])
        if len(self._seen) > 50000:
            self._seen.clear()

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
