"""Legacy Endpoints for selector Services (k/k pkg/controller/endpoint/endpoints_controller.go).

One Endpoints object per Service with a selector, named as the Service and labelled with the
Service's labels (plus `service.kubernetes.io/headless` without a cluster IP). Selected pods
that have an IP and are neither terminal nor terminating are listed: Ready pods in `addresses`,
the others in `notReadyAddresses` (`publishNotReadyAddresses` puts them all in `addresses` and
keeps terminating pods), each with ip, nodeName and a targetRef to the Pod. Subsets are packed
as upstream's RepackSubsets does: addresses sharing the same ports share a subset.

Endpoints carry no ownerReference: when the Service goes, this controller deletes them itself
(and, as at kube-controller-manager start-up, Endpoints found without a Service are deleted).
The object is written only when its subsets or labels changed; a write carries the
`endpoints.kubernetes.io/last-change-trigger-time` annotation, and over 1000 addresses are
truncated with `endpoints.kubernetes.io/over-capacity: truncated`.
"""
from __future__ import annotations

import math
from typing import Iterable

from .. import errors, objects, resources as kinds
from ..pod_conditions import is_pod_ready
from ..store import WatchEvent
from ..loop import Controller, Result
from .service_endpoints import (ANNOTATION_TRIGGER_TIME, LABEL_HEADLESS, PodCache, ServiceIndex,
                                TriggerTimeTracker, find_port, is_ipv6, is_service_ip_set, pod_ips,
                                ready_transition, selected_pods, service_selector,
                                should_pod_be_in_endpoints, should_set_hostname)

ANNOTATION_OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity"
MAX_CAPACITY = 1000
# Endpoints kept up by other writers (leader election records), never cleaned up as leftovers.
LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader"


def endpoint_address(svc: dict, pod: dict) -> dict | None:
    """podToEndpointAddressForService: the pod IP of the Service's first IP family."""
    spec = svc.get("spec") or {}
    families = spec.get("ipFamilies") or ()
    if families:
        want_v6 = families[0] == "IPv6"
    elif is_service_ip_set(svc):
        want_v6 = is_ipv6(spec["clusterIP"])
    else:
        want_v6 = is_ipv6((pod.get("status") or {}).get("podIP") or "")
    ip = next((ip for ip in pod_ips(pod) if is_ipv6(ip) == want_v6), None)
    if ip is None:
        return None
    md = pod["metadata"]
    addr: dict = {"ip": ip}
    if should_set_hostname(pod, svc):
        addr["hostname"] = pod["spec"]["hostname"]
    node_name = (pod.get("spec") or {}).get("nodeName")
    if node_name:
        addr["nodeName"] = node_name
    addr["targetRef"] = {"kind": "Pod", "namespace": md.get("namespace", ""), "name": md["name"],
                         "uid": md.get("uid", "")}
    return addr


def endpoint_port(svc_port: dict, number: int) -> dict:
    port = {}
    if svc_port.get("name"):
        port["name"] = svc_port["name"]
    port["port"] = number
    port["protocol"] = svc_port.get("protocol") or "TCP"
    if svc_port.get("appProtocol") is not None:
        port["appProtocol"] = svc_port["appProtocol"]
    return port


def _addr_key(addr: dict) -> tuple:
    return addr["ip"], (addr.get("targetRef") or {}).get("uid", "")


def _port_key(port: dict | None) -> tuple:
    if port is None:
        return ("", -1, "", "")      # the sentinel for port-less (headless) addresses
    return (port.get("name", ""), port.get("port", 0), port.get("protocol", ""), port.get("appProtocol", ""))


