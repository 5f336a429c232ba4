"""The HTTP API over the wire, as kubectl and the Python client meet it: discovery, OpenAPI v3,
Status errors, watch, selectors, Tables, and hostile input (which must get a 4xx, never a 500 or
a hang). One real server per module; each test uses its own names or namespace."""
from __future__ import annotations

import http.client
import json
import socket
import time
import uuid
from urllib.parse import quote, urlencode

import pytest

TABLE_ACCEPT = ("application/json;as=Table;v=v1;g=meta.k8s.io,"
                "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")
AGGREGATED_ACCEPT = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                     "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")


class Resp:
    def __init__(self, status, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.content_type} {self.body[:300]!r}>"


class Api:
    def __init__(self, server):
        self.server = server
        self.port = server.port

    def conn(self, timeout=15) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=15) -> Resp:
        headers = dict(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        c = self.conn(timeout)
        try:
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            return Resp(r.status, r.headers, r.read())
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body, **kw):
        return self.request("PUT", path, body, **kw)

    def patch(self, path, body, content_type, **kw):
        headers = dict(kw.pop("headers", {}), **{"Content-Type": content_type})
        return self.request("PATCH", path, body, headers=headers, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def namespace(self) -> str:
        name = "t-" + uuid.uuid4().hex[:8]
        r = self.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        assert r.status == 201, r
        # Every namespace gets the root CA publisher's ConfigMap, as on a real cluster: wait for
        # it, so a test's own lists and watches start after it (and can leave it out).
        deadline = time.monotonic() + 30
        while self.get(f"/api/v1/namespaces/{name}/configmaps/{ROOT_CA}").status != 200:
            assert time.monotonic() < deadline, f"no {ROOT_CA} ConfigMap in {name}"
            time.sleep(0.05)
        return name

    def healthy(self) -> bool:
        r = self.get("/healthz", timeout=5)
        return r.status == 200 and r.body.strip() == b"ok"


class Watch:
    """A raw watch stream read by a background thread: NDJSON events one line at a time."""

    def __init__(self, api: Api, path: str, headers=None, timeout=15):
        import queue
        import threading
        self.conn = api.conn(timeout)
        self.conn.request("GET", path, headers=headers or {})
        self.conn.sock.settimeout(120)     # the reader blocks between events; the queue has the deadlines
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            while True:
                line = self.resp.readline()
                if not line:
                    break
                self.lines.put(line)
        except Exception as e:          # noqa: BLE001 - handed to the reader
            self.lines.put(e)
        self.lines.put(None)

    def next(self, timeout=10) -> dict | None:
        """The next event, or None when the stream has ended; raises TimeoutError if none comes."""
        import queue
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no watch event within {timeout}s") from None
        if line is None:
            self.lines.put(None)
            return None
        if isinstance(line, Exception):
            raise line
        assert line.endswith(b"\n"), f"watch events are newline-terminated: {line[:200]!r}"
        return json.loads(line)

    def collect(self, until, timeout=10) -> list[dict]:
        """Read events until `until(events)` is true; fail on timeout or end of stream."""
        events: list[dict] = []
        deadline = time.monotonic() + timeout
        while not until(events):
            left = deadline - time.monotonic()
            got = [(e["type"], name(e["object"])) for e in events]
            assert left > 0, f"watch did not deliver in {timeout}s; got {got}"
            try:
                ev = self.next(left)
            except TimeoutError:
                continue
            assert ev is not None, f"watch ended early; got {got}"
            events.append(ev)
        return events

    def close(self):
        try:
            if self.resp.fp is not None and getattr(self.resp.fp, "raw", None) is not None:
                self.resp.fp.raw._sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass
        self.conn.close()
        self.resp.close()


def name(obj) -> str:
    return (obj.get("metadata") or {}).get("name", "")


ROOT_CA = "kube-root-ca.crt"


def ours(items) -> list:
    """A namespace's ConfigMaps without the one the root CA publisher put there."""
    return [o for o in items if name(o) != ROOT_CA]


def cm(name_, labels=None, data=None) -> dict:
    md = {"name": name_}
    if labels:
        md["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": md, "data": data or {"k": "v"}}


def deployment(name_="login-app", replicas=1, labels=None, selector=True) -> dict:
    labels = labels or {"app": name_}
    spec = {"replicas": replicas,
            "template": {"metadata": {"labels": labels},
                         "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}
    if selector:
        spec["selector"] = {"matchLabels": labels}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name_}, "spec": spec}


def assert_status(r: Resp, code: int, reason: str | None = None, message: str | None = None) -> dict:
    assert r.status == code, r
    assert r.content_type.split(";")[0] == "application/json", r
    body = r.json()
    assert (body["kind"], body["apiVersion"], body["status"], body["code"]) == ("Status", "v1", "Failure", code), body
    assert body["metadata"] == {}, body
    if reason is not None:
        assert body["reason"] == reason, body
    if message is not None:
        assert body["message"] == message, body
    return body


@pytest.fixture(scope="module")
def api_module(kubeplay_module_server) -> Api:
    return Api(kubeplay_module_server)


@pytest.fixture
def api(api_module, request) -> Api:
    request.node._kubeplay_servers = [api_module.server]
    yield api_module
    # Whatever a test threw at it, the server must still answer.
    assert api_module.healthy(), "the server stopped answering /healthz"


# ---- discovery --------------------------------------------------------------------------------

def test_version_reports_1_32(api):
    v = api.get("/version").json()
    assert (v["major"], v["minor"]) == ("1", "32")
    assert v["gitVersion"].startswith("v1.32.")
    for key in ("gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform"):
        assert key in v


def test_api_and_apis_list_the_groups(api):
    r = api.get("/api")
    assert r.content_type.startswith("application/json")
    assert r.json()["kind"] == "APIVersions" and r.json()["versions"] == ["v1"]
    groups = api.get("/apis").json()
    assert groups["kind"] == "APIGroupList"
    apps = [g for g in groups["groups"] if g["name"] == "apps"]
    assert apps and apps[0]["preferredVersion"] == {"groupVersion": "apps/v1", "version": "v1"}
    assert not [g for g in groups["groups"] if g["name"] == ""], "the core group is not listed in /apis"


def resources(api, path) -> dict:
    doc = api.get(path).json()
    assert doc["kind"] == "APIResourceList"
    return {r["name"]: r for r in doc["resources"]}


@pytest.mark.parametrize("path, name_, kind, short, namespaced", [
    ("/api/v1", "pods", "Pod", "po", True),
    ("/api/v1", "nodes", "Node", "no", False),
    ("/api/v1", "namespaces", "Namespace", "ns", False),
    ("/api/v1", "services", "Service", "svc", True),
    ("/api/v1", "events", "Event", "ev", True),
    ("/api/v1", "configmaps", "ConfigMap", "cm", True),
    ("/apis/apps/v1", "deployments", "Deployment", "deploy", True),
    ("/apis/apps/v1", "replicasets", "ReplicaSet", "rs", True),
])
def test_resource_lists_carry_kind_shortnames_scope_and_verbs(api, path, name_, kind, short, namespaced):
    r = resources(api, path)[name_]
    assert (r["kind"], r["namespaced"]) == (kind, namespaced)
    assert short in r.get("shortNames", [])
    assert {"create", "delete", "get", "list", "patch", "update", "watch"} <= set(r["verbs"])
    assert r["singularName"] == kind.lower()


def test_workloads_are_in_category_all_and_subresources_are_listed(api):
    core, apps = resources(api, "/api/v1"), resources(api, "/apis/apps/v1")
    for r in (core["pods"], core["services"], apps["deployments"], apps["replicasets"]):
        assert "all" in r.get("categories", []), r
    assert "all" not in core["configmaps"].get("categories", [])
    scale = apps["deployments/scale"]
    assert (scale.get("group"), scale.get("version"), scale["kind"]) == ("autoscaling", "v1", "Scale")
    assert core["pods/log"]["kind"] == "Pod"


def test_aggregated_discovery_is_either_served_with_its_media_type_or_not_at_all(api):
    for path in ("/api", "/apis"):
        r = api.get(path, headers={"Accept": AGGREGATED_ACCEPT})
        assert r.status == 200
        body = r.json()
        if body["kind"] == "APIGroupDiscoveryList":
            assert r.content_type.replace(" ", "") == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
        else:
            assert body["kind"] in ("APIVersions", "APIGroupList")
            assert "as=APIGroupDiscoveryList" not in r.content_type


@pytest.mark.parametrize("path", ["/api/v2", "/apis/nosuch/v1", "/apis/apps/v2", "/apis/nosuch"])
def test_unknown_group_versions_are_404_status(api, path):
    assert_status(api.get(path), 404, "NotFound")


# ---- OpenAPI v3 -------------------------------------------------------------------------------

def served_kinds(api) -> list[tuple[str, str, str]]:
    out = []
    for path, group in [("/api/v1", "")] + [(f"/apis/{g['preferredVersion']['groupVersion']}", g["name"])
                                            for g in api.get("/apis").json()["groups"]]:
        doc = api.get(path).json()
        version = doc["groupVersion"].split("/")[-1]
        for r in doc["resources"]:
            if "/" not in r["name"] and "patch" in r["verbs"]:
                out.append((group, version, r["kind"]))
    return out


def test_openapi_v3_declares_field_validation_on_patch_for_every_served_kind(api):
    index = api.get("/openapi/v3").json()
    docs = {}
    for group, version, kind in served_kinds(api):
        gv = f"apis/{group}/{version}" if group else f"api/{version}"
        assert gv in index["paths"], f"{gv} missing from /openapi/v3"
        if gv not in docs:
            url = index["paths"][gv]["serverRelativeURL"]
            assert url.startswith(f"/openapi/v3/{gv}")
            r = api.get(url)
            assert r.status == 200, r
            docs[gv] = r.json()
            assert docs[gv]["openapi"].startswith("3.")
        ops = [op for item in docs[gv]["paths"].values() for verb, op in item.items()
               if verb == "patch" and op.get("x-kubernetes-group-version-kind") == {"group": group, "version": version, "kind": kind}]
        assert ops, f"no PATCH operation for {group}/{version} {kind}"
        assert any(p.get("name") == "fieldValidation" for p in ops[0]["parameters"]), ops[0]


def test_openapi_v3_unknown_group_version_is_404(api):
    assert api.get("/openapi/v3/apis/nosuch/v1").status == 404


# ---- Status errors ----------------------------------------------------------------------------

def test_not_found_status_for_a_grouped_resource(api):
    body = assert_status(api.get("/apis/apps/v1/namespaces/default/deployments/nope"), 404, "NotFound",
                         'deployments.apps "nope" not found')
    assert body["details"] == {"name": "nope", "group": "apps", "kind": "deployments"}


def test_not_found_status_for_a_core_resource(api):
    body = assert_status(api.get("/api/v1/namespaces/default/pods/nope"), 404, "NotFound", 'pods "nope" not found')
    assert body["details"]["name"] == "nope" and body["details"]["kind"] == "pods"
    assert body["details"].get("group", "") == ""
    assert_status(api.get("/api/v1/nodes/nope"), 404, "NotFound", 'nodes "nope" not found')


def test_already_exists_status(api):
    ns = api.namespace()
    assert api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("dup")).status == 201
    body = assert_status(api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("dup")), 409, "AlreadyExists",
                         'configmaps "dup" already exists')
    assert body["details"]["name"] == "dup" and body["details"]["kind"] == "configmaps"


