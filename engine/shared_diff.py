"""Field sets of stored objects' parts, remembered by the parts' identity.

A status write's managedFields come from comparing the stored object with the new one
(engine/fielddiff.py). Many of the compared parts are one object shared by many pods — the
kubelet's interned conditions (engine/kubelet/pods.py), a node's `status.hostIPs` — so the same
comparison is made again and again: "Ready False at 00:00:00" → "Ready True at 00:00:02" for
every pod of a ReplicaSet that became ready in that second. Stored objects are never changed in
place (the mutation detector checks every engine test), so what was derived from a part holds
as long as that very object does: each entry keeps the objects it was derived from, so their
ids cannot be reused while the entry lives. The tables are bounded (cleared when full), and
only compare(..., shared=True) uses them — status writes of stored objects, where a failed
write cannot leave a caller's dict to be changed and written again with the same identity
(a write whose new object equals the old one makes no comparison of parts at all).

What is remembered is interned (engine/fieldsets.py `canonical`): read-only like every set.
"""
from __future__ import annotations

from .bounded import Memo
from .fieldsets import canonical

_NODES: Memo[tuple] = Memo(50_000)
_PAIRS: Memo[tuple] = Memo(50_000)
# Lists compared item by item, keyed by their items' identities: a pod's conditions list is its
# own, but its items are the kubelet's and the binding's shared dicts (engine/kubelet/pods.py,
# Store.bind), so the pods whose conditions changed alike in one second compare equal lists.
_LISTS: Memo[tuple] = Memo(4096)


def added_node(value, path: str, shape, build) -> dict:
    """build(value, path, shape, False): the set of a part that was not there before."""
    key = (id(value), path, id(shape), build)
    got = _NODES.get(key)
    if got is not None and got[0] is value:
        return got[1]
    node = canonical(build(value, path, shape, False))
    _NODES.put(key, (value, node, shape))
    return node


def item_changes(old: dict, new: dict, path: str, shape, compare_map, changes):
    """compare_map(old, new, path, shape, ch) for two list items, into a new `changes()`."""
    key = (id(old), id(new), path, id(shape))
    got = _PAIRS.get(key)
    if got is not None and got[0] is old and got[1] is new:
        return got[2]
    ch = changes(True)
    compare_map(old, new, path, shape, ch)
    ch.added, ch.modified, ch.removed = canonical(ch.added), canonical(ch.modified), canonical(ch.removed)
    _PAIRS.put(key, (old, new, ch, shape))
    return ch


def list_changes(old: list, new: list, path: str, shape, compare_list):
    """compare_list(old, new, path, shape, True) for two set or map lists: their Changes, or None."""
    key = (path, id(shape), tuple(map(id, old)), tuple(map(id, new)))
    got = _LISTS.get(key)
    if got is not None:
        return got[2]
    ch = compare_list(old, new, path, shape, True)
    if ch is not None:
        ch.added, ch.modified, ch.removed = canonical(ch.added), canonical(ch.modified), canonical(ch.removed)
    # (the lists are kept, so their items — whose ids are the key — stay theirs)
    _LISTS.put(key, (old, new, ch, shape))
    return ch
