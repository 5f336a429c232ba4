"""Where the page's main-thread time goes: Chromium's performance timeline during browser_frames.py's runs.

Runs one of browser_frames.py's scenarios with Playwright's `browser.start_tracing` (the
devtools.timeline categories and V8's sampling profiler) and prints the renderer main thread's
time by phase (script, style, layout, pre-paint, paint, layerize, commit, GC) per frame, how many
tasks took over 16.7 ms, and the JavaScript functions that took the most (self and inclusive).

    .venv-test/bin/python bench/page_profile.py 1000               # a Deployment 0 -> 1,000 pods
    .venv-test/bin/python bench/page_profile.py load               # a fresh page on 10,000 pods
    .venv-test/bin/python bench/page_profile.py 1000 --css '#log-list{display:none}'
    .venv-test/bin/python bench/page_profile.py 1000 --trace /tmp/t.json   # keep the trace

`--css` adds a style sheet to the page first: hiding a part of the page (or changing how it is
drawn) shows what that part costs without changing the code. The figures are wall times of a
shared machine (see README.md): compare runs made back to back, not with other days.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile

from playwright.sync_api import sync_playwright

import browser_frames as frames

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute",
              "disabled-by-default-v8.cpu_profiler"]
PHASES = ("RunTask", "FunctionCall", "UpdateLayoutTree", "Layout", "PrePaint", "Paint", "Layerize",
          "Commit", "MajorGC", "MinorGC")


def main_thread(events: list) -> tuple:
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name"}
    count = collections.Counter((e.get("pid"), e.get("tid")) for e in events)
    return max((k for k, v in names.items() if v == "CrRendererMain"), key=lambda k: count[k])


def phases(events: list) -> tuple[collections.Counter, int]:
    """Milliseconds per phase on the main thread, and the number of tasks over 16.7 ms."""
    main = main_thread(events)
    out: collections.Counter = collections.Counter()
    long_tasks = 0
    for e in events:
        if (e.get("pid"), e.get("tid")) != main or e.get("ph") != "X" or e["name"] not in PHASES:
            continue
        out[e["name"]] += e.get("dur", 0) / 1000
        if e["name"] == "RunTask" and e.get("dur", 0) > 16_700:
            long_tasks += 1
    return out, long_tasks


def js_profile(events: list) -> tuple[collections.Counter, collections.Counter]:
    """Milliseconds per JavaScript function (self, inclusive) from the sampling profiler."""
    nodes, samples, deltas = {}, [], []
    for e in events:
        if e.get("name") == "ProfileChunk":
            data = e["args"]["data"]
            for n in data.get("cpuProfile", {}).get("nodes", []):
                nodes[n["id"]] = n
            samples += data.get("cpuProfile", {}).get("samples", [])
            deltas += data.get("timeDeltas", [])
    parent = {n["id"]: n["parent"] for n in nodes.values() if "parent" in n}

    def label(i):
        cf = nodes[i]["callFrame"]
        return f'{cf.get("functionName") or "(anonymous)"} {cf.get("url", "").rsplit("/", 1)[-1]}:{cf.get("lineNumber", 0) + 1}'

    own: collections.Counter = collections.Counter()
    inclusive: collections.Counter = collections.Counter()
    for sample, dt in zip(samples, deltas):
        if sample not in nodes:
            continue
        own[label(sample)] += dt / 1000
        seen, i = set(), sample
        while i in nodes:
            key = label(i)
            if key not in seen:
                inclusive[key] += dt / 1000
                seen.add(key)
            i = parent.get(i)
    return own, inclusive


def run(scenario: str, css: str | None, trace_path: str) -> dict:
    home = tempfile.mkdtemp(prefix="kubeplay-profile-")
    out: dict = {"loadavg_before": round(os.getloadavg()[0], 1)}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                     headless=True, args=frames.LAUNCH_ARGS)
        try:
            if scenario == "1000":
                proc, url = frames.start_server(home, **frames.SERVER_1000)
                try:
                    frames.call(url, "POST", "/apis/apps/v1/namespaces/default/deployments", frames.DEPLOYMENT)
                    page = frames.open_page(browser, url, frames.RECORDER)
                    if css:
                        page.add_style_tag(content=css)
                    browser.start_tracing(page=page, path=trace_path, categories=CATEGORIES)
                    out["frames"] = frames.follow(page, url, 1000, 600)
                    browser.stop_tracing()
                finally:
                    frames.stop_server(proc)
            else:
                proc, url = frames.start_server(home, nodes=50, speed=100, max_pods=10100, pods_per_node=250)
                try:
                    frames.call(url, "POST", "/apis/apps/v1/namespaces/default/deployments", frames.DEPLOYMENT)
                    frames.scale_and_wait(url, 10000)
                    page = browser.new_page(viewport={"width": 1440, "height": 900})
                    page.add_init_script("window.__wantPods = 10000;" + frames.FIRST_FULL_DRAW)
                    browser.start_tracing(page=page, path=trace_path, categories=CATEGORIES)
                    page.goto(url + "/")
                    page.wait_for_function("window.__firstFullDraw !== null", timeout=300_000, polling=100)
                    browser.stop_tracing()
                    out["first_full_draw_s"] = round(page.evaluate("window.__firstFullDraw") / 1000, 2)
                finally:
                    frames.stop_server(proc)
        finally:
            browser.close()
    out["loadavg_after"] = round(os.getloadavg()[0], 1)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", choices=("1000", "load"))
    ap.add_argument("--css", help="a style sheet added to the page before measuring")
    ap.add_argument("--trace", help="keep the trace here (JSON; opens in Chrome DevTools' Performance panel)")
    ap.add_argument("--top", type=int, default=25, help="JavaScript functions to list")
    args = ap.parse_args()
    trace_path = args.trace or os.path.join(tempfile.mkdtemp(prefix="kubeplay-trace-"), "trace.json")
    r = run(args.scenario, args.css, trace_path)
    with open(trace_path) as f:
        events = json.load(f)["traceEvents"]
    ms, long_tasks = phases(events)
    print(f"load average {r['loadavg_before']} - {r['loadavg_after']}; trace {trace_path}")
    if "frames" in r:
        f = r["frames"]
        n = max(1, f["frames"])
        print(f"{f['frames']} frames in {f['seconds']} s: cost median {f.get('cost_median_ms')} ms, "
              f"p95 {f.get('cost_p95_ms')} ms, {f.get('over_16ms_pct')} % over 16.7 ms")
        print("main thread per frame (ms): " + " ".join(f"{k}={ms[k] / n:.1f}" for k in PHASES))
    else:
        print(f"first full draw {r['first_full_draw_s']} s")
        print("main thread (ms): " + " ".join(f"{k}={ms[k]:.0f}" for k in PHASES))
    print(f"tasks over 16.7 ms: {long_tasks}")
    own, inclusive = js_profile(events)
    print("JavaScript, inclusive ms:")
    for k, v in inclusive.most_common(args.top):
        print(f"  {v:8.1f}  {k}")
    print("JavaScript, self ms:")
    for k, v in own.most_common(args.top):
        print(f"  {v:8.1f}  {k}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
