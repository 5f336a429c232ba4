"""Running parsed sh: expansion (quotes, `$VAR`, `${VAR:-x}`, `$?`, `$(...)`, `~`, globs),
pipelines (each stage's output is the next one's input, stage by stage: a container's shell
has no real processes), redirections, `&&`/`||`, the compound commands, and the builtins that
change the shell itself (`cd`, `export`, `exit`, ...). The utilities are in commands.py.

A shell's flavour (from the image's data) chooses the texts a real one prints: busybox ash
(`sh: foo: not found`), dash (`sh: 1: foo: not found`) or bash (`bash: foo: command not found`)."""
from __future__ import annotations

import fnmatch
import posixpath
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from . import syntax
from .fs import FileSystem, FsError


class ShellExit(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


class Interrupted(Exception):
    """Ctrl-C at a terminal while a command runs."""


class Input:
    """A command's standard input: bytes already there, or a pipe fed from the client."""

    def __init__(self, data: bytes = b""):
        self._data = bytearray(data)
        self._closed = True
        self._cond = threading.Condition()

    @classmethod
    def pipe(cls) -> "Input":
        inp = cls()
        inp._closed = False
        return inp

    def feed(self, data: bytes) -> None:
        with self._cond:
            self._data.extend(data)
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed

    def read(self, cancel: threading.Event | None = None) -> bytes:
        """Everything up to end of input."""
        with self._cond:
            while not self._closed and not (cancel is not None and cancel.is_set()):
                self._cond.wait(0.1)
            out, self._data = bytes(self._data), bytearray()
            return out

    def read_some(self, cancel: threading.Event | None = None, timeout: float | None = None) -> bytes:
        """At least one byte, or b"" at end of input (or on cancel/timeout)."""
        with self._cond:
            waited = 0.0
            while not self._data and not self._closed and not (cancel is not None and cancel.is_set()):
                self._cond.wait(0.1)
                waited += 0.1
                if timeout is not None and waited >= timeout:
                    break
            out, self._data = bytes(self._data), bytearray()
            return out

    def readline(self, cancel: threading.Event | None = None) -> bytes:
        with self._cond:
            while b"\n" not in self._data and not self._closed and not (cancel is not None and cancel.is_set()):
                self._cond.wait(0.1)
            i = self._data.find(b"\n")
            end = len(self._data) if i < 0 else i + 1
            out = bytes(self._data[:end])
            del self._data[:end]
            return out


@dataclass
class IO:
    stdin: Input
    out: Callable[[bytes], None]
    err: Callable[[bytes], None]
    terminal: bool = False    # out is the -t terminal itself (ls lays names out in columns there)


@dataclass
class Flavour:
    """How one image's shell and utilities talk (from the image catalog, engine/data/images.json)."""
    name: str = "sh"               # argv[0] the messages use
    style: str = "ash"             # "ash" (busybox), "dash", "bash"
    busybox: bool = True           # busybox utilities' texts
    commands: frozenset = frozenset()
    prompt: str = "/ # "

    def not_found(self, cmd: str, line: int = 1, interactive: bool = False) -> str:
        if self.style == "bash":
            return f"{self.name}: {cmd}: command not found\n" if interactive else \
                f"{self.name}: line {line}: {cmd}: command not found\n"
        if self.style == "dash":
            return f"{self.name}: {line}: {cmd}: not found\n"
        return f"{self.name}: {cmd}: not found\n"

    def syntax_error(self, token: str, line: int = 1) -> str:
        shown = token if token not in ("\n", "") else ("newline" if token == "\n" else "end of file")
        if self.style == "bash":
            return f"{self.name}: syntax error near unexpected token `{shown}'\n" if token else \
                f"{self.name}: syntax error: unexpected end of file\n"
        if self.style == "dash":
            return f"{self.name}: {line}: Syntax error: " + \
                (f'"{shown}" unexpected\n' if token else "end of file unexpected\n")
        return f"{self.name}: syntax error: unexpected " + (f'"{shown}"\n' if token else "end of file\n")


@dataclass
class Context:
    """What a shell needs from its container: filesystem, identity, processes, clock."""
    fs: FileSystem
    hostname: str
    env: dict
    flavour: Flavour
    clock: Callable[[], float]               # seconds since the epoch (the cluster's clock)
    user: tuple = (0, 0, "root", "root")     # uid, gid, user name, group name
    processes: list = field(default_factory=list)   # [pid, command line, tty]
    next_pid: list = field(default_factory=lambda: [7])
    cancel: threading.Event = field(default_factory=threading.Event)
    interrupt: threading.Event = field(default_factory=threading.Event)
    sleep: Callable[..., bool] = lambda seconds, event=None: False   # True: interrupted (the Process's own)
    tty: str | None = None                   # "pts/0" for -t
    busy: bool = False                       # a command line is running (Ctrl-C interrupts it)
    direct: bool = False                     # exec ran a utility itself, not a shell (ps lists it once)
    columns: int = 80                        # the terminal's width (kubectl sends resizes)
    network: object = None                   # netcommands.NetClient: what curl/nslookup reach


class Shell:
    def __init__(self, ctx: Context, *, argv0: str | None = None, args: list[str] | None = None,
                 interactive: bool = False):
        self.ctx = ctx
        self.fs = ctx.fs
        self.flavour = ctx.flavour
        self.vars: dict[str, str] = dict(ctx.env)
        self.exported: set[str] = set(ctx.env)
        pwd = ctx.env.get("PWD") or "/"
        self.cwd: str = pwd if self.fs.is_dir(pwd) else "/"
        self.vars["PWD"] = self.cwd
        self.status = 0
        self.argv0 = argv0 or self.flavour.name
        self.args = list(args or [])
        self.interactive = interactive
        self.line = 1

    # ---- entry points -------------------------------------------------------------------------

    def run_script(self, text: str, io: IO) -> int:
        """Run `text` (sh -c); exit inside it ends the run with its code."""
        try:
            tree = syntax.parse(text)
        except syntax.ShellSyntaxError as e:
            msg = self.flavour.syntax_error(e.token, self.line)
            if self.flavour.style == "bash" and e.token:
                # bash -c names where, then quotes the line
                where = f"{self.flavour.name}: -c: line {self.line}: "
                msg = where + msg[len(self.flavour.name) + 2:] + where + f"`{text.strip()}'\n"
            io.err(msg.encode())
            return 2
        try:
            return self.run_seq(tree, io)
        except ShellExit as e:
            return e.code

    def env(self) -> dict:
        return {k: v for k, v in self.vars.items() if k in self.exported}

    def path(self, p: str) -> str:
        return self.fs.norm(p, self.cwd)

    # ---- the tree -----------------------------------------------------------------------------

    def run_seq(self, seq: syntax.Seq, io: IO) -> int:
        for item in seq.items:
            self.run_and_or(item, io)
        return self.status

    def run_and_or(self, node: syntax.AndOr, io: IO) -> int:
        status = self.run_pipeline(node.first, io)
        for op, pipe in node.rest:
            if (op == "&&" and status == 0) or (op == "||" and status != 0):
                status = self.run_pipeline(pipe, io)
        self.status = status
        return status

    def run_pipeline(self, pipe: syntax.Pipeline, io: IO) -> int:
        if self.ctx.interrupt.is_set() or self.ctx.cancel.is_set():
            raise Interrupted()
        stdin = io.stdin
        status = 0
        for i, cmd in enumerate(pipe.cmds):
            last = i == len(pipe.cmds) - 1
            if last:
                status = self.run_command(cmd, IO(stdin, io.out, io.err, io.terminal))
            else:
                buf = bytearray()
                self.run_command(cmd, IO(stdin, buf.extend, io.err))
                stdin = Input(bytes(buf))
        if pipe.negate:
            status = 0 if status else 1
        self.status = status
        return status

    def run_command(self, cmd, io: IO) -> int:
        try:
            io = self._redirected(cmd.redirs, io)
        except _RedirectFailed as e:
            io.err(e.text.encode())
            self.status = 1
            return 1
        if isinstance(cmd, syntax.Simple):
            return self.run_simple(cmd, io)
        if isinstance(cmd, syntax.If):
            for cond, body in cmd.branches:
                if self.run_seq(cond, io) == 0:
                    return self.run_seq(body, io)
            if cmd.otherwise is not None:
                return self.run_seq(cmd.otherwise, io)
            self.status = 0
            return 0
        if isinstance(cmd, syntax.Loop):
            status = 0
            while True:
                if self.ctx.interrupt.is_set() or self.ctx.cancel.is_set():
                    raise Interrupted()
                ok = self.run_seq(cmd.cond, io) == 0
                if ok == cmd.until:
                    break
                status = self.run_seq(cmd.body, io)
            self.status = status
            return status
        if isinstance(cmd, syntax.For):
            words = self.expand_words(cmd.words) if cmd.words is not None else list(self.args)
            status = 0
            for w in words:
                self.vars[cmd.var] = w
                status = self.run_seq(cmd.body, io)
            self.status = status
            return status
        if isinstance(cmd, syntax.Group):
            if not cmd.subshell:
                return self.run_seq(cmd.body, io)
            sub = self.subshell()
            try:
                status = sub.run_seq(cmd.body, io)
            except ShellExit as e:
                status = e.code
            self.status = status
            return status
        raise TypeError(cmd)

    def subshell(self) -> "Shell":
        sub = Shell(self.ctx, argv0=self.argv0, args=self.args)
        sub.vars, sub.exported, sub.cwd, sub.status = dict(self.vars), set(self.exported), self.cwd, self.status
        return sub

    def _redirected(self, redirs, io: IO) -> IO:
        if not redirs:
            return io
        fds: dict = {0: io.stdin, 1: io.out, 2: io.err}
        for r in redirs:
            if r.op == ">&":
                src = r.target
                if src == "-":
                    fds[r.fd] = (lambda data: None) if r.fd else Input()
                elif src.isdigit() and int(src) in fds:
                    fds[r.fd] = fds[int(src)]
                else:
                    raise _RedirectFailed(f"{self.flavour.name}: {src}: bad file descriptor\n")
                continue
            words = self.expand_word(r.target)
            target = words[0] if words else ""
            path = self.path(target)
            if r.op == "<":
                try:
                    fds[r.fd] = Input(self.fs.read(path))
                except FsError as e:
                    raise _RedirectFailed(self._open_error(target, e.reason, reading=True))
                continue
            append = r.op == ">>"
            try:
                if not append:
                    self.fs.write(path, b"")
                elif not self.fs.exists(path):
                    self.fs.write(path, b"")
            except FsError as e:
                raise _RedirectFailed(self._open_error(target, e.reason, reading=False))
            writer = _FileWriter(self.fs, path)
            if r.op == "&>":
                fds[1] = fds[2] = writer
            else:
                fds[r.fd] = writer
        return IO(fds[0], fds[1], fds[2], io.terminal and fds[1] is io.out)

    def _open_error(self, target: str, reason: str, *, reading: bool) -> str:
        if self.flavour.style == "bash":
            return f"{self.flavour.name}: {target}: {reason}\n"
        if self.flavour.style == "dash":
            verb = "open" if reading else "create"
            return f"{self.flavour.name}: {self.line}: cannot {verb} {target}: {reason}\n"
        return f"{self.flavour.name}: can't {'open' if reading else 'create'} {target}: {reason}\n"

    def run_simple(self, cmd: syntax.Simple, io: IO) -> int:
        assigns = [(a.partition("=")[0], "".join(self.expand_word(a.partition("=")[2], split=False)))
                   for a in cmd.assigns]
        argv = self.expand_words(cmd.words)
        if not argv:
            for name, value in assigns:
                self.vars[name] = value
            self.status = 0
            return 0
        saved = {}
        for name, value in assigns:      # VAR=x cmd: in cmd's environment only
            saved[name] = (self.vars.get(name), name in self.exported)
            self.vars[name] = value
            self.exported.add(name)
        try:
            status = self.run_argv(argv, io)
        finally:
            for name, (old, was) in saved.items():
                if old is None:
                    self.vars.pop(name, None)
                else:
                    self.vars[name] = old
                if not was:
                    self.exported.discard(name)
        self.status = status
        return status

    def run_argv(self, argv: list[str], io: IO) -> int:
        from . import commands
        name = argv[0]
        builtin = BUILTINS.get(name)
        if builtin is not None:
            return builtin(self, argv, io)
        base = posixpath.basename(name)
        if "/" in name:
            path = self.path(name)
            on_path = posixpath.dirname(path) in BIN_DIRS and base in self.flavour.commands
            if not on_path:
                if not self.fs.exists(path):
                    text = f"{self.flavour.name}: {name}: No such file or directory\n" if self.flavour.style == "bash" \
                        else self.flavour.not_found(name, self.line, self.interactive)
                    io.err(text.encode())
                    return 127
                if self.fs.is_dir(path):
                    io.err(f"{self.flavour.name}: {name}: Is a directory\n".encode() if self.flavour.style == "bash"
                           else f"{self.flavour.name}: {name}: Permission denied\n".encode())
                    return 126
                # a script of the container's own (./run.sh): sh runs it, whatever its #! says
                sub = Shell(self.ctx, argv0=name, args=argv[1:])
                return sub.run_script(self.fs.read(path).decode(errors="replace"), io)
        if base in SHELL_NAMES and base in self.flavour.commands:
            return run_shell_command(self.ctx, argv, io)
        fn = commands.COMMANDS.get(base)
        if fn is None or (base not in self.flavour.commands and base not in SHELL_BUILTIN_UTILITIES):
            io.err(self.flavour.not_found(name, self.line, self.interactive).encode())
            return 127
        return fn(self, argv, io)

    # ---- expansion ----------------------------------------------------------------------------

    def expand_words(self, words: list[str]) -> list[str]:
        out: list[str] = []
        for w in words:
            out.extend(self.expand_word(w))
        return out

    def expand_word(self, raw: str, *, split: bool = True) -> list[str]:
        """One raw word → its fields: quotes removed, parameters and $(...) substituted, unquoted
        expansions split on whitespace, unquoted glob characters matched against the fs."""
        fields: list[list] = [[]]        # each field: list of (text, globbable)
        quoted_any = False
        i, n = 0, len(raw)

        def add(text: str, glob_ok: bool):
            fields[-1].append((text, glob_ok))

        def add_split(text: str):
            if not split:
                add(text, False)
                return
            parts = text.split()
            if not parts:
                return
            if text[:1].isspace() and fields[-1]:
                fields.append([])
            for k, part in enumerate(parts):
                if k:
                    fields.append([])
                add(part, True)
            if text[-1:].isspace():
                fields.append([])

        if raw.startswith("~") and (len(raw) == 1 or raw[1] == "/"):
            add(self.vars.get("HOME", "/root"), False)
            i = 1
        while i < n:
            c = raw[i]
            if c == "\\":
                add(raw[i + 1:i + 2], False)
                quoted_any = True
                i += 2
            elif c == "'":
                j = raw.index("'", i + 1)
                add(raw[i + 1:j], False)
                quoted_any = True
                i = j + 1
            elif c == '"':
                j = syntax._close_quote(raw, i)
                add(self._expand_dquoted(raw[i + 1:j - 1]), False)
                quoted_any = True
                i = j
            elif c == "$":
                value, i = self._parameter(raw, i)
                if value is None:
                    add("$", False)
                else:
                    add_split(value)
            elif c == "`":
                j = syntax._close_quote(raw, i)
                add_split(self._substitute(raw[i + 1:j - 1]))
                i = j
            else:
                add(c, True)
                i += 1
        result = []
        for f in fields:
            if not f:
                continue
            text = "".join(t for t, _ in f)
            if split and any(g and any(ch in t for ch in "*?[") for t, g in f):
                pattern = "".join(t if g else _glob_escape(t) for t, g in f)
                matches = self._glob(pattern)
                result.extend(matches or [text])
            else:
                result.append(text)
        if not result and quoted_any:
            result.append("")
        return result

    def _expand_dquoted(self, s: str) -> str:
        out, i = [], 0
        while i < len(s):
            c = s[i]
            if c == "\\" and i + 1 < len(s) and s[i + 1] in '$`"\\\n':
                out.append(s[i + 1] if s[i + 1] != "\n" else "")
                i += 2
            elif c == "$":
                value, i = self._parameter(s, i)
                out.append("$" if value is None else value)
            elif c == "`":
                j = syntax._close_quote(s, i)
                out.append(self._substitute(s[i + 1:j - 1]))
                i = j
            else:
                out.append(c)
                i += 1
        return "".join(out)

    def _parameter(self, s: str, i: int) -> tuple[str | None, int]:
        """`$...` at s[i] → (value, index after it); (None, i+1) for a lone `$`."""
        nxt = s[i + 1:i + 2]
        if nxt == "(":
            j = syntax._close_paren(s, i + 1)
            return self._substitute(s[i + 2:j - 1]), j
        if nxt == "{":
            j = s.index("}", i)
            body = s[i + 2:j]
            for op in (":-", ":=", ":+", "-", "+"):
                name, sep, alt = body.partition(op)
                if sep and name and (name.isidentifier() or name.isdigit()):
                    value = self._var(name)
                    empty = value is None or (value == "" and op.startswith(":"))
                    if op in (":-", "-"):
                        return (self._expand_dquoted(alt) if empty else value), j + 1
                    if op == ":=":
                        if empty:
                            self.vars[name] = self._expand_dquoted(alt)
                        return self.vars[name], j + 1
                    return ("" if empty else self._expand_dquoted(alt)), j + 1
            if body.startswith("#"):
                return str(len(self._var(body[1:]) or "")), j + 1
            return self._var(body) or "", j + 1
        if nxt and nxt in "?$#@*!-0123456789":
            return self._var(nxt) or "", i + 2
        j = i + 1
        while j < len(s) and (s[j].isalnum() or s[j] == "_"):
            j += 1
        if j == i + 1:
            return None, i + 1
        return self.vars.get(s[i + 1:j], ""), j

    def _var(self, name: str) -> str | None:
        if name == "?":
            return str(self.status)
        if name == "$":
            return "1"
        if name == "#":
            return str(len(self.args))
        if name in ("@", "*"):
            return " ".join(self.args)
        if name == "0":
            return self.argv0
        if name.isdigit():
            k = int(name)
            return self.args[k - 1] if k <= len(self.args) else None
        if name in ("!", "-"):
            return ""
        return self.vars.get(name)

    def _substitute(self, script: str) -> str:
        sub = self.subshell()
        buf = bytearray()
        # its stderr goes where the enclosing command's would: dropped here (a rarely seen corner)
        status = sub.run_script(script, IO(Input(), buf.extend, _discard))
        self.status = status
        return buf.decode(errors="replace").rstrip("\n")

    def _glob(self, pattern: str) -> list[str]:
        absolute = pattern.startswith("/")
        base = "/" if absolute else self.cwd
        parts = [p for p in pattern.split("/") if p]
        found: list[tuple[str, str]] = [("", base)]
        for part in parts:
            nxt: list[tuple[str, str]] = []
            for shown, real in found:
                if not any(ch in part for ch in "*?["):
                    p = posixpath.join(real, _glob_unescape(part))
                    if self.fs.exists(p):
                        nxt.append((posixpath.join(shown, _glob_unescape(part)) if shown else _glob_unescape(part), p))
                    continue
                try:
                    names = self.fs.listdir(real)
                except FsError:
                    continue
                for name in names:
                    if name.startswith(".") and not part.startswith("."):
                        continue
                    if fnmatch.fnmatchcase(name, part):
                        nxt.append((posixpath.join(shown, name) if shown else name, posixpath.join(real, name)))
            found = nxt
        return sorted(("/" + s if absolute else s) for s, _ in found)


def _discard(data: bytes) -> None:
    pass


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _glob_unescape(text: str) -> str:
    return text.replace("[*]", "*").replace("[?]", "?").replace("[[]", "[")


class _RedirectFailed(Exception):
    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


class _FileWriter:
    def __init__(self, fs: FileSystem, path: str):
        self.fs, self.path = fs, path

    def __call__(self, data: bytes) -> None:
        self.fs.write(self.path, bytes(data), append=True)


SHELL_NAMES = {"sh", "bash", "ash", "dash"}
BIN_DIRS = {"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"}
# Utilities every sh has built in, whatever the image ships in /bin.
SHELL_BUILTIN_UTILITIES = {"echo", "printf", "test", "[", "true", "false"}


def run_shell_command(ctx: Context, argv: list[str], io: IO) -> int:
    """`sh -c 'script' [name args...]`, `sh file [args]`, or `sh` reading its input line by line
    (the interactive terminal is terminal.py's)."""
    from .fs import FsError as _FsError
    args = argv[1:]
    while args and args[0] in ("-e", "-x", "-l", "-i", "--login", "-s"):
        args = args[1:]
    if args and args[0] == "-c":
        if len(args) < 2:
            io.err(f"{ctx.flavour.name}: -c: option requires an argument\n".encode())
            return 2
        sh = Shell(ctx, argv0=args[2] if len(args) > 2 else ctx.flavour.name, args=args[3:])
        return sh.run_script(args[1], io)
    if args:
        sh = Shell(ctx, argv0=args[0], args=args[1:])
        try:
            script = ctx.fs.read(sh.path(args[0])).decode(errors="replace")
        except _FsError as e:
            io.err(f"{ctx.flavour.name}: can't open '{args[0]}': {e.reason}\n".encode()
                   if ctx.flavour.style != "bash" else f"{ctx.flavour.name}: {args[0]}: {e.reason}\n".encode())
            return 127 if ctx.flavour.style == "bash" else 2
        return sh.run_script(script, io)
    sh = Shell(ctx)
    pending = ""
    while True:
        line = io.stdin.readline(ctx.cancel)
        if not line:
            if pending.strip():
                return sh.run_script(pending, io)
            return sh.status
        pending += line.decode(errors="replace")
        try:
            tree = syntax.parse(pending)
        except syntax.Incomplete:
            continue
        except syntax.ShellSyntaxError as e:
            io.err(ctx.flavour.syntax_error(e.token, sh.line).encode())
            pending = ""
            sh.status = 2
            continue
        pending = ""
        try:
            sh.run_seq(tree, io)
        except ShellExit as e:
            return e.code
        sh.line += 1


# ---- builtins: commands that change the shell itself --------------------------------------------

def _cd(sh: Shell, argv, io) -> int:
    target: str = argv[1] if len(argv) > 1 else sh.vars.get("HOME", "/")
    if target == "-":
        target = sh.vars.get("OLDPWD", sh.cwd)
    path = sh.path(target)
    if not sh.fs.exists(path):
        io.err(_cd_error(sh, target, "No such file or directory").encode())
        return 1 if sh.flavour.style != "dash" else 2
    if not sh.fs.is_dir(path):
        io.err(_cd_error(sh, target, "Not a directory").encode())
        return 1 if sh.flavour.style != "dash" else 2
    sh.vars["OLDPWD"], sh.cwd = sh.cwd, path
    sh.vars["PWD"] = path
    return 0


def _cd_error(sh: Shell, target: str, reason: str) -> str:
    if sh.flavour.style == "bash":
        return f"{sh.flavour.name}: cd: {target}: {reason}\n"
    if sh.flavour.style == "dash":
        return f"{sh.flavour.name}: {sh.line}: cd: can't cd to {target}\n"
    return f"{sh.flavour.name}: cd: can't cd to {target}: {reason}\n"


def _export(sh: Shell, argv, io) -> int:
    if len(argv) == 1:
        for k in sorted(sh.exported):
            if k in sh.vars:
                io.out(f"export {k}='{sh.vars[k]}'\n".encode())
        return 0
    for a in argv[1:]:
        name, eq, value = a.partition("=")
        if eq:
            sh.vars[name] = value
        sh.exported.add(name)
    return 0


def _unset(sh: Shell, argv, io) -> int:
    for a in argv[1:]:
        if a.startswith("-"):
            continue
        sh.vars.pop(a, None)
        sh.exported.discard(a)
    return 0


def _exit(sh: Shell, argv, io) -> int:
    code = sh.status
    if len(argv) > 1:
        try:
            code = int(argv[1]) & 0xFF
        except ValueError:
            io.err(f"{sh.flavour.name}: exit: {argv[1]}: numeric argument required\n".encode())
            code = 2
    raise ShellExit(code)


def _colon(sh, argv, io) -> int:
    return 0


def _pwd(sh: Shell, argv, io) -> int:
    io.out((sh.cwd + "\n").encode())
    return 0


def _set(sh: Shell, argv, io) -> int:
    if len(argv) == 1:
        for k in sorted(sh.vars):
            io.out(f"{k}='{sh.vars[k]}'\n".encode())
        return 0
    rest = argv[1:]
    if rest[0] == "--":
        sh.args = rest[1:]
    elif not rest[0].startswith(("-", "+")):
        sh.args = rest
    return 0


def _read(sh: Shell, argv, io) -> int:
    names = [a for a in argv[1:] if not a.startswith("-")] or ["REPLY"]
    line = io.stdin.readline(sh.ctx.cancel)
    if not line:
        return 1
    text = line.decode(errors="replace").rstrip("\n")
    parts = text.split(None, len(names) - 1)
    for k, name in enumerate(names):
        sh.vars[name] = parts[k] if k < len(parts) else ""
    return 0


def _type(sh: Shell, argv, io) -> int:
    from . import commands
    status = 0
    verbose = argv[0] == "type"
    for name in [a for a in argv[1:] if not a.startswith("-")]:
        if name in BUILTINS:
            io.out((f"{name} is a shell builtin\n" if verbose else f"{name}\n").encode())
        elif (name in commands.COMMANDS or name in SHELL_NAMES) and name in sh.flavour.commands:
            where = "/bin/" + name if sh.flavour.busybox or name in ("sh", "bash", "ls", "cat", "echo") else "/usr/bin/" + name
            io.out((f"{name} is {where}\n" if verbose else f"{where}\n").encode())
        else:
            if verbose:
                io.err(f"{sh.flavour.name}: type: {name}: not found\n".encode())
            status = 1
    return status


def _command(sh: Shell, argv, io) -> int:
    if len(argv) > 1 and argv[1] in ("-v", "-V"):
        return _type(sh, ["command"] + argv[2:], io)
    return sh.run_argv(argv[1:], io) if len(argv) > 1 else 0


BUILTINS = {
    "cd": _cd, "export": _export, "unset": _unset, "exit": _exit, ":": _colon, "pwd": _pwd,
    "set": _set, "read": _read, "type": _type, "command": _command,
}
