"""Validation of Ingress and IngressClass (networking.k8s.io/v1), as k/k
pkg/apis/networking/validation/validation.go (ValidateIngressCreate, ValidateIngressUpdate,
ValidateIngressStatusUpdate, ValidateIngressClass, ValidateIngressClassUpdate).

The rules a learner meets most: every path needs a `pathType`; Exact and Prefix paths must be
absolute and free of `//`, `/./`, `/../`, `%2f`; a backend names a Service (a DNS-1035 label, as
Service names are) and either a port number or a port name, not both; an Ingress needs rules or a
defaultBackend; a host is a DNS name (a leading `*.` wildcard allowed), never an IP address.
The update options upstream keeps for objects stored before a rule tightened (invalid TLS secret
names, invalid wildcard rules) apply only to objects that have them, which this cluster never
stores, so they are not modelled.
"""
from __future__ import annotations

import ipaddress
import re

from ..errors import FieldError
from . import names as naming
from .fields import RenderedFieldError, forbidden, invalid, msgs, not_supported, required, too_long
from .validation_meta import immutable, validate_object_meta, validate_object_meta_update

ANNOTATION_INGRESS_CLASS = "kubernetes.io/ingress.class"
MAX_LEN_CONTROLLER = 250
SUPPORTED_PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")      # sets.List(): sorted
INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
INVALID_PATH_SUFFIXES = ("/..", "/.")
PARAMETER_SCOPES = ("Cluster", "Namespace")

# k8s.io/apimachinery/pkg/util/validation: IsWildcardDNS1123Subdomain, IsDomainPrefixedPath.
_WILDCARD_FMT = r"\*\." + naming.DNS1123_SUBDOMAIN_FMT
_WILDCARD_RE = re.compile(_WILDCARD_FMT)
_WILDCARD_MSG = ("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must "
                 "consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character")
_HTTP_PATH_FMT = r"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+"
_HTTP_PATH_RE = re.compile(_HTTP_PATH_FMT)


def _d(v) -> dict:
    return v if isinstance(v, dict) else {}


def _l(v) -> list:
    return v if isinstance(v, list) else []


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def is_wildcard_dns1123_subdomain(value: str) -> tuple[str, ...]:
    errs = []
    if len(value) > naming.DNS1123_SUBDOMAIN_MAX:
        errs.append(naming.max_len_error(naming.DNS1123_SUBDOMAIN_MAX))
    if not _WILDCARD_RE.fullmatch(value):
        errs.append(naming.regex_error(_WILDCARD_MSG, _WILDCARD_FMT, "*.example.com"))
    return tuple(errs)


def _path_segment_name(value: str) -> list[str]:
    """k8s.io/apimachinery/pkg/api/validation/path IsValidPathSegmentName."""
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in value]


# ---- Ingress --------------------------------------------------------------------------------------

def _backend(backend: dict, path: str) -> list[FieldError]:
    resource, service = backend.get("resource"), backend.get("service")
    if resource is not None and service is not None:
        return [invalid(path, "", "cannot set both resource and service backends")]
    if resource is not None:
        return _typed_local_ref(_d(resource), f"{path}.resource")
    if service is None:
        return [invalid(path, "", "resource or service backend is required")]
    errs: list[FieldError] = []
    service = _d(service)
    name = service.get("name") or ""
    if not name:
        errs.append(required(f"{path}.service.name"))
    else:
        errs.extend(msgs(f"{path}.service.name", name, naming.name_is_dns1035_label(name, False)))
    port = _d(service.get("port"))
    port_name, number = port.get("name") or "", port.get("number") or 0
    if port_name and number:
        errs.append(invalid(path, "", "cannot set both port name & port number"))
    elif port_name:
        errs.extend(msgs(f"{path}.service.port.name", port_name, naming.is_valid_port_name(port_name)))
    elif number:
        errs.extend(msgs(f"{path}.service.port.number", number, naming.is_valid_port_num(number)))
    else:
        errs.append(required(path, "port name or number is required"))
    return errs


