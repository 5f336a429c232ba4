"""The control plane a kind cluster shows: its node, its static pods, and the kube-system addons.

`kubectl get pods -A` on a fresh kind cluster (kindest/node v1.32) lists the control-plane
node's static pods — etcd, kube-apiserver, kube-controller-manager and kube-scheduler, each seen
through the API as a *mirror pod* named `<component>-<node>` that the kubelet creates for the
manifest it runs from /etc/kubernetes/manifests — plus the addons kubeadm installs: the coredns
Deployment (2 replicas, behind the `kube-dns` Service) and the kube-proxy DaemonSet (one pod per
node). The objects below are the kubeadm v1.32 ones (cmd/kubeadm/app/phases/controlplane/manifests.go,
phases/addons/dns/manifests.go, phases/addons/proxy/manifests.go), less what the simulation has no
use for (command-line flags beyond a few, probes — nothing in this cluster serves them — and
volumes on host paths).

Two of these components are also parts of this engine: the scheduler and the controllers of the
controller manager. `COMPONENTS` maps the two to the engine's controllers, so the page can stop and
start them (Cluster.set_component_running); the component's mirror pod then reports not Ready, as
it would if its process stopped answering its health checks.
"""
from __future__ import annotations

import hashlib

NODE_NAME = "kubeplay-control-plane"       # kind names it `<cluster>-control-plane`
NODE_INDEX = 0                             # pod CIDR 10.244.0.0/24, address 172.18.0.1
KUBE_VERSION = "v1.32.0"
NAMESPACE = "kube-system"

CONTROL_PLANE_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
NODE_LABELS = {"node-role.kubernetes.io/control-plane": "",
               "node.kubernetes.io/exclude-from-external-load-balancers": ""}

MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
CONFIG_HASH = "kubernetes.io/config.hash"
CONFIG_SEEN = "kubernetes.io/config.seen"
CONFIG_SOURCE = "kubernetes.io/config.source"

# The engine's controllers each stoppable component runs (k/k cmd/kube-controller-manager
# names its controllers the same way; the scheduler is one loop).
COMPONENTS = {
    "kube-scheduler": ("default-scheduler",),
    "kube-controller-manager": ("deployment-controller", "replicaset-controller", "statefulset-controller",
                                "daemonset-controller", "node-lifecycle-controller",
                                "endpointslice-controller", "endpoint-controller", "garbage-collector",
                                "namespace-controller", "resourcequota-controller", "disruption-controller",
                                "serviceaccount-controller", "serviceaccount-token-controller", "job-controller",
                                "cronjob-controller", "ttl-after-finished-controller",
                                "persistentvolume-binder-controller", "pvc-protection-controller",
                                "pv-protection-controller", "horizontal-pod-autoscaler-controller",
                                "clusterrole-aggregation-controller"),
}

_REQUESTS = {"etcd": {"cpu": "100m", "memory": "100Mi"}, "kube-apiserver": {"cpu": "250m"},
             "kube-controller-manager": {"cpu": "200m"}, "kube-scheduler": {"cpu": "100m"}}


def images() -> dict[str, str]:
    """The images the kind node image ships preloaded (so their pods show "already present")."""
    return {"etcd": "registry.k8s.io/etcd:3.5.16-0",
            "kube-apiserver": f"registry.k8s.io/kube-apiserver:{KUBE_VERSION}",
            "kube-controller-manager": f"registry.k8s.io/kube-controller-manager:{KUBE_VERSION}",
            "kube-scheduler": f"registry.k8s.io/kube-scheduler:{KUBE_VERSION}",
            "kube-proxy": f"registry.k8s.io/kube-proxy:{KUBE_VERSION}",
            "coredns": "registry.k8s.io/coredns/coredns:v1.11.3",
            "pause": "registry.k8s.io/pause:3.10"}


def _command(component: str, ip: str) -> list[str]:
    if component == "etcd":
        return ["etcd", f"--advertise-client-urls=https://{ip}:2379", "--data-dir=/var/lib/etcd",
                f"--listen-client-urls=https://127.0.0.1:2379,https://{ip}:2379", f"--name={NODE_NAME}"]
    if component == "kube-apiserver":
        return ["kube-apiserver", f"--advertise-address={ip}", "--authorization-mode=Node,RBAC",
                "--etcd-servers=https://127.0.0.1:2379", "--secure-port=6443",
                "--service-cluster-ip-range=10.96.0.0/16"]
    if component == "kube-controller-manager":
        return ["kube-controller-manager", "--allocate-node-cidrs=true", "--cluster-cidr=10.244.0.0/16",
                "--cluster-name=kubeplay", "--controllers=*,bootstrapsigner,tokencleaner",
                "--leader-elect=true", "--service-cluster-ip-range=10.96.0.0/16"]
    return ["kube-scheduler", "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
            "--bind-address=127.0.0.1", "--kubeconfig=/etc/kubernetes/scheduler.conf", "--leader-elect=true"]


def static_pod_manifests(ip: str) -> list[dict]:
    """The four manifests kubeadm writes to the control-plane node's /etc/kubernetes/manifests."""
    out = []
    img = images()
    for component in ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        annotations = {}
        if component == "etcd":
            annotations["kubeadm.kubernetes.io/etcd.advertise-client-urls"] = f"https://{ip}:2379"
        elif component == "kube-apiserver":
            annotations["kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint"] = f"{ip}:6443"
        out.append({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": component, "namespace": NAMESPACE, "annotations": annotations,
                         "labels": {"component": component, "tier": "control-plane"}},
            "spec": {"containers": [{"name": component, "image": img[component],
                                     "imagePullPolicy": "IfNotPresent",
                                     "command": _command(component, ip),
                                     "resources": {"requests": dict(_REQUESTS[component])}}],
                     "hostNetwork": True,
                     "priorityClassName": "system-node-critical",
                     "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
        })
    return out


