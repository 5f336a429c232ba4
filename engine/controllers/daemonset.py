"""DaemonSet controller (k/k pkg/controller/daemon: daemon_controller.go, update.go,
util/daemonset_util.go; pod events from pkg/controller/controller_utils.go RealPodControl).

Reading order: constants and the automatic tolerations → node eligibility (node affinity, taints)
→ the controller: handlers, reconcile, then upstream's steps in order — construct history, `manage`
(one pod per eligible node, delete pods on nodes that no longer qualify), the rolling update, history
cleanup, status.

What a learner sees, as on a real cluster:
- one pod per node whose labels match the template's `nodeSelector`/required node affinity and whose
  NoSchedule/NoExecute taints the pod tolerates — counting the tolerations the controller adds to
  every DaemonSet pod (not-ready/unreachable NoExecute forever; disk-, memory-, pid-pressure and
  unschedulable NoSchedule; network-unavailable for hostNetwork pods). So DaemonSet pods run on
  cordoned nodes and stay on failed ones;
- pods are `<ds>-<5 chars>` with `controller-revision-hash`, and a required node affinity
  `matchFields metadata.name In [<node>]` that the ordinary scheduler honours to bind them;
- a node added (or newly eligible) gets a pod; a node that stops qualifying loses it;
- RollingUpdate replaces old pods node by node within maxUnavailable (default 1) or, with maxSurge,
  starts the new pod before deleting the old one; OnDelete waits for manual deletes.

A pod bound to a Node object that no longer exists is left to the pod garbage collector (in
kubeplay, the node lifecycle controller's PodGC pass), as upstream; only never-scheduled pods aimed at
a missing node are deleted here.
Revision hashes use FNV over kubeplay's canonical JSON of the template (upstream hashes a Go dump of
the struct), so they have the upstream shape but not the same value.
"""
from __future__ import annotations

import struct
from typing import Iterable

from .. import errors, objects, resources as kinds
from ..events import NORMAL, WARNING
from ..intstr import int_or_percent
from ..node_predicates import required_node_affinity_matches, untolerated_taint
from ..pod_conditions import is_pod_available, is_pod_ready, phase_of
from ..selectors import label_selector_matcher
from ..store import WatchEvent
from ..loop import Controller, Result, TerminalError, own_key, owner_key
from .claiming import OrphanIndex, claim, foreign_controlled, orphan_owner_keys
from .history import REVISION_LABEL, fnv32a, go_json, template_patch

TEMPLATE_GENERATION_LABEL = "pod-template-generation"                     # extensions DaemonSetTemplateGenerationKey
TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation"
BURST_REPLICAS = 250                                                       # creates/deletes per sync
FAILED_POD_BACKOFF = (1.0, 15 * 60.0)                                      # failedPodsBackoff initial, max

NOT_READY, UNREACHABLE = "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"

# util.AddOrUpdateDaemonPodTolerations, in upstream order.
DAEMON_TOLERATIONS = (
    {"key": NOT_READY, "operator": "Exists", "effect": "NoExecute"},
    {"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
)
HOST_NETWORK_TOLERATION = {"key": "node.kubernetes.io/network-unavailable", "operator": "Exists",
                           "effect": "NoSchedule"}


# ---- pod template helpers ------------------------------------------------------------------------

def add_daemon_tolerations(pod_spec: dict) -> None:
    """AddOrUpdateDaemonPodTolerations / AddOrUpdateTolerationInPodSpec: append each automatic
    toleration unless an identical one is there."""
    tols = pod_spec.setdefault("tolerations", [])
    extra = list(DAEMON_TOLERATIONS) + ([HOST_NETWORK_TOLERATION] if pod_spec.get("hostNetwork") else [])
    for t in extra:
        if not any(_same_toleration(t, have) for have in tols):
            tols.append(dict(t))


def _same_toleration(a: dict, b: dict) -> bool:
    """Toleration.MatchToleration: same key, operator, value and effect."""
    return all((a.get(k) or "") == (b.get(k) or "") for k in ("key", "operator", "value", "effect"))


def node_name_affinity(affinity: dict | None, node: str) -> dict:
    """ReplaceDaemonSetPodNodeNameNodeAffinity: pin the pod to `node` with a required matchFields
    term, replacing any required nodeSelectorTerms (preferred terms stay)."""
    term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}
    affinity = objects.clone(affinity) if affinity else {}
    na = affinity.setdefault("nodeAffinity", {})
    req = na.setdefault("requiredDuringSchedulingIgnoredDuringExecution", {})
    req["nodeSelectorTerms"] = [term]
    return affinity


