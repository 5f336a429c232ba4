"""pods/portforward (`kubectl port-forward pod/x | deployment/x | service/x L:P`).

kubectl ≥ 1.31 opens `GET .../pods/<name>/portforward` as a WebSocket with subprotocol
`SPDY/3.1+portforward.k8s.io` and runs SPDY/3.1 inside its binary messages (client-go
tools/portforward tunneling_dialer.go/tunneling_connection.go: the messages are a byte stream,
frames need not line up with them); the apiserver's tunneling handler answers it. Older clients
(and kubectl whose WebSocket upgrade was refused: it falls back) POST with `Upgrade: SPDY/3.1`,
`X-Stream-Protocol-Version: portforward.k8s.io` and speak SPDY on the raw connection. Both are
served here, with the same checks first so an error reads the same whichever way kubectl came.

Inside SPDY, as the kubelet's httpstream handler: for every local TCP connection kubectl opens
an *error* stream and a *data* stream (headers `streamType`, `port`, `requestID`); each gets a
SYN_REPLY; once both of a requestID are there, the data stream is the TCP connection to the
pod's port (engine: kubelet.port_forward → connect(port) → the container's server). A failure
is written on the error stream as text (kubectl prints `an error occurred forwarding L -> P: ...`);
when the connection ends both streams are closed (FIN), which is what kubectl waits for. PINGs
are echoed; a GOAWAY ends the session.

The Host allow-list, the Origin rule and the token (webapp/guard.py, auth.py) ran before this,
as for every route: a page of another site cannot open a port-forward."""
from __future__ import annotations

import logging
import socket
import threading

from flask import Response, request

from engine import errors

from ..extension import current, current_cluster
from . import spdy
from .remotecommand import _bad_handshake, _status_response

log = logging.getLogger("kubeplay.portforward")

TUNNEL_PROTOCOL = "SPDY/3.1+portforward.k8s.io"
STREAM_PROTOCOL = "portforward.k8s.io"
POLL = 0.2
CHUNK = 32 * 1024                 # io.Copy's buffer: how the kubelet's data frames are cut


def handle(namespace: str, name: str, method: str):
    upgrade = request.headers.get("Upgrade", "").lower()
    websocket = upgrade == "websocket" and method == "GET"
    raw = "spdy/3.1" in upgrade and method in ("GET", "POST")
    if not websocket and not raw:
        return _status_response(400, "BadRequest", "Upgrade request required")
    if websocket:
        refused = _bad_handshake()
        if refused is not None:
            return refused
        offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",") if p.strip()]
        if TUNNEL_PROTOCOL not in offered:
            # The apiserver tunnels only SPDY; the kubelet's own WebSocket port-forward protocol
            # (portforward.k8s.io / v4.channel.k8s.io channels) is not served here.
            return Response("unable to upgrade: no tunneling spdy protocols provided\n", status=400,
                            mimetype="text/plain")
    kubelet = current_cluster().controller("kubelet")
    try:
        forwarder = kubelet.port_forward(namespace, name)
    except errors.ApiError as e:
        if getattr(e, "plain_text", False):
            # The kubelet's http.Error: plain text, which kubectl shows after "unable to upgrade connection: ".
            return Response(e.message + "\n", status=e.code, mimetype="text/plain")
        raise
    if websocket:
        return _serve_websocket(forwarder)
    versions = [v.strip() for h in request.headers.getlist("X-Stream-Protocol-Version") for v in h.split(",") if v.strip()]
    if not versions:
        return Response("unable to upgrade: X-Stream-Protocol-Version is required\n", status=400, mimetype="text/plain")
    if STREAM_PROTOCOL not in versions:
        return Response(f"unable to upgrade: unable to negotiate protocol: client supports {_go_list(versions)}, "
                        f"server accepts {_go_list([STREAM_PROTOCOL])}\n", status=403, mimetype="text/plain",
                        headers={"X-Accepted-Stream-Protocol-Versions": STREAM_PROTOCOL})
    return _serve_raw(forwarder)


def _go_list(items: list[str]) -> str:
    return "[" + " ".join(items) + "]"


class _Done(Response):
    # As flask_sock does: the connection has been used up; werkzeug just finishes the request.
    pass


