// The details panel: what is known about the selected Pod, Node or workload — status, conditions,
// its Events and its YAML — with the actions that apply to it (Kill a pod; Fail / Recover /
// Cordon / Uncordon / Drain / Delete node). Redrawn when the selected object changes.

import { h, clear, setText } from "../dom.js";
import { podColumns } from "../podstatus.js";
import { toYaml } from "../yamldump.js";
import { keyOf, workloadOf, controllerUid } from "../model.js";
import { nodeReadiness } from "./cluster.js";
import { workloadCounts } from "./workloads.js";
import { taintText } from "../taints.js";
import { replicaSetsOf, revisionOf, rsCounts, imagesOf } from "../replicasets.js";
import { loadControl } from "./load.js";
import { REMOTE } from "../mode.js";
import { eventCount } from "./log.js";

export class DetailsPanel {
  constructor(root, model, actions, clock = null) {
    this.clock = clock;
    this.root = root;
    this.body = root.querySelector("#details-body");
    this.title = root.querySelector("#details-title");
    this.model = model;
    this.actions = actions;      // {killPod, failNode, recoverNode, cordonNode, drainNode}
    this.sel = null;             // {kind, uid}
    this.shown = null;           // the object drawn last
    root.querySelector("#details-close").addEventListener("click", () => this.select(null));
  }

  select(sel) {
    this.sel = sel && sel.uid ? sel : null;
    this.shown = undefined;
    this.root.hidden = !this.sel;
    // The page's columns make room for the panel (app.css .layout.details-open).
    const layout = this.root.closest(".layout");
    if (layout) layout.classList.toggle("details-open", !!this.sel);
    this.draw(null);
  }

  /** Redraw if the selected object (or an Event about it) changed in this frame. */
  draw(dirty) {
    if (!this.sel) return;
    const obj = this.model.get(this.sel.uid);
    if (dirty && obj === this.shown && !this._eventsChanged(dirty)) return;
    if (!obj && this.shown === null) return;
    this.shown = obj || null;
    const scroll = this.body.scrollTop;
    const prevYaml = this.body.querySelector("details.yaml");
    if (prevYaml) this.yamlOpen = prevYaml.open;
    clear(this.body);
    if (!obj) {
      this.body.append(h("p", { class: "gone", text: `${this.sel.kind} ${this.sel.name || ""} no longer exists.` }));
      return;
    }
    this.sel.name = keyOf(obj);
    setText(this.title, `${obj.kind} ${keyOf(obj)}`);
    if (obj.kind === "Pod") this._pod(obj);
    else if (obj.kind === "Node") this._node(obj);
    else this._workload(obj);
    this.body.append(h("h3", { text: "Events" }), this._events(obj));
    this.body.append(h("details", { class: "yaml", open: !!this.yamlOpen }, h("summary", { text: "YAML" }),
                       h("pre", { text: toYaml(obj) })));
    this.body.scrollTop = scroll;
  }

  /** An Event about the selected object, or one of its ReplicaSets, changed in this frame. */
  _eventsChanged(dirty) {
    const uid = this.sel.uid;
    for (const d of dirty.values()) {
      const e = d.next || d.last;
      if (!e) continue;
      if (e.kind === "Event" && (e.involvedObject || {}).uid === uid) return true;
      if (e.kind === "ReplicaSet" && controllerUid(e) === uid) return true;
    }
    return false;
  }

  _pod(pod) {
    const cols = podColumns(pod);
    const w = workloadOf(pod, this.model);
    const st = pod.status || {};
    this.body.append(
      h("div", { class: "actions" },
        h("button", { type: "button", class: "danger", text: "Kill", dataset: { action: "kill" },
                      disabled: !!pod.metadata.deletionTimestamp,
                      onclick: () => this.actions.killPod(pod) }),
        h("button", { type: "button", text: "Shell", dataset: { action: "shell" }, title: "kubectl exec -it: a shell inside the container",
                      disabled: !(pod.spec || {}).nodeName,
                      onclick: () => this.actions.openShell(pod) }),
        h("button", { type: "button", text: "Logs", title: "kubectl logs -f: the container's log, following",
                      disabled: !(pod.spec || {}).nodeName,
                      onclick: () => this.actions.openLogs(pod) })),
      dl([["Status", cols.status], ["Ready", `${cols.ready}/${cols.total}`], ["Restarts", cols.restarts],
          ["Node", (pod.spec || {}).nodeName || "(not scheduled)"], ["IP", st.podIP || ""],
          ["Owners", ownerChain(this.model, pod) || (w ? `${w.kind} ${w.name}` : "none (bare pod)")],
          ["Images", ((pod.spec || {}).containers || []).map((c) => c.image).join(", ")]]),
      h("h3", { text: "Doing" }), doingList(pod),
      h("h3", { text: "Network policies" }), policyList(pod),
      h("h3", { text: "Conditions" }), conditions(st.conditions));
  }

