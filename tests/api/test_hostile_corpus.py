"""The hostile-request corpus (tests/api/hostile/corpus.jsonl, written by generate.py there) against
a real `kubeplay serve`: every request is answered 4xx with a Status (or the page's JSON error),
none is a 500 or takes over 10 s, the server is ready afterwards, and nothing was stored."""
from __future__ import annotations

import base64
import json
from pathlib import Path

from rawhttp import request, send_raw

CORPUS = Path(__file__).parent / "hostile" / "corpus.jsonl"
DEADLINE = 10.0             # seconds a single answer may take (a socket timeout fails the test)


def _load() -> list[dict]:
    with open(CORPUS) as f:
        return [json.loads(line) for line in f if line.strip()]


def _body(spec: dict | None) -> bytes | None:
    if spec is None:
        return None
    if "text" in spec:
        return spec["text"].encode("utf-8", "surrogatepass")
    if "b64" in spec:
        return base64.b64decode(spec["b64"])
    r = spec["repeat"]
    return (r["head"] + r["unit"] * r["count"] + r["tail"]).encode()


def _raw_request(e: dict, host: str) -> bytes:
    if "raw" in e:
        return _body(e["raw"]).replace(b"{host}", host.encode())
    headers = {k: v.replace("{host}", host).replace("{port}", host.rsplit(":", 1)[1])
               for k, v in e["headers"].items()}
    headers.setdefault("Host", host)
    body = _body(e.get("body"))
    lines = [f"{e['method']} {e['path']} HTTP/1.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogatepass") + (body or b"")


SEED = [
    ("/api/v1/namespaces/default/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "keep"},
                                              "data": {"a": "b"}}),
    ("/apis/apps/v1/namespaces/default/deployments",
     {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "keep"},
      "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "keep"}},
               "template": {"metadata": {"labels": {"app": "keep"}},
                            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}),
    ("/api/v1/namespaces/default/pods", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "victim"},
                                        "spec": {"containers": [{"name": "c", "image": "nginx"}]}}),
]


def _state(port: int) -> dict:
    """What the corpus may not change: the objects (names, specs, data, deletion marks) of every
    kind a request aims at, the nodes, failed nodes and the clock."""
    h = {"Host": f"127.0.0.1:{port}"}
    out = {}
    for path in ("/api/v1/namespaces", "/api/v1/configmaps", "/api/v1/pods", "/apis/apps/v1/deployments",
                 "/api/v1/services", "/api/v1/nodes", "/apis/apps/v1/replicasets"):
        st, body, _ = request(port, "GET", path, headers=h)
        assert st == 200, (path, body)
        rows = []
        for i in body["items"]:
            md = i["metadata"]
            spec = dict(i.get("spec") or {})
            spec.pop("unschedulable", None) if path != "/api/v1/nodes" else None
            rows.append((md.get("namespace", ""), md["name"], bool(md.get("deletionTimestamp")),
                         json.dumps(spec if path != "/api/v1/pods" else spec.get("nodeName"), sort_keys=True),
                         json.dumps(i.get("data"), sort_keys=True)))
        out[path] = sorted(rows)
    out["failed"] = request(port, "GET", "/kubeplay/v1/nodes", headers=h)[1]["failed"]
    clock = request(port, "GET", "/kubeplay/v1/clock", headers=h)[1]
    out["clock"] = (clock["paused"], clock["speed"], clock["realisticTimings"])
    return out


def test_the_corpus_is_big_and_distinct():
    entries = _load()
    assert len(entries) >= 300
    assert len({e["id"] for e in entries}) == len(entries)
    assert len({_raw_request(e, "127.0.0.1:1") for e in entries}) == len(entries)


def test_every_hostile_request_is_refused_with_a_status(kubeplay_factory):
    srv = kubeplay_factory(speed=20)
    port, host = srv.port, f"127.0.0.1:{srv.port}"
    for path, obj in SEED:
        st, body, _ = request(port, "POST", path, json.dumps(obj), {"Host": host, "Content-Type": "application/json"})
        assert st == 201, body
    srv.wait_until(lambda: request(port, "GET", "/api/v1/namespaces/default/pods/victim", headers={"Host": host})[1]
                   .get("status", {}).get("phase") == "Running", message="the victim pod running")
    srv.wait_until(lambda: request(port, "GET", "/apis/apps/v1/namespaces/default/deployments/keep",
                                   headers={"Host": host})[1].get("status", {}).get("readyReplicas") == 1,
                   message="the deployment ready")
    # Freeze the simulation: from here on only a request that got through could change anything.
    st, _, _ = request(port, "POST", "/kubeplay/v1/clock", json.dumps({"paused": True}),
                       {"Host": host, "Content-Type": "application/json", "X-Kubeplay-Request": "page"})
    assert st == 200
    before = _state(port)

    failures = []
    for e in _load():
        try:
            status, body, headers = send_raw(port, _raw_request(e, host), timeout=DEADLINE)
        except OSError as err:          # socket.timeout included: the server hung
            failures.append(f"{e['id']}: no answer within {DEADLINE}s ({type(err).__name__}: {err})")
            continue
        if status == 0 and "raw" in e:
            continue                    # malformed framing: closing the connection is an answer
        if not 400 <= status < 500:
            failures.append(f"{e['id']}: HTTP {status} {body[:200]!r}")
            continue
        if not body:
            if "raw" in e:              # werkzeug's own refusal of unparseable framing
                continue
            failures.append(f"{e['id']}: HTTP {status} with an empty body")
            continue
        try:
            doc = json.loads(body)
        except ValueError:
            if "raw" in e:
                continue
            failures.append(f"{e['id']}: HTTP {status} body is not JSON: {body[:200]!r}")
            continue
        is_status = isinstance(doc, dict) and doc.get("kind") == "Status" and doc.get("code") == status
        page_error = isinstance(doc, dict) and (isinstance(doc.get("error"), dict) or
                                                ("output" in doc and doc.get("exitCode") == 1))
        if not (is_status or page_error):
            failures.append(f"{e['id']}: HTTP {status} body is neither a Status nor the page's error: {body[:200]!r}")
    assert not failures, f"{len(failures)} answers wrong:\n" + "\n".join(failures)

    st, body, _ = request(port, "GET", "/readyz", headers={"Host": host})
    assert (st, body) == (200, "ok")
    assert "Traceback" not in srv.log(), srv.log()[-5000:]
    assert _state(port) == before
