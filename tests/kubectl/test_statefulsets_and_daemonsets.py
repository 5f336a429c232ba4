"""Issue 4, StatefulSets and DaemonSets through the real kubectl: ordinal pods created in order
and deleted in reverse, Parallel management, a partitioned rolling update from the highest
ordinal; one DaemonSet pod per eligible node, following node deletion, labels and cordons
(k8s-semantics.md §3.3, §3.4)."""
from __future__ import annotations

import datetime as dt
import json
import re
import urllib.request
from pathlib import Path

from watchlines import WatchLines


def ts(value: str) -> float:
    """An RFC 3339 timestamp as the apiserver writes it (seconds, or micro-seconds) → epoch seconds."""
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def pod(kube, name: str) -> dict:
    return kube.pod(name)


def ready_since(p: dict) -> float:
    c = next(c for c in p["status"]["conditions"] if c["type"] == "Ready")
    assert c["status"] == "True", p["status"]
    return ts(c["lastTransitionTime"])


def event_messages(kube, kind: str, name: str) -> list[tuple[str, str]]:
    header, rows = kube.table("get", "events", "--field-selector", f"involvedObject.kind={kind},involvedObject.name={name}")
    return [(r["REASON"], r["MESSAGE"]) for r in rows]


def sts_pods(kube, selector="app=nginx") -> list[str]:
    return sorted(p["metadata"]["name"] for p in kube.pods(selector))


# ---- StatefulSet ---------------------------------------------------------------------------------

def apply_sts(kube) -> list[str]:
    out = kube("apply", "-f", kube.file("issue4-statefulset.yaml"))
    assert out.stdout == "service/nginx created\nstatefulset.apps/web created\n", out.stdout + out.stderr
    return kube.wait_running("app=nginx", 3, timeout=40)


def test_a_statefulset_creates_web_0_1_2_in_order_each_after_the_previous_is_ready(kube_shared):
    kube = kube_shared
    assert apply_sts(kube) == ["web-0", "web-1", "web-2"]
    pods = {n: pod(kube, n) for n in ("web-0", "web-1", "web-2")}
    # OrderedReady: web-N is created only once web-(N-1) is Running and Ready.
    assert ts(pods["web-1"]["metadata"]["creationTimestamp"]) >= ready_since(pods["web-0"])
    assert ts(pods["web-2"]["metadata"]["creationTimestamp"]) >= ready_since(pods["web-1"])
    assert ts(pods["web-0"]["metadata"]["creationTimestamp"]) < ts(pods["web-1"]["metadata"]["creationTimestamp"]) \
        < ts(pods["web-2"]["metadata"]["creationTimestamp"])
    assert event_messages(kube, "StatefulSet", "web") == [
        ("SuccessfulCreate", f"create Pod web-{i} in StatefulSet web successful") for i in range(3)]
    for i, p in enumerate(pods.values()):
        labels = p["metadata"]["labels"]
        assert labels["statefulset.kubernetes.io/pod-name"] == f"web-{i}"
        assert labels["apps.kubernetes.io/pod-index"] == str(i)
        assert labels["controller-revision-hash"].startswith("web-")
        assert (p["spec"]["hostname"], p["spec"]["subdomain"]) == (f"web-{i}", "nginx")
        ref = p["metadata"]["ownerReferences"][0]
        assert (ref["kind"], ref["name"], ref["controller"]) == ("StatefulSet", "web", True)
    header, rows = kube.table("get", "sts")
    assert header == ["NAME", "READY", "AGE"]
    assert [(r["NAME"], r["READY"]) for r in rows] == [("web", "3/3")]
    _, rows = kube.table("get", "svc", "nginx")
    assert (rows[0]["TYPE"], rows[0]["CLUSTER-IP"]) == ("ClusterIP", "None")


