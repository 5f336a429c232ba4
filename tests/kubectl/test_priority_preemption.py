"""Issue 12 item 8 through the real kubectl (both versions): PriorityClasses (create, get columns,
describe, the apiserver's refusals, the built-in classes) and a high-priority pod preempting a
low-priority one on a cluster whose nodes are full by resource requests. Each test has a server
of its own: PriorityClasses are cluster-scoped and the preemption test fills every node."""
from __future__ import annotations

import re

import pytest


@pytest.fixture
def kube_own(kubeplay_server, kubectl_version, kubectl_session, tmp_path):
    from tests.kubectl.conftest import Kube
    session = kubectl_session(kubeplay_server, tmp_path / "kubectl", namespace="default", version=kubectl_version)
    return Kube(session, "default", kubectl_version)


def test_create_get_and_describe_priority_classes(kube_own):
    kube = kube_own
    out = kube("create", "priorityclass", "high", "--value=1000", "--description=for the important ones")
    assert out.stdout == "priorityclass.scheduling.k8s.io/high created\n"
    out = kube("create", "priorityclass", "polite", "--value=5", "--global-default", "--preemption-policy=Never")
    assert out.stdout == "priorityclass.scheduling.k8s.io/polite created\n"

    header, rows = kube.table("get", "priorityclass")
    assert header == ["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"]
    assert [(r["NAME"], r["VALUE"], r["GLOBAL-DEFAULT"], r["PREEMPTIONPOLICY"]) for r in rows] == [
        ("high", "1000", "false", "PreemptLowerPriority"),
        ("polite", "5", "true", "Never"),
        ("system-cluster-critical", "2000000000", "false", "PreemptLowerPriority"),
        ("system-node-critical", "2000001000", "false", "PreemptLowerPriority")]
    assert all(re.fullmatch(kube.AGE, r["AGE"]) for r in rows), rows

    text = kube("describe", "priorityclass", "high").stdout
    assert re.search(r"(?m)^Name:\s+high$", text), text
    assert re.search(r"(?m)^Value:\s+1000$", text), text
    assert re.search(r"(?m)^GlobalDefault:\s+false$", text), text
    assert re.search(r"(?m)^PreemptionPolicy:\s+PreemptLowerPriority$", text), text
    assert re.search(r"(?m)^Description:\s+for the important ones$", text), text
    text = kube("describe", "pc", "system-node-critical").stdout
    assert re.search(r"(?m)^Description:\s+Used for system critical pods that must not be moved from their "
                     r"current node\.$", text), text

    # The apiserver's refusals.
    err = kube("create", "priorityclass", "second", "--value=1", "--global-default", check=False)
    assert err.returncode == 1
    # (kubectl create priorityclass wraps the server's error in its own words)
    assert err.stderr == ('error: failed to create priorityclass: priorityclasses.scheduling.k8s.io "second" is forbidden: '
                          'PriorityClass polite is marked as globalDefault. Only one PriorityClass can be marked as '
                          'globalDefault\n')
    err = kube("create", "priorityclass", "huge", "--value=2000000000", check=False)
    assert err.stderr == ('error: failed to create priorityclass: PriorityClass.scheduling.k8s.io "huge" is invalid: '
                          'value: Forbidden: maximum allowed value of a user '
                          'defined priority is 1000000000\n')
    err = kube("delete", "priorityclass", "system-node-critical", check=False)
    assert err.stderr == ('Error from server (Forbidden): priorityclasses.scheduling.k8s.io "system-node-critical" '
                          'is forbidden: this is a system priority class and cannot be deleted\n')
    err = kube("run", "lost", "--image=nginx", '--overrides={"spec": {"priorityClassName": "nope"}}', check=False)
    assert err.stderr == 'Error from server (Forbidden): pods "lost" is forbidden: no PriorityClass with name nope was found\n'

    # apply (validated against /openapi/v2) and an update that tries to change the value.
    manifest = ("apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: applied\n"
                "value: {value}\ndescription: from a manifest\n")
    assert kube("apply", "-f", "-", input=manifest.format(value=300)).stdout == \
        "priorityclass.scheduling.k8s.io/applied created\n"
    err = kube("apply", "-f", "-", input=manifest.format(value=301), check=False)
    assert err.returncode == 1
    assert err.stderr == 'The PriorityClass "applied" is invalid: value: Forbidden: may not be changed in an update.\n'

    # Priority admission: the class's value, and the default class for a pod naming none.
    kube("run", "named", "--image=nginx", '--overrides={"spec": {"priorityClassName": "high"}}')
    kube("run", "plain", "--image=nginx")
    named = kube.server.get_json("/api/v1/namespaces/default/pods/named")["spec"]
    plain = kube.server.get_json("/api/v1/namespaces/default/pods/plain")["spec"]
    assert (named["priority"], named["preemptionPolicy"]) == (1000, "PreemptLowerPriority")
    assert (plain["priorityClassName"], plain["priority"], plain["preemptionPolicy"]) == ("polite", 5, "Never")


