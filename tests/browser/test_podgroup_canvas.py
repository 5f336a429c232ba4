"""static/js/view/podgroup.js's canvas of tiles at 110 % browser zoom (a device pixel ratio of
1.1, where a box's size in device pixels is fractional): a repaint that does not change the box's
size keeps the canvas's backing store (setting a canvas's width or height reallocates and clears
it), and the tiles are painted into it all the same."""
from __future__ import annotations

import pytest

# A box of tiles on a page with the page's style sheet: the group's host in the document, 30 pods
# Running (dense: a canvas), and a count of every write of the canvas's width or height and of
# every getContext call.
HARNESS = """
async () => {
  // The page's style sheet first: the tiles' colours are its STATUS colours.
  const css = Object.assign(document.createElement("link"), { rel: "stylesheet", href: "/static/css/app.css" });
  await new Promise((ok) => { css.onload = ok; document.head.append(css); });
  const { PodGroup } = await import('/static/js/view/podgroup.js');
  document.body.replaceChildren();
  const host = document.createElement("div");
  host.style.width = "301px";
  document.body.append(host);
  const pods = new Map();
  const group = new PodGroup(host, pods, () => "");
  const writes = { size: 0, context: 0 };
  const P = HTMLCanvasElement.prototype;
  for (const k of ["width", "height"]) {
    const d = Object.getOwnPropertyDescriptor(P, k);
    Object.defineProperty(P, k, { configurable: true, get() { return d.get.call(this); },
                                  set(v) { writes.size++; d.set.call(this, v); } });
  }
  const getContext = P.getContext;
  P.getContext = function (...a) { writes.context++; return getContext.apply(this, a); };
  const add = (n) => {
    for (let i = 0; i < n; i++) {
      const uid = `u${pods.size}`;
      pods.set(uid, { el: null, status: "Running" });
      group.add(uid, pods.get(uid));
    }
    group.update(true);
  };
  add(30);
  // The canvas is painted once the group has measured its box (a ResizeObserver).
  await new Promise((ok) => { const wait = () => group.width ? ok() : requestAnimationFrame(wait); wait(); });
  const c = group.canvas, g = c.getContext("2d");
  // The middle of the first tile, in the backing store's device pixels.
  const tile = () => [...g.getImageData(Math.round(5 * devicePixelRatio), Math.round(5 * devicePixelRatio), 1, 1).data];
  window.T = { group, pods, writes, add, c, tile,
               repaint: () => { for (const r of pods.values()) r.status = r.status === "Running" ? "Pending" : "Running";
                                group.changed(); group.update(true); } };
}
"""


@pytest.fixture
def zoomed(browser, inproc_module):
    _app, host = inproc_module
    context = browser.new_context(device_scale_factor=1.1)
    page = context.new_page()
    page.goto(f"http://{host}/static/css/app.css")
    page.evaluate(HARNESS)
    yield page
    context.close()


def test_a_repaint_of_the_same_size_keeps_the_canvas_at_110_percent_zoom(zoomed):
    out = zoomed.evaluate("""() => {
      const before = { ...T.writes }, size = [T.c.width, T.c.height], running = T.tile();
      for (let i = 0; i < 5; i++) T.repaint();         // five repaints: every tile Pending, then Running...
      const pending = T.tile();
      return { dpr: devicePixelRatio, size, css: [T.c.style.width, T.c.style.height],
               writes: [T.writes.size - before.size, T.writes.context - before.context],
               running, pending, after: [T.c.width, T.c.height] };
    }""")
    assert out["dpr"] == pytest.approx(1.1)
    # 301 px hold 25 tiles of 12 px (300 px); 30 pods take two rows (24 px): in whole device pixels.
    assert out["css"] == ["300px", "24px"]
    assert out["size"] == [330, 26] == out["after"]
    assert out["writes"] == [0, 0], "repaints of an unchanged size set the canvas's size or ask for its context"
    # Painted all the same: the first tile went from Running's colour to Pending's.
    assert out["running"][3] == 255 and out["pending"][3] == 255
    assert out["running"][:3] != out["pending"][:3]


def test_a_box_that_grows_a_row_sizes_its_canvas_again(zoomed):
    out = zoomed.evaluate("""() => {
      const before = T.writes.size;
      T.add(30);                                        // 60 pods: three rows
      return { writes: T.writes.size - before, size: [T.c.width, T.c.height], css: T.c.style.height };
    }""")
    assert out["css"] == "36px"
    assert out["size"] == [330, 40]       # 36 × 1.1 = 39.6 device pixels, rounded
    assert out["writes"] == 2
