"""Wiring: one store, one clock, the controllers, the scheduler and the simulated kubelets,
driven by one engine thread (or, in tests, by run_until_idle()/advance() on the caller's thread).

The engine loop is the informer + workqueue machinery of a kube-controller-manager in miniature:
watch events from the store's feed are turned into keys by each controller's handlers, keys
wait in de-duplicating queues, and reconcile(key) runs for each. Timers on the clock (delayed
requeues, kubelet stage transitions, heartbeats) fire in time order.
"""
from __future__ import annotations

import logging
import threading
import time

from . import controlplane, errors, heap, ingress_nginx_install, objects, rbac_bootstrap, resources as kinds, volumes
from .admission import priority as priority_classes
from .clock import ManualClock, ScaledClock, on_grid
from .load import LoadModel
from .loop import CUSTOM_RESOURCES, Context, TerminalError, Timings
from .decisions import DecisionLog
from .events import WARNING, EventRecorder
from .store import Store, WatchEvent
from .timeline import Timeline
from .workqueue import WorkQueue

log = logging.getLogger("kubeplay.engine")

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def _controller_classes():
    # Imported here so each module stays importable on its own; order is the reading order of
    # a Deployment's life: deployment → replicaset → scheduler → kubelet, then the keepers (a
    # StatefulSet's claims are seen by the PV controller and the provisioner before its pods).
    from .controllers.daemonset import DaemonSetController
    from .controllers.deployment import DeploymentController
    from .controllers.disruption import DisruptionController
    from .controllers.endpoints import EndpointsController
    from .controllers.endpointslice import EndpointSliceController
    from .controllers.clusterrole_aggregation import ClusterRoleAggregationController
    from .controllers.cronjob import CronJobController
    from .controllers.garbagecollector import GarbageCollector
    from .controllers.job import JobController
    from .controllers.horizontal import HorizontalController
    from .controllers.ingress_nginx import IngressNginxController
    from .controllers.namespace import NamespaceController
    from .controllers.nodelifecycle import NodeLifecycleController
    from .controllers.replicaset import ReplicaSetController
    from .controllers.resourcequota import ResourceQuotaController
    from .controllers.rootcacertpublisher import RootCACertPublisher
    from .controllers.serviceaccount_tokens import TokensController
    from .controllers.serviceaccounts import ServiceAccountsController
    from .controllers.statefulset import StatefulSetController
    from .controllers.ttlafterfinished import TTLAfterFinishedController
    from .controllers.localpath_provisioner import LocalPathProvisioner
    from .controllers.persistentvolume import PersistentVolumeController
    from .controllers.volume_protection import PVCProtectionController, PVProtectionController
    from .controllers.crd_cleanup import CRDCleanupController
    from .kubelet import Kubelets
    from .scheduler import Scheduler
    return [DeploymentController, ReplicaSetController, StatefulSetController, DaemonSetController,
            PersistentVolumeController, LocalPathProvisioner, Scheduler, Kubelets, NodeLifecycleController,
            EndpointSliceController, EndpointsController, GarbageCollector, NamespaceController,
            ResourceQuotaController, DisruptionController, ServiceAccountsController, TokensController,
            JobController, CronJobController, TTLAfterFinishedController, PVCProtectionController,
            PVProtectionController, HorizontalController, RootCACertPublisher, ClusterRoleAggregationController,
            CRDCleanupController, IngressNginxController]


# The engine thread commits its own writes to the state file (if any) once per FLUSH_EVERY wall
# seconds instead of after every pass, and before it waits longer than that: fewer, larger
# transactions (at 100x the heartbeats alone would be a thousand a second), and a pod's several
# writes in that time are stored once. Its writes are the kind a controller
# re-derives after a crash (store.py); API clients' writes are still committed before they return.
FLUSH_EVERY = 0.25

