// The control plane strip: the control-plane node, its four static pods (their mirror pods'
// readiness, as `kubectl get pods -n kube-system` shows it), the kube-system addons, and the
// Stop/Start buttons for the scheduler and the controller manager.
//
// The cluster map shows the learner's workloads; kube-system lives here instead (isSystem), so
// a worker node's box holds the pods the learner made, as it did before the control plane was
// visible.

import { h, setText, setData } from "../dom.js";
import { api, errorMessage } from "../api.js";

const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";
const MIRROR = "kubernetes.io/config.mirror";
const STATIC = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"];
// The two components the learner can stop, and the words on their buttons.
const STOPPABLE = { "kube-scheduler": "scheduler", "kube-controller-manager": "controller manager" };
const WHAT_STOPS = {
  "kube-scheduler": "new pods stay Pending: nothing binds them to a node",
  "kube-controller-manager": "nothing replaces a killed pod, scales, rolls out or marks a silent node NotReady",
};

// The ingress controller installed with the cluster (engine/ingress_nginx_install.py) is machinery
// too: its namespace's objects are shown here, not on the learner's map (its Ingresses panel and
// the request paths show what it does).
const SYSTEM_NAMESPACES = new Set(["kube-system", "ingress-nginx"]);

/** Objects of the cluster's own machinery: kube-system's and ingress-nginx's, and the control-plane node. */
export function isSystem(obj) {
  const md = obj.metadata || {};
  if (obj.kind === "Node") return CONTROL_PLANE_LABEL in (md.labels || {});
  return SYSTEM_NAMESPACES.has(md.namespace);
}

function podReady(pod) {
  const c = ((pod.status || {}).conditions || []).find((x) => x.type === "Ready");
  return !!(c && c.status === "True");
}

export class ControlPlaneView {
  constructor(root, model, { onSelect, onError }) {
    this.root = root;
    this.model = model;
    this.onSelect = onSelect;
    this.onError = onError;
    this.running = new Map(Object.keys(STOPPABLE).map((c) => [c, true]));
    this.nodeEl = h("button", { type: "button", class: "cp-node", text: "control plane: waiting…",
                                onclick: () => this._selectNode() });
    this.chips = new Map();
    const chips = STATIC.map((name) => {
      const dot = h("i", { class: "cp-dot" });
      const btn = h("button", { type: "button", class: "cp-chip", dataset: { component: name, ready: "unknown" },
                                onclick: () => this._selectComponent(name) }, dot, name);
      const wrap = h("span", { class: "cp-comp" }, btn);
      const c = { btn, wrap, toggle: null, note: null };
      if (STOPPABLE[name]) {
        c.toggle = h("button", { type: "button", class: "cp-toggle",
                                 onclick: () => this._toggle(name) });
        wrap.append(c.toggle);
      }
      this.chips.set(name, c);
      return wrap;
    });
    this.addons = h("span", { class: "cp-addons" });
    this.ingressAddon = h("span", { class: "cp-ingress" });
    this.note = h("p", { class: "cp-note hint", "aria-live": "polite", hidden: true });
    root.replaceChildren(
      h("div", { class: "cp-row" }, h("h2", { text: "Control plane" }), this.nodeEl, ...chips, this.addons,
        this.ingressAddon),
      this.note);
    this._drawButtons();
  }

  async load() {
    const r = await api.controlPlane();
    if (r.ok) this._state(r.body);
  }

  /** A component-stop/-start decision arrived (from any client): ask for the current state. */
  onDecision(d) {
    if (d.action === "component-stop" || d.action === "component-start") this.load();
  }

  _state(body) {
    for (const c of (body && body.components) || []) this.running.set(c.name, !!c.running);
    this._drawButtons();
  }

  async _toggle(name) {
    const want = !this.running.get(name);
    const r = await api.setComponent(name, want);
    if (!r.ok) {
      this.onError(errorMessage(r));
      return;
    }
    this._state(r.body);
  }

  _drawButtons() {
    const stopped = [];
    for (const [name, words] of Object.entries(STOPPABLE)) {
      const c = this.chips.get(name);
      const on = this.running.get(name);
      setText(c.toggle, `${on ? "Stop" : "Start"} ${words}`);
      c.toggle.title = on ? `Stop ${name}: ${WHAT_STOPS[name]}` :
        `Start ${name}: it lists the cluster and catches up from what is there now`;
      setData(c.wrap, "running", on);
      if (!on) stopped.push(`${name} is stopped: ${WHAT_STOPS[name]}.`);
    }
    this.note.hidden = !stopped.length;
    setText(this.note, stopped.join(" "));
  }

  draw(dirty) {
    let touched = false;
    for (const d of dirty.values()) {
      const obj = d.next || d.last || d.prev;
      if (obj && obj.kind !== "Event" && isSystem(obj)) { touched = true; break; }
    }
    if (touched) this._redraw();
  }

  _redraw() {
    let node = null;
    for (const n of this.model.kind("Node").values()) if (isSystem(n)) node = n;
    if (node) {
      const c = ((node.status || {}).conditions || []).find((x) => x.type === "Ready");
      const ready = c && c.status === "True";
      setText(this.nodeEl, `${node.metadata.name} ${ready ? "Ready" : "NotReady"}`);
      setData(this.nodeEl, "ready", !!ready);
      this.nodeEl.title = `node ${node.metadata.name}: taints ${((node.spec || {}).taints || [])
        .map((t) => `${t.key}${t.value ? "=" + t.value : ""}:${t.effect}`).join(", ") || "none"}`;
      this.nodeUid = node.metadata.uid;
    }
    const mirrors = new Map();
    for (const p of this.model.kind("Pod").values()) {
      const md = p.metadata;
      if (md.namespace !== "kube-system" || !(MIRROR in (md.annotations || {}))) continue;
      const comp = (md.labels || {}).component;
      if (comp) mirrors.set(comp, p);
    }
    this.mirrors = mirrors;
    for (const [name, c] of this.chips) {
      const pod = mirrors.get(name);
      const state = pod ? (podReady(pod) ? "ready" : "not-ready") : "missing";
      setData(c.btn, "ready", state);
      c.btn.title = pod ? `${pod.metadata.name}: ${state === "ready" ? "1/1 Ready" : "0/1 not Ready"}`
        : `no mirror pod for ${name}`;
      if (pod) setData(c.btn, "mirrorPod", `kube-system/${pod.metadata.name}`);
    }
    for (const [ns, el] of [["kube-system", this.addons], ["ingress-nginx", this.ingressAddon]]) {
      const parts = [];
      for (const kind of ["Deployment", "DaemonSet"]) {
        for (const w of this.model.kind(kind).values()) {
          if (w.metadata.namespace !== ns) continue;
          const st = w.status || {};
          const want = kind === "DaemonSet" ? (st.desiredNumberScheduled || 0) : ((w.spec || {}).replicas ?? 1);
          const ready = kind === "DaemonSet" ? (st.numberReady || 0) : (st.readyReplicas || 0);
          parts.push(`${w.metadata.name} ${ready}/${want}`);
        }
      }
      setText(el, parts.length ? `${ns}: ${parts.sort().join(" · ")}` : "");
    }
  }

  _selectNode() {
    if (this.nodeUid) this.onSelect({ kind: "Node", uid: this.nodeUid });
  }

  _selectComponent(name) {
    const pod = this.mirrors && this.mirrors.get(name);
    if (pod) this.onSelect({ kind: "Pod", uid: pod.metadata.uid });
  }
}
