"""EndpointSlices for selector Services (k/k pkg/controller/endpointslice, k8s.io/endpointslice
`reconciler.go`, `utils.go`, `util/controller_utils.go`).

For each Service with a selector the controller keeps EndpointSlices (`generateName: <svc>-`,
labels `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by`, a controller
ownerReference to the Service) holding one endpoint per selected pod that has an IP and is not
terminal: `conditions.serving` = pod Ready, `terminating` = deletionTimestamp set, `ready` =
serving and not terminating (always true with publishNotReadyAddresses). At most 100 endpoints
go in a slice; pods whose named target ports resolve differently land in different slices.
A Service selecting nothing keeps one empty placeholder slice, as upstream.

The reconcile is upstream's: existing slices keep the endpoints still wanted (updated in place
when their conditions change), emptied slices are deleted (or reused for new endpoints),
leftovers fill the slices already being written first, then the unchanged slice they fit best,
then new slices. A slice is written only when its endpoints, ports or labels changed.

What both endpoint controllers share (which pods back a Service, their addresses and ports, the
trigger-time tracker, the Service-by-selector index) lives in service_endpoints.py.
"""
from __future__ import annotations

import collections
from typing import Iterable

from .. import errors, objects, resources as kinds
from ..store import WatchEvent
from ..pod_conditions import is_pod_ready
from ..loop import Controller, Result, requeue_after
from .service_endpoints import (ANNOTATION_TRIGGER_TIME, LABEL_HEADLESS, PodCache, ServiceIndex,
                                TriggerTimeTracker, find_port, is_ipv6, is_service_ip_set, pod_ips,
                                ready_transition, selected_pods, service_selector,
                                should_pod_be_in_endpoints, should_set_hostname)

CONTROLLER_NAME = "endpointslice-controller.k8s.io"          # managed-by value (k/k controller)
LABEL_SERVICE_NAME = "kubernetes.io/service-name"
LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
LABEL_ZONE = "topology.kubernetes.io/zone"
MAX_ENDPOINTS_PER_SLICE = 100                                 # kube-controller-manager default
NODE_MISSING = "node-missing"
NODE_MISSING_RETRY = 5.0                                      # seconds (upstream: rate-limited retry)


def address_types(svc: dict) -> list[str]:
    """getAddressTypesForService. Without spec.ipFamilies the apiserver's default (single-stack
    IPv4, the only family the simulated pod network has) is assumed, for headless Services too."""
    spec = svc.get("spec") or {}
    families = spec.get("ipFamilies") or ()
    out = []
    if "IPv4" in families:
        out.append("IPv4")
    if "IPv6" in families:
        out.append("IPv6")
    if out:
        return out
    ip = spec.get("clusterIP")
    if ip and ip != "None" and is_ipv6(ip):
        return ["IPv6"]
    return ["IPv4"]


# ---- the EndpointSlice reconciler ----------------------------------------------------------------

def endpoint_ports(svc: dict, pod: dict) -> list[dict]:
    """getEndpointPorts: one discovery EndpointPort per Service port whose target resolves."""
    spec = svc.get("spec") or {}
    out: list[dict] = []
    if not spec.get("ports") and spec.get("clusterIP") == "None":
        return out
    for sp in spec.get("ports") or ():
        num = find_port(pod, sp)
        if num is None:
            continue
        port = {"name": sp.get("name") or "", "protocol": sp.get("protocol") or "TCP", "port": num}
        if sp.get("appProtocol") is not None:
            port["appProtocol"] = sp["appProtocol"]
        out.append(port)
    return out


def port_map_key(ports: list[dict] | None) -> tuple:
    """NewPortMapKey: identifies a set of ports regardless of order."""
    return tuple(sorted((p.get("name") or "", p.get("protocol") or "", p.get("port") or 0,
                         p.get("appProtocol") or "") for p in ports or ()))


def pod_to_endpoint(pod: dict, zone: str | None, svc: dict, address_type: str) -> dict:
    """podToEndpoint; `zone` is the pod's Node's topology.kubernetes.io/zone label."""
    serving = is_pod_ready(pod)
    terminating = objects.is_terminating(pod)
    ready = bool((svc.get("spec") or {}).get("publishNotReadyAddresses")) or (serving and not terminating)
    want_v6 = address_type == "IPv6"
    ep: dict = {"addresses": [ip for ip in pod_ips(pod) if is_ipv6(ip) == want_v6],
                "conditions": {"ready": ready, "serving": serving, "terminating": terminating}}
    if should_set_hostname(pod, svc):
        ep["hostname"] = pod["spec"]["hostname"]
    md = pod["metadata"]
    ep["targetRef"] = {"kind": "Pod", "namespace": md.get("namespace", ""), "name": md["name"],
                       "uid": md.get("uid", "")}
    node_name = (pod.get("spec") or {}).get("nodeName")
    if node_name:
        ep["nodeName"] = node_name
    if zone:
        ep["zone"] = zone
    return ep


