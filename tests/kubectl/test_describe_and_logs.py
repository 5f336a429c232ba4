"""Issue 4, kubectl depth: `describe` for pods, deployments, replicasets, nodes and services, each
with its Events section and the upstream event texts (k8s-semantics.md §7); `kubectl logs` with
the simulated lines of each container, --tail, --timestamps, --previous and the default-container
choice."""
from __future__ import annotations

import datetime as dt
import re

EVENTS_HEADER = re.compile(r"^Events:\n  Type\s+Reason\s+Age\s+From\s+Message\n  ----\s+------\s+----\s+----\s+-------$", re.M)


def events_rows(text: str) -> list[tuple[str, str, str, str]]:
    """(type, reason, from, message) rows of describe's Events table."""
    assert EVENTS_HEADER.search(text), text
    section = text[EVENTS_HEADER.search(text).end():]
    rows = []
    for ln in section.splitlines():
        if not ln.strip():
            continue
        m = re.match(r"^  (Normal|Warning)\s+(\S+)\s+(\S+(?: \(x\d+ over \S+\))?)\s+(\S+)\s+(.*)$", ln)
        assert m, f"not an event row: {ln!r}\n{text}"
        rows.append((m.group(1), m.group(2), m.group(4), m.group(5)))
    return rows


def web(kube, replicas=2) -> list[str]:
    kube("create", "deployment", "web", "--image=nginx", f"--replicas={replicas}")
    names = kube.wait_running("app=web", replicas)
    kube.wait_rolled_out("web")
    return names


def test_describe_pod_lists_the_scheduler_and_kubelet_events(kube_shared):
    kube = kube_shared
    (name,) = web(kube, 1)
    p = kube.pod(name)
    node = p["spec"]["nodeName"]
    text = kube("describe", "pod", name).stdout
    rows = events_rows(text)
    assert [(t, r, s) for t, r, s, _ in rows] == [
        ("Normal", "Scheduled", "default-scheduler"), ("Normal", "Pulling", "kubelet"), ("Normal", "Pulled", "kubelet"),
        ("Normal", "Created", "kubelet"), ("Normal", "Started", "kubelet")], rows
    msgs = [m for *_, m in rows]
    assert msgs[0] == f"Successfully assigned {kube.ns}/{name} to {node}"
    assert msgs[1] == 'Pulling image "nginx"'
    assert re.fullmatch(r'Successfully pulled image "nginx" in \d+(\.\d+)?m?s \(\d+(\.\d+)?m?s including waiting\)\. '
                        r'Image size: \d+ bytes\.', msgs[2]), msgs[2]
    assert msgs[3:] == ["Created container: nginx", "Started container nginx"]


def test_at_real_speed_describe_and_kubectl_events_show_real_ages(kube_factory):
    """describe's Age and `kubectl events`' LAST SEEN are computed by kubectl against its own
    clock. At 1x the simulated clock is the wall clock, so they must be real durations. (Above
    1x, see test_time_and_kubectl_ages.py: the served timestamps keep them the simulated ages.)"""
    kube = kube_factory(speed=1)
    (name,) = web(kube, 1)
    text = kube("describe", "pod", name).stdout
    ages = re.findall(r"^  (?:Normal|Warning)\s+\S+\s+(\S+)", text, re.M)
    assert ages and all(re.fullmatch(r"\d+[smhd](\d+[smh])?", a) for a in ages), \
        f"describe pod {name} Events ages: {ages}\n{text}"
    _, rows = kube.table("events", "--for", f"pod/{name}")
    assert rows and all(re.fullmatch(r"\d+[smhd](\d+[smh])?", r["LAST SEEN"]) for r in rows), rows


def test_describe_deployment_and_replicaset_show_their_controllers_events(kube_shared):
    kube = kube_shared
    names = web(kube, 2)
    rs = names[0].rsplit("-", 1)[0]
    text = kube("describe", "deployment", "web").stdout
    assert events_rows(text) == [("Normal", "ScalingReplicaSet", "deployment-controller",
                                  f"Scaled up replica set {rs} to 2")]
    kube("scale", "deployment", "web", "--replicas=3")
    kube.wait_running("app=web", 3)
    text = kube("describe", "deployment", "web").stdout
    assert events_rows(text)[-1] == ("Normal", "ScalingReplicaSet", "deployment-controller",
                                     f"Scaled up replica set {rs} to 3 from 2")

    text = kube("describe", "replicaset", rs).stdout
    assert re.search(rf"^Name:\s+{rs}$", text, re.M), text
    assert re.search(r"^Controlled By:\s+Deployment/web$", text, re.M), text
    assert re.search(r"^Replicas:\s+3 current / 3 desired$", text, re.M), text
    assert re.search(r"^Pods Status:\s+3 Running / 0 Waiting / 0 Succeeded / 0 Failed$", text, re.M), text
    pods = sorted(p["metadata"]["name"] for p in kube.pods("app=web"))
    rows = events_rows(text)
    assert all((t, r, s) == ("Normal", "SuccessfulCreate", "replicaset-controller") for t, r, s, _ in rows), rows
    assert sorted(m for *_, m in rows) == sorted(f"Created pod: {p}" for p in pods)


