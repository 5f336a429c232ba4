"""Services route to their pods: EndpointSlices and legacy Endpoints follow the selected pods'
IPs and readiness, as kube-controller-manager's endpointslice and endpoint controllers do."""
import pytest

from engine import objects, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.controllers import endpointslice
from engine.controllers.service_endpoints import ANNOTATION_TRIGGER_TIME, ServiceIndex
from engine.pod_conditions import is_pod_ready
from engine.store import Store


# ---- a cluster on the manual clock ----------------------------------------------------------------


def advance_until(cluster, predicate, limit=120.0, step=0.5):
    """Step the manual clock until `predicate()` holds (at most `limit` simulated seconds)."""
    waited = 0.0
    while not predicate():
        assert waited < limit, f"not within {limit}s"
        cluster.advance(step)
        waited += step


def pod_ready(cluster, name) -> bool:
    return is_pod_ready(cluster.store.get(kinds.POD, "default", name))


# ---- objects --------------------------------------------------------------------------------------

def deployment(name="web", replicas=3, labels=None):
    labels = labels or {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)},
                     "template": {"metadata": {"labels": dict(labels)},
                                  "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25",
                                                           "ports": [{"name": "http", "containerPort": 8080,
                                                                      "protocol": "TCP"}]}]}}}}


def bare_pod(name, labels, port=8080, node=None):
    spec = {"containers": [{"name": "c", "image": "nginx:1.25",
                            "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}]}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default",
                                                            "labels": dict(labels)}, "spec": spec}


def service(name="web", selector=None, *, target="http", headless=False, labels=None, **spec):
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
           "spec": {"ports": [{"port": 80, "protocol": "TCP", "targetPort": target}], **spec}}
    if selector is not None:
        svc["spec"]["selector"] = selector
    if headless:
        svc["spec"]["clusterIP"] = "None"
    if labels:
        svc["metadata"]["labels"] = labels
    return svc


def pods_of(cluster, labels):
    return sorted((p for p in cluster.store.iter(kinds.POD, "default")
                   if all(objects.labels_of(p).get(k) == v for k, v in labels.items())), key=objects.name_of)


def slices_of(cluster, svc="web"):
    return sorted((s for s in cluster.store.iter(kinds.ENDPOINTSLICE, "default")
                   if objects.labels_of(s).get(endpointslice.LABEL_SERVICE_NAME) == svc), key=objects.name_of)


def only_slice(cluster, svc="web"):
    slices = slices_of(cluster, svc)
    assert len(slices) == 1, [objects.name_of(s) for s in slices]
    return slices[0]


def endpoint_for(slice_, pod_name):
    for ep in slice_.get("endpoints") or ():
        if ep["targetRef"]["name"] == pod_name:
            return ep
    raise AssertionError(f"no endpoint for {pod_name} in {objects.name_of(slice_)}")


def endpoints_ips(cluster, name="web"):
    ep = cluster.store.get(kinds.ENDPOINTS, "default", name)
    ready = [a["ip"] for s in ep.get("subsets") or () for a in s.get("addresses") or ()]
    not_ready = [a["ip"] for s in ep.get("subsets") or () for a in s.get("notReadyAddresses") or ()]
    return sorted(ready), sorted(not_ready)


@pytest.fixture
def web(cluster):
    """A Deployment `web` of three Ready pods and a Service `web` selecting them through the
    named port `http`."""
    cluster.store.create(deployment())
    cluster.store.create(service(selector={"app": "web"}))
    cluster.advance(10)
    pods = pods_of(cluster, {"app": "web"})
    assert len(pods) == 3 and all(is_pod_ready(p) for p in pods)
    return pods


# ---- EndpointSlices -------------------------------------------------------------------------------

