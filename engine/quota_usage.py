"""What an object counts against a ResourceQuota (k/k pkg/quota/v1/evaluator/core): shared by
the ResourceQuota admission plugin (engine/admission/resourcequota.py) and the quota controller
(engine/controllers/resourcequota.py), as upstream's evaluators are.

Usage is a dict resource name -> Fraction. A pod counts `pods`, `count/pods`, and its requests
and limits (`requests.cpu` and its alias `cpu`, `limits.memory`...) while it is not terminal;
other kinds count `count/<resource>[.<group>]` and, for the legacy core kinds, their plain name
(`services`, `configmaps`...); Services also count `services.nodeports` and
`services.loadbalancers`."""
from __future__ import annotations

from fractions import Fraction

from . import objects, quantity, resources as kinds

# The legacy object-count names (`configmaps` as well as `count/configmaps`).
LEGACY_COUNTS = {"services", "configmaps", "secrets", "persistentvolumeclaims", "resourcequotas",
                 "replicationcontrollers"}
# Resources whose quota requires every container to say how much it wants (podEvaluator's
# validationSet: "this was a mistake", upstream says, kept for compatibility).
MUST_SPECIFY = ("cpu", "limits.cpu", "limits.memory", "memory", "requests.cpu", "requests.memory")
_COMPUTE = ("cpu", "memory", "ephemeral-storage")


def count_name(rt: kinds.ResourceType) -> str:
    return f"count/{rt.name}.{rt.group}" if rt.group else f"count/{rt.name}"


def _q(v) -> Fraction:
    try:
        return quantity.parse_quantity(v)
    except quantity.QuantityError:
        return Fraction(0)


def container_usage(requests: dict, limits: dict) -> dict[str, Fraction]:
    """podComputeUsageHelper, without the pod count: what one container's (or one pod's summed)
    requests and limits put on the quota."""
    out: dict[str, Fraction] = {}
    for name, v in (requests or {}).items():
        if name in _COMPUTE:
            out[name] = out[f"requests.{name}"] = _q(v)
        elif name.startswith("hugepages-"):
            out[f"requests.{name}"] = _q(v)
        elif "/" in name:
            out[f"requests.{name}"] = _q(v)
    for name, v in (limits or {}).items():
        if name in _COMPUTE:
            out[f"limits.{name}"] = _q(v)
    return out


def pod_requests_limits(pod: dict) -> tuple[dict, dict]:
    """resourcehelper.PodRequests / PodLimits: the containers' sum, or the largest init
    container where that is more (init containers run one at a time), plus the overhead."""
    spec = pod.get("spec") or {}
    totals: tuple[dict, dict] = ({}, {})
    for c in spec.get("containers") or ():
        res = c.get("resources") or {}
        for total, part in zip(totals, (res.get("requests"), res.get("limits"))):
            for k, v in (part or {}).items():
                total[k] = total.get(k, 0) + _q(v)
    for c in spec.get("initContainers") or ():
        res = c.get("resources") or {}
        for total, part in zip(totals, (res.get("requests"), res.get("limits"))):
            for k, v in (part or {}).items():
                total[k] = max(total.get(k, 0), _q(v))
    for total in totals:
        for k, v in (spec.get("overhead") or {}).items():
            if k in total:
                total[k] += _q(v)
    return totals


def pod_matches_scope(pod: dict, scope: str) -> bool:
    """A quota scope (BestEffort, NotBestEffort, Terminating, NotTerminating) on one pod."""
    spec = pod.get("spec") or {}
    if scope in ("BestEffort", "NotBestEffort"):
        requests, limits = pod_requests_limits(pod)
        best_effort = not any(k in ("cpu", "memory") for k in (*requests, *limits))
        return best_effort == (scope == "BestEffort")
    if scope in ("Terminating", "NotTerminating"):
        return (spec.get("activeDeadlineSeconds") is not None) == (scope == "Terminating")
    return True


def _requirement_matches(pod: dict, req: dict) -> bool:
    """One scopeSelector requirement (ScopedResourceSelectorRequirement) on a pod."""
    scope, op, values = req.get("scopeName", ""), req.get("operator", ""), req.get("values") or ()
    if scope == "PriorityClass":
        name = (pod.get("spec") or {}).get("priorityClassName") or ""
        return {"In": name in values, "NotIn": name not in values, "Exists": bool(name),
                "DoesNotExist": not name}.get(op, False)
    matched = pod_matches_scope(pod, scope)
    return matched if op in ("Exists", "In") else not matched


