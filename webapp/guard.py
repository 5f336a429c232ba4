"""Who may talk to the server, and how: one gate in front of every route (issue 7).

kubeplay listens on the learner's own machine, usually with no token. Any web page the learner
visits can send requests there, so every request passes three checks here, before routing,
before the token check and before any body is read — new endpoints get them without asking:

1. Host allow-list (DNS rebinding). A page that rebinds its own name to 127.0.0.1 reaches us
   with `Host: its-name`; only the names the server is bound to pass (127.0.0.1, localhost and
   [::1] with our port, the --host value, and names given with --allow-host). HTTP and the
   WebSocket alike. A browser's `Origin` must name an allowed host too.
2. Media types as kube-apiserver negotiates them (k8s.io/apiserver handlers/negotiation): a
   body in a write to the Kubernetes API must be JSON, YAML or protobuf (no Content-Type means
   JSON), a PATCH one of the patch types; anything else is 415 with the apiserver's text. The
   page's own endpoints take application/json only — a type no HTML form can send.
3. Cross-site writes. A state-changing request to /kubeplay/v1/ must carry X-Kubeplay-Request
   (a header no form and no "simple" cross-origin fetch can send; the page's api.js adds it) and
   must not be marked cross-site by Sec-Fetch-Site. kubectl and client libraries send no Origin
   and no Sec-Fetch-*, so they pass; a foreign Origin is refused everywhere.

Refusals are metav1.Status bodies, as every other error here."""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import Flask, Response, json, request

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARDS = ("0.0.0.0", "::", "")
PAGE_HEADER = "X-Kubeplay-Request"
PAGE_PREFIX = "/kubeplay/v1/"
API_PREFIXES = ("/api/", "/apis/")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# negotiation.NewUnsupportedMediaTypeError: the serializers a built-in resource accepts, in the
# order the apiserver lists them (CBOR is behind a feature gate that is off in v1.32).
BODY_TYPES = ("application/json", "application/yaml", "application/vnd.kubernetes.protobuf")
# installer.go's supportedTypes for PATCH (application/apply-patch+cbor only with that gate on).
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml")
PAGE_TYPES = ("application/json",)


class HostPolicy:
    """The names this server answers to. `bind_host` is --host; `extra` the --allow-host values
    (NAME, or NAME:PORT to admit another port, e.g. behind a port forward)."""

    def __init__(self, bind_host: str | None = None, extra: tuple[str, ...] | list[str] = ()):
        self.names = {n for n in LOOPBACK_NAMES}
        self.pairs: set[tuple[str, int]] = set()
        self.wildcard = bind_host in WILDCARDS and bind_host is not None
        if bind_host and not self.wildcard:
            self.names.add(_norm(bind_host))
        for item in extra:
            name, port = split_host(item)
            if name is None:
                continue
            if port is None:
                self.names.add(name)
            else:
                self.pairs.add((name, port))

    def allows(self, name: str | None, port: int | None, server_port: int) -> bool:
        if not name:
            return False
        if port is None:
            return False
        if (name, port) in self.pairs:
            return True
        if port != server_port:
            return False
        if name in self.names:
            return True
        # Bound to every interface: an IP literal cannot be a rebound name (rebinding needs a DNS
        # name the attacker controls), so any address of ours is fine.
        return self.wildcard and _is_ip(name)


def _norm(name: str) -> str:
    name = name.strip().lower()
    return name[1:-1] if name.startswith("[") and name.endswith("]") else name


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


def split_host(value: str, default_port: int | None = None) -> tuple[str | None, int | None]:
    """`name:port`, `[::1]:port` or `name` → (lower-case name, port or default); (None, None)
    when it is not a host at all."""
    if not value or any(c in value for c in "/?#@\\ \t\r\n"):
        return None, None
    try:
        parts = urlsplit("//" + value)
        name, port = parts.hostname, parts.port
    except ValueError:          # a port that is not a number, or out of range
        return None, None
    if not name:
        return None, None
    return _norm(name), port if port is not None else default_port


