"""All of issue 16's figures in one table: the scale benchmark (bench/scale_deployment.py), the
API under load (bench/api_under_load.py) and the page's frames (bench/browser_frames.py), each
row with its target and the ratio figure/target (≤ 1.00 meets it). With --runs N each benchmark
runs N times and the table shows min – median – max.

    .venv/bin/python bench/run_all.py [--runs 3] [--big] [--state] [--no-page] [--instructions]

--big adds the 100,000-pod, 1,000-node scale-up (minutes, ~2 GB); --state adds the 10,000-pod
scale-up with a SQLite state file (target: ≤ 1.5× the in-memory time). The page benchmark needs
Playwright's Chromium (the test extras); it is skipped with --no-page. --instructions adds the
engine's and the floor's instructions a pod (bench/instructions.py, valgrind): the same on every
run, where the timed rows move with the VM's speed. Prints figures; asserts nothing (the machine
is shared: say its load beside the figures).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import api_under_load  # noqa: E402
import instructions  # noqa: E402
import scale_deployment  # noqa: E402
import wake_cost  # noqa: E402


def spread(values: list[float], fmt: str) -> str:
    if not values:
        return "—"
    if len(values) == 1:
        return fmt.format(values[0])
    return " – ".join(fmt.format(v) for v in (min(values), statistics.median(values), max(values)))


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, what: str, values: list[float], fmt: str, target: float | None, target_text: str) -> None:
        ratio = spread([v / target for v in values], "{:.2f}") if target and values else ""
        self.rows.append((what, spread(values, fmt), target_text, ratio))

    def print(self) -> None:
        head = ("figure", "measured (min – median – max)", "target", "ratio")
        widths = [max(len(r[i]) for r in self.rows + [head]) for i in range(4)]
        for r in [head, tuple("-" * w for w in widths)] + self.rows:
            print(" | ".join(c.ljust(w) for c, w in zip(r, widths)))


def page_runs(runs: int) -> list[dict]:
    """browser_frames.run()'s figures, once per run (its own server and Chromium each time)."""
    import browser_frames  # noqa: E402  (imports Playwright: only when the page is benchmarked)
    return [browser_frames.run() for _ in range(runs)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--big", action="store_true", help="also 0 -> 100,000 pods on 1,000 nodes")
    ap.add_argument("--state", action="store_true", help="also the 10,000-pod scale-up with a SQLite state file")
    ap.add_argument("--no-page", action="store_true", help="skip the browser benchmark")
    ap.add_argument("--instructions", action="store_true",
                    help="also count instructions a pod under valgrind (the engine's and the floor's, once)")
    args = ap.parse_args()
    t = Table()
    load = [os.getloadavg()[0]]

    # The machine's price of a wake-up (bench/wake_cost.py): idle figures are wake-ups × this.
    waking = [wake_cost.cost_after(1.0, 3) / wake_cost.cost_after(0.0, 20) for _ in range(args.runs)]
    t.add("machine: work after 1 s asleep / warm", waking, "{:.1f}", None, "(the machine's)")
    small = [scale_deployment.run(10000, 50, 100.0) for _ in range(args.runs)]
    load.append(os.getloadavg()[0])
    t.add("10k pods/50 nodes: wall s", [r["wall"] for r in small], "{:.1f}", None, "")
    t.add("10k: floor (plain Python) wall s", [r["floor"] for r in small], "{:.2f}", None, "")
    t.add("10k: wall / floor", [r["wall"] / r["floor"] for r in small], "{:.2f}", 2.0, "≤ 2×")
    t.add("10k: server CPU / floor CPU", [r["cpu"] / r["floor_cpu"] for r in small], "{:.2f}", 2.0, "≤ 2× (steadier)")
    t.add("10k: peak RSS MB", [r["rss_mb"] for r in small], "{:.0f}", None, "")
    t.add("idle CPU % at 1× (10k pods)", [r["idle_1x"] for r in small], "{:.1f}", 1.0, "≤ 1 %")
    if args.instructions:
        # Counted once: a count does not move from run to run (bench/instructions.py).
        n = instructions.run()
        load.append(os.getloadavg()[0])
        t.add("10k: engine instructions a pod, M", [n["engine"]["per_pod"] / 1e6], "{:.3f}", None, "")
        t.add("10k: floor instructions a pod, M", [n["floor"]["per_pod"] / 1e6], "{:.3f}", None, "")
        t.add("10k: engine / floor instructions", [n["ratio"]], "{:.2f}", None, "(≤ 2× is in time)")
    if args.state:
        disk = [scale_deployment.run(10000, 50, 100.0, state=True, floor=False) for _ in range(args.runs)]
        load.append(os.getloadavg()[0])
        t.add("10k with SQLite state: wall s", [r["wall"] for r in disk], "{:.1f}", None, "")
        t.add("10k: SQLite / in-memory wall", [d["wall"] / statistics.median(r["wall"] for r in small) for d in disk],
              "{:.2f}", 1.5, "≤ 1.5×")
    if args.big:
        big = [scale_deployment.run(100000, 1000, 100.0, floor=False) for _ in range(args.runs)]
        load.append(os.getloadavg()[0])
        t.add("100k pods/1,000 nodes: wall s", [r["wall"] for r in big], "{:.0f}", 60.0, "≤ 60 s")
        t.add("100k: peak RSS MB", [r["rss_mb"] for r in big], "{:.0f}", 2048.0, "≤ 2 GB")
        t.add("100k: idle CPU % at 1×", [r["idle_1x"] for r in big], "{:.1f}", 1.0, "≤ 1 %")

    api = [api_under_load.run(10000, 50, 100.0) for _ in range(args.runs)]
    load.append(os.getloadavg()[0])
    t.add("during 10k: GET all pods, Table, max s", [max(r["lists"]["table"]) for r in api], "{:.2f}", 1.0, "≤ 1 s")
    t.add("during 10k: GET all pods, JSON, max s", [max(r["lists"]["json"]) for r in api], "{:.2f}", 1.0, "≤ 1 s")
    t.add("during 10k: write p99 ms", [1000 * api_under_load.pct(r["writes"], 0.99) for r in api], "{:.0f}",
          50.0, "≤ 50 ms")
    t.add("during 10k: watch ERROR (410) events", [float(r["watch_errors"]) for r in api], "{:.0f}", None, "0")
    t.add("during 10k: watch lag after available, s", [r["watch_lag"] for r in api], "{:.2f}", None, "prompt")

    if not args.no_page:
        pages = page_runs(args.runs)
        load.append(os.getloadavg()[0])
        got = [r["pods_1000"] for r in pages if r.get("pods_1000", {}).get("frames")]
        t.add("page, 1,000 changing pods: p95 frame cost ms", [m["cost_p95_ms"] for m in got], "{:.1f}", 33.0,
              "≤ 33 ms")
        t.add("page, 1,000 changing pods: frames over 16.7 ms %", [m["over_16ms_pct"] for m in got], "{:.0f}", 10.0,
              "≤ 10 %")
        got = [r["pods_10000"] for r in pages if r.get("pods_10000", {}).get("frames")]
        t.add("page, 10,000 pods (aggregated): p95 frame cost ms", [m["cost_p95_ms"] for m in got], "{:.1f}", 50.0,
              "≤ 50 ms")
        got = [r["load_10000"] for r in pages if r.get("load_10000")]
        t.add("page, 10,000 pods: first full draw s", [m["first_full_draw_s"] for m in got], "{:.2f}", 2.0, "≤ 2 s")

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{args.runs} run(s) each; load average during the runs {min(load):.1f} – {max(load):.1f}")
    t.print()


if __name__ == "__main__":
    main()
