"""The ReplicaSet controller (k/k `pkg/controller/replicaset/replica_set.go`, with the pod
helpers of `pkg/controller/controller_utils.go`).

One reconcile of `namespace/name`:
1. read the ReplicaSet (gone → forget its expectations);
2. collect candidate pods — its own and the namespace's orphans — and *claim* them: adopt
   orphans whose labels match the selector, release owned pods whose labels no longer do;
3. if the expectations of the last reconcile have been seen on the watch feed, compare the
   active pods with spec.replicas and create (slow-start batches 1, 2, 4, … at most 500) or
   delete (the real ActivePodsWithRanks order) the difference;
4. write status only when it changed, and come back when a Ready pod will have been Ready for
   minReadySeconds.

Expectations: after creating N pods the controller waits until the watch feed has delivered N
pod ADDED events before it counts again (upstream: until its informer has seen them), so it never
creates the same pods twice; deletions are tracked by pod key the same way. They expire after
five minutes, as upstream.
"""
from __future__ import annotations

import functools
import math

from .. import errors, objects, resources as kinds
from ..events import NORMAL, WARNING
from ..pod_conditions import is_pod_active, is_pod_ready, ready_condition
from ..selectors import label_selector_matcher
from ..store import WatchEvent
from ..loop import Controller, Result

BURST_REPLICAS = 500                 # burstReplicas: creations/deletions per reconcile
SLOW_START_INITIAL_BATCH = 1         # controller.SlowStartInitialBatchSize
EXPECTATIONS_TIMEOUT = 300.0         # ExpectationsTimeout (5 min)
DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}


def _controller_ref(md: dict) -> dict | None:
    for ref in md.get("ownerReferences") or ():
        if ref.get("controller"):
            return ref
    return None


def _controlled_by(obj: dict, uid: str | None) -> bool:
    ref = objects.controller_of(obj)
    return ref is not None and ref.get("uid") == uid


# ---- which pods go first: ActivePodsWithRanks ----------------------------------------------

def _deletion_cost(pod: dict) -> int:
    v = (objects.meta(pod).get("annotations") or {}).get(DELETION_COST)
    try:
        return int(v) if v is not None else 0
    except ValueError:
        return 0


def _ready_time(pod: dict) -> float | None:
    c = ready_condition(pod)
    if c is not None and c.get("status") == "True":
        return objects.parse_time(c.get("lastTransitionTime"))
    return None


def _max_restarts(pod: dict) -> tuple[int, int]:
    st, sp = pod.get("status") or {}, pod.get("spec") or {}
    regular = max([int(c.get("restartCount") or 0) for c in st.get("containerStatuses") or ()], default=0)
    sidecars = {c.get("name") for c in sp.get("initContainers") or () if c.get("restartPolicy") == "Always"}
    sidecar = max([int(c.get("restartCount") or 0) for c in st.get("initContainerStatuses") or ()
                   if c.get("name") in sidecars], default=0)
    return regular, sidecar


def _log_rank_diff(t1: float, t2: float, now: float) -> int:
    """logarithmicRankDiff: compare durations (in nanoseconds, as Go) on a log2 scale."""
    d1, d2 = (now - t1) * 1e9, (now - t2) * 1e9
    r1 = int(math.log2(d1)) if d1 > 0 else -1
    r2 = int(math.log2(d2)) if d2 > 0 else -1
    return r1 - r2


def _after_or_zero(t1: float | None, t2: float | None) -> bool:
    if t1 is None or t2 is None:
        return t1 is None
    return t1 > t2


def _time_less(t1, t2, pi, pj, now) -> bool:
    """Rules 6 and 8: more recent first, compared on the LogarithmicScaleDown scale."""
    if not now or t1 is None or t2 is None:
        return _after_or_zero(t1, t2)
    diff = _log_rank_diff(t1, t2, now)
    if diff == 0:
        return objects.uid_of(pi) < objects.uid_of(pj)
    return diff < 0


