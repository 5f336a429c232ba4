"""Field ownership: `metadata.managedFields` on every write, and server-side apply.

The apiserver records, per *field manager*, which fields it set (k8s.io/apimachinery
`pkg/util/managedfields`, over sigs.k8s.io/structured-merge-diff). A manager is identified by
(name, operation, apiVersion for Update, subresource): `kubectl-client-side-apply` Update,
`kubectl` Apply, `kube-controller-manager` Update with subresource `status`, ...

Field sets are kept in the wire format itself, a trie of dicts (`fieldsV1`): keys `f:<field>`,
`k:{<list-map keys as JSON>}`, `v:<set value as JSON>`, `i:<index>`; `{}` is a member (a field
the manager owns), and a node that is both a member and has children carries `".": {}`. Working
on the stored tries directly (never decoding them into another structure) keeps a write cheap:
sets that a write does not touch are shared with the previous version of the object.

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

List types (atomic / set / map with keys) come from the strategic-merge table engine.patch keeps
(`schema_for`): a list merged by key there is a map list here, a primitive merge list a set,
anything else atomic. The few places where server-side apply's list-map keys or atomic maps
differ from strategic merge are in `_SSA_ONLY` below, in one place.
"""
from __future__ import annotations

import json

from . import errors
from . import patch as patching

APPLY, UPDATE = "Apply", "Update"
FIELDS_V1 = "FieldsV1"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
BEFORE_FIRST_APPLY = "before-first-apply"
ANCIENT_CHANGES = "ancient-changes"
MAX_UPDATE_MANAGERS = 10             # DefaultMaxUpdateManagers
MAX_MANAGER_LENGTH = 128             # validation.FieldManagerMaxLength

_MISSING = object()

# metadata fields nobody owns (stripmeta.go), and the metadata field the sets never include.
_STRIPPED_META = ("name", "namespace", "creationTimestamp", "selfLink", "uid", "generation",
                  "managedFields", "resourceVersion")


# ---------------------------------------------------------------------------------------------
# Where server-side apply's schema knowledge differs from strategic merge's (k8s.io/api tags
# `+listType=map` / `+listMapKey` / `+mapType=atomic` / `+structType=atomic`, v1.32).

_SSA_ONLY = {
    # list-map keys with more than the one strategic-merge key; "protocol" defaults to TCP
    "map_keys": {"containers.ports": ("containerPort", "protocol"),
                 "initContainers.ports": ("containerPort", "protocol"),
                 "ephemeralContainers.ports": ("containerPort", "protocol"),
                 "topologySpreadConstraints": ("topologyKey", "whenUnsatisfiable")},
    "service_ports": ("port", "protocol"),
    "key_defaults": {"protocol": "TCP"},
    # maps owned whole: LabelSelector and the object references are structType=atomic,
    # Service and Pod selectors mapType=atomic
    "atomic_maps": frozenset({"labelSelector", "namespaceSelector", "fieldRef", "resourceFieldRef",
                              "configMapKeyRef", "secretKeyRef", "nodeSelector",
                              "requiredDuringSchedulingIgnoredDuringExecution"}),
    "atomic_selector_kinds": frozenset({"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet",
                                        "Service"}),
    # list-map items owned whole (OwnerReference is structType=atomic)
    "atomic_items": frozenset({"ownerReferences"}),
    # fields present (as {} or null) in a kind's zero value, so a create does not mark them `.`
    "zero_present": frozenset({"metadata", "spec", "status", "spec.template", "spec.template.metadata",
                               "spec.template.spec", "spec.template.spec.containers", "spec.containers",
                               "spec.strategy", "spec.updateStrategy", "status.loadBalancer",
                               "endpoints", "ports"}),
}


