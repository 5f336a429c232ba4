"""Issue 7: no web page can reach into the learner's server.

Against a real `kubeplay serve` (tests/conftest.py): cross-site requests (every state-changing
route × every content type a page can send without a preflight) and DNS-rebinding requests
(a foreign Host) are refused with a Status and store nothing; the WebSocket refuses a foreign
Host or Origin; bodies in other media types are 415 with the apiserver's text; the runtime files
are 0600 and the access log never shows the token; a bad --state is refused in one line."""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from rawhttp import request, websocket_handshake

PAGE = {"X-Kubeplay-Request": "page"}
EVIL = "http://evil.example"
FORM_TYPES = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None]

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "csrf-pod"},
       "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
NS = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "csrf-ns"}}
CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "csrf-cm"}, "data": {"a": "b"}}
DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "csrf-deploy"},
          "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "x"}},
                   "template": {"metadata": {"labels": {"app": "x"}},
                                "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}

# Every state-changing route, with the body a hostile page would send to it.
WRITES = [
    ("POST", "/api/v1/namespaces/default/pods", POD),
    ("POST", "/api/v1/namespaces", NS),
    ("POST", "/api/v1/namespaces/default/configmaps", CM),
    ("POST", "/apis/apps/v1/namespaces/default/deployments", DEPLOY),
    ("PUT", "/api/v1/namespaces/default/configmaps/keep", dict(CM, metadata={"name": "keep"}, data={"hacked": "1"})),
    ("PATCH", "/api/v1/nodes/node-1", {"spec": {"unschedulable": True}}),
    ("PATCH", "/apis/apps/v1/namespaces/default/deployments/keep/scale", {"spec": {"replicas": 0}}),
    ("DELETE", "/api/v1/nodes/node-3", None),
    ("DELETE", "/api/v1/namespaces/default/configmaps/keep", None),
    ("DELETE", "/api/v1/namespaces/default/configmaps", None),
    ("POST", "/api/v1/namespaces/default/pods/victim/eviction",
     {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "victim"}}),
    ("POST", "/api/v1/namespaces/default/pods/victim/binding",
     {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "victim"}, "target": {"name": "node-2"}}),
    ("POST", "/kubeplay/v1/nodes/node-1/fail", {}),
    ("POST", "/kubeplay/v1/nodes/node-2/drain", {}),
    ("POST", "/kubeplay/v1/nodes/node-1/recover", {}),
    ("POST", "/kubeplay/v1/nodes", {"name": "csrf-node"}),
    ("POST", "/kubeplay/v1/clock", {"paused": True}),
    ("POST", "/kubeplay/v1/timings", {"realistic": True}),
    ("POST", "/kubeplay/v1/apply", {"yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: csrf-apply}\n"}),
    ("POST", "/kubeplay/v1/delete", {"yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep}\n"}),
    ("POST", "/kubeplay/v1/terminal", {"command": "kubectl delete configmap keep"}),
    ("POST", "/kubeplay/v1/ingress/request", {"host": "shop.example", "path": "/"}),
    ("POST", "/kubeplay/v1/scenarios/scaling/start", {}),
]


def _ok_headers(port, extra=None):
    return {"Host": f"127.0.0.1:{port}", "Content-Type": "application/json", **(extra or {})}


def _snapshot(srv) -> dict:
    """Everything a refused request could have changed."""
    port = srv.port
    out = {}
    for path in ("/api/v1/pods", "/api/v1/namespaces", "/api/v1/configmaps", "/apis/apps/v1/deployments",
                 "/api/v1/nodes"):
        st, body, _ = request(port, "GET", path, headers={"Host": f"127.0.0.1:{port}"})
        assert st == 200, body
        out[path] = sorted((i["metadata"].get("namespace", ""), i["metadata"]["name"],
                            json.dumps(i.get("spec"), sort_keys=True) if path != "/api/v1/pods" else
                            bool(i["metadata"].get("deletionTimestamp")),
                            json.dumps(i.get("data"), sort_keys=True))
                           for i in body["items"])
    st, body, _ = request(port, "GET", "/kubeplay/v1/nodes", headers={"Host": f"127.0.0.1:{port}"})
    out["failed"] = body["failed"]
    st, body, _ = request(port, "GET", "/kubeplay/v1/clock", headers={"Host": f"127.0.0.1:{port}"})
    out["clock"] = (body["paused"], body["speed"], body["realisticTimings"])
    return out


