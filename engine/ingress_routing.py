"""Which backend an Ingress controller sends a request to, as ingress-nginx builds its nginx
configuration from the cluster's Ingresses (internal/ingress/controller/controller.go
createServers/createUpstreams, template/template.go buildServerName, the nginx `location` rules):

* the Ingresses it serves: class `nginx` (spec.ingressClassName, or the old
  `kubernetes.io/ingress.class` annotation), and with `--watch-ingress-without-class` those with
  no class at all; oldest first (creationTimestamp, then namespace/name) — where two Ingresses
  claim the same host and path, the first one defined wins;
* one nginx `server` per host: an exact host first, else a `*.example.com` wildcard, which
  matches exactly one more label (ingress-nginx writes it as the regex `~^(?<subdomain>[\\w-]+)\\.example\\.com$`),
  else the catch-all server `_`, made of the rules without a host;
* in a server, `location`s: Exact is nginx's `location = /p`; Prefix is element-wise (`/foo`
  matches `/foo` and `/foo/bar`, not `/foobar`: ingress-nginx writes `= /foo` and `/foo/`);
  ImplementationSpecific is nginx's plain prefix `location /foo`, character by character (so
  `/foobar` too). An exact match wins, then the longest path;
* no location matches: the server's root location, which is the first Ingress's
  `spec.defaultBackend` for that host if it has one — for the catch-all server, the defaultBackend
  of an Ingress without rules — else the controller's own default backend (404);
* a host where any Ingress has `rewrite-target` or `use-regex` matches every location as a
  case-insensitive regular expression anchored at the start (engine/ingress_annotations.py).

Pure functions over the stored objects (no loop imports): the controller's pod
(engine/kubelet/ingress_proxy.py) routes with them, and the page shows the route."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import ingress_annotations, objects

CLASS_ANNOTATION = "kubernetes.io/ingress.class"
CATCH_ALL = "_"


@dataclass
class Location:
    path: str
    path_type: str
    backend: dict
    ingress: dict
    rule_index: int | None = None
    path_index: int | None = None

    @property
    def rewrite_target(self) -> str:
        target = ingress_annotations.rewrite_target(self.ingress)
        return target if ingress_annotations.needs_rewrite(self.path, target) else ""


@dataclass
class Server:
    host: str
    locations: list[Location] = field(default_factory=list)
    root: tuple[dict, dict] | None = None      # (backend, ingress) of the root location, if not the default
    tls_secret: tuple[str, str] | None = None  # (namespace, secretName) whose certificate it serves
    app_root: str = ""                         # the first Ingress's app-root annotation for the host

    @property
    def regex(self) -> bool:
        """ingress-nginx's enforceRegexModifier: one location with a rewrite or use-regex makes
        every location of the server a regular expression."""
        return any(loc.rewrite_target or ingress_annotations.use_regex(loc.ingress) for loc in self.locations)


@dataclass
class Match:
    """Where a request goes: `backend` None means the controller's default backend (404)."""
    server: Server | None
    location: Location | None
    backend: dict | None
    ingress: dict | None

    def describe(self) -> dict:
        """A plain summary (the page's route view, the traffic log)."""
        out: dict = {"server": self.server.host if self.server else CATCH_ALL}
        if self.ingress is not None:
            out["ingress"] = objects.key_of(self.ingress)
        if self.location is not None:
            out.update(path=self.location.path, pathType=self.location.path_type)
        elif self.backend is not None:
            out["defaultBackend"] = True
        svc = (self.backend or {}).get("service") or {}
        if svc:
            port = svc.get("port") or {}
            out["service"] = svc.get("name")
            out["port"] = port.get("number") or port.get("name")
        return out


def ingress_class_of(ing: dict) -> str | None:
    cls = (ing.get("spec") or {}).get("ingressClassName")
    if cls is None:
        cls = (objects.meta(ing).get("annotations") or {}).get(CLASS_ANNOTATION)
    return cls


def served(ingresses, class_name: str, *, without_class: bool = True) -> list[dict]:
    """The Ingresses the controller of `class_name` serves, oldest first."""
    out = []
    for ing in ingresses:
        if objects.is_terminating(ing):
            continue
        cls = ingress_class_of(ing)
        if cls == class_name or (cls is None and without_class):
            out.append(ing)
    out.sort(key=lambda i: (objects.meta(i).get("creationTimestamp") or "", objects.key_of(i)))
    return out


