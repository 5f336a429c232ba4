"""The CronJob controller (k/k pkg/controller/cronjob/cronjob_controllerv2.go, v1.32): create a
Job from spec.jobTemplate at each time the schedule names, on the simulated clock.

One reconcile of `namespace/name` (syncCronJob):
1. forget Jobs in status.active that are gone, and note finished ones (SawCompletedJob, and
   lastSuccessfulTime for a Complete one);
2. unless suspended: the most recent unmet schedule time since lastScheduleTime (or creation),
   skipped when startingDeadlineSeconds has passed (MissSchedule); none due → come back at
   the next one;
3. concurrencyPolicy: Forbid waits while a Job is active (JobAlreadyActive), Replace deletes the
   active ones first, Allow runs them side by side;
4. create `<cronjob>-<scheduled time in minutes since the epoch>` (its name is deterministic,
   so a schedule time is never run twice), add it to status.active, set lastScheduleTime;
5. keep successfulJobsHistoryLimit / failedJobsHistoryLimit finished Jobs, deleting the oldest.
"""
from __future__ import annotations

import datetime as dt
import json
import zoneinfo

from .. import cron, errors, objects, resources as kinds
from ..events import NORMAL, WARNING
from ..loop import Controller, Result, own_key, owner_key

SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp"
NEXT_SCHEDULE_DELTA = 0.1          # nextScheduleTimeDuration adds 100 ms


def _finished(job: dict) -> str | None:
    for c in (job.get("status") or {}).get("conditions") or ():
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return c["type"]
    return None


def job_name(cronjob: dict, scheduled: float) -> str:
    """getJobName: the scheduled time in minutes since the epoch."""
    return f"{objects.name_of(cronjob)}-{int(scheduled // 60)}"


def job_from_template(cronjob: dict, scheduled: float, tz: dt.tzinfo) -> dict:
    """getJobFromTemplate2."""
    jt = (cronjob.get("spec") or {}).get("jobTemplate") or {}
    jmd = jt.get("metadata") or {}
    annotations = dict(jmd.get("annotations") or {})
    annotations[SCHEDULED_TIMESTAMP] = dt.datetime.fromtimestamp(scheduled, tz).isoformat().replace("+00:00", "Z")
    md: dict = {"name": job_name(cronjob, scheduled), "namespace": objects.namespace_of(cronjob),
                "annotations": annotations, "ownerReferences": [objects.controller_ref(cronjob)]}
    if jmd.get("labels"):
        md["labels"] = dict(jmd["labels"])
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": md,
            "spec": objects.clone(jt.get("spec") or {})}


def _ref(job: dict) -> dict:
    return {"apiVersion": "batch/v1", "kind": "Job", "name": objects.name_of(job),
            "namespace": objects.namespace_of(job), "uid": objects.uid_of(job),
            "resourceVersion": objects.meta(job).get("resourceVersion", "")}