def test_stale_resource_version_is_a_conflict(api):
    ns = api.namespace()
    made = api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("c1")).json()
    stale = json.loads(json.dumps(made))
    made["data"] = {"k": "v2"}
    r = api.put(f"/api/v1/namespaces/{ns}/configmaps/c1", made)
    assert r.status == 200, r
    assert int(r.json()["metadata"]["resourceVersion"]) > int(stale["metadata"]["resourceVersion"])
    stale["data"] = {"k": "v3"}
    assert_status(api.put(f"/api/v1/namespaces/{ns}/configmaps/c1", stale), 409, "Conflict",
                  'Operation cannot be fulfilled on configmaps "c1": the object has been modified; '
                  'please apply your changes to the latest version and try again')


def test_invalid_deployment_is_422_with_causes(api):
    ns = api.namespace()
    body = assert_status(api.post(f"/apis/apps/v1/namespaces/{ns}/deployments",
                                  deployment("login-app", labels={"app": "login"}, selector=False)),
                         422, "Invalid",
                         'Deployment.apps "login-app" is invalid: [spec.selector: Required value, '
                         'spec.template.metadata.labels: Invalid value: {"app":"login"}: `selector` does not match template `labels`]')
    assert (body["details"]["name"], body["details"]["group"], body["details"]["kind"]) == ("login-app", "apps", "Deployment")
    assert body["details"]["causes"] == [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.selector"},
        {"reason": "FieldValueInvalid",
         "message": 'Invalid value: {"app":"login"}: `selector` does not match template `labels`',
         "field": "spec.template.metadata.labels"}]
    assert api.get(f"/apis/apps/v1/namespaces/{ns}/deployments/login-app").status == 404


