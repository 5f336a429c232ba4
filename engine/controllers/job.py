"""The Job controller (k/k pkg/controller/job/job_controller.go, v1.32): run a Job's pods to
completion.

One reconcile of `namespace/name` (syncJob):
1. read the Job; a Job that is gone leaves pods holding the tracking finalizer: release them;
2. sort its pods: active, terminating, and finished ones not yet counted (they still carry the
   `batch.kubernetes.io/job-tracking` finalizer);
3. count newly finished pods the way upstream does, so none is counted twice or lost: their uids
   go to status.uncountedTerminatedPods, their finalizers are removed, then they move to
   status.succeeded / status.failed (trackJobStatusAndRemoveFinalizers);
4. decide whether the Job has failed (backoffLimit, activeDeadlineSeconds, a podFailurePolicy
   FailJob rule) or succeeded (completions reached) — first the interim condition
   (FailureTarget / SuccessCriteriaMet), active pods deleted, then, once no pod is left
   terminating, the terminal one (Failed / Complete), as 1.32 does;
5. otherwise honour suspend, and create or delete pods toward
   min(parallelism, completions - succeeded) — in Indexed mode, one pod per missing index,
   named `<job>-<index>-xxxxx`; pods replacing failed ones wait out the failure backoff
   (10 s doubling, at most 10 min);
6. write status when it changed, and come back when a deadline or a backoff ends.
"""
from __future__ import annotations

from .. import errors, objects, resources as kinds
from ..events import NORMAL, WARNING
from ..loop import Controller, Result, own_key, owner_key, quiet_write
from ..pod_conditions import is_pod_ready

TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"
JOB_INDEX_FAILURE_COUNT = "batch.kubernetes.io/job-index-failure-count"
MAX_POD_CREATE_DELETE_PER_SYNC = 500
POD_FAILURE_BACKOFF = 10.0           # DefaultJobPodFailureBackOff
MAX_POD_FAILURE_BACKOFF = 600.0      # MaxJobPodFailureBackOff (10 min)

BACKOFF_LIMIT_EXCEEDED = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
DEADLINE_EXCEEDED = ("DeadlineExceeded", "Job was active longer than specified deadline")
COMPLETIONS_REACHED = ("CompletionsReached", "Reached expected number of succeeded pods")
FAILED_INDEXES = ("FailedIndexes", "Job has failed indexes")
MAX_FAILED_INDEXES = ("MaxFailedIndexesExceeded", "Job has exceeded the specified maximal number of failed indexes")


def _phase(pod: dict) -> str:
    return (pod.get("status") or {}).get("phase") or ""


def _finished(job: dict) -> bool:
    for c in (job.get("status") or {}).get("conditions") or ():
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return True
    return False


def _has(job: dict, ctype: str) -> dict | None:
    c = objects.get_condition(job.get("status"), ctype)
    return c if c is not None and c.get("status") == "True" else None


def _index_of(pod: dict) -> int | None:
    v = (objects.meta(pod).get("annotations") or {}).get(COMPLETION_INDEX)
    try:
        return int(v) if v is not None else None
    except ValueError:
        return None


def format_indexes(indexes) -> str:
    """orderedIntervals.String, the form of status.completedIndexes: `1,3-5,7` (two in a row
    are listed, `0,1`; three or more are a range)."""
    out: list[str] = []
    xs = sorted(set(indexes))
    i = 0
    while i < len(xs):
        j = i
        while j + 1 < len(xs) and xs[j + 1] == xs[j] + 1:
            j += 1
        out.append(str(xs[i]) if i == j else f"{xs[i]},{xs[j]}" if j == i + 1 else f"{xs[i]}-{xs[j]}")
        i = j + 1
    return ",".join(out)


def parse_indexes(text: str | None) -> set[int]:
    out: set[int] = set()
    for part in (text or "").split(","):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        try:
            out.update(range(int(lo), int(hi or lo) + 1))
        except ValueError:
            continue
    return out


def _index_failures(pod: dict) -> int:
    """The failures of the pod's index before it (its job-index-failure-count annotation)."""
    try:
        return int((objects.meta(pod).get("annotations") or {}).get(JOB_INDEX_FAILURE_COUNT) or 0)
    except ValueError:
        return 0


