"""The tokens controller (k/k pkg/controller/serviceaccount/tokens_controller.go): a Secret of
type `kubernetes.io/service-account-token` naming a ServiceAccount (annotation
`kubernetes.io/service-account.name`) gets the account's uid annotation and its data filled in —
`token` (a long-lived JWT, engine/tokens.py) and `namespace`; `ca.crt` only where the controller
manager has a root CA, which this one has not. A token Secret whose account does not exist (or
has another uid) is deleted, as upstream deletes it, and so are an account's token Secrets when
the account goes."""
from __future__ import annotations

import base64
from typing import Iterable

from .. import errors, objects, resources as kinds, tokens
from ..loop import Controller, Result
from ..store import WatchEvent

TOKEN_TYPE = "kubernetes.io/service-account-token"
NAME_KEY = "kubernetes.io/service-account.name"
UID_KEY = "kubernetes.io/service-account.uid"


def _annotations(obj: dict) -> dict:
    return (obj.get("metadata") or {}).get("annotations") or {}


class TokensController(Controller):
    name = "serviceaccount-token-controller"

    def handlers(self):
        return {"secrets": self._on_secret, "serviceaccounts": self._on_account}

    @staticmethod
    def _on_secret(ev: WatchEvent) -> Iterable[str]:
        if ev.type != "DELETED" and ev.object.get("type") == TOKEN_TYPE:
            yield objects.key_of(ev.object)

    def _on_account(self, ev: WatchEvent) -> Iterable[str]:
        ns, name = objects.namespace_of(ev.object), objects.name_of(ev.object)
        for s in self.store.iter(kinds.SECRET, ns):
            if s.get("type") == TOKEN_TYPE and _annotations(s).get(NAME_KEY) == name:
                yield objects.key_of(s)

    def reconcile(self, key: str) -> Result | None:
        ns, name = objects.split_key(key)
        secret = self.store.try_get(kinds.SECRET, ns, name)
        if secret is None or secret.get("type") != TOKEN_TYPE or objects.is_terminating(secret):
            return None
        ann = _annotations(secret)
        sa = self.store.try_get(kinds.SERVICEACCOUNT, ns, ann.get(NAME_KEY) or "")
        if sa is None or (ann.get(UID_KEY) and ann[UID_KEY] != objects.uid_of(sa)):
            try:
                self.store.delete(kinds.SECRET, ns, name, sync=False, preconditions={"uid": objects.uid_of(secret)})
            except (errors.NotFound, errors.Conflict):
                return None
            self.decide(key, f"Secret {key}: its ServiceAccount {ann.get(NAME_KEY)} does not exist → deleting the token",
                        action="delete-token", observed={"serviceaccount": False}, desired={"exists": False})
            return None
        data = secret.get("data") or {}
        if ann.get(UID_KEY) and data.get("token") and data.get("namespace"):
            return None
        new = objects.clone(secret)
        new["metadata"].setdefault("annotations", {})[UID_KEY] = objects.uid_of(sa)
        filled = dict(data)
        if not filled.get("token"):
            filled["token"] = base64.b64encode(tokens.legacy(sa, name).encode()).decode()
        filled["namespace"] = base64.b64encode(ns.encode()).decode()
        new["data"] = dict(sorted(filled.items()))
        self.store.update(new, sync=False)
        self.decide(key, f"Secret {key}: token for ServiceAccount {objects.name_of(sa)} → filled in", action="fill-token",
                    observed={"token": bool(data.get("token"))}, desired={"token": True})
        return None
