"""Field ownership: `metadata.managedFields` on every write, and server-side apply.

The apiserver records, per *field manager*, which fields it set (k8s.io/apimachinery
`pkg/util/managedfields`, over sigs.k8s.io/structured-merge-diff). A manager is identified by
(name, operation, apiVersion for Update, subresource): `kubectl-client-side-apply` Update,
`kubectl` Apply, `kube-controller-manager` Update with subresource `status`, ...

Field sets are kept in the wire format itself (engine/fieldsets.py) and computed from objects by
engine/fielddiff.py; sets a write does not touch stay shared with the object's previous version.

- **Update** (create, PUT, non-apply PATCH, status/scale subresources): the manager gains the
  fields the write added or changed (the defaulted object compared with the live one, as
  `merge.Updater.Update` compares typed objects) and loses those it removed; every other
  manager loses what the write changed or removed. Creates compare with the kind's zero object.
- **Apply** (`application/apply-patch+yaml`): the applied configuration is merged into the live
  object (maps field by field, lists by the schema's list type), fields the manager applied last
  time and no longer applies are removed unless someone else owns them, and a changed field
  owned by another manager is a conflict (409) unless forced, in which case the other manager
  loses it. `kubectl` applying over a client-side-applied object is allowed to take the fields
  whose live value still matches the last-applied annotation (the CSA→SSA upgrade), and keeps
  that annotation up to date, as the apiserver's lastAppliedManager/Updater do.
"""
from __future__ import annotations

import json

from . import errors
from .bounded import Memo
from .fielddiff import applied_set, compare, merge, prune
from .fieldsets import (Shape, canonical, difference, go_json, intersection, is_member, path_string, paths,
                        shape_of, union, without_fields)

APPLY, UPDATE = "Apply", "Update"
FIELDS_V1 = "FieldsV1"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
BEFORE_FIRST_APPLY = "before-first-apply"
ANCIENT_CHANGES = "ancient-changes"
MAX_UPDATE_MANAGERS = 10             # DefaultMaxUpdateManagers
MAX_MANAGER_LENGTH = 128             # validation.FieldManagerMaxLength


# metadata fields nobody owns (stripmeta.go), and the metadata field the sets never include.
_STRIPPED_META = ("name", "namespace", "creationTimestamp", "selfLink", "uid", "generation",
                  "managedFields", "resourceVersion")


def _strip_meta(s: dict) -> dict:
    """Without the fields nobody owns: apiVersion, kind and server-set metadata (stripmeta.go)."""
    if "f:apiVersion" in s or "f:kind" in s:
        s = {k: v for k, v in s.items() if k not in ("f:apiVersion", "f:kind")}
    md = s.get("f:metadata")
    if md is None:
        return s
    rest = {k: v for k, v in md.items() if k[2:] not in _STRIPPED_META or k == "."}
    rest.pop(".", None)
    out = dict(s)
    if rest:
        out["f:metadata"] = rest
    else:
        del out["f:metadata"]
    return out


# ---------------------------------------------------------------------------------------------
# managedFields entries

def identity(e: dict) -> tuple:
    op = e.get("operation")
    return (e.get("manager", ""), op, e.get("apiVersion", "") if op == UPDATE else "",
            e.get("subresource", ""))


def identifier_json(ident: tuple) -> str:
    """BuildManagerIdentifier's JSON (what conflict messages sort by)."""
    d = {"manager": ident[0], "operation": ident[1]}
    if ident[2]:
        d["apiVersion"] = ident[2]
    if ident[3]:
        d["subresource"] = ident[3]
    return json.dumps(d, separators=(",", ":"))


def describe(e: dict) -> str:
    """printManager: `"kubectl"`, `"kube-controller-manager" with subresource "status" using apps/v1`."""
    out = json.dumps(e.get("manager", ""))
    if e.get("subresource"):
        out += f' with subresource {json.dumps(e["subresource"])}'
    if e.get("operation") == UPDATE:
        out += f" using {e.get('apiVersion', '')}"
    return out


# Entries are shared between objects: an entry is never changed once made (a write that changes
# one makes a new dict), and within one second the engine's writes of one kind by one manager
# (a ReplicaSet's pods, a kubelet's Events) carry equal entries with the same interned set —
# at 100,000 pods, one dict instead of several hundred thousand. Keyed on the set's id: the
# cached entry holds the set, so the id cannot be reused while the key is in the cache.
_MAX_ENTRIES = 20000
_ENTRIES: Memo[dict] = Memo(_MAX_ENTRIES)


