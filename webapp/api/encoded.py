"""Stored objects' JSON, encoded once per version and moved into a client's frame as text.

Why: a list of 10,000 pods used to be copied whole to move its timestamps into the client's
frame (webapp/api/timeshift.py, ~1 s of CPU) and then dumped in one `json.dumps` call — C code
that holds the interpreter lock for the whole 40 MB (~0.7 s), during which no other request and
not the engine ran. Here each object is dumped on its own, once per version: stored objects are
never changed in place (a write stores a new dict; engine/mutation_detector.py checks it in the
engine's tests), so the text made for an object stays right for as long as the store holds that
very dict, and a list is a join of pieces the previous list mostly made already.

The client's frame moves every timestamp by the clock's lead, which at 10x or 100x is different
at every request, so the cache cannot hold the moved text. It holds a *template*: the object's
JSON cut at its timestamps, `(text, stamp, text, stamp, ..., text)`; serving at a shift puts each
stamp through timeshift's own (memoised) move. The result is byte for byte
`json.dumps(timeshift.shifted(obj, seconds), separators=(",", ":"))`, which the tests compare:

- a timestamp is a value under a key in timeshift.TIME_FIELDS: in the compact JSON a key is
  always preceded by `{` or `,` right before its opening quote, which no string's inside can
  produce (a quote inside a string is written `\\"`), so `[{,]"key":"stamp"` finds exactly
  the keys;
- timeshift does not look inside the user's maps (labels, annotations, a ConfigMap's data...):
  stamps found inside such a map's value (its extent from the decoder) are left as text;
- anything rarer — a timestamp key holding a map (a PodDisruptionBudget's disruptedPods), a
  `\\u` escape (non-ASCII text, where `\\d` could mean other digits) — is served the slow, plain
  way: that object is shifted as a whole and dumped, each time.

Nothing here knows Flask: the page's snapshot (webapp/page/stream.py) serialises the same objects
and could keep its text in an ObjectTexts too.
"""
from __future__ import annotations

import json
import re
from json import encoder
import threading
from collections.abc import Iterable

from . import timeshift

# A timestamp's value after a key: the key is checked by looking back (cheaper than one pattern
# with every key's name in it, which the engine would try at every `{` and `,`).
_STAMP_VALUE = re.compile(r'":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)"')
_USER_MAP_KEYS = tuple(f'"{k}":' for k in sorted(timeshift._USER_MAPS))
# A map of plain strings (no escapes, no nesting): most labels, annotations and data; its end is
# found by this match, anything else's by the decoder.
_FLAT_MAP = re.compile(r'\{(?:"[^"\\{}]*":"[^"\\]*"(?:,"[^"\\{}]*":"[^"\\]*")*)?\}')
_DECODER = json.JSONDecoder()
_TIME_FIELDS = timeshift.TIME_FIELDS

Template = tuple[str, ...]


def dumps(value) -> str:
    """The API's compact JSON: `json.dumps(value, separators=(",", ":"))`, without making an
    encoder at each call (this module makes hundreds of thousands of small ones)."""
    if type(value) is str:
        return _quote(value)
    return "".join(_encode(value, 0))


def _encoder():
    # What json.dumps builds for these arguments at each call (json/encoder.py iterencode's
    # one-shot path); the markers dict only detects cycles, which stored objects do not have.
    if encoder.c_make_encoder is None:          # pure-Python json: dumps as it is
        return lambda value, _level: [json.dumps(value, separators=(",", ":"))]
    return encoder.c_make_encoder(None, encoder.JSONEncoder(separators=(",", ":")).default,
                                  encoder.encode_basestring_ascii, None, ":", ",", False, False, True)


_encode = _encoder()
_quote = encoder.encode_basestring_ascii


def template(value) -> Template | None:
    """`value`'s JSON cut at its timestamps (odd positions hold the stamps as stored); None when
    it must be served the slow way (see the module's docstring)."""
    return _cut(dumps(value))


def _cut(text: str) -> Template | None:
    if "\\u" in text:
        return None             # non-ASCII text: timeshift's \d takes other digits than 0-9
    hits = list(_STAMP_VALUE.finditer(text))
    if not hits:
        return (text,)
    user_maps = _user_maps(text, hits[-1].start())
    pieces: list[str] = []
    pos = 0
    for m in hits:
        at = m.start()
        if user_maps and any(start <= at < end for start, end in user_maps):
            continue                        # the user's: timeshift does not look inside
        open_quote = text.rfind('"', 0, at)
        if text[open_quote + 1:at] not in _TIME_FIELDS or text[open_quote - 1] not in "{,":
            # A timestamp under another key: text (`restartedAt`), or a timestamp key's map of
            # them (a PodDisruptionBudget's disruptedPods), which timeshift moves: rare, slow.
            return None
        pieces += (text[pos:m.start(1)], m.group(1))
        pos = m.end(1)
    pieces.append(text[pos:])
    return tuple(pieces)


