"""Defaulting, as the apiserver applies it when it decodes a request (k/k pkg/apis/core/v1/defaults.go,
pkg/apis/apps/v1/defaults.go, pkg/apis/discovery/v1/defaults.go, `+default=` tags in k8s.io/api).

`apply_defaults(obj)` mutates the (already cloned) object in place. PodTemplateSpecs inside
workloads get the PodSpec defaults only; the Pod-only defaults (enableServiceLinks, requests
copied from limits) and the admission plugins' mutations (plugins.py) apply to Pods alone.
Quantities in resource lists are stored in canonical form ("0.5" -> "500m"), as `-o yaml` shows.
The result matches `kubectl get -o yaml` on a v1.32 cluster, minus fields Go prints for empty
structs that carry no information (`creationTimestamp: null` in templates).
"""
from __future__ import annotations

from .. import quantity
from . import autoscaling, batch, defaults_policy, network_policy, priority, secrets, storage, validation_rbac

DEFAULT_MODE = 420           # 0644, for secret/configMap/downwardAPI/projected volumes
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


def _d(parent: dict, key: str) -> dict:
    """parent[key] as a dict, created if missing or not a dict."""
    v = parent.get(key)
    if not isinstance(v, dict):
        v = parent[key] = {}
    return v


def _dicts(v):
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def canonical_resource_list(rl) -> None:
    """SetDefaults_ResourceList: round up to milli precision and store canonically."""
    if not isinstance(rl, dict):
        return
    for k, v in rl.items():
        if v is None:
            rl[k] = "0"          # a JSON null decodes to the zero Quantity
            continue
        try:
            rl[k] = quantity.round_up_milli(v)
        except quantity.QuantityError:
            pass        # decode already reported it; keep the value for the error path


def image_tag(image: str) -> str:
    """The tag parsers.ParseImageName finds: "latest" when there is neither tag nor digest."""
    if not image:
        return ""
    if "@" in image:
        name, _, _ = image.partition("@")
        last = name.rsplit("/", 1)[-1]
        return last.partition(":")[2] if ":" in last else ""
    last = image.rsplit("/", 1)[-1]
    return last.partition(":")[2] if ":" in last else "latest"


# ---- PodSpec and everything in it ------------------------------------------------------------------

def _http_get(h) -> None:
    if isinstance(h, dict):
        if not h.get("path"):
            h["path"] = "/"
        if not h.get("scheme"):
            h["scheme"] = "HTTP"


def _probe(p) -> None:
    if not isinstance(p, dict):
        return
    if not p.get("timeoutSeconds"):
        p["timeoutSeconds"] = 1
    if not p.get("periodSeconds"):
        p["periodSeconds"] = 10
    if not p.get("successThreshold"):
        p["successThreshold"] = 1
    if not p.get("failureThreshold"):
        p["failureThreshold"] = 3
    _http_get(p.get("httpGet"))
    # GRPCAction.service is `+default=""` (k8s.io/api core/v1 types.go). kubectl describe
    # dereferences it without a nil check: a stored probe without it panics describe.
    grpc = p.get("grpc")
    if isinstance(grpc, dict) and grpc.get("service") is None:
        grpc["service"] = ""


def _container(c: dict) -> None:
    if not c.get("imagePullPolicy"):
        c["imagePullPolicy"] = "Always" if image_tag(c.get("image") or "") == "latest" else "IfNotPresent"
    if not c.get("terminationMessagePath"):
        c["terminationMessagePath"] = "/dev/termination-log"
    if not c.get("terminationMessagePolicy"):
        c["terminationMessagePolicy"] = "File"
    for p in _dicts(c.get("ports")):
        if not p.get("protocol"):
            p["protocol"] = "TCP"
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        _probe(c.get(key))
    lc = c.get("lifecycle")
    if isinstance(lc, dict):
        for hook in ("postStart", "preStop"):
            if isinstance(lc.get(hook), dict):
                _http_get(lc[hook].get("httpGet"))
    for ev in _dicts(c.get("env")):
        vf = ev.get("valueFrom")
        if isinstance(vf, dict) and isinstance(vf.get("fieldRef"), dict) and not vf["fieldRef"].get("apiVersion"):
            vf["fieldRef"]["apiVersion"] = "v1"
    res = c.get("resources")
    if not isinstance(res, dict):
        c["resources"] = {}
    else:
        canonical_resource_list(res.get("limits"))
        canonical_resource_list(res.get("requests"))


