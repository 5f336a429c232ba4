"""What a real cluster's mutating admission and registry add after defaulting.

Pods (created through the API, not templates):
* ServiceAccount (k/k plugin/pkg/admission/serviceaccount): `serviceAccountName: default`, and a
  projected `kube-api-access-<5 random>` volume mounted read-only in every container at
  /var/run/secrets/kubernetes.io/serviceaccount;
* Priority (plugin/pkg/admission/priority, priority.py): `priority` and `preemptionPolicy` from
  the PriorityClass (or the globalDefault one); unknown classes are refused (Forbidden);
* DefaultTolerationSeconds: NoExecute tolerations for not-ready/unreachable, 300s.

Services (pkg/registry/core/service): clusterIP/clusterIPs kept in step, values allocated
before kept on update, ipFamilies/ipFamilyPolicy set as a single-stack IPv4 cluster does.
(Allocating addresses and node ports is engine/services.py's job.)

DaemonSets: the `deprecated.daemonset.template.generation` annotation apps/v1 shows.
"""
from __future__ import annotations

from collections.abc import Mapping

from .. import objects
from . import ip_families
from . import priority as priority_plugin
from .validation_meta import semantic_equal

SA_VOLUME_PREFIX = "kube-api-access-"
SA_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"
DEFAULT_TOLERATION_SECONDS = 300
DS_TEMPLATE_GENERATION = "deprecated.daemonset.template.generation"


# One projection for every pod's token volume: it is the same for all, and stored objects are
# never changed in place (whoever changes a pod changes a copy), so sharing it costs nothing and
# saves ~2 KB a pod (a dozen small dicts and lists).
_TOKEN_PROJECTION = {
    "defaultMode": 420,
    "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace",
                                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
    ]}


def _token_volume(name: str) -> dict:
    return {"name": name, "projected": _TOKEN_PROJECTION}


def service_account(pod: dict, lookup=None) -> None:
    """The ServiceAccount plugin's Admit. `lookup(namespace, name)` returns the pod's
    ServiceAccount or raises the plugin's Forbidden (`error looking up service account ...`);
    None skips the lookup (a pod with no cluster behind it)."""
    md, spec = pod["metadata"], pod["spec"]
    if MIRROR_POD_ANNOTATION in (md.get("annotations") or {}):
        return
    if not spec.get("serviceAccountName"):
        spec["serviceAccountName"] = spec.get("serviceAccount") or "default"
    spec["serviceAccount"] = spec["serviceAccountName"]
    sa = lookup(md.get("namespace") or "", spec["serviceAccountName"]) if lookup is not None else None
    if sa is not None and not spec.get("imagePullSecrets") and sa.get("imagePullSecrets"):
        spec["imagePullSecrets"] = [{"name": (r or {}).get("name", "")} for r in sa["imagePullSecrets"]]
    # shouldAutomount: the pod's own setting, else its ServiceAccount's, else yes.
    if spec.get("automountServiceAccountToken") is False:
        return
    if spec.get("automountServiceAccountToken") is None and sa is not None \
            and sa.get("automountServiceAccountToken") is False:
        return
    volumes = spec.get("volumes") if isinstance(spec.get("volumes"), list) else []
    vol_name = next((v.get("name") for v in volumes
                     if isinstance(v, dict) and str(v.get("name", "")).startswith(SA_VOLUME_PREFIX)), None)
    has_volume = vol_name is not None
    vol_name = vol_name or SA_VOLUME_PREFIX + objects.random_suffix()
    needs = False
    for key in ("initContainers", "containers"):
        for c in spec.get(key) or ():
            if not isinstance(c, dict):
                continue
            mounts = c.get("volumeMounts")
            if not isinstance(mounts, list):
                mounts = c["volumeMounts"] = []
            if any(isinstance(m, dict) and m.get("mountPath") == SA_MOUNT_PATH for m in mounts):
                continue
            mounts.append({"mountPath": SA_MOUNT_PATH, "name": vol_name, "readOnly": True})
            needs = True
    if needs and not has_volume:
        spec["volumes"] = volumes + [_token_volume(vol_name)]


