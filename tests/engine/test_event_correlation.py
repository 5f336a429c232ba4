"""The EventRecorder passes each component's Events through client-go's EventCorrelator
(tools/record/events_cache.go): the aggregator, the repeat counter (a PATCH of the Event) and the
spam filter. The kube-scheduler's Events (events.k8s.io recorder) do not go through it."""
import pytest

from engine import admission, objects, resources as kinds
from engine.clock import ManualClock
from engine.event_correlation import SPAM_QPS
from engine.events import EventRecorder
from engine.store import Store

COMBINED = "(combined from similar events): "


@pytest.fixture
def rec():
    clock = ManualClock()
    store = Store(clock=clock)
    store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    rs = store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web", "namespace": "default"}})
    # (a ReplicaSet's reference is all the recorder reads of the object)
    rs = dict(rs, apiVersion="apps/v1", kind="ReplicaSet")
    return EventRecorder(store, clock), store, clock, rs


def events(store):
    items, _ = store.list(kinds.EVENT)
    return sorted(items, key=lambda e: int(e["metadata"]["resourceVersion"]))


def quota_event(store):
    (ev,) = [e for e in events(store) if e["reason"] == "FailedCreate" and e["source"]["component"] == "replicaset-controller"]
    return ev


def created(rec, rs, i, component="replicaset-controller"):
    rec.event(rs, "Normal", "SuccessfulCreate", f"Created pod: web-{i}", component=component)


def test_the_tenth_distinct_message_starts_one_combined_event(rec):
    recorder, store, clock, rs = rec
    for i in range(9):
        created(recorder, rs, i)
    assert [e["message"] for e in events(store)] == [f"Created pod: web-{i}" for i in range(9)]
    created(recorder, rs, 9)              # ten distinct messages: this one is combined
    created(recorder, rs, 10)             # the 11th: the same combined Event, counted up
    evs = events(store)
    assert len(evs) == 10
    combined = evs[-1]
    assert combined["message"] == COMBINED + "Created pod: web-10"
    assert combined["count"] == 2
    assert combined["reason"] == "SuccessfulCreate" and combined["type"] == "Normal"
    assert combined["source"] == {"component": "replicaset-controller"}
    # EventAggregate's copy carries no reporting controller or instance
    assert combined["reportingComponent"] == "" and combined["reportingInstance"] == ""
    assert combined["involvedObject"]["name"] == "web" and combined["involvedObject"]["kind"] == "ReplicaSet"
    for i in range(11, 20):
        clock.advance(1.0)
        created(recorder, rs, i)
    evs = events(store)
    assert len(evs) == 10                 # still one combined Event, its message the newest
    assert evs[-1]["count"] == 11 and evs[-1]["message"] == COMBINED + "Created pod: web-19"
    assert evs[-1]["firstTimestamp"] == objects.iso(0 + clock.now() - 9.0)
    assert evs[-1]["lastTimestamp"] == objects.iso(clock.now())
    submitted = objects.clone(evs[-1])
    for k in ("uid", "resourceVersion", "creationTimestamp", "managedFields"):
        submitted["metadata"].pop(k)
    assert admission.admit_create(objects.clone(submitted), strict=True, decode=True) == submitted


def test_other_reasons_types_and_objects_are_aggregated_apart(rec):
    recorder, store, clock, rs = rec
    other = dict(rs, metadata=dict(rs["metadata"], name="db", uid="another-uid"))
    for i in range(9):
        created(recorder, rs, i)
        created(recorder, other, i)
        recorder.event(rs, "Normal", "SuccessfulDelete", f"Deleted pod: web-{i}", component="replicaset-controller")
    assert not any(e["message"].startswith(COMBINED) for e in events(store))


def test_a_gap_over_ten_minutes_starts_the_count_again(rec):
    recorder, store, clock, rs = rec
    for i in range(9):
        created(recorder, rs, i)
    clock.advance(600.0)                 # exactly the interval: still within it
    created(recorder, rs, 9)
    assert events(store)[-1]["message"] == COMBINED + "Created pod: web-9"
    clock.advance(600.5)                 # more than the interval since the last one: a new record
    for i in range(10, 19):
        created(recorder, rs, i)
    assert [e["message"] for e in events(store)[-9:]] == [f"Created pod: web-{i}" for i in range(10, 19)]
    created(recorder, rs, 19)            # the tenth distinct one of the new record: the same
    evs = events(store)                  # combined Event as before (the logger still has it)
    assert evs[-1]["message"] == COMBINED + "Created pod: web-19" and evs[-1]["count"] == 2
    assert len([e for e in evs if e["message"].startswith(COMBINED)]) == 1


