// The page's local copy of the cluster: every object the stream carries, keyed by uid.
//
// Fed by sync.js (snapshot → resync, events → apply) and read by the views. Changes are not drawn
// here: each change marks the object's uid dirty, and the page draws all dirty objects once per
// animation frame (takeDirty). A stale update (older resourceVersion than what we hold) is
// ignored, so a watch replay can never move an object backwards; states may be skipped, never
// reordered.

export const KINDS = ["Node", "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet",
                      "Service", "EndpointSlice", "Event", "Job", "CronJob", "PersistentVolumeClaim", "Ingress"];
const MAX_EVENTS = 3000;
const EMPTY = new Set();

const rvNum = (obj) => Number((obj.metadata || {}).resourceVersion) || 0;

export class Model {
  constructor() {
    this.byUid = new Map();                     // uid -> object
    this.byKind = new Map(KINDS.map((k) => [k, new Map()]));   // kind -> uid -> object
    this.dirty = new Map();                     // uid -> {prev, next} (prev: state last drawn)
    this.eventsFor = new Map();                 // involvedObject uid or "Kind/ns/name" -> [Event]
    this.eventOrder = [];                       // Event uids, oldest first (for the cap) ...
    this.eventHead = 0;                         // ... from this index on
    this.children = new Map();                  // controller owner uid -> Set of owned uids
    this.onChange = null;                       // called after any change (schedules a frame)
  }

  kind(kind) {
    return this.byKind.get(kind) || new Map();
  }

  get(uid) {
    return this.byUid.get(uid);
  }

  find(kind, namespace, name) {
    for (const o of this.kind(kind).values()) {
      const md = o.metadata;
      if (md.name === name && (md.namespace || "") === (namespace || "")) return o;
    }
    return null;
  }

  /** Replace everything with a snapshot; objects missing from it are deleted (relist). */
  resync(items) {
    const seen = new Set();
    for (const obj of items) {
      const uid = obj.metadata && obj.metadata.uid;
      if (!uid) continue;
      seen.add(uid);
      this._put(obj, true);
    }
    for (const uid of [...this.byUid.keys()]) {
      if (!seen.has(uid)) this._remove(this.byUid.get(uid));
    }
    this._changed();
  }

  /** Apply watch events [{type, object}] in order. */
  apply(events) {
    for (const ev of events) {
      const obj = ev.object;
      if (!obj || !obj.metadata || !obj.metadata.uid) continue;
      if (ev.type === "DELETED") {
        const cur = this.byUid.get(obj.metadata.uid);
        if (cur && rvNum(cur) <= rvNum(obj)) this._remove(cur, obj);
      } else {
        this._put(obj, false);
      }
    }
    this._changed();
  }

  takeDirty() {
    const d = this.dirty;
    this.dirty = new Map();
    return d;
  }

  /** The uids of the objects whose controller ownerReference names `uid` (pods of a ReplicaSet,
   *  ReplicaSets of a Deployment, ...). */
  ownedBy(uid) {
    return this.children.get(uid) || EMPTY;
  }

  eventsOf(obj) {
    const md = obj.metadata;
    return this.eventsFor.get(md.uid) ||
      this.eventsFor.get(`${obj.kind}/${md.namespace || ""}/${md.name}`) || [];
  }

  _put(obj, force) {
    const uid = obj.metadata.uid;
    const cur = this.byUid.get(uid);
    if (cur && !force && rvNum(cur) > rvNum(obj)) return;
    if (cur === obj) return;
    const kinds = this.byKind.get(obj.kind);
    if (!kinds) return;
    this.byUid.set(uid, obj);
    kinds.set(uid, obj);
    if (obj.kind === "Event") this._indexEvent(obj, cur);
    else this._indexOwner(uid, cur, obj);
    this._markDirty(uid, cur, obj);
  }

