"""engine/portable.py: which of a cluster's objects an export keeps, and which of their fields."""
from __future__ import annotations

import yaml

from engine import portable, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store

MANAGER = "kubectl-client-side-apply"

WORKLOADS = """
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: a}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: "nginx:1.27"}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: NodePort, selector: {app: web}, ports: [{name: http, port: 80}, {name: admin, port: 81, nodePort: 30081}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: "postgres:16", volumeMounts: [{name: data, mountPath: /data}]}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: shop}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: "busybox:1.36", command: [sh, -c, "echo hi"]}]
"""


MORE_KINDS = """
apiVersion: batch/v1
kind: CronJob
metadata: {name: tick, namespace: default}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox:1.36, command: [date]}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: c, image: nginx:1.27}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: agent, namespace: default}
spec: {minAvailable: 1, selector: {matchLabels: {app: agent}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: solo, namespace: default}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: robot, namespace: default}
"""


def _cluster_with_workloads(text: str = WORKLOADS, run_for: float = 30) -> tuple[Cluster, list[dict]]:
    cluster = Cluster(store=Store(), clock=ManualClock(), nodes=2, control_plane=True)
    for doc in yaml.safe_load_all(text):
        cluster.store.create(doc, manager=MANAGER)
        cluster.advance(1)
    cluster.advance(run_for)
    return cluster, [o for rt in kinds.all_types() for o in cluster.store.iter(rt)]


def _walk_keys(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield path + (k,), v
            yield from _walk_keys(v, path + (k,))
    elif isinstance(value, list):
        for v in value:
            yield from _walk_keys(v, path)


def test_only_what_the_user_made_is_exported_in_apply_order():
    cluster, objs = _cluster_with_workloads()
    kinds_in_store = {o["kind"] for o in objs}
    assert {"ReplicaSet", "Pod", "Endpoints", "EndpointSlice", "PersistentVolumeClaim", "PersistentVolume",
            "ControllerRevision", "Event", "Lease"} <= kinds_in_store          # the cluster made these
    out = portable.select(objs)
    assert [(m["kind"], m["metadata"]["name"]) for m in out] == [
        ("Namespace", "shop"), ("Service", "db"), ("Service", "web"), ("Deployment", "web"),
        ("StatefulSet", "db"), ("Job", "once")]


def test_no_server_set_field_survives():
    cluster, objs = _cluster_with_workloads()
    out = portable.select(objs)
    for m in out:
        for path, _ in _walk_keys(m):
            assert path[-1] not in ("status", "uid", "resourceVersion", "generation", "creationTimestamp",
                                    "managedFields", "selfLink", "ownerReferences", "clusterIPs",
                                    "ipFamilies", "ipFamilyPolicy", "volumeName", "nodeName"), (m["kind"], path)
        for key in (m["metadata"].get("annotations") or {}):
            assert key not in portable.SERVER_ANNOTATIONS
    ns = out[0]
    assert ns == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"team": "a"}}}


def test_a_services_allocations_go_and_what_the_user_set_stays():
    cluster, objs = _cluster_with_workloads()
    by = {(m["kind"], m["metadata"]["name"]): m for m in portable.select(objs)}
    web = by[("Service", "web")]["spec"]
    assert "clusterIP" not in web
    assert {p["name"]: p.get("nodePort") for p in web["ports"]} == {"http": None, "admin": 30081}
    assert by[("Service", "db")]["spec"]["clusterIP"] == "None"     # headless: the user's choice
    job = by[("Job", "once")]["spec"]
    assert "selector" not in job and "metadata" not in job["template"]   # the controller-uid labels went
    claim = by[("StatefulSet", "db")]["spec"]["volumeClaimTemplates"][0]
    assert "status" not in claim


def test_without_managed_fields_the_rules_still_clean():
    svc = {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": "s", "namespace": "a", "uid": "1", "resourceVersion": "5",
                        "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "keep": "me"}},
           "spec": {"clusterIP": "10.96.0.9", "clusterIPs": ["10.96.0.9"], "ipFamilies": ["IPv4"],
                    "ipFamilyPolicy": "SingleStack", "type": "NodePort",
                    "ports": [{"port": 80, "nodePort": 30080}], "selector": {"app": "a"}},
           "status": {"loadBalancer": {}}}
    assert portable.clean(svc) == {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "s", "namespace": "a", "annotations": {"keep": "me"}},
        "spec": {"type": "NodePort", "ports": [{"port": 80}], "selector": {"app": "a"}}}


def test_dependants_stay_when_their_owner_is_not_in_the_set():
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "p", "namespace": "a", "uid": "u2",
                        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u1"}]},
           "spec": {"containers": [{"name": "c", "image": "nginx"}], "nodeName": "node-1"}}
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs", "namespace": "a", "uid": "u1"},
          "spec": {}}
    assert [m["kind"] for m in portable.select([pod, rs])] == ["ReplicaSet"]
    alone = portable.select([pod])
    assert alone == [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "a"},
                      "spec": {"containers": [{"name": "c", "image": "nginx"}]}}]


def test_built_ins_and_system_namespaces_are_left_out():
    cluster, objs = _cluster_with_workloads()
    names = {(m["kind"], m["metadata"].get("namespace"), m["metadata"]["name"]) for m in portable.select(objs)}
    assert not any(ns and ns.startswith("kube-") for _, ns, _ in names)
    assert not {("PriorityClass", None, "system-node-critical"), ("StorageClass", None, "standard"),
                ("Namespace", None, "default"), ("Service", "default", "kubernetes"),
                ("ConfigMap", "shop", "kube-root-ca.crt"), ("ServiceAccount", "shop", "default")} & names
    only_shop = portable.select(objs, namespaces=["default"])
    assert only_shop == []


def test_a_node_copy_keeps_capacity_labels_and_taints():
    node = {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": "n1", "labels": {"disk": "ssd"}, "uid": "x"},
            "spec": {"taints": [{"key": "k", "value": "v", "effect": "NoSchedule", "timeAdded": "2026-01-01T00:00:00Z"}]},
            "status": {"capacity": {"cpu": "8", "memory": "32Gi", "pods": "250", "ephemeral-storage": "1Ti"}}}
    assert portable.node_copy(node) == {"name": "n1", "cpu": "8", "memory": "32Gi", "pods": 250,
                                        "labels": {"disk": "ssd"},
                                        "taints": [{"key": "k", "value": "v", "effect": "NoSchedule"}]}


def test_cronjobs_daemonsets_budgets_autoscalers_and_claims_export_without_their_dependants():
    cluster, objs = _cluster_with_workloads(MORE_KINDS, run_for=150)
    assert any(o["kind"] == "Job" for o in objs)                  # the CronJob has run
    out = portable.select(objs)
    assert [(m["kind"], m["metadata"]["name"]) for m in out] == [
        ("ServiceAccount", "robot"), ("PersistentVolumeClaim", "solo"), ("DaemonSet", "agent"), ("CronJob", "tick"),
        ("PodDisruptionBudget", "agent"), ("HorizontalPodAutoscaler", "web")]
    claim = out[1]["spec"]
    assert claim == {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                     "volumeMode": "Filesystem"}                   # no class admission filled in, no volume
    assert out[5]["spec"] == yaml.safe_load(MORE_KINDS.split("---")[3])["spec"]
