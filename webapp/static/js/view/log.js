// The reconcile log: a story, oldest at the top and new lines at the bottom.
//
// Each controller decision in plain words opens a group; what it caused is listed under it:
// the Events it produced and the decisions other loops then took about the objects it touched
// (a ReplicaSet's "creating 1 pod" → SuccessfulCreate → the scheduler's binding → Pulled,
// Created, Started → Running). The objects a group touched are learnt as it goes: the pod a
// SuccessfulCreate names, the ReplicaSet a ScalingReplicaSet names. A group takes effects while
// it is fresh (GROUP_WINDOW simulated seconds since its last line); after that the same object's
// next decision opens a new group. A pod the group created is the exception while it starts: its
// binding, pulls and first phase change are part of the story that made it however long they
// take (up to START_WINDOW) — a slow pull, or a cluster that fell behind, does not cut the story.
// The EndpointSlice and Endpoints controllers' bookkeeping for one Service is one line per group,
// updated in place.
//
// Selecting an object (a pod in the map) filters the log to the groups that touched it: its story.
//
// The list follows new lines (scrolls to the bottom) unless the learner scrolled up to read.
// Entries are queued as data and written at most a few times a second (FLUSH_EVERY_MS); only
// MAX_GROUPS groups are kept.
//
// Only what can be seen is written: a group's new lines are placed as data first and made into
// elements afterwards, a slice at a time, and a group keeps only its newest lines — so the lines
// a burst brings beyond that are counted as not kept without ever being created, laid out and
// painted (a 1,000-pod scale-up brings ~1,400 lines a second, most of them into one story).
//
// In a burst (a flush of BURST_ENTRIES entries or more), only the lines in or near the view are
// made elements: the others stay placed as data, each run of them one spacer (`.gap`) as tall as
// its lines are estimated to be, and are written when the learner scrolls to them, or once the
// burst is over (CATCH_UP_AFTER_MS without one), in idle time — so at rest every line is in the
// page again (find in page, assistive tools, tests read it whole). A 1,000-pod scale-up
// writes ~1,900 lines and removes ~1,500 (a group's cap, the log's): a draw wrote and laid out
// ~150 of them; now a screen or two of them, while following. While the log is filtered (an
// object's story, the timeline, a kind of line unticked) every line is written, as before.

import { h, setText } from "../dom.js";

