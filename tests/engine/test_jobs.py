"""The Job controller runs pods to completion as kube-controller-manager v1.32 does:
completions and parallelism, the failure backoff and backoffLimit, activeDeadlineSeconds,
Indexed completion, suspend, podFailurePolicy, the tracking finalizer, and the TTL-after-finished
controller deleting a finished Job. The whole engine (scheduler, simulated kubelets) runs on a
ManualClock; containers run what their command says (`sh -c "echo hi; sleep 5"` exits 0 after
5 simulated seconds, `exit 3` fails)."""
from __future__ import annotations

import pytest

from engine import errors, objects, resources as kinds

SUFFIX = "[bcdfghjklmnpqrstvwxz2456789]{5}"


def job(name="hi", script="echo hi; sleep 5", restart="Never", **spec):
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": "default"},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox:1.36",
                                                           "command": ["sh", "-c", script]}],
                                           "restartPolicy": restart}}, **spec}}


def get(cluster, name="hi") -> dict:
    return cluster.store.get(kinds.JOB, "default", name)


def pods(cluster, name="hi") -> list[dict]:
    return [p for p in cluster.store.iter(kinds.POD, "default")
            if objects.labels_of(p).get("batch.kubernetes.io/job-name") == name]


def conditions(j) -> dict:
    return {c["type"]: (c["status"], c.get("reason"), c.get("message")) for c in j["status"].get("conditions") or ()}


def run_until(cluster, check, limit=600, step=1):
    for _ in range(int(limit / step)):
        if check():
            return
        cluster.advance(step)
    assert check()


def events(cluster, name="hi", kind="Job") -> list[tuple[str, str, str]]:
    return [(e["type"], e["reason"], e["message"]) for e in cluster.store.iter(kinds.EVENT, "default")
            if e["involvedObject"]["kind"] == kind and e["involvedObject"]["name"] == name]


def finished(name="hi"):
    return lambda c: bool({"Complete", "Failed"} & {t for t, v in conditions(get(c, name)).items() if v[0] == "True"})


def test_a_job_is_defaulted_and_gets_a_generated_selector_and_labels(cluster):
    made = cluster.store.create(job())
    uid = made["metadata"]["uid"]
    spec = made["spec"]
    assert (spec["completions"], spec["parallelism"], spec["backoffLimit"], spec["completionMode"],
            spec["suspend"], spec["podReplacementPolicy"]) == (1, 1, 6, "NonIndexed", False, "TerminatingOrFailed")
    want = {"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": "hi",
            "controller-uid": uid, "job-name": "hi"}
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert spec["template"]["metadata"]["labels"] == want
    assert made["metadata"]["labels"] == want
    assert cluster.store.get(kinds.JOB, "default", "hi")["metadata"]["uid"] == uid


def test_a_job_s_restart_policy_must_be_onfailure_or_never(cluster):
    bad = job(restart="Always")
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(bad)
    assert e.value.message == ('Job.batch "hi" is invalid: spec.template.spec.restartPolicy: Unsupported value: '
                               '"Always": supported values: "OnFailure", "Never"')
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(job(completions=-1))
    assert "spec.completions: Invalid value: -1: must be greater than or equal to 0" in e.value.message


def test_a_job_runs_its_pod_to_completion_and_counts_it(cluster):
    cluster.store.create(job())
    run_until(cluster, lambda: finished()(cluster), limit=60)
    j = get(cluster)
    st = j["status"]
    assert st["succeeded"] == 1 and "failed" not in st and "active" not in st
    assert st["ready"] == 0 and st["terminating"] == 0 and st["uncountedTerminatedPods"] == {}
    assert conditions(j) == {
        "SuccessCriteriaMet": ("True", "CompletionsReached", "Reached expected number of succeeded pods"),
        "Complete": ("True", "CompletionsReached", "Reached expected number of succeeded pods")}
    # pulled (1.5 s) and started (0.5 s), then `sleep 5`: about 7 s from start to completion
    took = objects.parse_time(st["completionTime"]) - objects.parse_time(st["startTime"])
    assert 6 <= took <= 9, took
    (pod,) = pods(cluster)
    assert pod["status"]["phase"] == "Succeeded"
    assert "finalizers" not in pod["metadata"]                    # the tracking finalizer is released
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "Job"
    assert events(cluster) == [("Normal", "SuccessfulCreate", f"Created pod: {objects.name_of(pod)}"),
                               ("Normal", "Completed", "Job completed")]


