"""The page's own frame cost in a 1,000-pod scale-up, apart from the server's: record, then replay.

browser_frames.py's 1,000-pod figures are taken while the server scales up on the same machine:
on 2 cores the engine, the API and the stream's writes take CPU the page's frames wait for, so a
frame can miss its budget for work the page did not do. This separates the two:

1. **Record**: `kubeplay serve` as browser_frames.py starts it for its 1,000-pod run, the Deployment
   scaled 0 → 1,000 while a page follows (that page's frames are the live run's figures, printed
   too), keeping every message the page's stream hands it — the snapshot's parts and whatever
   came before the scale request, then the scale-up's, each with when it came after the request.
2. **Replay**, `--replays N` times: a fresh page of the same server, now idle (its 1,000 pods
   Running), whose stream worker (static/js/stream-worker.js, its code and its hand-over to the
   page) takes its messages from the recording instead of the snapshot's fetch and the socket:
   Playwright serves a stand-in that imports the real worker and replaces those two. Those before
   the scale request go at once, the scale-up's at the times they came (no sooner than the page
   takes them: one at a time, the next once the page has handled the last). The page does all it
   did live — parsing, the model, every draw — on a machine where nothing else of kubeplay runs.

Each run's frames are measured by browser_frames.py's own recorder and `follow` (the main thread's
cost per frame: the stream's messages since the previous frame and the frame's script, style,
layout and paint), until the page shows the 1,000 pods Running, against the same target: p95
≤ 33 ms and ≤ 10 % of frames over 16.7 ms.

    .venv-test/bin/python bench/page_replay.py [--replays 5] [--json] [--save FILE]
    .venv-test/bin/python bench/page_replay.py --recording FILE    # no live run: FILE's messages

`--save` and `--recording` replay the same messages into two versions of the page (the other's
tree run with `--recording`; the server must write the same stream): a comparison of the pages
alone, with neither the server's run nor the recording's own timing changing between them.

What differs from live, besides the CPU: the page's other requests (the nodes' usage every 5 s,
the control plane's status) are answered by the idle server, with its 1,000 pods' figures.
This script prints figures; it asserts nothing about time.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile

from playwright.sync_api import sync_playwright

import browser_frames as frames

PODS = 1000
REPLAY_PATH = "/__page_replay__/messages.json"
CHANNEL = "kubeplay-page-replay"
REAL_WORKER = "page-replay-real"       # the query that asks for the real stream worker

# Kept by the recording page, outside the frames' timing (this wraps browser_frames' RECORDER, so
# it runs before the timed handler): each text the stream worker hands over, with when it came.
KEEP_MESSAGES = """
(() => {
  const kept = window.__stream = [];
  const onmessage = Object.getOwnPropertyDescriptor(Worker.prototype, "onmessage");
  Object.defineProperty(Worker.prototype, "onmessage", {
    get() { return onmessage.get.call(this); },
    set(fn) {
      onmessage.set.call(this, function (ev) {
        if (typeof ev.data === "string") kept.push([performance.now(), ev.data]);
        return fn.call(this, ev);
      });
    },
  });
})();
"""

# The stand-in for static/js/stream-worker.js: the real worker (imported: its hand-over to the page,
# one message at a time, the next once the page acks) with its two sources of messages — the
# snapshot's fetch and the socket — replaced by the recording, from REPLAY_PATH (served by
# Playwright): {before: [text], burst: [[ms after the scale request, text]]}. The messages before
# the request go at once, the scale-up's from when the script says "go" on CHANNEL, which it does
# as it starts recording frames. The page's hello is held, unanswered but by the recording.
REPLAY_WORKER = """
"use strict";
importScripts("/static/js/stream-worker.js?%(real)s");

connect = () => {};

fetchSnapshot = async () => {
  const rec = await (await fetch("%(path)s")).json();
  const go = new BroadcastChannel("%(channel)s");
  go.onmessage = () => { go.close(); play(rec.burst); };
  deliver({ ev: "open" });
  for (const text of rec.before) deliver(text);
};

function play(burst) {
  const t0 = performance.now();
  let i = 0;
  const due = () => {
    while (i < burst.length && burst[i][0] <= performance.now() - t0) deliver(burst[i++][1]);
    if (i < burst.length) setTimeout(due, burst[i][0] - (performance.now() - t0));
  };
  due();
}
""" % {"path": REPLAY_PATH, "channel": CHANNEL, "real": REAL_WORKER}


def record(browser, url: str, timeout: float) -> tuple[dict, dict]:
    """The live scale-up: its frames, and the recording ({before, burst}) of the page's messages."""
    page = frames.open_page(browser, url, frames.RECORDER + KEEP_MESSAGES)
    at: dict = {}

    def scale_up():
        at["t0"] = page.evaluate("performance.now()")
        frames.scale(url, PODS)

    live = frames.follow(page, url, PODS, timeout, start=scale_up)
    kept = page.evaluate("window.__stream")
    page.close()
    if not kept:
        raise SystemExit("the page's stream handed over no message through its worker: nothing to replay")
    t0 = at["t0"]
    recording = {"before": [text for t, text in kept if t < t0],
                 "burst": [[round(t - t0, 1), text] for t, text in kept if t >= t0]}
    return live, recording


