"""StatefulSet controller (k/k pkg/controller/statefulset: stateful_set.go,
stateful_set_control.go, stateful_set_utils.go, stateful_pod_control.go; history from
pkg/controller/history).

Reading order: labels and event texts → pod helpers → the controller: handlers, reconcile, and
the upstream steps it takes in order (claim revisions and pods, pick current/update revisions,
create/delete/update pods one ordinal at a time, write status, trim history). What it shares
with the DaemonSet controller lives beside it: ControllerRevision history in history.py,
adoption and release in claiming.py, pod readiness in engine/pod_conditions.py.

What a learner sees, as on a real cluster:
- pods are named `<sts>-<ordinal>` (from `spec.ordinals.start`), carry `controller-revision-hash`
  (the ControllerRevision *name*), `statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index`,
  and get `hostname` = pod name, `subdomain` = `serviceName`;
- OrderedReady creates ordinal 0, 1, 2… each only when every predecessor is Running and Ready (and
  available for minReadySeconds), deletes from the highest ordinal down, one at a time, each only once
  its successor is gone, and stops while any pod is unhealthy; Parallel creates/deletes all at once;
- RollingUpdate deletes the highest ordinal not at the update revision (≥ partition), one at a time,
  waiting for each replacement to be Running and Ready; OnDelete waits for the user to delete pods;
- a pod stuck Terminating (e.g. on a failed node) keeps its name, so its replacement waits until the
  object is really gone;
- each `volumeClaimTemplates` entry gives every pod a claim `<template>-<sts>-<ordinal>`
  (`www-web-0`), created before the pod (stateful_set_claims.py) and named in the pod's volumes; the
  claims outlive their pods, so a replacement pod finds its predecessor's claim again
  (`persistentVolumeClaimRetentionPolicy` Delete hands them to the set or the condemned pod instead).

Revision hashes use FNV over kubeplay's canonical JSON of the template, so they have the upstream
shape (`web-` + 10 safe characters) but need not equal the hash a real cluster computes for the
same YAML.
"""
from __future__ import annotations

import re
from typing import Iterable

from .. import errors, objects, resources as kinds
from ..events import NORMAL, WARNING
from ..pod_conditions import is_pod_available, is_pod_ready, phase_of
from ..selectors import label_selector_matcher
from ..store import WatchEvent
from ..intstr import int_or_percent
from ..loop import Controller, Result, own_key, owner_key, quiet_write
from . import stateful_set_claims
from .claiming import OrphanIndex, claim, foreign_controlled, orphan_owner_keys
from .history import (HISTORY_HASH_LABEL, REVISION_LABEL, hash_revision_data, revision_sort_key,
                      template_from_patch, template_patch)

# k8s.io/api apps/v1 types.go
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"       # StatefulSetPodNameLabel
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"            # PodIndexLabel (feature PodIndexLabel, on by default)

MAX_BATCH = 500                                              # MaxBatchSize (Parallel slow-start batches)


# ---- pod helpers (stateful_set_utils.go, pkg/api/v1/pod) -------------------------------------------

_ORDINAL_RE = re.compile(r"^(.*)-([0-9]+)$")


def parent_and_ordinal(pod: dict) -> tuple[str, int]:
    m = _ORDINAL_RE.match(objects.name_of(pod))
    if not m:
        return "", -1
    ordinal = int(m.group(2))
    return m.group(1), (ordinal if ordinal < 2 ** 31 else -1)


def ordinal_of(pod: dict) -> int:
    return parent_and_ordinal(pod)[1]


def is_created(pod: dict) -> bool:
    return phase_of(pod) != ""


def is_running_and_ready(pod: dict) -> bool:
    return phase_of(pod) == "Running" and is_pod_ready(pod)


def is_healthy(pod: dict) -> bool:
    return is_running_and_ready(pod) and not objects.is_terminating(pod)


def pod_revision(pod: dict) -> str:
    return objects.labels_of(pod).get(REVISION_LABEL, "")


