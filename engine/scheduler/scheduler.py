"""default-scheduler: place each unbound pod on a node (k/k `pkg/scheduler/schedule_one.go`).

`schedule_one` reads as the upstream pipeline: snapshot the nodes, filter (in plugin order),
score the feasible ones, pick the best (random among ties, as `selectHost`), bind. On failure
the pod keeps `PodScheduled=False`/`Unschedulable` with the FitError text, and a Warning
`FailedScheduling` event says the same.

Queueing, as the scheduling queue does it but on our work queue: an unschedulable pod waits
in `_unschedulable` until a cluster change could help it — a node added or changed, or (for a
pod rejected for resources or ports) a bound pod deleted or finished — and then retries no
sooner than its back-off (1 s doubling to 10 s, `podInitialBackoffDuration` /
`podMaxBackoffDuration`); a pod rejected by PodTopologySpread or InterPodAffinity also waits
for bound pods to come, go, change labels or start terminating. Every 5 minutes it is retried anyway (`podMaxInUnschedulablePodsDuration`).
A retry that ends with the same message writes nothing to the pod; the FailedScheduling event
is repeated (its count grows) only when the retry was prompted by a change or the 5-minute
flush, never by a plain re-reconcile — so a converged cluster stays still.
"""
from __future__ import annotations

import random

from .. import controlplane, errors, objects, resources as kinds
from ..loop import Controller, Result
from . import plugins
from . import preemption, topology, volume_binding
from .cache import Held, NodeInfo, SchedulerCache
from .score_window import ScoreWindows
from .select_host import pick

NAME = "default-scheduler"
# The host the kube-scheduler runs on (its static pod's node): its events.k8s.io recorder's
# reportingInstance is "default-scheduler-<hostname>" (client-go tools/events NewRecorder).
HOST = controlplane.NODE_NAME
INITIAL_BACKOFF, MAX_BACKOFF = 1.0, 10.0
FLUSH_UNSCHEDULABLE = 300.0

REASON_SCHEDULED = "Scheduled"
REASON_FAILED = "FailedScheduling"
REASON_PREEMPTED = "Preempted"
# The Events' actions (k/k pkg/scheduler/schedule_one.go, framework/preemption/preemption.go).
ACTION_SCHEDULED, ACTION_FAILED, ACTION_PREEMPTED = "Binding", "Scheduling", "Preempting"
MSG_PREEMPTED = "Preempted by pod {uid} on node {node}"
PREEMPT_CONDITION_MESSAGE = "{scheduler}: preempting to accommodate a higher priority pod"
MSG_SCHEDULED = "Successfully assigned {ns}/{name} to {node}"
GATED_MESSAGE = "Scheduling is blocked due to non-empty scheduling gates"


class _Attempt:
    __slots__ = ("attempts", "last", "message", "resources", "pods", "flush_at")

    def __init__(self) -> None:
        self.attempts = 0
        self.last = 0.0
        self.message = ""
        self.resources = False       # rejected somewhere for resources/ports: pod deletions may help
        self.pods = False            # rejected by spread / inter-pod affinity: any bound pod change may help
        self.flush_at = 0.0


# numFeasibleNodesToFind (pkg/scheduler/schedule_one.go) with the default (adaptive)
# percentageOfNodesToScore: every node below 100; else 50 % less one point per 125 nodes, at
# least 5 % and at least 100 nodes. At 1,000 nodes a pod is filtered and scored on 420.
MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5


