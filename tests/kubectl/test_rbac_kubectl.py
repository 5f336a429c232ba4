"""RBAC with the real kubectl, both versions: a ServiceAccount's token (`kubectl create token`)
in a kubeconfig of its own is refused with the apiserver's words until a RoleBinding to `view`
lets it read; `--as` impersonation and `auth can-i --as` / `auth whoami --as` answer from the
rules; `kubectl create role/rolebinding/clusterrole/clusterrolebinding`, `get` (-o wide) and
`describe`; the bootstrap ClusterRoles are there, `view` aggregated."""
from __future__ import annotations

import json

def _sa_kubeconfig(kube, tmp_path, token: str, namespace: str) -> dict:
    """A kubeconfig for the ServiceAccount: the server's cluster, the token as its user."""
    path = tmp_path / "sa-kubeconfig"
    path.write_text(kube.server.kubeconfig.read_text())
    env = {"KUBECONFIG": str(path)}
    kube("config", "set-credentials", "ci", f"--token={token}", env=env)
    kube("config", "set-context", "ci", "--cluster=kubeplay", "--user=ci", f"--namespace={namespace}", env=env)
    kube("config", "use-context", "ci", env=env)
    return env


def test_service_account_token_is_refused_then_allowed_by_view(kube_token_ns, tmp_path):
    kube = kube_token_ns
    prod = f"{kube.ns}-prod"
    sa = f"system:serviceaccount:{kube.ns}:ci"
    kube("create", "namespace", prod)
    try:
        assert kube("create", "serviceaccount", "ci").stdout == "serviceaccount/ci created\n"
        token = kube("create", "token", "ci").stdout.strip()
        env = _sa_kubeconfig(kube, tmp_path, token, prod)

        cp = kube("get", "pods", "-n", prod, env=env, check=False)
        assert cp.returncode == 1
        assert cp.stderr.strip().endswith(
            f'Error from server (Forbidden): pods is forbidden: User "{sa}" cannot list resource "pods" in API group "" '
            f'in the namespace "{prod}"')
        sa_uid = json.loads(kube("get", "serviceaccount", "ci", "-o", "json").stdout)["metadata"]["uid"]
        assert kube("auth", "whoami", env=env).stdout.splitlines()[1:] == [
            f"Username    {sa}", f"UID         {sa_uid}",
            f"Groups      [system:serviceaccounts system:serviceaccounts:{kube.ns} system:authenticated]"]
        assert kube("auth", "can-i", "list", "pods", env=env, check=False).stdout == "no\n"

        out = kube("create", "rolebinding", "ci-view", "--clusterrole=view", f"--serviceaccount={kube.ns}:ci",
                   "-n", prod).stdout
        assert out == "rolebinding.rbac.authorization.k8s.io/ci-view created\n"
        cp = kube("get", "pods", "-n", prod, env=env, check=False)
        assert cp.returncode == 0 and cp.stderr.strip() == f"No resources found in {prod} namespace."
        cp = kube("get", "secrets", "-n", prod, env=env, check=False)
        assert cp.returncode == 1 and f'User "{sa}" cannot list resource "secrets"' in cp.stderr
        cp = kube("get", "pods", "-n", kube.ns, env=env, check=False)
        assert cp.returncode == 1 and f'in the namespace "{kube.ns}"' in cp.stderr

        # bad token: 401
        bad = _sa_kubeconfig(kube, tmp_path, token[:-8] + "AAAAAAAA", prod)
        cp = kube("get", "pods", env=bad, check=False)
        assert cp.returncode == 1
        assert "error: You must be logged in to the server (Unauthorized)" in cp.stderr

        # impersonation by the admin: --as, auth can-i --as, auth whoami --as
        assert kube("auth", "can-i", "list", "pods", f"--as={sa}", "-n", prod).stdout == "yes\n"
        assert kube("auth", "can-i", "delete", "pods", f"--as={sa}", "-n", prod, check=False).stdout == "no\n"
        assert kube("auth", "can-i", "list", "pods", f"--as={sa}", "-n", "default", check=False).stdout == "no\n"
        cp = kube("get", "deployments", f"--as={sa}", "-n", "default", check=False)
        assert cp.returncode == 1 and cp.stderr.strip().endswith(
            f'deployments.apps is forbidden: User "{sa}" cannot list resource "deployments" in API group "apps" '
            'in the namespace "default"')
        who = kube("auth", "whoami", f"--as={sa}", "-o", "json").stdout
        assert json.loads(who)["status"]["userInfo"]["username"] == sa
        listed = kube("auth", "can-i", "--list", f"--as={sa}", "-n", prod).stdout
        rows = [ln.split() for ln in listed.splitlines()]
        assert ["pods", "[]", "[]", "[get", "list", "watch]"] in rows
        assert ["*.*", "[]", "[]", "[*]"] not in rows
        cp = kube("get", "pods", "--as=jane", "--as-group=devs", check=False)
        assert cp.returncode == 1 and 'User "jane" cannot list resource "pods"' in cp.stderr
    finally:
        kube("delete", "namespace", prod, "--wait=false", check=False)


