"""Admission of Jobs and CronJobs never fails with anything but an API error: every field of a
rich Job and CronJob, replaced by values of every JSON shape, is either admitted or refused with
a Status (400/422) — on create, update and /status — as the apiserver answers bad input."""
from __future__ import annotations

import copy

import pytest

from engine import errors
from engine.clock import ManualClock
from engine.store import Store

JOB = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "namespace": "default"},
       "spec": {"completions": 2, "parallelism": 2, "completionMode": "Indexed", "backoffLimitPerIndex": 1,
                "maxFailedIndexes": 1, "activeDeadlineSeconds": 5, "ttlSecondsAfterFinished": 5,
                "podFailurePolicy": {"rules": [
                    {"action": "FailJob", "onExitCodes": {"containerName": "c", "operator": "In", "values": [1, 2]}},
                    {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]},
                "template": {"metadata": {"labels": {"a": "b"}},
                             "spec": {"containers": [{"name": "c", "image": "busybox"}], "restartPolicy": "Never"}}}}
CRONJOB = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "default"},
           "spec": {"schedule": "*/5 * * * *", "timeZone": "Europe/Paris", "startingDeadlineSeconds": 10,
                    "concurrencyPolicy": "Forbid",
                    "jobTemplate": {"metadata": {"labels": {"a": "b"}}, "spec": {"template": {"spec": {
                        "containers": [{"name": "c", "image": "busybox"}], "restartPolicy": "OnFailure"}}}}}}
VALUES = (None, {}, [], "x", "", 1, -1, True, [None], {"x": None}, 10**12)


def paths(o, p=()):
    yield p
    if isinstance(o, dict):
        for k, v in o.items():
            yield from paths(v, p + (k,))
    elif isinstance(o, list):
        for i, v in enumerate(o):
            yield from paths(v, p + (i,))


def replaced(obj, path, value):
    out = copy.deepcopy(obj)
    t = out
    for k in path[:-1]:
        t = t[k]
    t[path[-1]] = value
    return out


@pytest.fixture
def store():
    s = Store()
    s.set_clock(ManualClock())
    s.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    return s


@pytest.mark.parametrize("base", [JOB, CRONJOB], ids=["job", "cronjob"])
def test_any_value_anywhere_is_admitted_or_refused_with_an_api_error(store, base):
    stored = store.create(copy.deepcopy(base))
    refused = 0
    for path in paths(base):
        if not path or path[0] in ("apiVersion", "kind"):
            continue
        for value in VALUES:
            attempts = [(base, lambda o: store.create(o, dry_run=True)),
                        (base, lambda o: store.create(o, dry_run=True, strict=False))]
            if path[0] != "metadata":
                attempts += [(stored, lambda o: store.update(o, dry_run=True)),
                             (stored, lambda o: store.update(o, dry_run=True, subresource="status"))]
            for src, attempt in attempts:
                try:
                    attempt(replaced(src, path, value))
                except errors.ApiError as e:
                    assert 400 <= e.code < 500, (path, value, e.message)
                    refused += 1
    assert refused > 100            # the checks ran: most of these values are refused


def test_pod_failure_policy_texts(store):
    bad = replaced(JOB, ("spec", "podFailurePolicy", "rules", 0, "action"), "Explode")
    with pytest.raises(errors.Invalid) as e:
        store.create(bad)
    assert ('spec.podFailurePolicy.rules[0].action: Unsupported value: "Explode": supported values: '
            '"Count", "FailIndex", "FailJob", "Ignore"') in e.value.message
    bad = replaced(JOB, ("spec", "template", "spec", "restartPolicy"), "OnFailure")
    with pytest.raises(errors.Invalid) as e:
        store.create(bad)
    assert ('spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when '
            'podFailurePolicy is specified') in e.value.message


def test_a_job_s_selector_and_completions_are_immutable(store):
    plain = copy.deepcopy(JOB)
    for field in ("completionMode", "backoffLimitPerIndex", "maxFailedIndexes"):
        del plain["spec"][field]
    made = store.create(plain)
    with pytest.raises(errors.Invalid) as e:
        store.update(replaced(made, ("spec", "completions"), 3))
    assert "spec.completions: Invalid value: 3: field is immutable" in e.value.message
    changed = store.update(replaced(made, ("spec", "parallelism"), 5))
    assert changed["spec"]["parallelism"] == 5 and changed["metadata"]["generation"] == 2


def test_a_suspended_job_that_never_started_may_change_its_scheduling_directives(store):
    plain = copy.deepcopy(JOB)
    for field in ("completionMode", "backoffLimitPerIndex", "maxFailedIndexes"):
        del plain["spec"][field]
    plain["spec"]["suspend"] = True
    made = store.create(plain)
    moved = store.update(replaced(made, ("spec", "template", "spec", "nodeSelector"), {"disk": "ssd"}))
    assert moved["spec"]["template"]["spec"]["nodeSelector"] == {"disk": "ssd"}
    with pytest.raises(errors.Invalid) as e:
        store.update(replaced(moved, ("spec", "template", "spec", "containers", 0, "image"), "busybox:2"))
    assert "spec.template: Invalid value: " in e.value.message and "field is immutable" in e.value.message
