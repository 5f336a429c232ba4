"""The DaemonSet controller runs one pod on every eligible node — nodeSelector/affinity and taints
decide, counting the tolerations it adds itself — follows nodes as they come, change and go,
pins each pod to its node with a matchFields affinity the scheduler honours, rolls updates within
maxUnavailable, and reports status, as kube-controller-manager does.

Tests run the whole engine (scheduler, simulated kubelets, node lifecycle) on a ManualClock."""
import re

import pytest

from engine import objects, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.controllers.daemonset import DAEMON_TOLERATIONS, node_should_run, target_node
from engine.store import Store

SUFFIX = "[bcdfghjklmnpqrstvwxz2456789]{5}"


@pytest.fixture
def cluster():
    return Cluster(store=Store(), clock=ManualClock(), nodes=3)


def daemonset(name="agent", node_selector=None, tolerations=None, **spec):
    pod_spec = {"containers": [{"name": "agent", "image": "registry.example/log-agent:1.16"}]}
    if node_selector:
        pod_spec["nodeSelector"] = node_selector
    if tolerations:
        pod_spec["tolerations"] = tolerations
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec}, **spec}}


def ds(cluster, name="agent"):
    return cluster.store.get(kinds.DAEMONSET, "default", name)


def live_pods(cluster, name="agent"):
    """node name -> pod, for the DaemonSet's pods that are not being deleted."""
    out = {}
    for p in cluster.store.iter(kinds.POD, "default"):
        if objects.labels_of(p).get("app") == name and not objects.is_terminating(p):
            assert target_node(p) not in out, f"two pods for node {target_node(p)}"
            out[target_node(p)] = p
    return out


def running_ready(pod) -> bool:
    cond = objects.get_condition(pod.get("status"), "Ready")
    return (pod.get("status") or {}).get("phase") == "Running" and bool(cond) and cond["status"] == "True"


