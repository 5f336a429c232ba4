"""The fields of objects: what an apply configuration sets, what a write changed, and how
server-side apply merges a configuration in and prunes what its manager stopped applying —
structured-merge-diff's ToFieldSet, Compare, Merge and RemoveItems, over Kubernetes-shaped dicts
with the list types of engine/fieldsets.py."""
from __future__ import annotations

from . import errors, shared_diff
from .bounded import Memo
from .fieldsets import (LEAF, MISSING, SSA_ONLY, Shape, fkey, index_items, interned, is_member, item_key,
                        kids_of, subpath, union)

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
            p = subpath(path, k)
            if not v or shape.atomic_map(p):
                out[key] = {}
            else:
                child: dict = {}
                _set_of_map(v, p, shape, child)
                out[key] = child
        elif isinstance(v, list):
            p = subpath(path, k)
            kind, keys = shape.list_type(p)
            index = index_items(v, kind, keys) if kind != "atomic" else None
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
    """What a write did to an object, as three field sets (typed.Comparison). `shared`: the
    compared values are stored objects (never changed in place), so what was derived from one
    of them may be remembered by its identity (engine/shared_diff.py)."""
    __slots__ = ("added", "modified", "removed", "shared")

    def __init__(self, shared: bool = False):
        self.added: dict = {}
        self.modified: dict = {}
        self.removed: dict = {}
        self.shared = shared

    def changed(self) -> dict:
        return union(union(self.added, self.modified), self.removed)

    def empty(self) -> bool:
        return not (self.added or self.modified or self.removed)


def compare(old: dict | None, new: dict, shape: Shape, *, skip: tuple = (), shared: bool = False) -> Changes:
    """Compare two objects; `old=None` compares with the kind's zero value (a create). Top-level
    fields in `skip` are left out (the ones a write's endpoint never owns: no point walking them).
    `shared=True`: both are objects the store keeps as they are (old stored, new about to be), so
    the sets of their parts may be remembered by identity (engine/shared_diff.py)."""
    ch = Changes(shared)
    if skip:
        new = {k: v for k, v in new.items() if k not in skip}
        if old is not None:
            old = {k: v for k, v in old.items() if k not in skip}
    if old is None:
        ch.added = _create_set(new, shape)
    else:
        _cmp_map(old, new, "", shape, ch)
    return ch


_SPEC_SETS: Memo[dict] = Memo(257)


def _create_set(obj: dict, shape: Shape) -> dict:
    """_whole for a created object, the spec's set remembered by its text: a ReplicaSet's pods
    (or a DaemonSet's) all carry the same spec."""
    spec = obj.get("spec")
    if type(spec) is not dict or not spec:
        return _whole(obj, "", shape, True)
    key = (shape.group, shape.kind, repr(spec))
    node = _SPEC_SETS.get(key)
    if node is None:
        node = _SPEC_SETS.put(key, _whole({"spec": spec}, "", shape, True)["f:spec"])
    rest = _whole({k: v for k, v in obj.items() if k != "spec"}, "", shape, True)
    return interned([*rest.items(), ("f:spec", node)])


def _whole(m: dict, path: str, shape: Shape, zero: bool = False, dot: bool = False) -> dict:
    """The interned set of every field of a map that was not there before: nodes marked '.'
    (but for those a kind's zero value holds, on a create)."""
    items = [(".", LEAF)] if dot else []
    for k, v in m.items():
        t = type(v)
        if t is dict:
            p = subpath(path, k)
            if not v or shape.atomic_map(p):
                items.append((fkey(k), LEAF))
            else:
                items.append((fkey(k), _whole(v, p, shape, zero, not (zero and p in SSA_ONLY["zero_present"]))))
        elif t is list:
            p = subpath(path, k)
            items.append((fkey(k), _list_subtree(v, p, shape, not (zero and p in SSA_ONLY["zero_present"]))))
        else:
            items.append((fkey(k), LEAF))
    return interned(items)


def _subtree(v, p: str, shape: Shape, present: bool) -> dict:
    if type(v) is dict:
        if not v or shape.atomic_map(p):
            return LEAF
        return _whole(v, p, shape, False, not present)
    if type(v) is list:
        return _list_subtree(v, p, shape, not present)
    return LEAF


def _shared_subtree(v, p: str, shape: Shape, present: bool) -> dict:
    """_subtree of a stored part, its list items' sets remembered by identity (shared_diff)."""
    if type(v) is list:
        kind, keys = shape.list_type(p)
        index = index_items(v, kind, keys) if kind != "atomic" and v else None
        if index is None:
            return LEAF
        items = [] if present else [(".", LEAF)]
        whole = shape.atomic_items(p)
        for ik, item in index.items():
            items.append((ik, shared_diff.added_node(item, p, shape, _item_subtree)
                          if type(item) is dict and not whole else LEAF))
        return interned(items)
    return _subtree(v, p, shape, present)


def _list_subtree(v: list, p: str, shape: Shape, dot: bool) -> dict:
    kind, keys = shape.list_type(p)
    index = index_items(v, kind, keys) if kind != "atomic" and v else None
    if index is None:
        return LEAF
    items = [(".", LEAF)] if dot else []
    whole = shape.atomic_items(p)
    for ik, item in index.items():
        items.append((ik, _whole(item, p, shape, False, True) if type(item) is dict and not whole else LEAF))
    return interned(items)


