"""Watch over HTTP: newline-delimited JSON events streamed from the store's history.

Semantics as the apiserver's (kubectl-wire.md §7): no resourceVersion (or "0") starts with a
synthetic ADDED per existing match; resourceVersion=N replays everything after N; a compacted N
answers one ERROR event with a 410 Expired Status. Selectors apply to events, and an object that
starts or stops matching is sent as ADDED or DELETED. Table watches stream one-row Tables.

Streaming lists (WatchList, KEP-3157; client-go >= 1.35 asks for them by default):
`sendInitialEvents=true&resourceVersionMatch=NotOlderThan` sends the state at a resourceVersion not
older than the one asked for as ADDED events, then (with allowWatchBookmarks) one BOOKMARK annotated
`k8s.io/initial-events-end: "true"` carrying that resourceVersion, then the live stream. Without the
bookmark the reflector never syncs and `kubectl delete/wait/rollout status` hang. The parameter
combinations are checked as k8s.io/apiserver's ValidateListOptions does, with its texts."""
from __future__ import annotations

import json
import random
import time

from engine import errors, objects
from engine import matches_fields, matches_requirements, parse_field_selector, parse_label_selector

from . import encoded, tables
from .connection import client_gone

MAX_TIMEOUT = 1800.0        # the apiserver's min-request-timeout; a watch then ends and is re-made
INITIAL_EVENTS_END = "k8s.io/initial-events-end"
NOT_OLDER_THAN, EXACT = "NotOlderThan", "Exact"


