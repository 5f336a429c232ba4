"""InterPodAffinity and PodTopologySpread, as the default profile runs them (k/k
`pkg/scheduler/framework/plugins/interpodaffinity/{filtering,scoring}.go`,
`.../podtopologyspread/{filtering,scoring,common}.go`).

`prefilter()` computes, once per scheduling attempt, the counts the Filter needs (None when the
pod declares nothing and no bound pod's required anti-affinity could reject it — the common
case costs nothing):

* PodTopologySpread (DoNotSchedule constraints), for each constraint: the matching pods
  (same namespace, not terminating) per topology value, over the nodes that carry every
  constraint's topology key and pass the node inclusion policies (nodeAffinityPolicy Honor:
  the pod's nodeSelector/required node affinity; nodeTaintsPolicy Ignore by default), and the
  global minimum (0 when fewer domains than minDomains). A node fails when
  `matching + (1 if the pod matches its own selector) − minimum > maxSkew`: "node(s) didn't
  match pod topology spread constraints"; a node without the topology key: "… (missing required
  label)".
* InterPodAffinity: per topology pair, the bound pods matching *all* required affinity terms,
  those matching each required anti-affinity term, and the bound pods whose own required
  anti-affinity terms match this pod. Filter order and reasons as upstream: "node(s) didn't
  match pod affinity rules" (unresolvable; a pod whose affinity matches itself may go anywhere
  while no pod matches yet), "node(s) didn't match pod anti-affinity rules", "node(s) didn't
  satisfy existing pods anti-affinity rules".

`prescore()` gives the extra scores: InterPodAffinity (preferred terms of the pod, ±weight per
matching bound pod in the same topology; bound pods' required affinity terms (hard weight 1)
and preferred terms matching this pod), normalised min–max to 0–100, and PodTopologySpread's
ScheduleAnyway constraints (`count × log(domains + 2) + maxSkew − 1` per node, normalised
`100 × (max + min − s) / max`) — both weight 2. A pod with explicit constraints leaves out the
system-default spreading (plugins.py scores that for pods without any).

Bound pods are read from the cache's label groups (cache.py), so a selector is tested once per
group of identically-labelled pods, not once per pod.
"""
from __future__ import annotations

import math

from ..node_predicates import tolerates
from .cache import NodeInfo, PodInfo, SchedulerCache

R_SPREAD = "node(s) didn't match pod topology spread constraints"
R_SPREAD_LABEL = R_SPREAD + " (missing required label)"
R_POD_AFFINITY = "node(s) didn't match pod affinity rules"
R_POD_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
R_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"
POD_REASONS = frozenset({R_SPREAD, R_SPREAD_LABEL, R_POD_AFFINITY, R_POD_ANTI_AFFINITY, R_EXISTING_ANTI_AFFINITY})

UNRESOLVABLE, UNSCHEDULABLE = True, False
HARD_POD_AFFINITY_WEIGHT = 1
W_INTERPOD, W_SPREAD = 2, 2
HOSTNAME = "kubernetes.io/hostname"


class NamespaceLabels:
    """Namespace labels for namespaceSelector terms, read once per attempt."""

    def __init__(self, lookup):
        self._lookup, self._seen = lookup, {}

    def __call__(self, ns: str) -> dict:
        if ns not in self._seen:
            self._seen[ns] = self._lookup(ns) if self._lookup else {}
        return self._seen[ns]


def _add(counts: dict, key, n: int) -> None:
    counts[key] = counts.get(key, 0) + n


def _inclusion(c, p: PodInfo, n: NodeInfo, node_affinity) -> bool:
    """matchNodeInclusionPolicies."""
    if c.honor_affinity and (p.node_selector or p.required_terms is not None) and not node_affinity(p, n):
        return False
    if c.honor_taints:
        for taint in n.hard_taints:
            if not any(tolerates(t, taint) for t in p.tolerations):
                return False
    return True


