"""Node lifecycle: a node whose kubelet stops renewing its lease goes NotReady after the grace
period, is tainted unreachable, its pods are marked not ready and evicted after their
toleration; when the kubelet is back the node is Ready and untainted. Cordon adds the
unschedulable taint; pods bound to a node that does not exist are garbage-collected."""

from engine import objects, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store

UNREACHABLE = "node.kubernetes.io/unreachable"


def pod(name, node=None, **spec):
    spec["containers"] = [{"name": "c", "image": "nginx:1.27"}]
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def node(c, name="node-1"):
    return c.store.get(kinds.NODE, "", name)


def conditions(n):
    return {c["type"]: c for c in n["status"]["conditions"]}


def taints(n):
    return [(t["key"], t["effect"]) for t in n["spec"].get("taints") or ()]


def get(c, name):
    return c.store.try_get(kinds.POD, "default", name)


def events(c, name, reason=None):
    items, _ = c.store.list(kinds.EVENT, "default")
    return [e for e in items if e["involvedObject"]["name"] == name and (reason is None or e["reason"] == reason)]


def stop_heartbeats_until_not_ready(c, name="node-1"):
    c.fail_node(name)
    t = c.timings
    c.advance(t.node_monitor_grace + t.node_monitor_period + c.controller("kubelet").lease_period())


def test_registered_node_event(cluster):
    [ev] = events(cluster, "node-1", "RegisteredNode")
    assert ev["message"] == "Node node-1 event: Registered Node node-1 in Controller"
    assert ev["source"] == {"component": "node-controller"}
    assert ev["involvedObject"]["uid"] == node(cluster)["metadata"]["uid"]


def test_node_stays_ready_within_the_grace_period(cluster):
    cluster.fail_node("node-1")
    cluster.advance(cluster.timings.node_monitor_grace - 1)
    assert conditions(node(cluster))["Ready"]["status"] == "True"
    assert taints(node(cluster)) == []


def test_silent_node_goes_unknown_and_is_tainted(cluster):
    stop_heartbeats_until_not_ready(cluster)
    n = node(cluster)
    conds = conditions(n)
    for t in ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure"):
        assert (conds[t]["status"], conds[t]["reason"], conds[t]["message"]) == (
            "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."), t
    assert taints(n) == [(UNREACHABLE, "NoExecute"), (UNREACHABLE, "NoSchedule")]
    assert n["spec"]["taints"][0]["timeAdded"]
    [ev] = events(cluster, "node-1", "NodeNotReady")
    assert ev["message"] == "Node node-1 status is now: NodeNotReady" and ev["source"] == {"component": "node-controller"}
    # the others are untouched
    assert conditions(node(cluster, "node-2"))["Ready"]["status"] == "True"
    assert taints(node(cluster, "node-2")) == []


def test_new_pods_avoid_the_tainted_node(cluster):
    stop_heartbeats_until_not_ready(cluster)
    for i in range(6):
        cluster.store.create(pod(f"p{i}"))
    cluster.run_until_idle()
    assert "node-1" not in {get(cluster, f"p{i}")["spec"]["nodeName"] for i in range(6)}


def test_pods_are_marked_not_ready_then_evicted_after_their_toleration(cluster):
    cluster.store.create(pod("web", node="node-1"))     # admission adds the 300 s default tolerations
    cluster.advance(5)
    assert objects.get_condition(get(cluster, "web")["status"], "Ready")["status"] == "True"
    cluster.fail_node("node-1")
    renewed = objects.parse_time(cluster.store.get(kinds.LEASE, "kube-node-lease", "node-1")["spec"]["renewTime"])
    t = cluster.timings
    while conditions(node(cluster))["Ready"]["status"] == "True":
        cluster.advance(1)
    # stale once the grace has passed since the last renewal, noticed at the next monitor tick
    assert t.node_monitor_grace < cluster.clock.now() - renewed <= t.node_monitor_grace + t.node_monitor_period
    p = get(cluster, "web")
    assert objects.get_condition(p["status"], "Ready")["status"] == "False"
    assert not p["metadata"].get("deletionTimestamp")
    [ev] = events(cluster, "web", "NodeNotReady")
    assert (ev["type"], ev["message"]) == ("Warning", "Node is not ready")
    cluster.advance(t.toleration(300) + 1)
    p = get(cluster, "web")
    assert p["metadata"]["deletionTimestamp"]                          # Terminating, never confirmed
    [ev] = events(cluster, "web", "TaintManagerEviction")
    assert ev["message"] == "Marking for deletion Pod default/web"
    assert ev["source"] == {"component": "taint-eviction-controller"}
    target = objects.get_condition(p["status"], "DisruptionTarget")
    assert (target["status"], target["reason"], target["message"]) == (
        "True", "DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint")
    cluster.advance(60)
    assert get(cluster, "web")["metadata"]["deletionTimestamp"]


