"""Raw HTTP against a real server, with any Host, Origin or body (urllib would "fix" them)."""
from __future__ import annotations

import http.client
import json
import socket


def request(port: int, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None,
            timeout: float = 10.0) -> tuple[int, dict | str, dict]:
    """One request on a fresh connection → (status, JSON body or text, response headers).
    `headers` may set Host; a socket timeout (the server hung) raises."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        hdrs = dict(headers or {})
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogatepass")
        conn.putrequest(method, path, skip_host="Host" in hdrs, skip_accept_encoding=True)
        if body is not None and "Content-Length" not in hdrs:
            hdrs["Content-Length"] = str(len(body))
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = data.decode(errors="replace")
        return resp.status, parsed, dict(resp.getheaders())
    finally:
        conn.close()


def websocket_handshake(port: int, host: str, origin: str | None = None, timeout: float = 10.0,
                        extra: tuple[str, ...] = (), whole: bool = False) -> str:
    """Send a WebSocket upgrade for the page's stream (plus `extra` header lines); return the
    server's status line, or with `whole` its status line and headers."""
    lines = ["GET /kubeplay/v1/stream HTTP/1.1", f"Host: {host}", "Upgrade: websocket",
             "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
             *extra]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    end = b"\r\n\r\n" if whole else b"\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while end not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.split(end, 1)[0].decode(errors="replace")


def send_raw(port: int, raw: bytes, timeout: float = 10.0) -> tuple[int, bytes, dict]:
    """Send bytes as they are (bad paths, bad framing) and read the answer until the server
    closes: (status, body, headers); status 0 when it closed without answering."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(raw)
            s.shutdown(socket.SHUT_WR)
        except OSError:             # the server may answer and close before reading it all
            pass
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return 0, data, {}
    headers = {}
    for line in lines[1:]:
        k, _, v = line.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        out, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            try:
                size = int(size_line.split(b";")[0], 16)
            except ValueError:
                break
            if size == 0:
                break
            out, rest = out + rest[:size], rest[size + 2:]
        body = out
    return status, body, headers
