"""The commands a learner meets first, run with both kubectl versions (the `kube_ns` fixture:
/usr/bin/kubectl picking 1.32, and the newest from PyPI, 1.37) on one shared server per module,
a namespace per test. kubectl >= 1.35 waits through streaming lists (WatchList): before the
server sent the initial-events-end bookmark, `delete`, `wait` and `rollout status` hung there.
Also `kubectl debug` (ephemeral containers), describe of a gRPC-probed pod, and `logs -f` /
`--previous` (issue 8 items 1, 2, 6, 7)."""
from __future__ import annotations

import os
import re
import time

from watchlines import WatchLines

STREAMING_LIST = "sendInitialEvents=true"


def web(kube, replicas=2, image="nginx") -> list[str]:
    out = kube("create", "deployment", "web", f"--image={image}", f"--replicas={replicas}")
    assert out.stdout == "deployment.apps/web created\n", out.stdout + out.stderr
    names = kube.wait_running("app=web", replicas)
    kube.wait_rolled_out("web")
    return names


def assert_streamed(kube, stderr: str) -> None:
    """With -v=6: 1.37 used a streaming list (the path that used to hang), 1.32 list+watch."""
    lines = [ln for ln in stderr.splitlines() if "watch=true" in ln]
    assert lines, stderr
    assert any(STREAMING_LIST in ln for ln in lines) == kube.new, lines


def test_the_seed_journey_apply_break_heal_change(kube_ns):
    kube = kube_ns
    out = kube("apply", "-f", kube.file("login.yaml"))
    assert (out.stdout, out.stderr) == ("deployment.apps/login-app created\n", "")
    names = kube.wait_running("app=login", 3)
    assert all(kube.pod_name_re("login-app").match(n) for n in names), names
    # Break it: delete a pod (kubectl waits for it to be gone), and a new one takes its place.
    victim = names[0]
    out = kube("delete", "pod", victim, "-v=6", timeout=60)
    assert out.stdout == kube.deleted(f'pod "{victim}"')
    assert_streamed(kube, out.stderr)
    after = kube.wait_running("app=login", 3)
    assert victim not in after and len(set(after) - set(names)) == 1, (names, after)
    _, rows = kube.table("get", "pods")
    assert sorted(r["NAME"] for r in rows) == after
    # Change it: the same file is unchanged, five replicas are configured.
    assert kube("apply", "-f", kube.file("login.yaml")).stdout == "deployment.apps/login-app unchanged\n"
    assert kube("apply", "-f", kube.file("login-5.yaml")).stdout == "deployment.apps/login-app configured\n"
    kube.wait_running("app=login", 5)
    out = kube("rollout", "status", "deployment/login-app", "--timeout=60s", timeout=90)
    assert out.stdout.endswith('deployment "login-app" successfully rolled out\n'), out.stdout


def test_delete_pod_returns_once_the_pod_is_gone(kube_ns):
    kube = kube_ns
    kube("run", "solo", "--image=nginx")
    kube.wait_running("run=solo", 1)
    out = kube("delete", "pod", "solo", "-v=6", timeout=60)
    assert out.stdout == kube.deleted('pod "solo"')
    assert_streamed(kube, out.stderr)
    assert kube.pods("run=solo") == []


def test_wait_for_condition_available(kube_ns):
    kube = kube_ns
    kube("create", "deployment", "web", "--image=nginx", "--replicas=2")
    out = kube("wait", "--for=condition=Available", "deployment/web", "--timeout=60s", "-v=6", timeout=90)
    assert out.stdout == "deployment.apps/web condition met\n"
    assert_streamed(kube, out.stderr)
    d = kube.deployment("web")
    assert {c["type"]: c["status"] for c in d["status"]["conditions"]}["Available"] == "True"


