"""Container probes — startup, liveness, readiness — as the kubelet's prober runs them
(k/k `pkg/kubelet/prober/worker.go`, `prober.go`, `pkg/probe/{exec,http,tcp,grpc}`), on the
simulated clock.

Timing (one worker per probe, as upstream):

* A probe first runs `initialDelaySeconds` after its container started, then every
  `periodSeconds` (upstream ticks on a grid started with the pod and re-checks the delay at each
  tick; here the grid starts at the container's start — the same within one period).
* A result only counts after `successThreshold` successes / `failureThreshold` failures in a
  row; until then the probe's state is unchanged. Initial states as upstream: readiness
  Failure (not ready until it passes), liveness Success, startup Unknown.
* A startup probe gates the others: the container is `started` (and liveness and readiness
  begin) only once it passed; then it stops. Readiness runs at once when the container has
  started (the kubelet triggers it manually), liveness once its delay has passed.
* Readiness failure → the container is not ready (pod Ready/ContainersReady False, so the
  endpoints controllers drop it); it keeps running. Liveness (or startup) failure → the
  worker holds, the kubelet records Normal `Killing` "Container <c> failed liveness probe,
  will be restarted" and stops the container: a program that honours SIGTERM (servers) exits 0
  at once, a shell script (PID 1 `sh` ignores SIGTERM) is killed after the grace period
  (the probe's `terminationGracePeriodSeconds`, else the pod's, capped like any grace period
  by the playground timings) with exit code 137. Then the usual restart and crash back-off.
* Every failed attempt records Warning `Unhealthy` "<Liveness|Readiness|Startup> probe
  failed: <output>" (the event recorder aggregates repeats into one Event's count). A probe
  that cannot even run (a named port the container does not declare) records "… probe errored
  and resulted in unknown state: <error>" and its result is thrown away, as upstream.

The rule that decides a simulated probe (there is no real process to ask):

* exec — a tiny shell runs the command inside the container's simulated filesystem:
  `true`, `:`, `exit 0`, `echo`, `printf` succeed; `false` and `exit N` fail;
  `cat F`, `ls F`, `stat F`, `head F`, `test -e|-f|-d|-s F` and `[ -f F ]` succeed only if F
  exists. A file exists while the container's own command has created it and not removed it
  (`touch F`, `echo ok > F`, `mkdir D`; `rm F` — see programs.py, e.g. the upstream example
  `touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600`), or if it belongs to the image
  (/bin, /etc, /lib, /usr, /proc, /sys, /dev, …), or to a configMap/secret/projected/downwardAPI
  volume mount. `sh -c "<script>"` runs a script of those joined by `;`, `&&`, `||`, `|`.
  `sleep N` takes N seconds: at or over `timeoutSeconds` the probe fails with `command "…"
  timed out`. `curl`/`wget` on localhost follow the httpGet rule; `nc -z` the tcp rule. Any
  other command (pg_isready, redis-cli ping, a script of the image) succeeds: the simulated
  service is healthy. Messages are busybox's for busybox/alpine images, GNU coreutils' else.
* httpGet / tcpSocket / grpc — the port (a number, or a name resolved against the container's
  ports) must be one the container listens on: any `containerPort` it declares, plus the
  image's own ports when it runs its server (the image catalog, engine/data/images.json: nginx/httpd
  80, redis 6379, agnhost netexec 8080, … ; unknown server images 8080). Otherwise: "dial tcp <podIP>:<port>: connect:
  connection refused". An httpGet path then answers as the image's catalog `http` rules say
  (agnhost `liveness`: /healthz 200 for its first 10 s, then 500); else 200, except: a path segment `fail`
  (`/fail`, `/healthz/fail`) answers 500; `/status/<code>` answers <code> (like httpbin);
  `/delay/<n>` answers after n seconds (a timeout when n ≥ timeoutSeconds). 200–399 passes,
  anything else fails with "HTTP probe failed with statuscode: <code>".
"""
from __future__ import annotations

import http
import re
import shlex

from .. import image_catalog
from .shell import rootfs

