"""Issue 4, probes and inter-pod scheduling through the real kubectl: the upstream liveness
example is killed and restarted with the real events (describe shows them), a readiness probe
moves a pod in and out of its Service's endpoints, and required anti-affinity leaves the fourth
replica Pending with the scheduler's exact text — k8s-semantics.md §4, §6, §7. Each test in a
namespace of its own on the module's server (anti-affinity terms select in the pod's namespace;
no test here changes nodes or the clock)."""
from __future__ import annotations

import json

LIVENESS = """apiVersion: v1
kind: Pod
metadata:
  name: liveness-exec
  labels:
    test: liveness
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/busybox
    args:
    - /bin/sh
    - -c
    - touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600
    livenessProbe:
      exec:
        command:
        - cat
        - /tmp/healthy
      initialDelaySeconds: 5
      periodSeconds: 5
"""

READINESS = """apiVersion: v1
kind: Pod
metadata:
  name: flaky
  labels:
    app: flaky
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "touch /tmp/ready; sleep 20; rm /tmp/ready; sleep 20; touch /tmp/ready; sleep 3600"]
    ports:
    - name: http
      containerPort: 8080
    readinessProbe:
      exec:
        command: ["cat", "/tmp/ready"]
      periodSeconds: 2
      failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata:
  name: flaky
spec:
  selector:
    app: flaky
  ports:
  - port: 80
    targetPort: http
"""

ANTI = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: spread
spec:
  replicas: 4
  selector:
    matchLabels:
      app: spread
  template:
    metadata:
      labels:
        app: spread
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchLabels:
                app: spread
            topologyKey: kubernetes.io/hostname
      containers:
      - name: nginx
        image: nginx
"""


def container_status(kube, name):
    st = kube.server.get_json(f"/api/v1/namespaces/{kube.ns}/pods/{name}").get("status") or {}
    return (st.get("containerStatuses") or [{}])[0]


def test_the_liveness_example_is_restarted_with_the_real_events(kube_shared):
    kube = kube_shared
    assert kube("apply", "-f", "-", input=LIVENESS).stdout == "pod/liveness-exec created\n"
    kube.server.wait_until(lambda: container_status(kube, "liveness-exec").get("restartCount", 0) >= 1
                           and "running" in container_status(kube, "liveness-exec").get("state", {}),
                           timeout=60, message="the liveness example restarted once")
    items = json.loads(kube("get", "events", "--field-selector", "involvedObject.name=liveness-exec",
                            "-o", "json").stdout)["items"]
    by_reason = {}
    for e in items:
        by_reason.setdefault(e["reason"], []).append(e)
    unhealthy = by_reason["Unhealthy"]
    assert len(unhealthy) == 1 and unhealthy[0]["type"] == "Warning" and unhealthy[0]["count"] >= 3
    assert unhealthy[0]["message"] == "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n"
    assert [e["message"] for e in by_reason["Killing"]] == ["Container liveness failed liveness probe, will be restarted"]
    assert by_reason["Started"][0]["count"] >= 2

    out = kube("describe", "pod", "liveness-exec").stdout
    assert "Liveness:       exec [cat /tmp/healthy] delay=5s timeout=1s period=5s #success=1 #failure=3" in out
    assert "Last State:     Terminated" in out and "Exit Code:    137" in out
    assert "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory" in out
    assert "Container liveness failed liveness probe, will be restarted" in out

    rows = kube.table("get", "pods")[1]
    assert rows[0]["NAME"] == "liveness-exec" and rows[0]["RESTARTS"].startswith("1 (")


def test_a_readiness_probe_moves_a_pod_out_of_its_endpoints_and_back(kube_shared):
    kube = kube_shared
    assert kube("apply", "-f", "-", input=READINESS).stdout == "pod/flaky created\nservice/flaky created\n"

    def addresses():
        ep = kube.server.get_json(f"/api/v1/namespaces/{kube.ns}/endpoints/flaky")
        subsets = ep.get("subsets") or []
        ready = [a["ip"] for s in subsets for a in s.get("addresses") or ()]
        not_ready = [a["ip"] for s in subsets for a in s.get("notReadyAddresses") or ()]
        return len(ready), len(not_ready)

    kube.server.wait_until(lambda: addresses() == (1, 0), timeout=30, message="flaky ready in its endpoints")
    assert kube.table("get", "pods", "flaky")[1][0]["READY"] == "1/1"
    kube.server.wait_until(lambda: addresses() == (0, 1), timeout=30, message="flaky not ready")
    assert kube.table("get", "pods", "flaky")[1][0]["READY"] == "0/1"
    out = kube("describe", "pod", "flaky").stdout
    assert "Readiness probe failed: cat: can't open '/tmp/ready': No such file or directory" in out
    kube.server.wait_until(lambda: addresses() == (1, 0), timeout=30, message="flaky ready again")
    assert container_status(kube, "flaky")["restartCount"] == 0


def test_required_anti_affinity_leaves_the_fourth_replica_pending_with_the_schedulers_text(kube_shared):
    kube = kube_shared
    assert kube("apply", "-f", "-", input=ANTI).stdout == "deployment.apps/spread created\n"

    def split():
        pods = [p for p in kube.pods("app=spread") if kube.is_live(p)]
        bound = sorted(p["spec"].get("nodeName") or "" for p in pods)
        assert len(pods) == 4 and bound[0] == "" and bound[1:] == ["node-1", "node-2", "node-3"], bound
        return [p for p in pods if not p["spec"].get("nodeName")][0]["metadata"]["name"]

    pending = kube.server.wait_until(split, timeout=30, message="three spread pods and one pending")
    text = ("0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
            "3 node(s) didn't match pod anti-affinity rules. preemption: 0/4 nodes are available: "
            "1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.")
    out = kube("describe", "pod", pending).stdout
    assert "FailedScheduling" in out and text in out
    row = {r["NAME"]: r for r in kube.table("get", "pods")[1]}[pending]
    assert row["STATUS"] == "Pending"
