"""Secrets and ServiceAccounts with the real kubectl, both versions (issue 12 items 1-3):
`kubectl create secret generic|docker-registry|tls`, get/describe/delete, stringData and
`immutable`; the kubelet holding pods whose Secret is missing (the kubernetes.io examples
pods/inject/secret-pod.yaml, pod-secret-envFrom.yaml, secret-envars-pod.yaml) until it exists;
the `default` ServiceAccount of every namespace, `kubectl create serviceaccount`, `create token`,
and a pod naming a missing account refused by admission."""
from __future__ import annotations

import base64
import json

from webapp.tls import ensure_certificate


def _event_messages(kube, name: str, reason: str) -> list[str]:
    items = kube.server.get_json(f"/api/v1/namespaces/{kube.ns}/events")["items"]
    return [e["message"] for e in items if e["involvedObject"].get("name") == name and e["reason"] == reason]


def test_create_get_describe_and_delete_secrets(kube_ns, tmp_path):
    kube = kube_ns
    out = kube("create", "secret", "generic", "creds", "--from-literal=username=admin", "--from-literal=password=s3cr3t!")
    assert out.stdout == "secret/creds created\n"
    header, rows = kube.table("get", "secret", "creds")
    assert header == ["NAME", "TYPE", "DATA", "AGE"]
    assert (rows[0]["NAME"], rows[0]["TYPE"], rows[0]["DATA"]) == ("creds", "Opaque", "2")
    assert kube("get", "secret", "creds", "-o", "jsonpath={.data.password}").stdout == \
        base64.b64encode(b"s3cr3t!").decode()
    described = kube("describe", "secret", "creds").stdout
    assert "Type:  Opaque" in described and "password:  7 bytes" in described and "username:  5 bytes" in described
    assert "s3cr3t" not in described

    out = kube("create", "secret", "docker-registry", "regcred", "--docker-server=registry.example.com",
               "--docker-username=me", "--docker-password=pw", "--docker-email=me@example.com")
    assert out.stdout == "secret/regcred created\n"
    cert, key = ensure_certificate(str(tmp_path / "tls"), "web.example.com")
    assert kube("create", "secret", "tls", "web-tls", f"--cert={cert}", f"--key={key}").stdout == \
        "secret/web-tls created\n"
    _, rows = kube.table("get", "secrets")
    assert {r["NAME"]: (r["TYPE"], r["DATA"]) for r in rows} == {
        "creds": ("Opaque", "2"), "regcred": ("kubernetes.io/dockerconfigjson", "1"),
        "web-tls": ("kubernetes.io/tls", "2")}
    config = json.loads(base64.b64decode(kube("get", "secret", "regcred", "-o",
                                              "jsonpath={.data.\\.dockerconfigjson}").stdout))
    assert config["auths"]["registry.example.com"]["username"] == "me"

    # stringData is merged into data on write and never stored; a type's required keys are checked.
    manifest = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "basic"},
                "type": "kubernetes.io/basic-auth", "stringData": {"username": "alice", "password": "pw"}}
    assert kube("apply", "-f", "-", input=json.dumps(manifest)).stdout == "secret/basic created\n"
    stored = json.loads(kube("get", "secret", "basic", "-o", "json").stdout)
    assert "stringData" not in stored
    assert stored["data"] == {"password": base64.b64encode(b"pw").decode(),
                              "username": base64.b64encode(b"alice").decode()}
    bad = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "half-tls"}, "type": "kubernetes.io/tls",
           "stringData": {"tls.crt": "x"}}
    out = kube("create", "-f", "-", input=json.dumps(bad), check=False)
    assert out.returncode == 1
    assert 'Secret "half-tls" is invalid: data[tls.key]: Required value' in out.stderr

    # immutable: data and the flag itself are frozen.
    frozen = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "frozen"}, "immutable": True,
              "data": {"k": base64.b64encode(b"v").decode()}}
    kube("create", "-f", "-", input=json.dumps(frozen))
    out = kube("patch", "secret", "frozen", "-p", '{"stringData":{"k":"changed"}}', check=False)
    assert out.returncode == 1
    assert 'Secret "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set' in out.stderr

    explained = kube("explain", "secret.stringData").stdout
    assert "KIND:       Secret" in explained and "stringData" in explained

    out = kube("delete", "secret", "creds")
    assert out.stdout == kube.deleted('secret "creds"')
    out = kube("get", "secret", "creds", check=False)
    assert 'secrets "creds" not found' in out.stderr


