"""Secrets, ServiceAccounts and the kubelet's reference checks on the manual clock (issue 12
items 1-3): Secret admission (stringData, base64, types, immutable), the serviceaccounts
controller, the ServiceAccount admission plugin, TokenRequest, and pods held by a missing
Secret/ConfigMap — in env (CreateContainerConfigError) or a volume (FailedMount) — that start
by themselves once it exists."""
from __future__ import annotations

import base64
import json

import pytest

from engine import errors, objects, resources as kinds, tokens


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def secret(name, ns="default", **fields):
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": ns}, **fields}


def pod(name, *, env=None, env_from=None, volumes=None, ns="default", **spec):
    c = {"name": "c", "image": "nginx:1.27"}
    if env:
        c["env"] = env
    if env_from:
        c["envFrom"] = env_from
    if volumes:
        c["volumeMounts"] = [{"name": v["name"], "mountPath": f"/mnt/{v['name']}"} for v in volumes]
        spec["volumes"] = volumes
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
            "spec": {"containers": [c], **spec}}


def status(cluster, name, ns="default"):
    return cluster.store.get(kinds.POD, ns, name)["status"]


def waiting(cluster, name):
    return status(cluster, name)["containerStatuses"][0]["state"].get("waiting")


def events(cluster, name, reason):
    return [(e["message"], e.get("count", 1)) for e in cluster.store.iter(kinds.EVENT, "default")
            if e["involvedObject"].get("name") == name and e["reason"] == reason]


def running(cluster, name):
    return status(cluster, name)["phase"] == "Running"


# ---- Secret admission ------------------------------------------------------------------------------

def test_string_data_is_merged_into_data_and_type_defaults_to_opaque(cluster):
    s = cluster.store.create(secret("s", data={"a": b64("1"), "b": b64("2")}, stringData={"b": "two", "c": "3"}))
    assert s["type"] == "Opaque" and "stringData" not in s
    assert s["data"] == {"a": b64("1"), "b": b64("two"), "c": b64("3")}
    assert "generation" not in s["metadata"]


def test_data_must_be_base64(cluster):
    with pytest.raises(errors.BadRequest) as e:
        cluster.store.create(secret("s", data={"a": "not base64!"}))
    assert e.value.message == ('Secret in version "v1" cannot be handled as a Secret: '
                               "illegal base64 data at input byte 3")


@pytest.mark.parametrize("stype, fields, message", [
    ("kubernetes.io/tls", {"stringData": {"tls.crt": "x"}}, "data[tls.key]: Required value"),
    ("kubernetes.io/basic-auth", {}, "[data[username]: Required value, data[password]: Required value]"),
    ("kubernetes.io/dockerconfigjson", {"stringData": {".dockerconfigjson": "{nope"}},
     "data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": "
     "invalid character 'n' looking for beginning of object key string"),
    ("kubernetes.io/service-account-token", {},
     "metadata.annotations[kubernetes.io/service-account.name]: Required value"),
    ("Opaque", {"stringData": {"bad key": "x"}},
     "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, "
     "'-', '_' or '.' (e.g. 'key.name' or 'KEY_NAME' or 'key-name', regex used for validation is "
     "'[-._a-zA-Z0-9]+')"),
])
def test_each_secret_type_requires_its_keys(cluster, stype, fields, message):
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(secret("s", type=stype, **fields))
    assert e.value.message == f'Secret "s" is invalid: {message}'


def test_an_immutable_secret_keeps_its_data_and_its_type_never_changes(cluster):
    cluster.store.create(secret("s", immutable=True, data={"k": b64("v")}))
    with pytest.raises(errors.Invalid) as e:
        cluster.store.patch(kinds.SECRET, "default", "s", "merge", {"stringData": {"k": "w"}})
    assert e.value.message == 'Secret "s" is invalid: data: Forbidden: field is immutable when `immutable` is set'
    with pytest.raises(errors.Invalid) as e:
        cluster.store.patch(kinds.SECRET, "default", "s", "merge", {"immutable": False})
    assert "immutable: Forbidden: field is immutable when `immutable` is set" in e.value.message
    cluster.store.create(secret("t", data={"k": b64("v")}))
    with pytest.raises(errors.Invalid) as e:
        cluster.store.patch(kinds.SECRET, "default", "t", "merge", {"type": "kubernetes.io/tls"})
    assert 'type: Invalid value: "kubernetes.io/tls": field is immutable' in e.value.message


