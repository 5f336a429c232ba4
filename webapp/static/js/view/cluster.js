// The cluster view: one box per Node with its pods inside, plus a Pending lane for pods no node
// has accepted yet. Elements are keyed by uid and patched in place; the view draws the difference
// between the last drawn and the current state of each dirty object (never an assumed transition),
// and animates it: a pod appears, flashes when its STATUS changes, and fades out when it is gone.

import { h, setText, setData, reducedMotion } from "../dom.js";
import { podColumns, statusCategory } from "../podstatus.js";
import { podRequests, parseQuantity, formatCpu, formatBytes } from "../quantity.js";
import { keyOf, workloadOf, controllerUid } from "../model.js";
import { podRevision } from "../replicasets.js";
import { PodGroup } from "./podgroup.js";
import { Meter } from "./meter.js";
import { taintText, shortTaint } from "../taints.js";
import { isSystem } from "./controlplane.js";

// Each running animation costs a compositor layer in every frame: with thousands of pods
// changing at once only the first few are animated and the rest simply change.
const MAX_ANIMATIONS = 48;
// Above this many pods in the cluster every box draws its pods as tiles (below CROWDED_OFF, back).
const CROWDED_ON = 200;
const CROWDED_OFF = 150;
// Above this many pods in the cluster every box shows a summary of its pods (counts and a STATUS
// bar) instead of one tile each, and only the node the learner zooms into shows its pods
// (below AGGREGATE_OFF, back to tiles).
const AGGREGATE_ON = 2000;
const AGGREGATE_OFF = 1500;
// The hidden buttons of pods drawn as tiles are brought up to date in idle time (see `_later`):
// at most CATCH_UP_SLICE_MS at a time and within requestIdleCallback's deadline (so a message or
// a frame that comes meanwhile waits little), or, if the page never idles for CATCH_UP_MS, a
// slice anyway.
const CATCH_UP_MS = 1000;
const CATCH_UP_SLICE_MS = 4;

const ENTER = [{ opacity: 0, transform: "scale(.3)" }, { opacity: 1, transform: "scale(1)" }];
const FLASH = [{ transform: "scale(1.35)" }, { transform: "scale(1)" }];
const LEAVE = [{ opacity: 1, transform: "scale(1)" }, { opacity: 0, transform: "scale(.4)" }];
// A node that stops being Ready shakes once and flashes red; one that comes back flashes green.
const NODE_DOWN = [{ transform: "translateX(0)", boxShadow: "0 0 0 0 rgba(214,69,69,.8)" },
                   { transform: "translateX(-5px)" }, { transform: "translateX(5px)" },
                   { transform: "translateX(-3px)" }, { transform: "translateX(0)", boxShadow: "0 0 0 10px rgba(214,69,69,0)" }];
const NODE_UP = [{ boxShadow: "0 0 0 0 rgba(31,157,85,.8)" }, { boxShadow: "0 0 0 10px rgba(31,157,85,0)" }];

class Motion {
  constructor() {
    this.running = 0;
    this.enabled = true;
  }

  /** Play keyframes on el if the budget allows; `done` runs when it ends (or at once). */
  play(el, keyframes, duration, done = null) {
    if (!this.enabled || this.running >= MAX_ANIMATIONS || !el.animate) {
      if (done) done();
      return false;
    }
    this.running++;
    const a = el.animate(keyframes, { duration, easing: "ease-out", fill: done ? "forwards" : "none" });
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.running--;
      if (done) done();
    };
    a.onfinish = end;
    a.oncancel = end;
    return true;
  }
}

export function nodeReadiness(node) {
  const c = ((node.status || {}).conditions || []).find((x) => x.type === "Ready");
  return c && c.status === "True" ? "Ready" : (c && c.status === "Unknown" ? "Unknown" : "NotReady");
}

