// The workload strip: one card per Deployment / StatefulSet / DaemonSet (and Job / CronJob, in
// view/batch.js) with desired, current and
// ready counts, highlighted while desired ≠ actual, and − / + buttons that PATCH the scale
// subresource (the same call `kubectl scale` makes). A Deployment's card also shows its
// ReplicaSets (view/rollout.js): side by side while a rollout runs. StatefulSets and DaemonSets
// say how many pods run the updated template while they roll.

import { h, setText, setData } from "../dom.js";
import { keyOf, controllerUid } from "../model.js";
import { RolloutSection } from "./rollout.js";
import { isSystem } from "./controlplane.js";
import { BatchCard, ownedByCronJob } from "./batch.js";

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

export function workloadCounts(obj) {
  const spec = obj.spec || {}, st = obj.status || {};
  if (obj.kind === "DaemonSet") {
    return { desired: st.desiredNumberScheduled || 0, current: st.currentNumberScheduled || 0,
             ready: st.numberReady || 0, updated: st.updatedNumberScheduled || 0 };
  }
  const desired = spec.replicas === undefined ? 1 : spec.replicas;
  return { desired, current: st.replicas || 0, ready: st.readyReplicas || 0,
           updated: st.updatedReplicas || 0 };
}

export class WorkloadStrip {
  constructor(root, { model, onScale, onSelect, onHighlight = () => {}, now = () => Date.now() / 1000 }) {
    this.root = root;
    this.now = now;                 // the cluster's clock, in seconds (a CronJob's "last 20s ago")
    this.model = model;
    this.onHighlight = onHighlight;
    this.list = root.querySelector("#workload-list");
    this.empty = root.querySelector("#workloads-empty");
    this.cards = new Map();       // uid -> {el, parts, obj}
    this.onScale = onScale;
    this.onSelect = onSelect;
  }

  draw(dirty) {
    let changed = false;
    const rollouts = new Set();      // Deployment uids whose ReplicaSets or pods changed
    const batch = new Set();         // CronJob uids whose Jobs changed
    for (const [uid, d] of dirty) {
      const obj = d.next || d.prev || d.last;
      if (!obj || isSystem(obj)) continue;
      if (obj.kind === "ReplicaSet") {
        for (const o of [d.prev, d.next || d.last]) {
          const dep = o && controllerUid(o);
          if (dep) rollouts.add(dep);
        }
        continue;
      }
      if (obj.kind === "Job" || obj.kind === "CronJob") {
        changed = true;
        if (obj.kind === "Job") {
          // A CronJob's Job: its history shows it (redrawn below), not a card of its own.
          const owner = this.model.get(controllerUid(obj));
          if (owner && owner.kind === "CronJob") batch.add(owner.metadata.uid);
        }
        if (d.next && !(obj.kind === "Job" && ownedByCronJob(d.next, this.model))) this._upsertBatch(uid, d.next);
        else this._remove(uid);
        continue;
      }
      if (obj.kind === "Pod") {
        const rs = this.model.get(controllerUid(obj));
        const dep = rs && rs.kind === "ReplicaSet" && controllerUid(rs);
        if (dep) rollouts.add(dep);
        continue;
      }
      if (!WORKLOAD_KINDS.has(obj.kind)) continue;
      changed = true;
      if (d.next) this._upsert(uid, d.next); else this._remove(uid);
      rollouts.delete(uid);           // _upsert drew it
    }
    for (const uid of rollouts) {
      const c = this.cards.get(uid);
      if (c) this._drawRollout(c);
    }
    for (const uid of batch) {
      const cj = this.model.get(uid);
      if (cj && this.cards.has(uid)) this._upsertBatch(uid, cj);
    }
    if (changed) this.empty.hidden = this.cards.size > 0;
  }