@pytest.fixture(scope="module")
def seeded(kubeplay_module_server):
    srv = kubeplay_module_server
    port = srv.port
    for path, obj in (("/api/v1/namespaces/default/configmaps", dict(CM, metadata={"name": "keep"})),
                      ("/apis/apps/v1/namespaces/default/deployments", dict(DEPLOY, metadata={"name": "keep"})),
                      ("/api/v1/namespaces/default/pods", dict(POD, metadata={"name": "victim"}))):
        st, body, _ = request(port, "POST", path, json.dumps(obj), _ok_headers(port))
        assert st == 201, body
    # Settle: the pod is bound and running and the deployment's pod exists, so the snapshot
    # below only changes if a refused request got through.
    srv.wait_until(lambda: request(port, "GET", "/api/v1/namespaces/default/pods/victim",
                                   headers={"Host": f"127.0.0.1:{port}"})[1].get("status", {}).get("phase") == "Running",
                   message="the victim pod running")
    srv.wait_until(lambda: request(port, "GET", "/apis/apps/v1/namespaces/default/deployments/keep",
                                   headers={"Host": f"127.0.0.1:{port}"})[1].get("status", {}).get("readyReplicas") == 1,
                   message="the deployment ready")
    st, _, _ = request(port, "POST", "/kubeplay/v1/clock", json.dumps({"paused": True}), _ok_headers(port, PAGE))
    assert st == 200
    return srv


def _assert_refused(status, body, codes=(403, 415)):
    assert status in codes, (status, body)
    assert isinstance(body, dict) and body.get("kind") == "Status" and body.get("status") == "Failure", body
    assert body["code"] == status


@pytest.mark.parametrize("ctype", FORM_TYPES, ids=["text-plain", "urlencoded", "multipart", "no-type"])
def test_cross_site_writes_are_refused_and_change_nothing(seeded, ctype):
    """What a hostile page can send without a preflight: a form (text/plain, urlencoded,
    multipart) or a no-cors fetch (no Content-Type), always with the browser's Origin."""
    srv, port = seeded, seeded.port
    before = _snapshot(srv)
    for method, path, body in WRITES:
        headers = {"Host": f"127.0.0.1:{port}", "Origin": EVIL, "Sec-Fetch-Site": "cross-site"}
        if ctype:
            headers["Content-Type"] = ctype
        st, resp, _ = request(port, method, path, json.dumps(body) if body is not None else None, headers)
        _assert_refused(st, resp)
        assert st == 403 and "evil.example" in resp["message"], (method, path, resp)
    assert _snapshot(srv) == before


@pytest.mark.parametrize("ctype", FORM_TYPES, ids=["text-plain", "urlencoded", "multipart", "no-type"])
def test_form_posts_without_origin_are_refused_too(seeded, ctype):
    """A browser that sends no Origin (forms and no-cors fetches can only POST): the page's
    endpoints still want JSON and the page's header, the API one of its own media types (no
    Content-Type is JSON there, as upstream: kubectl-like clients send JSON without one)."""
    srv, port = seeded, seeded.port
    before = _snapshot(srv)
    for method, path, body in WRITES:
        if method != "POST" or (ctype is None and path.startswith("/api")):
            continue
        headers = {"Host": f"127.0.0.1:{port}"}
        if ctype:
            headers["Content-Type"] = ctype
        st, resp, _ = request(port, method, path, json.dumps(body), headers)
        _assert_refused(st, resp)
    assert _snapshot(srv) == before


def test_page_endpoints_need_the_page_header_even_with_json(seeded):
    srv, port = seeded, seeded.port
    before = _snapshot(srv)
    for method, path, body in WRITES:
        if not path.startswith("/kubeplay/"):
            continue
        st, resp, _ = request(port, method, path, json.dumps(body), _ok_headers(port))
        _assert_refused(st, resp, (403,))
        assert "X-Kubeplay-Request" in resp["message"]
        # …and a page on the same site but another origin is refused too.
        st, resp, _ = request(port, method, path, json.dumps(body),
                              _ok_headers(port, dict(PAGE, **{"Sec-Fetch-Site": "same-site"})))
        _assert_refused(st, resp, (403,))
    assert _snapshot(srv) == before


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}",
                                  "localhost:1", "127.0.0.1:{other}", "[::2]:{port}", "", "a b"])