def pod_less(pi: dict, pj: dict, ri: int, rj: int, now: float) -> bool:
    """ActivePodsWithRanks.Less: True if pod i should be deleted before pod j."""
    ni, nj = (pi.get("spec") or {}).get("nodeName") or "", (pj.get("spec") or {}).get("nodeName") or ""
    if ni != nj and (not ni or not nj):                                     # 1. unscheduled first
        return not ni
    phi = _PHASE_ORDINAL.get((pi.get("status") or {}).get("phase") or "", 0)
    phj = _PHASE_ORDINAL.get((pj.get("status") or {}).get("phase") or "", 0)
    if phi != phj:                                                          # 2. Pending < Unknown < Running
        return phi < phj
    rdi, rdj = is_pod_ready(pi), is_pod_ready(pj)
    if rdi != rdj:                                                          # 3. not ready first
        return not rdi
    ci, cj = _deletion_cost(pi), _deletion_cost(pj)
    if ci != cj:                                                            # 4. lower deletion cost
        return ci < cj
    if ri != rj:                                                            # 5. doubled-up first
        return ri > rj
    if rdi and rdj:                                                         # 6. ready more recently
        t1, t2 = _ready_time(pi), _ready_time(pj)
        if t1 != t2:
            return _time_less(t1, t2, pi, pj, now)
    mi, mj = _max_restarts(pi), _max_restarts(pj)
    if mi[0] != mj[0]:                                                      # 7. more restarts
        return mi[0] > mj[0]
    if mi[1] != mj[1]:
        return mi[1] > mj[1]
    c1 = objects.parse_time(objects.meta(pi).get("creationTimestamp"))
    c2 = objects.parse_time(objects.meta(pj).get("creationTimestamp"))
    if c1 != c2:                                                            # 8. newer first
        return _time_less(c1, c2, pi, pj, now)
    return False


def rank_for_deletion(pods: list[dict], related: list[dict], now: float) -> list[dict]:
    """getPodsRankedByRelatedPodsOnSameNode + sort: rank = active pods of the same owner
    family (all ReplicaSets of one Deployment) on the pod's node."""
    on_node: dict[str, int] = {}
    for p in related:
        if is_pod_active(p):
            n = (p.get("spec") or {}).get("nodeName") or ""
            on_node[n] = on_node.get(n, 0) + 1
    ranked = [(p, on_node.get((p.get("spec") or {}).get("nodeName") or "", 0)) for p in pods]

    def cmp(a, b):
        if pod_less(a[0], b[0], a[1], b[1], now):
            return -1
        if pod_less(b[0], a[0], b[1], a[1], now):
            return 1
        return 0
    ranked.sort(key=functools.cmp_to_key(cmp))
    return [p for p, _ in ranked]


# ---- expectations --------------------------------------------------------------------------

class Expectations:
    """ControllerExpectations / UIDTrackingControllerExpectations in one: per ReplicaSet key,
    how many creations and which pod deletions are still to be seen on the watch feed."""

    def __init__(self, clock):
        self._clock = clock
        self._adds: dict[str, int] = {}
        self._dels: dict[str, set[str]] = {}
        self._since: dict[str, float] = {}

    def satisfied(self, key: str) -> bool:
        if key not in self._since:
            return True
        if self._adds.get(key, 0) <= 0 and not self._dels.get(key):
            return True
        return self._clock.now() - self._since[key] > EXPECTATIONS_TIMEOUT

    def expect_creations(self, key: str, n: int) -> None:
        self._adds[key], self._dels[key] = n, set()
        self._since[key] = self._clock.now()

    def expect_deletions(self, key: str, pod_keys: list[str]) -> None:
        self._adds[key], self._dels[key] = 0, set(pod_keys)
        self._since[key] = self._clock.now()

    def creation_observed(self, key: str, n: int = 1) -> None:
        if key in self._adds:
            self._adds[key] -= n

    def deletion_observed(self, key: str, pod_key: str) -> None:
        self._dels.get(key, set()).discard(pod_key)

    def forget(self, key: str) -> None:
        for d in (self._adds, self._dels, self._since):
            d.pop(key, None)


