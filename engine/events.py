"""EventRecorder: core/v1 Events with the real reasons, messages and count aggregation.

Repeats of the same (object, type, reason, message, source) bump `count` and `lastTimestamp`
on the existing Event instead of creating another, as client-go's events cache does."""
from __future__ import annotations

from sys import intern

from . import errors, objects, resources as kinds
from .bounded import Memo

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


class EventRecorder:
    def __init__(self, store, clock):
        self._store, self._clock = store, clock
        self._seen: dict[tuple, tuple[str, str]] = {}     # aggregation key -> (namespace, name)
        self._last_nano = 0                               # names stay unique within one instant

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
        agg_key = (md.get("uid"), etype, reason, message, component, field_path)
        prev = self._seen.get(agg_key)
        try:
            if prev:
                cur = self._store.try_get(kinds.EVENT, prev[0], prev[1])
                if cur is not None:
                    new = objects.clone(cur)
                    new["count"] = int(cur.get("count") or 1) + 1
                    new["lastTimestamp"] = objects.iso(now)
                    self._store.update(new, sync=False, strict=False)
                    return
            source = _source(component, host)
            self._last_nano = max(int(now * 1e9), self._last_nano + 1)
            stamp = objects.iso(now)
            ev = {"apiVersion": "v1", "kind": "Event",
                  "metadata": {"name": f"{md.get('name')}.{self._last_nano:x}", "namespace": ns},
                  "involvedObject": involved, "reason": reason, "message": message,
                  "source": source, "firstTimestamp": stamp, "lastTimestamp": stamp,
                  "count": 1, "type": etype, "eventTime": None,
                  "reportingComponent": component, "reportingInstance": host or ""}
            # Built here, in its final shape: stored without another pass through admission.
            made = self._store.create(ev, sync=False, admit=False)
            self._seen[agg_key] = (ns, made["metadata"]["name"])
            if len(self._seen) > 50000:
                self._seen.clear()
        except errors.ApiError:
            pass      # events are best-effort, as on a real cluster (namespace gone, name clash)
