"""Server-side Tables and the printers behind them: each cell must match what a real v1.32
apiserver sends, so `kubectl get` against kubeplay prints what it prints against a cluster."""
from __future__ import annotations

import json

import pytest

from engine import errors
from engine import resources as kinds
from engine.objects import iso
from webapp.api import printers
from webapp.api import tables

NOW = 1_700_000_000.0


def ago(seconds: float) -> str:
    return iso(NOW - seconds)


# --- human_duration ------------------------------------------------------------------------------

@pytest.mark.parametrize("seconds, text", [
    (-5, "<invalid>"), (-2, "<invalid>"), (-1.5, "0s"), (-1, "0s"), (0, "0s"), (45, "45s"),
    (119, "119s"), (119.9, "119s"), (120, "2m"), (312, "5m12s"), (599, "9m59s"),
    (600, "10m"), (95 * 60, "95m"), (3 * 3600 - 1, "179m"), (3 * 3600, "3h"),
    (3 * 3600 + 300, "3h5m"), (8 * 3600 - 1, "7h59m"), (8 * 3600, "8h"), (30 * 3600, "30h"),
    (48 * 3600 - 1, "47h"), (48 * 3600, "2d"), (3 * 86400 + 4 * 3600, "3d4h"),
    (8 * 86400 - 1, "7d23h"), (8 * 86400, "8d"), (45 * 86400, "45d"),
    (2 * 365 * 86400 - 1, "729d"), (2 * 365 * 86400, "2y"), ((2 * 365 + 10) * 86400, "2y10d"),
    (8 * 365 * 86400 - 1, "7y364d"), (8 * 365 * 86400, "8y"), (9 * 365 * 86400 + 5 * 86400, "9y"),
])
def test_human_duration_matches_upstream_boundaries(seconds, text):
    assert printers.human_duration(seconds) == text


def test_timestamp_since_is_unknown_without_a_timestamp():
    assert printers.translate_timestamp_since(None, NOW) == "<unknown>"
    assert printers.translate_timestamp_since("", NOW) == "<unknown>"
    assert printers.translate_timestamp_since(ago(312), NOW) == "5m12s"


# --- pod STATUS --------------------------------------------------------------------------------

def cstatus(name="app", *, ready=False, restarts=0, running=False, waiting=None, terminated=None,
            last_finished=None, started=None):
    state = {}
    if running:
        state["running"] = {"startedAt": ago(600)}
    if waiting:
        state["waiting"] = {"reason": waiting}
    if terminated is not None:
        state["terminated"] = terminated
    cs = {"name": name, "ready": ready, "restartCount": restarts, "image": "nginx", "imageID": "",
          "state": state, "lastState": {}}
    if last_finished:
        cs["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": last_finished}}
    if started is not None:
        cs["started"] = started
    return cs


def pod(*statuses, phase="Running", init=(), init_specs=None, conditions=(), deleting=False,
        reason=None, containers=None):
    meta = {"name": "web-1", "namespace": "default", "uid": "u-1", "resourceVersion": "42",
            "creationTimestamp": ago(3600), "labels": {"app": "web"}}
    if deleting:
        meta["deletionTimestamp"] = ago(5)
    names = containers or [s["name"] for s in statuses] or ["app"]
    spec = {"containers": [{"name": n, "image": "nginx"} for n in names]}
    if init_specs is not None:
        spec["initContainers"] = init_specs
    elif init:
        spec["initContainers"] = [{"name": s["name"], "image": "busybox"} for s in init]
    status = {"phase": phase, "conditions": list(conditions)}
    if statuses:
        status["containerStatuses"] = list(statuses)
    if init:
        status["initContainerStatuses"] = list(init)
    if reason:
        status["reason"] = reason
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


def cond(ctype, status="True", reason=None):
    c = {"type": ctype, "status": status}
    if reason:
        c["reason"] = reason
    return c