def _entry(manager, operation, api_version, subresource, time, fields) -> dict:
    key = (manager, operation, api_version, subresource, time, id(fields))
    e = _ENTRIES.get(key)
    if e is not None:
        return e
    e = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": time,
         "fieldsType": FIELDS_V1, "fieldsV1": fields}
    if subresource:
        e["subresource"] = subresource
    return _ENTRIES.put(key, e)


def _valid(entries) -> bool:
    if not isinstance(entries, list):
        return False
    for e in entries:
        if (not isinstance(e, dict) or e.get("operation") not in (APPLY, UPDATE) or not e.get("apiVersion")
                or e.get("fieldsType") != FIELDS_V1 or not isinstance(e.get("fieldsV1", {}), dict)):
            return False
    return True


def sort_key(e: dict) -> tuple:
    """sortEncodedManagedFields' order: Apply before Update, then oldest first, manager, version,
    subresource."""
    return (e.get("operation", ""), e.get("time") or "", e.get("manager", ""), e.get("apiVersion", ""),
            e.get("subresource", ""))


def _sorted(entries: list[dict]) -> list[dict]:
    return sorted(entries, key=sort_key)


def _cap(entries: list[dict]) -> list[dict]:
    """capManagers: more than ten Update entries → the oldest merge into `ancient-changes`."""
    updates = [e for e in entries if e.get("operation") == UPDATE]
    if len(updates) <= MAX_UPDATE_MANAGERS:
        return entries
    updates.sort(key=lambda e: (e.get("time") or "", identifier_json(identity(e))))
    drop = len(updates) - MAX_UPDATE_MANAGERS
    buckets: dict[str, dict] = {}
    gone = set()
    for e in updates:
        if drop <= 0:
            break
        v = e.get("apiVersion", "")
        b = buckets.get(v)
        if b is None:
            buckets[v] = dict(e)
            gone.add(id(e))
            continue
        b.update(manager=ANCIENT_CHANGES, time=e.get("time"),
                 fieldsV1=union(b["fieldsV1"], e.get("fieldsV1") or {}))
        b.pop("subresource", None)
        gone.add(id(e))
        drop -= 1
    kept = [e for e in entries if id(e) not in gone]
    for b in buckets.values():
        kept.append(b)
    return kept


# ---------------------------------------------------------------------------------------------
# Update: create, update, patch, status, scale

# Fields a write through each endpoint never owns (the strategies' GetResetFields): a main
# resource write cannot set status; a status write cannot set spec or labels (annotations it
# can: the Deployment controller writes its revision annotation through /status).
def _scope(rt, subresource: str | None) -> tuple:
    if subresource == "status":
        return ("spec",)
    return ("status",) if "status" in rt.subresources else ()


def _in_scope(s: dict, names: tuple, subresource: str | None) -> dict:
    s = without_fields(_strip_meta(s), names)
    if subresource == "status":
        md = s.get("f:metadata")
        if md and "f:labels" in md:
            md = {k: v for k, v in md.items() if k != "f:labels"}
            s = dict(s)
            if md:
                s["f:metadata"] = md
            else:
                del s["f:metadata"]
    return s


def record_update(rt, old: dict | None, new: dict, manager: str, now_iso: str, *,
                  subresource: str | None = None, sent: list | None = None, shared: bool = False,
                  spec_pickle: bytes | None = None) -> None:
    """Set `new["metadata"]["managedFields"]` for an Update by `manager` (old=None: a create).

    `sent` is the managedFields the client's object carried (None: none); a valid non-empty
    list replaces the live entries, an empty list resets them (decodeLiveOrNew). `shared`: `new`
    is about to be stored as it is (a status write that is not a dry run), so the comparison
    may remember what it derives from the two objects' parts (engine/shared_diff.py).
    `spec_pickle`: for a create, `pickle.dumps(new["spec"])` as admission already made it (an
    engine-made pod's defaulted template spec), which then stands for the spec in the memo key."""
    if old is None and sent is None and subresource is None:
        _record_create_memo(rt, new, manager, now_iso, spec_pickle)
    else:
        _record_update(rt, old, new, manager, now_iso, subresource, sent, shared)


