"""The scheduler's view of the cluster: what each pod asks for and what each node has left.

As kube-scheduler's cache (k/k `pkg/scheduler/backend/cache`), it is kept incrementally from
watch events — a pod bound to a node adds its requests to that node, a deleted or finished pod
takes them away — so one scheduling attempt never lists pods. `PodInfo` is computed once per
pod (requests parsed from quantities, tolerations and affinity pre-digested); `NodeInfo` keeps
the sums the filters compare against.

Requests (k/k `pkg/api/v1/resource` `PodRequests`): sum over containers, then the max with
each init container (restartable "sidecar" init containers add to the sum), plus pod overhead.
A container limit without a request counts as the request (apiserver defaulting does the
same). Scoring uses "non-zero" requests: 100m CPU / 200Mi memory for a container that asks
for none (`schedutil.DefaultMilliCPURequest`, `DefaultMemoryRequest`).

For InterPodAffinity and PodTopologySpread (topology.py) the cache also counts bound pods per
node *by label group* — pods of one namespace with identical labels (a ReplicaSet's pods share
them) — so a term or a spread selector is tested once per group, not once per pod; and it keeps
the groups of bound pods that carry pod (anti-)affinity terms themselves (for "existing pods'
anti-affinity" and the symmetric scores). Pods without such terms never pay for them.
"""
from __future__ import annotations

import collections

from ..quantity import QuantityError, int_value, milli_value
from ..node_predicates import tolerates
from ..selectors import label_selector_matcher

DEFAULT_MILLI_CPU = 100
DEFAULT_MEMORY = 200 * 1024 * 1024
DEFAULT_MAX_PODS = 110

TAINT_NOT_READY = "node.kubernetes.io/not-ready"
TAINT_UNREACHABLE = "node.kubernetes.io/unreachable"
TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"

# Extended resources the filter compares (anything with a "/" plus hugepages); cpu, memory,
# ephemeral-storage and pods have their own fields.
_BASIC = ("cpu", "memory", "ephemeral-storage", "pods")


def _milli(q) -> int:
    try:
        return milli_value(q)
    except (QuantityError, TypeError, ValueError):
        return 0


def _value(q) -> int:
    try:
        return int_value(q)
    except (QuantityError, TypeError, ValueError):
        return 0


def _is_scalar(name: str) -> bool:
    return "/" in name or name.startswith("hugepages-")


class Requests:
    __slots__ = ("cpu", "memory", "ephemeral", "scalars", "nz_cpu", "nz_memory")

    def __init__(self) -> None:
        self.cpu = self.memory = self.ephemeral = 0
        self.nz_cpu = self.nz_memory = 0
        self.scalars: dict[str, int] = {}


def _container_requests(c: dict) -> dict:
    res = c.get("resources") or {}
    req = dict(res.get("limits") or {})
    req.update(res.get("requests") or {})
    return req


def pod_requests(spec: dict) -> Requests:
    r = Requests()
    for c in spec.get("containers") or ():
        req = _container_requests(c)
        cpu, mem = _milli(req["cpu"]) if "cpu" in req else 0, _value(req["memory"]) if "memory" in req else 0
        r.cpu += cpu
        r.memory += mem
        r.nz_cpu += cpu if "cpu" in req else DEFAULT_MILLI_CPU
        r.nz_memory += mem if "memory" in req else DEFAULT_MEMORY
        if "ephemeral-storage" in req:
            r.ephemeral += _value(req["ephemeral-storage"])
        for name, q in req.items():
            if _is_scalar(name):
                r.scalars[name] = r.scalars.get(name, 0) + _value(q)
    sidecar_cpu = sidecar_mem = 0
    for c in spec.get("initContainers") or ():
        req = _container_requests(c)
        cpu = _milli(req.get("cpu", 0))
        mem = _value(req.get("memory", 0))
        if c.get("restartPolicy") == "Always":          # sidecar: runs alongside the app
            sidecar_cpu += cpu
            sidecar_mem += mem
            r.cpu += cpu
            r.memory += mem
            r.nz_cpu += cpu
            r.nz_memory += mem
            continue
        r.cpu = max(r.cpu, cpu + sidecar_cpu)
        r.memory = max(r.memory, mem + sidecar_mem)
        if "ephemeral-storage" in req:
            r.ephemeral = max(r.ephemeral, _value(req["ephemeral-storage"]))
        for name, q in req.items():
            if _is_scalar(name):
                r.scalars[name] = max(r.scalars.get(name, 0), _value(q))
    overhead = spec.get("overhead") or {}
    if overhead:
        r.cpu += _milli(overhead.get("cpu", 0))
        r.memory += _value(overhead.get("memory", 0))
        r.nz_cpu += _milli(overhead.get("cpu", 0))
        r.nz_memory += _value(overhead.get("memory", 0))
    return r


