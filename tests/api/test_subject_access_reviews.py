"""SubjectAccessReview and LocalSubjectAccessReview (authorization.k8s.io/v1): the authorizer's
answer for the user/groups a spec names, from the stored RBAC rules; the apiserver's validation
texts; who may post them (the bootstrap roles: system:auth-delegator, admin's localsubjectaccessreviews)."""
from __future__ import annotations

import pytest

SAR = "/apis/authorization.k8s.io/v1/subjectaccessreviews"
G = "rbac.authorization.k8s.io/v1"
CI = "system:serviceaccount:dev:ci"


def lsar_path(ns: str) -> str:
    return f"/apis/authorization.k8s.io/v1/namespaces/{ns}/localsubjectaccessreviews"


def sar(spec, kind="SubjectAccessReview", **extra):
    return {"kind": kind, "apiVersion": "authorization.k8s.io/v1", "spec": spec, **extra}


@pytest.fixture
def setup(client):
    for ns in ("dev", "prod"):
        assert client.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                                       "metadata": {"name": ns}}).status_code == 201
    assert client.post("/api/v1/namespaces/dev/serviceaccounts",
                       json={"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "ci"}}).status_code == 201
    r = client.post(f"/apis/{G}/namespaces/prod/rolebindings", json={
        "apiVersion": G, "kind": "RoleBinding", "metadata": {"name": "ci-view"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "dev"}]})
    assert r.status_code == 201
    r = client.post("/api/v1/namespaces/dev/serviceaccounts/ci/token",
                    json={"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}})
    return {"Authorization": "Bearer " + r.get_json()["status"]["token"]}


def test_subject_access_review_answers_for_the_named_user(client, setup):
    spec = {"user": CI, "groups": ["system:serviceaccounts", "system:authenticated"],
            "resourceAttributes": {"namespace": "prod", "verb": "list", "resource": "pods"}}
    r = client.post(SAR, json=sar(spec))
    assert r.status_code == 201, r.get_json()
    assert r.get_json() == {
        "kind": "SubjectAccessReview", "apiVersion": "authorization.k8s.io/v1", "metadata": {"creationTimestamp": None},
        "spec": spec, "status": {"allowed": True, "reason": 'RBAC: allowed by RoleBinding "ci-view/prod" of '
                                 'ClusterRole "view" to ServiceAccount "ci/dev"'}}
    for attrs in ({"namespace": "dev", "verb": "list", "resource": "pods"},
                  {"namespace": "prod", "verb": "delete", "resource": "pods", "name": "web"},
                  {"namespace": "prod", "verb": "get", "resource": "secrets"}):
        r = client.post(SAR, json=sar({"user": CI, "resourceAttributes": attrs}))
        assert r.get_json()["status"] == {"allowed": False}, attrs


def test_groups_are_only_those_the_spec_names(client, setup):
    # system:basic-user is bound to system:authenticated: without that group, no rule applies
    attrs = {"resourceAttributes": {"verb": "create", "group": "authorization.k8s.io",
                                    "resource": "selfsubjectaccessreviews"}}
    assert client.post(SAR, json=sar({"user": "alice", **attrs})).get_json()["status"] == {"allowed": False}
    status = client.post(SAR, json=sar({"user": "alice", "groups": ["system:authenticated"], **attrs})).get_json()["status"]
    assert status == {"allowed": True, "reason": 'RBAC: allowed by ClusterRoleBinding "system:basic-user" of '
                                                 'ClusterRole "system:basic-user" to Group "system:authenticated"'}
    # a group alone is a subject too; system:masters is cluster-admin's
    status = client.post(SAR, json=sar({"groups": ["system:masters"],
                                        "nonResourceAttributes": {"path": "/metrics", "verb": "get"}})).get_json()["status"]
    assert status["allowed"] is True and "cluster-admin" in status["reason"]


def test_controller_roles_answer_as_upstream(client):
    # the bootstrap system:controller:* roles and their bindings to kube-system's ServiceAccounts
    def ask(sa, verb, resource, group=""):
        spec = {"user": f"system:serviceaccount:kube-system:{sa}",
                "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
                "resourceAttributes": {"namespace": "default", "verb": verb, "group": group, "resource": resource}}
        return client.post(SAR, json=sar(spec)).get_json()["status"]["allowed"]
    assert ask("replicaset-controller", "create", "pods")
    assert not ask("replicaset-controller", "create", "deployments", "apps")
    assert ask("deployment-controller", "create", "replicasets", "apps")
    assert ask("job-controller", "update", "jobs", "batch")


def test_sar_validation_texts(client):
    r = client.post(SAR, json=sar({"resourceAttributes": {"verb": "get", "resource": "pods"}}))
    assert r.status_code == 422
    body = r.get_json()
    assert body["message"] == ('SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": '
                               'at least one of user or group must be specified')
    r = client.post(SAR, json=sar({"user": "alice"}))
    assert r.status_code == 422 and "exactly one of nonResourceAttributes or resourceAttributes" in r.get_json()["message"]
    r = client.post(SAR, json=sar({"user": "alice", "resourceAttributes": {"verb": "get"}}, metadata={"name": "x"}))
    assert r.status_code == 422 and "metadata: Invalid value" in r.get_json()["message"]
    assert "must be empty" in r.get_json()["message"]
    r = client.post(SAR, json=sar({"user": 3}))
    assert r.status_code == 400


def test_local_subject_access_review(client, setup):
    spec = {"user": CI, "resourceAttributes": {"namespace": "prod", "verb": "get", "resource": "configmaps"}}
    r = client.post(lsar_path("prod"), json=sar(spec, "LocalSubjectAccessReview"))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["kind"] == "LocalSubjectAccessReview" and body["metadata"] == {"namespace": "prod", "creationTimestamp": None}
    assert body["status"]["allowed"] is True
    # the attributes' namespace must be the review's
    r = client.post(lsar_path("dev"), json=sar(spec, "LocalSubjectAccessReview"))
    assert r.status_code == 422
    assert r.get_json()["message"] == ('LocalSubjectAccessReview.authorization.k8s.io "" is invalid: '
                                       'spec.resourceAttributes.namespace: Invalid value: "prod": must match metadata.namespace')
    r = client.post(lsar_path("prod"), json=sar({"user": CI, "nonResourceAttributes": {"path": "/x", "verb": "get"}},
                                                "LocalSubjectAccessReview"))
    assert r.status_code == 422 and "spec.nonResourceAttributes: Invalid value" in r.get_json()["message"]
    assert "disallowed on this kind of request" in r.get_json()["message"]
    r = client.post(lsar_path("prod"), json=sar(spec, "LocalSubjectAccessReview", metadata={"namespace": "dev"}))
    assert r.status_code == 400
    assert r.get_json()["message"] == "the namespace of the provided object does not match the namespace sent on the request"


def test_who_may_post_them(client, setup):
    # a ServiceAccount with only view in prod may not ask about others; admin in a namespace may ask locally
    spec = {"user": "bob", "resourceAttributes": {"namespace": "prod", "verb": "get", "resource": "pods"}}
    r = client.post(SAR, json=sar(spec), headers=setup)
    assert r.status_code == 403
    assert r.get_json()["message"] == (f'subjectaccessreviews.authorization.k8s.io is forbidden: User "{CI}" cannot '
                                       'create resource "subjectaccessreviews" in API group "authorization.k8s.io" '
                                       'at the cluster scope')
    r = client.post(lsar_path("prod"), json=sar(spec, "LocalSubjectAccessReview"), headers=setup)
    assert r.status_code == 403
    r = client.post(f"/apis/{G}/namespaces/prod/rolebindings", json={
        "apiVersion": G, "kind": "RoleBinding", "metadata": {"name": "ci-admin"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
        "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "dev"}]})
    assert r.status_code == 201
    r = client.post(lsar_path("prod"), json=sar(spec, "LocalSubjectAccessReview"), headers=setup)
    assert r.status_code == 201 and r.get_json()["status"] == {"allowed": False}


def test_discovery_lists_them(client):
    res = {r["name"]: r for r in client.get("/apis/authorization.k8s.io/v1").get_json()["resources"]}
    assert res["subjectaccessreviews"]["namespaced"] is False and res["subjectaccessreviews"]["verbs"] == ["create"]
    assert res["localsubjectaccessreviews"]["namespaced"] is True
    assert res["localsubjectaccessreviews"]["kind"] == "LocalSubjectAccessReview"
