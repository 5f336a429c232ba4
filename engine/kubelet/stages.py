"""The container lifecycle as a table of stages (KWOK-style: stage → delay → next stage).

Each container of a pod is in one stage. A stage says how the container is reported
(`status`) and, when its `due` time comes, which step moves it on (`step`) — the step looks at
the container (image pullable? program exits? restart policy?) to choose the next stage, as a
KWOK Stage's selector would. Steps run at the *due* time, not at "now": when the engine is
behind (a fast clock), `advance()` replays every overdue step in order, and the caller writes
the resulting status once — caches may skip states, never reorder them.

| stage          | reported as                                  | when due                      | next                                         |
|----------------|----------------------------------------------|-------------------------------|----------------------------------------------|
| new            | waiting ContainerCreating / PodInitializing  | activated                     | pulling · created (image present) · invalid  |
| pulling        | waiting (previous reason)                    | + image_pull                  | created (Pulled) · pull-failed (Failed)      |
| pull-failed    | waiting ErrImagePull                         | + 1 s (next sync)             | pull-backoff (BackOff)                       |
| pull-backoff   | waiting ImagePullBackOff                     | failure + 10 s·2ⁿ (≤ 300 s)   | pulling (Pulling)                            |
| invalid        | waiting InvalidImageName / ErrImageNeverPull | never                         |                                              |
| created        | waiting ContainerCreating                    | + container_start             | running (Created, Started)                   |
| config-error   | waiting CreateContainerConfigError           | + CONFIG_RETRY (or the object | created (Pulled again, then the check again) |
|                |                                              | appears: the kubelet wakes)   |                                              |
| running        | running (ready/started as its probes say)    | exit · probe · kill's grace   | exited (exit, or killed after a probe)       |
| exited         | terminated Completed / Error                 | + 1 s (PLEG), if it restarts  | running (restart) · crash-backoff            |
| crash-backoff  | waiting CrashLoopBackOff                     | finish + 10 s·2ⁿ (≤ 300 s)    | running (restart)                            |
| done           | terminated (restartPolicy says stay)         | never                         |                                              |

While running, the container's probes (probes.py) run at their own times: a readiness result
changes only `ready`; a liveness/startup failure records Killing and stops the container —
at once if its program honours SIGTERM, after the grace period (exit 137) if it is a shell
script — and the exit then takes the usual way (restart, back-off) even under OnFailure.

Back-off follows the kubelet's flowcontrol.Backoff: the first crash restarts at once, then
10 s, 20 s, 40 s … capped at 300 s; a failure more than 10 minutes after the previous one
starts again from 10 s. Image pulls back off the same way (10 s·2ⁿ, ≤ 300 s).
"""
from __future__ import annotations

import datetime as _dt
import functools
import hashlib
from dataclasses import dataclass
from typing import Callable, Protocol

from . import images
from . import probes as probing
from .programs import Program

SYNC = 1.0                    # the kubelet notices an exit / reports a pull failure's back-off
CONFIG_RETRY = 10.0           # a failed pod sync is retried after the pod worker's back-off period
BACKOFF_INITIAL, BACKOFF_MAX = 10.0, 300.0

MSG_PULLING = 'Pulling image "{image}"'
MSG_PULLED = 'Successfully pulled image "{image}" in {took} ({took} including waiting). Image size: {size} bytes.'
MSG_PRESENT = 'Container image "{image}" already present on machine and can be accessed by the pod'
MSG_PULL_FAILED = 'Failed to pull image "{image}": {err}'
MSG_PULL_BACKOFF = 'Back-off pulling image "{image}"'
MSG_NEVER_PULL = 'Container image "{image}" is not present with pull policy of Never'
MSG_CREATED = "Created container: {name}"
MSG_STARTED = "Started container {name}"
MSG_CRASH_BACKOFF = "Back-off restarting failed container {name} in pod {pod}_{ns}({uid})"
MSG_CRASH_WAITING = "back-off {delay} restarting failed container={name} pod={pod}_{ns}({uid})"