SUCCESS, FAILURE, UNKNOWN = "success", "failure", "unknown"
KINDS = ("startup", "liveness", "readiness")
LABEL = {"startup": "Startup", "liveness": "Liveness", "readiness": "Readiness"}
SHELLS = {"sh", "bash", "ash", "dash", "zsh"}

# The port an image the catalog has no ports for serves on (catalog `fallback`).
SERVER_PORT = 8080
SYSTEM_DIRS = ("/bin/", "/sbin/", "/etc/", "/lib/", "/lib64/", "/usr/", "/proc/", "/sys/", "/dev/",
               "/var/run/secrets/", "/run/secrets/")
SYSTEM_PATHS = {"/", "/bin", "/sbin", "/etc", "/lib", "/usr", "/proc", "/sys", "/dev", "/tmp", "/var",
                "/var/tmp", "/var/log", "/var/run", "/run", "/root", "/home", "/opt", "/srv", "/mnt"}
FILE_VOLUMES = ("configMap", "secret", "projected", "downwardAPI")


# ---- the workers ---------------------------------------------------------------------------------

class _Worker:
    __slots__ = ("kind", "spec", "delay", "period", "timeout", "success", "failure", "grace",
                 "next_at", "last", "run")

    def __init__(self, kind: str, spec: dict):
        self.kind, self.spec = kind, spec
        self.delay = _num(spec.get("initialDelaySeconds"), 0)
        self.period = max(1.0, _num(spec.get("periodSeconds"), 10))
        self.timeout = max(1.0, _num(spec.get("timeoutSeconds"), 1))
        self.success = max(1, int(_num(spec.get("successThreshold"), 1)))
        self.failure = max(1, int(_num(spec.get("failureThreshold"), 3)))
        g = spec.get("terminationGracePeriodSeconds")
        self.grace = None if g is None else _num(g, 30)
        self.next_at: float | None = None
        self.last: str | None = None
        self.run = 0


def _num(v, default) -> float:
    try:
        return float(v) if v is not None else float(default)
    except (TypeError, ValueError):
        return float(default)


class ContainerProbes:
    """The probe workers of one container and what they decided: `started`, `ready`."""

    __slots__ = ("workers", "startup", "liveness", "readiness", "started", "ready", "since")

    def __init__(self, spec: dict):
        self.workers = [_Worker(k, spec[k + "Probe"]) for k in KINDS if isinstance(spec.get(k + "Probe"), dict)]
        by = {w.kind: w for w in self.workers}
        self.startup, self.liveness, self.readiness = by.get("startup"), by.get("liveness"), by.get("readiness")
        self.started = self.startup is None
        self.ready = self.readiness is None
        self.since = 0.0

    def reset(self, at: float) -> None:
        """A new container instance started at `at`: fresh results, first probes scheduled."""
        self.since = at
        self.started = self.startup is None
        self.ready = self.readiness is None
        for w in self.workers:
            w.last, w.run, w.next_at = None, 0, None
        if self.startup is not None:
            self.startup.next_at = at + self.startup.delay
        else:
            self._arm(at)

    def restore(self, started_at: float, now: float, *, started: bool, ready: bool) -> None:
        """After an engine restart: take the reported state, resume probing from `now`."""
        self.reset(started_at)
        self.started = started or self.startup is None
        self.ready = ready or self.readiness is None
        for w in self.workers:
            if w is self.startup and self.started:
                w.next_at = None
            elif w is not self.startup and not self.started:
                w.next_at = None
            else:
                first = started_at + w.delay
                w.next_at = first if first >= now else now + (w.period - (now - first) % w.period)

    def _arm(self, at: float) -> None:
        """The container has started (startup passed, or there is none): begin the others."""
        if self.readiness is not None:
            self.readiness.next_at = max(at, self.since + self.readiness.delay)
        if self.liveness is not None:
            self.liveness.next_at = max(at, self.since + self.liveness.delay)

    def hold(self) -> None:
        """The container is being killed or has exited: no more probing."""
        for w in self.workers:
            w.next_at = None

    def stop(self) -> None:
        self.hold()
        self.ready = False

    def next_due(self) -> float | None:
        due = None
        for w in self.workers:
            if w.next_at is not None and (due is None or w.next_at < due):
                due = w.next_at
        return due

    def run_due(self, c, at: float, env) -> _Worker | None:
        """Run every probe due at `at` (startup, liveness, readiness in that order). Returns the
        worker whose failure means the container must be killed, if any."""
        for w in self.workers:
            if w.next_at is None or w.next_at > at:
                continue
            w.next_at = at + w.period
            result, output = evaluate(w, c, at, env)
            if result == UNKNOWN:
                env.event(c, "Warning", "Unhealthy",
                          f"{LABEL[w.kind]} probe errored and resulted in unknown state: {output}")
                continue                         # a prober error: the result is thrown away
            if result == FAILURE:
                env.event(c, "Warning", "Unhealthy", f"{LABEL[w.kind]} probe failed: {output}")
            if w.last == result:
                w.run += 1
            else:
                w.last, w.run = result, 1
            if w.run < (w.success if result == SUCCESS else w.failure):
                continue                         # below threshold: state unchanged
            if w.kind == "readiness":
                self.ready = result == SUCCESS
            elif result == FAILURE:              # liveness or startup: kill and restart
                w.run = 0
                self.hold()
                return w
            elif w.kind == "startup":
                self.started = True
                w.next_at = None
                self._arm(at)
        return None