def _exit_codes(pod: dict) -> list[tuple[str, int]]:
    out = []
    for cs in (pod.get("status") or {}).get("containerStatuses") or ():
        term = (cs.get("state") or {}).get("terminated")
        if term is not None:
            out.append((cs.get("name") or "", int(term.get("exitCode") or 0)))
    return out


def _restarts(pod: dict) -> int:
    st = pod.get("status") or {}
    return sum(int(c.get("restartCount") or 0)
               for c in list(st.get("containerStatuses") or ()) + list(st.get("initContainerStatuses") or ()))


def match_pod_failure_policy(job: dict, pod: dict) -> tuple[str | None, str | None]:
    """matchPodFailurePolicy: (action, message) of the first rule the failed pod matches, or
    (None, None). The message is the FailJob text upstream puts on the condition."""
    rules = (((job.get("spec") or {}).get("podFailurePolicy") or {}).get("rules")) or ()
    for i, rule in enumerate(rules):
        action = rule.get("action")
        codes = rule.get("onExitCodes")
        if codes is not None:
            want = set(codes.get("values") or ())
            for name, code in _exit_codes(pod):
                if codes.get("containerName") and codes["containerName"] != name:
                    continue
                if code == 0:
                    continue
                hit = code in want if codes.get("operator") == "In" else code not in want
                if hit:
                    return action, (f"Container {name} for pod {objects.key_of(pod)} failed with exit code "
                                    f"{code} matching {action} rule at index {i}")
        for pattern in rule.get("onPodConditions") or ():
            c = objects.get_condition(pod.get("status"), pattern.get("type") or "")
            if c is not None and c.get("status") == (pattern.get("status") or "True"):
                return action, (f"Pod {objects.key_of(pod)} has condition {pattern.get('type')} matching "
                                f"{action} rule at index {i}")
    return None, None


