"""`kubectl exec`, `kubectl cp` and `kubectl attach` with both kubectl versions, over the
WebSocket streaming protocol (v5.channel.k8s.io) they speak by default: output, exit codes,
stdin, an interactive `-it` shell driven through a pseudo-terminal, copies both ways, a file
gone when the Deployment replaces its pod, the refusals (no shell in the image, a container not
running, SPDY-only clients, a page of another site)."""
from __future__ import annotations

import fcntl
import http.client
import os
import pty
import select
import struct
import termios
import time

import pytest

WEB = "nginx:1.27"


def _run_pod(kube, name, image, *command):
    args = ["run", name, f"--image={image}"]
    if command:
        args += ["--", *command]
    kube(*args)


def _ready(kube, *names):
    def check():
        for n in names:
            assert kube.is_running_ready(kube.pod(n)), f"{n} not ready"
        return True
    kube.server.wait_until(check, 40, message=f"{names} running")


@pytest.fixture
def web(kube_ns):
    _run_pod(kube_ns, "web", WEB)
    _run_pod(kube_ns, "box", "busybox:1.36", "sleep", "3600")
    _ready(kube_ns, "web", "box")
    return kube_ns


def test_exec_prints_output_over_websockets(web):
    cp = web("exec", "-v=6", "web", "--", "echo", "hi")
    assert cp.stdout == "hi\n"
    # the upgrade to WebSocket succeeded (no SPDY fallback)
    assert "101 Switching Protocols" in cp.stderr and "v5.channel.k8s.io" in cp.stderr
    assert "fallback" not in cp.stderr.lower()
    assert web("exec", "box", "--", "sh", "-c", "echo $HOSTNAME; ls /tmp | wc -l").stdout == "box\n0\n"


def test_exec_exit_codes(web):
    cp = web("exec", "web", "--", "sh", "-c", "exit 3", check=False)
    assert (cp.returncode, cp.stdout, cp.stderr) == (3, "", "command terminated with exit code 3\n")
    cp = web("exec", "box", "--", "sh", "-c", "nosuch", check=False)
    assert (cp.returncode, cp.stderr) == (127, "sh: nosuch: not found\ncommand terminated with exit code 127\n")
    cp = web("exec", "web", "--", "nosuch", check=False)
    assert cp.returncode == 1
    assert cp.stderr.startswith("error: Internal error occurred: error executing command in container: "
                                "failed to exec in container: failed to start exec")
    assert cp.stderr.endswith('exec: "nosuch": executable file not found in $PATH: unknown\n')


def test_exec_with_stdin_piped(web):
    cp = web("exec", "-i", "web", "--", "sh", "-c", "cat > /tmp/in; wc -l < /tmp/in; head -1 /tmp/in",
             input="first line\nsecond\n")
    assert cp.stdout == "2\nfirst line\n"
    # a shell reading its script from stdin
    assert web("exec", "-i", "box", "--", "sh", input="X=4\necho x$X\nexit 2\n", check=False).returncode == 2


def _pty_kubectl(kube, *args):
    argv = kube.server.kubectl_argv(args) if hasattr(kube.server, "kubectl_argv") else None
    pid, fd = pty.fork()
    if pid == 0:                                  # the child: kubectl on an 80x24 terminal
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.execvpe(argv[0], argv, kube.server.env())
    return pid, fd


def _read_until(fd, buf: bytearray, marker: bytes, timeout: float = 20) -> bytes:
    deadline = time.monotonic() + timeout
    while marker not in buf:
        if time.monotonic() > deadline:
            raise AssertionError(f"{marker!r} not seen; terminal so far: {bytes(buf)!r}")
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            buf.extend(data)
    return bytes(buf)


