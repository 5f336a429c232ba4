"""Per-kind rules the apiserver's registry applies around admission (k/k pkg/registry/*/strategy.go):
what a create resets, which writes bump metadata.generation, what a status write may change."""
from __future__ import annotations

from . import resources as kinds
from .crd import strategy as custom_strategy

# Kinds whose status is owned by controllers: a create starts with a fresh status, an ordinary
# update keeps the stored status, and a /status update keeps the stored spec.
_STATUS_KINDS = {"Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Service", "Node",
                 "Namespace", "PodDisruptionBudget", "ResourceQuota", "Job", "CronJob", "PersistentVolume",
                 "PersistentVolumeClaim", "HorizontalPodAutoscaler", "Ingress"}

_INITIAL_STATUS = {
    "Pod": lambda obj: {"phase": "Pending", "qosClass": _qos_class(obj)},
    "Deployment": lambda obj: {},
    "ReplicaSet": lambda obj: {"replicas": 0},
    "StatefulSet": lambda obj: {"replicas": 0, "availableReplicas": 0},
    "DaemonSet": lambda obj: {"currentNumberScheduled": 0, "desiredNumberScheduled": 0,
                              "numberMisscheduled": 0, "numberReady": 0},
    "Service": lambda obj: {"loadBalancer": {}},
    "Namespace": lambda obj: {"phase": "Active"},
    # policy.PodDisruptionBudgetStatus{}: the four counts have no omitempty
    "PodDisruptionBudget": lambda obj: {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0,
                                        "expectedPods": 0},
    "ResourceQuota": lambda obj: {},
    "Job": lambda obj: {},
    "CronJob": lambda obj: {},
    # (pkg/registry/core/persistentvolume{,claim}/strategy.go: a new volume or claim is Pending)
    "PersistentVolume": lambda obj: {"phase": "Pending"},
    "PersistentVolumeClaim": lambda obj: {"phase": "Pending"},
    # an empty v2 HorizontalPodAutoscalerStatus: desiredReplicas and currentMetrics have no omitempty
    "HorizontalPodAutoscaler": lambda obj: {"currentMetrics": None, "desiredReplicas": 0},
    "Ingress": lambda obj: {"loadBalancer": {}},     # IngressStatus{}: loadBalancer is a struct
}

# Deployments also bump generation on annotation changes (they are copied onto ReplicaSets).
_GENERATION_WATCHES_ANNOTATIONS = {"Deployment"}
NO_GENERATION = {"Event", "Lease", "Endpoints", "EndpointSlice", "ConfigMap", "Node", "Namespace",
                 "ControllerRevision", "ResourceQuota", "LimitRange", "Secret", "ServiceAccount",
                 "PersistentVolume", "PersistentVolumeClaim", "StorageClass"}


def _custom_status(obj: dict, rt: kinds.ResourceType | None = None) -> bool | None:
    """For a custom object (or a CRD): whether its status is a subresource; None for built-ins.
    `rt`: the object's resource type, when the caller has it (spares a lookup a write)."""
    if rt is None:
        rt = kinds.for_kind(obj.get("apiVersion") or "", obj.get("kind") or "")
    if rt is None or not (rt is kinds.CRD or kinds.is_custom(rt)):
        return None
    return "status" in rt.subresources


def prepare_for_create(obj: dict, rt: kinds.ResourceType | None = None) -> None:
    """`rt`: the object's resource type, when the caller has it (see _custom_status)."""
    kind = obj.get("kind")
    md = obj["metadata"]
    if _custom_status(obj, rt):         # (customresource strategy: status is the subresource's)
        obj.pop("status", None)
    if kind not in NO_GENERATION:
        md["generation"] = 1
    if kind in _INITIAL_STATUS and kind != "Node":
        obj["status"] = _INITIAL_STATUS[kind](obj)
    if kind == "Namespace":
        obj.setdefault("spec", {})["finalizers"] = ["kubernetes"]