class Shape:
    """How one kind's fields merge: list types and atomic maps, by dotted path (list items add
    no segment, as in engine.patch's table). Built once per kind; lookups are cached."""

    def __init__(self, group: str, kind: str):
        self.group, self.kind = group, kind
        self._smp = patching.schema_for(group, kind)
        self._lists: dict[str, tuple[str, tuple]] = {}
        self._atomic: dict[str, bool] = {}

    def list_type(self, path: str) -> tuple[str, tuple]:
        got = self._lists.get(path)
        if got is None:
            got = self._lists[path] = self._list_type(path)
        return got

    def _list_type(self, path: str) -> tuple[str, tuple]:
        if self.kind == "Service" and path == "spec.ports":
            return "map", _SSA_ONLY["service_ports"]
        for suffix, keys in _SSA_ONLY["map_keys"].items():
            if path == suffix or path.endswith("." + suffix):
                return "map", keys
        strategy, key = self._smp.get(path, ("", None))
        if "merge" not in strategy.split(","):
            return "atomic", ()
        return ("map", (key,)) if key else ("set", ())

    def atomic_items(self, path: str) -> bool:
        return path.rpartition(".")[2] in _SSA_ONLY["atomic_items"]

    def atomic_map(self, path: str) -> bool:
        got = self._atomic.get(path)
        if got is None:
            last = path.rpartition(".")[2]
            got = (last in _SSA_ONLY["atomic_maps"]
                   or (path == "spec.selector" and self.kind in _SSA_ONLY["atomic_selector_kinds"]))
            self._atomic[path] = got
        return got


_SHAPES: dict[tuple[str, str], Shape] = {}


def shape_of(api_version: str, kind: str) -> Shape:
    group = api_version.split("/")[0] if "/" in api_version else ""
    s = _SHAPES.get((group, kind))
    if s is None:
        s = _SHAPES[(group, kind)] = Shape(group, kind)
    return s


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# ---------------------------------------------------------------------------------------------
# Path elements as fieldsV1 keys

