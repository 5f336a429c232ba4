"""The authoritative object store: the part of a kube-apiserver that owns state.

Every write passes admission (defaulting + validation), gets the next cluster-wide
resourceVersion and is appended to a watch history; an update that changes nothing is not
written and moves no resourceVersion (as etcd3's GuaranteedUpdate). Objects handed out are
shared, read-only dicts: a write stores a new dict, never changes a stored one (controllers
rely on this to keep what they derived from a pod until the pod is written again). Two engine
writes skip admission because they are built in the admitted shape: the EventRecorder's Events
(`create(admit=False)`) and the kubelets' Lease renewals (`refresh_spec`).

Durability: with a SQLite file, writes made for API clients are committed before the call
returns (`sync=True`); the engine's own writes (`sync=False`) are committed in groups by
flush(), because a controller re-derives anything a crash loses — the engine thread hands them
to the state file's writer thread about every quarter second (engine/sqlite.py).

Watchers: `watch(since)` replays history after `since` then follows live writes; a `since`
older than the retained history raises Expired (410), as the apiserver's watch cache does. The
engine has its own unbounded feed (`subscribe()`), so controllers never miss an event.
"""
from __future__ import annotations

import builtins
import collections
import functools
import heapq
import itertools
import random
import threading
import time
from typing import Callable, Iterable, NamedTuple, Protocol

from . import (admission, errors, ingress_admission, managedfields, objects, pod_status_fields, resources as kinds,
               shared_parts, storage_admission, strategy)
from . import patch as patching
from .selectors import (check_field_selector, matches_fields, matches_requirements,
                        parse_field_selector, parse_label_selector)
from .admission import limitranger, resourcequota
from .bounded import Memo
from .crd import admission as crd_admission
from .crd import definitions as crd_definitions
from .admission import priority as priority_admission
from .event_ttl import DEFAULT_EVENT_TTL, EventExpiry
from .services import allocate
from .sqlite import SqliteBacking

IMMORTAL_NAMESPACES = ("default", "kube-system", "kube-public")

DEFAULT_HISTORY = 20000
DEFAULT_MAX_PODS = 10000
PLAYGROUND_QUOTA = "playground"


_new_tuple = tuple.__new__


class WatchEvent(NamedTuple):
    """One write, as watchers see it (a tuple: cheap to make, one per write, read-only)."""
    type: str            # ADDED | MODIFIED | DELETED
    object: dict
    rv: int
    old: dict | None = None
    rt: kinds.ResourceType | None = None     # the object's resource type, when the writer knew it

    @property
    def resource(self) -> kinds.ResourceType:
        return self.rt or kinds.of(self.object)


class _Sink(Protocol):
    def append(self, ev: WatchEvent, /) -> None: ...