def endpoint_hash(ep: dict) -> tuple:
    """hashEndpoint: addresses, hostname and the target's namespace/name identify an endpoint;
    everything else (conditions, node, zone) may change in place."""
    ref = ep.get("targetRef") or {}
    return (tuple(sorted(ep.get("addresses") or ())), ep.get("hostname") or "",
            ref.get("namespace") or "", ref.get("name") or "")


def endpoint_fingerprint(ep: dict) -> tuple:
    """What EndpointsEqualBeyondHash compares: node, zone, conditions and the targetRef (its
    resourceVersion aside). Two endpoints with the same hash and fingerprint are equal."""
    c = ep.get("conditions") or {}
    ref = ep.get("targetRef") or {}
    return (ep.get("nodeName"), ep.get("zone"), c.get("ready"), c.get("serving"), c.get("terminating"),
            tuple(sorted((k, v) for k, v in ref.items() if k != "resourceVersion")))


def slice_labels(slice_: dict | None, svc: dict) -> tuple[dict, bool]:
    """setEndpointSliceLabels: the Service's labels (reserved keys skipped) plus service-name,
    managed-by and — for a Service without a cluster IP — the headless label; and whether the
    slice's own non-reserved labels differ from the Service's."""
    reserved = (LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS)
    have = {k: v for k, v in (objects.labels_of(slice_) if slice_ else {}).items() if k not in reserved}
    want = {k: v for k, v in objects.labels_of(svc).items() if k not in reserved}
    changed = have != want
    if not is_service_ip_set(svc):
        want[LABEL_HEADLESS] = ""
    want[LABEL_SERVICE_NAME] = objects.name_of(svc)
    want[LABEL_MANAGED_BY] = CONTROLLER_NAME
    return want, changed


def owned_by(slice_: dict, svc: dict) -> bool:
    uid = objects.uid_of(svc)
    return any(r.get("uid") == uid and r.get("kind") == "Service" and r.get("apiVersion") == "v1"
               for r in objects.meta(slice_).get("ownerReferences") or ())


class _Slice:
    """A slice being planned: an existing one (name set) or a new one (name None)."""
    __slots__ = ("name", "existing", "endpoints", "ports", "address_type", "labels")

    def __init__(self, name, existing, endpoints, ports, address_type, labels):
        self.name, self.existing = name, existing
        self.endpoints, self.ports, self.address_type, self.labels = endpoints, ports, address_type, labels