POD_CASES = {
    "pending, unscheduled": (pod(phase="Pending", conditions=[cond("PodScheduled", "False", "Unschedulable")]),
                             "Pending", "0/1"),
    "scheduling gated": (pod(phase="Pending", conditions=[cond("PodScheduled", "False", "SchedulingGated")]),
                         "SchedulingGated", "0/1"),
    "container creating": (pod(cstatus(waiting="ContainerCreating"), phase="Pending"),
                           "ContainerCreating", "0/1"),
    "running": (pod(cstatus(ready=True, running=True), conditions=[cond("Ready")]), "Running", "1/1"),
    "running, not ready yet": (pod(cstatus(running=True)), "Running", "0/1"),
    "crash loop": (pod(cstatus(waiting="CrashLoopBackOff", restarts=4, last_finished=ago(30))),
                   "CrashLoopBackOff", "0/1"),
    "image pull backoff": (pod(cstatus(waiting="ImagePullBackOff"), phase="Pending"), "ImagePullBackOff", "0/1"),
    "err image pull": (pod(cstatus(waiting="ErrImagePull"), phase="Pending"), "ErrImagePull", "0/1"),
    "completed": (pod(cstatus(terminated={"exitCode": 0, "reason": "Completed"}), phase="Succeeded"),
                  "Completed", "0/1"),
    "error": (pod(cstatus(terminated={"exitCode": 1, "reason": "Error"}), phase="Failed"), "Error", "0/1"),
    "oom killed": (pod(cstatus(terminated={"exitCode": 137, "reason": "OOMKilled"}), phase="Failed"),
                   "OOMKilled", "0/1"),
    "exit code without reason": (pod(cstatus(terminated={"exitCode": 3}), phase="Failed"), "ExitCode:3", "0/1"),
    "signal without reason": (pod(cstatus(terminated={"exitCode": 0, "signal": 9}), phase="Failed"),
                              "Signal:9", "0/1"),
    "one completed, one running and ready": (
        pod(cstatus("a", terminated={"exitCode": 0, "reason": "Completed"}),
            cstatus("b", ready=True, running=True), conditions=[cond("Ready")]),
        "Running", "1/2"),
    "one completed, one running, pod not ready": (
        pod(cstatus("a", terminated={"exitCode": 0, "reason": "Completed"}),
            cstatus("b", ready=True, running=True), conditions=[cond("Ready", "False")]),
        "NotReady", "1/2"),
    "first container's state wins": (
        pod(cstatus("a", waiting="CrashLoopBackOff"), cstatus("b", waiting="ImagePullBackOff")),
        "CrashLoopBackOff", "0/2"),
    "terminating": (pod(cstatus(ready=True, running=True), deleting=True), "Terminating", "1/1"),
    "deleted after success is not terminating": (
        pod(cstatus(terminated={"exitCode": 0, "reason": "Completed"}), phase="Succeeded", deleting=True),
        "Completed", "0/1"),
    "unknown, node lost": (pod(cstatus(ready=True, running=True), deleting=True, reason="NodeLost"),
                           "Unknown", "1/1"),
    "evicted": (pod(cstatus(terminated={"exitCode": 137, "reason": "ContainerStatusUnknown"}),
                    phase="Failed", reason="Evicted"), "ContainerStatusUnknown", "0/1"),
    "evicted, no statuses": (pod(phase="Failed", reason="Evicted"), "Evicted", "0/1"),
    "init 0/1": (pod(cstatus(waiting="PodInitializing"), phase="Pending",
                     init=[cstatus("init", running=True)]), "Init:0/1", "0/1"),
    "init waiting PodInitializing is a count": (
        pod(cstatus(waiting="PodInitializing"), phase="Pending", init=[cstatus("init", waiting="PodInitializing")]),
        "Init:0/1", "0/1"),
    "init 1/2": (pod(cstatus(waiting="PodInitializing"), phase="Pending",
                     init=[cstatus("i1", terminated={"exitCode": 0, "reason": "Completed"}),
                           cstatus("i2", running=True)]), "Init:1/2", "0/1"),
    "init error": (pod(cstatus(waiting="PodInitializing"), phase="Pending",
                       init=[cstatus("init", terminated={"exitCode": 1, "reason": "Error"})]),
                   "Init:Error", "0/1"),
    "init crash loop": (pod(cstatus(waiting="PodInitializing"), phase="Pending",
                            init=[cstatus("init", waiting="CrashLoopBackOff", restarts=2)]),
                        "Init:CrashLoopBackOff", "0/1"),
    "init exit code": (pod(cstatus(waiting="PodInitializing"), phase="Pending",
                           init=[cstatus("init", terminated={"exitCode": 2})]), "Init:ExitCode:2", "0/1"),
    "init signal": (pod(cstatus(waiting="PodInitializing"), phase="Pending",
                        init=[cstatus("init", terminated={"exitCode": 1, "signal": 15})]), "Init:Signal:15", "0/1"),
    "init done, running": (pod(cstatus(ready=True, running=True), conditions=[cond("Initialized"), cond("Ready")],
                               init=[cstatus("init", terminated={"exitCode": 0, "reason": "Completed"})]),
                           "Running", "1/1"),
    "started sidecar counts as ready container": (
        pod(cstatus(ready=True, running=True), conditions=[cond("Initialized"), cond("Ready")],
            init=[cstatus("proxy", ready=True, running=True, started=True)],
            init_specs=[{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}]),
        "Running", "2/2"),
    "sidecar not started blocks init": (
        pod(cstatus(waiting="PodInitializing"), phase="Pending",
            init=[cstatus("proxy", waiting="ContainerCreating", started=False)],
            init_specs=[{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}]),
        "Init:ContainerCreating", "0/2"),
}