def settle(cluster, seconds=30):
    for _ in range(int(seconds // 5)):
        cluster.advance(5)


def patch_node(cluster, name, body):
    cluster.store.patch(kinds.NODE, None, name, "merge", body)


def taint_node(cluster, name, *taints):
    node = objects.clone(cluster.store.get(kinds.NODE, None, name))
    node.setdefault("spec", {})["taints"] = list((node["spec"].get("taints") or [])) + list(taints)
    cluster.store.update(node)


def ds_events(cluster, name="agent"):
    evs = [e for e in cluster.store.iter(kinds.EVENT, "default")
           if e["involvedObject"].get("kind") == "DaemonSet" and e["involvedObject"]["name"] == name]
    return [(e["reason"], e["message"]) for e in sorted(evs, key=lambda e: e["metadata"]["name"])]


# ---- one pod per node ------------------------------------------------------------------------------

def test_one_pod_per_node_pinned_by_node_name_affinity_and_bound_by_the_scheduler(cluster):
    cluster.store.create(daemonset())
    settle(cluster)
    by_node = live_pods(cluster)
    assert sorted(by_node) == ["node-1", "node-2", "node-3"]
    d = ds(cluster)
    cr = [c for c in cluster.store.iter(kinds.CONTROLLERREVISION, "default")]
    assert len(cr) == 1 and cr[0]["revision"] == 1
    h = cr[0]["metadata"]["labels"]["controller-revision-hash"]
    assert objects.name_of(cr[0]) == f"agent-{h}"
    for node, p in by_node.items():
        assert re.fullmatch(f"agent-{SUFFIX}", objects.name_of(p))
        labels = dict(p["metadata"]["labels"])
        # pod-template-generation follows the deprecated.daemonset.template.generation annotation
        # the apiserver keeps on the DaemonSet (present once admission sets it).
        gen = (d["metadata"].get("annotations") or {}).get("deprecated.daemonset.template.generation")
        assert labels.pop("pod-template-generation", None) == gen
        assert labels == {"app": "agent", "controller-revision-hash": h}
        assert p["spec"]["affinity"] == {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}}}
        assert p["spec"]["nodeName"] == node and running_ready(p)
        assert p["spec"]["tolerations"] == [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
            {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
            {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
            {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
            {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}]
        ref = objects.controller_of(p)
        assert (ref["kind"], ref["name"], ref["uid"]) == ("DaemonSet", "agent", objects.uid_of(d))
    assert d["status"] == {"currentNumberScheduled": 3, "numberMisscheduled": 0, "desiredNumberScheduled": 3,
                           "numberReady": 3, "observedGeneration": 1, "updatedNumberScheduled": 3,
                           "numberAvailable": 3}
    created = sorted(m for r, m in ds_events(cluster) if r == "SuccessfulCreate")
    assert created == sorted(f"Created pod: {objects.name_of(p)}" for p in by_node.values())


def test_host_network_pods_also_tolerate_network_unavailable(cluster):
    obj = daemonset()
    obj["spec"]["template"]["spec"]["hostNetwork"] = True
    cluster.store.create(obj)
    settle(cluster)
    tols = next(iter(live_pods(cluster).values()))["spec"]["tolerations"]
    assert tols[-1] == {"key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"}
    assert len(tols) == len(DAEMON_TOLERATIONS) + 1


def test_a_node_added_gets_a_pod_and_a_node_removed_loses_it(cluster):
    cluster.store.create(daemonset())
    settle(cluster)
    cluster.add_node("node-4")
    settle(cluster)
    assert sorted(live_pods(cluster)) == ["node-1", "node-2", "node-3", "node-4"]
    assert running_ready(live_pods(cluster)["node-4"])
    assert ds(cluster)["status"]["desiredNumberScheduled"] == 4
    gone = objects.name_of(live_pods(cluster)["node-2"])
    cluster.store.delete(kinds.NODE, None, "node-2")
    settle(cluster, 60)
    assert sorted(live_pods(cluster)) == ["node-1", "node-3", "node-4"]
    assert cluster.store.try_get(kinds.POD, "default", gone) is None
    st = ds(cluster)["status"]
    assert (st["desiredNumberScheduled"], st["currentNumberScheduled"], st["numberReady"]) == (3, 3, 3)


def test_node_selector_limits_pods_to_matching_nodes_and_follows_label_changes(cluster):
    patch_node(cluster, "node-1", {"metadata": {"labels": {"disk": "ssd"}}})
    cluster.store.create(daemonset(node_selector={"disk": "ssd"}))
    settle(cluster)
    assert sorted(live_pods(cluster)) == ["node-1"]
    patch_node(cluster, "node-3", {"metadata": {"labels": {"disk": "ssd"}}})
    settle(cluster)
    assert sorted(live_pods(cluster)) == ["node-1", "node-3"]
    removed = objects.name_of(live_pods(cluster)["node-1"])
    patch_node(cluster, "node-1", {"metadata": {"labels": {"disk": None}}})
    settle(cluster)
    assert sorted(live_pods(cluster)) == ["node-3"]
    assert ("SuccessfulDelete", f"Deleted pod: {removed}") in ds_events(cluster)
    st = ds(cluster)["status"]
    assert (st["desiredNumberScheduled"], st["currentNumberScheduled"], st["numberMisscheduled"]) == (1, 1, 0)


def test_required_node_affinity_in_the_template_selects_nodes(cluster):
    patch_node(cluster, "node-2", {"metadata": {"labels": {"zone": "b"}}})
    obj = daemonset()
    obj["spec"]["template"]["spec"]["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]}]}}}
    cluster.store.create(obj)
    settle(cluster)
    assert sorted(live_pods(cluster)) == ["node-2"]
    # The pod's own affinity is replaced by the node-name term (the scheduler needs nothing else).
    terms = live_pods(cluster)["node-2"]["spec"]["affinity"]["nodeAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert terms == [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-2"]}]}]


# ---- taints ----------------------------------------------------------------------------------------