const MAX_GROUPS = 150;
const FLUSH_EVERY_MS = 250;
// Decisions come on their own channel and Events through the watch, so a cause and its effects
// may arrive a moment apart: lines wait until nothing new came for QUIET_MS (at most HOLD_MS),
// then are placed together, in time order.
const QUIET_MS = 150;
const HOLD_MS = 1000;
// An Event waits, besides, for the decisions sent after it (the server sends them, or an empty
// message, within a tenth of a second of any objects): a server that stalled between the two
// sends would otherwise have its effects placed before their cause had come. A stream that
// never confirms (none today) delays Events by this much at most.
const CAUSE_WAIT_MS = 10000;
const GROUP_WINDOW = 5;            // simulated seconds
// How long a pod's start-up lines still go to the group that created it (simulated seconds):
// past a back-off's first steps, a pod still Pending is news of its own.
const START_WINDOW = 60;
const ENDPOINT_CONTROLLERS = new Set(["endpointslice-controller", "endpoint-controller"]);
// Events naming the object they made or changed: "Created pod: web-1", "Scaled up replica set web-5d to 3".
// (client-go's aggregator prefixes the tenth and later alike Events about one object: the
// combined Event names the newest pod)
const NAMES_POD = /^(?:\(combined from similar events\): )?(?:Created|Deleted) pod: (\S+)/;
const NAMES_RS = /replica set (\S+) (?:to|from)/;
const NEW_RS = /new ReplicaSet (\S+) \(revision/;
const MAX_PARENTS = 20000;
// Lines written per frame: whatever fits in this many milliseconds, but at least MIN_PER_FRAME.
const PLACE_BUDGET_MS = 6;
const MIN_PER_FRAME = 20;
// A scale-up's group collects a few lines per pod: only its newest lines are kept (every line is
// laid out and painted; thousands of them made each frame slow).
const MAX_LINES_PER_GROUP = 200;
// A flush this big is a burst: lines far from the view wait as data ...
const BURST_ENTRIES = 100;
// ... until no burst came for this long (the page at rest); then they are written in idle time,
// this many at a time. Each chunk costs a frame its layout, and — the list following its bottom
// moves — a repaint of the list (~15 ms of CPU whatever the chunk's size, at a load of 9): chunks
// of 20 made 40 such frames after a 1,000-pod scale-up, so the chunks are big and come at rest.
const CATCH_UP_AFTER_MS = 3000;
const CATCH_UP_ITEMS = 150;
// The view's neighbourhood written in a burst: this much above and below what is shown, at least.
const NEAR_PX = 300;
// A line's height before any is measured (an effect line: its "who" and its message, unwrapped).
const LINE_PX = 33;

// A scale-up's lines come a thousand a second, most of them within the same few seconds: the
// last second's text is kept (formatting a Date for each line was ~1 % of the page's time).
let lastSecond = null, lastSecondText = "";
/** The k-th spacer of a pool (made when the pool has none yet), `px` tall: a run of groups or
 * lines held as data, so the list keeps its height and scroll position. */
function spacerAt(pool, k, tag, px) {
  let sp = pool[k];
  if (!sp) {
    sp = h(tag, { class: "gap", "aria-hidden": "true" });
    pool.push(sp);
  }
  const height = `${Math.round(px)}px`;
  if (sp.style.height !== height) sp.style.height = height;
  return sp;
}

/** Put `els` in `parent` in this order from `node` on, moving only those not already in place. */
function putInOrder(parent, els, node) {
  for (const el of els) {
    if (node === el) node = node.nextSibling;
    else parent.insertBefore(el, node);
  }
}

function simTime(seconds) {
  if (typeof seconds !== "number") return "";
  const whole = Math.floor(seconds);
  if (whole !== lastSecond) {
    lastSecond = whole;
    lastSecondText = new Date(whole * 1000).toISOString().slice(11, 19);
  }
  return lastSecondText;
}

// Events of a burst carry the same few timestamps: the last one parsed is kept. An Event of the
// events.k8s.io recorder (the scheduler's) has no lastTimestamp: its eventTime, and a repeat's
// series.lastObservedTime (kubectl's printEvent reads them the same way).
let lastStamp = null, lastStampSeconds = null;
function eventSeconds(e) {
  const t = (e.series && e.series.lastObservedTime) || e.lastTimestamp || e.eventTime || e.firstTimestamp;
  if (t !== lastStamp) {
    const ms = t ? Date.parse(t) : NaN;
    lastStamp = t;
    lastStampSeconds = Number.isFinite(ms) ? ms / 1000 : null;
  }
  return lastStampSeconds;
}

/** How many times an Event happened: its series' count, else count (0 or none: once). */
export function eventCount(e) {
  return (e.series ? e.series.count : e.count) || 1;
}

let lineTemplate = null;

export class ReconcileLog {
  constructor(root, { requestFrame = () => {} } = {}) {
    this.root = root;
    this.list = root.querySelector("#log-list");
    this.showDecisions = root.querySelector("#log-decisions");
    this.showEvents = root.querySelector("#log-events");
    this.filterEl = root.querySelector("#log-filter");
    this.requestFrame = requestFrame;
    this.pending = [];                // entries not yet written, oldest first
    this.groups = [];                 // written groups, oldest first: {el, keys:Set, last, folds:Map}
    this.open = new Map();            // object key -> the fresh group that touched it
    this.parent = new Map();          // object key -> the key of what made it (pod -> ReplicaSet -> Deployment)
    this.starting = new Map();        // pod key -> the group that created it, until its first phase change
    this.objectMessages = null;       // () -> object messages the stream has handled (null: no waiting)
    this.covered = 0;                 // object messages whose decisions have come (Sync.objectMessages)
    this.lastFlush = 0;
    this.timer = null;
    this.timerAt = 0;
    this.seenCounts = new Map();      // Event uid -> count already logged
    this.listeners = [];              // fn(decision) for each decision (the tour narrates with them)
    this.filterKey = null;
    this.filterKeys = new Set();
    this.until = null;                // the timeline's moment: later groups are hidden (null: live)
    this.follow = true;               // at the bottom: keep following new lines
    this.autoTop = 0;                 // where _toBottom last put the list's scrollTop
    this.touched = new Set();         // groups whose keys grew in this flush
    this.unwritten = new Set();       // groups with lines placed as data, not yet elements
    this.burstUntil = -Infinity;      // till then, lines far from the view stay data (_deferring) ...
    this.catchingUp = false;          // ... and after, until written in idle time (_catchUp)
    this.idle = false;                // a catch-up is scheduled
    this.scrollFrame = 0;             // a frame asked for to write what a scroll brought into view
    this.scrolls = null;              // whether the list is a scroll box (_scrolls)
    // Where things are, as last laid out, without asking for a layout: the list's height and
    // scroll position (its scroll events), each group's height (the observer below), a line's.
    this.viewH = 0;
    this.top = 0;
    this.lineH = LINE_PX;
    this.groupOf = new WeakMap();     // group element -> its group
    this.spacers = [];                // the list's spacers: one per run of groups not yet written
    this.listDirty = false;           // groups made, or placed, since the list was put in order
    // Following new lines: the list is scrolled when a group's size changes, in the frame that
    // wrote the lines, after its layout and before its paint (see _sized).
    this.sizes = new ResizeObserver((entries) => this._sized(entries));
    this.sizes.observe(this.list);
    this.placing = [];                // the flush being written, in order, over several frames ...
    this.placed = 0;                  // ... this many of it so far
    // Only a scroll *up* from where the list was put stops following. The scroll event of our own
    // _toBottom arrives a frame later, and lines written meanwhile may have grown the list: that
    // is not the learner scrolling away (seen as a log that stopped following under load).
    this.list.addEventListener("scroll", () => {
      const l = this.list;
      this.top = l.scrollTop;
      if (l.scrollHeight - l.scrollTop - l.clientHeight < 8) this.follow = true;
      else if (l.scrollTop < this.autoTop - 1) this.follow = false;
      // Scrolled to lines kept as data: they are written before this frame is drawn (not at the
      // next paced draw, which in a burst may be 250 ms away: a blank list meanwhile).
      if (this.unwritten.size && !this.scrollFrame) {
        this.scrollFrame = requestAnimationFrame(() => {
          this.scrollFrame = 0;
          this._writeSome(false, performance.now(), 0);
        });
      }
    });
    for (const box of [this.showDecisions, this.showEvents]) {
      box.addEventListener("change", () => this._filter());
    }
    root.querySelector("#log-clear").addEventListener("click", () => {
      this.pending = [];
      this.placing = [];
      this.groups = [];
      this.unwritten.clear();
      this.touched.clear();
      this.open.clear();
      this.starting.clear();
      this.sizes.disconnect();
      this.sizes.observe(this.list);
      this.spacers = [];
      this.list.replaceChildren();
    });
    if (this.filterEl) {
      this.filterEl.querySelector("button").addEventListener("click", () => this.setFilter(null));
    }
    this._filter();
  }

  /** `covered`: the object messages handled when these came; an Event of any of them has had
   * its cause's decisions by now. */
  addDecisions(items, covered) {
    if (covered !== undefined) this.covered = Math.max(this.covered, covered);
    for (const d of items) {
      this._queue({ kind: "decision", t: d.time, time: simTime(d.time), who: d.controller || "",
                    msg: d.message || `${d.key}: ${d.action}`, controller: d.controller || "",
                    key: (d.key || "").replace(/^node:/, ""), action: d.action || "", requester: d.requester || "",
                    refs: d.refs || [], inferred: !!d.inferred });
      for (const fn of this.listeners) fn(d);
    }
  }

  /** Called per frame with the model's dirty map: log new Events and repeated ones (count grew). */
  draw(dirty) {
    // Every Event drawn now came in one of the messages handled so far.
    const upTo = this.objectMessages ? this.objectMessages() : null;
    for (const d of dirty.values()) {
      const e = d.next;
      if (!e || e.kind !== "Event") continue;
      const count = eventCount(e);
      const seen = this.seenCounts.get(e.metadata.uid);
      if (seen !== undefined && seen >= count) continue;
      this.seenCounts.set(e.metadata.uid, count);
      const io = e.involvedObject || {};
      const t = eventSeconds(e);
      this._queue({ kind: "event", warn: e.type === "Warning", t, time: t === null ? "" : simTime(t),
                    who: `${e.type || "Normal"} ${e.reason || ""}`, reason: e.reason || "",
                    key: io.namespace ? `${io.namespace}/${io.name}` : (io.name || ""),
                    msg: `${(io.kind || "").toLowerCase()}/${io.name || ""}: ${e.message || ""}` +
                         (count > 1 ? ` (x${count})` : ""), message: e.message || "",
                    ns: io.namespace || "", upTo });
    }
    if (this.seenCounts.size > 20000) this.seenCounts.clear();
    this.flush();
  }

  /** Show only the groups that touched this object key ("ns/name"), or everything (null). */
  setFilter(key, label = null) {
    this.filterKey = key;
    this.filterKeys = this._lineage(key);
    this._writeAll();                 // a story is read whole: filtered, every line is written
    if (this.filterEl) {
      this.filterEl.hidden = !key;
      setText(this.filterEl.querySelector("span"), key ? `the story of ${label || key}` : "");
    }
    for (const g of this.groups) this._applyFilter(g);
    if (this.follow) this._toBottom();
  }

  /** The timeline shows the past: hide what happened after `t` (seconds), or nothing (null). */
  setUntil(t) {
    if (t === this.until) return;
    this.until = t;
    this._writeAll();
    for (const g of this.groups) this._applyFilter(g);
    if (this.follow) this._toBottom();
  }

  _queue(entry) {
    entry.arrived = performance.now();
    this.pending.push(entry);
    if (this.pending.length > MAX_GROUPS * 20) this.pending.splice(0, this.pending.length - MAX_GROUPS * 10);
  }

  flush(force = false) {
    if ((this.placing.length || this._writing()) && !force) {
      // The rest of a big flush: a slice every FLUSH_EVERY_MS, not every frame.
      const wait = FLUSH_EVERY_MS - (performance.now() - this.lastFlush);
      if (wait > 0) {
        this._flushIn(wait);
        return;
      }
    }
    if (!this.placing.length && this.pending.length) {
      const now = performance.now();
      const ready = force ? this.pending.length : this._caused(now);
      const newest = this.pending[this.pending.length - 1].arrived, oldest = this.pending[0].arrived;
      let wait = Math.max(FLUSH_EVERY_MS - (now - this.lastFlush),
                          Math.min(QUIET_MS - (now - newest), HOLD_MS - (now - oldest)));
      // Waiting for decisions: the next decisions message asks for a frame; this is the bound.
      if (!ready) wait = Math.max(wait, CAUSE_WAIT_MS - (now - oldest));
      if (!force && wait > 0) {
        this._flushIn(wait);
        if (!this.unwritten.size) return;
      } else {
        this.lastFlush = now;
        const take = ready < this.pending.length ? this.pending.slice(0, ready) : this.pending;
        this.pending = ready < this.pending.length ? this.pending.slice(ready) : [];
        if (this.pending.length) this._flushIn(Math.max(0, CAUSE_WAIT_MS - (now - this.pending[0].arrived)));
        if (take.length >= BURST_ENTRIES) {
          this.burstUntil = now + CATCH_UP_AFTER_MS;
          this.catchingUp = true;
        }
        // Decisions arrive on their own channel and Events through the watch: put each flush's
        // entries in time order (stable: a decision and the Event it caused share a second, and the
        // decision came first) so that a cause is written before its effects.
        // Events carry whole seconds, decisions fractions: compare by the second.
        const sec = (e) => (e.t === null || e.t === undefined ? Infinity : Math.floor(e.t));
        // The kubelet's phase change is the exception: it reports what its containers did, so it
        // goes after the second's Events (Started container, then Pending → Running).
        const rank = (e) => (e.kind === "event" ? 1 : e.action === "pod-phase" ? 2 : 0);
        // Among decisions: by time, a request before what reacted to it at the same instant.
        take.sort((a, b) => sec(a) - sec(b) || rank(a) - rank(b) ||
                            (a.kind === "decision" ? (a.t - b.t) || ((b.action === "request") - (a.action === "request")) : 0));
        // Learn who made what from the whole batch first: the scheduler's decision about a new pod
        // can come before the Event that names the ReplicaSet that created it.
        for (const e of take) this._learn(e);
        if (this.parent.size > MAX_PARENTS) this.parent.clear();
        if (this.starting.size > MAX_PARENTS) this.starting.clear();
        this.placing = take;
        this.placed = 0;
      }
    }
    if (!this.placing.length && !this.unwritten.size) return;
    const follow = this.follow;
    // A thousand-pod scale-up brings thousands of lines at once: they are placed (as data) and
    // written a slice at a time (PLACE_BUDGET_MS, one slice per FLUSH_EVERY_MS), so the map keeps
    // drawing meanwhile. Lines not yet written when more come for their group are the first to go.
    const start = performance.now();
    const take = this.placing;
    let i = this.placed;
    while (i < take.length && (force || i - this.placed < MIN_PER_FRAME || performance.now() - start < PLACE_BUDGET_MS)) {
      this._place(take[i++]);
    }
    // The oldest groups go before anything is written: what is in view is worked out without them.
    let extra = this.groups.length - MAX_GROUPS;
    while (extra-- > 0) {
      const g = this.groups.shift();
      if (g.el) {
        g.el.remove();
        this.sizes.unobserve(g.el);
      } else {
        this.listDirty = true;       // it was part of a spacer
      }
      this.unwritten.delete(g);
      for (const k of g.keys) {
        if (this.open.get(k) === g) this.open.delete(k);
        if (this.starting.get(k) === g) this.starting.delete(k);
      }
    }
    this._writeSome(force, start, force ? Infinity : this._deferring() ? 0 : null);
    if (i < take.length) {
      this.placed = i;
    } else {
      this.placing = [];
      this.placed = 0;
    }
    // The groups' key lists are written once per flush, not once per line: a group that a
    // thousand-pod scale-up feeds has thousands of keys.
    for (const g of this.touched) if (g.el) g.el.dataset.keys = [...g.keys].join(" ");
    this.touched.clear();
    if (this.listDirty) this._layoutList();
    if (this.placing.length || this._writing()) {
      this.lastFlush = performance.now();
      if (!force) this.flush();      // schedules the next slice
    } else if (this.unwritten.size) {
      this._catchUp();               // lines kept as data in a burst: written once it is over
    }
    if (follow && force) this._toBottom();       // else when the groups have their new sizes (_sized)
    if (force && (this.pending.length || this.placing.length || this.unwritten.size)) this.flush(true);
  }

  /** Ask for a frame (that flushes) in `wait` ms, unless one is asked for sooner already. */
  _flushIn(wait) {
    const at = performance.now() + wait;
    if (this.timer) {
      if (this.timerAt <= at) return;
      clearTimeout(this.timer);
    }
    this.timerAt = at;
    this.timer = setTimeout(() => { this.timer = null; this.requestFrame(); }, wait);
  }

  /** How many of the pending entries, from the oldest, may be placed: up to the first Event
   * whose message the decisions have not covered yet (or CAUSE_WAIT_MS old). */
  _caused(now) {
    const p = this.pending;
    let i = 0;
    while (i < p.length && (p[i].upTo == null || p[i].upTo <= this.covered || now - p[i].arrived >= CAUSE_WAIT_MS)) i++;
    return i;
  }

  /** Whether lines far from the view are kept as data now: in a burst and until caught up after
   * it, in a scroll box, unfiltered. */
  _deferring(now = performance.now()) {
    return (this.catchingUp || now < this.burstUntil) && !this._filtered() && this._scrolls();
  }

  /** Once a burst is over, write what it kept as data, CATCH_UP_ITEMS in each idle moment, nearest
   * the bottom first (a frame writes lines near the view meanwhile, and a new burst pauses it). */
  _catchUp() {
    if (this.idle) return;
    this.idle = true;
    const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 50));
    const run = () => {
      this.idle = false;
      if (!this.unwritten.size || !this._deferring()) {
        this.catchingUp = false;
        return;
      }
      if (performance.now() < this.burstUntil || this.placing.length) {
        this._catchUp();
        return;
      }
      this._writeSome(false, performance.now(), CATCH_UP_ITEMS);
      if (this.unwritten.size) this._catchUp();
      else this.catchingUp = false;
    };
    setTimeout(() => idle(run), Math.max(0, this.burstUntil - performance.now()));
  }

  /** Whether the list is a box that scrolls (it is on the page; a bare list in a test is not). */
  _scrolls() {
    if (this.scrolls === null) {
      const o = getComputedStyle(this.list).overflowY;
      this.scrolls = o === "auto" || o === "scroll";
    }
    return this.scrolls;
  }

  _filtered() {
    return !!this.filterKey || this.until !== null || !this.showDecisions.checked || !this.showEvents.checked;
  }

  /** Placed lines to be written in the next slices (not kept back by a burst). */
  _writing() {
    return this.unwritten.size > 0 && !this._deferring();
  }

  /** Write placed groups and lines: those in or near the view, then others, newest first (the
   * bottom, where the learner mostly is): `rest` of them (null: what fits in the slice's budget;
   * 0 in a burst; Infinity when forced). */
  _writeSome(force, start, rest) {
    if (!this.unwritten.size) return;
    const order = this.groups.filter((g) => this.unwritten.has(g)).reverse();
    for (const g of order) if (this._trim(g)) g.dirty = true;
    // Writing into a spacer above the view moves what is shown unless the scroll moves with it
    // (the list does not anchor its scrolling: it follows the bottom itself).
    let anchor;
    const write = (g, x) => {
      if (anchor === undefined && !this.follow && (g.spacers.length || g.spaced) && this._scrolls()) {
        anchor = this._anchor();
      }
      if (!g.el) this._makeGroup(g);
      if (x) this._write(g, x);
      g.dirty = true;
    };
    if (this._scrolls() && !force && !this._filtered()) {
      const win = this._window();
      for (const g of order) {
        const bottom = g.y + g.eh;
        if (bottom < win.top || g.y > win.bottom) continue;
        if (!g.el) write(g, null);
        const n = g.items.length;
        const lo = Math.max(0, Math.ceil(n - 1 - (bottom - win.top) / this.lineH));
        const hi = Math.min(n - 1, Math.floor(n - (bottom - win.bottom) / this.lineH));
        for (let j = hi; j >= lo; j--) if (!g.items[j].el) write(g, g.items[j]);
      }
    }
    if (rest !== 0) {
      let written = 0;
      const spent = () => (rest === null ? written >= MIN_PER_FRAME && performance.now() - start >= PLACE_BUDGET_MS
                                         : written >= rest);
      outer: for (const g of order) {
        if (!g.el) {
          if (spent()) break;
          write(g, null);
          written++;
        }
        for (let j = g.items.length - 1; j >= 0; j--) {
          if (g.items[j].el) continue;
          if (spent()) break outer;
          write(g, g.items[j]);
          written++;
        }
      }
    }
    for (const g of order) {
      if (g.el && g.dirty) this._layoutGroup(g);
      if (g.el && !g.spacers.length) this.unwritten.delete(g);
    }
    if (this.listDirty) this._layoutList();
    if (anchor && anchor.el.isConnected) {
      const moved = anchor.el.getBoundingClientRect().top - anchor.top;
      if (Math.abs(moved) >= 0.5) {
        this.list.scrollTop += moved;
        this.top = this.list.scrollTop;
      }
    }
  }

  /** Write every placed line now (the log is about to be filtered: a story is read whole). */
  _writeAll() {
    if (this.unwritten.size) this._writeSome(true, performance.now(), Infinity);
    this.catchingUp = false;
  }

  /** What is in or near the view, in the list's own coordinates, from the sizes last laid out;
   * each group gets its estimated top (y) and height (eh). */
  _window() {
    let y = 0;
    for (const g of this.groups) {
      g.y = y;
      g.eh = g.el?.hidden ? 0 : g.h === undefined ? this._estimate(g)
        : g.h + (g.items.length - g.hCount) * this.lineH;
      y += g.eh;
    }
    const near = Math.max(NEAR_PX, this.viewH);
    // Scrolled up, the list may have shrunk under the view since (its oldest groups let go):
    // the browser has then moved the view up to the list's end.
    const top = this.follow ? y - this.viewH : Math.max(0, Math.min(this.top, y - this.viewH));
    return { top: top - near, bottom: top + this.viewH + near };
  }

  /** A group's height before it is laid out: its head, its count of lines not kept, its lines. */
  _estimate(g) {
    return this.lineH * (1 + (g.dropped ? 1 : 0) + g.items.length);
  }

  /** The first line (or group) shown at the top of the list, and where it is. */
  _anchor() {
    const top = this.list.getBoundingClientRect().top;
    for (const g of this.groups) {
      if (!g.el || g.el.hidden || g.el.getBoundingClientRect().bottom <= top) continue;
      for (const el of [g.el.firstElementChild, ...g.body.children]) {
        if (el.classList.contains("gap")) continue;
        const r = el.getBoundingClientRect();
        if (r.bottom > top) return { el, top: r.top };
      }
      return { el: g.el, top: g.el.getBoundingClientRect().top };
    }
    return null;
  }

  /** Put a group's written lines in order, each run of lines kept as data one spacer as tall as
   * its lines would be. Only what changed is moved: the rest are left where they are. */
  _layoutGroup(g) {
    g.dirty = false;
    if (g.dropped) {
      if (!g.droppedEl) {
        g.droppedEl = h("div", { class: "line effect dropped" });
        g.body.prepend(g.droppedEl);
      }
      setText(g.droppedEl, `… ${g.dropped} earlier line${g.dropped === 1 ? "" : "s"} of this story not kept`);
    }
    const want = [];
    let run = 0, k = 0;
    const spacer = () => {
      want.push(spacerAt(g.spacers, k++, "div", run * this.lineH));
      run = 0;
    };
    for (const x of g.items) {
      if (!x.el) { run++; continue; }
      if (run) spacer();
      want.push(x.el);
    }
    if (run) spacer();
    for (const sp of g.spacers.splice(k)) sp.remove();
    putInOrder(g.body, want, g.droppedEl ? g.droppedEl.nextSibling : g.body.firstChild);
  }

  /** Put the written groups in order, each run of groups not yet written one spacer as tall as
   * they are estimated to be. */
  _layoutList() {
    this.listDirty = false;
    const want = [];
    let px = 0, k = 0;
    const spacer = () => {
      want.push(spacerAt(this.spacers, k++, "li", px));
      px = 0;
    };
    for (const g of this.groups) {
      if (!g.el) {
        g.spaced = true;
        px += this._estimate(g);
        continue;
      }
      if (px) spacer();
      want.push(g.el);
    }
    if (px) spacer();
    for (const sp of this.spacers.splice(k)) sp.remove();
    putInOrder(this.list, want, this.list.firstChild);
  }

  /** Make a placed group's element: its head line and an empty list of effects. */
  _makeGroup(g) {
    g.body = h("ol", { class: "effects" });
    g.el = h("li", { class: "group " + g.head.kind }, this._line(g.head, "head"), g.body);
    this.groupOf.set(g.el, g);
    this.sizes.observe(g.el);
    g.el.dataset.keys = [...g.keys].join(" ");
    this._applyGroupFilter(g);
    this.listDirty = true;
  }

  /** A group grew or shrank (lines written, folded, filtered): follow the bottom now. This runs
   * in the frame that wrote the lines, after its layout and before its paint, so reading the
   * list's height costs no layout of its own. (Reading it right after the writes laid the page out
   * early and again once the rest of the frame had drawn; scrolling at the start of the next frame
   * instead, as before, made every draw of a burst two frames of paint and commit.) The sizes are
   * kept: they say, without a layout, which lines a burst's flush would write in or near the view. */
  _sized(entries) {
    for (const en of entries) {
      if (en.target === this.list) {
        this.viewH = en.contentRect.height;
        continue;
      }
      const g = this.groupOf.get(en.target);
      if (!g) continue;
      g.h = en.borderBoxSize?.[0] ? en.borderBoxSize[0].blockSize : en.target.offsetHeight;
      g.hCount = g.items.length;
      // A line's height, from groups that are all lines (no spacer): their height over their lines.
      // (A 1,000-pod scale-up's stories are a head and four lines each.)
      if (g.items.length >= 3 && !g.spacers.length && g.h > 0) {
        const per = g.h / (g.items.length + 1 + (g.droppedEl ? 1 : 0));
        this.lineH = Math.min(200, Math.max(16, this.lineH * 0.7 + per * 0.3));
      }
    }
    if (this.follow) this._toBottom();
  }

  _toBottom() {
    this.list.scrollTop = this.list.scrollHeight;
    this.autoTop = this.list.scrollTop;
    this.top = this.autoTop;
    this.follow = true;
  }

  _learn(e) {
    const ns = e.kind === "event" ? e.ns : (e.key.includes("/") ? e.key.split("/")[0] : "");
    const link = (child, parent) => { if (child && parent && child !== parent) this.parent.set(child, parent); };
    if (e.kind === "event") {
      const pod = NAMES_POD.exec(e.message || "");
      if (pod) link(`${ns}/${pod[1]}`, e.key);
      const rs = NAMES_RS.exec(e.message || "");
      if (rs) link(`${ns}/${rs[1]}`, e.key);
    } else {
      const rs = NEW_RS.exec(e.msg || "");
      if (rs) link(`${ns}/${rs[1]}`, e.key);
    }
  }

  /** The fresh group of this key, or of what made it (up to its Deployment). */
  _groupOf(key, t) {
    for (let k = key, i = 0; k && i < 4; k = this.parent.get(k), i++) {
      const g = this.open.get(k);
      if (g && t - g.last <= GROUP_WINDOW) return g;
    }
    return null;
  }

  /** The group that created this pod, for a line of its start-up (the scheduler's, the kubelet's
   * and their Events) up to its first phase change, which ends the start-up. */
  _startedBy(e, t) {
    const g = this.starting.get(e.key);
    if (!g) return null;
    if (t - g.t0 > START_WINDOW) {
      this.starting.delete(e.key);
      return null;
    }
    if (e.kind === "decision" && e.action === "pod-phase") this.starting.delete(e.key);
    return g;
  }

  /** Find the fresh group this entry belongs to, or open a new one. */
  _place(e) {
    const t = e.t ?? 0;
    const effect = e.kind === "event" || e.controller === "kubelet" || e.controller === "default-scheduler" ||
                   ENDPOINT_CONTROLLERS.has(e.controller);
    let g = effect && e.key ? this._startedBy(e, t) : null;
    if (!g && e.key) g = this._groupOf(e.key, t);
    if (e.kind === "decision" && ENDPOINT_CONTROLLERS.has(e.controller)) {
      // Endpoint bookkeeping: one line per Service, under the freshest group.
      const last = this.groups[this.groups.length - 1];
      g = last && t - last.last <= GROUP_WINDOW ? last : null;
      if (!g) g = this._newGroup(e, t);
      this._fold(g, e);
      g.last = Math.max(g.last, t);
      return;
    }
    // A learner's request always starts a story; a controller's own next decision about the
    // object it already decided on starts the next one.
    if (!g || e.action === "request" || (!effect && g.head.key === e.key && g.head.controller === e.controller)) {
      this._newGroup(e, t);
      return;
    }
    e.el = null;
    // A controller may record its decision after the Events of what it did (a ReplicaSet's
    // "creating 3 pods" after its "Created pod" Events), and the two come on separate channels:
    // a decision that missed the flush its Events were in goes above those of its second, as
    // the flush's own sort would have put it — the cause before its effects.
    let at = g.items.length;
    if (e.kind === "decision" && !effect) {
      const s = Math.floor(t);
      while (at > 0 && g.items[at - 1].kind === "event" && (g.items[at - 1].t ?? Infinity) >= s) at--;
    }
    g.items.splice(at, 0, e);
    g.lines++;
    g.dirty = true;
    this.unwritten.add(g);
    this._touch(g, e, t);
  }

  _newGroup(e, t) {
    // items: the group's lines in order (entries, or a fold's record), each with its element once
    // written (el), `lines` of them lines (not folds); spacers: one per run not yet written. The
    // group's own element is made when it is written (_makeGroup).
    const g = { el: null, body: null, head: e, keys: new Set(), last: t, t0: Math.floor(t), folds: new Map(),
                items: [], lines: 0, spacers: [], dirty: false, h: undefined, hCount: 0, spaced: false };
    // In time order: a line that arrives late (decisions and Events come on separate channels)
    // goes above the groups of later seconds.
    let i = this.groups.length;
    while (i > 0 && this.groups[i - 1].t0 > g.t0) i--;
    this.groups.splice(i, 0, g);
    this.unwritten.add(g);
    this.listDirty = true;
    this._touch(g, e, t);
    return g;
  }

  _touch(g, e, t) {
    g.last = Math.max(g.last, t);
    const add = (k) => {
      if (!k) return;
      g.keys.add(k);
      this.open.set(k, g);
    };
    add(e.key);
    for (const k of e.refs || []) add(k);
    if (e.kind === "event") {
      const pod = NAMES_POD.exec(e.message || "");
      if (pod) {
        const k = `${e.ns}/${pod[1]}`;
        add(k);
        if (e.reason === "SuccessfulCreate") this.starting.set(k, g);
        else this.starting.delete(k);
      }
      const rs = NAMES_RS.exec(e.message || "");
      if (rs) add(`${e.ns}/${rs[1]}`);
    }
    this.touched.add(g);
    // Only the group's own visibility can change with its keys (each line was filtered when it
    // was written): re-filtering every line here made a long group cost O(lines²).
    this._applyGroupFilter(g);
  }

  /** A group past MAX_LINES_PER_GROUP (its folds count too) loses its oldest lines, written ones
   * first (its count shows above the rest); lines not yet written are let go unwritten. Says
   * whether it let any go. */
  _trim(g) {
    const keep = Math.max(0, MAX_LINES_PER_GROUP - g.folds.size);
    let extra = g.lines - keep;
    if (extra <= 0) return false;
    let drops = 0;
    const kept = [];
    for (const x of g.items) {
      if (extra > 0 && !x.fold) {
        if (x.el) x.el.remove();
        extra--;
        drops++;
        g.lines--;
      } else {
        kept.push(x);
      }
    }
    g.items = kept;
    g.dropped = (g.dropped || 0) + drops;     // shown by _layoutGroup, above the rest
    return true;
  }

  /** Make one placed line (or a fold's line) an element; _layoutGroup puts it in its place. */
  _write(g, x) {
    if (x.fold) {
      x.el = this._line({ ...x.e, who: "endpoint controllers", msg: x.text }, "effect");
      x.el.classList.add("fold");
      return;
    }
    x.el = this._line(x, "effect");
    if (this.filterKey || this.until !== null) this._filterLine(x.el);
  }

  _fold(g, e) {
    const svc = e.key;
    const fold = g.folds.get(svc);
    const text = `Service ${svc}: endpoints updated — ${e.msg.replace(/^.*?: /, "").replace(/ → .*$/, "")}`;
    if (!fold) {
      // Written in its place among the group's lines, with whatever text it has by then.
      const x = { fold: svc, e, text, el: null };
      g.folds.set(svc, x);
      g.items.push(x);
      g.dirty = true;
      this.unwritten.add(g);
    } else if (fold.el) {
      setText(fold.el.querySelector(".msg"), text);
    } else {
      fold.text = text;
    }
    g.keys.add(svc);
    this.touched.add(g);
  }

  _line(e, role) {
    const who = e.requester ? `asked by ${e.requester}` : e.who;
    const data = { key: e.key || "" };
    if (typeof e.t === "number") data.t = String(e.t);     // the timeline hides later lines
    const named = e.kind === "event" && NAMES_POD.exec(e.message || "");
    if (named) data.about = `${e.ns}/${named[1]}`;        // "Created pod: X" is about X too
    if (e.controller) data.controller = e.controller;
    // A real cluster's log is read off its watched state (webapp/remote/inferred.py): said so.
    if (e.inferred) data.inferred = "true";
    if (e.inferred) {
      return h("div", { class: `line ${role} ${e.kind}${e.warn ? " warn" : ""}`, dataset: data },
        h("time", { text: e.time }), h("span", { class: "who", text: who }),
        h("span", { class: "inferred", text: "inferred",
                    title: "read off the cluster's watched state, not a record of the controller's decision" }),
        h("span", { class: "msg", text: e.msg }));
    }
    // The common line is cloned from an empty one (a scale-up writes hundreds a second).
    if (!lineTemplate) lineTemplate = h("div", null, h("time"), h("span", { class: "who" }), h("span", { class: "msg" }));
    const line = lineTemplate.cloneNode(true);
    line.className = `line ${role} ${e.kind}${e.warn ? " warn" : ""}`;
    Object.assign(line.dataset, data);
    line.children[0].textContent = e.time ?? "";
    line.children[1].textContent = who ?? "";
    line.children[2].textContent = e.msg ?? "";
    return line;
  }

  /** The key and what made it (pod, its ReplicaSet, its Deployment): the lines of its story. */
  _lineage(key) {
    const out = new Set();
    for (let k = key, i = 0; k && i < 4; k = this.parent.get(k), i++) out.add(k);
    return out;
  }

  _applyFilter(g) {
    if (!g.el) return;
    this._applyGroupFilter(g);
    for (const line of g.body.children) this._filterLine(line);
  }

  _applyGroupFilter(g) {
    if (!g.el) return;               // filtered when made
    const hidden = (!!this.filterKey && !g.keys.has(this.filterKey)) || (this.until !== null && g.t0 > this.until);
    if (g.el.hidden !== hidden) g.el.hidden = hidden;
  }

  /** While filtered, a group's lines about other objects (the pod's siblings) are hidden too. */
  _filterLine(line) {
    const k = line.dataset.key, about = line.dataset.about;
    const later = this.until !== null && line.dataset.t !== undefined && Number(line.dataset.t) > this.until;
    line.hidden = later || (!!this.filterKey && !line.classList.contains("fold") &&
      ((!!k && !this.filterKeys.has(k)) || (!!about && !this.filterKeys.has(about))));
  }

  _filter() {
    this._writeAll();
    this.list.classList.toggle("hide-decisions", !this.showDecisions.checked);
    this.list.classList.toggle("hide-events", !this.showEvents.checked);
  }
}
