"""The official Python client (`kubernetes` on PyPI) against a real kubeplay server: the seed's
steps through typed models, which fail loudly on any field a real apiserver always writes.
Issue 2, point 4."""
from __future__ import annotations

import itertools
import json
import re
import threading
import urllib.request

import pytest

from kubernetes import client, config, watch  # noqa: E402
from kubernetes.client.rest import ApiException  # noqa: E402

PAGE_HEADERS = {"X-Kubeplay-Request": "page"}     # what the page sends (webapp/guard.py)


def _api_client(kubeconfig):
    cfg = client.Configuration()
    config.load_kube_config(config_file=str(kubeconfig), client_configuration=cfg)
    cfg.proxy = None
    return client.ApiClient(cfg)


@pytest.fixture
def api(kubeplay_server):
    """The client on a server of the test's own (for a test that stops the clock)."""
    with _api_client(kubeplay_server.kubeconfig) as api_client:
        yield api_client


_ns_numbers = itertools.count(1)


@pytest.fixture
def ns(kubeplay_module_server, request):
    """A namespace of the test's own on the module's shared server (deleted afterwards), for tests
    that touch nothing outside it: one server start serves them all."""
    slug = re.sub(r"[^a-z0-9]+", "-", request.node.originalname.lower().removeprefix("test_"))[:40].strip("-")
    name = f"py{next(_ns_numbers)}-{slug}"
    kubeplay_module_server.post_json("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                            "metadata": {"name": name}})
    yield name
    try:
        kubeplay_module_server.delete(f"/api/v1/namespaces/{name}")
    except OSError:
        pass                                     # the server may be gone; nothing to clean


@pytest.fixture
def api_ns(kubeplay_module_server, kubectl_session, ns, tmp_path):
    """The client on the module's shared server, with a kubeconfig of the test's own whose context
    is the test's namespace (`ns`)."""
    session = kubectl_session(kubeplay_module_server, tmp_path / "client", namespace=ns)
    with _api_client(session.kubeconfig) as api_client:
        yield api_client


def login_deployment(replicas: int = 3) -> client.V1Deployment:
    labels = {"app": "login"}
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name="login-app", labels=labels),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(
                    name="login", image="nginx", ports=[client.V1ContainerPort(container_port=80)])]))))


def running(pods) -> list[str]:
    out = []
    for p in pods.items:
        if p.metadata.deletion_timestamp or p.status.phase != "Running":
            continue
        if any(c.type == "Ready" and c.status == "True" for c in p.status.conditions or []):
            out.append(p.metadata.name)
    return sorted(out)


def wait_running(server, core, n, selector="app=login", namespace="default"):
    def check():
        pods = core.list_namespaced_pod(namespace, label_selector=selector)
        names = running(pods)
        live = [p for p in pods.items if not p.metadata.deletion_timestamp]
        assert len(names) == n and len(live) == n, [(p.metadata.name, p.status.phase) for p in pods.items]
        return names
    return server.wait_until(check, 30, message=f"{n} Running pods ({selector})")


def test_create_deployment_and_list_its_running_pods(kubeplay_module_server, api_ns, ns):
    apps, core = client.AppsV1Api(api_ns), client.CoreV1Api(api_ns)
    made = apps.create_namespaced_deployment(ns, login_deployment())
    assert isinstance(made, client.V1Deployment)
    assert made.metadata.uid and made.metadata.resource_version and made.metadata.generation == 1
    assert made.spec.strategy.type == "RollingUpdate"
    names = wait_running(kubeplay_module_server, core, 3, namespace=ns)
    pods = core.list_namespaced_pod(ns, label_selector="app=login")
    assert isinstance(pods, client.V1PodList)
    for p in pods.items:
        assert p.metadata.name in names
        cs = p.status.container_statuses[0]
        # The runtime reports the normalised reference, as containerd does.
        assert (cs.name, cs.image, cs.ready, cs.restart_count) == ("login", "docker.io/library/nginx:latest", True, 0)
        assert cs.image_id is not None and cs.state.running.started_at is not None
        assert p.spec.node_name and p.status.pod_ip
        assert p.metadata.owner_references[0].kind == "ReplicaSet"
    # Everything else the seed touches deserialises too.
    rs = apps.list_namespaced_replica_set(ns)
    assert [r.status.replicas for r in rs.items] == [3]
    d = apps.read_namespaced_deployment("login-app", ns)
    assert d.spec.replicas == 3
    nodes = core.list_node()
    # kind's layout: the control-plane node and the three workers.
    assert sorted(n.metadata.name for n in nodes.items) == ["kubeplay-control-plane", "node-1", "node-2", "node-3"]
    for node in nodes.items:
        assert node.status.node_info.kubelet_version.startswith("v1.32")
        assert {c.type: c.status for c in node.status.conditions}["Ready"] == "True"
    events = core.list_namespaced_event(ns)
    assert any(e.reason == "ScalingReplicaSet" for e in events.items)
    assert core.list_namespace().items
    # The apiserver's own Service lives in `default` (this module's tests use their own namespaces).
    assert core.list_namespaced_service("default").items[0].metadata.name == "kubernetes"
    assert isinstance(apps.list_deployment_for_all_namespaces(), client.V1DeploymentList)
    assert isinstance(core.list_pod_for_all_namespaces(), client.V1PodList)


