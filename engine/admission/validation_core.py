"""Validation of core/v1 kinds and the small groups (discovery.k8s.io, coordination.k8s.io).

Upstream: k/k pkg/apis/core/validation/validation.go (Pod, Service, ConfigMap, Namespace, Node,
Endpoints), events.go (legacy core/v1 Event rules), pkg/apis/discovery/validation,
pkg/apis/coordination/validation. The PodSpec itself is in validation_pod.py.
"""
from __future__ import annotations

import json
from typing import TypeGuard

from .. import quantity
from ..errors import FieldError
from . import names as naming
from .fields import (GoStruct, RenderedFieldError, duplicate, forbidden, gojson, invalid, not_supported,
                     required, too_long, too_many)
from .validation_meta import (FIELD_IMMUTABLE, as_list, nonnegative, semantic_equal, str_map,
                              validate_label_name, validate_labels, validate_object_meta,
                              validate_object_meta_update)
from .validation_pod import (dns1123_label, dns1123_subdomain, port_num_or_name, validate_pod_spec,
                             validate_tolerations)

MAX_CONFIG_SIZE = 1024 * 1024
_PROTOCOLS = ("SCTP", "TCP", "UDP")
_SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
UPDATABLE_POD_SPEC_FIELDS = (
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
)
_MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"
# Upstream sets spec.nodeName only through the pods/binding subresource; a PUT that changes it is
# refused. Until the store offers a binding write, an update that does nothing but give an
# unscheduled pod its node is accepted as that binding (the scheduler and the API's binding
# handler use this). Set to False once every binding goes through a dedicated path.
BIND_VIA_UPDATE = True
_SA_TOKEN_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"


def _is_int(v: object) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _spec(obj: dict) -> dict:
    s = obj.get("spec")
    return s if isinstance(s, dict) else {}


def _meta(obj: dict) -> dict:
    m = obj.get("metadata")
    return m if isinstance(m, dict) else {}


# ---- Pod ----------------------------------------------------------------------------------------------

def _pod_metadata_and_spec(pod: dict) -> list[FieldError]:
    errs = validate_pod_metadata(pod)
    errs.extend(_pod_spec_rules(_spec(pod)))
    return errs


def validate_pod_metadata(pod: dict) -> list[FieldError]:
    """The metadata half of a Pod's validation (the part that differs between a ReplicaSet's pods)."""
    md, spec = _meta(pod), _spec(pod)
    errs = validate_object_meta(md, True, naming.name_is_dns_subdomain)
    ann = md.get("annotations") or {}
    if _MIRROR_POD_ANNOTATION in ann and not spec.get("nodeName"):
        errs.append(invalid(f"metadata.annotations[{_MIRROR_POD_ANNOTATION}]", ann[_MIRROR_POD_ANNOTATION],
                            "must set spec.nodeName if mirror pod annotation is set"))
    return errs


def _pod_spec_rules(spec: dict) -> list[FieldError]:
    errs = validate_pod_spec(spec, "spec", is_pod=True)
    if not spec.get("serviceAccountName"):
        for vi, vol in enumerate(as_list(spec.get("volumes"))):
            proj = (vol or {}).get("projected") if isinstance(vol, dict) else None
            if isinstance(proj, dict):
                for si, src in enumerate(as_list(proj.get("sources"))):
                    if isinstance(src, dict) and src.get("serviceAccountToken") is not None:
                        errs.append(forbidden(f"spec.volumes[{vi}].projected.sources[{si}].serviceAccountToken",
                                              "must not be specified when serviceAccountName is not set"))
    for key in ("containers", "initContainers"):
        for i, c in enumerate(as_list(spec.get(key))):
            image = (c or {}).get("image") if isinstance(c, dict) else None
            if isinstance(image, str) and image != image.strip():
                errs.append(invalid(f"spec.{key}[{i}].image", image, "must not have leading or trailing whitespace"))
    return errs


def validate_pod(pod: dict) -> list[FieldError]:
    errs = validate_pod_metadata(pod)
    errs.extend(validate_pod_spec_on_create(_spec(pod)))
    return errs


