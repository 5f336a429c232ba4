"""Validation of PriorityClass (scheduling.k8s.io/v1), as k/k
pkg/apis/scheduling/validation/validation.go (ValidatePriorityClass, ValidatePriorityClassUpdate).

Names starting with `system-` are reserved for the built-in classes (and must carry their value
and globalDefault); a user class may not go above 1,000,000,000 (HighestUserDefinablePriority);
value and preemptionPolicy never change. Only one class may be globalDefault: that needs the
other classes, so it is the Priority admission plugin's check (engine/admission/priority.py).
"""
from __future__ import annotations

from ..errors import FieldError
from . import names as naming
from .fields import forbidden, not_supported, required
from .validation_meta import immutable, validate_object_meta, validate_object_meta_update

SYSTEM_PREFIX = "system-"
HIGHEST_USER_DEFINABLE = 1000000000
# pkg/apis/scheduling/types.go SystemPriorityClasses: name → (value, globalDefault, description).
SYSTEM_CLASSES = {
    "system-node-critical": (2000001000, False, "Used for system critical pods that must not be moved from their current node."),
    "system-cluster-critical": (2000000000, False, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
}
PREEMPTION_POLICIES = ("Never", "PreemptLowerPriority")


def _meta(obj: dict) -> dict:
    m = obj.get("metadata")
    return m if isinstance(m, dict) else {}


def _value(pc: dict) -> int:
    v = pc.get("value")
    return v if isinstance(v, int) else 0


def _known_system_class(name: str, value: int, global_default: bool) -> str | None:
    """IsKnownSystemPriorityClass: None when it is one, else the error text."""
    known = SYSTEM_CLASSES.get(name)
    if known is None:
        return f"{name} is not a known system priority class"
    if known[0] != value:
        return f"value of {name} PriorityClass must be {known[0]}"
    if known[1] != global_default:
        return f"globalDefault of {name} PriorityClass must be {str(known[1]).lower()}"
    return None


def validate_priority_class(pc: dict) -> list[FieldError]:
    md = _meta(pc)
    errs = validate_object_meta(md, False, naming.name_is_dns_subdomain)
    name = md.get("name") or ""
    value = _value(pc)
    if name.startswith(SYSTEM_PREFIX):
        why = _known_system_class(name, value, bool(pc.get("globalDefault")))
        if why is not None:
            errs.append(forbidden("metadata.name", f"priority class names with '{SYSTEM_PREFIX}' prefix are "
                                                   f"reserved for system use only. error: {why}"))
    elif value > HIGHEST_USER_DEFINABLE:
        errs.append(forbidden("value", f"maximum allowed value of a user defined priority is {HIGHEST_USER_DEFINABLE}"))
    policy = pc.get("preemptionPolicy")
    if policy is not None:
        if policy == "":
            errs.append(required("preemptionPolicy"))
        elif policy not in PREEMPTION_POLICIES:
            errs.append(not_supported("preemptionPolicy", policy, ("PreemptLowerPriority", "Never")))
    return errs


def validate_priority_class_update(pc: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_meta(pc), _meta(old))
    if _value(pc) != _value(old):
        errs.append(forbidden("value", "may not be changed in an update."))
    errs.extend(immutable(pc.get("preemptionPolicy"), old.get("preemptionPolicy"), "preemptionPolicy"))
    return errs


CREATE = {"PriorityClass": validate_priority_class}
UPDATE = {"PriorityClass": validate_priority_class_update}
