"""SPDY/3.1 framing, as far as the server side of `kubectl port-forward` needs it (the kubelet's
pkg/kubelet/cri/streaming/portforward/httpstream.go on github.com/moby/spdystream; the protocol is
draft-mbelshe-httpbis-spdy-00, "SPDY Protocol - Draft 3.1"). No Flask here: bytes in, frames out.

Wire format (all integers big-endian):
* control frame: `1 | version(15) | type(16) | flags(8) | length(24) | data`
* data frame:    `0 | stream-id(31) | flags(8) | length(24) | data`
Header blocks (SYN_STREAM, SYN_REPLY, HEADERS) are `count(32) (len(32) name len(32) value)*`,
zlib-compressed with the spec's dictionary. The compression context is one per direction for
the whole connection (spec §2.6.10.1): every block continues the same zlib stream and ends with a
sync flush, so both ends must run their (de)compressor over every header block, in order, even
for frames they then ignore."""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

VERSION = 3

# Control frame types (spec §2.6).
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = 1, 2, 3, 4, 6, 7, 8, 9
HEADER_BLOCK_TYPES = (SYN_STREAM, SYN_REPLY, HEADERS)

FLAG_FIN = 0x01
FLAG_UNIDIRECTIONAL = 0x02          # SYN_STREAM only

# RST_STREAM status codes (§2.6.3) and GOAWAY's (§2.6.6).
PROTOCOL_ERROR, INVALID_STREAM, REFUSED_STREAM, CANCEL = 1, 2, 3, 5
GOAWAY_OK, GOAWAY_PROTOCOL_ERROR = 0, 1

MAX_LENGTH = (1 << 24) - 1          # the 24-bit length field

# The zlib dictionary of §2.6.10.1: 65 length-prefixed header names and values, then a run of
# status codes, status texts, dates and media types. Written as the spec's words rather than as
# 1423 opaque bytes; tests check it against the dictionary's Adler-32 id (0xe3c6a7c2), which
# every conforming peer's zlib stream names in its header.
_DICTIONARY_WORDS = (
    "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding",
    "accept-language", "accept-ranges", "age", "allow", "authorization", "cache-control", "connection",
    "content-base", "content-encoding", "content-language", "content-length", "content-location",
    "content-md5", "content-range", "content-type", "date", "etag", "expect", "expires", "from", "host",
    "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified",
    "location", "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer",
    "retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via",
    "warning", "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url",
    "public", "set-cookie", "keep-alive", "origin",
)
_DICTIONARY_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
    "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
    "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
    "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
    "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
)
DICTIONARY = b"".join(struct.pack(">I", len(w)) + w.encode() for w in _DICTIONARY_WORDS) + _DICTIONARY_TAIL.encode()


class ProtocolError(Exception):
    """The peer sent something that is not SPDY/3: the connection cannot go on."""


@dataclass
class Frame:
    """One frame. A data frame has `control` False and `stream_id`/`data`; a control frame has
    its `type` and the fields that type uses (`headers` already decoded for header blocks)."""
    control: bool
    type: int = 0
    flags: int = 0
    stream_id: int = 0
    data: bytes = b""
    headers: dict[str, list[str]] = field(default_factory=dict)
    associated_id: int = 0
    priority: int = 0
    status: int = 0                 # RST_STREAM and GOAWAY status
    ping_id: int = 0
    last_good_id: int = 0           # GOAWAY

    @property
    def fin(self) -> bool:
        return bool(self.flags & FLAG_FIN)

    def header(self, name: str) -> str:
        """The first value of a header ("" when absent); names are lower case on the wire."""
        values = self.headers.get(name.lower()) or [""]
        return values[0]


def encode_header_block(headers: dict[str, list[str]] | dict[str, str]) -> bytes:
    """The uncompressed name/value block: names lower-cased, several values joined by NUL."""
    out = [struct.pack(">I", len(headers))]
    for name, values in headers.items():
        value = values if isinstance(values, str) else "\0".join(values)
        n, v = name.lower().encode(), value.encode()
        out += [struct.pack(">I", len(n)), n, struct.pack(">I", len(v)), v]
    return b"".join(out)


def decode_header_block(block: bytes) -> dict[str, list[str]]:
    try:
        (count,), pos = struct.unpack_from(">I", block, 0), 4
        headers: dict[str, list[str]] = {}
        for _ in range(count):
            (n,) = struct.unpack_from(">I", block, pos)
            name = block[pos + 4:pos + 4 + n]
            pos += 4 + n
            (m,) = struct.unpack_from(">I", block, pos)
            value = block[pos + 4:pos + 4 + m]
            pos += 4 + m
            if len(name) != n or len(value) != m or not name:
                raise ProtocolError("truncated header block")
            headers.setdefault(name.decode("latin-1").lower(), []).extend(value.decode("latin-1").split("\0"))
        return headers
    except struct.error:
        raise ProtocolError("truncated header block") from None


