"""The serviceaccounts controller (k/k pkg/controller/serviceaccount/serviceaccounts_controller.go):
every active namespace has a `default` ServiceAccount. It is made when the namespace appears,
and made again when someone deletes it. Pods name it implicitly (the ServiceAccount admission
plugin defaults `serviceAccountName` to `default` and refuses a pod whose account is missing)."""
from __future__ import annotations

from typing import Iterable

from .. import errors, objects, resources as kinds
from ..loop import Controller, Result
from ..store import WatchEvent

DEFAULT = "default"


def _namespace_key(ev: WatchEvent) -> Iterable[str]:
    yield objects.name_of(ev.object)


def _deleted_account(ev: WatchEvent) -> Iterable[str]:
    # Only a deletion can take the default account away (serviceAccountDeleted).
    if ev.type == "DELETED" and objects.name_of(ev.object) == DEFAULT:
        yield objects.namespace_of(ev.object)


class ServiceAccountsController(Controller):
    name = "serviceaccount-controller"

    def handlers(self):
        return {"namespaces": _namespace_key, "serviceaccounts": _deleted_account}

    def reconcile(self, key: str) -> Result | None:
        ns = self.store.try_get(kinds.NAMESPACE, "", key)
        if ns is None or (ns.get("status") or {}).get("phase") != "Active" or objects.is_terminating(ns):
            return None                  # nothing is made in a namespace on its way out
        if self.store.try_get(kinds.SERVICEACCOUNT, key, DEFAULT) is not None:
            return None
        try:
            self.store.create({"apiVersion": "v1", "kind": "ServiceAccount",
                               "metadata": {"name": DEFAULT, "namespace": key}}, sync=False)
        except errors.AlreadyExists:
            return None
        except errors.Forbidden:         # the namespace began terminating meanwhile
            return None
        self.decide(key, f"Namespace {key}: no ServiceAccount {DEFAULT} → creating it", action="create-serviceaccount",
                    observed={"default": False}, desired={"default": True})
        return None
