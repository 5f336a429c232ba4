// The reconcile log: each controller decision in plain words, interleaved with the real Events
// as they arrive, newest first. Entries are appended once per frame and the list is capped.

import { h } from "../dom.js";

const MAX_ENTRIES = 400;

function simTime(seconds) {
  if (typeof seconds !== "number") return "";
  return new Date(seconds * 1000).toISOString().slice(11, 19);
}

function eventTime(e) {
  const t = e.lastTimestamp || e.eventTime || e.firstTimestamp;
  return t ? String(t).slice(11, 19) : "";
}

export class ReconcileLog {
  constructor(root) {
    this.root = root;
    this.list = root.querySelector("#log-list");
    this.showDecisions = root.querySelector("#log-decisions");
    this.showEvents = root.querySelector("#log-events");
    this.pending = [];
    this.seenCounts = new Map();      // Event uid -> count already logged
    this.listeners = [];              // fn(entry) for each decision (the tour narrates with them)
    for (const box of [this.showDecisions, this.showEvents]) {
      box.addEventListener("change", () => this._filter());
    }
    root.querySelector("#log-clear").addEventListener("click", () => {
      this.list.replaceChildren();
    });
    this._filter();
  }

  addDecisions(items) {
    for (const d of items) {
      this.pending.push(h("li", { class: "decision", dataset: { controller: d.controller || "" } },
        h("time", { text: simTime(d.time) }),
        h("span", { class: "who", text: d.controller || "" }),
        h("span", { class: "msg", text: d.message || `${d.key}: ${d.action}` })));
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
      this.pending.push(h("li", { class: "event" + (e.type === "Warning" ? " warn" : "") },
        h("time", { text: eventTime(e) }),
        h("span", { class: "who", text: `${e.type || "Normal"} ${e.reason || ""}` }),
        h("span", { class: "msg", text: `${(io.kind || "").toLowerCase()}/${io.name || ""}: ${e.message || ""}` +
                                        (count > 1 ? ` (x${count})` : "") })));
    }
    if (this.seenCounts.size > 5000) this.seenCounts.clear();
    this.flush();
  }

  flush() {
    if (!this.pending.length) return;
    const frag = document.createDocumentFragment();
    for (let i = this.pending.length - 1; i >= 0; i--) frag.appendChild(this.pending[i]);
    this.pending = [];
    this.list.prepend(frag);
    while (this.list.childElementCount > MAX_ENTRIES) this.list.lastElementChild.remove();
  }

  _filter() {
    this.list.classList.toggle("hide-decisions", !this.showDecisions.checked);
    this.list.classList.toggle("hide-events", !this.showEvents.checked);
  }
}
