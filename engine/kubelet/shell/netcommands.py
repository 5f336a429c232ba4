"""The network utilities of a container's shell: `curl`, busybox `wget`, `nslookup` (busybox's
and bind's output), `getent hosts`, `host`, `ping`. Names resolve as libc does in a pod (the
container's /etc/hosts, then cluster DNS with /etc/resolv.conf's search list and ndots);
connections go through the kubelet's PodNetwork (engine/kubelet/network.py: kube-proxy's
choice of endpoint, the serving pod's image answering). Which image has which utility, and
whose nslookup, is data (engine/data/servers.json `tools`)."""
from __future__ import annotations

import re
import time
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ... import cluster_dns
from .. import servers
from ..images import ImageRef
from .fs import FsError

if TYPE_CHECKING:
    from ..network import PodNetwork

CURL_VERSION = "8.11.1"


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


def _err(io, text: str) -> None:
    io.err((text + "\n").encode())


def _client(sh) -> NetClient | None:
    return getattr(sh.ctx, "network", None)


# ---- names --------------------------------------------------------------------------------------

def _hosts_file(sh) -> list[tuple[str, list[str]]]:
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


def _resolv(sh) -> cluster_dns.ResolvConf:
    try:
        return cluster_dns.parse_resolv_conf(sh.fs.read("/etc/resolv.conf").decode(errors="replace"))
    except FsError:
        return cluster_dns.ResolvConf()


def resolve(sh, name: str) -> tuple[str, str] | None:
    """(address, canonical name) as getaddrinfo finds them, IPv4 only; None: not found."""
    if cluster_dns.is_ip(name):
        return name, name
    for ip, names in _hosts_file(sh):
        if name.lower() in (n.lower() for n in names) and cluster_dns.is_ip(ip):
            return ip, names[0]
    client = _client(sh)
    if client is None or not client.network.dns_up():
        return None
    for cand in cluster_dns.candidates(name, _resolv(sh)):
        ans = client.network.query(cand)
        if ans.addresses:
            return ans.addresses[0], cand
    return None


def _wait(sh, seconds: float) -> bool:
    """Wait as a stuck connection does (real time: Ctrl-C or the client leaving ends it); True
    when interrupted."""
    return bool(sh.ctx.sleep(seconds))


# ---- URLs ---------------------------------------------------------------------------------------

def _parse_url(url: str) -> tuple[str, str, int, str]:
    if "://" not in url:
        url = "http://" + url
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        port = 80
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port, path


def _host_header(host: str, port: int) -> str:
    return host if port == 80 else f"{host}:{port}"


# ---- curl ---------------------------------------------------------------------------------------

CURL_VALUE_SHORT = "omwHXdAuTe"
CURL_LONG = {"--silent": "s", "--show-error": "S", "--fail": "f", "--verbose": "v", "--head": "I",
             "--location": "L", "--include": "i", "--insecure": "k", "--output": "o", "--max-time": "m",
             "--write-out": "w", "--header": "H", "--request": "X", "--data": "d", "--data-raw": "d",
             "--data-binary": "d", "--user-agent": "A", "--connect-timeout": "C", "--fail-with-body": "F"}


def _curl_args(argv):
    flags: set[str] = set()
    values: dict[str, list[str]] = {}
    urls: list[str] = []
    args = argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        long_name, _, inline = a.partition("=")
        if a.startswith("--") and long_name in CURL_LONG:
            ch = CURL_LONG[long_name]
            if ch in CURL_VALUE_SHORT or ch == "C":
                if inline:
                    values.setdefault(ch, []).append(inline)
                elif i + 1 < len(args):
                    i += 1
                    values.setdefault(ch, []).append(args[i])
            else:
                flags.add(ch)
        elif a.startswith("--"):
            return None, None, a
        elif a.startswith("-") and len(a) > 1:
            j = 1
            while j < len(a):
                ch = a[j]
                if ch in CURL_VALUE_SHORT:
                    if j + 1 < len(a):
                        values.setdefault(ch, []).append(a[j + 1:])
                    elif i + 1 < len(args):
                        i += 1
                        values.setdefault(ch, []).append(args[i])
                    break
                flags.add(ch)
                j += 1
        else:
            urls.append(a)
        i += 1
    return flags, values, urls


def curl(sh, argv, io):
    flags, values, urls = _curl_args(argv)
    if flags is None:
        _err(io, f"curl: option {urls}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information")
        return 2
    if not urls:
        _err(io, "curl: try 'curl --help' or 'curl --manual' for more information")
        return 2
    silent, show = "s" in flags, "S" in flags or "s" not in flags
    verbose = "v" in flags
    out_file = (values.get("o") or [None])[-1]
    status = 0
    for url in urls:
        status = _curl_one(sh, io, url, flags, values, silent, show, verbose, out_file)
    return status


