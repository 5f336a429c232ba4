"""A real cluster's drawn kinds, kept by list+watch: the page's stream source for a real cluster.

One thread per kind the page draws (webapp/page/stream.py DRAWN) lists it, then watches from the
list's resourceVersion, as client-go's reflector: a watch that ends is resumed from the last
resourceVersion seen (bookmarks included), a 410 Gone relists, and a relist's differences become
ADDED/MODIFIED/DELETED events. Every change gets the next number of a *local* resourceVersion,
so the page's list-then-watch protocol (resume, Expired → snapshot) works unchanged over kinds
whose own resourceVersions a client must treat as opaque. The numbering starts from the wall clock
in milliseconds, so a restarted server's numbers are above a page's old ones and it relists.

Size: only the drawn kinds are held, without managedFields, in the namespace the page is limited
to (`--namespace`), the pods of one node (`--node`) or of a label selector (`--selector`): memory
follows what the page shows. The history for resuming is a bounded ring.

Permissions: a namespaced kind the user may not list cluster-wide (403) is listed in the
kubeconfig context's namespace instead; a kind not even that is dropped. What was narrowed or
dropped, and the apiserver's reason, is in `scope()`, and the page says it."""
from __future__ import annotations

import collections
import heapq
import json
import logging
import random
import threading
import time

from engine import errors, resources as kinds
from webapp.page.stream import DRAWN

from .connection import Remote, RemoteError
from .inferred import InferredLog

log = logging.getLogger("kubeplay.remote")

HISTORY = 5000             # local watch events kept for a page resuming after a blip
MAX_EVENTS = 2000          # core/v1 Events held (the newest): a busy cluster writes thousands an hour
WATCH_SECONDS = 240        # each watch's timeoutSeconds (the server ends it; we resume)
RETRY_SECONDS = (0.5, 5.0)


class Event(collections.namedtuple("Event", "type object rv")):
    pass


def _slim(obj: dict) -> dict:
    md = obj.get("metadata") or {}
    if "managedFields" in md:
        obj = dict(obj)
        obj["metadata"] = {k: v for k, v in md.items() if k != "managedFields"}
    return obj


def path_of(rt, namespace: str | None = None, name: str | None = None) -> str:
    base = f"/apis/{rt.group}/{rt.version}" if rt.group else f"/api/{rt.version}"
    if rt.namespaced and namespace:
        base += f"/namespaces/{namespace}"
    base += f"/{rt.name}"
    return base + (f"/{name}" if name else "")


