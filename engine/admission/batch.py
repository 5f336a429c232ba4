"""Admission for batch/v1 (Job, CronJob): defaulting (k/k pkg/apis/batch/v1/defaults.go), the
Job registry's selector generation (pkg/registry/batch/job/strategy.go generateSelector) and
validation (pkg/apis/batch/validation/validation.go), kept in one module so the kinds' rules read
together. The cron grammar is engine/cron.py's, shared with the CronJob controller.
"""
from __future__ import annotations

import zoneinfo
from typing import TypeGuard

from .. import cron, objects
from ..errors import FieldError
from . import names
from .fields import GoStruct, forbidden, invalid, not_supported, required
from .validation_meta import (immutable, label_selector_as_selector, nonnegative, selector_value,
                              semantic_equal, str_map, validate_label_selector, validate_object_meta,
                              validate_object_meta_update)
from .validation_pod import validate_pod_template_spec

# The labels a Job's pods carry (pkg/apis/batch/types.go).
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"
LEGACY_JOB_NAME_LABEL = "job-name"
CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid"
LEGACY_CONTROLLER_UID_LABEL = "controller-uid"
MAX_PARALLELISM_FOR_INDEXED_JOB = 100000
MAX_CRONJOB_NAME = 52          # the Job name adds "-" and up to 11 digits: 63 - 11
_INT32_MAX = 2**31 - 1


def _d(parent: dict, key: str) -> dict:
    v = parent.get(key)
    if not isinstance(v, dict):
        v = parent[key] = {}
    return v


# ---- defaulting --------------------------------------------------------------------------------

def default_job_spec(spec: dict) -> None:
    """SetDefaults_Job's spec part."""
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    if spec.get("parallelism") is None:
        spec["parallelism"] = 1
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = _INT32_MAX if spec.get("backoffLimitPerIndex") is not None else 6
    if spec.get("completionMode") is None:
        spec["completionMode"] = "NonIndexed"
    if spec.get("suspend") is None:
        spec["suspend"] = False
    pfp = spec.get("podFailurePolicy")
    if isinstance(pfp, dict):
        for rule in pfp.get("rules") or ():
            for pattern in (rule or {}).get("onPodConditions") or ():
                if isinstance(pattern, dict) and not pattern.get("status"):
                    pattern["status"] = "True"
    if spec.get("podReplacementPolicy") is None:
        spec["podReplacementPolicy"] = "Failed" if isinstance(pfp, dict) else "TerminatingOrFailed"
    if spec.get("manualSelector") is None:
        spec["manualSelector"] = False      # (a real cluster's Jobs show it)


def job(obj: dict, pod_template) -> None:
    """SetDefaults_Job: the spec, the pod template, and the Job's labels from the template's."""
    spec = _d(obj, "spec")
    default_job_spec(spec)
    pod_template(_d(spec, "template"))
    md = _d(obj, "metadata")
    labels = (spec["template"].get("metadata") or {}).get("labels")
    if isinstance(labels, dict) and labels and not md.get("labels"):
        md["labels"] = dict(labels)


def cron_job(obj: dict, pod_template) -> None:
    """SetDefaults_CronJob (the Job template's spec is not defaulted as a Job's; its pod
    template is, as every PodTemplateSpec)."""
    spec = _d(obj, "spec")
    if not spec.get("concurrencyPolicy"):
        spec["concurrencyPolicy"] = "Allow"
    if spec.get("suspend") is None:
        spec["suspend"] = False
    if spec.get("successfulJobsHistoryLimit") is None:
        spec["successfulJobsHistoryLimit"] = 3
    if spec.get("failedJobsHistoryLimit") is None:
        spec["failedJobsHistoryLimit"] = 1
    jt = _d(spec, "jobTemplate")
    pod_template(_d(_d(jt, "spec"), "template"))


# ---- the registry's PrepareForCreate: the generated selector ----------------------------------