def host_ports(spec: dict) -> list[tuple[str, int, str]]:
    out = []
    for group in ("initContainers", "containers"):
        for c in spec.get(group) or ():
            for p in c.get("ports") or ():
                hp = p.get("hostPort") or 0
                if hp:
                    out.append((p.get("protocol") or "TCP", int(hp), p.get("hostIP") or "0.0.0.0"))
    return out


class AffinityTerm:
    """A PodAffinityTerm as the scheduler evaluates it (k/k framework `AffinityTerm`): the
    namespaces it looks in (the owner pod's own when none are named and no namespaceSelector),
    its label selector (nil selects nothing; matchLabelKeys/mismatchLabelKeys merged in from the
    owner pod's labels, as the apiserver does), its topology key and (preferred terms) weight."""

    __slots__ = ("namespaces", "ns_selector", "selector", "key", "weight")

    def __init__(self, term: dict, namespace: str, labels: dict, weight: int = 0):
        names = term.get("namespaces") or ()
        ns_sel = term.get("namespaceSelector")
        self.namespaces = frozenset(names) if (names or ns_sel is not None) else frozenset((namespace,))
        self.ns_selector = label_selector_matcher(ns_sel) if ns_sel is not None else None
        self.selector = label_selector_matcher(_merge_label_keys(term.get("labelSelector"), term, labels))
        self.key = term.get("topologyKey") or ""
        self.weight = weight

    def matches_ns(self, ns: str, ns_labels) -> bool:
        if ns in self.namespaces:
            return True
        return self.ns_selector is not None and self.ns_selector(ns_labels(ns))

    def matches(self, ns: str, labels: dict, ns_labels) -> bool:
        return self.matches_ns(ns, ns_labels) and self.selector(labels)


def _merge_label_keys(selector: dict | None, spec: dict, labels: dict) -> dict | None:
    keys, not_keys = spec.get("matchLabelKeys") or (), spec.get("mismatchLabelKeys") or ()
    if selector is None or not (keys or not_keys):
        return selector
    exprs = list(selector.get("matchExpressions") or ())
    exprs += [{"key": k, "operator": "In", "values": [labels[k]]} for k in keys if k in labels]
    exprs += [{"key": k, "operator": "NotIn", "values": [labels[k]]} for k in not_keys if k in labels]
    return dict(selector, matchExpressions=exprs)


class SpreadConstraint:
    """A topologySpreadConstraint (k/k podtopologyspread `topologySpreadConstraint`)."""

    __slots__ = ("max_skew", "key", "hard", "selector", "min_domains", "honor_affinity", "honor_taints")

    def __init__(self, c: dict, labels: dict):
        self.max_skew = int(c.get("maxSkew") or 1)
        self.key = c.get("topologyKey") or ""
        self.hard = (c.get("whenUnsatisfiable") or "DoNotSchedule") == "DoNotSchedule"
        self.selector = label_selector_matcher(_merge_label_keys(c.get("labelSelector"), c, labels))
        self.min_domains = int(c.get("minDomains") or 1)
        self.honor_affinity = (c.get("nodeAffinityPolicy") or "Honor") == "Honor"
        self.honor_taints = (c.get("nodeTaintsPolicy") or "Ignore") == "Honor"


