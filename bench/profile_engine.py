"""Where the engine's time and memory go: the scale-up of bench/scale_deployment.py without the
HTTP server, in this process, on a ManualClock advanced in 0.5 s steps, freezing the collector's survivors while busy as the
engine thread does (so the figures are the engine's work, not the machine's scheduling of two
threads).

    .venv/bin/python bench/profile_engine.py --pods 10000 --nodes 50 [--cprofile out.prof] [--tracemalloc]

Prints the wall and CPU time to all pods available, the process's peak RSS, and with
--tracemalloc the 25 source lines holding most of the memory still allocated at the end.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import resource
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from engine import resources as kinds  # noqa: E402
from engine.clock import ManualClock  # noqa: E402
from engine.cluster import Cluster  # noqa: E402
from engine.store import Store  # noqa: E402

DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bench", "namespace": "default"},
              "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "bench"}},
                       "template": {"metadata": {"labels": {"app": "bench"}},
                                    "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                                             "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}}}


def deep_size(obj, seen: set) -> int:
    """Bytes reachable from obj through dicts, lists and tuples not counted before (so what two
    places share is counted once, by the first)."""
    total, stack = 0, [obj]
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        total += sys.getsizeof(o)
        if type(o) is dict:
            stack.extend(o.keys())
            stack.extend(o.values())
        elif type(o) in (list, tuple):
            stack.extend(o)
    return total


def print_sizes(cluster, pods: int) -> None:
    seen: set = set()
    store = cluster.store
    rows = []
    for rname, by_ns in store._objs.items():
        n = sum(len(v) for v in by_ns.values())
        if n:
            rows.append((deep_size(by_ns, seen), f"{rname} ({n})"))
    rows.append((deep_size(list(store._history), seen), f"watch history beyond the objects ({len(store._history)} events)"))
    rows.append((deep_size(store._owned, seen), "owner index"))
    tl = cluster.timeline
    rows.append((deep_size([list(tl._changes), tl._base], seen), f"timeline beyond the above ({len(tl._changes)} changes)"))
    total = sum(r[0] for r in rows)
    print(f"reachable from the store and timeline: {total / 2**20:.0f} MB ({total / pods / 1024:.1f} KB a pod)")
    for size, what in sorted(rows, reverse=True)[:15]:
        print(f"  {size / 2**20:8.1f} MB  {what}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=10000)
    ap.add_argument("--nodes", type=int, default=50)
    ap.add_argument("--cprofile", metavar="FILE", help="write a cProfile of the scale-up to FILE")
    ap.add_argument("--tracemalloc", action="store_true", help="top allocation sites still alive at the end")
    ap.add_argument("--progress", action="store_true", help="a line per simulated half second")
    ap.add_argument("--sizes", action="store_true", help="memory held by each kind's objects, the watch history, the timeline")
    args = ap.parse_args()

    per_node = max(110, -(-args.pods * 5 // (4 * args.nodes)))
    store = Store(max_pods=args.pods + 10 * args.nodes + 100)
    clock = ManualClock()
    cluster = Cluster(store=store, clock=clock, nodes=args.nodes, pods_per_node=per_node, control_plane=True)
    cluster.freeze_heap = True      # as the engine thread does while busy (engine/heap.py)
    cluster.run_until_idle()
    store.create(DEPLOYMENT)
    cluster.advance(1)
    if args.tracemalloc:
        tracemalloc.start(1)
    prof = cProfile.Profile() if args.cprofile else None
    t0, c0 = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    store.patch(kinds.DEPLOYMENT, "default", "bench", "merge", {"spec": {"replicas": args.pods}})
    steps = 0
    while (avail := store.get(kinds.DEPLOYMENT, "default", "bench").get("status", {}).get("availableReplicas", 0)) < args.pods:
        cluster.advance(0.5)
        steps += 1
        if args.progress:
            print(f"  {steps * 0.5:g} simulated s: {avail} available, {time.perf_counter() - t0:.0f} s wall, "
                  f"{time.process_time() - c0:.0f} s CPU, peak RSS "
                  f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)
        if steps > 4000:
            raise SystemExit("did not finish in 2,000 simulated seconds")
    if prof:
        prof.disable()
        prof.dump_stats(args.cprofile)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"0 -> {args.pods} pods on {args.nodes} nodes: {wall:.2f} s wall, {cpu:.2f} s CPU, "
          f"{steps * 0.5:g} simulated s, peak RSS {rss:.0f} MB, rv {store.resource_version}")
    if args.sizes:
        print_sizes(cluster, args.pods)
    if args.tracemalloc:
        snap = tracemalloc.take_snapshot()
        total = sum(s.size for s in snap.statistics("filename"))
        print(f"traced memory alive: {total / 2**20:.0f} MB ({total / args.pods / 1024:.1f} KB a pod)")
        for stat in snap.statistics("lineno")[:25]:
            print(f"  {stat.size / 2**20:7.1f} MB {stat.count:9d}  {stat.traceback[0]}")


if __name__ == "__main__":
    main()
