"""What a simulated container does once started: run forever, or exit with a code after a
while — and what it writes to its log.

Read from the container's command/args, else from the image's default command:

* `["false"]` exits 1 at once, `["true"]` exits 0; `["sleep", "N"]` exits 0 after N seconds
  (`sleep infinity` never exits); `["echo", ...]` prints and exits 0.
* `sh -c "<script>"` (also bash/ash) is read statement by statement: `echo` prints, `sleep N`
  takes N seconds, `exit N` stops with N, `false`/`true` set the status, a `while`/`until` loop,
  `tail -f` or `sleep infinity` runs forever; falling off the end exits with the last status.
* Files: `touch F`, `mkdir D`, `echo … > F` (any `>`/`>>` redirection), `cp A F`, `mv A F`
  create a file when the script reaches them, `rm F` (also `-f`/`-r`) and `mv F B` remove one.
  The `Files` timeline they make is what exec probes see (probes.py): the upstream liveness
  example `touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600` has /tmp/healthy for
  its first 30 seconds. The body of a `while true; do …; done` loop repeats for ever, so
  `while true; do touch /tmp/ready; sleep 10; rm /tmp/ready; sleep 10; done` flaps.
* Commands listed in data/commands.json (the kubernetes.io pi Job's `perl -Mbignum=bpi -wle
  'print bpi(2000)'`) print what the file beside it holds and exit as listed; interpreters given
  inline code there (`python -c "print('hi')"`, `perl -e`, `node -e`, `ruby -e`) print its
  string literals, sleep its sleeps and exit 0, or run for ever when the code loops.
* No command (or args only, for an image whose ENTRYPOINT takes them), or a command naming the
  image's own program (`stress`, `etcd`, `/agnhost`): the image catalog's behaviour
  (engine/data/images.json, docs/images.md) — servers (nginx, httpd, redis, ...; anything
  unknown) serve on their ports forever; shells and REPLs (busybox, alpine, ubuntu, python, ...)
  exit 0 at once because nothing is attached to their stdin — so under `restartPolicy: Always`
  they end in CrashLoopBackOff, as on a real cluster; postgres/mysql/mariadb without their
  password variables exit 1 with the image's own complaint; agnhost runs the subcommand its args
  name (`liveness` serves /healthz 200 for 10 s, then 500).
* `wget`/`curl` fetching a URL (an init container's `wget -O /work-dir/index.html
  http://info.cern.ch`) take a second, create their output file and exit 0 (catalog `tools`).

On SIGTERM (pod deletion) a container exits 0.
"""
from __future__ import annotations

import datetime as _dt
import functools
import json
import pathlib
import re
import shlex
from dataclasses import dataclass, replace

from .. import image_catalog, quantity, usage
from ..bounded import Memo

FOREVER = None

SHELLS = {"sh", "bash", "ash", "dash", "zsh"}


@dataclass(frozen=True)
class Files:
    """When the container's own command creates and removes files: `ops` are
    (seconds after start, "create"|"remove", path) in script order; when `period` > 0 the
    `loop` ops (offsets within one pass) repeat every `period` seconds from `loop_start` on."""
    ops: tuple[tuple[float, str, str], ...] = ()
    loop_start: float = 0.0
    period: float = 0.0
    loop: tuple[tuple[float, str, str], ...] = ()

    def exists(self, path: str, t: float) -> bool | None:
        """True/False if the command had created/removed `path` by `t` seconds after it
        started; None if it never touches that path."""
        state = None
        for at, op, p in self.ops:
            if at > t:
                break
            if p == path:
                state = op == "create"
        if self.period > 0 and t >= self.loop_start:
            mine = [(at, op) for at, op, p in self.loop if p == path]
            if mine:
                n, off = divmod(t - self.loop_start, self.period)
                before = [op for at, op in mine if at <= off]
                if before:
                    state = before[-1] == "create"
                elif n >= 1:
                    state = mine[-1][1] == "create"
        return state


NO_FILES = Files()