# ---- ServiceAccounts: the controller, admission, tokens -------------------------------------------

def test_every_namespace_gets_a_default_account_made_again_when_deleted(cluster):
    assert {objects.namespace_of(sa) for sa in cluster.store.iter(kinds.SERVICEACCOUNT)
            if objects.name_of(sa) == "default"} == {"default", "kube-system", "kube-public", "kube-node-lease"}
    cluster.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    assert cluster.store.try_get(kinds.SERVICEACCOUNT, "team", "default") is None
    cluster.run_until_idle()
    first = cluster.store.get(kinds.SERVICEACCOUNT, "team", "default")
    cluster.store.delete(kinds.SERVICEACCOUNT, "team", "default")
    cluster.run_until_idle()
    assert objects.uid_of(cluster.store.get(kinds.SERVICEACCOUNT, "team", "default")) != objects.uid_of(first)
    rv = cluster.store.resource_version
    cluster.run_until_idle()
    assert cluster.store.resource_version == rv          # nothing to do: nothing written


def test_a_pod_naming_a_missing_account_is_forbidden_and_its_replicaset_reports_it(cluster):
    with pytest.raises(errors.Forbidden) as e:
        cluster.store.create(pod("p", serviceAccountName="ghost"))
    assert e.value.message == ('pods "p" is forbidden: error looking up service account default/ghost: '
                               'serviceaccount "ghost" not found')
    cluster.store.create({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs", "namespace": "default"},
                          "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}},
                                   "template": {"metadata": {"labels": {"a": "b"}},
                                                "spec": {"serviceAccountName": "ghost",
                                                         "containers": [{"name": "c", "image": "nginx"}]}}}})
    cluster.run_until_idle()
    failed = [e["message"] for e in cluster.store.iter(kinds.EVENT, "default") if e["reason"] == "FailedCreate"]
    assert failed == ['Error creating: pods "rs-" is forbidden: error looking up service account default/ghost: '
                      'serviceaccount "ghost" not found']


def test_the_token_volume_follows_the_account_and_the_pod(cluster):
    plain = cluster.store.create(pod("plain"))
    assert plain["spec"]["serviceAccountName"] == plain["spec"]["serviceAccount"] == "default"
    [vol] = plain["spec"]["volumes"]
    assert vol["name"].startswith("kube-api-access-") and vol["projected"]["sources"][0]["serviceAccountToken"]
    cluster.store.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "bot", "namespace": "default"},
                          "automountServiceAccountToken": False, "imagePullSecrets": [{"name": "regcred"}]})
    quiet = cluster.store.create(pod("quiet", serviceAccountName="bot"))
    assert "volumes" not in quiet["spec"] and quiet["spec"]["imagePullSecrets"] == [{"name": "regcred"}]
    loud = cluster.store.create(pod("loud", serviceAccountName="bot", automountServiceAccountToken=True))
    assert loud["spec"]["volumes"][0]["name"].startswith("kube-api-access-")
    off = cluster.store.create(pod("off", automountServiceAccountToken=False))
    assert "volumes" not in off["spec"]


