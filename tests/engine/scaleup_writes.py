"""The version pairs of a small, eventful scale-up — two Deployments (one crash-looping) on three
nodes, then a failed node — for the tests that compare a write-path shortcut with the full path
on every write of a real run (test_shared_diff.py, test_pod_status_fields.py)."""
from engine import resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store


def deployment(name, image, replicas, **container):
    c = {"name": "app", "image": image, **container}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [c]}}}}


def modified_pairs(resources=(kinds.POD,)) -> list[tuple]:
    """(resource type, old, new) of every MODIFIED event of `resources` in the run."""
    store = Store()
    c = Cluster(store=store, clock=ManualClock(), nodes=3)
    c.run_until_idle()
    feed = store.subscribe()
    store.create(deployment("web", "nginx:1.27", 12))
    store.create(deployment("crash", "busybox:1.36", 3, command=["sh", "-c", "exit 1"]))
    for _ in range(30):
        c.advance(0.5)
    c.fail_node("node-1")
    for _ in range(30):
        c.advance(1.0)
    pairs = [(ev.resource, ev.old, ev.object) for ev in feed
             if ev.type == "MODIFIED" and ev.old is not None and ev.resource in resources]
    c.stop()
    return pairs