# An idle engine thread sleeps until its next timer or the next Event's expiry: every other
# change (a write, a timer set from another thread, the clock's speed, a page action) wakes it.
# It used to wake at least once a second anyway, and a wake-up of a process that slept costs
# far more than the pass it runs (cold caches: ~1.5-3 ms of CPU on this project's 2-core VMs,
# bench/README.md). This is only a backstop against a missed wake-up.
IDLE_BACKSTOP = 30.0

# Who the engine's writes are from, as managedFields name them: the User-Agent prefix each
# component's client sends (controllers all run in kube-controller-manager).
FIELD_MANAGERS = {"kubelet": "kubelet", "default-scheduler": "kube-scheduler"}

# The control plane's address, where the `kubernetes` Service's endpoints point: the first address
# of the nodes' network (kind's layout; node-N is 172.18.0.N+1, so no node has it).
APISERVER_IP = "172.18.0.1"


class Cluster:
    def __init__(self, store: Store | None = None, clock=None, *, nodes: int = 3,
                 pods_per_node: int = 110, timings: Timings | None = None, control_plane: bool = False):
        self.clock = clock or ScaledClock()
        self.store = store or Store()
        self.store.set_clock(self.clock)
        # The page's timeline: every change from here on (and what a state file brought back).
        self.timeline = Timeline(self.clock, (o for rt in kinds.all_types() for o in self.store.iter(rt)))
        self.store.observe_writes(self.timeline)
        self.timings = timings or Timings()
        self.decisions = DecisionLog(self.clock)
        self.recorder = EventRecorder(self.store, self.clock, FIELD_MANAGERS)
        self.failed_nodes: set[str] = set()
        # Control-plane components stopped from the page (controlplane.COMPONENTS), and the engine
        # controllers that are therefore not running.
        self.stopped_components: set[str] = set()
        self._stopped_controllers: set[str] = set()
        self._classes = {}
        self.control_plane = control_plane
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._steps_seen = 0
        self._engine_thread: int | None = None
        self._freezer: heap.Freezer | None = None
        self.clock.on_change = self._wake_up
        self.store.on_write(self._wake_up)
        self._feed = self.store.subscribe()
        self.load = LoadModel()
        ctx = Context(self.store, self.clock, self.recorder, self.decisions, self.timings,
                      failed_nodes=self.failed_nodes, stopped_components=self.stopped_components,
                      load=self.load)
        self._ctx = ctx
        self.controllers = [cls(ctx) for cls in _controller_classes()]
        self._classes = {c.name: type(c) for c in self.controllers}
        self._queues = {c.name: WorkQueue(self.clock) for c in self.controllers}
        self._rewire()
        control_plane_loops = {n for names in controlplane.COMPONENTS.values() for n in names}
        self._sources_started([c for c in self.controllers if c.name in control_plane_loops])
        self._bootstrap(nodes, pods_per_node)
        # Informers start with a list: every stored object is seen once as ADDED.
        for rt in kinds.all_types():
            for obj in self.store.iter(rt):
                self._dispatch(WatchEvent("ADDED", obj, objects.rv_of(obj)))
        self._settle_service_accounts()

    def _sources_started(self, controllers) -> None:
        """The control plane's processes start now (with the cluster, or started again from the
        page): their Event broadcasters tick from now (EventRecorder.source_started). They record
        with the control-plane node as their host, as the scheduler does."""
        now = self.clock.now()
        for c in controllers:
            for source in c.event_components:
                self.recorder.source_started(source, controlplane.NODE_NAME, now)

    def _settle_service_accounts(self) -> None:
        """A cluster is handed over with its namespaces' `default` ServiceAccounts in place, as a
        kind cluster is by the time a learner types: the serviceaccounts controller's first
        reconciles are run now, so the first pod created needs no engine pass before it."""
        sa = next((c for c in self.controllers if c.name == "serviceaccount-controller"), None)
        if sa is None:
            return                          # (a test's cluster wired without it)
        q = self._queues[sa.name]
        while (key := q.get()) is not None:
            try:
                sa.reconcile(key)
            finally:
                q.done(key)

    # ---- bootstrap ----------------------------------------------------------------------------

    def _bootstrap(self, nodes: int, pods_per_node: int) -> None:
        s = self.store
        s.acting_as = "kube-apiserver"          # it makes the system namespaces and its own Service
        for ns in SYSTEM_NAMESPACES:
            if s.try_get(kinds.NAMESPACE, "", ns) is None:
                s.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}, sync=False)
        if s.try_get(kinds.SERVICE, "default", "kubernetes") is None:
            s.create({"apiVersion": "v1", "kind": "Service",
                      "metadata": {"name": "kubernetes", "namespace": "default",
                                   "labels": {"component": "apiserver", "provider": "kubernetes"}},
                      "spec": {"clusterIP": "10.96.0.1", "type": "ClusterIP",
                               "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}},
                     sync=False)
        self._bootstrap_apiserver_endpoints()
        # The apiserver's post-start hook (scheduling/bootstrap-system-priority-classes): the
        # built-in classes, before anything that names them (the static pods, coredns).
        for pc in priority_classes.system_classes():
            if s.try_get(kinds.PRIORITYCLASS, "", pc["metadata"]["name"]) is None:
                s.create(pc, sync=False)
        # ... and rbac/bootstrap-roles: the default (Cluster)Roles and (Cluster)RoleBindings.
        for rt, obj in rbac_bootstrap.objects():
            if s.try_get(rt, obj["metadata"].get("namespace", ""), obj["metadata"]["name"]) is None:
                s.create(obj, sync=False)
        first_boot = not s.iter(kinds.NODE)
        if self.control_plane:
            self._bootstrap_control_plane(first_boot, pods_per_node)
        if first_boot:
            for i in range(1, nodes + 1):
                self.add_node(f"node-{i}", pods=pods_per_node)
            # kind's default StorageClass, made once with the cluster (a learner may delete it).
            s.acting_as = "kube-apiserver"
            s.create(volumes.default_storage_class(), sync=False)
        s.acting_as = "kube-controller-manager"
        s.flush()

    def _bootstrap_control_plane(self, first_boot: bool, pods_per_node: int) -> None:
        """kind's control-plane node (tainted NoSchedule for ordinary pods), the static pods its
        kubelet runs, and — on a new cluster only, as kubeadm installs them once — the coredns
        and kube-proxy addons (controlplane.py)."""
        kubelets = self.controller("kubelet")
        kubelets.set_preloaded_images(r for k, r in controlplane.images().items() if k != "pause")
        ip = None
        node = self.store.try_get(kinds.NODE, "", controlplane.NODE_NAME)
        if node is None and first_boot:
            # Registered by its kubelet, as every node is (add_node): the Node and its Lease are the
            # kubelet's managed fields (as the apiserver's, the Lease's renewals each took the full
            # managed-fields path, and `kubectl get lease -o yaml` named the wrong manager).
            node = self.add_node(controlplane.NODE_NAME, pods=pods_per_node, index=controlplane.NODE_INDEX,
                                 labels={**controlplane.NODE_LABELS, **ingress_nginx_install.NODE_LABELS}, taints=[dict(controlplane.CONTROL_PLANE_TAINT)])
        if node is None:
            return                        # a state file from a cluster without one: leave it so
        for a in (node.get("status") or {}).get("addresses") or ():
            if a.get("type") == "InternalIP":
                ip = a.get("address")
        kubelets.set_static_pods(controlplane.NODE_NAME, controlplane.static_pod_manifests(ip or APISERVER_IP))
        if first_boot:
            # kubeadm's addons phase creates them through client-go, so their managedFields name
            # `kubeadm` (the apiserver's default manager: its User-Agent's program name).
            self.store.acting_as = "kubeadm"
            for obj in controlplane.addons():
                self.store.create(obj, sync=False)
            # ingress-nginx, as a learner installs it on kind (engine/ingress_nginx_install.py).
            # A learner's `kubectl apply` would name kubectl-client-side-apply and leave the
            # last-applied annotation; it stays under the apiserver's name because `kubeplay
            # export` takes what only system managers wrote for the cluster's own (portable.py).
            self.store.acting_as = "kube-apiserver"
            for obj in ingress_nginx_install.objects():
                self.store.create(obj, sync=False)

    # ---- control-plane components (the page's Stop/Start scheduler and controller manager) -----

    def set_component_running(self, component: str, running: bool) -> bool:
        """Stop or start a control-plane component (controlplane.COMPONENTS: kube-scheduler,
        kube-controller-manager); may be called from another thread. Returns whether it changed.

        Stopped, its controllers take no events and reconcile nothing. Started, each is a new
        instance with empty caches and a new queue that lists every stored object once, as a
        restarted process's informers do — so it acts on the cluster as it is now, whatever
        happened while it was away (level-triggered), not on the events it missed."""
        if component not in controlplane.COMPONENTS:
            raise errors.NotFound("components", "", component)
        if running == (component not in self.stopped_components):
            return False
        if running:
            self.stopped_components.discard(component)
        else:
            self.stopped_components.add(component)
        self.decisions.record("kubeplay", component, action="component-start" if running else "component-stop",
                              message=(f"{component} started: it lists the cluster and reconciles from "
                                       f"what is there now" if running else
                                       f"{component} stopped: its loops no longer watch or act"))
        self.clock.call_later(0, lambda: self._apply_component(component, running))
        self._wake.set()
        return True

    def _apply_component(self, component: str, running: bool) -> None:
        """On the engine thread: (un)wire the component's controllers, then let the control-plane
        node's kubelet re-report the component's mirror pod (not Ready while stopped)."""
        if (component in self.stopped_components) == running:
            return                          # toggled back before this ran; the later call decides
        names = controlplane.COMPONENTS[component]
        if running:
            self._stopped_controllers.difference_update(names)
            for name in names:
                fresh = self._classes[name](self._ctx)
                self.controllers = [fresh if c.name == name else c for c in self.controllers]
                self._queues[name] = WorkQueue(self.clock)
                self._sources_started([fresh])
        else:
            self._stopped_controllers.update(names)
            for name in names:
                # The process's Event caches end with it: the scheduler's events.k8s.io broadcaster
                # (its series cache, its timers; it records with its host), and each controller's
                # tools/record EventCorrelator (they record without one, under the sources they
                # name). Started again, a repeat of an Event from before is a new Event, as after
                # a restart upstream.
                for source in self.controller(name).event_components:
                    for host in (controlplane.NODE_NAME, None):
                        self.recorder.source_stopped(source, host)
        self._rewire()
        if running:
            for name in names:
                q, c = self._queues[name], self.controller(name)
                for resource, handler in c.handlers().items():
                    for obj in self._iter_resource(resource):
                        for key in handler(WatchEvent("ADDED", obj, objects.rv_of(obj))):
                            q.add(key)
        kq = self._queues["kubelet"]
        for pod in self.store.iter(kinds.POD, controlplane.NAMESPACE):
            if controlplane.component_of(pod) == component:
                kq.add(objects.key_of(pod))

    def _iter_resource(self, resource: str):
        for rt in kinds.all_types():
            if rt.name == resource:
                return list(self.store.iter(rt))
        return []

    def _rewire(self) -> None:
        """Routes from resources to the running controllers' handlers, and the (controller,
        queue) pairs the loop reconciles."""
        running = [c for c in self.controllers if c.name not in self._stopped_controllers]
        self._pairs = [(c, self._queues[c.name]) for c in running]
        for c in running:
            c.enqueue = self._queues[c.name].add
        routes: dict[str, list] = {}
        for c in running:
            for resource, handler in c.handlers().items():
                routes.setdefault(resource, []).append((self._queues[c.name], handler))
        self._routes = routes
        self._builtin_routes = {id(rt): routes.get(rt.name, ()) for rt in kinds.builtin_types()}

    def _bootstrap_apiserver_endpoints(self) -> None:
        """The `kubernetes` Service has no selector: the apiserver itself writes its Endpoints and
        EndpointSlice, pointing at its own address (k/k pkg/controlplane/reconcilers,
        endpointsadapter.go) — the Endpoints marked skip-mirror, the slice labelled with the
        Service's name and no managed-by, so neither endpoint controller touches them."""
        s = self.store
        port = {"name": "https", "port": 6443, "protocol": "TCP"}
        if s.try_get(kinds.ENDPOINTS, "default", "kubernetes") is None:
            s.create({"apiVersion": "v1", "kind": "Endpoints",
                      "metadata": {"name": "kubernetes", "namespace": "default",
                                   "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
                      "subsets": [{"addresses": [{"ip": APISERVER_IP}], "ports": [dict(port)]}]}, sync=False)
        if s.try_get(kinds.ENDPOINTSLICE, "default", "kubernetes") is None:
            s.create({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                      "metadata": {"name": "kubernetes", "namespace": "default",
                                   "labels": {"kubernetes.io/service-name": "kubernetes"}},
                      "addressType": "IPv4",
                      "endpoints": [{"addresses": [APISERVER_IP], "conditions": {"ready": True}}],
                      "ports": [dict(port)]}, sync=False)

    def add_node(self, name: str, **kw) -> dict:
        """Register a node as its kubelet would (the Kubelets controller builds the object)."""
        self.store.acting_as = "kubelet"
        kubelets = self.controller("kubelet")
        return kubelets.register_node(name, **kw)

    def join_node(self, name: str, **kw) -> None:
        """A new machine's kubelet registers itself (from another thread, e.g. the page's Add node):
        done on the engine thread at the next pass, as every other kubelet action is."""
        if self.store.try_get(kinds.NODE, "", name) is not None:
            raise errors.AlreadyExists("nodes", "", name)
        self.clock.call_later(0, lambda: self.add_node(name, **kw))

    @property
    def traffic(self):
        """The recent requests between pods (engine/traffic.py RequestLog: `since(seq)`), which the
        page draws as a path client pod → Service → endpoint pod."""
        return self.controller("kubelet").network.requests

    def serve_in_cluster_api(self, handler) -> None:
        """What answers a pod's requests to the `kubernetes` Service once they are authenticated
        and authorized (engine/kubelet/in_cluster_api.py): handler(method, path with query,
        headers [(name, value)], body) -> (status, headers, body). The web layer hands in its API."""
        self.controller("kubelet").network.apiserver = handler

    def controller(self, name: str):
        for c in self.controllers:
            if c.name == name:
                return c
        raise KeyError(name)

    # ---- node health switch (the page's Fail / Recover) ----------------------------------------

    def extra_cpu(self) -> dict:
        """Traffic's extra CPU demand per pod uid (engine/load.py), for the metrics API: pass a
        pod's share to usage.pod_usage, as the HPA controller does."""
        return self.load.extra_cpu(self.store)

    def fail_node(self, name: str) -> None:
        self.store.get(kinds.NODE, "", name)
        self.failed_nodes.add(name)
        self.decisions.record("kubeplay", name, action="fail-node",
                              message=f"Node {name} failed: its kubelet stopped posting heartbeats")
        self._wake.set()

    def recover_node(self, name: str) -> None:
        self.store.get(kinds.NODE, "", name)
        self.failed_nodes.discard(name)
        self.decisions.record("kubeplay", name, action="recover-node",
                              message=f"Node {name} recovered: its kubelet posts heartbeats again")
        self.controller("kubelet").node_recovered(name)
        self._wake.set()

    # ---- the realistic-timings switch ----------------------------------------------------------

    def set_realistic_timings(self, realistic: bool) -> bool:
        """Switch the engine between the playground's compressed timers and the upstream ones at
        run time (may be called from another thread). The shared Timings object changes in place
        at once — every controller reads it whenever it decides; then, on the engine thread, the
        controllers that keep timers computed from the old values re-arm them (their
        `timings_changed()` hooks; the keys they return are reconciled). Returns whether the
        mode changed."""
        realistic = bool(realistic)
        if realistic == self.timings.realistic_mode:
            return False
        self.timings.set_realistic(realistic)
        self.decisions.record("kubeplay", "timings", action="timings", message=(
            "Realistic timings: upstream grace periods and tolerations" if realistic else
            "Fast timings: long upstream timers are compressed for the playground"))
        self.clock.call_at(self.clock.now(), self._timings_changed)
        self._wake.set()
        return True

    def _timings_changed(self) -> None:
        for c in self.controllers:
            hook = getattr(c, "timings_changed", None)
            if hook is None:
                continue
            q = self._queues[c.name]
            for key in hook() or ():
                q.add(key)

    # ---- the loop ------------------------------------------------------------------------------

    def _dispatch(self, ev: WatchEvent) -> None:
        rt = ev.rt
        # A built-in type's routes by its identity: no is_custom check and no dataclass hash for
        # every write (ten a pod in a scale-up; 250 Lease renewals a simulated second at 1,000 nodes).
        routes = self._builtin_routes.get(id(rt)) if rt is not None else None
        if routes is None:
            rt = ev.resource
            routes = self._routes.get(CUSTOM_RESOURCES if kinds.is_custom(rt) else rt.name, ())
        for q, handler in routes:
            for key in handler(ev):
                q.add(key)

    def step_once(self, max_events: int = 20000, max_keys: int = 1000, *, flush: bool = True) -> bool:
        """One pass: fire due timers, route pending watch events, reconcile queued keys; then
        (unless `flush=False`) commit the engine's writes to the state file, if there is one."""
        worked = False
        store = self.store
        if store.expire_events(self.clock.now()):   # --event-ttl: one look at the oldest Event
            worked = True
        store.acting_as = "kubelet"                 # due timers: the kubelets' heartbeats and node joins
        for t in self.clock.pop_due():
            worked = True
            try:
                t.fn()
            except Exception:               # a timer's job failing must not stop the engine
                log.exception("timer failed")
        n = 0
        feed = self._feed
        while feed and n < max_events:
            self._dispatch(feed.popleft())
            n += 1
        worked = worked or n > 0
        for c, q in self._pairs:
            if not q.waiting:                       # most queues are empty most passes
                continue
            store.acting_as = FIELD_MANAGERS.get(c.name, "kube-controller-manager")
            for _ in range(min(len(q), max_keys)):
                key = q.get()
                if key is None:
                    break
                worked = True
                try:
                    result = c.reconcile(key)
                except TerminalError as e:
                    q.forget(key)                   # no retry fixes it; the next change wakes us
                    self._record_terminal(c, key, e)
                except errors.ApiError as e:
                    # A stale read (Conflict, NotFound, AlreadyExists) or a failure the controller
                    # has already reported as an Event or condition: retry with the queue's backoff.
                    log.debug("%s: reconcile %s: %s; retrying", c.name, key, e.message)
                    q.add_rate_limited(key)
                except Exception:
                    log.exception("%s: reconcile %s failed", c.name, key)
                    q.add_rate_limited(key)
                else:
                    q.forget(key)
                    if result is not None:
                        q.add_after(key, result.requeue_after)
                finally:
                    q.done(key)
            if self._freezer is not None:
                self._freezer.check(store.resource_version)
        if flush:
            self.store.flush()
        return worked

    def _record_terminal(self, c, key: str, e: TerminalError) -> None:
        try:
            self.recorder.event(e.obj, WARNING, e.reason, e.message, component=c.name)
        except errors.ApiError:
            log.debug("%s: recording %s for %s failed", c.name, e.reason, key)

    def run_until_idle(self, max_passes: int = 100000) -> int:
        """Tests: work until nothing is queued and no timer is due now. Returns passes made."""
        for i in range(max_passes):
            if not self.step_once():
                return i
        raise RuntimeError("cluster did not settle (a reconcile loop keeps writing?)")

    def advance(self, seconds: float) -> None:
        """Tests on a ManualClock: move time forward, firing timers in time order."""
        assert isinstance(self.clock, ManualClock), "advance() drives a ManualClock"
        target = self.clock.now() + seconds
        self.run_until_idle()
        while True:
            due = self.clock.next_due()
            if due is None or due > target:
                break
            self.clock.set(max(due, self.clock.now()))
            self.run_until_idle()
        self.clock.set(target)
        self.run_until_idle()

    @property
    def freeze_heap(self) -> bool:
        """Whether the engine's passes freeze the collector's survivors while busy (engine/heap.py):
        on for a server's engine thread and for the in-process profile, off for tests."""
        return self._freezer is not None

    @freeze_heap.setter
    def freeze_heap(self, on: bool) -> None:
        self._freezer = heap.Freezer(self.store.resource_version) if on else None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kubeplay-engine", daemon=True)
        self._thread.start()

    def _wake_up(self) -> None:
        """A write or a clock change: wake the engine thread. Its own writes and timers need no
        wake-up (a pass that did work is followed by another), and skip the Event's lock."""
        # (A wake already pending needs no second set: Event.set takes the lock and notifies
        # every time; the in-process profile, with no engine thread, writes ~12 times a pod.)
        # The thread test first: get_ident is a C call, is_set a Python one, and in a server
        # nearly every write and timer is the engine thread's own, with no wake pending.
        if threading.get_ident() != self._engine_thread and not self._wake.is_set():
            self._wake.set()

    def _run(self) -> None:
        self._engine_thread = threading.get_ident()
        self.freeze_heap = True
        last_flush = time.monotonic()
        while not self._stop.is_set():
            if self.clock.paused:
                # Frozen: the apiserver still takes writes, but nothing acts until a step.
                if self._steps_seen != self.clock.steps:
                    self._steps_seen = self.clock.steps
                    for _ in range(10000):
                        if not self.step_once():
                            break
                self._flush()
                self._wake.wait(IDLE_BACKSTOP)
                self._wake.clear()
                continue
            try:
                worked = self.step_once(flush=False)
            except Exception:
                log.exception("engine pass failed")
                worked = False
            now = time.monotonic()
            if worked:
                if now - last_flush >= FLUSH_EVERY:
                    last_flush = now
                    self._flush()
                continue
            wait = self.idle_wait()
            if wait >= FLUSH_EVERY or now - last_flush >= FLUSH_EVERY:
                last_flush = now          # going quiet (or due anyway): commit what is pending
                self._flush()
            if wait > 0:
                self._wake.wait(wait)
            self._wake.clear()

    def idle_wait(self) -> float:
        """Wall seconds an idle engine thread may sleep: until its next timer or the oldest
        Event's expiry (IDLE_BACKSTOP at most; anything else that needs it wakes it)."""
        due = self.clock.next_due()
        expiry = self.store.next_event_expiry()
        if expiry is not None:
            # Expiries batched on the heartbeat grid (etcd, too, revokes expired leases in a loop
            # every 500 ms): after a scale-up they come tens a second, one wake-up each otherwise.
            expiry = on_grid(expiry)
            if due is None or expiry < due:
                due = expiry
        if due is not None:
            w = self.clock.wall_seconds_until(due)
            if w is not None:
                return min(IDLE_BACKSTOP, w)
        return IDLE_BACKSTOP

    def _flush(self) -> None:
        try:
            self.store.flush(wait=False)
        except Exception:
            log.exception("committing the engine's writes failed")

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(10)
        self.store.close()