def test_running_pods_carry_the_tracking_finalizer(cluster):
    cluster.store.create(job(script="sleep 30"))
    cluster.advance(3)
    (pod,) = pods(cluster)
    assert pod["metadata"]["finalizers"] == ["batch.kubernetes.io/job-tracking"]
    assert get(cluster)["status"]["active"] == 1


def test_completions_and_parallelism(cluster):
    cluster.store.create(job(completions=5, parallelism=2))
    most = 0
    for _ in range(80):
        cluster.advance(1)
        active = [p for p in pods(cluster) if p["status"].get("phase") not in ("Succeeded", "Failed")]
        most = max(most, len(active))
        if finished()(cluster):
            break
    assert most == 2
    assert get(cluster)["status"]["succeeded"] == 5
    assert len(pods(cluster)) == 5


def test_failed_pods_are_retried_with_backoff_until_the_backoff_limit(cluster):
    cluster.store.create(job(script="exit 3", backoffLimit=2))
    run_until(cluster, lambda: finished()(cluster), limit=300)
    j = get(cluster)
    assert j["status"]["failed"] == 3 and "succeeded" not in j["status"]
    assert conditions(j) == {
        "FailureTarget": ("True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
        "Failed": ("True", "BackoffLimitExceeded", "Job has reached the specified backoff limit")}
    assert "completionTime" not in j["status"]
    made = sorted(objects.parse_time(p["metadata"]["creationTimestamp"]) for p in pods(cluster))
    assert len(made) == 3
    # the replacements waited out the failure backoff: 10 s, then 20 s
    assert made[1] - made[0] >= 10 and made[2] - made[1] >= 20
    assert ("Warning", "BackoffLimitExceeded", "Job has reached the specified backoff limit") in events(cluster)


def test_on_failure_restarts_count_against_the_backoff_limit(cluster):
    cluster.store.create(job(script="exit 1", restart="OnFailure", backoffLimit=1))
    run_until(cluster, lambda: finished()(cluster), limit=300)
    assert conditions(get(cluster))["Failed"][1] == "BackoffLimitExceeded"
    # the one pod restarted its container in place; failing the Job deleted it (as upstream warns)
    assert [e for e in events(cluster) if e[1] == "SuccessfulCreate"] and len(
        [e for e in events(cluster) if e[1] == "SuccessfulCreate"]) == 1
    assert pods(cluster) == []


def test_active_deadline_seconds_fails_the_job_and_stops_its_pods(cluster):
    cluster.store.create(job(script="sleep 600", activeDeadlineSeconds=10))
    run_until(cluster, lambda: finished()(cluster), limit=60)
    j = get(cluster)
    assert conditions(j)["Failed"] == ("True", "DeadlineExceeded", "Job was active longer than specified deadline")
    failed_at = objects.parse_time(conditions_raw(j, "FailureTarget")["lastTransitionTime"])
    assert failed_at - objects.parse_time(j["status"]["startTime"]) == pytest.approx(10, abs=1)
    cluster.advance(10)
    assert [p for p in pods(cluster) if not objects.is_terminating(p)] == []


def conditions_raw(j, ctype):
    return next(c for c in j["status"]["conditions"] if c["type"] == ctype)


def test_ttl_after_finished_deletes_the_job_and_its_pods(cluster):
    cluster.store.create(job(ttlSecondsAfterFinished=30))
    run_until(cluster, lambda: finished()(cluster), limit=60)
    done = objects.parse_time(conditions_raw(get(cluster), "Complete")["lastTransitionTime"])
    run_until(cluster, lambda: cluster.store.try_get(kinds.JOB, "default", "hi") is None, limit=60)
    assert cluster.clock.now() - done >= 30
    run_until(cluster, lambda: not pods(cluster), limit=30)


def test_indexed_jobs_name_pods_by_index_and_track_completed_indexes(cluster):
    cluster.store.create(job(completions=3, parallelism=3, completionMode="Indexed"))
    cluster.advance(1)
    made = pods(cluster)
    assert sorted(p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] for p in made) \
        == ["0", "1", "2"]
    for p in made:
        i = p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]
        assert objects.name_of(p).startswith(f"hi-{i}-")
        assert p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == i
        assert p["spec"]["hostname"] == f"hi-{i}"
        assert p["spec"]["containers"][0]["env"] == [{"name": "JOB_COMPLETION_INDEX", "valueFrom": {"fieldRef": {
            "apiVersion": "v1", "fieldPath": "metadata.labels['batch.kubernetes.io/job-completion-index']"}}}]
    run_until(cluster, lambda: finished()(cluster), limit=60)
    st = get(cluster)["status"]
    assert st["completedIndexes"] == "0-2" and st["succeeded"] == 3


