"""Custom resources over the HTTP API, in process: discovery and OpenAPI follow CRDs as they
come and go, a second version served by `conversion: None`, deprecated versions warn, Tables
from additionalPrinterColumns (priority 1 for -o wide), the scale subresource, strategic merge
patch refused with the apiserver's 415, server-side apply, and deletion through the finalizer."""
from __future__ import annotations

import copy

import pytest

from engine import crds

GROUP = "stable.example.com"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
SCHEMA = {"type": "object", "properties": {
    "spec": {"type": "object", "properties": {"cronSpec": {"type": "string"}, "image": {"type": "string"},
                                              "replicas": {"type": "integer"}}},
    "status": {"type": "object", "properties": {"replicas": {"type": "integer"}, "selector": {"type": "string"}}}}}


def _version(name, storage, **extra):
    v = {"name": name, "served": True, "storage": storage, "schema": {"openAPIV3Schema": copy.deepcopy(SCHEMA)},
         "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                                                  "statusReplicasPath": ".status.replicas",
                                                  "labelSelectorPath": ".status.selector"}},
         "additionalPrinterColumns": [
             {"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec"},
             {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
             {"name": "Image", "type": "string", "jsonPath": ".spec.image", "priority": 1},
             {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]}
    v.update(extra)
    return v


CRD = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
       "metadata": {"name": "crontabs.stable.example.com"},
       "spec": {"group": GROUP, "scope": "Namespaced",
                "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "shortNames": ["ct"],
                          "categories": ["all"]},
                "versions": [_version("v1", True),
                             _version("v1beta1", False, deprecated=True,
                                      additionalPrinterColumns=[
                                          {"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec"},
                                          {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
                                          {"name": "Image", "type": "string", "jsonPath": ".spec.image"},
                                          {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}],
                                      deprecationWarning="stable.example.com/v1beta1 CronTab is deprecated; use v1")]}}


@pytest.fixture(autouse=True)
def no_custom_types_left_behind():
    yield
    crds.reset(())


@pytest.fixture
def crd(client, cluster):
    r = client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=CRD)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _ct(name="my-cron", version="v1", **spec):
    return {"apiVersion": f"{GROUP}/{version}", "kind": "CronTab", "metadata": {"name": name},
            "spec": dict({"cronSpec": "* * * * */5", "image": "img", "replicas": 1}, **spec)}


def test_discovery_and_openapi_follow_the_crd(client, cluster, crd):
    groups = {g["name"]: g for g in client.get("/apis").get_json()["groups"]}
    assert [v["version"] for v in groups[GROUP]["versions"]] == ["v1", "v1beta1"]
    assert groups[GROUP]["preferredVersion"]["version"] == "v1"
    res = {r["name"]: r for r in client.get(f"/apis/{GROUP}/v1").get_json()["resources"]}
    assert res["crontabs"]["shortNames"] == ["ct"] and res["crontabs"]["categories"] == ["all"]
    assert res["crontabs"]["singularName"] == "crontab" and res["crontabs"]["namespaced"] is True
    assert res["crontabs/scale"]["kind"] == "Scale" and res["crontabs/status"]["verbs"] == ["get", "patch", "update"]
    assert "crontabs" in {r["name"] for r in client.get(f"/apis/{GROUP}/v1beta1").get_json()["resources"]}
    index = client.get("/openapi/v3").get_json()["paths"]
    doc = client.get(index[f"apis/{GROUP}/v1"]["serverRelativeURL"]).get_json()
    ct = doc["components"]["schemas"]["com.example.stable.v1.CronTab"]
    assert ct["x-kubernetes-group-version-kind"] == [{"group": GROUP, "kind": "CronTab", "version": "v1"}]
    assert ct["properties"]["spec"]["properties"]["replicas"] == {"type": "integer"}
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" in doc["components"]["schemas"]
    assert "com.example.stable.v1.CronTab" in client.get("/openapi/v2").get_json()["definitions"]
    crd_doc = client.get(index["apis/apiextensions.k8s.io/v1"]["serverRelativeURL"]).get_json()
    assert "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition" in crd_doc["components"]["schemas"]

    assert client.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com").status_code == 200
    cluster.run_until_idle()
    assert GROUP not in {g["name"] for g in client.get("/apis").get_json()["groups"]}
    assert client.get(f"/apis/{GROUP}/v1").status_code == 404
    assert f"apis/{GROUP}/v1" not in client.get("/openapi/v3").get_json()["paths"]
    assert "com.example.stable.v1.CronTab" not in client.get("/openapi/v2").get_json()["definitions"]


