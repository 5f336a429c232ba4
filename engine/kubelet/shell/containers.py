"""The kubelet's side of exec and attach: each running container instance's filesystem (made
from its image when first needed, dropped when the instance ends: a restarted container starts
from the image again), the pod's volumes (an emptyDir lives as long as the pod, a
PersistentVolumeClaim's data as long as the server), and the processes exec starts.

Errors are the ones a v1.32 cluster gives (apiserver pod/strategy.go ExecLocation, the kubelet's
streaming server, containerd's exec):
* a pod not scheduled yet: `pod <name> does not have a host assigned` (400);
* a container the pod does not have: `container <c> is not valid for pod <name>` (400);
* a container not running: the kubelet's `container not found ("<c>")`, as plain text (kubectl
  prints `unable to upgrade connection: container not found ("<c>")`);
* a command the image does not have (no shell in pause or distroless): the exec starts and fails
  with containerd's `OCI runtime exec failed: ... executable file not found in $PATH` on the
  error channel."""
from __future__ import annotations

import hashlib
import re
import threading
import time

from ... import errors, objects, resources as kinds, tokens
from . import rootfs, terminal
from .fs import Dir, File, FileSystem, FsError
from .resolver import NetClient
from .interpreter import SHELL_NAMES, Context, Input, Interrupted, IO, Shell, ShellExit, run_shell_command

NODE_ALLOCATABLE = {"cpu": "4", "memory": "8Gi", "ephemeral-storage": "100Gi"}


class PlainTextError(errors.ApiError):
    """An error the kubelet writes as plain text (http.Error), which the apiserver passes on:
    kubectl shows it as `unable to upgrade connection: <text>`."""
    code, reason = 404, "NotFound"
    plain_text = True


class BackendUnreachable(errors.ApiError):
    """The apiserver cannot reach the pod's kubelet (its node is down): a Status with no reason,
    which kubectl prints as `Error from server: error dialing backend: ...`."""
    code, reason = 500, ""


class _Instance:
    """One container instance's filesystem and process table."""

    def __init__(self, fs: FileSystem, main_cmd: str, files):
        self.fs = fs
        self.processes = [[1, main_cmd, None]]
        self.next_pid = [7]
        self.lock = threading.Lock()
        # The container's own command creates and removes files on a timeline (programs.Files:
        # `touch /tmp/healthy; sleep 30; rm /tmp/healthy`); its steps are applied to this
        # filesystem as time passes, so an exec sees them and can undo them until the next step.
        self.sessions: list[Process] = []      # exec/attach sessions running in this instance
        self.files = files
        self.timeline_paths = {p for _, _, p in files.ops} | {p for _, _, p in files.loop}
        self.synced: float | None = None

    def sync(self, t: float) -> None:
        """Apply the command's file steps between the last sync and `t` (seconds since start)."""
        with self.lock:
            for path in sorted(self.timeline_paths):
                now = self.files.exists(path, t)
                before = None if self.synced is None else self.files.exists(path, self.synced)
                if now is None or now == before:
                    continue
                try:
                    if now and not self.fs.exists(path):
                        self.fs.mkdir(path.rsplit("/", 1)[0] or "/", parents=True)
                        self.fs.write(path, b"")
                    elif not now and self.fs.exists(path):
                        self.fs.remove(path, recursive=True)
                except Exception:       # a path through a read-only volume or a file: leave it
                    pass
            self.synced = t if self.synced is None else max(self.synced, t)


