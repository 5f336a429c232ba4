"""List answers (a kind's list as JSON, or as a Table) written from each object's text.

Byte for byte what `json.dumps(timeshift.shifted(body, seconds), separators=(",", ":"))` of the
whole body gives (tests/api/test_list_bodies.py compares them), made differently for two
reasons (webapp/api/encoded.py says more):

- each object's JSON comes from a template made once per stored version, so a list repeats
  little of the previous list's work;
- no single call holds the interpreter lock for long: a 10,000-pod list is many small dumps and
  joins of ~0.5 MB parts, and goes out in writes of a few MB with its Content-Length, rather
  than one 40 MB `json.dumps` during which a single-object write (or the engine) waited.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable

from engine import ResourceType

from . import encoded, tables

# Objects per part of the body: big enough that the joins are cheap, small enough that one
# part's work is a few milliseconds of holding the interpreter lock.
PART = 200

_TEXTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def texts_for(cluster) -> encoded.ObjectTexts:
    """The cluster's ObjectTexts (made on first use; goes with the cluster)."""
    texts = _TEXTS.get(cluster)
    if texts is None:
        texts = _TEXTS.setdefault(cluster, encoded.ObjectTexts())
    return texts


def _split(envelope: dict, seconds: int) -> tuple[str, str]:
    """The envelope's text before and after its last member, an empty list (items or rows)."""
    head = encoded.text_of(envelope, seconds)
    assert head.endswith("[]}"), "the list must be the envelope's last member"
    return head[:-2], "]}"


# Bytes per write to the socket. Each write gives the interpreter lock up for the system call and
# then waits to take it again behind the engine's thread (a millisecond or more under load): a
# 10,000-pod list in ~0.5 MB parts was ~50 such waits. Parts are gathered into writes of this
# size by a bytes join (a copy: ~0.3 ms a write, holding the lock).
WRITE = 4 << 20


def _parts(head: str, texts: list, make: Callable[[object], str], tail: str) -> list[bytes]:
    writes: list[bytes] = []
    gathered, size = [head.encode()], 0
    for i in range(0, len(texts), PART):
        chunk = ",".join([make(e) for e in texts[i:i + PART]])
        part = ("," + chunk if i else chunk).encode()
        gathered.append(part)
        size += len(part)
        if size >= WRITE:
            writes.append(b"".join(gathered))
            gathered, size = [], 0
    gathered.append(tail.encode())
    writes.append(b"".join(gathered))
    return writes


def json_list(texts: encoded.ObjectTexts, rt: ResourceType, envelope: dict, items: list[dict], seconds: int,
              complete_for: str | None | bool) -> list[bytes]:
    """A list body: `envelope` (kind, apiVersion, metadata, and "items": [] last) with `items`,
    stored objects of `rt`, as its items. complete_for: see ObjectTexts.entries."""
    head, tail = _split(envelope, seconds)
    entries = texts.entries(rt.name, items, complete_for=complete_for)
    return _parts(head, entries, lambda e: encoded.object_text(e, seconds), tail)  # type: ignore[arg-type]


def table(texts: encoded.ObjectTexts, rt: ResourceType, table_rt: ResourceType, items: list[dict], *, now: float,
          resource_version: str, include_object: str, seconds: int, complete_for: str | None | bool,
          continue_token: str | None = None, remaining_item_count: int | None = None) -> list[bytes]:
    """tables.table(table_rt, items, ...) as a body; `rt` is the stored kind of `items`."""
    if items:
        tables.check_include_object(include_object)
    head, tail = _split(tables.table(table_rt, [], now=now, resource_version=resource_version,
                                     include_object=include_object, continue_token=continue_token,
                                     remaining_item_count=remaining_item_count), seconds)
    entries = texts.entries(rt.name, items, complete_for=complete_for)
    fixed, row_head = tables.row_maker(table_rt)
    made = []
    for entry in entries:
        kept = entry.row
        if kept is None or kept[0] is not table_rt:
            kept = entry.row = (table_rt, fixed(entry.obj))
        made.append(_row(table_rt, row_head(kept[1], now), entry, include_object, seconds))
    return _parts(head, made, lambda text: text, tail)  # type: ignore[arg-type]


def _row(rt: ResourceType, row_head: dict, entry: encoded._Entry, include_object: str, seconds: int) -> str:
    cells = encoded.dumps(row_head["cells"]) if len(row_head) == 1 else "{"
    if "{" not in cells:
        head = '{"cells":' + cells          # no map in the cells, so no timestamp key to move
    else:
        head = encoded.text_of(row_head, seconds)[:-1]
    if include_object in ("Metadata", ""):
        obj = ('{"kind":"PartialObjectMetadata","apiVersion":"' + tables.TABLE_API_VERSION + '","metadata":'
               + encoded.metadata_text(entry, seconds) + "}")
    elif include_object == "None":
        obj = "null"
    elif entry.obj.get("apiVersion") == rt.api_version and entry.obj.get("kind") == rt.kind:
        obj = encoded.object_text(entry, seconds)
    else:
        obj = encoded.text_of(tables._row_object(rt, entry.obj, include_object), seconds)
    return head + ',"object":' + obj + "}"

