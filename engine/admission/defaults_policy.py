"""Defaulting of ResourceQuota and LimitRange (k/k pkg/apis/core/v1/defaults.go): quantities
stored in canonical form, and a Container LimitRange item's missing default / defaultRequest
filled from max, default and min (SetDefaults_LimitRangeItem)."""
from __future__ import annotations


def resource_quota(obj: dict) -> None:
    from .defaults import canonical_resource_list
    spec = obj.get("spec")
    if isinstance(spec, dict):
        canonical_resource_list(spec.get("hard"))


def limit_range(obj: dict) -> None:
    from .defaults import canonical_resource_list
    spec = obj.get("spec")
    if not isinstance(spec, dict) or not isinstance(spec.get("limits"), list):
        return
    for item in spec["limits"]:
        if not isinstance(item, dict):
            continue
        for part in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
            canonical_resource_list(item.get(part))
        if item.get("type") != "Container":
            continue
        default = dict(item.get("default") or {})
        for k, v in (item.get("max") or {}).items():      # no default limit: the max
            default.setdefault(k, v)
        request = dict(item.get("defaultRequest") or {})
        for k, v in default.items():                        # no default request: the limit
            request.setdefault(k, v)
        for k, v in (item.get("min") or {}).items():        # ... or the min
            request.setdefault(k, v)
        if default:                                         # (empty maps are omitted)
            item["default"] = default
        if request:
            item["defaultRequest"] = request
