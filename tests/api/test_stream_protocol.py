"""The page's WebSocket (/kubeplay/v1/stream) spoken by a plain client: snapshot, resume from a
resourceVersion, relist when that is unusable, what is carried and what is not, and the refusal
of cross-origin connections. The app runs in-process (create_app + a threaded werkzeug server,
the `inproc` fixture of tests/conftest.py); no browser."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
import simple_websocket

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "web", "image": "nginx"}]}}},
}
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture
def live(inproc):
    return inproc


class Stream:
    def __init__(self, host: str, *, origin: str | None = "same", rv: str = "", seq: int = 0):
        headers = {}
        if origin == "same":
            # What a browser on the page sends (simple-websocket's own Host header omits the
            # port; the server's allow-list takes that as its own port).
            headers["Origin"] = f"http://{host}"
        elif origin:
            headers["Origin"] = origin
        self.ws = simple_websocket.Client(f"ws://{host}/kubeplay/v1/stream", headers=headers)
        self.ws.send(json.dumps({"type": "hello", "resourceVersion": rv, "decisionSeq": seq}))

    def next(self, want: str | None = None, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            data = self.ws.receive(timeout=max(0.01, deadline - time.monotonic()))
            if data is None:
                continue
            msg = json.loads(data)
            if want is None or msg["type"] == want:
                return msg
        raise AssertionError(f"no {want or 'message'} within {timeout}s")

    def collect(self, seconds: float) -> list[dict]:
        out, deadline = [], time.monotonic() + seconds
        while time.monotonic() < deadline:
            data = self.ws.receive(timeout=0.05)
            if data is not None:
                out.append(json.loads(data))
        return out

    def close(self):
        self.ws.close()


def post(host: str, path: str, body: dict):
    req = urllib.request.Request(f"http://{host}{path}", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with _OPENER.open(req, timeout=10) as r:
        return json.loads(r.read())


def messages_after_a_deployment(host: str) -> list[dict]:
    """What a page that has its snapshot is sent in the 3 s after a Deployment is created."""
    s = Stream(host)
    try:
        s.next("snapshot")
        post(host, "/apis/apps/v1/namespaces/default/deployments", DEPLOYMENT)
        return s.collect(3.0)
    finally:
        s.close()


def test_a_new_page_gets_a_snapshot_then_the_clock(live):
    app, host = live
    s = Stream(host)
    try:
        first = s.next()
        assert first["type"] == "snapshot"
        kinds = [o["kind"] for o in first["items"]]
        # The three workers and kind's control-plane node (engine/controlplane.py).
        assert sorted(o["metadata"]["name"] for o in first["items"] if o["kind"] == "Node") == \
            ["kubeplay-control-plane", "node-1", "node-2", "node-3"]
        assert "Lease" not in kinds and "Namespace" not in kinds
        assert int(first["resourceVersion"]) > 0
        clock = s.next("clock")
        assert {"now", "nowSeconds", "paused", "speed"} <= set(clock)
    finally:
        s.close()


def test_a_page_that_comes_back_gets_what_it_missed_not_a_snapshot(live):
    app, host = live
    s = Stream(host)
    try:
        rv = s.next("snapshot")["resourceVersion"]
    finally:
        s.close()
    post(host, "/apis/apps/v1/namespaces/default/deployments", DEPLOYMENT)
    s = Stream(host, rv=rv)
    try:
        msg = s.next()
        while msg["type"] in ("clock", "decisions"):
            msg = s.next()
        assert msg["type"] == "events", msg["type"]
        added = [(e["type"], e["object"]["kind"], e["object"]["metadata"]["name"]) for e in msg["events"]]
        assert ("ADDED", "Deployment", "web") in added
        assert int(msg["resourceVersion"]) > int(rv)
    finally:
        s.close()


def test_the_http_snapshot_is_the_sockets_in_parts_and_a_hello_with_its_rv_resumes(live, monkeypatch):
    from webapp.page import stream
    monkeypatch.setattr(stream, "SNAPSHOT_PART", 3)
    app, host = live
    with _OPENER.open(f"http://{host}/kubeplay/v1/snapshot", timeout=10) as r:
        assert r.headers["Content-Type"].startswith("application/x-ndjson")
        assert r.headers["Cache-Control"] == "no-store"
        lines = r.read().decode().split("\n")
    assert lines[-1] == "" and all(lines[:-1])
    parts = [json.loads(line) for line in lines[:-1]]
    assert len(parts) > 1 and {p["type"] for p in parts} == {"snapshot"}
    assert [p.get("more") for p in parts] == [True] * (len(parts) - 1) + [None]
    assert len({p["resourceVersion"] for p in parts}) == 1
    items = [o for p in parts for o in p["items"]]
    assert all(len(p["items"]) == 3 for p in parts[:-1])
    s = Stream(host)
    try:
        ws_items = []
        while True:
            msg = s.next("snapshot")
            ws_items += msg["items"]
            if not msg.get("more"):
                break
    finally:
        s.close()
    # The same objects (the cluster is still starting: states may have moved on in between).
    def by_uid(objs):
        return {o["metadata"]["uid"]: o for o in objs}
    http, sock = by_uid(items), by_uid(ws_items)
    assert {u for u, o in http.items() if o["kind"] == "Node"} == {u for u, o in sock.items() if o["kind"] == "Node"}
    same = [u for u in http if u in sock and http[u]["metadata"]["resourceVersion"] == sock[u]["metadata"]["resourceVersion"]]
    assert len(same) > len(http) // 2
    assert all(http[u] == sock[u] for u in same)
    assert "managedFields" not in items[0]["metadata"]
    # A page that said hello with the snapshot's resourceVersion gets what came after it.
    post(host, "/apis/apps/v1/namespaces/default/deployments", DEPLOYMENT)
    s = Stream(host, rv=parts[0]["resourceVersion"])
    try:
        msg = s.next()
        while msg["type"] in ("clock", "decisions"):
            msg = s.next()
        assert msg["type"] == "events", msg["type"]
        assert ("ADDED", "Deployment", "web") in [(e["type"], e["object"]["kind"], e["object"]["metadata"]["name"])
                                                 for e in msg["events"]]
    finally:
        s.close()


def test_the_http_snapshot_refuses_other_origins(live):
    app, host = live
    req = urllib.request.Request(f"http://{host}/kubeplay/v1/snapshot", headers={"Origin": "http://evil.example"})
    with pytest.raises(urllib.error.HTTPError) as e:
        _OPENER.open(req, timeout=10)
    e.value.close()
    assert e.value.code == 403


def test_an_unusable_resource_version_gets_a_fresh_snapshot(live):
    app, host = live
    for rv in ("999999999", "not-a-number"):
        s = Stream(host, rv=rv)
        try:
            msg = s.next()
            while msg["type"] in ("clock", "decisions"):
                msg = s.next()
            assert msg["type"] == "snapshot"
        finally:
            s.close()


def test_events_carry_drawn_kinds_only_and_a_batch_has_one_state_per_object(live):
    app, host = live
    msgs = messages_after_a_deployment(host)
    batches = [m for m in msgs if m["type"] == "events"]
    assert batches
    kinds = {e["object"]["kind"] for m in batches for e in m["events"]}
    assert {"Deployment", "ReplicaSet", "Pod"} <= kinds
    assert not kinds & {"Lease", "Endpoints", "ControllerRevision", "Namespace"}
    for m in batches:
        uids = [e["object"]["metadata"]["uid"] for e in m["events"]]
        assert len(uids) == len(set(uids))
    decisions = [d for m in msgs if m["type"] == "decisions" for d in m["items"]]
    assert any("web" in d["message"] for d in decisions)


# simple-websocket's Client raises ConnectionError on a refused handshake without closing its
# socket (simple_websocket/ws.py Client.__init__), so the refusals below leave it to the collector.
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning")
def test_cross_origin_pages_are_refused(live):
    app, host = live
    with pytest.raises(simple_websocket.ConnectionError):
        Stream(host, origin="http://evil.example")
    with pytest.raises(simple_websocket.ConnectionError):
        Stream(host, origin=f"http://{host.split(':')[0]}:1")      # same host, another port
    s = Stream(host, origin=None)            # no Origin: not a browser
    try:
        assert s.next()["type"] in ("snapshot", "decisions", "clock")
    finally:
        s.close()


@pytest.mark.parametrize("origin, server_port, ok", [
    ("http://127.0.0.1:8080", 8080, True),
    ("http://LOCALHOST:8080", 8080, True),
    ("http://[::1]:8080", 8080, True),
    ("http://localhost", 80, True),                        # default ports are the same port
    ("https://localhost", 443, True),
    ("http://127.0.0.1:8081", 8080, False),
    ("http://evil.example:8080", 8080, False),              # a rebound page: refused by name
    ("null", 8080, False),                                  # sandboxed iframes, file: pages
    ("http://127.0.0.1:8080.evil.example", 8080, False),
    ("http://127.0.0.1:8080/path", 8080, False),
])
def test_origin_rule(origin, server_port, ok):
    """The stream's Origin check is the server-wide allow-list's (webapp/guard.py)."""
    from webapp.guard import HostPolicy, _origin_allowed
    assert _origin_allowed(origin, HostPolicy("127.0.0.1"), server_port) is ok


def test_bookmarks_keep_an_idle_page_current_while_only_heartbeats_change(live, monkeypatch):
    from webapp.extension import kubeplay_of
    from webapp.page import stream
    monkeypatch.setattr(stream, "BOOKMARK_PERIOD", 0.3)
    app, host = live
    s = Stream(host)
    try:
        rv = int(s.next("snapshot")["resourceVersion"])
        store = kubeplay_of(app).cluster.store
        # Lease renewals (node heartbeats) move the store on; the page is told so by bookmarks.
        deadline = time.monotonic() + 10
        while store.resource_version <= rv + 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.resource_version > rv
        bm = s.next("bookmark", timeout=5)
        assert int(bm["resourceVersion"]) > rv
    finally:
        s.close()


def test_a_client_that_stops_reading_is_closed_not_buffered_for(live, monkeypatch, caplog):
    import base64
    import os
    import socket
    from webapp.page import stream
    monkeypatch.setattr(stream, "SEND_TIMEOUT", 1.0)
    caplog.set_level("INFO", logger="kubeplay.stream")
    app, host = live
    addr, port = host.split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)      # a tab that froze
    sock.connect((addr, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /kubeplay/v1/stream HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    assert b"101" in sock.recv(200)
    hello = json.dumps({"type": "hello", "resourceVersion": "", "decisionSeq": 0}).encode()
    mask = os.urandom(4)
    sock.sendall(bytes([0x81, 0x80 | len(hello)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(hello)))
    try:
        deadline = time.monotonic() + 5
        while stream.Session.running < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stream.Session.running == 1
        big = dict(DEPLOYMENT, spec=dict(DEPLOYMENT["spec"], replicas=300))
        post(host, "/apis/apps/v1/namespaces/default/deployments", big)
        deadline = time.monotonic() + 30
        while stream.Session.running and time.monotonic() < deadline:
            time.sleep(0.1)
        assert stream.Session.running == 0, "the handler kept waiting on a client that reads nothing"
        assert "client stopped reading" in caplog.text
    finally:
        sock.close()


def test_a_page_on_this_machine_gets_its_stream_uncompressed(live):
    """Chromium offers permessage-deflate; on loopback the stream declines it (deflating a
    10,000-pod snapshot costs both ends CPU and saves nothing), and the stream still works."""
    from rawhttp import websocket_handshake
    from webapp.page.stream import _loopback
    _app, host = live
    port = int(host.rsplit(":", 1)[1])
    head = websocket_handshake(port, host, origin=f"http://{host}", whole=True,
                               extra=("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",))
    assert head.startswith("HTTP/1.1 101"), head
    assert "sec-websocket-extensions" not in head.lower(), head
    s = Stream(host)
    try:
        assert s.next("snapshot")["type"] == "snapshot"
    finally:
        s.close()
    # What counts as this machine: a peer elsewhere keeps the compression it asks for.
    assert all(_loopback(a) for a in ("127.0.0.1", "127.8.0.1", "::1", "::ffff:127.0.0.1"))
    assert not any(_loopback(a) for a in ("192.168.1.20", "::ffff:10.0.0.1", "fe80::1%eth0", "", None))


def test_objects_are_followed_by_a_decisions_message_even_with_no_new_decisions(live):
    """The page places an Event only once the decisions sent after it have come (a cause is
    recorded before, or with, its effects): a message of objects is followed by a decisions
    message, empty if nothing was decided — here an Event written by a client, which no
    controller decides anything about."""
    app, host = live
    s = Stream(host)
    try:
        s.next("snapshot")
        s.next("decisions")                 # the first: the log's newest lines
        s.collect(1.0)                      # the cluster's start-up settles
        event = {"apiVersion": "v1", "kind": "Event",
                 "metadata": {"name": "note.1", "namespace": "default"},
                 "involvedObject": {"kind": "Namespace", "name": "default"},
                 "reason": "Note", "message": "written by a test", "type": "Normal"}
        post(host, "/api/v1/namespaces/default/events", event)
        msgs, deadline = [], time.monotonic() + 5.0
        while time.monotonic() < deadline and not any(
                m["type"] == "events" and any(e["object"]["metadata"]["name"] == "note.1" for e in m["events"])
                for m in msgs):
            msgs += s.collect(0.1)
        at = next(i for i, m in enumerate(msgs) if m["type"] == "events"
                  and any(e["object"]["metadata"]["name"] == "note.1" for e in m["events"]))
        after = msgs[at + 1:] + s.collect(1.0)
        confirm = [m for m in after if m["type"] == "decisions"]
        assert confirm, [m["type"] for m in after]
        assert not any("note.1" in d["message"] for m in confirm for d in m["items"])
    finally:
        s.close()