@dataclass
class ContainerRun:
    """One container of a pod, as the simulated runtime sees it."""
    name: str
    spec: dict
    ref: images.ImageRef
    program: Program
    init: bool = False
    sidecar: bool = False
    ephemeral: bool = False           # added by `kubectl debug`: runs once, never restarted
    stage: str = "new"
    due: float | None = None
    since: float = 0.0
    restarts: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    exit_code: int | None = None
    container_id: str = ""
    created_once: bool = False        # image resolved: status shows its full name and imageID
    term: dict | None = None          # this run's terminated state
    last: dict | None = None          # lastState.terminated
    waiting_reason: str = ""
    waiting_message: str = ""
    pull_error: str = ""
    pull_backoff: float = 0.0
    pull_failed_at: float = 0.0
    crash_backoff: float = 0.0
    crash_last: float = 0.0
    probes: probing.ContainerProbes | None = None   # None: no probes (ready as soon as it runs)
    kill_due: float | None = None     # a failed liveness/startup probe: exits then
    kill_code: int = 0
    probe_killed: bool = False        # this run ended by a probe kill (restarts unless Never)

    @property
    def field_path(self) -> str:
        kind = "ephemeralContainers" if self.ephemeral else "initContainers" if self.init else "containers"
        return f"spec.{kind}{{{self.name}}}"

    @property
    def ready(self) -> bool:
        return self.stage == "running" and (self.probes is None or self.probes.ready)

    @property
    def started(self) -> bool:
        """containerStatus.started: running and past its startup probe."""
        return self.stage == "running" and (self.probes is None or self.probes.started)

    @property
    def complete(self) -> bool:
        """For init ordering: finished with 0, or (a sidecar) started."""
        if self.sidecar:
            return self.started_at is not None
        return self.stage == "done" and self.exit_code == 0


class Env(Protocol):
    """What steps need from the node and the pod: implemented by the kubelet (its _PodEnv)."""
    image_pull: float
    container_start: float
    restart_policy: str
    pod_name: str
    namespace: str
    uid: str
    pod_ip: str                       # probes address the pod
    volumes: list                     # the pod's volumes (exec probes see configMap files)

    def kill_grace(self, seconds: float | None) -> float: ...

    def image_present(self, ref: images.ImageRef) -> bool: ...
    def image_pulled(self, ref: images.ImageRef) -> None: ...
    def config_error(self, c: ContainerRun) -> str | None: ...
    def event(self, c: ContainerRun, etype: str, reason: str, message: str) -> None: ...


@dataclass(frozen=True)
class Stage:
    name: str
    reported_as: str
    step: Callable[[ContainerRun, float, Env], None] | None


# ---- steps ----------------------------------------------------------------------------------

def _enter(c: ContainerRun, stage: str, at: float, due: float | None) -> None:
    c.stage, c.since, c.due = stage, at, due


def _activate(c: ContainerRun, at: float, env: Env) -> None:
    if not c.ref.valid:
        msg = images.invalid_message(c.spec.get("image") or "")
        env.event(c, "Warning", "InspectFailed", msg)
        env.event(c, "Warning", "Failed", "Error: InvalidImageName")
        c.waiting_reason, c.waiting_message = "InvalidImageName", msg
        _enter(c, "invalid", at, None)
        return
    _ensure_image(c, at, env)


def _ensure_image(c: ContainerRun, at: float, env: Env) -> None:
    """EnsureImageExists, then (if the image is there) go on to create the container."""
    image = c.spec.get("image") or ""
    policy = images.pull_policy(c.spec, c.ref)
    present = env.image_present(c.ref)
    if policy == "Never" and not present:
        msg = MSG_NEVER_PULL.format(image=image)
        env.event(c, "Warning", "ErrImageNeverPull", msg)
        env.event(c, "Warning", "Failed", "Error: ErrImageNeverPull")
        c.waiting_reason, c.waiting_message = "ErrImageNeverPull", msg
        _enter(c, "invalid", at, None)
        return
    if policy == "Always" or not present:
        env.event(c, "Normal", "Pulling", MSG_PULLING.format(image=image))
        took = env.image_pull if not present else min(env.image_pull, 0.25 * env.image_pull + 0.1)
        _enter(c, "pulling", at, at + took)
        return
    env.event(c, "Normal", "Pulled", MSG_PRESENT.format(image=image))
    _image_ready(c, at, env)


def _image_ready(c: ContainerRun, at: float, env: Env) -> None:
    # generateContainerConfig: the environment's Secrets and ConfigMaps must exist (references.py).
    err = env.config_error(c)
    if err is not None:
        env.event(c, "Warning", "Failed", f"Error: {err}")
        c.waiting_reason, c.waiting_message = "CreateContainerConfigError", err
        _enter(c, "config-error", at, at + CONFIG_RETRY)
        return
    if c.waiting_reason == "CreateContainerConfigError":
        c.waiting_reason = c.waiting_message = ""
    if c.created_once:                 # a restart: create and start at once
        _start(c, at, env)
    else:
        _enter(c, "created", at, at + env.container_start)