def test_a_repeat_patches_the_event_it_repeats(rec):
    recorder, store, clock, rs = rec
    feed = store.subscribe()
    recorder.event(rs, "Warning", "FailedCreate", "Error creating: quota", component="replicaset-controller")
    first = events(store)[0]
    clock.advance(5.0)
    recorder.event(rs, "Warning", "FailedCreate", "Error creating: quota", component="replicaset-controller")
    (ev,) = events(store)
    assert ev["metadata"]["name"] == first["metadata"]["name"] and ev["metadata"]["uid"] == first["metadata"]["uid"]
    assert ev["count"] == 2 and ev["firstTimestamp"] == first["firstTimestamp"]
    assert ev["lastTimestamp"] == objects.iso(clock.now())
    assert int(ev["metadata"]["resourceVersion"]) > int(first["metadata"]["resourceVersion"])
    assert [(w.type, w.object["count"]) for w in feed if w.object.get("kind") == "Event"] == [("ADDED", 1), ("MODIFIED", 2)]
    assert ev["metadata"]["managedFields"][0]["time"] == objects.iso(clock.now())


def test_a_repeat_of_an_expired_event_writes_it_again_under_its_name_with_the_count(rec):
    recorder, store, clock, rs = rec
    for _ in range(3):
        recorder.event(rs, "Warning", "FailedCreate", "Error creating: quota", component="replicaset-controller")
    (ev,) = events(store)
    store.delete(kinds.EVENT, "default", ev["metadata"]["name"])
    clock.advance(10.0)
    recorder.event(rs, "Warning", "FailedCreate", "Error creating: quota", component="replicaset-controller")
    (again,) = events(store)
    assert again["metadata"]["name"] == ev["metadata"]["name"]
    assert again["count"] == 4 and again["firstTimestamp"] == ev["firstTimestamp"]
    assert again["metadata"]["uid"] != ev["metadata"]["uid"]


def test_the_26th_event_about_one_object_in_a_burst_is_dropped_then_a_token_comes_back(rec):
    recorder, store, clock, rs = rec
    for _ in range(26):
        recorder.event(rs, "Warning", "FailedCreate", "Error creating: quota", component="replicaset-controller")
    (ev,) = events(store)
    assert ev["count"] == 25                    # the 26th was not written
    # The spam key is source, object and type: another reason about the same object has no token
    recorder.event(rs, "Warning", "FailedDelete", "Error deleting: x", component="replicaset-controller")
    assert len(events(store)) == 1
    # ... another type, object or component has its own bucket
    recorder.event(rs, "Normal", "SuccessfulCreate", "Created pod: web-0", component="replicaset-controller")
    recorder.event(rs, "Warning", "FailedCreate", "Error creating: quota", component="other-controller")
    assert len(events(store)) == 3
    clock.advance(299.0)                        # not yet a whole token
    recorder.event(rs, "Warning", "FailedCreate", "Error creating: quota", component="replicaset-controller")
    assert quota_event(store)["count"] == 25
    clock.advance(1.0 / SPAM_QPS - 299.0)       # 300 s (1/300 as a float32) since the burst
    recorder.event(rs, "Warning", "FailedCreate", "Error creating: quota", component="replicaset-controller")
    ev = quota_event(store)
    assert ev["count"] == 28                    # the dropped ones were counted all the same
    assert ev["lastTimestamp"] == objects.iso(clock.now())
    recorder.event(rs, "Warning", "FailedCreate", "Error creating: quota", component="replicaset-controller")
    assert quota_event(store)["count"] == 28    # that token is spent
    assert len(events(store)) == 3


