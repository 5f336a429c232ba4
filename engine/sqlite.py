"""SQLite (WAL) persistence for the store: one row per object, written through before commit.

Rows are upserted as writes happen; commit() makes them durable. put() keeps only the latest
version of each row per transaction (coalescing the many writes one pod sees while it starts).
"""
from __future__ import annotations

import json
import sqlite3


class SqliteBacking:
    def __init__(self, path: str):
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")   # WAL + NORMAL: durable across process crashes
        self._db.execute("CREATE TABLE IF NOT EXISTS objects (resource TEXT, namespace TEXT, name TEXT,"
                         " data TEXT, PRIMARY KEY (resource, namespace, name))")
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        self._pending: dict[tuple[str, str, str], dict | None] = {}

    def load(self) -> list[dict]:
        return [json.loads(d) for (d,) in self._db.execute("SELECT data FROM objects")]

    def stored_rv(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key='resourceVersion'").fetchone()
        return int(row[0]) if row else 0

    def put(self, resource: str, namespace: str, name: str, obj: dict) -> None:
        self._pending[(resource, namespace, name)] = obj

    def delete(self, resource: str, namespace: str, name: str) -> None:
        self._pending[(resource, namespace, name)] = None

    def commit(self, rv: int) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        puts = [(r, ns, n, json.dumps(o, separators=(",", ":"))) for (r, ns, n), o in pending.items() if o is not None]
        dels = [k for k, o in pending.items() if o is None]
        cur = self._db.cursor()
        cur.execute("BEGIN")
        try:
            if dels:
                cur.executemany("DELETE FROM objects WHERE resource=? AND namespace=? AND name=?", dels)
            if puts:
                cur.executemany("INSERT OR REPLACE INTO objects VALUES (?,?,?,?)", puts)
            cur.execute("INSERT OR REPLACE INTO meta VALUES ('resourceVersion', ?)", (str(rv),))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            self._pending = {**pending, **self._pending}
            raise

    def close(self) -> None:
        self._db.close()