_ACTIVE, _STRAY, _OTHER = "active", "stray", "other"
_NOT_READY = object()
_NOTHING_READ = object()


class _PodFacts:
    """What one ReplicaSet's reconcile reads off each of its pods, kept per pod *object*.

    Stored objects never change (a write stores a new dict), so facts found for a pod dict hold
    as long as that dict is the stored one: a reconcile over 10,000 pods recomputes only the
    pods written since the last one. The facts depend on the ReplicaSet's uid, selector and
    template labels; a ReplicaSet changed in those starts afresh. Per pod:
    (pod, claim verdict, labels match the template's, Ready since — parsed
    lastTransitionTime of the first Ready condition if it is True, else _NOT_READY)."""

    def __init__(self, rs: dict):
        spec = rs.get("spec") or {}
        self.uid = objects.uid_of(rs)
        self.selector = objects.clone(spec.get("selector"))
        self.tmpl_labels = tuple((((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}).items())
        self._by_id: dict[int, tuple] = {}
        self.active: list[tuple] = []       # the facts of the last claim's active pods, in order
        # The last ownerReferences list read and what it says of this ReplicaSet (_owners): the
        # pods of one template share one stored list (engine/shared_parts.py), and a stored list
        # never changes, so the check is made once per list, not once per pod per reconcile.
        # (The list itself is kept, so its id cannot be reused while it is remembered.)
        self._refs_read: object = _NOTHING_READ
        self._refs_say: tuple[bool, bool] = (False, False)
        # Kept from one reconcile to the next (engine/store.py owned_changes tells which pods
        # were written meanwhile): every owned pod's facts by (resource, namespace, name), and
        # how many of them are active, fully labelled, Ready, strays. None until a full claim.
        self.by_ident: dict[tuple, tuple] | None = None
        self.n_active = self.n_fully = self.n_ready = self.n_strays = 0

    def _count(self, f: tuple, sign: int) -> None:
        verdict = f[1]
        if verdict is _ACTIVE:
            self.n_active += sign
            if f[2]:
                self.n_fully += sign
            if f[3] is not _NOT_READY:
                self.n_ready += sign
        elif verdict is _STRAY:
            self.n_strays += sign

    def index(self, facts: list[tuple]) -> None:
        """After a full claim: `facts` are those of every owned pod."""
        self.by_ident = {}
        self.n_active = self.n_fully = self.n_ready = self.n_strays = 0
        for f in facts:
            md = f[0]["metadata"]
            self.by_ident[(kinds.POD.name, md.get("namespace", ""), md["name"])] = f
            self._count(f, 1)

    def update(self, changed: set, store, match) -> None:
        """Re-read the owned objects written since the last reconcile (pods among them)."""
        assert self.by_ident is not None
        by_ident = self.by_ident
        for ident in changed:
            if ident[0] != kinds.POD.name:
                continue
            old = by_ident.pop(ident, None)
            if old is not None:
                self._count(old, -1)
            pod = store.try_get(kinds.POD, ident[1], ident[2])
            if pod is None or not self._owners(pod["metadata"].get("ownerReferences"))[0]:
                continue
            f = self._compute(pod, match)
            by_ident[ident] = f
            self._count(f, 1)

    def valid_for(self, rs: dict) -> bool:
        spec = rs.get("spec") or {}
        return (objects.uid_of(rs) == self.uid and spec.get("selector") == self.selector
                and tuple((((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}).items())
                == self.tmpl_labels)

    def refresh(self, pods: list[dict], match) -> list[tuple]:
        """Facts for `pods` (the owned pods, in order); forgets pods no longer among them."""
        old, new = self._by_id, {}
        out = []
        for pod in pods:
            f = old.get(id(pod))
            if f is None or f[0] is not pod:
                f = self._compute(pod, match)
            new[id(pod)] = f
            out.append(f)
        self._by_id = new
        return out

    def of(self, pod: dict) -> tuple:
        f = self._by_id.get(id(pod))
        if f is None or f[0] is not pod:
            f = self._compute(pod, None)          # e.g. a pod adopted in this reconcile
        return f

    def of_all(self, pods: list[dict]) -> list[tuple]:
        """Facts of `pods`: the last claim's list when `pods` is its active list."""
        act = self.active
        if len(act) == len(pods) and all(f[0] is p for f, p in zip(act, pods)):
            return act
        return [self.of(p) for p in pods]

    def _owners(self, refs) -> tuple[bool, bool]:
        """(an ownerReference names this ReplicaSet, its controller reference does), for a pod's
        ownerReferences list; worked out again only for a list other than the last one."""
        if refs is self._refs_read:
            return self._refs_say
        uid, owned, controlled = self.uid, False, None
        for r in refs or ():
            if type(r) is dict:
                if r.get("uid") == uid:
                    owned = True
                if controlled is None and r.get("controller"):
                    controlled = r.get("uid") == uid       # (the first controller reference counts)
        self._refs_read, self._refs_say = refs, (owned, bool(controlled))
        return self._refs_say

    def _compute(self, pod: dict, match) -> tuple:
        md = pod["metadata"]
        labels = md.get("labels") or {}
        verdict = _OTHER
        if match is not None:
            if (self._owners(md.get("ownerReferences"))[1] and not md.get("deletionTimestamp")
                    and (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")):
                verdict = _ACTIVE if match(labels) else _STRAY
        fully = True
        for k, v in self.tmpl_labels:
            if labels.get(k) != v:
                fully = False
                break
        since = _NOT_READY
        c = ready_condition(pod)
        if c is not None and c.get("status") == "True":
            since = objects.parse_time(c.get("lastTransitionTime"))
        return pod, verdict, fully, since


class ReplicaSetController(Controller):
    name = "replicaset-controller"
    # Take a reconcile's claim from the facts kept since the last one when it can (_counted);
    # off, every reconcile makes the full pass (tests/engine/test_counted_claims.py compares both).
    counted_claims = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self.expectations = Expectations(self.clock)
        self._orphans: dict[str, set[str]] = {}  # namespace → names of pods with no controller
        self._facts: dict[str, _PodFacts] = {}   # ReplicaSet key → what its last reconcile read

    # ---- watch events → keys -------------------------------------------------------------

    def handlers(self):
        return {"replicasets": self._on_replicaset, "pods": self._on_pod}

    def _on_replicaset(self, ev: WatchEvent):
        key = objects.key_of(ev.object)
        if ev.type == "DELETED":
            self.expectations.forget(key)
        return (key,)

    def _owner_key(self, pod: dict) -> str | None:
        ref = objects.controller_of(pod)
        if ref and ref.get("kind") == "ReplicaSet":
            return f"{objects.namespace_of(pod)}/{ref['name']}"
        return None

    def _matching_replicasets(self, pod: dict) -> list[str]:
        """getPodReplicaSets: ReplicaSets in the pod's namespace whose selector matches it."""
        labels = objects.labels_of(pod)
        return [objects.key_of(rs) for rs in self.store.iter(kinds.REPLICASET, objects.namespace_of(pod))
                if label_selector_matcher((rs.get("spec") or {}).get("selector"))(labels)]

    def _on_pod(self, ev: WatchEvent):
        # (Every pod event of the cluster comes here: each pod's controller reference is read
        # once, and the informer's orphan index — pods with no controller, which a ReplicaSet may
        # adopt — is kept inline.)
        pod, old = ev.object, ev.old
        md = pod.get("metadata") or {}
        ns, name = md.get("namespace", ""), md.get("name", "")
        ref = _controller_ref(md)
        if ev.type != "DELETED" and ref is None:
            self._orphans.setdefault(ns, set()).add(name)
        else:
            names = self._orphans.get(ns)
            if names is not None:
                names.discard(name)
                if not names:
                    del self._orphans[ns]
        keys: set[str] = set()
        owner = f"{ns}/{ref['name']}" if ref and ref.get("kind") == "ReplicaSet" else None
        if ev.type == "DELETED" or (md.get("deletionTimestamp") and (old is None or not objects.is_terminating(old))):
            if owner:                                         # deletePod
                self.expectations.deletion_observed(owner, f"{ns}/{name}" if ns else name)
                keys.add(owner)
            if old is not None and objects.labels_of(old) != objects.labels_of(pod):
                old_owner = self._owner_key(old)
                if old_owner:
                    keys.add(old_owner)
            return keys
        if ev.type == "ADDED":
            if owner:                                         # addPod
                self.expectations.creation_observed(owner)
                keys.add(owner)
            else:
                keys.update(self._matching_replicasets(pod))
            return keys
        old_ref = _controller_ref(old.get("metadata") or {}) if old is not None else None   # updatePod
        ref_changed = old is not None and old_ref != ref
        old_owner = (f"{objects.namespace_of(old)}/{old_ref['name']}"
                     if old is not None and old_ref and old_ref.get("kind") == "ReplicaSet" else None)
        if ref_changed and old_owner:
            keys.add(old_owner)
        if owner:
            keys.add(owner)
        elif ref_changed or (old is not None and objects.labels_of(old) != objects.labels_of(pod)):
            keys.update(self._matching_replicasets(pod))
        return keys

    # ---- reconcile ---------------------------------------------------------------------------

    def reconcile(self, key: str) -> Result | None:
        ns, name = objects.split_key(key)
        rs = self.store.try_get(kinds.REPLICASET, ns, name)
        if rs is None:
            self.expectations.forget(key)
            gone = self._facts.pop(key, None)
            if gone is not None:
                self.store.forget_owned_changes(gone.uid)
            return None
        needs_sync = self.expectations.satisfied(key)
        spec = rs.get("spec") or {}
        facts = self._facts.get(key)
        if facts is None or not facts.valid_for(rs):
            if facts is not None:
                self.store.forget_owned_changes(facts.uid)
            facts = self._facts[key] = _PodFacts(rs)
        match = label_selector_matcher(spec.get("selector"))
        changed = self.store.owned_changes(facts.uid)      # (asked before reading the pods)
        now = self.clock.now()
        err: errors.ApiError | None = None
        if self._counted(rs, facts, changed, match, needs_sync):
            # The claim's outcome from the facts kept since the last reconcile, updated for the
            # pods written meanwhile: what the full pass below finds when there is nothing to
            # release, adopt or delete (which need the pods in the order the full pass has).
            if needs_sync:
                err = self._manage_replicas(rs, key, None, count=facts.n_active)
            status, next_available = self._counted_status(rs, facts, err, now)
        else:
            active = self._claim_pods(rs, key, match, facts)
            if needs_sync and not objects.is_terminating(rs):
                err = self._manage_replicas(rs, key, active)
            status, next_available = self._calculate_status(rs, active, err, now, facts)
        if status != (rs.get("status") or {}):
            new = objects.clone(rs)
            new["status"] = status
            self.store.update(new, subresource="status", sync=False)

        if err is not None:
            raise err       # reported (Event, ReplicaFailure condition): the queue's backoff retries
        if next_available is not None:                      # a Ready pod turns available then
            return Result(max(0.0, next_available) + 0.01)
        return None

    # ---- adoption and release (PodControllerRefManager.ClaimPods) ------------------------

    def _claim_pods(self, rs: dict, key: str, match, facts: "_PodFacts | None" = None) -> list[dict]:
        """FilterPodsByOwner + FilterActivePods + claimPods in one pass over the owned pods
        (this runs on every reconcile, over up to 10,000 pods): returns the claimed active pods.
        (Upstream also counts owned pods being deleted, for status.terminatingReplicas — a
        field added in k8s.io/api 1.33, after the v1.32 API kubeplay serves.)"""
        uid, ns = objects.uid_of(rs), objects.namespace_of(rs)
        rs_deleting = objects.is_terminating(rs)
        facts = facts if facts is not None else _PodFacts(rs)
        active, strays, active_facts = [], [], []
        if facts.by_ident is not None:     # the facts kept since, for refresh to reuse
            facts._by_id = {id(f[0]): f for f in facts.by_ident.values()}
        every = facts.refresh(self.store.owned_by(uid, kinds.POD), match)
        facts.index(every)
        facts._by_id = {}                  # (by_ident holds them now; no old pod versions kept twice)
        for f in every:
            verdict = f[1]
            if verdict is _ACTIVE:
                active.append(f[0])
                active_facts.append(f)
            elif verdict is _STRAY and not rs_deleting:
                strays.append(f[0])
        facts.active = active_facts
        for pod in strays:
            self._set_owner_refs(pod, [r for r in objects.meta(pod).get("ownerReferences") or ()
                                       if r.get("uid") != uid])
            self.decide(key, f"ReplicaSet {key}: pod {objects.name_of(pod)} no longer matches the selector "
                             f"→ releasing it (ownerReference removed)", action="release")
        if rs_deleting:
            return active
        for pod in self._orphans_in(ns):
            if not is_pod_active(pod) or not match(objects.labels_of(pod)):
                continue
            refs = list(objects.meta(pod).get("ownerReferences") or ()) + [objects.controller_ref(rs)]
            adopted = self._set_owner_refs(pod, refs)
            if adopted is not None:
                self.decide(key, f"ReplicaSet {key}: orphan pod {objects.name_of(pod)} matches the selector "
                                 f"→ adopting it (ownerReference added)", action="adopt")
                active.append(adopted)
                active_facts.append(facts.of(adopted))
        return active

    def _counted(self, rs: dict, facts: _PodFacts, changed: set | None, match, needs_sync: bool) -> bool:
        """Whether this reconcile can take the claim's outcome from the kept facts: they exist,
        the ReplicaSet is not being deleted, no owned pod is to be released, no orphan is to be
        looked at for adoption, and no pod is to be deleted."""
        if changed is None or facts.by_ident is None or objects.is_terminating(rs) or not self.counted_claims:
            return False
        facts.update(changed, self.store, match)
        if facts.n_strays or self._orphans.get(objects.namespace_of(rs)):
            return False
        want = int((rs.get("spec") or {}).get("replicas", 1) or 0)
        return not (needs_sync and facts.n_active > want)

    def _orphans_in(self, ns: str) -> list[dict]:
        out = []
        for name in sorted(self._orphans.get(ns, ())):
            pod = self.store.try_get(kinds.POD, ns, name)
            if pod is not None and objects.controller_of(pod) is None:
                out.append(pod)
        return out

    def _set_owner_refs(self, pod: dict, refs: list[dict]) -> dict | None:
        new = objects.clone(pod)
        if refs:
            new["metadata"]["ownerReferences"] = refs
        else:
            new["metadata"].pop("ownerReferences", None)
        try:
            return self.store.update(new, sync=False)
        except errors.NotFound:
            return None

    # ---- create / delete -----------------------------------------------------------------

    def _manage_replicas(self, rs: dict, key: str, active: list[dict] | None,
                         count: int = 0) -> errors.ApiError | None:
        """`active=None`: only `count` is known (a counted claim: never one with pods to delete)."""
        want = int((rs.get("spec") or {}).get("replicas", 1) or 0)
        n_active = len(active) if active is not None else count
        diff = n_active - want
        if diff < 0:
            n = min(-diff, BURST_REPLICAS)
            self.expectations.expect_creations(key, n)
            made, err = self._slow_start_create(rs, n)
            if n - made > 0:
                self.expectations.creation_observed(key, n - made)
            words = f"ReplicaSet {key}: desired {want}, actual {n_active} → creating {n} pod{'s' if n != 1 else ''}"
            if err is not None:
                words += f" ({made} created; {err.message})"
            self.decide(key, words, action="create-pods", observed=n_active, desired=want)
            return err
        if diff > 0:
            assert active is not None
            n = min(diff, BURST_REPLICAS)
            related = self._related_pods(rs)
            victims = active if n >= len(active) else rank_for_deletion(active, related, self.clock.now())[:n]
            self.expectations.expect_deletions(key, [objects.key_of(p) for p in victims])
            names = ", ".join(objects.name_of(p) for p in victims)
            self.decide(key, f"ReplicaSet {key}: desired {want}, actual {len(active)} → deleting {n} "
                             f"pod{'s' if n != 1 else ''} ({names})",
                        action="delete-pods", observed=len(active), desired=want)
            first_err = None
            for pod in victims:
                try:
                    self.store.delete(kinds.POD, objects.namespace_of(pod), objects.name_of(pod), sync=False)
                except errors.NotFound:
                    self.expectations.deletion_observed(key, objects.key_of(pod))
                    continue
                except errors.ApiError as e:
                    self.expectations.deletion_observed(key, objects.key_of(pod))
                    self.recorder.event(rs, WARNING, "FailedDelete", f"Error deleting: {e.message}",
                                        component=self.name)
                    first_err = first_err or e.with_traceback(None)      # (kept: no frame cycle)
                    continue
                self.recorder.event(rs, NORMAL, "SuccessfulDelete", f"Deleted pod: {objects.name_of(pod)}",
                                    component=self.name)
            return first_err
        return None

    def _slow_start_create(self, rs: dict, count: int) -> tuple[int, errors.ApiError | None]:
        """slowStartBatch: batches of 1, 2, 4, … ; stop after the first batch with an error."""
        made, remaining = 0, count
        batch = min(remaining, SLOW_START_INITIAL_BATCH)
        while batch > 0:
            first_err = None
            for _ in range(batch):
                try:
                    self._create_pod(rs)
                    made += 1
                except errors.ApiError as e:
                    if "because it is being terminated" in e.message:
                        continue               # namespace going away: nothing more to do
                    # Kept past this frame: without its traceback, so it does not hold the frames
                    # (and the pod being created) in a reference cycle only the collector frees.
                    first_err = first_err or e.with_traceback(None)
            if first_err is not None:
                return made, first_err
            remaining -= batch
            batch = min(2 * batch, remaining)
        return made, None

    def _create_pod(self, rs: dict) -> dict:
        """GetPodFromTemplate + RealPodControl.CreatePods."""
        tmpl = (rs.get("spec") or {}).get("template") or {}
        tmd = tmpl.get("metadata") or {}
        md = {"generateName": f"{objects.name_of(rs)}-", "namespace": objects.namespace_of(rs),
              "labels": objects.clone(tmd.get("labels") or {}),
              "ownerReferences": [objects.controller_ref(rs)]}
        if tmd.get("annotations"):
            md["annotations"] = objects.clone(tmd["annotations"])
        if tmd.get("finalizers"):
            md["finalizers"] = list(tmd["finalizers"])
        if not md["labels"]:
            raise errors.BadRequest("unable to create pods, no labels")
        # The template's spec as it is: admission copies what it stores and never changes its input.
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": tmpl.get("spec") or {}}
        try:
            made = self.store.create(pod, sync=False)
        except errors.ApiError as e:
            if "because it is being terminated" not in e.message:
                self.recorder.event(rs, WARNING, "FailedCreate", f"Error creating: {e.message}",
                                    component=self.name)
            raise
        self.recorder.event(rs, NORMAL, "SuccessfulCreate", f"Created pod: {objects.name_of(made)}",
                            component=self.name)
        return made

    def _related_pods(self, rs: dict) -> list[dict]:
        """getIndirectlyRelatedPods: pods of every ReplicaSet with the same controller."""
        ref = objects.controller_of(rs)
        if ref is None:
            family = [rs]
        else:
            family = [r for r in self.store.iter(kinds.REPLICASET, objects.namespace_of(rs))
                      if _controlled_by(r, ref.get("uid"))]
        out: list[dict] = []
        for r in family:
            out.extend(p for p in self.store.owned_by(objects.uid_of(r), kinds.POD) if _controlled_by(p, objects.uid_of(r)))
        return out

    # ---- status (replica_set_utils.go calculateStatus) ------------------------------------

    def _calculate_status(self, rs: dict, active: list[dict], err: errors.ApiError | None,
                          now: float, facts: "_PodFacts | None" = None) -> tuple[dict, float | None]:
        """calculateStatus; also returns the seconds until the next Ready pod becomes available."""
        spec = rs.get("spec") or {}
        mrs = int(spec.get("minReadySeconds") or 0)
        facts = facts if facts is not None else _PodFacts(rs)
        fully = ready = available = 0
        next_available = None
        for _, _, is_fully, ready_since in facts.of_all(active):    # the hot loop at scale
            if is_fully:
                fully += 1
            if ready_since is not _NOT_READY:
                ready += 1
                if mrs == 0:
                    available += 1
                elif ready_since is not None and ready_since + mrs < now:
                    available += 1
                elif ready_since is not None:
                    wait = ready_since + mrs - now
                    next_available = wait if next_available is None else min(next_available, wait)
        return self._status(rs, len(active), fully, ready, available, err, now), next_available

    def _counted_status(self, rs: dict, facts: _PodFacts, err: errors.ApiError | None,
                        now: float) -> tuple[dict, float | None]:
        """_calculate_status from the kept tallies (minReadySeconds: a pass over the Ready ones)."""
        mrs = int((rs.get("spec") or {}).get("minReadySeconds") or 0)
        available, next_available = facts.n_ready, None
        if mrs:
            available = 0
            assert facts.by_ident is not None
            for _, verdict, _, ready_since in facts.by_ident.values():
                if verdict is not _ACTIVE or ready_since is _NOT_READY:
                    continue
                if ready_since is not None and ready_since + mrs < now:
                    available += 1
                elif ready_since is not None:
                    wait = ready_since + mrs - now
                    next_available = wait if next_available is None else min(next_available, wait)
        return (self._status(rs, facts.n_active, facts.n_fully, facts.n_ready, available, err, now),
                next_available)

    def _status(self, rs: dict, replicas: int, fully: int, ready: int, available: int,
                err: errors.ApiError | None, now: float) -> dict:
        spec = rs.get("spec") or {}
        old = rs.get("status") or {}
        status: dict = {"replicas": replicas}
        for field, value in (("fullyLabeledReplicas", fully), ("readyReplicas", ready),
                             ("availableReplicas", available)):
            if value:
                status[field] = value            # omitempty
        gen = int(objects.meta(rs).get("generation") or 0)
        if gen:
            status["observedGeneration"] = gen
        conds = [dict(c) for c in old.get("conditions") or ()]
        failure = objects.get_condition(old, "ReplicaFailure")
        if err is not None and failure is None:
            want = int(spec.get("replicas", 1) or 0)
            reason = "FailedCreate" if replicas < want else ("FailedDelete" if replicas > want else "")
            conds.append({"type": "ReplicaFailure", "status": "True", "lastTransitionTime": objects.iso(now),
                          "reason": reason, "message": err.message})
        elif err is None and failure is not None:
            conds = [c for c in conds if c.get("type") != "ReplicaFailure"]
        if conds:
            status["conditions"] = conds
        return status
