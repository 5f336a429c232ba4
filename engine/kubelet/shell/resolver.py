"""What a container's network utilities share: the NetClient (the kubelet's network, the pod
they run in, the image they come from), the image's utilities (engine/data/servers.json
`tools`), and name resolution as libc does it in a pod (the container's /etc/hosts, then cluster
DNS with /etc/resolv.conf's search list and ndots). The utilities are in http_clients.py (curl,
wget) and dns_tools.py (nslookup, getent, host, ping); netcommands.py registers them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ... import cluster_dns
from .. import servers
from ..images import ImageRef
from .fs import FsError

if TYPE_CHECKING:
    from ..network import PodNetwork

@dataclass
class NetClient:
    """What a container's utilities reach the network through: the kubelet's network, the pod
    they run in and the image they come from."""
    network: "PodNetwork"
    pod: dict
    ref: ImageRef


def tools(base: str, repository: str) -> tuple[set[str], str]:
    """(the network commands an image ships, whose nslookup: busybox, bind)."""
    data = servers.catalog()["tools"]
    commands, flavour = set(), ""
    for source in (data["bases"].get(base) or {}, data["images"].get(repository) or {}):
        commands.update(source.get("commands", ()))
        flavour = source.get("nslookup", flavour)
    return commands, flavour


def err(io, text: str) -> None:
    io.err((text + "\n").encode())


def client_of(sh) -> NetClient | None:
    return getattr(sh.ctx, "network", None)


# ---- names --------------------------------------------------------------------------------------

def hosts_file(sh) -> list[tuple[str, list[str]]]:
    try:
        text = sh.fs.read("/etc/hosts").decode(errors="replace")
    except FsError:
        return []
    out = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) >= 2:
            out.append((words[0], words[1:]))
    return out


def resolv_conf(sh) -> cluster_dns.ResolvConf:
    try:
        return cluster_dns.parse_resolv_conf(sh.fs.read("/etc/resolv.conf").decode(errors="replace"))
    except FsError:
        return cluster_dns.ResolvConf()


def resolve(sh, name: str) -> tuple[str, str] | None:
    """(address, canonical name) as getaddrinfo finds them, IPv4 only; None: not found."""
    if cluster_dns.is_ip(name):
        return name, name
    for ip, names in hosts_file(sh):
        if name.lower() in (n.lower() for n in names) and cluster_dns.is_ip(ip):
            return ip, names[0]
    client = client_of(sh)
    if client is None or not client.network.dns_up() or not client.network.dns_allowed(client.pod):
        return None
    for cand in cluster_dns.candidates(name, resolv_conf(sh)):
        ans = client.network.query(cand)
        if ans.addresses:
            return ans.addresses[0], cand
    return None


# A query nobody answers: resolv.conf's defaults (no `options timeout:`/`attempts:` in a pod's
# file) are 5 s and 2 attempts, and glibc waits out both before getaddrinfo gives up (musl gives up
# after one 5 s round; the playground does not tell the two apart).
LOOKUP_TIMEOUT = 10.0


def lookup_blocked(sh, name: str) -> float | None:
    """Seconds a lookup of `name` waits before failing because the pod's NetworkPolicies drop
    its queries to CoreDNS (engine/network_policy.py); None when the lookup goes through (an
    address, a name in /etc/hosts, DNS allowed — or CoreDNS down, which resolve() reports)."""
    if cluster_dns.is_ip(name) or any(name.lower() in (n.lower() for n in names) for _, names in hosts_file(sh)):
        return None
    client = client_of(sh)
    if client is None or not client.network.dns_up() or client.network.dns_allowed(client.pod):
        return None
    return LOOKUP_TIMEOUT


def wait(sh, seconds: float) -> bool:
    """Wait as a stuck connection does (real time: Ctrl-C or the client leaving ends it); True
    when interrupted."""
    return bool(sh.ctx.sleep(seconds))

def number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0
