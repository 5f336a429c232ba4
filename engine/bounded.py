"""Bounded memo tables: the engine's caches of what it derived from equal inputs.

Each table keeps at most `limit` entries and is emptied when full (not LRU: a scale-up fills a
table with one second's or one template's keys, and the next second's keys are all new, so
ordering would buy nothing and cost a linked list per entry). Values derived from objects by
their identity must keep those objects in the value, so an id cannot be reused while the key is
in the table (engine/shared_diff.py).
"""
from __future__ import annotations

from typing import Generic, Hashable, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    __slots__ = ("_table", "_limit")

    def __init__(self, limit: int):
        self._table: dict[Hashable, V] = {}
        self._limit = limit

    def get(self, key: Hashable) -> V | None:
        return self._table.get(key)

    def put(self, key: Hashable, value: V) -> V:
        table = self._table
        if len(table) >= self._limit:
            table.clear()
        table[key] = value
        return value

    def clear(self) -> None:
        self._table.clear()

    def __len__(self) -> int:
        return len(self._table)