class Store:
    def __init__(self, path: str | None = None, *, clock=None, history: int = DEFAULT_HISTORY,
                 max_pods: int = DEFAULT_MAX_PODS, event_ttl: float = DEFAULT_EVENT_TTL):
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._waiting = 0
        self._clock = clock
        self.max_pods = max_pods
        # resource name -> namespace -> name -> object
        # (a defaultdict: custom resources come and go with their CustomResourceDefinitions)
        self._objs: dict[str, dict[str, dict[str, dict]]] = collections.defaultdict(dict)
        self._objs.update({rt.name: {} for rt in kinds.all_types()})
        self._owned: dict[str, set[tuple[str, str, str]]] = collections.defaultdict(set)
        # owner uid → objects it owns (or owned) written since its consumer last asked
        # (owned_changes): the ReplicaSet controller's way to re-read only those of 100,000 pods.
        self._owner_changes: dict[str, set[tuple[str, str, str]]] = {}
        self._rv = 0
        self._history: collections.deque[WatchEvent] = collections.deque(maxlen=history)
        self._feeds: list[_Sink] = []          # subscribe()'s deques and observe_writes()' sinks
        self._db = SqliteBacking(path) if path else None
        self._wakers: list[Callable[[], None]] = []
        self.pod_count = 0
        # The field manager of writes that name none: the engine sets it to the component whose
        # work it is running (kube-controller-manager, kube-scheduler, kubelet), as each of those
        # identifies itself to a real apiserver by its User-Agent.
        self.acting_as = "kube-controller-manager"
        self._event_expiry = EventExpiry(event_ttl)
        if self._db:
            self._load()
        else:
            crd_definitions.reset(())        # this store's CRDs (none) are the ones served

    # ---- plumbing ------------------------------------------------------------------------

    def set_clock(self, clock) -> None:
        self._clock = clock

    def _now(self) -> float:
        return self._clock.now()

    @property
    def resource_version(self) -> int:
        return self._rv

    def _load(self) -> None:
        assert self._db is not None
        rv = 0
        stored = self._db.load()
        # CustomResourceDefinitions first: their custom objects' types are served from them
        crds = [o for o in stored if o.get("kind") == kinds.CRD.kind and o.get("apiVersion") == kinds.CRD.api_version]
        crd_definitions.reset(crds)
        for obj in stored:
            if kinds.for_kind(obj.get("apiVersion", ""), obj.get("kind", "")) is None:
                continue                    # a custom object whose CRD is gone
            rt = kinds.of(obj)
            md = obj["metadata"]
            self._objs[rt.name].setdefault(md.get("namespace", ""), {})[md["name"]] = obj
            self._index_add(rt, obj)
            rv = max(rv, objects.rv_of(obj))
        self._rv = max(rv, self._db.stored_rv())
        self._event_expiry.loaded(self.iter(kinds.EVENT))

    def _manager(self, manager: str | None, sync: bool) -> str:
        """Who a write is from: the named manager; for the engine's own writes (sync=False) the
        component it is running; "unknown" when a client gave neither a fieldManager nor a
        User-Agent, as the apiserver names it."""
        if manager is None and not sync:
            return self.acting_as
        return manager or "unknown"

    def on_write(self, fn: Callable[[], None]) -> None:
        """Register a wake-up called (outside the lock) after every write (the engine's)."""
        self._wakers.append(fn)

    def subscribe(self) -> collections.deque:
        """An unbounded feed of every WatchEvent from now on (for the engine thread)."""
        with self._lock:
            q: collections.deque = collections.deque()
            self._feeds.append(q)
            return q

    def observe_writes(self, sink: _Sink) -> None:
        """Hand every WatchEvent to `sink.append` at the moment of its write, on the writer's
        thread (the engine tests' mutation detector, engine/mutation_detector.py)."""
        with self._lock:
            self._feeds.append(sink)

    def flush(self, *, wait: bool = True) -> None:
        """Commit the engine's writes to the state file (if any). `wait=False` hands them to the
        writer thread and returns at once (the engine thread's periodic commits)."""
        if self._db:
            with self._lock:
                self._db.commit(self._rv, wait=wait)

    def close(self) -> None:
        if self._db:
            with self._lock:
                self._db.commit(self._rv)
                self._db.close()
                self._db = None

    def _index_add(self, rt: kinds.ResourceType, obj: dict) -> None:
        md = obj["metadata"]
        ident = (rt.name, md.get("namespace", ""), md["name"])
        for ref in md.get("ownerReferences") or ():
            self._owned[ref.get("uid", "")].add(ident)
        if rt is kinds.POD:
            self.pod_count += 1

    def _index_remove(self, rt: kinds.ResourceType, obj: dict) -> None:
        md = obj["metadata"]
        refs = md.get("ownerReferences")
        if refs:        # (most removals own nothing: an expiring Event)
            ident = (rt.name, md.get("namespace", ""), md["name"])
            for ref in refs:
                s = self._owned.get(ref.get("uid", ""))
                if s:
                    s.discard(ident)
                    if not s:
                        del self._owned[ref.get("uid", "")]
        if rt is kinds.POD:
            self.pod_count -= 1

    def _emit(self, rt: kinds.ResourceType, etype: str, obj: dict, old: dict | None, sync: bool) -> None:
        # (tuple.__new__: WatchEvent's own __new__ is a Python function; one event per write)
        ev = _new_tuple(WatchEvent, (etype, obj, self._rv, old, rt))
        if self._owner_changes:
            self._note_owned(rt, obj, old)
        if rt is kinds.CRD:
            crd_definitions.observe(etype, obj)
        elif rt is kinds.EVENT:
            md = obj["metadata"]
            if etype == "DELETED":
                self._event_expiry.gone(md.get("namespace", ""), md["name"])
            else:
                self._event_expiry.written(md.get("namespace", ""), md["name"], self._clock.now())
        self._history.append(ev)
        for q in self._feeds:
            q.append(ev)
        if self._db:
            md = obj["metadata"]
            if etype == "DELETED":
                self._db.delete(rt.name, md.get("namespace", ""), md["name"])
            else:
                self._db.put(rt.name, md.get("namespace", ""), md["name"], obj)
            if sync:
                self._db.commit(self._rv)
        if self._waiting:               # watchers blocked in wait_for_change / Watcher.next
            self._cond.notify_all()
        for fn in self._wakers:        # cheap: each only sets an Event
            fn()

    def _note_owned(self, rt: kinds.ResourceType, obj: dict, old: dict | None) -> None:
        md = obj["metadata"]
        refs = md.get("ownerReferences")
        ident = None
        # The old version's references too, unless they are the same list (most writes: a status,
        # a Lease renewal), which would note the same owners again.
        olds = old["metadata"].get("ownerReferences") if old is not None else None
        for rs in (refs, olds) if olds is not refs else (refs,):
            for ref in rs or ():
                changed = self._owner_changes.get(ref.get("uid", "")) if type(ref) is dict else None
                if changed is not None:
                    if ident is None:
                        ident = (rt.name, md.get("namespace", ""), md["name"])
                    changed.add(ident)

    def owned_changes(self, uid: str) -> set[tuple[str, str, str]] | None:
        """The objects (resource, namespace, name) owned by `uid` before or after a write that
        were written since the last call for `uid` — None on the first call, from which on they
        are noted. One consumer per owner (the ReplicaSet controller for its ReplicaSets); it
        calls forget_owned_changes when the owner is gone."""
        with self._lock:
            got = self._owner_changes.get(uid)
            self._owner_changes[uid] = set()
            return got

    def forget_owned_changes(self, uid: str) -> None:
        with self._lock:
            self._owner_changes.pop(uid, None)

    # ---- reads -----------------------------------------------------------------------------

    def get(self, rt: kinds.ResourceType, namespace: str | None, name: str) -> dict:
        obj = self._objs[rt.name].get(namespace or "", {}).get(name)
        if obj is None:
            raise errors.NotFound(rt.name, rt.group, name)
        return obj

    def try_get(self, rt: kinds.ResourceType, namespace: str | None, name: str) -> dict | None:
        return self._objs[rt.name].get(namespace or "", {}).get(name)

    def list(self, rt: kinds.ResourceType, namespace: str | None = None, label_selector: str | None = None,
             field_selector: str | None = None) -> tuple[list[dict], int]:
        lreqs = parse_label_selector(label_selector)
        freqs = parse_field_selector(field_selector)
        if freqs:
            check_field_selector(rt.name, rt.kind, freqs)
        with self._lock:
            rv = self._rv
            items = list(self.iter(rt, namespace))
        return _selected_in_order(items, lreqs, freqs), rv

    def list_at(self, rt: kinds.ResourceType, namespace: str | None, label_selector: str | None,
                field_selector: str | None, at: int) -> builtins.list[dict] | None:
        """The list as it was at resourceVersion `at`: today's objects with the writes after `at`
        undone, newest first, from the watch history — etcd's read at a past revision, which the
        later chunks of a list are. None when the history no longer reaches back to `at` (where
        etcd would have compacted that revision away)."""
        lreqs = parse_label_selector(label_selector)
        freqs = parse_field_selector(field_selector)
        if freqs:
            check_field_selector(rt.name, rt.kind, freqs)
        name = rt.name
        with self._lock:
            try:
                self._check_since(at)       # (the same reach as a watch from `at`)
            except errors.Expired:
                return None
            by_key = {(objects.namespace_of(o), objects.name_of(o)): o for o in self.iter(rt, namespace)}
            for ev in reversed(self._events_after(at)):
                if ev.rt is None or ev.rt.name != name:
                    continue
                md = ev.object["metadata"]
                ns = md.get("namespace", "")
                if namespace and ns != namespace:
                    continue
                if ev.type == "ADDED":
                    by_key.pop((ns, md["name"]), None)
                elif ev.old is None:
                    return None                  # (not written by this store: nothing to undo to)
                else:
                    by_key[(ns, md["name"])] = ev.old
        return _selected_in_order(list(by_key.values()), lreqs, freqs)

    def newest(self, rt: kinds.ResourceType, n: int) -> tuple[builtins.list[dict], int]:
        """The n objects of a kind written last (highest resourceVersion first) and the store's rv:
        the page's snapshot wants the newest Events of tens of thousands without sorting them all."""
        with self._lock:
            rv = self._rv
            keys = self._event_expiry.newest(n) if rt is kinds.EVENT else None
            if keys is not None:
                # Events: the expiry index keeps them in write order, so the newest are its last
                # few, not a pass over all of them (~60,000 after a 10,000-pod scale-up).
                by_ns = self._objs[rt.name]
                return [by_ns[ns][name] for ns, name in keys], rv
            items = list(self.iter(rt))
        return heapq.nlargest(n, items, key=objects.rv_of), rv

    def iter(self, rt: kinds.ResourceType, namespace: str | None = None) -> Iterable[dict]:
        """Unsorted, unlocked iteration for the engine thread (a snapshot of the dicts)."""
        by_ns = self._objs[rt.name]
        if namespace:
            return list(by_ns.get(namespace, {}).values())
        return [o for objs in list(by_ns.values()) for o in list(objs.values())]

    def owned_by(self, uid: str, rt: kinds.ResourceType | None = None) -> builtins.list[dict]:
        """Objects whose ownerReferences name `uid` (the garbage collector's graph edge)."""
        out = []
        want = rt.name if rt is not None else None
        objs = self._objs
        with self._lock:
            for rname, ns, name in self._owned.get(uid, ()):      # a ReplicaSet's 10,000 pods
                if want is not None and rname != want:
                    continue
                by_ns = objs[rname].get(ns)
                obj = by_ns.get(name) if by_ns is not None else None
                if obj is not None:
                    out.append(obj)
        return out

    # ---- writes ----------------------------------------------------------------------------

    def create(self, obj: dict, *, strict: bool = True, dry_run: bool = False, sync: bool = True,
               namespace: str | None = None, admit: bool = True, manager: str | None = None,
               _applied: builtins.list | None = None) -> dict:
        """POST. `admit=False` is for objects the engine builds itself in their final, admitted
        form — the EventRecorder's Events, whose fixed shape defaulting leaves as it is and
        validation always accepts (tests/engine check both): the store takes the caller's dict
        as it is, without admission's copy, defaulting and validation. Never for client data."""
        rt = _resource_of(obj)
        if rt is kinds.EVENT and not admit and not dry_run and _applied is None and obj["metadata"].get("name"):
            return self._create_built_event(obj, sync, manager)
        generated = False
        if not admit:
            md = obj["metadata"]
        else:
            md = obj.get("metadata", {})
            if not isinstance(md, dict):
                raise errors.BadRequest("metadata must be an object")
            # Shallow copies are enough here: admission returns a deep copy.
            obj = dict(obj)
            md = obj["metadata"] = dict(md)
            if rt.namespaced:
                ns = md.get("namespace") or namespace or "default"
                if namespace and md.get("namespace") and md["namespace"] != namespace:
                    raise errors.BadRequest("the namespace of the provided object does not match the namespace sent on the request")
                md["namespace"] = ns
            else:
                md.pop("namespace", None)
            generated = not md.get("name") and bool(md.get("generateName"))
            if generated:
                md["name"] = md["generateName"][:58] + objects.random_suffix()
            sent = md.pop("managedFields", None)     # a client's own entries start the object's
            for k in ("uid", "resourceVersion", "creationTimestamp", "deletionTimestamp",
                      "deletionGracePeriodSeconds", "generation", "selfLink"):
                md.pop(k, None)
            # The two callbacks as partials, not lambdas: a lambda here would make the variables
            # it reads closure cells, allocated on every call of create(), the Events' fast path
            # above included (six a pod).
            record = None
            if _applied is None:
                record = functools.partial(managedfields.record_update, rt, None, manager=self._manager(manager, sync),
                                           now_iso=objects.iso(self._now()), sent=sent)
            lookup = None
            if rt is kinds.POD:
                shown = md.get("generateName") if generated else md.get("name")
                lookup = functools.partial(self._service_account, pod_name=shown or "Unknown", wait=sync)
            obj = admission.admit_create(obj, strict=strict, decode=sync, on_defaulted=record,
                                         service_account=lookup,
                                         priority_classes=self._priority_classes() if rt is kinds.POD else None)
            if rt is kinds.PERSISTENTVOLUMECLAIM:
                storage_admission.admit_claim_create(self, obj)
            elif rt is kinds.INGRESS:
                ingress_admission.admit_ingress_create(self, obj)
            md = obj["metadata"]
        name = md.get("name", "")
        with self._lock:
            if rt.namespaced:
                self._check_namespace(rt, md["namespace"], name)
            taken = self._objs[rt.name].get(md.get("namespace", ""), {})
            # A generated name that collides is generated again, up to 8 tries in all, as the
            # apiserver does since RetryGenerateName (KEP-4420, on by default from 1.31): five
            # random characters collide now and then among thousands of pods.
            tries = 1
            while generated and name in taken and tries < 8:
                name = md["name"] = md["generateName"][:58] + objects.random_suffix()
                tries += 1
            if name in taken:
                raise errors.AlreadyExists(rt.name, rt.group, name)
            self._check_quota(rt, obj, None)
            if admit and rt.namespaced:
                self._admit_with_state(rt, obj)
            if admit and rt is kinds.PRIORITYCLASS:
                priority_admission.check_class(obj, self._priority_classes(), update=False)
            strategy.prepare_for_create(obj, rt)
            if rt is kinds.CRD:                 # the naming and establishing controllers' outcome
                crd_admission.establish(obj, objects.iso(self._now()), self.iter(kinds.CRD))
            if rt is kinds.SERVICE:
                _allocate_service(self, obj, None)
            if _applied:                        # create-on-apply: the Apply entry is already made
                md["managedFields"] = _applied
            elif not admit:
                managedfields.record_create(rt, obj, self._manager(manager, sync), objects.iso(self._now()))
            if dry_run:
                md.setdefault("uid", objects.new_uid())
                md["creationTimestamp"] = objects.iso(self._now())
                return obj
            if rt is kinds.POD:
                shared_parts.share_pod(obj)
            self._rv += 1
            # (a Job's uid is drawn by admission: its generated selector names it)
            md["uid"] = md.get("uid") if admit and md.get("uid") else objects.new_uid()
            md["resourceVersion"] = str(self._rv)
            md["creationTimestamp"] = objects.iso(self._now())
            if rt is kinds.PERSISTENTVOLUME:        # PersistentVolumeLastPhaseTransitionTime (GA 1.31)
                obj["status"]["lastPhaseTransitionTime"] = md["creationTimestamp"]
            self._objs[rt.name].setdefault(md.get("namespace", ""), {})[name] = obj
            self._index_add(rt, obj)
            self._emit(rt, "ADDED", obj, None, sync)
        return obj

    def _create_built_event(self, obj: dict, sync: bool, manager: str | None) -> dict:
        """create(admit=False) of a named Event (the EventRecorder's, six a pod): the steps of
        create() that apply to one, without those that never do — a generated name, quota,
        initial status and generation (strategy.prepare_for_create leaves an Event as it is),
        the kinds' special cases. tests/engine/test_fast_paths.py compares it with create()."""
        rt = kinds.EVENT
        md = obj["metadata"]
        ns, name = md["namespace"], md["name"]
        with self._lock:
            self._check_namespace(rt, ns, name)
            taken = self._objs[rt.name].get(ns)
            if taken is not None and name in taken:
                raise errors.AlreadyExists(rt.name, rt.group, name)
            now = objects.iso(self._now())
            managedfields.record_create(rt, obj, self._manager(manager, sync), now)
            self._rv += 1
            md["uid"] = objects.new_uid()
            md["resourceVersion"] = str(self._rv)
            md["creationTimestamp"] = now
            if taken is None:
                taken = self._objs[rt.name][ns] = {}
            taken[name] = obj
            if md.get("ownerReferences"):
                self._index_add(rt, obj)
            self._emit(rt, "ADDED", obj, None, sync)
        return obj

    def patch_event(self, namespace: str, name: str, count: int, last: str, message: str) -> dict | None:
        """The EventRecorder's PATCH of a repeated Event ({count, lastTimestamp, message}, as
        client-go's eventLogger makes it; a growing scale-up's combined Event takes one a pod):
        what patch() would store for it, without the generic steps it cannot need — the patch
        merge, admission's copy and validation of an Event whose shape does not change, the
        field-set comparison when the patcher already owns those fields. None if the Event is
        gone. tests/engine/test_fast_paths.py compares it with patch()."""
        def changed(old: dict) -> dict | None:
            if old.get("count") == count and old.get("lastTimestamp") == last and old.get("message") == message:
                return None
            new = dict(old)
            new["count"], new["lastTimestamp"], new["message"] = count, last, message
            return new

        return self._patch_stored_event(namespace, name, changed, self.acting_as,
                                        lambda fields, now, old: managedfields.touch_event(fields, self.acting_as, now))

    def patch_event_series(self, namespace: str, name: str, series: dict, manager: str) -> dict | None:
        """The events.k8s.io recorder's PATCH of a repeated Event (client-go tools/events
        createPatchBytesForSeries: the cached Event with and without its series differ in
        `series` alone): the Event with that series, its creator's managedFields entry gaining
        f:series. None if the Event is gone (the recorder then creates it again)."""
        def changed(old: dict) -> dict | None:
            if old.get("series") == series:
                return None                     # nothing to write: no new resourceVersion
            return objects.with_series(old, series)

        return self._patch_stored_event(
            namespace, name, changed, manager,
            lambda fields, now, old: managedfields.events_api_series(fields, manager, now, bool(old.get("related"))))

    def _patch_stored_event(self, namespace: str, name: str, changed, manager: str, touch) -> dict | None:
        """The two recorders' fast PATCH of a stored Event: `changed(old)` gives the new Event
        (its metadata still the old one's) or None when there is nothing to write; `touch`
        (managedFields, now[, old]) gives the writer's entry updated in place, or None when the
        fields are not the writer's own, and the full Update is recorded instead."""
        rt = kinds.EVENT
        with self._lock:
            in_ns = self._objs[rt.name].get(namespace)
            old = in_ns.get(name) if in_ns is not None else None
            if in_ns is None or old is None:
                return None
            new = changed(old)
            if new is None:
                return old
            omd = old["metadata"]
            # (managedFields last, where the full path's admission puts them: an Event's create
            # leaves them after its name)
            new["metadata"] = nmd = {k: v for k, v in omd.items() if k != "managedFields"}
            self._rv += 1
            nmd["resourceVersion"] = str(self._rv)
            if "managedFields" in omd:
                now = objects.iso(self._now())
                touched = touch(omd["managedFields"], now, old)
                if touched is None:             # not the patcher's own fields: the full Update
                    nmd["managedFields"] = omd["managedFields"]
                    managedfields.record_update(rt, old, new, manager, now)
                else:
                    nmd["managedFields"] = touched
            in_ns[name] = new
            self._emit(rt, "MODIFIED", new, old, False)
        return new

    def update(self, obj: dict, *, strict: bool = True, dry_run: bool = False, sync: bool = True,
               subresource: str | None = None, manager: str | None = None) -> dict:
        """PUT. `subresource="status"` writes only status (controllers' path).

        `sync=False` marks the engine's own writes: committed in groups by flush(), and not run
        through the JSON decoder's checks (they never were JSON)."""
        rt = _resource_of(obj)
        md = obj.get("metadata") or {}
        ns = md.get("namespace", "") if rt.namespaced else ""
        with self._lock:
            old = self.get(rt, ns, md.get("name", ""))
            new = dict(obj)
            new["metadata"] = dict(md)
            return self._update_locked(rt, old, new, strict=strict, dry_run=dry_run,
                                       sync=sync, subresource=subresource, manager=manager)

    def patch(self, rt: kinds.ResourceType, namespace: str | None, name: str, patch_type: str, body,
              *, strict: bool = True, dry_run: bool = False, sync: bool = True,
              subresource: str | None = None, manager: str | None = None) -> dict:
        with self._lock:
            old = self.get(rt, namespace if rt.namespaced else "", name)
            if patch_type == "merge":
                new = patching.json_merge(old, body)
            elif patch_type == "json":
                new = patching.json_patch(old, body)
            elif patch_type == "strategic":
                new = patching.strategic_merge(old, body, old.get("kind", ""), old.get("apiVersion", ""))
            else:
                raise errors.UnsupportedMediaType(f"unsupported patch type: {patch_type}")
            if not isinstance(new, dict):
                raise errors.BadRequest("patch did not produce an object")
            nmd = new.setdefault("metadata", {})
            if not isinstance(nmd, dict):
                # What decoding the patched object would say (a patch may turn metadata into anything).
                raise errors.BadRequest(f"json: cannot unmarshal {type(nmd).__name__.replace('list', 'array').replace('str', 'string')}"
                                        f" into Go struct field {rt.kind}.metadata of type v1.ObjectMeta")
            if nmd.get("resourceVersion") in (None, "", old["metadata"].get("resourceVersion")):
                # A patch that does not name a resourceVersion applies to the current object.
                nmd["resourceVersion"] = old["metadata"]["resourceVersion"]
            return self._update_locked(rt, old, new, strict=strict, dry_run=dry_run, sync=sync,
                                       subresource=subresource, manager=manager)

    def apply(self, rt: kinds.ResourceType, namespace: str | None, name: str, config, *, manager: str,
              force: bool = False, strict: bool = True, dry_run: bool = False,
              sync: bool = True) -> tuple[dict, bool]:
        """Server-side apply (PATCH application/apply-patch+yaml): merge `config` into the live
        object as `manager`, or create it. Returns (object, created). Conflicts raise 409
        (managedfields.ApplyConflict); the result passes admission like any other write."""
        ns = namespace if rt.namespaced else ""
        now = objects.iso(self._now())
        with self._lock:
            cmd = config.get("metadata") if isinstance(config, dict) else None
            cns = cmd.get("namespace") if isinstance(cmd, dict) else None
            if rt.namespaced and cns and cns != namespace:
                raise errors.BadRequest("the namespace of the provided object does not match the namespace sent on the request")
            live = self.try_get(rt, ns, name)
            merged = managedfields.apply(rt, live, config, managedfields.check_manager(manager), now, force=force)
            md = merged.setdefault("metadata", {})
            if md.get("name", name) != name:
                raise errors.BadRequest(f'the name of the object ({md.get("name")}) does not match the name on the URL ({name})')
            entries = md.pop("managedFields", None) or []
            if live is None:
                md["name"] = name
                return self.create(merged, strict=strict, dry_run=dry_run, sync=sync, namespace=namespace,
                                   _applied=entries), True
            return self._update_locked(rt, live, merged, strict=strict, dry_run=dry_run, sync=sync,
                                       subresource=None, manager=manager, applied=entries), False

    def _update_locked(self, rt, old, new, *, strict, dry_run, sync, subresource, manager=None, applied=None):
        md, omd = new.setdefault("metadata", {}), old["metadata"]
        sent = md.pop("managedFields", None)    # a client's own managedFields (kubectl's CSA→SSA upgrade)
        name = omd["name"]
        new.setdefault("apiVersion", old["apiVersion"])
        new.setdefault("kind", old["kind"])
        if new.get("kind") != old["kind"] or new.get("apiVersion") != old["apiVersion"]:
            raise errors.BadRequest(f"the API version in the data ({new.get('apiVersion')}) does not match the expected API version ({old['apiVersion']})")
        if md.get("name", name) != name:
            raise errors.BadRequest(f'the name of the object ({md.get("name")}) does not match the name on the URL ({name})')
        rv = md.get("resourceVersion")
        if rv not in (None, "") and rv != omd.get("resourceVersion"):
            raise errors.Conflict(rt.name, rt.group, name)
        # Server-owned metadata comes from the stored object.
        for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                  "generation", "namespace", "name"):
            if k in omd:
                md[k] = omd[k]
            else:
                md.pop(k, None)
        md["resourceVersion"] = omd["resourceVersion"]
        if subresource == "status":
            strategy.prepare_for_status_update(new, old)
            new["metadata"].pop("managedFields", None)
            new = admission.admit_status_update(new, old)
        elif subresource == "finalize":
            strategy.prepare_for_finalize(new, old)
        elif subresource == "ephemeralcontainers":
            if rt is not kinds.POD:
                raise errors.NoSuchResource("the server could not find the requested resource")
            new = admission.decode_request(new, strict=strict) if sync else new
            new = admission.admit_ephemeral_containers_update(
                strategy.prepare_for_ephemeral_containers_update(new, old), old)
        else:
            strategy.prepare_for_update(new, old)
            record = None
            if applied is None:           # (a partial, not a lambda: as in create())
                record = functools.partial(managedfields.record_update, rt, old, manager=self._manager(manager, sync),
                                           now_iso=objects.iso(self._now()), subresource=subresource, sent=sent)
            new = admission.admit_update(new, old, strict=strict, decode=sync, on_defaulted=record)
            # Upstream defaults the body while decoding it, before PrepareForUpdate compares specs;
            # compare again now that defaults are in, so fields a client left out to be defaulted
            # back do not count as a spec change.
            strategy.settle_generation(new, old)
            if rt is kinds.PERSISTENTVOLUMECLAIM:
                storage_admission.admit_claim_update(self, new, old)
            if rt is kinds.SERVICE:
                _allocate_service(self, new, old)
            elif rt is kinds.PRIORITYCLASS:
                priority_admission.check_class(new, self._priority_classes(), update=True)
        md = new["metadata"]               # admission returns a new dict
        if rt is kinds.CRD and subresource is None and not md.get("deletionTimestamp"):
            crd_admission.establish(new, objects.iso(self._now()), self.iter(kinds.CRD))
        self._check_quota(rt, new, old)
        if applied is not None:
            if applied:
                md["managedFields"] = applied
            else:
                md.pop("managedFields", None)
        elif subresource == "finalize":
            if "managedFields" in omd:
                md["managedFields"] = omd["managedFields"]
        elif subresource == "status":
            mgr, now = self._manager(manager, sync), objects.iso(self._now())
            # (a pod's: worked out once for the pods written alike, engine/pod_status_fields.py)
            if dry_run or rt is not kinds.POD or not pod_status_fields.record_update(old, new, mgr, now):
                managedfields.record_update(rt, old, new, mgr, now, subresource=subresource, shared=not dry_run)
        if new == old:
            return old                      # no-op: no write, no new resourceVersion
        if dry_run:
            return new
        # Last finalizer removed from an object being deleted: it goes now.
        if (md.get("deletionTimestamp") and not md.get("finalizers") and not strategy.uses_graceful_delete(rt)
                and not (new.get("spec") or {}).get("finalizers")):
            return self._remove_locked(rt, new, sync)
        self._rv += 1
        md["resourceVersion"] = str(self._rv)
        self._objs[rt.name].setdefault(md.get("namespace", ""), {})[name] = new
        if (omd.get("ownerReferences") != md.get("ownerReferences")):
            self._index_remove(rt, old)
            self._index_add(rt, new)
        self._emit(rt, "MODIFIED", new, old, sync)
        return new

    def refresh_spec(self, rt: kinds.ResourceType, namespace: str, name: str, fields: dict) -> dict | None:
        """An engine write that sets a few spec fields of a kind without generation tracking and
        changes nothing else — a kubelet's Lease renewal. What update() would do for it, minus the
        generic checks it cannot fail: a new object (stored ones are never changed in place), a
        new resourceVersion, a MODIFIED event. Returns the new object (the stored one if the
        fields already had these values), or None if the object is gone."""
        return self.refresh_specs(rt, namespace, ((name, fields),))[0]

    def refresh_specs(self, rt: kinds.ResourceType, namespace: str,
                      writes: Iterable[tuple[str, dict]]) -> builtins.list[dict | None]:
        """refresh_spec of several objects of one namespace, in order, under one hold of the lock
        and one clock reading: a cohort of kubelets renewing their Leases at the same moment
        (1,000 nodes renew 250 times a simulated second, 25,000 times a wall second at 100×)."""
        assert rt.kind in strategy.NO_GENERATION
        out: builtins.list[dict | None] = []
        with self._lock:
            in_ns = self._objs[rt.name].get(namespace)
            now = None
            for name, fields in writes:
                old = in_ns.get(name) if in_ns is not None else None
                if in_ns is None or old is None:
                    out.append(None)
                    continue
                spec = old.get("spec") or {}
                for k, v in fields.items():
                    if spec.get(k) != v:
                        break
                else:
                    out.append(old)
                    continue
                self._rv += 1
                new = dict(old)
                new["metadata"] = nmd = dict(old["metadata"], resourceVersion=str(self._rv))
                new["spec"] = dict(spec, **fields)
                if "managedFields" in nmd:
                    if now is None:
                        now = objects.iso(self._now())
                    touched = managedfields.touch(nmd["managedFields"], self.acting_as, rt.api_version, fields, now)
                    if touched is None:         # not the renewer's own fields: the full Update
                        managedfields.record_update(rt, old, new, self.acting_as, now)
                    else:
                        nmd["managedFields"] = touched
                in_ns[name] = new
                self._emit(rt, "MODIFIED", new, old, False)
                out.append(new)
        return out

    def bind(self, namespace: str, name: str, node: str, *, sync: bool = True) -> dict:
        """The pods/binding subresource (k/k registry/core/pod/storage `assignPod`): set
        spec.nodeName and PodScheduled=True on an unbound pod. Like upstream, no pod validation."""
        with self._lock:
            pod = self.get(kinds.POD, namespace, name)
            spec = pod.get("spec") or {}
            if objects.is_terminating(pod):
                raise errors.Conflict("pods", "", name, f"pod {name} is being deleted, cannot be assigned to a host")
            if spec.get("nodeName"):
                raise errors.Conflict("pods", "", name,
                                      f'pod {name} is already assigned to node "{spec["nodeName"]}"')
            new = dict(pod)
            new["metadata"] = dict(pod["metadata"])
            new["spec"] = dict(spec, nodeName=node)
            status = dict(pod.get("status") or {})
            conds = [c for c in status.get("conditions") or () if c.get("type") != "PodScheduled"]
            conds.append(_scheduled(objects.iso(self._now())))
            status["conditions"] = conds
            new["status"] = status
            self._rv += 1
            new["metadata"]["resourceVersion"] = str(self._rv)
            self._objs[kinds.POD.name][namespace][name] = new
            self._emit(kinds.POD, "MODIFIED", new, pod, sync)
            return new

    def delete(self, rt: kinds.ResourceType, namespace: str | None, name: str, *,
               grace_period_seconds: int | None = None, propagation_policy: str | None = None,
               preconditions: dict | None = None, dry_run: bool = False, sync: bool = True) -> dict:
        """DELETE with the apiserver's graceful and cascading semantics.

        Pods on a node get a deletionTimestamp and stay until their kubelet confirms (a second
        delete with grace 0); objects with finalizers stay until the finalizers are removed;
        Foreground/Orphan propagation add the GC's finalizers. Everything else goes at once."""
        ns = namespace if rt.namespaced else ""
        with self._lock:
            obj = self.get(rt, ns, name)
            if rt is kinds.PRIORITYCLASS and priority_admission.is_system_class(name):
                raise errors.Forbidden(rt.name, rt.group, name, "this is a system priority class and cannot be deleted")
            if rt is kinds.NAMESPACE and name in IMMORTAL_NAMESPACES:
                # NamespaceLifecycle admission: the system namespaces may not be deleted.
                raise errors.Forbidden(rt.name, rt.group, name, "this namespace may not be deleted")
            md = obj["metadata"]
            if preconditions:
                if preconditions.get("uid") and preconditions["uid"] != md.get("uid"):
                    raise errors.Conflict(rt.name, rt.group, name,
                                          f'Precondition failed: UID in precondition: {preconditions["uid"]}, UID in object meta: {md.get("uid")}')
                if preconditions.get("resourceVersion") and preconditions["resourceVersion"] != md.get("resourceVersion"):
                    raise errors.Conflict(rt.name, rt.group, name)
            finalizers = list(md.get("finalizers") or [])
            if propagation_policy == "Foreground" and "foregroundDeletion" not in finalizers:
                finalizers.append("foregroundDeletion")
            elif propagation_policy == "Orphan" and "orphan" not in finalizers:
                finalizers.append("orphan")
            grace = None
            if strategy.uses_graceful_delete(rt):
                grace = self._pod_grace(obj, grace_period_seconds)
            if rt is kinds.NAMESPACE:
                finalizers_spec = (obj.get("spec") or {}).get("finalizers") or []
                if finalizers_spec or finalizers:
                    return self._mark_deleting(rt, obj, finalizers, None, dry_run, sync, phase="Terminating")
            if md.get("deletionTimestamp"):
                # Already being deleted: a shorter grace period may shorten the wait; grace 0 ends it.
                if grace == 0 and not finalizers:
                    return obj if dry_run else self._remove_locked(rt, obj, sync)
                if grace is not None and grace < (md.get("deletionGracePeriodSeconds") or 0):
                    return self._mark_deleting(rt, obj, finalizers, grace, dry_run, sync)
                if finalizers != list(md.get("finalizers") or []):
                    return self._mark_deleting(rt, obj, finalizers, md.get("deletionGracePeriodSeconds"), dry_run, sync)
                return obj
            if finalizers or (grace or 0) > 0:
                return self._mark_deleting(rt, obj, finalizers, grace, dry_run, sync)
            if dry_run:
                return obj
            return self._remove_locked(rt, obj, sync)

    def _pod_grace(self, pod: dict, requested: int | None) -> int:
        spec, status = pod.get("spec") or {}, pod.get("status") or {}
        grace = requested if requested is not None else spec.get("terminationGracePeriodSeconds", 30)
        # CheckGracefulDelete: unscheduled or finished pods go at once.
        if not spec.get("nodeName") or status.get("phase") in ("Succeeded", "Failed"):
            return 0
        return max(0, int(grace))

    def _mark_deleting(self, rt, obj, finalizers, grace, dry_run, sync, phase: str | None = None) -> dict:
        new = objects.clone(obj)
        md = new["metadata"]
        if not md.get("deletionTimestamp"):
            md["deletionTimestamp"] = objects.iso(self._now() + (grace or 0))
        if grace is not None:
            md["deletionGracePeriodSeconds"] = grace
        elif "deletionGracePeriodSeconds" not in md:
            md["deletionGracePeriodSeconds"] = 0
        if finalizers:
            md["finalizers"] = finalizers
        if phase:
            new.setdefault("status", {})["phase"] = phase
        if dry_run or new == obj:
            return new
        self._rv += 1
        md["resourceVersion"] = str(self._rv)
        self._objs[rt.name][md.get("namespace", "")][md["name"]] = new
        self._emit(rt, "MODIFIED", new, obj, sync)
        return new

    def _remove_locked(self, rt, obj, sync) -> dict:
        md = obj["metadata"]
        ns_objs = self._objs[rt.name].get(md.get("namespace", ""), {})
        cur = ns_objs.pop(md["name"], None)
        if cur is None:
            raise errors.NotFound(rt.name, rt.group, md["name"])
        self._index_remove(rt, cur)
        self._rv += 1
        gone = dict(obj)
        gone["metadata"] = dict(obj["metadata"], resourceVersion=str(self._rv))
        self._emit(rt, "DELETED", gone, cur, sync)
        return gone

    def next_event_expiry(self) -> float | None:
        """The simulated time the oldest Event expires at (None: there is none): expiry is
        checked on every engine pass, and this is how long an idle engine may sleep for it."""
        return self._event_expiry.next_due()

    def expire_events(self, now: float) -> int:
        """Delete the Events last written more than the event TTL before `now` (etcd's lease
        expiry: a DELETED watch event each, and gone from the state file). Cheap when nothing
        is due: one look at the oldest write. Returns how many went."""
        n = 0
        if not self._event_expiry.maybe_due(now):
            return 0
        with self._lock:
            events = self._objs[kinds.EVENT.name]
            for ns, name in list(self._event_expiry.due(now)):
                in_ns = events.get(ns)
                obj = in_ns.get(name) if in_ns is not None else None
                if obj is not None:
                    self._remove_locked(kinds.EVENT, obj, False)
                    n += 1
        return n

    # ---- admission-time checks that need state ----------------------------------------------

    def _check_namespace(self, rt, ns: str, name: str) -> None:
        nsobj = self._objs["namespaces"].get("", {}).get(ns)
        if nsobj is None:
            raise errors.NotFound("namespaces", "", ns)
        if (nsobj.get("status") or {}).get("phase") == "Terminating" and rt is not kinds.EVENT:
            raise errors.Forbidden(rt.name, rt.group, name,
                                   f"unable to create new content in namespace {ns} because it is being terminated")

    def _admit_with_state(self, rt, obj: dict) -> None:
        """The admission plugins that read other objects: LimitRanger (defaults and bounds from
        the namespace's LimitRanges, for a new Pod) and ResourceQuota. `obj` is admission's own
        copy; LimitRanger may fill in its containers' resources."""
        ns = obj["metadata"]["namespace"]
        if rt is kinds.POD:
            ranges = self._objs[kinds.LIMITRANGE.name].get(ns)
            if ranges:
                limitranger.admit_pod(obj, sorted(ranges.values(), key=objects.name_of))
        quotas = self._objs[kinds.RESOURCEQUOTA.name].get(ns)
        if quotas:
            resourcequota.check_create(self, rt, obj, list(quotas.values()), self._now())

    def _service_account(self, namespace: str, name: str, pod_name: str, *, wait: bool) -> dict:
        """The ServiceAccount admission plugin's lookup (k/k plugin/pkg/admission/serviceaccount
        getServiceAccount). NamespaceLifecycle runs first, so a missing namespace is reported as
        such. The `default` account is made by a controller just after its namespace: as
        upstream, a client's request waits for it up to 10 tries 100-200 ms apart (the engine's
        own writes cannot wait on the engine, and are refused at once — their controllers retry)."""
        # (Not while this thread holds the store's lock — a server-side apply's create — since the
        # controller could not write meanwhile.)
        held = getattr(self._lock, "_is_owned", lambda: False)()
        tries = 10 if wait and name == "default" and not held else 1
        for i in range(tries):
            if i:
                time.sleep(0.1 + 0.1 * random.random())
            self._check_namespace(kinds.POD, namespace, pod_name)
            sa = self.try_get(kinds.SERVICEACCOUNT, namespace, name)
            if sa is not None:
                return sa
        raise errors.Forbidden("pods", "", pod_name, f"error looking up service account {namespace}/{name}: "
                                                     f'serviceaccount "{name}" not found')

    def _priority_classes(self) -> dict:
        """The stored PriorityClasses by name (the Priority admission plugin's lister)."""
        return self._objs[kinds.PRIORITYCLASS.name].get("", {})

    def _check_quota(self, rt, obj: dict, old: dict | None) -> None:
        """The playground's quota: a cluster-wide cap on pods, and on what a workload asks for."""
        if rt is kinds.POD and old is None and self.pod_count >= self.max_pods:
            raise errors.Forbidden(rt.name, rt.group, objects.name_of(obj),
                                   f"exceeded quota: {PLAYGROUND_QUOTA}, requested: pods=1, used: pods={self.pod_count}, limited: pods={self.max_pods}")
        if rt is kinds.DEPLOYMENT or rt is kinds.REPLICASET or rt is kinds.STATEFULSET:
            want = (obj.get("spec") or {}).get("replicas") or 0
            if isinstance(want, int) and want > self.max_pods:
                raise errors.Forbidden(rt.name, rt.group, objects.name_of(obj),
                                       f"exceeded quota: {PLAYGROUND_QUOTA}, requested: replicas={want}, limited: pods={self.max_pods} (start kubeplay with --max-pods to raise the limit)")

    # ---- watch ------------------------------------------------------------------------------

    def watch(self, since: int | None) -> "Watcher":
        with self._lock:
            start = self._rv if since is None else since
            self._check_since(start)
            return Watcher(self, start)

    def _check_since(self, since: int) -> None:
        oldest = self._history[0].rv if self._history else self._rv + 1
        if since < oldest - 1 and since < self._rv:
            raise errors.Expired(f"too old resource version: {since} ({oldest - 1})")

    def _events_after(self, pos: int) -> builtins.list[WatchEvent]:
        """History entries with rv > pos. rv grows by exactly one per entry, so this is an index."""
        h = self._history
        if not h or pos >= self._rv:
            return []
        first = h[0].rv
        start = max(0, pos + 1 - first)
        return list(itertools.islice(h, start, None))      # (indexing a deque is O(n) a time)

    def wait_for_change(self, rv: int, timeout: float) -> None:
        with self._cond:
            if self._rv == rv:
                self._wait(timeout)

    def _wait(self, timeout: float) -> None:
        """Wait on the condition (lock held); writes notify only while someone waits."""
        self._waiting += 1
        try:
            self._cond.wait(timeout)
        finally:
            self._waiting -= 1

    def notify(self) -> None:
        with self._cond:
            self._cond.notify_all()