def generate_selector(obj: dict) -> None:
    """generateSelector (unless spec.manualSelector): the pods' job-name and controller-uid
    labels and a selector on the uid. The uid is the one the Job is about to be stored with,
    so it is assigned here (the store keeps it)."""
    md = _d(obj, "metadata")
    spec = _d(obj, "spec")
    if spec.get("manualSelector") is True:
        return
    uid = md.get("uid") or objects.new_uid()
    md["uid"] = uid
    tmd = _d(_d(spec, "template"), "metadata")
    labels: dict = _d(tmd, "labels")
    for key in (LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL):
        labels.setdefault(key, md.get("name", ""))
    for key in (LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL):
        labels.setdefault(key, uid)
    sel = _d(spec, "selector")
    ml = _d(sel, "matchLabels")
    ml.setdefault(CONTROLLER_UID_LABEL, uid)
    # Read back from storage, the Job is defaulted again: a Job without labels takes its
    # template's, which now include the generated ones (what a real cluster shows).
    if not md.get("labels"):
        md["labels"] = dict(labels)


# ---- validation: Job -----------------------------------------------------------------------------

def _is_int(v) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _has_label(tmpl_md: dict, path: str, key: str, want: str) -> list[FieldError]:
    """ValidateHasLabel."""
    labels = str_map(tmpl_md.get("labels"))
    p = f"{path}.labels[{key}]"
    if key not in labels:
        return [required(p, f"must be '{want}'")]
    if labels[key] != want:
        return [invalid(p, labels[key], f"must be '{want}'")]
    return []


def _generated_selector(obj: dict) -> list[FieldError]:
    """validateGeneratedSelector."""
    spec, md = str_map(obj.get("spec")), str_map(obj.get("metadata"))
    if spec.get("manualSelector") is True:
        return []
    tmd = str_map(str_map(spec.get("template")).get("metadata"))
    if tmd.get("labels") is None or spec.get("selector") is None:
        return []
    uid, name = md.get("uid") or "", md.get("name") or ""
    errs: list[FieldError] = []
    if not uid:
        errs.append(required("metadata.uid"))
    path = "spec.template.metadata"
    errs += _has_label(tmd, path, LEGACY_CONTROLLER_UID_LABEL, uid)
    errs += _has_label(tmd, path, LEGACY_JOB_NAME_LABEL, name)
    errs += _has_label(tmd, path, CONTROLLER_UID_LABEL, uid)
    errs += _has_label(tmd, path, JOB_NAME_LABEL, name)
    sel = label_selector_as_selector(spec.get("selector"))
    if sel is not None and not sel.matches({LEGACY_CONTROLLER_UID_LABEL: uid, CONTROLLER_UID_LABEL: uid}):
        errs.append(invalid("spec.selector", selector_value(spec.get("selector")), "`selector` not auto-generated"))
    return errs


def _pod_failure_policy(spec: dict, path: str) -> list[FieldError]:
    pfp = str_map(spec.get("podFailurePolicy"))
    errs: list[FieldError] = []
    rules = pfp.get("rules") or []
    if len(rules) > 20:
        errs.append(invalid(f"{path}.rules", len(rules), "must have at most 20 elements"))
    for i, rule in enumerate(rules):
        rule = str_map(rule)
        rp = f"{path}.rules[{i}]"
        action = rule.get("action") or ""
        allowed = ("Count", "FailIndex", "FailJob", "Ignore")
        if action not in allowed:
            errs.append(not_supported(f"{rp}.action", action, allowed))
        elif action == "FailIndex" and spec.get("backoffLimitPerIndex") is None:
            errs.append(forbidden(f"{rp}.action", "set to FailIndex, when backoffLimitPerIndex is not specified"))
        on_codes, on_conds = rule.get("onExitCodes"), rule.get("onPodConditions")
        if on_codes is not None and on_conds:
            errs.append(invalid(rp, GoStruct(), "specifying both OnExitCodes and OnPodConditions is not supported"))
        elif on_codes is None and not on_conds:
            errs.append(invalid(rp, GoStruct(), "specifying one of OnExitCodes and OnPodConditions is required"))
        if isinstance(on_codes, dict):
            op = on_codes.get("operator") or ""
            if op not in ("In", "NotIn"):
                errs.append(not_supported(f"{rp}.onExitCodes.operator", op, ("In", "NotIn")))
            values = on_codes.get("values") or []
            if not values:
                errs.append(invalid(f"{rp}.onExitCodes.values", values, "at least one value is required"))
            for j, v in enumerate(values):
                if op == "In" and v == 0:
                    errs.append(invalid(f"{rp}.onExitCodes.values[{j}]", v,
                                        "must not be 0 for the In operator"))
                if j and _is_int(v) and _is_int(values[j - 1]) and v <= values[j - 1]:
                    errs.append(invalid(f"{rp}.onExitCodes.values[{j}]", v, "must be ordered"))
    return errs