def test_pods_wait_for_their_secret_then_start(kube_ns):
    """The kubernetes.io examples: a pod whose Secret (or key) is missing does not start — env →
    CreateContainerConfigError, volume → ContainerCreating with FailedMount — and starts by itself
    once the Secret exists."""
    kube = kube_ns
    for f in ("secret-pod.yaml", "pod-secret-envFrom.yaml", "secret-envars-pod.yaml"):
        kube("apply", "-f", kube.file(f))

    def held():
        _, rows = kube.table("get", "pods")
        status = {r["NAME"]: r["STATUS"] for r in rows}
        assert status == {"secret-test-pod": "ContainerCreating", "envfrom-secret": "CreateContainerConfigError",
                          "env-single-secret": "CreateContainerConfigError"}, status
        waiting = {n: kube.pod(n)["status"]["containerStatuses"][0]["state"]["waiting"]
                   for n in ("envfrom-secret", "env-single-secret")}
        assert waiting == {
            "envfrom-secret": {"reason": "CreateContainerConfigError", "message": 'secret "test-secret" not found'},
            "env-single-secret": {"reason": "CreateContainerConfigError", "message": 'secret "backend-user" not found'}}
        assert 'MountVolume.SetUp failed for volume "secret-volume" : secret "test-secret" not found' in \
            _event_messages(kube, "secret-test-pod", "FailedMount")
        assert 'Error: secret "backend-user" not found' in _event_messages(kube, "env-single-secret", "Failed")
        assert "podIP" not in kube.pod("secret-test-pod")["status"]
        return True
    kube.server.wait_until(held, 60, message="pods held for their Secrets")
    described = kube("describe", "pod", "secret-test-pod").stdout
    assert "FailedMount" in described and 'secret "test-secret" not found' in described

    kube("apply", "-f", kube.file("secret.yaml"))
    # A Secret without the key the pod names: the message says which key.
    kube("create", "secret", "generic", "backend-user", "--from-literal=other=x")

    def key_missing():
        w = kube.pod("env-single-secret")["status"]["containerStatuses"][0]["state"]["waiting"]
        assert w["message"] == f"couldn't find key backend-username in Secret {kube.ns}/backend-user", w
        return True
    kube.server.wait_until(key_missing, 60, message="the missing key reported")
    for n in ("secret-test-pod", "envfrom-secret"):
        kube.server.wait_until(lambda n=n: kube.is_running_ready(kube.pod(n)), 60, message=f"{n} Running")
    kube("delete", "secret", "backend-user")
    kube("create", "secret", "generic", "backend-user", "--from-literal=backend-username=backend-admin")
    kube.server.wait_until(lambda: kube.is_running_ready(kube.pod("env-single-secret")), 60,
                           message="env-single-secret Running")


