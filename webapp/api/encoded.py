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
# Whether there is any of them at all: one scan, where looking for each in turn was ~40 % of
# cutting a pod's status (which has none).
_ANY_USER_MAP_KEY = re.compile('"(?:' + "|".join(re.escape(k) for k in sorted(timeshift._USER_MAPS)) + ')":')
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
    last = hits[-1].start()
    user_maps = _user_maps(text, last) if _ANY_USER_MAP_KEY.search(text, 0, last) else None
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


# Members made from their parts below an object's top level: metadata's members, and the
# managedFields entries.
_COMPOSED = {"metadata": "members", "managedFields": "items"}
_STAMP_ONLY = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z", re.ASCII)

Span = tuple[int, int, int, int]        # piece, offset .. piece, offset in a template
_NO_SPANS: dict[int, Span] = {}
_SCALARS = (int, float, bool)


class _Slow(Exception):
    """This object is served the slow way (the module's docstring says when)."""


class _Build:
    """One object's template, written piece by piece, and where each of its maps and lists lies
    in it (`spans`, by the part's id), so the object's next version takes the text of the parts
    that are still the very same objects (a status write leaves spec, labels and most
    managedFields entries shared) and encodes only the rest.

    Parts are known by id, not by a tree of nodes: the previous version's object is held while
    this one is made, so each of its parts is alive and no other object can have its id; and a
    part's text does not depend on where it sits, since the two places where it would — under a
    user map's key, or a timestamp's — are written here without looking parts up or noting them.
    (A tree of one node per part was ~13 tracked objects a pod for the cyclic collector to walk;
    this is one dict, and a template is made with no second pass over its fragments.)"""
    __slots__ = ("pieces", "run", "run_len", "spans", "old", "old_spans")

    def __init__(self, before: tuple[Template, dict[int, Span], object] | None):
        self.pieces: list[str] = []         # finished pieces: text, stamp, text, ..., stamp
        self.run: list[str] = []            # the text piece being written, and its length
        self.run_len = 0
        self.spans: dict[int, Span] = {}
        self.old, self.old_spans = (before[0], before[1]) if before is not None else ((), _NO_SPANS)

    def text(self, s: str) -> None:
        self.run.append(s)
        self.run_len += len(s)

    def push(self, pieces: Template) -> None:
        if len(pieces) == 1:
            self.run.append(pieces[0])
            self.run_len += len(pieces[0])
            return
        run = self.run
        run.append(pieces[0])
        self.pieces.append("".join(run))
        self.pieces += pieces[1:-1]
        last = pieces[-1]
        self.run, self.run_len = [last], len(last)

    def part(self, value) -> None:
        """A map or list (its previous text if the previous version had this very object), or
        any other value."""
        if type(value) is dict or type(value) is list:
            span = self.old_spans.get(id(value))
            pieces = _extract(self.old, span) if span is not None else template(value)
            if pieces is None:
                raise _Slow
            start = len(self.pieces), self.run_len
            self.push(pieces)
            self.spans[id(value)] = (*start, len(self.pieces), self.run_len)
        elif value is None or type(value) in _SCALARS:
            self.text(dumps(value))     # a number, true, false or null: nothing to cut
        else:
            self.push(_checked(template(value)))

    def member(self, key: str, value, how: str | None) -> None:
        if key in _TIME_FIELDS:
            if type(value) is str:
                if _STAMP_ONLY.fullmatch(value):
                    self.push(('"', value, '"'))
                elif value.isascii():
                    self.text(_quote(value))
                else:
                    raise _Slow
                return
            if isinstance(value, dict):
                raise _Slow                     # a map of timestamps
        elif key in timeshift._USER_MAPS:
            self.text(dumps(value))             # the user's: timeshift does not look inside
            return
        elif type(value) is str:
            self.text(_quote(value))            # a plain string holds no key, so no stamp
            return
        if how is not None and id(value) not in self.old_spans:
            if how == "members" and type(value) is dict:
                return self.members(value)
            if how == "items" and type(value) is list:
                return self.items(value)
        self.part(value)

    def members(self, d: dict) -> None:
        start = len(self.pieces), self.run_len
        sep = "{"
        for key, value in d.items():
            if type(key) is not str:
                raise _Slow
            if type(value) is str and key not in _TIME_FIELDS:
                self.text(sep + _quote(key) + ":" + _quote(value))     # cheaper made again than remembered
            else:
                self.text(sep + _quote(key) + ":")
                self.member(key, value, _COMPOSED.get(key))
            sep = ","
        self.text("}" if sep == "," else "{}")
        self.spans[id(d)] = (*start, len(self.pieces), self.run_len)

    def items(self, values: list) -> None:
        start = len(self.pieces), self.run_len
        self.text("[")
        for i, value in enumerate(values):
            if i:
                self.text(",")
            self.part(value)
        self.text("]")
        self.spans[id(values)] = (*start, len(self.pieces), self.run_len)

    def finish(self) -> Template:
        self.pieces.append("".join(self.run))
        return tuple(self.pieces)