def _curl_one(sh, io, url, flags, values, silent, show, verbose, out_file) -> int:
    client = _client(sh)
    scheme, host, port, path = _parse_url(url)
    method = (values.get("X") or [""])[-1]
    data = "&".join(values.get("d") or []) if values.get("d") else None
    if not method:
        method = "HEAD" if "I" in flags else "POST" if data is not None else "GET"
    write_out = (values.get("w") or [""])[-1]
    max_time = _number((values.get("m") or [""])[-1]) or _number((values.get("C") or [""])[-1])
    started = time.monotonic()
    redirects = 0
    url_effective = url if "://" in url else "http://" + url

    def write_out_text(code: int, ip: str, size: int) -> None:
        if not write_out:
            return
        text = write_out.replace("\\n", "\n").replace("\\t", "\t")
        fields = {"http_code": f"{code:03d}", "response_code": f"{code:03d}", "remote_ip": ip, "remote_port": str(port),
                  "size_download": str(size), "url_effective": url_effective,
                  "time_total": f"{time.monotonic() - started:.6f}", "content_type": ""}
        text = re.sub(r"%\{(\w+)\}", lambda m: fields.get(m.group(1), ""), text)
        io.out(text.encode())

    while True:
        if scheme not in ("http", "https"):
            if show:
                _err(io, f'curl: (1) Protocol "{scheme}" not supported')
            return 1
        found = resolve(sh, host)
        if found is None or client is None:
            if verbose:
                _err(io, f"* Could not resolve host: {host}")
            if show:
                _err(io, f"curl: (6) Could not resolve host: {host}")
            write_out_text(0, "", 0)
            return 6
        ip = found[0]
        if verbose:
            _err(io, f"*   Trying {ip}:{port}...")
        headers = [("Host", _host_header(host, port)), ("User-Agent", (values.get("A") or [f"curl/{CURL_VERSION}"])[-1]),
                   ("Accept", "*/*")]
        for h in values.get("H") or ():
            name, _, val = h.partition(":")
            headers = [kv for kv in headers if kv[0].lower() != name.strip().lower()]
            if val.strip():
                headers.append((name.strip(), val.strip()))
        body = (data or "").encode()
        if data is not None:
            headers.append(("Content-Length", str(len(body))))
            if not any(k.lower() == "content-type" for k, _ in headers):
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        req = servers.Request(method, path, _host_header(host, port), headers, body)
        if scheme == "https":
            route, resp = client.network.request(client.pod, f"{host}:{port}", ip, port, req)
            if resp is not None:
                if show:
                    _err(io, "curl: (35) OpenSSL/3.3.2: error:0A00010B:SSL routines::wrong version number")
                return 35
        else:
            route, resp = client.network.request(client.pod, f"{host}:{port}", ip, port, req)
        if resp is None:
            if route.error == "timeout":
                waited = max_time if max_time else 130.0
                if _wait(sh, waited):
                    return 130
                if show:
                    _err(io, f"curl: (28) Connection timed out after {int(waited * 1000) + 1} milliseconds" if max_time
                         else f"curl: (28) Failed to connect to {host} port {port} after {int(waited * 1000)} ms: "
                              "Couldn't connect to server")
                write_out_text(0, "", 0)
                return 28
            if route.error == "empty":
                if verbose:
                    _err(io, f"* Connected to {host} ({ip}) port {port}")
                if show:
                    _err(io, "curl: (52) Empty reply from server")
                write_out_text(0, ip, 0)
                return 52
            if verbose:
                _err(io, f"* connect to {ip} port {port} from {_own_ip(client)} port 43210 failed: Connection refused\n"
                         f"* Failed to connect to {host} port {port} after 1 ms: Couldn't connect to server\n"
                         f"* closing connection #0")
            if show:
                _err(io, f"curl: (7) Failed to connect to {host} port {port} after 1 ms: Couldn't connect to server")
            write_out_text(0, "", 0)
            return 7
        status_line = f"HTTP/1.1 {resp.status} {resp.reason}"
        head_text = status_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in resp.headers) + "\r\n"
        if verbose:
            lines = [f"* Connected to {host} ({ip}) port {port}", "* using HTTP/1.x",
                     f"> {method} {path} HTTP/1.1"] + [f"> {k}: {v}" for k, v in headers] + ["> ", "* Request completely sent off"]
            lines += [f"< {status_line}"] + [f"< {k}: {v}" for k, v in resp.headers] + ["< "]
            _err(io, "\n".join(lines))
        location = next((v for k, v in resp.headers if k.lower() == "location"), "")
        if "L" in flags and location and 300 <= resp.status < 400 and redirects < 50:
            redirects += 1
            if verbose:
                _err(io, f"* Connection #0 to host {host} left intact\n* Issue another request to this URL: '{location}'")
            url_effective = location
            scheme, host, port, path = _parse_url(location)
            continue
        if "f" in flags and resp.status >= 400:
            if show:
                _err(io, f"curl: (22) The requested URL returned error: {resp.status}")
            write_out_text(resp.status, ip, 0)
            return 22
        payload = (head_text.encode() if ("I" in flags or "i" in flags) else b"") + resp.body
        if out_file and out_file != "-":
            if out_file != "/dev/null":
                try:
                    sh.fs.write(sh.path(out_file), payload)
                except FsError as e:
                    if show:
                        _err(io, f"curl: (23) Failure writing output to destination, passed {len(payload)} returned 0"
                             if e.reason else "curl: (23) Failure writing output to destination")
                    return 23
        else:
            io.out(payload)
        if not silent and not verbose and (out_file or not io.terminal):
            n = len(resp.body)
            _err(io, "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
                     "                                 Dload  Upload   Total   Spent    Left  Speed\n"
                     f"{100:3d} {n:5d}  {100:3d} {n:5d}    0     0  {n * 1000 // 1024:4d}k      0 --:--:-- --:--:-- --:--:-- "
                     f"{n * 1000 // 1024:4d}k")
        if verbose:
            _err(io, f"* Connection #0 to host {host} left intact")
        write_out_text(resp.status, ip, len(resp.body))
        return 0


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def _own_ip(client: NetClient) -> str:
    return (client.pod.get("status") or {}).get("podIP", "")


