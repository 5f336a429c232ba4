"""GET /kubeplay/v1/doing/<ns>/<pod>: what each of a pod's containers is doing, from the image
catalog, for the page's details panel; a pod that does not exist answers the apiserver's 404."""
import pytest

from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store


@pytest.fixture
def client():
    from webapp import create_app
    c = Cluster(store=Store(), clock=ManualClock(), nodes=1)
    c.run_until_idle()
    yield create_app(c).test_client()
    c.stop()


def test_doing_lists_init_and_app_containers(client):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "mem", "namespace": "default"},
           "spec": {"initContainers": [{"name": "wait", "image": "busybox:1.36", "command": ["sleep", "5"]}],
                    "containers": [{"name": "stress", "image": "polinux/stress", "command": ["stress"],
                                    "args": ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"],
                                    "resources": {"limits": {"memory": "100Mi"}}}]}}
    assert client.post("/api/v1/namespaces/default/pods", json=pod).status_code == 201
    r = client.get("/kubeplay/v1/doing/default/mem")      # (no engine pass yet: not scheduled)
    assert r.status_code == 200
    assert r.get_json() == {"containers": [
        {"name": "wait", "image": "busybox:1.36", "init": True,
         "doing": "not started: the pod is not on a node yet; when it runs: runs 5 s, then exits 0"},
        {"name": "stress", "image": "polinux/stress", "init": False,
         "doing": "not started: the pod is not on a node yet; when it runs: "
                  "allocating 250Mi, past its 100Mi limit: OOM-killed (exit 137)"}]}


def test_doing_for_a_missing_pod_is_the_apiservers_404(client):
    r = client.get("/kubeplay/v1/doing/default/nope")
    assert r.status_code == 404
    body = r.get_json()
    assert body["kind"] == "Status" and body["message"] == 'pods "nope" not found'
