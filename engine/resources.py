"""The registry of served resource types: one row per kind, the single source for discovery,
URL routing, error messages (`deployments.apps "x" not found`) and storage keys."""
from __future__ import annotations

from dataclasses import dataclass

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


@dataclass(frozen=True)
class ResourceType:
    name: str                 # plural, as in URLs: "deployments"
    singular: str
    kind: str
    group: str                # "" for core
    version: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()   # "status", "scale", "log"

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """`deployments.apps`, or just `pods` for the core group (error-message form)."""
        return f"{self.name}.{self.group}" if self.group else self.name


_ALL = (
    ResourceType("namespaces", "namespace", "Namespace", "", "v1", False, ("ns",), (), ("status",)),
    ResourceType("nodes", "node", "Node", "", "v1", False, ("no",), (), ("status",)),
    ResourceType("pods", "pod", "Pod", "", "v1", True, ("po",), ("all",), ("status", "log", "binding", "eviction", "ephemeralcontainers", "exec", "attach", "portforward")),
    ResourceType("services", "service", "Service", "", "v1", True, ("svc",), ("all",), ("status",)),
    ResourceType("endpoints", "endpoints", "Endpoints", "", "v1", True, ("ep",)),
    ResourceType("configmaps", "configmap", "ConfigMap", "", "v1", True, ("cm",)),
    ResourceType("secrets", "secret", "Secret", "", "v1", True),
    ResourceType("serviceaccounts", "serviceaccount", "ServiceAccount", "", "v1", True, ("sa",), (), ("token",)),
    ResourceType("events", "event", "Event", "", "v1", True, ("ev",)),
    ResourceType("resourcequotas", "resourcequota", "ResourceQuota", "", "v1", True, ("quota",), (), ("status",)),
    ResourceType("limitranges", "limitrange", "LimitRange", "", "v1", True, ("limits",)),
    ResourceType("deployments", "deployment", "Deployment", "apps", "v1", True, ("deploy",), ("all",),
                 ("status", "scale")),
    ResourceType("replicasets", "replicaset", "ReplicaSet", "apps", "v1", True, ("rs",), ("all",),
                 ("status", "scale")),
    ResourceType("statefulsets", "statefulset", "StatefulSet", "apps", "v1", True, ("sts",), ("all",),
                 ("status", "scale")),
    ResourceType("daemonsets", "daemonset", "DaemonSet", "apps", "v1", True, ("ds",), ("all",), ("status",)),
    ResourceType("controllerrevisions", "controllerrevision", "ControllerRevision", "apps", "v1", True),
    ResourceType("endpointslices", "endpointslice", "EndpointSlice", "discovery.k8s.io", "v1", True),
    ResourceType("leases", "lease", "Lease", "coordination.k8s.io", "v1", True),
    ResourceType("poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", "policy", "v1", True,
                 ("pdb",), (), ("status",)),
    ResourceType("jobs", "job", "Job", "batch", "v1", True, (), ("all",), ("status",)),
    ResourceType("cronjobs", "cronjob", "CronJob", "batch", "v1", True, ("cj",), ("all",), ("status",)),
    ResourceType("persistentvolumes", "persistentvolume", "PersistentVolume", "", "v1", False, ("pv",), (),
                 ("status",)),
    ResourceType("persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", "", "v1", True,
                 ("pvc",), (), ("status",)),
    ResourceType("storageclasses", "storageclass", "StorageClass", "storage.k8s.io", "v1", False, ("sc",)),
    # autoscaling/v2 is the stored version; autoscaling/v1 is served from it by conversion
    # (engine/hpa_versions.py), as kube-apiserver serves both from one storage
    ResourceType("horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler", "autoscaling",
                 "v2", True, ("hpa",), ("all",), ("status",)),
    ResourceType("priorityclasses", "priorityclass", "PriorityClass", "scheduling.k8s.io", "v1", False, ("pc",)),
    ResourceType("networkpolicies", "networkpolicy", "NetworkPolicy", "networking.k8s.io", "v1", True, ("netpol",)),
    ResourceType("roles", "role", "Role", "rbac.authorization.k8s.io", "v1", True),
    ResourceType("clusterroles", "clusterrole", "ClusterRole", "rbac.authorization.k8s.io", "v1", False),
    ResourceType("rolebindings", "rolebinding", "RoleBinding", "rbac.authorization.k8s.io", "v1", True),
    ResourceType("clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", "rbac.authorization.k8s.io", "v1",
                 False),
    ResourceType("customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition",
                 "apiextensions.k8s.io", "v1", False, ("crd", "crds"), (), ("status",)),
    ResourceType("ingresses", "ingress", "Ingress", "networking.k8s.io", "v1", True, ("ing",), (), ("status",)),
    ResourceType("ingressclasses", "ingressclass", "IngressClass", "networking.k8s.io", "v1", False),
)

_BUILTIN_KEYS = frozenset((r.group, r.name) for r in _ALL)
BY_NAME: dict[tuple[str, str], ResourceType] = {(r.group, r.name): r for r in _ALL}
BY_KIND: dict[tuple[str, str], ResourceType] = {(r.group, r.kind): r for r in _ALL}


# Custom resources, served while their CustomResourceDefinition is Established (engine/crd):
# added and removed at run time by register()/unregister(), after the built-in kinds.
_CUSTOM: list[ResourceType] = []
_CUSTOM_KEYS: set[tuple[str, str]] = set()
_ALL_SERVED: tuple[ResourceType, ...] = _ALL