class JobController(Controller):
    name = "job-controller"

    def __init__(self, ctx):
        super().__init__(ctx)
        self._last_failure: dict[str, tuple[float, int]] = {}   # key -> (time, failures in a row)

    def handlers(self):
        return {"jobs": own_key, "pods": owner_key("Job")}

    # ---- the reconcile ------------------------------------------------------------------------

    def reconcile(self, key: str) -> Result | None:
        ns, name = objects.split_key(key)
        job = self.store.try_get(kinds.JOB, ns, name)
        if job is None or objects.is_terminating(job):
            self._last_failure.pop(key, None)
            self._release_orphans(ns, name, None if job is None else objects.uid_of(job))
            return None
        uid = objects.uid_of(job)
        pods = [p for p in self.store.owned_by(uid, kinds.POD)
                if (objects.controller_of(p) or {}).get("uid") == uid]
        if _finished(job):
            self._release(pods, lambda p: True)
            return None
        job, new_failures = self._track_finished(job, pods)
        if job is None:
            return None                               # (the Job went away meanwhile)
        pods = [p for p in self.store.owned_by(uid, kinds.POD)
                if (objects.controller_of(p) or {}).get("uid") == uid]
        return self._sync(key, job, pods, new_failures)

    # ---- counting finished pods ---------------------------------------------------------------

    @staticmethod
    def _outcome(job: dict, pod: dict) -> str | None:
        """"succeeded", "failed" or None (still running) — isPodFailed, with one addition: the
        simulated kubelet stops a deleted pod's containers with exit 0, where a real shell or
        perl as PID 1 ignores SIGTERM and dies by SIGKILL; a pod whose containers stopped only
        because it was deleted has failed, as it would have on a real node."""
        phase, md = _phase(pod), objects.meta(pod)
        if phase == "Failed":
            return "failed"
        deleted = objects.parse_time(md.get("deletionTimestamp"))
        if deleted is not None:
            deleted -= int(md.get("deletionGracePeriodSeconds") or 0)
        if phase == "Succeeded":
            if deleted is None:
                return "succeeded"
            ends = [objects.parse_time(((cs.get("state") or {}).get("terminated") or {}).get("finishedAt"))
                    for cs in (pod.get("status") or {}).get("containerStatuses") or ()]
            return "succeeded" if all(t is not None and t < deleted for t in ends) else "failed"
        if deleted is not None and (job.get("spec") or {}).get("podReplacementPolicy") != "Failed":
            return "failed"
        return None

    def _track_finished(self, job: dict, pods: list[dict]) -> tuple[dict | None, list[dict]]:
        st = job.get("status") or {}
        unc = st.get("uncountedTerminatedPods") or {}
        known = set(unc.get("succeeded") or ()) | set(unc.get("failed") or ())
        new_ok, new_failed = [], []
        for p in pods:
            fins = objects.meta(p).get("finalizers") or ()
            if TRACKING_FINALIZER not in fins or objects.uid_of(p) in known:
                continue
            outcome = self._outcome(job, p)
            if outcome == "succeeded":
                new_ok.append(p)
            elif outcome == "failed":
                new_failed.append(p)
        if not new_ok and not new_failed and not known:
            return job, []
        key = objects.key_of(job)
        status = dict(st)
        counts = {"succeeded": list(unc.get("succeeded") or []), "failed": list(unc.get("failed") or [])}
        counts["succeeded"] += [objects.uid_of(p) for p in new_ok]
        counts["failed"] += [objects.uid_of(p) for p in new_failed]
        ignored: set[str] = set()
        for p in new_failed:
            action, _ = match_pod_failure_policy(job, p)
            if action == "Ignore":
                ignored.add(objects.uid_of(p))
        # 1. record the uids as finished but not yet counted
        if new_ok or new_failed:
            status["uncountedTerminatedPods"] = {k: v for k, v in counts.items() if v}
            written = self._write_status(job, status)
            if written is None:
                return None, []
            job, status = written, dict(written["status"])
        # 2. release the pods
        uncounted = set(counts["succeeded"]) | set(counts["failed"])
        self._release(pods, lambda p: objects.uid_of(p) in uncounted)
        # 3. move them into the counts
        indexed = (job.get("spec") or {}).get("completionMode") == "Indexed"
        by_uid = {objects.uid_of(p): p for p in pods}
        if indexed:
            done = parse_indexes(status.get("completedIndexes"))
            for u in counts["succeeded"]:
                i = _index_of(by_uid[u]) if u in by_uid else None
                if i is not None and i < int((job.get("spec") or {}).get("completions") or 0):
                    done.add(i)
            if done:
                status["completedIndexes"] = format_indexes(done)
            status["succeeded"] = len(done)
        else:
            status["succeeded"] = int(status.get("succeeded") or 0) + len(counts["succeeded"])
        failed_now = len([u for u in counts["failed"] if u not in ignored])
        status["failed"] = int(status.get("failed") or 0) + failed_now
        per_index = (job.get("spec") or {}).get("backoffLimitPerIndex")
        if indexed and per_index is not None:
            # backoffLimitPerIndex: an index whose pods failed more than the limit (or matched a
            # FailIndex rule) is failed for good; the others are retried.
            lost = parse_indexes(status.get("failedIndexes"))
            for u in counts["failed"]:
                pod = by_uid.get(u)
                if pod is None or u in ignored:
                    continue
                i = _index_of(pod)
                if i is None:
                    continue
                action, _ = match_pod_failure_policy(job, pod)
                if action == "FailIndex" or _index_failures(pod) + 1 > int(per_index):
                    lost.add(i)
            status["failedIndexes"] = format_indexes(lost)
        for k in ("succeeded", "failed"):
            if not status[k]:
                status.pop(k)
        status["uncountedTerminatedPods"] = {}
        if counts["failed"]:
            # (ignored failures too: the replacement waits out the backoff all the same)
            last = self._last_failure.get(key, (0.0, 0))
            self._last_failure[key] = (self.clock.now(), last[1] + len(counts["failed"]))
        if counts["succeeded"]:
            self._last_failure.pop(key, None)
        new_failures = [by_uid[u] for u in counts["failed"] if u in by_uid and u not in ignored]
        self.decide(key, f"Job {key}: {len(counts['succeeded'])} pod(s) succeeded, {failed_now} failed "
                         f"→ counted (succeeded {status.get('succeeded', 0)}, failed {status.get('failed', 0)})",
                    action="count-pods")
        return self._write_status(job, status), new_failures

    def _release(self, pods: list[dict], which) -> None:
        for p in pods:
            fins = objects.meta(p).get("finalizers") or []
            if TRACKING_FINALIZER in fins and which(p):
                new = objects.clone(p)
                rest = [f for f in fins if f != TRACKING_FINALIZER]
                if rest:
                    new["metadata"]["finalizers"] = rest
                else:
                    new["metadata"].pop("finalizers", None)
                quiet_write(self.store.update, new, sync=False, strict=False)

    def _release_orphans(self, ns: str, name: str, uid: str | None) -> None:
        """Pods of a Job that is gone (or being deleted) keep no finalizer of the Job's — nor do
        pods orphaned from it (`--cascade=orphan`), as upstream's orphan-pod handling does."""
        for p in list(self.store.iter(kinds.POD, ns)):
            if TRACKING_FINALIZER not in (objects.meta(p).get("finalizers") or ()):
                continue
            ref = objects.controller_of(p)
            if ref is None:
                self._release([p], lambda _p: True)
                continue
            if ref.get("kind") != "Job" or ref.get("name") != name:
                continue
            if uid is not None and ref.get("uid") != uid:
                continue
            self._release([p], lambda _p: True)

    # ---- deciding -----------------------------------------------------------------------------

    def _sync(self, key: str, job: dict, pods: list[dict], new_failures: list[dict]) -> Result | None:
        spec, old_status = job.get("spec") or {}, job.get("status") or {}
        status = objects.clone(old_status)
        now = self.clock.now()
        now_iso = objects.iso(now)
        active = [p for p in pods if _phase(p) not in ("Succeeded", "Failed") and not objects.is_terminating(p)]
        terminating = [p for p in pods if objects.is_terminating(p) and _phase(p) not in ("Succeeded", "Failed")]
        succeeded = int(status.get("succeeded") or 0)
        completions = spec.get("completions")
        parallelism = int(spec.get("parallelism", 1) or 0)
        indexed = spec.get("completionMode") == "Indexed"
        suspended = bool(spec.get("suspend"))
        requeue: float | None = None

        if not suspended and not status.get("startTime"):
            status["startTime"] = now_iso
        if indexed and spec.get("backoffLimitPerIndex") is not None:
            status.setdefault("failedIndexes", "")

        # Interim conditions already set: wait for the pods to go, then finish.
        failure_target = _has(job, "FailureTarget")
        success_met = _has(job, "SuccessCriteriaMet")
        finishing: tuple[str, str, str] | None = None
        if failure_target is None and success_met is None:
            failure = self._failure(job, status, active, new_failures, now)
            if failure is not None:
                reason, message = failure
                self._condition(status, "FailureTarget", reason, message, now_iso)
                self.recorder.event(job, WARNING, reason, message, component=self.name)
                self.decide(key, f"Job {key}: {message} → failing it, deleting {len(active)} active pod(s)",
                            action="fail")
                finishing = "Failed", reason, message
            elif self._complete(spec, status, succeeded, active):
                self._condition(status, "SuccessCriteriaMet", *COMPLETIONS_REACHED, now_iso)
                finishing = "Complete", *COMPLETIONS_REACHED
        elif failure_target is not None:
            finishing = "Failed", failure_target.get("reason") or "", failure_target.get("message") or ""
        elif success_met is not None:
            finishing = "Complete", success_met.get("reason") or "", success_met.get("message") or ""

        if finishing is not None:
            self._delete_pods(job, active, quiet=finishing[0] == "Complete")
            terminating = terminating + active
            active = []
            if not terminating:
                ctype, reason, message = finishing
                self._condition(status, ctype, reason, message, now_iso)
                if ctype == "Complete":
                    status["completionTime"] = now_iso
                    self.recorder.event(job, NORMAL, "Completed", "Job completed", component=self.name)
                    self.decide(key, f"Job {key}: {succeeded} of {completions if completions is not None else 1} "
                                     "completions → Complete", action="complete")
        elif suspended:
            if active:
                self._delete_pods(job, active)
                terminating, active = terminating + active, []
            if not _has(job, "Suspended"):
                self._condition(status, "Suspended", "JobSuspended", "Job suspended", now_iso)
                self.recorder.event(job, NORMAL, "Suspended", "Job suspended", component=self.name)
                status.pop("startTime", None)
        else:
            if _has(job, "Suspended"):
                self._condition(status, "Suspended", "JobResumed", "Job resumed", now_iso, value="False")
                self.recorder.event(job, NORMAL, "Resumed", "Job resumed", component=self.name)
                status["startTime"] = now_iso
            active, created, requeue = self._manage(key, job, status, pods, active, terminating, succeeded,
                                                    completions, parallelism, indexed, now)
            deadline = spec.get("activeDeadlineSeconds")
            started = objects.parse_time(status.get("startTime"))
            if deadline is not None and started is not None:
                left = started + int(deadline) - now
                requeue = left if requeue is None else min(requeue, left)
        status["active"] = len(active)
        status["ready"] = sum(1 for p in active if is_pod_ready(p))
        status["terminating"] = len(terminating)
        status.setdefault("uncountedTerminatedPods", {})
        if not status["active"]:
            status.pop("active")
        if status != old_status:
            quiet_write(self._write_status, job, status)
        if requeue is not None:
            return Result(max(requeue, 0.001))
        return None

    def _failure(self, job: dict, status: dict, active: list[dict], new_failures: list[dict],
                 now: float) -> tuple[str, str] | None:
        spec = job.get("spec") or {}
        for p in new_failures:
            action, message = match_pod_failure_policy(job, p)
            if action == "FailJob":
                return "PodFailurePolicy", message or ""
        if spec.get("backoffLimitPerIndex") is not None and spec.get("completionMode") == "Indexed":
            lost = parse_indexes(status.get("failedIndexes"))
            most = spec.get("maxFailedIndexes")
            if most is not None and len(lost) > int(most):
                return MAX_FAILED_INDEXES
            done = parse_indexes(status.get("completedIndexes"))
            if lost and len(lost | done) >= int(spec.get("completions") or 0) and not active:
                return FAILED_INDEXES
        failed = int(status.get("failed") or 0)
        limit = int(spec.get("backoffLimit", 6) or 0)
        if new_failures and failed > limit:
            return BACKOFF_LIMIT_EXCEEDED
        if (spec.get("template") or {}).get("spec", {}).get("restartPolicy") == "OnFailure":
            restarts = sum(_restarts(p) for p in active)
            if (limit == 0 and restarts > 0) or (limit > 0 and restarts >= limit):
                return BACKOFF_LIMIT_EXCEEDED
        deadline = spec.get("activeDeadlineSeconds")
        start = objects.parse_time(status.get("startTime"))
        if deadline is not None and start is not None and not spec.get("suspend") and now - start >= int(deadline):
            return DEADLINE_EXCEEDED
        return None

    @staticmethod
    def _complete(spec: dict, status: dict, succeeded: int, active: list[dict]) -> bool:
        completions = spec.get("completions")
        if completions is None:
            return succeeded > 0 and not active
        return succeeded >= int(completions)

    def _condition(self, status: dict, ctype: str, reason: str, message: str, now_iso: str,
                   value: str = "True") -> None:
        conds = status.setdefault("conditions", [])
        for i, c in enumerate(conds):
            if c.get("type") == ctype:
                if c.get("status") != value or c.get("reason") != reason:
                    conds[i] = {"type": ctype, "status": value, "lastProbeTime": now_iso,
                                "lastTransitionTime": now_iso, "reason": reason, "message": message}
                return
        conds.append({"type": ctype, "status": value, "lastProbeTime": now_iso,
                      "lastTransitionTime": now_iso, "reason": reason, "message": message})

    # ---- pods ---------------------------------------------------------------------------------

    def _manage(self, key, job, status, pods, active, terminating, succeeded, completions, parallelism,
                indexed, now) -> tuple[list[dict], int, float | None]:
        spec = job.get("spec") or {}
        lost = len(parse_indexes(status.get("failedIndexes"))) if indexed else 0
        if completions is None:
            want = len(active) if succeeded > 0 else parallelism
        else:
            want = max(0, min(int(completions) - succeeded - lost, parallelism))
        if len(active) > want:
            extra = sorted(active, key=lambda p: (_phase(p) == "Running", is_pod_ready(p)))[:len(active) - want]
            self._delete_pods(job, extra)
            gone = {id(p) for p in extra}
            return [p for p in active if id(p) not in gone], 0, None
        busy = len(active) + (len(terminating) if spec.get("podReplacementPolicy") == "Failed" else 0)
        diff = min(want - busy, MAX_POD_CREATE_DELETE_PER_SYNC)
        if diff <= 0:
            return active, 0, None
        # Replacing failed pods waits out the failure backoff.
        last, streak = self._last_failure.get(key, (0.0, 0))
        if streak:
            delay = min(POD_FAILURE_BACKOFF * 2 ** (streak - 1), MAX_POD_FAILURE_BACKOFF)
            if now < last + delay:
                return active, 0, last + delay - now
        indexes: list[int | None] = [None] * diff
        if indexed:
            done = parse_indexes(status.get("completedIndexes")) | parse_indexes(status.get("failedIndexes"))
            taken = {_index_of(p) for p in active} | {_index_of(p) for p in terminating}
            free = [i for i in range(int(completions or 0)) if i not in done and i not in taken]
            indexes = list(free[:diff])
        failures: dict[int, int] = {}
        if indexed and spec.get("backoffLimitPerIndex") is not None:
            for p in pods:
                i = _index_of(p)
                if i is not None and self._outcome(job, p) == "failed":
                    failures[i] = max(failures.get(i, 0), _index_failures(p) + 1)
        made = []
        for i in indexes:
            try:
                made.append(self._create_pod(job, i, failures.get(i, 0) if i is not None else 0))
            except errors.ApiError:
                break
        if made:
            self.decide(key, f"Job {key}: {len(active)} active, want {want} → creating {len(made)} pod(s)",
                        action="create-pods", observed=len(active), desired=want)
        return active + made, len(made), None

    def _create_pod(self, job: dict, index: int | None, index_failures: int = 0) -> dict:
        tmpl = (job.get("spec") or {}).get("template") or {}
        tmd = tmpl.get("metadata") or {}
        name = objects.name_of(job)
        md: dict = {"generateName": f"{name}-" if index is None else f"{name}-{index}-",
                    "namespace": objects.namespace_of(job),
                    "labels": objects.clone(tmd.get("labels") or {}),
                    "ownerReferences": [objects.controller_ref(job)],
                    "finalizers": list(tmd.get("finalizers") or []) + [TRACKING_FINALIZER]}
        if tmd.get("annotations"):
            md["annotations"] = objects.clone(tmd["annotations"])
        spec = objects.clone(tmpl.get("spec") or {})
        if index is not None:
            md.setdefault("annotations", {})[COMPLETION_INDEX] = str(index)
            if (job.get("spec") or {}).get("backoffLimitPerIndex") is not None:
                md["annotations"][JOB_INDEX_FAILURE_COUNT] = str(index_failures)
            md["labels"][COMPLETION_INDEX] = str(index)
            spec["hostname"] = f"{name}-{index}"
            env = {"name": "JOB_COMPLETION_INDEX", "valueFrom": {"fieldRef": {
                "apiVersion": "v1", "fieldPath": f"metadata.labels['{COMPLETION_INDEX}']"}}}
            for c in list(spec.get("initContainers") or []) + list(spec.get("containers") or []):
                if not any(e.get("name") == "JOB_COMPLETION_INDEX" for e in c.get("env") or ()):
                    c["env"] = list(c.get("env") or []) + [dict(env)]     # (addCompletionIndexEnvVariable)
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec}
        try:
            made = self.store.create(pod, sync=False)
        except errors.ApiError as e:
            if "because it is being terminated" not in e.message:
                self.recorder.event(job, WARNING, "FailedCreate", f"Error creating: {e.message}",
                                    component=self.name)
            raise
        self.recorder.event(job, NORMAL, "SuccessfulCreate", f"Created pod: {objects.name_of(made)}",
                            component=self.name)
        return made

    def _delete_pods(self, job: dict, pods: list[dict], quiet: bool = False) -> None:
        for p in pods:
            try:
                self.store.delete(kinds.POD, objects.namespace_of(p), objects.name_of(p), sync=False)
            except errors.NotFound:
                continue
            except errors.ApiError as e:
                self.recorder.event(job, WARNING, "FailedDelete", f"Error deleting: {e.message}",
                                    component=self.name)
                continue
            if not quiet:
                self.recorder.event(job, NORMAL, "SuccessfulDelete", f"Deleted pod: {objects.name_of(p)}",
                                    component=self.name)

    def _write_status(self, job: dict, status: dict) -> dict | None:
        new = dict(job)
        new["metadata"] = dict(job["metadata"])
        new["status"] = status
        try:
            return self.store.update(new, sync=False, subresource="status")
        except errors.NotFound:
            return None