def target_node(pod: dict) -> str | None:
    """util.GetTargetNodeName: spec.nodeName, else the node in the pod's matchFields affinity."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return spec["nodeName"]
    req = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
           .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    for term in req.get("nodeSelectorTerms") or ():
        for exp in term.get("matchFields") or ():
            if exp.get("key") == "metadata.name" and exp.get("operator") == "In":
                vals = exp.get("values") or []
                return vals[0] if len(vals) == 1 else None
    return None


def compute_hash(template: dict, collision_count: int | None) -> str:
    """controller.ComputeHash: FNV-1a of the template, then the collision count (uint32 LE)."""
    raw = go_json(template or {})
    if collision_count is not None:
        raw += struct.pack("<I", int(collision_count) & 0xFFFFFFFF)
    return objects.safe_encode(str(fnv32a(raw)))


# ---- node eligibility (NodeShouldRunDaemonPod) -----------------------------------------------------

def fits_node_affinity(pod_spec: dict, node: dict) -> bool:
    return required_node_affinity_matches(pod_spec, objects.labels_of(node), objects.name_of(node))


def daemon_pod_spec(ds: dict, node_name: str) -> dict:
    """NewPod: the template's spec with nodeName set and the automatic tolerations added."""
    spec = objects.clone(((ds.get("spec") or {}).get("template") or {}).get("spec") or {})
    spec["nodeName"] = node_name
    add_daemon_tolerations(spec)
    return spec


def node_should_run(node: dict, ds: dict) -> tuple[bool, bool, str]:
    """NodeShouldRunDaemonPod → (shouldRun, shouldContinueRunning, why-not in words)."""
    tpl_spec = ((ds.get("spec") or {}).get("template") or {}).get("spec") or {}
    node_name = objects.name_of(node)
    if tpl_spec.get("nodeName") and tpl_spec["nodeName"] != node_name:
        return False, False, f"the template names node {tpl_spec['nodeName']}"
    pod_spec = daemon_pod_spec(ds, node_name)
    if not fits_node_affinity(pod_spec, node):
        return False, False, "it does not match the pod's node selector/affinity"
    taints = (node.get("spec") or {}).get("taints") or []
    taint = untolerated_taint(taints, pod_spec.get("tolerations"), ("NoSchedule", "NoExecute"))
    if taint is not None:
        noexec = untolerated_taint(taints, pod_spec.get("tolerations"), ("NoExecute",))
        return False, noexec is None, f"the pod does not tolerate its taint {_taint_text(taint)}"
    return True, True, ""


def _taint_text(taint: dict) -> str:
    v = taint.get("value")
    return f"{taint.get('key')}{'=' + v if v else ''}:{taint.get('effect')}"


def _pod_order(pod: dict):
    """podByCreationTimestampAndPhase: scheduled first, then oldest, then by name."""
    return (0 if (pod.get("spec") or {}).get("nodeName") else 1,
            objects.meta(pod).get("creationTimestamp") or "", objects.name_of(pod))


def _is_terminal(pod: dict) -> bool:
    return phase_of(pod) in ("Succeeded", "Failed")


# ---- the controller -----------------------------------------------------------------------------

class _Spec:
    """A DaemonSet's spec with apiserver defaults (k/k pkg/apis/apps/v1/defaults.go)."""

    def __init__(self, ds: dict):
        spec = ds.get("spec") or {}
        self.selector = spec.get("selector")
        self.template = spec.get("template") or {}
        strategy = spec.get("updateStrategy") or {}
        self.strategy = strategy.get("type") or "RollingUpdate"
        rolling = strategy.get("rollingUpdate") or {}
        self.max_unavailable = rolling.get("maxUnavailable", 1) if self.strategy == "RollingUpdate" else 1
        self.max_surge = rolling.get("maxSurge", 0) if self.strategy == "RollingUpdate" else 0
        self.min_ready = int(spec.get("minReadySeconds") or 0)
        limit = spec.get("revisionHistoryLimit")
        self.history_limit = int(limit) if limit is not None else 10


