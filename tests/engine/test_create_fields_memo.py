"""A create's managedFields remembered by the object's content (managedfields._CREATES) come out
exactly as the full comparison makes them, and are shared only by objects that differ in no
more than the metadata nobody owns."""
import json

from engine import managedfields, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store

NOW = "2026-01-01T00:01:00Z"


def _created():
    store = Store()
    c = Cluster(store=store, clock=ManualClock(), nodes=2)
    c.run_until_idle()
    feed = store.subscribe()
    store.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
                  "spec": {"replicas": 6, "selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                                                 "ports": [{"containerPort": 80}]}]}}}})
    store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
                  "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    for _ in range(10):
        c.advance(0.5)
    objs = [(ev.resource, ev.object) for ev in feed if ev.type == "ADDED"]
    c.stop()
    return objs


def _without_fields(obj):
    out = dict(obj)
    out["metadata"] = {k: v for k, v in obj["metadata"].items() if k != "managedFields"}
    return out


def _full(rt, obj, manager):
    new = _without_fields(obj)
    managedfields._record_update(rt, None, new, manager, NOW, None, None, False)
    return new["metadata"].get("managedFields")


def _remembered(rt, obj, manager):
    new = _without_fields(obj)
    managedfields.record_update(rt, None, new, manager, NOW)
    return new["metadata"].get("managedFields")


def test_remembered_create_fields_equal_the_full_comparison():
    objs = _created()
    assert sum(1 for rt, _ in objs if rt is kinds.POD) >= 6
    for rt, obj in objs:
        want = _full(rt, obj, "kube-controller-manager")
        for _ in range(2):              # the second takes what the first remembered
            got = _remembered(rt, obj, "kube-controller-manager")
            assert json.dumps(got) == json.dumps(want)


def test_only_unowned_metadata_may_differ_between_objects_sharing_the_fields():
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "a", "namespace": "default", "uid": "1", "labels": {"app": "x"}},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    renamed = dict(pod, metadata=dict(pod["metadata"], name="b", uid="2"))
    relabelled = dict(pod, metadata=dict(pod["metadata"], labels={"app": "x", "tier": "web"}))
    first = _remembered(kinds.POD, pod, "m")
    assert _remembered(kinds.POD, renamed, "m") is first
    other = _remembered(kinds.POD, relabelled, "m")
    assert other is not first
    assert "f:tier" in other[0]["fieldsV1"]["f:metadata"]["f:labels"]
    assert _remembered(kinds.POD, pod, "another")[0]["manager"] == "another"