def _user_maps(text: str, before: int) -> list[tuple[int, int]]:
    """Where the values of user-map keys (labels, annotations...) starting before `before` lie."""
    spans = []
    for key in _USER_MAP_KEYS:
        at = text.find(key, 0, before)
        while at != -1:
            if text[at - 1] in "{,":        # a key, not the end of one (`"f:labels":`)
                start = at + len(key)
                flat = _FLAT_MAP.match(text, start)
                spans.append((start, flat.end() if flat else _DECODER.raw_decode(text, start)[1]))
            at = text.find(key, at + 1, before)
    return spans


def render(pieces: Template, seconds: int) -> str:
    """A template's text with its stamps moved `seconds` back (as timeshift.shifted moves them)."""
    if len(pieces) == 1:
        return pieces[0]
    if not seconds:
        return "".join(pieces)
    out = list(pieces)
    moved = timeshift._moved
    out[1::2] = [moved(s, seconds) for s in pieces[1::2]]
    return "".join(out)


def text_of(value, seconds: int) -> str:
    """Any value's JSON in a client's frame, without a cache (the slow way, exact by definition)."""
    return dumps(timeshift.shifted(value, seconds))


class _Node:
    """Where a part of an object (a member, or a managedFields entry) lies in the object's
    template, so the object's next version takes the text of the parts that are still the very
    same objects (a status write leaves spec, labels and most managedFields entries shared) and
    encodes only the rest. The text itself is held once, in the entry's template."""
    __slots__ = ("value", "span", "parts")

    def __init__(self, value, parts=None):
        self.value, self.parts = value, parts
        self.span: tuple[int, int, int, int] = (0, 0, 0, 0)     # piece, offset .. piece, offset


# Members made from their parts below an object's top level: metadata's members, and the
# managedFields entries.
_COMPOSED = {"metadata": "members", "managedFields": "items"}
_STAMP_ONLY = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z", re.ASCII)


class _Slow(Exception):
    """This object is served the slow way (the module's docstring says when)."""


class _Build:
    """One object's template, made as a run of fragments: text, and (stamp,) for a timestamp."""

    def __init__(self, before: tuple[Template, dict] | None):
        self.frags: list = []
        self.marks: list[tuple[_Node, int, int]] = []       # node, first and last fragment
        self.old = before[0] if before is not None else None

    def push(self, pieces: Template) -> None:
        frags = self.frags
        frags.append(pieces[0])
        for i in range(1, len(pieces), 2):
            frags.append((pieces[i],))
            frags.append(pieces[i + 1])

    def leaf(self, node: _Node, pieces: Template | None) -> _Node:
        if pieces is None:
            raise _Slow
        first = len(self.frags)
        self.push(pieces)
        self.marks.append((node, first, len(self.frags) - 1))
        return node

    def member(self, key: str, value, before: _Node | None, how: str | None) -> _Node:
        if how == "members" and type(value) is dict:
            return self.members(value, before)
        if how == "items" and type(value) is list:
            return self.items(value, before)
        if before is not None and before.value is value and self.old is not None:
            return self.leaf(_Node(value), _extract(self.old, before.span))
        node = _Node(value)
        if key in _TIME_FIELDS:
            if type(value) is str:
                if _STAMP_ONLY.fullmatch(value):
                    return self.leaf(node, ('"', value, '"'))
                return self.leaf(node, (_quote(value),) if value.isascii() else None)
            if isinstance(value, dict):
                raise _Slow                     # a map of timestamps
        elif key in timeshift._USER_MAPS:
            return self.leaf(node, (dumps(value),))   # the user's: timeshift does not look inside
        elif type(value) is str:
            return self.leaf(node, (_quote(value),))  # a plain string holds no key, so no stamp
        return self.leaf(node, template(value))

    def members(self, d: dict, before: _Node | None) -> _Node:
        old = before.parts if before is not None and type(before.parts) is dict else {}
        node = _Node(d, {})
        first = len(self.frags)
        sep = "{"
        for key, value in d.items():
            if type(key) is not str:
                raise _Slow
            self.frags.append(sep + _quote(key) + ":")
            sep = ","
            if type(value) is str and key not in _TIME_FIELDS:
                self.frags.append(_quote(value))    # cheaper made again than remembered
                continue
            node.parts[key] = self.member(key, value, old.get(key), _COMPOSED.get(key))
        self.frags.append("}" if sep == "," else "{}")
        self.marks.append((node, first, len(self.frags) - 1))
        return node

    def items(self, values: list, before: _Node | None) -> _Node:
        old = {id(n.value): n for n in before.parts} if before is not None and type(before.parts) is list else {}
        node = _Node(values, [])
        first = len(self.frags)
        self.frags.append("[")
        for i, value in enumerate(values):
            if i:
                self.frags.append(",")
            was = old.get(id(value))
            if was is not None and was.value is value and self.old is not None:
                node.parts.append(self.leaf(_Node(value), _extract(self.old, was.span)))
            else:
                node.parts.append(self.leaf(_Node(value), template(value)))
        self.frags.append("]")
        self.marks.append((node, first, len(self.frags) - 1))
        return node

    def finish(self) -> Template:
        """The template; every node's span set in it."""
        pieces: list[str] = []
        run: list[str] = []
        run_len = 0
        where: list[tuple[int, int]] = []
        for f in self.frags:
            if type(f) is tuple:
                pieces.append("".join(run))
                pieces.append(f[0])
                run, run_len = [], 0
                where.append((-1, -1))
            else:
                where.append((len(pieces), run_len))
                run.append(f)
                run_len += len(f)
        pieces.append("".join(run))
        frags = self.frags
        for node, first, last in self.marks:
            i0, c0 = where[first]
            i1, c1 = where[last]
            node.span = (i0, c0, i1, c1 + len(frags[last]))
        return tuple(pieces)


