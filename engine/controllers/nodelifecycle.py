"""Node lifecycle: notice nodes whose kubelet went quiet, taint them, evict their pods — and the
pod garbage collector's "orphaned pods" pass.

Three upstream controllers in one (k/k `pkg/controller/nodelifecycle`, `pkg/controller/tainteviction`,
`pkg/controller/podgc`):

- Node monitor (one sweep over every node each `timings.node_monitor_period`, as upstream's
  monitorNodeHealth loop; a node's own events also check it at once): when neither the node's
  Lease nor its Ready heartbeat was renewed within `timings.node_monitor_grace` (plus however far
  the engine itself is behind, so a lagging engine never blames a live kubelet), set Ready,
  MemoryPressure, DiskPressure and PIDPressure to Unknown (`NodeStatusUnknown`, `Kubelet stopped
  posting node status.`), record `NodeNotReady` and mark the node's pods Ready=False. Taints
  follow the Ready condition: Unknown → `node.kubernetes.io/unreachable`, False →
  `node.kubernetes.io/not-ready`, each NoSchedule (taint-by-condition) and NoExecute (with
  timeAdded); a cordoned node gets `node.kubernetes.io/unschedulable:NoSchedule`. When the kubelet
  posts Ready again the taints go.
- Taint eviction (key: pod): a pod on a node with NoExecute taints it does not tolerate is
  deleted at once; one tolerating them with tolerationSeconds is deleted after
  `timings.toleration(tolerationSeconds)`: event `TaintManagerEviction`, condition
  DisruptionTarget, then an ordinary (graceful) delete — on a dead node the kubelet cannot
  confirm it, so the pod stays Terminating.
- Pod GC: a pod bound to a node that does not exist is marked Failed and force-deleted after a
  quarantine (40 s upstream; 5 s in the playground).
"""
from __future__ import annotations

import functools

from .. import errors, objects, resources as kinds
from ..clock import on_grid
from ..node_predicates import tolerates
from ..loop import Controller, Result, requeue_after

NAME = "node-lifecycle-controller"
SWEEP = "(every node)"                  # the periodic health check's key (node names have no parentheses)
NODE_CONTROLLER = "node-controller"
TAINT_CONTROLLER = "taint-eviction-controller"
LEASE_NAMESPACE = "kube-node-lease"

TAINT_NOT_READY = "node.kubernetes.io/not-ready"
TAINT_UNREACHABLE = "node.kubernetes.io/unreachable"
TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
MANAGED_TAINTS = (TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE)

CONDITIONS = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")
UNKNOWN_REASON = "NodeStatusUnknown"
UNKNOWN_MESSAGE = "Kubelet stopped posting node status."
NEVER_REASON = "NodeStatusNeverUpdated"
NEVER_MESSAGE = "Kubelet never posted node status."

PODGC_QUARANTINE = 40.0
PODGC_QUARANTINE_PLAYGROUND = 5.0


