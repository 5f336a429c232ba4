// Time controls: Pause/Resume, Step, speed 1× 2× 5× 10× and the simulated clock. Clock readings
// also carry the timings in force, handed to the header's timings switch (timings.js).
//
// The server sends the clock about once a second (and at once when it changes); between
// messages the display runs on at `speed` from the last reading, and stands still while paused.

import { api, errorMessage } from "./api.js";
import { setText } from "./dom.js";
import { TimingsSwitch } from "./timings.js";

const STEP_SECONDS = 5;

export class ClockControls {
  constructor(root, { onError }) {
    this.root = root;
    this.display = root.querySelector("#clock");
    this.pauseBtn = root.querySelector("#pause");
    this.stepBtn = root.querySelector("#step");
    this.speedBtns = [...root.querySelectorAll("[data-speed]")];
    this.onError = onError;
    this.state = null;            // {epochMs, wall, paused, speed}
    this.timings = {};            // the simulated durations the server uses (for explanations)
    this.readings = 0;            // clock messages received (tests wait on it)
    this.pauseBtn.addEventListener("click", () => this._send({ paused: !(this.state && this.state.paused) }));
    this.stepBtn.addEventListener("click", () => this._send({ step: STEP_SECONDS }));
    for (const b of this.speedBtns) {
      b.addEventListener("click", () => this._send({ speed: Number(b.dataset.speed) }));
    }
    const header = root.closest("header") || document;
    this.timingsSwitch = header.querySelector("#timings")
      ? new TimingsSwitch(header, { onChange: (c) => this.update(c), onError }) : null;
    setInterval(() => this._tick(), 250);
  }

  async load() {
    const r = await api.clock();
    if (r.ok) this.update(r.body);
  }

  /** A clock reading from the server: {now, nowSeconds, paused, speed}. */
  update(c) {
    if (!c) return;
    this.readings++;
    if (c.timings) this.timings = c.timings;
    if (typeof c.realisticTimings === "boolean" && this.timingsSwitch) {
      this.timingsSwitch.show(c.realisticTimings, this.timings);
    }
    const epochMs = c.now ? Date.parse(c.now) : (c.nowSeconds || 0) * 1000;
    this.state = { epochMs: isNaN(epochMs) ? (c.nowSeconds || 0) * 1000 : epochMs,
                   wall: performance.now(), paused: !!c.paused, speed: Number(c.speed) || 1 };
    setText(this.pauseBtn, this.state.paused ? "Resume" : "Pause");
    this.pauseBtn.setAttribute("aria-pressed", String(this.state.paused));
    this.stepBtn.disabled = !this.state.paused;
    this.root.dataset.paused = String(this.state.paused);
    for (const b of this.speedBtns) {
      b.setAttribute("aria-pressed", String(Number(b.dataset.speed) === this.state.speed));
    }
    this._tick();
  }

  /** The cluster's clock now, in seconds (from the last reading, run on at its speed). */
  nowSeconds() {
    const s = this.state;
    if (!s) return Date.now() / 1000;
    return (s.paused ? s.epochMs : s.epochMs + (performance.now() - s.wall) * s.speed) / 1000;
  }

  _tick() {
    const s = this.state;
    if (!s) return;
    const ms = s.paused ? s.epochMs : s.epochMs + (performance.now() - s.wall) * s.speed;
    const d = new Date(ms);
    setText(this.display, isNaN(d) ? "--:--:--" : d.toISOString().slice(11, 19));
    this.display.dateTime = isNaN(d) ? "" : d.toISOString();
  }

  async _send(change) {
    const r = await api.setClock(change);
    if (!r.ok) {
      this.onError(errorMessage(r));
      return;
    }
    if (r.body && (r.body.now || r.body.nowSeconds !== undefined)) this.update(r.body);
  }
}