class PodInfo:
    """One pod as the scheduler needs it; built once per pod spec (and labels)."""

    __slots__ = ("key", "spec", "requests", "ports", "owner_uid", "tolerations", "node_selector",
                 "required_terms", "preferred_terms", "prefilter_names", "tolerates_unschedulable",
                 "simple", "namespace", "labels", "group", "aff_required", "anti_required",
                 "aff_preferred", "anti_preferred", "spread", "terms_group", "priority")

    def __init__(self, key: str, pod: dict):
        spec = pod.get("spec") or {}
        md = pod.get("metadata") or {}
        self.key = key
        self.spec = spec
        self.namespace = md.get("namespace") or ""
        self.labels = md.get("labels") or {}
        self.group = (self.namespace, tuple(sorted(self.labels.items())))
        self.requests = pod_requests(spec)
        self.ports = host_ports(spec)
        p = spec.get("priority")
        self.priority = p if isinstance(p, int) else 0         # set by Priority admission
        owner = None
        for ref in (pod.get("metadata") or {}).get("ownerReferences") or ():
            if ref.get("controller"):
                owner = ref.get("uid")
                break
        self.owner_uid = owner
        self.tolerations = list(spec.get("tolerations") or ())
        self.node_selector = dict(spec.get("nodeSelector") or {})
        na = ((spec.get("affinity") or {}).get("nodeAffinity") or {})
        req = na.get("requiredDuringSchedulingIgnoredDuringExecution")
        self.required_terms = list((req or {}).get("nodeSelectorTerms") or []) if req is not None else None
        self.preferred_terms = list(na.get("preferredDuringSchedulingIgnoredDuringExecution") or ())
        self.prefilter_names = _prefilter_node_names(self.required_terms)
        self.tolerates_unschedulable = any(
            tolerates(t, {"key": TAINT_UNSCHEDULABLE, "effect": "NoSchedule"}) for t in self.tolerations)
        # The common case — no selectors, affinity, host ports or extended resources — takes a
        # fast path on nodes without taints (tolerations only matter against taints).
        self.simple = not (self.node_selector or self.required_terms is not None
                           or self.preferred_terms or self.ports or self.requests.scalars)
        # Inter-pod affinity and topology spread: parsed only for pods that declare them.
        self.aff_required: tuple[AffinityTerm, ...] = ()
        self.anti_required: tuple[AffinityTerm, ...] = ()
        self.aff_preferred: tuple[AffinityTerm, ...] = ()
        self.anti_preferred: tuple[AffinityTerm, ...] = ()
        self.spread: tuple[SpreadConstraint, ...] = ()
        self.terms_group = None
        aff = spec.get("affinity") or {}
        pa, paa = aff.get("podAffinity"), aff.get("podAntiAffinity")
        if pa or paa:
            ns, labels = self.namespace, self.labels
            pa, paa = pa or {}, paa or {}
            self.aff_required = tuple(AffinityTerm(t, ns, labels) for t in
                                      pa.get("requiredDuringSchedulingIgnoredDuringExecution") or ())
            self.anti_required = tuple(AffinityTerm(t, ns, labels) for t in
                                       paa.get("requiredDuringSchedulingIgnoredDuringExecution") or ())
            self.aff_preferred = tuple(AffinityTerm(w.get("podAffinityTerm") or {}, ns, labels, int(w.get("weight") or 0))
                                       for w in pa.get("preferredDuringSchedulingIgnoredDuringExecution") or ())
            self.anti_preferred = tuple(AffinityTerm(w.get("podAffinityTerm") or {}, ns, labels, int(w.get("weight") or 0))
                                        for w in paa.get("preferredDuringSchedulingIgnoredDuringExecution") or ())
            if self.aff_required or self.anti_required or self.aff_preferred or self.anti_preferred:
                # Pods with the same terms, namespace and labels share one group of the cache.
                self.terms_group = (self.group, repr(pa), repr(paa))
        tsc = spec.get("topologySpreadConstraints")
        if tsc:
            self.spread = tuple(SpreadConstraint(c, self.labels) for c in tsc)


def _prefilter_node_names(terms: list | None) -> set[str] | None:
    """NodeAffinity PreFilter: when every required term pins metadata.name with `In`, only
    those nodes are considered (the others are reported as not satisfying the plugin)."""
    if not terms:
        return None
    names: set[str] = set()
    for term in terms:
        pinned = None
        for f in term.get("matchFields") or ():
            if f.get("key") == "metadata.name" and f.get("operator") == "In":
                vals = set(f.get("values") or ())
                pinned = vals if pinned is None else pinned & vals
        if pinned is None:
            return None
        names |= pinned
    return names


