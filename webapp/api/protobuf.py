"""Decode Kubernetes Protobuf request bodies (`application/vnd.kubernetes.protobuf`) into JSON dicts.

kubectl >= 1.32 sends its typed-client writes (`kubectl create deployment|service|namespace|...`)
as Protobuf and does not fall back to JSON, so the server has to read them. The wire form is:

    b"k8s\\x00" + runtime.Unknown{1 typeMeta{1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding,
                                  4 contentType}

with `raw` the object encoded by go-to-protobuf using the field numbers of k8s.io/api's
generated.proto. `decode()` turns it into the dict the same object would have as JSON.

go-to-protobuf always encodes non-pointer Go fields, even when they hold "", 0, false or an empty
struct (`creationTimestamp {}`), while pointer fields appear only when set. The decoder therefore
drops zero values of non-pointer fields and keeps pointer fields even when they are 0/false/""
(`spec.replicas: 0`, `terminationGracePeriodSeconds: 0`). Which fields are pointers comes from the
Go struct definitions (proto2 marks every field `optional`); see tools/gen_schemas.py.

Field tables live in protobuf_schema.py (generated). Hostile input cannot hang or crash the
decoder: every length is checked against the remaining bytes, varints are capped at 10 bytes,
nesting is capped at MAX_DEPTH, and the work done is linear in the body size.
"""
from __future__ import annotations

import base64
import json
import struct
from datetime import datetime, timedelta, timezone

from engine import errors

from .protobuf_schema import INLINE, KINDS, LIST_WRAPPERS, MESSAGES, POINTER, REPEATED

__all__ = ["MAGIC", "MEDIA_TYPE", "MAX_DEPTH", "decode", "is_protobuf", "supported_kinds"]

MAGIC = b"k8s\x00"
MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
MAX_DEPTH = 100          # real objects nest < 20 messages deep

_VARINT, _FIXED64, _LEN, _FIXED32 = 0, 1, 2, 5
_MASK64 = (1 << 64) - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NUMERIC = {"bool", "int32", "int64", "uint32", "uint64", "sint32", "sint64",
            "fixed32", "fixed64", "sfixed32", "sfixed64", "double", "float"}


def is_protobuf(content_type: str | None) -> bool:
    """True for `application/vnd.kubernetes.protobuf` (parameters ignored)."""
    return (content_type or "").split(";")[0].strip().lower() == MEDIA_TYPE


def supported_kinds() -> list[tuple[str, str]]:
    """(apiVersion, kind) pairs whose Protobuf bodies decode() understands."""
    return sorted(KINDS)


def decode(body: bytes) -> dict:
    """Decode a `k8s\\x00`-prefixed runtime.Unknown envelope into the object's JSON-shaped dict
    (apiVersion and kind included).

    Raises engine.errors.BadRequest for malformed bytes and UnsupportedMediaType for kinds (or
    envelope encodings) this decoder has no table for."""
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise errors.BadRequest("protobuf body must be bytes")
    return _decode(bytes(body), 1)


def _decode(buf: bytes, depth: int) -> dict:
    if depth > MAX_DEPTH:
        raise _bad(f"nesting deeper than {MAX_DEPTH} messages")
    if buf[:4] != MAGIC:
        raise errors.BadRequest("provided data does not appear to be a protobuf message, "
                         "expected prefix [107 56 115 0]")
    api_version, kind, raw, encoding, content_type = _envelope(buf, 4, len(buf))
    if not kind:
        raise errors.BadRequest("Object 'Kind' is missing in protobuf envelope")
    if not api_version:
        raise errors.BadRequest(f"Object 'apiVersion' is missing in protobuf envelope of kind {kind}")
    if encoding:
        raise errors.UnsupportedMediaType(
            f"protobuf envelope with contentEncoding {encoding!r} is not supported")
    inner_type = content_type.split(";")[0].strip().lower()
    if inner_type == "application/json":
        # A runtime.Unknown may carry JSON; pass it through with the envelope's type.
        try:
            obj = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError) as e:
            raise errors.BadRequest(f"invalid JSON inside protobuf envelope: {e}") from None
        if not isinstance(obj, dict):
            raise errors.BadRequest("JSON inside protobuf envelope is not an object")
        return {"apiVersion": api_version, "kind": kind,
                **{k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}}
    if inner_type not in ("", MEDIA_TYPE):
        raise errors.UnsupportedMediaType(
            f"protobuf envelope with contentType {content_type!r} is not supported")
    message = KINDS.get((api_version, kind))
    if message is None:
        raise errors.UnsupportedMediaType(
            f"protobuf request bodies for {api_version}, Kind={kind} are not supported by this "
            f"server; send the object as application/json instead")
    obj = _message(raw, 0, len(raw), message, depth + 1)
    return {"apiVersion": api_version, "kind": kind, **obj}


