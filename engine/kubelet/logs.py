"""`kubectl logs`: what a simulated container wrote, or the kubelet's refusal (k/k
pkg/kubelet/kubelet_pods.go validateContainerLogStatus; the apiserver returns these as 400s)."""
from __future__ import annotations

from .. import errors, objects
from .programs import timed_log_lines


def container_logs(obj: dict, run, container: str | None, *, now: float, previous: bool = False,
                   timestamps: bool = False, served=None) -> str:
    """`served(container_id)`: the (time, line)s the container's server wrote for requests it
    answered (network.py's access log), merged in time order after its own lines."""
    pod = objects.name_of(obj)
    spec = obj.get("spec") or {}
    names = [c.get("name") for c in spec.get("containers") or ()]
    inits = [c.get("name") for c in spec.get("initContainers") or ()]
    ephemeral = [c.get("name") for c in spec.get("ephemeralContainers") or ()]
    if not container:
        if len(names) == 1:
            container = names[0]
        else:
            msg = f"a container name must be specified for pod {pod}, choose one of: [{' '.join(names)}]"
            if inits:
                msg += f" or one of the init containers: [{' '.join(inits)}]"
            raise errors.BadRequest(msg)
    if container not in names and container not in inits and container not in ephemeral:
        raise errors.BadRequest(f"container {container} is not valid for pod {pod}")
    if not spec.get("nodeName"):
        return ""           # not scheduled yet: the apiserver answers with an empty log
    c = None
    if run is not None:
        c = next((x for x in run.init + run.main + run.ephemeral if x.name == container), None)
    if c is None:
        reason = "PodInitializing" if inits else "ContainerCreating"
        raise errors.BadRequest(f'container "{container}" in pod "{pod}" is waiting to start: {reason}')
    until = now
    if previous:
        if not c.last:
            raise errors.BadRequest(f'previous terminated container "{container}" in pod "{pod}" not found')
        started = objects.parse_time(c.last.get("startedAt")) or run.started
        until = objects.parse_time(c.last.get("finishedAt")) or now
    elif c.stage in ("running", "exited", "done") and c.started_at is not None:
        started = c.started_at
    elif c.last:
        started = objects.parse_time(c.last.get("startedAt")) or run.started
    else:
        reason = c.waiting_reason or ("PodInitializing" if inits else "ContainerCreating")
        if reason in ("ErrImagePull", "ImagePullBackOff"):
            reason = "image can't be pulled"
        raise errors.BadRequest(f'container "{container}" in pod "{pod}" is waiting to start: {reason}')
    lines = timed_log_lines(c.program, started, until, pod=pod, container=container, image_tag=c.ref.tag)
    if served is not None and not previous and c.container_id:
        lines = sorted(lines + [x for x in served(c.container_id) if x[0] <= until], key=lambda tl: tl[0])
    if timestamps:   # the container runtime's RFC 3339 nanosecond stamp, as `kubectl logs --timestamps`
        return "".join(f"{_rfc3339_nano(t)} {line}\n" for t, line in lines)
    return "".join(line + "\n" for _, line in lines)


def _rfc3339_nano(t: float) -> str:
    whole = int(t)
    return objects.iso(whole)[:-1] + f".{min(999999999, int(round((t - whole) * 1e9))):09d}Z"