def test_a_foreign_host_is_refused_for_reads_and_writes(seeded, host):
    """DNS rebinding: the page's own name, resolved to 127.0.0.1, arrives as the Host."""
    srv, port = seeded, seeded.port
    host = host.format(port=port, other=port + 1)
    before = _snapshot(srv)
    for method, path, body in [("GET", "/api/v1/pods", None), ("GET", "/", None),
                               ("GET", "/kubeplay/v1/clock", None), ("GET", "/static/js/api.js", None)] + WRITES:
        st, resp, _ = request(port, method, path, json.dumps(body) if body is not None else None,
                              {"Host": host, "Content-Type": "application/json", **PAGE})
        _assert_refused(st, resp, (403,))
        assert "--allow-host" in resp["message"], resp
    assert _snapshot(srv) == before


def test_same_origin_page_requests_pass(seeded):
    """What the page itself sends (Origin of the server, Sec-Fetch-Site same-origin, the header)."""
    port = seeded.port
    for origin_host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        hdrs = {"Host": origin_host, "Origin": f"http://{origin_host}", "Sec-Fetch-Site": "same-origin",
                "Content-Type": "application/json", **PAGE}
        st, body, _ = request(port, "POST", "/kubeplay/v1/terminal", json.dumps({"command": "kubectl get ns"}), hdrs)
        assert st == 200 and "kube-system" in body["output"], body
        st, body, _ = request(port, "PATCH", "/apis/apps/v1/namespaces/default/deployments/keep/scale",
                              json.dumps({"spec": {"replicas": 1}}), dict(hdrs, **{"Content-Type": "application/merge-patch+json"}))
        assert st == 200, body
    for host in (f"[::1]:{port}", "127.0.0.1", "localhost"):      # no port: some clients omit it
        st, body, _ = request(port, "GET", "/api/v1/namespaces", headers={"Host": host})
        assert st == 200, (host, body)


def test_the_websocket_refuses_a_foreign_host_or_origin(seeded):
    port = seeded.port
    assert " 403 " in websocket_handshake(port, f"evil.example:{port}") + " "
    # A rebound page sends Origin and Host that match each other: still refused.
    assert " 403 " in websocket_handshake(port, f"evil.example:{port}", origin=f"http://evil.example:{port}") + " "
    assert " 403 " in websocket_handshake(port, f"127.0.0.1:{port}", origin=EVIL) + " "
    assert " 403 " in websocket_handshake(port, f"127.0.0.1:{port}", origin="null") + " "
    assert " 101 " in websocket_handshake(port, f"127.0.0.1:{port}", origin=f"http://127.0.0.1:{port}") + " "
    assert " 101 " in websocket_handshake(port, f"localhost:{port}", origin=f"http://localhost:{port}") + " "


def test_allow_host_admits_a_name(kubeplay_factory):
    srv = kubeplay_factory(extra_args=("--allow-host", "kubeplay.test", "--allow-host", "proxy.test:9999"))
    port = srv.port
    assert request(port, "GET", "/api/v1/pods", headers={"Host": f"kubeplay.test:{port}"})[0] == 200
    assert request(port, "GET", "/api/v1/pods", headers={"Host": "proxy.test:9999"})[0] == 200
    assert request(port, "GET", "/api/v1/pods", headers={"Host": f"proxy.test:{port}"})[0] == 403
    assert " 101 " in websocket_handshake(port, f"kubeplay.test:{port}", origin=f"http://kubeplay.test:{port}") + " "
    st, body, _ = request(port, "GET", "/api/v1/pods", headers={"Host": f"other.test:{port}"})
    assert st == 403 and body["reason"] == "Forbidden" and "--allow-host other.test" in body["message"]


# ---- media types -------------------------------------------------------------------------------