def test_patch_deployment_scale_converges(kubeplay_module_server, api_ns, ns):
    apps, core = client.AppsV1Api(api_ns), client.CoreV1Api(api_ns)
    apps.create_namespaced_deployment(ns, login_deployment())
    wait_running(kubeplay_module_server, core, 3, namespace=ns)
    scale = apps.read_namespaced_deployment_scale("login-app", ns)
    assert isinstance(scale, client.V1Scale)
    assert (scale.spec.replicas, scale.status.selector) == (3, "app=login")
    out = apps.patch_namespaced_deployment_scale("login-app", ns, {"spec": {"replicas": 5}})
    assert isinstance(out, client.V1Scale) and out.spec.replicas == 5
    assert out.status.replicas is not None
    wait_running(kubeplay_module_server, core, 5, namespace=ns)
    assert apps.read_namespaced_deployment("login-app", ns).spec.replicas == 5
    # replace_..._scale is a PUT carrying the resourceVersion.
    current = apps.read_namespaced_deployment_scale("login-app", ns)
    current.spec.replicas = 2
    assert apps.replace_namespaced_deployment_scale("login-app", ns, current).spec.replicas == 2
    wait_running(kubeplay_module_server, core, 2, namespace=ns)


def _set_clock(server, body: dict) -> None:
    req = urllib.request.Request(server.url + "/kubeplay/v1/clock", data=json.dumps(body).encode(),
                                 method="POST", headers={"Content-Type": "application/json", **PAGE_HEADERS})
    with server.opener.open(req, timeout=10) as r:
        assert r.status == 200


def test_watch_pods_with_a_timeout_sees_them_come_and_ends(kubeplay_server, api):
    apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
    # Frozen clock: the Deployment is stored but no controller acts, so the watch below is open
    # before any pod exists and sees each one ADDED, then MODIFIED as it starts.
    _set_clock(kubeplay_server, {"paused": True})
    apps.create_namespaced_deployment("default", login_deployment(replicas=2))
    resume = threading.Timer(1.0, _set_clock, (kubeplay_server, {"paused": False}))
    resume.start()
    events = []
    w = watch.Watch()
    for ev in w.stream(core.list_namespaced_pod, "default", label_selector="app=login", timeout_seconds=10):
        assert ev["type"] in ("ADDED", "MODIFIED", "DELETED")
        assert isinstance(ev["object"], client.V1Pod)
        assert ev["object"].metadata.resource_version
        events.append((ev["type"], ev["object"].metadata.name, ev["object"].status.phase))
        if len({n for t, n, ph in events if ph == "Running"}) == 2:
            w.stop()
    resume.join(10)
    names = {n for _, n, _ in events}
    assert len(names) == 2
    assert {t for t, _, _ in events} >= {"ADDED", "MODIFIED"}
    # A watch with nothing to report ends when its timeout does.
    quiet = list(watch.Watch().stream(core.list_namespaced_pod, "default", label_selector="app=none",
                                      timeout_seconds=1))
    assert quiet == []


