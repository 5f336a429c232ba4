"""Validation of apps/v1 kinds (k/k pkg/apis/apps/validation/validation.go) plus the selector
immutability the apps/v1 registry strategies add on update (pkg/registry/apps/*/strategy.go).

Bad values that upstream prints from *internal* Go types (DeploymentStrategy and friends have no
json tags there) are rendered with Go field names, as the real apiserver shows them.
"""
from __future__ import annotations

import re
from typing import TypeGuard

from ..errors import FieldError
from . import names
from .fields import GoStruct, forbidden, invalid, not_supported, required
from .validation_meta import (immutable, label_selector_as_selector, nonnegative, selector_value,
                              semantic_equal, str_map, validate_annotations, validate_label_selector,
                              validate_labels, validate_object_meta, validate_object_meta_update)
from .validation_pod import validate_pod_template_spec

_PERCENT = re.compile("[0-9]+%")


def _is_int(v: object) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _spec(obj: dict) -> dict:
    s = obj.get("spec")
    return s if isinstance(s, dict) else {}


def _meta(obj: dict) -> dict:
    m = obj.get("metadata")
    return m if isinstance(m, dict) else {}


def _template_labels(spec: dict):
    tmpl = str_map(spec.get("template"))
    md = str_map(tmpl.get("metadata"))
    return md.get("labels")


# ---- IntOrString helpers (validation.go ValidatePositiveIntOrPercent and friends) ---------------

def _int_or_percent(v) -> int:
    """getIntOrPercentValue."""
    if isinstance(v, str):
        if _PERCENT.fullmatch(v):
            return int(v[:-1])
        try:
            return int(v)
        except ValueError:
            return 0
    return v if _is_int(v) else 0


def positive_int_or_percent(v, path: str) -> list[FieldError]:
    if isinstance(v, str):
        return [invalid(path, v, m) for m in names.is_valid_percent(v)]
    if _is_int(v):
        return nonnegative(v, path)
    return [invalid(path, v, "must be an integer or percentage (e.g '5%')")]


def not_more_than_100_percent(v, path: str) -> list[FieldError]:
    if isinstance(v, str) and _PERCENT.fullmatch(v) and int(v[:-1]) > 100:
        return [invalid(path, v, "must not be greater than 100%")]
    return []


def _intstr(v):
    return 0 if v is None else v


# ---- pod templates -------------------------------------------------------------------------------

def _template_for_replica_set(spec: dict, selector, path: str, kind: str) -> list[FieldError]:
    tmpl = str_map(spec.get("template"))
    errs: list[FieldError] = []
    if not selector.empty():
        labels = _template_labels(spec)
        if not selector.matches(labels):
            errs.append(invalid(f"{path}.metadata.labels", labels, "`selector` does not match template `labels`"))
    errs.extend(validate_pod_template_spec(tmpl, path))
    tspec = str_map(tmpl.get("spec"))
    rp = tspec.get("restartPolicy") or ""
    if rp != "Always":
        errs.append(not_supported(f"{path}.spec.restartPolicy", rp, ("Always",)))
    if tspec.get("activeDeadlineSeconds") is not None:
        errs.append(forbidden(f"{path}.spec.activeDeadlineSeconds", f"activeDeadlineSeconds in {kind} is not Supported"))
    return errs


def _selector_errors(spec: dict, kind_word: str) -> list[FieldError]:
    sel = spec.get("selector")
    if sel is None:
        return [required("spec.selector")]
    errs = validate_label_selector(sel, "spec.selector")
    if isinstance(sel, dict) and not sel.get("matchLabels") and not sel.get("matchExpressions"):
        errs.append(invalid("spec.selector", selector_value(sel), f"empty selector is invalid for {kind_word}"))
    return errs


# ---- Deployment --------------------------------------------------------------------------------------

