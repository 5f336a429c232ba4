// Real-cluster mode (`kubeplay serve --kubeconfig`): the same page over a real cluster.
//
// The server says where the page is looking and what is off there (GET /kubeplay/v1/remote:
// context, server, namespace, read-only, the kinds the user may not list and the apiserver's
// reason, and per control the reason it is unavailable). Controls that cannot exist on a real
// cluster (time, failing a node, the control plane's switches, scenarios, the tour, the in-page
// kubectl, Shell) and, with --read-only, every action are disabled with the reason as their
// tooltip. Controls are found by selector (static ones) or their data-action (drawn ones), and
// a MutationObserver keeps newly drawn buttons disabled too. The server refuses them as well.

import { api } from "./api.js";
import { h, setText } from "./dom.js";

export const REMOTE = document.body.dataset.mode === "remote";

// Static controls of index.html and the widgets that draw their own buttons.
const CONTROLS = [
  ["#time button", "clock"], ["#timings", "timings"], ["#pizza-demo", "tour"], ["#add-node", "addNode"],
  ["#export", "export"], ["#ingress-send input, #ingress-send button", "ingressRequest"],
  ["#timeline input, #timeline button, #timeline select", "timeline"],
  ["#terminal input, #terminal button", "terminal"], ["#scenarios button", "scenarios"],
  ["#apply, #apply-confirm", "apply"], ["#delete", "delete"], ["#control-plane button.cp-toggle", "controlPlane"],
];

let info = null;

function gate(root) {
  if (!info) return;
  const off = info.unavailable || {};
  const disable = (el, action) => {
    const why = off[action];
    if (!why || (el.disabled && el.dataset.offReason === why)) return;
    el.disabled = true;
    el.dataset.offReason = why;
    el.title = `Not available here: ${why}`;
  };
  for (const [sel, action] of CONTROLS) {
    for (const el of root.querySelectorAll(sel)) disable(el, action);
  }
  for (const el of root.querySelectorAll("[data-action]")) disable(el, el.dataset.action);
}

function banner() {
  let el = document.getElementById("remote-banner");
  if (!el) {
    el = h("section", { id: "remote-banner", class: "remote-banner", "aria-label": "Real cluster" });
    document.querySelector(".topbar").after(el);
  }
  const where = `Real cluster: context ${info.context} at ${info.server}`;
  const lines = [h("p", null, h("b", { text: where }),
    h("span", { class: "remote-mode", dataset: { readOnly: String(!!info.readOnly) },
                text: info.readOnly ? " · read-only: no action is sent to the cluster"
                  : " · actions go to the cluster's API, as you" }))];
  if (info.problem) {
    lines.push(h("p", { class: "remote-problem", text: `The cluster is not answering the watch: ${info.problem}` }));
  }
  const f = info.filter || {};
  const shown = [f.namespace && `namespace ${f.namespace}`, f.node && `node ${f.node}`, f.selector && `pods ${f.selector}`]
    .filter(Boolean);
  if (shown.length) lines.push(h("p", { class: "remote-filter", text: `Showing only ${shown.join(", ")}.` }));
  // One line per namespace the view fell back to, one for what is not shown at all; each with
  // the apiserver's first refusal word for word (the others differ only in the kind).
  const byNs = new Map();
  for (const n of info.narrowed || []) {
    if (!n.reason) continue;                       // narrowed by --namespace: said above
    if (!byNs.has(n.namespace)) byNs.set(n.namespace, []);
    byNs.get(n.namespace).push(n);
  }
  for (const [ns, list] of byNs) {
    lines.push(h("p", { class: "remote-scope", dataset: { kinds: list.map((n) => n.kind).join(" ") },
      text: `Only namespace ${ns} for ${list.map((n) => `${n.kind}s`).join(", ")}: ` +
            `you may not list them cluster-wide (the cluster said: ${list[0].reason})` }));
  }
  const hidden = info.hidden || [];
  if (hidden.length) {
    lines.push(h("p", { class: "remote-scope hidden-kind", dataset: { kinds: hidden.map((n) => n.kind).join(" ") },
      text: `Not shown: ${hidden.map((n) => `${n.kind}s`).join(", ")} (the cluster said: ${hidden[0].reason})` }));
  }
  el.replaceChildren(...lines);
  // Nodes out of sight: pods cannot be drawn on them, so they gather under one heading.
  const nodes = (info.hidden || []).find((n) => n.kind === "Node");
  if (nodes) {
    setText(document.querySelector("#nodes-empty"), `Nodes are not shown: the cluster said ${nodes.reason}.`);
    const head = document.querySelector("#pending h2");
    head.firstChild.textContent = "Pods on nodes you cannot see ";
    head.querySelector("small").firstChild.textContent = "(or not scheduled: ";
  }
}

async function refresh() {
  const r = await api.remote();
  if (r.ok && r.body) {
    info = r.body;
    banner();
    gate(document);
    setText(document.querySelector(".clock-label"), "wall clock");
  }
  setTimeout(refresh, info && info.synced && !info.problem ? 15000 : 2000);
}

/** In real-cluster mode: fetch the server's description, show it, keep controls gated. */
export function startRemoteMode() {
  if (!REMOTE) return;
  document.title = "kubeplay — a real cluster";
  new MutationObserver((records) => {
    for (const rec of records) {
      if (rec.type === "attributes") {
        if (!rec.target.disabled && rec.target.dataset.offReason) {
          delete rec.target.dataset.offReason;
          gate(rec.target.parentNode || document);
        }
      } else if (rec.addedNodes.length) {
        gate(rec.target);
      }
    }
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["disabled"] });
  refresh();
}

export function remoteInfo() { return info; }