@pytest.mark.parametrize("case", list(POD_CASES))
def test_pod_status_and_ready(case):
    obj, status, ready = POD_CASES[case]
    assert printers.pod_status(obj) == status
    assert printers.pod_ready(obj) == ready


def test_pod_restarts_show_time_of_last_termination():
    crashing = pod(cstatus(waiting="CrashLoopBackOff", restarts=4, last_finished=ago(150)))
    assert printers.pod_restarts(crashing, NOW) == "4 (2m30s ago)"
    assert printers.pod_restarts(pod(cstatus(ready=True, running=True)), NOW) == "0"
    # restarts without a recorded last termination: just the count
    assert printers.pod_restarts(pod(cstatus(running=True, restarts=2)), NOW) == "2"


def test_pod_restarts_while_initializing_count_init_containers():
    obj = pod(cstatus(waiting="PodInitializing", restarts=7), phase="Pending",
              init=[cstatus("init", waiting="CrashLoopBackOff", restarts=3, last_finished=ago(20))])
    assert printers.pod_restarts(obj, NOW) == "3 (20s ago)"


def test_pod_row_wide_cells():
    obj = pod(cstatus(ready=True, running=True), conditions=[cond("Ready")])
    obj["spec"]["nodeName"] = "node-1"
    obj["status"]["podIP"] = "10.244.1.5"
    obj["status"]["podIPs"] = [{"ip": "10.244.1.5"}]
    assert tables.row_cells(kinds.POD, obj, now=NOW) == [
        "web-1", "1/1", "Running", "0", "60m", "10.244.1.5", "node-1", "<none>", "<none>"]
    unscheduled = pod(phase="Pending")
    assert tables.row_cells(kinds.POD, unscheduled, now=NOW)[5:] == ["<none>", "<none>", "<none>", "<none>"]


def test_pod_readiness_gates():
    obj = pod(cstatus(ready=True, running=True), conditions=[cond("Ready"), cond("example.com/lb", "False")])
    obj["spec"]["readinessGates"] = [{"conditionType": "example.com/lb"}, {"conditionType": "x/missing"}]
    assert printers.pod_readiness_gates(obj) == "0/2"


# --- nodes, services, selectors ----------------------------------------------------------------

def node(name="node-1", ready="True", unschedulable=False, labels=None):
    obj = {"apiVersion": "v1", "kind": "Node",
           "metadata": {"name": name, "uid": "n1", "resourceVersion": "7", "creationTimestamp": ago(86400 * 3),
                        "labels": labels or {}},
           "spec": {},
           "status": {"conditions": [cond("MemoryPressure", "False"), cond("Ready", ready)] if ready else [],
                      "addresses": [{"type": "InternalIP", "address": "172.18.0.2"},
                                    {"type": "Hostname", "address": name}],
                      "nodeInfo": {"kubeletVersion": "v1.32.0", "osImage": "Debian GNU/Linux 12 (bookworm)",
                                   "kernelVersion": "6.1.0", "containerRuntimeVersion": "containerd://1.7.13"}}}
    if unschedulable:
        obj["spec"]["unschedulable"] = True
    return obj


def test_node_status():
    assert printers.node_status(node()) == "Ready"
    assert printers.node_status(node(ready="False")) == "NotReady"
    assert printers.node_status(node(ready="Unknown")) == "NotReady"
    assert printers.node_status(node(ready=None)) == "Unknown"
    assert printers.node_status(node(unschedulable=True)) == "Ready,SchedulingDisabled"
    assert printers.node_status(node(ready="Unknown", unschedulable=True)) == "NotReady,SchedulingDisabled"


def test_node_roles():
    assert printers.node_roles(node()) == "<none>"
    labels = {"node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/": "",
              "kubernetes.io/role": "worker", "node-role.kubernetes.io/etcd": ""}
    assert printers.node_roles(node(labels=labels)) == "control-plane,etcd,worker"


def test_node_cells():
    assert tables.row_cells(kinds.NODE, node(labels={"node-role.kubernetes.io/control-plane": ""}), now=NOW) == [
        "node-1", "Ready", "control-plane", "3d", "v1.32.0", "172.18.0.2", "<none>",
        "Debian GNU/Linux 12 (bookworm)", "6.1.0", "containerd://1.7.13"]
    bare = {"metadata": {"name": "n"}, "status": {}}
    assert tables.row_cells(kinds.NODE, bare, now=NOW) == [
        "n", "Unknown", "<none>", "<unknown>", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"]


def svc(stype="ClusterIP", ports=({"port": 80, "protocol": "TCP", "targetPort": 8080},), **spec):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "namespace": "default", "creationTimestamp": ago(300)},
            "spec": {"type": stype, "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
                     "ports": list(ports), "selector": {"app": "web", "tier": "fe"}, **spec},
            "status": {"loadBalancer": {}}}