def _record_update(rt, old: dict | None, new: dict, manager: str, now_iso: str, subresource: str | None,
                   sent: list | None, shared: bool) -> None:
    md = new["metadata"]
    live = (old or {}).get("metadata", {}).get("managedFields") or []
    entries = live
    if subresource is None and sent is not None:
        if isinstance(sent, list) and (not sent or sent == [{}]):
            if old is not None:               # a reset: the object is no longer tracked
                md.pop("managedFields", None)
                return
        elif sent and _valid(sent):
            entries = sent
    if old is not None and not entries:
        md.pop("managedFields", None)      # skipNonApplied: untracked objects stay untracked
        return
    api_version = rt.api_version
    shape = shape_of(api_version, rt.kind)
    if subresource == "scale":
        skip = tuple(k for k in new if k != "spec")
    else:
        skip = _scope(rt, subresource) + ("apiVersion", "kind")
    ch = compare(None if old is None else _body(old), _body(new), shape, skip=skip, shared=shared)
    if subresource == "scale":
        added, modified, removed = (_only_replicas(s) for s in (ch.added, ch.modified, ch.removed))
    else:
        names = _scope(rt, subresource)
        added, modified, removed = (_in_scope(s, names, subresource)
                                    for s in (ch.added, ch.modified, ch.removed))
    if not (added or modified or removed):
        if entries is not live:
            md["managedFields"] = entries
        elif live:
            md["managedFields"] = live
        return
    changed = union(union(added, modified), removed)
    me = (manager, UPDATE, api_version, subresource or "")
    out, mine = [], None
    for e in entries:
        if identity(e) == me:
            mine = e
            continue
        fs = e.get("fieldsV1") or {}
        rest = difference(fs, changed)
        if rest is fs:
            out.append(e)
        elif rest:
            out.append(dict(e, fieldsV1=rest))
    prev = (mine or {}).get("fieldsV1") or {}
    fields = union(difference(prev, removed), union(modified, added))
    if fields:
        out.append(_entry(manager, UPDATE, api_version, subresource, now_iso, canonical(fields)))
    out = _sorted(_cap(out))
    if out:
        md["managedFields"] = out
    else:
        md.pop("managedFields", None)


# A create's managedFields are a function of the object without the metadata nobody owns (its
# name, uid...), its kind, the manager and the second: a ReplicaSet's pods made in one second
# get one list, computed once. Keyed on the repr (exact: order and types included); a value of
# None is "no managedFields". Bounded, cleared when full.
#
# An engine-made pod's spec (most of the object) comes with the pickle admission made of it:
# the key then holds those bytes in the spec's place instead of the spec's repr, a second walk
# of the same spec. Exact too: equal bytes unpickle to one structure (types, key order and
# values), so two objects with one key have equal reprs, as the repr key asks; equal specs
# pickled differently (shared sub-objects are pickled once) only miss. The spec's position among
# the object's keys stays in the repr part; a key with bytes never equals one without.
_CREATES: Memo[tuple] = Memo(512)
_UNOWNED_META = frozenset(_STRIPPED_META)


def _record_create_memo(rt, new: dict, manager: str, now_iso: str, spec_pickle: bytes | None = None) -> None:
    md = new["metadata"]
    key = (rt.group, rt.kind, rt.api_version, manager, now_iso, spec_pickle,
           repr([{k: v for k, v in md.items() if k not in _UNOWNED_META},
                 [(k, v) for k, v in new.items() if k != "metadata"] if spec_pickle is None else
                 [(k, None if k == "spec" else v) for k, v in new.items() if k != "metadata"]]))
    got = _CREATES.get(key)
    if got is None:
        _record_update(rt, None, new, manager, now_iso, None, None, False)
        got = _CREATES.put(key, (md.get("managedFields"),))
    if got[0] is None:
        md.pop("managedFields", None)
    else:
        md["managedFields"] = got[0]


_FLAT_CREATES: Memo[dict] = Memo(1001)
_EVENT_ENTRIES: Memo[list] = Memo(_MAX_ENTRIES)


def _flat_signature(obj: dict) -> tuple:
    """An Event's shape: its key names, their values' types, and the key names of its maps, in
    order (an Event holds no deeper maps and no lists, so its create set depends on nothing
    else). Built by C loops: six Events a pod."""
    values = obj.values()
    # (the maps' key names by isinstance, in C; a dict subclass differs from a dict by its type
    # in the second part, so the key still tells them apart)
    return (tuple(obj), tuple(map(type, values)), tuple(map(tuple, filter(_IS_DICT, values))))


_IS_DICT = dict.__instancecheck__