def _checked(pieces: Template | None) -> Template:
    if pieces is None:
        raise _Slow
    return pieces


def _extract(whole: Template, span: Span) -> Template:
    i0, c0, i1, c1 = span
    if i0 == i1:
        return (whole[i0][c0:c1],)
    return (whole[i0][c0:], *whole[i0 + 1:i1], whole[i1][:c1])


class _Entry:
    __slots__ = ("obj", "template", "spans", "before", "row")

    def __init__(self, obj: dict, before: _Entry | None = None):
        self.obj = obj          # held, so `entry.obj is obj` means this very version
        self.template: Template | None = None
        self.spans: dict[int, Span] | None = None       # None: not made yet
        # the previous version's template, spans and object (held, so the spans' ids stay its
        # parts'), until this one is made
        self.before = ((before.template, before.spans, before.obj)
                       if before is not None and before.template is not None and before.spans else None)
        self.row: tuple | None = None       # a Table row's timeless part: (the Table's type, it)

    def made(self) -> Template | None:
        """The object's template (None: the slow way)."""
        if self.spans is None:
            spans = _NO_SPANS
            if type(self.obj) is dict:
                build = _Build(self.before)
                try:
                    build.members(self.obj)
                    self.template, spans = build.finish(), build.spans
                except _Slow:
                    pass
            else:
                self.template = template(self.obj)
            self.spans, self.before = spans, None
        return self.template

    def metadata(self) -> Template | None:
        """The metadata's template, cut from the object's."""
        whole = self.made()
        md = self.obj.get("metadata") if type(self.obj) is dict else None
        span = self.spans.get(id(md)) if whole is not None and self.spans and type(md) is dict and md else None
        return None if span is None else _extract(whole, span)  # type: ignore[arg-type]


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

    def entry(self, kind: str, obj: dict, *, keep: bool = True) -> _Entry:
        """The entry of one stored object of `kind` (a watch event's), made where missing or stale.
        keep: whether to keep it for the lists — only if it is a later version than the one kept,
        since a watch may be behind what a list already made; False for a deleted object, whose
        earlier entry goes then.

        Why a watch shares them: it sends every version of every object it sees, so during a
        scale-up it makes each pod's template soon after the write, and the next list of the kind
        only joins them (and the watch's own events cost a template and a render instead of a
        copy of the object moved into the client's frame and a dumps)."""
        md = obj.get("metadata") or {}
        ns, name = md.get("namespace", ""), md.get("name", "")
        names = self._kinds.get(kind, {}).get(ns)
        old = names.get(name) if names is not None else None
        if old is not None and old.obj is obj:
            return old
        made = _Entry(obj, old)
        if keep and (old is None or _later(obj, old.obj)):
            self._kinds.setdefault(kind, {}).setdefault(ns, {})[name] = made
        elif not keep and old is not None and not _later(old.obj, obj) and names is not None:
            names.pop(name, None)           # deleted: its earlier text goes too
        return made


def _later(obj: dict, than: dict) -> bool:
    """Whether stored object `obj` is a later version than `than` (by resourceVersion)."""
    try:
        return int(obj["metadata"]["resourceVersion"]) > int(than["metadata"]["resourceVersion"])
    except (KeyError, TypeError, ValueError):
        return False


def object_text(entry: _Entry, seconds: int) -> str:
    """The stored object's JSON in the client's frame."""
    pieces = entry.made()
    return text_of(entry.obj, seconds) if pieces is None else render(pieces, seconds)


def metadata_text(entry: _Entry, seconds: int) -> str:
    """The stored object's metadata's JSON in the client's frame (a Table row's object)."""
    pieces = entry.metadata()
    return text_of(entry.obj.get("metadata") or {}, seconds) if pieces is None else render(pieces, seconds)


def page_text(entry: _Entry) -> str | None:
    """The stored object's JSON as the page's stream sends it — in simulated time (no shift),
    without metadata.managedFields: byte for byte webapp/page/wire.py's `dumps(slim(obj))` —
    cut from the same template as the API's text, so the page and the API could keep one text
    of each state instead of two (~3 KB a pod). None: not from a template (the caller dumps it).

    The metadata's own text is written again without managedFields (~0.6 KB; the rest is the
    template's); it is the top-level "metadata" only if that is where the span found lies, which
    the text before it says (a key's `"metadata":` cannot occur inside a string, where a quote is
    written `\\"`)."""
    whole = entry.made()
    md = entry.obj.get("metadata") if type(entry.obj) is dict else None
    if whole is None:
        return None
    if type(md) is not dict or "managedFields" not in md:
        return "".join(whole)
    span = entry.spans.get(id(md)) if entry.spans else None
    if span is None:
        return None
    i0, c0, i1, c1 = span
    before = "".join(whole[:i0]) + whole[i0][:c0]
    if not before.endswith('"metadata":') or before.count('"metadata":') != 1:
        return None
    after = whole[i1][c1:] + "".join(whole[i1 + 1:])
    return before + dumps({k: v for k, v in md.items() if k != "managedFields"}) + after
