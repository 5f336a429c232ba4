"""Storage object in-use protection (k/k pkg/controller/volume/pvcprotection and pvprotection).

Admission gives every claim the finalizer `kubernetes.io/pvc-protection` and every volume
`kubernetes.io/pv-protection` (engine/admission/storage.py). A claim being deleted keeps its
finalizer — and stays Terminating — while a pod that has not finished uses it; a volume being
deleted keeps its finalizer while it is Bound. These two loops remove the finalizer once that
is no longer so, and the store then removes the object.
"""
from __future__ import annotations

from typing import Iterable

from .. import objects, resources as kinds, volumes
from ..loop import Controller, Result, quiet_write
from ..store import WatchEvent


def _without(obj: dict, finalizer: str) -> dict:
    new = objects.clone(obj)
    new["metadata"]["finalizers"] = [f for f in new["metadata"].get("finalizers") or () if f != finalizer]
    return new


class PVCProtectionController(Controller):
    name = "pvc-protection-controller"

    def handlers(self):
        return {kinds.PERSISTENTVOLUMECLAIM.name: self._claim_keys, kinds.POD.name: self._pod_keys}

    @staticmethod
    def _claim_keys(ev: WatchEvent) -> Iterable[str]:
        if ev.type != "DELETED" and objects.is_terminating(ev.object):
            yield objects.key_of(ev.object)

    def _pod_keys(self, ev: WatchEvent) -> Iterable[str]:
        # A pod that goes away or finishes may free the claims it used (only those being deleted
        # matter, and they are few).
        pod = ev.object
        if ev.type != "DELETED" and (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
            return ()
        ns = objects.namespace_of(pod)
        out = []
        for claim in volumes.pod_claim_names(pod):
            pvc = self.store.try_get(kinds.PERSISTENTVOLUMECLAIM, ns, claim)
            if pvc is not None and objects.is_terminating(pvc):
                out.append(f"{ns}/{claim}")
        return out

    def reconcile(self, key: str) -> Result | None:
        ns, name = objects.split_key(key)
        pvc = self.store.try_get(kinds.PERSISTENTVOLUMECLAIM, ns, name)
        if pvc is None or not objects.is_terminating(pvc):
            return None
        if volumes.PVC_PROTECTION not in (objects.meta(pvc).get("finalizers") or ()):
            return None
        for pod in self.store.iter(kinds.POD, ns):
            if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                continue
            if name in volumes.pod_claim_names(pod):
                self.decide(key, f"PVC {key} is being deleted but pod {objects.name_of(pod)} uses it → "
                                 f"keeping {volumes.PVC_PROTECTION}", action="wait")
                return None
        quiet_write(self.store.update, _without(pvc, volumes.PVC_PROTECTION), sync=False)
        self.decide(key, f"PVC {key} is being deleted and no pod uses it → removing {volumes.PVC_PROTECTION}",
                    action="remove-finalizer")
        return None


class PVProtectionController(Controller):
    name = "pv-protection-controller"

    def handlers(self):
        return {kinds.PERSISTENTVOLUME.name: self._volume_keys}

    @staticmethod
    def _volume_keys(ev: WatchEvent) -> Iterable[str]:
        if ev.type != "DELETED" and objects.is_terminating(ev.object):
            yield objects.name_of(ev.object)

    def reconcile(self, key: str) -> Result | None:
        pv = self.store.try_get(kinds.PERSISTENTVOLUME, None, key)
        if pv is None or not objects.is_terminating(pv):
            return None
        if volumes.PV_PROTECTION not in (objects.meta(pv).get("finalizers") or ()):
            return None
        if (pv.get("status") or {}).get("phase") == "Bound":
            return None
        quiet_write(self.store.update, _without(pv, volumes.PV_PROTECTION), sync=False)
        self.decide(key, f"PV {key} is being deleted and is not Bound → removing {volumes.PV_PROTECTION}",
                    action="remove-finalizer")
        return None