function readyCondition(node) {
  return ((node.status || {}).conditions || []).find((x) => x.type === "Ready") || null;
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
    this.nodes = new Map();     // node name -> {el, group, parts, obj}
    this.pods = new Map();      // pod uid -> {el, node, status, req, owner, terminal}
    this.makeEl = (uid, p) => this._freshen(uid, p);
    this.tipOf = (p) => tooltipOf(this._labelled(p));
    this.pending = new PodGroup(this.pendingEl, this.pods, this.tipOf, { make: this.makeEl });
    this.stale = new Set();     // pods drawn as tiles whose hidden button is behind (or not made yet)
    this.idle = 0;
    this.crowded = false;
    this.aggregate = false;
    this.zoomed = null;         // the node whose pods are shown while the others are summaries
    this.failed = new Set();    // nodes whose simulated kubelet was stopped (Fail)
    this.selected = null;
    this.highlights = new Map();   // "hover" | "pin" -> Set of pod uids (hover wins)
    this.highlighted = new Set();  // pod uids drawn highlighted
    this.motion = new Motion();
    root.addEventListener("click", (e) => this._click(e));
    root.addEventListener("keydown", (e) => {
      if ((e.key === "Enter" || e.key === " ") && e.target.matches("[data-node-header]")) {
        e.preventDefault();
        this._click(e);
      }
    });
  }

  _click(e) {
    const zoom = e.target.closest && e.target.closest("[data-zoom]");
    if (zoom) {
      this.zoom(zoom.dataset.zoom === this.zoomed ? null : zoom.dataset.zoom);
      return;
    }
    if (e.target.matches && e.target.matches("canvas.pod-canvas")) {
      const group = this._groupOfCanvas(e.target);
      const uid = group && group.hit(e);
      if (uid) {
        this.onSelect({ kind: "Pod", uid });
        return;
      }
    }
    const podEl = e.target.closest("[data-pod]");
    if (podEl) {
      this.onSelect({ kind: "Pod", uid: podEl.dataset.uid });
      return;
    }
    const nodeEl = e.target.closest("[data-node]");
    if (nodeEl) this.onSelect({ kind: "Node", uid: this.nodes.get(nodeEl.dataset.node)?.obj?.metadata.uid });
  }

  _groupOfCanvas(canvas) {
    if (this.pending.canvas === canvas) return this.pending;
    for (const n of this.nodes.values()) if (n.group.canvas === canvas) return n.group;
    return null;
  }

  _group(nodeName) {
    return nodeName ? this.nodes.get(nodeName)?.group : this.pending;
  }

  /** Whether the box of this node (null: the Pending lane) shows a summary of its pods. */
  _aggregated(name) {
    return this.aggregate && (name === null || name !== this.zoomed);
  }

  _updateGroup(group) {
    group.update(this.crowded, this._aggregated(group.name));
  }

  /** Show the pods of one node (the others stay summaries); null: back to all summaries. */
  zoom(name) {
    if (name !== null && !this.nodes.has(name)) name = null;
    const before = this.zoomed;
    this.zoomed = name;
    for (const n of [before, name]) {
      const node = n && this.nodes.get(n);
      if (!node) continue;
      node.el.classList.toggle("zoomed", n === name);
      node.parts.unzoom.hidden = n !== name;
      setData(node.el, "zoomed", n === name);
      this._drawNodeSummary(n);
    }
    if (name) this.nodes.get(name).el.scrollIntoView({ block: "nearest" });
  }

  /** Whether the next draw shows each node's pods summed up (the model's pod count decides). */
  willAggregate() {
    const total = this.model.kind("Pod").size;
    return this.aggregate ? total >= AGGREGATE_OFF : total > AGGREGATE_ON;
  }

  /** Draw the dirty objects (uid -> {prev, next, last}) of this frame. */
  draw(dirty) {
    const dirtyNodes = new Set();
    this.motion.enabled = !reducedMotion() && document.visibilityState === "visible";
    // Decided before the pods are drawn (from the model's count, which this frame brings the view
    // to), so that a snapshot of ten thousand pods never builds an element for each.
    const aggregate = this.willAggregate();
    if (aggregate !== this.aggregate) {
      this.aggregate = aggregate;
      if (!aggregate && this.zoomed) this.zoom(null);
      for (const name of this.nodes.keys()) dirtyNodes.add(name);
      if (aggregate) {
        for (const n of this.nodes.values()) this._updateGroup(n.group);
        this._updateGroup(this.pending);
      }
    }
    // Tiles or buttons: decided before the pods are drawn too, from the learner's pods in the
    // model (what the map holds once this draw is done), so that the first draw of a scale-up
    // places its hundreds of new pods as tiles at once (their hidden buttons made in idle time)
    // instead of making visible buttons and moving them into the hidden list at the end.
    // (An aggregated map holds thousands: crowded, without counting them each draw.)
    let mapped = 0;
    if (!aggregate) for (const pod of this.model.kind("Pod").values()) if (!isSystem(pod)) mapped++;
    const crowded = aggregate || (this.crowded ? mapped >= CROWDED_OFF : mapped > CROWDED_ON);
    if (crowded !== this.crowded) {
      this.crowded = crowded;
      for (const name of this.nodes.keys()) dirtyNodes.add(name);
      for (const n of this.nodes.values()) this._updateGroup(n.group);
      this._updateGroup(this.pending);
    }
    for (const [uid, d] of dirty) {
      const obj = d.next || d.last || d.prev;
      if (!obj) continue;
      if (isSystem(obj)) continue;      // kube-system and the control-plane node: the strip above
      if (obj.kind === "Node") {
        if (d.next) this._upsertNode(d.next); else this._removeNode(obj);
        dirtyNodes.add(obj.metadata.name);
      } else if (obj.kind === "Pod") {
        const touched = d.next ? this._upsertPod(uid, d.next) : this._removePod(uid);
        for (const n of touched.nodes) dirtyNodes.add(n);
      } else if (obj.kind === "PersistentVolumeClaim") {
        // A claim bound (or gone): the pods that mount it show its new phase.
        for (const p of this.pods.values()) {
          if (p.pod && p.el && p.pod.metadata.namespace === obj.metadata.namespace) this._drawClaims(p, p.pod);
        }
      } else if (obj.kind === "ReplicaSet" && d.next &&
                 (!d.prev || revisionKey(d.prev) !== revisionKey(d.next))) {
        // A new ReplicaSet (or a new revision number) may name the owner of pods that arrived
        // first, and makes its siblings' pods old: relabel every pod of that Deployment.
        const dep = controllerUid(d.next);
        const sets = dep ? this.model.ownedBy(dep) : [uid];
        for (const rsUid of sets) {
          for (const puid of this.model.ownedBy(rsUid)) {
            const p = this.pods.get(puid), pod = this.model.get(puid);
            if (!p || !pod) continue;
            if (!p.el) {
              p.owner = undefined;      // worked out again when needed (a tile's tooltip, its button)
              continue;
            }
            this._labelData(p, pod);
            p.labelStale = true;
            const group = this._group(p.node);
            if (group && group.dense) {
              this._later(puid);
              continue;
            }
            this._labelEl(p);
            if (p.cols) el_title(p.el, tooltipOf(p));
          }
        }
      }
    }
    for (const name of dirtyNodes) this._drawNodeSummary(name);
    this._updateGroup(this.pending);
    setText(this.pendingCount, String(this.pending.size));
    this.emptyEl.hidden = this.nodes.size > 0;
  }

  // ---- nodes ---------------------------------------------------------------------------------

  /** What each node uses ({name: {cpu: cores, memory: bytes}}, from the metrics API). */
  setUsage(byNode) {
    for (const [name, n] of this.nodes) {
      const u = byNode[name] || null;
      const key = u ? `${u.cpu}/${u.memory}` : "";
      if (n.usedKey === key) continue;
      n.usedKey = key;
      n.used = u;
      if (u) {
        setData(n.el, "cpuUsed", formatCpu(u.cpu));
        setData(n.el, "memoryUsed", formatBytes(u.memory));
      }
      this._drawNodeSummary(name);
    }
  }

  _upsertNode(node) {
    const name = node.metadata.name;
    let n = this.nodes.get(name);
    if (!n) {
      const parts = {
        name: h("span", { class: "node-name" }),
        ready: h("span", { class: "badge" }),
        cordon: h("span", { class: "badge cordoned", text: "cordoned", hidden: true }),
        failed: h("span", { class: "badge failed", text: "heartbeats stopped", hidden: true }),
        unzoom: h("button", { type: "button", class: "node-unzoom", dataset: { zoom: name }, hidden: true,
                              text: "back to all nodes" }),
        reason: h("div", { class: "node-reason", hidden: true }),
        taints: h("div", { class: "taints", "aria-label": "taints", hidden: true }),
        cpu: new Meter("cpu"), mem: new Meter("memory"), pods: new Meter("pods"),
      };
      const podsEl = h("div", { class: "pods" });
      const el = h("section", { class: "node", dataset: { node: name } },
        h("header", { class: "node-head", tabindex: "0", role: "button", "data-node-header": "",
                      "aria-label": `node ${name}` },
          parts.name, parts.ready, parts.cordon, parts.failed),
        parts.unzoom,
        parts.reason, parts.taints,
        h("div", { class: "meters" }, parts.cpu.el, parts.mem.el, parts.pods.el),
        podsEl);
      n = { el, group: new PodGroup(podsEl, this.pods, this.tipOf, { name, make: this.makeEl, zoomable: true }),
            parts, obj: node, sum: { cpu: 0, memory: 0, count: 0 } };    // requests of the non-terminal pods on it
      this.nodes.set(name, n);
      this._updateGroup(n.group);
      // Keep boxes in name order: before the first shown box whose name sorts after this one.
      // One pass, no sort: a 1,000-node cluster's boxes come in one by one.
      let after = null;
      for (const [k, other] of this.nodes) {
        if (k > name && (after === null || k < after) && other.el.isConnected) after = k;
      }
      this.nodesEl.insertBefore(el, after ? this.nodes.get(after).el : null);
      // Pods that named this node before it was seen move in.
      for (const [uid, p] of this.pods) {
        if (p.node === null && this._wantsNode(uid) === name) this._placePod(uid, p, name);
      }
      this._updateGroup(this.pending);
    }
    const wasReady = n.el.dataset.ready;
    n.obj = node;
    const readiness = nodeReadiness(node);
    setText(n.parts.name, name);
    setText(n.parts.ready, readiness === "Ready" ? "Ready" : readiness === "Unknown" ? "NotReady (Unknown)" : "NotReady");
    const cond = readyCondition(node);
    const why = readiness === "Ready" || !cond ? "" : (cond.message || cond.reason || "");
    n.parts.ready.title = cond ? `Ready=${cond.status}${cond.reason ? " (" + cond.reason + ")" : ""}` : "no Ready condition yet";
    n.parts.reason.hidden = !why;
    setText(n.parts.reason, why);
    this._drawTaints(n, node);
    if (wasReady && wasReady !== readiness) {
      if (readiness !== "Ready") this.motion.play(n.el, NODE_DOWN, 700);
      else this.motion.play(n.el, NODE_UP, 700);
    }
    setData(n.el, "ready", readiness);
    setData(n.el, "status", nodeStatusText(node));
    n.parts.ready.className = "badge " + (readiness === "Ready" ? "ok" : "bad");
    const cordoned = !!(node.spec || {}).unschedulable;
    n.parts.cordon.hidden = !cordoned;
    setData(n.el, "cordoned", cordoned);
    n.parts.failed.hidden = !this.failed.has(name);
    setData(n.el, "failed", this.failed.has(name));
    n.el.classList.toggle("not-ready", readiness !== "Ready");
  }

  /** One chip per taint (key:effect, value in the tooltip); a new taint pops in. */
  _drawTaints(n, node) {
    const taints = (node.spec || {}).taints || [];
    const want = taints.map(taintText);
    const have = [...n.parts.taints.children].map((c) => c.dataset.taint);
    n.parts.taints.hidden = !taints.length;
    setData(n.el, "taints", want.join(","));
    if (want.join("\n") === have.join("\n")) return;
    const old = new Set(have);
    n.parts.taints.replaceChildren(...taints.map((t, i) => {
      const chip = h("span", { class: `taint e-${t.effect}`, dataset: { taint: want[i] },
                               title: `taint ${want[i]}${t.timeAdded ? " (added " + t.timeAdded + ")" : ""}`,
                               text: shortTaint(t) });
      if (!old.has(want[i])) this.motion.play(chip, ENTER, 450);
      return chip;
    }));
  }

  _removeNode(node) {
    const n = this.nodes.get(node.metadata.name);
    if (!n) return;
    for (const uid of [...n.group.uids]) {
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
    const cpu = Math.max(0, n.sum.cpu), mem = Math.max(0, n.sum.memory), count = n.sum.count;
    const aCpu = parseQuantity(alloc.cpu), aMem = parseQuantity(alloc.memory), aPods = parseQuantity(alloc.pods);
    // Requests (what the scheduler counts) as the bar; what is used (the metrics API, as
    // `kubectl top node` shows it) as a mark on the same scale, and both in words.
    const used = n.used;
    n.parts.cpu.set(used ? `${formatCpu(cpu)} req · ${formatCpu(used.cpu)} used / ${formatCpu(aCpu)}`
                         : `${formatCpu(cpu)} / ${formatCpu(aCpu)}`, cpu, aCpu, used && used.cpu);
    n.parts.mem.set(used ? `${formatBytes(mem)} req · ${formatBytes(used.memory)} used / ${formatBytes(aMem)}`
                         : `${formatBytes(mem)} / ${formatBytes(aMem)}`, mem, aMem, used && used.memory);
    n.parts.pods.set(`${count} / ${aPods || "?"}`, count, aPods);
    this._updateGroup(n.group);
  }

  // ---- pods ----------------------------------------------------------------------------------

  _wantsNode(uid) {
    const pod = this.model.get(uid);
    return pod && pod.spec && pod.spec.nodeName ? pod.spec.nodeName : null;
  }

  _upsertPod(uid, pod) {
    const touched = { nodes: [] };
    const cols = podColumns(pod);
    let p = this.pods.get(uid);
    const isNew = !p;
    if (!p) {
      p = { el: null, node: undefined, status: null, req: podRequests(pod), terminal: false };
      this.pods.set(uid, p);
    }
    p.pod = pod;
    p.cols = cols;
    const phase = (pod.status || {}).phase;
    p.terminal = phase === "Succeeded" || phase === "Failed";
    this._count(p, !!p.node && !p.terminal);
    const target = pod.spec && pod.spec.nodeName && this.nodes.has(pod.spec.nodeName) ? pod.spec.nodeName : null;
    let entered = false;
    const moved = p.node !== target;
    if (moved) {
      if (p.node) touched.nodes.push(p.node);
      this._placePod(uid, p, target);
      if (target) touched.nodes.push(target);
      // A new pod, or one that just got a node: it appears (again) where it now lives.
      const group = this._group(target);
      if (p.el && !group.dense && !group.summary) entered = this.motion.play(p.el, ENTER, 450);
    } else if (target) {
      touched.nodes.push(target);
    }
    const group = this._group(p.node);
    if (p.status !== cols.status) {
      p.status = cols.status;
      if (group.dense || group.summary) group.changed();
      else if (p.el) {
        this._drawPodStatus(p);
        if (!isNew && !entered) this.motion.play(p.el, FLASH, 350);
      }
    }
    // A pod summed up in its box has no element to patch; one drawn as a tile has a hidden
    // button, brought up to date in idle time. A pod placed just now was brought up to date (or
    // queued) by `_placePod`, before its status above: once per draw is enough.
    if (group.summary || moved) return touched;
    if (group.dense) this._later(uid);
    else this._attach(uid, p, group);
    return touched;
  }

  /** Bring a pod's button up to date (make it if it has none) and put a new one in its group. */
  _attach(uid, p, group) {
    const made = !p.el;
    this._freshen(uid, p);
    if (made) group.attach(p.el);
  }

  /** A pod drawn as a tile: its hidden button (which only tests and assistive tools read, and
   *  which becomes visible only through `_freshen`) is made or patched when the page is idle.
   *  A scale-up's draw made and patched hundreds of them per frame; the tiles, counts and
   *  tooltips are drawn from the view's records at once. */
  _later(uid) {
    this.stale.add(uid);
    if (!this.idle) this.idle = requestIdleCallback((deadline) => this._catchUp(deadline), { timeout: CATCH_UP_MS });
  }

  _catchUp(deadline) {
    this.idle = 0;
    const start = performance.now();
    for (const uid of this.stale) {
      if (performance.now() - start > CATCH_UP_SLICE_MS || (!deadline.didTimeout && deadline.timeRemaining() < 1)) break;
      this.stale.delete(uid);
      const p = this.pods.get(uid);
      const group = p && this._group(p.node);
      if (group && !group.summary) this._attach(uid, p, group);
    }
    if (this.stale.size && !this.idle) {
      this.idle = requestIdleCallback((d) => this._catchUp(d), { timeout: CATCH_UP_MS });
    }
  }

  /** Whether any pod's hidden button is still behind (tests wait for none). */
  get catchingUp() {
    return this.stale.size > 0;
  }

  /** A pod's button as its record says: made if it has none, else its status, label and the rest. */
  _freshen(uid, p) {
    this.stale.delete(uid);
    if (!p.el) {
      this._ensureEl(uid, p);
      return;
    }
    this._drawPodStatus(p);
    if (p.labelStale) this._labelEl(p);
    this._drawPodEl(uid, p);
  }

  _drawPodStatus(p) {
    if (p.elStatus === p.status) return;
    setData(p.el, "status", p.status);
    if (p.elStatus) p.el.classList.remove(`s-${statusCategory(p.elStatus)}`);
    p.el.classList.add(`s-${statusCategory(p.status)}`);
    p.elStatus = p.status;
  }

  /** Give a pod its button (it had none: new, or its box stops being a summary). */
  _ensureEl(uid, p) {
    if (p.el) return;
    const pod = p.pod;
    p.el = podButton(keyOf(pod), uid);
    p.claims = undefined;
    p.elStatus = undefined;
    if (p.owner === undefined) this._labelData(p, pod);
    this._labelEl(p);
    if (p.status) this._drawPodStatus(p);
    this._drawPodEl(uid, p);
  }

  /** What a pod's button shows besides its status and label. */
  _drawPodEl(uid, p) {
    const pod = p.pod;
    const sched = p.node ? "" : podScheduledMessage(pod);
    this._drawClaims(p, pod);
    // Tiles get their tooltip on hover (tooltipOf); a visible button carries it as its title.
    const group = p.node === undefined ? null : this._group(p.node);
    if (!group || !group.dense) el_title(p.el, tooltipOf(p));
    setData(p.el, "message", sched);
    if (uid === this.selected) p.el.classList.add("selected");
    if (this.highlighted.has(uid)) p.el.classList.add("highlit");
  }

  /** The pod's PersistentVolumeClaims beside it: name and phase (Bound / Pending / missing). */
  _drawClaims(p, pod) {
    const ns = pod.metadata.namespace;
    const names = ((pod.spec || {}).volumes || [])
      .map((v) => v && v.persistentVolumeClaim && v.persistentVolumeClaim.claimName).filter(Boolean);
    const parts = names.map((n) => {
      const pvc = this.model.find("PersistentVolumeClaim", ns, n);
      return `${n}:${pvc ? ((pvc.status || {}).phase || "Pending") : "missing"}`;
    });
    const text = parts.join(" ");
    if (p.claims === text) return;
    if (!text && p.claims === undefined) {      // a new button: nothing to take away
      p.claims = text;
      return;
    }
    p.claims = text;
    const el = p.el.querySelector(".pod-claims");
    if (!text) {
      delete p.el.dataset.claims;
      el.replaceChildren();
      return;
    }
    setData(p.el, "claims", text);
    el.replaceChildren(...parts.map((t) => {
      const [name, phase] = t.split(":");
      return h("span", { class: `claim claim-${phase.toLowerCase()}`, title: `PersistentVolumeClaim ${ns}/${name}: ${phase}`,
                         text: name });
    }));
  }

  /** A pod's record with its owner and revision worked out (tile tooltips read them). */
  _labelled(p) {
    if (p.owner === undefined && p.pod) this._labelData(p, p.pod);
    return p;
  }

  /** Who owns the pod: its workload and (a Deployment's) ReplicaSet and revision. */
  _labelData(p, pod) {
    const w = workloadOf(pod, this.model);
    p.w = w;
    p.owner = w ? `${w.kind}/${w.name}` : "";
    // Which ReplicaSet (and revision) owns it: during a rollout old pods look old.
    const rev = w && w.kind === "Deployment" ? podRevision(this.model, pod) : null;
    p.rev = rev;
    p.revText = rev ? `ReplicaSet ${rev.rs.metadata.name} (revision ${rev.revision}${rev.old ? ", old" : ""})` : "";
  }

  /** The button's label from the record's owner and revision. */
  _labelEl(p) {
    p.labelStale = false;
    const pod = p.pod, w = p.w, rev = p.rev;
    setData(p.el, "workload", p.owner);
    if (rev) {
      setData(p.el, "rs", rev.rs.metadata.name);
      setData(p.el, "revision", rev.revision);
      setText(p.el.children[2], rev.revision ? `r${rev.revision}` : "");
    } else if (p.el.dataset.rs) {
      delete p.el.dataset.rs;
      delete p.el.dataset.revision;
      setText(p.el.children[2], "");
    }
    p.el.classList.toggle("old-rev", !!(rev && rev.old));
    const name = pod.metadata.name;
    const short = w && name.startsWith(w.name + "-") ? name.slice(w.name.length + 1) : name;
    setText(p.el.children[0], w ? w.name : name);
    setText(p.el.children[1], w ? short : "");
    p.el.style.setProperty("--wl", String(hue(w ? w.name : name)));
  }

  _placePod(uid, p, nodeName) {
    if (p.node !== undefined) this._group(p.node)?.delete(uid);
    this._count(p, false);
    p.node = nodeName;
    const group = this._group(nodeName);
    // A visible button is made now; a tile's hidden one when the page is idle.
    if (!group.summary && !group.dense) this._freshen(uid, p);
    else if (!group.summary) this._later(uid);
    group.add(uid, p);
    this._count(p, !!nodeName && !p.terminal);
  }

  /** Keep the node's running sum of requests in step with whether this pod counts toward it. */
  _count(p, on) {
    if (on === !!p.counted) return;
    const n = p.node && this.nodes.get(p.node);
    if (!n) {
      p.counted = false;
      return;
    }
    const sign = on ? 1 : -1;
    n.sum.cpu += sign * p.req.cpu;
    n.sum.memory += sign * p.req.memory;
    n.sum.count += sign;
    p.counted = on;
  }

  _removePod(uid) {
    const touched = { nodes: [] };
    const p = this.pods.get(uid);
    if (!p) return touched;
    this.pods.delete(uid);
    this.stale.delete(uid);
    this._count(p, false);
    const group = this._group(p.node);
    if (group) group.delete(uid);
    if (p.node) touched.nodes.push(p.node);
    const el = p.el;
    if (!el) return touched;
    // The element leaves the pod set at once (counts and tests see it gone) and fades out.
    el.dataset.gone = el.dataset.pod;
    delete el.dataset.pod;
    el.disabled = true;
    el.classList.add("leaving");
    if (group && group.dense) el.remove();
    else this.motion.play(el, LEAVE, 600, () => el.remove());
    return touched;
  }

  /** Nodes whose kubelet heartbeats are stopped (kubeplay's own state, not a Node field). */
  setFailed(names) {
    this.failed = new Set(names);
    for (const [name, n] of this.nodes) {
      n.parts.failed.hidden = !this.failed.has(name);
      setData(n.el, "failed", this.failed.has(name));
    }
  }

  /** Highlight pods (a Service's endpoints, a ReplicaSet's pods): `key` "hover" while the
   *  pointer is on the source, "pin" while it is clicked on; uids null stops that one. */
  highlight(key, uids) {
    if (uids) this.highlights.set(key, new Set(uids)); else this.highlights.delete(key);
    const want = this.highlights.get("hover") || this.highlights.get("pin") || new Set();
    for (const uid of this.highlighted) {
      if (!want.has(uid)) this.pods.get(uid)?.el?.classList.remove("highlit");
    }
    for (const uid of want) this.pods.get(uid)?.el?.classList.add("highlit");
    this.highlighted = want;
    this.root.classList.toggle("highlighting", this.highlights.size > 0);
    // Boxes drawn as tiles dim the other tiles instead.
    const tiles = this.highlights.size > 0 ? want : null;
    for (const g of [this.pending, ...[...this.nodes.values()].map((n) => n.group)]) {
      g.highlight(tiles);
      if (g.dense) this._updateGroup(g);
    }
  }

  select(uid) {
    if (this.selected) {
      const prev = this.pods.get(this.selected);
      if (prev) {
        prev.el?.classList.remove("selected");
        const g = this._group(prev.node);
        if (g) { g.select(null); this._updateGroup(g); }
      }
    }
    for (const n of this.nodes.values()) n.el.classList.remove("selected");
    this.selected = uid;
    const p = uid && this.pods.get(uid);
    if (p) {
      p.el?.classList.add("selected");
      const g = this._group(p.node);
      if (g) { g.select(uid); this._updateGroup(g); }
    }
    const node = uid && [...this.nodes.values()].find((n) => n.obj.metadata.uid === uid);
    if (node) node.el.classList.add("selected");
  }
}

