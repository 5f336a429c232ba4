"""Filter and score plugins, in the default profile's order (k/k
`pkg/scheduler/apis/config/v1/default_plugins.go`), and the FitError text.

Filters run in order and a node stops at the first that rejects it (`RunFilterPlugins`); one
plugin may give several reasons (NodeResourcesFit: "Insufficient cpu", "Insufficient memory").
Each rejection is *unresolvable* (preemption cannot help: NodeUnschedulable, TaintToleration,
NodeAffinity) or *unschedulable* (NodePorts, NodeResourcesFit: evicting pods might help).

After NodeResourcesFit come PodTopologySpread and InterPodAffinity (topology.py: their
per-attempt counts are computed once by `topology.prefilter` and handed in as `state`).

Scores (weights as the default profile): NodeResourcesFit LeastAllocated ×1,
NodeResourcesBalancedAllocation ×1, PodTopologySpread ×2 (the pod's ScheduleAnyway
constraints; for a pod without constraints, the system default: spread the pods of one
controller across nodes), TaintToleration (PreferNoSchedule) ×3, NodeAffinity (preferred
terms) ×2, InterPodAffinity ×2 (topology.py). Each raw score is normalised to 0–100 across the feasible nodes as upstream does (a term that is
equal on every node is left out: it cannot change the choice).
"""
from __future__ import annotations

from ..node_predicates import term_matches, tolerates
from .cache import NodeInfo, PodInfo
from .topology import (R_EXISTING_ANTI_AFFINITY, R_POD_AFFINITY, R_POD_ANTI_AFFINITY,  # noqa: F401
                       R_SPREAD, R_SPREAD_LABEL)

# Reason strings (k/k pkg/scheduler/framework/plugins/*).
R_UNSCHEDULABLE = "node(s) were unschedulable"
R_NODE_NAME = "node(s) didn't match the requested node name"
R_TAINT = "node(s) had untolerated taint {{{key}: {value}}}"     # the first untolerated one (tainttoleration)
R_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
R_PORTS = "node(s) didn't have free ports for the requested pod ports"
R_TOO_MANY_PODS = "Too many pods"
R_PREFILTER_AFFINITY = "node(s) didn't satisfy plugin(s) [NodeAffinity]"
R_NOT_HELPFUL = "Preemption is not helpful for scheduling"
R_NO_VICTIMS = "No preemption victims found for incoming pod"
NO_NODES = "no nodes available to schedule pods"
PREEMPT_NEVER = "not eligible due to preemptionPolicy=Never."

UNRESOLVABLE, UNSCHEDULABLE = True, False


# ---- filters --------------------------------------------------------------------------------

def filter_node(p: PodInfo, n: NodeInfo, state=None, volumes=None) -> tuple[list[str], bool] | None:
    """None if the pod fits; else (reasons, unresolvable) from the first rejecting plugin.
    `volumes(n)`: the VolumeBinding filter (volume_binding.py), which runs before the
    topology plugins."""
    st = _filter_basic(p, n)
    if st is None and volumes is not None:
        st = volumes(n)
    if st is None and state is not None:
        return state.filter(n)          # PodTopologySpread, InterPodAffinity
    return st


def _filter_basic(p: PodInfo, n: NodeInfo) -> tuple[list[str], bool] | None:
    if p.simple and n.plain:
        return _fit_resources(p, n)
    # NodeUnschedulable
    if n.unschedulable and not p.tolerates_unschedulable:
        return [R_UNSCHEDULABLE], UNRESOLVABLE
    # TaintToleration (NoSchedule and NoExecute only)
    if n.hard_taints:
        tols = p.tolerations
        for taint in n.hard_taints:
            if not any(tolerates(t, taint) for t in tols):
                return [R_TAINT.format(key=taint.get("key", ""), value=taint.get("value", ""))], UNRESOLVABLE
    # NodeAffinity (nodeSelector AND required terms)
    if p.node_selector or p.required_terms is not None:
        if not node_affinity_matches(p, n):
            return [R_AFFINITY], UNRESOLVABLE
    # NodePorts
    if p.ports and n.ports and not ports_fit(p.ports, n.ports):
        return [R_PORTS], UNSCHEDULABLE
    return _fit_resources(p, n)


def _fit_resources(p: PodInfo, n: NodeInfo) -> tuple[list[str], bool] | None:
    """NodeResourcesFit (k/k noderesources/fit.go fitsRequest)."""
    reasons = None
    if n.pods + 1 > n.alloc_pods:
        reasons = [R_TOO_MANY_PODS]
    r = p.requests
    if r.cpu and r.cpu > n.alloc_cpu - n.req_cpu:
        reasons = (reasons or []) + ["Insufficient cpu"]
    if r.memory and r.memory > n.alloc_memory - n.req_memory:
        reasons = (reasons or []) + ["Insufficient memory"]
    if r.ephemeral and r.ephemeral > n.alloc_ephemeral - n.req_ephemeral:
        reasons = (reasons or []) + ["Insufficient ephemeral-storage"]
    for name, want in r.scalars.items():
        if want and want > n.alloc_scalars.get(name, 0) - n.req_scalars.get(name, 0):
            reasons = (reasons or []) + [f"Insufficient {name}"]
    return (reasons, UNSCHEDULABLE) if reasons else None


def ports_fit(want: list[tuple[str, int, str]], used) -> bool:
    for proto, port, ip in want:
        for (uproto, uport, uip) in used:
            if uproto == proto and uport == port and (uip == ip or "0.0.0.0" in (uip, ip)):
                return False
    return True