class NodeInfo:
    """One node: allocatable, the sum of requests of the pods on it, and its scheduling traits."""

    __slots__ = ("name", "node", "labels", "alloc_cpu", "alloc_memory", "alloc_ephemeral", "alloc_pods",
                 "alloc_scalars", "req_cpu", "req_memory", "req_ephemeral", "req_scalars", "nz_cpu",
                 "nz_memory", "pods", "ports", "owners", "hard_taints", "soft_taints", "unschedulable",
                 "ready", "plain", "score_rc", "score_rm", "score", "score_owner", "score_count", "watchers")

    def __init__(self, name: str):
        self.name = name
        self.node: dict | None = None
        self.labels: dict = {}
        self.alloc_cpu = self.alloc_memory = self.alloc_ephemeral = 0
        self.alloc_pods = 0
        self.alloc_scalars: dict[str, int] = {}
        self.req_cpu = self.req_memory = self.req_ephemeral = 0
        self.req_scalars: dict[str, int] = collections.Counter()
        self.nz_cpu = self.nz_memory = 0
        self.pods = 0
        self.ports: collections.Counter = collections.Counter()
        self.owners: collections.Counter = collections.Counter()
        self.hard_taints: list[dict] = []
        self.soft_taints: list[dict] = []
        self.unschedulable = False
        self.ready = False
        self.plain = False
        # plugins.score_nodes' resource score here for a pod of (score_rc, score_rm) non-zero
        # requests, and how many pods of score_owner run here: the next pod of a ReplicaSet asks
        # again, and only the node it went to changed (-1: none kept; add() and set_node() change
        # what they are computed from).
        self.score_rc = self.score_rm = -1
        self.score = 0.0
        self.score_owner: str | None = None
        self.score_count = 0
        # Sets this node adds itself to whenever it changes (score_window.py's dirty sets; the
        # cache hands its list to the NodeInfos it makes).
        self.watchers: list[set] | tuple = ()

    def set_node(self, node: dict) -> None:
        self.node = node
        self.score_rc = -1
        for dirty in self.watchers:
            dirty.add(self)
        md, spec, status = node.get("metadata") or {}, node.get("spec") or {}, node.get("status") or {}
        self.labels = md.get("labels") or {}
        alloc = status.get("allocatable") or status.get("capacity") or {}
        self.alloc_cpu = _milli(alloc.get("cpu", 0))
        self.alloc_memory = _value(alloc.get("memory", 0))
        self.alloc_ephemeral = _value(alloc.get("ephemeral-storage", 0))
        self.alloc_pods = _value(alloc["pods"]) if "pods" in alloc else DEFAULT_MAX_PODS
        self.alloc_scalars = {k: _value(v) for k, v in alloc.items() if _is_scalar(k)}
        self.unschedulable = bool(spec.get("unschedulable"))
        taints = list(spec.get("taints") or ())
        ready = "Unknown"
        for c in status.get("conditions") or ():
            if c.get("type") == "Ready":
                ready = c.get("status") or "Unknown"
        self.ready = ready == "True"
        # A node that is not Ready is treated as carrying the taint the node lifecycle
        # controller puts on it (taint-by-condition), even before the taint is written.
        keys = {(t.get("key"), t.get("effect")) for t in taints}
        if not self.ready:
            implied = TAINT_NOT_READY if ready == "False" else TAINT_UNREACHABLE
            for effect in ("NoSchedule", "NoExecute"):
                if (implied, effect) not in keys:
                    taints.append({"key": implied, "effect": effect})
        self.hard_taints = [t for t in taints if t.get("effect") in ("NoSchedule", "NoExecute")]
        self.soft_taints = [t for t in taints if t.get("effect") == "PreferNoSchedule"]
        self.plain = not self.hard_taints and not self.unschedulable

    def add(self, p: PodInfo, sign: int) -> None:
        r = p.requests
        self.req_cpu += sign * r.cpu
        self.req_memory += sign * r.memory
        self.req_ephemeral += sign * r.ephemeral
        self.nz_cpu += sign * r.nz_cpu
        self.nz_memory += sign * r.nz_memory
        self.score_rc = -1
        for dirty in self.watchers:
            dirty.add(self)
        self.pods += sign
        for k, v in r.scalars.items():
            self.req_scalars[k] += sign * v
        for port in p.ports:
            self.ports[port] += sign
            if self.ports[port] <= 0:
                del self.ports[port]
        if p.owner_uid:
            self.owners[p.owner_uid] += sign
            if self.owners[p.owner_uid] <= 0:
                del self.owners[p.owner_uid]

    def hold(self, h: "Held", sign: int) -> None:
        """Count (sign 1) or stop counting (-1) the room nominated pods hold here: what the
        filters compare (requests, pod count, host ports), not the scores' sums."""
        for dirty in self.watchers:
            dirty.add(self)
        self.req_cpu += sign * h.cpu
        self.req_memory += sign * h.memory
        self.req_ephemeral += sign * h.ephemeral
        self.pods += sign * h.pods
        for k, v in h.scalars.items():
            self.req_scalars[k] += sign * v
        for port, count in h.ports.items():
            self.ports[port] += sign * count
            if self.ports[port] <= 0:
                del self.ports[port]


