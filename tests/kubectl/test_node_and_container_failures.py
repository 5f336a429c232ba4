"""Issue 4, failures through the real kubectl: a failed node going NotReady within the compressed
timers, each controller's answer to it (Deployment pods replaced elsewhere, a bare pod lost, the
DaemonSet pod kept, a StatefulSet pod not replaced until it is gone), cordon and drain, a typo'd
image tag (ErrImagePull → ImagePullBackOff) and a crashing container (CrashLoopBackOff with the
10s, 20s, 40s back-off) — k8s-semantics.md §3.3–3.4, §5, §6, §7."""
from __future__ import annotations

import datetime as dt
import json
import re

from watchlines import WatchLines

# Playground timers (engine/loop.py Timings): node-monitor-grace 8 s (upstream 50 s),
# node-monitor-period 5 s, not-ready/unreachable tolerationSeconds capped at 5 s (upstream 300 s).
GRACE, PERIOD, TOLERATION = 8, 5, 5


def ts(value: str) -> float:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def sim_now(kube) -> float:
    return kube.server.get_json("/kubeplay/v1/clock")["nowSeconds"]


def wait_sim(kube, until: float, timeout: float = 30):
    """Wait (polling, with a wall deadline) until the simulated clock has passed `until`."""
    kube.server.wait_until(lambda: sim_now(kube) >= until, timeout, message=f"simulated time {until}")


def pod(kube, name: str) -> dict:
    return kube.server.get_json(f"/api/v1/namespaces/default/pods/{name}")


def node_statuses(kube) -> dict[str, str]:
    """The worker nodes' STATUS column (the control-plane node is not part of these stories)."""
    return {r["NAME"]: r["STATUS"] for r in kube.table("get", "nodes")[1] if r["ROLES"] != "control-plane"}


def pod_rows(kube, *args) -> dict[str, dict]:
    return {r["NAME"]: r for r in kube.table("get", "pods", "-o", "wide", *args)[1]}


def run_pinned(kube, name: str, node: str, image="nginx"):
    overrides = json.dumps({"spec": {"nodeSelector": {"kubernetes.io/hostname": node}}})
    assert kube("run", name, f"--image={image}", f"--overrides={overrides}").stdout == f"pod/{name} created\n"


def event_messages(kube, name: str) -> list[tuple[str, str, str]]:
    items = json.loads(kube("get", "events", "--field-selector", f"involvedObject.name={name}", "-o", "json").stdout)["items"]
    return [(e["type"], e["reason"], e["message"]) for e in items]


# ---- a node fails ----------------------------------------------------------------------------------