  _upsert(uid, obj) {
    let c = this.cards.get(uid);
    if (!c) {
      const parts = {
        kind: h("span", { class: "wl-kind" }), name: h("span", { class: "wl-name" }),
        desired: h("b"), current: h("b"), ready: h("b"), image: h("span", { class: "wl-image" }),
        progress: h("span", { class: "wl-progress", hidden: true }),
      };
      const canScale = obj.kind !== "DaemonSet";
      const minus = h("button", { type: "button", class: "scale", text: "−", dataset: { action: "scale" },
                                  "aria-label": `scale down ${obj.metadata.name}`,
                                  onclick: () => this._scale(uid, -1) });
      const plus = h("button", { type: "button", class: "scale", text: "+", dataset: { action: "scale" },
                                 "aria-label": `scale up ${obj.metadata.name}`,
                                 onclick: () => this._scale(uid, +1) });
      const el = h("div", { class: "workload", dataset: { workload: `${obj.kind}/${obj.metadata.name}` } },
        h("div", { class: "wl-title", onclick: () => this.onSelect({ kind: obj.kind, uid }) },
          parts.kind, parts.name),
        h("div", { class: "wl-counts" },
          h("span", { class: "count", title: "desired (spec.replicas)" }, "desired ", parts.desired),
          h("span", { class: "count", title: "current (status.replicas)" }, "current ", parts.current),
          h("span", { class: "count", title: "ready (status.readyReplicas)" }, "ready ", parts.ready)),
        parts.image,
        parts.progress,
        canScale ? h("div", { class: "wl-scale" }, minus, plus) : null);
      c = { el, parts, obj };
      if (obj.kind === "Deployment") {
        c.rollout = new RolloutSection((uids) => this.onHighlight(uids));
        el.appendChild(c.rollout.el);
      }
      this.cards.set(uid, c);
      this.list.appendChild(el);
    }
    c.obj = obj;
    const n = workloadCounts(obj);
    if (c.pendingDesired === n.desired) c.pendingDesired = undefined;
    setText(c.parts.kind, obj.kind);
    setText(c.parts.name, keyOf(obj));
    setText(c.parts.desired, n.desired);
    setText(c.parts.current, n.current);
    setText(c.parts.ready, n.ready);
    const images = ((((obj.spec || {}).template || {}).spec || {}).containers || []).map((x) => x.image);
    setText(c.parts.image, images.join(", "));
    // Until its controller has seen the latest spec (status.observedGeneration, what
    // `kubectl rollout status` waits for first) the counts are the previous spec's.
    const md = obj.metadata || {}, observed = (obj.status || {}).observedGeneration;
    const converging = n.desired !== n.current || n.desired !== n.ready ||
                       (obj.kind !== "DaemonSet" && n.updated !== n.desired) ||
                       (md.generation !== undefined && observed !== undefined && observed < md.generation);
    c.el.classList.toggle("converging", converging);
    setData(c.el, "desired", n.desired);
    setData(c.el, "current", n.current);
    setData(c.el, "ready", n.ready);
    setData(c.el, "updated", n.updated);
    // StatefulSets and DaemonSets roll without ReplicaSets: say how far the update got.
    const rollingOthers = obj.kind !== "Deployment" && n.updated < n.desired && n.current > 0;
    c.parts.progress.hidden = !rollingOthers;
    if (rollingOthers) setText(c.parts.progress, `updated ${n.updated} of ${n.desired}`);
    this._drawRollout(c);
  }

  _upsertBatch(uid, obj) {
    let c = this.cards.get(uid);
    if (!c) {
      const card = new BatchCard(obj, { onSelect: this.onSelect });
      c = { el: card.el, card, obj };
      this.cards.set(uid, c);
      this.list.appendChild(card.el);
    }
    c.obj = obj;
    c.card.update(obj, this.model, this.now());
  }

  _drawRollout(c) {
    if (!c.rollout) return;
    c.rollout.update(this.model, c.obj);
    c.el.classList.toggle("rolling", c.rollout.el.classList.contains("rolling"));
    setData(c.el, "rolling", c.rollout.el.dataset.rolling);
  }

  _remove(uid) {
    const c = this.cards.get(uid);
    if (!c) return;
    c.el.remove();
    this.cards.delete(uid);
  }

  _scale(uid, delta) {
    const c = this.cards.get(uid);
    if (!c) return;
    // Quick clicks count from the last value asked for, not the one the watch has shown yet.
    const base = c.pendingDesired !== undefined ? c.pendingDesired : workloadCounts(c.obj).desired;
    const want = Math.max(0, base + delta);
    c.pendingDesired = want;
    this.onScale(c.obj, want);
  }
}
