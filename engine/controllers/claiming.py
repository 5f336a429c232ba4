"""Claiming: adoption and release of dependents by their controller (k/k
pkg/controller/controller_ref_manager.go), shared by the StatefulSet and DaemonSet controllers.

An owner claims the objects whose labels its selector matches: orphans that match are adopted
(a controller ownerReference added), owned objects that stopped matching are released."""
from __future__ import annotations

from typing import Callable

from .. import objects, resources as kinds
from ..selectors import label_selector_matcher
from ..store import WatchEvent
from ..loop import Controller, quiet_write


class OrphanIndex:
    """What an informer index gives upstream controllers: the objects of one resource that have no
    controller, by namespace — the only candidates for adoption. Fed from the watch handler."""

    def __init__(self) -> None:
        self._by_ns: dict[str, set[str]] = {}

    def observe(self, ev: WatchEvent) -> None:
        md = ev.object.get("metadata") or {}
        ns, name = md.get("namespace", ""), md.get("name", "")
        if ev.type != "DELETED" and not any(r.get("controller") for r in md.get("ownerReferences") or ()):
            self._by_ns.setdefault(ns, set()).add(name)
            return
        names = self._by_ns.get(ns)
        if names is not None:
            names.discard(name)
            if not names:
                del self._by_ns[ns]

    def names(self, namespace: str) -> list[str]:
        return sorted(self._by_ns.get(namespace, ()))


def foreign_controlled(ev: WatchEvent, kind: str) -> bool:
    """Whether the event's object, and its old version if any, each have a controller of another
    kind than `kind`: then no `kind` owner is woken (loop.owner_key finds none) and none may adopt
    it — the common pod event (a ReplicaSet's pod) for the StatefulSet and DaemonSet handlers."""
    for obj in (ev.object, ev.old):
        if obj is None:
            continue
        for ref in (obj.get("metadata") or {}).get("ownerReferences") or ():
            if ref.get("controller"):
                if ref.get("kind") == kind:
                    return False
                break
        else:
            return False                   # no controller: an orphan, or released
    return True


def claim(ctl: Controller, owner: dict, rt: kinds.ResourceType, orphans: OrphanIndex,
          match: Callable[[dict], bool], member: Callable[[dict], bool] = lambda obj: True) -> list[dict]:
    """ControllerRefManager.ClaimPods / ClaimControllerRevisions: the `rt` objects `owner` controls.
    Owned objects whose labels stop matching (or that fail `member`) are released; orphans that match
    and are not being deleted are adopted. An owner being deleted neither adopts nor releases."""
    uid, ns = objects.uid_of(owner), objects.namespace_of(owner)
    deleting = objects.is_terminating(owner)
    out = []
    for obj in ctl.store.owned_by(uid, rt):
        ref = objects.controller_of(obj)
        if ref is None or ref.get("uid") != uid:
            continue
        if match(objects.labels_of(obj)) and member(obj):
            out.append(obj)
        elif not deleting:
            released = objects.clone(obj)
            released["metadata"]["ownerReferences"] = [
                r for r in released["metadata"].get("ownerReferences") or () if r.get("uid") != uid]
            quiet_write(ctl.store.update, released, sync=False)
    if deleting:
        return out
    for name in orphans.names(ns):
        orphan = ctl.store.try_get(rt, ns, name)
        if (orphan is None or objects.controller_of(orphan) is not None or objects.is_terminating(orphan)
                or not match(objects.labels_of(orphan)) or not member(orphan)):
            continue
        adopted = objects.clone(orphan)
        adopted["metadata"]["ownerReferences"] = (list(adopted["metadata"].get("ownerReferences") or [])
                                                  + [objects.controller_ref(owner)])
        made = quiet_write(ctl.store.update, adopted, sync=False)
        if made is not None:
            ctl.decide(objects.key_of(owner), f"{owner['kind']} {objects.key_of(owner)}: orphan {orphan['kind']} {name} matches "
                                        f"the selector → adopting it (ownerReference added)", action="adopt")
            out.append(made)
    return out


def orphan_owner_keys(store, rt: kinds.ResourceType, obj: dict) -> set[str]:
    """Keys of the `rt` owners in obj's namespace whose selector matches an orphan `obj`."""
    keys = set()
    labels = objects.labels_of(obj)
    for owner in store.iter(rt, objects.namespace_of(obj)):
        if label_selector_matcher((owner.get("spec") or {}).get("selector"))(labels):
            keys.add(objects.key_of(owner))
    return keys
