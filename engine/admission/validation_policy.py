"""Validation of PodDisruptionBudget (policy/v1), ResourceQuota and LimitRange (core/v1).

Upstream: k/k pkg/apis/policy/validation/validation.go (ValidatePodDisruptionBudgetSpec),
pkg/apis/core/validation/validation.go (ValidateResourceQuota, ValidateLimitRange). Object
metadata is validated as the registry's BeforeCreate does for every kind.
"""
from __future__ import annotations

from .. import quantity
from ..errors import FieldError
from . import names as naming
from .fields import GoStruct, RenderedFieldError, duplicate, forbidden, invalid, not_supported
from .validation_apps import not_more_than_100_percent, positive_int_or_percent
from .validation_meta import (as_list, str_map, validate_label_selector, validate_object_meta,
                              validate_object_meta_update)
from .validation_pod import _INTEGER_RESOURCES, _STANDARD_RESOURCES, _container_resource_name

_UNHEALTHY_POLICIES = ("AlwaysAllow", "IfHealthyBudget")
_LIMIT_TYPES = ("Container", "Pod", "PersistentVolumeClaim")
_QUOTA_SCOPES = ("BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating",
                 "PriorityClass", "Terminating", "VolumeAttributesClass")
_INVALID_QUOTA_RESOURCE = "must be a standard resource for quota"


def _meta(obj: dict) -> dict:
    m = obj.get("metadata")
    return m if isinstance(m, dict) else {}


def _spec(obj: dict) -> dict:
    s = obj.get("spec")
    return s if isinstance(s, dict) else {}


def _stringer(path: str, q, detail: str) -> FieldError:
    """field.Invalid with a resource.Quantity as the bad value: Go prints it with its String()
    (a fmt.Stringer), so without the quotes a string value gets."""
    return RenderedFieldError(path, "Invalid value", q, detail, True, quantity.canonical_quantity(q))


# ---- PodDisruptionBudget -------------------------------------------------------------------------

def validate_pdb(pdb: dict) -> list[FieldError]:
    errs = validate_object_meta(_meta(pdb), True, naming.name_is_dns_subdomain)
    spec = _spec(pdb)
    min_av, max_un = spec.get("minAvailable"), spec.get("maxUnavailable")
    if min_av is not None and max_un is not None:
        errs.append(invalid("spec", _spec_value(spec), "minAvailable and maxUnavailable cannot be both set"))
    for key, v in (("minAvailable", min_av), ("maxUnavailable", max_un)):
        if v is not None:
            errs.extend(positive_int_or_percent(v, f"spec.{key}"))
            errs.extend(not_more_than_100_percent(v, f"spec.{key}"))
    errs.extend(validate_label_selector(spec.get("selector"), "spec.selector"))
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in _UNHEALTHY_POLICIES:
        errs.append(not_supported("spec.unhealthyPodEvictionPolicy", policy, _UNHEALTHY_POLICIES))
    return errs


def _spec_value(spec: dict) -> GoStruct:
    """The bad value is the whole spec struct: rendered as the project renders structs (fields.py),
    in PodDisruptionBudgetSpec's declaration order, unset pointers left out."""
    return GoStruct((k, spec[k]) for k in ("minAvailable", "selector", "maxUnavailable", "unhealthyPodEvictionPolicy")
                    if spec.get(k) is not None)


def validate_pdb_update(new: dict, old: dict) -> list[FieldError]:
    return validate_object_meta_update(_meta(new), _meta(old)) + validate_pdb(new)


