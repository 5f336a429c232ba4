"""The RBAC authorizer (engine/rbac.py), the bootstrap policy and the ClusterRole aggregation
controller, against a cluster as kube-apiserver and kube-controller-manager leave it."""
import base64

import pytest

from engine import errors, rbac, resources as kinds
from engine.rbac import Attributes, User

CI = rbac.service_account_user("dev", "ci")
ADMIN = User("kubernetes-admin", ("kubeadm:cluster-admins", "system:authenticated"))
G = "rbac.authorization.k8s.io/v1"


@pytest.fixture(autouse=True)
def namespaces(cluster):
    for ns in ("dev", "prod"):
        cluster.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    cluster.run_until_idle()


def _attrs(user, verb, resource, namespace="", name="", sub="", group=""):
    return Attributes(user=user, verb=verb, resource=resource, subresource=sub, name=name,
                      namespace=namespace, api_group=group)


def _role(cluster, name, rules, ns="dev"):
    cluster.store.create({"apiVersion": G, "kind": "Role", "metadata": {"name": name, "namespace": ns}, "rules": rules})


def _bind(cluster, name, kind, role, subjects, ns="dev"):
    cluster.store.create({"apiVersion": G, "kind": "RoleBinding", "metadata": {"name": name, "namespace": ns},
                          "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role},
                          "subjects": subjects})