def for_container(spec: dict) -> ContainerProbes | None:
    if not any(isinstance(spec.get(k + "Probe"), dict) for k in KINDS):
        return None
    return ContainerProbes(spec)


def kill_message(c, w: _Worker, restart: bool) -> str:
    """k/k kuberuntime_manager computePodActions."""
    msg = f"Container {c.name} failed {w.kind} probe"
    return msg + ", will be restarted" if restart else msg


# ---- evaluation -----------------------------------------------------------------------------------

def evaluate(w: _Worker, c, at: float, env) -> tuple[str, str]:
    """(success|failure|unknown, output or error) for one attempt of probe `w` at time `at`."""
    spec = w.spec
    t = at - (c.started_at or at)
    if isinstance(spec.get("exec"), dict):
        argv = [str(a) for a in spec["exec"].get("command") or ()]
        return _Exec(c, t, env).probe(argv, w.timeout)
    if isinstance(spec.get("httpGet"), dict):
        h = spec["httpGet"]
        port, err = resolve_port(h.get("port"), c.spec)
        if err:
            return UNKNOWN, err
        scheme = str(h.get("scheme") or "HTTP").lower()
        path = str(h.get("path") or "/")
        if not path.startswith("/"):
            path = "/" + path
        host = h.get("host") or _pod_ip(env)
        url = f"{scheme}://{host}:{port}{path}"
        if port not in listening_ports(c):
            return FAILURE, f'Get "{url}": dial tcp {host}:{port}: connect: connection refused'
        code, delay = http_answer(path, c.program, t)
        if delay >= w.timeout:
            return FAILURE, f'Get "{url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
        if 200 <= code < 400:
            return SUCCESS, ""
        return FAILURE, f"HTTP probe failed with statuscode: {code}"
    if isinstance(spec.get("tcpSocket"), dict):
        s = spec["tcpSocket"]
        port, err = resolve_port(s.get("port"), c.spec)
        if err:
            return UNKNOWN, err
        host = s.get("host") or _pod_ip(env)
        if port not in listening_ports(c):
            return FAILURE, f"dial tcp {host}:{port}: connect: connection refused"
        return SUCCESS, ""
    if isinstance(spec.get("grpc"), dict):
        port = int(_num(spec["grpc"].get("port"), 0))
        addr = f"{_pod_ip(env)}:{port}"
        if port not in listening_ports(c):
            return FAILURE, (f'timeout: failed to connect service "{addr}" within {_secs(w.timeout)}: '
                             f"context deadline exceeded")
        return SUCCESS, ""
    return UNKNOWN, f"missing probe handler for {env.namespace}/{env.pod_name}:{c.name}"


