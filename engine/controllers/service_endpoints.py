"""What a Service's endpoints are built from, shared by the EndpointSlice controller
(endpointslice.py) and the legacy Endpoints controller (endpoints.py), as upstream shares
k8s.io/endpointslice/util and pkg/controller/util/endpoint: which pods a Service selects
(and the index that finds the Services a pod event concerns), their addresses and target ports,
the trigger-time tracker, and a per-Service cache of what each pod contributes."""
from __future__ import annotations

import functools
from typing import Iterable

from .. import objects, resources as kinds
from ..pod_conditions import is_pod_ready
from ..store import WatchEvent

LABEL_HEADLESS = "service.kubernetes.io/headless"
ANNOTATION_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"


def pod_ips(pod: dict) -> list[str]:
    status = pod.get("status") or {}
    ips = [p.get("ip") for p in status.get("podIPs") or () if p.get("ip")]
    if not ips and status.get("podIP"):
        ips = [status["podIP"]]
    return ips


def should_pod_be_in_endpoints(pod: dict, include_terminating: bool) -> bool:
    """ShouldPodBeInEndpoints: not terminal (Succeeded/Failed), has an IP, and — unless
    `include_terminating` — has no deletionTimestamp."""
    status = pod.get("status") or {}
    if status.get("phase") in ("Succeeded", "Failed"):
        return False
    if not status.get("podIP") and not status.get("podIPs"):
        return False
    if not include_terminating and objects.is_terminating(pod):
        return False
    return True


def should_set_hostname(pod: dict, svc: dict) -> bool:
    spec = pod.get("spec") or {}
    return bool(spec.get("hostname")) and spec.get("subdomain") == objects.name_of(svc) \
        and objects.namespace_of(svc) == objects.namespace_of(pod)


def service_selector(svc: dict) -> dict | None:
    """The selector the endpoint controllers act on, or None: services without a selector (and
    ExternalName services) get their endpoints from elsewhere. An empty selector `{}` does not
    survive the apiserver's storage round trip, so it counts as none."""
    spec = svc.get("spec") or {}
    if spec.get("type") == "ExternalName":
        return None
    return spec.get("selector") or None


def is_service_ip_set(svc: dict) -> bool:
    ip = (svc.get("spec") or {}).get("clusterIP")
    return bool(ip) and ip != "None"


def is_ipv6(ip: str) -> bool:
    return ":" in ip


def selects(selector: dict, labels: dict) -> bool:
    for k, v in selector.items():
        if labels.get(k) != v:
            return False
    return True


def find_port(pod: dict, svc_port: dict) -> int | None:
    """FindPort: a numeric targetPort is used as is; a named one is looked up among the pod's
    container ports (same name and protocol), then restartable init (sidecar) containers."""
    target = svc_port.get("targetPort")
    if target is None or target == 0 or target == "":
        target = svc_port.get("port")            # the apiserver defaults targetPort to port
    if isinstance(target, int) and not isinstance(target, bool):
        return target
    protocol = svc_port.get("protocol") or "TCP"
    spec = pod.get("spec") or {}
    for c in spec.get("containers") or ():
        for p in c.get("ports") or ():
            if p.get("name") == target and (p.get("protocol") or "TCP") == protocol:
                return p.get("containerPort")
    for c in spec.get("initContainers") or ():
        if c.get("restartPolicy") != "Always":
            continue
        for p in c.get("ports") or ():
            if p.get("name") == target and (p.get("protocol") or "TCP") == protocol:
                return p.get("containerPort")
    return None


@functools.lru_cache(maxsize=4096)
def _parse_time(text: str | None) -> float | None:
    return objects.parse_time(text)


def ready_transition(pod: dict) -> float | None:
    cond = objects.get_condition(pod.get("status"), "Ready")
    return _parse_time(cond.get("lastTransitionTime")) if cond else None


class TriggerTimeTracker:
    """util/trigger_time_tracker.go: the `endpoints.kubernetes.io/last-change-trigger-time`
    value — the earliest pod Ready transition (or Service creation) not seen at the previous
    sync of this Service; the Service's creation time on its first sync."""

    def __init__(self):
        self._states: dict[tuple[str, str], tuple[float | None, dict[str, float]]] = {}

    def compute(self, namespace: str, svc: dict, pod_times: dict[str, float]) -> str | None:
        """`pod_times`: each selected pod's Ready lastTransitionTime (pods without one left out)."""
        key = (namespace, objects.name_of(svc))
        state = self._states.get(key)
        last_svc, last_pods = state if state is not None else (None, {})
        changed: float | None = None
        for name, t in pod_times.items():
            prev = last_pods.get(name)
            if prev is None or t > prev:
                changed = t if changed is None else min(changed, t)
        svc_time = _parse_time(objects.meta(svc).get("creationTimestamp"))
        if svc_time is not None and (last_svc is None or svc_time > last_svc):
            changed = svc_time if changed is None else min(changed, svc_time)
        self._states[key] = (svc_time, pod_times)
        if state is None:
            return objects.iso(svc_time) if svc_time is not None else None
        return objects.iso(changed) if changed is not None else None

    def delete(self, namespace: str, name: str) -> None:
        self._states.pop((namespace, name), None)


