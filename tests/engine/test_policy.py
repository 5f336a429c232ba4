"""Issue 12 items 6, 7 and 9 on the manual clock: the disruption controller's PDB status and the
Eviction API, LimitRanger and ResourceQuota admission with the quota controller, and Events
expiring after the event TTL (a DELETED watch event each, and a state file that stops growing)."""
from __future__ import annotations

import sqlite3

import pytest

from engine import errors, eviction, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.events import NORMAL
from engine.store import Store


def deployment(name="web", replicas=3, resources=None):
    c = {"name": "c", "image": "nginx"}
    if resources:
        c["resources"] = resources
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [c]}}}}


def pdb(name="web", selector=None, **spec):
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name},
            "spec": dict(spec, selector={"matchLabels": selector or {"app": "web"}})}


def pod(name, cpu=None, memory=None, limits=None):
    res: dict = {}
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    if requests:
        res["requests"] = requests
    if limits:
        res["limits"] = limits
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "nginx", "resources": res}]}}


def status_of(cluster, name="web") -> dict:
    return cluster.store.get(kinds.PODDISRUPTIONBUDGET, "default", name)["status"]


def live_pods(cluster, app="web") -> list[dict]:
    return [p for p in cluster.store.iter(kinds.POD, "default")
            if p["metadata"].get("labels", {}).get("app") == app and not p["metadata"].get("deletionTimestamp")]


# ---- PodDisruptionBudget -------------------------------------------------------------------------

def test_the_disruption_controller_counts_healthy_pods_against_the_budget(cluster):
    cluster.store.create(deployment(replicas=3))
    cluster.store.create(pdb(minAvailable=2))
    cluster.advance(10)
    st = status_of(cluster)
    assert {k: st[k] for k in ("observedGeneration", "currentHealthy", "desiredHealthy", "expectedPods",
                               "disruptionsAllowed")} == {"observedGeneration": 1, "currentHealthy": 3,
                                                          "desiredHealthy": 2, "expectedPods": 3, "disruptionsAllowed": 1}
    assert [(c["type"], c["status"], c["reason"], c["message"]) for c in st["conditions"]] == [
        ("DisruptionAllowed", "True", "SufficientPods", "")]
    # Settled: another look writes nothing.
    rv = cluster.store.get(kinds.PODDISRUPTIONBUDGET, "default", "web")["metadata"]["resourceVersion"]
    cluster.advance(30)
    assert cluster.store.get(kinds.PODDISRUPTIONBUDGET, "default", "web")["metadata"]["resourceVersion"] == rv


def test_percentages_and_max_unavailable_scale_by_the_owning_controller(cluster):
    cluster.store.create(deployment(replicas=4))
    cluster.store.create(pdb("half", minAvailable="50%"))
    cluster.store.create(pdb("one", maxUnavailable=1))
    cluster.advance(10)
    half, one = status_of(cluster, "half"), status_of(cluster, "one")
    assert (half["expectedPods"], half["desiredHealthy"], half["disruptionsAllowed"]) == (4, 2, 2)
    assert (one["expectedPods"], one["desiredHealthy"], one["disruptionsAllowed"]) == (4, 3, 1)
    # Scaling the Deployment moves the expected count before any pod is ready.
    cluster.store.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"spec": {"replicas": 6}})
    cluster.run_until_idle()
    assert status_of(cluster, "one")["expectedPods"] == 6


def test_a_budget_without_pods_records_no_pods_and_allows_nothing(cluster):
    cluster.store.create(pdb(selector={"app": "nothing"}, minAvailable=1))
    cluster.advance(1)
    st = status_of(cluster)
    assert (st["expectedPods"], st["currentHealthy"], st["disruptionsAllowed"]) == (0, 0, 0)
    assert st["conditions"][0]["reason"] == "InsufficientPods"
    reasons = [(e["reason"], e["message"]) for e in cluster.store.iter(kinds.EVENT, "default")
               if e["involvedObject"]["kind"] == "PodDisruptionBudget"]
    assert reasons == [("NoPods", "No matching pods found")]


