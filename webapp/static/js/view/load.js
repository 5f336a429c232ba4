// The Deployment's load control (details panel): extra CPU demand spread over its ready pods, so a
// HorizontalPodAutoscaler has something to scale for (POST /kubeplay/v1/deployments/<ns>/<name>/load,
// webapp/page/load.py). `kubectl top pods` and the HPA read the same figures.

import { h } from "../dom.js";
import { api, errorMessage } from "../api.js";

// What the learner typed per Deployment, kept across the panel's redraws (it redraws as pods change).
const typed = new Map();

export function loadControl(deployment) {
  const ns = deployment.metadata.namespace || "default";
  const name = deployment.metadata.name;
  const key = `${ns}/${name}`;
  const input = h("input", { type: "text", class: "load-cpu", size: "8", placeholder: "e.g. 1500m",
                             "aria-label": "CPU load on this Deployment", value: typed.get(key) || "" });
  const note = h("span", { class: "hint load-status" });
  input.addEventListener("input", () => typed.set(key, input.value));
  const show = (r) => {
    note.textContent = r.ok ? (r.body.cpu === "0" ? "no extra load" : `load: ${r.body.cpu} CPU`) : errorMessage(r);
  };
  const set = async (cpu) => {
    const r = await api.setLoad(ns, name, cpu);
    if (r.ok && cpu === "0") { typed.delete(key); input.value = ""; }
    show(r);
  };
  api.load(ns, name).then(show);
  return h("div", { class: "actions load" },
    h("label", { text: "Load (CPU) " }, input),
    h("button", { type: "button", text: "Set load", dataset: { action: "load" }, onclick: () => set(input.value.trim() || "0") }),
    h("button", { type: "button", text: "Remove load", dataset: { action: "load" }, onclick: () => set("0") }),
    note);
}