def node_affinity_matches(p: PodInfo, n: NodeInfo) -> bool:
    labels = n.labels
    for k, v in p.node_selector.items():
        if labels.get(k) != v:
            return False
    if p.required_terms is None:
        return True
    # Terms are ORed; an empty term list matches nothing.
    return any(term_matches(t, labels, n.name) for t in p.required_terms)


# ---- scores ---------------------------------------------------------------------------------

W_LEAST, W_BALANCED, W_SPREAD, W_TAINT, W_AFFINITY = 1, 1, 2, 3, 2


def resource_score(n: NodeInfo, rc: int, rm: int) -> float:
    """NodeResourcesFit LeastAllocated (mean free fraction) ×1 + NodeResourcesBalancedAllocation
    (1 − std) ×1, for a pod of non-zero requests rc (milli-CPU) and rm (bytes)."""
    fc = (n.nz_cpu + rc) / (n.alloc_cpu or 1)
    fm = (n.nz_memory + rm) / (n.alloc_memory or 1)
    if fc > 1.0:
        fc = 1.0
    if fm > 1.0:
        fm = 1.0
    d = fc - fm if fc > fm else fm - fc
    return W_LEAST * (2.0 - fc - fm) * 50.0 + W_BALANCED * (1.0 - d / 2) * 100.0


def score_nodes(p: PodInfo, nodes: list[NodeInfo], extra: list[float] | None = None) -> list[float]:
    r = p.requests
    rc, rm = r.nz_cpu, r.nz_memory
    scores: list = []
    append = scores.append
    owner = p.owner_uid
    default_spread = bool(owner) and not p.spread   # explicit constraints replace the system default
    spread: list[int] = []
    count = spread.append
    soft_taints = False
    for n in nodes:
        if n.score_rc == rc and n.score_rm == rm and n.score_owner == owner:
            append(n.score)             # (unchanged since a pod of these requests and owner looked)
        else:
            s = resource_score(n, rc, rm)
            n.score_rc, n.score_rm, n.score = rc, rm, s
            n.score_owner, n.score_count = owner, n.owners.get(owner, 0) if owner else 0
            append(s)
        if default_spread:              # (the owner's pods per node, in the same pass)
            count(n.score_count)
        if n.soft_taints:
            soft_taints = True
    if default_spread:
        lo, hi = min(spread), max(spread)
        if hi > lo:
            k = W_SPREAD * 100.0 / (hi - lo)
            scores = [s + k * (hi - c) for s, c in zip(scores, spread)]
    if soft_taints:
        soft = [sum(1 for t in n.soft_taints if not any(tolerates(x, t) for x in p.tolerations))
                for n in nodes]
        hi = max(soft)
        if hi:
            k = W_TAINT * 100.0 / hi
            scores = [s + k * (hi - c) for s, c in zip(scores, soft)]
    if p.preferred_terms:
        pref = [sum(int(t.get("weight") or 0) for t in p.preferred_terms
                    if term_matches(t.get("preference") or {}, n.labels, n.name)) for n in nodes]
        hi = max(pref)
        if hi > 0:
            k = W_AFFINITY * 100.0 / hi
            scores = [s + k * c for s, c in zip(scores, pref)]
    if extra is not None:               # InterPodAffinity, PodTopologySpread (topology.prescore)
        scores = [s + e for s, e in zip(scores, extra)]
    return scores


# ---- the FitError text ----------------------------------------------------------------------

def histogram(reasons: dict[str, int]) -> str:
    """`"%d %s"` entries sorted as strings, joined with ", " (FitError.Error)."""
    return ", ".join(sorted(f"{v} {k}" for k, v in reasons.items()))


def fit_error(num_nodes: int, statuses: dict[str, tuple[list[str], bool]], *, absent: int = 0,
              preemption_never: bool = False, post_filter: str | None = None,
              preemption: dict[str, tuple[list[str], bool]] | None = None) -> str:
    """`0/N nodes are available: <filter histogram>. preemption: 0/N nodes are available:
    <preemption histogram>.` (k/k framework/types.go FitError.Error; default_preemption).
    `post_filter`: the PostFilter's own message instead ("" when preemption found a node: no
    suffix at all); `preemption`: the nodes' statuses from the preemption attempt (by default,
    each rejected node counts as "not helpful" or "no victims" by its filter status)."""
    reasons: dict[str, int] = {}
    for rs, _ in statuses.values():
        for r in rs:
            reasons[r] = reasons.get(r, 0) + 1
    if absent:
        reasons[R_PREFILTER_AFFINITY] = reasons.get(R_PREFILTER_AFFINITY, 0) + absent
    msg = f"0/{num_nodes} nodes are available: {histogram(reasons)}."
    if preemption_never:
        return f"{msg} preemption: {PREEMPT_NEVER}"
    if post_filter is not None:
        return f"{msg} preemption: {post_filter}" if post_filter else msg
    pre: dict[str, int] = {}
    if preemption is not None:
        for rs, _ in preemption.values():
            for r in rs:
                pre[r] = pre.get(r, 0) + 1
    else:
        for _, unresolvable in statuses.values():
            r = R_NOT_HELPFUL if unresolvable else R_NO_VICTIMS
            pre[r] = pre.get(r, 0) + 1
    if absent:
        pre[R_NOT_HELPFUL] = pre.get(R_NOT_HELPFUL, 0) + absent
    return f"{msg} preemption: 0/{num_nodes} nodes are available: {histogram(pre)}."


def prefilter_fit_error(num_nodes: int, message: str) -> str:
    """FitError when a PreFilter plugin rejected the pod outright (UnschedulableAndUnresolvable on
    every node): its message in place of the node histogram."""
    return (f"0/{num_nodes} nodes are available: {message}. preemption: 0/{num_nodes} nodes are available: "
            f"{num_nodes} {R_NOT_HELPFUL}.")