def go_json(value) -> str:
    """json.Marshal as Go does it: compact, keys sorted, `<`, `>`, `&` escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._/:@ +=,;~")


def _scalar_json(v) -> str:
    """go_json of one scalar, without the encoder for the common plain strings and ints."""
    if type(v) is str and _PLAIN.issuperset(v):
        return '"' + v + '"'
    if type(v) is int:
        return str(v)
    return go_json(v)


# Key strings and set nodes are shared between objects (10,000 pods of one ReplicaSet own the
# same fields): "f:" keys come from a cache, and every set a write stores is interned — a node
# is looked up by its keys and the identities of its (already interned) children, so equal
# subtrees are one dict. Interned nodes are read-only, like everything the store hands out.
_FKEYS: dict[str, str] = {}
_LEAF: dict = {}
_NODES: dict[tuple, dict] = {(): _LEAF}
_NODE_IDS: dict[int, dict] = {id(_LEAF): _LEAF}
_MAX_INTERNED = 200_000


def _fkey(name: str) -> str:
    got = _FKEYS.get(name)
    if got is None:
        if len(_FKEYS) > _MAX_INTERNED:
            _FKEYS.clear()
        got = _FKEYS[name] = "f:" + name
    return got


def _intern(items: list) -> dict:
    """The shared node with these (key, interned child) items, sorted here."""
    items.sort(key=_first)
    key = tuple((k, id(c)) for k, c in items)
    got = _NODES.get(key)
    if got is None:
        if len(_NODES) > _MAX_INTERNED:
            _NODES.clear()
            _NODE_IDS.clear()
            _NODES[()] = _LEAF
            _NODE_IDS[id(_LEAF)] = _LEAF
        got = _NODES[key] = dict(items)
        _NODE_IDS[id(got)] = got
    return got


def _first(kv):
    return kv[0]


def _item_key(item, kind: str, keys: tuple) -> str | None:
    """The fieldsV1 key of a list item (`k:{...}` or `v:...`); None if it has none (bad item)."""
    if kind == "set":
        if isinstance(item, (dict, list)) or item is None:
            return None
        return "v:" + _scalar_json(item)
    if not isinstance(item, dict):
        return None
    memo = (keys, tuple([item.get(k, _MISSING) for k in keys]))
    try:
        got = _ITEM_KEYS.get(memo)
    except TypeError:                     # a key field holding a map or list
        return _map_item_key(item, keys)
    if got is None:
        if len(_ITEM_KEYS) > _MAX_INTERNED:
            _ITEM_KEYS.clear()
        got = _ITEM_KEYS[memo] = _map_item_key(item, keys)
    return got


_ITEM_KEYS: dict[tuple, str | None] = {}


def _map_item_key(item: dict, keys: tuple) -> str | None:
    parts = []
    for k in sorted(keys):
        v = item.get(k, _MISSING)
        if v is _MISSING:
            v = _SSA_ONLY["key_defaults"].get(k, _MISSING)
            if v is _MISSING:
                continue
        if isinstance(v, (dict, list)):
            return "k:" + go_json({k: item.get(k) for k in keys if k in item})
        parts.append('"' + k + '":' + _scalar_json(v))
    if not parts:
        return None
    return "k:{" + ",".join(parts) + "}"


def _index_items(items: list, kind: str, keys: tuple) -> dict | None:
    """key -> item for a set or map list; None when an item has no key (treated as atomic)."""
    out = {}
    for it in items:
        k = _item_key(it, kind, keys)
        if k is None:
            return None
        out.setdefault(k, it)
    return out


def path_string(keys: list[str]) -> str:
    """A path as fieldpath.Path.String() prints it: `.spec.template.spec.containers[name="x"].image`."""
    out = []
    for k in keys:
        t, _, rest = k.partition(":")
        if t == "f":
            out.append("." + rest)
        elif t == "k":
            fields = json.loads(rest)
            out.append("[" + ",".join(f"{n}={_go_string(fields[n])}" for n in sorted(fields)) + "]")
        elif t == "v":
            out.append("[=" + _go_string(json.loads(rest)) + "]")
        else:
            out.append("[" + rest + "]")
    return "".join(out)


def _go_string(v) -> str:
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    return str(v)


# ---------------------------------------------------------------------------------------------
# Set algebra on fieldsV1 tries. A node is a member when it is `{}` or holds ".".

def _member(n: dict) -> bool:
    return not n or "." in n


def _node(member: bool, children: dict) -> dict | None:
    if children:
        return {".": {}, **children} if member else children
    return {} if member else None


def _kids(n: dict) -> dict:
    return {k: v for k, v in n.items() if k != "."} if "." in n else n


def union(a: dict, b: dict) -> dict:
    if not a:
        return b
    if not b:
        return a
    out = dict(a)
    for k, bn in b.items():
        if k == ".":
            continue
        an = out.get(k)
        if an is None:
            out[k] = bn
        elif an is not bn:
            out[k] = _node(_member(an) or _member(bn), union(_kids(an), _kids(bn)))
    return out


def difference(a: dict, b: dict) -> dict:
    """a − b (paths of a not in b); returns `a` itself when nothing goes, so untouched sets stay shared."""
    out = None
    for k, bn in b.items():
        if k == ".":
            continue
        an = a.get(k)
        if an is None:
            continue
        new = _node_difference(an, bn)
        if new is an:
            continue
        if out is None:
            out = dict(a)
        if new is None:
            del out[k]
        else:
            out[k] = new
    return a if out is None else out


def _node_difference(an: dict, bn: dict) -> dict | None:
    a_member = _member(an)
    akids = _kids(an)
    kids = difference(akids, _kids(bn)) if akids and bn else akids
    member = a_member and not _member(bn)
    if member == a_member and kids is akids:
        return an
    return _node(member, kids)


def intersection(a: dict, b: dict) -> dict:
    out = {}
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    for k, sn in small.items():
        if k == ".":
            continue
        bn = big.get(k)
        if bn is None:
            continue
        new = _node(_member(sn) and _member(bn), intersection(_kids(sn), _kids(bn)))
        if new is not None:
            out[k] = new
    return out


def without_fields(s: dict, names) -> dict:
    """The set without every path under the top-level fields `names` (RecursiveDifference)."""
    if not any(("f:" + n) in s for n in names):
        return s
    return {k: v for k, v in s.items() if k[2:] not in names or not k.startswith("f:")}


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


def paths(s: dict, prefix: tuple = ()) -> list[tuple]:
    """Every member path, in fieldpath.Set.Iterate order: a level's members, then its children."""
    out = []
    items = sorted((k, v) for k, v in s.items() if k != ".")
    for k, v in items:
        if _member(v):
            out.append(prefix + (k,))
    for k, v in items:
        if v and len(v) > (1 if "." in v else 0):
            out.extend(paths(v, prefix + (k,)))
    return out