def test_strict_field_validation_refuses_unknown_fields(api):
    ns = api.namespace()
    d = deployment("typo")
    d["spec"]["replica"] = 3
    assert_status(api.post(f"/apis/apps/v1/namespaces/{ns}/deployments?fieldValidation=Strict", d), 400, "BadRequest",
                  'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"')
    r = api.post(f"/apis/apps/v1/namespaces/{ns}/deployments?fieldValidation=Ignore", d)
    assert r.status == 201, r
    assert "replica" not in r.json()["spec"]


def test_missing_content_type_and_kind_are_taken_from_the_url(api):
    """The Python client POSTs without Content-Type and without apiVersion/kind."""
    ns = api.namespace()
    body = json.dumps({"metadata": {"name": "bare"}, "data": {"a": "b"}})
    r = api.post(f"/api/v1/namespaces/{ns}/configmaps", body)
    assert r.status == 201, r
    made = r.json()
    assert (made["apiVersion"], made["kind"], made["metadata"]["namespace"]) == ("v1", "ConfigMap", ns)


def test_delete_returns_the_pod_and_a_status_or_object_for_others(api):
    ns = api.namespace()
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    assert api.post(f"/api/v1/namespaces/{ns}/pods", pod).status == 201
    r = api.delete(f"/api/v1/namespaces/{ns}/pods/p")
    assert r.status == 200 and r.json()["kind"] == "Pod", r
    assert api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("gone")).status == 201
    r = api.delete(f"/api/v1/namespaces/{ns}/configmaps/gone")
    assert r.status == 200 and r.json()["kind"] in ("ConfigMap", "Status"), r
    assert_status(api.delete(f"/api/v1/namespaces/{ns}/configmaps/gone"), 404, "NotFound", 'configmaps "gone" not found')


# ---- unknown paths and methods: 404/405 Status, never a 500 -----------------------------------

@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v1/nosuchthings"),
    ("GET", "/api/v1/namespaces/default/nosuchthings"),
    ("GET", "/api/v1/namespaces/default/nosuchthings/x"),
    ("POST", "/api/v1/namespaces/default/nosuchthings"),
    ("GET", "/apis/apps/v1/namespaces/default/nosuch"),
    ("GET", "/apis/apps/v1/namespaces/default/deployments/x/y/z"),
    ("GET", "/apis/apps/v1/namespaces/default/deployments/x/nosub"),
    ("GET", "/api/v1/namespaces/default/nodes"),
    ("GET", "/api/v1/namespaces/default/pods/x/scale"),
    ("GET", "/apis/apps/v2/deployments"),
    ("GET", "/apis/nosuch/v1/things"),
    ("DELETE", "/apis/apps/v1/namespaces/default/deployments/x/scale"),
    ("GET", "/api/v1/pods/x"),
    ("GET", "/api/v1/namespaces//pods"),
    ("GET", "/api/v1/namespaces/default/pods/%2e%2e/%2e%2e/version"),
])
def test_unknown_resource_paths_are_a_4xx_status(api, method, path):
    r = api.request(method, path, body=b"{}" if method == "POST" else None)
    assert 400 <= r.status < 500, r
    assert r.json()["kind"] == "Status", r


def test_unsupported_methods_are_405(api):
    r = api.request("PUT", "/api/v1/namespaces/default/pods", body=b"{}")
    assert_status(r, 405, "MethodNotAllowed")


