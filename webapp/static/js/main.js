// Boot: wires the model, the stream and the views. Drawing happens once per animation frame,
// for everything that changed since the last one.

import { Model } from "./model.js";
import { Sync } from "./sync.js";
import { api, errorMessage } from "./api.js";
import { ClusterView } from "./view/cluster.js";
import { WorkloadStrip } from "./view/workloads.js";
import { ServicesPanel } from "./view/services.js";
import { IngressPanel } from "./view/ingress.js";
import { DetailsPanel } from "./view/details.js";
import { ReconcileLog } from "./view/log.js";
import { ControlPlaneView } from "./view/controlplane.js";
import { ClockControls } from "./clock.js";
import { Terminal } from "./terminal.js";
import { EditorPanel } from "./editor-panel.js";
import { Tour } from "./tour.js";
import { Timeline } from "./timeline.js";
import { parseQuantity } from "./quantity.js";
import { PodConsole } from "./podconsole.js";
import { Scenarios } from "./scenarios.js";
import { TrafficView } from "./view/traffic.js";
import { keyOf } from "./model.js";
import { EDITABLE } from "./desired.js";
import { downloadExport } from "./export.js";
import { REMOTE, startRemoteMode, remoteInfo } from "./mode.js";
import { DrawPacer } from "./pacing.js";

const $ = (sel) => document.querySelector(sel);

function toast(text, kind = "info") {
  const el = $("#toast");
  el.textContent = text;
  el.dataset.kind = kind;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, kind === "error" ? 8000 : 3000);
}

async function act(promise, okText) {
  const r = await promise;
  if (!r.ok) toast(errorMessage(r), "error");
  else if (okText) toast(okText);
  return r;
}

