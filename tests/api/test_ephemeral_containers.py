"""pods/ephemeralcontainers (what `kubectl debug` writes): the Pod itself on GET; writes change
only spec.ephemeralContainers, only by adding, validated as the apiserver's
ValidatePodEphemeralContainersUpdate; the kubelet starts what was added and reports it."""
from __future__ import annotations

import pytest

from test_http_api import Api, assert_status

SMP = "application/strategic-merge-patch+json"


@pytest.fixture(scope="module")
def api_module(kubeplay_module_server) -> Api:
    return Api(kubeplay_module_server)


@pytest.fixture
def api(api_module, request) -> Api:
    request.node._kubeplay_servers = [api_module.server]
    yield api_module
    assert api_module.healthy(), "the server stopped answering /healthz"


@pytest.fixture
def pod(api):
    ns = api.namespace()
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app"},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]}}
    assert api.post(f"/api/v1/namespaces/{ns}/pods", body).status == 201
    path = f"/api/v1/namespaces/{ns}/pods/app"
    # Scheduled before a test reads it: the binding is the one change the scheduler makes to a
    # pod's spec, and the tests that compare specs before and after a refused write must not race it.
    api.server.wait_until(lambda: api.get(path).json()["spec"].get("nodeName"), message="pod app scheduled")
    return path


def debugger(name="dbg", **extra) -> dict:
    return dict({"name": name, "image": "busybox", "command": ["sleep", "1000"]}, **extra)


def add(api, path, *containers):
    return api.patch(f"{path}/ephemeralcontainers", {"spec": {"ephemeralContainers": list(containers)}}, SMP)


def test_get_is_the_pod_and_discovery_lists_the_subresource(api, pod):
    r = api.get(f"{pod}/ephemeralcontainers")
    assert r.status == 200 and r.json()["kind"] == "Pod" and r.json()["metadata"]["name"] == "app"
    res = {x["name"]: x for x in api.get("/api/v1").json()["resources"]}
    assert res["pods/ephemeralcontainers"]["verbs"] == ["get", "patch", "update"]
    assert res["pods/ephemeralcontainers"]["kind"] == "Pod"


def test_an_added_container_is_defaulted_and_started_and_nothing_else_changes(api, pod):
    r = add(api, pod, dict(debugger(), targetContainerName="app"))
    assert r.status == 200, r
    ec = r.json()["spec"]["ephemeralContainers"][0]
    assert (ec["imagePullPolicy"], ec["terminationMessagePolicy"], ec["targetContainerName"]) == \
        ("Always", "File", "app")
    # A label in the same write is not the subresource's to change.
    r = api.patch(f"{pod}/ephemeralcontainers",
                  {"metadata": {"labels": {"x": "y"}}, "spec": {"ephemeralContainers": [ec, debugger("two")]}}, SMP)
    assert r.status == 200, r
    assert "x" not in (r.json()["metadata"].get("labels") or {})
    assert [c["name"] for c in r.json()["spec"]["ephemeralContainers"]] == ["dbg", "two"]

    def running():
        sts = api.get(pod).json()["status"].get("ephemeralContainerStatuses") or []
        assert sorted(s["name"] for s in sts) == ["dbg", "two"] and all("running" in s["state"] for s in sts), sts
        return True
    api.server.wait_until(running, 30, message="both ephemeral containers running")


def test_ephemeral_containers_are_refused_on_create_and_in_an_ordinary_update(api, pod):
    ns = pod.split("/")[4]
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "early"},
            "spec": {"containers": [{"name": "app", "image": "nginx"}], "ephemeralContainers": [debugger()]}}
    assert_status(api.post(f"/api/v1/namespaces/{ns}/pods", body), 422, "Invalid",
                  'Pod "early" is invalid: spec.ephemeralContainers: Forbidden: cannot be set on create')
    r = api.patch(pod, {"spec": {"ephemeralContainers": [debugger()]}}, SMP)
    body = assert_status(r, 422, "Invalid")
    assert body["message"].startswith('Pod "app" is invalid: spec: Forbidden: pod updates may not change fields other than'), body


