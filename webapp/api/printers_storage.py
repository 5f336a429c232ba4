"""`kubectl get` columns of the storage kinds: PersistentVolume, PersistentVolumeClaim,
StorageClass (k/k pkg/printers/internalversion/printers.go, v1.32: printPersistentVolume,
printPersistentVolumeClaim, printStorageClass). tables.py registers them."""
from __future__ import annotations

from . import printers

DEFAULT_CLASS_ANNOTATIONS = ("storageclass.kubernetes.io/is-default-class",
                             "storageclass.beta.kubernetes.io/is-default-class")
_MODES = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"))


def _col(name: str, type_: str, description: str, priority: int = 0, format_: str = "") -> dict:
    return {"name": name, "type": type_, "format": format_, "description": description, "priority": priority}


_NAME = _col("Name", "string", "Name must be unique within a namespace. Is required when creating resources, although "
             "some resources may allow a client to request the generation of an appropriate name automatically. Name "
             "is primarily intended for creation idempotence and configuration definition. Cannot be updated. More "
             "info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", format_="name")
_AGE = _col("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was "
            "created. It is not guaranteed to be set in happens-before order across separate operations. Clients "
            "may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. "
            "Read-only. Null for lists. More info: "
            "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")


def access_modes(modes) -> str:
    """GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, comma-separated."""
    have = set(modes or ())
    return ",".join(short for mode, short in _MODES if mode in have)


def _age(obj: dict, now: float) -> str:
    return printers.translate_timestamp_since((obj.get("metadata") or {}).get("creationTimestamp"), now)


def _class_of(obj: dict) -> str:
    spec = obj.get("spec") or {}
    if spec.get("storageClassName") is not None:
        return spec["storageClassName"]
    return ((obj.get("metadata") or {}).get("annotations") or {}).get("volume.beta.kubernetes.io/storage-class", "")


def _terminating(obj: dict) -> bool:
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def persistent_volume_cells(pv: dict, now: float) -> list:
    spec, status = pv.get("spec") or {}, pv.get("status") or {}
    ref = spec.get("claimRef")
    claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else ""
    phase = "Terminating" if _terminating(pv) else status.get("phase", "")
    vac = spec.get("volumeAttributesClassName")
    return [(pv.get("metadata") or {}).get("name", ""), (spec.get("capacity") or {}).get("storage", "0"),
            access_modes(spec.get("accessModes")), spec.get("persistentVolumeReclaimPolicy", ""), phase, claim,
            _class_of(pv), vac if vac is not None else "<unset>", status.get("reason", ""), _age(pv, now),
            spec.get("volumeMode") or "<unset>"]


def persistent_volume_claim_cells(pvc: dict, now: float) -> list:
    spec, status = pvc.get("spec") or {}, pvc.get("status") or {}
    phase = "Terminating" if _terminating(pvc) else status.get("phase", "")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes(status.get("accessModes"))
        capacity = (status.get("capacity") or {}).get("storage", "0")
    vac = spec.get("volumeAttributesClassName")
    return [(pvc.get("metadata") or {}).get("name", ""), phase, spec.get("volumeName", ""), capacity, modes,
            _class_of(pvc), vac if vac else "<unset>", _age(pvc, now), spec.get("volumeMode") or "<unset>"]


def storage_class_cells(sc: dict, now: float) -> list:
    md = sc.get("metadata") or {}
    name = md.get("name", "")
    if any((md.get("annotations") or {}).get(a) == "true" for a in DEFAULT_CLASS_ANNOTATIONS):
        name += " (default)"
    return [name, sc.get("provisioner", ""), sc.get("reclaimPolicy") or "Delete",
            sc.get("volumeBindingMode") or "Immediate", bool(sc.get("allowVolumeExpansion")), _age(sc, now)]


PERSISTENT_VOLUME_COLUMNS = (
    _NAME,
    _col("Capacity", "string", "capacity is the description of the persistent volume's resources and capacity. "
         "More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"),
    _col("Access Modes", "string", "accessModes contains all ways the volume can be mounted. More info: "
         "https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes"),
    _col("Reclaim Policy", "string", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when "
         "released from its claim. Valid options are Retain (default for manually created PersistentVolumes), "
         "Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be "
         "supported by the volume plugin underlying this PersistentVolume. More info: "
         "https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming"),
    _col("Status", "string", "phase indicates if a volume is available, bound to a claim, or released by a claim. "
         "More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase"),
    _col("Claim", "string", "claimRef is part of a bi-directional binding between PersistentVolume and "
         "PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind "
         "between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding"),
    _col("StorageClass", "string", "StorageClass of the pv"),
    _col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
    _col("Reason", "string", "reason is a brief CamelCase string that describes any failure and is meant for machine "
         "parsing and tidy display in the CLI."),
    _AGE,
    _col("VolumeMode", "string", "volumeMode defines if a volume is intended to be used with a formatted filesystem "
         "or to remain in raw block state. Value of Filesystem is implied when not included in spec.", 1),
)
PERSISTENT_VOLUME_CLAIM_COLUMNS = (
    _NAME,
    _col("Status", "string", "phase represents the current phase of PersistentVolumeClaim."),
    _col("Volume", "string", "volumeName is the binding reference to the PersistentVolume backing this claim."),
    _col("Capacity", "string", "capacity represents the actual resources of the underlying volume."),
    _col("Access Modes", "string", "accessModes contains the actual access modes the volume backing the PVC has. "
         "More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1"),
    _col("StorageClass", "string", "StorageClass of the pvc"),
    _col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
    _AGE,
    _col("VolumeMode", "string", "volumeMode defines what type of volume is required by the claim. Value of "
         "Filesystem is implied when not included in claim spec.", 1),
)
STORAGE_CLASS_COLUMNS = (
    _NAME,
    _col("Provisioner", "string", "Indicates the type of the provisioner."),
    _col("ReclaimPolicy", "string", "Indicates the type of the reclaim policy."),
    _col("VolumeBindingMode", "string", "Indicates the mode of the volume binding."),
    _col("AllowVolumeExpansion", "string", "Indicates whether the storage class allow volume expand."),
    _AGE,
)
