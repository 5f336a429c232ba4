"""Admission for the storage kinds: PersistentVolume, PersistentVolumeClaim (core/v1) and
StorageClass (storage.k8s.io/v1) — defaulting (k/k pkg/apis/core/v1/defaults.go,
pkg/apis/storage/v1/defaults.go), the StorageObjectInUseProtection plugin's finalizers, and
validation (pkg/apis/core/validation ValidatePersistentVolume*, pkg/apis/storage/validation).

The admission steps that need the cluster's state — DefaultStorageClass (a claim without a class
gets the default one) and PersistentVolumeClaimResize (only an expandable class's bound claims
grow) — are in engine/storage_admission.py, which the store calls.
"""
from __future__ import annotations

from .. import quantity
from ..errors import FieldError
from . import names as naming
from .fields import forbidden, invalid, not_supported, required
from .validation_core import spec_diff
from .validation_meta import (FIELD_IMMUTABLE, as_list, semantic_equal, validate_label_selector,
                              validate_object_meta, validate_object_meta_update)

ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
VOLUME_MODES = ("Block", "Filesystem")
PV_RECLAIM_POLICIES = ("Delete", "Recycle", "Retain")
SC_RECLAIM_POLICIES = ("Delete", "Retain")
BINDING_MODES = ("Immediate", "WaitForFirstConsumer")
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"