class CycleState:
    __slots__ = ("pod", "spread", "aff", "aff_none", "anti", "existing")

    def __init__(self, pod: PodInfo):
        self.pod = pod
        self.spread: list[tuple] = []          # (constraint, {value: count}, minimum, self-match)
        self.aff: dict | None = None           # (key, value) -> pods matching all affinity terms
        self.aff_none = False                  # no pod matches yet, and the pod matches its own terms
        self.anti: dict = {}                   # (key, value) -> pods matching an anti-affinity term
        self.existing: dict = {}               # (key, value) -> bound pods whose anti-affinity rejects this pod

    def filter(self, n: NodeInfo) -> tuple[list[str], bool] | None:
        labels = n.labels
        for c, counts, minimum, self_match in self.spread:           # PodTopologySpread
            v = labels.get(c.key)
            if v is None:
                return [R_SPREAD_LABEL], UNRESOLVABLE
            if counts.get(v, 0) + self_match - minimum > c.max_skew:
                return [R_SPREAD], UNSCHEDULABLE
        if self.aff is not None:                                     # InterPodAffinity
            exist = True
            for t in self.pod.aff_required:
                v = labels.get(t.key)
                if v is None:
                    return [R_POD_AFFINITY], UNRESOLVABLE
                if self.aff.get((t.key, v), 0) <= 0:
                    exist = False
            if not exist and not self.aff_none:
                return [R_POD_AFFINITY], UNRESOLVABLE
        if self.anti:
            for t in self.pod.anti_required:
                v = labels.get(t.key)
                if v is not None and self.anti.get((t.key, v), 0) > 0:
                    return [R_POD_ANTI_AFFINITY], UNSCHEDULABLE
        if self.existing:
            for (k, v), cnt in self.existing.items():
                if cnt > 0 and labels.get(k) == v:
                    return [R_EXISTING_ANTI_AFFINITY], UNSCHEDULABLE
        return None


def prefilter(p: PodInfo, cache: SchedulerCache, nodes: list[NodeInfo], ns_labels, node_affinity) -> CycleState | None:
    hard = [c for c in p.spread if c.hard]
    if not (hard or p.aff_required or p.anti_required or cache.with_anti):
        return None
    s = CycleState(p)
    by_name = cache.nodes
    # ---- existing pods' required anti-affinity against this pod
    for tg in cache.with_anti.values():
        for t in tg.info.anti_required:
            if not t.matches(p.namespace, p.labels, ns_labels):
                continue
            for node, cnt in tg.nodes.items():
                ni = by_name.get(node)
                v = ni.labels.get(t.key) if ni is not None and ni.node is not None else None
                if v is not None:
                    _add(s.existing, (t.key, v), cnt)
    # ---- this pod's required (anti-)affinity against bound pods
    if p.aff_required or p.anti_required:
        aff: dict = {}
        for g in cache.groups.values():
            all_match = bool(p.aff_required) and all(t.matches(g.ns, g.labels, ns_labels) for t in p.aff_required)
            anti = [t for t in p.anti_required if t.matches(g.ns, g.labels, ns_labels)]
            if not all_match and not anti:
                continue
            for node, cnt in g.all.items():
                ni = by_name.get(node)
                if ni is None or ni.node is None:
                    continue
                if all_match:
                    for t in p.aff_required:
                        v = ni.labels.get(t.key)
                        if v is not None:
                            _add(aff, (t.key, v), cnt)
                for t in anti:
                    v = ni.labels.get(t.key)
                    if v is not None:
                        _add(s.anti, (t.key, v), cnt)
        if p.aff_required:
            s.aff = aff
            s.aff_none = not aff and all(t.matches(p.namespace, p.labels, ns_labels) for t in p.aff_required)
    # ---- topology spread (DoNotSchedule)
    if hard:
        keys = {c.key for c in hard}
        eligible: dict[str, NodeInfo] = {}
        for n in nodes:
            if all(k in n.labels for k in keys):
                eligible[n.name] = n
        for c in hard:
            counts: dict[str, int] = {}
            included = {name: n for name, n in eligible.items() if _inclusion(c, p, n, node_affinity)}
            for n in included.values():
                counts.setdefault(n.labels[c.key], 0)
            for g in cache.groups.values():
                if g.ns != p.namespace or not g.live or not c.selector(g.labels):
                    continue
                for node, cnt in g.live.items():
                    hit = included.get(node)
                    if hit is not None:
                        counts[hit.labels[c.key]] += cnt
            minimum = min(counts.values()) if counts else math.inf
            if len(counts) < c.min_domains:
                minimum = 0
            s.spread.append((c, counts, minimum, 1 if c.selector(p.labels) else 0))
    if not (s.spread or s.aff is not None or s.anti or s.existing):
        return None
    return s


# ---- scores -----------------------------------------------------------------------------------

def prescore(p: PodInfo, cache: SchedulerCache, feasible: list[NodeInfo], ns_labels, node_affinity) -> list[float] | None:
    """Extra (already weighted) scores for the feasible nodes, or None when they add nothing."""
    out = None
    ip = _interpod_scores(p, cache, feasible, ns_labels)
    if ip is not None:
        out = [W_INTERPOD * x for x in ip]
    if p.spread:
        sp = _spread_scores(p, cache, feasible, node_affinity)
        if sp is not None:
            out = [W_SPREAD * x for x in sp] if out is None else [a + W_SPREAD * b for a, b in zip(out, sp)]
    return out


