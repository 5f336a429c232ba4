"""The apiserver's warnings for a pod spec and its metadata (k/k pkg/api/pod/warnings.go,
warningsForPodSpecAndMeta, as of v1.32): deprecated node labels in selectors, affinity and
topology spread, deprecated annotations, deprecated volume plugins, duplicated names and ports,
fractional byte quantities, null label selectors. A Pod gets them with no path prefix; a
workload's template with its path (`spec.template`, a CronJob's
`spec.jobTemplate.spec.template`), as GetWarningsForPodTemplate.

Texts are the apiserver's, field paths printed as field.Path does (`a.b[3].c`, `m[key]`)."""
from __future__ import annotations

import math

from .. import quantity

# pkg/api/node/util.go deprecatedNodeLabels
DEPRECATED_NODE_LABELS = {
    "beta.kubernetes.io/arch": 'deprecated since v1.14; use "kubernetes.io/arch" instead',
    "beta.kubernetes.io/os": 'deprecated since v1.14; use "kubernetes.io/os" instead',
    "failure-domain.beta.kubernetes.io/region": 'deprecated since v1.17; use "topology.kubernetes.io/region" instead',
    "failure-domain.beta.kubernetes.io/zone": 'deprecated since v1.17; use "topology.kubernetes.io/zone" instead',
    "beta.kubernetes.io/instance-type": 'deprecated since v1.17; use "node.kubernetes.io/instance-type" instead',
    "app.kubernetes.io/created-by": "deprecated since v1.9",
    "scheduler.alpha.kubernetes.io/preferAvoidPods": "deprecated since v1.22; use Taints and Tolerations instead",
    "node-role.kubernetes.io/master": 'use "node-role.kubernetes.io/control-plane" instead',
}

# warnings.go deprecatedAnnotations (exact keys)
DEPRECATED_ANNOTATIONS = (
    ("scheduler.alpha.kubernetes.io/critical-pod", 'non-functional in v1.16+; use the "priorityClassName" field instead'),
    ("security.alpha.kubernetes.io/sysctls", 'non-functional in v1.11+; use the "sysctls" field instead'),
    ("security.alpha.kubernetes.io/unsafe-sysctls", 'non-functional in v1.11+; use the "sysctls" field instead'),
)

SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"
APPARMOR_CONTAINER_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
SECCOMP_TEXT = 'non-functional in v1.27+; use the "seccompProfile" field instead'
APPARMOR_TEXT = 'deprecated since v1.30; use the "appArmorProfile" field instead'

# deprecated and removed volume plugins, in the order warnings.go checks them
DEPRECATED_VOLUMES = (
    ("photonPersistentDisk", "deprecated in v1.11, non-functional in v1.16+"),
    ("gitRepo", "deprecated in v1.11"),
    ("scaleIO", "deprecated in v1.16, non-functional in v1.22+"),
    ("flocker", "deprecated in v1.22, non-functional in v1.25+"),
    ("storageos", "deprecated in v1.22, non-functional in v1.25+"),
    ("quobyte", "deprecated in v1.22, non-functional in v1.25+"),
    ("glusterfs", "deprecated in v1.25, non-functional in v1.26+"),
    ("cephfs", "deprecated in v1.28, non-functional in v1.31+"),
    ("rbd", "deprecated in v1.28, non-functional in v1.31+"),
)
# warnings.go names the StorageOS field by its Go name in the path
_VOLUME_PATH_NAME = {"storageos": "storageOS"}

NULL_SELECTOR = "a null labelSelector results in matching no pod"


def _join(prefix: str, rest: str) -> str:
    return f"{prefix}.{rest}" if prefix else rest


def _dicts(v):
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def _map(v) -> dict:
    return v if isinstance(v, dict) else {}


def node_selector_term(term: dict, path: str) -> list[str]:
    """GetWarningsForNodeSelectorTerm (without the label-value check, which pods do not ask for)."""
    out = []
    for i, expr in enumerate(_dicts(term.get("matchExpressions"))):
        key = expr.get("key")
        if key in DEPRECATED_NODE_LABELS:
            out.append(f"{path}.matchExpressions[{i}].key: {key} is {DEPRECATED_NODE_LABELS[key]}")
    return out


def _fractional(q) -> str | None:
    """The quantity's String() when its MilliValue is not a whole number of units."""
    try:
        v = quantity.parse_quantity(q)
    except (quantity.QuantityError, TypeError, ValueError):
        return None
    if math.ceil(v * 1000) % 1000 != 0:
        return quantity.canonical_quantity(q)
    return None


