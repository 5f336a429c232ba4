"""The self-review resources (kubectl auth whoami / can-i / can-i --list) and the OpenAPI v3
documents (kubectl explain), over the Flask app: shapes, discovery, and every bad body a 4xx."""
from __future__ import annotations

import json

import pytest

from engine import resources as kinds
from engine.admission import schema
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store
from webapp import create_app
from webapp.extension import kubeplay_of

SSAR = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
SSRR = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
SSR = "/apis/authentication.k8s.io/v1/selfsubjectreviews"


@pytest.fixture(scope="module")
def client():
    cluster = Cluster(store=Store(), clock=ManualClock(), nodes=1)
    app = create_app(cluster=cluster)
    yield app.test_client()
    kubeplay_of(app).close()


def post(client, path, body, **kw):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(path, data=data, headers={"Content-Type": "application/json"}, **kw)


def ssar(spec, **extra):
    return {"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
            "metadata": {"creationTimestamp": None}, "spec": spec, "status": {"allowed": False}, **extra}


# ---- answers --------------------------------------------------------------------------------


def test_whoami_is_kinds_cluster_admin(client):
    r = post(client, SSR, {"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
                           "metadata": {"creationTimestamp": None}, "status": {"userInfo": {}}})
    assert r.status_code == 201, r.text
    body = r.get_json()
    assert body["kind"] == "SelfSubjectReview" and body["apiVersion"] == "authentication.k8s.io/v1"
    assert body["status"]["userInfo"] == {"username": "kubernetes-admin",
                                          "groups": ["kubeadm:cluster-admins", "system:authenticated"]}
    assert body["metadata"]["creationTimestamp"].endswith("Z")


@pytest.mark.parametrize("spec", [
    {"resourceAttributes": {"namespace": "default", "verb": "get", "resource": "pods"}},
    {"resourceAttributes": {"verb": "delete", "group": "apps", "resource": "deployments", "name": "web"}},
    {"resourceAttributes": {"verb": "create", "resource": "nosuchthings"}},
    {"nonResourceAttributes": {"path": "/healthz", "verb": "get"}},
])
def test_access_reviews_are_allowed_by_the_cluster_admin_binding(client, spec):
    r = post(client, SSAR, ssar(spec))
    assert r.status_code == 201, r.text
    body = r.get_json()
    assert body["spec"] == spec
    assert body["status"] == {
        "allowed": True,
        "reason": 'RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole '
                  '"cluster-admin" to Group "kubeadm:cluster-admins"'}


def test_rules_review_lists_the_bootstrap_roles_rules(client):
    r = post(client, SSRR, {"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1",
                            "metadata": {"creationTimestamp": None}, "spec": {"namespace": "default"}})
    assert r.status_code == 201, r.text
    status = r.get_json()["status"]
    assert status["incomplete"] is False
    assert status["resourceRules"][0] == {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}
    assert {"verbs": ["*"], "nonResourceURLs": ["*"]} in status["nonResourceRules"]
    assert any("selfsubjectrulesreviews" in rule.get("resources", []) for rule in status["resourceRules"])


# ---- bad bodies: a Status 4xx with the apiserver's text, never a 500 -----------------------------


def test_access_review_without_attributes_is_invalid(client):
    r = post(client, SSAR, ssar({}))
    assert r.status_code == 422, r.text
    body = r.get_json()
    assert body["kind"] == "Status" and body["reason"] == "Invalid"
    assert body["message"] == ('SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: '
                               'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes '
                               'must be specified')
    assert body["details"]["causes"] == [{"reason": "FieldValueInvalid", "field": "spec.resourceAttributes",
                                          "message": 'Invalid value: "null": exactly one of nonResourceAttributes '
                                                     'or resourceAttributes must be specified'}]


def test_access_review_with_both_attributes_is_invalid(client):
    r = post(client, SSAR, ssar({"resourceAttributes": {"verb": "get", "resource": "pods"},
                                 "nonResourceAttributes": {"path": "/api", "verb": "get"}}))
    assert r.status_code == 422, r.text
    assert r.get_json()["message"] == (
        'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: '
        'authorization.NonResourceAttributes{Path:"/api", Verb:"get"}: cannot be specified in combination with '
        'resourceAttributes')


def test_access_review_metadata_must_be_empty(client):
    r = post(client, SSAR, ssar({"resourceAttributes": {"verb": "get", "resource": "pods"}},
                                metadata={"name": "x"}))
    assert r.status_code == 422, r.text
    msg = r.get_json()["message"]
    assert msg.startswith('SelfSubjectAccessReview.authorization.k8s.io "" is invalid: metadata: Invalid value: '
                          'v1.ObjectMeta{Name:"x", GenerateName:""')
    assert msg.endswith("}: must be empty")


