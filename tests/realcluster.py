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
# The "real" server enforces RBAC: a ServiceAccount bound to `view` in one namespace only, its token
# in a kubeconfig that otherwise is the server's (HTTPS, its CA), is refused lists at the cluster
# scope with the apiserver's 403 — the text below, word for word.

FORBIDDEN = ('{kind} is forbidden: User "system:serviceaccount:default:viewer" cannot list resource '
             '"{kind}" in API group "{group}" at the cluster scope')


def viewer_kubeconfig(real, path: Path, namespace: str = "default", name: str = "viewer") -> tuple[Path, str]:
    """(kubeconfig, token) of ServiceAccount `namespace/name` bound to ClusterRole `view` by a
    RoleBinding in `namespace` only: `real`'s kubeconfig (server, CA) with that token as its user's."""
    real.kubectl("create", "serviceaccount", name, "-n", namespace)
    real.kubectl("create", "rolebinding", f"{name}-view", "--clusterrole=view",
                 f"--serviceaccount={namespace}:{name}", "-n", namespace)
    token = real.kubectl("create", "token", name, "-n", namespace).stdout.strip()
    text = real.kubeconfig.read_text()
    new, count = re.subn(r"user: \{token: \S+\}", lambda m: "user: {token: " + json.dumps(token) + "}", text)
    assert count == 1 and "certificate-authority-data: " in new, text
    path.write_text(new)
    return path, token