def _containers(spec: dict, spec_path: str):
    """VisitContainersWithPath: init containers, containers, ephemeral containers."""
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for i, c in enumerate(_dicts(spec.get(key))):
            yield c, f"{spec_path}.{key}[{i}]"


def _port_struct(p: dict) -> str:
    """fmt %+v of the internal api.ContainerPort."""
    return (f"{{Name:{p.get('name') or ''} HostPort:{p.get('hostPort') or 0} "
            f"ContainerPort:{p.get('containerPort') or 0} Protocol:{p.get('protocol') or ''} "
            f"HostIP:{p.get('hostIP') or ''}}}")


def pod_spec_and_meta(spec, meta, prefix: str = "") -> list[str]:
    """warningsForPodSpecAndMeta; `prefix` is the template's path ("" for a Pod)."""
    if not isinstance(spec, dict):
        return []
    meta = _map(meta)
    annotations = _map(meta.get("annotations"))
    spec_path = _join(prefix, "spec")
    ann_path = _join(prefix, "metadata.annotations")
    out: list[str] = []

    for k in _map(spec.get("nodeSelector")):
        if k in DEPRECATED_NODE_LABELS:
            out.append(f"{spec_path}.nodeSelector[{k}]: {DEPRECATED_NODE_LABELS[k]}")
    affinity = _map(spec.get("affinity"))
    na = _map(affinity.get("nodeAffinity"))
    if na:
        req = na.get("requiredDuringSchedulingIgnoredDuringExecution")
        if isinstance(req, dict):
            base = f"{spec_path}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
            for i, term in enumerate(_dicts(req.get("nodeSelectorTerms"))):
                out.extend(node_selector_term(term, f"{base}[{i}]"))
        base = f"{spec_path}.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution"
        for i, pref in enumerate(_dicts(na.get("preferredDuringSchedulingIgnoredDuringExecution"))):
            out.extend(node_selector_term(_map(pref.get("preference")), f"{base}[{i}].preference"))
    for i, t in enumerate(_dicts(spec.get("topologySpreadConstraints"))):
        key = t.get("topologyKey")
        if key in DEPRECATED_NODE_LABELS:
            out.append(f"{spec_path}.topologySpreadConstraints[{i}].topologyKey: {key} is {DEPRECATED_NODE_LABELS[key]}")
        if t.get("labelSelector") is None:
            out.append(f"{spec_path}.topologySpreadConstraints[{i}].labelSelector: {NULL_SELECTOR}")

    for key, message in DEPRECATED_ANNOTATIONS:
        if key in annotations:
            out.append(f"{ann_path}[{key}]: {message}")

    for i, v in enumerate(_dicts(spec.get("volumes"))):
        for field, message in DEPRECATED_VOLUMES:
            if field == "cephfs":           # (warnings.go checks the ephemeral template before cephfs, rbd)
                tmpl = _map(_map(v.get("ephemeral")).get("volumeClaimTemplate"))
                if tmpl:
                    out.extend(pvc_spec(_map(tmpl.get("spec")),
                                        f"{spec_path}.volumes[{i}].ephemeral.volumeClaimTemplate.spec"))
            if v.get(field) is not None:
                out.append(f"{spec_path}.volumes[{i}].{_VOLUME_PATH_NAME.get(field, field)}: {message}")

    out.extend(_projected_token_paths(spec, spec_path))

    aliases = _dicts(spec.get("hostAliases"))
    seen: set = set()
    for i, a in enumerate(aliases):
        ip = a.get("ip") or ""
        if ip in seen and len(aliases) > 1:
            out.append(f'{spec_path}.hostAliases[{i}].ip: duplicate ip "{ip}"')
        seen.add(ip)
    secrets = _dicts(spec.get("imagePullSecrets"))
    seen = set()
    for i, s in enumerate(secrets):
        name = s.get("name") or ""
        if name in seen and len(secrets) > 1:
            out.append(f'{spec_path}.imagePullSecrets[{i}].name: duplicate name "{name}"')
        seen.add(name)
    for i, s in enumerate(secrets):
        if not s.get("name"):
            out.append(f'{spec_path}.imagePullSecrets[{i}].name: invalid empty name ""')

    overhead = _map(spec.get("overhead"))
    for oname in ("memory", "ephemeral-storage"):
        if oname in overhead and (s := _fractional(overhead[oname])) is not None:
            out.append(f'{spec_path}.overhead[{oname}]: fractional byte value "{s}" is invalid, must be an integer')

    pod_sc = _map(spec.get("securityContext"))
    if pod_sc.get("seccompProfile") is None and SECCOMP_POD_ANNOTATION in annotations:
        out.append(f"{ann_path}[{SECCOMP_POD_ANNOTATION}]: {SECCOMP_TEXT}")
    has_pod_apparmor = pod_sc.get("appArmorProfile") is not None

    for c, cpath in _containers(spec, spec_path):
        cname = c.get("name") or ""
        sc = _map(c.get("securityContext"))
        if sc.get("seccompProfile") is None and SECCOMP_CONTAINER_PREFIX + cname in annotations:
            out.append(f"{ann_path}[{SECCOMP_CONTAINER_PREFIX}{cname}]: {SECCOMP_TEXT}")
        # A Pod's AppArmor annotations are warned about (and copied into the fields) by
        # pod_apparmor_skew, as the pod strategy's applyAppArmorVersionSkew; templates here.
        if prefix and not (has_pod_apparmor or sc.get("appArmorProfile") is not None) \
                and APPARMOR_CONTAINER_PREFIX + cname in annotations:
            out.append(f"{ann_path}[{APPARMOR_CONTAINER_PREFIX}{cname}]: {APPARMOR_TEXT}")
        res = _map(c.get("resources"))
        for res_name, kind in (("memory", "limits"), ("memory", "requests"),
                               ("ephemeral-storage", "limits"), ("ephemeral-storage", "requests")):
            rl = _map(res.get(kind))
            if res_name in rl and (s := _fractional(rl[res_name])) is not None:
                out.append(f'{cpath}.resources.{kind}[{res_name}]: fractional byte value "{s}" is invalid, must be an integer')
        env = _dicts(c.get("env"))
        if len(env) > 1:
            names: set = set()
            for i, e in enumerate(env):
                ename = e.get("name") or ""
                if ename in names:
                    ref = f"$({ename})"
                    value = e.get("value") or ""
                    if e.get("valueFrom") is not None or value == ref or ref not in value:
                        out.append(f'{cpath}.env[{i}]: hides previous definition of "{ename}", '
                                   "which may be dropped when using apply")
                else:
                    names.add(ename)

    all_ports: dict[str, list[tuple[str, dict]]] = {}
    for c, cpath in _containers(spec, spec_path):
        for i, p in enumerate(_dicts(c.get("ports"))):
            ppath = f"{cpath}.ports[{i}]"
            host_ip, host_port = p.get("hostIP") or "", p.get("hostPort") or 0
            if host_ip and not host_port:
                out.append(f"{ppath}: hostIP set without hostPort: {_port_struct(p)}")
            key = f"{p.get('containerPort') or 0}/{p.get('protocol') or ''}"
            for other_path, other in all_ports.get(key, ()):
                o_ip, o_port = other.get("hostIP") or "", other.get("hostPort") or 0
                if host_ip == o_ip and host_port == o_port:
                    out.append(f"{ppath}: duplicate port definition with {other_path}")
                elif not host_port or not o_port:
                    out.append(f"{ppath}: overlapping port definition with {other_path}")
                elif host_port == o_port and (not host_ip) != (not o_ip):
                    out.append(f"{ppath}: dangerously ambiguous port definition with {other_path}")
            all_ports.setdefault(key, []).append((ppath, p))

    tgps = spec.get("terminationGracePeriodSeconds")
    if isinstance(tgps, int) and not isinstance(tgps, bool) and tgps < 0:
        out.append(f"{spec_path}.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1")

    for kind in ("podAffinity", "podAntiAffinity"):
        a = _map(affinity.get(kind))
        if not a:
            continue
        base = f"{spec_path}.affinity.{kind}"
        for i, t in enumerate(_dicts(a.get("requiredDuringSchedulingIgnoredDuringExecution"))):
            if t.get("labelSelector") is None:
                out.append(f"{base}.requiredDuringSchedulingIgnoredDuringExecution[{i}].labelSelector: {NULL_SELECTOR}")
        for i, t in enumerate(_dicts(a.get("preferredDuringSchedulingIgnoredDuringExecution"))):
            if _map(t.get("podAffinityTerm")).get("labelSelector") is None:
                out.append(f"{base}.preferredDuringSchedulingIgnoredDuringExecution[{i}].podAffinityTerm.labelSelector: {NULL_SELECTOR}")
    return out


