"""Issue 7, point 4: the defects a hostile corpus found, each answered as the apiserver answers
it (a Status, never a 500, nothing stored), plus what a dead client may cost."""
from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from engine import quantity, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store
from webapp import create_app
from webapp.extension import kubeplay_of

NODE_PODS = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
             "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
          "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                   "template": {"metadata": {"labels": {"app": "web"}},
                                "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


@pytest.fixture
def env():
    cluster = Cluster(store=Store(), clock=ManualClock(), nodes=2)
    app = create_app(cluster=cluster)
    yield cluster, app.test_client()
    kubeplay_of(app).close()


def _status(r, code):
    body = r.get_json()
    assert r.status_code == code, (r.status_code, body)
    assert body["kind"] == "Status" and body["code"] == code, body
    return body


def _post(client, path, body, **kw):
    return client.post(path, data=json.dumps(body) if not isinstance(body, (str, bytes)) else body,
                       content_type=kw.pop("content_type", "application/json"), **kw)


# ---- quantities ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["1e1000000", "1e-1000000", "1" * 5000, "9" * 101 + "m", "1e99999999999999999999"])
def test_quantities_are_parsed_in_bounded_time(text):
    with pytest.raises(quantity.QuantityError):
        quantity.parse_quantity(text)


def test_a_pod_asking_for_1e1000000_cpus_is_refused(env):
    cluster, client = env
    pod = json.loads(json.dumps(NODE_PODS))
    pod["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "1e1000000"}}
    r = _post(client, "/api/v1/namespaces/default/pods", pod)
    assert 400 <= r.status_code < 500 and r.get_json()["kind"] == "Status"
    assert not cluster.store.list(kinds.POD, "default")[0]


# ---- type confusion --------------------------------------------------------------------------------

def test_type_confusion_is_a_400_not_a_500(env):
    cluster, client = env
    assert _post(client, "/api/v1/namespaces/default/configmaps",
                 {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}).status_code == 201
    assert _post(client, "/apis/apps/v1/namespaces/default/deployments", DEPLOY).status_code == 201
    cm = "/api/v1/namespaces/default/configmaps/cm"
    cases = [
        ("PUT", cm, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": []}),
        ("PUT", cm, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": "x"}),
        ("PUT", cm, [1, 2]),
        ("POST", "/api/v1/namespaces/default/configmaps", "[]"),
        ("POST", "/api/v1/namespaces/default/configmaps", {"apiVersion": 5, "kind": "ConfigMap", "metadata": {"name": "q"}}),
        ("PUT", "/api/v1/namespaces/default/pods/p/status", [1]),
        ("PUT", "/api/v1/namespaces/default/finalize", [1]),
        ("PUT", "/api/v1/namespaces/default/finalize", {"metadata": 3}),
        ("PUT", "/apis/apps/v1/namespaces/default/deployments/web/scale", {"spec": "x"}),
        ("PUT", "/apis/apps/v1/namespaces/default/deployments/web/scale", {"metadata": [], "spec": {"replicas": 1}}),
        ("PUT", "/apis/apps/v1/namespaces/default/deployments/web/scale", "[]"),
        ("DELETE", cm, {"preconditions": "x"}),
        ("DELETE", cm, {"preconditions": {"uid": 5}}),
        ("DELETE", cm, {"gracePeriodSeconds": "soon"}),
        ("DELETE", cm, {"gracePeriodSeconds": 10 ** 19}),
        ("DELETE", cm, [1]),
        ("POST", "/api/v1/namespaces/default/configmaps", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"n"},"data":{"a":' + "9" * 5000 + "}}"),
        ("POST", "/api/v1/namespaces/default/configmaps", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"n"},"data":{"a":NaN}}'),
        ("POST", "/api/v1/namespaces/default/configmaps", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"n"},"data":{"a":1e999}}'),
        ("POST", "/api/v1/namespaces/default/pods/p/binding", [1]),
        ("POST", "/api/v1/namespaces/default/pods/p/binding", {"target": "node-1"}),
        ("POST", "/api/v1/namespaces/default/pods/p/eviction", {"deleteOptions": "now"}),
    ]
    for method, path, body in cases:
        r = client.open(path, method=method, data=body if isinstance(body, str) else json.dumps(body),
                        content_type="application/json")
        assert 400 <= r.status_code < 500, (method, path, body, r.status_code, r.get_data()[:300])
        assert r.get_json()["kind"] == "Status"
    assert cluster.store.get(kinds.CONFIGMAP, "default", "cm")
    r = client.delete(cm + "?gracePeriodSeconds=x")
    _status(r, 400)
    r = client.get("/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=nan")
    _status(r, 400)


def test_values_go_decodes_are_stored_as_go_decodes_them(env):
    """A lone surrogate becomes U+FFFD; YAML keys that are numbers become strings; a huge
    grace period is a far deletion, not an overflow."""
    cluster, client = env
    r = _post(client, "/api/v1/namespaces/default/configmaps",
              '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"s"},"data":{"a":"x\\ud800y"}}')
    assert r.status_code == 201, r.get_json()
    assert cluster.store.get(kinds.CONFIGMAP, "default", "s")["data"]["a"] == "x\ufffdy"
    r = _post(client, "/api/v1/namespaces/default/configmaps",
              "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\ndata:\n  1: one\n  2.5: two\n",
              content_type="application/yaml")
    assert r.status_code == 201, r.get_json()
    assert cluster.store.get(kinds.CONFIGMAP, "default", "y")["data"] == {"1": "one", "2.5": "two"}
    pod = dict(NODE_PODS, spec=dict(NODE_PODS["spec"], nodeName="node-1"))
    assert _post(client, "/api/v1/namespaces/default/pods", pod).status_code == 201
    r = client.delete("/api/v1/namespaces/default/pods/p?gracePeriodSeconds=99999999999999")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["metadata"]["deletionTimestamp"].startswith("9999-")


# ---- scale, namespaces, verbs, strict ------------------------------------------------------------

def test_a_scale_patch_without_resource_version_never_conflicts(env):
    """The Deployment changes between the server's read of the Scale and its write (as when the
    controllers are busy with it): `kubectl scale` and the page's +/- still succeed."""
    cluster, client = env
    assert _post(client, "/apis/apps/v1/namespaces/default/deployments", DEPLOY).status_code == 201
    store = cluster.store
    real_get = store.get

    writing = []

    def get_then_someone_writes(rt, ns, name):
        obj = real_get(rt, ns, name)
        if rt is kinds.DEPLOYMENT and not writing:
            writing.append(1)
            try:
                store.patch(kinds.DEPLOYMENT, ns, name, "merge", {"metadata": {"annotations": {"busy": str(id(obj))}}})
            finally:
                writing.clear()
        return obj
    store.get = get_then_someone_writes
    try:
        for ptype, body in (("application/merge-patch+json", {"spec": {"replicas": 5}}),
                            ("application/strategic-merge-patch+json", {"spec": {"replicas": 6}}),
                            ("application/json-patch+json", [{"op": "replace", "path": "/spec/replicas", "value": 7}])):
            r = client.patch("/apis/apps/v1/namespaces/default/deployments/web/scale", data=json.dumps(body),
                             content_type=ptype)
            assert r.status_code == 200, r.get_json()
        # A patch that names a stale resourceVersion is still a precondition.
        r = client.patch("/apis/apps/v1/namespaces/default/deployments/web/scale",
                         data=json.dumps({"metadata": {"resourceVersion": "1"}, "spec": {"replicas": 3}}),
                         content_type="application/merge-patch+json")
        _status(r, 409)
    finally:
        store.get = real_get
    assert store.get(kinds.DEPLOYMENT, "default", "web")["spec"]["replicas"] == 7


@pytest.mark.parametrize("ns", ["default", "kube-system", "kube-public"])
def test_system_namespaces_may_not_be_deleted(env, ns):
    cluster, client = env
    body = _status(client.delete(f"/api/v1/namespaces/{ns}"), 403)
    assert body["reason"] == "Forbidden"
    assert body["message"] == f'namespaces "{ns}" is forbidden: this namespace may not be deleted'
    assert body["details"] == {"name": ns, "group": "", "kind": "namespaces"}
    assert not cluster.store.get(kinds.NAMESPACE, None, ns)["metadata"].get("deletionTimestamp")
    _status(client.delete("/api/v1/namespaces"), 405)


def test_namespaced_kinds_have_no_create_or_delete_across_namespaces(env):
    cluster, client = env
    _status(_post(client, "/api/v1/pods", NODE_PODS), 405)
    _status(_post(client, "/apis/apps/v1/deployments", DEPLOY), 405)
    _status(client.delete("/api/v1/configmaps"), 405)
    assert not cluster.store.list(kinds.POD, None)[0]


def test_strict_field_validation_refuses_duplicate_fields(env):
    cluster, client = env
    text = ('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"dup","name":"dup"},'
            '"spec":{"replicas":1,"replicas":3,"selector":{"matchLabels":{"app":"d"}},"template":{"metadata":'
            '{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"nginx","image":"x"}]}}}}')
    body = _status(_post(client, "/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict", text), 400)
    assert body["message"] == ('Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
                               'duplicate field "metadata.name", duplicate field "spec.replicas", '
                               'duplicate field "spec.template.spec.containers[0].image"')
    assert not cluster.store.list(kinds.DEPLOYMENT, "default")[0]
    # Without Strict the last value wins, as Go's decoder does.
    r = _post(client, "/apis/apps/v1/namespaces/default/deployments?fieldValidation=Ignore", text)
    assert r.status_code == 201 and r.get_json()["spec"]["replicas"] == 3


DUPLICATE_YAML = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: dupy
spec:
  replicas: 1
  replicas: 2
  selector:
    matchLabels: {app: d}
  template:
    metadata:
      labels: {app: d}
    spec:
      containers:
      - name: c
        image: nginx
        image: busybox
"""


def test_strict_field_validation_refuses_duplicate_keys_in_yaml_as_go_yaml_words_them(env):
    cluster, client = env
    url = "/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict"
    r = client.post(url, data=DUPLICATE_YAML, headers={"Content-Type": "application/yaml"})
    body = _status(r, 400)
    assert body["message"] == ('Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
                               'yaml: unmarshal errors:\n  line 7: key "replicas" already set in map\n'
                               '  line 17: key "image" already set in map')
    assert not cluster.store.list(kinds.DEPLOYMENT, "default")[0]
    # Server-side apply reads its body as YAML too, and words the refusal as the apply patcher does.
    r = client.patch("/apis/apps/v1/namespaces/default/deployments/dupy?fieldManager=m&fieldValidation=Strict",
                     data=DUPLICATE_YAML, headers={"Content-Type": "application/apply-patch+yaml"})
    body = _status(r, 400)
    assert body["message"] == ('error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n'
                               '  line 7: key "replicas" already set in map\n  line 17: key "image" already set in map')
    assert not cluster.store.list(kinds.DEPLOYMENT, "default")[0]
    r = client.post(url.replace("Strict", "Ignore"), data=DUPLICATE_YAML, headers={"Content-Type": "application/yaml"})
    assert r.status_code == 201 and r.get_json()["spec"]["replicas"] == 2


def test_strict_field_validation_refuses_a_patch_with_duplicate_keys_and_changes_nothing(env):
    cluster, client = env
    r = client.post("/apis/apps/v1/namespaces/default/deployments", data=DUPLICATE_YAML,
                    headers={"Content-Type": "application/yaml"})
    assert r.status_code == 201
    for ct in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
        r = client.patch("/apis/apps/v1/namespaces/default/deployments/dupy?fieldValidation=Strict",
                         data='{"spec":{"replicas":5,"replicas":4}}', headers={"Content-Type": ct})
        body = _status(r, 422)
        assert body["message"] == (' "" is invalid: patch: Invalid value: "map[spec:map[replicas:4]]": '
                                   'strict decoding error: duplicate field "spec.replicas"')
        assert cluster.store.get(kinds.DEPLOYMENT, "default", "dupy")["spec"]["replicas"] == 2


# ---- the page's stream: resume points per message --------------------------------------------------

class _FakeSocket:
    connected = True

    def __init__(self):
        self.sent = []

    def send(self, data):
        self.sent.append(json.loads(data))

    def receive(self, timeout=None):
        return None


def test_a_split_backlog_gives_each_message_its_own_resume_point():
    from webapp.page import stream
    from webapp.page.source import EngineSource
    store = Store()
    cluster = Cluster(store=store, clock=ManualClock(), nodes=1)       # not started: only the store moves
    ws = _FakeSocket()
    session = stream.Session(ws, EngineSource(cluster), threading.Event())
    session._start_watch(str(store.resource_version))          # a resumed page: replay from here
    names = [f"p{i:04d}" for i in range(stream.MAX_BATCH * 2 + 37)]
    for n in names:
        store.create(dict(NODE_PODS, metadata={"name": n, "namespace": "default"}))
        # A Lease-like change the page does not draw, between drawn ones.
        store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n, "namespace": "default"}})
    while True:
        before = len(ws.sent)
        session._pump_events()
        if len(ws.sent) == before:
            break
    msgs = [m for m in ws.sent if m["type"] == "events"]
    assert len(msgs) >= 3
    seen: set[str] = set()
    for m in msgs:
        rv = int(m["resourceVersion"])
        seen |= {e["object"]["metadata"]["name"] for e in m["events"]}
        # Resuming from this message's rv must miss nothing: every pod created at or below it
        # has been delivered already.
        created = {p["metadata"]["name"] for p in store.list(kinds.POD, "default")[0]
                   if int(p["metadata"]["resourceVersion"]) <= rv}
        assert created <= seen, sorted(created - seen)[:5]
    assert seen == set(names)
    session.watcher.close()


# ---- what a dead client costs --------------------------------------------------------------------

@pytest.fixture
def live_server():
    """The real server stack (werkzeug + our handler) in this process, with a short read timeout
    so the test shows the mechanism, not the production constant."""
    from werkzeug.serving import make_server
    from webapp.serving import Handler

    class Quick(Handler):
        timeout = 1.0
    cluster = Cluster(store=Store(), clock=ManualClock(), nodes=1)
    app = create_app(cluster=cluster)
    srv = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quick)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    kubeplay_of(app).close()


def _handler_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith("Thread-") and "process_request_thread" in repr(t._target))


def _wait_until(predicate, message, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {message}"
        time.sleep(0.1)


def test_an_abandoned_watch_releases_its_thread(live_server):
    port = live_server.server_port
    baseline = _handler_threads()
    socks = []
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(f"GET /api/v1/namespaces/default/configmaps?watch=1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        assert s.recv(4096).startswith(b"HTTP/1.1 200")
        socks.append(s)
    _wait_until(lambda: _handler_threads() >= baseline + 3, "three watches open")
    for s in socks:
        s.close()                    # the client goes; nothing happens in the cluster
    _wait_until(lambda: _handler_threads() <= baseline, "the watch threads to end")


@pytest.mark.parametrize("partial", [
    b"GET /api/v1/pods HTTP/1.1\r\nHost: 127.0.0.1",                                   # half a header
    b"GE",                                                                              # half a request line
    b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"apiVersion\"",   # half a body
])
def test_a_half_sent_request_is_dropped(live_server, partial):
    port = live_server.server_port
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(partial.replace(b"{port}", str(port).encode()))
        data = b""
        while True:
            chunk = s.recv(4096)             # returns b"" once the server gives up on us
            if not chunk:
                break
            data += chunk
    assert b" 201 " not in data


def test_an_update_must_name_the_object_its_url_names(env):
    cluster, client = env
    r = client.post("/apis/apps/v1/namespaces/default/deployments", data=DUPLICATE_YAML,
                    headers={"Content-Type": "application/yaml"})
    assert r.status_code == 201
    live = r.get_json()
    url = "/apis/apps/v1/namespaces/default/deployments/dupy"
    for name, text in ((None, "the name of the object (dupy based on URL) was undeterminable: name must be provided"),
                       ("", "the name of the object (dupy based on URL) was undeterminable: name must be provided"),
                       ("other", "the name of the object (other) does not match the name on the URL (dupy)")):
        body = json.loads(json.dumps(live))
        body["spec"]["replicas"] = 4
        if name is None:
            del body["metadata"]["name"]
        else:
            body["metadata"]["name"] = name
        assert _status(client.put(url, data=json.dumps(body), content_type="application/json"), 400)["message"] == text
    body = json.loads(json.dumps(live))
    body["metadata"]["namespace"] = "kube-system"
    assert _status(client.put(url, data=json.dumps(body), content_type="application/json"), 400)["message"] == (
        "the namespace of the object (kube-system) does not match the namespace on the request (default)")
    assert cluster.store.get(kinds.DEPLOYMENT, "default", "dupy")["spec"]["replicas"] == 2
