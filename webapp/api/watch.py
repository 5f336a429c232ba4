"""Watch over HTTP: newline-delimited JSON events streamed from the store's history.

Semantics as the apiserver's (kubectl-wire.md §7): no resourceVersion (or "0") starts with a
synthetic ADDED per existing match; resourceVersion=N replays everything after N; a compacted N
answers one ERROR event with a 410 Expired Status. Selectors apply to events, and an object that
starts or stops matching is sent as ADDED or DELETED. Table watches stream one-row Tables."""
from __future__ import annotations

import json
import random
import select
import time

from engine import errors, objects as O
from engine import matches_fields, matches_requirements, parse_field_selector, parse_label_selector

from . import tables

MAX_TIMEOUT = 1800.0        # the apiserver's min-request-timeout; a watch then ends and is re-made


def _line(ev_type: str, obj: dict) -> bytes:
    return (json.dumps({"type": ev_type, "object": obj}, separators=(",", ":")) + "\n").encode()


def _wait_for_resource_version(store, rv: int, patience: float = 3.0) -> None:
    """A resourceVersion the store has not reached yet: wait briefly, then answer as the
    apiserver's watch cache does (504 "Too large resource version"), so informers re-list."""
    deadline = time.monotonic() + patience
    while store.resource_version < rv:
        left = deadline - time.monotonic()
        if left <= 0:
            err = errors.Timeout(f"Too large resource version: {rv}, current: {store.resource_version}",
                                 details={"causes": [{"reason": "ResourceVersionTooLarge",
                                                      "message": "Too large resource version"}],
                                          "retryAfterSeconds": 1})
            raise err
        store.wait_for_change(store.resource_version, min(left, 0.5))


_HANGUP = getattr(select, "POLLRDHUP", 0x2000) | select.POLLHUP | select.POLLERR


def peer_gone(sock) -> bool:
    """True once the client has closed its end (or the connection broke). A watch writes only
    when something happens, so without asking it would notice a client that went away only at
    the next event — on a quiet cluster, at its 30–60 minute deadline, a thread held all along."""
    if sock is None:
        return False
    try:
        p = select.poll()
        p.register(sock.fileno(), _HANGUP)
        return bool(p.poll(0))
    except (OSError, ValueError):          # closed underneath us: gone
        return True


def stream(cluster, rt, namespace, *, label_selector, field_selector, resource_version,
           timeout_seconds, as_table, bookmarks, stopping, client_gone=lambda: False):
    store, clock = cluster.store, cluster.clock
    lreqs = parse_label_selector(label_selector)
    freqs = parse_field_selector(field_selector)

    def matches(obj):
        if obj is None or obj.get("kind") != rt.kind or obj.get("apiVersion") != rt.api_version:
            return False
        if namespace and O.namespace_of(obj) != namespace:
            return False
        return matches_requirements(O.labels_of(obj), lreqs) and matches_fields(obj, freqs)

    first = [True]

    def render(obj):
        if as_table:
            out = tables.table_event_object(rt, obj, now=clock.now(), first=first[0])
            first[0] = False
            return out
        return obj

    initial = []
    if resource_version in (None, "", "0"):
        items, rv = store.list(rt, namespace, label_selector, field_selector)
        initial = items
        since = rv
    else:
        try:
            since = int(resource_version)
            if since < 0:
                raise ValueError
        except ValueError:
            raise errors.BadRequest(f"invalid resource version: {resource_version!r}")
        _wait_for_resource_version(store, since)
    try:
        watcher = store.watch(since)
    except errors.Expired as e:
        watcher = None
        expired = e
    deadline = time.monotonic() + min(timeout_seconds or random.uniform(MAX_TIMEOUT, 2 * MAX_TIMEOUT), 2 * MAX_TIMEOUT)

    def generate():
        yield b""              # the server sends the 200 and its headers now, before any event
        if watcher is None:
            yield _line("ERROR", expired.status())
            return
        try:
            for obj in initial:
                yield _line("ADDED", render(obj))
            last_bookmark = time.monotonic()
            while not stopping.is_set() and not client_gone():
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                try:
                    evs = watcher.next(min(1.0, left))
                except errors.Expired as e:
                    yield _line("ERROR", e.status())
                    return
                out = []
                for ev in evs:
                    now_m, was_m = matches(ev.object), matches(ev.old)
                    if ev.type == "ADDED" and now_m:
                        out.append(_line("ADDED", render(ev.object)))
                    elif ev.type == "DELETED" and (now_m or was_m):
                        out.append(_line("DELETED", render(ev.object)))
                    elif ev.type == "MODIFIED":
                        if now_m and was_m:
                            out.append(_line("MODIFIED", render(ev.object)))
                        elif now_m:
                            out.append(_line("ADDED", render(ev.object)))
                        elif was_m:
                            out.append(_line("DELETED", render(ev.object)))
                if out:
                    yield b"".join(out)
                elif bookmarks and time.monotonic() - last_bookmark > 30:
                    last_bookmark = time.monotonic()
                    yield _line("BOOKMARK", {"kind": rt.kind, "apiVersion": rt.api_version,
                                             "metadata": {"resourceVersion": str(watcher.pos)}})
        finally:
            watcher.close()
    return generate()
