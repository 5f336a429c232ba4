"""The Deployment controller (k/k `pkg/controller/deployment/`: deployment_controller.go,
sync.go, rolling.go, recreate.go, progress.go), driving ReplicaSets as upstream does.

One reconcile of `namespace/name` (syncDeployment), in upstream's order:
- an empty selector selects everything: warn, record observedGeneration, stop;
- claim ReplicaSets (adopt matching orphans, release owned ones whose labels stopped matching);
- being deleted → status only (the garbage collector deletes the children);
- record Progressing=Unknown DeploymentPaused / DeploymentResumed when `spec.paused` flips;
- paused, or a *scaling event* (an active ReplicaSet's desired-replicas annotation differs from
  spec.replicas) → `sync`: resize (proportionally while a rollout is under way), no rollout;
- otherwise roll out with the strategy: Recreate or RollingUpdate, one step per reconcile.

Every step reads ReplicaSet *status* (what the ReplicaSet controller has reported), so a rollout
advances as pods become available: each ReplicaSet change wakes the Deployment again.

The Deployment's own status (and its revision annotation) is computed in memory during the
reconcile and written once at the end, through the status subresource, only if it changed.
The pure arithmetic lives in deployment_util.py.
"""
from __future__ import annotations

from typing import Literal, overload

from .. import errors, objects, resources as kinds
from ..events import NORMAL, WARNING
from ..selectors import label_selector_matcher
from ..store import WatchEvent
from . import deployment_util
from ..loop import Controller, Result, TerminalError, own_key, requeue_after


class DeploymentController(Controller):
    name = "deployment-controller"

    # ---- watch events → keys -------------------------------------------------------------

    def handlers(self):
        return {"deployments": own_key, "replicasets": self._on_replicaset, "pods": self._on_pod}

    def _on_replicaset(self, ev: WatchEvent):
        """add/update/deleteReplicaSet: the controller owner; for orphans, every Deployment
        whose selector matches (so one of them adopts it)."""
        rs, old = ev.object, ev.old
        ns = objects.namespace_of(rs)
        keys = set()
        for obj in (rs, old):
            ref = objects.controller_of(obj) if obj is not None else None
            if ref and ref.get("kind") == "Deployment":
                keys.add(f"{ns}/{ref['name']}")
        if ev.type == "DELETED" or objects.controller_of(rs) is not None:
            return keys
        if old is None or objects.labels_of(old) != objects.labels_of(rs) or objects.controller_of(old) is not None:
            labels = objects.labels_of(rs)
            for d in self.store.iter(kinds.DEPLOYMENT, ns):
                sel = deployment_util.spec(d).get("selector")
                if sel and label_selector_matcher(sel)(labels):
                    keys.add(objects.key_of(d))
        return keys

    def _on_pod(self, ev: WatchEvent):
        """deletePod: a Recreate Deployment waits for its old pods to be gone."""
        if ev.type != "DELETED":
            return ()
        pod = ev.object
        ns = objects.namespace_of(pod)
        ref = objects.controller_of(pod)
        if not ref or ref.get("kind") != "ReplicaSet":
            return ()
        rs = self.store.try_get(kinds.REPLICASET, ns, ref["name"])
        if rs is None or objects.uid_of(rs) != ref.get("uid"):
            return ()
        dref = objects.controller_of(rs)
        if not dref or dref.get("kind") != "Deployment":
            return ()
        d = self.store.try_get(kinds.DEPLOYMENT, ns, dref["name"])
        if d is None or objects.uid_of(d) != dref.get("uid") or deployment_util.strategy_type(d) != "Recreate":
            return ()
        return (objects.key_of(d),)

    # ---- reconcile ---------------------------------------------------------------------------

    def reconcile(self, key: str) -> Result | None:
        ns, name = objects.split_key(key)
        d = self.store.try_get(kinds.DEPLOYMENT, ns, name)
        if d is None:
            return None
        return requeue_after(_Sync(self, key, d).run())