def prepare_for_finalize(new: dict, old: dict) -> None:
    """namespaces/finalize: only spec.finalizers may change."""
    fins = (new.get("spec") or {}).get("finalizers")
    for k in ("metadata", "status"):
        if k in old:
            new[k] = old[k]
    new["spec"] = dict(old.get("spec") or {}, finalizers=fins or [])


def prepare_for_update(new: dict, old: dict) -> None:
    """Ordinary (non-status) update: status stays as stored; generation moves with spec."""
    kind = new.get("kind")
    custom = _custom_status(new)
    if custom is not None:
        custom_strategy.prepare_for_update(new, old, status_subresource=custom)
        return
    if kind in _STATUS_KINDS and kind != "Node" and "status" in old:
        new["status"] = old["status"]
    _bump_generation(new, old)


# What a /status write may not change besides spec, per kind (k/k pkg/registry/*/strategy.go):
# Deployments keep spec and labels (annotations may change: the controller records the revision
# there); the other workload kinds and Pods keep spec; newer kinds reset all of metadata but the
# status-owned parts (metav1.ResetObjectMetaForStatus).
_STATUS_KEEPS_META = {"Deployment": ("labels",), "ReplicaSet": (), "StatefulSet": (), "DaemonSet": (),
                      "Pod": ("ownerReferences",), "Node": (), "Service": (), "Namespace": (),
                      "PersistentVolume": (), "PersistentVolumeClaim": ()}
_RESET_FOR_STATUS = ("labels", "annotations", "finalizers", "ownerReferences")


def prepare_for_ephemeral_containers_update(new: dict, old: dict) -> dict:
    """pods/ephemeralcontainers (dropNonEphemeralContainerUpdates): the stored pod with only its
    spec.ephemeralContainers taken from the request (and the resourceVersion, for conflicts)."""
    out = dict(old)
    out["metadata"] = dict(old["metadata"], resourceVersion=new["metadata"].get("resourceVersion"))
    spec = dict(old.get("spec") or {})
    ecs = (new.get("spec") or {}).get("ephemeralContainers") if isinstance(new.get("spec"), dict) else None
    if ecs:
        spec["ephemeralContainers"] = ecs
    else:
        spec.pop("ephemeralContainers", None)
    out["spec"] = spec
    return out


def prepare_for_status_update(new: dict, old: dict) -> None:
    """/status update: spec never changes; metadata as the kind's status strategy says."""
    if "spec" in old:
        new["spec"] = old["spec"]
    else:
        new.pop("spec", None)
    md = new["metadata"] = dict(new["metadata"])
    omd = old["metadata"]
    for k in _STATUS_KEEPS_META.get(new.get("kind") or "", _RESET_FOR_STATUS):
        if k in omd:
            md[k] = omd[k]
        else:
            md.pop(k, None)
    if "generation" in omd:
        md["generation"] = omd["generation"]


def settle_generation(new: dict, old: dict) -> None:
    """The generation of an admitted (decoded and defaulted) update: bumped once if its spec differs
    from the stored one. Safe to call after prepare_for_update, which compared the raw body."""
    custom = _custom_status(new)
    if custom is not None:
        custom_strategy.prepare_for_update(new, old, status_subresource=custom)
        return
    _bump_generation(new, old)


def _bump_generation(new: dict, old: dict) -> None:
    kind = new.get("kind")
    md, omd = new["metadata"], old["metadata"]
    if kind in NO_GENERATION:
        return
    gen = omd.get("generation", 1)
    changed = new.get("spec") != old.get("spec")
    if kind in _GENERATION_WATCHES_ANNOTATIONS and md.get("annotations") != omd.get("annotations"):
        changed = True
    md["generation"] = gen + 1 if changed else gen


def _qos_class(pod: dict) -> str:
    """BestEffort / Burstable / Guaranteed from the containers' requests and limits."""
    containers = (pod.get("spec") or {}).get("containers") or []
    any_set, guaranteed = False, bool(containers)
    for c in containers:
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        if req or lim:
            any_set = True
        for r in ("cpu", "memory"):
            if r not in lim or (r in req and req[r] != lim[r]):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def uses_graceful_delete(rt: kinds.ResourceType) -> bool:
    return rt is kinds.POD