class PodCache:
    """Per Service, what each selected pod contributes, recomputed only for the pods whose
    object (or Node object, or the Service itself) changed since the last reconcile. Store
    objects are immutable — every write makes a new dict — so identity means "unchanged", and a
    Service over thousands of pods costs a dictionary lookup per pod when one of them changes."""

    def __init__(self, derive):
        self._derive = derive                   # (svc, pod, node_info) -> value
        self._by_svc: dict[str, tuple[dict, dict[str, tuple]]] = {}

    def values(self, key: str, svc: dict, pods: list[dict], node_info=None) -> list:
        """`node_info(pod)`: what of the pod's Node matters (compared by equality)."""
        cached_svc, old = self._by_svc.get(key, (None, {}))
        if cached_svc is not svc:
            old = {}
        new: dict[str, tuple] = {}
        out = []
        for pod in pods:
            uid = pod["metadata"].get("uid", "")
            node = node_info(pod) if node_info is not None else None
            hit = old.get(uid)
            if hit is not None and hit[0] is pod and hit[1] == node:
                value = hit[2]
            else:
                value = self._derive(svc, pod, node)
            new[uid] = (pod, node, value)
            out.append(value)
        self._by_svc[key] = (svc, new)
        return out

    def forget(self, key: str) -> None:
        self._by_svc.pop(key, None)


class ServiceIndex:
    """The Services of each namespace by selector, so a pod event finds the Services selecting
    it without scanning them all: each Service is filed under one `key=value` pair of its
    selector (the smallest key) and a pod's candidates are those filed under its own labels."""

    def __init__(self):
        self._selectors: dict[tuple[str, str], dict] = {}                 # (ns, name) -> selector
        self._anchors: dict[str, dict[tuple[str, str], set[str]]] = {}   # ns -> (k, v) -> names

    def _anchor(self, selector: dict) -> tuple[str, str]:
        k = min(selector)
        return k, selector[k]

    def update(self, svc: dict) -> None:
        ns, name = objects.namespace_of(svc), objects.name_of(svc)
        sel = service_selector(svc)
        old = self._selectors.get((ns, name))
        if old == sel:
            return
        if old is not None:
            self._unfile(ns, name, old)
        if sel:
            self._selectors[(ns, name)] = dict(sel)
            self._anchors.setdefault(ns, {}).setdefault(self._anchor(sel), set()).add(name)
        else:
            self._selectors.pop((ns, name), None)

    def remove(self, svc: dict) -> None:
        ns, name = objects.namespace_of(svc), objects.name_of(svc)
        old = self._selectors.pop((ns, name), None)
        if old is not None:
            self._unfile(ns, name, old)

    def _unfile(self, ns: str, name: str, sel: dict) -> None:
        by_pair = self._anchors.get(ns, {})
        names = by_pair.get(self._anchor(sel))
        if names is not None:
            names.discard(name)
            if not names:
                del by_pair[self._anchor(sel)]

    def services_for(self, namespace: str, labels: dict) -> set[str]:
        """Keys (`ns/name`) of the Services in `namespace` whose selector matches `labels`."""
        by_pair = self._anchors.get(namespace)
        out: set[str] = set()
        if not by_pair or not labels:
            return out
        for pair in labels.items():
            for name in by_pair.get(pair, ()):
                if selects(self._selectors[(namespace, name)], labels):
                    out.add(f"{namespace}/{name}")
        return out

    def on_service(self, ev: WatchEvent) -> Iterable[str]:
        if ev.type == "DELETED":
            self.remove(ev.object)
        else:
            self.update(ev.object)
        yield objects.key_of(ev.object)

    def on_pod(self, ev: WatchEvent) -> Iterable[str]:
        """GetServicesToUpdateOnPodChange: the Services a pod event can change."""
        pod, old = ev.object, ev.old
        ns = objects.namespace_of(pod)
        if not self._anchors.get(ns):
            return ()                 # no Service in the namespace selects anything
        if ev.type != "MODIFIED" or old is None:
            return self.services_for(ns, objects.labels_of(pod))
        if objects.meta(pod).get("resourceVersion") == objects.meta(old).get("resourceVersion"):
            return ()
        pod_changed, labels_changed = pod_endpoints_changed(old, pod)
        if not pod_changed and not labels_changed:
            return ()
        new_svcs = self.services_for(ns, objects.labels_of(pod))
        if not labels_changed:
            return new_svcs
        old_svcs = self.services_for(ns, objects.labels_of(old))
        if pod_changed:
            return new_svcs | old_svcs
        return new_svcs ^ old_svcs


def pod_endpoints_changed(old: dict, new: dict) -> tuple[bool, bool]:
    """podEndpointsChanged → (endpoint may change, Service membership may change). Besides
    upstream's checks (deletionTimestamp, readiness, IPs) a pod turning terminal or being bound
    counts: the simulated kubelet may set those in the same write as other fields."""
    ospec, nspec = old.get("spec") or {}, new.get("spec") or {}
    labels_changed = (objects.labels_of(old) != objects.labels_of(new)
                      or ospec.get("hostname") != nspec.get("hostname")
                      or ospec.get("subdomain") != nspec.get("subdomain"))
    if objects.meta(old).get("deletionTimestamp") != objects.meta(new).get("deletionTimestamp"):
        return True, labels_changed
    if is_pod_ready(old) != is_pod_ready(new):
        return True, labels_changed
    if pod_ips(old) != pod_ips(new):
        return True, labels_changed
    ophase, nphase = (old.get("status") or {}).get("phase"), (new.get("status") or {}).get("phase")
    terminal = ("Succeeded", "Failed")
    if (ophase in terminal) != (nphase in terminal) or ospec.get("nodeName") != nspec.get("nodeName"):
        return True, labels_changed
    return False, labels_changed


def selected_pods(store, svc: dict, selector: dict) -> list[dict]:
    """The Service's pods (lister List with the selector), sorted by name for a stable order."""
    pods = [p for p in store.iter(kinds.POD, objects.namespace_of(svc)) if selects(selector, objects.labels_of(p))]
    pods.sort(key=objects.name_of)
    return pods