def test_a_failed_node_goes_not_ready_and_each_controller_answers_as_upstream(kube):
    kube("create", "deployment", "web", "--image=nginx", "--replicas=3")
    kube("apply", "-f", kube.file("issue4-daemonset.yaml"))
    run_pinned(kube, "bare", "node-1")
    kube.wait_running("app=web", 3)
    kube.wait_running("app=agent", 3)
    kube.wait_running("run=bare", 1)
    before = {p["metadata"]["name"]: p["spec"]["nodeName"] for p in kube.pods("app=web")}
    lost_web = sorted(n for n, node in before.items() if node == "node-1")
    ds_on_1 = [p for p in kube.pods("app=agent") if p["spec"]["nodeName"] == "node-1"]
    assert len(ds_on_1) == 1
    ds_on_1 = ds_on_1[0]["metadata"]["name"]

    t0 = sim_now(kube)
    kube.server.post_json("/kubeplay/v1/nodes/node-1/fail")

    def not_ready():
        st = node_statuses(kube)
        assert st == {"node-1": "NotReady", "node-2": "Ready", "node-3": "Ready"}, st
        return st
    kube.server.wait_until(not_ready, 20, message="node-1 NotReady in kubectl get nodes")
    node = kube.server.get_json("/api/v1/nodes/node-1")
    ready = next(c for c in node["status"]["conditions"] if c["type"] == "Ready")
    assert (ready["status"], ready["reason"], ready["message"]) == \
        ("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."), ready
    # Within the compressed grace period (plus one monitor period, and timestamps' whole seconds).
    assert ts(ready["lastTransitionTime"]) <= t0 + GRACE + PERIOD + 1, (t0, ready)
    taints = {(t["key"], t["effect"]) for t in node["spec"].get("taints") or []}
    assert taints >= {("node.kubernetes.io/unreachable", "NoExecute"), ("node.kubernetes.io/unreachable", "NoSchedule")}, taints

    # The Deployment's pods are replaced on the healthy nodes, within grace + toleration.
    def replaced():
        live = [p for p in kube.pods("app=web") if kube.is_running_ready(p)]
        assert len(live) == 3 and all(p["spec"]["nodeName"] != "node-1" for p in live), \
            [(p["metadata"]["name"], p["spec"].get("nodeName"), p["status"].get("phase")) for p in kube.pods("app=web")]
        return live
    live = kube.server.wait_until(replaced, 30, message="web replaced on node-2/node-3")
    for p in live:
        if p["metadata"]["name"] not in before:
            assert ts(p["metadata"]["creationTimestamp"]) <= t0 + GRACE + PERIOD + TOLERATION + PERIOD + 2, \
                (t0, p["metadata"]["creationTimestamp"])

    rows = pod_rows(kube)
    for name in lost_web + ["bare"]:
        assert ("Normal", "TaintManagerEviction", f"Marking for deletion Pod default/{name}") in event_messages(kube, name)
        # The kubelet is gone, so nobody confirms the deletion: the pod stays Terminating on node-1.
        assert (rows[name]["STATUS"], rows[name]["NODE"]) == ("Terminating", "node-1"), rows[name]

    # Some simulated time later: the bare pod has not come back anywhere, the DaemonSet pod stays.
    wait_sim(kube, t0 + 60)
    rows = pod_rows(kube)
    assert [n for n in rows if n == "bare" or n.startswith("bare-")] == ["bare"], rows
    assert rows["bare"]["STATUS"] == "Terminating"
    agent = {n: r for n, r in rows.items() if n.startswith("agent-")}
    assert len(agent) == 3 and agent[ds_on_1]["NODE"] == "node-1", agent
    assert agent[ds_on_1]["STATUS"] == "Running" and not pod(kube, ds_on_1)["metadata"].get("deletionTimestamp")
    assert ("Node node-1 status is now: NodeNotReady") in [m for _, _, m in event_messages(kube, "node-1")]

    # The node comes back: its kubelet finishes the deletions; the bare pod is simply gone.
    kube.server.post_json("/kubeplay/v1/nodes/node-1/recover")
    kube.server.wait_until(lambda: node_statuses(kube)["node-1"] == "Ready", 30, message="node-1 Ready again")

    def finished():
        out = kube("get", "pod", "bare", check=False)
        assert out.stderr == 'Error from server (NotFound): pods "bare" not found\n', out.stdout + out.stderr
        names = {p["metadata"]["name"] for p in kube.pods("app=web")}
        assert not names & set(lost_web), names
        return True
    kube.server.wait_until(finished, 30, message="the lost pods' deletions finished")
    assert kube.pods("run=bare") == []
    kube.wait_running("app=web", 3)
    kube.wait_running("app=agent", 3)


