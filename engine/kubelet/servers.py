"""What a container answers over HTTP, from engine/data/servers.json (data per image, not code
branches per image): which ports it listens on and the response each kind of server gives.
The file servers (nginx, httpd) read the container's own filesystem, so what `kubectl exec`
writes into /usr/share/nginx/html is what curl gets back. Each answer also gives the line the
server writes to its access log (nginx's combined format, Apache's common format, ...)."""
from __future__ import annotations

import datetime as _dt
import functools
import html
import json
import posixpath
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from .images import ImageRef

DATA = Path(__file__).resolve().parent.parent / "data" / "servers.json"


@functools.lru_cache(maxsize=1)
def catalog() -> dict:
    return json.loads(DATA.read_text())


def _matches(pattern: str, repository: str) -> bool:
    if pattern.endswith("/*"):
        return repository.startswith(pattern[:-1])
    return pattern == repository


@dataclass
class Request:
    method: str
    path: str                       # with the query
    host: str                       # the Host header
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    client_ip: str = ""
    tls: bool = False               # https (the apiserver and the outside world speak TLS here)
    ingress: dict | None = None     # the Ingress route an ingress controller took (ingress_proxy.py)

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    log_line: str = ""
    tls: str = ""                   # answered over TLS: "cluster-ca" (the apiserver: curl needs its CA), "public",
    #                                 or "self-signed" (a certificate no CA signed: an Ingress's TLS Secret, nginx's fake one)
    reason_text: str = ""           # a server's own reason phrase (nginx: 503 Service Temporarily Unavailable)

    @property
    def reason(self) -> str:
        return self.reason_text or REASONS.get(self.status, "")


REASONS = {200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently", 302: "Found",
           304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Not Allowed",
           500: "Internal Server Error", 503: "Service Unavailable"}


JSON = "json-text"      # marks a dict or list of a servers.json entry kept as JSON text in Listener.entry


@dataclass(frozen=True)
class Listener:
    """One port a container listens on, and how it answers."""
    port: int
    kind: str                       # files, agnhost-*, http-echo, echoserver, text, json, ingress, default, tcp
    entry: tuple = ()               # the servers.json entry, as sorted items (hashable)
    detail: str = ""                # http-echo's text, agnhost's subcommand

    @property
    def conf(self) -> dict:
        return dict(self.entry)


def listeners(ref: ImageRef, spec: dict) -> list[Listener]:
    """The ports a container's process listens on: its image's server (args may move the port),
    or for an image the catalog does not know, the containerPorts its pod declares. An image may
    have several entries, one per server it runs (traefik's entrypoint on 80, its dashboard on
    8080), and ports in `tcp` beside them (rabbitmq's AMQP beside its management UI); a `by_tag`
    rule whose regex matches the tag changes its entry's fields (prometheus 2 redirects to
    /graph, 3 to /query)."""
    cat = catalog()
    repo = ref.repository
    args = [str(a) for a in list(spec.get("command") or ()) + list(spec.get("args") or ())]
    declared = [p.get("containerPort") for p in spec.get("ports") or () if p.get("containerPort")
                and (p.get("protocol") or "TCP") == "TCP"]
    found: list[Listener] = []
    for entry in cat["servers"]:
        if not _matches(entry["repository"], repo):
            continue
        entry = _for_tag(entry, ref.tag)
        items = tuple(sorted((k, (JSON, json.dumps(v)) if isinstance(v, (dict, list)) else v) for k, v in entry.items()))
        kind = entry["kind"]
        if kind == "agnhost":
            return _agnhost(args, entry.get("subcommand"), items)
        if kind == "http-echo":
            text = _flag(args, "text") or ""
            listen = _flag(args, "listen") or f":{entry['port']}"
            port = int(listen.rsplit(":", 1)[-1]) if listen.rsplit(":", 1)[-1].isdigit() else entry["port"]
            return [Listener(port, kind, items, text)]
        if entry.get("declared_ports"):
            return [Listener(p, kind, items) for p in declared] or [Listener(8080, kind, items)]
        if "ports" in entry:            # several ports, or none (rabbitmq's management UI without the plugin)
            found += [Listener(p, kind, items) for p in entry["ports"]]
            continue
        port = entry["port"]
        if kind == "text" and _flag(args, "port"):
            port = int(_flag(args, "port") or port)
        found.append(Listener(port, kind, items))
    for entry in cat["tcp"]:
        if _matches(entry["repository"], repo):
            taken = {lst.port for lst in found}
            found += [Listener(p, "tcp") for p in entry.get("ports") or [entry["port"]] if p not in taken]
    if found:
        return found
    if any(_matches(p, repo) for p in cat["silent"]):
        return []
    return [Listener(p, "default") for p in declared]


