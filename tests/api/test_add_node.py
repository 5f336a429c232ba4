"""POST /kubeplay/v1/nodes: a new node's kubelet joins the cluster (the page's Add node)."""
import pytest

from engine import resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store
from webapp import create_app
from webapp.extension import kubeplay_of


def page_client(app):
    """A test client sending the header the page sends (webapp/guard.py)."""
    c = app.test_client()
    c.environ_base["HTTP_X_KUBEPLAY_REQUEST"] = "page"
    return c


@pytest.fixture
def env():
    cluster = Cluster(store=Store(), clock=ManualClock(), nodes=2)
    app = create_app(cluster=cluster)
    yield cluster, page_client(app)
    kubeplay_of(app).close()


def test_a_node_joins_with_a_kubelet_that_heartbeats(env):
    cluster, client = env
    r = client.post("/kubeplay/v1/nodes", json={"name": "big-1", "cpu": "16", "memory": "64Gi", "pods": 250})
    assert r.status_code == 202 and r.get_json() == {"node": "big-1", "joining": True}
    cluster.advance(1)
    node = cluster.store.get(kinds.NODE, None, "big-1")
    assert node["status"]["allocatable"]["cpu"] == "16" and node["status"]["allocatable"]["pods"] == "250"
    ready = next(c for c in node["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "True"
    assert cluster.store.get(kinds.LEASE, "kube-node-lease", "big-1")


def test_without_a_name_the_next_free_node_name_is_used(env):
    cluster, client = env
    assert client.post("/kubeplay/v1/nodes", json={}).get_json()["node"] == "node-3"


def test_bad_requests_are_refused_with_a_status(env):
    cluster, client = env
    assert client.post("/kubeplay/v1/nodes", json={"name": "Bad_Name"}).status_code == 422
    dup = client.post("/kubeplay/v1/nodes", json={"name": "node-1"})
    assert dup.status_code == 409 and dup.get_json()["message"] == 'nodes "node-1" already exists'
    assert client.post("/kubeplay/v1/nodes", json={"name": "n", "pods": 0}).status_code == 400
    assert client.post("/kubeplay/v1/nodes", data="nope", content_type="application/json").status_code == 400
    assert client.post("/kubeplay/v1/nodes", data="nope").status_code == 415         # not JSON at all
    for bad in ("abc", "-5Gi", "0", "1e1000000", 4):
        r = client.post("/kubeplay/v1/nodes", json={"name": "q", "memory": bad})
        assert r.status_code == 400 and r.get_json()["kind"] == "Status", bad
        r = client.post("/kubeplay/v1/nodes", json={"name": "q", "cpu": bad})
        assert r.status_code == 400 and r.get_json()["kind"] == "Status", bad
