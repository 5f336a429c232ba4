"""`kubectl exec -it ... -- sh`: an interactive shell on a terminal. The client's terminal is in
raw mode, so the shell does what a line discipline and readline would: echo typed characters,
erase on Backspace, run the line on Enter, `^C` on Ctrl-C, exit on Ctrl-D at an empty line, and
print its prompt (`/ # ` for busybox ash, `# ` for dash, `root@<pod>:/# ` for bash)."""
from __future__ import annotations

from . import syntax
from .interpreter import IO, Input, Interrupted, Shell, ShellExit


def crlf(write):
    """A terminal's output post-processing (ONLCR): "\n" goes out as "\r\n"."""
    def out(data: bytes) -> None:
        write(bytes(data).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    return out


def prompt(sh: Shell) -> str:
    root = sh.ctx.user[0] == 0
    mark = "#" if root else "$"
    if sh.flavour.style == "bash":
        home = sh.vars.get("HOME", "/root")
        cwd = "~" + sh.cwd[len(home):] if sh.cwd == home or sh.cwd.startswith(home + "/") else sh.cwd
        who = sh.ctx.user[2] or "I have no name!"
        return f"{who}@{sh.ctx.hostname}:{cwd}{mark} "
    if sh.flavour.style == "dash":
        return f"{mark} "
    return f"{sh.cwd} {mark} "


def interactive(sh: Shell, stdin: Input, write) -> int:
    """Read keys from `stdin`, run lines, until `exit` or Ctrl-D; returns the exit status."""
    out = crlf(write)
    sh.interactive = True
    io = IO(Input(), out, out, True)
    pending = ""
    line = bytearray()
    history: list[bytes] = []
    back = 0                                     # how far Up has gone into the history

    def show(entry: bytes) -> None:
        """Replace the line being edited with `entry` (Up/Down), on screen too."""
        write(b"\x08 \x08" * len(line.decode(errors="replace")) + entry)
        line[:] = entry

    write(prompt(sh).encode())
    while True:
        data = stdin.read_some(sh.ctx.cancel)
        if not data:
            return sh.status                     # the client went away (or stdin closed)
        i = 0
        while i < len(data):
            ch = data[i:i + 1]
            i += 1
            if ch == b"\x1b":                    # an escape sequence: Up/Down walk the history
                final = b""
                if data[i:i + 1] in (b"[", b"O"):
                    i += 1
                    while i < len(data) and not (0x40 <= data[i] <= 0x7E):
                        i += 1
                    final = data[i:i + 1]
                    i += 1
                if final == b"A" and back < len(history):
                    back += 1
                    show(history[-back])
                elif final == b"B" and back > 0:
                    back -= 1
                    show(history[-back] if back else b"")
                continue
            if ch in (b"\x7f", b"\x08"):
                if line:
                    # one character (of UTF-8: drop continuation bytes with it)
                    del line[-1]
                    while line and (line[-1] & 0xC0) == 0x80:
                        del line[-1]
                    write(b"\x08 \x08")
                continue
            if ch == b"\x03":
                write(b"^C\r\n")
                line.clear()
                pending = ""
                sh.status = 130
                write(prompt(sh).encode())
                continue
            if ch == b"\x04":
                if not line and not pending:
                    write(b"exit\r\n" if sh.flavour.style == "bash" else b"\r\n")
                    return sh.status
                continue
            if ch == b"\x15":                    # Ctrl-U: erase the line
                write(b"\x08 \x08" * len(line.decode(errors="replace")))
                line.clear()
                continue
            if ch in (b"\r", b"\n"):
                write(b"\r\n")
                if line.strip() and (not history or history[-1] != bytes(line)):
                    history.append(bytes(line))
                back = 0
                text = pending + line.decode(errors="replace") + "\n"
                line.clear()
                try:
                    tree = syntax.parse(text)
                except syntax.Incomplete:
                    pending = text
                    write(b"> ")
                    continue
                except syntax.ShellSyntaxError as e:
                    out(sh.flavour.syntax_error(e.token, sh.line).encode())
                    pending = ""
                    sh.status = 2
                    write(prompt(sh).encode())
                    continue
                pending = ""
                sh.ctx.interrupt.clear()
                sh.ctx.busy = True
                try:
                    sh.run_seq(tree, io)
                except ShellExit as e:
                    return e.code
                except Interrupted:
                    if sh.ctx.cancel.is_set():
                        return 130
                    write(b"^C\r\n")
                    sh.status = 130
                finally:
                    sh.ctx.busy = False
                sh.line += 1
                write(prompt(sh).encode())
                continue
            if ch >= b" " or ch == b"\t":
                line.extend(ch)
                write(ch)