def feasible_nodes_to_find(all_nodes: int) -> int:
    if all_nodes < MIN_FEASIBLE_NODES_TO_FIND:
        return all_nodes
    percentage = max(50 - all_nodes // 125, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    return max(all_nodes * percentage // 100, MIN_FEASIBLE_NODES_TO_FIND)


class Scheduler(Controller):
    name = NAME
    # False: every pod takes the plain filter/score/select loops, without score_window.py's kept
    # scores or select_host's inline draws (tests compare the placements both ways).
    fast_paths = True

    def __init__(self, ctx, *, rng: random.Random | None = None):
        super().__init__(ctx)
        self.cache = SchedulerCache()
        self._windows = ScoreWindows(self.cache.node_watchers)
        self._unschedulable: dict[str, _Attempt] = {}
        self._prompted: set[str] = set()       # woken by a cluster change since the last attempt
        self._pod_sensitive: set[str] = set()  # unschedulable keys whose attempt has `pods`
        self._rng = rng or random.Random()
        self._next_start = 0        # nextStartNodeIndex: where the next pod's filtering begins
        self._claim_waiters: dict[str, set[str]] = {}   # claim key -> pods waiting in PreBind for it
        # Pending pods nominated to a node by preemption: (node, info). Pods of no higher
        # priority are filtered as if these were already there (RunFilterPluginsWithNominatedPods).
        self._nominated: dict[str, tuple[str, plugins.PodInfo]] = {}
        self._held: dict[int, dict[str, Held]] = {}   # priority → node → room held for it (a cache)
        # The last attempt's PostFilter result: a Candidate to act on, "" to clear the pod's
        # nomination (preemption found nothing), None to leave it (not eligible, or it fit).
        self._preempting: preemption.Candidate | str | None = None

    # ---- wiring ---------------------------------------------------------------------------------

    def handlers(self):
        return {"pods": self._on_pod, "nodes": self._on_node,
                kinds.PERSISTENTVOLUMECLAIM.name: self._on_claim,
                kinds.STORAGECLASS.name: lambda ev: self._retry(resources=False)}

    def _on_claim(self, ev):
        """A claim appeared, changed or went: the pods waiting for it to bind, and the
        unschedulable pods (one may have waited for this claim to exist or bind)."""
        keys = set(self._claim_waiters.pop(objects.key_of(ev.object), ()))
        if ev.type == "MODIFIED" and ev.old is not None and (ev.old.get("status") == ev.object.get("status")
                                                              and ev.old.get("spec") == ev.object.get("spec")):
            return keys
        keys.update(self._retry(resources=False))
        return keys

    def _on_pod(self, ev):
        pod = ev.object
        key = objects.key_of(pod)
        if ev.type == "DELETED":
            self.cache.forget_info(key)
            self._forget_attempt(key)
            self._unnominate(key)
            return self._retry(resources=True) if self.cache.unassign(key) else ()
        spec = pod.get("spec") or {}
        node = spec.get("nodeName")
        if node:
            self._forget_attempt(key)
            self._unnominate(key)
            if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                # The scheduler's informer leaves finished pods out: their resources are free.
                return self._retry(resources=True) if self.cache.unassign(key) else ()
            terminating = objects.is_terminating(pod)
            cur = self.cache.assigned.get(key)
            if cur is None or cur[0] != node or self.cache.bound_changed(key, pod, terminating):
                self.cache.assign(key, node, self.cache.pod_info(key, pod), terminating=terminating)
                return self._retry_pods()
            old_spec = (ev.old or {}).get("spec") or {}
            if not old_spec.get("nodeName") and self._pod_sensitive:
                return self._retry_pods()            # newly bound (assumed by us): spread/affinity may change
            return ()
        if (spec.get("schedulerName") or NAME) != NAME or objects.is_terminating(pod):
            self._unnominate(key)
            return ()
        # The nominator follows status.nominatedNodeName, as upstream's does from its informer
        # (so a restarted scheduler, or one loading a state file, still holds the room).
        nominated = (pod.get("status") or {}).get("nominatedNodeName")
        if nominated:
            cur = self._nominated.get(key)
            if cur is None or cur[0] != nominated:
                self._nominate(key, nominated, self.cache.pod_info(key, pod))
        elif key in self._nominated:
            self._unnominate(key)
        if ev.type == "MODIFIED" and key in self._unschedulable and ev.old is not None:
            old_spec = ev.old.get("spec")
            if old_spec is spec or old_spec == spec:
                return ()        # a status write (our own condition): nothing new to try
        return (key,)

    def _on_node(self, ev):
        node = ev.object
        name = objects.name_of(node)
        if ev.type == "DELETED":
            self.cache.remove_node(name)
            return ()
        old = ev.old
        self.cache.set_node(node)
        if ev.type == "MODIFIED" and old is not None and not _could_help(old, node):
            return ()
        return self._retry(resources=False)

    def _retry(self, *, resources: bool):
        """Keys of unschedulable pods a change may help (QueueingHint, simplified)."""
        keys = [k for k, a in self._unschedulable.items() if a.resources or a.pods or not resources]
        self._prompted.update(keys)
        return keys

    def _retry_pods(self):
        """A bound pod appeared, moved, changed labels or started terminating: retry the pods
        that spread constraints or inter-pod affinity kept out."""
        if not self._pod_sensitive:
            return ()
        keys = list(self._pod_sensitive)
        self._prompted.update(keys)
        return keys

    def _forget_attempt(self, key: str) -> None:
        self._unschedulable.pop(key, None)
        self._prompted.discard(key)
        self._pod_sensitive.discard(key)

    # ---- reconcile = schedule_one ---------------------------------------------------------------

    def reconcile(self, key: str) -> Result | None:
        ns, name = objects.split_key(key)
        pod = self.store.try_get(kinds.POD, ns, name)
        if (pod is None or (pod.get("spec") or {}).get("nodeName") or objects.is_terminating(pod)
                or ((pod.get("spec") or {}).get("schedulerName") or NAME) != NAME):
            self._forget_attempt(key)
            return None
        now = self.clock.now()
        att = self._unschedulable.get(key)
        prompted = key in self._prompted
        if att is not None:
            if now >= att.flush_at:
                prompted = True
            wait = att.last + _backoff(att.attempts) - now
            if prompted and wait > 0:
                return Result(wait)          # retry when the back-off has passed
        self._prompted.discard(key)
        if (pod.get("spec") or {}).get("schedulingGates"):
            self._set_unschedulable(pod, "SchedulingGated", GATED_MESSAGE)
            return None
        self._preempting = None
        node, message, resources, pods = self.schedule_one(key, pod)
        nominate = self._nomination(key, pod)
        if node is not None:
            self._forget_attempt(key)
            if self._wait_for_volumes(key, pod, node):
                return Result(FLUSH_UNSCHEDULABLE)
            self._bind(key, pod, node)
            return None
        if att is None:
            att = self._unschedulable[key] = _Attempt()
        att.attempts += 1
        att.last = now
        att.resources = resources
        att.pods = pods
        if pods:
            self._pod_sensitive.add(key)
        else:
            self._pod_sensitive.discard(key)
        att.flush_at = now + FLUSH_UNSCHEDULABLE
        self._set_unschedulable(pod, "Unschedulable", message, nominated=nominate)
        if message != att.message or prompted:
            self.recorder.event(pod, "Warning", REASON_FAILED, message, component=NAME, host=HOST,
                                action=ACTION_FAILED)
            self.decide(key, f"Pod {key} is unschedulable: {message}", action="unschedulable",
                        observed={"nodes": len(self.cache.live_nodes())}, desired={"node": None})
        att.message = message
        return Result(FLUSH_UNSCHEDULABLE)

    def schedule_one(self, key: str, pod: dict) -> tuple[str | None, str, bool, bool]:
        """Filter → score → select. Returns (node, "", _, _) or (None, FitError text, may pod
        deletions help?, may bound-pod changes help?)."""
        nodes = self.cache.live_nodes()
        if not nodes:
            return None, plugins.NO_NODES, False, False
        vols = volume_binding.prefilter(self.store, pod)
        if vols is not None and vols.error:
            return None, plugins.prefilter_fit_error(len(nodes), vols.error), False, False
        if vols is not None and vols.trivial:
            vols = None
        info = self.cache.pod_info(key, pod)
        ns_labels = topology.NamespaceLabels(self._namespace_labels)
        state = topology.prefilter(info, self.cache, nodes, ns_labels, plugins.node_affinity_matches)
        candidates = nodes
        absent = 0
        if info.prefilter_names is not None:
            candidates = [n for n in nodes if n.name in info.prefilter_names]
            absent = len(nodes) - len(candidates)
        feasible: list[NodeInfo] = []
        statuses: dict[str, tuple[list[str], bool]] = {}
        filter_node = plugins.filter_node
        volume_filter = None if vols is None else self._volume_filter(vols)
        r = info.requests
        cpu, mem, eph, simple = r.cpu, r.memory, r.ephemeral, info.simple and state is None and vols is None
        reserved = self._reserved(key, info)
        # findNodesThatPassFilters: from where the last pod's search stopped, until enough
        # feasible nodes are found (all of them below 100 nodes, where the start stays 0).
        to_find = feasible_nodes_to_find(len(candidates))
        if (simple and not reserved and candidates and self.fast_paths and not info.spread
                and not info.aff_preferred and not info.anti_preferred
                and not (pod.get("status") or {}).get("nominatedNodeName")
                and (not self.cache.with_terms or not topology.interpod_weights(info, self.cache, ns_labels))):
            # Resource-only scores (score_window.py): the same node as the loops below would choose.
            start = self._next_start % len(candidates)
            windows = self._windows
            placed = windows.place(info, candidates, start, to_find, self._rng)
            if placed is not None:
                windows.placed += 1
                self._next_start = (start + placed[1]) % len(candidates)
                return placed[0].name, "", False, False
            windows.declined += 1
        if self._next_start and candidates:
            start = self._next_start % len(candidates)
            candidates = candidates[start:] + candidates[:start]
        if simple and not reserved:
            # The common pod (resources only) with no room held by nominated pods: the loop below
            # without its per-node checks that cannot apply (same nodes tried, same outcome).
            for n in candidates:
                if (n.plain and n.pods < n.alloc_pods and (not cpu or cpu <= n.alloc_cpu - n.req_cpu)
                        and (not mem or mem <= n.alloc_memory - n.req_memory)
                        and (not eph or eph <= n.alloc_ephemeral - n.req_ephemeral)):
                    feasible.append(n)
                    if len(feasible) >= to_find:
                        break
                    continue
                st = filter_node(info, n, state, volume_filter)
                if st is None:
                    feasible.append(n)
                    if len(feasible) >= to_find:
                        break
                else:
                    statuses[n.name] = st
        else:
            for n in candidates:
                if len(feasible) >= to_find:
                    break
                held = reserved.get(n.name)
                if held is not None and held.pods:
                    n.hold(held, 1)
                    st = filter_node(info, n, state)
                    n.hold(held, -1)
                    if st is None:
                        feasible.append(n)
                    else:
                        statuses[n.name] = st
                    continue
                if simple and n.plain:
                    # Fast path (no taints, selectors, ports): only NodeResourcesFit can say no.
                    if (n.pods < n.alloc_pods and (not cpu or cpu <= n.alloc_cpu - n.req_cpu)
                            and (not mem or mem <= n.alloc_memory - n.req_memory)
                            and (not eph or eph <= n.alloc_ephemeral - n.req_ephemeral)):
                        feasible.append(n)
                        continue
                st = filter_node(info, n, state, volume_filter)
                if st is None:
                    feasible.append(n)
                else:
                    statuses[n.name] = st
        if candidates:
            self._next_start = (self._next_start + len(feasible) + len(statuses)) % len(candidates)
        if not feasible:
            msg = self._post_filter(pod, info, nodes, statuses, state, absent)
            resources = any(not unresolvable for _, unresolvable in statuses.values())
            pods = any(r in topology.POD_REASONS for rs, _ in statuses.values() for r in rs)
            return None, msg, resources, pods
        if len(feasible) == 1:
            return feasible[0].name, "", False, False
        nominated = (pod.get("status") or {}).get("nominatedNodeName")
        if nominated and any(n.name == nominated for n in feasible):
            return nominated, "", False, False         # evaluateNominatedNode: it fits where it preempted
        extra = topology.prescore(info, self.cache, feasible, ns_labels, plugins.node_affinity_matches)
        scores = plugins.score_nodes(info, feasible, extra)
        if self.fast_paths:
            return feasible[pick(scores, self._rng)].name, "", False, False
        # selectHost: the highest score, reservoir-sampled among equals. (Equal nodes are the
        # rule — ~25 a pod at 50 nodes — so the draw skips randrange's argument checks: for one
        # positive int it returns _randbelow(n), the same bits from the same generator.)
        rng = self._rng
        below = rng._randbelow if type(rng) is random.Random else rng.randrange  # type: ignore[attr-defined]
        best, best_score, ties = feasible[0], -1.0, 0
        for n, s in zip(feasible, scores):
            if s > best_score:
                best, best_score, ties = n, s, 1
            elif s == best_score:
                ties += 1
                if below(ties) == 0:
                    best = n
        return best.name, "", False, False

    def _volume_filter(self, vols):
        def check(n):
            if n.node is None:
                return None
            reason = volume_binding.filter_node(self.store, vols, n.node)
            return None if reason is None else ([reason], True)     # UnschedulableAndUnresolvable
        return check

    def _wait_for_volumes(self, key: str, pod: dict, node: str) -> bool:
        """PreBind (VolumeBinding): give the pod's unbound delayed claims their volumes on the
        chosen node; True while any is not bound yet (the pod is bound once they are)."""
        vols = volume_binding.prefilter(self.store, pod)
        if vols is None or not vols.delayed:
            return False
        info = self.cache.nodes.get(node)
        if info is None or info.node is None:
            return False
        waiting = volume_binding.prebind(self.store, vols, info.node,
                                         lambda obj: self.store.update(obj, sync=False))
        for claim in waiting:
            self._claim_waiters.setdefault(claim, set()).add(key)
        self.decide(key, f"Pod {key} → {node}: waiting for its claims {', '.join(waiting)} to be bound "
                         f"before binding the pod", action="wait-volumes")
        return True

    def _nominate(self, key: str, node: str, info) -> None:
        self._nominated[key] = (node, info)
        self._held.clear()

    def _unnominate(self, key: str) -> None:
        if self._nominated.pop(key, None) is not None:
            self._held.clear()

    def _reserved(self, key: str, info) -> dict[str, Held]:
        """Nodes → the room held there by pods nominated with at least this pod's priority
        (less the pod's own nomination). Kept per priority until a nomination changes."""
        if not self._nominated:
            return {}
        by_node = self._held.get(info.priority)
        if by_node is None:
            by_node = {}
            for node, other in self._nominated.values():
                if other.priority >= info.priority:
                    h = by_node.get(node)
                    if h is None:
                        h = by_node[node] = Held()
                    h.add(other)
            self._held[info.priority] = by_node
        own = self._nominated.get(key)
        if own is not None and own[0] in by_node:
            mine = by_node[own[0]].copy()
            mine.add(own[1], -1)
            by_node = dict(by_node)
            by_node[own[0]] = mine
        return by_node

    def _post_filter(self, pod: dict, info, nodes, statuses, state, absent: int) -> str:
        """DefaultPreemption: the FitError text with its preemption part; a chosen node is
        left in self._preempting for the reconcile to act on."""
        why = preemption.eligible(self.cache, self.store, pod, info, statuses)
        if why is not None:
            return plugins.fit_error(len(nodes), statuses, absent=absent, post_filter=why)
        candidates, pre = preemption.find_candidates(self.cache, self.store, info, nodes, statuses, state,
                                                     self._reserved(objects.key_of(pod), info))
        if not candidates:
            self._preempting = ""
            return plugins.fit_error(len(nodes), statuses, absent=absent, preemption=pre)
        self._preempting = preemption.pick(candidates)
        return plugins.fit_error(len(nodes), statuses, absent=absent, post_filter="")

    def _nomination(self, key: str, pod: dict) -> str | None:
        """After a failed attempt: the node to nominate ("" clears a nomination; None leaves it).
        With a preemption chosen, its victims go first (prepareCandidate)."""
        cand = self._preempting
        self._preempting = None
        if not isinstance(cand, preemption.Candidate):
            if cand == "":
                self._unnominate(key)
            return cand
        uid = objects.meta(pod).get("uid")
        for _, _, victim in cand.victims:
            self._preempt_victim(victim, uid, cand.node, pod)
        info = self.cache.pod_info(key, pod)
        for other_key, (node, other) in list(self._nominated.items()):
            if node == cand.node and other_key != key and other.priority < info.priority:
                self._clear_nomination(other_key)    # lower-priority pods nominated there lose it
        self._nominate(key, cand.node, info)
        names = ", ".join(vkey for vkey, _, _ in cand.victims)
        self.decide(key, f"Pod {key} fits nowhere: preempting {len(cand.victims)} lower-priority "
                         f"pod(s) on {cand.node} ({names}); it is nominated to {cand.node} and waits "
                         f"for them to go", action="preempt",
                    observed={"victims": [vkey for vkey, _, _ in cand.victims]}, desired={"node": cand.node})
        return cand.node

    def _preempt_victim(self, victim: dict, uid: str | None, node: str, preemptor: dict) -> None:
        """The DisruptionTarget condition, the Preempted event, then an ordinary (graceful) delete."""
        ns, name = objects.namespace_of(victim), objects.name_of(victim)
        try:
            latest = self.store.get(kinds.POD, ns, name)
            if not objects.is_terminating(latest):
                status = dict(latest.get("status") or {})
                status["conditions"] = [dict(c) for c in status.get("conditions") or ()]
                sched = (latest.get("spec") or {}).get("schedulerName") or NAME
                objects.set_condition(status, {"type": "DisruptionTarget", "status": "True", "lastProbeTime": None,
                                               "reason": preemption.PREEMPTION_BY_SCHEDULER,
                                               "message": PREEMPT_CONDITION_MESSAGE.format(scheduler=sched)},
                                      self.now_iso())
                try:
                    latest = self.store.update(dict(latest, status=status), sync=False, subresource="status")
                except errors.Conflict:
                    pass              # a client wrote it meanwhile: the delete still goes ahead
            self.recorder.event(latest, "Normal", REASON_PREEMPTED, MSG_PREEMPTED.format(uid=uid, node=node),
                                component=NAME, host=HOST, action=ACTION_PREEMPTED, related=preemptor)
            self.store.delete(kinds.POD, ns, name, sync=False)
        except errors.NotFound:
            return

    def _clear_nomination(self, key: str) -> None:
        self._unnominate(key)
        other = self.store.try_get(kinds.POD, *objects.split_key(key))
        if other is None or not (other.get("status") or {}).get("nominatedNodeName"):
            return
        status = dict(other["status"])
        status.pop("nominatedNodeName")
        try:
            self.store.update(dict(other, status=status), sync=False, subresource="status")
        except (errors.Conflict, errors.NotFound):
            pass                  # its own next attempt writes its status again

    def _namespace_labels(self, ns: str) -> dict:
        return objects.labels_of(self.store.try_get(kinds.NAMESPACE, "", ns) or {})

    # ---- writes ---------------------------------------------------------------------------------

    def _bind(self, key: str, pod: dict, node: str) -> None:
        """The binding subresource: spec.nodeName and PodScheduled=True (k/k
        pkg/registry/core/pod/storage `assignPod`). Assumed in the cache first, as upstream."""
        info = self.cache.pod_info(key, pod)
        self.cache.assign(key, node, info)
        ns, name = objects.split_key(key)
        try:
            bind = getattr(self.store, "bind", None)
            if bind is not None:
                bind(ns, name, node, sync=False)
            else:
                new = dict(pod)
                new["metadata"] = dict(pod["metadata"])
                new["spec"] = dict(pod["spec"], nodeName=node)
                bound = self.store.update(new, sync=False)
                status = dict(bound.get("status") or {})
                status["conditions"] = [dict(c) for c in status.get("conditions") or ()]
                objects.set_condition(status, {"type": "PodScheduled", "status": "True", "lastProbeTime": None},
                                self.now_iso())
                for c in status["conditions"]:
                    if c["type"] == "PodScheduled":
                        c.pop("reason", None)
                        c.pop("message", None)
                new = dict(bound)
                new["status"] = status
                self.store.update(new, sync=False, subresource="status")
        except errors.ApiError:
            self.cache.unassign(key)          # ForgetPod: the binding failed
            raise
        self.recorder.event(pod, "Normal", REASON_SCHEDULED,
                            MSG_SCHEDULED.format(ns=ns, name=name, node=node), component=NAME, host=HOST,
                            action=ACTION_SCHEDULED)
        self.decide(key, f"Pod {key} → {node}", action="bind", observed={"node": None},
                    desired={"node": node})
        return None

    def _set_unschedulable(self, pod: dict, reason: str, message: str, nominated: str | None = None) -> None:
        """The PodScheduled=False condition, and (after a preemption) status.nominatedNodeName:
        a node to set, "" to clear, None to leave as it is."""
        cur = objects.get_condition(pod.get("status"), "PodScheduled")
        old_nominated = (pod.get("status") or {}).get("nominatedNodeName") or ""
        if (cur and cur.get("status") == "False" and cur.get("reason") == reason and cur.get("message") == message
                and (nominated is None or nominated == old_nominated)):
            return
        status = dict(pod.get("status") or {})
        if nominated:
            status["nominatedNodeName"] = nominated
        elif nominated == "":
            status.pop("nominatedNodeName", None)
        status["conditions"] = [dict(c) for c in status.get("conditions") or ()]
        objects.set_condition(status, {"type": "PodScheduled", "status": "False", "lastProbeTime": None,
                                 "reason": reason, "message": message}, self.now_iso())
        new = dict(pod)
        new["status"] = status
        self.store.update(new, sync=False, subresource="status")


def _backoff(attempts: int) -> float:
    if attempts <= 0:
        return 0.0
    return min(MAX_BACKOFF, INITIAL_BACKOFF * 2 ** (attempts - 1))


def _could_help(old: dict, new: dict) -> bool:
    """A node update that may make an unschedulable pod fit (node QueueingHints, simplified):
    spec (taints, unschedulable), labels, allocatable, or the Ready condition changed."""
    if old.get("spec") != new.get("spec"):
        return True
    if objects.labels_of(old) != objects.labels_of(new):
        return True
    os_, ns_ = old.get("status") or {}, new.get("status") or {}
    if os_.get("allocatable") != ns_.get("allocatable"):
        return True
    oc, nc = objects.get_condition(os_, "Ready"), objects.get_condition(ns_, "Ready")
    return (oc or {}).get("status") != (nc or {}).get("status")