def test_a_service_gets_one_slice_listing_each_ready_pod(cluster, web):
    svc = cluster.store.get(kinds.SERVICE, "default", "web")
    sl = only_slice(cluster)
    md = sl["metadata"]
    assert md["generateName"] == "web-" and md["name"].startswith("web-") and len(md["name"]) == 9
    assert md["labels"] == {"kubernetes.io/service-name": "web",
                            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}
    assert md["ownerReferences"] == [{"apiVersion": "v1", "kind": "Service", "name": "web",
                                      "uid": svc["metadata"]["uid"], "controller": True,
                                      "blockOwnerDeletion": True}]
    assert sl["addressType"] == "IPv4"
    assert sl["ports"] == [{"name": "", "protocol": "TCP", "port": 8080}]     # named targetPort resolved
    assert sorted(ep["addresses"][0] for ep in sl["endpoints"]) == sorted(p["status"]["podIP"] for p in web)
    for pod in web:
        ep = endpoint_for(sl, objects.name_of(pod))
        assert ep == {"addresses": [pod["status"]["podIP"]],
                      "conditions": {"ready": True, "serving": True, "terminating": False},
                      "targetRef": {"kind": "Pod", "namespace": "default", "name": objects.name_of(pod),
                                    "uid": pod["metadata"]["uid"]},
                      "nodeName": pod["spec"]["nodeName"]}
    assert ANNOTATION_TRIGGER_TIME in md["annotations"]


def test_the_legacy_endpoints_list_the_same_pods(cluster, web):
    ep = cluster.store.get(kinds.ENDPOINTS, "default", "web")
    assert "labels" not in ep["metadata"] and "ownerReferences" not in ep["metadata"]
    assert ANNOTATION_TRIGGER_TIME in ep["metadata"]["annotations"]
    by_ip = sorted(web, key=lambda p: p["status"]["podIP"])
    assert ep["subsets"] == [{
        "addresses": [{"ip": p["status"]["podIP"], "nodeName": p["spec"]["nodeName"],
                       "targetRef": {"kind": "Pod", "namespace": "default", "name": objects.name_of(p),
                                     "uid": p["metadata"]["uid"]}} for p in by_ip],
        "ports": [{"port": 8080, "protocol": "TCP"}]}]


def crashing_pod(name, labels):
    """A pod whose container exits with 1 after 20 s: the kubelet marks it not Ready until it
    has restarted it (and, after the second crash, during the CrashLoopBackOff wait)."""
    pod = bare_pod(name, labels)
    pod["spec"]["containers"][0].update(image="busybox:1.36", command=["sh", "-c", "sleep 20; exit 1"])
    return pod


