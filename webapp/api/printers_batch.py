"""`kubectl get jobs` / `kubectl get cronjobs`: the server-side Table columns and cells of k/k
`pkg/printers/internalversion/printers.go` v1.32 (printJob, printCronJob), registered in
tables.py. Pure functions of the object and `now` (simulated epoch seconds)."""
from __future__ import annotations

from engine import objects

from . import printers

# Column descriptions: the SwaggerDoc() texts upstream uses (k8s.io/api v0.32 batch/v1).
_JOB_SUCCEEDED = ("The number of pods which reached phase Succeeded. The value increases monotonically for a "
                  "given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.")
_JOB_SELECTOR = ("A label query over pods that should match the pod count. Normally, the system sets this field "
                 "for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors")
_CJ_SCHEDULE = "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."
_CJ_TIMEZONE = (
    "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. "
    "If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid "
    "time zone names and the time zone offset is loaded from the system-wide time zone database by the API server "
    "during CronJob validation and the controller manager during execution. If no system-wide time zone database "
    "can be found a bundled version of the database is used instead. If the time zone name becomes invalid during "
    "the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new "
    "Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in "
    "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones")
_CJ_SUSPEND = ("This flag tells the controller to suspend subsequent executions, it does not apply to already "
               "started executions.  Defaults to false.")
_CJ_ACTIVE = "A list of pointers to currently running jobs."
_CJ_LAST_SCHEDULE = "Information when was the last time the job was successfully scheduled."


def job_columns(name: dict, age: dict, containers: dict, images: dict, col) -> tuple[dict, ...]:
    return (name, col("Status", "string", "Status of the job."),
            col("Completions", "string", _JOB_SUCCEEDED),
            col("Duration", "string", "Time required to complete the job."),
            age, containers, images, col("Selector", "string", _JOB_SELECTOR, 1))


def cronjob_columns(name: dict, age: dict, containers: dict, images: dict, col) -> tuple[dict, ...]:
    return (name, col("Schedule", "string", _CJ_SCHEDULE), col("Timezone", "string", _CJ_TIMEZONE),
            col("Suspend", "boolean", _CJ_SUSPEND), col("Active", "integer", _CJ_ACTIVE),
            col("Last Schedule", "string", _CJ_LAST_SCHEDULE), age, containers, images,
            col("Selector", "string", _JOB_SELECTOR, 1))


def _has_condition(job: dict, ctype: str) -> bool:
    """hasJobCondition: a condition of the type with status True."""
    return any(c.get("type") == ctype and c.get("status") == "True"
               for c in (job.get("status") or {}).get("conditions") or ())


def job_status(job: dict) -> str:
    if _has_condition(job, "Complete"):
        return "Complete"
    if _has_condition(job, "Failed"):
        return "Failed"
    if objects.meta(job).get("deletionTimestamp"):
        return "Terminating"
    if _has_condition(job, "Suspended"):
        return "Suspended"
    if _has_condition(job, "FailureTarget"):
        return "FailureTarget"
    return "Running"


def job_completions(job: dict) -> str:
    spec, status = job.get("spec") or {}, job.get("status") or {}
    succeeded = status.get("succeeded") or 0
    if spec.get("completions") is not None:
        return f"{succeeded}/{spec['completions']}"
    parallelism = spec.get("parallelism") or 0
    return f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"


def job_duration(job: dict, now: float) -> str:
    status = job.get("status") or {}
    start = objects.parse_time(status.get("startTime"))
    if start is None:
        return ""
    end = objects.parse_time(status.get("completionTime"))
    return printers.human_duration((now if end is None else end) - start)


def job_cells(job: dict, now: float) -> list:
    spec = job.get("spec") or {}
    names, images = printers.container_cells((spec.get("template") or {}).get("spec") or {})
    return [objects.name_of(job), job_status(job), job_completions(job), job_duration(job, now),
            printers.translate_timestamp_since(objects.meta(job).get("creationTimestamp"), now),
            names, images, printers.format_label_selector(spec.get("selector"))]


def _bool_ptr(v) -> str:
    """printBoolPtr."""
    if v is None:
        return "<unset>"
    return "True" if v else "False"


def cronjob_cells(cj: dict, now: float) -> list:
    spec, status = cj.get("spec") or {}, cj.get("status") or {}
    last = status.get("lastScheduleTime")
    jspec = (spec.get("jobTemplate") or {}).get("spec") or {}
    names, images = printers.container_cells((jspec.get("template") or {}).get("spec") or {})
    return [objects.name_of(cj), spec.get("schedule") or "", spec.get("timeZone") or "<none>",
            _bool_ptr(spec.get("suspend")), len(status.get("active") or ()),
            printers.translate_timestamp_since(last, now) if last else "<none>",
            printers.translate_timestamp_since(objects.meta(cj).get("creationTimestamp"), now),
            names, images, printers.format_label_selector(jspec.get("selector"))]
