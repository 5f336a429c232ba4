"""The Protobuf request decoder reads what the real kubectl 1.32 sends.

The kubectl tests run /usr/bin/kubectl against a tiny capture server (loopback, hermetic
KUBECONFIG/KUBECACHEDIR/HOME as in kubectl-wire.md §13) that reports minor "32", so the dispatcher
runs kubectl v1.32.4, which POSTs typed-client creates as application/vnd.kubernetes.protobuf.
Each captured body must decode to exactly the JSON-shaped dict the object would have.

`kubectl create job --from=cronjob/...` is used as an oracle for the rich parts of the schema:
kubectl GETs a CronJob we serve as JSON, decodes it into its Go structs, and POSTs a Job whose spec
is the CronJob's jobTemplate.spec re-encoded in Protobuf by the upstream code. Decoding that body
must give back the JSON we served.
"""
from __future__ import annotations

import base64
import http.server
import json
import os
import random
import shutil
import subprocess
import threading

import pytest

from engine.errors import BadRequest, UnsupportedMediaType
from webapp.api import protobuf
from webapp.api.protobuf import decode, go_duration_string

KUBECTL = "/usr/bin/kubectl"
PROTOBUF = "application/vnd.kubernetes.protobuf"

# ---------------------------------------------------------------------------------------------
# Capture server

DISCOVERY = {
    "v1": [("namespaces", "Namespace", False), ("configmaps", "ConfigMap", True),
           ("secrets", "Secret", True), ("services", "Service", True),
           ("serviceaccounts", "ServiceAccount", True), ("pods", "Pod", True)],
    "apps/v1": [("deployments", "Deployment", True)],
    "batch/v1": [("jobs", "Job", True), ("cronjobs", "CronJob", True)],
    "rbac.authorization.k8s.io/v1": [("roles", "Role", True), ("rolebindings", "RoleBinding", True),
                                     ("clusterroles", "ClusterRole", False),
                                     ("clusterrolebindings", "ClusterRoleBinding", False)],
    "policy/v1": [("poddisruptionbudgets", "PodDisruptionBudget", True)],
}
VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