def validate_job_spec(spec: dict, path: str, *, selector_required: bool = True) -> list[FieldError]:
    """validateJobSpec and, with `selector_required`, ValidateJobSpec's selector part."""
    errs: list[FieldError] = []
    for field in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                  "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes"):
        if spec.get(field) is not None:
            errs.extend(nonnegative(spec[field], f"{path}.{field}"))
    mode = spec.get("completionMode")
    if mode is not None:
        if mode not in ("NonIndexed", "Indexed"):
            errs.append(not_supported(f"{path}.completionMode", mode, ("NonIndexed", "Indexed")))
        if mode == "Indexed":
            if spec.get("completions") is None:
                errs.append(required(f"{path}.completions", "when completion mode is Indexed"))
            par = spec.get("parallelism")
            if _is_int(par) and par > MAX_PARALLELISM_FOR_INDEXED_JOB:
                errs.append(invalid(f"{path}.parallelism", par,
                                    f"must be less than or equal to {MAX_PARALLELISM_FOR_INDEXED_JOB} "
                                    "when completion mode is Indexed"))
    if spec.get("backoffLimitPerIndex") is not None and mode != "Indexed":
        errs.append(forbidden(f"{path}.backoffLimitPerIndex", "requires indexed completion mode"))
    if spec.get("podFailurePolicy") is not None:
        errs.extend(_pod_failure_policy(spec, f"{path}.podFailurePolicy"))
    prp = spec.get("podReplacementPolicy")
    if prp is not None:
        if prp not in ("TerminatingOrFailed", "Failed"):
            errs.append(not_supported(f"{path}.podReplacementPolicy", prp, ("TerminatingOrFailed", "Failed")))
        elif spec.get("podFailurePolicy") is not None and prp != "Failed":
            errs.append(not_supported(f"{path}.podReplacementPolicy", prp, ("Failed",)))
    tmpl = str_map(spec.get("template"))
    if selector_required:
        sel = spec.get("selector")
        if sel is None:
            errs.append(required(f"{path}.selector"))
        else:
            errs.extend(validate_label_selector(sel, f"{path}.selector"))
            selector = label_selector_as_selector(sel)
            labels = str_map(tmpl.get("metadata")).get("labels")
            if selector is not None and not selector.matches(labels):
                errs.append(invalid(f"{path}.template.metadata.labels", labels,
                                    "`selector` does not match template `labels`"))
    errs.extend(validate_pod_template_spec(tmpl, f"{path}.template"))
    rp = str_map(tmpl.get("spec")).get("restartPolicy") or ""
    if rp not in ("OnFailure", "Never"):
        errs.append(not_supported(f"{path}.template.spec.restartPolicy", rp, ("OnFailure", "Never")))
    elif spec.get("podFailurePolicy") is not None and rp != "Never":
        errs.append(invalid(f"{path}.template.spec.restartPolicy", rp,
                            'only "Never" is supported when podFailurePolicy is specified'))
    return errs


def validate_job(obj: dict) -> list[FieldError]:
    errs = validate_object_meta(str_map(obj.get("metadata")), True, names.name_is_dns_subdomain)
    errs.extend(_generated_selector(obj))
    errs.extend(validate_job_spec(str_map(obj.get("spec")), "spec"))
    return errs


def validate_job_update(new: dict, old: dict) -> list[FieldError]:
    """ValidateJobUpdate: the spec as on create, and what may not change."""
    errs = validate_object_meta_update(str_map(new.get("metadata")), str_map(old.get("metadata")))
    spec, ospec = str_map(new.get("spec")), str_map(old.get("spec"))
    errs.extend(validate_job_spec(spec, "spec"))
    errs.extend(immutable(spec.get("selector"), ospec.get("selector"), "spec.selector"))
    if not (spec.get("completionMode") == "Indexed" and ospec.get("completionMode") == "Indexed"
            and spec.get("completions") == spec.get("parallelism")):
        errs.extend(immutable(spec.get("completions"), ospec.get("completions"), "spec.completions"))
    errs.extend(immutable(spec.get("completionMode"), ospec.get("completionMode"), "spec.completionMode"))
    errs.extend(immutable(spec.get("podFailurePolicy"), ospec.get("podFailurePolicy"), "spec.podFailurePolicy"))
    errs.extend(immutable(spec.get("backoffLimitPerIndex"), ospec.get("backoffLimitPerIndex"),
                          "spec.backoffLimitPerIndex"))
    tmpl, otmpl = spec.get("template"), ospec.get("template")
    if not semantic_equal(tmpl, otmpl):
        # A suspended Job that never started may change its pods' scheduling directives
        # (node affinity and selector, tolerations, scheduling gates, labels, annotations);
        # any other template change is refused (JobSpecUpdate's AllowMutableSchedulingDirectives).
        unstarted = spec.get("suspend") is True and not str_map(old.get("status")).get("startTime")
        if not (unstarted and semantic_equal(_without_directives(tmpl), _without_directives(otmpl))):
            # (upstream prints the internal PodTemplateSpec with %#v; the template is shown here)
            errs.append(invalid("spec.template", str_map(tmpl), "field is immutable"))
    return errs


