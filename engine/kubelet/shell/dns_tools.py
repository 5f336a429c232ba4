"""`nslookup` (busybox's and bind's output), `getent`, `host` and `ping` in a container's shell,
over cluster DNS (engine/cluster_dns.py) as the pod's /etc/resolv.conf directs."""
from __future__ import annotations

import re

from ... import cluster_dns
from .fs import FsError
from .resolver import (LOOKUP_TIMEOUT, NetClient, client_of, err, hosts_file, lookup_blocked, number, resolv_conf,
                       resolve, tools, wait)


# ---- DNS tools ----------------------------------------------------------------------------------

def _no_servers(io, bind: bool) -> int:
    io.out(b";; connection timed out; no servers could be reached\n\n")
    return 1


def nslookup(sh, argv, io):
    client = client_of(sh)
    args = [a for a in argv[1:] if not a.startswith("-")]
    if not args:
        err(io, "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\n"
                 "Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]")
        return 1
    name = args[0]
    conf = resolv_conf(sh)
    server = args[1] if len(args) > 1 else conf.nameserver
    flavour = _nslookup_flavour(client)
    if client is not None and server == conf.nameserver and lookup_blocked(sh, name) is not None:
        if wait(sh, LOOKUP_TIMEOUT):      # a NetworkPolicy drops the queries to CoreDNS
            return 130
        return _no_servers(io, flavour == "bind")
    if client is None or not client.network.dns_up() or server != conf.nameserver:
        return _no_servers(io, flavour == "bind")
    net = client.network
    if cluster_dns.is_ip(name):
        ptr = net.reverse(name)
        rev = ".".join(reversed(name.split("."))) + ".in-addr.arpa"
        if flavour == "busybox-1.28":
            io.out(f"Server:    {server}\nAddress 1: {server} {cluster_dns.DNS_NAME}\n\n".encode())
            io.out((f"Name:      {name}\nAddress 1: {name}" + (f" {ptr}" if ptr else "") + "\n").encode())
            return 0
        sep = "#" if flavour == "bind" else ":"
        io.out(f"Server:\t\t{server}\nAddress:\t{server}{sep}53\n\n".encode())
        if ptr:
            io.out(f"{rev}\tname = {ptr}\n\n".encode())
            return 0
        io.out(f"** server can't find {rev}: NXDOMAIN\n\n".encode())
        return 1
    if flavour == "busybox-1.28":
        io.out(f"Server:    {server}\nAddress 1: {server} {cluster_dns.DNS_NAME}\n\n".encode())
        found = resolve(sh, name)
        if found is None:
            err(io, f"nslookup: can't resolve '{name}'")
            return 1
        cand = next((c for c in cluster_dns.candidates(name, conf) if net.query(c).addresses), name)
        addrs = net.query(cand).addresses
        io.out((f"Name:      {name}\n" + "".join(f"Address {k + 1}: {a} {net.reverse(a) or cand}\n"
                                                 for k, a in enumerate(addrs))).encode())
        return 0
    if flavour == "bind":
        # bind's nslookup: the search list as libc applies it; the first answer wins
        io.out(f"Server:\t\t{server}\nAddress:\t{server}#53\n\n".encode())
        for cand in cluster_dns.candidates(name, conf):
            ans = net.query(cand)
            if ans.addresses:
                io.out("".join(f"Name:\t{cand}\nAddress: {a}\n" for a in ans.addresses).encode() + b"\n")
                return 0
        io.out(f"** server can't find {name}: NXDOMAIN\n\n".encode())
        return 1
    # busybox ≥ 1.29: its own resolver (nslookup.c add_query_with_search): a name without a dot
    # is tried with each search domain (and not bare), a dotted name only as given; A and AAAA
    # queries for each, each answer or NXDOMAIN printed (an empty AAAA answer prints nothing)
    cands = [f"{name}.{s}" for s in conf.search] if "." not in name and conf.search else [name]
    io.out(f"Server:\t\t{server}\nAddress:\t{server}:53\n\n".encode())
    found_any = False
    out = []
    for qtype in ("A", "AAAA"):
        for cand in cands:
            ans = net.query(cand)
            if ans.rcode == "NXDOMAIN":
                out.append(f"** server can't find {cand}: NXDOMAIN\n\n")
            elif qtype == "A" and ans.addresses:
                found_any = True
                out.append("".join(f"Name:\t{cand}\nAddress: {a}\n" for a in ans.addresses) + "\n")
    io.out("".join(out).encode())
    return 0 if found_any else 1


def _nslookup_flavour(client: NetClient | None) -> str:
    if client is None:
        return "busybox"
    from .rootfs import profile
    _, flavour = tools(profile(client.ref).base, client.ref.repository)
    old = re.match(r"1\.(\d+)", client.ref.tag or "")
    if flavour == "busybox" and old and int(old.group(1)) <= 28:
        return "busybox-1.28"
    return flavour or "busybox"


