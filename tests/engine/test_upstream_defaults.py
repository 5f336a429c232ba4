"""Every upstream default for the served kinds, one row each, checked on what admission stores:
SetDefaults_* in k/k pkg/apis/core/v1/defaults.go, pkg/apis/apps/v1/defaults.go,
pkg/apis/discovery/v1/defaults.go and the `+default=` tags the generated defaulters
(zz_generated.defaults.go) apply, as of v1.32 with its default feature gates. A row names the
object written (a minimal valid one plus the part that carries the field), the path of the
defaulted field, and the value a v1.32 apiserver stores there."""
from __future__ import annotations

import copy

import pytest

from engine.admission import admit_create

CONTAINER = {"name": "c", "image": "nginx:1.27"}


def pod(spec=None, container=None, **meta):
    c = dict(CONTAINER, **(container or {}))
    return {"apiVersion": "v1", "kind": "Pod", "metadata": dict({"name": "p", "namespace": "default"}, **meta),
            "spec": dict({"containers": [c]}, **(spec or {}))}


def volume(source: dict):
    return pod({"volumes": [dict({"name": "v"}, **source)]})


def template_of(kind, api_version="apps/v1", spec=None):
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": "w", "namespace": "default"},
            "spec": dict({"selector": {"matchLabels": {"a": "b"}},
                          "template": {"metadata": {"labels": {"a": "b"}},
                                       "spec": {"containers": [dict(CONTAINER)]}}}, **(spec or {}))}


def service(**spec):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "default"},
            "spec": dict({"ports": [{"port": 80}], "selector": {"a": "b"}}, **spec)}


PROBE = {"exec": {"command": ["true"]}}

