// A Deployment's ReplicaSets inside its workload card. At rest: one line for the current
// ReplicaSet. While a rollout runs (or old pods still terminate): the old and the new
// ReplicaSets side by side (name, revision,
// image, desired / current / ready) with a dot per pod each one owns, so the pods visibly move
// from the old column to the new one, a few at a time. Hovering a column highlights its pods in
// the cluster view.

import { h, setText, setData, reducedMotion } from "../dom.js";
import { podColumns, statusCategory } from "../podstatus.js";
import { rolloutOf, rsCounts, imagesOf } from "../replicasets.js";

// Dots drawn per ReplicaSet; beyond that a "+N" says how many more.
const MAX_DOTS = 30;
const ENTER = [{ opacity: 0, transform: "scale(.2)" }, { opacity: 1, transform: "scale(1)" }];

export class RolloutSection {
  /** onHover(podUids | null): highlight those pods in the cluster view (null: stop). */
  constructor(onHover) {
    this.onHover = onHover;
    this.el = h("div", { class: "rollout", dataset: { rolling: "false" } });
    this.status = h("div", { class: "rollout-status", "aria-live": "polite" });
    this.cols = h("div", { class: "rs-list" });
    this.el.append(this.status, this.cols);
    this.boxes = new Map();        // rs uid -> {el, parts, dots: Map(pod uid -> el)}
    this.hovered = null;           // rs uid under the pointer (or focused)
    this.model = null;
  }

  update(model, dep) {
    const { sets, rolling } = rolloutOf(model, dep);
    const split = sets.length > 1;
    setData(this.el, "rolling", rolling);
    this.el.classList.toggle("rolling", split);
    const paused = !!(dep.spec || {}).paused;
    const newest = sets.find((s) => s.role === "new");
    const olds = sets.filter((s) => s.role === "old").map((s) => s.revision).join(", ");
    setText(this.status, !newest ? "no ReplicaSet yet"
      : rolling && split ? `${paused ? "rollout paused" : "rolling update"}: revision ${olds} → ${newest.revision}`
      : rolling ? (paused ? "rollout paused" : `rolling update to revision ${newest.revision}`)
      : split ? `rolled out revision ${newest.revision}; old pods still terminating`
      : paused ? "rollout paused" : "");
    this.status.hidden = !this.status.textContent;
    const keep = new Set();
    for (const s of sets) {
      keep.add(s.rs.metadata.uid);
      this._box(model, s);
    }
    for (const [uid, b] of this.boxes) {
      if (!keep.has(uid)) {
        b.el.remove();
        this.boxes.delete(uid);
        if (this.hovered === uid) this._hover(null);
      }
    }
    // Columns in revision order: old on the left, new on the right.
    let prev = null;
    for (const s of sets) {
      const el = this.boxes.get(s.rs.metadata.uid).el;
      if (prev ? prev.nextSibling !== el : this.cols.firstChild !== el) {
        this.cols.insertBefore(el, prev ? prev.nextSibling : this.cols.firstChild);
      }
      prev = el;
    }
    this.model = model;
    if (this.hovered) this._hover(this.hovered);
  }

  _box(model, s) {
    const uid = s.rs.metadata.uid;
    let b = this.boxes.get(uid);
    if (!b) {
      const parts = {
        role: h("span", { class: "rs-role" }), rev: h("span", { class: "rs-rev" }),
        name: h("span", { class: "rs-name" }), image: h("span", { class: "rs-image" }),
        desired: h("b"), current: h("b"), ready: h("b"),
        dots: h("div", { class: "rs-pods", role: "list", "aria-label": "pods" }), more: h("span", { class: "rs-more" }),
      };
      const el = h("div", { class: "rs", dataset: { rs: s.rs.metadata.name }, tabindex: "0",
                            onmouseenter: () => this._hover(uid), onmouseleave: () => this._hover(null),
                            onfocus: () => this._hover(uid), onblur: () => this._hover(null) },
        h("div", { class: "rs-head" }, parts.role, parts.rev),
        parts.name, parts.image,
        h("div", { class: "rs-counts" },
          h("span", { title: "desired (spec.replicas)" }, "desired ", parts.desired),
          h("span", { title: "current (status.replicas)" }, "current ", parts.current),
          h("span", { title: "ready (status.readyReplicas)" }, "ready ", parts.ready)),
        parts.dots, parts.more);
      b = { el, parts, dots: new Map() };
      this.boxes.set(uid, b);
    }
    const n = rsCounts(s.rs);
    setData(b.el, "role", s.role);
    setData(b.el, "revision", s.revision);
    setData(b.el, "desired", n.desired);
    setData(b.el, "current", n.current);
    setData(b.el, "ready", n.ready);
    setData(b.el, "pods", s.podUids.size);
    setText(b.parts.role, s.role === "new" ? "new" : "old");
    setText(b.parts.rev, `revision ${s.revision || "?"}`);
    setText(b.parts.name, `ReplicaSet ${s.rs.metadata.name}`);
    setText(b.parts.image, imagesOf(s.rs));
    setText(b.parts.desired, n.desired);
    setText(b.parts.current, n.current);
    setText(b.parts.ready, n.ready);
    this._dots(b, model, s.podUids);
  }

  _dots(b, model, podUids) {
    // Pods keep their dot (in the order they came); new ones fill up to MAX_DOTS. A ReplicaSet
    // of thousands of pods costs about MAX_DOTS steps, not one per pod.
    const shown = [];
    for (const uid of b.dots.keys()) {
      if (shown.length >= MAX_DOTS) break;
      const pod = podUids.has(uid) && model.get(uid);
      if (pod) shown.push(pod);
    }
    if (shown.length < MAX_DOTS) {
      for (const uid of podUids) {
        if (shown.length >= MAX_DOTS) break;
        const pod = !b.dots.has(uid) && model.get(uid);
        if (pod) shown.push(pod);
      }
    }
    const keep = new Set();
    const animate = !reducedMotion() && document.visibilityState === "visible";
    for (const pod of shown) {
      const uid = pod.metadata.uid;
      keep.add(uid);
      let dot = b.dots.get(uid);
      if (!dot) {
        dot = h("span", { class: "rs-pod", role: "listitem", dataset: { rsPod: pod.metadata.name } });
        b.dots.set(uid, dot);
        b.parts.dots.appendChild(dot);
        if (animate && dot.animate) dot.animate(ENTER, { duration: 400, easing: "ease-out" });
      }
      const status = podColumns(pod).status;
      if (dot.dataset.status !== status) {
        dot.dataset.status = status;
        dot.className = `rs-pod s-${statusCategory(status)}`;
        dot.title = `${pod.metadata.name}: ${status}`;
        dot.setAttribute("aria-label", dot.title);
      }
    }
    for (const [uid, dot] of b.dots) {
      if (!keep.has(uid)) {
        dot.remove();
        b.dots.delete(uid);
      }
    }
    setText(b.parts.more, podUids.size > shown.length ? `+${podUids.size - shown.length}` : "");
  }

  _hover(uid) {
    this.hovered = uid;
    this.onHover(uid && this.model ? [...this.model.ownedBy(uid)] : null);
  }
}