def pvc_spec(spec: dict, path: str) -> list[str]:
    """GetWarningsForPersistentVolumeClaimSpec: a fractional storage request or limit."""
    out = []
    res = _map(spec.get("resources"))
    for kind in ("requests", "limits"):
        rl = _map(res.get(kind))
        if "storage" in rl and (s := _fractional(rl["storage"])) is not None:
            out.append(f'{path}.resources.{kind}[storage]: fractional byte value "{s}" is invalid, must be an integer')
    return out


def _projected_token_paths(spec: dict, spec_path: str) -> list[str]:
    """Projected items whose path is also a serviceAccountToken's path."""
    token_paths = set()
    for v in _dicts(spec.get("volumes")):
        for s in _dicts(_map(v.get("projected")).get("sources")):
            if isinstance(s.get("serviceAccountToken"), dict):
                token_paths.add(s["serviceAccountToken"].get("path") or "")
    if not token_paths:
        return []
    out = []
    for i, v in enumerate(_dicts(spec.get("volumes"))):
        for s in _dicts(_map(v.get("projected")).get("sources")):
            base = f"{spec_path}.volumes[{i}].projected.sources"
            # (upstream names the secret source "secrets" and the trust bundle "ClusterTrustBundle")
            for src, name in (("configMap", "configMap"), ("secret", "secrets"), ("downwardAPI", "downwardAPI")):
                for j, item in enumerate(_dicts(_map(s.get(src)).get("items"))):
                    if (item.get("path") or "") in token_paths:
                        out.append(f'{base}.{name}[{j}]: has duplicated path with ServiceAccountToken "{item.get("path") or ""}"')
            ctb = s.get("clusterTrustBundle")
            if isinstance(ctb, dict) and (ctb.get("path") or "") in token_paths:
                out.append(f'{base}.ClusterTrustBundle: has duplicated path with ServiceAccountToken "{ctb.get("path") or ""}"')
    return out


