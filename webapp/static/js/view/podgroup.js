// The pods of one place — a node's box or the Pending lane — drawn one of two ways.
//
// Few pods: each pod is a button showing its workload and name (animated, focusable).
// Many pods (in this box, or in the whole cluster): the buttons stay in the DOM but hidden (they still carry data-pod / data-status,
// and tests and assistive tools still find them; the view makes and patches them in idle time,
// so a new one may come a moment after its tile), and the group is drawn as one canvas of small
// tiles coloured by STATUS. Thousands of visible elements cost style, layout, paint and
// compositing work in every frame; one canvas per box costs a few hundred fillRects when that
// box changed. Hysteresis keeps a box from flipping between the two at the threshold.
//
// Thousands of pods in the cluster (the view decides, `aggregate`): the group becomes a summary —
// how many pods, a bar of their STATUSes and the counts in words — and its pods have no element at
// all (building and patching ten thousand hidden buttons is what made a big cluster slow to load
// and to follow). Leaving the summary (the learner zooms into the node) builds them again through
// `make(uid, rec)`.

import { h } from "../dom.js";
import { statusCategory } from "../podstatus.js";

const DENSE_ON = 24;
const DENSE_OFF = 16;
const TILE = 10;
const GAP = 2;

const CATEGORIES = ["running", "creating", "pending", "terminating", "succeeded", "failed", "unknown"];

let palette = null;
function colours() {
  if (!palette) {
    const css = getComputedStyle(document.documentElement);
    palette = {};
    for (const c of ["running", "creating", "pending", "terminating", "failed", "succeeded", "unknown"]) {
      palette[c] = css.getPropertyValue(`--${c}`).trim() || "#999";
    }
    palette.selected = css.getPropertyValue("--accent").trim() || "#326ce5";
  }
  return palette;
}

export class PodGroup {
  /** host: the element the pods go in. pods: the view's uid -> record map ({el, status}).
   *  tooltip(rec): a pod's hover text (built on demand for tiles). */
  constructor(host, pods, tooltip, { name = null, make = null, zoomable = false } = {}) {
    this.host = host;
    this.pods = pods;
    this.tooltip = tooltip;
    this.name = name;              // the node's name (null: the Pending lane)
    this.make = make;              // (uid, rec): give the pod its element (rec.el)
    this.zoomable = zoomable;      // the summary offers to show this group's pods
    this.summary = false;
    this.sumEl = null;
    this.uids = new Set();         // insertion order = drawing order
    this.dense = false;
    this.canvas = null;
    this.context = null;           // the canvas's 2D context, asked for once
    this.hidden = null;
    this.order = [];               // uids as last drawn (canvas hit testing)
    this.needsPaint = false;
    this.selected = null;
    this.highlit = null;           // Set of pod uids drawn highlighted (others dimmed), or null
  }

  get size() {
    return this.uids.size;
  }

  add(uid, rec) {
    this.uids.add(uid);
    if (rec.el && !this.summary) (this.dense ? this.hidden : this.host).appendChild(rec.el);
    this.needsPaint = true;
  }

  /** A pod of this group got its element after it was added (made in idle time). */
  attach(el) {
    if (!this.summary) (this.dense ? this.hidden : this.host).appendChild(el);
  }

  delete(uid) {
    if (this.uids.delete(uid)) this.needsPaint = true;
  }

  changed() {
    this.needsPaint = true;
  }

  /** Switch representation if the count crossed a threshold (or the whole cluster is big:
   *  `crowded`); then repaint the canvas if needed. */
  update(crowded = false, aggregate = false) {
    if (aggregate !== this.summary) this._setSummary(aggregate, crowded);
    if (this.summary) {
      if (this.needsPaint) this.paintSummary();
      return;
    }
    if (!this.dense && (crowded || this.uids.size > DENSE_ON)) this._setDense(true);
    else if (this.dense && !crowded && this.uids.size < DENSE_OFF) this._setDense(false);
    if (this.dense && this.needsPaint) this.paint();
  }