def test_scaling_a_statefulset_to_zero_deletes_pods_in_reverse_order(kube_shared):
    kube = kube_shared
    apply_sts(kube)
    watch = WatchLines(kube.server.kubectl_popen("get", "pods", "-l", "app=nginx", "-w", "--output-watch-events",
                                                 "--request-timeout=20s"))
    try:
        kube.server.wait_until(lambda: {r[1] for r in watch.rows() if r[0] == "ADDED"} == {"web-0", "web-1", "web-2"},
                               10, message="the watch listing web-0..2")
        assert kube("scale", "statefulset", "web", "--replicas=0").stdout == "statefulset.apps/web scaled\n"
        kube.server.wait_until(lambda: sts_pods(kube) == [], 30, message="every web pod gone")
        kube.server.wait_until(lambda: any(r[:2] == ["DELETED", "web-0"] for r in watch.rows()), 10,
                               message="the watch seeing web-0 deleted")
    finally:
        text = watch.stop()
    rows = watch.rows()

    def first(pred):
        return next(i for i, r in enumerate(rows) if pred(r))
    gone = {n: first(lambda r, n=n: r[:2] == ["DELETED", n]) for n in ("web-0", "web-1", "web-2")}
    terminating = {n: first(lambda r, n=n: r[1] == n and r[0] != "ADDED" and "Terminating" in r)
                   for n in ("web-0", "web-1", "web-2")}
    # web-1 starts terminating only after web-2 is gone, web-0 only after web-1 is gone.
    assert gone["web-2"] < terminating["web-1"], text
    assert gone["web-1"] < terminating["web-0"], text
    deletes = [m for r, m in event_messages(kube, "StatefulSet", "web") if r == "SuccessfulDelete"]
    assert deletes == [f"delete Pod web-{i} in StatefulSet web successful" for i in (2, 1, 0)]
    _, rows = kube.table("get", "sts")
    assert [(r["NAME"], r["READY"]) for r in rows] == [("web", "0/0")]


def test_a_parallel_statefulset_creates_all_pods_without_waiting(kube, tmp_path):
    # A server of its own: the image must not be on the nodes yet (pulling is what makes "created
    # before the first is ready" observable at one-second timestamps).
    doc = (tmp_path / "par.yaml")
    doc.write_text(Path(kube.file("issue4-statefulset.yaml")).read_text()
                   .replace("serviceName: nginx\n", "serviceName: nginx\n  podManagementPolicy: Parallel\n"))
    kube("apply", "-f", str(doc))
    kube.wait_running("app=nginx", 3, timeout=40)
    pods = {n: pod(kube, n) for n in ("web-0", "web-1", "web-2")}
    first_ready = min(ready_since(p) for p in pods.values())
    for p in pods.values():
        assert ts(p["metadata"]["creationTimestamp"]) < first_ready, \
            {n: (q["metadata"]["creationTimestamp"], ready_since(q)) for n, q in pods.items()}


def test_a_partitioned_rolling_update_goes_from_the_highest_ordinal_and_stops_at_the_partition(kube_shared):
    kube = kube_shared
    apply_sts(kube)
    uids = {n: pod(kube, n)["metadata"]["uid"] for n in ("web-0", "web-1", "web-2")}
    out = kube("patch", "statefulset", "web", "-p",
               '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":1}}}}')
    assert out.stdout == "statefulset.apps/web patched\n"
    assert kube("set", "image", "statefulset/web", "nginx=registry.k8s.io/nginx-slim:0.27").stdout == \
        "statefulset.apps/web image updated\n"
    out = kube("rollout", "status", "statefulset/web", "--timeout=40s", timeout=50)
    assert out.stdout.splitlines()[-1] == "partitioned roll out complete: 2 new pods have been updated...", out.stdout
    images = {n: pod(kube, n)["spec"]["containers"][0]["image"] for n in ("web-0", "web-1", "web-2")}
    assert images == {"web-0": "registry.k8s.io/nginx-slim:0.24", "web-1": "registry.k8s.io/nginx-slim:0.27",
                      "web-2": "registry.k8s.io/nginx-slim:0.27"}
    assert pod(kube, "web-0")["metadata"]["uid"] == uids["web-0"]
    # Highest ordinal first: web-2 is replaced before web-1. The re-creates repeat the first
    # creates' text, so they are counted into those events (count 2), as the event recorder does.
    events = json.loads(kube("get", "events", "--field-selector",
                             "involvedObject.kind=StatefulSet,involvedObject.name=web", "-o", "json").stdout)["items"]
    by_msg = {e["message"]: e for e in events}
    assert [e["message"] for e in events] == [f"create Pod web-{i} in StatefulSet web successful" for i in range(3)] + \
        ["delete Pod web-2 in StatefulSet web successful", "delete Pod web-1 in StatefulSet web successful"]
    assert [by_msg[f"create Pod web-{i} in StatefulSet web successful"]["count"] for i in range(3)] == [1, 2, 2]
    assert ts(by_msg["delete Pod web-2 in StatefulSet web successful"]["lastTimestamp"]) <= \
        ts(by_msg["create Pod web-2 in StatefulSet web successful"]["lastTimestamp"]) <= \
        ts(by_msg["delete Pod web-1 in StatefulSet web successful"]["lastTimestamp"])
    assert ts(pod(kube, "web-1")["metadata"]["creationTimestamp"]) >= ready_since(pod(kube, "web-2"))


