"""A container's filesystem, in memory: directories of files, with mounts grafted in.

A mount is a shared `Dir` object placed at a path: two containers of a pod that mount the same
emptyDir hold the same object, so what one writes the other reads, and it outlives a container's
restart (the container gets a fresh tree from its image, the volume's `Dir` is grafted again)."""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field


class FsError(Exception):
    """An errno-like failure: `reason` is the strerror text (`No such file or directory`)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


NOENT = "No such file or directory"
NOTDIR = "Not a directory"
ISDIR = "Is a directory"
EXIST = "File exists"
NOTEMPTY = "Directory not empty"
ROFS = "Read-only file system"


@dataclass
class File:
    data: bytes = b""
    mode: int = 0o644
    mtime: float = 0.0


@dataclass
class Dir:
    entries: dict = field(default_factory=dict)
    mode: int = 0o755
    mtime: float = 0.0
    readonly: bool = False        # a ConfigMap/Secret/downward API volume


class FileSystem:
    def __init__(self, clock=lambda: 0.0):
        self.root = Dir()
        self.clock = clock
        # Paths written or removed since the image was laid down: what an exec changed, which
        # the kubelet's exec probes then see (probes.py asks before its own file rule).
        self.changed: set[str] = set()

    # ---- lookup -----------------------------------------------------------------------------

    @staticmethod
    def norm(path: str, cwd: str = "/") -> str:
        p = posixpath.normpath(posixpath.join(cwd, path))
        return "/" + p.lstrip("/") if p != "/" else "/"

    def lookup(self, path: str):
        node: File | Dir | None = self.root
        for part in [p for p in path.split("/") if p]:
            if not isinstance(node, Dir):
                raise FsError(NOTDIR)
            node = node.entries.get(part)
            if node is None:
                raise FsError(NOENT)
        return node

    def exists(self, path: str) -> bool:
        try:
            self.lookup(path)
            return True
        except FsError:
            return False

    def is_dir(self, path: str) -> bool:
        try:
            return isinstance(self.lookup(path), Dir)
        except FsError:
            return False

    def _parent(self, path: str) -> tuple[Dir, str]:
        head, name = posixpath.split(path)
        parent = self.lookup(head or "/")
        if not isinstance(parent, Dir):
            raise FsError(NOTDIR)
        return parent, name

    # ---- reading ----------------------------------------------------------------------------

    def read(self, path: str) -> bytes:
        node = self.lookup(path)
        if isinstance(node, Dir):
            raise FsError(ISDIR)
        return node.data

    def listdir(self, path: str) -> list[str]:
        node = self.lookup(path)
        if not isinstance(node, Dir):
            raise FsError(NOTDIR)
        return sorted(node.entries)

    def walk(self, path: str):
        """(path, node) for `path` and everything under it, parents first."""
        node = self.lookup(path)
        yield path, node
        if isinstance(node, Dir):
            for name in sorted(node.entries):
                yield from self.walk(posixpath.join(path, name))

    # ---- writing ----------------------------------------------------------------------------

    def write(self, path: str, data: bytes, *, append: bool = False, mode: int | None = None) -> None:
        self.changed.add(path)
        parent, name = self._parent(path)
        node = parent.entries.get(name)
        if isinstance(node, Dir):
            raise FsError(ISDIR)
        if parent.readonly:
            raise FsError(ROFS)
        if node is None:
            node = parent.entries[name] = File(mode=0o644 if mode is None else mode)
        node.data = (node.data + data) if append else data
        if mode is not None:
            node.mode = mode
        node.mtime = self.clock()

    def touch(self, path: str) -> None:
        self.changed.add(path)
        parent, name = self._parent(path)
        node = parent.entries.get(name)
        if node is None:
            if parent.readonly:
                raise FsError(ROFS)
            parent.entries[name] = File(mtime=self.clock())
        else:
            node.mtime = self.clock()

    def mkdir(self, path: str, *, parents: bool = False, mode: int = 0o755) -> None:
        self.changed.add(path.rstrip("/") or "/")
        if parents:
            node = self.root
            for part in [p for p in path.split("/") if p]:
                nxt: File | Dir | None = node.entries.get(part)
                if nxt is None:
                    if node.readonly:
                        raise FsError(ROFS)
                    nxt = node.entries[part] = Dir(mode=mode, mtime=self.clock())
                elif not isinstance(nxt, Dir):
                    raise FsError(NOTDIR if part != path.rstrip("/").rsplit("/", 1)[-1] else EXIST)
                node = nxt
            return
        parent, name = self._parent(path)
        if name in parent.entries:
            raise FsError(EXIST)
        if parent.readonly:
            raise FsError(ROFS)
        parent.entries[name] = Dir(mode=mode, mtime=self.clock())

    def remove(self, path: str, *, recursive: bool = False, dir_ok: bool = False) -> None:
        self.changed.add(path)
        parent, name = self._parent(path)
        node = parent.entries.get(name)
        if node is None:
            raise FsError(NOENT)
        if isinstance(node, Dir):
            if not (recursive or dir_ok):
                raise FsError(ISDIR)
            if dir_ok and not recursive and node.entries:
                raise FsError(NOTEMPTY)
        if parent.readonly:
            raise FsError(ROFS)
        del parent.entries[name]

    def put(self, path: str, node) -> None:
        """Place a node (a copy or a moved one) at `path`, replacing a file there."""
        self.changed.add(path)
        parent, name = self._parent(path)
        if parent.readonly:
            raise FsError(ROFS)
        parent.entries[name] = node

    def mount(self, path: str, node: Dir) -> None:
        """Graft a volume's directory at `path` (its parents made as needed)."""
        path = self.norm(path)
        if path == "/":
            return
        self.mkdir(posixpath.dirname(path), parents=True)
        parent, name = self._parent(path)
        parent.entries[name] = node


def copy_node(node):
    if isinstance(node, File):
        return File(node.data, node.mode, node.mtime)
    return Dir({k: copy_node(v) for k, v in node.entries.items()}, node.mode, node.mtime)
