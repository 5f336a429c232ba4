"""What running containers use, as metrics-server would report it (`kubectl top`).

Nothing runs inside a simulated container, so its use follows from what it is: the image's idle
figures and the flags that change them (the image catalog, engine/data/images.json: each image's
`usage`, and the top-level `usage` for windows and defaults — `stress --vm 1 --vm-bytes 150M`
holds 150 MiB, `stress -cpus 2` spins two cores), held to the container's limits — CPU past its
limit is throttled to the limit (the CFS quota), and memory is reported up to the limit (past it
a real container is OOM-killed). Figures are over metrics-server's 15 s window and wobble a few
per cent between windows, deterministically (a hash of the pod, container and window), so two
reads in one window agree. A node uses what its running pods use plus the kubelet's and the
runtime's own overhead.

Only containers that are running have figures, and a pod has metrics only when it has a running
container, as metrics-server omits pods it has no samples for.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from fractions import Fraction

from . import image_catalog, objects, quantity

_BINARY = {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4}


@dataclass(frozen=True)
class Usage:
    """CPU in nanocores and memory in bytes, as the metrics API carries them."""
    cpu_nanocores: int = 0
    memory_bytes: int = 0

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(self.cpu_nanocores + other.cpu_nanocores, self.memory_bytes + other.memory_bytes)

    def as_resources(self) -> dict:
        """`{"cpu": "1234567n", "memory": "5120Ki"}`: metrics-server's own formatting."""
        return {"cpu": f"{self.cpu_nanocores}n", "memory": f"{self.memory_bytes // 1024}Ki"}


@functools.cache
def data() -> dict:
    """The catalog's `usage` section (window, wobble, default, node overhead, and `load`: what
    traffic costs, engine/load.py)."""
    return image_catalog.data()["usage"]


def window_seconds() -> int:
    return int(data()["window_seconds"])


def repository(image: str) -> str:
    """`nginx:1.27` → nginx, `docker.io/polinux/stress` → polinux/stress, registry.k8s.io/etcd:3.5 → as is."""
    name = image.split("@")[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":")[0]
    for prefix in ("docker.io/library/", "docker.io/", "library/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    return name


def _quantity(text: str, binary: bool) -> Fraction | None:
    text = text.strip()
    if binary and text[-1:].upper() in _BINARY and text[:-1].isdigit():
        return Fraction(int(text[:-1]) * _BINARY[text[-1:].upper()])
    if binary and text.isdigit():
        return Fraction(int(text))
    try:
        return quantity.parse_quantity(text)
    except (ValueError, TypeError):
        return None


def _flags(words: list[str]) -> dict[str, str]:
    """`--vm 1 --vm-bytes=150M -cpus 2` → {"--vm": "1", "--vm-bytes": "150M", "-cpus": "2"}."""
    out: dict[str, str] = {}
    i = 0
    while i < len(words):
        w = words[i]
        if w.startswith("-"):
            if "=" in w:
                k, v = w.split("=", 1)
                out[k] = v
            elif i + 1 < len(words) and not words[i + 1].startswith("-"):
                out[w] = words[i + 1]
                i += 1
        i += 1
    return out


def demand(container: dict) -> tuple[Fraction, Fraction]:
    """What the container's process would use unconstrained: (cores, bytes)."""
    table = data()
    entry = image_catalog.entry(image_catalog.repository_of(container.get("image") or "")).get("usage") or table["default"]
    cores = quantity.parse_quantity(entry["cpu"])
    memory = quantity.parse_quantity(entry["memory"])
    rules = entry.get("args") or {}
    if rules:
        words = [str(w) for w in (container.get("command") or []) + (container.get("args") or [])]
        binary = entry.get("units") == "binary"
        count = Fraction(1)
        for flag, value in _flags(words).items():
            what = rules.get(flag)
            amount = _quantity(value, binary) if what else None
            if amount is None:
                continue
            if what == "cpu_cores":
                cores = amount
            elif what == "memory":
                memory = amount
            elif what == "memory_count":
                count = amount
        memory *= count
    return cores, memory


def _limit(container: dict, resource: str) -> Fraction | None:
    value = ((container.get("resources") or {}).get("limits") or {}).get(resource)
    return quantity.parse_quantity(value) if value is not None else None


def _wobble(key: str, window: int) -> Fraction:
    spread = Fraction(data()["wobble"]).limit_denominator(1000)
    h = int(hashlib.sha256(f"{key}/{window}".encode()).hexdigest()[:8], 16)
    return 1 + spread * (Fraction(h % 2001, 1000) - 1)        # within ±spread


def container_usage(pod: dict, container: dict, now: float, extra_cores: Fraction = Fraction(0)) -> Usage:
    """`extra_cores`: demand from traffic (engine/load.py) on top of the image's own."""
    cores, memory = demand(container)
    cores += extra_cores
    window = int(now // window_seconds())
    key = f"{objects.uid_of(pod)}/{container.get('name')}"
    cores *= _wobble(key + "/cpu", window)
    memory *= _wobble(key + "/memory", window)
    cpu_limit, memory_limit = _limit(container, "cpu"), _limit(container, "memory")
    if cpu_limit is not None:
        cores = min(cores, cpu_limit)
    if memory_limit is not None:
        memory = min(memory, memory_limit)
    return Usage(int(cores * 1_000_000_000), int(memory))


def running_containers(pod: dict) -> list[dict]:
    """The pod's spec containers whose status says running, in spec order."""
    running = {s.get("name") for s in (pod.get("status") or {}).get("containerStatuses") or []
               if "running" in (s.get("state") or {})}
    return [c for c in (pod.get("spec") or {}).get("containers") or [] if c.get("name") in running]


def pod_usage(pod: dict, now: float, extra_cores: Fraction = Fraction(0)) -> list[tuple[str, Usage]] | None:
    """(container name, usage) per running container; None when the pod has no samples.
    `extra_cores` (the pod's share of traffic, engine/load.py) lands on its first running
    container, the one serving in the single-container pods the walkthroughs use."""
    containers = running_containers(pod)
    if not containers:
        return None
    return [(c["name"], container_usage(pod, c, now, extra_cores if i == 0 else Fraction(0)))
            for i, c in enumerate(containers)]


def node_usage(pods_on_node: list[dict], now: float, extra: dict[str, Fraction] | None = None) -> Usage:
    overhead = data()["node_overhead"]
    total = Usage(int(quantity.parse_quantity(overhead["cpu"]) * 1_000_000_000),
                  int(quantity.parse_quantity(overhead["memory"])))
    for pod in pods_on_node:
        share = (extra or {}).get(objects.uid_of(pod), Fraction(0))
        for _, use in pod_usage(pod, now, share) or []:
            total = total + use
    return total


def window_start(now: float) -> float:
    return (now // window_seconds()) * window_seconds()
