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
"""
from __future__ import annotations

import collections

from ..quantity import QuantityError, int_value, milli_value

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


class PodInfo:
    """One pod as the scheduler needs it; built once per pod spec."""

    __slots__ = ("key", "spec", "requests", "ports", "owner_uid", "tolerations", "node_selector",
                 "required_terms", "preferred_terms", "prefilter_names", "tolerates_unschedulable",
                 "simple")

    def __init__(self, key: str, pod: dict):
        spec = pod.get("spec") or {}
        self.key = key
        self.spec = spec
        self.requests = pod_requests(spec)
        self.ports = host_ports(spec)
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


def tolerates(toleration: dict, taint: dict) -> bool:
    """k/api core/v1 toleration.go ToleratesTaint."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    op = toleration.get("operator") or "Equal"
    if key and key != taint.get("key"):
        return False
    if op == "Exists":
        return True
    if op == "Equal":
        return (toleration.get("value") or "") == (taint.get("value") or "")
    return False


class NodeInfo:
    """One node: allocatable, the sum of requests of the pods on it, and its scheduling traits."""

    __slots__ = ("name", "node", "labels", "alloc_cpu", "alloc_memory", "alloc_ephemeral", "alloc_pods",
                 "alloc_scalars", "req_cpu", "req_memory", "req_ephemeral", "req_scalars", "nz_cpu",
                 "nz_memory", "pods", "ports", "owners", "hard_taints", "soft_taints", "unschedulable",
                 "ready", "plain")

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

    def set_node(self, node: dict) -> None:
        self.node = node
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


class SchedulerCache:
    """NodeInfos by name plus the assignment of every bound, non-terminal pod."""

    def __init__(self) -> None:
        self.nodes: dict[str, NodeInfo] = {}
        self.assigned: dict[str, tuple[str, PodInfo]] = {}       # pod key -> (node, info)
        self._infos: dict[str, PodInfo] = {}                     # pod key -> info (unbound pods)

    def pod_info(self, key: str, pod: dict) -> PodInfo:
        info = self._infos.get(key)
        if info is None or info.spec is not pod.get("spec"):
            spec = pod.get("spec")
            if info is not None and info.spec == spec:
                info.spec = spec
            else:
                info = PodInfo(key, pod)
            self._infos[key] = info
        return info

    def forget_info(self, key: str) -> None:
        self._infos.pop(key, None)

    def set_node(self, node: dict) -> NodeInfo:
        name = node["metadata"]["name"]
        ni = self.nodes.get(name)
        if ni is None:
            ni = self.nodes[name] = NodeInfo(name)
        ni.set_node(node)
        return ni

    def remove_node(self, name: str) -> None:
        ni = self.nodes.get(name)
        if ni is not None:
            ni.node = None
            if not ni.pods:
                del self.nodes[name]

    def assign(self, key: str, node: str, info: PodInfo) -> None:
        """Count a pod on a node (idempotent: the scheduler assumes, then the watch confirms)."""
        cur = self.assigned.get(key)
        if cur is not None:
            if cur[0] == node and cur[1] is info:
                return
            self.unassign(key)
        ni = self.nodes.get(node)
        if ni is None:
            ni = self.nodes[node] = NodeInfo(node)
        ni.add(info, 1)
        self.assigned[key] = (node, info)
        self._infos.pop(key, None)

    def unassign(self, key: str) -> bool:
        cur = self.assigned.pop(key, None)
        if cur is None:
            return False
        ni = self.nodes.get(cur[0])
        if ni is not None:
            ni.add(cur[1], -1)
            if ni.node is None and not ni.pods:
                del self.nodes[cur[0]]
        return True

    def live_nodes(self) -> list[NodeInfo]:
        return [ni for ni in self.nodes.values() if ni.node is not None]
