"""Benchmark: scale one Deployment 0 → N pods on M nodes through the real HTTP API.

Starts `kubeplay serve` as a subprocess (so its RSS and CPU are its own), creates a Deployment
with 0 replicas, scales it to N with the scale subresource (as `kubectl scale` does), and polls
the Deployment's status until every replica is available (Running and Ready). Then, after
--settle seconds (the writer thread finishing the last batches and SQLite's WAL checkpoint of a
~30 MB file are part of the scale-up, not of idling), it measures the idle cluster's CPU use at
the benchmark speed and at 1× speed. Prints figures; asserts nothing.

    .venv/bin/python bench/scale_deployment.py [--pods 10000] [--nodes 50] [--speed 1000] [--state] [--idle-windows 6]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, method="GET", body=None, ctype="application/json"):
    data = json.dumps(body).encode() if body is not None else None
    # X-Kubeplay-Request: the server takes changes to /kubeplay/v1/ only from the page (webapp/guard.py).
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": ctype, "X-Kubeplay-Request": "bench"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def idle_cpu(pid: int, seconds: float) -> float:
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return 100 * (cpu_seconds(pid) - c0) / (time.monotonic() - t0)


POD_TEMPLATE = {"metadata": {"labels": {"app": "bench"}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                         "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}


def floor_seconds(pods: int) -> tuple[float, float]:
    """The naive floor: build and serialise the four versions of each of `pods` pods (created,
    bound, started, ready) in plain Python — a new dict per version, as a store that never
    changes an object in place keeps them, each written out as JSON once. No admission, no
    controllers, no watch: what any simulator storing these objects must at least do.
    Returns (wall, CPU) seconds: on a shared machine the CPU time is the steadier figure."""
    t0, c0 = time.perf_counter(), time.process_time()
    kept = []
    for i in range(pods):
        name = f"bench-7d4b9c8f5d-{i:05x}"
        created = {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "generateName": "bench-7d4b9c8f5d-", "namespace": "default",
                         "uid": f"00000000-0000-4000-8000-{i:012x}", "resourceVersion": str(4 * i + 1),
                         "creationTimestamp": "2026-01-01T00:00:00Z",
                         "labels": {"app": "bench", "pod-template-hash": "7d4b9c8f5d"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "bench-7d4b9c8f5d",
                                              "uid": "00000000-0000-4000-8000-ffffffffffff",
                                              "controller": True, "blockOwnerDeletion": True}]},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                     "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                                     "terminationMessagePath": "/dev/termination-log",
                                     "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent",
                                     "volumeMounts": [{"name": f"kube-api-access-{i % 100000:05x}",
                                                       "readOnly": True,
                                                       "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}],
                     "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                     "serviceAccountName": "default", "serviceAccount": "default", "securityContext": {},
                     "schedulerName": "default-scheduler", "enableServiceLinks": True, "priority": 0,
                     "preemptionPolicy": "PreemptLowerPriority",
                     "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                                      "effect": "NoExecute", "tolerationSeconds": 300},
                                     {"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                                      "effect": "NoExecute", "tolerationSeconds": 300}]},
            "status": {"phase": "Pending", "qosClass": "Burstable"}}
        bound = dict(created, metadata=dict(created["metadata"], resourceVersion=str(4 * i + 2)),
                     spec=dict(created["spec"], nodeName=f"node-{i % 50}"),
                     status=dict(created["status"], conditions=[
                         {"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                          "lastTransitionTime": "2026-01-01T00:00:00Z"}]))
        conditions = [{"type": t, "status": "True", "lastProbeTime": None,
                       "lastTransitionTime": "2026-01-01T00:00:01Z"}
                      for t in ("PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready", "PodScheduled")]
        started = dict(bound, metadata=dict(bound["metadata"], resourceVersion=str(4 * i + 3)),
                       status=dict(bound["status"], phase="Running", hostIP="172.18.0.2", podIP=f"10.244.{i // 250}.{i % 250}",
                                   startTime="2026-01-01T00:00:01Z", conditions=conditions[:2] + [
                                       dict(c, status="False") for c in conditions[2:4]] + conditions[4:],
                                   containerStatuses=[{"name": "app", "image": "docker.io/library/nginx:1.27",
                                                       "imageID": "docker.io/library/nginx@sha256:" + "0" * 64,
                                                       "containerID": f"containerd://{i:064x}", "ready": False,
                                                       "restartCount": 0, "started": True,
                                                       "state": {"running": {"startedAt": "2026-01-01T00:00:01Z"}}}]))
        ready = dict(started, metadata=dict(started["metadata"], resourceVersion=str(4 * i + 4)),
                     status=dict(started["status"], conditions=conditions,
                                 containerStatuses=[dict(started["status"]["containerStatuses"][0], ready=True)]))
        for version in (created, bound, started, ready):
            json.dumps(version)
        kept.append(ready)
    return time.perf_counter() - t0, time.process_time() - c0


class Server:
    """`kubeplay serve` in a subprocess, sized for `pods` pods on `nodes` nodes."""

    def __init__(self, pods: int, nodes: int, speed: float, state: bool):
        self.port = free_port()
        self.tmp = tempfile.mkdtemp(prefix="kubeplay-bench-")
        cmd = [sys.executable, "-m", "webapp", "serve", "--port", str(self.port), "--no-browser",
               "--nodes", str(nodes), "--speed", str(speed),
               # --max-pods counts every pod, the kube-system ones (a kube-proxy per node, CoreDNS...) too.
               "--max-pods", str(max(pods, 10000) + 10 * nodes + 100),
               # 50 nodes × the default 110 pods per node cannot hold 10,000 pods: raise maxPods.
               "--pods-per-node", str(max(110, -(-pods * 5 // (4 * nodes))))]
        cmd += ["--state", os.path.join(self.tmp, "kubeplay.db")] if state else ["--in-memory"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=open(os.path.join(self.tmp, "server.log"), "w"),
                                     env=dict(os.environ, HOME=self.tmp),
                                     cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self.base = f"http://127.0.0.1:{self.port}"
        self.kubeconfig = os.path.join(self.tmp, ".kubeplay", "kubeconfig")
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.close()
                    raise SystemExit(f"server did not start; see {self.tmp}/server.log")
                time.sleep(0.1)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def scale_up(srv: Server, pods: int) -> dict:
    """Create the Deployment at 0, scale it to `pods` and wait until all are available."""
    base = srv.base
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bench"},
           "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "bench"}}, "template": POD_TEMPLATE}}
    call(f"{base}/apis/apps/v1/namespaces/default/deployments", "POST", dep)
    cpu0 = cpu_seconds(srv.proc.pid)
    t0 = time.monotonic()
    call(f"{base}/apis/apps/v1/namespaces/default/deployments/bench/scale", "PATCH",
         {"spec": {"replicas": pods}}, "application/merge-patch+json")
    marks: dict[float, float] = {}
    while True:
        st = call(f"{base}/apis/apps/v1/namespaces/default/deployments/bench").get("status", {})
        avail = st.get("availableReplicas", 0)
        for frac in (0.25, 0.5, 0.75):
            if avail >= frac * pods and frac not in marks:
                marks[frac] = time.monotonic() - t0
        if avail >= pods:
            break
        if time.monotonic() - t0 > 900:
            raise SystemExit(f"gave up after 900 s at {avail} available")
        time.sleep(0.05)
    wall = time.monotonic() - t0
    return {"wall": wall, "cpu": cpu_seconds(srv.proc.pid) - cpu0, "marks": marks,
            "rss_mb": peak_rss_mb(srv.proc.pid)}


def run(pods: int = 10000, nodes: int = 50, speed: float = 100.0, state: bool = False,
        idle_seconds: float = 10.0, settle: float = 5.0, floor: bool = True, idle_windows: int = 1) -> dict:
    """One measured scale-up (and the floor first, on the same machine, before the server runs)."""
    out: dict = {"pods": pods, "nodes": nodes, "speed": speed, "state": state}
    if floor:
        out["floor"], out["floor_cpu"] = floor_seconds(pods)
    srv = Server(pods, nodes, speed, state)
    try:
        out.update(scale_up(srv, pods))
        time.sleep(settle)
        out["idle_fast"] = idle_cpu(srv.proc.pid, idle_seconds)
        call(f"{srv.base}/kubeplay/v1/clock", "POST", {"speed": 1})
        # The first window (the figure run_all prints) and more after it: at 1,000 nodes a 10 s
        # window moves by a few tenths of a percent with the Events the scale-up wrote expiring.
        out["idle_1x_windows"] = [idle_cpu(srv.proc.pid, idle_seconds) for _ in range(max(1, idle_windows))]
        out["idle_1x"] = out["idle_1x_windows"][0]
    finally:
        srv.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=10000)
    ap.add_argument("--nodes", type=int, default=50)
    ap.add_argument("--speed", type=float, default=100.0, help="simulated seconds per wall second")
    ap.add_argument("--state", action="store_true", help="persist to a SQLite file (default: in memory)")
    ap.add_argument("--idle-seconds", type=float, default=10.0)
    ap.add_argument("--settle", type=float, default=5.0, help="wall seconds between all Running and the idle measurement")
    ap.add_argument("--no-floor", action="store_true", help="skip measuring the plain-Python floor")
    ap.add_argument("--idle-windows", type=int, default=1, help="idle windows measured at 1x, one after another")
    args = ap.parse_args()
    r = run(args.pods, args.nodes, args.speed, args.state, args.idle_seconds, args.settle, not args.no_floor,
            args.idle_windows)
    wall, marks = r["wall"], r["marks"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{'SQLite state' if args.state else 'in-memory state'}, load average {os.getloadavg()[0]:.1f}")
    print(f"scaled 0 -> {args.pods} pods on {args.nodes} nodes at speed {args.speed:g}x")
    print(f"  wall time to all Running+Ready : {wall:.2f} s "
          f"(25%: {marks.get(0.25, 0):.2f} s, 50%: {marks.get(0.5, 0):.2f} s, 75%: {marks.get(0.75, 0):.2f} s)")
    if "floor" in r:
        print(f"  floor (4 versions a pod, plain Python): {r['floor']:.2f} s wall, {r['floor_cpu']:.2f} s CPU"
              f" -> ratio {wall / r['floor']:.2f}x wall, {r['cpu'] / r['floor_cpu']:.2f}x CPU")
    print(f"  throughput                     : {args.pods / wall:.0f} pods/s")
    print(f"  server CPU while scaling       : {r['cpu']:.1f} s ({100 * r['cpu'] / wall:.0f}% of one core)")
    print(f"  server peak RSS                : {r['rss_mb']:.0f} MB ({r['rss_mb'] * 1024 / args.pods:.1f} KB a pod)")
    print(f"  idle CPU afterwards at {args.speed:g}x   : {r['idle_fast']:.1f} % (over {args.idle_seconds:g} s, "
          f"{args.settle:g} s after all Running)")
    print(f"  idle CPU afterwards at 1x      : {r['idle_1x']:.1f} %")
    if len(r["idle_1x_windows"]) > 1:
        ws = sorted(r["idle_1x_windows"])
        print(f"  idle at 1x, {len(ws)} windows of {args.idle_seconds:g} s: {' '.join(f'{w:.1f}' for w in r['idle_1x_windows'])} % "
              f"(min {ws[0]:.1f}, median {ws[len(ws) // 2]:.1f}, max {ws[-1]:.1f})")


if __name__ == "__main__":
    main()
