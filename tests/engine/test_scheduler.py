"""default-scheduler places pods as kube-scheduler does: the default filters in order, the exact
FitError text (reasons counted and sorted as strings, then the preemption verdict), binding
with a Scheduled event, retries when the cluster changes, and no writes when nothing changed."""
import pytest

from engine import objects, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.scheduler.cache import tolerates
from engine.store import Store


def pod(name, *, containers=None, owner=None, **spec):
    md = {"name": name, "namespace": "default"}
    if owner:
        md["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": owner,
                                  "uid": f"uid-{owner}", "controller": True, "blockOwnerDeletion": True}]
    spec["containers"] = containers or [{"name": "c", "image": "nginx:1.27"}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec}


def cpu_pod(name, cpu, **kw):
    return pod(name, containers=[{"name": "c", "image": "nginx:1.27", "resources": {"requests": {"cpu": cpu}}}], **kw)


def get(c, name):
    return c.store.get(kinds.POD, "default", name)


def scheduled(c, name):
    return objects.get_condition(get(c, name).get("status"), "PodScheduled")


def events(c, name, reason=None):
    items, _ = c.store.list(kinds.EVENT, "default")
    return [e for e in items if e["involvedObject"]["name"] == name and (reason is None or e["reason"] == reason)]


def set_node(c, name, fn):
    node = objects.clone(c.store.get(kinds.NODE, "", name))
    fn(node)
    c.store.update(node)


def taint(key, value="", effect="NoSchedule"):
    return {"key": key, "value": value, "effect": effect}


# ---- binding ------------------------------------------------------------------------------------

def test_a_pod_is_bound_with_a_condition_and_a_scheduled_event(cluster):
    cluster.store.create(pod("web"))
    cluster.run_until_idle()
    p = get(cluster, "web")
    node = p["spec"]["nodeName"]
    assert node in {"node-1", "node-2", "node-3"}
    cond = scheduled(cluster, "web")
    assert cond["status"] == "True" and "reason" not in cond
    [ev] = events(cluster, "web", "Scheduled")
    assert ev["message"] == f"Successfully assigned default/web to {node}"
    assert ev["type"] == "Normal" and ev["action"] == "Binding"
    # written by the events.k8s.io/v1 recorder: eventTime and the reporting fields, no source
    assert ev["source"] == {} and ev["firstTimestamp"] is None and ev["lastTimestamp"] is None
    assert (ev["reportingComponent"], ev["reportingInstance"]) == (
        "default-scheduler", "default-scheduler-kubeplay-control-plane")
    assert ev["eventTime"] and "count" not in ev


def test_pods_of_one_controller_spread_over_the_nodes(cluster):
    for i in range(9):
        cluster.store.create(pod(f"web-{i}", owner="web-rs"))
    cluster.run_until_idle()
    nodes = [get(cluster, f"web-{i}")["spec"]["nodeName"] for i in range(9)]
    assert sorted(nodes.count(n) for n in {"node-1", "node-2", "node-3"}) == [3, 3, 3]


def test_requests_fill_nodes_and_the_least_requested_node_wins(cluster):
    cluster.store.create(cpu_pod("a", "3"))
    cluster.run_until_idle()
    first = get(cluster, "a")["spec"]["nodeName"]
    cluster.store.create(cpu_pod("b", "3"))
    cluster.store.create(cpu_pod("c", "3"))
    cluster.run_until_idle()
    nodes = {get(cluster, n)["spec"]["nodeName"] for n in "abc"}
    assert len(nodes) == 3 and first in nodes


# ---- FitError text ------------------------------------------------------------------------------

def test_insufficient_cpu_message_is_exact_and_written_once(cluster):
    cluster.store.create(cpu_pod("big", "64"))
    cluster.run_until_idle()
    msg = ("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
           "3 No preemption victims found for incoming pod.")
    p = get(cluster, "big")
    cond = scheduled(cluster, "big")
    assert p["status"]["phase"] == "Pending" and "nodeName" not in p["spec"]
    assert (cond["status"], cond["reason"], cond["message"]) == ("False", "Unschedulable", msg)
    [ev] = events(cluster, "big", "FailedScheduling")
    assert (ev["type"], ev["message"], ev["action"]) == ("Warning", msg, "Scheduling")
    assert ev["source"] == {} and ev["reportingComponent"] == "default-scheduler" and "series" not in ev