const actions = {
  killPod: (pod) => act(api.deletePod(pod.metadata.namespace, pod.metadata.name), `pod "${pod.metadata.name}" deleted`),
  failNode: (name) => act(api.failNode(name), `${name}: kubelet heartbeats stopped`),
  recoverNode: (name) => act(api.recoverNode(name), `${name}: kubelet running again`),
  cordonNode: (name, on) => act(api.cordonNode(name, on), `node/${name} ${on ? "cordoned" : "uncordoned"}`),
  drainNode: async (name) => {
    // Evictions go through the Eviction API: a pod its PodDisruptionBudget protects stays, and
    // the page says so in the apiserver's words (drain again once pods elsewhere are ready).
    const r = await act(api.drainNode(name));
    if (!r.ok) return r;
    const blocked = (r.body && r.body.blocked) || [];
    if (!blocked.length) toast(`node/${name} drained`);
    else toast(`node/${name}: ${blocked.length} pod(s) not evicted: ${blocked[0].message} ` +
               `${(blocked[0].causes || []).join(" ")}`, "error");
    return r;
  },
  addNode: async () => {
    const r = await act(api.addNode());
    if (r.ok) toast(`${r.body.node} is joining the cluster`);
  },
  deleteNode: async (name) => {
    const r = await act(api.deleteNode(name), `node "${name}" deleted`);
    if (r.ok) select(null);
  },
  editObject: (obj) => editor.showObject(obj),
  restartDeployment: (obj) => act(api.patch(
    `/apis/apps/v1/namespaces/${encodeURIComponent(obj.metadata.namespace)}/deployments/${encodeURIComponent(obj.metadata.name)}`,
    { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": new Date().toISOString().replace(/\.\d+Z$/, "Z") } } } } }),
    `deployment.apps/${obj.metadata.name} restarted`),
  rollbackDeployment: (obj, rs) => {
    // kubectl rollout undo: the Deployment's template becomes that ReplicaSet's (less its hash label).
    const template = JSON.parse(JSON.stringify(rs.spec.template));
    if (template.metadata && template.metadata.labels) delete template.metadata.labels["pod-template-hash"];
    return act(api.patch(
      `/apis/apps/v1/namespaces/${encodeURIComponent(obj.metadata.namespace)}/deployments/${encodeURIComponent(obj.metadata.name)}`,
      [{ op: "replace", path: "/spec/template", value: template }], "application/json-patch+json"),
      `deployment.apps/${obj.metadata.name} rolled back`);
  },
  openShell: (pod) => podConsole.open(pod, "shell"),
  openLogs: (pod) => podConsole.open(pod, "logs"),
  scale: (obj, replicas) => act(api.scale(obj.kind, obj.metadata.namespace, obj.metadata.name, replicas),
                                `${obj.kind.toLowerCase()}.apps/${obj.metadata.name} scaled to ${replicas}`),
};

const model = new Model();
const podConsole = new PodConsole($("#pod-console"), { onError: (m) => toast(m, "error") });
const log = new ReconcileLog($("#log"), { requestFrame: () => schedule() });
const clock = new ClockControls($("#time"), { onError: (m) => toast(m, "error") });
const details = new DetailsPanel($("#details"), model, actions, clock);
const clusterView = new ClusterView($("#cluster"), model, { onSelect: select });
const workloads = new WorkloadStrip($("#workloads"), { model, onScale: actions.scale, onSelect: select,
                                                       now: () => clock.nowSeconds(),
                                                       onHighlight: (uids) => clusterView.highlight("hover", uids) });
const services = new ServicesPanel($("#services"), { onSelect: select,
                                                     onHighlight: (key, uids) => clusterView.highlight(key, uids) });
const ingresses = new IngressPanel($("#ingresses"), { onError: (m) => toast(m, "error") });
const controlPlane = new ControlPlaneView($("#control-plane"), model, { onSelect: select,
                                                                     onError: (m) => toast(m, "error") });
const editor = new EditorPanel($("#editor-panel"), model);
const terminal = new Terminal($("#terminal"));
const tour = new Tour($("#tour"), { editor, model, log, actions, clock });
const scenarios = new Scenarios($("#scenarios"), { onError: (m) => toast(m, "error") });
scenarios.load();

function select(sel) {
  details.select(sel);
  clusterView.select(sel ? sel.uid : null);
  // The log follows the selection: a pod's story (the groups that touched it).
  const obj = sel && model.get(sel.uid);
  log.setFilter(obj ? keyOf(obj) : null, obj ? `${obj.kind.toLowerCase()} ${keyOf(obj)}` : null);
  // The editor follows the selection: the object's live desired state (asking before it
  // replaces unsaved edits).
  if (obj && EDITABLE.has(obj.kind)) editor.showObject(obj);
}

// Drawn once per animation frame; while the cluster changes in bulk, at most a few times a
// second (pacing.js).
const pacer = new DrawPacer(draw);
function schedule() {
  pacer.schedule();
}

function draw() {
  const dirty = model.takeDirty();
  controlPlane.draw(dirty);
  clusterView.draw(dirty);
  workloads.draw(dirty);
  services.draw(dirty);
  ingresses.draw(dirty);
  details.draw(dirty);
  log.draw(dirty);
  editor.draw(dirty);
  $("#pod-count").textContent = String(model.kind("Pod").size);
  return dirty.size;
}
model.onChange = schedule;

const conn = $("#conn");
const sync = new Sync({
  model,
  onState: (state) => {
    conn.dataset.state = state;
    conn.textContent = { live: "live", connecting: "connecting…", reconnecting: "reconnecting…" }[state] || state;
  },
  onDecisions: (items, reset, covered) => {
    log.addDecisions(items, covered);
    for (const d of items) controlPlane.onDecision(d);
    if (items.some((d) => d.action === "fail-node" || d.action === "recover-node")) refreshFailed();
    schedule();
  },
  onSnapshot: () => { refreshFailed(); controlPlane.load(); },
  onClock: (c) => clock.update(c),
});

log.objectMessages = () => sync.objectMessages;

const traffic = new TrafficView();
sync.onRequests = (items) => traffic.onRequests(items);

const timeline = new Timeline($("#timeline"), { model, sync, log, onChange: schedule });

// What each node uses (`kubectl top node`'s figures), beside what its pods request: read from the
// metrics API every few seconds while the page is visible and live.
const USAGE_EVERY_MS = 5000;
async function refreshUsage() {
  if (document.visibilityState === "visible" && timeline.live) {
    const r = await api.nodeMetrics();
    if (r.ok && r.body && Array.isArray(r.body.items)) {
      const byNode = {};
      for (const m of r.body.items) {
        byNode[m.metadata.name] = { cpu: parseQuantity(m.usage.cpu), memory: parseQuantity(m.usage.memory) };
      }
      clusterView.setUsage(byNode);
    }
  }
  setTimeout(refreshUsage, USAGE_EVERY_MS);
}

async function refreshFailed() {
  const r = await api.failedNodes();
  if (r.ok && r.body && Array.isArray(r.body.failed)) clusterView.setFailed(r.body.failed);
}

document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && !$("#details").hidden && !e.target.closest(".cm-editor, .pod-console")) select(null);
});

$("#pizza-demo").addEventListener("click", () => tour.start());
$("#add-node").addEventListener("click", () => actions.addNode());
$("#export").addEventListener("click", async () => {
  const { text, kind } = await downloadExport();
  toast(text, kind);
});
startRemoteMode();
clock.load();
sync.start();
refreshUsage();

// For tests and the browser benchmark: read-only handles on the live state.
window.kubeplay = { model, sync, clusterView, controlPlane, workloads, services, editor, terminal, tour, clock, scenarios,
                    keyOf, timeline, podConsole, traffic, remote: REMOTE, remoteInfo };
