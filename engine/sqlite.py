"""SQLite (WAL) persistence for the store: one row per object, written behind the store.

Rows are upserted as writes happen; commit() makes them durable. put() keeps only the latest
version of each row per transaction (coalescing the many writes one pod sees while it starts).

Writing is done by a writer thread: commit(rv, wait=False) hands the pending rows over and
returns, and the writer serializes them and commits them in order, so the engine goes on
while SQLite works (its C code runs without the GIL). commit(rv) (wait=True) returns once the
rows — and everything handed over before them — are committed, raising what the writer hit;
the store uses it for API clients' writes and flush(). Rows the writer failed to commit are
kept by it and written with the next batch (whose newer rows win).
"""
from __future__ import annotations

import json
import logging
import os
import queue
import sqlite3
import threading

log = logging.getLogger("kubeplay.engine")

# json.dumps(o, separators=(",", ":")) without building an encoder per row; stored objects are
# plain JSON data, never circular, so the encoder need not check.
_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)


class _Batch:
    __slots__ = ("rows", "rv", "done", "error")

    def __init__(self, rows: dict, rv: int, wait: bool):
        self.rows, self.rv = rows, rv
        self.done = threading.Event() if wait else None
        self.error: BaseException | None = None


class StateFileError(Exception):
    """The --state path cannot be used; the message is one line for the user."""


_SQLITE_MAGIC = b"SQLite format 3\x00"
_OUR_TABLES = {"objects": ["resource", "namespace", "name", "data"], "meta": ["key", "value"]}