def _for_tag(entry: dict, tag: str) -> dict:
    """The entry as the image's tag has it: the first `by_tag` rule whose `tag` regex matches
    the tag overrides the entry's fields."""
    for rule in entry.get("by_tag") or ():
        if re.search(rule["tag"], tag or ""):
            return {**{k: v for k, v in entry.items() if k != "by_tag"},
                    **{k: v for k, v in rule.items() if k != "tag"}}
    return {k: v for k, v in entry.items() if k != "by_tag"}


def _flag(args: list[str], name: str) -> str | None:
    for i, a in enumerate(args):
        for prefix in (f"-{name}=", f"--{name}="):
            if a.startswith(prefix):
                return a[len(prefix):]
        if a in (f"-{name}", f"--{name}") and i + 1 < len(args):
            return args[i + 1]
    return None


def _agnhost(args: list[str], fixed: str | None, items: tuple) -> list[Listener]:
    words = [a for a in args if not a.startswith("-") and not a.endswith("agnhost")]
    sub = fixed or (words[0] if words else "")
    if sub == "netexec":
        return [Listener(int(_flag(args, "http-port") or 8080), "agnhost", items, "netexec")]
    if sub == "serve-hostname":
        return [Listener(int(_flag(args, "port") or 9376), "agnhost", items, "serve-hostname")]
    if sub == "liveness":
        return [Listener(8080, "agnhost", items, "liveness")]
    if sub == "test-webserver":
        return [Listener(int(_flag(args, "port") or 80), "agnhost", items, "test-webserver")]
    return []


# ---- answering ------------------------------------------------------------------------------------

def answer(listener: Listener, req: Request, *, hostname: str, pod_labels: dict, ref: ImageRef,
           fs, now: float) -> Response:
    """The response, with the access-log line its server writes (empty: it logs nothing)."""
    conf = _decoded(listener.conf)
    path, _, query = req.path.partition("?")
    kind = listener.kind
    paths = conf.pop("paths", None)
    if paths:       # a path's own answer ("*": any other path's), changing the entry's fields it names
        sub = paths.get(path, paths.get("*"))
        if sub is not None:
            conf = {**conf, **sub}
            kind = sub.get("kind", kind)
    version = _version(conf.get("version", ""), ref.tag)
    if conf.get("tls") and not req.tls:     # Go's net/http answers plain HTTP on its TLS port so
        resp = _text(400, "Client sent an HTTP request to an HTTPS server.\n", "text/plain; charset=utf-8", [])
        resp.log_line = ""
        return resp
    fill = functools.partial(_fill, hostname=hostname, version=version, req=req, path=path, now=now,
                             app=pod_labels.get("app") or pod_labels.get("app.kubernetes.io/name")
                             or ref.path.rsplit("/", 1)[-1])
    extra = [("Server", fill(conf["server"]))] if conf.get("server") else []
    extra += [(k, fill(v)) for k, v in conf.get("headers") or ()]
    if kind == "files":
        resp = _files(conf, req, path, fs, version, now)
    elif kind == "agnhost":
        resp = _agnhost_answer(listener.detail, path, query, hostname, now)
    elif kind == "http-echo":
        resp = _text(200, listener.detail + "\n", "text/plain; charset=utf-8",
                     [("X-App-Name", "http-echo"), ("X-App-Version", "1.0.0")])
    elif kind == "echoserver":
        resp = _text(200, _echo(req, hostname), "text/plain", [("Server", "echoserver")])
    elif kind == "text":
        resp = _text(int(conf.get("status", 200)), fill(conf.get("body", "")),
                     conf.get("content_type", "text/plain; charset=utf-8"), extra)
    elif kind == "json":
        body = _fill_json(conf.get("body") or {}, fill)
        text = json.dumps(body, indent=conf.get("indent")) + "\n"
        resp = _text(int(conf.get("status", 200)), text, conf.get("content_type", "application/json"), extra)
    elif kind == "redirect":
        resp = _redirect(conf, fill, extra)
    else:
        resp = _text(200, DEFAULT_PAGE.format(hostname=hostname), "text/html", [])
    if conf.get("tls"):
        resp.tls = conf["tls"]
    if req.method == "HEAD":
        resp.body = b""
    resp.log_line = _log_line(conf.get("log", "plain" if listener.kind != "agnhost" else "agnhost"),
                              req, resp, now, path)
    return resp