# The PersistentVolumeSource members (exactly one must be set).
PV_SOURCES = ("gcePersistentDisk", "awsElasticBlockStore", "hostPath", "glusterfs", "nfs", "rbd", "iscsi",
              "cinder", "cephfs", "fc", "flocker", "flexVolume", "azureFile", "vsphereVolume", "quobyte",
              "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "local", "storageos", "csi")


def _d(parent: dict, key: str) -> dict:
    v = parent.get(key)
    if not isinstance(v, dict):
        v = parent[key] = {}
    return v


# ---- defaulting ---------------------------------------------------------------------------------

def _canonical(rl) -> None:
    """SetDefaults_ResourceList (as defaults.canonical_resource_list, which imports this module)."""
    if not isinstance(rl, dict):
        return
    for k, v in rl.items():
        try:
            rl[k] = quantity.round_up_milli(v) if v is not None else "0"
        except quantity.QuantityError:
            pass


def default_persistent_volume(pv: dict) -> None:
    spec = _d(pv, "spec")
    if not spec.get("persistentVolumeReclaimPolicy"):
        spec["persistentVolumeReclaimPolicy"] = "Retain"
    if spec.get("volumeMode") is None:
        spec["volumeMode"] = "Filesystem"
    _canonical(spec.get("capacity"))
    hp = spec.get("hostPath")
    if isinstance(hp, dict) and hp.get("type") is None:
        hp["type"] = ""
    status = _d(pv, "status")
    if not status.get("phase"):
        status["phase"] = "Pending"


def default_persistent_volume_claim(pvc: dict) -> None:
    spec = _d(pvc, "spec")
    if spec.get("volumeMode") is None:
        spec["volumeMode"] = "Filesystem"
    status = _d(pvc, "status")
    if not status.get("phase"):
        status["phase"] = "Pending"


def default_storage_class(sc: dict) -> None:
    if not sc.get("reclaimPolicy"):
        sc["reclaimPolicy"] = "Delete"
    if not sc.get("volumeBindingMode"):
        sc["volumeBindingMode"] = "Immediate"


DEFAULTS = {"PersistentVolume": default_persistent_volume,
            "PersistentVolumeClaim": default_persistent_volume_claim,
            "StorageClass": default_storage_class}


# ---- StorageObjectInUseProtection (plugin/pkg/admission/storage/storageobjectinuseprotection) ------

def add_protection_finalizer(obj: dict) -> None:
    fin = PVC_PROTECTION if obj.get("kind") == "PersistentVolumeClaim" else PV_PROTECTION
    md = obj["metadata"]
    fins = md.get("finalizers") if isinstance(md.get("finalizers"), list) else []
    if fin not in fins:
        md["finalizers"] = list(fins) + [fin]


# ---- validation ---------------------------------------------------------------------------------

def _meta(obj: dict) -> dict:
    md = obj.get("metadata")
    return md if isinstance(md, dict) else {}


def _spec(obj: dict) -> dict:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _access_modes(modes, path: str) -> list[FieldError]:
    modes = as_list(modes)
    if not modes:
        return [required(path, "at least 1 access mode is required")]
    errs = [not_supported(path, m, ACCESS_MODES) for m in modes if m not in ACCESS_MODES]
    if "ReadWriteOncePod" in modes and len(modes) > 1:
        errs.append(forbidden(path, "may not use ReadWriteOncePod with other access modes"))
    return errs


def _class_name(name, path: str) -> list[FieldError]:
    if not name:
        return []
    return [invalid(path, name, m) for m in naming.is_dns1123_subdomain(str(name))]


def _volume_mode(mode, path: str) -> list[FieldError]:
    if mode is not None and mode not in VOLUME_MODES:
        return [not_supported(path, mode, VOLUME_MODES)]
    return []


def _storage_quantity(value, path: str) -> list[FieldError]:
    try:
        q = quantity.parse_quantity(value)
    except (ValueError, TypeError):
        return [invalid(path, value, "must be a valid quantity")]
    if q <= 0:
        return [invalid(path, value, "must be greater than zero")]
    return []


def validate_pvc_spec(spec: dict, path: str = "spec") -> list[FieldError]:
    errs = _access_modes(spec.get("accessModes"), f"{path}.accessModes")
    if spec.get("selector") is not None:
        errs.extend(validate_label_selector(spec["selector"], f"{path}.selector"))
    requests = ((spec.get("resources") or {}).get("requests") or {})
    if "storage" not in requests:
        errs.append(required(f"{path}.resources[storage]"))
    else:
        errs.extend(_storage_quantity(requests["storage"], f"{path}.resources[storage]"))
    errs.extend(_class_name(spec.get("storageClassName"), f"{path}.storageClassName"))
    errs.extend(_volume_mode(spec.get("volumeMode"), f"{path}.volumeMode"))
    return errs


def validate_persistent_volume_claim(pvc: dict) -> list[FieldError]:
    errs = validate_object_meta(_meta(pvc), True, naming.name_is_dns_subdomain)
    errs.extend(validate_pvc_spec(_spec(pvc)))
    return errs


def validate_persistent_volume_claim_update(new: dict, old: dict) -> list[FieldError]:
    """ValidatePersistentVolumeClaimUpdate: the spec is immutable but for volumeName set once,
    a class set where none was (retroactive default class), and a bound claim's storage request,
    which may only grow."""
    errs = validate_object_meta_update(_meta(new), _meta(old))
    errs.extend(validate_persistent_volume_claim(new))
    nspec, ospec = dict(_spec(new)), dict(_spec(old))
    if not ospec.get("volumeName"):
        ospec["volumeName"] = nspec.get("volumeName")
        if ospec["volumeName"] is None:
            ospec.pop("volumeName")
    if ospec.get("storageClassName") is None and nspec.get("storageClassName") is not None:
        ospec["storageClassName"] = nspec["storageClassName"]
    new_size = ((nspec.get("resources") or {}).get("requests") or {}).get("storage")
    old_size = ((ospec.get("resources") or {}).get("requests") or {}).get("storage")
    if (old.get("status") or {}).get("phase") == "Bound" and new_size is not None:
        res = dict(nspec.get("resources") or {})
        res["requests"] = dict(res.get("requests") or {}, storage=old_size)
        nspec["resources"] = res
    if not semantic_equal(nspec, ospec):
        errs.append(forbidden("spec", "spec is immutable after creation except resources.requests and "
                                      "volumeAttributesClassName for bound claims\n"
                              + spec_diff(ospec, nspec, "core.PersistentVolumeClaimSpec")))
    try:
        shrinks = (new_size is not None and old_size is not None
                   and quantity.parse_quantity(new_size) < quantity.parse_quantity(old_size))
    except (ValueError, TypeError):
        shrinks = False
    if shrinks:
        errs.append(forbidden("spec.resources.requests.storage", "field can not be less than previous value"))
    return errs


def validate_persistent_volume_claim_status_update(new: dict, old: dict) -> list[FieldError]:
    st = new.get("status") or {}
    errs: list[FieldError] = []
    for m in as_list(st.get("accessModes")):
        if m not in ACCESS_MODES:
            errs.append(not_supported("status.accessModes", m, ACCESS_MODES))
    return errs


def validate_persistent_volume(pv: dict) -> list[FieldError]:
    errs = validate_object_meta(_meta(pv), False, naming.name_is_dns_subdomain)
    spec = _spec(pv)
    errs.extend(_access_modes(spec.get("accessModes"), "spec.accessModes"))
    cap = spec.get("capacity")
    if not cap:
        errs.append(required("spec.capacity"))
    else:
        for key in cap:
            if key != "storage":
                errs.append(not_supported("spec.capacity", key, ("storage",)))
        if "storage" in cap:
            errs.extend(_storage_quantity(cap["storage"], "spec.capacity[storage]"))
    policy = spec.get("persistentVolumeReclaimPolicy")
    if policy and policy not in PV_RECLAIM_POLICIES:
        errs.append(not_supported("spec.persistentVolumeReclaimPolicy", policy, PV_RECLAIM_POLICIES))
    sources = [k for k in PV_SOURCES if spec.get(k) is not None]
    if not sources:
        errs.append(required("spec", "must specify a volume type"))
    for extra in sources[1:]:
        errs.append(forbidden(f"spec.{extra}", "may not specify more than 1 volume type"))
    hp = spec.get("hostPath")
    if isinstance(hp, dict) and not hp.get("path"):
        errs.append(required("spec.hostPath.path"))
    local = spec.get("local")
    if isinstance(local, dict):
        if not local.get("path"):
            errs.append(required("spec.local.path"))
        if not ((spec.get("nodeAffinity") or {}).get("required")):
            errs.append(required("spec.nodeAffinity", "Local volume requires node affinity"))
    nfs = spec.get("nfs")
    if isinstance(nfs, dict):
        if not nfs.get("server"):
            errs.append(required("spec.nfs.server"))
        if not nfs.get("path"):
            errs.append(required("spec.nfs.path"))
    errs.extend(_class_name(spec.get("storageClassName"), "spec.storageClassName"))
    errs.extend(_volume_mode(spec.get("volumeMode"), "spec.volumeMode"))
    return errs


def validate_persistent_volume_update(new: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_meta(new), _meta(old))
    errs.extend(validate_persistent_volume(new))
    nspec, ospec = _spec(new), _spec(old)
    nsrc = {k: nspec.get(k) for k in PV_SOURCES if nspec.get(k) is not None}
    osrc = {k: ospec.get(k) for k in PV_SOURCES if ospec.get(k) is not None}
    if not semantic_equal(nsrc, osrc):
        errs.append(forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation\n"
                              + spec_diff(osrc, nsrc, "core.PersistentVolumeSource")))
    if not semantic_equal(nspec.get("volumeMode"), ospec.get("volumeMode")):
        errs.append(invalid("spec.volumeMode", nspec.get("volumeMode"), FIELD_IMMUTABLE))
    if ospec.get("nodeAffinity") and not semantic_equal(nspec.get("nodeAffinity"), ospec.get("nodeAffinity")):
        errs.append(invalid("nodeAffinity.required.nodeSelectorTerms", nspec.get("nodeAffinity"), FIELD_IMMUTABLE))
    return errs