def _selected_in_order(items: list[dict], lreqs, freqs) -> list[dict]:
    """The items a list's selectors pick, sorted by namespace, then name."""
    if lreqs:
        items = [o for o in items if matches_requirements(objects.labels_of(o), lreqs)]
    if freqs:
        items = [o for o in items if matches_fields(o, freqs)]
    items.sort(key=lambda o: (objects.namespace_of(o), objects.name_of(o)))
    return items


class Watcher:
    """A position in the store's history; next() returns what happened after it."""

    def __init__(self, store: Store, pos: int):
        self._store, self.pos, self.closed = store, pos, False

    def next(self, timeout: float) -> list[WatchEvent]:
        s = self._store
        with s._cond:
            if not self.closed and s._rv <= self.pos:
                s._wait(timeout)
            if self.closed:
                return []
            s._check_since(self.pos)
            evs = s._events_after(self.pos)
        if evs:
            self.pos = evs[-1].rv
        return evs

    def close(self) -> None:
        self.closed = True
        self._store.notify()


# A binding's PodScheduled condition, one dict for the pods bound in one second (stored objects
# are never changed in place): less memory, and the kubelet's status writes, which keep it, then
# compare conditions lists of shared items only (engine/shared_diff.py list_changes).
_SCHEDULED: Memo[dict] = Memo(64)


def _scheduled(at: str) -> dict:
    got = _SCHEDULED.get(at)
    if got is None:
        got = _SCHEDULED.put(at, {"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                                  "lastTransitionTime": at})
    return got


def _resource_of(obj: dict) -> kinds.ResourceType:
    if not isinstance(obj, dict):
        raise errors.BadRequest("the body of the request must be an object")
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not kind:
        raise errors.BadRequest("Object 'Kind' is missing in '" + str(obj)[:200] + "'")
    rt = kinds.for_kind(api_version or "", kind)
    if rt is None:
        raise errors.BadRequest(f'no kind "{kind}" is registered for version "{api_version}"')
    return rt


def _allocate_service(store: Store, svc: dict, old: dict | None) -> None:
    allocate(store, svc, old)