class _Spec:
    """A StatefulSet's spec with the apiserver defaults filled in (k/k pkg/apis/apps/v1/defaults.go),
    so the controller behaves the same whether or not admission has defaulted the object."""

    def __init__(self, sts: dict):
        spec = sts.get("spec") or {}
        self.replicas = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
        self.selector = spec.get("selector")
        self.template = spec.get("template") or {}
        self.service_name = spec.get("serviceName") or ""
        self.parallel = spec.get("podManagementPolicy") == "Parallel"
        strategy = spec.get("updateStrategy") or {}
        self.strategy = strategy.get("type") or "RollingUpdate"
        rolling = strategy.get("rollingUpdate")
        if rolling is None and self.strategy == "RollingUpdate":
            rolling = {"partition": 0}
        self.rolling = rolling
        self.partition = int((rolling or {}).get("partition") or 0)
        self.max_unavailable = (rolling or {}).get("maxUnavailable")
        self.history_limit = int(spec.get("revisionHistoryLimit", 10) if spec.get("revisionHistoryLimit") is not None else 10)
        self.min_ready = int(spec.get("minReadySeconds") or 0)
        self.start = int(((spec.get("ordinals") or {}).get("start")) or 0)

    @property
    def end(self) -> int:
        return self.start + self.replicas - 1


