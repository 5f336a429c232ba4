// An object's desired state as the editor shows it: what `kubectl get -o yaml` shows, less status
// and the fields the server sets (the server's Apply preview strips the same:
// webapp/kubectl/applypreview.py). And a few plain words for how two versions differ.

import { toYaml } from "./yamldump.js";

const SERVER_METADATA = ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
                         "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];
const SERVER_ANNOTATIONS = ["deployment.kubernetes.io/revision", "kubectl.kubernetes.io/last-applied-configuration"];

/** The kinds a selection loads into the editor (what a learner would `kubectl edit`). */
export const EDITABLE = new Set(["Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Service"]);

const GROUP = { Deployment: ".apps", ReplicaSet: ".apps", StatefulSet: ".apps", DaemonSet: ".apps" };

/** `deployment.apps/web`: how kubectl names an object. */
export function kubectlName(obj) {
  return `${obj.kind.toLowerCase()}${GROUP[obj.kind] || ""}/${obj.metadata.name}`;
}

export function desiredYaml(obj) {
  const o = JSON.parse(JSON.stringify(obj));
  delete o.status;
  for (const k of SERVER_METADATA) delete o.metadata[k];
  const ann = o.metadata.annotations || {};
  for (const k of SERVER_ANNOTATIONS) delete ann[k];
  if (!Object.keys(ann).length) delete o.metadata.annotations;
  const out = { apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata };
  for (const [k, v] of Object.entries(o)) if (!(k in out)) out[k] = v;
  return toYaml(out);
}

function images(obj) {
  const spec = obj.kind === "Pod" ? obj.spec : ((obj.spec || {}).template || {}).spec;
  return ((spec || {}).containers || []).map((c) => c.image).join(", ");
}

/** What changed in the cluster between two versions of an object, in a few words. */
export function changeSummary(before, after) {
  const parts = [];
  const r0 = (before.spec || {}).replicas, r1 = (after.spec || {}).replicas;
  if (r0 !== r1 && (r0 !== undefined || r1 !== undefined)) parts.push(`replicas ${r0 ?? "—"} → ${r1 ?? "—"}`);
  const i0 = images(before), i1 = images(after);
  if (i0 !== i1) parts.push(`image ${i0 || "—"} → ${i1 || "—"}`);
  return parts.length ? parts.join(", ") : "its desired state changed";
}
