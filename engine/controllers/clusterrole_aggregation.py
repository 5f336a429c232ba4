"""The ClusterRole aggregation controller (k/k pkg/controller/clusterroleaggregation, in
kube-controller-manager): a ClusterRole with an `aggregationRule` gets as its rules the rules of
every ClusterRole its selectors match — so `admin`, `edit` and `view` grow when a role labelled
`rbac.authorization.k8s.io/aggregate-to-view: "true"` appears, and shrink when it goes.

Any ClusterRole change may change any aggregated role's sources, so a change enqueues every
aggregated role (upstream's enqueueAll); reconcile rebuilds one role's rules from its sources in
name order, without duplicates, and writes only when they differ."""
from __future__ import annotations

from typing import Iterable

from .. import objects, rbac
from ..loop import Controller, Result
from ..selectors import label_selector_matcher
from ..store import WatchEvent

MANAGER = "clusterrole-aggregation-controller"


class ClusterRoleAggregationController(Controller):
    name = "clusterrole-aggregation-controller"

    def handlers(self):
        return {"clusterroles": self._cluster_role}

    def _cluster_role(self, ev: WatchEvent) -> Iterable[str]:
        for role in self.store.iter(rbac.CLUSTERROLE):
            if isinstance(role.get("aggregationRule"), dict):
                yield objects.name_of(role)

    def reconcile(self, key: str) -> Result | None:
        role = self.store.try_get(rbac.CLUSTERROLE, "", key)
        if role is None or not isinstance(role.get("aggregationRule"), dict):
            return None
        selectors = [label_selector_matcher(s) for s in role["aggregationRule"].get("clusterRoleSelectors") or ()
                     if isinstance(s, dict)]
        sources = sorted((r for r in self.store.iter(rbac.CLUSTERROLE) if objects.name_of(r) != key
                          and any(m((r.get("metadata") or {}).get("labels") or {}) for m in selectors)),
                         key=objects.name_of)
        rules: list[dict] = []
        for source in sources:
            for rule in source.get("rules") or ():
                if rule not in rules:
                    rules.append(rule)
        if rules == (role.get("rules") or []):
            return None
        new = objects.clone(role)
        new["rules"] = [objects.clone(r) for r in rules]
        self.store.update(new, sync=False)
        self.decide(key, f"ClusterRole {key}: aggregates {len(sources)} ClusterRoles → {len(rules)} rules",
                    action="update")
        return None