BODY_415 = ("the body of the request was in an unknown format - accepted media types include: "
            "application/json, application/yaml, application/vnd.kubernetes.protobuf")
PATCH_415 = ("the body of the request was in an unknown format - accepted media types include: "
             "application/json-patch+json, application/merge-patch+json, "
             "application/strategic-merge-patch+json, application/apply-patch+yaml")


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                   "application/xml", "text/yaml", "application/cbor", "*/*", "application/json-patch+json"])
def test_other_media_types_are_415_with_the_apiservers_text(seeded, ctype):
    port = seeded.port
    st, body, _ = request(port, "POST", "/api/v1/namespaces/default/configmaps",
                          json.dumps(dict(CM, metadata={"name": "m415"})), {"Host": f"127.0.0.1:{port}", "Content-Type": ctype})
    assert (st, body["reason"], body["message"]) == (415, "UnsupportedMediaType", BODY_415)
    st, body, _ = request(port, "PUT", "/api/v1/namespaces/default/configmaps/keep",
                          json.dumps(dict(CM, metadata={"name": "keep"})), {"Host": f"127.0.0.1:{port}", "Content-Type": ctype})
    assert (st, body["message"]) == (415, BODY_415)
    st, _, _ = request(port, "GET", "/api/v1/namespaces/default/configmaps/m415", headers={"Host": f"127.0.0.1:{port}"})
    assert st == 404


@pytest.mark.parametrize("ctype", ["application/json", "text/plain", "", "application/yaml", "application/apply-patch+cbor"])
def test_a_patch_in_another_type_is_415(seeded, ctype):
    port = seeded.port
    hdrs = {"Host": f"127.0.0.1:{port}"}
    if ctype:
        hdrs["Content-Type"] = ctype
    st, body, _ = request(port, "PATCH", "/api/v1/namespaces/default/configmaps/keep", '{"data":{"x":"1"}}', hdrs)
    assert (st, body["message"]) == (415, PATCH_415)


def test_json_yaml_and_the_patch_types_pass_the_gate(seeded):
    port = seeded.port
    h = {"Host": f"127.0.0.1:{port}"}
    st, body, _ = request(port, "POST", "/api/v1/namespaces/default/configmaps",
                          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-yaml}\n", dict(h, **{"Content-Type": "application/yaml"}))
    assert st == 201, body
    st, body, _ = request(port, "POST", "/api/v1/namespaces/default/configmaps",
                          json.dumps(dict(CM, metadata={"name": "from-json"})), dict(h, **{"Content-Type": "application/json; charset=utf-8"}))
    assert st == 201, body
    for ptype, patch in (("application/merge-patch+json", {"data": {"m": "1"}}),
                         ("application/strategic-merge-patch+json", {"data": {"s": "1"}}),
                         ("application/json-patch+json", [{"op": "add", "path": "/data/j", "value": "1"}])):
        st, body, _ = request(port, "PATCH", "/api/v1/namespaces/default/configmaps/from-json", json.dumps(patch),
                              dict(h, **{"Content-Type": ptype}))
        assert st == 200, body
    # Server-side apply is implemented elsewhere: the gate must not be what refuses its type.
    st, body, _ = request(port, "PATCH", "/api/v1/namespaces/default/configmaps/from-json?fieldManager=t",
                          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-json}\n",
                          dict(h, **{"Content-Type": "application/apply-patch+yaml"}))
    assert body.get("message") != PATCH_415


def test_page_endpoints_take_json_only(seeded):
    port = seeded.port
    for ctype in ("application/yaml", "text/plain", "application/merge-patch+json"):
        st, body, _ = request(port, "POST", "/kubeplay/v1/clock", json.dumps({"paused": True}),
                              {"Host": f"127.0.0.1:{port}", "Content-Type": ctype, **PAGE})
        assert st == 415 and body["message"].endswith("accepted media types include: application/json")


# ---- secrets -----------------------------------------------------------------------------------