def test_taints_keep_pods_off_unless_tolerated(cluster):
    taint_node(cluster, "node-1", {"key": "dedicated", "value": "db", "effect": "NoSchedule"})
    cluster.store.create(daemonset())
    cluster.store.create(daemonset("tolerant", tolerations=[{"key": "dedicated", "operator": "Equal",
                                                             "value": "db", "effect": "NoSchedule"}]))
    settle(cluster)
    assert sorted(live_pods(cluster)) == ["node-2", "node-3"]
    assert sorted(live_pods(cluster, "tolerant")) == ["node-1", "node-2", "node-3"]


def test_a_new_noschedule_taint_keeps_the_running_pod_but_noexecute_removes_it(cluster):
    cluster.store.create(daemonset())
    settle(cluster)
    taint_node(cluster, "node-1", {"key": "maintenance", "effect": "NoSchedule"})
    settle(cluster)
    assert "node-1" in live_pods(cluster)                      # shouldContinueRunning
    assert ds(cluster)["status"]["desiredNumberScheduled"] == 2
    assert ds(cluster)["status"]["numberMisscheduled"] == 1
    taint_node(cluster, "node-2", {"key": "evict-me", "effect": "NoExecute"})
    settle(cluster)
    assert sorted(live_pods(cluster)) == ["node-1", "node-3"]