  _setSummary(on, crowded) {
    this.summary = on;
    this.needsPaint = true;
    if (on) {
      if (this.dense) this._dropCanvas();
      for (const uid of this.uids) {
        const rec = this.pods.get(uid);
        if (rec && rec.el) {
          rec.el.remove();
          rec.el = null;
        }
      }
      const segs = {};
      for (const cat of CATEGORIES) segs[cat] = h("i", { class: `agg-seg c-${cat}`, hidden: true });
      this.segs = segs;
      this.sumText = h("span", { class: "agg-text" });
      this.sumEl = h("div", { class: "pod-summary", role: "img" },
        h("div", { class: "agg-bar" }, ...CATEGORIES.map((c) => segs[c])), this.sumText,
        this.zoomable ? h("button", { type: "button", class: "agg-zoom", dataset: { zoom: this.name } }) : null);
      this.host.append(this.sumEl);
      this.host.classList.add("summary");
    } else {
      this.sumEl.remove();
      this.sumEl = this.segs = this.sumText = null;
      this.host.classList.remove("summary");
      for (const uid of this.uids) {
        const rec = this.pods.get(uid);
        if (rec && this.make) this.make(uid, rec);
      }
      if (crowded || this.uids.size > DENSE_ON) this._setDense(true);
      else for (const uid of this.uids) this.host.appendChild(this.pods.get(uid).el);
    }
  }

