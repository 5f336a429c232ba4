"""The page's live stream: one WebSocket at /kubeplay/v1/stream carrying the cluster as a watch.

Wiring (create_app calls it once):  ``stream.register(sock, app)`` — `sock` is the app's
flask_sock.Sock; the Cluster and the shutdown Event come from the app's extension
(webapp/extension.py; handlers return soon after `stopping` is set).

Protocol (JSON text frames), the list-then-watch of client-go's reflector over one socket:

  client → {"type": "hello", "resourceVersion": "<last seen or empty>", "decisionSeq": N}
  server → {"type": "snapshot", "resourceVersion": "R", "items": [...]}    when rv is empty, or
           when the store no longer has history back to it (Expired: relist; the client drops
           local objects the snapshot lacks); otherwise the missed events are simply replayed.
           A big snapshot comes in parts of SNAPSHOT_PART objects: every part but the last
           carries "more": true, and the client takes the objects of all parts as one list
           (the page parses one part while the server writes the next).
         → {"type": "events", "resourceVersion": "R", "events": [{"type": "ADDED"|"MODIFIED"|
           "DELETED", "object": {...}}]}                         batched; per object, only the
           latest state in a batch is sent (watch caches may skip states, never reorder them)
         → {"type": "bookmark", "resourceVersion": "R"}          every few seconds when the store moved
           on without anything the page draws (leases), so a resume starts from a recent point
         → {"type": "decisions", "items": [...], "seq": N, "reset": bool}   the reconcile log,
           every DECISIONS_PERIOD while there are new ones, and — empty — after objects were
           sent: every decision recorded before the objects of earlier messages is in this
           message or an earlier one, so the page can tell an Event's cause has come (a server
           that stalls between the two sends must not leave effects without their cause)
         → {"type": "clock", "now", "nowSeconds", "paused", "speed", "realisticTimings"}  ~1/s and on change
         → {"type": "requests", "items": [...]}   requests between pods since the last message
           (engine/traffic.py: client, target, service, endpoint, status, time), for the page
           to draw each one's path; only those made after the stream opened

The first snapshot of a fresh page comes over plain HTTP instead, as the same messages, one a
line (GET /kubeplay/v1/snapshot, application/x-ndjson): Chromium reads a WebSocket's messages
through a small buffer, ~30 MB/s here, and an HTTP body ~3x faster (bench/README.md, sixth page
pass). The page then says hello with that snapshot's resourceVersion and the socket replays what
came after it, as for any resume (states a list already reflected may come again; the page keeps
the newest, so nothing goes back in time).

Each object state is serialised once, whichever pages and messages carry it (webapp/page/wire.py).
Only kinds the page draws are carried (nodes, pods, workloads, services, endpointslices,
events); Leases — node heartbeats — and the rest are skipped to keep the page quiet, but their
resourceVersions still advance the client's. Only the handler thread sends on its socket. A
socket whose sends stall (a frozen tab) is closed rather than buffered for without bound; the
page reconnects and resumes. Foreign Hosts and Origins are refused before the handshake by
webapp/guard.py (the allow-list every route shares).
"""
from __future__ import annotations

import ipaddress
import json
import logging
import socket
import struct
import threading
import time

from flask import Flask, Response, request

from engine import errors, objects, resources as kinds
from webapp.extension import current

from . import wire
from .source import EngineSource

log = logging.getLogger("kubeplay.stream")

PATH = "/kubeplay/v1/stream"
SNAPSHOT_PATH = "/kubeplay/v1/snapshot"
DRAWN = (kinds.NODE, kinds.POD, kinds.DEPLOYMENT, kinds.REPLICASET, kinds.STATEFULSET, kinds.DAEMONSET, kinds.SERVICE,
         kinds.ENDPOINTSLICE, kinds.EVENT, kinds.JOB, kinds.CRONJOB, kinds.PERSISTENTVOLUMECLAIM, kinds.INGRESS)
DRAWN_NAMES = frozenset(rt.name for rt in DRAWN)

POLL = 0.05                # how long one wait for store changes may block (stop is polled between)
HELLO_TIMEOUT = 5.0        # a client that says nothing is treated as a fresh one
CLOCK_PERIOD = 1.0
DECISIONS_PERIOD = 0.1
BOOKMARK_PERIOD = 5.0
SNAPSHOT_EVENTS = 500      # the newest core/v1 Events a snapshot carries
FIRST_DECISIONS = 200      # decisions sent to a client that has none yet
MAX_BATCH = 500            # watch events per message (a few hundred KB: parsed between frames)
SNAPSHOT_PART = 1000       # objects per snapshot message (a few MB)
SEND_TIMEOUT = 10.0        # a send blocked this long: the client is gone or frozen; close