def test_a_kubelets_events_are_filtered_per_pod_and_node(rec):
    recorder, store, clock, rs = rec
    pod = dict(rs, apiVersion="v1", kind="Pod")
    for _ in range(30):
        recorder.event(pod, "Warning", "BackOff", "Back-off restarting failed container app",
                       component="kubelet", host="node-1", field_path="spec.containers{app}")
    (ev,) = events(store)
    assert ev["count"] == 25 and ev["reportingInstance"] == "node-1" and ev["source"]["host"] == "node-1"


def test_the_schedulers_events_are_not_correlated(rec):
    """tools/events keys its cache without the note: 30 repeats and 12 other messages about the
    same pod version are one Event, its series written at count 2 (the rest wait in the cache
    for finishSeries; tests/engine/test_event_series.py)."""
    recorder, store, clock, rs = rec
    pod = dict(rs, apiVersion="v1", kind="Pod")
    for _ in range(30):
        recorder.event(pod, "Warning", "FailedScheduling", "0/1 nodes are available", component="default-scheduler",
                       action="Scheduling")
    for i in range(12):
        recorder.event(pod, "Warning", "FailedScheduling", f"0/{i} nodes", component="default-scheduler",
                       action="Scheduling")
    (ev,) = events(store)
    assert ev["series"]["count"] == 2 and "count" not in ev and ev["message"] == "0/1 nodes are available"


def kubelet_starts(store, node):
    return [e for e in events(store)
            if e["reason"] == "Starting" and e["involvedObject"]["name"] == node and e["source"]["component"] == "kubelet"]


def test_a_deleted_nodes_kubelet_takes_its_correlator_and_a_new_one_starts_empty(cluster):
    """Upstream the caches live in the kubelet process: one started again under the same node
    name writes a new "Starting kubelet." Event (count 1), not a repeat of the old one's."""
    sources = cluster.recorder._correlators
    assert ("kubelet", "node-1") in sources
    cluster.store.delete(kinds.NODE, "", "node-1")
    cluster.run_until_idle()
    assert ("kubelet", "node-1") not in sources and ("kubelet", "node-2") in sources
    (old,) = kubelet_starts(cluster.store, "node-1")
    cluster.add_node("node-1")
    cluster.run_until_idle()
    assert ("kubelet", "node-1") in sources
    again = [e for e in kubelet_starts(cluster.store, "node-1") if e["metadata"]["name"] != old["metadata"]["name"]]
    assert [e["count"] for e in again] == [1]
    assert cluster.store.get(kinds.EVENT, old["metadata"]["namespace"], old["metadata"]["name"])["count"] == 1


def scaled_up_events(store):
    return [e for e in events(store) if e["reason"] == "ScalingReplicaSet" and e["message"].endswith(" to 2 from 1")]


def scale(cluster, replicas):
    cluster.store.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"spec": {"replicas": replicas}})
    cluster.run_until_idle()


def test_a_stopped_controller_manager_takes_its_correlators_and_starts_again_empty(cluster):
    """The controller manager's controllers record without a host; stopped (the page's Stop),
    their process and its caches are gone. Started again, an Event repeating one from before it
    stopped is a new Event (count 1), not a PATCH of the old one's count."""
    cluster.store.create({"apiVersion": "apps/v1", "kind": "Deployment",
                          "metadata": {"name": "web", "namespace": "default"},
                          "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                                   "template": {"metadata": {"labels": {"app": "web"}},
                                                "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    cluster.run_until_idle()
    for n in (2, 1, 2):
        scale(cluster, n)
    # Without a stop, the second "from 1 to 2" repeats the first: one Event, count 2.
    assert [e["count"] for e in scaled_up_events(cluster.store)] == [2]
    sources = cluster.recorder._correlators
    assert ("deployment-controller", None) in sources
    cluster.set_component_running("kube-controller-manager", False)
    cluster.run_until_idle()
    assert ("deployment-controller", None) not in sources
    # (all of its controllers' sources: those named otherwise than their controller too)
    assert not [k for k in sources if k[0] in ("replicaset-controller", "node-controller")]
    cluster.set_component_running("kube-controller-manager", True)
    cluster.run_until_idle()
    for n in (1, 2):
        scale(cluster, n)
    assert sorted(e["count"] for e in scaled_up_events(cluster.store)) == [1, 2]
