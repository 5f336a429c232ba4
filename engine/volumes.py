"""The storage vocabulary the loops share: PersistentVolume / PersistentVolumeClaim / StorageClass
annotations, the claim a pod's volumes name, whether a claim is bound, a class's binding mode, and
"does this volume satisfy that claim" (k/k pkg/controller/volume/persistentvolume/util and
component-helpers/storage/volume). The PV controller, the provisioner, the scheduler's volume
binding, the StatefulSet controller and the kubelet all read these rules; they must not import
each other (tests/test_architecture.py), so the rules live here, beside them.

Also the default StorageClass a kind cluster ships (`standard`, rancher.io/local-path,
WaitForFirstConsumer, reclaimPolicy Delete), which the cluster creates at bootstrap.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Iterable

from . import objects, quantity, resources as kinds
from .node_predicates import term_matches
from .selectors import label_selector_matcher

# k/k pkg/controller/volume/persistentvolume/util (and storage/v1 well-known annotations)
ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner"
ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner"
ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node"
ANN_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
ANN_BETA_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"

WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer"
IMMEDIATE = "Immediate"

# kind's default class: the rancher local-path provisioner (kind v0.2x, kindest/node v1.32).
LOCAL_PATH_PROVISIONER = "rancher.io/local-path"
DEFAULT_CLASS_NAME = "standard"


def default_storage_class() -> dict:
    """The `standard` StorageClass a kind cluster is created with."""
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": DEFAULT_CLASS_NAME, "annotations": {ANN_DEFAULT_CLASS: "true"}},
            "provisioner": LOCAL_PATH_PROVISIONER, "reclaimPolicy": "Delete",
            "volumeBindingMode": WAIT_FOR_FIRST_CONSUMER}


def is_default_class(sc: dict) -> bool:
    ann = objects.meta(sc).get("annotations") or {}
    return ann.get(ANN_DEFAULT_CLASS) == "true" or ann.get(ANN_BETA_DEFAULT_CLASS) == "true"


def pick_default_class(classes: Iterable[dict]) -> dict | None:
    """GetDefaultClass: of several default classes, the newest (then by name), as upstream."""
    defaults = [sc for sc in classes if is_default_class(sc)]
    if not defaults:
        return None
    defaults.sort(key=lambda sc: (objects.meta(sc).get("creationTimestamp") or "", objects.name_of(sc)),
                  reverse=True)
    return defaults[0]


# ---- claims -----------------------------------------------------------------------------------

def claim_class(pvc: dict) -> str:
    """GetPersistentVolumeClaimClass: spec.storageClassName, else the beta annotation, else ""."""
    spec = pvc.get("spec") or {}
    if spec.get("storageClassName") is not None:
        return spec["storageClassName"]
    return (objects.meta(pvc).get("annotations") or {}).get("volume.beta.kubernetes.io/storage-class", "")


def volume_class(pv: dict) -> str:
    spec = pv.get("spec") or {}
    if spec.get("storageClassName") is not None:
        return spec["storageClassName"]
    return (objects.meta(pv).get("annotations") or {}).get("volume.beta.kubernetes.io/storage-class", "")


def pod_claim_names(pod: dict) -> list[str]:
    """The PersistentVolumeClaims a pod's volumes name, in volume order."""
    out = []
    for v in (pod.get("spec") or {}).get("volumes") or ():
        if isinstance(v, dict) and isinstance(v.get("persistentVolumeClaim"), dict):
            name = v["persistentVolumeClaim"].get("claimName")
            if name:
                out.append(name)
    return out


def is_bound(pvc: dict) -> bool:
    """Bound as the kubelet and scheduler judge it: bound to a volume, and the phase says so."""
    return bool((pvc.get("spec") or {}).get("volumeName")) and \
        (pvc.get("status") or {}).get("phase") == "Bound"


