"""Validation of the served kinds: the dispatcher. Kind-specific rules live in one module per
group of kinds — validation_core.py (core/v1 and the small groups), validation_apps.py (apps/v1),
validation_policy.py (PodDisruptionBudget, ResourceQuota, LimitRange), secrets.py (Secret,
ServiceAccount), batch.py (Job, CronJob), storage.py (PersistentVolume, claims, StorageClass),
autoscaling.py (HorizontalPodAutoscaler), validation_scheduling.py (PriorityClass), network_policy.py (NetworkPolicy),
validation_networking.py (Ingress, IngressClass), validation_rbac.py (RBAC) — pod specs in validation_pod.py, and what all kinds
share (object metadata, labels, selectors) in validation_meta.py. Each module offers CREATE,
UPDATE and STATUS tables keyed by kind (autoscaling.py its three functions).

`validate_create(obj)` and `validate_update(new, old)` return the list of FieldErrors (empty when
the object is valid); the facade turns a non-empty list into errors.Invalid.
"""
from __future__ import annotations

from ..errors import FieldError
from . import (autoscaling, batch, network_policy, secrets, storage, validation_apps, validation_core,
               validation_networking, validation_policy, validation_rbac, validation_scheduling)
from .validation_meta import validate_object_meta_update

_MODULES = (validation_core, validation_apps, validation_policy, secrets, batch, storage, validation_scheduling,
            network_policy, validation_rbac, validation_networking)

# kinds kept in modules of their own functions: kind -> (create, update, status update)
_OWN_MODULES = {"HorizontalPodAutoscaler": (autoscaling.validate, autoscaling.validate_update,
                                            autoscaling.validate_status)}


def _lookup(table: str, kind: str):
    for module in _MODULES:
        fn = getattr(module, table, {}).get(kind)
        if fn:
            return fn
    return None


def validate_create(obj: dict) -> list[FieldError]:
    kind = obj.get("kind") or ""
    if kind in _OWN_MODULES:
        return _OWN_MODULES[kind][0](obj)
    fn = _lookup("CREATE", kind)
    return fn(obj) if fn else []


def validate_update(new: dict, old: dict) -> list[FieldError]:
    kind = new.get("kind") or ""
    if kind in _OWN_MODULES:
        return _OWN_MODULES[kind][1](new, old)
    fn = _lookup("UPDATE", kind)
    return fn(new, old) if fn else []


def validate_status_update(new: dict, old: dict) -> list[FieldError]:
    kind = new.get("kind") or ""
    errs = validate_object_meta_update(new.get("metadata") or {}, old.get("metadata") or {})
    fn = _lookup("STATUS", kind) or (_OWN_MODULES[kind][2] if kind in _OWN_MODULES else None)
    if fn:
        errs.extend(fn(new, old))
    return errs
