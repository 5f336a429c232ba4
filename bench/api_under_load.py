"""Benchmark: the API while the cluster is busy — during bench/scale_deployment.py's scale-up
(0 → 10,000 pods on 50 nodes at 100×), three clients run beside it:

- lists: `kubectl get pods -A`'s request, as a Table (the Accept header kubectl sends) and as
  JSON, one after the other until the scale-up ends; each timed to its last byte;
- writes: one ConfigMap patched (a single-object write) as fast as answers come, with a 20 ms
  pause between; each timed;
- a watch of all pods from the resourceVersion before the scale-up, read promptly: it must see
  no ERROR (a 410 Gone means it fell out of the watch history) and, after the Deployment reports
  every replica available, see every pod Ready (its lag is printed).

Targets (issue 16): list ≤ 1 s, write p99 ≤ 50 ms, no 410. Prints figures; asserts nothing.

    .venv/bin/python bench/api_under_load.py [--pods 10000] [--nodes 50] [--speed 100]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scale_deployment import Server, call, scale_up  # noqa: E402

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def timed_get(port: int, path: str, accept: str) -> tuple[float, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    t0 = time.perf_counter()
    conn.request("GET", path, headers={"Accept": accept})
    resp = conn.getresponse()
    body = resp.read()
    took = time.perf_counter() - t0
    conn.close()
    if resp.status != 200:
        raise RuntimeError(f"GET {path}: {resp.status} {body[:200]!r}")
    return took, len(body)


class Watch(threading.Thread):
    """All pods from `rv`, read as fast as they come; counts ERROR events and Ready bench pods."""

    def __init__(self, port: int, rv: str):
        super().__init__(daemon=True)
        self.port, self.rv = port, rv
        self.events = self.errors = 0
        self.ready: set[str] = set()
        self.closed = False

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        conn.request("GET", f"/api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion={self.rv}")
        resp = conn.getresponse()
        for line in resp:
            ev = json.loads(line)
            self.events += 1
            if ev["type"] == "ERROR":
                self.errors += 1
                break
            pod = ev["object"]
            name = pod["metadata"].get("name", "")
            if not name.startswith("bench-"):
                continue
            ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                        for c in pod.get("status", {}).get("conditions", ()))
            if ready and ev["type"] != "DELETED":
                self.ready.add(name)
            else:
                self.ready.discard(name)
        self.closed = True


def run(pods: int = 10000, nodes: int = 50, speed: float = 100.0) -> dict:
    srv = Server(pods, nodes, speed, False)
    port = srv.port
    stop = threading.Event()
    lists: dict[str, list[float]] = {"table": [], "json": []}
    writes: list[float] = []
    try:
        call(f"{srv.base}/api/v1/namespaces/default/configmaps", "POST",
             {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "probe"}, "data": {"n": "0"}})
        rv = call(f"{srv.base}/api/v1/pods?limit=1")["metadata"]["resourceVersion"]
        watch = Watch(port, rv)
        watch.start()

        def lister() -> None:
            while not stop.is_set():
                lists["table"].append(timed_get(port, "/api/v1/pods", TABLE)[0])
                lists["json"].append(timed_get(port, "/api/v1/pods", "application/json")[0])

        def writer() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            n = 0
            while not stop.is_set():
                n += 1
                body = json.dumps({"data": {"n": str(n)}})
                t0 = time.perf_counter()
                conn.request("PATCH", "/api/v1/namespaces/default/configmaps/probe", body,
                             {"Content-Type": "application/merge-patch+json"})
                resp = conn.getresponse()
                resp.read()
                writes.append(time.perf_counter() - t0)
                if resp.status != 200:
                    raise RuntimeError(f"PATCH: {resp.status}")
                time.sleep(0.02)

        threads = [threading.Thread(target=lister, daemon=True), threading.Thread(target=writer, daemon=True)]
        for t in threads:
            t.start()
        out = scale_up(srv, pods)
        done = time.monotonic()
        stop.set()
        for t in threads:
            t.join(120)
        while len(watch.ready) < pods and not watch.closed and time.monotonic() - done < 60:
            time.sleep(0.05)
        out.update(lists=lists, writes=writes, watch_events=watch.events, watch_errors=watch.errors,
                   watch_ready=len(watch.ready), watch_lag=time.monotonic() - done)
        return out
    finally:
        stop.set()
        srv.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=10000)
    ap.add_argument("--nodes", type=int, default=50)
    ap.add_argument("--speed", type=float, default=100.0)
    args = ap.parse_args()
    r = run(args.pods, args.nodes, args.speed)
    print(f"API during 0 -> {args.pods} pods on {args.nodes} nodes ({r['wall']:.1f} s; "
          f"load average {os.getloadavg()[0]:.1f})")
    for kind, ts in r["lists"].items():
        print(f"  GET all pods as {kind:5} : {len(ts):3d} lists, median {statistics.median(ts):.2f} s, "
              f"max {max(ts):.2f} s (target <= 1 s)" if ts else f"  GET all pods as {kind}: none finished")
    w = r["writes"]
    print(f"  ConfigMap PATCH          : {len(w)} writes, median {1000 * statistics.median(w):.0f} ms, "
          f"p99 {1000 * pct(w, 0.99):.0f} ms, max {1000 * max(w):.0f} ms (target p99 <= 50 ms)")
    print(f"  server CPU during the scale-up: {r['cpu']:.1f} s")
    print(f"  watch of all pods        : {r['watch_events']} events, {r['watch_errors']} ERROR (410), "
          f"{r['watch_ready']}/{args.pods} seen Ready, {r['watch_lag']:.2f} s after the Deployment was available")


if __name__ == "__main__":
    main()