_VOLUME_SOURCE_KEYS = frozenset({
    "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi",
    "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI",
    "fc", "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk",
    "projected", "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral", "image"})


def _downward_items(items) -> None:
    for it in _dicts(items):
        if isinstance(it.get("fieldRef"), dict) and not it["fieldRef"].get("apiVersion"):
            it["fieldRef"]["apiVersion"] = "v1"


def _volume(v: dict) -> None:
    if not any(v.get(k) is not None for k in _VOLUME_SOURCE_KEYS):
        v["emptyDir"] = {}
        return
    for key in ("secret", "configMap", "downwardAPI", "projected"):
        src = v.get(key)
        if isinstance(src, dict) and src.get("defaultMode") is None:
            src["defaultMode"] = DEFAULT_MODE
    if isinstance(v.get("hostPath"), dict) and v["hostPath"].get("type") is None:
        v["hostPath"]["type"] = ""
    _legacy_volume_sources(v)
    if isinstance(v.get("downwardAPI"), dict):
        _downward_items(v["downwardAPI"].get("items"))
    if isinstance(v.get("projected"), dict):
        for s in _dicts(v["projected"].get("sources")):
            sat = s.get("serviceAccountToken")
            if isinstance(sat, dict) and sat.get("expirationSeconds") is None:
                sat["expirationSeconds"] = 3600
            if isinstance(s.get("downwardAPI"), dict):
                _downward_items(s["downwardAPI"].get("items"))
    eph = v.get("ephemeral")
    if isinstance(eph, dict) and isinstance(eph.get("volumeClaimTemplate"), dict):
        _pvc_spec(_d(eph["volumeClaimTemplate"], "spec"))


# `+default=` tags on the in-tree volume sources (k8s.io/api core/v1 types.go), applied by the
# generated defaulters wherever a volume source appears (pods, templates).
_VOLUME_SOURCE_DEFAULTS = {
    "rbd": (("pool", "rbd"), ("user", "admin"), ("keyring", "/etc/ceph/keyring")),
    "iscsi": (("iscsiInterface", "default"),),
    "azureDisk": (("cachingMode", "ReadWrite"), ("fsType", "ext4"), ("readOnly", False), ("kind", "Shared")),
    "scaleIO": (("storageMode", "ThinProvisioned"), ("fsType", "xfs")),
}


def _legacy_volume_sources(v: dict) -> None:
    for source, pairs in _VOLUME_SOURCE_DEFAULTS.items():
        src = v.get(source)
        if isinstance(src, dict):
            for key, value in pairs:
                # azureDisk's fields are pointers (only nil is defaulted); the others are
                # plain strings (the empty string is the zero value and is defaulted)
                if src.get(key) is None or (src.get(key) == "" and source != "azureDisk"):
                    src[key] = value


def _pvc_spec(spec: dict) -> None:
    if spec.get("volumeMode") is None:
        spec["volumeMode"] = "Filesystem"
    res = spec.get("resources")
    if isinstance(res, dict):
        canonical_resource_list(res.get("requests"))
        canonical_resource_list(res.get("limits"))


def pod_spec(spec: dict) -> None:
    """SetDefaults_PodSpec and the defaults of everything a PodSpec contains."""
    if not spec.get("dnsPolicy"):
        spec["dnsPolicy"] = "ClusterFirst"
    if not spec.get("restartPolicy"):
        spec["restartPolicy"] = "Always"
    if not isinstance(spec.get("securityContext"), dict):
        spec["securityContext"] = {}
    if spec.get("terminationGracePeriodSeconds") is None:
        spec["terminationGracePeriodSeconds"] = 30
    if not spec.get("schedulerName"):
        spec["schedulerName"] = "default-scheduler"
    # v1 <-> internal conversion keeps the deprecated serviceAccount field in step.
    if not spec.get("serviceAccountName") and spec.get("serviceAccount"):
        spec["serviceAccountName"] = spec["serviceAccount"]
    if spec.get("serviceAccountName"):
        spec["serviceAccount"] = spec["serviceAccountName"]
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in _dicts(spec.get(key)):
            _container(c)
    for v in _dicts(spec.get("volumes")):
        _volume(v)
    canonical_resource_list(spec.get("overhead"))
    if isinstance(spec.get("resources"), dict):
        canonical_resource_list(spec["resources"].get("limits"))
        canonical_resource_list(spec["resources"].get("requests"))


