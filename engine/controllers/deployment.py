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

from .. import errors, objects as O, resources as R
from ..events import NORMAL, WARNING
from ..selectors import label_selector_matcher
from ..store import WatchEvent
from . import deployment_util as U
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
        ns = O.namespace_of(rs)
        keys = set()
        for obj in (rs, old):
            ref = O.controller_of(obj) if obj is not None else None
            if ref and ref.get("kind") == "Deployment":
                keys.add(f"{ns}/{ref['name']}")
        if ev.type == "DELETED" or O.controller_of(rs) is not None:
            return keys
        if old is None or O.labels_of(old) != O.labels_of(rs) or O.controller_of(old) is not None:
            labels = O.labels_of(rs)
            for d in self.store.iter(R.DEPLOYMENT, ns):
                sel = U.spec(d).get("selector")
                if sel and label_selector_matcher(sel)(labels):
                    keys.add(O.key_of(d))
        return keys

    def _on_pod(self, ev: WatchEvent):
        """deletePod: a Recreate Deployment waits for its old pods to be gone."""
        if ev.type != "DELETED":
            return ()
        pod = ev.object
        ns = O.namespace_of(pod)
        ref = O.controller_of(pod)
        if not ref or ref.get("kind") != "ReplicaSet":
            return ()
        rs = self.store.try_get(R.REPLICASET, ns, ref["name"])
        if rs is None or O.uid_of(rs) != ref.get("uid"):
            return ()
        dref = O.controller_of(rs)
        if not dref or dref.get("kind") != "Deployment":
            return ()
        d = self.store.try_get(R.DEPLOYMENT, ns, dref["name"])
        if d is None or O.uid_of(d) != dref.get("uid") or U.strategy_type(d) != "Recreate":
            return ()
        return (O.key_of(d),)

    # ---- reconcile ---------------------------------------------------------------------------

    def reconcile(self, key: str) -> Result | None:
        ns, name = O.split_key(key)
        d = self.store.try_get(R.DEPLOYMENT, ns, name)
        if d is None:
            return None
        return requeue_after(_Sync(self, key, d).run())