@pytest.mark.parametrize("container, message", [
    (debugger(ports=[{"containerPort": 80}]),
     "spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container"),
    (debugger(readinessProbe={"tcpSocket": {"port": 80}}),
     "spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container"),
    (debugger(resources={"limits": {"cpu": "1"}}),
     "spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container"),
    (debugger(targetContainerName="nope"),
     'spec.ephemeralContainers[0].targetContainerName: Not found: "nope"'),
    (debugger(name="app"), 'spec.ephemeralContainers[0].name: Duplicate value: "app"'),
    ({"name": "dbg"}, "spec.ephemeralContainers[0].image: Required value"),
])
def test_invalid_ephemeral_containers_are_422_with_the_apiservers_text(api, pod, container, message):
    assert_status(add(api, pod, container), 422, "Invalid", f'Pod "app" is invalid: {message}')


def unconditional(pod_object: dict) -> dict:
    """The pod without its resourceVersion: a Pod update may be unconditional, and the kubelet's
    status writes between our GET and PUT would otherwise make it a 409 before validation."""
    return dict(pod_object, metadata={k: v for k, v in pod_object["metadata"].items() if k != "resourceVersion"})


def test_existing_ephemeral_containers_may_not_be_changed_or_removed(api, pod):
    ec = add(api, pod, debugger()).json()["spec"]["ephemeralContainers"][0]
    current = unconditional(api.get(pod).json())
    r = api.put(f"{pod}/ephemeralcontainers", dict(current, spec=dict(current["spec"],
                ephemeralContainers=[dict(ec, image="alpine")])))
    body = assert_status(r, 422, "Invalid")
    assert body["message"].startswith('Pod "app" is invalid: spec.ephemeralContainers: Forbidden: '
                                      'existing ephemeral containers "dbg" may not be changed\n'), body
    assert '- \tImage: "busybox",\n+ \tImage: "alpine",' in body["message"], body["message"]
    current = unconditional(api.get(pod).json())
    r = api.put(f"{pod}/ephemeralcontainers", dict(current, spec=dict(current["spec"], ephemeralContainers=[])))
    assert_status(r, 422, "Invalid",
                  'Pod "app" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be removed\n')


def test_an_unknown_subresource_is_a_404_whose_status_has_details(api, pod):
    """kubectl debug reads Status.details.name of a 404 (a nil details made it panic)."""
    body = assert_status(api.get(f"{pod}/nosuchthing"), 404, "NotFound",
                         "the server could not find the requested resource")
    assert body["details"] == {}


@pytest.mark.parametrize("body, message", [
    ({"spec": "x"}, "json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec"),
    ({"spec": {"ephemeralContainers": "x"}},
     "json: cannot unmarshal string into Go struct field PodSpec.spec.ephemeralContainers of type []v1.EphemeralContainer"),
    ({"spec": {"ephemeralContainers": [{"name": 5, "image": "busybox"}]}},
     "json: cannot unmarshal number into Go struct field EphemeralContainer.spec.ephemeralContainers.name of type string"),
    ({"spec": {"ephemeralContainers": [{"name": "a", "image": "busybox", "command": "ls"}]}},
     "json: cannot unmarshal string into Go struct field EphemeralContainer.spec.ephemeralContainers.command of type []string"),
])
def test_malformed_writes_are_400_from_the_decoder_and_change_nothing(api, pod, body, message):
    # The kubelet keeps writing the pod's status meanwhile: what must not change is the spec.
    before = api.get(pod).json()["spec"]
    r = api.patch(f"{pod}/ephemeralcontainers", body, "application/merge-patch+json")
    assert_status(r, 400, "BadRequest", f'Pod in version "v1" cannot be handled as a Pod: {message}')
    assert api.get(pod).json()["spec"] == before


def test_unknown_fields_are_refused_only_under_strict_field_validation(api, pod):
    ec = dict(debugger(), bogus=1)
    r = api.patch(f"{pod}/ephemeralcontainers?fieldValidation=Strict", {"spec": {"ephemeralContainers": [ec]}}, SMP)
    assert_status(r, 400, "BadRequest", 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: '
                                        'unknown field "spec.ephemeralContainers[0].bogus"')
    r = add(api, pod, ec)
    assert r.status == 200, r
    assert "bogus" not in r.json()["spec"]["ephemeralContainers"][0]
