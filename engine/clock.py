"""One injectable clock for the whole simulation.

Everything in the engine reads simulated time from a Clock and schedules future work as timers
on it; nothing calls time.time() or sleeps. Two implementations share one timer heap:

- ManualClock: time moves only when a test calls advance(); the cluster fires due timers.
- ScaledClock: simulated time runs at `speed` × wall time, can be paused and stepped (serve).
"""
from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from typing import Callable

# A fixed, recognisable start for tests: 2026-01-01T00:00:00Z.
EPOCH = 1767225600.0


# Heartbeats (Lease renewals, node-monitor checks) fall due on this grid of simulated seconds,
# so 50 nodes' timers fire in a few cohorts, one engine wake-up each, instead of fifty: at 100x
# that is the difference between ~2,000 and ~400 wake-ups a wall second. Rounding up, so a
# heartbeat is never early and at most this late.
HEARTBEAT_GRID = 0.5


def on_grid(t: float, grid: float = HEARTBEAT_GRID) -> float:
    """The first grid point at or after simulated time `t`."""
    return math.ceil(t / grid - 1e-9) * grid


class Timer:
    __slots__ = ("due", "fn", "cancelled")

    def __init__(self, due: float, fn: Callable[[], object]):
        self.due, self.fn, self.cancelled = due, fn, False

    def cancel(self) -> None:
        self.cancelled = True


class _TimerClock:
    """The timer heap both clocks share. Timers fire on the engine thread via pop_due()."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self._lock = threading.Lock()
        self.on_change: Callable[[], None] = lambda: None   # the cluster's wake-up hook

    def now(self) -> float:
        raise NotImplementedError

    def call_at(self, due: float, fn: Callable[[], object]) -> Timer:
        t = Timer(due, fn)
        with self._lock:
            heapq.heappush(self._heap, (due, next(self._seq), t))
        self.on_change()
        return t

    def call_later(self, delay: float, fn: Callable[[], object]) -> Timer:
        return self.call_at(self.now() + max(0.0, delay), fn)

    def next_due(self) -> float | None:
        with self._lock:
            while self._heap and self._heap[0][2].cancelled:
                heapq.heappop(self._heap)
            return self._heap[0][0] if self._heap else None

    def pop_due(self) -> list[Timer]:
        """Timers due at the current time, in due order."""
        now = self.now()
        out = []
        with self._lock:
            while self._heap and self._heap[0][0] <= now:
                t = heapq.heappop(self._heap)[2]
                if not t.cancelled:
                    out.append(t)
        return out


class ManualClock(_TimerClock):
    """Test clock: time stands still until advance()/set()."""

    paused = False
    speed = 1.0
    steps = 0

    def __init__(self, start: float = EPOCH):
        super().__init__()
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds
        self.on_change()

    def set(self, t: float) -> None:
        self._now = t
        self.on_change()

    def wall_seconds_until(self, t: float) -> float | None:
        return None    # never waits on the wall clock

    def lead(self) -> float:
        """How far simulated time is ahead of the wall clock: none, by definition — a test's
        clock is not tied to any wall clock, so its timestamps are served as they are."""
        return 0.0


class ScaledClock(_TimerClock):
    """Simulated time = anchor + (wall − wall anchor) × speed; pause freezes it, step jumps it."""

    def __init__(self, speed: float = 1.0, start: float | None = None, wall: Callable[[], float] = time.monotonic):
        super().__init__()
        self._wall = wall
        self._speed = float(speed)
        self._paused = False
        self._paused_at_wall = 0.0  # time.time() when paused (lead() holds still while paused)
        self.steps = 0              # the engine runs once more after each step while paused
        self._anchor_sim = time.time() if start is None else start
        self._anchor_wall = wall()

    def now(self) -> float:
        if self._paused:
            return self._anchor_sim
        return self._anchor_sim + (self._wall() - self._anchor_wall) * self._speed

    def _reanchor(self) -> None:
        self._anchor_sim = self.now()
        self._anchor_wall = self._wall()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def speed(self) -> float:
        return self._speed

    def pause(self) -> None:
        self._reanchor()
        self._paused = True
        self._paused_at_wall = time.time()
        self.on_change()

    def resume(self) -> None:
        self._anchor_wall = self._wall()
        self._paused = False
        self.on_change()

    def set_speed(self, speed: float) -> None:
        if not speed > 0:
            raise ValueError("speed must be positive")
        self._reanchor()
        self._speed = float(speed)
        self.on_change()

    def step(self, seconds: float) -> None:
        """Jump simulated time forward (meant for a paused clock: pause, step, step...)."""
        self._reanchor()
        self._anchor_sim += max(0.0, seconds)
        self.steps += 1
        self.on_change()

    def wall_seconds_until(self, t: float) -> float | None:
        if self._paused:
            return None
        return max(0.0, (t - self.now()) / self._speed)

    def lead(self) -> float:
        """Seconds simulated time is ahead of the wall clock (negative: behind, after a pause).
        Zero until the learner speeds up, pauses or steps; the API serves timestamps to clients
        shifted back by it, so their `wall now - timestamp` is the simulated age
        (webapp/api/clientframe.py). While paused it holds the value of the moment of pausing
        (plus any steps), so what clients read stays put; it catches up on resume."""
        if self._paused:
            return self._anchor_sim - self._paused_at_wall
        return self.now() - time.time()