class _Sync:
    """One syncDeployment: the working copy of the Deployment and its ReplicaSets."""

    def __init__(self, ctl: DeploymentController, key: str, stored: dict):
        self.ctl, self.store, self.key = ctl, ctl.store, key
        self.stored = stored                      # the Deployment as last read or written
        self.d = O.clone(stored)                  # status and annotations are edited here
        self.d.setdefault("status", {})
        self.d["metadata"].setdefault("annotations", {})
        self.now = ctl.clock.now()
        self.now_iso = O.iso(self.now)
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
        uid = O.uid_of(rs)
        for r in self.rss:
            if O.uid_of(r) == uid:
                return r
        return rs

    def _remember(self, rs: dict) -> dict:
        uid = O.uid_of(rs)
        self.rss = [r for r in self.rss if O.uid_of(r) != uid] + [rs]
        return rs

    def update_rs(self, rs: dict) -> dict:
        return self._remember(self.store.update(rs, sync=False))

    def flush(self) -> None:
        """Write the Deployment's status and annotations if they changed (UpdateStatus)."""
        d, stored = self.d, self.stored
        ann = d["metadata"].get("annotations") or {}
        old_ann = O.meta(stored).get("annotations") or {}
        if d["status"] == (stored.get("status") or {}) and ann == old_ann:
            return
        new = O.clone(stored)
        new["status"] = O.clone(d["status"])
        if ann:
            new["metadata"]["annotations"] = dict(ann)
        res = self.store.update(new, subresource="status", sync=False)
        if ann != (O.meta(res).get("annotations") or {}):
            # Upstream's deployment status strategy lets the controller set the revision
            # annotation through /status; if our strategy keeps annotations there, fall back
            # to an ordinary update.
            again = O.clone(res)
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
        if U.spec(d).get("selector") == {}:
            gen = int(O.meta(d).get("generation") or 0)
            if int(d["status"].get("observedGeneration") or 0) < gen:
                d["status"]["observedGeneration"] = gen
            # run() writes the status, then the engine records the Warning (and does not retry).
            raise TerminalError(self.stored, "SelectingAll",
                                "This deployment is selecting all pods. A non-empty selector is required.")
        self.rss = self.claim_replicasets()
        if O.is_terminating(d):
            new_rs, old = self.get_all(create=False)
            self.sync_deployment_status(old + [new_rs], new_rs)
            return
        self.check_paused_conditions()
        if U.is_paused(d) or self.is_scaling_event():
            self.sync()
        elif U.strategy_type(d) == "Recreate":
            self.rollout_recreate()
        else:
            self.rollout_rolling()

    def claim_replicasets(self) -> list[dict]:
        """getReplicaSetsForDeployment: ReplicaSetControllerRefManager.ClaimReplicaSets."""
        d = self.stored
        uid, ns = O.uid_of(d), O.namespace_of(d)
        match = label_selector_matcher(U.spec(d).get("selector"))
        deleting = O.is_terminating(d)
        out = []
        for rs in self.store.iter(R.REPLICASET, ns):
            ref = O.controller_of(rs)
            if ref is not None:
                if ref.get("uid") != uid:
                    continue
                if match(O.labels_of(rs)):
                    out.append(rs)
                elif not deleting:
                    new = O.clone(rs)
                    refs = [r for r in new["metadata"].get("ownerReferences") or () if r.get("uid") != uid]
                    if refs:
                        new["metadata"]["ownerReferences"] = refs
                    else:
                        new["metadata"].pop("ownerReferences", None)
                    self.store.update(new, sync=False)
                    self.decide(f"ReplicaSet {O.name_of(rs)} no longer matches the selector → releasing it",
                                action="release")
                continue
            if deleting or O.is_terminating(rs) or not match(O.labels_of(rs)):
                continue
            new = O.clone(rs)
            new["metadata"]["ownerReferences"] = list(new["metadata"].get("ownerReferences") or ()) + [O.controller_ref(d)]
            try:
                out.append(self.store.update(new, sync=False))
            except errors.NotFound:
                continue
            self.decide(f"orphan ReplicaSet {O.name_of(rs)} matches the selector → adopting it", action="adopt")
        return out

    def check_paused_conditions(self) -> None:
        d = self.d
        if U.progress_deadline(d) is None:
            return
        cond = U.get_condition(d["status"], U.PROGRESSING)
        if cond is not None and cond.get("reason") == U.TIMED_OUT:
            return
        paused_cond = cond is not None and cond.get("reason") == U.PAUSED
        if U.is_paused(d) and not paused_cond:
            U.set_condition(d["status"], U.new_condition(U.PROGRESSING, "Unknown", U.PAUSED,
                                                         "Deployment is paused", self.now_iso))
            self.decide("paused → no rollout until resumed (scaling still applies)", action="pause")
        elif not U.is_paused(d) and paused_cond:
            U.set_condition(d["status"], U.new_condition(U.PROGRESSING, "Unknown", U.RESUMED,
                                                         "Deployment is resumed", self.now_iso))
            self.decide("resumed → rollout continues", action="resume")

    def is_scaling_event(self) -> bool:
        new_rs, old = self.get_all(create=False)
        want = U.replicas(self.d)
        for rs in U.active(old + [new_rs]):
            desired = U.annotation_int(rs, U.DESIRED_REPLICAS)
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
        old = U.find_old(self.d, self.rss)
        new_rs = self.get_new_rs(old, create)
        return new_rs, [self.cur(rs) for rs in old]

    def get_new_rs(self, old: list[dict], create: bool) -> dict | None:
        d = self.d
        existing = U.find_new(d, self.rss)
        new_revision = U.max_revision(old) + 1
        if existing is not None:
            rs = O.clone(existing)
            before = U.revision_of(existing)
            changed = U.set_new_rs_annotations(d, rs, new_revision, exists=True)
            mrs = U.min_ready_seconds(d)
            mrs_changed = U.min_ready_seconds(rs) != mrs
            if changed or mrs_changed:
                if mrs:
                    rs["spec"]["minReadySeconds"] = mrs
                else:
                    rs["spec"].pop("minReadySeconds", None)
                updated = self.update_rs(rs)
                after = U.revision_of(updated)
                if before and after != before:
                    self.decide(f"template matches the older ReplicaSet {O.name_of(rs)} → reusing it "
                                f"as revision {after} (was {before})", action="rollback")
                return updated
            d["metadata"]["annotations"][U.REVISION] = (O.meta(existing).get("annotations") or {}).get(U.REVISION, "")
            if U.progress_deadline(d) is not None and U.get_condition(d["status"], U.PROGRESSING) is None:
                U.set_condition(d["status"], U.new_condition(
                    U.PROGRESSING, "True", U.FOUND_NEW_RS, f'Found new replica set "{O.name_of(existing)}"',
                    self.now_iso))
            return existing
        if not create:
            return None

        tmpl = O.clone(U.template(d))
        collision = d["status"].get("collisionCount")
        h = U.compute_hash(tmpl, collision)
        tmpl.setdefault("metadata", {})
        tmpl["metadata"]["labels"] = dict(tmpl["metadata"].get("labels") or {}, **{U.HASH_LABEL: h})
        selector = O.clone(U.spec(d).get("selector") or {})
        selector["matchLabels"] = dict(selector.get("matchLabels") or {}, **{U.HASH_LABEL: h})
        name = f"{O.name_of(d)}-{h}"
        rs_spec = {"replicas": 0, "selector": selector, "template": tmpl}
        if U.min_ready_seconds(d):
            rs_spec["minReadySeconds"] = U.min_ready_seconds(d)
        new_rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                  "metadata": {"name": name, "namespace": O.namespace_of(d),
                               "labels": dict(tmpl["metadata"]["labels"]),
                               "ownerReferences": [O.controller_ref(self.stored)]},
                  "spec": rs_spec}
        count = U.new_rs_new_replicas(d, old + [new_rs], new_rs)
        rs_spec["replicas"] = count
        U.set_new_rs_annotations(d, new_rs, new_revision, exists=False)
        already = False
        try:
            created = self.store.create(new_rs, sync=False)
        except errors.AlreadyExists:
            found = self.store.try_get(R.REPLICASET, O.namespace_of(d), name)
            ref = O.controller_of(found) if found else None
            if found is None or ref is None or ref.get("uid") != O.uid_of(d) or \
                    not U.equal_ignore_hash(U.template(d), U.template(found)):
                d["status"]["collisionCount"] = int(collision or 0) + 1
                self.decide(f"hash collision on ReplicaSet {name} → collisionCount {d['status']['collisionCount']}",
                            action="collision")
                raise
            created, already = found, True
        except errors.ApiError as e:
            if "because it is being terminated" in e.message:
                raise                   # the namespace is going: retried with the queue's backoff
            msg = f'Failed to create new replica set "{name}": {e.message}'
            if U.progress_deadline(d) is not None:
                U.set_condition(d["status"], U.new_condition(U.PROGRESSING, "False", U.FAILED_RS_CREATE,
                                                             msg, self.now_iso))
            self.event(WARNING, U.FAILED_RS_CREATE, msg)
            self.decide(msg, action="create-replicaset")
            raise                       # reported above; retried with the queue's backoff
        self._remember(created)
        if not already:
            if count > 0:
                self.event(NORMAL, "ScalingReplicaSet", f"Scaled up replica set {name} to {count}")
            why = "template changed" if old else "no ReplicaSet for this template yet"
            self.decide(f"{why} → new ReplicaSet {name} (revision {new_revision}) with {count} "
                        f"replica{'s' if count != 1 else ''}", action="create-replicaset",
                        desired=U.replicas(d))
        d["metadata"]["annotations"][U.REVISION] = str(new_revision)
        if not already and U.progress_deadline(d) is not None:
            U.set_condition(d["status"], U.new_condition(U.PROGRESSING, "True", U.NEW_RS_CREATED,
                                                         f'Created new replica set "{name}"', self.now_iso))
        return created

    # ---- scaling one ReplicaSet --------------------------------------------------------------

    def scale_and_record(self, rs: dict, new_scale: int, why: str) -> tuple[bool, dict]:
        """scaleReplicaSetAndRecordEvent."""
        rs = self.cur(rs)
        if U.replicas(rs) == new_scale:
            return False, rs
        op = "up" if U.replicas(rs) < new_scale else "down"
        return self.scale_rs(rs, new_scale, op, why)

    def scale_rs(self, rs: dict, new_scale: int, op: str, why: str) -> tuple[bool, dict]:
        """scaleReplicaSet: set spec.replicas and the desired/max-replicas annotations."""
        rs = self.cur(rs)
        d = self.d
        desired, maximum = U.replicas(d), U.replicas(d) + U.max_surge(d)
        size_changed = U.replicas(rs) != new_scale
        if not size_changed and not U.replicas_annotations_need_update(rs, desired, maximum):
            return False, rs
        old_scale = U.replicas(rs)
        new = O.clone(rs)
        new["spec"]["replicas"] = new_scale
        U.set_replicas_annotations(new, desired, maximum)
        updated = self.update_rs(new)
        if size_changed:
            self.event(NORMAL, "ScalingReplicaSet",
                       f"Scaled {op} replica set {O.name_of(rs)} to {new_scale} from {old_scale}")
            self.decide(f"{why}: scale {op} {O.name_of(rs)} from {old_scale} to {new_scale}",
                        action="scale-replicaset", observed=old_scale, desired=new_scale)
        return size_changed, updated

    # ---- sync: paused or scaling (sync.go) -----------------------------------------------

    def sync(self) -> None:
        new_rs, old = self.get_all(create=False)
        self.scale(new_rs, old)
        if U.is_paused(self.d):
            self.cleanup(old)
        self.sync_deployment_status([self.cur(r) for r in old] + [self.cur(new_rs)], self.cur(new_rs))

    def scale(self, new_rs: dict | None, old: list[dict]) -> None:
        d = self.d
        want = U.replicas(d)
        only = U.find_active_or_latest(new_rs, old)
        if only is not None:
            if U.replicas(only) != want:
                self.scale_and_record(only, want, f"scaled to {want}")
            return
        if U.is_saturated(d, new_rs):
            for rs in U.active(old):
                self.scale_and_record(rs, 0, "new ReplicaSet is saturated")
            return
        if not U.is_rolling(d):
            return
        rss = U.active(old + [new_rs])
        allowed = want + U.max_surge(d) if want > 0 else 0
        to_add = allowed - U.sum_spec(rss)
        op = ""
        if to_add > 0:
            rss, op = U.by_size_newer(rss), "up"
        elif to_add < 0:
            rss, op = U.by_size_older(rss), "down"
        added, sizes = 0, {}
        for rs in rss:
            if to_add != 0:
                p = U.proportion(rs, d, to_add, added)
                sizes[O.name_of(rs)] = U.replicas(rs) + p
                added += p
            else:
                sizes[O.name_of(rs)] = U.replicas(rs)
        for i, rs in enumerate(rss):
            if i == 0 and to_add != 0:
                sizes[O.name_of(rs)] = max(0, sizes[O.name_of(rs)] + to_add - added)
            self.scale_rs(rs, sizes[O.name_of(rs)], op,
                          f"scaled to {want} during a rollout (proportional, max {allowed})")

    def cleanup(self, old: list[dict]) -> None:
        """cleanupDeployment: keep revisionHistoryLimit old ReplicaSets; delete the oldest empty ones."""
        limit = U.revision_history_limit(self.d)
        if limit is None:
            return
        alive = [self.cur(rs) for rs in old if not O.is_terminating(self.cur(rs))]
        diff = len(alive) - limit
        if diff <= 0:
            return
        for rs in U.by_revision(alive)[:diff]:
            if (U.status_int(rs, "replicas") != 0 or U.replicas(rs) != 0 or O.is_terminating(rs)
                    or int(O.meta(rs).get("generation") or 0) > U.status_int(rs, "observedGeneration")):
                continue
            try:
                self.store.delete(R.REPLICASET, O.namespace_of(rs), O.name_of(rs), sync=False)
            except errors.NotFound:
                pass
            self.rss = [r for r in self.rss if O.uid_of(r) != O.uid_of(rs)]
            self.decide(f"revisionHistoryLimit {limit} → deleting old ReplicaSet {O.name_of(rs)} "
                        f"(revision {U.revision_of(rs)})", action="delete-replicaset")

    # ---- RollingUpdate (rolling.go) --------------------------------------------------------

    def rollout_rolling(self) -> None:
        new_rs, old = self.get_all(create=True)
        all_rss = old + [new_rs]
        if self.reconcile_new_rs(all_rss, new_rs) or \
                self.reconcile_old_rss([self.cur(r) for r in all_rss], U.active(old), self.cur(new_rs)):
            return self.sync_rollout_status(all_rss, new_rs)
        if U.deployment_complete(self.d, self.d["status"]):
            self.cleanup(old)
        self.sync_rollout_status(all_rss, new_rs)

    def reconcile_new_rs(self, all_rss: list[dict], new_rs: dict) -> bool:
        d = self.d
        want = U.replicas(d)
        if U.replicas(new_rs) == want:
            return False
        if U.replicas(new_rs) > want:
            return self.scale_and_record(new_rs, want, "rolling update: new ReplicaSet above spec.replicas")[0]
        count = U.new_rs_new_replicas(d, all_rss, new_rs)
        return self.scale_and_record(new_rs, count, f"rolling update (maxSurge {U.max_surge(d)})")[0]

    def reconcile_old_rss(self, all_rss: list[dict], old: list[dict], new_rs: dict) -> bool:
        d = self.d
        if U.sum_spec(old) == 0:
            return False
        min_available = U.replicas(d) - U.max_unavailable(d)
        new_unavailable = U.replicas(new_rs) - U.status_int(new_rs, "availableReplicas")
        max_scaled_down = U.sum_spec(all_rss) - min_available - new_unavailable
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
        old = U.by_creation([self.cur(r) for r in old])
        total = 0
        for i, rs in enumerate(old):
            if total >= max_cleanup:
                break
            available = U.status_int(rs, "availableReplicas")
            if U.replicas(rs) == 0 or U.replicas(rs) == available:
                continue
            down = min(max_cleanup - total, U.replicas(rs) - available)
            if down < 0:
                return None
            _, old[i] = self.scale_and_record(
                rs, U.replicas(rs) - down, f"rolling update: {U.replicas(rs) - available} unavailable old pod(s)")
            total += down
        return old, total

    def scale_down_old_for_rolling(self, all_rss: list[dict], old: list[dict]) -> int:
        d = self.d
        min_available = U.replicas(d) - U.max_unavailable(d)
        available = U.sum_status(all_rss, "availableReplicas")
        if available <= min_available:
            return 0
        total, target = 0, available - min_available
        for rs in U.by_creation([self.cur(r) for r in old]):
            if total >= target:
                break
            if U.replicas(rs) == 0:
                continue
            down = min(U.replicas(rs), target - total)
            self.scale_and_record(rs, U.replicas(rs) - down,
                                  f"rolling update ({available} available, minAvailable {min_available}, "
                                  f"maxUnavailable {U.max_unavailable(d)})")
            total += down
        return total

    # ---- Recreate (recreate.go) --------------------------------------------------------------

    def rollout_recreate(self) -> None:
        new_rs, old = self.get_all(create=False)
        pod_map = self.pod_map()
        scaled = False
        for rs in U.active(old):
            s, _ = self.scale_and_record(rs, 0, "recreate: old pods go first")
            scaled = scaled or s
        if scaled:
            return self.sync_rollout_status(old + [new_rs], new_rs)
        if self.old_pods_running(new_rs, old, pod_map):
            return self.sync_rollout_status(old + [new_rs], new_rs)
        if new_rs is None:
            new_rs, old = self.get_all(create=True)
        self.scale_and_record(new_rs, U.replicas(self.d), "recreate: old pods are gone")
        if U.deployment_complete(self.d, self.d["status"]):
            self.cleanup(old)
        self.sync_rollout_status(old + [new_rs], new_rs)

    def pod_map(self) -> dict[str, list[dict]]:
        """getPodMapForDeployment: pods matching the selector, by controlling ReplicaSet uid."""
        match = label_selector_matcher(U.spec(self.d).get("selector"))
        out = {}
        for rs in self.rss:
            uid = O.uid_of(rs)
            out[uid] = [p for p in self.store.owned_by(uid, R.POD)
                        if (O.controller_of(p) or {}).get("uid") == uid and match(O.labels_of(p))]
        return out

    @staticmethod
    def old_pods_running(new_rs, old, pod_map) -> bool:
        if U.sum_status(old, "replicas") > 0:
            return True
        new_uid = O.uid_of(new_rs) if new_rs is not None else None
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
        available = U.sum_status(all_rss, "availableReplicas")
        unavailable = max(0, U.sum_spec(all_rss) - available)
        st: dict = {}
        for field, value in (("observedGeneration", int(O.meta(d).get("generation") or 0)),
                             ("replicas", U.sum_status(all_rss, "replicas")),
                             ("updatedReplicas", U.status_int(new_rs, "replicas") if new_rs else 0),
                             ("readyReplicas", U.sum_status(all_rss, "readyReplicas")),
                             ("availableReplicas", available),
                             ("unavailableReplicas", unavailable)):
            if value:
                st[field] = value                       # omitempty
        conds = [dict(c) for c in d["status"].get("conditions") or ()]
        if conds:
            st["conditions"] = conds
        if d["status"].get("collisionCount") is not None:
            st["collisionCount"] = d["status"]["collisionCount"]
        if available >= U.replicas(d) - U.max_unavailable(d):
            U.set_condition(st, U.new_condition(U.AVAILABLE, "True", U.MIN_AVAILABLE,
                                                "Deployment has minimum availability.", self.now_iso))
        else:
            U.set_condition(st, U.new_condition(U.AVAILABLE, "False", U.MIN_UNAVAILABLE,
                                                "Deployment does not have minimum availability.", self.now_iso))
        return st

    def sync_deployment_status(self, all_rss: list, new_rs: dict | None) -> None:
        self.d["status"] = self.calculate_status(all_rss, new_rs)

    def sync_rollout_status(self, all_rss: list, new_rs: dict | None) -> None:
        d = self.d
        new_rs = self.cur(new_rs)
        st = self.calculate_status(all_rss, new_rs)
        deadline = U.progress_deadline(d)
        if deadline is None:
            U.remove_condition(st, U.PROGRESSING)
        cur = U.get_condition(d["status"], U.PROGRESSING)
        complete = (int(st.get("replicas") or 0) == int(st.get("updatedReplicas") or 0)
                    and cur is not None and cur.get("reason") == U.NEW_RS_AVAILABLE)
        rs_name = f'ReplicaSet "{O.name_of(new_rs)}"' if new_rs else f'Deployment "{O.name_of(d)}"'
        if deadline is not None and not complete:
            if U.deployment_complete(d, st):
                U.set_condition(st, U.new_condition(U.PROGRESSING, "True", U.NEW_RS_AVAILABLE,
                                                    f"{rs_name} has successfully progressed.", self.now_iso))
            elif U.deployment_progressing(d, st):
                cond = U.new_condition(U.PROGRESSING, "True", U.RS_UPDATED,
                                       f"{rs_name} is progressing.", self.now_iso)
                if cur is not None:
                    if cur.get("status") == "True":
                        cond["lastTransitionTime"] = cur.get("lastTransitionTime", self.now_iso)
                    U.remove_condition(st, U.PROGRESSING)
                U.set_condition(st, cond)
            elif U.deployment_timed_out(d, st, self.now):
                before = U.get_condition(st, U.PROGRESSING)
                U.set_condition(st, U.new_condition(U.PROGRESSING, "False", U.TIMED_OUT,
                                                    f"{rs_name} has timed out progressing.", self.now_iso))
                if before is None or before.get("reason") != U.TIMED_OUT:
                    self.decide(f"no progress for {deadline}s → Progressing=False ProgressDeadlineExceeded",
                                action="progress-deadline")
        failures = self.replica_failures(all_rss, new_rs)
        if failures:
            U.set_condition(st, failures[0])
        else:
            U.remove_condition(st, U.REPLICA_FAILURE)
        if st == d["status"]:
            self.requeue = self.requeue_stuck(st)
        d["status"] = st

    def replica_failures(self, all_rss: list, new_rs: dict | None) -> list[dict]:
        def of(rs):
            return [U.rs_to_deployment_condition(c) for c in (rs.get("status") or {}).get("conditions") or ()
                    if c.get("type") == U.REPLICA_FAILURE]
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
        deadline = U.progress_deadline(d)
        cur = U.get_condition(d["status"], U.PROGRESSING)
        if deadline is None or cur is None:
            return None
        if U.deployment_complete(d, st) or cur.get("reason") == U.TIMED_OUT:
            return None
        since = O.parse_time(cur.get("lastUpdateTime"))
        if since is None:
            return None
        return max(0.0, since + deadline - self.now) + 1.0
