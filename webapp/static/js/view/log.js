// The reconcile log: a story, oldest at the top and new lines at the bottom.
//
// Each controller decision in plain words opens a group; what it caused is listed under it:
// the Events it produced and the decisions other loops then took about the objects it touched
// (a ReplicaSet's "creating 1 pod" → SuccessfulCreate → the scheduler's binding → Pulled,
// Created, Started → Running). The objects a group touched are learnt as it goes: the pod a
// SuccessfulCreate names, the ReplicaSet a ScalingReplicaSet names. A group takes effects while
// it is fresh (GROUP_WINDOW simulated seconds since its last line); after that the same object's
// next decision opens a new group. The EndpointSlice and Endpoints controllers' bookkeeping for
// one Service is one line per group, updated in place.
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

import { h, setText } from "../dom.js";

const MAX_GROUPS = 150;
const FLUSH_EVERY_MS = 250;
// Decisions come on their own channel and Events through the watch, so a cause and its effects
// may arrive a moment apart: lines wait until nothing new came for QUIET_MS (at most HOLD_MS),
// then are placed together, in time order.
const QUIET_MS = 150;
const HOLD_MS = 1000;
const GROUP_WINDOW = 5;            // simulated seconds
const ENDPOINT_CONTROLLERS = new Set(["endpointslice-controller", "endpoint-controller"]);
// Events naming the object they made or changed: "Created pod: web-1", "Scaled up replica set web-5d to 3".
const NAMES_POD = /^(?:Created|Deleted) pod: (\S+)/;
const NAMES_RS = /replica set (\S+) (?:to|from)/;
const NEW_RS = /new ReplicaSet (\S+) \(revision/;
const MAX_PARENTS = 20000;
// Lines written per frame: whatever fits in this many milliseconds, but at least MIN_PER_FRAME.
const PLACE_BUDGET_MS = 6;
const MIN_PER_FRAME = 20;
// A scale-up's group collects a few lines per pod: only its newest lines are kept (every line is
// laid out and painted; thousands of them made each frame slow).
const MAX_LINES_PER_GROUP = 200;

// A scale-up's lines come a thousand a second, most of them within the same few seconds: the
// last second's text is kept (formatting a Date for each line was ~1 % of the page's time).
let lastSecond = null, lastSecondText = "";
function simTime(seconds) {
  if (typeof seconds !== "number") return "";
  const whole = Math.floor(seconds);
  if (whole !== lastSecond) {
    lastSecond = whole;
    lastSecondText = new Date(whole * 1000).toISOString().slice(11, 19);
  }
  return lastSecondText;
}

// Events of a burst carry the same few timestamps: the last one parsed is kept.
let lastStamp = null, lastStampSeconds = null;
function eventSeconds(e) {
  const t = e.lastTimestamp || e.eventTime || e.firstTimestamp;
  if (t !== lastStamp) {
    const ms = t ? Date.parse(t) : NaN;
    lastStamp = t;
    lastStampSeconds = Number.isFinite(ms) ? ms / 1000 : null;
  }
  return lastStampSeconds;
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
    this.lastFlush = 0;
    this.timer = null;
    this.seenCounts = new Map();      // Event uid -> count already logged
    this.listeners = [];              // fn(decision) for each decision (the tour narrates with them)
    this.filterKey = null;
    this.filterKeys = new Set();
    this.until = null;                // the timeline's moment: later groups are hidden (null: live)
    this.follow = true;               // at the bottom: keep following new lines
    this.autoTop = 0;                 // where _toBottom last put the list's scrollTop
    this.touched = new Set();         // groups whose keys grew in this flush
    this.unwritten = new Set();       // groups with lines placed as data, not yet elements
    // Following new lines: the list is scrolled when a group's size changes, in the frame that
    // wrote the lines, after its layout and before its paint (see _sized).
    this.sizes = new ResizeObserver(() => this._sized());
    this.placing = [];                // the flush being written, in order, over several frames ...
    this.placed = 0;                  // ... this many of it so far
    // Only a scroll *up* from where the list was put stops following. The scroll event of our own
    // _toBottom arrives a frame later, and lines written meanwhile may have grown the list: that
    // is not the learner scrolling away (seen as a log that stopped following under load).
    this.list.addEventListener("scroll", () => {
      const l = this.list;
      if (l.scrollHeight - l.scrollTop - l.clientHeight < 8) this.follow = true;
      else if (l.scrollTop < this.autoTop - 1) this.follow = false;
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
      this.sizes.disconnect();
      this.list.replaceChildren();
    });
    if (this.filterEl) {
      this.filterEl.querySelector("button").addEventListener("click", () => this.setFilter(null));
    }
    this._filter();
  }

  addDecisions(items) {
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
    for (const d of dirty.values()) {
      const e = d.next;
      if (!e || e.kind !== "Event") continue;
      const count = e.count || 1;
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
                    ns: io.namespace || "" });
    }
    if (this.seenCounts.size > 20000) this.seenCounts.clear();
    this.flush();
  }

  /** Show only the groups that touched this object key ("ns/name"), or everything (null). */
  setFilter(key, label = null) {
    this.filterKey = key;
    this.filterKeys = this._lineage(key);
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
    for (const g of this.groups) this._applyFilter(g);
    if (this.follow) this._toBottom();
  }

  _queue(entry) {
    entry.arrived = performance.now();
    this.pending.push(entry);
    if (this.pending.length > MAX_GROUPS * 20) this.pending.splice(0, this.pending.length - MAX_GROUPS * 10);
  }

  flush(force = false) {
    if ((this.placing.length || this.unwritten.size) && !force) {
      // The rest of a big flush: a slice every FLUSH_EVERY_MS, not every frame.
      const wait = FLUSH_EVERY_MS - (performance.now() - this.lastFlush);
      if (wait > 0) {
        if (!this.timer) this.timer = setTimeout(() => { this.timer = null; this.requestFrame(); }, wait);
        return;
      }
    }
    if (!this.placing.length && this.pending.length) {
      const now = performance.now();
      const newest = this.pending[this.pending.length - 1].arrived, oldest = this.pending[0].arrived;
      const wait = Math.max(FLUSH_EVERY_MS - (now - this.lastFlush),
                            Math.min(QUIET_MS - (now - newest), HOLD_MS - (now - oldest)));
      if (!force && wait > 0) {
        if (!this.timer) {
          this.timer = setTimeout(() => { this.timer = null; this.requestFrame(); }, wait);
        }
        if (!this.unwritten.size) return;
      } else {
        this.lastFlush = now;
        const take = this.pending;
        this.pending = [];
        // Decisions arrive on their own channel and Events through the watch: put each flush's
        // entries in time order (stable: a decision and the Event it caused share a second, and the
        // decision came first) so that a cause is written before its effects.
        // Events carry whole seconds, decisions fractions: compare by the second.
        const sec = (e) => (e.t === null || e.t === undefined ? Infinity : Math.floor(e.t));
        // Among decisions: by time, a request before what reacted to it at the same instant.
        take.sort((a, b) => sec(a) - sec(b) || (a.kind === b.kind ? 0 : a.kind === "decision" ? -1 : 1) ||
                            (a.kind === "decision" ? (a.t - b.t) || ((b.action === "request") - (a.action === "request")) : 0));
        // Learn who made what from the whole batch first: the scheduler's decision about a new pod
        // can come before the Event that names the ReplicaSet that created it.
        for (const e of take) this._learn(e);
        if (this.parent.size > MAX_PARENTS) this.parent.clear();
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
    let written = 0;
    for (const g of this.unwritten) {
      this._trim(g);
      while (g.fresh.length && (force || written < MIN_PER_FRAME || performance.now() - start < PLACE_BUDGET_MS)) {
        this._write(g, g.fresh.shift());
        written++;
      }
      if (!g.fresh.length) this.unwritten.delete(g);
      else if (!force) break;
    }
    if (i < take.length) {
      this.placed = i;
    } else {
      this.placing = [];
      this.placed = 0;
    }
    // The groups' key lists are written once per flush, not once per line: a group that a
    // thousand-pod scale-up feeds has thousands of keys.
    for (const g of this.touched) g.el.dataset.keys = [...g.keys].join(" ");
    this.touched.clear();
    let extra = this.groups.length - MAX_GROUPS;
    while (extra-- > 0) {
      const g = this.groups.shift();
      g.el.remove();
      this.sizes.unobserve(g.el);
      this.unwritten.delete(g);
      for (const k of g.keys) if (this.open.get(k) === g) this.open.delete(k);
    }
    if (this.placing.length || this.unwritten.size) {
      this.lastFlush = performance.now();
      if (!force) this.flush();      // schedules the next slice
    }
    if (follow && force) this._toBottom();       // else when the groups have their new sizes (_sized)
    if (force && (this.pending.length || this.placing.length || this.unwritten.size)) this.flush(true);
  }

  /** A group grew or shrank (lines written, folded, filtered): follow the bottom now. This runs
   * in the frame that wrote the lines, after its layout and before its paint, so reading the
   * list's height costs no layout of its own. (Reading it right after the writes laid the page out
   * early and again once the rest of the frame had drawn; scrolling at the start of the next frame
   * instead, as before, made every draw of a burst two frames of paint and commit.) */
  _sized() {
    if (this.follow) this._toBottom();
  }

  _toBottom() {
    this.list.scrollTop = this.list.scrollHeight;
    this.autoTop = this.list.scrollTop;
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

  /** Find the fresh group this entry belongs to, or open a new one. */
  _place(e) {
    const t = e.t ?? 0;
    let g = e.key ? this._groupOf(e.key, t) : null;
    const effect = e.kind === "event" || e.controller === "kubelet" || e.controller === "default-scheduler" ||
                   ENDPOINT_CONTROLLERS.has(e.controller);
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
    g.fresh.push(e);
    g.freshLines++;
    this.unwritten.add(g);
    this._touch(g, e, t);
  }

  _newGroup(e, t) {
    const body = h("ol", { class: "effects" });
    const head = this._line(e, "head");
    const el = h("li", { class: "group " + e.kind }, head, body);
    // fresh: lines placed but not yet elements (entries, or a fold's record), freshLines of them
    // lines; shown: the group's line elements (not its folds).
    const g = { el, body, head: e, keys: new Set(), last: t, t0: Math.floor(t), folds: new Map(),
                fresh: [], freshLines: 0, shown: 0 };
    // In time order: a line that arrives late (decisions and Events come on separate channels)
    // goes above the groups of later seconds.
    let i = this.groups.length;
    while (i > 0 && this.groups[i - 1].t0 > g.t0) i--;
    this.list.insertBefore(el, i < this.groups.length ? this.groups[i].el : null);
    this.sizes.observe(el);
    this.groups.splice(i, 0, g);
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
      if (pod) add(`${e.ns}/${pod[1]}`);
      const rs = NAMES_RS.exec(e.message || "");
      if (rs) add(`${e.ns}/${rs[1]}`);
    }
    this.touched.add(g);
    // Only the group's own visibility can change with its keys (each line was filtered when it
    // was written): re-filtering every line here made a long group cost O(lines²).
    this._applyGroupFilter(g);
  }

  /** A group past MAX_LINES_PER_GROUP (its folds count too) loses its oldest lines, written ones
   * first (its count shows above the rest); lines not yet written are let go unwritten. */
  _trim(g) {
    const keep = Math.max(0, MAX_LINES_PER_GROUP - g.folds.size);
    let extra = g.shown + g.freshLines - keep;
    if (extra <= 0) return;
    let drops = 0;
    let first = g.body.firstElementChild;
    while (extra > 0 && g.shown > 0 && first) {
      const next = first.nextElementSibling;
      if (!first.classList.contains("dropped") && !first.classList.contains("fold")) {
        first.remove();
        g.shown--;
        extra--;
        drops++;
      }
      first = next;
    }
    if (extra > 0) {
      const fresh = [];
      for (const x of g.fresh) {
        if (extra > 0 && !x.fold) { extra--; drops++; g.freshLines--; } else fresh.push(x);
      }
      g.fresh = fresh;
    }
    if (!drops) return;
    g.dropped = (g.dropped || 0) + drops;
    if (!g.droppedEl) {
      g.droppedEl = h("div", { class: "line effect dropped" });
      g.body.prepend(g.droppedEl);
    }
    setText(g.droppedEl, `… ${g.dropped} earlier line${g.dropped === 1 ? "" : "s"} of this story not kept`);
  }

  /** Make one placed line (or a fold's line) an element at the group's end. */
  _write(g, x) {
    if (x.fold) {
      x.el = this._line({ ...x.e, who: "endpoint controllers", msg: x.text }, "effect");
      x.el.classList.add("fold");
      g.body.append(x.el);
      return;
    }
    const line = this._line(x, "effect");
    g.body.append(line);
    g.shown++;
    g.freshLines--;
    if (this.filterKey || this.until !== null) this._filterLine(line);
  }

  _fold(g, e) {
    const svc = e.key;
    const fold = g.folds.get(svc);
    const text = `Service ${svc}: endpoints updated — ${e.msg.replace(/^.*?: /, "").replace(/ → .*$/, "")}`;
    if (!fold) {
      // Written in its place among the group's lines, with whatever text it has by then.
      const x = { fold: svc, e, text, el: null };
      g.folds.set(svc, x);
      g.fresh.push(x);
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
    this._applyGroupFilter(g);
    for (const line of g.body.children) this._filterLine(line);
  }

  _applyGroupFilter(g) {
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
    this.list.classList.toggle("hide-decisions", !this.showDecisions.checked);
    this.list.classList.toggle("hide-events", !this.showEvents.checked);
  }
}
