"""The DefaultPreemption PostFilter plugin (k/k pkg/scheduler/framework/plugins/defaultpreemption
and framework/preemption): what the scheduler does when a pod fits on no node.

1. Eligibility: a pod with `preemptionPolicy: Never` never preempts; nor does a pod whose
   nominated node still has a lower-priority pod terminating because of an earlier preemption
   (it waits for that one to go rather than pick more victims).
2. Candidates: every node the filters rejected for a reason evicting pods could fix (resources,
   host ports — not taints, selectors, unschedulable nodes: "Preemption is not helpful"). On each,
   remove all pods of lower priority; if the pod still does not fit, the node is no candidate
   (with no lower-priority pods at all: "No preemption victims found for incoming pod"). Else put
   pods back, most important first (higher priority, then earlier start), those whose removal would
   break a PodDisruptionBudget before the others, keeping every one the pod still fits beside: the
   rest are the victims (`selectVictimsOnNode`).
3. The node (`pickOneNodeForPreemption`): fewest PDB violations, then the lowest highest-priority
   victim, the smallest sum of priorities, the fewest victims, the latest start of the most
   important victims, then the first.
The caller deletes the victims and nominates the node; the pod is scheduled once they are gone.

Topology spread and inter-pod affinity are evaluated with the counts from before the victims
go (upstream updates them as it removes pods; a simplification of ours)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import objects, resources as kinds
from ..selectors import label_selector_matcher
from . import plugins
from .cache import Held, NodeInfo, PodInfo, SchedulerCache

NOT_ELIGIBLE_TERMINATING = "not eligible due to a terminating pod on the nominated node."
PREEMPTION_BY_SCHEDULER = "PreemptionByScheduler"
INT32_OFFSET = 2 ** 31                # sum of priorities as upstream: each shifted to be non-negative


@dataclass
class Candidate:
    node: str
    victims: list[tuple[str, PodInfo, dict]] = field(default_factory=list)   # (key, info, pod)
    violations: int = 0


def eligible(cache: SchedulerCache, store, pod: dict, info: PodInfo, statuses) -> str | None:
    """PodEligibleToPreemptOthers: None if the pod may preempt, else why not."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    if spec.get("preemptionPolicy") == "Never":
        return plugins.PREEMPT_NEVER
    nominated = status.get("nominatedNodeName")
    if nominated:
        st = statuses.get(nominated)
        if st is not None and st[1]:        # unresolvable there now: look again elsewhere
            return None
        for key, other in cache.pods_on(nominated):
            if other.priority < info.priority and key in cache.terminating:
                victim = store.try_get(kinds.POD, *objects.split_key(key))
                if victim is not None and terminating_by_preemption(victim):
                    return NOT_ELIGIBLE_TERMINATING
    return None


def terminating_by_preemption(pod: dict) -> bool:
    if not objects.is_terminating(pod):
        return False
    cond = objects.get_condition(pod.get("status"), "DisruptionTarget")
    return bool(cond and cond.get("status") == "True" and cond.get("reason") == PREEMPTION_BY_SCHEDULER)


def find_candidates(cache: SchedulerCache, store, info: PodInfo, nodes: list[NodeInfo], statuses,
                    state, reserved: dict[str, Held] | None = None,
                    ) -> tuple[list[Candidate], dict[str, tuple[list[str], bool]]]:
    """Candidates, and for the nodes that are none, the preemption statuses for the message.
    `reserved`: pods nominated to each node with at least this pod's priority (their room is
    not the preemptor's to take)."""
    reserved = reserved or {}
    pre: dict[str, tuple[list[str], bool]] = {}
    candidates: list[Candidate] = []
    lowest = cache.lowest_priority()
    any_lower = lowest is not None and lowest < info.priority
    pdbs = _pdbs(store) if any_lower else []
    lower_by_node: dict[str, list] = {}
    if any_lower:                       # one pass over the bound pods, not one per node
        for key, (node, pi) in cache.assigned.items():
            if pi.priority < info.priority:
                lower_by_node.setdefault(node, []).append((key, pi))
    for n in nodes:
        st = statuses.get(n.name)
        if st is None:
            continue
        if st[1]:
            pre[n.name] = ([plugins.R_NOT_HELPFUL], True)
            continue
        lower = lower_by_node.get(n.name)
        if not lower:
            pre[n.name] = ([plugins.R_NO_VICTIMS], True)
            continue
        held = reserved.get(n.name)
        if held is not None:
            n.hold(held, 1)
        try:
            cand = _select_victims(store, info, n, lower, pdbs, state)
        finally:
            if held is not None:
                n.hold(held, -1)
        if isinstance(cand, Candidate):
            candidates.append(cand)
        else:
            pre[n.name] = cand
    return candidates, pre