def _decoded(conf: dict) -> dict:
    """The entry as written in servers.json (a Listener keeps its dicts and lists as JSON text,
    to be hashable)."""
    return {k: json.loads(v[1]) if isinstance(v, tuple) and v[:1] == (JSON,) else v for k, v in conf.items()}


def _fill(text: str, *, hostname: str, version: str, app: str, req: Request, path: str, now: float) -> str:
    """An answer's placeholders: the pod's hostname, the image's version, the pod's app, what
    the request says (its Host header, path, the client's address, its User-Agent) and the time
    as Go's time.Time.String() prints it ({go_now}: kube-proxy's /healthz)."""
    if "{" not in text:
        return text
    go_now = _dt.datetime.fromtimestamp(now, tz=_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f000 +0000 UTC")
    for name, value in (("{hostname}", hostname), ("{version}", version), ("{app}", app), ("{host}", req.host),
                        ("{path}", path), ("{client_ip}", req.client_ip), ("{user_agent}", req.header("User-Agent")),
                        ("{go_now}", go_now)):
        text = text.replace(name, value)
    return text


def _fill_json(value, fill):
    if isinstance(value, str):
        return fill(value)
    if isinstance(value, dict):
        return {k: _fill_json(v, fill) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_json(v, fill) for v in value]
    return value


def _redirect(conf: dict, fill, extra: list) -> Response:
    """A redirect to `location`: by default as Go's http.Redirect writes it for a GET (an HTML
    link, `<a href="/login">Found</a>.`), or the entry's own `body` and `content_type`."""
    status = int(conf.get("status", 302))
    location = fill(conf["location"])
    if "body" in conf:
        body, ctype = fill(conf["body"]), conf.get("content_type", "text/html; charset=utf-8")
    else:
        body = f'<a href="{html.escape(location)}">{REASONS.get(status, "")}</a>.\n\n'
        ctype = "text/html; charset=utf-8"
    resp = _text(status, body, ctype, extra)
    resp.headers.insert(len(extra), ("Location", location))
    return resp


def bad_request(listener: Listener, ref: ImageRef, now: float) -> Response | None:
    """What the server answers to bytes that are not an HTTP request (it then closes the
    connection): nginx its own 400 page, the Go servers (agnhost, http-echo) net/http's plain
    400; a server that speaks no HTTP (listener kind `tcp`) answers nothing."""
    if listener.kind == "tcp":
        return None
    conf = listener.conf
    if listener.kind == "files" and conf.get("not_found") != "go":
        server = conf.get("server", "").replace("{version}", _version(conf.get("version", ""), ref.tag))
        if conf.get("not_found") == "nginx":
            body = _nginx_error(400, server)
            return Response(400, [("Server", server), ("Date", _date(now)), ("Content-Type", "text/html"),
                                  ("Content-Length", str(len(body)))], body.encode())
        return Response(400, [("Date", _date(now)), ("Server", server), ("Content-Length", str(len(APACHE_400))),
                              ("Content-Type", "text/html; charset=iso-8859-1")], APACHE_400.encode())
    return _text(400, "400 Bad Request", "text/plain; charset=utf-8", [])


def outside(req: Request, host: str, now: float) -> Response:
    """The playground's stand-in for a site on the Internet: a small page, 200 for any path."""
    body = OUTSIDE_PAGE.format(host=host)
    return Response(200, [("Date", _date(now)), ("Content-Type", "text/html; charset=UTF-8"),
                          ("Content-Length", str(len(body.encode())))], b"" if req.method == "HEAD" else body.encode(),
                    tls="public" if req.tls else "")


OUTSIDE_PAGE = ("<!doctype html>\n<html>\n<head><title>{host}</title></head>\n<body>\n<h1>{host}</h1>\n"
                "<p>A page from outside the cluster (kubeplay has no Internet: every public site answers this).</p>\n"
                "</body>\n</html>\n")


DEFAULT_PAGE = "<html><body><h1>It works!</h1><p>Served by {hostname}</p></body></html>\n"


def _version(default: str, tag: str) -> str:
    m = re.match(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$", tag or "")
    if not m or not default:
        return default
    if not m.group(3) and default.startswith(tag.lstrip("v") + "."):
        return default       # nginx:1.27 is the newest 1.27.x the catalog knows
    return ".".join([m.group(1), m.group(2) or "0", m.group(3) or "0"])


def _date(now: float) -> str:
    return _dt.datetime.fromtimestamp(now, tz=_dt.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")


def _text(status: int, body: str, ctype: str, extra: list) -> Response:
    """A response of `body`; an empty `ctype` sends no Content-Type (Go's net/http for a
    handler that writes no body: the registry's `/`)."""
    data = body.encode()
    return Response(status, extra + ([("Content-Type", ctype)] if ctype else []) + [("Content-Length", str(len(data)))],
                    data)


CONTENT_TYPES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain", ".json": "application/json",
                 ".css": "text/css", ".js": "application/javascript", ".png": "image/png", ".svg": "image/svg+xml"}


def _under_root(root: str, path: str) -> str:
    """The file a request's path names under the server's root (a path climbing out: the root)."""
    target = posixpath.normpath(root + "/" + urllib.parse.unquote(path).lstrip("/"))
    return target if target.startswith(root) else root


def _files(conf: dict, req: Request, path: str, fs, version: str, now: float) -> Response:
    if conf.get("not_found") == "go":
        return _go_files(conf, path, fs, now)
    server = conf.get("server", "").replace("{version}", version)
    nginx = conf.get("not_found") == "nginx"
    head = [("Server", server), ("Date", _date(now))]
    target = _under_root(conf["root"], path)
    if fs is not None and fs.is_dir(target):
        if not path.endswith("/"):
            loc = f"http://{req.host}{path}/"
            body = _nginx_error(301, server) if nginx else ""
            return Response(301, head + [("Content-Type", "text/html"), ("Content-Length", str(len(body))),
                                         ("Location", loc)], body.encode())
        target = posixpath.join(target, conf.get("index", "index.html"))
        if not fs.exists(target):
            body = _nginx_error(403, server) if nginx else APACHE_403
            return Response(403, head + [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
                            body.encode())
    if req.method not in ("GET", "HEAD"):
        body = _nginx_error(405, server) if nginx else APACHE_405.format(method=req.method)
        return Response(405, head + [("Content-Type", "text/html"), ("Content-Length", str(len(body)))], body.encode())
    try:
        data = fs.read(target) if fs is not None and not fs.is_dir(target) else None
    except Exception:   # an unreadable path: as missing
        data = None
    if data is None:
        body = _nginx_error(404, server) if nginx else APACHE_404
        return Response(404, head + [("Content-Type", "text/html"), ("Content-Length", str(len(body)))], body.encode())
    ctype = CONTENT_TYPES.get(posixpath.splitext(target)[1], "application/octet-stream")
    node = fs.lookup(target)
    mtime = getattr(node, "mtime", now) or now
    return Response(200, head + [("Content-Type", ctype), ("Content-Length", str(len(data))),
                                 ("Last-Modified", _date(mtime)), ("Connection", "keep-alive"),
                                 ("ETag", f'"{int(mtime):x}-{len(data):x}"'), ("Accept-Ranges", "bytes")], data)


def _go_files(conf: dict, path: str, fs, now: float) -> Response:
    """Go's http.FileServer over the container's `root` (agnhost test-webserver, which the
    kitten and nautilus images run): a directory without its slash is a bare 301 to the
    relative name with one, a directory its index.html or else a listing, a missing path
    net/http's 404; the entry's `headers` on every answer."""
    extra = [(k, v) for k, v in conf.get("headers") or ()]
    target = _under_root(conf["root"], path)
    if fs is not None and fs.is_dir(target):
        if not path.endswith("/"):
            return Response(301, extra + [("Location", posixpath.basename(path.rstrip("/")) + "/"),
                                          ("Content-Length", "0")], b"")
        index = posixpath.join(target, "index.html")
        if not fs.exists(index):
            names = [n + "/" if fs.is_dir(posixpath.join(target, n)) else n for n in fs.listdir(target)]
            body = "<pre>\n" + "".join(f'<a href="{urllib.parse.quote(n)}">{html.escape(n)}</a>\n'
                                        for n in names) + "</pre>\n"
            return _text(200, body, "text/html; charset=utf-8", extra)
        target = index
    try:
        data = fs.read(target) if fs is not None and not fs.is_dir(target) else None
    except Exception:   # an unreadable path: as missing
        data = None
    if data is None:
        return _text(404, "404 page not found\n", "text/plain; charset=utf-8",
                     extra + [("X-Content-Type-Options", "nosniff")])
    node = fs.lookup(target)
    mtime = getattr(node, "mtime", now) or now
    ctype = CONTENT_TYPES.get(posixpath.splitext(target)[1], "application/octet-stream")
    if ctype.startswith("text/") or ctype in ("application/javascript", "image/svg+xml"):
        ctype += "; charset=utf-8"
    return Response(200, extra + [("Accept-Ranges", "bytes"), ("Content-Length", str(len(data))),
                                  ("Content-Type", ctype), ("Last-Modified", _date(mtime))], data)


def _nginx_error(status: int, server: str) -> str:
    title = f"{status} {REASONS.get(status, '')}"
    return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
            f"<hr><center>{server}</center>\r\n</body>\r\n</html>\r\n")


APACHE_400 = ('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>400 Bad Request</title>\n'
              '</head><body>\n<h1>Bad Request</h1>\n<p>Your browser sent a request that this server could not '
              'understand.<br />\n</p>\n</body></html>\n')
APACHE_404 = ('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n'
              '</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n')
APACHE_403 = ('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>403 Forbidden</title>\n'
              "</head><body>\n<h1>Forbidden</h1>\n<p>You don't have permission to access this resource.</p>\n</body></html>\n")
APACHE_405 = ('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>405 Method Not Allowed</title>\n'
              "</head><body>\n<h1>Method Not Allowed</h1>\n<p>The requested method {method} is not allowed for this URL.</p>\n"
              "</body></html>\n")


def _agnhost_answer(sub: str, path: str, query: str, hostname: str, now: float) -> Response:
    if sub == "serve-hostname":
        return _text(200, hostname, "text/plain; charset=utf-8", [])
    if sub == "liveness":
        return _text(200, "ok", "text/plain; charset=utf-8", []) if path == "/healthz" else \
            _text(404, "404 page not found\n", "text/plain; charset=utf-8", [])
    params = urllib.parse.parse_qs(query)
    if path == "/hostname":
        return _text(200, hostname, "text/plain; charset=utf-8", [])
    if path == "/echo":
        return _text(200, (params.get("msg") or [""])[0], "text/plain; charset=utf-8", [])
    if path in ("/healthz", "/readyz", "/healthz/"):
        return _text(200, "", "text/plain; charset=utf-8", [])
    if path == "/clientip":
        return _text(200, "", "text/plain; charset=utf-8", [])
    if path == "/":
        stamp = _dt.datetime.fromtimestamp(now, tz=_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f") + " +0000 UTC"
        return _text(200, f"NOW: {stamp}", "text/plain; charset=utf-8", [])
    return _text(404, "404 page not found\n", "text/plain; charset=utf-8", [])


def _echo(req: Request, hostname: str) -> str:
    path, _, query = req.path.partition("?")
    headers = "".join(f"\t{k.lower()}={v}\n" for k, v in sorted(req.headers, key=lambda kv: kv[0].lower()))
    body = req.body.decode(errors="replace") if req.body else "-no body in request-"
    return (f"\n\nHostname: {hostname}\n\nPod Information:\n\t-no pod information available-\n\n"
            f"Server values:\n\tserver_version=nginx: 1.13.3 - lua: 10008\n\n"
            f"Request Information:\n\tclient_address={req.client_ip}\n\tmethod={req.method}\n\treal path={path}\n"
            f"\tquery={query}\n\trequest_version=1.1\n\trequest_scheme=http\n\trequest_uri=http://{req.host}{req.path}\n\n"
            f"Request Headers:\n{headers}\nRequest Body:\n\t{body}\n\n")


def _log_line(style: str, req: Request, resp: Response, now: float, path: str) -> str:
    t = _dt.datetime.fromtimestamp(now, tz=_dt.timezone.utc)
    clf = t.strftime("%d/%b/%Y:%H:%M:%S +0000")
    size = len(resp.body)
    ua = req.header("User-Agent") or "-"
    if style == "nginx":
        ref = req.header("Referer") or "-"
        return f'{req.client_ip} - - [{clf}] "{req.method} {req.path} HTTP/1.1" {resp.status} {size} "{ref}" "{ua}" "-"'
    if style == "apache":
        return f'{req.client_ip} - - [{clf}] "{req.method} {req.path} HTTP/1.1" {resp.status} {size if size else "-"}'
    if style == "hello-app":
        return f"{t.strftime('%Y/%m/%d %H:%M:%S')} Serving request: {path}"
    if style == "agnhost":
        return f"I{t.strftime('%m%d %H:%M:%S.%f')}       1 log.go:245] {req.method} {req.path}"
    if style == "json":
        return json.dumps({"time": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "method": req.method, "path": path,
                           "status": resp.status, "remote": req.client_ip})
    if style == "none":
        return ""
    return f"{t.strftime('%Y/%m/%d %H:%M:%S')} {req.host} {req.client_ip} \"{req.method} {req.path} HTTP/1.1\" {resp.status} {size} \"{ua}\""