def _deployment_strategy(strategy, path: str) -> list[FieldError]:
    strategy = strategy if isinstance(strategy, dict) else {}
    stype = strategy.get("type") or ""
    ru = strategy.get("rollingUpdate")
    if stype == "Recreate":
        if ru is not None:
            return [forbidden(f"{path}.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")]
        return []
    if stype == "RollingUpdate":
        if not isinstance(ru, dict):
            return [required(f"{path}.rollingUpdate", "this should be defaulted and never be nil")]
        rp = f"{path}.rollingUpdate"
        mu, ms = _intstr(ru.get("maxUnavailable")), _intstr(ru.get("maxSurge"))
        errs = positive_int_or_percent(mu, f"{rp}.maxUnavailable")
        errs.extend(positive_int_or_percent(ms, f"{rp}.maxSurge"))
        if _int_or_percent(mu) == 0 and _int_or_percent(ms) == 0:
            errs.append(invalid(f"{rp}.maxUnavailable", mu, "may not be 0 when `maxSurge` is 0"))
        errs.extend(not_more_than_100_percent(mu, f"{rp}.maxUnavailable"))
        return errs
    value = GoStruct(Type=stype, RollingUpdate=None if not isinstance(ru, dict) else GoStruct(
        MaxUnavailable=_intstr(ru.get("maxUnavailable")), MaxSurge=_intstr(ru.get("maxSurge"))))
    return [not_supported(path, value, ("Recreate", "RollingUpdate"))]


def validate_deployment_spec(spec: dict) -> list[FieldError]:
    errs = nonnegative(spec.get("replicas", 0), "spec.replicas")
    errs.extend(_selector_errors(spec, "deployment"))
    selector = label_selector_as_selector(spec.get("selector"))
    if selector is None:
        errs.append(invalid("spec.selector", selector_value(spec.get("selector")), "invalid label selector"))
    else:
        errs.extend(_template_for_replica_set(spec, selector, "spec.template", "ReplicaSet"))
    errs.extend(_deployment_strategy(spec.get("strategy"), "spec.strategy"))
    mrs = spec.get("minReadySeconds", 0)
    errs.extend(nonnegative(mrs, "spec.minReadySeconds"))
    if spec.get("revisionHistoryLimit") is not None:
        errs.extend(nonnegative(spec["revisionHistoryLimit"], "spec.revisionHistoryLimit"))
    pds = spec.get("progressDeadlineSeconds")
    if pds is not None:
        errs.extend(nonnegative(pds, "spec.progressDeadlineSeconds"))
        if _is_int(pds) and _is_int(mrs or 0) and pds <= (mrs or 0):
            errs.append(invalid("spec.progressDeadlineSeconds", pds, "must be greater than minReadySeconds"))
    return errs


def validate_deployment(obj: dict) -> list[FieldError]:
    errs = validate_object_meta(_meta(obj), True, names.name_is_dns_subdomain)
    errs.extend(validate_deployment_spec(_spec(obj)))
    return errs


def _selector_immutable(new: dict, old: dict) -> list[FieldError]:
    ns, os_ = _spec(new).get("selector"), _spec(old).get("selector")
    if semantic_equal(ns, os_):
        return []
    return [invalid("spec.selector", selector_value(ns), "field is immutable")]


def validate_deployment_update(new: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_meta(new), _meta(old))
    errs.extend(validate_deployment_spec(_spec(new)))
    errs.extend(_selector_immutable(new, old))
    return errs


def _collision_count(new: dict, old: dict) -> list[FieldError]:
    nc, oc = (new.get("status") or {}).get("collisionCount"), (old.get("status") or {}).get("collisionCount")
    if oc is not None and (nc is None or (_is_int(nc) and _is_int(oc) and nc < oc)):
        return [invalid("status.collisionCount", nc or 0, "cannot be decremented")]
    return []


def _replica_counts(status: dict, fields: tuple[str, ...]) -> list[FieldError]:
    errs: list[FieldError] = []
    for f in fields:
        errs.extend(nonnegative(status.get(f, 0), f"status.{f}"))
    return errs


def validate_deployment_status(new: dict, old: dict) -> list[FieldError]:
    st = new.get("status") or {}
    errs = _replica_counts(st, ("observedGeneration", "replicas", "updatedReplicas", "readyReplicas",
                                "availableReplicas", "unavailableReplicas"))
    if st.get("collisionCount") is not None:
        errs.extend(nonnegative(st["collisionCount"], "status.collisionCount"))
    rep = st.get("replicas", 0) or 0
    for f in ("updatedReplicas", "readyReplicas", "availableReplicas"):
        v = st.get(f, 0) or 0
        if _is_int(v) and _is_int(rep) and v > rep:
            errs.append(invalid(f"status.{f}", v, "cannot be greater than status.replicas"))
    av, rd = st.get("availableReplicas", 0) or 0, st.get("readyReplicas", 0) or 0
    if _is_int(av) and _is_int(rd) and av > rd:
        errs.append(invalid("status.availableReplicas", av, "cannot be greater than readyReplicas"))
    errs.extend(_collision_count(new, old))
    return errs