def test_statefulset_rollout_history_and_undo_use_controller_revisions(kube_shared):
    kube = kube_shared              # its revisions and pods are in its namespace
    apply_sts(kube)
    kube("set", "image", "statefulset/web", "nginx=registry.k8s.io/nginx-slim:0.27")
    out = kube("rollout", "status", "statefulset/web", "--timeout=60s", timeout=70)
    # The apiserver defaults rollingUpdate.partition to 0, so kubectl reports a "partitioned" roll out.
    assert out.stdout.splitlines()[-1] == "partitioned roll out complete: 3 new pods have been updated...", out.stdout
    assert {pod(kube, f"web-{i}")["spec"]["containers"][0]["image"] for i in range(3)} == \
        {"registry.k8s.io/nginx-slim:0.27"}
    out = kube("rollout", "history", "statefulset/web").stdout
    assert [ln.split() for ln in out.splitlines() if ln.strip()] == \
        [["statefulset.apps/web"], ["REVISION", "CHANGE-CAUSE"], ["1", "<none>"], ["2", "<none>"]], out
    _, rows = kube.table("get", "controllerrevisions")
    assert sorted((r["CONTROLLER"], r["REVISION"]) for r in rows) == \
        [("statefulset.apps/web", "1"), ("statefulset.apps/web", "2")], rows

    assert kube("rollout", "undo", "statefulset/web").stdout == "statefulset.apps/web rolled back\n"
    kube("rollout", "status", "statefulset/web", "--timeout=60s", timeout=70)
    kube.server.wait_until(lambda: {pod(kube, f"web-{i}")["spec"]["containers"][0]["image"] for i in range(3)}
                           == {"registry.k8s.io/nginx-slim:0.24"}, 20, message="web-0..2 back on 0.24")
    out = kube("rollout", "history", "statefulset/web").stdout
    assert [ln.split()[0] for ln in out.splitlines()[2:] if ln.strip()] == ["2", "3"], out


# ---- DaemonSet ----------------------------------------------------------------------------------------

DS_TOLERATIONS = {
    ("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"), ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"), ("node.kubernetes.io/unschedulable", "NoSchedule"),
}


def ds_pods_by_node(kube, selector="app=agent") -> dict[str, str]:
    pods = [p for p in kube.pods(selector) if kube.is_live(p)]
    nodes = [p["spec"].get("nodeName") for p in pods]
    assert len(nodes) == len(set(nodes)), f"two pods on one node: {nodes}"
    return {p["spec"].get("nodeName"): p["metadata"]["name"] for p in pods}


def node_names(kube) -> list[str]:
    """The worker nodes: a DaemonSet without a toleration for the control-plane node's
    NoSchedule taint runs on those only (as on kind)."""
    return sorted(r["NAME"] for r in kube.table("get", "nodes")[1] if r["ROLES"] != "control-plane")


def test_a_daemonset_runs_one_pod_per_node_follows_a_deleted_and_an_added_node(kube_factory):
    kube = kube_factory(nodes=4)
    out = kube("apply", "-f", kube.file("issue4-daemonset.yaml"))
    assert out.stdout == "daemonset.apps/agent created\n"
    nodes = node_names(kube)
    assert len(nodes) == 4
    kube.wait_running("app=agent", 4)
    by_node = ds_pods_by_node(kube)
    assert sorted(by_node) == nodes
    for node, name in by_node.items():
        assert re.fullmatch(rf"agent-{kube.SUFFIX}", name), name
        p = pod(kube, name)
        terms = p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
        assert terms == [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}], terms
        assert {(t["key"], t["effect"]) for t in p["spec"]["tolerations"]} == DS_TOLERATIONS, p["spec"]["tolerations"]
        assert all(t["operator"] == "Exists" and "tolerationSeconds" not in t for t in p["spec"]["tolerations"])
    header, rows = kube.table("get", "ds")
    assert header == ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"]
    assert [[r[h] for h in header[:-1]] for r in rows] == [["agent", "4", "4", "4", "4", "4", "<none>"]]
    creates = [m for r, m in event_messages(kube, "DaemonSet", "agent") if r == "SuccessfulCreate"]
    assert sorted(creates) == sorted(f"Created pod: {n}" for n in by_node.values())

    gone = by_node["node-4"]
    assert kube("delete", "node", "node-4").stdout == 'node "node-4" deleted\n'

    def follows():
        now = ds_pods_by_node(kube)
        assert sorted(now) == ["node-1", "node-2", "node-3"], now
        return now
    kube.server.wait_until(follows, 30, message="the DaemonSet pod of node-4 gone")
    assert gone not in {p["metadata"]["name"] for p in kube.pods("app=agent")}
    kube.server.wait_until(lambda: [[r[h] for h in header[:-1]] for r in kube.table("get", "ds")[1]]
                           == [["agent", "3", "3", "3", "3", "3", "<none>"]], 15, message="get ds showing 3")

    # A new machine joins (the playground's Add node): its kubelet registers, the DaemonSet follows.
    req = urllib.request.Request(kube.server.url + "/kubeplay/v1/nodes", data=json.dumps({"name": "node-5"}).encode(),
                                 method="POST", headers={"Content-Type": "application/json", "X-Kubeplay-Request": "page"})
    with kube.server.opener.open(req, timeout=10) as r:
        assert r.status == 202 and json.loads(r.read()) == {"node": "node-5", "joining": True}

    def joined():
        now = ds_pods_by_node(kube)
        assert sorted(now) == ["node-1", "node-2", "node-3", "node-5"], now
        return now
    kube.server.wait_until(joined, 30, message="a DaemonSet pod on the node that joined")
    kube.wait_running("app=agent", 4)