class SlowClient(Exception):
    pass


def register(sock, app: Flask) -> None:
    """Add the stream route to `app` (see the module docstring)."""

    # Host and Origin are checked by webapp/guard.py against the server's allow-list (a rebound
    # page sends a matching Origin and Host, so comparing the two would admit it).
    @app.before_request
    def stream_socket():
        if request.path != PATH:
            return None
        # No permessage-deflate for a page on this machine: simple-websocket accepts every
        # offer, and deflating a 10,000-pod snapshot (~30 MB) costs the server and the browser
        # CPU that a loopback connection saves nothing by (bench/README.md, first draw). A page
        # on another machine (--host with --token) keeps it: there it saves the network.
        if _loopback(request.remote_addr):
            request.environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        # The server gives idle connections a read timeout (half-sent requests must not hold a
        # thread); a WebSocket is idle by design between the page's frames, so it gets none.
        sock = request.environ.get("werkzeug.socket")
        if sock is not None:
            try:
                sock.settimeout(None)
            except OSError:
                pass
        return None

    @sock.route(PATH)
    def stream(ws):
        ext = current()
        Session(ws, ext.source if ext.source is not None else EngineSource(ext.cluster), ext.stopping).run()

    @app.get(SNAPSHOT_PATH)
    def snapshot():
        ext = current()
        source = ext.source if ext.source is not None else EngineSource(ext.cluster)
        start = source.resource_version
        items, _ = _list_drawn(source)
        scope = id(getattr(source, "store", source))
        # Written as it is sent: the page reads one part while the next is serialised.
        body = (text + "\n" for text in _snapshot_messages(items, start, scope))
        return Response(body, mimetype="application/x-ndjson", headers={"Cache-Control": "no-store"})