def has_scopes(quota: dict) -> bool:
    spec = quota.get("spec") or {}
    return bool(spec.get("scopes") or (spec.get("scopeSelector") or {}).get("matchExpressions"))


def quota_matches(quota: dict, rt: kinds.ResourceType, obj: dict) -> bool:
    """quota.Matches: a quota with scopes (or a scopeSelector) counts pods only, those its scopes
    all select; an unscoped one counts everything."""
    if not has_scopes(quota):
        return True
    if rt is not kinds.POD:
        return False
    spec = quota.get("spec") or {}
    return (all(pod_matches_scope(obj, s) for s in spec.get("scopes") or ())
            and all(_requirement_matches(obj, r) for r in (spec.get("scopeSelector") or {}).get("matchExpressions") or ()))


def pod_counts(pod: dict, now: float) -> bool:
    """QuotaV1Pod: a pod uses compute quota until it is terminal or past its deletion grace."""
    status, md = pod.get("status") or {}, pod.get("metadata") or {}
    if status.get("phase") in ("Succeeded", "Failed"):
        return False
    if md.get("deletionTimestamp") and md.get("deletionGracePeriodSeconds") is not None:
        if now > objects.parse_time(md["deletionTimestamp"]) + md["deletionGracePeriodSeconds"]:
            return False
    return True


def usage(rt: kinds.ResourceType, obj: dict, now: float) -> dict[str, Fraction]:
    """Everything `obj` counts against a quota."""
    out: dict[str, Fraction] = {count_name(rt): Fraction(1)}
    if rt is kinds.POD:
        if pod_counts(obj, now):
            out["pods"] = Fraction(1)
            requests, limits = pod_requests_limits(obj)
            out.update(container_usage(requests, limits))
        return out
    if rt.name in LEGACY_COUNTS and not rt.group:
        out[rt.name] = Fraction(1)
    if rt is kinds.SERVICE:
        spec = obj.get("spec") or {}
        stype = spec.get("type") or "ClusterIP"
        ports = len(spec.get("ports") or ())
        out["services.loadbalancers"] = Fraction(1 if stype == "LoadBalancer" else 0)
        out["services.nodeports"] = Fraction(ports if stype in ("NodePort", "LoadBalancer") else 0)
    return out


def rt_for(name: str) -> kinds.ResourceType | None:
    """The kind a quota resource name counts (None for compute resources)."""
    if name.startswith("count/"):
        plural, _, group = name[len("count/"):].partition(".")
        return kinds.lookup(group, plural)
    if name in ("pods",) or name in _COMPUTE or name.startswith(("requests.", "limits.")):
        return kinds.POD
    if name.startswith("services."):
        return kinds.SERVICE
    if name in LEGACY_COUNTS:
        return kinds.lookup("", name)
    return None


def parse(v) -> Fraction:
    return _q(v)


def namespace_usage(store, namespace: str, names, now: float, *, scoped: dict | None = None) -> dict[str, Fraction]:
    """The namespace's current use of each of `names` (a quota's hard resources), from the
    stored objects: what the quota controller writes as status.used. `scoped`: the quota, whose
    scopes select the pods that count."""
    scoped_by = scoped if scoped is not None and has_scopes(scoped) else None
    wanted = set(names)
    out = {n: Fraction(0) for n in wanted}
    by_rt: dict = {}
    for n in wanted:
        rt = rt_for(n)
        if rt is not None:
            by_rt.setdefault(rt, set()).add(n)
    for rt, ns_names in by_rt.items():
        for obj in store.iter(rt, namespace):
            if scoped_by is not None and not quota_matches(scoped_by, rt, obj):
                continue
            for k, v in usage(rt, obj, now).items():
                if k in ns_names:
                    out[k] += v
    return out


def as_text(value: Fraction, like: str) -> str:
    """A summed usage as the apiserver prints it: in the format of the quota's own quantity for
    that resource (`1536Mi` against a `2Gi` hard limit, `1500m` against `2`), as Quantity.Add
    keeps the format of the quantities it adds."""
    try:
        fmt = quantity.quantity_format(like)
    except quantity.QuantityError:
        fmt = quantity.DECIMAL_SI
    return quantity.format_quantity(value, fmt)


def pretty(values: dict, hard: dict) -> str:
    """prettyPrint: `name=quantity` pairs, sorted by name, joined by commas."""
    return ",".join(f"{k}={as_text(v, hard.get(k, '0'))}" for k, v in sorted(values.items()))
