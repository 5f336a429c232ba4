// Kubernetes resource quantities ("100m", "1.5", "128Mi", "1e3") as numbers: cpu in cores,
// memory in bytes. Enough for the node boxes' requested-vs-allocatable figures.

const SUFFIX = {
  n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
};
const RE = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

export function parseQuantity(q) {
  if (q == null || q === "") return 0;
  if (typeof q === "number") return q;
  const m = RE.exec(String(q).trim());
  if (!m) return 0;
  const n = parseFloat(m[1]);
  if (m[2] !== undefined) return n * 10 ** parseInt(m[2], 10);
  return n * SUFFIX[m[3] || ""];
}

/** Sum of container requests of a pod (init containers: max), as kube-scheduler counts them. */
export function podRequests(pod) {
  const spec = pod.spec || {};
  let cpu = 0, memory = 0;
  for (const c of spec.containers || []) {
    const r = (c.resources || {}).requests || {};
    cpu += parseQuantity(r.cpu);
    memory += parseQuantity(r.memory);
  }
  for (const c of spec.initContainers || []) {
    const r = (c.resources || {}).requests || {};
    cpu = Math.max(cpu, parseQuantity(r.cpu));
    memory = Math.max(memory, parseQuantity(r.memory));
  }
  return { cpu, memory };
}

export function formatCpu(cores) {
  if (cores === 0) return "0";
  if (cores < 1) return `${Math.round(cores * 1000)}m`;
  return String(Math.round(cores * 100) / 100);
}

export function formatBytes(bytes) {
  const units = ["", "Ki", "Mi", "Gi", "Ti"];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
  return `${Math.round(bytes * 10) / 10}${units[i]}`;
}
