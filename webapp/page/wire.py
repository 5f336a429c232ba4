"""The page stream's objects as JSON text, each state written once (webapp/page/stream.py).

A page that opens on a 10,000-pod cluster is sent every object (~30 MB of JSON); serialising
them took the stream's thread ~1 s of CPU on a loaded machine (bench/README.md). Most of those
states were serialised already: every open page's stream sent them as watch events when they
were written, and a reload or a second page sends the same states again. So the text of each
state is kept, keyed by what identifies a state: the store, kind, uid and resourceVersion (a
write always gives a new resourceVersion; stored objects are never changed in place). Events are
not kept (see object_text). One state is kept per object — a new state's text replaces the
one before, which only a stream that fell behind would still send — and the MAX_ENTRIES most
recently used objects are kept: a snapshot touches every current object, so the texts it needs
are the ones kept. (Keeping the newest states whatever their object, as before, let a 10,000-pod
scale-up's intermediate states — ~4 a pod — push out the early pods' final ones: a page opened
after it serialised about half the pods again, bench/README.md "The first draw after a
scale-up".) ~3 KB a pod, so the cache holds up to ~60 MB at 20,000 objects and little while the
cluster is small.

    text = wire.object_text(obj, scope)   # the object as the page gets it (managedFields dropped);
                                          # scope: the store it came from (states of one store)
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict

MAX_ENTRIES = 20_000

_cache: OrderedDict[tuple[int, str, str, str], str] = OrderedDict()
_state_of: dict[tuple[int, str, str], str] = {}     # (scope, kind, uid) -> the resourceVersion kept
_lock = threading.Lock()


def dumps(msg) -> str:
    """JSON text as the stream sends it (compact; anything else, such as a datetime, as str)."""
    return json.dumps(msg, separators=(",", ":"), default=str)


def slim(obj: dict) -> dict:
    """The object as the page needs it: managedFields dropped (never mutate the stored dict)."""
    md = obj.get("metadata") or {}
    if "managedFields" not in md:
        return obj
    out = dict(obj)
    out["metadata"] = {k: v for k, v in md.items() if k != "managedFields"}
    return out


def object_text(obj: dict, scope: int = 0) -> str:
    """`dumps(slim(obj))`, written once per state of an object (see the module docstring).
    `scope` tells stores apart (tests run many clusters in one process, and an object copied
    from one store to another may keep its uid): the id of the store the object is from."""
    md = obj.get("metadata") or {}
    uid, rv = md.get("uid"), md.get("resourceVersion")
    if not uid or not rv or obj.get("kind") == "Event":
        # Events: written once and never changed, most sent once per page; a 10,000-pod scale-up
        # makes ~60,000 of them, and keeping them would push out the pods a reload needs.
        return dumps(slim(obj))
    ident = (scope, str(obj.get("kind")), str(uid))
    key = (*ident, str(rv))
    with _lock:
        text = _cache.get(key)
        if text is not None:
            _cache.move_to_end(key)
            return text
    text = dumps(slim(obj))
    with _lock:
        before = _state_of.get(ident)
        if before is not None and before != key[3]:
            _cache.pop((*ident, before), None)
        _cache[key] = text
        _state_of[ident] = key[3]
        while len(_cache) > MAX_ENTRIES:
            (old_scope, old_kind, old_uid, old_rv), _ = _cache.popitem(last=False)
            if _state_of.get((old_scope, old_kind, old_uid)) == old_rv:
                del _state_of[(old_scope, old_kind, old_uid)]
    return text


def clear() -> None:
    """Forget every kept text (tests)."""
    with _lock:
        _cache.clear()
        _state_of.clear()