def test_delete_namespaced_pod_returns_the_pod_and_a_replacement_comes(kubeplay_module_server, api_ns, ns):
    apps, core = client.AppsV1Api(api_ns), client.CoreV1Api(api_ns)
    apps.create_namespaced_deployment(ns, login_deployment())
    names = wait_running(kubeplay_module_server, core, 3, namespace=ns)
    gone = core.delete_namespaced_pod(names[0], ns)
    assert isinstance(gone, client.V1Pod)
    assert gone.metadata.name == names[0]
    after = wait_running(kubeplay_module_server, core, 3, namespace=ns)
    assert names[0] not in after


def test_delete_deployment_and_its_pods_go(kubeplay_module_server, api_ns, ns):
    apps, core = client.AppsV1Api(api_ns), client.CoreV1Api(api_ns)
    apps.create_namespaced_deployment(ns, login_deployment())
    wait_running(kubeplay_module_server, core, 3, namespace=ns)
    apps.delete_namespaced_deployment("login-app", ns)
    with pytest.raises(ApiException) as err:
        apps.read_namespaced_deployment("login-app", ns)
    assert err.value.status == 404

    def gone():
        assert not core.list_namespaced_pod(ns, label_selector="app=login").items
        assert not apps.list_namespaced_replica_set(ns).items
        return True
    kubeplay_module_server.wait_until(gone, 30, message="garbage collection")


def test_errors_arrive_as_api_exceptions_with_a_status_body(kubeplay_module_server, api_ns, ns):
    import json
    apps = client.AppsV1Api(api_ns)
    with pytest.raises(ApiException) as err:
        apps.read_namespaced_deployment("nope", ns)
    assert err.value.status == 404
    body = json.loads(err.value.body)
    assert (body["kind"], body["reason"], body["message"]) == ("Status", "NotFound", 'deployments.apps "nope" not found')
    apps.create_namespaced_deployment(ns, login_deployment())
    with pytest.raises(ApiException) as err:
        apps.create_namespaced_deployment(ns, login_deployment())
    assert err.value.status == 409
    assert json.loads(err.value.body)["reason"] == "AlreadyExists"
    bad = login_deployment()
    bad.metadata.name = "other"
    bad.spec.selector = client.V1LabelSelector(match_labels={"app": "other"})
    with pytest.raises(ApiException) as err:
        apps.create_namespaced_deployment(ns, bad)
    assert err.value.status == 422
    body = json.loads(err.value.body)
    assert body["reason"] == "Invalid"
    assert body["details"]["causes"][0]["field"] == "spec.template.metadata.labels"


def test_watch_from_an_expired_resource_version_raises_410(kubeplay_factory, tmp_path):
    """After a restart the watch history starts afresh; the client sees the apiserver's 410."""
    srv = kubeplay_factory(state=tmp_path / "kubeplay.db")
    cfg = client.Configuration()
    config.load_kube_config(config_file=str(srv.kubeconfig), client_configuration=cfg)
    with client.ApiClient(cfg) as api_client:
        core = client.CoreV1Api(api_client)
        made = core.create_namespaced_config_map("default", client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name="old"), data={"a": "b"}))
        old_rv = made.metadata.resource_version
    srv.stop()
    srv.start()
    cfg = client.Configuration()
    config.load_kube_config(config_file=str(srv.kubeconfig), client_configuration=cfg)
    with client.ApiClient(cfg) as api_client:
        core = client.CoreV1Api(api_client)
        assert core.read_namespaced_config_map("old", "default").data == {"a": "b"}
        core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="new")))
        with pytest.raises(ApiException) as err:
            for _ in watch.Watch().stream(core.list_namespaced_config_map, "default",
                                          resource_version=old_rv, timeout_seconds=5):
                pass
        assert err.value.status == 410
        assert "Expired" in str(err.value)


def test_dry_run_create_persists_nothing(kubeplay_module_server, api_ns, ns):
    apps = client.AppsV1Api(api_ns)
    out = apps.create_namespaced_deployment(ns, login_deployment(), dry_run="All")
    assert out.metadata.name == "login-app" and out.spec.template.spec.restart_policy == "Always"
    with pytest.raises(ApiException) as err:
        apps.read_namespaced_deployment("login-app", ns)
    assert err.value.status == 404
