"""The disruption controller (k/k pkg/controller/disruption): each PodDisruptionBudget's status —
expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed, the pods an eviction has
marked as about to go (disruptedPods) and the DisruptionAllowed condition — from the pods its
selector matches. Percentages (and maxUnavailable) are scaled by the pods' controllers' replicas
(Deployment through its ReplicaSet, ReplicaSet, StatefulSet), as upstream's getExpectedScale.
The Eviction API (engine/eviction.py) reads this status and refuses what it does not allow."""
from __future__ import annotations

from typing import Iterable

from .. import errors, objects, resources as kinds
from ..disruption import DELETION_TIMEOUT, SYNC_FAILED, ordered_status, set_allowed_condition
from ..events import NORMAL, WARNING
from ..intstr import int_or_percent
from ..loop import Controller, Result, own_key
from ..pod_conditions import is_pod_ready
from ..selectors import label_selector_matcher
from ..store import WatchEvent


class DisruptionController(Controller):
    name = "disruption-controller"

    def handlers(self):
        return {"poddisruptionbudgets": own_key, "pods": self._pdbs_of_pod,
                "deployments": self._pdbs_of_namespace, "replicasets": self._pdbs_of_namespace,
                "statefulsets": self._pdbs_of_namespace}

    def _pdbs_of_pod(self, ev: WatchEvent) -> Iterable[str]:
        ns = objects.namespace_of(ev.object)
        pdbs = self.store.iter(kinds.PODDISRUPTIONBUDGET, ns)
        if not pdbs:
            return ()
        keys = set()
        for obj in (ev.object, ev.old):
            if obj is None:
                continue
            labels = objects.labels_of(obj)
            for pdb in pdbs:
                if label_selector_matcher((pdb.get("spec") or {}).get("selector"))(labels):
                    keys.add(objects.key_of(pdb))
        return keys

    def _pdbs_of_namespace(self, ev: WatchEvent) -> Iterable[str]:
        # A workload's replicas scale its PDBs' percentages (only those with pods matter; the
        # de-duplicating queue makes the rest cheap).
        return [objects.key_of(p) for p in self.store.iter(kinds.PODDISRUPTIONBUDGET, objects.namespace_of(ev.object))]

    # ---- expected pods -------------------------------------------------------------------------

    def _scale_of(self, ref: dict, ns: str) -> tuple[str, int] | None:
        """The finders: the controller (uid, replicas) a pod's controllerRef leads to."""
        kind, name = ref.get("kind"), ref.get("name", "")
        if kind == "ReplicaSet":
            rs = self.store.try_get(kinds.REPLICASET, ns, name)
            if rs is None or objects.uid_of(rs) != ref.get("uid"):
                return None
            owner = objects.controller_of(rs)
            if owner and owner.get("kind") == "Deployment":
                d = self.store.try_get(kinds.DEPLOYMENT, ns, owner.get("name", ""))
                if d is None or objects.uid_of(d) != owner.get("uid"):
                    return None
                return objects.uid_of(d), int((d.get("spec") or {}).get("replicas", 1))
            return objects.uid_of(rs), int((rs.get("spec") or {}).get("replicas", 1))
        if kind == "StatefulSet":
            sts = self.store.try_get(kinds.STATEFULSET, ns, name)
            if sts is None or objects.uid_of(sts) != ref.get("uid"):
                return None
            return objects.uid_of(sts), int((sts.get("spec") or {}).get("replicas", 1))
        return None

    def _expected_scale(self, pods: list[dict], ns: str) -> tuple[int, list[str]]:
        """getExpectedScale: the replicas of every controller of the pods, each counted once."""
        by_ref: dict[str, str] = {}          # the pod's controllerRef uid -> the scaled controller's
        scales: dict[str, int] = {}
        unmanaged: list[str] = []
        for pod in pods:
            ref = objects.controller_of(pod)
            if ref is None:
                unmanaged.append(objects.name_of(pod))
                continue
            if ref.get("uid", "") in by_ref:
                continue
            found = self._scale_of(ref, ns)
            if found is None:
                raise LookupError(f'found no controllers for pod "{objects.name_of(pod)}"')
            by_ref[ref.get("uid", "")] = found[0]
            scales[found[0]] = found[1]
        return sum(scales.values()), unmanaged

    def _expected(self, pdb: dict, pods: list[dict], ns: str) -> tuple[int, int, list[str]]:
        spec = pdb.get("spec") or {}
        max_un, min_av = spec.get("maxUnavailable"), spec.get("minAvailable")
        if max_un is not None:
            expected, unmanaged = self._expected_scale(pods, ns)
            desired = max(0, expected - int_or_percent(max_un, expected, True))
            return expected, desired, unmanaged
        if min_av is not None:
            if isinstance(min_av, int):
                return len(pods), min_av, []
            expected, unmanaged = self._expected_scale(pods, ns)
            return expected, int_or_percent(min_av, expected, True), unmanaged
        return 0, 0, []

    # ---- reconcile -----------------------------------------------------------------------------

    def reconcile(self, key: str) -> Result | None:
        ns, _, name = key.partition("/")
        pdb = self.store.try_get(kinds.PODDISRUPTIONBUDGET, ns, name)
        if pdb is None or objects.is_terminating(pdb):
            return None
        spec, old = pdb.get("spec") or {}, pdb.get("status") or {}
        generation = objects.meta(pdb).get("generation", 1)
        first_look = old.get("observedGeneration") != generation
        match = label_selector_matcher(spec.get("selector"))
        pods = [p for p in self.store.iter(kinds.POD, ns) if match(objects.labels_of(p))]
        if not pods and first_look:
            self.recorder.event(pdb, NORMAL, "NoPods", "No matching pods found", component=self.name)
        try:
            expected, desired, unmanaged = self._expected(pdb, pods, ns)
        except LookupError as e:
            if first_look:
                self.recorder.event(pdb, WARNING, "CalculateExpectedPodCountFailed",
                                    f"Failed to calculate the number of expected pods: {e}", component=self.name)
            return self._fail_safe(pdb, str(e))
        if unmanaged and first_look:
            self.recorder.event(pdb, WARNING, "UnmanagedPods",
                                f"Pods selected by this PodDisruptionBudget (selector: {_selector_text(spec.get('selector'))}) "
                                "were found to be unmanaged. As a result, the status of the PDB cannot be calculated "
                                "correctly, which may result in undefined behavior. To account for these pods please "
                                'set ".spec.minAvailable" field of the PDB to an integer value.', component=self.name)
        now = self.clock.now()
        disrupted, recheck = self._disrupted(pdb, pods, now)
        healthy = sum(1 for p in pods if not objects.is_terminating(p)
                      and objects.name_of(p) not in disrupted and is_pod_ready(p))
        allowed = healthy - desired
        if expected <= 0 or allowed <= 0:
            allowed = 0
        status: dict = {"observedGeneration": generation, "disruptedPods": disrupted,
                        "disruptionsAllowed": allowed, "currentHealthy": healthy, "desiredHealthy": desired,
                        "expectedPods": expected, "conditions": old.get("conditions") or []}
        set_allowed_condition(status, generation, self.now_iso())
        status = ordered_status(status)
        result = None if recheck is None else Result(max(0.0, recheck - now))
        if status == old:
            return result
        self.store.update(dict(pdb, status=status), sync=False, strict=False, subresource="status")
        self.decide(key, f"PodDisruptionBudget {key}: {healthy} healthy of {expected} expected, "
                         f"{desired} desired → {allowed} disruption(s) allowed",
                    action="update-status", observed=healthy, desired=desired)
        return result

    def _disrupted(self, pdb: dict, pods: list[dict], now: float) -> tuple[dict, float | None]:
        """buildDisruptedPodMap: evictions not yet followed by a delete, for DELETION_TIMEOUT."""
        marked = (pdb.get("status") or {}).get("disruptedPods") or {}
        out: dict = {}
        recheck = None
        if not marked:
            return out, recheck
        for pod in pods:
            pname = objects.name_of(pod)
            if objects.is_terminating(pod) or pname not in marked:
                continue
            expected_deletion = (objects.parse_time(marked[pname]) or now) + DELETION_TIMEOUT
            if expected_deletion <= now:      # (upstream: Before(now); our clock may stand still)
                self.recorder.event(pod, WARNING, "NotDeleted",
                                    f"Pod was expected by PDB {objects.namespace_of(pdb)}/{objects.namespace_of(pdb)} "
                                    "to be deleted but it wasn't", component=self.name)
            else:
                out[pname] = marked[pname]
                recheck = expected_deletion if recheck is None else min(recheck, expected_deletion)
        return out, recheck

    def _fail_safe(self, pdb: dict, message: str) -> Result:
        """failSafe: no disruption allowed while the status cannot be computed."""
        status = dict(pdb.get("status") or {}, disruptionsAllowed=0)
        # (the status stays at the generation it last described, and so does the condition)
        set_allowed_condition(status, status.get("observedGeneration", 0), self.now_iso(), reason=SYNC_FAILED,
                              message=message)
        if status != pdb.get("status"):
            try:
                self.store.update(dict(pdb, status=status), sync=False, strict=False, subresource="status")
            except errors.Conflict:
                pass
        return Result(30.0)


def _selector_text(sel: dict | None) -> str:
    """The selector as Go's %v prints a *metav1.LabelSelector: &LabelSelector{...}."""
    sel = sel or {}
    ml = ",".join(f"{k}: {v}" for k, v in sorted((sel.get("matchLabels") or {}).items()))
    exprs = ",".join(f"LabelSelectorRequirement{{Key:{e.get('key')},Operator:{e.get('operator')},"
                     f"Values:[{' '.join(e.get('values') or [])}],}}" for e in sel.get("matchExpressions") or [])
    return f"&LabelSelector{{MatchLabels:map[string]string{{{ml},}},MatchExpressions:[]LabelSelectorRequirement{{{exprs}}},}}"