def test_a_pod_that_stays_unschedulable_repeats_failed_scheduling_as_a_series(cluster):
    """The first attempt's Event is about the pod as it was queued; its PodScheduled=False
    condition gives the pod a new resourceVersion, so the next attempt (the 5-minute flush) is a
    new Event, and the one after is its series (count 2). Later repeats are counted in the
    scheduler's cache, written by refreshExistingEventSeries every 30 minutes."""
    cluster.store.create(cpu_pod("big", "64"))
    cluster.run_until_idle()
    (first,) = events(cluster, "big", "FailedScheduling")
    assert "series" not in first
    cluster.advance(300)
    assert [("series" in e) for e in events(cluster, "big", "FailedScheduling")] == [False, False]
    cluster.advance(300)
    evs = sorted(events(cluster, "big", "FailedScheduling"), key=lambda e: e["eventTime"])
    assert "series" not in evs[0] and evs[1]["series"]["count"] == 2
    assert evs[0]["involvedObject"]["resourceVersion"] != evs[1]["involvedObject"]["resourceVersion"]
    assert objects.parse_time(evs[1]["series"]["lastObservedTime"]) == pytest.approx(cluster.clock.now(), abs=1)
    assert evs[1]["metadata"]["managedFields"][0]["apiVersion"] == "events.k8s.io/v1"
    assert "f:series" in evs[1]["metadata"]["managedFields"][0]["fieldsV1"]
    cluster.advance(300)
    assert events(cluster, "big", "FailedScheduling")[1]["series"]["count"] == 2   # 3 in the cache
    for _ in range(5):
        cluster.advance(300)
    counts = sorted(e.get("series", {}).get("count", 1) for e in events(cluster, "big", "FailedScheduling"))
    # at 30 minutes refreshExistingEventSeries wrote the count so far (5, the last at 25 minutes:
    # the timer ran before that minute's attempt); the ones since wait in the cache
    assert counts == [1, 5]


def test_node_selector_mismatch_is_not_helped_by_preemption(cluster):
    cluster.store.create(pod("ssd", nodeSelector={"disktype": "ssd"}))
    cluster.run_until_idle()
    assert scheduled(cluster, "ssd")["message"] == (
        "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")
    set_node(cluster, "node-2", lambda n: n["metadata"]["labels"].update(disktype="ssd"))
    cluster.advance(2)
    assert get(cluster, "ssd")["spec"]["nodeName"] == "node-2"


def test_mixed_reasons_are_counted_and_sorted_as_strings(cluster):
    set_node(cluster, "node-1", lambda n: n["spec"].update(taints=[taint("dedicated", "gpu")]))
    cluster.store.create(cpu_pod("big", "64"))
    cluster.run_until_idle()
    assert scheduled(cluster, "big")["message"] == (
        "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. "
        "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
        "2 No preemption victims found for incoming pod.")


def test_histogram_sorts_counts_as_strings_not_numbers():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=12)
    for i in (11, 12):
        set_node(c, f"node-{i}", lambda n: n["spec"].update(taints=[taint("dedicated", "gpu")]))
    c.store.create(cpu_pod("big", "64"))
    c.run_until_idle()
    assert scheduled(c, "big")["message"] == (
        "0/12 nodes are available: 10 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: gpu}. "
        "preemption: 0/12 nodes are available: 10 No preemption victims found for incoming pod, "
        "2 Preemption is not helpful for scheduling.")


def test_several_resources_short_on_one_node_each_count():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=1)
    c.store.create(pod("huge", containers=[{"name": "c", "image": "nginx:1.27",
                                            "resources": {"requests": {"cpu": "8", "memory": "64Gi"}}}]))
    c.run_until_idle()
    assert scheduled(c, "huge")["message"] == (
        "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. "
        "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.")


def test_no_nodes_at_all():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=0)
    c.store.create(pod("lonely"))
    c.run_until_idle()
    cond = scheduled(c, "lonely")
    assert (cond["reason"], cond["message"]) == ("Unschedulable", "no nodes available to schedule pods")


def test_too_many_pods_counts_against_the_node_pod_limit():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=0)
    c.add_node("node-1", pods=1)
    c.store.create(pod("one"))
    c.store.create(pod("two"))
    c.run_until_idle()
    msgs = [(scheduled(c, n) or {}).get("message") for n in ("one", "two")]
    assert ("0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: "
            "1 No preemption victims found for incoming pod.") in msgs