def getent(sh, argv, io):
    if len(argv) < 2:
        err(io, "Usage: getent [OPTION...] database [key ...]")
        return 1
    if argv[1] not in ("hosts", "ahosts", "ahostsv4"):
        if argv[1] in ("passwd", "group"):
            try:
                text = sh.fs.read(f"/etc/{argv[1]}").decode(errors="replace")
            except FsError:
                return 2
            keys = argv[2:]
            lines = [ln for ln in text.splitlines() if ln and (not keys or ln.split(":")[0] in keys)]
            io.out("".join(ln + "\n" for ln in lines).encode())
            return 0 if lines else 2
        err(io, f"Unknown database: {argv[1]}\nTry `getent --help' or `getent --usage' for more information.")
        return 1
    if len(argv) < 3:
        io.out("".join(f"{ip:<15} {' '.join(names)}\n" for ip, names in hosts_file(sh)).encode())
        return 0
    status = 0
    for name in argv[2:]:
        blocked = lookup_blocked(sh, name)
        if blocked is not None and wait(sh, blocked):
            return 130
        found = resolve(sh, name)
        if found is None:
            status = 2
            continue
        ip, canon = found
        if argv[1] == "hosts":
            io.out(f"{ip:<15} {canon}\n".encode())
        else:
            io.out(f"{ip:<15} STREAM {canon}\n{ip:<15} DGRAM  \n{ip:<15} RAW    \n".encode())
    return status


def host(sh, argv, io):
    args = [a for a in argv[1:] if not a.startswith("-")]
    if not args:
        err(io, "Usage: host [-aCdilrTvVw] [-c class] [-N ndots] [-t type] [-W time]\n"
                 "            [-R number] [-m flag] [-p port] hostname [server]")
        return 1
    client = client_of(sh)
    if client is not None and lookup_blocked(sh, args[0]) is not None:
        if wait(sh, LOOKUP_TIMEOUT):      # a NetworkPolicy drops the queries to CoreDNS
            return 130
        io.out(b";; connection timed out; no servers could be reached\n")
        return 1
    if client is None or not client.network.dns_up():
        io.out(b";; connection timed out; no servers could be reached\n")
        return 1
    name = args[0]
    if cluster_dns.is_ip(name):
        ptr = client.network.reverse(name)
        rev = ".".join(reversed(name.split("."))) + ".in-addr.arpa"
        if ptr:
            io.out(f"{rev} domain name pointer {ptr}.\n".encode())
            return 0
        io.out(f"Host {rev} not found: 3(NXDOMAIN)\n".encode())
        return 1
    for cand in cluster_dns.candidates(name, resolv_conf(sh)):
        ans = client.network.query(cand)
        if ans.addresses:
            io.out("".join(f"{cand} has address {a}\n" for a in ans.addresses).encode())
            return 0
    io.out(f"Host {name} not found: 3(NXDOMAIN)\n".encode())
    return 1


def ping(sh, argv, io):
    count = None
    names = []
    args = argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-c", "-W", "-w", "-i", "-s") and i + 1 < len(args):
            if a == "-c":
                count = int(number(args[i + 1]))
            i += 2
            continue
        if a.startswith("-c") and a[2:].isdigit():
            count = int(a[2:])
        elif not a.startswith("-"):
            names.append(a)
        i += 1
    if not names:
        err(io, "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: ping [OPTIONS] HOST")
        return 1
    client = client_of(sh)
    name = names[0]
    blocked = lookup_blocked(sh, name) if client is not None else None
    if blocked is not None and wait(sh, blocked):
        return 130
    found = resolve(sh, name) if client is not None else None
    if found is None or client is None:
        err(io, f"ping: bad address '{name}'")
        return 1
    ip = found[0]
    answers = client.network.answers_ping(client.pod, ip)
    io.out(f"PING {name} ({ip}): 56 data bytes\n".encode())
    sent = received = 0
    interrupted = False
    while count is None or sent < count:
        if answers:
            io.out(f"64 bytes from {ip}: seq={sent} ttl={64 if ip.startswith('127.') else 62} "
                   f"time={0.061 + 0.013 * (sent % 5):.3f} ms\n".encode())
            received += 1
        sent += 1
        if (count is None or sent < count) and wait(sh, 1.0):
            interrupted = True
            break
    if not received and not interrupted:
        wait(sh, 10.0)     # busybox waits for a late reply after the last packet (a ClusterIP never answers)
    loss = 100 * (sent - received) // max(sent, 1)
    text = f"\n--- {name} ping statistics ---\n{sent} packets transmitted, {received} packets received, {loss}% packet loss\n"
    if received:
        text += "round-trip min/avg/max = 0.061/0.087/0.113 ms\n"
    io.out(text.encode())
    return 0 if received else 1
