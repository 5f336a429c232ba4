"""pods/exec and pods/attach (`kubectl exec`, `kubectl cp`, `kubectl attach`) over the WebSocket
streaming protocol kubectl ≥ 1.30 speaks (KEP-4006; client-go tools/remotecommand/websocket.go,
apimachinery pkg/util/httpstream/wsstream).

The request is `GET .../pods/<name>/exec?command=ls&command=/&stdin=true&stdout=true&tty=true&container=c`
upgraded to a WebSocket with subprotocol `v5.channel.k8s.io` (v4 accepted too). Every message is
binary: its first byte is the channel, the rest the data —
  0 stdin (client → server), 1 stdout, 2 stderr, 3 error (one metav1.Status when the command ends:
  Success, or Failure with reason NonZeroExitCode and the code in details.causes, which kubectl
  prints as `command terminated with exit code N` and exits with), 4 resize (`{"Width":..,"Height":..}`),
  and v5's close signal: `[255, <channel>]` — the client has no more stdin (EOF).
After the error message the server closes the socket normally; kubectl's readers see EOF.

Older kubectl speaks SPDY/3.1 (a POST with `Upgrade: SPDY/3.1`): after the same checks as a
WebSocket request (so errors read the same), it gets a 400 Status saying that only WebSocket
streaming is served — kubectl prints it and exits, it never hangs. kubectl 1.30+ falls back to
SPDY when the WebSocket upgrade itself is refused, which is why both paths check alike.

The Host allow-list and the Origin rule (webapp/guard.py) ran before this handler, as for every
route: a browser page of another site cannot open an exec socket."""
from __future__ import annotations

import base64
import json
import logging
import threading

from flask import Response, request

from engine import errors

from ..extension import current, current_cluster

log = logging.getLogger("kubeplay.exec")

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
POLL = 0.2

SPDY_REFUSED = ("kubeplay serves exec, attach and cp only over WebSockets (v5.channel.k8s.io), which kubectl "
                "1.30 and newer use by default; this client asked for SPDY/3.1 (a kubectl older than 1.30, or "
                "KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false): use a newer kubectl, or unset that variable")


def _flag(name: str, default: bool = False) -> bool:
    v = request.args.get(name)
    if v is None:
        return default
    return v.lower() in ("true", "1", "yes")


def _status_response(code: int, reason: str, message: str) -> Response:
    from .resources import status_line
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}
    return Response(json.dumps(body), status=status_line(code), mimetype="application/json")


def handle(sub: str, namespace: str, name: str, method: str):
    upgrade = request.headers.get("Upgrade", "").lower()
    websocket = upgrade == "websocket" and method == "GET"
    spdy = upgrade.startswith("spdy/")
    if not websocket and not spdy:
        return _status_response(400, "BadRequest", "Upgrade request required")
    if websocket:
        refused = _bad_handshake()
        if refused is not None:
            return refused
    stdin, stdout, stderr, tty = _flag("stdin"), _flag("stdout", sub == "attach"), _flag("stderr", sub == "attach"), _flag("tty")
    if not (stdin or stdout or stderr):
        return _status_response(400, "BadRequest", "you must specify at least 1 of stdin, stdout, stderr")
    command = request.args.getlist("command")
    if sub == "exec" and not command:
        return _status_response(400, "BadRequest", "you must specify at least one command for the container")
    container = request.args.get("container") or None
    kubelet = current_cluster().controller("kubelet")
    try:
        if sub == "exec":
            proc = kubelet.exec(namespace, name, container, command, tty=tty, stdin=stdin)
        else:
            proc = kubelet.attach(namespace, name, container, tty=tty, stdin=stdin)
    except errors.ApiError as e:
        if getattr(e, "plain_text", False):
            # The kubelet's http.Error: plain text, which kubectl shows after "unable to upgrade connection: ".
            return Response(e.message + "\n", status=e.code, mimetype="text/plain")
        raise
    if spdy:
        return _status_response(400, "BadRequest", SPDY_REFUSED)
    return _serve_websocket(proc, command, stdout=stdout, stderr=stderr and not tty)