# A CronJob whose jobTemplate.spec touches most of the PodSpec schema. Only non-zero values for
# non-pointer fields (zero ones are not distinguishable on the wire); pointer fields include zeros.
JOB_SPEC = {
    "parallelism": 2,
    "completions": 4,
    "activeDeadlineSeconds": 600,
    "backoffLimit": 0,
    "ttlSecondsAfterFinished": 0,
    "completionMode": "Indexed",
    "suspend": False,
    "podFailurePolicy": {"rules": [
        {"action": "FailJob", "onExitCodes": {"containerName": "main", "operator": "In", "values": [42, 0, -1]}},
        {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]},
    ]},
    "template": {
        "metadata": {
            "labels": {"app": "nightly", "tier": ""},
            "annotations": {"note": "x"},
            "creationTimestamp": "2024-02-29T23:59:58Z",
            "finalizers": ["example.com/keep"],
            "managedFields": [{"manager": "kubectl", "operation": "Update", "apiVersion": "v1",
                               "time": "2024-03-01T00:00:00Z", "fieldsType": "FieldsV1",
                               "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}}}],
        },
        "spec": {
            "restartPolicy": "OnFailure",
            "terminationGracePeriodSeconds": 0,
            "activeDeadlineSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "nodeSelector": {"disk": "ssd"},
            "serviceAccountName": "runner",
            "automountServiceAccountToken": False,
            "hostNetwork": True,
            "shareProcessNamespace": False,
            "priority": 0,
            "enableServiceLinks": False,
            "schedulerName": "default-scheduler",
            "imagePullSecrets": [{"name": "regcred"}],
            "hostAliases": [{"ip": "10.0.0.1", "hostnames": ["a", "b"]}],
            "dnsConfig": {"nameservers": ["1.1.1.1"], "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]},
            "securityContext": {
                "runAsUser": 0, "runAsGroup": 1000, "runAsNonRoot": False, "fsGroup": 2000,
                "supplementalGroups": [1, 2, 3],
                "sysctls": [{"name": "net.core.somaxconn", "value": "1024"}],
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "tolerations": [
                {"key": "dedicated", "operator": "Equal", "value": "batch", "effect": "NoSchedule"},
                {"operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 0},
            ],
            "affinity": {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}]}]},
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {"weight": 10, "preference": {"matchFields": [
                            {"key": "metadata.name", "operator": "NotIn", "values": ["n1"]}]}}],
                },
                "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 100, "podAffinityTerm": {
                        "labelSelector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]},
                        "topologyKey": "kubernetes.io/hostname", "namespaces": ["default"]}}]},
            },
            "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
                                           "labelSelector": {"matchLabels": {"app": "nightly"}}, "minDomains": 2}],
            "initContainers": [{"name": "init", "image": "busybox:1.36", "command": ["sh", "-c", ""],
                                "restartPolicy": "Always"}],
            "containers": [{
                "name": "main",
                "image": "example.com/worker@sha256:abc",
                "command": ["/bin/worker"],
                "args": ["--once", ""],
                "workingDir": "/work",
                "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                          {"containerPort": 9090, "hostPort": 9090, "protocol": "UDP", "hostIP": "0.0.0.0"}],
                "env": [
                    {"name": "PLAIN", "value": "1"},
                    {"name": "EMPTY"},
                    {"name": "POD", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                    {"name": "MEM", "valueFrom": {"resourceFieldRef": {"containerName": "main",
                                                                       "resource": "limits.memory", "divisor": "1Mi"}}},
                    {"name": "PW", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw", "optional": False}}},
                    {"name": "CFG", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "k"}}},
                ],
                "envFrom": [{"prefix": "X_", "configMapRef": {"name": "cfg", "optional": True}},
                            {"secretRef": {"name": "db"}}],
                "resources": {"limits": {"cpu": "500m", "memory": "128Mi", "nvidia.com/gpu": "1"},
                              "requests": {"cpu": "250m", "memory": "64Mi", "ephemeral-storage": "0"}},
                "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": True, "subPath": "x"},
                                 {"name": "scratch", "mountPath": "/tmp", "mountPropagation": "None"}],
                "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP",
                                              "httpHeaders": [{"name": "X-A", "value": "b"}]},
                                  "initialDelaySeconds": 3, "periodSeconds": 10, "failureThreshold": 3,
                                  "terminationGracePeriodSeconds": 0},
                "readinessProbe": {"tcpSocket": {"port": "http"}, "timeoutSeconds": 2},
                "startupProbe": {"exec": {"command": ["cat", "/ready"]}, "successThreshold": 1},
                "lifecycle": {"preStop": {"sleep": {"seconds": 5}},
                              "postStart": {"exec": {"command": ["true"]}}},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "FallbackToLogsOnError",
                "imagePullPolicy": "IfNotPresent",
                "securityContext": {"privileged": False, "allowPrivilegeEscalation": False,
                                    "readOnlyRootFilesystem": True, "runAsUser": 65534,
                                    "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}},
                "stdin": True,
                "tty": True,
            }],
            "volumes": [
                {"name": "scratch", "emptyDir": {}},
                {"name": "mem", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
                {"name": "data", "persistentVolumeClaim": {"claimName": "pvc1", "readOnly": True}},
                {"name": "cfg", "configMap": {"name": "cfg", "items": [{"key": "a", "path": "a.txt", "mode": 0}],
                                              "defaultMode": 420, "optional": False}},
                {"name": "sec", "secret": {"secretName": "db", "defaultMode": 256}},
                {"name": "host", "hostPath": {"path": "/var/log", "type": ""}},
                {"name": "proj", "projected": {"sources": [
                    {"serviceAccountToken": {"path": "token", "expirationSeconds": 3600, "audience": "api"}},
                    {"downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
                ]}},
                {"name": "eph", "ephemeral": {"volumeClaimTemplate": {"spec": {
                    "accessModes": ["ReadWriteOnce"], "storageClassName": "",
                    "resources": {"requests": {"storage": "1Gi"}}}}}},
            ],
        },
    },
}

CRONJOB = {
    "apiVersion": "batch/v1", "kind": "CronJob",
    "metadata": {"name": "nightly", "namespace": "default", "uid": "0b1c2d3e-0000-4000-8000-000000000001",
                 "resourceVersion": "7", "creationTimestamp": "2024-01-01T00:00:00Z"},
    "spec": {"schedule": "0 3 * * *", "jobTemplate": {"metadata": {"labels": {"team": "data"},
                                                                   "annotations": {"owner": "ops"}},
                                                      "spec": JOB_SPEC}},
}


