// Time you can rewind: a slider over everything since the cluster started (the server keeps
// the changes, webapp/page/timeline.py). Drag it back and the map, the workloads and the log
// show the cluster as it was at that moment; let go and the page is live again. From the
// keyboard (arrows, PageUp/PageDown, Home) the page stays in the past until "Back to live".
// "Replay" plays the stretch from the point shown (or the last minute) to now at a chosen speed.
//
// How: the views always draw `model`. Going into the past, the stream is pointed at a shadow
// model that keeps up with the live cluster in the background, and `model` is resynced with the
// past state; coming back, `model` is resynced from the shadow and the stream points at it again.
// Nothing is lost: every live event lands in the shadow while the learner looks back.

import { api } from "./api.js";
import { Model } from "./model.js";
import { setText } from "./dom.js";

const POLL_MS = 2000;
const REPLAY_TICK_MS = 100;
const DEFAULT_REPLAY_SECONDS = 60;

function ago(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, "0")}s ago` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m ago`;
}

const clockText = (t) => new Date(t * 1000).toISOString().slice(11, 19);

export class Timeline {
  constructor(root, { model, sync, log, onChange = () => {} }) {
    this.root = root;
    this.model = model;
    this.sync = sync;
    this.log = log;
    this.onChange = onChange;
    this.slider = root.querySelector("#timeline-slider");
    this.out = root.querySelector("#timeline-at");
    this.liveBtn = root.querySelector("#timeline-live");
    this.replayBtn = root.querySelector("#timeline-replay");
    this.speedSel = root.querySelector("#timeline-speed");
    this.start = 0;
    this.now = 0;
    this.at = null;               // the moment shown, or null when live
    this.shadow = null;           // the live cluster while the page shows the past
    this.dragging = false;
    this.fetching = false;
    this.wanted = null;           // the latest moment asked for while a fetch was running
    this.replay = null;
    this.shown = 0;               // past states drawn (tests wait on it)

    this.slider.addEventListener("pointerdown", () => { this.dragging = true; });
    this.slider.addEventListener("input", () => this.show(this.start + Number(this.slider.value)));
    const release = () => {
      if (!this.dragging) return;
      this.dragging = false;
      this.goLive();
    };
    this.slider.addEventListener("pointerup", release);
    this.slider.addEventListener("pointercancel", release);
    this.slider.addEventListener("keydown", (e) => { if (e.key === "Escape") this.goLive(); });
    this.liveBtn.addEventListener("click", () => this.goLive());
    this.replayBtn.addEventListener("click", () => (this.replay ? this.goLive() : this.startReplay()));
    this.refresh();
    setInterval(() => { if (this.at === null) this.refresh(); }, POLL_MS);
  }

  get live() {
    return this.at === null;
  }

  async refresh() {
    const r = await api.timeline();
    if (!r.ok || !r.body) return;
    this.start = r.body.start;
    this.now = r.body.now;
    this._layout();
  }

  _layout() {
    const span = Math.max(1, Math.ceil(this.now - this.start));
    this.slider.max = String(span);
    if (this.at === null) {
      this.slider.value = String(span);
      this.slider.setAttribute("aria-valuetext", "live");
      setText(this.out, "live");
    } else {
      this.slider.value = String(Math.round(this.at - this.start));
      const text = `${clockText(this.at)} · ${ago(this.now - this.at)}`;
      this.slider.setAttribute("aria-valuetext", text);
      setText(this.out, text);
    }
    this.liveBtn.hidden = this.at === null;
    setText(this.replayBtn, this.replay ? "Stop replay" : "Replay");
    this.root.dataset.mode = this.replay ? "replay" : (this.at === null ? "live" : "past");
    document.body.dataset.timeline = this.root.dataset.mode;
  }

  _enterPast() {
    if (this.shadow) return;
    this.shadow = new Model();
    this.shadow.resync([...this.model.byUid.values()]);
    this.sync.model = this.shadow;
  }

  /** Show the cluster as it was at `t` (seconds on the cluster's clock). */
  async show(t) {
    t = Math.min(Math.max(t, this.start), this.now);
    if (t >= this.now && this.at === null) return;
    this._enterPast();
    this.at = t;
    this._layout();
    if (this.fetching) {
      this.wanted = t;
      return;
    }
    this.fetching = true;
    try {
      let want = t;
      while (want !== null) {
        this.wanted = null;
        const r = await api.timelineState(want);
        if (r.ok && r.body && this.at !== null && !this.replay) {
          this.model.resync(r.body.items || []);
          this.log.setUntil(want);
          this.shown++;
          this.onChange();
        }
        want = this.wanted;
      }
    } finally {
      this.fetching = false;
    }
  }

  goLive() {
    this.replay = null;
    if (this.shadow) {
      this.model.resync([...this.shadow.byUid.values()]);
      this.sync.model = this.model;
      this.shadow = null;
    }
    this.at = null;
    this.wanted = null;
    this.log.setUntil(null);
    this._layout();
    this.onChange();
    this.refresh();
  }

  async startReplay() {
    await this.refresh();
    const from = this.at !== null ? this.at : Math.max(this.start, this.now - DEFAULT_REPLAY_SECONDS);
    this._enterPast();
    const state = await api.timelineState(from);
    const changes = await api.timelineChanges(from, this.now);
    if (!state.ok || !changes.ok) return;
    const speed = Number(this.speedSel.value) || 1;
    const queue = changes.body.changes || [];
    const until = this.now;
    this.model.resync(state.body.items || []);
    this.at = from;
    const run = { wall: performance.now(), from, speed, queue, next: 0, until };
    this.replay = run;
    this._layout();
    const tick = () => {
      if (this.replay !== run) return;
      const t = run.from + ((performance.now() - run.wall) / 1000) * run.speed;
      const batch = [];
      while (run.next < run.queue.length && run.queue[run.next].time <= t) batch.push(run.queue[run.next++]);
      if (batch.length) this.model.apply(batch.map((c) => ({ type: c.type, object: c.object })));
      this.at = Math.min(t, run.until);
      this.log.setUntil(this.at);
      this._layout();
      this.onChange();
      if (t >= run.until) {
        this.goLive();
        return;
      }
      setTimeout(tick, REPLAY_TICK_MS);
    };
    tick();
  }
}
