"""The Deployment controller rolls out, scales, pauses, rolls back and reports progress with
upstream's arithmetic, event texts and conditions.

Most tests run the real store and loop with only the workload controllers; pods become Ready
when the test says so (`make_all_ready`). The last tests run the whole cluster (scheduler and
kubelets) once those exist."""
import re

import pytest

from engine import objects, resources as kinds
from engine.clock import ManualClock
from engine.controllers import deployment_util
from engine.store import Store

from test_replicaset import (active_pods, events, make_all_ready, pods, requeue_everything,
                             workload_cluster)

HASH = "[4-9bcdf]{1,10}"


@pytest.fixture
def cluster(monkeypatch):
    return workload_cluster(monkeypatch)


def deployment(name="web", replicas=3, image="nginx:1.25", **spec):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": name, "image": image}]}}, **spec}}


def get(cluster, name="web"):
    return cluster.store.get(kinds.DEPLOYMENT, "default", name)


def edit(cluster, fn, name="web"):
    d = objects.clone(get(cluster, name))
    fn(d)
    return cluster.store.update(d)


def set_image(cluster, image, name="web"):
    def fn(d):
        d["spec"]["template"]["spec"]["containers"][0]["image"] = image
    return edit(cluster, fn, name)


def replicasets(cluster):
    return sorted(cluster.store.iter(kinds.REPLICASET, "default"), key=lambda r: (objects.rv_of(r), objects.name_of(r)))


def rs_by_image(cluster, image):
    for rs in cluster.store.iter(kinds.REPLICASET, "default"):
        if rs["spec"]["template"]["spec"]["containers"][0]["image"] == image:
            return rs
    raise AssertionError(f"no ReplicaSet runs {image}")


def converge(cluster, rounds=20):
    """Let the controllers work, making new pods Ready each round, until nothing changes."""
    for _ in range(rounds):
        rv = cluster.store.resource_version
        cluster.run_until_idle()
        make_all_ready(cluster)
        if cluster.store.resource_version == rv:
            return
    raise AssertionError("did not converge")


def scaling_events(cluster, name="web"):
    return [m for r, m in events(cluster, "Deployment", name) if r == "ScalingReplicaSet"]


def condition(cluster, ctype, name="web"):
    return objects.get_condition(get(cluster, name)["status"], ctype)


# ---- the new ReplicaSet ------------------------------------------------------------------------

def test_a_new_deployment_gets_a_hashed_replicaset_and_its_pods(cluster):
    d = cluster.store.create(deployment(replicas=3))
    cluster.run_until_idle()
    [rs] = replicasets(cluster)
    h = deployment_util.compute_hash(d["spec"]["template"], None)
    assert re.fullmatch(HASH, h)
    assert objects.name_of(rs) == f"web-{h}"
    assert rs["metadata"]["labels"] == {"app": "web", "pod-template-hash": h}
    assert rs["spec"]["selector"] == {"matchLabels": {"app": "web", "pod-template-hash": h}}
    assert rs["spec"]["template"]["metadata"]["labels"] == {"app": "web", "pod-template-hash": h}
    assert rs["spec"]["replicas"] == 3
    assert rs["metadata"]["annotations"] == {"deployment.kubernetes.io/revision": "1",
                                             "deployment.kubernetes.io/desired-replicas": "3",
                                             "deployment.kubernetes.io/max-replicas": "4"}
    assert objects.controller_of(rs)["uid"] == objects.uid_of(d)
    for p in pods(cluster):
        assert re.fullmatch(f"web-{h}-[bcdfghjklmnpqrstvwxz2456789]{{5}}", objects.name_of(p))
    assert scaling_events(cluster) == [f"Scaled up replica set web-{h} to 3"]
    d = get(cluster)
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert d["status"]["observedGeneration"] == d["metadata"]["generation"]
    # NewReplicaSetCreated at first; once the ReplicaSet reports its pods, ReplicaSetUpdated.
    cond = condition(cluster, "Progressing")
    assert (cond["status"], cond["reason"], cond["message"]) == \
        ("True", "ReplicaSetUpdated", f'ReplicaSet "web-{h}" is progressing.')
    assert any(m["message"] == f"Deployment default/web: no ReplicaSet for this template yet → new "
                               f"ReplicaSet web-{h} (revision 1) with 3 replicas"
               for m in cluster.decisions.since(0)[0])


