"""The everyday utilities of a container's shell, over its in-memory filesystem. Each takes
(shell, argv, io) and returns an exit status, printing what coreutils/busybox print (the
image's flavour chooses busybox's texts where they differ)."""
from __future__ import annotations

import datetime as _dt
import posixpath
import re

from .fs import Dir, File, FsError, copy_node
from .interpreter import IO, Interrupted


def _opts(argv: list[str], flags: str, with_value: str = "") -> tuple[set[str], dict[str, str], list[str]]:
    """Short options (`-la`), options with a value (`-n 5`, `-n5`), and the operands."""
    seen: set[str] = set()
    values: dict[str, str] = {}
    rest: list[str] = []
    args = argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest.extend(args[i + 1:])
            break
        if a.startswith("--") and len(a) > 2:
            seen.add(a)
        elif a.startswith("-") and len(a) > 1 and not a[1:].isdigit():
            j = 1
            while j < len(a):
                ch = a[j]
                if ch in with_value:
                    if j + 1 < len(a):
                        values[ch] = a[j + 1:]
                    elif i + 1 < len(args):
                        i += 1
                        values[ch] = args[i]
                    break
                seen.add(ch)
                j += 1
        else:
            rest.append(a)
        i += 1
    return seen, values, rest


def _err(io: IO, text: str) -> None:
    io.err((text + "\n").encode())


def _inputs(sh, io: IO, names: list[str], prog: str):
    """(name, bytes) for each file operand (`-` and no operand: stdin); errors printed."""
    if not names:
        yield "-", io.stdin.read(sh.ctx.cancel)
        return
    for name in names:
        if name == "-":
            yield name, io.stdin.read(sh.ctx.cancel)
            continue
        try:
            yield name, sh.fs.read(sh.path(name))
        except FsError as e:
            if sh.flavour.busybox:
                _err(io, f"{prog}: can't open '{name}': {e.reason}" if prog != "head" and prog != "tail"
                     else f"{prog}: can't open '{name}': {e.reason}")
            else:
                verb = "cannot open" if prog in ("head", "tail") else ""
                _err(io, f"{prog}: {verb} '{name}' for reading: {e.reason}" if verb else f"{prog}: {name}: {e.reason}")
            yield name, None


def echo(sh, argv, io):
    args = argv[1:]
    newline, escapes = True, False
    while args and re.fullmatch(r"-[neE]+", args[0]):
        newline = newline and "n" not in args[0]
        escapes = "e" in args[0] or escapes
        args = args[1:]
    text = " ".join(args)
    if escapes or sh.flavour.style == "dash":
        text = text.encode().decode("unicode_escape", errors="replace")
        if "\\c" in text:
            text, newline = text.split("\\c")[0], False
    io.out((text + ("\n" if newline else "")).encode())
    return 0


def printf(sh, argv, io):
    if len(argv) < 2:
        _err(io, "printf: usage: printf format [arguments]")
        return 2
    fmt = argv[1].encode().decode("unicode_escape", errors="replace")
    args = argv[2:]
    out = []
    while True:
        k = 0
        pending = args

        def conv(m, pending=pending):
            nonlocal k
            spec = m.group(0)
            if spec == "%%":
                return "%"
            value = pending[k] if k < len(pending) else ""
            k += 1
            if spec[-1] in "di":
                try:
                    return (spec[:-1] + "d") % int(value or 0)
                except ValueError:
                    return "0"
            return (spec[:-1] + "s") % value
        out.append(re.sub(r"%[-0-9.]*[sdib%]", conv, fmt))
        args = args[k:]
        if not args or k == 0:
            break
    io.out("".join(out).encode())
    return 0


def cat(sh, argv, io):
    flags, _, names = _opts(argv, "nAuvet")
    status = 0
    for _, data in _inputs(sh, io, names, "cat"):
        if data is None:
            status = 1
            continue
        if "n" in flags:
            lines = data.decode(errors="replace").splitlines(keepends=True)
            data = "".join(f"{k + 1:6}\t{ln}" for k, ln in enumerate(lines)).encode()
        io.out(data)
    return status


