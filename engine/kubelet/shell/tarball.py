"""`tar` in a container's shell, with Python's tarfile over the in-memory filesystem: what
`kubectl cp` runs (`tar cf - <path>` to copy out, `tar -xmf - -C <dir>` to copy in)."""
from __future__ import annotations

import io as _io
import posixpath
import tarfile

from .fs import Dir, FsError


def _parse(argv: list[str]):
    """GNU/busybox option forms: `cf -`, `-xmf - -C dir`, `--no-same-owner`, `-czvf out.tgz dir`."""
    mode, archive, directory, gzip, verbose = None, None, None, False, False
    operands: list[str] = []
    args = argv[1:]
    if args and not args[0].startswith("-"):
        args = ["-" + args[0]] + args[1:]           # the old form: `tar cf - x`
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            if a.startswith("--directory="):
                directory = a.split("=", 1)[1]
            elif a.startswith("--file="):
                archive = a.split("=", 1)[1]
            i += 1
            continue
        if a.startswith("-") and len(a) > 1:
            letters = a[1:]
            for k, ch in enumerate(letters):
                if ch in "cxt":
                    mode = ch
                elif ch == "z":
                    gzip = True
                elif ch == "v":
                    verbose = True
                elif ch == "f":
                    if k + 1 < len(letters):
                        archive = letters[k + 1:]
                    else:
                        i += 1
                        archive = args[i] if i < len(args) else None
                    break
                elif ch == "C":
                    i += 1
                    directory = args[i] if i < len(args) else None
                    break
            i += 1
            continue
        operands.append(a)
        i += 1
    return mode, archive, directory, gzip, verbose, operands


def tar(sh, argv, io) -> int:
    mode, archive, directory, gzip, verbose, operands = _parse(argv)
    if mode is None:
        io.err(b"tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\n"
               if not sh.flavour.busybox else b"tar: need one of -c, -x or -t\n")
        return 2
    base = sh.path(directory) if directory else sh.cwd
    if directory and not sh.fs.is_dir(base):
        io.err(f"tar: {directory}: Cannot open: No such file or directory\n".encode()
               if not sh.flavour.busybox else f"tar: can't change directory to '{directory}': No such file or directory\n".encode())
        return 2
    if mode == "c":
        return _create(sh, io, archive, base, gzip, verbose, operands)
    if archive in (None, "-"):
        data = io.stdin.read(sh.ctx.cancel)
    else:
        try:
            data = sh.fs.read(sh.path(archive))
        except FsError as e:
            io.err(f"tar: {archive}: Cannot open: {e.reason}\n".encode())
            return 2
    try:
        tf = tarfile.open(fileobj=_io.BytesIO(data), mode="r:*")
    except tarfile.TarError:
        io.err(b"tar: This does not look like a tar archive\n")
        return 2
    with tf:
        for member in tf.getmembers():
            name = member.name.lstrip("/")
            if mode == "t" or verbose:
                io.out((name + "\n").encode())
            if mode == "t":
                continue
            target = sh.fs.norm(name, base)
            try:
                if member.isdir():
                    sh.fs.mkdir(target, parents=True, mode=member.mode & 0o777 or 0o755)
                elif member.isfile():
                    sh.fs.mkdir(posixpath.dirname(target), parents=True)
                    fobj = tf.extractfile(member)
                    sh.fs.write(target, fobj.read() if fobj else b"", mode=member.mode & 0o777 or 0o644)
            except FsError as e:
                io.err(f"tar: {name}: Cannot open: {e.reason}\n".encode())
                return 2
    return 0


def _create(sh, io, archive, base, gzip, verbose, operands) -> int:
    if not operands:
        io.err(b"tar: Cowardly refusing to create an empty archive\n")
        return 2
    buf = _io.BytesIO()
    status = 0
    warned = False
    with tarfile.open(fileobj=buf, mode="w:gz" if gzip else "w", format=tarfile.GNU_FORMAT) as tf:
        for operand in operands:
            path = sh.fs.norm(operand, base)
            try:
                nodes = list(sh.fs.walk(path))
            except FsError as e:
                io.err(f"tar: {operand}: Cannot stat: {e.reason}\n".encode() if not sh.flavour.busybox
                       else f"tar: {operand}: {e.reason}\n".encode())
                status = 2 if not sh.flavour.busybox else 1
                continue
            if operand.startswith("/") and not warned:
                io.err(b"tar: removing leading '/' from member names\n" if sh.flavour.busybox
                       else b"tar: Removing leading `/' from member names\n")
                warned = True
            for p, node in nodes:
                rel = operand.rstrip("/") + p[len(path):] if p != path else operand
                name = rel.lstrip("/") or "."
                info = tarfile.TarInfo(name)
                info.mtime = int(node.mtime or sh.ctx.clock())
                info.uname = info.gname = "root"
                if isinstance(node, Dir):
                    info.type, info.mode = tarfile.DIRTYPE, node.mode
                    tf.addfile(info)
                else:
                    info.size, info.mode = len(node.data), node.mode
                    tf.addfile(info, _io.BytesIO(node.data))
                if verbose:
                    io.err((name + "\n").encode())
    data = buf.getvalue()
    if archive in (None, "-"):
        io.out(data)
    else:
        sh.fs.write(sh.path(archive), data)
    if status and not sh.flavour.busybox:
        io.err(b"tar: Exiting with failure status due to previous errors\n")
    return status