def test_bootstrap_policy_and_aggregation(cluster):
    names = {r["metadata"]["name"] for r in cluster.store.iter(rbac.CLUSTERROLE)}
    assert {"cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery",
            "system:public-info-viewer", "system:aggregate-to-view"} <= names
    view = cluster.store.get(rbac.CLUSTERROLE, "", "view")
    assert view["aggregationRule"]["clusterRoleSelectors"] == [
        {"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}}]
    agg_view = cluster.store.get(rbac.CLUSTERROLE, "", "system:aggregate-to-view")
    assert view["rules"] == agg_view["rules"]
    edit = cluster.store.get(rbac.CLUSTERROLE, "", "edit")["rules"]
    admin = cluster.store.get(rbac.CLUSTERROLE, "", "admin")["rules"]
    assert all(r in edit for r in view["rules"]) and all(r in admin for r in edit)
    assert {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["rolebindings", "roles"],
            "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]} in admin
    binding = cluster.store.get(rbac.CLUSTERROLEBINDING, "", "kubeadm:cluster-admins")
    assert binding["roleRef"]["name"] == "cluster-admin"


def test_a_labelled_role_joins_view_and_leaves_it(cluster):
    rule = {"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get"]}
    cluster.store.create({"apiVersion": G, "kind": "ClusterRole",
                          "metadata": {"name": "widgets-view",
                                       "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
                          "rules": [rule]})
    cluster.run_until_idle()
    for name in ("view", "edit", "admin"):
        assert rule in cluster.store.get(rbac.CLUSTERROLE, "", name)["rules"]
    cluster.store.delete(rbac.CLUSTERROLE, "", "widgets-view")
    cluster.run_until_idle()
    assert rule not in cluster.store.get(rbac.CLUSTERROLE, "", "view")["rules"]
    rv = cluster.store.resource_version
    cluster.run_until_idle()
    assert cluster.store.resource_version == rv       # nothing to do writes nothing


def test_service_account_is_denied_then_allowed_by_a_binding_to_view(cluster):
    store = cluster.store
    assert rbac.authorize(store, _attrs(CI, "list", "pods", "prod")) == (False, "")
    assert rbac.forbidden_message(_attrs(CI, "list", "pods", "prod")) == (
        'User "system:serviceaccount:dev:ci" cannot list resource "pods" in API group "" in the namespace "prod"')
    _bind(cluster, "ci-view", "ClusterRole", "view", [{"kind": "ServiceAccount", "name": "ci", "namespace": "dev"}],
          ns="prod")
    ok, reason = rbac.authorize(store, _attrs(CI, "list", "pods", "prod"))
    assert ok and reason == ('RBAC: allowed by RoleBinding "ci-view/prod" of ClusterRole "view" to '
                             'ServiceAccount "ci/dev"')
    assert rbac.authorize(store, _attrs(CI, "get", "pods", "prod", "p", "log"))[0]
    assert not rbac.authorize(store, _attrs(CI, "get", "secrets", "prod"))[0]
    assert not rbac.authorize(store, _attrs(CI, "create", "pods", "prod"))[0]
    assert not rbac.authorize(store, _attrs(CI, "list", "pods", "dev"))[0]      # only in prod
    assert not rbac.authorize(store, _attrs(CI, "list", "pods"))[0]             # not cluster-wide


def test_resource_names_stars_and_subresources(cluster):
    _role(cluster, "one-cm", [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["app"],
                               "verbs": ["get", "update"]},
                              {"apiGroups": ["*"], "resources": ["*/status"], "verbs": ["get"]},
                              {"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["*"]}])
    _bind(cluster, "b", "Role", "one-cm", [{"kind": "User", "name": "jane", "apiGroup": "rbac.authorization.k8s.io"}])
    jane = User("jane", ("system:authenticated",))
    store = cluster.store
    assert rbac.authorize(store, _attrs(jane, "get", "configmaps", "dev", "app"))[0]
    assert not rbac.authorize(store, _attrs(jane, "get", "configmaps", "dev", "other"))[0]
    assert not rbac.authorize(store, _attrs(jane, "list", "configmaps", "dev"))[0]
    assert rbac.authorize(store, _attrs(jane, "get", "deployments", "dev", "d", "status", "apps"))[0]
    assert not rbac.authorize(store, _attrs(jane, "get", "deployments", "dev", "d", "", "apps"))[0]
    assert rbac.authorize(store, _attrs(jane, "patch", "deployments", "dev", "d", "scale", "apps"))[0]


def test_non_resource_urls_from_the_bootstrap_bindings(cluster):
    anon = User("system:anonymous", ("system:unauthenticated",))
    def path(user, p):
        return rbac.authorize(cluster.store, Attributes(user=user, verb="get", path=p, resource_request=False))[0]
    assert path(CI, "/apis/apps/v1") and path(CI, "/version") and path(CI, "/openapi/v3")
    assert path(anon, "/healthz") and not path(anon, "/api")
    assert not path(CI, "/metrics")
    assert path(ADMIN, "/metrics")
    assert rbac.forbidden_message(Attributes(user=CI, verb="get", path="/metrics", resource_request=False)) == (
        'User "system:serviceaccount:dev:ci" cannot get path "/metrics"')


def test_forbidden_status_shape(cluster):
    err = rbac.forbidden(_attrs(CI, "list", "deployments", "prod", group="apps"))
    assert err.status() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": ('deployments.apps is forbidden: User "system:serviceaccount:dev:ci" cannot list resource '
                    '"deployments" in API group "apps" in the namespace "prod"'),
        "reason": "Forbidden", "details": {"group": "apps", "kind": "deployments"}, "code": 403}


def test_escalation_text(cluster):
    _bind(cluster, "ci-view", "ClusterRole", "view", [{"kind": "ServiceAccount", "name": "ci"}])
    store = cluster.store
    assert rbac.escalation_error(store, CI, "dev", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]) is None
    msg = rbac.escalation_error(store, CI, "dev", [{"apiGroups": [""], "resources": ["pods", "secrets"],
                                                    "verbs": ["get", "delete"]}])
    assert msg == ('user "system:serviceaccount:dev:ci" (groups=["system:serviceaccounts" "system:serviceaccounts:dev" '
                   '"system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n'
                   '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n'
                   '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}')
    assert rbac.escalation_error(store, ADMIN, "dev", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]) is None


@pytest.mark.parametrize("obj, text", [
    ({"kind": "Role", "metadata": {"name": "r", "namespace": "dev"}, "rules": [{"apiGroups": [""], "resources": ["pods"]}]},
     'Role.rbac.authorization.k8s.io "r" is invalid: rules[0].verbs: Required value: verbs must contain at least one value'),
    ({"kind": "Role", "metadata": {"name": "r", "namespace": "dev"}, "rules": [{"nonResourceURLs": ["/x"], "verbs": ["get"]}]},
     'Role.rbac.authorization.k8s.io "r" is invalid: rules[0].nonResourceURLs: Invalid value: ["/x"]: '
     'namespaced rules cannot apply to non-resource URLs'),
    ({"kind": "ClusterRole", "metadata": {"name": "r"}, "rules": [{"verbs": ["get"], "resources": ["pods"]}]},
     'ClusterRole.rbac.authorization.k8s.io "r" is invalid: rules[0].apiGroups: Required value: '
     'resource rules must supply at least one api group'),
    ({"kind": "ClusterRoleBinding", "metadata": {"name": "b"}, "roleRef": {"kind": "Role", "name": "x"},
      "subjects": [{"kind": "ServiceAccount", "name": "ci"}]},
     'ClusterRoleBinding.rbac.authorization.k8s.io "b" is invalid: [roleRef.kind: Unsupported value: "Role": '
     'supported values: "ClusterRole", subjects[0].namespace: Required value]'),
    ({"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "dev"}, "roleRef": {"kind": "ClusterRole", "name": "view"},
      "subjects": [{"kind": "Robot", "name": "r2"}]},
     'RoleBinding.rbac.authorization.k8s.io "b" is invalid: subjects[0].kind: Unsupported value: "Robot": '
     'supported values: "ServiceAccount", "User", "Group"'),
])
def test_validation_texts(cluster, obj, text):
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create({"apiVersion": G, **obj})
    assert e.value.message == text


def test_role_ref_cannot_change(cluster):
    _bind(cluster, "b", "ClusterRole", "view", [{"kind": "Group", "name": "devs"}])
    b = cluster.store.get(rbac.ROLEBINDING, "dev", "b")
    assert b["subjects"][0]["apiGroup"] == "rbac.authorization.k8s.io"         # defaulted
    new = {**b, "roleRef": {**b["roleRef"], "name": "edit"}}
    with pytest.raises(errors.Invalid) as e:
        cluster.store.update(new)
    assert e.value.message == ('RoleBinding.rbac.authorization.k8s.io "b" is invalid: roleRef: Invalid value: '
                               '{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"}: '
                               'cannot change roleRef')


def test_service_account_tokens_authenticate_until_they_expire_or_their_account_goes(cluster):
    from engine import tokens
    store = cluster.store
    store.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "ci", "namespace": "dev"}})
    now = cluster.clock.now()
    token = tokens.request_token(store, now, "dev", "ci", {"spec": {"expirationSeconds": 600}})["status"]["token"]
    uid = store.get(kinds.SERVICEACCOUNT, "dev", "ci")["metadata"]["uid"]
    assert tokens.authenticate(store, token, now + 599) == ("dev", "ci", uid)
    assert tokens.authenticate(store, token, now + 600) is None                       # expired
    header, claims, sig = token.split(".")
    assert tokens.authenticate(store, f"{header}.{claims}.{sig[::-1]}", now) is None    # not our signature
    assert tokens.authenticate(store, "not.a.token", now) is None
    # the tokens controller's Secret token: valid while the Secret holds it
    store.create({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
                  "metadata": {"name": "ci-token", "namespace": "dev",
                               "annotations": {"kubernetes.io/service-account.name": "ci"}}})
    cluster.run_until_idle()
    secret = store.get(kinds.SECRET, "dev", "ci-token")
    legacy = base64.b64decode(secret["data"]["token"]).decode()
    assert tokens.authenticate(store, legacy, now + 10**7) == ("dev", "ci", uid)
    store.delete(kinds.SECRET, "dev", "ci-token")
    cluster.run_until_idle()
    assert tokens.authenticate(store, legacy, now) is None
    store.delete(kinds.SERVICEACCOUNT, "dev", "ci")
    cluster.run_until_idle()
    assert tokens.authenticate(store, token, now) is None                             # account gone