EVENTS_API_VERSION = "events.k8s.io/v1"
# What a component that records through client-go's tools/events (the kube-scheduler) sets on
# the Events it creates, in the events.k8s.io/v1 names it sends them in (an ObjectReference is a
# structType=atomic leaf), and what its series PATCH adds.
_EVENTS_API_FIELDS: dict[str, dict] = {k: {} for k in ("f:action", "f:eventTime", "f:note", "f:reason", "f:regarding",
                                      "f:reportingController", "f:reportingInstance", "f:type")}
_EVENTS_API_SERIES: dict[str, dict] = {"f:series": {"f:count": {}, "f:lastObservedTime": {}}}
_EVENTS_API_SETS: dict[tuple[bool, bool], dict] = {}


def events_api_fields(*, related: bool, series: bool) -> dict:
    got = _EVENTS_API_SETS.get((related, series))
    if got is None:
        got = dict(_EVENTS_API_FIELDS, **({"f:related": {}} if related else {}), **(_EVENTS_API_SERIES if series else {}))
        got = _EVENTS_API_SETS[(related, series)] = canonical(got)
    return got


def is_events_api_event(obj: dict) -> bool:
    """An Event the engine built as tools/events writes it (eventTime set, no source)."""
    return bool(obj.get("eventTime")) and not obj.get("source")


def events_api_series(entries: list[dict], manager: str, now_iso: str, related: bool) -> list[dict] | None:
    """The series PATCH of an Event its tools/events creator alone manages: that entry, with
    f:series and the time moved on. None otherwise (the caller takes record_update)."""
    if len(entries) != 1:
        return None
    e = entries[0]
    if e.get("manager") != manager or e.get("operation") != UPDATE or e.get("apiVersion") != EVENTS_API_VERSION:
        return None
    return _listed(_entry(manager, UPDATE, EVENTS_API_VERSION, None, now_iso, events_api_fields(related=related, series=True)))


def _listed(e: dict) -> list[dict]:
    """The one-entry managedFields list of an Event, shared by the Events with that entry."""
    listed = _EVENT_ENTRIES.get(id(e))
    if listed is None or listed[0] is not e:
        listed = _EVENT_ENTRIES.put(id(e), [e])
    return listed


def record_create(rt, obj: dict, manager: str, now_iso: str) -> None:
    """record_update for a create the engine built itself; Events (its most frequent creates,
    six a pod) have their set remembered by their shape."""
    if rt.kind != "Event" or rt.group:
        record_update(rt, None, obj, manager, now_iso)
        return
    if is_events_api_event(obj):
        api_fields = events_api_fields(related=bool(obj.get("related")), series=bool(obj.get("series")))
        obj["metadata"]["managedFields"] = _listed(_entry(manager, UPDATE, EVENTS_API_VERSION, None, now_iso, api_fields))
        return
    key = (manager, _flat_signature(obj))
    fields = _FLAT_CREATES.get(key)
    if fields is None:
        names = _scope(rt, None)
        added = compare(None, obj, shape_of(rt.api_version, rt.kind)).added
        fields = _FLAT_CREATES.put(key, canonical(_in_scope(added, names, None)))
    if fields:
        # The one-entry list is shared too, by the Events made in one second (six a pod).
        e = _entry(manager, UPDATE, rt.api_version, None, now_iso, fields)
        listed = _EVENT_ENTRIES.get(id(e))
        if listed is None or listed[0] is not e:
            listed = _EVENT_ENTRIES.put(id(e), [e])
        obj["metadata"]["managedFields"] = listed


_EVENT_PATCHED = ("f:count", "f:lastTimestamp", "f:message")


def touch_event(entries: list[dict], manager: str, now_iso: str) -> list[dict] | None:
    """The Update of an Event's repeat (count, lastTimestamp and message patched) by the manager
    that created it and alone manages it: the same set, its time moved on — shared as
    record_create shares it. None otherwise (the caller takes record_update)."""
    if len(entries) != 1:
        return None
    e = entries[0]
    fields = e.get("fieldsV1")
    if (e.get("manager") != manager or e.get("operation") != UPDATE or e.get("subresource")
            or e.get("apiVersion") != "v1" or not isinstance(fields, dict)
            or not all(k in fields for k in _EVENT_PATCHED)):
        return None
    if e.get("time") == now_iso:
        return entries
    e = _entry(manager, UPDATE, "v1", None, now_iso, fields)
    listed = _EVENT_ENTRIES.get(id(e))
    if listed is None or listed[0] is not e:
        listed = _EVENT_ENTRIES.put(id(e), [e])
    return listed