def pod_template(tmpl) -> None:
    if not isinstance(tmpl, dict):
        return
    _d(tmpl, "metadata")
    pod_spec(_d(tmpl, "spec"))


# ---- per kind ---------------------------------------------------------------------------------------

def pod(obj: dict) -> None:
    spec = _d(obj, "spec")
    pod_spec(spec)
    for key in ("containers", "initContainers"):
        for c in _dicts(spec.get(key)):
            res = c.get("resources")
            if isinstance(res, dict) and isinstance(res.get("limits"), dict):
                req = res.get("requests")
                if not isinstance(req, dict):
                    req = res["requests"] = {}
                for k, v in res["limits"].items():
                    req.setdefault(k, v)
    if spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True
    if spec.get("hostNetwork"):
        for key in ("containers", "initContainers"):
            for c in _dicts(spec.get(key)):
                for p in _dicts(c.get("ports")):
                    if not p.get("hostPort"):
                        p["hostPort"] = p.get("containerPort", 0)


def namespace(obj: dict) -> None:
    md = _d(obj, "metadata")
    if md.get("name"):
        labels = md.get("labels")
        if not isinstance(labels, dict):
            labels = md["labels"] = {}
        labels[NAMESPACE_NAME_LABEL] = md["name"]
    status = _d(obj, "status")
    if not status.get("phase"):
        status["phase"] = "Active"


def node(obj: dict) -> None:
    status = obj.get("status")
    if isinstance(status, dict):
        canonical_resource_list(status.get("capacity"))
        canonical_resource_list(status.get("allocatable"))
        if status.get("allocatable") is None and isinstance(status.get("capacity"), dict):
            status["allocatable"] = dict(status["capacity"])


def deployment(obj: dict) -> None:
    spec = _d(obj, "spec")
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    strategy = _d(spec, "strategy")
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        ru = _d(strategy, "rollingUpdate")
        if ru.get("maxUnavailable") is None:
            ru["maxUnavailable"] = "25%"
        if ru.get("maxSurge") is None:
            ru["maxSurge"] = "25%"
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    if spec.get("progressDeadlineSeconds") is None:
        spec["progressDeadlineSeconds"] = 600
    pod_template(_d(spec, "template"))


def replica_set(obj: dict) -> None:
    spec = _d(obj, "spec")
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    pod_template(_d(spec, "template"))


def stateful_set(obj: dict) -> None:
    spec = _d(obj, "spec")
    if not spec.get("podManagementPolicy"):
        spec["podManagementPolicy"] = "OrderedReady"
    us = _d(spec, "updateStrategy")
    if not us.get("type"):
        us["type"] = "RollingUpdate"
        if us.get("rollingUpdate") is None:
            us["rollingUpdate"] = {}
    if us["type"] == "RollingUpdate" and isinstance(us.get("rollingUpdate"), dict) \
            and us["rollingUpdate"].get("partition") is None:
        us["rollingUpdate"]["partition"] = 0
    pol = _d(spec, "persistentVolumeClaimRetentionPolicy")
    if not pol.get("whenDeleted"):
        pol["whenDeleted"] = "Retain"
    if not pol.get("whenScaled"):
        pol["whenScaled"] = "Retain"
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    pod_template(_d(spec, "template"))
    for pvc in _dicts(spec.get("volumeClaimTemplates")):
        pvc.setdefault("apiVersion", "v1")
        pvc.setdefault("kind", "PersistentVolumeClaim")
        _pvc_spec(_d(pvc, "spec"))
        status = _d(pvc, "status")
        if not status.get("phase"):
            status["phase"] = "Pending"