def test_runtime_files_are_private_and_the_access_log_shows_no_token(kubeplay_factory):
    token = "s3cr3t-t0ken-for-the-log-test"
    srv = kubeplay_factory(extra_args=("--token", token, "--access-log"))
    runtime = srv.home / ".kubeplay"
    for name in ("server.json", "kubeconfig"):
        assert stat.S_IMODE(os.stat(runtime / name).st_mode) == 0o600, name
    assert stat.S_IMODE(os.stat(runtime).st_mode) & 0o077 == 0
    import urllib.request
    for path in (f"/?token={token}", f"/api/v1/pods?limit=1&token={token}", f"/api/v1/pods?token={token}&x=1"):
        with srv.opener.open(srv.url + path, timeout=10) as r:
            assert r.status == 200
    req = urllib.request.Request(srv.url + "/api/v1/nodes", headers={"Authorization": f"Bearer {token}"})
    with srv.opener.open(req, timeout=10) as r:
        assert r.status == 200
    srv.wait_until(lambda: srv.log().count("GET /api/v1/nodes") >= 1, message="the access log line")
    access = [line for line in srv.log().splitlines() if '"GET ' in line]
    assert len(access) >= 4, srv.log()
    assert not any(token in line for line in access), access
    assert any("token=***" in line for line in access), access


# ---- the state file ----------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]


def _serve(tmp_path, state) -> subprocess.CompletedProcess:
    env = dict(os.environ, HOME=str(tmp_path / "home"))
    return subprocess.run([sys.executable, "-m", "webapp", "serve", "--no-browser", "--port", "0",
                           "--state", str(state)], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)


def _digest(path) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _foreign(p):
    db = sqlite3.connect(p)
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
    db.execute("INSERT INTO users (email) VALUES ('a@example.com')")
    db.commit()
    db.close()


def _ours_truncated(p):
    db = sqlite3.connect(p)
    db.execute("CREATE TABLE objects (resource TEXT, namespace TEXT, name TEXT, data TEXT, PRIMARY KEY (resource, namespace, name))")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.executemany("INSERT INTO objects VALUES ('configmaps', 'default', ?, ?)",
                   [(f"cm{i}", json.dumps({"metadata": {"name": f"cm{i}"}, "data": {"x": "y" * 200}})) for i in range(2000)])
    db.commit()
    db.close()
    with open(p, "r+b") as f:
        f.truncate(os.path.getsize(p) // 3)


def _ours_bad_rows(p):
    db = sqlite3.connect(p)
    db.execute("CREATE TABLE objects (resource TEXT, namespace TEXT, name TEXT, data TEXT, PRIMARY KEY (resource, namespace, name))")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("INSERT INTO objects VALUES ('configmaps', 'default', 'x', '{not json')")
    db.commit()
    db.close()


@pytest.mark.parametrize("make,words", [
    (lambda p: p.mkdir(), "is a directory"),
    (lambda p: p.write_bytes(os.urandom(8192)), "not a kubeplay state file"),
    (lambda p: p.write_bytes(b"SQLite format 3\x00" + os.urandom(3000)), "damaged"),
    # The same with a 4096-byte page and a header that says WAL (bytes 18-19 are 2): even a
    # read-only open makes state.db-wal and -shm beside it, which the check must take away
    # again (the random header above says so once in 256 runs).
    (lambda p: p.write_bytes(b"SQLite format 3\x00\x10\x00\x02\x02" + os.urandom(2996)), "damaged"),
    (_foreign, "another program"),
    (_ours_truncated, "damaged or truncated"),
    (_ours_bad_rows, "cannot be read"),
    (lambda p: (p.write_bytes(b""), p.chmod(0o444)), "read-only"),
], ids=["directory", "random-bytes", "bad-sqlite", "bad-sqlite-wal", "foreign-sqlite", "truncated", "bad-rows", "read-only"])
def test_a_bad_state_file_is_refused_in_one_line(tmp_path, make, words):
    state = tmp_path / "state.db"
    make(state)
    before = _digest(state) if state.is_file() else None
    cp = _serve(tmp_path, state)
    assert cp.returncode == 2, cp.stdout + cp.stderr
    lines = cp.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(("kubeplay: --state", "kubeplay: the state file")), cp.stderr
    assert words in lines[0] and "Traceback" not in cp.stderr
    if before is not None and words != "cannot be read":
        assert _digest(state) == before, "the file was modified"
        assert not (tmp_path / "state.db-wal").exists() and not (tmp_path / "state.db-shm").exists()
