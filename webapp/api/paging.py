"""Lists in chunks: `limit` and `continue`, as the apiserver's storage pages a list.

kubectl asks for 500 objects at a time (`--chunk-size`, on by default) and follows
`metadata.continue` until it is empty; client-go's pager does the same. The apiserver answers
`limit=N` with the first N objects in key order (etcd's `/registry/<resource>/<namespace>/<name>`),
a `continue` token naming the last key and the list's resourceVersion, and, for an unfiltered
list, `remainingItemCount`. Tokens are upstream's (apiserver storage.EncodeContinue): base64url
without padding of `{"v":"meta.k8s.io/v1","rv":<rv>,"start":"<key after the prefix>\\u0000"}`.

Every chunk after the first is the list as it was at the first chunk's resourceVersion, as etcd
serves it: from the first chunk's list, kept for its continuations (Snapshots below), or, when
that is gone, from the store's history of writes (Store.list_at). When neither reaches back — an
etcd compaction, upstream — the answer is upstream's 410 with a token to go on from the same key
at the newest resourceVersion. With `resourceVersion=0` the watch cache answers and ignores
`limit`, as upstream's does."""
from __future__ import annotations

import base64
import bisect
import collections
import itertools
import json
import posixpath
import threading
import time
import weakref
from typing import Callable

from engine import errors

API_VERSION = "meta.k8s.io/v1"
_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def parse_limit(raw: str | None) -> int:
    """metav1.ListOptions' `limit` (int64; 0 or less: no limit), as the query conversion reads it."""
    if not raw:
        return 0
    try:
        value = int(raw, 10)
    except ValueError:
        raise errors.BadRequest(f'strconv.ParseInt: parsing "{raw}": invalid syntax') from None
    if not -(2 ** 63) <= value < 2 ** 63:
        raise errors.BadRequest(f'strconv.ParseInt: parsing "{raw}": value out of range')
    return value


def key_of(obj: dict, namespace: str | None, namespaced: bool) -> str:
    """The object's storage key after the list's prefix: `<ns>/<name>` for an all-namespaces list
    of a namespaced kind, else the name."""
    md = obj.get("metadata") or {}
    if namespaced and not namespace:
        return f"{md.get('namespace', '')}/{md.get('name', '')}"
    return md.get("name", "")


def in_key_order(items: list[dict], namespace: str | None, namespaced: bool) -> list[dict]:
    """`items` (sorted by namespace, then name, as the store lists them) in etcd's key order: for
    an all-namespaces list, namespaces compare with their "/" — `app-dev/` sorts before `app/`,
    as "-" and "." come before "/" — so their runs of items are put in that order."""
    if not namespaced or namespace or not items:
        return items
    runs = [(ns + "/", list(run)) for ns, run in
            itertools.groupby(items, key=lambda o: (o.get("metadata") or {}).get("namespace", ""))]
    if all(a[0] < b[0] for a, b in zip(runs, runs[1:])):
        return items
    return [o for _key, run in sorted(runs, key=lambda r: r[0]) for o in run]


def encode(start_after: str, rv: int) -> str:
    """The token to go on after the key `start_after`."""
    return _encode_start(start_after + "\x00", rv)


