"""What the engine shares between objects to keep memory per pod small (issue 16): equal parts of
different stored objects are one object, since stored objects are never changed in place (the
mutation detector of tests/engine/conftest.py checks that for every test). If one of these stops
being shared, a 100,000-pod cluster holds that many more dicts."""
from engine import resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store


def _scaled(replicas: int):
    store = Store()
    c = Cluster(store=store, clock=ManualClock(), nodes=1, pods_per_node=50)
    c.run_until_idle()
    store.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
                  "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}})
    for _ in range(20):
        c.advance(0.5)
    pods = [p for p in store.iter(kinds.POD, "default") if p["metadata"]["name"].startswith("web-")]
    assert len(pods) == replicas and all(p["status"].get("phase") == "Running" for p in pods)
    return store, pods


def test_pods_of_one_template_share_their_token_projection_host_ips_conditions_and_create_entry():
    store, pods = _scaled(4)
    a, b = pods[0], pods[1]
    va, vb = a["spec"]["volumes"][0], b["spec"]["volumes"][0]
    assert va["name"] != vb["name"] and va["projected"] is vb["projected"]
    assert a["status"]["hostIPs"] is b["status"]["hostIPs"]        # both on the one node
    ready_a = {c["type"]: c for c in a["status"]["conditions"]}
    ready_b = {c["type"]: c for c in b["status"]["conditions"]}
    assert ready_a["Initialized"] == ready_b["Initialized"]
    assert ready_a["Initialized"] is ready_b["Initialized"]
    create_a = [e for e in a["metadata"]["managedFields"] if e["manager"] == "kube-controller-manager"][0]
    create_b = [e for e in b["metadata"]["managedFields"] if e["manager"] == "kube-controller-manager"][0]
    if create_a["time"] == create_b["time"]:
        assert create_a is create_b


def test_events_from_one_kubelet_share_their_source_and_entries_of_one_second():
    store, pods = _scaled(3)
    started = [e for e in store.iter(kinds.EVENT, "default") if e["reason"] == "Started"]
    assert len(started) == 3
    assert started[0]["source"] == {"component": "kubelet", "host": "node-1"}
    assert started[0]["source"] is started[1]["source"] is started[2]["source"]
    entries = [e["metadata"]["managedFields"] for e in store.iter(kinds.EVENT, "default")]
    groups: dict = {}        # Events with equal entries (same manager, second and field set)
    for m in entries:
        groups.setdefault((m[0]["manager"], m[0]["time"], id(m[0]["fieldsV1"])), []).append(m)
    assert max(len(g) for g in groups.values()) > 1
    assert all(m is g[0] for g in groups.values() for m in g)