def test_create_get_and_describe_rbac_objects(kube_token_ns):
    kube = kube_token_ns
    out = kube("create", "role", "pod-reader", "--verb=get,list,watch", "--resource=pods,pods/log").stdout
    assert out == "role.rbac.authorization.k8s.io/pod-reader created\n"
    out = kube("create", "rolebinding", "read-pods", "--role=pod-reader", "--user=jane", "--group=devs",
               f"--serviceaccount={kube.ns}:default").stdout
    assert out == "rolebinding.rbac.authorization.k8s.io/read-pods created\n"
    header, rows = kube.table("get", "rolebinding", "read-pods", "-o", "wide")
    assert header == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    assert (rows[0]["NAME"], rows[0]["ROLE"], rows[0]["USERS"], rows[0]["GROUPS"], rows[0]["SERVICEACCOUNTS"]) == \
        ("read-pods", "Role/pod-reader", "jane", "devs", f"{kube.ns}/default")
    header, rows = kube.table("get", "roles")
    assert header == ["NAME", "CREATED AT"] and rows[0]["NAME"] == "pod-reader"
    described = kube("describe", "role", "pod-reader").stdout
    assert "Name:         pod-reader" in described
    assert "PolicyRule:" in described and "pods/log" in described
    described = kube("describe", "rolebinding", "read-pods").stdout
    assert "Role:\n  Kind:  Role\n  Name:  pod-reader" in described
    assert "jane" in described and "devs" in described
    assert kube("auth", "can-i", "get", "pods/log", "--as=jane").stdout == "yes\n"
    assert kube("auth", "can-i", "delete", "pods", "--as=jane", check=False).stdout == "no\n"
    bad = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "bad"},
           "rules": [{"apiGroups": [""], "resources": ["pods"]}]}
    cp = kube("apply", "-f", "-", input=json.dumps(bad), check=False)
    assert cp.returncode == 1
    assert 'The Role "bad" is invalid: rules[0].verbs: Required value: verbs must contain at least one value' in cp.stderr


def test_bootstrap_cluster_roles_and_aggregation(kube_token_ns):
    kube = kube_token_ns
    _, rows = kube.table("get", "clusterroles")
    names = {r["NAME"] for r in rows}
    assert {"cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery",
            "system:public-info-viewer"} <= names
    _, rows = kube.table("get", "clusterrolebinding", "kubeadm:cluster-admins", "-o", "wide")
    assert rows[0]["ROLE"] == "ClusterRole/cluster-admin" and rows[0]["GROUPS"] == "kubeadm:cluster-admins"
    view = json.loads(kube("get", "clusterrole", "view", "-o", "json").stdout)
    assert any("pods" in r.get("resources", []) for r in view["rules"])
    name = f"{kube.ns}-widgets"
    rule = {"apiGroups": ["example.com"], "resources": [name], "verbs": ["get"]}
    source = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
              "metadata": {"name": name, "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
              "rules": [rule]}
    assert kube("apply", "-f", "-", input=json.dumps(source)).stdout == \
        f"clusterrole.rbac.authorization.k8s.io/{name} created\n"

    def aggregated(role: str) -> bool:
        return rule in json.loads(kube("get", "clusterrole", role, "-o", "json").stdout)["rules"]
    kube.server.wait_until(lambda: all(aggregated(r) for r in ("view", "edit", "admin")), 20,
                           message="the new rule aggregated into view, edit and admin")
    kube("delete", "clusterrole", name)
    kube.server.wait_until(lambda: not aggregated("view"), 20, message="the rule gone from view")