def validate_pod_spec_on_create(spec: dict) -> list[FieldError]:
    """The spec half of a Pod's validation on create: a function of the spec alone."""
    errs = _pod_spec_rules(spec)
    if spec.get("ephemeralContainers"):
        errs.append(forbidden("spec.ephemeralContainers", "cannot be set on create"))
    if spec.get("nodeName") and spec.get("schedulingGates"):
        errs.append(forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"))
    return errs


def _container_updates(new: list, old: list, path: str) -> tuple[list[FieldError], bool]:
    if len(new) != len(old):
        return [forbidden(path, "pod updates may not add or remove containers")], True
    errs: list[FieldError] = []
    for i, c in enumerate(new):
        image = (c or {}).get("image") if isinstance(c, dict) else None
        if not image:
            errs.append(required(f"{path}[{i}].image"))
        elif image != image.strip():
            errs.append(invalid(f"{path}[{i}].image", image, "must not have leading or trailing whitespace"))
    return errs, False


_GO_FIELD = {"dnsPolicy": "DNSPolicy", "dnsConfig": "DNSConfig", "os": "OS", "hostIPC": "HostIPC",
             "hostPID": "HostPID", "fsGroup": "FSGroup"}


def _go_field(name: str) -> str:
    return _GO_FIELD.get(name) or name[:1].upper() + name[1:]


def spec_diff(old: dict, new: dict, type_name: str = "core.PodSpec") -> str:
    """A go-cmp style summary of the top-level fields that differ (upstream prints cmp.Diff)."""
    lines = [f"  {type_name}{{"]
    same = 0
    for key in list(old) + [k for k in new if k not in old]:
        a, b = old.get(key), new.get(key)
        if semantic_equal(a, b):
            same += 1
            continue
        if same:
            lines.append(f"  \t... // {same} identical field{'s' if same > 1 else ''}")
            same = 0
        field = _go_field(key)
        if a is not None:
            lines.append(f"- \t{field}: {json.dumps(a, separators=(', ', ': '))},")
        if b is not None:
            lines.append(f"+ \t{field}: {json.dumps(b, separators=(', ', ': '))},")
    if same:
        lines.append(f"  \t... // {same} identical field{'s' if same > 1 else ''}")
    lines.append("  }")
    return "\n".join(lines) + "\n"


def validate_pod_update(new: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_meta(new), _meta(old))
    errs.extend(_pod_metadata_and_spec(new))
    nann, oann = _meta(new).get("annotations") or {}, _meta(old).get("annotations") or {}
    if oann.get(_MIRROR_POD_ANNOTATION) != nann.get(_MIRROR_POD_ANNOTATION):
        key = f"metadata.annotations[{_MIRROR_POD_ANNOTATION}]"
        if _MIRROR_POD_ANNOTATION in oann:
            errs.append(forbidden(key, "may not remove or update mirror pod annotation"))
        else:
            errs.append(forbidden(key, "may not add mirror pod annotation"))
    spec, ospec = _spec(new), _spec(old)
    for key in ("containers", "initContainers"):
        cerrs, stop = _container_updates(as_list(spec.get(key)), as_list(ospec.get(key)), f"spec.{key}")
        errs.extend(cerrs)
        if stop:
            return errs
    ads, oads = spec.get("activeDeadlineSeconds"), ospec.get("activeDeadlineSeconds")
    if ads is not None:
        if not _is_int(ads) or ads < 0 or ads > 2 ** 31 - 1:
            errs.append(invalid("spec.activeDeadlineSeconds", ads, naming.inclusive_range_error(0, 2 ** 31 - 1)))
            return errs
        if oads is not None and oads < ads:
            errs.append(invalid("spec.activeDeadlineSeconds", ads, "must be less than or equal to previous value"))
            return errs
    elif oads is not None:
        errs.append(invalid("spec.activeDeadlineSeconds", None, "must not update from a positive integer to nil value"))
    # only additions to tolerations (tolerationSeconds of existing ones may change)
    ntol, otol = as_list(spec.get("tolerations")), as_list(ospec.get("tolerations"))
    for o in otol:
        o_cmp = {k: v for k, v in (o or {}).items() if k != "tolerationSeconds"}
        if not any({k: v for k, v in (n or {}).items() if k != "tolerationSeconds"} == o_cmp for n in ntol):
            errs.append(forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"))
            break
    else:
        errs.extend(validate_tolerations(ntol, "spec.tolerations"))
    # only deletions of scheduling gates
    old_gates = {(g or {}).get("name") for g in as_list(ospec.get("schedulingGates")) if isinstance(g, dict)}
    for i, g in enumerate(as_list(spec.get("schedulingGates"))):
        name = (g or {}).get("name") if isinstance(g, dict) else None
        if name not in old_gates:
            errs.append(forbidden(f"spec.schedulingGates[{i}].name",
                                  f"only deletion is allowed, but found new scheduling gate '{name}'"))
    if semantic_equal(spec, ospec):
        return errs
    munged = dict(spec)
    for key in ("containers", "initContainers"):
        if key in spec:
            olds = as_list(ospec.get(key))
            munged[key] = [dict(c, image=olds[i].get("image")) if isinstance(c, dict) and i < len(olds) else c
                           for i, c in enumerate(as_list(spec[key]))]
    for key in ("activeDeadlineSeconds", "schedulingGates", "tolerations"):
        if key in ospec:
            munged[key] = ospec[key]
        else:
            munged.pop(key, None)
    if BIND_VIA_UPDATE and not ospec.get("nodeName") and munged.get("nodeName"):
        munged["nodeName"] = ospec.get("nodeName")
    ograce = ospec.get("terminationGracePeriodSeconds")
    if _is_int(ograce) and ograce < 0 and munged.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = ograce
    if ospec.get("schedulingGates"):
        onode, nnode = ospec.get("nodeSelector") or {}, munged.get("nodeSelector") or {}
        if onode != nnode:
            if any(nnode.get(k) != v for k, v in onode.items()):
                errs.append(invalid("spec.nodeSelector", nnode, "only additions to spec.nodeSelector are allowed (no mutations or deletions)"))
            munged["nodeSelector"] = ospec.get("nodeSelector")
    if not semantic_equal(munged, ospec):
        detail = ("pod updates may not change fields other than " + ",".join(UPDATABLE_POD_SPEC_FIELDS)
                  + "\n" + spec_diff(ospec, munged))
        errs.append(forbidden("spec", detail))
    return errs


def validate_pod_ephemeral_containers_update(new: dict, old: dict) -> list[FieldError]:
    """ValidatePodEphemeralContainersUpdate: the pod's metadata and spec as for any pod, then
    only additions to spec.ephemeralContainers: an existing one may be neither changed nor removed
    (upstream's messages end in a newline, and a change is followed by its cmp.Diff)."""
    errs = validate_object_meta_update(_meta(new), _meta(old))
    errs.extend(_pod_metadata_and_spec(new))
    by_name = {c.get("name"): c for c in as_list(_spec(new).get("ephemeralContainers")) if isinstance(c, dict)}
    for c in as_list(_spec(old).get("ephemeralContainers")):
        name = c.get("name")
        if name not in by_name:
            errs.append(forbidden("spec.ephemeralContainers", f'existing ephemeral containers "{name}" may not be removed\n'))
        elif not semantic_equal(by_name[name], c):
            errs.append(forbidden("spec.ephemeralContainers", f'existing ephemeral containers "{name}" may not be changed\n'
                                  + spec_diff(c, by_name[name], "core.EphemeralContainer")))
    return errs


def validate_pod_status_update(new: dict, old: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    if _spec(new).get("nodeName") != _spec(old).get("nodeName"):
        errs.append(forbidden("status.nodeName", "may not be changed directly"))
    status, ostatus = new.get("status") or {}, old.get("status") or {}
    nn = status.get("nominatedNodeName") or ""
    if nn and nn != ostatus.get("nominatedNodeName"):
        errs.extend(invalid("status.nominatedNodeName", nn, m) for m in naming.name_is_dns_subdomain(nn, False))
    if ostatus.get("qosClass") is not None and status.get("qosClass") != ostatus.get("qosClass"):
        errs.append(invalid("status.qosClass", status.get("qosClass") or "", FIELD_IMMUTABLE))
    return errs


# ---- Service ------------------------------------------------------------------------------------------

def _is_headless(spec: dict) -> bool:
    ips = spec.get("clusterIPs")
    return isinstance(ips, list) and len(ips) == 1 and ips[0] == "None"


def _externally_accessible(spec: dict) -> bool:
    t = spec.get("type")
    return t in ("LoadBalancer", "NodePort") or (t == "ClusterIP" and bool(spec.get("externalIPs")))


def _service_port(sp: dict, require_name: bool, names: set, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = sp.get("name") or ""
    if require_name and not name:
        errs.append(required(f"{path}.name"))
    elif name:
        errs.extend(dns1123_label(name, f"{path}.name"))
        if name in names:
            errs.append(duplicate(f"{path}.name", name))
        else:
            names.add(name)
    port = sp.get("port", 0)
    errs.extend(invalid(f"{path}.port", port, m) for m in naming.is_valid_port_num(port))
    proto = sp.get("protocol") or ""
    if not proto:
        errs.append(required(f"{path}.protocol"))
    elif proto not in _PROTOCOLS:
        errs.append(not_supported(f"{path}.protocol", proto, _PROTOCOLS))
    errs.extend(port_num_or_name(sp.get("targetPort", 0), f"{path}.targetPort"))
    if sp.get("appProtocol") is not None:
        errs.extend(invalid(f"{path}.appProtocol", sp["appProtocol"], m) for m in naming.is_qualified_name(str(sp["appProtocol"])))
    return errs


def _non_special_ip(ip: str, path: str) -> list[FieldError]:
    addr = naming.parse_ip(ip)
    if addr is None:
        return [invalid(path, ip, "must be a valid IP address")]
    errs: list[FieldError] = []
    if addr.is_unspecified:
        errs.append(invalid(path, ip, f"may not be unspecified ({ip})"))
    if addr.is_loopback:
        errs.append(invalid(path, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
    if addr.is_link_local and not addr.is_multicast:
        errs.append(invalid(path, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
    if addr.is_multicast and (str(addr).startswith("224.0.0.") or str(addr).lower().startswith("ff02:")):
        errs.append(invalid(path, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
    return errs


_IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"


def _cluster_ip_fields(spec: dict) -> list[FieldError]:
    if spec.get("type") == "ExternalName":
        return []
    errs: list[FieldError] = []
    cip, cips = spec.get("clusterIP") or "", as_list(spec.get("clusterIPs"))
    if cip:
        if not cips:
            errs.append(required("spec.clusterIPs"))
        elif cips[0] != cip:
            errs.append(invalid("spec.clusterIPs", cips, "first value must match `clusterIP`"))
    elif cips:
        errs.append(invalid("spec.clusterIPs", cips, "must be empty when `clusterIP` is not specified"))
    seen: set = set()
    for i, fam in enumerate(as_list(spec.get("ipFamilies"))):
        if fam not in ("IPv4", "IPv6"):
            errs.append(not_supported(f"spec.ipFamilies[{i}]", fam, ("IPv4", "IPv6")))
        if fam in seen:
            errs.append(duplicate(f"spec.ipFamilies[{i}]", fam))
        seen.add(fam)
    pol = spec.get("ipFamilyPolicy")
    if pol is not None and pol not in ("PreferDualStack", "RequireDualStack", "SingleStack"):
        errs.append(not_supported("spec.ipFamilyPolicy", pol, ("PreferDualStack", "RequireDualStack", "SingleStack")))
    bad = False
    for i, ip in enumerate(cips):
        if i == 0 and ip == "None":
            if len(cips) > 1:
                bad = True
                errs.append(invalid("spec.clusterIPs", cips, "'None' must be the first and only value"))
            continue
        if not naming.is_valid_ip(ip):
            bad = True
            errs.append(invalid(f"spec.clusterIPs[{i}]", ip, _IP_MSG))
    if len(cips) > 2:
        errs.append(invalid("spec.clusterIPs", cips, "may only hold up to 2 values"))
    if bad:
        return errs
    if len(cips) > 1:
        versions = {naming.parse_ip(ip).version for ip in cips}
        if len(versions) != len(cips):
            errs.append(invalid("spec.clusterIPs", cips, "may specify no more than one IP for each IP family"))
    fams = as_list(spec.get("ipFamilies"))
    if not _is_headless(spec) and cips and fams:
        for i, ip in enumerate(cips[:len(fams)]):
            v6 = naming.parse_ip(ip).version == 6
            if fams[i] == "IPv4" and v6:
                errs.append(invalid(f"spec.clusterIPs[{i}]", ip, f"expected an IPv4 value as indicated by `ipFamilies[{i}]`"))
            if fams[i] == "IPv6" and not v6:
                errs.append(invalid(f"spec.clusterIPs[{i}]", ip, f"expected an IPv6 value as indicated by `ipFamilies[{i}]`"))
    return errs


def _service_port_key(port: dict) -> GoStruct:
    """core.ServicePort{Protocol, Port} as json.Marshal prints the internal (untagged) type."""
    return GoStruct(Name="", Protocol=port.get("protocol") or "", AppProtocol=None,
                    Port=port.get("port", 0), TargetPort=0, NodePort=0)


def validate_service(svc: dict) -> list[FieldError]:
    md, spec = _meta(svc), _spec(svc)
    errs = validate_object_meta(md, True, naming.name_is_dns1035_label)
    ann = md.get("annotations") or {}
    hints, mode = ann.get("service.kubernetes.io/topology-aware-hints"), ann.get("service.kubernetes.io/topology-mode")
    if hints is not None and mode is not None and hints != mode:
        errs.append(invalid("metadata.annotations[service.kubernetes.io/topology-mode]", mode,
                            "must match annotations[service.kubernetes.io/topology-aware-hints] when both are specified"))
    stype = spec.get("type") or ""
    ports = [p if isinstance(p, dict) else {} for p in as_list(spec.get("ports"))]
    headless = _is_headless(spec)
    if not ports and not headless and stype != "ExternalName":
        errs.append(required("spec.ports"))
    if stype == "LoadBalancer" and headless:
        errs.append(invalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for LoadBalancer services"))
    elif stype == "NodePort" and headless:
        errs.append(invalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for NodePort services"))
    elif stype == "ExternalName":
        if spec.get("clusterIPs"):
            errs.append(forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
        if spec.get("ipFamilies"):
            errs.append(forbidden("spec.ipFamilies", "may not be set for ExternalName services"))
        if spec.get("ipFamilyPolicy") is not None:
            errs.append(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"))
        cname = str(spec.get("externalName") or "")
        cname = cname[:-1] if cname.endswith(".") else cname
        if cname:
            errs.extend(dns1123_subdomain(cname, "spec.externalName"))
        else:
            errs.append(required("spec.externalName"))
    names: set = set()
    for i, p in enumerate(ports):
        errs.extend(_service_port(p, len(ports) > 1, names, f"spec.ports[{i}]"))
    if spec.get("selector") is not None:
        errs.extend(validate_labels(str_map(spec["selector"]), "spec.selector"))
    aff = spec.get("sessionAffinity") or ""
    if not aff:
        errs.append(required("spec.sessionAffinity"))
    elif aff not in ("ClientIP", "None"):
        errs.append(not_supported("spec.sessionAffinity", aff, ("ClientIP", "None")))
    cfg = spec.get("sessionAffinityConfig")
    if aff == "ClientIP":
        cp = "spec.sessionAffinityConfig"
        if not isinstance(cfg, dict):
            errs.append(required(cp, "when session affinity type is ClientIP"))
        elif not isinstance(cfg.get("clientIP"), dict):
            errs.append(required(f"{cp}.clientIP", "when session affinity type is ClientIP"))
        elif cfg["clientIP"].get("timeoutSeconds") is None:
            errs.append(required(f"{cp}.clientIP.timeoutSeconds", "when session affinity type is ClientIP"))
        else:
            t = cfg["clientIP"]["timeoutSeconds"]
            if not _is_int(t) or t <= 0 or t > 86400:
                errs.append(invalid(f"{cp}.clientIP.timeoutSeconds", t, "must be greater than 0 and less than 86400"))
    elif aff == "None" and cfg is not None:
        errs.append(forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"))
    errs.extend(_cluster_ip_fields(spec))
    for i, ip in enumerate(as_list(spec.get("externalIPs"))):
        if not naming.is_valid_ip(ip):
            errs.append(invalid(f"spec.externalIPs[{i}]", ip, _IP_MSG))
        else:
            errs.extend(_non_special_ip(ip, f"spec.externalIPs[{i}]"))
    if not stype:
        errs.append(required("spec.type"))
    elif stype not in _SERVICE_TYPES:
        errs.append(not_supported("spec.type", stype, _SERVICE_TYPES))
    if stype == "ClusterIP":
        for i, p in enumerate(ports):
            if p.get("nodePort"):
                errs.append(forbidden(f"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'"))
    seen_np: set = set()
    for i, p in enumerate(ports):
        if not p.get("nodePort"):
            continue
        key = (p.get("protocol"), p["nodePort"])
        if key in seen_np:
            errs.append(duplicate(f"spec.ports[{i}].nodePort", p["nodePort"]))
        seen_np.add(key)
    seen_ports: set = set()
    for i, p in enumerate(ports):
        key = (p.get("protocol"), p.get("port"))
        if key in seen_ports:
            errs.append(duplicate(f"spec.ports[{i}]", _service_port_key(p)))
        seen_ports.add(key)
    ranges = as_list(spec.get("loadBalancerSourceRanges"))
    if ranges:
        if stype != "LoadBalancer":
            errs.append(forbidden("spec.LoadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'"))
        for i, r in enumerate(ranges):
            r = str(r).strip()
            if not naming.is_valid_cidr(r):
                errs.append(invalid(f"spec.LoadBalancerSourceRanges[{i}]", r,
                                    "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
    if spec.get("allocateLoadBalancerNodePorts") is not None and stype != "LoadBalancer":
        errs.append(forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"))
    if stype == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        errs.append(required("allocateLoadBalancerNodePorts"))
    if spec.get("loadBalancerClass") is not None:
        if stype == "LoadBalancer":
            errs.extend(invalid("spec.loadBalancerClass", spec["loadBalancerClass"], m)
                        for m in naming.is_qualified_name(str(spec["loadBalancerClass"])))
        else:
            errs.append(forbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'"))
    etp = spec.get("externalTrafficPolicy") or ""
    if not _externally_accessible(spec):
        if etp:
            errs.append(invalid("spec.externalTrafficPolicy", etp, "may only be set for externally-accessible services"))
    elif not etp:
        errs.append(required("spec.externalTrafficPolicy"))
    elif etp not in ("Cluster", "Local"):
        errs.append(not_supported("spec.externalTrafficPolicy", etp, ("Cluster", "Local")))
    hc = spec.get("healthCheckNodePort") or 0
    if not (stype == "LoadBalancer" and etp == "Local"):
        if hc:
            errs.append(invalid("spec.healthCheckNodePort", hc,
                                "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"))
    elif not hc:
        errs.append(required("spec.healthCheckNodePort"))
    else:
        errs.extend(invalid("spec.healthCheckNodePort", hc, m) for m in naming.is_valid_port_num(hc))
    itp = spec.get("internalTrafficPolicy")
    if itp is None:
        if stype in ("NodePort", "LoadBalancer", "ClusterIP"):
            errs.append(required("spec.internalTrafficPolicy"))
    elif itp not in ("Cluster", "Local"):
        errs.append(not_supported("spec.internalTrafficPolicy", itp, ("Cluster", "Local")))
    td = spec.get("trafficDistribution")
    if td is not None and td != "PreferClose":
        errs.append(not_supported("spec.trafficDistribution", td, ("PreferClose",)))
    return errs


def _upgrade_downgrade_cluster_ips(old: dict, new: dict) -> list[FieldError]:
    if new.get("type") == "ExternalName" or old.get("type") == "ExternalName":
        return []
    if _is_headless(old) and _is_headless(new):
        return []
    errs: list[FieldError] = []
    oips, nips = as_list(old.get("clusterIPs")), as_list(new.get("clusterIPs"))
    if len(oips) == len(nips):
        for i, ip in enumerate(oips):
            if ip != nips[i]:
                errs.append(invalid(f"spec.clusterIPs[{i}]", nips, "may not change once set"))
    elif len(oips) > len(nips):
        if not nips:
            errs.append(invalid("spec.clusterIPs[0]", nips, "primary clusterIP can not be unset"))
        if oips and nips and nips[0] != oips[0]:
            errs.append(invalid("spec.clusterIPs[0]", nips, "may not change once set"))
        if len(nips) == 1 and new.get("ipFamilyPolicy") != "SingleStack":
            errs.append(invalid("spec.ipFamilyPolicy", new.get("ipFamilyPolicy"),
                                "must be set to 'SingleStack' when releasing the secondary clusterIP"))
    elif oips and nips[0] != oips[0]:
        errs.append(invalid("spec.clusterIPs[0]", nips, "may not change once set"))
    return errs


def _upgrade_downgrade_ip_families(old: dict, new: dict) -> list[FieldError]:
    if new.get("type") == "ExternalName" or old.get("type") == "ExternalName":
        return []
    if _is_headless(old) != _is_headless(new) or _is_headless(new):
        return []
    errs: list[FieldError] = []
    ofam, nfam = as_list(old.get("ipFamilies")), as_list(new.get("ipFamilies"))
    if len(ofam) == len(nfam):
        for i, f in enumerate(ofam):
            if f != nfam[i]:
                errs.append(invalid("spec.ipFamilies[0]", nfam, "may not change once set"))
    elif len(ofam) > len(nfam):
        if not as_list(new.get("clusterIPs")):
            errs.append(invalid("spec.ipFamilies[0]", nfam, "primary ipFamily can not be unset"))
        if nfam and nfam[0] != ofam[0]:
            errs.append(invalid("spec.ipFamilies[0]", as_list(new.get("clusterIPs")), "may not change once set"))
        if len(nfam) == 1 and new.get("ipFamilyPolicy") != "SingleStack":
            errs.append(invalid("spec.ipFamilyPolicy", new.get("ipFamilyPolicy"),
                                "must be set to 'SingleStack' when releasing the secondary ipFamily"))
    elif ofam and nfam and nfam[0] != ofam[0]:
        errs.append(invalid("spec.ipFamilies[0]", as_list(new.get("clusterIPs")), "may not change once set"))
    return errs


def validate_service_update(new: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_meta(new), _meta(old))
    spec, ospec = _spec(new), _spec(old)
    errs.extend(_upgrade_downgrade_cluster_ips(ospec, spec))
    errs.extend(_upgrade_downgrade_ip_families(ospec, spec))
    if ospec.get("type") == "LoadBalancer" and spec.get("type") == "LoadBalancer" \
            and ospec.get("loadBalancerClass") != spec.get("loadBalancerClass"):
        errs.append(invalid("spec.loadBalancerClass", spec.get("loadBalancerClass"), "may not change once set"))
    needs_hc = lambda s: s.get("type") == "LoadBalancer" and s.get("externalTrafficPolicy") == "Local"  # noqa: E731
    if needs_hc(ospec) and needs_hc(spec) and spec.get("healthCheckNodePort") != ospec.get("healthCheckNodePort"):
        errs.append(forbidden("spec.healthCheckNodePort", "field is immutable"))
    errs.extend(validate_service(new))
    return errs


# ---- ConfigMap, Namespace, Node, Endpoints, Event --------------------------------------------------------

def validate_config_map(cm: dict) -> list[FieldError]:
    errs = validate_object_meta(_meta(cm), True, naming.name_is_dns_subdomain)
    data, binary = str_map(cm.get("data")), str_map(cm.get("binaryData"))
    total = 0
    for key, value in data.items():
        errs.extend(invalid(f"data[{key}]", key, m) for m in naming.is_config_map_key(key))
        if key in binary:
            errs.append(invalid(f"data[{key}]", key, "duplicate of key present in binaryData"))
        total += len(str(value).encode())
    for key, value in binary.items():
        errs.extend(invalid(f"binaryData[{key}]", key, m) for m in naming.is_config_map_key(key))
        total += len(str(value)) * 3 // 4      # base64 text -> bytes
    if total > MAX_CONFIG_SIZE:
        errs.append(too_long("", MAX_CONFIG_SIZE))
    return errs


def validate_config_map_update(new: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_meta(new), _meta(old))
    if old.get("immutable") is True:
        if new.get("immutable") is not True:
            errs.append(forbidden("immutable", "field is immutable when `immutable` is set"))
        if not semantic_equal(new.get("data"), old.get("data")):
            errs.append(forbidden("data", "field is immutable when `immutable` is set"))
        if not semantic_equal(new.get("binaryData"), old.get("binaryData")):
            errs.append(forbidden("binaryData", "field is immutable when `immutable` is set"))
    errs.extend(validate_config_map(new))
    return errs


def _finalizer_name(f: str, path: str) -> list[FieldError]:
    errs = [invalid(path, f, m) for m in naming.is_qualified_name(f)]
    if "/" not in f and f not in ("kubernetes", "orphan", "foregroundDeletion"):
        errs.append(invalid(path, f, "name is neither a standard finalizer name nor is it fully qualified"))
    return errs


def validate_namespace(ns: dict) -> list[FieldError]:
    errs = validate_object_meta(_meta(ns), False, naming.name_is_dns_label)
    for f in as_list(_spec(ns).get("finalizers")):
        errs.extend(_finalizer_name(str(f), "spec.finalizers"))
    return errs


def validate_namespace_update(new: dict, old: dict) -> list[FieldError]:
    return validate_object_meta_update(_meta(new), _meta(old))


def validate_namespace_status_update(new: dict, old: dict) -> list[FieldError]:
    phase = (new.get("status") or {}).get("phase") or ""
    if not _meta(new).get("deletionTimestamp"):
        if phase != "Active":
            return [invalid("status.Phase", phase, "may only be 'Active' if `deletionTimestamp` is empty")]
    elif phase != "Terminating":
        return [invalid("status.Phase", phase, "may only be 'Terminating' if `deletionTimestamp` is not empty")]
    return []


def _node_taints(taints, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: dict[str, set] = {}
    for i, t in enumerate(as_list(taints)):
        t = t if isinstance(t, dict) else {}
        ip = f"{path}[{i}]"
        errs.extend(validate_label_name(t.get("key") or "", f"{ip}.key"))
        m = naming.is_valid_label_value(t.get("value") or "")
        if m:
            errs.append(invalid(f"{ip}.value", t.get("value") or "", ";".join(m)))
        effect = t.get("effect") or ""
        if not effect:
            errs.append(required(f"{ip}.effect"))
        elif effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            errs.append(not_supported(f"{ip}.effect", effect, ("NoSchedule", "PreferNoSchedule", "NoExecute")))
        if t.get("key") in seen.get(effect, ()):
            value = GoStruct(key=t.get("key") or "")
            if t.get("value"):
                value["value"] = t["value"]
            value["effect"] = effect
            errs.append(_dup_taint(ip, value))
            continue
        seen.setdefault(effect, set()).add(t.get("key"))
    return errs


def _dup_taint(path: str, value: GoStruct) -> FieldError:
    return RenderedFieldError(path, "Duplicate value", value, "taints must be unique by key and effect pair",
                              True, gojson(value))


def _node_resources(node: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    status = node.get("status") or {}
    for section in ("capacity", "allocatable"):
        for k, v in str_map(status.get(section)).items():
            if quantity.is_valid_quantity(v) and quantity.parse_quantity(v) < 0:
                errs.append(invalid(f"status.{section}.{k}", quantity.canonical_quantity(v), "must be greater than or equal to 0"))
    return errs


def _pod_cidrs(spec: dict) -> list[FieldError]:
    cidrs = as_list(spec.get("podCIDRs"))
    errs: list[FieldError] = []
    for i, c in enumerate(cidrs):
        if not naming.is_valid_cidr(c):
            errs.append(invalid(f"spec.podCIDRs[{i}]", c, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
    if len(cidrs) > 1 and not errs:
        versions = {naming.parse_ip(str(c).split("/")[0]).version for c in cidrs}
        if len(versions) != len(cidrs) or len(cidrs) > 2:
            errs.append(invalid("spec.podCIDRs", cidrs, "may specify no more than one CIDR for each IP family"))
        seen: set = set()
        for i, c in enumerate(cidrs):
            if c in seen:
                errs.append(duplicate(f"spec.podCIDRs[{i}]", c))
            seen.add(c)
    return errs


def validate_node(node: dict) -> list[FieldError]:
    errs = validate_object_meta(_meta(node), False, naming.name_is_dns_subdomain)
    spec = _spec(node)
    if spec.get("taints"):
        errs.extend(_node_taints(spec["taints"], "metadata.taints"))    # sic: upstream's path
    errs.extend(_node_resources(node))
    errs.extend(_pod_cidrs(spec))
    return errs


def validate_node_update(new: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_meta(new), _meta(old))
    errs.extend(_node_resources(new))
    seen: list = []
    for i, a in enumerate(as_list((new.get("status") or {}).get("addresses"))):
        if a in seen:
            errs.append(duplicate(f"status.addresses[{i}]", GoStruct(type=(a or {}).get("type") or "",
                                                                      address=(a or {}).get("address") or "")))
        seen.append(a)
    spec, ospec = _spec(new), _spec(old)
    ocidrs, ncidrs = as_list(ospec.get("podCIDRs")), as_list(spec.get("podCIDRs"))
    if ocidrs:
        if len(ocidrs) != len(ncidrs):
            errs.append(forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"))
        else:
            for i, c in enumerate(ocidrs):
                if c != ncidrs[i]:
                    errs.append(forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"))
    if ospec.get("providerID") and ospec.get("providerID") != spec.get("providerID"):
        errs.append(forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid"))
    if spec.get("taints"):
        errs.extend(_node_taints(spec["taints"], "metadata.taints"))
    if spec.get("externalID") != ospec.get("externalID"):
        errs.append(forbidden("spec.externalID", "may not be updated"))
    return errs


def _endpoint_address(addr: dict, path: str) -> list[FieldError]:
    ip = addr.get("ip") or ""
    errs: list[FieldError] = []
    if not naming.is_valid_ip(ip):
        errs.append(invalid(f"{path}.ip", ip, _IP_MSG))
    if addr.get("hostname"):
        errs.extend(dns1123_label(addr["hostname"], f"{path}.hostname"))
    if addr.get("nodeName") is not None:
        errs.extend(invalid(f"{path}.nodeName", addr["nodeName"], m) for m in naming.name_is_dns_subdomain(str(addr["nodeName"]), False))
    errs.extend(_non_special_ip(ip, f"{path}.ip"))
    return errs


def _endpoint_port(port: dict, require_name: bool, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = port.get("name") or ""
    if require_name and not name:
        errs.append(required(f"{path}.name"))
    elif name:
        errs.extend(dns1123_label(name, f"{path}.name"))
    errs.extend(invalid(f"{path}.port", port.get("port", 0), m) for m in naming.is_valid_port_num(port.get("port", 0)))
    proto = port.get("protocol") or ""
    if not proto:
        errs.append(required(f"{path}.protocol"))
    elif proto not in _PROTOCOLS:
        errs.append(not_supported(f"{path}.protocol", proto, _PROTOCOLS))
    if port.get("appProtocol") is not None:
        errs.extend(invalid(f"{path}.appProtocol", port["appProtocol"], m) for m in naming.is_qualified_name(str(port["appProtocol"])))
    return errs


def validate_endpoints(ep: dict) -> list[FieldError]:
    errs = validate_object_meta(_meta(ep), True, naming.name_is_dns_subdomain)
    for i, ss in enumerate(as_list(ep.get("subsets"))):
        ss = ss if isinstance(ss, dict) else {}
        sp = f"subsets[{i}]"
        if not ss.get("addresses") and not ss.get("notReadyAddresses"):
            errs.append(required(sp, "must specify `addresses` or `notReadyAddresses`"))
        for key in ("addresses", "notReadyAddresses"):
            for j, a in enumerate(as_list(ss.get(key))):
                errs.extend(_endpoint_address(a if isinstance(a, dict) else {}, f"{sp}.{key}[{j}]"))
        ports = as_list(ss.get("ports"))
        for j, p in enumerate(ports):
            errs.extend(_endpoint_port(p if isinstance(p, dict) else {}, len(ports) > 1, f"{sp}.ports[{j}]"))
    return errs


def validate_endpoints_update(new: dict, old: dict) -> list[FieldError]:
    return validate_object_meta_update(_meta(new), _meta(old)) + validate_endpoints(new)


def validate_event(ev: dict) -> list[FieldError]:
    """legacyValidateEvent for core/v1 Events (no ObjectMeta validation, for compatibility)."""
    errs: list[FieldError] = []
    ns = _meta(ev).get("namespace") or ""
    involved = str_map(ev.get("involvedObject"))
    ins = involved.get("namespace") or ""
    if not ev.get("eventTime"):
        if not ins:
            if ns not in ("", "default"):
                errs.append(invalid("involvedObject.namespace", ins, "does not match event.namespace"))
        elif ns != ins:
            errs.append(invalid("involvedObject.namespace", ins, "does not match event.namespace"))
    else:
        if not ins and ns not in ("default", "kube-system"):
            errs.append(invalid("involvedObject.namespace", ins, "does not match event.namespace"))
        rc = ev.get("reportingComponent") or ""
        if not rc:
            errs.append(required("reportingComponent"))
        errs.extend(invalid("reportingComponent", rc, m) for m in naming.is_qualified_name(rc))
        ri = ev.get("reportingInstance") or ""
        if not ri:
            errs.append(required("reportingInstance"))
        if len(ri) > 128:
            errs.append(invalid("reportingInstance", "", "can have at most 128 characters"))
        action = ev.get("action") or ""
        if not action:
            errs.append(required("action"))
        if len(action) > 128:
            errs.append(invalid("action", "", "can have at most 128 characters"))
        reason = ev.get("reason") or ""
        if not reason:
            errs.append(required("reason"))
        if len(reason) > 128:
            errs.append(invalid("reason", "", "can have at most 128 characters"))
        if len(ev.get("message") or "") > 1024:
            errs.append(invalid("message", "", "can have at most 1024 characters"))
    errs.extend(invalid("namespace", ns, m) for m in naming.is_dns1123_subdomain(ns))
    return errs


def validate_event_update(new: dict, old: dict) -> list[FieldError]:
    return validate_event(new)


# ---- discovery.k8s.io EndpointSlice, coordination.k8s.io Lease ------------------------------------------

_ADDRESS_TYPES = ("IPv4", "IPv6", "FQDN")


def validate_endpoint_slice(es: dict) -> list[FieldError]:
    errs = validate_object_meta(_meta(es), True, naming.name_is_dns_subdomain)
    at = es.get("addressType") or ""
    if not at:
        errs.append(required("addressType"))
    elif at not in _ADDRESS_TYPES:
        errs.append(not_supported("addressType", at, _ADDRESS_TYPES))
    endpoints = as_list(es.get("endpoints"))
    if len(endpoints) > 1000:
        errs.append(too_many("endpoints", len(endpoints), 1000))
    for i, ep in enumerate(endpoints):
        ep = ep if isinstance(ep, dict) else {}
        ip = f"endpoints[{i}]"
        addrs = as_list(ep.get("addresses"))
        if not addrs:
            errs.append(required(f"{ip}.addresses", "must contain at least 1 address"))
        elif len(addrs) > 100:
            errs.append(invalid(f"{ip}.addresses", len(addrs), "must contain at most 100 addresses"))
        for j, a in enumerate(addrs):
            ap = f"{ip}.addresses[{j}]"
            if at == "IPv4":
                addr = naming.parse_ip(a)
                if addr is None or addr.version != 4:
                    errs.append(invalid(ap, a, "must be a valid IPv4 address"))
            elif at == "IPv6":
                addr = naming.parse_ip(a)
                if addr is None or addr.version != 6:
                    errs.append(invalid(ap, a, "must be a valid IPv6 address"))
            elif at == "FQDN":
                errs.extend(dns1123_subdomain(str(a), ap))
        if ep.get("nodeName"):
            errs.extend(invalid(f"{ip}.nodeName", ep["nodeName"], m) for m in naming.name_is_dns_subdomain(str(ep["nodeName"]), False))
        if ep.get("hostname"):
            errs.extend(dns1123_label(ep["hostname"], f"{ip}.hostname"))
    ports = as_list(es.get("ports"))
    names: set = set()
    for i, p in enumerate(ports):
        p = p if isinstance(p, dict) else {}
        pp = f"ports[{i}]"
        name = p.get("name") or ""
        if name:
            errs.extend(dns1123_label(name, f"{pp}.name"))
        if name in names:
            errs.append(duplicate(f"{pp}.name", name))
        names.add(name)
        proto = p.get("protocol")
        if proto is None:
            errs.append(required(f"{pp}.protocol"))
        elif proto not in _PROTOCOLS:
            errs.append(not_supported(f"{pp}.protocol", proto, _PROTOCOLS))
        if p.get("port") is not None:
            errs.extend(invalid(f"{pp}.port", p["port"], m) for m in naming.is_in_range(p["port"] if _is_int(p["port"]) else -1, 0, 65535))
    return errs


def validate_endpoint_slice_update(new: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_meta(new), _meta(old))
    errs.extend(validate_endpoint_slice(new))
    if new.get("addressType") != old.get("addressType"):
        errs.append(invalid("addressType", new.get("addressType") or "", FIELD_IMMUTABLE))
    return errs


def validate_lease(lease: dict) -> list[FieldError]:
    errs = validate_object_meta(_meta(lease), True, naming.name_is_dns_subdomain)
    spec = _spec(lease)
    d = spec.get("leaseDurationSeconds")
    if d is not None and (not _is_int(d) or d <= 0):
        errs.append(invalid("spec.leaseDurationSeconds", d, "must be greater than 0"))
    t = spec.get("leaseTransitions")
    if t is not None:
        errs.extend(nonnegative(t, "spec.leaseTransitions"))
    return errs


def validate_lease_update(new: dict, old: dict) -> list[FieldError]:
    return validate_object_meta_update(_meta(new), _meta(old)) + validate_lease(new)


CREATE = {"Pod": validate_pod, "Service": validate_service, "ConfigMap": validate_config_map,
          "Namespace": validate_namespace, "Node": validate_node, "Endpoints": validate_endpoints,
          "Event": validate_event, "EndpointSlice": validate_endpoint_slice, "Lease": validate_lease}
UPDATE = {"Pod": validate_pod_update, "Service": validate_service_update,
          "ConfigMap": validate_config_map_update, "Namespace": validate_namespace_update,
          "Node": validate_node_update, "Endpoints": validate_endpoints_update,
          "Event": validate_event_update, "EndpointSlice": validate_endpoint_slice_update,
          "Lease": validate_lease_update}
STATUS = {"Pod": validate_pod_status_update, "Namespace": validate_namespace_status_update,
          "Node": lambda new, old: _node_resources(new)}