def test_service_cells():
    assert tables.row_cells(kinds.SERVICE, svc(), now=NOW) == [
        "web", "ClusterIP", "10.96.0.10", "<none>", "80/TCP", "5m", "app=web,tier=fe"]
    np = svc("NodePort", ports=[{"port": 80, "protocol": "TCP", "nodePort": 30080},
                                {"port": 53, "protocol": "UDP", "nodePort": 30053}])
    assert printers.service_ports(np) == "80:30080/TCP,53:30053/UDP"
    assert printers.service_ports(svc(ports=())) == "<none>"
    headless = svc(clusterIP="None", clusterIPs=["None"], selector={})
    cells = tables.row_cells(kinds.SERVICE, headless, now=NOW)
    assert cells[2] == "None" and cells[6] == "<none>"


def test_service_external_ip_rules():
    assert printers.service_external_ip(svc(externalIPs=["1.2.3.4", "5.6.7.8"])) == "1.2.3.4,5.6.7.8"
    assert printers.service_external_ip(svc("NodePort")) == "<none>"
    lb = svc("LoadBalancer")
    assert printers.service_external_ip(lb) == "<pending>"
    lb["status"]["loadBalancer"]["ingress"] = [{"ip": "203.0.113.9"}, {"hostname": "a-very-long-name.example.com"}]
    assert printers.service_external_ip(lb) == "203.0.113.9,a-very-long-name.example.com"       # server: wide
    assert printers.service_external_ip(lb, wide=False) == "203.0.113.9,a..."
    lb["spec"]["externalIPs"] = ["1.1.1.1"]
    assert printers.service_external_ip(lb) == "203.0.113.9,a-very-long-name.example.com,1.1.1.1"
    ext = {"spec": {"type": "ExternalName", "externalName": "db.example.com"}}
    assert printers.service_external_ip(ext) == "db.example.com"
    assert tables.row_cells(kinds.SERVICE, ext, now=NOW)[2] == "<none>"


