"""Lists in chunks: `limit` and `continue`, as the apiserver's storage pages a list.

kubectl asks for 500 objects at a time (`--chunk-size`, on by default) and follows
`metadata.continue` until it is empty; client-go's pager does the same. The apiserver answers
`limit=N` with the first N objects in key order (etcd's `/registry/<resource>/<namespace>/<name>`),
a `continue` token naming the last key and the list's resourceVersion, and, for an unfiltered
list, `remainingItemCount`. Tokens are upstream's (apiserver storage.EncodeContinue): base64url
without padding of `{"v":"meta.k8s.io/v1","rv":<rv>,"start":"<key after the prefix>\\u0000"}`.

Where this differs from a real cluster: etcd serves every chunk at the first chunk's
resourceVersion (a consistent snapshot, until compaction); here later chunks are read from the
store as it is now, under the first chunk's resourceVersion — an object written in between shows
its newer version, as after etcd's compaction (where the apiserver would say 410 instead).
With `resourceVersion=0` the watch cache answers and ignores `limit`, as upstream's does."""
from __future__ import annotations

import base64
import itertools
import json
import posixpath

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
    data = json.dumps({"v": API_VERSION, "rv": rv, "start": start_after + "\x00"}, separators=(",", ":"))
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

    def __init__(self, items: list[dict], rv: int, continue_token: str | None, remaining: int | None):
        self.items, self.rv, self.continue_token, self.remaining = items, rv, continue_token, remaining
        self.partial = continue_token is not None or remaining is not None

    def list_meta(self) -> dict:
        meta: dict = {"resourceVersion": str(self.rv)}
        if self.continue_token:
            meta["continue"] = self.continue_token
        if self.remaining is not None:
            meta["remainingItemCount"] = self.remaining
        return meta


def page(items: list[dict], rv: int, *, namespace: str | None, namespaced: bool, limit_raw: str | None,
         continue_raw: str | None, resource_version: str | None, filtered: bool) -> Page:
    """The chunk of `items` (the whole list, in key order, at `rv`) that the request asks for."""
    limit = parse_limit(limit_raw)
    start, token_rv = "", 0
    if continue_raw:
        if resource_version and resource_version != "0":
            raise errors.BadRequest("specifying resource version is not allowed when using continue")
        start, token_rv = decode(continue_raw)
    elif resource_version == "0" or limit <= 0:
        return Page(items, rv, None, None)            # the watch cache: whole lists
    keys = [key_of(o, namespace, namespaced) for o in items]
    first = 0
    if start:
        # the first key at or after `start` (the last key sent, plus "\x00")
        first = next((i for i, k in enumerate(keys) if k >= start), len(keys))
    rest = items[first:]
    list_rv = token_rv or rv
    if limit <= 0 or len(rest) <= limit:
        return Page(rest, list_rv, None, None)
    chunk = rest[:limit]
    token = encode(keys[first + limit - 1], list_rv)
    return Page(chunk, list_rv, token, None if filtered else len(rest) - limit)