def test_a_statefulset_pod_on_a_failed_node_is_not_replaced_until_it_is_gone(kube):
    kube("apply", "-f", kube.file("issue4-statefulset.yaml"))
    kube.wait_running("app=nginx", 3, timeout=40)
    victim = pod(kube, "web-1")
    node, uid = victim["spec"]["nodeName"], victim["metadata"]["uid"]
    t0 = sim_now(kube)
    kube.server.post_json(f"/kubeplay/v1/nodes/{node}/fail")

    def evicted():
        p = pod(kube, "web-1")
        assert p["metadata"].get("deletionTimestamp") and p["metadata"]["uid"] == uid, p["metadata"]
        return p
    kube.server.wait_until(evicted, 30, message="web-1 evicted")
    # Long after a Deployment would have replaced it, web-1 is still the old pod, Terminating.
    wait_sim(kube, t0 + 90)
    p = pod(kube, "web-1")
    assert (p["metadata"]["uid"], p["spec"]["nodeName"]) == (uid, node)
    assert pod_rows(kube)["web-1"]["STATUS"] == "Terminating"

    # Force-deleting the pod object (the documented way) lets the controller create web-1 again.
    out = kube("delete", "pod", "web-1", "--grace-period=0", "--force")
    assert out.stdout == 'pod "web-1" force deleted\n'

    def recreated():
        q = pod(kube, "web-1")
        assert q["metadata"]["uid"] != uid and kube.is_running_ready(q) and q["spec"]["nodeName"] != node, q["status"]
        return q
    kube.server.wait_until(recreated, 30, message="a new web-1 on a healthy node")


# ---- cordon and drain --------------------------------------------------------------------------------

def test_cordon_marks_the_node_unschedulable_and_drain_evicts_all_but_daemonset_pods(kube):
    kube("create", "deployment", "web", "--image=nginx", "--replicas=3")
    kube("apply", "-f", kube.file("issue4-daemonset.yaml"))
    run_pinned(kube, "bare", "node-1")
    kube.wait_running("app=web", 3)
    kube.wait_running("app=agent", 3)
    kube.wait_running("run=bare", 1)

    assert kube("cordon", "node-1").stdout == "node/node-1 cordoned\n"
    assert node_statuses(kube)["node-1"] == "Ready,SchedulingDisabled"
    node = kube.server.get_json("/api/v1/nodes/node-1")
    assert node["spec"]["unschedulable"] is True
    kube.server.wait_until(lambda: ("node.kubernetes.io/unschedulable", "NoSchedule") in {
        (t["key"], t["effect"]) for t in kube.server.get_json("/api/v1/nodes/node-1")["spec"].get("taints") or []},
        10, message="the unschedulable taint")
    # Nothing new lands on a cordoned node.
    kube("scale", "deployment", "web", "--replicas=6")
    kube.wait_running("app=web", 6)
    on_1 = sorted(p["metadata"]["name"] for p in kube.pods("app=web") if p["spec"]["nodeName"] == "node-1")
    assert len(on_1) <= 1, on_1
    agent_1 = next(p["metadata"]["name"] for p in kube.pods("app=agent") if p["spec"]["nodeName"] == "node-1")
    # kube-system's pods on node-1, as on kind: kube-proxy (a DaemonSet's: left) and maybe a
    # coredns replica (a Deployment's: evicted like any other).
    system = kube.server.get_json("/api/v1/namespaces/kube-system/pods?fieldSelector=spec.nodeName%3Dnode-1")["items"]
    proxy_1 = [p["metadata"]["name"] for p in system if p["metadata"]["name"].startswith("kube-proxy-")]
    dns_1 = sorted(p["metadata"]["name"] for p in system if p["metadata"]["name"].startswith("coredns-"))
    assert len(proxy_1) == 1, system

    # Without --force, a pod no controller would recreate blocks the drain.
    out = kube("drain", "node-1", "--ignore-daemonsets", check=False, timeout=60)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "cannot delete Pods that declare no controller (use --force to override): default/bare" in out.stderr, out.stderr

    out = kube("drain", "node-1", "--ignore-daemonsets", "--force", timeout=60)
    lines = out.stdout.splitlines()
    assert lines[0] == "node/node-1 already cordoned", out.stdout
    assert lines[-1] == "node/node-1 drained", out.stdout
    evicted = sorted(["bare"] + on_1)
    assert sorted(ln.removeprefix("evicting pod default/") for ln in lines if ln.startswith("evicting pod default/")) == evicted
    assert sorted(ln.removeprefix("evicting pod kube-system/") for ln in lines
                  if ln.startswith("evicting pod kube-system/")) == dns_1
    assert sorted(re.sub(r"^pod/(\S+) evicted$", r"\1", ln) for ln in lines if ln.endswith(" evicted")) == \
        sorted(evicted + dns_1)
    warning = out.stderr.strip()
    assert warning.startswith("Warning: "), out.stderr
    assert sorted(warning.removeprefix("Warning: ").split("; ")) == sorted([
        "deleting Pods that declare no controller: default/bare",
        f"ignoring DaemonSet-managed Pods: default/{agent_1}, kube-system/{proxy_1[0]}"]), out.stderr

    def settled():
        rows = pod_rows(kube)
        on_node = sorted(n for n, r in rows.items() if r["NODE"] == "node-1")   # (default namespace)
        assert on_node == [agent_1], rows
        return rows
    rows = kube.server.wait_until(settled, 30, message="only the DaemonSet pod left on node-1")
    assert "bare" not in rows
    kube.wait_running("app=web", 6)
    assert kube("uncordon", "node-1").stdout == "node/node-1 uncordoned\n"
    assert node_statuses(kube)["node-1"] == "Ready"
    assert kube.pods("run=bare") == [], "a drained bare pod is not recreated"


