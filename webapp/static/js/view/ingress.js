// The Ingresses panel: one card per Ingress (class, the address the controller published, each
// rule as host · path (pathType) → Service:port, the defaultBackend), and the "Send request"
// control — a request to the ingress controller as from the learner's machine (`curl -H 'Host: …'
// http://localhost/…` on kind), answered with the route it took: Ingress → rule → Service → pod,
// then the answer (POST /kubeplay/v1/ingress/request, webapp/page/ingress.py). The request also
// arrives on the stream like any other, so view/traffic.js lights the path on the map.

import { h, setText, setData, clear } from "../dom.js";
import { api, errorMessage } from "../api.js";
import { keyOf } from "../model.js";

function backendText(b) {
  const svc = (b || {}).service;
  if (svc) {
    const port = svc.port || {};
    return `${svc.name}:${port.number ?? port.name ?? "?"}`;
  }
  const res = (b || {}).resource;
  return res ? `${res.kind}/${res.name}` : "?";
}

/** The rows a card shows: [{host, path, pathType, backend}] (defaultBackend last, host "*"). */
export function ingressRows(ing) {
  const spec = ing.spec || {};
  const rows = [];
  for (const rule of spec.rules || []) {
    for (const p of ((rule.http || {}).paths) || []) {
      rows.push({ host: rule.host || "*", path: p.path || "/", pathType: p.pathType || "", backend: backendText(p.backend) });
    }
  }
  if (spec.defaultBackend) rows.push({ host: "*", path: "(default backend)", pathType: "", backend: backendText(spec.defaultBackend) });
  return rows;
}

export class IngressPanel {
  constructor(root, { onError }) {
    this.root = root;
    this.list = root.querySelector("#ingress-list");
    this.empty = root.querySelector("#ingresses-empty");
    this.form = root.querySelector("#ingress-send");
    this.host = root.querySelector("#ingress-host");
    this.path = root.querySelector("#ingress-path");
    this.hosts = root.querySelector("#ingress-hosts");
    this.route = root.querySelector("#ingress-route");
    this.answer = root.querySelector("#ingress-answer");
    this.onError = onError;
    this.cards = new Map();           // "ns/name" -> {el, ing}
    this.form.addEventListener("submit", (e) => { e.preventDefault(); this.send(); });
  }

  draw(dirty) {
    let changed = false;
    for (const d of dirty.values()) {
      const obj = d.next || d.last || d.prev;
      if (!obj || obj.kind !== "Ingress") continue;
      changed = true;
      const key = keyOf(obj);
      if (d.next) this._upsert(key, d.next);
      else {
        this.cards.get(key)?.el.remove();
        this.cards.delete(key);
      }
    }
    if (!changed) return;
    this.empty.hidden = this.cards.size > 0;
    const hosts = new Set();
    for (const c of this.cards.values()) for (const r of ingressRows(c.ing)) if (r.host !== "*") hosts.add(r.host);
    clear(this.hosts);
    for (const host of [...hosts].sort()) this.hosts.append(h("option", { value: host }));
    if (!this.host.value && hosts.size) this.host.value = [...hosts].sort()[0];
  }

  _upsert(key, ing) {
    let c = this.cards.get(key);
    if (!c) {
      const el = h("div", { class: "ingress-card", dataset: { ingress: key } });
      c = { el };
      this.cards.set(key, c);
      const after = [...this.cards.keys()].sort().find((k) => k > key && this.cards.get(k).el.isConnected);
      this.list.insertBefore(el, after ? this.cards.get(after).el : null);
    }
    c.ing = ing;
    const spec = ing.spec || {};
    const lb = (((ing.status || {}).loadBalancer || {}).ingress || []).map((x) => x.ip || x.hostname).join(",");
    setData(c.el, "address", lb);
    const rows = ingressRows(ing).map((r) => h("li", { class: "ing-rule", dataset: { host: r.host, path: r.path } },
      h("span", { class: "ing-host", text: r.host }), " ",
      h("span", { class: "ing-path", text: r.path }),
      r.pathType ? h("small", { class: "ing-type", text: ` (${r.pathType})` }) : null,
      " → ", h("span", { class: "ing-backend", text: r.backend })));
    const tls = (spec.tls || []).flatMap((t) => t.hosts || []);
    c.el.replaceChildren(
      h("div", { class: "ing-head" },
        h("span", { class: "ing-name", text: key }),
        h("span", { class: "ing-class", text: `class ${spec.ingressClassName ?? "<none>"}` }),
        h("span", { class: "ing-address", text: lb ? `address ${lb}` : "no address yet" }),
        tls.length ? h("span", { class: "ing-tls", text: `TLS: ${tls.join(", ")}` }) : null),
      h("ul", { class: "ing-rules" }, rows));
  }

  async send() {
    const host = this.host.value.trim();
    let path = this.path.value.trim() || "/";
    if (!path.startsWith("/")) path = "/" + path;
    const r = await api.ingressRequest(host, path);
    if (!r.ok) {
      this.onError(errorMessage(r));
      return;
    }
    this.show(host, path, r.body);
  }

  /** Draw the route the answer `body` took, one step per hop. */
  show(host, path, body) {
    const steps = [];
    const step = (name, text, failed = false) =>
      steps.push(h("li", { class: failed ? "route-step failed" : "route-step", dataset: { step: name }, text }));
    step("request", `curl -H 'Host: ${host}' http://localhost${path}`);
    if (body.error) {
      step("answer", body.message || `connection ${body.error}`, true);
    } else {
      const route = body.route || {};
      step("controller", `ingress-nginx controller ${(body.controller || "").split("/").pop()}`);
      if (route.ingress) {
        step("ingress", `Ingress ${route.ingress}`);
        step("rule", route.path !== undefined
          ? `rule ${route.server === "_" ? "*" : route.server} · ${route.path} (${route.pathType})`
          : "its defaultBackend (no rule matched)");
      } else {
        step("ingress", "no Ingress rule matches: the controller's default backend", true);
      }
      if (route.service) {
        const ns = (route.ingress || "").split("/")[0];
        step("service", `Service ${ns}/${route.service}:${route.port}`, !body.endpoint);
      }
      if (body.endpoint) step("pod", `Pod ${body.endpoint} (${body.address})`, !!body.backendError);
      step("answer", `${body.status} ${body.reason}`, body.status >= 400);
    }
    this.route.replaceChildren(...steps);
    this.route.hidden = false;
    setData(this.route, "status", body.error ? body.error : String(body.status));
    setText(this.answer, body.body || "");
    this.answer.hidden = !body.body;
  }
}
