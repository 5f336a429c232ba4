"""`kubectl port-forward` with both kubectl versions: pod/, deployment/ and service/ targets, the
local port answered over HTTP (urllib) by the pod's nginx — its index.html, as changed by exec —
many connections through one port-forward, a port nothing listens on (kubectl's error and exit),
the SPDY path older clients use, Ctrl-C ending kubectl cleanly, and the server's refusals."""
from __future__ import annotations

import http.client
import queue
import re
import signal
import subprocess
import threading
import urllib.error
import urllib.request

import pytest

WEB = "nginx:1.27"
FORWARDING = re.compile(r"^Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)$")
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Forward:
    """A running `kubectl port-forward`: its local port, its output so far, and how it ended."""

    def __init__(self, kube, *args, env: dict | None = None):
        self.kube = kube
        argv = kube.server.kubectl_argv(["--request-timeout=0", "port-forward", *args])
        self.proc = subprocess.Popen(argv, env=dict(kube.server.env(), **(env or {})), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self.pumps = [threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout, True), daemon=True),
                      threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr, False), daemon=True)]
        for t in self.pumps:
            t.start()
        self.local, self.remote = self._forwarding()

    def _pump(self, stream, sink, lines):
        for line in stream:
            sink.append(line)
            if lines:
                self.lines.put(line.rstrip("\n"))

    def _forwarding(self) -> tuple[int, int]:
        while True:
            try:
                line = self.lines.get(timeout=30)
            except queue.Empty:
                self.stop()
                raise AssertionError(f"no Forwarding line; stderr: {''.join(self.stderr)}") from None
            m = FORWARDING.match(line)
            if m:
                return int(m.group(1)), int(m.group(2))

    def get(self, path: str = "/") -> tuple[int, str, dict]:
        with NO_PROXY.open(f"http://127.0.0.1:{self.local}{path}", timeout=15) as r:
            return r.status, r.read().decode(), dict(r.headers)

    def get_error(self, path: str = "/") -> int:
        try:
            self.get(path)
        except urllib.error.HTTPError as e:
            return e.code
        raise AssertionError(f"{path} answered 2xx")

    def wait(self, timeout: float = 30) -> int:
        rc = self.proc.wait(timeout=timeout)
        self._drained()
        return rc

    def _drained(self) -> None:
        """kubectl has exited: read its output to the end and close the pipes."""
        for t in self.pumps:
            t.join(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()

    def stop(self) -> int:
        """Ctrl-C, as a learner ends it."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.wait()
            raise AssertionError("kubectl port-forward did not end on SIGINT") from None

    @property
    def err(self) -> str:
        return "".join(self.stderr)


def _upgraded(log: str, verb: str) -> bool:
    """Whether kubectl's -v=6 log shows an upgrade of pods/web/portforward by `verb` (1.32's
    plain line and 1.37's structured one)."""
    return bool(re.search(rf"{verb} http://\S+/pods/web/portforward 101 Switching Protocols", log)
                or re.search(rf'verb="{verb}" url="http://\S+/pods/web/portforward" status="101 Switching Protocols"', log))


def _ready(kube, *names):
    def check():
        for n in names:
            assert kube.is_running_ready(kube.pod(n)), f"{n} not ready"
        return True
    kube.server.wait_until(check, 40, message=f"{names} running")


@pytest.fixture
def web(kube_ns):
    kube_ns("run", "web", f"--image={WEB}")
    _ready(kube_ns, "web")
    return kube_ns


def test_pod_port_forward_serves_the_pods_nginx(web):
    fw = Forward(web, "-v=6", "pod/web", "0:80")
    try:
        assert fw.remote == 80
        status, body, headers = fw.get("/")
        assert status == 200 and "<title>Welcome to nginx!</title>" in body
        assert headers["Server"] == "nginx/1.27.3" and headers["Content-Type"] == "text/html"
        assert fw.get_error("/nosuch.html") == 404
        # the container's own file: what exec writes is what nginx serves
        web("exec", "web", "--", "sh", "-c", "echo hello from exec > /usr/share/nginx/html/index.html")
        assert fw.get("/")[1] == "hello from exec\n"
        # many connections, one after another, through the one port-forward
        for i in range(25):
            assert fw.get(f"/?n={i}")[1] == "hello from exec\n"
    finally:
        rc = fw.stop()
    assert rc == 0, fw.err
    out = "".join(fw.stdout)
    assert out.count(f"Handling connection for {fw.local}\n") == 28
    # kubectl ≥ 1.31 tunnels SPDY in a WebSocket (GET ... 101), no fallback to a SPDY POST
    assert _upgraded(fw.err, "GET") and not _upgraded(fw.err, "POST")


def test_keep_alive_and_concurrent_connections(web):
    # as a browser uses it: several requests on one connection, several connections at once
    fw = Forward(web, "pod/web", "0:80")
    try:
        conns = [http.client.HTTPConnection("127.0.0.1", fw.local, timeout=15) for _ in range(3)]
        for round_ in range(4):
            for c in conns:
                c.request("GET", f"/?round={round_}")
            for c in conns:
                r = c.getresponse()
                assert (r.status, r.getheader("Connection")) == (200, "keep-alive")
                assert b"Welcome to nginx!" in r.read()
        for c in conns:
            c.close()
    finally:
        assert fw.stop() == 0, fw.err
    assert "".join(fw.stdout).count("Handling connection for") == 3


def test_deployment_and_service_forward_to_a_pod(kube_ns):
    kube_ns("create", "deployment", "web", f"--image={WEB}")
    kube_ns("expose", "deployment", "web", "--port=8080", "--target-port=80")
    kube_ns.wait_running("app=web", 1)
    fw = Forward(kube_ns, "deployment/web", "0:80")
    try:
        assert fw.remote == 80
        assert "Welcome to nginx!" in fw.get("/")[1]
    finally:
        assert fw.stop() == 0, fw.err
    # a Service's port is resolved by kubectl to its pod's target port
    fw = Forward(kube_ns, "service/web", "0:8080")
    try:
        assert fw.remote == 80
        for _ in range(3):
            assert "Welcome to nginx!" in fw.get("/")[1]
    finally:
        assert fw.stop() == 0, fw.err


def test_a_port_nothing_listens_on(web):
    fw = Forward(web, "pod/web", "0:81")
    assert fw.remote == 81
    with pytest.raises((urllib.error.URLError, http.client.HTTPException, ConnectionError)):
        fw.get("/")
    assert fw.wait() == 1
    err = fw.err
    # the kubelet's text on the error stream (containerd's dial error inside), as kubectl prints it:
    # 1.32 `an error occurred forwarding L -> 81: <text>`, 1.37 a structured line with the ports
    text = (r"error forwarding port 81 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace "
            r"\\\"/var/run/netns/cni-[0-9a-f-]{36}\\\": failed to connect to localhost:81 inside namespace "
            r"\\\"[0-9a-f]{64}\\\", IPv4: dial tcp4 127\.0\.0\.1:81: connect: connection refused IPv6 dial tcp6 "
            r"\[::1\]:81: connect: connection refused ")
    if web.version == "1.32":
        assert re.search(rf"an error occurred forwarding {fw.local} -> 81: {text}", err), err
    else:
        assert re.search(rf'"An error occurred forwarding" err="{text}" localPort={fw.local} remotePort=81', err), err
    assert err.endswith("error: lost connection to pod\n")


def test_the_spdy_upgrade_older_clients_use(web):
    fw = Forward(web, "-v=6", "pod/web", "0:80", env={"KUBECTL_PORT_FORWARD_WEBSOCKETS": "false"})
    try:
        for _ in range(3):
            assert "Welcome to nginx!" in fw.get("/")[1]
        assert fw.get_error("/missing") == 404
    finally:
        assert fw.stop() == 0, fw.err
    assert _upgraded(fw.err, "POST") and not _upgraded(fw.err, "GET")


def test_a_pod_that_is_not_running(kube_ns):
    kube_ns("run", "stuck", f"--image={WEB}", "--overrides",
            '{"spec": {"nodeSelector": {"kubernetes.io/hostname": "no-such-node"}}}')
    cp = kube_ns("port-forward", "pod/stuck", "0:80", check=False)
    assert (cp.returncode, cp.stderr) == (1, "error: unable to forward port because pod is not running. "
                                             "Current status=Pending\n")


def test_the_servers_refusals(kube_shared):
    kube = kube_shared
    kube("run", "stuck", f"--image={WEB}", "--overrides",
         '{"spec": {"nodeSelector": {"kubernetes.io/hostname": "no-such-node"}}}')
    host, port = kube.server.url.removeprefix("http://").split(":")

    def post(name, headers):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("POST", f"/api/v1/namespaces/{kube.ns}/pods/{name}/portforward", headers=headers)
        r = conn.getresponse()
        body = r.read().decode()
        conn.close()
        return r.status, body

    spdy = {"Connection": "Upgrade", "Upgrade": "SPDY/3.1", "X-Stream-Protocol-Version": "portforward.k8s.io"}
    status, body = post("nosuch", spdy)
    assert status == 404 and '"message":"pods \\"nosuch\\" not found"' in body.replace(": ", ":")
    status, body = post("stuck", spdy)
    assert status == 400 and "pod stuck does not have a host assigned" in body
    status, body = post("stuck", {})
    assert status == 400 and "Upgrade request required" in body
    # a page of another site cannot open a port-forward (webapp/guard.py's Origin rule)
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", f"/api/v1/namespaces/{kube.ns}/pods/stuck/portforward",
                 headers={"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                          "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Origin": "http://evil.example",
                          "Sec-WebSocket-Protocol": "SPDY/3.1+portforward.k8s.io"})
    r = conn.getresponse()
    assert r.status == 403 and b'requests from origin \\"http://evil.example\\" are refused' in r.read()
    conn.close()
    # nor a page that rebinds its own name to this machine (the Host allow-list), SPDY or WebSocket
    status, body = post("stuck", {**spdy, "Host": f"rebound.example:{port}"})
    assert status == 403 and 'host \\"rebound.example:' in body