def never_ready_again_pod(name, labels):
    """restartPolicy OnFailure with a container that completes: once it has, the pod stays
    Running but not Ready (ContainersNotReady)."""
    pod = bare_pod(name, labels)
    pod["spec"]["restartPolicy"] = "OnFailure"
    pod["spec"]["containers"].append({"name": "warmup", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 5"]})
    return pod


def test_a_pod_that_stops_being_ready_is_marked_not_ready_in_place(cluster, web):
    victim = "flaky"
    cluster.store.create(crashing_pod(victim, {"app": "web"}))
    advance_until(cluster, lambda: pod_ready(cluster, victim))
    before = only_slice(cluster)
    ip = cluster.store.get(kinds.POD, "default", victim)["status"]["podIP"]
    assert endpoint_for(before, victim)["conditions"]["ready"] is True
    assert ip in endpoints_ips(cluster)[0]

    advance_until(cluster, lambda: not pod_ready(cluster, victim))      # the container crashed
    sl = only_slice(cluster)
    assert objects.name_of(sl) == objects.name_of(before)                     # updated in place, not replaced
    assert endpoint_for(sl, victim)["conditions"] == {"ready": False, "serving": False, "terminating": False}
    assert all(endpoint_for(sl, objects.name_of(p))["conditions"]["ready"] for p in web)
    ready, not_ready = endpoints_ips(cluster)
    assert not_ready == [ip]
    assert ready == sorted(p["status"]["podIP"] for p in web)

    advance_until(cluster, lambda: pod_ready(cluster, victim))          # restarted
    assert endpoint_for(only_slice(cluster), victim)["conditions"]["ready"] is True
    assert endpoints_ips(cluster) == (sorted([ip] + [p["status"]["podIP"] for p in web]), [])


def test_a_deleted_pod_is_terminating_and_leaves_the_legacy_endpoints(cluster, web):
    victim = web[0]
    cluster.store.delete(kinds.POD, "default", objects.name_of(victim))
    cluster.run_until_idle()                        # no time passes: the pod is still Terminating
    assert objects.is_terminating(cluster.store.get(kinds.POD, "default", objects.name_of(victim)))
    cond = endpoint_for(only_slice(cluster), objects.name_of(victim))["conditions"]
    assert cond["terminating"] is True and cond["ready"] is False
    ready, not_ready = endpoints_ips(cluster)
    assert victim["status"]["podIP"] not in ready + not_ready

    before = only_slice(cluster)                    # the kubelet finishes it: the endpoint goes
    cluster.advance(10)
    assert cluster.store.try_get(kinds.POD, "default", objects.name_of(victim)) is None
    sl = only_slice(cluster)
    assert objects.name_of(sl) == objects.name_of(before)
    names = {e["targetRef"]["name"] for e in sl["endpoints"]}
    assert objects.name_of(victim) not in names
    assert names == {objects.name_of(p) for p in pods_of(cluster, {"app": "web"})}     # with its replacement
    assert all(e["conditions"]["ready"] for e in sl["endpoints"])


def test_publish_not_ready_addresses_lists_every_pod_as_ready(cluster):
    cluster.store.create(bare_pod("up", {"app": "web"}))
    cluster.store.create(never_ready_again_pod("half", {"app": "web"}))
    cluster.store.create(service(selector={"app": "web"}, publishNotReadyAddresses=True))
    cluster.advance(15)
    assert not is_pod_ready(cluster.store.get(kinds.POD, "default", "half"))
    assert endpoint_for(only_slice(cluster), "half")["conditions"] == \
        {"ready": True, "serving": False, "terminating": False}
    ready, not_ready = endpoints_ips(cluster)
    assert len(ready) == 2 and not_ready == []


def test_a_pod_that_is_gone_leaves_the_slice(cluster):
    for i in range(2):
        cluster.store.create(bare_pod(f"p{i}", {"app": "web"}))
    cluster.store.create(service(selector={"app": "web"}))
    cluster.advance(10)
    name = objects.name_of(only_slice(cluster))
    cluster.store.delete(kinds.POD, "default", "p0", grace_period_seconds=0)   # force: gone at once
    cluster.run_until_idle()
    assert cluster.store.try_get(kinds.POD, "default", "p0") is None
    sl = only_slice(cluster)
    assert objects.name_of(sl) == name and [ep["targetRef"]["name"] for ep in sl["endpoints"]] == ["p1"]


def test_a_service_selecting_nothing_has_an_empty_placeholder_slice(cluster):
    cluster.store.create(service("lonely", selector={"app": "nothing-here"}))
    cluster.run_until_idle()
    sl = only_slice(cluster, "lonely")
    assert sl["endpoints"] is None and sl["ports"] is None and sl["addressType"] == "IPv4"
    ep = cluster.store.get(kinds.ENDPOINTS, "default", "lonely")
    assert "subsets" not in ep

    # A pod arriving fills the placeholder rather than adding a second slice.
    cluster.store.create(bare_pod("late", {"app": "nothing-here"}))
    cluster.advance(10)
    filled = only_slice(cluster, "lonely")
    assert objects.name_of(filled) == objects.name_of(sl)
    assert [e["targetRef"]["name"] for e in filled["endpoints"]] == ["late"]
    assert filled["ports"] == [{"name": "", "protocol": "TCP", "port": 8080}]


def test_a_service_without_selector_is_left_alone(cluster):
    own_rv = cluster.store.get(kinds.ENDPOINTSLICE, "default", "kubernetes")["metadata"]["resourceVersion"]
    cluster.store.create(service("manual"))
    cluster.store.create(bare_pod("p", {"app": "web"}))
    cluster.advance(10)
    assert slices_of(cluster, "manual") == []
    assert cluster.store.try_get(kinds.ENDPOINTS, "default", "manual") is None
    # The apiserver's own Service: its endpoints are the apiserver's address, written once at
    # start-up (no managed-by label, skip-mirror on the Endpoints), and no controller touches them.
    (own,) = slices_of(cluster, "kubernetes")
    assert own["metadata"]["name"] == "kubernetes" and own["metadata"]["resourceVersion"] == own_rv
    assert own["endpoints"] == [{"addresses": ["172.18.0.1"], "conditions": {"ready": True}}]
    assert own["ports"] == [{"name": "https", "port": 6443, "protocol": "TCP"}]
    assert "endpointslice.kubernetes.io/managed-by" not in own["metadata"]["labels"]
    legacy = cluster.store.get(kinds.ENDPOINTS, "default", "kubernetes")
    assert legacy["subsets"] == [{"addresses": [{"ip": "172.18.0.1"}],
                                  "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]
    assert legacy["metadata"]["labels"] == {"endpointslice.kubernetes.io/skip-mirror": "true"}


def test_headless_services_get_slices_and_the_headless_label(cluster):
    cluster.store.create(bare_pod("db-0", {"app": "db"}))
    cluster.store.create(service("db", selector={"app": "db"}, headless=True, labels={"tier": "data"}))
    cluster.advance(10)
    sl = only_slice(cluster, "db")
    assert sl["metadata"]["labels"] == {"tier": "data", "service.kubernetes.io/headless": "",
                                        "kubernetes.io/service-name": "db",
                                        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}
    assert [e["targetRef"]["name"] for e in sl["endpoints"]] == ["db-0"]
    ep = cluster.store.get(kinds.ENDPOINTS, "default", "db")
    assert ep["metadata"]["labels"] == {"tier": "data", "service.kubernetes.io/headless": ""}


def test_service_labels_are_copied_onto_slices_and_endpoints(cluster, web):
    svc = objects.clone(cluster.store.get(kinds.SERVICE, "default", "web"))
    svc["metadata"]["labels"] = {"team": "blue"}
    cluster.store.update(svc)
    cluster.run_until_idle()
    assert only_slice(cluster)["metadata"]["labels"]["team"] == "blue"
    assert cluster.store.get(kinds.ENDPOINTS, "default", "web")["metadata"]["labels"] == {"team": "blue"}


def test_relabelling_a_pod_moves_it_between_services(cluster):
    cluster.store.create(bare_pod("p", {"app": "a"}))
    cluster.store.create(service("svc-a", selector={"app": "a"}))
    cluster.store.create(service("svc-b", selector={"app": "b"}))
    cluster.advance(10)
    assert [e["targetRef"]["name"] for e in only_slice(cluster, "svc-a")["endpoints"]] == ["p"]
    pod = objects.clone(cluster.store.get(kinds.POD, "default", "p"))
    pod["metadata"]["labels"] = {"app": "b"}
    cluster.store.update(pod)
    cluster.run_until_idle()
    assert only_slice(cluster, "svc-a")["endpoints"] is None
    assert [e["targetRef"]["name"] for e in only_slice(cluster, "svc-b")["endpoints"]] == ["p"]
    assert endpoints_ips(cluster, "svc-a") == ([], [])
    assert len(endpoints_ips(cluster, "svc-b")[0]) == 1


def test_pods_resolving_a_named_port_differently_get_separate_slices(cluster):
    cluster.store.create(bare_pod("old", {"app": "web"}, port=8080))
    cluster.store.create(bare_pod("new", {"app": "web"}, port=9090))
    cluster.store.create(service(selector={"app": "web"}))
    cluster.advance(10)
    by_port = {s["ports"][0]["port"]: [e["targetRef"]["name"] for e in s["endpoints"]]
               for s in slices_of(cluster)}
    assert by_port == {8080: ["old"], 9090: ["new"]}
    ep = cluster.store.get(kinds.ENDPOINTS, "default", "web")
    assert sorted((s["ports"][0]["port"], s["addresses"][0]["targetRef"]["name"]) for s in ep["subsets"]) == \
        [(8080, "old"), (9090, "new")]


def test_a_slice_holds_at_most_100_endpoints(cluster):
    for i in range(150):
        cluster.store.create(bare_pod(f"p{i:03d}", {"app": "big"}, node=f"node-{i % 3 + 1}"), sync=False)
    cluster.store.create(service("big", selector={"app": "big"}))
    cluster.advance(20)
    assert all(is_pod_ready(p) for p in pods_of(cluster, {"app": "big"}))
    sizes = sorted(len(s["endpoints"]) for s in slices_of(cluster, "big"))
    assert sizes == [50, 100]
    names = sorted(e["targetRef"]["name"] for s in slices_of(cluster, "big") for e in s["endpoints"])
    assert names == [f"p{i:03d}" for i in range(150)]


def test_deleting_the_service_removes_its_slices_and_endpoints(cluster, web):
    cluster.store.delete(kinds.SERVICE, "default", "web")
    cluster.run_until_idle()
    assert slices_of(cluster) == []
    assert cluster.store.try_get(kinds.ENDPOINTS, "default", "web") is None


def test_a_slice_deleted_by_hand_is_recreated(cluster, web):
    sl = only_slice(cluster)
    cluster.store.delete(kinds.ENDPOINTSLICE, "default", objects.name_of(sl))
    cluster.store.delete(kinds.ENDPOINTS, "default", "web")
    cluster.run_until_idle()
    again = only_slice(cluster)
    assert objects.name_of(again) != objects.name_of(sl) and len(again["endpoints"]) == 3
    assert len(endpoints_ips(cluster)[0]) == 3


def test_endpoints_left_without_a_service_are_cleaned_up_at_start():
    store = Store(clock=ManualClock())
    store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    store.create({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "stale", "namespace": "default"},
                  "subsets": [{"addresses": [{"ip": "10.244.1.9"}], "ports": [{"port": 80}]}]})
    c = Cluster(store=store, clock=ManualClock(), nodes=1)
    c.run_until_idle()
    assert store.try_get(kinds.ENDPOINTS, "default", "stale") is None
    c.stop()


# ---- quiescence -----------------------------------------------------------------------------------

def test_converged_controllers_write_nothing(cluster, web):
    cluster.store.create(service("lonely", selector={"app": "nothing-here"}))
    cluster.store.create(service("db", selector={"app": "web"}, headless=True, labels={"tier": "data"}))
    cluster.store.create(service("manual"))
    cluster.store.create(never_ready_again_pod("half", {"app": "web"}))
    cluster.advance(15)
    assert endpoint_for(only_slice(cluster), "half")["conditions"]["ready"] is False
    cluster.run_until_idle()
    rv = cluster.store.resource_version
    keys = [objects.key_of(s) for s in cluster.store.iter(kinds.SERVICE)]
    for name in ("endpointslice-controller", "endpoint-controller"):
        ctrl = cluster.controller(name)
        for key in keys:
            assert ctrl.reconcile(key) is None
    assert cluster.store.resource_version == rv


# ---- the pod → Service index ----------------------------------------------------------------------

def test_the_service_index_finds_services_by_selector_without_a_scan():
    idx = ServiceIndex()
    idx.update(service("a", selector={"app": "web"}))
    idx.update(service("b", selector={"app": "web", "tier": "front"}))
    idx.update(service("c", selector={"app": "db"}))
    idx.update(service("manual"))
    assert idx.services_for("default", {"app": "web"}) == {"default/a"}
    assert idx.services_for("default", {"app": "web", "tier": "front"}) == {"default/a", "default/b"}
    assert idx.services_for("other", {"app": "web"}) == set()
    idx.update(service("a", selector={"app": "db"}))          # selector changed
    assert idx.services_for("default", {"app": "web"}) == set()
    assert idx.services_for("default", {"app": "db"}) == {"default/a", "default/c"}
    idx.remove(service("c", selector={"app": "db"}))
    assert idx.services_for("default", {"app": "db"}) == {"default/a"}