def _only_replicas(s: dict):
    spec = s.get("f:spec") or {}
    return {"f:spec": {"f:replicas": {}}} if "f:replicas" in spec else {}


def _body(obj: dict) -> dict:
    """The object as field sets see it: managedFields left out (they never own themselves)."""
    md = obj.get("metadata")
    if md and "managedFields" in md:
        obj = dict(obj)
        obj["metadata"] = {k: v for k, v in md.items() if k != "managedFields"}
    return obj


def touch(entries: list[dict], manager: str, api_version: str, spec_fields, now_iso: str) -> list[dict] | None:
    """The Update of a write that changed only `spec_fields`, all owned by `manager` alone (a
    kubelet renewing its Lease): the same sets, that entry's time moved on. None when that is
    not the case (the caller takes the full path, record_update)."""
    if len(entries) == 1:
        # The renewer alone manages the object (a node's Lease: its kubelet created it): the
        # loop below with one entry, without its lists and the sort of one.
        e = entries[0]
        if e.get("manager") == manager and e.get("operation") == UPDATE and not e.get("subresource") \
                and e.get("apiVersion") == api_version:
            spec = (e.get("fieldsV1") or {}).get("f:spec") or {}
            for k in spec_fields:
                if "f:" + k not in spec:
                    return None
            return [dict(e, time=now_iso)]
        return None
    keys = ["f:" + k for k in spec_fields]
    out, found = [], False
    for e in entries:
        spec = (e.get("fieldsV1") or {}).get("f:spec") or {}
        owns = [k in spec for k in keys]
        if e.get("manager") == manager and e.get("operation") == UPDATE and not e.get("subresource") \
                and e.get("apiVersion") == api_version:
            if not all(owns):
                return None
            e, found = dict(e, time=now_iso), True
        elif any(owns):
            return None
        out.append(e)
    return _sorted(out) if found else None


# ---------------------------------------------------------------------------------------------
# Apply

class ApplyConflict(errors.ApiError):
    """409 with one cause per conflicting field (errors.NewApplyConflict)."""
    code, reason = 409, "Conflict"

    def __init__(self, conflicts: list[tuple[dict, tuple]]):
        self.conflicts = conflicts
        causes = [{"reason": "FieldManagerConflict", "message": f"conflict with {describe(e)}",
                   "field": path_string(list(p))} for e, p in conflicts]
        super().__init__(conflict_message(conflicts), details={"causes": causes})


def conflict_message(conflicts: list[tuple[dict, tuple]]) -> str:
    if len(conflicts) == 1:
        e, p = conflicts[0]
        return f"Apply failed with 1 conflict: conflict with {describe(e)}: {path_string(list(p))}"
    by: dict[str, tuple[dict, list]] = {}
    for e, p in conflicts:
        by.setdefault(identifier_json(identity(e)), (e, []))[1].append(p)
    lines = []
    for ident in sorted(by):
        e, ps = by[ident]
        lines.append(f"conflicts with {describe(e)}:")
        lines.extend(f"- {path_string(list(p))}" for p in ps)
    return f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)


def check_manager(manager: str | None) -> str:
    if not manager:
        raise errors.BadRequest("PATCH, application/apply-patch+yaml requires fieldManager to be set")
    if len(manager) > MAX_MANAGER_LENGTH:
        raise errors.BadRequest(f"fieldManager: Too long: may not be more than {MAX_MANAGER_LENGTH} bytes")
    return manager