def test_rollout_status_and_undo(kube_ns):
    kube = kube_ns
    web(kube)
    out = kube("rollout", "status", "deployment/web", "--timeout=60s", "-v=6", timeout=90)
    assert out.stdout == 'deployment "web" successfully rolled out\n'
    assert_streamed(kube, out.stderr)
    assert kube("set", "image", "deployment/web", "nginx=nginx:1.25").stdout == "deployment.apps/web image updated\n"
    out = kube("rollout", "status", "deployment/web", "--timeout=60s", timeout=90)
    assert out.stdout.endswith('deployment "web" successfully rolled out\n'), out.stdout
    assert kube("rollout", "undo", "deployment/web").stdout == "deployment.apps/web rolled back\n"
    out = kube("rollout", "status", "deployment/web", "--timeout=60s", timeout=90)
    assert out.stdout.endswith('deployment "web" successfully rolled out\n'), out.stdout
    assert kube.deployment("web")["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx"


def test_scale_then_get_watch_shows_the_new_pods(kube_ns):
    kube = kube_ns
    web(kube, 1)
    watch = WatchLines(kube.server.kubectl_popen("get", "pods", "-w", "--output-watch-events", "-v=6",
                                                 "--request-timeout=60s"))
    try:
        kube.server.wait_until(watch.watching, 20, message="kubectl get -w watching")
        assert kube("scale", "deployment/web", "--replicas=3").stdout == "deployment.apps/web scaled\n"
        names = kube.wait_running("app=web", 3)

        def seen():
            running = {r[1] for r in watch.rows() if len(r) > 3 and r[3] == "Running"}
            assert set(names) <= running, (names, watch.lines)
            return True
        kube.server.wait_until(seen, 30, message="every new pod Running in the watch")
    finally:
        watch.stop()


def test_describe_pod_and_the_grpc_liveness_example(kube_ns):
    kube = kube_ns
    (name,) = web(kube, 1)
    text = kube("describe", "pod", name).stdout
    assert re.search(rf"^Name:\s+{re.escape(name)}$", text, re.M), text
    assert re.search(rf"^Namespace:\s+{re.escape(kube.ns)}$", text, re.M), text
    # kubectl 1.37 prefixes an event's message with its object's fieldPath.
    prefix = r"spec\.containers\{nginx\}: " if kube.new else ""
    assert re.search(rf"^\s+Normal\s+Started\s+\S+\s+kubelet\s+{prefix}Started container nginx$", text, re.M), text
    # kubernetes.io pods/probe/grpc-liveness.yaml: describe used to panic on the missing service.
    assert kube("apply", "-f", kube.file("grpc-liveness.yaml")).stdout == "pod/etcd-with-grpc created\n"
    assert kube.pod("etcd-with-grpc")["spec"]["containers"][0]["livenessProbe"]["grpc"] == {"port": 2379, "service": ""}
    kube.server.wait_until(lambda: kube.table("get", "pod", "etcd-with-grpc")[1][0]["STATUS"] == "Running", 30,
                           message="the etcd example Running")
    out = kube("describe", "pod", "etcd-with-grpc", check=False)
    assert out.returncode == 0 and "panic" not in out.stderr, out.stderr
    thresholds = "successThreshold=1 failureThreshold=3" if kube.new else "#success=1 #failure=3"
    assert re.search(rf"^\s+Liveness:\s+grpc <pod>:2379  delay=10s timeout=1s period=10s {thresholds}$",
                     out.stdout, re.M), out.stdout


def test_logs_of_a_finished_container_and_previous_refused(kube_ns):
    kube = kube_ns
    kube("run", "hello", "--image=busybox", "--restart=Never", "--", "sh", "-c", "echo hello; echo world")
    kube.server.wait_until(lambda: kube.pod("hello")["status"]["phase"] == "Succeeded", 30, message="hello Succeeded")
    assert kube("logs", "hello").stdout == "hello\nworld\n"
    # -f on a container that has stopped: what it wrote, then the stream ends.
    assert kube("logs", "-f", "hello", timeout=30).stdout == "hello\nworld\n"
    out = kube("logs", "hello", "--previous", check=False)
    assert out.returncode == 1
    assert out.stderr == 'Error from server (BadRequest): previous terminated container "hello" in pod "hello" not found\n'


def test_logs_follow_streams_until_the_container_stops(kube_ns):
    kube = kube_ns
    kube("run", "count", "--image=busybox", "--restart=Never", "--",
         "sh", "-c", "while true; do echo tick; sleep 5; done")
    kube.wait_running("run=count", 1)
    proc = kube.server.kubectl_popen("logs", "-f", "count", "--request-timeout=0")
    watch = WatchLines(proc)
    try:
        # Lines keep arriving while it runs ...
        kube.server.wait_until(lambda: len(watch.lines) >= 1, 20, message="a first line")
        first = len(watch.lines)
        kube.server.wait_until(lambda: len(watch.lines) > first + 1, 30, message="more lines as they are written")
        assert set(watch.lines) == {"tick"}, watch.lines
        # ... and the stream ends (kubectl exits 0) when the container stops.
        kube("delete", "pod", "count", "--wait=false")
        kube.server.wait_until(lambda: proc.poll() is not None, 60, message="kubectl logs -f ending")
        assert proc.returncode == 0, watch.err
    finally:
        watch.stop()


def _threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def _settled_threads(kube, pid: int) -> int:
    """The server's thread count once earlier tests' connections have wound down (each stream
    notices a hang-up within a second): the same two readings 1.5 s apart."""
    def steady():
        a = _threads(pid)
        time.sleep(1.5)
        return a if _threads(pid) == a else None
    return kube.server.wait_until(steady, 30, message="a steady thread count")


def test_logs_follow_ends_on_the_server_when_the_client_goes(kube_ns):
    """A follower that hangs up must not leave its request thread behind on the server."""
    kube = kube_ns
    kube("run", "chatty", "--image=busybox", "--", "sh", "-c", "while true; do echo tick; sleep 600; done")
    kube.wait_running("run=chatty", 1)
    pid = kube.server.proc.pid
    before = _settled_threads(kube, pid)
    procs = [kube.server.kubectl_popen("logs", "-f", "chatty", "--request-timeout=0") for _ in range(3)]
    watches = [WatchLines(p) for p in procs]
    try:
        for w in watches:
            kube.server.wait_until(lambda w=w: w.lines, 20, message="the follower's first line")
        assert _threads(pid) >= before + 3
    finally:
        for w in watches:
            w.stop()                          # kills kubectl: the connections close
    kube.server.wait_until(lambda: _threads(pid) <= before, 20,
                           message=f"the server's threads back to {before} (now {_threads(pid)})")


def test_debug_adds_an_ephemeral_container_that_runs_and_describe_shows_it(kube_ns):
    kube = kube_ns
    kube("run", "target", "--image=nginx")
    kube.wait_running("run=target", 1)
    out = kube("debug", "target", "--image=busybox", "-c", "dbg", "--profile=general", "--", "sleep", "1000", check=False)
    assert out.returncode == 0 and "panic" not in out.stderr, out.stderr
    assert out.stdout == ""

    def running():
        sts = kube.pod("target")["status"].get("ephemeralContainerStatuses") or []
        assert [s["name"] for s in sts] == ["dbg"] and "running" in sts[0]["state"], sts
        return sts[0]
    st = kube.server.wait_until(running, 30, message="the ephemeral container running")
    assert st["ready"] is False and st["image"] == "docker.io/library/busybox:latest", st
    spec = kube.pod("target")["spec"]["ephemeralContainers"]
    assert [(c["name"], c["image"], c["command"]) for c in spec] == [("dbg", "busybox", ["sleep", "1000"])]
    text = kube("describe", "pod", "target").stdout
    assert re.search(r"^Ephemeral Containers:\n  dbg:\n", text, re.M), text
    assert re.search(r"^    State:\s+Running$", text[text.index("Ephemeral Containers:"):], re.M), text
    # Interactive: no attach here, but never a crash either.
    out = kube("debug", "target", "-it", "--image=busybox", "--profile=general", check=False, timeout=60)
    assert "panic" not in out.stderr and "nil pointer" not in out.stderr, out.stderr
    assert len(kube.pod("target")["spec"]["ephemeralContainers"]) == 2


def test_a_finished_kubectl_leaves_no_watch_thread_behind(kube_ns):
    """`delete`, `wait` and `rollout status` exit while their informer's watch (timeoutSeconds
    of several minutes) is open; the server must notice the hang-up, not keep a thread per
    finished command until the timeout."""
    kube = kube_ns
    web(kube, 1)
    pid = kube.server.proc.pid
    before = _settled_threads(kube, pid)
    for _ in range(3):
        kube("rollout", "status", "deployment/web", "--timeout=60s", timeout=90)
        kube("wait", "--for=condition=Available", "deployment/web", "--timeout=60s", timeout=90)
    kube.server.wait_until(lambda: _threads(pid) <= before, 20,
                           message=f"the server's threads back to {before} (now {_threads(pid)})")