@dataclass(frozen=True)
class Program:
    exit_code: int | None          # None: runs until stopped
    runs_for: float                # seconds until it exits (when exit_code is not None)
    kind: str                      # "nginx", "redis", "shell", ... chooses the log text
    output: tuple[str, ...] = ()   # lines the command itself prints
    files: Files = NO_FILES        # files the command creates and removes (exec probes look)
    # A `while`/`until` loop's own lines, printed again every `loop_period` seconds from
    # `loop_start` (seconds after the container started) for as long as it runs.
    loop_output: tuple[str, ...] = ()
    loop_start: float = 0.0
    loop_period: float = 0.0
    exit_reason: str | None = None   # the terminated state's reason when not Completed/Error
    # The image's own server, when it runs: the ports it listens on (None: the catalog's ports
    # for the image) and how its HTTP answers change over time (catalog `http` rules).
    ports: tuple[int, ...] | None = None
    http: tuple[tuple[str, int, float | None, int], ...] = ()   # (path, status, for_seconds, then)


# How long a process that wants more memory than its limit runs before the kernel's OOM killer
# ends it: `stress --vm-bytes` allocates its whole amount within a moment of starting.
OOM_AFTER = 0.5


@functools.lru_cache(maxsize=1)
def _known_commands() -> dict[tuple[str, ...], Program]:
    """data/commands.json: commands whose output is data (the pi job's digits), not a rule."""
    here = pathlib.Path(__file__).parent / "data"
    table = json.loads((here / "commands.json").read_text())
    out = {}
    for row in table["commands"]:
        lines = tuple((here / row["output_file"]).read_text().splitlines()) if row.get("output_file") else ()
        out[tuple(row["argv"])] = Program(row.get("exit_code", 0), float(row.get("runs_for", 0.0)),
                                          "shell", lines)
    return out


def _known(argv: list[str]) -> Program | None:
    if not argv:
        return None
    return _known_commands().get((argv[0].rsplit("/", 1)[-1], *argv[1:]))


@functools.lru_cache(maxsize=1)
def _interpreters() -> dict[str, dict]:
    table = json.loads((pathlib.Path(__file__).parent / "data" / "commands.json").read_text())
    return {prog: row for row in table.get("interpreters", ()) for prog in row["programs"]}


def _interpreted(argv: list[str]) -> Program | None:
    """An interpreter given its program inline (data/commands.json `interpreters`): the lines its
    code prints as string literals, the seconds it sleeps, or for ever if it loops."""
    row = _interpreters().get(re.sub(r"[\d.]+$", "", argv[0].rsplit("/", 1)[-1]) if argv else "")
    if row is None:
        row = _interpreters().get(argv[0].rsplit("/", 1)[-1]) if argv else None
    if row is None:
        return None
    code = next((argv[i + 1] for i, a in enumerate(argv[1:-1], 1) if a in row["inline"]), None)
    if code is None:
        return None
    printed = tuple(next((g for g in m.groups() if g), "") for m in re.finditer(row["print"], code))
    if re.search(row["forever"], code):
        return Program(FOREVER, 0.0, "shell", printed[:20])
    unit = float(row.get("sleep_unit", 1.0))
    slept = sum(float(m.group(1)) * unit for m in re.finditer(row["sleep"], code))
    return Program(0, float(row["runs_for"]) + slept, "shell", printed)


def program_for(container: dict, repository: str) -> Program:
    """What the container's process does — unless it wants more memory than its limit, in
    which case the cgroup's OOM killer ends it (SIGKILL: exit 137, reason OOMKilled) as soon as
    it has allocated past the limit, wherever its own program would have gone."""
    program = _program_of(container, repository)
    limit = ((container.get("resources") or {}).get("limits") or {}).get("memory")
    if limit is not None and usage.demand(container)[1] > quantity.parse_quantity(limit):
        if program.exit_code is None or program.runs_for > OOM_AFTER:
            return replace(program, exit_code=137, runs_for=OOM_AFTER, exit_reason="OOMKilled")
    return program