def requested_storage(pvc: dict) -> Fraction | int:
    req = (((pvc.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage")
    return quantity.parse_quantity(req) if req is not None else 0


def volume_capacity(pv: dict) -> Fraction | int:
    cap = ((pv.get("spec") or {}).get("capacity") or {}).get("storage")
    return quantity.parse_quantity(cap) if cap is not None else 0


def binding_mode(store, class_name: str) -> str:
    """A class's volumeBindingMode; a claim without a class, or with a class that does not
    exist, binds Immediately (IsDelayBindingMode)."""
    if not class_name:
        return IMMEDIATE
    sc = store.try_get(kinds.STORAGECLASS, None, class_name)
    if sc is None:
        return IMMEDIATE
    return sc.get("volumeBindingMode") or IMMEDIATE


# ---- volumes and claims (findMatchingVolume, checkVolumeSatisfyClaim) -----------------------------

def node_affinity_allows(pv: dict, node: dict | None) -> bool:
    """CheckNodeAffinity: a volume's required node affinity admits the node."""
    required = (((pv.get("spec") or {}).get("nodeAffinity") or {}).get("required") or {})
    terms = required.get("nodeSelectorTerms") or []
    if not terms:
        return True
    if node is None:
        return False
    labels = dict(objects.labels_of(node))
    return any(term_matches(t, labels, objects.name_of(node)) for t in terms)


def claim_ref_is(pv: dict, pvc: dict) -> bool:
    """The volume's claimRef names this claim (and, if it has one, this claim's uid)."""
    ref = (pv.get("spec") or {}).get("claimRef") or {}
    if not ref:
        return False
    if ref.get("name") != objects.name_of(pvc) or ref.get("namespace") != objects.namespace_of(pvc):
        return False
    return not ref.get("uid") or ref.get("uid") == objects.uid_of(pvc)


def satisfies(pv: dict, pvc: dict, node: dict | None = None, *, check_node: bool = False) -> bool:
    """Whether an unclaimed (or pre-bound to this claim) volume can serve the claim: class,
    volume mode, access modes, size, selector, and (for a chosen node) node affinity."""
    spec, cspec = pv.get("spec") or {}, pvc.get("spec") or {}
    if objects.is_terminating(pv):
        return False
    ref = spec.get("claimRef")
    if ref and not claim_ref_is(pv, pvc):
        return False
    if not ref and (pv.get("status") or {}).get("phase") not in ("Available", "Pending", None):
        return False
    if volume_class(pv) != claim_class(pvc):
        return False
    if (spec.get("volumeMode") or "Filesystem") != (cspec.get("volumeMode") or "Filesystem"):
        return False
    if not set(cspec.get("accessModes") or ()) <= set(spec.get("accessModes") or ()):
        return False
    if volume_capacity(pv) < requested_storage(pvc):
        return False
    sel = cspec.get("selector")
    if sel and not ref:
        if not label_selector_matcher(sel)(objects.labels_of(pv)):
            return False
    if check_node and not node_affinity_allows(pv, node):
        return False
    return True


def best_match(volumes: Iterable[dict], pvc: dict, node: dict | None = None, *,
               check_node: bool = False) -> dict | None:
    """FindMatchingVolume: a volume pre-bound to the claim first, else the smallest that fits."""
    best = None
    for pv in volumes:
        if not satisfies(pv, pvc, node, check_node=check_node):
            continue
        if (pv.get("spec") or {}).get("claimRef"):
            return pv
        if best is None or volume_capacity(pv) < volume_capacity(best):
            best = pv
    return best


def claim_ref(pvc: dict) -> dict:
    """The claimRef a volume bound to `pvc` carries (GetReference)."""
    md = objects.meta(pvc)
    return {"kind": "PersistentVolumeClaim", "namespace": md.get("namespace", ""), "name": md.get("name", ""),
            "uid": md.get("uid", ""), "apiVersion": "v1", "resourceVersion": md.get("resourceVersion", "")}