def test_a_suspended_job_creates_no_pods_until_resumed(cluster):
    cluster.store.create(job(suspend=True))
    cluster.advance(5)
    assert pods(cluster) == []
    j = get(cluster)
    assert conditions(j)["Suspended"] == ("True", "JobSuspended", "Job suspended")
    assert "startTime" not in j["status"]
    cluster.store.patch(kinds.JOB, "default", "hi", "merge", {"spec": {"suspend": False}})
    run_until(cluster, lambda: finished()(cluster), limit=60)
    j = get(cluster)
    assert conditions(j)["Suspended"] == ("False", "JobResumed", "Job resumed")
    assert [e[1] for e in events(cluster)][:2] == ["Suspended", "Resumed"]


def test_suspending_a_running_job_deletes_its_active_pods(cluster):
    cluster.store.create(job(script="sleep 600"))
    cluster.advance(3)
    cluster.store.patch(kinds.JOB, "default", "hi", "merge", {"spec": {"suspend": True}})
    run_until(cluster, lambda: all(objects.is_terminating(p) or p["status"]["phase"] in ("Succeeded", "Failed")
                                   for p in pods(cluster)), limit=30)
    cluster.advance(5)
    assert "active" not in get(cluster)["status"]


def test_pod_failure_policy_fail_job_on_an_exit_code(cluster):
    cluster.store.create(job(script="exit 42", backoffLimit=6, podFailurePolicy={"rules": [
        {"action": "FailJob", "onExitCodes": {"containerName": "c", "operator": "In", "values": [42]}}]}))
    run_until(cluster, lambda: finished()(cluster), limit=60)
    j = get(cluster)
    (pod,) = pods(cluster)
    assert conditions(j)["Failed"] == ("True", "PodFailurePolicy",
                                      f"Container c for pod default/{objects.name_of(pod)} failed with exit code 42 "
                                      "matching FailJob rule at index 0")


def test_pod_failure_policy_ignore_does_not_count(cluster):
    cluster.store.create(job(script="exit 5", backoffLimit=0, podFailurePolicy={"rules": [
        {"action": "Ignore", "onExitCodes": {"operator": "In", "values": [5]}}]}))
    cluster.advance(40)
    j = get(cluster)
    assert "failed" not in j["status"] and not finished()(cluster)
    assert len(pods(cluster)) >= 2                  # replaced, without counting against the limit


def test_deleting_a_job_deletes_its_pods(cluster):
    cluster.store.create(job(script="sleep 600"))
    cluster.advance(3)
    cluster.store.delete(kinds.JOB, "default", "hi", propagation_policy="Background")
    run_until(cluster, lambda: not pods(cluster), limit=60)


def test_a_reconcile_with_nothing_to_do_writes_nothing(cluster):
    cluster.store.create(job(script="sleep 600"))
    cluster.advance(5)
    controller = cluster.controller("job-controller")
    rv = cluster.store.resource_version
    controller.reconcile("default/hi")
    assert cluster.store.resource_version == rv
    cluster.store.create(job(name="done"))
    run_until(cluster, lambda: finished("done")(cluster), limit=60)
    rv = cluster.store.resource_version
    controller.reconcile("default/done")
    cluster.controller("ttl-after-finished-controller").reconcile("default/done")
    assert cluster.store.resource_version == rv


def test_backoff_limit_per_index_defaults_the_backoff_limit_and_tracks_failed_indexes(cluster):
    cluster.store.create(job(script="exit 0", completions=3, parallelism=3, completionMode="Indexed",
                             backoffLimitPerIndex=1))
    assert get(cluster)["spec"]["backoffLimit"] == 2**31 - 1   # only the per-index limit counts
    run_until(cluster, lambda: finished()(cluster), limit=60)
    st = get(cluster)["status"]
    assert st["completedIndexes"] == "0-2" and st["failedIndexes"] == ""


def test_indexes_are_written_as_upstream_writes_them():
    from engine.controllers.job import format_indexes, parse_indexes
    assert format_indexes({1, 3, 4, 5, 7}) == "1,3-5,7"
    assert format_indexes({0, 1}) == "0,1" and format_indexes(set()) == ""
    assert parse_indexes("1,3-5,7") == {1, 3, 4, 5, 7}