class _Capture(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kubeplay-capture"

    def log_message(self, *args):
        pass

    def _json(self, code: int, obj: dict) -> None:
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/version":
            return self._json(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.0-kubeplay",
                                    "gitCommit": "0", "gitTreeState": "clean",
                                    "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.23.0",
                                    "compiler": "gc", "platform": "linux/amd64"})
        if path == "/api":
            return self._json(200, {"kind": "APIVersions", "versions": ["v1"]})
        if path == "/apis":
            groups = [{"name": gv.split("/")[0],
                       "versions": [{"groupVersion": gv, "version": gv.split("/")[1]}],
                       "preferredVersion": {"groupVersion": gv, "version": gv.split("/")[1]}}
                      for gv in DISCOVERY if "/" in gv]
            return self._json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        gv = path[len("/api/"):] if path.startswith("/api/") else path[len("/apis/"):]
        if gv in DISCOVERY:
            resources = [{"name": n, "singularName": k.lower(), "namespaced": ns, "kind": k, "verbs": VERBS}
                         for n, k, ns in DISCOVERY[gv]]
            return self._json(200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
                                    "resources": resources})
        if path == "/apis/batch/v1/namespaces/default/cronjobs/nightly":
            return self._json(200, CRONJOB)
        return self._json(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                "reason": "NotFound", "code": 404, "message": "not found"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.captured.append((self.path, self.headers.get("Content-Type"), body))
        try:
            obj = decode(body)
        except Exception:   # the test will report it; kubectl just needs some object back
            obj = {"apiVersion": "v1", "kind": "Status"}
        meta = obj.setdefault("metadata", {})
        meta.setdefault("namespace", "default")
        meta.update(uid="00000000-0000-4000-8000-000000000000", resourceVersion="1",
                    creationTimestamp="2025-01-01T00:00:00Z")
        if obj.get("kind") == "TokenRequest":
            obj["status"] = {"token": "t0k3n", "expirationTimestamp": "2025-01-01T01:00:00Z"}
        self._json(201, obj)


@pytest.fixture(scope="module")
def kubectl(tmp_path_factory):
    """Run the real kubectl against the capture server; returns the captured POSTs."""
    assert os.path.exists(KUBECTL), f"these tests run the real kubectl; {KUBECTL} is missing"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    server.captured = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    home = tmp_path_factory.mktemp("kubectl")
    (home / "kubeconfig").write_text(f"""apiVersion: v1
kind: Config
clusters: [{{name: play, cluster: {{server: "http://127.0.0.1:{server.server_port}"}}}}]
users: [{{name: play, user: {{}}}}]
contexts: [{{name: play, context: {{cluster: play, user: play, namespace: default}}}}]
current-context: play
""")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "KUBECONFIG": str(home / "kubeconfig"),
           "KUBECACHEDIR": str(home / "cache"), "HOME": str(home / "home")}

    def run(*args: str) -> list[tuple[str, str, bytes]]:
        server.captured.clear()
        proc = subprocess.run([KUBECTL, "--request-timeout=10s", *args], env=env,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return list(server.captured)

    yield run
    server.shutdown()
    server.server_close()
    shutil.rmtree(home, ignore_errors=True)


def _only_post(captured):
    assert len(captured) == 1, [c[0] for c in captured]
    path, content_type, body = captured[0]
    assert content_type == PROTOBUF
    assert body[:4] == b"k8s\x00"
    return path, decode(body)


# ---------------------------------------------------------------------------------------------
# Real kubectl bodies

DEPLOY_LOGIN = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "login-app", "labels": {"app": "login-app"}},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "login-app"}},
             "template": {"metadata": {"labels": {"app": "login-app"}},
                          "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}},
}