def _loopback(addr: str | None) -> bool:
    """Whether a peer address is this machine's loopback (127.0.0.0/8, ::1, ::ffff:127.x)."""
    try:
        ip = ipaddress.ip_address((addr or "").split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def _list_drawn(store) -> tuple[list[dict], dict[str, int]]:
    """Every object of the drawn kinds (of Events, the newest SNAPSHOT_EVENTS, oldest first) and
    the resourceVersion each kind's list was read at."""
    items: list[dict] = []
    upto: dict[str, int] = {}
    for rt in DRAWN:
        if rt is kinds.EVENT:
            objs, list_rv = store.newest(rt, SNAPSHOT_EVENTS)
            objs.reverse()                     # oldest first, as the page logs them
        else:
            objs, list_rv = store.list(rt)
        upto[rt.name] = list_rv
        items.extend(objs)
    return items, upto


def _snapshot_messages(items: list[dict], start: int, scope: int):
    """The snapshot's messages: parts of SNAPSHOT_PART objects, "more": true on all but the last."""
    for i in range(0, max(1, len(items)), SNAPSHOT_PART):
        part = [wire.object_text(o, scope) for o in items[i:i + SNAPSHOT_PART]]
        more = {"more": True} if i + SNAPSHOT_PART < len(items) else None
        yield _message({"type": "snapshot", "resourceVersion": str(start)}, "items", part, more)


def _message(head: dict, key: str, texts: list[str], tail: dict | None = None) -> str:
    """`head` with `key` holding the already serialised `texts` as a list (then `tail`'s fields):
    the stream's objects are serialised once per state (webapp/page/wire.py), not per message."""
    out = wire.dumps(head)[:-1] + f',"{key}":[' + ",".join(texts) + "]"
    if tail:
        out += "," + wire.dumps(tail)[1:-1]
    return out + "}"


class Session:
    """One connected page: hello, then snapshot or replay, then live batches until it goes."""

    running = 0                               # sessions whose handler has not returned (tests)
    _running_lock = threading.Lock()

    def __init__(self, ws, source, stopping: threading.Event):
        """`source`: what the stream draws (webapp/page/source.py: the engine, or a real cluster)."""
        self.ws, self.source, self.stopping = ws, source, stopping
        self.store = source
        # Which store the objects are from (an EngineSource is made per page; its store is shared).
        self.scope = id(getattr(source, "store", source))
        self.watcher = None
        self.skip_upto: dict[str, int] = {}   # per kind: events at or below this rv are in the snapshot
        self.skip_until = 0
        self.decision_seq = 0
        # requests before the page opened are not drawn
        self.request_seq = source.traffic.last_seq if source.traffic is not None else 0
        self.last_clock: tuple | None = None
        self.next_clock = 0.0
        self.next_decisions = 0.0
        # Objects were sent since the last decisions message (or, at the start, the page may hold
        # a snapshot it fetched over HTTP): the next decisions message goes out even if empty.
        self.objects_unconfirmed = True
        self.sent_rv = ""                     # the resourceVersion the client has last been told
        self.next_bookmark = time.monotonic() + BOOKMARK_PERIOD
        _set_send_timeout(ws, SEND_TIMEOUT)

    # ---- the loop -----------------------------------------------------------------------------

    def run(self) -> None:
        with Session._running_lock:
            Session.running += 1
        try:
            hello = self._hello()
            if hello is None:
                return
            rv = str(hello.get("resourceVersion") or "")
            self._start_decisions(hello.get("decisionSeq"))
            self._start_watch(rv)
            while not self.stopping.is_set() and self.ws.connected:
                self._pump_events()
                now = time.monotonic()
                if now >= self.next_decisions:
                    self._send_decisions()
                    self._send_requests()
                    self.next_decisions = now + DECISIONS_PERIOD
                self._send_clock(now)
                if now >= self.next_bookmark:
                    self.next_bookmark = now + BOOKMARK_PERIOD
                    if str(self.watcher.pos) != self.sent_rv:
                        self._send({"type": "bookmark", "resourceVersion": str(self.watcher.pos)})
                self._drain_incoming()
        except SlowClient:
            log.info("closing a stream whose client stopped reading")
            try:
                self.ws.close(reason=1013, message="client too slow; reconnect")
            except Exception:       # the socket may already be unusable
                pass
        finally:
            if self.watcher is not None:
                self.watcher.close()
            with Session._running_lock:
                Session.running -= 1

    def _hello(self) -> dict | None:
        deadline = time.monotonic() + HELLO_TIMEOUT
        while not self.stopping.is_set() and self.ws.connected:
            data = self.ws.receive(timeout=min(POLL * 4, max(0.0, deadline - time.monotonic())))
            if data is not None:
                try:
                    msg = json.loads(data)
                except ValueError:
                    msg = None
                if isinstance(msg, dict) and msg.get("type") == "hello":
                    return msg
            if time.monotonic() >= deadline:
                return {}
        return None

    def _drain_incoming(self) -> None:
        # The page sends nothing after hello today; reading keeps the socket's state current.
        while self.ws.receive(timeout=0) is not None:
            pass

    # ---- objects ------------------------------------------------------------------------------

    def _start_watch(self, rv: str) -> None:
        if rv:
            try:
                since = int(rv)
                # A resourceVersion from the future belongs to another store (a restarted
                # in-memory server): only a relist is right.
                if 0 <= since <= self.store.resource_version:
                    self.watcher = self.store.watch(since)
                    return
            except (errors.Expired, ValueError):
                pass
        self._snapshot()

    def _snapshot(self) -> None:
        """List every drawn kind, then follow from before the first list. Events a list already
        reflects (rv at or below that kind's list rv) are skipped, so nothing goes back in time."""
        if self.watcher is not None:
            self.watcher.close()
        start = self.store.resource_version
        self.watcher = self.store.watch(start)
        items, self.skip_upto = _list_drawn(self.store)
        self.skip_until = max(self.skip_upto.values(), default=start)
        for text in _snapshot_messages(items, start, self.scope):
            self._send_text(text, str(start))
        self.objects_unconfirmed = True

    def _pump_events(self) -> None:
        try:
            evs = self.watcher.next(timeout=POLL)
            if not evs:
                return
            # Take whatever else is already there, up to one message's worth.
            while len(evs) < MAX_BATCH:
                more = self.watcher.next(timeout=0)
                if not more:
                    break
                evs.extend(more)
        except errors.Expired:
            # We fell behind the store's history: start over from a fresh list.
            self._snapshot()
            return
        batch, rvs = self._coalesce(evs)
        for i in range(0, len(batch), MAX_BATCH):
            last = i + MAX_BATCH >= len(batch)
            # A resume point must cover only what this message (and those before it) carried:
            # entries are in the order of their latest event, so everything at or below the rv of
            # this message's last entry has been sent; only the final message may claim the rv of
            # the whole backlog (including skipped kinds after the last drawn change).
            rv = evs[-1].rv if last else rvs[min(i + MAX_BATCH, len(batch)) - 1]
            self._send_text(_message({"type": "events", "resourceVersion": str(rv)}, "events",
                                     batch[i:i + MAX_BATCH]), str(rv))
            self.objects_unconfirmed = True

    def _coalesce(self, evs) -> tuple[list[str], list[int]]:
        """Drawn kinds only; one entry per object carrying its latest state in this batch, in the
        order of those latest events, with the rv of each entry's latest event alongside. An entry
        is the JSON text of {"type": ..., "object": ...}."""
        out: dict[str, tuple[str, dict, int]] = {}
        for ev in evs:
            obj = ev.object
            kind = obj.get("kind")
            rt = kinds.BY_KIND.get(((obj.get("apiVersion") or "").rpartition("/")[0], kind))
            if rt is None or rt.name not in DRAWN_NAMES:
                continue
            if ev.rv <= self.skip_until and ev.rv <= self.skip_upto.get(rt.name, 0):
                continue
            uid = (obj.get("metadata") or {}).get("uid") or f"{kind}/{objects.key_of(obj)}"
            prev = out.pop(uid, None)
            etype = ev.type
            if prev is not None:
                if prev[0] == "ADDED" and etype == "DELETED":
                    continue                       # born and gone within the batch
                if prev[0] == "ADDED":
                    etype = "ADDED"
            out[uid] = (etype, obj, ev.rv)
        values = list(out.values())
        texts = [f'{{"type":{wire.dumps(etype)},"object":{wire.object_text(obj, self.scope)}}}'
                 for etype, obj, _ in values]
        return texts, [rv for _, _, rv in values]

    # ---- decisions and clock ------------------------------------------------------------------

    def _start_decisions(self, seq) -> None:
        log_ = self.source.decisions
        try:
            seq = int(seq or 0)
        except (TypeError, ValueError):
            seq = 0
        last = log_.last_seq
        reset = seq > last                     # the server restarted: its numbering did too
        if reset or seq == 0:
            seq = max(0, last - FIRST_DECISIONS)
        self.decision_seq = seq
        if reset:
            self._send({"type": "decisions", "items": [], "seq": seq, "reset": True})

    def _send_decisions(self) -> None:
        items, last = self.source.decisions.since(self.decision_seq)
        if not items and not self.objects_unconfirmed:
            return
        self.objects_unconfirmed = False
        self.decision_seq = last
        self._send({"type": "decisions", "items": items[-FIRST_DECISIONS * 5:], "seq": last,
                    "reset": False})

    def _send_requests(self) -> None:
        if self.source.traffic is None:
            return
        items, last = self.source.traffic.since(self.request_seq)
        self.request_seq = last
        if items:
            self._send({"type": "requests", "items": items[-50:]})

    def _send_clock(self, now: float) -> None:
        msg = self.source.clock()
        state = (msg.get("paused"), msg.get("speed"), msg.get("realisticTimings"))
        if now < self.next_clock and state == self.last_clock:
            return
        self.last_clock = state
        self.next_clock = now + CLOCK_PERIOD
        self._send({"type": "clock", **msg})

    # ---- sending --------------------------------------------------------------------------------

    def _send(self, msg: dict) -> None:
        self._send_text(wire.dumps(msg), msg.get("resourceVersion"))

    def _send_text(self, data: str, rv: str | None) -> None:
        """Send one message's JSON text; `rv`: the resourceVersion it carries (None: none)."""
        t0 = time.monotonic()
        try:
            self.ws.send(data)
        except (BlockingIOError, TimeoutError, socket.timeout) as e:
            raise SlowClient() from e
        if time.monotonic() - t0 >= SEND_TIMEOUT * 0.9:
            raise SlowClient()
        if rv is not None:
            self.sent_rv = rv


def _set_send_timeout(ws, seconds: float) -> None:
    """SO_SNDTIMEO on the raw socket: a send that cannot progress fails instead of blocking
    forever. Only sends are affected; simple-websocket's reader thread keeps blocking reads."""
    sock = getattr(ws, "sock", None)
    if sock is None:
        return
    try:
        sec = int(seconds)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO,
                        struct.pack("ll", sec, int((seconds - sec) * 1e6)))
    except (OSError, AttributeError, struct.error):
        pass

