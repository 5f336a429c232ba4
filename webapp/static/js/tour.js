// The pizza demo: one click applies the pizza system (login ×3, payment ×2, delivery ×1, each
// behind a Service) and opens a short guided tour. Each step does one thing a learner would do
// by hand and narrates it with what the reconcile loop actually decides, live.

import { h, clear } from "./dom.js";
import { exampleYaml } from "./examples.js";
import { podColumns } from "./podstatus.js";
import { workloadOf } from "./model.js";

const STEPS = [
  {
    title: "1. Kill a login pod",
    text: "The login Deployment asks for 3 pods. Kill one and watch: the ReplicaSet controller sees " +
          "2 of 3, creates a replacement, the scheduler picks a node for it and that node's kubelet " +
          "starts it. Nobody told the cluster to do this: it keeps the declared state true.",
    action: "Kill a login pod",
    watch: /login/,
    run: (t) => {
      const pod = t.pizzaPods("login").find((p) => podColumns(p).status === "Running") || t.pizzaPods("login")[0];
      if (pod) {
        t.reveal(`[data-pod="${pod.metadata.namespace}/${pod.metadata.name}"]`);
        return t.actions.killPod(pod);
      }
      t.narrate("No login pod to kill yet — wait until they are Running.");
    },
  },
  {
    title: "2. Fail a node",
    text: (t) => "Stop the kubelet heartbeats of the node running the most pizza pods. After the " +
          `grace period (${t.graceText()} — try speed 10×) the node controller marks it NotReady, ` +
          "taints it and evicts its pods; the ReplicaSets notice missing pods and create " +
          "replacements, which the scheduler puts on the healthy nodes.",
    action: "Fail the busiest node",
    watch: /node|login|payment|delivery/i,
    run: (t) => {
      const counts = new Map();
      for (const p of t.pizzaPods()) {
        const n = (p.spec || {}).nodeName;
        if (n) counts.set(n, (counts.get(n) || 0) + 1);
      }
      const busiest = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
      if (!busiest) return t.narrate("No pizza pod is on a node yet.");
      t.failedNode = busiest[0];
      t.reveal(`[data-node="${busiest[0]}"]`);
      t.narrate(`Stopping the heartbeats of ${busiest[0]} (${busiest[1]} pizza pods).`);
      return t.actions.failNode(busiest[0]);
    },
  },
  {
    title: "3. Upgrade payment to 1.2.4",
    text: "Change payment's image in the editor and Apply — the declarative way. The Deployment " +
          "controller creates a new ReplicaSet for the new template and rolls pods over a few at " +
          "a time (maxSurge 25%, maxUnavailable 25%), so payment stays up during the upgrade. " +
          "payment's card shows the old and the new ReplicaSet side by side while it rolls, and " +
          "the payment Service keeps routing only to ready pods.",
    action: "Upgrade payment",
    watch: /payment/,
    run: async (t) => {
      let text = t.editor.getText();
      if (!text.includes("pizza/payment:1.2.3")) text = await exampleYaml("pizza");
      const next = text.replace("pizza/payment:1.2.3", "pizza/payment:1.2.4");
      t.editor.setText(next);
      return t.editor.apply();
    },
  },
  {
    title: "4. Recover the node",
    text: "Bring the failed node back. Its kubelet reports Ready again and the node becomes " +
          "schedulable, but nothing moves back by itself: the Deployments are already satisfied. " +
          "That is the reconcile loop — it acts only on a difference between desired and actual.",
    action: "Recover the node",
    watch: /node/i,
    run: (t) => {
      if (t.failedNode) {
        t.reveal(`[data-node="${t.failedNode}"]`);
        return t.actions.recoverNode(t.failedNode);
      }
      t.narrate("No node was failed in this tour.");
    },
  },
];

export class Tour {
  constructor(root, { editor, model, log, actions, clock = null }) {
    this.clock = clock;
    this.root = root;
    this.editor = editor;
    this.model = model;
    this.actions = actions;
    this.step = 0;
    this.failedNode = null;
    this.titleEl = root.querySelector("#tour-title");
    this.textEl = root.querySelector("#tour-text");
    this.actionBtn = root.querySelector("#tour-action");
    this.live = root.querySelector("#tour-live");
    root.querySelector("#tour-next").addEventListener("click", () => this.show(this.step + 1));
    root.querySelector("#tour-end").addEventListener("click", () => this.end());
    this.actionBtn.addEventListener("click", async () => {
      this.actionBtn.disabled = true;
      try { await STEPS[this.step].run(this); } finally { this.actionBtn.disabled = false; }
    });
    log.listeners.push((d) => this._decision(d));
  }

  /** Bring what the step talks about into view (the map scrolls; the tour never covers it). */
  reveal(selector) {
    const el = document.querySelector(selector);
    if (el && el.scrollIntoView) el.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  async start() {
    let pizza;
    try {
      pizza = await exampleYaml("pizza");
    } catch (e) {
      return this.editor._say(e.message, "error");
    }
    this.editor.setText(pizza);
    const r = await this.editor.apply();
    this.failedNode = null;
    this.root.hidden = false;
    document.body.classList.add("touring");
    this.show(0);
    if (r && !r.ok) this.narrate("The pizza system was not applied: see the message under the editor.");
    else this.narrate("Applied the pizza system: 3 Deployments and 3 Services. Watch the pods appear.");
  }

  show(i) {
    if (i >= STEPS.length) return this.end();
    this.step = i;
    const s = STEPS[i];
    this.titleEl.textContent = s.title;
    this.textEl.textContent = typeof s.text === "function" ? s.text(this) : s.text;
    this.actionBtn.textContent = s.action;
    this.root.querySelector("#tour-next").textContent = i === STEPS.length - 1 ? "Finish" : "Next step";
    clear(this.live);
  }

  graceText() {
    const g = this.clock && this.clock.timings && this.clock.timings.nodeMonitorGracePeriod;
    return g ? `${g} simulated seconds` : "a few simulated seconds";
  }

  end() {
    this.root.hidden = true;
    document.body.classList.remove("touring");
  }

  narrate(text) {
    this.live.prepend(h("li", { class: "note", text }));
    while (this.live.childElementCount > 6) this.live.lastElementChild.remove();
  }

  pizzaPods(app = null) {
    return [...this.model.kind("Pod").values()].filter((p) => {
      if (p.metadata.deletionTimestamp) return false;
      const w = workloadOf(p, this.model);
      return w && ["login", "payment", "delivery"].includes(w.name) && (!app || w.name === app);
    });
  }

  _decision(d) {
    if (this.root.hidden) return;
    // Endpoint bookkeeping is folded in the log; here it would crowd out the story.
    if (d.controller === "endpointslice-controller" || d.controller === "endpoint-controller") return;
    const s = STEPS[this.step];
    const text = d.message || "";
    if (s.watch.test(text) || s.watch.test(d.key || "")) this.narrate(text);
  }
}
