"""PATCH application/apply-patch+yaml and the field manager of every write, over the Flask app:
the query parameters, the User-Agent default, status codes and Status texts."""
import json

import pytest

from engine import resources as kinds

DEPLOY = "/apis/apps/v1/namespaces/default/deployments"
CONFIG = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx
"""
APPLY = {"Content-Type": "application/apply-patch+yaml"}


@pytest.fixture
def cluster():
    from engine.clock import ManualClock
    from engine.cluster import Cluster
    from engine.store import Store
    c = Cluster(store=Store(), clock=ManualClock(), nodes=1)
    c.run_until_idle()
    yield c


@pytest.fixture
def client(cluster):
    from webapp import create_app
    return create_app(cluster).test_client()


def managers(cluster, name="web"):
    return [(e["manager"], e["operation"], e.get("subresource"))
            for e in cluster.store.get(kinds.DEPLOYMENT, "default", name)["metadata"].get("managedFields") or []]


def test_apply_creates_with_201_then_answers_200(client, cluster):
    r = client.patch(f"{DEPLOY}/web?fieldManager=kubectl&force=false", data=CONFIG, headers=APPLY)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["metadata"]["managedFields"][0]["operation"] == "Apply"
    r = client.patch(f"{DEPLOY}/web?fieldManager=kubectl", data=CONFIG.replace("replicas: 2", "replicas: 3"),
                     headers=APPLY)
    assert r.status_code == 200 and r.get_json()["spec"]["replicas"] == 3


def test_apply_needs_a_field_manager_and_force_belongs_to_apply_only(client, cluster):
    r = client.patch(f"{DEPLOY}/web", data=CONFIG, headers=APPLY)
    assert r.status_code == 422
    assert r.get_json()["message"] == ('PatchOptions.meta.k8s.io "" is invalid: '
                                       'fieldManager: Required value: is required for apply patch')
    client.patch(f"{DEPLOY}/web?fieldManager=kubectl", data=CONFIG, headers=APPLY)
    r = client.patch(f"{DEPLOY}/web?force=true", data=json.dumps({"spec": {"replicas": 1}}),
                     headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 422
    assert r.get_json()["message"] == ('PatchOptions.meta.k8s.io "" is invalid: '
                                       'force: Forbidden: may not be specified for non-apply patch')


def test_a_conflict_is_a_409_status_with_causes(client, cluster):
    client.patch(f"{DEPLOY}/web?fieldManager=kubectl", data=CONFIG, headers=APPLY)
    r = client.patch(f"{DEPLOY}/web?fieldManager=ops", data=CONFIG.replace("replicas: 2", "replicas: 5"),
                     headers=APPLY)
    body = r.get_json()
    assert r.status_code == 409 and body["reason"] == "Conflict"
    assert body["message"] == 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas'
    assert body["details"]["causes"][0]["field"] == ".spec.replicas"
    r = client.patch(f"{DEPLOY}/web?fieldManager=ops&force=true", data=CONFIG.replace("replicas: 2", "replicas: 5"),
                     headers=APPLY)
    assert r.status_code == 200 and r.get_json()["spec"]["replicas"] == 5


def test_writes_without_a_field_manager_are_named_after_the_user_agent(client, cluster):
    client.patch(f"{DEPLOY}/web?fieldManager=kubectl", data=CONFIG, headers=APPLY)
    client.patch(f"{DEPLOY}/web/scale", data=json.dumps({"spec": {"replicas": 4}}),
                 headers={"Content-Type": "application/merge-patch+json",
                          "User-Agent": "kubectl/v1.32.2 (linux/amd64) kubernetes/67a30c0"})
    client.patch(f"{DEPLOY}/web", data=json.dumps({"metadata": {"labels": {"x": "y"}}}),
                 headers={"Content-Type": "application/merge-patch+json", "User-Agent": "python-requests/2.32"})
    assert ("kubectl", "Update", "scale") in managers(cluster)
    assert ("python-requests", "Update", None) in managers(cluster)


def test_apply_to_a_subresource_is_refused_and_bad_yaml_is_a_400(client, cluster):
    client.patch(f"{DEPLOY}/web?fieldManager=kubectl", data=CONFIG, headers=APPLY)
    r = client.patch(f"{DEPLOY}/web/scale?fieldManager=kubectl", data="spec: {replicas: 1}", headers=APPLY)
    assert r.status_code == 415
    r = client.patch(f"{DEPLOY}/web?fieldManager=kubectl", data="spec: [", headers=APPLY)
    assert r.status_code == 400 and r.get_json()["message"].startswith("error converting YAML to JSON")
