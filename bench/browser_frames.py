"""Frame times of the playground page in Chromium while a Deployment scales 0 → 1,000 → 5,000 pods.

Starts `kubeplay serve --in-memory` (50 nodes, so 5,000 pods fit under the 110-pods-per-node
limit), opens the page in headless Chromium, scales a Deployment through the API and records
every animation frame until the page shows all pods Running. For each frame it measures:

- its cost: the main-thread time it took — the WebSocket messages handled since the previous
  frame (parsing, updating the model) plus the frame itself (our drawing, style, layout and
  paint; the frame's rAF callback posts a message that runs once the frame's rendering is
  done). This is what decides whether the page keeps up: a frame that costs under 16.7 ms fits
  in a 60 Hz display's frame;
- its interval: the time since the previous frame began. Headless Chromium paces frames at
  60 Hz whatever the flags (--disable-frame-rate-limit has no effect there), so an idle page
  already shows 16.7 ms; intervals over ~17 ms are frames the page could not keep up with.

Prints median / p95 / max per phase, the share of frames that missed 60 Hz, and the time the
page took to show the whole change.

    .venv/bin/python bench/browser_frames.py [--nodes 50] [--speed 20] [--steps 1000,5000]

Targets (issue 3): median frame under 16 ms at 1,000 pods, under 33 ms at 5,000 — compared
with the median cost. This script prints figures; it asserts nothing about time.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "bench", "namespace": "default"},
    "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "bench"}},
             "template": {"metadata": {"labels": {"app": "bench"}},
                          "spec": {"containers": [{"name": "app", "image": "nginx"}]}}},
}

# Per animation frame: its main-thread cost (WebSocket message handling since the previous frame,
# then the frame's own script, style, layout and paint — a MessageChannel task posted from the
# frame's first rAF callback runs after that frame's rendering) and its interval.
RECORDER = """
(() => {
  const rec = window.__frames = { on: false, costs: [], gaps: [], last: 0, pending: 0 };
  const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, "onmessage");
  Object.defineProperty(WebSocket.prototype, "onmessage", {
    get() { return onmessage.get.call(this); },
    set(fn) {
      onmessage.set.call(this, function (ev) {
        const t = performance.now();
        try { return fn.call(this, ev); } finally { rec.pending += performance.now() - t; }
      });
    },
  });
  function tick(ts) {
    const start = performance.now();
    if (rec.on && rec.last) rec.gaps.push(ts - rec.last);
    rec.last = ts;
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      const cost = performance.now() - start + rec.pending;
      rec.pending = 0;
      if (rec.on) rec.costs.push(cost);
    };
    ch.port2.postMessage(0);
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
})();
"""

RUNNING_COUNT = "document.querySelectorAll('[data-pod][data-status=Running]').length"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url: str, method: str, path: str, body=None, ctype="application/json"):
    req = urllib.request.Request(url + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": ctype, "Accept": "application/json"})
    with OPENER.open(req, timeout=60) as r:
        return json.loads(r.read() or b"null")


def start_server(args, home: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "webapp", "serve", "--in-memory", "--no-browser", "--port", str(port),
           "--nodes", str(args.nodes), "--speed", str(args.speed),
           "--max-pods", str(max(args.steps) + 100)]
    log = open(os.path.join(home, "server.log"), "w")
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                            env=dict(os.environ, HOME=home))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with OPENER.open(url + "/healthz", timeout=1):
                return proc, url
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"kubeplay did not start; see {home}/server.log")


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=50)
    ap.add_argument("--speed", type=float, default=20)
    ap.add_argument("--steps", default="1000,5000", help="replica counts to scale to, in order")
    ap.add_argument("--timeout", type=float, default=600, help="seconds to wait for each step")
    ap.add_argument("--headed", action="store_true")
    args = ap.parse_args()
    args.steps = [int(x) for x in args.steps.split(",")]
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

    home = tempfile.mkdtemp(prefix="kubeplay-bench-")
    proc, url = start_server(args, home)
    results = []
    try:
        call(url, "POST", "/apis/apps/v1/namespaces/default/deployments", DEPLOYMENT)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium, headless=not args.headed,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update"])
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.add_init_script(RECORDER)
            page.goto(url + "/")
            page.wait_for_function("document.querySelector('#conn').dataset.state === 'live'")
            for n in args.steps:
                page.evaluate("() => { const r = window.__frames; r.gaps = []; r.costs = []; r.last = 0; r.pending = 0; r.on = true; }")
                t0 = time.monotonic()
                call(url, "PATCH", "/apis/apps/v1/namespaces/default/deployments/bench/scale",
                     {"spec": {"replicas": n}}, "application/merge-patch+json")
                page.wait_for_function(f"{RUNNING_COUNT} >= {n}", timeout=args.timeout * 1000, polling=500)
                took = time.monotonic() - t0
                frames = page.evaluate("() => { const r = window.__frames; r.on = false; return [r.costs, r.gaps]; }")
                results.append((n, took, *frames))
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()

    print(f"kubeplay page frames in headless Chromium ({args.nodes} nodes, --speed {args.speed:g})")
    print(f"{'pods':>6} {'frames':>7} | {'cost: median':>12} {'p95':>6} {'max':>6} ms | "
          f"{'interval: median':>16} {'p95':>6} ms {'missed 60 Hz':>13} | {'all Running after':>17}")
    for n, took, costs, gaps in results:
        if not costs:
            print(f"{n:>6} {'0':>7}")
            continue
        missed = sum(1 for g in gaps if g > 17.5) / max(1, len(gaps))
        print(f"{n:>6} {len(costs):>7} | {statistics.median(costs):>12.1f} {pct(costs, 0.95):>6.1f} "
              f"{max(costs):>6.1f}    | {statistics.median(gaps) if gaps else 0:>16.1f} "
              f"{pct(gaps, 0.95) if gaps else 0:>6.1f}    {100 * missed:>12.0f}% | {took:>15.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