def _typed_local_ref(ref: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if ref.get("apiGroup") is not None:
        errs.extend(msgs(f"{path}.apiGroup", ref["apiGroup"], naming.is_dns1123_subdomain(ref["apiGroup"])))
    for key in ("kind", "name"):
        v = ref.get(key) or ""
        if not v:
            errs.append(required(f"{path}.{key}"))
        else:
            errs.extend(msgs(f"{path}.{key}", v, _path_segment_name(v)))
    return errs


def _http_path(p: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    ptype = p.get("pathType")
    if ptype is None:
        return [required(f"{path}.pathType", "pathType must be specified")]
    value = p.get("path") or ""
    if ptype in ("Exact", "Prefix"):
        if not value.startswith("/"):
            errs.append(invalid(f"{path}.path", value, "must be an absolute path"))
        if value:
            errs.extend(invalid(f"{path}.path", value, f"must not contain '{seq}'")
                        for seq in INVALID_PATH_SEQUENCES if seq in value)
            errs.extend(invalid(f"{path}.path", value, f"cannot end with '{suffix}'")
                        for suffix in INVALID_PATH_SUFFIXES if value.endswith(suffix))
    elif ptype == "ImplementationSpecific":
        if value and not value.startswith("/"):
            errs.append(invalid(f"{path}.path", value, "must be an absolute path"))
    else:
        errs.append(not_supported(f"{path}.pathType", ptype, SUPPORTED_PATH_TYPES))
    errs.extend(_backend(_d(p.get("backend")), f"{path}.backend"))
    return errs


def _rules(rules: list, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, rule in enumerate(rules):
        rule = _d(rule)
        host = rule.get("host") or ""
        rpath = f"{path}[{i}]"
        if host:
            if _is_ip(host):
                errs.append(invalid(f"{rpath}.host", host, "must be a DNS name, not an IP address"))
            if "*" in host:
                errs.extend(msgs(f"{rpath}.host", host, is_wildcard_dns1123_subdomain(host)))
            else:
                errs.extend(msgs(f"{rpath}.host", host, naming.is_dns1123_subdomain(host)))
        http = rule.get("http")
        if http is not None:
            paths = _l(_d(http).get("paths"))
            if not paths:
                errs.append(required(f"{rpath}.http.paths"))
            for j, p in enumerate(paths):
                errs.extend(_http_path(_d(p), f"{rpath}.http.paths[{j}]"))
    return errs


def _tls(tls: list, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, t in enumerate(tls):
        t = _d(t)
        for j, host in enumerate(_l(t.get("hosts"))):
            check = is_wildcard_dns1123_subdomain if "*" in str(host) else naming.is_dns1123_subdomain
            errs.extend(msgs(f"{path}[{i}].hosts[{j}]", host, check(str(host))))
        secret = t.get("secretName") or ""
        if secret:
            errs.extend(msgs(f"{path}[{i}].secretName", secret, naming.name_is_dns_subdomain(secret, False)))
    return errs


def _ingress_spec(spec: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    rules = spec.get("rules")
    if not rules and spec.get("defaultBackend") is None:
        # field.Invalid(spec, spec.Rules, ...): the (empty) rules are the value printed
        errs.append(RenderedFieldError("spec", "Invalid value", rules, "either `defaultBackend` or `rules` must be specified",
                                       True, "null" if rules is None else "[]"))
    if spec.get("defaultBackend") is not None:
        errs.extend(_backend(_d(spec["defaultBackend"]), "spec.defaultBackend"))
    if rules:
        errs.extend(_rules(_l(rules), "spec.rules"))
    if spec.get("tls"):
        errs.extend(_tls(_l(spec["tls"]), "spec.tls"))
    cls = spec.get("ingressClassName")
    if cls is not None:
        errs.extend(msgs("spec.ingressClassName", cls, naming.name_is_dns_subdomain(cls, False)))
    return errs


def _ingress(ing: dict) -> list[FieldError]:
    errs = validate_object_meta(_d(ing.get("metadata")), True, naming.name_is_dns_subdomain)
    errs.extend(_ingress_spec(_d(ing.get("spec"))))
    return errs


def validate_ingress(ing: dict) -> list[FieldError]:
    errs = _ingress(ing)
    annotation = (_d(_d(ing.get("metadata")).get("annotations"))).get(ANNOTATION_INGRESS_CLASS)
    cls = _d(ing.get("spec")).get("ingressClassName")
    if annotation is not None and cls is not None and annotation != cls:
        errs.append(invalid(f"annotations.{ANNOTATION_INGRESS_CLASS}", annotation,
                            "must match `ingressClassName` when both are specified"))
    return errs


def validate_ingress_update(new: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_d(new.get("metadata")), _d(old.get("metadata")))
    errs.extend(_ingress(new))
    return errs


def validate_ingress_status_update(new: dict, old: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    lb = _d(_d(new.get("status")).get("loadBalancer"))
    for i, ing in enumerate(_l(lb.get("ingress"))):
        ing = _d(ing)
        path = f"status.loadBalancer.ingress[{i}]"
        ip, hostname = ing.get("ip") or "", ing.get("hostname") or ""
        if ip and not _is_ip(ip):
            errs.append(invalid(f"{path}.ip", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
        if hostname:
            errs.extend(msgs(f"{path}.hostname", hostname, naming.is_dns1123_subdomain(hostname)))
            if _is_ip(hostname):
                errs.append(invalid(f"{path}.hostname", hostname, "must be a DNS name, not an IP address"))
    return errs


# ---- IngressClass ---------------------------------------------------------------------------------

def _domain_prefixed_path(value: str, path: str) -> list[FieldError]:
    segments = value.split("/", 1)
    if len(segments) != 2 or not segments[0] or not segments[1]:
        return [invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')]
    errs = msgs(path, segments[0], naming.is_dns1123_subdomain(segments[0]))
    if not _HTTP_PATH_RE.fullmatch(segments[1]):
        errs.append(invalid(path, segments[1], naming.regex_error("Invalid path", _HTTP_PATH_FMT)))
    return errs


def _parameters(params, path: str) -> list[FieldError]:
    if params is None:
        return []
    params = _d(params)
    # upstream validates the parameters' group/kind/name as a TypedLocalObjectReference first
    errs = _typed_local_ref(params, path)
    scope = params.get("scope")
    if scope is None:
        errs.append(required(f"{path}.scope"))
        return errs
    if scope not in PARAMETER_SCOPES:
        errs.append(not_supported(f"{path}.scope", scope, PARAMETER_SCOPES))
        return errs
    namespace = params.get("namespace")
    if scope == "Namespace":
        if namespace is None:
            errs.append(required(f"{path}.namespace", "`parameters.scope` is set to 'Namespace'"))
        else:
            errs.extend(msgs(f"{path}.namespace", namespace, naming.name_is_dns_label(namespace, False)))
    if scope == "Cluster" and namespace is not None:
        errs.append(forbidden(f"{path}.namespace", "`parameters.scope` is set to 'Cluster'"))
    return errs


def validate_ingress_class(ic: dict) -> list[FieldError]:
    errs = validate_object_meta(_d(ic.get("metadata")), False, naming.name_is_dns_subdomain)
    spec = _d(ic.get("spec"))
    controller = spec.get("controller") or ""
    if not controller:
        errs.append(required("spec.controller"))
    else:
        if len(controller) > MAX_LEN_CONTROLLER:
            errs.append(too_long("spec.controller", MAX_LEN_CONTROLLER))
        errs.extend(_domain_prefixed_path(controller, "spec.controller"))
    errs.extend(_parameters(spec.get("parameters"), "spec.parameters"))
    return errs


def validate_ingress_class_update(new: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_d(new.get("metadata")), _d(old.get("metadata")))
    errs.extend(immutable(_d(new.get("spec")).get("controller") or "", _d(old.get("spec")).get("controller") or "",
                          "spec.controller"))
    errs.extend(validate_ingress_class(new))
    return errs


CREATE = {"Ingress": validate_ingress, "IngressClass": validate_ingress_class}
UPDATE = {"Ingress": validate_ingress_update, "IngressClass": validate_ingress_class_update}
STATUS = {"Ingress": validate_ingress_status_update}
