"""The ResourceQuota controller (k/k pkg/controller/resourcequota): each quota's status.hard is
its spec.hard and status.used what the namespace's objects use of it, recomputed when the quota
or an object it could count changes (upstream's replenishment). Admission refuses what would go
past the limit (engine/admission/resourcequota.py); this keeps what `kubectl describe quota`
shows current."""
from __future__ import annotations

from typing import Iterable

from .. import objects, quota_usage, resources as kinds
from ..loop import Controller, Result, own_key
from ..store import WatchEvent

# Objects no quota here counts (their churn would wake the controller for nothing).
_NOT_COUNTED = {"events", "leases", "endpoints", "endpointslices"}


class ResourceQuotaController(Controller):
    name = "resourcequota-controller"

    def handlers(self):
        out = {rt.name: self._quotas_of_namespace for rt in kinds.all_types()
               if rt.namespaced and rt.name not in _NOT_COUNTED}
        out["resourcequotas"] = self._quota_and_its_neighbours
        return out

    def _quota_and_its_neighbours(self, ev: WatchEvent) -> Iterable[str]:
        # Its own key (a deleted quota's too), and the others', which may count quotas.
        return {*own_key(ev), *self._quotas_of_namespace(ev)}

    def _quotas_of_namespace(self, ev: WatchEvent) -> Iterable[str]:
        ns = objects.namespace_of(ev.object)
        return [objects.key_of(q) for q in self.store.iter(kinds.RESOURCEQUOTA, ns)]

    def reconcile(self, key: str) -> Result | None:
        ns, _, name = key.partition("/")
        quota = self.store.try_get(kinds.RESOURCEQUOTA, ns, name)
        if quota is None or objects.is_terminating(quota):
            return None
        hard = dict((quota.get("spec") or {}).get("hard") or {})
        used = quota_usage.namespace_usage(self.store, ns, hard, self.clock.now(), scoped=quota)
        status = {"hard": hard, "used": {k: quota_usage.as_text(used[k], hard[k]) for k in hard}}
        if not hard:
            status = {}
        if (quota.get("status") or {}) == status:
            return None
        new = dict(quota, status=status)
        self.store.update(new, sync=False, strict=False, subresource="status")
        self.decide(key, f"ResourceQuota {key}: used {quota_usage.pretty(used, hard) or 'nothing'}",
                    action="update-status")
        return None
