"""Kubelets: one controller playing the kubelet of every node.

For each node it registers the Node, renews its Lease in kube-node-lease (every
`timings.lease_renew` seconds, or twice per `node_monitor_grace` if that is shorter) and runs
the pods bound to it: each pod's containers move through the stage table (stages.py), and the
kubelet reports the resulting PodStatus and the Events a real kubelet records (Pulling, Pulled,
Created, Started, Killing, BackOff, Failed ...).

Keys: `<namespace>/<pod>` for a pod, `node:<name>` for a node's own upkeep (status). Lease
renewals are heartbeat timers on the clock, not keys: due timers fire at the start of every
engine pass, so a node's heartbeat never waits behind other nodes' pod work.

A failed node (`cluster.failed_nodes`) does nothing at all: no lease renewals, no status, its
pods stay as they are (deleted ones stay Terminating). `node_recovered(name)` renews the lease;
that wakes the node and all its pods: the kubelet re-posts a Ready node status (event
NodeReady), re-reports every pod's status and finishes the pending deletions.

Deleting a pod on a live node: Killing `Stopping container <c>` per running container, then
after min(deletionGracePeriodSeconds, timings.termination_grace_cap) the final status
(containers terminated, phase Succeeded/Failed) and the kubelet's confirming delete (grace 0).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Set

from .. import controlplane, errors, objects, resources as kinds, volumes
from ..clock import on_grid
from ..loop import Controller, Result, requeue_after
from . import node as node_status
from .heartbeats import Heartbeats
from .pods import PodRun
from . import portforward, references
from .logs import container_logs
from .network import PodNetwork
from .programs import Program
from .shell.containers import BackendUnreachable, ContainerShells

NAME = "kubelet"
NODE_PREFIX = "node:"
MOUNT_BACKOFF_INITIAL, MOUNT_BACKOFF_MAX = 0.5, 122.0    # nestedpendingoperations' back-off


class _PodEnv:
    """The stages' view of one pod on one node (stages.Env)."""

    def __init__(self, kubelet: "Kubelets", pod: dict, st: node_status.NodeState, pod_ip: str = ""):
        t = self._timings = kubelet.ctx.timings
        self.image_pull, self.container_start = t.image_pull, t.container_start
        spec, md = pod.get("spec") or {}, pod.get("metadata") or {}
        self.restart_policy = spec.get("restartPolicy") or "Always"
        self.pod_name, self.namespace, self.uid = md.get("name", ""), md.get("namespace", ""), md.get("uid", "")
        self.pod_ip = pod_ip or (pod.get("status") or {}).get("podIP") or ""
        self.volumes = spec.get("volumes") or ()
        grace = spec.get("terminationGracePeriodSeconds")
        self.termination_grace = 30.0 if grace is None else float(grace)
        self._pod, self._st, self._recorder = pod, st, kubelet.recorder
        self._shells = kubelet.shells
        self._store = kubelet.store

    def container_started(self, c) -> None:
        """A command that talks to the network (`wget -qO- web`) runs now, in the container's
        shell: what it printed and how it exited become its program."""
        done = self._shells.run_at_start(self._pod, self.pod_ip, c, self._st.ip)
        if done is not None:
            code, lines, seconds = done
            c.program = Program(code, seconds, "shell", tuple(lines))

    def container_file(self, c, path: str, t: float) -> bool | None:
        """What an exec left in the container's filesystem (None: nothing; probes.py decides)."""
        return self._shells.file_state(self.uid, c, path, t)

    def kill_grace(self, seconds: float) -> float:
        """A container kill's grace period, capped like every grace period by the timings."""
        return self._timings.grace(seconds)

    def image_present(self, ref) -> bool:
        return ref.name in self._st.images

    def image_pulled(self, ref) -> None:
        self._st.images.add(ref.name)

    def config_error(self, c) -> str | None:
        return references.env_error(self._store, self.namespace, c.spec)

    def event(self, c, etype: str, reason: str, message: str) -> None:
        self._recorder.event(self._pod, etype, reason, message, component=NAME, host=self._st.name,
                             field_path=c.field_path)