# _program's result by what it reads (the pods of one template ask the same question, each
# with its own copy of the container): Programs are immutable, so one serves them all. Bounded.
_PROGRAMS: Memo[Program] = Memo(1024)


def _program_of(container: dict, repository: str) -> Program:
    try:
        key = (repository, tuple(container.get("command") or ()), tuple(container.get("args") or ()),
               tuple((e.get("name"), e.get("value")) for e in container.get("env") or () if isinstance(e, dict)),
               bool(container.get("stdin")))
        got = _PROGRAMS.get(key)
    except TypeError:                      # (a field of a malformed spec that cannot be a key)
        return _program(container, repository)
    if got is None:
        got = _PROGRAMS.put(key, _program(container, repository))
    return got


def _program(container: dict, repository: str) -> Program:
    entry = image_catalog.entry(repository)
    cmd = [str(x) for x in (container.get("command") or [])]
    args = [str(x) for x in (container.get("args") or [])]
    env = {e.get("name"): e.get("value") for e in container.get("env") or () if isinstance(e, dict)}
    if container.get("stdin") and _reads_stdin(cmd + args, entry):
        # `kubectl run -it ... -- sh`: a shell (or REPL) with its stdin held open waits for input
        # instead of exiting; `kubectl attach -it` then talks to it (engine/kubelet/shell).
        return Program(FOREVER, 0.0, "shell")
    known = _known(cmd + args) if cmd else _known(args)
    if known is not None:
        return known
    argv = cmd + args if cmd else (args if image_catalog.args_run_as_command(entry, args) else [])
    if argv:
        if argv[0] not in entry.get("programs", ()) and argv[0].rsplit("/", 1)[-1] not in entry.get("programs", ()):
            return _argv(argv)
        args = argv[1:]                   # the image's own program, given its arguments
    return _image_default(entry, args, env)


def _reads_stdin(argv: list[str], entry: dict) -> bool:
    if not argv:
        return bool(entry.get("behaviour", {}).get("reads_stdin"))
    return len(argv) == 1 or (argv[0].rsplit("/", 1)[-1] in SHELLS and all(a.startswith("-") and "c" not in a
                                                                            for a in argv[1:]))


def _image_default(entry: dict, args: list[str], env: dict) -> Program:
    """The catalog's behaviour for the image's own process (given `args`)."""
    b = dict(entry.get("behaviour") or {})
    ports = entry.get("ports")
    sub = (b.get("subcommands") or {}).get(args[0]) if args else None
    if sub is not None:
        b = {**{k: v for k, v in b.items() if k != "prints"}, **sub}
        ports = list(sub.get("ports", ports or []))
        flags = _flag_values(args[1:])
        for i, flag in enumerate(sub.get("port_flags", ())):
            if flags.get(flag, "").isdigit() and i < len(ports):
                ports[i] = int(flags[flag])
    need = b.get("requires_env")
    if need and not any(env.get(k) for k in need["any_of"]):
        return Program(int(need.get("exit_code", 1)), float(need.get("runs_for", 0.0)), need.get("log", "shell"))
    # `{port0}` in a printed line is the first port as the flags chose it ("Serving on port 9376.")
    printed = tuple(_with_ports(line, ports or ()) for line in b.get("prints", ()))
    if b.get("prints_args"):
        printed += tuple(args[1:])
    does = b.get("does", "serve")
    http = tuple((r["path"], int(r["status"]), r.get("for_seconds"), int(r.get("then", r["status"])))
                 for r in b.get("http", ()))
    if does == "exit":
        return Program(int(b.get("exit_code", 0)), float(b.get("runs_for", 0.0)), b.get("log", "shell"), printed)
    kind = b.get("log") or ("server" if does == "serve" else "run")
    return Program(FOREVER, 0.0, kind, printed, ports=None if ports is None else tuple(ports), http=http)


def _with_ports(line: str, ports) -> str:
    for i, port in enumerate(ports):
        line = line.replace(f"{{port{i}}}", str(port))
    return line


