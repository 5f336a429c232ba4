"""The ReplicaSet controller keeps `spec.replicas` active pods, named and owned as upstream,
adopting and releasing by labels, deleting the right pods first, and reporting status.

These tests run the real store and loop with only the workload controllers (no scheduler or
kubelet), so pod readiness and node placement are written by the test itself."""
import re

import pytest

import engine.cluster as cluster_module
from engine import objects, resources as kinds
from engine.clock import ManualClock
from engine.loop import Controller
from engine.controllers.serviceaccounts import ServiceAccountsController   # pods need their account
from engine.controllers.deployment import DeploymentController
from engine.controllers.replicaset import ReplicaSetController, rank_for_deletion
from engine.store import Store

SUFFIX = "[bcdfghjklmnpqrstvwxz2456789]{5}"


class NodesOnly(Controller):
    """Stands in for the kubelets: registers Node objects, runs nothing."""
    name = "kubelet"

    def handlers(self):
        return {}

    def reconcile(self, key):
        return None

    def register_node(self, name, **kw):
        return self.store.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}}, sync=False)

    def node_recovered(self, name):
        pass


def workload_cluster(monkeypatch, **store_kw):
    monkeypatch.setattr(cluster_module, "_controller_classes",
                        lambda: [DeploymentController, ReplicaSetController, NodesOnly, ServiceAccountsController])
    return cluster_module.Cluster(store=Store(**store_kw), clock=ManualClock(), nodes=3)


@pytest.fixture
def cluster(monkeypatch):
    return workload_cluster(monkeypatch)


def replicaset(name="web", replicas=3, labels=None, **spec):
    labels = labels or {"app": name}
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)},
                     "template": {"metadata": {"labels": dict(labels)},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}, **spec}}


def bare_pod(name, labels, node=None):
    spec = {"containers": [{"name": "c", "image": "nginx"}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default",
                                                            "labels": dict(labels)}, "spec": spec}


def pods(cluster, ns="default"):
    return sorted(cluster.store.iter(kinds.POD, ns), key=objects.name_of)


def active_pods(cluster):
    return [p for p in pods(cluster) if not objects.is_terminating(p)]


def set_ready(cluster, pod, ready=True, phase="Running", at=None):
    p = objects.clone(cluster.store.get(kinds.POD, objects.namespace_of(pod), objects.name_of(pod)))
    when = objects.iso(cluster.clock.now() if at is None else at)
    p["status"] = dict(p.get("status") or {}, phase=phase,
                       conditions=[{"type": "Ready", "status": "True" if ready else "False",
                                    "lastTransitionTime": when}])
    return cluster.store.update(p, subresource="status")


def make_all_ready(cluster):
    for p in active_pods(cluster):
        if objects.get_condition(p.get("status"), "Ready") is None:
            set_ready(cluster, p)
    cluster.run_until_idle()


def events(cluster, kind=None, name=None):
    evs = [e for e in cluster.store.iter(kinds.EVENT, "default")
           if (kind is None or e["involvedObject"]["kind"] == kind)
           and (name is None or e["involvedObject"]["name"] == name)]
    return [(e["reason"], e["message"]) for e in sorted(evs, key=objects.rv_of)]


def rs_status(cluster, name="web"):
    return cluster.store.get(kinds.REPLICASET, "default", name)["status"]


def requeue_everything(cluster):
    for c in cluster.controllers:
        for rt in (kinds.DEPLOYMENT, kinds.REPLICASET, kinds.POD):
            for obj in cluster.store.iter(rt):
                cluster._queues[c.name].add(objects.key_of(obj))
    cluster.run_until_idle()


# ---- creating ---------------------------------------------------------------------------------

def test_pods_are_named_after_the_replicaset_and_controlled_by_it(cluster):
    rs = cluster.store.create(replicaset(replicas=3))
    cluster.run_until_idle()
    made = pods(cluster)
    assert len(made) == 3
    for p in made:
        assert re.fullmatch(f"web-{SUFFIX}", objects.name_of(p))
        assert p["metadata"]["generateName"] == "web-"
        assert p["metadata"]["labels"] == {"app": "web"}
        assert p["metadata"]["ownerReferences"] == [
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": objects.uid_of(rs),
             "controller": True, "blockOwnerDeletion": True}]
    assert sorted(events(cluster, "ReplicaSet")) == sorted(("SuccessfulCreate", f"Created pod: {objects.name_of(p)}")
                                                           for p in made)
    assert rs_status(cluster) == {"replicas": 3, "fullyLabeledReplicas": 3, "observedGeneration": 1}
    words = [d["message"] for d in cluster.decisions.since(0)[0]]
    assert "ReplicaSet default/web: desired 3, actual 0 → creating 3 pods" in words


def test_ready_and_available_replicas_are_counted(cluster):
    cluster.store.create(replicaset(replicas=2))
    cluster.run_until_idle()
    make_all_ready(cluster)
    st = rs_status(cluster)
    assert (st["replicas"], st["readyReplicas"], st["availableReplicas"]) == (2, 2, 2)