class Mirror:
    """The watch cache. `start()` starts the threads; `stop()` asks them to end."""

    def __init__(self, remote: Remote, *, namespace: str | None = None, node: str | None = None,
                 selector: str | None = None):
        self.remote = remote
        self.namespace, self.node, self.selector = namespace, node, selector
        self._cond = threading.Condition()
        self._objects: dict[str, dict[str, dict]] = {rt.name: {} for rt in DRAWN}
        self._history: collections.deque[Event] = collections.deque(maxlen=HISTORY)
        self._rv = int(time.time() * 1000)
        self._scope: dict[str, dict] = {}          # kind -> {"namespace", "denied", "reason"}
        self._synced: set[str] = set()
        self._failing: dict[str, str] = {}          # kind -> why its last list or watch failed
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self.decisions = InferredLog()
        self.traffic = None                  # nobody records requests between a real cluster's pods

    # ---- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        for rt in DRAWN:
            t = threading.Thread(target=self._run, args=(rt,), name=f"mirror-{rt.name}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()

    def synced(self) -> bool:
        """Every kind listed once (or found out of reach)."""
        with self._cond:
            return len(self._synced) == len(DRAWN)

    def problem(self) -> str | None:
        """Why the cluster is not being watched right now (expired credentials, unreachable), if
        any kind's list or watch is failing; None when all is well."""
        with self._cond:
            return next(iter(self._failing.values()), None)

    def scope(self) -> dict:
        """What the page sees: per kind, the namespace it is limited to and why, or that it is
        not visible at all and the apiserver's reason."""
        with self._cond:
            return {k: dict(v) for k, v in self._scope.items()}

    # ---- the source the page's stream reads (webapp/page/source.py) ------------------------------

    @property
    def resource_version(self) -> int:
        with self._cond:
            return self._rv

    def watch(self, since: int) -> "Watcher":
        with self._cond:
            self._check(since)
            return Watcher(self, since)

    def list(self, rt) -> tuple[list[dict], int]:
        with self._cond:
            return list(self._objects.get(rt.name, {}).values()), self._rv

    def newest(self, rt, n: int) -> tuple[list[dict], int]:
        """The n objects of a kind last written, newest first (the snapshot's Events). A real
        cluster's resourceVersions are opaque, so "last" is by the objects' own times."""
        def when(o: dict) -> str:
            md = o.get("metadata") or {}
            series = o.get("series") or {}
            return (series.get("lastObservedTime") or o.get("lastTimestamp") or o.get("eventTime")
                    or md.get("creationTimestamp") or "")
        with self._cond:
            items = list(self._objects.get(rt.name, {}).values())
            return heapq.nlargest(n, items, key=when), self._rv

    def get(self, kind_name: str, namespace: str | None, name: str) -> dict | None:
        with self._cond:
            return self._objects.get(kind_name, {}).get(f"{namespace or ''}/{name}")

    def objects(self, kind_name: str) -> list[dict]:
        with self._cond:
            return list(self._objects.get(kind_name, {}).values())

    def clock(self) -> dict:
        # A real cluster runs on the wall clock: nothing to pause or speed up.
        now = time.time()
        return {"now": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)), "nowSeconds": now,
                "paused": False, "speed": 1.0, "realisticTimings": True, "real": True,
                "timings": {"nodeMonitorGracePeriod": None, "evictionTolerationCap": None,
                            "terminationGraceCap": None, "real": True}}

    def _check(self, since: int) -> None:
        first = self._history[0].rv if self._history else self._rv + 1
        if since < first - 1 or since > self._rv:
            raise errors.Expired(f"too old resource version: {since} ({first - 1})")

    def _events_after(self, pos: int) -> list[Event]:
        h = self._history
        if not h or pos >= self._rv:
            return []
        start = max(0, pos + 1 - h[0].rv)
        return [h[i] for i in range(start, len(h))]

    # ---- changes ------------------------------------------------------------------------------------

    def _emit(self, rt, etype: str, obj: dict) -> None:
        """Record one change (caller holds the lock)."""
        obj = _slim(obj)
        key = f"{(obj.get('metadata') or {}).get('namespace') or ''}/{(obj.get('metadata') or {}).get('name')}"
        store = self._objects[rt.name]
        old = store.get(key)
        if etype == "DELETED":
            store.pop(key, None)
        else:
            store.pop(key, None)               # re-inserted last: the dict's order is recency
            store[key] = obj
        self._rv += 1
        self._history.append(Event(etype, obj, self._rv))
        self._cond.notify_all()
        try:
            self.decisions.observe(rt, etype, old, obj, self)
        except Exception:                       # a story line is a courtesy; the watch goes on
            log.exception("inferring a log line for %s %s failed", rt.kind, key)
        if rt is kinds.EVENT and len(store) > MAX_EVENTS:
            # Memory follows what the page shows: the oldest Event goes, as if it had expired.
            self._emit(rt, "DELETED", next(iter(store.values())))

    def _replace(self, rt, items: list[dict]) -> None:
        """A (re)list: what it lacks is deleted, what changed is modified, what is new is added."""
        with self._cond:
            have = dict(self._objects[rt.name])
            seen = set()
            for obj in items:
                md = obj.get("metadata") or {}
                key = f"{md.get('namespace') or ''}/{md.get('name')}"
                seen.add(key)
                old = have.get(key)
                if old is None:
                    self._emit(rt, "ADDED", obj)
                elif (old.get("metadata") or {}).get("resourceVersion") != md.get("resourceVersion"):
                    self._emit(rt, "MODIFIED", obj)
            for key, old in have.items():
                if key not in seen:
                    self._emit(rt, "DELETED", old)
            self._synced.add(rt.name)

    # ---- one kind's reflector ----------------------------------------------------------------------

    def _query(self, rt) -> list:
        q = []
        if rt is kinds.POD and self.node:
            q.append(("fieldSelector", f"spec.nodeName={self.node}"))
        if rt is kinds.NODE and self.node:
            q.append(("fieldSelector", f"metadata.name={self.node}"))
        if rt is kinds.POD and self.selector:
            q.append(("labelSelector", self.selector))
        return q

    def _run(self, rt) -> None:
        namespace = self.namespace if rt.namespaced else None
        if namespace:
            self._set_scope(rt, namespace, None)
        rv = None
        delay = RETRY_SECONDS[0]
        while not self._stopping.is_set():
            try:
                if rv is None:
                    rv = self._list(rt, namespace)
                with self._cond:
                    self._failing.pop(rt.name, None)
                rv = self._watch(rt, namespace, rv)
                delay = RETRY_SECONDS[0]
            except RemoteError as e:
                if e.code == 403 and rt.namespaced and namespace is None:
                    # May not list it cluster-wide: the kubeconfig context's namespace instead.
                    namespace = self.remote.namespace
                    self._set_scope(rt, namespace, e.message)
                    rv = None
                    continue
                if e.code in (403, 404):
                    # Not allowed at all (or not served by this cluster): the page says so.
                    self._set_scope(rt, None, e.message, denied=True)
                    with self._cond:
                        self._synced.add(rt.name)
                    return
                if e.code == 410:
                    rv = None                           # too old: relist
                    continue
                log.warning("watching %s: %s", rt.name, e.message)
                with self._cond:
                    self._failing[rt.name] = e.message
                rv = None
                self._stopping.wait(delay + random.random() * delay)
                delay = min(delay * 2, RETRY_SECONDS[1])
            except Exception as e:       # a broken stream (reset, read timeout, a torn line): relist
                log.warning("watching %s: %s; listing again", rt.name, type(e).__name__)
                rv = None
                self._stopping.wait(delay + random.random() * delay)
                delay = min(delay * 2, RETRY_SECONDS[1])

    def _set_scope(self, rt, namespace, reason, denied: bool = False) -> None:
        with self._cond:
            self._scope[rt.name] = {"kind": rt.kind, "namespace": namespace, "denied": denied,
                                    "reason": reason}

    def _list(self, rt, namespace) -> str:
        body = self.remote.request("GET", path_of(rt, namespace), query=self._query(rt))
        items = body.get("items") or []
        api_version, kind = rt.api_version, rt.kind
        for obj in items:             # list items come without their type
            obj.setdefault("apiVersion", api_version)
            obj.setdefault("kind", kind)
        self._replace(rt, items)
        return (body.get("metadata") or {}).get("resourceVersion") or ""

    def _watch(self, rt, namespace, rv: str) -> str:
        """Follow from `rv` until the server ends the watch; the last resourceVersion seen."""
        query = self._query(rt) + [("watch", "true"), ("resourceVersion", rv), ("allowWatchBookmarks", "true"),
                                   ("timeoutSeconds", str(WATCH_SECONDS))]
        resp = self.remote.open_watch(path_of(rt, namespace), query, WATCH_SECONDS)
        try:
            buf = b""
            for chunk in resp.stream(4096, decode_content=True):
                if self._stopping.is_set():
                    break
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if line.strip():
                        rv = self._on_line(rt, line, rv)
        finally:
            resp.release_conn()
        return rv

    def _on_line(self, rt, line: bytes, rv: str) -> str:
        ev = json.loads(line)
        etype, obj = ev.get("type"), ev.get("object") or {}
        if etype == "ERROR":
            code = obj.get("code") or 500
            raise RemoteError(code, obj)
        new_rv = (obj.get("metadata") or {}).get("resourceVersion") or rv
        if etype == "BOOKMARK":
            return new_rv
        if etype in ("ADDED", "MODIFIED", "DELETED"):
            obj.setdefault("apiVersion", rt.api_version)
            obj.setdefault("kind", rt.kind)
            with self._cond:
                self._emit(rt, etype, obj)
        return new_rv


class Watcher:
    """A page's position in the mirror's history (the engine Watcher's shape)."""

    def __init__(self, mirror: Mirror, pos: int):
        self._mirror, self.pos, self.closed = mirror, pos, False

    def next(self, timeout: float) -> list[Event]:
        m = self._mirror
        with m._cond:
            if not self.closed and m._rv <= self.pos:
                m._cond.wait(timeout)
            m._check(self.pos)
            evs = m._events_after(self.pos)
            if evs:
                self.pos = evs[-1].rv
            return evs

    def close(self) -> None:
        self.closed = True
