"""Admission for the served kinds (work in progress: defaulting and validation land next).

Public API (stable): admit_create(obj, *, strict=True), admit_update(new, old, *, strict=True),
admit_status_update(new, old). Each returns a new dict and never mutates its inputs.
"""
from __future__ import annotations

from .. import objects as O


def admit_create(obj: dict, *, strict: bool = True) -> dict:
    return O.clone(obj)


def admit_update(new: dict, old: dict, *, strict: bool = True) -> dict:
    return O.clone(new)


def admit_status_update(new: dict, old: dict) -> dict:
    return dict(new)