def validate_persistent_volume_status_update(new: dict, old: dict) -> list[FieldError]:
    return []


def validate_storage_class(sc: dict) -> list[FieldError]:
    errs = validate_object_meta(_meta(sc), False, naming.name_is_dns_subdomain)
    prov = sc.get("provisioner")
    if not prov:
        errs.append(required("provisioner"))
    else:
        errs.extend(invalid("provisioner", prov, m) for m in naming.is_qualified_name(str(prov).lower()))
    policy = sc.get("reclaimPolicy")
    if policy and policy not in SC_RECLAIM_POLICIES:
        errs.append(not_supported("reclaimPolicy", policy, SC_RECLAIM_POLICIES))
    mode = sc.get("volumeBindingMode")
    if mode is None:
        errs.append(required("volumeBindingMode"))
    elif mode not in BINDING_MODES:
        errs.append(not_supported("volumeBindingMode", mode, BINDING_MODES))
    return errs


def validate_storage_class_update(new: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_meta(new), _meta(old))
    if not semantic_equal(new.get("parameters"), old.get("parameters")):
        errs.append(forbidden("parameters", "updates to parameters are forbidden."))
    if new.get("provisioner") != old.get("provisioner"):
        errs.append(forbidden("provisioner", "updates to provisioner are forbidden."))
    if new.get("reclaimPolicy") != old.get("reclaimPolicy"):
        errs.append(forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."))
    if new.get("volumeBindingMode") != old.get("volumeBindingMode"):
        errs.append(invalid("volumeBindingMode", new.get("volumeBindingMode"), FIELD_IMMUTABLE))
    errs.extend(validate_storage_class(new))
    return errs


CREATE = {"PersistentVolume": validate_persistent_volume,
          "PersistentVolumeClaim": validate_persistent_volume_claim,
          "StorageClass": validate_storage_class}
UPDATE = {"PersistentVolume": validate_persistent_volume_update,
          "PersistentVolumeClaim": validate_persistent_volume_claim_update,
          "StorageClass": validate_storage_class_update}
STATUS = {"PersistentVolume": validate_persistent_volume_status_update,
          "PersistentVolumeClaim": validate_persistent_volume_claim_status_update}
