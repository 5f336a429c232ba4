"""The control plane a kind cluster shows (engine/controlplane.py): the control-plane node, the
static pods' mirror pods, the addons, and stopping/starting the scheduler and the controller
manager (level-triggered catch-up on start)."""
from __future__ import annotations

import pytest

from engine import objects, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store

CP_NODE = "kubeplay-control-plane"


@pytest.fixture
def cluster():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=3, control_plane=True)
    c.advance(10)
    yield c
    c.stop()


def ready(pod: dict) -> str:
    return objects.get_condition(pod.get("status"), "Ready")["status"]


def web(replicas=2) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}


def web_pods(c) -> list[dict]:
    return [p for p in c.store.iter(kinds.POD, "default") if (objects.meta(p).get("labels") or {}).get("app") == "web"]


def test_kind_layout_node_static_pods_and_addons(cluster):
    node = cluster.store.get(kinds.NODE, "", CP_NODE)
    assert node["spec"]["taints"] == [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
    assert "node-role.kubernetes.io/control-plane" in node["metadata"]["labels"]
    assert [objects.name_of(n) for n in cluster.store.iter(kinds.NODE)] == [CP_NODE, "node-1", "node-2", "node-3"]
    system = {objects.name_of(p): p for p in cluster.store.iter(kinds.POD, "kube-system")}
    for comp in ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        pod = system[f"{comp}-{CP_NODE}"]
        md = pod["metadata"]
        assert md["labels"] == {"component": comp, "tier": "control-plane"}
        assert md["annotations"]["kubernetes.io/config.source"] == "file"
        assert md["annotations"]["kubernetes.io/config.mirror"] == md["annotations"]["kubernetes.io/config.hash"]
        assert md["ownerReferences"][0]["kind"] == "Node" and md["ownerReferences"][0]["name"] == CP_NODE
        assert pod["spec"]["priorityClassName"] == "system-node-critical" and pod["spec"]["priority"] == 2000001000
        # hostNetwork: the pod's address is the node's.
        assert pod["status"]["podIP"] == pod["status"]["hostIP"] == "172.18.0.1"
        assert ready(pod) == "True"
    dns = [p for n, p in system.items() if n.startswith("coredns-")]
    proxy = [p for n, p in system.items() if n.startswith("kube-proxy-")]
    assert len(dns) == 2 and all(p["spec"]["priorityClassName"] == "system-cluster-critical" for p in dns)
    assert sorted(p["spec"]["nodeName"] for p in proxy) == [CP_NODE, "node-1", "node-2", "node-3"]
    assert cluster.store.get(kinds.SERVICE, "kube-system", "kube-dns")["spec"]["clusterIP"] == "10.96.0.10"


def test_the_addons_are_kubeadms_writes(cluster):
    """kubeadm's addons phase creates coredns and kube-proxy through client-go: their
    managedFields name `kubeadm` (an Update at creation), and the controllers' status writes
    come after it under their own name."""
    for rt, name in ((kinds.DEPLOYMENT, "coredns"), (kinds.DAEMONSET, "kube-proxy"), (kinds.CONFIGMAP, "coredns"),
                     (kinds.SERVICE, "kube-dns")):
        entries = cluster.store.get(rt, "kube-system", name)["metadata"]["managedFields"]
        spec = [(e["manager"], e["operation"]) for e in entries if e.get("subresource") is None]
        assert spec == [("kubeadm", "Update")], name
    entries = cluster.store.get(kinds.DEPLOYMENT, "kube-system", "coredns")["metadata"]["managedFields"]
    assert [(e["manager"], e.get("subresource")) for e in entries if e.get("subresource")] == \
        [("kube-controller-manager", "status")]


def test_a_deleted_mirror_pod_is_posted_again_and_the_static_pod_runs_on(cluster):
    name = f"kube-scheduler-{CP_NODE}"
    old = cluster.store.get(kinds.POD, "kube-system", name)
    cluster.store.delete(kinds.POD, "kube-system", name)
    cluster.advance(5)
    new = cluster.store.get(kinds.POD, "kube-system", name)
    assert objects.uid_of(new) != objects.uid_of(old)
    # The same containers: not stopped, not restarted.
    assert new["status"]["containerStatuses"][0]["state"] == old["status"]["containerStatuses"][0]["state"]
    assert new["status"]["containerStatuses"][0]["restartCount"] == 0 and ready(new) == "True"
    killing = [e for e in cluster.store.iter(kinds.EVENT, "kube-system")
               if e["reason"] == "Killing" and e["involvedObject"]["name"] == name]
    assert killing == []


def test_an_ordinary_pod_stays_off_the_control_plane_node(cluster):
    cluster.store.create(web(replicas=6))
    cluster.advance(5)
    assert {p["spec"]["nodeName"] for p in web_pods(cluster)} <= {"node-1", "node-2", "node-3"}


def test_scheduler_stopped_pods_stay_pending_then_started_they_are_bound(cluster):
    assert cluster.set_component_running("kube-scheduler", False) is True
    assert cluster.set_component_running("kube-scheduler", False) is False
    cluster.advance(2)
    assert ready(cluster.store.get(kinds.POD, "kube-system", f"kube-scheduler-{CP_NODE}")) == "False"
    cluster.store.create(web())
    cluster.advance(30)
    pods = web_pods(cluster)
    assert len(pods) == 2 and not any(p["spec"].get("nodeName") for p in pods)
    cluster.set_component_running("kube-scheduler", True)
    cluster.advance(5)
    assert all(p["spec"].get("nodeName") and p["status"]["phase"] == "Running" for p in web_pods(cluster))
    assert ready(cluster.store.get(kinds.POD, "kube-system", f"kube-scheduler-{CP_NODE}")) == "True"


def test_controller_manager_stopped_nothing_replaces_a_killed_pod_until_it_starts(cluster):
    cluster.store.create(web())
    cluster.advance(5)
    cluster.set_component_running("kube-controller-manager", False)
    cluster.advance(1)
    victim = web_pods(cluster)[0]
    cluster.store.delete(kinds.POD, "default", objects.name_of(victim))
    # Scaling the Deployment meanwhile is also not acted on.
    d = objects.clone(cluster.store.get(kinds.DEPLOYMENT, "default", "web"))
    d["spec"]["replicas"] = 3
    cluster.store.update(d)
    cluster.advance(30)
    assert len(web_pods(cluster)) == 1
    assert ready(cluster.store.get(kinds.POD, "kube-system", f"kube-controller-manager-{CP_NODE}")) == "False"
    cluster.set_component_running("kube-controller-manager", True)
    cluster.advance(10)
    # Level-triggered: it acts on what is there now (1 pod, 3 wanted), not on the missed events.
    pods = web_pods(cluster)
    assert len(pods) == 3 and all(p["status"]["phase"] == "Running" for p in pods)


def test_an_unknown_component_is_not_found(cluster):
    from engine import errors
    with pytest.raises(errors.NotFound):
        cluster.set_component_running("kube-proxy", False)


def test_without_control_plane_the_engine_cluster_is_as_before():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=2)
    c.run_until_idle()
    assert [objects.name_of(n) for n in c.store.iter(kinds.NODE)] == ["node-1", "node-2"]
    assert list(c.store.iter(kinds.POD, "kube-system")) == []
    c.stop()


def test_the_control_plane_node_and_its_lease_are_its_kubelets(cluster):
    """Every node registers itself: the control-plane Node and Lease are managed by the kubelet
    alone, like a worker's — and so its Lease renewals take the renewal's short path."""
    for name in (CP_NODE, "node-1"):
        for rt, ns in ((kinds.NODE, ""), (kinds.LEASE, "kube-node-lease")):
            managers = [e["manager"] for e in cluster.store.get(rt, ns, name)["metadata"]["managedFields"]]
            assert managers == ["kubelet"], (rt.kind, name, managers)
    cluster.advance(60)                                   # renewed several times since
    lease = cluster.store.get(kinds.LEASE, "kube-node-lease", CP_NODE)
    assert [e["manager"] for e in lease["metadata"]["managedFields"]] == ["kubelet"]