def test_access_review_selector_needs_requirements_or_raw_selector(client):
    r = post(client, SSAR, ssar({"resourceAttributes": {"verb": "list", "resource": "pods", "labelSelector": {}}}))
    assert r.status_code == 422, r.text
    assert r.get_json()["message"] == (
        'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes.labelSelector.requirements: '
        'Required value: when spec.resourceAttributes.labelSelector is specified, requirements or rawSelector is required')


def test_rules_review_without_namespace_is_a_bad_request(client):
    r = post(client, SSRR, {"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1", "spec": {}})
    assert r.status_code == 400, r.text
    assert r.get_json()["message"] == "no namespace on request"
    assert r.get_json()["reason"] == "BadRequest"


@pytest.mark.parametrize("path,body,status,text", [
    (SSAR, b"{not json", 400, "error decoding JSON"),
    (SSAR, b"", 400, "the request body is empty"),
    (SSAR, b"[1, 2]", 400, "the body of the request must be an object"),
    (SSAR, {"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1", "spec": "x"}, 400,
     'SelfSubjectAccessReview in version "v1" cannot be handled as a SelfSubjectAccessReview: json: cannot '
     'unmarshal string into Go struct field SelfSubjectAccessReview.spec of type v1.SelfSubjectAccessReviewSpec'),
    (SSAR, {"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
            "spec": {"resourceAttributes": {"verb": 3}}}, 400,
     "json: cannot unmarshal number into Go struct field ResourceAttributes.spec.resourceAttributes.verb of type string"),
    (SSAR, {"kind": "Pod", "apiVersion": "authorization.k8s.io/v1", "spec": {}}, 400,
     'no kind "Pod" is registered for the URL'),
    (SSAR, {"kind": "SelfSubjectAccessReview", "apiVersion": "v1", "spec": {}}, 400,
     "does not match the expected API version"),
    (SSR, b"{not json", 400, "error decoding JSON"),
    (SSRR, {"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1", "spec": {"namespace": 5}},
     400, "of type string"),
])
def test_bad_bodies_are_a_4xx_status(client, path, body, status, text):
    r = post(client, path, body)
    assert r.status_code == status, r.text
    got = r.get_json()
    assert got["kind"] == "Status" and got["code"] == status
    assert text in got["message"]


def test_strict_field_validation_refuses_unknown_fields(client):
    body = ssar({"resourceAttributes": {"verb": "get", "resource": "pods", "verbb": "x"}})
    r = post(client, SSAR + "?fieldValidation=Strict", body)
    assert r.status_code == 400, r.text
    assert 'strict decoding error: unknown field "spec.resourceAttributes.verbb"' in r.get_json()["message"]
    assert post(client, SSAR, body).status_code == 201      # default: unknown fields are dropped


def test_reviews_are_create_only(client):
    assert client.get(SSAR).status_code in (404, 405)
    assert client.delete(SSRR).status_code in (404, 405)


# ---- discovery -------------------------------------------------------------------------------


def test_discovery_lists_the_review_resources(client):
    groups = {g["name"]: g for g in client.get("/apis").get_json()["groups"]}
    for group, resources in [("authorization.k8s.io", {"selfsubjectaccessreviews", "selfsubjectrulesreviews",
                                                       "subjectaccessreviews", "localsubjectaccessreviews"}),
                             ("authentication.k8s.io", {"selfsubjectreviews"})]:
        assert groups[group]["preferredVersion"] == {"groupVersion": f"{group}/v1", "version": "v1"}
        assert client.get(f"/apis/{group}").status_code == 200
        listed = client.get(f"/apis/{group}/v1").get_json()["resources"]
        assert {r["name"] for r in listed} == resources
        for r in listed:
            assert r["verbs"] == ["create"] and r["namespaced"] is (r["name"] == "localsubjectaccessreviews")


# ---- OpenAPI v3 ------------------------------------------------------------------------------