def default_toleration_seconds(pod: dict) -> None:
    spec = pod["spec"]
    tols = spec.get("tolerations") if isinstance(spec.get("tolerations"), list) else []
    not_ready = unreachable = False
    for t in tols:
        if not isinstance(t, dict):
            continue
        key, effect = t.get("key") or "", t.get("effect") or ""
        if effect in ("NoExecute", ""):
            if key in ("node.kubernetes.io/not-ready", ""):
                not_ready = True
            if key in ("node.kubernetes.io/unreachable", ""):
                unreachable = True
    if not_ready and unreachable:
        return
    tols = list(tols)
    if not not_ready:
        tols.append({"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                     "tolerationSeconds": DEFAULT_TOLERATION_SECONDS})
    if not unreachable:
        tols.append({"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
                     "tolerationSeconds": DEFAULT_TOLERATION_SECONDS})
    spec["tolerations"] = tols


def pod_create(pod: dict, service_account_lookup=None, priority_classes: Mapping[str, dict] | None = None) -> None:
    """The mutating plugins, in the apiserver's order."""
    if not isinstance(pod.get("spec"), dict):
        return
    service_account(pod, service_account_lookup)
    priority_plugin.admit_pod(pod, priority_classes)
    default_toleration_seconds(pod)


def pod_update(pod: dict, old: dict) -> None:
    if isinstance(pod.get("spec"), dict):
        priority_plugin.admit_pod_update(pod, old)
        default_toleration_seconds(pod)


# ---- Services -------------------------------------------------------------------------------------

def _service_families(svc: dict) -> None:
    ip_families.init_ip_family_fields(svc)


def service_create(svc: dict) -> None:
    spec = svc.get("spec")
    if not isinstance(spec, dict):
        return
    if spec.get("clusterIP") and not spec.get("clusterIPs"):
        spec["clusterIPs"] = [spec["clusterIP"]]
    _service_families(svc)


def service_update(svc: dict, old: dict) -> None:
    spec, ospec = svc.get("spec"), old.get("spec") or {}
    if not isinstance(spec, dict):
        return
    stype, otype = spec.get("type"), ospec.get("type")
    # dropTypeDependentFields: values that only made sense for the old type go with it.
    if stype == "ExternalName" and otype != "ExternalName":
        for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
            if key in spec and spec.get(key) == ospec.get(key):
                spec.pop(key)
    if stype not in ("NodePort", "LoadBalancer") and otype in ("NodePort", "LoadBalancer"):
        oports = {(p.get("port"), p.get("protocol")): p.get("nodePort") for p in ospec.get("ports") or ()
                  if isinstance(p, dict)}
        for p in spec.get("ports") or ():
            if isinstance(p, dict) and p.get("nodePort") and p["nodePort"] == oports.get((p.get("port"), p.get("protocol"))):
                p.pop("nodePort")
    if stype != "LoadBalancer" and otype == "LoadBalancer":
        if spec.get("allocateLoadBalancerNodePorts") == ospec.get("allocateLoadBalancerNodePorts"):
            spec.pop("allocateLoadBalancerNodePorts", None)
    accessible = stype in ("NodePort", "LoadBalancer") or (stype == "ClusterIP" and spec.get("externalIPs"))
    if not accessible and spec.get("externalTrafficPolicy") == ospec.get("externalTrafficPolicy"):
        spec.pop("externalTrafficPolicy", None)
    # patchAllocatedValues: a PUT that leaves out the allocated IPs keeps them.
    if stype != "ExternalName" and otype != "ExternalName":
        if not spec.get("clusterIP") and ospec.get("clusterIP"):
            spec["clusterIP"] = ospec["clusterIP"]
        if not spec.get("clusterIPs") and ospec.get("clusterIPs"):
            spec["clusterIPs"] = list(ospec["clusterIPs"])
        if spec.get("ipFamilyPolicy") is None and ospec.get("ipFamilyPolicy") is not None:
            spec["ipFamilyPolicy"] = ospec["ipFamilyPolicy"]
        if not spec.get("ipFamilies") and ospec.get("ipFamilies"):
            spec["ipFamilies"] = list(ospec["ipFamilies"])
    # NormalizeClusterIPs: an old client that changed only the singular field.
    if spec.get("clusterIP") != ospec.get("clusterIP") and spec.get("clusterIPs") == ospec.get("clusterIPs"):
        if spec.get("clusterIP"):
            spec["clusterIPs"] = [spec["clusterIP"]]
        else:
            spec.pop("clusterIPs", None)
    if spec.get("clusterIP") and not spec.get("clusterIPs"):
        spec["clusterIPs"] = [spec["clusterIP"]]
    _service_families(svc)


# ---- DaemonSets -------------------------------------------------------------------------------------

def daemon_set_create(ds: dict) -> None:
    md = ds["metadata"]
    ann = md.get("annotations")
    if not isinstance(ann, dict):
        ann = md["annotations"] = {}
    ann[DS_TEMPLATE_GENERATION] = "1"


def daemon_set_update(ds: dict, old: dict) -> None:
    omd = old.get("metadata") or {}
    try:
        gen = int((omd.get("annotations") or {}).get(DS_TEMPLATE_GENERATION, "0"))
    except ValueError:
        gen = 0
    if not semantic_equal((ds.get("spec") or {}).get("template"), (old.get("spec") or {}).get("template")):
        gen += 1
    md = ds["metadata"]
    ann = md.get("annotations")
    if not isinstance(ann, dict):
        ann = md["annotations"] = {}
    ann[DS_TEMPLATE_GENERATION] = str(max(gen, 1))