def test_a_token_request_answers_a_jwt_for_the_account(cluster):
    sa = cluster.store.get(kinds.SERVICEACCOUNT, "default", "default")
    now = cluster.clock.now()
    tr = tokens.request_token(cluster.store, now, "default", "default", {"spec": {}})
    assert tr["spec"] == {"audiences": ["https://kubernetes.default.svc.cluster.local"], "expirationSeconds": 3600,
                          "boundObjectRef": None}
    assert tr["status"]["expirationTimestamp"] == objects.iso(now + 3600)
    header, payload, signature = tr["status"]["token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["sub"] == "system:serviceaccount:default:default"
    assert claims["kubernetes.io"]["serviceaccount"] == {"name": "default", "uid": objects.uid_of(sa)}
    assert json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["alg"] == "RS256"
    with pytest.raises(errors.Invalid) as e:
        tokens.request_token(cluster.store, now, "default", "default", {"spec": {"expirationSeconds": 60}})
    assert e.value.message == ('TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: '
                               'Invalid value: 60: may not specify a duration less than 10 minutes')
    with pytest.raises(errors.NotFound) as e:
        tokens.request_token(cluster.store, now, "default", "nobody", {})
    assert e.value.message == 'serviceaccounts "nobody" not found'


# ---- the kubelet: references must exist --------------------------------------------------------------

def test_a_missing_secret_in_env_is_a_create_container_config_error_until_it_exists(cluster):
    cluster.store.create(pod("p", env=[{"name": "U", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "user"}}}]))
    cluster.advance(25)
    assert waiting(cluster, "p") == {"reason": "CreateContainerConfigError", "message": 'secret "creds" not found'}
    [(msg, count)] = events(cluster, "p", "Failed")
    assert msg == 'Error: secret "creds" not found' and count >= 2           # retried on the kubelet's clock
    assert status(cluster, "p")["phase"] == "Pending"
    cluster.store.create(secret("creds", stringData={"other": "x"}))
    cluster.advance(0.1)                                                     # woken by the Secret's event
    assert waiting(cluster, "p")["message"] == "couldn't find key user in Secret default/creds"
    cluster.store.patch(kinds.SECRET, "default", "creds", "merge", {"stringData": {"user": "admin"}})
    cluster.advance(2)
    assert running(cluster, "p")


def test_configmap_references_and_optional_ones(cluster):
    cluster.store.create(pod("from", env_from=[{"configMapRef": {"name": "settings"}}]))
    cluster.store.create(pod("key", env=[{"name": "K", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "k"}}}]))
    cluster.store.create(pod("opt", env_from=[{"secretRef": {"name": "nope", "optional": True}}],
                             env=[{"name": "K", "valueFrom": {"configMapKeyRef": {"name": "nope", "key": "k",
                                                                                   "optional": True}}}],
                             volumes=[{"name": "v", "secret": {"secretName": "nope", "optional": True}}]))
    cluster.advance(5)
    assert waiting(cluster, "from")["message"] == 'configmap "settings" not found'
    assert waiting(cluster, "key")["message"] == 'configmap "settings" not found'
    assert running(cluster, "opt")
    cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "default"},
                          "data": {"other": "x"}})
    cluster.advance(0.1)
    assert waiting(cluster, "key")["message"] == "couldn't find key k in ConfigMap default/settings"
    cluster.advance(2)
    assert running(cluster, "from")


def test_a_missing_secret_volume_holds_the_pod_in_container_creating_with_failed_mount(cluster):
    cluster.store.create(pod("v", volumes=[{"name": "secret-volume", "secret": {"secretName": "test-secret"}}]))
    cluster.advance(30)
    st = status(cluster, "v")
    assert st["phase"] == "Pending" and "podIP" not in st
    assert waiting(cluster, "v") == {"reason": "ContainerCreating"}
    conds = {c["type"]: c["status"] for c in st["conditions"]}
    assert conds["PodReadyToStartContainers"] == "False" and conds["Ready"] == "False"
    [(msg, count)] = events(cluster, "v", "FailedMount")
    assert msg == 'MountVolume.SetUp failed for volume "secret-volume" : secret "test-secret" not found'
    assert 4 <= count <= 7                        # 0.5 s doubling: 0, .5, 1.5, 3.5, 7.5, 15.5 s ...
    assert events(cluster, "v", "Pulling") == []  # no container was started on
    cluster.store.create(secret("test-secret", data={"username": b64("my-app")}))
    cluster.advance(0.1)
    assert "podIP" in status(cluster, "v")
    cluster.advance(3)
    assert running(cluster, "v")