# ---- wget (busybox) -----------------------------------------------------------------------------

def wget(sh, argv, io):
    quiet, headers_out, spider = False, False, False
    out_name: str | None = None
    timeout = 0.0
    extra: list[tuple[str, str]] = []
    post: str | None = None
    agent = "Wget"
    urls = []
    args = argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            name, _, val = a.partition("=")
            if name in ("--header", "--post-data", "--user-agent", "--output-document", "--timeout") and not val \
                    and i + 1 < len(args):
                i += 1
                val = args[i]
            if name == "--quiet":
                quiet = True
            elif name == "--spider":
                spider = True
            elif name == "--server-response":
                headers_out = True
            elif name == "--header":
                k, _, v = val.partition(":")
                extra.append((k.strip(), v.strip()))
            elif name == "--post-data":
                post = val
            elif name == "--user-agent":
                agent = val
            elif name == "--output-document":
                out_name = val
            elif name == "--timeout":
                timeout = _number(val)
        elif a.startswith("-") and len(a) > 1:
            j = 1
            while j < len(a):
                ch = a[j]
                if ch in "OTUY":
                    val = a[j + 1:] if j + 1 < len(a) else (args[i + 1] if i + 1 < len(args) else "")
                    if j + 1 >= len(a):
                        i += 1
                    if ch == "O":
                        out_name = val
                    elif ch == "T":
                        timeout = _number(val)
                    elif ch == "U":
                        agent = val
                    break
                if ch == "q":
                    quiet = True
                elif ch == "S":
                    headers_out = True
                j += 1
        else:
            urls.append(a)
        i += 1
    if not urls:
        _err(io, "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\n"
                 "Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n"
                 "\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...")
        return 1
    client = _client(sh)
    for url in urls:
        scheme, host, port, path = _parse_url(url)
        resp: servers.Response | None = None
        for _ in range(20):
            found = resolve(sh, host) if client is not None else None
            if found is None or client is None:
                _err(io, f"wget: bad address '{host}'")
                return 1
            ip = found[0]
            if not quiet:
                _err(io, f"Connecting to {host} ({ip}:{port})")
            headers = [("Host", _host_header(host, port)), ("User-Agent", agent)] + extra
            body = (post or "").encode()
            if post is not None:
                headers += [("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", str(len(body)))]
            method = "HEAD" if spider else "POST" if post is not None else "GET"
            req = servers.Request(method, path, _host_header(host, port), headers + [("Connection", "close")], body)
            route, resp = client.network.request(client.pod, f"{host}:{port}", ip, port, req)
            if resp is None:
                if route.error == "timeout":
                    if _wait(sh, timeout or 130.0):
                        return 130
                    _err(io, "wget: download timed out" if timeout else
                         f"wget: can't connect to remote host ({ip}): Connection timed out")
                    return 1
                if route.error == "empty":
                    _err(io, "wget: error getting response: Connection reset by peer")
                    return 1
                _err(io, f"wget: can't connect to remote host ({ip}): Connection refused")
                return 1
            if headers_out:
                _err(io, f"  HTTP/1.1 {resp.status} {resp.reason}\n" +
                     "".join(f"  {k}: {v}\n" for k, v in resp.headers).rstrip("\n"))
            location = next((v for k, v in resp.headers if k.lower() == "location"), "")
            if 300 <= resp.status < 400 and location:
                scheme, host, port, path = _parse_url(location if "://" in location else f"http://{host}:{port}{location}")
                continue
            break
        if resp is None:
            return 1
        if resp.status >= 400:
            _err(io, f"wget: server returned error: HTTP/1.1 {resp.status} {resp.reason}")
            return 1
        if spider:
            if not quiet:
                _err(io, "remote file exists")
            continue
        n = len(resp.body)
        if out_name == "-":
            if not quiet:
                _err(io, "writing to stdout")
            io.out(resp.body)
            if not quiet:
                _err(io, f"{'-':<20} 100% |{'*' * 32}| {_size(n):>5}  0:00:00 ETA\nwritten to stdout")
            continue
        name = out_name or (path.split("?")[0].rstrip("/").rsplit("/", 1)[-1] if path.split("?")[0] != "/" else "") \
            or "index.html"
        target = sh.path(name)
        if out_name is None and sh.fs.exists(target):
            _err(io, f"wget: can't open '{name}': File exists")
            return 1
        try:
            sh.fs.write(target, resp.body)
        except FsError as e:
            _err(io, f"wget: can't open '{name}': {e.reason}")
            return 1
        if not quiet:
            _err(io, f"saving to '{name}'\n{name[:20]:<20} 100% |{'*' * 32}| {_size(n):>5}  0:00:00 ETA\n'{name}' saved")
    return 0