def test_backoff_limit_per_index_with_a_fail_index_rule(cluster):
    cluster.store.create(job(script="exit 7", completions=2, parallelism=2, completionMode="Indexed",
                             backoffLimitPerIndex=2, podFailurePolicy={"rules": [
                                 {"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [7]}}]}))
    run_until(cluster, lambda: finished()(cluster), limit=120)
    j = get(cluster)
    assert j["status"]["failedIndexes"] == "0,1" and j["status"]["failed"] == 2
    assert conditions(j)["Failed"] == ("True", "FailedIndexes", "Job has failed indexes")
    assert len(pods(cluster)) == 2                    # no retries: FailIndex fails the index at once


def test_backoff_limit_per_index_retries_an_index_then_gives_it_up(cluster):
    cluster.store.create(job(script="exit 1", completions=1, parallelism=1, completionMode="Indexed",
                             backoffLimitPerIndex=1))
    run_until(cluster, lambda: finished()(cluster), limit=120)
    j = get(cluster)
    assert j["status"]["failedIndexes"] == "0" and j["status"]["failed"] == 2
    made = sorted(pods(cluster), key=lambda p: p["metadata"]["creationTimestamp"])
    assert [p["metadata"]["annotations"]["batch.kubernetes.io/job-index-failure-count"] for p in made] == ["0", "1"]
    assert conditions(j)["Failed"][1] == "FailedIndexes"


def test_pods_orphaned_from_a_deleted_job_lose_the_tracking_finalizer(cluster):
    cluster.store.create(job(script="sleep 600"))
    cluster.advance(3)
    cluster.store.delete(kinds.JOB, "default", "hi", propagation_policy="Orphan")
    cluster.advance(2)
    (pod,) = pods(cluster)
    assert "ownerReferences" not in pod["metadata"] and "finalizers" not in pod["metadata"]
    cluster.store.delete(kinds.POD, "default", objects.name_of(pod))
    run_until(cluster, lambda: not pods(cluster), limit=60)


def test_manual_selector(cluster):
    mine = job(manualSelector=True, selector={"matchLabels": {"app": "mine"}})
    mine["spec"]["template"]["metadata"] = {"labels": {"app": "mine"}}
    made = cluster.store.create(mine)
    assert made["spec"]["selector"] == {"matchLabels": {"app": "mine"}}
    assert made["spec"]["template"]["metadata"]["labels"] == {"app": "mine"}
    assert made["metadata"]["labels"] == {"app": "mine"}
    run_until(cluster, lambda: finished()(cluster), limit=60)
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(job(name="nosel", manualSelector=True))
    assert e.value.message == 'Job.batch "nosel" is invalid: spec.selector: Required value'
    theirs = job(name="theirs", selector={"matchLabels": {"app": "x"}})
    theirs["spec"]["template"]["metadata"] = {"labels": {"app": "x"}}
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(theirs)
    assert "spec.selector: Invalid value: " in e.value.message
    assert "`selector` not auto-generated" in e.value.message


@pytest.mark.parametrize("command, lines, seconds", [
    (["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"], None, 6.0),          # the docs' pi Job
    (["python3", "-c", 'import time; print("a"); time.sleep(5); print("b")'], ["a", "b"], 5.3),
    (["node", "-e", 'console.log("hello")'], ["hello"], 0.3),
    (["sh", "-c", "echo start; sleep 4; echo done"], ["start", "done"], 4.0),
    (["echo", "hi"], ["hi"], 0.0),
])
def test_a_job_s_container_prints_and_exits_as_its_command_says(cluster, command, lines, seconds):
    """Container behaviour is data (engine/kubelet/data/commands.json) or read off the command
    line: each of these exits 0 after the right simulated time and logs what it printed."""
    spec = job()["spec"]
    spec["template"]["spec"]["containers"][0]["command"] = command
    cluster.store.create({**job(), "spec": spec})
    run_until(cluster, lambda: finished()(cluster), limit=60, step=0.5)
    (pod,) = pods(cluster)
    term = pod["status"]["containerStatuses"][0]["state"]["terminated"]
    assert (term["exitCode"], term["reason"]) == (0, "Completed")
    ran = objects.parse_time(term["finishedAt"]) - objects.parse_time(term["startedAt"])
    assert ran == pytest.approx(seconds, abs=1.0)
    log = cluster.controller("kubelet").logs("default", objects.name_of(pod)).splitlines()
    if lines is None:
        assert len(log) == 1 and log[0].startswith("3.14159265358979") and len(log[0]) == 2001
    else:
        assert log == lines


def test_an_interpreter_that_loops_runs_until_the_deadline(cluster):
    spec = job(activeDeadlineSeconds=20)["spec"]
    spec["template"]["spec"]["containers"][0]["command"] = ["python", "-c", "while True: pass"]
    cluster.store.create({**job(), "spec": spec})
    run_until(cluster, lambda: finished()(cluster), limit=60)
    assert conditions(get(cluster))["Failed"][1] == "DeadlineExceeded"
