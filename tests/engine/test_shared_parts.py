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


def test_pods_of_one_template_share_labels_owner_references_tolerations_resources_and_running_state():
    store, pods = _scaled(4)
    store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "other", "namespace": "default",
                                                                  "labels": {"app": "other"}},
                  "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                           "resources": {"requests": {"cpu": "20m"}}}]}})
    other = store.get(kinds.POD, "default", "other")
    a, b = pods[0], pods[1]
    for get in (lambda p: p["metadata"]["labels"], lambda p: p["metadata"]["ownerReferences"],
                lambda p: p["spec"]["tolerations"]):
        assert get(a) == get(b) and get(a) is get(b)
    assert other["metadata"]["labels"] == {"app": "other"}           # unequal parts stay apart
    assert other["spec"]["tolerations"] is a["spec"]["tolerations"]  # the same default tolerations
    ca, cb = a["spec"]["containers"][0], b["spec"]["containers"][0]
    assert ca is not cb and ca["resources"] is cb["resources"]
    assert other["spec"]["containers"][0]["resources"] == {"requests": {"cpu": "20m"}}
    sa, sb = a["status"]["containerStatuses"][0], b["status"]["containerStatuses"][0]
    assert sa["lastState"] == {} and sa["lastState"] is sb["lastState"]
    if sa["state"] == sb["state"]:
        assert sa["state"] is sb["state"]


def test_a_containers_events_of_one_step_share_their_involved_object_and_texts():
    store, pods = _scaled(2)
    uid = pods[0]["metadata"]["uid"]
    mine = {e["reason"]: e for e in store.iter(kinds.EVENT, "default") if e["involvedObject"].get("uid") == uid}
    assert {"Pulled", "Created", "Started"} <= set(mine)
    pulled, created, started = mine["Pulled"], mine["Created"], mine["Started"]
    assert created["involvedObject"]["fieldPath"] == "spec.containers{app}"
    # written in one kubelet step about one pod version: one involvedObject
    assert pulled["involvedObject"] == created["involvedObject"] == started["involvedObject"]
    assert pulled["involvedObject"] is created["involvedObject"] is started["involvedObject"]
    other = [e for e in store.iter(kinds.EVENT, "default")
             if e["reason"] == "Started" and e["involvedObject"].get("uid") != uid][0]
    assert other["message"] == started["message"] and other["message"] is started["message"]
    assert other["involvedObject"]["fieldPath"] is started["involvedObject"]["fieldPath"]