def test_a_volume_item_naming_a_missing_key_cannot_be_set_up(cluster):
    cluster.store.create(secret("s", data={"a": b64("1")}))
    cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "default"},
                          "data": {"a": "1"}})
    cluster.store.create(pod("p", volumes=[{"name": "sv", "secret": {"secretName": "s", "items": [{"key": "b", "path": "b"}]}},
                                           {"name": "cv", "configMap": {"name": "cm", "items": [{"key": "c", "path": "c"}]}}]))
    cluster.advance(2)
    assert sorted(m for m, _ in events(cluster, "p", "FailedMount")) == [
        'MountVolume.SetUp failed for volume "cv" : configmap references non-existent config key: c',
        'MountVolume.SetUp failed for volume "sv" : references non-existent secret key: b']
    cluster.store.patch(kinds.SECRET, "default", "s", "merge", {"stringData": {"b": "2"}})
    cluster.store.patch(kinds.CONFIGMAP, "default", "cm", "merge", {"data": {"c": "3"}})
    cluster.advance(3)
    assert running(cluster, "p")


def test_a_service_account_token_secret_is_filled_in_and_goes_with_its_account(cluster):
    sa = cluster.store.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "build-robot",
                                                                                          "namespace": "default"}})
    cluster.store.create(secret("build-robot-secret", type="kubernetes.io/service-account-token",
                                metadata={"name": "build-robot-secret", "namespace": "default",
                                          "annotations": {"kubernetes.io/service-account.name": "build-robot"}}))
    cluster.run_until_idle()
    s = cluster.store.get(kinds.SECRET, "default", "build-robot-secret")
    assert s["metadata"]["annotations"]["kubernetes.io/service-account.uid"] == objects.uid_of(sa)
    assert sorted(s["data"]) == ["namespace", "token"]
    assert base64.b64decode(s["data"]["namespace"]) == b"default"
    payload = base64.b64decode(s["data"]["token"]).decode().split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["sub"] == "system:serviceaccount:default:build-robot"
    rv = cluster.store.resource_version
    cluster.run_until_idle()
    assert cluster.store.resource_version == rv
    cluster.store.delete(kinds.SERVICEACCOUNT, "default", "build-robot")
    cluster.run_until_idle()
    assert cluster.store.try_get(kinds.SECRET, "default", "build-robot-secret") is None
    cluster.store.create(secret("orphan", type="kubernetes.io/service-account-token",
                                metadata={"name": "orphan", "namespace": "default",
                                          "annotations": {"kubernetes.io/service-account.name": "nobody"}}))
    cluster.run_until_idle()
    assert cluster.store.try_get(kinds.SECRET, "default", "orphan") is None


def test_a_secret_over_one_mebibyte_is_refused(cluster):
    big = base64.b64encode(b"x" * (1024 * 1024 + 1)).decode()
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(secret("big", data={"blob": big}))
    assert e.value.message.startswith('Secret "big" is invalid: data: Too long: ')
    assert "1048576 bytes" in e.value.message
    cluster.store.create(secret("fits", data={"blob": base64.b64encode(b"x" * (1024 * 1024)).decode()}))


def test_a_projected_volume_waits_for_each_of_its_sources(cluster):
    cluster.store.create(pod("p", volumes=[{"name": "all-in-one", "projected": {"sources": [
        {"secret": {"name": "mysecret", "items": [{"key": "username", "path": "my-group/my-username"}]}},
        {"configMap": {"name": "myconfigmap", "items": [{"key": "config", "path": "my-group/my-config"}]}}]}}]))
    cluster.advance(2)
    assert [m for m, _ in events(cluster, "p", "FailedMount")] == [
        'MountVolume.SetUp failed for volume "all-in-one" : [secret "mysecret" not found, '
        'configmap "myconfigmap" not found]']
    cluster.store.create(secret("mysecret", stringData={"username": "u"}))
    cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "myconfigmap", "namespace": "default"},
                          "data": {"config": "c"}})
    cluster.advance(3)
    assert running(cluster, "p")