def test_service_accounts_tokens_and_admission(kube_ns):
    kube = kube_ns
    # The serviceaccounts controller made this namespace's default account.
    kube.server.wait_until(lambda: kube.server.get_json(f"/api/v1/namespaces/{kube.ns}/serviceaccounts/default"),
                           30, message="default ServiceAccount")
    assert kube("create", "serviceaccount", "bot").stdout == "serviceaccount/bot created\n"
    header, rows = kube.table("get", "serviceaccounts")
    assert header == ["NAME", "SECRETS", "AGE"]
    assert {r["NAME"]: r["SECRETS"] for r in rows} == {"default": "0", "bot": "0"}
    described = kube("describe", "serviceaccount", "bot").stdout
    assert "Name:                bot" in described and f"Namespace:           {kube.ns}" in described

    token = kube("create", "token", "bot").stdout.strip()
    parts = token.split(".")
    assert len(parts) == 3
    claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    assert claims["sub"] == f"system:serviceaccount:{kube.ns}:bot"
    assert claims["kubernetes.io"]["serviceaccount"]["name"] == "bot"
    assert claims["exp"] - claims["iat"] == 3600
    out = kube("create", "token", "nobody", check=False)
    assert out.returncode == 1 and 'serviceaccounts "nobody" not found' in out.stderr
    out = kube("create", "token", "bot", "--duration=5m", check=False)
    assert out.returncode == 1 and "may not specify a duration less than 10 minutes" in out.stderr

    # Pods: serviceAccountName defaults to default, with the projected token volume mounted.
    kube("run", "plain", "--image=nginx")
    spec = kube.pod("plain")["spec"]
    assert spec["serviceAccountName"] == "default"
    token_volumes = [v["name"] for v in spec["volumes"] if v["name"].startswith("kube-api-access-")]
    assert len(token_volumes) == 1
    assert spec["containers"][0]["volumeMounts"] == [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                                                      "name": token_volumes[0], "readOnly": True}]
    # automountServiceAccountToken: false on the account is honoured.
    kube("patch", "serviceaccount", "bot", "-p", '{"automountServiceAccountToken": false}')
    kube("run", "quiet", "--image=nginx", '--overrides={"spec":{"serviceAccountName":"bot"}}')
    spec = kube.pod("quiet")["spec"]
    assert spec["serviceAccountName"] == "bot" and "volumes" not in spec
    # A missing account: the pod is refused, and a controller's pods fail to be created.
    out = kube("run", "lost", "--image=nginx", '--overrides={"spec":{"serviceAccountName":"ghost"}}', check=False)
    assert out.returncode == 1
    assert (f'pods "lost" is forbidden: error looking up service account {kube.ns}/ghost: '
            'serviceaccount "ghost" not found') in out.stderr
    kube("create", "deployment", "ghostly", "--image=nginx")
    kube("patch", "deployment", "ghostly", "-p", '{"spec":{"template":{"spec":{"serviceAccountName":"ghost"}}}}')

    def failed_create():
        rs = [e for e in kube.server.get_json(f"/api/v1/namespaces/{kube.ns}/events")["items"]
              if e["reason"] == "FailedCreate" and e["involvedObject"]["kind"] == "ReplicaSet"]
        assert any("is forbidden: error looking up service account" in e["message"]
                   and 'serviceaccount "ghost" not found' in e["message"] for e in rs), rs
        return True
    kube.server.wait_until(failed_create, 30, message="FailedCreate for the missing account")
    assert kube("delete", "serviceaccount", "bot").stdout == kube.deleted('serviceaccount "bot"')


def test_a_pod_applied_with_its_new_namespace_is_admitted(kube_shared):
    """The default ServiceAccount is the controller's, made just after the namespace: the pod in
    the same file waits for it at admission, as the apiserver's plugin does, and is not refused."""
    kube = kube_shared
    fresh = f"{kube.ns}-fresh"           # a new namespace, named after the test's own (shared server)
    manifest = (f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {fresh}\n---\n"
                f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: first\n  namespace: {fresh}\n"
                "spec:\n  containers:\n  - name: c\n    image: nginx\n")
    out = kube("apply", "-f", "-", input=manifest)
    assert out.stdout == f"namespace/{fresh} created\npod/first created\n"
    pod = kube.server.get_json(f"/api/v1/namespaces/{fresh}/pods/first")
    assert pod["spec"]["serviceAccountName"] == "default"
    kube.server.delete(f"/api/v1/namespaces/{fresh}")         # tidy: the server is the module's
