"""Field-error constructors that render bad values exactly as the apiserver prints them.

`errors.FieldError` prints strings, numbers and booleans as Go does. Structured bad values (maps,
lists, structs) are printed by Go with `json.Marshal`: map keys sorted, struct fields in
declaration order, `<`, `>` and `&` escaped. Values built here as `GoStruct` keep their key order
(struct fields); plain dicts are treated as Go maps (sorted keys).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from .. import errors
from ..errors import FieldError


class GoStruct(dict):
    """A dict standing for a Go struct: marshalled in insertion (declaration) order."""


def gojson(v) -> str:
    """encoding/json.Marshal of a JSON-shaped value."""
    return _escape(_enc(v))


def _enc(v) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, GoStruct):
        return "{" + ",".join(json.dumps(str(k), ensure_ascii=False) + ":" + _enc(x) for k, x in v.items()) + "}"
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(str(k), ensure_ascii=False) + ":" + _enc(v[k])
                              for k in sorted(v, key=str)) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(_enc(x) for x in v) + "]"
    return json.dumps(str(v), ensure_ascii=False)


def _escape(s: str) -> str:
    if "<" in s or ">" in s or "&" in s or "\u2028" in s or "\u2029" in s:
        s = (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
             .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return s


@dataclass(frozen=True)
class RenderedFieldError(FieldError):
    """A FieldError whose bad value was rendered up front (Go JSON for structured values)."""
    rendered: str = ""

    def body(self) -> str:
        parts = [self.type]
        if self.has_value:
            parts.append(self.rendered)
        if self.detail:
            parts.append(self.detail)
        return ": ".join(parts)

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"


_SIMPLE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                   "\v": "\\v", "\\": "\\\\", '"': '\\"'}


def go_quote(s: str) -> str:
    """strconv.Quote, as Go's %q prints a string: printable Unicode kept, the rest escaped."""
    out = ['"']
    for ch in s:
        if ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def _valued(path: str, type_: str, value, detail: str) -> FieldError:
    if isinstance(value, (dict, list, tuple)):
        return RenderedFieldError(path, type_, value, detail, True, gojson(value))
    if isinstance(value, str) and not (value.isascii() and value.isprintable()):
        return RenderedFieldError(path, type_, value, detail, True, go_quote(value))
    return FieldError(path, type_, value, detail, has_value=True)


def required(path: str, detail: str = "") -> FieldError:
    return errors.required(path, detail)


def invalid(path: str, value, detail: str = "") -> FieldError:
    return _valued(path, "Invalid value", value, detail)


def not_supported(path: str, value, supported) -> FieldError:
    detail = "supported values: " + ", ".join(json.dumps(s) for s in supported) if supported else ""
    return _valued(path, "Unsupported value", value, detail)


def forbidden(path: str, detail: str) -> FieldError:
    return errors.forbidden(path, detail)


def duplicate(path: str, value) -> FieldError:
    return _valued(path, "Duplicate value", value, "")


def not_found(path: str, value, detail: str = "") -> FieldError:
    return _valued(path, "Not found", value, detail)


def too_long(path: str, max_len: int) -> FieldError:
    """field.TooLong (the value itself is never printed)."""
    unit = "byte" if max_len == 1 else "bytes"
    return FieldError(path, "Too long", detail=f"may not be more than {max_len} {unit}")


def too_many(path: str, actual: int, max_items: int) -> FieldError:
    unit = "item" if max_items == 1 else "items"
    return FieldError(path, "Too many", actual, f"must have at most {max_items} {unit}", has_value=True)


def msgs(path: str, value, messages) -> list[FieldError]:
    """One Invalid error per message, as `for _, msg := range IsX(v) { field.Invalid(...) }`."""
    return [invalid(path, value, m) for m in messages]
