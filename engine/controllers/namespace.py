"""Namespace deletion: a Terminating namespace is emptied, then finalized and removed
(k/k pkg/controller/namespace). Creating content inside it meanwhile is Forbidden (store)."""
from __future__ import annotations

from .. import errors, objects as O, resources as R
from ..loop import Controller, Result, own_key


class NamespaceController(Controller):
    name = "namespace-controller"

    def handlers(self):
        return {"namespaces": own_key}

    def reconcile(self, key: str) -> Result | None:
        ns = self.store.try_get(R.NAMESPACE, "", key)
        if ns is None or not O.is_terminating(ns):
            return None
        remaining = 0
        for rt in R.all_types():
            if not rt.namespaced:
                continue
            for obj in self.store.iter(rt, key):
                remaining += 1
                if not O.is_terminating(obj):
                    try:
                        self.store.delete(rt, key, O.name_of(obj), propagation_policy="Background", sync=False)
                    except errors.NotFound:
                        pass
        if remaining:
            self.decide(key, f"Namespace {key}: Terminating, {remaining} object(s) left → deleting them",
                        action="delete-content")
            return Result(1.0)              # look again once pods have finished terminating
        new = O.clone(ns)
        new.setdefault("spec", {})["finalizers"] = []
        self.store.update(new, sync=False, strict=False, subresource="finalize")
        self.decide(key, f"Namespace {key}: empty → removing it", action="finalize")
        return None