class EndpointSliceController(Controller):
    name = "endpointslice-controller"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.services = ServiceIndex()
        self.trigger_times = TriggerTimeTracker()
        self.max_endpoints = MAX_ENDPOINTS_PER_SLICE
        self._pods = PodCache(self._pod_entry)
        # Each stored slice's endpoints as (hash, fingerprint) pairs, by slice object.
        self._slice_keys: dict[tuple[str, str], tuple[dict, list[tuple]]] = {}
        # endpointSliceTracker in miniature: the resourceVersion of each slice as this controller
        # last wrote it ("" once it deleted it), so the echo of its own writes wakes nobody.
        self._written: dict[tuple[str, str], str] = {}

    def handlers(self):
        return {"services": self.services.on_service, "pods": self.services.on_pod,
                "endpointslices": self._on_slice}

    def _on_slice(self, ev: WatchEvent) -> Iterable[str]:
        sl, old = ev.object, ev.old
        ident = (objects.namespace_of(sl), objects.name_of(sl))
        expected = self._written.get(ident)
        if ev.type == "DELETED":
            self._written.pop(ident, None)
            self._slice_keys.pop(ident, None)
            if expected == "":
                return ()
        elif expected is not None and expected == objects.meta(sl).get("resourceVersion"):
            return ()
        keys = set()
        for obj in (sl, old):
            if obj is None:
                continue
            labels = objects.labels_of(obj)
            if labels.get(LABEL_MANAGED_BY) == CONTROLLER_NAME or (
                    old is not None and objects.labels_of(old).get(LABEL_MANAGED_BY) != labels.get(LABEL_MANAGED_BY)):
                svc_name = labels.get(LABEL_SERVICE_NAME)
                if svc_name:
                    keys.add(f"{objects.namespace_of(obj)}/{svc_name}")
        return keys

    # ---- reconcile -------------------------------------------------------------------------

    def reconcile(self, key: str) -> Result | None:
        ns, name = objects.split_key(key)
        svc = self.store.try_get(kinds.SERVICE, ns, name)
        if svc is None:
            self.trigger_times.delete(ns, name)        # its slices go with it (garbage collector)
            self._pods.forget(key)
            return None
        selector = service_selector(svc)
        if selector is None:
            self._pods.forget(key)
            return None
        pods = selected_pods(self.store, svc, selector)
        zones: dict[str, str | None] = {}
        entries = self._pods.values(key, svc, pods, lambda pod: self._node_info(pod, zones))
        slices = [s for s in self.store.iter(kinds.ENDPOINTSLICE, ns)
                  if objects.labels_of(s).get(LABEL_SERVICE_NAME) == name
                  and objects.labels_of(s).get(LABEL_MANAGED_BY) == CONTROLLER_NAME
                  and not objects.is_terminating(s)]
        slices.sort(key=objects.name_of)
        trigger = self.trigger_times.compute(ns, svc, {e[0]: e[1] for e in entries if e[1] is not None})

        supported = address_types(svc)
        to_delete = [s for s in slices if s.get("addressType") not in supported]
        retry = None
        for address_type in supported:
            existing = [s for s in slices if s.get("addressType") == address_type]
            if self._reconcile_address_type(key, svc, entries, existing, address_type, trigger):
                retry = NODE_MISSING_RETRY
        for s in to_delete:
            self._delete(key, svc, s, "its address type is no longer served")
        return requeue_after(retry)

    def _node_info(self, pod: dict, memo: dict[str, str | None]) -> str | None:
        """The zone of the pod's Node ("" without one), or None if there is no such Node."""
        node_name = pod["spec"].get("nodeName") or ""
        if node_name not in memo:
            node = self.store.try_get(kinds.NODE, "", node_name) if node_name else None
            memo[node_name] = None if node is None else objects.labels_of(node).get(LABEL_ZONE, "")
        return memo[node_name]

    def _pod_entry(self, svc: dict, pod: dict, zone: str | None) -> tuple:
        """What one pod contributes: (name, Ready transition time, slot), slot being None for a
        pod left out (terminal, no IP), NODE_MISSING, or (port-map key, ports, {address type:
        (endpoint, hash, fingerprint)}) — the endpoint None when the pod has no such address."""
        name = objects.name_of(pod)
        transition = ready_transition(pod)
        if not should_pod_be_in_endpoints(pod, True):
            return name, transition, None
        if zone is None and not (svc.get("spec") or {}).get("publishNotReadyAddresses"):
            return name, transition, NODE_MISSING
        ports = endpoint_ports(svc, pod)
        by_type = {}
        for address_type in address_types(svc):
            ep = pod_to_endpoint(pod, zone, svc, address_type)
            by_type[address_type] = (ep, endpoint_hash(ep), endpoint_fingerprint(ep)) if ep["addresses"] else None
        return name, transition, (port_map_key(ports), ports, by_type)

    def _existing_keys(self, s: dict) -> list[tuple]:
        """The (hash, fingerprint) of each endpoint of a stored slice, computed once per version."""
        ident = (objects.namespace_of(s), objects.name_of(s))
        hit = self._slice_keys.get(ident)
        if hit is not None and hit[0] is s:
            return hit[1]
        keys = [(endpoint_hash(ep), endpoint_fingerprint(ep)) for ep in s.get("endpoints") or ()]
        self._slice_keys[ident] = (s, keys)
        return keys

    def _reconcile_address_type(self, key, svc, entries, existing, address_type, trigger) -> bool:
        """reconcileByAddressType. Returns True if a pod was left out because its node is gone
        (upstream returns an error so the Service is synced again; PodGC removes such pods)."""
        to_create: list[_Slice] = []
        to_update: list[_Slice] = []
        to_delete: list[dict] = []
        existing_by_ports: dict[tuple, list[dict]] = {}
        for s in existing:
            if owned_by(s, svc):
                existing_by_ports.setdefault(port_map_key(s.get("ports")), []).append(s)
            else:
                to_delete.append(s)

        desired: dict[tuple, dict[tuple, tuple]] = {}       # port map -> hash -> (endpoint, fingerprint)
        desired_ports: dict[tuple, list[dict]] = {}
        node_missing = False
        for _, _, slot in entries:
            if slot is None:
                continue
            if slot is NODE_MISSING:
                node_missing = True
                continue
            pm, ports, by_type = slot
            eps = desired.setdefault(pm, {})
            desired_ports.setdefault(pm, ports)
            found = by_type.get(address_type)
            if found is not None:
                ep, h, fp = found
                eps[h] = (ep, fp)

        for pm, eps in desired.items():
            c, u, d = self._reconcile_port_mapping(svc, existing_by_ports.get(pm, []), eps,
                                                   desired_ports[pm], address_type)
            to_create += c
            to_update += u
            to_delete += d
        for pm, slices in existing_by_ports.items():
            if pm not in desired:
                to_delete += slices

        # When no slice would exist, keep (or make) an empty placeholder.
        if len(existing) == len(to_delete) and not to_create:
            labels, _ = slice_labels(None, svc)
            if len(to_delete) == 1 and self._is_placeholder(to_delete[0], svc, labels, address_type):
                to_delete = []
            else:
                to_create.append(_Slice(None, None, [], [], address_type, labels))

        self._finalize(key, svc, to_create, to_update, to_delete, trigger)
        return node_missing

    def _is_placeholder(self, s: dict, svc: dict, labels: dict, address_type: str) -> bool:
        """placeholderSliceCompare: an empty slice with exactly the placeholder's labels/owner."""
        return (objects.labels_of(s) == labels and not s.get("endpoints") and not s.get("ports")
                and s.get("addressType") == address_type
                and objects.meta(s).get("ownerReferences") == [objects.controller_ref(svc)])

    def _reconcile_port_mapping(self, svc, existing: list[dict], desired: dict[tuple, tuple],
                                ports: list[dict], address_type: str):
        """reconcileByPortMapping → (slices to create, to update, to delete)."""
        desired = dict(desired)
        planned: dict[str, _Slice] = {}
        unchanged: list[str] = []
        update_names: list[str] = []
        delete: list[dict] = []
        # 1. Keep the endpoints still wanted, refreshed; drop the rest.
        for s in existing:
            old_eps = s.get("endpoints") or []
            kept = []
            updated = False
            for h, fp in self._existing_keys(s):
                want = desired.pop(h, None)
                if want is not None:
                    kept.append(want[0])
                    if want[1] != fp:
                        updated = True
            labels, labels_changed = slice_labels(s, svc)
            name = objects.name_of(s)
            if updated or len(kept) != len(old_eps):
                if not kept:
                    delete.append(s)
                    continue
                planned[name] = _Slice(name, s, kept, s.get("ports") or [], address_type, labels)
                update_names.append(name)
            elif labels_changed:
                planned[name] = _Slice(name, s, list(old_eps), s.get("ports") or [], address_type, labels)
                update_names.append(name)
            else:
                planned[name] = _Slice(name, s, list(old_eps), s.get("ports") or [], address_type,
                                       objects.labels_of(s))
                unchanged.append(name)
        remaining = collections.deque(ep for ep, _ in desired.values())
        # 2. Fill the slices being written anyway, fullest first.
        if remaining and update_names:
            for name in sorted(update_names, key=lambda n: (-len(planned[n].endpoints), n)):
                sl = planned[name]
                while remaining and len(sl.endpoints) < self.max_endpoints:
                    sl.endpoints.append(remaining.popleft())
        # 3. Put what is left in the unchanged slice it fits best, else in new slices.
        create: list[_Slice] = []
        while remaining:
            target = None
            if len(remaining) < self.max_endpoints and unchanged:
                target = self._slice_to_fill([planned[n] for n in unchanged], len(remaining))
            if target is None:
                labels, _ = slice_labels(None, svc)
                target = _Slice(None, None, [], [dict(p) for p in ports], address_type, labels)
            while remaining and len(target.endpoints) < self.max_endpoints:
                target.endpoints.append(remaining.popleft())
            if target.name is not None:
                update_names.append(target.name)
                unchanged.remove(target.name)
            else:
                create.append(target)
        return create, [planned[n] for n in update_names], delete

    def _slice_to_fill(self, slices: list[_Slice], n: int) -> _Slice | None:
        """getSliceToFill: the slice closest to full once `n` endpoints are added."""
        closest_diff, closest = self.max_endpoints, None
        for sl in slices:
            diff = self.max_endpoints - (n + len(sl.endpoints))
            if 0 <= diff < closest_diff:
                closest_diff, closest = diff, sl
                if diff == 0:
                    break
        return closest

    def _finalize(self, key, svc, to_create: list[_Slice], to_update: list[_Slice],
                  to_delete: list[dict], trigger: str | None) -> None:
        # Turn creates into updates of slices that would otherwise be deleted.
        i = 0
        while i < len(to_delete) and to_create:
            doomed = to_delete[i]
            new = to_create[-1]
            if doomed.get("addressType") == new.address_type and owned_by(doomed, svc):
                new.name, new.existing = objects.name_of(doomed), doomed
                to_create.pop()
                to_update.append(new)
                to_delete.pop(i)
            else:
                i += 1
        # Don't create slices for a Service being deleted (the GC would race us).
        if not objects.is_terminating(svc):
            for sl in to_create:
                if not self._create(key, svc, sl, trigger):
                    return
        for sl in to_update:
            self._update(key, svc, sl, trigger)
        for s in to_delete:
            self._delete(key, svc, s, "no endpoints are left in it")

    # ---- writes --------------------------------------------------------------------------------

    def _body(self, svc: dict, sl: _Slice, trigger: str | None, base: dict | None) -> dict:
        if base is not None:
            obj = objects.clone(base)
            md = obj["metadata"]
        else:
            md = {"generateName": f"{objects.name_of(svc)}-", "namespace": objects.namespace_of(svc),
                  "ownerReferences": [objects.controller_ref(svc)]}
            obj = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": md}
        md["labels"] = dict(sl.labels)
        annotations = dict(md.get("annotations") or {})
        if trigger:
            annotations[ANNOTATION_TRIGGER_TIME] = trigger
        else:
            annotations.pop(ANNOTATION_TRIGGER_TIME, None)
        if annotations:
            md["annotations"] = annotations
        else:
            md.pop("annotations", None)
        obj["addressType"] = sl.address_type
        # Empty lists come back from the apiserver's storage as null.
        obj["endpoints"] = [objects.clone(ep) for ep in sl.endpoints] or None
        obj["ports"] = [dict(p) for p in sl.ports] or None
        return obj

    def _summary(self, sl: _Slice) -> str:
        ready = sum(1 for ep in sl.endpoints if (ep.get("conditions") or {}).get("ready"))
        terminating = sum(1 for ep in sl.endpoints if (ep.get("conditions") or {}).get("terminating"))
        text = f"{len(sl.endpoints)} endpoint(s), {ready} ready"
        if terminating:
            text += f", {terminating} terminating"
        return text

    def _create(self, key, svc, sl: _Slice, trigger) -> bool:
        try:
            created = self.store.create(self._body(svc, sl, trigger, None), sync=False, strict=False)
        except errors.Forbidden:
            return False                        # namespace terminating: creates keep failing
        self._written[(objects.namespace_of(created), objects.name_of(created))] = objects.meta(created)["resourceVersion"]
        self.decide(key, f"Service {key}: {self._summary(sl)} → created EndpointSlice {objects.name_of(created)}",
                    action="create", desired=self._summary(sl))
        return True

    def _update(self, key, svc, sl: _Slice, trigger) -> None:
        body = self._body(svc, sl, trigger, sl.existing)
        updated = self.store.update(body, sync=False, strict=False)
        self._written[(objects.namespace_of(updated), objects.name_of(updated))] = objects.meta(updated)["resourceVersion"]
        if updated is not sl.existing:
            self.decide(key, f"Service {key}: {self._summary(sl)} → updated EndpointSlice {sl.name}",
                        action="update", desired=self._summary(sl))

    def _delete(self, key, svc, s: dict, why: str) -> None:
        ident = (objects.namespace_of(s), objects.name_of(s))
        try:
            self.store.delete(kinds.ENDPOINTSLICE, ident[0], ident[1],
                              preconditions={"uid": objects.uid_of(s)}, sync=False)
        except errors.NotFound:
            return
        self._written[ident] = ""
        self.decide(key, f"Service {key}: {why} → deleted EndpointSlice {ident[1]}", action="delete")
