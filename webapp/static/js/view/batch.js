// Jobs and CronJobs in the workload strip. A Job's card says how far it got (completions,
// active, failed) and how it ended (Complete / Failed and why); its pods show on their nodes as
// they run and complete. A CronJob's card shows its schedule, whether it is suspended, when it
// last fired, and its history: the Jobs it made, newest last, each a chip coloured by outcome.
// Jobs a CronJob made appear in its history rather than as cards of their own.

import { h, setText, setData } from "../dom.js";
import { keyOf, controllerUid } from "../model.js";

const condition = (obj, type) => ((obj.status || {}).conditions || []).find((c) => c.type === type && c.status === "True");

/** "Complete", "Failed", "Suspended" or "Running", and the reason when it failed. */
export function jobState(job) {
  const failed = condition(job, "Failed");
  if (failed) return { state: "Failed", reason: failed.reason || "" };
  if (condition(job, "Complete")) return { state: "Complete", reason: "" };
  if ((job.spec || {}).suspend) return { state: "Suspended", reason: "" };
  return { state: "Running", reason: "" };
}

export function ownedByCronJob(job, model) {
  const owner = model.get(controllerUid(job));
  return !!owner && owner.kind === "CronJob";
}

export class BatchCard {
  constructor(obj, { onSelect }) {
    this.kind = obj.kind;
    this.parts = { name: h("span", { class: "wl-name" }), line: h("div", { class: "wl-counts" }),
                   state: h("span", { class: "wl-state" }), image: h("span", { class: "wl-image" }),
                   history: h("div", { class: "wl-history", "aria-label": "Jobs this CronJob made" }) };
    this.el = h("div", { class: "workload batch", dataset: { workload: `${obj.kind}/${obj.metadata.name}` } },
      h("div", { class: "wl-title", onclick: () => onSelect({ kind: obj.kind, uid: obj.metadata.uid }) },
        h("span", { class: "wl-kind", text: obj.kind }), this.parts.name),
      this.parts.line, this.parts.state, this.parts.image,
      obj.kind === "CronJob" ? this.parts.history : null);
  }

  update(obj, model, now) {
    const p = this.parts;
    setText(p.name, keyOf(obj));
    if (obj.kind === "Job") this._job(obj);
    else this._cronJob(obj, model, now);
  }

  _job(job) {
    const spec = job.spec || {}, st = job.status || {};
    const want = spec.completions === undefined || spec.completions === null ? 1 : spec.completions;
    setText(this.parts.line, `completions ${st.succeeded || 0}/${want} · active ${st.active || 0} · failed ${st.failed || 0}`);
    const { state, reason } = jobState(job);
    setText(this.parts.state, reason ? `${state}: ${reason}` : state);
    setData(this.el, "status", state);
    this.el.classList.toggle("converging", state === "Running");
    const containers = ((((spec.template || {}).spec || {}).containers) || []).map((c) => c.image);
    setText(this.parts.image, containers.join(", "));
  }

  _cronJob(cj, model, now) {
    const spec = cj.spec || {}, st = cj.status || {};
    const tz = spec.timeZone ? ` (${spec.timeZone})` : "";
    const last = st.lastScheduleTime ? Date.parse(st.lastScheduleTime) / 1000 : null;
    const lastText = last === null ? "never" : `${Math.max(0, Math.round(now - last))}s ago`;
    setText(this.parts.line, `schedule ${spec.schedule}${tz} · last ${lastText} · active ${(st.active || []).length}`);
    setText(this.parts.state, spec.suspend ? "Suspended" : "");
    setData(this.el, "status", spec.suspend ? "Suspended" : "Active");
    const jobs = [...model.ownedBy(cj.metadata.uid)].map((u) => model.get(u)).filter((j) => j && j.kind === "Job")
      .sort((a, b) => (a.metadata.creationTimestamp || "").localeCompare(b.metadata.creationTimestamp || ""));
    const key = jobs.map((j) => `${j.metadata.name}:${jobState(j).state}`).join(" ");
    if (this.historyKey !== key) {
      this.historyKey = key;
      this.parts.history.replaceChildren(...jobs.map((j) => {
        const s = jobState(j).state;
        return h("span", { class: `job-chip job-${s.toLowerCase()}`, dataset: { job: j.metadata.name, status: s },
                           title: `Job ${j.metadata.name}: ${s}` }, s === "Complete" ? "✓" : s === "Failed" ? "✗" : "…");
      }));
      setData(this.el, "jobs", String(jobs.length));
    }
  }
}