def replay(browser, url: str, recording_json: str, timeout: float) -> dict:
    """A fresh page of the idle server, its stream the recording's: its frames in the scale-up."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.route("**/static/js/stream-worker.js*",
               lambda route: route.continue_() if REAL_WORKER in route.request.url
               else route.fulfill(body=REPLAY_WORKER, content_type="text/javascript"))
    page.route(f"**{REPLAY_PATH}",
               lambda route: route.fulfill(body=recording_json, content_type="application/json"))
    page.add_init_script(frames.RECORDER)
    page.goto(url + "/")
    page.wait_for_function("document.querySelector('#conn').dataset.state === 'live'", timeout=120_000)
    start = f"() => new BroadcastChannel({json.dumps(CHANNEL)}).postMessage('go')"
    out = frames.follow(page, url, PODS, timeout, start=lambda: page.evaluate(start))
    page.close()
    return out


def run(replays: int = 5, timeout: float = 900, save: str | None = None, load: str | None = None) -> dict:
    """Record (or `load` a recording `save` wrote: the same messages for two versions of the page,
    whose servers write the same stream), then replay; returns the figures as a dict."""
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    home = tempfile.mkdtemp(prefix="kubeplay-replay-")
    out: dict = {"targets": frames.TARGETS["pods_1000"], "cores": os.cpu_count(),
                 "loadavg_before": [round(x, 2) for x in os.getloadavg()], "replays": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=frames.LAUNCH_ARGS)
        proc, url = frames.start_server(home, **frames.SERVER_1000)
        try:
            frames.call(url, "POST", "/apis/apps/v1/namespaces/default/deployments", frames.DEPLOYMENT)
            if load:
                with open(load) as f:
                    recording_json = f.read()
                recording = json.loads(recording_json)
                frames.scale_and_wait(url, PODS)     # the server as idle as after a live run
            else:
                out["live"], recording = record(browser, url, timeout)
                out["live"]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
                recording_json = json.dumps(recording)
                if save:
                    with open(save, "w") as f:
                        f.write(recording_json)
            out["recorded"] = {"before": len(recording["before"]), "burst": len(recording["burst"]),
                               "burst_ms": recording["burst"][-1][0] if recording["burst"] else 0,
                               "mb": round(len(recording_json) / 1e6, 1), "from": load}
            for _ in range(replays):
                before = [round(x, 2) for x in os.getloadavg()]
                r = replay(browser, url, recording_json, timeout)
                r["loadavg"] = [before[0], round(os.getloadavg()[0], 2)]
                out["replays"].append(r)
        finally:
            frames.stop_server(proc)
            browser.close()
    out["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    return out


def verdict(m: dict) -> str:
    t = frames.TARGETS["pods_1000"]
    if not m.get("frames"):
        return "no frames"
    ok = m["cost_p95_ms"] <= t["p95_ms"] and m["over_16ms_pct"] <= t["over_16ms_pct"]
    return frames.verdict(ok)


def print_table(r: dict) -> None:
    rec = r["recorded"]
    print(f"kubeplay page, 0 -> {PODS:,} pods, live then replayed ({r['cores']} cores; load average "
          f"before {r['loadavg_before'][0]:.2f}, after {r['loadavg_after'][0]:.2f})")
    print(f"recorded{' (' + rec['from'] + ')' if rec['from'] else ''}: {rec['before']} messages before the "
          f"scale request and {rec['burst']} in {rec['burst_ms'] / 1000:.1f} s after it ({rec['mb']} MB)")
    print(f"{'run':<10} {'load':>11} {'frames':>6} | {'median':>6} {'p95':>6} {'max':>6} ms "
          f"{'>16.7 ms':>8} | {'total ms':>8} | {'shown after':>11} | p95 <= 33 ms, <= 10 % over 16.7 ms")
    runs = [("live", r["live"], [r["loadavg_before"][0], r["live"]["loadavg_after"][0]])] if "live" in r else []
    runs += [(f"replay {i + 1}", m, m["loadavg"]) for i, m in enumerate(r["replays"])]
    for label, m, load in runs:
        if not m.get("frames"):
            print(f"{label:<10} {load[0]:>5.2f}-{load[1]:<5.2f} {0:>6}")
            continue
        print(f"{label:<10} {load[0]:>5.2f}-{load[1]:<5.2f} {m['frames']:>6} | {m['cost_median_ms']:>6.1f} "
              f"{m['cost_p95_ms']:>6.1f} {m['cost_max_ms']:>6.1f}    {m['over_16ms_pct']:>6.1f}% | "
              f"{m['cost_total_ms']:>8,} | {m['seconds']:>9.1f} s | {verdict(m)}")
    done = [m for m in r["replays"] if m.get("frames")]
    if len(done) > 1:
        def spread(key):
            v = sorted(m[key] for m in done)
            return f"{v[0]:g} / {statistics.median(v):g} / {v[-1]:g}"
        print(f"replays (min / median / max): p95 {spread('cost_p95_ms')} ms, over 16.7 ms "
              f"{spread('over_16ms_pct')} %, total {spread('cost_total_ms')} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replays", type=int, default=5, help="fresh pages to replay the recording into")
    ap.add_argument("--timeout", type=float, default=900, help="seconds to wait for each run's pods")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument("--save", metavar="FILE", help="keep the recording in FILE")
    ap.add_argument("--recording", metavar="FILE",
                    help="replay this recording (from --save) instead of recording a live run")
    args = ap.parse_args()
    frames.report(run(replays=args.replays, timeout=args.timeout, save=args.save, load=args.recording),
                  args.json, print_table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