# ---- filters ------------------------------------------------------------------------------------

def test_cordoned_nodes_are_skipped_and_reported_first(cluster):
    for n in ("node-1", "node-2"):
        set_node(cluster, n, lambda x: x["spec"].update(unschedulable=True))
    for i in range(3):
        cluster.store.create(pod(f"p{i}"))
    cluster.run_until_idle()
    assert {get(cluster, f"p{i}")["spec"]["nodeName"] for i in range(3)} == {"node-3"}
    set_node(cluster, "node-3", lambda x: x["spec"].update(unschedulable=True,
                                                           taints=[taint("dedicated", "gpu")]))
    cluster.store.create(pod("late"))
    cluster.run_until_idle()
    assert scheduled(cluster, "late")["message"] == (
        "0/3 nodes are available: 3 node(s) were unschedulable. "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")


def test_taints_keep_pods_away_unless_tolerated(cluster):
    for n in ("node-1", "node-2", "node-3"):
        set_node(cluster, n, lambda x: x["spec"].update(taints=[taint("dedicated", "gpu")]))
    cluster.store.create(pod("plain"))
    cluster.store.create(pod("tolerant", tolerations=[{"key": "dedicated", "operator": "Equal", "value": "gpu",
                                                       "effect": "NoSchedule"}]))
    cluster.run_until_idle()
    assert "nodeName" not in get(cluster, "plain")["spec"]
    assert scheduled(cluster, "plain")["message"].startswith("0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: gpu}.")
    assert get(cluster, "tolerant")["spec"]["nodeName"]


def test_prefer_no_schedule_only_steers(cluster):
    for n in ("node-1", "node-2"):
        set_node(cluster, n, lambda x: x["spec"].update(taints=[taint("spot", "true", "PreferNoSchedule")]))
    for i in range(3):
        cluster.store.create(pod(f"p{i}"))
    cluster.run_until_idle()
    assert {get(cluster, f"p{i}")["spec"]["nodeName"] for i in range(3)} == {"node-3"}


@pytest.mark.parametrize("toleration, ok", [
    ({"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"}, True),
    ({"key": "k", "value": "v"}, True),                                  # "" operator = Equal, any effect
    ({"key": "k", "operator": "Equal", "value": "other"}, False),
    ({"key": "k", "operator": "Exists"}, True),
    ({"operator": "Exists"}, True),                                      # empty key + Exists: everything
    ({"key": "k", "operator": "Exists", "effect": "NoExecute"}, False),  # effect must match
    ({"key": "other", "operator": "Exists"}, False),
])
def test_toleration_matching_rules(toleration, ok):
    assert tolerates(toleration, {"key": "k", "value": "v", "effect": "NoSchedule"}) is ok


def test_required_node_affinity_and_match_fields(cluster):
    set_node(cluster, "node-3", lambda n: n["metadata"]["labels"].update(zone="b"))
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]}]}}}
    cluster.store.create(pod("zoned", affinity=affinity))
    pinned = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-2"]}]}]}}}
    cluster.store.create(pod("pinned", affinity=pinned))
    cluster.store.create(cpu_pod("pinned-big", "64", affinity=pinned))
    cluster.run_until_idle()
    assert get(cluster, "zoned")["spec"]["nodeName"] == "node-3"
    assert get(cluster, "pinned")["spec"]["nodeName"] == "node-2"
    assert scheduled(cluster, "pinned-big")["message"] == (
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. "
        "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
        "2 Preemption is not helpful for scheduling.")


def test_host_ports_conflict():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=1)
    ports = [{"name": "c", "image": "nginx:1.27", "ports": [{"containerPort": 80, "hostPort": 8080}]}]
    c.store.create(pod("a", containers=ports))
    c.store.create(pod("b", containers=objects.clone(ports)))
    c.run_until_idle()
    bound = [n for n in "ab" if get(c, n)["spec"].get("nodeName")]
    assert len(bound) == 1
    other = "b" if bound == ["a"] else "a"
    assert scheduled(c, other)["message"] == (
        "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. "
        "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.")


