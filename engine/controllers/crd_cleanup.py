"""The CustomResourceDefinition finalizer (apiextensions-apiserver's finalizer controller): a
deleted CRD keeps its `customresourcecleanup.apiextensions.k8s.io` finalizer while its custom
objects are deleted; once none is left the finalizer goes, and the CRD with it (its kind then
stops being served: engine/crd/definitions.py)."""
from __future__ import annotations

from .. import errors, objects, resources as kinds
from ..crd import admission as crd_admission
from ..crd import definitions
from ..loop import Controller, Result, own_key


class CRDCleanupController(Controller):
    name = "crd-finalizer-controller"

    def handlers(self):
        return {kinds.CRD.name: own_key}

    def reconcile(self, key: str) -> Result | None:
        _, name = objects.split_key(key)
        crd = self.store.try_get(kinds.CRD, "", name)
        if crd is None or not objects.is_terminating(crd):
            return None
        if definitions.FINALIZER not in (crd["metadata"].get("finalizers") or ()):
            return None
        now = objects.iso(self.clock.now())
        rt = kinds.lookup(str(definitions.spec_of(crd).get("group", "")), str(definitions.names_of(crd).get("plural", "")))
        left = list(self.store.iter(rt)) if rt is not None and kinds.is_custom(rt) else []
        if left and rt is not None:
            marked = crd_admission.mark_terminating(crd, now, "InstanceDeletionInProgress",
                                                    "CustomResource deletion is in progress")
            if marked != crd:
                self.store.update(marked, subresource="status", sync=False)
            for obj in left:
                if objects.is_terminating(obj):
                    continue
                try:
                    self.store.delete(rt, objects.namespace_of(obj), objects.name_of(obj), sync=False)
                except errors.NotFound:
                    pass
            remaining = list(self.store.iter(rt))
            if remaining:
                # objects held by their own finalizers: look again shortly
                return Result(1.0)
        crd = self.store.get(kinds.CRD, "", name)
        new = objects.clone(crd)
        new["metadata"]["finalizers"] = [f for f in new["metadata"].get("finalizers") or ()
                                         if f != definitions.FINALIZER]
        self.store.update(new, sync=False)
        self.decide(key, f"CustomResourceDefinition {name}: its objects are deleted → removing the "
                         f"{definitions.FINALIZER} finalizer", action="delete")
        return None