def canonical(s: dict) -> dict:
    """The interned form of a set, keys in the order the apiserver serialises them ('.' first,
    then by element); already interned subtrees are returned as they are."""
    if _NODE_IDS.get(id(s)) is s:
        return s
    if not s:
        return _LEAF
    return _intern([(k, canonical(v)) for k, v in s.items()])


# ---------------------------------------------------------------------------------------------
# Field sets of objects

def applied_set(config: dict, shape: Shape) -> dict:
    """The fields an apply configuration sets (typed.ToFieldSet)."""
    out: dict = {}
    _set_of_map(config, "", shape, out)
    return out


def _set_of_map(m: dict, path: str, shape: Shape, out: dict) -> None:
    for k, v in m.items():
        key = "f:" + k
        if isinstance(v, dict):
            p = _join(path, k)
            if not v or shape.atomic_map(p):
                out[key] = {}
            else:
                child: dict = {}
                _set_of_map(v, p, shape, child)
                out[key] = child
        elif isinstance(v, list):
            p = _join(path, k)
            kind, keys = shape.list_type(p)
            index = _index_items(v, kind, keys) if kind != "atomic" else None
            if index is None:
                out[key] = {}
            elif index:
                child = {}
                whole = shape.atomic_items(p)
                for ik, item in index.items():
                    if isinstance(item, dict) and not whole:
                        sub: dict = {}
                        _set_of_map(item, p, shape, sub)
                        child[ik] = {".": {}, **sub}
                    else:
                        child[ik] = {}
                out[key] = child
        else:
            out[key] = {}


class Changes:
    """What a write did to an object, as three field sets (typed.Comparison)."""
    __slots__ = ("added", "modified", "removed")

    def __init__(self):
        self.added: dict = {}
        self.modified: dict = {}
        self.removed: dict = {}

    def changed(self) -> dict:
        return union(union(self.added, self.modified), self.removed)

    def empty(self) -> bool:
        return not (self.added or self.modified or self.removed)


def compare(old: dict | None, new: dict, shape: Shape) -> Changes:
    """Compare two objects; `old=None` compares with the kind's zero value (a create)."""
    ch = Changes()
    if old is None:
        ch.added = _create_set(new, shape)
    else:
        _cmp_map(old, new, "", shape, ch)
    return ch


_SPEC_SETS: dict[tuple, dict] = {}


def _create_set(obj: dict, shape: Shape) -> dict:
    """_whole for a created object, the spec's set remembered by its text: a ReplicaSet's pods
    (or a DaemonSet's) all carry the same spec."""
    spec = obj.get("spec")
    if type(spec) is not dict or not spec:
        return _whole(obj, "", shape, True)
    key = (shape.group, shape.kind, repr(spec))
    node = _SPEC_SETS.get(key)
    if node is None:
        if len(_SPEC_SETS) > 256:
            _SPEC_SETS.clear()
        node = _SPEC_SETS[key] = _whole({"spec": spec}, "", shape, True)["f:spec"]
    rest = _whole({k: v for k, v in obj.items() if k != "spec"}, "", shape, True)
    return _intern([*rest.items(), ("f:spec", node)])


def _whole(m: dict, path: str, shape: Shape, zero: bool = False, dot: bool = False) -> dict:
    """The interned set of every field of a map that was not there before: nodes marked '.'
    (but for those a kind's zero value holds, on a create)."""
    items = [(".", _LEAF)] if dot else []
    for k, v in m.items():
        t = type(v)
        if t is dict:
            p = _join(path, k)
            if not v or shape.atomic_map(p):
                items.append((_fkey(k), _LEAF))
            else:
                items.append((_fkey(k), _whole(v, p, shape, zero, not (zero and p in _SSA_ONLY["zero_present"]))))
        elif t is list:
            p = _join(path, k)
            items.append((_fkey(k), _list_subtree(v, p, shape, not (zero and p in _SSA_ONLY["zero_present"]))))
        else:
            items.append((_fkey(k), _LEAF))
    return _intern(items)


