"""The LimitRanger admission plugin (k/k plugin/pkg/admission/limitranger): a new Pod's
containers get the namespace's LimitRange defaults for what they leave unset (recorded in the
`kubernetes.io/limit-ranger` annotation), then every Container and Pod item's min, max and
maxLimitRequestRatio is enforced, each failure in upstream's words."""
from __future__ import annotations

from .. import errors, objects, quantity
from ..quota_usage import pod_requests_limits
from . import validation_pod

ANNOTATION = "kubernetes.io/limit-ranger"


def _merge(container: dict, limits: dict, requests: dict, what: str, notes: list[str]) -> None:
    """mergeContainerResources: fill what the container leaves unset."""
    res = dict(container.get("resources") or {})
    lim, req = dict(res.get("limits") or {}), dict(res.get("requests") or {})
    set_lim = sorted(k for k in limits if k not in lim)
    set_req = sorted(k for k in requests if k not in req)
    for k in set_lim:
        lim[k] = limits[k]
    for k in set_req:
        req[k] = requests[k]
    if set_lim or set_req:
        if lim:
            res["limits"] = lim
        if req:
            res["requests"] = req
        container["resources"] = res
    if set_req:
        notes.append(f"{', '.join(set_req)} request for {what} {container.get('name', '')}")
    if set_lim:
        notes.append(f"{', '.join(set_lim)} limit for {what} {container.get('name', '')}")


def _defaults(lr: dict) -> tuple[dict, dict]:
    """defaultContainerResourceRequirements: the Container items' default and defaultRequest."""
    limits: dict = {}
    requests: dict = {}
    for item in (lr.get("spec") or {}).get("limits") or ():
        if item.get("type") == "Container":
            limits.update(item.get("default") or {})
            requests.update(item.get("defaultRequest") or {})
    return limits, requests


def _s(v) -> str:
    return quantity.canonical_quantity(v)


def _observed(req, lim, enforced) -> tuple[int, int, int]:
    """requestLimitEnforcedValues: compare in milli-units unless a value is too large for them."""
    values = [req, lim, enforced]
    big = any(v is not None and quantity.int_value(v) > 9223372036854775 for v in values)
    conv = quantity.int_value if big else quantity.milli_value
    return tuple(conv(v) if v is not None else 0 for v in values)    # type: ignore[return-value]


def _min(ltype: str, name: str, enforced, requests: dict, limits: dict) -> str | None:
    req, lim = requests.get(name), limits.get(name)
    r, lv, e = _observed(req, lim, enforced)
    if req is None:
        return f"minimum {name} usage per {ltype} is {_s(enforced)}.  No request is specified"
    if r < e:
        return f"minimum {name} usage per {ltype} is {_s(enforced)}, but request is {_s(req)}"
    if lim is not None and lv < e:
        return f"minimum {name} usage per {ltype} is {_s(enforced)}, but limit is {_s(lim)}"
    return None


def _max(ltype: str, name: str, enforced, requests: dict, limits: dict) -> str | None:
    req, lim = requests.get(name), limits.get(name)
    r, lv, e = _observed(req, lim, enforced)
    if lim is None:
        return f"maximum {name} usage per {ltype} is {_s(enforced)}.  No limit is specified"
    if lv > e:
        return f"maximum {name} usage per {ltype} is {_s(enforced)}, but limit is {_s(lim)}"
    if req is not None and r > e:
        return f"maximum {name} usage per {ltype} is {_s(enforced)}, but request is {_s(req)}"
    return None


def _ratio(ltype: str, name: str, enforced, requests: dict, limits: dict) -> str | None:
    req, lim = requests.get(name), limits.get(name)
    r, lv, _ = _observed(req, lim, enforced)
    if req is None or r == 0:
        return (f"{name} max limit to request ratio per {ltype} is {_s(enforced)}, "
                "but no request is specified or request is 0")
    if lim is None or lv == 0:
        return (f"{name} max limit to request ratio per {ltype} is {_s(enforced)}, "
                "but no limit is specified or limit is 0")
    observed = lv / r
    allowed = float(quantity.parse_quantity(enforced))
    if observed > allowed:
        return (f"{name} max limit to request ratio per {ltype} is {_s(enforced)}, "
                f"but provided ratio is {observed:f}")
    return None


def _check(ltype: str, item: dict, requests: dict, limits: dict, out: list[str]) -> None:
    for part, fn in (("min", _min), ("max", _max), ("maxLimitRequestRatio", _ratio)):
        for name, enforced in (item.get(part) or {}).items():
            msg = fn(ltype, name, enforced, requests, limits)
            if msg:
                out.append(msg)


def admit_pod(pod: dict, limit_ranges: list[dict]) -> None:
    """Mutate `pod` (admission's own copy) with the defaults, then validate it against every
    LimitRange; raise Forbidden with the aggregated failures."""
    if not limit_ranges:
        return
    spec = pod.get("spec") or {}
    for lr in limit_ranges:
        limits, requests = _defaults(lr)
        if not limits and not requests:
            continue
        notes: list[str] = []
        for key, what in (("containers", "container"), ("initContainers", "init container")):
            if spec.get(key):
                spec[key] = [dict(c) for c in spec[key]]
                for c in spec[key]:
                    _merge(c, limits, requests, what, notes)
        if notes:
            md = pod["metadata"]
            md["annotations"] = dict(md.get("annotations") or {},
                                     **{ANNOTATION: "LimitRanger plugin set: " + "; ".join(notes)})
    # What defaulting could make invalid (a default limit below a request the pod sets), the
    # apiserver's validation, which runs after the mutating plugins, refuses.
    errs = []
    for key in ("containers", "initContainers"):
        for i, c in enumerate(spec.get(key) or ()):
            errs.extend(validation_pod.validate_resources(c.get("resources"), f"spec.{key}[{i}].resources"))
    if errs:
        raise errors.Invalid("Pod", "", objects.name_of(pod), errs)
    failures: list[str] = []
    for lr in limit_ranges:
        for item in (lr.get("spec") or {}).get("limits") or ():
            ltype = item.get("type")
            if ltype == "Container":
                for key in ("containers", "initContainers"):
                    for c in spec.get(key) or ():
                        res = c.get("resources") or {}
                        _check(ltype, item, res.get("requests") or {}, res.get("limits") or {}, failures)
            elif ltype == "Pod":
                requests, limits = pod_requests_limits(pod)
                _check(ltype, item, {k: quantity.format_quantity(v) for k, v in requests.items()},
                       {k: quantity.format_quantity(v) for k, v in limits.items()}, failures)
    if failures:
        why = failures[0] if len(failures) == 1 else "[" + ", ".join(failures) + "]"
        raise errors.Forbidden("pods", "", objects.name_of(pod), why)