def _flag_values(words: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, w in enumerate(words):
        if w.startswith("-"):
            if "=" in w:
                k, v = w.split("=", 1)
                out[k] = v
            elif i + 1 < len(words):
                out[w] = words[i + 1]
    return out


def _fetch(argv: list[str], t: float, ops: list) -> float | None:
    """A URL fetcher (`wget -O F URL`, `curl -o F URL`): seconds it takes, recording the file
    it writes; None when argv is not one."""
    row = image_catalog.tool(argv[0].rsplit("/", 1)[-1])
    if row is None or not any(re.match(r"https?://", a) or "." in a and not a.startswith("-") for a in argv[1:]):
        return None
    for i, a in enumerate(argv[1:], 1):
        for flag in row.get("output_flags", ()):
            if a == flag and i + 1 < len(argv):
                ops.append((t + float(row["runs_for"]), "create", argv[i + 1]))
            elif a.startswith(flag + "=") or (len(flag) == 2 and a.startswith(flag) and len(a) > 2):
                ops.append((t + float(row["runs_for"]), "create", a.split("=", 1)[-1] if "=" in a else a[2:]))
    return float(row["runs_for"])


def _argv(argv: list[str]) -> Program:
    prog = argv[0].rsplit("/", 1)[-1]
    if prog in SHELLS:
        if len(argv) >= 3 and argv[1] in ("-c", "-ec", "-ce", "-xc", "-euc"):
            return _script(argv[2])
        if len(argv) == 1:
            return Program(0, 0.0, "shell")
        return Program(FOREVER, 0.0, "shell")     # a script file we cannot read: assume a service
    return _statements([argv])


def _split(script: str) -> list[list[str]]:
    stmts = []
    for part in re.split(r"\s*(?:;|&&|\|\||\n)\s*", script):
        part = part.strip()
        if not part:
            continue
        try:
            stmts.append(shlex.split(part))
        except ValueError:
            stmts.append(part.split())
    return stmts


def _script(script: str) -> Program:
    loop = re.search(r"\b(while|until)\b|\btail\s+-f\b", script)
    if loop:
        out = tuple(_echo_text(m) for m in re.findall(r"\becho\s+([^;&|\n>]*)", script))
        before = _statements(_split(script[:loop.start()]))
        files = before.files
        body = re.search(r"\bdo\b(.*)\bdone\b", script[loop.start():], re.S)
        if body:
            inner = _statements(_split(body.group(1)))
            if inner.files.ops and inner.runs_for > 0:
                files = Files(files.ops, before.runs_for, inner.runs_for, inner.files.ops)
            if inner.output and inner.runs_for > 0:
                return Program(FOREVER, 0.0, "shell", before.output[:20], files,
                               loop_output=inner.output[:20], loop_start=before.runs_for,
                               loop_period=inner.runs_for)
        return Program(FOREVER, 0.0, "shell", out[:20], files)
    return _statements(_split(script))


FILE_COMMANDS = {"touch", "mkdir", "rm", "rmdir", "cp", "mv", "ln", "chmod", "chown"}


def _file_ops(argv: list[str], t: float, ops: list) -> list[str]:
    """Record the files one statement creates or removes; returns argv without redirections."""
    words, i = [], 0
    while i < len(argv):
        a = argv[i]
        m = re.fullmatch(r"(?:[0-9]|&)?>>?(.*)", a)
        if m:
            target = m.group(1) or (argv[i + 1] if i + 1 < len(argv) else "")
            i += 1 if m.group(1) else 2
            if target and not target.startswith("&") and target != "/dev/null":
                ops.append((t, "create", target))
            continue
        words.append(a)
        i += 1
    if not words:
        return words
    prog = words[0].rsplit("/", 1)[-1]
    paths = [w for w in words[1:] if not w.startswith("-")]
    if prog in ("touch", "mkdir"):
        ops.extend((t, "create", p) for p in paths)
    elif prog in ("rm", "rmdir"):
        ops.extend((t, "remove", p) for p in paths)
    elif prog in ("cp", "ln") and len(paths) >= 2:
        ops.append((t, "create", paths[-1]))
    elif prog == "mv" and len(paths) >= 2:
        ops.extend((t, "remove", p) for p in paths[:-1])
        ops.append((t, "create", paths[-1]))
    return words


def _statements(stmts: list[list[str]]) -> Program:
    t, status = 0.0, 0
    out: list = []
    ops: list = []

    def made(code, runs_for, kind):
        return Program(code, runs_for, kind, tuple(out), Files(tuple(ops)) if ops else NO_FILES)

    for argv in stmts:
        if argv and (argv[0].rsplit("/", 1)[-1] in FILE_COMMANDS or any(">" in a for a in argv)):
            argv = _file_ops(argv, t, ops)
        if not argv:
            continue
        prog = argv[0].rsplit("/", 1)[-1]
        if prog == "exit":
            return made(_int(argv[1] if len(argv) > 1 else status), t, "shell")
        if prog == "sleep":
            arg = argv[1] if len(argv) > 1 else "0"
            if arg in ("infinity", "inf"):
                return made(FOREVER, 0.0, "shell")
            t += _duration(arg)
            status = 0
        elif prog == "echo":
            out.append(" ".join(a for a in argv[1:] if a != "-n"))
            status = 0
        elif prog in ("false",):
            status = 1
        elif prog in ("true", ":", "date", "env", "ls", "cat", "printenv", "hostname", "export", "set") \
                or prog in FILE_COMMANDS:
            status = 0
        elif prog in SHELLS:
            return made(0, t, "shell")
        elif (took := _fetch(argv, t, ops)) is not None:
            t += took
            status = 0
        elif (inline := _interpreted(argv)) is not None:
            out.extend(inline.output)
            if inline.exit_code is None:
                return made(FOREVER, 0.0, "shell")
            t += inline.runs_for
            status = inline.exit_code
        else:
            return made(FOREVER, 0.0, "server")   # a long-running binary
    return made(status, t, "shell")


def _echo_text(s: str) -> str:
    try:
        return " ".join(shlex.split(s))
    except ValueError:
        return s.strip()


def _int(s) -> int:
    try:
        return int(s) & 0xFF
    except (TypeError, ValueError):
        return 2


def _duration(s: str) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd]?)", s)
    if not m:
        return 0.0
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


