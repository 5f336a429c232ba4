"""A second `kubeplay serve --kubeconfig` in front of a first kubeplay server, which plays the
real cluster (its API is the one real clients use): the tests of issue 14's real-cluster mode
(tests/api/test_real_cluster_api.py, tests/browser/test_real_cluster_page.py)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import PAGE_HEADERS, REPO, free_port

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class RemoteKubeplay:
    """`python -m webapp serve --kubeconfig FILE` as a subprocess, its log in root/remote.log."""

    def __init__(self, root: Path, kubeconfig: Path, *args: str):
        root.mkdir(parents=True, exist_ok=True)
        self.root, self.kubeconfig, self.args = root, kubeconfig, args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = root / "remote.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> "RemoteKubeplay":
        env = dict(os.environ, HOME=str(self.root), PYTHONUNBUFFERED="1", NO_PROXY="127.0.0.1,localhost")
        for k in ("KUBECONFIG", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            env.pop(k, None)
        cmd = [sys.executable, "-m", "webapp", "serve", "--port", str(self.port), "--no-browser",
               "--kubeconfig", str(self.kubeconfig), *self.args]
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"kubeplay --kubeconfig exited with {self.proc.returncode}:\n{self.log()}")
            if f"kubeplay is running at {self.url}/" in self.log():
                try:
                    if self.get("/kubeplay/v1/remote").get("synced"):
                        return self
                except (OSError, urllib.error.URLError, ValueError):
                    pass
            if time.monotonic() > deadline:
                raise AssertionError(f"kubeplay --kubeconfig did not sync within {timeout}s:\n{self.log()}")
            time.sleep(0.1)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    # ---- the page's requests ------------------------------------------------------------------------

    def call(self, method: str, path: str, body=None, content_type: str = "application/json",
             headers: dict | None = None) -> tuple[int, object]:
        """(status, parsed JSON body) of a request as the page makes it (its header included)."""
        data = None if body is None else json.dumps(body).encode()
        hdrs = dict(PAGE_HEADERS if headers is None else headers)
        if data is not None:
            hdrs["Content-Type"] = content_type
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=hdrs)
        try:
            with _OPENER.open(req, timeout=30) as r:
                raw = r.read()
                status = r.status
        except urllib.error.HTTPError as e:
            raw, status = e.read(), e.code
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    def get(self, path: str):
        status, body = self.call("GET", path)
        assert status == 200, (status, body)
        return body


# ---- a user who may not list cluster-wide -----------------------------------------------------------
#
# Until RBAC lands in the simulated server every token is admin there, so the refusal comes from a
# small authorizer in front of it: it passes requests on, but answers a list or watch outside the
# namespace `default` with the apiserver's 403 (its Status, word for word). When RBAC merges, a
# namespace-scoped ServiceAccount token against the server itself replaces this stand-in.

FORBIDDEN = ('{kind} is forbidden: User "system:serviceaccount:default:viewer" cannot list resource '
             '"{kind}" in API group "{group}" at the cluster scope')


def _denied(path: str) -> tuple[str, str] | None:
    parts = path.split("?")[0].strip("/").split("/")
    if parts[0] == "api":
        group, rest = "", parts[2:]
    elif parts[0] == "apis" and len(parts) >= 3:
        group, rest = parts[1], parts[3:]
    else:
        return None
    if len(rest) == 1:
        return rest[0], group                        # a cluster-wide collection
    if len(rest) >= 3 and rest[0] == "namespaces" and rest[1] != "default":
        return rest[2], group
    return None


class Authorizer:
    """`with Authorizer(real) as url:` an HTTP server passing requests on to `real` (HTTPS, its
    CA), refusing GETs of collections outside `default` with the apiserver's 403; and a
    kubeconfig for it: `kubeconfig(real, url)`."""

    def __init__(self, real):
        import http.client
        import http.server
        import ssl
        ctx = ssl.create_default_context(cafile=str(real.home / ".kubeplay" / "tls.crt"))
        port = int(real.url.rsplit(":", 1)[1])

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"          # the body ends when the connection does: watches stream

            def log_message(self, *args):
                pass

            def do_GET(self):
                self._pass()

            do_POST = do_PATCH = do_DELETE = do_PUT = do_GET

            def _pass(self):
                denied = _denied(self.path) if self.command == "GET" else None
                if denied:
                    kind, group = denied
                    body = json.dumps({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                       "message": FORBIDDEN.format(kind=kind, group=group), "reason": "Forbidden",
                                       "details": {"group": group, "kind": kind}, "code": 403}).encode()
                    self.send_response(403)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else None
                conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=300)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                try:
                    conn.request(self.command, self.path, body=data, headers=headers)
                    resp = conn.getresponse()
                    self.send_response(resp.status)
                    for k, v in resp.getheaders():
                        if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                            self.send_header(k, v)
                    self.end_headers()
                    while True:
                        chunk = resp.read1(65536)
                        if not chunk:
                            break
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except OSError:
                    pass
                finally:
                    conn.close()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> str:
        import threading
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self.url

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def viewer_kubeconfig(real, url: str, path: Path) -> Path:
    """`real`'s kubeconfig (its token) pointed at the authorizer at `url`."""
    text = real.kubeconfig.read_text()
    path.write_text(re.sub(r"server: \S+\n    certificate-authority-data: \S+\n", f"server: {url}\n", text))
    assert url in path.read_text()
    return path
