"""What a container's server answers on a port: the bytes a client (`kubectl port-forward`, later
a pod's curl) gets back for the bytes it sends.

The boundary is `respond(pod, container_port, request_bytes, ...) -> response_bytes` for one
request, and `Connection` for a TCP connection carrying several (HTTP/1.1 keep-alive). This is a
deliberately small responder — static files for the web servers whose document root the image
data names (nginx, httpd: read from the container's own filesystem, so a file changed with
`kubectl exec` is what is served), a plain 200 page for any other image's HTTP port — meant to
be replaced by the image catalog's simulated servers (issue 11 items 1 and 5) behind the same
signature. Neutral: the kubelet (port-forward) and anything else may use it; it imports no loop.

`read_file(path) -> bytes | None` reads the serving container's filesystem (None: no such file)."""
from __future__ import annotations

import email.utils
import hashlib
import posixpath
from typing import Callable
from urllib.parse import unquote, urlsplit

ReadFile = Callable[[str], "bytes | None"]

MAX_HEAD = 64 * 1024            # a request head larger than this is answered 400, as servers do

# Web servers whose files are served from a document root (env var naming the server's version,
# the Server header's product, the root directory).
STATIC_SERVERS = (
    ("NGINX_VERSION", "nginx/{v}", "/usr/share/nginx/html", "nginx"),
    ("HTTPD_VERSION", "Apache/{v} (Unix)", "/usr/local/apache2/htdocs", "httpd"),
)

_REASONS = {200: "OK", 304: "Not Modified", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            405: "Not Allowed", 413: "Request Entity Too Large", 500: "Internal Server Error"}
_TYPES = {".html": "text/html", ".htm": "text/html", ".css": "text/css", ".js": "application/javascript",
          ".json": "application/json", ".txt": "text/plain", ".png": "image/png", ".svg": "image/svg+xml"}


class Request:
    """One parsed HTTP/1.x request."""

    def __init__(self, method: str, target: str, version: str, headers: dict[str, str], body: bytes):
        self.method, self.target, self.version, self.headers, self.body = method, target, version, headers, body

    @property
    def keep_alive(self) -> bool:
        conn = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in conn
        return "close" not in conn


def parse_request(buf: bytes) -> tuple[Request | None, int]:
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
    return Request(parts[0], parts[1], parts[2], headers, buf[start:start + length]), start + length


def respond(pod: dict, container_port: int, request_bytes: bytes, *, env: dict | None = None,
            read_file: ReadFile | None = None, now: float = 0.0) -> bytes:
    """The response to one request sent to `container_port` of `pod`'s container (whose image
    environment is `env`). Bytes that are not an HTTP request get a web server's 400, and nothing
    from a server this stand-in knows no protocol of."""
    try:
        req, _ = parse_request(request_bytes)
    except ValueError:
        req = None
    if req is None and _static_server(env or {}) is None:
        return b""
    return _answer(pod, container_port, req, env or {}, read_file, now)[0]


class Connection:
    """One TCP connection to a container port: bytes in, response bytes out, and whether the
    server closes the connection after them (Connection: close, HTTP/1.0, a bad request)."""

    def __init__(self, pod: dict, container_port: int, *, env: dict | None = None,
                 read_file: ReadFile | None = None, clock: Callable[[], float] = lambda: 0.0):
        self.pod, self.port, self.env, self.read_file, self.clock = pod, container_port, env or {}, read_file, clock
        self._buf = b""
        self.closed = False

    def feed(self, data: bytes) -> tuple[bytes, bool]:
        if self.closed:
            return b"", True
        self._buf += data
        out = []
        while self._buf:
            try:
                req, used = parse_request(self._buf)
            except ValueError:
                if _static_server(self.env) is None:
                    # Not HTTP, to a server whose protocol this stand-in does not know (redis,
                    # postgres, ...): it stays silent rather than answer in a protocol it lacks.
                    self._buf = b""
                    break
                out.append(_answer(self.pod, self.port, None, self.env, self.read_file, self.clock())[0])
                self.closed = True
                break
            if req is None:
                break
            self._buf = self._buf[used:]
            body, keep = _answer(self.pod, self.port, req, self.env, self.read_file, self.clock())
            out.append(body)
            if not keep:
                self.closed = True
                break
        return b"".join(out), self.closed


def _static_server(env: dict) -> tuple[str, str, str] | None:
    for var, product, root, name in STATIC_SERVERS:
        if var in env:
            return product.format(v=env[var]), root, name
    return None


def _http_date(t: float) -> str:
    return email.utils.formatdate(t, usegmt=True)


def _answer(pod: dict, port: int, req: Request | None, env: dict, read_file: ReadFile | None,
            now: float) -> tuple[bytes, bool]:
    static = _static_server(env)
    product = static[0] if static else ""
    if req is None:
        return _response(400, product, _error_page(400, product, static), now, keep=False), False
    keep = req.keep_alive
    if static is None:
        name = (pod.get("metadata") or {}).get("name", "")
        body = f"Hello from {name}: port {port} answered {req.method} {req.target}\n".encode()
        return _response(200, product, body, now, keep=keep, ctype="text/plain", head=req.method == "HEAD"), keep
    root = static[1]
    path = posixpath.normpath("/" + unquote(urlsplit(req.target).path or "/").lstrip("/"))
    if req.method not in ("GET", "HEAD"):
        return _response(405, product, _error_page(405, product, static), now, keep=keep), keep
    candidates = [path] if not path.endswith("/") and path != "/" else []
    base = path.rstrip("/")
    candidates += [f"{base}/index.html", f"{base}/index.htm"]
    for p in candidates:
        data = read_file(root + p) if read_file else None
        if data is not None:
            ext = posixpath.splitext(p)[1]
            etag = hashlib.sha1(data).hexdigest()[:16]
            return _response(200, product, data, now, keep=keep, ctype=_TYPES.get(ext, "application/octet-stream"),
                             extra=[("ETag", f'"{etag}"'), ("Accept-Ranges", "bytes")],
                             head=req.method == "HEAD"), keep
    return _response(404, product, _error_page(404, product, static), now, keep=keep,
                     head=req.method == "HEAD"), keep


def _error_page(code: int, product: str, static) -> bytes:
    title = f"{code} {_REASONS.get(code, '')}"
    if static and static[2] == "nginx":
        # nginx's built-in error page, CRLF line ends and all.
        return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
                f"<hr><center>{product}</center>\r\n</body>\r\n</html>\r\n").encode()
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>\n".encode()


def _response(code: int, product: str, body: bytes, now: float, *, keep: bool, ctype: str = "text/html",
              extra=(), head: bool = False) -> bytes:
    lines = [f"HTTP/1.1 {code} {_REASONS.get(code, 'OK')}"]
    if product:
        lines.append(f"Server: {product}")
    lines += [f"Date: {_http_date(now)}", f"Content-Type: {ctype}", f"Content-Length: {len(body)}",
              f"Connection: {'keep-alive' if keep else 'close'}"]
    lines += [f"{k}: {v}" for k, v in extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head else body)
