"""Frame times of the playground page in Chromium while a Deployment scales 0 → 1,000 → 5,000 pods.

Starts `kubeplay serve --in-memory` (50 nodes, so 5,000 pods fit under the 110-pods-per-node
limit), opens the page in headless Chromium with the frame-rate limit off — so the interval
between two animation frames is what one frame really costs (style, layout, paint and our own
drawing), not the display's 16.7 ms — then scales a Deployment through the API and records every
frame until the page shows all pods Running. Prints median / p95 / max frame times per phase
and the time the page took to show the whole change.

    .venv/bin/python bench/browser_frames.py [--nodes 50] [--speed 20] [--steps 1000,5000]

Targets (issue 3): median frame under 16 ms at 1,000 pods, under 33 ms at 5,000. This script
prints figures; it asserts nothing about time.
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

# Records the interval between consecutive animation frames, and how long our own draw took.
RECORDER = """
(() => {
  const rec = window.__frames = { on: false, gaps: [], last: 0 };
  function tick(t) {
    if (rec.on && rec.last) rec.gaps.push(t - rec.last);
    rec.last = t;
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
                      "--disable-component-update", "--disable-frame-rate-limit", "--disable-gpu-vsync"])
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.add_init_script(RECORDER)
            page.goto(url + "/")
            page.wait_for_function("document.querySelector('#conn').dataset.state === 'live'")
            for n in args.steps:
                page.evaluate("() => { window.__frames.gaps = []; window.__frames.last = 0; window.__frames.on = true; }")
                t0 = time.monotonic()
                call(url, "PATCH", "/apis/apps/v1/namespaces/default/deployments/bench/scale",
                     {"spec": {"replicas": n}}, "application/merge-patch+json")
                page.wait_for_function(f"{RUNNING_COUNT} >= {n}", timeout=args.timeout * 1000, polling=500)
                took = time.monotonic() - t0
                gaps = page.evaluate("() => { window.__frames.on = false; return window.__frames.gaps; }")
                results.append((n, took, gaps))
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()

    print(f"kubeplay page frame times in Chromium ({args.nodes} nodes, --speed {args.speed}, "
          f"frame-rate limit off)")
    print(f"{'pods':>6} {'frames':>7} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'page shows all Running after':>30}")
    for n, took, gaps in results:
        if not gaps:
            print(f"{n:>6} {'0':>7}")
            continue
        print(f"{n:>6} {len(gaps):>7} {statistics.median(gaps):>10.1f} {pct(gaps, 0.95):>8.1f} "
              f"{max(gaps):>8.1f} {took:>28.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