def _wait_exit(pid: int, timeout: float = 20) -> int:
    """The child's exit code; a kubectl that does not exit is killed and fails the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.1)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    raise AssertionError(f"kubectl did not exit within {timeout}s")


def test_exec_it_gives_an_interactive_shell(web):
    pid, fd = _pty_kubectl(web, "exec", "-it", "box", "--", "sh")
    buf = bytearray()
    try:
        _read_until(fd, buf, b"/ # ")
        os.write(fd, b"ls /\r")
        _read_until(fd, buf, b"var\r\n/ # ")
        os.write(fd, b"exit\r")
        status = _wait_exit(pid)
    finally:
        os.close(fd)
    assert status == 0
    text = bytes(buf).decode()
    # ls on a terminal lays names out in columns (busybox: all as wide as the longest)
    assert ("/ # ls /\r\nbin    etc    lib    proc   sys    usr\r\n"
            "dev    home   lib64  root   tmp    var\r\n/ # ") in text


def test_cp_into_a_pod_and_back(web, tmp_path):
    local = tmp_path / "note.txt"
    local.write_text("from the laptop\n")
    web("cp", str(local), "web:/tmp/note.txt")
    assert web("exec", "web", "--", "cat", "/tmp/note.txt").stdout == "from the laptop\n"
    web("exec", "web", "--", "sh", "-c", "echo changed >> /tmp/note.txt")
    back = tmp_path / "back.txt"
    web("cp", "web:/tmp/note.txt", str(back))
    assert back.read_text() == "from the laptop\nchanged\n"
    web("cp", "web:/usr/share/nginx/html", str(tmp_path / "html"))
    assert "Welcome to nginx!" in (tmp_path / "html" / "index.html").read_text()


def test_a_file_written_by_exec_is_gone_when_the_deployment_replaces_the_pod(kube_ns):
    kube = kube_ns
    kube("create", "deployment", "site", f"--image={WEB}")
    [first] = kube.wait_running("app=site", 1)
    kube("exec", first, "--", "sh", "-c", "echo mine > /usr/share/nginx/html/mine.html")
    assert kube("exec", first, "--", "cat", "/usr/share/nginx/html/mine.html").stdout == "mine\n"
    kube("delete", "pod", first, "--wait=false")
    def replaced():
        names = [p["metadata"]["name"] for p in kube.pods("app=site") if kube.is_running_ready(p)]
        assert names and first not in names, names
        return names[0]
    second = kube.server.wait_until(replaced, 40, message="a new pod")
    cp = kube("exec", second, "--", "cat", "/usr/share/nginx/html/mine.html", check=False)
    assert cp.returncode == 1
    assert cp.stderr == ("cat: /usr/share/nginx/html/mine.html: No such file or directory\n"
                         "command terminated with exit code 1\n")


def test_images_without_a_shell_and_containers_not_running(kube_ns):
    kube = kube_ns
    _run_pod(kube, "pause", "registry.k8s.io/pause:3.10")
    _run_pod(kube, "typo", "nginx:1.27typo")
    _ready(kube, "pause")
    cp = kube("exec", "pause", "--", "sh", check=False)
    assert cp.returncode == 1 and cp.stderr.endswith(
        'OCI runtime exec failed: exec failed: unable to start container process: '
        'exec: "sh": executable file not found in $PATH: unknown\n'), cp.stderr
    kube.server.wait_until(lambda: kube.pod("typo")["spec"].get("nodeName"), 20, message="typo scheduled")
    cp = kube("exec", "typo", "--", "ls", check=False)
    assert (cp.returncode, cp.stderr) == (1, 'error: unable to upgrade connection: container not found ("typo")\n')
    cp = kube("exec", "ghost", "--", "ls", check=False)
    assert (cp.returncode, cp.stderr) == (1, 'Error from server (NotFound): pods "ghost" not found\n')


def test_a_spdy_only_client_gets_a_clear_error_not_a_hang(kube_shared):
    kube = kube_shared
    _run_pod(kube, "web", WEB)
    _ready(kube, "web")
    cp = kube("exec", "web", "--", "echo", "hi", check=False, timeout=20,
              env={"KUBECTL_REMOTE_COMMAND_WEBSOCKETS": "false"})
    assert cp.returncode == 1
    assert cp.stderr.startswith("Error from server (BadRequest): kubeplay serves exec, attach and cp only over "
                                "WebSockets (v5.channel.k8s.io)"), cp.stderr


def test_attach_follows_the_main_process_output(kube_shared):
    kube = kube_shared
    _run_pod(kube, "ticker", "busybox:1.36", "sh", "-c", "while true; do echo tick; sleep 1; done")
    _ready(kube, "ticker")
    proc = kube.server.kubectl_popen("attach", "ticker")
    seen = bytearray()
    try:
        _read_until(proc.stdout.fileno(), seen, b"tick\n")
    finally:
        proc.terminate()
        proc.wait(10)
    assert bytes(seen).startswith(b"tick\n")


def _raw_get(kube, path: str, headers: dict) -> tuple[int, bytes]:
    host, port = kube.server.url.split("//")[1].rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


HANDSHAKE = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
             "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol": "v5.channel.k8s.io"}


def test_a_websocket_from_another_site_is_refused(kube_shared):
    kube = kube_shared
    _run_pod(kube, "web", WEB)
    _ready(kube, "web")
    status, body = _raw_get(kube, f"/api/v1/namespaces/{kube.ns}/pods/web/exec?command=ls&stdout=true",
                            dict(HANDSHAKE, Origin="http://evil.example"))
    assert status == 403 and b'origin \\"http://evil.example\\" are refused' in body


def test_broken_upgrades_get_a_status_not_a_500(kube_shared):
    kube = kube_shared
    _run_pod(kube, "web", WEB)
    _ready(kube, "web")
    path = f"/api/v1/namespaces/{kube.ns}/pods/web/exec?command=ls&stdout=true"
    for headers, message in (
            ({}, "Upgrade request required"),
            (dict(HANDSHAKE, Connection="keep-alive"), "'upgrade' token not found in 'Connection' header"),
            (dict(HANDSHAKE, **{"Sec-WebSocket-Version": "8"}), "unsupported version: 13 not found"),
            (dict(HANDSHAKE, **{"Sec-WebSocket-Key": "short"}), "'Sec-WebSocket-Key' header must be Base64")):
        status, body = _raw_get(kube, path, headers)
        assert status == 400 and message.encode() in body, (headers, body)
    status, body = _raw_get(kube, f"/api/v1/namespaces/{kube.ns}/pods/web/exec?stdout=true", HANDSHAKE)
    assert status == 400 and b"you must specify at least one command for the container" in body


def test_run_it_rm_gives_a_shell_and_removes_the_pod_after_exit(kube_ns):
    kube = kube_ns
    pid, fd = _pty_kubectl(kube, "run", "-it", "--rm", "dbg", "--image=busybox:1.36", "--restart=Never", "--", "sh")
    buf = bytearray()
    try:
        _read_until(fd, buf, b"/ # ", timeout=40)
        os.write(fd, b"hostname\r")
        _read_until(fd, buf, b"dbg\r\n/ # ")
        os.write(fd, b"exit\r")
        _read_until(fd, buf, b'pod "dbg" deleted', timeout=40)
        status = _wait_exit(pid, 40)
    finally:
        os.close(fd)
    assert status == 0
    assert "If you don't see a command prompt, try pressing enter." in bytes(buf).decode()