# ---- transports: a byte pipe to the client --------------------------------------------------------

class _WebSocketPipe:
    def __init__(self, ws):
        self.ws = ws

    def recv(self) -> bytes | None:
        """Bytes, b"" at the end, None when nothing came within POLL."""
        from simple_websocket import ConnectionClosed
        try:
            msg = self.ws.receive(timeout=POLL)
        except ConnectionClosed:
            return b""
        if msg is None:
            return None if self.ws.connected else b""
        return msg.encode() if isinstance(msg, str) else bytes(msg) or None

    def send(self, data: bytes) -> None:
        from simple_websocket import ConnectionClosed
        try:
            self.ws.send(data)
        except ConnectionClosed:
            raise ConnectionResetError("the client closed the WebSocket") from None

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:           # already closed by the client
            pass


class _SocketPipe:
    def __init__(self, sock):
        self.sock = sock
        sock.settimeout(POLL)

    def recv(self) -> bytes | None:
        try:
            return self.sock.recv(65536)
        except (socket.timeout, TimeoutError):
            return None
        except OSError:
            return b""

    def send(self, data: bytes) -> None:
        self.sock.settimeout(None)
        try:
            self.sock.sendall(data)
        finally:
            self.sock.settimeout(POLL)

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _serve_websocket(forwarder):
    from simple_websocket import Server
    raw = request.environ.get("werkzeug.socket")
    if raw is not None:
        try:
            raw.settimeout(None)      # idle by design between connections (webapp/serving.py's timeout)
        except OSError:
            pass
    try:
        ws = Server(request.environ, subprotocols=[TUNNEL_PROTOCOL])
    except Exception as e:          # wsproto refused what the checks above let through
        return _status_response(400, "BadRequest", f"websocket: not a websocket handshake: {e}")
    _Session(_WebSocketPipe(ws), forwarder).run()
    return _Done()


def _serve_raw(forwarder):
    sock = request.environ.get("werkzeug.socket")
    if sock is None:
        return _status_response(400, "BadRequest", "unable to upgrade: the server cannot hijack this connection")
    # spdy.ResponseUpgrader.UpgradeResponse's answer, then the connection is SPDY's.
    sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
                 b"X-Stream-Protocol-Version: " + STREAM_PROTOCOL.encode() + b"\r\n\r\n")
    _Session(_SocketPipe(sock), forwarder).run()
    return _Done()


# ---- the SPDY session ------------------------------------------------------------------------------

class _Pair:
    """The error and data streams of one forwarded connection (one requestID)."""

    def __init__(self):
        self.error: int | None = None
        self.data: int | None = None
        self.port = 0
        self.conn = None              # the pod's connection (bytes in, bytes out) once both streams are there
        self.pending = b""            # data that came before the pair was complete
        self.pending_fin = False      # ... and the client's FIN with it
        self.done = False