# ---------------------------------------------------------------------------------------------
# Wire reading


def _bad(what: str) -> errors.BadRequest:
    return errors.BadRequest(f"malformed protobuf body: {what}")


def _varint(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    if pos < end and buf[pos] < 0x80:       # fast path: one-byte varint
        return buf[pos], pos + 1
    result = shift = 0
    for i in range(pos, min(end, pos + 10)):
        b = buf[i]
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result & _MASK64, i + 1
        shift += 7
    if end - pos >= 10:
        raise _bad("varint longer than 10 bytes")
    raise _bad("truncated varint")


def _fields(buf: bytes, pos: int, end: int):
    """Yield (field number, wire type, value) where value is an int (varint/fixed) or the
    (start, end) span of a length-delimited field."""
    while pos < end:
        key, pos = _varint(buf, pos, end)
        num, wt = key >> 3, key & 7
        if num == 0 or num > 0x1FFFFFFF:
            raise _bad(f"invalid field number {num}")
        if wt == _VARINT:
            val, pos = _varint(buf, pos, end)
        elif wt == _LEN:
            n, pos = _varint(buf, pos, end)
            if n > end - pos:
                raise _bad(f"field {num} length {n} exceeds the {end - pos} remaining bytes")
            val = (pos, pos + n)
            pos += n
        elif wt == _FIXED64:
            if end - pos < 8:
                raise _bad(f"truncated fixed64 field {num}")
            val = int.from_bytes(buf[pos:pos + 8], "little")
            pos += 8
        elif wt == _FIXED32:
            if end - pos < 4:
                raise _bad(f"truncated fixed32 field {num}")
            val = int.from_bytes(buf[pos:pos + 4], "little")
            pos += 4
        else:
            raise _bad(f"unsupported wire type {wt} for field {num}")
        yield num, wt, val


def _string(buf: bytes, span: tuple[int, int]) -> str:
    # Go keeps invalid UTF-8 as is and its JSON encoder replaces it with U+FFFD.
    return buf[span[0]:span[1]].decode("utf-8", errors="replace")


def _envelope(buf: bytes, pos: int, end: int) -> tuple[str, str, bytes, str, str]:
    api_version = kind = encoding = content_type = ""
    raw = b""
    for num, wt, val in _fields(buf, pos, end):
        if num in (1, 2, 3, 4) and wt != _LEN:
            raise _bad(f"runtime.Unknown field {num} has wire type {wt}")
        if num == 1:
            for n2, wt2, v2 in _fields(buf, val[0], val[1]):
                if n2 in (1, 2) and wt2 != _LEN:
                    raise _bad(f"runtime.TypeMeta field {n2} has wire type {wt2}")
                if n2 == 1:
                    api_version = _string(buf, v2)
                elif n2 == 2:
                    kind = _string(buf, v2)
        elif num == 2:
            raw = buf[val[0]:val[1]]
        elif num == 3:
            encoding = _string(buf, val)
        elif num == 4:
            content_type = _string(buf, val)
    return api_version, kind, raw, encoding, content_type


def _signed(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _scalar(typ: str, wt: int, val, buf: bytes, where: str):
    """Convert one wire value of a scalar proto type to its JSON value."""
    if typ in ("string", "bytes"):
        if wt != _LEN:
            raise _bad(f"{where}: expected length-delimited {typ}, got wire type {wt}")
        if typ == "string":
            return _string(buf, val)
        return base64.b64encode(buf[val[0]:val[1]]).decode("ascii")
    if typ in ("double", "fixed64", "sfixed64"):
        if wt != _FIXED64:
            raise _bad(f"{where}: expected fixed64 {typ}, got wire type {wt}")
        if typ == "double":
            return _finite(struct.unpack("<d", val.to_bytes(8, "little"))[0], where)
        return _signed(val, 64) if typ == "sfixed64" else val
    if typ in ("float", "fixed32", "sfixed32"):
        if wt != _FIXED32:
            raise _bad(f"{where}: expected fixed32 {typ}, got wire type {wt}")
        if typ == "float":
            return _finite(struct.unpack("<f", val.to_bytes(4, "little"))[0], where)
        return _signed(val, 32) if typ == "sfixed32" else val
    if wt != _VARINT:
        raise _bad(f"{where}: expected varint {typ}, got wire type {wt}")
    if typ == "bool":
        return val != 0
    if typ == "int32":
        return _signed(val, 32)
    if typ == "int64":
        return _signed(val, 64)
    if typ == "uint32":
        return val & 0xFFFFFFFF
    if typ == "uint64":
        return val
    if typ in ("sint32", "sint64"):
        v = (val >> 1) ^ -(val & 1)
        return _signed(v, 32) if typ == "sint32" else v
    raise _bad(f"{where}: unknown scalar type {typ}")


def _finite(x: float, where: str) -> float:
    if x != x or x in (float("inf"), float("-inf")):
        raise _bad(f"{where}: non-finite number")   # JSON cannot carry it
    return x


def _packed(typ: str, buf: bytes, span: tuple[int, int], where: str) -> list:
    """A packed repeated scalar (proto3-style); go-to-protobuf writes proto2 unpacked, but
    both forms are valid proto."""
    start, end = span
    out = []
    if typ in ("double", "fixed64", "sfixed64", "float", "fixed32", "sfixed32"):
        size, wt = (8, _FIXED64) if typ in ("double", "fixed64", "sfixed64") else (4, _FIXED32)
        if (end - start) % size:
            raise _bad(f"{where}: packed {typ} length is not a multiple of {size}")
        for p in range(start, end, size):
            out.append(_scalar(typ, wt, int.from_bytes(buf[p:p + size], "little"), buf, where))
        return out
    pos = start
    while pos < end:
        v, pos = _varint(buf, pos, end)
        out.append(_scalar(typ, _VARINT, v, buf, where))
    return out


# ---------------------------------------------------------------------------------------------
# Messages


class _Where:
    """`Message.field` for error messages, formatted only when an error is raised."""
    __slots__ = ("message", "field")

    def __init__(self, message: str, field: str):
        self.message, self.field = message, field

    def __str__(self) -> str:
        return f"{self.message}.{self.field}"


def _is_zero(value, typ: str) -> bool:
    if value is None or value is False or value == "":
        return True
    if isinstance(value, (dict, list)):
        return not value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == 0
    if typ == "resource.Quantity":
        return value == "0"
    if typ == "meta.v1.Duration":
        return value == "0s"
    return False


def _value(typ: str, wt: int, val, buf: bytes, depth: int, where: str):
    if typ in _NUMERIC or typ in ("string", "bytes"):
        return _scalar(typ, wt, val, buf, where)
    if wt != _LEN:
        raise _bad(f"{where}: expected embedded message {typ}, got wire type {wt}")
    return _message(buf, val[0], val[1], typ, depth + 1)


def _message(buf: bytes, start: int, end: int, name: str, depth: int):
    if depth > MAX_DEPTH:
        raise _bad(f"nesting deeper than {MAX_DEPTH} messages")
    special = _SPECIAL.get(name)
    if special is not None:
        return special(buf, start, end, depth)
    wrapped = LIST_WRAPPERS.get(name)
    if wrapped is not None:
        return _list_wrapper(buf, start, end, wrapped, depth, name)
    table = MESSAGES.get(name)
    if table is None:
        raise errors.UnsupportedMediaType(f"no protobuf table for message {name}")
    if start == end:
        return {}

    found: dict[int, object] = {}
    for num, wt, val in _fields(buf, start, end):
        spec = table.get(num)
        if spec is None:
            continue        # unknown field: ignored, as protobuf decoders do
        json_name, typ, flags = spec
        where = _Where(name, json_name)
        if typ[:4] == "map:":
            if wt != _LEN:
                raise _bad(f"{where}: map entry must be length-delimited")
            key, value = _map_entry(buf, val, typ[4:], depth, where)
            found.setdefault(num, {})[key] = value
        elif flags & REPEATED:
            items = found.setdefault(num, [])
            if wt == _LEN and typ in _NUMERIC:
                items.extend(_packed(typ, buf, val, where))
            else:
                items.append(_value(typ, wt, val, buf, depth, where))
        else:
            found[num] = _value(typ, wt, val, buf, depth, where)   # last one wins

    out: dict = {}
    for num in sorted(found):
        json_name, typ, flags = table[num]
        value = found[num]
        if flags & INLINE:
            if isinstance(value, dict):
                out.update(value)
            continue
        if value is None or (not flags & POINTER and _is_zero(value, typ)):
            continue
        out[json_name] = value
    return out


def _map_entry(buf: bytes, span: tuple[int, int], vtype: str, depth: int, where: str):
    key, value, seen_value = "", None, False
    for num, wt, val in _fields(buf, span[0], span[1]):
        if num == 1:
            key = _scalar("string", wt, val, buf, where)
        elif num == 2:
            value = _value(vtype, wt, val, buf, depth, where)
            seen_value = True
    if not seen_value:       # an absent value is the type's zero value
        value = _ZERO_MAP_VALUE.get(vtype, {})
    return key, value


_ZERO_MAP_VALUE = {"string": "", "bytes": "", "bool": False, "resource.Quantity": "0"}


def _list_wrapper(buf: bytes, start: int, end: int, item: str, depth: int, name: str) -> list:
    out = []
    for num, wt, val in _fields(buf, start, end):
        if num != 1:
            continue
        if wt == _LEN and item in _NUMERIC:
            out.extend(_packed(item, buf, val, name))
        else:
            out.append(_value(item, wt, val, buf, depth, name))
    return out


# ---------------------------------------------------------------------------------------------
# Messages with a non-object JSON form


def _scalars(buf: bytes, start: int, end: int, name: str, types: dict[int, str]) -> dict[int, object]:
    """The known scalar fields of a small fixed message; unknown fields are skipped."""
    got: dict[int, object] = {}
    for num, wt, val in _fields(buf, start, end):
        if num in types:
            got[num] = _scalar(types[num], wt, val, buf, name)
    return got


def _datetime(seconds: int, nanos: int, name: str) -> datetime:
    """UTC time; Go's JSON encoder refuses years outside [0,9999], Python has no year 0."""
    try:
        return _EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000)
    except (OverflowError, ValueError):
        raise _bad(f"{name}: year outside of range [1,9999]") from None


def _time(buf, start, end, depth):
    """meta.v1.Time {1 seconds, 2 nanos} -> RFC3339 with second precision (the apiserver drops
    nanos); an empty message is the zero time, i.e. JSON null."""
    if start == end:
        return None
    got = _scalars(buf, start, end, "Time", {1: "int64", 2: "int32"})
    t = _datetime(got.get(1, 0), 0, "Time")
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z"


def _micro_time(buf, start, end, depth):
    """meta.v1.MicroTime -> RFC3339 with 6 fractional digits."""
    if start == end:
        return None
    got = _scalars(buf, start, end, "MicroTime", {1: "int64", 2: "int32"})
    t = _datetime(got.get(1, 0), got.get(2, 0), "MicroTime")
    return (f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
            f".{t.microsecond:06d}Z")


def _duration(buf, start, end, depth):
    """meta.v1.Duration {1 duration (ns)} -> Go's time.Duration.String(), e.g. "1h0m0s"."""
    got = _scalars(buf, start, end, "Duration", {1: "int64"})
    return go_duration_string(got.get(1, 0))


def _quantity(buf, start, end, depth):
    """resource.Quantity {1 string} -> its canonical string, as in JSON."""
    got = _scalars(buf, start, end, "Quantity", {1: "string"})
    return got.get(1) or "0"


def _int_or_string(buf, start, end, depth):
    """intstr.IntOrString {1 type, 2 intVal, 3 strVal} -> int (type 0) or str (type 1)."""
    got = _scalars(buf, start, end, "IntOrString", {1: "int64", 2: "int32", 3: "string"})
    kind = got.get(1, 0)
    if kind == 1:
        return got.get(3, "")
    if kind != 0:
        raise _bad(f"IntOrString has impossible type {kind}")
    return got.get(2, 0)


def _raw_json(buf, start, end, depth, name):
    """FieldsV1 / RawExtension {1 raw bytes}: the bytes are JSON (or, rarely, a nested
    k8s-protobuf object)."""
    span = None
    for num, wt, val in _fields(buf, start, end):
        if num == 1:
            if wt != _LEN:
                raise _bad(f"{name}.raw has wire type {wt}")
            span = val
    if span is None or span[0] == span[1]:
        return None
    raw = buf[span[0]:span[1]]
    if raw[:4] == MAGIC:
        return _decode(raw, depth + 1)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _bad(f"{name} does not hold valid JSON") from None


def _fields_v1(buf, start, end, depth):
    return _raw_json(buf, start, end, depth, "FieldsV1")


def _raw_extension(buf, start, end, depth):
    return _raw_json(buf, start, end, depth, "RawExtension")


_SPECIAL = {
    "meta.v1.Time": _time,
    "meta.v1.MicroTime": _micro_time,
    "meta.v1.Duration": _duration,
    "meta.v1.FieldsV1": _fields_v1,
    "resource.Quantity": _quantity,
    "intstr.IntOrString": _int_or_string,
    "runtime.RawExtension": _raw_extension,
}


def go_duration_string(ns: int) -> str:
    """Format nanoseconds like Go's time.Duration.String(): "0s", "1.5s", "2m0s", "1h0m0s",
    "150ms", "3µs", "12ns"."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    u = abs(ns)
    if u < 1_000_000_000:
        for unit, size in (("ns", 1), ("µs", 1_000), ("ms", 1_000_000)):
            if u < size * 1000:
                return sign + _frac(u, size) + unit
    out = _frac(u % 60_000_000_000, 1_000_000_000) + "s"
    minutes = u // 60_000_000_000
    if minutes:
        out = f"{minutes % 60}m" + out
        hours = minutes // 60
        if hours:
            out = f"{hours}h" + out
    return sign + out


def _frac(value: int, unit: int) -> str:
    whole, rest = divmod(value, unit)
    if not rest:
        return str(whole)
    digits = len(str(unit)) - 1
    return f"{whole}." + str(rest).rjust(digits, "0").rstrip("0")