class ContainerShells:
    def __init__(self, store, clock):
        self.store, self.clock = store, clock
        self._instances: dict[tuple, _Instance] = {}
        self._pod_volumes: dict[str, dict[str, Dir]] = {}     # pod uid -> emptyDir name -> contents
        self._claims: dict[tuple[str, str], Dir] = {}         # (namespace, claim) -> contents
        self._host_paths: dict[tuple[str, str], Dir] = {}     # (node, path) -> contents
        self._lock = threading.Lock()
        self.network = None     # the kubelet's PodNetwork (network.py), what curl/nslookup reach

    def filesystem(self, pod: dict, run, c, host_ip: str) -> FileSystem:
        """The running container instance's filesystem (a web server's files: what exec wrote)."""
        prof = rootfs.profile(c.ref)
        inst = self._instance(pod, run, c, c.spec, prof, host_ip)
        if c.started_at is not None:
            inst.sync(self.clock.now() - c.started_at)
        return inst.fs

    def file_state(self, uid: str, c, path: str, t: float) -> bool | None:
        """For an exec probe: whether `path` exists in the container, when an exec has opened its
        filesystem and the path is one an exec or the command's own timeline changed; None
        otherwise (the probe's own rule decides)."""
        inst = self._instances.get((uid, c.name, c.container_id))
        if inst is None:
            return None
        inst.sync(t)
        if path in inst.fs.changed or path in inst.timeline_paths:
            return inst.fs.exists(path)
        return None

    def forget_pod(self, uid: str) -> None:
        with self._lock:
            self._pod_volumes.pop(uid, None)
            for key in [k for k in self._instances if k[0] == uid]:
                self._end(self._instances.pop(key))

    def check_stopped(self, run) -> None:
        """After the kubelet moved a pod's containers on: an instance whose container stopped
        (exited, killed, restarted as a new instance) ends its exec sessions, as the runtime
        kills the processes with the container (kubectl: `command terminated with exit code 137`)."""
        if not self._instances:
            return
        with self._lock:
            for key in [k for k in self._instances if k[0] == run.uid]:
                c = next((x for x in run.init + run.main + run.ephemeral if x.name == key[1]), None)
                if c is None or c.container_id != key[2] or c.stage != "running":
                    self._end(self._instances.pop(key))

    @staticmethod
    def _end(inst: "_Instance") -> None:
        for session in list(inst.sessions):
            session.kill()

    @staticmethod
    def token(pod: dict) -> bytes:
        """The ServiceAccount token mounted in the pod (what the in-cluster API accepts from it)."""
        return _token(pod)

    # ---- a container whose own command talks to the network ------------------------------------

    def run_at_start(self, pod: dict, pod_ip: str, c, host_ip: str) -> tuple[int, list[str], float] | None:
        """A container whose command is a network one-shot (`wget -qO- web`, `sh -c 'nslookup
        db && curl -s web'`: an init container waiting for a Service, `kubectl run --rm -i ...
        -- wget`): its result depends on the cluster when it starts, so the command runs in the
        container's shell then, on simulated time — a sleep or a connection timeout adds to how
        long it runs instead of waiting. (exit code, lines it wrote, seconds it ran); None for
        any other command (programs.py's rules) and for loops, which may never end."""
        argv = [str(a) for a in list(c.spec.get("command") or ()) + list(c.spec.get("args") or ())]
        if not argv or self.network is None:
            return None
        name = argv[0].rsplit("/", 1)[-1]
        script = argv[2] if name in SHELL_NAMES and len(argv) >= 3 and argv[1] in ("-c", "-ec", "-ce") else None
        words = re.findall(r"[A-Za-z_][\w.-]*", script) if script is not None else [name]
        if not NET_TOOLS & set(words) or {"while", "until", "for"} & set(words):
            return None
        prof = rootfs.profile(c.ref)
        if name not in prof.commands and name not in prof.shells:
            return None
        pod = objects.clone(pod)
        pod.setdefault("status", {})["podIP"] = pod_ip
        inst = self._instance(pod, _Started(pod_ip, objects.uid_of(pod)), c, c.spec, prof, host_ip)
        ctx = self._context(pod, None, c, c.spec, prof, inst, host_ip, False)
        waited = [0.0]

        def simulated_sleep(seconds: float, event=None) -> bool:
            waited[0] += 0 if seconds == float("inf") else seconds
            return False
        ctx.sleep = simulated_sleep
        written = bytearray()
        io = IO(Input(), written.extend, written.extend, False)
        try:
            if script is not None:
                ctx.flavour = prof.flavour(name)
                code = run_shell_command(ctx, argv, io)
            else:
                ctx.flavour = prof.flavour("sh")
                ctx.direct = True
                code = Shell(ctx).run_argv(argv, io)
        except ShellExit as e:
            code = e.code
        except Interrupted:
            code = 130
        lines = written.decode(errors="replace").splitlines()
        return code, lines, waited[0]

    # ---- exec ----------------------------------------------------------------------------------

    def exec(self, pod: dict, run, container: str | None, command: list[str], *, tty: bool, stdin: bool,
             host_ip: str = "") -> "Process":
        c, spec = self._running(pod, run, container)
        prof = rootfs.profile(c.ref)
        inst = self._instance(pod, run, c, spec, prof, host_ip)
        if c.started_at is not None:
            inst.sync(self.clock.now() - c.started_at)
        ctx = self._context(pod, run, c, spec, prof, inst, host_ip, tty)
        failure = None
        argv0 = command[0] if command else ""
        name = argv0.rsplit("/", 1)[-1]
        known = name in prof.commands or (name in SHELL_NAMES and name in prof.shells)
        if not known or ("/" in argv0 and not _on_path(argv0)):
            failure = _oci_failure(pod, c, argv0)
        return Process(ctx, prof, command, tty=tty, stdin=stdin, failure=failure, inst=inst)

    def attach(self, pod: dict, run, container: str | None, *, tty: bool, stdin: bool, read_log,
               host_ip: str = "", on_exit=None) -> "Process":
        c, spec = self._running(pod, run, container)
        prof = rootfs.profile(c.ref)
        inst = self._instance(pod, run, c, spec, prof, host_ip)
        ctx = self._context(pod, run, c, spec, prof, inst, host_ip, tty)
        argv = list(spec.get("command") or ()) + list(spec.get("args") or ())
        name = (argv[0] if argv else (prof.command[0] if prof.command else "")).rsplit("/", 1)[-1]
        shell_main = name in SHELL_NAMES and name in prof.shells and spec.get("stdin") and len(argv) <= 1
        if shell_main and stdin:
            return Process(ctx, prof, [name], tty=tty, stdin=True, failure=None, inst=inst, pid=1, on_exit=on_exit)
        return Process(ctx, prof, [], tty=tty, stdin=stdin, failure=None, inst=inst, log=read_log)

    def read_file(self, pod: dict, run, c, spec: dict, path: str, host_ip: str = "") -> bytes | None:
        """A file of container instance `c` as its own processes see it (a web server serving
        it to port-forward), exec's changes included; None when there is no such file."""
        inst = self._instance(pod, run, c, spec, rootfs.profile(c.ref), host_ip)
        if c.started_at is not None:
            inst.sync(self.clock.now() - c.started_at)
        try:
            return inst.fs.read(path)
        except FsError:             # missing, or a directory: not a file to serve
            return None

    def _running(self, pod: dict, run, container: str | None):
        name = objects.name_of(pod)
        spec = pod.get("spec") or {}
        if not spec.get("nodeName"):
            raise errors.BadRequest(f"pod {name} does not have a host assigned")
        all_specs = {c.get("name"): c for key in ("containers", "initContainers", "ephemeralContainers")
                     for c in spec.get(key) or ()}
        if not container:
            container = (spec.get("containers") or [{}])[0].get("name")
        if container not in all_specs:
            raise errors.BadRequest(f"container {container} is not valid for pod {name}")
        c = None
        if run is not None and run.uid == objects.uid_of(pod):
            c = next((x for x in run.init + run.main + run.ephemeral if x.name == container), None)
        if c is None or c.stage != "running" or run.killing_at is not None:
            raise PlainTextError(f'container not found ("{container}")')
        return c, all_specs[container]

    def _instance(self, pod, run, c, spec, prof, host_ip) -> _Instance:
        uid = objects.uid_of(pod)
        key = (uid, c.name, c.container_id)
        with self._lock:
            inst = self._instances.get(key)
            if inst is not None:
                return inst
            for old in [k for k in self._instances if k[:2] == key[:2]]:
                self._end(self._instances.pop(old))   # the previous instance of a restarted container
            now = self.clock.now()
            fs = rootfs.build_fs(prof, pod=pod, pod_ip=run.ip, now=now, clock=self.clock.now)
            self._mount_volumes(fs, pod, spec, host_ip, now)
            argv = list(spec.get("command") or ()) + list(spec.get("args") or ())
            main = " ".join(argv) if argv else (prof.command[0] if prof.command else "")
            fs.changed.clear()
            inst = self._instances[key] = _Instance(fs, main, c.program.files)
            for extra in prof.command[1:] if not argv else ():
                inst.processes.append([len(inst.processes) + 28, extra, None])
            return inst

    def _mount_volumes(self, fs: FileSystem, pod: dict, spec: dict, host_ip: str, now: float) -> None:
        pspec, md = pod.get("spec") or {}, pod.get("metadata") or {}
        ns, uid = md.get("namespace", ""), md.get("uid", "")
        volumes = {v.get("name"): v for v in pspec.get("volumes") or ()}
        for mount in spec.get("volumeMounts") or ():
            vol = volumes.get(mount.get("name"))
            path = mount.get("mountPath")
            if vol is None or not path:
                continue
            node = self._volume(vol, pod, ns, uid, host_ip, now)
            sub = mount.get("subPath")
            if sub:
                for part in [p for p in sub.split("/") if p]:
                    nxt = node.entries.get(part)
                    if nxt is None:
                        if node.readonly:
                            break
                        nxt = node.entries[part] = Dir(mtime=now)
                    node = nxt
                if isinstance(node, File):
                    fs.mkdir(path.rsplit("/", 1)[0] or "/", parents=True)
                    fs.put(fs.norm(path), node)
                    continue
            fs.mount(path, node)

    def _volume(self, vol: dict, pod: dict, ns: str, uid: str, host_ip: str, now: float) -> Dir:
        name = vol.get("name")
        with_lookup = self._lookup
        if "configMap" in vol:
            src = vol["configMap"] or {}
            return rootfs.data_dir(rootfs.configmap_items(with_lookup("configmaps", ns, src.get("name"))),
                                   src.get("items"), now)
        if "secret" in vol:
            src = vol["secret"] or {}
            return rootfs.data_dir(rootfs.secret_items(with_lookup("secrets", ns, src.get("secretName"))),
                                   src.get("items"), now)
        if "downwardAPI" in vol:
            return self._downward(vol["downwardAPI"].get("items") or [], pod, host_ip, now)
        if "projected" in vol:
            root = Dir(mtime=now)
            for source in (vol["projected"] or {}).get("sources") or ():
                part = None
                if "configMap" in source:
                    s = source["configMap"] or {}
                    items = rootfs.configmap_items(with_lookup("configmaps", ns, s.get("name")))
                    if not items and s.get("name") == "kube-root-ca.crt":
                        items = {"ca.crt": rootfs.CLUSTER_CA.encode()}   # the root CA publisher's copy
                    part = rootfs.data_dir(items, s.get("items"), now)
                elif "secret" in source:
                    s = source["secret"] or {}
                    part = rootfs.data_dir(rootfs.secret_items(with_lookup("secrets", ns, s.get("name"))),
                                           s.get("items"), now)
                elif "downwardAPI" in source:
                    part = self._downward((source["downwardAPI"] or {}).get("items") or [], pod, host_ip, now)
                elif "serviceAccountToken" in source:
                    s = source["serviceAccountToken"] or {}
                    part = Dir(entries={s.get("path") or "token": File(_token(pod), 0o600, now)})
                if part is not None:
                    root.entries.update(part.entries)
            root.readonly = True
            return root
        if "persistentVolumeClaim" in vol:
            claim = (vol["persistentVolumeClaim"] or {}).get("claimName", "")
            return self._claims.setdefault((ns, claim), Dir(mtime=now))
        if "hostPath" in vol:
            node = (pod.get("spec") or {}).get("nodeName", "")
            return self._host_paths.setdefault((node, (vol["hostPath"] or {}).get("path", "")), Dir(mtime=now))
        # emptyDir, and anything else: the pod's own directory, shared by its containers
        return self._pod_volumes.setdefault(uid, {}).setdefault(name or "", Dir(mode=0o777, mtime=now))

    def _downward(self, items, pod, host_ip, now) -> Dir:
        root = Dir(mtime=now)
        spec = pod.get("spec") or {}
        for item in items:
            path = item.get("path")
            if not path:
                continue
            if item.get("fieldRef"):
                value = rootfs.field_value(pod, item["fieldRef"].get("fieldPath", ""), host_ip)
            elif item.get("resourceFieldRef"):
                ref = item["resourceFieldRef"]
                c = next((x for x in spec.get("containers") or () if x.get("name") == ref.get("containerName")),
                         (spec.get("containers") or [{}])[0])
                value = rootfs.resource_value(c, ref, NODE_ALLOCATABLE)
            else:
                continue
            root.entries[path] = File(value.encode(), 0o644, now)
        root.readonly = True
        return root

    def _lookup(self, plural: str, ns: str, name: str | None) -> dict | None:
        rt = kinds.lookup("", plural)
        if rt is None or not name:
            return None
        return self.store.try_get(rt, ns, name)

    # ---- environment ---------------------------------------------------------------------------

    def _context(self, pod, run, c, spec, prof, inst: _Instance, host_ip: str, tty: bool) -> Context:
        md, pspec = pod.get("metadata") or {}, pod.get("spec") or {}
        ns = md.get("namespace", "")
        user = _user(inst.fs, pspec, spec)
        env = {"PATH": prof.env.get("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
               "HOSTNAME": rootfs.hostname_of(pod)}
        if tty:
            env["TERM"] = "xterm"
        own = self._container_env(pod, spec, ns, host_ip)
        env.update(own)
        svcs = []
        rt = kinds.lookup("", "services")
        if rt is not None:
            if pspec.get("enableServiceLinks", True):
                svcs = [s for s in self.store.list(rt, ns)[0]]
            if ns != "default" or not svcs:
                k8s = self.store.try_get(rt, "default", "kubernetes")
                if k8s is not None and all(objects.name_of(s) != "kubernetes" for s in svcs):
                    svcs.append(k8s)
        for k, v in rootfs.service_env(svcs).items():
            env.setdefault(k, v)
        for k, v in prof.env.items():
            env.setdefault(k, v)
        env.setdefault("HOME", user[4])
        workdir = spec.get("workingDir") or prof.workdir or "/"
        if not inst.fs.is_dir(workdir):
            inst.fs.mkdir(workdir, parents=True)
        env["PWD"] = workdir
        return Context(fs=inst.fs, hostname=rootfs.hostname_of(pod), env=env, flavour=prof.flavour(),
                       clock=self.clock.now, user=user[:4], processes=inst.processes,
                       next_pid=inst.next_pid, tty="pts/0" if tty else None,
                       network=NetClient(self.network, pod, c.ref) if self.network is not None else None)

    def _container_env(self, pod: dict, spec: dict, ns: str, host_ip: str) -> dict:
        env: dict[str, str] = {}
        for src in spec.get("envFrom") or ():
            prefix = src.get("prefix") or ""
            if src.get("configMapRef"):
                items = rootfs.configmap_items(self._lookup("configmaps", ns, src["configMapRef"].get("name")))
            elif src.get("secretRef"):
                items = rootfs.secret_items(self._lookup("secrets", ns, src["secretRef"].get("name")))
            else:
                continue
            for k, v in items.items():
                env[prefix + k] = v.decode(errors="replace")
        for e in spec.get("env") or ():
            name = e.get("name")
            if not name:
                continue
            if "value" in e or not e.get("valueFrom"):
                env[name] = rootfs.expand_refs(str(e.get("value") or ""), env)
                continue
            vf = e["valueFrom"]
            if vf.get("fieldRef"):
                env[name] = rootfs.field_value(pod, vf["fieldRef"].get("fieldPath", ""), host_ip)
            elif vf.get("resourceFieldRef"):
                env[name] = rootfs.resource_value(spec, vf["resourceFieldRef"], NODE_ALLOCATABLE)
            elif vf.get("configMapKeyRef"):
                ref = vf["configMapKeyRef"]
                items = rootfs.configmap_items(self._lookup("configmaps", ns, ref.get("name")))
                if ref.get("key") in items:
                    env[name] = items[ref["key"]].decode(errors="replace")
            elif vf.get("secretKeyRef"):
                ref = vf["secretKeyRef"]
                items = rootfs.secret_items(self._lookup("secrets", ns, ref.get("name")))
                if ref.get("key") in items:
                    env[name] = items[ref["key"]].decode(errors="replace")
        return env


NET_TOOLS = {"curl", "wget", "nslookup", "getent", "host", "ping", "nc"}


class _Started:
    """What _instance needs of a pod's run when the container is only now starting."""

    def __init__(self, ip: str, uid: str):
        self.ip, self.uid = ip, uid


def _on_path(argv0: str) -> bool:
    return argv0.rsplit("/", 1)[0] in ("/bin", "/usr/bin", "/sbin", "/usr/sbin", "/usr/local/bin")


def _oci_failure(pod: dict, c, argv0: str) -> str:
    exec_id = hashlib.sha256(f"{objects.uid_of(pod)}/{c.name}/{argv0}/{time.monotonic_ns()}".encode()).hexdigest()
    what = f'exec: "{argv0}": executable file not found in $PATH' if "/" not in argv0 else \
        f'exec: "{argv0}": stat {argv0}: no such file or directory'
    return (f'error executing command in container: failed to exec in container: failed to start exec "{exec_id}": '
            f"OCI runtime exec failed: exec failed: unable to start container process: {what}: unknown")


def _token(pod: dict) -> bytes:
    return tokens.pod_token(pod).encode()


def _user(fs: FileSystem, pspec: dict, spec: dict) -> tuple:
    """(uid, gid, user, group, home) from runAsUser/runAsGroup and the image's /etc/passwd."""
    sc, psc = spec.get("securityContext") or {}, pspec.get("securityContext") or {}
    uid = sc.get("runAsUser", psc.get("runAsUser", 0))
    gid = sc.get("runAsGroup", psc.get("runAsGroup"))
    user, home, group = "", "/", ""
    try:
        for line in fs.read("/etc/passwd").decode().splitlines():
            f = line.split(":")
            if len(f) >= 7 and f[2] == str(uid):
                user, home = f[0], f[5]
                if gid is None:
                    gid = int(f[3])
                break
    except Exception:       # no /etc/passwd: numeric ids only
        pass
    if gid is None:
        gid = 0 if uid == 0 else uid
    try:
        for line in fs.read("/etc/group").decode().splitlines():
            f = line.split(":")
            if len(f) >= 3 and f[2] == str(gid):
                group = f[0]
                break
    except Exception:       # no /etc/group
        pass
    if uid == 0:
        user, home = user or "root", home if home != "/" else "/root"
    return (int(uid), int(gid), user, group, home)


class Process:
    """One exec (or attach) session. The web layer feeds `stdin` (`feed`, `close`), calls
    `resize`, then `run(out, err)` → exit code; `failure` is set when the runtime could not start
    the command at all (the exec's error Status is then an InternalError with that text)."""

    def __init__(self, ctx: Context, prof, command: list[str], *, tty: bool, stdin: bool, failure: str | None,
                 inst: _Instance, log=None, pid: int | None = None, on_exit=None):
        self.ctx, self.prof, self.command, self.tty = ctx, prof, command, tty
        self.failure = failure
        self.stdin = Input.pipe() if stdin else Input()
        self._inst, self._log = inst, log
        self.size = (80, 24)
        self._pid = pid
        self._on_exit = on_exit       # the main process (an attached shell) ended: its container too
        self.killed = False
        ctx.sleep = self._sleep
        self.done = threading.Event()

    # the web layer's calls
    def feed(self, data: bytes) -> None:
        if self.tty and self.ctx.busy and b"\x03" in data:
            self.ctx.interrupt.set()
            data = data.replace(b"\x03", b"")
        self.stdin.feed(data)

    def close_stdin(self) -> None:
        self.stdin.close()

    def resize(self, width: int, height: int) -> None:
        self.size = (width, height)
        if width > 0:
            self.ctx.columns = width

    def cancel(self) -> None:
        """The client went away: stop whatever runs."""
        self.ctx.cancel.set()
        self.stdin.close()

    def kill(self) -> None:
        """The container stopped under the session: it ends with 137 (SIGKILL)."""
        self.killed = True
        self.cancel()

    def _sleep(self, seconds: float, event=None) -> bool:
        deadline = time.monotonic() + seconds if seconds != float("inf") else None
        while deadline is None or time.monotonic() < deadline:
            if self.ctx.cancel.is_set() or self.ctx.interrupt.is_set():
                return True
            wait = 0.1 if deadline is None else min(0.1, max(0.0, deadline - time.monotonic()))
            self.ctx.cancel.wait(wait)
        return False

    def run(self, out, err) -> int:
        code = 1
        with self._inst.lock:
            self._inst.sessions.append(self)
        try:
            code = self._run(out, err)
            if self.killed:
                code = 137
            return code
        finally:
            with self._inst.lock:
                if self in self._inst.sessions:
                    self._inst.sessions.remove(self)
            self.done.set()
            if self._on_exit is not None and not self.killed:
                self._on_exit(code)

    def _run(self, out, err) -> int:
        if self._log is not None:
            return self._follow(out)
        if self.tty:
            out = terminal.crlf(out)
            err = out
        pid = self._pid
        with self._inst.lock:
            if pid is None:
                pid = self.ctx.next_pid[0]
                self.ctx.next_pid[0] += 6
                self._inst.processes.append([pid, " ".join(self.command), self.ctx.tty])
        try:
            argv = self.command
            name = argv[0].rsplit("/", 1)[-1]
            if name in SHELL_NAMES:
                self.ctx.flavour = self.prof.flavour(name)
                rest = argv[1:]
                if self.tty and not [a for a in rest if not a.startswith("-") or a == "-c"]:
                    sh = Shell(self.ctx, interactive=True)
                    return terminal.interactive(sh, self.stdin, out)
                return run_shell_command(self.ctx, [name] + rest, IO(self.stdin, out, err, self.tty))
            self.ctx.flavour = self.prof.flavour("sh")
            self.ctx.direct = True
            sh = Shell(self.ctx)
            try:
                return sh.run_argv(argv, IO(self.stdin, out, err, self.tty))
            except ShellExit as e:
                return e.code
        except Interrupted:
            return 130
        finally:
            with self._inst.lock:
                self._inst.processes[:] = [p for p in self._inst.processes if p[0] != pid or pid == 1]

    def _follow(self, out) -> int:
        """attach to a container whose main process is not a shell: what it writes from now on."""
        if self.tty:
            out = terminal.crlf(out)
        text = self._log()
        sent = len(text or "")
        while not self.ctx.cancel.is_set():
            self.ctx.cancel.wait(0.25)
            text = self._log()
            if text is None:
                return 0
            if len(text) > sent:
                out(text[sent:].encode())
                sent = len(text)
        return 0