def test_available_waits_for_min_ready_seconds(cluster):
    cluster.store.create(replicaset(replicas=2, minReadySeconds=10))
    cluster.run_until_idle()
    make_all_ready(cluster)
    assert rs_status(cluster)["readyReplicas"] == 2 and "availableReplicas" not in rs_status(cluster)
    cluster.advance(9)
    assert "availableReplicas" not in rs_status(cluster)
    cluster.advance(2)                    # the controller asked to look again at +10 s
    assert rs_status(cluster)["availableReplicas"] == 2


def test_creates_in_slow_start_batches_of_at_most_500_and_waits_for_its_expectations(cluster):
    ctl = cluster.controller("replicaset-controller")
    cluster.store.create(replicaset(replicas=600))
    ctl.reconcile("default/web")
    assert len(pods(cluster)) == 500                 # burstReplicas
    ctl.reconcile("default/web")                     # the 500 ADDED events are not seen yet
    assert len(pods(cluster)) == 500
    cluster.run_until_idle()
    assert len(pods(cluster)) == 600


def test_a_quota_error_stops_the_batches_and_is_reported(monkeypatch):
    cluster = workload_cluster(monkeypatch, max_pods=6)
    cluster.store.create(bare_pod("someone-else", {"app": "other"}))
    cluster.store.create(replicaset(replicas=6))
    cluster.run_until_idle()
    assert len(pods(cluster)) == 6                   # batches 1, 2, then 2 of 3 before the refusal
    failures = [m for r, m in events(cluster, "ReplicaSet") if r == "FailedCreate"]
    assert failures and failures[0].startswith("Error creating: pods ")
    assert "is forbidden: exceeded quota: playground" in failures[0]
    cond = objects.get_condition(rs_status(cluster), "ReplicaFailure")
    assert cond["status"] == "True" and cond["reason"] == "FailedCreate"
    assert "exceeded quota" in cond["message"]
    cluster.store.max_pods = 100
    cluster.advance(60)                              # retried with backoff
    assert len(pods(cluster)) == 7
    assert objects.get_condition(rs_status(cluster), "ReplicaFailure") is None


def test_a_deleted_pod_is_replaced(cluster):
    cluster.store.create(replicaset(replicas=2))
    cluster.run_until_idle()
    gone = pods(cluster)[0]
    cluster.store.delete(kinds.POD, "default", objects.name_of(gone))
    cluster.run_until_idle()
    now = pods(cluster)
    assert len(now) == 2 and objects.name_of(gone) not in {objects.name_of(p) for p in now}


def test_scaling_down_deletes_and_records_events(cluster):
    cluster.store.create(replicaset(replicas=3))
    cluster.run_until_idle()
    rs = objects.clone(cluster.store.get(kinds.REPLICASET, "default", "web"))
    rs["spec"]["replicas"] = 1
    cluster.store.update(rs)
    cluster.run_until_idle()
    assert len(pods(cluster)) == 1
    assert [r for r, _ in events(cluster, "ReplicaSet")].count("SuccessfulDelete") == 2
    assert rs_status(cluster)["replicas"] == 1 and rs_status(cluster)["observedGeneration"] == 2


# ---- which pods go first ---------------------------------------------------------------------

def _pod(name, node="", phase="Running", ready=True, ready_at=0.0, created=0.0, restarts=0, cost=None):
    md = {"name": name, "uid": name, "creationTimestamp": objects.iso(created)}
    if cost is not None:
        md["annotations"] = {"controller.kubernetes.io/pod-deletion-cost": str(cost)}
    st = {"phase": phase, "containerStatuses": [{"name": "c", "restartCount": restarts}]}
    if ready is not None:
        st["conditions"] = [{"type": "Ready", "status": "True" if ready else "False",
                             "lastTransitionTime": objects.iso(ready_at)}]
    return {"metadata": md, "spec": {"nodeName": node}, "status": st}


def _order(pods_, now=10_000.0, related=None):
    return [objects.name_of(p) for p in rank_for_deletion(pods_, related if related is not None else pods_, now)]


@pytest.mark.parametrize("first, second", [
    pytest.param(_pod("unscheduled", node="", phase="Pending", ready=False), _pod("scheduled", node="n1"),
                 id="unscheduled-before-scheduled"),
    pytest.param(_pod("pending", node="n1", phase="Pending"), _pod("running", node="n2"), id="pending-before-running"),
    pytest.param(_pod("unknown", node="n1", phase="Unknown"), _pod("running", node="n2"), id="unknown-before-running"),
    pytest.param(_pod("not-ready", node="n1", ready=False), _pod("ready", node="n2"), id="not-ready-before-ready"),
    pytest.param(_pod("cheap", node="n1", cost=-5), _pod("dear", node="n2", cost=5), id="lower-deletion-cost-first"),
    pytest.param(_pod("fresh", node="n1", ready_at=9_990), _pod("seasoned", node="n2", ready_at=1_000),
                 id="ready-more-recently-first"),
    pytest.param(_pod("crashy", node="n1", restarts=4), _pod("steady", node="n2", restarts=0),
                 id="more-restarts-first"),
    pytest.param(_pod("young", node="n1", created=9_000), _pod("old", node="n2", created=100),
                 id="newer-first"),
])
def test_deletion_order_follows_active_pods_with_ranks(first, second):
    assert _order([second, first]) == [objects.name_of(first), objects.name_of(second)]
    assert _order([first, second]) == [objects.name_of(first), objects.name_of(second)]