def _wildcard_re(host: str) -> re.Pattern:
    return re.compile(r"[\w-]+" + re.escape(host[1:]) + r"\Z")


def servers(ingresses: list[dict]) -> dict[str, Server]:
    """host → Server, from the served Ingresses (oldest first)."""
    out: dict[str, Server] = {CATCH_ALL: Server(CATCH_ALL)}
    for ing in ingresses:
        spec = ing.get("spec") or {}
        default = spec.get("defaultBackend")
        rules = spec.get("rules") or []
        if default and not rules and out[CATCH_ALL].root is None:
            out[CATCH_ALL].root = (default, ing)
        for rule in rules:
            host = rule.get("host") or CATCH_ALL
            server = out.setdefault(host, Server(host))
            if default and server.root is None and host != CATCH_ALL:
                server.root = (default, ing)
            if not server.app_root:
                server.app_root = ingress_annotations.app_root(ing)
        for ri, rule in enumerate(rules):
            server = out[rule.get("host") or CATCH_ALL]
            for pi, p in enumerate(((rule.get("http") or {}).get("paths")) or []):
                path_type = p.get("pathType") or "ImplementationSpecific"
                path = p.get("path") or "/"
                if any(loc.path == path and loc.path_type == path_type for loc in server.locations):
                    continue                  # the same location in an older Ingress wins
                server.locations.append(Location(path, path_type, p.get("backend") or {}, ing, ri, pi))
        for tls in spec.get("tls") or []:
            for host in tls.get("hosts") or []:
                tls_server = out.get(host)
                if tls_server is not None and tls_server.tls_secret is None and tls.get("secretName"):
                    tls_server.tls_secret = (objects.namespace_of(ing), tls["secretName"])
    return out


def pick_server(all_servers: dict[str, Server], host: str) -> Server:
    host = host.lower()
    if host in all_servers and host != CATCH_ALL:
        return all_servers[host]
    wild = [s for h, s in all_servers.items() if h.startswith("*.") and _wildcard_re(h).match(host)]
    if wild:
        return max(wild, key=lambda s: len(s.host))
    return all_servers[CATCH_ALL]


def path_matches(loc: Location, path: str) -> bool:
    if loc.path_type == "Exact":
        return path == loc.path
    if loc.path_type == "Prefix":
        if loc.path == "/":
            return True
        base = loc.path.rstrip("/")
        return path == base or path.startswith(base + "/")
    return path.startswith(loc.path)           # ImplementationSpecific: nginx's plain prefix


def pick_location(server: Server, path: str) -> Location | None:
    if server.regex:
        # nginx tries regex locations in the order written, and ingress-nginx writes them
        # longest path first (equal lengths: reverse string order); the first match wins
        ordered = sorted(server.locations, key=lambda loc: loc.path, reverse=True)
        ordered.sort(key=lambda loc: len(loc.path), reverse=True)
        for loc in ordered:
            pattern = ingress_annotations.location_regex(loc.path)
            if pattern is not None and pattern.match(path):
                return loc
        return None
    exact = [loc for loc in server.locations if loc.path_type == "Exact" and loc.path == path]
    if exact:
        return exact[0]
    found = [loc for loc in server.locations if path_matches(loc, path)]
    if not found:
        return None
    # longest path first; for equal paths Prefix before ImplementationSpecific (the element-wise
    # `location /foo/` is longer than the plain `location /foo`), then the older Ingress
    return max(found, key=lambda loc: (len(loc.path.rstrip("/")) if loc.path_type == "Prefix" else len(loc.path),
                                       loc.path_type == "Prefix", -server.locations.index(loc)))


def route(ingresses: list[dict], host: str, path: str) -> Match:
    """The backend for a request to `host` (without port) and `path` (without query)."""
    all_servers = servers(ingresses)
    server = pick_server(all_servers, host)
    loc = pick_location(server, path or "/")
    if loc is not None:
        return Match(server, loc, loc.backend, loc.ingress)
    if server.root is not None:
        return Match(server, None, server.root[0], server.root[1])
    return Match(server, None, None, None)


def upstream_name(namespace: str, backend: dict | None) -> str:
    """ingress-nginx's upstream name, as its access log prints it: `<ns>-<service>-<port>`."""
    svc = (backend or {}).get("service")
    if not svc:
        return "upstream-default-backend"
    port = svc.get("port") or {}
    return f"{namespace}-{svc.get('name')}-{port.get('number') or port.get('name')}"
