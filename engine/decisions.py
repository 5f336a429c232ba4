"""The reconcile log: every controller decision as a value, in plain words for the page.

A decision records what a controller observed, what it wants, and the one step it took —
e.g. ReplicaSet default/login-app-5d9f8c7b6: desired 3, actual 2 → creating 1 pod."""
from __future__ import annotations

import collections
import threading


class DecisionLog:
    def __init__(self, clock, capacity: int = 2000):
        self._clock = clock
        self._items: collections.deque[dict] = collections.deque(maxlen=capacity)
        self._seq = 0
        self._lock = threading.Lock()

    def record(self, controller: str, key: str, *, observed=None, desired=None, action: str,
               message: str, requester: str | None = None, refs: list[str] | None = None,
               at: float | None = None, extra: dict | None = None) -> None:
        """`requester`: who asked, for a line that is a client's request rather than a
        controller's decision (webapp/whoasked.py); `refs`: other objects' keys the request
        concerns (a killed pod's ReplicaSet), so the page groups their reactions under it;
        `at`: when it happened, if not now (a request is recorded once it succeeded, stamped
        with the time it arrived — before the controllers' reactions to it); `extra`: further
        fields of the line (a real cluster's log marks each line `inferred`)."""
        with self._lock:
            self._seq += 1
            item = {"seq": self._seq, "time": self._clock.now() if at is None else at, "controller": controller,
                    "key": key, "observed": observed, "desired": desired,
                    "action": action, "message": message}
            if extra:
                item.update(extra)
            if requester:
                item["requester"] = requester
            if refs:
                item["refs"] = list(refs)
            self._items.append(item)

    def since(self, seq: int) -> tuple[list[dict], int]:
        with self._lock:
            return [d for d in self._items if d["seq"] > seq], self._seq

    @property
    def last_seq(self) -> int:
        return self._seq
