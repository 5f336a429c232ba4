"""Field sets in the managedFields wire format (`fieldsV1`), and the schema facts they need.

A set is a trie of dicts, as the apiserver stores it: keys `f:<field>`, `k:{<list-map keys as
JSON>}`, `v:<set item as JSON>`, `i:<index>`; `{}` is a member (a field someone owns), and a node
that is a member and also has children carries `".": {}` (sigs.k8s.io/structured-merge-diff
fieldpath, serialize.go). The algebra below works on the tries directly, so a write never
decodes or re-encodes the sets it does not touch.

Every set the store keeps is *interned*: a node is looked up by its keys and the identities of
its (already interned) children, so equal subtrees are one dict — 10,000 pods of a ReplicaSet
share the sets of their spec. Interned nodes are read-only, like everything the store hands out.

List types (atomic / set / map with keys) come from the strategic-merge table engine.patch keeps
(`schema_for`): a list merged by key there is a map list here, a primitive merge list a set,
anything else atomic. The few places where server-side apply's list-map keys or atomic maps
differ from strategic merge are in `SSA_ONLY`, in one place. Neighbours: engine/fielddiff.py
computes sets of objects; engine/managedfields.py keeps them per manager.
"""
from __future__ import annotations

import json
import operator
from typing import Any

from . import patch as patching

MISSING = object()

# Where server-side apply's schema knowledge differs from strategic merge's (k8s.io/api tags
# `+listType=map` / `+listMapKey` / `+mapType=atomic` / `+structType=atomic`, v1.32).

