"""Validation of the served kinds: the dispatcher. Kind-specific rules live in validation_core.py
(core/v1 and the small groups) and validation_apps.py (apps/v1), pod specs in validation_pod.py,
and what all kinds share (object metadata, labels, selectors) in validation_meta.py.

`validate_create(obj)` and `validate_update(new, old)` return the list of FieldErrors (empty when
the object is valid); the facade turns a non-empty list into errors.Invalid.
"""
from __future__ import annotations

from ..errors import FieldError
from . import validation_apps, validation_core, validation_policy, validation_scheduling
from .validation_meta import validate_object_meta_update


def validate_create(obj: dict) -> list[FieldError]:
    kind = obj.get("kind") or ""
    fn = (validation_core.CREATE.get(kind) or validation_apps.CREATE.get(kind)
          or validation_policy.CREATE.get(kind) or validation_scheduling.CREATE.get(kind))
    return fn(obj) if fn else []


def validate_update(new: dict, old: dict) -> list[FieldError]:
    kind = new.get("kind") or ""
    fn = (validation_core.UPDATE.get(kind) or validation_apps.UPDATE.get(kind)
          or validation_policy.UPDATE.get(kind) or validation_scheduling.UPDATE.get(kind))
    return fn(new, old) if fn else []


def validate_status_update(new: dict, old: dict) -> list[FieldError]:
    kind = new.get("kind") or ""
    errs = validate_object_meta_update(new.get("metadata") or {}, old.get("metadata") or {})
    fn = (validation_core.STATUS.get(kind) or validation_apps.STATUS.get(kind)
          or validation_policy.STATUS.get(kind))
    if fn:
        errs.extend(fn(new, old))
    return errs


