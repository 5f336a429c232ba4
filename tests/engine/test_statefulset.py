"""The StatefulSet controller gives pods stable ordinal names, creates them in order (each only
once its predecessors are Running and Ready), deletes them highest ordinal first, rolls updates
down from the highest ordinal honouring the partition, keeps ControllerRevisions, and never
replaces a pod whose old object still exists — as kube-controller-manager does.

Tests run the whole engine (scheduler, simulated kubelets, node lifecycle) on a ManualClock."""
import re

import pytest

from engine import objects, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store

HASH = "[bcdfghjklmnpqrstvwxz2456789]+"


@pytest.fixture
def cluster():
    return Cluster(store=Store(), clock=ManualClock(), nodes=3)


def statefulset(name="web", replicas=3, **spec):
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "serviceName": "nginx", "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}},
                     **spec}}


def sts(cluster, name="web"):
    return cluster.store.get(kinds.STATEFULSET, "default", name)


def pods(cluster):
    return {objects.name_of(p): p for p in cluster.store.iter(kinds.POD, "default")}


def running_ready(pod) -> bool:
    cond = objects.get_condition(pod.get("status"), "Ready")
    return (pod.get("status") or {}).get("phase") == "Running" and bool(cond) and cond["status"] == "True"


def patch_spec(cluster, body, name="web"):
    cluster.store.patch(kinds.STATEFULSET, "default", name, "merge", {"spec": body})


def set_image(cluster, image, name="web"):
    patch_spec(cluster, {"template": {"spec": {"containers": [{"name": "nginx", "image": image}]}}}, name)


