"""HTTP/1.x on a byte stream: parsing a request out of the bytes a client sent, writing a
server's answer back as bytes, and `Connection`, one TCP connection to a container port carrying
several requests (keep-alive, pipelining, Connection: close).

The answers themselves come from the pod network (`PodNetwork.answer`, over the image catalog's
servers in servers.py), so a connection made with `kubectl port-forward` gets exactly what a
pod's curl to the same container port gets; `nc` from a pod parses its stdin with
`parse_request` too."""
from __future__ import annotations

from typing import Callable

from . import servers

MAX_HEAD = 64 * 1024            # a request head larger than this is answered 400, as servers do


class ParsedRequest:
    """One HTTP/1.x request as the client sent it (header names lower-cased)."""

    def __init__(self, method: str, target: str, version: str, headers: dict[str, str], body: bytes):
        self.method, self.target, self.version, self.headers, self.body = method, target, version, headers, body

    @property
    def keep_alive(self) -> bool:
        conn = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in conn
        return "close" not in conn


def parse_request(buf: bytes) -> tuple[ParsedRequest | None, int]:
    """(request, bytes used) for the first complete request in `buf`; (None, 0) when more bytes
    are needed. Raises ValueError for bytes that are not an HTTP request."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        if len(buf) > MAX_HEAD:
            raise ValueError("request head too large")
        return None, 0
    lines = buf[:end].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1.") or not parts[0].isalpha():
        raise ValueError("bad request line")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise ValueError("bad header")
        headers[name.lower()] = value.strip()
    try:
        length = int(headers.get("content-length") or 0)
    except ValueError:
        raise ValueError("bad content-length") from None
    start = end + 4
    if len(buf) < start + length:
        return None, 0
    return ParsedRequest(parts[0], parts[1], parts[2], headers, buf[start:start + length]), start + length


def encode(resp: servers.Response, *, keep: bool, head: bool = False) -> bytes:
    """The response as the server writes it on the connection; the Connection header says
    whether the server keeps it open."""
    lines = [f"HTTP/1.1 {resp.status} {resp.reason}"]
    lines += [f"{k}: {v}" for k, v in resp.headers if k.lower() != "connection"]
    lines.append(f"Connection: {'keep-alive' if keep else 'close'}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head else resp.body)


# header names as clients send them (the parsed request keeps them lower-cased)
_SPELLED = {"x-request-id": "X-Request-ID"}

Answer = Callable[[servers.Request], "servers.Response | None"]


class Connection:
    """One TCP connection to a container's server: bytes in, response bytes out, and whether the
    server has closed the connection (Connection: close, HTTP/1.0, a bad request).

    `answer(request)` is the server's response, or None for a server that speaks no HTTP (a
    database: it answers HTTP bytes with nothing, and the connection stays open);
    `bad_request()` is its answer to bytes that are not HTTP (None: it stays silent). Either
    raises ConnectionResetError when the server has gone (its container stopped): the connection
    closes without an answer."""

    def __init__(self, answer: Answer, bad_request: Callable[[], "servers.Response | None"], *,
                 client_ip: str = "127.0.0.1"):
        self._answer, self._bad_request, self.client_ip = answer, bad_request, client_ip
        self._buf = b""
        self.closed = False

    def feed(self, data: bytes) -> tuple[bytes, bool]:
        if self.closed:
            return b"", True
        self._buf += data
        out = []
        while self._buf:
            try:
                parsed, used = parse_request(self._buf)
            except ValueError:
                self._buf = b""
                try:
                    resp = self._bad_request()
                except ConnectionResetError:
                    self.closed = True
                    break
                if resp is not None:         # a server that speaks no HTTP stays silent
                    out.append(encode(resp, keep=False))
                    self.closed = True
                break
            if parsed is None:
                break
            self._buf = self._buf[used:]
            headers = [(_SPELLED.get(k, k.title()), v) for k, v in parsed.headers.items()]
            req = servers.Request(parsed.method, parsed.target, parsed.headers.get("host", ""), headers,
                                  parsed.body, client_ip=self.client_ip)
            try:
                resp = self._answer(req)
            except ConnectionResetError:
                self.closed = True
                break
            if resp is None:
                continue
            out.append(encode(resp, keep=parsed.keep_alive, head=parsed.method == "HEAD"))
            if not parsed.keep_alive:
                self.closed = True
                break
        return b"".join(out), self.closed