class _Sync:
    """One syncDeployment: the working copy of the Deployment and its ReplicaSets."""

    def __init__(self, ctl: DeploymentController, key: str, stored: dict):
        self.ctl, self.store, self.key = ctl, ctl.store, key
        self.stored = stored                      # the Deployment as last read or written
        self.d = objects.clone(stored)                  # status and annotations are edited here
        self.d.setdefault("status", {})
        self.d["metadata"].setdefault("annotations", {})
        self.now = ctl.clock.now()
        self.now_iso = objects.iso(self.now)
        self.rss: list[dict] = []                 # this Deployment's ReplicaSets, kept current
        self.requeue: float | None = None

    # ---- plumbing ----------------------------------------------------------------------

    def decide(self, message: str, action: str, **kw) -> None:
        self.ctl.decide(self.key, f"Deployment {self.key}: {message}", action=action, **kw)

    def event(self, etype: str, reason: str, message: str) -> None:
        self.ctl.recorder.event(self.stored, etype, reason, message, component=self.ctl.name)

    @overload
    def cur(self, rs: dict) -> dict: ...

    @overload
    def cur(self, rs: None) -> None: ...

    def cur(self, rs: dict | None) -> dict | None:
        """The latest version of `rs` (after this reconcile's writes)."""
        if rs is None:
            return None
        uid = objects.uid_of(rs)
        for r in self.rss:
            if objects.uid_of(r) == uid:
                return r
        return rs

    def _remember(self, rs: dict) -> dict:
        uid = objects.uid_of(rs)
        self.rss = [r for r in self.rss if objects.uid_of(r) != uid] + [rs]
        return rs

    def update_rs(self, rs: dict) -> dict:
        return self._remember(self.store.update(rs, sync=False))

    def flush(self) -> None:
        """Write the Deployment's status and annotations if they changed (UpdateStatus)."""
        d, stored = self.d, self.stored
        ann = d["metadata"].get("annotations") or {}
        old_ann = objects.meta(stored).get("annotations") or {}
        if d["status"] == (stored.get("status") or {}) and ann == old_ann:
            return
        new = objects.clone(stored)
        new["status"] = objects.clone(d["status"])
        if ann:
            new["metadata"]["annotations"] = dict(ann)
        res = self.store.update(new, subresource="status", sync=False)
        if ann != (objects.meta(res).get("annotations") or {}):
            # Upstream's deployment status strategy lets the controller set the revision
            # annotation through /status; if our strategy keeps annotations there, fall back
            # to an ordinary update.
            again = objects.clone(res)
            again["metadata"]["annotations"] = dict(ann)
            res = self.store.update(again, sync=False)
        self.stored = res

    # ---- syncDeployment ------------------------------------------------------------------

    def run(self) -> float | None:
        try:
            self._run()
        except TerminalError:
            self.flush()            # the status it still shows; if this write fails, that is retried
            raise
        except BaseException:
            try:
                self.flush()
            except errors.ApiError:
                pass
            raise
        self.flush()
        return self.requeue

    def _run(self) -> None:
        d = self.d
        if deployment_util.spec(d).get("selector") == {}:
            gen = int(objects.meta(d).get("generation") or 0)
            if int(d["status"].get("observedGeneration") or 0) < gen:
                d["status"]["observedGeneration"] = gen
            # run() writes the status, then the engine records the Warning (and does not retry).
            raise TerminalError(self.stored, "SelectingAll",
                                "This deployment is selecting all pods. A non-empty selector is required.")
        self.rss = self.claim_replicasets()
        if objects.is_terminating(d):
            new_rs, old = self.get_all(create=False)
            self.sync_deployment_status(old + [new_rs], new_rs)
            return
        self.check_paused_conditions()
        if deployment_util.is_paused(d) or self.is_scaling_event():
            self.sync()
        elif deployment_util.strategy_type(d) == "Recreate":
            self.rollout_recreate()
        else:
            self.rollout_rolling()

    def claim_replicasets(self) -> list[dict]:
        """getReplicaSetsForDeployment: ReplicaSetControllerRefManager.ClaimReplicaSets."""
        d = self.stored
        uid, ns = objects.uid_of(d), objects.namespace_of(d)
        match = label_selector_matcher(deployment_util.spec(d).get("selector"))
        deleting = objects.is_terminating(d)
        out = []
        for rs in self.store.iter(kinds.REPLICASET, ns):
            ref = objects.controller_of(rs)
            if ref is not None:
                if ref.get("uid") != uid:
                    continue
                if match(objects.labels_of(rs)):
                    out.append(rs)
                elif not deleting:
                    new = objects.clone(rs)
                    refs = [r for r in new["metadata"].get("ownerReferences") or () if r.get("uid") != uid]
                    if refs:
                        new["metadata"]["ownerReferences"] = refs
                    else:
                        new["metadata"].pop("ownerReferences", None)
                    self.store.update(new, sync=False)
                    self.decide(f"ReplicaSet {objects.name_of(rs)} no longer matches the selector → releasing it",
                                action="release")
                continue
            if deleting or objects.is_terminating(rs) or not match(objects.labels_of(rs)):
                continue
            new = objects.clone(rs)
            new["metadata"]["ownerReferences"] = list(new["metadata"].get("ownerReferences") or ()) + [objects.controller_ref(d)]
            try:
                out.append(self.store.update(new, sync=False))
            except errors.NotFound:
                continue
            self.decide(f"orphan ReplicaSet {objects.name_of(rs)} matches the selector → adopting it", action="adopt")
        return out

    def check_paused_conditions(self) -> None:
        d = self.d
        if deployment_util.progress_deadline(d) is None:
            return
        cond = deployment_util.get_condition(d["status"], deployment_util.PROGRESSING)
        if cond is not None and cond.get("reason") == deployment_util.TIMED_OUT:
            return
        paused_cond = cond is not None and cond.get("reason") == deployment_util.PAUSED
        if deployment_util.is_paused(d) and not paused_cond:
            deployment_util.set_condition(d["status"], deployment_util.new_condition(deployment_util.PROGRESSING, "Unknown", deployment_util.PAUSED,
                                                         "Deployment is paused", self.now_iso))
            self.decide("paused → no rollout until resumed (scaling still applies)", action="pause")
        elif not deployment_util.is_paused(d) and paused_cond:
            deployment_util.set_condition(d["status"], deployment_util.new_condition(deployment_util.PROGRESSING, "Unknown", deployment_util.RESUMED,
                                                         "Deployment is resumed", self.now_iso))
            self.decide("resumed → rollout continues", action="resume")

    def is_scaling_event(self) -> bool:
        new_rs, old = self.get_all(create=False)
        want = deployment_util.replicas(self.d)
        for rs in deployment_util.active(old + [new_rs]):
            desired = deployment_util.annotation_int(rs, deployment_util.DESIRED_REPLICAS)
            if desired is not None and desired != want:
                return True
        return False

    # ---- the new ReplicaSet (getAllReplicaSetsAndSyncRevision / getNewReplicaSet) -----------

    @overload
    def get_all(self, create: Literal[True]) -> tuple[dict, list[dict]]: ...

    @overload
    def get_all(self, create: bool) -> tuple[dict | None, list[dict]]: ...

    def get_all(self, create: bool) -> tuple[dict | None, list[dict]]:
        """(the new ReplicaSet — created if `create`, else None when there is none — and the old
        ones, current)."""
        old = deployment_util.find_old(self.d, self.rss)
        new_rs = self.get_new_rs(old, create)
        return new_rs, [self.cur(rs) for rs in old]

    def get_new_rs(self, old: list[dict], create: bool) -> dict | None:
        d = self.d
        existing = deployment_util.find_new(d, self.rss)
        new_revision = deployment_util.max_revision(old) + 1
        if existing is not None:
            rs = objects.clone(existing)
            before = deployment_util.revision_of(existing)
            changed = deployment_util.set_new_rs_annotations(d, rs, new_revision, exists=True)
            mrs = deployment_util.min_ready_seconds(d)
            mrs_changed = deployment_util.min_ready_seconds(rs) != mrs
            if changed or mrs_changed:
                if mrs:
                    rs["spec"]["minReadySeconds"] = mrs
                else:
                    rs["spec"].pop("minReadySeconds", None)
                updated = self.update_rs(rs)
                after = deployment_util.revision_of(updated)
                if before and after != before:
                    self.decide(f"template matches the older ReplicaSet {objects.name_of(rs)} → reusing it "
                                f"as revision {after} (was {before})", action="rollback")
                return updated
            d["metadata"]["annotations"][deployment_util.REVISION] = (objects.meta(existing).get("annotations") or {}).get(deployment_util.REVISION, "")
            if deployment_util.progress_deadline(d) is not None and deployment_util.get_condition(d["status"], deployment_util.PROGRESSING) is None:
                deployment_util.set_condition(d["status"], deployment_util.new_condition(
                    deployment_util.PROGRESSING, "True", deployment_util.FOUND_NEW_RS, f'Found new replica set "{objects.name_of(existing)}"',
                    self.now_iso))
            return existing
        if not create:
            return None

        tmpl = objects.clone(deployment_util.template(d))
        collision = d["status"].get("collisionCount")
        h = deployment_util.compute_hash(tmpl, collision)
        tmpl.setdefault("metadata", {})
        tmpl["metadata"]["labels"] = dict(tmpl["metadata"].get("labels") or {}, **{deployment_util.HASH_LABEL: h})
        selector = objects.clone(deployment_util.spec(d).get("selector") or {})
        selector["matchLabels"] = dict(selector.get("matchLabels") or {}, **{deployment_util.HASH_LABEL: h})
        name = f"{objects.name_of(d)}-{h}"
        rs_spec = {"replicas": 0, "selector": selector, "template": tmpl}
        if deployment_util.min_ready_seconds(d):
            rs_spec["minReadySeconds"] = deployment_util.min_ready_seconds(d)
        new_rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                  "metadata": {"name": name, "namespace": objects.namespace_of(d),
                               "labels": dict(tmpl["metadata"]["labels"]),
                               "ownerReferences": [objects.controller_ref(self.stored)]},
                  "spec": rs_spec}
        count = deployment_util.new_rs_new_replicas(d, old + [new_rs], new_rs)
        rs_spec["replicas"] = count
        deployment_util.set_new_rs_annotations(d, new_rs, new_revision, exists=False)
        already = False
        try:
            created = self.store.create(new_rs, sync=False)
        except errors.AlreadyExists:
            found = self.store.try_get(kinds.REPLICASET, objects.namespace_of(d), name)
            ref = objects.controller_of(found) if found else None
            if found is None or ref is None or ref.get("uid") != objects.uid_of(d) or \
                    not deployment_util.equal_ignore_hash(deployment_util.template(d), deployment_util.template(found)):
                d["status"]["collisionCount"] = int(collision or 0) + 1
                self.decide(f"hash collision on ReplicaSet {name} → collisionCount {d['status']['collisionCount']}",
                            action="collision")
                raise
            created, already = found, True
        except errors.ApiError as e:
            if "because it is being terminated" in e.message:
                raise                   # the namespace is going: retried with the queue's backoff
            msg = f'Failed to create new replica set "{name}": {e.message}'
            if deployment_util.progress_deadline(d) is not None:
                deployment_util.set_condition(d["status"], deployment_util.new_condition(deployment_util.PROGRESSING, "False", deployment_util.FAILED_RS_CREATE,
                                                             msg, self.now_iso))
            self.event(WARNING, deployment_util.FAILED_RS_CREATE, msg)
            self.decide(msg, action="create-replicaset")
            raise                       # reported above; retried with the queue's backoff
        self._remember(created)
        if not already:
            if count > 0:
                self.event(NORMAL, "ScalingReplicaSet", f"Scaled up replica set {name} to {count}")
            why = "template changed" if old else "no ReplicaSet for this template yet"
            self.decide(f"{why} → new ReplicaSet {name} (revision {new_revision}) with {count} "
                        f"replica{'s' if count != 1 else ''}", action="create-replicaset",
                        desired=deployment_util.replicas(d))
        d["metadata"]["annotations"][deployment_util.REVISION] = str(new_revision)
        if not already and deployment_util.progress_deadline(d) is not None:
            deployment_util.set_condition(d["status"], deployment_util.new_condition(deployment_util.PROGRESSING, "True", deployment_util.NEW_RS_CREATED,
                                                         f'Created new replica set "{name}"', self.now_iso))
        return created

    # ---- scaling one ReplicaSet --------------------------------------------------------------

    def scale_and_record(self, rs: dict, new_scale: int, why: str) -> tuple[bool, dict]:
        """scaleReplicaSetAndRecordEvent."""
        rs = self.cur(rs)
        if deployment_util.replicas(rs) == new_scale:
            return False, rs
        op = "up" if deployment_util.replicas(rs) < new_scale else "down"
        return self.scale_rs(rs, new_scale, op, why)

    def scale_rs(self, rs: dict, new_scale: int, op: str, why: str) -> tuple[bool, dict]:
        """scaleReplicaSet: set spec.replicas and the desired/max-replicas annotations."""
        rs = self.cur(rs)
        d = self.d
        desired, maximum = deployment_util.replicas(d), deployment_util.replicas(d) + deployment_util.max_surge(d)
        size_changed = deployment_util.replicas(rs) != new_scale
        if not size_changed and not deployment_util.replicas_annotations_need_update(rs, desired, maximum):
            return False, rs
        old_scale = deployment_util.replicas(rs)
        new = objects.clone(rs)
        new["spec"]["replicas"] = new_scale
        deployment_util.set_replicas_annotations(new, desired, maximum)
        updated = self.update_rs(new)
        if size_changed:
            self.event(NORMAL, "ScalingReplicaSet",
                       f"Scaled {op} replica set {objects.name_of(rs)} to {new_scale} from {old_scale}")
            self.decide(f"{why}: scale {op} {objects.name_of(rs)} from {old_scale} to {new_scale}",
                        action="scale-replicaset", observed=old_scale, desired=new_scale)
        return size_changed, updated

    # ---- sync: paused or scaling (sync.go) -----------------------------------------------

    def sync(self) -> None:
        new_rs, old = self.get_all(create=False)
        self.scale(new_rs, old)
        if deployment_util.is_paused(self.d):
            self.cleanup(old)
        self.sync_deployment_status([self.cur(r) for r in old] + [self.cur(new_rs)], self.cur(new_rs))

    def scale(self, new_rs: dict | None, old: list[dict]) -> None:
        d = self.d
        want = deployment_util.replicas(d)
        only = deployment_util.find_active_or_latest(new_rs, old)
        if only is not None:
            if deployment_util.replicas(only) != want:
                self.scale_and_record(only, want, f"scaled to {want}")
            return
        if deployment_util.is_saturated(d, new_rs):
            for rs in deployment_util.active(old):
                self.scale_and_record(rs, 0, "new ReplicaSet is saturated")
            return
        if not deployment_util.is_rolling(d):
            return
        rss = deployment_util.active(old + [new_rs])
        allowed = want + deployment_util.max_surge(d) if want > 0 else 0
        to_add = allowed - deployment_util.sum_spec(rss)
        op = ""
        if to_add > 0:
            rss, op = deployment_util.by_size_newer(rss), "up"
        elif to_add < 0:
            rss, op = deployment_util.by_size_older(rss), "down"
        added, sizes = 0, {}
        for rs in rss:
            if to_add != 0:
                p = deployment_util.proportion(rs, d, to_add, added)
                sizes[objects.name_of(rs)] = deployment_util.replicas(rs) + p
                added += p
            else:
                sizes[objects.name_of(rs)] = deployment_util.replicas(rs)
        for i, rs in enumerate(rss):
            if i == 0 and to_add != 0:
                sizes[objects.name_of(rs)] = max(0, sizes[objects.name_of(rs)] + to_add - added)
            self.scale_rs(rs, sizes[objects.name_of(rs)], op,
                          f"scaled to {want} during a rollout (proportional, max {allowed})")

    def cleanup(self, old: list[dict]) -> None:
        """cleanupDeployment: keep revisionHistoryLimit old ReplicaSets; delete the oldest empty ones."""
        limit = deployment_util.revision_history_limit(self.d)
        if limit is None:
            return
        alive = [self.cur(rs) for rs in old if not objects.is_terminating(self.cur(rs))]
        diff = len(alive) - limit
        if diff <= 0:
            return
        for rs in deployment_util.by_revision(alive)[:diff]:
            if (deployment_util.status_int(rs, "replicas") != 0 or deployment_util.replicas(rs) != 0 or objects.is_terminating(rs)
                    or int(objects.meta(rs).get("generation") or 0) > deployment_util.status_int(rs, "observedGeneration")):
                continue
            try:
                self.store.delete(kinds.REPLICASET, objects.namespace_of(rs), objects.name_of(rs), sync=False)
            except errors.NotFound:
                pass
            self.rss = [r for r in self.rss if objects.uid_of(r) != objects.uid_of(rs)]
            self.decide(f"revisionHistoryLimit {limit} → deleting old ReplicaSet {objects.name_of(rs)} "
                        f"(revision {deployment_util.revision_of(rs)})", action="delete-replicaset")

    # ---- RollingUpdate (rolling.go) --------------------------------------------------------

    def rollout_rolling(self) -> None:
        new_rs, old = self.get_all(create=True)
        all_rss = old + [new_rs]
        if self.reconcile_new_rs(all_rss, new_rs) or \
                self.reconcile_old_rss([self.cur(r) for r in all_rss], deployment_util.active(old), self.cur(new_rs)):
            return self.sync_rollout_status(all_rss, new_rs)
        if deployment_util.deployment_complete(self.d, self.d["status"]):
            self.cleanup(old)
        self.sync_rollout_status(all_rss, new_rs)

    def reconcile_new_rs(self, all_rss: list[dict], new_rs: dict) -> bool:
        d = self.d
        want = deployment_util.replicas(d)
        if deployment_util.replicas(new_rs) == want:
            return False
        if deployment_util.replicas(new_rs) > want:
            return self.scale_and_record(new_rs, want, "rolling update: new ReplicaSet above spec.replicas")[0]
        count = deployment_util.new_rs_new_replicas(d, all_rss, new_rs)
        return self.scale_and_record(new_rs, count, f"rolling update (maxSurge {deployment_util.max_surge(d)})")[0]

    def reconcile_old_rss(self, all_rss: list[dict], old: list[dict], new_rs: dict) -> bool:
        d = self.d
        if deployment_util.sum_spec(old) == 0:
            return False
        min_available = deployment_util.replicas(d) - deployment_util.max_unavailable(d)
        new_unavailable = deployment_util.replicas(new_rs) - deployment_util.status_int(new_rs, "availableReplicas")
        max_scaled_down = deployment_util.sum_spec(all_rss) - min_available - new_unavailable
        if max_scaled_down <= 0:
            return False
        cleaned = self.cleanup_unhealthy(old, max_scaled_down)
        if cleaned is None:
            return False
        old, cleaned_count = cleaned
        scaled = self.scale_down_old_for_rolling(old + [self.cur(new_rs)], old)
        return cleaned_count + scaled > 0

    def cleanup_unhealthy(self, old: list[dict], max_cleanup: int):
        """cleanupUnhealthyReplicas: first drop old pods that are not available anyway."""
        old = deployment_util.by_creation([self.cur(r) for r in old])
        total = 0
        for i, rs in enumerate(old):
            if total >= max_cleanup:
                break
            available = deployment_util.status_int(rs, "availableReplicas")
            if deployment_util.replicas(rs) == 0 or deployment_util.replicas(rs) == available:
                continue
            down = min(max_cleanup - total, deployment_util.replicas(rs) - available)
            if down < 0:
                return None
            _, old[i] = self.scale_and_record(
                rs, deployment_util.replicas(rs) - down, f"rolling update: {deployment_util.replicas(rs) - available} unavailable old pod(s)")
            total += down
        return old, total

    def scale_down_old_for_rolling(self, all_rss: list[dict], old: list[dict]) -> int:
        d = self.d
        min_available = deployment_util.replicas(d) - deployment_util.max_unavailable(d)
        available = deployment_util.sum_status(all_rss, "availableReplicas")
        if available <= min_available:
            return 0
        total, target = 0, available - min_available
        for rs in deployment_util.by_creation([self.cur(r) for r in old]):
            if total >= target:
                break
            if deployment_util.replicas(rs) == 0:
                continue
            down = min(deployment_util.replicas(rs), target - total)
            self.scale_and_record(rs, deployment_util.replicas(rs) - down,
                                  f"rolling update ({available} available, minAvailable {min_available}, "
                                  f"maxUnavailable {deployment_util.max_unavailable(d)})")
            total += down
        return total

    # ---- Recreate (recreate.go) --------------------------------------------------------------

    def rollout_recreate(self) -> None:
        new_rs, old = self.get_all(create=False)
        pod_map = self.pod_map()
        scaled = False
        for rs in deployment_util.active(old):
            s, _ = self.scale_and_record(rs, 0, "recreate: old pods go first")
            scaled = scaled or s
        if scaled:
            return self.sync_rollout_status(old + [new_rs], new_rs)
        if self.old_pods_running(new_rs, old, pod_map):
            return self.sync_rollout_status(old + [new_rs], new_rs)
        if new_rs is None:
            new_rs, old = self.get_all(create=True)
        self.scale_and_record(new_rs, deployment_util.replicas(self.d), "recreate: old pods are gone")
        if deployment_util.deployment_complete(self.d, self.d["status"]):
            self.cleanup(old)
        self.sync_rollout_status(old + [new_rs], new_rs)

    def pod_map(self) -> dict[str, list[dict]]:
        """getPodMapForDeployment: pods matching the selector, by controlling ReplicaSet uid."""
        match = label_selector_matcher(deployment_util.spec(self.d).get("selector"))
        out = {}
        for rs in self.rss:
            uid = objects.uid_of(rs)
            out[uid] = [p for p in self.store.owned_by(uid, kinds.POD)
                        if (objects.controller_of(p) or {}).get("uid") == uid and match(objects.labels_of(p))]
        return out

    @staticmethod
    def old_pods_running(new_rs, old, pod_map) -> bool:
        if deployment_util.sum_status(old, "replicas") > 0:
            return True
        new_uid = objects.uid_of(new_rs) if new_rs is not None else None
        for uid, pods in pod_map.items():
            if uid == new_uid:
                continue
            if any((p.get("status") or {}).get("phase") not in ("Failed", "Succeeded") for p in pods):
                return True
        return False

    # ---- status (sync.go calculateStatus, progress.go syncRolloutStatus) -----------------------

    def calculate_status(self, all_rss: list, new_rs: dict | None) -> dict:
        d = self.d
        all_rss = [self.cur(rs) for rs in all_rss if rs is not None]
        new_rs = self.cur(new_rs)
        available = deployment_util.sum_status(all_rss, "availableReplicas")
        unavailable = max(0, deployment_util.sum_spec(all_rss) - available)
        st: dict = {}
        for field, value in (("observedGeneration", int(objects.meta(d).get("generation") or 0)),
                             ("replicas", deployment_util.sum_status(all_rss, "replicas")),
                             ("updatedReplicas", deployment_util.status_int(new_rs, "replicas") if new_rs else 0),
                             ("readyReplicas", deployment_util.sum_status(all_rss, "readyReplicas")),
                             ("availableReplicas", available),
                             ("unavailableReplicas", unavailable)):
            if value:
                st[field] = value                       # omitempty
        conds = [dict(c) for c in d["status"].get("conditions") or ()]
        if conds:
            st["conditions"] = conds
        if d["status"].get("collisionCount") is not None:
            st["collisionCount"] = d["status"]["collisionCount"]
        if available >= deployment_util.replicas(d) - deployment_util.max_unavailable(d):
            deployment_util.set_condition(st, deployment_util.new_condition(deployment_util.AVAILABLE, "True", deployment_util.MIN_AVAILABLE,
                                                "Deployment has minimum availability.", self.now_iso))
        else:
            deployment_util.set_condition(st, deployment_util.new_condition(deployment_util.AVAILABLE, "False", deployment_util.MIN_UNAVAILABLE,
                                                "Deployment does not have minimum availability.", self.now_iso))
        return st

    def sync_deployment_status(self, all_rss: list, new_rs: dict | None) -> None:
        self.d["status"] = self.calculate_status(all_rss, new_rs)

    def sync_rollout_status(self, all_rss: list, new_rs: dict | None) -> None:
        d = self.d
        new_rs = self.cur(new_rs)
        st = self.calculate_status(all_rss, new_rs)
        deadline = deployment_util.progress_deadline(d)
        if deadline is None:
            deployment_util.remove_condition(st, deployment_util.PROGRESSING)
        cur = deployment_util.get_condition(d["status"], deployment_util.PROGRESSING)
        complete = (int(st.get("replicas") or 0) == int(st.get("updatedReplicas") or 0)
                    and cur is not None and cur.get("reason") == deployment_util.NEW_RS_AVAILABLE)
        rs_name = f'ReplicaSet "{objects.name_of(new_rs)}"' if new_rs else f'Deployment "{objects.name_of(d)}"'
        if deadline is not None and not complete:
            if deployment_util.deployment_complete(d, st):
                deployment_util.set_condition(st, deployment_util.new_condition(deployment_util.PROGRESSING, "True", deployment_util.NEW_RS_AVAILABLE,
                                                    f"{rs_name} has successfully progressed.", self.now_iso))
            elif deployment_util.deployment_progressing(d, st):
                cond = deployment_util.new_condition(deployment_util.PROGRESSING, "True", deployment_util.RS_UPDATED,
                                       f"{rs_name} is progressing.", self.now_iso)
                if cur is not None:
                    if cur.get("status") == "True":
                        cond["lastTransitionTime"] = cur.get("lastTransitionTime", self.now_iso)
                    deployment_util.remove_condition(st, deployment_util.PROGRESSING)
                deployment_util.set_condition(st, cond)
            elif deployment_util.deployment_timed_out(d, st, self.now):
                before = deployment_util.get_condition(st, deployment_util.PROGRESSING)
                deployment_util.set_condition(st, deployment_util.new_condition(deployment_util.PROGRESSING, "False", deployment_util.TIMED_OUT,
                                                    f"{rs_name} has timed out progressing.", self.now_iso))
                if before is None or before.get("reason") != deployment_util.TIMED_OUT:
                    self.decide(f"no progress for {deadline}s → Progressing=False ProgressDeadlineExceeded",
                                action="progress-deadline")
        failures = self.replica_failures(all_rss, new_rs)
        if failures:
            deployment_util.set_condition(st, failures[0])
        else:
            deployment_util.remove_condition(st, deployment_util.REPLICA_FAILURE)
        if st == d["status"]:
            self.requeue = self.requeue_stuck(st)
        d["status"] = st

    def replica_failures(self, all_rss: list, new_rs: dict | None) -> list[dict]:
        def of(rs):
            return [deployment_util.rs_to_deployment_condition(c) for c in (rs.get("status") or {}).get("conditions") or ()
                    if c.get("type") == deployment_util.REPLICA_FAILURE]
        if new_rs is not None and of(new_rs):
            return of(new_rs)
        out = []
        for rs in all_rss:
            if rs is not None:
                out.extend(of(self.cur(rs)))
        return out

    def requeue_stuck(self, st: dict) -> float | None:
        """requeueStuckDeployment: come back when the progress deadline would pass."""
        d = self.d
        deadline = deployment_util.progress_deadline(d)
        cur = deployment_util.get_condition(d["status"], deployment_util.PROGRESSING)
        if deadline is None or cur is None:
            return None
        if deployment_util.deployment_complete(d, st) or cur.get("reason") == deployment_util.TIMED_OUT:
            return None
        since = objects.parse_time(cur.get("lastUpdateTime"))
        if since is None:
            return None
        return max(0.0, since + deadline - self.now) + 1.0