def test_not_ready_node_is_avoided_even_before_it_is_tainted(cluster):
    def not_ready(n):
        for cond in n["status"]["conditions"]:
            if cond["type"] == "Ready":
                cond["status"] = "False"
    node = objects.clone(cluster.store.get(kinds.NODE, "", "node-1"))
    not_ready(node)
    cluster.store.update(node, subresource="status")
    for i in range(4):
        cluster.store.create(pod(f"p{i}"))
    cluster.run_until_idle()
    assert "node-1" not in {get(cluster, f"p{i}")["spec"]["nodeName"] for i in range(4)}


# ---- retries ------------------------------------------------------------------------------------

def test_unschedulable_pod_is_placed_when_a_node_is_added(cluster):
    cluster.store.create(cpu_pod("big", "6"))
    cluster.run_until_idle()
    assert "nodeName" not in get(cluster, "big")["spec"]
    cluster.add_node("node-4", cpu="8", memory="16Gi")
    cluster.advance(2)
    assert get(cluster, "big")["spec"]["nodeName"] == "node-4"
    assert events(cluster, "big", "Scheduled")[0]["message"] == "Successfully assigned default/big to node-4"


def test_unschedulable_pod_is_placed_when_a_pod_goes_away():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=1)
    c.store.create(cpu_pod("first", "3"))
    c.run_until_idle()
    c.store.create(cpu_pod("second", "3"))
    c.run_until_idle()
    assert scheduled(c, "second")["reason"] == "Unschedulable"
    c.store.delete(kinds.POD, "default", "first")
    c.advance(10)
    assert c.store.try_get(kinds.POD, "default", "first") is None
    assert get(c, "second")["spec"]["nodeName"] == "node-1"


def test_a_failed_pod_stops_counting_against_the_node():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=1)
    c.store.create(pod("job", restartPolicy="Never",
                       containers=[{"name": "c", "image": "busybox:1.36", "command": ["sh", "-c", "exit 1"],
                                    "resources": {"requests": {"cpu": "3"}}}]))
    c.run_until_idle()
    c.store.create(cpu_pod("next", "3"))
    c.advance(10)
    assert get(c, "job")["status"]["phase"] == "Failed"
    assert get(c, "next")["spec"]["nodeName"] == "node-1"


def test_nothing_is_rewritten_while_nothing_changes(cluster):
    cluster.store.create(cpu_pod("big", "64"))
    cluster.store.create(pod("ok"))
    cluster.run_until_idle()
    rv = cluster.store.resource_version
    sched = cluster.controller("default-scheduler")
    for _ in range(3):
        for p in cluster.store.list(kinds.POD)[0]:
            sched.reconcile(objects.key_of(p))
        cluster.run_until_idle()
    assert cluster.store.resource_version == rv
    [ev] = events(cluster, "big", "FailedScheduling")
    assert "series" not in ev


def test_a_cluster_change_retries_and_repeats_the_event(cluster):
    cluster.store.create(cpu_pod("big", "64"))
    cluster.run_until_idle()
    set_node(cluster, "node-1", lambda n: n["metadata"]["labels"].update(extra="1"))
    cluster.advance(5)
    # the retry's Event is about the pod as its first attempt's PodScheduled=False condition
    # left it (a new resourceVersion): a new Event, not a series of the first (tools/events keys
    # by the full ObjectReference)
    first, again = sorted(events(cluster, "big", "FailedScheduling"), key=lambda e: e["eventTime"])
    assert first["message"] == again["message"] and "series" not in first and "series" not in again
    assert int(again["involvedObject"]["resourceVersion"]) > int(first["involvedObject"]["resourceVersion"])
    assert scheduled(cluster, "big")["lastTransitionTime"] == "2026-01-01T00:00:00Z"


def test_scheduler_name_other_than_default_is_left_alone(cluster):
    cluster.store.create(pod("custom", schedulerName="my-scheduler"))
    cluster.run_until_idle()
    p = get(cluster, "custom")
    assert "nodeName" not in p["spec"] and scheduled(cluster, "custom") is None


def test_scheduling_gates_hold_the_pod(cluster):
    cluster.store.create(pod("gated", schedulingGates=[{"name": "example.com/wait"}]))
    cluster.run_until_idle()
    cond = scheduled(cluster, "gated")
    assert (cond["status"], cond["reason"], cond["message"]) == (
        "False", "SchedulingGated", "Scheduling is blocked due to non-empty scheduling gates")
    assert not events(cluster, "gated", "FailedScheduling")