_APPARMOR_TYPES = {"runtime/default": {"type": "RuntimeDefault"}, "unconfined": {"type": "Unconfined"}}


def _apparmor_annotation(profile) -> str:
    """appArmorAnnotationForField."""
    if not isinstance(profile, dict):
        return ""
    t = profile.get("type")
    if t == "RuntimeDefault":
        return "runtime/default"
    if t == "Unconfined":
        return "unconfined"
    if t == "Localhost" and profile.get("localhostProfile"):
        return "localhost/" + profile["localhostProfile"]
    return ""


def _apparmor_field(annotation) -> dict | None:
    """apparmorFieldForAnnotation, keeping only values ValidateAppArmorProfileField accepts."""
    if not isinstance(annotation, str):
        return None
    if annotation in _APPARMOR_TYPES:
        return dict(_APPARMOR_TYPES[annotation])
    if annotation.startswith("localhost/") and annotation[len("localhost/"):].strip():
        return {"type": "Localhost", "localhostProfile": annotation[len("localhost/"):]}
    return None


def pod_apparmor_skew(pod: dict) -> list[str]:
    """The pod strategy's applyAppArmorVersionSkew on create (PrepareForCreate): a container's
    AppArmor annotation and field are kept in step — a field without an annotation gets the
    annotation, an annotation without a field is copied into securityContext.appArmorProfile
    with the deprecation warning (emitted there, before the sync, as upstream does). Mutates
    `pod` (admission's own copy); returns the warnings."""
    spec = pod.get("spec")
    if not isinstance(spec, dict) or _map(spec.get("os")).get("name") == "windows":
        return []
    md = pod.get("metadata")
    if not isinstance(md, dict):
        return []
    pod_profile = _map(spec.get("securityContext")).get("appArmorProfile")
    out = []
    for c, _ in _containers(spec, "spec"):
        key = APPARMOR_CONTAINER_PREFIX + (c.get("name") or "")
        annotations = _map(md.get("annotations"))
        sc = c.get("securityContext")
        profile = sc.get("appArmorProfile") if isinstance(sc, dict) else None
        if key not in annotations:
            new = _apparmor_annotation(profile) if profile is not None else _apparmor_annotation(pod_profile)
            if new:
                if not isinstance(md.get("annotations"), dict):
                    md["annotations"] = {}
                md["annotations"][key] = new
        elif profile is None:
            new_field = _apparmor_field(annotations[key])
            warn = new_field is None
            if new_field is not None and new_field != pod_profile:
                if not isinstance(sc, dict):
                    sc = c["securityContext"] = {}
                sc["appArmorProfile"] = new_field
                warn = True
            if warn:
                out.append(f"metadata.annotations[{key}]: {APPARMOR_TEXT}")
    return out