# ---- ReplicaSet --------------------------------------------------------------------------------------

def validate_replica_set_spec(spec: dict) -> list[FieldError]:
    errs = nonnegative(spec.get("replicas", 0), "spec.replicas")
    errs.extend(nonnegative(spec.get("minReadySeconds", 0), "spec.minReadySeconds"))
    errs.extend(_selector_errors(spec, "deployment"))     # sic: upstream reuses the deployment text
    selector = label_selector_as_selector(spec.get("selector"))
    if selector is None:
        errs.append(invalid("spec.selector", selector_value(spec.get("selector")), "invalid label selector"))
    else:
        errs.extend(_template_for_replica_set(spec, selector, "spec.template", "ReplicaSet"))
    return errs


def validate_replica_set(obj: dict) -> list[FieldError]:
    return validate_object_meta(_meta(obj), True, names.name_is_dns_subdomain) + validate_replica_set_spec(_spec(obj))


def validate_replica_set_update(new: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_meta(new), _meta(old))
    errs.extend(validate_replica_set_spec(_spec(new)))
    errs.extend(_selector_immutable(new, old))
    return errs


def validate_replica_set_status(new: dict, old: dict) -> list[FieldError]:
    st = new.get("status") or {}
    errs = _replica_counts(st, ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas",
                                "observedGeneration"))
    rep = st.get("replicas", 0) or 0
    for f in ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"):
        v = st.get(f, 0) or 0
        if _is_int(v) and _is_int(rep) and v > rep:
            errs.append(invalid(f"status.{f}", v, "cannot be greater than status.replicas"))
    av, rd = st.get("availableReplicas", 0) or 0, st.get("readyReplicas", 0) or 0
    if _is_int(av) and _is_int(rd) and av > rd:
        errs.append(invalid("status.availableReplicas", av, "cannot be greater than readyReplicas"))
    return errs


# ---- StatefulSet ------------------------------------------------------------------------------------

def _sts_update_strategy_value(us: dict) -> GoStruct:
    ru = us.get("rollingUpdate")
    return GoStruct(Type=us.get("type") or "", RollingUpdate=None if not isinstance(ru, dict) else GoStruct(
        Partition=ru.get("partition", 0) or 0, MaxUnavailable=ru.get("maxUnavailable")))


