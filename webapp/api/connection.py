"""Whether the client of a long-running response (a watch, a followed log) is still there.

Werkzeug's threaded server gives each request a thread; a streaming response notices a client
that hung up only when a write fails, and a quiet watch or log may not write for minutes. kubectl
exits as soon as `delete`, `wait` or `rollout status` are satisfied, leaving its informer's watch
(timeoutSeconds of 5–10 minutes) to a thread with nobody to talk to. So the streams look at the
socket on each poll: readable with EOF on a peek means the peer closed its end."""
from __future__ import annotations

import select
import socket


def client_gone(sock) -> bool:
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except (OSError, ValueError):
        return True
