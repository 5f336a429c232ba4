"""The CronJob controller on the simulated clock: a `*/1 * * * *` CronJob creates a Job each
minute, named `<cronjob>-<scheduled minutes since the epoch>`; concurrencyPolicy Allow / Forbid /
Replace; startingDeadlineSeconds; the history limits; suspend; timeZone; and the cron grammar
(robfig/cron's, with its error texts) — as kube-controller-manager v1.32 does. The manual clock
starts on a minute boundary (2026-01-01T00:00:00Z)."""
from __future__ import annotations

import datetime as dt

import pytest

from engine import cron, errors, objects, resources as kinds

START = 1767225600          # the ManualClock's epoch


def cronjob(name="hello", schedule="*/1 * * * *", script="date; echo Hello", **spec):
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name, "namespace": "default"},
            "spec": {"schedule": schedule, **spec, "jobTemplate": {"spec": {"template": {"spec": {
                "containers": [{"name": "hello", "image": "busybox:1.28", "command": ["sh", "-c", script]}],
                "restartPolicy": "OnFailure"}}}}}}


def jobs(cluster) -> dict[str, dict]:
    return {objects.name_of(j): j for j in cluster.store.iter(kinds.JOB, "default")}


def cj(cluster, name="hello") -> dict:
    return cluster.store.get(kinds.CRONJOB, "default", name)


def events(cluster, name="hello") -> list[tuple[str, str]]:
    return [(e["reason"], e["message"]) for e in cluster.store.iter(kinds.EVENT, "default")
            if e["involvedObject"]["kind"] == "CronJob" and e["involvedObject"]["name"] == name]


def minutes(n: int) -> str:
    return f"hello-{START // 60 + n}"


def test_a_cronjob_is_defaulted(cluster):
    spec = cluster.store.create(cronjob())["spec"]
    assert (spec["concurrencyPolicy"], spec["suspend"], spec["successfulJobsHistoryLimit"],
            spec["failedJobsHistoryLimit"]) == ("Allow", False, 3, 1)


@pytest.mark.parametrize("schedule, message", [
    ("bad", "expected exactly 5 fields, found 1: [bad]"),
    ("61 * * * *", "end of range (61) above maximum (59): 61"),
    ("@fortnightly", "unrecognized descriptor: @fortnightly"),
    ("TZ=UTC 0 * * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
])
def test_a_bad_schedule_is_refused_with_the_parser_s_text(cluster, schedule, message):
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(cronjob(schedule=schedule))
    assert e.value.message == f'CronJob.batch "hello" is invalid: spec.schedule: Invalid value: "{schedule}": {message}'


def test_an_unknown_time_zone_is_refused(cluster):
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(cronjob(timeZone="Mars/Olympus"))
    assert 'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus' in e.value.message


def test_every_minute_a_job_named_for_its_scheduled_minute(cluster):
    cluster.store.create(cronjob())
    cluster.advance(30)
    assert jobs(cluster) == {}
    cluster.advance(31)                                   # 00:01:01
    assert list(jobs(cluster)) == [minutes(1)]
    job = jobs(cluster)[minutes(1)]
    assert job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] == "2026-01-01T00:01:00Z"
    assert job["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    status = cj(cluster)["status"]
    assert status["lastScheduleTime"] == "2026-01-01T00:01:00Z"
    assert [r["name"] for r in status["active"]] == [minutes(1)]
    cluster.advance(60)
    cluster.advance(60)
    assert sorted(jobs(cluster)) == [minutes(1), minutes(2), minutes(3)]
    cluster.advance(20)
    st = cj(cluster)["status"]
    assert "active" not in st                # each ran `date; echo Hello` and completed
    assert st["lastSuccessfulTime"] == jobs(cluster)[minutes(3)]["status"]["completionTime"]
    assert ("SuccessfulCreate", f"Created job {minutes(1)}") in events(cluster)
    assert ("SawCompletedJob", f"Saw completed job: {minutes(1)}, status: Complete") in events(cluster)


def test_successful_jobs_history_limit_keeps_the_newest(cluster):
    cluster.store.create(cronjob(successfulJobsHistoryLimit=2))
    for _ in range(5):
        cluster.advance(60)
    cluster.advance(20)
    assert sorted(jobs(cluster)) == [minutes(4), minutes(5)]
    deleted = [m for r, m in events(cluster) if r == "SuccessfulDelete"]
    assert deleted == [f"Deleted job {minutes(1)}", f"Deleted job {minutes(2)}", f"Deleted job {minutes(3)}"]


def test_failed_jobs_history_limit_keeps_the_newest_failed_job(cluster):
    cluster.store.create(cronjob(script="exit 1", failedJobsHistoryLimit=1))
    patch = {"spec": {"jobTemplate": {"spec": {"backoffLimit": 0}}}}
    cluster.store.patch(kinds.CRONJOB, "default", "hello", "merge", patch)
    for _ in range(3):
        cluster.advance(60)
    cluster.advance(20)
    failed = [n for n, j in jobs(cluster).items() if any(c["type"] == "Failed" for c in j["status"].get("conditions", []))]
    assert failed == [minutes(3)]


def test_forbid_skips_while_a_job_is_still_running(cluster):
    cluster.store.create(cronjob(script="sleep 150", concurrencyPolicy="Forbid"))
    cluster.advance(61)
    cluster.advance(60)
    assert list(jobs(cluster)) == [minutes(1)]
    assert ("JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is "
            "Forbid") in events(cluster)


def test_allow_runs_jobs_side_by_side(cluster):
    cluster.store.create(cronjob(script="sleep 150"))
    cluster.advance(61)
    cluster.advance(60)
    assert sorted(jobs(cluster)) == [minutes(1), minutes(2)]
    assert len(cj(cluster)["status"]["active"]) == 2


def test_replace_deletes_the_running_job(cluster):
    cluster.store.create(cronjob(script="sleep 150", concurrencyPolicy="Replace"))
    cluster.advance(61)
    cluster.advance(60)
    live = [n for n, j in jobs(cluster).items() if not objects.is_terminating(j)]
    assert live == [minutes(2)]
    assert ("SuccessfulDelete", f"Deleted job {minutes(1)}") in events(cluster)
    assert [r["name"] for r in cj(cluster)["status"]["active"]] == [minutes(2)]


def test_suspend_stops_new_jobs(cluster):
    cluster.store.create(cronjob(suspend=True))
    cluster.advance(130)
    assert jobs(cluster) == {}
    cluster.store.patch(kinds.CRONJOB, "default", "hello", "merge", {"spec": {"suspend": False}})
    cluster.advance(1)
    # resumed: the most recent missed time is run once (no startingDeadlineSeconds)
    assert list(jobs(cluster)) == [minutes(2)]


def test_starting_deadline_seconds_skips_a_missed_time(cluster):
    cluster.store.create(cronjob(schedule="0 * * * *", suspend=True, startingDeadlineSeconds=30))
    cluster.advance(3600 + 60)
    cluster.store.patch(kinds.CRONJOB, "default", "hello", "merge", {"spec": {"suspend": False}})
    cluster.advance(1)
    assert jobs(cluster) == {}


def test_time_zone_shifts_the_schedule(cluster):
    # 01:00 in Paris (UTC+1 in January) is 00:00 UTC: the first run is one simulated hour in
    cluster.store.create(cronjob(schedule="0 2 * * *", timeZone="Europe/Paris"))
    cluster.advance(3600 - 1)
    assert jobs(cluster) == {}
    cluster.advance(2)
    (job,) = jobs(cluster).values()
    assert job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] \
        == "2026-01-01T02:00:00+01:00"


