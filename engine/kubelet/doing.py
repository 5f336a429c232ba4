"""What a container is "doing", in a few words for the page ("serving HTTP on :80", "runs 3600 s,
then exits 0", "allocating 150Mi"): read from the same program the kubelet runs (programs.py, the
image catalog), so the words and the container's fate agree."""
from __future__ import annotations

from fractions import Fraction

from .. import image_catalog, usage
from . import images
from .programs import Program, program_for

# Images whose figures their flags set (the stress tools) say how much they take.
_NOTABLE_MEMORY = 64 * 1024 * 1024
_NOTABLE_CPU = Fraction(1, 4)


def container_doing(container: dict) -> str:
    ref = images.parse(str(container.get("image") or ""))
    if not ref.valid:
        return "not started: the image name is invalid"
    program = program_for(container, ref.repository)
    return describe(program, container, ref.repository)


def pod_doing(pod: dict) -> list[dict]:
    """[{name, image, doing}] for the pod's init and app containers, in spec order: what the
    image does, said against where the container is now (see `in_state`)."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    scheduled = bool(spec.get("nodeName"))
    out = []
    for key, status_key in (("initContainers", "initContainerStatuses"), ("containers", "containerStatuses")):
        reported = {cs.get("name"): cs for cs in status.get(status_key) or () if isinstance(cs, dict)}
        for c in spec.get(key) or ():
            out.append({"name": c.get("name", ""), "image": c.get("image", ""), "init": key == "initContainers",
                        "doing": in_state(container_doing(c), scheduled, reported.get(c.get("name")))})
    return out


def in_state(what: str, scheduled: bool, cs: dict | None) -> str:
    """The image's behaviour (`what`) for a container that may not be running it: a pod not yet
    on a node, or a container waiting (ContainerCreating, ImagePullBackOff, CrashLoopBackOff...)
    or finished, says so first — the details panel must not say "serving on :80" of a pod
    that is Pending. `cs`: the container's status as its kubelet reported it, if it has."""
    if what.startswith("not started"):          # (an invalid image name: nothing will run)
        return what
    if not scheduled:
        return f"not started: the pod is not on a node yet; when it runs: {what}"
    state = (cs or {}).get("state") or {}
    if "running" in state:
        return what
    if "terminated" in state:
        t = state["terminated"] or {}
        code, reason = t.get("exitCode"), t.get("reason")
        return f"finished (exit {code}{', ' + reason if reason else ''}): {what}"
    reason = (state.get("waiting") or {}).get("reason") or "ContainerCreating"
    return f"waiting ({reason}); when it runs: {what}"


def describe(program: Program, container: dict, repository: str) -> str:
    cores, memory = usage.demand(container)
    taking = []
    if memory >= _NOTABLE_MEMORY:
        taking.append(f"allocating {_mib(memory)}")
    if cores >= _NOTABLE_CPU:
        taking.append(f"using {float(cores):g} CPU")
    if program.exit_reason == "OOMKilled":
        limit = ((container.get("resources") or {}).get("limits") or {}).get("memory")
        return f"allocating {_mib(memory)}, past its {limit} limit: OOM-killed (exit 137)"
    if program.exit_code is not None:
        what = ("exits" if not program.output else "prints and exits")
        if program.runs_for <= 0:
            text = f"{what} {program.exit_code} at once"
        else:
            text = f"runs {program.runs_for:g} s, then {what} {program.exit_code}"
        return ", ".join([text] + taking)
    if program.kind == "shell":
        text = "a shell waiting on its stdin" if not program.output and not program.loop_output \
            and container.get("stdin") else "running until stopped"
        if program.loop_output:
            text = f"printing every {program.loop_period:g} s, until stopped"
        return ", ".join([text] + taking)
    ports = program.ports
    if ports is None:
        ports = tuple(image_catalog.entry(repository).get("ports", (8080,)))
    if program.kind == "run" or not ports:
        return ", ".join(["running until stopped"] + taking)
    text = "serving on " + ", ".join(f":{p}" for p in ports)
    for path, status, for_seconds, then in program.http:
        if for_seconds is not None:
            text += f"; {path} answers {status} for {for_seconds:g} s, then {then}"
    return ", ".join([text] + taking)


def _mib(n) -> str:
    return f"{int(n) // (1024 * 1024)}Mi"
