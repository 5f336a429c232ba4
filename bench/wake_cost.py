"""Benchmark: what one wake-up of a sleeping Python thread costs on this machine.

An idle kubeplay does a little work now and then: a Lease cohort, a node-monitor sweep, an Event
expiring. Its idle CPU is then (wake-ups a second) × (what one costs), and the second factor is the
machine's, not ours: after a sleep, the interpreter's code and data may be out of the CPU's caches
(on a VM, the host ran others meanwhile), and the same work costs several times its warm cost.
This prints that factor, so idle figures from different machines can be read side by side
(bench/README.md, "What an idle cluster costs").

For each gap it sleeps that long, then runs one fixed piece of work (building and serialising a
small dict 300 times, ~0.7 ms warm on a 2026 2-core VM), and reports the work's CPU time (the
thread's own clock: the kernel's work to wake it counts too) — median of the tries. Asserts nothing.

    .venv/bin/python bench/wake_cost.py [--tries 5]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

GAPS = (0.0, 0.01, 0.1, 0.5, 1.0, 4.0)


def work() -> None:
    d = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "spec": {"holderIdentity": "node-1"}}
    for i in range(300):
        json.dumps(dict(d, i=i))


def cost_after(gap: float, tries: int) -> float:
    """Median CPU microseconds of work() run right after sleeping `gap` seconds."""
    out = []
    for _ in range(tries):
        if gap:
            time.sleep(gap)
        else:
            work()                      # warm: the same work just before
        c0 = time.thread_time()
        work()
        out.append((time.thread_time() - c0) * 1e6)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tries", type=int, default=5)
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    warm = cost_after(0.0, max(args.tries, 20))
    print(f"  the work, warm               : {warm:7.0f} us CPU")
    for gap in GAPS[1:]:
        c = cost_after(gap, args.tries)
        print(f"  the work after {gap:4g} s asleep : {c:7.0f} us CPU ({c / warm:4.1f}x warm, "
              f"+{c - warm:.0f} us a wake-up)")


if __name__ == "__main__":
    main()
