"""RBAC through the API: ServiceAccount tokens authenticate (401 for anything else), requests are
authorized from the stored rules with the apiserver's 403 texts, impersonation is checked, writes
of Roles and bindings cannot escalate, and the review resources answer from the rules. The
kubeconfig's admin (no token) is unchanged."""
import pytest

G = "rbac.authorization.k8s.io/v1"
CI = "system:serviceaccount:dev:ci"


@pytest.fixture
def setup(client):
    for ns in ("dev", "prod"):
        assert client.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                                       "metadata": {"name": ns}}).status_code == 201
    assert client.post("/api/v1/namespaces/dev/serviceaccounts",
                       json={"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "ci"}}).status_code == 201
    r = client.post("/api/v1/namespaces/dev/serviceaccounts/ci/token",
                    json={"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}})
    assert r.status_code == 201
    return {"Authorization": "Bearer " + r.get_json()["status"]["token"]}


def _bind_view(client, ns="prod", name="ci-view"):
    r = client.post(f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings", json={
        "apiVersion": G, "kind": "RoleBinding", "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "dev"}]})
    assert r.status_code == 201, r.get_json()


def test_a_made_up_token_is_401(client, setup):
    r = client.get("/api/v1/namespaces/prod/pods", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401
    assert r.get_json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": "Unauthorized", "reason": "Unauthorized", "code": 401}
    forged = setup["Authorization"][:-10] + "AAAAAAAAAA"
    assert client.get("/api/v1/namespaces/prod/pods", headers={"Authorization": forged}).status_code == 401


def test_service_account_is_forbidden_then_allowed_by_a_binding(client, setup):
    r = client.get("/api/v1/namespaces/prod/pods", headers=setup)
    assert r.status_code == 403
    assert r.get_json() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f'pods is forbidden: User "{CI}" cannot list resource "pods" in API group "" in the namespace "prod"',
        "reason": "Forbidden", "details": {"kind": "pods"}, "code": 403}
    r = client.get("/apis/apps/v1/namespaces/prod/deployments/web", headers=setup)
    assert r.get_json()["message"] == (f'deployments.apps "web" is forbidden: User "{CI}" cannot get resource '
                                       f'"deployments" in API group "apps" in the namespace "prod"')
    assert r.get_json()["details"] == {"name": "web", "group": "apps", "kind": "deployments"}
    r = client.get("/api/v1/namespaces/prod/pods?watch=1", headers=setup)
    assert "cannot watch resource" in r.get_json()["message"]
    r = client.delete("/api/v1/namespaces/prod/pods", headers=setup)
    assert "cannot deletecollection resource" in r.get_json()["message"]
    r = client.get("/metrics", headers=setup)
    assert r.status_code == 403 and r.get_json()["message"] == f'forbidden: User "{CI}" cannot get path "/metrics"'
    assert r.get_json()["details"] == {}
    assert client.get("/apis/apps/v1", headers=setup).status_code == 200        # system:discovery
    assert client.get("/version", headers=setup).status_code == 200
    _bind_view(client)
    assert client.get("/api/v1/namespaces/prod/pods", headers=setup).status_code == 200
    assert client.get("/api/v1/namespaces/prod/secrets", headers=setup).status_code == 403
    assert client.get("/api/v1/namespaces/dev/pods", headers=setup).status_code == 403


def test_the_admin_path_is_unchanged(client, setup):
    assert client.get("/api/v1/namespaces/prod/pods").status_code == 200
    r = client.post("/apis/authentication.k8s.io/v1/selfsubjectreviews",
                    json={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
    assert r.get_json()["status"]["userInfo"] == {"username": "kubernetes-admin",
                                                  "groups": ["kubeadm:cluster-admins", "system:authenticated"]}


def test_impersonation(client, setup):
    r = client.get("/api/v1/namespaces/prod/pods", headers={"Impersonate-User": CI})
    assert r.status_code == 403 and f'User "{CI}" cannot list' in r.get_json()["message"]
    r = client.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", headers={"Impersonate-User": CI},
                    json={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
    assert r.get_json()["status"]["userInfo"] == {
        "username": CI, "groups": ["system:serviceaccounts", "system:serviceaccounts:dev", "system:authenticated"]}
    # the service account may not impersonate anyone
    r = client.get("/api/v1/namespaces/prod/pods", headers={**setup, "Impersonate-User": "jane"})
    assert r.status_code == 403
    assert r.get_json()["message"] == (f'users "jane" is forbidden: User "{CI}" cannot impersonate resource "users" '
                                       'in API group "" at the cluster scope')


def test_access_and_rules_reviews_answer_from_the_rules(client, setup):
    def can(headers, verb, resource, ns):
        r = client.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", headers=headers, json={
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": {"verb": verb, "resource": resource, "namespace": ns}}})
        assert r.status_code == 201
        return r.get_json()["status"]
    assert can(setup, "list", "pods", "prod") == {"allowed": False}
    assert can({"Impersonate-User": CI}, "list", "pods", "prod") == {"allowed": False}
    assert can({}, "list", "pods", "prod")["reason"] == (
        'RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group '
        '"kubeadm:cluster-admins"')
    _bind_view(client)
    assert can(setup, "list", "pods", "prod") == {
        "allowed": True, "reason": 'RBAC: allowed by RoleBinding "ci-view/prod" of ClusterRole "view" to '
                                   'ServiceAccount "ci/dev"'}
    r = client.post("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", headers=setup, json={
        "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "spec": {"namespace": "prod"}})
    status = r.get_json()["status"]
    assert {"verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["namespaces"]} in status["resourceRules"]
    assert not any(rule["verbs"] == ["*"] for rule in status["resourceRules"])


def test_escalation_is_refused(client, setup):
    # edit in dev lets ci manage roles? No: edit has no roles; admin does. Give ci admin in dev.
    r = client.post("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", json={
        "apiVersion": G, "kind": "RoleBinding", "metadata": {"name": "ci-admin"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
        "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "dev"}]})
    assert r.status_code == 201
    ok = client.post("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", headers=setup, json={
        "apiVersion": G, "kind": "Role", "metadata": {"name": "pods"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]})
    assert ok.status_code == 201, ok.get_json()
    r = client.post("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", headers=setup, json={
        "apiVersion": G, "kind": "Role", "metadata": {"name": "nodes"},
        "rules": [{"apiGroups": [""], "resources": ["pods", "nodes"], "verbs": ["get", "escalate"]}]})
    assert r.status_code == 403
    assert r.get_json()["message"] == (
        'roles.rbac.authorization.k8s.io "nodes" is forbidden: user "system:serviceaccount:dev:ci" '
        '(groups=["system:serviceaccounts" "system:serviceaccounts:dev" "system:authenticated"]) is attempting to '
        'grant RBAC permissions not currently held:\n'
        '{APIGroups:[""], Resources:["nodes"], Verbs:["get" "escalate"]}\n'
        '{APIGroups:[""], Resources:["pods"], Verbs:["escalate"]}')
    # binding cluster-admin in dev: not held, no `bind`
    r = client.post("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", headers=setup, json={
        "apiVersion": G, "kind": "RoleBinding", "metadata": {"name": "me-admin"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "dev"}]})
    assert r.status_code == 403
    assert r.get_json()["message"].startswith(
        'rolebindings.rbac.authorization.k8s.io "me-admin" is forbidden: user "system:serviceaccount:dev:ci" '
        '(groups=["system:serviceaccounts" "system:serviceaccounts:dev" "system:authenticated"]) is attempting to '
        'grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}')
    # binding view (held through admin) is fine; a patch adding a rule not held is refused
    r = client.post("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", headers=setup, json={
        "apiVersion": G, "kind": "RoleBinding", "metadata": {"name": "ci-view"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "dev"}]})
    assert r.status_code == 201
    r = client.patch("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles/pods", headers=setup,
                     data='{"rules":[{"apiGroups":[""],"resources":["nodes"],"verbs":["list"]}]}',
                     content_type="application/merge-patch+json")
    assert r.status_code == 403 and "Verbs:[\"list\"]" in r.get_json()["message"]
    assert client.get("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles/pods").get_json()["rules"][0]["resources"] == ["pods"]


def test_table_columns(client, setup):
    _bind_view(client)
    r = client.get("/apis/rbac.authorization.k8s.io/v1/namespaces/prod/rolebindings",
                   headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
    table = r.get_json()
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"]
    assert table["rows"][0]["cells"][:2] == ["ci-view", "ClusterRole/view"]
    assert table["rows"][0]["cells"][3:] == ["", "", "dev/ci"]
    r = client.get("/apis/rbac.authorization.k8s.io/v1/clusterroles/view",
                   headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
    assert [c["name"] for c in r.get_json()["columnDefinitions"]] == ["Name", "Created At"]


def test_bind_and_escalate_verbs_and_the_aggregation_rule(client, setup):
    # ci may manage cluster roles and bindings, and may `bind` view — nothing else
    role = {"apiVersion": G, "kind": "ClusterRole", "metadata": {"name": "rbac-manager"},
            "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles", "rolebindings"],
                       "verbs": ["create", "get"]},
                      {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"],
                       "resourceNames": ["view"]}]}
    assert client.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", json=role).status_code == 201
    assert client.post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", json={
        "apiVersion": G, "kind": "ClusterRoleBinding", "metadata": {"name": "ci-rbac-manager"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "rbac-manager"},
        "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "dev"}]}).status_code == 201
    # `bind` on view: ci may grant view in prod although it does not hold view's rules
    _bind = {"apiVersion": G, "kind": "RoleBinding", "metadata": {"name": "someone-view"},
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
             "subjects": [{"kind": "User", "name": "jane"}]}
    r = client.post("/apis/rbac.authorization.k8s.io/v1/namespaces/prod/rolebindings", headers=setup, json=_bind)
    assert r.status_code == 201, r.get_json()
    # ... but not edit
    r = client.post("/apis/rbac.authorization.k8s.io/v1/namespaces/prod/rolebindings", headers=setup,
                    json={**_bind, "metadata": {"name": "someone-edit"},
                          "roleRef": {**_bind["roleRef"], "name": "edit"}})
    assert r.status_code == 403 and r.get_json()["message"].startswith(
        'rolebindings.rbac.authorization.k8s.io "someone-edit" is forbidden: user "system:serviceaccount:dev:ci"')
    # a missing role is refused with the lookup's words
    r = client.post("/apis/rbac.authorization.k8s.io/v1/namespaces/prod/rolebindings", headers=setup,
                    json={**_bind, "metadata": {"name": "ghost"}, "roleRef": {**_bind["roleRef"], "name": "ghost"}})
    assert r.get_json()["message"] == ('rolebindings.rbac.authorization.k8s.io "ghost" is forbidden: '
                                       'clusterroles.rbac.authorization.k8s.io "ghost" not found')
    # an aggregationRule gathers anything: cluster-admin only
    r = client.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", headers=setup, json={
        "apiVersion": G, "kind": "ClusterRole", "metadata": {"name": "gatherer"},
        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "y"}}]}})
    assert r.status_code == 403
    assert r.get_json()["message"] == ('clusterroles.rbac.authorization.k8s.io "gatherer" is forbidden: '
                                       'must have cluster-admin privileges to use the aggregationRule')
    # the admin may
    assert client.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", json={
        "apiVersion": G, "kind": "ClusterRole", "metadata": {"name": "gatherer"},
        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "y"}}]}}).status_code == 201