def _bad_handshake() -> Response | None:
    """An upgrade the WebSocket handshake (RFC 6455 §4.2.1) cannot complete: refused with a
    Status in the words of the Go websocket server, before any work (never a 500)."""
    tokens = [t.strip().lower() for t in request.headers.get("Connection", "").split(",")]
    if "upgrade" not in tokens:
        return _status_response(400, "BadRequest", "websocket: the client is not using the websocket protocol: "
                                "'upgrade' token not found in 'Connection' header")
    if request.headers.get("Sec-WebSocket-Version", "").strip() != "13":
        return _status_response(400, "BadRequest", "websocket: unsupported version: 13 not found in "
                                "'Sec-Websocket-Version' header")
    try:
        key_ok = len(base64.b64decode(request.headers.get("Sec-WebSocket-Key", ""), validate=True)) == 16
    except ValueError:
        key_ok = False
    if not key_ok:
        return _status_response(400, "BadRequest", "websocket: not a websocket handshake: 'Sec-WebSocket-Key' "
                                "header must be Base64 encoded value of 16-byte in length")
    return None


def _serve_websocket(proc, command: list[str], *, stdout: bool, stderr: bool):
    from simple_websocket import ConnectionClosed, Server

    raw = request.environ.get("werkzeug.socket")
    if raw is not None:
        try:
            raw.settimeout(None)      # idle by design between keystrokes (webapp/serving.py's timeout)
        except OSError:
            pass
    try:
        ws = Server(request.environ, subprotocols=list(PROTOCOLS))
    except Exception as e:          # wsproto refused what the checks above let through
        proc.cancel()
        return _status_response(400, "BadRequest", f"websocket: not a websocket handshake: {e}")
    send_lock = threading.Lock()

    def send(channel: int, data: bytes) -> None:
        if not data:
            return
        with send_lock:
            ws.send(bytes([channel]) + bytes(data))

    def out(data: bytes) -> None:
        if stdout:
            send(STDOUT, data)

    def err(data: bytes) -> None:
        if stderr:
            send(STDERR, data)

    stopping = current().stopping
    done = threading.Event()

    def pump():
        """Client → process: stdin, resizes, the close signal; a vanished client cancels the process."""
        try:
            while not done.is_set():
                if stopping.is_set() or not ws.connected:
                    proc.cancel()
                    return
                msg = ws.receive(timeout=POLL)
                if msg is None:
                    continue
                if isinstance(msg, str):
                    msg = msg.encode()
                if not msg:
                    continue
                channel, data = msg[0], msg[1:]
                if channel == STDIN:
                    proc.feed(data)
                elif channel == RESIZE:
                    try:
                        size = json.loads(data or b"{}")
                        proc.resize(int(size.get("Width") or 0), int(size.get("Height") or 0))
                    except (ValueError, TypeError, AttributeError):
                        pass
                elif channel == CLOSE and data[:1] == bytes([STDIN]):
                    proc.close_stdin()
        except ConnectionClosed:
            proc.cancel()
        except Exception:           # a broken socket: the process must still end
            log.exception("exec stream reader failed")
            proc.cancel()

    reader = threading.Thread(target=pump, name="exec-stdin", daemon=True)
    reader.start()
    try:
        if proc.failure:
            status = {"metadata": {}, "status": "Failure", "message": f"Internal error occurred: {proc.failure}",
                      "reason": "InternalError", "details": {"causes": [{"message": proc.failure}]}, "code": 500}
        else:
            code = proc.run(out, err)
            status = {"metadata": {}, "status": "Success"} if code == 0 else {
                "metadata": {}, "status": "Failure",
                "message": f"command terminated with non-zero exit code: error executing command "
                           f"[{' '.join(command)}], exit code {code}",
                "reason": "NonZeroExitCode",
                "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}
        send(ERROR, json.dumps(status).encode())
    except ConnectionClosed:
        proc.cancel()
    finally:
        done.set()
        reader.join(timeout=2 * POLL + 1)
        try:
            ws.close()
        except Exception:           # already closed by the client
            pass

    class WebSocketResponse(Response):
        # As flask_sock does: the socket has been used up; werkzeug just finishes the request.
        pass
    return WebSocketResponse()