# ---- image pulls and crashes ----------------------------------------------------------------------------

def test_a_typod_image_tag_shows_err_image_pull_then_image_pull_back_off(kube):
    watch = WatchLines(kube.server.kubectl_popen("get", "pods", "-w", "-v=6", "--request-timeout=15s"))
    try:
        kube.server.wait_until(watch.watching, 10, message="the pod watch established")
        assert kube("run", "typo", "--image=nginx:lates").stdout == "pod/typo created\n"

        def statuses():
            return [ln.split()[2] for ln in watch.lines if ln.split()[:1] == ["typo"]]

        def pull_failed_then_backed_off():
            seq = statuses()
            assert "ErrImagePull" in seq and "ImagePullBackOff" in seq[seq.index("ErrImagePull"):], seq
            return seq
        kube.server.wait_until(pull_failed_then_backed_off, 20, message="ErrImagePull then ImagePullBackOff")
    finally:
        text = watch.stop()
    seq = [ln.split()[2] for ln in text.splitlines() if ln.split()[:1] == ["typo"]]
    assert seq[0] in ("Pending", "ContainerCreating"), text
    assert "Running" not in seq, text
    first_err = seq.index("ErrImagePull")
    # The kubelet writes the status it has when it syncs the pod: on a loaded machine (the engine
    # behind the 20x clock) the first pull's ErrImagePull may already be its back-off when
    # written, as a busy real kubelet's status can skip a state too. Nothing before it may run.
    assert set(seq[:first_err]) <= {"Pending", "ContainerCreating", "ImagePullBackOff"}, text
    assert seq[first_err + 1] == "ImagePullBackOff", text

    _, rows = kube.table("get", "pod", "typo")
    assert (rows[0]["READY"], rows[0]["RESTARTS"]) == ("0/1", "0")
    assert rows[0]["STATUS"] in ("ErrImagePull", "ImagePullBackOff")
    events = event_messages(kube, "typo")
    reasons = [(t, r, m) for t, r, m in events]
    assert ("Normal", "Pulling", 'Pulling image "nginx:lates"') in reasons, events
    failed = [m for t, r, m in reasons if (t, r) == ("Warning", "Failed")]
    assert any(m.startswith('Failed to pull image "nginx:lates": ') for m in failed), failed
    assert "Error: ErrImagePull" in failed and "Error: ImagePullBackOff" in failed, failed
    assert ("Normal", "BackOff", 'Back-off pulling image "nginx:lates"') in reasons, events
    text = kube("describe", "pod", "typo").stdout
    assert re.search(r"^\s+State:\s+Waiting$", text, re.M), text
    assert re.search(r"^\s+Reason:\s+(ErrImagePull|ImagePullBackOff)$", text, re.M), text