class StatefulSetController(Controller):
    name = "statefulset-controller"

    def __init__(self, ctx):
        super().__init__(ctx)
        self._by_owner = owner_key("StatefulSet")
        self._last_wait: dict[str, str] = {}      # key -> the last "waiting" decision, to log changes only
        self._orphan_pods, self._orphan_revisions = OrphanIndex(), OrphanIndex()

    # ---- handlers: events → keys ---------------------------------------------------------------

    def handlers(self):
        return {kinds.STATEFULSET.name: own_key,
                kinds.POD.name: self._pod_keys,
                kinds.CONTROLLERREVISION.name: self._revision_keys}

    def _pod_keys(self, ev: WatchEvent) -> Iterable[str]:
        self._orphan_pods.observe(ev)
        return self._owner_or_adopter_keys(ev)

    def _revision_keys(self, ev: WatchEvent) -> Iterable[str]:
        self._orphan_revisions.observe(ev)
        return self._owner_or_adopter_keys(ev)

    def _owner_or_adopter_keys(self, ev: WatchEvent) -> Iterable[str]:
        if foreign_controlled(ev, "StatefulSet"):
            return ()
        keys = set(self._by_owner(ev))
        if not keys and ev.type != "DELETED" and objects.controller_of(ev.object) is None:
            keys |= orphan_owner_keys(self.store, kinds.STATEFULSET, ev.object)   # someone may adopt it
        return keys

    # ---- reconcile -----------------------------------------------------------------------------

    def reconcile(self, key: str) -> Result | None:
        ns, name = objects.split_key(key)
        sts = self.store.try_get(kinds.STATEFULSET, ns, name)
        if sts is None:
            self._last_wait.pop(key, None)
            return None
        spec = _Spec(sts)
        if spec.selector is None:
            return None                      # invalid selector: nothing a retry can fix
        match = label_selector_matcher(spec.selector)

        revisions = sorted(claim(self, sts, kinds.CONTROLLERREVISION, self._orphan_revisions, match),
                           key=revision_sort_key)
        pods = claim(self, sts, kinds.POD, self._orphan_pods, match,
                     member=lambda p: parent_and_ordinal(p)[0] == name)   # isMemberOf

        current, update, collisions = self._get_revisions(sts, spec, revisions)
        status = self._update_pods(key, sts, spec, current, update, collisions, pods)
        self._write_status(key, sts, spec, status)
        self._truncate_history(sts, spec, pods, revisions, current, update)

        if spec.min_ready > 0 and status["availableReplicas"] != spec.replicas:
            return Result(float(spec.min_ready))     # look again when a pod may have become available
        return None

    # ---- revisions (getStatefulSetRevisions) --------------------------------------------------

    def _get_revisions(self, sts: dict, spec: _Spec, revisions: list[dict]) -> tuple[dict, dict, int]:
        status = sts.get("status") or {}
        collisions = int(status.get("collisionCount") or 0)
        data = template_patch(spec.template)
        next_number = int(revisions[-1].get("revision") or 0) + 1 if revisions else 1
        equal = [cr for cr in revisions if cr.get("data") == data]
        if equal and objects.name_of(equal[-1]) == objects.name_of(revisions[-1]):
            update = revisions[-1]                           # the template has not changed
        elif equal:
            # A return to an older template (a rollback): that revision becomes the newest.
            cr = objects.clone(equal[-1])
            cr["revision"] = next_number
            update = self.store.update(cr, sync=False)
            self.decide(objects.key_of(sts), f"StatefulSet {objects.key_of(sts)}: template matches revision "
                        f"{objects.name_of(cr)} → reusing it as revision {next_number}", action="reuse-revision")
        else:
            update, collisions = self._create_revision(sts, data, next_number, collisions)
        current = next((cr for cr in revisions if objects.name_of(cr) == status.get("currentRevision")), None)
        return current or update, update, collisions

    def _create_revision(self, sts: dict, data: dict, number: int, collisions: int) -> tuple[dict, int]:
        """history.CreateControllerRevision: name `<sts>-<hash>`; a name taken by different data bumps
        the collision count and tries the next hash."""
        labels = dict(objects.labels_of(self._template_of(sts)))
        annotations = dict(objects.meta(sts).get("annotations") or {})
        while True:
            h = hash_revision_data(data, collisions)
            name = f"{objects.name_of(sts)[:223]}-{h}"
            cr: dict = {"apiVersion": "apps/v1", "kind": "ControllerRevision",
                  "metadata": {"name": name, "namespace": objects.namespace_of(sts),
                               "labels": dict(labels, **{HISTORY_HASH_LABEL: h}),
                               "ownerReferences": [objects.controller_ref(sts)]},
                  "data": data, "revision": number}
            if annotations:
                cr["metadata"]["annotations"] = annotations
            try:
                made = self.store.create(cr, sync=False)
            except errors.AlreadyExists:
                existing = self.store.try_get(kinds.CONTROLLERREVISION, objects.namespace_of(sts), name)
                if existing is not None and existing.get("data") == data:
                    return existing, collisions
                collisions += 1
                continue
            self.decide(objects.key_of(sts), f"StatefulSet {objects.key_of(sts)}: new pod template → "
                        f"ControllerRevision {name} (revision {number})", action="create-revision")
            return made, collisions

    @staticmethod
    def _template_of(sts: dict) -> dict:
        return (sts.get("spec") or {}).get("template") or {}

    # ---- pods (updateStatefulSet) -------------------------------------------------------------

    def _update_pods(self, key: str, sts: dict, spec: _Spec, current: dict, update: dict,
                     collisions: int, pods: list[dict]) -> dict:
        current_tpl = template_from_patch(current.get("data"))
        update_tpl = template_from_patch(update.get("data"))
        status = {"observedGeneration": objects.meta(sts).get("generation", 1),
                  "currentRevision": objects.name_of(current), "updateRevision": objects.name_of(update),
                  "collisionCount": collisions}

        slots: list[dict | None] = [None] * spec.replicas
        condemned: list[dict] = []
        for pod in pods:
            ordinal = ordinal_of(pod)
            if spec.start <= ordinal <= spec.end:
                slots[ordinal - spec.start] = pod
            elif ordinal >= 0:
                condemned.append(pod)
        replicas: list[dict] = [
            pod if pod is not None else
            self._new_pod(sts, spec, current_tpl, update_tpl, current, update, spec.start + i)
            for i, pod in enumerate(slots)]
        condemned.sort(key=ordinal_of, reverse=True)

        first_unhealthy = next((p for p in replicas if not is_healthy(p)), None)
        if first_unhealthy is None:
            first_unhealthy = next((p for p in reversed(condemned) if not is_healthy(p)), None)

        def finish(adjust_current: int = 0) -> dict:
            status.update(self._count(spec, current, update, replicas + condemned))
            status["currentReplicas"] += adjust_current
            return status

        if objects.is_terminating(sts):
            return finish()                 # being deleted: only status

        monotonic = not spec.parallel
        now = self.clock.now()

        # 1. Every ordinal in range: create what is missing, replace what failed. (A failed write
        #    raises: the engine requeues the key with backoff, as upstream returns the error.)
        for i in range(len(replicas)):
            stop = self._process_replica(key, sts, spec, monotonic, replicas, i, now)
            if stop and monotonic:
                return finish()

        # 2. Scale down, highest ordinal first (monotonic: one at a time, waiting for each to go).
        for i in range(len(condemned)):
            stop = self._process_condemned(key, sts, spec, monotonic, condemned, i, first_unhealthy, now)
            if stop and monotonic:
                return finish()

        if spec.strategy == "OnDelete":
            return finish()                 # pods move to the new template only when deleted by hand

        # 3. Rolling update: the highest ordinal (≥ partition) not at the update revision goes first.
        update_name = objects.name_of(update)
        if spec.max_unavailable is not None:
            return finish(-self._rolling_update_max_unavailable(key, sts, spec, replicas, update_name))
        for target in range(len(replicas) - 1, spec.partition - 1, -1):
            pod = replicas[target]
            if pod_revision(pod) != update_name and not objects.is_terminating(pod):
                self._note(key, "rolling-update",
                           f"StatefulSet {key}: {objects.name_of(pod)} runs revision {pod_revision(pod) or '(none)'}, "
                           f"update revision is {update_name} → deleting {objects.name_of(pod)} "
                           f"(highest ordinal first{self._partition_text(spec)})")
                self._delete_pod(sts, pod)
                return finish(-1)
            if not is_healthy(pod):
                self._wait(key, f"StatefulSet {key}: rolling update waits for {objects.name_of(pod)} "
                                f"to be Running and Ready")
                return finish()
        return finish()

    def _process_replica(self, key, sts, spec, monotonic, replicas, i, now) -> bool:
        """processReplica. Returns True when a monotonic set must stop here for this pass."""
        pod = replicas[i]
        pname = objects.name_of(pod)
        if phase_of(pod) in ("Failed", "Succeeded"):
            if not objects.is_terminating(pod):
                self._note(key, "delete-pod", f"StatefulSet {key}: {pname} is {phase_of(pod)} → deleting it "
                                              f"so it is recreated")
                self._delete_pod(sts, pod)
            return True
        if not is_created(pod):
            if monotonic:
                preds = [objects.name_of(p) for p in replicas[:i]]
                why = f"{', '.join(preds)} Running and Ready" if preds else "lowest ordinal"
                self._note(key, "create-pod", f"StatefulSet {key}: {pname} missing ({why}) → creating {pname}")
            else:
                self._note(key, "create-pod", f"StatefulSet {key}: {pname} missing → creating {pname} "
                                              f"(Parallel: no waiting for other pods)")
            self._create_pod(sts, pod)
            return monotonic                  # OrderedReady: one pod per pass, then wait for it
        if monotonic:
            if objects.is_terminating(pod):
                self._wait(key, f"StatefulSet {key}: waiting for {pname} to finish terminating "
                                f"(its name must be free before ordinal {ordinal_of(pod)} is recreated)")
                return True
            if not is_running_and_ready(pod):
                self._wait(key, f"StatefulSet {key}: waiting for {pname} to be Running and Ready "
                                f"(OrderedReady: no further pods until it is)")
                return True
            if not is_pod_available(pod, spec.min_ready, now):
                self._wait(key, f"StatefulSet {key}: waiting for {pname} to be available "
                                f"(Ready for minReadySeconds={spec.min_ready})")
                return True
        if not objects.is_terminating(pod):
            self._fix_identity(key, sts, spec, pod)
        return False

    def _process_condemned(self, key, sts, spec, monotonic, condemned, i, first_unhealthy, now) -> bool:
        """processCondemned. Returns True when a monotonic set must stop here for this pass."""
        pod = condemned[i]
        pname = objects.name_of(pod)
        if objects.is_terminating(pod):
            if monotonic:
                self._wait(key, f"StatefulSet {key}: scale down waits for {pname} to terminate "
                                f"(OrderedReady: one pod at a time, highest ordinal first)")
            return monotonic
        if monotonic and pod is not first_unhealthy and (
                not is_running_and_ready(pod) or not is_pod_available(pod, spec.min_ready, now)):
            self._wait(key, f"StatefulSet {key}: scale down waits for "
                            f"{objects.name_of(first_unhealthy) if first_unhealthy else pname} to be Running and Ready")
            return True
        self._note(key, "delete-pod", f"StatefulSet {key}: replicas={spec.replicas}, {pname} is beyond "
                                      f"ordinal {spec.end} → deleting {pname}"
                                      + (" (highest ordinal first)" if monotonic else " (Parallel)"))
        stateful_set_claims.hand_claims_to_condemned_pod(self.store, sts, pod)
        self._delete_pod(sts, pod)
        return True

    def _rolling_update_max_unavailable(self, key, sts, spec, replicas, update_name) -> int:
        """updateStatefulSetAfterInvariantEstablished (MaxUnavailableStatefulSet): delete up to
        maxUnavailable − unavailable old pods, highest ordinal first. Returns how many it deleted."""
        max_unavailable = max(1, int_or_percent(spec.max_unavailable, spec.replicas, False))
        unavailable = sum(1 for p in replicas if not is_healthy(p))
        if unavailable >= max_unavailable:
            self._wait(key, f"StatefulSet {key}: rolling update waits: {unavailable} pod(s) unavailable, "
                            f"maxUnavailable {max_unavailable}")
            return 0
        deleted = 0
        for target in range(len(replicas) - 1, spec.partition - 1, -1):
            if deleted >= max_unavailable - unavailable:
                break
            pod = replicas[target]
            if pod_revision(pod) != update_name and not objects.is_terminating(pod):
                self._note(key, "rolling-update", f"StatefulSet {key}: {objects.name_of(pod)} is not at {update_name} "
                                                  f"→ deleting it (maxUnavailable {max_unavailable})")
                self._delete_pod(sts, pod)
                deleted += 1
        return deleted

    @staticmethod
    def _partition_text(spec: _Spec) -> str:
        return f", partition {spec.partition}" if spec.partition else ""

    # ---- pod construction and the pod "client" (stateful_pod_control.go) -----------------------

    def _new_pod(self, sts, spec, current_tpl, update_tpl, current, update, ordinal) -> dict:
        """newVersionedStatefulSetPod: ordinals below the partition get the current revision."""
        status = sts.get("status") or {}
        use_current = ((spec.strategy == "RollingUpdate" and spec.rolling is None
                        and ordinal < spec.start + int(status.get("currentReplicas") or 0))
                       or (spec.rolling is not None and ordinal < spec.start + spec.partition))
        tpl, rev = (current_tpl, current) if use_current else (update_tpl, update)
        md_tpl = tpl.get("metadata") or {}
        name = f"{objects.name_of(sts)}-{ordinal}"
        labels = dict(md_tpl.get("labels") or {})
        labels[POD_NAME_LABEL] = name
        labels[POD_INDEX_LABEL] = str(ordinal)
        labels[REVISION_LABEL] = objects.name_of(rev)
        md = {"name": name, "namespace": objects.namespace_of(sts), "labels": labels,
              "ownerReferences": [objects.controller_ref(sts)]}
        if md_tpl.get("annotations"):
            md["annotations"] = dict(md_tpl["annotations"])
        if md_tpl.get("finalizers"):
            md["finalizers"] = list(md_tpl["finalizers"])
        pod_spec = objects.clone(tpl.get("spec") or {})
        stateful_set_claims.update_storage(sts, pod_spec, ordinal)
        pod_spec["hostname"] = name
        if spec.service_name:
            pod_spec["subdomain"] = spec.service_name
        return {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": pod_spec, "status": {}}

    def _create_pod(self, sts: dict, pod: dict) -> dict:
        body = {k: v for k, v in pod.items() if k != "status"}
        # createPersistentVolumeClaims: the pod's claims first; while one cannot be had, the pod is
        # not created (reported, and retried with the queue's backoff).
        claim_errs = stateful_set_claims.create_missing_claims(self.store, self.recorder, self.name, sts, pod)
        if claim_errs:
            message = stateful_set_claims.aggregate(claim_errs)
            self._event(sts, WARNING, "FailedCreate",
                        f"create Pod {objects.name_of(pod)} in StatefulSet {objects.name_of(sts)} failed error: {message}")
            raise errors.Conflict(kinds.PERSISTENTVOLUMECLAIM.name, "", message)
        try:
            made = self.store.create(body, sync=False)
        except errors.AlreadyExists:
            raise                             # sunk without an event, as upstream; the next pass sees it
        except errors.ApiError as e:
            self._event(sts, WARNING, "FailedCreate",
                        f"create Pod {objects.name_of(pod)} in StatefulSet {objects.name_of(sts)} failed error: {e}")
            raise
        self._event(sts, NORMAL, "SuccessfulCreate",
                    f"create Pod {objects.name_of(pod)} in StatefulSet {objects.name_of(sts)} successful")
        return made

    def _delete_pod(self, sts: dict, pod: dict) -> None:
        try:
            self.store.delete(kinds.POD, objects.namespace_of(pod), objects.name_of(pod), sync=False,
                              preconditions={"uid": objects.uid_of(pod)})
        except errors.NotFound:
            return
        except errors.ApiError as e:
            self._event(sts, WARNING, "FailedDelete",
                        f"delete Pod {objects.name_of(pod)} in StatefulSet {objects.name_of(sts)} failed error: {e}")
            raise
        self._event(sts, NORMAL, "SuccessfulDelete",
                    f"delete Pod {objects.name_of(pod)} in StatefulSet {objects.name_of(sts)} successful")

    def _fix_identity(self, key: str, sts: dict, spec: _Spec, pod: dict) -> None:
        """identityMatches / UpdateStatefulPod: restore the pod-name (and pod-index) labels if a user
        removed them."""
        ordinal = ordinal_of(pod)
        labels = objects.labels_of(pod)
        if labels.get(POD_NAME_LABEL) == objects.name_of(pod) and labels.get(POD_INDEX_LABEL) == str(ordinal):
            return
        fixed = objects.clone(pod)
        fixed["metadata"].setdefault("labels", {})
        fixed["metadata"]["labels"][POD_NAME_LABEL] = objects.name_of(pod)
        fixed["metadata"]["labels"][POD_INDEX_LABEL] = str(ordinal)
        try:
            self.store.update(fixed, sync=False)
        except errors.ApiError as e:
            self._event(sts, WARNING, "FailedUpdate",
                        f"update Pod {objects.name_of(pod)} in StatefulSet {objects.name_of(sts)} failed error: {e}")
            raise
        self._note(key, "update-pod", f"StatefulSet {key}: {objects.name_of(pod)} lost its identity labels → restoring them")
        self._event(sts, NORMAL, "SuccessfulUpdate",
                    f"update Pod {objects.name_of(pod)} in StatefulSet {objects.name_of(sts)} successful")

    def _event(self, sts: dict, etype: str, reason: str, message: str) -> None:
        self.recorder.event(sts, etype, reason, message, component=self.name)

    # ---- status (computeReplicaStatus, completeRollingUpdate, inconsistentStatus) ---------------

    def _count(self, spec: _Spec, current: dict, update: dict, pods: list[dict]) -> dict:
        now = self.clock.now()
        c = {"replicas": 0, "readyReplicas": 0, "availableReplicas": 0,
             "currentReplicas": 0, "updatedReplicas": 0}
        cur, upd = objects.name_of(current), objects.name_of(update)
        for pod in pods:
            if is_created(pod):
                c["replicas"] += 1
            if is_running_and_ready(pod):
                c["readyReplicas"] += 1
                if is_pod_available(pod, spec.min_ready, now):
                    c["availableReplicas"] += 1
            if is_created(pod) and not objects.is_terminating(pod):
                if pod_revision(pod) == cur:
                    c["currentReplicas"] += 1
                if pod_revision(pod) == upd:
                    c["updatedReplicas"] += 1
        return c

    def _write_status(self, key: str, sts: dict, spec: _Spec, status: dict) -> None:
        if (spec.strategy == "RollingUpdate" and status["updatedReplicas"] == spec.replicas
                and status["readyReplicas"] == spec.replicas and status["replicas"] == spec.replicas):
            status["currentReplicas"] = status["updatedReplicas"]
            status["currentRevision"] = status["updateRevision"]
        # StatefulSetStatus JSON: replicas and availableReplicas always; the rest omitempty;
        # collisionCount is a pointer the controller always sets.
        rendered = {}
        for field in ("observedGeneration", "replicas", "readyReplicas", "currentReplicas", "updatedReplicas",
                      "currentRevision", "updateRevision", "collisionCount", "availableReplicas"):
            v = status.get(field)
            if field in ("replicas", "availableReplicas", "collisionCount") or v:
                rendered[field] = v
        old = sts.get("status") or {}
        if rendered == old:
            return
        new = objects.clone(sts)
        new["status"] = rendered
        self.store.update(new, subresource="status", sync=False)
        if old.get("currentRevision") and old.get("currentRevision") != rendered.get("currentRevision"):
            self._note(key, "rollout-complete", f"StatefulSet {key}: every pod runs {rendered['currentRevision']} "
                                                f"→ it is now the current revision")

    # ---- history (truncateHistory) ------------------------------------------------------------

    def _truncate_history(self, sts, spec, pods, revisions, current, update) -> None:
        live = {objects.name_of(current), objects.name_of(update)} | {pod_revision(p) for p in pods}
        old = [cr for cr in revisions if objects.name_of(cr) not in live]
        excess = len(old) - spec.history_limit
        for cr in old[:max(0, excess)]:
            quiet_write(self.store.delete, kinds.CONTROLLERREVISION, objects.namespace_of(cr), objects.name_of(cr), sync=False)

    # ---- the reconcile log --------------------------------------------------------------------

    def _note(self, key: str, action: str, message: str) -> None:
        self._last_wait.pop(key, None)
        self.decide(key, message, action=action)

    def _wait(self, key: str, message: str) -> None:
        if self._last_wait.get(key) != message:
            self._last_wait[key] = message
            self.decide(key, message, action="wait")
