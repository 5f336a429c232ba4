"""The storage admission plugins that read the cluster's state, as the apiserver runs them after
defaulting (k/k plugin/pkg/admission/storage): the store calls these for PersistentVolumeClaim
writes, once the object is decoded, defaulted and validated (engine/admission/storage.py).

- DefaultStorageClass: a claim created without `storageClassName` gets the default class's name
  (the one annotated `storageclass.kubernetes.io/is-default-class: "true"`; kind's `standard`).
  A claim that says `storageClassName: ""` asks for no class, and keeps it.
- PersistentVolumeClaimResize: a claim's storage request may only grow when it is bound and its
  class says `allowVolumeExpansion: true`.
"""
from __future__ import annotations

from . import errors, objects, quantity, resources as kinds, volumes


def admit_claim_create(store, pvc: dict) -> None:
    spec = pvc.get("spec")
    if not isinstance(spec, dict) or spec.get("storageClassName") is not None:
        return
    ann = objects.meta(pvc).get("annotations") or {}
    if "volume.beta.kubernetes.io/storage-class" in ann:
        return
    default = volumes.pick_default_class(store.iter(kinds.STORAGECLASS))
    if default is not None:
        spec["storageClassName"] = objects.name_of(default)


def _storage(pvc: dict):
    v = (((pvc.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage")
    try:
        return quantity.parse_quantity(v) if v is not None else None
    except (ValueError, TypeError):
        return None


def admit_claim_update(store, new: dict, old: dict) -> None:
    new_size, old_size = _storage(new), _storage(old)
    if new_size is None or old_size is None or new_size <= old_size:
        return
    name = objects.name_of(old)
    if (old.get("status") or {}).get("phase") != "Bound":
        raise errors.Forbidden(kinds.PERSISTENTVOLUMECLAIM.name, "", name,
                               "Only bound persistent volume claims can be expanded")
    cls = volumes.claim_class(old)
    sc = store.try_get(kinds.STORAGECLASS, None, cls) if cls else None
    if sc is None or sc.get("allowVolumeExpansion") is not True:
        raise errors.Forbidden(kinds.PERSISTENTVOLUMECLAIM.name, "", name,
                               "only dynamically provisioned pvc can be resized and the storageclass that "
                               "provisions the pvc must support resize")