def validate_pdb_status_update(new: dict, old: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    st = new.get("status") or {}
    for key in ("disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"):
        v = st.get(key)
        if isinstance(v, int) and v < 0:
            errs.append(invalid(f"status.{key}", v, "must be greater than or equal to 0"))
    return errs


# ---- ResourceQuota -------------------------------------------------------------------------------

def _quota_resource_name(name: str, path: str) -> list[FieldError]:
    errs = [invalid(path, name, m) for m in naming.is_qualified_name(name)]
    if "/" not in name and name not in _STANDARD_RESOURCES and not name.startswith("hugepages-") \
            and not name.startswith("requests.hugepages-"):
        errs.append(invalid(path, name, _INVALID_QUOTA_RESOURCE))
    return errs


def _quantity_value(name: str, value, path: str) -> list[FieldError]:
    try:
        q = quantity.parse_quantity(value)
    except quantity.QuantityError:
        return []                       # the decoder has refused it already
    errs: list[FieldError] = []
    if q < 0:
        errs.append(invalid(path, quantity.canonical_quantity(value), "must be greater than or equal to 0"))
    if name in _INTEGER_RESOURCES and q.denominator != 1:
        errs.append(invalid(path, quantity.canonical_quantity(value), "must be an integer"))
    return errs


def validate_resource_quota(rq: dict) -> list[FieldError]:
    errs = validate_object_meta(_meta(rq), True, naming.name_is_dns_subdomain)
    spec = _spec(rq)
    for name, value in str_map(spec.get("hard")).items():
        path = f"spec.hard[{name}]"
        errs.extend(_quota_resource_name(name, path))
        errs.extend(_quantity_value(name, value, path))
    for i, scope in enumerate(as_list(spec.get("scopes"))):
        if scope not in _QUOTA_SCOPES:
            errs.append(not_supported(f"spec.scopes[{i}]", scope, _QUOTA_SCOPES))
    return errs


def validate_resource_quota_update(new: dict, old: dict) -> list[FieldError]:
    return validate_object_meta_update(_meta(new), _meta(old)) + validate_resource_quota(new)


def validate_resource_quota_status_update(new: dict, old: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    st = new.get("status") or {}
    for part in ("hard", "used"):
        for name, value in str_map(st.get(part)).items():
            errs.extend(_quantity_value(name, value, f"status.{part}[{name}]"))
    return errs


# ---- LimitRange ----------------------------------------------------------------------------------

def _limit_resource_name(limit_type: str, name: str, path: str) -> list[FieldError]:
    if limit_type in ("Container", "Pod"):
        return _container_resource_name(name, path)
    return [invalid(path, name, m) for m in naming.is_qualified_name(name)]


def validate_limit_range(lr: dict) -> list[FieldError]:
    errs = validate_object_meta(_meta(lr), True, naming.name_is_dns_subdomain)
    seen: set[str] = set()
    for i, item in enumerate(as_list(_spec(lr).get("limits"))):
        if not isinstance(item, dict):
            continue
        at = f"spec.limits[{i}]"
        ltype = item.get("type") or ""
        type_errs = [invalid(f"{at}.type", ltype, m) for m in naming.is_qualified_name(ltype)]
        errs.extend(type_errs)
        if not type_errs and ltype not in _LIMIT_TYPES and "/" not in ltype:
            errs.append(invalid(f"{at}.type", ltype, "must be a standard limit type or fully qualified"))
        if ltype in seen:
            errs.append(duplicate(f"{at}.type", ltype))
        seen.add(ltype)
        parts: dict[str, dict] = {}
        keys: list[str] = []
        for part in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
            values = str_map(item.get(part))
            if ltype == "Pod" and part in ("default", "defaultRequest"):
                if values:
                    errs.append(forbidden(f"{at}.{part}", "may not be specified when `type` is 'Pod'"))
                continue
            parts[part] = values
            for name in values:
                errs.extend(_limit_resource_name(ltype, name, f"{at}.{part}[{name}]"))
                if name not in keys:
                    keys.append(name)
        errs.extend(_limit_range_consistency(at, keys, parts))
    return errs


def _limit_range_consistency(at: str, keys: list[str], parts: dict[str, dict]) -> list[FieldError]:
    errs: list[FieldError] = []

    def q(part: str, k: str):
        v = parts.get(part, {}).get(k)
        try:
            return None if v is None else quantity.parse_quantity(v)
        except quantity.QuantityError:
            return None

    def s(part: str, k: str) -> str:
        return quantity.canonical_quantity(parts[part][k])

    for k in keys:
        mn, mx, df, dr, ratio = q("min", k), q("max", k), q("default", k), q("defaultRequest", k), \
            q("maxLimitRequestRatio", k)
        if mn is not None and mx is not None and mn > mx:
            errs.append(_stringer(f"{at}.min[{k}]", parts["min"][k],
                                  f"min value {s('min', k)} is greater than max value {s('max', k)}"))
        if dr is not None and mn is not None and mn > dr:
            errs.append(_stringer(f"{at}.defaultRequest[{k}]", parts["defaultRequest"][k],
                                  f"min value {s('min', k)} is greater than default request value {s('defaultRequest', k)}"))
        if dr is not None and mx is not None and dr > mx:
            errs.append(_stringer(f"{at}.defaultRequest[{k}]", parts["defaultRequest"][k],
                                  f"default request value {s('defaultRequest', k)} is greater than max value {s('max', k)}"))
        if dr is not None and df is not None and dr > df:
            errs.append(_stringer(f"{at}.defaultRequest[{k}]", parts["defaultRequest"][k],
                                  f"default request value {s('defaultRequest', k)} is greater than default limit value {s('default', k)}"))
        if df is not None and mn is not None and mn > df:
            errs.append(_stringer(f"{at}.default[{k}]", parts["min"][k],
                                  f"min value {s('min', k)} is greater than default value {s('default', k)}"))
        if df is not None and mx is not None and df > mx:
            errs.append(_stringer(f"{at}.default[{k}]", parts["max"][k],
                                  f"default value {s('default', k)} is greater than max value {s('max', k)}"))
        if ratio is not None and ratio < 1:
            errs.append(_stringer(f"{at}.maxLimitRequestRatio[{k}]", parts["maxLimitRequestRatio"][k],
                                  f"ratio {s('maxLimitRequestRatio', k)} is less than 1"))
        if ratio is not None and mn is not None and mx is not None and mn > 0:
            limit = float(mx / mn)
            if float(ratio) > limit:
                errs.append(_stringer(f"{at}.maxLimitRequestRatio[{k}]", parts["maxLimitRequestRatio"][k],
                                      f"ratio {s('maxLimitRequestRatio', k)} is greater than max/min = {limit:f}"))
    return errs


def validate_limit_range_update(new: dict, old: dict) -> list[FieldError]:
    return validate_object_meta_update(_meta(new), _meta(old)) + validate_limit_range(new)


CREATE = {"PodDisruptionBudget": validate_pdb, "ResourceQuota": validate_resource_quota,
          "LimitRange": validate_limit_range}
UPDATE = {"PodDisruptionBudget": validate_pdb_update, "ResourceQuota": validate_resource_quota_update,
          "LimitRange": validate_limit_range_update}
STATUS = {"PodDisruptionBudget": validate_pdb_status_update,
          "ResourceQuota": validate_resource_quota_status_update}