  /** How many pods of each STATUS (as kubectl prints it), most first. */
  statusCounts() {
    const counts = new Map();
    for (const uid of this.uids) {
      const rec = this.pods.get(uid);
      const status = (rec && rec.status) || "Pending";
      counts.set(status, (counts.get(status) || 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  }

  paintSummary() {
    this.needsPaint = false;
    const counts = this.statusCounts();
    const key = counts.map(([status, k]) => `${status}=${k}`).join(" ");
    if (key === this.sumEl.dataset.statuses && this.sumEl.dataset.podCount) return;     // nothing to redraw
    const byCat = {};
    for (const [status, n] of counts) {
      const cat = statusCategory(status);
      byCat[cat] = (byCat[cat] || 0) + n;
    }
    for (const cat of CATEGORIES) {
      const seg = this.segs[cat], n = byCat[cat] || 0;
      seg.hidden = !n;
      if (n) {
        seg.style.flexGrow = String(n);
        seg.title = `${n} ${cat}`;
      }
    }
    const n = this.uids.size;
    const words = counts.map(([status, k]) => `${k} ${status}`);
    this.sumText.textContent = n ? words.join(" · ") : "no pods";
    this.sumEl.setAttribute("aria-label", `${n} pods` + (n ? ": " + words.join(", ") : ""));
    this.sumEl.dataset.podCount = String(n);
    this.sumEl.dataset.statuses = key;
    const zoom = this.sumEl.querySelector(".agg-zoom");
    if (zoom) {
      zoom.textContent = `show its ${n} pod${n === 1 ? "" : "s"}`;
      zoom.hidden = !n;
    }
  }

  _setDense(on) {
    this.dense = on;
    if (on) {
      this.canvas = h("canvas", { class: "pod-canvas", role: "img" });
      // One context for the canvas's life: each paint asking for it again is a call into the
      // browser per paint of every box drawn as tiles.
      this.context = this.canvas.getContext("2d");
      this.hidden = h("div", { class: "pods-hidden", hidden: true });
      // A pod's hidden button may not be made yet (the view makes it in idle time).
      for (const uid of this.uids) {
        const el = this.pods.get(uid).el;
        if (el) this.hidden.appendChild(el);
      }
      this.host.append(this.canvas, this.hidden);
      this.host.classList.add("dense");
      this.canvas.addEventListener("mousemove", (e) => {
        const rec = this.pods.get(this.hit(e));
        this.canvas.title = rec ? this.tooltip(rec) : "";
      });
      this.observer = new ResizeObserver((entries) => {
        const w = Math.floor(entries[0].contentRect.width);
        if (w !== this.width) {
          this.width = w;
          this.paint();
        }
      });
      this.observer.observe(this.host);
      this.needsPaint = true;
    } else {
      for (const uid of this.uids) {
        const rec = this.pods.get(uid);
        if (this.make) this.make(uid, rec);      // hidden buttons are brought up to date in idle time
        rec.el.title = this.tooltip(rec);        // titles are not kept up to date on hidden buttons
        this.host.appendChild(rec.el);
      }
      this._dropCanvas();
    }
  }

  _dropCanvas() {
    this.dense = false;
    this.observer.disconnect();
    this.canvas.remove();
    this.hidden.remove();
    this.canvas = this.context = this.hidden = this.observer = null;
    this.host.classList.remove("dense");
  }

  /** The uid of the tile under a mouse event on the canvas, or null. */
  hit(e) {
    const cols = this._cols();
    const col = Math.floor(e.offsetX / (TILE + GAP));
    const row = Math.floor(e.offsetY / (TILE + GAP));
    if (col >= cols) return null;
    return this.order[row * cols + col] || null;
  }

  /** Highlight these pods' tiles (a Service's endpoints, a ReplicaSet's pods); null: none. */
  highlight(uids) {
    if (this.highlit === uids) return;
    this.highlit = uids;
    if (this.dense) this.needsPaint = true;
  }

  select(uid) {
    if (this.selected === uid) return;
    this.selected = uid;
    if (!this.summary) this.needsPaint = true;
  }

  _cols() {
    return Math.max(1, Math.floor((this.width + GAP) / (TILE + GAP)));
  }

  paint() {
    this.needsPaint = false;
    if (!this.dense || !this.width) return;
    const p = colours();
    const cols = this._cols();
    this.order = [...this.uids];
    const rows = Math.ceil(this.order.length / cols);
    const dpr = window.devicePixelRatio || 1;
    const cssW = cols * (TILE + GAP), cssH = Math.max(1, rows * (TILE + GAP));
    const c = this.canvas;
    // The backing store is in whole device pixels: compared with the fractional cssW * dpr (at
    // 110 % zoom dpr is 1.1), it never matched, and each paint set the size again — which
    // reallocates and clears the backing store. Set only when the whole-pixel size changes.
    const w = Math.round(cssW * dpr), ht = Math.round(cssH * dpr);
    if (c.width !== w || c.height !== ht) {
      c.width = w;
      c.height = ht;
      c.style.width = cssW + "px";
      c.style.height = cssH + "px";
    }
    const g = this.context;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, cssW, cssH);
    // Tiles grouped by colour: one fillStyle per colour, not per tile.
    const byCat = new Map();
    const counts = {};
    let selectedAt = -1;
    for (let i = 0; i < this.order.length; i++) {
      const rec = this.pods.get(this.order[i]);
      if (!rec) continue;
      const status = rec.status || "Pending";
      counts[status] = (counts[status] || 0) + 1;
      const cat = statusCategory(status);
      let list = byCat.get(cat);
      if (!list) byCat.set(cat, (list = []));
      list.push(i);
      if (this.order[i] === this.selected) selectedAt = i;
    }
    const step = TILE + GAP;
    for (const [cat, list] of byCat) {
      g.fillStyle = p[cat];
      const alpha = cat === "terminating" ? 0.55 : 1;
      const hl = this.highlit;
      g.globalAlpha = hl ? alpha * 0.3 : alpha;
      for (const i of list) {
        if (!hl || !hl.has(this.order[i])) g.fillRect((i % cols) * step, Math.floor(i / cols) * step, TILE, TILE);
      }
      if (hl) {
        g.globalAlpha = alpha;
        for (const i of list) {
          if (hl.has(this.order[i])) g.fillRect((i % cols) * step, Math.floor(i / cols) * step, TILE, TILE);
        }
      }
    }
    g.globalAlpha = 1;
    if (selectedAt >= 0) {
      g.strokeStyle = p.selected;
      g.lineWidth = 2;
      g.strokeRect((selectedAt % cols) * step + 1, Math.floor(selectedAt / cols) * step + 1, TILE - 2, TILE - 2);
    }
    c.setAttribute("aria-label", `${this.order.length} pods: ` +
      Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(", "));
  }
}
