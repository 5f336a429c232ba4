"""Garbage collection along ownerReferences (k/k pkg/controller/garbagecollector).

Keys are owner UIDs. For an owner that is gone, dependents whose every owner is gone are
deleted (background cascade) and refs to the gone owner are dropped from the rest. For an owner
being deleted with the `foregroundDeletion` finalizer, dependents are deleted first and the
finalizer removed once none remain; with `orphan`, the refs are stripped and the finalizer removed.
"""
from __future__ import annotations

from typing import Iterable

from .. import errors, objects, resources as kinds
from ..store import WatchEvent
from ..loop import CUSTOM_RESOURCES, Controller, Result

FOREGROUND, ORPHAN = "foregroundDeletion", "orphan"


class GarbageCollector(Controller):
    name = "garbage-collector"

    def __init__(self, ctx):
        super().__init__(ctx)
        self._where: dict[str, tuple[kinds.ResourceType, str, str]] = {}   # uid -> location (graph nodes)

    def handlers(self):
        out = {rt.name: self._on_event for rt in kinds.all_types() if rt is not kinds.EVENT and not kinds.is_custom(rt)}
        out[CUSTOM_RESOURCES] = self._on_event          # custom objects own and are owned too
        return out

    def _on_event(self, ev: WatchEvent) -> Iterable[str]:
        md = ev.object["metadata"]
        uid = md.get("uid", "")
        if ev.type == "MODIFIED" and uid in self._where and not md.get("deletionTimestamp"):
            # The common write (a status, a Lease renewal): the object is where it was, so only a
            # dangling owner reference needs a look — what the general path below returns too.
            refs = md.get("ownerReferences")
            if not refs or (ev.old is not None and ev.old["metadata"].get("ownerReferences") is refs):
                # The same references as the version before (stored objects share unchanged
                # parts): that version's event already queued any dangling owner, and an owner
                # deleted since queues its own key — as upstream's graph builder, which acts on
                # an update only for a change of references or of deletion state.
                return ()
            return [ref.get("uid", "") for ref in refs if ref.get("uid", "") not in self._where]
        keys = []
        if ev.type == "DELETED":
            self._where.pop(uid, None)
            keys.append(uid)                                    # its dependents may be orphaned now
        else:
            self._where[uid] = (ev.resource, md.get("namespace", ""), md["name"])
            fins = md.get("finalizers") or ()
            if md.get("deletionTimestamp") and (FOREGROUND in fins or ORPHAN in fins):
                keys.append(uid)
        for ref in md.get("ownerReferences") or ():
            owner_uid = ref.get("uid", "")
            if owner_uid not in self._where:                   # dangling reference
                keys.append(owner_uid)
            elif ev.type == "DELETED" or md.get("deletionTimestamp"):
                keys.append(owner_uid)                          # a foreground owner may be done
        return keys

    def _owner(self, uid: str) -> dict | None:
        loc = self._where.get(uid)
        if loc is None:
            return None
        obj = self.store.try_get(*loc)
        return obj if obj is not None and objects.uid_of(obj) == uid else None

    def reconcile(self, uid: str) -> Result | None:
        owner = self._owner(uid)
        dependents = self.store.owned_by(uid)
        if owner is None:
            for dep in dependents:
                self._drop_or_delete(dep, uid)
            return None
        fins = owner["metadata"].get("finalizers") or []
        if not owner["metadata"].get("deletionTimestamp"):
            return None
        if ORPHAN in fins:
            for dep in dependents:
                self._remove_ref(dep, uid)
                self.decide(objects.key_of(dep), f"{dep['kind']} {objects.key_of(dep)}: owner {owner['kind']} "
                            f"{objects.name_of(owner)} deleted with orphan → keeping it, removing its ownerReference",
                            action="orphan")
            self._remove_finalizer(owner, ORPHAN)
        elif FOREGROUND in fins:
            blocking = [d for d in dependents if any(r.get("uid") == uid and r.get("blockOwnerDeletion")
                                                    for r in d["metadata"].get("ownerReferences") or ())]
            for dep in dependents:
                if not objects.is_terminating(dep):
                    self._delete(dep, "Foreground", owner)
            if not blocking:
                self._remove_finalizer(owner, FOREGROUND)
        return None

    def _drop_or_delete(self, dep: dict, gone_uid: str) -> None:
        refs = dep["metadata"].get("ownerReferences") or []
        if any(r.get("uid") != gone_uid and self._owner(r.get("uid", "")) is not None for r in refs):
            self._remove_ref(dep, gone_uid)
        elif not objects.is_terminating(dep):
            self._delete(dep, "Background", None)

    def _delete(self, dep: dict, policy: str, owner: dict | None) -> None:
        rt = kinds.of(dep)
        try:
            self.store.delete(rt, objects.namespace_of(dep), objects.name_of(dep), propagation_policy=policy, sync=False)
        except errors.NotFound:
            return
        why = f"owner {owner['kind']} {objects.name_of(owner)} is being deleted (foreground)" if owner else "its owner is gone"
        self.decide(objects.key_of(dep), f"{dep['kind']} {objects.key_of(dep)}: {why} → deleting it", action="delete")

    def _remove_ref(self, dep: dict, uid: str) -> None:
        new = objects.clone(dep)
        refs = [r for r in new["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
        if refs:
            new["metadata"]["ownerReferences"] = refs
        else:
            new["metadata"].pop("ownerReferences", None)
        self.store.update(new, sync=False, strict=False)

    def _remove_finalizer(self, obj: dict, fin: str) -> None:
        new = objects.clone(obj)
        fins = [f for f in new["metadata"].get("finalizers") or [] if f != fin]
        if fins:
            new["metadata"]["finalizers"] = fins
        else:
            new["metadata"].pop("finalizers", None)
        self.store.update(new, sync=False, strict=False)