def _subtree(v, p: str, shape: Shape, present: bool) -> dict:
    if type(v) is dict:
        if not v or shape.atomic_map(p):
            return _LEAF
        return _whole(v, p, shape, False, not present)
    if type(v) is list:
        return _list_subtree(v, p, shape, not present)
    return _LEAF


def _list_subtree(v: list, p: str, shape: Shape, dot: bool) -> dict:
    kind, keys = shape.list_type(p)
    index = _index_items(v, kind, keys) if kind != "atomic" and v else None
    if index is None:
        return _LEAF
    items = [(".", _LEAF)] if dot else []
    whole = shape.atomic_items(p)
    for ik, item in index.items():
        items.append((ik, _whole(item, p, shape, False, True) if type(item) is dict and not whole else _LEAF))
    return _intern(items)


def _cmp_map(a: dict, b: dict, path: str, shape: Shape, ch: Changes) -> None:
    for k, bv in b.items():
        av = a.get(k, _MISSING)
        if av is bv:
            continue
        if av is _MISSING:
            p = _join(path, k) if isinstance(bv, (dict, list)) else ""
            ch.added[_fkey(k)] = _subtree(bv, p, shape, False)
            continue
        if av == bv:
            continue
        _cmp_value(av, bv, _fkey(k), _join(path, k), shape, ch)
    if len(a) > len(b) or any(k not in b for k in a):
        for k, av in a.items():
            if k not in b:
                p = _join(path, k) if isinstance(av, (dict, list)) else ""
                ch.removed[_fkey(k)] = _subtree(av, p, shape, False)


def _cmp_value(av, bv, key: str, p: str, shape: Shape, ch: Changes) -> None:
    """av != bv, both present."""
    if isinstance(av, dict) and isinstance(bv, dict) and (av or bv) and not shape.atomic_map(p):
        sub = Changes()
        _cmp_map(av, bv, p, shape, sub)
        _attach(ch, key, sub)
        return
    if isinstance(av, list) and isinstance(bv, list) and (av or bv):
        kind, keys = shape.list_type(p)
        if kind != "atomic":
            ai, bi = _index_items(av, kind, keys), _index_items(bv, kind, keys)
            if ai is not None and bi is not None:
                sub = Changes()
                whole = shape.atomic_items(p)
                for ik, item in bi.items():
                    old = ai.get(ik, _MISSING)
                    if old is _MISSING:
                        sub.added[ik] = _item_node(item, p, shape) if isinstance(item, dict) and not whole else {}
                    elif old is not item and old != item and isinstance(item, dict) and isinstance(old, dict):
                        if whole:
                            sub.modified[ik] = {}
                            continue
                        isub = Changes()
                        _cmp_map(old, item, p, shape, isub)
                        _attach(sub, ik, isub)
                for ik, item in ai.items():
                    if ik not in bi:
                        sub.removed[ik] = _item_node(item, p, shape) if isinstance(item, dict) and not whole else {}
                _attach(ch, key, sub)
                return
    ch.modified[key] = {}


def _item_node(item: dict, p: str, shape: Shape) -> dict:
    return _whole(item, p, shape, False, True)


def _attach(ch: Changes, key: str, sub: Changes) -> None:
    if sub.added:
        ch.added[key] = sub.added
    if sub.modified:
        ch.modified[key] = sub.modified
    if sub.removed:
        ch.removed[key] = sub.removed


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


def _entry(manager, operation, api_version, subresource, time, fields) -> dict:
    e = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": time,
         "fieldsType": FIELDS_V1, "fieldsV1": fields}
    if subresource:
        e["subresource"] = subresource
    return e


def _valid(entries) -> bool:
    if not isinstance(entries, list):
        return False
    for e in entries:
        if (not isinstance(e, dict) or e.get("operation") not in (APPLY, UPDATE) or not e.get("apiVersion")
                or e.get("fieldsType") != FIELDS_V1 or not isinstance(e.get("fieldsV1", {}), dict)):
            return False
    return True


