// The header's timings switch. Playground defaults compress long upstream timers so a demo takes
// seconds; the header says which values are in force ("fast timers: node grace 8s, eviction 5s,
// termination 2s") and the "Realistic timings" toggle button switches the server to the upstream
// values and back (POST /kubeplay/v1/timings). The state comes back with every clock reading, so
// a switch made elsewhere (another tab, a script) shows here too.

import { api, errorMessage } from "./api.js";
import { setText } from "./dom.js";

// Upstream defaults the realistic mode leaves to each object (the caps are lifted).
const UPSTREAM_EVICTION = 300;       // tolerationSeconds of the automatic not-ready/unreachable tolerations
const UPSTREAM_TERMINATION = 30;     // terminationGracePeriodSeconds default

const secs = (v) => `${Math.round(v * 10) / 10}s`;

/** The header text for a clock reading's {realisticTimings, timings}. */
export function timingsText(realistic, t = {}) {
  if (t && t.real) return "the cluster's own timers (its components' flags)";     // a real cluster
  const grace = t.nodeMonitorGracePeriod != null ? secs(t.nodeMonitorGracePeriod) : "?";
  const evict = t.evictionTolerationCap != null ? secs(t.evictionTolerationCap) : `${UPSTREAM_EVICTION}s`;
  const term = t.terminationGraceCap != null ? secs(t.terminationGraceCap) : `${UPSTREAM_TERMINATION}s`;
  return `${realistic ? "upstream timers" : "fast timers"}: node grace ${grace}, eviction ${evict}, termination ${term}`;
}

export class TimingsSwitch {
  constructor(root, { onChange, onError }) {
    this.button = root.querySelector("#timings");
    this.note = root.querySelector("#timings-note");
    this.onChange = onChange;        // (clock state) after the server switched
    this.onError = onError;
    this.realistic = this.button.getAttribute("aria-pressed") === "true";
    this.button.addEventListener("click", () => this._set(!this.realistic));
  }

  /** From a clock reading (realisticTimings, timings). */
  show(realistic, timings) {
    this.realistic = realistic;
    this.button.setAttribute("aria-pressed", String(realistic));
    setText(this.note, timingsText(realistic, timings));
    this.note.dataset.mode = realistic ? "realistic" : "fast";
    this.button.title = realistic
      ? "On: upstream durations (50 s node grace period, 300 s eviction toleration, 30 s termination grace). Click for the fast playground timers."
      : "Off: long upstream timers are shortened so a demo takes seconds. Click to restore the upstream values.";
  }

  async _set(realistic) {
    this.button.disabled = true;
    try {
      const r = await api.setTimings(realistic);
      if (!r.ok) this.onError(errorMessage(r));
      else this.onChange(r.body);
    } finally {
      this.button.disabled = false;
    }
  }
}