class Kubelets(Controller):
    name = NAME

    def __init__(self, ctx):
        super().__init__(ctx)
        self._nodes: dict[str, node_status.NodeState] = {}
        self._runs: dict[str, PodRun] = {}
        self._written: dict[str, int] = {}       # pod key -> resourceVersion of our last status write
        self._stalled: set[str] = set()          # failed nodes whose work stopped (resume on recovery)
        self._resumed_at: dict[str, float] = {}  # node -> when its kubelet came back
        self._heartbeats = Heartbeats(self.clock, self._lease_cohort)   # each node's next Lease renewal
        self._static: dict[str, list[dict]] = {}  # node -> the static pod manifests its kubelet runs
        self._preloaded: frozenset[str] = frozenset()   # images every node's image ships with
        self.shells = ContainerShells(self.store, self.clock)   # what exec/cp reach inside containers
        # the network between pods (kube-proxy's Services, the pods' servers) and its request log
        self.network = PodNetwork(self.store, self.clock, self._runs, self.shells, self._node_ip)
        self.shells.network = self.network
        self.network.decisions = ctx.decisions      # where a connection a NetworkPolicy dropped is said
        self._attached_exit: dict[tuple[str, str], object] = {}  # (pod uid, container) -> its program before
        self._waiting_refs: dict[str, str] = {}   # pod key -> namespace, for pods waiting on a Secret/ConfigMap
        self._unmounted: dict[str, set[str]] = {}  # claim key -> pods waiting for it to be bound
        self._held: dict[str, float] = {}          # pod key -> since when its volumes hold it
        self._mount_errors: dict[str, list[tuple[str, str]]] = {}   # pod key -> (volume, error) just found
        self._mount_said: dict[str, str] = {}      # pod key -> the last FailedMount message (said once)

    # ---- wiring ---------------------------------------------------------------------------------

    def handlers(self):
        return {"pods": self._on_pod, "nodes": self._on_node, "leases": self._on_lease,
                "secrets": self._on_reference, "configmaps": self._on_reference,
                kinds.PERSISTENTVOLUMECLAIM.name: self._on_claim}

    def _on_reference(self, ev):
        """A Secret or ConfigMap changed: the pods of its namespace still waiting for one (a volume
        not set up, a container's environment not made) look again now."""
        ns = objects.namespace_of(ev.object)
        return [key for key, waiting_ns in self._waiting_refs.items() if waiting_ns == ns]

    def _on_claim(self, ev):
        """A claim a pod waits to mount changed: look at the pod again."""
        if not self._unmounted:
            return ()
        return self._unmounted.pop(objects.key_of(ev.object), ())

    def _report_held(self, key: str, pod: dict, node_name: str, st, now: float) -> None:
        """What the kubelet reports for a pod whose volumes cannot be mounted yet: no sandbox
        (PodReadyToStartContainers False, no pod IP), every container waiting ContainerCreating."""
        self._held.setdefault(key, now)
        run = PodRun.for_pod(key, pod, node_name, "", self._held[key])
        status = run.build_status(pod, st.ip, now)
        for k in ("podIP", "podIPs"):
            status.pop(k, None)
        for c in status["conditions"]:
            if c["type"] == "PodReadyToStartContainers" and c["status"] == "True":
                c["status"] = "False"
        if status != pod.get("status"):
            new = dict(pod)
            new["status"] = status
            out = self.store.update(new, sync=False, subresource="status")
            self._written[key] = objects.rv_of(out)
        # WaitForAttachAndMount fails at once on the populator's errors, and the kubelet says so.
        failed = self._mount_errors.pop(key, [])
        names = " ".join(sorted(name for name, _ in failed))
        message = (f"Unable to attach or mount volumes: unmounted volumes=[{names}], unattached volumes=[], "
                   f"failed to process volumes=[{names}]: " + "; ".join(why for _, why in failed))
        if failed and self._mount_said.get(key) != message:
            self._mount_said[key] = message
            self.recorder.event(pod, "Warning", "FailedMount", message, component=NAME, host=node_name)

    def _claims_unbound(self, key: str, pod: dict) -> bool:
        """The volume manager mounts a pod's claims before its containers start: a claim that is
        missing, being deleted or not bound holds the pod (Pending, ContainerCreating) until it
        is; the desired-state populator's error for each is kept for the FailedMount event."""
        ns = objects.namespace_of(pod)
        failed: list[tuple[str, str]] = []
        for v in (pod.get("spec") or {}).get("volumes") or ():
            claim = (v.get("persistentVolumeClaim") or {}).get("claimName") if isinstance(v, dict) else None
            if not claim:
                continue
            pvc = self.store.try_get(kinds.PERSISTENTVOLUMECLAIM, ns, claim)
            if pvc is None:
                why = f'failed to fetch PVC from API server: persistentvolumeclaims "{claim}" not found'
            elif objects.is_terminating(pvc):
                why = "PVC is being deleted"
            elif not volumes.is_bound(pvc):
                why = "PVC is not bound"
            else:
                continue
            self._unmounted.setdefault(f"{ns}/{claim}", set()).add(key)
            failed.append((v.get("name", ""), f"error processing PVC {ns}/{claim}: {why}"))
        if failed:
            self._mount_errors[key] = failed
        return bool(failed)

    def _failed(self) -> Set[str]:
        return self.ctx.failed_nodes

    def _on_pod(self, ev):
        pod = ev.object
        key = objects.key_of(pod)
        node = (pod.get("spec") or {}).get("nodeName")
        if ev.type == "DELETED":
            if node in self._static and controlplane.is_mirror_pod(pod):
                # Only the API's copy went: the static pod runs on (its run is kept for the
                # mirror pod posted again).
                self._written.pop(key, None)
                return (NODE_PREFIX + node,)
            self._forget(key)
            return ()
        if not node:
            return ()
        st = self._nodes.get(node)
        if st is not None and key not in st.pods:
            st.pods.add(key)
            ip = (pod.get("status") or {}).get("podIP")
            if ip and not (pod.get("spec") or {}).get("hostNetwork"):
                st.allocate(key, ip)
        if self._written.get(key) == objects.rv_of(pod):
            return ()                            # our own status write
        return (key,)

    def _on_node(self, ev):
        node = ev.object
        name = objects.name_of(node)
        if ev.type != "DELETED" and not _has_kubelet(node):
            return ()
        if ev.type == "DELETED":
            st = self._nodes.pop(name, None)
            self._stalled.discard(name)
            self.recorder.source_stopped(NAME, name)      # the node's kubelet is gone with it
            return list(st.pods) if st else ()
        st = self._ensure_node(node)
        keys = [NODE_PREFIX + name]
        if ev.type == "MODIFIED" and ev.old is not None and _ready(ev.old) != _ready(node):
            keys.extend(st.pods)
        return keys

    def _on_lease(self, ev):
        if not self._stalled:
            return ()        # (every renewal comes here; only a stalled node's wakes anything)
        lease = ev.object
        if ev.type == "DELETED" or objects.namespace_of(lease) != node_status.LEASE_NAMESPACE:
            return ()
        name = objects.name_of(lease)
        if name in self._stalled and name not in self._failed():
            self._stalled.discard(name)
            self._resumed_at[name] = self.clock.now()
            st = self._nodes.get(name)
            return [NODE_PREFIX + name] + (sorted(st.pods) if st else [])
        return ()

    # ---- the node's kubelet: registration, lease, status ------------------------------------------

    def set_static_pods(self, node: str, manifests: list[dict]) -> None:
        """The manifests in this node's /etc/kubernetes/manifests (on the kubelet's disk, so given
        again at every engine start): the kubelet keeps a mirror pod of each in the API."""
        self._static[node] = list(manifests)

    def set_preloaded_images(self, refs) -> None:
        """Images baked into the node image (kind preloads the control plane's): already present."""
        from .images import parse
        self._preloaded = frozenset(parse(r).name for r in refs)
        for st in self._nodes.values():
            st.images.update(self._preloaded)

    def register_node(self, name: str, *, cpu="4", memory="8Gi", pods=110, labels=None, taints=None,
                      index: int | None = None) -> dict:
        index = self._pick_index(name) if index is None else index
        now = self.clock.now()
        node = self.store.create(node_status.build_node(name, index, now, cpu=cpu, memory=memory, pods=pods,
                                              labels=labels, taints=taints), sync=False)
        self._renew_lease(node, now)
        ref = _node_ref(name)
        self.recorder.source_stopped(NAME, name)          # a new kubelet process: empty caches
        self.recorder.event(ref, "Normal", "Starting", "Starting kubelet.", component=NAME, host=name)
        for cond in ("NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID"):
            self.recorder.event(ref, "Normal", cond, f"Node {name} status is now: {cond}", component=NAME, host=name)
        self.recorder.event(ref, "Normal", "NodeAllocatableEnforced", "Updated Node Allocatable limit across pods",
                            component=NAME, host=name)
        self.recorder.event(ref, "Normal", "NodeReady", f"Node {name} status is now: NodeReady",
                            component=NAME, host=name)
        self._ensure_node(node)
        self.decide(NODE_PREFIX + name, f"Node {name} registered ({cpu} CPU, {memory} memory, {pods} pods)",
                    action="register-node", observed=None, desired={"node": name})
        return node

    def node_recovered(self, name: str) -> None:
        """The node's kubelet is back: renew its lease now. The lease event wakes the node and its
        pods on the engine thread (this may be called from another thread: store writes only)."""
        node = self.store.try_get(kinds.NODE, "", name)
        if node is not None:
            try:
                self._renew_lease(node, self.clock.now())
            except errors.ApiError:
                pass

    def _renew_lease(self, node: dict, now: float, stamp: str | None = None, name: str | None = None) -> None:
        name = name or objects.name_of(node)
        # The heartbeat (1,000 nodes renew 250 times a simulated second): the stored Lease with
        # a fresh renewTime, which admission would store as it is, so it takes the store's short path.
        renewed = self.store.refresh_spec(kinds.LEASE, node_status.LEASE_NAMESPACE, name,
                                          {"renewTime": stamp or objects.micro_iso(now), "holderIdentity": name})
        if renewed is None:
            self.store.create(node_status.build_lease(node, now), sync=False)

    def lease_period(self) -> float:
        """How often a kubelet renews its Lease: `timings.lease_renew`, but never less often than
        twice per `node_monitor_grace` (upstream renews every 10 s against a 50 s grace; a period
        longer than the grace would have healthy nodes flap NotReady)."""
        t = self.ctx.timings
        return max(1e-3, min(t.lease_renew, t.node_monitor_grace / 2))

    def _schedule_lease(self, name: str, due: float) -> None:
        """Lease renewal is a heartbeat on the clock, not a queued key: due timers fire at the
        start of every engine pass, so a busy kubelet queue never delays a heartbeat."""
        self._heartbeats.schedule(name, due)

    def _lease_tick(self, name: str) -> None:
        self._heartbeats.cancel(name)
        self._lease_cohort([name])

    def _lease_cohort(self, names: list[str]) -> None:
        """Renew these nodes' Leases — due at the same moment, so one clock reading, one
        renewTime, one next due time and one store call serve them all (1,000 nodes make ~60
        cohorts of ~40 a wall second at 100×)."""
        now = self.clock.now()
        stamp = objects.micro_iso(now)
        nxt = on_grid(now + self.lease_period())
        failed = self._failed()
        node_of = self.store.try_get
        live: list[tuple[str, dict]] = []
        for name in names:
            if name in failed:
                self._stalled.add(name)
                continue
            node = node_of(kinds.NODE, "", name)
            if node is not None:
                live.append((name, node))
        try:
            renewed = self.store.refresh_specs(kinds.LEASE, node_status.LEASE_NAMESPACE,
                                               [(name, {"renewTime": stamp, "holderIdentity": name}) for name, _ in live])
        except errors.ApiError:                  # the whole cohort tries again shortly
            for name, _ in live:
                self._schedule_lease(name, now + 0.1)
            return
        schedule = self._heartbeats.schedule
        for (name, node), lease in zip(live, renewed):
            if lease is None:                    # no Lease (deleted): the kubelet makes it again
                try:
                    self.store.create(node_status.build_lease(node, now), sync=False)
                except errors.ApiError:          # e.g. a concurrent create: try again shortly
                    self._schedule_lease(name, now + 0.1)
                    continue
            schedule(name, nxt)

    def timings_changed(self) -> list[str]:
        """The Timings switched mode (on the engine thread, before any reconcile of this pass):
        heartbeats follow the new lease period at once — a renewal overdue under the new period
        happens now, so the node monitor never sees a live node's lease as stale — and pods
        being deleted finish by the new grace cap if that is sooner."""
        now = self.clock.now()
        period = self.lease_period()
        for name in list(self._nodes):
            if name in self._failed():
                continue
            lease = self.store.try_get(kinds.LEASE, node_status.LEASE_NAMESPACE, name)
            renewed = objects.parse_time(((lease or {}).get("spec") or {}).get("renewTime")) if lease else None
            if renewed is None or now - renewed >= period - 1e-6:
                self._lease_tick(name)
            else:
                self._schedule_lease(name, renewed + period)
        keys = []
        for key, run in self._runs.items():
            if run.killing_at is not None and run.kill_from is not None:
                start, grace = run.kill_from
                due = max(run.killing_at, start + self.ctx.timings.grace(grace))
                if due < run.kill_due:
                    run.kill_due = due
                    keys.append(key)
        return keys

    def _reconcile_node(self, name: str) -> float | None:
        node = self.store.try_get(kinds.NODE, "", name)
        if node is None or not _has_kubelet(node):
            self._heartbeats.cancel(name)
            return None
        if name in self._failed():
            self._stalled.add(name)
            return None
        self._ensure_node(node)
        now = self.clock.now()
        status = node.get("status") or {}
        healthy = {c[0]: c[1] for c in node_status.HEALTHY_CONDITIONS}
        current = {c.get("type"): c.get("status") for c in status.get("conditions") or ()}
        if any(current.get(t) != s for t, s in healthy.items()):
            was_ready = current.get("Ready") == "True"
            new = dict(node)
            st = dict(status)
            others = [c for c in status.get("conditions") or () if c.get("type") not in healthy]
            st["conditions"] = others + node_status.healthy_conditions(objects.iso(now), status.get("conditions"))
            new["status"] = st
            self.store.update(new, sync=False, subresource="status")
            if not was_ready:
                self.recorder.event(_node_ref(name), "Normal", "NodeReady", f"Node {name} status is now: NodeReady",
                                    component=NAME, host=name)
                self.decide(NODE_PREFIX + name, f"Node {name}: kubelet posts Ready again", action="node-ready",
                            observed={"ready": current.get("Ready")}, desired={"ready": "True"})
        if name in self._static:
            self._ensure_mirror_pods(node, now)
        if name not in self._heartbeats:
            lease = self.store.try_get(kinds.LEASE, node_status.LEASE_NAMESPACE, name)
            renewed = objects.parse_time(((lease or {}).get("spec") or {}).get("renewTime")) if lease else None
            period = self.lease_period()
            if renewed is None or now - renewed >= period - 1e-6:
                self._renew_lease(node, now)
                renewed = now
            self._schedule_lease(name, renewed + period)
        return None

    def _ensure_mirror_pods(self, node: dict, now: float) -> None:
        """Each static pod has its mirror pod in the API (k/k pkg/kubelet/pod/mirror_client.go):
        created when missing — also after someone deleted it, since the static pod itself
        never stopped — and never otherwise touched but for its status."""
        for manifest in self._static.get(objects.name_of(node), ()):
            want = controlplane.mirror_pod(manifest, node, objects.micro_iso(now))
            if self.store.try_get(kinds.POD, controlplane.NAMESPACE, want["metadata"]["name"]) is not None:
                continue
            try:
                self.store.create(want, sync=False)
            except errors.AlreadyExists:
                continue
            self.decide(f"{controlplane.NAMESPACE}/{want['metadata']['name']}",
                        f"Mirror pod {controlplane.NAMESPACE}/{want['metadata']['name']} posted for the static pod "
                        f"in /etc/kubernetes/manifests/{manifest['metadata']['name']}.yaml",
                        action="mirror-pod", observed={"exists": False}, desired={"exists": True})

    def _ensure_node(self, node: dict) -> node_status.NodeState:
        name = objects.name_of(node)
        st = self._nodes.get(name)
        if st is None:
            index = node_status.node_index(node)
            if index is None or any(s.index == index for s in self._nodes.values()):
                index = self._pick_index(name)
            cidr = (node.get("spec") or {}).get("podCIDR") or node_status.pod_cidr(index)
            alloc = (node.get("status") or {}).get("allocatable") or {}
            try:
                max_pods = int(alloc.get("pods", 110))
            except (TypeError, ValueError):
                max_pods = 110
            st = self._nodes[name] = node_status.NodeState(name, index, node_status.internal_ip(node) or node_status.node_ip(index), cidr, max_pods)
            st.images.update(self._preloaded)
        return st

    def _pick_index(self, name: str) -> int:
        used = {s.index for s in self._nodes.values()}
        for n in self.store.iter(kinds.NODE):
            i = node_status.node_index(n)
            if i is not None:
                used.add(i)
        tail = name.rsplit("-", 1)[-1]
        if tail.isdigit() and 0 < int(tail) < 65000 and int(tail) not in used:
            return int(tail)
        i = 1
        while i in used:
            i += 1
        return i

    # ---- pods -------------------------------------------------------------------------------------

    def reconcile(self, key: str) -> Result | None:
        if key.startswith(NODE_PREFIX):
            return requeue_after(self._reconcile_node(key[len(NODE_PREFIX):]))
        ns, name = objects.split_key(key)
        pod = self.store.try_get(kinds.POD, ns, name)
        if pod is None:
            self._forget(key)
            return None
        node_name = (pod.get("spec") or {}).get("nodeName")
        if not node_name:
            return None
        st = self._nodes.get(node_name)
        if st is None:
            node = self.store.try_get(kinds.NODE, "", node_name)
            if node is None or not _has_kubelet(node):
                return None                   # no kubelet there: the pod waits (or pod GC takes it)
            st = self._ensure_node(node)
        if node_name in self._failed():
            self._stalled.add(node_name)
            return None
        now = self.clock.now()
        run = self._runs.get(key)
        static = node_name in self._static and controlplane.is_mirror_pod(pod)
        if static and run is not None and run.node == node_name and run.uid != objects.uid_of(pod):
            run.uid = objects.uid_of(pod)         # a mirror pod posted again: same static pod, same containers
        if static and objects.is_terminating(pod):
            # Deleting a mirror pod does not stop the static pod (k/k kubelet syncPod): the
            # kubelet removes the API's copy at once and posts a new one.
            try:
                self.store.delete(kinds.POD, ns, name, grace_period_seconds=0, sync=False,
                                  preconditions={"uid": objects.uid_of(pod)})
            except errors.NotFound:
                pass
            self.decide(key, f"Mirror pod {key} deleted: the static pod keeps running; its kubelet posts it again",
                        action="mirror-pod-deleted", observed={"terminating": True}, desired={"exists": True})
            return None
        if run is None or run.uid != objects.uid_of(pod):
            if not objects.is_terminating(pod) and not static and self._claims_unbound(key, pod):
                self._report_held(key, pod, node_name, st, now)
                return None
            held_since = self._held.pop(key, None)
            self._mount_said.pop(key, None)
            if run is not None:
                self._forget(key)
            st.pods.add(key)
            status = pod.get("status") or {}
            # A hostNetwork pod (kube-proxy, the static pods) has the node's address as its own.
            ip = st.ip if (pod.get("spec") or {}).get("hostNetwork") else st.allocate(key, status.get("podIP"))
            # (A pod held for its volumes starts now, not when it was bound: nothing ran meanwhile.)
            start = now if held_since is not None else self._start_time(pod, node_name, now)
            run = PodRun.for_pod(key, pod, node_name, ip, start)
            if status.get("containerStatuses"):
                run.restore(status, now)
            self._runs[key] = run
        run.hold_unready = controlplane.component_of(pod) in self.ctx.stopped_components
        env = _PodEnv(self, pod, st, run.ip)
        if objects.is_terminating(pod):
            return requeue_after(self._terminate(key, pod, run, st, env, now))
        if not run.mounted:
            due = self._mount_volumes(key, pod, run, st, now)
            if due is not None:
                self._report(key, pod, run, st, now)
                return Result(max(due - now, 1e-3))
        before = run.phase()
        run.wake_config_errors(now, env)
        run.advance(now, env)
        self.shells.check_stopped(run)
        if self._attached_exit:
            self._restore_programs(run)
        run.sync_spec(pod, now, env)
        self._report(key, pod, run, st, now)
        if run.config_blocked():
            self._waiting_refs[key] = ns
        else:
            self._waiting_refs.pop(key, None)
        after = run.phase()
        if before != after:
            self.decide(key, f"Pod {key} on {node_name}: {before} → {after}", action="pod-phase",
                        observed={"phase": before}, desired={"phase": after})
        due = run.next_due()
        return None if due is None else Result(max(due - now, 1e-3))

    def _mount_volumes(self, key: str, pod: dict, run: PodRun, st: node_status.NodeState, now: float) -> float | None:
        """WaitForAttachAndMount: None once every volume is set up; else when to try again (the
        volume manager's exponential back-off, 0.5 s doubling to 2m2s), a FailedMount event per
        volume at each try."""
        failures = references.volume_errors(self.store, pod)
        if not failures:
            run.mounted = True
            if run.mount_tries:
                run.mounted_at = now             # the containers start from here
            self._waiting_refs.pop(key, None)
            return None
        self._waiting_refs[key] = objects.namespace_of(pod)
        if run.mount_retry_at is None or now >= run.mount_retry_at:
            for volume, err in failures:
                self.recorder.event(pod, "Warning", "FailedMount",
                                    f'MountVolume.SetUp failed for volume "{volume}" : {err}',
                                    component=NAME, host=st.name)
            run.mount_tries += 1
            run.mount_retry_at = now + min(MOUNT_BACKOFF_MAX, MOUNT_BACKOFF_INITIAL * 2 ** (run.mount_tries - 1))
            if run.mount_tries == 1:
                self.decide(key, f"Pod {key}: volume {failures[0][0]} cannot be set up ({failures[0][1]}) → "
                                 "containers wait in ContainerCreating", action="failed-mount",
                            observed={"volume": failures[0][0]}, desired={"mounted": True})
        return run.mount_retry_at

    def _start_time(self, pod: dict, node: str, now: float) -> float:
        """When this kubelet would have started on the pod: at binding (it watches its pods), or
        when it came back from a failure. An engine that is behind thus finds steps overdue and
        writes their outcome at once."""
        cond = objects.get_condition(pod.get("status"), "PodScheduled")
        bound = objects.parse_time((cond or {}).get("lastTransitionTime")) if (cond or {}).get("status") == "True" else None
        if bound is None:
            bound = objects.parse_time(objects.meta(pod).get("creationTimestamp")) or now
        return min(now, max(bound, self._resumed_at.get(node, bound)))

    def _report(self, key: str, pod: dict, run: PodRun, st: node_status.NodeState, now: float, *, terminal=False) -> dict:
        status = run.build_status(pod, st.ip, now, terminal=terminal)
        if status == pod.get("status"):
            return pod
        new = dict(pod)
        new["status"] = status
        out = self.store.update(new, sync=False, subresource="status")
        self._written[key] = objects.rv_of(out)
        return out

    def _terminate(self, key, pod, run, st, env, now) -> float | None:
        md = pod.get("metadata") or {}
        if run.killing_at is None:
            grace = md.get("deletionGracePeriodSeconds")
            grace = 30 if grace is None else grace
            deleted_at = objects.parse_time(md.get("deletionTimestamp"))
            start = (deleted_at - grace) if deleted_at is not None else now
            run.advance(min(now, max(start, run.started)), env)
            for c in run.init + run.main + run.ephemeral:
                if c.stage == "running":
                    env.event(c, "Normal", "Killing", f"Stopping container {c.name}")
            run.killing_at = now
            run.kill_from = (start, grace)
            run.kill_due = max(now, start + self.ctx.timings.grace(grace))
        if now < run.kill_due:
            return max(run.kill_due - now, 1e-3)
        run.stop_all(run.kill_due)
        self.shells.check_stopped(run)
        ns, name = objects.split_key(key)
        try:
            self._report(key, pod, run, st, now, terminal=True)
            self.store.delete(kinds.POD, ns, name, grace_period_seconds=0, sync=False,
                              preconditions={"uid": objects.uid_of(pod)})
        except errors.NotFound:
            pass
        self.decide(key, f"Pod {key} on {st.name}: containers stopped, deletion confirmed", action="pod-deleted",
                    observed={"terminating": True}, desired={"exists": False})
        self._forget(key)
        return None

    def _forget(self, key: str) -> None:
        self._waiting_refs.pop(key, None)
        self._held.pop(key, None)
        self._mount_said.pop(key, None)
        run = self._runs.pop(key, None)
        if run is not None:
            self.shells.forget_pod(run.uid)
            for k in [k for k in self._attached_exit if k[0] == run.uid]:
                del self._attached_exit[k]
        self._written.pop(key, None)
        node = run.node if run is not None else None
        for st in ([self._nodes[node]] if node in self._nodes else self._nodes.values()):
            if key in st.pods or key in st.ip_of:
                st.pods.discard(key)
                st.release(key)

    # ---- logs (pods/log) ----------------------------------------------------------------------------

    def logs(self, namespace: str, pod: str, container: str | None = None, *, previous: bool = False,
             timestamps: bool = False) -> str:
        """What the pod's container wrote, as the kubelet's containerLogs endpoint returns it."""
        obj = self.store.get(kinds.POD, namespace, pod)
        return container_logs(obj, self._runs.get(objects.key_of(obj)), container, now=self.clock.now(),
                              previous=previous, timestamps=timestamps, served=self.network.access_log)

    def log_source(self, namespace: str, pod: str, container: str | None) -> tuple | None:
        """What a followed log (`kubectl logs -f`) is reading: (pod uid, container name, when this
        instance started) while the container runs; None once it has stopped, restarted as a new
        instance, or the pod is gone — the runtime closes the log then, and so does the stream."""
        obj = self.store.try_get(kinds.POD, namespace, pod)
        if obj is None:
            return None
        run = self._runs.get(objects.key_of(obj))
        if run is None or run.uid != objects.uid_of(obj) or run.killing_at is not None:
            return None
        runs = run.init + run.main + run.ephemeral
        if container is None and len(run.main) == 1:
            container = run.main[0].name
        c = next((x for x in runs if x.name == container), None)
        if c is None or c.stage != "running":
            return None
        return (run.uid, c.name, c.started_at)


    # ---- exec and attach (pods/exec, pods/attach) ------------------------------------------------

    def exec(self, namespace: str, pod: str, container: str | None, command: list[str], *, tty: bool = False,
             stdin: bool = False):
        """Start `command` in the pod's container (shell/containers.py: the errors a v1.32 cluster
        gives); returns the Process the web layer streams."""
        obj = self.store.get(kinds.POD, namespace, pod)
        self._reachable(obj)
        run = self._runs.get(objects.key_of(obj))
        return self.shells.exec(obj, run, container, command, tty=tty, stdin=stdin,
                                host_ip=self._host_ip(obj))

    def attach(self, namespace: str, pod: str, container: str | None, *, tty: bool = False, stdin: bool = False):
        """Attach to the container's main process: its shell (stdin and tty in the spec), or what it writes."""
        obj = self.store.get(kinds.POD, namespace, pod)
        self._reachable(obj)
        run = self._runs.get(objects.key_of(obj))
        name = container or ((obj.get("spec") or {}).get("containers") or [{}])[0].get("name")

        uid = objects.uid_of(obj)
        cid = next((c.container_id for c in (run.init + run.main + run.ephemeral if run else ())
                    if c.name == name), "")

        def exited(code: int) -> None:
            # Called on the session's thread: the container's change happens on the engine's.
            self.clock.call_later(0, lambda: self._main_exited(objects.key_of(obj), uid, name, cid, code))

        def read_log():
            if self.log_source(namespace, pod, name) is None:
                return None
            try:
                return self.logs(namespace, pod, name)
            except errors.ApiError:
                return None
        return self.shells.attach(obj, run, container, tty=tty, stdin=stdin, read_log=read_log,
                                  host_ip=self._host_ip(obj), on_exit=exited)

    def port_forward(self, namespace: str, pod: str):
        """pods/portforward: the upgrade's checks, then a PodForwarder whose connect(port) answers
        each forwarded connection (portforward.py)."""
        return portforward.open_forward(self, namespace, pod)

    def _main_exited(self, key: str, uid: str, name: str, cid: str, code: int) -> None:
        """An attached shell that is the container's main process ended: the container exits
        with its code (then restarts or not, as its restartPolicy says)."""
        run = self._runs.get(key)
        if run is None or run.uid != uid:
            return
        c = next((x for x in run.init + run.main + run.ephemeral if x.name == name), None)
        if c is None or c.container_id != cid or c.stage != "running" or c.started_at is None:
            return
        now = self.clock.now()
        self._attached_exit.setdefault((uid, name), c.program)
        c.program = dataclasses.replace(c.program, exit_code=code, runs_for=max(0.0, now - c.started_at))
        c.due = now
        self.enqueue(key)

    def _restore_programs(self, run: PodRun) -> None:
        """A container ended by its attached shell runs its own program again when it restarts."""
        for c in run.init + run.main + run.ephemeral:
            program = self._attached_exit.get((run.uid, c.name))
            if program is not None and c.stage != "running":
                c.program = program
                del self._attached_exit[(run.uid, c.name)]

    def _reachable(self, pod: dict) -> None:
        """A failed node's kubelet does not answer: the apiserver's dial to port 10250 times out."""
        node = (pod.get("spec") or {}).get("nodeName")
        if node and node in self._failed():
            raise BackendUnreachable(f"error dialing backend: dial tcp {self._host_ip(pod)}:10250: i/o timeout")

    def _node_ip(self, node: str) -> str:
        st = self._nodes.get(node)
        return st.ip if st is not None else ""

    def _host_ip(self, pod: dict) -> str:
        st = self._nodes.get((pod.get("spec") or {}).get("nodeName") or "")
        return st.ip if st is not None else ""


def _has_kubelet(node: dict) -> bool:
    """Nodes registered by a (simulated) kubelet report their kubelet version; a Node object
    created by hand has no kubelet behind it and stays NotReady, as on a real cluster."""
    return bool(((node.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion"))


def _ready(node: dict) -> str | None:
    c = objects.get_condition(node.get("status"), "Ready")
    return c.get("status") if c else None


def _node_ref(name: str) -> dict:
    """The kubelet's object reference for its node: UID is the node *name* (k/k kubelet.go nodeRef)."""
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "uid": name}}
