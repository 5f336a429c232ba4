"""busybox `nc` (nc_bloaty: the netcat in busybox and alpine images) in a container's shell:
`nc -z -v -w 2 web 80` to see whether a port is open, `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc web 80`
to talk to it. Connections go through the kubelet's PodNetwork (engine/kubelet/network.py), so
Services, kube-proxy's endpoints and NetworkPolicies apply as to curl: a dropped connection waits
for `-w` (or the kernel's ~130 s of SYN retries) and fails with ETIMEDOUT. The texts are
nc_bloaty's: `web (10.96.0.12:80) open` with -v; a failure says nothing without -v, and a refusal
only with -vv; `nc: bad address 'web'` when the name does not resolve."""
from __future__ import annotations

from .. import http_wire, servers
from ..network import Route
from .resolver import client_of, err, lookup_blocked, number, resolve, wait

USAGE = ("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\n"
         "Usage: nc [OPTIONS] HOST PORT  - connect\n"
         "nc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen")
KERNEL_CONNECT_TIMEOUT = 130.0       # Linux's SYN retries (tcp_syn_retries 6) before ETIMEDOUT


def nc(sh, argv, io):
    verbose, zero, udp, wait_s = 0, False, False, 0.0
    words: list[str] = []
    args = argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-") and len(a) > 1:
            j = 1
            while j < len(a):
                ch = a[j]
                if ch in "wpsio":
                    val = a[j + 1:] if j + 1 < len(a) else (args[i + 1] if i + 1 < len(args) else "")
                    if j + 1 >= len(a):
                        i += 1
                    if ch == "w":
                        wait_s = number(val)
                    break
                if ch == "v":
                    verbose += 1
                elif ch == "z":
                    zero = True
                elif ch == "u":
                    udp = True
                elif ch not in "nlk":
                    err(io, f"nc: invalid option -- '{ch}'\n{USAGE}")
                    return 1
                j += 1
        else:
            words.append(a)
        i += 1
    if len(words) != 2 or not words[1].isdigit():
        err(io, USAGE)
        return 1
    host, port = words[0], int(words[1])
    client = client_of(sh)
    blocked = lookup_blocked(sh, host) if client is not None else None
    if blocked is not None and wait(sh, blocked):
        return 130
    found = resolve(sh, host) if client is not None else None
    if found is None or client is None:
        err(io, f"nc: bad address '{host}'")
        return 1
    ip = found[0]
    dotted = f"{ip}:{port}"
    if udp:                      # no handshake: a UDP "connection" always opens
        if verbose:
            err(io, f"{host} ({dotted}) open")
        return 0
    route = client.network.connect(client.pod, f"{host}:{port}", ip, port)
    if route.error == "timeout":
        if wait(sh, wait_s or KERNEL_CONNECT_TIMEOUT):
            return 130
        if verbose:
            err(io, f"nc: {host} ({dotted}): Connection timed out")
        return 1
    if route.error:
        if verbose > 1:
            err(io, f"nc: {host} ({dotted}): Connection refused")
        return 1
    if verbose:
        err(io, f"{host} ({dotted}) open")
    if zero:
        return 0
    return _talk(sh, io, client, route, host, port)


def _talk(sh, io, client, route: Route, host: str, port: int) -> int:
    """Send what stdin holds; an HTTP server answers an HTTP request in it, anything else answers
    nothing (the connection stays open until stdin ends)."""
    data = io.stdin.read(sh.ctx.cancel)
    if route.pod is None:
        return 0
    try:
        parsed, _ = http_wire.parse_request(data)
    except ValueError:
        parsed = None
    if parsed is None:
        return 0
    req = servers.Request(parsed.method, parsed.target, parsed.headers.get("host", host),
                          list(parsed.headers.items()), parsed.body)
    req.client_ip = (client.pod.get("status") or {}).get("podIP", "")
    resp, error = client.network.answer(route.pod, route.port, req)
    if resp is not None:
        head = f"HTTP/1.1 {resp.status} {resp.reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in resp.headers)
        io.out(head.encode() + b"\r\n" + resp.body)
    return 0
