"""A de-duplicating work queue with client-go's promises, on the injected clock.

- stingy: a key added many times before it is processed is processed once;
- never processed twice at once: a key re-added while being processed is queued again after done();
- delayed and rate-limited adds are timers on the Clock (per-key exponential backoff 5 ms·2ⁿ,
  capped), so tests step time instead of sleeping.
"""
from __future__ import annotations

import collections
import threading

from .clock import Timer


class WorkQueue:
    def __init__(self, clock, *, base_delay: float = 0.005, max_delay: float = 300.0):
        self._clock = clock
        self._queue: collections.deque[str] = collections.deque()
        # The keys waiting, for a cheap emptiness test (`if q.waiting:`) on the engine's hot
        # loop; read it, never change it (add/get keep the queue's promises).
        self.waiting = self._queue
        self._dirty: set[str] = set()
        self._processing: set[str] = set()
        self._failures: dict[str, int] = {}
        self._timers: dict[str, Timer] = {}
        self._base, self._max = base_delay, max_delay
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._queue)

    def add(self, key: str) -> None:
        with self._lock:
            if key in self._dirty:
                return
            self._dirty.add(key)
            if key not in self._processing:
                self._queue.append(key)

    def add_after(self, key: str, delay: float) -> None:
        if delay <= 0:
            self.add(key)
            return
        due = self._clock.now() + delay
        with self._lock:
            t = self._timers.get(key)
            if t is not None and not t.cancelled and t.due <= due:
                return              # an earlier wake-up is already scheduled
            if t is not None:
                t.cancel()
        timer = self._clock.call_at(due, lambda: self._fire(key))
        with self._lock:
            self._timers[key] = timer

    def _fire(self, key: str) -> None:
        with self._lock:
            self._timers.pop(key, None)
        self.add(key)

    def add_rate_limited(self, key: str) -> None:
        n = self._failures.get(key, 0)
        self._failures[key] = n + 1
        self.add_after(key, min(self._max, self._base * (2 ** n)))

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)

    def get(self) -> str | None:
        with self._lock:
            if not self._queue:
                return None
            key = self._queue.popleft()
            self._dirty.discard(key)
            self._processing.add(key)
            return key

    def done(self, key: str) -> None:
        with self._lock:
            self._processing.discard(key)
            if key in self._dirty:
                self._queue.append(key)