def _without_directives(tmpl) -> dict:
    out = dict(str_map(tmpl))
    out.pop("metadata", None)
    spec = dict(str_map(out.get("spec")))
    for field in ("nodeSelector", "affinity", "tolerations", "schedulingGates"):
        spec.pop(field, None)
    out["spec"] = spec
    return out


def validate_job_status(new: dict, old: dict) -> list[FieldError]:
    st = str_map(new.get("status"))
    errs: list[FieldError] = []
    for field in ("active", "succeeded", "failed", "ready", "terminating"):
        if st.get(field) is not None:
            errs.extend(nonnegative(st[field], f"status.{field}"))
    return errs


# ---- validation: CronJob ------------------------------------------------------------------------

def _time_zone(tz, path: str) -> list[FieldError]:
    """validateTimeZone: a name time.LoadLocation knows (not "Local")."""
    if tz is None:
        return []
    if not isinstance(tz, str) or tz == "" or tz == "Local" or tz.startswith("/"):
        return [invalid(path, tz, f"unknown time zone {tz}")]
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return [invalid(path, tz, f"unknown time zone {tz}")]
    return []


def _job_template(jt: dict, path: str) -> list[FieldError]:
    """ValidateJobTemplateSpec."""
    spec = str_map(jt.get("spec"))
    errs = validate_job_spec(spec, f"{path}.spec", selector_required=False)
    if spec.get("selector") is not None:
        errs.append(invalid(f"{path}.spec.selector", selector_value(spec["selector"]),
                            "`selector` will be auto-generated"))
    if spec.get("manualSelector") is True:
        errs.append(not_supported(f"{path}.spec.manualSelector", True, ("nil", "false")))
    return errs


def validate_cron_job_spec(spec: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    schedule = spec.get("schedule") or ""
    if not schedule:
        errs.append(required("spec.schedule"))
    else:
        problem = cron.schedule_error(schedule)
        if problem:
            errs.append(invalid("spec.schedule", schedule, problem))
        elif "TZ" in schedule:
            errs.append(invalid("spec.schedule", schedule,
                                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))
    errs.extend(_time_zone(spec.get("timeZone"), "spec.timeZone"))
    cp = spec.get("concurrencyPolicy") or ""
    if not cp:
        errs.append(required("spec.concurrencyPolicy"))
    elif cp not in ("Allow", "Forbid", "Replace"):
        errs.append(not_supported("spec.concurrencyPolicy", cp, ("Allow", "Forbid", "Replace")))
    for field in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        if spec.get(field) is not None:
            errs.extend(nonnegative(spec[field], f"spec.{field}"))
    errs.extend(_job_template(str_map(spec.get("jobTemplate")), "spec.jobTemplate"))
    return errs


def validate_cron_job(obj: dict) -> list[FieldError]:
    md = str_map(obj.get("metadata"))
    errs = validate_object_meta(md, True, names.name_is_dns_subdomain)
    name = md.get("name") or ""
    if len(name) > MAX_CRONJOB_NAME:
        errs.append(invalid("metadata.name", name, f"must be no more than {MAX_CRONJOB_NAME} characters"))
    errs.extend(validate_cron_job_spec(str_map(obj.get("spec"))))
    return errs


def validate_cron_job_update(new: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(str_map(new.get("metadata")), str_map(old.get("metadata")))
    errs.extend(validate_cron_job_spec(str_map(new.get("spec"))))
    return errs


CREATE = {"Job": validate_job, "CronJob": validate_cron_job}
UPDATE = {"Job": validate_job_update, "CronJob": validate_cron_job_update}
STATUS = {"Job": validate_job_status}