FILLER = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: filler
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: filler}}
  template:
    metadata:
      labels: {{app: filler}}
    spec:
      priorityClassName: low
      terminationGracePeriodSeconds: 5
      containers:
      - name: c
        image: nginx
        resources:
          requests: {{cpu: "3"}}
"""

URGENT = """
apiVersion: v1
kind: Pod
metadata:
  name: urgent
spec:
  priorityClassName: high
  containers:
  - name: c
    image: nginx
    resources:
      requests: {cpu: "2"}
"""


def test_a_high_priority_pod_preempts_a_low_priority_one_on_a_full_cluster(kube_own):
    kube = kube_own
    kube("create", "priorityclass", "low", "--value=10")
    kube("create", "priorityclass", "high", "--value=1000")
    workers = [n["metadata"]["name"] for n in kube.server.get_json("/api/v1/nodes")["items"]
               if not any(t.get("effect") == "NoSchedule" for t in (n.get("spec") or {}).get("taints") or ())]
    # Each worker (4 CPUs) gets one 3-CPU filler: a 2-CPU pod fits nowhere.
    kube("apply", "-f", "-", input=FILLER.format(replicas=len(workers)))
    kube.wait_running("app=filler", len(workers))
    kube("apply", "-f", "-", input=URGENT)

    def bound():
        pod = kube.server.get_json("/api/v1/namespaces/default/pods/urgent")
        assert pod["spec"].get("nodeName"), pod["status"]
        return pod
    pod = kube.server.wait_until(bound, 60, message="the preemptor bound")
    node, uid = pod["spec"]["nodeName"], pod["metadata"]["uid"]
    assert pod["status"]["nominatedNodeName"] == node

    header, rows = kube.table("get", "events", "--field-selector=reason=Preempted")
    assert [(r["REASON"], r["OBJECT"].split("/")[0], r["MESSAGE"]) for r in rows] == [
        ("Preempted", "pod", f"Preempted by pod {uid} on node {node}")], rows
    # The victim's replacement (priority 10 like the rest) finds no room and no victims.

    def replacement_waits():
        pending = [p for p in kube.pods("app=filler") if not p["spec"].get("nodeName")]
        assert pending, "no pending filler yet"
        cond = next(c for c in pending[0]["status"].get("conditions") or () if c["type"] == "PodScheduled")
        assert cond.get("message", "").endswith("No preemption victims found for incoming pod."), cond
        return pending[0]
    waiting = kube.server.wait_until(replacement_waits, 30, message="the replacement filler unschedulable")
    text = kube("describe", "pod", waiting["metadata"]["name"]).stdout
    assert re.search(r"Warning\s+FailedScheduling\s+.*default-scheduler\s+0/\d nodes are available: .*"
                     r"\d Insufficient cpu\. preemption: 0/\d nodes are available: .*"
                     r"\d No preemption victims found for incoming pod\.", text), text

    def running():
        p = kube.server.get_json("/api/v1/namespaces/default/pods/urgent")
        assert p["status"].get("phase") == "Running", p["status"]
        return True
    kube.server.wait_until(running, 60, message="the preemptor running")