def apply(rt, live: dict | None, config: dict, manager: str, now_iso: str, *, force: bool) -> dict:
    """Merge an apply configuration into `live` (None: create-on-apply) and return the new
    object (not yet admitted) with its managedFields. Raises ApplyConflict (409)."""
    if not isinstance(config, dict):
        raise errors.BadRequest("the body of the request must be an object")
    api_version = config.get("apiVersion")
    if api_version != rt.api_version:
        raise errors.BadRequest(f"Incorrect version specified in apply patch. Specified patch version: "
                                f"{api_version or ''}, expected: {rt.api_version}")
    if config.get("kind") != rt.kind:
        raise errors.BadRequest(f"Incorrect kind specified in apply patch. Specified patch kind: "
                                f"{config.get('kind') or ''}, expected: {rt.kind}")
    cmd = config.get("metadata")
    if cmd is not None and not isinstance(cmd, dict):
        raise errors.BadRequest("metadata must be an object")
    if cmd and cmd.get("managedFields") is not None:
        raise errors.BadRequest("metadata.managedFields must be nil")
    shape = shape_of(rt.api_version, rt.kind)
    names = _scope(rt, None)
    base = _body(live) if live is not None else {}
    entries = list((live or {}).get("metadata", {}).get("managedFields") or [])
    if live is not None and not entries:
        # skipNonApplied: an object never tracked gets one Update entry for all it holds first
        first = without_fields(_strip_meta(compare(None, base, shape).added), names)
        if first:
            entries = [_entry(BEFORE_FIRST_APPLY, UPDATE, rt.api_version, None, now_iso, canonical(first))]
    applied = without_fields(_strip_meta(applied_set(config, shape)), names)
    me = (manager, APPLY, "", "")
    mine = next((e for e in entries if identity(e) == me), None)
    others = [e for e in entries if identity(e) != me]

    merged = merge(base, config, shape)
    if mine is not None:
        owned_by_others: dict = {}
        for e in others:
            owned_by_others = union(owned_by_others, e.get("fieldsV1") or {})
        drop = difference(difference(mine.get("fieldsV1") or {}, applied), owned_by_others)
        if drop:
            merged = prune(merged, drop, union(applied, owned_by_others), shape)
    ch = compare(base, merged, shape)
    added, modified, removed = (without_fields(_strip_meta(s), names)
                                for s in (ch.added, ch.modified, ch.removed))
    touched = union(added, modified)
    conflicts: list[tuple] = []
    for e in others:
        hit = intersection(e.get("fieldsV1") or {}, touched)
        if hit:
            conflicts.extend((e, p) for p in paths(hit))
    if conflicts and not force:
        allowed = _allowed_by_last_applied(live, manager, shape) if live is not None else None
        if allowed is None or any(not _has(allowed, p) for _, p in conflicts):
            if allowed is not None:
                conflicts = [(e, p) for e, p in conflicts if not _has(allowed, p)]
            raise ApplyConflict(conflicts)
    out = []
    lose = union(touched, removed)
    for e in others:
        fs = e.get("fieldsV1") or {}
        rest = difference(fs, lose)
        if rest is fs:
            out.append(e)
        elif rest:
            out.append(dict(e, fieldsV1=rest))
    changed = not ch.empty()
    time = now_iso if (changed or mine is None) else mine.get("time")
    if applied:
        out.append(_entry(manager, APPLY, rt.api_version, None, time, canonical(applied)))
    md = merged.setdefault("metadata", {})
    if manager == "kubectl" and live is not None and ((live["metadata"].get("annotations") or {}).get(LAST_APPLIED)):
        # lastAppliedUpdater: kubectl's own apply keeps the client-side annotation current
        cfg = {k: v for k, v in config.items()}
        cmeta = dict(cfg.get("metadata") or {})
        ann = {k: v for k, v in (cmeta.get("annotations") or {}).items() if k != LAST_APPLIED}
        if ann:
            cmeta["annotations"] = ann
        else:
            cmeta.pop("annotations", None)
        cfg["metadata"] = cmeta
        md["annotations"] = dict(md.get("annotations") or {}, **{LAST_APPLIED: go_json(cfg) + "\n"})
    out = _sorted(out)
    if out:
        md["managedFields"] = out
    else:
        md.pop("managedFields", None)
    return merged


def _has(s: dict, p: tuple) -> bool:
    n: dict | None = s
    for k in p:
        n = n.get(k) if n is not None else None
        if n is None:
            return False
    return n is not None and is_member(n)


def _allowed_by_last_applied(live: dict, manager: str, shape: Shape) -> dict | None:
    """lastAppliedManager: the fields of the last-applied annotation whose live value still
    matches, which `kubectl` may take over from client-side apply without a conflict."""
    if manager != "kubectl":
        return None
    text = (live["metadata"].get("annotations") or {}).get(LAST_APPLIED)
    if not text:
        return None
    try:
        last = json.loads(text)
    except ValueError:
        return None
    if not isinstance(last, dict) or last.get("apiVersion") != live.get("apiVersion"):
        return None
    fields = applied_set(last, shape)
    ch = compare(_body(last), _body(live), shape)
    # fields the live object no longer holds as applied are not ours to take (Modified/Added/Removed)
    return difference(fields, union(union(ch.modified, ch.removed), ch.added))