@pytest.mark.parametrize("schedule, after, want", [
    ("*/15 * * * *", "2026-01-01T00:07:00", "2026-01-01T00:15:00"),
    ("5,35 9-17 * * 1-5", "2026-01-02T17:40:00", "2026-01-05T09:05:00"),   # Friday evening → Monday
    ("@hourly", "2026-01-01T00:00:00", "2026-01-01T01:00:00"),
    ("@daily", "2026-01-01T00:00:01", "2026-01-02T00:00:00"),
    ("0 0 1 * *", "2026-01-15T00:00:00", "2026-02-01T00:00:00"),
    ("0 12 * JAN,FEB SUN", "2026-01-01T00:00:00", "2026-01-04T12:00:00"),
    ("0 0 13 * 5", "2026-01-01T00:00:00", "2026-01-02T00:00:00"),            # day-of-month OR weekday
])
def test_cron_grammar(schedule, after, want):
    utc = dt.timezone.utc
    t = dt.datetime.fromisoformat(after).replace(tzinfo=utc).timestamp()
    got = cron.next_time(cron.parse(schedule), t, utc)
    assert dt.datetime.fromtimestamp(got, utc).isoformat() == want + "+00:00"


def test_a_reconcile_between_schedule_times_writes_nothing_and_comes_back_at_the_next(cluster):
    cluster.store.create(cronjob(script="true"))
    cluster.advance(61)
    cluster.advance(10)
    rv = cluster.store.resource_version
    result = cluster.controller("cronjob-controller").reconcile("default/hello")
    assert cluster.store.resource_version == rv
    assert result is not None and result.requeue_after == pytest.approx(60 + 0.1 - 11)


def test_a_cleaned_up_job_is_not_run_again_for_the_same_time(cluster):
    cluster.store.create(cronjob(successfulJobsHistoryLimit=0))
    cluster.advance(61)
    cluster.advance(30)                           # hello-<1> ran, completed and was deleted
    assert jobs(cluster) == {}
    created = [m for r, m in events(cluster) if r == "SuccessfulCreate"]
    assert created == [f"Created job {minutes(1)}"]
    assert cj(cluster)["status"]["lastScheduleTime"] == "2026-01-01T00:01:00Z"


def test_a_deleted_active_job_is_reported_missing(cluster):
    cluster.store.create(cronjob(script="sleep 300"))
    cluster.advance(61)
    cluster.store.delete(kinds.JOB, "default", minutes(1), propagation_policy="Background")
    cluster.advance(1)
    assert ("MissingJob", f"Active job went missing: {minutes(1)}") in events(cluster)
    assert "active" not in cj(cluster)["status"]


def test_many_missed_times_are_reported_and_the_latest_is_run(cluster):
    cluster.store.create(cronjob(suspend=True))
    cluster.advance(200 * 60)
    cluster.store.patch(kinds.CRONJOB, "default", "hello", "merge", {"spec": {"suspend": False}})
    cluster.advance(1)
    assert ("TooManyMissedTimes", "too many missed start times. Set or decrease .spec.startingDeadlineSeconds "
            "or check clock skew") in events(cluster)
    assert list(jobs(cluster)) == [minutes(200)]
