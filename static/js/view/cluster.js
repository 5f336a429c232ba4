// The cluster view: one box per Node with its pods inside, plus a Pending lane for pods no node
// has accepted yet. Elements are keyed by uid and patched in place; the view draws the difference
// between the last drawn and the current state of each dirty object (never an assumed transition),
// and animates it: a pod appears, flashes when its STATUS changes, and fades out when it is gone.

import { h, setText, setData, reducedMotion } from "../dom.js";
import { podColumns, statusCategory } from "../podstatus.js";
import { podRequests, parseQuantity, formatCpu, formatBytes } from "../quantity.js";
import { keyOf, workloadOf } from "../model.js";

const DENSE_AT = 24;          // more pods than this in a box: draw them as small tiles
const FADE_MS = 600;
const MAX_FLASHES_PER_FRAME = 150;

export function nodeReadiness(node) {
  const c = ((node.status || {}).conditions || []).find((x) => x.type === "Ready");
  return c && c.status === "True" ? "Ready" : (c && c.status === "Unknown" ? "Unknown" : "NotReady");
}

function nodeStatusText(node) {
  const ready = nodeReadiness(node) === "Ready" ? "Ready" : "NotReady";
  return (node.spec || {}).unschedulable ? `${ready},SchedulingDisabled` : ready;
}

function podScheduledMessage(pod) {
  const c = ((pod.status || {}).conditions || []).find((x) => x.type === "PodScheduled");
  return c && c.status !== "True" ? (c.message || c.reason || "") : "";
}

// A stable colour per workload name: the left edge of each pod tile.
function hue(name) {
  let x = 0;
  for (let i = 0; i < name.length; i++) x = (x * 31 + name.charCodeAt(i)) >>> 0;
  return x % 360;
}

export class ClusterView {
  constructor(root, model, { onSelect }) {
    this.model = model;
    this.onSelect = onSelect;
    this.root = root;
    this.nodesEl = root.querySelector("#nodes");
    this.pendingEl = root.querySelector("#pending-pods");
    this.pendingCount = root.querySelector("#pending-count");
    this.emptyEl = root.querySelector("#nodes-empty");
    this.nodes = new Map();     // node name -> {el, podsEl, parts, pods:Set<uid>, obj}
    this.pods = new Map();      // pod uid -> {el, node, status, req}
    this.pendingPods = new Set();
    this.selected = null;
    root.addEventListener("click", (e) => this._click(e));
    root.addEventListener("keydown", (e) => {
      if ((e.key === "Enter" || e.key === " ") && e.target.matches("[data-node-header]")) {
        e.preventDefault();
        this._click(e);
      }
    });
  }

  _click(e) {
    const podEl = e.target.closest("[data-pod]");
    if (podEl) {
      this.onSelect({ kind: "Pod", uid: podEl.dataset.uid });
      return;
    }
    const nodeEl = e.target.closest("[data-node]");
    if (nodeEl) this.onSelect({ kind: "Node", uid: this.nodes.get(nodeEl.dataset.node)?.obj?.metadata.uid });
  }

  /** Draw the dirty objects (uid -> {prev, next, last}) of this frame. */
  draw(dirty) {
    const dirtyNodes = new Set();
    let flashes = 0;
    const animate = !reducedMotion();
    for (const [uid, d] of dirty) {
      const obj = d.next || d.last || d.prev;
      if (!obj) continue;
      if (obj.kind === "Node") {
        if (d.next) this._upsertNode(d.next); else this._removeNode(obj);
        dirtyNodes.add(obj.metadata.name);
      } else if (obj.kind === "Pod") {
        const touched = d.next ? this._upsertPod(uid, d.next, animate && flashes < MAX_FLASHES_PER_FRAME)
                               : this._removePod(uid, animate);
        if (touched.flashed) flashes++;
        for (const n of touched.nodes) dirtyNodes.add(n);
      } else if (obj.kind === "ReplicaSet" && d.next && !d.prev) {
        // A new ReplicaSet may name the owner of pods that arrived first: relabel them.
        for (const [puid, p] of this.pods) {
          const pod = this.model.get(puid);
          if (pod && (pod.metadata.ownerReferences || []).some((r) => r.uid === uid)) this._label(p, pod);
        }
      }
    }
    for (const name of dirtyNodes) this._drawNodeSummary(name);
    setText(this.pendingCount, String(this.pendingPods.size));
    this.pendingEl.classList.toggle("dense", this.pendingPods.size > DENSE_AT * 2);
    this.emptyEl.hidden = this.nodes.size > 0;
  }