def test_objects_are_served_at_every_version_and_stored_at_the_storage_one(client, cluster, crd):
    base = f"/apis/{GROUP}/v1beta1/namespaces/default/crontabs"
    r = client.post(base, json=_ct(version="v1beta1"))
    assert r.status_code == 201 and r.get_json()["apiVersion"] == f"{GROUP}/v1beta1"
    assert r.headers.getlist("Warning") == ['299 - "stable.example.com/v1beta1 CronTab is deprecated; use v1"']
    stored = cluster.store.get(crds_rt(), "default", "my-cron")
    assert stored["apiVersion"] == f"{GROUP}/v1"
    got = client.get(f"/apis/{GROUP}/v1/namespaces/default/crontabs/my-cron")
    assert got.get_json()["apiVersion"] == f"{GROUP}/v1" and not got.headers.getlist("Warning")
    items = client.get(base).get_json()
    assert items["kind"] == "CronTabList" and items["apiVersion"] == f"{GROUP}/v1beta1"
    assert items["items"][0]["apiVersion"] == f"{GROUP}/v1beta1"
    t = client.get(base, headers={"Accept": TABLE}).get_json()
    # the URL's version's columns (v1's Image column is a wide one, v1beta1's is not)
    assert [(c["name"], c["priority"]) for c in t["columnDefinitions"]] == [
        ("Name", 0), ("Spec", 0), ("Replicas", 0), ("Image", 0), ("Age", 0)]
    patched = client.patch(base + "/my-cron", json={"spec": {"replicas": 4}},
                           headers={"Content-Type": "application/merge-patch+json"})
    assert patched.status_code == 200 and patched.get_json()["spec"]["replicas"] == 4


