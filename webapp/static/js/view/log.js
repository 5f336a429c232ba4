// The reconcile log: each controller decision in plain words, interleaved with the real Events
// as they arrive, newest first.
//
// Entries are queued as data and written to the page at most a few times a second, and only as
// many as the list keeps: when thousands of pods change at once, nobody can read faster than
// that, and building rows that would be trimmed at once only costs frames.

import { h } from "../dom.js";

const MAX_ENTRIES = 150;
const FLUSH_EVERY_MS = 250;

function simTime(seconds) {
  if (typeof seconds !== "number") return "";
  return new Date(seconds * 1000).toISOString().slice(11, 19);
}

function eventTime(e) {
  const t = e.lastTimestamp || e.eventTime || e.firstTimestamp;
  return t ? String(t).slice(11, 19) : "";
}

export class ReconcileLog {
  constructor(root, { requestFrame = () => {} } = {}) {
    this.root = root;
    this.list = root.querySelector("#log-list");
    this.showDecisions = root.querySelector("#log-decisions");
    this.showEvents = root.querySelector("#log-events");
    this.requestFrame = requestFrame;
    this.pending = [];                // {kind, time, who, msg, warn, controller}, oldest first
    this.lastFlush = 0;
    this.timer = null;
    this.seenCounts = new Map();      // Event uid -> count already logged
    this.listeners = [];              // fn(decision) for each decision (the tour narrates with them)
    for (const box of [this.showDecisions, this.showEvents]) {
      box.addEventListener("change", () => this._filter());
    }
    root.querySelector("#log-clear").addEventListener("click", () => {
      this.pending = [];
      this.list.replaceChildren();
    });
    this._filter();
  }

  addDecisions(items) {
    for (const d of items) {
      this._queue({ kind: "decision", time: simTime(d.time), who: d.controller || "",
                    msg: d.message || `${d.key}: ${d.action}`, controller: d.controller || "" });
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
      this._queue({ kind: "event", warn: e.type === "Warning", time: eventTime(e),
                    who: `${e.type || "Normal"} ${e.reason || ""}`,
                    msg: `${(io.kind || "").toLowerCase()}/${io.name || ""}: ${e.message || ""}` +
                         (count > 1 ? ` (x${count})` : "") });
    }
    if (this.seenCounts.size > 20000) this.seenCounts.clear();
    this.flush();
  }

  _queue(entry) {
    this.pending.push(entry);
    if (this.pending.length > MAX_ENTRIES * 2) this.pending.splice(0, this.pending.length - MAX_ENTRIES);
  }

  flush(force = false) {
    if (!this.pending.length) return;
    const now = performance.now();
    if (!force && now - this.lastFlush < FLUSH_EVERY_MS) {
      if (!this.timer) {
        this.timer = setTimeout(() => { this.timer = null; this.requestFrame(); },
                                FLUSH_EVERY_MS - (now - this.lastFlush));
      }
      return;
    }
    this.lastFlush = now;
    const take = this.pending.slice(-MAX_ENTRIES);
    this.pending = [];
    const frag = document.createDocumentFragment();
    for (let i = take.length - 1; i >= 0; i--) {
      const e = take[i];
      frag.appendChild(h("li", { class: e.kind + (e.warn ? " warn" : ""),
                                 dataset: e.controller ? { controller: e.controller } : null },
        h("time", { text: e.time }), h("span", { class: "who", text: e.who }),
        h("span", { class: "msg", text: e.msg })));
    }
    this.list.prepend(frag);
    let extra = this.list.childElementCount - MAX_ENTRIES;
    while (extra-- > 0) this.list.lastElementChild.remove();
  }

  _filter() {
    this.list.classList.toggle("hide-decisions", !this.showDecisions.checked);
    this.list.classList.toggle("hide-events", !this.showEvents.checked);
  }
}