def config_hash(manifest: dict) -> str:
    """The kubelet's hash of a static pod manifest (a stable digest of its content)."""
    return hashlib.md5(repr(sorted(manifest["spec"]["containers"][0].items())).encode()).hexdigest()


def mirror_pod(manifest: dict, node: dict, seen: str) -> dict:
    """The mirror pod the kubelet posts for a static pod (k/k pkg/kubelet/pod/mirror_client.go):
    named `<name>-<node>`, annotated with the manifest's hash and source, bound to the node,
    owned by the Node, tolerating every NoExecute taint (pkg/kubelet/config/common.go)."""
    md = node["metadata"]
    h = config_hash(manifest)
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": f"{manifest['metadata']['name']}-{md['name']}", "namespace": NAMESPACE,
                        "labels": dict(manifest["metadata"]["labels"]),
                        "annotations": dict(manifest["metadata"]["annotations"], **{
                            CONFIG_HASH: h, MIRROR_ANNOTATION: h, CONFIG_SEEN: seen, CONFIG_SOURCE: "file"}),
                        "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": md["name"],
                                             "uid": md.get("uid", ""), "controller": True}]},
           "spec": dict(manifest["spec"], nodeName=md["name"],
                        tolerations=[{"operator": "Exists", "effect": "NoExecute"}])}
    return pod


def component_of(pod: dict) -> str | None:
    """The stoppable component a mirror pod runs (None for any other pod)."""
    md = pod.get("metadata") or {}
    if md.get("namespace") != NAMESPACE or MIRROR_ANNOTATION not in (md.get("annotations") or {}):
        return None
    c = (md.get("labels") or {}).get("component")
    return c if c in COMPONENTS else None


def is_mirror_pod(pod: dict) -> bool:
    return MIRROR_ANNOTATION in ((pod.get("metadata") or {}).get("annotations") or {})


# ---- addons (kubeadm's phases/addons) ---------------------------------------------------------------

COREFILE = """.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
"""


def addons() -> list[dict]:
    """coredns (ServiceAccount, ConfigMap, Deployment, the kube-dns Service) and kube-proxy
    (ServiceAccount, ConfigMap, DaemonSet),
    as kubeadm creates them, in creation order."""
    img = images()
    dns_labels = {"k8s-app": "kube-dns"}
    coredns = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": NAMESPACE, "labels": dict(dns_labels)},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": dict(dns_labels)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "template": {
                "metadata": {"labels": dict(dns_labels)},
                "spec": {
                    "priorityClassName": "system-cluster-critical",
                    "serviceAccountName": "coredns",
                    "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"},
                                    {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}],
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{
                        "weight": 100, "podAffinityTerm": {
                            "labelSelector": {"matchExpressions": [
                                {"key": "k8s-app", "operator": "In", "values": ["kube-dns"]}]},
                            "topologyKey": "kubernetes.io/hostname"}}]}},
                    "containers": [{
                        "name": "coredns", "image": img["coredns"], "imagePullPolicy": "IfNotPresent",
                        "args": ["-conf", "/etc/coredns/Corefile"],
                        "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
                        "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/coredns", "readOnly": True}],
                        "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"},
                                  {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                                  {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}],
                        "securityContext": {"allowPrivilegeEscalation": False,
                                            "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                                            "readOnlyRootFilesystem": True}}],
                    "dnsPolicy": "Default",
                    "volumes": [{"name": "config-volume", "configMap": {
                        "name": "coredns", "items": [{"key": "Corefile", "path": "Corefile"}]}}],
                }}}}
    kube_dns = {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kube-dns", "namespace": NAMESPACE,
                     "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true",
                                "kubernetes.io/name": "CoreDNS"},
                     "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}},
        "spec": {"clusterIP": "10.96.0.10", "selector": dict(dns_labels),
                 "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                           {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                           {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]}}
    proxy_labels = {"k8s-app": "kube-proxy"}
    kube_proxy = {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "kube-proxy", "namespace": NAMESPACE, "labels": dict(proxy_labels)},
        "spec": {
            "selector": {"matchLabels": dict(proxy_labels)},
            "updateStrategy": {"type": "RollingUpdate"},
            "template": {
                "metadata": {"labels": dict(proxy_labels)},
                "spec": {
                    "priorityClassName": "system-node-critical",
                    "serviceAccountName": "kube-proxy",
                    "hostNetwork": True,
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "tolerations": [{"operator": "Exists"}],
                    "containers": [{
                        "name": "kube-proxy", "image": img["kube-proxy"], "imagePullPolicy": "IfNotPresent",
                        "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf",
                                    "--hostname-override=$(NODE_NAME)"],
                        "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
                        "securityContext": {"privileged": True},
                        "volumeMounts": [{"name": "kube-proxy", "mountPath": "/var/lib/kube-proxy"}]}],
                    "volumes": [{"name": "kube-proxy", "configMap": {"name": "kube-proxy"}}],
                }}}}
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "coredns", "namespace": NAMESPACE}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "coredns", "namespace": NAMESPACE},
         "data": {"Corefile": COREFILE}},
        coredns, kube_dns,
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "kube-proxy", "namespace": NAMESPACE}},
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "kube-proxy", "namespace": NAMESPACE, "labels": {"app": "kube-proxy"}},
         "data": {"config.conf": "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n"
                                 "clusterCIDR: 10.244.0.0/16\nmode: iptables\n"}},
        kube_proxy,
    ]