def test_deployment_annotations_are_copied_but_not_last_applied(cluster):
    d = deployment()
    d["metadata"]["annotations"] = {"team": "pizza", deployment_util.LAST_APPLIED: "{}"}
    cluster.store.create(d)
    cluster.run_until_idle()
    [rs] = replicasets(cluster)
    assert rs["metadata"]["annotations"]["team"] == "pizza"
    assert deployment_util.LAST_APPLIED not in rs["metadata"]["annotations"]


def test_hash_is_fnv32a_of_the_template_and_moves_with_the_collision_count():
    t = deployment()["spec"]["template"]
    assert deployment_util.compute_hash(t, None) == deployment_util.compute_hash(objects.clone(t), None)
    assert deployment_util.compute_hash(t, None) != deployment_util.compute_hash(t, 1)
    assert deployment_util.compute_hash(t, 1) != deployment_util.compute_hash(t, 2)
    # SafeEncodeString maps decimal digits 0-9 onto 4 5 6 7 8 9 b c d f.
    assert objects.safe_encode("0123456789") == "456789bcdf"


def test_a_complete_rollout_reports_available_and_progressed(cluster):
    cluster.store.create(deployment(replicas=3))
    converge(cluster)
    [rs] = replicasets(cluster)
    st = get(cluster)["status"]
    assert {k: st[k] for k in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas")} == \
        {"replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3}
    assert "unavailableReplicas" not in st
    assert [(c["type"], c["status"], c["reason"], c["message"]) for c in st["conditions"]] == [
        ("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
        ("Progressing", "True", "NewReplicaSetAvailable", f'ReplicaSet "{objects.name_of(rs)}" has successfully progressed.'),
    ]


# ---- RollingUpdate -------------------------------------------------------------------------------

@pytest.mark.parametrize("replicas, surge, unavailable", [(1, 1, 0), (3, 1, 0), (4, 1, 1), (10, 3, 2)])
def test_default_25_percent_fenceposts_round_surge_up_and_unavailable_down(replicas, surge, unavailable):
    d = deployment(replicas=replicas)
    assert (deployment_util.max_surge(d), deployment_util.max_unavailable(d)) == (surge, unavailable)


@pytest.mark.parametrize("surge, unavailable, replicas, expect", [
    ("0%", "1%", 2, (0, 1)),          # both round to 0 → maxUnavailable 1
    (0, 0, 5, (0, 1)),
    (2, "50%", 5, (2, 2)),
    ("30%", 10, 4, (2, 4)),           # maxUnavailable is capped at replicas
])
def test_fenceposts_with_explicit_values(surge, unavailable, replicas, expect):
    d = deployment(replicas=replicas, strategy={"type": "RollingUpdate",
                                                "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}})
    assert (deployment_util.max_surge(d), deployment_util.max_unavailable(d)) == expect


def test_a_three_replica_rolling_update_prints_the_upstream_sequence(cluster):
    cluster.store.create(deployment(replicas=3, image="nginx:1.25"))
    converge(cluster)
    set_image(cluster, "nginx:1.26")
    converge(cluster)
    old, new = objects.name_of(rs_by_image(cluster, "nginx:1.25")), objects.name_of(rs_by_image(cluster, "nginx:1.26"))
    assert scaling_events(cluster) == [
        f"Scaled up replica set {old} to 3",
        f"Scaled up replica set {new} to 1",
        f"Scaled down replica set {old} to 2 from 3",
        f"Scaled up replica set {new} to 2 from 1",
        f"Scaled down replica set {old} to 1 from 2",
        f"Scaled up replica set {new} to 3 from 2",
        f"Scaled down replica set {old} to 0 from 1",
    ]
    d = get(cluster)
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert rs_by_image(cluster, "nginx:1.26")["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert condition(cluster, "Progressing")["message"] == f'ReplicaSet "{new}" has successfully progressed.'
    words = [m["message"] for m in cluster.decisions.since(0)[0]]
    assert f"Deployment default/web: template changed → new ReplicaSet {new} (revision 2) with 1 replica" in words
    assert f"Deployment default/web: rolling update (maxSurge 1): scale up {new} from 1 to 2" in words


def test_a_rollout_never_drops_below_min_available_or_above_surge(cluster):
    cluster.store.create(deployment(replicas=4))
    converge(cluster)
    set_image(cluster, "nginx:1.26")
    for _ in range(20):
        cluster.run_until_idle()
        rss = replicasets(cluster)
        assert sum(rs["spec"]["replicas"] for rs in rss) <= 4 + 1
        assert sum((rs.get("status") or {}).get("availableReplicas", 0) for rs in rss) >= 4 - 1
        make_all_ready(cluster)
    assert rs_by_image(cluster, "nginx:1.26")["status"]["availableReplicas"] == 4
    assert rs_by_image(cluster, "nginx:1.25")["spec"]["replicas"] == 0


def test_scaling_during_a_rollout_is_proportional(cluster):
    cluster.store.create(deployment(replicas=10))
    converge(cluster)
    set_image(cluster, "nginx:broken")              # its pods never become Ready
    cluster.run_until_idle()
    old, new = rs_by_image(cluster, "nginx:1.25"), rs_by_image(cluster, "nginx:broken")
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (8, 5)
    edit(cluster, lambda d: d["spec"].update(replicas=20))
    cluster.run_until_idle()
    old, new = rs_by_image(cluster, "nginx:1.25"), rs_by_image(cluster, "nginx:broken")
    # allowed 20 + 5 surge = 25; 12 to add: old 8·25/13 ≈ 15, new 5·25/13 ≈ 10.
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (15, 10)
    assert scaling_events(cluster)[-2:] == [f"Scaled up replica set {objects.name_of(old)} to 15 from 8",
                                            f"Scaled up replica set {objects.name_of(new)} to 10 from 5"]
    for rs in (old, new):
        assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "20"
        assert rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"] == "25"


def test_proportions_round_half_away_from_zero_and_leftovers_go_to_the_largest():
    d = deployment(replicas=5)                                       # surge 2 → 7 allowed
    a = {"metadata": {"name": "a", "annotations": {deployment_util.MAX_REPLICAS: "4"}}, "spec": {"replicas": 2}}
    assert deployment_util.rs_fraction(a, d) == 2                                  # 2·7/4 = 3.5 → 4
    assert deployment_util.proportion(a, d, 1, 0) == 1                             # capped by what is left to add


def test_scaling_without_a_rollout_resizes_the_one_replicaset(cluster):
    cluster.store.create(deployment(replicas=2))
    converge(cluster)
    edit(cluster, lambda d: d["spec"].update(replicas=5))
    converge(cluster)
    [rs] = replicasets(cluster)
    assert rs["spec"]["replicas"] == 5 and len(active_pods(cluster)) == 5
    assert scaling_events(cluster)[-1] == f"Scaled up replica set {objects.name_of(rs)} to 5 from 2"
    edit(cluster, lambda d: d["spec"].update(replicas=1))
    converge(cluster)
    assert scaling_events(cluster)[-1] == f"Scaled down replica set {objects.name_of(rs)} to 1 from 5"
    assert len(active_pods(cluster)) == 1


# ---- Recreate --------------------------------------------------------------------------------------

def test_recreate_scales_old_to_zero_and_waits_for_old_pods_to_be_gone(cluster):
    d = deployment(replicas=3, strategy={"type": "Recreate"})
    d["spec"]["template"]["metadata"]["finalizers"] = ["example.com/hold"]     # old pods linger
    cluster.store.create(d)
    converge(cluster)
    old = objects.name_of(replicasets(cluster)[0])

    def v2(obj):
        obj["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26"
        obj["spec"]["template"]["metadata"].pop("finalizers")
    edit(cluster, v2)
    cluster.run_until_idle()
    assert scaling_events(cluster) == [f"Scaled up replica set {old} to 3", f"Scaled down replica set {old} to 0 from 3"]
    assert len(replicasets(cluster)) == 1                  # no new ReplicaSet while old pods exist
    lingering = pods(cluster)
    assert len(lingering) == 3 and all(objects.is_terminating(p) for p in lingering)

    for p in lingering:                                    # let them go
        q = objects.clone(p)
        q["metadata"].pop("finalizers")
        cluster.store.update(q)
        cluster.store.delete(kinds.POD, "default", objects.name_of(p), grace_period_seconds=0)
    converge(cluster)
    new = objects.name_of(rs_by_image(cluster, "nginx:1.26"))
    assert scaling_events(cluster)[2:] == [f"Scaled up replica set {new} to 3"]
    assert len(active_pods(cluster)) == 3
    assert condition(cluster, "Available")["status"] == "True"


# ---- rollback, history, pause --------------------------------------------------------------------

def test_rolling_back_to_an_earlier_template_reuses_its_replicaset(cluster):
    cluster.store.create(deployment(image="nginx:1.25"))
    converge(cluster)
    set_image(cluster, "nginx:1.26")
    converge(cluster)
    first = rs_by_image(cluster, "nginx:1.25")
    set_image(cluster, "nginx:1.25")                      # what `kubectl rollout undo` sends
    converge(cluster)
    assert len(replicasets(cluster)) == 2
    again = rs_by_image(cluster, "nginx:1.25")
    assert objects.uid_of(again) == objects.uid_of(first) and again["spec"]["replicas"] == 3
    ann = again["metadata"]["annotations"]
    assert ann["deployment.kubernetes.io/revision"] == "3"
    assert ann["deployment.kubernetes.io/revision-history"] == "1"
    assert get(cluster)["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    # Three rollouts' scalings within ten minutes are more than ten distinct messages: the
    # deployment-controller's EventCorrelator has combined the latest into one Event.
    assert scaling_events(cluster)[-1] == ("(combined from similar events): Scaled down replica set "
                                           f"{objects.name_of(rs_by_image(cluster, 'nginx:1.26'))} to 0 from 1")
    assert any("reusing it as revision 3 (was 1)" in m["message"] for m in cluster.decisions.since(0)[0])


def test_revision_history_limit_deletes_the_oldest_empty_replicasets(cluster):
    cluster.store.create(deployment(replicas=2, revisionHistoryLimit=1))
    converge(cluster)
    for image in ("nginx:1.26", "nginx:1.27"):
        set_image(cluster, image)
        converge(cluster)
    images = sorted(rs["spec"]["template"]["spec"]["containers"][0]["image"] for rs in replicasets(cluster))
    assert images == ["nginx:1.26", "nginx:1.27"]
    assert any("revisionHistoryLimit 1 → deleting old ReplicaSet" in m["message"] for m in cluster.decisions.since(0)[0])


def test_a_paused_deployment_scales_but_does_not_roll_out(cluster):
    cluster.store.create(deployment(replicas=2))
    converge(cluster)
    [rs] = replicasets(cluster)
    edit(cluster, lambda d: d["spec"].update(paused=True))
    set_image(cluster, "nginx:1.26")
    converge(cluster)
    assert len(replicasets(cluster)) == 1
    cond = condition(cluster, "Progressing")
    assert (cond["status"], cond["reason"], cond["message"]) == ("Unknown", "DeploymentPaused", "Deployment is paused")
    edit(cluster, lambda d: d["spec"].update(replicas=4))
    converge(cluster)
    assert cluster.store.get(kinds.REPLICASET, "default", objects.name_of(rs))["spec"]["replicas"] == 4
    d = get(cluster)
    assert d["status"]["observedGeneration"] == d["metadata"]["generation"]

    edit(cluster, lambda d: d["spec"].update(paused=False))
    cluster.run_until_idle()
    cond = condition(cluster, "Progressing")
    assert cond["reason"] in ("DeploymentResumed", "ReplicaSetUpdated")
    converge(cluster)
    assert rs_by_image(cluster, "nginx:1.26")["status"]["availableReplicas"] == 4
    assert condition(cluster, "Progressing")["reason"] == "NewReplicaSetAvailable"


def test_a_rollout_without_progress_exceeds_its_deadline(cluster):
    cluster.store.create(deployment(replicas=3, progressDeadlineSeconds=30))
    cluster.run_until_idle()                               # pods never become Ready
    rs = objects.name_of(replicasets(cluster)[0])
    cluster.advance(25)
    assert condition(cluster, "Progressing")["status"] == "True"
    cluster.advance(10)
    cond = condition(cluster, "Progressing")
    assert (cond["status"], cond["reason"], cond["message"]) == \
        ("False", "ProgressDeadlineExceeded", f'ReplicaSet "{rs}" has timed out progressing.')
    avail = condition(cluster, "Available")
    assert (avail["status"], avail["reason"], avail["message"]) == \
        ("False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.")
    assert get(cluster)["status"]["unavailableReplicas"] == 3
    # Progress afterwards moves it back to True.
    make_all_ready(cluster)
    cluster.run_until_idle()
    assert condition(cluster, "Progressing")["status"] == "True"


def test_replica_failures_of_the_replicaset_surface_on_the_deployment(monkeypatch):
    cluster = workload_cluster(monkeypatch, max_pods=4)
    cluster.store.create(deployment(replicas=4))
    cluster.store.create({"apiVersion": "v1", "kind": "Pod",
                          "metadata": {"name": "squatter", "namespace": "default", "labels": {"x": "y"}},
                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    cluster.run_until_idle()
    cond = condition(cluster, "ReplicaFailure")
    assert cond["status"] == "True" and cond["reason"] == "FailedCreate"
    assert "exceeded quota" in cond["message"]


def test_an_orphan_replicaset_matching_the_selector_is_adopted(cluster):
    d = deployment(replicas=2)
    tmpl = objects.clone(d["spec"]["template"])
    h = deployment_util.compute_hash(tmpl, None)
    tmpl["metadata"]["labels"]["pod-template-hash"] = h
    cluster.store.create({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                          "metadata": {"name": f"web-{h}", "namespace": "default", "labels": dict(tmpl["metadata"]["labels"])},
                          "spec": {"replicas": 2, "selector": {"matchLabels": dict(tmpl["metadata"]["labels"])},
                                   "template": tmpl}})
    made = cluster.store.create(d)
    converge(cluster)
    [rs] = replicasets(cluster)
    assert objects.controller_of(rs)["uid"] == objects.uid_of(made)
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert len(active_pods(cluster)) == 2
    assert condition(cluster, "Progressing")["reason"] == "NewReplicaSetAvailable"


# ---- quiescence --------------------------------------------------------------------------------

def test_after_convergence_resyncing_everything_writes_nothing(cluster):
    cluster.store.create(deployment(replicas=3, minReadySeconds=2))
    converge(cluster)
    set_image(cluster, "nginx:1.26")
    for _ in range(10):
        converge(cluster)
        cluster.advance(3)
    assert rs_by_image(cluster, "nginx:1.26")["status"]["availableReplicas"] == 3
    rv = cluster.store.resource_version
    requeue_everything(cluster)
    cluster.advance(700)                          # past any progress-deadline re-check
    requeue_everything(cluster)
    assert cluster.store.resource_version == rv


# ---- the whole cluster (scheduler + kubelets) ----------------------------------------------------

def _full_cluster():
    from engine.cluster import Cluster
    return Cluster(store=Store(), clock=ManualClock(), nodes=3)


def _all_running(cluster):
    return all((p.get("status") or {}).get("phase") == "Running" for p in active_pods(cluster))


def test_full_flow_pods_run_by_themselves():
    cluster = _full_cluster()
    cluster.store.create(deployment(replicas=3))
    cluster.run_until_idle()
    cluster.advance(10)
    assert len(active_pods(cluster)) == 3 and _all_running(cluster)
    assert all(p["spec"].get("nodeName") for p in active_pods(cluster))
    assert condition(cluster, "Available")["status"] == "True"
    assert condition(cluster, "Progressing")["reason"] == "NewReplicaSetAvailable"


def test_full_flow_rolling_update_sequence():
    cluster = _full_cluster()
    cluster.store.create(deployment(replicas=3, image="nginx:1.25"))
    cluster.advance(10)
    set_image(cluster, "nginx:1.26")
    for _ in range(12):
        cluster.advance(10)
    old, new = objects.name_of(rs_by_image(cluster, "nginx:1.25")), objects.name_of(rs_by_image(cluster, "nginx:1.26"))
    assert scaling_events(cluster) == [
        f"Scaled up replica set {old} to 3",
        f"Scaled up replica set {new} to 1",
        f"Scaled down replica set {old} to 2 from 3",
        f"Scaled up replica set {new} to 2 from 1",
        f"Scaled down replica set {old} to 1 from 2",
        f"Scaled up replica set {new} to 3 from 2",
        f"Scaled down replica set {old} to 0 from 1",
    ]
    assert len(active_pods(cluster)) == 3 and _all_running(cluster)


def test_the_first_sync_records_new_replicaset_created(cluster):
    cluster.store.create(deployment(replicas=2))
    cluster.controller("deployment-controller").reconcile("default/web")
    [rs] = replicasets(cluster)
    cond = condition(cluster, "Progressing")
    assert (cond["status"], cond["reason"], cond["message"]) == \
        ("True", "NewReplicaSetCreated", f'Created new replica set "{objects.name_of(rs)}"')
    avail = condition(cluster, "Available")
    assert (avail["status"], avail["reason"]) == ("False", "MinimumReplicasUnavailable")


def test_the_revision_annotation_does_not_bump_the_generation(cluster):
    """Upstream writes the Deployment's revision annotation through /status (the deployment
    status strategy resets only spec and labels), so a new Deployment stays at generation 1."""
    cluster.store.create(deployment(replicas=1))
    cluster.run_until_idle()
    d = get(cluster)
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert d["metadata"]["generation"] == 1


def test_full_flow_recreate_waits_for_the_kubelet_to_finish_old_pods():
    cluster = _full_cluster()
    cluster.store.create(deployment(replicas=2, strategy={"type": "Recreate"}))
    cluster.advance(10)
    old = objects.name_of(replicasets(cluster)[0])
    set_image(cluster, "nginx:1.26")
    cluster.run_until_idle()
    assert scaling_events(cluster) == [f"Scaled up replica set {old} to 2", f"Scaled down replica set {old} to 0 from 2"]
    terminating = [p for p in pods(cluster) if objects.is_terminating(p)]
    assert len(terminating) == 2 and len(replicasets(cluster)) == 1   # old pods still shutting down
    cluster.advance(30)
    new = objects.name_of(rs_by_image(cluster, "nginx:1.26"))
    assert scaling_events(cluster)[2:] == [f"Scaled up replica set {new} to 2"]
    assert len(active_pods(cluster)) == 2 and _all_running(cluster) and len(pods(cluster)) == 2
    assert condition(cluster, "Progressing")["reason"] == "NewReplicaSetAvailable"


def test_full_flow_scale_down_deletes_gracefully_and_the_kubelet_finishes():
    cluster = _full_cluster()
    cluster.store.create(deployment(replicas=4))
    cluster.advance(10)
    edit(cluster, lambda d: d["spec"].update(replicas=1))
    cluster.run_until_idle()
    assert len(active_pods(cluster)) == 1 and len(pods(cluster)) == 4   # three Terminating
    cluster.advance(40)
    assert len(pods(cluster)) == 1
    st = get(cluster)["status"]
    assert (st["replicas"], st["availableReplicas"]) == (1, 1)


def test_a_name_clash_with_a_foreign_replicaset_bumps_the_collision_count(cluster):
    stored = cluster.store.create(deployment(replicas=1))       # nothing has run yet
    h = deployment_util.compute_hash(stored["spec"]["template"], None)
    cluster.store.create({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                          "metadata": {"name": f"web-{h}", "namespace": "default", "labels": {"app": "squatter"}},
                          "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "squatter"}},
                                   "template": {"metadata": {"labels": {"app": "squatter"}},
                                                "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}})
    cluster.advance(1)
    assert get(cluster)["status"]["collisionCount"] == 1
    mine = [rs for rs in replicasets(cluster) if objects.controller_of(rs)]
    assert [objects.name_of(rs) for rs in mine] == [f"web-{deployment_util.compute_hash(get(cluster)['spec']['template'], 1)}"]
    converge(cluster)
    assert condition(cluster, "Available")["status"] == "True"
