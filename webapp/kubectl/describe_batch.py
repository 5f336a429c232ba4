"""`kubectl describe job|cronjob` for the in-page terminal, line for line as k/kubectl
`pkg/describe/describe.go` (describeJob, describeCronJob, describeJobTemplate) writes them."""
from __future__ import annotations

from engine import objects
from webapp.api import printers
from .cli import Ctx
from .describe import (Writer, _controlled_by, annotations_multiline, events_section, labels_multiline,
                       pod_template, rfc1123z, selector_string)


def _indexes(text: str | None, soft_limit: int = 50) -> str:
    """capIndexesListOrNone."""
    if not text:
        return "<none>"
    ix = soft_limit
    while ix < len(text) and text[ix] != ",":
        ix += 1
    return text if ix >= len(text) else text[:ix + 1] + "..."


def describe_job(ctx: Ctx, job: dict) -> str:
    w = Writer()
    md, spec, st = job.get("metadata") or {}, job.get("spec") or {}, job.get("status") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace')}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    if _controlled_by(job):
        w.write(0, f"Controlled By:\t{_controlled_by(job)}\n")
    if spec.get("parallelism") is not None:
        w.write(0, f"Parallelism:\t{spec['parallelism']}\n")
    w.write(0, f"Completions:\t{spec['completions'] if spec.get('completions') is not None else '<unset>'}\n")
    if spec.get("completionMode") is not None:
        w.write(0, f"Completion Mode:\t{spec['completionMode']}\n")
    if spec.get("suspend") is not None:
        w.write(0, f"Suspend:\t{'true' if spec['suspend'] else 'false'}\n")
    if spec.get("backoffLimit") is not None:
        w.write(0, f"Backoff Limit:\t{spec['backoffLimit']}\n")
    if spec.get("ttlSecondsAfterFinished") is not None:
        w.write(0, f"TTL Seconds After Finished:\t{spec['ttlSecondsAfterFinished']}\n")
    if st.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(st['startTime'])}\n")
    if st.get("completionTime"):
        w.write(0, f"Completed At:\t{rfc1123z(st['completionTime'])}\n")
    start, end = objects.parse_time(st.get("startTime")), objects.parse_time(st.get("completionTime"))
    if start is not None and end is not None:
        w.write(0, f"Duration:\t{printers.human_duration(end - start)}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    counts = (st.get("active") or 0, st.get("succeeded") or 0, st.get("failed") or 0)
    if st.get("ready") is None:
        w.write(0, "Pods Statuses:\t%d Active / %d Succeeded / %d Failed\n" % counts)
    else:
        w.write(0, f"Pods Statuses:\t{counts[0]} Active ({st['ready']} Ready) / {counts[1]} Succeeded / "
                   f"{counts[2]} Failed\n")
    if spec.get("completionMode") == "Indexed":
        w.write(0, f"Completed Indexes:\t{_indexes(st.get('completedIndexes'))}\n")
    pod_template(w, spec.get("template"))
    events_section(ctx, w, job)
    return w.text()


def describe_cronjob(ctx: Ctx, cj: dict) -> str:
    w = Writer()
    md, spec, st = cj.get("metadata") or {}, cj.get("spec") or {}, cj.get("status") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Schedule:\t{spec.get('schedule', '')}\n")
    w.write(0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy', '')}\n")
    suspend = spec.get("suspend")
    w.write(0, f"Suspend:\t{'<unset>' if suspend is None else ('True' if suspend else 'False')}\n")
    for title, field in (("Successful Job History Limit", "successfulJobsHistoryLimit"),
                         ("Failed Job History Limit", "failedJobsHistoryLimit")):
        v = spec.get(field)
        w.write(0, f"{title}:\t{'<unset>' if v is None else v}\n")
    sds = spec.get("startingDeadlineSeconds")
    w.write(0, f"Starting Deadline Seconds:\t{'<unset>' if sds is None else f'{sds}s'}\n")
    jspec = (spec.get("jobTemplate") or {}).get("spec") or {}
    sel = jspec.get("selector")
    w.write(0, f"Selector:\t{'<unset>' if sel is None else selector_string(sel)}\n")
    for title, field in (("Parallelism", "parallelism"), ("Completions", "completions")):
        v = jspec.get(field)
        w.write(0, f"{title}:\t{'<unset>' if v is None else v}\n")
    if jspec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{jspec['activeDeadlineSeconds']}s\n")
    pod_template(w, jspec.get("template"))
    last = st.get("lastScheduleTime")
    w.write(0, f"Last Schedule Time:\t{rfc1123z(last) if last else '<unset>'}\n")
    active = [r.get("name", "") for r in st.get("active") or ()]
    w.write(0, f"Active Jobs:\t{', '.join(active) if active else '<none>'}\n")
    events_section(ctx, w, cj)
    return w.text()