SSA_ONLY: dict[str, Any] = {
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
            return "map", SSA_ONLY["service_ports"]
        for suffix, keys in SSA_ONLY["map_keys"].items():
            if path == suffix or path.endswith("." + suffix):
                return "map", keys
        strategy, key = self._smp.get(path, ("", None))
        if "merge" not in strategy.split(","):
            return "atomic", ()
        return ("map", (key,)) if key else ("set", ())

    def atomic_items(self, path: str) -> bool:
        return path.rpartition(".")[2] in SSA_ONLY["atomic_items"]

    def atomic_map(self, path: str) -> bool:
        got = self._atomic.get(path)
        if got is None:
            last = path.rpartition(".")[2]
            got = (last in SSA_ONLY["atomic_maps"]
                   or (path == "spec.selector" and self.kind in SSA_ONLY["atomic_selector_kinds"]))
            self._atomic[path] = got
        return got


_SHAPES: dict[tuple[str, str], Shape] = {}


def shape_of(api_version: str, kind: str) -> Shape:
    group = api_version.split("/")[0] if "/" in api_version else ""
    s = _SHAPES.get((group, kind))
    if s is None:
        s = _SHAPES[(group, kind)] = Shape(group, kind)
    return s


def subpath(path: str, key: str) -> str:
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
#
# The table is keyed by the hash of the keys and the children's ids, and a hit is checked against
# the node itself (same keys, equal children — the very same ones but for a hash clash; the node
# holds them, so their ids are theirs):
# ~130 bytes an entry instead of ~500 for keeping the pairs, so it can hold what a 100,000-pod
# cluster's sets need (~5 nodes a pod) — a smaller one was emptied during such a scale-up, and
# every set interned before was then walked and interned again by `canonical` (a fifth of the
# CPU at 100,000 pods).
_FKEYS: dict[str, str] = {}
LEAF: dict = {}
_NODES: dict[int, dict] = {hash(((), ())): LEAF}
_NODE_IDS: dict[int, dict] = {id(LEAF): LEAF}
_MAX_INTERNED = 600_000


def fkey(name: str) -> str:
    got = _FKEYS.get(name)
    if got is None:
        if len(_FKEYS) > _MAX_INTERNED:
            _FKEYS.clear()
        got = _FKEYS[name] = "f:" + name
    return got


def _hash_of(node: dict) -> int:
    """A node's table key: its keys and its children's identities, in order (all in C)."""
    return hash((tuple(node), tuple(map(id, node.values()))))


def interned(items: list) -> dict:
    """The shared node with these (key, interned child) items, sorted here."""
    items.sort(key=_FIRST)
    node = dict(items)
    h = _hash_of(node)
    got = _NODES.get(h)
    # (`==` is C's: children are compared by identity first, and interned children that are
    # not the same object are equal only when they are equal sets — then `got` is as good)
    if got is not None and got == node:
        return got
    if got is None:
        if len(_NODES) > _MAX_INTERNED:
            _NODES.clear()
            _NODE_IDS.clear()
            _NODES[_hash_of(LEAF)] = LEAF
            _NODE_IDS[id(LEAF)] = LEAF
        _NODES[h] = node
    # (another node with the same hash keeps the slot: this one is canonical, just not shared)
    _NODE_IDS[id(node)] = node
    return node


_FIRST = operator.itemgetter(0)


def item_key(item, kind: str, keys: tuple) -> str | None:
    """The fieldsV1 key of a list item (`k:{...}` or `v:...`); None if it has none (bad item)."""
    if kind == "set":
        if isinstance(item, (dict, list)) or item is None:
            return None
        return "v:" + _scalar_json(item)
    if not isinstance(item, dict):
        return None
    memo = (keys, tuple([item.get(k, MISSING) for k in keys]))
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
        v = item.get(k, MISSING)
        if v is MISSING:
            v = SSA_ONLY["key_defaults"].get(k, MISSING)
            if v is MISSING:
                continue
        if isinstance(v, (dict, list)):
            return "k:" + go_json({k: item.get(k) for k in keys if k in item})
        parts.append('"' + k + '":' + _scalar_json(v))
    if not parts:
        return None
    return "k:{" + ",".join(parts) + "}"


def index_items(items: list, kind: str, keys: tuple) -> dict | None:
    """key -> item for a set or map list; None when an item has no key (treated as atomic)."""
    out: dict[str, Any] = {}
    for it in items:
        k = item_key(it, kind, keys)
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

def is_member(n: dict) -> bool:
    return not n or "." in n


def _node(member: bool, kids: dict) -> dict | None:
    if kids:
        return {".": {}, **kids} if member else kids
    return {} if member else None


def kids_of(n: dict) -> dict:
    return {k: v for k, v in n.items() if k != "."} if "." in n else n


def union(a: dict, b: dict) -> dict:
    """a ∪ b; returns `a` itself when b adds nothing (a manager re-writing fields it owns)."""
    if not a:
        return b
    if not b:
        return a
    out = None
    for k, bn in b.items():
        if k == ".":
            continue
        an = a.get(k)
        if an is bn:
            continue
        if an is None:
            new = bn
        else:
            new = _node_union(an, bn)
            if new is an:
                continue
        if out is None:
            out = dict(a)
        out[k] = new
    return a if out is None else out


def _node_union(an: dict, bn: dict) -> dict | None:
    a_member = is_member(an)
    akids = kids_of(an)
    kids = union(akids, kids_of(bn)) if bn else akids
    member = a_member or is_member(bn)
    if member == a_member and kids is akids:
        return an
    return _node(member, kids)


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
    a_member = is_member(an)
    akids = kids_of(an)
    kids = difference(akids, kids_of(bn)) if akids and bn else akids
    member = a_member and not is_member(bn)
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
        new = _node(is_member(sn) and is_member(bn), intersection(kids_of(sn), kids_of(bn)))
        if new is not None:
            out[k] = new
    return out


def without_fields(s: dict, names) -> dict:
    """The set without every path under the top-level fields `names` (RecursiveDifference)."""
    if not any(("f:" + n) in s for n in names):
        return s
    return {k: v for k, v in s.items() if k[2:] not in names or not k.startswith("f:")}


def paths(s: dict, prefix: tuple = ()) -> list[tuple]:
    """Every member path, in fieldpath.Set.Iterate order: a level's members, then its children."""
    out = []
    items = sorted((k, v) for k, v in s.items() if k != ".")
    for k, v in items:
        if is_member(v):
            out.append(prefix + (k,))
    for k, v in items:
        if v and len(v) > (1 if "." in v else 0):
            out.extend(paths(v, prefix + (k,)))
    return out


def canonical(s: dict) -> dict:
    """The interned form of a set, keys in the order the apiserver serialises them ('.' first,
    then by element); already interned subtrees are returned as they are."""
    if not s:
        return LEAF
    if _NODE_IDS.get(id(s)) is s:
        return s
    items = []
    for k, v in s.items():
        # (leaves and interned children inline: most of a written set is one or the other)
        if not v:
            v = LEAF
        elif _NODE_IDS.get(id(v)) is not v:
            v = canonical(v)
        items.append((k, v))
    return interned(items)