class _Session:
    def __init__(self, pipe, forwarder):
        self.pipe, self.forwarder = pipe, forwarder
        self.reader, self.writer = spdy.Reader(), spdy.Writer()
        self.pairs: dict[str, _Pair] = {}
        self.by_stream: dict[int, tuple[str, _Pair]] = {}
        self.last_id = 0
        self.lock = threading.Lock()

    def send(self, data: bytes) -> None:
        with self.lock:
            self.pipe.send(data)

    def run(self) -> None:
        stopping = current().stopping
        goaway_sent = False
        try:
            while True:
                if stopping.is_set():
                    self.send(self.writer.goaway(self.last_id))
                    goaway_sent = True
                    break
                data = self.pipe.recv()
                if data is None:
                    continue
                if not data:
                    break
                if not self._frames(self.reader.feed(data)):
                    break
        except spdy.ProtocolError as e:
            log.info("port-forward: %s", e)
            if not goaway_sent:
                self._try_send(self.writer.goaway(self.last_id, spdy.GOAWAY_PROTOCOL_ERROR))
        except OSError:               # the client went away mid-write
            pass
        except Exception:
            log.exception("port-forward session failed")
        finally:
            self.pipe.close()

    def _try_send(self, data: bytes) -> None:
        try:
            self.send(data)
        except Exception:
            pass

    def _frames(self, frames: list[spdy.Frame]) -> bool:
        """Handle frames; False once the session is over (GOAWAY)."""
        for f in frames:
            if not f.control:
                self._data(f)
            elif f.type == spdy.SYN_STREAM:
                self._syn_stream(f)
            elif f.type == spdy.RST_STREAM:
                self._forget(f.stream_id)
            elif f.type == spdy.PING:
                if f.ping_id & 1:     # the client's (odd) ping: echo it; ours would be even
                    self.send(self.writer.ping(f.ping_id))
            elif f.type == spdy.GOAWAY:
                return False
            # SYN_REPLY, HEADERS (already decompressed, keeping the zlib stream in step),
            # SETTINGS, WINDOW_UPDATE: nothing to do (spdystream keeps no flow-control windows).
        return True

    def _syn_stream(self, f: spdy.Frame) -> None:
        sid = f.stream_id
        if sid % 2 == 0 or sid <= self.last_id:
            self.send(self.writer.rst_stream(sid, spdy.PROTOCOL_ERROR))
            return
        self.last_id = sid
        # httpstream.go httpStreamReceived: a bad stream is reset (spdystream's Reset: CANCEL).
        port_text, kind = f.header("port"), f.header("streamType")
        if not port_text or not port_text.isdigit() or not 0 < int(port_text) < 65536 \
                or kind not in ("error", "data"):
            self.send(self.writer.rst_stream(sid, spdy.CANCEL))
            return
        self.send(self.writer.syn_reply(sid))
        # Clients before requestID paired streams by id: the error stream is the data stream's id - 2.
        rid = f.header("requestID") or str(sid if kind == "error" else sid - 2)
        pair = self.pairs.setdefault(rid, _Pair())
        if getattr(pair, kind) is not None:
            self.send(self.writer.rst_stream(sid, spdy.CANCEL))
            return
        setattr(pair, kind, sid)
        pair.port = int(port_text)
        self.by_stream[sid] = (rid, pair)
        if f.fin and kind == "data":
            pair.pending_fin = True
        if pair.error is not None and pair.data is not None:
            self._start(rid, pair)

    def _start(self, rid: str, pair: _Pair) -> None:
        try:
            pair.conn = self.forwarder.connect(pair.port)
        except ConnectionError as e:  # the runtime's text (kubelet ForwardError), for the error stream
            message = str(e)
            self.send(self.writer.data(pair.data, fin=True))
            self.send(self.writer.data(pair.error, message.encode(), fin=True))
            self._end(rid, pair, closed=True)
            return
        pending, pair.pending = pair.pending, b""
        if pending:
            self._feed(rid, pair, pending)
        if pair.pending_fin and not pair.done:
            self._finish(rid, pair)

    def _data(self, f: spdy.Frame) -> None:
        entry = self.by_stream.get(f.stream_id)
        if entry is None:
            return
        rid, pair = entry
        if f.stream_id != pair.data:
            return                    # the error stream: the client writes nothing but its FIN
        if pair.conn is None:
            pair.pending += f.data
            pair.pending_fin = pair.pending_fin or f.fin
            return
        if f.data:
            self._feed(rid, pair, f.data)
        if f.fin and not pair.done:
            self._finish(rid, pair)

    def _feed(self, rid: str, pair: _Pair, data: bytes) -> None:
        out, close = pair.conn.feed(data)
        for i in range(0, len(out), CHUNK):
            self.send(self.writer.data(pair.data, out[i:i + CHUNK]))
        if close:
            self._finish(rid, pair)

    def _finish(self, rid: str, pair: _Pair) -> None:
        """The server's side of the connection is closed: FIN on the data stream, then on the
        error stream (empty: no error), as the kubelet's deferred Close()s do."""
        self.send(self.writer.data(pair.data, fin=True))
        self.send(self.writer.data(pair.error, fin=True))
        self._end(rid, pair, closed=True)

    def _end(self, rid: str, pair: _Pair, *, closed: bool) -> None:
        pair.done = closed
        self.pairs.pop(rid, None)
        for sid in (pair.error, pair.data):
            self.by_stream.pop(sid, None)

    def _forget(self, sid: int) -> None:
        entry = self.by_stream.get(sid)
        if entry is not None:
            self._end(entry[0], entry[1], closed=True)
