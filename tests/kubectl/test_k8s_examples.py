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
    # memory-demo-2 crash-loops: between two OOM kills it is Running for a moment after each
    # restart, as on a real cluster, and one `get` can land there; the column shows the kill
    # and the back-off in between.
    def mem2_status():
        rows = {r["NAME"]: r for r in kube.table("get", "pods", "-n", "mem-example")[1]}
        return rows["memory-demo-2"]["STATUS"] in ("CrashLoopBackOff", "OOMKilled")
    kube.server.wait_until(mem2_status, timeout=30, message="memory-demo-2 shown as CrashLoopBackOff or OOMKilled")
    assert "Liveness probe failed: HTTP probe failed with statuscode: 500" in kube("describe", "pod", "liveness-http").stdout
    assert "Reason:       OOMKilled" in kube("describe", "pod", "memory-demo-2", "-n", "mem-example").stdout


KINDS = Path(__file__).resolve().parent / "testdata" / "k8s-examples-kinds"
TESTDATA = Path(__file__).resolve().parent / "testdata"


def test_the_docs_examples_of_the_second_week_kinds_reach_the_states_a_real_cluster_reaches(kube):
    """Issue 12's selection: Secrets (a pod waits for its Secret), Jobs and CronJobs, a StatefulSet's
    claims and a static PersistentVolume, a PodDisruptionBudget, a ResourceQuota and a LimitRange
    as the admin/resource tasks use them, and a PriorityClass. Each file names its source."""
    get = kube.server.get_json

    # A pod that mounts a Secret waits (ContainerCreating, FailedMount) until the Secret exists.
    kube("apply", "-f", str(TESTDATA / "secret-pod.yaml"))
    kube.server.wait_until(lambda: any(e["reason"] == "FailedMount" and e["involvedObject"]["name"] == "secret-test-pod"
                                       for e in get("/api/v1/namespaces/default/events")["items"]),
                           timeout=30, message="FailedMount for the missing Secret")
    assert get("/api/v1/namespaces/default/pods/secret-test-pod")["status"]["phase"] == "Pending"
    kube("apply", "-f", str(TESTDATA / "secret.yaml"))

    for f in ("job-pi.yaml", "cronjob-hello.yaml", "web.yaml", "mysql-pv.yaml", "mysql-deployment.yaml"):
        kube("apply", "-f", str(TESTDATA / f))
    for ns in ("quota-pod-example", "default-mem-example"):
        kube("create", "namespace", ns)
    kube("apply", "-f", str(KINDS / "zookeeper-pdb.yaml"))
    kube("apply", "-f", str(KINDS / "quota-pod.yaml"), "-n", "quota-pod-example")
    kube("apply", "-f", str(KINDS / "quota-pod-deployment.yaml"), "-n", "quota-pod-example")
    kube("apply", "-f", str(KINDS / "memory-defaults.yaml"), "-n", "default-mem-example")
    kube("apply", "-f", str(KINDS / "memory-defaults-pod.yaml"), "-n", "default-mem-example")
    kube("apply", "-f", str(KINDS / "high-priority.yaml"))

    running = lambda ns, name: lambda: kube.is_running_ready(get(f"/api/v1/namespaces/{ns}/pods/{name}"))  # noqa: E731
    kube.server.wait_until(running("default", "secret-test-pod"), timeout=30, message="secret-test-pod Running")

    # The pi Job completes and prints pi.
    kube("wait", "--for=condition=complete", "job/pi", "--timeout=90s", timeout=120)
    assert kube("logs", "job/pi").stdout.startswith("3.14159265358979323846264338327950288419716939937510")

    # The CronJob makes a Job each (simulated) minute; the first one completes.
    def cron_job_done():
        jobs = get("/apis/batch/v1/namespaces/default/jobs")["items"]
        return any(j["metadata"]["name"].startswith("hello-") and
                   any(c["type"] == "Complete" and c["status"] == "True" for c in j["status"].get("conditions") or [])
                   for j in jobs)
    kube.server.wait_until(cron_job_done, timeout=60, message="a Job of CronJob hello completed")

    # web.yaml: two pods, each with its own Bound claim.
    for i in (0, 1):
        kube.server.wait_until(running("default", f"web-{i}"), timeout=60, message=f"web-{i} Running")
        assert get(f"/api/v1/namespaces/default/persistentvolumeclaims/www-web-{i}")["status"]["phase"] == "Bound"
    # mysql: the claim binds the static PV, and the pod runs.
    kube.wait_running("app=mysql", 1, timeout=60)
    claim = get("/api/v1/namespaces/default/persistentvolumeclaims/mysql-pv-claim")
    assert claim["status"]["phase"] == "Bound" and claim["spec"]["volumeName"] == "mysql-pv-volume"

    # The PDB of the docs' ZooKeeper: no pods yet, so no disruption allowed.
    rows = {r["NAME"]: r for r in kube.table("get", "pdb")[1]}
    assert (rows["zk-pdb"]["MIN AVAILABLE"], rows["zk-pdb"]["ALLOWED DISRUPTIONS"]) == ("2", "0")

    # quota-pod: the Deployment asks for 3 pods, the quota allows 2; the third is refused.
    def two_of_three():
        d = get("/apis/apps/v1/namespaces/quota-pod-example/deployments/pod-quota-demo")
        failure = [c for c in d.get("status", {}).get("conditions") or [] if c["type"] == "ReplicaFailure"]
        return d["status"].get("availableReplicas") == 2 and failure and \
            "exceeded quota: pod-demo, requested: pods=1, used: pods=2, limited: pods=2" in failure[0]["message"]
    kube.server.wait_until(two_of_three, timeout=60, message="pod-quota-demo held at 2 by the quota")

    # memory-defaults: the LimitRange gives the container its default request and limit.
    pod = get("/api/v1/namespaces/default-mem-example/pods/default-mem-demo")
    assert pod["spec"]["containers"][0]["resources"] == {"limits": {"memory": "512Mi"}, "requests": {"memory": "256Mi"}}

    # high-priority: the pod takes the class's value.
    assert get("/api/v1/namespaces/default/pods/nginx")["spec"]["priority"] == 1000000
    assert "high-priority" in kube("get", "priorityclass").stdout
