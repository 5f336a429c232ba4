"""Cluster DNS as CoreDNS's kubernetes plugin answers it (the kube-dns Service, 10.96.0.10),
read straight from the store: the kubelet's containers resolve names through it.

Records (https://github.com/kubernetes/dns/blob/master/docs/specification.md):
* `<svc>.<ns>.svc.cluster.local` → the ClusterIP; for a headless Service (clusterIP None) one A
  record per ready endpoint of its EndpointSlices (publishNotReadyAddresses: every endpoint);
* `<hostname>.<svc>.<ns>.svc.cluster.local` → the endpoint with that hostname (a StatefulSet's
  pods, or a pod with spec.hostname/subdomain naming a headless Service);
* `<a-b-c-d>.<ns>.pod.cluster.local` → a.b.c.d (CoreDNS's `pods insecure`: no lookup);
* an ExternalName Service → a CNAME to its externalName;
* anything else in cluster.local → NXDOMAIN; a name under a public top-level domain → an
  address of the stand-in outside world (see PUBLIC_TLDS).

`resolve` is the libc side: the search list and `ndots` of the pod's /etc/resolv.conf, as
glibc/musl try them. A pod's own /etc/hosts is the caller's (it comes first for libc)."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from . import objects, resources as kinds

DOMAIN = "cluster.local"
DNS_IP = "10.96.0.10"
DNS_NAME = f"kube-dns.kube-system.svc.{DOMAIN}"


@dataclass
class Answer:
    rcode: str = "NXDOMAIN"                    # or "NOERROR"
    addresses: list[str] = field(default_factory=list)
    cname: str = ""


@dataclass
class ResolvConf:
    nameserver: str = DNS_IP
    search: list[str] = field(default_factory=list)
    ndots: int = 1


def parse_resolv_conf(text: str) -> ResolvConf:
    conf = ResolvConf()
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith(("#", ";")):
            continue
        if words[0] == "nameserver" and len(words) > 1:
            conf.nameserver = words[1]
        elif words[0] in ("search", "domain"):
            conf.search = words[1:]
        elif words[0] == "options":
            for opt in words[1:]:
                if opt.startswith("ndots:") and opt[6:].isdigit():
                    conf.ndots = int(opt[6:])
    return conf


def is_ip(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
        return True
    except ValueError:
        return False


def dns_ready(store) -> bool:
    """Whether the kube-dns Service has a ready endpoint (CoreDNS running): without one a query
    times out (`;; connection timed out; no servers could be reached`). A cluster started without
    the control plane's addons has no kube-dns Service; its names resolve regardless."""
    if store.try_get(kinds.SERVICE, "kube-system", "kube-dns") is None:
        return True     # a playground built without kubeadm's addons: names resolve all the same
    return bool(_ready_addresses(store, "kube-system", "kube-dns"))


# Names outside the cluster: CoreDNS forwards them to the node's resolver. The playground has no
# Internet, so a name under a public top-level domain answers with an address of the outside
# world (TEST-NET-3, 203.0.113.0/24, one per name) that network.py answers with a stand-in page;
# anything else (`web.default` tried bare, `foo.local`) is NXDOMAIN as upstream says.
PUBLIC_TLDS = frozenset("com org net io dev app edu gov mil int info biz co me ch de uk fr nl eu jp cn ru "
                        "us ca au in br es it se no fi pl be at cz tv ai cloud sh".split())
OUTSIDE = ipaddress.ip_network("203.0.113.0/24")


def outside_ip(name: str) -> str:
    digest = sum((i + 1) * ord(ch) for i, ch in enumerate(name.lower()))
    return str(OUTSIDE.network_address + 1 + digest % 254)


def is_outside(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip) in OUTSIDE
    except ValueError:
        return False