def repack_subsets(entries: list[tuple[dict, dict | None, bool]]) -> list[dict]:
    """RepackSubsets over (address, port or None, ready) triples: each port maps to the set of
    addresses offering it (not-ready wins over ready for the same address and port); ports with
    identical address sets share a subset. Addresses sort by (ip, uid); the sort of ports and
    subsets is deterministic (upstream sorts them by a hash)."""
    addrs: dict[tuple, dict] = {}
    ports: dict[tuple, dict | None] = {}
    by_port: dict[tuple, dict[tuple, bool]] = {}
    for addr, port, ready in entries:
        ak, pk = _addr_key(addr), _port_key(port)
        addrs.setdefault(ak, addr)
        ports.setdefault(pk, port)
        seen = by_port.setdefault(pk, {})
        if seen.get(ak, True):
            seen[ak] = ready
    groups: dict[tuple, list[tuple]] = {}
    for pk, seen in by_port.items():
        groups.setdefault(tuple(sorted(seen.items())), []).append(pk)
    subsets = []
    for members, pks in groups.items():
        subset: dict = {}
        ready_addrs = [addrs[ak] for ak, r in members if r]
        not_ready = [addrs[ak] for ak, r in members if not r]
        if ready_addrs:
            subset["addresses"] = ready_addrs
        if not_ready:
            subset["notReadyAddresses"] = not_ready
        real_ports = [p for p in (ports[pk] for pk in sorted(pks)) if p is not None]
        if real_ports:
            subset["ports"] = [dict(p) for p in real_ports]
        subsets.append(subset)
    subsets.sort(key=lambda s: ([_addr_key(a) for a in s.get("addresses", ())],
                                [_addr_key(a) for a in s.get("notReadyAddresses", ())],
                                [_port_key(p) for p in s.get("ports", ())]))
    return subsets


def _count(subsets: list[dict]) -> tuple[int, int]:
    return (sum(len(s.get("addresses") or ()) for s in subsets),
            sum(len(s.get("notReadyAddresses") or ()) for s in subsets))


def truncate(subsets: list[dict]) -> bool:
    """truncateEndpoints: keep at most MAX_CAPACITY addresses, ready ones first, each subset
    keeping its proportional share (rounded up)."""
    ready, not_ready = _count(subsets)
    if ready + not_ready <= MAX_CAPACITY:
        return False
    truncate_ready = ready > MAX_CAPACITY
    limit = MAX_CAPACITY if truncate_ready else MAX_CAPACITY - ready
    total = ready if truncate_ready else not_ready
    can_add = limit
    for s in subsets:
        field = "addresses" if truncate_ready else "notReadyAddresses"
        n = len(s.get(field) or ())
        take = min(int(math.ceil(n / total * limit)), can_add)
        if n:
            s[field] = s[field][:take]
            if not s[field]:
                del s[field]
        if truncate_ready:
            s.pop("notReadyAddresses", None)
        can_add -= len(s.get(field) or ())
    return True


def _strip_rv(subsets) -> list:
    out = []
    for s in subsets or ():
        s2 = dict(s)
        for field in ("addresses", "notReadyAddresses"):
            if field in s2:
                s2[field] = [dict(a, targetRef={k: v for k, v in (a.get("targetRef") or {}).items()
                                                if k != "resourceVersion"}) if a.get("targetRef") else a
                             for a in s2[field]]
        out.append(s2)
    return out