def daemon_set(obj: dict) -> None:
    spec = _d(obj, "spec")
    us = _d(spec, "updateStrategy")
    if not us.get("type"):
        us["type"] = "RollingUpdate"
    if us["type"] == "RollingUpdate":
        ru = _d(us, "rollingUpdate")
        if ru.get("maxUnavailable") is None:
            ru["maxUnavailable"] = 1
        if ru.get("maxSurge") is None:
            ru["maxSurge"] = 0
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    pod_template(_d(spec, "template"))


def service(obj: dict) -> None:
    spec = _d(obj, "spec")
    if not spec.get("sessionAffinity"):
        spec["sessionAffinity"] = "None"
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec["sessionAffinity"] == "ClientIP":
        cfg = spec.get("sessionAffinityConfig")
        if not (isinstance(cfg, dict) and isinstance(cfg.get("clientIP"), dict)
                and cfg["clientIP"].get("timeoutSeconds") is not None):
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 10800}}
    if not spec.get("type"):
        spec["type"] = "ClusterIP"
    for p in _dicts(spec.get("ports")):
        if not p.get("protocol"):
            p["protocol"] = "TCP"
        if p.get("targetPort") in (None, 0, ""):
            p["targetPort"] = p.get("port")
    stype = spec["type"]
    accessible = stype in ("NodePort", "LoadBalancer") or (stype == "ClusterIP" and spec.get("externalIPs"))
    if accessible and not spec.get("externalTrafficPolicy"):
        spec["externalTrafficPolicy"] = "Cluster"
    if spec.get("internalTrafficPolicy") is None and stype in ("NodePort", "LoadBalancer", "ClusterIP"):
        spec["internalTrafficPolicy"] = "Cluster"
    if stype == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        spec["allocateLoadBalancerNodePorts"] = True
    if stype == "LoadBalancer":
        # LoadBalancerIPMode (beta, on in v1.32): an ingress IP without a mode is a VIP
        lb = (obj.get("status") or {}).get("loadBalancer") if isinstance(obj.get("status"), dict) else None
        for ing in _dicts((lb or {}).get("ingress") if isinstance(lb, dict) else None):
            if ing.get("ip") and ing.get("ipMode") is None:
                ing["ipMode"] = "VIP"


def endpoints(obj: dict) -> None:
    for ss in _dicts(obj.get("subsets")):
        for p in _dicts(ss.get("ports")):
            if not p.get("protocol"):
                p["protocol"] = "TCP"


def endpoint_slice(obj: dict) -> None:
    for p in _dicts(obj.get("ports")):
        if p.get("name") is None:
            p["name"] = ""
        if p.get("protocol") is None:
            p["protocol"] = "TCP"


def job(obj: dict) -> None:
    batch.job(obj, pod_template)


def cron_job(obj: dict) -> None:
    batch.cron_job(obj, pod_template)


_BY_KIND = {"Job": job, "CronJob": cron_job, "Pod": pod, "Namespace": namespace, "Node": node, "Deployment": deployment,
            "ReplicaSet": replica_set, "StatefulSet": stateful_set, "DaemonSet": daemon_set,
            "Service": service, "Endpoints": endpoints, "EndpointSlice": endpoint_slice,
            "Secret": secrets.default_secret,
            "HorizontalPodAutoscaler": autoscaling.horizontal_pod_autoscaler}
_BY_KIND.update({"ResourceQuota": defaults_policy.resource_quota, "LimitRange": defaults_policy.limit_range})
_BY_KIND.update({"PriorityClass": priority.defaults})
_BY_KIND["NetworkPolicy"] = network_policy.defaults
_BY_KIND.update(validation_rbac.DEFAULTS)


def apply_defaults(obj: dict) -> dict:
    """Default `obj` in place (it must be the caller's own copy) and return it."""
    if not isinstance(obj.get("metadata"), dict):
        obj["metadata"] = {}
    fn = _BY_KIND.get(obj.get("kind") or "") or storage.DEFAULTS.get(obj.get("kind") or "")
    if fn:
        fn(obj)
    return obj
