// A Deployment's ReplicaSets as the page draws a rollout: which ReplicaSets it has, their
// revisions (the deployment.kubernetes.io/revision annotation the Deployment controller keeps),
// which one is new, and whether a rollout is under way. Read from the model only.

import { controllerUid } from "./model.js";

export const REVISION = "deployment.kubernetes.io/revision";

/** The revision number of a ReplicaSet (0 when it has none yet). */
export function revisionOf(rs) {
  const v = ((rs && rs.metadata.annotations) || {})[REVISION];
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

/** The ReplicaSets a Deployment controls, oldest revision first. */
export function replicaSetsOf(model, dep) {
  const out = [];
  for (const uid of model.ownedBy(dep.metadata.uid)) {
    const o = model.get(uid);
    if (o && o.kind === "ReplicaSet") out.push(o);
  }
  return out.sort((a, b) => revisionOf(a) - revisionOf(b) ||
                            String(a.metadata.creationTimestamp || "").localeCompare(String(b.metadata.creationTimestamp || "")));
}

export function rsCounts(rs) {
  const spec = rs.spec || {}, st = rs.status || {};
  return { desired: spec.replicas === undefined ? 1 : spec.replicas, current: st.replicas || 0,
           ready: st.readyReplicas || 0 };
}

export function imagesOf(obj) {
  return ((((obj.spec || {}).template || {}).spec || {}).containers || []).map((c) => c.image).join(", ");
}

/**
 * What a Deployment's rollout looks like now:
 *   {sets: [{rs, revision, role: "old"|"new", podUids}], rolling}  (podUids: the model's own
 *   Set of the uids of the pods that ReplicaSet controls)
 * `sets` holds the ReplicaSets that still want or have pods (and always the newest), oldest
 * first; the newest revision is the "new" one. A rollout is under way while an old ReplicaSet
 * still wants or counts pods, or fewer pods than desired run the newest template.
 */
export function rolloutOf(model, dep) {
  const all = replicaSetsOf(model, dep);
  const newest = all[all.length - 1] || null;
  const sets = [];
  for (const rs of all) {
    const podUids = model.ownedBy(rs.metadata.uid);      // a live Set: read, never keep
    const n = rsCounts(rs);
    if (rs !== newest && !n.desired && !n.current && !podUids.size) continue;
    sets.push({ rs, revision: revisionOf(rs), role: rs === newest ? "new" : "old", podUids });
  }
  const spec = dep.spec || {}, st = dep.status || {};
  const desired = spec.replicas === undefined ? 1 : spec.replicas;
  const updated = st.updatedReplicas || 0;
  // Old ReplicaSets that still want or count pods: the rollout is not done. (One scaled to 0
  // whose pods are still terminating is shown, but the rollout itself is over.)
  const oldActive = sets.some((s) => s.role === "old" && (rsCounts(s.rs).desired || rsCounts(s.rs).current));
  const rolling = oldActive || (!!newest && updated < desired && (st.replicas || 0) > 0);
  return { sets, rolling, newest };
}

/** For a pod of a Deployment's ReplicaSet: {rs, revision, old} (old: not the newest revision),
 *  else null. */
export function podRevision(model, pod) {
  const rsUid = controllerUid(pod);
  const rs = rsUid && model.get(rsUid);
  if (!rs || rs.kind !== "ReplicaSet") return null;
  const revision = revisionOf(rs);
  const depUid = controllerUid(rs);
  let old = false;
  if (depUid) {
    for (const uid of model.ownedBy(depUid)) {
      const sib = model.get(uid);
      if (sib && sib.kind === "ReplicaSet" && revisionOf(sib) > revision) {
        old = true;
        break;
      }
    }
  }
  return { rs, revision, old };
}