# ---- watch ------------------------------------------------------------------------------------

def test_watch_without_resource_version_sends_existing_then_live_events(api):
    ns = api.namespace()
    api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("a"))
    w = Watch(api, f"/api/v1/namespaces/{ns}/configmaps?watch=true")
    try:
        assert w.status == 200
        assert w.resp.headers.get("Content-Type", "").startswith("application/json")
        evs = w.collect(lambda e: len(e) >= 2)      # ours and the root CA publisher's
        assert sorted((e["type"], name(e["object"])) for e in evs) == [("ADDED", "a"), ("ADDED", ROOT_CA)]
        first = next(e for e in evs if name(e["object"]) == "a")
        assert first["object"]["kind"] == "ConfigMap" and first["object"]["apiVersion"] == "v1"
        api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("b"))
        api.patch(f"/api/v1/namespaces/{ns}/configmaps/a", {"data": {"k": "2"}}, "application/merge-patch+json")
        api.delete(f"/api/v1/namespaces/{ns}/configmaps/b")
        evs = w.collect(lambda e: len(e) >= 3)
        assert [(e["type"], name(e["object"])) for e in evs] == [("ADDED", "b"), ("MODIFIED", "a"), ("DELETED", "b")]
        assert evs[1]["object"]["data"] == {"k": "2"}
        rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in evs]
        assert rvs == sorted(rvs) and len(set(rvs)) == 3, rvs
    finally:
        w.close()


def test_watch_from_a_resource_version_replays_what_happened_after_it(api):
    ns = api.namespace()
    made = api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("a")).json()
    rv = made["metadata"]["resourceVersion"]
    api.patch(f"/api/v1/namespaces/{ns}/configmaps/a", {"data": {"k": "2"}}, "application/merge-patch+json")
    api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("b"))
    w = Watch(api, f"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}")
    try:
        evs = w.collect(lambda e: len(e) >= 2)
        assert [(e["type"], name(e["object"])) for e in evs] == [("MODIFIED", "a"), ("ADDED", "b")]
    finally:
        w.close()


def test_watch_applies_label_and_field_selectors_to_events(api):
    ns = api.namespace()
    rv = api.get(f"/api/v1/namespaces/{ns}/configmaps").json()["metadata"]["resourceVersion"]
    w = f = None
    try:
        api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("one", {"app": "db"}))
        api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("two", {"app": "web"}))
        # A label change that stops matching is a DELETED for the filtered watch.
        api.patch(f"/api/v1/namespaces/{ns}/configmaps/two", {"metadata": {"labels": {"app": "db"}}},
                  "application/merge-patch+json")
        api.patch(f"/api/v1/namespaces/{ns}/configmaps/one", {"metadata": {"labels": {"app": "web"}}},
                  "application/merge-patch+json")
        # Replayed from before the writes (so this does not depend on when headers are sent).
        w = Watch(api, f"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}&labelSelector=" + quote("app=web"))
        f = Watch(api, f"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}&fieldSelector=" + quote("metadata.name=two"))
        evs = w.collect(lambda e: len(e) >= 3)
        assert [(e["type"], name(e["object"])) for e in evs] == [("ADDED", "two"), ("DELETED", "two"), ("ADDED", "one")]
        evs = f.collect(lambda e: len(e) >= 2)
        assert [(e["type"], name(e["object"])) for e in evs] == [("ADDED", "two"), ("MODIFIED", "two")]
    finally:
        for x in (w, f):
            if x is not None:
                x.close()


def test_watch_sends_its_headers_before_the_first_event(api):
    """A watch with nothing to report yet must still answer 200 at once: kubectl's
    --request-timeout and client-go's retry logic start from the response headers."""
    ns = api.namespace()
    rv = api.get(f"/api/v1/namespaces/{ns}/configmaps").json()["metadata"]["resourceVersion"]
    c = api.conn(timeout=3)             # no headers within 3 s: socket.timeout fails the test
    try:
        c.request("GET", f"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}")
        r = c.getresponse()
        assert r.status == 200
    finally:
        c.close()


def test_watch_from_a_future_resource_version_is_a_504_too_large(api):
    """The apiserver waits briefly for a resourceVersion it has not reached, then answers
    504 Timeout "Too large resource version" (informers then re-list); it never hangs silently."""
    ns = api.namespace()
    current = int(api.get(f"/api/v1/namespaces/{ns}/configmaps").json()["metadata"]["resourceVersion"])
    future = current + 100_000
    c = api.conn(timeout=10)            # a silent hang fails on the socket timeout
    try:
        c.request("GET", f"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={future}")
        r = c.getresponse()
        body = r.read() if r.status != 200 else r.readline()
    finally:
        c.close()
    assert r.status == 504, (r.status, body[:300])
    st = json.loads(body)
    assert (st["kind"], st["reason"], st["code"]) == ("Status", "Timeout", 504), st
    assert st["message"].startswith(f"Too large resource version: {future}, current: "), st


