"""Equal parts of stored pods made one object (issue 16: memory at 100,000 pods).

Stored objects are never changed in place (the mutation detector checks every engine test), so
parts that are equal in many pods can be one object without anyone seeing a difference: the
pods of one template carry equal labels, ownerReferences, tolerations and container resources,
each a deep copy made by admission (which must give each pod its own spec while its plugins
fill it in). Once admission is done and the pod is about to be stored, those parts are swapped
for an equal one already stored — ~1.6 KB a pod.

Keys are the parts' repr (order and types included: {"a": 1, "b": 2} and {"b": 2, "a": 1} are
different JSON, so different parts; so are 1 and True). The table is bounded (cleared when full);
a part not found is remembered as it is.
"""
from __future__ import annotations

from .bounded import Memo

_PARTS: Memo[object] = Memo(20_000)


def _shared(kind: str, value):
    key = (kind, repr(value))
    got = _PARTS.get(key)
    if got is None:
        got = _PARTS.put(key, value)
    return got


def share_pod(pod: dict) -> None:
    """Swap a pod's (not yet stored) sharable parts for equal stored ones, in place."""
    md = pod.get("metadata")
    if type(md) is dict:
        for k in ("labels", "ownerReferences"):
            v = md.get(k)
            if v:
                md[k] = _shared(k, v)
    spec = pod.get("spec")
    if type(spec) is not dict:
        return
    tol = spec.get("tolerations")
    if tol:
        spec["tolerations"] = _shared("tolerations", tol)
    for field in ("containers", "initContainers"):
        for c in spec.get(field) or ():
            if type(c) is dict and type(c.get("resources")) is dict:
                c["resources"] = _shared("resources", c["resources"])
