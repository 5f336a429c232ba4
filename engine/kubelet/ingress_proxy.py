"""What the ingress-nginx controller's container answers on its ports 80 and 443 (the `ingress`
server kind of engine/data/servers.json): nginx as ingress-nginx configures it.

A request is routed by the cluster's Ingresses (engine/ingress_routing.py), then proxied to one
ready endpoint of the backend Service, chosen round-robin over the Service's EndpointSlices as
ingress-nginx's Lua balancer does (`load-balance: round_robin`) — pod to pod, not through the
ClusterIP. That connection is made with `PodNetwork.request` from the controller's pod, the same
call a container's curl to a pod IP makes, so whatever governs a connection reaching a pod
(readiness of the listener, NetworkPolicies) governs the controller's connection too.

The answers nginx itself gives, byte for byte as nginx writes them (CRLF lines, `nginx` without a
version: ingress-nginx sets `server_tokens off`):
* 404 Not Found: no rule and no defaultBackend (the controller's default backend);
* 503 Service Temporarily Unavailable: the backend Service is missing, lacks the port, or has no
  ready endpoint;
* 502 Bad Gateway / 504 Gateway Time-out: the chosen endpoint refused, answered nothing, or the
  connection was dropped;
* 308 Permanent Redirect to https: a plain-HTTP request for a host the Ingress serves over TLS
  (ingress-nginx's `ssl-redirect`, on by default);
* 400 for plain HTTP sent to the https port.
Over https the certificate is the TLS Secret's for a host an Ingress lists under `tls` (else the
controller's "Kubernetes Ingress Controller Fake Certificate"): neither is one curl can verify
without `-k` or `--cacert`.

Each request is a line in the controller's access log, in ingress-nginx's `upstreaminfo` format."""
from __future__ import annotations

import datetime as _dt
import hashlib
import weakref

from .. import ingress_annotations, ingress_nginx_install as install, ingress_routing, objects
from .. import resources as kinds
from . import servers

# nginx's own reason phrases (ngx_http_status_lines), where they differ from the usual ones
NGINX_REASONS = {301: "Moved Permanently", 302: "Moved Temporarily", 303: "See Other", 307: "Temporary Redirect",
                 308: "Permanent Redirect", 400: "Bad Request", 404: "Not Found", 502: "Bad Gateway",
                 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}
PLAIN_HTTP_TO_HTTPS = "The plain HTTP request was sent to HTTPS port"
DEFAULT_BACKEND_ADDRESS = "127.0.0.1:8181"      # the controller's built-in default backend

_round_robin: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # network → {upstream: count}
_counter = [0]


def error_page(status: int, detail: str = "") -> bytes:
    title = f"{status} {detail or NGINX_REASONS[status]}"
    head = f"{status} {NGINX_REASONS[status]}"
    extra = f"<center>{detail}</center>\r\n" if detail else ""
    return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{head}</h1></center>\r\n"
            f"{extra}<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n").encode()