def _sorted(entries: list[dict]) -> list[dict]:
    """sortEncodedManagedFields: Apply before Update, then oldest first, manager, version, subresource."""
    return sorted(entries, key=lambda e: (e.get("operation", ""), e.get("time") or "", e.get("manager", ""),
                                          e.get("apiVersion", ""), e.get("subresource", "")))


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
                  subresource: str | None = None, sent: list | None = None) -> None:
    """Set `new["metadata"]["managedFields"]` for an Update by `manager` (old=None: a create).

    `sent` is the managedFields the client's object carried (None: none); a valid non-empty
    list replaces the live entries, an empty list resets them (decodeLiveOrNew)."""
    md = new["metadata"]
    live = (old or {}).get("metadata", {}).get("managedFields") or []
    entries = live
    if subresource is None and sent is not None:
        if isinstance(sent, list) and (not sent or sent == [{}]):
            md.pop("managedFields", None)
            return
        if sent and _valid(sent):
            entries = sent
    if old is not None and not entries:
        md.pop("managedFields", None)      # skipNonApplied: untracked objects stay untracked
        return
    shape = shape_of(rt.api_version, rt.kind)
    ch = compare(None if old is None else _body(old), _body(new), shape)
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
    me = (manager, UPDATE, rt.api_version, subresource or "")
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
        out.append(_entry(manager, UPDATE, rt.api_version, subresource, now_iso, canonical(fields)))
    out = _sorted(_cap(out))
    if out:
        md["managedFields"] = out
    else:
        md.pop("managedFields", None)


_FLAT_CREATES: dict[tuple, dict] = {}


def _flat_signature(obj: dict) -> tuple:
    """An Event's shape: its key names, and those of its maps (an Event holds no deeper maps
    and no lists, so its create set depends on nothing else)."""
    return tuple([(k, tuple(v) if type(v) is dict else None) for k, v in obj.items()])


def record_create(rt, obj: dict, manager: str, now_iso: str) -> None:
    """record_update for a create the engine built itself; Events (its most frequent creates,
    six a pod) have their set remembered by their shape."""
    if rt.kind != "Event" or rt.group:
        record_update(rt, None, obj, manager, now_iso)
        return
    key = (manager, _flat_signature(obj))
    fields = _FLAT_CREATES.get(key)
    if fields is None:
        if len(_FLAT_CREATES) > 1000:
            _FLAT_CREATES.clear()
        names = _scope(rt, None)
        fields = _FLAT_CREATES[key] = canonical(_in_scope(compare(None, obj, shape_of(rt.api_version, rt.kind)).added,
                                                          names, None))
    if fields:
        obj["metadata"]["managedFields"] = [_entry(manager, UPDATE, rt.api_version, None, now_iso, fields)]


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


def touch(entries: list[dict], manager: str, api_version: str, now_iso: str) -> list[dict]:
    """A fast-path Update that changed only fields `manager` already owns (a Lease renewal):
    the same sets, the entry's time moved on."""
    out = []
    for e in entries:
        if e.get("manager") == manager and e.get("operation") == UPDATE and not e.get("subresource"):
            e = dict(e, time=now_iso)
        out.append(e)
    return _sorted(out)


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
    conflicts = []
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
    n = s
    for k in p:
        n = n.get(k)
        if n is None:
            return False
    return _member(n)


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


# ---- merging an apply configuration (typed.Merge with ruleKeepRHS) ----------------------------

def merge(live: dict, config: dict, shape: Shape) -> dict:
    return _merge_map(live, config, "", shape)


def _merge_map(lhs: dict, rhs: dict, path: str, shape: Shape) -> dict:
    out = dict(lhs)
    for k, rv in rhs.items():
        if rv is None:
            out.pop(k, None)       # an applied null: the field is owned, and unset
            continue
        lv = lhs.get(k, _MISSING)
        out[k] = rv if lv is _MISSING else _merge_value(lv, rv, _join(path, k), shape)
    return out


def _merge_value(lv, rv, p: str, shape: Shape, whole: bool = False):
    if isinstance(lv, dict) and isinstance(rv, dict):
        if whole or shape.atomic_map(p):
            return rv
        return _merge_map(lv, rv, p, shape) if rv else lv
    if isinstance(lv, list) and isinstance(rv, list):
        kind, keys = shape.list_type(p)
        if kind != "atomic" and lv and rv:
            merged = _merge_list(lv, rv, kind, keys, p, shape)
            if merged is not None:
                return merged
    return rv