def test_doubled_up_pods_go_before_pods_alone_on_their_node():
    alone = _pod("alone", node="n1", created=5_000)
    doubled_a = _pod("doubled-a", node="n2", created=100)
    doubled_b = _pod("doubled-b", node="n2", created=100)
    sibling = _pod("sibling-of-other-rs", node="n1")          # same Deployment, other ReplicaSet
    related = [alone, doubled_a, doubled_b]
    assert _order([alone, doubled_a, doubled_b], related=related)[2] == "alone"
    # Counting the whole owner family: n1 now holds two pods too, so age decides (newer first).
    assert _order([alone, doubled_a, doubled_b], related=related + [sibling])[0] == "alone"


def test_times_compare_on_a_log_scale_and_ties_break_by_uid():
    # Ready 100 s and 110 s ago fall in the same power-of-two bucket (in ns): uid decides.
    a = _pod("b-pod", node="n1", ready_at=10_000 - 110)
    b = _pod("a-pod", node="n2", ready_at=10_000 - 100)
    assert _order([a, b]) == ["a-pod", "b-pod"]
    assert _order([b, a]) == ["a-pod", "b-pod"]


def test_scale_down_in_the_cluster_removes_unscheduled_then_doubled_up_pods(cluster):
    labels = {"app": "web"}
    names = {"p-unscheduled": None, "p-n1-a": "node-1", "p-n1-b": "node-1", "p-n2": "node-2", "p-n3": "node-3"}
    for name, node in names.items():
        cluster.store.create(bare_pod(name, labels, node))
        if node:
            set_ready(cluster, {"metadata": {"name": name, "namespace": "default"}})
    cluster.store.create(replicaset(replicas=2))
    cluster.run_until_idle()
    left = {objects.name_of(p) for p in active_pods(cluster)}
    assert left == {"p-n2", "p-n3"}
    # Scheduled pods are deleted gracefully: they wait for their kubelet with a deletionTimestamp.
    assert {objects.name_of(p) for p in pods(cluster) if objects.is_terminating(p)} == {"p-n1-a", "p-n1-b"}
    assert cluster.store.try_get(kinds.POD, "default", "p-unscheduled") is None


# ---- adoption and release ----------------------------------------------------------------------

def test_orphans_matching_the_selector_are_adopted_instead_of_creating(cluster):
    cluster.store.create(bare_pod("orphan", {"app": "web"}))
    cluster.store.create(bare_pod("stranger", {"app": "other"}))
    rs = cluster.store.create(replicaset(replicas=2))
    cluster.run_until_idle()
    orphan = cluster.store.get(kinds.POD, "default", "orphan")
    assert objects.controller_of(orphan)["uid"] == objects.uid_of(rs)
    assert objects.controller_of(cluster.store.get(kinds.POD, "default", "stranger")) is None
    assert len(pods(cluster)) == 3                  # orphan + one created + stranger
    assert any("adopting" in d["message"] for d in cluster.decisions.since(0)[0])


def test_an_orphan_created_later_is_adopted_and_the_surplus_deleted(cluster):
    cluster.store.create(replicaset(replicas=2))
    cluster.run_until_idle()
    make_all_ready(cluster)
    cluster.store.create(bare_pod("late", {"app": "web"}))
    cluster.run_until_idle()
    assert len(active_pods(cluster)) == 2
    assert cluster.store.try_get(kinds.POD, "default", "late") is None   # Pending: ranked first


def test_a_pod_whose_labels_change_is_released_and_replaced(cluster):
    cluster.store.create(replicaset(replicas=2))
    cluster.run_until_idle()
    p = objects.clone(pods(cluster)[0])
    p["metadata"]["labels"] = {"app": "debug"}
    cluster.store.update(p)
    cluster.run_until_idle()
    released = cluster.store.get(kinds.POD, "default", objects.name_of(p))
    assert "ownerReferences" not in released["metadata"]
    owned = [q for q in pods(cluster) if objects.controller_of(q)]
    assert len(owned) == 2


# ---- writes only when something changed --------------------------------------------------------

def test_a_converged_replicaset_writes_nothing_when_resynced(cluster):
    cluster.store.create(replicaset(replicas=3, minReadySeconds=5))
    cluster.run_until_idle()
    make_all_ready(cluster)
    cluster.advance(10)
    rv = cluster.store.resource_version
    requeue_everything(cluster)
    cluster.advance(30)
    assert cluster.store.resource_version == rv
