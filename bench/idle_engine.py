"""What an idle cluster costs the engine: CPU per simulated second once a scale-up has settled,
in this process, on a ManualClock (so the figure is the engine's own work, not the machine's
scheduling of the server's threads), with the collector's survivors frozen as the engine
thread does.

    .venv/bin/python bench/idle_engine.py --nodes 1000 --pods 2000 [--seconds 120] [--step 0.5] [--state FILE]
        [--cprofile out.prof]

Prints the CPU per simulated second over --seconds simulated seconds after the settle (and the
same as a % of a core at 1×), the Lease renewals and resourceVersions in that time, and the
collector's collections per generation.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from engine import resources as kinds  # noqa: E402
from engine.clock import ManualClock  # noqa: E402
from engine.cluster import Cluster  # noqa: E402
from engine.store import Store  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from profile_engine import DEPLOYMENT  # noqa: E402


def settle(nodes: int, pods: int, state: str | None = None) -> Cluster:
    per_node = max(110, -(-pods * 5 // (4 * nodes)))
    store = Store(state, max_pods=pods + 10 * nodes + 100)
    cluster = Cluster(store=store, clock=ManualClock(), nodes=nodes, pods_per_node=per_node, control_plane=True)
    cluster.freeze_heap = True
    cluster.run_until_idle()
    store.create(DEPLOYMENT)
    cluster.advance(1)
    store.patch(kinds.DEPLOYMENT, "default", "bench", "merge", {"spec": {"replicas": pods}})
    while store.get(kinds.DEPLOYMENT, "default", "bench").get("status", {}).get("availableReplicas", 0) < pods:
        cluster.advance(0.5)
    for _ in range(120):            # the scale-up's stragglers (Events, requeues) die out
        cluster.advance(0.5)
    return cluster


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=2000)
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=120.0, help="simulated seconds measured")
    ap.add_argument("--step", type=float, default=0.5, help="simulated seconds per advance()")
    ap.add_argument("--repeat", type=int, default=3, help="measured windows")
    ap.add_argument("--state", metavar="FILE", help="keep the state in this (new) SQLite file; each engine pass "
                    "commits, waiting for the writer thread (the server hands over every 0.25 wall s)")
    ap.add_argument("--cprofile", metavar="FILE", help="write a cProfile of one more window to FILE")
    args = ap.parse_args()

    t0 = time.process_time()
    if args.state and os.path.exists(args.state):
        raise SystemExit(f"{args.state} exists: give a new file")
    cluster = settle(args.nodes, args.pods, args.state)
    print(f"settled {args.pods} pods on {args.nodes} nodes in {time.process_time() - t0:.1f} s CPU", flush=True)
    steps = round(args.seconds / args.step)
    store = cluster.store

    gc_time = [0.0, 0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_time[1] = time.process_time()
        else:
            gc_time[0] += time.process_time() - gc_time[1]
    gc.callbacks.append(on_gc)

    def window() -> tuple[float, int]:
        rv = store.resource_version
        t = time.process_time()
        for _ in range(steps):
            cluster.advance(args.step)
        return time.process_time() - t, store.resource_version - rv

    for i in range(args.repeat):
        before = [s["collections"] for s in gc.get_stats()]
        gc_time[0] = 0.0
        cpu, writes = window()
        gcs = [s["collections"] - b for s, b in zip(gc.get_stats(), before)]
        ms = cpu / args.seconds * 1000
        print(f"window {i + 1}: {ms:.2f} ms CPU per simulated s ({ms / 10:.2f} % of a core at 1x), "
              f"{writes / args.seconds:.1f} writes per simulated s, gc collections by generation {gcs} "
              f"({gc_time[0] / args.seconds * 1000:.2f} ms per simulated s)", flush=True)
    if args.cprofile:
        prof = cProfile.Profile()
        prof.enable()
        window()
        prof.disable()
        prof.dump_stats(args.cprofile)


if __name__ == "__main__":
    main()