def check_state_file(path: str) -> None:
    """Refuse a state path we must not or cannot use, before anything writes to it.

    Opening a SQLite file for writing changes it (WAL mode, our tables), so a file that is not
    ours is inspected read-only and left exactly as it was. A file we cannot write is refused
    too: a server that shows changes to its watchers and then fails to store them would lie."""
    where = f"--state {path}"
    if os.path.isdir(path):
        raise StateFileError(f"{where} is a directory; give a file name such as {os.path.join(path, 'kubeplay.db')}")
    parent = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.exists(path):
        if not os.path.isdir(parent):
            raise StateFileError(f"{where}: the directory {parent} does not exist")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise StateFileError(f"{where}: cannot create the file, {parent} is not writable")
        return
    if not os.path.isfile(path):
        raise StateFileError(f"{where} is not a regular file")
    if not os.access(path, os.R_OK):
        raise StateFileError(f"{where} is not readable")
    if not os.access(path, os.W_OK) or not os.access(parent, os.W_OK | os.X_OK) \
            or not os.stat(path).st_mode & 0o222 or not _opens_for_writing(path):
        # (root may write any file: a file with no write bit at all was marked read-only by its
        # owner on purpose, and a read-only mount or an immutable file fail the open itself.)
        # SQLite's WAL needs to write the file and create PATH-wal / PATH-shm next to it.
        raise StateFileError(f"{where} is read-only (kubeplay must write the file and its directory); "
                             f"copy it somewhere writable or start with --in-memory")
    size = os.path.getsize(path)
    if size == 0:
        return                                     # an empty file is an empty database
    with open(path, "rb") as f:
        head = f.read(len(_SQLITE_MAGIC))
    if head != _SQLITE_MAGIC:
        raise StateFileError(f"{where} is not a kubeplay state file (not a SQLite database); "
                             f"it was left untouched")
    # A header that says WAL (bytes 18-19 are 2) makes even a read-only open create PATH-wal and
    # PATH-shm beside the file; the ones this check made are removed again below, so a file that
    # is refused is left as it was found, its directory included.
    sidecars = [p for p in (path + "-wal", path + "-shm") if not os.path.exists(p)]
    try:
        ro = sqlite3.connect(f"file:{_uri_path(path)}?mode=ro", uri=True)
    except sqlite3.Error as e:
        _remove(sidecars)
        raise StateFileError(f"{where} cannot be opened: {e}") from None
    try:
        ok = ro.execute("PRAGMA quick_check").fetchone()
        if not ok or ok[0] != "ok":
            raise StateFileError(f"{where} is damaged (SQLite integrity check: {ok[0] if ok else 'no answer'}); "
                                 f"it was left untouched")
        tables = {name: [c[1] for c in ro.execute(f'PRAGMA table_info("{name}")')]
                  for (name,) in ro.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as e:
        raise StateFileError(f"{where} is damaged or truncated ({e}); it was left untouched") from None
    finally:
        ro.close()
        _remove(sidecars)
    if tables and (set(tables) - set(_OUR_TABLES) or any(tables.get(t, cols) != cols for t, cols in _OUR_TABLES.items())):
        raise StateFileError(f"{where} is a SQLite database of another program (tables: "
                             f"{', '.join(sorted(tables))}); kubeplay will not change it")


def _remove(paths: list[str]) -> None:
    """Remove the files of `paths` that exist (a read-only open's empty WAL and shared memory:
    nothing was written to them)."""
    for p in paths:
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass


def _opens_for_writing(path: str) -> bool:
    try:
        with open(path, "r+b"):            # opened, not written: the file is left as it was
            return True
    except OSError:
        return False


def _uri_path(path: str) -> str:
    from urllib.parse import quote
    return quote(os.path.abspath(path))


class SqliteBacking:
    def __init__(self, path: str):
        check_state_file(path)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")   # WAL + NORMAL: durable across process crashes
        self._db.execute("CREATE TABLE IF NOT EXISTS objects (resource TEXT, namespace TEXT, name TEXT,"
                         " data TEXT, PRIMARY KEY (resource, namespace, name))")
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        # put/delete/commit run under the store's lock; the writer thread owns the rest.
        self._pending: dict[tuple[str, str, str], dict | None] = {}
        self._queue: queue.SimpleQueue[_Batch | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._failed: dict[tuple[str, str, str], dict | None] = {}   # the writer's, to retry

    def load(self) -> list[dict]:
        out = []
        try:
            for (d,) in self._db.execute("SELECT data FROM objects"):
                obj = json.loads(d)
                md = obj.get("metadata") if isinstance(obj, dict) else None
                if not isinstance(md, dict) or not isinstance(md.get("name"), str):
                    raise ValueError("a row is not a stored object")
                out.append(obj)
        except (ValueError, TypeError, sqlite3.DatabaseError) as e:
            raise StateFileError(f"the state file's objects cannot be read ({e}); it was left untouched") from None
        return out

    def stored_rv(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key='resourceVersion'").fetchone()
        try:
            return int(row[0]) if row else 0
        except (TypeError, ValueError):
            raise StateFileError("the state file's resourceVersion is not a number; it was left untouched") from None

    def put(self, resource: str, namespace: str, name: str, obj: dict) -> None:
        self._pending[(resource, namespace, name)] = obj

    def delete(self, resource: str, namespace: str, name: str) -> None:
        self._pending[(resource, namespace, name)] = None

    def commit(self, rv: int, *, wait: bool = True) -> None:
        """Hand the pending rows to the writer; with `wait`, return once they are committed."""
        if not self._pending and not wait and not self._failed:
            return
        rows, self._pending = self._pending, {}
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_loop, name="kubeplay-sqlite", daemon=True)
            self._writer.start()
        batch = _Batch(rows, rv, wait)
        self._queue.put(batch)
        if batch.done is not None:
            batch.done.wait()
            if batch.error is not None:
                raise batch.error

    def _write_loop(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is None:
                return
            # Behind? Take every batch already queued in one transaction: a row written in several
            # of them (a pod starting up) is serialized and stored once, with its newest version.
            batches, stop = [batch], False
            while True:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batches.append(nxt)
            rows = self._failed
            for b in batches:
                rows = {**rows, **b.rows} if rows else b.rows
            error = None
            try:
                if rows:
                    self._write(rows, batches[-1].rv)
                self._failed = {}
            except BaseException as e:        # noqa: BLE001 — reported to a waiting caller, or logged
                self._failed, error = rows, e
                if all(b.done is None for b in batches):
                    log.exception("committing the engine's writes failed (will retry)")
            for b in batches:
                if b.done is not None:
                    b.error = error
                    b.done.set()
            if stop:
                return

    def _write(self, pending: dict, rv: int) -> None:
        encode = _ENCODER.encode
        puts = [(r, ns, n, encode(o)) for (r, ns, n), o in pending.items() if o is not None]
        dels = [k for k, o in pending.items() if o is None]
        cur = self._db.cursor()
        cur.execute("BEGIN")
        try:
            if dels:
                cur.executemany("DELETE FROM objects WHERE resource=? AND namespace=? AND name=?", dels)
            if puts:
                # An upsert updates a row in place (OR REPLACE deletes and re-inserts it): ~2x faster.
                cur.executemany("INSERT INTO objects VALUES (?,?,?,?) ON CONFLICT (resource, namespace, name)"
                                " DO UPDATE SET data=excluded.data", puts)
            cur.execute("INSERT OR REPLACE INTO meta VALUES ('resourceVersion', ?)", (str(rv),))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def close(self) -> None:
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join()
            self._writer = None
        self._db.close()