def test_the_preferred_version_is_the_kube_aware_first(client, cluster):
    crd = copy.deepcopy(CRD)
    crd["spec"]["versions"] = [_version("v1beta1", True), _version("v1", False), _version("v2alpha1", False)]
    assert client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=crd).status_code == 201
    groups = {g["name"]: g for g in client.get("/apis").get_json()["groups"]}
    assert [v["version"] for v in groups[GROUP]["versions"]] == ["v1", "v1beta1", "v2alpha1"]
    assert client.get(f"/apis/{GROUP}").get_json()["preferredVersion"]["version"] == "v1"
    r = client.post(f"/apis/{GROUP}/v1/namespaces/default/crontabs", json=_ct())
    assert r.status_code == 201 and r.get_json()["apiVersion"] == f"{GROUP}/v1"
    assert cluster.store.get(crds_rt(), "default", "my-cron")["apiVersion"] == f"{GROUP}/v1beta1"
    # a storage version no longer served: stored objects still are, at the served versions
    crd["spec"]["versions"][0]["served"] = False
    current = client.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com").get_json()
    crd["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
    assert client.put("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com",
                      json=crd).status_code == 200
    assert client.get(f"/apis/{GROUP}/v1beta1/namespaces/default/crontabs").status_code == 404
    assert client.get(f"/apis/{GROUP}/v1beta1").status_code == 404
    assert [v["version"] for v in client.get(f"/apis/{GROUP}").get_json()["versions"]] == ["v1", "v2alpha1"]
    assert client.get(f"/apis/{GROUP}/v1/namespaces/default/crontabs/my-cron").status_code == 200


def crds_rt():
    from engine import resources as kinds
    return kinds.lookup(GROUP, "crontabs")


def test_tables_scale_and_patch_types(client, cluster, crd):
    base = f"/apis/{GROUP}/v1/namespaces/default/crontabs"
    assert client.post(base, json=_ct()).status_code == 201
    t = client.get(base, headers={"Accept": TABLE}).get_json()
    assert [(c["name"], c["type"], c["priority"]) for c in t["columnDefinitions"]] == [
        ("Name", "string", 0), ("Spec", "string", 0), ("Replicas", "integer", 0), ("Image", "string", 1),
        ("Age", "date", 0)]
    assert t["rows"][0]["cells"][:4] == ["my-cron", "* * * * */5", 1, "img"]
    assert t["rows"][0]["cells"][4].endswith("s")

    r = client.patch(base + "/my-cron", json={"spec": {"replicas": 2}},
                     headers={"Content-Type": "application/strategic-merge-patch+json"})
    assert r.status_code == 415
    assert r.get_json()["message"] == ("the body of the request was in an unknown format - accepted media types "
                                       "include: application/json-patch+json, application/merge-patch+json, "
                                       "application/apply-patch+yaml")
    r = client.patch(base + "/my-cron", json=[{"op": "replace", "path": "/spec/replicas", "value": 2}],
                     headers={"Content-Type": "application/json-patch+json"})
    assert r.status_code == 200 and r.get_json()["spec"]["replicas"] == 2

    client.patch(base + "/my-cron/status", json={"status": {"replicas": 2, "selector": "app=cron"}},
                 headers={"Content-Type": "application/merge-patch+json"})
    scale = client.get(base + "/my-cron/scale").get_json()
    assert scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"] == {"replicas": 2} and scale["status"] == {"replicas": 2, "selector": "app=cron"}
    r = client.patch(base + "/my-cron/scale", json={"spec": {"replicas": 3}},
                     headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200 and r.get_json()["spec"]["replicas"] == 3
    obj = client.get(base + "/my-cron").get_json()
    assert obj["spec"]["replicas"] == 3 and obj["metadata"]["generation"] == 3

    applied = client.patch(base + "/other?fieldManager=me", data=(
        f"apiVersion: {GROUP}/v1\nkind: CronTab\nmetadata:\n  name: other\nspec:\n  image: x\n  foo: 1\n"),
        headers={"Content-Type": "application/apply-patch+yaml"})
    assert applied.status_code == 201, applied.get_json()
    assert applied.get_json()["spec"] == {"image": "x"}
    assert applied.headers.getlist("Warning") == ['299 - "unknown field \\"spec.foo\\""']


def test_crd_errors_and_creates_refused_while_terminating(client, cluster, crd):
    bad = copy.deepcopy(CRD)
    bad["metadata"]["name"] = "widgets.stable.example.com"
    bad["spec"]["names"] = {"plural": "widgets", "kind": "Widget"}
    bad["spec"]["versions"] = [dict(_version("v1", False))]
    r = client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=bad)
    assert r.status_code == 422
    assert "must have exactly one version marked as storage version" in r.get_json()["message"]
    base = f"/apis/{GROUP}/v1/namespaces/default/crontabs"
    client.post(base, json=_ct())
    with_finalizer = _ct("held")
    with_finalizer["metadata"]["finalizers"] = ["example.com/hold"]
    assert client.post(base, json=with_finalizer).status_code == 201
    client.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com")
    cluster.run_until_idle()
    r = client.post(base, json=_ct("late"))
    assert r.status_code == 405
    assert r.get_json()["message"] == "create not allowed while custom resource definition is terminating"
    crd_now = client.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com").get_json()
    terminating = [c for c in crd_now["status"]["conditions"] if c["type"] == "Terminating"]
    assert terminating and terminating[0]["reason"] == "InstanceDeletionInProgress"
    assert [o["metadata"]["name"] for o in client.get(base).get_json()["items"]] == ["held"]
    client.patch(base + "/held", json={"metadata": {"finalizers": None}},
                 headers={"Content-Type": "application/merge-patch+json"})
    cluster.advance(2)
    assert client.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com").status_code == 404


PAGE_YAML = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              cronSpec: {type: string}
              image: {type: string}
              replicas: {type: integer}
---
apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: my-new-cron-object
spec:
  cronSpec: "* * * * */5"
  image: my-awesome-cron-image
"""


def test_the_pages_editor_and_terminal_handle_custom_objects(client, cluster, k):
    crd_yaml, ct_yaml = PAGE_YAML.split("---\n")
    # in one go, as with kubectl: the CronTab's kind is not known before its CRD exists
    r = client.post("/kubeplay/v1/apply", json={"yaml": PAGE_YAML})
    assert "ensure CRDs are installed first" in str(r.get_json())
    r = client.post("/kubeplay/v1/apply", json={"yaml": crd_yaml})
    assert r.status_code == 200, r.get_json()
    r = client.post("/kubeplay/v1/apply", json={"yaml": ct_yaml, "preview": True})
    assert r.status_code == 200, r.get_json()
    r = client.post("/kubeplay/v1/apply", json={"yaml": PAGE_YAML})
    assert r.status_code == 200, r.get_json()
    assert "crontab.stable.example.com/my-new-cron-object created" in str(r.get_json())
    changed = PAGE_YAML.replace("my-awesome-cron-image", "other-image")
    r = client.post("/kubeplay/v1/apply", json={"yaml": changed})
    assert "crontab.stable.example.com/my-new-cron-object configured" in str(r.get_json())
    assert cluster.store.get(crds_rt(), "default", "my-new-cron-object")["spec"]["image"] == "other-image"
    out, code = k("kubectl get ct")
    assert code == 0 and out.splitlines()[0].split() == ["NAME", "AGE"] and "my-new-cron-object" in out
    out, code = k("kubectl get crd")
    assert code == 0 and out.splitlines()[0].split() == ["NAME", "CREATED", "AT"]
    r = client.post("/kubeplay/v1/delete", json={"yaml": PAGE_YAML})
    assert r.status_code == 200, r.get_json()
    cluster.run_until_idle()
    assert client.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions").get_json()["items"] == []