class EndpointsController(Controller):
    name = "endpoint-controller"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.services = ServiceIndex()
        self.trigger_times = TriggerTimeTracker()
        self._pods = PodCache(self._pod_entries)
        # Objects that exist when the controller starts are checked once for a missing Service
        # (checkLeftoverEndpoints); later, only deletions wake it.
        self._started_rv = ctx.store.resource_version

    def handlers(self):
        return {"services": self.services.on_service, "pods": self.services.on_pod,
                "endpoints": self._on_endpoints}

    def _on_endpoints(self, ev: WatchEvent) -> Iterable[str]:
        if ev.type == "DELETED":
            return (objects.key_of(ev.object),)
        if ev.type == "ADDED" and ev.old is None and ev.rv <= self._started_rv \
                and LEADER_ANNOTATION not in (objects.meta(ev.object).get("annotations") or {}):
            return (objects.key_of(ev.object),)
        return ()

    def _pod_entries(self, svc: dict, pod: dict, _node) -> tuple:
        """What one pod contributes: (name, Ready transition time, [(address, port, ready)]) —
        one triple per Service port its target resolves for, or one port-less triple for a
        headless Service without ports."""
        name, transition = objects.name_of(pod), ready_transition(pod)
        spec = svc.get("spec") or {}
        publish_not_ready = bool(spec.get("publishNotReadyAddresses"))
        if not should_pod_be_in_endpoints(pod, publish_not_ready):
            return name, transition, ()
        addr = endpoint_address(svc, pod)
        if addr is None:
            return name, transition, ()
        ready = publish_not_ready or is_pod_ready(pod)
        if not spec.get("ports"):
            # Headless Services may have no ports; others then have no endpoints.
            return name, transition, ([(addr, None, ready)] if spec.get("clusterIP") == "None" else ())
        entries = []
        for sp in spec["ports"]:
            num = find_port(pod, sp)
            if num is not None:
                entries.append((addr, endpoint_port(sp, num), ready))
        return name, transition, entries

    def reconcile(self, key: str) -> Result | None:
        ns, name = objects.split_key(key)
        svc = self.store.try_get(kinds.SERVICE, ns, name)
        if svc is None:
            self.trigger_times.delete(ns, name)
            self._pods.forget(key)
            current = self.store.try_get(kinds.ENDPOINTS, ns, name)
            if current is not None and LEADER_ANNOTATION not in (objects.meta(current).get("annotations") or {}):
                try:
                    self.store.delete(kinds.ENDPOINTS, ns, name, sync=False)
                except errors.NotFound:
                    return None
                self.decide(key, f"Service {key} is gone → deleted its Endpoints", action="delete")
            return None
        selector = service_selector(svc)
        if selector is None:
            self._pods.forget(key)
            return None
        pods = selected_pods(self.store, svc, selector)
        per_pod = self._pods.values(key, svc, pods)
        trigger = self.trigger_times.compute(ns, svc, {n: t for n, t, _ in per_pod if t is not None})
        subsets = repack_subsets([e for _, _, entries in per_pod for e in entries])

        current = self.store.try_get(kinds.ENDPOINTS, ns, name)
        svc_labels = objects.labels_of(svc)
        if current is not None:
            cur_labels = {k: v for k, v in objects.labels_of(current).items() if k != LABEL_HEADLESS}
            annotations = objects.meta(current).get("annotations") or {}
            ready_n, not_ready_n = _count(subsets)
            capacity_ok = (ready_n + not_ready_n <= MAX_CAPACITY) and ANNOTATION_OVER_CAPACITY not in annotations
            cur_subsets = current.get("subsets") or []
            if ((cur_subsets == subsets or _strip_rv(cur_subsets) == _strip_rv(subsets))
                    and cur_labels == svc_labels and capacity_ok):
                return None

        if current is not None:
            # A shallow copy is enough: the store copies what it is given, and subsets are replaced.
            new = dict(current, metadata=dict(current["metadata"]))
        else:
            new = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": name, "namespace": ns}}
        md = new["metadata"]
        annotations = dict(md.get("annotations") or {})
        if trigger:
            annotations[ANNOTATION_TRIGGER_TIME] = trigger
        else:
            annotations.pop(ANNOTATION_TRIGGER_TIME, None)
        if truncate(subsets):
            annotations[ANNOTATION_OVER_CAPACITY] = "truncated"
        else:
            annotations.pop(ANNOTATION_OVER_CAPACITY, None)
        labels = dict(svc_labels)
        if not is_service_ip_set(svc):
            labels[LABEL_HEADLESS] = ""
        else:
            labels.pop(LABEL_HEADLESS, None)
        for field, value in (("labels", labels), ("annotations", annotations)):
            if value:
                md[field] = value
            else:
                md.pop(field, None)
        if subsets:
            new["subsets"] = subsets
        else:
            new.pop("subsets", None)

        ready_n, not_ready_n = _count(subsets)
        summary = f"{ready_n} ready, {not_ready_n} not ready address(es)"
        if current is None:
            try:
                self.store.create(new, sync=False, strict=False)
            except errors.Forbidden:
                return None                 # namespace terminating: creates keep failing
            self.decide(key, f"Service {key}: {summary} → created Endpoints {name}", action="create",
                        desired=summary)
        else:
            if self.store.update(new, sync=False, strict=False) is not current:
                self.decide(key, f"Service {key}: {summary} → updated Endpoints {name}", action="update",
                            desired=summary)
        return None