def validate_stateful_set_spec(spec: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    pmp = spec.get("podManagementPolicy") or ""
    if not pmp:
        errs.append(required("spec.podManagementPolicy"))
    elif pmp not in ("OrderedReady", "Parallel"):
        errs.append(invalid("spec.podManagementPolicy", pmp, "must be 'OrderedReady' or 'Parallel'"))
    us = str_map(spec.get("updateStrategy"))
    ut, ru = us.get("type") or "", us.get("rollingUpdate")
    if not ut:
        errs.append(required("spec.updateStrategy"))
    elif ut == "OnDelete":
        if ru is not None:
            errs.append(invalid("spec.updateStrategy.rollingUpdate", _sts_update_strategy_value(us)["RollingUpdate"],
                                "only allowed for updateStrategy 'RollingUpdate'"))
    elif ut == "RollingUpdate":
        if isinstance(ru, dict):
            rp = "spec.updateStrategy.rollingUpdate"
            errs.extend(nonnegative(ru.get("partition", 0), f"{rp}.partition"))
            mu = ru.get("maxUnavailable")
            if mu is not None:
                errs.extend(positive_int_or_percent(mu, f"{rp}.maxUnavailable"))
                if _int_or_percent(mu) == 0:
                    errs.append(invalid(f"{rp}.maxUnavailable", mu, "cannot be 0"))
                errs.extend(not_more_than_100_percent(mu, f"{rp}.maxUnavailable"))
    else:
        errs.append(invalid("spec.updateStrategy", _sts_update_strategy_value(us), "must be 'RollingUpdate' or 'OnDelete'"))
    pol = spec.get("persistentVolumeClaimRetentionPolicy")
    if isinstance(pol, dict):
        for f in ("whenDeleted", "whenScaled"):
            v = pol.get(f) or ""
            if v not in ("Retain", "Delete"):
                errs.append(not_supported(f"spec.persistentVolumeClaimRetentionPolicy.{f}", v, ("Retain", "Delete")))
    errs.extend(nonnegative(spec.get("replicas", 0), "spec.replicas"))
    errs.extend(nonnegative(spec.get("minReadySeconds", 0), "spec.minReadySeconds"))
    if isinstance(spec.get("ordinals"), dict):
        errs.extend(nonnegative(spec["ordinals"].get("start", 0), "spec.ordinals.start"))
    sel = spec.get("selector")
    if sel is None:
        errs.append(required("spec.selector"))
    else:
        errs.extend(validate_label_selector(sel, "spec.selector"))
        if isinstance(sel, dict) and not sel.get("matchLabels") and not sel.get("matchExpressions"):
            errs.append(invalid("spec.selector", selector_value(sel), "empty selector is invalid for statefulset"))
    selector = label_selector_as_selector(sel)
    tmpl = str_map(spec.get("template"))
    tmd = str_map(tmpl.get("metadata"))
    if selector is None:
        errs.append(invalid("spec.selector", selector_value(sel), ""))
    else:
        # ValidatePodTemplateSpecForStatefulSet: upstream does not validate the PodSpec here.
        if not selector.empty() and not selector.matches(tmd.get("labels")):
            errs.append(invalid("spec.template.metadata.labels", tmd.get("labels"), "`selector` does not match template `labels`"))
        errs.extend(validate_labels(tmd.get("labels"), "spec.template.labels"))
        errs.extend(validate_annotations(tmd.get("annotations"), "spec.template.annotations"))
    tspec = str_map(tmpl.get("spec"))
    rp = tspec.get("restartPolicy") or ""
    if rp != "Always":
        errs.append(not_supported("spec.template.spec.restartPolicy", rp, ("Always",)))
    if tspec.get("activeDeadlineSeconds") is not None:
        errs.append(forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in StatefulSet is not Supported"))
    return errs


def validate_stateful_set(obj: dict) -> list[FieldError]:
    return validate_object_meta(_meta(obj), True, names.name_is_dns_label) + validate_stateful_set_spec(_spec(obj))


_STS_MUTABLE = ("replicas", "template", "updateStrategy", "minReadySeconds", "ordinals",
                "persistentVolumeClaimRetentionPolicy")


def validate_stateful_set_update(new: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_meta(new), _meta(old))
    spec, ospec = _spec(new), _spec(old)
    errs.extend(validate_stateful_set_spec(spec))
    rest = {k: v for k, v in spec.items() if k not in _STS_MUTABLE}
    orest = {k: v for k, v in ospec.items() if k not in _STS_MUTABLE}
    if not semantic_equal(rest, orest):
        errs.append(forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                                      "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                                      "'minReadySeconds' are forbidden"))
    return errs


def validate_stateful_set_status(new: dict, old: dict) -> list[FieldError]:
    st = new.get("status") or {}
    errs = _replica_counts(st, ("replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"))
    for f in ("observedGeneration", "collisionCount"):
        if st.get(f) is not None:
            errs.extend(nonnegative(st[f], f"status.{f}"))
    rep = st.get("replicas", 0) or 0
    for f in ("readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"):
        v = st.get(f, 0) or 0
        if _is_int(v) and _is_int(rep) and v > rep:
            errs.append(invalid(f"status.{f}", v, "cannot be greater than status.replicas"))
    av, rd = st.get("availableReplicas", 0) or 0, st.get("readyReplicas", 0) or 0
    if _is_int(av) and _is_int(rd) and av > rd:
        errs.append(invalid("status.availableReplicas", av, "cannot be greater than status.readyReplicas"))
    errs.extend(_collision_count(new, old))
    return errs


# ---- DaemonSet -------------------------------------------------------------------------------------

def _daemon_set_update_strategy(us, path: str) -> list[FieldError]:
    us = us if isinstance(us, dict) else {}
    ut, ru = us.get("type") or "", us.get("rollingUpdate")
    if ut == "OnDelete":
        return []
    if ut == "RollingUpdate":
        if not isinstance(ru, dict):
            return [required(f"{path}.rollingUpdate")]
        rp = f"{path}.rollingUpdate"
        mu, ms = _intstr(ru.get("maxUnavailable")), _intstr(ru.get("maxSurge"))
        errs = positive_int_or_percent(mu, f"{rp}.maxUnavailable")
        errs.extend(positive_int_or_percent(ms, f"{rp}.maxSurge"))
        errs.extend(not_more_than_100_percent(mu, f"{rp}.maxUnavailable"))
        errs.extend(not_more_than_100_percent(ms, f"{rp}.maxSurge"))
        has_u, has_s = _int_or_percent(mu) != 0, _int_or_percent(ms) != 0
        if has_u and has_s:
            errs.append(invalid(f"{rp}.maxSurge", ms, "may not be set when maxUnavailable is non-zero"))
        elif not has_u and not has_s:
            errs.append(required(f"{rp}.maxUnavailable", "cannot be 0 when maxSurge is 0"))
        return errs
    value = GoStruct(Type=ut, RollingUpdate=None if not isinstance(ru, dict) else GoStruct(
        MaxUnavailable=_intstr(ru.get("maxUnavailable")), MaxSurge=_intstr(ru.get("maxSurge"))))
    return [not_supported(path, value, ("RollingUpdate", "OnDelete"))]


def validate_daemon_set_spec(spec: dict) -> list[FieldError]:
    sel = spec.get("selector")
    errs = validate_label_selector(sel, "spec.selector")
    selector = label_selector_as_selector(sel)
    labels = _template_labels(spec)
    if selector is not None and not selector.matches(labels):
        errs.append(invalid("spec.template.metadata.labels", labels, "`selector` does not match template `labels`"))
    if isinstance(sel, dict) and not sel.get("matchLabels") and not sel.get("matchExpressions"):
        errs.append(invalid("spec.selector", selector_value(sel), "empty selector is invalid for daemonset"))
    tmpl = str_map(spec.get("template"))
    errs.extend(validate_pod_template_spec(tmpl, "spec.template"))
    tspec = str_map(tmpl.get("spec"))
    rp = tspec.get("restartPolicy") or ""
    if rp != "Always":
        errs.append(not_supported("spec.template.spec.restartPolicy", rp, ("Always",)))
    if tspec.get("activeDeadlineSeconds") is not None:
        errs.append(forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in DaemonSet is not Supported"))
    errs.extend(nonnegative(spec.get("minReadySeconds", 0), "spec.minReadySeconds"))
    errs.extend(_daemon_set_update_strategy(spec.get("updateStrategy"), "spec.updateStrategy"))
    if spec.get("revisionHistoryLimit") is not None:
        errs.extend(nonnegative(spec["revisionHistoryLimit"], "spec.revisionHistoryLimit"))
    return errs


def validate_daemon_set(obj: dict) -> list[FieldError]:
    return validate_object_meta(_meta(obj), True, names.name_is_dns_subdomain) + validate_daemon_set_spec(_spec(obj))


def validate_daemon_set_update(new: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_meta(new), _meta(old))
    errs.extend(validate_daemon_set_spec(_spec(new)))
    errs.extend(_selector_immutable(new, old))
    return errs


def validate_daemon_set_status(new: dict, old: dict) -> list[FieldError]:
    st = new.get("status") or {}
    errs = _replica_counts(st, ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
                                "numberReady", "observedGeneration", "updatedNumberScheduled",
                                "numberAvailable", "numberUnavailable"))
    if st.get("collisionCount") is not None:
        errs.extend(nonnegative(st["collisionCount"], "status.collisionCount"))
    errs.extend(_collision_count(new, old))
    return errs


# ---- ControllerRevision ----------------------------------------------------------------------------

def validate_controller_revision(obj: dict) -> list[FieldError]:
    errs = validate_object_meta(_meta(obj), True, names.name_is_dns_subdomain)
    if obj.get("data") is None:
        errs.append(required("data", "data is mandatory"))
    errs.extend(nonnegative(obj.get("revision", 0), "revision"))
    return errs


def validate_controller_revision_update(new: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_meta(new), _meta(old))
    errs.extend(validate_controller_revision(new))
    errs.extend(immutable(new.get("data"), old.get("data"), "data"))
    return errs


CREATE = {"Deployment": validate_deployment, "ReplicaSet": validate_replica_set,
          "StatefulSet": validate_stateful_set, "DaemonSet": validate_daemon_set,
          "ControllerRevision": validate_controller_revision}
UPDATE = {"Deployment": validate_deployment_update, "ReplicaSet": validate_replica_set_update,
          "StatefulSet": validate_stateful_set_update, "DaemonSet": validate_daemon_set_update,
          "ControllerRevision": validate_controller_revision_update}
STATUS = {"Deployment": validate_deployment_status, "ReplicaSet": validate_replica_set_status,
          "StatefulSet": validate_stateful_set_status, "DaemonSet": validate_daemon_set_status}