@pytest.mark.parametrize("selector, text", [
    (None, "<none>"),
    ({}, "<none>"),
    ({"matchLabels": {"app": "web"}}, "app=web"),
    ({"matchLabels": {"tier": "fe", "app": "web"}}, "app=web,tier=fe"),
    ({"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]}]}, "env in (dev,prod)"),
    ({"matchLabels": {"app": "web"},
      "matchExpressions": [{"key": "canary", "operator": "DoesNotExist"},
                           {"key": "zone", "operator": "NotIn", "values": ["b"]},
                           {"key": "gpu", "operator": "Exists"}]},
     "app=web,!canary,gpu,zone notin (b)"),
    ({"matchExpressions": [{"key": "env", "operator": "Near", "values": ["x"]}]}, "<error>"),
    ({"matchExpressions": [{"key": "env", "operator": "In", "values": []}]}, "<error>"),
    ({"matchLabels": {"app": "not valid!"}}, "<error>"),
])
def test_format_label_selector(selector, text):
    assert printers.format_label_selector(selector) == text


def test_format_labels():
    assert printers.format_labels({}) == "<none>"
    assert printers.format_labels({"b": "2", "a": "1"}) == "a=1,b=2"


# --- every kind: columns in order, wide priority, realistic cells ------------------------------

def names(rt):
    return [c["name"] for c in tables.column_definitions(rt)]


def wide(rt):
    return [c["name"] for c in tables.column_definitions(rt) if c["priority"] == 1]


EXPECTED_COLUMNS = {
    kinds.POD: (["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"],
            ["IP", "Node", "Nominated Node", "Readiness Gates"]),
    kinds.NODE: (["Name", "Status", "Roles", "Age", "Version", "Internal-IP", "External-IP", "OS-Image",
              "Kernel-Version", "Container-Runtime"],
             ["Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"]),
    kinds.NAMESPACE: (["Name", "Status", "Age"], []),
    kinds.SERVICE: (["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"], ["Selector"]),
    kinds.ENDPOINTS: (["Name", "Endpoints", "Age"], []),
    kinds.CONFIGMAP: (["Name", "Data", "Age"], []),
    kinds.SECRET: (["Name", "Type", "Data", "Age"], []),
    kinds.SERVICEACCOUNT: (["Name", "Secrets", "Age"], []),
    kinds.EVENT: (["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen",
               "Count", "Name"],
              ["Subobject", "Source", "First Seen", "Count", "Name"]),
    kinds.DEPLOYMENT: (["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"],
                   ["Containers", "Images", "Selector"]),
    kinds.REPLICASET: (["Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"],
                   ["Containers", "Images", "Selector"]),
    kinds.STATEFULSET: (["Name", "Ready", "Age", "Containers", "Images"], ["Containers", "Images"]),
    kinds.DAEMONSET: (["Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age",
                   "Containers", "Images", "Selector"],
                  ["Containers", "Images", "Selector"]),
    kinds.CONTROLLERREVISION: (["Name", "Controller", "Revision", "Age"], []),
    kinds.ENDPOINTSLICE: (["Name", "AddressType", "Ports", "Endpoints", "Age"], []),
    kinds.LEASE: (["Name", "Holder", "Age"], []),
    kinds.PODDISRUPTIONBUDGET: (["Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"], []),
    kinds.RESOURCEQUOTA: (["Name", "Age", "Request", "Limit"], []),
    kinds.LIMITRANGE: (["Name", "Created At"], []),
    kinds.JOB: (["Name", "Status", "Completions", "Duration", "Age", "Containers", "Images", "Selector"],
                ["Containers", "Images", "Selector"]),
    kinds.CRONJOB: (["Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age", "Containers",
                     "Images", "Selector"],
                    ["Containers", "Images", "Selector"]),
    kinds.PERSISTENTVOLUME: (["Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim", "StorageClass",
                              "VolumeAttributesClass", "Reason", "Age", "VolumeMode"], ["VolumeMode"]),
    kinds.PERSISTENTVOLUMECLAIM: (["Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass",
                                   "VolumeAttributesClass", "Age", "VolumeMode"], ["VolumeMode"]),
    kinds.STORAGECLASS: (["Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion",
                          "Age"], []),
    kinds.HPA: (["Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"], []),
    kinds.PRIORITYCLASS: (["Name", "Value", "Global-Default", "Age", "PreemptionPolicy"], []),
    kinds.NETWORKPOLICY: (["Name", "Pod-Selector", "Age"], []),
    kinds.BY_NAME[("rbac.authorization.k8s.io", "roles")]: (["Name", "Created At"], []),
    kinds.BY_NAME[("rbac.authorization.k8s.io", "clusterroles")]: (["Name", "Created At"], []),
    kinds.BY_NAME[("rbac.authorization.k8s.io", "rolebindings")]: (
        ["Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"], ["Users", "Groups", "ServiceAccounts"]),
    kinds.BY_NAME[("rbac.authorization.k8s.io", "clusterrolebindings")]: (
        ["Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"], ["Users", "Groups", "ServiceAccounts"]),
    kinds.CRD: (["Name", "Created At"], []),           # rest.defaultTableConvertor, as upstream's
    kinds.INGRESS: (["Name", "Class", "Hosts", "Address", "Ports", "Age"], []),
    kinds.INGRESSCLASS: (["Name", "Controller", "Parameters", "Age"], []),
}


def test_every_served_kind_has_a_printer():
    assert set(EXPECTED_COLUMNS) == set(kinds.all_types())


@pytest.mark.parametrize("rt", list(EXPECTED_COLUMNS), ids=lambda rt: rt.name)
def test_columns_in_order_and_wide_ones_have_priority_1(rt):
    all_cols, wide_cols = EXPECTED_COLUMNS[rt]
    assert names(rt) == all_cols
    assert wide(rt) == wide_cols
    for c in tables.column_definitions(rt):
        assert set(c) == {"name", "type", "format", "description", "priority"}
        assert c["priority"] in (0, 1) and c["description"]
        assert c["format"] == ("name" if c["name"] == "Name" else "")


@pytest.mark.parametrize("rt", list(EXPECTED_COLUMNS), ids=lambda rt: rt.name)
def test_an_empty_object_still_gives_one_cell_per_column(rt):
    cells = tables.row_cells(rt, {"metadata": {"name": "x"}}, now=NOW)
    assert len(cells) == len(tables.column_definitions(rt))


def test_column_types_and_descriptions_follow_upstream():
    types = {c["name"]: c["type"] for c in tables.column_definitions(kinds.REPLICASET)}
    assert types["Desired"] == types["Current"] == types["Ready"] == "integer"
    pod_cols = {c["name"]: c for c in tables.column_definitions(kinds.POD)}
    assert pod_cols["Restarts"]["type"] == "string"
    assert pod_cols["Ready"]["description"] == "The aggregate readiness state of this pod for accepting traffic."
    assert pod_cols["Name"]["description"].startswith("Name must be unique within a namespace.")
    assert pod_cols["Age"]["description"].startswith("CreationTimestamp is a timestamp representing")
    assert pod_cols["IP"]["description"] == ("podIP address allocated to the pod. Routable at least within "
                                             "the cluster. Empty if not yet allocated.")
    ds = {c["name"]: c["description"] for c in tables.column_definitions(kinds.DAEMONSET)}
    assert ds["Desired"] == ("The total number of nodes that should be running the daemon pod (including "
                             "nodes correctly running the daemon pod). More info: "
                             "https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/")


def template(*containers):
    return {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": n, "image": i} for n, i in containers]}}


def test_deployment_cells():
    d = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "web", "namespace": "default", "creationTimestamp": ago(125)},
         "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                  "template": template(("nginx", "nginx:1.25"), ("log", "busybox"))},
         "status": {"replicas": 3, "updatedReplicas": 3, "readyReplicas": 2, "availableReplicas": 2}}
    assert tables.row_cells(kinds.DEPLOYMENT, d, now=NOW) == [
        "web", "2/3", 3, 2, "2m5s", "nginx,log", "nginx:1.25,busybox", "app=web"]
    d["spec"]["selector"] = {}
    assert tables.row_cells(kinds.DEPLOYMENT, d, now=NOW)[-1] == ""          # selector.String(), no <none>
    d["spec"]["selector"] = {"matchExpressions": [{"key": "a", "operator": "Bogus"}]}
    assert tables.row_cells(kinds.DEPLOYMENT, d, now=NOW)[-1] == "<invalid>"
    d["status"] = {}
    assert tables.row_cells(kinds.DEPLOYMENT, d, now=NOW)[1:4] == ["0/3", 0, 0]


def test_replicaset_cells():
    rs = {"metadata": {"name": "web-5d9f8c7b6", "creationTimestamp": ago(600)},
          "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web", "pod-template-hash": "5d9f8c7b6"}},
                   "template": template(("nginx", "nginx:1.25"))},
          "status": {"replicas": 3, "readyReplicas": 1}}
    assert tables.row_cells(kinds.REPLICASET, rs, now=NOW) == [
        "web-5d9f8c7b6", 3, 3, 1, "10m", "nginx", "nginx:1.25", "app=web,pod-template-hash=5d9f8c7b6"]