def test_status_lines_carry_the_standard_reason_phrases(api):
    """Go writes "404 Not Found"; the Python client shows that phrase as ApiException.reason."""
    c = api.conn()
    try:
        c.request("GET", "/api/v1/namespaces/default/pods/nope")
        r = c.getresponse()
        r.read()
        assert (r.status, r.reason) == (404, "Not Found")
        c.request("POST", "/api/v1/namespaces/default/configmaps", body=json.dumps(cm("phrase-" + uuid.uuid4().hex[:6])),
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        assert (r.status, r.reason) == (201, "Created")
    finally:
        c.close()


def test_watch_ends_after_timeout_seconds(api):
    ns = api.namespace()
    w = Watch(api, f"/api/v1/namespaces/{ns}/configmaps?watch=true&timeoutSeconds=1")
    try:
        ev = w.next(timeout=10)                 # the namespace's root CA ConfigMap, then the end
        assert (ev["type"], name(ev["object"])) == ("ADDED", ROOT_CA)
        assert w.next(timeout=10) is None       # the stream ended (not: 10 s without an event)
    finally:
        w.close()


def test_watch_as_table_streams_one_row_tables(api):
    ns = api.namespace()
    rv = api.get(f"/api/v1/namespaces/{ns}/configmaps").json()["metadata"]["resourceVersion"]
    api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("a", data={"x": "1", "y": "2"}))
    api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("b"))
    w = Watch(api, f"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}", headers={"Accept": TABLE_ACCEPT})
    try:
        evs = w.collect(lambda e: len(e) >= 2)
        for e in evs:
            assert e["type"] == "ADDED"
            t = e["object"]
            assert (t["kind"], t["apiVersion"]) == ("Table", "meta.k8s.io/v1")
            assert len(t["rows"]) == 1
            assert t["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
        assert [c["name"] for c in evs[0]["object"]["columnDefinitions"]] == ["Name", "Data", "Age"]
        assert evs[0]["object"]["rows"][0]["cells"][:2] == ["a", 2]
        assert evs[1]["object"]["rows"][0]["cells"][0] == "b"
    finally:
        w.close()


def test_bookmarks_are_only_sent_when_asked_for_and_carry_a_resource_version(api):
    ns = api.namespace()
    rv = api.get(f"/api/v1/namespaces/{ns}/configmaps").json()["metadata"]["resourceVersion"]
    api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("a"))
    w = Watch(api, f"/api/v1/namespaces/{ns}/configmaps?watch=true&timeoutSeconds=2&resourceVersion={rv}")
    try:
        types = []
        while (ev := w.next(timeout=10)) is not None:
            types.append(ev["type"])
        assert types == ["ADDED"]
    finally:
        w.close()


def test_watch_with_a_bad_resource_version_or_timeout_is_400(api):
    assert_status(api.get("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=abc"), 400)
    assert_status(api.get("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=abc"), 400)


def test_watch_from_a_compacted_resource_version_is_one_410_error_event(kubeplay_factory, tmp_path):
    """After a restart the watch history starts afresh: an old resourceVersion is Expired."""
    srv = kubeplay_factory(state=tmp_path / "kubeplay.db")
    api = Api(srv)
    first = api.post("/api/v1/namespaces/default/configmaps", cm("old")).json()
    old_rv = int(first["metadata"]["resourceVersion"])
    for i in range(3):
        api.post("/api/v1/namespaces/default/configmaps", cm(f"later-{i}"))
    srv.stop()
    srv.start()
    api = Api(srv)
    api.post("/api/v1/namespaces/default/configmaps", cm("after"))
    w = Watch(api, f"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={old_rv}")
    try:
        assert w.status == 200
        ev = w.next(timeout=10)
        assert ev is not None and ev["type"] == "ERROR", ev
        st = ev["object"]
        assert (st["kind"], st["apiVersion"], st["status"], st["reason"], st["code"]) == \
            ("Status", "v1", "Failure", "Expired", 410), st
        assert st["message"].startswith(f"too old resource version: {old_rv} ("), st
        assert w.next(timeout=10) is None, "the stream ends after the ERROR event"
    finally:
        w.close()
    # A list then a watch from the list's resourceVersion works again.
    rv = api.get("/api/v1/namespaces/default/configmaps").json()["metadata"]["resourceVersion"]
    api.post("/api/v1/namespaces/default/configmaps", cm("newest"))
    w = Watch(api, f"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={rv}")
    try:
        evs = w.collect(lambda e: len(e) >= 1)
        assert (evs[0]["type"], name(evs[0]["object"])) == ("ADDED", "newest")
    finally:
        w.close()


# ---- selectors on lists -----------------------------------------------------------------------

@pytest.fixture
def labelled(api):
    ns = api.namespace()
    for n, labels in [("a", {"app": "web", "tier": "front"}), ("b", {"app": "web"}), ("c", {"app": "db"}), ("d", None)]:
        assert api.post(f"/api/v1/namespaces/{ns}/configmaps", cm(n, labels)).status == 201
    return ns


@pytest.mark.parametrize("selector, want", [
    ("app=web", ["a", "b"]),
    ("app==web", ["a", "b"]),
    ("app!=web", ["c", "d"]),
    ("app in (web,db)", ["a", "b", "c"]),
    ("app notin (web)", ["c", "d"]),
    ("tier", ["a"]),
    ("!tier", ["b", "c", "d"]),
    ("app=web,tier=front", ["a"]),
    ("app=nothing", []),
    ("", ["a", "b", "c", "d"]),
])
def test_label_selectors_filter_lists(api, labelled, selector, want):
    r = api.get(f"/api/v1/namespaces/{labelled}/configmaps?" + urlencode({"labelSelector": selector}))
    assert r.status == 200, r
    assert sorted(name(o) for o in ours(r.json()["items"])) == want


@pytest.mark.parametrize("selector, want", [
    ("metadata.name=b", ["b"]),
    ("metadata.name!=b", ["a", "c", "d"]),
    ("metadata.name==c", ["c"]),
])
def test_field_selectors_filter_lists(api, labelled, selector, want):
    r = api.get(f"/api/v1/namespaces/{labelled}/configmaps?" + urlencode({"fieldSelector": selector}))
    assert r.status == 200, r
    assert sorted(name(o) for o in ours(r.json()["items"])) == want