class DaemonSetController(Controller):
    name = "daemonset-controller"

    def __init__(self, ctx):
        super().__init__(ctx)
        self._by_owner = owner_key("DaemonSet")
        self._backoff: dict[str, tuple[float, float]] = {}     # failed-pod key -> (delay, last)
        self._orphans = {kinds.POD.name: OrphanIndex(), kinds.CONTROLLERREVISION.name: OrphanIndex()}

    # ---- handlers ------------------------------------------------------------------------------

    def handlers(self):
        return {kinds.DAEMONSET.name: own_key,
                kinds.POD.name: self._owned_or_orphan_keys,
                kinds.CONTROLLERREVISION.name: self._owned_or_orphan_keys,
                kinds.NODE.name: self._node_keys}

    def _owned_or_orphan_keys(self, ev: WatchEvent) -> Iterable[str]:
        self._orphans[ev.resource.name].observe(ev)
        if foreign_controlled(ev, "DaemonSet"):
            return ()
        keys = set(self._by_owner(ev))
        if not keys and ev.type != "DELETED" and objects.controller_of(ev.object) is None:
            keys |= orphan_owner_keys(self.store, kinds.DAEMONSET, ev.object)
        return keys

    def _node_keys(self, ev: WatchEvent) -> Iterable[str]:
        if ev.type == "MODIFIED" and ev.old is not None:
            # shouldIgnoreNodeUpdate: only labels and taints decide eligibility (heartbeats don't).
            if (objects.labels_of(ev.old) == objects.labels_of(ev.object)
                    and (ev.old.get("spec") or {}).get("taints") == (ev.object.get("spec") or {}).get("taints")):
                return ()
        return [objects.key_of(ds) for ds in self.store.iter(kinds.DAEMONSET)]

    # ---- reconcile (syncDaemonSet) ---------------------------------------------------------------

    def reconcile(self, key: str) -> Result | None:
        ns, name = objects.split_key(key)
        ds = self.store.try_get(kinds.DAEMONSET, ns, name)
        if ds is None:
            return None
        spec = _Spec(ds)
        if spec.selector is None:
            return None
        if spec.selector == {}:
            raise TerminalError(ds, "SelectingAll",
                                "This daemon set is selecting all pods. A non-empty selector is required.")
        if objects.is_terminating(ds):
            return None
        match = label_selector_matcher(spec.selector)
        nodes = sorted(self.store.iter(kinds.NODE), key=objects.name_of)

        cur, old = self._construct_history(ds, spec, match)
        if cur is None:
            return None                         # collision count bumped: the status write requeues us
        hash_ = objects.labels_of(cur).get(REVISION_LABEL, "")

        requeue: list[float] = []
        changed = self._manage(key, ds, spec, match, nodes, hash_, requeue)
        if not changed and spec.strategy == "RollingUpdate":
            # Upstream rolls only once the creates/deletes of `manage` have been observed.
            self._rolling_update(key, ds, spec, match, nodes, hash_)
        self._cleanup_history(ds, spec, match, old)
        ready, available = self._update_status(key, ds, spec, match, nodes, hash_)
        if spec.min_ready > 0 and ready != available:
            requeue.append(float(spec.min_ready))
        return Result(min(requeue)) if requeue else None

    # ---- pods by node --------------------------------------------------------------------------

    def _nodes_to_pods(self, ds: dict, match, include_deleted_terminal: bool = False) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for pod in self._claim_pods(ds, match):
            if not include_deleted_terminal and _is_terminal(pod) and objects.is_terminating(pod):
                continue
            node = target_node(pod)
            if node is None:
                continue
            out.setdefault(node, []).append(pod)
        return out

    def _claim_pods(self, ds: dict, match) -> list[dict]:
        return claim(self, ds, kinds.POD, self._orphans[kinds.POD.name], match)

    # ---- manage ----------------------------------------------------------------------------------

    def _manage(self, key, ds, spec, match, nodes, hash_, requeue: list[float]) -> bool:
        """One pod per eligible node. Returns True if any pod was created or deleted."""
        by_node = self._nodes_to_pods(ds, match)
        create_on: list[str] = []
        delete: list[tuple[dict, str]] = []      # (pod, why)
        now = self.clock.now()
        for node in nodes:
            nname = objects.name_of(node)
            should_run, should_continue, why_not = node_should_run(node, ds)
            pods = by_node.get(nname)
            if should_run and not pods:
                create_on.append(nname)
            elif should_continue:
                running = []
                for pod in pods or ():
                    if objects.is_terminating(pod):
                        continue
                    if phase_of(pod) == "Failed":
                        bkey = f"{objects.uid_of(ds)}/{(ds.get('status') or {}).get('observedGeneration', 0)}/{nname}"
                        delay, last = self._backoff.get(bkey, (0.0, -1e18))
                        if delay and now - last < delay:
                            requeue.append(delay - (now - last))
                            continue
                        nxt = min(FAILED_POD_BACKOFF[1], delay * 2) if delay else FAILED_POD_BACKOFF[0]
                        self._backoff[bkey] = (nxt, now)
                        self.recorder.event(ds, WARNING, "FailedDaemonPod",
                                            f"Found failed daemon pod {objects.namespace_of(pod)}/{objects.name_of(pod)} on node "
                                            f"{nname}, will try to kill it", component=self.name)
                        delete.append((pod, f"it failed on {nname}"))
                    elif phase_of(pod) == "Succeeded":
                        self.recorder.event(ds, NORMAL, "SucceededDaemonPod",
                                            f"Found succeeded daemon pod {objects.namespace_of(pod)}/{objects.name_of(pod)} on node "
                                            f"{nname}, will try to delete it", component=self.name)
                        delete.append((pod, f"it exited on {nname}"))
                    else:
                        running.append(pod)
                delete += self._excess(ds, spec, running, hash_, should_run, nname, create_on)
            elif pods:
                for pod in pods:
                    if not objects.is_terminating(pod):
                        delete.append((pod, f"{nname} no longer qualifies: {why_not}"))

        # getUnscheduledPodsWithoutNode: pods never bound to a node that no longer exists (bound ones
        # are the pod garbage collector's).
        names = {objects.name_of(n) for n in nodes}
        for nname, pods in by_node.items():
            if nname not in names:
                delete += [(p, f"node {nname} does not exist") for p in pods
                           if not (p.get("spec") or {}).get("nodeName")]

        return self._sync_nodes(key, ds, delete, create_on, hash_)

    def _excess(self, ds, spec, running, hash_, should_run, nname, create_on) -> list[tuple[dict, str]]:
        """The shouldContinueRunning branch of podsShouldBeOnNode for pods still running."""
        out = []
        surge = int_or_percent(spec.max_surge, 1, True) > 0 if spec.strategy == "RollingUpdate" else False
        running = sorted(running, key=_pod_order)
        if not surge:
            for pod in running[1:]:
                out.append((pod, f"{nname} has more than one daemon pod"))
            return out
        if len(running) <= 1:
            if not running and should_run:
                create_on.append(nname)
            return out
        newest_new = oldest_old = None
        for pod in running:
            if objects.labels_of(pod).get(REVISION_LABEL) == hash_:
                if newest_new is None:
                    newest_new = pod
                    continue
            elif oldest_old is None:
                oldest_old = pod
                continue
            out.append((pod, f"{nname} has more than one daemon pod"))
        if newest_new is not None and oldest_old is not None:
            if not is_pod_ready(oldest_old):
                out.append((oldest_old, f"the old pod on {nname} is not ready; the new one replaces it"))
            elif is_pod_available(newest_new, spec.min_ready, self.clock.now()):
                out.append((oldest_old, f"the new pod on {nname} is available → the old one goes"))
        return out

    def _sync_nodes(self, key, ds, delete: list[tuple[dict, str]], create_on: list[str], hash_) -> bool:
        """syncNodes: create pods on `create_on`, delete `delete` (at most BurstReplicas of each)."""
        changed = False
        tpl = self._pod_template(ds, hash_)
        for nname in create_on[:BURST_REPLICAS]:
            pod = objects.clone(tpl)
            pod["spec"]["affinity"] = node_name_affinity(pod["spec"].get("affinity"), nname)
            try:
                made = self.store.create(pod, sync=False)
            except errors.ApiError as e:
                if "because it is being terminated" in str(e):
                    return changed              # namespace going away: nothing more to do
                self.recorder.event(ds, WARNING, "FailedCreate", f"Error creating: {e}", component=self.name)
                raise
            changed = True
            self.decide(key, f"DaemonSet {key}: node {nname} should run a pod and has none → "
                             f"created {objects.name_of(made)} (pinned to {nname} by node affinity)", action="create-pod")
            self.recorder.event(ds, NORMAL, "SuccessfulCreate", f"Created pod: {objects.name_of(made)}",
                                component=self.name)
        for pod, why in delete[:BURST_REPLICAS]:
            if self._delete_pod(ds, pod):
                changed = True
                self.decide(key, f"DaemonSet {key}: {why} → deleted {objects.name_of(pod)}", action="delete-pod")
        return changed

    def _pod_template(self, ds: dict, hash_: str) -> dict:
        """util.CreatePodTemplate + GetPodFromTemplate: labels with the revision hash (and template
        generation), the automatic tolerations, a controller ownerReference and generateName."""
        tpl = (ds.get("spec") or {}).get("template") or {}
        md_tpl = tpl.get("metadata") or {}
        labels = dict(md_tpl.get("labels") or {})
        gen = (objects.meta(ds).get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)
        if gen is not None and str(gen).lstrip("-").isdigit():
            labels[TEMPLATE_GENERATION_LABEL] = str(int(gen))
        if hash_:
            labels[REVISION_LABEL] = hash_
        md = {"generateName": f"{objects.name_of(ds)}-", "namespace": objects.namespace_of(ds), "labels": labels,
              "ownerReferences": [objects.controller_ref(ds)]}
        if md_tpl.get("annotations"):
            md["annotations"] = dict(md_tpl["annotations"])
        if md_tpl.get("finalizers"):
            md["finalizers"] = list(md_tpl["finalizers"])
        spec = objects.clone(tpl.get("spec") or {})
        add_daemon_tolerations(spec)
        return {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec}

    def _delete_pod(self, ds: dict, pod: dict) -> bool:
        try:
            self.store.delete(kinds.POD, objects.namespace_of(pod), objects.name_of(pod), sync=False,
                              preconditions={"uid": objects.uid_of(pod)})
        except errors.NotFound:
            return False
        except errors.ApiError as e:
            self.recorder.event(ds, WARNING, "FailedDelete", f"Error deleting: {e}", component=self.name)
            raise
        self.recorder.event(ds, NORMAL, "SuccessfulDelete", f"Deleted pod: {objects.name_of(pod)}", component=self.name)
        return True

    # ---- rolling update (update.go rollingUpdate) --------------------------------------------------

    def _rolling_update(self, key, ds, spec, match, nodes, hash_) -> None:
        by_node = self._nodes_to_pods(ds, match)
        desired = 0
        eligible = {}
        for node in nodes:
            should_run, _, _ = node_should_run(node, ds)
            eligible[objects.name_of(node)] = should_run
            if should_run:
                desired += 1
                by_node.setdefault(objects.name_of(node), [])
        gen = (objects.meta(ds).get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)
        max_unavailable = int_or_percent(spec.max_unavailable, desired, True)
        max_surge = int_or_percent(spec.max_surge, desired, True)
        if desired > 0 and max_unavailable == 0 and max_surge == 0:
            max_unavailable = 1
        now = self.clock.now()

        def available(pod):
            return is_pod_available(pod, spec.min_ready, now)

        if max_surge == 0:
            unavailable = 0
            replace: list[dict] = []
            candidates: list[dict] = []
            for nname in sorted(by_node):
                found = _updated_pods_on_node(by_node[nname], hash_, gen)
                if found is None:
                    unavailable += 1
                    continue
                new, old = found
                if (new is None) == (old is None):
                    unavailable += 1
                elif new is not None:
                    if not available(new):
                        unavailable += 1
                elif old is not None:               # (always: exactly one of the two exists)
                    if not available(old):
                        replace.append(old)
                        unavailable += 1
                    elif unavailable < max_unavailable:
                        candidates.append(old)
            room = max(0, max_unavailable - unavailable)
            victims = replace + candidates[:room]
            for pod in victims:
                why = ("is old and not available" if pod in replace
                       else f"is old ({unavailable} unavailable, maxUnavailable {max_unavailable})")
                if self._delete_pod(ds, pod):
                    self.decide(key, f"DaemonSet {key}: rolling update: {objects.name_of(pod)} on "
                                     f"{target_node(pod)} {why} → deleted it; a new pod follows",
                                action="rolling-update")
            return

        # Surge: start the new pod first, delete the old one once the new one is available.
        to_delete: list[dict] = []
        should_not_run: list[dict] = []
        candidate_nodes: list[str] = []
        allowed_nodes: list[str] = []
        surging, available_count = 0, 0
        for nname in sorted(by_node):
            found = _updated_pods_on_node(by_node[nname], hash_, gen)
            if found is None:
                surging += 1
                continue
            new, old = found
            if old is not None and available(old):
                available_count += 1
            elif old is None and new is not None and available(new):
                available_count += 1
            if old is None:
                continue
            if new is None:
                if not eligible.get(nname, False):
                    (to_delete if not available(old) else should_not_run).append(old)
                    continue
                if not available(old):
                    allowed_nodes.append(nname)
                elif surging < max_surge:
                    candidate_nodes.append(nname)
                continue
            if not available(new):
                surging += 1
                continue
            to_delete.append(old)
        deletable = available_count - desired
        if deletable > 0:
            to_delete += should_not_run[:deletable]
        room = max(0, max_surge - surging)
        create_on = allowed_nodes + candidate_nodes[:room]
        deletions = [(p, "rolling update: the new pod on its node is available") for p in to_delete]
        if create_on or deletions:
            self._sync_nodes(key, ds, deletions, create_on, hash_)

    # ---- history (constructHistory, snapshot, cleanupHistory) ------------------------------------

    def _construct_history(self, ds, spec, match) -> tuple[dict | None, list[dict]]:
        data = template_patch(spec.template)
        current: list[dict] = []
        old: list[dict] = []
        for cr in claim(self, ds, kinds.CONTROLLERREVISION, self._orphans[kinds.CONTROLLERREVISION.name], match):
            if REVISION_LABEL not in objects.labels_of(cr):
                fixed = objects.clone(cr)
                fixed["metadata"].setdefault("labels", {})[REVISION_LABEL] = objects.name_of(cr)
                cr = self.store.update(fixed, sync=False)
            (current if cr.get("data") == data else old).append(cr)
        number = max([int(c.get("revision") or 0) for c in old] or [0]) + 1
        if not current:
            return self._snapshot(ds, spec, data, number), old
        keep = current[0]
        for cr in current:
            if int(cr.get("revision") or 0) >= int(keep.get("revision") or 0):
                keep = cr
        if len(current) > 1:
            self._dedup(ds, match, keep, current)
        if int(keep.get("revision") or 0) < number:
            bumped = objects.clone(keep)
            bumped["revision"] = number
            keep = self.store.update(bumped, sync=False)
            self.decide(objects.key_of(ds), f"DaemonSet {objects.key_of(ds)}: template matches revision "
                        f"{objects.name_of(keep)} → it becomes revision {number}", action="reuse-revision")
        return keep, old

    def _snapshot(self, ds, spec, data, number) -> dict | None:
        status = ds.get("status") or {}
        collisions = status.get("collisionCount")
        h = compute_hash(spec.template, collisions)
        name = f"{objects.name_of(ds)}-{h}"
        labels = dict(objects.labels_of(spec.template))
        labels[REVISION_LABEL] = h
        cr = {"apiVersion": "apps/v1", "kind": "ControllerRevision",
              "metadata": {"name": name, "namespace": objects.namespace_of(ds), "labels": labels,
                           "ownerReferences": [objects.controller_ref(ds)]},
              "data": data, "revision": number}
        if objects.meta(ds).get("annotations"):
            cr["metadata"]["annotations"] = dict(objects.meta(ds)["annotations"])
        try:
            made = self.store.create(cr, sync=False)
        except errors.AlreadyExists:
            existing = self.store.try_get(kinds.CONTROLLERREVISION, objects.namespace_of(ds), name)
            if existing is not None and existing.get("data") == data:
                return existing
            bumped = objects.clone(ds)
            bumped.setdefault("status", {})["collisionCount"] = int(collisions or 0) + 1
            self.store.update(bumped, subresource="status", sync=False)
            self.decide(objects.key_of(ds), f"DaemonSet {objects.key_of(ds)}: revision name {name} is taken → "
                        f"collisionCount {int(collisions or 0) + 1}", action="hash-collision")
            return None
        self.decide(objects.key_of(ds), f"DaemonSet {objects.key_of(ds)}: new pod template → ControllerRevision "
                    f"{name} (revision {number})", action="create-revision")
        return made

    def _dedup(self, ds, match, keep, current) -> None:
        h = objects.labels_of(keep).get(REVISION_LABEL)
        for pod in self._claim_pods(ds, match):
            if objects.labels_of(pod).get(REVISION_LABEL) != h:
                self.store.patch(kinds.POD, objects.namespace_of(pod), objects.name_of(pod), "merge",
                                 {"metadata": {"labels": {REVISION_LABEL: h}}}, sync=False)
        for cr in current:
            if objects.name_of(cr) != objects.name_of(keep):
                try:
                    self.store.delete(kinds.CONTROLLERREVISION, objects.namespace_of(cr), objects.name_of(cr), sync=False)
                except errors.NotFound:
                    pass

    def _cleanup_history(self, ds, spec, match, old: list[dict]) -> None:
        excess = len(old) - spec.history_limit
        if excess <= 0:
            return
        live = {objects.labels_of(p).get(REVISION_LABEL) for pods in self._nodes_to_pods(ds, match, True).values()
                for p in pods}
        for cr in sorted(old, key=lambda c: int(c.get("revision") or 0)):
            if excess <= 0:
                break
            if objects.labels_of(cr).get(REVISION_LABEL) in live:
                continue
            try:
                self.store.delete(kinds.CONTROLLERREVISION, objects.namespace_of(cr), objects.name_of(cr), sync=False)
            except errors.NotFound:
                pass
            excess -= 1

    # ---- status (updateDaemonSetStatus, storeDaemonSetStatus) --------------------------------------

    def _update_status(self, key, ds, spec, match, nodes, hash_) -> tuple[int, int]:
        by_node = self._nodes_to_pods(ds, match)
        now = self.clock.now()
        desired = current = misscheduled = ready = updated = available = 0
        gen = (objects.meta(ds).get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)
        for node in nodes:
            should_run, _, _ = node_should_run(node, ds)
            pods = by_node.get(objects.name_of(node)) or []
            if should_run:
                desired += 1
                if not pods:
                    continue
                current += 1
                pod = sorted(pods, key=_pod_order)[0]
                if is_pod_ready(pod):
                    ready += 1
                    if is_pod_available(pod, spec.min_ready, now):
                        available += 1
                if _is_updated(pod, hash_, gen):
                    updated += 1
            elif pods:
                misscheduled += 1
        values = {"currentNumberScheduled": current, "numberMisscheduled": misscheduled,
                  "desiredNumberScheduled": desired, "numberReady": ready,
                  "observedGeneration": objects.meta(ds).get("generation", 1),
                  "updatedNumberScheduled": updated, "numberAvailable": available,
                  "numberUnavailable": desired - available}
        old = ds.get("status") or {}
        status = dict(old)
        for field, v in values.items():
            # DaemonSetStatus JSON: the first four always; the rest omitempty.
            if v or field in ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
                              "numberReady"):
                status[field] = v
            else:
                status.pop(field, None)
        if status != old:
            new = objects.clone(ds)
            new["status"] = status
            self.store.update(new, subresource="status", sync=False)
        return ready, available


def _is_updated(pod: dict, hash_: str, template_generation) -> bool:
    """util.IsPodUpdated: the hash label matches, or (legacy) the template generation label does."""
    labels = objects.labels_of(pod)
    if template_generation is not None and labels.get(TEMPLATE_GENERATION_LABEL) == str(template_generation):
        return True
    return bool(hash_) and labels.get(REVISION_LABEL) == hash_


def _updated_pods_on_node(pods: list[dict], hash_: str, template_generation=None
                          ) -> tuple[dict | None, dict | None] | None:
    """findUpdatedPodsOnNode: at most one new and one old non-deleted pod, else None."""
    new = old = None
    for pod in pods:
        if objects.is_terminating(pod):
            continue
        if _is_updated(pod, hash_, template_generation):
            if new is not None:
                return None
            new = pod
        else:
            if old is not None:
                return None
            old = pod
    return new, old
