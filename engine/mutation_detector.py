"""A cache mutation detector for the store, after client-go's (tools/cache/mutation_detector.go).

The store hands out the stored objects themselves — to every controller, watcher and the page's
stream — so that a read costs nothing; the price is that nobody may change one in place (clone
it, change the copy, write the copy). A controller that forgets mutates what every other
reader sees, without a resourceVersion, a watch event or a trace. Attached to a store, the
detector keeps a fingerprint of every object at the moment it is written; check() compares each
object with its fingerprint and names those that changed since. The engine tests attach one to
every store they make and check it when each test ends (tests/engine/conftest.py).
"""
from __future__ import annotations

import ast

from .store import Store, WatchEvent


class MutationError(AssertionError):
    pass


class MutationDetector:
    def __init__(self) -> None:
        self._seen: list[tuple[dict, str]] = []      # (the stored object, repr at its write)

    def attach(self, store: Store) -> "MutationDetector":
        store.observe_writes(self)
        return self

    def append(self, ev: WatchEvent, /) -> None:
        # repr, not a deep copy: as exact for JSON data and about twice as fast to take.
        self._seen.append((ev.object, repr(ev.object)))

    def check(self) -> None:
        """Raise MutationError naming every object changed in place since it was written."""
        bad = []
        for obj, fingerprint in self._seen:
            if repr(obj) != fingerprint:
                md = obj.get("metadata") or {}
                where = ", ".join(_changed_paths(obj, fingerprint)) or "?"
                bad.append(f"{obj.get('kind')} {md.get('namespace', '')}/{md.get('name')} "
                           f"(resourceVersion {md.get('resourceVersion')}): {where}")
        if bad:
            raise MutationError("stored objects were changed in place (clone before changing):\n  "
                                + "\n  ".join(bad))


def _changed_paths(obj: dict, fingerprint: str) -> list[str]:
    """The top-level fields (and the fields of those that are maps) whose value changed."""
    try:
        before = ast.literal_eval(fingerprint)
    except (ValueError, SyntaxError):
        return []
    out: list[str] = []
    for k in sorted(set(before) | set(obj), key=str):
        if before.get(k) == obj.get(k):
            continue
        a, b = before.get(k), obj.get(k)
        if isinstance(a, dict) and isinstance(b, dict):
            out.extend(f"{k}.{j}" for j in sorted(set(a) | set(b), key=str) if a.get(j) != b.get(j))
        else:
            out.append(k)
    return out