def test_eviction_uses_the_budget_then_refuses_with_429_until_a_replacement_is_ready(cluster):
    cluster.store.create(deployment(replicas=3))
    cluster.store.create(pdb(minAvailable=2))
    cluster.advance(10)
    first, second = sorted(p["metadata"]["name"] for p in live_pods(cluster))[:2]
    now = cluster.clock.now()
    assert eviction.evict(cluster.store, "default", first, now=now)["status"] == "Success"
    st = status_of(cluster)
    assert st["disruptionsAllowed"] == 0 and st["disruptedPods"] == {first: "2026-01-01T00:00:10Z"}
    assert st["conditions"][0]["reason"] == "InsufficientPods"
    gone = cluster.store.get(kinds.POD, "default", first)
    assert gone["metadata"]["deletionTimestamp"]
    assert any(c["type"] == "DisruptionTarget" and c["reason"] == "EvictionByEvictionAPI"
               and c["message"] == "Eviction API: evicting" for c in gone["status"]["conditions"])
    with pytest.raises(errors.TooManyRequests) as e:
        eviction.evict(cluster.store, "default", second, now=now)
    assert e.value.code == 429
    assert e.value.status()["message"] == "Cannot evict pod as it would violate the pod's disruption budget."
    assert e.value.status()["details"] == {"causes": [
        {"reason": "DisruptionBudget", "message": "The disruption budget web needs 2 healthy pods and has 3 currently"}]}
    # The replacement comes up; the budget allows one again, and the eviction goes through.
    cluster.advance(10)
    st = status_of(cluster)
    assert (st["currentHealthy"], st["disruptionsAllowed"]) == (3, 1) and "disruptedPods" not in st
    assert eviction.evict(cluster.store, "default", second, now=cluster.clock.now())["status"] == "Success"


def test_two_budgets_for_one_pod_is_a_500_status_and_pending_pods_go_without_a_look(cluster):
    cluster.store.create(deployment(replicas=2))
    cluster.store.create(pdb("a", minAvailable=1))
    cluster.store.create(pdb("b", maxUnavailable=0))
    cluster.advance(10)
    name = live_pods(cluster)[0]["metadata"]["name"]
    out = eviction.evict(cluster.store, "default", name, now=cluster.clock.now())
    assert out == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "code": 500,
                   "message": "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."}
    # A pod that never ran (Pending: no node fits) is evicted whatever the budgets say.
    cluster.store.create(dict(pod("stuck", cpu="1000"), metadata={"name": "stuck", "labels": {"app": "web"}}))
    cluster.run_until_idle()
    assert eviction.evict(cluster.store, "default", "stuck", now=cluster.clock.now())["status"] == "Success"


def test_an_eviction_not_followed_by_a_delete_is_forgotten_after_two_minutes(cluster):
    cluster.store.create(deployment(replicas=3))
    cluster.store.create(pdb(minAvailable=2))
    cluster.advance(10)
    name = live_pods(cluster)[0]["metadata"]["name"]
    eviction.evict(cluster.store, "default", name, now=cluster.clock.now(), dry_run=True)
    assert status_of(cluster)["disruptionsAllowed"] == 1        # a dry run changes nothing
    # What the eviction writes, without the delete that should follow it.
    cur = cluster.store.get(kinds.PODDISRUPTIONBUDGET, "default", "web")
    marked = dict(cur["status"], disruptedPods={name: "2026-01-01T00:00:10Z"}, disruptionsAllowed=0)
    cluster.store.update(dict(cur, status=marked), subresource="status")
    cluster.run_until_idle()
    assert status_of(cluster)["currentHealthy"] == 2
    cluster.advance(125)
    st = status_of(cluster)
    assert (st["currentHealthy"], st["disruptionsAllowed"]) == (3, 1) and "disruptedPods" not in st
    assert any(e["reason"] == "NotDeleted" for e in cluster.store.iter(kinds.EVENT, "default"))


# ---- LimitRange and ResourceQuota -----------------------------------------------------------------

def test_limitranger_defaults_annotate_and_bounds_refuse(cluster):
    s = cluster.store
    s.create({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "lr"},
              "spec": {"limits": [{"type": "Container", "max": {"memory": "1Gi"}, "min": {"memory": "100Mi"},
                                   "maxLimitRequestRatio": {"memory": "2"}}]}})
    made = s.create(pod("p"))
    assert made["spec"]["containers"][0]["resources"] == {"limits": {"memory": "1Gi"}, "requests": {"memory": "1Gi"}}
    assert made["metadata"]["annotations"] == {
        "kubernetes.io/limit-ranger": "LimitRanger plugin set: memory request for container c; memory limit for container c"}
    assert made["status"]["qosClass"] == "Burstable"
    with pytest.raises(errors.Forbidden) as e:
        s.create(pod("ratio", memory="200Mi", limits={"memory": "1Gi"}))
    assert e.value.message == ('pods "ratio" is forbidden: memory max limit to request ratio per Container is 2, '
                               "but provided ratio is 5.120000")
    with pytest.raises(errors.Forbidden) as e:
        s.create(pod("both", memory="50Mi", limits={"memory": "2Gi"}))
    assert e.value.message == ('pods "both" is forbidden: [minimum memory usage per Container is 100Mi, but request is '
                               "50Mi, maximum memory usage per Container is 1Gi, but limit is 2Gi, memory max limit to "
                               "request ratio per Container is 2, but provided ratio is 40.960000]")