def test_field_selector_on_namespace_across_all_namespaces(api, labelled):
    r = api.get("/api/v1/configmaps?" + urlencode({"fieldSelector": f"metadata.namespace={labelled}"}))
    assert sorted(name(o) for o in ours(r.json()["items"])) == ["a", "b", "c", "d"]
    assert {o["metadata"]["namespace"] for o in r.json()["items"]} == {labelled}


@pytest.mark.parametrize("query", [
    {"labelSelector": "app in web"},
    {"labelSelector": "app=(x"},
    {"labelSelector": "=web"},
    {"labelSelector": "a" * 400 + "=b"},
    {"fieldSelector": "spec.nosuchfield=x"},
    {"fieldSelector": "metadata.name"},
])
def test_malformed_selectors_are_400(api, query):
    assert_status(api.get("/api/v1/namespaces/default/configmaps?" + urlencode(query)), 400, "BadRequest")


def test_list_of_an_empty_namespace_has_an_empty_items_array(api):
    ns = api.namespace()
    body = api.get(f"/api/v1/namespaces/{ns}/pods").json()
    assert body["items"] == [] and body["kind"] == "PodList" and body["apiVersion"] == "v1"
    assert body["metadata"]["resourceVersion"]


# ---- Tables -----------------------------------------------------------------------------------

