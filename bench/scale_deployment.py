"""Benchmark: scale one Deployment 0 → N pods on M nodes through the real HTTP API.

Starts `kubeplay serve` as a subprocess (so its RSS and CPU are its own), creates a Deployment
with 0 replicas, scales it to N with the scale subresource (as `kubectl scale` does), and polls
the Deployment's status until every replica is available (Running and Ready). Then, after
--settle seconds (the writer thread finishing the last batches and SQLite's WAL checkpoint of a
~30 MB file are part of the scale-up, not of idling), it measures the idle cluster's CPU use at
the benchmark speed and at 1× speed. Prints figures; asserts nothing.

    .venv/bin/python bench/scale_deployment.py [--pods 10000] [--nodes 50] [--speed 1000] [--state]
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=10000)
    ap.add_argument("--nodes", type=int, default=50)
    ap.add_argument("--speed", type=float, default=100.0, help="simulated seconds per wall second")
    ap.add_argument("--state", action="store_true", help="persist to a SQLite file (default: in memory)")
    ap.add_argument("--idle-seconds", type=float, default=10.0)
    ap.add_argument("--settle", type=float, default=5.0, help="wall seconds between all Running and the idle measurement")
    args = ap.parse_args()

    port = free_port()
    tmp = tempfile.mkdtemp(prefix="kubeplay-bench-")
    cmd = [sys.executable, "-m", "webapp", "serve", "--port", str(port), "--no-browser",
           "--nodes", str(args.nodes), "--speed", str(args.speed), "--max-pods", str(max(args.pods, 10000) + 10 * args.nodes + 100),
           # --max-pods counts every pod, the kube-system ones (a kube-proxy per node, CoreDNS...) too.
           # 50 nodes × the default 110 pods per node cannot hold 10,000 pods: raise maxPods.
           "--pods-per-node", str(max(110, -(-args.pods * 5 // (4 * args.nodes))))]
    cmd += ["--state", os.path.join(tmp, "kubeplay.db")] if args.state else ["--in-memory"]
    env = dict(os.environ, HOME=tmp)
    srv = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, "server.log"), "w"),
                           env=env, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or srv.poll() is not None:
                    raise SystemExit(f"server did not start; see {tmp}/server.log")
                time.sleep(0.1)
        dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bench"},
               "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "bench"}},
                        "template": {"metadata": {"labels": {"app": "bench"}},
                                     "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                                              "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}}}
        call(f"{base}/apis/apps/v1/namespaces/default/deployments", "POST", dep)
        cpu0 = cpu_seconds(srv.pid)
        t0 = time.monotonic()
        call(f"{base}/apis/apps/v1/namespaces/default/deployments/bench/scale", "PATCH",
             {"spec": {"replicas": args.pods}}, "application/merge-patch+json")
        marks = {}
        while True:
            st = call(f"{base}/apis/apps/v1/namespaces/default/deployments/bench").get("status", {})
            avail = st.get("availableReplicas", 0)
            for frac in (0.25, 0.5, 0.75):
                if avail >= frac * args.pods and frac not in marks:
                    marks[frac] = time.monotonic() - t0
            if avail >= args.pods:
                break
            if time.monotonic() - t0 > 600:
                raise SystemExit(f"gave up after 600 s at {avail} available")
            time.sleep(0.05)
        wall = time.monotonic() - t0
        busy_cpu = cpu_seconds(srv.pid) - cpu0
        time.sleep(args.settle)
        idle_fast = idle_cpu(srv.pid, args.idle_seconds)
        call(f"{base}/kubeplay/v1/clock", "POST", {"speed": 1})
        idle_1x = idle_cpu(srv.pid, args.idle_seconds)
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"{'SQLite state' if args.state else 'in-memory state'}")
        print(f"scaled 0 -> {args.pods} pods on {args.nodes} nodes at speed {args.speed:g}x")
        print(f"  wall time to all Running+Ready : {wall:.2f} s "
              f"(25%: {marks.get(0.25, 0):.2f} s, 50%: {marks.get(0.5, 0):.2f} s, 75%: {marks.get(0.75, 0):.2f} s)")
        print(f"  throughput                     : {args.pods / wall:.0f} pods/s")
        print(f"  server CPU while scaling       : {busy_cpu:.1f} s ({100 * busy_cpu / wall:.0f}% of one core)")
        print(f"  server peak RSS                : {peak_rss_mb(srv.pid):.0f} MB")
        print(f"  idle CPU afterwards at {args.speed:g}x   : {idle_fast:.1f} % (over {args.idle_seconds:g} s, "
              f"{args.settle:g} s after all Running)")
        print(f"  idle CPU afterwards at 1x      : {idle_1x:.1f} %")
    finally:
        srv.terminate()
        try:
            srv.wait(15)
        except subprocess.TimeoutExpired:
            srv.kill()


if __name__ == "__main__":
    main()
