"""Namespace deletion: a Terminating namespace is emptied, then finalized and removed
(k/k pkg/controller/namespace). Creating content inside it meanwhile is Forbidden (store)."""
from __future__ import annotations

from .. import errors, objects, resources as kinds
from ..loop import Controller, Result, own_key


class NamespaceController(Controller):
    name = "namespace-controller"

    def handlers(self):
        return {"namespaces": own_key}

    def reconcile(self, key: str) -> Result | None:
        ns = self.store.try_get(kinds.NAMESPACE, "", key)
        if ns is None or not objects.is_terminating(ns):
            return None
        remaining = 0
        for rt in kinds.all_types():
            if not rt.namespaced:
                continue
            for obj in self.store.iter(rt, key):
                remaining += 1
                if not objects.is_terminating(obj):
                    try:
                        self.store.delete(rt, key, objects.name_of(obj), propagation_policy="Background", sync=False)
                    except errors.NotFound:
                        pass
        if remaining:
            self.decide(key, f"Namespace {key}: Terminating, {remaining} object(s) left → deleting them",
                        action="delete-content")
            return Result(1.0)              # look again once pods have finished terminating
        new = objects.clone(ns)
        new.setdefault("spec", {})["finalizers"] = []
        self.store.update(new, sync=False, strict=False, subresource="finalize")
        self.decide(key, f"Namespace {key}: empty → removing it", action="finalize")
        return None
