"""`curl` and busybox `wget` in a container's shell, with the texts the real tools print:
connections go through the kubelet's PodNetwork (engine/kubelet/network.py: kube-proxy's choice
of endpoint, the serving pod's image answering, docs/network.md)."""
from __future__ import annotations

import re
import time
import urllib.parse

from .. import servers
from .fs import FsError
from .resolver import NetClient, client_of, err, lookup_blocked, number, resolve, wait

CURL_VERSION = "8.11.1"


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
        if long_name == "--cacert":
            if not inline and i + 1 < len(args):
                i += 1
                inline = args[i]
            values.setdefault("cacert", []).append(inline)
        elif a.startswith("--") and long_name in CURL_LONG:
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
        err(io, f"curl: option {urls}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information")
        return 2
    if not urls:
        err(io, "curl: try 'curl --help' or 'curl --manual' for more information")
        return 2
    silent, show = "s" in flags, "S" in flags or "s" not in flags
    verbose = "v" in flags
    out_file = (values.get("o") or [None])[-1]
    status = 0
    for url in urls:
        status = _curl_one(sh, io, url, flags, values, silent, show, verbose, out_file)
    return status


def _curl_one(sh, io, url, flags, values, silent, show, verbose, out_file) -> int:
    client = client_of(sh)
    scheme, host, port, path = _parse_url(url)
    method = (values.get("X") or [""])[-1]
    data = "&".join(values.get("d") or []) if values.get("d") else None
    if not method:
        method = "HEAD" if "I" in flags else "POST" if data is not None else "GET"
    write_out = (values.get("w") or [""])[-1]
    max_time = number((values.get("m") or [""])[-1]) or number((values.get("C") or [""])[-1])
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
                err(io, f'curl: (1) Protocol "{scheme}" not supported')
            return 1
        blocked = lookup_blocked(sh, host)
        if blocked is not None:
            # a NetworkPolicy drops the pod's DNS queries: libc waits, curl's own timeout
            # (which counts the lookup) may end it first
            waited = min(blocked, max_time) if max_time else blocked
            if wait(sh, waited):
                return 130
            if max_time and max_time < blocked:
                if show:
                    err(io, f"curl: (28) Resolving timed out after {int(waited * 1000) + 1} milliseconds")
                write_out_text(0, "", 0)
                return 28
        found = resolve(sh, host)
        if found is None or client is None:
            if verbose:
                err(io, f"* Could not resolve host: {host}")
            if show:
                err(io, f"curl: (6) Could not resolve host: {host}")
            write_out_text(0, "", 0)
            return 6
        ip = found[0]
        if verbose:
            err(io, f"*   Trying {ip}:{port}...")
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
        host_line = next((v for k, v in headers if k.lower() == "host"), _host_header(host, port))
        req = servers.Request(method, path, host_line, headers, body)
        req.tls = scheme == "https"
        route, resp = client.network.request(client.pod, f"{host}:{port}", ip, port, req)
        if req.tls and resp is not None and not resp.tls:
            if show:
                err(io, "curl: (35) OpenSSL/3.3.2: error:0A00010B:SSL routines::wrong version number")
            return 35
        if resp is not None and resp.tls in ("cluster-ca", "self-signed") and "k" not in flags \
                and not values.get("cacert"):
            if show:
                problem = ("self-signed certificate" if resp.tls == "self-signed"
                           else "unable to get local issuer certificate")
                err(io, f"curl: (60) SSL certificate problem: {problem}\n"
                        "More details here: https://curl.se/docs/sslcerts.html\n\n"
                        "curl failed to verify the legitimacy of the server and therefore could not\n"
                        "establish a secure connection to it. To learn more about this situation and\n"
                        "how to fix it, please visit the webpage mentioned above.")
            return 60
        if resp is None:
            if route.error == "timeout":
                waited = max_time if max_time else 130.0
                if wait(sh, waited):
                    return 130
                if show:
                    err(io, f"curl: (28) Connection timed out after {int(waited * 1000) + 1} milliseconds" if max_time
                         else f"curl: (28) Failed to connect to {host} port {port} after {int(waited * 1000)} ms: "
                              "Couldn't connect to server")
                write_out_text(0, "", 0)
                return 28
            if route.error == "empty":
                if verbose:
                    err(io, f"* Connected to {host} ({ip}) port {port}")
                if show:
                    err(io, "curl: (52) Empty reply from server")
                write_out_text(0, ip, 0)
                return 52
            if verbose:
                err(io, f"* connect to {ip} port {port} from {_own_ip(client)} port 43210 failed: Connection refused\n"
                         f"* Failed to connect to {host} port {port} after 1 ms: Couldn't connect to server\n"
                         f"* closing connection #0")
            if show:
                err(io, f"curl: (7) Failed to connect to {host} port {port} after 1 ms: Couldn't connect to server")
            write_out_text(0, "", 0)
            return 7
        status_line = f"HTTP/1.1 {resp.status} {resp.reason}"
        head_text = status_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in resp.headers) + "\r\n"
        if verbose:
            lines = [f"* Connected to {host} ({ip}) port {port}", "* using HTTP/1.x",
                     f"> {method} {path} HTTP/1.1"] + [f"> {k}: {v}" for k, v in headers] + ["> ", "* Request completely sent off"]
            lines += [f"< {status_line}"] + [f"< {k}: {v}" for k, v in resp.headers] + ["< "]
            err(io, "\n".join(lines))
        location = next((v for k, v in resp.headers if k.lower() == "location"), "")
        if "L" in flags and location and 300 <= resp.status < 400 and redirects < 50:
            redirects += 1
            if verbose:
                err(io, f"* Connection #0 to host {host} left intact\n* Issue another request to this URL: '{location}'")
            # a relative Location (grafana's `/login`, Go's FileServer's `etc/`) is resolved
            # against the URL that answered it, as curl does
            url_effective = urllib.parse.urljoin(url_effective, location)
            scheme, host, port, path = _parse_url(url_effective)
            continue
        if "f" in flags and resp.status >= 400:
            if show:
                err(io, f"curl: (22) The requested URL returned error: {resp.status}")
            write_out_text(resp.status, ip, 0)
            return 22
        payload = (head_text.encode() if ("I" in flags or "i" in flags) else b"") + resp.body
        if out_file and out_file != "-":
            if out_file != "/dev/null":
                try:
                    sh.fs.write(sh.path(out_file), payload)
                except FsError as e:
                    if show:
                        err(io, f"curl: (23) Failure writing output to destination, passed {len(payload)} returned 0"
                             if e.reason else "curl: (23) Failure writing output to destination")
                    return 23
        else:
            io.out(payload)
        if not silent and not verbose and (out_file or not io.terminal):
            n = len(resp.body)
            err(io, "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
                     "                                 Dload  Upload   Total   Spent    Left  Speed\n"
                     f"{100:3d} {n:5d}  {100:3d} {n:5d}    0     0  {n * 1000 // 1024:4d}k      0 --:--:-- --:--:-- --:--:-- "
                     f"{n * 1000 // 1024:4d}k")
        if verbose:
            err(io, f"* Connection #0 to host {host} left intact")
        write_out_text(resp.status, ip, len(resp.body))
        return 0




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
                timeout = number(val)
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
                        timeout = number(val)
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
        err(io, "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\n"
                 "Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n"
                 "\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...")
        return 1
    client = client_of(sh)
    for url in urls:
        scheme, host, port, path = _parse_url(url)
        resp: servers.Response | None = None
        for _ in range(20):
            blocked = lookup_blocked(sh, host) if client is not None else None
            if blocked is not None and wait(sh, blocked):     # DNS dropped by a NetworkPolicy: -T does not cover it
                return 130
            found = resolve(sh, host) if client is not None else None
            if found is None or client is None:
                err(io, f"wget: bad address '{host}'")
                return 1
            ip = found[0]
            if not quiet:
                err(io, f"Connecting to {host} ({ip}:{port})")
            # busybox's wget leaves out its own Host and User-Agent lines when --header gives them
            # (wget_user_headers), as `--header 'Host: shop.example'` through an ingress relies on.
            given = {k.lower() for k, _ in extra}
            headers = [kv for kv in (("Host", _host_header(host, port)), ("User-Agent", agent))
                       if kv[0].lower() not in given] + extra
            body = (post or "").encode()
            if post is not None:
                headers += [("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", str(len(body)))]
            method = "HEAD" if spider else "POST" if post is not None else "GET"
            host_line = next((v for k, v in headers if k.lower() == "host"), _host_header(host, port))
            req = servers.Request(method, path, host_line, headers + [("Connection", "close")], body,
                                  tls=scheme == "https")
            if req.tls and not quiet:
                err(io, "wget: note: TLS certificate validation not implemented")
            route, resp = client.network.request(client.pod, f"{host}:{port}", ip, port, req)
            if req.tls and resp is not None and not resp.tls:
                err(io, "wget: error getting response: Connection reset by peer")
                return 1
            if resp is None:
                if route.error == "timeout":
                    if wait(sh, timeout or 130.0):
                        return 130
                    err(io, "wget: download timed out" if timeout else
                         f"wget: can't connect to remote host ({ip}): Connection timed out")
                    return 1
                if route.error == "empty":
                    err(io, "wget: error getting response: Connection reset by peer")
                    return 1
                err(io, f"wget: can't connect to remote host ({ip}): Connection refused")
                return 1
            if headers_out:
                err(io, f"  HTTP/1.1 {resp.status} {resp.reason}\n" +
                     "".join(f"  {k}: {v}\n" for k, v in resp.headers).rstrip("\n"))
            location = next((v for k, v in resp.headers if k.lower() == "location"), "")
            if 300 <= resp.status < 400 and location:
                scheme, host, port, path = _parse_url(urllib.parse.urljoin(f"{scheme}://{host}:{port}{path}", location))
                continue
            break
        if resp is None:
            return 1
        if resp.status >= 400:
            err(io, f"wget: server returned error: HTTP/1.1 {resp.status} {resp.reason}")
            return 1
        if spider:
            if not quiet:
                err(io, "remote file exists")
            continue
        n = len(resp.body)
        if out_name == "-":
            if not quiet:
                err(io, "writing to stdout")
            io.out(resp.body)
            if not quiet:
                err(io, f"{'-':<20} 100% |{'*' * 32}| {_size(n):>5}  0:00:00 ETA\nwritten to stdout")
            continue
        name = out_name or (path.split("?")[0].rstrip("/").rsplit("/", 1)[-1] if path.split("?")[0] != "/" else "") \
            or "index.html"
        target = sh.path(name)
        if out_name is None and sh.fs.exists(target):
            err(io, f"wget: can't open '{name}': File exists")
            return 1
        try:
            sh.fs.write(target, resp.body)
        except FsError as e:
            err(io, f"wget: can't open '{name}': {e.reason}")
            return 1
        if not quiet:
            err(io, f"saving to '{name}'\n{name[:20]:<20} 100% |{'*' * 32}| {_size(n):>5}  0:00:00 ETA\n'{name}' saved")
    return 0


def _size(n: int) -> str:
    return str(n) if n < 100000 else f"{n // 1024}k"