class Held:
    """What the pods nominated to one node ask for, summed: the room they hold is taken off the
    node in one step while another pod is filtered (not one NodeInfo.add per nominated pod)."""

    __slots__ = ("cpu", "memory", "ephemeral", "pods", "scalars", "ports")

    def __init__(self) -> None:
        self.cpu = self.memory = self.ephemeral = self.pods = 0
        self.scalars: collections.Counter = collections.Counter()
        self.ports: collections.Counter = collections.Counter()

    def add(self, p: PodInfo, sign: int = 1) -> None:
        r = p.requests
        self.cpu += sign * r.cpu
        self.memory += sign * r.memory
        self.ephemeral += sign * r.ephemeral
        self.pods += sign
        for k, v in r.scalars.items():
            self.scalars[k] += sign * v
        for port in p.ports:
            self.ports[port] += sign
            if self.ports[port] <= 0:
                del self.ports[port]

    def copy(self) -> "Held":
        h = Held()
        h.cpu, h.memory, h.ephemeral, h.pods = self.cpu, self.memory, self.ephemeral, self.pods
        h.scalars = collections.Counter(self.scalars)
        h.ports = collections.Counter(self.ports)
        return h


class LabelGroup:
    """Bound pods of one namespace with identical labels, counted per node: `all` (as the
    InterPodAffinity plugin sees them) and `live` (not terminating: PodTopologySpread)."""

    __slots__ = ("ns", "labels", "all", "live")

    def __init__(self, ns: str, labels: dict):
        self.ns, self.labels = ns, labels
        self.all: collections.Counter = collections.Counter()
        self.live: collections.Counter = collections.Counter()


class TermsGroup:
    """Bound pods that carry the same pod (anti-)affinity terms, counted per node."""

    __slots__ = ("info", "nodes")

    def __init__(self, info: PodInfo):
        self.info = info
        self.nodes: collections.Counter = collections.Counter()


def _bump(counter: collections.Counter, node: str, by: int) -> None:
    counter[node] += by
    if counter[node] <= 0:
        del counter[node]