def test_statefulset_cells():
    sts = {"metadata": {"name": "db", "creationTimestamp": ago(7200)},
           "spec": {"replicas": 3, "template": template(("pg", "postgres:16"))},
           "status": {"readyReplicas": 2}}
    assert tables.row_cells(kinds.STATEFULSET, sts, now=NOW) == ["db", "2/3", "120m", "pg", "postgres:16"]


def test_daemonset_cells():
    ds = {"metadata": {"name": "fluentd", "creationTimestamp": ago(86400 * 45)},
          "spec": {"selector": {"matchLabels": {"name": "fluentd"}},
                   "template": {"spec": {"nodeSelector": {"kubernetes.io/os": "linux"},
                                         "containers": [{"name": "fluentd", "image": "fluentd:v1"}]}}},
          "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2,
                     "updatedNumberScheduled": 3, "numberAvailable": 2}}
    assert tables.row_cells(kinds.DAEMONSET, ds, now=NOW) == [
        "fluentd", 3, 3, 2, 3, 2, "kubernetes.io/os=linux", "45d", "fluentd", "fluentd:v1", "name=fluentd"]
    ds["spec"]["template"]["spec"].pop("nodeSelector")
    assert tables.row_cells(kinds.DAEMONSET, ds, now=NOW)[6] == "<none>"


def test_namespace_configmap_lease_cells():
    ns = {"metadata": {"name": "default", "creationTimestamp": ago(86400 * 800)}, "status": {"phase": "Active"}}
    assert tables.row_cells(kinds.NAMESPACE, ns, now=NOW) == ["default", "Active", "2y70d"]
    cm = {"metadata": {"name": "cfg", "creationTimestamp": ago(10)}, "data": {"a": "1", "b": "2"},
          "binaryData": {"c": "AA=="}}
    assert tables.row_cells(kinds.CONFIGMAP, cm, now=NOW) == ["cfg", 3, "10s"]
    lease = {"metadata": {"name": "node-1", "creationTimestamp": ago(90)},
             "spec": {"holderIdentity": "node-1", "leaseDurationSeconds": 40}}
    assert tables.row_cells(kinds.LEASE, lease, now=NOW) == ["node-1", "node-1", "90s"]
    lease["spec"].pop("holderIdentity")
    assert tables.row_cells(kinds.LEASE, lease, now=NOW)[1] == ""