def test_a_crashing_container_enters_crash_loop_back_off_with_the_doubling_delay(kube):
    assert kube("run", "crash", "--image=busybox", "--", "sh", "-c", "echo boom; exit 1").stdout == "pod/crash created\n"
    uid = None
    seen: list[str] = []

    def reached_40s():
        nonlocal uid
        p = pod(kube, "crash")
        uid = p["metadata"]["uid"]
        for cs in p["status"].get("containerStatuses") or []:
            msg = ((cs.get("state") or {}).get("waiting") or {}).get("message")
            if msg and (not seen or seen[-1] != msg):
                seen.append(msg)
        assert any("back-off 40s" in m for m in seen), seen
        return True
    kube.server.wait_until(reached_40s, 30, interval=0.05, message="the 40s back-off")
    want = [f"back-off {d} restarting failed container=crash pod=crash_default({uid})" for d in ("10s", "20s", "40s")]
    assert seen[:3] == want, seen

    _, rows = kube.table("get", "pod", "crash")
    row = rows[0]
    assert row["READY"] == "0/1"
    assert row["STATUS"] in ("CrashLoopBackOff", "Error", "Completed", "Running"), row
    assert re.fullmatch(r"[3-9] \(\d+s ago\)", row["RESTARTS"]), row
    kube.server.wait_until(lambda: kube.table("get", "pod", "crash")[1][0]["STATUS"] == "CrashLoopBackOff", 10,
                           message="STATUS CrashLoopBackOff")
    p = pod(kube, "crash")
    (cs,) = p["status"]["containerStatuses"]
    term = cs["lastState"]["terminated"]
    assert (term["reason"], term["exitCode"]) == ("Error", 1), term
    assert ("Warning", "BackOff", f"Back-off restarting failed container crash in pod crash_default({uid})") \
        in event_messages(kube, "crash")
    assert kube("logs", "crash", "--previous").stdout == "boom\n"
    text = kube("describe", "pod", "crash").stdout
    assert re.search(r"^\s+Reason:\s+CrashLoopBackOff$", text, re.M), text
    assert re.search(r"^\s+Last State:\s+Terminated$", text, re.M), text
    assert re.search(r"^\s+Exit Code:\s+1$", text, re.M), text


# ---- taints -------------------------------------------------------------------------------------------

def test_a_no_execute_taint_evicts_the_pods_that_do_not_tolerate_it(kube):
    kube("create", "deployment", "web", "--image=nginx", "--replicas=3")
    kube.wait_running("app=web", 3)
    overrides = json.dumps({"spec": {"nodeSelector": {"kubernetes.io/hostname": "node-1"},
                                     "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "db",
                                                      "effect": "NoExecute"}]}})
    kube("run", "db", "--image=redis", f"--overrides={overrides}")
    kube.wait_running("run=db", 1)
    on_1 = sorted(p["metadata"]["name"] for p in kube.pods("app=web") if p["spec"]["nodeName"] == "node-1")
    assert on_1, "the scheduler spreads three web pods over the three nodes"

    assert kube("taint", "nodes", "node-1", "dedicated=db:NoExecute").stdout == "node/node-1 tainted\n"

    def moved():
        live = [p for p in kube.pods("app=web") if kube.is_running_ready(p)]
        assert len(live) == 3 and all(p["spec"]["nodeName"] != "node-1" for p in live), \
            [(p["metadata"]["name"], p["spec"].get("nodeName")) for p in kube.pods("app=web")]
        return live
    kube.server.wait_until(moved, 30, message="web pods off node-1")
    for name in on_1:
        assert ("Normal", "TaintManagerEviction", f"Marking for deletion Pod default/{name}") in event_messages(kube, name)
    # The pod that tolerates the taint stays where it is.
    p = pod(kube, "db")
    assert p["spec"]["nodeName"] == "node-1" and kube.is_running_ready(p)
    assert kube("taint", "nodes", "node-1", "dedicated-").stdout == "node/node-1 untainted\n"