  // ---- nodes ---------------------------------------------------------------------------------

  _upsertNode(node) {
    const name = node.metadata.name;
    let n = this.nodes.get(name);
    if (!n) {
      const parts = {
        name: h("span", { class: "node-name" }),
        ready: h("span", { class: "badge" }),
        cordon: h("span", { class: "badge cordoned", text: "cordoned", hidden: true }),
        failed: h("span", { class: "badge failed", text: "heartbeats stopped", hidden: true }),
        cpu: h("span", { class: "meter-text" }), cpuBar: h("i"),
        mem: h("span", { class: "meter-text" }), memBar: h("i"),
        podsN: h("span", { class: "meter-text" }), podsBar: h("i"),
      };
      const meter = (label, text, bar) => h("div", { class: "meter" },
        h("span", { class: "meter-label", text: label }), h("span", { class: "bar" }, bar), text);
      const podsEl = h("div", { class: "pods" });
      const el = h("section", { class: "node", dataset: { node: name } },
        h("header", { class: "node-head", tabindex: "0", role: "button", "data-node-header": "",
                      "aria-label": `node ${name}` },
          parts.name, parts.ready, parts.cordon, parts.failed),
        h("div", { class: "meters" },
          meter("cpu", parts.cpu, parts.cpuBar), meter("memory", parts.mem, parts.memBar),
          meter("pods", parts.podsN, parts.podsBar)),
        podsEl);
      n = { el, podsEl, parts, pods: new Set(), obj: node };
      this.nodes.set(name, n);
      // Keep boxes in name order.
      const after = [...this.nodes.keys()].sort().find((k) => k > name && this.nodes.get(k).el.isConnected);
      this.nodesEl.insertBefore(el, after ? this.nodes.get(after).el : null);
      // Pods that named this node before it was seen move in.
      for (const [uid, p] of this.pods) if (p.node === null && this._wantsNode(uid) === name) this._placePod(uid, p, name);
    }
    n.obj = node;
    const readiness = nodeReadiness(node);
    setText(n.parts.name, name);
    setText(n.parts.ready, readiness === "Ready" ? "Ready" : "NotReady");
    setData(n.el, "ready", readiness);
    setData(n.el, "status", nodeStatusText(node));
    n.parts.ready.className = "badge " + (readiness === "Ready" ? "ok" : "bad");
    const cordoned = !!(node.spec || {}).unschedulable;
    n.parts.cordon.hidden = !cordoned;
    setData(n.el, "cordoned", cordoned);
    const failed = ((node.metadata.annotations || {})["kubeplay.dev/failed"] === "true");
    n.parts.failed.hidden = !failed;
    n.el.classList.toggle("not-ready", readiness !== "Ready");
  }

  _removeNode(node) {
    const n = this.nodes.get(node.metadata.name);
    if (!n) return;
    for (const uid of n.pods) {
      const p = this.pods.get(uid);
      if (p) this._placePod(uid, p, null);
    }
    n.el.remove();
    this.nodes.delete(node.metadata.name);
  }

  _drawNodeSummary(name) {
    const n = this.nodes.get(name);
    if (!n) return;
    const alloc = ((n.obj.status || {}).allocatable) || ((n.obj.status || {}).capacity) || {};
    let cpu = 0, mem = 0, count = 0;
    for (const uid of n.pods) {
      const p = this.pods.get(uid);
      if (!p || p.terminal) continue;
      cpu += p.req.cpu; mem += p.req.memory; count++;
    }
    const aCpu = parseQuantity(alloc.cpu), aMem = parseQuantity(alloc.memory), aPods = parseQuantity(alloc.pods);
    setText(n.parts.cpu, `${formatCpu(cpu)} / ${formatCpu(aCpu)}`);
    setText(n.parts.mem, `${formatBytes(mem)} / ${formatBytes(aMem)}`);
    setText(n.parts.podsN, `${count} / ${aPods || "?"}`);
    const pct = (a, b) => `${b ? Math.min(100, (100 * a) / b) : 0}%`;
    n.parts.cpuBar.style.width = pct(cpu, aCpu);
    n.parts.memBar.style.width = pct(mem, aMem);
    n.parts.podsBar.style.width = pct(count, aPods);
    n.el.classList.toggle("dense", n.pods.size > DENSE_AT);
  }

  // ---- pods ----------------------------------------------------------------------------------

  _wantsNode(uid) {
    const pod = this.model.get(uid);
    return pod && pod.spec && pod.spec.nodeName ? pod.spec.nodeName : null;
  }