def _merge_list(lhs: list, rhs: list, kind: str, keys: tuple, p: str, shape: Shape) -> list | None:
    """Item order as structured-merge-diff's mergingWalker.visitListItems gives it."""
    lpes = [_item_key(x, kind, keys) for x in lhs]
    rpes = [_item_key(x, kind, keys) for x in rhs]
    if None in lpes or None in rpes:
        return None
    if len(set(rpes)) != len(rpes):
        raise errors.BadRequest(f".{p}: duplicate entries for key")
    lobs = dict(zip(lpes, lhs))
    robs = dict(zip(rpes, rhs))
    shared = [pe for pe in rpes if pe in lobs]
    si = 0
    next_shared = shared[si] if shared else None
    out, done = [], set()
    li = ri = 0
    whole = shape.atomic_items(p)

    def item(pe):
        lc, rc = lobs.get(pe, _MISSING), robs.get(pe, _MISSING)
        if lc is _MISSING:
            return rc
        if rc is _MISSING:
            return lc
        return _merge_value(lc, rc, p, shape, whole) if isinstance(rc, dict) else rc

    while li < len(lpes) or ri < len(rpes):
        if li < len(lpes) and ri < len(rpes):
            pe = lpes[li]
            if pe == rpes[ri]:
                done.add(pe)
                out.append(item(pe))
                li += 1
                ri += 1
                si += 1
                next_shared = shared[si] if si < len(shared) else None
                continue
            if pe in robs and next_shared is not None and next_shared != pe:
                li += 1
                continue
        if li < len(lpes):
            pe = lpes[li]
            if pe not in robs:
                out.append(lhs[li])
                li += 1
                continue
            elif pe in done:
                li += 1
        if ri < len(rpes):
            pe = rpes[ri]
            done.add(pe)
            out.append(item(pe))
            ri += 1
            if next_shared is not None and next_shared == pe:
                si += 1
                next_shared = shared[si] if si < len(shared) else None
    return out


# ---- pruning what a manager stopped applying ----------------------------------------------------

def prune(obj: dict, drop: dict, keep: dict, shape: Shape) -> dict:
    """Remove from `obj` the fields and list items in `drop` that nobody in `keep` still holds
    anything under (Updater.prune with addBackOwnedItems/addBackDanglingItems)."""
    return _prune_map(obj, drop, keep, "", shape)


def _prune_map(m: dict, drop: dict, keep: dict, path: str, shape: Shape) -> dict:
    out = None
    for k, dn in drop.items():
        if not k.startswith("f:"):
            continue
        name = k[2:]
        if name not in m:
            continue
        kn = keep.get(k)
        v = m[name]
        if _member(dn) and kn is None:
            new = _MISSING                         # the whole field goes
        elif len(dn) > (1 if "." in dn else 0):
            new = _prune_value(v, _kids(dn), _kids(kn or {}), _join(path, name), shape)
            if new is v:
                continue
            if isinstance(new, (dict, list)) and not new and not kn:
                new = _MISSING
        else:
            continue
        if out is None:
            out = dict(m)
        if new is _MISSING:
            del out[name]
        else:
            out[name] = new
    return m if out is None else out


def _prune_value(v, drop: dict, keep: dict, p: str, shape: Shape):
    if isinstance(v, dict):
        return _prune_map(v, drop, keep, p, shape)
    if isinstance(v, list):
        kind, keys = shape.list_type(p)
        if kind == "atomic":
            return v
        out, changed = [], False
        for item in v:
            ik = _item_key(item, kind, keys)
            dn = drop.get(ik) if ik else None
            if dn is None:
                out.append(item)
                continue
            kn = keep.get(ik)
            if _member(dn) and kn is None:
                changed = True
                continue
            if isinstance(item, dict) and len(dn) > 1:
                new = _prune_map(item, _kids(dn), _kids(kn or {}), p, shape)
                changed = changed or new is not item
                out.append(new)
            else:
                out.append(item)
        return out if changed else v
    return v
