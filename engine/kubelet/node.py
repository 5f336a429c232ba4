"""The Node a kubelet registers, the Lease it renews, and what it keeps per node (pod IPs,
image cache) — k/k `pkg/kubelet/kubelet_node_status.go`, `pkg/kubelet/nodestatus/setters.go`,
`pkg/kubelet/nodelease`.

A node looks like a kind worker: labels for hostname/os/arch, a pod CIDR 10.244.<n>.0/24, an
InternalIP 172.18.0.<n+1>, capacity as given (memory in Ki) and allocatable = capacity minus
the default hard eviction threshold (memory.available 100Mi, nodefs.available 10%).
"""
from __future__ import annotations

import hashlib
import uuid

from .. import objects
from ..quantity import QuantityError, int_value

KUBELET_VERSION = "v1.32.0"
CONTAINER_RUNTIME = "containerd://1.7.24"
KERNEL = "6.8.0-51-generic"
OS_IMAGE = "Debian GNU/Linux 12 (bookworm)"
LEASE_NAMESPACE = "kube-node-lease"
LEASE_DURATION = 40
EPHEMERAL_CAPACITY_KI = 102625208
EVICTION_MEMORY_KI = 100 * 1024

HEALTHY_CONDITIONS = (
    ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)


def _stable(name: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{name}".encode()).hexdigest()


def node_ip(index: int) -> str:
    return f"172.18.0.{index + 1}" if index < 254 else f"172.18.{index // 254}.{index % 254 + 1}"


def pod_cidr(index: int) -> str:
    return f"10.{244 + index // 256}.{index % 256}.0/24"


def pod_ip(cidr: str, slot: int) -> str:
    """The `slot`-th pod address of a node: .2–.254 of its /24, then spill-over blocks."""
    a, b = (int(x) for x in cidr.split(".")[1:3])
    block, host = divmod(slot, 253)
    if block:
        a = 200 + 2 * block + (a - 244)
    return f"10.{a}.{b}.{host + 2}"


def healthy_conditions(now_iso: str, old: list | None = None) -> list[dict]:
    prev = {c.get("type"): c for c in old or ()}
    out = []
    for ctype, status, reason, message in HEALTHY_CONDITIONS:
        p = prev.get(ctype)
        ltt = p.get("lastTransitionTime") if p and p.get("status") == status else now_iso
        out.append({"type": ctype, "status": status, "lastHeartbeatTime": now_iso,
                    "lastTransitionTime": ltt or now_iso, "reason": reason, "message": message})
    return out


def build_node(name: str, index: int, now: float, *, cpu="4", memory="8Gi", pods=110,
               labels: dict | None = None, taints: list | None = None) -> dict:
    try:
        mem_ki = int_value(memory) // 1024
    except (QuantityError, TypeError, ValueError):
        mem_ki = 8 * 1024 * 1024
    alloc_mem_ki = max(0, mem_ki - EVICTION_MEMORY_KI)
    eph_bytes = EPHEMERAL_CAPACITY_KI * 1024
    capacity = {"cpu": str(cpu), "ephemeral-storage": f"{EPHEMERAL_CAPACITY_KI}Ki", "hugepages-1Gi": "0",
                "hugepages-2Mi": "0", "memory": f"{mem_ki}Ki", "pods": str(pods)}
    allocatable = dict(capacity, **{"ephemeral-storage": str(eph_bytes * 9 // 10), "memory": f"{alloc_mem_ki}Ki"})
    lab = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
           "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}
    lab.update(labels or {})
    now_iso = objects.iso(now)
    spec: dict = {"podCIDR": pod_cidr(index), "podCIDRs": [pod_cidr(index)], "providerID": f"kind://docker/kubeplay/{name}"}
    if taints:
        spec["taints"] = [dict(t) for t in taints]
    machine = _stable(name, "machine")[:32]
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": lab,
                     "annotations": {"kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock",
                                     "node.alpha.kubernetes.io/ttl": "0",
                                     "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
        "spec": spec,
        "status": {
            "addresses": [{"type": "InternalIP", "address": node_ip(index)}, {"type": "Hostname", "address": name}],
            "allocatable": allocatable,
            "capacity": capacity,
            "conditions": healthy_conditions(now_iso),
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": str(uuid.UUID(_stable(name + str(now), "boot")[:32])),
                "containerRuntimeVersion": CONTAINER_RUNTIME,
                "kernelVersion": KERNEL,
                "kubeProxyVersion": KUBELET_VERSION,
                "kubeletVersion": KUBELET_VERSION,
                "machineID": machine,
                "operatingSystem": "linux",
                "osImage": OS_IMAGE,
                "systemUUID": str(uuid.UUID(_stable(name, "system")[:32])),
            },
        },
    }


def build_lease(node: dict, now: float) -> dict:
    md = node["metadata"]
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": md["name"], "namespace": LEASE_NAMESPACE,
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": md["name"],
                                              "uid": md.get("uid", "")}]},
            "spec": {"holderIdentity": md["name"], "leaseDurationSeconds": LEASE_DURATION,
                     "renewTime": objects.micro_iso(now)}}


def node_index(node: dict) -> int | None:
    """The node's slot, read back from its pod CIDR (after an engine restart)."""
    cidr = (node.get("spec") or {}).get("podCIDR") or ""
    parts = cidr.split(".")
    try:
        if len(parts) == 4 and parts[0] == "10" and int(parts[1]) >= 244:
            return (int(parts[1]) - 244) * 256 + int(parts[2])
    except ValueError:
        pass
    return None


def internal_ip(node: dict) -> str:
    for a in (node.get("status") or {}).get("addresses") or ():
        if a.get("type") == "InternalIP":
            return a.get("address", "")
    return ""


class NodeState:
    """What a node's kubelet keeps locally: its address, its pod IPs and its image cache."""

    def __init__(self, name: str, index: int, ip: str, cidr: str, max_pods: int):
        self.name, self.index, self.ip, self.cidr = name, index, ip, cidr
        self.images: set[str] = set()
        self.pods: set[str] = set()
        self.ip_of: dict[str, str] = {}
        self.used: set[str] = set()
        self._next = 0
        self._limit = 253 * max(1, -(-max_pods // 253))

    def allocate(self, key: str, want: str | None = None) -> str:
        ip = self.ip_of.get(key)
        if ip:
            return ip
        if want and want not in self.used:
            ip = want
        else:
            for _ in range(self._limit + 1):
                cand = pod_ip(self.cidr, self._next)
                self._next = (self._next + 1) % self._limit
                if cand not in self.used:
                    ip = cand
                    break
            else:                                   # more pods than addresses: share the last
                ip = pod_ip(self.cidr, self._limit - 1)
        self.ip_of[key] = ip
        self.used.add(ip)
        return ip

    def release(self, key: str) -> None:
        ip = self.ip_of.pop(key, None)
        if ip:
            self.used.discard(ip)