def test_limitrange_validation_texts(cluster):
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "bad"},
                              "spec": {"limits": [{"type": "Container", "min": {"cpu": "1"}, "max": {"cpu": "500m"}},
                                                  {"type": "Pod", "default": {"cpu": "1"}}]}})
    # (defaulting has made default and defaultRequest 500m from max first, as upstream's does)
    assert e.value.message == ('LimitRange "bad" is invalid: [spec.limits[0].min[cpu]: Invalid value: 1: min value 1 '
                               "is greater than max value 500m, spec.limits[0].defaultRequest[cpu]: Invalid value: 500m: "
                               "min value 1 is greater than default request value 500m, spec.limits[0].default[cpu]: "
                               "Invalid value: 1: min value 1 is greater than default value 500m, "
                               "spec.limits[1].default: Forbidden: may not be specified when `type` is 'Pod']")


def test_quota_admission_and_the_controllers_status(cluster):
    s = cluster.store
    s.create({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"},
              "spec": {"hard": {"requests.cpu": "2", "limits.memory": "1Gi", "pods": "3", "count/deployments.apps": "1"}}})
    with pytest.raises(errors.Forbidden) as e:
        s.create(pod("x", cpu="1"))
    assert e.value.message == 'pods "x" is forbidden: failed quota: q: must specify limits.memory for: c'
    s.create(pod("a", cpu="1", limits={"memory": "512Mi"}))
    s.create(pod("b", cpu="500m", limits={"memory": "256Mi"}))
    with pytest.raises(errors.Forbidden) as e:
        s.create(pod("c", cpu="1", limits={"memory": "128Mi"}))
    assert e.value.message == ('pods "c" is forbidden: exceeded quota: q, requested: requests.cpu=1, '
                               "used: requests.cpu=1500m, limited: requests.cpu=2")
    cluster.run_until_idle()
    rq = s.get(kinds.RESOURCEQUOTA, "default", "q")
    assert rq["status"] == {"hard": {"requests.cpu": "2", "limits.memory": "1Gi", "pods": "3", "count/deployments.apps": "1"},
                            "used": {"requests.cpu": "1500m", "limits.memory": "768Mi", "pods": "2",
                                     "count/deployments.apps": "0"}}
    s.create(deployment("one", replicas=0))
    with pytest.raises(errors.Forbidden) as e:
        s.create(deployment("two", replicas=0))
    assert e.value.message == ('deployments.apps "two" is forbidden: exceeded quota: q, requested: '
                               "count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1")
    # A finished pod stops counting (QuotaV1Pod); the controller follows.
    s.delete(kinds.POD, "default", "b")
    cluster.advance(5)
    assert s.get(kinds.RESOURCEQUOTA, "default", "q")["status"]["used"]["requests.cpu"] == "1"
    with pytest.raises(errors.Invalid) as e:
        s.create({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "bad"},
                  "spec": {"hard": {"widgets": "1", "pods": "1.5"}}})
    assert e.value.message == ('ResourceQuota "bad" is invalid: [spec.hard[widgets]: Invalid value: "widgets": must be '
                               'a standard resource for quota, spec.hard[pods]: Invalid value: "1500m": must be an integer]')