def _status(code: int, reason: str, message: str, details: dict | None = None) -> Response:
    from .api.resources import status_line
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    if details:
        body["details"] = details
    return Response(json.dumps(body), status=status_line(code), mimetype="application/json")


def _media_type(header: str | None) -> str:
    return (header or "").split(";", 1)[0].strip().lower()


def _has_body() -> bool:
    if request.headers.get("Transfer-Encoding", "").lower() == "chunked":
        return True
    try:
        return int(request.headers.get("Content-Length") or 0) > 0
    except ValueError:
        return True


def _unsupported(accepted: tuple[str, ...]) -> Response:
    # negotiation.errUnsupportedMediaType's text, word for word.
    return _status(415, "UnsupportedMediaType",
                   "the body of the request was in an unknown format - accepted media types include: "
                   + ", ".join(accepted))


def check(policy: HostPolicy) -> Response | None:
    """The gate: None lets the request through, else the refusal to send."""
    env = request.environ
    scheme = request.scheme
    default_port = 443 if scheme == "https" else 80
    try:
        server_port = int(env.get("SERVER_PORT") or default_port)
    except ValueError:
        server_port = default_port
    host = request.headers.get("Host", "")
    # A Host without a port is taken as ours: browsers always write a non-default port, and some
    # clients (simple-websocket) leave it out. What rebinding changes is the name, never allowed.
    name, port = split_host(host, server_port)
    if not policy.allows(name, port, server_port):
        shown = name if port == server_port else f"{name}:{port}"
        if name and ":" in name:
            shown = f"[{name}]" if port == server_port else f"[{name}]:{port}"
        return _status(403, "Forbidden",
                       f'host "{host}" is not allowed: kubeplay answers only to the names it is bound to '
                       f"(127.0.0.1, localhost, [::1]). A page that resolves its own domain to this machine "
                       f"(DNS rebinding) would use such a name; if you reach kubeplay by this name on purpose, "
                       f"start it with --allow-host {shown if name else 'NAME'}",
                       {"name": host, "kind": "host"})

    origin = request.headers.get("Origin")
    if origin is not None and not _origin_allowed(origin, policy, server_port):
        return _status(403, "Forbidden",
                       f'requests from origin "{origin}" are refused: only the kubeplay page itself and '
                       f"clients that send no Origin (kubectl, client libraries) may use this server",
                       {"name": origin, "kind": "origin"})

    path, method = request.path, request.method
    if method in SAFE_METHODS:
        return None
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return _status(403, "Forbidden",
                       f"cross-site requests are refused (Sec-Fetch-Site: {site})", {"kind": "origin"})
    if path.startswith(API_PREFIXES):
        ct = _media_type(request.headers.get("Content-Type"))
        if method == "PATCH":
            if ct not in PATCH_TYPES:
                return _unsupported(PATCH_TYPES)
        elif method in ("POST", "PUT") or _has_body():
            # No Content-Type is JSON, as NegotiateInputSerializer defaults to the first type.
            if ct and ct not in BODY_TYPES:
                return _unsupported(BODY_TYPES)
        return None
    if path.startswith(PAGE_PREFIX) or path == PAGE_PREFIX.rstrip("/"):
        if _media_type(request.headers.get("Content-Type")) not in PAGE_TYPES:
            return _unsupported(PAGE_TYPES)
        if not request.headers.get(PAGE_HEADER):
            return _status(403, "Forbidden",
                           f"kubeplay's own endpoints take changes only from its page: the request needs "
                           f"the {PAGE_HEADER} header (a web form or another site cannot send it)",
                           {"kind": "csrf"})
    return None


def _origin_allowed(origin: str, policy: HostPolicy, server_port: int) -> bool:
    try:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
            return False
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    return policy.allows(_norm(parts.hostname), port, server_port)


def init_app(app: Flask, policy: HostPolicy) -> None:
    """Install the gate as the app's first before_request (so it runs before the token check)."""
    app.extensions["kubeplay.hosts"] = policy

    def gate():
        return check(policy)
    app.before_request_funcs.setdefault(None, []).insert(0, gate)