def _interpod_scores(p: PodInfo, cache: SchedulerCache, feasible: list[NodeInfo], ns_labels) -> list[float] | None:
    if not (p.aff_preferred or p.anti_preferred) and not cache.with_terms:
        return None
    score = interpod_weights(p, cache, ns_labels)
    if not score:
        return None
    raw = []
    for n in feasible:
        total = 0
        for (k, v), w in score.items():
            if n.labels.get(k) == v:
                total += w
        raw.append(total)
    lo, hi = min(raw), max(raw)
    if hi == lo:
        return None
    return [float(int(100 * (x - lo) / (hi - lo))) for x in raw]


def interpod_weights(p: PodInfo, cache: SchedulerCache, ns_labels) -> dict[tuple, int]:
    """InterPodAffinity's score weight per topology pair (key, value) for this pod: its preferred
    terms against bound pods, bound pods' terms against it. Empty: the plugin scores nothing (as
    for most pods — CoreDNS's preferred anti-affinity matches only CoreDNS pods)."""
    has_pref = bool(p.aff_preferred or p.anti_preferred)
    score: dict[tuple, int] = {}
    by_name = cache.nodes

    def credit(t, weight, node_counts):
        for node, cnt in node_counts.items():
            ni = by_name.get(node)
            v = ni.labels.get(t.key) if ni is not None and ni.node is not None else None
            if v is not None:
                _add(score, (t.key, v), weight * cnt)

    if has_pref:                                  # this pod's preferred terms, against every bound pod
        for g in cache.groups.values():
            for t in p.aff_preferred:
                if t.matches(g.ns, g.labels, ns_labels):
                    credit(t, t.weight, g.all)
            for t in p.anti_preferred:
                if t.matches(g.ns, g.labels, ns_labels):
                    credit(t, -t.weight, g.all)
    for tg in cache.with_terms.values():          # bound pods' terms, against this pod
        e = tg.info
        for t in e.aff_required:
            if HARD_POD_AFFINITY_WEIGHT and t.matches(p.namespace, p.labels, ns_labels):
                credit(t, HARD_POD_AFFINITY_WEIGHT, tg.nodes)
        for t in e.aff_preferred:
            if t.matches(p.namespace, p.labels, ns_labels):
                credit(t, t.weight, tg.nodes)
        for t in e.anti_preferred:
            if t.matches(p.namespace, p.labels, ns_labels):
                credit(t, -t.weight, tg.nodes)
    return score


def _spread_scores(p: PodInfo, cache: SchedulerCache, feasible: list[NodeInfo], node_affinity) -> list[float] | None:
    soft = [c for c in p.spread if not c.hard]
    if not soft:
        return None
    keys = {c.key for c in soft}
    ignored = {n.name for n in feasible if not all(k in n.labels for k in keys)}
    counts: list[dict] = [{} for _ in soft]
    sizes = []
    for i, c in enumerate(soft):
        if c.key != HOSTNAME:
            for n in feasible:
                if n.name not in ignored:
                    counts[i].setdefault(n.labels[c.key], 0)
        sizes.append(len(feasible) - len(ignored) if c.key == HOSTNAME else len(counts[i]))
    weights = [math.log(sz + 2) for sz in sizes]
    per_node: list[dict] = [{} for _ in soft]        # hostname constraints: matching pods per node
    for g in cache.groups.values():
        if g.ns != p.namespace or not g.live:
            continue
        for i, c in enumerate(soft):
            if not c.selector(g.labels):
                continue
            for node, cnt in g.live.items():
                info = cache.nodes.get(node)
                if info is None or info.node is None or not all(k in info.labels for k in keys):
                    continue
                if not _inclusion(c, p, info, node_affinity):
                    continue
                if c.key == HOSTNAME:
                    _add(per_node[i], node, cnt)
                else:
                    v = info.labels[c.key]
                    if v in counts[i]:
                        counts[i][v] += cnt
    raw: list[int | None] = []
    for n in feasible:
        if n.name in ignored:
            raw.append(None)
            continue
        total = 0.0
        for i, c in enumerate(soft):
            cnt = per_node[i].get(n.name, 0) if c.key == HOSTNAME else counts[i].get(n.labels[c.key], 0)
            total += cnt * weights[i] + (c.max_skew - 1)
        raw.append(math.floor(total + 0.5))
    valid = [x for x in raw if x is not None]
    if not valid:
        return None
    lo, hi = min(valid), max(valid)
    out = []
    for x in raw:
        if x is None:
            out.append(0.0)
        elif hi == 0:
            out.append(100.0)
        else:
            out.append(float(100 * (hi + lo - x) // hi))
    return out