def _pulled(c: ContainerRun, at: float, env: Env) -> None:
    image = c.spec.get("image") or ""
    err = images.pull_error(c.ref)
    if err is None:
        took = _go_duration(at - c.since)
        env.event(c, "Normal", "Pulled", MSG_PULLED.format(image=image, took=took, size=c.ref.size))
        env.image_pulled(c.ref)
        c.pull_backoff = 0.0
        _image_ready(c, at, env)
        return
    env.event(c, "Warning", "Failed", MSG_PULL_FAILED.format(image=image, err=err))
    env.event(c, "Warning", "Failed", "Error: ErrImagePull")
    c.pull_backoff = _next_backoff(c.pull_backoff, at, c.pull_failed_at)
    c.pull_failed_at = at
    c.pull_error = err
    c.waiting_reason, c.waiting_message = "ErrImagePull", err
    _enter(c, "pull-failed", at, at + SYNC)


def _pull_backoff(c: ContainerRun, at: float, env: Env) -> None:
    image = c.spec.get("image") or ""
    env.event(c, "Normal", "BackOff", MSG_PULL_BACKOFF.format(image=image))
    env.event(c, "Warning", "Failed", "Error: ImagePullBackOff")
    c.waiting_reason = "ImagePullBackOff"
    c.waiting_message = f"{MSG_PULL_BACKOFF.format(image=image)}: ErrImagePull: {c.pull_error}"
    _enter(c, "pull-backoff", at, max(at, c.pull_failed_at + c.pull_backoff))


def _retry_pull(c: ContainerRun, at: float, env: Env) -> None:
    image = c.spec.get("image") or ""
    env.event(c, "Normal", "Pulling", MSG_PULLING.format(image=image))
    _enter(c, "pulling", at, at + env.image_pull)


def _start(c: ContainerRun, at: float, env: Env) -> None:
    if c.created_once:
        c.restarts += 1
    c.created_once = True
    c.container_id = "containerd://" + hashlib.sha256(f"{env.uid}/{c.name}/{c.restarts}".encode()).hexdigest()
    env.event(c, "Normal", "Created", MSG_CREATED.format(name=c.name))
    env.event(c, "Normal", "Started", MSG_STARTED.format(name=c.name))
    c.waiting_reason = c.waiting_message = ""
    c.started_at, c.finished_at, c.exit_code, c.term = at, None, None, None
    c.kill_due, c.probe_killed = None, False
    if c.probes is not None:
        c.probes.reset(at)
    started = getattr(env, "container_started", None)
    if started is not None:
        started(c)                # a network one-shot's result is decided now (shell/containers.py)
    _enter(c, "running", at, _running_due(c))


def _running_due(c: ContainerRun) -> float | None:
    assert c.started_at is not None                      # (a running container has started)
    due = c.kill_due
    if c.program.exit_code is not None:
        end = c.started_at + c.program.runs_for
        due = end if due is None or end < due else due
    if c.probes is not None and c.kill_due is None:
        p = c.probes.next_due()
        if p is not None and (due is None or p < due):
            due = p
    return due


def _running(c: ContainerRun, at: float, env: Env) -> None:
    assert c.started_at is not None
    if c.program.exit_code is not None and at >= c.started_at + c.program.runs_for:
        _exit(c, at, c.program.exit_code, env, c.program.exit_reason)   # it ended by itself first
        return
    if c.kill_due is not None:
        if at >= c.kill_due:
            c.probe_killed = True
            _exit(c, at, c.kill_code, env)
            return
    elif c.probes is not None:
        failed = c.probes.run_due(c, at, env)
        if failed is not None:
            _probe_kill(c, at, env, failed)
    c.due = _running_due(c)


def _probe_kill(c: ContainerRun, at: float, env: Env, w) -> None:
    """A liveness/startup probe failed failureThreshold times: kill the container (SIGTERM; a
    shell script as PID 1 ignores it and is SIGKILLed when the grace period ends)."""
    restart = c.sidecar or env.restart_policy != "Never"
    env.event(c, "Normal", "Killing", probing.kill_message(c, w, restart))
    if c.program.kind == "shell":
        grace = w.grace if w.grace is not None else getattr(env, "termination_grace", 30.0)
        c.kill_due, c.kill_code = at + env.kill_grace(grace), 137
    else:
        c.kill_due, c.kill_code = at, 0


def _exit(c: ContainerRun, at: float, code: int, env: Env, reason: str | None = None) -> None:
    c.finished_at, c.exit_code = at, code
    c.kill_due = None
    if c.probes is not None:
        c.probes.stop()
    assert c.started_at is not None                      # (only a started container exits)
    c.term = {"containerID": c.container_id, "exitCode": code, "finishedAt": _iso(at),
              "reason": reason or ("Completed" if code == 0 else "Error"), "startedAt": _iso(c.started_at)}
    if _restarts(c, env):
        _enter(c, "exited", at, at + SYNC)
    else:
        _enter(c, "done", at, None)