def test_zero_toleration_evicts_at_once_and_no_seconds_means_never(cluster):
    zero = [{"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 0}]
    forever = [{"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute"},
               {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}]
    cluster.store.create(pod("fast", node="node-1", tolerations=zero))
    cluster.store.create(pod("stays", node="node-1", tolerations=forever))
    cluster.advance(5)
    stop_heartbeats_until_not_ready(cluster)
    assert get(cluster, "fast")["metadata"]["deletionTimestamp"]
    cluster.advance(600)
    assert not get(cluster, "stays")["metadata"].get("deletionTimestamp")


def test_user_noexecute_taint_evicts_and_the_live_kubelet_finishes(cluster):
    cluster.store.create(pod("web", node="node-2"))
    cluster.advance(5)
    n = objects.clone(node(cluster, "node-2"))
    n["spec"]["taints"] = [{"key": "maintenance", "value": "now", "effect": "NoExecute"}]
    cluster.store.update(n)
    cluster.advance(5)
    assert get(cluster, "web") is None
    assert events(cluster, "web", "TaintManagerEviction") and events(cluster, "web", "Killing")


def test_recovered_node_is_ready_again_and_untainted(cluster):
    cluster.store.create(pod("web", node="node-1"))
    cluster.advance(5)
    stop_heartbeats_until_not_ready(cluster)
    cluster.recover_node("node-1")
    cluster.advance(cluster.timings.node_monitor_period)
    n = node(cluster)
    ready = conditions(n)["Ready"]
    assert (ready["status"], ready["reason"], ready["message"]) == ("True", "KubeletReady", "kubelet is posting ready status")
    assert taints(n) == []
    assert events(cluster, "node-1", "NodeReady")[-1]["message"] == "Node node-1 status is now: NodeReady"
    # the evicted pod's deletion was waiting for the kubelet: it is gone now
    assert get(cluster, "web") is None


def test_recovered_node_reports_its_pods_ready_again():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=2)
    forever = [{"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute"}]
    c.store.create(pod("ds-like", node="node-1", tolerations=forever))
    c.advance(5)
    stop_heartbeats_until_not_ready(c)
    assert objects.get_condition(get(c, "ds-like")["status"], "Ready")["status"] == "False"
    c.recover_node("node-1")
    c.advance(1)
    assert objects.get_condition(get(c, "ds-like")["status"], "Ready")["status"] == "True"


def test_cordon_adds_the_unschedulable_taint_and_uncordon_removes_it(cluster):
    n = objects.clone(node(cluster, "node-3"))
    n["spec"]["unschedulable"] = True
    cluster.store.update(n)
    cluster.run_until_idle()
    assert taints(node(cluster, "node-3")) == [("node.kubernetes.io/unschedulable", "NoSchedule")]
    n = objects.clone(node(cluster, "node-3"))
    n["spec"].pop("unschedulable")
    cluster.store.update(n)
    cluster.run_until_idle()
    assert taints(node(cluster, "node-3")) == []


def test_pods_on_a_missing_node_are_garbage_collected(cluster):
    cluster.store.create(pod("orphan", node="ghost"))
    cluster.advance(2)
    assert get(cluster, "orphan") is not None
    cluster.advance(5)
    assert get(cluster, "orphan") is None


def test_pods_of_a_deleted_node_are_garbage_collected(cluster):
    cluster.store.create(pod("web", node="node-2"))
    cluster.advance(5)
    cluster.store.delete(kinds.NODE, "", "node-2")
    cluster.advance(10)
    assert get(cluster, "web") is None


def test_quiescence_only_leases_move_with_time(cluster):
    cluster.store.create(pod("web"))
    cluster.store.create(pod("big", containers=None))
    for i in range(4):
        cluster.store.create(pod(f"p{i}"))
    stop_heartbeats_until_not_ready(cluster, "node-3")
    cluster.advance(30)
    rv = cluster.store.resource_version
    pods = [objects.key_of(p) for p in cluster.store.list(kinds.POD)[0]]
    nodes = [objects.name_of(n) for n in cluster.store.list(kinds.NODE)[0]]
    for _ in range(2):
        for k in pods:
            for name in ("default-scheduler", "kubelet", "node-lifecycle-controller"):
                cluster.controller(name).reconcile(k)
        for n in nodes:
            cluster.controller("node-lifecycle-controller").reconcile(n)
            cluster.controller("kubelet").reconcile(f"node:{n}")
        cluster.run_until_idle()
    assert cluster.store.resource_version == rv
    # Time passing moves only the live nodes' leases.
    watch = cluster.store.watch(rv)
    cluster.advance(cluster.controller("kubelet").lease_period())
    moved = {(e.object["kind"], e.object["metadata"]["name"]) for e in watch.next(0)}
    assert moved == {("Lease", "node-1"), ("Lease", "node-2")}


def test_a_node_object_without_a_kubelet_never_becomes_ready(cluster):
    cluster.store.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "by-hand"}})
    cluster.advance(cluster.timings.node_monitor_grace + cluster.timings.node_monitor_period + 1)
    n = node(cluster, "by-hand")
    ready = conditions(n)["Ready"]
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "Unknown", "NodeStatusNeverUpdated", "Kubelet never posted node status.")
    assert taints(n) == [(UNREACHABLE, "NoExecute"), (UNREACHABLE, "NoSchedule")]
    assert cluster.store.try_get(kinds.LEASE, "kube-node-lease", "by-hand") is None