def test_scoped_quotas_count_only_the_pods_their_scopes_select(cluster):
    s = cluster.store
    s.create({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "best-effort"},
              "spec": {"hard": {"pods": "1"}, "scopes": ["BestEffort"]}})
    s.create({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "high"},
              "spec": {"hard": {"pods": "0"}, "scopeSelector": {"matchExpressions": [
                  {"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]}}})
    s.create(pod("free"))
    with pytest.raises(errors.Forbidden) as e:
        s.create(pod("free-2"))
    assert e.value.message == ('pods "free-2" is forbidden: exceeded quota: best-effort, requested: pods=1, '
                               "used: pods=1, limited: pods=1")
    s.create(pod("burstable", cpu="100m"))          # NotBestEffort: the BestEffort quota ignores it
    s.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}})
    cluster.run_until_idle()
    assert s.get(kinds.RESOURCEQUOTA, "default", "best-effort")["status"]["used"] == {"pods": "1"}
    assert s.get(kinds.RESOURCEQUOTA, "default", "high")["status"]["used"] == {"pods": "0"}


def test_a_pod_limit_range_bounds_the_pods_sum(cluster):
    cluster.store.create({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "per-pod"},
                          "spec": {"limits": [{"type": "Pod", "max": {"cpu": "1"}}]}})
    two = pod("two", cpu="600m", limits={"cpu": "600m"})
    two["spec"]["containers"].append({"name": "d", "image": "nginx",
                                      "resources": {"requests": {"cpu": "600m"}, "limits": {"cpu": "600m"}}})
    with pytest.raises(errors.Forbidden) as e:
        cluster.store.create(two)
    assert e.value.message == 'pods "two" is forbidden: maximum cpu usage per Pod is 1, but limit is 1200m'


# ---- Events expire -----------------------------------------------------------------------------------

def _recorded(cluster, n: int, prefix: str = "churn") -> None:
    node = cluster.store.get(kinds.NODE, "", "node-1")
    for i in range(n):
        cluster.recorder.event(dict(node, metadata=dict(node["metadata"], name=f"{prefix}-{i}", uid=f"{prefix}-{i}")),
                               NORMAL, "Churn", f"event {i}", component="test")


def test_events_expire_an_hour_after_their_last_write_with_deleted_watch_events(cluster):
    _recorded(cluster, 2, "first")
    w = cluster.store.watch(cluster.store.resource_version)
    cluster.advance(1800)
    node = cluster.store.get(kinds.NODE, "", "node-1")
    # A repeat renews the lease: the aggregated Event lives an hour from its last write.
    cluster.recorder.event(dict(node, metadata=dict(node["metadata"], name="first-1", uid="first-1")),
                           NORMAL, "Churn", "event 1", component="test")
    names = lambda: {e["metadata"]["name"].split(".")[0] for e in cluster.store.iter(kinds.EVENT, "default")  # noqa: E731
                     if e["reason"] == "Churn"}
    assert names() == {"first-0", "first-1"}
    cluster.advance(1800)
    assert names() == {"first-1"}
    deleted = [ev for ev in w.next(0) if ev.type == "DELETED" and ev.object["kind"] == "Event"
               and ev.object.get("reason") == "Churn"]
    assert [ev.object["involvedObject"]["name"] for ev in deleted] == ["first-0"]
    assert deleted[0].rv == int(deleted[0].object["metadata"]["resourceVersion"])
    cluster.advance(1800)
    assert names() == set()


def test_the_state_file_does_not_grow_without_bound_under_event_churn(tmp_path):
    path = str(tmp_path / "state.db")
    cluster = Cluster(store=Store(path=path), clock=ManualClock(), nodes=1)
    cluster.run_until_idle()

    def stored_events() -> int:
        cluster.store.flush()
        with sqlite3.connect(path) as db:
            return db.execute("SELECT COUNT(*) FROM objects WHERE resource = 'events'").fetchone()[0]
    counts = []
    for hour in range(4):
        for quarter in range(4):
            _recorded(cluster, 50, f"h{hour}q{quarter}")
            cluster.advance(900)
        counts.append(stored_events())
    # Each hour adds 200 Events and an hour's worth expire: the count levels off.
    assert counts[1] <= 250 and counts[2] == counts[3], counts
    cluster.stop()
    # Read back, the expiry index is rebuilt from the Events' own times.
    again = Cluster(store=Store(path=path), clock=ManualClock(start=cluster.clock.now()), nodes=1)
    again.advance(3600)
    assert [e for e in again.store.iter(kinds.EVENT, "default") if e["reason"] == "Churn"] == []
    again.stop()


def test_a_budget_over_daemonset_pods_fails_safe(cluster):
    """A percentage needs the pods' controller's scale; a DaemonSet has none (found no controllers)."""
    cluster.store.create({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
                          "spec": {"selector": {"matchLabels": {"app": "agent"}},
                                   "template": {"metadata": {"labels": {"app": "agent"}},
                                                "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    cluster.store.create(pdb("agent", selector={"app": "agent"}, maxUnavailable="50%"))
    cluster.advance(10)
    st = status_of(cluster, "agent")
    assert st["disruptionsAllowed"] == 0
    cond = st["conditions"][0]
    assert (cond["status"], cond["reason"]) == ("False", "SyncFailed")
    assert cond["message"].startswith('found no controllers for pod "agent-')
    evs = [e for e in cluster.store.iter(kinds.EVENT, "default") if e["reason"] == "CalculateExpectedPodCountFailed"]
    assert evs and evs[0]["message"].startswith("Failed to calculate the number of expected pods: found no controllers")