def _pod_ip(env) -> str:
    return getattr(env, "pod_ip", "") or ""


def _secs(s: float) -> str:
    return f"{s:g}s"


def resolve_port(port, container: dict) -> tuple[int, str]:
    """k/k pkg/probe ResolveContainerPort: a number, a declared port's name, or a number in a
    string; else the strconv error upstream reports."""
    if isinstance(port, bool):
        port = None
    n: int | None
    if isinstance(port, (int, float)):
        n = int(port)
    else:
        name = str(port if port is not None else "")
        n = None
        for p in container.get("ports") or ():
            if p.get("name") == name:
                n = int(_num(p.get("containerPort"), -1))
                break
        if n is None:
            if not re.fullmatch(r"[+-]?\d+", name):
                return -1, f'strconv.Atoi: parsing "{name}": invalid syntax'
            n = int(name)
    if 0 < n < 65536:
        return n, ""
    return n, f"invalid port number: {n}"


def listening_ports(c) -> set[int]:
    """Declared containerPorts, plus the image's own when the container runs its server (the
    image catalog's ports, or the ones its subcommand and flags chose; 8080 for an unknown one)."""
    ports = {int(_num(p.get("containerPort"), 0)) for p in c.spec.get("ports") or ()}
    if c.program.kind != "shell":
        own = c.program.ports
        if own is None:
            own = image_catalog.entry(c.ref.repository if c.ref.valid else "").get("ports", (SERVER_PORT,))
        ports.update(own)
    return ports


def http_answer(path: str, program=None, t: float = 0.0) -> tuple[int, float]:
    """(status code, seconds to answer) of the simulated server for `path`, `t` seconds after it
    started: the image's own rules first (catalog `http`: agnhost liveness's /healthz answers
    200 for 10 s, then 500), then the playground's conventions below."""
    bare = path.split("?", 1)[0]
    for rule_path, status, for_seconds, then in getattr(program, "http", ()) or ():
        if bare == rule_path:
            return (then if for_seconds is not None and t >= for_seconds else status), 0.0
    segs = [s for s in path.split("?", 1)[0].split("/") if s]
    for i, s in enumerate(segs):
        nxt = segs[i + 1] if i + 1 < len(segs) else ""
        if s == "fail":
            return 500, 0.0
        if s == "status" and nxt.isdigit() and 100 <= int(nxt) <= 599:
            return int(nxt), 0.0
        if s == "delay" and re.fullmatch(r"\d+(\.\d+)?", nxt):
            return 200, float(nxt)
    return 200, 0.0


