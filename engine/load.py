"""Traffic as extra CPU demand on serving pods: what makes an autoscaler have something to do.

Nothing is served in the simulated network, so load is modelled from what would cause it:

- a *load generator* — a running pod whose image and command have the shape of the kubernetes.io
  HPA walkthrough's (`busybox ... while sleep 0.01; do wget -q -O- http://php-apache; done`), the
  shapes listed in the image catalog's `usage.load` (engine/data/images.json) — adds a fixed CPU demand to the pods behind
  the Service its URL names, spread over that Service's ready endpoints;
- a load set on a Deployment directly (the page's load control: `set_deployment_load`), kept in
  engine state rather than in the object, spread over the Deployment's ready pods.

`extra_cpu(store)` sums both per pod (by uid); engine/usage.py adds a pod's share to its first
container's demand, so the container is still held to its CPU limit, and `kubectl top`, the
metrics API and the HPA controller all read the same figure.
"""
from __future__ import annotations

import re
import shlex
import threading
from collections import defaultdict
from fractions import Fraction

from . import objects, quantity, resources as kinds, selectors, usage

_URL = re.compile(r"https?://([A-Za-z0-9.-]+)")


def _config() -> dict:
    return usage.data()["load"]


def _words(container: dict) -> list[str]:
    words: list[str] = []
    for w in (container.get("command") or []) + (container.get("args") or []):
        try:
            words.extend(shlex.split(str(w)))
        except ValueError:
            words.extend(str(w).split())
    return [w.strip(";") for w in words]


def generator_target(pod: dict) -> tuple[str, str] | None:
    """(namespace, Service name) a running load-generator pod sends its requests to, else None."""
    cfg = _config()
    namespace = objects.namespace_of(pod)
    for c in usage.running_containers(pod):
        if usage.repository(c.get("image") or "") not in cfg["generator_images"]:
            continue
        words = _words(c)
        if not any(w in cfg["tools"] for w in words) or not any(w in cfg["loops"] for w in words):
            continue
        for w in words:
            m = _URL.match(w)
            if m:
                parts = m.group(1).split(".")
                ns = parts[1] if len(parts) > 1 and parts[1] != "svc" else namespace
                return ns, parts[0]
    return None


def _ready(pod: dict) -> bool:
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def _service_backends(store, namespace: str, service: str) -> list[str]:
    """Ready endpoint pods' names, from the Service's Endpoints (what kube-proxy balances over)."""
    ep = store.try_get(kinds.ENDPOINTS, namespace, service)
    names: list[str] = []
    for subset in (ep or {}).get("subsets") or []:
        for addr in subset.get("addresses") or []:
            ref = addr.get("targetRef") or {}
            if ref.get("kind") == "Pod" and ref.get("name"):
                names.append(ref["name"])
    return names


class LoadModel:
    """The load set on Deployments from the page (cores per Deployment); thread-safe."""

    def __init__(self) -> None:
        self._deployments: dict[tuple[str, str], Fraction] = {}
        self._lock = threading.Lock()

    def set_deployment_load(self, namespace: str, name: str, cores: Fraction) -> None:
        with self._lock:
            if cores > 0:
                self._deployments[(namespace, name)] = cores
            else:
                self._deployments.pop((namespace, name), None)

    def deployment_load(self, namespace: str, name: str) -> Fraction:
        with self._lock:
            return self._deployments.get((namespace, name), Fraction(0))

    def deployment_loads(self) -> dict[tuple[str, str], Fraction]:
        with self._lock:
            return dict(self._deployments)

    def extra_cpu(self, store) -> dict[str, Fraction]:
        """Extra CPU demand (cores) per pod uid, from generators and Deployment loads."""
        extra: dict[str, Fraction] = defaultdict(Fraction)
        per_generator = quantity.parse_quantity(_config()["cpu_per_generator"])
        pods = store.iter(kinds.POD)
        by_name = {(objects.namespace_of(p), objects.name_of(p)): p for p in pods}
        for pod in pods:
            target = generator_target(pod)
            if target is None:
                continue
            backends = [by_name[(target[0], n)] for n in _service_backends(store, *target)
                        if (target[0], n) in by_name and _ready(by_name[(target[0], n)])]
            for b in backends:
                extra[objects.uid_of(b)] += per_generator / len(backends)
        for (ns, name), cores in self.deployment_loads().items():
            d = store.try_get(kinds.DEPLOYMENT, ns, name)
            sel = ((d or {}).get("spec") or {}).get("selector")
            if not sel:
                continue
            matches = selectors.label_selector_matcher(sel)
            mine = [p for p in store.iter(kinds.POD, ns) if _ready(p) and matches(objects.labels_of(p))]
            for p in mine:
                extra[objects.uid_of(p)] += cores / len(mine)
        return dict(extra)