class NodeLifecycleController(Controller):
    name = NAME
    event_sources = (NODE_CONTROLLER, TAINT_CONTROLLER)

    def __init__(self, ctx):
        super().__init__(ctx)
        self._nodes: set[str] = set()
        self._noexec: dict[str, tuple] = {}           # node -> its NoExecute taints
        self._pods_on: dict[str, set[str]] = {}       # node -> pod keys bound to it
        self._node_of: dict[str, str] = {}            # pod key -> node
        self._registered: set[str] = set()            # node uids announced with RegisteredNode
        self._evict_at: dict[str, float] = {}
        self._evict_since: dict[str, tuple[float, float]] = {}   # pod key -> (noticed, tolerationSeconds)
        self._orphan_since: dict[str, float] = {}
        # node -> (the stored Node a check found settled, its Ready heartbeat time): while the
        # Node object is that same one, a check only needs the Lease (the hot path at 100×).
        self._settled: dict[str, tuple[dict, float | None]] = {}
        self._sweeping = False                        # the periodic sweep key is queued or armed

    # ---- wiring ---------------------------------------------------------------------------------

    def handlers(self):
        return {"nodes": self._on_node, "pods": self._on_pod}

    def _on_node(self, ev):
        node = ev.object
        name = objects.name_of(node)
        pods = self._pods_on.get(name, ())
        if ev.type == "DELETED":
            self._nodes.discard(name)
            self._settled.pop(name, None)
            self._noexec.pop(name, None)
            return [name, *pods]
        self._nodes.add(name)
        sweep = []
        if not self._sweeping:                        # the first node starts the periodic sweep
            self._sweeping = True
            sweep = [SWEEP]
        noexec = tuple((t.get("key"), t.get("value"), t.get("effect"))
                       for t in (node.get("spec") or {}).get("taints") or () if t.get("effect") == "NoExecute")
        changed = self._noexec.get(name, ()) != noexec
        self._noexec[name] = noexec
        return [name, *pods, *sweep] if changed else [name, *sweep]

    def _on_pod(self, ev):
        pod = ev.object
        key = objects.key_of(pod)
        node = None if ev.type == "DELETED" else (pod.get("spec") or {}).get("nodeName")
        prev = self._node_of.get(key)
        if prev != node:
            if prev is not None:
                self._pods_on.get(prev, set()).discard(key)
                del self._node_of[key]
            if node:
                self._pods_on.setdefault(node, set()).add(key)
                self._node_of[key] = node
        if ev.type == "DELETED":
            self._forget_eviction(key)
            self._orphan_since.pop(key, None)
            return ()
        if node and (node not in self._nodes or self._noexec.get(node)):
            return (key,)
        return ()

    def reconcile(self, key: str) -> Result | None:
        if "/" in key:
            return requeue_after(self._reconcile_pod(key))
        if key == SWEEP:
            return requeue_after(self._sweep())
        self._monitor(key)
        return None

    def _sweep(self) -> float:
        """Check every node's health, then come back after the monitor period (on the heartbeat
        grid, so the sweep shares an engine wake-up with the kubelets' renewals)."""
        store, clock = self.store, self.clock
        for name in sorted(self._nodes):
            # (at 1,000 nodes 200 times a simulated second: the settled check without _monitor's call)
            node = store.try_get(kinds.NODE, "", name)
            if node is not None and self._still_settled(name, node, clock.now()):
                continue
            self._monitor(name)
        now = self.clock.now()
        return max(on_grid(now + self.ctx.timings.node_monitor_period) - now, 1e-3)

    # ---- node monitor -------------------------------------------------------------------------------

    def _still_settled(self, name: str, node: dict, now: float) -> bool:
        """A node found healthy before and unchanged since, whose last heartbeat (its Lease's
        renewal, or the status's) is within the grace: nothing to check (the sweep's common case)."""
        settled = self._settled.get(name)
        if settled is None or settled[0] is not node:
            return False
        lease = self.store.try_get(kinds.LEASE, LEASE_NAMESPACE, name)
        renewed = _renew_time((lease.get("spec") or {}).get("renewTime")) if lease is not None else None
        probe = settled[1]
        if renewed is not None and (probe is None or renewed > probe):
            probe = renewed
        return probe is not None and now - probe <= self.ctx.timings.node_monitor_grace

    def _monitor(self, name: str) -> None:
        node = self.store.try_get(kinds.NODE, "", name)
        if node is None:
            return
        now = self.clock.now()
        if self._still_settled(name, node, now):
            return
        self._settled.pop(name, None)
        uid = objects.uid_of(node)
        if uid not in self._registered:
            self._registered.add(uid)
            self.recorder.event(node, "Normal", "RegisteredNode",
                                f"Node {name} event: Registered Node {name} in Controller", component=NODE_CONTROLLER)
        status = node.get("status") or {}
        ready = objects.get_condition(status, "Ready")
        probe = _probe_time(node, self.store.try_get(kinds.LEASE, LEASE_NAMESPACE, name))
        if probe is None:
            probe = objects.parse_time(objects.meta(node).get("creationTimestamp")) or now
        stale = now - probe > self.ctx.timings.node_monitor_grace + self._lag(now)
        if stale and any((objects.get_condition(status, t) or {}).get("status") != "Unknown" for t in CONDITIONS):
            was_ready = (ready or {}).get("status") == "True"
            node = self._mark_unknown(node, now)
            if was_ready:
                self.recorder.event(node, "Normal", "NodeNotReady", f"Node {name} status is now: NodeNotReady",
                                    component=NODE_CONTROLLER)
                self.decide(name, f"Node {name}: no heartbeat for {now - probe:.0f}s (grace "
                                  f"{self.ctx.timings.node_monitor_grace:g}s) → NotReady, pods marked not ready",
                            action="node-not-ready", observed={"ready": "True"}, desired={"ready": "Unknown"})
                self._mark_pods_not_ready(name)
        if not self._sync_taints(node, now) and not stale and ready is not None and ready.get("status") == "True":
            self._settled[name] = (node, objects.parse_time(ready.get("lastHeartbeatTime")))

    def _lag(self, now: float) -> float:
        """How far the engine is behind: the age of the oldest timer that is due but has not
        fired (a heartbeat among them, perhaps). A kubelet cannot be blamed for a lease the
        engine has not yet given it the chance to renew; on a ManualClock this is always 0."""
        due = self.clock.next_due()
        return max(0.0, now - due) if due is not None else 0.0

    def _mark_unknown(self, node: dict, now: float) -> dict:
        status = dict(node.get("status") or {})
        conds = [dict(c) for c in status.get("conditions") or ()]
        have = {c.get("type") for c in conds}
        now_iso = objects.iso(now)
        for c in conds:
            if c.get("type") in CONDITIONS and c.get("status") != "Unknown":
                c.update(status="Unknown", reason=UNKNOWN_REASON, message=UNKNOWN_MESSAGE, lastTransitionTime=now_iso)
        for t in CONDITIONS:
            if t not in have:
                conds.append({"type": t, "status": "Unknown", "lastHeartbeatTime": now_iso,
                              "lastTransitionTime": now_iso, "reason": NEVER_REASON, "message": NEVER_MESSAGE})
        status["conditions"] = conds
        new = dict(node)
        new["status"] = status
        return self.store.update(new, sync=False, subresource="status")

    def _mark_pods_not_ready(self, node_name: str) -> None:
        """MarkPodsNotReady: Ready=False on every pod of the node, event NodeNotReady on each."""
        now_iso = self.now_iso()
        for key in sorted(self._pods_on.get(node_name, ())):
            ns, name = objects.split_key(key)
            pod = self.store.try_get(kinds.POD, ns, name)
            if pod is None or (pod.get("spec") or {}).get("nodeName") != node_name:
                continue
            cond = objects.get_condition(pod.get("status"), "Ready")
            if cond is None or cond.get("status") == "False":
                continue
            status = dict(pod.get("status") or {})
            status["conditions"] = [dict(c) for c in status.get("conditions") or ()]
            for c in status["conditions"]:
                if c.get("type") == "Ready":
                    c["status"] = "False"
                    c["lastTransitionTime"] = now_iso
            new = dict(pod)
            new["status"] = status
            try:
                self.store.update(new, sync=False, subresource="status")
            except errors.NotFound:
                continue
            self.recorder.event(pod, "Warning", "NodeNotReady", "Node is not ready", component=NODE_CONTROLLER)

    def _sync_taints(self, node: dict, now: float) -> bool:
        """Make the node's managed taints follow its conditions; True if it wrote."""
        spec = node.get("spec") or {}
        ready = (objects.get_condition(node.get("status"), "Ready") or {}).get("status")
        want: list[tuple[str, str]] = []
        if ready == "Unknown":
            want = [(TAINT_UNREACHABLE, "NoExecute"), (TAINT_UNREACHABLE, "NoSchedule")]
        elif ready == "False":
            want = [(TAINT_NOT_READY, "NoExecute"), (TAINT_NOT_READY, "NoSchedule")]
        if spec.get("unschedulable"):
            want.append((TAINT_UNSCHEDULABLE, "NoSchedule"))
        current = list(spec.get("taints") or ())
        by_id = {(t.get("key"), t.get("effect")): t for t in current}
        keep = [t for t in current if t.get("key") not in MANAGED_TAINTS or (t.get("key"), t.get("effect")) in want]
        have = {(t.get("key"), t.get("effect")) for t in keep}
        added = []
        for k, effect in want:
            if (k, effect) not in have:
                t = {"key": k, "effect": effect}
                if effect == "NoExecute":
                    t["timeAdded"] = objects.iso(now)
                added.append(t)
        if not added and len(keep) == len(current):
            return False
        new = dict(node)
        new["spec"] = dict(spec)
        taints = added + keep if any(t["effect"] == "NoExecute" for t in added) else keep + added
        if taints:
            new["spec"]["taints"] = taints
        else:
            new["spec"].pop("taints", None)
        self.store.update(new, sync=False)
        removed = [f"{t.get('key')}:{t.get('effect')}" for t in current if t not in keep]
        self.decide(objects.name_of(node), f"Node {objects.name_of(node)}: taints "
                    + ", ".join([f"+{t['key']}:{t['effect']}" for t in added] + [f"-{r}" for r in removed]),
                    action="taint", observed={"taints": sorted(by_id)}, desired={"taints": sorted(want)})
        return True

    # ---- taint eviction and pod GC -----------------------------------------------------------------

    def _reconcile_pod(self, key: str) -> float | None:
        ns, name = objects.split_key(key)
        pod = self.store.try_get(kinds.POD, ns, name)
        if pod is None:
            self._forget_eviction(key)
            self._orphan_since.pop(key, None)
            return None
        node_name = (pod.get("spec") or {}).get("nodeName")
        if not node_name:
            return None
        now = self.clock.now()
        node = self.store.try_get(kinds.NODE, "", node_name)
        if node is None:
            return self._gc_orphan(key, pod, node_name, now)
        self._orphan_since.pop(key, None)
        if objects.is_terminating(pod):
            self._forget_eviction(key)
            return None
        taints = [t for t in (node.get("spec") or {}).get("taints") or () if t.get("effect") == "NoExecute"]
        if not taints:
            self._forget_eviction(key)
            return None
        seconds = _min_toleration_seconds(pod, taints)
        if seconds is None:                      # tolerates them for ever
            self._forget_eviction(key)
            return None
        if key not in self._evict_at:
            self._evict_since[key] = (now, max(0.0, seconds))
            self._evict_at[key] = now + self.ctx.timings.toleration(max(0.0, seconds))
        due = self._evict_at[key]
        if now < due:
            return due - now
        self._evict(key, pod, node_name, taints)
        return None

    def _forget_eviction(self, key: str) -> None:
        self._evict_at.pop(key, None)
        self._evict_since.pop(key, None)

    def timings_changed(self) -> list[str]:
        """The Timings switched mode: monitor every node against the new grace period now; a
        pending eviction or pod-GC wait ends sooner if the new cap is shorter (never later)."""
        keys = sorted(self._nodes)
        for key, (since, seconds) in self._evict_since.items():
            self._evict_at[key] = min(self._evict_at.get(key, float("inf")),
                                      since + self.ctx.timings.toleration(seconds))
            keys.append(key)
        keys.extend(self._orphan_since)
        return keys

    def _evict(self, key: str, pod: dict, node_name: str, taints: list) -> None:
        ns, name = objects.split_key(key)
        self.recorder.event(pod, "Normal", "TaintManagerEviction", f"Marking for deletion Pod {ns}/{name}",
                            component=TAINT_CONTROLLER)
        self._set_condition(pod, {"type": "DisruptionTarget", "status": "True", "lastProbeTime": None,
                                  "reason": "DeletionByTaintManager",
                                  "message": "Taint manager: deleting due to NoExecute taint"})
        try:
            self.store.delete(kinds.POD, ns, name, sync=False, preconditions={"uid": objects.uid_of(pod)})
        except errors.NotFound:
            pass
        self._forget_eviction(key)
        self.decide(key, f"Pod {key} evicted from {node_name}: it does not tolerate "
                         + ", ".join(f"{t.get('key')}:{t.get('effect')}" for t in taints),
                    action="evict", observed={"node": node_name}, desired={"node": None})

    def _gc_orphan(self, key: str, pod: dict, node_name: str, now: float) -> float | None:
        quarantine = PODGC_QUARANTINE if self.ctx.timings.realistic_mode else PODGC_QUARANTINE_PLAYGROUND
        due = self._orphan_since.setdefault(key, now) + quarantine
        if now < due:
            return due - now
        ns, name = objects.split_key(key)
        if (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
            pod = self._set_condition(pod, {"type": "DisruptionTarget", "status": "True", "lastProbeTime": None,
                                            "reason": "DeletionByPodGC", "message": "PodGC: node no longer exists"},
                                      phase="Failed")
        try:
            self.store.delete(kinds.POD, ns, name, grace_period_seconds=0, sync=False,
                              preconditions={"uid": objects.uid_of(pod)})
        except errors.NotFound:
            pass
        self._orphan_since.pop(key, None)
        self.decide(key, f"Pod {key} garbage-collected: its node {node_name} no longer exists",
                    action="podgc", observed={"node": node_name}, desired={"exists": False})
        return None

    def _set_condition(self, pod: dict, cond: dict, *, phase: str | None = None) -> dict:
        status = dict(pod.get("status") or {})
        status["conditions"] = [dict(c) for c in status.get("conditions") or ()]
        objects.set_condition(status, cond, self.now_iso())
        if phase:
            status["phase"] = phase
        new = dict(pod)
        new["status"] = status
        try:
            return self.store.update(new, sync=False, subresource="status")
        except errors.NotFound:
            return pod


@functools.lru_cache(maxsize=256)
def _renew_time(stamp: str | None) -> float | None:
    """A Lease's renewTime as seconds. Cached: a cohort of kubelets renews with one stamp, and
    the sweep reads every node's lease each monitor period."""
    return objects.parse_time(stamp)


def _probe_time(node: dict, lease: dict | None) -> float | None:
    times = []
    if lease is not None:
        t = objects.parse_time((lease.get("spec") or {}).get("renewTime"))
        if t is not None:
            times.append(t)
    ready = objects.get_condition(node.get("status"), "Ready")
    if ready is not None:
        t = objects.parse_time(ready.get("lastHeartbeatTime"))
        if t is not None:
            times.append(t)
    return max(times) if times else None


def _min_toleration_seconds(pod: dict, taints: list) -> float | None:
    """0 if some taint is not tolerated; the smallest tolerationSeconds of the tolerations in use;
    None if every taint is tolerated for ever (tainteviction getMinTolerationTime)."""
    tolerations = (pod.get("spec") or {}).get("tolerations") or ()
    used = []
    for taint in taints:
        matching = [t for t in tolerations if tolerates(t, taint)]
        if not matching:
            return 0.0
        used.extend(matching)
    secs = [t.get("tolerationSeconds") for t in used if t.get("tolerationSeconds") is not None]
    if not secs:
        return None
    return float(min(secs))
