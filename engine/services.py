"""Service IP and NodePort allocation, as the apiserver's service registry does it.

ClusterIPs come from kubeadm's default range 10.96.0.0/12 (10.96.0.1 is the `kubernetes`
Service); NodePorts from 30000-32767. Used addresses are derived from the stored Services each
time (a few hundred Services at most in a playground), so there is no allocator state to lose."""
from __future__ import annotations

import ipaddress
import random

from . import errors, resources as kinds

CIDR = ipaddress.ip_network("10.96.0.0/12")
NODEPORT_MIN, NODEPORT_MAX = 30000, 32767


def _used(store, skip_uid: str | None):
    ips, ports = set(), set()
    for svc in store.iter(kinds.SERVICE):
        if svc["metadata"].get("uid") == skip_uid:
            continue
        spec = svc.get("spec") or {}
        for ip in spec.get("clusterIPs") or [spec.get("clusterIP")]:
            if ip and ip != "None":
                ips.add(ip)
        for p in spec.get("ports") or []:
            if p.get("nodePort"):
                ports.add(p["nodePort"])
    return ips, ports


def allocate(store, svc: dict, old: dict | None) -> None:
    spec = svc.setdefault("spec", {})
    uid = (old or {}).get("metadata", {}).get("uid")
    name = svc["metadata"].get("name", "")
    used_ips, used_ports = _used(store, uid)
    stype = spec.get("type", "ClusterIP")
    if stype == "ExternalName":
        return
    old_spec = (old or {}).get("spec") or {}
    ip = spec.get("clusterIP") or old_spec.get("clusterIP")
    if not ip:
        ip = _next_ip(used_ips, name)
    elif ip != "None":
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            addr = None
        if addr is None or addr not in CIDR:
            raise errors.Invalid("Service", "", name, [errors.invalid(
                "spec.clusterIPs[0]", ip, f"failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is {CIDR}")])
        if ip in used_ips:
            raise errors.Invalid("Service", "", name, [errors.invalid(
                "spec.clusterIPs[0]", ip, f"failed to allocate IP {ip}: provided IP is already allocated")])
    spec["clusterIP"] = ip
    spec["clusterIPs"] = [ip]
    if stype in ("NodePort", "LoadBalancer"):
        old_ports = {p.get("port"): p.get("nodePort") for p in old_spec.get("ports") or []}
        for i, p in enumerate(spec.get("ports") or []):
            np = p.get("nodePort") or old_ports.get(p.get("port"))
            if np:
                if not NODEPORT_MIN <= np <= NODEPORT_MAX:
                    raise errors.Invalid("Service", "", name, [errors.invalid(
                        f"spec.ports[{i}].nodePort", np,
                        f"provided port is not in the valid range. The range of valid ports is {NODEPORT_MIN}-{NODEPORT_MAX}")])
                if np in used_ports:
                    raise errors.Invalid("Service", "", name, [errors.invalid(
                        f"spec.ports[{i}].nodePort", np, "provided port is already allocated")])
            else:
                free = [x for x in range(NODEPORT_MIN, NODEPORT_MAX + 1) if x not in used_ports]
                if not free:
                    raise errors.Invalid("Service", "", name, [errors.invalid(
                        f"spec.ports[{i}].nodePort", 0, "range is full")])
                np = random.choice(free)
            p["nodePort"] = np
            used_ports.add(np)


def _next_ip(used: set[str], name: str) -> str:
    # Randomised like the apiserver's bitmap allocator, but deterministic per name where free,
    # so a recreated Service tends to get its old address back.
    hosts = CIDR.num_addresses - 2
    rnd = random.Random(name)
    for _ in range(64):
        cand = str(CIDR.network_address + 10 + rnd.randrange(hosts - 10))
        if cand not in used:
            return cand
    for i in range(10, hosts):
        cand = str(CIDR.network_address + i)
        if cand not in used:
            return cand
    raise errors.ApiError("no IP addresses available in the service range")
