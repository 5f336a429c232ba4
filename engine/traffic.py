"""The recent requests between pods (curl/wget in a container reaching a Service, a NodePort or
a pod), newest last, for the page to draw each one's path: client pod → Service → the endpoint
pod kube-proxy chose. A small ring with sequence numbers, read like the decision log."""
from __future__ import annotations

import collections
import threading


class RequestLog:
    def __init__(self, clock, capacity: int = 200):
        self._clock = clock
        self._items: collections.deque[dict] = collections.deque(maxlen=capacity)
        self._seq = 0
        self._lock = threading.Lock()

    def record(self, *, client: str, target: str, service: str | None, endpoint: str | None,
               status: int | None, error: str = "", policy: str = "", ingress: dict | None = None) -> dict:
        """`client`/`endpoint` are pod keys (ns/name), `service` a Service's key, `target` what
        the client asked for (host:port); `status` the HTTP status, None when no answer came
        (refused, timed out: `error` says which); `policy` the words of the NetworkPolicy verdict
        that dropped it (engine/network_policy.py); `ingress` the route an ingress controller took
        (engine/ingress_routing.py Match.describe) for the requests it received and made."""
        with self._lock:
            self._seq += 1
            item = {"seq": self._seq, "time": self._clock.now(), "client": client, "target": target,
                    "service": service, "endpoint": endpoint, "status": status}
            if error:
                item["error"] = error
            if policy:
                item["policy"] = policy
            if ingress:
                item["ingress"] = ingress
            self._items.append(item)
            return item

    def since(self, seq: int) -> tuple[list[dict], int]:
        with self._lock:
            return [d for d in self._items if d["seq"] > seq], self._seq

    @property
    def last_seq(self) -> int:
        return self._seq