def _restarts(c: ContainerRun, env: Env) -> bool:
    if c.ephemeral:
        return False
    if c.sidecar:
        return True
    policy = env.restart_policy
    if c.probe_killed:
        return policy != "Never"
    if c.init:
        return policy != "Never" and c.exit_code != 0
    return policy == "Always" or (policy == "OnFailure" and c.exit_code != 0)


def _after_exit(c: ContainerRun, at: float, env: Env) -> None:
    """doBackOff: restart now unless still inside the back-off window since the exit."""
    assert c.finished_at is not None                     # (set by _exit)
    expired = c.crash_backoff and c.finished_at - c.crash_last > 2 * BACKOFF_MAX
    if c.crash_backoff and not expired and at - c.finished_at < c.crash_backoff:
        c.last = c.term
        env.event(c, "Warning", "BackOff", MSG_CRASH_BACKOFF.format(
            name=c.name, pod=env.pod_name, ns=env.namespace, uid=env.uid))
        c.waiting_reason = "CrashLoopBackOff"
        c.waiting_message = MSG_CRASH_WAITING.format(delay=_go_duration(c.crash_backoff), name=c.name,
                                                     pod=env.pod_name, ns=env.namespace, uid=env.uid)
        _enter(c, "crash-backoff", at, c.finished_at + c.crash_backoff)
        return
    _restart(c, at, env)


def _restart(c: ContainerRun, at: float, env: Env) -> None:
    assert c.finished_at is not None
    c.crash_backoff = _next_backoff(c.crash_backoff, c.finished_at, c.crash_last)
    c.crash_last = c.finished_at
    c.last = c.term
    _ensure_image(c, at, env)


def _next_backoff(cur: float, at: float, last: float) -> float:
    if not cur or at - last > 2 * BACKOFF_MAX:
        return BACKOFF_INITIAL
    return min(BACKOFF_MAX, cur * 2)


STAGES: dict[str, Stage] = {s.name: s for s in (
    Stage("new", "waiting ContainerCreating|PodInitializing", _activate),
    Stage("pulling", "waiting (previous reason)", _pulled),
    Stage("pull-failed", "waiting ErrImagePull", _pull_backoff),
    Stage("pull-backoff", "waiting ImagePullBackOff", _retry_pull),
    Stage("invalid", "waiting InvalidImageName|ErrImageNeverPull", None),
    Stage("created", "waiting ContainerCreating", _start),
    Stage("config-error", "waiting CreateContainerConfigError", _ensure_image),
    Stage("running", "running", _running),
    Stage("exited", "terminated", _after_exit),
    Stage("crash-backoff", "waiting CrashLoopBackOff", _restart),
    Stage("done", "terminated", None),
)}


def step(c: ContainerRun, env: Env) -> None:
    """Run the step of the container's current stage at its due time."""
    s = STAGES[c.stage]
    at = c.due
    c.due = None
    if s.step is not None and at is not None:
        s.step(c, at, env)


def step_now(c: ContainerRun, at: float, env: Env) -> None:
    """Start (or restart) a container from scratch at `at` — used when its image changed."""
    _activate(c, at, env)


def stop(c: ContainerRun, at: float) -> None:
    """SIGTERM: a running container exits 0; anything else simply stops being run."""
    if c.stage == "running":
        assert c.started_at is not None
        c.finished_at, c.exit_code = at, 0
        c.term = {"containerID": c.container_id, "exitCode": 0, "finishedAt": _iso(at),
                  "reason": "Completed", "startedAt": _iso(c.started_at)}
        c.kill_due = None
        if c.probes is not None:
            c.probes.stop()
        _enter(c, "done", at, None)
    elif c.stage == "exited":
        _enter(c, "done", at, None)
    elif c.stage == "crash-backoff":
        c.term = c.last
        _enter(c, "done", at, None)
    else:
        c.due = None


# ---- formatting -----------------------------------------------------------------------------

@functools.lru_cache(maxsize=8192)
def _iso_s(t: int) -> str:
    return _dt.datetime.fromtimestamp(t, tz=_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso(t: float) -> str:
    """RFC 3339, second precision (metav1.Time); cached — the same seconds recur constantly."""
    return _iso_s(int(t))


def _go_duration(seconds: float) -> str:
    """Go's time.Duration String (truncated to milliseconds): 512ms, 1.5s, 1m20s, 5m0s."""
    ms = int(round(seconds * 1000))
    if ms < 1000:
        return f"{ms}ms"
    if ms < 60_000:
        s = f"{ms / 1000:.3f}".rstrip("0").rstrip(".")
        return f"{s}s"
    minutes, rest = divmod(ms, 60_000)
    hours, minutes = divmod(minutes, 60)
    sec = f"{rest / 1000:.3f}".rstrip("0").rstrip(".")
    return (f"{hours}h" if hours else "") + f"{minutes}m{sec}s"