def ls(sh, argv, io):
    flags, _, names = _opts(argv, "laAh1dRrtSF")
    long_, all_ = "l" in flags, "a" in flags or "A" in flags
    status = 0
    targets = names or ["."]
    files: list[tuple] = []
    dirs: list[tuple] = []
    for name in targets:
        path = sh.path(name)
        try:
            node = sh.fs.lookup(path)
        except FsError as e:
            _err(io, f"ls: {name}: {e.reason}" if sh.flavour.busybox else f"ls: cannot access '{name}': {e.reason}")
            status = 2 if not sh.flavour.busybox else 1
            continue
        (dirs if isinstance(node, Dir) and "d" not in flags else files).append((name, path, node))
    blocks = []
    if files:
        blocks.append((None, [(n, node) for n, _, node in files]))
    for name, _, node in dirs:
        entries = [(e, node.entries[e]) for e in sorted(node.entries) if all_ or not e.startswith(".")]
        if "a" in flags:
            entries = [(".", node), ("..", node)] + entries
        blocks.append((name, entries))
    out = []
    for k, (title, entries) in enumerate(blocks):
        if len(blocks) > 1 and title is not None:
            out.append(("\n" if k else "") + f"{title}:\n")
        if long_:
            if title is not None:
                out.append(f"total {len(entries) * 4}\n")
            for name, node in entries:
                out.append(_long_line(sh, name, node) + "\n")
        elif entries:
            suffix = (lambda n: "/" if isinstance(n, Dir) else "") if "F" in flags else (lambda n: "")
            names = [name + suffix(node) for name, node in entries]
            if io.terminal and "1" not in flags:
                out.append(_columns(names, sh.ctx.columns, uniform=sh.flavour.busybox))
            else:
                out.append("\n".join(names) + "\n")
    io.out("".join(out).encode())
    return status


