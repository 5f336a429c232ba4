"""Bounded memo tables: the engine's caches of what it derived from equal inputs.

Each table keeps at most `limit` entries and is emptied when full (not LRU: a scale-up fills a
table with one second's or one template's keys, and the next second's keys are all new, so
ordering would buy nothing and cost a linked list per entry). Values derived from objects by
their identity must keep those objects in the value, so an id cannot be reused while the key is
in the table (engine/shared_diff.py).
"""
from __future__ import annotations

from typing import Hashable, TypeVar

V = TypeVar("V")


class Memo(dict[Hashable, V]):
    """A dict (its `get` is the C one: these are looked up on every write) that `put` empties
    when it holds `limit` entries."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def put(self, key: Hashable, value: V) -> V:
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value
