"""Which warnings a write of each kind gets (the strategies' WarningsOnCreate/WarningsOnUpdate
in k/k pkg/registry/...), computed on the admitted object once validation has passed — as
rest.BeforeCreate/BeforeUpdate add them — and returned as plain texts. Admission hands them to
engine/api_warnings.py; the web layer sends them as `Warning:` headers.

Pods: the pod warnings table (pod_warnings.py) on create and on every update. Workloads: the
same table over their pod template with its path, on create and on an update that changes the
spec (upstream: when the generation moves). Services: pkg/api/service/warnings.go as of v1.32."""
from __future__ import annotations

from . import names, pod_warnings

# where each workload keeps its pod template
TEMPLATE_PATHS = {
    "Deployment": ("spec", "template"), "ReplicaSet": ("spec", "template"),
    "StatefulSet": ("spec", "template"), "DaemonSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"), "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"), "PodTemplate": ("template",),
}

TOPOLOGY_AWARE_HINTS = "service.kubernetes.io/topology-aware-hints"
TOPOLOGY_MODE = "service.kubernetes.io/topology-mode"


def _get(obj, path):
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def service(svc: dict) -> list[str]:
    """GetWarningsForService (v1.32; IP-format warnings left out: validation refuses the
    non-canonical forms they describe before they could be stored here)."""
    spec: dict = svc["spec"] if isinstance(svc.get("spec"), dict) else {}
    annotations = (svc.get("metadata") or {}).get("annotations") or {}
    out = []
    if TOPOLOGY_AWARE_HINTS in annotations:
        out.append(f"annotation {TOPOLOGY_AWARE_HINTS} is deprecated, please use {TOPOLOGY_MODE} instead")
    stype = spec.get("type")
    if stype == "ClusterIP" and spec.get("clusterIP") == "None":
        if spec.get("loadBalancerIP"):
            out.append("spec.loadBalancerIP is ignored for headless services")
        if spec.get("externalIPs"):
            out.append("spec.externalIPs is ignored for headless services")
        if spec.get("sessionAffinity") != "None":
            out.append("spec.SessionAffinity is ignored for headless services")
    if stype == "ExternalName" and spec.get("externalIPs"):
        out.append('spec.externalIPs is ignored when spec.type is "ExternalName"')
    if stype != "ExternalName" and spec.get("externalName"):
        out.append('spec.externalName is ignored when spec.type is not "ExternalName"')
    return out


def _pod_name(pod: dict) -> list[str]:
    """The pod strategy's WarningsOnCreate: a name that is no DNS label makes an odd hostname."""
    name = (pod.get("metadata") or {}).get("name") or ""
    msgs = names.is_dns1123_label(name)
    if not msgs:
        return []
    return ["metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; "
            f"a DNS label is recommended: [{' '.join(msgs)}]"]


def on_create(obj: dict) -> list[str]:
    kind = obj.get("kind")
    if kind == "Pod":
        return _pod_name(obj) + pod_warnings.pod_spec_and_meta(obj.get("spec"), obj.get("metadata"))
    if kind == "Service":
        return service(obj)
    path = TEMPLATE_PATHS.get(kind or "")
    out: list[str] = []
    if path:
        tmpl = _get(obj, path)
        if isinstance(tmpl, dict):
            out = pod_warnings.pod_spec_and_meta(tmpl.get("spec"), tmpl.get("metadata"), ".".join(path))
    if kind == "StatefulSet":
        for i, pvc in enumerate((obj.get("spec") or {}).get("volumeClaimTemplates") or ()):
            if isinstance(pvc, dict) and isinstance(pvc.get("spec"), dict):
                out.extend(pod_warnings.pvc_spec(pvc["spec"], f"spec.volumeClaimTemplates[{i}]"))
    return out


def on_update(new: dict, old: dict) -> list[str]:
    kind = new.get("kind")
    if kind == "Pod":
        return pod_warnings.pod_spec_and_meta(new.get("spec"), new.get("metadata"))
    if kind in TEMPLATE_PATHS and kind != "PodTemplate" and new.get("spec") == old.get("spec"):
        return []          # the generation did not move: no template warnings
    return on_create(new)