def all_types() -> tuple[ResourceType, ...]:
    return _ALL_SERVED


def builtin_types() -> tuple[ResourceType, ...]:
    """The built-in resource types (never custom: register() does not replace one)."""
    return _ALL


def register(rt: ResourceType) -> None:
    """Serve a custom resource type (its CRD's storage version), replacing one of the same
    group and plural."""
    global _ALL_SERVED
    if (rt.group, rt.name) in _BUILTIN_KEYS:
        return                          # a built-in resource is never replaced
    unregister(rt.group, rt.name)
    _CUSTOM.append(rt)
    _CUSTOM_KEYS.add((rt.group, rt.name))
    BY_NAME[(rt.group, rt.name)] = rt
    BY_KIND[(rt.group, rt.kind)] = rt
    _BY_API_VERSION_KIND[(rt.api_version, rt.kind)] = rt
    _ALL_SERVED = _ALL + tuple(_CUSTOM)


def unregister(group: str, name: str) -> ResourceType | None:
    """Stop serving a custom resource type; built-in kinds are never removed."""
    global _ALL_SERVED
    rt = next((r for r in _CUSTOM if (r.group, r.name) == (group, name)), None)
    if rt is None:
        return None
    _CUSTOM.remove(rt)
    _CUSTOM_KEYS.discard((rt.group, rt.name))
    BY_NAME.pop((rt.group, rt.name), None)
    if BY_KIND.get((rt.group, rt.kind)) is rt:
        BY_KIND.pop((rt.group, rt.kind))
    if _BY_API_VERSION_KIND.get((rt.api_version, rt.kind)) is rt:
        _BY_API_VERSION_KIND.pop((rt.api_version, rt.kind))
    _ALL_SERVED = _ALL + tuple(_CUSTOM)
    return rt


def custom_types() -> tuple[ResourceType, ...]:
    return tuple(_CUSTOM)


def is_custom(rt: ResourceType) -> bool:
    """Whether `rt` is served for a CustomResourceDefinition (at any of its versions)."""
    return (rt.group, rt.name) in _CUSTOM_KEYS


def group_versions() -> list[tuple[str, str]]:
    """Served (group, version) pairs in a stable order, core first."""
    seen: list[tuple[str, str]] = []
    for r in _ALL_SERVED:
        if (r.group, r.version) not in seen:
            seen.append((r.group, r.version))
    return seen


def lookup(group: str, name: str) -> ResourceType | None:
    return BY_NAME.get((group, name))


_BY_API_VERSION_KIND: dict[tuple[str, str], ResourceType] = {(r.api_version, r.kind): r for r in _ALL}


def for_kind(api_version: str, kind: str) -> ResourceType | None:
    if type(api_version) is str:          # every write and watch event comes this way: one lookup
        return _BY_API_VERSION_KIND.get((api_version, kind))
    group = api_version.split("/")[0] if "/" in api_version else ""
    r = BY_KIND.get((group, kind))
    if r and r.api_version == api_version:
        return r
    return None


def of(obj: dict) -> ResourceType:
    """The resource type of a stored object (raises KeyError if the kind is not served)."""
    r = for_kind(obj.get("apiVersion", ""), obj.get("kind", ""))
    if r is None:
        raise KeyError(f"{obj.get('apiVersion')}/{obj.get('kind')}")
    return r


POD = BY_NAME[("", "pods")]
NODE = BY_NAME[("", "nodes")]
NAMESPACE = BY_NAME[("", "namespaces")]
SERVICE = BY_NAME[("", "services")]
ENDPOINTS = BY_NAME[("", "endpoints")]
CONFIGMAP = BY_NAME[("", "configmaps")]
SECRET = BY_NAME[("", "secrets")]
SERVICEACCOUNT = BY_NAME[("", "serviceaccounts")]
EVENT = BY_NAME[("", "events")]
DEPLOYMENT = BY_NAME[("apps", "deployments")]
REPLICASET = BY_NAME[("apps", "replicasets")]
STATEFULSET = BY_NAME[("apps", "statefulsets")]
DAEMONSET = BY_NAME[("apps", "daemonsets")]
CONTROLLERREVISION = BY_NAME[("apps", "controllerrevisions")]
ENDPOINTSLICE = BY_NAME[("discovery.k8s.io", "endpointslices")]
LEASE = BY_NAME[("coordination.k8s.io", "leases")]
RESOURCEQUOTA = BY_NAME[("", "resourcequotas")]
LIMITRANGE = BY_NAME[("", "limitranges")]
PODDISRUPTIONBUDGET = BY_NAME[("policy", "poddisruptionbudgets")]
JOB = BY_NAME[("batch", "jobs")]
CRONJOB = BY_NAME[("batch", "cronjobs")]
PERSISTENTVOLUME = BY_NAME[("", "persistentvolumes")]
PERSISTENTVOLUMECLAIM = BY_NAME[("", "persistentvolumeclaims")]
STORAGECLASS = BY_NAME[("storage.k8s.io", "storageclasses")]
HPA = BY_NAME[("autoscaling", "horizontalpodautoscalers")]
PRIORITYCLASS = BY_NAME[("scheduling.k8s.io", "priorityclasses")]
NETWORKPOLICY = BY_NAME[("networking.k8s.io", "networkpolicies")]
CRD = BY_NAME[("apiextensions.k8s.io", "customresourcedefinitions")]
INGRESS = BY_NAME[("networking.k8s.io", "ingresses")]
INGRESSCLASS = BY_NAME[("networking.k8s.io", "ingressclasses")]