def test_a_pod_reads_the_api_once_its_account_is_bound(kube_token_ns):
    kube = kube_token_ns
    kube("run", "client", "--image=curlimages/curl:8.11.1", "--", "sleep", "infinity")
    kube.server.wait_until(lambda: kube.is_running_ready(json.loads(kube("get", "pod", "client", "-o", "json").stdout)),
                           40, message="client ready")
    sa = "/var/run/secrets/kubernetes.io/serviceaccount"
    script = (f'curl -s --cacert {sa}/ca.crt -H "Authorization: Bearer $(cat {sa}/token)" '
              f"https://kubernetes.default.svc/api/v1/namespaces/{kube.ns}/pods")
    body = json.loads(kube("exec", "client", "--", "sh", "-c", script).stdout)
    assert (body["code"], body["message"]) == (403, f'pods is forbidden: User "system:serviceaccount:{kube.ns}:default" '
                                                    f'cannot list resource "pods" in API group "" in the namespace '
                                                    f'"{kube.ns}"')
    kube("create", "rolebinding", "default-view", "--clusterrole=view", f"--serviceaccount={kube.ns}:default")
    body = json.loads(kube("exec", "client", "--", "sh", "-c", script).stdout)
    assert body["kind"] == "PodList" and [p["metadata"]["name"] for p in body["items"]] == ["client"]
    body = json.loads(kube("exec", "client", "--", "sh", "-c", script.replace("/pods", "/secrets")).stdout)
    assert body["code"] == 403


def test_subject_access_reviews_with_kubectl_create(kube_token_ns):
    """What a webhook or controller asks: `kubectl create -f` a SubjectAccessReview (cluster-scoped)
    and a LocalSubjectAccessReview (in the namespace); the answer comes back in status."""
    kube = kube_token_ns
    kube("create", "serviceaccount", "robot")
    kube("create", "rolebinding", "robot-edit", "--clusterrole=edit", f"--serviceaccount={kube.ns}:robot")
    user = f"system:serviceaccount:{kube.ns}:robot"
    sar = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
           "spec": {"user": user, "resourceAttributes": {"namespace": kube.ns, "verb": "create",
                                                         "group": "apps", "resource": "deployments"}}}
    out = json.loads(kube("create", "-f", "-", "-o", "json", input=json.dumps(sar)).stdout)
    assert out["kind"] == "SubjectAccessReview"
    assert out["status"] == {"allowed": True, "reason": f'RBAC: allowed by RoleBinding "robot-edit/{kube.ns}" of '
                                                      f'ClusterRole "edit" to ServiceAccount "robot/{kube.ns}"'}
    lsar = dict(sar, kind="LocalSubjectAccessReview",
                spec={"user": user, "resourceAttributes": {"namespace": kube.ns, "verb": "create",
                                                           "group": "rbac.authorization.k8s.io", "resource": "rolebindings"}})
    out = json.loads(kube("create", "-f", "-", "-o", "json", input=json.dumps(lsar)).stdout)
    assert out["kind"] == "LocalSubjectAccessReview" and out["metadata"]["namespace"] == kube.ns
    assert out["status"] == {"allowed": False}           # edit cannot write bindings; admin can
    bad = dict(sar, spec={"resourceAttributes": {"verb": "get", "resource": "pods"}})
    cp = kube("create", "-f", "-", input=json.dumps(bad), check=False)
    assert cp.returncode == 1
    assert ('The SubjectAccessReview "" is invalid: spec.user: Invalid value: "": '
            "at least one of user or group must be specified") in cp.stderr