def _date(now: float) -> str:
    return _dt.datetime.fromtimestamp(now, tz=_dt.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")


def _own_answer(status: int, now: float, *, detail: str = "", extra: list | None = None) -> servers.Response:
    body = error_page(status, detail)
    resp = servers.Response(status, [("Date", _date(now)), ("Content-Type", "text/html"),
                                     ("Content-Length", str(len(body)))] + (extra or []), body)
    resp.reason_text = NGINX_REASONS[status]
    return resp


def _host_of(req: servers.Request) -> str:
    host = req.header("Host") or req.host
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


def served_ingresses(store) -> list[dict]:
    """The Ingresses this controller serves (class `nginx`, or none: --watch-ingress-without-class)."""
    return ingress_routing.served(store.iter(kinds.INGRESS), install.CLASS_NAME)


def route(store, host: str, path: str) -> ingress_routing.Match:
    return ingress_routing.route(served_ingresses(store), host.lower(), path)


def backend_endpoints(network, namespace: str, backend: dict | None) -> tuple[dict | None, dict | None, list]:
    """(Service, its port, ready (pod, port) endpoints) for an Ingress backend."""
    svc_ref = (backend or {}).get("service") or {}
    svc = network.store.try_get(kinds.SERVICE, namespace, svc_ref.get("name") or "") if svc_ref else None
    if svc is None:
        return None, None, []
    want = svc_ref.get("port") or {}
    sport = next((p for p in (svc.get("spec") or {}).get("ports") or ()
                  if (want.get("number") and p.get("port") == want["number"])
                  or (want.get("name") and p.get("name") == want["name"])), None)
    if sport is None:
        return svc, None, []
    return svc, sport, network.ready_endpoints(svc, sport)


def _pick(network, upstream: str, endpoints: list) -> tuple[dict, int]:
    counts = _round_robin.setdefault(network, {})
    n = counts.get(upstream, 0)
    counts[upstream] = n + 1
    return endpoints[n % len(endpoints)]


def _request_id(now: float) -> str:
    _counter[0] += 1
    return hashlib.md5(f"{now}:{_counter[0]}".encode()).hexdigest()


def serve(network, controller: dict, listener, req: servers.Request) -> servers.Response:
    """Answer one request that reached the controller's pod on `listener.port` (80 or 443)."""
    now = network.clock.now()
    https = listener.port == 443
    path = req.path.partition("?")[0] or "/"
    host = _host_of(req)
    rid = _request_id(now)
    if https and not req.tls:
        resp = _own_answer(400, now, detail=PLAIN_HTTP_TO_HTTPS)
        resp.log_line = _log(req, resp, "", "-", rid, now)
        return resp
    match = route(network.store, host, path)
    req.ingress = match.describe()
    namespace = objects.namespace_of(match.ingress) if match.ingress is not None else ""
    upstream = ingress_routing.upstream_name(namespace, match.backend)
    scheme = "https" if https else "http"
    if match.server is not None and match.server.app_root and path == "/":
        # the server's `if ($uri = /) { return 302 $scheme://$http_host<app-root>; }`
        where = f"{scheme}://{req.header('Host') or host}{match.server.app_root}"
        return _redirect(req, 302, where, "", rid, now)
    ing = match.ingress          # the location's Ingress, or the one whose defaultBackend answers
    moved = ingress_annotations.redirect(ing) if ing is not None else None
    if moved is not None:
        return _redirect(req, moved[0], moved[1], upstream, rid, now)
    tls_host = match.server is not None and match.server.tls_secret is not None
    wants_https = (ing is None and tls_host) or (ing is not None and (
        (tls_host and ingress_annotations.ssl_redirect(ing)) or ingress_annotations.force_ssl_redirect(ing)))
    if wants_https and not https:
        return _redirect(req, 308, f"https://{host}{req.path}", upstream, rid, now)
    if match.backend is None:
        resp = _own_answer(404, now)
        resp = _over_tls(network, resp, match, https)
        resp.log_line = _log(req, resp, "upstream-default-backend", DEFAULT_BACKEND_ADDRESS, rid, now)
        return resp
    _svc, _sport, endpoints = backend_endpoints(network, namespace, match.backend)
    if not endpoints:
        resp = _over_tls(network, _own_answer(503, now), match, https)
        resp.log_line = _log(req, resp, upstream, "-", rid, now)
        return resp
    pod, port = _pick(network, upstream, endpoints)
    ip = (pod.get("status") or {}).get("podIP", "")
    client_ip = req.client_ip
    forwarded = [(k, v) for k, v in req.headers if k.lower() not in ("host", "connection")]
    headers = [("Host", host)] + forwarded + [
        ("X-Request-ID", rid), ("X-Real-IP", client_ip), ("X-Forwarded-For", client_ip),
        ("X-Forwarded-Host", host), ("X-Forwarded-Port", str(listener.port)),
        ("X-Forwarded-Proto", "https" if https else "http"), ("X-Forwarded-Scheme", "https" if https else "http"),
        ("X-Scheme", "https" if https else "http")]
    uri = req.path
    if match.location is not None and match.location.rewrite_target:
        uri = ingress_annotations.rewrite(match.location.path, match.location.rewrite_target, req.path) or uri
        if uri != req.path:
            req.ingress["rewrite"] = uri
    upstream_req = servers.Request(req.method, uri, host, headers, req.body)
    upstream_req.ingress = req.ingress
    route_taken, answer = network.request(controller, f"{ip}:{port}", ip, port, upstream_req)
    if answer is None:
        resp = _own_answer(504 if route_taken.error == "timeout" else 502, now)
        resp = _over_tls(network, resp, match, https)
        resp.log_line = _log(req, resp, upstream, f"{ip}:{port}", rid, now)
        return resp
    kept = [(k, v) for k, v in answer.headers if k.lower() not in ("server", "date", "connection")]
    resp = servers.Response(answer.status, [("Date", _date(now))] + kept + [("Connection", "keep-alive")],
                            answer.body)
    if https:
        resp.headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    resp.reason_text = answer.reason
    resp = _over_tls(network, resp, match, https)
    resp.log_line = _log(req, resp, upstream, f"{ip}:{port}", rid, now, answer)
    return resp


def _redirect(req: servers.Request, code: int, where: str, upstream: str, rid: str, now: float) -> servers.Response:
    """nginx's own redirect answer (`return <code> <url>`): its page and a Location header."""
    resp = _own_answer(code, now, extra=[("Location", where)])
    resp.log_line = _log(req, resp, upstream, "-", rid, now)
    return resp


def _over_tls(network, resp: servers.Response, match: ingress_routing.Match, https: bool) -> servers.Response:
    if https:
        # the Secret's certificate or the controller's fake one: either way one no CA curl knows
        # signed (a learner's `openssl req -x509` certificate, or "Kubernetes Ingress Controller
        # Fake Certificate")
        resp.tls = "self-signed"
    return resp


def _log(req: servers.Request, resp: servers.Response, upstream: str, address: str, rid: str, now: float,
         answer: servers.Response | None = None) -> str:
    t = _dt.datetime.fromtimestamp(now, tz=_dt.timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000")
    ref, ua = req.header("Referer") or "-", req.header("User-Agent") or "-"
    length = len(f"{req.method} {req.path} HTTP/1.1\r\n") + sum(len(k) + len(v) + 4 for k, v in req.headers) + 2 + len(req.body)
    if answer is not None:
        tail = f"{address} {len(answer.body)} 0.001 {answer.status}"
    elif address == "-":
        tail = "- - - -"
    else:
        tail = f"{address} {len(resp.body)} 0.000 {resp.status}"
    return (f'{req.client_ip} - - [{t}] "{req.method} {req.path} HTTP/1.1" {resp.status} {len(resp.body)} "{ref}" '
            f'"{ua}" {length} 0.001 [{upstream}] [] {tail} {rid}')


def bad_request(now: float) -> servers.Response:
    """nginx's answer to bytes that are not HTTP (then it closes the connection)."""
    return _own_answer(400, now)