def file_exists(c, path: str, t: float, env) -> bool:
    path = re.sub(r"/+", "/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    shell_state = getattr(env, "container_file", None)
    if shell_state is not None:
        # A file an exec wrote or removed (or the command's own, as the exec saw it) decides.
        state = shell_state(c, path, t)
        if state is not None:
            return state
    state = c.program.files.exists(path, t)
    if state is not None:
        return state
    if path in SYSTEM_PATHS or path.startswith(SYSTEM_DIRS):
        return True
    volumes = {v.get("name"): v for v in getattr(env, "volumes", None) or ()}
    for m in c.spec.get("volumeMounts") or ():
        mp = (m.get("mountPath") or "").rstrip("/") or "/"
        if path == mp:
            return True
        if path.startswith(mp + "/"):
            v = volumes.get(m.get("name")) or {}
            if any(k in v for k in FILE_VOLUMES):
                return True
    return False


class _Exec:
    """The simulated shell an exec probe runs in."""

    def __init__(self, c, t: float, env):
        self.c, self.t, self.env = c, t, env
        # Error texts are busybox's where the image's userland is busybox (the catalog's bases:
        # busybox, alpine, an -alpine tag), GNU coreutils' elsewhere.
        self.busybox = rootfs.profile(c.ref).busybox if c.ref.valid else False

    def probe(self, argv: list[str], timeout: float) -> tuple[str, str]:
        if not argv:
            return FAILURE, ""
        prog = argv[0].rsplit("/", 1)[-1]
        if prog in SHELLS and len(argv) >= 3 and argv[1].startswith("-") and "c" in argv[1]:
            code, out, took = self.script(argv[2])
        else:
            code, out, took, _ = self.command(argv)
        if took >= timeout:
            return FAILURE, f'command "{" ".join(argv)}" timed out'
        return (SUCCESS if code == 0 else FAILURE), out

    def script(self, script: str) -> tuple[int, str, float]:
        status, out, took, op = 0, "", 0.0, ";"
        for tok in re.split(r"(&&|\|\||;|\n)", script):
            if tok in ("&&", "||", ";", "\n"):
                op = tok
                continue
            text = tok.strip()
            if not text or (op == "&&" and status != 0) or (op == "||" and status == 0):
                continue
            status, o, d, exited = self.pipeline(text)
            out += o
            took += d
            if exited:
                break
        return status, out, took

    def pipeline(self, text: str) -> tuple[int, str, float, bool]:
        status, out, took, exited = 0, "", 0.0, False
        for part in text.split("|"):
            try:
                argv = shlex.split(part)
            except ValueError:
                argv = part.split()
            code, o, d, exited = self.command(argv)
            out += o
            took += d
            if code != 0 and status == 0:
                status = code
            if exited:
                break
        return status, out, took, exited

    def command(self, argv: list[str]) -> tuple[int, str, float, bool]:
        """(exit status, output, seconds taken, whether it was `exit`)."""
        words, quiet = [], False
        i = 0
        while i < len(argv):
            m = re.fullmatch(r"([0-9]|&)?>>?(.*)", argv[i])
            if m:
                if m.group(1) in (None, "1", "&"):
                    quiet = True
                i += 1 if m.group(2) else 2
                continue
            words.append(argv[i])
            i += 1
        if not words:
            return 0, "", 0.0, False
        code, out, took, exited = self._run(words)
        if quiet and code == 0:
            out = ""
        return code, out, took, exited

    def _run(self, argv: list[str]) -> tuple[int, str, float, bool]:
        prog, args = argv[0].rsplit("/", 1)[-1], argv[1:]
        if prog == "exit":
            try:
                return int(args[0]) & 0xFF if args else 0, "", 0.0, True
            except ValueError:
                return 2, "", 0.0, True
        if prog in ("true", ":"):
            return 0, "", 0.0, False
        if prog == "false":
            return 1, "", 0.0, False
        if prog == "echo":
            return 0, " ".join(a for a in args if a != "-n") + "\n", 0.0, False
        if prog == "printf":
            return 0, (args[0].replace("\\n", "\n") if args else ""), 0.0, False
        if prog == "sleep":
            m = re.fullmatch(r"(\d+(?:\.\d+)?)([smh]?)", args[0] if args else "0")
            secs = float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[m.group(2)] if m else 0.0
            return 0, "", secs, False
        if prog in ("test", "["):
            if prog == "[" and args and args[-1] == "]":
                args = args[:-1]
            return (0 if self._test(args) else 1), "", 0.0, False
        paths = [a for a in args if not a.startswith("-")]
        if prog in ("cat", "head", "tail", "ls", "stat", "wc") and paths:
            for p in paths:
                if not file_exists(self.c, p, self.t, self.env):
                    return 1, self._missing(prog, p), 0.0, False
            return 0, ("\n".join(paths) + "\n" if prog == "ls" else ""), 0.0, False
        if prog == "grep" and len(paths) >= 2:
            for p in paths[1:]:
                if not file_exists(self.c, p, self.t, self.env):
                    return 2, f"grep: {p}: No such file or directory\n", 0.0, False
            return 0, "", 0.0, False
        if prog in ("curl", "wget"):
            return self._http_client(prog, args)
        if prog in ("nc", "netcat") and "-z" in " ".join(args):
            nums = [a for a in args if a.isdigit()]
            if nums and int(nums[-1]) not in listening_ports(self.c):
                return 1, "", 0.0, False
            return 0, "", 0.0, False
        return 0, "", 0.0, False            # anything else: the simulated service is healthy

    def _test(self, args: list[str]) -> bool:
        if args and args[0] == "!":
            return not self._test(args[1:])
        if len(args) == 2 and args[0] in ("-e", "-f", "-d", "-s", "-r", "-w", "-x", "-L", "-h", "-a"):
            return file_exists(self.c, args[1], self.t, self.env)
        if len(args) == 2 and args[0] == "-z":
            return args[1] == ""
        if len(args) == 2 and args[0] == "-n":
            return args[1] != ""
        if len(args) == 3 and args[1] in ("=", "=="):
            return args[0] == args[2]
        if len(args) == 3 and args[1] == "!=":
            return args[0] != args[2]
        if len(args) == 3 and args[1] in ("-eq", "-ne", "-lt", "-le", "-gt", "-ge"):
            try:
                a, b = int(args[0]), int(args[2])
            except ValueError:
                return False
            return {"-eq": a == b, "-ne": a != b, "-lt": a < b, "-le": a <= b, "-gt": a > b, "-ge": a >= b}[args[1]]
        if len(args) == 1:
            return args[0] != ""
        return bool(args)

    def _missing(self, prog: str, p: str) -> str:
        if self.busybox:
            return {"cat": f"cat: can't open '{p}': No such file or directory\n",
                    "head": f"head: {p}: No such file or directory\n",
                    "tail": f"tail: can't open '{p}': No such file or directory\n",
                    "stat": f"stat: can't stat '{p}': No such file or directory\n",
                    "wc": f"wc: {p}: No such file or directory\n",
                    }.get(prog, f"{prog}: {p}: No such file or directory\n")
        return {"cat": f"cat: {p}: No such file or directory\n",
                "head": f"head: cannot open '{p}' for reading: No such file or directory\n",
                "tail": f"tail: cannot open '{p}' for reading: No such file or directory\n",
                "ls": f"ls: cannot access '{p}': No such file or directory\n",
                "stat": f"stat: cannot statx '{p}': No such file or directory\n",
                "wc": f"wc: {p}: No such file or directory\n",
                }.get(prog, f"{prog}: {p}: No such file or directory\n")

    def _http_client(self, prog: str, args: list[str]) -> tuple[int, str, float, bool]:
        url = next((a for a in args if re.match(r"https?://", a)), None)
        if url is None:
            return 0, "", 0.0, False
        m = re.match(r"(https?)://([^/:?]+)(?::(\d+))?([^?#]*)", url)
        if m is None:                   # no host to recognise (`http://:80/`): as for a remote one
            return 0, "", 0.0, False
        scheme, host, port, path = m.group(1), m.group(2), m.group(3), m.group(4) or "/"
        if host not in ("localhost", "127.0.0.1", "0.0.0.0", "::1", _pod_ip(self.env)):
            return 0, "", 0.0, False                 # somewhere else: assume it answers
        port = int(port) if port else (443 if scheme == "https" else 80)
        flags = "".join(a[1:] for a in args if a.startswith("-") and not a.startswith("--"))
        if port not in listening_ports(self.c):
            if prog == "wget":
                return 1, f"wget: can't connect to remote host ({_ip_of(host)}): Connection refused\n", 0.0, False
            shown = "s" not in flags or "S" in flags or "--show-error" in args
            return 7, (f"curl: (7) Failed to connect to {host} port {port} after 0 ms: "
                       f"Couldn't connect to server\n" if shown else ""), 0.0, False
        code, delay = http_answer(path, self.c.program, self.t)
        if 200 <= code < 400:
            return 0, "", delay, False
        if prog == "wget":
            phrase = _phrase(code)
            return 1, f"wget: server returned error: HTTP/1.1 {code} {phrase}\n", delay, False
        if "f" in flags or "--fail" in args:
            shown = "s" not in flags or "S" in flags or "--show-error" in args
            return 22, (f"curl: (22) The requested URL returned error: {code}\n" if shown else ""), delay, False
        return 0, "", delay, False


def _ip_of(host: str) -> str:
    return "127.0.0.1" if host == "localhost" else host


def _phrase(code: int) -> str:
    try:
        return http.HTTPStatus(code).phrase
    except ValueError:
        return ""