def test_pod_list_as_table(api):
    ns = api.namespace()
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p1", "labels": {"run": "p1"}},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    assert api.post(f"/api/v1/namespaces/{ns}/pods", pod).status == 201
    r = api.get(f"/api/v1/namespaces/{ns}/pods?limit=500", headers={"Accept": TABLE_ACCEPT})
    assert r.status == 200
    t = r.json()
    assert (t["kind"], t["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    assert t["metadata"]["resourceVersion"]
    cols = [(c["name"], c["type"], c["priority"]) for c in t["columnDefinitions"]]
    assert cols == [("Name", "string", 0), ("Ready", "string", 0), ("Status", "string", 0),
                    ("Restarts", "string", 0), ("Age", "string", 0), ("IP", "string", 1),
                    ("Node", "string", 1), ("Nominated Node", "string", 1), ("Readiness Gates", "string", 1)]
    assert t["columnDefinitions"][0]["format"] == "name"
    assert len(t["rows"]) == 1
    row = t["rows"][0]
    assert len(row["cells"]) == len(cols)
    # READY is 0/1 until the kubelet starts the container, 1/1 after: at --speed 20 either may be read.
    assert row["cells"][0] == "p1" and row["cells"][1] in ("0/1", "1/1")
    obj = row["object"]
    assert (obj["kind"], obj["apiVersion"]) == ("PartialObjectMetadata", "meta.k8s.io/v1")
    md = obj["metadata"]
    assert (md["name"], md["namespace"], md["labels"]) == ("p1", ns, {"run": "p1"})
    assert md["uid"] and md["resourceVersion"] and md["creationTimestamp"]
    assert "spec" not in obj


def test_table_include_object_variants(api):
    ns = api.namespace()
    api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("x"))
    full = api.get(f"/api/v1/namespaces/{ns}/configmaps?includeObject=Object", headers={"Accept": TABLE_ACCEPT}).json()
    row = next(r for r in full["rows"] if r["cells"][0] == "x")     # (beside the root CA's)
    assert row["object"]["kind"] == "ConfigMap" and row["object"]["data"] == {"k": "v"}
    none = api.get(f"/api/v1/namespaces/{ns}/configmaps?includeObject=None", headers={"Accept": TABLE_ACCEPT}).json()
    assert next(r for r in none["rows"] if r["cells"][0] == "x").get("object") is None


def test_single_object_get_as_table_is_one_row(api):
    ns = api.namespace()
    api.post(f"/apis/apps/v1/namespaces/{ns}/deployments", deployment("web", replicas=0))
    t = api.get(f"/apis/apps/v1/namespaces/{ns}/deployments/web", headers={"Accept": TABLE_ACCEPT}).json()
    assert t["kind"] == "Table"
    assert [c["name"] for c in t["columnDefinitions"]] == ["Name", "Ready", "Up-to-date", "Available", "Age",
                                                           "Containers", "Images", "Selector"]
    assert t["rows"][0]["cells"][:4] == ["web", "0/0", 0, 0]
    assert t["rows"][0]["cells"][5:] == ["app", "nginx", "app=web"]


def test_plain_json_accept_gets_a_list_not_a_table(api):
    r = api.get("/api/v1/namespaces/default/pods", headers={"Accept": "application/json"})
    assert r.json()["kind"] == "PodList"


# ---- patches ----------------------------------------------------------------------------------

@pytest.fixture
def patchable(api):
    ns = api.namespace()
    assert api.post(f"/api/v1/namespaces/{ns}/configmaps", cm("p", {"a": "1"})).status == 201
    return ns, f"/api/v1/namespaces/{ns}/configmaps/p"


def test_the_three_patch_types_apply(api, patchable):
    _, path = patchable
    r = api.patch(path, {"data": {"k": None, "n": "1"}}, "application/merge-patch+json")
    assert r.status == 200 and r.json()["data"] == {"n": "1"}, r
    r = api.patch(path, [{"op": "add", "path": "/data/m", "value": "2"}], "application/json-patch+json")
    assert r.status == 200 and r.json()["data"] == {"n": "1", "m": "2"}, r
    r = api.patch(path, {"metadata": {"labels": {"b": "2"}}}, "application/strategic-merge-patch+json")
    assert r.status == 200 and r.json()["metadata"]["labels"] == {"a": "1", "b": "2"}, r


@pytest.mark.parametrize("content_type, body", [
    ("application/merge-patch+json", b"{not json"),
    ("application/merge-patch+json", b""),
    ("application/strategic-merge-patch+json", b"[1, 2]"),
    ("application/strategic-merge-patch+json", b'"a string"'),
    ("application/json-patch+json", b'{"op": "add"}'),
    ("application/json-patch+json", b'[{"op": "frobnicate", "path": "/data/x"}]'),
    ("application/json-patch+json", b'[{"op": "add", "path": "no-slash", "value": 1}]'),
    ("application/json-patch+json", b'[{"op": "add", "path": "/data/x"}]'),
    ("application/json-patch+json", b'[{"op": "remove", "path": "/data/does-not-exist"}]'),
    ("application/json-patch+json", b'[{"op": "replace", "path": "/metadata/labels/~2", "value": "x"}]'),
    ("application/json-patch+json", b'[{"op": "add", "path": "/data/0/1/2", "value": 1}]'),
    ("application/json-patch+json", b'[{"op": "move", "from": "/data", "path": "/data/k"}]'),
    ("application/json-patch+json", b'[{"op": "test", "path": "/data/k", "value": "other"}]'),
    ("application/json-patch+json", b'[{"op": "replace", "path": "/kind", "value": "Secret"}]'),
    ("application/merge-patch+json", b'{"metadata": {"name": "renamed"}}'),
    ("application/merge-patch+json", b'{"data": {"k": {"nested": 1}}}'),
    ("application/strategic-merge-patch+json", b'{"data": {"$patch": "frobnicate"}}'),
    ("application/merge-patch+json", b"\xff\xfe\x00garbage"),
])
def test_bad_patch_bodies_are_a_4xx(api, patchable, content_type, body):
    _, path = patchable
    r = api.patch(path, body, content_type)
    assert 400 <= r.status < 500, r
    assert r.json()["kind"] == "Status", r
    assert api.get(path).json()["metadata"]["name"] == "p"


def test_merge_patch_dropping_metadata_never_500s_and_keeps_the_object(api, patchable):
    _, path = patchable
    r = api.patch(path, b'{"metadata": null}', "application/merge-patch+json")
    assert r.status < 500, r
    assert api.get(path).json()["metadata"]["name"] == "p"


def test_unknown_patch_content_type_is_415(api, patchable):
    _, path = patchable
    assert_status(api.patch(path, b"{}", "text/plain"), 415, "UnsupportedMediaType")


def test_patch_of_a_missing_object_is_404(api):
    assert_status(api.patch("/api/v1/namespaces/default/configmaps/missing", {"data": {}},
                            "application/merge-patch+json"), 404, "NotFound", 'configmaps "missing" not found')


# ---- hostile input ----------------------------------------------------------------------------

def test_a_5mb_body_is_413(api):
    big = json.dumps(cm("big", data={"blob": "x" * (5 * 1024 * 1024)})).encode()
    c = api.conn(timeout=30)
    try:
        c.putrequest("POST", "/api/v1/namespaces/default/configmaps")
        c.putheader("Content-Type", "application/json")
        c.putheader("Content-Length", str(len(big)))
        c.endheaders()
        try:
            c.send(big)
        except (BrokenPipeError, ConnectionResetError):
            pass                # the server may answer before reading it all; the answer is what counts
        r = c.getresponse()
        body = r.read()
    finally:
        c.close()
    assert r.status == 413, (r.status, body[:300])
    st = json.loads(body)
    assert (st["kind"], st["code"]) == ("Status", 413)
    assert api.get("/api/v1/namespaces/default/configmaps/big").status == 404


def test_a_chunked_5mb_body_is_413(api):
    c = api.conn(timeout=30)
    chunk = b"x" * (1024 * 1024)
    try:
        c.putrequest("POST", "/api/v1/namespaces/default/configmaps")
        c.putheader("Content-Type", "application/json")
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        try:
            c.send(b'{"metadata":{"name":"chunky"},"data":{"x":"')
            for _ in range(5):
                c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            c.send(b'"}}')
            c.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        r = c.getresponse()
        body = r.read()
    finally:
        c.close()
    assert 400 <= r.status < 500, (r.status, body[:300])


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":' + b'{"a":' * 5000 + b'"x"' + b"}" * 5000 + b"}",
])
def test_deeply_nested_json_is_400(api, body):
    r = api.post("/api/v1/namespaces/default/configmaps", body)
    assert 400 <= r.status < 500, r
    assert r.json()["kind"] == "Status"


YAML_BOMB = b"""apiVersion: v1
kind: ConfigMap
metadata:
  name: bomb
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
data:
  k: *i
"""


# The same bomb under an unknown field: only strict validation looks at field names first.
YAML_BOMB_UNKNOWN_FIELD = YAML_BOMB.replace(b"data:\n  k: *i\n", b"data: {}\nextra:\n  k: *i\n")