def test_describe_node_shows_conditions_pods_and_the_kubelet_and_node_controller_events(kube_shared):
    # Reads a node (no test on the module's server changes nodes); its pods include the test's own.
    kube = kube_shared
    names = web(kube, 3)
    node = kube.server.get_json(f"/api/v1/namespaces/{kube.ns}/pods/{names[0]}")["spec"]["nodeName"]
    text = kube("describe", "node", node).stdout
    assert re.search(rf"^Name:\s+{node}$", text, re.M), text
    assert re.search(r"^\s+Ready\s+True\s+.+\s+KubeletReady\s+kubelet is posting ready status$", text, re.M), text
    assert re.search(r"^Non-terminated Pods:\s+\(\d+ in total\)$", text, re.M), text
    assert re.search(rf"^\s+{re.escape(kube.ns)}\s+{re.escape(names[0])}\s", text, re.M), text
    rows = events_rows(text)
    assert ("Normal", "Starting", "kubelet", "Starting kubelet.") in rows, rows
    assert ("Normal", "NodeReady", "kubelet", f"Node {node} status is now: NodeReady") in rows, rows
    assert ("Normal", "RegisteredNode", "node-controller",
            f"Node {node} event: Registered Node {node} in Controller") in rows, rows


def test_describe_service_has_an_events_section(kube_shared):
    kube = kube_shared
    web(kube, 2)
    kube("expose", "deployment", "web", "--port=80", "--type=NodePort")
    text = kube("describe", "service", "web").stdout
    assert re.search(r"^Name:\s+web$", text, re.M), text
    assert re.search(r"^Type:\s+NodePort$", text, re.M), text
    assert re.search(r"^Selector:\s+app=web$", text, re.M), text
    # No controller writes events for a ClusterIP/NodePort Service: upstream prints <none>.
    assert re.search(r"^Events:\s+<none>$", text, re.M), text


# ---- logs ------------------------------------------------------------------------------------------

def test_logs_of_an_nginx_pod_print_its_startup_lines(kube_shared):
    kube = kube_shared
    (name,) = web(kube, 1)
    out = kube("logs", name)
    lines = out.stdout.splitlines()
    assert lines[0] == "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"
    assert "/docker-entrypoint.sh: Configuration complete; ready for start up" in lines
    assert any(re.fullmatch(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[notice\] 1#1: start worker processes", ln) for ln in lines), lines
    assert kube("logs", "deployment/web").stdout == out.stdout
    assert kube("logs", name, "--tail=1").stdout == lines[-1] + "\n"


def test_logs_of_a_finished_pod_are_what_its_command_echoed(kube_shared):
    kube = kube_shared
    out = kube("run", "hello", "--image=busybox", "--restart=Never", "--",
               "sh", "-c", "echo hello from kubeplay; echo second line")
    assert out.stdout == "pod/hello created\n"
    kube.server.wait_until(lambda: kube.table("get", "pod", "hello")[1][0]["STATUS"] == "Completed", 20,
                           message="hello Completed")
    assert kube("logs", "hello").stdout == "hello from kubeplay\nsecond line\n"
    assert kube("logs", "hello", "--tail=1").stdout == "second line\n"


def test_logs_timestamps_prefix_every_line_with_an_rfc3339_time(kube_shared):
    kube = kube_shared
    kube("run", "hello", "--image=busybox", "--restart=Never", "--", "sh", "-c", "echo one; echo two")
    kube.server.wait_until(lambda: kube.table("get", "pod", "hello")[1][0]["STATUS"] == "Completed", 20,
                           message="hello Completed")
    out = kube("logs", "hello", "--timestamps").stdout
    lines = out.splitlines()
    assert len(lines) == 2, out
    for line, text in zip(lines, ("one", "two")):
        m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z) (\S+)", line)
        assert m and m.group(3) == text, f"`kubectl logs --timestamps` printed {out!r}"
        dt.datetime.fromisoformat(m.group(1)[:19])


def test_a_pod_with_two_containers_logs_the_default_one_and_each_by_name(kube_shared):
    kube = kube_shared
    kube("apply", "-f", "-", input="""apiVersion: v1
kind: Pod
metadata:
  name: duo
spec:
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo app says hi; sleep infinity"]
  - name: sidecar
    image: nginx
""")
    kube.server.wait_until(lambda: kube.table("get", "pod", "duo")[1][0]["READY"] == "2/2", 20, message="duo 2/2")
    out = kube("logs", "duo")
    assert out.stdout == "app says hi\n"
    assert out.stderr == 'Defaulted container "app" out of: app, sidecar\n'
    assert kube("logs", "duo", "-c", "app").stdout == "app says hi\n"
    side = kube("logs", "duo", "-c", "sidecar").stdout
    assert side.startswith("/docker-entrypoint.sh: ")
    out = kube("logs", "duo", "-c", "nope", check=False)
    assert out.returncode == 1
    assert out.stderr == "error: container nope is not valid for pod duo\n", out.stderr


def test_a_looping_container_keeps_writing_to_its_log(kube_shared):
    """`while true; do echo tick; sleep 10; done` prints a line every 10 simulated seconds."""
    kube = kube_shared
    kube("run", "ticker", "--image=busybox", "--", "sh", "-c", "while true; do echo tick; sleep 10; done")
    kube.wait_running("run=ticker", 1)
    started = kube.server.get_json(f"/api/v1/namespaces/{kube.ns}/pods/ticker")["status"]["containerStatuses"][0]["state"]["running"]["startedAt"]
    t0 = dt.datetime.fromisoformat(started.replace("Z", "+00:00")).timestamp()
    kube.server.wait_until(lambda: kube.server.get_json("/kubeplay/v1/clock")["nowSeconds"] >= t0 + 45, 30,
                           message="45 simulated seconds of ticking")
    out = kube("logs", "ticker").stdout
    assert out.splitlines().count("tick") >= 4, f"after 45 s of a 10 s loop the log is {out!r}"