def validate_list_options(*, watch: bool, resource_version: str | None, match: str | None,
                          send_initial_events: bool | None, continue_: str | None) -> None:
    """The apiserver's ValidateListOptions (apimachinery pkg/apis/meta/internalversion/validation),
    answered as its 422 `ListOptions.meta.k8s.io "" is invalid: ...`. The WatchList feature gate
    counts as on, as in kube-apiserver 1.32+."""
    errs = []
    match = match or ""
    if watch:
        if send_initial_events is not None and match != NOT_OLDER_THAN:
            errs.append(errors.forbidden("resourceVersionMatch",
                                         f"sendInitialEvents requires setting resourceVersionMatch to {NOT_OLDER_THAN}"))
        if match:
            if send_initial_events is None:
                errs.append(errors.forbidden("resourceVersionMatch",
                                             "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"))
            if match != NOT_OLDER_THAN:
                errs.append(errors.not_supported("resourceVersionMatch", match, [NOT_OLDER_THAN]))
            if continue_:
                errs.append(errors.forbidden("resourceVersionMatch",
                                             "resourceVersionMatch is forbidden when continue is provided"))
    else:
        if match:
            if not resource_version:
                errs.append(errors.forbidden("resourceVersionMatch",
                                             "resourceVersionMatch is forbidden unless resourceVersion is provided"))
            if continue_:
                errs.append(errors.forbidden("resourceVersionMatch",
                                             "resourceVersionMatch is forbidden when continue is provided"))
            if match not in (EXACT, NOT_OLDER_THAN):
                errs.append(errors.not_supported("resourceVersionMatch", match, [EXACT, NOT_OLDER_THAN, ""]))
            if match == EXACT and resource_version == "0":
                errs.append(errors.forbidden("resourceVersionMatch",
                                             'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'))
        if send_initial_events is not None:
            errs.append(errors.forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"))
    if errs:
        raise errors.Invalid("ListOptions", "meta.k8s.io", "", errs)


def parse_resource_version(resource_version: str) -> int:
    try:
        rv = int(resource_version)
    except ValueError:
        rv = -1
    if rv < 0:
        # apiserver storage: ParseResourceVersion's text, answered as 400 by the REST layer
        raise errors.BadRequest(f"invalid resource version: {resource_version!r}")
    return rv


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


def initial_events_end(rt, rv: int) -> dict:
    """The bookmark closing a streaming list's initial events: an empty object of the watched kind
    carrying only the resourceVersion the initial state was taken at and the annotation."""
    return {"kind": rt.kind, "apiVersion": rt.api_version,
            "metadata": {"resourceVersion": str(rv), "annotations": {INITIAL_EVENTS_END: "true"}}}


def stream(cluster, rt, namespace, *, label_selector, field_selector, resource_version,
           timeout_seconds, as_table, bookmarks, stopping, send_initial_events=None, client=None,
           frame=lambda obj: obj, view=None, texts: encoded.ObjectTexts | None = None, shift=None):
    """`view`: a webapp.api.versions.View when the kind is watched at another version than its
    stored one: each object is converted for the reader. `frame`: the client's time frame
    (webapp/api/clientframe.py). `texts` and `shift` (the client's shift now, as `frame` applies
    it): the stored objects' texts (webapp/api/encoded.py), shared with the lists, which a
    plain watch (not a Table, not a view) writes its objects from."""
    store, clock = cluster.store, cluster.clock
    lreqs = parse_label_selector(label_selector)
    freqs = parse_field_selector(field_selector)

    def matches(obj):
        if obj is None or obj.get("kind") != rt.kind or obj.get("apiVersion") != rt.api_version:
            return False
        if namespace and objects.namespace_of(obj) != namespace:
            return False
        return matches_requirements(objects.labels_of(obj), lreqs) and matches_fields(obj, freqs)

    first = [True]

    def render(obj):
        # `frame`: the object's timestamps in the client's frame (webapp/api/clientframe.py)
        if as_table:
            out = tables.table_event_object(rt, obj, now=clock.now(), first=first[0])
            first[0] = False
            return frame(out)
        return frame(view.out(obj) if view is not None else obj)

    from_texts = texts is not None and shift is not None and view is None and not as_table
    kind = rt.name

    def line(ev_type: str, obj: dict, keep: bool = True) -> bytes:
        if from_texts:
            # Byte for byte _line(ev_type, render(obj)): the object's text in the frame of now.
            text = encoded.object_text(texts.entry(kind, obj, keep=keep), shift())
            return ('{"type":"' + ev_type + '","object":' + text + "}\n").encode()
        return _line(ev_type, render(obj))

    initial, end_bookmark = [], None
    if send_initial_events:
        # A streaming list: the state at a resourceVersion not older than the one asked for ("" is
        # a consistent read, "0" any; both are the store's current state here), then the bookmark.
        if resource_version not in (None, "", "0"):
            _wait_for_resource_version(store, parse_resource_version(resource_version))
        initial, since = store.list(rt, namespace, label_selector, field_selector)
        if bookmarks:
            end_bookmark = initial_events_end(rt, since)
    elif resource_version in (None, "", "0"):
        if send_initial_events is None:
            # The legacy watch: "get state and start at most recent" / "start at any".
            initial, since = store.list(rt, namespace, label_selector, field_selector)
        else:
            since = store.resource_version            # sendInitialEvents=false: only what happens next
    else:
        since = parse_resource_version(resource_version)
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
            if initial:
                yield b"".join(line("ADDED", obj) for obj in initial)
            if end_bookmark is not None:
                yield _line("BOOKMARK", end_bookmark)
            last_bookmark = time.monotonic()
            while not stopping.is_set():
                left = deadline - time.monotonic()
                if left <= 0 or client_gone(client):
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
                        out.append(line("ADDED", ev.object))
                    elif ev.type == "DELETED" and (now_m or was_m):
                        out.append(line("DELETED", ev.object, keep=False))
                    elif ev.type == "MODIFIED":
                        if now_m and was_m:
                            out.append(line("MODIFIED", ev.object))
                        elif now_m:
                            out.append(line("ADDED", ev.object))
                        elif was_m:
                            out.append(line("DELETED", ev.object))
                if out:
                    yield b"".join(out)
                elif bookmarks and time.monotonic() - last_bookmark > 30:
                    last_bookmark = time.monotonic()
                    yield _line("BOOKMARK", {"kind": rt.kind, "apiVersion": rt.api_version,
                                             "metadata": {"resourceVersion": str(watcher.pos)}})
        finally:
            watcher.close()
    return generate()