def _extract(whole: Template, span: tuple[int, int, int, int]) -> Template:
    i0, c0, i1, c1 = span
    if i0 == i1:
        return (whole[i0][c0:c1],)
    return (whole[i0][c0:], *whole[i0 + 1:i1], whole[i1][:c1])


class _Entry:
    __slots__ = ("obj", "template", "root", "before", "row")

    def __init__(self, obj: dict, before: _Entry | None = None):
        self.obj = obj          # held, so `entry.obj is obj` means this very version
        self.template: Template | None = None
        self.root: _Node | None = None          # None: not made yet
        # the previous version's template and parts, until this one is made
        self.before = (before.template, before.root) if before is not None and before.template is not None else None
        self.row: tuple | None = None       # a Table row's timeless part: (the Table's type, it)

    def made(self) -> Template | None:
        """The object's template (None: the slow way)."""
        if self.root is None:
            if type(self.obj) is dict:
                build = _Build(self.before)
                try:
                    root = build.members(self.obj, self.before[1] if self.before is not None else None)
                    self.template = build.finish()
                except _Slow:
                    root = _Node(self.obj)
            else:
                root, self.template = _Node(self.obj), template(self.obj)
            self.root, self.before = root, None
        return self.template

    def metadata(self) -> Template | None:
        """The metadata's template, cut from the object's."""
        whole = self.made()
        meta = self.root.parts.get("metadata") if self.root is not None and type(self.root.parts) is dict else None
        if whole is None or meta is None or type(meta.value) is not dict or not meta.value:
            return None
        return _extract(whole, meta.span)


class ObjectTexts:
    """Templates of one cluster's stored objects, by kind, namespace and name; an entry is good
    while the store still holds the dict it was made from (checked by identity).

    Entries of deleted objects go when a list of their kind (or namespace) without selectors no
    longer returns them: such a list replaces what it covers. Request threads share it; a race
    makes the same template twice, never a wrong one (each entry is written whole)."""

    def __init__(self) -> None:
        self._kinds: dict[str, dict[str, dict[str, _Entry]]] = {}
        self._lock = threading.Lock()       # only for replacing a namespace's map

    def entries(self, kind: str, objs: Iterable[dict], *, complete_for: str | None | bool = False) -> list[_Entry]:
        """The entries of `objs` (stored objects of `kind`), made where missing or stale.
        complete_for: the namespace ("" or None for all) `objs` is the whole of, so entries of
        objects no longer there are dropped; False when `objs` was filtered."""
        by_ns = self._kinds.setdefault(kind, {})
        fresh: dict[str, dict[str, _Entry]] = {}
        out = []
        for obj in objs:
            md = obj.get("metadata") or {}
            ns, name = md.get("namespace", ""), md.get("name", "")
            entry = by_ns.get(ns, {}).get(name)
            if entry is None or entry.obj is not obj:
                entry = _Entry(obj, entry)
            fresh.setdefault(ns, {})[name] = entry
            out.append(entry)
        with self._lock:
            if complete_for is None or complete_for == "":
                self._kinds[kind] = fresh
            else:
                if complete_for is not False:
                    by_ns[complete_for] = {}
                for ns, names in fresh.items():
                    by_ns.setdefault(ns, {}).update(names)
        return out


def object_text(entry: _Entry, seconds: int) -> str:
    """The stored object's JSON in the client's frame."""
    pieces = entry.made()
    return text_of(entry.obj, seconds) if pieces is None else render(pieces, seconds)


def metadata_text(entry: _Entry, seconds: int) -> str:
    """The stored object's metadata's JSON in the client's frame (a Table row's object)."""
    pieces = entry.metadata()
    return text_of(entry.obj.get("metadata") or {}, seconds) if pieces is None else render(pieces, seconds)