class CronJobController(Controller):
    name = "cronjob-controller"

    def handlers(self):
        return {"cronjobs": own_key, "jobs": owner_key("CronJob")}

    def reconcile(self, key: str) -> Result | None:
        ns, name = objects.split_key(key)
        cj = self.store.try_get(kinds.CRONJOB, ns, name)
        if cj is None or objects.is_terminating(cj):
            return None
        spec = cj.get("spec") or {}
        uid = objects.uid_of(cj)
        jobs = [j for j in self.store.owned_by(uid, kinds.JOB)
                if (objects.controller_of(j) or {}).get("uid") == uid]
        old_status = cj.get("status") or {}
        status = objects.clone(old_status)
        now = self.clock.now()
        self._sync_active(cj, status, jobs)
        requeue = None
        if not spec.get("suspend"):
            requeue = self._schedule(key, cj, status, jobs, now)
        self._cleanup(cj, jobs)
        if status != old_status:
            new = dict(cj)
            new["status"] = status
            try:
                self.store.update(new, sync=False, subresource="status")
            except errors.NotFound:
                return None
        return None if requeue is None else Result(requeue)

    # ---- status.active ------------------------------------------------------------------------

    def _sync_active(self, cj: dict, status: dict, jobs: list[dict]) -> None:
        """Jobs it created are in status.active until they finish (or vanish)."""
        by_uid = {objects.uid_of(j): j for j in jobs}
        active = []
        for ref in status.get("active") or []:
            job = by_uid.get(ref.get("uid"))
            if job is None:
                self.recorder.event(cj, NORMAL, "MissingJob", f"Active job went missing: {ref.get('name', '')}",
                                    component=self.name)
                continue
            if _finished(job):
                continue
            active.append(ref)
        for job in jobs:
            done = _finished(job)
            was = any(r.get("uid") == objects.uid_of(job) for r in status.get("active") or [])
            if done and was:
                self.recorder.event(cj, NORMAL, "SawCompletedJob",
                                    f"Saw completed job: {objects.name_of(job)}, status: {done}",
                                    component=self.name)
            if done == "Complete":
                ct = (job.get("status") or {}).get("completionTime")
                t = objects.parse_time(ct)
                last = objects.parse_time(status.get("lastSuccessfulTime"))
                if t is not None and (last is None or t > last):
                    status["lastSuccessfulTime"] = ct
        if active:
            status["active"] = active
        else:
            status.pop("active", None)

    # ---- the schedule -------------------------------------------------------------------------

    def _schedule(self, key: str, cj: dict, status: dict, jobs: list[dict], now: float) -> float | None:
        spec = cj.get("spec") or {}
        tz_name = spec.get("timeZone")
        try:
            tz = cron.zone(tz_name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.recorder.event(cj, WARNING, "UnknownTimeZone",
                                f"invalid timeZone: {json.dumps(tz_name)}: unknown time zone {tz_name}",
                                component=self.name)
            return None
        try:
            sched = cron.parse(spec.get("schedule") or "")
        except cron.CronError as e:
            self.recorder.event(cj, WARNING, "UnparseableSchedule",
                                f"unparseable schedule: {json.dumps(spec.get('schedule'))} : {e}", component=self.name)
            return None
        created = objects.parse_time(objects.meta(cj).get("creationTimestamp")) or now
        earliest = objects.parse_time(status.get("lastScheduleTime")) or created
        sds = spec.get("startingDeadlineSeconds")
        if sds is not None:
            earliest = max(earliest, now - int(sds))
        scheduled, count = cron.most_recent(sched, earliest, now, tz)
        if count > 100:
            self.recorder.event(cj, WARNING, "TooManyMissedTimes",
                                "too many missed start times. Set or decrease .spec.startingDeadlineSeconds "
                                "or check clock skew", component=self.name)
        nxt = cron.next_time(sched, now, tz)
        requeue = None if nxt is None else nxt - now + NEXT_SCHEDULE_DELTA
        if scheduled is None:
            return requeue
        if sds is not None and scheduled + int(sds) < now:
            when = dt.datetime.fromtimestamp(scheduled, dt.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")
            self.recorder.event(cj, WARNING, "MissSchedule", f"Missed scheduled time to start a job: {when}",
                                component=self.name)
            return requeue
        name = job_name(cj, scheduled)
        # Already done: its Job is active, or this was the last time scheduled (its Job may since
        # have finished and even been cleaned up).
        if any(r.get("name") == name for r in status.get("active") or []) or \
                objects.parse_time(status.get("lastScheduleTime")) == scheduled:
            return requeue
        policy = spec.get("concurrencyPolicy") or "Allow"
        active = status.get("active") or []
        if policy == "Forbid" and active:
            self.recorder.event(cj, NORMAL, "JobAlreadyActive",
                                "Not starting job because prior execution is running and concurrency policy is Forbid",
                                component=self.name)
            self.decide(key, f"CronJob {key}: {name} due but {len(active)} job(s) still active and "
                             "concurrencyPolicy is Forbid → waiting", action="wait")
            return requeue
        if policy == "Replace":
            for ref in active:
                self._delete_job(cj, ref.get("name") or "")
            status.pop("active", None)
        try:
            job = self.store.create(job_from_template(cj, scheduled, tz), sync=False)
        except errors.AlreadyExists:
            return requeue
        except errors.ApiError as e:
            self.recorder.event(cj, WARNING, "FailedCreate", f"Error creating job: {e.message}",
                                component=self.name)
            return requeue
        self.recorder.event(cj, NORMAL, "SuccessfulCreate", f"Created job {objects.name_of(job)}",
                            component=self.name)
        self.decide(key, f"CronJob {key}: schedule {spec.get('schedule')!r} due at {objects.iso(scheduled)} "
                         f"→ creating job {objects.name_of(job)}", action="create-job")
        status["active"] = list(status.get("active") or []) + [_ref(job)]
        status["lastScheduleTime"] = objects.iso(scheduled)
        return requeue

    def _delete_job(self, cj: dict, name: str) -> bool:
        try:
            self.store.delete(kinds.JOB, objects.namespace_of(cj), name, propagation_policy="Background",
                              sync=False)
        except errors.NotFound:
            return False
        self.recorder.event(cj, NORMAL, "SuccessfulDelete", f"Deleted job {name}", component=self.name)
        return True

    # ---- history ------------------------------------------------------------------------------

    def _cleanup(self, cj: dict, jobs: list[dict]) -> None:
        spec = cj.get("spec") or {}
        for kind, field in (("Complete", "successfulJobsHistoryLimit"), ("Failed", "failedJobsHistoryLimit")):
            limit = spec.get(field)
            if limit is None:
                continue
            done = [j for j in jobs if _finished(j) == kind and not objects.is_terminating(j)]
            if len(done) <= int(limit):
                continue
            done.sort(key=lambda j: (objects.parse_time((j.get("status") or {}).get("startTime"))
                                     or objects.parse_time(objects.meta(j).get("creationTimestamp")) or 0.0,
                                     objects.name_of(j)))
            for j in done[:len(done) - int(limit)]:
                self._delete_job(cj, objects.name_of(j))
