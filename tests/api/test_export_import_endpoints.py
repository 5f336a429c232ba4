"""GET /kubeplay/v1/export and POST /kubeplay/v1/import: the page's rules (its header, JSON
bodies), Status answers for bad input, and an import that is refused changes nothing."""
from __future__ import annotations

import pytest

from engine import resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store
from webapp import create_app
from webapp.extension import kubeplay_of


@pytest.fixture
def env():
    cluster = Cluster(store=Store(), clock=ManualClock(), nodes=2, control_plane=True)
    app = create_app(cluster=cluster)
    page = app.test_client()
    page.environ_base["HTTP_X_KUBEPLAY_REQUEST"] = "page"
    yield cluster, page, app.test_client()
    kubeplay_of(app).close()


def _node_names(cluster) -> list[str]:
    return sorted(n["metadata"]["name"] for n in cluster.store.iter(kinds.NODE))


def test_export_needs_the_pages_header_and_a_known_output(env):
    cluster, page, plain = env
    refused = plain.get("/kubeplay/v1/export")
    assert refused.status_code == 403 and refused.get_json()["reason"] == "Forbidden"
    assert "X-Kubeplay-Request" in refused.get_json()["message"]
    bad = page.get("/kubeplay/v1/export?output=wide")
    assert bad.status_code == 400 and bad.get_json()["message"] == (
        'unable to match a printer suitable for the output format "wide", allowed formats are: yaml,json')
    empty = page.get("/kubeplay/v1/export?output=json")
    assert empty.status_code == 200 and empty.get_json()["items"] == []     # a new cluster: nothing of the user's
    assert empty.headers["Content-Disposition"] == 'attachment; filename="kubeplay-export.json"'


def test_import_takes_json_from_the_page_only(env):
    cluster, page, plain = env
    assert plain.post("/kubeplay/v1/import", json={"objects": []}).status_code == 403
    assert page.post("/kubeplay/v1/import", data="x", content_type="text/plain").status_code == 415
    assert page.post("/kubeplay/v1/import", data="[", content_type="application/json").status_code == 400


@pytest.mark.parametrize("body, message", [
    ({"objects": {}}, "objects must be a list of manifests"),
    ({"objects": [{"apiVersion": "v9", "kind": "Thing", "metadata": {"name": "a"}}]},
     'objects[0]: no kind "Thing" is registered for version "v9" in this playground'),
    ({"objects": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}]},
     "objects[0] (ConfigMap a) has no namespace"),
    ({"objects": [], "nodes": [{"name": "Bad_Name"}]}, "nodes[0].name must be a lowercase RFC 1123 subdomain, not 'Bad_Name'"),
    ({"objects": [], "nodes": [{"name": "a", "cpu": "-1"}]}, 'nodes[0].cpu must be a positive quantity such as "4" or "8Gi"'),
    ({"objects": [], "nodes": [{"name": "a", "pods": 0}]}, "nodes[0].pods must be a whole number between 1 and 10000"),
    ({"objects": [], "nodes": [{"name": "a", "taints": [{"key": "k", "effect": "Never"}]}]},
     "nodes[0].taints must be a list of taints with a key and an effect (NoSchedule, PreferNoSchedule or NoExecute)"),
    ({"objects": [], "nodes": [{"name": "a"}, {"name": "a"}]}, 'nodes[1].name: node "a" is listed twice'),
])
def test_bad_imports_are_refused_with_a_status(env, body, message):
    cluster, page, plain = env
    r = page.post("/kubeplay/v1/import", json=body)
    assert r.status_code == 400 and r.get_json()["kind"] == "Status" and r.get_json()["message"] == message


def test_a_refused_import_changes_nothing(env):
    cluster, page, plain = env
    before = _node_names(cluster)
    body = {"nodes": [{"name": "copy-1", "cpu": "8", "memory": "16Gi", "pods": 110, "labels": {}, "taints": []}],
            "objects": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
                        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ok", "namespace": "shop"}},
                        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
                         "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}]}
    r = page.post("/kubeplay/v1/import", json=body)
    assert r.status_code == 422
    assert r.get_json()["message"].startswith('importing Deployment "web" in namespace "shop": Deployment.apps "web" is invalid: ')
    ns = cluster.store.try_get(kinds.NAMESPACE, "", "shop")
    assert ns is None or ns["metadata"].get("deletionTimestamp")        # the new namespace is taken back
    assert cluster.store.try_get(kinds.CONFIGMAP, "shop", "ok") is None
    cluster.advance(1)
    assert _node_names(cluster) == before                                # and the nodes were never touched


def test_a_copy_may_be_larger_than_an_api_body(env):
    cluster, page, plain = env
    big = "x" * (900 * 1024)
    objects = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}", "namespace": "default"},
                "data": {"blob": big}} for i in range(4)]                 # 3.6 MiB in all
    r = page.post("/kubeplay/v1/import", json={"objects": objects})
    assert r.status_code == 200, r.get_json()
    assert [c["name"] for c in r.get_json()["created"]] == ["c0", "c1", "c2", "c3"]
    too_big = page.post("/api/v1/namespaces/default/configmaps", data=b"x" * (4 * 1024 * 1024),
                        content_type="application/json")
    assert too_big.status_code == 413                                      # the API's own limit stays