def settle(cluster, seconds=30):
    for _ in range(int(seconds // 5)):
        cluster.advance(5)


def pod_history(feed):
    """(type, pod name, pod) for every Pod watch event in the feed, in order."""
    out = []
    while feed:
        ev = feed.popleft()
        if ev.object.get("kind") == "Pod":
            out.append((ev.type, objects.name_of(ev.object), ev.object))
    return out


def sts_events(cluster):
    evs = [e for e in cluster.store.iter(kinds.EVENT, "default")
           if e["involvedObject"].get("kind") == "StatefulSet"]
    return [(e["reason"], e["message"]) for e in sorted(evs, key=lambda e: e["metadata"]["name"])]


# ---- scaling ---------------------------------------------------------------------------------------

def test_ordered_ready_creates_web_0_1_2_in_order_each_after_its_predecessor_is_running_and_ready(cluster):
    feed = cluster.store.subscribe()
    cluster.store.create(statefulset())
    settle(cluster)
    history = pod_history(feed)
    created = [name for typ, name, _ in history if typ == "ADDED"]
    assert created == ["web-0", "web-1", "web-2"]
    # When web-N is created, every lower ordinal's last known state is Running and Ready.
    last: dict[str, dict] = {}
    for typ, name, obj in history:
        if typ == "ADDED":
            n = int(name.rsplit("-", 1)[1])
            for lower in range(n):
                assert running_ready(last[f"web-{lower}"]), f"{name} created before web-{lower} was ready"
        last[name] = obj
    assert all(running_ready(p) for p in pods(cluster).values())
    assert [m for r, m in sts_events(cluster) if r == "SuccessfulCreate"] == [
        "create Pod web-0 in StatefulSet web successful",
        "create Pod web-1 in StatefulSet web successful",
        "create Pod web-2 in StatefulSet web successful"]


def test_scale_to_zero_deletes_web_2_then_web_1_then_web_0_each_after_the_next_is_gone(cluster):
    cluster.store.create(statefulset())
    settle(cluster)
    feed = cluster.store.subscribe()
    patch_spec(cluster, {"replicas": 0})
    settle(cluster)
    history = pod_history(feed)
    marked = [name for typ, name, obj in history if typ == "MODIFIED" and objects.is_terminating(obj)
              and not any(n == name and objects.is_terminating(o) for t, n, o in history[:history.index((typ, name, obj))])]
    gone = [name for typ, name, _ in history if typ == "DELETED"]
    assert gone == ["web-2", "web-1", "web-0"]
    assert marked == ["web-2", "web-1", "web-0"]
    # web-1 is marked for deletion only after web-2's object has disappeared, and so on.
    order = [(typ == "DELETED" and "gone" or "mark", name) for typ, name, obj in history
             if typ == "DELETED" or (typ == "MODIFIED" and objects.is_terminating(obj))]
    first_mark = {n: order.index(("mark", n)) for n in marked}
    assert order.index(("gone", "web-2")) < first_mark["web-1"]
    assert order.index(("gone", "web-1")) < first_mark["web-0"]
    assert pods(cluster) == {}
    assert [m for r, m in sts_events(cluster) if r == "SuccessfulDelete"] == [
        "delete Pod web-2 in StatefulSet web successful",
        "delete Pod web-1 in StatefulSet web successful",
        "delete Pod web-0 in StatefulSet web successful"]
    assert sts(cluster)["status"]["replicas"] == 0


def test_ordered_ready_halts_while_a_pod_is_unhealthy_and_resumes_when_it_is_fixed(cluster):
    obj = statefulset()
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27typo"   # ErrImagePull
    cluster.store.create(obj)
    settle(cluster, 60)
    assert sorted(pods(cluster)) == ["web-0"]
    assert not running_ready(pods(cluster)["web-0"])
    # Fixing the template does not roll web-0 (it is not Running and Ready) — delete it by hand,
    # as the StatefulSet docs say, and the set moves on.
    set_image(cluster, "nginx:1.27")
    settle(cluster, 30)
    assert sorted(pods(cluster)) == ["web-0"]
    cluster.store.delete(kinds.POD, "default", "web-0")
    settle(cluster, 60)
    assert sorted(pods(cluster)) == ["web-0", "web-1", "web-2"]
    assert all(running_ready(p) for p in pods(cluster).values())


def test_parallel_does_not_wait_for_an_unhealthy_pod(cluster):
    obj = statefulset(podManagementPolicy="Parallel")
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27typo"
    cluster.store.create(obj)
    settle(cluster, 30)
    assert sorted(pods(cluster)) == ["web-0", "web-1", "web-2"]
    assert sts(cluster)["status"].get("readyReplicas", 0) == 0    # omitempty: 0 is absent


def test_min_ready_seconds_holds_each_next_pod_until_its_predecessor_is_available(cluster):
    cluster.store.create(statefulset(replicas=2, minReadySeconds=10))
    for _ in range(30):
        cluster.advance(1)
        if running_ready(pods(cluster)["web-0"]):
            break
    ready_at = cluster.clock.now()
    assert sts(cluster)["status"]["availableReplicas"] == 0 and sts(cluster)["status"]["readyReplicas"] == 1
    while "web-1" not in pods(cluster):
        cluster.advance(1)
        assert cluster.clock.now() - ready_at < 30, "web-1 never created"
    assert cluster.clock.now() - ready_at >= 10
    assert sts(cluster)["status"]["availableReplicas"] == 1
    settle(cluster, 30)
    assert sts(cluster)["status"]["availableReplicas"] == 2


def test_ordinals_start_names_pods_from_the_given_number(cluster):
    cluster.store.create(statefulset(replicas=2, ordinals={"start": 5}))
    settle(cluster)
    assert sorted(pods(cluster)) == ["web-5", "web-6"]
    assert pods(cluster)["web-5"]["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "5"


def test_parallel_creates_and_deletes_all_pods_at_once(cluster):
    feed = cluster.store.subscribe()
    cluster.store.create(statefulset(podManagementPolicy="Parallel"))
    cluster.run_until_idle()
    history = pod_history(feed)
    added = [i for i, (typ, _, _) in enumerate(history) if typ == "ADDED"]
    assert sorted(n for t, n, _ in history if t == "ADDED") == ["web-0", "web-1", "web-2"]
    # All three exist before any of them is Running and Ready.
    assert not any(running_ready(o) for _, _, o in history[:added[-1] + 1])
    settle(cluster)
    patch_spec(cluster, {"replicas": 0})
    cluster.run_until_idle()
    terminating = {n for n, p in pods(cluster).items() if objects.is_terminating(p)}
    assert terminating == {"web-0", "web-1", "web-2"} or pods(cluster) == {}
    settle(cluster)
    assert pods(cluster) == {}


# ---- identity, revisions, status -----------------------------------------------------------------

def test_pods_carry_stable_identity_and_the_revision_name(cluster):
    cluster.store.create(statefulset())
    settle(cluster)
    s = sts(cluster)
    crs = [c for c in cluster.store.iter(kinds.CONTROLLERREVISION, "default")]
    assert len(crs) == 1
    cr = crs[0]
    assert re.fullmatch(f"web-{HASH}", objects.name_of(cr))
    assert cr["revision"] == 1
    assert cr["data"]["spec"]["template"]["$patch"] == "replace"
    assert cr["metadata"]["labels"]["app"] == "web"
    assert cr["metadata"]["labels"]["controller.kubernetes.io/hash"] == objects.name_of(cr)[len("web-"):]
    assert objects.controller_of(cr)["uid"] == objects.uid_of(s)
    p = pods(cluster)["web-1"]
    assert p["metadata"]["labels"] == {"app": "web", "controller-revision-hash": objects.name_of(cr),
                                       "statefulset.kubernetes.io/pod-name": "web-1",
                                       "apps.kubernetes.io/pod-index": "1"}
    assert p["spec"]["hostname"] == "web-1" and p["spec"]["subdomain"] == "nginx"
    ref = objects.controller_of(p)
    assert (ref["kind"], ref["name"], ref["uid"], ref["blockOwnerDeletion"]) == ("StatefulSet", "web", objects.uid_of(s), True)
    assert s["status"] == {"observedGeneration": 1, "replicas": 3, "readyReplicas": 3, "currentReplicas": 3,
                           "updatedReplicas": 3, "currentRevision": objects.name_of(cr),
                           "updateRevision": objects.name_of(cr), "collisionCount": 0, "availableReplicas": 3}


def test_a_deleted_pod_comes_back_with_the_same_name(cluster):
    cluster.store.create(statefulset())
    settle(cluster)
    old_uid = objects.uid_of(pods(cluster)["web-1"])
    cluster.store.delete(kinds.POD, "default", "web-1")
    settle(cluster)
    assert sorted(pods(cluster)) == ["web-0", "web-1", "web-2"]
    assert objects.uid_of(pods(cluster)["web-1"]) != old_uid
    assert running_ready(pods(cluster)["web-1"])


def test_adopts_a_matching_orphan_with_its_name_but_not_one_named_for_another_set(cluster):
    for name in ("web-0", "other-0"):
        cluster.store.create({"apiVersion": "v1", "kind": "Pod",
                              "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}})
    cluster.store.create(statefulset(replicas=2))
    settle(cluster)
    s = sts(cluster)
    assert objects.controller_of(pods(cluster)["web-0"])["uid"] == objects.uid_of(s)
    assert objects.controller_of(pods(cluster)["other-0"]) is None
    assert sorted(pods(cluster)) == ["other-0", "web-0", "web-1"]


# ---- updates -------------------------------------------------------------------------------------

def test_rolling_update_replaces_pods_from_the_highest_ordinal_down_to_the_partition(cluster):
    cluster.store.create(statefulset(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}))
    settle(cluster)
    old_rev = sts(cluster)["status"]["currentRevision"]
    feed = cluster.store.subscribe()
    set_image(cluster, "nginx:1.28")
    settle(cluster, 60)
    history = pod_history(feed)
    deleted = [n for t, n, _ in history if t == "DELETED"]
    assert deleted == ["web-2", "web-1"]
    s = sts(cluster)
    new_rev = s["status"]["updateRevision"]
    assert new_rev != old_rev
    images = {n: p["spec"]["containers"][0]["image"] for n, p in pods(cluster).items()}
    assert images == {"web-0": "nginx:1.27", "web-1": "nginx:1.28", "web-2": "nginx:1.28"}
    assert pods(cluster)["web-0"]["metadata"]["labels"]["controller-revision-hash"] == old_rev
    assert s["status"]["currentRevision"] == old_rev
    assert (s["status"]["updatedReplicas"], s["status"]["currentReplicas"]) == (2, 1)
    revisions = sorted((c["revision"], objects.name_of(c)) for c in cluster.store.iter(kinds.CONTROLLERREVISION, "default"))
    assert revisions == [(1, old_rev), (2, new_rev)]

    patch_spec(cluster, {"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}})
    settle(cluster, 30)
    s = sts(cluster)
    assert {p["spec"]["containers"][0]["image"] for p in pods(cluster).values()} == {"nginx:1.28"}
    assert s["status"]["currentRevision"] == s["status"]["updateRevision"] == new_rev
    assert (s["status"]["updatedReplicas"], s["status"]["currentReplicas"]) == (3, 3)


def test_rolling_update_waits_for_each_replacement_to_be_ready(cluster):
    cluster.store.create(statefulset())
    settle(cluster)
    feed = cluster.store.subscribe()
    set_image(cluster, "nginx:1.28")
    settle(cluster, 60)
    history = pod_history(feed)
    # The deletion of web-1 starts only once the new web-2 is Running and Ready.
    events = [(t, n, o) for t, n, o in history]
    new_web2_ready = next(i for i, (t, n, o) in enumerate(events)
                          if n == "web-2" and running_ready(o) and o["spec"]["containers"][0]["image"] == "nginx:1.28")
    web1_marked = next(i for i, (t, n, o) in enumerate(events) if n == "web-1" and objects.is_terminating(o))
    assert new_web2_ready < web1_marked
    assert [n for t, n, _ in history if t == "DELETED"] == ["web-2", "web-1", "web-0"]


def test_on_delete_moves_a_pod_to_the_new_template_only_when_it_is_deleted(cluster):
    cluster.store.create(statefulset(updateStrategy={"type": "OnDelete"}))
    settle(cluster)
    set_image(cluster, "nginx:1.28")
    settle(cluster)
    assert {p["spec"]["containers"][0]["image"] for p in pods(cluster).values()} == {"nginx:1.27"}
    assert "updatedReplicas" not in sts(cluster)["status"]        # omitempty: 0 is absent
    cluster.store.delete(kinds.POD, "default", "web-0")
    settle(cluster)
    images = {n: p["spec"]["containers"][0]["image"] for n, p in pods(cluster).items()}
    assert images == {"web-0": "nginx:1.28", "web-1": "nginx:1.27", "web-2": "nginx:1.27"}
    assert sts(cluster)["status"]["updatedReplicas"] == 1


def test_going_back_to_an_old_template_reuses_its_revision_with_a_new_number(cluster):
    cluster.store.create(statefulset(replicas=1))
    settle(cluster)
    first = sts(cluster)["status"]["currentRevision"]
    set_image(cluster, "nginx:1.28")
    settle(cluster)
    set_image(cluster, "nginx:1.27")
    settle(cluster)
    revisions = {objects.name_of(c): c["revision"] for c in cluster.store.iter(kinds.CONTROLLERREVISION, "default")}
    assert revisions[first] == 3 and len(revisions) == 2
    assert sts(cluster)["status"]["currentRevision"] == first


# ---- failures ------------------------------------------------------------------------------------

def test_a_pod_stuck_terminating_blocks_its_replacement_until_the_object_is_gone(cluster):
    cluster.store.create(statefulset())
    settle(cluster)
    victim = pods(cluster)["web-1"]
    node = victim["spec"]["nodeName"]
    cluster.fail_node(node)
    # Eviction (or a user) deletes the pod; its kubelet is down, so nobody confirms the deletion.
    cluster.store.delete(kinds.POD, "default", "web-1")
    settle(cluster, 120)
    p = pods(cluster)["web-1"]
    assert objects.uid_of(p) == objects.uid_of(victim) and objects.is_terminating(p)
    assert not any(n for n in pods(cluster) if n not in ("web-0", "web-1", "web-2"))
    # Force deletion frees the name: the StatefulSet recreates web-1 on a healthy node.
    cluster.store.delete(kinds.POD, "default", "web-1", grace_period_seconds=0)
    settle(cluster, 30)
    p = pods(cluster)["web-1"]
    assert objects.uid_of(p) != objects.uid_of(victim)
    assert p["spec"]["nodeName"] != node and running_ready(p)


def test_a_failed_nodes_pod_is_evicted_but_not_replaced_until_the_node_object_is_gone(cluster):
    cluster.store.create(statefulset())
    settle(cluster)
    victim = pods(cluster)["web-2"]
    node = victim["spec"]["nodeName"]
    cluster.fail_node(node)
    settle(cluster, 300)                     # NotReady, tainted, evicted — and nobody confirms
    p = pods(cluster)["web-2"]
    assert objects.uid_of(p) == objects.uid_of(victim) and objects.is_terminating(p)
    assert sorted(pods(cluster)) == ["web-0", "web-1", "web-2"]
    assert sts(cluster)["status"]["readyReplicas"] == 2
    # Removing the Node lets the pod garbage collector delete the pod; only then is web-2 recreated.
    cluster.store.delete(kinds.NODE, None, node)
    settle(cluster, 60)
    p = pods(cluster)["web-2"]
    assert objects.uid_of(p) != objects.uid_of(victim) and p["spec"]["nodeName"] != node and running_ready(p)
    assert sts(cluster)["status"]["readyReplicas"] == 3


# ---- quiescence ----------------------------------------------------------------------------------

def test_a_converged_statefulset_writes_nothing_when_reconciled_again(cluster):
    cluster.store.create(statefulset())
    cluster.store.create(statefulset("db", replicas=2, podManagementPolicy="Parallel"))
    settle(cluster)
    rv = cluster.store.resource_version
    ctl = cluster.controller("statefulset-controller")
    for key in ("default/web", "default/db", "default/missing"):
        assert ctl.reconcile(key) is None
    cluster.run_until_idle()
    assert cluster.store.resource_version == rv