def query(store, name: str) -> Answer:
    """One A query for a fully qualified name, as CoreDNS answers it."""
    labels = name.rstrip(".").lower().split(".")
    zone = DOMAIN.split(".")
    if labels[-len(zone):] != zone:
        if len(labels) >= 2 and labels[-1] in PUBLIC_TLDS and all(labels):
            return Answer("NOERROR", [outside_ip(name.rstrip("."))])
        return Answer()
    rest = labels[:-len(zone)]
    if len(rest) == 3 and rest[2] == "pod":
        ip = rest[0].replace("-", ".")
        return Answer("NOERROR", [ip]) if is_ip(ip) else Answer()
    if len(rest) in (3, 4) and rest[-1] == "svc":
        ns, svc_name = rest[-2], rest[-3]
        svc = store.try_get(kinds.SERVICE, ns, svc_name)
        if svc is None:
            return Answer()
        spec = svc.get("spec") or {}
        if len(rest) == 4:
            host = rest[0]
            addrs = [ep_ip for ep_ip, ep in _endpoints(store, ns, svc_name, spec) if ep.get("hostname") == host]
            return Answer("NOERROR", addrs[:1]) if addrs else Answer()
        if spec.get("type") == "ExternalName":
            return Answer("NOERROR", [], cname=spec.get("externalName", ""))
        cluster_ip = spec.get("clusterIP")
        if cluster_ip and cluster_ip != "None":
            return Answer("NOERROR", [cluster_ip])
        return Answer("NOERROR", [a for a, _ in _endpoints(store, ns, svc_name, spec)])
    return Answer()


def candidates(name: str, conf: ResolvConf) -> list[str]:
    """The names libc tries, in order: with ndots or more dots (or a trailing dot) the name as
    given first; then name + each search domain; then (if not tried) the name itself."""
    if name.endswith("."):
        return [name.rstrip(".")]
    with_search = [f"{name}.{s}" for s in conf.search]
    if name.count(".") >= conf.ndots:
        return [name] + with_search
    return with_search + [name]


def resolve(store, name: str, conf: ResolvConf) -> tuple[str, list[str]] | None:
    """(canonical name, addresses) as getaddrinfo finds them, or None (not found)."""
    if is_ip(name):
        return name, [name]
    for cand in candidates(name, conf):
        ans = query(store, cand)
        if ans.cname:
            return ans.cname, []     # outside the cluster: nothing further resolves it here
        if ans.addresses:
            return cand, list(ans.addresses)
    return None


def reverse(store, ip: str) -> str | None:
    """The PTR CoreDNS gives a ClusterIP (`<svc>.<ns>.svc.cluster.local`) or a headless
    Service's endpoint; None for other addresses."""
    for svc in store.list(kinds.SERVICE)[0]:
        if (svc.get("spec") or {}).get("clusterIP") == ip:
            return f"{objects.name_of(svc)}.{objects.namespace_of(svc)}.svc.{DOMAIN}"
    for sl in store.list(kinds.ENDPOINTSLICE)[0]:
        svc_name = ((sl.get("metadata") or {}).get("labels") or {}).get("kubernetes.io/service-name")
        for ep in sl.get("endpoints") or ():
            if ip in (ep.get("addresses") or ()) and svc_name:
                host = ep.get("hostname") or ip.replace(".", "-")
                return f"{host}.{svc_name}.{objects.namespace_of(sl)}.svc.{DOMAIN}"
    return None


def _endpoints(store, ns: str, svc_name: str, spec: dict) -> list[tuple[str, dict]]:
    everyone = bool(spec.get("publishNotReadyAddresses"))
    out, seen = [], set()
    for sl in store.list(kinds.ENDPOINTSLICE, ns)[0]:
        if ((sl.get("metadata") or {}).get("labels") or {}).get("kubernetes.io/service-name") != svc_name:
            continue
        for ep in sl.get("endpoints") or ():
            if not (everyone or (ep.get("conditions") or {}).get("ready")):
                continue
            for addr in ep.get("addresses") or ():
                if addr not in seen:
                    seen.add(addr)
                    out.append((addr, ep))
    return out


def _ready_addresses(store, ns: str, svc_name: str) -> list[str]:
    svc = store.try_get(kinds.SERVICE, ns, svc_name)
    if svc is None:
        return []
    return [a for a, _ in _endpoints(store, ns, svc_name, svc.get("spec") or {})]
