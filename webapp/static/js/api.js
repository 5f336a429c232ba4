// Every HTTP call the page makes: the Kubernetes-shaped API plus kubeplay's own control endpoints.
// Each returns {ok, status, body}; callers show body.error / body.message to the user.

async function call(method, url, body = undefined, contentType = "application/json") {
  // X-Kubeplay-Request: the server takes changes to its own endpoints only with this header,
  // which no form and no other site's page can send (webapp/guard.py).
  const init = { method, headers: { Accept: "application/json", "X-Kubeplay-Request": "page" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = contentType;
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    return { ok: false, status: 0, body: { error: { message: "cannot reach the kubeplay server" } } };
  }
  let data = null;
  const text = await res.text();
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { message: text }; }
  return { ok: res.ok, status: res.status, body: data };
}

const enc = encodeURIComponent;

/** The message a failed call should show (kubeplay error, metav1.Status, or plain text). */
export function errorMessage(r) {
  const b = r.body || {};
  if (b.error && b.error.message) return b.error.message;
  if (b.kind === "Status" && b.message) return b.message;
  if (b.message) return b.message;
  return `request failed (HTTP ${r.status})`;
}

export const api = {
  apply: (yaml, namespace = "default") => call("POST", "/kubeplay/v1/apply", { yaml, namespace }),
  applyForce: (yaml, namespace = "default") => call("POST", "/kubeplay/v1/apply", { yaml, namespace, force: true }),
  applyPreview: (yaml, namespace = "default") => call("POST", "/kubeplay/v1/apply", { yaml, namespace, preview: true }),
  delete: (yaml, namespace = "default") => call("POST", "/kubeplay/v1/delete", { yaml, namespace }),
  terminal: (command) => call("POST", "/kubeplay/v1/terminal", { command }),
  examples: () => call("GET", "/kubeplay/v1/examples"),
  remote: () => call("GET", "/kubeplay/v1/remote"),

  timeline: () => call("GET", "/kubeplay/v1/timeline"),
  timelineState: (at) => call("GET", `/kubeplay/v1/timeline/state?at=${enc(at)}`),
  timelineChanges: (after, until) => call("GET", `/kubeplay/v1/timeline/changes?after=${enc(after)}&until=${enc(until)}`),

  nodeMetrics: () => call("GET", "/apis/metrics.k8s.io/v1beta1/nodes"),

  clock: () => call("GET", "/kubeplay/v1/clock"),
  setClock: (change) => call("POST", "/kubeplay/v1/clock", change),
  setTimings: (realistic) => call("POST", "/kubeplay/v1/timings", { realistic }),

  controlPlane: () => call("GET", "/kubeplay/v1/control-plane"),
  setComponent: (component, running) => call("POST", "/kubeplay/v1/control-plane", { component, running }),

  failNode: (name) => call("POST", `/kubeplay/v1/nodes/${enc(name)}/fail`, {}),
  recoverNode: (name) => call("POST", `/kubeplay/v1/nodes/${enc(name)}/recover`, {}),
  failedNodes: () => call("GET", "/kubeplay/v1/nodes"),
  addNode: () => call("POST", "/kubeplay/v1/nodes", {}),
  deleteNode: (name) => call("DELETE", `/api/v1/nodes/${enc(name)}`),
  drainNode: (name) => call("POST", `/kubeplay/v1/nodes/${enc(name)}/drain`, {}),
  cordonNode: (name, on) => call("PATCH", `/api/v1/nodes/${enc(name)}`,
                                 { spec: { unschedulable: on ? true : null } },
                                 "application/merge-patch+json"),

  load: (ns, name) => call("GET", `/kubeplay/v1/deployments/${enc(ns)}/${enc(name)}/load`),
  setLoad: (ns, name, cpu) => call("POST", `/kubeplay/v1/deployments/${enc(ns)}/${enc(name)}/load`, { cpu }),
  ingressRequest: (host, path) => call("POST", "/kubeplay/v1/ingress/request", { host, path }),

  deletePod: (ns, name) => call("DELETE", `/api/v1/namespaces/${enc(ns)}/pods/${enc(name)}`),
  scale: (kind, ns, name, replicas) => {
    const plural = { Deployment: "deployments", StatefulSet: "statefulsets", ReplicaSet: "replicasets" }[kind];
    return call("PATCH", `/apis/apps/v1/namespaces/${enc(ns)}/${plural}/${enc(name)}/scale`,
                { spec: { replicas } }, "application/merge-patch+json");
  },
  patch: (path, body, type = "application/strategic-merge-patch+json") => call("PATCH", path, body, type),
};
