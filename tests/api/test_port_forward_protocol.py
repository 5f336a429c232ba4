"""pods/portforward's SPDY session driven frame by frame (a raw SPDY upgrade, as kubectl < 1.31
sends it, with webapp/api/spdy.py as the client's framer): the handshake, PING echoes, stream
pairs with and without requestID, resets for bad streams, the HTTP answer and the FINs kubectl
waits for, GOAWAY — the paths kubectl itself does not show."""
from __future__ import annotations

import json
import socket
import time
import urllib.request

import pytest

from webapp.api import spdy

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
PATH = "/api/v1/namespaces/default/pods/pf-web/portforward"


@pytest.fixture(scope="module")
def server(inproc_module):
    _, addr = inproc_module
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pf-web"},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}
    req = urllib.request.Request(f"http://{addr}/api/v1/namespaces/default/pods", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    NO_PROXY.open(req, timeout=10).close()
    deadline = time.monotonic() + 40
    while True:
        with NO_PROXY.open(f"http://{addr}/api/v1/namespaces/default/pods/pf-web", timeout=10) as r:
            st = json.loads(r.read()).get("status") or {}
        if st.get("phase") == "Running" and all("running" in (c.get("state") or {})
                                                 for c in st.get("containerStatuses") or [{}]):
            return addr
        assert time.monotonic() < deadline, f"pf-web not running: {st}"
        time.sleep(0.2)


def handshake(addr: str, **headers) -> tuple[socket.socket, bytes]:
    host, port = addr.split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    hdrs = {"Host": addr, "Connection": "Upgrade", "Upgrade": "SPDY/3.1",
            "X-Stream-Protocol-Version": "portforward.k8s.io", "Content-Length": "0", **headers}
    head = f"POST {PATH} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items() if v is not None) + "\r\n"
    sock.sendall(head.encode())
    buf = b""
    while b"\r\n\r\n" not in buf or not buf.startswith(b"HTTP/1.1 101 "):
        chunk = sock.recv(4096)         # a refusal: read it to the end (the server closes)
        if not chunk:
            break
        buf += chunk
    return sock, buf


class Client:
    def __init__(self, addr: str):
        self.sock, head = handshake(addr)
        status, _, rest = head.partition(b"\r\n\r\n")
        assert status.startswith(b"HTTP/1.1 101 Switching Protocols\r\n"), head
        assert b"Upgrade: SPDY/3.1" in status and b"X-Stream-Protocol-Version: portforward.k8s.io" in status
        self.reader, self.writer = spdy.Reader(), spdy.Writer()
        self.pending = self.reader.feed(rest)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def until(self, done, timeout: float = 10) -> list[spdy.Frame]:
        """Frames received until done(frames) is true (or the server closes)."""
        frames, self.pending = self.pending, []
        self.sock.settimeout(timeout)
        while not done(frames):
            chunk = self.sock.recv(65536)
            if not chunk:
                frames.append(None)     # the server closed the connection
                break
            frames += self.reader.feed(chunk)
        return frames

    def close(self):
        self.sock.close()


@pytest.fixture
def client(server):
    c = Client(server)
    yield c
    c.close()


def _fin_on(stream_id):
    return lambda frames: any(f is not None and not f.control and f.stream_id == stream_id and f.fin for f in frames)


def test_ping_is_echoed(client):
    client.send(client.writer.ping(1))
    frames = client.until(lambda fs: fs)
    assert (frames[0].type, frames[0].ping_id) == (spdy.PING, 1)


def test_a_pair_without_request_ids_answers_and_closes_both_streams(client):
    # before requestID, the error stream was paired with the data stream by id (data - 2)
    client.send(client.writer.syn_stream(1, {"streamType": "error", "port": "80"}))
    client.send(client.writer.data(1, fin=True))
    client.send(client.writer.syn_stream(3, {"streamType": "data", "port": "80"}))
    client.send(client.writer.data(3, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
    frames = client.until(_fin_on(1))
    replies = [f.stream_id for f in frames if f.control and f.type == spdy.SYN_REPLY]
    assert replies == [1, 3]
    body = b"".join(f.data for f in frames if not f.control and f.stream_id == 3)
    assert body.startswith(b"HTTP/1.1 200 OK\r\n") and b"Welcome to nginx!" in body
    assert any(not f.control and f.stream_id == 3 and f.fin for f in frames)
    assert b"".join(f.data for f in frames if not f.control and f.stream_id == 1) == b""   # no error


def test_bad_streams_are_reset(client):
    w = client.writer
    client.send(w.syn_stream(1, {"streamType": "data"}))                      # no port
    client.send(w.syn_stream(3, {"streamType": "bogus", "port": "80"}))      # no such stream type
    client.send(w.syn_stream(5, {"streamType": "error", "port": "0"}))       # port must be > 0
    client.send(w.syn_stream(5, {"streamType": "error", "port": "80"}))      # an id not above the last
    frames = client.until(lambda fs: len(fs) >= 4)
    assert [(f.type, f.stream_id, f.status) for f in frames] == [
        (spdy.RST_STREAM, 1, spdy.CANCEL), (spdy.RST_STREAM, 3, spdy.CANCEL), (spdy.RST_STREAM, 5, spdy.CANCEL),
        (spdy.RST_STREAM, 5, spdy.PROTOCOL_ERROR)]
    # the session goes on
    client.send(w.ping(3))
    assert client.until(lambda fs: fs)[0].ping_id == 3


def test_keep_alive_until_the_client_half_closes(client):
    w = client.writer
    client.send(w.syn_stream(1, {"streamType": "error", "port": "80", "requestID": "7"}))
    client.send(w.syn_stream(3, {"streamType": "data", "port": "80", "requestID": "7"}))
    for _ in range(2):
        client.send(w.data(3, b"GET /50x.html HTTP/1.1\r\nHost: x\r\n\r\n"))
        frames = client.until(lambda fs: any(not f.control and b"</html>" in f.data for f in fs))
        assert not any(not f.control and f.fin for f in frames)
    client.send(w.data(3, fin=True))          # kubectl: the local connection ended
    frames = client.until(_fin_on(1))
    assert any(not f.control and f.stream_id == 3 and f.fin for f in frames)


def test_goaway_ends_the_session(client):
    client.send(client.writer.goaway(0))
    assert client.until(lambda fs: False)[-1] is None


def test_the_handshakes_refusals(server):
    sock, head = handshake(server, **{"X-Stream-Protocol-Version": None})
    sock.close()
    assert head.startswith(b"HTTP/1.1 400 ") and head.endswith(b"unable to upgrade: X-Stream-Protocol-Version is required\n")
    sock, head = handshake(server, **{"X-Stream-Protocol-Version": "v4.channel.k8s.io"})
    sock.close()
    assert head.startswith(b"HTTP/1.1 403 ")
    assert head.endswith(b"unable to upgrade: unable to negotiate protocol: client supports [v4.channel.k8s.io], "
                         b"server accepts [portforward.k8s.io]\n")