CASES = [
    (["create", "deployment", "login-app", "--image=nginx", "--replicas=3"],
     "/apis/apps/v1/namespaces/default/deployments", DEPLOY_LOGIN),
    (["create", "deployment", "web", "--image=nginx", "--port=80"],
     "/apis/apps/v1/namespaces/default/deployments",
     {"apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": {"name": "web", "labels": {"app": "web"}},
      "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
               "template": {"metadata": {"labels": {"app": "web"}},
                            "spec": {"containers": [{"name": "nginx", "image": "nginx",
                                                     "ports": [{"containerPort": 80}]}]}}}}),
    (["create", "deployment", "idle", "--image=nginx", "--replicas=0"],
     "/apis/apps/v1/namespaces/default/deployments",
     {"apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": {"name": "idle", "labels": {"app": "idle"}},
      "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "idle"}},
               "template": {"metadata": {"labels": {"app": "idle"}},
                            "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}}),
    (["create", "namespace", "ns1"], "/api/v1/namespaces",
     {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns1"}}),
    (["create", "configmap", "cm1", "--from-literal=a=b"], "/api/v1/namespaces/default/configmaps",
     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm1"}, "data": {"a": "b"}}),
    (["create", "configmap", "cm2", "--from-literal=x=1", "--from-literal=empty="],
     "/api/v1/namespaces/default/configmaps",
     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm2"}, "data": {"x": "1", "empty": ""}}),
    (["create", "service", "clusterip", "svc1", "--tcp=80:8080"], "/api/v1/namespaces/default/services",
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc1", "labels": {"app": "svc1"}},
      "spec": {"ports": [{"name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080}],
               "selector": {"app": "svc1"}, "type": "ClusterIP"}}),
    (["create", "service", "nodeport", "np1", "--tcp=80:8080", "--node-port=30080"],
     "/api/v1/namespaces/default/services",
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "np1", "labels": {"app": "np1"}},
      "spec": {"ports": [{"name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080,
                          "nodePort": 30080}],
               "selector": {"app": "np1"}, "type": "NodePort"}}),
    (["create", "service", "clusterip", "headless", "--clusterip=None"], "/api/v1/namespaces/default/services",
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "headless", "labels": {"app": "headless"}},
      "spec": {"selector": {"app": "headless"}, "clusterIP": "None", "type": "ClusterIP"}}),
    (["create", "secret", "generic", "s1", "--from-literal=k=v"], "/api/v1/namespaces/default/secrets",
     {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1"}, "data": {"k": "dg=="}}),
    (["create", "secret", "generic", "s2", "--from-literal=bin=\x01\xff", "--type=Opaque"],
     "/api/v1/namespaces/default/secrets",
     {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s2"},
      "data": {"bin": base64.b64encode("\x01\xff".encode()).decode()}, "type": "Opaque"}),
    (["create", "job", "j1", "--image=busybox"], "/apis/batch/v1/namespaces/default/jobs",
     {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j1"},
      "spec": {"template": {"spec": {"containers": [{"name": "j1", "image": "busybox"}],
                                     "restartPolicy": "Never"}}}}),
    (["create", "cronjob", "cj1", "--image=busybox", "--schedule=*/5 * * * *", "--", "echo", "hi"],
     "/apis/batch/v1/namespaces/default/cronjobs",
     {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj1"},
      "spec": {"schedule": "*/5 * * * *",
               "jobTemplate": {"metadata": {"name": "cj1"}, "spec": {"template": {"spec": {
                   "containers": [{"name": "cj1", "image": "busybox", "command": ["echo", "hi"]}],
                   "restartPolicy": "OnFailure"}}}}}}),
    (["create", "serviceaccount", "sa1"], "/api/v1/namespaces/default/serviceaccounts",
     {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa1"}}),
    (["create", "role", "r1", "--verb=get,list", "--resource=pods"],
     "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
     {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r1"},
      "rules": [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]}]}),
    (["create", "poddisruptionbudget", "pdb1", "--selector=app=x", "--max-unavailable=25%"],
     "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
     {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "pdb1"},
      "spec": {"selector": {"matchLabels": {"app": "x"}}, "maxUnavailable": "25%"}}),
]


@pytest.mark.parametrize("args,path,expected", CASES, ids=[" ".join(c[0][:3]) for c in CASES])
def test_kubectl_create_bodies_decode_to_their_json_form(kubectl, args, path, expected):
    got_path, obj = _only_post(kubectl(*args))
    assert got_path.split("?")[0] == path
    assert obj == expected


def test_create_job_from_cronjob_round_trips_a_rich_pod_spec(kubectl):
    captured = kubectl("create", "job", "manual-1", "--from=cronjob/nightly")
    path, obj = _only_post(captured)
    assert path.split("?")[0] == "/apis/batch/v1/namespaces/default/jobs"
    assert obj == {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {
            "name": "manual-1",
            "labels": {"team": "data"},
            "annotations": {"cronjob.kubernetes.io/instantiate": "manual", "owner": "ops"},
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "nightly",
                                 "uid": CRONJOB["metadata"]["uid"], "controller": True}],
        },
        "spec": JOB_SPEC,
    }


def test_pointer_zeros_survive_and_plain_zeros_are_dropped(kubectl):
    _, obj = _only_post(kubectl("create", "job", "manual-2", "--from=cronjob/nightly"))
    spec = obj["spec"]
    assert spec["backoffLimit"] == 0 and spec["suspend"] is False
    pod = spec["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] == 0
    assert pod["securityContext"]["runAsUser"] == 0
    assert pod["volumes"][0] == {"name": "scratch", "emptyDir": {}}
    container = pod["containers"][0]
    assert "creationTimestamp" not in obj["metadata"]
    assert container["env"][1] == {"name": "EMPTY"}
    assert "resizePolicy" not in container and "hostPort" not in container["ports"][0]


# ---------------------------------------------------------------------------------------------
# Hand-built bodies: special messages and hostile input


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _f(num: int, value) -> bytes:
    """One field: int -> varint, bytes/str -> length-delimited."""
    if isinstance(value, int):
        return _varint(num << 3) + _varint(value)
    if isinstance(value, str):
        value = value.encode()
    return _varint(num << 3 | 2) + _varint(len(value)) + value


def _body(api_version: str, kind: str, raw: bytes, *extra: bytes) -> bytes:
    return b"k8s\x00" + _f(1, _f(1, api_version) + _f(2, kind)) + _f(2, raw) + b"".join(extra)


def _meta(name: str) -> bytes:
    return _f(1, name)


def test_micro_time_time_and_intorstring_have_their_json_forms():
    lease = _f(1, _meta("l1") + _f(8, _f(1, 1_700_000_000) + _f(2, 500_000_000))) + _f(2,
        _f(1, "holder") + _f(2, 15)
        + _f(3, _f(1, 1_700_000_000) + _f(2, 123_456_789))
        + _f(4, b"")                         # pointer MicroTime present but zero -> no value
        + _f(5, 0))                          # leaseTransitions: pointer zero is kept
    assert decode(_body("coordination.k8s.io/v1", "Lease", lease)) == {
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": "l1", "creationTimestamp": "2023-11-14T22:13:20Z"},
        "spec": {"holderIdentity": "holder", "leaseDurationSeconds": 15,
                 "acquireTime": "2023-11-14T22:13:20.123456Z", "leaseTransitions": 0},
    }
    strategy = _f(1, "RollingUpdate") + _f(2, _f(1, _f(1, 1) + _f(3, "25%")) + _f(2, _f(1, 0) + _f(2, 0)))
    deploy = _f(1, _meta("d")) + _f(2, _f(4, strategy))
    assert decode(_body("apps/v1", "Deployment", deploy))["spec"] == {
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 0}}}


def test_negative_ints_unknown_fields_and_packed_repeats_decode():
    pod_security = _f(4, _varint(1) + _varint(2) + _varint(300))            # packed int64s
    spec = _f(4, -1) + _f(14, pod_security) + _f(999, "ignored") + _f(998, 7)
    pod = _f(1, _meta("p")) + _f(2, spec)
    assert decode(_body("v1", "Pod", pod))["spec"] == {
        "terminationGracePeriodSeconds": -1, "securityContext": {"supplementalGroups": [1, 2, 300]}}


def test_go_durations_format_like_time_duration_string():
    assert [go_duration_string(n) for n in (0, 12, 1500, 1_500_000, 1_500_000_000, 90 * 10**9,
                                            3600 * 10**9, -61 * 10**9)] == \
        ["0s", "12ns", "1.5µs", "1.5ms", "1.5s", "1m30s", "1h0m0s", "-1m1s"]


def test_raw_json_in_the_envelope_is_passed_through():
    body = _body("v1", "ConfigMap", b'{"metadata":{"name":"j"},"data":{"a":"b"}}', _f(4, "application/json"))
    assert decode(body) == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"},
                            "data": {"a": "b"}}