@pytest.mark.parametrize("body, query", [
    (YAML_BOMB, ""),
    (YAML_BOMB_UNKNOWN_FIELD, ""),
    (YAML_BOMB_UNKNOWN_FIELD, "?fieldValidation=Strict"),
    (YAML_BOMB_UNKNOWN_FIELD, "?fieldValidation=Ignore"),
    (YAML_BOMB_UNKNOWN_FIELD, "?fieldValidation=Warn"),
], ids=["in-data", "unknown-field", "unknown-field-strict", "unknown-field-ignore", "unknown-field-warn"])
def test_a_yaml_alias_bomb_is_refused_quickly(kubeplay_server, body, query):
    """Own server: a bomb that gets through would eat memory until it is killed."""
    api = Api(kubeplay_server)
    assert body.count(b"*i") == 1
    try:
        r = api.post("/api/v1/namespaces/default/configmaps" + query, body,
                     headers={"Content-Type": "application/yaml"}, timeout=10)
    except (TimeoutError, socket.timeout):
        raise AssertionError("no answer within 10s (the alias expansion is being walked)") from None
    assert 400 <= r.status < 500, r
    assert r.json()["kind"] == "Status"
    assert api.healthy()


def test_plain_yaml_bodies_are_accepted(api):
    ns = api.namespace()
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: b\n"
    r = api.post(f"/api/v1/namespaces/{ns}/configmaps", body, headers={"Content-Type": "application/yaml"})
    assert r.status == 201, r
    assert r.json()["data"] == {"a": "b"}


@pytest.mark.parametrize("body", [
    b"", b"null", b"[]", b'"string"', b"42", b"{", b"\xff\xfe\xfd",
    b'{"apiVersion":"v1","kind":"ConfigMap","metadata":null}',
    b'{"apiVersion":"v1","kind":"ConfigMap","metadata":[]}',
    b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":42}}',
    b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":"notamap"}}',
    b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":{"a":1}}}',
    b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":[1,2]}',
    b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"k":1}}',
    b'{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}}',
    b'{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"}}',
    b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"' + b"n" * 10_000 + b'"}}',
    b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"../../etc"}}',
    b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"' + b"g" * 300 + b'"}}',
    b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"elsewhere"}}',
])
def test_malformed_create_bodies_are_a_4xx(api, body):
    r = api.post("/api/v1/namespaces/default/configmaps", body)
    assert 400 <= r.status < 500, r
    assert r.json()["kind"] == "Status", r


@pytest.mark.parametrize("spec", [
    {"replicas": "three"},
    {"replicas": 10 ** 30},
    {"replicas": -1},
    {"replicas": 1.5},
    {"replicas": None, "selector": "app=x"},
    {"template": []},
    {"template": {"spec": {"containers": "nginx"}}},
    {"template": {"spec": {"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": "eighty"}]}]}}},
    {"template": {"spec": {"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "lots"}}}]}}},
    {"strategy": {"type": "Teleport"}},
    {"strategy": {"rollingUpdate": {"maxSurge": "200x"}}},
])
def test_malformed_deployments_are_a_4xx(api, spec):
    ns = api.namespace()
    d = deployment("bad", replicas=1)
    for key, value in spec.items():
        if key == "template" and isinstance(value, dict):
            d["spec"]["template"]["spec"].update(value["spec"])
        else:
            d["spec"][key] = value
    r = api.post(f"/apis/apps/v1/namespaces/{ns}/deployments", d)
    assert 400 <= r.status < 500, r
    assert r.json()["kind"] == "Status", r


def test_absurd_replica_counts_are_forbidden_by_the_quota(api):
    ns = api.namespace()
    body = assert_status(api.post(f"/apis/apps/v1/namespaces/{ns}/deployments", deployment("huge", replicas=100_000)),
                         403, "Forbidden")
    assert body["message"].startswith('deployments.apps "huge" is forbidden: '), body
    assert "100000" in body["message"]
    assert api.post(f"/apis/apps/v1/namespaces/{ns}/deployments", deployment("ok", replicas=0)).status == 201
    r = api.patch(f"/apis/apps/v1/namespaces/{ns}/deployments/ok/scale", {"spec": {"replicas": 100_000}},
                  "application/merge-patch+json")
    assert_status(r, 403, "Forbidden")


@pytest.mark.parametrize("query", [
    "limit=abc", "limit=-1", "resourceVersion=" + "9" * 100, "resourceVersion=-5",
    "labelSelector=" + "a%3Db," * 2000, "fieldSelector=%00", "watch=maybe", "includeObject=Everything",
    "timeoutSeconds=1e999&watch=1", "timeoutSeconds=-1&watch=1", "timeoutSeconds=nan&watch=1",
    "resourceVersion=" + "9" * 100 + "&watch=1",
])
def test_odd_query_parameters_never_500(api, query):
    """Each answers promptly with a 4xx, or a 200 (a watch then streams: only its status is read).
    A watch from a resourceVersion in the future may also be the apiserver's 504 Timeout
    ("Too large resource version")."""
    c = api.conn(timeout=10)
    try:
        c.request("GET", f"/api/v1/namespaces/default/configmaps?{query}", headers={"Accept": TABLE_ACCEPT})
        r = c.getresponse()
        ok = r.status < 500 or (r.status == 504 and "watch=1" in query and "resourceVersion" in query)
        assert ok, (r.status, r.read(300) if r.status >= 400 else b"")
        if r.status >= 400:
            assert json.loads(r.read())["kind"] == "Status"
    finally:
        c.close()


def test_malformed_create_with_a_resource_version_is_never_500(api):
    ns = api.namespace()
    r = api.post(f"/api/v1/namespaces/{ns}/configmaps",
                 b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","resourceVersion":"nope"}}')
    assert r.status < 500, r


def test_a_slow_client_does_not_block_other_requests(api):
    s = socket.create_connection(("127.0.0.1", api.port), timeout=10)
    try:
        s.sendall(b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
        assert api.healthy()                       # (each request has its own socket timeout)
        assert api.get("/api/v1/namespaces").status == 200
    finally:
        s.close()
