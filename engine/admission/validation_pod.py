"""PodSpec validation (k/k pkg/apis/core/validation/validation.go: ValidatePodSpec and helpers).

Shared by Pods and every PodTemplateSpec (Deployment, ReplicaSet, StatefulSet, DaemonSet).
Checks run, and errors are reported, in upstream's order. Rarely used corners (volume plugins
other than the common ones, Windows options, sysctls, resource claims) are accepted unchecked.
"""
from __future__ import annotations

from typing import TypeGuard

from .. import quantity
from ..errors import FieldError
from . import names as naming
from .fields import duplicate, forbidden, invalid, not_found, not_supported, required
from .validation_meta import (as_list, nonnegative, str_map, validate_annotations, validate_label_name,
                              validate_label_selector, validate_labels)

MAX_INT32 = 2 ** 31 - 1
_PROTOCOLS = ("SCTP", "TCP", "UDP")
_PULL_POLICIES = ("Always", "IfNotPresent", "Never")
_RESTART_POLICIES = ("Always", "OnFailure", "Never")
_DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
_TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_FILE_MODE_MSG = "must be a number between 0 and 0777 (octal), both inclusive"
_ENV_FIELD_PATHS = ("metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
                    "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP",
                    "status.podIPs")
_VOLUME_FIELD_PATHS = ("metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace",
                       "metadata.uid")
_RESOURCE_FIELD_PATHS = ("limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu",
                         "requests.ephemeral-storage", "requests.memory")
# The volume sources in the order validateVolumeSource looks at them, with the path each is
# reported under when it is a second source (upstream's typos included).
_VOLUME_SOURCES = (
    ("emptyDir", "emptyDir"), ("hostPath", "hostPath"), ("gitRepo", "gitRepo"),
    ("gcePersistentDisk", "gcePersistentDisk"), ("awsElasticBlockStore", "awsElasticBlockStore"),
    ("secret", "secret"), ("nfs", "nfs"), ("iscsi", "iscsi"), ("glusterfs", "glusterfs"),
    ("flocker", "flocker"), ("persistentVolumeClaim", "persistentVolumeClaim"), ("rbd", "rbd"),
    ("cinder", "cinder"), ("cephfs", "cephFS"), ("quobyte", "quobyte"), ("downwardAPI", "downwarAPI"),
    ("fc", "fc"), ("flexVolume", "flexVolume"), ("configMap", "configMap"), ("azureFile", "azureFile"),
    ("vsphereVolume", "vsphereVolume"), ("photonPersistentDisk", "photonPersistentDisk"),
    ("portworxVolume", "portworxVolume"), ("azureDisk", "azureDisk"), ("storageos", "storageos"),
    ("projected", "projected"), ("scaleIO", "scaleIO"), ("csi", "csi"), ("ephemeral", "ephemeral"),
    ("image", "image"),
)
_STANDARD_CONTAINER_RESOURCES = frozenset({"cpu", "memory", "ephemeral-storage"})
_STANDARD_RESOURCES = frozenset({
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
    "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "services",
    "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims",
    "storage", "requests.storage", "services.nodeports", "services.loadbalancers"})
_INTEGER_RESOURCES = frozenset({"pods", "services", "replicationcontrollers", "resourcequotas", "secrets",
                                "configmaps", "persistentvolumeclaims", "services.nodeports",
                                "services.loadbalancers"})


def _is_int(v: object) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


# ---- names and ports ---------------------------------------------------------------------------

def dns1123_label(value: str, path: str) -> list[FieldError]:
    return [invalid(path, value, m) for m in naming.is_dns1123_label(value)]


def dns1123_subdomain(value: str, path: str) -> list[FieldError]:
    return [invalid(path, value, m) for m in naming.is_dns1123_subdomain(value)]


def port_num_or_name(port, path: str) -> list[FieldError]:
    if isinstance(port, str):
        return [invalid(path, port, m) for m in naming.is_valid_port_name(port)]
    port = port if _is_int(port) else 0
    return [invalid(path, port, m) for m in naming.is_valid_port_num(port)]


