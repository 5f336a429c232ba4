"""Validation and defaulting of the RBAC kinds (rbac.authorization.k8s.io/v1), as k/k
pkg/apis/rbac/validation/validation.go and pkg/apis/rbac/v1/defaults.go.

Names are path segments (ValidateRBACName: `.`/`..`, `/` and `%` refused — `system:` colons are
fine); a rule needs verbs, and either nonResourceURLs (cluster roles only) or apiGroups and
resources; a binding's roleRef is immutable. The escalation check (may this user grant these
rules?) needs the requester, so it is the web layer's, with engine/rbac.py's texts."""
from __future__ import annotations

from ..errors import FieldError
from . import names
from .fields import GoStruct, invalid, not_supported, required
from .validation_meta import validate_label_selector, validate_object_meta, validate_object_meta_update

GROUP = "rbac.authorization.k8s.io"


def _rbac_name(name: str, prefix: bool) -> tuple[str, ...]:
    """path.IsValidPathSegmentName (a prefix may be `.`/`..`-shaped: only the characters count)."""
    if not prefix and name in (".", ".."):
        return (f"may not be '{name}'",)
    return tuple(f"may not contain '{c}'" for c in ("/", "%") if c in name)


def _d(v) -> dict:
    return v if isinstance(v, dict) else {}


def _l(v) -> list:
    return v if isinstance(v, list) else []


def validate_policy_rule(rule: dict, namespaced: bool, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if not _l(rule.get("verbs")):
        errs.append(required(f"{path}.verbs", "verbs must contain at least one value"))
    urls = _l(rule.get("nonResourceURLs"))
    if urls:
        if namespaced:
            errs.append(invalid(f"{path}.nonResourceURLs", urls, "namespaced rules cannot apply to non-resource URLs"))
        if _l(rule.get("apiGroups")) or _l(rule.get("resources")) or _l(rule.get("resourceNames")):
            errs.append(invalid(f"{path}.nonResourceURLs", urls,
                                "rules cannot apply to both regular resources and non-resource URLs"))
        return errs
    if not _l(rule.get("apiGroups")):
        errs.append(required(f"{path}.apiGroups", "resource rules must supply at least one api group"))
    if not _l(rule.get("resources")):
        errs.append(required(f"{path}.resources", "resource rules must supply at least one resource"))
    return errs


def _rules(obj: dict, namespaced: bool) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, r in enumerate(_l(obj.get("rules"))):
        errs.extend(validate_policy_rule(_d(r), namespaced, f"rules[{i}]"))
    return errs


def validate_role(obj: dict) -> list[FieldError]:
    return validate_object_meta(_d(obj.get("metadata")), True, _rbac_name) + _rules(obj, True)


def validate_cluster_role(obj: dict) -> list[FieldError]:
    errs = validate_object_meta(_d(obj.get("metadata")), False, _rbac_name) + _rules(obj, False)
    agg = obj.get("aggregationRule")
    if isinstance(agg, dict):
        selectors = _l(agg.get("clusterRoleSelectors"))
        if not selectors:
            errs.append(required("aggregationRule.clusterRoleSelectors",
                                 "at least one clusterRoleSelector required if aggregationRule is non-nil"))
        for i, sel in enumerate(selectors):
            errs.extend(validate_label_selector(sel, f"aggregationRule.clusterRoleSelectors[{i}]"))
    return errs


def _subject(s: dict, namespaced: bool, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name, kind, group = s.get("name") or "", s.get("kind") or "", s.get("apiGroup") or ""
    if not name:
        errs.append(required(f"{path}.name"))
    if kind == "ServiceAccount":
        if name:
            errs.extend(invalid(f"{path}.name", name, m) for m in names.name_is_dns_subdomain(name, False))
        if group:
            errs.append(not_supported(f"{path}.apiGroup", group, [""]))
        if not namespaced and not s.get("namespace"):
            errs.append(required(f"{path}.namespace"))
    elif kind in ("User", "Group"):
        if group != GROUP:
            errs.append(not_supported(f"{path}.apiGroup", group, [GROUP]))
    else:
        errs.append(not_supported(f"{path}.kind", kind, ["ServiceAccount", "User", "Group"]))
    return errs


def _binding(obj: dict, namespaced: bool) -> list[FieldError]:
    errs = validate_object_meta(_d(obj.get("metadata")), namespaced, _rbac_name)
    ref = _d(obj.get("roleRef"))
    if (ref.get("apiGroup") or "") != GROUP:
        errs.append(not_supported("roleRef.apiGroup", ref.get("apiGroup") or "", [GROUP]))
    kinds = ["Role", "ClusterRole"] if namespaced else ["ClusterRole"]
    if ref.get("kind") not in kinds:
        errs.append(not_supported("roleRef.kind", ref.get("kind") or "", kinds))
    name = ref.get("name") or ""
    if not name:
        errs.append(required("roleRef.name"))
    else:
        errs.extend(invalid("roleRef.name", name, m) for m in _rbac_name(name, False))
    for i, s in enumerate(_l(obj.get("subjects"))):
        errs.extend(_subject(_d(s), namespaced, f"subjects[{i}]"))
    return errs


def _role_ref_value(ref: dict) -> GoStruct:
    return GoStruct(apiGroup=ref.get("apiGroup") or "", kind=ref.get("kind") or "", name=ref.get("name") or "")


def _binding_update(new: dict, old: dict, namespaced: bool) -> list[FieldError]:
    errs = validate_object_meta_update(_d(new.get("metadata")), _d(old.get("metadata")))
    if _role_ref_value(_d(new.get("roleRef"))) != _role_ref_value(_d(old.get("roleRef"))):
        errs.append(invalid("roleRef", _role_ref_value(_d(new.get("roleRef"))), "cannot change roleRef"))
    return errs + _binding(new, namespaced)


def _role_update(new: dict, old: dict) -> list[FieldError]:
    return validate_object_meta_update(_d(new.get("metadata")), _d(old.get("metadata"))) + validate_role(new)


def _cluster_role_update(new: dict, old: dict) -> list[FieldError]:
    return validate_object_meta_update(_d(new.get("metadata")), _d(old.get("metadata"))) + validate_cluster_role(new)


# ---- defaults (pkg/apis/rbac/v1/defaults.go) -------------------------------------------------------

def binding_defaults(obj: dict) -> None:
    ref = obj.get("roleRef")
    if isinstance(ref, dict) and not ref.get("apiGroup"):
        ref["apiGroup"] = GROUP
    for s in _l(obj.get("subjects")):
        if isinstance(s, dict) and not s.get("apiGroup") and s.get("kind") in ("User", "Group"):
            s["apiGroup"] = GROUP


CREATE = {"Role": validate_role, "ClusterRole": validate_cluster_role,
          "RoleBinding": lambda o: _binding(o, True), "ClusterRoleBinding": lambda o: _binding(o, False)}
UPDATE = {"Role": _role_update, "ClusterRole": _cluster_role_update,
          "RoleBinding": lambda n, o: _binding_update(n, o, True),
          "ClusterRoleBinding": lambda n, o: _binding_update(n, o, False)}
DEFAULTS = {"RoleBinding": binding_defaults, "ClusterRoleBinding": binding_defaults}