def _cmp_map(a: dict, b: dict, path: str, shape: Shape, ch: Changes) -> None:
    for k, bv in b.items():
        av = a.get(k, MISSING)
        if av is bv:
            continue
        if av is MISSING:
            if isinstance(bv, (dict, list)):
                p = subpath(path, k)
                ch.added[fkey(k)] = (shared_diff.added_node(bv, p, shape, _shared_subtree) if ch.shared
                                     else _subtree(bv, p, shape, False))
            else:
                ch.added[fkey(k)] = LEAF
            continue
        if av == bv:
            continue
        _cmp_value(av, bv, fkey(k), subpath(path, k), shape, ch)
    if len(a) > len(b) or any(k not in b for k in a):
        for k, av in a.items():
            if k not in b:
                p = subpath(path, k) if isinstance(av, (dict, list)) else ""
                ch.removed[fkey(k)] = _subtree(av, p, shape, False)


def _cmp_value(av, bv, key: str, p: str, shape: Shape, ch: Changes) -> None:
    """av != bv, both present."""
    if isinstance(av, dict) and isinstance(bv, dict) and (av or bv) and not shape.atomic_map(p):
        sub = Changes(ch.shared)
        _cmp_map(av, bv, p, shape, sub)
        _attach(ch, key, sub)
        return
    if isinstance(av, list) and isinstance(bv, list) and (av or bv):
        if shape.list_type(p)[0] != "atomic":
            lsub: Changes | None = (shared_diff.list_changes(av, bv, p, shape, _cmp_list) if ch.shared
                                    else _cmp_list(av, bv, p, shape, False))
            if lsub is not None:
                _attach(ch, key, lsub)
                return
    ch.modified[key] = {}


def _cmp_list(av: list, bv: list, p: str, shape: Shape, shared: bool) -> Changes | None:
    """The changes between two set or map lists (item by item); None when an item has no key
    (the list is then compared as a whole)."""
    kind, keys = shape.list_type(p)
    ai, bi = index_items(av, kind, keys), index_items(bv, kind, keys)
    if ai is None or bi is None:
        return None
    sub = Changes(shared)
    whole = shape.atomic_items(p)
    for ik, item in bi.items():
        old = ai.get(ik, MISSING)
        if old is MISSING:
            if isinstance(item, dict) and not whole:
                sub.added[ik] = (shared_diff.added_node(item, p, shape, _item_subtree) if shared
                                 else _item_node(item, p, shape))
            else:
                sub.added[ik] = {}
        elif old is not item and old != item and isinstance(item, dict) and isinstance(old, dict):
            if whole:
                sub.modified[ik] = {}
                continue
            if shared:
                isub = shared_diff.item_changes(old, item, p, shape, _cmp_map, Changes)
            else:
                isub = Changes()
                _cmp_map(old, item, p, shape, isub)
            _attach(sub, ik, isub)
    for ik, item in ai.items():
        if ik not in bi:
            sub.removed[ik] = _item_node(item, p, shape) if isinstance(item, dict) and not whole else {}
    return sub


def _item_node(item: dict, p: str, shape: Shape) -> dict:
    return _whole(item, p, shape, False, True)


def _item_subtree(item: dict, p: str, shape: Shape, present: bool) -> dict:
    return _whole(item, p, shape, False, True)


def _attach(ch: Changes, key: str, sub: Changes) -> None:
    if sub.added:
        ch.added[key] = sub.added
    if sub.modified:
        ch.modified[key] = sub.modified
    if sub.removed:
        ch.removed[key] = sub.removed


# ---- merging an apply configuration (typed.Merge with ruleKeepRHS) ----------------------------

def merge(live: dict, config: dict, shape: Shape) -> dict:
    return _merge_map(live, config, "", shape)


def _merge_map(lhs: dict, rhs: dict, path: str, shape: Shape) -> dict:
    out = dict(lhs)
    for k, rv in rhs.items():
        if rv is None:
            out.pop(k, None)       # an applied null: the field is owned, and unset
            continue
        lv = lhs.get(k, MISSING)
        out[k] = rv if lv is MISSING else _merge_value(lv, rv, subpath(path, k), shape)
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
    lpes = [item_key(x, kind, keys) for x in lhs]
    rpes = [item_key(x, kind, keys) for x in rhs]
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
        lc, rc = lobs.get(pe, MISSING), robs.get(pe, MISSING)
        if lc is MISSING:
            return rc
        if rc is MISSING:
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
        if is_member(dn) and kn is None:
            new = MISSING                         # the whole field goes
        elif len(dn) > (1 if "." in dn else 0):
            new = _prune_value(v, kids_of(dn), kids_of(kn or {}), subpath(path, name), shape)
            if new is v:
                continue
            if isinstance(new, (dict, list)) and not new and not kn:
                new = MISSING
        else:
            continue
        if out is None:
            out = dict(m)
        if new is MISSING:
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
            ik = item_key(item, kind, keys)
            dn = drop.get(ik) if ik else None
            if dn is None:
                out.append(item)
                continue
            kn = keep.get(ik)
            if is_member(dn) and kn is None:
                changed = True
                continue
            if isinstance(item, dict) and len(dn) > 1:
                new = _prune_map(item, kids_of(dn), kids_of(kn or {}), p, shape)
                changed = changed or new is not item
                out.append(new)
            else:
                out.append(item)
        return out if changed else v
    return v