@pytest.mark.parametrize("body,error", [
    (b"", BadRequest),
    (b'{"kind":"Pod"}', BadRequest),
    (b"k8s\x00", BadRequest),                                          # no kind
    (b"k8s\x00\x0a", BadRequest),                                      # truncated length
    (b"k8s\x00\x0a\xff", BadRequest),                                  # truncated varint
    (b"k8s\x00\x0a" + b"\xff" * 10 + b"\x01", BadRequest),             # varint longer than 10 bytes
    (b"k8s\x00\x0a\xff\xff\xff\xff\x0f" + b"x" * 10, BadRequest),      # length beyond the body
    (b"k8s\x00\x0b", BadRequest),                                      # wire type 3 (group)
    (b"k8s\x00\x00\x00", BadRequest),                                  # field number 0
    (b"k8s\x00\x08\x01", BadRequest),                                  # typeMeta as a varint
    (_body("v1", "Pod", _f(1, 5)), BadRequest),                        # metadata as a varint
    (_body("v1", "Pod", _f(1, _f(1, 3))), BadRequest),                 # name as a varint
    (_body("v1", "Pod", _f(1, _f(8, _f(1, 10**15)))), BadRequest),     # creationTimestamp year > 9999
    (_body("apps/v1", "Deployment", _f(2, _f(4, _f(2, _f(1, _f(1, 7)))))), BadRequest),  # IntOrString type 7
    (_body("example.com/v1", "Widget", b""), UnsupportedMediaType),
    (_body("v1", "Pod", b"", _f(3, "gzip")), UnsupportedMediaType),
    (_body("v1", "Pod", b"", _f(4, "application/cbor")), UnsupportedMediaType),
    (_body("v1", "Pod", b"{", _f(4, "application/json")), BadRequest),
])
def test_malformed_or_unsupported_bodies_raise_api_errors(body, error):
    with pytest.raises(error):
        decode(body)


