"""The kubernetes.io example manifests that use the catalog's images (testdata/k8s-examples, each
with its source path in kubernetes/website), applied with the real kubectl, reach the states a
real cluster reaches: the agnhost liveness example restarts, the init container's wget finishes,
the stress examples run or are OOM-killed into CrashLoopBackOff, printenv completes, goproxy,
hello-app, the guestbook frontend and the fluentd DaemonSet run."""
from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent / "testdata" / "k8s-examples"


def _pods(kube, namespace):
    return kube.server.get_json(f"/api/v1/namespaces/{namespace}/pods")["items"]


def _status(kube, namespace, name):
    st = kube.server.get_json(f"/api/v1/namespaces/{namespace}/pods/{name}").get("status") or {}
    return st, (st.get("containerStatuses") or [{}])[0]


def test_the_docs_examples_reach_the_states_a_real_cluster_reaches(kube):
    for ns in ("mem-example", "cpu-example"):
        kube("create", "namespace", ns)
    for f in sorted(EXAMPLES.glob("*.yaml")):
        kube("apply", "-f", str(f))

    def liveness_restarted():
        _, cs = _status(kube, "default", "liveness-http")
        return cs.get("restartCount", 0) >= 1
    kube.server.wait_until(liveness_restarted, timeout=60, message="agnhost liveness restarted after /healthz turned 500")

    def init_done():
        st, cs = _status(kube, "default", "init-demo")
        init = (st.get("initContainerStatuses") or [{}])[0].get("state", {}).get("terminated") or {}
        return st.get("phase") == "Running" and init.get("reason") == "Completed" and "running" in cs.get("state", {})
    kube.server.wait_until(init_done, timeout=30, message="init-demo's wget finished and nginx runs")

    def oom_killed():
        _, cs = _status(kube, "mem-example", "memory-demo-2")
        last = (cs.get("lastState") or {}).get("terminated") or {}
        waiting = (cs.get("state") or {}).get("waiting") or {}
        return last.get("reason") == "OOMKilled" and last.get("exitCode") == 137 and waiting.get("reason") == "CrashLoopBackOff"
    kube.server.wait_until(oom_killed, timeout=60, message="memory-demo-2 OOMKilled into CrashLoopBackOff")

    def completed():
        st, cs = _status(kube, "default", "command-demo")
        term = (cs.get("state") or {}).get("terminated") or {}
        return st.get("phase") == "Succeeded" and term.get("reason") == "Completed" and term.get("exitCode") == 0
    kube.server.wait_until(completed, timeout=30, message="command-demo Completed")

    def running(namespace, name):
        return lambda: kube.is_running_ready(kube.server.get_json(f"/api/v1/namespaces/{namespace}/pods/{name}"))
    for namespace, name in (("mem-example", "memory-demo"), ("cpu-example", "cpu-demo"), ("default", "goproxy")):
        kube.server.wait_until(running(namespace, name), timeout=30, message=f"{namespace}/{name} Running and Ready")
    kube.wait_running("run=load-balancer-example", 2)
    kube.wait_running("app=guestbook,tier=frontend", 3)
    kube.wait_running("name=fluentd-elasticsearch", 3, namespace="kube-system")

    rows = {r["NAME"]: r for r in kube.table("get", "pods")[1]}
    assert rows["command-demo"]["STATUS"] == "Completed"
    assert rows["init-demo"]["STATUS"] == "Running" and rows["init-demo"]["READY"] == "1/1"
    assert rows["liveness-http"]["RESTARTS"].split()[0] != "0"
    assert rows["goproxy"]["STATUS"] == "Running" and rows["goproxy"]["RESTARTS"] == "0"
    mem = {r["NAME"]: r for r in kube.table("get", "pods", "-n", "mem-example")[1]}
    assert mem["memory-demo"]["STATUS"] == "Running"
    assert mem["memory-demo-2"]["STATUS"] in ("CrashLoopBackOff", "OOMKilled")
    assert "Liveness probe failed: HTTP probe failed with statuscode: 500" in kube("describe", "pod", "liveness-http").stdout
    assert "Reason:       OOMKilled" in kube("describe", "pod", "memory-demo-2", "-n", "mem-example").stdout