  _node(node) {
    const cordoned = !!(node.spec || {}).unschedulable;
    const name = node.metadata.name;
    const a = this.actions;
    const st = node.status || {};
    this.body.append(
      h("div", { class: "actions" },
        h("button", { type: "button", class: "danger", text: "Fail", dataset: { action: "failNode" }, onclick: () => a.failNode(name) }),
        h("button", { type: "button", text: "Recover", dataset: { action: "failNode" }, onclick: () => a.recoverNode(name) }),
        cordoned ? h("button", { type: "button", text: "Uncordon", dataset: { action: "cordon" }, onclick: () => a.cordonNode(name, false) })
                 : h("button", { type: "button", text: "Cordon", dataset: { action: "cordon" }, onclick: () => a.cordonNode(name, true) }),
        h("button", { type: "button", text: "Drain", dataset: { action: "drain" }, onclick: () => a.drainNode(name) }),
        h("button", { type: "button", class: "danger", text: "Delete node", dataset: { action: "deleteNode" }, onclick: () => a.deleteNode(name) })),
      h("p", { class: "hint", text: REMOTE
        ? "A real node: Cordon stops new pods landing here; Drain cordons it and evicts its pods through the " +
          "Eviction API, so PodDisruptionBudgets decide. Delete node removes the Node object only: the machine " +
          "and its kubelet keep running (and may register it again)."
        : "Fail stops the node's kubelet heartbeats; the node controller notices after " +
        `the grace period (${graceText(this.clock)}), marks the node NotReady and evicts its pods. ` +
        "Drain cordons it and evicts its pods now. Delete node removes the Node object (kubectl delete node): " +
        "pods bound to it are garbage-collected, and controllers replace them elsewhere." }),
      dl([["Ready", nodeReadiness(node)], ["Schedulable", schedulable(node)],
          ["Allocatable", Object.entries(st.allocatable || {}).map(([k, v]) => `${k}=${v}`).join(", ")],
          ["Taints", ((node.spec || {}).taints || []).map(taintText).join(", ") || "none"]]),
      h("h3", { text: "Conditions" }), conditions(st.conditions));
  }

  _workload(obj) {
    const n = workloadCounts(obj);
    if (obj.kind === "Deployment") {
      const a = this.actions;
      const sets = replicaSetsOf(this.model, obj);
      const cur = ((obj.metadata.annotations || {})["deployment.kubernetes.io/revision"]) || "";
      const previous = sets.filter((rs) => String(revisionOf(rs)) !== String(cur))
        .sort((x, y) => Number(revisionOf(y)) - Number(revisionOf(x)))[0];
      this.body.append(h("div", { class: "actions" },
        h("button", { type: "button", text: "Edit", title: "Open its live desired state in the editor",
                      onclick: () => a.editObject(obj) }),
        h("button", { type: "button", text: "Restart", dataset: { action: "restart" }, title: "kubectl rollout restart: new pods, same template",
                      onclick: () => a.restartDeployment(obj) }),
        h("button", { type: "button", text: "Roll back", dataset: { action: "undo" }, disabled: !previous,
                      title: previous ? `kubectl rollout undo: back to revision ${revisionOf(previous)}`
                        : "no earlier revision to go back to",
                      onclick: () => previous && a.rollbackDeployment(obj, previous) })),
        loadControl(obj));
    }
    this.body.append(dl([["Desired", n.desired], ["Current", n.current], ["Ready", n.ready],
                         ["Up to date", n.updated], ["Images", imagesOf(obj)]]));
    if (obj.kind !== "Deployment") return;
    const sets = replicaSetsOf(this.model, obj).reverse();
    if (!sets.length) return;
    this.body.append(h("h3", { text: "ReplicaSets" }), h("table", { class: "conditions replicasets" },
      h("thead", null, h("tr", null, ["Revision", "Name", "Desired", "Current", "Ready", "Image"].map((t) => h("th", { text: t })))),
      h("tbody", null, sets.map((rs) => {
        const c = rsCounts(rs);
        return h("tr", { dataset: { rs: rs.metadata.name } },
          [revisionOf(rs), rs.metadata.name, c.desired, c.current, c.ready, imagesOf(rs)].map((v) => h("td", { text: String(v) })));
      }))));
  }

  _events(obj) {
    // kubectl describe's order (util/event SortableEvents): a series' last observation, else
    // lastTimestamp, else eventTime (a MicroTime: compared as times, not as text)
    const when = (e) => Date.parse((e.series && e.series.lastObservedTime) || e.lastTimestamp || e.eventTime || "") || 0;
    const evs = [...this.model.eventsOf(obj)].sort((a, b) => when(a) - when(b));
    if (!evs.length) return h("p", { class: "hint", text: "No events." });
    return h("table", { class: "events" },
      h("thead", null, h("tr", null, ["Type", "Reason", "From", "Message"].map((t) => h("th", { text: t })))),
      h("tbody", null, evs.slice(-50).map((e) => h("tr", { class: e.type === "Warning" ? "warn" : "" },
        h("td", { text: e.type || "" }), h("td", { text: e.reason || "" }),
        h("td", { text: (e.source || {}).component || e.reportingComponent || "" }),
        h("td", { text: (e.message || "") + (eventCount(e) > 1 ? ` (x${eventCount(e)})` : "") })))));
  }
}

