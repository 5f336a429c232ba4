"""`kubectl logs -f`: a followed container log streamed as the simulated container writes it.

A simulated log is a function of the container's program and the clock (engine/kubelet/logs.py),
so following is re-reading it and sending what is new. The stream ends when the container stops
or is replaced by a new instance (the runtime closes the log file then, and kubectl exits), when
the pod goes, when the server stops, and when the client hangs up. The last one matters most: a
request thread blocked here for a client that left would be a thread leaked per `logs -f`, so the
connection is checked on every poll, not only when there is something to write (connection.py)."""
from __future__ import annotations

import time

from engine import errors

from .connection import client_gone

POLL = 0.25        # wall seconds between re-reads; a simulated line is due every few at most


def follow(kubelet, namespace: str, pod: str, container: str | None, *, timestamps: bool, first: str,
           sent: int, source, stopping, client):
    yield first.encode()
    if source is None:
        return                      # not running (finished, waiting, pod going): what it wrote, then EOF
    while not stopping.is_set():
        if client_gone(client):
            return
        time.sleep(POLL)
        now_source = kubelet.log_source(namespace, pod, container)
        try:
            text = kubelet.logs(namespace, pod, container, timestamps=timestamps)
        except errors.ApiError:
            return                  # the pod was deleted meanwhile
        if now_source is not None and now_source != source:
            return                  # a new instance: this instance's log has ended
        if len(text) > sent:
            chunk, sent = text[sent:], len(text)
            yield chunk.encode()
        if now_source is None:
            return                  # stopped: its last lines were just sent
