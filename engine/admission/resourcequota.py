"""The ResourceQuota admission plugin (k/k plugin/pkg/admission/resourcequota and
staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota): a create that would take a
namespace's use of a quota's resource past its hard limit is Forbidden with upstream's text,
`exceeded quota: q, requested: requests.cpu=1, used: requests.cpu=1500m, limited: requests.cpu=2`;
a pod that leaves a quota'd cpu or memory unspecified is refused with `failed quota: q: must
specify requests.cpu for: c`.

Upstream compares with the quota's status.used, which its admission increments on every
admitted object; here `used` is computed from the stored objects at the moment of the write
(what that bookkeeping amounts to), so two quick creates cannot both slip under the limit."""
from __future__ import annotations

from fractions import Fraction

from .. import errors, objects, quota_usage, resources as kinds


def hard_of(quota: dict) -> dict:
    """What the quota enforces: status.hard once the controller has written it (upstream reads
    nothing else), spec.hard until then."""
    return (quota.get("status") or {}).get("hard") or (quota.get("spec") or {}).get("hard") or {}


def check_create(store, rt: kinds.ResourceType, obj: dict, quotas: list[dict], now: float) -> None:
    if not quotas:
        return
    ns = objects.namespace_of(obj)
    requested_all = quota_usage.usage(rt, obj, now)
    name = objects.name_of(obj)
    for quota in sorted(quotas, key=objects.name_of):
        if not quota_usage.quota_matches(quota, rt, obj):
            continue
        hard = hard_of(quota)
        qname = objects.name_of(quota)
        restricted = [k for k in hard if quota_usage.rt_for(k) is rt]
        if not restricted:
            continue
        if rt is kinds.POD:
            _constraints(obj, qname, restricted, rt, name)
        requested = {k: requested_all[k] for k in restricted if requested_all.get(k)}
        if not requested:
            continue
        used = quota_usage.namespace_usage(store, ns, restricted, now, scoped=quota)
        exceeded = sorted(k for k, v in requested.items()
                          if used.get(k, Fraction(0)) + v > quota_usage.parse(hard[k]))
        if exceeded:
            raise errors.Forbidden(rt.name, rt.group, name,
                                   f"exceeded quota: {qname}, "
                                   f"requested: {quota_usage.pretty({k: requested[k] for k in exceeded}, hard)}, "
                                   f"used: {quota_usage.pretty({k: used.get(k, Fraction(0)) for k in exceeded}, hard)}, "
                                   f"limited: {quota_usage.pretty({k: quota_usage.parse(hard[k]) for k in exceeded}, hard)}")


def _constraints(pod: dict, qname: str, restricted: list[str], rt: kinds.ResourceType, name: str) -> None:
    """podEvaluator.Constraints: each container must request what a quota on cpu/memory counts."""
    required = {r for r in restricted if r in quota_usage.MUST_SPECIFY}
    if not required:
        return
    missing: dict[str, set[str]] = {}
    spec = pod.get("spec") or {}
    for c in list(spec.get("containers") or ()) + list(spec.get("initContainers") or ()):
        res = c.get("resources") or {}
        have = set(quota_usage.container_usage(res.get("requests") or {}, res.get("limits") or {}))
        for r in required - have:
            missing.setdefault(r, set()).add(c.get("name", ""))
    if missing:
        why = "; ".join(f"must specify {r} for: {','.join(sorted(missing[r]))}" for r in sorted(missing))
        raise errors.Forbidden(rt.name, rt.group, name, f"failed quota: {qname}: {why}")