def test_a_daemonset_with_a_node_selector_follows_node_labels(kube):
    kube("apply", "-f", "-", input=json.dumps({
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "ssd"},
        "spec": {"selector": {"matchLabels": {"app": "ssd"}},
                 "template": {"metadata": {"labels": {"app": "ssd"}},
                              "spec": {"nodeSelector": {"disktype": "ssd"},
                                       "containers": [{"name": "ssd", "image": "nginx"}]}}}}))
    header, rows = kube.table("get", "ds", "ssd")
    assert (rows[0]["DESIRED"], rows[0]["NODE SELECTOR"]) == ("0", "disktype=ssd")
    assert kube("label", "node", "node-2", "disktype=ssd").stdout == "node/node-2 labeled\n"
    kube.wait_running("app=ssd", 1)
    assert list(ds_pods_by_node(kube, "app=ssd")) == ["node-2"]
    kube("label", "node", "node-3", "disktype=ssd")
    kube.wait_running("app=ssd", 2)
    assert sorted(ds_pods_by_node(kube, "app=ssd")) == ["node-2", "node-3"]
    # The label goes → so does the pod.
    assert kube("label", "node", "node-2", "disktype-").stdout == "node/node-2 unlabeled\n"
    kube.server.wait_until(lambda: sorted(ds_pods_by_node(kube, "app=ssd")) == ["node-3"], 20,
                           message="the pod on node-2 removed")
    kube.server.wait_until(lambda: [p for p in kube.pods("app=ssd") if p["spec"].get("nodeName") == "node-2"] == [],
                           20, message="the node-2 pod fully gone")


def test_a_daemonset_image_update_rolls_node_by_node_and_rollout_status_reports_it(kube_shared):
    # Its own namespace on the module's server: the nodes stay as they are (the tests that cordon,
    # label or remove nodes have servers of their own).
    kube = kube_shared
    kube("apply", "-f", kube.file("issue4-daemonset.yaml"))
    kube.wait_running("app=agent", 3)
    out = kube("rollout", "status", "daemonset/agent", "--timeout=30s", timeout=40)
    assert out.stdout == 'daemon set "agent" successfully rolled out\n'
    before = set(ds_pods_by_node(kube).values())
    assert kube("set", "image", "daemonset/agent", "agent=busybox:1.37").stdout == "daemonset.apps/agent image updated\n"
    out = kube("rollout", "status", "daemonset/agent", "--timeout=60s", timeout=70)
    assert out.stdout.splitlines()[-1] == 'daemon set "agent" successfully rolled out', out.stdout
    for line in out.stdout.splitlines()[:-1]:
        assert re.fullmatch(r'Waiting for daemon set "agent" rollout to finish: (\d out of 3 new pods have been updated'
                            r'|\d of 3 updated pods are available)\.\.\.|Waiting for daemon set spec update to be observed\.\.\.', line), out.stdout
    after = ds_pods_by_node(kube)
    assert sorted(after) == ["node-1", "node-2", "node-3"] and not set(after.values()) & before
    assert {pod(kube, n)["spec"]["containers"][0]["image"] for n in after.values()} == {"busybox:1.37"}


def test_a_daemonset_pod_runs_on_a_cordoned_node(kube):
    assert kube("cordon", "node-2").stdout == "node/node-2 cordoned\n"
    kube("apply", "-f", kube.file("issue4-daemonset.yaml"))
    kube.wait_running("app=agent", 3)
    assert sorted(ds_pods_by_node(kube)) == ["node-1", "node-2", "node-3"]
    # An ordinary pod is not scheduled there.
    kube("create", "deployment", "web", "--image=nginx", "--replicas=4")
    kube.wait_running("app=web", 4)
    assert "node-2" not in {p["spec"]["nodeName"] for p in kube.pods("app=web")}