  _remove(cur, deleted = null) {
    const uid = cur.metadata.uid;
    this.byUid.delete(uid);
    this.kind(cur.kind).delete(uid);
    if (cur.kind === "Event") this._unindexEvent(cur);
    else this._indexOwner(uid, cur, null);
    this._markDirty(uid, cur, null, deleted || cur);
  }

  _markDirty(uid, prev, next, last = null) {
    const d = this.dirty.get(uid);
    if (d) {
      d.next = next;
      if (last) d.last = last;
    } else {
      this.dirty.set(uid, { prev: prev || null, next, last: last || next });
    }
  }

  _indexOwner(uid, prev, next) {
    const was = prev && controllerUid(prev), now = next && controllerUid(next);
    if (was === now) return;
    if (was) {
      const set = this.children.get(was);
      if (set) {
        set.delete(uid);
        if (!set.size) this.children.delete(was);
      }
    }
    if (now) {
      let set = this.children.get(now);
      if (!set) this.children.set(now, (set = new Set()));
      set.add(uid);
    }
  }

  _indexEvent(ev, prev) {
    const io = ev.involvedObject || {};
    const keys = [io.uid, `${io.kind}/${io.namespace || ""}/${io.name}`].filter(Boolean);
    for (const k of keys) {
      let list = this.eventsFor.get(k);
      if (!list) this.eventsFor.set(k, (list = []));
      const i = prev ? list.indexOf(prev) : -1;
      if (i >= 0) list[i] = ev; else list.push(ev);
    }
    if (!prev) {
      this.eventOrder.push(ev.metadata.uid);
      while (this.eventOrder.length - this.eventHead > MAX_EVENTS) {
        const old = this.byUid.get(this.eventOrder[this.eventHead++]);
        if (old) {
          this.byUid.delete(old.metadata.uid);
          this.kind("Event").delete(old.metadata.uid);
          this._unindexEvent(old);
        }
      }
      if (this.eventHead > MAX_EVENTS) {
        this.eventOrder = this.eventOrder.slice(this.eventHead);
        this.eventHead = 0;
      }
    }
  }

  _unindexEvent(ev) {
    const io = ev.involvedObject || {};
    for (const k of [io.uid, `${io.kind}/${io.namespace || ""}/${io.name}`]) {
      const list = k && this.eventsFor.get(k);
      if (!list) continue;
      const i = list.findIndex((e) => e.metadata.uid === ev.metadata.uid);
      if (i >= 0) list.splice(i, 1);
      if (!list.length) this.eventsFor.delete(k);
    }
  }

  _changed() {
    if (this.onChange && this.dirty.size) this.onChange();
  }
}

/** The uid of the object's controller (its ownerReference with controller: true), or null. */
export function controllerUid(obj) {
  const refs = (obj.metadata || {}).ownerReferences;
  if (!refs) return null;
  for (const r of refs) if (r.controller && r.uid) return r.uid;
  return null;
}

/** "namespace/name" */
export function keyOf(obj) {
  const md = obj.metadata || {};
  return md.namespace ? `${md.namespace}/${md.name}` : md.name;
}

/** The workload a pod belongs to: {kind, name} (Deployment through its ReplicaSet), or null. */
export function workloadOf(pod, model) {
  const refs = (pod.metadata.ownerReferences || []).filter((r) => r.controller);
  const ref = refs[0] || (pod.metadata.ownerReferences || [])[0];
  if (!ref) return null;
  if (ref.kind === "ReplicaSet") {
    const rs = model && model.byUid.get(ref.uid);
    const rsOwner = rs && (rs.metadata.ownerReferences || []).find((r) => r.controller);
    if (rsOwner) return { kind: rsOwner.kind, name: rsOwner.name };
    const hash = (pod.metadata.labels || {})["pod-template-hash"];
    if (hash && ref.name.endsWith("-" + hash)) {
      return { kind: "Deployment", name: ref.name.slice(0, -hash.length - 1) };
    }
  }
  return { kind: ref.kind, name: ref.name };
}
