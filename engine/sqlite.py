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


class SqliteBacking:
    def __init__(self, path: str):
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
        return [json.loads(d) for (d,) in self._db.execute("SELECT data FROM objects")]

    def stored_rv(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key='resourceVersion'").fetchone()
        return int(row[0]) if row else 0

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