def _select_victims(store, info: PodInfo, n: NodeInfo, lower, pdbs, state):
    """selectVictimsOnNode, on the cache's own NodeInfo (every change undone before returning)."""
    pods = []
    for key, pi in lower:
        pod = store.try_get(kinds.POD, *objects.split_key(key))
        if pod is not None:
            pods.append((key, pi, pod))
    for _, pi, _ in pods:
        n.add(pi, -1)
    st = plugins.filter_node(info, n, state)
    if st is not None:                   # no fit even without them all
        for _, pi, _ in pods:
            n.add(pi, 1)
        return st
    pods.sort(key=_importance)
    violating, fine = _split_by_pdb(pods, pdbs)
    cand = Candidate(n.name)
    for group, breaks in ((violating, True), (fine, False)):
        for item in group:
            n.add(item[1], 1)                        # reprieve it, if the pod still fits
            if plugins.filter_node(info, n, state) is not None:
                n.add(item[1], -1)
                cand.victims.append(item)
                cand.violations += breaks
    for item in cand.victims:                        # the cache is left as it was
        n.add(item[1], 1)
    cand.victims.sort(key=_importance)
    return cand


NOT_STARTED = "9999-12-31T23:59:59Z"     # GetPodStartTime: a pod not started yet counts as "now"


def _start(pod: dict) -> str:
    return (pod.get("status") or {}).get("startTime") or NOT_STARTED


def _importance(item) -> tuple:
    """MoreImportantPod: higher priority first, then the earlier start."""
    return (-item[1].priority, _start(item[2]))


def _pdbs(store) -> list[tuple]:
    """(namespace, selector matcher, disruptedPods, [disruptionsAllowed]) per budget."""
    out: list[tuple] = []
    for pdb in store.iter(kinds.PODDISRUPTIONBUDGET):
        sel = (pdb.get("spec") or {}).get("selector")
        if not sel or not (sel.get("matchLabels") or sel.get("matchExpressions")):
            continue                       # a nil or empty selector matches nothing here
        st = pdb.get("status") or {}
        out.append((objects.namespace_of(pdb), label_selector_matcher(sel), st.get("disruptedPods") or {},
                    [int(st.get("disruptionsAllowed") or 0)]))
    return out


def _split_by_pdb(pods, pdbs):
    """filterPodsWithPDBViolation: walking pods in importance order, each matching budget's
    allowance goes down; a pod that takes one below zero would violate it."""
    allowed = [p[3][0] for p in pdbs]
    violating: list = []
    fine: list = []
    for item in pods:
        _, info, pod = item
        broken = False
        if info.labels:
            for i, (ns, matches, disrupted, _) in enumerate(pdbs):
                if ns != info.namespace or not matches(info.labels) or objects.name_of(pod) in disrupted:
                    continue
                allowed[i] -= 1
                if allowed[i] < 0:
                    broken = True
        (violating if broken else fine).append(item)
    return violating, fine


def pick(candidates: list[Candidate]) -> Candidate:
    """pickOneNodeForPreemption."""
    for c in candidates:
        if not c.victims:
            return c
    best = candidates
    for score in (lambda c: -c.violations,
                  lambda c: -c.victims[0][1].priority,
                  lambda c: -sum(v[1].priority + INT32_OFFSET for v in c.victims),
                  lambda c: -len(c.victims),
                  _latest_start):
        top = max(score(c) for c in best)
        best = [c for c in best if score(c) == top]
        if len(best) == 1:
            break
    return best[0]


def _latest_start(c: Candidate):
    """The earliest start among the node's highest-priority victims (later is better)."""
    hi = c.victims[0][1].priority
    return min(_start(v[2]) for v in c.victims if v[1].priority == hi)
