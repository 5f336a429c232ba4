"""The ingress-nginx install a learner applies to a kind cluster (kubernetes/ingress-nginx
deploy/static/provider/kind/deploy.yaml, controller v1.12.0), which this cluster has from the start:
the `ingress-nginx` namespace, the controller's ServiceAccount, ConfigMap, Deployment and its two
Services (`ingress-nginx-controller`, NodePort, and the admission webhook's), and the `nginx`
IngressClass — here marked the default class (as the Helm chart's
`controller.ingressClassResource.default=true` does), so an Ingress without a class is nginx's.

Left out, because this cluster has no such kinds: the RBAC objects, the admission webhook's
ValidatingWebhookConfiguration and the two Jobs that make its certificate. What the controller
does is split between the engine's IngressNginxController (status, events:
engine/controllers/ingress_nginx.py) and what its pod answers (engine/kubelet/ingress_proxy.py).

The Deployment's pod selects nodes labelled `ingress-ready=true` and tolerates the control-plane
taint, as kind's guide sets its control-plane node up (`node-labels: "ingress-ready=true"`);
`NODE_LABELS` is that label, which the cluster puts on its control-plane node."""
from __future__ import annotations

NAMESPACE = "ingress-nginx"
VERSION = "1.12.0"
IMAGE = f"registry.k8s.io/ingress-nginx/controller:v{VERSION}"
CONTROLLER_NAME = "k8s.io/ingress-nginx"       # IngressClass spec.controller, --controller-class
CLASS_NAME = "nginx"
SERVICE_NAME = "ingress-nginx-controller"
DEPLOYMENT_NAME = "ingress-nginx-controller"
# --publish-status-address in the kind manifest: what the controller writes to status.loadBalancer
PUBLISH_STATUS_ADDRESS = "localhost"
NODE_LABELS = {"ingress-ready": "true"}

SELECTOR = {"app.kubernetes.io/component": "controller", "app.kubernetes.io/instance": "ingress-nginx",
            "app.kubernetes.io/name": "ingress-nginx"}


def _labels(component: str | None = "controller") -> dict:
    labels = {"app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/name": "ingress-nginx",
              "app.kubernetes.io/part-of": "ingress-nginx", "app.kubernetes.io/version": VERSION}
    if component:
        labels["app.kubernetes.io/component"] = component
    return labels


def _meta(name: str, component: str | None = "controller", **extra) -> dict:
    return {"name": name, "namespace": NAMESPACE, "labels": _labels(component), **extra}


def objects() -> list[dict]:
    """The install's objects, in the manifest's order (namespace first)."""
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": _meta(DEPLOYMENT_NAME),
        "spec": {
            "minReadySeconds": 0,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": dict(SELECTOR)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "template": {
                "metadata": {"labels": _labels()},
                "spec": {
                    "containers": [{
                        "name": "controller", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
                        "args": ["/nginx-ingress-controller", "--election-id=ingress-nginx-leader",
                                 f"--controller-class={CONTROLLER_NAME}", f"--ingress-class={CLASS_NAME}",
                                 "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller",
                                 "--watch-ingress-without-class=true",
                                 f"--publish-status-address={PUBLISH_STATUS_ADDRESS}"],
                        "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                                {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                                {"name": "LD_PRELOAD", "value": "/usr/local/lib/libmimalloc.so"}],
                        "lifecycle": {"preStop": {"exec": {"command": ["/wait-shutdown"]}}},
                        "ports": [{"containerPort": 80, "hostPort": 80, "name": "http", "protocol": "TCP"},
                                  {"containerPort": 443, "hostPort": 443, "name": "https", "protocol": "TCP"},
                                  {"containerPort": 8443, "name": "webhook", "protocol": "TCP"}],
                        "resources": {"requests": {"cpu": "100m", "memory": "90Mi"}},
                        "securityContext": {"allowPrivilegeEscalation": False,
                                            "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                                            "readOnlyRootFilesystem": False, "runAsNonRoot": True,
                                            "runAsUser": 101, "seccompProfile": {"type": "RuntimeDefault"}},
                    }],
                    "dnsPolicy": "ClusterFirst",
                    "nodeSelector": {**NODE_LABELS, "kubernetes.io/os": "linux"},
                    "serviceAccountName": "ingress-nginx",
                    "terminationGracePeriodSeconds": 0,
                    "tolerations": [{"effect": "NoSchedule", "key": "node-role.kubernetes.io/master", "operator": "Equal"},
                                    {"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane",
                                     "operator": "Equal"}],
                }}}}
    controller_service = {
        "apiVersion": "v1", "kind": "Service",
        "metadata": _meta(SERVICE_NAME),
        "spec": {"type": "NodePort", "ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv4"],
                 "selector": dict(SELECTOR),
                 "ports": [{"appProtocol": "http", "name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"},
                           {"appProtocol": "https", "name": "https", "port": 443, "protocol": "TCP",
                            "targetPort": "https"}]}}
    admission_service = {
        "apiVersion": "v1", "kind": "Service",
        "metadata": _meta("ingress-nginx-controller-admission"),
        "spec": {"type": "ClusterIP", "selector": dict(SELECTOR),
                 "ports": [{"appProtocol": "https", "name": "https-webhook", "port": 443, "targetPort": "webhook"}]}}
    ingress_class = {
        "apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
        "metadata": {"name": CLASS_NAME, "labels": _labels(),
                     "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
        "spec": {"controller": CONTROLLER_NAME}}
    return [
        {"apiVersion": "v1", "kind": "Namespace",
         "metadata": {"name": NAMESPACE, "labels": {"app.kubernetes.io/instance": "ingress-nginx",
                                                     "app.kubernetes.io/name": "ingress-nginx"}}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta("ingress-nginx"),
         "automountServiceAccountToken": True},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("ingress-nginx-controller")},
        controller_service, admission_service, deployment, ingress_class,
    ]


def is_controller_pod(pod: dict) -> bool:
    md = pod.get("metadata") or {}
    labels = md.get("labels") or {}
    return md.get("namespace") == NAMESPACE and all(labels.get(k) == v for k, v in SELECTOR.items())