/** The hover text of a pod: the columns kubectl prints, its owner, and why it is not scheduled. */
export function tooltipOf(p) {
  const pod = p.pod, cols = p.cols;
  const node = pod.spec && pod.spec.nodeName;
  return [keyOf(pod), `STATUS ${cols.status}`, `READY ${cols.ready}/${cols.total}`,
          `RESTARTS ${cols.restarts}`, p.owner ? `owner ${p.owner}` : "bare pod", p.revText || "",
          node ? `node ${node}` : "not scheduled",
          node ? "" : podScheduledMessage(pod)].filter(Boolean).join("\n");
}

// A pod's button, empty: cloned for each pod (a scale-up makes hundreds in one draw; one clone
// costs less than building its five elements).
let podTemplate = null;
function podButton(key, uid) {
  if (!podTemplate) {
    podTemplate = h("button", { type: "button", class: "pod" },
      h("span", { class: "pod-name" }), h("span", { class: "pod-owner" }), h("span", { class: "pod-rev" }),
      h("span", { class: "pod-claims" }));
  }
  const el = podTemplate.cloneNode(true);
  el.dataset.pod = key;
  el.dataset.uid = uid;
  return el;
}

function revisionKey(rs) {
  return ((rs.metadata.annotations || {})["deployment.kubernetes.io/revision"]) || "";
}

function el_title(el, text) {
  if (el.title !== text) el.title = text;
}