def _container_ports(ports, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, p in enumerate(as_list(ports)):
        p = p if isinstance(p, dict) else {}
        ip = f"{path}[{i}]"
        name = p.get("name") or ""
        if name:
            m = naming.is_valid_port_name(name)
            if m:
                errs.extend(invalid(f"{ip}.name", name, x) for x in m)
            elif name in seen:
                errs.append(duplicate(f"{ip}.name", name))
            else:
                seen.add(name)
        cp = p.get("containerPort") or 0
        if not cp:
            errs.append(required(f"{ip}.containerPort"))
        else:
            errs.extend(invalid(f"{ip}.containerPort", cp, m) for m in naming.is_valid_port_num(cp))
        hp = p.get("hostPort") or 0
        if hp:
            errs.extend(invalid(f"{ip}.hostPort", hp, m) for m in naming.is_valid_port_num(hp))
        proto = p.get("protocol") or ""
        if not proto:
            errs.append(required(f"{ip}.protocol"))
        elif proto not in _PROTOCOLS:
            errs.append(not_supported(f"{ip}.protocol", proto, _PROTOCOLS))
    return errs


# ---- env -----------------------------------------------------------------------------------------

def _env_name(name: str) -> list[str]:
    """IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation is on by default in v1.32)."""
    if not name:
        return ["environment variable name " + naming.EMPTY_ERROR]
    for ch in name:
        if ord(ch) > 127 or not ch.isprintable() or ch == "=":
            return ["a valid environment variable name must consist only of printable ASCII characters other than '='"]
    return []


def _key_selector(sel: dict, path: str) -> list[FieldError]:
    errs = [invalid(f"{path}.name", sel.get("name") or "", m) for m in naming.name_is_dns_subdomain(sel.get("name") or "", False)]
    key = sel.get("key") or ""
    if not key:
        errs.append(required(f"{path}.key"))
    else:
        errs.extend(invalid(f"{path}.key", key, m) for m in naming.is_config_map_key(key))
    return errs


def _field_selector(fs: dict, allowed: tuple[str, ...], path: str) -> list[FieldError]:
    if not fs.get("apiVersion"):
        return [required(f"{path}.apiVersion")]
    fp = fs.get("fieldPath") or ""
    if not fp:
        return [required(f"{path}.fieldPath")]
    base, sep, rest = fp.partition("[")
    if sep:
        if base in ("metadata.annotations", "metadata.labels") and rest.endswith("]") and len(rest) > 3 \
                and rest[0] in "'\"" and rest[-2] == rest[0]:
            key = rest[1:-2]
            return validate_label_name(key.lower() if base == "metadata.annotations" else key, path)
        return [invalid(path, base, "does not support subscript")]
    if fp not in allowed:
        return [not_supported(f"{path}.fieldPath", fp, allowed)]
    return []


def _resource_field_selector(rs: dict, path: str, volume: bool) -> list[FieldError]:
    res = rs.get("resource") or ""
    if volume and not rs.get("containerName"):
        return [required(f"{path}.containerName")]
    if not res:
        return [required(f"{path}.resource")]
    if res not in _RESOURCE_FIELD_PATHS and not res.startswith(("requests.hugepages-", "limits.hugepages-")):
        return [not_supported(f"{path}.resource", res, _RESOURCE_FIELD_PATHS)]
    return []


def _env(env, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, ev in enumerate(as_list(env)):
        ev = ev if isinstance(ev, dict) else {}
        ip = f"{path}[{i}]"
        name = ev.get("name") or ""
        if not name:
            errs.append(required(f"{ip}.name"))
        else:
            errs.extend(invalid(f"{ip}.name", name, m) for m in _env_name(name))
        vf = ev.get("valueFrom")
        if isinstance(vf, dict):
            vp = f"{ip}.valueFrom"
            n = 0
            if isinstance(vf.get("fieldRef"), dict):
                n += 1
                errs.extend(_field_selector(vf["fieldRef"], _ENV_FIELD_PATHS, f"{vp}.fieldRef"))
            if isinstance(vf.get("resourceFieldRef"), dict):
                n += 1
                errs.extend(_resource_field_selector(vf["resourceFieldRef"], f"{vp}.resourceFieldRef", False))
            if isinstance(vf.get("configMapKeyRef"), dict):
                n += 1
                errs.extend(_key_selector(vf["configMapKeyRef"], f"{vp}.configMapKeyRef"))
            if isinstance(vf.get("secretKeyRef"), dict):
                n += 1
                errs.extend(_key_selector(vf["secretKeyRef"], f"{vp}.secretKeyRef"))
            if n == 0:
                errs.append(invalid(vp, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
            elif ev.get("value"):
                errs.append(invalid(vp, "", "may not be specified when `value` is not empty"))
            elif n > 1:
                errs.append(invalid(vp, "", "may not have more than one field specified at a time"))
    return errs


def _env_from(env_from, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, ef in enumerate(as_list(env_from)):
        ef = ef if isinstance(ef, dict) else {}
        ip = f"{path}[{i}]"
        if ef.get("prefix"):
            errs.extend(invalid(f"{ip}.prefix", ef["prefix"], m) for m in _env_name(ef["prefix"]))
        n = 0
        for key in ("configMapRef", "secretRef"):
            ref = ef.get(key)
            if isinstance(ref, dict):
                n += 1
                name = ref.get("name") or ""
                if not name:
                    errs.append(required(f"{ip}.{key}.name"))
                else:
                    errs.extend(invalid(f"{ip}.{key}.name", name, m) for m in naming.name_is_dns_subdomain(name, True))
        if n == 0:
            errs.append(invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"))
        elif n > 1:
            errs.append(invalid(path, "", "may not have more than one field specified at a time"))
    return errs


# ---- volumes ---------------------------------------------------------------------------------------

def _local_descending_path(p: str, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if p.startswith("/"):
        errs.append(invalid(path, p, "must be a relative path"))
    if ".." in p.replace("\\", "/").split("/"):
        errs.append(invalid(path, p, "must not contain '..'"))
    return errs


def _key_to_path(kp: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if not kp.get("key"):
        errs.append(required(f"{path}.key"))
    p = kp.get("path") or ""
    if not p:
        errs.append(required(f"{path}.path"))
    errs.extend(_local_descending_path(p, f"{path}.path"))
    if p.startswith(".."):
        errs.append(invalid(f"{path}.path", p, "must not start with '..'"))
    mode = kp.get("mode")
    if _is_int(mode) and not 0 <= mode <= 0o777:
        errs.append(invalid(f"{path}.mode", mode, _FILE_MODE_MSG))
    return errs


def _mode(src: dict, path: str) -> list[FieldError]:
    mode = src.get("defaultMode")
    if _is_int(mode) and not 0 <= mode <= 0o777:
        return [invalid(f"{path}.defaultMode", mode, _FILE_MODE_MSG)]
    return []


def _volume_source(vol: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    n = 0
    for key, dup_path in _VOLUME_SOURCES:
        src = vol.get(key)
        if src is None:
            continue
        if n > 0:
            errs.append(forbidden(f"{path}.{dup_path}", "may not specify more than 1 volume type"))
            continue
        n += 1
        src = src if isinstance(src, dict) else {}
        sp = f"{path}.{key}"
        if key == "emptyDir":
            limit = src.get("sizeLimit")
            if limit is not None and quantity.is_valid_quantity(limit) and quantity.parse_quantity(limit) < 0:
                errs.append(forbidden(f"{sp}.sizeLimit", "SizeLimit field must be a valid resource quantity"))
        elif key == "hostPath":
            if not src.get("path"):
                errs.append(required(f"{sp}.path"))
        elif key == "secret":
            if not src.get("secretName"):
                errs.append(required(f"{sp}.secretName"))
            errs.extend(_mode(src, sp))
            for i, kp in enumerate(as_list(src.get("items"))):
                errs.extend(_key_to_path(kp if isinstance(kp, dict) else {}, f"{sp}.items[{i}]"))
        elif key == "configMap":
            if not src.get("name"):
                errs.append(required(f"{sp}.name"))
            errs.extend(_mode(src, sp))
            for i, kp in enumerate(as_list(src.get("items"))):
                errs.extend(_key_to_path(kp if isinstance(kp, dict) else {}, f"{sp}.items[{i}]"))
        elif key == "persistentVolumeClaim":
            if not src.get("claimName"):
                errs.append(required(f"{sp}.claimName"))
        elif key == "nfs":
            if not src.get("server"):
                errs.append(required(f"{sp}.server"))
            p = src.get("path") or ""
            if not p:
                errs.append(required(f"{sp}.path"))
            if not p.startswith("/"):
                errs.append(invalid(f"{sp}.path", p, "must be an absolute path"))
        elif key == "downwardAPI":
            errs.extend(_mode(src, sp))
            for item in as_list(src.get("items")):
                errs.extend(_downward_file(item if isinstance(item, dict) else {}, sp))
        elif key == "projected":
            errs.extend(_mode(src, sp))
            for i, s in enumerate(as_list(src.get("sources"))):
                errs.extend(_projection(s if isinstance(s, dict) else {}, f"{sp}.sources[{i}]"))
    if n == 0:
        errs.append(required(path, "must specify a volume type"))
    return errs


def _downward_file(f: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    p = f.get("path") or ""
    if not p:
        errs.append(required(f"{path}.path"))
    errs.extend(_local_descending_path(p, f"{path}.path"))
    if isinstance(f.get("fieldRef"), dict):
        errs.extend(_field_selector(f["fieldRef"], _VOLUME_FIELD_PATHS, f"{path}.fieldRef"))
        if f.get("resourceFieldRef") is not None:
            errs.append(invalid(path, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"))
    elif isinstance(f.get("resourceFieldRef"), dict):
        errs.extend(_resource_field_selector(f["resourceFieldRef"], f"{path}.resourceFieldRef", True))
    else:
        errs.append(required(path, "one of fieldRef and resourceFieldRef is required"))
    mode = f.get("mode")
    if _is_int(mode) and not 0 <= mode <= 0o777:
        errs.append(invalid(f"{path}.mode", mode, _FILE_MODE_MSG))
    return errs


def _projection(src: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    n = 0
    for key in ("secret", "configMap", "downwardAPI", "serviceAccountToken", "clusterTrustBundle"):
        s = src.get(key)
        if not isinstance(s, dict):
            continue
        n += 1
        if n > 1:
            errs.append(forbidden(f"{path}.{key}", "may not specify more than 1 volume type per source"))
            continue
        sp = f"{path}.{key}"
        if key in ("secret", "configMap"):
            if not s.get("name"):
                errs.append(required(f"{sp}.name"))
            for i, kp in enumerate(as_list(s.get("items"))):
                errs.extend(_key_to_path(kp if isinstance(kp, dict) else {}, f"{sp}.items[{i}]"))
        elif key == "downwardAPI":
            for item in as_list(s.get("items")):
                errs.extend(_downward_file(item if isinstance(item, dict) else {}, sp))
        elif key == "serviceAccountToken":
            exp = s.get("expirationSeconds")
            if _is_int(exp) and exp < 10 * 60:
                errs.append(invalid(f"{sp}.expirationSeconds", exp, "may not specify a duration less than 10 minutes"))
            if _is_int(exp) and exp > 1 << 32:
                errs.append(invalid(f"{sp}.expirationSeconds", exp, "may not specify a duration larger than 2^32 seconds"))
            if not s.get("path"):
                errs.append(required(f"{sp}.path"))
    return errs


def validate_volumes(volumes, path: str) -> tuple[dict, list[FieldError]]:
    errs: list[FieldError] = []
    vols: dict[str, dict] = {}
    names: set[str] = set()
    for i, vol in enumerate(as_list(volumes)):
        vol = vol if isinstance(vol, dict) else {}
        ip = f"{path}[{i}]"
        name = vol.get("name") or ""
        el = _volume_source(vol, ip)
        if not name:
            el.append(required(f"{ip}.name"))
        else:
            el.extend(dns1123_label(name, f"{ip}.name"))
        if name in names:
            el.append(duplicate(f"{ip}.name", name))
        if not el:
            names.add(name)
            vols[name] = vol
        else:
            errs.extend(el)
    return vols, errs


def _volume_mounts(mounts, vols: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    points: set[str] = set()
    for i, m in enumerate(as_list(mounts)):
        m = m if isinstance(m, dict) else {}
        ip = f"{path}[{i}]"
        name, mp = m.get("name") or "", m.get("mountPath") or ""
        if not name:
            errs.append(required(f"{ip}.name"))
        if name not in vols:
            errs.append(not_found(f"{ip}.name", name))
        if not mp:
            errs.append(required(f"{ip}.mountPath"))
        if mp in points:
            errs.append(invalid(f"{ip}.mountPath", mp, "must be unique"))
        points.add(mp)
        if m.get("subPath"):
            errs.extend(_local_descending_path(m["subPath"], f"{path}.subPath"))
        if m.get("subPathExpr"):
            if m.get("subPath"):
                errs.append(invalid(f"{ip}.subPathExpr", m["subPathExpr"], "subPathExpr and subPath are mutually exclusive"))
            errs.extend(_local_descending_path(m["subPathExpr"], f"{path}.subPathExpr"))
    return errs


# ---- resources -------------------------------------------------------------------------------------

def _is_hugepages(name: str) -> bool:
    return name.startswith("hugepages-")


def _is_native(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def _overcommit_allowed(name: str) -> bool:
    return _is_native(name) and not _is_hugepages(name)


def _container_resource_name(name: str, path: str) -> list[FieldError]:
    """validateContainerResourceName (which starts with validateResourceName)."""
    errs = [invalid(path, name, m) for m in naming.is_qualified_name(name)]
    if "/" not in name:
        if not errs and name not in _STANDARD_RESOURCES and not _is_hugepages(name):
            errs.append(invalid(path, name, "must be a standard resource type or fully qualified"))
        if name not in _STANDARD_CONTAINER_RESOURCES and not _is_hugepages(name):
            errs.append(invalid(path, name, "must be a standard resource for containers"))
    elif not _is_native(name) and (name.startswith("requests.") or naming.is_qualified_name("requests." + name)):
        errs.append(invalid(path, name, "doesn't follow extended resource name standard"))
    return errs


def _quantity_value(name: str, value, path: str) -> list[FieldError]:
    q = quantity.parse_quantity(value)
    errs: list[FieldError] = []
    if q < 0:
        errs.append(invalid(path, quantity.canonical_quantity(value), "must be greater than or equal to 0"))
    is_integer = name in _INTEGER_RESOURCES or (not _is_native(name) and not name.startswith("requests."))
    if is_integer and (q * 1000) % 1000 != 0:
        errs.append(invalid(path, quantity.canonical_quantity(value), "must be an integer"))
    return errs


def validate_resources(res, path: str) -> list[FieldError]:
    if not isinstance(res, dict):
        return []
    errs: list[FieldError] = []
    limits, requests = str_map(res.get("limits")), str_map(res.get("requests"))
    lim_path, req_path = f"{path}.limits", f"{path}.requests"
    lim_cpu_mem = req_cpu_mem = lim_huge = req_huge = False
    for name, q in limits.items():
        fp = f"{lim_path}[{name}]"
        errs.extend(_container_resource_name(name, fp))
        errs.extend(_quantity_value(name, q, fp))
        if _is_hugepages(name):
            lim_huge = True
        if name in ("cpu", "memory"):
            lim_cpu_mem = True
    for name, q in requests.items():
        fp = f"{req_path}[{name}]"
        errs.extend(_container_resource_name(name, fp))
        errs.extend(_quantity_value(name, q, fp))
        if name in limits:
            rq, lq = quantity.parse_quantity(q), quantity.parse_quantity(limits[name])
            canon, lcanon = quantity.canonical_quantity(q), quantity.canonical_quantity(limits[name])
            if rq != lq and not _overcommit_allowed(name):
                errs.append(invalid(req_path, canon, f"must be equal to {name} limit of {lcanon}"))
            elif rq > lq:
                errs.append(invalid(req_path, canon, f"must be less than or equal to {name} limit of {lcanon}"))
        elif not _overcommit_allowed(name):
            errs.append(required(lim_path, "Limit must be set for non overcommitable resources"))
        if _is_hugepages(name):
            req_huge = True
        if name in ("cpu", "memory"):
            req_cpu_mem = True
    if not lim_cpu_mem and not req_cpu_mem and (req_huge or lim_huge):
        errs.append(forbidden(path, "HugePages require cpu or memory"))
    return errs


# ---- probes and lifecycle -------------------------------------------------------------------------

def _handler(h: dict, path: str, grace, allow_sleep: bool, allow_grpc: bool) -> list[FieldError]:
    errs: list[FieldError] = []
    n = 0
    kinds = ["exec", "httpGet", "tcpSocket"] + (["grpc"] if allow_grpc else []) + (["sleep"] if allow_sleep else [])
    for key in kinds:
        v = h.get(key)
        if v is None:
            continue
        if n > 0:
            errs.append(forbidden(f"{path}.{key}", "may not specify more than 1 handler type"))
            continue
        n += 1
        v = v if isinstance(v, dict) else {}
        kp = f"{path}.{key}"
        if key == "exec":
            if not v.get("command"):
                errs.append(required(f"{kp}.command"))
        elif key == "httpGet":
            if not v.get("path"):
                errs.append(required(f"{kp}.path"))
            errs.extend(port_num_or_name(v.get("port", 0), f"{kp}.port"))
            scheme = v.get("scheme") or ""
            if scheme not in ("HTTP", "HTTPS"):
                errs.append(not_supported(f"{kp}.scheme", scheme, ("HTTP", "HTTPS")))
            for hdr in as_list(v.get("httpHeaders")):
                hn = (hdr or {}).get("name") or "" if isinstance(hdr, dict) else ""
                errs.extend(invalid(f"{kp}.httpHeaders", hn, m) for m in naming.is_http_header_name(hn))
        elif key == "tcpSocket":
            errs.extend(port_num_or_name(v.get("port", 0), f"{kp}.port"))
        elif key == "grpc":
            errs.extend(port_num_or_name(v.get("port", 0) if _is_int(v.get("port")) else 0, f"{kp}.port"))
        elif key == "sleep":
            secs = v.get("seconds", 0)
            if _is_int(grace) and _is_int(secs) and (secs < 0 or secs > grace):
                errs.append(invalid(kp, secs, f"must be non-negative and less than terminationGracePeriodSeconds ({grace})"))
    if n == 0:
        errs.append(required(path, "must specify a handler type"))
    return errs


def _probe(probe, path: str, grace, kind: str) -> list[FieldError]:
    if not isinstance(probe, dict):
        return []
    errs = _handler(probe, path, grace, allow_sleep=False, allow_grpc=True)
    for f in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
        errs.extend(nonnegative(probe.get(f, 0), f"{path}.{f}"))
    tgps = probe.get("terminationGracePeriodSeconds")
    if _is_int(tgps) and tgps <= 0:
        errs.append(invalid(f"{path}.terminationGracePeriodSeconds", tgps, "must be greater than 0"))
    if kind in ("liveness", "startup") and probe.get("successThreshold", 1) != 1:
        errs.append(invalid(f"{path}.successThreshold", probe.get("successThreshold"), "must be 1"))
    if kind == "readiness" and tgps is not None:
        errs.append(invalid(f"{path}.terminationGracePeriodSeconds", tgps, "must not be set for readinessProbes"))
    return errs


def _lifecycle(lc, path: str, grace) -> list[FieldError]:
    if not isinstance(lc, dict):
        return []
    errs: list[FieldError] = []
    for hook in ("postStart", "preStop"):
        if isinstance(lc.get(hook), dict):
            errs.extend(_handler(lc[hook], f"{path}.{hook}", grace, allow_sleep=True, allow_grpc=False))
    return errs


# ---- containers ---------------------------------------------------------------------------------------

def _security_context(sc, path: str) -> list[FieldError]:
    if not isinstance(sc, dict):
        return []
    errs: list[FieldError] = []
    for f in ("runAsUser", "runAsGroup"):
        v = sc.get(f)
        if _is_int(v) and not 0 <= v <= MAX_INT32:
            errs.append(invalid(f"{path}.{f}", v, naming.inclusive_range_error(0, MAX_INT32)))
    if sc.get("allowPrivilegeEscalation") is False and sc.get("privileged") is True:
        errs.append(invalid(path, sc, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"))
    return errs


def _container_common(c: dict, vols: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = c.get("name") or ""
    if not name:
        errs.append(required(f"{path}.name"))
    else:
        errs.extend(dns1123_label(name, f"{path}.name"))
    if not c.get("image"):
        errs.append(required(f"{path}.image"))
    tmp = c.get("terminationMessagePolicy") or ""
    if not tmp:
        errs.append(required(f"{path}.terminationMessagePolicy"))
    elif tmp not in ("File", "FallbackToLogsOnError"):
        errs.append(not_supported(f"{path}.terminationMessagePolicy", tmp, ("File", "FallbackToLogsOnError")))
    if c.get("ports"):
        errs.extend(_container_ports(c["ports"], f"{path}.ports"))
    if c.get("env"):
        errs.extend(_env(c["env"], f"{path}.env"))
    if c.get("envFrom"):
        errs.extend(_env_from(c["envFrom"], f"{path}.envFrom"))
    if c.get("volumeMounts"):
        errs.extend(_volume_mounts(c["volumeMounts"], vols, f"{path}.volumeMounts"))
    pp = c.get("imagePullPolicy") or ""
    if not pp:
        errs.append(required(f"{path}.imagePullPolicy"))
    elif pp not in _PULL_POLICIES:
        errs.append(not_supported(f"{path}.imagePullPolicy", pp, _PULL_POLICIES))
    if c.get("resources"):
        errs.extend(validate_resources(c["resources"], f"{path}.resources"))
    if c.get("securityContext"):
        errs.extend(_security_context(c["securityContext"], f"{path}.securityContext"))
    return errs


def _host_port_conflicts(containers: list, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[str] = set()
    for ci, c in enumerate(containers):
        for pi, p in enumerate(as_list(c.get("ports") if isinstance(c, dict) else None)):
            if not isinstance(p, dict) or not p.get("hostPort"):
                continue
            key = f"{p.get('protocol', '')}/{p.get('hostIP', '')}/{p['hostPort']}"
            if key in seen:
                errs.append(duplicate(f"{path}[{ci}].ports[{pi}].hostPort", key))
            else:
                seen.add(key)
    return errs


def _containers(containers, vols: dict, grace, path: str) -> list[FieldError]:
    containers = as_list(containers)
    if not containers:
        return [required(path)]
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, c in enumerate(containers):
        c = c if isinstance(c, dict) else {}
        cp = f"{path}[{i}]"
        errs.extend(_container_common(c, vols, cp))
        name = c.get("name") or ""
        if name in names:
            errs.append(duplicate(f"{cp}.name", name))
        else:
            names.add(name)
        if c.get("lifecycle") is not None:
            errs.extend(_lifecycle(c["lifecycle"], f"{cp}.lifecycle", grace))
        errs.extend(_probe(c.get("livenessProbe"), f"{cp}.livenessProbe", grace, "liveness"))
        errs.extend(_probe(c.get("readinessProbe"), f"{cp}.readinessProbe", grace, "readiness"))
        errs.extend(_probe(c.get("startupProbe"), f"{cp}.startupProbe", grace, "startup"))
        if c.get("restartPolicy") is not None:
            errs.append(forbidden(f"{cp}.restartPolicy", "may not be set for non-init containers"))
    errs.extend(_host_port_conflicts(containers, path))
    return errs


def _init_containers(inits, regular, vols: dict, grace, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    names = {c.get("name") for c in as_list(regular) if isinstance(c, dict)}
    for i, c in enumerate(as_list(inits)):
        c = c if isinstance(c, dict) else {}
        cp = f"{path}[{i}]"
        errs.extend(_container_common(c, vols, cp))
        rp = c.get("restartPolicy")
        always = False
        if rp is not None:
            if rp != "Always":
                errs.append(not_supported(f"{cp}.restartPolicy", rp, ("Always",)))
            always = rp == "Always"
        name = c.get("name") or ""
        if name in names:
            errs.append(duplicate(f"{cp}.name", name))
        elif name:
            names.add(name)
        errs.extend(_host_port_conflicts([c], path))
        if always:
            errs.extend(_lifecycle(c.get("lifecycle"), f"{cp}.lifecycle", grace))
            errs.extend(_probe(c.get("livenessProbe"), f"{cp}.livenessProbe", grace, "liveness"))
            errs.extend(_probe(c.get("readinessProbe"), f"{cp}.readinessProbe", grace, "readiness"))
            errs.extend(_probe(c.get("startupProbe"), f"{cp}.startupProbe", grace, "startup"))
        else:
            for f in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if c.get(f) is not None:
                    errs.append(forbidden(f"{cp}.{f}", "may not be set for init containers without restartPolicy=Always"))
    return errs


# ---- scheduling constraints -----------------------------------------------------------------------------

def validate_tolerations(tolerations, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, t in enumerate(as_list(tolerations)):
        t = t if isinstance(t, dict) else {}
        ip = f"{path}[{i}]"
        key, op = t.get("key") or "", t.get("operator") or ""
        effect, value = t.get("effect") or "", t.get("value") or ""
        if key:
            errs.extend(validate_label_name(key, f"{ip}.key"))
        if not key and op != "Exists":
            errs.append(invalid(f"{ip}.operator", op, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
        if t.get("tolerationSeconds") is not None and effect != "NoExecute":
            errs.append(invalid(f"{ip}.effect", effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if op in ("Equal", ""):
            m = naming.is_valid_label_value(value)
            if m:
                errs.append(invalid(f"{ip}.operator", value, ";".join(m)))
        elif op == "Exists":
            if value:
                errs.append(invalid(f"{ip}.operator", value, "value must be empty when `operator` is 'Exists'"))
        else:
            errs.append(not_supported(f"{ip}.operator", op, ("Equal", "Exists")))
        if effect and effect not in _TAINT_EFFECTS:
            errs.append(not_supported(f"{ip}.effect", effect, _TAINT_EFFECTS))
    return errs


def _node_selector_requirement(rq: dict, path: str, check_values: bool) -> list[FieldError]:
    errs: list[FieldError] = []
    op, values = rq.get("operator") or "", as_list(rq.get("values"))
    if op in ("In", "NotIn"):
        if not values:
            errs.append(required(f"{path}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
    elif op in ("Exists", "DoesNotExist"):
        if values:
            errs.append(forbidden(f"{path}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
    elif op in ("Gt", "Lt"):
        if len(values) != 1:
            errs.append(required(f"{path}.values", "must be specified single value when `operator` is 'Lt' or 'Gt'"))
    else:
        errs.append(invalid(f"{path}.operator", op, "not a valid selector operator"))
    errs.extend(validate_label_name(rq.get("key") or "", f"{path}.key"))
    if check_values:
        for i, v in enumerate(values):
            errs.extend(invalid(f"{path}.values[{i}]", v, m) for m in naming.is_valid_label_value(str(v)))
    return errs


def _node_selector_term(term: dict, path: str, check_values: bool) -> list[FieldError]:
    errs: list[FieldError] = []
    for j, rq in enumerate(as_list(term.get("matchExpressions"))):
        errs.extend(_node_selector_requirement(rq if isinstance(rq, dict) else {}, f"{path}.matchExpressions[{j}]", check_values))
    for j, rq in enumerate(as_list(term.get("matchFields"))):
        rq = rq if isinstance(rq, dict) else {}
        fp = f"{path}.matchFields[{j}]"
        if rq.get("operator") in ("In", "NotIn"):
            if len(as_list(rq.get("values"))) != 1:
                errs.append(required(f"{fp}.values", "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"))
        else:
            errs.append(invalid(f"{fp}.operator", rq.get("operator") or "", "not a valid selector operator"))
        if rq.get("key") != "metadata.name":
            errs.append(invalid(f"{fp}.key", rq.get("key") or "", "not a valid field selector key"))
        else:
            for i, v in enumerate(as_list(rq.get("values"))):
                errs.extend(invalid(f"{fp}.values[{i}]", v, m) for m in naming.name_is_dns_subdomain(str(v), False))
    return errs


def _pod_affinity_term(term: dict, path: str) -> list[FieldError]:
    errs = validate_label_selector(term.get("labelSelector"), f"{path}.labelSelector")
    errs.extend(validate_label_selector(term.get("namespaceSelector"), f"{path}.namespaceSelector"))
    for ns in as_list(term.get("namespaces")):
        errs.extend(invalid(f"{path}.namespace", ns, m) for m in naming.name_is_dns_label(str(ns), False))
    for key in ("matchLabelKeys", "mismatchLabelKeys"):
        keys = as_list(term.get(key))
        if keys and term.get("labelSelector") is None:
            errs.append(forbidden(f"{path}.{key}", "must not be specified when labelSelector is not set"))
        elif keys:
            for i, k in enumerate(keys):
                errs.extend(validate_label_name(str(k), f"{path}.{key}[{i}]"))
    topo = term.get("topologyKey") or ""
    if not topo:
        errs.append(required(f"{path}.topologyKey", "can not be empty"))
    errs.extend(validate_label_name(topo, f"{path}.topologyKey"))
    return errs


def _pod_affinity(pa: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    req = pa.get("requiredDuringSchedulingIgnoredDuringExecution")
    if req is not None:
        for i, term in enumerate(as_list(req)):
            errs.extend(_pod_affinity_term(term if isinstance(term, dict) else {},
                                           f"{path}.requiredDuringSchedulingIgnoredDuringExecution[{i}]"))
    pref = pa.get("preferredDuringSchedulingIgnoredDuringExecution")
    if pref is not None:
        for j, wt in enumerate(as_list(pref)):
            wt = wt if isinstance(wt, dict) else {}
            wp = f"{path}.preferredDuringSchedulingIgnoredDuringExecution[{j}]"
            w = wt.get("weight", 0)
            if not _is_int(w) or w <= 0 or w > 100:
                errs.append(invalid(f"{wp}.weight", w, "must be in the range 1-100"))
            errs.extend(_pod_affinity_term(wt.get("podAffinityTerm") or {}, f"{wp}.podAffinityTerm"))
    return errs


def _affinity(aff, path: str) -> list[FieldError]:
    if not isinstance(aff, dict):
        return []
    errs: list[FieldError] = []
    na = aff.get("nodeAffinity")
    if isinstance(na, dict):
        np = f"{path}.nodeAffinity"
        req = na.get("requiredDuringSchedulingIgnoredDuringExecution")
        if isinstance(req, dict):
            rp = f"{np}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
            terms = as_list(req.get("nodeSelectorTerms"))
            if not terms:
                errs.append(required(rp, "must have at least one node selector term"))
            for i, term in enumerate(terms):
                errs.extend(_node_selector_term(term if isinstance(term, dict) else {}, f"{rp}[{i}]", True))
        for i, pt in enumerate(as_list(na.get("preferredDuringSchedulingIgnoredDuringExecution"))):
            pt = pt if isinstance(pt, dict) else {}
            pp = f"{np}.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
            w = pt.get("weight", 0)
            if not _is_int(w) or w <= 0 or w > 100:
                errs.append(invalid(f"{pp}.weight", w, "must be in the range 1-100"))
            errs.extend(_node_selector_term(pt.get("preference") or {}, f"{pp}.preference", False))
    if isinstance(aff.get("podAffinity"), dict):
        errs.extend(_pod_affinity(aff["podAffinity"], f"{path}.podAffinity"))
    if isinstance(aff.get("podAntiAffinity"), dict):
        errs.extend(_pod_affinity(aff["podAntiAffinity"], f"{path}.podAntiAffinity"))
    return errs


def _topology_spread(constraints, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    cs = [c if isinstance(c, dict) else {} for c in as_list(constraints)]
    for i, c in enumerate(cs):
        ip = f"{path}[{i}]"
        skew = c.get("maxSkew", 0)
        if not _is_int(skew) or skew <= 0:
            errs.append(invalid(f"{ip}.maxSkew", skew, "must be greater than zero"))
        if not c.get("topologyKey"):
            errs.append(required(f"{ip}.topologyKey", "can not be empty"))
        action = c.get("whenUnsatisfiable") or ""
        if action not in ("DoNotSchedule", "ScheduleAnyway"):
            errs.append(not_supported(f"{ip}.whenUnsatisfiable", action, ("DoNotSchedule", "ScheduleAnyway")))
        for rest in cs[i + 1:]:
            if rest.get("topologyKey") == c.get("topologyKey") and rest.get("whenUnsatisfiable") == action:
                errs.append(duplicate(f"{ip}.{{topologyKey, whenUnsatisfiable}}", f"{{{c.get('topologyKey', '')}, {action}}}"))
                break
        md = c.get("minDomains")
        if md is not None:
            if not _is_int(md) or md <= 0:
                errs.append(invalid(f"{ip}.minDomains", md, "must be greater than zero"))
            if action != "DoNotSchedule":
                errs.append(invalid(f"{ip}.minDomains", md, f"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {action}"))
        for pol in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            v = c.get(pol)
            if v is not None and v not in ("Honor", "Ignore"):
                errs.append(not_supported(f"{ip}.{pol}", v, ("Honor", "Ignore")))
        errs.extend(validate_label_selector(c.get("labelSelector"), f"{ip}.labelSelector"))
    return errs


def _dns_config(cfg, policy: str, path: str) -> list[FieldError]:
    if policy == "None":
        if not isinstance(cfg, dict):
            return [required(path, "must provide `dnsConfig` when `dnsPolicy` is None")]
        if not as_list(cfg.get("nameservers")):
            return [required(f"{path}.nameservers", "must provide at least one DNS nameserver when `dnsPolicy` is None")]
    if not isinstance(cfg, dict):
        return []
    errs: list[FieldError] = []
    ns = as_list(cfg.get("nameservers"))
    if len(ns) > 3:
        errs.append(invalid(f"{path}.nameservers", ns, "must not have more than 3 nameservers"))
    for i, ip in enumerate(ns):
        if not naming.is_valid_ip(ip):
            errs.append(invalid(f"{path}.nameservers[{i}]", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
    searches = as_list(cfg.get("searches"))
    if len(searches) > 32:
        errs.append(invalid(f"{path}.searches", searches, "must not have more than 32 search paths"))
    for i, s in enumerate(searches):
        s = str(s)
        if s != ".":
            s = s[:-1] if s.endswith(".") else s
            errs.extend(dns1123_subdomain(s, f"{path}.searches[{i}]"))
    for i, o in enumerate(as_list(cfg.get("options"))):
        if not (o or {}).get("name"):
            errs.append(required(f"{path}.options[{i}]", "must not be empty"))
    return errs


# ---- the PodSpec ---------------------------------------------------------------------------------------

# The EphemeralContainerCommon fields an ephemeral container may not set (k/k
# pkg/apis/core/validation validateEphemeralContainers' allow-list, stated here as its complement):
# a debugging container gets no ports, resources, probes or lifecycle hooks.
_EPHEMERAL_FORBIDDEN = ("ports", "resources", "resizePolicy", "restartPolicy", "lifecycle",
                        "livenessProbe", "readinessProbe", "startupProbe")


def _ephemeral_containers(ecs, spec: dict, vols: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    names = {c.get("name") for key in ("containers", "initContainers") for c in as_list(spec.get(key))
             if isinstance(c, dict)}
    targets = set(names)
    for i, c in enumerate(as_list(ecs)):
        c = c if isinstance(c, dict) else {}
        cp = f"{path}[{i}]"
        errs.extend(_container_common(c, vols, cp))
        name = c.get("name") or ""
        if name and name in names:
            errs.append(duplicate(f"{cp}.name", name))
        names.add(name)
        for key in _EPHEMERAL_FORBIDDEN:
            if c.get(key) not in (None, {}, [], ""):
                errs.append(forbidden(f"{cp}.{key}", "cannot be set for an Ephemeral Container"))
        target = c.get("targetContainerName")
        if target and target not in targets:
            errs.append(not_found(f"{cp}.targetContainerName", target))
    return errs


def validate_pod_spec(spec, path: str, *, is_pod: bool) -> list[FieldError]:
    spec = spec if isinstance(spec, dict) else {}
    errs: list[FieldError] = []
    grace = spec.get("terminationGracePeriodSeconds")
    if grace is None:
        errs.append(required(f"{path}.terminationGracePeriodSeconds"))
    vols, verrs = validate_volumes(spec.get("volumes"), f"{path}.volumes")
    errs.extend(verrs)
    errs.extend(_containers(spec.get("containers"), vols, grace, f"{path}.containers"))
    if is_pod and spec.get("ephemeralContainers"):
        errs.extend(_ephemeral_containers(spec["ephemeralContainers"], spec, vols, f"{path}.ephemeralContainers"))
    if spec.get("initContainers"):
        errs.extend(_init_containers(spec["initContainers"], spec.get("containers"), vols, grace, f"{path}.initContainers"))
    if spec.get("hostNetwork"):
        for i, c in enumerate(as_list(spec.get("containers"))):
            for j, p in enumerate(as_list((c or {}).get("ports") if isinstance(c, dict) else None)):
                if not isinstance(p, dict):
                    continue
                hp, cp = p.get("hostPort", 0) or 0, p.get("containerPort", 0) or 0
                if (is_pod or hp != 0) and hp != cp:
                    errs.append(invalid(f"{path}.containers[{i}].ports[{j}].hostPort", hp,
                                        "must match `containerPort` when `hostNetwork` is true"))
    rp = spec.get("restartPolicy") or ""
    if not rp:
        errs.append(required(f"{path}.restartPolicy"))
    elif rp not in _RESTART_POLICIES:
        errs.append(not_supported(f"{path}.restartPolicy", rp, _RESTART_POLICIES))
    dp = spec.get("dnsPolicy") or ""
    if not dp:
        errs.append(required(f"{path}.dnsPolicy"))
    elif dp not in _DNS_POLICIES:
        errs.append(not_supported(f"{path}.dnsPolicy", dp, _DNS_POLICIES))
    if spec.get("nodeSelector"):
        errs.extend(validate_labels(spec["nodeSelector"], f"{path}.nodeSelector"))
    sc = spec.get("securityContext")
    if isinstance(sc, dict):
        scp = f"{path}.securityContext"
        for f in ("fsGroup", "runAsUser", "runAsGroup"):
            v = sc.get(f)
            if _is_int(v) and not 0 <= v <= MAX_INT32:
                errs.append(invalid(f"{scp}.{f}", v, naming.inclusive_range_error(0, MAX_INT32)))
        for g, gid in enumerate(as_list(sc.get("supplementalGroups"))):
            if _is_int(gid) and not 0 <= gid <= MAX_INT32:
                errs.append(invalid(f"{scp}.supplementalGroups[{g}]", gid, naming.inclusive_range_error(0, MAX_INT32)))
    for i, ref in enumerate(as_list(spec.get("imagePullSecrets"))):
        if isinstance(ref, dict) and set(ref) - {"name"}:
            errs.append(invalid(f"{path}.imagePullSecrets[{i}]", ref, "only name may be set"))
    errs.extend(_affinity(spec.get("affinity"), f"{path}.affinity"))
    errs.extend(_dns_config(spec.get("dnsConfig"), dp, f"{path}.dnsConfig"))
    for i, g in enumerate(as_list(spec.get("readinessGates"))):
        ct = (g or {}).get("conditionType") or "" if isinstance(g, dict) else ""
        errs.extend(invalid(f"{path}.readinessGates[{i}].conditionType", ct, m) for m in naming.is_qualified_name(ct))
    seen_gates: set[str] = set()
    for i, g in enumerate(as_list(spec.get("schedulingGates"))):
        gn = (g or {}).get("name") or "" if isinstance(g, dict) else ""
        errs.extend(invalid(f"{path}.schedulingGates[{i}]", gn, m) for m in naming.is_qualified_name(gn))
        if gn in seen_gates:
            errs.append(duplicate(f"{path}.schedulingGates[{i}]", gn))
        seen_gates.add(gn)
    if spec.get("topologySpreadConstraints"):
        errs.extend(_topology_spread(spec["topologySpreadConstraints"], f"{path}.topologySpreadConstraints"))
    sa = spec.get("serviceAccountName") or ""
    if sa:
        errs.extend(invalid(f"{path}.serviceAccountName", sa, m) for m in naming.name_is_dns_subdomain(sa, False))
    node = spec.get("nodeName") or ""
    if node:
        errs.extend(invalid(f"{path}.nodeName", node, m) for m in naming.name_is_dns_subdomain(node, False))
    ads = spec.get("activeDeadlineSeconds")
    if ads is not None and (not _is_int(ads) or ads < 1 or ads > MAX_INT32):
        errs.append(invalid(f"{path}.activeDeadlineSeconds", ads, naming.inclusive_range_error(1, MAX_INT32)))
    if spec.get("hostname"):
        errs.extend(dns1123_label(spec["hostname"], f"{path}.hostname"))
    if spec.get("subdomain"):
        errs.extend(dns1123_label(spec["subdomain"], f"{path}.subdomain"))
    if spec.get("tolerations"):
        errs.extend(validate_tolerations(spec["tolerations"], f"{path}.tolerations"))
    for i, ha in enumerate(as_list(spec.get("hostAliases"))):
        ha = ha if isinstance(ha, dict) else {}
        if not naming.is_valid_ip(ha.get("ip") or ""):
            errs.append(invalid(f"{path}.hostAliases[{i}].ip", ha.get("ip") or "",
                                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
        for j, hn in enumerate(as_list(ha.get("hostnames"))):
            errs.extend(dns1123_subdomain(str(hn), f"{path}.hostAliases[{i}].hostnames[{j}]"))
    pcn = spec.get("priorityClassName") or ""
    if pcn:
        errs.extend(invalid(f"{path}.priorityClassName", pcn, m) for m in naming.name_is_dns_subdomain(pcn, False))
    if spec.get("runtimeClassName") is not None:
        rcn = spec["runtimeClassName"]
        errs.extend(invalid(f"{path}.runtimeClassName", rcn, m) for m in naming.name_is_dns_subdomain(str(rcn), False))
    pp = spec.get("preemptionPolicy")
    if pp is not None:
        if pp == "":
            errs.append(required(f"{path}.preemptionPolicy"))
        elif pp not in ("PreemptLowerPriority", "Never"):
            errs.append(not_supported(f"{path}.preemptionPolicy", pp, ("PreemptLowerPriority", "Never")))
    os_ = spec.get("os")
    if isinstance(os_, dict):
        if not os_.get("name"):
            errs.append(required(f"{path}.os.name", "cannot be empty"))
        elif os_["name"] not in ("linux", "windows"):
            errs.append(not_supported(f"{path}.os", os_["name"], ("linux", "windows")))
    return errs


def validate_pod_template_spec(tmpl, path: str) -> list[FieldError]:
    """ValidatePodTemplateSpec: template labels and annotations, then the PodSpec."""
    tmpl = tmpl if isinstance(tmpl, dict) else {}
    md = str_map(tmpl.get("metadata"))
    errs = validate_labels(md.get("labels"), f"{path}.labels")
    errs.extend(validate_annotations(md.get("annotations"), f"{path}.annotations"))
    errs.extend(validate_pod_spec(tmpl.get("spec"), f"{path}.spec", is_pod=False))
    if (tmpl.get("spec") or {}).get("ephemeralContainers"):
        errs.append(forbidden(f"{path}.spec.ephemeralContainers", "ephemeral containers not allowed in pod template"))
    return errs
