"""HorizontalPodAutoscaler (autoscaling/v2, the stored version): defaulting as
k/k pkg/apis/autoscaling/v2/defaults.go does it, validation as pkg/apis/autoscaling/validation.

Defaulting fills minReplicas (1) and, when no metric is given, the CPU utilization metric at 80 %;
a `behavior` that is present gets its missing rules and fields from upstream's defaults (scale up:
no stabilization, the larger of +4 pods and +100 % each 15 s; scale down: +100 % each 15 s, its
stabilization window left unset so the controller applies its own 300 s). An absent `behavior`
stays absent — the controller then uses its older rules (at most double, at least 4, per sync).
"""
from __future__ import annotations

import copy
from typing import TypeGuard

from .. import quantity
from ..errors import FieldError
from . import names as naming
from .fields import forbidden, invalid, not_supported, required
from .validation_meta import validate_object_meta, validate_object_meta_update

DEFAULT_CPU_UTILIZATION = 80
MAX_STABILIZATION_WINDOW_SECONDS = 3600
MAX_PERIOD_SECONDS = 1800

SCALE_UP_DEFAULTS = {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                     "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                                  {"type": "Percent", "value": 100, "periodSeconds": 15}]}
SCALE_DOWN_DEFAULTS = {"selectPolicy": "Max",
                       "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}

_SOURCE_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"]
_TARGET_TYPES = ("Utilization", "Value", "AverageValue")
_SELECT_POLICIES = ["Disabled", "Max", "Min"]
_POLICY_TYPES = ["Percent", "Pods"]


def _is_int(v: object) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _dict(v) -> dict:
    return v if isinstance(v, dict) else {}


# ---- defaulting ----------------------------------------------------------------------------------

def _rules(given, defaults: dict) -> dict:
    """copyHPAScalingRules: the given fields, the default for each one not set."""
    out = copy.deepcopy(defaults)
    if isinstance(given, dict):
        for k in ("stabilizationWindowSeconds", "selectPolicy", "policies"):
            if given.get(k) is not None:
                out[k] = given[k]
    return out


def horizontal_pod_autoscaler(obj: dict) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = obj["spec"] = {}
    if spec.get("minReplicas") is None:
        spec["minReplicas"] = 1
    if not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": DEFAULT_CPU_UTILIZATION}}}]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        behavior["scaleUp"] = _rules(behavior.get("scaleUp"), SCALE_UP_DEFAULTS)
        behavior["scaleDown"] = _rules(behavior.get("scaleDown"), SCALE_DOWN_DEFAULTS)


# ---- validation ----------------------------------------------------------------------------------

def _path_segment(value: str, path: str) -> list[FieldError]:
    """IsValidPathSegmentName."""
    if value in (".", ".."):
        return [invalid(path, value, f"may not be '{value}'")]
    return [invalid(path, value, f"may not contain '{c}'") for c in ("/", "%") if c in value]


def _cross_version_ref(ref, path: str) -> list[FieldError]:
    ref = _dict(ref)
    errs: list[FieldError] = []
    for field in ("kind", "name"):
        v = ref.get(field) or ""
        errs.extend(_path_segment(v, f"{path}.{field}") if v else [required(f"{path}.{field}")])
    return errs


def _positive_quantity(v) -> bool:
    try:
        return quantity.parse_quantity(v) > 0
    except (ValueError, TypeError, quantity.QuantityError):
        return False


def _metric_target(mt, path: str) -> list[FieldError]:
    mt = _dict(mt)
    errs: list[FieldError] = []
    t = mt.get("type") or ""
    if not t:
        errs.append(required(f"{path}.type", "must specify a metric target type"))
    if t not in _TARGET_TYPES:
        errs.append(invalid(f"{path}.type", t, "must be either Utilization, Value, or AverageValue"))
    for field in ("value", "averageValue"):
        if mt.get(field) is not None and not _positive_quantity(mt[field]):
            errs.append(invalid(f"{path}.{field}", mt[field], "must be positive"))
    u = mt.get("averageUtilization")
    if u is not None and (not _is_int(u) or u < 1):
        errs.append(invalid(f"{path}.averageUtilization", u, "must be greater than 0"))
    return errs


def _resource_source(src: dict, path: str, container: bool) -> list[FieldError]:
    errs: list[FieldError] = []
    if not src.get("name"):
        errs.append(required(f"{path}.name", "must specify a resource name"))
    if container and not src.get("container"):
        errs.append(required(f"{path}.container", "must specify a container"))
    target = _dict(src.get("target"))
    if target.get("averageUtilization") is None and target.get("averageValue") is None:
        errs.append(required(f"{path}.target.averageUtilization",
                             "must set either a target raw value or a target utilization"))
    errs.extend(_metric_target(target, f"{path}.target"))
    if target.get("averageUtilization") is not None and target.get("averageValue") is not None:
        errs.append(forbidden(f"{path}.target.averageValue",
                              "may not set both a target raw value and a target utilization"))
    return errs


def _metric_identifier(src: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    metric = _dict(src.get("metric"))
    if not metric.get("name"):
        errs.append(required(f"{path}.metric.name", "must specify a metric name"))
    errs.extend(_metric_target(src.get("target"), f"{path}.target"))
    return errs


_SOURCES = {"resource": "Resource", "containerResource": "ContainerResource", "pods": "Pods",
            "object": "Object", "external": "External"}


def _metric_spec(spec, path: str) -> list[FieldError]:
    spec = _dict(spec)
    errs: list[FieldError] = []
    t = spec.get("type") or ""
    if not t:
        errs.append(required(f"{path}.type", "must specify a metric source type"))
    if t not in _SOURCE_TYPES:
        errs.append(not_supported(f"{path}.type", t, _SOURCE_TYPES))
    present = [f for f in ("object", "pods", "resource", "containerResource", "external")
               if spec.get(f) is not None]
    if present:
        first = present[0]
        src = _dict(spec[first])
        if first in ("resource", "containerResource"):
            errs.extend(_resource_source(src, f"{path}.{first}", first == "containerResource"))
        else:
            if first == "object":
                errs.extend(_cross_version_ref(src.get("describedObject"), f"{path}.object.describedObject"))
            errs.extend(_metric_identifier(src, f"{path}.{first}"))
    expected = t[:1].lower() + t[1:]
    if expected not in present:
        errs.append(required(f"{path}.{expected}", "must populate information for the given metric source"))
    for other in present:
        if other != expected and len(present) != 1:
            errs.append(forbidden(f"{path}.{other}", "must populate the given metric source only"))
    return errs


def _scaling_rules(rules, path: str) -> list[FieldError]:
    if not isinstance(rules, dict):
        return []
    errs: list[FieldError] = []
    w = rules.get("stabilizationWindowSeconds")
    if _is_int(w) and w < 0:
        errs.append(invalid(f"{path}.stabilizationWindowSeconds", w, "must be greater than or equal to zero"))
    if _is_int(w) and w > MAX_STABILIZATION_WINDOW_SECONDS:
        errs.append(invalid(f"{path}.stabilizationWindowSeconds", w,
                            f"must be less than or equal to {MAX_STABILIZATION_WINDOW_SECONDS}"))
    sp = rules.get("selectPolicy")
    if sp is not None and sp not in _SELECT_POLICIES:
        errs.append(not_supported(f"{path}.selectPolicy", sp, _SELECT_POLICIES))
    policies = rules.get("policies") or []
    if not policies:
        errs.append(required(f"{path}.policies", "must specify at least one Policy"))
    for i, p in enumerate(policies):
        p = _dict(p)
        ppath = f"{path}.policies[{i}]"
        if p.get("type") not in _POLICY_TYPES:
            errs.append(not_supported(f"{ppath}.type", p.get("type") or "", _POLICY_TYPES))
        value, period = p.get("value") or 0, p.get("periodSeconds") or 0
        if value <= 0:
            errs.append(invalid(f"{ppath}.value", value, "must be greater than zero"))
        if period <= 0:
            errs.append(invalid(f"{ppath}.periodSeconds", period, "must be greater than zero"))
        if period > MAX_PERIOD_SECONDS:
            errs.append(invalid(f"{ppath}.periodSeconds", period,
                                f"must be less than or equal to {MAX_PERIOD_SECONDS}"))
    return errs


def _spec_errors(spec) -> list[FieldError]:
    spec = _dict(spec)
    errs: list[FieldError] = []
    lo, hi = spec.get("minReplicas"), spec.get("maxReplicas") or 0
    if _is_int(lo) and lo < 1:
        errs.append(invalid("spec.minReplicas", lo, "must be greater than or equal to 1"))
    if _is_int(hi) and hi < 1:
        errs.append(invalid("spec.maxReplicas", hi, "must be greater than 0"))
    if _is_int(lo) and _is_int(hi) and hi < lo:
        errs.append(invalid("spec.maxReplicas", hi, "must be greater than or equal to `minReplicas`"))
    errs.extend(_cross_version_ref(spec.get("scaleTargetRef"), "spec.scaleTargetRef"))
    for i, m in enumerate(spec.get("metrics") or []):
        errs.extend(_metric_spec(m, f"spec.metrics[{i}]"))
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        errs.extend(_scaling_rules(behavior.get("scaleUp"), "spec.behavior.scaleUp"))
        errs.extend(_scaling_rules(behavior.get("scaleDown"), "spec.behavior.scaleDown"))
    return errs


def _name(name: str, prefix: bool) -> tuple[str, ...]:
    # ValidateHorizontalPodAutoscalerName = ValidateReplicationControllerName: a DNS subdomain
    return naming.name_is_dns_subdomain(name, prefix)


def validate(obj: dict) -> list[FieldError]:
    return validate_object_meta(_dict(obj.get("metadata")), True, _name) + _spec_errors(obj.get("spec"))


def validate_update(new: dict, old: dict) -> list[FieldError]:
    return (validate_object_meta_update(_dict(new.get("metadata")), _dict(old.get("metadata")))
            + _spec_errors(new.get("spec")))


def validate_status(new: dict, old: dict) -> list[FieldError]:
    status = _dict(new.get("status"))
    errs: list[FieldError] = []
    # (upstream's path for the second really is spelled "desiredReplicasa")
    for field, path in (("currentReplicas", "status.currentReplicas"), ("desiredReplicas", "status.desiredReplicasa")):
        v = status.get(field)
        if _is_int(v) and v < 0:
            errs.append(invalid(path, v, "must be greater than or equal to 0"))
    return errs