def test_unknown_kind_message_says_what_to_do():
    with pytest.raises(UnsupportedMediaType) as e:
        decode(_body("example.com/v1", "Widget", b""))
    assert e.value.code == 415
    assert "example.com/v1, Kind=Widget" in str(e.value) and "application/json" in str(e.value)


def test_deeply_nested_raw_extensions_are_refused_not_recursed():
    inner = _body("apps/v1", "ControllerRevision", b"")
    for _ in range(1000):
        inner = _body("apps/v1", "ControllerRevision", _f(2, _f(1, inner)))
    with pytest.raises(BadRequest, match="nesting"):
        decode(inner)


def test_a_few_nested_raw_extensions_still_decode():
    inner = _body("apps/v1", "ControllerRevision", _f(1, _meta("in")) + _f(3, 2))
    outer = _body("apps/v1", "ControllerRevision", _f(2, _f(1, inner)))
    assert decode(outer) == {"apiVersion": "apps/v1", "kind": "ControllerRevision", "data": {
        "apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "in"}, "revision": 2}}


def _rich_body() -> bytes:
    # A real-world-sized body built by hand: Deployment with many containers and labels.
    container = _f(1, "c") + _f(2, "img") + b"".join(_f(6, _f(3, 80 + i)) for i in range(5))
    labels = b"".join(_f(11, _f(1, f"k{i}") + _f(2, f"v{i}")) for i in range(20))
    tmpl = _f(1, labels) + _f(2, b"".join(_f(2, container) for _ in range(10)))
    return _body("apps/v1", "Deployment", _f(1, _meta("big") + labels) + _f(2, _f(1, 2) + _f(3, tmpl)))


def test_truncated_and_corrupted_bodies_never_crash():
    body = _rich_body()
    assert decode(body)["spec"]["replicas"] == 2
    rng = random.Random(1234)
    variants = [body[:n] for n in range(len(body))]
    for _ in range(2000):
        b = bytearray(body)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(4, len(b))] = rng.randrange(256)
        variants.append(bytes(b))
    for v in variants:
        try:
            decode(v)
        except (BadRequest, UnsupportedMediaType):
            pass


def test_large_hostile_bodies_decode_completely():
    # 2 MB of empty list elements and of 10-byte varints for a repeated int field. (How long
    # they take — linear, not quadratic — is measured by bench/api_latency.py.)
    many_containers = _body("v1", "Pod", _f(2, b"\x12\x00" * 1_000_000))
    many_groups = _body("v1", "Pod", _f(2, _f(14, (b"\x20" + _varint(-1)) * 180_000)))
    assert len(decode(many_containers)["spec"]["containers"]) == 1_000_000
    assert len(decode(many_groups)["spec"]["securityContext"]["supplementalGroups"]) == 180_000


def test_every_kind_in_the_table_decodes_an_empty_object():
    for (api_version, kind) in protobuf.supported_kinds():
        assert decode(_body(api_version, kind, b"")) == {"apiVersion": api_version, "kind": kind}


def test_is_protobuf_matches_the_media_type_only():
    assert protobuf.is_protobuf("application/vnd.kubernetes.protobuf")
    assert protobuf.is_protobuf("application/vnd.kubernetes.protobuf; charset=binary")
    assert not protobuf.is_protobuf("application/json")
    assert not protobuf.is_protobuf(None)