# ---- logs -----------------------------------------------------------------------------------

MAX_LOOP_LINES = 5000      # a looping container's log is cut to its newest lines, as log rotation would


def timed_log_lines(p: Program, started: float, until: float, *, pod: str, container: str,
                    image_tag: str) -> list[tuple[float, str]]:
    """(time, line) for one run of a container that started at `started`, as of `until`: the
    start-up lines at `started`, then a loop's lines once per pass that has begun by `until`."""
    out = [(started, line) for line in log_lines(p, started, pod=pod, container=container, image_tag=image_tag)]
    if p.loop_output and p.loop_period > 0 and until >= started + p.loop_start:
        passes = int((until - started - p.loop_start) // p.loop_period) + 1
        per = len(p.loop_output)
        first = max(0, passes - MAX_LOOP_LINES // per)
        for n in range(first, passes):
            t = started + p.loop_start + n * p.loop_period
            out.extend((t, line) for line in p.loop_output)
    return out


def log_lines(p: Program, started: float, *, pod: str, container: str, image_tag: str) -> list[str]:
    """The lines a container writes when it starts (see timed_log_lines for the whole log): its
    behaviour's start-up log from the image catalog (`logs`), or what its command printed."""
    template = image_catalog.data()["logs"].get(p.kind)
    if template is None or (p.kind == "server" and p.output):
        return list(p.output)
    t = _dt.datetime.fromtimestamp(int(started), tz=_dt.timezone.utc)
    stamp = t.strftime(template["stamp"]) if template.get("stamp") else ""
    version = image_tag if re.match(r"^\d+\.\d+\.\d+$", image_tag or "") else template.get("version", "")
    port = str(p.ports[0]) if p.ports else "8080"
    return [line.replace("{stamp}", stamp).replace("{version}", version).replace("{container}", container)
            .replace("{port}", port) for line in template["lines"]]
