"""One pod on a simulated node: its containers' runs (stages.py), the order they start in, and
the PodStatus the kubelet reports for them (k/k `pkg/kubelet/kubelet_pods.go`
generateAPIPodStatus / getPhase, `pkg/kubelet/status/generate.go` for the conditions).

Init containers run one at a time, in order; a restartable init container ("sidecar") lets the
next one start once it is running and keeps running. App containers all start once
initialization is done. The status is a pure function of the runs, so reporting is idempotent:
the kubelet writes only when it differs from what is stored, and re-reports after someone else
(the node lifecycle controller marking pods not ready) changed it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import objects
from ..bounded import Memo
from . import images
from . import probes as probing
from . import stages
from .programs import program_for

KUBELET_CONDITIONS = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady")


_iso = stages._iso


def _make_run(c: dict, *, init: bool, ephemeral: bool = False) -> stages.ContainerRun:
    ref = images.parse(c.get("image") or "")
    sidecar = init and c.get("restartPolicy") == "Always"
    return stages.ContainerRun(name=c.get("name", ""), spec=c, ref=ref, program=program_for(c, ref.repository if ref.valid else ""),
                          init=init, sidecar=sidecar, ephemeral=ephemeral,
                          probes=probing.for_container(c) if (sidecar or not init) and not ephemeral else None)


@dataclass
class PodRun:
    key: str
    uid: str
    node: str
    ip: str
    started: float
    restart_policy: str
    init: list = field(default_factory=list)
    main: list = field(default_factory=list)
    # Ephemeral containers (kubectl debug): started when added to the spec, never restarted, and
    # no part of the pod's phase or readiness.
    ephemeral: list = field(default_factory=list)
    init_done_at: float | None = None
    killing_at: float | None = None      # deletion noticed: containers are being stopped
    kill_due: float | None = None
    kill_from: tuple | None = None       # (grace period start, grace seconds) the kill_due came from
    # A control-plane component stopped from the page (controlplane.py): its process no longer
    # answers its health checks, so the kubelet reports its containers not ready.
    hold_unready: bool = False
    # Volumes (references.py): until every secret/configMap volume is set up there is no sandbox
    # — no pod IP, PodReadyToStartContainers False — and no container starts.
    mounted: bool = False
    mounted_at: float | None = None      # set up after a failed try: containers start from then
    mount_tries: int = 0
    mount_retry_at: float | None = None
    # The pod spec sync_spec last looked at: the same dict again (a status write keeps the
    # stored spec) has nothing new, so the containers are not compared again.
    synced_spec: dict | None = None

    @classmethod
    def for_pod(cls, key: str, pod: dict, node: str, ip: str, now: float) -> "PodRun":
        spec = pod.get("spec") or {}
        run = cls(key, objects.uid_of(pod), node, ip, now, spec.get("restartPolicy") or "Always")
        run.init = [_make_run(c, init=True) for c in spec.get("initContainers") or ()]
        run.main = [_make_run(c, init=False) for c in spec.get("containers") or ()]
        run.ephemeral = [_make_run(c, init=False, ephemeral=True) for c in spec.get("ephemeralContainers") or ()]
        if not run.init:
            run.init_done_at = now
        return run

    def restore(self, status: dict, now: float | None = None) -> None:
        """After an engine restart: pick up containers that were already running or finished
        (their probes resume from `now` with the readiness and started state reported)."""
        start = objects.parse_time(status.get("startTime"))
        if start:
            self.started = start
        by_name = {s.get("name"): s for s in (status.get("initContainerStatuses") or []) +
                   (status.get("containerStatuses") or []) + (status.get("ephemeralContainerStatuses") or [])}
        self.mounted = any(s.get("containerID") for s in by_name.values())
        for c in self.init + self.main + self.ephemeral:
            st = by_name.get(c.name) or {}
            state = st.get("state") or {}
            c.restarts = int(st.get("restartCount") or 0)
            c.last = (st.get("lastState") or {}).get("terminated")
            if "running" in state:
                c.created_once = True
                c.container_id = st.get("containerID") or ""
                c.started_at = objects.parse_time(state["running"].get("startedAt")) or self.started
                if c.probes is not None:
                    c.probes.restore(c.started_at, c.started_at if now is None else now,
                                     started=st.get("started") is not False, ready=bool(st.get("ready")))
                stages._enter(c, "running", c.started_at, stages._running_due(c))
            elif "terminated" in state:
                c.created_once = True
                t = state["terminated"]
                c.term, c.exit_code = t, int(t.get("exitCode") or 0)
                c.started_at = objects.parse_time(t.get("startedAt")) or self.started
                c.finished_at = objects.parse_time(t.get("finishedAt")) or self.started
                stages._enter(c, "done", c.finished_at, None)
        if self.init and all(c.complete for c in self.init):
            self.init_done_at = max((c.finished_at or c.started_at or self.started) for c in self.init)

    # ---- progress ----------------------------------------------------------------------------

    def active(self) -> list:
        acts = []
        for c in self.init:
            acts.append(c)
            if not c.complete:
                return acts + self.ephemeral
        return acts + self.main + self.ephemeral

    def _activation_time(self, c: stages.ContainerRun) -> float:
        if not c.init:
            at = self.init_done_at if self.init_done_at is not None else self.started
        elif (i := self.init.index(c)) == 0:
            at = self.started
        else:
            prev = self.init[i - 1]
            at = (prev.started_at if prev.sidecar else prev.finished_at) or self.started
        return at if self.mounted_at is None else max(at, self.mounted_at)

    def wake_config_errors(self, now: float, env) -> None:
        """Containers waiting on a missing Secret/ConfigMap for their environment try again now
        if that changed (the kubelet was woken by the object's event), not at the next retry."""
        for c in self.active():
            if c.stage == "config-error" and c.due is not None and c.due > now \
                    and env.config_error(c) != c.waiting_message:
                c.due = now

    def config_blocked(self) -> bool:
        for c in self.main:
            if c.stage == "config-error":
                return True
        for c in self.init:
            if c.stage == "config-error":
                return True
        return False

    def advance(self, now: float, env) -> None:
        """Apply every step that is due by `now`, in time order."""
        if self.killing_at is not None:
            return
        for _ in range(10000):
            acts = self.active()
            if self.init_done_at is None and all(c.complete for c in self.init):
                last = self.init[-1]
                self.init_done_at = (last.started_at if last.sidecar else last.finished_at) or self.started
                acts = self.active()
            best = None
            for c in acts:
                if c.stage == "new" and c.due is None:
                    c.due = self._activation_time(c)
                if c.due is not None and c.due <= now and (best is None or c.due < best.due):
                    best = c
            if best is None:
                return
            stages.step(best, env)

    def next_due(self) -> float | None:
        if self.killing_at is not None:
            return self.kill_due
        dues = [c.due for c in self.active() if c.due is not None]
        if self.init_done_at is None and self.init and all(c.complete for c in self.init):
            return self.started
        return min(dues) if dues else None

    def sync_spec(self, pod: dict, at: float, env) -> None:
        """A container's image was changed in the pod spec (the only container field a pod update
        may change): kill it and start the new image — "Container <c> definition changed, will
        be restarted" — or, if it was still waiting (a typo'd tag in ImagePullBackOff), simply
        try the new image now."""
        spec = pod.get("spec") or {}
        if spec is self.synced_spec:
            return
        known = {c.name for c in self.ephemeral}
        for c in spec.get("ephemeralContainers") or ():
            if c.get("name") not in known:          # added through pods/ephemeralcontainers: start it now
                fresh = _make_run(c, init=False, ephemeral=True)
                fresh.due = at
                self.ephemeral.append(fresh)
        for runs, specs in ((self.init, spec.get("initContainers") or ()), (self.main, spec.get("containers") or ())):
            by_name = {c.get("name"): c for c in specs}
            for i, c in enumerate(runs):
                new = by_name.get(c.name)
                if new is None or new.get("image") == c.spec.get("image"):
                    continue
                fresh = _make_run(new, init=c.init)
                if c.stage == "running":
                    env.event(c, "Normal", "Killing", f"Container {c.name} definition changed, will be restarted")
                    stages.stop(c, at)
                fresh.restarts, fresh.created_once, fresh.last = c.restarts, c.created_once, c.term or c.last
                if c.stage not in ("new",) and (not c.init or not c.complete):
                    stages.step_now(fresh, at, env)
                runs[i] = fresh
        self.synced_spec = spec

    def stop_all(self, at: float) -> None:
        for c in self.init + self.main + self.ephemeral:
            stages.stop(c, at)

    # ---- status --------------------------------------------------------------------------------

    def phase(self, *, terminal: bool = False) -> str:
        pending_init = failed_init = False
        for c in self.init:
            if c.sidecar:
                if c.started_at is None:
                    pending_init = True
                continue
            if c.complete:
                continue
            code = c.exit_code if c.term else (c.last or {}).get("exitCode")
            if code not in (None, 0):
                failed_init = True
            else:
                pending_init = True
        if failed_init and self.restart_policy == "Never":
            return "Failed"
        running = waiting = stopped = succeeded = 0
        for c in self.main:
            if c.stage == "running":
                running += 1
            elif c.stage in ("exited", "done") and c.term is not None:
                stopped += 1
                succeeded += c.exit_code == 0
            elif c.last is not None:
                stopped += 1
            else:
                waiting += 1
        if terminal:
            return "Succeeded" if stopped == succeeded == len(self.main) and not failed_init else "Failed"
        if pending_init or failed_init or waiting > 0:
            return "Pending"
        if running > 0:
            return "Running"
        if stopped > 0:
            if self.restart_policy == "Always":
                return "Running"
            if stopped == succeeded:
                return "Succeeded"
            if self.restart_policy == "Never":
                return "Failed"
            return "Running"
        return "Pending"

    def build_status(self, pod: dict, host_ip: str, now: float, *, terminal: bool = False) -> dict:
        old = pod.get("status") or {}
        phase = self.phase(terminal=terminal)
        default_reason = "PodInitializing" if self.init else "ContainerCreating"
        st: dict = {"phase": phase}
        conds = self._conditions(old, phase, now)
        st["conditions"] = conds
        for k in ("message", "reason", "nominatedNodeName"):
            if k in old:
                st[k] = old[k]
        st["hostIP"] = host_ip
        st["hostIPs"] = _host_ips(host_ip)
        if self.mounted:                   # the sandbox (and its address) comes after the volumes
            st["podIP"] = self.ip
            st["podIPs"] = [{"ip": self.ip}]
        st["startTime"] = _iso(self.started)
        if self.init:
            st["initContainerStatuses"] = [_container_status(c, default_reason) for c in self.init]
        st["containerStatuses"] = [_container_status(c, default_reason) for c in self.main]
        if self.ephemeral:
            st["ephemeralContainerStatuses"] = [_container_status(c, "ContainerCreating") for c in self.ephemeral]
        if self.hold_unready:
            for cs in st["containerStatuses"]:
                cs["ready"] = False
        if "qosClass" in old:
            st["qosClass"] = old["qosClass"]
        for k, v in old.items():
            if k not in st and k not in ("initContainerStatuses",):
                st[k] = v
        return st

    def _conditions(self, old: dict, phase: str, now: float) -> list[dict]:
        done = phase in ("Succeeded", "Failed")
        completed = phase == "Succeeded"
        init_waiting = [c.name for c in self.init if not c.complete]
        unready = [c.name for c in self.main if not c.ready or self.hold_unready] + \
                  [c.name for c in self.init if c.sidecar and not c.ready]
        # (type, status, reason, message) of each condition the kubelet owns, in its order
        want: list[tuple[str, str, str | None, str | None]] = [
            ("PodReadyToStartContainers", _TRUE if not done and self.mounted else _FALSE, None, None)]
        if init_waiting and not completed:
            want.append(("Initialized", _FALSE, "ContainersNotInitialized",
                         f"containers with incomplete status: [{' '.join(init_waiting)}]"))
        else:
            want.append(("Initialized", _TRUE, "PodCompleted" if completed and self.init else None, None))
        if done:
            reason = "PodCompleted" if completed else "PodFailed"
            want.append(("Ready", _FALSE, reason, None))
            want.append(("ContainersReady", _FALSE, reason, None))
        elif unready:
            msg = f"containers with unready status: [{' '.join(unready)}]"
            want.append(("Ready", _FALSE, "ContainersNotReady", msg))
            want.append(("ContainersReady", _FALSE, "ContainersNotReady", msg))
        else:
            want.append(("Ready", _TRUE, None, None))
            want.append(("ContainersReady", _TRUE, None, None))
        old_conds = old.get("conditions") or ()
        old_by_type = {c.get("type"): c for c in old_conds}
        out = [c for c in old_conds if c.get("type") not in KUBELET_CONDITIONS
               and c.get("type") != "PodScheduled"]
        for ctype, status, why, message in want:
            prev = old_by_type.get(ctype)
            if prev is not None and prev.get("status") == status:
                since = prev.get("lastTransitionTime") or _iso(now)
            else:
                since = _iso(now)
            out.append(_condition(ctype, status, why, message, since))
        sched = old_by_type.get("PodScheduled")
        out.append(sched if sched is not None else
                   {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": _iso(now)})
        return out


_TRUE, _FALSE = "True", "False"


_HOST_IPS: Memo[list] = Memo(10_000)


def _host_ips(ip: str) -> list:
    """status.hostIPs, one list per node shared by its pods (never changed in place)."""
    got = _HOST_IPS.get(ip)
    if got is None:
        got = _HOST_IPS.put(ip, [{"ip": ip}])
    return got


# Condition dicts are shared between pods: equal conditions (same type, status, reason and
# transition second — a ReplicaSet's pods started together) are one dict, as stored objects are
# never changed in place. Looked up by its fields, so a dict is built only the first time.
# Bounded: cleared when full.
_CONDITIONS: Memo[dict] = Memo(20_000)


def _condition(ctype: str, status: str, reason: str | None, message: str | None, since: str) -> dict:
    """The condition as the kubelet writes it (keys in the stored order; reason and message
    left out when empty)."""
    key = (ctype, status, reason, message, since)
    got = _CONDITIONS.get(key)
    if got is None:
        got = {"lastProbeTime": None, "lastTransitionTime": since}
        if message:
            got["message"] = message
        if reason:
            got["reason"] = reason
        got["status"] = status
        got["type"] = ctype
        _CONDITIONS.put(key, got)
    return got


# Parts of container statuses shared by the pods whose containers are in the same state (stored
# objects are never changed in place): `running` since one second, and no last state.
_RUNNING: Memo[dict] = Memo(10_000)
_NO_LAST_STATE: dict = {}


def _running_state(started_at: str) -> dict:
    got = _RUNNING.get(started_at)
    if got is None:
        got = _RUNNING.put(started_at, {"running": {"startedAt": started_at}})
    return got


def _container_status(c: stages.ContainerRun, default_reason: str) -> dict:
    if c.stage == "running":
        assert c.started_at is not None
        state = _running_state(_iso(c.started_at))
    elif c.stage in ("exited", "done") and c.term is not None:
        state = {"terminated": dict(c.term)}
    else:
        w = {"reason": c.waiting_reason or default_reason}
        if c.waiting_reason and c.waiting_message:
            w["message"] = c.waiting_message
        state = {"waiting": w}
    st: dict = {"name": c.name, "state": state, "lastState": {"terminated": dict(c.last)} if c.last else _NO_LAST_STATE,
          "ready": c.ready, "restartCount": c.restarts}
    if c.created_once:
        st["image"] = c.ref.name
        st["imageID"] = c.ref.image_id
        st["containerID"] = c.container_id
    else:
        st["image"] = c.spec.get("image") or ""
        st["imageID"] = ""
    if c.ephemeral:
        # The prober manager sets ready/started only for regular and init containers: an
        # ephemeral container reports ready false and no started (kubectl describe: Ready False).
        st["ready"] = False
    else:
        st["started"] = c.started
    mounts = c.spec.get("volumeMounts") or ()
    if c.created_once and mounts:
        vm = []
        for m in mounts:
            e = {"name": m.get("name"), "mountPath": m.get("mountPath")}
            if m.get("readOnly"):
                e["readOnly"] = True
                e["recursiveReadOnly"] = "Disabled"
            vm.append(e)
        st["volumeMounts"] = vm
    return st