# (id, object, path, value): path items are keys or list indexes
ROWS = [
    # SetDefaults_PodSpec
    ("podspec.dnsPolicy", pod(), ("spec", "dnsPolicy"), "ClusterFirst"),
    ("podspec.restartPolicy", pod(), ("spec", "restartPolicy"), "Always"),
    ("podspec.securityContext", pod(), ("spec", "securityContext"), {}),
    ("podspec.terminationGracePeriodSeconds", pod(), ("spec", "terminationGracePeriodSeconds"), 30),
    ("podspec.schedulerName", pod(), ("spec", "schedulerName"), "default-scheduler"),
    # SetDefaults_Pod
    ("pod.enableServiceLinks", pod(), ("spec", "enableServiceLinks"), True),
    ("pod.requests-from-limits", pod(container={"resources": {"limits": {"cpu": "1"}}}),
     ("spec", "containers", 0, "resources", "requests"), {"cpu": "1"}),
    ("pod.init-requests-from-limits",
     pod({"initContainers": [dict(CONTAINER, name="i", resources={"limits": {"memory": "1Gi"}})]}),
     ("spec", "initContainers", 0, "resources", "requests"), {"memory": "1Gi"}),
    ("pod.hostNetwork-hostPort", pod({"hostNetwork": True}, {"ports": [{"containerPort": 8080}]}),
     ("spec", "containers", 0, "ports", 0, "hostPort"), 8080),
    # SetDefaults_Container
    ("container.imagePullPolicy-tag", pod(), ("spec", "containers", 0, "imagePullPolicy"), "IfNotPresent"),
    ("container.imagePullPolicy-latest", pod(container={"image": "nginx"}),
     ("spec", "containers", 0, "imagePullPolicy"), "Always"),
    ("container.terminationMessagePath", pod(), ("spec", "containers", 0, "terminationMessagePath"), "/dev/termination-log"),
    ("container.terminationMessagePolicy", pod(), ("spec", "containers", 0, "terminationMessagePolicy"), "File"),
    # +default="TCP" on ContainerPort.Protocol
    ("containerport.protocol", pod(container={"ports": [{"containerPort": 80}]}),
     ("spec", "containers", 0, "ports", 0, "protocol"), "TCP"),
    # SetDefaults_Probe
    ("probe.timeoutSeconds", pod(container={"livenessProbe": PROBE}), ("spec", "containers", 0, "livenessProbe", "timeoutSeconds"), 1),
    ("probe.periodSeconds", pod(container={"readinessProbe": PROBE}), ("spec", "containers", 0, "readinessProbe", "periodSeconds"), 10),
    ("probe.successThreshold", pod(container={"startupProbe": PROBE}), ("spec", "containers", 0, "startupProbe", "successThreshold"), 1),
    ("probe.failureThreshold", pod(container={"livenessProbe": PROBE}), ("spec", "containers", 0, "livenessProbe", "failureThreshold"), 3),
    # +default="" on GRPCAction.Service (kubectl describe dereferences it)
    ("probe.grpc.service", pod(container={"livenessProbe": {"grpc": {"port": 2379}}}),
     ("spec", "containers", 0, "livenessProbe", "grpc", "service"), ""),
    # SetDefaults_HTTPGetAction
    ("httpGet.path", pod(container={"livenessProbe": {"httpGet": {"port": 80}}}),
     ("spec", "containers", 0, "livenessProbe", "httpGet", "path"), "/"),
    ("httpGet.scheme", pod(container={"readinessProbe": {"httpGet": {"port": 80}}}),
     ("spec", "containers", 0, "readinessProbe", "httpGet", "scheme"), "HTTP"),
    ("lifecycle.httpGet.scheme", pod(container={"lifecycle": {"preStop": {"httpGet": {"port": 80}}}}),
     ("spec", "containers", 0, "lifecycle", "preStop", "httpGet", "scheme"), "HTTP"),
    # SetDefaults_ObjectFieldSelector
    ("fieldRef.apiVersion", pod(container={"env": [{"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}),
     ("spec", "containers", 0, "env", 0, "valueFrom", "fieldRef", "apiVersion"), "v1"),
    # SetDefaults_ResourceList: rounded up to milli, canonical
    ("resourcelist.round-up", pod(container={"resources": {"requests": {"cpu": "0.0001"}}}),
     ("spec", "containers", 0, "resources", "requests", "cpu"), "1m"),
    # SetDefaults_Volume and the volume sources
    ("volume.emptyDir", volume({}), ("spec", "volumes", 0, "emptyDir"), {}),
    ("secret.defaultMode", volume({"secret": {"secretName": "s"}}), ("spec", "volumes", 0, "secret", "defaultMode"), 420),
    ("configMap.defaultMode", volume({"configMap": {"name": "c"}}), ("spec", "volumes", 0, "configMap", "defaultMode"), 420),
    ("downwardAPI.defaultMode", volume({"downwardAPI": {"items": []}}), ("spec", "volumes", 0, "downwardAPI", "defaultMode"), 420),
    ("projected.defaultMode", volume({"projected": {"sources": []}}), ("spec", "volumes", 0, "projected", "defaultMode"), 420),
    ("serviceAccountToken.expirationSeconds",
     volume({"projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}}),
     ("spec", "volumes", 0, "projected", "sources", 0, "serviceAccountToken", "expirationSeconds"), 3600),
    ("hostPath.type", volume({"hostPath": {"path": "/x"}}), ("spec", "volumes", 0, "hostPath", "type"), ""),
    ("rbd.pool", volume({"rbd": {"monitors": ["m"], "image": "i"}}), ("spec", "volumes", 0, "rbd", "pool"), "rbd"),
    ("rbd.user", volume({"rbd": {"monitors": ["m"], "image": "i"}}), ("spec", "volumes", 0, "rbd", "user"), "admin"),
    ("rbd.keyring", volume({"rbd": {"monitors": ["m"], "image": "i"}}), ("spec", "volumes", 0, "rbd", "keyring"), "/etc/ceph/keyring"),
    ("iscsi.iscsiInterface", volume({"iscsi": {"targetPortal": "1.2.3.4:3260", "iqn": "iqn.2001-04.com.example:storage", "lun": 0}}),
     ("spec", "volumes", 0, "iscsi", "iscsiInterface"), "default"),
    ("azureDisk.cachingMode", volume({"azureDisk": {"diskName": "d", "diskURI": "u"}}), ("spec", "volumes", 0, "azureDisk", "cachingMode"), "ReadWrite"),
    ("azureDisk.fsType", volume({"azureDisk": {"diskName": "d", "diskURI": "u"}}), ("spec", "volumes", 0, "azureDisk", "fsType"), "ext4"),
    ("azureDisk.readOnly", volume({"azureDisk": {"diskName": "d", "diskURI": "u"}}), ("spec", "volumes", 0, "azureDisk", "readOnly"), False),
    ("azureDisk.kind", volume({"azureDisk": {"diskName": "d", "diskURI": "u"}}), ("spec", "volumes", 0, "azureDisk", "kind"), "Shared"),
    ("scaleIO.storageMode", volume({"scaleIO": {"gateway": "g", "system": "s", "secretRef": {"name": "x"}}}),
     ("spec", "volumes", 0, "scaleIO", "storageMode"), "ThinProvisioned"),
    ("scaleIO.fsType", volume({"scaleIO": {"gateway": "g", "system": "s", "secretRef": {"name": "x"}}}),
     ("spec", "volumes", 0, "scaleIO", "fsType"), "xfs"),
    # SetDefaults_PersistentVolumeClaimSpec (in an ephemeral volume's template)
    ("ephemeral.volumeMode",
     volume({"ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"],
                                                             "resources": {"requests": {"storage": "1Gi"}}}}}}),
     ("spec", "volumes", 0, "ephemeral", "volumeClaimTemplate", "spec", "volumeMode"), "Filesystem"),
    # SetDefaults_Service
    ("service.sessionAffinity", service(), ("spec", "sessionAffinity"), "None"),
    ("service.sessionAffinityConfig", service(sessionAffinity="ClientIP"),
     ("spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"), 10800),
    ("service.type", service(), ("spec", "type"), "ClusterIP"),
    ("serviceport.protocol", service(), ("spec", "ports", 0, "protocol"), "TCP"),
    ("serviceport.targetPort", service(), ("spec", "ports", 0, "targetPort"), 80),
    ("service.externalTrafficPolicy", service(type="NodePort"), ("spec", "externalTrafficPolicy"), "Cluster"),
    ("service.internalTrafficPolicy", service(), ("spec", "internalTrafficPolicy"), "Cluster"),
    ("service.allocateLoadBalancerNodePorts", service(type="LoadBalancer"), ("spec", "allocateLoadBalancerNodePorts"), True),
    # the service REST storage (ipFamilies/ipFamilyPolicy on the single-stack IPv4 cluster)
    ("service.ipFamilyPolicy", service(), ("spec", "ipFamilyPolicy"), "SingleStack"),
    ("service.ipFamilies", service(), ("spec", "ipFamilies"), ["IPv4"]),
    # SetDefaults_Namespace / SetDefaults_NamespaceStatus
    ("namespace.label", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}},
     ("metadata", "labels", "kubernetes.io/metadata.name"), "n"),
    ("namespace.phase", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}, ("status", "phase"), "Active"),
    # SetDefaults_Endpoints
    ("endpoints.protocol", {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "e", "namespace": "default"},
                            "subsets": [{"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80}]}]},
     ("subsets", 0, "ports", 0, "protocol"), "TCP"),
    # discovery/v1 EndpointPort
    ("endpointslice.port.name", {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                                 "metadata": {"name": "e", "namespace": "default"}, "addressType": "IPv4",
                                 "endpoints": [], "ports": [{"port": 80}]}, ("ports", 0, "name"), ""),
    ("endpointslice.port.protocol", {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                                     "metadata": {"name": "e", "namespace": "default"}, "addressType": "IPv4",
                                     "endpoints": [], "ports": [{"port": 80}]}, ("ports", 0, "protocol"), "TCP"),
    # apps/v1 SetDefaults_Deployment
    ("deployment.replicas", template_of("Deployment"), ("spec", "replicas"), 1),
    ("deployment.strategy.type", template_of("Deployment"), ("spec", "strategy", "type"), "RollingUpdate"),
    ("deployment.maxUnavailable", template_of("Deployment"), ("spec", "strategy", "rollingUpdate", "maxUnavailable"), "25%"),
    ("deployment.maxSurge", template_of("Deployment"), ("spec", "strategy", "rollingUpdate", "maxSurge"), "25%"),
    ("deployment.revisionHistoryLimit", template_of("Deployment"), ("spec", "revisionHistoryLimit"), 10),
    ("deployment.progressDeadlineSeconds", template_of("Deployment"), ("spec", "progressDeadlineSeconds"), 600),
    ("deployment.template-podspec", template_of("Deployment"), ("spec", "template", "spec", "dnsPolicy"), "ClusterFirst"),
    # apps/v1 SetDefaults_ReplicaSet
    ("replicaset.replicas", template_of("ReplicaSet"), ("spec", "replicas"), 1),
    # apps/v1 SetDefaults_StatefulSet
    ("statefulset.podManagementPolicy", template_of("StatefulSet"), ("spec", "podManagementPolicy"), "OrderedReady"),
    ("statefulset.updateStrategy.type", template_of("StatefulSet"), ("spec", "updateStrategy", "type"), "RollingUpdate"),
    ("statefulset.partition", template_of("StatefulSet"), ("spec", "updateStrategy", "rollingUpdate", "partition"), 0),
    ("statefulset.replicas", template_of("StatefulSet"), ("spec", "replicas"), 1),
    ("statefulset.revisionHistoryLimit", template_of("StatefulSet"), ("spec", "revisionHistoryLimit"), 10),
    ("statefulset.pvcRetention.whenDeleted", template_of("StatefulSet"),
     ("spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"), "Retain"),
    ("statefulset.pvcRetention.whenScaled", template_of("StatefulSet"),
     ("spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"), "Retain"),
    ("statefulset.volumeClaimTemplate.volumeMode",
     template_of("StatefulSet", spec={"volumeClaimTemplates": [{"metadata": {"name": "d"}, "spec": {
         "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}),
     ("spec", "volumeClaimTemplates", 0, "spec", "volumeMode"), "Filesystem"),
    ("statefulset.volumeClaimTemplate.phase",
     template_of("StatefulSet", spec={"volumeClaimTemplates": [{"metadata": {"name": "d"}, "spec": {
         "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}),
     ("spec", "volumeClaimTemplates", 0, "status", "phase"), "Pending"),
    # apps/v1 SetDefaults_DaemonSet
    ("daemonset.updateStrategy.type", template_of("DaemonSet"), ("spec", "updateStrategy", "type"), "RollingUpdate"),
    ("daemonset.maxUnavailable", template_of("DaemonSet"), ("spec", "updateStrategy", "rollingUpdate", "maxUnavailable"), 1),
    ("daemonset.maxSurge", template_of("DaemonSet"), ("spec", "updateStrategy", "rollingUpdate", "maxSurge"), 0),
    ("daemonset.revisionHistoryLimit", template_of("DaemonSet"), ("spec", "revisionHistoryLimit"), 10),
    # SetDefaults_LimitRangeItem
    ("limitrange.default-from-max", {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "l", "namespace": "default"},
                                     "spec": {"limits": [{"type": "Container", "max": {"cpu": "2"}}]}},
     ("spec", "limits", 0, "default", "cpu"), "2"),
    ("limitrange.defaultRequest-from-default",
     {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "l", "namespace": "default"},
      "spec": {"limits": [{"type": "Container", "default": {"memory": "1Gi"}}]}},
     ("spec", "limits", 0, "defaultRequest", "memory"), "1Gi"),
]


def _at(obj, path):
    for p in path:
        obj = obj[p]
    return obj


@pytest.mark.parametrize("obj,path,value", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_upstream_default_is_applied(obj, path, value):
    before = copy.deepcopy(obj)
    out = admit_create(copy.deepcopy(obj))
    assert _at(out, path) == value
    try:
        given = _at(before, path)
    except (KeyError, IndexError):
        return                     # the row's object did not carry the field: defaulted
    assert given != value          # (or carried it in a form the defaulting changes)


def test_a_given_value_is_kept():
    """Defaults never overwrite: a probe's own numbers and a volume source's own values stay."""
    out = admit_create(pod(container={"livenessProbe": dict(PROBE, periodSeconds=3, timeoutSeconds=2)}))
    probe = out["spec"]["containers"][0]["livenessProbe"]
    assert (probe["periodSeconds"], probe["timeoutSeconds"]) == (3, 2)
    out = admit_create(volume({"rbd": {"monitors": ["m"], "image": "i", "pool": "fast"}}))
    assert out["spec"]["volumes"][0]["rbd"]["pool"] == "fast"