def _columns(names: list[str], width: int, *, uniform: bool = False) -> str:
    """ls on a terminal: names down then across, in as many columns as fit, two spaces apart
    (coreutils sizes each column to its longest name, busybox all to the longest of all)."""
    width = width or 80
    longest = max(len(n) for n in names)
    for cols in range(len(names), 0, -1):
        rows = -(-len(names) // cols)
        grid = [names[c * rows:(c + 1) * rows] for c in range(cols)]
        if any(not col for col in grid):
            continue
        widths = [(longest if uniform else max(len(n) for n in col)) + 2 for col in grid]
        if sum(widths) - 2 <= width or cols == 1:
            lines = []
            for r in range(rows):
                cells = [grid[c][r] for c in range(cols) if r < len(grid[c])]
                lines.append("".join(cell.ljust(widths[c]) if c < len(cells) - 1 else cell
                                     for c, cell in enumerate(cells)))
            return "\n".join(lines) + "\n"
    return "\n".join(names) + "\n"


def _long_line(sh, name: str, node) -> str:
    is_dir = isinstance(node, Dir)
    mode = node.mode
    perms = "".join(("rwx"[i % 3] if mode & (1 << (8 - i)) else "-") for i in range(9))
    size = 4096 if is_dir else len(node.data)
    when = _dt.datetime.fromtimestamp(node.mtime or sh.ctx.clock(), _dt.timezone.utc)
    stamp = when.strftime("%b %e %H:%M")
    user = sh.ctx.user[2] if sh.ctx.user[0] else "root"
    links = 2 if is_dir else 1
    return f"{'d' if is_dir else '-'}{perms}    {links} {user:<8} {user:<8} {size:>8} {stamp} {name}"


def env_(sh, argv, io):
    args = argv[1:]
    extra = {}
    while args and "=" in args[0] and not args[0].startswith("-"):
        k, _, v = args[0].partition("=")
        extra[k] = v
        args = args[1:]
    if args:
        sub = sh.subshell()
        sub.vars.update(extra)
        sub.exported.update(extra)
        return sub.run_argv(args, io)
    env = sh.env()
    env.update(extra)
    io.out("".join(f"{k}={v}\n" for k, v in env.items()).encode())
    return 0


def printenv(sh, argv, io):
    env = sh.env()
    if len(argv) == 1:
        io.out("".join(f"{k}={v}\n" for k, v in env.items()).encode())
        return 0
    status = 0
    for name in argv[1:]:
        if name in env:
            io.out((env[name] + "\n").encode())
        else:
            status = 1
    return status


def hostname(sh, argv, io):
    if "-i" in argv or "-I" in argv:
        # the address /etc/hosts gives this host (the kubelet writes the pod IP there)
        addrs = []
        try:
            for line in sh.fs.read("/etc/hosts").decode().splitlines():
                fields = line.split()
                if len(fields) > 1 and not line.startswith("#") and sh.ctx.hostname in fields[1:]:
                    addrs.append(fields[0])
        except FsError:
            pass
        io.out((" ".join(addrs) + ("\n" if "-i" in argv else " \n")).encode())
    else:
        io.out((sh.ctx.hostname + "\n").encode())
    return 0


def mkdir(sh, argv, io):
    flags, _, names = _opts(argv, "pv", "m")
    if not names:
        _err(io, "mkdir: missing operand")
        return 1
    status = 0
    for name in names:
        try:
            sh.fs.mkdir(sh.path(name), parents="p" in flags)
        except FsError as e:
            _err(io, f"mkdir: can't create directory '{name}': {e.reason}" if sh.flavour.busybox
                 else f"mkdir: cannot create directory '{name}': {e.reason}")
            status = 1
    return status


def touch(sh, argv, io):
    _, _, names = _opts(argv, "acm")
    if not names:
        _err(io, "touch: missing file operand")
        return 1
    status = 0
    for name in names:
        try:
            sh.fs.touch(sh.path(name))
        except FsError as e:
            _err(io, f"touch: {name}: {e.reason}" if sh.flavour.busybox else f"touch: cannot touch '{name}': {e.reason}")
            status = 1
    return status


def rm(sh, argv, io):
    flags, _, names = _opts(argv, "rRfvd")
    recursive, force = "r" in flags or "R" in flags, "f" in flags
    if not names and not force:
        _err(io, "rm: missing operand")
        return 1
    status = 0
    for name in names:
        path = sh.path(name)
        try:
            sh.fs.remove(path, recursive=recursive, dir_ok="d" in flags)
        except FsError as e:
            if e.reason == "No such file or directory" and force:
                continue
            if e.reason == "Is a directory":
                _err(io, f"rm: '{name}' is a directory" if sh.flavour.busybox else f"rm: cannot remove '{name}': Is a directory")
            else:
                _err(io, f"rm: can't remove '{name}': {e.reason}" if sh.flavour.busybox else f"rm: cannot remove '{name}': {e.reason}")
            status = 1
    return status


def _copy_or_move(sh, argv, io, move: bool):
    prog = argv[0].rsplit("/", 1)[-1]
    flags, _, names = _opts(argv, "rRfapvin")
    if len(names) < 2:
        _err(io, f"{prog}: missing destination file operand after '{names[0]}'" if names else f"{prog}: missing file operand")
        return 1
    *sources, dest = names
    dest_path = sh.path(dest)
    into = sh.fs.is_dir(dest_path)
    if len(sources) > 1 and not into:
        _err(io, f"{prog}: target '{dest}' is not a directory")
        return 1
    status = 0
    for src in sources:
        src_path = sh.path(src)
        try:
            node = sh.fs.lookup(src_path)
        except FsError as e:
            _err(io, f"{prog}: can't stat '{src}': {e.reason}" if sh.flavour.busybox else f"{prog}: cannot stat '{src}': {e.reason}")
            status = 1
            continue
        if isinstance(node, Dir) and not move and not ({"r", "R", "a"} & flags):
            _err(io, f"{prog}: omitting directory '{src}'" if not sh.flavour.busybox else f"{prog}: omitting directory '{src}'")
            status = 1
            continue
        target = posixpath.join(dest_path, posixpath.basename(src_path)) if into else dest_path
        try:
            sh.fs.put(target, node if move else copy_node(node))
            if move:
                sh.fs.remove(src_path, recursive=True)
        except FsError as e:
            _err(io, f"{prog}: cannot create '{dest}': {e.reason}")
            status = 1
    return status


def cp(sh, argv, io):
    return _copy_or_move(sh, argv, io, False)


def mv(sh, argv, io):
    return _copy_or_move(sh, argv, io, True)


def ps(sh, argv, io):
    procs = list(sh.ctx.processes)
    if not sh.ctx.direct:
        procs.append([sh.ctx.next_pid[0], " ".join(argv), sh.ctx.tty])
    if sh.flavour.busybox:
        lines = ["PID   USER     TIME  COMMAND"]
        for pid, cmdline, _ in procs:
            lines.append(f"{pid:>5} {sh.ctx.user[2]:<8}  0:00 {cmdline}")
    elif {"e", "f", "a", "x", "u"} & set("".join(a.lstrip("-") for a in argv[1:])):
        lines = ["UID          PID    PPID  C STIME TTY          TIME CMD"]
        for pid, cmdline, tty in procs:
            lines.append(f"{sh.ctx.user[2]:<8} {pid:>7} {0 if pid == 1 else 1:>7}  0 00:00 {tty or '?':<8} 00:00:00 {cmdline}")
    else:
        lines = ["    PID TTY          TIME CMD"]
        for pid, cmdline, tty in procs:
            lines.append(f"{pid:>7} {tty or '?':<8} 00:00:00 {cmdline.split()[0].rsplit('/', 1)[-1]}")
    io.out(("\n".join(lines) + "\n").encode())
    return 0


def sleep(sh, argv, io):
    if len(argv) < 2:
        _err(io, "sleep: missing operand")
        return 1
    total = 0.0
    for a in argv[1:]:
        if a == "infinity":
            total = float("inf")
            break
        m = re.fullmatch(r"(\d+(?:\.\d*)?)([smhd]?)", a)
        if not m:
            _err(io, f"sleep: invalid number '{a}'" if sh.flavour.busybox else f"sleep: invalid time interval '{a}'")
            return 1
        total += float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    if sh.ctx.sleep(total):
        raise Interrupted()
    return 0


def date(sh, argv, io):
    now = _dt.datetime.fromtimestamp(sh.ctx.clock(), _dt.timezone.utc)
    fmt = next((a[1:] for a in argv[1:] if a.startswith("+")), None)
    if fmt is not None:
        io.out((now.strftime(fmt) + "\n").encode())
    else:
        io.out((now.strftime("%a %b ") + f"{now.day:>2}" + now.strftime(" %H:%M:%S UTC %Y") + "\n").encode())
    return 0


def id_(sh, argv, io):
    uid, gid, user, group = sh.ctx.user
    if "-u" in argv:
        io.out(f"{uid}\n".encode())
    elif "-g" in argv:
        io.out(f"{gid}\n".encode())
    elif "-un" in argv or ("-u" in argv and "-n" in argv):
        io.out(f"{user}\n".encode())
    else:
        u = f"{uid}({user})" if user else str(uid)
        g = f"{gid}({group})" if group else str(gid)
        io.out(f"uid={u} gid={g} groups={g}\n".encode())
    return 0


def whoami(sh, argv, io):
    uid, _, user, _ = sh.ctx.user
    if not user:
        _err(io, f"whoami: unknown uid {uid}" if sh.flavour.busybox else f"whoami: cannot find name for user ID {uid}")
        return 1
    io.out(f"{user}\n".encode())
    return 0


def _count(argv, default=10) -> tuple[int, list[str], bool]:
    """(-n lines, operands, -f); `-c N` (bytes) comes back as a negative count."""
    n, rest, follow = default, [], False
    args = argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-c" and i + 1 < len(args) and args[i + 1].lstrip("+").isdigit():
            n = -int(args[i + 1].lstrip("+")) - 1
            i += 1
        elif a.startswith("-c") and a[2:].isdigit():
            n = -int(a[2:]) - 1
        elif a == "-n" and i + 1 < len(args):
            n = int(args[i + 1].lstrip("+")) if args[i + 1].lstrip("+-").isdigit() else n
            i += 1
        elif a.startswith("-n") and a[2:].lstrip("+-").isdigit():
            n = int(a[2:].lstrip("+"))
        elif re.fullmatch(r"-\d+", a):
            n = int(a[1:])
        elif a in ("-f", "-F"):
            follow = True
        else:
            rest.append(a)
        i += 1
    return n, rest, follow


def head(sh, argv, io):
    n, names, _ = _count(argv)
    status = 0
    for name, data in _inputs(sh, io, names, "head"):
        if data is None:
            status = 1
            continue
        if len(names) > 1:
            io.out(f"==> {name} <==\n".encode())
        io.out(data[:-n - 1] if n < 0 else b"".join(data.splitlines(keepends=True)[:n]))
    return status


def tail(sh, argv, io):
    n, names, follow = _count(argv)
    status = 0
    for _, data in _inputs(sh, io, names, "tail"):
        if data is None:
            status = 1
            continue
        if n < 0:
            io.out(data[len(data) - (-n - 1):] if n < -1 else b"")
        else:
            io.out(b"".join(data.splitlines(keepends=True)[-n:] if n else []))
    if follow:
        sh.ctx.sleep(float("inf"))
        raise Interrupted()
    return status


def grep(sh, argv, io):
    flags, values, rest = _opts(argv, "ivncqlEFrwhHo", "e")
    if "e" in values:
        pattern = values["e"]
    elif rest:
        pattern, rest = rest[0], rest[1:]
    else:
        _err(io, "Usage: grep [OPTION]... PATTERNS [FILE]...")
        return 2
    try:
        rx = re.compile(re.escape(pattern) if "F" in flags else _posix_regex(pattern, "E" in flags or argv[0] == "egrep"),
                        re.IGNORECASE if "i" in flags else 0)
    except re.error:
        _err(io, f"grep: bad regex '{pattern}'")
        return 2
    files = rest
    if "r" in flags:
        files = []
        for name in rest or ["."]:
            try:
                for path, node in sh.fs.walk(sh.path(name)):
                    if isinstance(node, File):
                        files.append(path if name.startswith("/") else posixpath.relpath(path, sh.cwd))
            except FsError:
                files.append(name)
    show_name = ("H" in flags or len(files) > 1) and "h" not in flags
    found = False
    status_err = False
    for name, data in _inputs(sh, io, files, "grep"):
        if data is None:
            status_err = True
            continue
        count = 0
        for k, line in enumerate(data.decode(errors="replace").splitlines()):
            hit = bool(rx.search(line)) if "w" not in flags else bool(re.search(rf"\b(?:{rx.pattern})\b", line, rx.flags))
            if hit == ("v" in flags):
                continue
            count += 1
            found = True
            if "q" in flags:
                return 0
            if "c" in flags or "l" in flags:
                continue
            prefix = (f"{name}:" if show_name else "") + (f"{k + 1}:" if "n" in flags else "")
            text = "\n".join(m.group(0) for m in rx.finditer(line)) if "o" in flags else line
            io.out(f"{prefix}{text}\n".encode())
        if "c" in flags:
            io.out(((f"{name}:" if show_name else "") + f"{count}\n").encode())
        elif "l" in flags and count:
            io.out(f"{name}\n".encode())
    return 2 if status_err and not found else (0 if found else 1)


def _posix_regex(pattern: str, extended: bool) -> str:
    if extended:
        return pattern
    # Basic regular expressions: \( \) \| \+ \? are the operators, bare ones are literals.
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "()|+?{}":
            out.append(pattern[i + 1])
            i += 2
            continue
        out.append("\\" + c if c in "()|+?{}" else c)
        i += 1
    return "".join(out)


def wc(sh, argv, io):
    flags, _, names = _opts(argv, "lwcm")
    wanted = [f for f in "lwc" if f in flags or (f == "c" and "m" in flags)] or ["l", "w", "c"]
    status = 0
    totals = {"l": 0, "w": 0, "c": 0}
    rows = []
    for name, data in _inputs(sh, io, names, "wc"):
        if data is None:
            status = 1
            continue
        counts = {"l": data.count(b"\n"), "w": len(data.split()), "c": len(data)}
        for f in totals:
            totals[f] += counts[f]
        rows.append((counts, "" if name == "-" and not names else name))
    if len(rows) > 1:
        rows.append((totals, "total"))
    single = len(wanted) == 1 and not names
    for counts, name in rows:
        if single:
            io.out(f"{counts[wanted[0]]}\n".encode())
        else:
            width = 7 if sh.flavour.busybox or not names else max(len(str(totals[f])) for f in wanted)
            cells = " ".join(f"{counts[f]:>{width}}" for f in wanted)
            io.out((cells + (f" {name}" if name else "") + "\n").encode())
    return status


def true(sh, argv, io):
    return 0


def false(sh, argv, io):
    return 1


def uname(sh, argv, io):
    flags, _, _ = _opts(argv, "asnrvmpio")
    parts = {"s": "Linux", "n": sh.ctx.hostname, "r": "6.8.0-kubeplay", "v": "#1 SMP PREEMPT_DYNAMIC",
             "m": "x86_64", "o": "GNU/Linux"}
    if "a" in flags:
        order = ["s", "n", "r", "v", "m", "o"]
    else:
        order = [f for f in "snrvmo" if f in flags] or ["s"]
    io.out((" ".join(parts[f] for f in order) + "\n").encode())
    return 0


def test(sh, argv, io):
    args = argv[1:]
    if argv[0] == "[":
        if not args or args[-1] != "]":
            _err(io, "[: missing ]" if sh.flavour.busybox else f"{sh.flavour.name}: [: missing `]'")
            return 2
        args = args[:-1]
    negate = False
    if args and args[0] == "!":
        negate, args = True, args[1:]
    ok = _test(sh, args)
    return 0 if ok != negate else 1


def _test(sh, args) -> bool:
    if not args:
        return False
    if len(args) == 1:
        return args[0] != ""
    if len(args) == 2:
        op, operand = args
        path = sh.path(operand) if operand else ""
        if op == "-z":
            return operand == ""
        if op == "-n":
            return operand != ""
        if op in ("-e", "-a"):
            return bool(operand) and sh.fs.exists(path)
        if op == "-f":
            return bool(operand) and sh.fs.exists(path) and not sh.fs.is_dir(path)
        if op == "-d":
            return bool(operand) and sh.fs.is_dir(path)
        if op == "-s":
            try:
                return len(sh.fs.read(path)) > 0
            except FsError:
                return False
        if op in ("-r", "-w", "-x"):
            return bool(operand) and sh.fs.exists(path)
        return False
    a, op, b = args[0], args[1], args[2]
    if op in ("=", "=="):
        return a == b
    if op == "!=":
        return a != b
    try:
        x, y = int(a), int(b)
    except ValueError:
        return False
    return {"-eq": x == y, "-ne": x != y, "-lt": x < y, "-le": x <= y, "-gt": x > y, "-ge": x >= y}.get(op, False)


def basename(sh, argv, io):
    if len(argv) < 2:
        return 1
    name = posixpath.basename(argv[1].rstrip("/")) or "/"
    if len(argv) > 2 and name.endswith(argv[2]) and name != argv[2]:
        name = name[:-len(argv[2])]
    io.out((name + "\n").encode())
    return 0


def dirname(sh, argv, io):
    if len(argv) < 2:
        return 1
    io.out(((posixpath.dirname(argv[1].rstrip("/")) or ".") + "\n").encode())
    return 0


def sort(sh, argv, io):
    flags, _, names = _opts(argv, "rnu")
    lines: list[str] = []
    for _, data in _inputs(sh, io, names, "sort"):
        if data is not None:
            lines.extend(data.decode(errors="replace").splitlines())
    key = _numeric_key if "n" in flags else None
    lines.sort(key=key, reverse="r" in flags)
    if "u" in flags:
        lines = list(dict.fromkeys(lines))
    io.out("".join(ln + "\n" for ln in lines).encode())
    return 0


def _numeric_key(line: str) -> tuple[float, str]:
    m = re.match(r"\s*(-?\d+(?:\.\d*)?)", line)
    return (float(m.group(1)) if m else 0.0, line)


def seq(sh, argv, io):
    nums = [int(a) for a in argv[1:] if a.lstrip("-").isdigit()]
    first, step, last = (1, 1, nums[0]) if len(nums) == 1 else (nums[0], 1, nums[1]) if len(nums) == 2 else tuple(nums[:3])
    io.out("".join(f"{k}\n" for k in range(first, last + (1 if step > 0 else -1), step)).encode())
    return 0


def clear(sh, argv, io):
    io.out(b"\x1b[H\x1b[2J")
    return 0


def chmod(sh, argv, io):
    return 0


def which(sh, argv, io):
    from .interpreter import BUILTINS, SHELL_NAMES
    status = 0
    for name in argv[1:]:
        if (name in COMMANDS or name in SHELL_NAMES) and name in sh.flavour.commands and name not in BUILTINS:
            io.out((("/bin/" if sh.flavour.busybox else "/usr/bin/") + name + "\n").encode())
        else:
            status = 1
    return status


def tar(sh, argv, io):
    from .tarball import tar as run_tar
    return run_tar(sh, argv, io)


COMMANDS = {
    "echo": echo, "printf": printf, "cat": cat, "ls": ls, "env": env_, "printenv": printenv,
    "hostname": hostname, "mkdir": mkdir, "touch": touch, "rm": rm, "cp": cp, "mv": mv, "ps": ps,
    "sleep": sleep, "date": date, "id": id_, "whoami": whoami, "head": head, "tail": tail,
    "grep": grep, "egrep": grep, "wc": wc, "true": true, "false": false, "uname": uname,
    "test": test, "[": test, "basename": basename, "dirname": dirname, "sort": sort, "seq": seq,
    "clear": clear, "chmod": chmod, "which": which, "tar": tar,
}


def find(sh, argv, io):
    """find [path...] [-name PATTERN] [-type f|d] [-maxdepth N]"""
    import fnmatch
    args = argv[1:]
    roots = []
    while args and not args[0].startswith("-"):
        roots.append(args.pop(0))
    name = kind = None
    maxdepth = None
    while args:
        a = args.pop(0)
        if a in ("-name", "-iname") and args:
            name = (args.pop(0), a == "-iname")
        elif a == "-type" and args:
            kind = args.pop(0)
        elif a == "-maxdepth" and args and args[0].isdigit():
            maxdepth = int(args.pop(0))
        elif a == "-print":
            continue
        else:
            _err(io, f"find: unrecognized: {a}" if sh.flavour.busybox else f"find: unknown predicate `{a}'")
            return 1
    status = 0
    for root in roots or ["."]:
        base = sh.path(root)
        try:
            nodes = list(sh.fs.walk(base))
        except FsError as e:
            _err(io, f"find: {root}: {e.reason}" if sh.flavour.busybox else f"find: '{root}': {e.reason}")
            status = 1
            continue
        for path, node in nodes:
            rel = path[len(base):].lstrip("/") if base != "/" else path.lstrip("/")
            depth = rel.count("/") + 1 if rel else 0
            if maxdepth is not None and depth > maxdepth:
                continue
            shown = root.rstrip("/") + "/" + rel if rel else root
            if root == "/" and rel:
                shown = "/" + rel
            if kind == "f" and not isinstance(node, File) or kind == "d" and not isinstance(node, Dir):
                continue
            if name is not None:
                leaf = posixpath.basename(path) or "/"
                pattern, fold = name
                if not (fnmatch.fnmatchcase(leaf.lower(), pattern.lower()) if fold else fnmatch.fnmatchcase(leaf, pattern)):
                    continue
            io.out((shown + "\n").encode())
    return status


def cut(sh, argv, io):
    _, values, names = _opts(argv, "s", "dfc")
    delim = values.get("d", "\t")
    spec = values.get("f") or values.get("c")
    if not spec:
        _err(io, "cut: you must specify a list of bytes, characters, or fields")
        return 1
    wanted: set[int] = set()
    for part in spec.split(","):
        lo, dash, hi = part.partition("-")
        start = int(lo) if lo.isdigit() else 1
        end = int(hi) if hi.isdigit() else (start if not dash else 10_000)
        wanted.update(range(start, end + 1))
    status = 0
    for _, data in _inputs(sh, io, names, "cut"):
        if data is None:
            status = 1
            continue
        for line in data.decode(errors="replace").splitlines():
            if "c" in values:
                io.out(("".join(ch for k, ch in enumerate(line, 1) if k in wanted) + "\n").encode())
            elif delim in line:
                io.out((delim.join(f for k, f in enumerate(line.split(delim), 1) if k in wanted) + "\n").encode())
            else:
                io.out((line + "\n").encode())
    return status


def tr(sh, argv, io):
    flags, _, sets = _opts(argv, "ds")
    data = io.stdin.read(sh.ctx.cancel).decode(errors="replace")

    def expand(spec: str) -> str:
        spec = spec.replace("[:lower:]", "a-z").replace("[:upper:]", "A-Z").replace("[:digit:]", "0-9")
        spec = spec.replace("\\n", "\n").replace("\\t", "\t")
        out: list[str] = []
        i = 0
        while i < len(spec):
            if i + 2 < len(spec) and spec[i + 1] == "-":
                out.extend(chr(c) for c in range(ord(spec[i]), ord(spec[i + 2]) + 1))
                i += 3
            else:
                out.append(spec[i])
                i += 1
        return "".join(out)
    if "d" in flags and sets:
        gone = set(expand(sets[0]))
        data = "".join(c for c in data if c not in gone)
    elif len(sets) >= 2:
        src, dst = expand(sets[0]), expand(sets[1])
        dst = dst + dst[-1:] * (len(src) - len(dst))
        data = data.translate(str.maketrans(src, dst[:len(src)]))
    if "s" in flags and sets:
        squeeze = set(expand(sets[-1]))
        data = re.sub("(.)\\1+", lambda m: m.group(1) if m.group(1) in squeeze else m.group(0), data)
    io.out(data.encode())
    return 0


def uniq(sh, argv, io):
    flags, _, names = _opts(argv, "cdu")
    lines: list[str] = []
    for _, data in _inputs(sh, io, names[:1], "uniq"):
        if data is not None:
            lines = data.decode(errors="replace").splitlines()
    groups: list[list] = []
    for line in lines:
        if groups and groups[-1][0] == line:
            groups[-1][1] += 1
        else:
            groups.append([line, 1])
    for line, n in groups:
        if ("d" in flags and n < 2) or ("u" in flags and n > 1):
            continue
        io.out((f"{n:>7} {line}\n" if "c" in flags else line + "\n").encode())
    return 0


def kill(sh, argv, io):
    pids = [a for a in argv[1:] if not a.startswith("-")]
    if not pids:
        _err(io, f"{sh.flavour.name}: kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]"
             if sh.flavour.style == "bash" else "kill: usage: kill [-s SIG | -SIG] PID...")
        return 1 if sh.flavour.busybox else 2
    known = {str(p[0]) for p in sh.ctx.processes}
    status = 0
    for pid in pids:
        if pid not in known:
            _err(io, {"bash": f"{sh.flavour.name}: kill: ({pid}) - No such process",
                      "dash": f"{sh.flavour.name}: {sh.line}: kill: No such process"}.get(
                sh.flavour.style, f"{sh.flavour.name}: can't kill pid {pid}: No such process"))
            status = 1
        # PID 1 ignores signals it has no handler for (the kernel protects a namespace's init)
    return status


def df(sh, argv, io):
    human = "-h" in argv
    size, used = ("100G", "12G") if human else ("104857600", "12582912")
    avail = "88G" if human else "92274688"
    io.out((f"Filesystem{'':<10}{'Size' if human else '1K-blocks':>10}{'Used':>10}{'Available':>11} Use% Mounted on\n"
            f"overlay{'':<13}{size:>10}{used:>10}{avail:>11}  12% /\n").encode())
    return 0


COMMANDS.update({"find": find, "cut": cut, "tr": tr, "uniq": uniq, "kill": kill, "df": df})

from .netcommands import NET_COMMANDS  # noqa: E402  (curl, wget, nslookup, ...: their own module)

COMMANDS.update(NET_COMMANDS)