class SchedulerCache:
    """NodeInfos by name plus the assignment of every bound, non-terminal pod."""

    def __init__(self) -> None:
        self.nodes: dict[str, NodeInfo] = {}
        self.assigned: dict[str, tuple[str, PodInfo]] = {}       # pod key -> (node, info)
        self._infos: dict[str, PodInfo] = {}                     # pod key -> info (unbound pods)
        self.groups: dict[tuple, LabelGroup] = {}                # (ns, labels) -> bound pods per node
        self.with_terms: dict[tuple, TermsGroup] = {}            # bound pods with pod (anti-)affinity
        self.with_anti: dict[tuple, TermsGroup] = {}             # … of those, required anti-affinity
        self.terminating: set[str] = set()                       # bound pods being deleted
        # How many bound pods have each priority: preemption looks for victims only when some
        # bound pod has a lower priority than the pod that does not fit (rarely, in most clusters).
        self.priorities: collections.Counter = collections.Counter()
        # live_nodes() as last built: every pod's attempt reads it, nodes come and go rarely
        # (None: a node appeared, got its object or went since).
        self._live: list[NodeInfo] | None = None
        # Every NodeInfo adds itself to each of these sets when it changes (score_window.py).
        self.node_watchers: list[set[NodeInfo]] = []

    def pod_info(self, key: str, pod: dict) -> PodInfo:
        info = self._infos.get(key)
        spec, labels = pod.get("spec"), _labels(pod)
        if info is None or info.spec is not spec or (info.labels is not labels and info.labels != labels):
            if info is not None and info.spec == spec and info.labels == labels:
                info.spec, info.labels = spec, labels
            else:
                info = PodInfo(key, pod)
            self._infos[key] = info
        return info

    def bound_changed(self, key: str, pod: dict, terminating: bool) -> bool:
        """A bound pod's labels or terminating state moved on: its groups must follow."""
        cur = self.assigned.get(key)
        return cur is not None and (cur[1].labels != _labels(pod) or (key in self.terminating) != terminating)

    def forget_info(self, key: str) -> None:
        self._infos.pop(key, None)

    def set_node(self, node: dict) -> NodeInfo:
        name = node["metadata"]["name"]
        ni = self.nodes.get(name)
        if ni is None:
            ni = self.nodes[name] = NodeInfo(name)
            ni.watchers = self.node_watchers
        if ni.node is None:
            self._live = None
        ni.set_node(node)
        return ni

    def remove_node(self, name: str) -> None:
        ni = self.nodes.get(name)
        if ni is not None:
            ni.node = None
            self._live = None
            if not ni.pods:
                del self.nodes[name]

    def assign(self, key: str, node: str, info: PodInfo, *, terminating: bool = False) -> None:
        """Count a pod on a node (idempotent: the scheduler assumes, then the watch confirms)."""
        cur = self.assigned.get(key)
        if cur is not None:
            if cur[0] == node and cur[1] is info and (key in self.terminating) == terminating:
                return
            self.unassign(key)
        ni = self.nodes.get(node)
        if ni is None:
            ni = self.nodes[node] = NodeInfo(node)
            ni.watchers = self.node_watchers
        ni.add(info, 1)
        self.assigned[key] = (node, info)
        self.priorities[info.priority] += 1
        self._infos.pop(key, None)
        if terminating:
            self.terminating.add(key)
        self._group(info, node, 1, terminating)

    def unassign(self, key: str) -> bool:
        cur = self.assigned.pop(key, None)
        if cur is None:
            return False
        ni = self.nodes.get(cur[0])
        if ni is not None:
            ni.add(cur[1], -1)
            if ni.node is None and not ni.pods:
                del self.nodes[cur[0]]
        terminating = key in self.terminating
        self.terminating.discard(key)
        prio = cur[1].priority
        self.priorities[prio] -= 1
        if self.priorities[prio] <= 0:
            del self.priorities[prio]
        self._group(cur[1], cur[0], -1, terminating)
        return True

    def _group(self, info: PodInfo, node: str, sign: int, terminating: bool) -> None:
        g = self.groups.get(info.group)
        if g is None:
            if sign < 0:
                return
            g = self.groups[info.group] = LabelGroup(info.namespace, info.labels)
        _bump(g.all, node, sign)
        if not terminating:
            _bump(g.live, node, sign)
        if not g.all:
            del self.groups[info.group]
        if info.terms_group is not None:
            for index in (self.with_terms, self.with_anti) if info.anti_required else (self.with_terms,):
                tg = index.get(info.terms_group)
                if tg is None:
                    if sign < 0:
                        continue
                    tg = index[info.terms_group] = TermsGroup(info)
                _bump(tg.nodes, node, sign)
                if not tg.nodes:
                    del index[info.terms_group]

    def lowest_priority(self) -> int | None:
        """The lowest priority among bound pods (None when there are none)."""
        return min(self.priorities) if self.priorities else None

    def pods_on(self, node: str) -> list[tuple[str, PodInfo]]:
        """The bound pods of one node, as (key, info)."""
        return [(k, info) for k, (n, info) in self.assigned.items() if n == node]

    def live_nodes(self) -> list[NodeInfo]:
        """The NodeInfos with a Node object, in the order they came (shared: read, never change it)."""
        live = self._live
        if live is None:
            live = self._live = [ni for ni in self.nodes.values() if ni.node is not None]
        return live


def _labels(pod: dict) -> dict:
    return (pod.get("metadata") or {}).get("labels") or {}