def test_daemon_pods_run_on_cordoned_nodes(cluster):
    # kubectl cordon sets spec.unschedulable; the node lifecycle controller adds the taint.
    patch_node(cluster, "node-2", {"spec": {"unschedulable": True}})
    taint_node(cluster, "node-2", {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"})
    cluster.store.create(daemonset())
    settle(cluster)
    assert sorted(live_pods(cluster)) == ["node-1", "node-2", "node-3"]
    assert running_ready(live_pods(cluster)["node-2"])


def test_node_eligibility_counts_the_automatic_tolerations():
    node = {"metadata": {"name": "n"}, "spec": {"taints": [
        {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"},
        {"key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule"}]}}
    assert node_should_run(node, daemonset())[:2] == (True, True)
    node["spec"]["taints"].append({"key": "node.kubernetes.io/network-unavailable", "effect": "NoSchedule"})
    assert node_should_run(node, daemonset())[:2] == (False, True)
    host = daemonset()
    host["spec"]["template"]["spec"]["hostNetwork"] = True
    assert node_should_run(node, host)[:2] == (True, True)


# ---- updates ---------------------------------------------------------------------------------------

def test_rolling_update_replaces_one_node_at_a_time(cluster):
    cluster.store.create(daemonset())
    settle(cluster)
    old_hash = next(iter(live_pods(cluster).values()))["metadata"]["labels"]["controller-revision-hash"]
    feed = cluster.store.subscribe()
    cluster.store.patch(kinds.DAEMONSET, "default", "agent", "merge", {"spec": {"template": {"spec": {
        "containers": [{"name": "agent", "image": "registry.example/log-agent:1.17"}]}}}})
    # Watch the rollout: never more than one node without a Ready pod (maxUnavailable 1).
    for _ in range(40):
        cluster.advance(1)
        ready_nodes = {n for n, p in live_pods(cluster).items() if running_ready(p)}
        assert len(ready_nodes) >= 2
    by_node = live_pods(cluster)
    assert {p["spec"]["containers"][0]["image"] for p in by_node.values()} == {"registry.example/log-agent:1.17"}
    new_hash = next(iter(by_node.values()))["metadata"]["labels"]["controller-revision-hash"]
    assert new_hash != old_hash
    revs = sorted((c["revision"], c["metadata"]["labels"]["controller-revision-hash"])
                  for c in cluster.store.iter(kinds.CONTROLLERREVISION, "default"))
    assert revs == [(1, old_hash), (2, new_hash)]
    st = ds(cluster)["status"]
    assert (st["updatedNumberScheduled"], st["numberAvailable"], st["observedGeneration"]) == (3, 3, 2)
    # maxUnavailable 1 without surge: each node's old pod goes first, then its new pod is created.
    pod_events = [ev for ev in feed if ev.object.get("kind") == "Pod"]
    assert len([ev for ev in pod_events if ev.type == "DELETED"]) == 3
    for node in ("node-1", "node-2", "node-3"):
        gone = next(i for i, ev in enumerate(pod_events) if ev.type == "DELETED" and target_node(ev.object) == node)
        made = next(i for i, ev in enumerate(pod_events) if ev.type == "ADDED" and target_node(ev.object) == node)
        assert gone < made


def test_on_delete_waits_for_the_user(cluster):
    cluster.store.create(daemonset(updateStrategy={"type": "OnDelete"}))
    settle(cluster)
    cluster.store.patch(kinds.DAEMONSET, "default", "agent", "merge", {"spec": {"template": {"spec": {
        "containers": [{"name": "agent", "image": "registry.example/log-agent:1.17"}]}}}})
    settle(cluster)
    assert {p["spec"]["containers"][0]["image"] for p in live_pods(cluster).values()} == {"registry.example/log-agent:1.16"}
    assert "updatedNumberScheduled" not in ds(cluster)["status"]
    cluster.store.delete(kinds.POD, "default", objects.name_of(live_pods(cluster)["node-1"]))
    settle(cluster)
    images = {n: p["spec"]["containers"][0]["image"] for n, p in live_pods(cluster).items()}
    assert images == {"node-1": "registry.example/log-agent:1.17", "node-2": "registry.example/log-agent:1.16", "node-3": "registry.example/log-agent:1.16"}
    assert ds(cluster)["status"]["updatedNumberScheduled"] == 1


def test_max_surge_starts_the_new_pod_before_removing_the_old(cluster):
    cluster.store.create(daemonset(updateStrategy={"type": "RollingUpdate",
                                                   "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}))
    settle(cluster)
    feed = cluster.store.subscribe()
    cluster.store.patch(kinds.DAEMONSET, "default", "agent", "merge", {"spec": {"template": {"spec": {
        "containers": [{"name": "agent", "image": "registry.example/log-agent:1.17"}]}}}})
    for _ in range(40):
        cluster.advance(1)
        ready_nodes = {target_node(p) for p in cluster.store.iter(kinds.POD, "default")
                       if running_ready(p) and not objects.is_terminating(p)}
        assert ready_nodes == {"node-1", "node-2", "node-3"}
    assert {p["spec"]["containers"][0]["image"] for p in live_pods(cluster).values()} == {"registry.example/log-agent:1.17"}
    # On each node the old pod is marked for deletion only after the new one there is Ready.
    new_ready, old_marked = {}, {}
    for i, ev in enumerate(e for e in feed if e.object.get("kind") == "Pod"):
        p, node = ev.object, target_node(ev.object)
        if p["spec"]["containers"][0]["image"] == "registry.example/log-agent:1.17" and running_ready(p):
            new_ready.setdefault(node, i)
        if p["spec"]["containers"][0]["image"] == "registry.example/log-agent:1.16" and objects.is_terminating(p):
            old_marked.setdefault(node, i)
    assert sorted(old_marked) == ["node-1", "node-2", "node-3"]
    assert all(new_ready[n] < old_marked[n] for n in old_marked)


def test_daemon_pods_stay_on_a_failed_node(cluster):
    cluster.store.create(daemonset())
    settle(cluster)
    pod = live_pods(cluster)["node-2"]
    cluster.fail_node("node-2")
    settle(cluster, 400)                    # past the grace period and any eviction timeout
    kept = cluster.store.get(kinds.POD, "default", objects.name_of(pod))
    assert objects.uid_of(kept) == objects.uid_of(pod) and not objects.is_terminating(kept)
    assert sorted(live_pods(cluster)) == ["node-1", "node-2", "node-3"]


# ---- quiescence ----------------------------------------------------------------------------------

def test_a_converged_daemonset_writes_nothing_when_reconciled_again(cluster):
    cluster.store.create(daemonset())
    cluster.store.create(daemonset("picky", node_selector={"none": "x"}))
    settle(cluster)
    rv = cluster.store.resource_version
    ctl = cluster.controller("daemonset-controller")
    for key in ("default/agent", "default/picky", "default/missing"):
        assert ctl.reconcile(key) is None
    cluster.run_until_idle()
    assert cluster.store.resource_version == rv