def _docs(client) -> dict[str, dict]:
    index = client.get("/openapi/v3").get_json()["paths"]
    docs = {}
    for gv, entry in index.items():
        url = entry["serverRelativeURL"]
        assert "?hash=" in url
        r = client.get(url)
        assert r.status_code == 200 and r.headers["Cache-Control"] == "public, immutable"
        docs[gv] = r.get_json()
    return docs


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for v in node.values():
            yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def test_every_served_kind_has_its_upstream_schema_with_every_ref_resolvable(client):
    docs = _docs(client)
    expected = [(rt.group, rt.version, rt.kind) for rt in kinds.all_types()] + [
        ("authorization.k8s.io", "v1", "SelfSubjectAccessReview"),
        ("authorization.k8s.io", "v1", "SelfSubjectRulesReview"),
        ("authentication.k8s.io", "v1", "SelfSubjectReview")]
    for group, version, kind in expected:
        gv = f"apis/{group}/{version}" if group else f"api/{version}"
        schemas = docs[gv]["components"]["schemas"]
        found = [name for name, s in schemas.items()
                 if {"group": group, "version": version, "kind": kind} in s.get("x-kubernetes-group-version-kind", [])]
        assert len(found) == 1, (gv, kind)
        assert found[0].startswith(("io.k8s.api.", "io.k8s.apiextensions-apiserver.")) and found[0].endswith("." + kind)
        assert schemas[found[0]]["description"]
    for gv, doc in docs.items():
        names = set(doc["components"]["schemas"])
        for ref in _refs(doc):
            assert ref.startswith("#/components/schemas/") and ref.rpartition("/")[2] in names, (gv, ref)


def test_schemas_have_apiserver_shape(client):
    apps = client.get("/openapi/v3/apis/apps/v1").get_json()["components"]["schemas"]
    spec = apps["io.k8s.api.apps.v1.DeploymentSpec"]
    assert spec["type"] == "object" and spec["required"] == ["selector", "template"]
    assert spec["properties"]["replicas"] == {
        "description": "Number of desired pods. This is a pointer to distinguish between explicit zero and not "
                       "specified. Defaults to 1.",
        "format": "int32", "type": "integer"}
    assert spec["properties"]["strategy"]["allOf"] == [{"$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy"}]
    assert spec["properties"]["strategy"]["x-kubernetes-patch-strategy"] == "retainKeys"
    containers = apps["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name" and containers["x-kubernetes-list-type"] == "map"
    int_or_string = apps["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]
    assert int_or_string["type"] == "string" and int_or_string["format"] == "int-or-string"
    assert int_or_string["description"].startswith("IntOrString is a type that can hold an int32 or a string.  When")
    # enums of +enum Go types, as kube-openapi emits them (every constant of the type, sorted)
    pull = apps["io.k8s.api.core.v1.Container"]["properties"]["imagePullPolicy"]
    assert pull["enum"] == ["Always", "IfNotPresent", "Never"] and pull["type"] == "string"
    assert apps["io.k8s.api.core.v1.HostPathVolumeSource"]["properties"]["type"]["enum"][:2] == ["", "BlockDevice"]
    assert "enum" not in apps["io.k8s.api.core.v1.Container"]["properties"]["name"]
    effect = apps["io.k8s.api.core.v1.Toleration"]["properties"]["effect"]["description"]
    assert effect.endswith(
        "and NoExecute.\n\nPossible enum values:\n"
        ' - `"NoExecute"` Evict any already-running pods that do not tolerate the taint. Currently enforced by NodeController.\n'
        ' - `"NoSchedule"` Do not allow new pods to schedule onto the node unless they tolerate the taint, but allow all '
        "pods submitted to Kubelet without going through the scheduler to start, and allow all already-running pods to "
        "continue running. Enforced by the scheduler.\n"
        ' - `"PreferNoSchedule"` Like TaintEffectNoSchedule, but the scheduler tries not to schedule new pods onto the '
        "node, rather than prohibiting new pods from scheduling onto the node entirely. Enforced by the scheduler.")
    deployment = apps["io.k8s.api.apps.v1.Deployment"]
    assert "enum" not in deployment["properties"]["kind"]
    # the PATCH operations still declare fieldValidation (kubectl's server-side validation check)
    paths = client.get("/openapi/v3/apis/apps/v1").get_json()["paths"]
    patch = paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert {"fieldValidation", "dryRun", "fieldManager"} <= {p["name"] for p in patch["parameters"]}


def test_hash_changes_with_the_document_and_is_stable(client):
    a = client.get("/openapi/v3").get_json()["paths"]
    b = client.get("/openapi/v3").get_json()["paths"]
    assert a == b
    assert len({e["serverRelativeURL"].partition("hash=")[2] for e in a.values()}) == len(a)


def test_generated_kinds_include_the_served_ones():
    have = {(g, v, k) for g, v, k, _ in schema.openapi_kinds()}
    for rt in kinds.all_types():
        assert (rt.group, rt.version, rt.kind) in have, rt.kind


def test_protobuf_tables_cover_the_generated_kinds():
    from webapp.api import protobuf_schema
    for g, v, k, _ in schema.openapi_kinds():
        if k in schema.OPENAPI_ONLY_KINDS:
            continue
        assert (f"{g}/{v}" if g else v, k) in protobuf_schema.KINDS