def _encode_start(start: str, rv: int) -> str:
    data = json.dumps({"v": API_VERSION, "rv": rv, "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def decode(token: str) -> tuple[str, int]:
    """(the key to start at, the list's resourceVersion); BadRequest with the apiserver's words."""
    def bad(why: str) -> errors.BadRequest:
        return errors.BadRequest(f"invalid continue token: {why}")
    illegal = next((i for i, ch in enumerate(token) if ch not in _ALPHABET), None)
    if illegal is None and len(token) % 4 == 1:
        illegal = len(token) - 1                  # a lone last character carries no whole byte
    if illegal is not None:
        raise bad(f"continue key is not valid: illegal base64 data at input byte {illegal}")
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except ValueError:
        raise bad("continue key is not valid") from None
    if not isinstance(data, dict):
        raise bad("continue key is not valid")
    if data.get("v") != API_VERSION:
        raise bad(f"continue key is not valid: server does not recognize this encoded version {data.get('v') or ''}".rstrip())
    rv = data.get("rv")
    if not isinstance(rv, int) or isinstance(rv, bool) or rv == 0:
        raise bad("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
    start = data.get("start")
    if not isinstance(start, str) or not start:
        raise bad("continue key is not valid: encoded start key empty (version meta.k8s.io/v1)")
    # upstream roots the key and refuses one that path.Clean would change (no climbing out of the list)
    rooted = start if start.startswith("/") else "/" + start
    if posixpath.normpath(rooted) != rooted or rooted.startswith("//"):
        raise bad(f"continue key is not valid: {start}")
    return rooted[1:], rv


class Page:
    """One chunk of a list: its items, the resourceVersion it reports, and its list metadata."""

    def __init__(self, items: list[dict], rv: int, continue_token: str | None, remaining: int | None,
                 after_start: bool = False):
        self.items, self.rv, self.continue_token, self.remaining = items, rv, continue_token, remaining
        # not the whole list: more to come, or a continuation's (the last chunk too)
        self.partial = after_start or continue_token is not None or remaining is not None

    def list_meta(self) -> dict:
        meta: dict = {"resourceVersion": str(self.rv)}
        if self.continue_token:
            meta["continue"] = self.continue_token
        if self.remaining is not None:
            meta["remainingItemCount"] = self.remaining
        return meta


# upstream's words (apiserver storage/etcd3, inconsistentContinue) for a token whose revision is gone
INCONSISTENT_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. You can start a new list "
    "without the continue parameter, or use the continue token in this response to retrieve the remainder of "
    "the results. Continuing with the provided token results in an inconsistent list - objects that were "
    "created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")


class Snapshots:
    """The lists whose first chunk went out with more to come, kept for their continuations: a
    later chunk is then a slice of the same list (consistent, as etcd's read at the first chunk's
    revision is) without listing and sorting every object again. A list is dropped when its last
    chunk has gone out, and after KEEP_SECONDS (etcd's compaction, every 5 minutes upstream) or
    when MAX lists are kept (the oldest first); a continuation then reads the store's history."""

    MAX = 8
    KEEP_SECONDS = 300.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: collections.OrderedDict[tuple, tuple[float, list[str], list[dict]]] = collections.OrderedDict()

    def put(self, ident: tuple, keys: list[str], items: list[dict]) -> None:
        with self._lock:
            self._expire()
            self._kept[ident] = (time.monotonic(), keys, items)
            while len(self._kept) > self.MAX:
                self._kept.popitem(last=False)

    def get(self, ident: tuple) -> tuple[list[str], list[dict]] | None:
        with self._lock:
            self._expire()
            got = self._kept.get(ident)
            return None if got is None else (got[1], got[2])

    def drop(self, ident: tuple) -> None:
        with self._lock:
            self._kept.pop(ident, None)

    def _expire(self) -> None:
        cutoff = time.monotonic() - self.KEEP_SECONDS
        while self._kept and next(iter(self._kept.values()))[0] < cutoff:
            self._kept.popitem(last=False)


_SNAPSHOTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def snapshots_for(cluster) -> Snapshots:
    """The cluster's kept lists (made on first use; they go with the cluster)."""
    got = _SNAPSHOTS.get(cluster)
    if got is None:
        got = _SNAPSHOTS.setdefault(cluster, Snapshots())
    return got


def page(read_now: Callable[[], tuple[list[dict], int]], read_at: Callable[[int], list[dict] | None],
         snapshots: Snapshots, ident: tuple, *, namespace: str | None, namespaced: bool,
         limit_raw: str | None, continue_raw: str | None, resource_version: str | None,
         filtered: bool) -> Page:
    """The chunk of the list the request asks for. `read_now()` is the whole list and the store's
    resourceVersion; `read_at(rv)` the list as it was at rv, or None if that is no longer known;
    `ident` names the list (its resource, namespace and selectors) among the kept snapshots."""
    limit = parse_limit(limit_raw)
    if not continue_raw:
        items, rv = read_now()
        items = in_key_order(items, namespace, namespaced)
        if resource_version == "0" or limit <= 0:
            return Page(items, rv, None, None)            # the watch cache: whole lists
        return _chunk(snapshots, ident, items, None, rv, "", limit, namespace, namespaced, filtered)
    if resource_version and resource_version != "0":
        raise errors.BadRequest("specifying resource version is not allowed when using continue")
    start, token_rv = decode(continue_raw)
    if token_rv < 0:
        # a token from a 410's Status: the rest of the list as it is now, from the same key on
        items, rv = read_now()
        return _chunk(snapshots, ident, in_key_order(items, namespace, namespaced), None, rv, start, limit,
                      namespace, namespaced, filtered)
    kept = snapshots.get(ident + (token_rv,))
    if kept is not None:
        keys, items = kept
        return _chunk(snapshots, ident, items, keys, token_rv, start, limit, namespace, namespaced, filtered)
    got = read_at(token_rv)
    if got is None:
        raise errors.Expired(INCONSISTENT_CONTINUE, list_meta={"continue": _encode_start(start, -1)})
    return _chunk(snapshots, ident, in_key_order(got, namespace, namespaced), None, token_rv, start, limit,
                  namespace, namespaced, filtered)


def _chunk(snapshots: Snapshots, ident: tuple, items: list[dict], keys: list[str] | None, rv: int,
           start: str, limit: int, namespace: str | None, namespaced: bool, filtered: bool) -> Page:
    """`limit` items (0: all) of `items` (in key order, at `rv`) from the first whose key is at or
    after `start` (the last key sent plus "\x00"; "" for the list's start). `keys` are the items'
    keys when the list is a kept one; a list read anew is kept if more chunks of it will follow."""
    fresh = keys is None
    if keys is None:
        keys = [key_of(o, namespace, namespaced) for o in items]
    first = bisect.bisect_left(keys, start) if start else 0
    rest = len(items) - first
    snap = ident + (rv,)
    if limit <= 0 or rest <= limit:
        if start:
            snapshots.drop(snap)                      # its last chunk: no continuation will come
        return Page(items[first:], rv, None, None, after_start=bool(start))
    if fresh:
        snapshots.put(snap, keys, items)
    token = encode(keys[first + limit - 1], rv)
    return Page(items[first:first + limit], rv, token, None if filtered else rest - limit)