/** "Deployment login → ReplicaSet login-5d9f8c7b6": the pod's controllers, outermost first. */
function ownerChain(model, pod) {
  const chain = [];
  let obj = pod;
  for (let i = 0; i < 4; i++) {
    const ref = ((obj.metadata || {}).ownerReferences || []).find((r) => r.controller);
    if (!ref) break;
    chain.unshift(`${ref.kind} ${ref.name}`);
    obj = model.get(ref.uid);
    if (!obj) break;
  }
  return chain.join(" → ");
}

/** Whether new pods may land here, as the scheduler sees it: cordoned, or tainted NoSchedule /
 *  NoExecute (then only pods that tolerate the taints), or yes. */
function schedulable(node) {
  if ((node.spec || {}).unschedulable) return "no (cordoned)";
  const hard = ((node.spec || {}).taints || []).filter((t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
  if (hard.length) return `only pods tolerating ${hard.map(taintText).join(", ")}`;
  return "yes";
}

function graceText(clock) {
  const g = clock && clock.timings && clock.timings.nodeMonitorGracePeriod;
  return g ? `${g} simulated seconds` : "a few simulated seconds";
}

/** What each container does, from the image catalog (GET /kubeplay/v1/doing/<ns>/<pod>): filled in
 *  when the answer comes. */
function doingList(pod) {
  const list = h("dl", { class: "facts doing" });
  const m = pod.metadata;
  fetch(`/kubeplay/v1/doing/${encodeURIComponent(m.namespace)}/${encodeURIComponent(m.name)}`,
        { headers: { Accept: "application/json", "X-Kubeplay-Request": "page" } })
    .then((r) => (r.ok ? r.json() : { containers: [] }))
    .then((b) => list.append(...b.containers.map((c) => [
      h("dt", { text: c.init ? `${c.name} (init)` : c.name }), h("dd", { text: c.doing })]).flat()))
    .catch(() => {});
  return list;
}

/** Who may reach the pod and whom it may reach: the NetworkPolicies selecting it, per direction,
 *  their rules in words (GET /kubeplay/v1/networkpolicies/<ns>/<pod>), filled in when the answer
 *  comes. No policy in a direction: everything is allowed there (the pod is not isolated). */
const POLICY_REFRESH_MS = 3000;

function policyList(pod) {
  const list = h("dl", { class: "facts policies" });
  const m = pod.metadata;
  const side = (v, title) => {
    const dd = h("dd", { "data-direction": title.split(" ")[0] });
    if (!v.isolated) dd.append(h("span", { class: "hint", text: "anyone (no NetworkPolicy selects it)" }));
    else {
      const rules = v.policies.flatMap((p) => p.rules.map((r) => h("li", null, h("b", { text: p.name }), `: ${r}`)));
      if (rules.length) {      // a policy without rules here still isolates the pod: say so under the others
        for (const p of v.policies.filter((q) => !q.rules.length)) {
          rules.push(h("li", { class: "np-none" }, h("b", { text: p.name }), ": isolates it, allows nothing by itself"));
        }
      }
      if (!rules.length) {
        dd.append(h("span", { class: "np-none", text: `nobody — isolated by ${v.policies.map((p) => p.name).join(", ")}, ` +
                                                  "which allows nothing" }));
      } else dd.append(h("ul", { class: "np-rules" }, rules));
    }
    return [h("dt", { text: title }), dd];
  };
  // Policies are not on the page's stream: ask again every few seconds while the panel shows this
  // pod, so a policy applied meanwhile appears; redraw only when the answer changed.
  let last = "";
  const load = () => fetch(`/kubeplay/v1/networkpolicies/${encodeURIComponent(m.namespace)}/${encodeURIComponent(m.name)}`,
                           { headers: { Accept: "application/json", "X-Kubeplay-Request": "page" } })
    .then((r) => (r.ok ? r.json() : null))
    .then((b) => {
      const text = JSON.stringify(b);
      if (!b || text === last) return;
      last = text;
      clear(list);
      list.append(...side(b.ingress, "ingress (who may reach it)"), ...side(b.egress, "egress (whom it may reach)"));
    })
    .catch(() => {});
  load();
  const timer = setInterval(() => { if (list.isConnected) load(); else clearInterval(timer); }, POLICY_REFRESH_MS);
  return list;
}

function dl(rows) {
  return h("dl", { class: "facts" }, rows.map(([k, v]) => [h("dt", { text: k }), h("dd", { text: String(v) })]));
}

function conditions(list) {
  if (!list || !list.length) return h("p", { class: "hint", text: "none" });
  return h("table", { class: "conditions" },
    h("tbody", null, list.map((c) => h("tr", null,
      h("td", { text: c.type }), h("td", { text: c.status }),
      h("td", { text: [c.reason, c.message].filter(Boolean).join(": ") })))));
}
