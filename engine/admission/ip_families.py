"""A Service's IP families on the single-stack IPv4 cluster kubeplay models (one service CIDR,
IPv4), as the apiserver's service REST storage sets and checks them before it allocates
(k/k pkg/registry/core/service/storage/alloc.go, initIPFamilyFields):

- ipFamilyPolicy, when unset: RequireDualStack when two families or two clusterIPs are given
  or the Service is headless without a selector, else SingleStack;
- headless without a selector is the one exception to the checks below: its families are kept
  (the default family first) and, unless SingleStack, completed with the other family;
- otherwise RequireDualStack is refused ("this cluster is not configured for dual-stack
  services"), and so is every requested family the cluster has no range for ("not configured
  on this cluster"); PreferDualStack gets the one family the cluster has;
- no families: the cluster's default, IPv4.

Malformed values (an unknown family or policy) are left to validation, whose texts they get,
as the apiserver's loose pre-validation does."""
from __future__ import annotations

from .. import errors
from .fields import invalid

CLUSTER_FAMILIES = ("IPv4",)
DEFAULT_FAMILY = "IPv4"
_FAMILIES = ("IPv4", "IPv6")
_POLICIES = ("SingleStack", "PreferDualStack", "RequireDualStack")


def _family_of(ip: str) -> str:
    return "IPv6" if ":" in ip else "IPv4"


def init_ip_family_fields(svc: dict) -> None:
    """Set spec.ipFamilyPolicy/ipFamilies in place, or raise errors.Invalid."""
    spec = svc.get("spec")
    if not isinstance(spec, dict) or spec.get("type") == "ExternalName":
        return
    fams = spec.get("ipFamilies")
    ips = spec.get("clusterIPs")
    if (fams is not None and not isinstance(fams, list)) or (ips is not None and not isinstance(ips, list)):
        return
    fams, ips = list(fams or ()), list(ips or ())
    headless_no_selector = ips == ["None"] and not spec.get("selector")
    if spec.get("ipFamilyPolicy") is None:
        two = len(fams) == 2 or len(ips) == 2
        spec["ipFamilyPolicy"] = "RequireDualStack" if (two or headless_no_selector) else "SingleStack"
    policy = spec["ipFamilyPolicy"]
    if policy not in _POLICIES or any(f not in _FAMILIES for f in fams) or len(set(fams)) != len(fams) or len(fams) > 2:
        if not fams:
            spec["ipFamilies"] = [DEFAULT_FAMILY]
        return              # validation says what is wrong
    for i, ip in enumerate(ips):
        if ip == "None" or not isinstance(ip, str) or not ip:
            break
        if i >= len(fams):
            fams.append(_family_of(ip))
    if headless_no_selector:
        if not fams:
            fams = [DEFAULT_FAMILY]
        if len(fams) < 2 and policy != "SingleStack":
            fams.append("IPv6" if fams[0] == "IPv4" else "IPv4")
        spec["ipFamilies"] = fams
        return
    errs = []
    if policy == "RequireDualStack" and len(CLUSTER_FAMILIES) < 2:
        errs.append(invalid("spec.ipFamilyPolicy", policy, "this cluster is not configured for dual-stack services"))
    for i, fam in enumerate(fams):
        if fam not in CLUSTER_FAMILIES:
            errs.append(invalid(f"spec.ipFamilies[{i}]", fam, "not configured on this cluster"))
    if errs:
        raise errors.Invalid("Service", "", (svc.get("metadata") or {}).get("name") or "", errs)
    if not fams:
        fams = [DEFAULT_FAMILY]
    spec["ipFamilies"] = fams
