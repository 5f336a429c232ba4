"""NetworkPolicy (networking.k8s.io/v1): defaulting as k/k pkg/apis/networking/v1/defaults.go and
validation as pkg/apis/networking/validation/validation.go at v1.32 (ValidateNetworkPolicy,
ValidateNetworkPolicyUpdate). What the policies do to connections is engine/network_policy.py.
"""
from __future__ import annotations

import ipaddress

from ..errors import FieldError
from . import names as naming
from .fields import forbidden, invalid, not_supported, required
from .validation_meta import as_list, validate_label_selector, validate_object_meta, validate_object_meta_update

PROTOCOLS = ("TCP", "UDP", "SCTP")
POLICY_TYPES = ("Ingress", "Egress")
CIDR_TEXT = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def _dict(v) -> dict:
    return v if isinstance(v, dict) else {}


def _prune_selector(sel) -> None:
    """Go drops an empty matchLabels / matchExpressions (omitempty) on the way to storage."""
    if isinstance(sel, dict):
        for k in ("matchLabels", "matchExpressions"):
            if k in sel and not sel[k]:
                del sel[k]


def defaults(obj: dict) -> None:
    """SetDefaults_NetworkPolicy: no policyTypes means Ingress, plus Egress when the policy has
    egress rules; SetDefaults_NetworkPolicyPort: protocol TCP. podSelector is a struct, not a
    pointer, so a missing one is stored as `{}` (every pod of the namespace)."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = obj["spec"] = {}
    if not isinstance(spec.get("podSelector"), dict):
        spec["podSelector"] = {}
    _prune_selector(spec["podSelector"])
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        if direction in spec and not spec[direction]:
            del spec[direction]
        for rule in as_list(spec.get(direction)):
            if not isinstance(rule, dict):
                continue
            for key in ("ports", peers):
                if key in rule and not rule[key]:
                    del rule[key]
            for port in as_list(rule.get("ports")):
                if isinstance(port, dict) and port.get("protocol") is None:
                    port["protocol"] = "TCP"
            for peer in as_list(rule.get(peers)):
                if isinstance(peer, dict):
                    _prune_selector(peer.get("podSelector"))
                    _prune_selector(peer.get("namespaceSelector"))
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress"] + (["Egress"] if spec.get("egress") else [])


def _port(port: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    proto = port.get("protocol")
    if proto is not None and proto not in PROTOCOLS:
        errs.append(not_supported(f"{path}.protocol", proto, PROTOCOLS))
    value, end = port.get("port"), port.get("endPort")
    if value is not None:
        if isinstance(value, int) and not isinstance(value, bool):
            errs.extend(invalid(f"{path}.port", value, m) for m in naming.is_valid_port_num(value))
            if end is not None:
                if isinstance(end, int) and end < value:
                    errs.append(invalid(f"{path}.endPort", end, "must be greater than or equal to `port`"))
                errs.extend(invalid(f"{path}.endPort", end, m) for m in naming.is_valid_port_num(end))
        else:
            if end is not None:
                errs.append(invalid(f"{path}.endPort", end, "may not be specified when `port` is non-numeric"))
            errs.extend(invalid(f"{path}.port", str(value), m) for m in naming.is_valid_port_name(str(value)))
    elif end is not None:
        errs.append(invalid(f"{path}.endPort", end, "may not be specified when `port` is not specified"))
    return errs


def _network(cidr: str):
    """netutils.ParseCIDRSloppy: the network, or None."""
    if not naming.is_valid_cidr(cidr):
        return None
    addr, _, bits = cidr.partition("/")
    if "." in addr and ":" not in addr:     # sloppy: Go reads IPv4 octets with leading zeros as decimal
        addr = ".".join(str(int(octet)) for octet in addr.split("."))
    try:
        return ipaddress.ip_network(f"{addr}/{bits}", strict=False)
    except ValueError:
        return None


def _ip_block(block: dict, path: str, allowed: frozenset[str]) -> list[FieldError]:
    """ValidateIPBlock; CIDRs the old object already had are not checked again on update."""
    cidr = block.get("cidr") or ""
    if not cidr:
        return [required(f"{path}.cidr", "")]
    errs: list[FieldError] = []
    net = _network(cidr)
    if net is None:
        if cidr not in allowed:
            errs.append(invalid(f"{path}.cidr", cidr, CIDR_TEXT))
        return errs
    for i, text in enumerate(as_list(block.get("except"))):
        text = str(text)
        sub = _network(text)
        if sub is None:
            if text not in allowed:
                errs.append(invalid(f"{path}.except[{i}]", text, CIDR_TEXT))
            continue
        if sub.version != net.version or sub.network_address not in net or net.prefixlen >= sub.prefixlen:
            errs.append(invalid(f"{path}.except[{i}]", text, "must be a strict subset of `cidr`"))
    return errs


def _peer(peer: dict, path: str, allowed: frozenset[str]) -> list[FieldError]:
    errs: list[FieldError] = []
    count = 0
    if peer.get("podSelector") is not None:
        count += 1
        errs.extend(validate_label_selector(peer["podSelector"], f"{path}.podSelector"))
    if peer.get("namespaceSelector") is not None:
        count += 1
        errs.extend(validate_label_selector(peer["namespaceSelector"], f"{path}.namespaceSelector"))
    if peer.get("ipBlock") is not None:
        count += 1
        errs.extend(_ip_block(_dict(peer["ipBlock"]), f"{path}.ipBlock", allowed))
    if count == 0:
        errs.append(required(path, "must specify a peer"))
    elif count > 1 and peer.get("ipBlock") is not None:
        errs.append(forbidden(path, "may not specify both ipBlock and another peer"))
    return errs


def _spec(spec: dict, allowed: frozenset[str] = frozenset()) -> list[FieldError]:
    errs = validate_label_selector(spec.get("podSelector"), "spec.podSelector")
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(as_list(spec.get(direction))):
            rule = _dict(rule)
            base = f"spec.{direction}[{i}]"
            for j, port in enumerate(as_list(rule.get("ports"))):
                errs.extend(_port(_dict(port), f"{base}.ports[{j}]"))
            for j, peer in enumerate(as_list(rule.get(peers))):
                errs.extend(_peer(_dict(peer), f"{base}.{peers}[{j}]", allowed))
    types = as_list(spec.get("policyTypes"))
    if len(types) > len(POLICY_TYPES):
        errs.append(invalid("spec.policyTypes", types, "may not specify more than two policyTypes"))
        return errs
    for i, t in enumerate(types):
        if t not in POLICY_TYPES:
            errs.append(not_supported(f"spec.policyTypes[{i}]", t, POLICY_TYPES))
    return errs


def validate(np: dict) -> list[FieldError]:
    errs = validate_object_meta(_dict(np.get("metadata")), True, naming.name_is_dns_subdomain)
    return errs + _spec(_dict(np.get("spec")))


def _cidrs(np: dict) -> frozenset[str]:
    spec = _dict(np.get("spec"))
    out: set[str] = set()
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for rule in as_list(spec.get(direction)):
            for peer in as_list(_dict(rule).get(peers)):
                block = _dict(_dict(peer).get("ipBlock"))
                if block.get("cidr"):
                    out.add(str(block["cidr"]))
                out.update(str(x) for x in as_list(block.get("except")))
    return frozenset(out)


def validate_update(np: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_dict(np.get("metadata")), _dict(old.get("metadata")))
    return errs + _spec(_dict(np.get("spec")), _cidrs(old))


CREATE = {"NetworkPolicy": validate}
UPDATE = {"NetworkPolicy": validate_update}