class HeaderCompressor:
    """This side's zlib stream for the header blocks it sends (one per connection)."""

    def __init__(self):
        self._z = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, 15, 8, zlib.Z_DEFAULT_STRATEGY,
                                   DICTIONARY)

    def compress(self, headers) -> bytes:
        raw = encode_header_block(headers)
        return self._z.compress(raw) + self._z.flush(zlib.Z_SYNC_FLUSH)


class HeaderDecompressor:
    """The peer's zlib stream for the header blocks it sends (one per connection)."""

    def __init__(self):
        self._z = zlib.decompressobj(15, DICTIONARY)

    def decompress(self, data: bytes) -> dict[str, list[str]]:
        try:
            raw = self._z.decompress(data)
        except zlib.error as e:
            raise ProtocolError(f"header block: {e}") from None
        return decode_header_block(raw)


class Reader:
    """Frames from a byte stream that arrives in arbitrary pieces (WebSocket messages or socket
    reads need not line up with frames)."""

    def __init__(self):
        self._buf = bytearray()
        self._headers = HeaderDecompressor()

    def feed(self, data: bytes) -> list[Frame]:
        self._buf += data
        frames = []
        while len(self._buf) >= 8:
            (word, flags_len) = struct.unpack_from(">II", self._buf, 0)
            length = flags_len & MAX_LENGTH
            if len(self._buf) < 8 + length:
                break
            body = bytes(self._buf[8:8 + length])
            del self._buf[:8 + length]
            frames.append(self._parse(word, flags_len >> 24, body))
        return frames

    def _parse(self, word: int, flags: int, body: bytes) -> Frame:
        if not word & 0x80000000:
            return Frame(False, flags=flags, stream_id=word & 0x7FFFFFFF, data=body)
        version, ftype = (word >> 16) & 0x7FFF, word & 0xFFFF
        if version != VERSION:
            raise ProtocolError(f"unsupported SPDY version {version}")
        f = Frame(True, type=ftype, flags=flags)
        try:
            if ftype == SYN_STREAM:
                f.stream_id, f.associated_id = (x & 0x7FFFFFFF for x in struct.unpack_from(">II", body, 0))
                f.priority = body[8] >> 5
                f.headers = self._headers.decompress(body[10:])
            elif ftype in (SYN_REPLY, HEADERS):
                f.stream_id = struct.unpack_from(">I", body, 0)[0] & 0x7FFFFFFF
                f.headers = self._headers.decompress(body[4:])
            elif ftype == RST_STREAM:
                sid, f.status = struct.unpack_from(">II", body, 0)
                f.stream_id = sid & 0x7FFFFFFF
            elif ftype == PING:
                f.ping_id = struct.unpack_from(">I", body, 0)[0]
            elif ftype == GOAWAY:
                last, f.status = struct.unpack_from(">II", body, 0)
                f.last_good_id = last & 0x7FFFFFFF
            elif ftype == WINDOW_UPDATE:
                f.stream_id = struct.unpack_from(">I", body, 0)[0] & 0x7FFFFFFF
            else:
                f.data = body           # SETTINGS and anything newer: kept, not interpreted
        except (struct.error, IndexError):
            raise ProtocolError(f"short control frame of type {ftype}") from None
        return f


class Writer:
    """Frames to bytes, with this side's header compression context."""

    def __init__(self):
        self._headers = HeaderCompressor()

    @staticmethod
    def _control(ftype: int, flags: int, body: bytes) -> bytes:
        return struct.pack(">HHI", 0x8000 | VERSION, ftype, (flags << 24) | len(body)) + body

    def syn_stream(self, stream_id: int, headers, *, fin: bool = False, associated_id: int = 0,
                   priority: int = 0) -> bytes:
        body = struct.pack(">IIBB", stream_id, associated_id, priority << 5, 0) + self._headers.compress(headers)
        return self._control(SYN_STREAM, FLAG_FIN if fin else 0, body)

    def syn_reply(self, stream_id: int, headers=None, *, fin: bool = False) -> bytes:
        body = struct.pack(">I", stream_id) + self._headers.compress(headers or {})
        return self._control(SYN_REPLY, FLAG_FIN if fin else 0, body)

    def rst_stream(self, stream_id: int, status: int) -> bytes:
        return self._control(RST_STREAM, 0, struct.pack(">II", stream_id, status))

    def ping(self, ping_id: int) -> bytes:
        return self._control(PING, 0, struct.pack(">I", ping_id))

    def goaway(self, last_good_id: int, status: int = GOAWAY_OK) -> bytes:
        return self._control(GOAWAY, 0, struct.pack(">II", last_good_id, status))

    @staticmethod
    def data(stream_id: int, data: bytes = b"", *, fin: bool = False) -> bytes:
        if len(data) > MAX_LENGTH:
            raise ValueError("data frame too long")
        return struct.pack(">II", stream_id & 0x7FFFFFFF, ((FLAG_FIN if fin else 0) << 24) | len(data)) + data