  _upsertPod(uid, pod, mayFlash) {
    const touched = { nodes: [], flashed: false };
    const cols = podColumns(pod);
    let p = this.pods.get(uid);
    const isNew = !p;
    if (!p) {
      const el = h("button", { type: "button", class: "pod", dataset: { pod: keyOf(pod), uid } },
        h("span", { class: "pod-name" }), h("span", { class: "pod-owner" }));
      p = { el, node: undefined, status: null, req: podRequests(pod), terminal: false };
      this.pods.set(uid, p);
      this._label(p, pod);
      if (mayFlash) el.classList.add("entering");
    }
    const phase = (pod.status || {}).phase;
    p.terminal = phase === "Succeeded" || phase === "Failed";
    const target = pod.spec && pod.spec.nodeName && this.nodes.has(pod.spec.nodeName) ? pod.spec.nodeName : null;
    if (p.node !== target) {
      if (p.node) touched.nodes.push(p.node);
      this._placePod(uid, p, target);
      if (target) touched.nodes.push(target);
    } else if (target) {
      touched.nodes.push(target);
    }
    if (p.status !== cols.status) {
      const el = p.el;
      setData(el, "status", cols.status);
      el.className = `pod s-${statusCategory(cols.status)}` + (el.classList.contains("entering") ? " entering" : "");
      if (!isNew && mayFlash && el.animate) {
        el.animate([{ transform: "scale(1.35)" }, { transform: "scale(1)" }], { duration: 350, easing: "ease-out" });
        touched.flashed = true;
      }
      p.status = cols.status;
    }
    const sched = target ? "" : podScheduledMessage(pod);
    el_title(p.el, [keyOf(pod), `STATUS ${cols.status}`, `READY ${cols.ready}/${cols.total}`,
                    `RESTARTS ${cols.restarts}`, p.owner ? `owner ${p.owner}` : "bare pod",
                    pod.spec && pod.spec.nodeName ? `node ${pod.spec.nodeName}` : "not scheduled",
                    sched].filter(Boolean).join("\n"));
    setData(p.el, "message", sched);
    if (uid === this.selected) p.el.classList.add("selected");
    return touched;
  }

  _label(p, pod) {
    const w = workloadOf(pod, this.model);
    p.owner = w ? `${w.kind}/${w.name}` : "";
    setData(p.el, "workload", p.owner);
    const name = pod.metadata.name;
    const short = w && name.startsWith(w.name + "-") ? name.slice(w.name.length + 1) : name;
    setText(p.el.children[0], w ? w.name : name);
    setText(p.el.children[1], w ? short : "");
    p.el.style.setProperty("--wl", String(hue(w ? w.name : name)));
  }

  _placePod(uid, p, nodeName) {
    if (p.node) this.nodes.get(p.node)?.pods.delete(uid);
    if (p.node === null) this.pendingPods.delete(uid);
    p.node = nodeName;
    if (nodeName) {
      const n = this.nodes.get(nodeName);
      n.pods.add(uid);
      n.podsEl.appendChild(p.el);
    } else {
      this.pendingPods.add(uid);
      this.pendingEl.appendChild(p.el);
    }
  }

  _removePod(uid, animate) {
    const touched = { nodes: [], flashed: false };
    const p = this.pods.get(uid);
    if (!p) return touched;
    this.pods.delete(uid);
    if (p.node) {
      this.nodes.get(p.node)?.pods.delete(uid);
      touched.nodes.push(p.node);
    } else {
      this.pendingPods.delete(uid);
    }
    const el = p.el;
    // The element leaves the pod set at once (counts and tests see it gone) and fades out.
    el.dataset.gone = el.dataset.pod;
    delete el.dataset.pod;
    el.disabled = true;
    if (animate && this.pods.size < 3000) {
      el.classList.add("leaving");
      setTimeout(() => el.remove(), FADE_MS);
    } else {
      el.remove();
    }
    return touched;
  }

  select(uid) {
    if (this.selected) this.pods.get(this.selected)?.el.classList.remove("selected");
    for (const n of this.nodes.values()) n.el.classList.remove("selected");
    this.selected = uid;
    const p = uid && this.pods.get(uid);
    if (p) p.el.classList.add("selected");
    const node = uid && [...this.nodes.values()].find((n) => n.obj.metadata.uid === uid);
    if (node) node.el.classList.add("selected");
  }
}

function el_title(el, text) {
  if (el.title !== text) el.title = text;
}