def test_hpa_cells_as_upstream_prints_them():
    cpu = {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}
    mem = {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "100Mi"}}}
    hpa = {"metadata": {"name": "web", "creationTimestamp": ago(90)},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                    "minReplicas": 1, "maxReplicas": 10, "metrics": [cpu]},
           "status": {"currentMetrics": None, "desiredReplicas": 0}}
    assert tables.row_cells(kinds.HPA, hpa, now=NOW) == ["web", "Deployment/web", "cpu: <unknown>/50%", "1", 10, 0, "90s"]
    hpa["spec"]["metrics"] = [cpu, mem, cpu]
    hpa["status"] = {"currentReplicas": 4, "desiredReplicas": 4, "currentMetrics": [
        {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 250, "averageValue": "500m"}}},
        {"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "9Mi"}}}]}
    assert tables.row_cells(kinds.HPA, hpa, now=NOW)[2:6] == [
        "cpu: 250%/50%, memory: 9Mi/100Mi + 1 more...", "1", 10, 4]
    hpa["spec"] = {"maxReplicas": 3}
    assert tables.row_cells(kinds.HPA, hpa, now=NOW)[1:5] == ["/", "<none>", "<unset>", 3]


def test_controllerrevision_cells():
    cr = {"metadata": {"name": "db-7c9d8f6b5", "creationTimestamp": ago(60),
                       "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db",
                                            "uid": "x", "controller": True}]},
          "revision": 2}
    assert tables.row_cells(kinds.CONTROLLERREVISION, cr, now=NOW) == ["db-7c9d8f6b5", "statefulset.apps/db", 2, "60s"]
    cr["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "Pod", "name": "p", "controller": True}]
    assert tables.row_cells(kinds.CONTROLLERREVISION, cr, now=NOW)[1] == "pod/p"
    cr["metadata"].pop("ownerReferences")
    assert tables.row_cells(kinds.CONTROLLERREVISION, cr, now=NOW)[1] == "<none>"


def test_endpoints_cells():
    ep = {"metadata": {"name": "web", "creationTimestamp": ago(30)},
          "subsets": [{"addresses": [{"ip": "10.244.1.5"}, {"ip": "10.244.2.7"}],
                       "notReadyAddresses": [{"ip": "10.244.3.9"}],
                       "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}]}
    assert tables.row_cells(kinds.ENDPOINTS, ep, now=NOW) == ["web", "10.244.1.5:8080,10.244.2.7:8080", "30s"]
    ep["subsets"][0]["addresses"] += [{"ip": "10.244.4.1"}, {"ip": "fd00::1"}]
    assert printers.format_endpoints(ep) == "10.244.1.5:8080,10.244.2.7:8080,10.244.4.1:8080 + 1 more..."
    assert printers.format_endpoints({"subsets": [{"addresses": [{"ip": "fd00::1"}], "ports": [{"port": 80}]}]}) \
        == "[fd00::1]:80"
    assert printers.format_endpoints({"metadata": {"name": "x"}}) == "<none>"
    assert printers.format_endpoints({"subsets": [{"addresses": [{"ip": "10.0.0.1"}]}]}) == "10.0.0.1"


def test_endpointslice_cells():
    eps = {"metadata": {"name": "web-abcde", "creationTimestamp": ago(30)}, "addressType": "IPv4",
           "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
           "endpoints": [{"addresses": ["10.244.1.5"], "conditions": {"ready": True}},
                         {"addresses": ["10.244.2.7"], "conditions": {"ready": False}}]}
    assert tables.row_cells(kinds.ENDPOINTSLICE, eps, now=NOW) == [
        "web-abcde", "IPv4", "8080", "10.244.1.5,10.244.2.7", "30s"]
    assert printers.format_discovery_ports([]) == "<unset>"
    assert printers.format_discovery_ports([{"name": "dns"}, {}, {"port": 1}, {"port": 2}, {"port": 3}]) \
        == "dns,*,1 + 2 more..."
    assert printers.format_discovery_endpoints(None) == "<unset>"


def event(**fields):
    ev = {"apiVersion": "v1", "kind": "Event",
          "metadata": {"name": "web-1.17a2b3c4d5e6f7a8", "namespace": "default", "creationTimestamp": ago(300)},
          "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web-1",
                             "fieldPath": "spec.containers{nginx}"},
          "reason": "Pulled", "type": "Normal",
          "message": 'Container image "nginx" already present on machine and can be accessed by the pod\n',
          "source": {"component": "kubelet", "host": "node-1"},
          "firstTimestamp": ago(300), "lastTimestamp": ago(60), "count": 4}
    ev.update(fields)
    return ev


def test_event_cells():
    assert tables.row_cells(kinds.EVENT, event(), now=NOW) == [
        "60s", "Normal", "Pulled", "pod/web-1", "spec.containers{nginx}", "kubelet, node-1",
        'Container image "nginx" already present on machine and can be accessed by the pod',
        "5m", 4, "web-1.17a2b3c4d5e6f7a8"]


def test_event_last_seen_rules():
    # no lastTimestamp: last seen = first seen
    assert printers.event_times(event(lastTimestamp=None), NOW) == ("5m", "5m", 4)
    # events.k8s.io-style: only eventTime (MicroTime; 59.5s ago truncates to 59s), count 0 -> 1
    new_style = event(firstTimestamp=None, lastTimestamp=None, count=0, eventTime="2023-11-14T22:12:20.500000Z")
    assert printers.event_times(new_style, NOW) == ("59s", "59s", 1)
    # a series overrides last seen and count
    series = event(series={"count": 9, "lastObservedTime": iso(NOW - 5).replace("Z", ".000000Z")})
    assert printers.event_times(series, NOW) == ("5s", "5m", 9)
    # nothing at all
    assert printers.event_times({}, NOW) == ("<unknown>", "<unknown>", 1)


def test_event_object_and_source():
    assert printers.event_object(event(involvedObject={"kind": "Node", "name": ""})) == "node"
    assert printers.event_object(event(involvedObject={"kind": "ReplicaSet", "name": "web-5d9"})) == "replicaset/web-5d9"
    assert printers.event_source(event(source={"component": "default-scheduler"})) == "default-scheduler"
    assert printers.event_source(event(source={}, reportingComponent="kubelet", reportingInstance="node-2")) \
        == "kubelet, node-2"


# --- Table documents ---------------------------------------------------------------------------

def test_table_shape_with_partial_object_metadata_rows():
    p = pod(cstatus(ready=True, running=True), conditions=[cond("Ready")])
    t = tables.table(kinds.POD, [p], now=NOW, resource_version="123")
    assert t["kind"] == "Table" and t["apiVersion"] == "meta.k8s.io/v1"
    assert t["metadata"] == {"resourceVersion": "123"}
    assert len(t["columnDefinitions"]) == 9
    (row,) = t["rows"]
    assert row["cells"] == ["web-1", "1/1", "Running", "0", "60m", "<none>", "<none>", "<none>", "<none>"]
    assert row["object"] == {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": p["metadata"]}
    assert "conditions" not in row
    json.dumps(t)                                              # plain JSON all the way down


def test_table_include_object_modes():
    p = pod(cstatus(ready=True, running=True))
    full = tables.table(kinds.POD, [p], now=NOW, resource_version="1", include_object="Object")
    assert full["rows"][0]["object"] == p
    bare = dict(p)
    bare.pop("apiVersion"), bare.pop("kind")
    filled = tables.table(kinds.POD, [bare], now=NOW, resource_version="1", include_object="Object")
    assert filled["rows"][0]["object"]["apiVersion"] == "v1" and filled["rows"][0]["object"]["kind"] == "Pod"
    assert "apiVersion" not in bare                             # the input is never mutated
    none = tables.table(kinds.POD, [p], now=NOW, resource_version="1", include_object="None")
    assert none["rows"][0]["object"] is None
    default = tables.table(kinds.POD, [p], now=NOW, resource_version="1", include_object="")
    assert default["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    with pytest.raises(errors.BadRequest, match='unrecognized includeObject value: "Everything"'):
        tables.table(kinds.POD, [p], now=NOW, resource_version="1", include_object="Everything")


def test_table_list_metadata_and_empty_list():
    t = tables.table(kinds.DEPLOYMENT, [], now=NOW, resource_version="77", continue_token="abc",
                     remaining_item_count=5)
    assert t["metadata"] == {"resourceVersion": "77", "continue": "abc", "remainingItemCount": 5}
    assert t["rows"] == []


def test_completed_pods_carry_a_completed_row_condition():
    done = pod(cstatus(terminated={"exitCode": 0, "reason": "Completed"}), phase="Succeeded")
    failed = pod(cstatus(terminated={"exitCode": 1, "reason": "Error"}), phase="Failed")
    t = tables.table(kinds.POD, [done, failed], now=NOW, resource_version="1")
    assert t["rows"][0]["conditions"] == [{"type": "Completed", "status": "True", "reason": "Succeeded",
                                           "message": "The pod has completed successfully."}]
    assert t["rows"][1]["conditions"][0]["reason"] == "Failed"
    assert list(t["rows"][0]) == ["cells", "conditions", "object"]


def test_watch_event_tables_send_headers_only_first():
    p = pod(cstatus(ready=True, running=True))
    first = tables.table_event_object(kinds.POD, p, now=NOW, first=True)
    later = tables.table_event_object(kinds.POD, p, now=NOW, first=False)
    assert first["columnDefinitions"] == tables.column_definitions(kinds.POD)
    assert later["columnDefinitions"] is None                  # upstream: NoHeaders -> null
    for t in (first, later):
        assert t["metadata"] == {"resourceVersion": "42"}      # the object's resourceVersion
        assert len(t["rows"]) == 1 and t["rows"][0]["cells"][0] == "web-1"
        assert t["rows"][0]["object"]["kind"] == "PartialObjectMetadata"


def test_kinds_without_a_printer_get_name_and_created_at():
    from engine.resources import ResourceType
    widgets = ResourceType("widgets", "widget", "Widget", "example.com", "v1", True)
    t = tables.table(widgets, [{"metadata": {"name": "w", "creationTimestamp": "2024-01-02T03:04:05Z"}}],
                     now=NOW, resource_version="3")
    assert [c["name"] for c in t["columnDefinitions"]] == ["Name", "Created At"]
    assert t["columnDefinitions"][1]["type"] == "date"
    assert t["rows"][0]["cells"] == ["w", "2024-01-02T03:04:05Z"]