def _size(n: int) -> str:
    return str(n) if n < 100000 else f"{n // 1024}k"


# ---- DNS tools ----------------------------------------------------------------------------------

def _no_servers(io, bind: bool) -> int:
    io.out(b";; connection timed out; no servers could be reached\n\n")
    return 1


def nslookup(sh, argv, io):
    client = _client(sh)
    args = [a for a in argv[1:] if not a.startswith("-")]
    if not args:
        _err(io, "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\n"
                 "Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]")
        return 1
    name = args[0]
    conf = _resolv(sh)
    server = args[1] if len(args) > 1 else conf.nameserver
    flavour = _nslookup_flavour(client)
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
            _err(io, f"nslookup: can't resolve '{name}'")
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
        _err(io, "Usage: getent [OPTION...] database [key ...]")
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
        _err(io, f"Unknown database: {argv[1]}\nTry `getent --help' or `getent --usage' for more information.")
        return 1
    if len(argv) < 3:
        io.out("".join(f"{ip:<15} {' '.join(names)}\n" for ip, names in _hosts_file(sh)).encode())
        return 0
    status = 0
    for name in argv[2:]:
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
        _err(io, "Usage: host [-aCdilrTvVw] [-c class] [-N ndots] [-t type] [-W time]\n"
                 "            [-R number] [-m flag] [-p port] hostname [server]")
        return 1
    client = _client(sh)
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
    for cand in cluster_dns.candidates(name, _resolv(sh)):
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
                count = int(_number(args[i + 1]))
            i += 2
            continue
        if a.startswith("-c") and a[2:].isdigit():
            count = int(a[2:])
        elif not a.startswith("-"):
            names.append(a)
        i += 1
    if not names:
        _err(io, "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: ping [OPTIONS] HOST")
        return 1
    client = _client(sh)
    name = names[0]
    found = resolve(sh, name) if client is not None else None
    if found is None or client is None:
        _err(io, f"ping: bad address '{name}'")
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
        if (count is None or sent < count) and _wait(sh, 1.0):
            interrupted = True
            break
    if not received and not interrupted:
        _wait(sh, 10.0)     # busybox waits for a late reply after the last packet (a ClusterIP never answers)
    loss = 100 * (sent - received) // max(sent, 1)
    text = f"\n--- {name} ping statistics ---\n{sent} packets transmitted, {received} packets received, {loss}% packet loss\n"
    if received:
        text += "round-trip min/avg/max = 0.061/0.087/0.113 ms\n"
    io.out(text.encode())
    return 0 if received else 1


NET_COMMANDS = {"curl": curl, "wget": wget, "nslookup": nslookup, "getent": getent, "host": host, "ping": ping}
